/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/rs-activity.h"

G_BEGIN_DECLS

#define RS_TYPE_ACTIVITY_FAILURE_ITEM (rs_activity_failure_item_get_type ())
G_DECLARE_FINAL_TYPE (RsActivityFailureItem, rs_activity_failure_item, RS,
                      ACTIVITY_FAILURE_ITEM, GObject)

/* One failure of an activity entry in a list model: failure @index of
 * @failures (element-type RsActivityFailure), which the item keeps a
 * reference to. */
RsActivityFailureItem   *rs_activity_failure_item_new         (GPtrArray             *failures,
                                                               guint                  index);
const RsActivityFailure *rs_activity_failure_item_get_failure (RsActivityFailureItem *self);

G_END_DECLS
