/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-activity"

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "rs-activity.h"
#include "rs-activity-private.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-send-job.h"
#include "rs-test-cli.h"
#include "rs-test-master.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* The activity log against a real database, real imports and reports, and
 * a real SMTP server (smtp-server.py) that refuses one recipient: what is
 * recorded, by whom, with which failures and why; after a restart; a
 * round cancelled or stopped; an entry whose process died; the command
 * line in both formats. */

#define FROM "scan@example.com"

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

/* Lena's report is not possible (a pillar without scores); the last row
 * has no company and is skipped. */
static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,,,,,,,,,,,\n"
  "Sam Smit,Buyer,Waal Bouw,sam@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n"
  "No Company,Buyer,,nobody@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n";

enum { IVO = 1, ANNE, LENA, SAM };

typedef struct
{
  char *dir;
  char *db;
  char *csv;
  char *folder;
  RsStore *store;
  RsTestServer server;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  /* A name that CSV has to quote */
  fixture->csv = g_build_filename (fixture->dir, "master, \"round 2\".csv", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  g_assert_true (g_file_set_contents (fixture->csv, master_csv, -1, NULL));
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_server_stop (&fixture->server);
  if (fixture->store != NULL)
    rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->csv);
  g_free (fixture->folder);
}

static RsImportSummary *
import (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  RsImportSummary *summary;

  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static RsReportSummary *
make_reports (Fixture      *fixture,
              GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2, NULL, NULL,
                               cancellable, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static RsSendOptions
make_options (Fixture *fixture)
{
  RsSendOptions options = {
    .mode = RS_SEND_MODE_LIVE,
    .mailer = {
      .url = fixture->server.url,
      .connect_timeout_s = 5,
      .timeout_s = 10,
    },
    .from_address = FROM,
    .from_name = "Scan Team",
    .max_tries = 2,
    .backoff_ms = 10,
  };

  return options;
}

static GPtrArray *
list (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = rs_activity_list (fixture->store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);

  return entries;
}

static RsActivityEntry *
get (Fixture *fixture,
     gint64   id)
{
  g_autoptr(GError) error = NULL;
  RsActivityEntry *entry = rs_activity_get (fixture->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entry);
  g_assert_nonnull (entry->failures);
  g_assert_cmpuint (entry->failures->len, ==, entry->n_failures);

  return entry;
}

#define ENTRY(entries, i) ((RsActivityEntry *) g_ptr_array_index ((entries), (i)))

static const RsActivityFailure *
find_failure (const RsActivityEntry *entry,
              gint64                 respondent_id)
{
  for (guint i = 0; i < entry->failures->len; i++)
    {
      const RsActivityFailure *failure = g_ptr_array_index (entry->failures, i);

      if (failure->respondent_id == respondent_id)
        return failure;
    }

  return NULL;
}

static void
assert_ran_now (const RsActivityEntry *entry,
                gint64                 before)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpint (entry->started_at, >=, before);
  g_assert_cmpint (entry->started_at, <=, entry->ended_at);
  g_assert_cmpint (entry->ended_at, <=, now);
}

/* An import that committed points at its import_log row; one that failed
 * or was cancelled is there too, with why. */
static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(RsImportSummary) summary = import (fixture);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autofree char *missing_path = g_build_filename (fixture->dir, "missing.csv", NULL);
  g_autofree char *line = NULL;
  RsActivityEntry *entry;

  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = ENTRY (entries, 0);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_DONE);
  assert_ran_now (entry, before);
  g_assert_cmpint (entry->import_id, ==, summary->import_id);
  g_assert_cmpstr (entry->subject, ==, summary->file);
  g_assert_cmpuint (entry->added, ==, 4);
  g_assert_cmpuint (entry->added, ==, summary->added);
  g_assert_cmpuint (entry->updated, ==, summary->updated);
  g_assert_cmpuint (entry->unchanged, ==, summary->unchanged);
  g_assert_cmpuint (entry->skipped, ==, 1);
  g_assert_cmpuint (entry->flagged, ==, summary->flagged);
  g_assert_cmpuint (entry->n_failures, ==, summary->skipped + summary->flagged);
  g_assert_null (entry->error);
  line = rs_activity_entry_describe (entry);
  g_assert_nonnull (strstr (line, g_get_user_name ()));
  g_assert_nonnull (strstr (line, "4 new"));
  g_assert_nonnull (strstr (line, "1 skipped"));

  missing = g_file_new_for_path (missing_path);
  g_assert_null (rs_import_file (fixture->store, missing, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  g_assert_null (rs_import_file (fixture->store, file, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  later = list (fixture);
  g_assert_cmpuint (later->len, ==, 3);
  entry = ENTRY (later, 0);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_CANCELLED);
  g_assert_cmpint (entry->import_id, ==, 0);
  entry = ENTRY (later, 1);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_FAILED);
  g_assert_cmpint (entry->import_id, ==, 0);
  g_assert_nonnull (strstr (entry->subject, "missing.csv"));
  g_assert_nonnull (entry->error);
  g_assert_nonnull (strstr (entry->error, "missing.csv"));
  g_assert_cmpint (ENTRY (later, 2)->import_id, ==, summary->import_id);
}

/* A report run's counts and each report that could not be made, with why;
 * a run stopped before it began leaves everything not made. */
static void
test_reports (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(RsImportSummary) imported = import (fixture);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(RsReportSummary) summary = make_reports (fixture, NULL);
  g_autoptr(RsReportSummary) stopped = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(RsActivityEntry) entry = NULL;
  g_autoptr(RsActivityEntry) cancelled = NULL;
  const RsActivityFailure *failure;
  g_autofree char *text = NULL;

  g_assert_cmpuint (imported->added, ==, 4);
  g_assert_cmpuint (summary->made, ==, 3);
  g_assert_cmpuint (summary->not_possible, ==, 1);

  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpint (ENTRY (entries, 0)->kind, ==, RS_ACTIVITY_REPORTS);
  g_assert_cmpint (ENTRY (entries, 1)->kind, ==, RS_ACTIVITY_IMPORT);

  entry = get (fixture, ENTRY (entries, 0)->id);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_DONE);
  assert_ran_now (entry, before);
  g_assert_cmpstr (entry->subject, ==, fixture->folder);
  g_assert_cmpuint (entry->total, ==, 4);
  g_assert_cmpuint (entry->made, ==, 3);
  g_assert_cmpuint (entry->not_possible, ==, 1);
  g_assert_cmpuint (entry->failed, ==, 0);
  g_assert_cmpuint (entry->remaining, ==, 0);
  g_assert_cmpuint (entry->n_failures, ==, 1);
  failure = find_failure (entry, LENA);
  g_assert_nonnull (failure);
  g_assert_cmpstr (failure->person, ==, "Lena Öberg");
  g_assert_cmpstr (failure->address, ==, "Fjord AS");
  g_assert_cmpstr (failure->what, ==, "not-possible");
  g_assert_cmpstr (failure->reason, !=, "");
  for (guint i = 0; i < summary->results->len; i++)
    {
      RsReportResult *result = g_ptr_array_index (summary->results, i);

      if (result->id == LENA)
        g_assert_cmpstr (failure->reason, ==, result->reason);
    }
  text = rs_activity_failure_describe (failure);
  g_assert_nonnull (strstr (text, "Lena Öberg"));
  g_assert_nonnull (strstr (text, failure->reason));

  g_cancellable_cancel (cancellable);
  stopped = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, TRUE, 2, NULL, NULL,
                               cancellable, NULL);
  g_assert_nonnull (stopped);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 3);
  cancelled = get (fixture, ENTRY (entries, 0)->id);
  g_assert_cmpint (cancelled->kind, ==, RS_ACTIVITY_REPORTS);
  g_assert_cmpint (cancelled->outcome, ==, RS_ACTIVITY_OUTCOME_CANCELLED);
  g_assert_cmpuint (cancelled->total, ==, 4);
  g_assert_cmpuint (cancelled->remaining, ==, 4);
}

/* Run after an import and a report run: a live round in which the server
 * refuses Anne, her reason kept; the three, newest first. */
static gint64
send_with_failure (Fixture *fixture)
{
  g_autoptr(RsImportSummary) imported = import (fixture);
  g_autoptr(RsReportSummary) made = make_reports (fixture, NULL);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  RsSendOptions options;

  g_assert_cmpuint (imported->added, ==, 4);
  g_assert_cmpuint (made->made, ==, 3);
  rs_test_server_start (&fixture->server, "--rcpt-reply",
                        "anne@example.org=550 5.1.1 No such user here", NULL);
  options = make_options (fixture);
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->sent, ==, 2);
  g_assert_cmpuint (summary->failed, ==, 1);

  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpint (ENTRY (entries, 0)->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpint (ENTRY (entries, 1)->kind, ==, RS_ACTIVITY_REPORTS);
  g_assert_cmpint (ENTRY (entries, 2)->kind, ==, RS_ACTIVITY_IMPORT);

  return ENTRY (entries, 0)->id;
}

static void
assert_send_entry (Fixture *fixture,
                   gint64   id)
{
  g_autoptr(RsActivityEntry) entry = get (fixture, id);
  const RsActivityFailure *failure;
  g_autofree char *line = NULL;

  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_DONE);
  g_assert_false (entry->test);
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpuint (entry->total, ==, 3);
  g_assert_cmpuint (entry->sent, ==, 2);
  g_assert_cmpuint (entry->failed, ==, 1);
  g_assert_cmpuint (entry->skipped, ==, 1);
  g_assert_cmpuint (entry->remaining, ==, 0);
  g_assert_cmpuint (entry->n_failures, ==, 1);
  failure = find_failure (entry, ANNE);
  g_assert_nonnull (failure);
  g_assert_cmpstr (failure->person, ==, "Anne Jansen");
  g_assert_cmpstr (failure->address, ==, "anne@example.org");
  g_assert_cmpstr (failure->what, ==, "failed");
  g_assert_nonnull (strstr (failure->reason, "No such user here"));

  line = rs_activity_entry_describe (entry);
  g_assert_nonnull (strstr (line, "Send round"));
  g_assert_nonnull (strstr (line, "Sent: 2. Failed: 1."));
  g_assert_nonnull (strstr (line, "(1 failure)"));
}

static void
test_send (Fixture       *fixture,
           gconstpointer  data)
{
  gint64 id = send_with_failure (fixture);

  assert_send_entry (fixture, id);
}

/* Closed and opened again, as after a restart: all of it is still there. */
static void
test_restart (Fixture       *fixture,
              gconstpointer  data)
{
  gint64 id = send_with_failure (fixture);
  g_autoptr(GPtrArray) before = list (fixture);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_stop (&fixture->server);
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  g_assert_cmpuint (rs_store_get_open_connection_count (), ==, 0);

  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  after = list (fixture);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      g_autofree char *was = rs_activity_entry_describe (ENTRY (before, i));
      g_autofree char *is = rs_activity_entry_describe (ENTRY (after, i));

      g_assert_cmpint (ENTRY (after, i)->id, ==, ENTRY (before, i)->id);
      g_assert_cmpstr (is, ==, was);
    }
  assert_send_entry (fixture, id);
}

static void
cancel_progress (const RsSendSummary *so_far,
                 const RsSendItem    *current,
                 const RsSendResult  *result,
                 gpointer             user_data)
{
  if (result != NULL)
    g_cancellable_cancel (user_data);
}

/* Stopped by hand after the first message: cancelled, with those it did not
 * get to; a server that cannot be reached: stopped on an error, and why. */
static void
test_send_stopped (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(RsImportSummary) imported = import (fixture);
  g_autoptr(RsReportSummary) made = make_reports (fixture, NULL);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsSendSummary) unreachable = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(RsActivityEntry) cancelled = NULL;
  g_autoptr(RsActivityEntry) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *closed = rs_test_closed_url ();
  g_autofree char *line = NULL;
  RsSendOptions options;

  g_assert_cmpuint (imported->added, ==, 4);
  g_assert_cmpuint (made->made, ==, 3);
  rs_test_server_start (&fixture->server, NULL);
  options = make_options (fixture);
  options.rate_per_minute = 60;
  summary = rs_send_job_run (fixture->store, &options, cancel_progress, cancellable,
                             cancellable, &error);
  g_assert_no_error (error);
  g_assert_true (summary->cancelled);
  g_assert_cmpuint (summary->sent, ==, 1);

  options.mailer.url = closed;
  unreachable = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_null (unreachable);
  g_assert_nonnull (error);

  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 4);
  failed = get (fixture, ENTRY (entries, 0)->id);
  cancelled = get (fixture, ENTRY (entries, 1)->id);

  g_assert_cmpint (cancelled->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpint (cancelled->outcome, ==, RS_ACTIVITY_OUTCOME_CANCELLED);
  g_assert_cmpuint (cancelled->sent, ==, 1);
  g_assert_cmpuint (cancelled->remaining, ==, 2);
  g_assert_null (cancelled->error);
  line = rs_activity_entry_describe (cancelled);
  g_assert_nonnull (strstr (line, "cancelled"));

  g_assert_cmpint (failed->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpint (failed->outcome, ==, RS_ACTIVITY_OUTCOME_FAILED);
  g_assert_cmpstr (failed->error, ==, error->message);
  g_assert_cmpuint (failed->sent, ==, 0);
  g_assert_cmpuint (failed->remaining, ==, 2);
}

/* A job whose process died shows as interrupted, not as running forever. */
static void
test_interrupted (Fixture       *fixture,
                  gconstpointer  data)
{
  const char *argv[] = { "/bin/true", NULL };
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GPtrArray) running = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *pid = NULL;
  sqlite3 *db;
  gint64 id;

  id = rs_activity_begin (fixture->store, RS_ACTIVITY_SEND, NULL, FALSE);
  g_assert_cmpint (id, >, 0);
  running = list (fixture);
  g_assert_cmpuint (running->len, ==, 1);
  g_assert_cmpint (ENTRY (running, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_RUNNING);
  g_assert_cmpint (ENTRY (running, 0)->ended_at, ==, 0);

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (child));
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);

  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  /* The same host and boot, the pid of a process that has ended (the tag
   * is host/boot/pid/start) */
  sql = g_strdup_printf ("UPDATE activity SET process = substr (process, 1,"
                         " instr (substr (process, instr (process, '/') + 1), '/')"
                         " + instr (process, '/')) || '%s/1'"
                         " WHERE id = %" G_GINT64_FORMAT, pid, id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  after = list (fixture);
  g_assert_cmpint (ENTRY (after, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_INTERRUPTED);
}

/* A pid that another process has now: the entry's own process is gone. */
static void
test_pid_reused (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) running = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;
  gint64 id;

  id = rs_activity_begin (fixture->store, RS_ACTIVITY_REPORTS, "/tmp", FALSE);
  running = list (fixture);
  g_assert_cmpint (ENTRY (running, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_RUNNING);

  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  /* This process's pid, which runs, but another start: the pid was used
   * again after the process of the entry ended. */
  sql = g_strdup_printf ("UPDATE activity SET process = rtrim (process, '0123456789') || '1'"
                         " WHERE id = %" G_GINT64_FORMAT, id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  after = list (fixture);
  g_assert_cmpint (ENTRY (after, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_INTERRUPTED);
}

/* The machine's name changed after the crash (DHCP, renaming): its boot id
 * says it was this boot, and the process is gone. */
static void
test_host_renamed (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  sqlite3 *db;
  gint64 id;

  if (!g_file_test ("/proc/sys/kernel/random/boot_id", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no boot id on this system");
      return;
    }

  id = rs_activity_begin (fixture->store, RS_ACTIVITY_REPORTS, "/tmp", FALSE);
  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  /* Another host name, this boot, and a start that is not this process's */
  sql = g_strdup_printf ("UPDATE activity SET process = 'renamed-laptop'"
                         " || substr (process, instr (process, '/'), length (process))"
                         " WHERE id = %" G_GINT64_FORMAT, id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE activity SET process = rtrim (process, '0123456789') || '1'"
                         " WHERE id = %" G_GINT64_FORMAT, id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);

  after = list (fixture);
  g_assert_cmpint (ENTRY (after, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_INTERRUPTED);
}

typedef struct
{
  Fixture *fixture;
  guint seen;
  guint sent_on_record;
  guint failed_on_record;
} Watch;

static void
send_progress_cb (const RsSendSummary *summary,
                  const RsSendItem    *item,
                  const RsSendResult  *result,
                  gpointer             user_data)
{
  Watch *watch = user_data;
  g_autoptr(GPtrArray) entries = NULL;

  if (result == NULL)
    return;

  /* Before the round ends, what it did before this message is on record. */
  entries = list (watch->fixture);
  watch->seen++;
  watch->sent_on_record = ENTRY (entries, 0)->sent;
  watch->failed_on_record = ENTRY (entries, 0)->failed;
  g_assert_cmpint (ENTRY (entries, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_RUNNING);
  g_assert_cmpuint (ENTRY (entries, 0)->sent + ENTRY (entries, 0)->failed, ==,
                    summary->sent + summary->failed - 1);
}

/* A round writes its counts as it goes: one that a crash cuts short keeps
 * what it sent. */
static void
test_send_checkpoints (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(RsImportSummary) imported = import (fixture);
  g_autoptr(RsReportSummary) made = make_reports (fixture, NULL);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { .fixture = fixture };
  RsSendOptions options;

  g_assert_cmpuint (imported->added, ==, 4);
  g_assert_cmpuint (made->made, ==, 3);
  rs_test_server_start (&fixture->server, "--rcpt-reply",
                        "anne@example.org=550 5.1.1 No such user here", NULL);
  options = make_options (fixture);
  summary = rs_send_job_run (fixture->store, &options, send_progress_cb, &watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (watch.seen, ==, 3);
  g_assert_cmpuint (watch.sent_on_record + watch.failed_on_record, ==, 2);
}

/* A report run killed half-way keeps the counts it had written. */
static void
test_reports_killed (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *master = g_build_filename (fixture->dir, "many.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *output = g_strdup_printf ("--output=%s", fixture->folder);
  g_auto(RsCliResult) imported = { 0 };
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) after = NULL;
  guint made = 0;
  gint64 until = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  rs_test_write_master (master, 3000);
  rs_test_run_cli (&imported, option, "import", master, NULL);
  g_assert_cmpint (imported.status, ==, 0);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, g_getenv ("RESILIENCESCAN"), option, "generate", output,
                            NULL);
  g_assert_no_error (error);
  /* Until the run has put some of its work on record */
  while (made == 0 && g_get_monotonic_time () < until)
    {
      g_autoptr(GPtrArray) entries = list (fixture);

      if (entries->len > 0 && ENTRY (entries, 0)->kind == RS_ACTIVITY_REPORTS)
        made = ENTRY (entries, 0)->made;
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (made, >, 0);
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);

  after = list (fixture);
  g_assert_cmpint (ENTRY (after, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_INTERRUPTED);
  g_assert_cmpuint (ENTRY (after, 0)->made, >=, made);
  g_assert_cmpuint (ENTRY (after, 0)->total, ==, 3000);
  g_assert_cmpuint (ENTRY (after, 0)->remaining, >, 0);
}

/* An import killed half-way is on record, as interrupted; the database
 * has none of it. */
static void
test_import_killed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *master = g_build_filename (fixture->dir, "many.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) after = NULL;
  gboolean running = FALSE;
  gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  rs_test_write_master (master, 100000);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                            &error, g_getenv ("RESILIENCESCAN"), option, "import", master, NULL);
  g_assert_no_error (error);
  while (!running && g_get_monotonic_time () < until)
    {
      g_autoptr(GPtrArray) entries = list (fixture);

      running = entries->len > 0 && ENTRY (entries, 0)->kind == RS_ACTIVITY_IMPORT &&
                ENTRY (entries, 0)->outcome == RS_ACTIVITY_OUTCOME_RUNNING;
      if (!running)
        g_usleep (10 * 1000);
    }
  g_assert_true (running);
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);

  after = list (fixture);
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpint (ENTRY (after, 0)->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (ENTRY (after, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_INTERRUPTED);
  g_assert_cmpstr (ENTRY (after, 0)->subject, ==, master);
  g_assert_cmpint (ENTRY (after, 0)->import_id, ==, 0);
}

/* A database of schema 11 keeps its imports, which enter the log. */
static void
test_migration (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(RsImportSummary) summary = import (fixture);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);

  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE delivery DROP COLUMN report_look;"
                                     "DROP TABLE activity_failure; DROP TABLE activity;"
                                     "PRAGMA user_version = 11;", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);

  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (ENTRY (entries, 0)->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (ENTRY (entries, 0)->outcome, ==, RS_ACTIVITY_OUTCOME_DONE);
  g_assert_cmpint (ENTRY (entries, 0)->import_id, ==, summary->import_id);
  g_assert_cmpint (ENTRY (entries, 0)->started_at, ==, summary->at);
  g_assert_cmpuint (ENTRY (entries, 0)->added, ==, 4);
  g_assert_cmpstr (ENTRY (entries, 0)->user, ==, "");
}

/* A workbook's import names its sheet. */
static void
test_workbook_sheet (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char *header[] = { "name", "company_name", "email_address", "up__r", "up__c" };
  g_autofree char *path = g_build_filename (fixture->dir, "rounds.xlsx", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  lxw_workbook *workbook = workbook_new (path);
  lxw_worksheet *sheet = workbook_add_worksheet (workbook, "Round 2");

  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    worksheet_write_string (sheet, 0, i, header[i], NULL);
  worksheet_write_string (sheet, 1, 0, "Ivo Bos", NULL);
  worksheet_write_string (sheet, 1, 1, "Polder Packaging B.V.", NULL);
  worksheet_write_string (sheet, 1, 2, "ivo@example.com", NULL);
  worksheet_write_number (sheet, 1, 3, 4, NULL);
  worksheet_write_number (sheet, 1, 4, 3, NULL);
  g_assert_cmpint (workbook_close (workbook), ==, LXW_NO_ERROR);

  summary = rs_import_file_full (fixture->store, file, "Round 2", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  entries = list (fixture);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (ENTRY (entries, 0)->sheet, ==, "Round 2");
  g_assert_cmpuint (ENTRY (entries, 0)->added, ==, 1);
  what = rs_activity_entry_describe_what (ENTRY (entries, 0));
  g_assert_true (g_str_has_suffix (what, "rounds.xlsx”, sheet “Round 2”"));
}

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *p = text; *p; p++)
    if (*p == '\n')
      lines++;

  return lines;
}

/* `log` after an import and a report run made by the command line, as
 * lines for a person and as CSV. */
static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *output = g_strdup_printf ("--output=%s", fixture->folder);
  g_autofree char *quoted = NULL;
  g_auto(RsCliResult) imported = { 0 };
  g_auto(RsCliResult) made = { 0 };
  g_auto(RsCliResult) text = { 0 };
  g_auto(RsCliResult) csv = { 0 };
  g_auto(RsCliResult) bad = { 0 };
  g_auto(RsCliResult) help = { 0 };
  g_auto(RsCliResult) empty = { 0 };
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) rows = NULL;

  /* The command line writes the database itself */
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);

  rs_test_run_cli (&empty, option, "log", NULL);
  g_assert_cmpint (empty.status, ==, 0);
  g_assert_cmpstr (empty.out, ==, "");

  rs_test_run_cli (&imported, option, "import", fixture->csv, NULL);
  g_assert_cmpint (imported.status, ==, 0);
  rs_test_run_cli (&made, option, "generate", output, NULL);
  g_assert_cmpint (made.status, ==, 0);

  rs_test_run_cli (&text, option, "log", NULL);
  g_assert_cmpstr (text.err, ==, "");
  g_assert_cmpint (text.status, ==, 0);
  g_assert_cmpuint (count_lines (text.out), ==, 3);
  lines = g_strsplit (text.out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "2\t"));
  g_assert_nonnull (strstr (lines[0], g_get_user_name ()));
  g_assert_nonnull (strstr (lines[0], "Report run: done. 3 made"));
  g_assert_nonnull (strstr (lines[0], "1 not possible"));
  g_assert_nonnull (strstr (lines[0], "(1 failure)"));
  /* Each failure under its entry: who and why */
  g_assert_cmpstr (lines[1], ==, "\t  Lena Öberg (Fjord AS, id 3): not possible: "
                                 "insufficient data (4 of 15 scores)");
  g_assert_true (g_str_has_prefix (lines[2], "1\t"));
  g_assert_nonnull (strstr (lines[2], "Import of “"));
  g_assert_nonnull (strstr (lines[2], "master, \"round 2\".csv”: done. 4 new"));

  rs_test_run_cli (&csv, option, "log", "--format=csv", NULL);
  g_assert_cmpstr (csv.err, ==, "");
  g_assert_cmpint (csv.status, ==, 0);
  rows = g_strsplit (csv.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 4);
  g_assert_cmpstr (rows[0], ==, RS_ACTIVITY_CSV_HEADER);
  g_assert_cmpstr (rows[3], ==, "");
  g_assert_true (g_str_has_prefix (rows[1], "2,reports,done,,"));
  /* total … remaining, failures, error, failure_details */
  g_assert_true (g_str_has_suffix (rows[1], ",4,,,,,,,3,0,1,,0,,,0,1,,"
                                   "\"Lena Öberg (Fjord AS, id 3): not possible: "
                                   "insufficient data (4 of 15 scores)\""));
  quoted = g_strdup_printf (",\"%s\",", fixture->csv);
  {
    g_autofree char *escaped = NULL;
    g_auto(GStrv) parts = g_strsplit (quoted, "\"round 2\"", 2);

    escaped = g_strjoin ("\"\"round 2\"\"", parts[0], parts[1], NULL);
    g_assert_true (g_str_has_prefix (rows[2], "1,import,done,,"));
    g_assert_nonnull (strstr (rows[2], escaped));
  }
  g_assert_true (g_str_has_suffix (rows[2], ",1,,4,0,0,1,0,0,,,,,,,,,1,,"));

  rs_test_run_cli (&bad, option, "log", "--format=xml", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_cmpstr (bad.out, ==, "");
  g_assert_nonnull (strstr (bad.err, "xml"));

  rs_test_run_cli (&help, "log", "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--format=FORMAT"));
  g_assert_nonnull (strstr (help.out, RS_ACTIVITY_CSV_HEADER));
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/activity/import", test_import);
  ADD ("/activity/reports", test_reports);
  ADD ("/activity/send", test_send);
  ADD ("/activity/restart", test_restart);
  ADD ("/activity/send-stopped", test_send_stopped);
  ADD ("/activity/interrupted", test_interrupted);
  ADD ("/activity/pid-reused", test_pid_reused);
  ADD ("/activity/host-renamed", test_host_renamed);
  ADD ("/activity/send-checkpoints", test_send_checkpoints);
  ADD ("/activity/reports-killed", test_reports_killed);
  ADD ("/activity/import-killed", test_import_killed);
  ADD ("/activity/migration", test_migration);
  ADD ("/activity/workbook-sheet", test_workbook_sheet);
  ADD ("/activity/cli", test_cli);

  return g_test_run ();
}
