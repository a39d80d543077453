/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-report-job"

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "rs-import.h"
#include "rs-report.h"
#include "rs-report-job.h"
#include "rs-send-job.h"
#include "rs-tracker.h"
#include "rs-test-util.h"

/* The report job against a real database and real files: what is made,
 * skipped and remade, file names, cancelling, and other threads at work. */

typedef struct
{
  char *dir;
  char *csv;
  char *folder;
  RsStore *store;
} Fixture;

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord/Fell: AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,2,,,,,,1,1,1,1,1\n"
  "Zoë de Vries,COO,Amstel Metaal,zoe@example.com,Versie 1.0 (nl),2024-03-04,"
  "1,2,3,4,,,,,,,,,,,\n"
  "Sam Smit,Buyer,Waal Bouw,sam.one@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n"
  "Sam Smit,Buyer,Waal Bouw,sam.two@example.com,Version 1.0 (eng),2024-03-06,"
  "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n";

static void
import_into (RsStore    *store,
             const char *csv,
             const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(RsImportSummary) summary = NULL;

  g_assert_true (g_file_set_contents (csv, contents, -1, NULL));
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
import (Fixture    *fixture,
        const char *contents)
{
  import_into (fixture->store, fixture->csv, contents);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  import (fixture, master_csv);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->csv);
  g_free (fixture->folder);
}

static GPtrArray *
folder_files (Fixture *fixture)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (fixture->folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));

  return names;
}

static int
count (Fixture    *fixture,
       const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return n;
}

/* The report on record for the respondent with @email. */
static char *
report_path (RsStore    *store,
             const char *email)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *path = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT d.report_path FROM delivery d"
                                           " JOIN respondent r ON r.id = d.respondent_id"
                                           " WHERE r.email = ?1", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  rs_store_release_connection (store);

  return path;
}

static void
set_report_path (RsStore    *store,
                 const char *email,
                 const char *path)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE delivery SET report_path = ?2"
                                           " WHERE respondent_id ="
                                           " (SELECT id FROM respondent WHERE email = ?1)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  rs_store_release_connection (store);
}

/* The text of a PDF as pdftotext reads it, or NULL without pdftotext. */
static char *
pdf_text (const char *path)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, path, "-", NULL };
  char *output = NULL;
  int status;

  if (pdftotext == NULL)
    return NULL;
  argv[0] = pdftotext;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &output,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return output;
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* Reports that the Report column shows as outdated. */
#define OUTDATED "SELECT count (*) FROM respondent r JOIN delivery d" \
                 " ON d.respondent_id = r.id WHERE d.report_path IS NOT NULL" \
                 " AND d.report_source_hash IS NOT r.source_hash"

static RsReportSummary *
run (Fixture  *fixture,
     gboolean  force)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, force, 2, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static void
test_report_job_makes_and_skips (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) second = NULL;
  g_autoptr(RsReportSummary) forced = NULL;
  g_autoptr(GPtrArray) files = NULL;

  first = run (fixture, FALSE);
  g_assert_cmpuint (first->total, ==, 6);
  g_assert_cmpuint (first->made, ==, 5);
  g_assert_cmpuint (first->not_possible, ==, 1);
  g_assert_cmpuint (first->failed, ==, 0);

  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 5);
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = files->pdata[i];

      g_assert_true (g_str_has_suffix (name, ".pdf"));
      g_assert_null (strchr (name, '/'));
      g_assert_null (strstr (name, ".tmp"));
    }
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery WHERE report_path IS NOT NULL"
                                   " AND report_hash IS NOT NULL"), ==, 5);
  /* Zoë has 4 of 15 scores: no file, and the reason is kept. */
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery d JOIN respondent r"
                                   " ON r.id = d.respondent_id WHERE r.person = 'Zoë de Vries'"
                                   " AND d.report_path IS NULL"
                                   " AND d.report_problem LIKE '%4 of 15%'"), ==, 1);

  /* The two Sam Smits of the same company get two files. */
  g_assert_cmpint (count (fixture, "SELECT count (DISTINCT report_path) FROM delivery d"
                                   " JOIN respondent r ON r.id = d.respondent_id"
                                   " WHERE r.person = 'Sam Smit'"), ==, 2);

  second = run (fixture, FALSE);
  g_assert_cmpuint (second->made, ==, 0);
  g_assert_cmpuint (second->up_to_date, ==, 5);
  g_assert_cmpuint (second->not_possible, ==, 1);

  forced = run (fixture, TRUE);
  g_assert_cmpuint (forced->made, ==, 5);
  g_clear_pointer (&files, g_ptr_array_unref);
  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 5);
}

static void
test_report_job_remakes_changed (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  g_autoptr(GString) changed = g_string_new (master_csv);
  g_autoptr(GPtrArray) files = NULL;

  first = run (fixture, FALSE);
  g_assert_cmpuint (first->made, ==, 5);

  /* Ivo's first score changes: his report, and Anne's company page with it. */
  g_string_replace (changed, "2024-03-01,4,4,3", "2024-03-01,1,4,3", 1);
  import (fixture, changed->str);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM respondent WHERE up_r = 1"
                                   " AND person = 'Ivo Bos'"), ==, 1);
  /* Both show as outdated before they are made again. */
  g_assert_cmpint (count (fixture, OUTDATED), ==, 2);

  again = run (fixture, FALSE);
  g_assert_cmpuint (again->made, ==, 2);
  g_assert_cmpuint (again->up_to_date, ==, 3);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);
  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 5);
}

/* A report file written over (another respondent's report copied onto it)
 * is out of date: making reports makes it again, byte for byte its own. */
static void
test_report_job_file_written_over (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  g_autofree char *ivo_path = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *ivo_before = NULL;
  g_autofree char *other_bytes = NULL;
  g_autofree char *ivo_after = NULL;
  gsize ivo_len;
  gsize other_len;
  gsize after_len;
  sqlite3 *db;
  sqlite3_stmt *stmt = NULL;

  first = run (fixture, FALSE);
  g_assert_cmpuint (first->made, ==, 5);

  db = rs_store_get_connection (fixture->store, NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT d.report_path FROM delivery d"
                                           " JOIN respondent r ON r.id = d.respondent_id"
                                           " WHERE d.report_path IS NOT NULL ORDER BY r.id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  ivo_path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  other_path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  g_assert_true (g_file_get_contents (ivo_path, &ivo_before, &ivo_len, NULL));
  g_assert_true (g_file_get_contents (other_path, &other_bytes, &other_len, NULL));
  g_assert_true (g_file_set_contents (ivo_path, other_bytes, other_len, NULL));

  again = run (fixture, FALSE);
  g_assert_cmpuint (again->made, ==, 1);
  g_assert_cmpuint (again->up_to_date, ==, 4);
  g_assert_true (g_file_get_contents (ivo_path, &ivo_after, &after_len, NULL));
  g_assert_false (after_len == other_len && memcmp (ivo_after, other_bytes, other_len) == 0);
}

/* A change the reports do not show (the case of an address) makes them look
 * outdated; making reports finds them current and says so, without remaking. */
static void
test_report_job_current_again (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  g_autoptr(RsReportSummary) third = NULL;
  g_autoptr(GString) changed = g_string_new (master_csv);
  gint64 seen = 0;

  first = run (fixture, FALSE);
  g_assert_cmpuint (first->made, ==, 5);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);

  /* Ivo's, and Anne's with him: a colleague's change may move the averages.
   * The window's next load reads both, Anne's though her own data is the
   * same. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all = rs_tracker_load_changed (fixture->store, -1, &seen, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (all);
  }
  g_string_replace (changed, "ivo@example.com", "Ivo@Example.com", 1);
  import (fixture, changed->str);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 2);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) next = rs_tracker_load_changed (fixture->store, seen, NULL, NULL,
                                                         &error);
    g_autoptr(GString) people = g_string_new (NULL);

    g_assert_no_error (error);
    for (guint i = 0; i < next->len; i++)
      g_string_append_printf (people, "%s;",
                              rs_respondent_get_person (g_ptr_array_index (next, i)));
    g_assert_nonnull (strstr (people->str, "Ivo Bos;"));
    g_assert_cmpuint (next->len, ==, 2);
  }

  again = run (fixture, FALSE);
  g_assert_cmpuint (again->made, ==, 0);
  g_assert_cmpuint (again->up_to_date, ==, 5);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);

  third = run (fixture, FALSE);
  g_assert_cmpuint (third->up_to_date, ==, 5);
}

typedef struct
{
  GCancellable *cancellable;
  guint seen;
} CancelData;

static void
cancel_after_first (const RsReportSummary *so_far,
                    const RsReportResult  *result,
                    gpointer               user_data)
{
  CancelData *data = user_data;

  data->seen++;
  g_cancellable_cancel (data->cancellable);
}

static void
test_report_job_cancel (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  CancelData cancel = { cancellable, 0 };

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2,
                               cancel_after_first, &cancel, cancellable, &error);
  g_assert_no_error (error);

  /* Each worker finishes the report in hand, and no more. */
  g_assert_cmpuint (summary->results->len, >=, 1);
  g_assert_cmpuint (summary->results->len, <=, 2);
  g_assert_cmpuint (summary->results->len, <, summary->total);

  files = folder_files (fixture);
  for (guint i = 0; i < files->len; i++)
    g_assert_true (g_str_has_suffix (files->pdata[i], ".pdf"));
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery"
                                   " WHERE report_path IS NOT NULL"), ==, (int) files->len);
}

static void
test_report_job_unknown_id (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[2] = { 1, 4242 };

  summary = rs_report_job_run (fixture->store, fixture->folder, ids, 2, FALSE, 1, NULL, NULL,
                               NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "4242"));
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery"
                                   " WHERE report_path IS NOT NULL"), ==, 0);
}

/* "No respondent with that id" is one error wherever it is asked. */
static void
test_report_job_not_found_everywhere (Fixture       *fixture,
                                      gconstpointer  data)
{
  RsSendOptions options = { .mode = RS_SEND_MODE_LIVE };
  g_autoptr(RsReportSource) source = NULL;
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  RsSendPreview *preview;
  gint64 id = 4242;

  source = rs_report_source_load (fixture->store, id, &error);
  g_assert_null (source);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  preview = rs_send_job_preview (fixture->store, &options, id, &error);
  g_assert_null (preview);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  marked = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_SENT, NULL, &error);
  g_assert_null (marked);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
}

static void
test_report_job_selection (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[1] = { 2 };

  summary = rs_report_job_run (fixture->store, fixture->folder, ids, 1, FALSE, 0, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->total, ==, 1);
  g_assert_cmpuint (summary->made, ==, 1);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery WHERE report_path IS NOT NULL"
                                   " AND respondent_id = 2"), ==, 1);
}

typedef struct
{
  RsStore *store;
  gint stop;
  guint rounds;
  guint errors;
} Busy;

static gpointer
busy_thread (gpointer data)
{
  Busy *busy = data;
  static const RsStatus cycle[] = { RS_STATUS_SENT, RS_STATUS_PENDING };

  /* Someone marks by hand while the table reads, as the window would. */
  while (!g_atomic_int_get (&busy->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) snapshots = NULL;
      g_autoptr(GPtrArray) all = NULL;
      gint64 id = 1 + busy->rounds % 6;

      snapshots = rs_tracker_mark (busy->store, &id, 1, cycle[busy->rounds % 2], NULL, &error);
      if (snapshots == NULL)
        busy->errors++;
      g_clear_error (&error);
      all = rs_tracker_load (busy->store, NULL, &error);
      if (all == NULL)
        busy->errors++;
      busy->rounds++;
    }
  rs_store_release_connection (busy->store);

  return NULL;
}

static void
test_report_job_concurrent (Fixture       *fixture,
                            gconstpointer  data)
{
  Busy busy = { fixture->store, 0, 0, 0 };
  GThread *thread;

  thread = g_thread_new ("busy", busy_thread, &busy);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(RsReportSummary) summary = run (fixture, TRUE);

      g_assert_cmpuint (summary->failed, ==, 0);
      g_assert_cmpuint (summary->made, ==, 5);
    }
  g_atomic_int_set (&busy.stop, TRUE);
  g_thread_join (thread);

  g_assert_cmpuint (busy.rounds, >, 0);
  g_assert_cmpuint (busy.errors, ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery"
                                   " WHERE report_path IS NOT NULL"), ==, 5);
}

/* g_assert_cmpstr() on a string it frees. */
#define assert_owned_cmpstr(owned, cmp, expected) \
  G_STMT_START { \
    g_autofree char *owned_value = (owned); \
    g_assert_cmpstr (owned_value, cmp, expected); \
  } G_STMT_END

static RsStore *
open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_path_get_dirname (path);
  RsStore *store;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  store = rs_store_open (path, &error);
  g_assert_no_error (error);

  return store;
}

static RsReportSummary *
run_store (RsStore    *store,
           const char *folder,
           gboolean    force)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (store, folder, NULL, 0, force, 2, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static char *
tag_in_name (const char *tag)
{
  return g_strdup_printf (" [%s].pdf", tag);
}

/* Two databases with the same people, one Reports folder: each makes its
 * own files and records its own, and neither writes over the other's. */
static void
test_report_job_two_databases (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GString) other_csv = g_string_new (master_csv);
  g_autofree char *other_db = g_build_filename (fixture->dir, "Other", "tracker.db", NULL);
  g_autofree char *other_master = g_build_filename (fixture->dir, "Other", "master.csv", NULL);
  g_autofree char *link_db = g_build_filename (fixture->dir, "link.db", NULL);
  g_autoptr(RsStore) other = NULL;
  g_autoptr(RsStore) linked = NULL;
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) second = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  g_autoptr(RsReportSummary) forced = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *tag = rs_report_store_tag (fixture->store);
  g_autofree char *other_tag = NULL;
  g_autofree char *linked_tag = NULL;
  g_autofree char *suffix = NULL;
  g_autofree char *other_suffix = NULL;
  g_autofree char *ivo = NULL;
  g_autofree char *other_ivo = NULL;
  g_autofree char *ivo_sum = NULL;
  g_autofree char *text = NULL;
  g_autofree char *other_text = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *expected_attachment = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  static const char *emails[] = {
    "ivo@example.com", "anne@example.org", "lena@example.net", "sam.one@example.com",
    "sam.two@example.com",
  };

  /* The same people; Ivo's scores differ, so his two reports do too. */
  g_string_replace (other_csv, "2024-03-01,4,4,3,2,5,3,3,3,3,3,2,2,2,2,2",
                    "2024-03-01,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", 1);
  other = open_store (other_db);
  import_into (other, other_master, other_csv->str);
  other_tag = rs_report_store_tag (other);

  g_assert_cmpuint (strlen (tag), ==, 6);
  g_assert_cmpstr (tag, !=, other_tag);
  /* A link to the database is the same database. */
  g_assert_cmpint (symlink ("tracker.db", link_db), ==, 0);
  linked = open_store (link_db);
  linked_tag = rs_report_store_tag (linked);
  g_assert_cmpstr (linked_tag, ==, tag);

  first = run (fixture, FALSE);
  g_assert_cmpuint (first->made, ==, 5);
  ivo = report_path (fixture->store, "ivo@example.com");
  ivo_sum = file_checksum (ivo);
  second = run_store (other, fixture->folder, FALSE);
  g_assert_cmpuint (second->made, ==, 5);
  g_assert_cmpuint (second->failed, ==, 0);

  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 10);

  suffix = tag_in_name (tag);
  other_suffix = tag_in_name (other_tag);
  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autofree char *path = report_path (fixture->store, emails[i]);
      g_autofree char *other_path = report_path (other, emails[i]);
      g_autofree char *folder = g_path_get_dirname (path);

      g_test_message ("%s: %s and %s", emails[i], path, other_path);
      g_assert_cmpstr (path, !=, other_path);
      g_assert_cmpstr (folder, ==, fixture->folder);
      g_assert_true (g_str_has_suffix (path, suffix));
      g_assert_true (g_str_has_suffix (other_path, other_suffix));
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_file_test (other_path, G_FILE_TEST_IS_REGULAR));
    }

  /* The first database's file is still the one it made, with its data. */
  other_ivo = report_path (other, "ivo@example.com");
  assert_owned_cmpstr (file_checksum (ivo), ==, ivo_sum);
  text = pdf_text (ivo);
  other_text = pdf_text (other_ivo);
  if (text != NULL)
    {
      g_assert_nonnull (strstr (text, "Ivo Bos"));
      g_assert_nonnull (strstr (text, "Overall SCRES: 2.87"));
      g_assert_null (strstr (text, "Overall SCRES: 1.00"));
      g_assert_nonnull (strstr (other_text, "Ivo Bos"));
      g_assert_nonnull (strstr (other_text, "Overall SCRES: 1.00"));
    }

  /* Made again in either, each finds and keeps its own. */
  again = run (fixture, FALSE);
  g_assert_cmpuint (again->up_to_date, ==, 5);
  forced = run_store (other, fixture->folder, TRUE);
  g_assert_cmpuint (forced->made, ==, 5);
  assert_owned_cmpstr (report_path (fixture->store, "ivo@example.com"), ==, ivo);
  assert_owned_cmpstr (file_checksum (ivo), ==, ivo_sum);
  g_clear_pointer (&files, g_ptr_array_unref);
  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 10);

  /* The recipient sees the name without the tag. */
  attachment = rs_report_attachment_name (ivo);
  expected_attachment = rs_report_file_name ("Polder Packaging B.V.", "Ivo Bos", now);
  g_assert_cmpstr (attachment, ==, expected_attachment);
  assert_owned_cmpstr (rs_report_file_name_get_tag (ivo), ==, tag);
}

/* A database whose records name reports made before names had a tag still
 * finds them; when they are made again, the new file has the tag and the
 * old one goes. */
static void
test_report_job_old_names (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  g_autoptr(RsReportSummary) forced = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GDateTime) made = g_date_time_new_local (2025, 3, 14, 9, 0, 0);
  g_autofree char *tag = rs_report_store_tag (fixture->store);
  g_autofree char *ivo = NULL;
  g_autofree char *old_name = rs_report_file_name ("Polder Packaging B.V.", "Ivo Bos", made);
  g_autofree char *old_path = g_build_filename (fixture->folder, old_name, NULL);
  g_autofree char *now_path = NULL;
  g_autofree char *suffix = tag_in_name (tag);

  first = run (fixture, FALSE);
  ivo = report_path (fixture->store, "ivo@example.com");
  g_assert_cmpint (g_rename (ivo, old_path), ==, 0);
  set_report_path (fixture->store, "ivo@example.com", old_path);
  g_assert_null (rs_report_file_name_get_tag (old_path));
  assert_owned_cmpstr (rs_report_attachment_name (old_path), ==, old_name);

  again = run (fixture, FALSE);
  g_assert_cmpuint (again->up_to_date, ==, 5);
  g_assert_cmpuint (again->made, ==, 0);
  now_path = report_path (fixture->store, "ivo@example.com");
  g_assert_cmpstr (now_path, ==, old_path);
  g_assert_true (g_file_test (old_path, G_FILE_TEST_IS_REGULAR));

  forced = run (fixture, TRUE);
  g_assert_cmpuint (forced->made, ==, 5);
  g_free (now_path);
  now_path = report_path (fixture->store, "ivo@example.com");
  g_assert_true (g_str_has_suffix (now_path, suffix));
  g_assert_true (g_file_test (now_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (old_path, G_FILE_TEST_EXISTS));
  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 5);
}

/* A file that is not this database's report is never written over, even
 * under the very name this database would give its report. */
static void
test_report_job_foreign_file (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *tag = rs_report_store_tag (fixture->store);
  g_autofree char *name = rs_report_file_name_full ("Polder Packaging B.V.", "Ivo Bos", now, 1,
                                                    tag);
  g_autofree char *second = rs_report_file_name_full ("Polder Packaging B.V.", "Ivo Bos", now,
                                                      2, tag);
  g_autofree char *foreign = g_build_filename (fixture->folder, name, NULL);
  g_autofree char *ivo = NULL;
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir_with_parents (fixture->folder, 0755), ==, 0);
  g_assert_true (g_file_set_contents (foreign, "not a report of this database", -1, NULL));

  summary = run (fixture, FALSE);
  g_assert_cmpuint (summary->made, ==, 5);
  ivo = report_path (fixture->store, "ivo@example.com");
  g_assert_cmpstr (ivo, !=, foreign);
  g_assert_true (g_str_has_suffix (ivo, second));
  g_assert_true (g_file_get_contents (foreign, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not a report of this database");
}

/* A copy of a database is a database of its own: its reports do not take
 * the names of the original's, nor remove them. */
static void
test_report_job_copied_database (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) copied = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(RsStore) copy = NULL;
  g_autoptr(GFile) from = g_file_new_for_path (rs_store_get_path (fixture->store));
  g_autofree char *copy_db = g_build_filename (fixture->dir, "copy.db", NULL);
  g_autoptr(GFile) to = g_file_new_for_path (copy_db);
  g_autofree char *ivo = NULL;
  g_autofree char *ivo_sum = NULL;
  g_autofree char *copy_ivo = NULL;

  first = run (fixture, FALSE);
  ivo = report_path (fixture->store, "ivo@example.com");
  ivo_sum = file_checksum (ivo);
  g_assert_true (rs_store_checkpoint (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  copy = open_store (copy_db);
  assert_owned_cmpstr (report_path (copy, "ivo@example.com"), ==, ivo);
  copied = run_store (copy, fixture->folder, TRUE);
  g_assert_cmpuint (copied->made, ==, 5);
  copy_ivo = report_path (copy, "ivo@example.com");
  g_assert_cmpstr (copy_ivo, !=, ivo);
  g_assert_true (g_file_test (ivo, G_FILE_TEST_IS_REGULAR));
  assert_owned_cmpstr (file_checksum (ivo), ==, ivo_sum);
  files = folder_files (fixture);
  g_assert_cmpuint (files->len, ==, 10);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/report-job/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("makes-and-skips", test_report_job_makes_and_skips);
  ADD ("remakes-changed", test_report_job_remakes_changed);
  ADD ("file-written-over", test_report_job_file_written_over);
  ADD ("current-again", test_report_job_current_again);
  ADD ("cancel", test_report_job_cancel);
  ADD ("unknown-id", test_report_job_unknown_id);
  ADD ("not-found-everywhere", test_report_job_not_found_everywhere);
  ADD ("selection", test_report_job_selection);
  ADD ("concurrent", test_report_job_concurrent);
  ADD ("two-databases", test_report_job_two_databases);
  ADD ("old-names", test_report_job_old_names);
  ADD ("foreign-file", test_report_job_foreign_file);
  ADD ("copied-database", test_report_job_copied_database);

#undef ADD

  return g_test_run ();
}
