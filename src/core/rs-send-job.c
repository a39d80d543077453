/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-send-job"


#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs-activity-private.h"
#include "rs-branding.h"
#include "rs-delivery.h"
#include "rs-master.h"
#include "rs-message.h"
#include "rs-oauth.h"
#include "rs-report-job.h"
#include "rs-scores.h"
#include "rs-send-job.h"
#include "rs-send-job-private.h"
#include "rs-store-private.h"
#include "rs-template.h"
#include "rs-thread.h"

/* Sending the reports. A record is committed as `sending` before its
 * message goes to the server, so a process that dies in between leaves a
 * trace; that trace becomes `unknown` and is never sent again by itself.
 * "No send is running" is an flock() on a lock file named after the
 * database file's device and inode, in the folder that really holds it: so
 * it holds whatever path (a symbolic link, another mount, a relative path)
 * reached the file, and the kernel lets go of it when a process dies,
 * however it dies. The database file itself is never opened outside
 * SQLite: closing any descriptor of it would drop the fcntl() locks of
 * this process's SQLite connections, and another process closing its own
 * would then take itself for the last one and delete the write-ahead log
 * under them, losing what they write next. */

G_DEFINE_QUARK (rs-send-job-error-quark, rs_send_job_error)

static void
item_free (gpointer data)
{
  RsSendItem *item = data;

  g_free (item->person);
  g_free (item->company);
  g_free (item->email);
  g_free (item->function);
  g_free (item->language);
  g_free (item->submitted_at);
  g_free (item->overall);
  g_free (item->report_path);
  g_free (item->reason);
  g_free (item->report_hash);
  g_free (item->report_sha256);
  g_free (item->second_of);
  g_free (item);
}

void
rs_send_job_result_free (gpointer data)
{
  RsSendResult *result = data;

  g_free (result->person);
  g_free (result->company);
  g_free (result->email);
  g_free (result->sent_to);
  g_free (result->error);
  g_free (result->message_id);
  g_free (result);
}

void
rs_send_plan_free (RsSendPlan *plan)
{
  if (plan == NULL)
    return;

  g_ptr_array_unref (plan->to_send);
  g_ptr_array_unref (plan->skipped);
  g_free (plan);
}

void
rs_send_summary_free (RsSendSummary *summary)
{
  if (summary == NULL)
    return;

  g_clear_pointer (&summary->plan, rs_send_plan_free);
  g_clear_pointer (&summary->results, g_ptr_array_unref);
  g_free (summary);
}

static void
set_skip_reason (RsSendItem          *item,
                 const RsSendOptions *options,
                 const char          *problem,
                 gboolean             report_current,
                 gboolean             look_current)
{
  /* A test message goes to the test address and changes no status: those
   * chosen by id can be tried whether they were sent before, failed or were
   * interrupted. A test round of everyone follows the live round's rules. */
  gboolean test = options->mode == RS_SEND_MODE_TEST && options->n_ids > 0;

  switch (item->status)
    {
    case RS_STATUS_SENDING:
      item->skip = RS_SEND_SKIP_SENDING;
      item->reason = g_strdup (_("is being sent right now by another send"));
      return;
    case RS_STATUS_UNKNOWN:
      if (test)
        break;
      item->skip = RS_SEND_SKIP_UNKNOWN;
      item->reason = g_strdup (_("a send was interrupted, so it is not known whether the "
                                 "report arrived; check your Sent folder and set the status "
                                 "by hand"));
      return;
    case RS_STATUS_SENT:
      if (test)
        break;
      item->skip = RS_SEND_SKIP_SENT;
      item->reason = g_strdup (_("already sent"));
      return;
    case RS_STATUS_FAILED:
      if (!options->retry_failed && !test)
        {
          item->skip = RS_SEND_SKIP_FAILED;
          item->reason = g_strdup (_("sending failed before; choose to retry failed ones to "
                                     "try again"));
          return;
        }
      break;
    case RS_STATUS_PENDING:
    default:
      break;
    }

  if (problem != NULL)
    {
      item->skip = RS_SEND_SKIP_PROBLEM;
      item->reason = g_strdup (problem);
    }
  else if (!rs_message_address_is_valid (item->email))
    {
      item->skip = RS_SEND_SKIP_NO_ADDRESS;
      item->reason = g_strdup_printf (_("no valid e-mail address (“%s”)"), item->email);
    }
  else if (item->report_path == NULL)
    {
      item->skip = RS_SEND_SKIP_NO_REPORT;
      item->reason = g_strdup (_("there is no report yet; make the reports first"));
    }
  else if (!g_file_test (item->report_path, G_FILE_TEST_IS_REGULAR))
    {
      item->skip = RS_SEND_SKIP_NO_REPORT;
      item->reason = g_strdup_printf (_("the report “%s” is missing; make the reports again"),
                                      item->report_path);
    }
  else if (!report_current)
    {
      item->skip = RS_SEND_SKIP_REPORT_OUTDATED;
      item->reason = g_strdup (_("the report is out of date: the data changed after it was "
                                 "made; make the reports again"));
    }
  else if (!look_current)
    {
      item->skip = RS_SEND_SKIP_REPORT_OUTDATED;
      item->reason = g_strdup (_("the report is out of date: the look of the reports "
                                 "(Preferences → General: the institution or the peer "
                                 "benchmark) changed after it was made; make the reports "
                                 "again"));
    }
}

gboolean
rs_send_job_check_options (const RsSendOptions  *options,
                           GError              **error)
{
  if (options->mode != RS_SEND_MODE_TEST && options->mode != RS_SEND_MODE_LIVE)
    {
      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                   _("Choose whether to send test messages or the real ones"));
      return FALSE;
    }

  if (options->mode == RS_SEND_MODE_TEST &&
      !rs_message_address_is_valid (options->test_address))
    {
      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                   _("The test address “%s” is not a valid e-mail address; give the address "
                     "the test messages should go to"),
                   options->test_address != NULL ? options->test_address : "");
      return FALSE;
    }

  if (!rs_message_address_is_valid (options->from_address))
    {
      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                   _("The sender address “%s” is not a valid e-mail address; set it in "
                     "Preferences"),
                   options->from_address != NULL ? options->from_address : "");
      return FALSE;
    }

  /* The sender is the same in every message: a sender name or reply
   * address that no message can carry stops the job before it starts. */
  {
    g_autoptr(RsMessage) message = NULL;
    g_autoptr(GError) local_error = NULL;

    message = rs_message_new (options->from_address, options->from_name,
                              options->from_address, options->reply_to, "-", "-",
                              &local_error);
    if (message == NULL)
      {
        g_autofree char *reason = g_strdup (local_error->message);
        gsize length = strlen (reason);

        /* One full stop between the reason and the advice. */
        while (length > 0 && reason[length - 1] == '.')
          reason[--length] = '\0';
        g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                     _("The sender cannot be used: %s. Correct the sender name or the reply "
                       "address in Preferences."), reason);
        return FALSE;
      }
  }

  return TRUE;
}

/**
 * rs_send_job_plan:
 *
 * Returns: (transfer full): who would be sent to, in id order, and who
 *   would be skipped, with the reason
 */
/* The addresses of this round that have a live report already (sent, or
 * perhaps sent: unknown), folded, each to who has it. */
static GHashTable *
load_reported_addresses (sqlite3  *db,
                         GError  **error)
{
  g_autoptr(GHashTable) reported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.id, r.person, r.email"
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE d.status = :sent OR d.status = :unknown ORDER BY r.id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":sent"), "sent", -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":unknown"), "unknown", -1,
                     SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *address = rs_master_email_key ((const char *)
                                                      sqlite3_column_text (stmt, 2));

      if (address[0] == '\0' || g_hash_table_contains (reported, address))
        continue;
      /* Translators: a person and their respondent id */
      g_hash_table_insert (reported, g_steal_pointer (&address),
                           g_strdup_printf (_("%s, id %lld"),
                                            (const char *) sqlite3_column_text (stmt, 1),
                                            (long long) sqlite3_column_int64 (stmt, 0)));
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&reported);
}

/* One address, one report a round: a live round sends no report to an
 * address that has one already, or that an earlier respondent of this
 * round is to get, unless a person allowed it for this respondent. */
static void
set_second_report_skip (RsSendItem *item,
                        GHashTable *reported)
{
  /* One mailbox, however its address is spelled (case, normal form, an
   * international domain or its ASCII form). */
  g_autofree char *address = rs_master_email_key (item->email);
  const char *other = g_hash_table_lookup (reported, address);

  if (other == NULL)
    {
      g_hash_table_insert (reported, g_steal_pointer (&address),
                           /* Translators: a person and their respondent id */
                           g_strdup_printf (_("%s, id %lld"), item->person,
                                            (long long) item->id));
      return;
    }

  item->second_of = g_strdup (other);
  if (item->allow_second)
    return;

  item->skip = RS_SEND_SKIP_SECOND_REPORT;
  item->reason = g_strdup_printf (_("this address already has a report of this round (%s); "
                                    "allow a second report for this respondent to send one"),
                                  other);
}

/* One row of the plan's query as an item, with its skip reason. */
static RsSendItem *
item_from_row (sqlite3_stmt        *stmt,
               const RsSendOptions *options,
               const char          *look,
               GHashTable          *reported)
{
  RsSendItem *item = g_new0 (RsSendItem, 1);
  double scores[RS_N_SCORES];
  double overall;
  const char *old_look;

  item->id = sqlite3_column_int64 (stmt, 0);
  item->company = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  item->person = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  item->email = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  item->function = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  item->language = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  item->submitted_at = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
  item->status = rs_status_from_string ((const char *) sqlite3_column_text (stmt, 8));
  if (item->status == RS_STATUS_INVALID)
    item->status = RS_STATUS_UNKNOWN;
  item->report_path = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  item->report_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 11 + RS_N_SCORES));
  item->report_sha256 = g_strdup ((const char *) sqlite3_column_text (stmt,
                                                                      12 + RS_N_SCORES));
  item->allow_second = sqlite3_column_int (stmt, 13 + RS_N_SCORES);

  rs_store_read_scores (stmt, 11, scores);
  overall = rs_scores_overall (scores);
  item->overall = rs_template_format_score (overall, g_strcmp0 (item->language, "nl") == 0
                                                     ? "nl" : "en");

  /* A report made before its look was kept is taken as it is. */
  old_look = (const char *) sqlite3_column_text (stmt, 14 + RS_N_SCORES);
  set_skip_reason (item, options, (const char *) sqlite3_column_text (stmt, 7),
                   sqlite3_column_int (stmt, 10),
                   old_look == NULL || g_str_equal (old_look, look));
  if (item->skip == RS_SEND_SKIP_NONE && reported != NULL)
    set_second_report_skip (item, reported);

  return item;
}

/* Ids asked for that are not in the database, in the order given. */
static void
add_missing_ids (RsSendPlan          *plan,
                 const RsSendOptions *options,
                 GHashTable          *wanted)
{
  for (guint i = 0; wanted != NULL && i < options->n_ids; i++)
    {
      RsSendItem *item;

      if (!g_hash_table_remove (wanted, &options->ids[i]))
        continue;

      item = g_new0 (RsSendItem, 1);
      item->id = options->ids[i];
      item->status = RS_STATUS_INVALID;
      item->skip = RS_SEND_SKIP_NOT_FOUND;
      item->reason = g_strdup_printf (_("there is no respondent with id %lld"),
                                      (long long) options->ids[i]);
      g_ptr_array_add (plan->skipped, item);
    }
}

/**
 * rs_send_job_plan:
 *
 * Returns: (transfer full): who would be sent to, in id order, and who
 *   would be skipped, with the reason
 */
RsSendPlan *
rs_send_job_plan (RsStore              *store,
                  const RsSendOptions  *options,
                  GError              **error)
{
  g_autoptr(RsSendPlan) plan = g_new0 (RsSendPlan, 1);
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GHashTable) reported = NULL;
  g_autofree char *look = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->ids != NULL || options->n_ids == 0, NULL);

  /* The settings as they are now, whoever changed them: a report made with
   * another look is outdated even when no window saw the change. */
  look = rs_branding_load_look_key ();

  plan->mode = options->mode;
  plan->to_send = g_ptr_array_new_with_free_func (item_free);
  plan->skipped = g_ptr_array_new_with_free_func (item_free);

  if (options->n_ids > 0)
    {
      wanted = g_hash_table_new (g_int64_hash, g_int64_equal);
      for (guint i = 0; i < options->n_ids; i++)
        g_hash_table_add (wanted, (gpointer) &options->ids[i]);
    }

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  if (options->mode == RS_SEND_MODE_LIVE)
    {
      reported = load_reported_addresses (db, error);
      if (reported == NULL)
        return NULL;
    }

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.id, r.company, r.person, r.email, r.function, r.language,"
                           " r.submitted_at, r.problem, d.status, d.report_path,"
                           " " RS_STORE_REPORT_CURRENT ", " RS_STORE_SCORE_COLUMNS ","
                           " d.report_hash, d.report_sha256, d.allow_second, d.report_look"
                           " FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " ORDER BY r.id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      RsSendItem *item;

      if (wanted != NULL && !g_hash_table_remove (wanted, &id))
        continue;

      item = item_from_row (stmt, options, look, reported);
      g_ptr_array_add (item->skip == RS_SEND_SKIP_NONE ? plan->to_send : plan->skipped, item);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  add_missing_ids (plan, options, wanted);

  return g_steal_pointer (&plan);
}

typedef struct
{
  const gint64 *ids;
  guint n_ids;
  gboolean allow;
} Allow;

static gboolean
allow_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  Allow *allow = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  for (guint i = 0; i < allow->n_ids; i++)
    if (!rs_delivery_set_allow_second (delivery, allow->ids[i], allow->allow, error))
      return FALSE;

  return TRUE;
}

/**
 * rs_send_job_allow_second:
 *
 * All of @ids are changed, or none (an id that is not in the database).
 */
gboolean
rs_send_job_allow_second (RsStore       *store,
                          const gint64  *ids,
                          guint          n_ids,
                          gboolean       allow,
                          GError       **error)
{
  Allow data = { ids, n_ids, allow };

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  return rs_store_write (store, allow_transaction, &data, error);
}

int
rs_send_summary_exit_status (const RsSendSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 1);

  if (summary->cancelled)
    return 1;
  if (summary->failed > 0 || summary->deferred > 0 || summary->unknown > 0 ||
      summary->remaining > 0)
    return 3;

  return 0;
}

char *
rs_send_summary_describe (const RsSendSummary *summary)
{
  g_return_val_if_fail (summary != NULL, NULL);

  if (summary->mode == RS_SEND_MODE_TEST)
    return g_strdup_printf (_("Test messages sent: %u. Failed: %u. Not sent yet: %u. "
                              "Skipped: %u. Not handled: %u."),
                            summary->sent, summary->failed,
                            summary->deferred + summary->unknown,
                            summary->skipped, summary->remaining);

  if (summary->unknown > 0)
    return g_strdup_printf (_("Sent: %u. Failed: %u. Not sent yet, to try again later: %u. "
                              "Unknown, check your Sent folder: %u. Skipped: %u. "
                              "Not handled: %u."),
                            summary->sent, summary->failed, summary->deferred,
                            summary->unknown, summary->skipped, summary->remaining);

  return g_strdup_printf (_("Sent: %u. Failed: %u. Not sent yet, to try again later: %u. "
                            "Skipped: %u. Not handled: %u."),
                          summary->sent, summary->failed, summary->deferred,
                          summary->skipped, summary->remaining);
}

/* Appends " " and the count to @text, when @n is not zero. */
static void G_GNUC_PRINTF (3, 4)
append_count (GString    *text,
              guint       n,
              const char *format,
              ...)
{
  va_list args;

  if (n == 0)
    return;

  g_string_append_c (text, ' ');
  va_start (args, format);
  g_string_append_vprintf (text, format, args);
  va_end (args);
}

char *
rs_send_summary_describe_short (const RsSendSummary *summary)
{
  GString *text;

  g_return_val_if_fail (summary != NULL, NULL);

  text = g_string_new (NULL);
  if (summary->mode == RS_SEND_MODE_TEST)
    g_string_append_printf (text, _("Test messages sent: %u."), summary->sent);
  else
    g_string_append_printf (text, _("Sent: %u."), summary->sent);
  append_count (text, summary->failed, _("Failed: %u."), summary->failed);
  append_count (text, summary->deferred, _("Not sent yet: %u."), summary->deferred);
  append_count (text, summary->unknown, _("Unknown, check your Sent folder: %u."),
                summary->unknown);
  append_count (text, summary->skipped, _("Skipped: %u."), summary->skipped);
  append_count (text, summary->remaining, _("Not handled: %u."), summary->remaining);

  return g_string_free (text, FALSE);
}

void
rs_send_preview_free (RsSendPreview *preview)
{
  if (preview == NULL)
    return;

  g_free (preview->from);
  g_free (preview->to);
  g_free (preview->subject);
  g_free (preview->body);
  g_free (preview->attachment);
  g_free (preview->skipped);
  g_free (preview);
}

/**
 * rs_send_job_preview:
 * @id: the respondent
 *
 * What @id will receive with @options: From, To, subject, body and the
 * attachment, exactly as the job composes them; and why they would be
 * skipped, if they would be. Reads only.
 */
RsSendPreview *
rs_send_job_preview (RsStore              *store,
                     const RsSendOptions  *options,
                     gint64                id,
                     GError              **error)
{
  g_autoptr(RsSendPlan) plan = NULL;
  RsSendOptions one = *options;
  RsSendPreview *preview;
  const RsSendItem *item = NULL;
  const char *to;

  one.ids = &id;
  one.n_ids = 1;
  plan = rs_send_job_plan (store, &one, error);
  if (plan == NULL)
    return NULL;

  if (plan->to_send->len > 0)
    item = g_ptr_array_index (plan->to_send, 0);
  else if (plan->skipped->len > 0)
    item = g_ptr_array_index (plan->skipped, 0);
  if (item == NULL || item->skip == RS_SEND_SKIP_NOT_FOUND)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                   _("there is no respondent with id %lld"), (long long) id);
      return NULL;
    }

  preview = g_new0 (RsSendPreview, 1);
  rs_send_job_compose (options, item, &preview->subject, &preview->body, &to);
  preview->to = g_strdup (to);
  if (options->from_name != NULL && options->from_name[0] != '\0')
    preview->from = g_strdup_printf ("%s <%s>", options->from_name,
                                     options->from_address ? options->from_address : "");
  else
    preview->from = g_strdup (options->from_address ? options->from_address : "");
  if (item->report_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (item->report_path);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);

      preview->attachment = rs_report_attachment_name (item->report_path);
      preview->attachment_size = info != NULL ? g_file_info_get_size (info) : -1;
    }
  if (item->skip != RS_SEND_SKIP_NONE)
    preview->skipped = g_strdup (item->reason);

  return preview;
}
