/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "rs-respondent-view-private.h"

/* The table people live in: every respondent with their report and e-mail
 * status, searchable, sortable and filterable, following the database as it
 * changes. All database work runs in worker threads. */

G_DEFINE_FINAL_TYPE (RsRespondentView, rs_respondent_view, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static void update_selection_state (RsRespondentView *self);
static GArray *collect_selected_ids (RsRespondentView *self);

void
rs_respondent_view_notify (RsRespondentView *self,
                           guint             prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Searching and filtering */

void
rs_respondent_view_update_page (RsRespondentView *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->visible)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty && self->loaded ? "no-match" : "table");
}

void
rs_respondent_view_apply_filter_and_sort (RsRespondentView *self,
                                          gboolean          filter,
                                          RsSortColumn      column,
                                          gboolean          descending)
{
  g_autoptr(GArray) selected = NULL;

  if (self->stack == NULL)
    return;

  /* Rows stay in place and show other respondents: the selection follows
   * the respondents, not the places. */
  selected = collect_selected_ids (self);
  if (selected->len > 0)
    gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  if (filter)
    rs_visible_list_set_filter (self->visible, (RsVisibleFilter) self->filter_kind, self->query);
  else
    rs_visible_list_set_sort (self->visible, column, descending);
  if (selected->len > 0)
    rs_respondent_view_select_ids (self, (gint64 *) selected->data, selected->len);
  rs_respondent_view_update_page (self);
  rs_respondent_view_update_stats (self, &self->summary);
}

/**
 * rs_respondent_view_set_search_text:
 *
 * Shows only respondents whose company, person or e-mail address contains
 * @text, ignoring case and accents.
 */
void
rs_respondent_view_set_search_text (RsRespondentView *self,
                                    const char       *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *query = rs_respondent_fold_for_search (trimmed);

  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));

  if (g_strcmp0 (query, self->query ? self->query : "") == 0)
    return;

  g_free (self->query);
  self->query = g_steal_pointer (&query);
  rs_respondent_view_apply_filter_and_sort (self, TRUE, RS_SORT_NONE, FALSE);

  /* Setting the text passes through "", which the entry reports at once. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text) != 0)
    {
      self->setting_search_text = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
      self->setting_search_text = FALSE;
    }
}

void
rs_respondent_view_set_filter (RsRespondentView *self,
                               RsViewFilter      filter)
{
  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));

  if (gtk_drop_down_get_selected (self->filter_dropdown) != (guint) filter)
    {
      gtk_drop_down_set_selected (self->filter_dropdown, filter);
      return;
    }

  if (self->filter_kind == filter)
    return;

  self->filter_kind = filter;
  rs_respondent_view_apply_filter_and_sort (self, TRUE, RS_SORT_NONE, FALSE);
}

static void
search_changed_cb (RsRespondentView *self,
                   GtkSearchEntry   *entry)
{
  if (self->setting_search_text)
    return;

  rs_respondent_view_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (RsRespondentView *self,
                GtkSearchEntry   *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
filter_changed_cb (RsRespondentView *self,
                   GParamSpec       *pspec,
                   GtkDropDown      *dropdown)
{
  rs_respondent_view_set_filter (self, gtk_drop_down_get_selected (dropdown));
}

/* Statistics */

void
rs_respondent_view_update_stats (RsRespondentView *self,
                                 const RsSummary  *summary)
{
  g_autofree char *respondents = NULL;
  g_autofree char *from = NULL;
  g_autofree char *text = NULL;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->visible));

  if (summary != &self->summary)
    {
      gboolean sending_changed = summary->sending != self->summary.sending;

      self->summary = *summary;
      if (sending_changed)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SENDING]);
    }

  /* With a search or a filter, the count says how many of all are shown. */
  if (shown != summary->respondents &&
      (self->filter_kind != RS_VIEW_FILTER_ALL || (self->query && self->query[0])))
    /* Translators: “12 of 333 shown”, counting respondents */
    respondents = g_strdup_printf (ngettext ("%u of %u respondent shown",
                                             "%u of %u respondents shown",
                                             summary->respondents),
                                   shown, summary->respondents);
  else
    respondents = g_strdup_printf (ngettext ("%u respondent", "%u respondents",
                                             summary->respondents),
                                   summary->respondents);
  from = g_strdup_printf (ngettext ("%u company", "%u companies", summary->companies),
                          summary->companies);
  /* Translators: “12 respondents from 3 companies · Pending 4 · Sent 7 · Failed 1 ·
   * Reports ready 9” */
  text = g_strdup_printf (_("%s from %s · Pending %u · Sent %u · Failed %u · Reports ready %u"),
                          respondents, from, summary->pending, summary->sent, summary->failed,
                          summary->reports_ready);
  /* Rare states are named only when there are any. */
  if (summary->sending > 0 || summary->unknown > 0)
    {
      g_autofree char *rare = NULL;
      g_autofree char *counts = g_steal_pointer (&text);

      if (summary->sending > 0 && summary->unknown > 0)
        /* Translators: appended to the count line */
        rare = g_strdup_printf (_(" · Sending %u · Unknown %u"), summary->sending,
                                summary->unknown);
      else if (summary->sending > 0)
        /* Translators: appended to the count line */
        rare = g_strdup_printf (_(" · Sending %u"), summary->sending);
      else
        /* Translators: appended to the count line */
        rare = g_strdup_printf (_(" · Unknown %u"), summary->unknown);
      text = g_strconcat (counts, rare, NULL);
    }
  gtk_label_set_label (self->stats_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stats_label), text);
}

/* Returns: (transfer full): the ids of the respondents shown, in their order */
GArray *
rs_respondent_view_get_visible_ids (RsRespondentView *self)
{
  GListModel *visible;
  GArray *ids;
  guint n;

  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  visible = G_LIST_MODEL (self->visible);
  n = g_list_model_get_n_items (visible);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  for (guint i = 0; i < n; i++)
    {
      gint64 id = rs_respondent_get_id (rs_respondent_view_respondent_at (self, i));

      g_array_append_val (ids, id);
    }

  return ids;
}

/* Whether a search or a filter hides some respondents. */
gboolean
rs_respondent_view_get_narrowed (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), FALSE);

  return self->filter_kind != RS_VIEW_FILTER_ALL || (self->query != NULL && self->query[0]);
}

guint
rs_respondent_view_get_n_sending (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), 0);

  return self->summary.sending;
}

guint
rs_respondent_view_get_n_selected (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), 0);

  return self->n_selected;
}

/* Returns: (transfer none): the search bar, for a button to show it */
GtkSearchBar *
rs_respondent_view_get_search_bar (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  return self->search_bar;
}

guint
rs_respondent_view_get_n_respondents (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->list));
}

/* Whether the first load has finished. */
gboolean
rs_respondent_view_get_loaded (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), FALSE);

  return self->loaded;
}

const char *
rs_respondent_view_get_stats_text (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  return gtk_label_get_label (self->stats_label);
}

/* Returns: (transfer none): the respondents as shown: searched, filtered, sorted */
GListModel *
rs_respondent_view_get_visible (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  return G_LIST_MODEL (self->visible);
}

/* Returns: (transfer none): the respondent in the row at @position */
RsRespondent *
rs_respondent_view_respondent_at (RsRespondentView *self,
                                  guint             position)
{
  return rs_visible_list_peek (self->visible, position);
}

GtkColumnView *
rs_respondent_view_get_column_view (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  return self->column_view;
}

/* Selection */

static GArray *
collect_selected_ids (RsRespondentView *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkBitsetIter iter;
  guint position;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
       more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 id = rs_respondent_get_id (rs_respondent_view_respondent_at (self, position));

      g_array_append_val (ids, id);
    }

  return ids;
}

void
rs_respondent_view_select_ids (RsRespondentView *self,
                               const gint64     *ids,
                               guint             n_ids)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GtkBitset) selected = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) mask = NULL;
  guint n;

  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));

  for (guint i = 0; i < n_ids; i++)
    g_hash_table_add (wanted, (gpointer) &ids[i]);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->visible));
  for (guint i = 0; i < n && g_hash_table_size (wanted) > 0; i++)
    {
      gint64 id = rs_respondent_get_id (rs_respondent_view_respondent_at (self, i));

      if (g_hash_table_contains (wanted, &id))
        gtk_bitset_add (selected, i);
    }

  mask = gtk_bitset_new_range (0, n);
  gtk_selection_model_set_selection (GTK_SELECTION_MODEL (self->selection), selected, mask);
}

/* Returns: (transfer full) (element-type gint64): the selected respondents */
GArray *
rs_respondent_view_get_selected_ids (RsRespondentView *self)
{
  g_return_val_if_fail (RS_IS_RESPONDENT_VIEW (self), NULL);

  return collect_selected_ids (self);
}

static void
update_selection_state (RsRespondentView *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint64 n = gtk_bitset_get_size (selected);
  g_autofree char *label = NULL;

  label = g_strdup_printf (ngettext ("%u selected", "%u selected", (gulong) n), (guint) n);
  gtk_label_set_label (self->selection_label, label);
  gtk_revealer_set_reveal_child (self->selection_revealer, n > 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "respondents.show-details", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "respondents.open-report", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "respondents.show-in-folder", n > 0);

  if (self->n_selected != (guint) n)
    {
      self->n_selected = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
    }
}

static void
selection_changed_cb (RsRespondentView *self,
                      guint             position,
                      guint             n_items,
                      GtkSelectionModel *model)
{
  update_selection_state (self);
}

static gboolean
update_selection_idle (gpointer data)
{
  RsRespondentView *self = data;

  self->selection_idle = 0;
  update_selection_state (self);

  return G_SOURCE_REMOVE;
}

/* A search can change thousands of runs of rows, one signal each: look at
 * the selection once they are done. */
static void
items_changed_cb (RsRespondentView *self,
                  guint             position,
                  guint             removed,
                  guint             added,
                  GListModel       *model)
{
  if (self->selection_idle == 0)
    self->selection_idle = g_idle_add (update_selection_idle, self);
}

/* Object */

static void
rs_respondent_view_dispose (GObject *object)
{
  RsRespondentView *self = (RsRespondentView *)object;
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_handle_id (&self->selection_idle, g_source_remove);
  g_clear_handle_id (&self->columns_idle, g_source_remove);
  g_clear_object (&self->monitor);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  g_clear_pointer (&self->context_menu_popover, gtk_widget_unparent);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_RESPONDENT_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rs_respondent_view_parent_class)->dispose (object);
}

/* Out of its window, the view has nothing to show: its loads stop, and
 * they cannot keep it and its database busy after the window closed. */
static void
rs_respondent_view_unroot (GtkWidget *widget)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  g_cancellable_cancel (self->load_cancellable);

  GTK_WIDGET_CLASS (rs_respondent_view_parent_class)->unroot (widget);
}

static void
rs_respondent_view_root (GtkWidget *widget)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  GTK_WIDGET_CLASS (rs_respondent_view_parent_class)->root (widget);

  if (g_cancellable_is_cancelled (self->load_cancellable))
    {
      g_clear_object (&self->load_cancellable);
      self->load_cancellable = g_cancellable_new ();
    }
}

static void
rs_respondent_view_finalize (GObject *object)
{
  RsRespondentView *self = (RsRespondentView *)object;

  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->visible);
  g_clear_object (&self->list);
  g_clear_object (&self->probe_low);
  g_clear_object (&self->probe_high);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->query, g_free);

  G_OBJECT_CLASS (rs_respondent_view_parent_class)->finalize (object);
}

static void
rs_respondent_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (object);

  switch (prop_id)
    {
    case PROP_N_RESPONDENTS:
      g_value_set_uint (value, rs_respondent_view_get_n_respondents (self));
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, self->n_selected);
      break;
    case PROP_N_SENDING:
      g_value_set_uint (value, self->summary.sending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_respondent_view_class_init (RsRespondentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_respondent_view_dispose;
  object_class->finalize = rs_respondent_view_finalize;
  object_class->get_property = rs_respondent_view_get_property;

  widget_class->root = rs_respondent_view_root;
  widget_class->unroot = rs_respondent_view_unroot;
  widget_class->measure = rs_respondent_view_measure;
  widget_class->size_allocate = rs_respondent_view_size_allocate;

  properties[PROP_N_RESPONDENTS] =
    g_param_spec_uint ("n-respondents", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SELECTED] =
    g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Respondents in `sending`, as the last load counted them */
  properties[PROP_N_SENDING] =
    g_param_spec_uint ("n-sending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RS_TYPE_RESPONDENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-respondent-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, stats_label);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, stack);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, load_error_page);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, column_view);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, company_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, person_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, email_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, report_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, status_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, sent_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, mode_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, note_column);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, selection_revealer);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, selection_label);
  gtk_widget_class_bind_template_child (widget_class, RsRespondentView, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);

  rs_respondent_view_columns_class_init (widget_class);
  rs_respondent_view_actions_class_init (widget_class);
}

static void
rs_respondent_view_init (RsRespondentView *self)
{
  self->seen = -1;
  self->cancellable = g_cancellable_new ();
  self->load_cancellable = g_cancellable_new ();
  self->list = rs_respondent_list_new ();
  self->visible = rs_visible_list_new (self->list);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = rs_row_list_new (G_LIST_MODEL (self->visible));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  rs_respondent_view_setup_sorting (self);

  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  rs_respondent_view_actions_init (self);

  update_selection_state (self);
  rs_respondent_view_update_stats (self, &self->summary);
}
