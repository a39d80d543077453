/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-list"

#include "config.h"

#include "rs-respondent-list.h"

/* Every respondent, in id order, as a GListModel. Items are updated in place
 * when the database changes, so that views keep their selection and place. */

struct _RsRespondentList
{
  GObject parent_instance;

  GPtrArray *items;
  GHashTable *positions;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RsRespondentList, rs_respondent_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return RS_TYPE_RESPONDENT;
}

static guint
get_n_items (GListModel *model)
{
  return RS_RESPONDENT_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  RsRespondentList *self = RS_RESPONDENT_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

RsRespondentList *
rs_respondent_list_new (void)
{
  return g_object_new (RS_TYPE_RESPONDENT_LIST, NULL);
}

/* Returns: (transfer none) (nullable): the respondent with @id */
RsRespondent *
rs_respondent_list_lookup (RsRespondentList *self,
                           gint64            id)
{
  gpointer position;

  g_return_val_if_fail (RS_IS_RESPONDENT_LIST (self), NULL);

  if (!g_hash_table_lookup_extended (self->positions, &id, NULL, &position))
    return NULL;

  return g_ptr_array_index (self->items, GPOINTER_TO_UINT (position));
}

/**
 * rs_respondent_list_merge:
 * @fresh: (element-type RsRespondent): respondents read again, all or only
 *   the changed ones
 *
 * Updates the items that changed and appends new ones; ::items-changed is
 * emitted for exactly those.
 *
 * Returns: how many items changed or were added
 */
guint
rs_respondent_list_merge (RsRespondentList *self,
                          GPtrArray        *fresh)
{
  guint old_len;
  guint changes = 0;

  g_return_val_if_fail (RS_IS_RESPONDENT_LIST (self), 0);
  g_return_val_if_fail (fresh != NULL, 0);

  old_len = self->items->len;

  for (guint i = 0; i < fresh->len; i++)
    {
      RsRespondent *item = g_ptr_array_index (fresh, i);
      gint64 id = rs_respondent_get_id (item);
      gpointer position;

      if (g_hash_table_lookup_extended (self->positions, &id, NULL, &position))
        {
          RsRespondent *current = g_ptr_array_index (self->items, GPOINTER_TO_UINT (position));

          if (rs_respondent_update_from (current, item))
            {
              changes++;
              g_list_model_items_changed (G_LIST_MODEL (self), GPOINTER_TO_UINT (position), 1, 1);
            }
          continue;
        }

      g_hash_table_insert (self->positions, g_memdup2 (&id, sizeof id),
                           GUINT_TO_POINTER (self->items->len));
      g_ptr_array_add (self->items, g_object_ref (item));
      changes++;
    }

  if (self->items->len > old_len)
    g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, self->items->len - old_len);

  return changes;
}

static void
rs_respondent_list_finalize (GObject *object)
{
  RsRespondentList *self = (RsRespondentList *)object;

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);

  G_OBJECT_CLASS (rs_respondent_list_parent_class)->finalize (object);
}

static void
rs_respondent_list_class_init (RsRespondentListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_respondent_list_finalize;
}

static void
rs_respondent_list_init (RsRespondentList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->positions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}
