/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-view"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/rs-respondent-list.h"
#include "core/rs-row-list.h"
#include "core/rs-store-monitor.h"
#include "core/rs-summary.h"
#include "core/rs-tracker.h"
#include "core/rs-visible-list.h"
#include "rs-details-window.h"
#include "rs-respondent-view.h"

/* The table people live in: every respondent with their report and e-mail
 * status, searchable, sortable and filterable, following the database as it
 * changes. All database work runs in worker threads. */

#define MONITOR_INTERVAL_MS 250

struct _RsRespondentView
{
  GtkWidget parent_instance;

  RsStore *store;
  RsStoreMonitor *monitor;
  GCancellable *cancellable;
  /* Loads only; they stop when the view leaves its window. Changes that a
   * person asked for are never cancelled that way. */
  GCancellable *load_cancellable;
  RsRespondentList *list;
  RsVisibleList *visible;
  RsRowList *rows;
  GtkMultiSelection *selection;
  RsSortColumn probed_column;
  RsRespondent *probe_low;
  RsRespondent *probe_high;
  char *query;
  gboolean setting_search_text;
  guint selection_idle;
  RsViewFilter filter_kind;
  /* The change counter as the last load saw it; -1 before the first */
  gint64 seen;
  gboolean loading;
  gboolean reload_again;
  gboolean loaded;
  guint n_selected;
  RsSummary summary;
  GtkWidget *context_menu_popover;

  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkDropDown *filter_dropdown;
  GtkLabel *stats_label;
  GtkStack *stack;
  AdwStatusPage *load_error_page;
  GtkColumnView *column_view;
  GtkColumnViewColumn *company_column;
  GtkColumnViewColumn *person_column;
  GtkColumnViewColumn *email_column;
  GtkColumnViewColumn *report_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *sent_column;
  GtkColumnViewColumn *mode_column;
  GtkColumnViewColumn *note_column;
  int allocated_width;
  gboolean narrow_columns;
  guint columns_idle;
  GtkRevealer *selection_revealer;
  GtkLabel *selection_label;
  GMenuModel *context_menu;
};

G_DEFINE_FINAL_TYPE (RsRespondentView, rs_respondent_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_N_RESPONDENTS,
  PROP_LOADED,
  PROP_N_SELECTED,
  PROP_N_SENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_selection_state (RsRespondentView *self);
static void update_stats (RsRespondentView *self,
                          const RsSummary  *summary);
static GArray *collect_selected_ids (RsRespondentView *self);
static RsRespondent *respondent_at (RsRespondentView *self,
                                    guint             position);

static AdwToastOverlay *
get_toast_overlay (RsRespondentView *self)
{
  return ADW_TOAST_OVERLAY (gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY));
}

static void
add_toast (RsRespondentView *self,
           AdwToast         *toast)
{
  AdwToastOverlay *overlay = get_toast_overlay (self);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_error (RsRespondentView *self,
            const char       *heading,
            const GError     *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Searching and filtering */

static void
update_page (RsRespondentView *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->visible)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty && self->loaded ? "no-match" : "table");
}

static void
apply_filter_and_sort (RsRespondentView *self,
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
  update_page (self);
  update_stats (self, &self->summary);
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
  apply_filter_and_sort (self, TRUE, RS_SORT_NONE, FALSE);

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
  apply_filter_and_sort (self, TRUE, RS_SORT_NONE, FALSE);
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

static void
update_stats (RsRespondentView *self,
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

/* Loading */

typedef struct
{
  gint64 since;
} LoadData;

typedef struct
{
  GPtrArray *respondents;
  RsSummary summary;
  gint64 seen;
} LoadResult;

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->respondents, g_ptr_array_unref);
  g_free (result);
}

static void
free_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadResult *result = task_data;
  gboolean big = result->respondents != NULL && result->respondents->len > 10000;

  load_result_free (result);
#ifdef __GLIBC__
  /* Give the memory of a big reload back rather than keep it for later. */
  if (big)
    malloc_trim (0);
#endif
  g_task_return_boolean (task, TRUE);
}

/* Freeing 100,000 respondents read after an import takes longer than a
 * frame: it is done away from the main loop. */
static void
load_result_free_later (LoadResult *result)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, load_result_free_later);
  g_task_set_task_data (task, result, NULL);
  g_task_run_in_thread (task, free_in_thread);
}

static gpointer
load_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  LoadData *load = data;
  LoadResult *result = g_new0 (LoadResult, 1);

  /* The counts are made here too, so the main loop only shows them. */
  result->respondents = rs_tracker_load_changed (store, load->since, &result->seen,
                                                 cancellable, error);
  if (result->respondents == NULL ||
      !rs_summary_load (store, &result->summary, error))
    {
      load_result_free (result);
      return NULL;
    }

  return result;
}

static void start_load (RsRespondentView *self);

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
      gint64 id = rs_respondent_get_id (respondent_at (self, position));

      g_array_append_val (ids, id);
    }

  return ids;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsRespondentView) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadResult *loaded;
  gboolean first = !self->loaded;

  self->loading = FALSE;
  loaded = rs_store_run_finish (RS_STORE (object), result, &error);
  if (loaded == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Not a table that silently stops following the database: the
       * reason, and a way to read it again. */
      self->reload_again = FALSE;
      adw_status_page_set_description (self->load_error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "load-error");
      return;
    }

  if (loaded->respondents->len > 0)
    {
      g_autoptr(GArray) selected = collect_selected_ids (self);

      rs_respondent_list_merge (self->list, loaded->respondents);
      /* Changed rows come back unselected; select them again. */
      if (selected->len > 0)
        rs_respondent_view_select_ids (self, (gint64 *) selected->data, selected->len);
    }
  update_stats (self, &loaded->summary);

  self->seen = loaded->seen;
  load_result_free_later (loaded);

  if (first)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  if (first || g_list_model_get_n_items (G_LIST_MODEL (self->list)) > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RESPONDENTS]);
  update_page (self);

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

static void
start_load (RsRespondentView *self)
{
  LoadData *data;

  if (self->store == NULL)
    return;

  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  data = g_new0 (LoadData, 1);
  data->since = self->seen;
  rs_store_run_async (self->store, load_job, data, g_free, load_result_free,
                      self->load_cancellable, load_done_cb, g_object_ref (self));
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
      gint64 id = rs_respondent_get_id (respondent_at (self, i));

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

/* Tab leaves the table for the next control instead of walking through
 * every row: the table is left out of the focus chain for one move. */
static gboolean
table_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      RsRespondentView      *self)
{
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
  GtkDirectionType direction;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_ISO_Left_Tab || (keyval == GDK_KEY_Tab && (state & GDK_SHIFT_MASK)))
    direction = GTK_DIR_TAB_BACKWARD;
  else if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
    direction = GTK_DIR_TAB_FORWARD;
  else
    return FALSE;

  if (root == NULL)
    return FALSE;

  gtk_widget_set_can_focus (GTK_WIDGET (self->column_view), FALSE);
  if (!gtk_widget_child_focus (root, direction))
    {
      gtk_root_set_focus (GTK_ROOT (root), NULL);
      gtk_widget_child_focus (root, direction);
    }
  gtk_widget_set_can_focus (GTK_WIDGET (self->column_view), TRUE);

  return TRUE;
}

/* Reads again what changed in the database, now. */
void
rs_respondent_view_refresh (RsRespondentView *self)
{
  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));

  start_load (self);
}

/* Try Again after the table could not be read. */
static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  update_page (self);
  start_load (self);
}

static void
store_changed_cb (RsRespondentView *self,
                  RsStoreMonitor   *monitor)
{
  start_load (self);
}

void
rs_respondent_view_set_store (RsRespondentView *self,
                              RsStore          *store)
{
  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));
  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (self->store == NULL);

  self->store = g_object_ref (store);
  self->monitor = rs_store_monitor_new (store, MONITOR_INTERVAL_MS);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  start_load (self);
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
static RsRespondent *
respondent_at (RsRespondentView *self,
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
      gint64 id = rs_respondent_get_id (respondent_at (self, i));

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

/* Cells */

/* Setting a tooltip asks the X server where the pointer is: only do it
 * when the tooltip really changes. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (text != NULL && text[0] == '\0')
    text = NULL;

  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/* Style classes of a cell, one static array each. A cell changes its
 * classes only when they differ: each change has GTK compute its style
 * anew, and GTK 4.8 binds every cell again whenever rows shift. */
static const char *no_classes[] = { NULL };
static const char *warning_classes[] = { "warning", NULL };
static const char *dim_classes[] = { "dim-label", NULL };
static const char *status_classes[][3] = {
  [RS_STATUS_PENDING] = { "status", "status-pending", NULL },
  [RS_STATUS_SENDING] = { "status", "status-sending", NULL },
  [RS_STATUS_SENT] = { "status", "status-sent", NULL },
  [RS_STATUS_FAILED] = { "status", "status-failed", NULL },
  [RS_STATUS_UNKNOWN] = { "status", "status-unknown", NULL },
};

static void
set_cell (GtkInscription  *label,
          const char      *text,
          const char     **classes,
          const char      *tooltip)
{
  if (g_object_get_data (G_OBJECT (label), "rs-classes") != classes)
    {
      gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
      g_object_set_data (G_OBJECT (label), "rs-classes", classes);
    }
  /* The inscription compares the text itself. */
  gtk_inscription_set_text (label, text);
  set_tooltip (GTK_WIDGET (label), tooltip);
}

/* One GtkInscription a cell: unlike a label, it is not measured for its text. */
static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (label), 0);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (label),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (label), 4);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (label), 12);
  gtk_list_item_set_child (item, label);
  g_object_set_data (G_OBJECT (label), "rs-classes", no_classes);
  /* For the context menu: which row was clicked. */
  g_object_set_data (G_OBJECT (label), "rs-list-item", item);
}

typedef void (*CellUpdate) (GtkInscription *label,
                            RsRespondent   *respondent);

static void
update_cell (GtkListItem *item)
{
  CellUpdate update = g_object_get_data (G_OBJECT (item), "rs-cell-update");
  RsRow *row = gtk_list_item_get_item (item);

  update (GTK_INSCRIPTION (gtk_list_item_get_child (item)), rs_row_get_respondent (row));
}

/* The respondent changed in place. */
static void
respondent_notify_cb (RsRespondent *respondent,
                      GParamSpec   *pspec,
                      GtkListItem  *item)
{
  update_cell (item);
}

static void
watch_respondent (GtkListItem  *item,
                  RsRespondent *respondent)
{
  RsRespondent *watched = g_object_get_data (G_OBJECT (item), "rs-respondent");

  if (watched == respondent)
    return;

  if (watched != NULL)
    g_signal_handlers_disconnect_by_func (watched, respondent_notify_cb, item);
  /* Changes are notified all at once, frozen: the last property is enough. */
  if (respondent != NULL)
    g_signal_connect_object (respondent, "notify::report-state",
                             G_CALLBACK (respondent_notify_cb), item, 0);
  g_object_set_data_full (G_OBJECT (item), "rs-respondent",
                          respondent ? g_object_ref (respondent) : NULL,
                          respondent ? g_object_unref : NULL);
}

/* The row shows another respondent. */
static void
row_changed_cb (RsRow       *row,
                GtkListItem *item)
{
  watch_respondent (item, rs_row_get_respondent (row));
  update_cell (item);
}

static void
bind_cell (GtkListItem *item,
           CellUpdate   update)
{
  RsRow *row = gtk_list_item_get_item (item);

  g_object_set_data (G_OBJECT (item), "rs-cell-update", update);
  watch_respondent (item, rs_row_get_respondent (row));
  update_cell (item);
  g_signal_connect_object (row, "changed", G_CALLBACK (row_changed_cb), item, 0);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), row_changed_cb, item);
  watch_respondent (item, NULL);
}

static void
company_update (GtkInscription *label,
                RsRespondent   *respondent)
{
  const char *problem = rs_respondent_get_problem (respondent);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  if (problem == NULL)
    {
      set_cell (label, rs_respondent_get_company (respondent), no_classes, NULL);
      return;
    }

  /* A sign that reads without colour; the tooltip says why. */
  text = g_strconcat ("⚠ ", rs_respondent_get_company (respondent), NULL);
  /* Translators: the problem found in the master file follows */
  tooltip = g_strdup_printf (_("Cannot be sent: %s"), problem);
  set_cell (label, text, warning_classes, tooltip);
}

static void
person_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  set_cell (label, rs_respondent_get_person (respondent), no_classes, NULL);
}

static void
email_update (GtkInscription *label,
              RsRespondent   *respondent)
{
  set_cell (label, rs_respondent_get_email (respondent), no_classes, NULL);
}

static void
report_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  RsReportState state = rs_respondent_get_report_state (respondent);
  g_autofree char *text = rs_respondent_dup_report_label (respondent);

  const char **classes = dim_classes;

  /* A made report whose file has gone is a problem; the others are states. */
  if (state == RS_REPORT_READY)
    classes = no_classes;
  else if (state == RS_REPORT_MISSING)
    classes = warning_classes;

  /* The reason can be longer than the column is wide. */
  set_cell (label, text, classes, state == RS_REPORT_NOT_POSSIBLE ? text : NULL);
}

static void
status_update (GtkInscription *label,
               RsRespondent   *respondent)
{
  RsStatus status = rs_respondent_get_status (respondent);
  const char *error = rs_respondent_get_error (respondent);
  const char *tooltip = NULL;

  g_return_if_fail ((guint) status < G_N_ELEMENTS (status_classes));

  if (error != NULL && status == RS_STATUS_FAILED)
    tooltip = error;
  else if (status == RS_STATUS_UNKNOWN)
    tooltip = _("Interrupted while sending: check your Sent folder");

  set_cell (label, rs_status_get_label (status), status_classes[status], tooltip);
}

static gboolean
shows_sent_time (RsStatus status)
{
  return status == RS_STATUS_SENT || status == RS_STATUS_UNKNOWN;
}

static void
sent_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  gint64 sent_at = rs_respondent_get_sent_at (respondent);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *text = NULL;

  /* A mark by hand keeps the time of an earlier send; it is not shown
   * unless the status says sent (or that sending was begun). */
  if (!shows_sent_time (rs_respondent_get_status (respondent)))
    sent_at = 0;

  if (sent_at > 0 && (utc = g_date_time_new_from_unix_utc (sent_at)) != NULL)
    {
      local = g_date_time_to_local (utc);
      text = g_date_time_format (local, "%Y-%m-%d %H:%M");
    }

  set_cell (label, text ? text : "", no_classes, NULL);
}

static void
mode_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  const char *mode = rs_respondent_get_mode (respondent);
  const char *text = "";

  if (!shows_sent_time (rs_respondent_get_status (respondent)))
    mode = NULL;

  if (g_strcmp0 (mode, "test") == 0)
    text = C_("send mode", "Test");
  else if (g_strcmp0 (mode, "live") == 0)
    text = C_("send mode", "Live");

  set_cell (label, text, no_classes, NULL);
}

static void
note_update (GtkInscription *label,
             RsRespondent   *respondent)
{
  const char *note = rs_respondent_get_note (respondent);

  set_cell (label, note, no_classes, note);
}

static void
company_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  bind_cell (item, company_update);
}

static void
person_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, person_update);
}

static void
email_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  bind_cell (item, email_update);
}

static void
report_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, report_update);
}

static void
status_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  bind_cell (item, status_update);
}

static void
sent_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, sent_update);
}

static void
mode_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, mode_update);
}

static void
note_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  bind_cell (item, note_update);
}

/* Details, search and the context menu */

static void
show_details_for (RsRespondentView *self,
                  RsRespondent     *respondent)
{
  RsDetailsWindow *details;

  details = rs_details_window_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   self->store, rs_respondent_get_id (respondent));
  gtk_window_present (GTK_WINDOW (details));
}

static void
show_details_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_is_empty (selected) || self->store == NULL)
    return;

  show_details_for (self, respondent_at (self, gtk_bitset_get_minimum (selected)));
}

static void
row_activated_cb (RsRespondentView *self,
                  guint             position,
                  GtkColumnView    *column_view)
{
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->visible)) && self->store != NULL)
    show_details_for (self, respondent_at (self, position));
}

static RsRespondent *
first_selected (RsRespondentView *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_is_empty (selected))
    return NULL;

  return g_object_ref (respondent_at (self, gtk_bitset_get_minimum (selected)));
}

static void
launch_uri_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RsRespondentView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, _("Could Not Open the Report"), error);
}

static void
open_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  g_autoptr(RsRespondent) respondent = first_selected (self);
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  const char *path;

  if (respondent == NULL || (path = rs_respondent_get_report_path (respondent)) == NULL)
    {
      add_toast (self, adw_toast_new (_("There is no report yet: make it first")));
      return;
    }

  file = g_file_new_for_path (path);
  if (g_str_equal (action_name, "respondents.show-in-folder"))
    {
      g_autoptr(GFile) folder = g_file_get_parent (file);

      uri = g_file_get_uri (folder);
    }
  else
    {
      uri = g_file_get_uri (file);
    }

  g_app_info_launch_default_for_uri_async (uri, NULL, self->cancellable, launch_uri_cb,
                                           g_object_ref (self));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
popup_context_menu (RsRespondentView *self,
                    double            x,
                    double            y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  if (self->context_menu_popover == NULL)
    {
      self->context_menu_popover = gtk_popover_menu_new_from_model (self->context_menu);
      gtk_widget_set_parent (self->context_menu_popover, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu_popover), FALSE);
      gtk_widget_set_halign (self->context_menu_popover, GTK_ALIGN_START);
    }

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu_popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu_popover));
}

static guint
position_at (RsRespondentView *self,
             double            x,
             double            y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);

  for (; picked != NULL; picked = gtk_widget_get_parent (picked))
    {
      GtkListItem *item = g_object_get_data (G_OBJECT (picked), "rs-list-item");

      if (item != NULL)
        return gtk_list_item_get_position (item);
      if (picked == GTK_WIDGET (self->column_view))
        break;
    }

  return GTK_INVALID_LIST_POSITION;
}

static void
context_click_cb (GtkGestureClick  *gesture,
                  int               n_press,
                  double            x,
                  double            y,
                  RsRespondentView *self)
{
  guint position = position_at (self, x, y);

  if (position != GTK_INVALID_LIST_POSITION &&
      !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  popup_context_menu (self, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  graphene_point_t point = GRAPHENE_POINT_INIT (24, 24);

  if (focus != NULL && gtk_widget_is_ancestor (focus, widget))
    {
      graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0);

      if (!gtk_widget_compute_point (focus, widget, &origin, &point))
        point = GRAPHENE_POINT_INIT (24, 24);
      point.y += gtk_widget_get_height (focus);
    }

  popup_context_menu (self, point.x, point.y);
}

/* Narrow windows: the less important columns give way, widest first to go
 * the note, then the mode, then when it was sent. */
static gboolean
update_columns_idle (gpointer data)
{
  RsRespondentView *self = data;
  int width = self->allocated_width;

  gboolean narrow = width < 780;

  self->columns_idle = 0;
  gtk_column_view_column_set_visible (self->note_column, width >= 1000);
  gtk_column_view_column_set_visible (self->mode_column, width >= 900);
  gtk_column_view_column_set_visible (self->sent_column, !narrow);

  /* Below that the others share about 580 px, so that the status shows
   * without scrolling; back to their widths when there is room again. */
  if (narrow != self->narrow_columns)
    {
      self->narrow_columns = narrow;
      gtk_column_view_column_set_fixed_width (self->company_column, narrow ? 130 : 200);
      gtk_column_view_column_set_fixed_width (self->person_column, narrow ? 110 : 160);
      gtk_column_view_column_set_fixed_width (self->email_column, narrow ? 140 : 210);
      gtk_column_view_column_set_fixed_width (self->report_column, narrow ? 90 : 110);
    }

  return G_SOURCE_REMOVE;
}

static void
rs_respondent_view_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline,
                        natural_baseline);
}

/* The view allocates its one child itself, to learn its width. */
static void
rs_respondent_view_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  RsRespondentView *self = RS_RESPONDENT_VIEW (widget);

  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);

  /* Columns cannot change while the view is being allocated. */
  if (width != self->allocated_width)
    {
      self->allocated_width = width;
      if (self->columns_idle == 0)
        self->columns_idle = g_idle_add (update_columns_idle, self);
    }
}

/* Sorting: the column view keeps which column sorts, and in which
 * direction; the visible list does the sorting. GTK 4.8 cannot say which
 * column that is, so two probe respondents, the first before the second in
 * every column, are compared through it and the column's sorter notes itself. */

typedef struct
{
  RsRespondentView *self;
  RsSortColumn column;
} ColumnSorter;

static int
column_compare (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  ColumnSorter *sorter = user_data;

  sorter->self->probed_column = sorter->column;
  return rs_visible_list_compare (sorter->column, (RsRespondent *) a, (RsRespondent *) b);
}

static void
sort_changed_cb (RsRespondentView *self,
                 GtkSorterChange   change,
                 GtkSorter        *sorter)
{
  GtkOrdering order;

  self->probed_column = RS_SORT_NONE;
  order = gtk_sorter_compare (sorter, self->probe_low, self->probe_high);
  apply_filter_and_sort (self, FALSE, self->probed_column, order == GTK_ORDERING_LARGER);
}

static void
setup_sorting (RsRespondentView *self)
{
  const struct {
    GtkColumnViewColumn *column;
    RsSortColumn sort;
  } columns[] = {
    { self->company_column, RS_SORT_COMPANY },
    { self->person_column, RS_SORT_PERSON },
    { self->email_column, RS_SORT_EMAIL },
    { self->report_column, RS_SORT_REPORT },
    { self->status_column, RS_SORT_STATUS },
    { self->sent_column, RS_SORT_SENT },
    { self->mode_column, RS_SORT_MODE },
    { self->note_column, RS_SORT_NOTE },
  };
  RsRespondentData low = {
    .id = 1, .company = "a", .person = "a", .email = "a", .mode = "a", .note = "a",
    .status = RS_STATUS_PENDING, .sent_at = 1, .n_scores = RS_N_SCORES,
  };
  RsRespondentData high = {
    .id = 2, .company = "b", .person = "b", .email = "b", .mode = "b", .note = "b",
    .status = RS_STATUS_UNKNOWN, .sent_at = 2, .n_scores = 0,
  };

  self->probe_low = rs_respondent_new (&low);
  self->probe_high = rs_respondent_new (&high);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      ColumnSorter *data = g_new0 (ColumnSorter, 1);
      g_autoptr(GtkSorter) sorter = NULL;

      data->self = self;
      data->column = columns[i].sort;
      sorter = GTK_SORTER (gtk_custom_sorter_new (column_compare, data, g_free));
      gtk_column_view_column_set_sorter (columns[i].column, sorter);
    }

  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);
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
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, cell_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, company_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, person_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, email_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, report_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, sent_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, mode_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_bind_cb);

  gtk_widget_class_install_action (widget_class, "respondents.show-details", NULL,
                                   show_details_action);
  gtk_widget_class_install_action (widget_class, "respondents.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "respondents.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "respondents.open-report", NULL,
                                   open_report_action);
  gtk_widget_class_install_action (widget_class, "respondents.show-in-folder", NULL,
                                   open_report_action);
  gtk_widget_class_install_action (widget_class, "respondents.context-menu", NULL,
                                   context_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0,
                                       "respondents.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "respondents.context-menu", NULL);
}

static void
rs_respondent_view_init (RsRespondentView *self)
{
  GtkEventController *key;
  GtkGesture *click;

  self->seen = -1;
  self->cancellable = g_cancellable_new ();
  self->load_cancellable = g_cancellable_new ();
  self->list = rs_respondent_list_new ();
  self->visible = rs_visible_list_new (self->list);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = rs_row_list_new (G_LIST_MODEL (self->visible));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  setup_sorting (self);

  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (items_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (table_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), key);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (context_click_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (click));

  update_selection_state (self);
  update_stats (self, &self->summary);
}
