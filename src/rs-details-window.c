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

/* One respondent: their name, address, function and language, which can
 * be corrected by hand, status and report, an editable note, the 15 scores,
 * their history, and their master-file row. Corrections are saved in a
 * worker; each can be undone with the toast's Undo or Ctrl+Z. */

struct _RsDetailsWindow
{
  AdwWindow parent_instance;

  RsStore *store;
  gint64 id;
  GCancellable *cancellable;
  RsRespondentDetails *details;
  guint n_history;
  guint n_source;
  GPtrArray *history_rows;
  gboolean filled;
  /* Set while the language row is set from the details */
  gboolean filling;
  /* RsCorrectionSnapshot, the last one undone first */
  GPtrArray *undo;
  guint n_saving;
  guint n_saves;
  /* The toast of the last correction, while it is shown or waits */
  AdwToast *toast;

  AdwPreferencesGroup *person_group;
  AdwEntryRow *name_row;
  AdwEntryRow *email_row;
  AdwEntryRow *function_row;
  AdwComboRow *language_row;
  AdwActionRow *name_error_row;
  AdwActionRow *email_error_row;
  AdwActionRow *function_error_row;
  AdwActionRow *language_error_row;
  AdwActionRow *name_file_row;
  AdwActionRow *email_file_row;
  AdwActionRow *function_file_row;
  AdwActionRow *language_file_row;
  GtkWidget *field_rows[RS_N_FIELDS];
  AdwActionRow *error_rows[RS_N_FIELDS];
  AdwActionRow *file_rows[RS_N_FIELDS];

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
add_history_row (RsDetailsWindow *self,
                 const char      *title,
                 const char      *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_preferences_group_add (self->history_group, row);
  g_ptr_array_add (self->history_rows, row);
}

static void
show_history (RsDetailsWindow *self)
{
  RsRespondentDetails *details = self->details;

  for (guint i = 0; i < self->history_rows->len; i++)
    adw_preferences_group_remove (self->history_group, self->history_rows->pdata[i]);
  g_ptr_array_set_size (self->history_rows, 0);
  self->n_history = 0;

  for (guint i = 0; i < details->history->len; i++)
    {
      RsHistoryEntry *entry = g_ptr_array_index (details->history, i);
      g_autofree char *when = format_time (entry->at);
      g_autofree char *what = NULL;
      g_autofree char *change = rs_history_entry_describe_change (entry);
      RsStatus from = rs_status_from_string (entry->from_status);
      RsStatus to = rs_status_from_string (entry->to_status);

      if (change != NULL)
        /* Translators: “Name: “a” → “b”, by hand: a note” */
        what = g_strdup_printf (_("%s, %s%s%s"), change, rs_history_entry_describe_by (entry),
                                entry->note && entry->note[0] ? ": " : "",
                                entry->note ? entry->note : "");
      else
        /* Translators: “Pending → Sent, by hand: a note” */
        what = g_strdup_printf (_("%s → %s, %s%s%s"),
                                from != RS_STATUS_INVALID ? rs_status_get_label (from) : "—",
                                to != RS_STATUS_INVALID ? rs_status_get_label (to) : "—",
                                rs_history_entry_describe_by (entry),
                                entry->note && entry->note[0] ? ": " : "",
                                entry->note ? entry->note : "");
      add_history_row (self, when, what);
      self->n_history++;
    }
  if (details->history->len == 0)
    add_history_row (self, _("No changes yet"), "");
}

/* Sets an entry row's text without showing its apply button. */
static void
set_entry_text (AdwEntryRow *row,
                const char  *text)
{
  adw_entry_row_set_show_apply_button (row, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  adw_entry_row_set_show_apply_button (row, TRUE);
}

static const char *
describe_file_value (RsField     field,
                     const char *value)
{
  if (field == RS_FIELD_LANGUAGE)
    return g_strcmp0 (value, "nl") == 0 ? _("Dutch") : _("English");
  if (value[0] == '\0')
    return _("(empty)");

  return value;
}

/* The fields a person can correct. A field keeps what someone is typing
 * into it, unless that is what was just saved. */
static void
show_fields (RsDetailsWindow     *self,
             RsRespondentDetails *old)
{
  RsRespondentDetails *details = self->details;
  RsRespondent *respondent = details->respondent;
  const char *person = rs_respondent_get_person (respondent);
  const char *company = rs_respondent_get_company (respondent);
  gboolean sending = rs_respondent_get_status (respondent) == RS_STATUS_SENDING;
  g_autofree char *title = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *description = NULL;

  /* Translators: the title of a respondent's window: person, company */
  title = g_strdup_printf (C_("details title", "%s — %s"), person, company);
  gtk_window_set_title (GTK_WINDOW (self), title);

  /* The group's title and description are markup. */
  heading = g_markup_escape_text (person, -1);
  adw_preferences_group_set_title (self->person_group, heading);
  if (sending)
    /* Translators: a company, then why nothing can be corrected now */
    description = g_markup_printf_escaped (_("%s · Being sent right now: corrections can be "
                                             "made once sending has finished"), company);
  else
    description = g_markup_escape_text (company, -1);
  adw_preferences_group_set_description (self->person_group, description);

  for (guint field = 0; field < RS_N_FIELDS; field++)
    {
      GtkWidget *row = self->field_rows[field];
      const char *file_value = details->file_values[field];

      gtk_widget_set_sensitive (row, !sending);
      if (ADW_IS_ENTRY_ROW (row))
        {
          const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
          g_autofree char *typed = g_strstrip (g_strdup (text));

          if (old == NULL || g_strcmp0 (text, old->values[field]) == 0 ||
              g_strcmp0 (typed, details->values[field]) == 0)
            set_entry_text (ADW_ENTRY_ROW (row), details->values[field]);
        }
      else
        {
          self->filling = TRUE;
          adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                                      g_strcmp0 (details->values[field], "nl") == 0 ? 1 : 0);
          self->filling = FALSE;
        }

      if (file_value != NULL)
        {
          g_autofree char *says = NULL;

          /* Translators: what the master file says of a corrected field */
          says = g_strdup_printf (_("File says: %s"), describe_file_value (field, file_value));
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_rows[field]), says);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->file_rows[field]), file_value != NULL);
    }
}

static gboolean
shows_sent_time (RsStatus status)
{
  return status == RS_STATUS_SENT || status == RS_STATUS_UNKNOWN;
}

static void
show_details (RsDetailsWindow     *self,
              RsRespondentDetails *old)
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
  show_fields (self, old);

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

  /* A time of sending stays in the record after a mark by hand; it is
   * only shown while the status says sent (or that sending was begun). */
  if (sent_at[0] != '\0' && !shows_sent_time (rs_respondent_get_status (respondent)))
    {
      adw_action_row_set_subtitle (self->sent_row, _("Not sent"));
    }
  else if (sent_at[0] != '\0')
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
  if (old == NULL ||
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->note_row)),
                 rs_respondent_get_note (old->respondent)) == 0)
    set_entry_text (self->note_row, rs_respondent_get_note (respondent));
  show_history (self);

  if (self->filled)
    return;
  self->filled = TRUE;

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

  if (details->source_file != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: line number and file name */
      description = g_markup_printf_escaped (_("Line %u of “%s”"), details->source_line,
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

  {
    g_autoptr(RsRespondentDetails) old = g_steal_pointer (&self->details);

    self->details = details;
    show_details (self, old);
  }
}

static void
load (RsDetailsWindow *self)
{
  gint64 *data = g_new (gint64, 1);

  *data = self->id;
  rs_store_run_async (self->store, load_job, data, g_free,
                      (GDestroyNotify) rs_respondent_details_free, self->cancellable,
                      load_done_cb, g_object_ref (self));
}

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

typedef struct
{
  gint64 id;
  RsField field;
  char *value;
  /* Borrowed from the call */
  RsCorrectionSnapshot *undo;
} CorrectData;

static void
correct_data_free (gpointer data)
{
  CorrectData *correct = data;

  g_free (correct->value);
  g_free (correct);
}

static gpointer
correct_job (RsStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CorrectData *correct = data;

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
      load (self);
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
  load (self);
  load_preview (self);
}

/* Saves a correction, or with @undo undoes one, in a worker thread.
 * @value NULL: back to what the master file says. */
static void
correct (RsDetailsWindow      *self,
         RsField               field,
         const char           *value,
         RsCorrectionSnapshot *undo)
{
  CorrectData *data = g_new0 (CorrectData, 1);
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
  rs_store_run_async (self->store, correct_job, data, correct_data_free,
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

  load (self);
  data = g_new (gint64, 1);
  *data = id;
  rs_store_run_async (store, load_report_job, data, g_free,
                      (GDestroyNotify) rs_report_source_free, self->cancellable,
                      report_loaded_cb, g_object_ref (self));
  load_preview (self);

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
  gtk_widget_class_bind_template_callback (widget_class, field_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, language_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_applied_cb);

  gtk_widget_class_install_action (widget_class, "details.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "details.revert", "s", revert_action);
  gtk_widget_class_bind_template_callback (widget_class, open_report_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (RS_TYPE_REPORT_PREVIEW);
}

static void
rs_details_window_init (RsDetailsWindow *self)
{
  GtkEventController *shortcuts;

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
