/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-details-window-private.h"

/* Corrections by hand, saved in a worker; each can be undone with the
 * toast's Undo or Ctrl+Z. And the note. */

static RsField
field_of_row (RsDetailsWindow *self,
              gpointer         row)
{
  for (guint field = 0; field < RS_N_FIELDS; field++)
    if (self->field_rows[field] == row)
      return field;

  g_return_val_if_reached (RS_FIELD_INVALID);
}

static void
clear_field_error (RsDetailsWindow *self,
                   RsField          field)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_rows[field]), FALSE);
  gtk_widget_remove_css_class (self->field_rows[field], "error");
}

static void
show_field_error (RsDetailsWindow *self,
                  RsField          field,
                  const char      *message)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->error_rows[field]), message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_rows[field]), TRUE);
  gtk_widget_add_css_class (self->field_rows[field], "error");
}

static void
update_undo (RsDetailsWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.undo",
                                 self->undo->len > 0 && self->n_saving == 0);
}

static void
toast_dismissed_cb (RsDetailsWindow *self,
                    AdwToast        *toast)
{
  if (self->toast == toast)
    g_clear_object (&self->toast);
}

/* One toast for corrections at a time: its Undo undoes the last one, and a
 * toast of an earlier one, queued behind it, would say otherwise. */
static void
show_correction_toast (RsDetailsWindow *self,
                       AdwToast        *toast)
{
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_set_object (&self->toast, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* For a worker: a correction, an undo, or a note (@value alone) */
typedef struct
{
  gint64 id;
  RsField field;
  char *value;
  /* Borrowed from the call */
  RsCorrectionSnapshot *undo;
} EditData;

static void
edit_data_free (gpointer data)
{
  EditData *edit = data;

  g_free (edit->value);
  g_free (edit);
}

static gpointer
correct_job (RsStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  EditData *correct = data;

  if (correct->undo != NULL)
    return rs_tracker_undo_correction (store, correct->undo, error);

  return rs_tracker_correct (store, correct->id, correct->field, correct->value, error);
}

typedef struct
{
  RsDetailsWindow *self;
  RsField field;
  RsCorrectionSnapshot *undo;
} CorrectCall;

static void
correct_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree CorrectCall *call = user_data;
  g_autoptr(RsDetailsWindow) self = call->self;
  g_autoptr(RsCorrectionSnapshot) undone = call->undo;
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  self->n_saving--;
  snapshot = rs_store_run_finish (RS_STORE (object), result, &error);
  if (snapshot == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (undone != NULL)
        {
          g_ptr_array_add (self->undo, g_steal_pointer (&undone));
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
        }
      else
        {
          show_field_error (self, call->field, error->message);
        }
      update_undo (self);
      return;
    }

  self->n_saves++;
  clear_field_error (self, call->field);
  if (g_strcmp0 (snapshot->value, snapshot->new_value) == 0)
    {
      update_undo (self);
      rs_details_window_load (self);
      return;
    }

  if (undone != NULL)
    {
      /* Translators: a field, such as “E-mail address” */
      title = g_strdup_printf (_("%s changed back"), rs_field_get_label (call->field));
      toast = adw_toast_new (title);
    }
  else
    {
      if (call->field == RS_FIELD_EMAIL && self->details != NULL &&
          rs_respondent_get_status (self->details->respondent) == RS_STATUS_SENT)
        title = g_strdup (_("E-mail address changed. The report went to the old address: mark "
                            "them pending to send it again"));
      else
        /* Translators: a field, such as “E-mail address” */
        title = g_strdup_printf (_("%s changed"), rs_field_get_label (call->field));
      g_ptr_array_add (self->undo, g_steal_pointer (&snapshot));
      toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "details.undo");
    }
  show_correction_toast (self, toast);

  update_undo (self);
  rs_details_window_load (self);
  rs_details_window_load_preview (self);
}

/* Saves a correction, or with @undo undoes one, in a worker thread.
 * @value NULL: back to what the master file says. */
static void
correct (RsDetailsWindow      *self,
         RsField               field,
         const char           *value,
         RsCorrectionSnapshot *undo)
{
  EditData *data = g_new0 (EditData, 1);
  CorrectCall *call = g_new0 (CorrectCall, 1);

  data->id = self->id;
  data->field = field;
  data->value = g_strdup (value);
  data->undo = undo;
  call->self = g_object_ref (self);
  call->field = field;
  call->undo = undo;

  self->n_saving++;
  update_undo (self);
  rs_store_run_async (self->store, correct_job, data, edit_data_free,
                      (GDestroyNotify) rs_correction_snapshot_free, self->cancellable,
                      correct_done_cb, call);
}

static void
field_applied_cb (RsDetailsWindow *self,
                  AdwEntryRow     *row)
{
  RsField field = field_of_row (self, row);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (self->details == NULL || field == RS_FIELD_INVALID)
    return;

  clear_field_error (self, field);
  correct (self, field, text, NULL);
}

static void
field_changed_cb (RsDetailsWindow *self,
                  GtkEditable     *editable)
{
  RsField field = field_of_row (self, editable);

  if (field != RS_FIELD_INVALID)
    clear_field_error (self, field);
}

static void
language_selected_cb (RsDetailsWindow *self)
{
  const char *value = adw_combo_row_get_selected (self->language_row) == 1 ? "nl" : "en";

  if (self->filling || self->details == NULL ||
      g_strcmp0 (value, self->details->values[RS_FIELD_LANGUAGE]) == 0)
    return;

  clear_field_error (self, RS_FIELD_LANGUAGE);
  correct (self, RS_FIELD_LANGUAGE, value, NULL);
}

static void
revert_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsDetailsWindow *self = RS_DETAILS_WINDOW (widget);
  RsField field = rs_field_from_string (g_variant_get_string (parameter, NULL));

  if (field == RS_FIELD_INVALID || self->details == NULL)
    return;

  clear_field_error (self, field);
  correct (self, field, NULL, NULL);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsDetailsWindow *self = RS_DETAILS_WINDOW (widget);
  RsCorrectionSnapshot *snapshot;

  if (self->undo->len == 0 || self->n_saving > 0)
    return;

  snapshot = g_ptr_array_steal_index (self->undo, self->undo->len - 1);
  correct (self, snapshot->field, NULL, snapshot);
}

/* Whether the focus is in a field with text not saved yet: there Ctrl+Z
 * undoes the typing, as in any text field. */
static gboolean
editing_unsaved (RsDetailsWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || self->details == NULL)
    return FALSE;

  for (guint field = 0; field < RS_N_FIELDS; field++)
    {
      GtkWidget *row = self->field_rows[field];

      if (ADW_IS_ENTRY_ROW (row) && (focus == row || gtk_widget_is_ancestor (focus, row)) &&
          g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)),
                     self->details->values[field]) != 0)
        return TRUE;
    }

  return (focus == GTK_WIDGET (self->note_row) ||
          gtk_widget_is_ancestor (focus, GTK_WIDGET (self->note_row))) &&
         g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->note_row)),
                    rs_respondent_get_note (self->details->respondent)) != 0;
}

static gboolean
undo_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  RsDetailsWindow *self = RS_DETAILS_WINDOW (widget);

  if (self->undo->len == 0 || self->n_saving > 0 || editing_unsaved (self))
    return FALSE;

  return gtk_widget_activate_action (widget, "details.undo", NULL);
}

static void
note_saved_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RsDetailsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rs_store_run_finish (RS_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Note saved")));
}

static gpointer
note_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  EditData *note = data;

  if (!rs_tracker_set_note (store, note->id, note->value, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Saves @note as the respondent's note, in a worker thread. */
void
rs_details_window_save_note (RsDetailsWindow *self,
                             const char      *note)
{
  EditData *data;

  g_return_if_fail (RS_IS_DETAILS_WINDOW (self));

  data = g_new0 (EditData, 1);
  data->id = self->id;
  data->value = g_strdup (note);
  rs_store_run_async (self->store, note_job, data, edit_data_free, NULL, self->cancellable,
                      note_saved_cb, g_object_ref (self));
}

static void
note_applied_cb (RsDetailsWindow *self,
                 AdwEntryRow     *row)
{
  rs_details_window_save_note (self, gtk_editable_get_text (GTK_EDITABLE (row)));
}

void
rs_details_window_edit_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, field_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_applied_cb);

  gtk_widget_class_install_action (widget_class, "details.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "details.revert", "s", revert_action);
}

void
rs_details_window_edit_init (RsDetailsWindow *self)
{
  GtkEventController *shortcuts;

  update_undo (self);

  /* Ctrl+Z undoes the last correction before a text field takes it as
   * undoing its typing, unless something is being typed there. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_z,
                                                                                  GDK_CONTROL_MASK),
                                                          gtk_callback_action_new (undo_shortcut_cb,
                                                                                   NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}
