/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-report"

#include "config.h"

#include <stdio.h>

#include "rs-benchmark.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-test-master.h"
#include "rs-test-util.h"

/* Reports for --rows respondents (500 by default): the median time of one
 * report on one thread, then the whole job on one worker per core. */

typedef struct
{
  gint64 last;
  GArray *times;
} Timing;

static void
progress_cb (const RsReportSummary *so_far,
             const RsReportResult  *result,
             gpointer               user_data)
{
  Timing *timing = user_data;
  gint64 now = g_get_monotonic_time ();
  double ms = (now - timing->last) / 1000.0;

  timing->last = now;
  g_array_append_val (timing->times, ms);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The peer benchmark of a report job: the population's ranks sorted once,
 * then two binary searches a row for each report. */
static void
bench_population (guint n)
{
  g_autoptr(RsPopulation) population = rs_population_new ();
  GRand *rand = g_rand_new_with_seed (16);
  double (*scores)[RS_N_SCORES] = g_malloc_n (n, sizeof *scores);
  gint64 start;
  double sort_ms;
  double rank_ms;
  guint shown = 0;

  for (guint i = 0; i < n; i++)
    for (guint s = 0; s < RS_N_SCORES; s++)
      scores[i][s] = g_rand_int_range (rand, 0, 51) / 10.0;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    rs_population_add (population, scores[i]);
  rs_population_seal (population);
  sort_ms = (g_get_monotonic_time () - start) / 1000.0;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      RsBenchmark benchmark;

      rs_population_benchmark (population, scores[i], &benchmark);
      shown += benchmark.shown;
    }
  rank_ms = (g_get_monotonic_time () - start) / 1000.0;
  g_assert_cmpuint (shown, ==, n);

  printf ("peer benchmark: %u respondents counted and sorted in %.1f ms, "
          "the ranks of all of them in %.1f ms\n", n, sort_ms, rank_ms);
  g_free (scores);
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  int rows = 500;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Respondents", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *db = NULL;
  g_autofree char *folder = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  dir = rs_test_make_tmpdir ();
  csv = g_build_filename (dir, "master.csv", NULL);
  db = g_build_filename (dir, "tracker.db", NULL);
  folder = g_build_filename (dir, "Reports", NULL);
  rs_test_write_master (csv, rows);
  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  imported = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(RsReportSummary) summary = NULL;
      Timing timing = { g_get_monotonic_time (), g_array_new (FALSE, FALSE, sizeof (double)) };
      gint64 start = g_get_monotonic_time ();
      double seconds;

      /* Forced: every report is made again. */
      summary = rs_report_job_run (store, folder, NULL, 0, TRUE, threads == 1 ? 1 : 0,
                                   progress_cb, &timing, NULL, &error);
      g_assert_no_error (error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      g_array_sort (timing.times, compare_doubles);

      if (threads == 1)
        printf ("one thread: %u reports, median %.1f ms a report (p90 %.1f ms), %.2f s in all\n",
                summary->made, g_array_index (timing.times, double, timing.times->len / 2),
                g_array_index (timing.times, double, timing.times->len * 9 / 10), seconds);
      else
        printf ("one worker per core (%u cores): %u reports in %.2f s (%.1f ms a report)\n",
                g_get_num_processors (), summary->made, seconds,
                seconds * 1000 / MAX (summary->made, 1));
      g_array_unref (timing.times);
    }

  bench_population (100000);

  g_clear_object (&store);
  rs_test_remove_tree (dir);

  return 0;
}
