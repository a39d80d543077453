/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-mail-settings.h"
#include "core/rs-report-job.h"
#include "core/rs-send-job.h"
#include "rs-details-window-private.h"

/* One respondent: their name, address, function and language, which can
 * be corrected by hand, status and report, an editable note, the 15 scores,
 * their history, and their master-file row. Corrections are saved in a
 * worker; each can be undone with the toast's Undo or Ctrl+Z. */

G_DEFINE_FINAL_TYPE (RsDetailsWindow, rs_details_window, ADW_TYPE_WINDOW)

static gpointer
load_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  return rs_tracker_load_details (store, *(gint64 *) data, error);
}

static gpointer
load_report_job (RsStore       *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return rs_report_source_load (store, *(gint64 *) data, error);
}

typedef struct
{
  gint64 id;
  RsMailSettings *mail;
} PreviewData;

static void
preview_data_free (gpointer data)
{
  PreviewData *preview = data;

  g_clear_object (&preview->mail);
  g_free (preview);
}

static gpointer
preview_job (RsStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  PreviewData *preview = data;
  RsSendOptions options;

  rs_mail_settings_fill_send_options (preview->mail, RS_SEND_MODE_LIVE, &options);

  return rs_send_job_preview (store, &options, preview->id, error);
}

static void
preview_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RsDetailsWindow) self = user_data;
  g_autoptr(RsSendPreview) preview = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attachment = NULL;

  preview = rs_store_run_finish (RS_STORE (object), result, &error);
  if (preview == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_preferences_group_set_description (self->email_group, error->message);
      return;
    }

  if (preview->skipped != NULL)
    {
      g_autofree char *why = NULL;

      /* Translators: why the respondent would not be sent to */
      why = g_strdup_printf (_("Not sent now: %s"), preview->skipped);
      adw_preferences_group_set_description (self->email_group, why);
    }

  adw_action_row_set_subtitle (self->email_from_row, preview->from);
  adw_action_row_set_subtitle (self->email_to_row, preview->to);
  adw_action_row_set_subtitle (self->email_subject_row, preview->subject);
  if (preview->attachment != NULL)
    {
      g_autofree char *size = preview->attachment_size >= 0
                              ? g_format_size (preview->attachment_size) : g_strdup ("?");

      attachment = g_strdup_printf ("%s (%s)", preview->attachment, size);
    }
  adw_action_row_set_subtitle (self->email_attachment_row,
                               attachment ? attachment : _("No report yet"));
  gtk_label_set_label (self->email_body_label, preview->body);
}

void
rs_details_window_load_preview (RsDetailsWindow *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  PreviewData *data = g_new0 (PreviewData, 1);

  data->id = self->id;
  data->mail = rs_mail_settings_new_from_gsettings (settings);

  rs_store_run_async (self->store, preview_job, data, preview_data_free,
                      (GDestroyNotify) rs_send_preview_free, self->cancellable,
                      preview_loaded_cb, g_object_ref (self));
}

/* The subject of the e-mail as shown, for tests. */
const char *
rs_details_window_get_email_subject (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), NULL);

  return adw_action_row_get_subtitle (self->email_subject_row);
}

static void
report_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RsDetailsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) check_error = NULL;
  RsReportSource *source;

  source = rs_store_run_finish (RS_STORE (object), result, &error);
  if (source == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          adw_status_page_set_description (self->report_status, error->message);
          gtk_stack_set_visible_child_name (self->report_stack, "not-possible");
        }
      return;
    }

  if (!rs_report_check (&source->input, &check_error))
    {
      adw_status_page_set_description (self->report_status, check_error->message);
      gtk_stack_set_visible_child_name (self->report_stack, "not-possible");
    }
  rs_report_preview_set_source (self->report_preview, source);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsDetailsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RsRespondentDetails *details;

  details = rs_store_run_finish (RS_STORE (object), result, &error);
  if (details == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  {
    g_autoptr(RsRespondentDetails) old = g_steal_pointer (&self->details);

    self->details = details;
    rs_details_window_show_details (self, old);
  }
}

void
rs_details_window_load (RsDetailsWindow *self)
{
  gint64 *data = g_new (gint64, 1);

  *data = self->id;
  rs_store_run_async (self->store, load_job, data, g_free,
                      (GDestroyNotify) rs_respondent_details_free, self->cancellable,
                      load_done_cb, g_object_ref (self));
}

static void
open_report_cb (RsDetailsWindow *self,
                GtkButton       *button)
{
  const char *path;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->details == NULL ||
      (path = rs_respondent_get_report_path (self->details->respondent)) == NULL)
    return;

  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

/* How many pages the report preview shows; 0 while it loads. */
guint
rs_details_window_get_n_report_pages (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), 0);

  return rs_report_preview_get_n_pages (self->report_preview);
}

RsDetailsWindow *
rs_details_window_new (GtkWindow *parent,
                       RsStore   *store,
                       gint64     id)
{
  RsDetailsWindow *self;
  gint64 *data;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = g_object_new (RS_TYPE_DETAILS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->id = id;

  rs_details_window_load (self);
  data = g_new (gint64, 1);
  *data = id;
  rs_store_run_async (store, load_report_job, data, g_free,
                      (GDestroyNotify) rs_report_source_free, self->cancellable,
                      report_loaded_cb, g_object_ref (self));
  rs_details_window_load_preview (self);

  return self;
}

/* How many corrections and undos were saved (or found to change nothing),
 * for tests. */
guint
rs_details_window_get_n_saves (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), 0);

  return self->n_saves;
}

/* Returns: (transfer none): the row where @field is corrected */
GtkWidget *
rs_details_window_get_field_row (RsDetailsWindow *self,
                                 RsField          field)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), NULL);
  g_return_val_if_fail (field < RS_N_FIELDS, NULL);

  return self->field_rows[field];
}

static const char *
shown_title (AdwActionRow *row)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;

  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

/* Returns: (nullable): the error shown under @field */
const char *
rs_details_window_get_field_error (RsDetailsWindow *self,
                                   RsField          field)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), NULL);
  g_return_val_if_fail (field < RS_N_FIELDS, NULL);

  return shown_title (self->error_rows[field]);
}

/* Returns: (nullable): what is shown of the master file's value of a
 * corrected @field */
const char *
rs_details_window_get_file_says (RsDetailsWindow *self,
                                 RsField          field)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), NULL);
  g_return_val_if_fail (field < RS_N_FIELDS, NULL);

  return shown_title (self->file_rows[field]);
}

/* Returns: (transfer none): the heading above the fields, as markup */
const char *
rs_details_window_get_heading (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), NULL);

  return adw_preferences_group_get_title (self->person_group);
}

gboolean
rs_details_window_get_loaded (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), FALSE);

  return self->details != NULL;
}

guint
rs_details_window_get_n_history (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), 0);

  return self->n_history;
}

guint
rs_details_window_get_n_source_columns (RsDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_DETAILS_WINDOW (self), 0);

  return self->n_source;
}

static void
rs_details_window_dispose (GObject *object)
{
  RsDetailsWindow *self = (RsDetailsWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_DETAILS_WINDOW);

  G_OBJECT_CLASS (rs_details_window_parent_class)->dispose (object);
}

static void
rs_details_window_finalize (GObject *object)
{
  RsDetailsWindow *self = (RsDetailsWindow *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->details, rs_respondent_details_free);
  g_clear_pointer (&self->history_rows, g_ptr_array_unref);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
  g_clear_object (&self->toast);

  G_OBJECT_CLASS (rs_details_window_parent_class)->finalize (object);
}

static void
rs_details_window_class_init (RsDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_details_window_dispose;
  object_class->finalize = rs_details_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, report_stack);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, report_preview);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, report_status);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_group);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_from_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_to_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_subject_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_attachment_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_body_label);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, status_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, sent_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, report_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, open_report_button);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, note_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, scores_group);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, history_group);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, source_group);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, person_group);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, function_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, language_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, name_error_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_error_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, function_error_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, language_error_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, name_file_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, email_file_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, function_file_row);
  gtk_widget_class_bind_template_child (widget_class, RsDetailsWindow, language_file_row);
  rs_details_window_edit_class_init (widget_class);
  gtk_widget_class_bind_template_callback (widget_class, open_report_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (RS_TYPE_REPORT_PREVIEW);
}

static void
rs_details_window_init (RsDetailsWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->history_rows = g_ptr_array_new ();
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_correction_snapshot_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->field_rows[RS_FIELD_PERSON] = GTK_WIDGET (self->name_row);
  self->field_rows[RS_FIELD_EMAIL] = GTK_WIDGET (self->email_row);
  self->field_rows[RS_FIELD_FUNCTION] = GTK_WIDGET (self->function_row);
  self->field_rows[RS_FIELD_LANGUAGE] = GTK_WIDGET (self->language_row);
  self->error_rows[RS_FIELD_PERSON] = self->name_error_row;
  self->error_rows[RS_FIELD_EMAIL] = self->email_error_row;
  self->error_rows[RS_FIELD_FUNCTION] = self->function_error_row;
  self->error_rows[RS_FIELD_LANGUAGE] = self->language_error_row;
  self->file_rows[RS_FIELD_PERSON] = self->name_file_row;
  self->file_rows[RS_FIELD_EMAIL] = self->email_file_row;
  self->file_rows[RS_FIELD_FUNCTION] = self->function_file_row;
  self->file_rows[RS_FIELD_LANGUAGE] = self->language_file_row;
  rs_details_window_edit_init (self);
}
