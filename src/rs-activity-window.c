/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-activity.h"
#include "core/rs-store-monitor.h"
#include "rs-activity-details-window.h"
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
  gboolean loading;
  gboolean reload_again;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *error_page;
  GtkListBox *list;
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

GtkListBox *
rs_activity_window_get_list (RsActivityWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_WINDOW (self), NULL);

  return self->list;
}

static GtkWidget *
make_row (const RsActivityEntry *entry)
{
  g_autofree char *what = NULL;
  g_autofree char *when = rs_activity_format_time (entry->started_at);
  g_autofree char *counts = rs_activity_entry_describe_counts (entry);
  g_autofree char *first = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();

  /* The file's name is enough in a row; its details have the whole path. */
  if (entry->kind == RS_ACTIVITY_IMPORT && entry->subject != NULL)
    {
      g_autofree char *name = g_path_get_basename (entry->subject);

      if (entry->sheet != NULL)
        what = g_strdup_printf (_("Import of “%s”, sheet “%s”"), name, entry->sheet);
      else
        what = g_strdup_printf (_("Import of “%s”"), name);
    }
  else
    {
      what = rs_activity_entry_describe_what (entry);
    }

  /* Translators: when, the user who did it, how it ended, in a row of the activity log */
  first = g_strdup_printf (_("%s · %s · %s"), when,
                           entry->user[0] != '\0' ? entry->user : _("(unknown user)"),
                           rs_activity_outcome_describe (entry->outcome));
  g_string_append (subtitle, first);
  if (counts[0] != '\0')
    g_string_append_printf (subtitle, "\n%s", counts);
  if (entry->error != NULL)
    g_string_append_printf (subtitle, "\n%s", entry->error);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), what);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "activity.open");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row),
                                          g_variant_new_int64 (entry->id));

  return row;
}

/* Whether a row would read the same: the database changes for much else
 * (each message of a send round), and the rows stay as they are then. */
static gboolean
entries_equal (GPtrArray *a,
               GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      const RsActivityEntry *x = g_ptr_array_index (a, i);
      const RsActivityEntry *y = g_ptr_array_index (b, i);

      if (x->id != y->id || x->outcome != y->outcome || x->ended_at != y->ended_at ||
          x->n_failures != y->n_failures || x->import_id != y->import_id ||
          g_strcmp0 (x->subject, y->subject) != 0 || g_strcmp0 (x->error, y->error) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
show_entries (RsActivityWindow *self,
              GPtrArray        *entries)
{
  g_autofree char *subtitle = NULL;
  GtkWidget *focus;
  GtkWidget *child;

  if (entries_equal (self->entries, entries))
    {
      g_ptr_array_unref (entries);
      return;
    }

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = entries;

  /* The rows are made anew: the keyboard stays with the window. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list)))
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < entries->len; i++)
    gtk_list_box_append (self->list, make_row (g_ptr_array_index (entries, i)));

  subtitle = g_strdup_printf (ngettext ("%u entry", "%u entries", entries->len), entries->len);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, entries->len > 0 ? "entries" : "empty");
}

static void start_load (RsActivityWindow *self);

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
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_ACTIVITY_WINDOW);

  G_OBJECT_CLASS (rs_activity_window_parent_class)->dispose (object);
}

static void
rs_activity_window_finalize (GObject *object)
{
  RsActivityWindow *self = RS_ACTIVITY_WINDOW (object);

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

  gtk_widget_class_install_action (widget_class, "activity.open", "x", open_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_activity_window_init (RsActivityWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->stack, "loading");
}
