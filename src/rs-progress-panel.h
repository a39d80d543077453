/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RS_TYPE_PROGRESS_PANEL (rs_progress_panel_get_type ())
G_DECLARE_FINAL_TYPE (RsProgressPanel, rs_progress_panel, RS, PROGRESS_PANEL, GtkWidget)

void rs_progress_panel_start        (RsProgressPanel *self,
                                     const char      *title,
                                     const char      *cancel_action);
void rs_progress_panel_set_fraction (RsProgressPanel *self,
                                     double           fraction,
                                     const char      *detail);
void rs_progress_panel_set_stopping (RsProgressPanel *self,
                                     const char      *detail);
void rs_progress_panel_stop         (RsProgressPanel *self);
gboolean rs_progress_panel_get_running (RsProgressPanel *self);

G_END_DECLS
