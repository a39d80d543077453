/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-row-list"

#include "config.h"

#include <string.h>

#include "rs-row-list.h"

/* A list of respondents as rows, for a GTK list view. When the respondents
 * are searched or sorted anew, the rows stay where they are and show other
 * respondents: only a change in their number is an ::items-changed. GTK 4.8
 * throws away the row widgets of items it is told are gone and makes new
 * ones, a few hundred cells each time; a row that stays keeps its widgets,
 * which only show new text. Rows are made when first asked for. */

struct _RsRowList
{
  GObject parent_instance;

  GListModel *respondents;
  /* One slot a respondent; NULL until asked for. */
  GPtrArray *rows;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RsRowList, rs_row_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return RS_TYPE_ROW;
}

static guint
get_n_items (GListModel *model)
{
  return RS_ROW_LIST (model)->rows->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  RsRowList *self = RS_ROW_LIST (model);

  if (position >= self->rows->len)
    return NULL;

  if (self->rows->pdata[position] == NULL)
    {
      g_autoptr(RsRespondent) respondent = g_list_model_get_item (self->respondents, position);

      self->rows->pdata[position] = rs_row_new (respondent);
    }

  return g_object_ref (self->rows->pdata[position]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
clear_row (gpointer data)
{
  if (data != NULL)
    g_object_unref (data);
}

static void
splice (RsRowList *self,
        guint      position,
        guint      removed,
        guint      added)
{
  guint len;

  if (removed > 0)
    g_ptr_array_remove_range (self->rows, position, removed);

  if (added == 0)
    return;

  len = self->rows->len;
  g_ptr_array_set_size (self->rows, len + added);
  memmove (&self->rows->pdata[position + added], &self->rows->pdata[position],
           (len - position) * sizeof (gpointer));
  memset (&self->rows->pdata[position], 0, added * sizeof (gpointer));
}

static void
respondents_changed_cb (RsRowList  *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *respondents)
{
  guint kept = MIN (removed, added);

  splice (self, position + kept, removed - kept, added - kept);

  for (guint i = position; i < position + kept; i++)
    {
      RsRow *row = self->rows->pdata[i];

      if (row != NULL)
        {
          g_autoptr(RsRespondent) respondent = g_list_model_get_item (respondents, i);

          rs_row_set_respondent (row, respondent);
        }
    }

  if (removed != added)
    g_list_model_items_changed (G_LIST_MODEL (self), position + kept, removed - kept,
                                added - kept);
}

/**
 * rs_row_list_new:
 * @respondents: a list of #RsRespondent
 */
RsRowList *
rs_row_list_new (GListModel *respondents)
{
  RsRowList *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (respondents), NULL);
  g_return_val_if_fail (g_list_model_get_item_type (respondents) == RS_TYPE_RESPONDENT, NULL);

  self = g_object_new (RS_TYPE_ROW_LIST, NULL);
  self->respondents = g_object_ref (respondents);
  g_ptr_array_set_size (self->rows, g_list_model_get_n_items (respondents));
  g_signal_connect_object (respondents, "items-changed", G_CALLBACK (respondents_changed_cb),
                           self, G_CONNECT_SWAPPED);

  return self;
}

static void
rs_row_list_finalize (GObject *object)
{
  RsRowList *self = (RsRowList *)object;

  g_clear_object (&self->respondents);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (rs_row_list_parent_class)->finalize (object);
}

static void
rs_row_list_class_init (RsRowListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_row_list_finalize;
}

static void
rs_row_list_init (RsRowList *self)
{
  self->rows = g_ptr_array_new_with_free_func (clear_row);
}
