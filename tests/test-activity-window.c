/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-activity-window"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-activity.h"
#include "core/rs-activity-private.h"
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
 * details: the Import Details of an import, the failures of the others,
 * every one of them; 20,000 entries and 1,000 failures are read too. */

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
  const char *expected_text;
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

  g_assert_true (rs_test_wait_until (entries_are, &expected, 60000));
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

/* Row @index of those the list has made, in order (a list makes rows only
 * for what is in view); read as a person does, by its labels. */
static GtkWidget *
find_row (Fixture *fixture,
          guint    index)
{
  GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (rs_activity_window_get_list (
                                                             fixture->activity)));

  for (guint i = 0; row != NULL && i < index; i++)
    row = gtk_widget_get_next_sibling (row);

  return row;
}

static GtkWidget *
row_at (Fixture *fixture,
        guint    index)
{
  GtkWidget *row = find_row (fixture, index);

  g_assert_nonnull (row);
  return row;
}

/* The first label of @row is its title, the second what is under it */
static const char *
row_label (GtkWidget *row,
           guint      n)
{
  for (GtkWidget *w = row; w != NULL; w = rs_test_next_widget (w, row))
    if (GTK_IS_LABEL (w) && n-- == 0)
      return gtk_label_get_text (GTK_LABEL (w));

  return NULL;
}

static const char *
row_title (GtkWidget *row)
{
  return row_label (row, 0);
}

static const char *
row_subtitle (GtkWidget *row)
{
  return row_label (row, 1);
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
open_details (Fixture   *fixture,
              GtkWidget *row)
{
  RsActivityDetailsWindow *details;

  /* As Enter on the row does */
  g_assert_true (gtk_widget_activate (row));
  details = RS_ACTIVITY_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_ACTIVITY_DETAILS_WINDOW));
  g_assert_nonnull (details);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (details)) ==
                 GTK_WINDOW (fixture->activity));
  g_assert_true (rs_test_wait_until (not_loading_details, details, 60000));
  g_assert_nonnull (rs_activity_details_window_get_entry (details));

  return details;
}

/* When process @pid started (the 22nd field of /proc/PID/stat) */
static char *
start_of (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents (path, &stat, NULL, NULL));
  fields = g_strsplit (strrchr (stat, ')') + 1, " ", 0);
  g_assert_cmpuint (g_strv_length (fields), >=, 21);

  return g_strdup (fields[20]);
}

static gboolean
top_row_says (gpointer data)
{
  Fixture *fixture = data;
  GtkWidget *row = find_row (fixture, 0);
  const char *subtitle = row != NULL ? row_subtitle (row) : NULL;

  return subtitle != NULL && strstr (subtitle, fixture->expected_text) != NULL;
}

/* A run whose process is killed changes nothing in the database: the
 * window, looking again while an entry runs, shows it interrupted. */
static void
test_activity_window_killed_run (Fixture       *fixture,
                                 gconstpointer  data)
{
  const char *argv[] = { "sleep", "60", NULL };
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *sql = NULL;
  const char *pid;
  sqlite3 *db;
  gint64 id;

  open_activity (fixture);
  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  pid = g_subprocess_get_identifier (child);
  start = start_of (pid);

  store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  id = rs_activity_begin (store, RS_ACTIVITY_REPORTS, fixture->dir, FALSE);
  g_assert_cmpint (id, >, 0);
  db = rs_store_get_connection (store, &error);
  g_assert_no_error (error);
  /* This machine and boot, the child's pid and start: host/boot/pid/start */
  sql = g_strdup_printf ("UPDATE activity SET process = substr (process, 1,"
                         " instr (substr (process, instr (process, '/') + 1), '/')"
                         " + instr (process, '/')) || '%s/%s'"
                         " WHERE id = %" G_GINT64_FORMAT, pid, start, id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  rs_store_release_connection (store);

  fixture->expected_text = "running";
  g_assert_true (rs_test_wait_until (top_row_says, fixture, 60000));

  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  fixture->expected_text = "interrupted";
  g_assert_true (rs_test_wait_until (top_row_says, fixture, 60000));
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
  g_assert_cmpstr (row_title (row_at (fixture, 0)), ==, "Send round");
  g_assert_cmpstr (row_title (row_at (fixture, 1)), ==, "Report run");
  g_assert_true (g_str_has_prefix (row_title (row_at (fixture, 2)), "Import of “"));
  g_assert_null (find_row (fixture, 3));
  g_assert_nonnull (strstr (row_subtitle (row_at (fixture, 0)), "Sent: 1. Failed: 1."));

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
  g_assert_true (gtk_widget_activate (row_at (fixture, 2)));
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
  g_assert_true (rs_test_wait_until (not_loading_details, details, 60000));
  entry = rs_activity_details_window_get_entry (details);
  g_assert_cmpint (entry->kind, ==, RS_ACTIVITY_IMPORT);
  g_assert_cmpint (entry->outcome, ==, RS_ACTIVITY_OUTCOME_FAILED);
  g_assert_nonnull (entry->error);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "stopped on an error"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), entry->error));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "None: nothing failed"));
  gtk_window_destroy (GTK_WINDOW (details));
}

typedef struct
{
  GtkWidget *root;
  const char *text;
} Label;

static gboolean
label_shown (gpointer data)
{
  Label *label = data;

  return rs_test_find_label (label->root, label->text) != NULL;
}

/* Scrolls the failures of @details to the last, as a person would, and
 * waits for its row to be made. */
static void
wait_for_last_failure (RsActivityDetailsWindow *details,
                       const char              *text)
{
  GtkListView *failures = rs_activity_details_window_get_failures (details);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (failures)));
  Label label = { GTK_WIDGET (failures), text };

  g_assert_cmpuint (n, >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (failures), "list.scroll-to-item", "u",
                                             n - 1));
  g_assert_true (rs_test_wait_until (label_shown, &label, 10000));
}

/* Makes a send round @id with @n failures, each with its own reason, and
 * the ones before it, in the database of @fixture, through a connection of
 * its own as another process would. */
static void
make_entries (Fixture *fixture,
              guint    n_before,
              guint    n_failures)
{
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) sql = g_string_new ("BEGIN;");
  sqlite3 *db;

  if (n_before > 0)
    g_string_append_printf (sql, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                            " WHERE i < %u) INSERT INTO activity (kind, started_at, ended_at,"
                            " user_name, outcome, subject) SELECT 'reports', 1796600000 + i,"
                            " 1796600000 + i, 'scan', 'done', '/tmp/r' FROM n;", n_before);
  g_string_append_printf (sql, "INSERT INTO activity (id, kind, started_at, ended_at, user_name,"
                          " outcome, total, sent, failed, skipped, remaining, deferred, unknown)"
                          " VALUES (%u, 'send', 1796700000, 1796700001, 'scan', 'done', %u, 0,"
                          " %u, 0, 0, 0, 0);", n_before + 1, n_failures, n_failures);
  for (guint i = 0; i < n_failures; i++)
    g_string_append_printf (sql, "INSERT INTO activity_failure (activity_id, position, person,"
                            " address, what, reason) VALUES (%u, %u, 'Person %u',"
                            " 'p%u@example.com', 'failed', '550 5.1.1 No mailbox %u');",
                            n_before + 1, i, i, i, i);
  g_string_append (sql, "COMMIT;");

  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (other, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, sql->str, NULL, NULL, NULL), ==, SQLITE_OK);
  rs_store_release_connection (other);
}

/* A send round in which all of 250 failed: every one of them can be read,
 * the last too. */
static void
test_activity_window_many_failures (Fixture       *fixture,
                                    gconstpointer  data)
{
  RsActivityDetailsWindow *details;

  open_activity (fixture);
  wait_for_entries (fixture, 0);
  make_entries (fixture, 0, 250);
  wait_for_entries (fixture, 1);

  details = open_details (fixture, row_at (fixture, 0));
  g_assert_cmpuint (rs_activity_details_window_get_entry (details)->failures->len, ==, 250);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Person 0, p0@example.com"));
  g_assert_null (rs_test_find_label (GTK_WIDGET (details), "not shown"));
  wait_for_last_failure (details, "Person 249, p249@example.com");
  gtk_window_destroy (GTK_WINDOW (details));
}

typedef struct
{
  Fixture *fixture;
  const char *title;
} Row;

static gboolean
first_row_is (gpointer data)
{
  Row *row = data;
  GtkWidget *widget = find_row (row->fixture, 0);

  return widget != NULL && g_strcmp0 (row_title (widget), row->title) == 0;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

typedef struct
{
  GtkWidget *list;
  GtkAdjustment *vadjustment;
  const char *top;
  GtkWidget *row;
} View;

/* Whether the list shows, in the middle of its view, a row from further
 * down than @top */
static gboolean
rows_in_view (gpointer data)
{
  View *view = data;
  double middle = gtk_adjustment_get_page_size (view->vadjustment) / 2;

  view->row = gtk_widget_pick (view->list, gtk_widget_get_width (view->list) / 2.0, middle,
                               GTK_PICK_DEFAULT);
  while (view->row != NULL && gtk_widget_get_parent (view->row) != view->list)
    view->row = gtk_widget_get_parent (view->row);

  return view->row != NULL && row_subtitle (view->row) != NULL &&
         g_strcmp0 (row_subtitle (view->row), view->top) != 0;
}

/* A log of 20,000 entries shows its newest in a moment and opens it; the
 * newest is a round in which 1,000 failed, and the last of them can be
 * read with its reason. A refresh keeps the place in the list. */
static void
test_activity_window_many_entries (Fixture       *fixture,
                                   gconstpointer  data)
{
  Row row = { fixture, "Send round" };
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GError) error = NULL;
  RsActivityDetailsWindow *details;
  g_autofree char *top = NULL;
  View view = { NULL, };
  GtkAdjustment *vadjustment;
  GtkWidget *focus;
  GtkWidget *list;
  sqlite3 *db;
  double value;

  g_assert_true (rs_test_wait_until (store_open, fixture->window, 10000));
  make_entries (fixture, 19999, 1000);
  open_activity (fixture);
  g_assert_true (rs_test_wait_until (first_row_is, &row, 90000));
  g_assert_cmpuint (rs_activity_window_get_entries (fixture->activity)->len, ==, 20000);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->activity), "20000 entries"));

  details = open_details (fixture, row_at (fixture, 0));
  g_assert_cmpint (rs_activity_details_window_get_entry (details)->kind, ==, RS_ACTIVITY_SEND);
  g_assert_cmpuint (rs_activity_details_window_get_entry (details)->failures->len, ==, 1000);
  wait_for_last_failure (details, "Failed: 550 5.1.1 No mailbox 999");
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Person 999, p999@example.com"));
  gtk_window_destroy (GTK_WINDOW (details));

  /* Far down the list, with the keyboard on a row: a new entry on top
   * leaves both where they were. */
  list = GTK_WIDGET (rs_activity_window_get_list (fixture->activity));
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  view.list = list;
  view.vadjustment = vadjustment;
  view.top = top = g_strdup (row_subtitle (row_at (fixture, 0)));
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment) / 2);
  g_assert_true (rs_test_wait_until (rows_in_view, &view, 60000));
  g_assert_true (gtk_widget_grab_focus (view.row));
  focus = gtk_root_get_focus (GTK_ROOT (fixture->activity));
  value = gtk_adjustment_get_value (vadjustment);

  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (other, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO activity (kind, started_at, ended_at,"
                                 " user_name, outcome, subject) VALUES ('reports', 1796800000,"
                                 " 1796800000, 'scan', 'done', '/tmp/r')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  rs_store_release_connection (other);
  wait_for_entries (fixture, 20001);
  /* The list lays itself out again in the frames that follow */
  rs_test_wait_until (never, NULL, 1000);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (fixture->activity)) == focus);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >=, value);
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

  g_test_add ("/activity-window/killed-run", Fixture, NULL,
              fixture_set_up, test_activity_window_killed_run, fixture_tear_down);
  g_test_add ("/activity-window/empty", Fixture, NULL,
              fixture_set_up, test_activity_window_empty, fixture_tear_down);
  g_test_add ("/activity-window/lists-and-opens", Fixture, NULL,
              fixture_set_up, test_activity_window_lists_and_opens, fixture_tear_down);
  g_test_add ("/activity-window/many-failures", Fixture, NULL,
              fixture_set_up, test_activity_window_many_failures, fixture_tear_down);
  g_test_add ("/activity-window/many-entries", Fixture, NULL,
              fixture_set_up, test_activity_window_many_entries, fixture_tear_down);
  g_test_add ("/activity-window/failed-import", Fixture, NULL,
              fixture_set_up, test_activity_window_failed_import, fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
