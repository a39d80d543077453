/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-xlsx"

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include "rs-import.h"
#include "rs-store.h"
#include "rs-test-master.h"
#include "rs-test-util.h"

/* The same --rows rows (179 columns) as a workbook and as CSV, each
 * imported into an empty database: the workbook is written by LibreOffice
 * (soffice --headless --convert-to xlsx) when it is installed, else by
 * openpyxl in write-only mode, or given with --workbook and --csv. Prints
 * both times, their ratio and the peak RSS; fails above 200 MB. */

#define MAX_RSS_MB 200

static long
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
convert (const char *csv,
         const char *dir,
         const char *xlsx)
{
  g_autofree char *soffice = g_find_program_in_path ("soffice");
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  int status;

  if (soffice != NULL)
    {
      g_autofree char *profile = g_strdup_printf ("-env:UserInstallation=file://%s/lo", dir);
      const char *argv[] = { soffice, profile, "--headless", "--infilter=CSV:44,34,76,1",
                             "--convert-to", "xlsx", "--outdir", dir, csv, NULL };

      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                        NULL, NULL, &status, &error)
          && g_spawn_check_wait_status (status, NULL)
          && g_file_test (xlsx, G_FILE_TEST_EXISTS))
        {
          printf ("workbook written by LibreOffice\n");
          return;
        }
      g_clear_error (&error);
    }

  script = g_test_build_filename (G_TEST_DIST, "make-workbooks.py", NULL);
  if (!g_spawn_sync (NULL, (char *[]) { "/usr/bin/python3", script, "--from-csv", (char *) csv,
                                        (char *) xlsx, NULL },
                     NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("make-workbooks.py --from-csv: %s", error->message);
  printf ("workbook written by openpyxl (LibreOffice is not installed)\n");
}

static double
import_once (const char *dir,
             const char *name,
             const char *path,
             double     *cpu)
{
  g_autofree char *db = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  double cpu_before;
  gint64 start;
  double seconds;

  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  cpu_before = rs_test_cpu_seconds ();
  start = g_get_monotonic_time ();
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  *cpu = rs_test_cpu_seconds () - cpu_before;
  printf ("%s: %u new in %.3f s (%.3f s of CPU); peak RSS so far %.1f MB\n", path,
          summary->added, seconds, *cpu, peak_rss_kb () / 1024.0);

  return seconds;
}

int
main (int   argc,
      char *argv[])
{
  int rows = 100000;
  g_autofree char *workbook = NULL;
  g_autofree char *csv = NULL;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Rows in the master file", "N" },
    { "workbook", 0, 0, G_OPTION_ARG_FILENAME, &workbook, "This workbook", "FILE" },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "and this CSV file of the same rows", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  double xlsx_seconds;
  double csv_seconds;
  double xlsx_cpu;
  double csv_cpu;
  double rss_mb;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  dir = rs_test_make_tmpdir ();
  if (csv == NULL || workbook == NULL)
    {
      g_free (csv);
      g_free (workbook);
      csv = g_build_filename (dir, "master.csv", NULL);
      workbook = g_build_filename (dir, "master.xlsx", NULL);
      rs_test_write_master (csv, rows);
      convert (csv, dir, workbook);
    }

  /* The workbook first: the peak RSS is then its own. */
  xlsx_seconds = import_once (dir, "workbook.db", workbook, &xlsx_cpu);
  rss_mb = peak_rss_kb () / 1024.0;
  csv_seconds = import_once (dir, "csv.db", csv, &csv_cpu);

  printf ("workbook / CSV: %.1f× the time (%.1f× the CPU); peak RSS of the workbook's import "
          "%.1f MB (at most %d)\n",
          xlsx_seconds / csv_seconds, xlsx_cpu / csv_cpu, rss_mb, MAX_RSS_MB);

  rs_test_remove_tree (dir);

  return rss_mb <= MAX_RSS_MB ? 0 : 1;
}
