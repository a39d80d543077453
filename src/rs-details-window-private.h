/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-tracker.h"
#include "rs-details-window.h"
#include "rs-report-preview.h"

G_BEGIN_DECLS

/* What the parts of the details window share: the class and its loads
 * (rs-details-window.c), showing what was loaded (-show.c), and the
 * corrections, their undo and the note (-edit.c). */
struct _RsDetailsWindow
{
  AdwWindow parent_instance;

  RsStore *store;
  gint64 id;
  GCancellable *cancellable;
  RsRespondentDetails *details;
  guint n_history;
  guint n_source;
  GPtrArray *history_rows;
  gboolean filled;
  /* Set while the language row is set from the details */
  gboolean filling;
  /* RsCorrectionSnapshot, the last one undone first */
  GPtrArray *undo;
  guint n_saving;
  guint n_saves;
  /* The toast of the last correction, while it is shown or waits */
  AdwToast *toast;

  AdwPreferencesGroup *person_group;
  AdwEntryRow *name_row;
  AdwEntryRow *email_row;
  AdwEntryRow *function_row;
  AdwComboRow *language_row;
  AdwActionRow *name_error_row;
  AdwActionRow *email_error_row;
  AdwActionRow *function_error_row;
  AdwActionRow *language_error_row;
  AdwActionRow *name_file_row;
  AdwActionRow *email_file_row;
  AdwActionRow *function_file_row;
  AdwActionRow *language_file_row;
  GtkWidget *field_rows[RS_N_FIELDS];
  AdwActionRow *error_rows[RS_N_FIELDS];
  AdwActionRow *file_rows[RS_N_FIELDS];

  AdwViewSwitcherTitle *window_title;
  GtkStack *report_stack;
  RsReportPreview *report_preview;
  AdwStatusPage *report_status;
  AdwPreferencesGroup *email_group;
  AdwActionRow *email_from_row;
  AdwActionRow *email_to_row;
  AdwActionRow *email_subject_row;
  AdwActionRow *email_attachment_row;
  GtkLabel *email_body_label;
  GtkStack *stack;
  AdwToastOverlay *toast_overlay;
  AdwActionRow *status_row;
  AdwActionRow *sent_row;
  AdwActionRow *report_row;
  GtkButton *open_report_button;
  AdwEntryRow *note_row;
  AdwPreferencesGroup *scores_group;
  AdwPreferencesGroup *history_group;
  AdwPreferencesGroup *source_group;
};

void rs_details_window_load            (RsDetailsWindow     *self);
void rs_details_window_load_preview    (RsDetailsWindow     *self);
void rs_details_window_show_details    (RsDetailsWindow     *self,
                                        RsRespondentDetails *old);
void rs_details_window_edit_class_init (GtkWidgetClass      *widget_class);
void rs_details_window_edit_init       (RsDetailsWindow     *self);

G_END_DECLS
