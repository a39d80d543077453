/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "rs-application.h"
#include "rs-respondent-view.h"

G_BEGIN_DECLS

#define RS_TYPE_WINDOW (rs_window_get_type ())
G_DECLARE_FINAL_TYPE (RsWindow, rs_window, RS, WINDOW, AdwApplicationWindow)

RsWindow   *rs_window_new            (RsApplication *application,
                                      const char    *database_path);
RsStore    *rs_window_get_store      (RsWindow      *self);
const char *rs_window_get_page_name  (RsWindow      *self);
const char *rs_window_get_view_name  (RsWindow      *self);
GtkFileChooser *rs_window_get_dashboard_chooser (RsWindow *self);
const char *rs_window_get_status_text (RsWindow     *self);
gboolean    rs_window_get_busy       (RsWindow      *self);
GtkFileChooser *rs_window_get_import_chooser (RsWindow *self);
GtkFileChooser *rs_window_get_export_chooser (RsWindow *self);
RsRespondentView *rs_window_get_respondent_view (RsWindow *self);
void        rs_window_export         (RsWindow      *self,
                                      GFile         *file);
void        rs_window_generate_reports (RsWindow    *self,
                                        const gint64 *ids,
                                        guint        n_ids);
char       *rs_window_dup_reports_folder (RsWindow  *self);

G_END_DECLS
