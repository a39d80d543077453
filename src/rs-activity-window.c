/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-activity.h"
#include "core/rs-store-monitor.h"
#include "rs-activity-details-window.h"
#include "rs-activity-item.h"
#include "rs-activity-window.h"
#include "rs-import-details-window.h"

/* The activity log, newest first: every import, report run and send round
 * with who ran it, when, how it ended and its counts. The log is read in a
 * worker thread on its own connection, and again whenever the database
 * changes, so a job running here or elsewhere shows as it ends. A row opens
 * its details: an import its Import Details, the others their failures. */

#define MONITOR_INTERVAL_MS 500

struct _RsActivityWindow
{
  AdwWindow parent_instance;

  RsStore *store;
  RsStoreMonitor *monitor;
  GCancellable *cancellable;
  /* RsActivityEntry: what the list shows */
  GPtrArray *entries;
  /* RsActivityItem, one for each of entries */
  GListStore *items;
  gboolean loading;
  gboolean reload_again;
  /* While an entry runs: a run that ends without a word (a crash, a kill)
   * changes nothing in the database, so the window looks again. */
  guint recheck_id;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkListView *list;
};

G_DEFINE_FINAL_TYPE (RsActivityWindow, rs_activity_window, ADW_TYPE_WINDOW)

GPtrArray *
rs_activity_window_get_entries (RsActivityWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_WINDOW (self), NULL);

  return self->entries;
}

gboolean
rs_activity_window_get_busy (RsActivityWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_WINDOW (self), FALSE);

  return self->loading;
}

GtkListView *
rs_activity_window_get_list (RsActivityWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_WINDOW (self), NULL);

  return self->list;
}

/* What a row says: the title, and under it when, who, how it ended, the
 * counts and the error. */
static void
describe_row (const RsActivityEntry  *entry,
              char                 **title,
              char                 **subtitle)
{
  g_autofree char *when = rs_activity_format_time (entry->started_at);
  g_autofree char *counts = rs_activity_entry_describe_counts (entry);
  g_autofree char *first = NULL;
  GString *text;

  /* The file's name is enough in a row; its details have the whole path. */
  if (entry->kind == RS_ACTIVITY_IMPORT && entry->subject != NULL)
    {
      g_autofree char *name = g_path_get_basename (entry->subject);

      if (entry->sheet != NULL)
        *title = g_strdup_printf (_("Import of “%s”, sheet “%s”"), name, entry->sheet);
      else
        *title = g_strdup_printf (_("Import of “%s”"), name);
    }
  else
    {
      *title = rs_activity_entry_describe_what (entry);
    }

  /* Translators: when, the user who did it, how it ended, in a row of the activity log */
  first = g_strdup_printf (_("%s · %s · %s"), when,
                           entry->user[0] != '\0' ? entry->user : _("(unknown user)"),
                           rs_activity_outcome_describe (entry->outcome));
  text = g_string_new (first);
  if (counts[0] != '\0')
    g_string_append_printf (text, "\n%s", counts);
  if (entry->error != NULL)
    g_string_append_printf (text, "\n%s", entry->error);
  *subtitle = g_string_free (text, FALSE);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  for (guint i = 0; i < 2; i++)
    {
      GtkLabel *label = GTK_LABEL (i == 0 ? title : subtitle);

      gtk_label_set_xalign (label, 0);
      gtk_label_set_wrap (label, TRUE);
      gtk_label_set_wrap_mode (label, PANGO_WRAP_WORD_CHAR);
    }
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), arrow);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, TRUE);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  const RsActivityEntry *entry = rs_activity_item_get_entry (gtk_list_item_get_item (item));
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *labels = gtk_widget_get_first_child (box);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  describe_row (entry, &title, &subtitle);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (labels)), title);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (labels)), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
}

/* Whether a row would read the same: the database changes for much else
 * (each message of a send round), and the rows stay as they are then. */
static gboolean
entry_equal (const RsActivityEntry *x,
             const RsActivityEntry *y)
{
  return x->id == y->id && x->kind == y->kind && x->outcome == y->outcome &&
         x->started_at == y->started_at && x->ended_at == y->ended_at &&
         x->import_id == y->import_id && x->test == y->test &&
         x->n_failures == y->n_failures && x->total == y->total && x->added == y->added &&
         x->updated == y->updated && x->unchanged == y->unchanged &&
         x->skipped == y->skipped && x->flagged == y->flagged &&
         x->duplicates == y->duplicates && x->made == y->made &&
         x->up_to_date == y->up_to_date && x->not_possible == y->not_possible &&
         x->sent == y->sent && x->failed == y->failed && x->deferred == y->deferred &&
         x->unknown == y->unknown && x->remaining == y->remaining &&
         g_strcmp0 (x->user, y->user) == 0 && g_strcmp0 (x->subject, y->subject) == 0 &&
         g_strcmp0 (x->sheet, y->sheet) == 0 && g_strcmp0 (x->error, y->error) == 0;
}

/* Only the rows that changed are replaced, in one splice: the others keep
 * their place, the keyboard focus and the scroll position. A log of
 * thousands of entries costs an item each, and a row only for those in
 * view. */
static void
show_entries (RsActivityWindow *self,
              GPtrArray        *entries)
{
  g_autofree char *subtitle = NULL;
  g_autoptr(GPtrArray) added = NULL;
  GPtrArray *old = self->entries;
  guint n_old = old != NULL ? old->len : 0;
  guint prefix = 0;
  guint suffix = 0;

  g_assert (g_list_model_get_n_items (G_LIST_MODEL (self->items)) == n_old);

  while (prefix < n_old && prefix < entries->len &&
         entry_equal (g_ptr_array_index (old, prefix), g_ptr_array_index (entries, prefix)))
    prefix++;
  while (suffix < n_old - prefix && suffix < entries->len - prefix &&
         entry_equal (g_ptr_array_index (old, n_old - 1 - suffix),
                      g_ptr_array_index (entries, entries->len - 1 - suffix)))
    suffix++;

  if (old != NULL && prefix == n_old && n_old == entries->len)
    {
      g_ptr_array_unref (entries);
      return;
    }

  /* The rows that stay read the same: they move to the new list, so the
   * old one can go. */
  for (guint i = 0; i < prefix; i++)
    {
      g_autoptr(RsActivityItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      rs_activity_item_set_entry (item, entries, i);
    }
  for (guint i = 0; i < suffix; i++)
    {
      g_autoptr(RsActivityItem) item = g_list_model_get_item (G_LIST_MODEL (self->items),
                                                              n_old - 1 - i);

      rs_activity_item_set_entry (item, entries, entries->len - 1 - i);
    }

  added = g_ptr_array_new_full (entries->len - prefix - suffix, g_object_unref);
  for (guint i = prefix; i < entries->len - suffix; i++)
    g_ptr_array_add (added, rs_activity_item_new (entries, i));

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;
  g_list_store_splice (self->items, prefix, n_old - prefix - suffix, added->pdata, added->len);

  subtitle = g_strdup_printf (ngettext ("%u entry", "%u entries", entries->len), entries->len);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "entries" : "empty");
}

static void start_load (RsActivityWindow *self);

#define RECHECK_RUNNING_S 5

static gboolean
recheck_cb (gpointer data)
{
  RsActivityWindow *self = data;

  self->recheck_id = 0;
  start_load (self);

  return G_SOURCE_REMOVE;
}

static void
recheck_running (RsActivityWindow *self)
{
  gboolean running = FALSE;

  for (guint i = 0; self->entries != NULL && i < self->entries->len && !running; i++)
    running = ((RsActivityEntry *) g_ptr_array_index (self->entries, i))->outcome ==
              RS_ACTIVITY_OUTCOME_RUNNING;
  if (running && self->recheck_id == 0)
    self->recheck_id = g_timeout_add_seconds (RECHECK_RUNNING_S, recheck_cb, self);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsActivityWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  entries = rs_activity_list_finish (RS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loading = FALSE;
  if (entries == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else
    {
      show_entries (self, entries);
      recheck_running (self);
    }

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

static void
start_load (RsActivityWindow *self)
{
  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  rs_activity_list_async (self->store, self->cancellable, load_done_cb, g_object_ref (self));
}

static void
store_changed_cb (RsActivityWindow *self)
{
  start_load (self);
}

static const RsActivityEntry *
find_entry (RsActivityWindow *self,
            gint64            id)
{
  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      const RsActivityEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->id == id)
        return entry;
    }

  return NULL;
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsActivityWindow *self = RS_ACTIVITY_WINDOW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  const RsActivityEntry *entry = find_entry (self, id);
  GtkWindow *details;

  if (entry == NULL)
    return;

  /* An import that committed has its own details: problems, changes and
   * the data-quality summary. */
  if (entry->kind == RS_ACTIVITY_IMPORT && entry->import_id > 0)
    details = GTK_WINDOW (rs_import_details_window_new_for_store (GTK_WINDOW (self), self->store,
                                                                  entry->import_id));
  else
    details = GTK_WINDOW (rs_activity_details_window_new (GTK_WINDOW (self), self->store, id));
  gtk_window_present (details);
}

static void
list_activate_cb (RsActivityWindow *self,
                  guint             position)
{
  g_autoptr(RsActivityItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), position);

  if (item != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "activity.open", "x",
                                rs_activity_item_get_entry (item)->id);
}

/**
 * rs_activity_window_new:
 *
 * A window that lists the activity log of @store and follows it.
 */
RsActivityWindow *
rs_activity_window_new (GtkWindow *parent,
                        RsStore   *store)
{
  RsActivityWindow *self;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = g_object_new (RS_TYPE_ACTIVITY_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->monitor = rs_store_monitor_new (store, MONITOR_INTERVAL_MS);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  start_load (self);

  return self;
}

static void
rs_activity_window_dispose (GObject *object)
{
  RsActivityWindow *self = RS_ACTIVITY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->monitor);
  g_clear_handle_id (&self->recheck_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_ACTIVITY_WINDOW);

  G_OBJECT_CLASS (rs_activity_window_parent_class)->dispose (object);
}

static void
rs_activity_window_finalize (GObject *object)
{
  RsActivityWindow *self = RS_ACTIVITY_WINDOW (object);

  g_clear_object (&self->items);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rs_activity_window_parent_class)->finalize (object);
}

static void
rs_activity_window_class_init (RsActivityWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_activity_window_dispose;
  object_class->finalize = rs_activity_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-activity-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsActivityWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsActivityWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsActivityWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsActivityWindow, list);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_action (widget_class, "activity.open", "x", open_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_activity_window_init (RsActivityWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->items = g_list_store_new (RS_TYPE_ACTIVITY_ITEM);
  gtk_list_view_set_model (self->list,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                  g_object_ref (G_LIST_MODEL (self->items)))));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list, factory);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}
