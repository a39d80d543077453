/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-benchmark"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "rs-benchmark.h"
#include "rs-store.h"
#include "rs-store-private.h"

/* The population as one sorted array per row (three pillar means and the
 * overall SCRES) with its sum: a respondent's percentile rank is two binary
 * searches, so the reports of 100,000 respondents cost a sort each. */

struct _RsPopulation
{
  guint size;
  GArray *values[RS_BENCHMARK_N_ROWS];
  double sums[RS_BENCHMARK_N_ROWS];
  gboolean sealed;
};

RsPopulation *
rs_population_new (void)
{
  RsPopulation *population = g_new0 (RsPopulation, 1);

  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    population->values[row] = g_array_new (FALSE, FALSE, sizeof (double));

  return population;
}

void
rs_population_free (RsPopulation *population)
{
  if (population == NULL)
    return;

  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    g_array_unref (population->values[row]);
  g_free (population);
}

static double
row_value (const double scores[RS_N_SCORES],
           guint        row)
{
  return row == RS_BENCHMARK_OVERALL ? rs_scores_overall (scores)
                                     : rs_scores_pillar_mean (scores, row);
}

/**
 * rs_population_add:
 *
 * Counts one respondent who is not a test entry; one with fewer than 5
 * scores is left out, as the spec says. Before rs_population_seal().
 */
void
rs_population_add (RsPopulation *population,
                   const double  scores[RS_N_SCORES])
{
  g_return_if_fail (population != NULL);
  g_return_if_fail (!population->sealed);

  if (rs_scores_count (scores) < 5)
    return;

  population->size++;
  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    {
      double value = row_value (scores, row);

      if (isnan (value))
        continue;
      g_array_append_val (population->values[row], value);
      population->sums[row] += value;
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sorts the population; it is read-only, and so safe to share between
 * threads, from then on. */
void
rs_population_seal (RsPopulation *population)
{
  g_return_if_fail (population != NULL);

  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    g_array_sort (population->values[row], compare_doubles);
  population->sealed = TRUE;
}

guint
rs_population_get_size (const RsPopulation *population)
{
  g_return_val_if_fail (population != NULL, 0);

  return population->size;
}

/* The first index whose value is not below @value (@or_equal FALSE), or
 * not below or equal to it (@or_equal TRUE). */
static guint
bound (const GArray *array,
       double        value,
       gboolean      or_equal)
{
  const double *values = (const double *) array->data;
  guint low = 0;
  guint high = array->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (values[middle] < value || (or_equal && values[middle] == value))
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

/**
 * rs_population_benchmark:
 *
 * What the block shows for @scores: for each pillar and the overall SCRES
 * the value, the population's mean and the percentile rank
 * 100 × (below + ½ × equal) / n, rounded half up to a whole percent, where
 * n counts the population's respondents that have the value (all of them
 * for the overall SCRES). Left out (shown FALSE) below
 * %RS_BENCHMARK_MIN_POPULATION respondents; a pillar that fewer than that
 * have shows the respondent's value only (mean NAN, percentile -1).
 */
void
rs_population_benchmark (const RsPopulation *population,
                         const double        scores[RS_N_SCORES],
                         RsBenchmark        *benchmark)
{
  g_return_if_fail (benchmark != NULL);

  memset (benchmark, 0, sizeof *benchmark);
  if (population == NULL || population->size < RS_BENCHMARK_MIN_POPULATION)
    return;

  g_return_if_fail (population->sealed);

  benchmark->shown = TRUE;
  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    {
      const GArray *values = population->values[row];
      double value = row_value (scores, row);
      guint64 below;
      guint64 equal;
      guint64 n = values->len;

      benchmark->value[row] = value;
      /* Fewer than the block's minimum have this pillar: its mean and rank
       * would tell the few others' scores. */
      if (n < RS_BENCHMARK_MIN_POPULATION)
        {
          benchmark->mean[row] = NAN;
          benchmark->percentile[row] = -1;
          continue;
        }
      benchmark->mean[row] = population->sums[row] / n;
      if (isnan (value))
        {
          benchmark->percentile[row] = -1;
          continue;
        }

      below = bound (values, value, FALSE);
      equal = bound (values, value, TRUE) - below;
      /* round (100 (2 below + equal) / 2n), half up, in whole numbers */
      benchmark->percentile[row] = (int) ((2 * 100 * (2 * below + equal) + 2 * n) / (4 * n));
      benchmark->percentile[row] = MIN (benchmark->percentile[row], 100);
    }
}

/**
 * rs_population_load:
 *
 * The population of the database, sealed.
 */
RsPopulation *
rs_population_load (sqlite3  *db,
                    GError  **error)
{
  g_autoptr(RsPopulation) population = rs_population_new ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT " RS_STORE_SCORE_COLUMNS " FROM respondent r"
                           " WHERE " RS_STORE_NOT_TEST_ENTRY,
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          double scores[RS_N_SCORES];

          rs_store_read_scores (stmt, 0, scores);
          rs_population_add (population, scores);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  rs_population_seal (population);

  return g_steal_pointer (&population);
}

/* As the report prints it (rs_report_text_number()), so that the key is
 * the same exactly when the printed number is. */
static void
append_number (GString *key,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    g_string_append_c (key, '-');
  else
    g_string_append (key, g_ascii_formatd (buffer, sizeof buffer, "%.2f", value));
}

/**
 * rs_benchmark_key:
 *
 * What the block shows, as text: the same text exactly when the block
 * reads the same. "" when it is left out. The report's input hash and the
 * delivery record (report_benchmark) keep it.
 */
char *
rs_benchmark_key (const RsBenchmark *benchmark)
{
  GString *key;

  g_return_val_if_fail (benchmark != NULL, NULL);

  if (!benchmark->shown)
    return g_strdup ("");

  key = g_string_new (NULL);
  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    {
      append_number (key, benchmark->value[row]);
      g_string_append_c (key, '/');
      append_number (key, benchmark->mean[row]);
      g_string_append_printf (key, "/%d;", benchmark->percentile[row]);
    }

  return g_string_free (key, FALSE);
}

/**
 * rs_benchmark_outdate_reports:
 * @change: the change number to give the rows, or 0 for the next one
 *
 * After the population changed (an import, a respondent's scores or test
 * flag): every report that is current and whose benchmark block would now
 * read otherwise than when it was made becomes outdated, as a report whose
 * data changed does. A report made with the benchmark switched off
 * (recorded as "off") shows no block and is left alone. In the caller's
 * write transaction.
 */
gboolean
rs_benchmark_outdate_reports (sqlite3  *db,
                              gint64    change,
                              GError  **error)
{
  g_autoptr(RsPopulation) population = NULL;
  g_autoptr(GArray) outdated = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);

  population = rs_population_load (db, error);
  if (population == NULL)
    return FALSE;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.id, coalesce (d.report_benchmark, ''), "
                           RS_STORE_SCORE_COLUMNS
                           "  FROM delivery d JOIN respondent r ON r.id = d.respondent_id"
                           " WHERE d.report_path IS NOT NULL AND " RS_STORE_REPORT_CURRENT
                           "   AND d.report_benchmark IS NOT 'off'",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          const char *recorded = (const char *) sqlite3_column_text (stmt, 1);
          double scores[RS_N_SCORES];
          RsBenchmark benchmark;
          g_autofree char *key = NULL;

          rs_store_read_scores (stmt, 2, scores);
          rs_population_benchmark (population, scores, &benchmark);
          key = rs_benchmark_key (&benchmark);
          if (g_strcmp0 (key, recorded) != 0)
            g_array_append_val (outdated, id);
        }
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  if (outdated->len == 0)
    return TRUE;

  if (change > 0)
    rc = sqlite3_prepare_v2 (db, "UPDATE delivery SET report_source_hash = NULL, changed = :change"
                             " WHERE respondent_id = :id", -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (db, "UPDATE delivery SET report_source_hash = NULL"
                             " WHERE respondent_id = :id", -1, &stmt, NULL);
  for (guint i = 0; i < outdated->len && rc == SQLITE_OK; i++)
    {
      sqlite3_reset (stmt);
      if (change > 0)
        sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":change"), change);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"),
                          g_array_index (outdated, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
setting_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  gboolean enabled = GPOINTER_TO_INT (user_data);
  g_autoptr(RsPopulation) population = NULL;
  g_autoptr(GArray) outdated = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (enabled)
    {
      population = rs_population_load (db, error);
      if (population == NULL)
        return FALSE;
      /* Too few respondents: the block stays out, the reports as they are. */
      if (rs_population_get_size (population) < RS_BENCHMARK_MIN_POPULATION)
        return TRUE;
      rc = sqlite3_prepare_v2 (db,
                               "SELECT r.id FROM delivery d JOIN respondent r"
                               "    ON r.id = d.respondent_id"
                               " WHERE d.report_path IS NOT NULL AND " RS_STORE_REPORT_CURRENT
                               "   AND d.report_benchmark IS 'off'",
                               -1, &stmt, NULL);
    }
  else
    {
      rc = sqlite3_prepare_v2 (db,
                               "SELECT r.id FROM delivery d JOIN respondent r"
                               "    ON r.id = d.respondent_id"
                               " WHERE d.report_path IS NOT NULL AND " RS_STORE_REPORT_CURRENT
                               "   AND d.report_benchmark NOT IN ('off', '')",
                               -1, &stmt, NULL);
    }
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);

        g_array_append_val (outdated, id);
      }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  rc = sqlite3_prepare_v2 (db, "UPDATE delivery SET report_source_hash = NULL"
                           " WHERE respondent_id = :id", -1, &stmt, NULL);
  for (guint i = 0; i < outdated->len && rc == SQLITE_OK; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"),
                          g_array_index (outdated, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/**
 * rs_benchmark_setting_changed:
 * @enabled: the "report-benchmark" setting as it is now
 *
 * After the benchmark was switched on or off: the current reports whose
 * block it adds or takes away become outdated. On the calling thread's
 * connection, in a write transaction of its own; not on the main thread.
 */
gboolean
rs_benchmark_setting_changed (RsStore   *store,
                              gboolean   enabled,
                              GError   **error)
{
  g_return_val_if_fail (RS_IS_STORE (store), FALSE);

  return rs_store_write (store, setting_transaction, GINT_TO_POINTER (enabled), error);
}
