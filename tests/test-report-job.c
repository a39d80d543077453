/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-report-job"

#include "config.h"

#include <glib/gstdio.h>

#include "rs-import.h"
#include "rs-report-job.h"
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
import (Fixture    *fixture,
        const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(RsImportSummary) summary = NULL;

  g_assert_true (g_file_set_contents (fixture->csv, contents, -1, NULL));
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
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
  g_autofree char *problem = NULL;

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
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "4242"));
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM delivery"
                                   " WHERE report_path IS NOT NULL"), ==, 0);
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

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/report-job/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("makes-and-skips", test_report_job_makes_and_skips);
  ADD ("remakes-changed", test_report_job_remakes_changed);
  ADD ("current-again", test_report_job_current_again);
  ADD ("cancel", test_report_job_cancel);
  ADD ("unknown-id", test_report_job_unknown_id);
  ADD ("selection", test_report_job_selection);
  ADD ("concurrent", test_report_job_concurrent);

#undef ADD

  return g_test_run ();
}
