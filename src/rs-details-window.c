/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-details-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "core/rs-mail-settings.h"
#include "core/rs-report-job.h"
#include "core/rs-send-job.h"
#include "core/rs-tracker.h"
#include "rs-report-preview.h"
#include "rs-details-window.h"

/* One respondent: status and report, an editable note, the 15 scores, the
 * history of their status, and their master-file row. */

struct _RsDetailsWindow
{
  AdwWindow parent_instance;

  RsStore *store;
  gint64 id;
  GCancellable *cancellable;
  RsRespondentDetails *details;
  guint n_history;
  guint n_source;

  AdwViewSwitcherTitle *window_title;
  GtkStack *report_stack;
  RsReportPreview *report_preview;
  AdwStatusPage *report_status;
  AdwPreferencesGroup *email_group;
  AdwActionRow *email_from_row;
  AdwActionRow *email_to_row;
  AdwActionRow *email_subject_row;
  AdwActionRow *email_attachment_row;
  GtkLabel *email_body_label;
  GtkStack *stack;
  AdwToastOverlay *toast_overlay;
  AdwActionRow *status_row;
  AdwActionRow *sent_row;
  AdwActionRow *report_row;
  GtkButton *open_report_button;
  AdwEntryRow *note_row;
  AdwPreferencesGroup *scores_group;
  AdwPreferencesGroup *history_group;
  AdwPreferencesGroup *source_group;
};

G_DEFINE_FINAL_TYPE (RsDetailsWindow, rs_details_window, ADW_TYPE_WINDOW)

static const char *pillar_names[RS_N_PILLARS] = {
  N_("Upstream"), N_("Internal"), N_("Downstream"),
};

static const char *dimension_names[RS_N_DIMENSIONS] = {
  N_("Redundancy"), N_("Collaboration"), N_("Flexibility"), N_("Visibility"), N_("Agility"),
};

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (seconds <= 0 || (utc = g_date_time_new_from_unix_utc (seconds)) == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_preferences_group_add (group, row);
}

static void
show_details (RsDetailsWindow *self)
{
  RsRespondentDetails *details = self->details;
  RsRespondent *respondent = details->respondent;
  g_autofree char *report = rs_respondent_dup_report_label (respondent);
  g_autofree char *sent_at = format_time (rs_respondent_get_sent_at (respondent));
  const char *mode = rs_respondent_get_mode (respondent);
  const char *error = rs_respondent_get_error (respondent);
  const char *problem = rs_respondent_get_problem (respondent);
  g_autofree char *status = NULL;

  adw_view_switcher_title_set_title (self->window_title, rs_respondent_get_person (respondent));
  adw_view_switcher_title_set_subtitle (self->window_title,
                                        rs_respondent_get_company (respondent));

  if (error != NULL && error[0] != '\0')
    /* Translators: a status, then the error that caused it */
    status = g_strdup_printf (_("%s — %s"), rs_status_get_label (rs_respondent_get_status (respondent)),
                              error);
  else if (problem != NULL)
    status = g_strdup_printf (_("%s — cannot be sent: %s"),
                              rs_status_get_label (rs_respondent_get_status (respondent)), problem);
  else
    status = g_strdup (rs_status_get_label (rs_respondent_get_status (respondent)));
  adw_action_row_set_subtitle (self->status_row, status);

  if (sent_at[0] != '\0')
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("%s (%s)", sent_at,
                              g_strcmp0 (mode, "test") == 0 ? C_("send mode", "Test")
                                                            : C_("send mode", "Live"));
      adw_action_row_set_subtitle (self->sent_row, text);
    }
  else
    {
      adw_action_row_set_subtitle (self->sent_row, _("Never"));
    }

  adw_action_row_set_subtitle (self->report_row, report);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_report_button),
                            rs_respondent_get_report_path (respondent) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), rs_respondent_get_note (respondent));

  for (guint p = 0; p < RS_N_PILLARS; p++)
    for (guint d = 0; d < RS_N_DIMENSIONS; d++)
      {
        double score = details->scores[RS_SCORE_INDEX (p, d)];
        g_autofree char *title = NULL;
        g_autofree char *value = NULL;

        /* Translators: pillar and dimension, e.g. “Upstream · Redundancy” */
        title = g_strdup_printf (_("%s · %s"), _(pillar_names[p]), _(dimension_names[d]));
        value = isnan (score) ? g_strdup (_("missing")) : g_strdup_printf ("%.2f", score);
        add_row (self->scores_group, title, value);
      }

  for (guint i = 0; i < details->history->len; i++)
    {
      RsHistoryEntry *entry = g_ptr_array_index (details->history, i);
      g_autofree char *when = format_time (entry->at);
      g_autofree char *what = NULL;
      RsStatus from = rs_status_from_string (entry->from_status);
      RsStatus to = rs_status_from_string (entry->to_status);

      /* Translators: “Pending → Sent, by hand: a note” */
      what = g_strdup_printf (_("%s → %s, %s%s%s"),
                              from != RS_STATUS_INVALID ? rs_status_get_label (from) : "—",
                              to != RS_STATUS_INVALID ? rs_status_get_label (to) : "—",
                              rs_history_entry_describe_by (entry),
                              entry->note && entry->note[0] ? ": " : "",
                              entry->note ? entry->note : "");
      add_row (self->history_group, when, what);
      self->n_history++;
    }
  if (details->history->len == 0)
    add_row (self->history_group, _("No changes yet"), "");

  if (details->source_file != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: line number and file name */
      description = g_strdup_printf (_("Line %u of “%s”"), details->source_line,
                                     details->source_file);
      adw_preferences_group_set_description (self->source_group, description);
    }
  if (details->source_problem != NULL)
    add_row (self->source_group, details->source_problem, "");
  for (guint i = 0; details->source_names[i] != NULL; i++)
    {
      const char *value = i < g_strv_length (details->source_values)
                          ? details->source_values[i] : "";

      if (details->source_names[i][0] == '\0')
        continue;
      add_row (self->source_group, details->source_names[i], value);
      self->n_source++;
    }

  gtk_stack_set_visible_child_name (self->stack, "details");
}

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

static void
load_preview (RsDetailsWindow *self)
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

  self->details = details;
  show_details (self);
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

typedef struct
{
  gint64 id;
  char *note;
} NoteData;

static void
note_data_free (gpointer data)
{
  NoteData *note = data;

  g_free (note->note);
  g_free (note);
}

static gpointer
note_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  NoteData *note = data;

  if (!rs_tracker_set_note (store, note->id, note->note, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Saves @note as the respondent's note, in a worker thread. */
void
rs_details_window_save_note (RsDetailsWindow *self,
                             const char      *note)
{
  NoteData *data;

  g_return_if_fail (RS_IS_DETAILS_WINDOW (self));

  data = g_new0 (NoteData, 1);
  data->id = self->id;
  data->note = g_strdup (note);
  rs_store_run_async (self->store, note_job, data, note_data_free, NULL, self->cancellable,
                      note_saved_cb, g_object_ref (self));
}

static void
note_applied_cb (RsDetailsWindow *self,
                 AdwEntryRow     *row)
{
  rs_details_window_save_note (self, gtk_editable_get_text (GTK_EDITABLE (row)));
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

  data = g_new (gint64, 1);
  *data = id;
  rs_store_run_async (store, load_job, data, g_free,
                      (GDestroyNotify) rs_respondent_details_free, self->cancellable,
                      load_done_cb, g_object_ref (self));
  data = g_new (gint64, 1);
  *data = id;
  rs_store_run_async (store, load_report_job, data, g_free,
                      (GDestroyNotify) rs_report_source_free, self->cancellable,
                      report_loaded_cb, g_object_ref (self));
  load_preview (self);

  return self;
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
  gtk_widget_class_bind_template_callback (widget_class, note_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_report_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (RS_TYPE_REPORT_PREVIEW);
}

static void
rs_details_window_init (RsDetailsWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}
