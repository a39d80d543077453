/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-report"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "rs-report.h"
#include "rs-report-text.h"
#include "rs-test-util.h"

/* The expected numbers are worked out here from the raw cells, apart from
 * the code under test, and read back from real PDFs with poppler. */

static const char *pillar_names[] = { "Upstream", "Internal", "Downstream" };
static const char *dimension_names[] = {
  "Redundancy", "Collaboration", "Flexibility", "Visibility", "Agility",
};

typedef struct
{
  const char *cells[RS_N_SCORES];
  const char *language;
  guint n;
} Fixture;

/* Decimal commas, placeholders, clamping, a tie (in: r = c) and a missing
 * weakest dimension (in: v). */
static const Fixture mixed = {
  {
    "3,4", "2.1", "4.5", "?", "3",
    " 4,2 ", "4.2", "3,9", "NA", "4.1",
    "7", "-1", "2,5", "N/A", "",
  },
  "en", 1,
};

/* Balanced and excellent, from a company of five, nothing below 3. */
static const Fixture balanced = {
  {
    "4", "4", "4", "4", "4",
    "4.5", "4.4", "4.6", "4.2", "4.3",
    "3.9", "4.1", "4.0", "4", "4,0",
  },
  "en", 5,
};

/* A gap of 1.04 between pillar means, printed as 1.0: not "over 1.0". */
static const Fixture edge = {
  {
    "4.04", "4.04", "4.04", "4.04", "4.04",
    "3", "3", "3", "3", "3",
    "3.5", "3.4", "3.6", "?", "3.5",
  },
  "en", 1,
};

static void
fill_input (RsReportInput *input,
            const Fixture *fixture)
{
  *input = (RsReportInput) {
    .company = "Polder Packaging B.V.",
    .person = "Ivo Bos",
    .function = "Supply Chain Manager",
    .survey_date = "2025-03-14",
    .language = fixture->language,
    .company_respondents = fixture->n,
  };
  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      input->scores[i] = rs_scores_parse (fixture->cells[i]);
      /* Company means with a gap: up__f is missing for everybody. */
      input->company_means[i] = i == 2 ? NAN : 1.0 + fmod (i * 0.73, 4.0);
    }
}

static char *
format (double value,
        guint  decimals)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    return g_strdup ("N/A");
  g_ascii_formatd (buffer, sizeof buffer, decimals == 1 ? "%.1f" : "%.2f", value);

  return g_strdup (buffer);
}

static double
expected_pillar_mean (const double *scores,
                      guint         pillar)
{
  double sum = 0;
  guint count = 0;

  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    if (!isnan (scores[pillar * 5 + d]))
      {
        sum += scores[pillar * 5 + d];
        count++;
      }

  return count ? sum / count : NAN;
}

static double
expected_overall (const double *scores)
{
  double sum = 0;
  guint count = 0;

  for (guint p = 0; p < RS_N_PILLARS; p++)
    {
      double mean = expected_pillar_mean (scores, p);

      if (!isnan (mean))
        {
          sum += mean;
          count++;
        }
    }

  return count ? sum / count : NAN;
}

static const char *
expected_rating (double overall)
{
  g_autofree char *shown = format (overall, 2);
  double value = g_ascii_strtod (shown, NULL);

  return value >= 4.0 ? "Excellent" : value >= 3.5 ? "Good" : value >= 3.0 ? "Average"
         : value >= 2.5 ? "Below Average" : "Needs Improvement";
}

/* Missing counts as 2.5; a later dimension wins only when strictly better. */
static guint
expected_dimension (const double *scores,
                    guint         pillar,
                    gboolean      strongest)
{
  guint best = 0;

  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    {
      double value = isnan (scores[pillar * 5 + d]) ? 2.5 : scores[pillar * 5 + d];
      double held = isnan (scores[pillar * 5 + best]) ? 2.5 : scores[pillar * 5 + best];

      if (strongest ? value > held : value < held)
        best = d;
    }

  return best;
}

static gboolean
have_poppler (void)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");

  if (pdftotext == NULL || pdfinfo == NULL)
    {
      g_test_skip ("pdftotext and pdfinfo (poppler-utils) are needed");
      return FALSE;
    }

  return TRUE;
}

/* Runs a poppler tool on @path and returns what it printed. */
static char *
run_tool (const char *tool,
          const char *option,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = g_find_program_in_path (tool);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  char *out = NULL;
  int status;

  g_assert_nonnull (program);
  g_ptr_array_add (argv, program);
  if (option != NULL)
    g_ptr_array_add (argv, (gpointer) option);
  g_ptr_array_add (argv, (gpointer) path);
  if (g_str_equal (tool, "pdftotext"))
    g_ptr_array_add (argv, (gpointer) "-");
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  return out;
}

/* pdftotext -layout, as a person would read the page. */
static char *
pdf_layout_text (const char *path)
{
  return run_tool ("pdftotext", "-layout", path);
}

/* pdftotext in reading order with all white space as single spaces, so
 * wrapped sentences can be found whole. */
static char *
pdf_flat_text (const char *path)
{
  g_autofree char *raw = run_tool ("pdftotext", NULL, path);
  g_auto(GStrv) words = g_strsplit_set (raw, " \t\n\f\r", -1);
  GString *flat = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_string_append_printf (flat, "%s%s", flat->len ? " " : "", words[i]);

  return g_string_free (flat, FALSE);
}

static char *
pdf_info (const char *path,
          const char *key)
{
  g_autofree char *info = run_tool ("pdfinfo", NULL, path);
  g_auto(GStrv) lines = g_strsplit (info, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ":", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strstrip (g_strdup (lines[i] + strlen (prefix)));

  return NULL;
}

static guint
pdf_pages (const char *path)
{
  g_autofree char *pages = pdf_info (path, "Pages");

  g_assert_nonnull (pages);

  return (guint) g_ascii_strtoull (pages, NULL, 10);
}

#define assert_has(haystack, needle) \
  G_STMT_START { \
    if (strstr ((haystack), (needle)) == NULL) \
      { \
        g_test_message ("Text:\n%s", (haystack)); \
        g_error ("“%s” is not in the text", (needle)); \
      } \
  } G_STMT_END

#define assert_lacks(haystack, needle) \
  G_STMT_START { \
    if (strstr ((haystack), (needle)) != NULL) \
      g_error ("“%s” should not be in the text", (needle)); \
  } G_STMT_END

static char *
write_report (const RsReportInput *input,
              const char          *dir,
              const char          *name)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (rs_report_write_pdf (input, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  return path;
}

/* Everything the summary and the charts say about @input's numbers. */
static void
check_numbers (const RsReportInput *input,
               const char          *layout,
               const char          *flat)
{
  const RsReportText *text = rs_report_text_get ("en");
  static const char *titles[] = {
    "Upstream Resilience", "Internal Resilience", "Downstream Resilience",
  };
  double overall = expected_overall (input->scores);
  g_autofree char *overall_text = format (overall, 2);
  g_autofree char *line = NULL;
  double high = -1;
  double low = 6;
  guint strongest = 0;
  guint weakest = 0;

  line = g_strdup_printf ("Overall SCRES: %s / 5.00", overall_text);
  assert_has (layout, line);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("Overall Score: %s — %s / 5.00", expected_rating (overall),
                          overall_text);
  assert_has (layout, line);
  g_clear_pointer (&line, g_free);

  for (guint p = 0; p < RS_N_PILLARS; p++)
    {
      double mean = expected_pillar_mean (input->scores, p);
      g_autofree char *mean_text = format (mean, 1);
      g_autofree char *title = g_strdup_printf ("%s (μ=%s)", titles[p], mean_text);
      guint best = expected_dimension (input->scores, p, TRUE);
      guint worst = expected_dimension (input->scores, p, FALSE);
      double worst_value = input->scores[p * 5 + worst];
      g_autofree char *best_text = format (input->scores[p * 5 + best], 1);
      g_autofree char *worst_text = format (worst_value, 1);
      g_autofree char *best_line = NULL;
      g_autofree char *worst_line = NULL;

      assert_has (layout, title);

      best_line = g_strdup_printf ("Strongest: %s (%s)", dimension_names[best], best_text);
      worst_line = g_strdup_printf ("Weakest: %s (%s)", dimension_names[worst], worst_text);
      assert_has (layout, best_line);
      assert_has (layout, worst_line);
      assert_has (flat, text->strong_sentences[best]);
      if ((isnan (worst_value) ? 2.5 : worst_value) < 3.0)
        assert_has (flat, text->weak_sentences[worst]);

      if (!isnan (mean) && mean > high)
        {
          high = mean;
          strongest = p;
        }
      if (!isnan (mean) && mean < low)
        {
          low = mean;
          weakest = p;
        }
    }

  {
    g_autofree char *high_text = format (high, 1);
    g_autofree char *low_text = format (low, 1);
    g_autofree char *gap_text = format (high - low, 1);
    g_autofree char *strong_line = g_strdup_printf ("Strongest pillar: %s (μ=%s)",
                                                    pillar_names[strongest], high_text);
    g_autofree char *weak_line = g_strdup_printf ("Development priority: %s (μ=%s)",
                                                  pillar_names[weakest], low_text);
    g_autofree char *gap_line = g_strdup_printf ("Gap of %s points between them: %s",
                                                 gap_text,
                                                 g_ascii_strtod (gap_text, NULL) > 1.0
                                                 ? "significant development opportunities"
                                                 : "reasonably balanced");

    assert_has (layout, strong_line);
    assert_has (layout, weak_line);
    assert_has (flat, gap_line);
  }

  {
    g_autofree char *chart = g_strdup_printf ("Overall SCRES: %s", overall_text);

    /* The Overall chart's title, beside the Downstream one. */
    g_assert_nonnull (g_strrstr (layout, chart));
    g_assert_true (g_strrstr (layout, chart) != strstr (layout, chart));
  }
}

static void
test_report_numbers (void)
{
  g_autofree char *dir = NULL;
  RsReportInput input;
  const Fixture *fixtures[] = { &mixed, &balanced, &edge };

  if (!have_poppler ())
    return;

  dir = rs_test_make_tmpdir ();
  for (guint f = 0; f < G_N_ELEMENTS (fixtures); f++)
    {
      g_autofree char *path = NULL;
      g_autofree char *layout = NULL;
      g_autofree char *flat = NULL;

      fill_input (&input, fixtures[f]);
      path = write_report (&input, dir, "numbers.pdf");
      layout = pdf_layout_text (path);
      flat = pdf_flat_text (path);
      check_numbers (&input, layout, flat);
    }

  /* The readings the numbers rest on. */
  fill_input (&input, &mixed);
  g_assert_cmpfloat (input.scores[RS_SCORE_INDEX (0, 0)], ==, 3.4);
  g_assert_true (isnan (input.scores[RS_SCORE_INDEX (0, 3)]));
  g_assert_cmpfloat (input.scores[RS_SCORE_INDEX (2, 0)], ==, 5.0);
  g_assert_cmpfloat (input.scores[RS_SCORE_INDEX (2, 1)], ==, 0.0);

  {
    g_autofree char *path = write_report (&input, dir, "mixed.pdf");
    g_autofree char *layout = pdf_layout_text (path);
    g_autofree char *flat = pdf_flat_text (path);
    const RsReportText *text = rs_report_text_get ("en");

    /* Worked out by hand for this fixture. */
    assert_has (layout, "Upstream Resilience (μ=3.2)");
    assert_has (layout, "Internal Resilience (μ=4.1)");
    assert_has (layout, "Downstream Resilience (μ=2.5)");
    assert_has (layout, "Overall SCRES: 3.28 / 5.00");
    assert_has (layout, "Overall Score: Average — 3.28 / 5.00");
    assert_has (layout, "Strongest pillar: Internal (μ=4.1)");
    assert_has (layout, "Development priority: Downstream (μ=2.5)");
    assert_has (flat, "significant development opportunities");
    assert_has (layout, "Strongest: Redundancy (4.2)");
    assert_has (layout, "Weakest: Visibility (N/A)");
    assert_has (layout, "Strongest: Redundancy (5.0)");
    assert_has (layout, "Weakest: Collaboration (0.0)");
    assert_has (flat, text->weak_sentences[3]);
    assert_lacks (layout, "people from this company");
  }

  {
    g_autofree char *path = NULL;
    g_autofree char *layout = NULL;
    g_autofree char *flat = NULL;
    const RsReportText *text = rs_report_text_get ("en");

    fill_input (&input, &balanced);
    path = write_report (&input, dir, "balanced.pdf");
    layout = pdf_layout_text (path);
    flat = pdf_flat_text (path);
    assert_has (layout, "Survey respondents: 5 people from this company");
    assert_has (layout, "Overall Score: Excellent — 4.13 / 5.00");
    /* Upstream and Downstream tie at 4.0: the first is the priority. */
    assert_has (layout, "Development priority: Upstream (μ=4.0)");
    assert_has (flat, "Gap of 0.4 points between them: reasonably balanced.");
    for (guint d = 0; d < RS_N_DIMENSIONS; d++)
      assert_lacks (flat, text->weak_sentences[d]);
  }

  {
    g_autofree char *path = NULL;
    g_autofree char *flat = NULL;

    fill_input (&input, &edge);
    path = write_report (&input, dir, "edge.pdf");
    flat = pdf_flat_text (path);
    assert_has (flat, "Gap of 1.0 points between them: reasonably balanced.");
  }

  rs_test_remove_tree (dir);
}

/* Every rating word, from uniform scores. */
static void
test_report_ratings (void)
{
  static const struct
  {
    const char *cell;
    const char *en;
    const char *nl;
  } cases[] = {
    { "4", "Overall Score: Excellent — 4.00 / 5.00", "Totaalscore: Uitstekend — 4,00 / 5,00" },
    { "3.5", "Overall Score: Good — 3.50 / 5.00", "Totaalscore: Goed — 3,50 / 5,00" },
    { "3,2", "Overall Score: Average — 3.20 / 5.00", "Totaalscore: Gemiddeld — 3,20 / 5,00" },
    { "2.5", "Overall Score: Below Average — 2.50 / 5.00",
      "Totaalscore: Onder gemiddeld — 2,50 / 5,00" },
    { "2.49", "Overall Score: Needs Improvement — 2.49 / 5.00",
      "Totaalscore: Verbetering nodig — 2,49 / 5,00" },
  };
  g_autofree char *dir = NULL;

  if (!have_poppler ())
    return;

  dir = rs_test_make_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint nl = 0; nl <= 1; nl++)
      {
        Fixture fixture = { .language = nl ? "nl" : "en", .n = 1 };
        RsReportInput input;
        g_autofree char *path = NULL;
        g_autofree char *layout = NULL;

        for (guint s = 0; s < RS_N_SCORES; s++)
          fixture.cells[s] = cases[i].cell;
        fill_input (&input, &fixture);
        path = write_report (&input, dir, "rating.pdf");
        layout = pdf_layout_text (path);
        assert_has (layout, nl ? cases[i].nl : cases[i].en);
      }

  rs_test_remove_tree (dir);
}

static void
test_report_structure (void)
{
  g_autofree char *dir = NULL;
  RsReportInput input;

  if (!have_poppler ())
    return;

  dir = rs_test_make_tmpdir ();

  fill_input (&input, &mixed);
  g_assert_cmpuint (rs_report_get_n_pages (&input), ==, 1);
  {
    g_autofree char *path = write_report (&input, dir, "one.pdf");
    g_autofree char *layout = pdf_layout_text (path);

    g_assert_cmpuint (pdf_pages (path), ==, 1);
    assert_has (layout, "Strategic Supply Chain Resilience Analysis");
    assert_has (layout, "Polder Packaging B.V.");
    assert_has (layout, "This report: Ivo Bos — Supply Chain Manager");
    assert_has (layout, "Survey date: 2025-03-14");
    assert_has (layout, "Executive Summary");
    assert_has (layout, "Key Insights");
    for (guint d = 0; d < RS_N_DIMENSIONS; d++)
      assert_has (layout, dimension_names[d]);
    assert_lacks (layout, "Company Avg");
    assert_lacks (layout, "Company Average Dashboard");
  }

  input.company_respondents = 3;
  g_assert_cmpuint (rs_report_get_n_pages (&input), ==, 2);
  {
    g_autofree char *path = write_report (&input, dir, "two.pdf");
    g_autofree char *layout = pdf_layout_text (path);
    g_autofree char *flat = pdf_flat_text (path);
    g_autofree char *company_page = NULL;
    double overall = expected_overall (input.company_means);
    g_autofree char *overall_text = format (overall, 2);
    g_autofree char *overall_line = g_strdup_printf ("%s / 5.00 · n=3", overall_text);
    g_autofree char *up = format (expected_pillar_mean (input.company_means, 0), 1);
    g_autofree char *up_line = g_strdup_printf ("μ=%s · n=3", up);

    g_assert_cmpuint (pdf_pages (path), ==, 2);
    g_assert_nonnull (strchr (layout, '\f'));
    company_page = g_strdup (strchr (layout, '\f'));
    assert_has (layout, "Survey respondents: 3 people from this company");
    assert_has (company_page, "Company Average Dashboard (All Respondents)");
    assert_has (flat, "average scores of all 3 respondents from Polder Packaging B.V.");
    assert_lacks (flat, "B.V..");
    assert_has (company_page, "Upstream Resilience (Company Avg)");
    assert_has (company_page, "Internal Resilience (Company Avg)");
    assert_has (company_page, "Downstream Resilience (Company Avg)");
    assert_has (company_page, "Overall SCRES (Company Avg)");
    assert_has (company_page, up_line);
    assert_has (company_page, overall_line);
    /* Page 1 is the respondent's alone. */
    assert_lacks (company_page, "Executive Summary");
  }

  input.company_respondents = 0;
  g_assert_cmpuint (rs_report_get_n_pages (&input), ==, 1);

  rs_test_remove_tree (dir);
}

static void
test_report_dutch (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *layout = NULL;
  g_autofree char *flat = NULL;
  Fixture fixture = mixed;
  RsReportInput input;
  const RsReportText *nl = rs_report_text_get ("nl");

  if (!have_poppler ())
    return;

  g_assert_true (rs_report_text_get ("NL") == nl);
  g_assert_true (rs_report_text_get ("en") != nl);
  g_assert_true (rs_report_text_get (NULL) != nl);

  dir = rs_test_make_tmpdir ();
  fixture.language = "nl";
  fixture.n = 2;
  fill_input (&input, &fixture);
  path = write_report (&input, dir, "nl.pdf");
  layout = pdf_layout_text (path);
  flat = pdf_flat_text (path);

  assert_has (layout, "Strategische analyse");
  assert_has (layout, "Respondenten: 2 personen van dit bedrijf");
  assert_has (layout, "Dit rapport: Ivo Bos — Supply Chain Manager");
  assert_has (layout, "Datum enquête: 2025-03-14");
  assert_has (layout, "Totale SCRES: 3,28 / 5,00");
  assert_has (layout, "Weerbaarheid upstream (μ=3,2)");
  assert_has (layout, "Interne weerbaarheid (μ=4,1)");
  assert_has (layout, "Weerbaarheid downstream (μ=2,5)");
  assert_has (layout, "Totaalscore: Gemiddeld — 3,28 / 5,00");
  assert_has (layout, "Sterkste pijler: Intern (μ=4,1)");
  assert_has (layout, "Ontwikkelprioriteit: Downstream (μ=2,5)");
  assert_has (layout, "Zwakst: Transparantie (n.v.t.)");
  assert_has (layout, "Managementsamenvatting");
  assert_has (layout, "Belangrijkste inzichten");
  assert_has (layout, "Dashboard bedrijfsgemiddelde (alle respondenten)");
  assert_has (layout, "(bedrijfsgemiddelde)");
  assert_has (layout, "n=2");
  assert_has (flat, nl->weak_sentences[3]);
  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    assert_has (layout, nl->dimensions[d]);
  assert_has (layout, "Redundantie");
  assert_has (layout, "Behendigheid");

  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    assert_lacks (layout, dimension_names[d]);
  assert_lacks (layout, "Overall");
  assert_lacks (layout, "Strongest");
  assert_lacks (layout, "Company Avg");
  assert_lacks (layout, "N/A");

  rs_test_remove_tree (dir);
}

static gboolean
folder_is_empty (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  name = g_dir_read_name (listing);
  if (name != NULL)
    g_test_message ("Left in %s: %s", dir, name);

  return name == NULL;
}

static void
test_report_insufficient (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "few.pdf", NULL);
  g_autoptr(GError) error = NULL;
  Fixture fixture = mixed;
  RsReportInput input;

  /* Four scores: "2" in three columns and "0" in one; zero is a score. */
  for (guint i = 0; i < RS_N_SCORES; i++)
    fixture.cells[i] = i == 1 || i == 6 || i == 12 ? "2" : i == 14 ? "0" : "?";
  fill_input (&input, &fixture);
  g_assert_cmpuint (rs_scores_count (input.scores), ==, 4);

  g_assert_false (rs_report_check (&input, &error));
  g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_INSUFFICIENT_DATA);
  g_assert_cmpstr (error->message, ==, "insufficient data (4 of 15 scores)");
  g_clear_error (&error);

  g_assert_false (rs_report_write_pdf (&input, path, &error));
  g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_INSUFFICIENT_DATA);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (folder_is_empty (dir));

  /* Five are enough, even with two pillars empty. */
  input.scores[0] = 1.5;
  g_assert_true (rs_report_check (&input, &error));
  g_assert_no_error (error);
  input.scores[6] = NAN;
  input.scores[12] = NAN;
  input.scores[14] = NAN;
  input.scores[2] = 1.0;
  input.scores[3] = 0.5;
  input.scores[4] = 2.0;
  g_assert_cmpuint (rs_scores_count (input.scores), ==, 5);
  g_assert_true (rs_report_write_pdf (&input, path, &error));
  g_assert_no_error (error);

  if (have_poppler ())
    {
      g_autofree char *layout = pdf_layout_text (path);

      assert_has (layout, "Internal Resilience (μ=N/A)");
      assert_has (layout, "Downstream Resilience (μ=N/A)");
      assert_has (layout, "No scores for this pillar.");
      /* One pillar: strongest and weakest are the same, the gap 0. */
      assert_has (layout, "Overall Score: Needs Improvement — 1.40 / 5.00");
      assert_has (layout, "Strongest pillar: Upstream (μ=1.4)");
    }

  rs_test_remove_tree (dir);
}

static void
assert_safe_name (const char *dir,
                  const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  g_autofree char *parent = g_path_get_dirname (canonical);

  g_test_message ("Name: %s", name);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_null (strchr (name, '/'));
  g_assert_null (strchr (name, '\\'));
  g_assert_cmpstr (name, !=, ".");
  g_assert_cmpstr (name, !=, "..");
  g_assert_cmpint (name[0], !=, '.');
  g_assert_cmpuint (strlen (name), <, 200);
  g_assert_true (g_str_has_suffix (name, ").pdf"));
  g_assert_cmpstr (parent, ==, dir);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
test_report_file_name (void)
{
  g_autoptr(GDateTime) made = g_date_time_new_local (2025, 3, 7, 23, 59, 0);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *long_company = NULL;
  g_autofree char *long_person = NULL;
  static const struct
  {
    const char *company;
    const char *person;
    const char *expected;
  } cases[] = {
    { "Polder Packaging B.V.", "Ivo Bos",
      "20250307 ResilienceReport (Polder Packaging B.V. - Ivo Bos).pdf" },
    { "A/B\\C:D*E?F\"G<H>I|J", "Ann\tB\x01o\x7f" "b\xc2\x85",
      "20250307 ResilienceReport (A-B-C-DEF'G(H)I-J - AnnBob).pdf" },
    { "..", "../../etc/passwd",
      "20250307 ResilienceReport (.. - ..-..-etc-passwd).pdf" },
    { "/", ".", "20250307 ResilienceReport (- - .).pdf" },
    { "  Spaced  ", "\xe2\x80\xae" "fdp.exe", "20250307 ResilienceReport (Spaced - fdp.exe).pdf" },
    { "Bad \xff UTF-8", "Zoë", "20250307 ResilienceReport (Bad \xef\xbf\xbd UTF-8 - Zoë).pdf" },
    { NULL, "", "20250307 ResilienceReport ( - ).pdf" },
  };
  GString *company = g_string_new (NULL);
  GString *person = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = rs_report_file_name (cases[i].company, cases[i].person, made);

      g_assert_cmpstr (name, ==, cases[i].expected);
      assert_safe_name (dir, name);
    }

  /* Long names are cut on a character boundary, the shorter kept whole. */
  for (guint i = 0; i < 150; i++)
    {
      g_string_append (company, "é");
      g_string_append (person, i % 2 ? "x" : "€");
    }
  long_company = g_string_free (company, FALSE);
  long_person = g_string_free (person, FALSE);
  {
    g_autofree char *name = rs_report_file_name (long_company, long_person, made);

    assert_safe_name (dir, name);
    g_assert_cmpuint (strlen (name), >=, 190);
  }
  {
    g_autofree char *name = rs_report_file_name ("Short B.V.", long_person, made);

    assert_safe_name (dir, name);
    g_assert_true (g_str_has_prefix (name, "20250307 ResilienceReport (Short B.V. - €x€"));
  }
  {
    g_autofree char *name = rs_report_file_name (long_company, "Ivo Bos", made);

    assert_safe_name (dir, name);
    g_assert_true (g_str_has_suffix (name, "é - Ivo Bos).pdf"));
  }

  /* Written for real: the file lands in the folder, under that name. */
  {
    g_autofree char *name = rs_report_file_name ("../x/..", "a/../../b", made);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) listing = NULL;
    RsReportInput input;

    fill_input (&input, &mixed);
    g_assert_true (rs_report_write_pdf (&input, path, &error));
    g_assert_no_error (error);
    listing = g_dir_open (dir, 0, NULL);
    g_assert_cmpstr (g_dir_read_name (listing), ==, name);
    g_assert_null (g_dir_read_name (listing));
  }

  rs_test_remove_tree (dir);
}

static void
test_report_write_failures (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "missing", "report.pdf", NULL);
  g_autofree char *as_folder = g_build_filename (dir, "taken.pdf", NULL);
  g_autofree char *under_file = NULL;
  g_autofree char *file = g_build_filename (dir, "file", NULL);
  g_autoptr(GError) error = NULL;
  RsReportInput input;

  fill_input (&input, &mixed);

  g_assert_false (rs_report_write_pdf (&input, missing, &error));
  g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_true (folder_is_empty (dir));

  /* Fails only at the last step: the finished temporary file must go. */
  g_assert_cmpint (g_mkdir (as_folder, 0700), ==, 0);
  g_assert_false (rs_report_write_pdf (&input, as_folder, &error));
  g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, as_folder));
  g_clear_error (&error);
  g_assert_true (g_file_test (as_folder, G_FILE_TEST_IS_DIR));
  g_assert_true (folder_is_empty (as_folder));
  g_assert_cmpint (g_rmdir (as_folder), ==, 0);
  g_assert_true (folder_is_empty (dir));

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  under_file = g_build_filename (file, "report.pdf", NULL);
  g_assert_false (rs_report_write_pdf (&input, under_file, &error));
  g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (file), ==, 0);

  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (dir, "locked", NULL);
      g_autofree char *path = g_build_filename (locked, "report.pdf", NULL);

      g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
      g_assert_false (rs_report_write_pdf (&input, path, &error));
      g_assert_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
      g_assert_true (folder_is_empty (locked));
      g_chmod (locked, 0700);
      g_rmdir (locked);
    }
  else
    {
      g_test_message ("Running as root: the read-only folder case is left out");
    }

  /* Replacing a report leaves the new one and nothing else. */
  {
    g_autofree char *path = g_build_filename (dir, "report.pdf", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GDir) listing = NULL;

    g_assert_true (g_file_set_contents (path, "old", 3, NULL));
    g_assert_true (rs_report_write_pdf (&input, path, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "%PDF-"));
    listing = g_dir_open (dir, 0, NULL);
    g_assert_cmpstr (g_dir_read_name (listing), ==, "report.pdf");
    g_assert_null (g_dir_read_name (listing));
  }

  rs_test_remove_tree (dir);
}

static void
test_report_metadata (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *creator = NULL;
  RsReportInput input;

  if (!have_poppler ())
    return;

  dir = rs_test_make_tmpdir ();
  fill_input (&input, &mixed);
  input.company = "Zoë & Co <Logistics>";
  path = write_report (&input, dir, "meta.pdf");

  title = pdf_info (path, "Title");
  subject = pdf_info (path, "Subject");
  creator = pdf_info (path, "Creator");
  g_assert_nonnull (title);
  g_assert_nonnull (strstr (title, "Zoë & Co <Logistics>"));
  g_assert_nonnull (strstr (title, "Ivo Bos"));
  g_assert_cmpstr (subject, ==, "Zoë & Co <Logistics>");
  g_assert_cmpstr (creator, ==, "ResilienceScan");

  rs_test_remove_tree (dir);
}

static void
test_report_hash (void)
{
  RsReportInput input;
  RsReportInput other;
  g_autofree char *base = NULL;
  char company[] = "Polder Packaging B.V.";

  fill_input (&input, &mixed);
  base = rs_report_input_hash (&input);
  g_assert_cmpuint (strlen (base), ==, 64);
  for (const char *p = base; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p));

#define ASSERT_HASH(change, same) \
  G_STMT_START { \
    g_autofree char *hash = NULL; \
    other = input; \
    change; \
    hash = rs_report_input_hash (&other); \
    if (same) \
      g_assert_cmpstr (hash, ==, base); \
    else \
      g_assert_cmpstr (hash, !=, base); \
  } G_STMT_END

  /* Equal data in other memory: the same. */
  ASSERT_HASH ((void) 0, TRUE);
  ASSERT_HASH (other.company = company, TRUE);
  ASSERT_HASH (other.scores[0] = rs_scores_parse ("3.4"), TRUE);

  ASSERT_HASH (other.scores[0] = 3.5, FALSE);
  ASSERT_HASH (other.scores[0] = nextafter (3.4, 4), FALSE);
  ASSERT_HASH (other.scores[3] = 0, FALSE);
  ASSERT_HASH (other.scores[14] = 2.0, FALSE);
  ASSERT_HASH (other.company_respondents = 2, FALSE);
  ASSERT_HASH (other.company_means[5] = 1.0, FALSE);
  ASSERT_HASH (other.company_means[2] = 1.0, FALSE);
  ASSERT_HASH (other.language = "nl", FALSE);
  ASSERT_HASH (other.company = "Polder Packaging", FALSE);
  ASSERT_HASH (other.person = "Ivo Bosch", FALSE);
  ASSERT_HASH (other.function = NULL, FALSE);
  ASSERT_HASH (other.function = "", FALSE);
  ASSERT_HASH (other.survey_date = "2025-03-15", FALSE);
  /* Fields are kept apart: moving text from one to the next is a change. */
  ASSERT_HASH ((other.company = "Polder Packaging B.V.Ivo", other.person = " Bos"), FALSE);

#undef ASSERT_HASH

  /* Text that could pass for a field boundary does not fool it. */
  {
    g_autofree char *one = NULL;
    g_autofree char *two = NULL;

    other = input;
    other.company = "A\nsB";
    other.person = "C";
    one = rs_report_input_hash (&other);
    other.company = "A";
    other.person = "B\nsC";
    two = rs_report_input_hash (&other);
    g_assert_cmpstr (one, !=, two);
  }
}

static guint
count_pixels (cairo_surface_t *surface,
              guint32          rgb,
              double           x0,
              double           y0,
              double           x1,
              double           y1,
              gboolean         other_than)
{
  int stride = cairo_image_surface_get_stride (surface);
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  const guchar *data = cairo_image_surface_get_data (surface);
  guint count = 0;

  cairo_surface_flush (surface);
  for (int y = MAX (0, (int) y0); y < MIN (height, (int) y1); y++)
    for (int x = MAX (0, (int) x0); x < MIN (width, (int) x1); x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + 4 * x) & 0xffffff;

        if ((pixel == rgb) != other_than)
          count++;
      }

  return count;
}

static cairo_surface_t *
draw_to_image (const RsReportInput *input,
               guint                page,
               double               scale)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                        (int) ceil (RS_REPORT_PAGE_WIDTH * scale),
                                        (int) ceil (RS_REPORT_PAGE_HEIGHT * scale));
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  rs_report_draw_page (input, cr, page);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);

  return surface;
}

/* The worst case for space: Dutch, long names, a company page and a long
 * sentence under every dimension. */
static void
fill_crowded (RsReportInput *input)
{
  Fixture fixture = {
    {
      "1", "4.9", "1.2", "2", "1.5",
      "4.8", "1", "2.2", "1.8", "2.9",
      "2.7", "2.1", "4.6", "0.4", "1",
    },
    "nl", 12,
  };

  fill_input (input, &fixture);
  input->company = "Koninklijke Verenigde Transport- en Logistiekondernemingen Noord-Holland "
                   "en Omstreken Holding B.V.";
  input->person = "Maximiliaan Alexander Wilhelmus van der Heijden-Oosterbroek";
  input->function = "Directeur Inkoop, Logistiek en Ketenregie Benelux en Scandinavië";
}

static void
test_report_image_surface (void)
{
  static const guint32 colours[] = { 0x0277BD, 0xFF8F00, 0x2E7D32, 0xE74C3C };
  RsReportInput input;
  cairo_surface_t *surface;
  double width = RS_REPORT_PAGE_WIDTH;
  double height = RS_REPORT_PAGE_HEIGHT;

  fill_crowded (&input);
  g_assert_cmpuint (rs_report_get_n_pages (&input), ==, 2);

  for (guint page = 0; page < 2; page++)
    {
      surface = draw_to_image (&input, page, 1.0);
      g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);

      /* Drawn, in the four chart colours, and nothing in the margins. */
      g_assert_cmpuint (count_pixels (surface, 0xFFFFFF, 0, 0, width, height, TRUE), >, 20000);
      for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
        g_assert_cmpuint (count_pixels (surface, colours[i], 0, 0, width, height, FALSE), >, 200);
      g_assert_cmpuint (count_pixels (surface, 0xFFFFFF, 0, height - 22, width, height, TRUE),
                        ==, 0);
      g_assert_cmpuint (count_pixels (surface, 0xFFFFFF, 0, 0, 30, height, TRUE), ==, 0);
      g_assert_cmpuint (count_pixels (surface, 0xFFFFFF, width - 30, 0, width, height, TRUE),
                        ==, 0);
      cairo_surface_destroy (surface);
    }

  /* The preview scales the page down. A new RGB24 surface is black: the
   * page paints its whole area, white where nothing else is. */
  surface = draw_to_image (&input, 0, 0.4);
  g_assert_cmpuint (count_pixels (surface, 0x000000, 0, 0, width, height, FALSE), <, 2000);
  g_assert_cmpuint (count_pixels (surface, 0xFFFFFF, 0, 0, width, height, TRUE), >, 2000);
  cairo_surface_destroy (surface);
}

static guint32
pixel_at (cairo_surface_t *surface,
          double           x,
          double           y)
{
  const guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  cairo_surface_flush (surface);
  g_assert_cmpint ((int) x, <, cairo_image_surface_get_width (surface));
  g_assert_cmpint ((int) y, <, cairo_image_surface_get_height (surface));

  return *(const guint32 *) (data + (int) y * stride + 4 * (int) x) & 0xffffff;
}

/* A vertex of the data polygon in the chart's colour at each place the
 * specification gives: Agility at the top, then clockwise Redundancy,
 * Collaboration, Flexibility, Visibility; 0.2 + 0.16 v of the radius, a
 * missing value on the inner ring. */
static void
check_chart (cairo_surface_t     *surface,
             double               scale,
             const RsReportInput *input,
             guint                page,
             guint                chart,
             const double         values[RS_N_DIMENSIONS],
             guint32              colour)
{
  static const guint clockwise[] = { 4, 0, 1, 2, 3 };
  double cx;
  double cy;
  double radius;

  g_assert_true (rs_report_get_chart_geometry (input, page, chart, &cx, &cy, &radius));
  g_assert_cmpfloat (radius, >, 45);
  g_assert_cmpfloat (cx - radius, >, 0);
  g_assert_cmpfloat (cx + radius, <, RS_REPORT_PAGE_WIDTH);

  for (guint k = 0; k < RS_N_DIMENSIONS; k++)
    {
      double value = values[clockwise[k]];
      double distance = (0.2 + 0.16 * (isnan (value) ? 0 : value)) * radius;
      double angle = k * 2 * G_PI / RS_N_DIMENSIONS;
      double x = cx + distance * sin (angle);
      double y = cy - distance * cos (angle);

      g_test_message ("page %u chart %u %s: %.2f at (%.1f, %.1f)", page, chart,
                      dimension_names[clockwise[k]], value, x, y);
      g_assert_cmphex (pixel_at (surface, x * scale, y * scale), ==, colour);
    }
  /* The polygon never reaches the centre: there it is only tinted. */
  g_assert_cmphex (pixel_at (surface, cx * scale, cy * scale), !=, colour);
}

static void
test_report_radar_geometry (void)
{
  static const guint32 colours[] = { 0x0277BD, 0xFF8F00, 0x2E7D32, 0xE74C3C };
  double scale = 2.0;
  Fixture fixture = mixed;
  RsReportInput input;

  fixture.n = 3;
  fill_input (&input, &fixture);

  for (guint page = 0; page < 2; page++)
    {
      const double *scores = page == 0 ? input.scores : input.company_means;
      cairo_surface_t *surface = draw_to_image (&input, page, scale);

      for (guint chart = 0; chart < 4; chart++)
        {
          double values[RS_N_DIMENSIONS];

          for (guint d = 0; d < RS_N_DIMENSIONS; d++)
            {
              double sum = 0;
              guint count = 0;

              if (chart < RS_N_PILLARS)
                {
                  values[d] = scores[chart * 5 + d];
                  continue;
                }
              for (guint p = 0; p < RS_N_PILLARS; p++)
                if (!isnan (scores[p * 5 + d]))
                  {
                    sum += scores[p * 5 + d];
                    count++;
                  }
              values[d] = count ? sum / count : NAN;
            }
          check_chart (surface, scale, &input, page, chart, values, colours[chart]);
        }
      cairo_surface_destroy (surface);
    }

  g_assert_false (rs_report_get_chart_geometry (&input, 0, 4, NULL, NULL, NULL));
  g_assert_false (rs_report_get_chart_geometry (&input, 2, 0, NULL, NULL, NULL));
  input.company_respondents = 1;
  g_assert_false (rs_report_get_chart_geometry (&input, 1, 0, NULL, NULL, NULL));
}

typedef struct
{
  const RsReportInput *input;
  cairo_surface_t *expected[2];
  gboolean same;
} ThreadJob;

static gpointer
draw_in_thread (gpointer data)
{
  ThreadJob *job = data;

  job->same = TRUE;
  for (guint round = 0; round < 3; round++)
    for (guint page = 0; page < rs_report_get_n_pages (job->input); page++)
      {
        cairo_surface_t *surface = draw_to_image (job->input, page, 0.5);
        cairo_surface_t *expected = job->expected[page];
        gsize size = (gsize) cairo_image_surface_get_stride (surface) *
                     (gsize) cairo_image_surface_get_height (surface);

        cairo_surface_flush (surface);
        if (memcmp (cairo_image_surface_get_data (surface),
                    cairo_image_surface_get_data (expected), size) != 0)
          job->same = FALSE;
        cairo_surface_destroy (surface);
      }

  return NULL;
}

/* Workers render reports side by side: each gets what one thread alone got. */
static void
test_report_threads (void)
{
  RsReportInput inputs[3];
  ThreadJob jobs[6];
  GThread *threads[G_N_ELEMENTS (jobs)];

  fill_input (&inputs[0], &mixed);
  fill_input (&inputs[1], &balanced);
  fill_crowded (&inputs[2]);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = (ThreadJob) { .input = &inputs[i % G_N_ELEMENTS (inputs)] };
      for (guint page = 0; page < rs_report_get_n_pages (jobs[i].input); page++)
        jobs[i].expected[page] = draw_to_image (jobs[i].input, page, 0.5);
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    threads[i] = g_thread_new ("report", draw_in_thread, &jobs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_true (jobs[i].same);
      for (guint page = 0; page < 2; page++)
        g_clear_pointer (&jobs[i].expected[page], cairo_surface_destroy);
    }
}

static void
test_scores_summary (void)
{
  double scores[RS_N_SCORES];
  guint strongest = 99;
  guint weakest = 99;

  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = NAN;
  g_assert_true (isnan (rs_scores_pillar_mean (scores, 0)));
  g_assert_true (isnan (rs_scores_overall (scores)));
  g_assert_true (isnan (rs_scores_dimension_mean (scores, 4)));
  g_assert_false (rs_scores_pillar_extremes (scores, &strongest, &weakest));
  /* All missing: all count 2.5, the first wins both ways. */
  g_assert_cmpuint (rs_scores_strongest_dimension (scores, 1), ==, 0);
  g_assert_cmpuint (rs_scores_weakest_dimension (scores, 1), ==, 0);

  /* up: 1 2 3 _ _ ; in: _ _ _ _ _ ; do: 5 _ 2 _ 3 */
  scores[0] = 1;
  scores[1] = 2;
  scores[2] = 3;
  scores[10] = 5;
  scores[12] = 2;
  scores[14] = 3;
  g_assert_cmpfloat (rs_scores_pillar_mean (scores, 0), ==, 2.0);
  g_assert_true (isnan (rs_scores_pillar_mean (scores, 1)));
  g_assert_cmpfloat (rs_scores_pillar_mean (scores, 2), ==, 10.0 / 3);
  g_assert_cmpfloat (rs_scores_overall (scores), ==, (2.0 + 10.0 / 3) / 2);
  g_assert_cmpfloat (rs_scores_dimension_mean (scores, 0), ==, 3.0);
  g_assert_cmpfloat (rs_scores_dimension_mean (scores, 2), ==, 2.5);
  g_assert_true (isnan (rs_scores_dimension_mean (scores, 3)));
  g_assert_cmpfloat (rs_scores_dimension_mean (scores, 4), ==, 3.0);
  g_assert_true (rs_scores_pillar_extremes (scores, &strongest, &weakest));
  g_assert_cmpuint (strongest, ==, 2);
  g_assert_cmpuint (weakest, ==, 0);

  /* up: 1 2 3 (2.5) (2.5): strongest f; weakest r. */
  g_assert_cmpuint (rs_scores_strongest_dimension (scores, 0), ==, 2);
  g_assert_cmpuint (rs_scores_weakest_dimension (scores, 0), ==, 0);
  /* do: 5 (2.5) 2 (2.5) 3: weakest f at 2, below the missing ones. */
  g_assert_cmpuint (rs_scores_strongest_dimension (scores, 2), ==, 0);
  g_assert_cmpuint (rs_scores_weakest_dimension (scores, 2), ==, 2);
  /* A missing score outranks a 2 and falls behind a 3; ties go first. */
  scores[12] = 2.5;
  g_assert_cmpuint (rs_scores_weakest_dimension (scores, 2), ==, 1);
  scores[10] = 3;
  g_assert_cmpuint (rs_scores_strongest_dimension (scores, 2), ==, 0);

  /* Equal pillar means: the first wins both ways. */
  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = 3;
  g_assert_true (rs_scores_pillar_extremes (scores, &strongest, &weakest));
  g_assert_cmpuint (strongest, ==, 0);
  g_assert_cmpuint (weakest, ==, 0);
  scores[14] = 2;
  g_assert_true (rs_scores_pillar_extremes (scores, NULL, &weakest));
  g_assert_cmpuint (weakest, ==, 2);

  /* Ratings follow the score as printed with two decimals. */
  g_assert_cmpint (rs_scores_rating (5.0), ==, RS_RATING_EXCELLENT);
  g_assert_cmpint (rs_scores_rating (4.0), ==, RS_RATING_EXCELLENT);
  g_assert_cmpint (rs_scores_rating (3.996), ==, RS_RATING_EXCELLENT);
  g_assert_cmpint (rs_scores_rating (3.994), ==, RS_RATING_GOOD);
  g_assert_cmpint (rs_scores_rating (3.5), ==, RS_RATING_GOOD);
  g_assert_cmpint (rs_scores_rating (3.49), ==, RS_RATING_AVERAGE);
  g_assert_cmpint (rs_scores_rating (3.0), ==, RS_RATING_AVERAGE);
  g_assert_cmpint (rs_scores_rating (2.99), ==, RS_RATING_BELOW_AVERAGE);
  g_assert_cmpint (rs_scores_rating (2.5), ==, RS_RATING_BELOW_AVERAGE);
  g_assert_cmpint (rs_scores_rating (2.49), ==, RS_RATING_NEEDS_IMPROVEMENT);
  g_assert_cmpint (rs_scores_rating (0.0), ==, RS_RATING_NEEDS_IMPROVEMENT);
  /* (1.1 + 2.2 + 3.3 + 4.4 + 4.0) / 5 is 2.9999999999999996 in doubles. */
  g_assert_cmpint (rs_scores_rating ((1.1 + 2.2 + 3.3 + 4.4 + 4.0) / 5), ==,
                   RS_RATING_AVERAGE);
  g_assert_cmpfloat (rs_scores_round (2.9999999999999996, 2), ==, 3.0);
  g_assert_cmpfloat (rs_scores_round (1.25, 1), ==, 1.2);
}

static void
test_report_text_fill (void)
{
  g_autofree char *filled = NULL;
  g_autofree char *number = NULL;

  filled = rs_report_text_fill ("{1} of {2}{3} {4} {1}", "{2}", "%s", NULL);
  g_assert_cmpstr (filled, ==, "{2} of %s {4} {2}");
  number = rs_report_text_number (rs_report_text_get ("nl"), 3.456, 2);
  g_assert_cmpstr (number, ==, "3,46");
  g_free (number);
  number = rs_report_text_number (rs_report_text_get ("en"), NAN, 1);
  g_assert_cmpstr (number, ==, "N/A");
}

int
main (int    argc,
      char **argv)
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/scores/summary", test_scores_summary);
  g_test_add_func ("/report/text-fill", test_report_text_fill);
  g_test_add_func ("/report/numbers", test_report_numbers);
  g_test_add_func ("/report/ratings", test_report_ratings);
  g_test_add_func ("/report/structure", test_report_structure);
  g_test_add_func ("/report/dutch", test_report_dutch);
  g_test_add_func ("/report/insufficient", test_report_insufficient);
  g_test_add_func ("/report/file-name", test_report_file_name);
  g_test_add_func ("/report/write-failures", test_report_write_failures);
  g_test_add_func ("/report/metadata", test_report_metadata);
  g_test_add_func ("/report/hash", test_report_hash);
  g_test_add_func ("/report/image-surface", test_report_image_surface);
  g_test_add_func ("/report/radar-geometry", test_report_radar_geometry);
  g_test_add_func ("/report/threads", test_report_threads);

  return g_test_run ();
}
