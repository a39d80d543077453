/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-store.h"
#include "rs-job-runner.h"
#include "rs-overview-page.h"
#include "rs-progress-panel.h"
#include "rs-respondent-view.h"
#include "rs-window.h"

G_BEGIN_DECLS

/* What the window's flows (import, reports, send, marks) share. Each flow is
 * in a file of its own, rs-window-<flow>.c; the window starts them and
 * shows their results. */
struct _RsWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  char *database_path;
  RsStore *store;
  /* Cancelled when the window goes: every job and load stops. */
  GCancellable *cancellable;
  RsJobRunner *runner;
  /* Closing was asked for while a job ran: close once it has ended. */
  gboolean close_when_done;
  GtkWidget *close_dialog;

  /* A send being planned, and its summary while it asks */
  gboolean planning;
  GtkWidget *send_dialog;
  /* The export whose chooser or writing is under way, if any */
  GObject *export_flow;
  /* The file chooser of win.import while it is open */
  GtkFileChooserNative *import_chooser;
  RsImportSummary *last_import;
  RsReportSummary *last_reports;
  /* The last marks, to undo; NULL when there is nothing to undo */
  GPtrArray *undo;
  guint undo_generation;

  AdwToastOverlay *toast_overlay;
  RsProgressPanel *progress_panel;
  GtkStack *stack;
  AdwStatusPage *error_page;
  RsRespondentView *respondent_view;
  AdwViewStack *view_stack;
  AdwViewSwitcherTitle *switcher_title;
  RsOverviewPage *overview_page;
  /* A change of the institution's look waiting to mark the reports */
  guint branding_timeout;
  /* The chooser of win.export-dashboard while it is open */
  GtkFileChooserNative *dashboard_chooser;
  GtkToggleButton *search_button;
  GtkWidget *send_button;
  GtkWidget *send_icon_button;
};

void     rs_window_update_actions     (RsWindow   *self);
void     rs_window_show_message       (RsWindow   *self,
                                       const char *heading,
                                       const char *body);
void     rs_window_add_toast          (RsWindow   *self,
                                       AdwToast   *toast);
void     rs_window_reload             (RsWindow   *self);
void     rs_window_checkpoint         (RsWindow   *self);
gboolean rs_window_is_idle            (RsWindow   *self);
void     rs_window_job_finished       (RsWindow   *self);

void     rs_window_import_class_init  (GtkWidgetClass *widget_class);
void     rs_window_import_file        (RsWindow   *self,
                                       GFile      *file);
void     rs_window_import_dispose     (RsWindow   *self);
void     rs_window_reports_class_init (GtkWidgetClass *widget_class);
void     rs_window_reports_init       (RsWindow   *self);
void     rs_window_reports_dispose    (RsWindow   *self);
void     rs_window_send_class_init    (GtkWidgetClass *widget_class);
void     rs_window_mark_class_init    (GtkWidgetClass *widget_class);
void     rs_window_dashboard_class_init (GtkWidgetClass *widget_class);

G_END_DECLS
