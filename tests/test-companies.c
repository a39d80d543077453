/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-companies"

#include "config.h"

#include <glib/gstdio.h>

#include "rs-companies.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-summary.h"
#include "rs-test-cli.h"
#include "rs-test-util.h"

/* Company names reconciled: keys, proposals and non-proposals, merge,
 * split, keep apart, re-imports, and what reports and counts make of it,
 * against a real database, real imports and real PDF files. */

typedef struct
{
  char *dir;
  char *db;
  char *csv;
  char *folder;
  RsStore *store;
} Fixture;

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"
#define ROW(name, company, email, score) \
  name ",Buyer," company "," email ",Version 1.0 (eng),2024-03-01," \
  score "," score "," score "," score "," score "," score "," score "," score "," \
  score "," score "," score "," score "," score "," score "," score "\n"

static const char master_csv[] =
  HEADER
  ROW ("Ivo Bos", "Acme B.V.", "ivo@example.com", "4")
  ROW ("Piet Smit", "acme b.v.", "piet@example.com", "3")
  ROW ("Anne Jansen", "ACME BV", "anne@example.org", "2")
  ROW ("Lena Berg", "Noord Logistics", "lena@example.net", "2")
  ROW ("Sam Vos", "Noord Logistcs", "sam@example.net", "3")
  ROW ("Zoë Kok", "ABC", "zoe@example.net", "2")
  ROW ("Tom Kok", "ABD", "tom@example.net", "2")
  ROW ("Tim Maas", "Maas Logistics", "tim@example.net", "2")
  ROW ("Kim Waal", "Waal Logistics", "kim@example.net", "2")
  ROW ("Jan Plant", "Plant 1", "jan@example.net", "2")
  ROW ("Jet Plant", "Plant 2", "jet@example.net", "2");

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
  g_assert_nonnull (summary);
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
  import_text (fixture, master_csv);
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

static RsCompanies *
load (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RsCompanies *companies = rs_companies_load (fixture->store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (companies);

  return companies;
}

/* "A + B" for each proposal, in order. */
static char *
describe_proposals (RsCompanies *companies)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < companies->proposals->len; i++)
    {
      RsCompanyProposal *proposal = g_ptr_array_index (companies->proposals, i);

      g_string_append_printf (text, "%s%s + %s (%s)", i > 0 ? "; " : "",
                              proposal->first->name, proposal->second->name,
                              proposal->reason == RS_COMPANY_SAME_KEY ? "same" : "similar");
    }

  return g_string_free (text, FALSE);
}

static guint
count_companies (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RsSummary summary = { 0 };

  g_assert_true (rs_summary_load (fixture->store, &summary, &error));
  g_assert_no_error (error);

  return summary.companies;
}

static int
count (Fixture    *fixture,
       const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return n;
}

static void
test_key (void)
{
  static const struct {
    const char *name;
    const char *key;
  } cases[] = {
    { "Acme B.V.", "acme" },
    { "ACME BV", "acme" },
    { "  acme   b.v ", "acme" },
    { "Acme N.V.", "acme" },
    { "Acme Ltd.", "acme" },
    { "Acme Limited", "acme" },
    { "Acme GmbH & Co. KG", "acme" },
    { "Acme, Inc.", "acme" },
    { "N.V. Nederlandsche Gasunie", "nederlandschegasunie" },
    { "Coca-Cola", "cocacola" },
    { "Coca Cola", "cocacola" },
    { "Café Ölmühle GmbH", "cafeolmuhle" },
    { "Ærø Shipping A/S", "aeroshipping" },
    { "Smit & Zonen", "smitzonen" },
    { "\"De Eendracht\" B.V.", "deeendracht" },
    { "Plant 2 B.V.", "plant2" },
    /* A legal form is never the whole name. */
    { "BV", "bv" },
    { "B.V.", "bv" },
    { "Holding B.V.", "holding" },
    { "北方 Components", "北方components" },
    { "?", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = rs_company_key (cases[i].name);

      g_test_message ("%s", cases[i].name);
      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

static void
test_similar (void)
{
  static const struct {
    const char *a;
    const char *b;
    gboolean similar;
  } cases[] = {
    /* One letter left out, added, changed or two swapped */
    { "Noord Logistics", "Noord Logistcs", TRUE },
    { "Noord Logistics B.V.", "NOORD LOGISTICSS", TRUE },
    { "Heineken", "Heinekin", TRUE },
    { "Vanderlande", "Vanderlnade", TRUE },
    { "Bakker", "Backer", TRUE },
    /* Two in a word from 10 letters on, never three; two in all */
    { "Havenbedrijf Internationaal", "Havenbedrijf Internatonal", TRUE },
    { "Havenbedrijf Internationaal", "Havenbedrijf Intrnatonl", FALSE },
    { "Maas Components", "Maas Compnents", TRUE },
    { "Maas Components", "Maas Cmpnents", FALSE },
    { "Noord Logistcs Internatonal", "Noord Logistics International", TRUE },
    { "Noord Logstcs Internatonal", "Noord Logistics International", FALSE },
    /* Short names and short words are never a letter apart: two companies */
    { "ABC", "ABD", FALSE },
    { "Acme", "Acma", FALSE },
    { "Delta Food", "Delta Foods", FALSE },
    /* A shared generic word makes no two names alike */
    { "Waal Metaal International", "Waal Retail International", FALSE },
    { "Maas Logistics", "Waal Logistics", FALSE },
    /* Another first letter, other digits or another number of words */
    { "Dell", "Bell", FALSE },
    { "Plant 1", "Plant 2", FALSE },
    { "Vestiging 12", "Vestiging 13", FALSE },
    { "Noord Logistics Group", "Noord Logistics", FALSE },
    /* Equal keys are the same name, not a similar one */
    { "Acme B.V.", "ACME BV", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s ~ %s", cases[i].a, cases[i].b);
      g_assert_cmpint (rs_company_names_similar (cases[i].a, cases[i].b), ==, cases[i].similar);
      g_assert_cmpint (rs_company_names_similar (cases[i].b, cases[i].a), ==, cases[i].similar);
    }

  g_assert_cmpuint (rs_company_key_distance ("abc", "abc", 2), ==, 0);
  g_assert_cmpuint (rs_company_key_distance ("abcd", "abdc", 2), ==, 1);
  g_assert_cmpuint (rs_company_key_distance ("kitten", "sitting", 5), ==, 3);
  g_assert_cmpuint (rs_company_key_distance ("kitten", "sitting", 1), ==, 2);
  g_assert_cmpuint (rs_company_key_distance ("äbc", "abc", 2), ==, 1);
}

static void
test_proposals (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(RsCompanies) companies = load (fixture);
  g_autofree char *proposals = describe_proposals (companies);
  RsCompany *acme;

  /* Case and accents alone were always one company. */
  g_assert_cmpuint (companies->companies->len, ==, 10);
  acme = rs_companies_find (companies, "ACME B.V.");
  g_assert_nonnull (acme);
  g_assert_cmpuint (acme->respondents, ==, 2);
  g_assert_cmpuint (acme->variants->len, ==, 2);
  g_assert_false (acme->merged);
  g_assert_true (rs_companies_find (companies, "acme bv") != acme);
  g_assert_null (rs_companies_find (companies, "Acme"));

  /* Not ABC + ABD, Maas + Waal Logistics or Plant 1 + Plant 2. */
  g_assert_cmpstr (proposals, ==,
                   "Acme B.V. + ACME BV (same); Noord Logistcs + Noord Logistics (similar)");
  g_assert_cmpuint (count_companies (fixture), ==, 10);
}

static void
test_merge (Fixture       *fixture,
            gconstpointer  data)
{
  const char *others[] = { "ACME BV", NULL };
  const char *unknown[] = { "ACME BV", "Acme Holding", NULL };
  const char *same[] = { "acme b.v.", NULL };
  g_autoptr(RsCompanies) companies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *proposals = NULL;
  RsCompany *acme;

  /* An unknown name changes nothing. */
  name = rs_company_merge (fixture->store, "Acme B.V.", unknown, &error);
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "“Acme Holding”"));
  g_assert_null (name);
  g_clear_error (&error);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM company_merge"), ==, 0);

  name = rs_company_merge (fixture->store, "Acme B.V.", same, &error);
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_SAME);
  g_clear_error (&error);

  /* The name typed in any case is the name as the file writes it. */
  name = rs_company_merge (fixture->store, "acme B.V.", others, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Acme B.V.");

  companies = load (fixture);
  g_assert_cmpuint (companies->companies->len, ==, 9);
  acme = rs_companies_find (companies, "ACME BV");
  g_assert_nonnull (acme);
  g_assert_true (acme == rs_companies_find (companies, "Acme B.V."));
  g_assert_cmpstr (acme->name, ==, "Acme B.V.");
  g_assert_true (acme->merged);
  g_assert_cmpuint (acme->respondents, ==, 3);
  g_assert_cmpuint (acme->variants->len, ==, 3);
  proposals = describe_proposals (companies);
  g_assert_cmpstr (proposals, ==, "Noord Logistcs + Noord Logistics (similar)");

  /* The count in the window */
  g_assert_cmpuint (count_companies (fixture), ==, 9);
}

static void
test_split (Fixture       *fixture,
            gconstpointer  data)
{
  const char *others[] = { "Noord Logistcs", NULL };
  g_autoptr(RsCompanies) companies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merged = NULL;
  g_autofree char *split = NULL;
  g_autofree char *proposals = NULL;

  split = rs_company_split (fixture->store, "Noord Logistics", &error);
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_NOT_MERGED);
  g_assert_null (split);
  g_clear_error (&error);

  split = rs_company_split (fixture->store, "Zuid Logistics", &error);
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_UNKNOWN);
  g_clear_error (&error);

  merged = rs_company_merge (fixture->store, "Noord Logistics", others, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_companies (fixture), ==, 9);

  /* Any of its names splits it. */
  split = rs_company_split (fixture->store, "noord logistcs", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (split, ==, "Noord Logistics");
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM company_merge"), ==, 0);
  g_assert_cmpuint (count_companies (fixture), ==, 10);

  /* The proposal is back: a split is not a "keep apart". */
  companies = load (fixture);
  proposals = describe_proposals (companies);
  g_assert_cmpstr (proposals, ==,
                   "Acme B.V. + ACME BV (same); Noord Logistcs + Noord Logistics (similar)");
}

static void
test_keep_apart (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(RsCompanies) companies = NULL;
  g_autoptr(RsCompanies) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proposals = NULL;
  g_autofree char *later = NULL;

  g_assert_false (rs_company_keep_apart (fixture->store, "Noord Logistics", "Zuid", &error));
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_UNKNOWN);
  g_clear_error (&error);
  g_assert_false (rs_company_keep_apart (fixture->store, "Acme B.V.", "acme b.v.", &error));
  g_assert_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_SAME);
  g_clear_error (&error);

  g_assert_true (rs_company_keep_apart (fixture->store, "Noord Logistcs", "Noord Logistics",
                                        &error));
  g_assert_no_error (error);

  companies = load (fixture);
  proposals = describe_proposals (companies);
  g_assert_cmpstr (proposals, ==, "Acme B.V. + ACME BV (same)");
  /* Kept apart, they stay two companies. */
  g_assert_cmpuint (count_companies (fixture), ==, 10);

  /* A new import of the same names does not bring it back. */
  import_text (fixture, master_csv);
  again = load (fixture);
  later = describe_proposals (again);
  g_assert_cmpstr (later, ==, "Acme B.V. + ACME BV (same)");
}

static void
test_reimport (Fixture       *fixture,
               gconstpointer  data)
{
  const char *others[] = { "ACME BV", NULL };
  g_autoptr(RsCompanies) companies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *proposals = NULL;
  g_autofree char *newer = g_strconcat (master_csv,
                                        ROW ("Nina Kok", "ACME B.V.", "nina@example.com", "5")
                                        ROW ("Olaf Kok", "Acme Ltd", "olaf@example.com", "5"),
                                        NULL);
  RsCompany *acme;

  name = rs_company_merge (fixture->store, "Acme B.V.", others, &error);
  g_assert_no_error (error);

  /* A newer export: the merged names stay merged; a name that folds alike
   * ("ACME B.V.") joins the merged company; a new spelling is proposed. */
  import_text (fixture, newer);
  companies = load (fixture);
  acme = rs_companies_find (companies, "ACME BV");
  g_assert_true (acme->merged);
  g_assert_cmpstr (acme->name, ==, "Acme B.V.");
  g_assert_cmpuint (acme->respondents, ==, 4);
  g_assert_cmpuint (acme->variants->len, ==, 4);
  proposals = describe_proposals (companies);
  g_assert_cmpstr (proposals, ==,
                   "Acme B.V. + Acme Ltd (same); Noord Logistcs + Noord Logistics (similar)");
  g_assert_cmpuint (count_companies (fixture), ==, 10);

  /* Even a database opened anew keeps them. */
  g_clear_object (&fixture->store);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_companies (fixture), ==, 10);
}

/* The text of a PDF as pdftotext reads it, or NULL without pdftotext. */
static char *
pdf_text (const char *path)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, path, "-", NULL };
  char *output = NULL;
  char *double_space;
  int status;

  if (pdftotext == NULL)
    return NULL;
  argv[0] = pdftotext;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &output,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* Sentences as one line, however the page wraps them. */
  g_strdelimit (output, "\n", ' ');
  while ((double_space = strstr (output, "  ")) != NULL)
    memmove (double_space, double_space + 1, strlen (double_space));

  return output;
}

static char *
report_path (Fixture    *fixture,
             const char *email)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *path = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT d.report_path FROM delivery d"
                                           " JOIN respondent r ON r.id = d.respondent_id"
                                           " WHERE r.email = :email", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    path = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return path;
}

static RsReportSummary *
make_reports (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  summary = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2, NULL, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

/* Reports that the Report column shows as outdated. */
#define OUTDATED "SELECT count (*) FROM respondent r JOIN delivery d" \
                 " ON d.respondent_id = r.id WHERE d.report_path IS NOT NULL" \
                 " AND d.report_source_hash IS NOT r.source_hash"

static void
test_report_averages (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *others[] = { "ACME BV", NULL };
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(RsReportSummary) second = NULL;
  g_autoptr(RsReportSummary) after_split = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *split = NULL;
  g_autofree char *before_path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *anne_path = NULL;
  g_autofree char *anne = NULL;
  g_autofree char *after_path = NULL;
  g_autofree char *after = NULL;
  g_autofree char *preview_company = NULL;
  g_autoptr(RsReportSource) source = NULL;

  first = make_reports (fixture);
  g_assert_cmpuint (first->made, ==, 11);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);

  /* Before: Ivo (4) and Piet (3) are Acme B.V.: n=2, means 3.5; Anne
   * (2), of "ACME BV", has no company page. */
  before_path = report_path (fixture, "ivo@example.com");
  before = pdf_text (before_path);
  if (before == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is needed");
      return;
    }
  g_assert_nonnull (strstr (before, "Survey respondents: 2 people from this company"));
  g_assert_nonnull (strstr (before, "μ=3.5 · n=2"));
  anne_path = report_path (fixture, "anne@example.org");
  anne = pdf_text (anne_path);
  g_assert_null (strstr (anne, "Survey respondents"));
  g_assert_null (strstr (anne, "Company Avg"));

  name = rs_company_merge (fixture->store, "Acme B.V.", others, &error);
  g_assert_no_error (error);

  /* The reports of all three are outdated, no one else's. */
  g_assert_cmpint (count (fixture, OUTDATED), ==, 3);
  g_assert_cmpint (count (fixture, OUTDATED " AND r.company IN ('Acme B.V.', 'acme b.v.',"
                                   " 'ACME BV')"), ==, 3);

  /* The preview averages the merged company too. */
  source = rs_report_source_load (fixture->store,
                                  count (fixture, "SELECT id FROM respondent"
                                                  " WHERE email = 'anne@example.org'"),
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (source->input.company_respondents, ==, 3);
  g_assert_cmpfloat_with_epsilon (source->input.company_means[0], 3.0, 1e-9);
  g_assert_cmpstr (source->input.company, ==, "Acme B.V.");

  second = make_reports (fixture);
  g_assert_cmpuint (second->made, ==, 3);
  g_assert_cmpuint (second->up_to_date, ==, 8);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);

  /* After: 4, 3 and 2 make 3.0 over n=3, in each of the three, under the
   * merged company's name. */
  after_path = report_path (fixture, "anne@example.org");
  g_assert_nonnull (strstr (after_path, "(Acme B.V. - Anne Jansen)"));
  after = pdf_text (after_path);
  g_assert_nonnull (strstr (after, "Acme B.V."));
  g_assert_nonnull (strstr (after, "Survey respondents: 3 people from this company"));
  g_assert_nonnull (strstr (after, "average scores of all 3 respondents from Acme B.V."));
  g_assert_nonnull (strstr (after, "μ=3.0 · n=3"));
  for (const char *const *email = (const char *const[]) { "ivo@example.com",
                                                          "piet@example.com", NULL };
       *email != NULL; email++)
    {
      g_autofree char *path = report_path (fixture, *email);
      g_autofree char *text = pdf_text (path);

      g_assert_nonnull (strstr (text, "μ=3.0 · n=3"));
    }

  /* A split outdates them again, and they go back. */
  split = rs_company_split (fixture->store, "Acme B.V.", &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 3);
  after_split = make_reports (fixture);
  g_assert_cmpuint (after_split->made, ==, 3);
  g_clear_pointer (&before_path, g_free);
  g_clear_pointer (&before, g_free);
  before_path = report_path (fixture, "ivo@example.com");
  before = pdf_text (before_path);
  g_assert_nonnull (strstr (before, "μ=3.5 · n=2"));
  preview_company = report_path (fixture, "anne@example.org");
  g_assert_nonnull (strstr (preview_company, "(ACME BV - Anne Jansen)"));
}

/* A changed colleague under another name of a merged company outdates the
 * company page of everyone in it, as a colleague under the same name does.
 * Without the peer benchmark, whose block a changed score may change for
 * everyone (test-benchmark). */
static void
test_import_outdates_merged (Fixture       *fixture,
                             gconstpointer  data)
{
  const char *others[] = { "ACME BV", NULL };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(RsReportSummary) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *changed = NULL;
  char *anne;

  g_settings_set_boolean (settings, "report-benchmark", FALSE);
  name = rs_company_merge (fixture->store, "Acme B.V.", others, &error);
  g_assert_no_error (error);
  first = make_reports (fixture);
  g_assert_cmpint (count (fixture, OUTDATED), ==, 0);

  changed = g_strdup (master_csv);
  anne = strstr (changed, "anne@example.org,Version 1.0 (eng),2024-03-01,2");
  g_assert_nonnull (anne);
  anne[strlen ("anne@example.org,Version 1.0 (eng),2024-03-01,")] = '5';
  import_text (fixture, changed);

  g_assert_cmpint (count (fixture, OUTDATED), ==, 3);
  g_assert_cmpint (count (fixture, OUTDATED " AND r.email = 'ivo@example.com'"), ==, 1);
  g_settings_reset (settings, "report-benchmark");
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_auto(RsCliResult) list = { 0 };
  g_auto(RsCliResult) merge = { 0 };
  g_auto(RsCliResult) merged = { 0 };
  g_auto(RsCliResult) unknown = { 0 };
  g_auto(RsCliResult) usage = { 0 };
  g_auto(RsCliResult) split = { 0 };
  g_auto(RsCliResult) split_again = { 0 };
  g_auto(RsCliResult) apart = { 0 };
  g_auto(RsCliResult) after_apart = { 0 };
  g_auto(RsCliResult) action = { 0 };

  /* The store is the test's; the command line opens its own. */
  g_clear_object (&fixture->store);

  rs_test_run_cli (&list, option, "companies", NULL);
  g_assert_cmpstr (list.err, ==, "");
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "Acme B.V. — 2 respondents, written as: "
                                      "Acme B.V. (1), acme b.v. (1)\n"));
  g_assert_nonnull (strstr (list.out, "ACME BV — 1 respondent\n"));
  g_assert_nonnull (strstr (list.out, "2 proposals"));
  g_assert_nonnull (strstr (list.out, "“Acme B.V.” and “ACME BV”: the same name"));
  g_assert_nonnull (strstr (list.out, "“Noord Logistcs” and “Noord Logistics”: names a letter"));
  g_assert_null (strstr (list.out, "“ABC” and"));

  rs_test_run_cli (&unknown, option, "companies", "merge", "Acme B.V.", "Acme Holding", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_cmpstr (unknown.out, ==, "");
  g_assert_nonnull (strstr (unknown.err, "“Acme Holding”"));
  g_assert_nonnull (strstr (unknown.err, "nothing was changed"));
  /* One line */
  g_assert_true (strchr (unknown.err, '\n') == unknown.err + strlen (unknown.err) - 1);

  rs_test_run_cli (&usage, option, "companies", "merge", "Acme B.V.", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  rs_test_run_cli (&action, option, "companies", "join", "Acme B.V.", "ACME BV", NULL);
  g_assert_cmpint (action.status, ==, 2);
  g_assert_nonnull (strstr (action.err, "“join”"));

  rs_test_run_cli (&merge, option, "companies", "merge", "Acme B.V.", "ACME BV", NULL);
  g_assert_cmpstr (merge.err, ==, "");
  g_assert_cmpint (merge.status, ==, 0);
  g_assert_nonnull (strstr (merge.out, "Merged into “Acme B.V.”"));

  rs_test_run_cli (&merged, option, "companies", NULL);
  g_assert_cmpint (merged.status, ==, 0);
  g_assert_nonnull (strstr (merged.out, "Acme B.V. — 3 respondents, merged: "
                                        "Acme B.V. (1), acme b.v. (1), ACME BV (1)\n"));
  g_assert_nonnull (strstr (merged.out, "1 proposal:"));

  rs_test_run_cli (&split, option, "companies", "split", "ACME BV", NULL);
  g_assert_cmpint (split.status, ==, 0);
  g_assert_nonnull (strstr (split.out, "“Acme B.V.” is split"));
  rs_test_run_cli (&split_again, option, "companies", "split", "ACME BV", NULL);
  g_assert_cmpint (split_again.status, ==, 1);
  g_assert_nonnull (strstr (split_again.err, "nothing to split"));

  rs_test_run_cli (&apart, option, "companies", "keep-apart", "Acme B.V.", "ACME BV", NULL);
  g_assert_cmpint (apart.status, ==, 0);
  rs_test_run_cli (&after_apart, option, "companies", NULL);
  g_assert_nonnull (strstr (after_apart.out, "1 proposal:"));
  g_assert_null (strstr (after_apart.out, "“Acme B.V.” and “ACME BV”"));
}

#define ADD(name, func) \
  g_test_add ("/companies/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/companies/key", test_key);
  g_test_add_func ("/companies/similar", test_similar);
  ADD ("proposals", test_proposals);
  ADD ("merge", test_merge);
  ADD ("split", test_split);
  ADD ("keep-apart", test_keep_apart);
  ADD ("reimport", test_reimport);
  ADD ("report-averages", test_report_averages);
  ADD ("import-outdates-merged", test_import_outdates_merged);
  ADD ("cli", test_cli);

  return g_test_run ();
}
