/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-activity-details-window.h"
#include "rs-activity-failure-item.h"

/* One entry of the activity log: how it ended, its counts, who ran it and
 * when, and each respondent it failed for with the reason. Read in a
 * worker thread on its own connection. A run in which everything failed (a
 * folder that cannot be written) has as many failures as respondents: they
 * are in a list that makes rows only for those in view. */

struct _RsActivityDetailsWindow
{
  AdwWindow parent_instance;

  GCancellable *cancellable;
  RsActivityEntry *entry;

  AdwWindowTitle *window_title;
  GtkStack *stack;
  AdwStatusPage *error_page;
  AdwActionRow *outcome_row;
  AdwActionRow *counts_row;
  AdwActionRow *error_row;
  AdwActionRow *user_row;
  AdwActionRow *started_row;
  AdwActionRow *ended_row;
  AdwActionRow *subject_row;
  GtkStack *failures_stack;
  GtkListView *failures;
  /* RsActivityFailureItem */
  GListStore *failure_items;
};

G_DEFINE_FINAL_TYPE (RsActivityDetailsWindow, rs_activity_details_window, ADW_TYPE_WINDOW)

gboolean
rs_activity_details_window_is_loading (RsActivityDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_DETAILS_WINDOW (self), FALSE);

  return g_str_equal (gtk_stack_get_visible_child_name (self->stack), "loading");
}

const RsActivityEntry *
rs_activity_details_window_get_entry (RsActivityDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_DETAILS_WINDOW (self), NULL);

  return self->entry;
}

GtkListView *
rs_activity_details_window_get_failures (RsActivityDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_ACTIVITY_DETAILS_WINDOW (self), NULL);

  return self->failures;
}

static void
set_row (AdwActionRow *row,
         const char   *text)
{
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL && text[0] != '\0');
  adw_action_row_set_subtitle (row, text != NULL ? text : "");
}

static const char *
failure_what (const RsActivityFailure *failure)
{
  if (g_strcmp0 (failure->what, "not-possible") == 0)
    return _("Not possible");
  if (g_strcmp0 (failure->what, "deferred") == 0)
    return _("Not sent yet");
  if (g_strcmp0 (failure->what, "unknown") == 0)
    return _("Unknown, check your Sent folder");

  return _("Failed");
}

static void
setup_failure_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
      if (i == 1)
        {
          gtk_widget_add_css_class (label, "dim-label");
          gtk_widget_add_css_class (label, "caption");
        }
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_failure_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  const RsActivityFailure *failure =
    rs_activity_failure_item_get_failure (gtk_list_item_get_item (item));
  GtkWidget *box = gtk_list_item_get_child (item);
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;

  if (failure->address != NULL && failure->address[0] != '\0')
    /* Translators: a person and their address (or company) */
    title = g_strdup_printf (_("%s, %s"), failure->person, failure->address);
  else
    title = g_strdup (failure->person);
  /* Translators: what became of the respondent, then why */
  subtitle = g_strdup_printf (_("%s: %s"), failure_what (failure), failure->reason);

  gtk_label_set_text (GTK_LABEL (gtk_widget_get_first_child (box)), title);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (box)), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
}

static void
show_entry (RsActivityDetailsWindow *self,
            RsActivityEntry         *entry)
{
  g_autofree char *what = rs_activity_entry_describe_what (entry);
  g_autofree char *counts = rs_activity_entry_describe_counts (entry);
  g_autofree char *started = rs_activity_format_time (entry->started_at);
  g_autofree char *ended = rs_activity_format_time (entry->ended_at);

  g_clear_pointer (&self->entry, rs_activity_entry_free);
  self->entry = entry;

  adw_window_title_set_title (self->window_title, what);
  adw_window_title_set_subtitle (self->window_title, started);
  gtk_window_set_title (GTK_WINDOW (self), what);

  set_row (self->outcome_row, rs_activity_outcome_describe (entry->outcome));
  set_row (self->counts_row, counts);
  set_row (self->error_row, entry->error);
  set_row (self->user_row, entry->user[0] != '\0' ? entry->user : _("(unknown user)"));
  set_row (self->started_row, started);
  set_row (self->ended_row, ended);
  switch (entry->kind)
    {
    case RS_ACTIVITY_IMPORT:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->subject_row), _("File"));
      break;
    case RS_ACTIVITY_REPORTS:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->subject_row),
                                     _("Reports Folder"));
      break;
    case RS_ACTIVITY_SEND:
    default:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->subject_row),
                                     _("Test Address"));
      break;
    }
  set_row (self->subject_row, entry->subject);

  if (entry->failures->len > 0)
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_full (entry->failures->len, g_object_unref);

      for (guint i = 0; i < entry->failures->len; i++)
        g_ptr_array_add (items, rs_activity_failure_item_new (entry->failures, i));
      g_list_store_splice (self->failure_items, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->failure_items)),
                           items->pdata, items->len);
    }
  gtk_stack_set_visible_child_name (self->failures_stack,
                                    entry->failures->len > 0 ? "failures" : "none");
  gtk_stack_set_visible_child_name (self->stack, "details");
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RsActivityDetailsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RsActivityEntry *entry;

  entry = rs_activity_get_finish (RS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (entry == NULL)
    {
      adw_status_page_set_description (self->error_page,
                                       error != NULL ? error->message
                                                     : _("It is no longer in the activity log."));
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  show_entry (self, entry);
}

RsActivityDetailsWindow *
rs_activity_details_window_new (GtkWindow *parent,
                                RsStore   *store,
                                gint64     id)
{
  RsActivityDetailsWindow *self;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = g_object_new (RS_TYPE_ACTIVITY_DETAILS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  rs_activity_get_async (store, id, self->cancellable, loaded_cb, g_object_ref (self));

  return self;
}

static void
rs_activity_details_window_dispose (GObject *object)
{
  RsActivityDetailsWindow *self = RS_ACTIVITY_DETAILS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_ACTIVITY_DETAILS_WINDOW);

  G_OBJECT_CLASS (rs_activity_details_window_parent_class)->dispose (object);
}

static void
rs_activity_details_window_finalize (GObject *object)
{
  RsActivityDetailsWindow *self = RS_ACTIVITY_DETAILS_WINDOW (object);

  g_clear_object (&self->failure_items);
  g_clear_pointer (&self->entry, rs_activity_entry_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rs_activity_details_window_parent_class)->finalize (object);
}

static void
rs_activity_details_window_class_init (RsActivityDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_activity_details_window_dispose;
  object_class->finalize = rs_activity_details_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-activity-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, counts_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, error_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, started_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, ended_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, subject_row);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, failures_stack);
  gtk_widget_class_bind_template_child (widget_class, RsActivityDetailsWindow, failures);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_activity_details_window_init (RsActivityDetailsWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->failure_items = g_list_store_new (RS_TYPE_ACTIVITY_FAILURE_ITEM);
  gtk_list_view_set_model (self->failures,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                  g_object_ref (G_LIST_MODEL (
                                                                  self->failure_items)))));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_failure_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_failure_cb), self);
  gtk_list_view_set_factory (self->failures, factory);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}
