/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import-record"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-companies.h"
#include "rs-import-private.h"
#include "rs-master.h"
#include "rs-scores.h"
#include "rs-store-private.h"

/* The data-quality summary an import keeps of the database it leaves:
 * written last in its transaction, read back with its record, and put in
 * words. */

/* Companies with one respondent named in the summary */
#define SINGLE_COMPANIES_NAMED 10
#define WORST_MISSING 5

static const char *quality_kind_names[RS_IMPORT_QUALITY_N_KINDS] = {
  [RS_IMPORT_QUALITY_RESPONDENTS] = "respondents",
  [RS_IMPORT_QUALITY_MISSING] = "missing",
  [RS_IMPORT_QUALITY_SPARSE] = "sparse",
  [RS_IMPORT_QUALITY_SINGLE_COMPANIES] = "single-companies",
  [RS_IMPORT_QUALITY_SINGLE_COMPANY] = "single-company",
  [RS_IMPORT_QUALITY_OUT_OF_RANGE] = "out-of-range",
  [RS_IMPORT_QUALITY_NOT_A_NUMBER] = "not-a-number",
  [RS_IMPORT_QUALITY_FLAGGED] = "flagged",
};

void
rs_import_quality_item_free (gpointer data)
{
  RsImportQualityItem *item = data;

  if (item == NULL)
    return;

  g_free (item->label);
  g_free (item);
}

static RsImportQualityItem *
quality_item_new (RsImportQualityKind  kind,
                  const char          *label,
                  guint                count,
                  guint                total)
{
  RsImportQualityItem *item = g_new0 (RsImportQualityItem, 1);

  item->kind = kind;
  item->label = g_strdup (label ? label : "");
  item->count = count;
  item->total = total;

  return item;
}

typedef struct
{
  guint index;
  guint missing;
} Missing;

static int
compare_missing (gconstpointer a,
                 gconstpointer b)
{
  const Missing *ma = a;
  const Missing *mb = b;

  /* The most missing first; the columns in their order otherwise */
  if (ma->missing != mb->missing)
    return ma->missing > mb->missing ? -1 : 1;

  return (ma->index > mb->index) - (ma->index < mb->index);
}

typedef struct
{
  char *label;
  guint count;
} Reason;

static int
compare_reasons (gconstpointer a,
                 gconstpointer b)
{
  const Reason *ra = *(Reason * const *) a;
  const Reason *rb = *(Reason * const *) b;

  if (ra->count != rb->count)
    return ra->count > rb->count ? -1 : 1;

  return g_strcmp0 (ra->label, rb->label);
}

static void
reason_free (gpointer data)
{
  Reason *reason = data;

  g_free (reason->label);
  g_free (reason);
}

/* Why a respondent cannot be sent, in words that group: the address or
 * the name as they are now (a correction by hand counts), else the
 * problem the import gave. */
static const char *
flag_reason (const char *person,
             const char *email,
             const char *problem)
{
  if (!rs_master_email_is_valid (email))
    return _("no valid e-mail address");
  if (person == NULL || person[0] == '\0')
    return _("no person name");

  return problem;
}

typedef struct
{
  char *display;
  guint count;
} Company;

static void
company_free (gpointer data)
{
  Company *company = data;

  g_free (company->display);
  g_free (company);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

/* Counts the missing scores of every column and the respondents with more
 * than half of theirs missing, and how many respondents each spelling of
 * a company has: most names are spelt one way, so they are counted as they
 * are and folded once. */
static gboolean
count_respondents (sqlite3     *db,
                   GHashTable  *spellings,
                   Missing     *missing,
                   guint       *n,
                   guint       *sparse,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = rs_store_prepare (db, "SELECT company, " RS_STORE_SCORE_COLUMNS " FROM respondent",
                            error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < RS_N_SCORES; i++)
    missing[i] = (Missing) { i, 0 };
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *company = (const char *) sqlite3_column_text (stmt, 0);
      guint *count;
      guint row_missing = 0;

      (*n)++;
      for (guint i = 0; i < RS_N_SCORES; i++)
        if (sqlite3_column_type (stmt, 1 + i) == SQLITE_NULL)
          {
            missing[i].missing++;
            row_missing++;
          }
      if (row_missing * 2 > RS_N_SCORES)
        (*sparse)++;

      count = g_hash_table_lookup (spellings, company);
      if (count == NULL)
        {
          count = g_new0 (guint, 1);
          g_hash_table_insert (spellings, g_strdup (company), count);
        }
      (*count)++;
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* Returns: (transfer full): company group -> Company, the spellings grouped
 * as reports group them: the merges a person made count */
static GHashTable *
group_companies (sqlite3     *db,
                 GHashTable  *spellings,
                 GError     **error)
{
  g_autoptr(GHashTable) map = rs_company_map_load (db, error);
  GHashTable *companies;
  GHashTableIter iter;
  gpointer key;
  gpointer count;

  if (map == NULL)
    return NULL;

  companies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, company_free);
  g_hash_table_iter_init (&iter, spellings);
  while (g_hash_table_iter_next (&iter, &key, &count))
    {
      g_autofree char *group = rs_company_map_group (map, key);
      Company *entry = g_hash_table_lookup (companies, group);

      if (entry == NULL)
        {
          entry = g_new0 (Company, 1);
          entry->display = g_strdup (rs_company_map_name (map, key));
          g_hash_table_insert (companies, g_steal_pointer (&group), entry);
        }
      entry->count += *(guint *) count;
    }

  return companies;
}

/* Returns: (transfer full): the Reasons why respondents cannot be sent, in
 * the order they first come */
static GPtrArray *
count_reasons (sqlite3  *db,
               GError  **error)
{
  g_autoptr(GHashTable) reasons = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) reason_list = g_ptr_array_new_with_free_func (reason_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = rs_store_prepare (db, "SELECT person, email, problem FROM respondent"
                            " WHERE problem IS NOT NULL", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *label = flag_reason ((const char *) sqlite3_column_text (stmt, 0),
                                       (const char *) sqlite3_column_text (stmt, 1),
                                       (const char *) sqlite3_column_text (stmt, 2));
      Reason *reason = g_hash_table_lookup (reasons, label);

      if (reason == NULL)
        {
          reason = g_new0 (Reason, 1);
          reason->label = g_strdup (label);
          g_ptr_array_add (reason_list, reason);
          g_hash_table_insert (reasons, reason->label, reason);
        }
      reason->count++;
    }
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&reason_list);
}

/* How many companies have one respondent, and the first of them by name */
static void
add_single_companies (GPtrArray  *items,
                      GHashTable *companies)
{
  g_autoptr(GPtrArray) singles = g_ptr_array_new ();
  guint n_single = 0;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, companies);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Company *company = value;

      if (company->count == 1)
        {
          n_single++;
          g_ptr_array_add (singles, company->display);
        }
    }
  g_ptr_array_sort (singles, compare_strings);
  g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_SINGLE_COMPANIES, NULL, n_single,
                                            g_hash_table_size (companies)));
  for (guint i = 0; i < singles->len && i < SINGLE_COMPANIES_NAMED; i++)
    g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_SINGLE_COMPANY,
                                              g_ptr_array_index (singles, i), 1, 1));
}

/* The scores out of range or not numbers among the stored changes that are
 * in the data as it is now, by column */
static gboolean
add_score_changes (sqlite3    *db,
                   GPtrArray  *items,
                   guint       n,
                   GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = rs_store_prepare (db,
                            "SELECT c.column_name, c.kind = 'not-a-number', count (*)"
                            "  FROM import_change c"
                            "  JOIN respondent r ON r.id = c.respondent_id"
                            "   AND r.source_import = c.import_id AND r.source_line = c.line"
                            " WHERE c.kind IN ('above-range', 'below-range', 'not-a-number')"
                            " GROUP BY c.kind = 'not-a-number', c.column_index, c.column_name"
                            " ORDER BY c.kind = 'not-a-number', c.column_index",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items,
                     quality_item_new (sqlite3_column_int (stmt, 1)
                                         ? RS_IMPORT_QUALITY_NOT_A_NUMBER
                                         : RS_IMPORT_QUALITY_OUT_OF_RANGE,
                                       (const char *) sqlite3_column_text (stmt, 0),
                                       sqlite3_column_int (stmt, 2), n));
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* Aggregates of SQLite over the respondents, a pass over their companies
 * (grouped here as the reports group them, merges included) and one over the stored changes
 * that are in the data as it is now: those of the import and line each
 * respondent's data last came from. */
static GPtrArray *
compute_quality (sqlite3  *db,
                 GError  **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (rs_import_quality_item_free);
  g_autoptr(GHashTable) spellings = NULL;
  g_autoptr(GHashTable) companies = NULL;
  g_autoptr(GPtrArray) reason_list = NULL;
  Missing missing[RS_N_SCORES];
  guint n = 0;
  guint sparse = 0;

  spellings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!count_respondents (db, spellings, missing, &n, &sparse, error))
    return NULL;
  companies = group_companies (db, spellings, error);
  if (companies == NULL)
    return NULL;
  reason_list = count_reasons (db, error);
  if (reason_list == NULL)
    return NULL;

  g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_RESPONDENTS, NULL, n, n));

  qsort (missing, RS_N_SCORES, sizeof missing[0], compare_missing);
  for (guint i = 0; i < WORST_MISSING && missing[i].missing > 0; i++)
    g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_MISSING,
                                              rs_scores_column_name (missing[i].index),
                                              missing[i].missing, n));

  g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_SPARSE, NULL, sparse, n));

  add_single_companies (items, companies);

  if (!add_score_changes (db, items, n, error))
    return NULL;

  g_ptr_array_sort (reason_list, compare_reasons);
  for (guint i = 0; i < reason_list->len; i++)
    {
      Reason *reason = g_ptr_array_index (reason_list, i);

      g_ptr_array_add (items, quality_item_new (RS_IMPORT_QUALITY_FLAGGED, reason->label,
                                                reason->count, n));
    }

  return g_steal_pointer (&items);
}

gboolean
rs_import_quality_write (sqlite3          *db,
                         RsImportSummary  *summary,
                         GError          **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;

  g_return_val_if_fail (summary->import_id > 0, FALSE);

  items = compute_quality (db, error);
  if (items == NULL)
    return FALSE;

  insert = rs_store_prepare (db,
                              "INSERT INTO import_quality (import_id, position, kind, label,"
                              " count, total)"
                              " VALUES (:import, :position, :kind, :label, :count, :total)",
                              error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      const RsImportQualityItem *item = g_ptr_array_index (items, i);

      rs_store_bind_int64 (insert, ":import", summary->import_id);
      rs_store_bind_int64 (insert, ":position", i);
      rs_store_bind_text (insert, ":kind", quality_kind_names[item->kind]);
      rs_store_bind_text (insert, ":label", item->label);
      rs_store_bind_int64 (insert, ":count", item->count);
      rs_store_bind_int64 (insert, ":total", item->total);
      if (!rs_store_step_done (db, insert, error))
        return FALSE;
    }

  g_clear_pointer (&summary->quality, g_ptr_array_unref);
  summary->quality = g_steal_pointer (&items);

  return TRUE;
}

gboolean
rs_import_quality_load (sqlite3          *db,
                        RsImportSummary  *summary,
                        GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (rs_import_quality_item_free);
  int rc;

  stmt = rs_store_prepare (db, "SELECT kind, label, count, total FROM import_quality"
                            " WHERE import_id = :import ORDER BY position", error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":import", summary->import_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int kind = rs_import_find_name (quality_kind_names, G_N_ELEMENTS (quality_kind_names),
                                      (const char *) sqlite3_column_text (stmt, 0));

      if (kind < 0)
        continue;
      g_ptr_array_add (items, quality_item_new (kind,
                                                (const char *) sqlite3_column_text (stmt, 1),
                                                sqlite3_column_int (stmt, 2),
                                                sqlite3_column_int (stmt, 3)));
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  /* An import made before summaries were kept has none. */
  if (items->len > 0)
    summary->quality = g_steal_pointer (&items);

  return TRUE;
}

/* g_strv_builder_take() is newer than GLib 2.74 */
static void
add_take (GStrvBuilder *builder,
          char         *line)
{
  g_strv_builder_add (builder, line);
  g_free (line);
}

const RsImportQualityItem *
rs_import_quality_find (const RsImportSummary *summary,
                        RsImportQualityKind    kind,
                        const char            *label)
{
  g_return_val_if_fail (summary != NULL, NULL);

  if (summary->quality == NULL)
    return NULL;

  for (guint i = 0; i < summary->quality->len; i++)
    {
      const RsImportQualityItem *item = g_ptr_array_index (summary->quality, i);

      if (item->kind == kind && (label == NULL || g_strcmp0 (item->label, label) == 0))
        return item;
    }

  return NULL;
}

static double
percent (guint count,
         guint total)
{
  return total > 0 ? 100.0 * count / total : 0.0;
}

/**
 * rs_import_quality_describe:
 *
 * Returns: (transfer full): the data-quality summary in lines of text, the
 *   first of each part a heading; empty when the import has none
 */
GStrv
rs_import_quality_describe (const RsImportSummary *summary)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_autoptr(GString) singles = g_string_new (NULL);
  guint n_out = 0;
  guint n_nan = 0;
  guint n_flagged = 0;
  guint n_missing = 0;

  g_return_val_if_fail (summary != NULL, NULL);

  if (summary->quality == NULL)
    return g_strv_builder_end (lines);

  for (guint i = 0; i < summary->quality->len; i++)
    {
      const RsImportQualityItem *item = g_ptr_array_index (summary->quality, i);

      switch (item->kind)
        {
        case RS_IMPORT_QUALITY_RESPONDENTS:
          add_take (lines, g_strdup_printf (ngettext ("%u respondent in the database",
                                                                 "%u respondents in the database",
                                                                 item->count),
                                                       item->count));
          break;
        case RS_IMPORT_QUALITY_MISSING:
          if (n_missing++ == 0)
            g_strv_builder_add (lines, _("Missing scores, the worst columns:"));
          /* Translators: a score column, how many of how many are missing, and the share */
          add_take (lines, g_strdup_printf (_("  “%s”: %u of %u missing (%.1f %%)"),
                                                       item->label, item->count, item->total,
                                                       percent (item->count, item->total)));
          break;
        case RS_IMPORT_QUALITY_SPARSE:
          if (n_missing == 0)
            g_strv_builder_add (lines, _("No score is missing"));
          add_take (lines,
                               g_strdup_printf (ngettext ("%u respondent has more than half of "
                                                          "their scores missing",
                                                          "%u respondents have more than half "
                                                          "of their scores missing",
                                                          item->count),
                                                item->count));
          break;
        case RS_IMPORT_QUALITY_SINGLE_COMPANIES:
          /* Translators: how many companies of how many */
          add_take (lines,
                               g_strdup_printf (ngettext ("%u of %u companies has one respondent",
                                                          "%u of %u companies have one "
                                                          "respondent",
                                                          item->count),
                                                item->count, item->total));
          break;
        case RS_IMPORT_QUALITY_SINGLE_COMPANY:
          g_string_append_printf (singles, "%s%s", singles->len ? ", " : "  ", item->label);
          break;
        case RS_IMPORT_QUALITY_OUT_OF_RANGE:
          if (n_out++ == 0)
            g_strv_builder_add (lines, _("Scores out of range (0 to 5), clamped:"));
          add_take (lines, g_strdup_printf (ngettext ("  “%s”: %u value",
                                                                 "  “%s”: %u values",
                                                                 item->count),
                                                       item->label, item->count));
          break;
        case RS_IMPORT_QUALITY_NOT_A_NUMBER:
          if (n_nan++ == 0)
            g_strv_builder_add (lines, _("Scores that are not numbers, read as missing:"));
          add_take (lines, g_strdup_printf (ngettext ("  “%s”: %u value",
                                                                 "  “%s”: %u values",
                                                                 item->count),
                                                       item->label, item->count));
          break;
        case RS_IMPORT_QUALITY_FLAGGED:
        default:
          if (n_flagged++ == 0)
            g_strv_builder_add (lines, _("Cannot be sent, by reason:"));
          /* Translators: a reason, then how many respondents */
          add_take (lines, g_strdup_printf (_("  %s: %u"), item->label, item->count));
          break;
        }

      /* The names go under their count, before what follows */
      if (singles->len > 0 &&
          (i + 1 == summary->quality->len ||
           ((RsImportQualityItem *) summary->quality->pdata[i + 1])->kind !=
           RS_IMPORT_QUALITY_SINGLE_COMPANY))
        {
          const RsImportQualityItem *all =
            rs_import_quality_find (summary, RS_IMPORT_QUALITY_SINGLE_COMPANIES, NULL);

          if (all != NULL && all->count > SINGLE_COMPANIES_NAMED)
            g_string_append (singles, ", …");
          g_strv_builder_add (lines, singles->str);
          g_string_truncate (singles, 0);
        }
    }

  if (n_out == 0)
    g_strv_builder_add (lines, _("No score out of range"));
  if (n_flagged == 0)
    g_strv_builder_add (lines, _("Every respondent can be sent"));

  return g_strv_builder_end (lines);
}
