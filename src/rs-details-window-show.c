/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-details-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-details-window-private.h"

/* Showing a respondent's details as loaded: the fields, status, note,
 * history, scores and master-file row. */

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

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_preferences_group_add (group, row);

  return row;
}

static void
add_history_row (RsDetailsWindow *self,
                 const char      *title,
                 const char      *value)
{
  g_ptr_array_add (self->history_rows, add_row (self->history_group, title, value));
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

void
rs_details_window_show_details (RsDetailsWindow     *self,
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
