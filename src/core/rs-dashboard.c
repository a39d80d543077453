/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-dashboard"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-companies.h"
#include "rs-dashboard.h"
#include "rs-report-text.h"
#include "rs-respondent.h"
#include "rs-status.h"
#include "rs-store-private.h"
#include "rs-thread.h"

/* One pass over the respondents: a raw company name is folded (and looked
 * up among the merges) once, however many respondents write it. */

G_DEFINE_BOXED_TYPE (RsDashboard, rs_dashboard, rs_dashboard_ref, rs_dashboard_unref)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* What the import writes as the problem of a test entry (rs-master.c), in
 * the languages it can have been imported in. */
static const char *test_entry_problems[] = {
  "a test entry (sector “TEST”)",
  "een testinvoer (sector “TEST”)",
};

typedef struct
{
  RsDashboardCompany company;
  const char *merged;        /* the merged company's name, borrowed from the map */
  const char *best_spelling; /* borrowed from its Spelling */
  guint best_count;
  double overall_sum;
  double pillar_sums[RS_N_PILLARS];
  guint pillar_counts[RS_N_PILLARS];
  double shown;              /* the mean overall as shown, 2 decimals */
  char *sort_key;
} Group;

typedef struct
{
  char *name;
  Group *group;
  guint n;
} Spelling;

static void
spelling_free (gpointer data)
{
  Spelling *spelling = data;

  g_free (spelling->name);
  g_free (spelling);
}

static void
group_free (gpointer data)
{
  Group *group = data;

  g_free (group->company.name);
  g_free (group->sort_key);
  g_free (group);
}

RsDashboard *
rs_dashboard_ref (RsDashboard *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);

  return self;
}

void
rs_dashboard_unref (RsDashboard *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;

  g_clear_pointer (&self->top, g_ptr_array_unref);
  g_clear_pointer (&self->needing_attention, g_ptr_array_unref);
  g_clear_pointer (&self->largest, g_ptr_array_unref);
  g_clear_pointer (&self->all_companies, g_ptr_array_unref);
  g_clear_pointer (&self->computed_at, g_date_time_unref);
  g_free (self);
}

/**
 * rs_dashboard_is_test_entry:
 * @problem: (nullable): a respondent's problem, as the import wrote it
 *
 * Returns: whether the import marked the respondent a test entry
 */
gboolean
rs_dashboard_is_test_entry (const char *problem)
{
  if (problem == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (test_entry_problems); i++)
    if (g_str_equal (problem, test_entry_problems[i]))
      return TRUE;

  return FALSE;
}

/**
 * rs_dashboard_percent:
 *
 * Returns: @count as a percentage of the respondents; 0 without any
 */
double
rs_dashboard_percent (const RsDashboard *self,
                      guint              count)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->respondents > 0 ? 100.0 * count / self->respondents : 0.0;
}

/**
 * rs_dashboard_app_language:
 *
 * Returns: "nl" when the application runs in Dutch, else "en": the
 *   language the overview is drawn in by default
 */
const char *
rs_dashboard_app_language (void)
{
  /* Translators: the language code of this translation ("nl" for Dutch);
   * the round overview and its PDF are drawn in it */
  return rs_report_text_is_nl (C_("dashboard language", "en")) ? "nl" : "en";
}

/* rs_scores_round (@value, 2), without printf() where the value is not
 * within a hair of half a hundredth: then k / 100.0 is the double that
 * "%.2f" prints and strtod() reads back. */
static inline double
round_shown (double value)
{
  double hundredths = value * 100.0;
  double whole = floor (hundredths);
  double fraction = hundredths - whole;

  if (fabs (fraction - 0.5) < 1e-6 || !isfinite (value))
    return rs_scores_round (value, 2);

  return (whole + (fraction > 0.5 ? 1.0 : 0.0)) / 100.0;
}

/* Welford's running mean and variance. */
typedef struct
{
  guint n;
  double mean;
  double m2;
} Running;

static inline void
running_add (Running *running,
             double   value)
{
  double delta = value - running->mean;

  running->n++;
  running->mean += delta / running->n;
  running->m2 += delta * (value - running->mean);
}

static int
compare_names (const Group *a,
               const Group *b)
{
  int order = strcmp (a->sort_key, b->sort_key);

  return order != 0 ? order : strcmp (a->company.name, b->company.name);
}

static int
compare_highest (gconstpointer pa,
                 gconstpointer pb)
{
  const Group *a = *(Group * const *) pa;
  const Group *b = *(Group * const *) pb;

  if (a->shown != b->shown)
    return a->shown > b->shown ? -1 : 1;

  return compare_names (a, b);
}

static int
compare_lowest (gconstpointer pa,
                gconstpointer pb)
{
  const Group *a = *(Group * const *) pa;
  const Group *b = *(Group * const *) pb;

  if (a->shown != b->shown)
    return a->shown < b->shown ? -1 : 1;

  return compare_names (a, b);
}

static int
compare_largest (gconstpointer pa,
                 gconstpointer pb)
{
  const Group *a = *(Group * const *) pa;
  const Group *b = *(Group * const *) pb;

  if (a->company.respondents != b->company.respondents)
    return a->company.respondents > b->company.respondents ? -1 : 1;

  return compare_names (a, b);
}

static guint
participation_group (guint respondents)
{
  if (respondents <= 1)
    return 0;
  if (respondents <= 3)
    return 1;
  if (respondents <= 5)
    return 2;
  if (respondents <= 10)
    return 3;

  return 4;
}

/* The @n first of @groups in the order of @compare, without sorting them
 * all: there can be tens of thousands. */
static GPtrArray *
select_first (GPtrArray        *groups,
              guint             n,
              GCompareFunc      compare)
{
  GPtrArray *result = g_ptr_array_new ();

  for (guint i = 0; i < groups->len; i++)
    {
      gpointer group = &groups->pdata[i];
      guint at = result->len;

      while (at > 0 && compare (group, &result->pdata[at - 1]) < 0)
        at--;
      if (at >= n)
        continue;
      if (result->len == n)
        g_ptr_array_remove_index (result, n - 1);
      g_ptr_array_insert (result, at, groups->pdata[i]);
    }

  return result;
}

static void
finish_companies (RsDashboard *self,
                  GPtrArray   *groups)
{
  g_autoptr(GPtrArray) large = g_ptr_array_new ();

  for (guint i = 0; i < groups->len; i++)
    {
      Group *group = g_ptr_array_index (groups, i);
      RsDashboardCompany *company = &group->company;
      double lowest = NAN;

      company->name = g_strdup (group->merged != NULL ? group->merged : group->best_spelling);
      group->sort_key = g_utf8_casefold (company->name, -1);
      company->overall = group->overall_sum / company->respondents;
      group->shown = round_shown (company->overall);
      company->weakest_pillar = -1;
      for (guint p = 0; p < RS_N_PILLARS; p++)
        {
          company->pillars[p] = group->pillar_counts[p] > 0
                                ? group->pillar_sums[p] / group->pillar_counts[p] : NAN;
          if (!isnan (company->pillars[p]) && (isnan (lowest) || company->pillars[p] < lowest))
            {
              lowest = company->pillars[p];
              company->weakest_pillar = (int) p;
            }
        }
      self->participation[participation_group (company->respondents)]++;
      if (company->respondents >= RS_DASHBOARD_MIN_COMPANY)
        g_ptr_array_add (large, group);
    }

  self->top = select_first (large, RS_DASHBOARD_N_TOP, compare_highest);
  self->needing_attention = select_first (large, RS_DASHBOARD_N_TOP, compare_lowest);
  self->largest = select_first (groups, RS_DASHBOARD_N_LARGEST, compare_largest);
  /* The groups go with all_companies, which frees them (a group's company
   * is its first member). */
  self->all_companies = g_ptr_array_ref (groups);
}

static int
compare_cells (gconstpointer pa,
               gconstpointer pb)
{
  const RsDashboardCell *a = pa;
  const RsDashboardCell *b = pb;

  /* By the exact means, as the weakest pillar is chosen: two cells shown
   * alike ("3.08") still come in the order of their means. */
  if (fabs (a->mean - b->mean) > 1e-9)
    return a->mean < b->mean ? -1 : 1;

  return (int) RS_SCORE_INDEX (a->pillar, a->dimension) -
         (int) RS_SCORE_INDEX (b->pillar, b->dimension);
}

static void
finish_figures (RsDashboard *self,
                Running      pillars[RS_N_PILLARS],
                double       cell_sums[RS_N_SCORES],
                double       overall_sum)
{
  RsDashboardCell cells[RS_N_SCORES];
  guint n_cells = 0;

  self->average = self->respondents > 0 ? overall_sum / self->respondents : NAN;
  self->high_performers = self->bands[RS_RATING_EXCELLENT];
  self->attention = self->bands[RS_RATING_NEEDS_IMPROVEMENT];

  self->strongest_pillar = -1;
  self->weakest_pillar = -1;
  for (guint p = 0; p < RS_N_PILLARS; p++)
    {
      RsDashboardStat *stat = &self->pillars[p];

      stat->n = pillars[p].n;
      stat->mean = stat->n > 0 ? pillars[p].mean : NAN;
      stat->sd = stat->n > 1 ? sqrt (pillars[p].m2 / (stat->n - 1)) : NAN;
      if (stat->n == 0)
        continue;
      if (self->strongest_pillar < 0 || stat->mean > self->pillars[self->strongest_pillar].mean)
        self->strongest_pillar = (int) p;
      if (self->weakest_pillar < 0 || stat->mean < self->pillars[self->weakest_pillar].mean)
        self->weakest_pillar = (int) p;
    }

  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      RsDashboardCell *cell = &self->cells[i];

      cell->pillar = i / RS_N_DIMENSIONS;
      cell->dimension = i % RS_N_DIMENSIONS;
      cell->mean = cell->n > 0 ? cell_sums[i] / cell->n : NAN;
      if (cell->n > 0)
        cells[n_cells++] = *cell;
    }
  qsort (cells, n_cells, sizeof cells[0], compare_cells);
  self->n_weakest_cells = MIN (n_cells, RS_DASHBOARD_N_WEAKEST_CELLS);
  for (guint i = 0; i < self->n_weakest_cells; i++)
    self->weakest_cells[i] = cells[i];
}

static gboolean
read_respondents (RsDashboard   *self,
                  sqlite3       *db,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GHashTable) merges = NULL;
  g_autoptr(GHashTable) spellings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                           spelling_free);
  g_autoptr(GHashTable) groups_by_key = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                               g_free, NULL);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func (group_free);
  Running pillars[RS_N_PILLARS] = { { 0 } };
  double cell_sums[RS_N_SCORES] = { 0 };
  double overall_sum = 0.0;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint row = 0;
  int rc;

  merges = rs_company_map_load (db, error);
  if (merges == NULL)
    return FALSE;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.company, " RS_STORE_SCORE_COLUMNS ", d.status,"
                           " d.report_path IS NOT NULL, " RS_STORE_REPORT_CURRENT
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE r.problem IS NULL"
                           "    OR r.problem NOT IN (:test_en, :test_nl)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":test_en"),
                     test_entry_problems[0], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":test_nl"),
                     test_entry_problems[1], -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *company = (const char *) sqlite3_column_text (stmt, 0);
      RsStatus status = rs_status_from_string ((const char *) sqlite3_column_text (stmt, 16));
      double scores[RS_N_SCORES];
      double overall;
      double shown;
      const char *merged;
      Spelling *spelling;
      Group *group;
      guint bin;

      if ((row++ & 0xfff) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      self->senders++;
      if (status == RS_STATUS_INVALID)
        status = RS_STATUS_UNKNOWN;
      self->statuses[status]++;

      rs_store_read_scores (stmt, 1, scores);
      if (rs_scores_count (scores) < RS_REPORT_MIN_SCORES)
        {
          self->reports_not_possible++;
          continue;
        }
      if (sqlite3_column_int (stmt, 17))
        {
          if (sqlite3_column_int (stmt, 18))
            self->reports_made++;
          else
            self->reports_outdated++;
        }

      /* One of the population */
      self->respondents++;
      overall = rs_scores_overall (scores);
      overall_sum += overall;
      shown = round_shown (overall);
      self->bands[rs_scores_rating_of_shown (shown)]++;
      bin = (guint) floor (shown * 4.0);
      self->bins[MIN (bin, RS_DASHBOARD_N_BINS - 1)]++;

      for (guint i = 0; i < RS_N_SCORES; i++)
        if (!isnan (scores[i]))
          {
            cell_sums[i] += scores[i];
            self->cells[i].n++;
          }

      if (company == NULL)
        company = "";
      spelling = g_hash_table_lookup (spellings, company);
      if (spelling == NULL)
        {
          g_autofree char *key = rs_company_map_group (merges, company);

          spelling = g_new0 (Spelling, 1);
          spelling->name = g_strdup (company);
          spelling->group = g_hash_table_lookup (groups_by_key, key);
          if (spelling->group == NULL)
            {
              spelling->group = g_new0 (Group, 1);
              g_ptr_array_add (groups, spelling->group);
              g_hash_table_insert (groups_by_key, g_steal_pointer (&key), spelling->group);
            }
          merged = rs_company_map_name (merges, company);
          if (merged != company)
            spelling->group->merged = merged;
          g_hash_table_insert (spellings, spelling->name, spelling);
        }
      spelling->n++;
      group = spelling->group;
      if (spelling->n > group->best_count ||
          (spelling->n == group->best_count && strcmp (spelling->name, group->best_spelling) < 0))
        {
          group->best_count = spelling->n;
          group->best_spelling = spelling->name;
        }

      group->company.respondents++;
      group->overall_sum += overall;
      for (guint p = 0; p < RS_N_PILLARS; p++)
        {
          double mean = rs_scores_pillar_mean (scores, p);

          if (isnan (mean))
            continue;
          running_add (&pillars[p], mean);
          group->pillar_sums[p] += mean;
          group->pillar_counts[p]++;
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  self->companies = groups->len;
  finish_figures (self, pillars, cell_sums, overall_sum);
  /* The names are copied before the spellings go. */
  finish_companies (self, groups);

  return TRUE;
}

/**
 * rs_dashboard_compute:
 * @db: a connection of the calling thread
 *
 * Computes every figure of the round from the database as it is, in one
 * read transaction (unless @db is already in one).
 *
 * Returns: (transfer full): the figures, or %NULL with @error set
 */
RsDashboard *
rs_dashboard_compute (sqlite3       *db,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(RsDashboard) self = NULL;
  gboolean own_transaction;
  gboolean ok;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_new0 (RsDashboard, 1);
  self->ref_count = 1;
  self->computed_at = g_date_time_new_now_local ();

  own_transaction = sqlite3_get_autocommit (db);
  if (own_transaction && !rs_store_exec (db, "BEGIN", error))
    return NULL;

  ok = read_respondents (self, db, cancellable, error);

  if (own_transaction)
    rs_store_exec (db, ok ? "COMMIT" : "ROLLBACK", NULL);

  return ok ? g_steal_pointer (&self) : NULL;
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RsStore *store = task_data;
  g_autoptr(GError) error = NULL;
  RsDashboard *dashboard = NULL;
  sqlite3 *db;

  rs_thread_set_background ();
  db = rs_store_get_connection (store, &error);
  if (db != NULL)
    dashboard = rs_dashboard_compute (db, cancellable, &error);
  /* The pool's thread keeps no connection. */
  rs_store_release_connection (store);

  if (dashboard == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, dashboard, (GDestroyNotify) rs_dashboard_unref);
}

/**
 * rs_dashboard_compute_async:
 *
 * Computes the figures in a worker thread, on a connection of its own.
 */
void
rs_dashboard_compute_async (RsStore             *store,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RS_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_dashboard_compute_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, compute_thread);
}

/**
 * rs_dashboard_compute_finish:
 *
 * Returns: (transfer full): the figures, or %NULL with @error set
 */
RsDashboard *
rs_dashboard_compute_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rs_dashboard_compute_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rs_dashboard_file_name:
 *
 * Returns: (transfer full): "Dashboard YYYYMMDD.pdf" for the day @made
 */
char *
rs_dashboard_file_name (GDateTime *made)
{
  g_autofree char *day = NULL;

  g_return_val_if_fail (made != NULL, NULL);

  day = g_date_time_format (made, "%Y%m%d");

  return g_strdup_printf ("Dashboard %s.pdf", day);
}
