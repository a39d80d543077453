/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-template"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "rs-template.h"

/* A template is text with {placeholders}. Expanding never fails: whatever
 * is not a known placeholder, stray braces included, is kept as written,
 * so a typo can cost a respondent a brace but never their e-mail. */

static const char * const placeholders[] = {
  "name", "company", "function", "email", "date", "overall", NULL,
};

/* A longer word between braces is prose, not a mistyped placeholder. */
#define MAX_NAME_LENGTH 40

/* The defaults go to respondents in their own language, whatever the
 * language of the person sending, so they are not translated with _(). */
static const struct {
  const char *language;
  const char *subject;
  const char *body;
} defaults[] = {
  {
    "en",
    "Your Supply Chain Resilience Scan report",
    "Dear {name},\n"
    "\n"
    "Thank you for taking part in the Supply Chain Resilience Scan on behalf of "
    "{company}.\n"
    "\n"
    "Attached you will find your personal report, based on the answers you gave "
    "on {date}. Your overall resilience score is {overall}; the report shows how "
    "it is made up and where your supply chain is strongest and weakest.\n"
    "\n"
    "If you have any questions about the report, simply reply to this e-mail.\n"
    "\n"
    "Kind regards,\n"
    "\n"
    "The Supply Chain Resilience Scan team\n",
  },
  {
    "nl",
    "Uw rapport van de Supply Chain Resilience Scan",
    "Beste {name},\n"
    "\n"
    "Hartelijk dank voor uw deelname aan de Supply Chain Resilience Scan namens "
    "{company}.\n"
    "\n"
    "In de bijlage vindt u uw persoonlijke rapport, gebaseerd op de antwoorden die "
    "u op {date} hebt gegeven. Uw totale veerkrachtscore is {overall}; het rapport "
    "laat zien hoe die is opgebouwd en waar uw keten het sterkst en het zwakst is.\n"
    "\n"
    "Hebt u vragen over het rapport? Beantwoord dan gewoon deze e-mail.\n"
    "\n"
    "Met vriendelijke groet,\n"
    "\n"
    "Het team van de Supply Chain Resilience Scan\n",
  },
};

const char * const *
rs_template_get_placeholders (void)
{
  return placeholders;
}

gboolean
rs_template_is_placeholder (const char *name)
{
  if (name == NULL)
    return FALSE;

  return g_strv_contains (placeholders, name);
}

static guint
find_default (const char *language)
{
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (g_strcmp0 (language, defaults[i].language) == 0)
      return i;

  return 0;
}

/**
 * rs_template_default_subject:
 * @language: "en" or "nl"; anything else gives English
 *
 * Returns: (transfer none): a static default subject.
 */
const char *
rs_template_default_subject (const char *language)
{
  return defaults[find_default (language)].subject;
}

/**
 * rs_template_default_body:
 * @language: "en" or "nl"; anything else gives English
 *
 * Returns: (transfer none): a static default body, lines ending in "\n".
 */
const char *
rs_template_default_body (const char *language)
{
  return defaults[find_default (language)].body;
}

/* What a mistyped placeholder may hold besides letters and digits:
 * "{ name }", "{first name}", "{Naam:}", "{bedrijf/company}". */
static gboolean
is_name_char (gunichar c)
{
  return c == '_' || c == '-' || c == ' ' || c == ':' || c == '/' || c == '.' ||
         g_unichar_isalnum (c);
}

/* The length in bytes of the placeholder-shaped word "{...}" at @p, or 0.
 * The name is copied to @name (NUL-terminated) when it fits. */
static gsize
scan_placeholder (const char *p,
                  char        name[MAX_NAME_LENGTH * 4 + 1])
{
  const char *q = p + 1;
  guint n_chars = 0;

  g_assert (*p == '{');

  while (*q != '\0' && *q != '}')
    {
      gunichar c = g_utf8_get_char_validated (q, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2 || !is_name_char (c))
        return 0;
      if (++n_chars > MAX_NAME_LENGTH)
        return 0;
      q = g_utf8_next_char (q);
    }

  if (*q != '}' || n_chars == 0)
    return 0;
  /* Some letter or digit in it: "{ }" and "{-}" are prose. */
  {
    gboolean word = FALSE;

    for (const char *r = p + 1; r < q; r = g_utf8_next_char (r))
      word |= g_unichar_isalnum (g_utf8_get_char (r));
    if (!word)
      return 0;
  }

  memcpy (name, p + 1, q - p - 1);
  name[q - p - 1] = '\0';

  return q - p + 1;
}

static const char *
lookup_struct (const RsTemplateValues *values,
               const char             *name)
{
  if (values == NULL)
    return NULL;
  if (strcmp (name, "name") == 0)
    return values->name;
  if (strcmp (name, "company") == 0)
    return values->company;
  if (strcmp (name, "function") == 0)
    return values->function;
  if (strcmp (name, "email") == 0)
    return values->email;
  if (strcmp (name, "date") == 0)
    return values->date;
  if (strcmp (name, "overall") == 0)
    return values->overall;

  g_assert_not_reached ();
}

static char *
expand (const char             *text,
        const RsTemplateValues *values,
        GHashTable             *table)
{
  GString *out = g_string_sized_new (strlen (text) + 64);
  const char *p = text;

  while (*p != '\0')
    {
      const char *brace = strchr (p, '{');
      char name[MAX_NAME_LENGTH * 4 + 1];
      gsize length;

      if (brace == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, brace - p);
      length = scan_placeholder (brace, name);
      if (length > 0 && rs_template_is_placeholder (name))
        {
          const char *value;

          if (table != NULL)
            value = g_hash_table_lookup (table, name);
          else
            value = lookup_struct (values, name);
          if (value != NULL)
            g_string_append (out, value);
          p = brace + length;
          /* "on behalf of {company}." with "Acme B.V.": one full stop,
           * but an ellipsis stays whole. */
          if (value != NULL && g_str_has_suffix (value, ".") && p[0] == '.' && p[1] != '.')
            p++;
        }
      else
        {
          g_string_append_c (out, '{');
          p = brace + 1;
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * rs_template_expand:
 * @text: the template, UTF-8
 * @values: (nullable): the values; NULL makes every placeholder empty
 *
 * Puts the values in for the known placeholders. Never fails: a "{" that
 * does not start a known placeholder is kept as it is.
 *
 * Returns: (transfer full): the expanded text.
 */
char *
rs_template_expand (const char             *text,
                    const RsTemplateValues *values)
{
  g_return_val_if_fail (text != NULL, NULL);

  return expand (text, values, NULL);
}

/**
 * rs_template_expand_table:
 * @text: the template, UTF-8
 * @values: placeholder name without braces (such as "name") to UTF-8 value
 *
 * Like rs_template_expand(), with the values in a table. Keys that are not
 * known placeholders are ignored: "{naam}" stays "{naam}" even when the
 * table has "naam".
 *
 * Returns: (transfer full): the expanded text.
 */
char *
rs_template_expand_table (const char *text,
                          GHashTable *values)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  return expand (text, NULL, values);
}

static void
unknown_clear (gpointer data)
{
  RsTemplateUnknown *unknown = data;

  g_clear_pointer (&unknown->placeholder, g_free);
}

/**
 * rs_template_find_unknown:
 * @text: the template, UTF-8
 *
 * Finds the words in braces that look like placeholders but are not known
 * ones, such as "{naam}" or "{Name}", so an editor can point them out before
 * anything is sent. Braces around anything else are taken as prose.
 *
 * Returns: (transfer full): an array of #RsTemplateUnknown in text order,
 * possibly empty; freeing the array frees their strings.
 */
GArray *
rs_template_find_unknown (const char *text)
{
  GArray *found = g_array_new (FALSE, TRUE, sizeof (RsTemplateUnknown));
  const char *p = text;

  g_array_set_clear_func (found, unknown_clear);
  g_return_val_if_fail (text != NULL, found);
  g_return_val_if_fail (g_utf8_validate (text, -1, NULL), found);

  while ((p = strchr (p, '{')) != NULL)
    {
      char name[MAX_NAME_LENGTH * 4 + 1];
      gsize length = scan_placeholder (p, name);

      if (length > 0 && !rs_template_is_placeholder (name))
        {
          RsTemplateUnknown unknown = {
            .placeholder = g_strndup (p, length),
            .offset = p - text,
            .length = length,
          };

          unknown.char_offset = g_utf8_pointer_to_offset (text, p);
          unknown.char_length = g_utf8_strlen (p, length);
          g_array_append_val (found, unknown);
        }
      p++;
    }

  return found;
}

/**
 * rs_template_list_unknown:
 * @texts: the texts of a message, %NULL ones skipped
 * @n_texts: how many
 *
 * Returns: (transfer full) (nullable): the unknown placeholders of all of
 *   @texts (rs_template_find_unknown()), each once, joined by ", ", or
 *   %NULL when there are none
 */
char *
rs_template_list_unknown (const char * const *texts,
                          guint               n_texts)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_texts; i++)
    {
      g_autoptr(GArray) unknown = NULL;

      if (texts[i] == NULL)
        continue;
      unknown = rs_template_find_unknown (texts[i]);
      for (guint j = 0; j < unknown->len; j++)
        {
          const char *name = g_array_index (unknown, RsTemplateUnknown, j).placeholder;

          if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            g_ptr_array_add (names, g_strdup (name));
        }
    }
  if (names->len == 0)
    return NULL;

  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static const char * const months[][12] = {
  { "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December" },
  { "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
    "oktober", "november", "december" },
};

static gboolean
read_number (const char **p,
             guint        min_digits,
             guint        max_digits,
             guint       *value)
{
  guint n = 0;

  *value = 0;
  while (g_ascii_isdigit (**p) && n < max_digits)
    {
      *value = *value * 10 + (**p - '0');
      (*p)++;
      n++;
    }

  return n >= min_digits && !g_ascii_isdigit (**p);
}

/**
 * rs_template_format_date:
 * @timestamp: (nullable): the survey's date as the master file gives it
 * @language: "en" or "nl"; anything else gives English
 *
 * The date as the reader writes it: "12 June 2023" or "12 juni 2023". A
 * time after the date is left out. Only YYYY-MM-DD (or with slashes) and
 * DD-MM-YYYY (or with dots) are read; anything else is kept as it is.
 *
 * Returns: (transfer full): the date, "" for %NULL.
 */
char *
rs_template_format_date (const char *timestamp,
                         const char *language)
{
  g_autofree char *text = NULL;
  const char *p;
  guint a, b, c;
  guint day, month, year;
  char separator;

  if (timestamp == NULL)
    return g_strdup ("");

  text = g_strstrip (g_strdup (timestamp));
  p = text;
  if (!read_number (&p, 1, 4, &a) || (*p != '-' && *p != '/' && *p != '.'))
    return g_steal_pointer (&text);
  separator = *p++;
  if (!read_number (&p, 1, 2, &b) || *p != separator)
    return g_steal_pointer (&text);
  p++;
  if (!read_number (&p, 1, 4, &c))
    return g_steal_pointer (&text);
  /* What may follow is a time. */
  if (*p != '\0' && *p != ' ' && *p != 'T')
    return g_steal_pointer (&text);

  if (a >= 1000 && separator != '.')
    {
      year = a;
      month = b;
      day = c;
    }
  else if (c >= 1000 && separator != '/')
    {
      day = a;
      month = b;
      year = c;
    }
  else
    {
      return g_steal_pointer (&text);
    }

  if (!g_date_valid_dmy (day, month, year))
    return g_steal_pointer (&text);

  return g_strdup_printf ("%u %s %u", day,
                          months[g_strcmp0 (language, "nl") == 0][month - 1], year);
}

/**
 * rs_template_format_score:
 * @score: the score; NaN when there is none
 * @language: "en" or "nl"; anything else gives English
 *
 * Returns: (transfer full): @score with one decimal as the reader writes it:
 *   "3.1" or "3,1"; "" for NaN.
 */
char *
rs_template_format_score (double      score,
                          const char *language)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (score))
    return g_strdup ("");

  g_ascii_formatd (buffer, sizeof buffer, "%.1f", score);
  if (g_strcmp0 (language, "nl") == 0)
    for (char *q = buffer; *q != '\0'; q++)
      if (*q == '.')
        *q = ',';

  return g_strdup (buffer);
}
