/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-window"

#include "config.h"

#include <stdio.h>

#include "core/rs-import.h"
#include "core/rs-tracker.h"
#include "rs-application.h"
#include "rs-overview-page.h"
#include "rs-test-gtk.h"
#include "rs-test-master.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The window with --rows respondents (100,000 by default): time to a filled
 * table, a keystroke in search, sorting by columns, a change made elsewhere
 * shown, memory, and the longest stall of the main loop while a worker
 * thread changes statuses. */

static RsApplication *app;
static int exit_status;
/* The longest frame gap allowed while the overview refreshes, in ms */
#define MAX_OVERVIEW_GAP_MS 50.0
static int rows = 100000;
static char *db;

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static long
rss_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return -1;

  return strtol (line + strlen (field), NULL, 10);
}

static gboolean
table_shown (gpointer data)
{
  RsWindow *window = data;
  RsRespondentView *view = rs_window_get_respondent_view (window);

  return rs_respondent_view_get_n_respondents (view) == (guint) rows &&
         gtk_widget_get_mapped (GTK_WIDGET (rs_respondent_view_get_column_view (view)));
}

/* The window crossfades from its spinner to the table; a keystroke timed
 * during that would time the fade, which draws the whole window each frame. */
static gboolean
window_settled (gpointer data)
{
  GtkWidget *stack = gtk_widget_get_ancestor (data, GTK_TYPE_STACK);

  return stack == NULL || !gtk_stack_get_transition_running (GTK_STACK (stack));
}

typedef struct
{
  gint64 last;
  gint64 longest;
  guint ticks;
} Ticks;

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  Ticks *ticks = data;
  gint64 now = g_get_monotonic_time ();

  if (ticks->last != 0)
    ticks->longest = MAX (ticks->longest, now - ticks->last);
  ticks->last = now;
  ticks->ticks++;

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  RsStore *store;
  gint stop;
  guint changes;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  static const RsStatus cycle[] = { RS_STATUS_SENT, RS_STATUS_FAILED, RS_STATUS_PENDING };

  /* What a send job does: a few status changes a second, each committed. */
  for (guint i = 0; !g_atomic_int_get (&worker->stop); i++)
    {
      gint64 id = 1 + (gint64) g_random_int_range (0, rows);
      g_autoptr(GPtrArray) snapshots = NULL;
      g_autoptr(GError) error = NULL;

      snapshots = rs_tracker_mark (worker->store, &id, 1, cycle[i % 3], NULL, &error);
      g_assert_no_error (error);
      worker->changes++;
      g_usleep (50 * 1000);
    }
  rs_store_release_connection (worker->store);

  return NULL;
}

typedef struct
{
  RsRespondentView *view;
  RsStatus status;
} Shown;

static gboolean
first_shown_is (gpointer data)
{
  Shown *shown = data;
  GListModel *visible = rs_respondent_view_get_visible (shown->view);
  g_autoptr(RsRespondent) first = g_list_model_get_item (visible, 0);

  return first != NULL && rs_respondent_get_status (first) == shown->status;
}

/* A status changed elsewhere (another connection, as `mark` on the command
 * line or a send in another window): how soon the table shows it. */
static void
bench_change_elsewhere (RsRespondentView *view)
{
  g_autoptr(RsStore) other = NULL;
  g_autoptr(RsRespondent) first = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  Shown shown = { view, RS_STATUS_FAILED };
  gint64 id;
  gint64 start;

  rs_respondent_view_set_search_text (view, "person.1@example.com");
  rs_test_iterate ();
  first = g_list_model_get_item (rs_respondent_view_get_visible (view), 0);
  g_assert_nonnull (first);
  id = rs_respondent_get_id (first);
  if (rs_respondent_get_status (first) == RS_STATUS_FAILED)
    shown.status = RS_STATUS_SENT;

  other = rs_store_open (db, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  snapshots = rs_tracker_mark (other, &id, 1, shown.status, NULL, &error);
  g_assert_no_error (error);
  rs_store_release_connection (other);
  if (rs_test_wait_until (first_shown_is, &shown, 10000))
    printf ("a status changed elsewhere is shown %.3f s after it was written\n",
            seconds_since (start));
  else
    {
      printf ("FAILED: a status changed elsewhere was not shown within 10 s\n");
      exit_status = 1;
    }
  rs_respondent_view_set_search_text (view, "");
  rs_test_iterate ();
}

static gboolean
wait_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wait_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
print_memory (const char *when)
{
  printf ("memory %s: %.1f MB resident, %.1f MB at the most so far\n", when,
          rss_kb ("VmRSS:") / 1024.0, rss_kb ("VmHWM:") / 1024.0);
}

static void
bench (void)
{
  static const char *typed[] = { "c", "co", "com", "comp", "company 1", "company 12",
                                 "company 123", "company 12", "" };
  RsWindow *window;
  RsRespondentView *view;
  GtkColumnView *column_view;
  GListModel *columns;
  Ticks ticks = { 0 };
  Worker worker = { 0 };
  GThread *thread;
  gint64 start;
  double worst;

  start = g_get_monotonic_time ();
  window = rs_window_new (app, db);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (rs_test_wait_until (table_shown, window, 60000));
  rs_test_iterate ();
  printf ("window shows %d respondents: %.3f s after it was made\n", rows, seconds_since (start));
  print_memory ("with the table filled");

  view = rs_window_get_respondent_view (window);
  column_view = rs_respondent_view_get_column_view (view);
  g_assert_true (rs_test_wait_until (window_settled, view, 10000));
  rs_test_iterate ();

  worst = 0;
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      start = g_get_monotonic_time ();
      rs_respondent_view_set_search_text (view, typed[i]);
      rs_test_iterate ();
      worst = MAX (worst, seconds_since (start));
      printf ("search “%s”: %u rows in %.1f ms\n", typed[i],
              g_list_model_get_n_items (rs_respondent_view_get_visible (view)),
              seconds_since (start) * 1000);
    }
  printf ("slowest keystroke in search: %.1f ms\n", worst * 1000);
  print_memory ("after the searches");

  columns = gtk_column_view_get_columns (column_view);
  worst = 0;
  for (guint c = 0; c < g_list_model_get_n_items (columns); c++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, c);

      start = g_get_monotonic_time ();
      gtk_column_view_sort_by_column (column_view, column, GTK_SORT_ASCENDING);
      rs_test_iterate ();
      worst = MAX (worst, seconds_since (start));
      printf ("sort by %s: %.1f ms\n", gtk_column_view_column_get_title (column),
              seconds_since (start) * 1000);
    }
  printf ("slowest sort: %.1f ms\n", worst * 1000);
  print_memory ("after the sorts");

  bench_change_elsewhere (view);

  /* The main loop while a worker writes statuses and the table follows. */
  worker.store = rs_window_get_store (window);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, &ticks, NULL);
  thread = g_thread_new ("bench-worker", worker_thread, &worker);
  run_for (5000);
  g_atomic_int_set (&worker.stop, TRUE);
  g_thread_join (thread);
  printf ("while a worker made %u status changes in 5 s: %u frames, longest gap between "
          "frames %.1f ms\n", worker.changes, ticks.ticks, ticks.longest / 1000.0);
  print_memory ("after the status changes");

  /* The main loop while reports are made in the background for 5 s. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *folder = g_build_filename (g_get_tmp_dir (), "rs-bench-reports-XXXXXX",
                                                NULL);

    g_assert_nonnull (g_mkdtemp (folder));
    g_settings_set_string (settings, "reports-folder", folder);
    ticks = (Ticks) { 0 };
    rs_window_generate_reports (window, NULL, 0);
    run_for (5000);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-job", NULL));
    while (rs_window_get_busy (window))
      g_main_context_iteration (NULL, TRUE);
    printf ("while reports were made for 5 s: %u frames, longest gap between frames %.1f ms\n",
            ticks.ticks, ticks.longest / 1000.0);
    rs_test_remove_tree (folder);
  }

  /* The Overview: shown, then refreshed as a worker writes statuses (the
   * page computes again after each change it sees, in a worker). */
  {
    RsOverviewPage *page = NULL;
    GtkWidget *root = GTK_WIDGET (window);
    guint refreshes = 0;
    RsDashboard *last = NULL;

    for (GtkWidget *w = root; w != NULL && page == NULL; w = rs_test_next_widget (w, root))
      if (RS_IS_OVERVIEW_PAGE (w))
        page = RS_OVERVIEW_PAGE (w);
    g_assert_nonnull (page);

    ticks = (Ticks) { 0 };
    start = g_get_monotonic_time ();
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s",
                                               "overview"));
    while (rs_overview_page_get_dashboard (page) == NULL ||
           rs_overview_page_get_computing (page))
      g_main_context_iteration (NULL, TRUE);
    rs_test_iterate ();
    printf ("overview shown with the figures of %u respondents: %.3f s after it was asked for, "
            "longest gap between frames %.1f ms\n", rs_overview_page_get_dashboard (page)->respondents,
            seconds_since (start), ticks.longest / 1000.0);

    ticks = (Ticks) { 0 };
    worker = (Worker) { .store = rs_window_get_store (window) };
    last = rs_overview_page_get_dashboard (page);
    thread = g_thread_new ("bench-worker", worker_thread, &worker);
    start = g_get_monotonic_time ();
    while (seconds_since (start) < 8.0)
      {
        g_main_context_iteration (NULL, TRUE);
        if (rs_overview_page_get_dashboard (page) != last)
          {
            last = rs_overview_page_get_dashboard (page);
            refreshes++;
          }
      }
    g_atomic_int_set (&worker.stop, TRUE);
    g_thread_join (thread);
    printf ("overview while a worker made %u status changes in 8 s: refreshed %u times, "
            "%u frames, longest gap between frames %.1f ms (at most %.0f ms)\n", worker.changes,
            refreshes, ticks.ticks, ticks.longest / 1000.0, MAX_OVERVIEW_GAP_MS);
    if (refreshes == 0 || ticks.longest / 1000.0 > MAX_OVERVIEW_GAP_MS)
      {
        printf ("FAILED: the overview %s\n", refreshes == 0 ? "did not refresh"
                                                            : "held up the window too long");
        exit_status = 1;
      }
  }

  printf ("memory: %.1f MB resident now, %.1f MB at the most\n", rss_kb ("VmRSS:") / 1024.0,
          rss_kb ("VmHWM:") / 1024.0);

  gtk_window_destroy (GTK_WINDOW (window));
  rs_test_iterate ();
}

static void
activate_cb (GApplication *application)
{
  g_signal_stop_emission_by_name (application, "activate");
  bench ();
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Respondents in the database", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  char *app_argv[] = { argv[0], NULL };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  rs_test_gtk_init (&argc, &argv);

  dir = rs_test_make_tmpdir ();
  csv = g_build_filename (dir, "master.csv", NULL);
  db = g_build_filename (dir, "tracker.db", NULL);
  rs_test_write_master (csv, rows);
  {
    g_autoptr(RsStore) store = rs_store_open (db, &error);
    g_autoptr(GFile) file = g_file_new_for_path (csv);
    g_autoptr(RsImportSummary) summary = NULL;

    g_assert_no_error (error);
    summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  app = rs_application_new (db);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  g_application_run (G_APPLICATION (app), 1, app_argv);
  g_clear_object (&app);

  rs_test_remove_tree (dir);
  g_free (db);

  return exit_status;
}
