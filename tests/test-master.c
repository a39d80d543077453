/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-master"

#include "config.h"

#include <math.h>
#include <string.h>

#include "rs-master.h"
#include "rs-scores.h"
#include "rs-test-util.h"

/* Headers and rows are written with `|` between the fields, so that the
 * fields themselves may hold commas and quotes. */

static RsMasterColumns *
columns_for (const char  *header,
             GError     **error)
{
  g_auto(GStrv) names = g_strsplit (header, "|", -1);

  return rs_master_columns_new ((const char * const *) names, g_strv_length (names), error);
}

static RsMasterColumns *
columns_ok (const char *header)
{
  g_autoptr(GError) error = NULL;
  RsMasterColumns *columns = columns_for (header, &error);

  g_assert_no_error (error);
  g_assert_nonnull (columns);

  return columns;
}

static RsMasterRowKind
read_row (const RsMasterColumns *columns,
          const char            *line,
          RsMasterRow           *row)
{
  g_auto(GStrv) fields = g_strsplit (line, "|", -1);

  return rs_master_read_row (columns, (const char * const *) fields, g_strv_length (fields), row);
}

/* Whether @word appears in @text as a whole column name: bounded by
 * anything that cannot be part of one. */
static gboolean
has_word (const char *text,
          const char *word)
{
  gsize len = strlen (word);

  for (const char *p = strstr (text, word); p != NULL; p = strstr (p + 1, word))
    {
      gboolean start = p == text || !(g_ascii_isalnum (p[-1]) || p[-1] == '_');
      gboolean end = !(g_ascii_isalnum (p[len]) || p[len] == '_');

      if (start && end)
        return TRUE;
    }

  return FALSE;
}

static void
test_normalize (void)
{
  static const struct {
    const char *raw;
    const char *normal;
  } cases[] = {
    /* Raw Excel headers */
    { "Company name:", "company_name" },
    { "E-mail address", "email_address" },
    { "Up - R", "up__r" },
    { "In - C", "in__c" },
    { "Do - A", "do__a" },
    { "Up - R1a", "up__r1a" },
    { "Size (number of employees)", "size_number_of_employees" },
    { "Where is the power in the chain?", "where_is_the_power_in_the_chain" },
    { "B2B/B2C", "b2bb2c" },
    { "# Competitors", "_competitors" },
    { "# Products/SKUs", "_productsskus" },
    { "Geographical footprint [supply network]", "geographical_footprint_supply_network" },
    { "Submit Date", "submit_date" },
    { "Name", "name" },
    { "NAME", "name" },
    { "Report sent", "report_sent" },
    { "Overall SCRES", "overall_scres" },
    { "a.b,c;d'e\"f*g+h=i&j", "abcdefghij" },
    { "x\ty", "xy" },
    { "(x)-[y]:z", "xyz" },
    /* Letters beyond ASCII are letters. */
    { "Bedrijfsgrootte (België)", "bedrijfsgrootte_belgië" },
    { "ÉTAT", "état" },
    /* A leading digit gets a prefix. */
    { "2nd contact", "col_2nd_contact" },
    { "100%", "col_100" },
    { "(1) First", "col_1_first" },
    /* Clean names stay as they are. */
    { "company_name", "company_name" },
    { "email_address", "email_address" },
    { "up__r", "up__r" },
    { "size_number_of_employees", "size_number_of_employees" },
    { "_competitors", "_competitors" },
    { "col_2nd_contact", "col_2nd_contact" },
    { "", "" },
    { "?!", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normal = rs_master_normalize_name (cases[i].raw);

      g_test_message ("“%s”", cases[i].raw);
      g_assert_cmpstr (normal, ==, cases[i].normal);

      /* Normalising is idempotent, so clean files read like raw ones. */
      {
        g_autofree char *again = rs_master_normalize_name (normal);

        g_assert_cmpstr (again, ==, normal);
      }
    }
}

static void
test_repeats (void)
{
  g_autoptr(RsMasterColumns) columns = NULL;

  columns = columns_ok ("Name|name|NAME|Up - R|up__r|Up  R|Company name:|E-mail address|Notes|"
                        "notes");
  g_assert_cmpuint (columns->n_columns, ==, 10);
  g_assert_cmpstr (columns->names[0], ==, "name");
  g_assert_cmpstr (columns->names[1], ==, "name_1");
  g_assert_cmpstr (columns->names[2], ==, "name_2");
  g_assert_cmpstr (columns->names[3], ==, "up__r");
  g_assert_cmpstr (columns->names[4], ==, "up__r_1");
  g_assert_cmpstr (columns->names[5], ==, "up__r_2");
  g_assert_cmpstr (columns->names[6], ==, "company_name");
  g_assert_cmpstr (columns->names[7], ==, "email_address");
  g_assert_cmpstr (columns->names[8], ==, "notes");
  g_assert_cmpstr (columns->names[9], ==, "notes_1");
  g_assert_null (columns->names[10]);

  /* The first of the repeated columns is the one read. */
  g_assert_cmpint (columns->person, ==, 0);
  g_assert_cmpint (columns->scores[RS_SCORE_INDEX (0, 0)], ==, 3);
  g_assert_cmpint (columns->company, ==, 6);
  g_assert_cmpint (columns->email, ==, 7);
}

static void
test_synonyms (void)
{
  static const struct {
    const char *header;
    const char *canonical;
  } cases[] = {
    { "email", "email_address" },
    { "Email", "email_address" },
    { "E-mail", "email_address" },
    { "e_mail", "email_address" },
    { "Mail", "email_address" },
    { "EmailAddress", "email_address" },
    { "Email address:", "email_address" },
    { "Company", "company_name" },
    { "Organisation", "company_name" },
    { "Organization:", "company_name" },
    { "CompanyName", "company_name" },
    { "Company name", "company_name" },
    { "Respondent", "name" },
    { "Participant", "name" },
    { "Full name", "name" },
    { "full_name", "name" },
    { "FullName", "name" },
    { "Date", "submitdate" },
    { "Timestamp", "submitdate" },
    { "Submit date", "submitdate" },
    { "submitdate", "submitdate" },
    { "Role", "function" },
    { "Job title", "function" },
    { "Position", "function" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RsMasterColumns) columns = NULL;
      g_autofree char *header = NULL;
      const char *canonical = cases[i].canonical;
      int expected;

      g_test_message ("“%s”", cases[i].header);

      /* The column under test goes second, among the required ones. */
      if (g_str_equal (canonical, "email_address"))
        header = g_strdup_printf ("company_name|%s|name", cases[i].header);
      else if (g_str_equal (canonical, "company_name"))
        header = g_strdup_printf ("email_address|%s|name", cases[i].header);
      else if (g_str_equal (canonical, "name"))
        header = g_strdup_printf ("email_address|%s|company_name", cases[i].header);
      else
        header = g_strdup_printf ("email_address|%s|company_name|name", cases[i].header);

      columns = columns_ok (header);
      g_assert_cmpstr (columns->names[1], ==, canonical);

      if (g_str_equal (canonical, "email_address"))
        expected = columns->email;
      else if (g_str_equal (canonical, "company_name"))
        expected = columns->company;
      else if (g_str_equal (canonical, "name"))
        expected = columns->person;
      else if (g_str_equal (canonical, "submitdate"))
        expected = columns->submitted_at;
      else
        expected = columns->function;
      g_assert_cmpint (expected, ==, 1);
    }
}

static void
test_synonym_yields (void)
{
  g_autoptr(RsMasterColumns) columns = NULL;

  /* Where the canonical column is there, the synonym is just another column. */
  columns = columns_ok ("Company|company_name|name|Mail|email_address|Role|Function");
  g_assert_cmpint (columns->company, ==, 1);
  g_assert_cmpint (columns->email, ==, 4);
  g_assert_cmpint (columns->function, ==, 6);
  g_assert_cmpstr (columns->names[0], ==, "company");
  g_assert_cmpstr (columns->names[3], ==, "mail");
  g_assert_cmpstr (columns->names[5], ==, "role");
  g_clear_pointer (&columns, rs_master_columns_free);

  /* Of two synonyms, one is taken and the other left as it is. */
  columns = columns_ok ("name|company_name|Email|Mail");
  g_assert_cmpint (columns->email, >=, 2);
  g_assert_cmpstr (columns->names[columns->email], ==, "email_address");
  g_assert_cmpstr (columns->names[columns->email == 2 ? 3 : 2], !=, "email_address");
}

#define CLEAN_HEADER \
  "submitdate|reportsent|name|function|company_name|country|email_address|version|sector|" \
  "subsector|size_number_of_employees|b2bb2c|_competitors|up__r1a|up__r1|up__r|up__c|" \
  "up__f|up__v|up__a|in__r|in__c|in__f|in__v|in__a|do__r|do__c|do__f|do__v|do__a|" \
  "overall_scres|hash|rowchecked"

#define RAW_HEADER \
  "Submit date|reportsent|Name|Function|Company name:|Country|E-mail address|Version|" \
  "Sector|Subsector|Size (number of employees)|B2B/B2C|# Competitors|Up - R1a|Up - R1|" \
  "Up - R|Up - C|Up - F|Up - V|Up - A|In - R|In - C|In - F|In - V|In - A|Do - R|Do - C|" \
  "Do - F|Do - V|Do - A|Overall SCRES|Hash|Row checked"

static void
check_master_layout (const RsMasterColumns *columns)
{
  g_assert_cmpuint (columns->n_columns, ==, 33);
  g_assert_cmpint (columns->submitted_at, ==, 0);
  g_assert_cmpint (columns->report_sent, ==, 1);
  g_assert_cmpint (columns->person, ==, 2);
  g_assert_cmpint (columns->function, ==, 3);
  g_assert_cmpint (columns->company, ==, 4);
  g_assert_cmpint (columns->email, ==, 6);
  g_assert_cmpint (columns->version, ==, 7);
  g_assert_cmpint (columns->sector, ==, 8);
  g_assert_cmpint (columns->language, ==, -1);

  /* The dimension scores, not their sub-questions. */
  for (guint i = 0; i < RS_N_SCORES; i++)
    g_assert_cmpint (columns->scores[i], ==, 15 + (int) i);
}

static void
test_raw_and_clean_headers (void)
{
  g_autoptr(RsMasterColumns) clean = columns_ok (CLEAN_HEADER);
  g_autoptr(RsMasterColumns) raw = columns_ok (RAW_HEADER);

  check_master_layout (clean);
  check_master_layout (raw);

  for (guint i = 0; i < clean->n_columns; i++)
    {
      g_test_message ("column %u", i);
      if (i == 32)
        g_assert_cmpstr (raw->names[i], ==, "row_checked");
      else
        g_assert_cmpstr (raw->names[i], ==, clean->names[i]);
    }
}

static void
test_score_columns (void)
{
  static const char *expected[RS_N_SCORES] = {
    "up__r", "up__c", "up__f", "up__v", "up__a",
    "in__r", "in__c", "in__f", "in__v", "in__a",
    "do__r", "do__c", "do__f", "do__v", "do__a",
  };
  g_autoptr(RsMasterColumns) columns = NULL;

  for (guint i = 0; i < RS_N_SCORES; i++)
    g_assert_cmpstr (rs_scores_column_name (i), ==, expected[i]);
  g_assert_cmpint (RS_SCORE_INDEX (1, 3), ==, 8);

  /* Scores in any order, some absent. */
  columns = columns_ok ("do__a|name|Up - C|company_name|in__v|email_address");
  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      int at = columns->scores[i];

      if (i == RS_SCORE_INDEX (2, 4))
        g_assert_cmpint (at, ==, 0);
      else if (i == RS_SCORE_INDEX (0, 1))
        g_assert_cmpint (at, ==, 2);
      else if (i == RS_SCORE_INDEX (1, 3))
        g_assert_cmpint (at, ==, 4);
      else
        g_assert_cmpint (at, ==, -1);
    }
}

/* The part of the message before the list of what was found. */
static char *
missing_part (const char *message)
{
  const char *found = strstr (message, "“");

  g_assert_nonnull (found);
  return g_strndup (message, found - message);
}

static void
test_missing_columns (void)
{
  static const struct {
    const char *header;
    gboolean company;
    gboolean person;
    gboolean email;
  } cases[] = {
    { "name|email_address|Sector", FALSE, TRUE, TRUE },
    { "Company name:|E-mail address|Sector", TRUE, FALSE, TRUE },
    { "company_name|name|Sector", TRUE, TRUE, FALSE },
    { "Company name:|Sector|Country", TRUE, FALSE, FALSE },
    { "Sector|Country|Version", FALSE, FALSE, FALSE },
    /* Near misses are not the column. */
    { "company_name_x|the_name|email_address", FALSE, FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMasterColumns) columns = NULL;
      g_autofree char *missing = NULL;
      g_auto(GStrv) found = g_strsplit (cases[i].header, "|", -1);

      columns = columns_for (cases[i].header, &error);
      g_assert_null (columns);
      g_assert_error (error, RS_MASTER_ERROR, RS_MASTER_ERROR_MISSING_COLUMNS);
      g_test_message ("%s", error->message);

      /* What is missing, and only that, is named. */
      missing = missing_part (error->message);
      g_assert_cmpint (has_word (missing, "company_name"), ==, !cases[i].company);
      g_assert_cmpint (has_word (missing, "name"), ==, !cases[i].person);
      g_assert_cmpint (has_word (missing, "email_address"), ==, !cases[i].email);

      /* What was found is named as it stands in the file. */
      for (guint j = 0; found[j] != NULL; j++)
        {
          g_autofree char *quoted = g_strdup_printf ("“%s”", found[j]);

          g_assert_nonnull (strstr (error->message, quoted));
        }
    }

  /* A header of no columns at all. */
  {
    g_autoptr(GError) error = NULL;
    const char *none[] = { NULL };

    g_assert_null (rs_master_columns_new (none, 0, &error));
    g_assert_error (error, RS_MASTER_ERROR, RS_MASTER_ERROR_MISSING_COLUMNS);
    g_assert_true (has_word (error->message, "company_name"));
    g_assert_true (has_word (error->message, "name"));
    g_assert_true (has_word (error->message, "email_address"));
  }

  /* A very wide header is not listed in full. */
  {
    g_autoptr(GString) header = g_string_new ("name");
    g_autoptr(GError) error = NULL;
    g_autoptr(RsMasterColumns) columns = NULL;

    for (guint i = 0; i < 500; i++)
      g_string_append_printf (header, "|question %u", i);
    columns = columns_for (header->str, &error);
    g_assert_null (columns);
    g_assert_error (error, RS_MASTER_ERROR, RS_MASTER_ERROR_MISSING_COLUMNS);
    g_assert_nonnull (strstr (error->message, "“question 0”"));
    g_assert_null (strstr (error->message, "“question 499”"));
    g_assert_cmpuint (strlen (error->message), <, 2000);
  }
}

#define ROW_HEADER "company_name|name|email_address|function|submitdate|reportsent|version|sector"

static void
test_row_ok (void)
{
  g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);
  g_auto(RsMasterRow) row = { 0 };

  g_assert_cmpint (read_row (columns,
                             "  Polder Packaging B.V. |\tIvo Bos |ivo.bos@polder.example  |"
                             " Supply chain manager |2024-03-01 10:00:00|False|v2 (en)|Food",
                             &row),
                   ==, RS_MASTER_ROW_OK);
  g_assert_cmpstr (row.company, ==, "Polder Packaging B.V.");
  g_assert_cmpstr (row.person, ==, "Ivo Bos");
  g_assert_cmpstr (row.email, ==, "ivo.bos@polder.example");
  g_assert_cmpstr (row.function, ==, "Supply chain manager");
  g_assert_cmpstr (row.submitted_at, ==, "2024-03-01 10:00:00");
  g_assert_cmpstr (row.language, ==, "en");
  g_assert_false (row.report_sent);
  g_assert_null (row.problem);
  g_assert_nonnull (row.identity_key);

  {
    g_autofree char *key = rs_master_identity_key ("Polder Packaging B.V.", "Ivo Bos",
                                                   "ivo.bos@polder.example");

    g_assert_cmpstr (row.identity_key, ==, key);
  }

  /* No score columns: every score is missing. */
  g_assert_cmpuint (rs_scores_count (row.scores), ==, 0);
  for (guint i = 0; i < RS_N_SCORES; i++)
    g_assert_true (isnan (row.scores[i]));
}

static void
test_row_skipped (void)
{
  static const char *companies[] = {
    "", "   ", "-", " - ", "unknown", "Unknown", "UNKNOWN", "n/a", "N/A", "NA", "nan", "?",
    "none", "\t",
  };
  g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);

  for (guint i = 0; i < G_N_ELEMENTS (companies); i++)
    {
      g_auto(RsMasterRow) row = { 0 };
      g_autofree char *line = NULL;

      g_test_message ("company “%s”", companies[i]);
      line = g_strdup_printf ("%s|Ivo Bos|ivo.bos@polder.example|||||", companies[i]);
      g_assert_cmpint (read_row (columns, line, &row), ==, RS_MASTER_ROW_SKIPPED);
      g_assert_nonnull (row.problem);
      g_assert_cmpstr (row.problem, !=, "");
      /* Who it was is still known, for the report of skipped rows. */
      g_assert_cmpstr (row.person, ==, "Ivo Bos");
    }

  /* A company that only looks like a placeholder is one. */
  {
    static const char *real[] = { "Unknown Logistics", "N/A Foods", "-Dash-", "Nan Wei & Co" };

    for (guint i = 0; i < G_N_ELEMENTS (real); i++)
      {
        g_auto(RsMasterRow) row = { 0 };
        g_autofree char *line = g_strdup_printf ("%s|Ivo Bos|ivo.bos@polder.example|||||",
                                                 real[i]);

        g_assert_cmpint (read_row (columns, line, &row), ==, RS_MASTER_ROW_OK);
        g_assert_cmpstr (row.company, ==, real[i]);
      }
  }
}

static void
test_row_flagged (void)
{
  static const char *bad[] = {
    "ivo", "ivo@", "@polder.example", "ivo@polder", "ivo bos@polder.example",
    "ivo@polder.example; jan@polder.example", "Ivo Bos <ivo@polder.example>",
    "-", "n/a", "unknown",
  };
  g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);

  /* An empty address. */
  {
    g_auto(RsMasterRow) row = { 0 };

    g_assert_cmpint (read_row (columns, "Polder Packaging B.V.|Ivo Bos|  |||||", &row),
                     ==, RS_MASTER_ROW_FLAGGED);
    g_assert_nonnull (strstr (row.problem, "no valid e-mail address"));
    g_assert_cmpstr (row.email, ==, "");
    g_assert_cmpstr (row.company, ==, "Polder Packaging B.V.");
    g_assert_cmpstr (row.person, ==, "Ivo Bos");
    g_assert_nonnull (row.identity_key);
  }

  /* An e-mail column that the row is too short to reach. */
  {
    g_auto(RsMasterRow) row = { 0 };

    g_assert_cmpint (read_row (columns, "Polder Packaging B.V.|Ivo Bos", &row),
                     ==, RS_MASTER_ROW_FLAGGED);
    g_assert_nonnull (strstr (row.problem, "no valid e-mail address"));
    g_assert_cmpstr (row.email, ==, "");
    g_assert_cmpstr (row.function, ==, "");
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(RsMasterRow) row = { 0 };
      g_autofree char *line = NULL;

      g_test_message ("e-mail “%s”", bad[i]);
      line = g_strdup_printf ("Polder Packaging B.V.|Ivo Bos|%s|||||", bad[i]);
      g_assert_cmpint (read_row (columns, line, &row), ==, RS_MASTER_ROW_FLAGGED);
      g_assert_nonnull (strstr (row.problem, "no valid e-mail address"));
      /* The message names the address. */
      g_assert_nonnull (strstr (row.problem, bad[i]));
      g_assert_cmpstr (row.email, ==, bad[i]);
      g_assert_nonnull (row.identity_key);
    }

  /* No person: imported, but not sendable. */
  {
    g_auto(RsMasterRow) row = { 0 };

    g_assert_cmpint (read_row (columns, "Polder Packaging B.V.| - |ivo.bos@polder.example|||||",
                               &row),
                     ==, RS_MASTER_ROW_FLAGGED);
    g_assert_nonnull (row.problem);
    g_assert_cmpstr (row.person, ==, "");
  }

  /* A test entry. */
  {
    g_auto(RsMasterRow) row = { 0 };

    g_assert_cmpint (read_row (columns,
                               "Polder Packaging B.V.|Ivo Bos|ivo.bos@polder.example|||||TEST",
                               &row),
                     ==, RS_MASTER_ROW_FLAGGED);
    g_assert_nonnull (row.problem);
  }
}

/* One mailbox, one key, however it is spelled; one canonical spelling. */
static void
test_email_key (void)
{
  const char *same[][2] = {
    { "piet@bücher.example", "piet@xn--bcher-kva.example" },
    { "piet@BÜCHER.example", "piet@xn--bcher-kva.example" },
    { "zo\xc3\xab@example.org", "zoe\xcc\x88@example.org" },
    { "ZO\xc3\x8b@example.org", "zo\xc3\xab@example.org" },
    { "Anna@EXAMPLE.COM", " anna@example.com " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *a = rs_master_email_key (same[i][0]);
      g_autofree char *b = rs_master_email_key (same[i][1]);

      g_test_message ("“%s” and “%s”", same[i][0], same[i][1]);
      g_assert_cmpstr (a, ==, b);
    }

  {
    g_autofree char *a = rs_master_email_key ("anna@example.com");
    g_autofree char *b = rs_master_email_key ("anne@example.com");
    g_autofree char *idn = rs_master_email_canonical ("piet@bücher.example");
    g_autofree char *nfd = rs_master_email_canonical ("zoe\xcc\x88@example.org");
    g_autofree char *ascii = rs_master_email_canonical ("Ivo.Bos@Example.com");

    g_assert_cmpstr (a, !=, b);
    g_assert_cmpstr (idn, ==, "piet@xn--bcher-kva.example");
    g_assert_cmpstr (nfd, ==, "zo\xc3\xab@example.org");
    g_assert_cmpstr (ascii, ==, "Ivo.Bos@Example.com");
  }
}

static void
test_email_valid (void)
{
  static const char *valid[] = {
    "ivo.bos@polder.example",
    "a@b.example",
    "first.last+survey@mail.example.org",
    "o'brien@example.com",
    "x_y-z@example-site.example",
    "IVO.BOS@EXAMPLE.COM",
    "a1@b2.example",
    "!#$%&'*+/=?^_`{|}~-@example.org",
    /* International: the mailer sends the domain in ASCII, and the local
     * part to servers that offer SMTPUTF8. */
    "ivø@example.com",
    "zoë@example.org",
    "piet@bücher.example",
    "ivo@exämple.com",
  };
  static const char *invalid[] = {
    "",
    "ivo",
    "ivo@",
    "@example.com",
    "ivo@example",
    "ivo@@example.com",
    "ivo@bos@example.com",
    "ivo bos@example.com",
    "ivo@exa mple.com",
    " ivo@example.com",
    ".ivo@example.com",
    "ivo.@example.com",
    "ivo..bos@example.com",
    "ivo@.example.com",
    "ivo@example..com",
    "ivo@-example.com",
    "ivo@example-.com",
    "ivo@example.c",
    "ivo@example.123",
    "ivo@example.com.",
    "ivo@example_site.com",
    "Ivo Bos <ivo@example.com>",
    "ivo@example.com; jan@example.org",
    "ivo@example.com,jan@example.org",
    "mailto:ivo@example.com",
    "iv\xe2\x80\x8bo@example.com",
    "ivo@exa\xe2\x80\x8bmple.com",
    "ivo\xf0\x9f\x98\x80@example.com",
    "ivo@b\xc3\xbc" "cher.",
    "ivo@\xc3\xa9",
    "b@xn--zz.example",
    "f@b\xc3\xbc" "cher.example.",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_test_message ("valid “%s”", valid[i]);
      g_assert_true (rs_master_email_is_valid (valid[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("invalid “%s”", invalid[i]);
      g_assert_false (rs_master_email_is_valid (invalid[i]));
    }
  g_assert_false (rs_master_email_is_valid (NULL));

  /* Length limits: 64 for the local part, 254 in all. */
  {
    g_autofree char *local64 = g_strnfill (64, 'a');
    g_autofree char *local65 = g_strnfill (65, 'a');
    g_autofree char *label = g_strnfill (63, 'b');
    g_autofree char *ok = g_strconcat (local64, "@example.com", NULL);
    g_autofree char *too_long_local = g_strconcat (local65, "@example.com", NULL);
    g_autofree char *too_long = g_strconcat ("a@", label, ".", label, ".", label, ".",
                                             label, ".example", NULL);

    g_assert_true (rs_master_email_is_valid (ok));
    g_assert_false (rs_master_email_is_valid (too_long_local));
    g_assert_cmpuint (strlen (too_long), >, 254);
    g_assert_false (rs_master_email_is_valid (too_long));
  }
}

static void
test_row_scores (void)
{
  g_autoptr(RsMasterColumns) columns = NULL;
  g_auto(RsMasterRow) row = { 0 };

  columns = columns_ok ("company_name|name|email_address|Up - R|Up - C|Up - F|Up - V|Up - A|"
                        "In - R|In - C|In - F|In - V|In - A|Do - R|Do - C|Do - F|Do - V|Do - A|"
                        "Overall SCRES");
  g_assert_cmpint (read_row (columns,
                             "Polder Packaging B.V.|Ivo Bos|ivo.bos@polder.example|"
                             "3.5833333333333335|4,25| 2 |7|-1|"
                             "1e0|abc||?|NA|"
                             "N/A|nan|-|0|5|4.9",
                             &row),
                   ==, RS_MASTER_ROW_OK);

  g_assert_cmpfloat (row.scores[0], ==, 3.5833333333333335);
  g_assert_cmpfloat (row.scores[1], ==, 4.25);
  g_assert_cmpfloat (row.scores[2], ==, 2.0);
  g_assert_cmpfloat (row.scores[3], ==, 5.0);
  g_assert_cmpfloat (row.scores[4], ==, 0.0);
  g_assert_cmpfloat (row.scores[5], ==, 1.0);
  for (guint i = 6; i < 13; i++)
    g_assert_true (isnan (row.scores[i]));
  g_assert_cmpfloat (row.scores[13], ==, 0.0);
  g_assert_cmpfloat (row.scores[14], ==, 5.0);
  g_assert_cmpuint (rs_scores_count (row.scores), ==, 8);
}

static void
test_row_report_sent (void)
{
  static const struct {
    const char *text;
    gboolean sent;
  } cases[] = {
    { "True", TRUE }, { "TRUE", TRUE }, { "true", TRUE }, { " True ", TRUE }, { "1", TRUE },
    { "yes", TRUE }, { "1.0", TRUE }, { "False", FALSE }, { "false", FALSE }, { "0", FALSE },
    { "0.0", FALSE }, { "", FALSE },
    { "no", FALSE }, { "nan", FALSE }, { "maybe", FALSE },
  };
  g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RsMasterRow) row = { 0 };
      g_autofree char *line = NULL;

      g_test_message ("reportsent “%s”", cases[i].text);
      line = g_strdup_printf ("Polder Packaging B.V.|Ivo Bos|ivo.bos@polder.example|||%s||",
                              cases[i].text);
      g_assert_cmpint (read_row (columns, line, &row), ==, RS_MASTER_ROW_OK);
      g_assert_cmpint (row.report_sent, ==, cases[i].sent);
    }

  /* No reportsent column: not sent. */
  {
    g_autoptr(RsMasterColumns) bare = columns_ok ("company_name|name|email_address");
    g_auto(RsMasterRow) row = { 0 };

    g_assert_cmpint (bare->report_sent, ==, -1);
    g_assert_cmpint (read_row (bare, "Polder Packaging B.V.|Ivo Bos|ivo.bos@polder.example",
                               &row),
                     ==, RS_MASTER_ROW_OK);
    g_assert_false (row.report_sent);
  }
}

static void
test_row_language (void)
{
  static const struct {
    const char *header;
    const char *line;
    const char *language;
  } cases[] = {
    { ROW_HEADER, "Polder B.V.|Ivo Bos|ivo@polder.example|||||", "en" },
    { ROW_HEADER, "Polder B.V.|Ivo Bos|ivo@polder.example||||Resilience scan (nl)|", "nl" },
    { ROW_HEADER, "Polder B.V.|Ivo Bos|ivo@polder.example||||(nl) 2024|", "nl" },
    { ROW_HEADER, "Polder B.V.|Ivo Bos|ivo@polder.example||||Resilience scan (en)|", "en" },
    { ROW_HEADER, "Polder B.V.|Ivo Bos|ivo@polder.example||||nl|", "en" },
    { "company_name|name|email_address|Language", "Polder B.V.|Ivo Bos|ivo@polder.example|nl",
      "nl" },
    { "company_name|name|email_address|language", "Polder B.V.|Ivo Bos|ivo@polder.example| NL ",
      "nl" },
    { "company_name|name|email_address|language", "Polder B.V.|Ivo Bos|ivo@polder.example|Dutch",
      "nl" },
    { "company_name|name|email_address|language", "Polder B.V.|Ivo Bos|ivo@polder.example|dutch",
      "nl" },
    { "company_name|name|email_address|language",
      "Polder B.V.|Ivo Bos|ivo@polder.example|English", "en" },
    { "company_name|name|email_address|language", "Polder B.V.|Ivo Bos|ivo@polder.example|",
      "en" },
    { "company_name|name|email_address|language",
      "Polder B.V.|Ivo Bos|ivo@polder.example|Dutchess", "en" },
    { "company_name|name|email_address|version|language",
      "Polder B.V.|Ivo Bos|ivo@polder.example|Scan (nl)|en", "nl" },
    { "company_name|name|email_address|version|language",
      "Polder B.V.|Ivo Bos|ivo@polder.example|Scan (en)|nl", "nl" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RsMasterColumns) columns = columns_ok (cases[i].header);
      g_auto(RsMasterRow) row = { 0 };

      g_test_message ("%s", cases[i].line);
      g_assert_cmpint (read_row (columns, cases[i].line, &row), ==, RS_MASTER_ROW_OK);
      g_assert_cmpstr (row.language, ==, cases[i].language);
    }
}

static void
test_row_names_survive (void)
{
  static const struct {
    const char *company;
    const char *person;
    const char *function;
  } cases[] = {
    { "Smit & Zonen / Logistiek: \"Noord\", B-V", "Jan-Willem de Vries-Smit",
      "Head of S&OP / planning" },
    { "Brouwerij 't Vosje: \"Kölsch\" & Co.", "Ÿlva Österberg", "Inkoper, senior" },
    { "Société Générale de Câbles", "Zoë Ærøskøbing-Łukasz", "Directeur: logistiek" },
    { "Fabrika Đorđević d.o.o.", "Ђорђе Петровић", "—" },
    { "株式会社サンプル", "山田 太郎", "部長" },
  };
  g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RsMasterRow) row = { 0 };
      g_autofree char *line = NULL;

      line = g_strdup_printf ("  %s \t| %s |person%u@names.example| %s |||||", cases[i].company,
                              cases[i].person, i, cases[i].function);
      g_test_message ("%s", line);
      g_assert_cmpint (read_row (columns, line, &row), ==, RS_MASTER_ROW_OK);
      g_assert_cmpstr (row.company, ==, cases[i].company);
      g_assert_cmpstr (row.person, ==, cases[i].person);
      g_assert_cmpstr (row.function, ==, cases[i].function);
      g_assert_true (g_utf8_validate (row.identity_key, -1, NULL));
    }
}

static void
test_identity_key (void)
{
  static const struct {
    const char *a[3];
    const char *b[3];
  } same[] = {
    { { "  Polder  Packaging B.V. ", "Ivo Bos", "ivo@polder.example" },
      { "polder packaging b.v.", "Ivo Bos", "ivo@polder.example" } },
    { { "Polder Packaging B.V.", " IVO   BOS ", "Ivo@Polder.Example" },
      { "polder packaging b.v.", "ivo bos", "ivo@polder.example" } },
    { { "Polder\tPackaging\nB.V.", "Ivo\r\nBos", " ivo@polder.example\t" },
      { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" } },
    { { "Ålesund Fisk AS", "Ÿlva Österberg", "ylva@fisk.example" },
      { "ålesund fisk as", "ÿlva östErberg", "YLVA@FISK.EXAMPLE" } },
    { { "STRASSE GmbH", "Jürgen", "j@strasse.example" },
      { "Straße GmbH", "JÜRGEN", "j@strasse.example" } },
    /* The same letter, composed or not. */
    { { "K\xc3\xb6lsch AG", "Zo\xc3\xab", "z@koelsch.example" },
      { "Ko\xcc\x88lsch AG", "Zoe\xcc\x88", "z@koelsch.example" } },
    /* No-break and other wide spaces are spaces. */
    { { "Polder\xc2\xa0Packaging", "Ivo\xe2\x80\x83" "Bos", "ivo@polder.example" },
      { "Polder Packaging", "Ivo Bos", "ivo@polder.example" } },
    /* Missing parts are empty parts. */
    { { "Polder Packaging", NULL, NULL }, { "Polder Packaging", "", "  " } },
  };
  static const struct {
    const char *a[3];
    const char *b[3];
  } different[] = {
    { { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
      { "Polder Packaging BV", "Ivo Bos", "ivo@polder.example" } },
    { { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
      { "Polder Packaging B.V.", "Ivo Bos", "ivo.bos@polder.example" } },
    { { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
      { "Polder Packaging B.V.", "Ivo  Bosch", "ivo@polder.example" } },
    { { "Polder Packaging B.V.", "IvoBos", "ivo@polder.example" },
      { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" } },
    /* The parts stay apart. */
    { { "Polder", "Packaging Ivo", "ivo@polder.example" },
      { "Polder Packaging", "Ivo", "ivo@polder.example" } },
    { { "Polder", "", "ivo@polder.example" },
      { "", "Polder", "ivo@polder.example" } },
    { { "Österberg", "Ylva", "y@fisk.example" }, { "Osterberg", "Ylva", "y@fisk.example" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autofree char *a = rs_master_identity_key (same[i].a[0], same[i].a[1], same[i].a[2]);
      g_autofree char *b = rs_master_identity_key (same[i].b[0], same[i].b[1], same[i].b[2]);

      g_test_message ("same %u", i);
      g_assert_true (g_utf8_validate (a, -1, NULL));
      g_assert_cmpstr (a, ==, b);
    }

  for (guint i = 0; i < G_N_ELEMENTS (different); i++)
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      a = rs_master_identity_key (different[i].a[0], different[i].a[1], different[i].a[2]);
      b = rs_master_identity_key (different[i].b[0], different[i].b[1], different[i].b[2]);
      g_test_message ("different %u", i);
      g_assert_cmpstr (a, !=, b);
    }

  /* Rows read from a file get the same key. */
  {
    g_autoptr(RsMasterColumns) columns = columns_ok (ROW_HEADER);
    g_auto(RsMasterRow) one = { 0 };
    g_auto(RsMasterRow) two = { 0 };

    g_assert_cmpint (read_row (columns, "  Polder  Packaging B.V. |Ÿlva Österberg|"
                                        "ylva@polder.example|||||", &one),
                     ==, RS_MASTER_ROW_OK);
    g_assert_cmpint (read_row (columns, "polder packaging b.v.|ÿlva östErberg|"
                                        " YLVA@polder.example |||||", &two),
                     ==, RS_MASTER_ROW_OK);
    g_assert_cmpstr (one.identity_key, ==, two.identity_key);
    /* Only the key is folded; the names are kept as written. */
    g_assert_cmpstr (one.company, ==, "Polder Packaging B.V.");
    g_assert_cmpstr (two.company, ==, "polder packaging b.v.");
    g_assert_cmpstr (one.person, ==, "Ÿlva Österberg");
  }
}

/* Trimmed, each run of white space one space: what a field reads as. */
static char *
cleaned (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

/* The master file's ways of saying "nothing here" */
static gboolean
is_placeholder_text (const char *text)
{
  const char *placeholders[] = { "", "-", "?", "n/a", "na", "nan", "unknown", "none" };

  for (guint i = 0; i < G_N_ELEMENTS (placeholders); i++)
    if (g_ascii_strcasecmp (text, placeholders[i]) == 0)
      return TRUE;

  return FALSE;
}

/* Random names of letters, spaces, tabs, line breaks, controls and the
 * white space of Unicode read as cleaned() cleans them. */
static void
test_row_white_space (void)
{
  static const char *const pieces[] = {
    "a", "Bo", "é", "Ø", " ", "  ", "\t", "\n", "\r\n", "\x01", "\x7f", "\xc2\xa0",
    "\xe2\x80\x83", "\xe3\x80\x80", "-", "&",
  };
  g_autoptr(RsMasterColumns) columns = columns_ok ("company_name|name|email_address|function");
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) name = g_string_new (NULL);
      g_auto(RsMasterRow) row = { 0 };
      g_autofree char *expected = NULL;
      const char *fields[4];
      guint n = g_rand_int_range (rand, 0, 8);

      for (guint i = 0; i < n; i++)
        g_string_append (name, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      fields[0] = "Polder Packaging B.V.";
      fields[1] = name->str;
      fields[2] = "ivo@polder.example";
      fields[3] = name->str;
      rs_master_read_row (columns, fields, G_N_ELEMENTS (fields), &row);

      expected = cleaned (name->str);
      g_assert_cmpstr (row.function, ==, is_placeholder_text (expected) ? "" : expected);
      if (!is_placeholder_text (expected))
        g_assert_cmpstr (row.person, ==, expected);
    }
}

static char *
folded_part (const char *text)
{
  g_autofree char *normal = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);

  return g_utf8_casefold (normal, -1);
}

/* Keys are NFKC-normalised and case-folded, however they are made: every
 * character from U+0080 to U+024F (Latin-1 and Latin Extended), upper and
 * lower case, alone, between letters and before a combining mark. */
static void
test_identity_key_folding (void)
{
  for (gunichar c = 0x80; c <= 0x24f; c++)
    {
      char utf8[8] = { 0 };
      /* Before and after: alone, between letters, before a combining mark */
      const char *shapes[][2] = { { "", "" }, { "Ab", "Cd" }, { "", "E" }, { "x", "\xcc\x88" } };

      if (!g_unichar_isprint (c) || g_unichar_isspace (c))
        continue;
      g_unichar_to_utf8 (c, utf8);
      for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
        {
          g_autofree char *part = g_strconcat (shapes[i][0], utf8, shapes[i][1], NULL);
          g_autofree char *key = rs_master_identity_key (part, "Éva Ölund", "ÉVA@example.org");
          g_autofree char *company = folded_part (part);
          g_autofree char *person = folded_part ("Éva Ölund");
          g_autofree char *expected = g_strdup_printf ("%s\x1f%s\x1f%s", company, person,
                                                       "éva@example.org");

          g_test_message ("U+%04X in “%s”", c, part);
          g_assert_cmpstr (key, ==, expected);
        }
    }
}

static void
test_scores_parse (void)
{
  static const struct {
    const char *text;
    double value;
  } numbers[] = {
    { "3.5833333333333335", 3.5833333333333335 },
    { "4,25", 4.25 },
    { " 2 ", 2.0 },
    { "\t3\r\n", 3.0 },
    { "7", 5.0 },
    { "5.0001", 5.0 },
    { "100000000000000000000000", 5.0 },
    { "-1", 0.0 },
    { "-0.5", 0.0 },
    { "-1e3", 0.0 },
    { "1e0", 1.0 },
    { "25e-1", 2.5 },
    { "2,5E0", 2.5 },
    { "0", 0.0 },
    { "0.0", 0.0 },
    { "5", 5.0 },
    { "+3", 3.0 },
    { "3,5", 3.5 },
    { "3.", 3.0 },
    { ".5", 0.5 },
    { ",5", 0.5 },
    { "0004.5000", 4.5 },
    { "3.50000000000000000000001", 3.5 },
    { "1.0000000000000000000000000000000000000000000000000000000001", 1.0 },
  };
  static const char *missing[] = {
    "", " ", "?", "NA", "na", "N/A", "n/a", "nan", "NaN", "-", " - ", "+", ".", ",", "abc",
    "3a", "a3", "3 4", "1,234.5", "1.2.3", "--1", "+-1", "e1", "1e", "1e+", "0x2", "inf",
    "-inf", "Infinity", "3%", "½", "\xd9\xa3", "four", "1_000",
  };

  g_assert_true (isnan (rs_scores_parse (NULL)));

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      double value = rs_scores_parse (numbers[i].text);

      g_test_message ("number “%s”", numbers[i].text);
      g_assert_false (isnan (value));
      g_assert_cmpfloat (value, ==, numbers[i].value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_test_message ("missing “%s”", missing[i]);
      g_assert_true (isnan (rs_scores_parse (missing[i])));
    }

  /* Clamped to zero is zero, not "-0" in a report. */
  g_assert_cmpfloat (rs_scores_parse ("-0"), ==, 0.0);
  g_assert_false (signbit (rs_scores_parse ("-0")));
  g_assert_false (signbit (rs_scores_parse ("-0,0")));
  g_assert_false (signbit (rs_scores_parse ("-1")));
}

/* A score reads as the very number the file holds, as the survey's own
 * tooling reads it: correctly rounded, however many digits it has. */
static void
test_scores_exact (void)
{
  static const char *texts[] = {
    "3.5833333333333335", "4.166666666666667", "2.3333333333333335", "1.9999999999999998",
    "4.999999999999999", "1.1804448814908461", "1.9829036308130465", "3.3487302022352354",
    "3.8919461776945989", "0.9877544682626209", "0.1", "3.7", "2.675",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240301);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *comma = g_strdelimit (g_strdup (texts[i]), ".", ',');

      g_test_message ("“%s”", texts[i]);
      g_assert_cmpfloat (rs_scores_parse (texts[i]), ==, g_ascii_strtod (texts[i], NULL));
      g_assert_cmpfloat (rs_scores_parse (comma), ==, g_ascii_strtod (texts[i], NULL));
    }

  for (guint i = 0; i < 20000; i++)
    {
      double value = g_rand_double_range (rand, 0.0, 5.0);
      const char *formats[] = { "%.17g", "%.16g", "%.15g", "%.3f" };

      for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (text, sizeof text, formats[f], value);
          if (rs_scores_parse (text) != g_ascii_strtod (text, NULL))
            {
              g_test_message ("“%s” reads as %.17g", text, rs_scores_parse (text));
              g_assert_cmpfloat (rs_scores_parse (text), ==, g_ascii_strtod (text, NULL));
            }
        }
    }

  /* Any 17 digits, not only those of a double: most are read without
   * strtod(), and some lie halfway between two doubles at 64 bits. */
  for (guint i = 0; i < 200000; i++)
    {
      char text[64];

      g_snprintf (text, sizeof text, "%d.%08d%08d", g_rand_int_range (rand, 0, 5),
                  g_rand_int_range (rand, 0, 100000000), g_rand_int_range (rand, 0, 100000000));
      if (rs_scores_parse (text) != g_ascii_strtod (text, NULL))
        {
          g_test_message ("“%s” reads as %.17g", text, rs_scores_parse (text));
          g_assert_cmpfloat (rs_scores_parse (text), ==, g_ascii_strtod (text, NULL));
        }
    }
}

static double
clamped (double value)
{
  return value <= 0.0 ? 0.0 : MIN (value, 5.0);
}

/* Decimals of every length, read eight digits at a time or one by one,
 * with zeros in front, a point or a comma anywhere: as strtod() reads
 * them. With one character in them that no number has, they are missing. */
static void
test_scores_digits (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1204);

  for (guint i = 0; i < 200000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n_int = g_rand_int_range (rand, 0, 13);
      guint n_fraction = g_rand_int_range (rand, 0, 22);
      gboolean point = n_fraction > 0 || g_rand_boolean (rand);
      g_autofree char *dotted = NULL;

      if (n_int + n_fraction == 0)
        n_int = 1;
      for (guint j = 0; j < n_int; j++)
        g_string_append_c (text, j == 0 && g_rand_int_range (rand, 0, 3) > 0
                                 ? '0' + g_rand_int_range (rand, 0, 6)
                                 : '0' + g_rand_int_range (rand, 0, 10));
      if (point)
        g_string_append_c (text, g_rand_boolean (rand) ? '.' : ',');
      for (guint j = 0; j < n_fraction; j++)
        g_string_append_c (text, '0' + g_rand_int_range (rand, 0, 10));

      dotted = g_strdelimit (g_strdup (text->str), ",", '.');
      if (rs_scores_parse (text->str) != clamped (g_ascii_strtod (dotted, NULL)))
        {
          g_test_message ("“%s” reads as %.17g", text->str, rs_scores_parse (text->str));
          g_assert_cmpfloat (rs_scores_parse (text->str), ==, clamped (g_ascii_strtod (dotted, NULL)));
        }

      {
        static const char others[] = "x/:;@_'\"#%";
        guint at = g_rand_int_range (rand, 0, text->len);

        text->str[at] = others[g_rand_int_range (rand, 0, sizeof others - 1)];
        if (!isnan (rs_scores_parse (text->str)))
          g_error ("“%s” reads as %.17g", text->str, rs_scores_parse (text->str));
      }
    }
}

static void
test_scores_count (void)
{
  double scores[RS_N_SCORES];

  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = NAN;
  g_assert_cmpuint (rs_scores_count (scores), ==, 0);

  scores[0] = 0.0;
  scores[7] = 5.0;
  scores[14] = 2.5;
  g_assert_cmpuint (rs_scores_count (scores), ==, 3);

  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = 1.0;
  g_assert_cmpuint (rs_scores_count (scores), ==, RS_N_SCORES);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/master/normalize", test_normalize);
  g_test_add_func ("/master/columns/repeats", test_repeats);
  g_test_add_func ("/master/columns/synonyms", test_synonyms);
  g_test_add_func ("/master/columns/synonym-yields", test_synonym_yields);
  g_test_add_func ("/master/columns/raw-and-clean", test_raw_and_clean_headers);
  g_test_add_func ("/master/columns/scores", test_score_columns);
  g_test_add_func ("/master/columns/missing", test_missing_columns);
  g_test_add_func ("/master/row/ok", test_row_ok);
  g_test_add_func ("/master/row/skipped", test_row_skipped);
  g_test_add_func ("/master/row/flagged", test_row_flagged);
  g_test_add_func ("/master/row/scores", test_row_scores);
  g_test_add_func ("/master/row/report-sent", test_row_report_sent);
  g_test_add_func ("/master/row/language", test_row_language);
  g_test_add_func ("/master/row/names-survive", test_row_names_survive);
  g_test_add_func ("/master/email-valid", test_email_valid);
  g_test_add_func ("/master/email-key", test_email_key);
  g_test_add_func ("/master/row/white-space", test_row_white_space);
  g_test_add_func ("/master/identity-key", test_identity_key);
  g_test_add_func ("/master/identity-key/folding", test_identity_key_folding);
  g_test_add_func ("/master/scores/parse", test_scores_parse);
  g_test_add_func ("/master/scores/exact", test_scores_exact);
  g_test_add_func ("/master/scores/digits", test_scores_digits);
  g_test_add_func ("/master/scores/count", test_scores_count);

  return g_test_run ();
}
