/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "core/rs-activity.h"

G_BEGIN_DECLS

#define RS_TYPE_ACTIVITY_ITEM (rs_activity_item_get_type ())
G_DECLARE_FINAL_TYPE (RsActivityItem, rs_activity_item, RS, ACTIVITY_ITEM, GObject)

/* One entry of the activity log in a list model: entry @index of @entries
 * (element-type RsActivityEntry), which the item keeps a reference to. */
RsActivityItem        *rs_activity_item_new       (GPtrArray      *entries,
                                                   guint           index);
const RsActivityEntry *rs_activity_item_get_entry (RsActivityItem *self);
/* Points the item at an entry that reads the same in a newer list, so the
 * older list can go; the row is not drawn again. */
void                   rs_activity_item_set_entry (RsActivityItem *self,
                                                   GPtrArray      *entries,
                                                   guint           index);

G_END_DECLS
