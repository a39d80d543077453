/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-store.h"
#include "core/rs-tracker.h"

G_BEGIN_DECLS

#define RS_TYPE_DETAILS_WINDOW (rs_details_window_get_type ())
G_DECLARE_FINAL_TYPE (RsDetailsWindow, rs_details_window, RS, DETAILS_WINDOW, AdwWindow)

RsDetailsWindow *rs_details_window_new        (GtkWindow       *parent,
                                               RsStore         *store,
                                               gint64           id);
gboolean         rs_details_window_get_loaded (RsDetailsWindow *self);
guint            rs_details_window_get_n_history (RsDetailsWindow *self);
guint            rs_details_window_get_n_source_columns (RsDetailsWindow *self);
guint            rs_details_window_get_n_report_pages (RsDetailsWindow *self);
const char      *rs_details_window_get_email_subject (RsDetailsWindow *self);
void             rs_details_window_save_note  (RsDetailsWindow *self,
                                               const char      *note);
guint            rs_details_window_get_n_saves (RsDetailsWindow *self);
GtkWidget       *rs_details_window_get_field_row (RsDetailsWindow *self,
                                                  RsField          field);
const char      *rs_details_window_get_field_error (RsDetailsWindow *self,
                                                    RsField          field);
const char      *rs_details_window_get_file_says (RsDetailsWindow *self,
                                                  RsField          field);
const char      *rs_details_window_get_heading (RsDetailsWindow *self);

G_END_DECLS
