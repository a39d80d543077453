/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import-record"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-companies.h"
#include "rs-import-private.h"
#include "rs-store-private.h"

/* The record an import keeps of itself, so that its details can be read
 * again in a later session: the problems, every value it did not use as
 * the file had it (grouped by column and kind, only the first few of each
 * group in memory however big the file), and a data-quality summary of the
 * database after it. */

/* Lines a group names on one line of text */
#define LINES_NAMED 10

static const char *problem_kind_names[] = {
  [RS_IMPORT_PROBLEM_SKIPPED] = "skipped",
  [RS_IMPORT_PROBLEM_FLAGGED] = "flagged",
  [RS_IMPORT_PROBLEM_DUPLICATE] = "duplicate",
  [RS_IMPORT_PROBLEM_ENCODING] = "encoding",
  [RS_IMPORT_PROBLEM_RENAMED] = "renamed",
};

int
rs_import_find_name (const char * const *names,
                     guint               n_names,
                     const char         *name)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], name) == 0)
      return (int) i;

  return -1;
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static void
change_free (gpointer data)
{
  RsImportChange *change = data;

  g_free (change->value);
  g_free (change->used);
  g_free (change);
}

void
rs_import_change_group_free (gpointer data)
{
  RsImportChangeGroup *group = data;

  if (group == NULL)
    return;

  g_free (group->column);
  g_clear_pointer (&group->examples, g_ptr_array_unref);
  g_free (group);
}

static RsImportChangeGroup *
change_group_new (const char         *column,
                  guint               column_index,
                  RsMasterChangeKind  kind)
{
  RsImportChangeGroup *group = g_new0 (RsImportChangeGroup, 1);

  group->column = g_strdup (column);
  group->column_index = column_index;
  group->kind = kind;
  group->examples = g_ptr_array_new_with_free_func (change_free);

  return group;
}

static RsImportChange *
change_new (guint       line,
            gint64      respondent_id,
            const char *value,
            const char *used)
{
  RsImportChange *change = g_new0 (RsImportChange, 1);

  change->line = line;
  change->respondent_id = respondent_id;
  change->value = g_strdup (value ? value : "");
  change->used = g_strdup (used);

  return change;
}

struct _RsChangeLog
{
  sqlite3 *db;
  sqlite3_stmt *insert;
  gint64 import_id;
  GStrv header;
  guint n_header;
  /* (column index, kind) -> its group in the summary */
  GHashTable *groups;
};

RsChangeLog *
rs_change_log_new (sqlite3             *db,
                   gint64               import_id,
                   const char * const  *header,
                   guint                n_header,
                   GError             **error)
{
  g_autoptr(RsChangeLog) log = g_new0 (RsChangeLog, 1);

  log->db = db;
  log->import_id = import_id;
  log->header = g_new0 (char *, n_header + 1);
  for (guint i = 0; i < n_header; i++)
    log->header[i] = g_strdup (header[i]);
  log->n_header = n_header;
  log->groups = g_hash_table_new (g_int64_hash, g_int64_equal);
  log->insert = rs_store_prepare (db,
                                   "INSERT INTO import_change (import_id, line, column_index,"
                                   " column_name, kind, file_value, used_value, respondent_id)"
                                   " VALUES (:import, :line, :column_index, :column, :kind,"
                                   " :value, :used, :respondent)",
                                   error);
  if (log->insert == NULL)
    return NULL;

  return g_steal_pointer (&log);
}

void
rs_change_log_free (RsChangeLog *log)
{
  if (log == NULL)
    return;

  g_clear_pointer (&log->insert, sqlite3_finalize);
  g_strfreev (log->header);
  /* The keys are the groups' own: see rs_change_log_add() */
  g_hash_table_unref (log->groups);
  g_free (log);
}

typedef struct
{
  gint64 key;
  RsImportChangeGroup *group;
} GroupEntry;

gboolean
rs_change_log_add (RsChangeLog           *log,
                   RsImportSummary       *summary,
                   guint                  line,
                   gint64                 respondent_id,
                   const RsMasterChange  *change,
                   GError               **error)
{
  gint64 key = ((gint64) change->column << 8) | change->kind;
  GroupEntry *entry = g_hash_table_lookup (log->groups, &key);
  const char *column;
  sqlite3_stmt *stmt = log->insert;

  g_return_val_if_fail (change->column >= 0, FALSE);

  column = (guint) change->column < log->n_header ? log->header[change->column] : "";
  if (entry == NULL)
    {
      entry = g_new0 (GroupEntry, 1);
      entry->key = key;
      entry->group = change_group_new (column, change->column, change->kind);
      g_ptr_array_add (summary->change_groups, entry->group);
      g_hash_table_insert (log->groups, &entry->key, entry);
    }

  entry->group->count++;
  summary->changed++;
  if (entry->group->examples->len < RS_IMPORT_CHANGE_EXAMPLES)
    g_ptr_array_add (entry->group->examples,
                     change_new (line, respondent_id, change->value, change->used));

  rs_store_bind_int64 (stmt, ":import", log->import_id);
  rs_store_bind_int64 (stmt, ":line", line);
  rs_store_bind_int64 (stmt, ":column_index", change->column);
  rs_store_bind_text (stmt, ":column", column);
  rs_store_bind_text (stmt, ":kind", rs_master_change_kind_to_string (change->kind));
  rs_store_bind_text (stmt, ":value", change->value ? change->value : "");
  rs_store_bind_text (stmt, ":used", change->used);
  if (respondent_id > 0)
    rs_store_bind_int64 (stmt, ":respondent", respondent_id);
  else
    sqlite3_bind_null (stmt, sqlite3_bind_parameter_index (stmt, ":respondent"));

  return rs_store_step_done (log->db, stmt, error);
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const RsImportChangeGroup *ga = *(RsImportChangeGroup * const *) a;
  const RsImportChangeGroup *gb = *(RsImportChangeGroup * const *) b;

  if (ga->column_index != gb->column_index)
    return ga->column_index < gb->column_index ? -1 : 1;

  return (ga->kind > gb->kind) - (ga->kind < gb->kind);
}

static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  const RsImportChange *ca = *(RsImportChange * const *) a;
  const RsImportChange *cb = *(RsImportChange * const *) b;

  return (ca->line > cb->line) - (ca->line < cb->line);
}

void
rs_change_log_finish (RsChangeLog     *log,
                      RsImportSummary *summary)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, log->groups);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GroupEntry *entry = value;

      g_ptr_array_sort (entry->group->examples, compare_changes);
      g_hash_table_iter_steal (&iter);
      g_free (entry);
    }
  g_ptr_array_sort (summary->change_groups, compare_groups);
  for (guint i = 0; i < summary->change_groups->len; i++)
    ((RsImportChangeGroup *) summary->change_groups->pdata[i])->sheet_row =
      summary->sheet != NULL;
}

gboolean
rs_import_record_write (sqlite3          *db,
                        RsImportSummary  *summary,
                        GError          **error)
{
  g_autoptr(sqlite3_stmt) counts = NULL;
  g_autoptr(sqlite3_stmt) problem = NULL;

  counts = rs_store_prepare (db,
                              "UPDATE import_log SET duplicates = :duplicates,"
                              " marked_sent = :marked_sent,"
                              " renamed = :renamed, recoded = :recoded, changed = :changed,"
                              " sheet = :sheet WHERE id = :id",
                              error);
  if (counts == NULL)
    return FALSE;
  rs_store_bind_int64 (counts, ":id", summary->import_id);
  rs_store_bind_int64 (counts, ":duplicates", summary->duplicates);
  rs_store_bind_int64 (counts, ":marked_sent", summary->marked_sent);
  rs_store_bind_int64 (counts, ":renamed", summary->renamed);
  rs_store_bind_int64 (counts, ":recoded", summary->recoded);
  rs_store_bind_int64 (counts, ":changed", summary->changed);
  rs_store_bind_text (counts, ":sheet", summary->sheet);
  if (!rs_store_step_done (db, counts, error))
    return FALSE;

  if (summary->problems->len == 0)
    return TRUE;

  problem = rs_store_prepare (db,
                               "INSERT INTO import_problem (import_id, position, line, kind,"
                               " person, reason, respondent_id) VALUES (:import, :position,"
                               " :line, :kind, :person, :reason, :respondent)",
                               error);
  if (problem == NULL)
    return FALSE;

  for (guint i = 0; i < summary->problems->len; i++)
    {
      const RsImportProblem *p = g_ptr_array_index (summary->problems, i);

      rs_store_bind_int64 (problem, ":import", summary->import_id);
      rs_store_bind_int64 (problem, ":position", i);
      rs_store_bind_int64 (problem, ":line", p->line);
      rs_store_bind_text (problem, ":kind", problem_kind_names[p->kind]);
      rs_store_bind_text (problem, ":person", p->person ? p->person : "");
      rs_store_bind_text (problem, ":reason", p->reason ? p->reason : "");
      if (p->respondent_id > 0)
        rs_store_bind_int64 (problem, ":respondent", p->respondent_id);
      else
        sqlite3_bind_null (problem, sqlite3_bind_parameter_index (problem, ":respondent"));
      if (!rs_store_step_done (db, problem, error))
        return FALSE;
    }

  return TRUE;
}

/* Reading a record back */

static gboolean
load_problems (sqlite3          *db,
               RsImportSummary  *summary,
               GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = rs_store_prepare (db, "SELECT line, kind, person, reason, respondent_id"
                            " FROM import_problem WHERE import_id = :import ORDER BY position",
                            error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":import", summary->import_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RsImportProblem *problem = g_new0 (RsImportProblem, 1);
      int kind = rs_import_find_name (problem_kind_names, G_N_ELEMENTS (problem_kind_names),
                                      (const char *) sqlite3_column_text (stmt, 1));

      problem->line = sqlite3_column_int (stmt, 0);
      problem->kind = kind >= 0 ? (RsImportProblemKind) kind : RS_IMPORT_PROBLEM_FLAGGED;
      problem->person = column_text (stmt, 2);
      problem->reason = column_text (stmt, 3);
      problem->respondent_id = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (summary->problems, problem);
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
load_changes (sqlite3          *db,
              RsImportSummary  *summary,
              GError          **error)
{
  g_autoptr(sqlite3_stmt) groups = NULL;
  g_autoptr(sqlite3_stmt) examples = NULL;
  int rc;

  groups = rs_store_prepare (db, "SELECT column_index, min (column_name), kind, count (*)"
                              " FROM import_change WHERE import_id = :import"
                              " GROUP BY column_index, kind", error);
  examples = rs_store_prepare (db, "SELECT line, respondent_id, file_value, used_value"
                                " FROM import_change WHERE import_id = :import"
                                " AND column_index = :column_index AND kind = :kind"
                                " ORDER BY line LIMIT " G_STRINGIFY (RS_IMPORT_CHANGE_EXAMPLES),
                                error);
  if (groups == NULL || examples == NULL)
    return FALSE;

  rs_store_bind_int64 (groups, ":import", summary->import_id);
  while ((rc = sqlite3_step (groups)) == SQLITE_ROW)
    {
      RsMasterChangeKind kind;
      RsImportChangeGroup *group;
      const char *kind_name = (const char *) sqlite3_column_text (groups, 2);

      if (!rs_master_change_kind_from_string (kind_name, &kind))
        continue;
      group = change_group_new ((const char *) sqlite3_column_text (groups, 1),
                                sqlite3_column_int (groups, 0), kind);
      group->count = sqlite3_column_int (groups, 3);
      g_ptr_array_add (summary->change_groups, group);

      rs_store_bind_int64 (examples, ":import", summary->import_id);
      rs_store_bind_int64 (examples, ":column_index", group->column_index);
      rs_store_bind_text (examples, ":kind", kind_name);
      while ((rc = sqlite3_step (examples)) == SQLITE_ROW)
        g_ptr_array_add (group->examples,
                         change_new (sqlite3_column_int (examples, 0),
                                     sqlite3_column_int64 (examples, 1),
                                     (const char *) sqlite3_column_text (examples, 2),
                                     (const char *) sqlite3_column_text (examples, 3)));
      sqlite3_reset (examples);
      if (rc != SQLITE_DONE)
        return rs_store_set_error_from_db (db, rc, error);
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  g_ptr_array_sort (summary->change_groups, compare_groups);

  return TRUE;
}

/* The columns of import_log that read_log_row() reads */
#define LOG_SELECT \
  "SELECT id, at, file, added, updated, unchanged, skipped, flagged," \
  " coalesce (duplicates, 0), coalesce (marked_sent, 0), coalesce (renamed, 0)," \
  " coalesce (recoded, 0), coalesce (changed, 0), sheet FROM import_log"

/* A row of import_log as LOG_SELECT selects it */
static RsImportSummary *
read_log_row (sqlite3_stmt *stmt)
{
  RsImportSummary *summary = rs_import_summary_new ((const char *) sqlite3_column_text (stmt, 2));

  summary->import_id = sqlite3_column_int64 (stmt, 0);
  summary->at = sqlite3_column_int64 (stmt, 1);
  summary->added = sqlite3_column_int (stmt, 3);
  summary->updated = sqlite3_column_int (stmt, 4);
  summary->unchanged = sqlite3_column_int (stmt, 5);
  summary->skipped = sqlite3_column_int (stmt, 6);
  summary->flagged = sqlite3_column_int (stmt, 7);
  summary->duplicates = sqlite3_column_int (stmt, 8);
  summary->marked_sent = sqlite3_column_int (stmt, 9);
  summary->renamed = sqlite3_column_int (stmt, 10);
  summary->recoded = sqlite3_column_int (stmt, 11);
  summary->changed = sqlite3_column_int (stmt, 12);
  summary->sheet = g_strdup ((const char *) sqlite3_column_text (stmt, 13));

  return summary;
}

static RsImportSummary *
load_in_transaction (sqlite3  *db,
                     gint64    import_id,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  int rc;

  stmt = rs_store_prepare (db,
                            LOG_SELECT
                            " WHERE id = :id OR (:id = 0 AND id = (SELECT max (id) FROM import_log))",
                            error);
  if (stmt == NULL)
    return NULL;
  rs_store_bind_int64 (stmt, ":id", import_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return rs_import_summary_new (NULL);
  if (rc != SQLITE_ROW)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  summary = read_log_row (stmt);

  if (!load_problems (db, summary, error) ||
      !load_changes (db, summary, error) ||
      !rs_import_quality_load (db, summary, error))
    return NULL;

  /* The groups count what is stored, which is everything */
  summary->changed = 0;
  for (guint i = 0; i < summary->change_groups->len; i++)
    {
      RsImportChangeGroup *group = summary->change_groups->pdata[i];

      summary->changed += group->count;
      group->sheet_row = summary->sheet != NULL;
    }
  for (guint i = 0; i < summary->problems->len; i++)
    ((RsImportProblem *) summary->problems->pdata[i])->sheet_row = summary->sheet != NULL;

  return g_steal_pointer (&summary);
}

RsImportSummary *
rs_import_summary_load (RsStore  *store,
                        gint64    import_id,
                        GError  **error)
{
  RsImportSummary *summary;
  sqlite3 *db;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (import_id >= 0, NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL || !rs_store_exec (db, "BEGIN", error))
    return NULL;

  /* One snapshot: an import that commits meanwhile is not half read. */
  summary = load_in_transaction (db, import_id, error);
  rs_store_exec (db, "COMMIT", NULL);

  if (summary != NULL && summary->import_id == 0)
    {
      rs_import_summary_free (summary);
      return NULL;
    }

  return summary;
}

GPtrArray *
rs_import_list_records (RsStore  *store,
                        GError  **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;
  stmt = rs_store_prepare (db, LOG_SELECT " ORDER BY id", error);
  if (stmt == NULL)
    return NULL;

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_import_summary_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, read_log_row (stmt));
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&records);
}

/**
 * rs_import_foreach_change:
 * @func: called with a group that has only the column and the kind set
 *
 * Reads every change stored with import @import_id, however many, one at
 * a time.
 *
 * Returns: FALSE with @error set when the database could not be read
 */
gboolean
rs_import_foreach_change (RsStore            *store,
                          gint64              import_id,
                          RsImportChangeFunc  func,
                          gpointer            user_data,
                          GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return FALSE;
  stmt = rs_store_prepare (db, "SELECT column_index, column_name, kind, line, respondent_id,"
                            " file_value, used_value FROM import_change WHERE import_id = :import"
                            " ORDER BY column_index, kind, line", error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":import", import_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RsImportChangeGroup group = { 0 };
      RsImportChange change = { 0 };

      if (!rs_master_change_kind_from_string ((const char *) sqlite3_column_text (stmt, 2),
                                              &group.kind))
        continue;
      group.column_index = sqlite3_column_int (stmt, 0);
      group.column = (char *) sqlite3_column_text (stmt, 1);
      change.line = sqlite3_column_int (stmt, 3);
      change.respondent_id = sqlite3_column_int64 (stmt, 4);
      change.value = (char *) sqlite3_column_text (stmt, 5);
      change.used = (char *) sqlite3_column_text (stmt, 6);
      if (!func (&group, &change, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gpointer
load_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  RsImportSummary *summary;

  summary = rs_import_summary_load (store, *(gint64 *) data, &local_error);
  if (summary != NULL)
    return summary;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* None: an empty record, which _finish() turns into NULL */
  return rs_import_summary_new (NULL);
}

void
rs_import_summary_load_async (RsStore             *store,
                              gint64               import_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  gint64 *id = g_new (gint64, 1);

  g_return_if_fail (RS_IS_STORE (store));

  *id = import_id;
  rs_store_run_async (store, load_job, id, g_free, (GDestroyNotify) rs_import_summary_free,
                      cancellable, callback, user_data);
}

RsImportSummary *
rs_import_summary_load_finish (RsStore       *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  RsImportSummary *summary = rs_store_run_finish (store, result, error);

  if (summary != NULL && summary->import_id == 0)
    {
      rs_import_summary_free (summary);
      return NULL;
    }

  return summary;
}

/* Words */
/**
 * rs_import_change_group_describe:
 *
 * Returns: one line for the group: the column, what was done, how many
 *   values and the first lines, e.g. “up__r”, above 5, clamped to 5: 412
 *   values (lines 4, 9, 17, …)
 */
char *
rs_import_change_group_describe (const RsImportChangeGroup *group)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  guint n = MIN (group->examples->len, LINES_NAMED);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (lines, "%s%u", i ? ", " : "",
                            ((RsImportChange *) group->examples->pdata[i])->line);
  if (group->count > n)
    g_string_append (lines, ", …");

  if (group->sheet_row)
    /* Translators: a column, what was done (“above 5, clamped to 5”), how
     * many values, then the rows of the workbook's sheet they are on */
    return g_strdup_printf (ngettext ("“%s”, %s: %u value (row %s)",
                                      "“%s”, %s: %u values (rows %s)", group->count),
                            group->column, rs_master_change_kind_describe (group->kind),
                            group->count, lines->str);

  /* Translators: a column, what was done (“above 5, clamped to 5”), how
   * many values, then the lines they are on */
  return g_strdup_printf (ngettext ("“%s”, %s: %u value (line %s)",
                                    "“%s”, %s: %u values (lines %s)", group->count),
                          group->column, rs_master_change_kind_describe (group->kind),
                          group->count, lines->str);
}

/* One changed value: where, what the file has and what was used */
char *
rs_import_change_describe (const RsImportChangeGroup *group,
                           const RsImportChange      *change)
{
  g_autofree char *used = NULL;

  if (change->used == NULL)
    used = g_strdup (_("missing"));
  else if (change->used[0] == '\0')
    used = g_strdup (_("empty"));
  else
    used = g_strdup_printf ("“%s”", change->used);

  if (group->sheet_row)
    /* Translators: a workbook's row number, a column, the value in the file, what was used */
    return g_strdup_printf (_("Row %u, “%s”: “%s” → %s"), change->line, group->column,
                            change->value, used);

  /* Translators: a line number, a column, the value in the file, what was used */
  return g_strdup_printf (_("Line %u, “%s”: “%s” → %s"), change->line, group->column,
                          change->value, used);
}
