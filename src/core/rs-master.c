/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-master"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-master.h"

/* From master-file rows to respondents: header names, synonyms and the rules
 * that decide whether a row is imported, flagged or skipped. */

G_DEFINE_QUARK (rs-master-error-quark, rs_master_error)

static const struct {
  const char *synonym;
  const char *canonical;
} synonyms[] = {
  { "email", "email_address" },
  { "mail", "email_address" },
  { "emailaddress", "email_address" },
  { "e_mail", "email_address" },
  { "company", "company_name" },
  { "organisation", "company_name" },
  { "organization", "company_name" },
  { "companyname", "company_name" },
  { "respondent", "name" },
  { "participant", "name" },
  { "full_name", "name" },
  { "fullname", "name" },
  { "date", "submitdate" },
  { "timestamp", "submitdate" },
  { "submit_date", "submitdate" },
  { "role", "function" },
  { "job_title", "function" },
  { "position", "function" },
};

/* Values that stand for "nobody" in a name or company column. */
static const char *placeholders[] = { "", "-", "?", "n/a", "na", "nan", "unknown", "none" };

/**
 * rs_master_normalize_name:
 *
 * Normalises one header name the way the survey's tooling does: lower case,
 * spaces to `_`, `- : ( ) [ ]` and every other character that is not a
 * letter, digit or `_` deleted, and `col_` before a leading digit.
 */
char *
rs_master_normalize_name (const char *raw)
{
  g_autofree char *lower = NULL;
  GString *name;

  g_return_val_if_fail (raw != NULL, NULL);

  lower = g_utf8_strdown (raw, -1);
  name = g_string_sized_new (strlen (lower));

  for (const char *p = g_strstrip (lower); *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == ' ')
        g_string_append_c (name, '_');
      else if (c == '_' || g_unichar_isalnum (c))
        g_string_append_unichar (name, c);
    }

  if (name->len > 0 && g_ascii_isdigit (name->str[0]))
    g_string_prepend (name, "col_");

  return g_string_free (name, FALSE);
}

static int
find_column (char       **names,
             guint        n,
             const char  *wanted)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (names[i], wanted) == 0)
      return (int) i;

  return -1;
}

/**
 * rs_master_columns_new:
 *
 * Finds the columns of a master file from its header line. Fails, naming
 * what is missing and what was found, when company, name or e-mail address
 * cannot be found.
 */
RsMasterColumns *
rs_master_columns_new (const char * const  *header,
                       guint                n_fields,
                       GError             **error)
{
  g_autoptr(RsMasterColumns) columns = g_new0 (RsMasterColumns, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();

  columns->n_columns = n_fields;
  columns->names = g_new0 (char *, n_fields + 1);

  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *name = rs_master_normalize_name (header[i]);
      guint repeats = GPOINTER_TO_UINT (g_hash_table_lookup (seen, name));

      g_hash_table_insert (seen, g_strdup (name), GUINT_TO_POINTER (repeats + 1));
      if (repeats > 0)
        columns->names[i] = g_strdup_printf ("%s_%u", name, repeats);
      else
        columns->names[i] = g_steal_pointer (&name);
    }

  /* A synonym counts only where its canonical column is absent. */
  for (guint s = 0; s < G_N_ELEMENTS (synonyms); s++)
    {
      int at;

      if (find_column (columns->names, n_fields, synonyms[s].canonical) >= 0)
        continue;
      at = find_column (columns->names, n_fields, synonyms[s].synonym);
      if (at >= 0)
        {
          g_free (columns->names[at]);
          columns->names[at] = g_strdup (synonyms[s].canonical);
        }
    }

  columns->company = find_column (columns->names, n_fields, "company_name");
  columns->person = find_column (columns->names, n_fields, "name");
  columns->email = find_column (columns->names, n_fields, "email_address");
  columns->function = find_column (columns->names, n_fields, "function");
  columns->submitted_at = find_column (columns->names, n_fields, "submitdate");
  columns->report_sent = find_column (columns->names, n_fields, "reportsent");
  columns->version = find_column (columns->names, n_fields, "version");
  columns->language = find_column (columns->names, n_fields, "language");
  columns->sector = find_column (columns->names, n_fields, "sector");
  for (guint i = 0; i < RS_N_SCORES; i++)
    columns->scores[i] = find_column (columns->names, n_fields, rs_scores_column_name (i));

  if (columns->company < 0)
    g_ptr_array_add (missing, (gpointer) "company_name");
  if (columns->person < 0)
    g_ptr_array_add (missing, (gpointer) "name");
  if (columns->email < 0)
    g_ptr_array_add (missing, (gpointer) "email_address");

  if (missing->len > 0)
    {
      g_autofree char *missing_list = NULL;
      g_autoptr(GString) found = g_string_new (NULL);

      g_ptr_array_add (missing, NULL);
      missing_list = g_strjoinv (", ", (char **) missing->pdata);
      for (guint i = 0; i < n_fields && i < 30; i++)
        g_string_append_printf (found, "%s“%s”", i ? ", " : "", header[i]);
      if (n_fields > 30)
        g_string_append (found, ", …");

      g_set_error (error, RS_MASTER_ERROR, RS_MASTER_ERROR_MISSING_COLUMNS,
                   _("This is not a master file: the required column(s) %s are missing. "
                     "The header line has: %s"),
                   missing_list, found->len ? found->str : _("nothing"));
      return NULL;
    }

  return g_steal_pointer (&columns);
}

void
rs_master_columns_free (RsMasterColumns *columns)
{
  if (columns == NULL)
    return;

  g_strfreev (columns->names);
  g_free (columns);
}

/* Whether @text is ASCII that clean_text() leaves as it is: printable, with
 * single spaces between words only. */
static gboolean
is_clean_ascii (const char *text,
                gsize       len)
{
  if (len == 0)
    return TRUE;
  if (text[0] == ' ' || text[len - 1] == ' ')
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];

      if (c > ' ' && c < 0x80)
        continue;
      /* Not the first, which is no space */
      if (c == ' ' && text[i - 1] != ' ')
        continue;
      return FALSE;
    }

  return TRUE;
}

/* Trims, and folds every run of white space (tabs and line breaks included)
 * into one space. Most fields are ASCII, so bytes are copied as they are
 * and only the others are decoded. */
static char *
clean_text (const char *text)
{
  gsize len;
  char *clean;
  const char *p;
  const char *end;
  gsize out = 0;
  gboolean space = FALSE;

  if (text == NULL)
    return g_strdup ("");

  len = strlen (text);
  clean = g_malloc (len + 1);
  if (is_clean_ascii (text, len))
    {
      memcpy (clean, text, len + 1);
      return clean;
    }
  p = text;
  end = text + len;

  while (p < end)
    {
      guchar c = (guchar) *p;
      const char *next;

      if (c < 0x80)
        {
          if (g_ascii_isspace (c))
            {
              space = out > 0;
              p++;
              continue;
            }
          if (space)
            clean[out++] = ' ';
          space = FALSE;
          clean[out++] = (char) c;
          p++;
          continue;
        }

      next = g_utf8_next_char (p);
      if (next > end)
        next = end;
      if (g_unichar_isspace (g_utf8_get_char (p)))
        {
          space = out > 0;
          p = next;
          continue;
        }
      if (space)
        clean[out++] = ' ';
      space = FALSE;
      while (p < next)
        clean[out++] = *p++;
    }

  clean[out] = '\0';
  return clean;
}

static gboolean
is_placeholder (const char *clean)
{
  for (guint i = 0; i < G_N_ELEMENTS (placeholders); i++)
    if (g_ascii_strcasecmp (clean, placeholders[i]) == 0)
      return TRUE;

  return FALSE;
}

/* Whether @text is missing or white space only */
static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;

  return *text == '\0';
}

static const char *
field (const char * const *fields,
       guint               n_fields,
       int                 column)
{
  if (column < 0 || (guint) column >= n_fields)
    return NULL;

  return fields[column];
}

/* Whether clean_text (@text) is @word, ignoring ASCII case; @word is ASCII
 * without white space. Asked of a few columns of every row, so it does not
 * allocate unless @text has other than ASCII in it. */
static gboolean
clean_text_is (const char *text,
               const char *word)
{
  const char *start;
  const char *end;

  if (text == NULL)
    return word[0] == '\0';

  for (const char *p = text; *p; p++)
    if ((guchar) *p >= 0x80)
      {
        g_autofree char *clean = clean_text (text);

        return g_ascii_strcasecmp (clean, word) == 0;
      }

  start = text;
  while (g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  return (gsize) (end - start) == strlen (word) &&
         g_ascii_strncasecmp (start, word, end - start) == 0;
}

static gboolean
is_true (const char *text)
{
  /* "1.0" is how a spreadsheet that took the column for numbers writes 1. */
  return clean_text_is (text, "true") ||
         clean_text_is (text, "yes") ||
         clean_text_is (text, "1") ||
         clean_text_is (text, "1.0") ||
         clean_text_is (text, "ja");
}

/**
 * rs_master_email_canonical:
 *
 * @email as it is sent and stored: in Unicode normal form C, with an
 * international domain in its ASCII form (bücher.example becomes
 * xn--bcher-kva.example), so that one mailbox has one spelling. An
 * address that is ASCII already is returned as it is.
 *
 * Returns: (transfer full): the address
 */
char *
rs_master_email_canonical (const char *email)
{
  g_autofree char *nfc = NULL;
  g_autofree char *ascii = NULL;
  const char *at;

  g_return_val_if_fail (email != NULL, NULL);

  if (g_str_is_ascii (email) || !g_utf8_validate (email, -1, NULL))
    return g_strdup (email);

  nfc = g_utf8_normalize (email, -1, G_NORMALIZE_NFC);
  if (nfc == NULL)
    return g_strdup (email);
  at = strrchr (nfc, '@');
  if (at == NULL || g_str_is_ascii (at + 1) || g_str_has_suffix (at + 1, "."))
    return g_steal_pointer (&nfc);

  ascii = g_hostname_to_ascii (at + 1);
  if (ascii == NULL)
    return g_steal_pointer (&nfc);

  return g_strdup_printf ("%.*s@%s", (int) (at - nfc), nfc, ascii);
}

/**
 * rs_master_email_key:
 *
 * What two spellings of one mailbox have in common: the canonical address
 * (rs_master_email_canonical()) without blanks around it, case folded, so
 * Anna@EXAMPLE.COM, ZOË@example.org, zoë in either normal form and
 * piet@BÜCHER.example are each one address with their other spellings.
 *
 * Returns: (transfer full): the key
 */
char *
rs_master_email_key (const char *email)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *canonical = NULL;

  g_return_val_if_fail (email != NULL, NULL);

  trimmed = g_strstrip (g_strdup (email));
  canonical = rs_master_email_canonical (trimmed);
  if (g_str_is_ascii (canonical) || !g_utf8_validate (canonical, -1, NULL))
    return g_ascii_strdown (canonical, -1);

  {
    g_autofree char *folded = g_utf8_casefold (canonical, -1);

    return g_utf8_normalize (folded, -1, G_NORMALIZE_NFC);
  }
}

/**
 * rs_master_email_is_valid:
 *
 * Whether @email is a plausible single address: one `@`, a local part and a
 * dotted domain of the usual characters, no spaces.
 */
gboolean
rs_master_email_is_valid (const char *email)
{
  g_autofree char *ascii_domain = NULL;
  const char *at;
  const char *domain;
  const char *last_dot;
  gsize local_len;

  if (email == NULL || *email == '\0' || strlen (email) > 254 || !g_utf8_validate (email, -1, NULL))
    return FALSE;

  at = strchr (email, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    return FALSE;

  local_len = at - email;
  if (local_len == 0 || local_len > 64 || email[0] == '.' || at[-1] == '.')
    return FALSE;

  /* Letters beyond ASCII before the @ (RFC 6531) go to servers that offer
   * SMTPUTF8; the mailer says so for those that do not. */
  for (const char *p = email; p < at; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x80)
        {
          if (!g_unichar_isalnum (c) && !g_unichar_ismark (c))
            return FALSE;
        }
      else if (!g_ascii_isalnum (*p) && strchr (".!#$%&'*+/=?^_`{|}~-", *p) == NULL)
        {
          return FALSE;
        }
    }

  if (at[1] == '\0' || at[1] == '.' || at[1] == '-' || strstr (email, "..") != NULL)
    return FALSE;

  /* A domain such as bücher.example is checked, and sent, in its ASCII
   * form (xn--bcher-kva.example). */
  domain = at + 1;
  if (g_str_has_suffix (domain, "."))
    return FALSE;
  if (!g_str_is_ascii (domain))
    {
      for (const char *p = domain; *p; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c >= 0x80 && !g_unichar_isalnum (c) && !g_unichar_ismark (c))
            return FALSE;
        }
      ascii_domain = g_hostname_to_ascii (domain);
      if (ascii_domain == NULL)
        return FALSE;
      domain = ascii_domain;
    }

  for (const char *p = domain; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;

  last_dot = strrchr (domain, '.');
  if (last_dot == NULL || strlen (last_dot + 1) < 2 || last_dot[-1] == '-' ||
      strstr (domain, "..") != NULL || domain[0] == '.' || domain[0] == '-')
    return FALSE;
  /* A label in ASCII form must be one (xn--zz is not). */
  if (strstr (domain, "xn--") != NULL || strstr (domain, "XN--") != NULL)
    {
      g_autofree char *unicode = g_hostname_to_unicode (domain);

      if (unicode == NULL || g_str_is_ascii (unicode))
        return FALSE;
    }

  /* A top-level domain is letters, or an international one in ASCII. */
  if (!g_str_has_prefix (last_dot + 1, "xn--"))
    for (const char *p = last_dot + 1; *p; p++)
      if (!g_ascii_isalpha (*p))
        return FALSE;

  return TRUE;
}

/* @clean as clean_text() left it. Most keys are ASCII, and the rest mostly
 * Latin-1 letters, which NFKC keeps as they are and case folding lowers by
 * 0x20, without changing their length: those are lowered into @out, which
 * has room for @len bytes. Returns FALSE for anything else, such as ß, ×,
 * ÷ and combining marks. */
static gboolean
put_key_part (char       *out,
              const char *clean,
              gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) clean[i];
      guchar next;

      if (c < 0x80)
        {
          out[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
          continue;
        }

      /* U+00C0 to U+00FF */
      if (c != 0xc3 || i + 1 == len)
        return FALSE;
      next = (guchar) clean[i + 1];
      if (next < 0x80 || next > 0xbf || next == 0x97 || next == 0x9f || next == 0xb7)
        return FALSE;
      out[i] = (char) c;
      out[i + 1] = (char) (next < 0xa0 ? next + 0x20 : next);
      i++;
    }

  return TRUE;
}

static void
append_key_part (GString    *key,
                 const char *clean,
                 gsize       len)
{
  g_autofree char *normal = NULL;
  g_autofree char *folded = NULL;
  gsize start = key->len;

  g_string_set_size (key, start + len);
  if (put_key_part (key->str + start, clean, len))
    return;

  g_string_truncate (key, start);
  normal = g_utf8_normalize (clean, len, G_NORMALIZE_NFKC);
  folded = g_utf8_casefold (normal ? normal : clean, -1);
  g_string_append (key, folded);
}

/**
 * rs_master_identity_key:
 *
 * Who a respondent is: trimmed, case-folded, white-space-collapsed company,
 * person and e-mail address.
 */
static char *
identity_key_of_clean (const char *company,
                       const char *person,
                       const char *email)
{
  gsize company_len = strlen (company);
  gsize person_len = strlen (person);
  gsize email_len = strlen (email);
  GString *key = g_string_sized_new (company_len + person_len + email_len + 3);

  append_key_part (key, company, company_len);
  g_string_append_c (key, '\x1f');
  append_key_part (key, person, person_len);
  g_string_append_c (key, '\x1f');
  append_key_part (key, email, email_len);

  return g_string_free (key, FALSE);
}

char *
rs_master_identity_key (const char *company,
                        const char *person,
                        const char *email)
{
  g_autofree char *clean_company = clean_text (company);
  g_autofree char *clean_person = clean_text (person);
  g_autofree char *clean_email = clean_text (email);

  if (!g_str_is_ascii (clean_email))
    {
      char *canonical = rs_master_email_canonical (clean_email);

      g_free (clean_email);
      clean_email = canonical;
    }

  return identity_key_of_clean (clean_company, clean_person, clean_email);
}

static const char *
detect_language (const RsMasterColumns *columns,
                 const char * const    *fields,
                 guint                  n_fields)
{
  const char *version = field (fields, n_fields, columns->version);
  const char *language = field (fields, n_fields, columns->language);

  if (version != NULL)
    {
      for (const char *p = strchr (version, '('); p != NULL; p = strchr (p + 1, '('))
        if (g_ascii_strncasecmp (p, "(nl)", 4) == 0)
          return "nl";
    }

  if (clean_text_is (language, "nl") ||
      clean_text_is (language, "dutch") ||
      clean_text_is (language, "nederlands"))
    return "nl";

  return "en";
}

/**
 * rs_master_read_report_sent:
 *
 * Returns: whether the row says its report was sent, as
 *   rs_master_read_row_identity() reads it
 */
gboolean
rs_master_read_report_sent (const RsMasterColumns *columns,
                            const char * const    *fields,
                            guint                  n_fields)
{
  g_return_val_if_fail (columns != NULL, FALSE);

  return is_true (field (fields, n_fields, columns->report_sent));
}

/**
 * rs_master_read_row_identity:
 * @row: (out caller-allocates): filled in for every kind of row but for
 *   what rs_master_read_row_details() reads; clear it with
 *   rs_master_row_clear()
 *
 * Reads who the row is about and whether it can be imported: enough to
 * match it with a stored respondent and to report its problems.
 *
 * Returns: as rs_master_read_row()
 */
RsMasterRowKind
rs_master_read_row_identity (const RsMasterColumns *columns,
                             const char * const    *fields,
                             guint                  n_fields,
                             RsMasterRow           *row)
{
  const char *sector;

  g_return_val_if_fail (columns != NULL, RS_MASTER_ROW_SKIPPED);
  g_return_val_if_fail (row != NULL, RS_MASTER_ROW_SKIPPED);

  memset (row, 0, sizeof *row);
  row->company = clean_text (field (fields, n_fields, columns->company));
  row->person = clean_text (field (fields, n_fields, columns->person));
  row->email = clean_text (field (fields, n_fields, columns->email));
  if (!g_str_is_ascii (row->email))
    {
      char *canonical = rs_master_email_canonical (row->email);

      if (strcmp (canonical, row->email) != 0)
        rs_master_row_add_change (row, columns->email, RS_MASTER_CHANGE_EMAIL_ASCII,
                                  row->email, canonical);
      g_free (row->email);
      row->email = canonical;
    }
  row->report_sent = rs_master_read_report_sent (columns, fields, n_fields);
  for (guint i = 0; i < RS_N_SCORES; i++)
    row->scores[i] = NAN;

  if (is_placeholder (row->company))
    {
      row->problem = g_strdup_printf (_("no company name (“%s”)"), row->company);
      return RS_MASTER_ROW_SKIPPED;
    }

  if (is_placeholder (row->person))
    {
      if (row->person[0] != '\0')
        rs_master_row_add_change (row, columns->person, RS_MASTER_CHANGE_PLACEHOLDER,
                                  row->person, "");
      row->person[0] = '\0';
    }

  row->identity_key = identity_key_of_clean (row->company, row->person, row->email);

  /* A test entry says so first, whatever else is wrong with it: the round's
   * figures and the peer benchmark leave out test entries by this problem. */
  sector = field (fields, n_fields, columns->sector);
  if (sector != NULL && clean_text_is (sector, "test"))
    {
      row->problem = g_strdup (_("a test entry (sector “TEST”)"));
      return RS_MASTER_ROW_FLAGGED;
    }

  if (!rs_master_email_is_valid (row->email))
    {
      if (row->email[0] == '\0')
        row->problem = g_strdup (_("no valid e-mail address (the e-mail address is empty)"));
      else
        row->problem = g_strdup_printf (_("no valid e-mail address (“%s”)"), row->email);
      return RS_MASTER_ROW_FLAGGED;
    }

  if (row->person[0] == '\0')
    {
      row->problem = g_strdup (_("no person name"));
      return RS_MASTER_ROW_FLAGGED;
    }

  return RS_MASTER_ROW_OK;
}

/**
 * rs_master_read_row_details:
 *
 * Reads the rest of a row that rs_master_read_row_identity() read:
 * function, date, language and scores.
 */
void
rs_master_read_row_details (const RsMasterColumns *columns,
                            const char * const    *fields,
                            guint                  n_fields,
                            RsMasterRow           *row)
{
  g_return_if_fail (columns != NULL);
  g_return_if_fail (row != NULL);

  g_free (row->function);
  row->function = clean_text (field (fields, n_fields, columns->function));
  if (is_placeholder (row->function))
    {
      if (row->function[0] != '\0')
        rs_master_row_add_change (row, columns->function, RS_MASTER_CHANGE_PLACEHOLDER,
                                  row->function, "");
      row->function[0] = '\0';
    }
  g_free (row->submitted_at);
  row->submitted_at = clean_text (field (fields, n_fields, columns->submitted_at));
  row->language = detect_language (columns, fields, n_fields);

  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      const char *text = field (fields, n_fields, columns->scores[i]);
      double value = rs_scores_parse_unclamped (text);

      row->scores[i] = rs_scores_clamp (value);
      if (G_LIKELY (row->scores[i] == value))
        continue;
      if (!isnan (value))
        rs_master_row_add_change (row, columns->scores[i],
                                  value > 5.0 ? RS_MASTER_CHANGE_ABOVE_RANGE
                                              : RS_MASTER_CHANGE_BELOW_RANGE,
                                  text, value > 5.0 ? "5" : "0");
      else if (!is_blank (text))
        {
          g_autofree char *clean = clean_text (text);

          if (!is_placeholder (clean))
            rs_master_row_add_change (row, columns->scores[i], RS_MASTER_CHANGE_NOT_A_NUMBER,
                                      text, NULL);
        }
    }
}

/**
 * rs_master_read_row:
 * @row: (out caller-allocates): filled in for every kind of row; clear it
 *   with rs_master_row_clear()
 *
 * Returns: whether the row is imported as it is, imported with a problem
 *   that keeps it from being sent (@row->problem says which), or skipped
 *   (@row->problem says why).
 */
RsMasterRowKind
rs_master_read_row (const RsMasterColumns *columns,
                    const char * const    *fields,
                    guint                  n_fields,
                    RsMasterRow           *row)
{
  RsMasterRowKind kind;

  g_return_val_if_fail (columns != NULL, RS_MASTER_ROW_SKIPPED);
  g_return_val_if_fail (row != NULL, RS_MASTER_ROW_SKIPPED);

  kind = rs_master_read_row_identity (columns, fields, n_fields, row);
  rs_master_read_row_details (columns, fields, n_fields, row);

  return kind;
}

void
rs_master_row_clear (RsMasterRow *row)
{
  g_clear_pointer (&row->company, g_free);
  g_clear_pointer (&row->person, g_free);
  g_clear_pointer (&row->email, g_free);
  g_clear_pointer (&row->function, g_free);
  g_clear_pointer (&row->submitted_at, g_free);
  g_clear_pointer (&row->problem, g_free);
  g_clear_pointer (&row->identity_key, g_free);
  g_clear_pointer (&row->changes, g_array_unref);
}

static void
change_clear (gpointer data)
{
  RsMasterChange *change = data;

  g_free (change->value);
  g_free (change->used);
}

/**
 * rs_master_row_add_change:
 * @value: the text in the file
 * @used: (nullable): what the import used instead; %NULL for missing
 *
 * Notes that the value in @column of the row is not used as the file has it.
 */
void
rs_master_row_add_change (RsMasterRow        *row,
                          int                 column,
                          RsMasterChangeKind  kind,
                          const char         *value,
                          const char         *used)
{
  RsMasterChange change = { column, kind, g_strdup (value ? value : ""), g_strdup (used) };

  g_return_if_fail (row != NULL);

  if (row->changes == NULL)
    {
      row->changes = g_array_sized_new (FALSE, FALSE, sizeof (RsMasterChange), 2);
      g_array_set_clear_func (row->changes, change_clear);
    }
  g_array_append_val (row->changes, change);
}

static const char *change_kind_names[RS_MASTER_N_CHANGE_KINDS] = {
  [RS_MASTER_CHANGE_ABOVE_RANGE] = "above-range",
  [RS_MASTER_CHANGE_BELOW_RANGE] = "below-range",
  [RS_MASTER_CHANGE_NOT_A_NUMBER] = "not-a-number",
  [RS_MASTER_CHANGE_PLACEHOLDER] = "placeholder",
  [RS_MASTER_CHANGE_EMAIL_ASCII] = "email-ascii",
  [RS_MASTER_CHANGE_RECODED] = "recoded",
  [RS_MASTER_CHANGE_FORMULA] = "formula-without-value",
  [RS_MASTER_CHANGE_ERROR_VALUE] = "error-value",
};

/* The kind's name in the database; not translated. */
const char *
rs_master_change_kind_to_string (RsMasterChangeKind kind)
{
  g_return_val_if_fail (kind < RS_MASTER_N_CHANGE_KINDS, NULL);

  return change_kind_names[kind];
}

gboolean
rs_master_change_kind_from_string (const char         *text,
                                   RsMasterChangeKind *kind)
{
  for (guint i = 0; i < RS_MASTER_N_CHANGE_KINDS; i++)
    if (g_strcmp0 (text, change_kind_names[i]) == 0)
      {
        *kind = i;
        return TRUE;
      }

  return FALSE;
}

/**
 * rs_master_change_kind_describe:
 *
 * Returns: what the import did with a value of this kind, translated, as
 *   a heading: such as “above 5, clamped to 5”
 */
const char *
rs_master_change_kind_describe (RsMasterChangeKind kind)
{
  switch (kind)
    {
    case RS_MASTER_CHANGE_ABOVE_RANGE:
      return _("above 5, clamped to 5");
    case RS_MASTER_CHANGE_BELOW_RANGE:
      return _("below 0, clamped to 0");
    case RS_MASTER_CHANGE_NOT_A_NUMBER:
      return _("not a number, read as missing");
    case RS_MASTER_CHANGE_PLACEHOLDER:
      return _("placeholder (such as “n/a”) dropped");
    case RS_MASTER_CHANGE_EMAIL_ASCII:
      return _("international domain written in ASCII");
    case RS_MASTER_CHANGE_RECODED:
      return _("not UTF-8, decoded as Windows-1252");
    case RS_MASTER_CHANGE_FORMULA:
      return _("a formula without a calculated value: read as missing; open and save the "
               "workbook in Excel or LibreOffice");
    case RS_MASTER_CHANGE_ERROR_VALUE:
      return _("a formula’s error value (such as #N/A), read as missing");
    default:
      g_return_val_if_reached ("");
    }
}
