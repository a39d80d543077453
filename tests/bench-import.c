/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-import"

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include "rs-import.h"
#include "rs-store.h"
#include "rs-test-master.h"
#include "rs-test-util.h"

/* Imports a synthetic master file of --rows rows and 179 columns (about
 * 880 bytes a row, like a real export), or the file given with --file, into
 * an empty database, then again, and prints the wall time, the CPU time
 * and the peak RSS of each, and how long the checkpoint after it takes. */

static long
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int
main (int   argc,
      char *argv[])
{
  int rows = 100000;
  g_autofree char *given = NULL;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Rows in the master file", "N" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &given, "Import this master file instead", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *db = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsStore) store = NULL;
  long rss_before;
  goffset size;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  dir = rs_test_make_tmpdir ();
  csv = g_build_filename (dir, "master.csv", NULL);
  db = g_build_filename (dir, "tracker.db", NULL);
  if (given != NULL)
    {
      file = g_file_new_for_commandline_arg (given);
    }
  else
    {
      rs_test_write_master (csv, rows);
      file = g_file_new_for_path (csv);
    }
  {
    g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0,
                                                   NULL, &error);
    g_assert_no_error (error);
    size = g_file_info_get_size (info);
  }

  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  rss_before = peak_rss_kb ();

  for (guint run = 0; run < 2; run++)
    {
      g_autoptr(RsImportSummary) summary = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;
      double checkpoint;
      double cpu_before;
      double cpu;

      cpu_before = rs_test_cpu_seconds ();
      summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      cpu = rs_test_cpu_seconds () - cpu_before;

      /* What the window then does in the background. */
      start = g_get_monotonic_time ();
      rs_store_checkpoint (store, &error);
      g_assert_no_error (error);
      checkpoint = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

      printf ("%s: %u rows (%.1f MB) in %.3f s (%.3f s of CPU); %u new, %u unchanged; peak RSS %.1f MB "
              "(%.1f MB before the imports); then the checkpoint %.3f s\n",
              run == 0 ? "import into an empty database" : "re-import of the same file",
              summary->added + summary->updated + summary->unchanged + summary->skipped,
              size / 1e6, seconds, cpu,
              summary->added, summary->unchanged, peak_rss_kb () / 1024.0,
              rss_before / 1024.0, checkpoint);
    }

  g_clear_object (&store);
  rs_test_remove_tree (dir);

  return 0;
}
