/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-dashboard"

#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs-companies.h"
#include "rs-dashboard.h"
#include "rs-dashboard-draw.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-store-private.h"
#include "rs-status.h"
#include "rs-tracker.h"
#include "rs-test-cli.h"
#include "rs-test-master.h"
#include "rs-test-util.h"

/* The round's figures on a master file whose figures are known by hand
 * (tests/test-dashboard.c's comment on the fixture gives each), imported
 * into a real database, in the core, in the PDF read back with pdftotext
 * in English and Dutch, and through `resiliencescan dashboard`. */

#define HEADER "name,company_name,email_address,sector," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"
#define ALL(s) s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," s "," \
               s "," s
#define ROW(name, company, email, sector, scores) \
  name "," company "," email "," sector "," scores "\n"

/* Overall SCRES of each respondent (all of a respondent's scores alike
 * unless said):
 *   Alpha B.V. (also written "alpha b.v.")  4.00 (up 3,5,4,4,4), 3.50, 4.50  mean 4.00
 *   Beta (with "Beta Logistics" merged)     2.50, 3.00, 2.00                 mean 2.50
 *   Gamma       5.00, 4.90 (5 scores: up only; no e-mail, flagged)           n = 2
 *   Delta       4.50, 3.50, 4.00                                             mean 4.00
 *   Epsilon     1.60 (up 1.0, in 2.2, do missing), 2.00, 3.50                mean 2.37
 *   Theta       4.60, 4.70, and a test entry (left out)                      n = 2
 *   Eta         1.20, 1.20, and one with 4 scores (left out)                 n = 2
 *   Lambda      3.20                                                         n = 1
 *   Kappa       2.80, 3.30, 3.70, 4.20                                       mean 3.50
 * A respondent sits exactly at each band edge 2.5, 3.0, 3.5 and 4.0. */
#define MASTER(test_score) \
  HEADER \
  ROW ("Ann Alpha", "Alpha B.V.", "ann@example.com", "Retail", \
       "3,5,4,4,4,4,4,4,4,4,4,4,4,4,4") \
  ROW ("Bob Alpha", "Alpha B.V.", "bob@example.com", "Retail", ALL ("3.5")) \
  ROW ("Cor Alpha", "alpha b.v.", "cor@example.com", "Retail", ALL ("4.5")) \
  ROW ("Dan Beta", "Beta", "dan@example.com", "Retail", ALL ("2.5")) \
  ROW ("Eve Beta", "Beta", "eve@example.com", "Retail", ALL ("3.0")) \
  ROW ("Fay Beta", "Beta Logistics", "fay@example.com", "Retail", ALL ("2")) \
  ROW ("Gus Gamma", "Gamma", "gus@example.org", "Retail", ALL ("5")) \
  ROW ("Hal Gamma", "Gamma", "", "Retail", "4.9,4.9,4.9,4.9,4.9,,,,,,,,,,") \
  ROW ("Ida Delta", "Delta", "ida@example.org", "Retail", ALL ("4.5")) \
  ROW ("Jim Delta", "Delta", "jim@example.org", "Retail", ALL ("3.5")) \
  ROW ("Kai Delta", "Delta", "kai@example.org", "Retail", ALL ("4")) \
  ROW ("Lou Epsilon", "Epsilon", "lou@example.org", "Retail", \
       "1,1,1,1,1,2.2,2.2,2.2,2.2,2.2,,,,,") \
  ROW ("Max Epsilon", "Epsilon", "max@example.org", "Retail", ALL ("2")) \
  ROW ("Ned Epsilon", "Epsilon", "ned@example.org", "Retail", ALL ("3.5")) \
  ROW ("Oda Theta", "Theta", "oda@example.net", "Retail", ALL ("4.6")) \
  ROW ("Pim Theta", "Theta", "pim@example.net", "Retail", ALL ("4.7")) \
  ROW ("Quin Theta", "Theta", "quin@example.net", "TEST", ALL (test_score)) \
  ROW ("Rik Eta", "Eta", "rik@example.net", "Retail", ALL ("1.2")) \
  ROW ("Sam Eta", "Eta", "sam@example.net", "Retail", ALL ("1.2")) \
  ROW ("Tes Eta", "Eta", "tes@example.net", "Retail", "1,1,1,1,,,,,,,,,,,") \
  ROW ("Uma Lambda", "Lambda", "uma@example.net", "Retail", ALL ("3.2")) \
  ROW ("Vic Kappa", "Kappa", "vic@example.com", "Retail", ALL ("2.8")) \
  ROW ("Wim Kappa", "Kappa", "wim@example.com", "Retail", ALL ("3.3")) \
  ROW ("Xan Kappa", "Kappa", "xan@example.com", "Retail", ALL ("3.7")) \
  ROW ("Yod Kappa", "Kappa", "yod@example.com", "Retail", ALL ("4.2"))

typedef struct
{
  char *dir;
  char *db;
  char *csv;
  char *folder;
  RsStore *store;
} Fixture;

static void
import_text (Fixture    *fixture,
             const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(RsImportSummary) summary = NULL;

  g_assert_true (g_file_set_contents (fixture->csv, contents, -1, NULL));
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static gint64
id_of (Fixture    *fixture,
       const char *person)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 id;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM respondent WHERE person = :person",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, person, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return id;
}

static void
mark (Fixture    *fixture,
      const char *person,
      RsStatus    status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  gint64 id = id_of (fixture, person);

  snapshots = rs_tracker_mark (fixture->store, &id, 1, status, "", &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
}

/* The fixture's round: imported, Beta Logistics merged into Beta, every
 * report made, then imported again with the test entry's scores changed
 * (which moves Theta's company averages, so its two reports are
 * outdated), one sent and one failed. */
static void
fixture_set_up_round (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsReportSummary) reports = NULL;
  g_autofree char *merged = NULL;
  const char *others[] = { "Beta Logistics", NULL };

  fixture_set_up (fixture, data);
  import_text (fixture, MASTER ("5"));
  merged = rs_company_merge (fixture->store, "Beta", others, &error);
  g_assert_no_error (error);
  reports = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 0, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->failed, ==, 0);
  import_text (fixture, MASTER ("1"));
  mark (fixture, "Ann Alpha", RS_STATUS_SENT);
  mark (fixture, "Dan Beta", RS_STATUS_FAILED);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->csv);
  g_free (fixture->folder);
}

static RsDashboard *
compute (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, &error);
  RsDashboard *dashboard;

  g_assert_no_error (error);
  dashboard = rs_dashboard_compute (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (dashboard);

  return dashboard;
}

static void
compute_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RsDashboard **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rs_dashboard_compute_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static RsDashboard *
compute_async (Fixture *fixture)
{
  RsDashboard *dashboard = NULL;

  rs_dashboard_compute_async (fixture->store, NULL, compute_done_cb, &dashboard);
  while (dashboard == NULL)
    g_main_context_iteration (NULL, TRUE);

  return dashboard;
}

#define assert_shown(value, decimals, expected) \
  G_STMT_START { \
    char buffer_[G_ASCII_DTOSTR_BUF_SIZE]; \
    g_ascii_formatd (buffer_, sizeof buffer_, "%." #decimals "f", (value)); \
    g_assert_cmpstr (buffer_, ==, (expected)); \
  } G_STMT_END

static void
assert_company (GPtrArray  *companies,
                guint       index,
                const char *name,
                guint       respondents,
                const char *overall)
{
  const RsDashboardCompany *company;

  g_assert_cmpuint (index, <, companies->len);
  company = g_ptr_array_index (companies, index);
  g_assert_cmpstr (company->name, ==, name);
  g_assert_cmpuint (company->respondents, ==, respondents);
  if (overall != NULL)
    assert_shown (company->overall, 2, overall);
}

static void
assert_figures (RsDashboard *d)
{
  const RsDashboardCompany *epsilon;

  /* 25 rows: a test entry and one with 4 scores are left out. */
  g_assert_cmpuint (d->respondents, ==, 23);
  g_assert_cmpuint (d->companies, ==, 9);
  assert_shown (d->average, 2, "3.37");
  g_assert_cmpuint (d->high_performers, ==, 9);
  g_assert_cmpuint (d->attention, ==, 5);
  assert_shown (rs_dashboard_percent (d, d->high_performers), 1, "39.1");
  assert_shown (rs_dashboard_percent (d, d->attention), 1, "21.7");

  g_assert_cmpuint (d->pillars[0].n, ==, 23);
  assert_shown (d->pillars[0].mean, 2, "3.34");
  assert_shown (d->pillars[0].sd, 2, "1.22");
  g_assert_cmpuint (d->pillars[1].n, ==, 22);
  assert_shown (d->pillars[1].mean, 2, "3.32");
  assert_shown (d->pillars[1].sd, 2, "1.11");
  g_assert_cmpuint (d->pillars[2].n, ==, 21);
  assert_shown (d->pillars[2].mean, 2, "3.38");
  assert_shown (d->pillars[2].sd, 2, "1.11");
  g_assert_cmpint (d->strongest_pillar, ==, 2);
  g_assert_cmpint (d->weakest_pillar, ==, 1);

  /* Bins of 0.25: 1.20 ×2 | 1.60 | 2.00 ×2 | 2.50 | 2.80 | 3.00 3.20 | 3.30 |
   * 3.50 ×3 3.70 | 4.00 ×2 4.20 | 4.50 ×2 4.60 4.70 | 4.90 5.00 */
  {
    const guint bins[RS_DASHBOARD_N_BINS] = {
      0, 0, 0, 0, 2, 0, 1, 0, 2, 0, 1, 1, 2, 1, 4, 0, 3, 0, 4, 2,
    };

    for (guint i = 0; i < RS_DASHBOARD_N_BINS; i++)
      g_assert_cmpuint (d->bins[i], ==, bins[i]);
  }

  /* Each edge in the band above it */
  g_assert_cmpuint (d->bands[RS_RATING_NEEDS_IMPROVEMENT], ==, 5);
  g_assert_cmpuint (d->bands[RS_RATING_BELOW_AVERAGE], ==, 2);
  g_assert_cmpuint (d->bands[RS_RATING_AVERAGE], ==, 3);
  g_assert_cmpuint (d->bands[RS_RATING_GOOD], ==, 4);
  g_assert_cmpuint (d->bands[RS_RATING_EXCELLENT], ==, 9);

  /* Heatmap: each cell over the respondents that have that score */
  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      const char *expected[RS_N_SCORES] = {
        "3.30", "3.38", "3.34", "3.34", "3.34",
        "3.32", "3.32", "3.32", "3.32", "3.32",
        "3.38", "3.38", "3.38", "3.38", "3.38",
      };
      const guint n[RS_N_PILLARS] = { 23, 22, 21 };

      g_assert_cmpuint (d->cells[i].pillar, ==, i / 5);
      g_assert_cmpuint (d->cells[i].dimension, ==, i % 5);
      assert_shown (d->cells[i].mean, 2, expected[i]);
      g_assert_cmpuint (d->cells[i].n, ==, n[i / 5]);
    }
  /* Up·R 3.30, then In·R and In·C (3.32, a tie: in order) */
  g_assert_cmpuint (d->n_weakest_cells, ==, 3);
  g_assert_cmpuint (d->weakest_cells[0].pillar, ==, 0);
  g_assert_cmpuint (d->weakest_cells[0].dimension, ==, 0);
  g_assert_cmpuint (d->weakest_cells[1].pillar, ==, 1);
  g_assert_cmpuint (d->weakest_cells[1].dimension, ==, 0);
  g_assert_cmpuint (d->weakest_cells[2].pillar, ==, 1);
  g_assert_cmpuint (d->weakest_cells[2].dimension, ==, 1);

  /* Companies with 3 respondents or more; Alpha and Delta tie at 4.00 */
  g_assert_cmpuint (d->top->len, ==, 5);
  assert_company (d->top, 0, "Alpha B.V.", 3, "4.00");
  assert_company (d->top, 1, "Delta", 3, "4.00");
  assert_company (d->top, 2, "Kappa", 4, "3.50");
  assert_company (d->top, 3, "Beta", 3, "2.50");
  assert_company (d->top, 4, "Epsilon", 3, "2.37");
  g_assert_cmpuint (d->needing_attention->len, ==, 5);
  assert_company (d->needing_attention, 0, "Epsilon", 3, "2.37");
  assert_company (d->needing_attention, 1, "Beta", 3, "2.50");
  assert_company (d->needing_attention, 2, "Kappa", 4, "3.50");
  assert_company (d->needing_attention, 3, "Alpha B.V.", 3, "4.00");
  assert_company (d->needing_attention, 4, "Delta", 3, "4.00");
  epsilon = g_ptr_array_index (d->needing_attention, 0);
  assert_shown (epsilon->pillars[0], 2, "2.17");
  assert_shown (epsilon->pillars[1], 2, "2.57");
  assert_shown (epsilon->pillars[2], 2, "2.75");
  g_assert_cmpint (epsilon->weakest_pillar, ==, 0);

  /* 1: Lambda; 2–3: Alpha, Beta, Delta, Epsilon, Eta, Gamma, Theta; 4–5: Kappa */
  g_assert_cmpuint (d->participation[0], ==, 1);
  g_assert_cmpuint (d->participation[1], ==, 7);
  g_assert_cmpuint (d->participation[2], ==, 1);
  g_assert_cmpuint (d->participation[3], ==, 0);
  g_assert_cmpuint (d->participation[4], ==, 0);
  g_assert_cmpuint (d->largest->len, ==, 9);
  assert_company (d->largest, 0, "Kappa", 4, NULL);
  assert_company (d->largest, 1, "Alpha B.V.", 3, NULL);
  assert_company (d->largest, 2, "Beta", 3, NULL);
  assert_company (d->largest, 3, "Delta", 3, NULL);
  assert_company (d->largest, 4, "Epsilon", 3, NULL);
  assert_company (d->largest, 5, "Eta", 2, NULL);
  assert_company (d->largest, 6, "Gamma", 2, "4.95");
  assert_company (d->largest, 7, "Theta", 2, "4.65");
  assert_company (d->largest, 8, "Lambda", 1, NULL);
  g_assert_cmpuint (d->all_companies->len, ==, 9);
}

static void
test_figures (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = compute (fixture);
  g_autoptr(RsDashboard) in_thread = compute_async (fixture);

  assert_figures (dashboard);
  assert_figures (in_thread);

  /* 24 who are not test entries; the test entry's report does not count */
  g_assert_cmpuint (dashboard->senders, ==, 24);
  g_assert_cmpuint (dashboard->statuses[RS_STATUS_PENDING], ==, 22);
  g_assert_cmpuint (dashboard->statuses[RS_STATUS_SENDING], ==, 0);
  g_assert_cmpuint (dashboard->statuses[RS_STATUS_SENT], ==, 1);
  g_assert_cmpuint (dashboard->statuses[RS_STATUS_FAILED], ==, 1);
  g_assert_cmpuint (dashboard->statuses[RS_STATUS_UNKNOWN], ==, 0);
  g_assert_cmpuint (dashboard->reports_made, ==, 21);
  g_assert_cmpuint (dashboard->reports_outdated, ==, 2);
  g_assert_cmpuint (dashboard->reports_not_possible, ==, 1);
}

/* A test entry is known by the problem the import gave it, in English or
 * in Dutch: the words of rs-master.c and of po/nl.po. */
static void
test_test_entry (void)
{
  g_autofree char *po_path = g_build_filename (g_getenv ("MESON_SOURCE_ROOT"), "po", "nl.po",
                                               NULL);
  g_autofree char *po = NULL;
  const char *entry = "msgid \"a test entry (sector “TEST”)\"\nmsgstr \"";
  const char *translation;
  g_autofree char *dutch = NULL;

  g_assert_true (g_file_get_contents (po_path, &po, NULL, NULL));
  translation = strstr (po, entry);
  g_assert_nonnull (translation);
  translation += strlen (entry);
  dutch = g_strndup (translation, strchr (translation, '"') - translation);
  g_assert_true (rs_dashboard_is_test_entry (dutch));

  g_assert_true (rs_dashboard_is_test_entry ("a test entry (sector “TEST”)"));
  g_assert_true (rs_dashboard_is_test_entry ("een testinvoer (sector “TEST”)"));
  g_assert_false (rs_dashboard_is_test_entry ("no person name"));
  g_assert_false (rs_dashboard_is_test_entry (NULL));
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = compute (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (fixture->dir, "empty.pdf", NULL);

  g_assert_cmpuint (dashboard->respondents, ==, 0);
  g_assert_cmpuint (dashboard->companies, ==, 0);
  g_assert_true (isnan (dashboard->average));
  g_assert_cmpint (dashboard->strongest_pillar, ==, -1);
  g_assert_cmpuint (dashboard->top->len, ==, 0);
  g_assert_cmpuint (dashboard->n_weakest_cells, ==, 0);
  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", pdf, &error));
  g_assert_no_error (error);
}

/* Only test entries and respondents with 4 of 15 scores: nobody counts. */
static void
test_nobody_counts (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = NULL;

  import_text (fixture,
               HEADER
               ROW ("Ann Test", "Test Co", "ann@example.com", "test", ALL ("4"))
               ROW ("Bob Four", "Four Co", "bob@example.com", "Retail", "1,2,3,4,,,,,,,,,,,"));
  dashboard = compute (fixture);
  g_assert_cmpuint (dashboard->respondents, ==, 0);
  g_assert_cmpuint (dashboard->companies, ==, 0);
  g_assert_cmpuint (dashboard->senders, ==, 1);
  g_assert_cmpuint (dashboard->reports_not_possible, ==, 1);
  {
    g_autofree char *en = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_SENDING,
                                                         "en");
    g_autofree char *nl = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_SENDING,
                                                         "nl");

    g_assert_true (g_str_has_prefix (en, "E-mail status of 1 respondent:\n"));
    g_assert_true (g_str_has_prefix (nl, "E-mailstatus van 1 deelnemer:\n"));
  }
}

/* Development areas and the weakest pillar agree: cells that are shown
 * alike (3.08) still come by their exact means, as the pillars do. */
static void
test_development_exact (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = NULL;

  import_text (fixture,
               HEADER
               ROW ("Ann Edge", "Edge Co", "ann@example.com", "Retail",
                    "3.084,3.084,3.084,3.084,3.084,4,4,4,4,4,"
                    "3.076,3.076,3.076,3.076,3.076"));
  dashboard = compute (fixture);
  g_assert_cmpint (dashboard->weakest_pillar, ==, 2 /* downstream */);
  g_assert_cmpuint (dashboard->n_weakest_cells, ==, 3);
  for (guint i = 0; i < dashboard->n_weakest_cells; i++)
    {
      g_assert_cmpuint (dashboard->weakest_cells[i].pillar, ==, 2 /* downstream */);
      g_assert_cmpuint (dashboard->weakest_cells[i].dimension, ==, i);
    }
}

static void
cancelled_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDashboard) dashboard = rs_dashboard_compute_finish (result, &error);

  g_assert_null (dashboard);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDashboard) dashboard = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, &error);
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  dashboard = rs_dashboard_compute (db, cancellable, &error);
  g_assert_null (dashboard);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The read transaction is over. */
  g_assert_true (sqlite3_get_autocommit (db));

  rs_dashboard_compute_async (fixture->store, cancellable, cancelled_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Many respondents with scores of every kind: the bands, bins and means
 * agree with rs_scores_rating() and rs_scores_round() on every one, and
 * the companies with rs_company_count_groups(). */
static void
test_agrees_with_scores (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsDashboard) dashboard = NULL;
  guint bands[RS_N_RATINGS] = { 0 };
  guint bins[RS_DASHBOARD_N_BINS] = { 0 };
  double sum = 0;
  guint n = 0;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  rs_test_write_master (fixture->csv, 3000);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  dashboard = compute (fixture);
  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT " RS_STORE_SCORE_COLUMNS " FROM respondent",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      double scores[RS_N_SCORES];
      double overall;

      rs_store_read_scores (stmt, 0, scores);
      overall = rs_scores_overall (scores);
      bands[rs_scores_rating (overall)]++;
      bins[MIN ((guint) (rs_scores_round (overall, 2) * 4), RS_DASHBOARD_N_BINS - 1)]++;
      sum += overall;
      n++;
    }
  sqlite3_finalize (stmt);

  g_assert_cmpuint (dashboard->respondents, ==, n);
  g_assert_cmpuint (dashboard->companies, ==, rs_company_count_groups (db, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (dashboard->average, sum / n, 1e-9);
  for (guint i = 0; i < RS_N_RATINGS; i++)
    g_assert_cmpuint (dashboard->bands[i], ==, bands[i]);
  for (guint i = 0; i < RS_DASHBOARD_N_BINS; i++)
    g_assert_cmpuint (dashboard->bins[i], ==, bins[i]);
  g_assert_cmpuint (dashboard->largest->len, ==, RS_DASHBOARD_N_LARGEST);
  g_assert_cmpuint (dashboard->top->len, ==, RS_DASHBOARD_N_TOP);
  for (guint i = 1; i < dashboard->top->len; i++)
    {
      const RsDashboardCompany *before = g_ptr_array_index (dashboard->top, i - 1);
      const RsDashboardCompany *company = g_ptr_array_index (dashboard->top, i);
      const RsDashboardCompany *larger = g_ptr_array_index (dashboard->largest, i - 1);
      const RsDashboardCompany *smaller = g_ptr_array_index (dashboard->largest, i);

      g_assert_cmpfloat (rs_scores_round (before->overall, 2), >=,
                         rs_scores_round (company->overall, 2));
      g_assert_cmpuint (company->respondents, >=, RS_DASHBOARD_MIN_COMPANY);
      g_assert_cmpuint (larger->respondents, >=, smaller->respondents);
    }
}

static char *
pdf_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return g_steal_pointer (&out);
}

static char *
pdf_info (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { "pdfinfo", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return g_steal_pointer (&out);
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

static const char *english_text[] = {
  "Executive Dashboard", "Key Figures", "Respondents", "23", "Companies", "9",
  "Average SCRES", "3.37", "39.1% (9)", "21.7% (5)",
  "3.34 ± 1.22", "3.32 ± 1.11", "3.38 ± 1.11", "Downstream 3.4", "Internal 3.3",
  "Score Distribution", "Average 3.37",
  "Maturity Bands", "Needs improvement", "Below average", "Average", "Good", "Excellent",
  "8.7% (2)", "13.0% (3)", "17.4% (4)",
  "Pillar Means", "Dimension Heatmap", "Redundancy", "Agility", "3.30", "n=23", "n=21",
  "Development Areas", "Upstream · Redundancy", "Internal · Collaboration",
  "Top Companies", "Alpha B.V.", "Delta", "Kappa", "4.00", "3.50", "2.37",
  "Companies Needing Attention", "Upstream 2.17",
  "Participation", "More than 10", "Most respondents", "Lambda",
  "Sending", "E-mail status of 24 respondents", "Pending", "22", "Sent", "Failed",
  "Reports", "Made", "21", "Outdated", "Not possible (fewer than 5 scores)",
  "Page 1 of 3",
};

static const char *dutch_text[] = {
  "Managementdashboard", "Kerncijfers", "Deelnemers", "23", "Bedrijven",
  "Gemiddelde SCRES", "3,37", "39,1% (9)", "21,7% (5)",
  "3,34 ± 1,22", "3,32 ± 1,11", "3,38 ± 1,11", "Downstream 3,4", "Intern 3,3",
  "Verdeling van de scores", "Gemiddeld 3,37",
  "Volwassenheidsniveaus", "Verbetering nodig", "Onder gemiddeld", "Gemiddeld", "Goed",
  "Uitstekend", "8,7% (2)", "13,0% (3)",
  "Heatmap van de dimensies", "Redundantie", "Behendigheid", "3,30",
  "Ontwikkelpunten", "Upstream · Redundantie", "Intern · Samenwerking",
  "Beste bedrijven", "Alpha B.V.", "4,00", "2,37",
  "Bedrijven die aandacht vragen", "Upstream 2,17",
  "Deelname", "Meer dan 10", "Meeste deelnemers",
  "Versturen", "E-mailstatus van 24 deelnemers", "Te versturen", "Verstuurd", "Mislukt",
  "Rapporten", "Gemaakt", "Verouderd", "Niet mogelijk (minder dan 5 scores)",
  "Pagina 1 van 3",
};

static void
test_pdf (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = compute (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *english = g_build_filename (fixture->dir, "dashboard-en.pdf", NULL);
  g_autofree char *dutch = g_build_filename (fixture->dir, "dashboard-nl.pdf", NULL);
  g_autofree char *english_read = NULL;
  g_autofree char *dutch_read = NULL;
  g_autofree char *info = NULL;

  g_assert_true (rs_dashboard_write_pdf (dashboard, "en", english, &error));
  g_assert_no_error (error);
  g_assert_true (rs_dashboard_write_pdf (dashboard, "nl", dutch, &error));
  g_assert_no_error (error);

  english_read = pdf_text (english);
  for (guint i = 0; i < G_N_ELEMENTS (english_text); i++)
    assert_contains (english_read, english_text[i]);
  g_assert_null (strstr (english_read, "Theta 3"));

  dutch_read = pdf_text (dutch);
  for (guint i = 0; i < G_N_ELEMENTS (dutch_text); i++)
    assert_contains (dutch_read, dutch_text[i]);
  g_assert_null (strstr (dutch_read, "3.37"));

  info = pdf_info (english);
  assert_contains (info, "Supply Chain Resilience Scan — Executive Dashboard");
  assert_contains (info, "ResilienceScan");
  assert_contains (info, "Pages:           3\n");
  assert_contains (info, "A4");
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_dashboard_write_pdf_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_pdf_async_and_errors (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = compute (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (fixture->dir, "async.pdf", NULL);
  g_autofree char *nowhere = g_build_filename (fixture->dir, "no such folder", "d.pdf", NULL);
  gboolean done = FALSE;

  rs_dashboard_write_pdf_async (dashboard, "nl", pdf, NULL, write_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  g_assert_false (rs_dashboard_write_pdf (dashboard, "en", nowhere, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, nowhere));
}

/* Each section drawn on an image in a dark style, in both languages, and
 * described as text with the same numbers. */
static void
test_sections (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(RsDashboard) dashboard = compute (fixture);
  const RsDashboardStyle dark = {
    .foreground = { 1, 1, 1 },
    .background = { 0.14, 0.14, 0.14 },
    .accent = { 0.47, 0.68, 0.93 },
  };
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 700, 400);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *figures = NULL;
  g_autofree char *bands = NULL;
  g_autofree char *development = NULL;
  g_autofree char *attention = NULL;
  g_autofree char *sending = NULL;

  for (guint s = 0; s < RS_DASHBOARD_N_SECTIONS; s++)
    for (guint narrow = 0; narrow <= 1; narrow++)
      {
        double width = narrow ? 300 : 680;
        double height = rs_dashboard_section_height (dashboard, s, width);

        g_assert_cmpfloat (height, >, 0);
        cairo_set_source_rgb (cr, 0.14, 0.14, 0.14);
        cairo_paint (cr);
        rs_dashboard_draw_section (dashboard, s, cr, &dark, narrow ? "nl" : "en", 10, 10, width,
                                   height);
        g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
        g_assert_nonnull (rs_dashboard_section_title (s, "en"));
      }
  g_assert_cmpstr (rs_dashboard_section_title (RS_DASHBOARD_SECTION_BANDS, "nl"), ==,
                   "Volwassenheidsniveaus");

  figures = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_KEY_FIGURES, "en");
  assert_contains (figures, "Respondents: 23\n");
  assert_contains (figures, "Average SCRES: 3.37\n");
  assert_contains (figures, "High performers (≥ 4.00): 39.1% (9)\n");
  assert_contains (figures, "Upstream: 3.34 ± 1.22\n");
  assert_contains (figures, "Weakest pillar: Internal 3.3");
  bands = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_BANDS, "nl");
  assert_contains (bands, "Verbetering nodig (< 2,5): 21,7% (5)\n");
  assert_contains (bands, "Uitstekend (≥ 4,0): 39,1% (9)");
  development = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_DEVELOPMENT,
                                               "en");
  g_assert_cmpstr (development, ==,
                   "1. Upstream · Redundancy: 3.30 (n=23)\n"
                   "2. Internal · Redundancy: 3.32 (n=22)\n"
                   "3. Internal · Collaboration: 3.32 (n=22)");
  attention = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_ATTENTION, "en");
  assert_contains (attention, "1. Epsilon: Respondents 3, Overall 2.37, "
                              "Weakest pillar Upstream 2.17\n");
  sending = rs_dashboard_section_describe (dashboard, RS_DASHBOARD_SECTION_SENDING, "en");
  assert_contains (sending, "Outdated: 2\n");

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static void
test_file_name (void)
{
  g_autoptr(GDateTime) day = g_date_time_new_local (2026, 12, 7, 18, 30, 0);
  g_autofree char *name = rs_dashboard_file_name (day);

  g_assert_cmpstr (name, ==, "Dashboard 20261207.pdf");
  g_assert_cmpstr (rs_dashboard_app_language (), ==, "en");
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *output = g_build_filename (fixture->dir, "round.pdf", NULL);
  g_autofree char *output_option = g_strdup_printf ("--output=%s", output);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = rs_dashboard_file_name (now);
  g_autofree char *default_path = g_build_filename (g_get_home_dir (), "Documents",
                                                    "ResilienceScan", "Reports", name, NULL);
  g_autofree char *expected_out = g_strdup_printf ("%s\n", output);
  g_autofree char *expected_default = g_strdup_printf ("%s\n", default_path);
  g_autofree char *text = NULL;
  g_autofree char *default_text = NULL;
  g_auto(RsCliResult) dutch = { 0 };
  g_auto(RsCliResult) english = { 0 };
  g_auto(RsCliResult) bad_language = { 0 };
  g_auto(RsCliResult) bad_output = { 0 };
  g_auto(RsCliResult) help = { 0 };

  /* The store of the fixture is closed by now: the command opens its own. */
  g_clear_object (&fixture->store);

  rs_test_run_cli (&dutch, option, "dashboard", output_option, "--language=nl", NULL);
  g_assert_cmpstr (dutch.err, ==, "");
  g_assert_cmpint (dutch.status, ==, 0);
  g_assert_cmpstr (dutch.out, ==, expected_out);
  text = pdf_text (output);
  assert_contains (text, "Verbetering nodig");
  assert_contains (text, "39,1% (9)");

  rs_test_run_cli (&english, "dashboard", option, NULL);
  g_assert_cmpstr (english.err, ==, "");
  g_assert_cmpint (english.status, ==, 0);
  g_assert_cmpstr (english.out, ==, expected_default);
  default_text = pdf_text (default_path);
  assert_contains (default_text, "Needs improvement");
  assert_contains (default_text, "3.34 ± 1.22");

  rs_test_run_cli (&bad_language, option, "dashboard", "--language=fr", NULL);
  g_assert_cmpint (bad_language.status, ==, 2);
  g_assert_cmpstr (bad_language.out, ==, "");
  assert_contains (bad_language.err, "“fr”");

  {
    g_autofree char *nowhere = g_build_filename (fixture->dir, "missing", "d.pdf", NULL);
    g_autofree char *nowhere_option = g_strdup_printf ("--output=%s", nowhere);

    rs_test_run_cli (&bad_output, option, "dashboard", nowhere_option, NULL);
    g_assert_cmpint (bad_output.status, ==, 1);
    g_assert_cmpstr (bad_output.out, ==, "");
    g_assert_true (g_str_has_prefix (bad_output.err, "resiliencescan: dashboard: "));
    assert_contains (bad_output.err, nowhere);
  }

  /* Never over the tracker database or a part of it. */
  {
    const char *parts[] = { "", "-wal" };

    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_auto(RsCliResult) over = { 0 };
        g_autofree char *target = g_strconcat (fixture->db, parts[i], NULL);
        g_autofree char *over_option = g_strdup_printf ("--output=%s", target);
        g_autofree char *head = NULL;

        if (i > 0)
          g_assert_true (g_file_set_contents (target, "", 0, NULL));
        rs_test_run_cli (&over, option, "dashboard", over_option, NULL);
        g_assert_cmpint (over.status, ==, 1);
        g_assert_cmpstr (over.out, ==, "");
        assert_contains (over.err, "tracker database");
        g_assert_true (g_file_get_contents (fixture->db, &head, NULL, NULL));
        g_assert_true (g_str_has_prefix (head, "SQLite format 3"));
      }
  }

  rs_test_run_cli (&help, "--help", NULL);
  assert_contains (help.out, "dashboard");
}

/* `dashboard --output` at a symbolic link writes the PDF to the link's
 * target and leaves the link; a file that was there keeps its permission
 * bits (0600 here, 0640 there); a new file gets the umask's. */
static void
test_cli_link_and_mode (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *target = g_build_filename (fixture->dir, "private.pdf", NULL);
  g_autofree char *link = g_build_filename (fixture->dir, "latest.pdf", NULL);
  g_autofree char *chain = g_build_filename (fixture->dir, "chain.pdf", NULL);
  g_autofree char *plain = g_build_filename (fixture->dir, "plain.pdf", NULL);
  g_autofree char *fresh = g_build_filename (fixture->dir, "fresh.pdf", NULL);
  const char *outputs[] = { link, chain, plain, fresh };
  GStatBuf buf;
  mode_t mask;

  g_clear_object (&fixture->store);

  g_assert_true (g_file_set_contents (target, "old", -1, NULL));
  g_assert_cmpint (g_chmod (target, 0600), ==, 0);
  /* Relative links, one through the other */
  g_assert_cmpint (symlink ("private.pdf", link), ==, 0);
  g_assert_cmpint (symlink ("latest.pdf", chain), ==, 0);
  g_assert_true (g_file_set_contents (plain, "old", -1, NULL));
  g_assert_cmpint (g_chmod (plain, 0640), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_auto(RsCliResult) result = { 0 };
      g_autofree char *output_option = g_strdup_printf ("--output=%s", outputs[i]);
      g_autofree char *expected = g_strdup_printf ("%s\n", outputs[i]);
      g_autofree char *text = NULL;

      rs_test_run_cli (&result, option, "dashboard", output_option, NULL);
      g_assert_cmpstr (result.err, ==, "");
      g_assert_cmpint (result.status, ==, 0);
      g_assert_cmpstr (result.out, ==, expected);
      text = pdf_text (outputs[i]);
      assert_contains (text, "Executive Dashboard");
    }

  g_assert_cmpint (g_lstat (link, &buf), ==, 0);
  g_assert_true (S_ISLNK (buf.st_mode));
  g_assert_cmpint (g_lstat (chain, &buf), ==, 0);
  g_assert_true (S_ISLNK (buf.st_mode));
  g_assert_cmpint (g_lstat (target, &buf), ==, 0);
  g_assert_true (S_ISREG (buf.st_mode));
  g_assert_cmpint (buf.st_mode & 07777, ==, 0600);
  g_assert_cmpint (g_stat (plain, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 07777, ==, 0640);
  mask = umask (0);
  umask (mask);
  g_assert_cmpint (g_stat (fresh, &buf), ==, 0);
  g_assert_cmpint (buf.st_mode & 07777, ==, 0666 & ~mask);

  /* No temporary file left beside them */
  {
    g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_suffix (name, ".tmp"));
  }
}

/* A test entry is left out whatever else is wrong with it (no address, no
 * name): the import says first that it is a test entry. */
static void
test_test_entries_flagged (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDashboard) dashboard = NULL;
  sqlite3 *db;

  import_text (fixture, HEADER
               ROW ("Ann One", "Alpha", "ann@example.com", "Retail", ALL ("4"))
               ROW ("Bob Two", "Alpha", "bob@example.com", "Retail", ALL ("2"))
               ROW ("Tim Test", "Alpha", "not an address", "TEST", ALL ("1"))
               ROW ("", "Alpha", "nobody@example.com", "test", ALL ("1")));
  db = rs_store_get_connection (fixture->store, &error);
  g_assert_no_error (error);
  dashboard = rs_dashboard_compute (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dashboard->respondents, ==, 2);
  g_assert_cmpfloat_with_epsilon (dashboard->average, 3.0, 1e-9);

  /* One company: said so in the singular, in both languages. */
  {
    g_autofree char *english = g_build_filename (fixture->dir, "en.pdf", NULL);
    g_autofree char *dutch = g_build_filename (fixture->dir, "nl.pdf", NULL);
    g_autofree char *text = NULL;
    g_autofree char *tekst = NULL;

    g_assert_true (rs_dashboard_write_pdf (dashboard, "en", english, &error));
    g_assert_true (rs_dashboard_write_pdf (dashboard, "nl", dutch, &error));
    g_assert_no_error (error);
    text = pdf_text (english);
    tekst = pdf_text (dutch);
    assert_contains (text, "2 respondents from 1 company");
    assert_contains (tekst, "2 deelnemers van 1 bedrijf");
  }
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/dashboard/test-entry", test_test_entry);
  g_test_add_func ("/dashboard/file-name", test_file_name);
  g_test_add ("/dashboard/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/dashboard/test-entries-flagged", Fixture, NULL, fixture_set_up,
              test_test_entries_flagged, fixture_tear_down);
  g_test_add ("/dashboard/development-exact", Fixture, NULL, fixture_set_up,
              test_development_exact, fixture_tear_down);
  g_test_add ("/dashboard/nobody-counts", Fixture, NULL, fixture_set_up, test_nobody_counts,
              fixture_tear_down);
  g_test_add ("/dashboard/cancelled", Fixture, NULL, fixture_set_up_round, test_cancelled,
              fixture_tear_down);
  g_test_add ("/dashboard/agrees-with-scores", Fixture, NULL, fixture_set_up,
              test_agrees_with_scores, fixture_tear_down);
  g_test_add ("/dashboard/figures", Fixture, NULL, fixture_set_up_round, test_figures,
              fixture_tear_down);
  g_test_add ("/dashboard/pdf", Fixture, NULL, fixture_set_up_round, test_pdf,
              fixture_tear_down);
  g_test_add ("/dashboard/pdf-async-errors", Fixture, NULL, fixture_set_up_round,
              test_pdf_async_and_errors, fixture_tear_down);
  g_test_add ("/dashboard/sections", Fixture, NULL, fixture_set_up_round, test_sections,
              fixture_tear_down);
  g_test_add ("/dashboard/cli", Fixture, NULL, fixture_set_up_round, test_cli,
              fixture_tear_down);
  g_test_add ("/dashboard/cli-link-and-mode", Fixture, NULL, fixture_set_up_round,
              test_cli_link_and_mode, fixture_tear_down);

  return g_test_run ();
}
