/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity-failure-item"

#include "config.h"

#include "rs-activity-failure-item.h"

struct _RsActivityFailureItem
{
  GObject parent_instance;

  GPtrArray *failures;
  const RsActivityFailure *failure;
};

G_DEFINE_FINAL_TYPE (RsActivityFailureItem, rs_activity_failure_item, G_TYPE_OBJECT)

RsActivityFailureItem *
rs_activity_failure_item_new (GPtrArray *failures,
                              guint      index)
{
  RsActivityFailureItem *self;

  g_return_val_if_fail (failures != NULL, NULL);
  g_return_val_if_fail (index < failures->len, NULL);

  self = g_object_new (RS_TYPE_ACTIVITY_FAILURE_ITEM, NULL);
  self->failures = g_ptr_array_ref (failures);
  self->failure = g_ptr_array_index (failures, index);

  return self;
}

const RsActivityFailure *
rs_activity_failure_item_get_failure (RsActivityFailureItem *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_FAILURE_ITEM (self), NULL);

  return self->failure;
}

static void
rs_activity_failure_item_finalize (GObject *object)
{
  RsActivityFailureItem *self = RS_ACTIVITY_FAILURE_ITEM (object);

  g_clear_pointer (&self->failures, g_ptr_array_unref);

  G_OBJECT_CLASS (rs_activity_failure_item_parent_class)->finalize (object);
}

static void
rs_activity_failure_item_class_init (RsActivityFailureItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_activity_failure_item_finalize;
}

static void
rs_activity_failure_item_init (RsActivityFailureItem *self)
{
}
