/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity-item"

#include "config.h"

#include "rs-activity-item.h"

struct _RsActivityItem
{
  GObject parent_instance;

  GPtrArray *entries;
  const RsActivityEntry *entry;
};

G_DEFINE_FINAL_TYPE (RsActivityItem, rs_activity_item, G_TYPE_OBJECT)

RsActivityItem *
rs_activity_item_new (GPtrArray *entries,
                      guint      index)
{
  RsActivityItem *self;

  g_return_val_if_fail (entries != NULL, NULL);
  g_return_val_if_fail (index < entries->len, NULL);

  self = g_object_new (RS_TYPE_ACTIVITY_ITEM, NULL);
  self->entries = g_ptr_array_ref (entries);
  self->entry = g_ptr_array_index (entries, index);

  return self;
}

const RsActivityEntry *
rs_activity_item_get_entry (RsActivityItem *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_ITEM (self), NULL);

  return self->entry;
}

void
rs_activity_item_set_entry (RsActivityItem *self,
                            GPtrArray      *entries,
                            guint           index)
{
  g_return_if_fail (RS_IS_ACTIVITY_ITEM (self));
  g_return_if_fail (entries != NULL);
  g_return_if_fail (index < entries->len);

  g_ptr_array_ref (entries);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  self->entry = g_ptr_array_index (entries, index);
}

static void
rs_activity_item_finalize (GObject *object)
{
  RsActivityItem *self = RS_ACTIVITY_ITEM (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (rs_activity_item_parent_class)->finalize (object);
}

static void
rs_activity_item_class_init (RsActivityItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_activity_item_finalize;
}

static void
rs_activity_item_init (RsActivityItem *self)
{
}
