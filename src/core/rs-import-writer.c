/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>

#include "rs-companies.h"
#include "rs-delivery.h"
#include "rs-import-private.h"
#include "rs-master.h"
#include "rs-store-private.h"

/* What an import writes: its rows to the database, and the source files
 * it no longer needs removed from the disk. */

/* The hand value of a corrected field, or the file's value @file */
#define HAND_VALUE(field, file) \
  "coalesce ((SELECT hand_value FROM correction WHERE respondent_id = ?1" \
  " AND field = '" field "'), " file ")"

static const char *statements[N_STMTS] = {
  [STMT_EXISTING] =
    "SELECT identity_key, id, source_hash, problem IS NOT NULL FROM respondent",
  [STMT_INSERT] =
    "INSERT INTO respondent (identity_key, company, person, email, function, submitted_at,"
    " language, up_r, up_c, up_f, up_v, up_a, in_r, in_c, in_f, in_v, in_a,"
    " do_r, do_c, do_f, do_v, do_a, problem, source_import, source_line,"
    " source_hash, first_imported_at, last_imported_at, source_offset, source_length, changed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?25, ?26, ?27, ?28, ?28, ?29, ?30, ?31)",
  [STMT_UPDATE] =
    "UPDATE respondent SET company = ?2, person = ?3, email = ?4, function = ?5,"
    " submitted_at = ?6, language = ?7, up_r = ?8, up_c = ?9, up_f = ?10, up_v = ?11,"
    " up_a = ?12, in_r = ?13, in_c = ?14, in_f = ?15, in_v = ?16, in_a = ?17, do_r = ?18,"
    " do_c = ?19, do_f = ?20, do_v = ?21, do_a = ?22, problem = ?23,"
    " source_import = ?25, source_line = ?26, source_hash = ?27, last_imported_at = ?28,"
    " source_offset = ?29, source_length = ?30, changed = ?31, identity_key = ?32"
    " WHERE id = ?1",
  /* A row imported before source files existed. */
  [STMT_DELETE_SOURCE] =
    "DELETE FROM respondent_source WHERE respondent_id = ?1",
  [STMT_NEXT_IMPORT] =
    "SELECT coalesce (max (id), 0) + 1 FROM import_log",
  [STMT_LOG] =
    "INSERT INTO import_log (id, at, file, header, added, updated, unchanged, skipped, flagged)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [STMT_SOURCES_USED] =
    "SELECT DISTINCT source_import FROM respondent WHERE source_offset IS NOT NULL",
  /* Corrections by hand (see rs_tracker_correct()): the respondent row holds
   * the hand value, the correction what the file says. */
  [STMT_CORRECTED] =
    "SELECT r.identity_key, r.company, r.person, r.email,"
    " max (c.field = 'person'), max (c.field = 'email')"
    "  FROM correction c JOIN respondent r ON r.id = c.respondent_id"
    " GROUP BY c.respondent_id",
  [STMT_CORRECTION_FILE] =
    "UPDATE correction SET file_value = CASE field WHEN 'person' THEN ?3 WHEN 'email' THEN ?4"
    " WHEN 'function' THEN ?5 ELSE ?7 END WHERE respondent_id = ?1",
  /* A file that came to say what the hand value says ends the correction. */
  [STMT_CORRECTION_AGREED] =
    "DELETE FROM correction WHERE respondent_id = ?1 AND file_value = hand_value",
  [STMT_UPDATE_CORRECTED] =
    "UPDATE respondent SET company = ?2, person = " HAND_VALUE ("person", "?3") ","
    " email = " HAND_VALUE ("email", "?4") ", function = " HAND_VALUE ("function", "?5") ","
    " submitted_at = ?6, language = " HAND_VALUE ("language", "?7") ","
    " up_r = ?8, up_c = ?9, up_f = ?10, up_v = ?11,"
    " up_a = ?12, in_r = ?13, in_c = ?14, in_f = ?15, in_v = ?16, in_a = ?17, do_r = ?18,"
    " do_c = ?19, do_f = ?20, do_v = ?21, do_a = ?22, problem = ?23,"
    " source_import = ?25, source_line = ?26, source_hash = ?27, last_imported_at = ?28,"
    " source_offset = ?29, source_length = ?30, changed = ?31, identity_key = ?32"
    " WHERE id = ?1",
  /* The name a renamed respondent had in the file before */
  [STMT_NAME_BEFORE] =
    "SELECT coalesce ((SELECT file_value FROM correction WHERE respondent_id = ?1"
    " AND field = 'person'), person) FROM respondent WHERE id = ?1",
};

void
rs_import_statements_clear (Statements *s)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&s->stmts[i], sqlite3_finalize);
  g_clear_pointer (&s->delivery, rs_delivery_free);
  g_clear_pointer (&s->changes, rs_change_log_free);
}

static void
bind_row (sqlite3_stmt      *stmt,
          const ParsedRow   *parsed,
          gint64             import_id,
          gint64             now,
          gint64             change)
{
  const RsMasterRow *row = &parsed->row;

  sqlite3_bind_text (stmt, 2, row->company, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row->person, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, row->email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, row->function, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, row->submitted_at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, row->language, -1, SQLITE_STATIC);
  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      if (isnan (row->scores[i]))
        sqlite3_bind_null (stmt, 8 + i);
      else
        sqlite3_bind_double (stmt, 8 + i, row->scores[i]);
    }
  if (row->problem != NULL)
    sqlite3_bind_text (stmt, 23, row->problem, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 23);
  sqlite3_bind_int64 (stmt, 25, import_id);
  sqlite3_bind_int (stmt, 26, parsed->line);
  sqlite3_bind_int64 (stmt, 27, (gint64) parsed->hash);
  sqlite3_bind_int64 (stmt, 28, now);
  sqlite3_bind_int64 (stmt, 29, parsed->source_offset);
  sqlite3_bind_int64 (stmt, 30, (gint64) parsed->source_len);
  sqlite3_bind_int64 (stmt, 31, change);
}

/* A pending respondent that the file says was sent is marked sent. */
static gboolean
mark_sent_from_master (Statements       *s,
                       gint64            id,
                       RsImportSummary  *summary,
                       GError          **error)
{
  gboolean marked;

  if (!rs_delivery_import_sent (s->delivery, id, s->change, s->sent_note, &marked, error))
    return FALSE;
  if (marked)
    summary->marked_sent++;

  return TRUE;
}

/* A respondent corrected by hand: the file's values go to the correction,
 * where the details show them, and the hand values stay in use; the stored
 * identity follows the file, so that the next import matches them again. */
static gboolean
keep_corrections (Statements       *s,
                  const ParsedRow  *parsed,
                  gint64            id,
                  GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_CORRECTION_FILE];
  const RsMasterRow *row = &parsed->row;

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 3, row->person, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, row->email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, row->function, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, row->language, -1, SQLITE_STATIC);
  if (!rs_store_step_done (s->db, stmt, error))
    return FALSE;

  stmt = s->stmts[STMT_CORRECTION_AGREED];
  sqlite3_bind_int64 (stmt, 1, id);
  if (!rs_store_step_done (s->db, stmt, error))
    return FALSE;

  stmt = s->stmts[STMT_UPDATE_CORRECTED];
  sqlite3_bind_int64 (stmt, 1, id);
  bind_row (stmt, parsed, s->import_id, s->now, s->change);
  sqlite3_bind_text (stmt, 32, row->identity_key, -1, SQLITE_STATIC);

  return rs_store_step_done (s->db, stmt, error);
}

static gboolean
store_row (Statements       *s,
           const ParsedRow  *parsed,
           RsImportSummary  *summary,
           GError          **error)
{
  const RsMasterRow *row = &parsed->row;
  Known *known = parsed->known;
  sqlite3_stmt *stmt;
  gint64 id;

  if (known->id == 0)
    {
      g_assert (parsed->source_offset >= 0);

      stmt = s->stmts[STMT_INSERT];
      sqlite3_bind_text (stmt, 1, row->identity_key, -1, SQLITE_STATIC);
      bind_row (stmt, parsed, s->import_id, s->now, s->change);
      if (!rs_store_step_done (s->db, stmt, error))
        return FALSE;
      id = sqlite3_last_insert_rowid (s->db);

      if (row->report_sent)
        {
          if (!rs_delivery_add_sent (s->delivery, id, s->change, s->sent_note, error))
            return FALSE;
          summary->marked_sent++;
        }
      else if (!rs_delivery_add_pending (s->delivery, id, s->change, error))
        {
          return FALSE;
        }

      known->id = id;
      known->hash = parsed->hash;
      summary->added++;

      return TRUE;
    }
  else
    {
      gboolean duplicate = parsed->duplicate_of != 0;
      gboolean was_unchanged = known->hash == known->stored_hash;
      gboolean unchanged = parsed->hash == known->stored_hash;

      id = known->id;
      if (known->hash != parsed->hash)
        {
          /* The reader writes the source of every row that differs from
           * what was stored and of every later row of a respondent. */
          g_assert (parsed->source_offset >= 0);
          known->hash = parsed->hash;

          if (G_UNLIKELY (known->corrected))
            {
              if (!keep_corrections (s, parsed, id, error))
                return FALSE;
            }
          else
            {
              stmt = s->stmts[STMT_UPDATE];
              sqlite3_bind_int64 (stmt, 1, id);
              bind_row (stmt, parsed, s->import_id, s->now, s->change);
              /* The same but for a respondent whose name changed */
              sqlite3_bind_text (stmt, 32, row->identity_key, -1, SQLITE_STATIC);
              if (!rs_store_step_done (s->db, stmt, error))
                return FALSE;
            }

          stmt = s->stmts[STMT_DELETE_SOURCE];
          sqlite3_bind_int64 (stmt, 1, id);
          if (!rs_store_step_done (s->db, stmt, error))
            return FALSE;
        }

      /* Counted by how the last of its rows compares with what was stored,
       * so that importing the same file twice reports no updates. */
      if (known->stored && !duplicate)
        {
          if (unchanged)
            summary->unchanged++;
          else
            summary->updated++;
        }
      else if (known->stored && unchanged != was_unchanged)
        {
          if (unchanged)
            {
              summary->updated--;
              summary->unchanged++;
            }
          else
            {
              summary->unchanged--;
              summary->updated++;
            }
        }
    }

  if (row->report_sent && !mark_sent_from_master (s, id, summary, error))
    return FALSE;

  return TRUE;
}

gboolean
rs_import_statements_prepare (Statements  *s,
                              sqlite3     *db,
                              GError     **error)
{
  int rc;

  s->db = db;
  s->now = g_get_real_time () / G_USEC_PER_SEC;
  s->sent_note = _("marked sent in master file");
  s->delivery = rs_delivery_new (db, s->now);

  for (guint i = 0; i < N_STMTS; i++)
    {
      rc = sqlite3_prepare_v3 (db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->stmts[i], NULL);
      if (rc != SQLITE_OK)
        return rs_store_set_error_from_db (db, rc, error);
    }

  return rs_store_next_change (db, &s->change, error);
}

/* The import's number, for its source file and its rows: that of its row
 * in import_log, which is written at the end. A page written at the start
 * and again at the end would be written twice into the log, and SQLite then
 * reads the whole log back at the commit to check it. The write lock keeps
 * the number from being taken meanwhile. */
gboolean
rs_import_choose_id (Statements  *s,
                     GError     **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_NEXT_IMPORT];
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    s->import_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (s->db, rc, error);

  return TRUE;
}

gboolean
rs_import_write_log (Statements       *s,
                     RsImportSummary  *summary,
                     const char       *header,
                     GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_LOG];

  sqlite3_bind_int64 (stmt, 1, s->import_id);
  sqlite3_bind_int64 (stmt, 2, s->now);
  sqlite3_bind_text (stmt, 3, summary->file, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, header, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, summary->added);
  sqlite3_bind_int (stmt, 6, summary->updated);
  sqlite3_bind_int (stmt, 7, summary->unchanged);
  sqlite3_bind_int (stmt, 8, summary->skipped);
  sqlite3_bind_int (stmt, 9, summary->flagged);

  return rs_store_step_done (s->db, stmt, error);
}

/* A report shows the averages of the respondent's company, so a colleague
 * added or changed by this import makes it outdated, though the respondent's
 * own data is the same. Companies are matched as the report job groups them,
 * merges included. */
gboolean
rs_import_outdate_colleagues (Statements       *s,
                              RsImportSummary  *summary,
                              GError          **error)
{
  g_autofree char *sql = NULL;
  gboolean done;
  sqlite3_stmt *stmt = NULL;
  gboolean any_report = FALSE;
  int rc;

  if (summary->added + summary->updated == 0)
    return TRUE;

  /* Nothing to do on a first import: no reports yet. */
  rc = sqlite3_prepare_v2 (s->db, "SELECT EXISTS (SELECT 1 FROM delivery"
                           " WHERE report_source_hash IS NOT NULL)", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    any_report = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (s->db, rc, error);
  if (!any_report)
    return TRUE;

  if (!rs_company_group_function_install (s->db, error))
    return FALSE;

  /* Folded once a company of the import and once a report. */
  /* Numbered as the import's own rows, and so without the trigger. */
  sql = g_strdup_printf ("UPDATE delivery SET report_source_hash = NULL,"
                         " changed = %" G_GINT64_FORMAT
                         " WHERE report_source_hash IS NOT NULL"
                         "  AND (SELECT rs_company_group (company) FROM respondent"
                         "       WHERE id = delivery.respondent_id) IN"
                         "   (SELECT rs_company_group (company) FROM"
                         "     (SELECT DISTINCT company FROM respondent"
                         "      WHERE source_import = %" G_GINT64_FORMAT "))",
                         s->change, s->import_id);
  done = rs_store_exec (s->db, sql, error);
  rs_company_group_function_remove (s->db);

  return done;
}

/* The import ids of the source files in @dir_path but that of @current. */
GArray *
rs_import_list_other_sources (const char *dir_path,
                              gint64      current)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      gint64 import_id;
      char *end;

      if (!g_str_has_prefix (name, "import-"))
        continue;
      import_id = g_ascii_strtoll (name + strlen ("import-"), &end, 10);
      if (import_id > 0 && import_id != current && strcmp (end, ".txt") == 0)
        g_array_append_val (ids, import_id);
    }

  return ids;
}

/* Removes the source files that no respondent points at: those of imports
 * whose rows all changed since, and those of imports that never committed.
 * In a write transaction of its own after an import, so that no other import
 * is making a file meanwhile and a failed import changes nothing. */
gboolean
rs_import_remove_unused_sources (sqlite3   *db,
                                 gpointer   user_data,
                                 GError   **error)
{
  UnusedSources *unused = user_data;
  g_autoptr(GArray) ids = rs_import_list_other_sources (unused->dir, unused->current);
  g_autoptr(GHashTable) used = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (ids->len == 0)
    return TRUE;

  /* One pass over everyone: there is no index on source_import. */
  used = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  rc = sqlite3_prepare_v2 (db, statements[STMT_SOURCES_USED], -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 *import_id = g_new (gint64, 1);

          *import_id = sqlite3_column_int64 (stmt, 0);
          g_hash_table_add (used, import_id);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 import_id = g_array_index (ids, gint64, i);
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;

      if (g_hash_table_contains (used, &import_id))
        continue;

      name = g_strdup_printf ("import-%" G_GINT64_FORMAT ".txt", import_id);
      path = g_build_filename (unused->dir, name, NULL);
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_debug ("Could not remove the unused source file “%s”: %s", path, g_strerror (errno));
    }

  return TRUE;
}

/* The values of a row that was written and not as the file has them */
static gboolean
log_changes (Statements       *s,
             const ParsedRow  *parsed,
             RsImportSummary  *summary,
             GError          **error)
{
  GArray *changes = parsed->row.changes;

  if (G_LIKELY (changes == NULL))
    return TRUE;

  for (guint i = 0; i < changes->len; i++)
    if (!rs_change_log_add (s->changes, summary, parsed->line, parsed->known->id,
                            &g_array_index (changes, RsMasterChange, i), error))
      return FALSE;

  return TRUE;
}

gboolean
rs_import_store_parsed_row (Statements       *s,
                            ParsedRow        *parsed,
                            RsImportSummary  *summary,
                            GError          **error)
{
  RsMasterRow *row = &parsed->row;
  guint first_problem;

  if (parsed->ragged != NULL)
    {
      summary->skipped++;
      rs_import_summary_add_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, parsed->line, NULL,
                                     parsed->ragged);
      return TRUE;
    }

  if (parsed->kind == RS_MASTER_ROW_SKIPPED)
    {
      summary->skipped++;
      rs_import_summary_add_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, parsed->line, row->person,
                                     row->problem);
      return TRUE;
    }

  if (G_LIKELY (parsed->kind != RS_MASTER_ROW_FLAGGED && parsed->duplicate_of == 0))
    return store_row (s, parsed, summary, error) && log_changes (s, parsed, summary, error);

  first_problem = summary->problems->len;
  if (parsed->kind == RS_MASTER_ROW_FLAGGED)
    {
      summary->flagged++;
      rs_import_summary_add_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, parsed->line, row->person,
                                     row->problem);
    }

  if (parsed->duplicate_of != 0)
    {
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("the same respondent as on line %u; this later row is used"),
                                parsed->duplicate_of);
      summary->duplicates++;
      rs_import_summary_add_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, parsed->line,
                                     row->person, reason);
    }

  if (!store_row (s, parsed, summary, error) || !log_changes (s, parsed, summary, error))
    return FALSE;

  /* Stored, so its id is known: the details of the import can open it. */
  for (guint i = first_problem; i < summary->problems->len; i++)
    ((RsImportProblem *) summary->problems->pdata[i])->respondent_id = parsed->known->id;

  return TRUE;
}

static gboolean
add_rename_problem (Statements       *s,
                    const ParsedRow  *parsed,
                    gint64            id,
                    RsImportSummary  *summary,
                    GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_NAME_BEFORE];
  g_autofree char *before = NULL;
  g_autofree char *reason = NULL;
  RsImportProblem *problem;
  int rc;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    before = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (s->db, rc, error);

  /* Translators: the name a respondent had, and the one the file gives */
  reason = g_strdup_printf (_("name changed from “%s” to “%s”"), before, parsed->row.person);
  problem = rs_import_problem_new (RS_IMPORT_PROBLEM_RENAMED, parsed->line, parsed->row.person,
                                   reason);
  problem->respondent_id = id;
  g_ptr_array_add (summary->problems, problem);
  summary->renamed++;

  return TRUE;
}

/* The rows that waited for the end of the file, in their order. */
gboolean
rs_import_store_deferred (Statements       *s,
                          Pipeline         *pipeline,
                          RsImportSummary  *summary,
                          GError          **error)
{
  rs_import_resolve_renames (pipeline->candidates);

  for (guint i = 0; i < pipeline->deferred->len; i++)
    {
      ParsedRow *parsed = &g_array_index (pipeline->deferred, ParsedRow, i);
      Known *renamed = parsed->known->renamed;

      if (renamed != NULL)
        {
          parsed->known = renamed;
          if (parsed->duplicate_of == 0
              && !add_rename_problem (s, parsed, renamed->id, summary, error))
            return FALSE;
        }

      if (!rs_import_store_parsed_row (s, parsed, summary, error))
        return FALSE;
    }

  return TRUE;
}

/* The fields read as Windows-1252 are problems of a file in UTF-8; a file
 * in Windows-1252 has no other fields. */
gboolean
rs_import_add_recoded_problems (Statements       *s,
                                Pipeline         *pipeline,
                                RsImportSummary  *summary,
                                GError          **error)
{
  guint n_fields;
  const RsCsvRecoded *fields = rs_row_source_get_recoded (pipeline->reader, &n_fields);

  if (g_strcmp0 (rs_row_source_get_encoding (pipeline->reader), "UTF-8") != 0)
    return TRUE;

  for (guint i = 0; i < pipeline->recoded->len && i < n_fields; i++)
    {
      RsImportProblem *problem = g_ptr_array_index (pipeline->recoded, i);
      Known *known = g_ptr_array_index (pipeline->recoded_known, i);
      const char *value = g_ptr_array_index (pipeline->recoded_values, i);
      RsMasterChange change = {
        (int) fields[i].column,
        RS_MASTER_CHANGE_RECODED, (char *) value, (char *) value,
      };

      if (known != NULL)
        problem->respondent_id = known->renamed != NULL ? known->renamed->id : known->id;
      if (!rs_change_log_add (s->changes, summary, problem->line, problem->respondent_id,
                              &change, error))
        return FALSE;
      g_ptr_array_add (summary->problems, g_steal_pointer (&pipeline->recoded->pdata[i]));
      summary->recoded++;
    }

  return TRUE;
}
