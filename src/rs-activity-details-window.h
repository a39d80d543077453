/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-activity.h"

G_BEGIN_DECLS

#define RS_TYPE_ACTIVITY_DETAILS_WINDOW (rs_activity_details_window_get_type ())
G_DECLARE_FINAL_TYPE (RsActivityDetailsWindow, rs_activity_details_window, RS,
                      ACTIVITY_DETAILS_WINDOW, AdwWindow)

/* Reads entry @id of the activity log in a worker thread and shows it: its
 * counts, how it ended and each failure with its reason. */
RsActivityDetailsWindow *rs_activity_details_window_new        (GtkWindow *parent,
                                                                RsStore   *store,
                                                                gint64     id);
gboolean                 rs_activity_details_window_is_loading (RsActivityDetailsWindow *self);
/* (nullable): the entry shown, for tests */
const RsActivityEntry   *rs_activity_details_window_get_entry  (RsActivityDetailsWindow *self);
/* The list of failures, for tests */
GtkListView             *rs_activity_details_window_get_failures
                                                               (RsActivityDetailsWindow *self);

G_END_DECLS
