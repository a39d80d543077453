/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-activity-window"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-activity.h"
#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-send-job.h"
#include "rs-activity-details-window.h"
#include "rs-activity-window.h"
#include "rs-application.h"
#include "rs-import-details-window.h"
#include "rs-test-gtk.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The Activity window over the real main window and a real database: opened
 * by the window's action, it lists what the main window imported and what
 * another connection did (a report run, a send round with a recipient the
 * real SMTP server refuses), newest first, as it happens; a row opens its
 * details: the Import Details of an import, the failures of the others. */

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,,,,,,,,,,,\n";

typedef struct
{
  char *dir;
  char *db;
  RsWindow *window;
  RsActivityWindow *activity;
  RsTestServer server;
} Fixture;

static RsApplication *app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->window = rs_window_new (app, fixture->db);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_server_stop (&fixture->server);
  if (fixture->activity != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->activity);
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

static gboolean
store_open (gpointer data)
{
  return rs_window_get_store (data) != NULL;
}

static gboolean
import_finished (gpointer data)
{
  return !rs_window_get_busy (data) &&
         g_strcmp0 (rs_window_get_page_name (data), "respondents") == 0;
}

typedef struct
{
  RsActivityWindow *window;
  guint n;
} Expected;

static gboolean
entries_are (gpointer data)
{
  Expected *expected = data;
  GPtrArray *entries = rs_activity_window_get_entries (expected->window);

  return entries != NULL && entries->len == expected->n;
}

static void
wait_for_entries (Fixture *fixture,
                  guint    n)
{
  Expected expected = { fixture->activity, n };

  g_assert_true (rs_test_wait_until (entries_are, &expected, 20000));
}

static void
open_activity (Fixture *fixture)
{
  g_assert_true (rs_test_wait_until (store_open, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-activity",
                                             NULL));
  fixture->activity = RS_ACTIVITY_WINDOW (rs_test_find_window (RS_TYPE_ACTIVITY_WINDOW));
  g_assert_nonnull (fixture->activity);
  g_object_add_weak_pointer (G_OBJECT (fixture->activity), (gpointer *) &fixture->activity);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (fixture->activity)) ==
                 GTK_WINDOW (fixture->window));
}

static GtkListBoxRow *
row_at (Fixture *fixture,
        guint    index)
{
  GtkListBox *list = rs_activity_window_get_list (fixture->activity);
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, (int) index);

  g_assert_nonnull (row);
  return row;
}

static gboolean
not_loading_details (gpointer data)
{
  return !rs_activity_details_window_is_loading (data);
}

static gboolean
not_loading_import (gpointer data)
{
  return !rs_import_details_window_is_loading (data);
}

static RsActivityDetailsWindow *
open_details (Fixture       *fixture,
              GtkListBoxRow *row)
{
  RsActivityDetailsWindow *details;

  /* As Enter or a click on the row does */
  g_signal_emit_by_name (row, "activate");
  details = RS_ACTIVITY_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_ACTIVITY_DETAILS_WINDOW));
  g_assert_nonnull (details);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (details)) ==
                 GTK_WINDOW (fixture->activity));
  g_assert_true (rs_test_wait_until (not_loading_details, details, 10000));
  g_assert_nonnull (rs_activity_details_window_get_entry (details));

  return details;
}

static void
test_activity_window_empty (Fixture       *fixture,
                            gconstpointer  data)
{
  open_activity (fixture);
  wait_for_entries (fixture, 0);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->activity), "Nothing Done Yet"));
}

/* The log as it grows, newest first, and the details of each entry. */
static void
test_activity_window_lists_and_opens (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);
  g_autoptr(RsStore) other = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autoptr(RsSendSummary) sent = NULL;
  g_autoptr(GError) error = NULL;
  RsActivityDetailsWindow *details;
  RsImportDetailsWindow *import_details;
  const RsActivityEntry *entry;
  GPtrArray *entries;
  RsSendOptions options = {
    .mode = RS_SEND_MODE_LIVE,
    .from_address = "scan@example.com",
    .max_tries = 2,
    .backoff_ms = 10,
  };

  open_activity (fixture);
  wait_for_entries (fixture, 0);

  /* An import in the main window */
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", csv));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 20000));
  wait_for_entries (fixture, 1);

  /* A report run and a send round through a connection of their own, as
   * another process would */
  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  made = rs_report_job_run (other, folder, NULL, 0, FALSE, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->not_possible, ==, 1);
  wait_for_entries (fixture, 2);

  rs_test_server_start (&fixture->server, "--rcpt-reply",
                        "anne@example.org=550 5.1.1 No such user here", NULL);
  options.mailer.url = fixture->server.url;
  options.mailer.connect_timeout_s = 5;
  options.mailer.timeout_s = 10;
  sent = rs_send_job_run (other, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sent->failed, ==, 1);
  rs_store_release_connection (other);
  wait_for_entries (fixture, 3);

  entries = rs_activity_window_get_entries (fixture->activity);
  g_assert_cmpint (((RsActivityEntry *) g_ptr_array_index (entries, 0))->kind, ==,
                   RS_ACTIVITY_SEND);
  g_assert_cmpint (((RsActivityEntry *) g_ptr_array_index (entries, 1))->kind, ==,
                   RS_ACTIVITY_REPORTS);
  g_assert_cmpint (((RsActivityEntry *) g_ptr_array_index (entries, 2))->kind, ==,
                   RS_ACTIVITY_IMPORT);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_at (fixture, 0))),
                   ==, "Send round");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row_at (fixture, 1))),
                   ==, "Report run");
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                                                                    row_at (fixture, 2))),
                                   "Import of “"));
  g_assert_null (gtk_list_box_get_row_at_index (rs_activity_window_get_list (fixture->activity),
                                                3));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row_at (fixture, 0))),
                            "Sent: 1. Failed: 1."));

  /* The send round: its counts, and Anne with the server's reason */
  details = open_details (fixture, row_at (fixture, 0));
  entry = rs_activity_details_window_get_entry (details);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpuint (entry->failures->len, ==, 1);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Anne Jansen, anne@example.org"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "No such user here"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Sent: 1. Failed: 1."));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), g_get_user_name ()));
  gtk_window_destroy (GTK_WINDOW (details));

  /* The report run: Lena's report was not possible, and why */
  details = open_details (fixture, row_at (fixture, 1));
  entry = rs_activity_details_window_get_entry (details);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_REPORTS);
  g_assert_cmpuint (entry->failures->len, ==, 1);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Lena Öberg, Fjord AS"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Not possible: "));
  gtk_window_destroy (GTK_WINDOW (details));

  /* The import: its Import Details, read from the database */
  g_signal_emit_by_name (row_at (fixture, 2), "activate");
  import_details = RS_IMPORT_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_IMPORT_DETAILS_WINDOW));
  g_assert_nonnull (import_details);
  g_assert_true (rs_test_wait_until (not_loading_import, import_details, 10000));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (import_details), "master.csv"));
  g_assert_null (rs_test_find_window (RS_TYPE_ACTIVITY_DETAILS_WINDOW));
  gtk_window_destroy (GTK_WINDOW (import_details));
}

/* An import that failed has no Import Details: its entry says why. */
static void
test_activity_window_failed_import (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (fixture->dir, "not-a-master.csv", NULL);
  RsActivityDetailsWindow *details;
  const RsActivityEntry *entry;

  open_activity (fixture);
  wait_for_entries (fixture, 0);
  g_assert_true (g_file_set_contents (csv, "colour,shape\nred,round\n", -1, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", csv));
  wait_for_entries (fixture, 1);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->activity), "activity.open",
                                             "x", ((RsActivityEntry *) g_ptr_array_index (
                                               rs_activity_window_get_entries (fixture->activity),
                                               0))->id));
  details = RS_ACTIVITY_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_ACTIVITY_DETAILS_WINDOW));
  g_assert_nonnull (details);
  g_assert_true (rs_test_wait_until (not_loading_details, details, 10000));
  entry = rs_activity_details_window_get_entry (details);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_FAILED);
  g_assert_nonnull (entry->error);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "stopped on an error"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), entry->error));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "None: nothing failed"));
  gtk_window_destroy (GTK_WINDOW (details));
}

static guint
count_rows (GtkWidget *root)
{
  guint n = 0;

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (ADW_IS_ACTION_ROW (w) && gtk_widget_get_visible (w))
      n++;

  return n;
}

/* A send round in which all of 250 failed: the first 200 have a row, and
 * one more says how many are not shown. */
static void
test_activity_window_many_failures (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sql = g_string_new ("INSERT INTO activity (id, kind, started_at, ended_at,"
                                         " user_name, outcome, total, sent, failed, skipped,"
                                         " remaining, deferred, unknown)"
                                         " VALUES (1, 'send', 1, 2, 'scan', 'done', 250, 0, 250,"
                                         " 0, 0, 0, 0);");
  RsActivityDetailsWindow *details;
  sqlite3 *db;

  open_activity (fixture);
  wait_for_entries (fixture, 0);

  for (guint i = 0; i < 250; i++)
    g_string_append_printf (sql, "INSERT INTO activity_failure (activity_id, position, person,"
                            " address, what, reason) VALUES (1, %u, 'Person %u',"
                            " 'p%u@example.com', 'failed', '550 5.1.1 No such user');",
                            i, i, i);
  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (other, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, sql->str, NULL, NULL, NULL), ==, SQLITE_OK);
  rs_store_release_connection (other);
  wait_for_entries (fixture, 1);

  details = open_details (fixture, row_at (fixture, 0));
  g_assert_cmpuint (rs_activity_details_window_get_entry (details)->failures->len, ==, 250);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Person 199, p199@example.com"));
  g_assert_null (rs_test_find_label (GTK_WIDGET (details), "Person 200"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "50 more failures are not shown"));
  g_assert_cmpuint (count_rows (GTK_WIDGET (rs_activity_details_window_get_failures_group (
                                             details))), ==, 201);
  gtk_window_destroy (GTK_WINDOW (details));
}

static void
run_tests_cb (GApplication *application,
              int          *status)
{
  g_signal_stop_emission_by_name (application, "activate");
  *status = g_test_run ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  char *app_argv[] = { argv[0], NULL };
  int status = 1;

  rs_test_gtk_init (&argc, &argv);

  dir = rs_test_make_tmpdir ();
  db = g_build_filename (dir, "unused.db", NULL);
  app = rs_application_new (db);
  g_signal_connect (app, "activate", G_CALLBACK (run_tests_cb), &status);

  g_test_add ("/activity-window/empty", Fixture, NULL,
              fixture_set_up, test_activity_window_empty, fixture_tear_down);
  g_test_add ("/activity-window/lists-and-opens", Fixture, NULL,
              fixture_set_up, test_activity_window_lists_and_opens, fixture_tear_down);
  g_test_add ("/activity-window/many-failures", Fixture, NULL,
              fixture_set_up, test_activity_window_many_failures, fixture_tear_down);
  g_test_add ("/activity-window/failed-import", Fixture, NULL,
              fixture_set_up, test_activity_window_failed_import, fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
