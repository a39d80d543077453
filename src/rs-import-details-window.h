/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-import.h"

G_BEGIN_DECLS

#define RS_TYPE_IMPORT_DETAILS_WINDOW (rs_import_details_window_get_type ())
G_DECLARE_FINAL_TYPE (RsImportDetailsWindow, rs_import_details_window, RS,
                      IMPORT_DETAILS_WINDOW, AdwWindow)

RsImportDetailsWindow *rs_import_details_window_new (GtkWindow             *parent,
                                                     const RsImportSummary *summary);
RsImportDetailsWindow *rs_import_details_window_new_for_store (GtkWindow           *parent,
                                                               RsStore             *store,
                                                               gint64               import_id);
gboolean               rs_import_details_window_is_loading (RsImportDetailsWindow *self);
guint                  rs_import_details_window_get_n_problems (RsImportDetailsWindow *self);
guint                  rs_import_details_window_get_n_change_groups
                                                       (RsImportDetailsWindow *self);
AdwPreferencesGroup   *rs_import_details_window_get_changes_group
                                                       (RsImportDetailsWindow *self);
AdwPreferencesGroup   *rs_import_details_window_get_quality_group
                                                       (RsImportDetailsWindow *self);
gint64                 rs_import_details_window_get_respondent_id
                                                       (RsImportDetailsWindow *self,
                                                        guint                  position);
char                  *rs_import_details_window_dup_text (RsImportDetailsWindow *self);
GtkFileChooser        *rs_import_details_window_get_save_chooser
                                                       (RsImportDetailsWindow *self);

G_END_DECLS
