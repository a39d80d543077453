/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-overview"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-import.h"
#include "core/rs-store.h"
#include "core/rs-tracker.h"
#include "rs-application.h"
#include "rs-overview-chart.h"
#include "rs-overview-page.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The Overview page of the real window over a real database: Alt+2 shows
 * it, its charts get their height and their numbers as text, it follows an
 * import made elsewhere (only once shown), and the dashboard is exported
 * through the window's chooser as a PDF read back with pdftotext. */

#define HEADER "name,company_name,email_address,sector," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"
#define ALL(s) s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," \
               s "," s
#define ROW(name, company, email, scores) name "," company "," email ",Retail," scores "\n"

/* Four at 4.00, three at 3.00, three at 2.00 and a test entry: ten
 * respondents, an average of 3.10, 40.0% high performers, 30.0% needing
 * attention. */
#define ROUND \
  HEADER \
  ROW ("Anna de Vries", "Noord Logistics", "anna@example.com", ALL ("4")) \
  ROW ("Bram Jansen", "Noord Logistics", "bram@example.com", ALL ("4")) \
  ROW ("Chloé Bakker", "Noord Logistics", "chloe@example.com", ALL ("4")) \
  ROW ("Daan Visser", "Noord Logistics", "daan@example.com", ALL ("4")) \
  ROW ("Eva Smit", "Delta Freight", "eva@example.org", ALL ("3")) \
  ROW ("Femke Mulder", "Delta Freight", "femke@example.org", ALL ("3")) \
  ROW ("Gijs de Boer", "Delta Freight", "gijs@example.org", ALL ("3")) \
  ROW ("Hanna Kok", "Oost Cargo", "hanna@example.net", ALL ("2")) \
  ROW ("Ivo Peters", "Oost Cargo", "ivo@example.net", ALL ("2")) \
  ROW ("Jet Vos", "Oost Cargo", "jet@example.net", ALL ("2")) \
  "Kim Test,Oost Cargo,kim@example.net,TEST," ALL ("5") "\n"

/* One more at 5.00: eleven, an average of 3.27. */
#define LATER ROUND ROW ("Kees Bos", "Zuid Trade", "kees@example.com", ALL ("5"))

typedef struct
{
  char *dir;
  char *db;
  RsWindow *window;
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
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 800);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

static gboolean
is_idle (gpointer data)
{
  return rs_window_get_store (data) != NULL && !rs_window_get_busy (data) &&
         g_strcmp0 (rs_window_get_page_name (data), "respondents") == 0;
}

static gboolean
has_store (gpointer data)
{
  return rs_window_get_store (data) != NULL && !rs_window_get_busy (data);
}

static void
import_round (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "master.csv", NULL);

  g_assert_true (g_file_set_contents (path, ROUND, -1, NULL));
  g_assert_true (rs_test_wait_until (has_store, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_test_wait_until (is_idle, fixture->window, 20000));
}

static RsOverviewPage *
find_page (Fixture *fixture)
{
  GtkWidget *root = GTK_WIDGET (fixture->window);

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (RS_IS_OVERVIEW_PAGE (w))
      return RS_OVERVIEW_PAGE (w);

  g_assert_not_reached ();
}

typedef struct
{
  RsOverviewPage *page;
  guint respondents;
} Expected;

static gboolean
shows (gpointer data)
{
  Expected *expected = data;
  RsDashboard *dashboard = rs_overview_page_get_dashboard (expected->page);

  return dashboard != NULL && !rs_overview_page_get_computing (expected->page) &&
         dashboard->respondents == expected->respondents;
}

/* Every chart of the page is drawn at a height of its own. */
static gboolean
charts_have_height (gpointer data)
{
  GtkWidget *root = data;
  guint n = 0;

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (RS_IS_OVERVIEW_CHART (w))
      {
        if (gtk_widget_get_height (w) < 20)
          return FALSE;
        n++;
      }

  return n == 10;
}

static void
test_overview_figures (Fixture       *fixture,
                       gconstpointer  data)
{
  Expected expected = { .respondents = 10 };

  import_round (fixture);
  expected.page = find_page (fixture);
  g_assert_cmpstr (rs_window_get_view_name (fixture->window), ==, "table");
  /* Hidden, the page computes nothing. */
  g_assert_null (rs_overview_page_get_dashboard (expected.page));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-view", "s",
                                             "overview"));
  g_assert_cmpstr (rs_window_get_view_name (fixture->window), ==, "overview");
  g_assert_true (rs_test_wait_until (shows, &expected, 20000));
  g_assert_true (rs_test_wait_until (charts_have_height, expected.page, 10000));

  /* The numbers as text, under each chart, as a person opens them. */
  for (GtkWidget *w = GTK_WIDGET (expected.page); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (expected.page)))
    if (GTK_IS_EXPANDER (w))
      gtk_expander_set_expanded (GTK_EXPANDER (w), TRUE);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (expected.page), "Respondents: 10\n"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (expected.page), "Average SCRES: 3.10\n"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (expected.page),
                                        "High performers (≥ 4.00): 40.0% (4)"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (expected.page),
                                        "Attention required (< 2.50): 30.0% (3)"));

  /* Search belongs to the table: Ctrl+F goes there. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  g_assert_cmpstr (rs_window_get_view_name (fixture->window), ==, "table");
}

/* An import made elsewhere shows by itself while the page is shown; one
 * made while the table is shown, once the page is shown again. */
static void
test_overview_follows (Fixture       *fixture,
                       gconstpointer  data)
{
  Expected ten = { .respondents = 10 };
  Expected eleven = { .respondents = 11 };
  Expected twelve = { .respondents = 12 };
  g_autofree char *path = g_build_filename (fixture->dir, "later.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsStore) other = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) again = NULL;
  g_autoptr(GError) error = NULL;

  import_round (fixture);
  ten.page = eleven.page = twelve.page = find_page (fixture);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-view", "s",
                                             "overview"));
  g_assert_true (rs_test_wait_until (shows, &ten, 20000));

  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, LATER, -1, NULL));
  summary = rs_import_file (other, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (rs_test_wait_until (shows, &eleven, 20000));
  g_assert_cmpfloat_with_epsilon (rs_overview_page_get_dashboard (ten.page)->average, 36.0 / 11,
                                  1e-9);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-view", "s",
                                             "table"));
  g_assert_true (g_file_set_contents (path, LATER ROW ("Lot Bos", "Zuid Trade",
                                                       "lot@example.com", ALL ("1")),
                                      -1, NULL));
  again = rs_import_file (other, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  rs_store_release_connection (other);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-view", "s",
                                             "overview"));
  g_assert_true (rs_test_wait_until (shows, &twelve, 20000));
}

typedef struct
{
  GtkWidget *page;
  const char *text;
} Showing;

static gboolean
shows_text (gpointer data)
{
  Showing *showing = data;

  return rs_test_find_label (showing->page, showing->text) != NULL;
}

/* A send round elsewhere changes a few counts: the Sending section shows
 * them; the other sections, whose figures stayed the same, still show them
 * (they are not drawn again, their charts take the new figures). */
static void
test_overview_statuses (Fixture       *fixture,
                        gconstpointer  data)
{
  Expected ten = { .respondents = 10 };
  Showing sent = { .text = "Sent: 2\n" };
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[] = { 1, 2 };
  GtkLabel *average;
  RsDashboard *before;

  import_round (fixture);
  ten.page = find_page (fixture);
  sent.page = GTK_WIDGET (ten.page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-view", "s",
                                             "overview"));
  g_assert_true (rs_test_wait_until (shows, &ten, 20000));
  g_assert_true (rs_test_wait_until (charts_have_height, ten.page, 10000));
  for (GtkWidget *w = sent.page; w != NULL; w = rs_test_next_widget (w, sent.page))
    if (GTK_IS_EXPANDER (w))
      gtk_expander_set_expanded (GTK_EXPANDER (w), TRUE);
  g_assert_nonnull (rs_test_find_label (sent.page, "Sent: 0\n"));
  average = rs_test_find_label (sent.page, "Average SCRES: 3.10\n");
  g_assert_nonnull (average);
  before = rs_overview_page_get_dashboard (ten.page);

  other = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  marked = rs_tracker_mark (other, ids, G_N_ELEMENTS (ids), RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);
  rs_store_release_connection (other);

  g_assert_true (rs_test_wait_until (shows_text, &sent, 20000));
  g_assert_true (rs_overview_page_get_dashboard (ten.page) != before);
  g_assert_true (rs_test_find_label (sent.page, "Average SCRES: 3.10\n") == average);
  g_assert_null (rs_test_find_label (sent.page, "Sent: 0\n"));
  g_assert_true (rs_test_wait_until (charts_have_height, ten.page, 10000));
}

static gboolean
chooser_open (gpointer data)
{
  return rs_window_get_dashboard_chooser (data) != NULL;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

typedef struct
{
  GtkFileChooser *chooser;
  const char *folder;
} InFolder;

static gboolean
in_folder (gpointer data)
{
  InFolder *in = data;
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (in->chooser);
  g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

  return g_strcmp0 (path, in->folder) == 0;
}

static gboolean
toast_says_saved (gpointer data)
{
  return rs_test_find_label (data, "Dashboard saved as “round.pdf”") != NULL;
}

/* Ctrl+Shift+E: a chooser in the reports folder with “Dashboard
 * YYYYMMDD.pdf”; the PDF has the page's numbers. */
static void
test_overview_export (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *reports = g_build_filename (fixture->dir, "Reports", NULL);
  g_autofree char *pdf = g_build_filename (fixture->dir, "round.pdf", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *expected_name = g_date_time_format (now, "Dashboard %Y%m%d.pdf");
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  g_autoptr(GError) error = NULL;
  char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  InFolder in_reports = { NULL, reports };
  InFolder in_test = { NULL, fixture->dir };
  GtkFileChooser *chooser;
  int status = 0;

  g_settings_set_string (settings, "reports-folder", reports);
  import_round (fixture);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.export-dashboard", NULL));
  g_assert_true (rs_test_wait_until (chooser_open, fixture->window, 10000));
  chooser = in_reports.chooser = in_test.chooser =
    rs_window_get_dashboard_chooser (fixture->window);
  /* The reports folder is made for it. */
  g_assert_true (rs_test_wait_until (in_folder, &in_reports, 20000));
  name = gtk_file_chooser_get_current_name (chooser);
  g_assert_cmpstr (name, ==, expected_name);

  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (chooser, "round.pdf");
  g_assert_true (rs_test_wait_until (in_folder, &in_test, 20000));
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (rs_window_get_dashboard_chooser (fixture->window));

  g_assert_true (rs_test_wait_until (file_exists, pdf, 20000));
  g_assert_true (rs_test_wait_until (toast_says_saved, fixture->window, 20000));
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &text, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (text, "3.10"));
  g_assert_nonnull (strstr (text, "Noord Logistics"));
  g_settings_reset (settings, "reports-folder");
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

  g_test_add ("/overview/figures", Fixture, NULL, fixture_set_up, test_overview_figures,
              fixture_tear_down);
  g_test_add ("/overview/follows", Fixture, NULL, fixture_set_up, test_overview_follows,
              fixture_tear_down);
  g_test_add ("/overview/statuses", Fixture, NULL, fixture_set_up, test_overview_statuses,
              fixture_tear_down);
  g_test_add ("/overview/export", Fixture, NULL, fixture_set_up, test_overview_export,
              fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
