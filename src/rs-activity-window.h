/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-store.h"

G_BEGIN_DECLS

#define RS_TYPE_ACTIVITY_WINDOW (rs_activity_window_get_type ())
G_DECLARE_FINAL_TYPE (RsActivityWindow, rs_activity_window, RS, ACTIVITY_WINDOW, AdwWindow)

RsActivityWindow *rs_activity_window_new         (GtkWindow        *parent,
                                                  RsStore          *store);
/* (element-type RsActivityEntry): what the list shows, newest first; %NULL
 * until it is read. For tests. */
GPtrArray        *rs_activity_window_get_entries (RsActivityWindow *self);
gboolean          rs_activity_window_get_busy    (RsActivityWindow *self);
GtkListView      *rs_activity_window_get_list    (RsActivityWindow *self);

G_END_DECLS
