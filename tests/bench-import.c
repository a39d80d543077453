/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-import"

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>

#include "rs-import.h"
#include "rs-scores.h"
#include "rs-store.h"
#include "rs-test-util.h"

/* Imports a synthetic master file of --rows rows and 179 columns (about
 * 880 bytes a row, like a real export) into an empty database, then again,
 * and prints the wall time and the peak RSS of each. */

static const char *first[] = { "Ivo", "Anne-Marie", "Lena", "François", "Pieter", "Sanne",
                               "Koen", "Ylva", "Jan", "Eva" };
static const char *last[] = { "Bos", "Jansen", "Öberg", "van Leeuwen", "de Vries", "Smit",
                              "O'Neill", "Visser", "Mulder", "Bakker" };

static void
write_master (const char *path,
              guint       rows)
{
  FILE *out = fopen (path, "w");
  GRand *rand = g_rand_new_with_seed (7);

  g_assert_nonnull (out);
  fputs ("submitdate,reportsent,name,function,company_name,country,email_address,version", out);
  for (guint i = 8; i < 164; i++)
    fprintf (out, ",item_%u", i);
  for (guint i = 0; i < RS_N_SCORES; i++)
    fprintf (out, ",%s", rs_scores_column_name (i));
  fputc ('\n', out);

  for (guint r = 0; r < rows; r++)
    {
      const char *f = first[g_rand_int_range (rand, 0, G_N_ELEMENTS (first))];
      const char *l = last[g_rand_int_range (rand, 0, G_N_ELEMENTS (last))];

      fprintf (out, "2024-%02d-%02d 10:%02d:00,%s,%s %s,Buyer,Company %u B.V.,Netherlands,"
               "person.%u@example.com,Version 1.0 (eng)",
               g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
               g_rand_int_range (rand, 0, 60), g_rand_boolean (rand) ? "False" : "True",
               f, l, r / 3, r);
      for (guint i = 8; i < 164; i++)
        {
          if (i % 10 == 0)
            fprintf (out, ",%.16g", g_rand_double_range (rand, 1.0, 5.0));
          else
            fprintf (out, ",%d", g_rand_int_range (rand, 1, 6));
        }
      for (guint i = 0; i < RS_N_SCORES; i++)
        fprintf (out, ",%.16g", g_rand_double_range (rand, 1.0, 5.0));
      fputc ('\n', out);
    }

  g_rand_free (rand);
  g_assert_cmpint (fclose (out), ==, 0);
}

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
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Rows in the master file", "N" },
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
  write_master (csv, rows);
  file = g_file_new_for_path (csv);
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

      summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

      printf ("%s: %d rows (%.1f MB) in %.3f s; %u new, %u unchanged; peak RSS %.1f MB "
              "(%.1f MB before the imports)\n",
              run == 0 ? "import into an empty database" : "re-import of the same file",
              rows, size / 1e6, seconds,
              summary->added, summary->unchanged, peak_rss_kb () / 1024.0,
              rss_before / 1024.0);
    }

  g_clear_object (&store);
  rs_test_remove_tree (dir);

  return 0;
}
