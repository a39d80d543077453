/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-visible-list"

#include "config.h"

#include "rs-visible-list.h"

/* The respondents as a view shows them: filtered, searched and sorted, in
 * one model that tells its views about a new search or order with a single
 * ::items-changed, and about one changed respondent with one or two. Keys
 * for sorting and searching are made once per respondent. */

struct _RsVisibleList
{
  GObject parent_instance;

  RsRespondentList *base;
  GPtrArray *items;
  RsVisibleFilter filter;
  char *query;
  RsSortColumn sort;
  gboolean descending;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RsVisibleList, rs_visible_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return RS_TYPE_RESPONDENT;
}

static guint
get_n_items (GListModel *model)
{
  return RS_VISIBLE_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  RsVisibleList *self = RS_VISIBLE_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

/* Returns: (transfer none): the respondent at @position */
RsRespondent *
rs_visible_list_peek (RsVisibleList *self,
                      guint          position)
{
  g_return_val_if_fail (RS_IS_VISIBLE_LIST (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);

  return g_ptr_array_index (self->items, position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static gboolean
matches (RsVisibleList *self,
         RsRespondent  *respondent)
{
  switch (self->filter)
    {
    case RS_VISIBLE_PENDING:
      if (rs_respondent_get_status (respondent) != RS_STATUS_PENDING)
        return FALSE;
      break;
    case RS_VISIBLE_SENT:
      if (rs_respondent_get_status (respondent) != RS_STATUS_SENT)
        return FALSE;
      break;
    case RS_VISIBLE_FAILED:
      if (rs_respondent_get_status (respondent) != RS_STATUS_FAILED)
        return FALSE;
      break;
    case RS_VISIBLE_ATTENTION:
      if (!rs_respondent_needs_attention (respondent))
        return FALSE;
      break;
    case RS_VISIBLE_ALL:
    default:
      break;
    }

  if (self->query != NULL && self->query[0] != '\0')
    return strstr (rs_respondent_get_search_key (respondent), self->query) != NULL;

  return TRUE;
}

static int
compare_int64 (gint64 a,
               gint64 b)
{
  return (a > b) - (a < b);
}

/* Orders two respondents by @column; ties go by id, so the order is total. */
int
rs_visible_list_compare (RsSortColumn  column,
                         RsRespondent *a,
                         RsRespondent *b)
{
  int order = 0;

  switch (column)
    {
    case RS_SORT_COMPANY:
    case RS_SORT_PERSON:
    case RS_SORT_EMAIL:
    case RS_SORT_NOTE:
    case RS_SORT_MODE:
      order = strcmp (rs_respondent_get_sort_key (a, column),
                      rs_respondent_get_sort_key (b, column));
      break;
    case RS_SORT_REPORT:
      order = (int) rs_respondent_get_report_state (a) - (int) rs_respondent_get_report_state (b);
      break;
    case RS_SORT_STATUS:
      order = (int) rs_respondent_get_status (a) - (int) rs_respondent_get_status (b);
      break;
    case RS_SORT_SENT:
      order = compare_int64 (rs_respondent_get_sent_at (a), rs_respondent_get_sent_at (b));
      break;
    case RS_SORT_NONE:
    default:
      break;
    }

  if (order != 0)
    return order;

  return compare_int64 (rs_respondent_get_id (a), rs_respondent_get_id (b));
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  RsVisibleList *self = user_data;
  int order = rs_visible_list_compare (self->sort, *(RsRespondent **) a, *(RsRespondent **) b);

  return self->descending ? -order : order;
}

/* One respondent to sort. @key orders first: a number, or for text eight
 * bytes of it, from where the texts start to differ; the whole text and
 * the id settle ties. */
typedef struct
{
  guint64 key;
  const char *text;
  gint64 id;
  RsRespondent *respondent;
} SortEntry;

static int
compare_entries (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const SortEntry *first = a;
  const SortEntry *second = b;
  gboolean descending = GPOINTER_TO_INT (user_data);
  int order;

  if (first->key != second->key)
    order = first->key < second->key ? -1 : 1;
  else if (first->text == NULL || (order = strcmp (first->text, second->text)) == 0)
    order = compare_int64 (first->id, second->id);

  return descending ? -order : order;
}

static guint64
text_key (const char *text)
{
  guint64 key = 0;

  for (guint i = 0; i < 8 && text[i] != '\0'; i++)
    key |= (guint64) (guchar) text[i] << (56 - 8 * i);

  return key;
}

/* In the same order as compare_items(), with the keys side by side in one
 * array: sorting 100,000 respondents is then mostly comparing numbers. */
static void
sort_items (RsVisibleList *self,
            GPtrArray     *items)
{
  g_autofree SortEntry *entries = g_new (SortEntry, items->len);
  gsize common = G_MAXSIZE;

  for (guint i = 0; i < items->len; i++)
    {
      RsRespondent *respondent = items->pdata[i];
      SortEntry *entry = &entries[i];
      gint64 number = 0;

      entry->respondent = respondent;
      entry->id = rs_respondent_get_id (respondent);
      entry->text = NULL;
      switch (self->sort)
        {
        case RS_SORT_COMPANY:
        case RS_SORT_PERSON:
        case RS_SORT_EMAIL:
        case RS_SORT_NOTE:
        case RS_SORT_MODE:
          entry->text = rs_respondent_get_sort_key (respondent, self->sort);
          break;
        case RS_SORT_REPORT:
          number = rs_respondent_get_report_state (respondent);
          break;
        case RS_SORT_STATUS:
          number = rs_respondent_get_status (respondent);
          break;
        case RS_SORT_SENT:
          number = rs_respondent_get_sent_at (respondent);
          break;
        case RS_SORT_NONE:
        default:
          break;
        }
      /* Flipping the sign bit orders signed numbers as unsigned ones. */
      entry->key = (guint64) number ^ G_GUINT64_CONSTANT (0x8000000000000000);

      if (entry->text != NULL)
        {
          gsize same = 0;

          while (same < common && entries[0].text[same] != '\0' &&
                 entries[0].text[same] == entry->text[same])
            same++;
          common = same;
        }
    }

  if (items->len > 0 && entries[0].text != NULL)
    for (guint i = 0; i < items->len; i++)
      entries[i].key = text_key (entries[i].text + common);

  g_qsort_with_data (entries, items->len, sizeof (SortEntry), compare_entries,
                     GINT_TO_POINTER (self->descending));

  for (guint i = 0; i < items->len; i++)
    items->pdata[i] = entries[i].respondent;
}

/* Puts @items in place of the list and tells views about the part that
 * differs, in one signal. */
static void
replace_items (RsVisibleList *self,
               GPtrArray     *items)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->items);
  guint first = 0;
  guint old_end;
  guint new_end;

  self->items = items;

  while (first < old->len && first < self->items->len &&
         old->pdata[first] == self->items->pdata[first])
    first++;
  old_end = old->len;
  new_end = self->items->len;
  while (old_end > first && new_end > first &&
         old->pdata[old_end - 1] == self->items->pdata[new_end - 1])
    {
      old_end--;
      new_end--;
    }

  if (old_end > first || new_end > first)
    g_list_model_items_changed (G_LIST_MODEL (self), first, old_end - first, new_end - first);
}

/* Makes the list anew. */
static void
rebuild (RsVisibleList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->base));
  GPtrArray *items = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      RsRespondent *respondent = g_list_model_get_item (G_LIST_MODEL (self->base), i);

      if (matches (self, respondent))
        g_ptr_array_add (items, respondent);
      else
        g_object_unref (respondent);
    }

  if (self->sort != RS_SORT_NONE || self->descending)
    sort_items (self, items);

  replace_items (self, items);
}

/* Another order of the same respondents. */
static void
resort (RsVisibleList *self)
{
  GPtrArray *items = g_ptr_array_copy (self->items, (GCopyFunc) g_object_ref, NULL);

  g_ptr_array_set_free_func (items, g_object_unref);
  sort_items (self, items);
  replace_items (self, items);
}

/* A narrower search: only the rows shown can still match, and they are in
 * order already. */
static void
narrow (RsVisibleList *self)
{
  GPtrArray *items = g_ptr_array_new_full (self->items->len, g_object_unref);

  for (guint i = 0; i < self->items->len; i++)
    {
      RsRespondent *respondent = self->items->pdata[i];

      if (matches (self, respondent))
        g_ptr_array_add (items, g_object_ref (respondent));
    }

  replace_items (self, items);
}

static guint
find_position (RsVisibleList *self,
               RsRespondent  *respondent)
{
  guint index;

  if (g_ptr_array_find (self->items, respondent, &index))
    return index;

  return G_MAXUINT;
}

static guint
sorted_position (RsVisibleList *self,
                 RsRespondent  *respondent)
{
  guint low = 0;
  guint high = self->items->len;

  if (self->sort == RS_SORT_NONE && !self->descending)
    {
      /* Id order, which is also the base list's order. */
      while (low < high)
        {
          guint middle = low + (high - low) / 2;

          if (rs_respondent_get_id (self->items->pdata[middle]) < rs_respondent_get_id (respondent))
            low = middle + 1;
          else
            high = middle;
        }
      return low;
    }

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_items (&self->items->pdata[middle], &respondent, self) < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

/* One respondent changed in place: move it, drop it or just redraw it. */
static void
update_one (RsVisibleList *self,
            RsRespondent  *respondent)
{
  guint position = find_position (self, respondent);
  gboolean visible = matches (self, respondent);
  guint target;

  if (position == G_MAXUINT)
    {
      if (!visible)
        return;
      target = sorted_position (self, respondent);
      g_ptr_array_insert (self->items, target, g_object_ref (respondent));
      g_list_model_items_changed (G_LIST_MODEL (self), target, 0, 1);
      return;
    }

  if (!visible)
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
      return;
    }

  /* Still in order where it is? Then nothing moves: views show the new
   * values through the respondent's notifications. */
  if ((position == 0 || compare_items (&self->items->pdata[position - 1],
                                       &self->items->pdata[position], self) < 0) &&
      (position + 1 == self->items->len ||
       compare_items (&self->items->pdata[position], &self->items->pdata[position + 1],
                      self) < 0))
    return;

  /* Moved: one change over the span it moved across, the same number of
   * items before and after, so that rows stay and only show others. */
  g_object_ref (respondent);
  g_ptr_array_remove_index (self->items, position);
  target = sorted_position (self, respondent);
  g_ptr_array_insert (self->items, target, respondent);
  g_list_model_items_changed (G_LIST_MODEL (self), MIN (position, target),
                              MAX (position, target) - MIN (position, target) + 1,
                              MAX (position, target) - MIN (position, target) + 1);
}

static void
base_items_changed_cb (RsVisibleList *self,
                       guint          position,
                       guint          removed,
                       guint          added,
                       GListModel    *base)
{
  if (removed == 1 && added == 1)
    {
      g_autoptr(RsRespondent) respondent = g_list_model_get_item (base, position);

      update_one (self, respondent);
      return;
    }

  rebuild (self);
}

/**
 * rs_visible_list_new:
 * @base: every respondent
 */
RsVisibleList *
rs_visible_list_new (RsRespondentList *base)
{
  RsVisibleList *self;

  g_return_val_if_fail (RS_IS_RESPONDENT_LIST (base), NULL);

  self = g_object_new (RS_TYPE_VISIBLE_LIST, NULL);
  self->base = g_object_ref (base);
  g_signal_connect_object (base, "items-changed", G_CALLBACK (base_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  rebuild (self);

  return self;
}

/**
 * rs_visible_list_set_filter:
 * @query: (nullable): already folded with rs_respondent_fold_for_search()
 */
void
rs_visible_list_set_filter (RsVisibleList   *self,
                            RsVisibleFilter  filter,
                            const char      *query)
{
  gboolean narrower;

  g_return_if_fail (RS_IS_VISIBLE_LIST (self));

  if (self->filter == filter && g_strcmp0 (self->query, query) == 0)
    return;

  /* Text that contains the old search text matches fewer respondents. */
  narrower = self->filter == filter && query != NULL &&
             strstr (query, self->query ? self->query : "") != NULL;
  self->filter = filter;
  g_free (self->query);
  self->query = g_strdup (query);
  if (narrower)
    narrow (self);
  else
    rebuild (self);
}

void
rs_visible_list_set_sort (RsVisibleList *self,
                          RsSortColumn   column,
                          gboolean       descending)
{
  g_return_if_fail (RS_IS_VISIBLE_LIST (self));

  if (self->sort == column && self->descending == descending)
    return;

  self->sort = column;
  self->descending = descending;
  resort (self);
}

static void
rs_visible_list_finalize (GObject *object)
{
  RsVisibleList *self = (RsVisibleList *)object;

  g_clear_object (&self->base);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (rs_visible_list_parent_class)->finalize (object);
}

static void
rs_visible_list_class_init (RsVisibleListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_visible_list_finalize;
}

static void
rs_visible_list_init (RsVisibleList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
