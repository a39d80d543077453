/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-template"

#include "config.h"

#include <locale.h>
#include <math.h>

#include "rs-template.h"
#include "rs-test-util.h"

/* {placeholder} substitution: stray braces stay text, values stay as given. */

static const RsTemplateValues zoe = {
  .name = "Zoë de Vries",
  .company = "Amstel Metaal N.V.",
  .function = "Inkoper",
  .email = "zoe@example.com",
  .date = "14 March 2025",
  .overall = "3.4",
};

static void
test_template_expand (void)
{
  static const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "Dear {name},", "Dear Zoë de Vries," },
    { "{name} ({function}) at {company}, {email}, {date}: {overall}",
      "Zoë de Vries (Inkoper) at Amstel Metaal N.V., zoe@example.com, 14 March 2025: 3.4" },
    { "{name}{name}", "Zoë de VriesZoë de Vries" },
    { "", "" },
    { "no placeholders", "no placeholders" },
    { "{", "{" },
    { "}", "}" },
    { "{}", "{}" },
    { "a { b } c", "a { b } c" },
    { "{{name}", "{Zoë de Vries" },
    { "{{name}}", "{Zoë de Vries}" },
    { "{name}}", "Zoë de Vries}" },
    { "{name", "{name" },
    { "{name {name}", "{name Zoë de Vries" },
    { "{unknown}", "{unknown}" },
    { "{Name} {NAME}", "{Name} {NAME}" },
    { "{ name }", "{ name }" },
    { "{naam}, {name}", "{naam}, Zoë de Vries" },
    { "ends with {", "ends with {" },
    { "€{overall}€", "€3.4€" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = rs_template_expand (cases[i].text, &zoe);

      g_test_message ("template “%s”", cases[i].text);
      g_assert_cmpstr (result, ==, cases[i].expected);
    }
}

static void
test_template_values_literal (void)
{
  RsTemplateValues values = {
    .name = "{company}",
    .company = "Brace {name} & Co {",
    .function = "}{",
  };
  g_autofree char *result = NULL;
  g_autofree char *empty = NULL;

  result = rs_template_expand ("{name}|{company}|{function}|{email}|{overall}", &values);
  g_assert_cmpstr (result, ==, "{company}|Brace {name} & Co {|}{||");

  empty = rs_template_expand ("[{name}] [{date}]", NULL);
  g_assert_cmpstr (empty, ==, "[] []");
}

static void
test_template_expand_table (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *result = NULL;

  g_hash_table_insert (values, "name", "Ivo Bos");
  g_hash_table_insert (values, "company", "{name}");
  g_hash_table_insert (values, "naam", "not used");

  result = rs_template_expand_table ("{name} {company} {naam} {date}", values);
  g_assert_cmpstr (result, ==, "Ivo Bos {name} {naam} ");
}

static void
test_template_find_unknown (void)
{
  const char *text = "Beste {naam}, { stray {name} {Company} {} {email}\n€ {bedrijf_1}";
  g_autoptr(GArray) unknown = rs_template_find_unknown (text);
  g_autoptr(GArray) none = NULL;
  RsTemplateUnknown *u;

  g_assert_cmpuint (unknown->len, ==, 3);

  u = &g_array_index (unknown, RsTemplateUnknown, 0);
  g_assert_cmpstr (u->placeholder, ==, "{naam}");
  g_assert_cmpuint (u->offset, ==, 6);
  g_assert_cmpuint (u->length, ==, 6);
  g_assert_cmpint (u->char_offset, ==, 6);
  g_assert_cmpint (u->char_length, ==, 6);

  u = &g_array_index (unknown, RsTemplateUnknown, 1);
  g_assert_cmpstr (u->placeholder, ==, "{Company}");
  g_assert_cmpuint (u->offset, ==, strstr (text, "{Company}") - text);

  /* After the euro sign, bytes and characters differ by two. */
  u = &g_array_index (unknown, RsTemplateUnknown, 2);
  g_assert_cmpstr (u->placeholder, ==, "{bedrijf_1}");
  g_assert_cmpuint (u->offset, ==, strstr (text, "{bedrijf_1}") - text);
  g_assert_cmpint (u->char_offset, ==, (glong) u->offset - 2);
  g_assert_cmpint (u->char_length, ==, 11);

  none = rs_template_find_unknown ("{name} { } {{email} {overall {-} {: /}");
  g_assert_cmpuint (none->len, ==, 0);

  /* Mistyped forms that would reach the reader as they are. */
  {
    const char *forms[] = { "{ name }", "{name }", "{first name}", "{Naam:}",
                            "{bedrijf/company}", "{e.mail}" };

    for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
      {
        g_autofree char *line = g_strdup_printf ("Dear %s,", forms[i]);
        g_autoptr(GArray) found = rs_template_find_unknown (line);

        g_assert_cmpuint (found->len, ==, 1);
        g_assert_cmpstr (g_array_index (found, RsTemplateUnknown, 0).placeholder, ==, forms[i]);
      }
  }
}

static void
test_template_defaults (void)
{
  static const char *languages[] = { "en", "nl" };
  const char * const *placeholders = rs_template_get_placeholders ();

  g_assert_cmpuint (g_strv_length ((char **) placeholders), ==, 6);
  g_assert_true (rs_template_is_placeholder ("overall"));
  g_assert_false (rs_template_is_placeholder ("naam"));

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      const char *subject = rs_template_default_subject (languages[i]);
      const char *body = rs_template_default_body (languages[i]);
      g_autoptr(GArray) unknown_subject = rs_template_find_unknown (subject);
      g_autoptr(GArray) unknown_body = rs_template_find_unknown (body);
      g_autofree char *expanded = rs_template_expand (body, &zoe);

      g_assert_nonnull (subject);
      g_assert_nonnull (body);
      g_assert_cmpuint (strlen (subject), >, 10);
      g_assert_null (strchr (subject, '\n'));
      g_assert_true (g_utf8_validate (body, -1, NULL));
      g_assert_cmpuint (unknown_subject->len, ==, 0);
      g_assert_cmpuint (unknown_body->len, ==, 0);
      g_assert_nonnull (strstr (body, "{name}"));
      g_assert_null (strchr (expanded, '{'));
      g_assert_nonnull (strstr (expanded, "Zoë de Vries"));
    }

  g_assert_cmpstr (rs_template_default_body ("nl"), !=, rs_template_default_body ("en"));
  g_assert_nonnull (strstr (rs_template_default_body ("nl"), "Beste"));
  g_assert_nonnull (strstr (rs_template_default_body ("en"), "Dear"));
  g_assert_cmpstr (rs_template_default_subject ("fr"), ==, rs_template_default_subject ("en"));
  g_assert_cmpstr (rs_template_default_subject (NULL), ==, rs_template_default_subject ("en"));
}

/* A company whose name ends in a full stop, before the template's own. */
static void
test_template_full_stop (void)
{
  static const struct {
    const char *company;
    const char *text;
    const char *expected;
  } cases[] = {
    { "Acme B.V.", "on behalf of {company}.\n", "on behalf of Acme B.V.\n" },
    { "Acme B.V.", "namens {company}.", "namens Acme B.V." },
    { "Acme BV", "on behalf of {company}.", "on behalf of Acme BV." },
    { "Acme B.V.", "{company}, and more", "Acme B.V., and more" },
    { "Acme B.V.", "{company}...", "Acme B.V...." },
    { "Acme B.V.", "{company}.{company}.", "Acme B.V.Acme B.V." },
    { "", "{company}.", "." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RsTemplateValues values = { .company = cases[i].company };
      g_autofree char *result = rs_template_expand (cases[i].text, &values);

      g_assert_cmpstr (result, ==, cases[i].expected);
    }
}

/* {date} and {overall} as the respondent reads them. */
static void
test_template_format (void)
{
  static const struct {
    const char *timestamp;
    const char *en;
    const char *nl;
  } dates[] = {
    { "2025-08-01 11:12:43", "1 August 2025", "1 augustus 2025" },
    { "2023-06-12", "12 June 2023", "12 juni 2023" },
    { "2023-06-12T09:30:00", "12 June 2023", "12 juni 2023" },
    { "2023/3/5", "5 March 2023", "5 maart 2023" },
    { "12-06-2023 14:00", "12 June 2023", "12 juni 2023" },
    { "12.06.2023", "12 June 2023", "12 juni 2023" },
    { " 2024-02-29 ", "29 February 2024", "29 februari 2024" },
    /* Not read, so kept: ambiguous, impossible or not a date. */
    { "06/12/2023", "06/12/2023", "06/12/2023" },
    { "2023-02-30", "2023-02-30", "2023-02-30" },
    { "2023-13-01", "2023-13-01", "2023-13-01" },
    { "yesterday", "yesterday", "yesterday" },
    { "2023-06-12x", "2023-06-12x", "2023-06-12x" },
    { "", "", "" },
    { NULL, "", "" },
  };
  static const struct {
    double score;
    const char *en;
    const char *nl;
  } scores[] = {
    { 3.14, "3.1", "3,1" },
    { 3.96, "4.0", "4,0" },
    { 0, "0.0", "0,0" },
    { 5, "5.0", "5,0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *en = rs_template_format_date (dates[i].timestamp, "en");
      g_autofree char *nl = rs_template_format_date (dates[i].timestamp, "nl");
      g_autofree char *other = rs_template_format_date (dates[i].timestamp, "de");

      g_test_message ("date “%s”", dates[i].timestamp);
      g_assert_cmpstr (en, ==, dates[i].en);
      g_assert_cmpstr (nl, ==, dates[i].nl);
      g_assert_cmpstr (other, ==, dates[i].en);
    }

  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      g_autofree char *en = rs_template_format_score (scores[i].score, "en");
      g_autofree char *nl = rs_template_format_score (scores[i].score, "nl");

      g_assert_cmpstr (en, ==, scores[i].en);
      g_assert_cmpstr (nl, ==, scores[i].nl);
    }

  {
    g_autofree char *none = rs_template_format_score (NAN, "nl");

    g_assert_cmpstr (none, ==, "");
  }

  /* Not the sender's locale: a Dutch desktop still writes 3.1 for English. */
  if (setlocale (LC_NUMERIC, "nl_NL.UTF-8") != NULL)
    {
      g_autofree char *en = rs_template_format_score (3.14, "en");

      g_assert_cmpstr (en, ==, "3.1");
      setlocale (LC_NUMERIC, "C");
    }
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/template/expand", test_template_expand);
  g_test_add_func ("/template/values-literal", test_template_values_literal);
  g_test_add_func ("/template/expand-table", test_template_expand_table);
  g_test_add_func ("/template/find-unknown", test_template_find_unknown);
  g_test_add_func ("/template/defaults", test_template_defaults);
  g_test_add_func ("/template/full-stop", test_template_full_stop);
  g_test_add_func ("/template/format", test_template_format);

  return g_test_run ();
}
