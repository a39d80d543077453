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

static void
result_free (gpointer data)
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSendResult, result_free)

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

/* The lock file of the database at @path: next to the file it really is,
 * named after its device and inode. */
static char *
lock_path (const char  *path,
           GError     **error)
{
  g_autofree char *real = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *name = NULL;
  struct stat info;
  char *resolved;

  resolved = realpath (path, NULL);
  if (resolved == NULL || stat (resolved, &info) != 0)
    {
      int saved_errno = errno;

      free (resolved);
      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                   _("Could not open the tracker database “%s” to take the send lock: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }
  real = g_strdup (resolved);
  free (resolved);

  folder = g_path_get_dirname (real);
  name = g_strdup_printf (".resiliencescan-send-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ".lock",
                          (guint64) info.st_dev, (guint64) info.st_ino);

  return g_build_filename (folder, name, NULL);
}

/* Returns the locked descriptor, or -1 with @error set; @busy says whether
 * that was because another send holds the lock. */
static int
lock_take (RsStore   *store,
           gboolean  *busy,
           GError   **error)
{
  const char *path = rs_store_get_path (store);
  g_autofree char *lock = NULL;
  int fd;

  *busy = FALSE;
  lock = lock_path (path, error);
  if (lock == NULL)
    return -1;

  fd = open (lock, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                   _("Could not open the send lock “%s”: %s. Check that the folder of the "
                     "tracker database can be written to."),
                   lock, g_strerror (saved_errno));
      return -1;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        {
          *busy = TRUE;
          g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_BUSY,
                       _("Another send is running for this tracker database; wait until it "
                         "has finished, then try again."));
        }
      else
        {
          g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                       _("Could not take the send lock on “%s”: %s"), path,
                       g_strerror (saved_errno));
        }
      return -1;
    }

  return fd;
}

static gboolean
recover_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  return rs_delivery_recover (delivery, user_data, error);
}

/**
 * rs_send_job_recover:
 *
 * Call at start: records a send left in `sending` when its process died
 * become `unknown`, with a history row, so that a person decides whether
 * they were sent.
 */
gboolean
rs_send_job_recover (RsStore  *store,
                     GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean busy;
  guint n_recovered = 0;
  gboolean ok;
  int fd;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);

  fd = lock_take (store, &busy, &local_error);
  if (fd < 0)
    {
      /* Those records belong to the send that is running. */
      if (busy)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  ok = rs_store_write (store, recover_transaction, &n_recovered, error);
  if (ok && n_recovered > 0)
    g_debug ("%u records interrupted while sending are now unknown", n_recovered);
  close (fd);

  return ok;
}

static void
judge (RsSendItem          *item,
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

static gboolean
check_options (const RsSendOptions  *options,
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
judge_second_report (RsSendItem *item,
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
      double scores[RS_N_SCORES];
      double overall;
      const char *old_look;
      RsSendItem *item;

      if (wanted != NULL && !g_hash_table_remove (wanted, &id))
        continue;

      item = g_new0 (RsSendItem, 1);
      item->id = id;
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
      judge (item, options, (const char *) sqlite3_column_text (stmt, 7),
             sqlite3_column_int (stmt, 10), old_look == NULL || g_str_equal (old_look, look));
      if (item->skip == RS_SEND_SKIP_NONE && reported != NULL)
        judge_second_report (item, reported);

      g_ptr_array_add (item->skip == RS_SEND_SKIP_NONE ? plan->to_send : plan->skipped, item);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  /* Ids asked for that are not in the database, in the order given. */
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

typedef struct
{
  gint64 id;
  gboolean retry_failed;
  const char *new_message_id;
  /* The report the round planned to attach, and loaded */
  const char *report_path;
  const char *report_hash;
  gboolean claimed;
  /* The report went out of date since the round was planned */
  gboolean outdated;
  char *message_id;
} Claim;

/* Whether the report on record for @claim is still the one planned and
 * made from the data as it is now: an import, a merge of companies or a
 * report run during the round may have changed it since. */
static gboolean
report_still_current (sqlite3   *db,
                      Claim     *claim,
                      gboolean  *current,
                      GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *current = FALSE;
  rc = sqlite3_prepare_v2 (db,
                           "SELECT " RS_STORE_REPORT_CURRENT ", d.report_path, d.report_hash"
                           " FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE r.id = :id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  sqlite3_bind_int64 (stmt, 1, claim->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *current = sqlite3_column_int (stmt, 0) != 0 &&
               g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), claim->report_path) == 0 &&
               g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), claim->report_hash) == 0;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
claim_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  Claim *claim = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);
  gboolean current;

  g_clear_pointer (&claim->message_id, g_free);
  claim->claimed = FALSE;
  claim->outdated = FALSE;

  /* Checked in the transaction that claims: nothing can change it between. */
  if (!report_still_current (db, claim, &current, error))
    return FALSE;
  if (!current)
    {
      claim->outdated = TRUE;
      return TRUE;
    }

  return rs_delivery_claim (delivery, claim->id, claim->retry_failed, claim->new_message_id,
                            &claim->claimed, &claim->message_id, error);
}

typedef struct
{
  gint64 id;
  RsStatus to;
  gboolean count_attempt;
  guint code;
  const char *error;
  const char *note;
  /* A failed record of this job to put back to pending, with its note */
  gint64 reopen_id;
  const char *reopen_note;
} Finish;

static gboolean
finish_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  Finish *finish = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  if (!rs_delivery_finish (delivery, finish->id, finish->to, finish->count_attempt,
                           finish->code, finish->error, finish->note, error))
    return FALSE;

  if (finish->reopen_id != 0 &&
      !rs_delivery_reopen (delivery, finish->reopen_id, finish->reopen_note, error))
    return FALSE;

  return TRUE;
}

typedef struct
{
  gint64 id;
  const char *note;
} TestSent;

static gboolean
test_sent_transaction (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  TestSent *test = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  return rs_delivery_note_test (delivery, test->id, test->note, error);
}

typedef struct
{
  RsSendItem *item;
  guint tries;
  /* A test message keeps its Message-ID across tries in this job; a live
   * one keeps the one stored with its record. */
  char *message_id;
} Work;

static void
work_free (gpointer data)
{
  Work *work = data;

  g_free (work->message_id);
  g_free (work);
}

typedef struct
{
  RsStore *store;
  const RsSendOptions *options;
  RsMailer *mailer;
  RsGraph *graph;
  RsSendSummary *summary;
  RsSendJobProgress progress;
  gpointer progress_data;
  GCancellable *cancellable;
  guint max_tries;
  guint backoff_ms;
  gint64 last_send;
  /* The queue waits until then (monotonic) because the server asked */
  gint64 resume_at;
  guint waits_in_a_row;
  /* The respondent of the last message this job had refused for good */
  gint64 last_failed_id;
  /* Messages in a row whose outcome is unknown */
  guint unknowns_in_a_row;
  /* Why the rest is left for a later send, when the server asked to wait
   * longer than the job waits */
  char *left_because;
  /* The access token in use (a copy, wiped at the end), if any */
  char *token;
  /* The message in hand: cancelled the stop grace after the job's
   * cancellable (see Watchdog) */
  GCancellable *transport_cancellable;
  /* What is done so far, in the activity log */
  RsActivityCheckpoint checkpoint;
} Job;

/* A stop lets the message in hand finish for a few seconds, then breaks it
 * off: a server that hangs does not keep the job (and a Ctrl+C) waiting for
 * minutes. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean stopped;
  gboolean done;
  gint64 grace_us;
  GCancellable *transport;
  GThread *thread;
  gulong handler;
} Watchdog;

static void
watchdog_stop_cb (GCancellable *cancellable,
                  gpointer      data)
{
  Watchdog *watchdog = data;

  g_mutex_lock (&watchdog->lock);
  watchdog->stopped = TRUE;
  g_cond_signal (&watchdog->cond);
  g_mutex_unlock (&watchdog->lock);
}

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *watchdog = data;
  gboolean break_off = FALSE;

  g_mutex_lock (&watchdog->lock);
  while (!watchdog->stopped && !watchdog->done)
    g_cond_wait (&watchdog->cond, &watchdog->lock);
  if (!watchdog->done)
    {
      gint64 end = g_get_monotonic_time () + watchdog->grace_us;

      while (!watchdog->done && g_cond_wait_until (&watchdog->cond, &watchdog->lock, end))
        ;
      break_off = !watchdog->done;
    }
  g_mutex_unlock (&watchdog->lock);

  if (break_off)
    {
      g_debug ("Stopped: the message in hand is broken off");
      g_cancellable_cancel (watchdog->transport);
    }

  return NULL;
}

static void
watchdog_start (Watchdog     *watchdog,
                guint         grace_ms,
                GCancellable *cancellable)
{
  watchdog->grace_us = grace_ms > 0 ? (gint64) grace_ms * G_TIME_SPAN_MILLISECOND
                                    : RS_SEND_STOP_GRACE_S * G_USEC_PER_SEC;
  g_mutex_init (&watchdog->lock);
  g_cond_init (&watchdog->cond);
  watchdog->transport = g_cancellable_new ();
  if (cancellable == NULL)
    return;
  watchdog->thread = g_thread_new ("rs-send-stop", watchdog_thread, watchdog);
  watchdog->handler = g_cancellable_connect (cancellable, G_CALLBACK (watchdog_stop_cb),
                                             watchdog, NULL);
}

static void
watchdog_end (Watchdog     *watchdog,
              GCancellable *cancellable)
{
  if (watchdog->thread != NULL)
    {
      g_cancellable_disconnect (cancellable, watchdog->handler);
      g_mutex_lock (&watchdog->lock);
      watchdog->done = TRUE;
      g_cond_signal (&watchdog->cond);
      g_mutex_unlock (&watchdog->lock);
      g_thread_join (watchdog->thread);
    }
  g_clear_object (&watchdog->transport);
  g_cond_clear (&watchdog->cond);
  g_mutex_clear (&watchdog->lock);
}

static void
job_set_token (Job        *job,
               const char *token)
{
  if (job->token != NULL)
    memset (job->token, 0, strlen (job->token));
  g_free (job->token);
  job->token = g_strdup (token);
}

/* Before a message: the token options->current_token says is the one to use
 * now, in place of the one in use if it differs (it was renewed before it
 * expired). FALSE with @error when none could be had. */
static gboolean
job_update_token (Job     *job,
                  GError **error)
{
  const RsSendOptions *options = job->options;
  g_autofree char *token = NULL;

  if (options->current_token == NULL || job->token == NULL)
    return TRUE;

  token = options->current_token (options->refresh_data, job->cancellable, error);
  if (token == NULL || *token == '\0')
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                             _("No new sign-in token could be had. Sign in again in "
                               "Preferences."));
      return FALSE;
    }
  if (strcmp (token, job->token) != 0)
    {
      g_debug ("The access token is about to expire; using a new one");
      if (job->graph != NULL)
        rs_graph_set_access_token (job->graph, token);
      else
        rs_mailer_set_access_token (job->mailer, token);
      job_set_token (job, token);
    }
  memset (token, 0, strlen (token));

  return TRUE;
}

/* The subject, body and recipient of @item's message, as it will be sent. */
static void
compose (const RsSendOptions  *options,
         const RsSendItem     *item,
         char                **subject_out,
         char                **body_out,
         const char          **to_out)
{
  gboolean dutch = g_strcmp0 (item->language, "nl") == 0;
  const char *subject_template = dutch ? options->subject_nl : options->subject_en;
  const char *body_template = dutch ? options->body_nl : options->body_en;
  g_autofree char *date = rs_template_format_date (item->submitted_at, dutch ? "nl" : "en");
  RsTemplateValues values = {
    .name = item->person,
    .company = item->company,
    .function = item->function,
    .email = item->email,
    .date = date,
    .overall = item->overall,
  };
  char *subject;
  char *body;

  if (subject_template == NULL)
    subject_template = rs_template_default_subject (dutch ? "nl" : "en");
  if (body_template == NULL)
    body_template = rs_template_default_body (dutch ? "nl" : "en");
  subject = rs_template_expand (subject_template, &values);
  body = rs_template_expand (body_template, &values);
  *to_out = item->email;

  if (options->mode == RS_SEND_MODE_TEST)
    {
      g_autofree char *line = NULL;
      char *tmp;

      *to_out = options->test_address;
      tmp = g_strconcat ("[TEST] ", subject, NULL);
      g_free (subject);
      subject = tmp;

      line = g_strdup_printf (_("This test message would have gone to %s <%s>."),
                              item->person, item->email);
      tmp = g_strconcat (line, "\n\n", body, NULL);
      g_free (body);
      body = tmp;
    }

  *subject_out = subject;
  *body_out = body;
}

static char *
file_sha256 (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* The report to attach for @item: the file, when it is byte for byte the
 * one the report job wrote for this respondent; otherwise the report made
 * again from the database, when the database still has the data it was
 * made from. Another database sharing the folder, or a person, may have
 * written over the file. @remade says which it was. */
static GBytes *
load_report (Job         *job,
             RsSendItem  *item,
             gboolean    *remade,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(RsReportSource) source = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *input_hash = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *tmp_path = NULL;
  char *contents = NULL;
  gsize length = 0;

  *remade = FALSE;

  if (g_file_get_contents (item->report_path, &contents, &length, NULL))
    {
      bytes = g_bytes_new_take (contents, length);
      sha256 = file_sha256 (bytes);
      if (item->report_sha256 != NULL && g_str_equal (sha256, item->report_sha256))
        return g_steal_pointer (&bytes);
    }

  source = rs_report_source_load (job->store, item->id, &local_error);
  if (source != NULL)
    input_hash = rs_report_input_hash (&source->input);
  if (input_hash == NULL || g_strcmp0 (input_hash, item->report_hash) != 0)
    goto changed;

  tmp_dir = g_dir_make_tmp ("resiliencescan-report-XXXXXX", &local_error);
  if (tmp_dir == NULL)
    goto changed;
  tmp_path = g_build_filename (tmp_dir, "report.pdf", NULL);
  if (rs_report_write_pdf (&source->input, tmp_path, &local_error) &&
      g_file_get_contents (tmp_path, &contents, &length, &local_error))
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      bytes = g_bytes_new_take (contents, length);
    }
  else
    g_clear_pointer (&bytes, g_bytes_unref);
  g_unlink (tmp_path);
  g_rmdir (tmp_dir);
  if (bytes == NULL)
    goto changed;

  *remade = TRUE;
  return g_steal_pointer (&bytes);

changed:
  if (local_error != NULL)
    g_debug ("The report of %lld cannot be made again: %s", (long long) item->id,
             local_error->message);
  g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
               _("the report “%s” changed on disk since it was made; make the reports "
                 "again"), item->report_path);
  return NULL;
}

/* The message to @item with @report attached and the Message-ID
 * @message_id (NULL: a new one, returned in @message_id_out). */
static GBytes *
build_message (Job         *job,
               RsSendItem  *item,
               GBytes      *report,
               const char  *message_id,
               char       **message_id_out,
               char       **sent_to,
               GError     **error)
{
  const RsSendOptions *options = job->options;
  g_autoptr(RsMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file_name = NULL;
  gboolean dutch = g_strcmp0 (item->language, "nl") == 0;
  const char *to;
  GBytes *bytes;

  compose (options, item, &subject, &body, &to);

  message = rs_message_new (options->from_address, options->from_name, to, options->reply_to,
                            subject, body, &local_error);
  if (message == NULL)
    goto failed;
  if (message_id != NULL && !rs_message_set_message_id (message, message_id, &local_error))
    goto failed;
  if (options->mode == RS_SEND_MODE_LIVE &&
      !rs_message_set_to_name (message, item->person, &local_error))
    goto failed;
  if (!rs_message_set_language (message, dutch ? "nl" : "en", &local_error))
    goto failed;

  file_name = rs_report_attachment_name (item->report_path);
  if (!rs_message_attach (message, file_name, -1, report, "application/pdf", &local_error))
    goto failed;

  bytes = rs_message_to_bytes (message, &local_error);
  if (bytes == NULL)
    goto failed;

  *message_id_out = g_strdup (rs_message_get_message_id (message));
  *sent_to = g_strdup (rs_message_get_envelope_to (message));
  return bytes;

failed:
  g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
               _("The message to %s (%s) could not be made: %s"), item->person, item->company,
               local_error->message);
  return NULL;
}

/* @item's message through Microsoft Graph: the same subject, text,
 * recipient, report and Message-ID as the SMTP message build_message()
 * made and checked. */
static RsMailOutcome
send_graph (Job         *job,
            RsSendItem  *item,
            GBytes      *report,
            const char  *message_id,
            guint       *code,
            char       **reply,
            guint       *retry_after_s,
            GError     **error)
{
  const RsSendOptions *options = job->options;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file_name = rs_report_attachment_name (item->report_path);
  const char *to;
  RsGraphMessage message = { 0 };
  RsMailOutcome outcome;

  compose (options, item, &subject, &body, &to);
  message.to_address = to;
  message.to_name = options->mode == RS_SEND_MODE_LIVE ? item->person : NULL;
  message.from_address = options->from_address;
  message.from_name = options->from_name;
  message.reply_to = options->reply_to;
  message.subject = subject;
  message.text = body;
  message.message_id = message_id;
  message.attachment_name = file_name;
  message.attachment_type = "application/pdf";
  message.attachment = report;

  outcome = rs_graph_send (job->graph, &message, code, reply, job->transport_cancellable, error);
  *retry_after_s = outcome == RS_MAIL_TEMPORARY ? rs_graph_get_retry_after (job->graph) : 0;

  return outcome;
}

/* Sleeps until @until (monotonic), waking up when the job is cancelled. */
static gboolean
wait_until (Job    *job,
            gint64  until)
{
  GPollFD fd;
  gboolean have_fd;

  have_fd = job->cancellable != NULL && g_cancellable_make_pollfd (job->cancellable, &fd);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (g_cancellable_is_cancelled (job->cancellable))
        break;
      if (now >= until)
        break;

      if (have_fd)
        g_poll (&fd, 1, (int) MIN ((until - now + 999) / 1000, G_MAXINT));
      else
        g_usleep (MIN (until - now, G_USEC_PER_SEC / 10));
    }
  if (have_fd)
    g_cancellable_release_fd (job->cancellable);

  return !g_cancellable_is_cancelled (job->cancellable);
}

static RsSendResult *
result_new (RsSendItem *item,
            guint       tries)
{
  RsSendResult *result = g_new0 (RsSendResult, 1);

  result->id = item->id;
  result->person = g_strdup (item->person);
  result->company = g_strdup (item->company);
  result->email = g_strdup (item->email);
  result->tries = tries;

  return result;
}

static void
report (Job          *job,
        RsSendItem   *item,
        RsSendResult *result)
{
  if (job->progress != NULL)
    job->progress (job->summary, item, result, job->progress_data);
}

/* Adds a final result to the summary and tells the caller. */
static void
conclude (Job          *job,
          RsSendItem   *item,
          RsSendResult *result)
{
  RsSendSummary *summary = job->summary;

  switch (result->outcome)
    {
    case RS_SEND_OUTCOME_SENT:
      summary->sent++;
      break;
    case RS_SEND_OUTCOME_FAILED:
      summary->failed++;
      break;
    case RS_SEND_OUTCOME_DEFERRED:
      summary->deferred++;
      break;
    case RS_SEND_OUTCOME_UNKNOWN:
      summary->unknown++;
      break;
    case RS_SEND_OUTCOME_SKIPPED:
    default:
      summary->skipped++;
      break;
    }
  summary->remaining--;
  g_ptr_array_add (summary->results, result);
  report (job, item, result);
  /* Each message's outcome is on record at once: a round a crash cuts
   * short keeps its counts (messages go out a few a second at most). */
  rs_activity_checkpoint_send (job->store, &job->checkpoint, summary, 0);
}

/* How long the queue waits after the @n-th temporary reply in a row. */
static guint64
backoff_ms (Job   *job,
            guint  n)
{
  guint64 ms = job->backoff_ms;

  for (guint i = 1; i < n && ms < RS_SEND_MAX_BACKOFF_MS; i++)
    ms *= 2;

  return MIN (ms, RS_SEND_MAX_BACKOFF_MS);
}

typedef enum
{
  SEND_DONE,
  SEND_AGAIN,
  SEND_STOP,
} SendNext;

/* No token could be had for @work's message, for now: nothing was claimed
 * or sent; the whole queue waits as after a temporary reply, then this
 * message goes first. */
static SendNext
wait_for_sign_in (Job           *job,
                  Work          *work,
                  RsSendResult  *result,
                  const GError  *why)
{
  guint64 wait_ms;

  job->waits_in_a_row++;
  wait_ms = backoff_ms (job, job->waits_in_a_row);
  job->resume_at = g_get_monotonic_time () + (gint64) wait_ms * 1000;
  job->summary->waits++;
  job->summary->wait_s = (guint) ((wait_ms + 999) / 1000);

  result->outcome = RS_SEND_OUTCOME_DEFERRED;
  result->error = g_strdup (why->message);
  result->will_retry = job->waits_in_a_row < RS_SEND_MAX_WAITS;
  if (result->will_retry)
    {
      report (job, work->item, result);
      result_free (result);
      return SEND_AGAIN;
    }
  conclude (job, work->item, result);
  return SEND_DONE;
}

/* Handles one message. SEND_STOP with @error when the whole job must stop;
 * SEND_AGAIN when the server asked to wait and @work is tried again after
 * the wait. */
static SendNext
send_one (Job       *job,
          Work      *work,
          GError   **error)
{
  const RsSendOptions *options = job->options;
  gboolean live = options->mode == RS_SEND_MODE_LIVE;
  RsSendItem *item = work->item;
  g_autoptr(RsSendResult) result = NULL;
  g_autoptr(GBytes) report_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) send_error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *remade_note = NULL;
  g_autofree char *sent_to = NULL;
  g_autofree char *reply = NULL;
  Claim claim = { item->id, options->retry_failed, NULL, item->report_path, item->report_hash,
                  FALSE, FALSE, NULL };
  RsMailOutcome outcome;
  Finish finish = { .id = item->id };
  gboolean remade = FALSE;
  guint code = 0;
  guint retry_after_s = 0;

  result = result_new (item, work->tries);

  /* Never the wrong attachment: checked before anything is claimed. */
  report_bytes = load_report (job, item, &remade, &send_error);
  if (report_bytes == NULL)
    {
      result->outcome = RS_SEND_OUTCOME_DEFERRED;
      result->error = g_strdup (send_error->message);
      conclude (job, item, g_steal_pointer (&result));
      return SEND_DONE;
    }
  /* Reports made before their files were fingerprinted are made again
   * without a word; a file that changed is worth a line in the history. */
  if (remade && item->report_sha256 != NULL)
    remade_note = g_strdup (_("the report file had changed on disk; the report was made "
                              "again from the database for this message"));

  /* The token for this message before the record says `sending`: getting
   * one may take a while, and nothing has gone out meanwhile. */
  if (!job_update_token (job, &send_error))
    {
      /* Stopped while asking: nothing was claimed. */
      if (g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job->summary->cancelled = TRUE;
          return SEND_DONE;
        }
      if (!rs_oauth_error_is_temporary (send_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&send_error),
                                      _("Sending stopped at %s (%s): "), item->person,
                                      item->company);
          return SEND_STOP;
        }
      return wait_for_sign_in (job, work, g_steal_pointer (&result), send_error);
    }

  if (live)
    {
      g_autofree char *new_id = rs_message_new_message_id (options->from_address);

      claim.new_message_id = new_id;
      if (!rs_store_write (job->store, claim_transaction, &claim, error))
        return SEND_STOP;
      if (claim.outdated)
        {
          result->outcome = RS_SEND_OUTCOME_SKIPPED;
          result->error = g_strdup (_("the report went out of date during the round (its data "
                                      "or its company changed); not sent: make the reports "
                                      "again and send again"));
          conclude (job, item, g_steal_pointer (&result));
          return SEND_DONE;
        }
      if (!claim.claimed)
        {
          result->outcome = RS_SEND_OUTCOME_SKIPPED;
          result->error = g_strdup (_("the status was changed by hand while sending; "
                                      "not sent"));
          conclude (job, item, g_steal_pointer (&result));
          return SEND_DONE;
        }
      g_free (work->message_id);
      work->message_id = g_steal_pointer (&claim.message_id);
    }

  bytes = build_message (job, item, report_bytes, work->message_id, &message_id, &sent_to,
                         &send_error);
  if (bytes == NULL)
    {
      result->outcome = RS_SEND_OUTCOME_FAILED;
      result->error = g_strdup (send_error->message);
      if (live)
        {
          finish.to = RS_STATUS_FAILED;
          finish.error = send_error->message;
          finish.note = send_error->message;
          if (!rs_store_write (job->store, finish_transaction, &finish, error))
            return SEND_STOP;
        }
      conclude (job, item, g_steal_pointer (&result));
      return SEND_DONE;
    }
  if (work->message_id == NULL)
    work->message_id = g_strdup (message_id);
  result->sent_to = g_strdup (sent_to);
  result->message_id = g_strdup (message_id);

  report (job, item, NULL);

  /* A message once begun is finished: a stop breaks it off only after the
   * stop grace (the transport's cancellable), and the record never stays in
   * `sending` because of it. */
  job->last_send = g_get_monotonic_time ();
  work->tries++;
  result->tries = work->tries;
  for (guint refreshed = 0;; refreshed++)
    {
      g_autofree char *token = NULL;

      if (job->graph != NULL)
        outcome = send_graph (job, item, report_bytes, message_id, &code, &reply,
                              &retry_after_s, &send_error);
      else
        outcome = rs_mailer_send (job->mailer, options->from_address, sent_to, bytes, &code,
                                  &reply, job->transport_cancellable, &send_error);

      /* A refused token: nothing went out; a new one, once. */
      if (refreshed > 0 || options->refresh_token == NULL
          || !(g_error_matches (send_error, RS_MAILER_ERROR, RS_MAILER_ERROR_TOKEN_EXPIRED)
               || g_error_matches (send_error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED)))
        break;

      g_debug ("The access token was refused; getting a new one");
      g_clear_error (&send_error);
      g_clear_pointer (&reply, g_free);
      token = options->refresh_token (options->refresh_data, job->cancellable, &send_error);
      if (token == NULL || *token == '\0')
        {
          if (send_error == NULL)
            g_set_error_literal (&send_error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                                 _("No new sign-in token could be had. Sign in again in "
                                   "Preferences."));
          /* Nothing went out: a provider that cannot answer now is a wait
           * like any other, not the end of the round. */
          outcome = rs_oauth_error_is_temporary (send_error) ? RS_MAIL_TEMPORARY : RS_MAIL_STOP;
          code = 0;
          break;
        }
      if (job->graph != NULL)
        rs_graph_set_access_token (job->graph, token);
      else
        rs_mailer_set_access_token (job->mailer, token);
      job_set_token (job, token);
      memset (token, 0, strlen (token));
    }
  result->reply_code = code;

  if (outcome != RS_MAIL_TEMPORARY)
    job->waits_in_a_row = 0;
  if (outcome == RS_MAIL_SENT || outcome == RS_MAIL_FAILED)
    job->unknowns_in_a_row = 0;

  switch (outcome)
    {
    case RS_MAIL_SENT:
      result->outcome = RS_SEND_OUTCOME_SENT;
      job->last_failed_id = 0;
      if (live)
        {
          finish.to = RS_STATUS_SENT;
          finish.count_attempt = TRUE;
          finish.note = remade_note;
          if (!rs_store_write (job->store, finish_transaction, &finish, error))
            return SEND_STOP;
        }
      else
        {
          g_autofree char *note = g_strdup_printf (_("test message sent to %s"), sent_to);
          TestSent test = { item->id, note };

          if (!rs_store_write (job->store, test_sent_transaction, &test, error))
            return SEND_STOP;
        }
      break;

    case RS_MAIL_FAILED:
      result->outcome = RS_SEND_OUTCOME_FAILED;
      result->error = g_strdup (send_error->message);
      if (live)
        {
          finish.to = RS_STATUS_FAILED;
          finish.count_attempt = TRUE;
          finish.code = code;
          finish.error = send_error->message;
          finish.note = send_error->message;
          if (!rs_store_write (job->store, finish_transaction, &finish, error))
            return SEND_STOP;
        }
      job->last_failed_id = item->id;
      break;

    case RS_MAIL_UNKNOWN:
      {
        const char *note = _("the message went out but the server did not answer, so it may "
                             "have arrived; check your Sent folder and set the status by hand");

        /* Exactly as after a crash: never sent again without a person. */
        result->outcome = RS_SEND_OUTCOME_UNKNOWN;
        result->error = g_strdup (send_error != NULL ? send_error->message : note);
        job->last_failed_id = 0;
        if (live)
          {
            finish.to = RS_STATUS_UNKNOWN;
            finish.count_attempt = TRUE;
            finish.error = note;
            finish.note = send_error != NULL ? send_error->message : note;
            if (!rs_store_write (job->store, finish_transaction, &finish, error))
              return SEND_STOP;
          }

        /* A server that leaves message after message without an answer is
         * in trouble: the rest wait for a later send instead of each
         * becoming a message a person must look for. */
        if (++job->unknowns_in_a_row >= RS_SEND_MAX_UNKNOWN)
          {
            g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_UNANSWERED,
                         /* Translators: a person, their company, the server's answer */
                         _("Sending stopped: the server gave no clear answer for %u messages "
                           "in a row, the last to %s (%s): %s. Check the Sent folder and set "
                           "the status of those marked unknown by hand; the others stay "
                           "pending for a later send."),
                         job->unknowns_in_a_row, item->person, item->company,
                         result->error);
            conclude (job, item, g_steal_pointer (&result));
            return SEND_STOP;
          }
      }
      break;

    case RS_MAIL_TEMPORARY:
      {
        guint64 wait_ms;

        job->waits_in_a_row++;
        /* As long as the server asked, and never less than the back-off;
         * asked to wait more than an hour, the round leaves the rest for a
         * later send rather than sit there. */
        if (retry_after_s > RS_SEND_MAX_RETRY_AFTER_S)
          {
            guint hours = (guint) MIN (((guint64) retry_after_s + 3599) / 3600, 999999);

            job->waits_in_a_row = MAX (job->waits_in_a_row, RS_SEND_MAX_WAITS);
            retry_after_s = 0;
            g_free (job->left_because);
            job->left_because =
              g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "not sent: the server asked to wait %u hour, longer "
                                            "than a send waits; send again later",
                                            "not sent: the server asked to wait %u hours, longer "
                                            "than a send waits; send again later", hours),
                               hours);
            g_clear_error (&send_error);
            g_set_error_literal (&send_error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                                 job->left_because);
          }
        wait_ms = MAX (backoff_ms (job, job->waits_in_a_row), (guint64) retry_after_s * 1000);
        if (job->waits_in_a_row >= RS_SEND_MAX_WAITS)
          wait_ms = 0;
        job->resume_at = g_get_monotonic_time () + (gint64) wait_ms * 1000;
        job->summary->waits++;
        job->summary->wait_s = (guint) ((wait_ms + 999) / 1000);

        result->outcome = RS_SEND_OUTCOME_DEFERRED;
        result->error = g_strdup (send_error->message);
        result->will_retry = work->tries < job->max_tries &&
                             job->waits_in_a_row < RS_SEND_MAX_WAITS;
        if (live)
          {
            finish.to = RS_STATUS_PENDING;
            finish.count_attempt = TRUE;
            finish.code = code;
            finish.error = send_error->message;
            finish.note = send_error->message;
            if (!rs_store_write (job->store, finish_transaction, &finish, error))
              return SEND_STOP;
          }
        if (result->will_retry)
          {
            report (job, item, result);
            return SEND_AGAIN;
          }
      }
      break;

    case RS_MAIL_STOP:
      /* Broken off by a stop before the message was through: not sent,
       * back to pending; the job ends as stopped, not failed. */
      if (g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          const char *note = _("not sent: sending was stopped");

          result->outcome = RS_SEND_OUTCOME_DEFERRED;
          result->error = g_strdup (note);
          if (live)
            {
              finish.to = RS_STATUS_PENDING;
              finish.note = note;
              if (!rs_store_write (job->store, finish_transaction, &finish, error))
                return SEND_STOP;
            }
          job->summary->cancelled = TRUE;
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      {
        g_autofree char *note = g_strdup_printf (_("not sent: sending stopped: %s"),
                                                 send_error->message);
        g_autofree char *reopen_note = NULL;

        /* The same refusal for two recipients in a row is about the sender,
         * not about the one before either. */
        if (g_error_matches (send_error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED) &&
            job->last_failed_id != 0)
          {
            reopen_note = g_strdup_printf (_("back to pending: the same refusal came for the "
                                             "next respondent, so it was not about this "
                                             "one: %s"), send_error->message);
            finish.reopen_id = job->last_failed_id;
            finish.reopen_note = reopen_note;
          }

        if (live)
          {
            /* The server did not take it: it is no one's failure. */
            finish.to = RS_STATUS_PENDING;
            finish.note = note;
            if (!rs_store_write (job->store, finish_transaction, &finish, error))
              return SEND_STOP;
          }
        g_propagate_prefixed_error (error, g_steal_pointer (&send_error),
                                    _("Sending stopped at %s (%s): "), item->person,
                                    item->company);
        return SEND_STOP;
      }
    }

  conclude (job, item, g_steal_pointer (&result));
  return SEND_DONE;
}

/* Those the job will not get to: the server kept asking to wait. */
static void
leave_pending (Job    *job,
               GQueue *queue)
{
  Work *work;

  while ((work = g_queue_pop_head (queue)) != NULL)
    {
      RsSendResult *result = result_new (work->item, work->tries);

      result->outcome = RS_SEND_OUTCOME_DEFERRED;
      result->error = job->left_because != NULL
                      ? g_strdup (job->left_because)
                      : g_strdup (_("not sent yet: the server kept asking to wait; send again "
                                    "later"));
      conclude (job, work->item, result);
    }
}

static gboolean
run_queue (Job     *job,
           GError **error)
{
  const RsSendOptions *options = job->options;
  gint64 interval = options->rate_per_minute > 0
                    ? 60 * G_USEC_PER_SEC / options->rate_per_minute : 0;
  GPtrArray *to_send = job->summary->plan->to_send;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (work_free);
  GQueue queue = G_QUEUE_INIT;
  gboolean ok = TRUE;

  for (guint i = 0; i < to_send->len; i++)
    {
      Work *work = g_new0 (Work, 1);

      work->item = g_ptr_array_index (to_send, i);
      g_ptr_array_add (all, work);
      g_queue_push_tail (&queue, work);
    }

  while (!g_queue_is_empty (&queue))
    {
      Work *work = g_queue_pop_head (&queue);
      gint64 due = job->resume_at;

      /* The server asked to wait: the seconds left are told every second. */
      while (g_get_monotonic_time () < job->resume_at &&
             !g_cancellable_is_cancelled (job->cancellable))
        {
          gint64 now = g_get_monotonic_time ();
          gint64 left = job->resume_at - now;
          gint64 step = left % G_USEC_PER_SEC != 0 ? left % G_USEC_PER_SEC : G_USEC_PER_SEC;

          job->summary->wait_s = (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
          report (job, work->item, NULL);
          wait_until (job, now + step);
        }
      job->summary->wait_s = 0;

      if (interval > 0 && job->last_send != 0)
        due = MAX (due, job->last_send + interval);
      if (!wait_until (job, due))
        {
          job->summary->cancelled = TRUE;
          break;
        }

      switch (send_one (job, work, error))
        {
        case SEND_STOP:
          ok = FALSE;
          break;
        case SEND_AGAIN:
          /* The whole queue waits, then this message goes first. */
          g_queue_push_head (&queue, work);
          break;
        case SEND_DONE:
        default:
          if (job->waits_in_a_row >= RS_SEND_MAX_WAITS)
            leave_pending (job, &queue);
          break;
        }
      if (!ok)
        break;
    }

  job->summary->wait_s = 0;
  g_queue_clear (&queue);
  return ok;
}

/**
 * rs_send_job_run:
 * @progress: (nullable): told before and after each message, in this thread
 *
 * Returns: (transfer full): what happened to each planned message
 */
RsSendSummary *
rs_send_job_run (RsStore              *store,
                 const RsSendOptions  *options,
                 RsSendJobProgress     progress,
                 gpointer              progress_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean busy;
  guint n_recovered = 0;
  gboolean ok;
  Job job = { 0 };
  Watchdog watchdog = { 0 };
  gint64 activity;
  int fd;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!check_options (options, error))
    return NULL;

  if (options->transport == RS_SEND_TRANSPORT_GRAPH)
    {
      graph = rs_graph_new (&options->graph, error);
      if (graph == NULL)
        return NULL;
    }
  else
    {
      mailer = rs_mailer_new (&options->mailer, error);
      if (mailer == NULL)
        return NULL;
    }

  fd = lock_take (store, &busy, error);
  if (fd < 0)
    return NULL;

  /* The round is on record from here: as running until it ends, so that
   * one a crash cut short is there too. */
  activity = rs_activity_begin (store, RS_ACTIVITY_SEND,
                                options->mode == RS_SEND_MODE_TEST ? options->test_address
                                                                   : NULL,
                                options->mode == RS_SEND_MODE_TEST);

  if (!rs_store_write (store, recover_transaction, &n_recovered, &local_error) ||
      (options->mode == RS_SEND_MODE_LIVE && options->n_allow_second_ids > 0 &&
       !rs_send_job_allow_second (store, options->allow_second_ids,
                                  options->n_allow_second_ids, TRUE, &local_error)))
    {
      rs_activity_end_send (store, activity, NULL, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      close (fd);
      return NULL;
    }

  summary = g_new0 (RsSendSummary, 1);
  summary->mode = options->mode;
  summary->results = g_ptr_array_new_with_free_func (result_free);
  summary->plan = rs_send_job_plan (store, options, &local_error);
  if (summary->plan == NULL)
    {
      rs_activity_end_send (store, activity, NULL, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      close (fd);
      return NULL;
    }
  summary->total = summary->plan->to_send->len;
  summary->remaining = summary->total;
  summary->skipped = summary->plan->skipped->len;

  job.store = store;
  job.checkpoint.id = activity;
  job.options = options;
  job.mailer = mailer;
  job.graph = graph;
  job.summary = summary;
  job.progress = progress;
  job.progress_data = progress_data;
  job.cancellable = cancellable;
  job.max_tries = options->max_tries > 0 ? options->max_tries : RS_SEND_DEFAULT_MAX_TRIES;
  job.backoff_ms = options->backoff_ms > 0 ? options->backoff_ms : RS_SEND_DEFAULT_BACKOFF_MS;
  if (graph != NULL)
    job_set_token (&job, options->graph.access_token);
  else if (options->mailer.access_token != NULL && *options->mailer.access_token != '\0')
    job_set_token (&job, options->mailer.access_token);

  watchdog_start (&watchdog, options->stop_grace_ms, cancellable);
  job.transport_cancellable = watchdog.transport;
  ok = run_queue (&job, &local_error);
  watchdog_end (&watchdog, cancellable);
  g_free (job.left_because);
  rs_activity_end_send (store, activity, summary, ok ? NULL : local_error);
  close (fd);
  job_set_token (&job, NULL);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&summary);
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

typedef struct
{
  RsSendOptions options;
  GPtrArray *strings;
  GArray *ids;
  GArray *allow_second_ids;
  RsSendJobProgress progress;
  gpointer progress_data;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *async = data;

  g_ptr_array_unref (async->strings);
  g_array_unref (async->ids);
  g_array_unref (async->allow_second_ids);
  g_free (async);
}

static const char *
keep (AsyncData  *async,
      const char *text)
{
  char *copy;

  if (text == NULL)
    return NULL;

  copy = g_strdup (text);
  g_ptr_array_add (async->strings, copy);

  return copy;
}

/* What a job's thread ends with, returned once the thread has ended. */
typedef struct
{
  GTask *task;
  GThread *thread;
  RsSendSummary *summary;
  GError *error;
} Ending;

static gboolean
return_when_ended (gpointer user_data)
{
  Ending *ending = user_data;

  /* The thread has nothing left to do but end: waited for, it never
   * outlives the job. (A command line that exits while the thread ends
   * races the TLS library's own clean-up at exit: a double free.) */
  g_thread_join (ending->thread);
  if (ending->summary == NULL)
    g_task_return_error (ending->task, ending->error);
  else
    g_task_return_pointer (ending->task, ending->summary, (GDestroyNotify) rs_send_summary_free);
  g_object_unref (ending->task);
  g_free (ending);

  return G_SOURCE_REMOVE;
}

static gpointer
job_thread (gpointer user_data)
{
  GTask *task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  RsStore *store = g_task_get_source_object (task);
  Ending *ending = g_new0 (Ending, 1);
  GSource *source;

  rs_thread_set_background ();
  ending->summary = rs_send_job_run (store, &data->options, data->progress, data->progress_data,
                                     g_task_get_cancellable (task), &ending->error);
  rs_store_release_connection (store);

  ending->task = task;
  ending->thread = g_thread_ref (g_thread_self ());
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, return_when_ended, ending, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);

  return NULL;
}

/* rs_send_job_run() in a thread of its own: with a rate limit it runs for
 * a long time. @options is copied. */
void
rs_send_job_run_async (RsStore              *store,
                       const RsSendOptions  *options,
                       RsSendJobProgress     progress,
                       gpointer              progress_data,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (options != NULL);

  data = g_new0 (AsyncData, 1);
  data->strings = g_ptr_array_new_with_free_func (g_free);
  data->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (options->n_ids > 0)
    g_array_append_vals (data->ids, options->ids, options->n_ids);
  data->allow_second_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (options->n_allow_second_ids > 0)
    g_array_append_vals (data->allow_second_ids, options->allow_second_ids,
                         options->n_allow_second_ids);
  data->options = *options;
  data->options.ids = (const gint64 *) data->ids->data;
  data->options.allow_second_ids = (const gint64 *) data->allow_second_ids->data;
  data->options.test_address = keep (data, options->test_address);
  data->options.mailer.url = keep (data, options->mailer.url);
  data->options.mailer.user = keep (data, options->mailer.user);
  data->options.mailer.password = keep (data, options->mailer.password);
  data->options.mailer.ca_file = keep (data, options->mailer.ca_file);
  data->options.mailer.pinned_key = keep (data, options->mailer.pinned_key);
  data->options.mailer.access_token = keep (data, options->mailer.access_token);
  data->options.graph.url = keep (data, options->graph.url);
  data->options.graph.access_token = keep (data, options->graph.access_token);
  data->options.graph.ca_file = keep (data, options->graph.ca_file);
  data->options.from_address = keep (data, options->from_address);
  data->options.from_name = keep (data, options->from_name);
  data->options.reply_to = keep (data, options->reply_to);
  data->options.subject_en = keep (data, options->subject_en);
  data->options.body_en = keep (data, options->body_en);
  data->options.subject_nl = keep (data, options->subject_nl);
  data->options.body_nl = keep (data, options->body_nl);
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_send_job_run_async);
  /* Stopped, the job still returns what it did: a cancelled cancellable must
   * not turn that into an error in _finish(). */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, async_data_free);
  g_thread_unref (g_thread_new ("rs-send-job", job_thread, g_steal_pointer (&task)));
}

RsSendSummary *
rs_send_job_run_finish (RsStore       *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
  if (summary->failed > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Failed: %u."), summary->failed);
    }
  if (summary->deferred > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Not sent yet: %u."), summary->deferred);
    }
  if (summary->unknown > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Unknown, check your Sent folder: %u."), summary->unknown);
    }
  if (summary->skipped > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Skipped: %u."), summary->skipped);
    }
  if (summary->remaining > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Not handled: %u."), summary->remaining);
    }

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
  compose (options, item, &preview->subject, &preview->body, &to);
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
