/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-benchmark"

#include "config.h"

#include <math.h>

#include "rs-benchmark.h"
#include "rs-import.h"
#include "rs-report.h"
#include "rs-report-job.h"
#include "rs-test-util.h"

/* The peer benchmark of the personal report: percentile ranks by hand, the
 * block in the PDF from 10 respondents on (test entries and respondents
 * without enough scores left out), reports outdated exactly when the
 * population changes what their block shows, and the Preferences switch. */

typedef struct
{
  char *dir;
  char *csv;
  char *folder;
  RsStore *store;
  GSettings *settings;
} Fixture;

#define HEADER "name,function,company_name,email_address,version,submitdate,sector," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

/* Each respondent has all 15 scores equal, so each pillar mean and the
 * overall SCRES is that value; each has a company of their own. */
static void
append_row (GString    *csv,
            const char *name,
            const char *value,
            const char *sector)
{
  g_string_append_printf (csv, "%s,Buyer,%s Logistics,%s@example.com,Version 1.0 (eng),"
                          "2024-03-01,%s", name, name, name, sector);
  for (guint i = 0; i < RS_N_SCORES; i++)
    g_string_append_printf (csv, ",%s", value);
  g_string_append_c (csv, '\n');
}

/* Overall 1, 2, 2, 3, 3, 3, 4, 4, 5 (nine), then 5 (ten): mean 3.2 of ten.
 * A test entry (1) and a respondent with 4 of 15 scores do not count. */
static char *
population_csv (guint n)
{
  static const char *values[] = { "1", "2", "2", "3", "3", "3", "4", "4", "5", "5", "3.2" };
  static const char *names[] = { "ann", "bob", "cas", "dirk", "eva", "fay", "gus", "hank",
                                 "ida", "jan", "kim" };
  GString *csv = g_string_new (HEADER);

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (values));
  for (guint i = 0; i < n; i++)
    append_row (csv, names[i], values[i], "Retail");
  append_row (csv, "tess", "1", "TEST");
  g_string_append (csv, "quinn,Buyer,Quinn Logistics,quinn@example.com,Version 1.0 (eng),"
                   "2024-03-01,Retail,4,4,4,4,,,,,,,,,,,\n");

  return g_string_free (csv, FALSE);
}

static void
import (Fixture *fixture,
        guint    n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *csv = population_csv (n);

  g_assert_true (g_file_set_contents (fixture->csv, csv, -1, NULL));
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static RsReportSummary *
generate (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->failed, ==, 0);

  return summary;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  fixture->settings = g_settings_new (APP_ID);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_settings_reset (fixture->settings, "report-benchmark");
  g_clear_object (&fixture->settings);
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->csv);
  g_free (fixture->folder);
}

static char *
query_text (Fixture    *fixture,
            const char *sql,
            const char *email)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (email != NULL)
    sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return text;
}

static char *
report_of (Fixture    *fixture,
           const char *email)
{
  return query_text (fixture, "SELECT d.report_path FROM delivery d JOIN respondent r"
                     " ON r.id = d.respondent_id WHERE r.email = ?1", email);
}

/* The people whose report the table shows as outdated, sorted, "a b c". */
static char *
outdated (Fixture *fixture)
{
  g_autofree char *list = query_text (fixture,
                                      "SELECT group_concat (person, ' ') FROM"
                                      " (SELECT r.person FROM respondent r JOIN delivery d"
                                      "  ON d.respondent_id = r.id"
                                      "  WHERE d.report_path IS NOT NULL"
                                      "  AND d.report_source_hash IS NOT r.source_hash"
                                      "  ORDER BY r.person)", NULL);

  return g_strdup (list != NULL ? list : "");
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-layout", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *output = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return output;
}

static char *
email_text (Fixture    *fixture,
            const char *email)
{
  g_autofree char *path = report_of (fixture, email);

  g_assert_nonnull (path);

  return pdf_text (path);
}

static void
add_uniform (RsPopulation *population,
             double        value)
{
  double scores[RS_N_SCORES];

  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = value;
  rs_population_add (population, scores);
}

/* 100 × (below + ½ equal) / n, by hand. */
static void
test_percentile_ties (void)
{
  static const double values[] = { 1, 2, 2, 3, 3, 3, 4, 4, 5, 5 };
  static const struct
  {
    double value;
    int percentile;
  } expected[] = {
    { 1, 5 },    /* (0 + 0.5) / 10 */
    { 2, 20 },   /* (1 + 1) / 10 */
    { 3, 45 },   /* (3 + 1.5) / 10 */
    { 4, 70 },   /* (6 + 1) / 10 */
    { 5, 90 },   /* (8 + 1) / 10 */
  };
  g_autoptr(RsPopulation) population = rs_population_new ();
  double scores[RS_N_SCORES];
  RsBenchmark benchmark;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    add_uniform (population, values[i]);
  /* Four scores: not in the population. */
  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = i < 4 ? 5.0 : NAN;
  rs_population_add (population, scores);
  rs_population_seal (population);
  g_assert_cmpuint (rs_population_get_size (population), ==, 10);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      for (guint s = 0; s < RS_N_SCORES; s++)
        scores[s] = expected[i].value;
      rs_population_benchmark (population, scores, &benchmark);
      g_assert_true (benchmark.shown);
      for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
        {
          g_assert_cmpint (benchmark.percentile[row], ==, expected[i].percentile);
          g_assert_cmpfloat_with_epsilon (benchmark.mean[row], 3.2, 1e-9);
          g_assert_cmpfloat (benchmark.value[row], ==, expected[i].value);
        }
    }

  /* Without the downstream pillar: no rank for it, the others as before;
   * the overall SCRES is then the mean of the two pillars. */
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = s < 10 ? 3.0 : NAN;
  rs_population_benchmark (population, scores, &benchmark);
  g_assert_cmpint (benchmark.percentile[0], ==, 45);
  g_assert_cmpint (benchmark.percentile[2], ==, -1);
  g_assert_true (isnan (benchmark.value[2]));
  g_assert_cmpint (benchmark.percentile[RS_BENCHMARK_OVERALL], ==, 45);
}

/* Half a percent rounds up: 100 × (1 + ½) / 20 = 7.5 → 8; the top of a
 * population of one value is 50. */
static void
test_percentile_rounding (void)
{
  g_autoptr(RsPopulation) population = rs_population_new ();
  g_autoptr(RsPopulation) same = rs_population_new ();
  double scores[RS_N_SCORES];
  RsBenchmark benchmark;
  g_autofree char *key = NULL;

  add_uniform (population, 0.5);
  add_uniform (population, 1.0);
  for (guint i = 0; i < 18; i++)
    add_uniform (population, 4.0);
  rs_population_seal (population);
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = 1.0;
  rs_population_benchmark (population, scores, &benchmark);
  g_assert_cmpint (benchmark.percentile[RS_BENCHMARK_OVERALL], ==, 8);
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = 4.0;
  rs_population_benchmark (population, scores, &benchmark);
  /* (2 + 9) / 20 = 55 */
  g_assert_cmpint (benchmark.percentile[RS_BENCHMARK_OVERALL], ==, 55);

  for (guint i = 0; i < 12; i++)
    add_uniform (same, 2.5);
  rs_population_seal (same);
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = 2.5;
  rs_population_benchmark (same, scores, &benchmark);
  g_assert_cmpint (benchmark.percentile[RS_BENCHMARK_OVERALL], ==, 50);
  key = rs_benchmark_key (&benchmark);
  g_assert_cmpstr (key, ==, "2.50/2.50/50;2.50/2.50/50;2.50/2.50/50;2.50/2.50/50;");
}

/* Below 10 the block is left out; at exactly 10 it is there. */
static void
test_population_edge (void)
{
  g_autoptr(RsPopulation) population = rs_population_new ();
  double scores[RS_N_SCORES];
  RsBenchmark benchmark;
  g_autofree char *key = NULL;

  for (guint i = 0; i < 9; i++)
    add_uniform (population, 3.0);
  rs_population_seal (population);
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = 3.0;
  rs_population_benchmark (population, scores, &benchmark);
  g_assert_false (benchmark.shown);
  key = rs_benchmark_key (&benchmark);
  g_assert_cmpstr (key, ==, "");
}

/* Ten respondents, only two with Upstream scores: the Upstream row shows
 * the respondent's own value but neither the mean nor the rank, which
 * would tell the other one's score; the rows the ten have are shown. */
static void
test_few_in_pillar (void)
{
  g_autoptr(RsPopulation) population = rs_population_new ();
  double scores[RS_N_SCORES];
  RsBenchmark benchmark;

  for (guint i = 0; i < 10; i++)
    {
      for (guint s = 0; s < RS_N_SCORES; s++)
        scores[s] = s < RS_N_DIMENSIONS && i >= 2 ? NAN : 2.0 + 0.2 * i;
      rs_population_add (population, scores);
    }
  rs_population_seal (population);
  for (guint s = 0; s < RS_N_SCORES; s++)
    scores[s] = 2.0;
  rs_population_benchmark (population, scores, &benchmark);
  g_assert_true (benchmark.shown);
  g_assert_cmpfloat_with_epsilon (benchmark.value[0], 2.0, 1e-9);
  g_assert_true (isnan (benchmark.mean[0]));
  g_assert_cmpint (benchmark.percentile[0], ==, -1);
  g_assert_false (isnan (benchmark.mean[1]));
  g_assert_cmpint (benchmark.percentile[1], >=, 0);
  g_assert_cmpint (benchmark.percentile[RS_BENCHMARK_OVERALL], >=, 0);
}

/* Through the report job and pdftotext: 9 → no block, 10 → the block with
 * the numbers by hand; the preview reads the same input. */
static void
test_report_block (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *id = NULL;
  g_autoptr(RsReportSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *preview_hash = NULL;

  import (fixture, 9);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 10);
  g_assert_cmpuint (summary->not_possible, ==, 1);
  text = email_text (fixture, "dirk@example.com");
  g_assert_null (strstr (text, "Peer Comparison"));
  g_assert_null (strstr (text, "Page 1 of"));
  g_clear_pointer (&text, g_free);

  import (fixture, 10);
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  text = email_text (fixture, "dirk@example.com");
  g_assert_nonnull (strstr (text, "Peer Comparison"));
  g_assert_nonnull (strstr (text, "Upstream Resilience"));
  g_assert_nonnull (strstr (text, "Overall SCRES"));
  g_assert_nonnull (strstr (text, "3.20"));
  g_assert_nonnull (strstr (text, "45%"));
  g_clear_pointer (&text, g_free);
  text = email_text (fixture, "jan@example.com");
  g_assert_nonnull (strstr (text, "90%"));
  g_clear_pointer (&text, g_free);
  /* The test entry is not counted but gets its block: (0 + ½) / 10 */
  text = email_text (fixture, "tess@example.com");
  g_assert_nonnull (strstr (text, "5%"));
  g_clear_pointer (&text, g_free);

  /* The preview reads what the report was made from. */
  id = query_text (fixture, "SELECT id FROM respondent WHERE email = ?1", "dirk@example.com");
  hash = query_text (fixture, "SELECT d.report_hash FROM delivery d JOIN respondent r"
                     " ON r.id = d.respondent_id WHERE r.email = ?1", "dirk@example.com");
  source = rs_report_source_load (fixture->store, g_ascii_strtoll (id, NULL, 10), &error);
  g_assert_no_error (error);
  g_assert_true (source->input.benchmark.shown);
  g_assert_cmpint (source->input.benchmark.percentile[RS_BENCHMARK_OVERALL], ==, 45);
  preview_hash = rs_report_input_hash (&source->input);
  g_assert_cmpstr (preview_hash, ==, hash);
}

/* The table's "outdated" follows what the block shows: the 10th respondent
 * brings the block to every report; an 11th at the mean (3.2) changes it
 * for all but the respondents at 1, whose rank rounds to 5% either way. */
static void
test_outdated (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autofree char *list = NULL;

  import (fixture, 9);
  summary = generate (fixture);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "");
  g_clear_pointer (&list, g_free);

  import (fixture, 10);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "ann bob cas dirk eva fay gus hank ida tess");
  g_clear_pointer (&list, g_free);
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 11);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "");
  g_clear_pointer (&list, g_free);

  /* The same file again changes nobody, and so no block. */
  import (fixture, 10);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "");
  g_clear_pointer (&list, g_free);

  import (fixture, 11);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "bob cas dirk eva fay gus hank ida jan");
  g_clear_pointer (&list, g_free);

  /* The job agrees: it remakes just those, and makes kim's. */
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  g_assert_cmpuint (summary->made, ==, 10);
  g_assert_cmpuint (summary->up_to_date, ==, 2);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "");
}

/* Preferences switch off: no block, and a change of the population does
 * not outdate the reports; on again, the job remakes them with it. */
static void
test_switch_off (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(RsReportSummary) summary = NULL;
  g_autofree char *text = NULL;
  g_autofree char *list = NULL;
  g_autofree char *recorded = NULL;
  g_autoptr(GError) error = NULL;

  g_settings_set_boolean (fixture->settings, "report-benchmark", FALSE);
  import (fixture, 10);
  summary = generate (fixture);
  text = email_text (fixture, "dirk@example.com");
  g_assert_null (strstr (text, "Peer Comparison"));
  recorded = query_text (fixture, "SELECT d.report_benchmark FROM delivery d JOIN respondent r"
                         " ON r.id = d.respondent_id WHERE r.email = ?1", "dirk@example.com");
  g_assert_cmpstr (recorded, ==, "off");

  import (fixture, 11);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "");
  g_clear_pointer (&list, g_free);

  /* Switched on (the window does this when the setting changes): every
   * report made without the block is outdated. */
  g_settings_set_boolean (fixture->settings, "report-benchmark", TRUE);
  g_assert_true (rs_benchmark_setting_changed (fixture->store, TRUE, &error));
  g_assert_no_error (error);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "ann bob cas dirk eva fay gus hank ida jan tess");
  g_clear_pointer (&list, g_free);
  g_clear_pointer (&summary, rs_report_summary_free);
  summary = generate (fixture);
  /* Everyone's, kim's new one included */
  g_assert_cmpuint (summary->made, ==, 12);
  g_clear_pointer (&text, g_free);
  text = email_text (fixture, "dirk@example.com");
  g_assert_nonnull (strstr (text, "Peer Comparison"));

  /* And off again: every report with the block. */
  g_settings_set_boolean (fixture->settings, "report-benchmark", FALSE);
  g_assert_true (rs_benchmark_setting_changed (fixture->store, FALSE, &error));
  g_assert_no_error (error);
  list = outdated (fixture);
  g_assert_cmpstr (list, ==, "ann bob cas dirk eva fay gus hank ida jan kim tess");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/benchmark/percentile-ties", test_percentile_ties);
  g_test_add_func ("/benchmark/percentile-rounding", test_percentile_rounding);
  g_test_add_func ("/benchmark/population-edge", test_population_edge);
  g_test_add_func ("/benchmark/few-in-pillar", test_few_in_pillar);
  g_test_add ("/benchmark/report-block", Fixture, NULL, fixture_set_up, test_report_block,
              fixture_tear_down);
  g_test_add ("/benchmark/outdated", Fixture, NULL, fixture_set_up, test_outdated,
              fixture_tear_down);
  g_test_add ("/benchmark/switch-off", Fixture, NULL, fixture_set_up, test_switch_off,
              fixture_tear_down);

  return g_test_run ();
}
