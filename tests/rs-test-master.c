/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-test-master"

#include "config.h"

#include <stdio.h>

#include "rs-scores.h"
#include "rs-test-master.h"

static const char *first[] = { "Ivo", "Anne-Marie", "Lena", "François", "Pieter", "Sanne",
                               "Koen", "Ylva", "Jan", "Eva" };
static const char *last[] = { "Bos", "Jansen", "Öberg", "van Leeuwen", "de Vries", "Smit",
                              "O'Neill", "Visser", "Mulder", "Bakker" };

/* A master file of @rows rows and 179 columns, about 880 bytes a row like a
 * real export: a company for every three people or so, in no order, and a
 * quarter of the people marked as sent. */
void
rs_test_write_master (const char *path,
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
               g_rand_int_range (rand, 0, 60),
               g_rand_int_range (rand, 0, 4) == 0 ? "True" : "False",
               f, l, g_rand_int_range (rand, 0, rows / 3 + 1), r);
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

