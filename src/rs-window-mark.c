/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-mark"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-tracker.h"
#include "rs-window-private.h"

/* Status changes by hand, for the selected respondents, and their undo. */

typedef struct
{
  GArray *ids;
  RsStatus status;
  char *note;
} MarkData;

static void
mark_data_free (gpointer data)
{
  MarkData *mark = data;

  g_array_unref (mark->ids);
  g_free (mark->note);
  g_free (mark);
}

static gpointer
mark_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  MarkData *mark = data;

  return rs_tracker_mark (store, (gint64 *) mark->ids->data, mark->ids->len, mark->status,
                          mark->note, error);
}

typedef struct
{
  RsWindow *self;
  RsStatus status;
} MarkCall;

static char *
describe_mark (RsStatus status,
               guint    n)
{
  switch (status)
    {
    case RS_STATUS_SENT:
      return g_strdup_printf (ngettext ("%u respondent marked as sent",
                                        "%u respondents marked as sent", n), n);
    case RS_STATUS_FAILED:
      return g_strdup_printf (ngettext ("%u respondent marked as failed",
                                        "%u respondents marked as failed", n), n);
    case RS_STATUS_PENDING:
    default:
      return g_strdup_printf (ngettext ("%u respondent marked as pending",
                                        "%u respondents marked as pending", n), n);
    }
}

static void
set_undo (RsWindow  *self,
          GPtrArray *snapshots)
{
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  self->undo = snapshots;
  self->undo_generation++;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", self->undo != NULL);
}

static void
mark_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree MarkCall *call = user_data;
  g_autoptr(RsWindow) self = call->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  GPtrArray *snapshots;
  AdwToast *toast;

  snapshots = rs_store_run_finish (RS_STORE (object), result, &error);
  if (snapshots == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        rs_window_show_message (self, _("Could Not Change the Status"), error->message);
      return;
    }

  title = describe_mark (call->status, snapshots->len);
  set_undo (self, snapshots);

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  /* Shown now, not behind a toast that waits to be closed. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  rs_window_add_toast (self, toast);
  rs_window_reload (self);
}

static void
mark (RsWindow   *self,
      GArray     *ids,
      RsStatus    status,
      const char *note)
{
  MarkData *data = g_new0 (MarkData, 1);
  MarkCall *call = g_new0 (MarkCall, 1);

  data->ids = g_array_ref (ids);
  data->status = status;
  data->note = note && note[0] ? g_strdup (note) : NULL;
  call->self = g_object_ref (self);
  call->status = status;

  rs_store_run_async (self->store, mark_job, data, mark_data_free,
                      (GDestroyNotify) g_ptr_array_unref, NULL, mark_done_cb, call);
}

static void
mark_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  RsWindow *self = user_data;
  GArray *ids = g_object_get_data (G_OBJECT (dialog), "rs-ids");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "rs-note");
  RsStatus status = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "rs-status"));

  if (g_strcmp0 (response, "mark") == 0 && self->store != NULL)
    mark (self, ids, status, gtk_editable_get_text (entry));
}

static void
ask_and_mark (RsWindow *self,
              RsStatus  status)
{
  g_autoptr(GArray) ids = rs_respondent_view_get_selected_ids (self->respondent_view);
  g_autofree char *heading = NULL;
  const char *button;
  GtkWidget *dialog;
  GtkWidget *entry;
  guint n = ids->len;

  if (n == 0 || self->store == NULL)
    return;

  switch (status)
    {
    case RS_STATUS_SENT:
      heading = g_strdup_printf (ngettext ("Mark %u Respondent as Sent?",
                                           "Mark %u Respondents as Sent?", n), n);
      button = _("Mark as _Sent");
      break;
    case RS_STATUS_FAILED:
      heading = g_strdup_printf (ngettext ("Mark %u Respondent as Failed?",
                                           "Mark %u Respondents as Failed?", n), n);
      button = _("Mark as _Failed");
      break;
    case RS_STATUS_PENDING:
    default:
      heading = g_strdup_printf (ngettext ("Mark %u Respondent as Pending?",
                                           "Mark %u Respondents as Pending?", n), n);
      button = _("Mark as _Pending");
      break;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("The change is kept in each respondent’s history and "
                                     "can be undone with Ctrl+Z."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Note"), -1);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "mark", button,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "mark",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "mark");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "rs-ids", g_array_ref (ids),
                          (GDestroyNotify) g_array_unref);
  g_object_set_data (G_OBJECT (dialog), "rs-note", entry);
  g_object_set_data (G_OBJECT (dialog), "rs-status", GINT_TO_POINTER (status));
  g_signal_connect_object (dialog, "response", G_CALLBACK (mark_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
mark_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsStatus status = RS_STATUS_PENDING;

  if (g_str_equal (action_name, "win.mark-sent"))
    status = RS_STATUS_SENT;
  else if (g_str_equal (action_name, "win.mark-failed"))
    status = RS_STATUS_FAILED;

  ask_and_mark (RS_WINDOW (widget), status);
}

static void
undo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gpointer changed;
  AdwToast *toast;

  changed = rs_store_run_finish (RS_STORE (object), result, &error);
  if (changed == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        rs_window_show_message (self, _("Could Not Undo the Change"), error->message);
      return;
    }

  /* One more than the count, so that none is not NULL. */
  if (GPOINTER_TO_UINT (changed) > 1)
    {
      guint n = GPOINTER_TO_UINT (changed) - 1;

      title = g_strdup_printf (ngettext ("Change undone, except for %u respondent whose status "
                                         "changed since",
                                         "Change undone, except for %u respondents whose "
                                         "status changed since", n), n);
    }
  toast = adw_toast_new (title ? title : _("Change undone"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  rs_window_add_toast (self, toast);
  rs_window_reload (self);
}

static gpointer
undo_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  guint changed = 0;

  if (!rs_tracker_restore (store, data, &changed, error))
    return NULL;

  return GUINT_TO_POINTER (changed + 1);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GPtrArray *snapshots = g_steal_pointer (&self->undo);

  set_undo (self, NULL);
  if (snapshots == NULL || self->store == NULL)
    return;

  rs_store_run_async (self->store, undo_job, snapshots, (GDestroyNotify) g_ptr_array_unref,
                      NULL, NULL, undo_done_cb, g_object_ref (self));
}

void
rs_window_mark_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.mark-sent", NULL, mark_action);
  gtk_widget_class_install_action (widget_class, "win.mark-failed", NULL, mark_action);
  gtk_widget_class_install_action (widget_class, "win.mark-pending", NULL, mark_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
}
