/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-companies"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-companies.h"
#include "rs-respondent.h"

/* A company is the set of names that fold alike (case and accents, as the
 * search does), or the names a person merged: company_merge maps each name,
 * folded, to the company it belongs to, so a merge holds for every import
 * that writes the name the same way. Proposals compare keys that also drop
 * punctuation, white space and legal forms; a proposal a person declined is
 * in company_apart, by the folded names of both companies. */

G_DEFINE_QUARK (rs-companies-error-quark, rs_companies_error)

/* Legal forms, as the words they become once punctuation is gone: "B.V."
 * is "b v", "BV" is "bv". Taken off the end of a name, one after the other
 * ("GmbH & Co. KG"), never the whole name. */
static const char *const legal_forms[] = {
  "b v", "bv", "n v", "nv", "v o f", "vof", "c v", "cv", "bvba", "sprl",
  "ltd", "limited", "plc", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation",
  "co", "gmbh", "mbh", "ag", "kg", "ug", "e v", "ev",
  "sa", "s a", "sas", "sarl", "srl", "spa", "s p a", "sl", "s l",
  "ab", "as", "a s", "asa", "aps", "oy", "oyj", "se", "pty", "bhd", "kk",
};

/* Dutch forms may come first too: "N.V. Nederlandsche …". */
static const char *const leading_forms[] = { "b v", "bv", "n v", "nv" };

static gboolean
tokens_end_with (GPtrArray  *tokens,
                 guint       start,
                 guint       end,
                 const char *form,
                 guint      *n_words)
{
  g_auto(GStrv) words = g_strsplit (form, " ", -1);
  guint n = g_strv_length (words);

  /* Never the whole name. */
  if (end - start <= n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (g_ptr_array_index (tokens, end - n + i), words[i]))
      return FALSE;

  *n_words = n;
  return TRUE;
}

static gboolean
tokens_start_with (GPtrArray  *tokens,
                   guint       start,
                   guint       end,
                   const char *form,
                   guint      *n_words)
{
  g_auto(GStrv) words = g_strsplit (form, " ", -1);
  guint n = g_strv_length (words);

  if (end - start <= n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (g_ptr_array_index (tokens, start + i), words[i]))
      return FALSE;

  *n_words = n;
  return TRUE;
}

/* Letters that case folding and accent removal leave as they are. */
static const char *
fold_letter (gunichar c)
{
  switch (c)
    {
    case 0x00E6: /* æ */
      return "ae";
    case 0x00F8: /* ø */
      return "o";
    case 0x0153: /* œ */
      return "oe";
    case 0x0142: /* ł */
      return "l";
    case 0x0111: /* đ */
    case 0x00F0: /* ð */
      return "d";
    case 0x00FE: /* þ */
      return "th";
    case 0x0131: /* ı */
      return "i";
    default:
      return NULL;
    }
}

/* The words of a name as keys compare them: case, accents and punctuation
 * folded away, legal forms left out. */
static GStrv
company_words (const char *name)
{
  g_autofree char *folded = rs_respondent_fold_for_search (name);
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) word = g_string_new (NULL);
  GStrvBuilder *builder;
  GStrv words;
  guint start = 0;
  guint end;
  gboolean found;

  for (const char *p = folded; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      const char *letters = c != 0 ? fold_letter (c) : NULL;

      if (letters != NULL)
        g_string_append (word, letters);
      else if (c != 0 && g_unichar_isalnum (c))
        g_string_append_unichar (word, c);
      else if (word->len > 0)
        {
          g_ptr_array_add (tokens, g_strndup (word->str, word->len));
          g_string_truncate (word, 0);
        }
      if (c == 0)
        break;
    }

  end = tokens->len;
  do
    {
      found = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (legal_forms) && !found; i++)
        {
          guint n;

          if (tokens_end_with (tokens, start, end, legal_forms[i], &n))
            {
              end -= n;
              found = TRUE;
            }
        }
    }
  while (found);

  for (guint i = 0; i < G_N_ELEMENTS (leading_forms); i++)
    {
      guint n;

      if (tokens_start_with (tokens, start, end, leading_forms[i], &n))
        {
          start += n;
          break;
        }
    }

  builder = g_strv_builder_new ();
  for (guint i = start; i < end; i++)
    g_strv_builder_add (builder, g_ptr_array_index (tokens, i));

  words = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return words;
}

/**
 * rs_company_key:
 *
 * The key under which names of one company meet: case, accents,
 * punctuation, white space and legal forms folded away, so that
 * "Acme B.V.", "ACME BV" and "Acme" are all "acme".
 *
 * Returns: (transfer full): the key; empty for a name without letters or digits
 */
char *
rs_company_key (const char *name)
{
  g_auto(GStrv) words = company_words (name);

  return g_strjoinv ("", words);
}

/**
 * rs_company_key_distance:
 * @limit: the largest distance of interest
 *
 * The edit distance of two keys, in characters: insertions, deletions,
 * substitutions and swaps of two neighbours, each counting one.
 *
 * Returns: the distance, or @limit + 1 when it is more than @limit
 */
guint
rs_company_key_distance (const char *a,
                         const char *b,
                         guint       limit)
{
  glong la, lb;
  g_autofree gunichar *sa = g_utf8_to_ucs4_fast (a, -1, &la);
  g_autofree gunichar *sb = g_utf8_to_ucs4_fast (b, -1, &lb);
  g_autofree guint *before = NULL;
  g_autofree guint *previous = NULL;
  g_autofree guint *current = NULL;
  guint result;

  if ((guint) ABS (la - lb) > limit)
    return limit + 1;

  before = g_new0 (guint, lb + 1);
  previous = g_new0 (guint, lb + 1);
  current = g_new0 (guint, lb + 1);
  for (glong j = 0; j <= lb; j++)
    previous[j] = j;

  for (glong i = 1; i <= la; i++)
    {
      guint row_min;
      guint *spare;

      current[0] = i;
      row_min = current[0];
      for (glong j = 1; j <= lb; j++)
        {
          guint cost = sa[i - 1] == sb[j - 1] ? 0 : 1;
          guint value = MIN (MIN (previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);

          if (i > 1 && j > 1 && sa[i - 1] == sb[j - 2] && sa[i - 2] == sb[j - 1])
            value = MIN (value, before[j - 2] + 1);
          current[j] = value;
          row_min = MIN (row_min, value);
        }
      if (row_min > limit)
        return limit + 1;

      spare = before;
      before = previous;
      previous = current;
      current = spare;
    }

  result = previous[lb];
  return MIN (result, limit + 1);
}

static char *
digits_of (const char *key)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = key; *p; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);

  return g_string_free (digits, FALSE);
}

/* How many edits a word may be from another, by the shorter one's length:
 * none below 5 letters ("ABC" and "ABD", "Maas" and "Waal" are two
 * companies), one up to 9, two from 10. */
static guint
word_limit (glong shorter)
{
  return shorter < 5 ? 0 : shorter < 10 ? 1 : 2;
}

/* The rule of rs_company_names_similar() on the words of two names. */
static gboolean
words_similar (const char * const *a,
               const char * const *b)
{
  g_autofree char *key_a = g_strjoinv ("", (GStrv) a);
  g_autofree char *key_b = g_strjoinv ("", (GStrv) b);
  g_autofree char *digits_a = digits_of (key_a);
  g_autofree char *digits_b = digits_of (key_b);
  guint total = 0;

  if (key_a[0] == '\0' || g_utf8_get_char (key_a) != g_utf8_get_char (key_b) ||
      !g_str_equal (digits_a, digits_b) ||
      g_strv_length ((GStrv) a) != g_strv_length ((GStrv) b))
    return FALSE;

  for (guint i = 0; a[i] != NULL; i++)
    {
      guint limit;
      guint distance;

      if (g_str_equal (a[i], b[i]))
        continue;
      limit = word_limit (MIN (g_utf8_strlen (a[i], -1), g_utf8_strlen (b[i], -1)));
      distance = rs_company_key_distance (a[i], b[i], limit);
      if (distance > limit)
        return FALSE;
      total += distance;
    }

  return total > 0 && total <= 2;
}

/**
 * rs_company_names_similar:
 *
 * Whether two names whose keys differ look like typing errors of one name:
 * word for word, a letter wrong, missing, added or two swapped in a word of
 * 5 letters or more, two in a word of 10 or more, two in all; with the same
 * first letter and the same digits ("Plant 1" and "Plant 2" stay apart).
 * Generic words they share ("International", "Logistics") make no two names
 * alike: "Waal Metaal" and "Waal Retail" are two companies.
 */
gboolean
rs_company_names_similar (const char *a,
                          const char *b)
{
  g_auto(GStrv) words_a = company_words (a);
  g_auto(GStrv) words_b = company_words (b);

  return words_similar ((const char * const *) words_a, (const char * const *) words_b);
}

/* The company map: each merged name, folded, to its company's name. */

/**
 * rs_company_map_load:
 *
 * Returns: (transfer full): the merges on record, read on @db
 */
GHashTable *
rs_company_map_load (sqlite3  *db,
                     GError  **error)
{
  g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT variant_key, company FROM company_merge", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_hash_table_insert (map, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&map);
}

/**
 * rs_company_map_group:
 *
 * Returns: (transfer full): the key that all names of @company's company
 *   share, for grouping
 */
char *
rs_company_map_group (GHashTable *map,
                      const char *company)
{
  g_autofree char *folded = rs_respondent_fold_for_search (company);
  const char *merged = map != NULL ? g_hash_table_lookup (map, folded) : NULL;

  if (merged == NULL)
    return g_steal_pointer (&folded);

  return rs_respondent_fold_for_search (merged);
}

/**
 * rs_company_map_name:
 *
 * Returns: (transfer none): the name reports give @company: the merged
 *   company's name, or @company itself
 */
const char *
rs_company_map_name (GHashTable *map,
                     const char *company)
{
  g_autofree char *folded = rs_respondent_fold_for_search (company);
  const char *merged = map != NULL ? g_hash_table_lookup (map, folded) : NULL;

  return merged != NULL ? merged : company;
}

static void
group_function (sqlite3_context  *context,
                int               argc,
                sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);

  sqlite3_result_text (context, rs_company_map_group (sqlite3_user_data (context),
                                                      text != NULL ? text : ""),
                       -1, g_free);
}

/**
 * rs_company_group_function_install:
 *
 * Gives @db the SQL function rs_company_group(NAME), the key of NAME's
 * company as rs_company_map_group() makes it, with the merges on record
 * now. Remove it with rs_company_group_function_remove() when done.
 */
gboolean
rs_company_group_function_install (sqlite3  *db,
                                   GError  **error)
{
  GHashTable *map = rs_company_map_load (db, error);

  if (map == NULL)
    return FALSE;

  if (sqlite3_create_function_v2 (db, "rs_company_group", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                  map, group_function, NULL, NULL,
                                  (void (*) (void *)) g_hash_table_unref) != SQLITE_OK)
    return rs_store_set_error_from_db (db, sqlite3_errcode (db), error);

  return TRUE;
}

void
rs_company_group_function_remove (sqlite3 *db)
{
  sqlite3_create_function_v2 (db, "rs_company_group", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL,
                              NULL);
}

/**
 * rs_company_count_groups:
 *
 * Returns: how many companies the respondents are from, as reports count
 *   them; 0 with @error set on failure
 */
guint
rs_company_count_groups (sqlite3  *db,
                         GError  **error)
{
  g_autoptr(GHashTable) map = rs_company_map_load (db, error);
  g_autoptr(GHashTable) groups = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (map == NULL)
    return 0;

  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rc = sqlite3_prepare_v2 (db, "SELECT company FROM respondent GROUP BY company", -1, &stmt,
                           NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_hash_table_add (groups,
                        rs_company_map_group (map, (const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return 0;
    }

  return g_hash_table_size (groups);
}

/* The companies and their proposals */

static void
variant_free (gpointer data)
{
  RsCompanyVariant *variant = data;

  g_free (variant->name);
  g_free (variant);
}

static void
company_free (gpointer data)
{
  RsCompany *company = data;

  g_free (company->name);
  g_ptr_array_unref (company->variants);
  g_free (company);
}

static gboolean
company_equal (const RsCompany *a,
               const RsCompany *b)
{
  if (g_strcmp0 (a->name, b->name) != 0 || a->merged != b->merged ||
      a->respondents != b->respondents || a->variants->len != b->variants->len)
    return FALSE;

  for (guint i = 0; i < a->variants->len; i++)
    {
      const RsCompanyVariant *va = g_ptr_array_index (a->variants, i);
      const RsCompanyVariant *vb = g_ptr_array_index (b->variants, i);

      if (g_strcmp0 (va->name, vb->name) != 0 || va->respondents != vb->respondents)
        return FALSE;
    }

  return TRUE;
}

/**
 * rs_companies_equal:
 *
 * Returns: whether @a and @b list the same companies, names and counts,
 *   and propose the same pairs for the same reasons
 */
gboolean
rs_companies_equal (const RsCompanies *a,
                    const RsCompanies *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->companies->len != b->companies->len || a->proposals->len != b->proposals->len)
    return FALSE;

  for (guint i = 0; i < a->companies->len; i++)
    if (!company_equal (g_ptr_array_index (a->companies, i), g_ptr_array_index (b->companies, i)))
      return FALSE;

  for (guint i = 0; i < a->proposals->len; i++)
    {
      const RsCompanyProposal *pa = g_ptr_array_index (a->proposals, i);
      const RsCompanyProposal *pb = g_ptr_array_index (b->proposals, i);

      if (pa->reason != pb->reason || !company_equal (pa->first, pb->first) ||
          !company_equal (pa->second, pb->second))
        return FALSE;
    }

  return TRUE;
}

void
rs_companies_free (RsCompanies *companies)
{
  if (companies == NULL)
    return;

  g_clear_pointer (&companies->proposals, g_ptr_array_unref);
  g_clear_pointer (&companies->companies, g_ptr_array_unref);
  g_free (companies);
}

static int
compare_names (const char *a,
               const char *b)
{
  g_autofree char *fa = rs_respondent_fold_for_search (a);
  g_autofree char *fb = rs_respondent_fold_for_search (b);
  int order = g_utf8_collate (fa, fb);

  return order != 0 ? order : strcmp (a, b);
}

static int
compare_variants (gconstpointer a,
                  gconstpointer b)
{
  const RsCompanyVariant *va = *(RsCompanyVariant **) a;
  const RsCompanyVariant *vb = *(RsCompanyVariant **) b;

  return compare_names (va->name, vb->name);
}

static int
compare_companies (gconstpointer a,
                   gconstpointer b)
{
  const RsCompany *ca = *(RsCompany **) a;
  const RsCompany *cb = *(RsCompany **) b;

  return compare_names (ca->name, cb->name);
}

static int
compare_proposals (gconstpointer a,
                   gconstpointer b)
{
  const RsCompanyProposal *pa = *(RsCompanyProposal **) a;
  const RsCompanyProposal *pb = *(RsCompanyProposal **) b;
  int order;

  if (pa->reason != pb->reason)
    return pa->reason == RS_COMPANY_SAME_KEY ? -1 : 1;
  order = compare_names (pa->first->name, pb->first->name);

  return order != 0 ? order : compare_names (pa->second->name, pb->second->name);
}

static char *
apart_key (const char *a,
           const char *b)
{
  g_autofree char *fa = rs_respondent_fold_for_search (a);
  g_autofree char *fb = rs_respondent_fold_for_search (b);

  return strcmp (fa, fb) < 0 ? g_strconcat (fa, "\t", fb, NULL) : g_strconcat (fb, "\t", fa, NULL);
}

typedef struct
{
  char *key;
  GStrv words;
  glong length;
  guint company;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->key);
  g_strfreev (entry->words);
  g_free (entry);
}

static int
compare_entries_by_length (gconstpointer a,
                           gconstpointer b)
{
  const Entry *ea = *(Entry **) a;
  const Entry *eb = *(Entry **) b;

  return ea->length < eb->length ? -1 : ea->length > eb->length ? 1 : 0;
}

static void
propose (RsCompanies     *self,
         GHashTable      *pairs,
         GHashTable      *apart,
         guint            i,
         guint            j,
         RsCompanyReason  reason)
{
  RsCompany *a;
  RsCompany *b;
  RsCompanyProposal *proposal;
  g_autofree char *key = NULL;
  guint64 pair;

  if (i == j)
    return;
  if (i > j)
    {
      guint swap = i;

      i = j;
      j = swap;
    }
  pair = ((guint64) i << 32) | j;
  if (g_hash_table_contains (pairs, &pair))
    return;

  a = g_ptr_array_index (self->companies, i);
  b = g_ptr_array_index (self->companies, j);
  key = apart_key (a->name, b->name);
  if (g_hash_table_contains (apart, key))
    return;

  g_hash_table_add (pairs, g_memdup2 (&pair, sizeof pair));
  proposal = g_new0 (RsCompanyProposal, 1);
  /* The bigger company first: merging keeps its name. */
  if (b->respondents > a->respondents)
    {
      proposal->first = b;
      proposal->second = a;
    }
  else
    {
      proposal->first = a;
      proposal->second = b;
    }
  proposal->reason = reason;
  g_ptr_array_add (self->proposals, proposal);
}

static void
find_proposals (RsCompanies *self,
                GHashTable  *apart)
{
  g_autoptr(GHashTable) pairs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) partitions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; i < self->companies->len; i++)
    {
      RsCompany *company = g_ptr_array_index (self->companies, i);
      g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (guint v = 0; v < company->variants->len; v++)
        {
          RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);
          GStrv words = company_words (variant->name);
          char *key = g_strjoinv ("", words);
          Entry *entry;

          if (key[0] == '\0' || g_hash_table_contains (seen, key))
            {
              g_free (key);
              g_strfreev (words);
              continue;
            }
          g_hash_table_add (seen, g_strdup (key));
          entry = g_new0 (Entry, 1);
          entry->key = key;
          entry->words = words;
          entry->length = g_utf8_strlen (key, -1);
          entry->company = i;
          g_ptr_array_add (entries, entry);
        }
    }

  /* The same key: one company written two ways. */
  for (guint e = 0; e < entries->len; e++)
    {
      Entry *entry = g_ptr_array_index (entries, e);
      GArray *companies = g_hash_table_lookup (by_key, entry->key);

      if (companies == NULL)
        {
          companies = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (by_key, entry->key, companies);
        }
      for (guint k = 0; k < companies->len; k++)
        propose (self, pairs, apart, g_array_index (companies, guint, k), entry->company,
                 RS_COMPANY_SAME_KEY);
      g_array_append_val (companies, entry->company);
    }

  /* Close names: only keys with the same first letter and digits can be,
   * and only those within two characters of length are compared. */
  for (guint e = 0; e < entries->len; e++)
    {
      Entry *entry = g_ptr_array_index (entries, e);
      g_autofree char *digits = NULL;
      char *partition;
      GPtrArray *members;
      char first[8] = { 0 };

      if (entry->length < 5)
        continue;
      digits = digits_of (entry->key);
      g_unichar_to_utf8 (g_utf8_get_char (entry->key), first);
      partition = g_strconcat (first, "\t", digits, NULL);
      members = g_hash_table_lookup (partitions, partition);
      if (members == NULL)
        {
          members = g_ptr_array_new ();
          g_hash_table_insert (partitions, partition, members);
        }
      else
        {
          g_free (partition);
        }
      g_ptr_array_add (members, entry);
    }

  g_hash_table_iter_init (&iter, partitions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *members = value;

      g_ptr_array_sort (members, compare_entries_by_length);
      for (guint a = 0; a < members->len; a++)
        {
          Entry *ea = g_ptr_array_index (members, a);

          for (guint b = a + 1; b < members->len; b++)
            {
              Entry *eb = g_ptr_array_index (members, b);

              if (eb->length - ea->length > 2)
                break;
              if (ea->company == eb->company || g_str_equal (ea->key, eb->key))
                continue;
              if (words_similar ((const char * const *) ea->words,
                                 (const char * const *) eb->words))
                propose (self, pairs, apart, ea->company, eb->company, RS_COMPANY_SIMILAR);
            }
        }
    }

  g_ptr_array_sort (self->proposals, compare_proposals);
}

static RsCompanies *
load_from_db (sqlite3  *db,
              GError  **error)
{
  g_autoptr(RsCompanies) self = g_new0 (RsCompanies, 1);
  g_autoptr(GHashTable) map = rs_company_map_load (db, error);
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GHashTable) apart = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (map == NULL)
    return NULL;

  self->companies = g_ptr_array_new_with_free_func (company_free);
  self->proposals = g_ptr_array_new_with_free_func (g_free);
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  apart = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  rc = sqlite3_prepare_v2 (db, "SELECT company, count(*) FROM respondent GROUP BY company", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        const char *name = (const char *) sqlite3_column_text (stmt, 0);
        g_autofree char *folded = rs_respondent_fold_for_search (name);
        const char *merged = g_hash_table_lookup (map, folded);
        g_autofree char *group = rs_company_map_group (map, name);
        RsCompany *company = g_hash_table_lookup (groups, group);
        RsCompanyVariant *variant;

        if (company == NULL)
          {
            company = g_new0 (RsCompany, 1);
            company->variants = g_ptr_array_new_with_free_func (variant_free);
            company->merged = merged != NULL;
            company->name = g_strdup (merged);
            g_hash_table_insert (groups, g_steal_pointer (&group), company);
            g_ptr_array_add (self->companies, company);
          }
        variant = g_new0 (RsCompanyVariant, 1);
        variant->name = g_strdup (name);
        variant->respondents = sqlite3_column_int (stmt, 1);
        company->respondents += variant->respondents;
        g_ptr_array_add (company->variants, variant);
      }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (db, "SELECT first_key, second_key FROM company_apart", -1, &stmt,
                           NULL);
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      g_hash_table_add (apart, g_strconcat ((const char *) sqlite3_column_text (stmt, 0), "\t",
                                            (const char *) sqlite3_column_text (stmt, 1), NULL));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  for (guint i = 0; i < self->companies->len; i++)
    {
      RsCompany *company = g_ptr_array_index (self->companies, i);

      g_ptr_array_sort (company->variants, compare_variants);
      if (company->name == NULL)
        {
          /* The name most respondents wrote; on a tie the first in order. */
          RsCompanyVariant *best = g_ptr_array_index (company->variants, 0);

          for (guint v = 1; v < company->variants->len; v++)
            {
              RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);

              if (variant->respondents > best->respondents)
                best = variant;
            }
          company->name = g_strdup (best->name);
        }
    }
  g_ptr_array_sort (self->companies, compare_companies);

  find_proposals (self, apart);

  return g_steal_pointer (&self);
}

/**
 * rs_companies_load:
 *
 * Reads every company with its names and respondents, and the proposals,
 * in one read transaction on the calling thread's connection.
 */
RsCompanies *
rs_companies_load (RsStore  *store,
                   GError  **error)
{
  RsCompanies *companies;
  sqlite3 *db;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL || !rs_store_exec (db, "BEGIN", error))
    return NULL;

  companies = load_from_db (db, error);
  rs_store_exec (db, companies != NULL ? "COMMIT" : "ROLLBACK", NULL);

  return companies;
}

/* What a person typed, folded as the names are. */
static char *
fold_trimmed (const char *name)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));

  return rs_respondent_fold_for_search (trimmed);
}

/**
 * rs_companies_find:
 *
 * Returns: (transfer none) (nullable): the company called @name, or with
 *   @name among its names; case and accents do not matter
 */
RsCompany *
rs_companies_find (RsCompanies *companies,
                   const char  *name)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (companies != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  folded = fold_trimmed (name);
  for (guint i = 0; i < companies->companies->len; i++)
    {
      RsCompany *company = g_ptr_array_index (companies->companies, i);
      g_autofree char *company_folded = rs_respondent_fold_for_search (company->name);

      if (g_str_equal (folded, company_folded))
        return company;
    }

  for (guint i = 0; i < companies->companies->len; i++)
    {
      RsCompany *company = g_ptr_array_index (companies->companies, i);

      for (guint v = 0; v < company->variants->len; v++)
        {
          RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);
          g_autofree char *variant_folded = rs_respondent_fold_for_search (variant->name);

          if (g_str_equal (folded, variant_folded))
            return company;
        }
    }

  return NULL;
}

/* "Acme B.V. (3), ACME BV (1)" */
char *
rs_company_describe_variants (const RsCompany *company)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (company != NULL, NULL);

  for (guint v = 0; v < company->variants->len; v++)
    {
      RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);

      if (v > 0)
        g_string_append (text, ", ");
      /* Translators: a company name as written, and how many respondents wrote it */
      g_string_append_printf (text, _("%s (%u)"), variant->name, variant->respondents);
    }

  return g_string_free (text, FALSE);
}

static gboolean
set_unknown_error (const char  *name,
                   GError     **error)
{
  g_set_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_UNKNOWN,
               _("No respondent is from a company called “%s”; nothing was changed. "
                 "“resiliencescan companies” lists the companies"), name);
  return FALSE;
}

static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* The company page of every respondent of @company changes. */
static gboolean
outdate_reports (sqlite3    *db,
                 RsCompany  *company,
                 GError    **error)
{
  for (guint v = 0; v < company->variants->len; v++)
    {
      RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);
      sqlite3_stmt *stmt = NULL;
      int rc;

      rc = sqlite3_prepare_v2 (db,
                               "UPDATE delivery SET report_source_hash = NULL"
                               " WHERE report_source_hash IS NOT NULL AND respondent_id IN"
                               " (SELECT id FROM respondent WHERE company = :company)",
                               -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        return rs_store_set_error_from_db (db, rc, error);
      sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":company"), variant->name,
                         -1, SQLITE_STATIC);
      if (!step_done (db, stmt, error))
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  const char *name;
  const char * const *others;
  char *result;
} MergeData;

static gboolean
merge_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  MergeData *data = user_data;
  g_autoptr(RsCompanies) companies = load_from_db (db, error);
  g_autoptr(GPtrArray) merging = g_ptr_array_new ();
  g_autofree char *folded = NULL;
  const char *target_name = NULL;
  RsCompany *target;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (companies == NULL)
    return FALSE;

  target = rs_companies_find (companies, data->name);
  if (target == NULL)
    return set_unknown_error (data->name, error);
  g_ptr_array_add (merging, target);

  /* The name as it is written in the file, whatever case was typed. */
  folded = fold_trimmed (data->name);
  for (guint v = 0; v < target->variants->len && target_name == NULL; v++)
    {
      RsCompanyVariant *variant = g_ptr_array_index (target->variants, v);
      g_autofree char *variant_folded = rs_respondent_fold_for_search (variant->name);

      if (g_str_equal (variant_folded, folded))
        target_name = variant->name;
    }
  if (target_name == NULL)
    target_name = target->name;

  for (guint i = 0; data->others[i] != NULL; i++)
    {
      RsCompany *other = rs_companies_find (companies, data->others[i]);

      if (other == NULL)
        return set_unknown_error (data->others[i], error);
      if (!g_ptr_array_find (merging, other, NULL))
        g_ptr_array_add (merging, other);
    }

  if (merging->len < 2)
    {
      g_set_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_SAME,
                   _("“%s” and “%s” are already one company; nothing was changed"),
                   data->name, data->others[0]);
      return FALSE;
    }

  for (guint i = 0; i < merging->len; i++)
    {
      RsCompany *company = g_ptr_array_index (merging, i);
      sqlite3_stmt *stmt = NULL;
      int rc;

      /* Names of a merged company that no import has now go along. */
      if (company->merged)
        {
          rc = sqlite3_prepare_v2 (db, "UPDATE company_merge SET company = :target, at = :at"
                                   " WHERE company = :company", -1, &stmt, NULL);
          if (rc != SQLITE_OK)
            return rs_store_set_error_from_db (db, rc, error);
          sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":target"), target_name,
                             -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":at"), now);
          sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":company"),
                             company->name, -1, SQLITE_TRANSIENT);
          if (!step_done (db, stmt, error))
            return FALSE;
        }

      for (guint v = 0; v < company->variants->len; v++)
        {
          RsCompanyVariant *variant = g_ptr_array_index (company->variants, v);
          g_autofree char *key = rs_respondent_fold_for_search (variant->name);

          rc = sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO company_merge"
                                   " (variant_key, variant, company, at)"
                                   " VALUES (:key, :variant, :company, :at)", -1, &stmt, NULL);
          if (rc != SQLITE_OK)
            return rs_store_set_error_from_db (db, rc, error);
          sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":key"), key, -1,
                             SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":variant"),
                             variant->name, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":company"), target_name,
                             -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":at"), now);
          if (!step_done (db, stmt, error))
            return FALSE;
        }

      if (!outdate_reports (db, company, error))
        return FALSE;
    }

  g_free (data->result);
  data->result = g_strdup (target_name);

  return TRUE;
}

/**
 * rs_company_merge:
 * @name: a company, or one of its names: the merged company is called so
 * @others: (array zero-terminated=1): the companies to merge into it
 *
 * Merges companies for good: every name of each of them, as the master
 * file writes it, belongs to @name from now on, in every import. The
 * reports of their respondents become outdated.
 *
 * Returns: (transfer full): the merged company's name, or %NULL with
 *   @error set (an unknown name: nothing changed)
 */
char *
rs_company_merge (RsStore            *store,
                  const char         *name,
                  const char * const *others,
                  GError            **error)
{
  MergeData data = { .name = name, .others = others };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (others != NULL && others[0] != NULL, NULL);

  if (!rs_store_write (store, merge_transaction, &data, error))
    {
      g_free (data.result);
      return NULL;
    }

  return data.result;
}

typedef struct
{
  const char *name;
  char *result;
} SplitData;

static gboolean
split_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  SplitData *data = user_data;
  g_autoptr(RsCompanies) companies = load_from_db (db, error);
  RsCompany *company;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (companies == NULL)
    return FALSE;

  company = rs_companies_find (companies, data->name);
  if (company == NULL)
    return set_unknown_error (data->name, error);
  if (!company->merged)
    {
      g_set_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_NOT_MERGED,
                   _("“%s” was not merged with other names, so there is nothing to split"),
                   data->name);
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (db, "DELETE FROM company_merge WHERE company = :company", -1, &stmt,
                           NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":company"), company->name, -1,
                     SQLITE_TRANSIENT);
  if (!step_done (db, stmt, error) || !outdate_reports (db, company, error))
    return FALSE;

  g_free (data->result);
  data->result = g_strdup (company->name);

  return TRUE;
}

/**
 * rs_company_split:
 * @name: a merged company, or one of its names
 *
 * Undoes a merge: each name is a company of its own again (names that
 * differ only in case or accents stay one). The reports of its respondents
 * become outdated.
 *
 * Returns: (transfer full): the name of the company that was split, or
 *   %NULL with @error set
 */
char *
rs_company_split (RsStore     *store,
                  const char  *name,
                  GError     **error)
{
  SplitData data = { .name = name };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!rs_store_write (store, split_transaction, &data, error))
    {
      g_free (data.result);
      return NULL;
    }

  return data.result;
}

typedef struct
{
  const char *name;
  const char *other;
} ApartData;

static gboolean
apart_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  ApartData *data = user_data;
  g_autoptr(RsCompanies) companies = load_from_db (db, error);
  g_autofree char *key = NULL;
  RsCompany *first;
  RsCompany *second;
  sqlite3_stmt *stmt = NULL;
  char *tab;
  int rc;

  if (companies == NULL)
    return FALSE;

  first = rs_companies_find (companies, data->name);
  if (first == NULL)
    return set_unknown_error (data->name, error);
  second = rs_companies_find (companies, data->other);
  if (second == NULL)
    return set_unknown_error (data->other, error);
  if (first == second)
    {
      g_autofree char *name_folded = fold_trimmed (data->name);
      g_autofree char *other_folded = fold_trimmed (data->other);

      if (g_str_equal (name_folded, other_folded))
        g_set_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_SAME,
                     _("“%s” and “%s” are the same company name: name two different companies "
                       "to keep apart"), data->name, data->other);
      else
        g_set_error (error, RS_COMPANIES_ERROR, RS_COMPANIES_ERROR_SAME,
                     _("“%s” and “%s” are one company; split it first"), data->name,
                     data->other);
      return FALSE;
    }

  key = apart_key (first->name, second->name);
  tab = strchr (key, '\t');
  *tab = '\0';
  rc = sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO company_apart (first_key, second_key, at)"
                           " VALUES (:first, :second, :at)", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":first"), key, -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":second"), tab + 1, -1,
                     SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":at"),
                      g_get_real_time () / G_USEC_PER_SEC);

  return step_done (db, stmt, error);
}

/**
 * rs_company_keep_apart:
 *
 * Records that @name and @other are two companies: they are not proposed
 * as one again, in any import that writes them so.
 */
gboolean
rs_company_keep_apart (RsStore     *store,
                       const char  *name,
                       const char  *other,
                       GError     **error)
{
  ApartData data = { .name = name, .other = other };

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL && other != NULL, FALSE);

  return rs_store_write (store, apart_transaction, &data, error);
}
