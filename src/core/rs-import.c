/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-csv.h"
#include "rs-import.h"
#include "rs-master.h"
#include "rs-status.h"

/* An import is one write transaction: a file that cannot be read to its end,
 * a cancel or a full disk leaves the database as it was. People are matched
 * on their identity key; what they were sent is never touched, except that
 * `reportsent` in the file may mark a pending respondent as sent.
 *
 * A respondent whose row is as stored is not written at all, so re-importing
 * a file costs little more than reading it: source_import, source_line and
 * last_imported_at say which import last brought new data for them. */

#define PROGRESS_EVERY_ROWS 2048
#define SOURCE_SEPARATOR '\x1f'

enum {
  STMT_EXISTING,
  STMT_INSERT,
  STMT_INSERT_SOURCE,
  STMT_UPDATE_SOURCE,
  STMT_UPDATE,
  STMT_INSERT_DELIVERY,
  STMT_MARK_SENT,
  STMT_HISTORY,
  STMT_LOG,
  N_STMTS
};

static const char *statements[N_STMTS] = {
  [STMT_EXISTING] =
    "SELECT identity_key, id, source_hash FROM respondent",
  [STMT_INSERT] =
    "INSERT INTO respondent (identity_key, company, person, email, function, submitted_at,"
    " language, up_r, up_c, up_f, up_v, up_a, in_r, in_c, in_f, in_v, in_a,"
    " do_r, do_c, do_f, do_v, do_a, problem, source_import, source_line,"
    " source_hash, first_imported_at, last_imported_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?19, ?20, ?21, ?22, ?23, ?25, ?26, ?27, ?28, ?28)",
  [STMT_INSERT_SOURCE] =
    "INSERT INTO respondent_source (respondent_id, source) VALUES (?1, ?2)",
  [STMT_UPDATE_SOURCE] =
    "UPDATE respondent_source SET source = ?2 WHERE respondent_id = ?1",
  [STMT_UPDATE] =
    "UPDATE respondent SET company = ?2, person = ?3, email = ?4, function = ?5,"
    " submitted_at = ?6, language = ?7, up_r = ?8, up_c = ?9, up_f = ?10, up_v = ?11,"
    " up_a = ?12, in_r = ?13, in_c = ?14, in_f = ?15, in_v = ?16, in_a = ?17, do_r = ?18,"
    " do_c = ?19, do_f = ?20, do_v = ?21, do_a = ?22, problem = ?23,"
    " source_import = ?25, source_line = ?26, source_hash = ?27, last_imported_at = ?28"
    " WHERE id = ?1",
  [STMT_INSERT_DELIVERY] =
    "INSERT INTO delivery (respondent_id, status, updated_at) VALUES (?1, ?2, ?3)",
  [STMT_MARK_SENT] =
    "UPDATE delivery SET status = 'sent', updated_at = ?2"
    " WHERE respondent_id = ?1 AND status = 'pending' AND manually_updated = 0",
  [STMT_HISTORY] =
    "INSERT INTO history (respondent_id, at, from_status, to_status, by, note)"
    " VALUES (?1, ?2, ?3, ?4, 'import', ?5)",
  [STMT_LOG] =
    "INSERT INTO import_log (at, file, header, added, updated, unchanged, skipped, flagged)"
    " VALUES (?1, ?2, ?3, 0, 0, 0, 0, 0)",
};

typedef struct
{
  RsStore *store;
  GFile *file;
  RsImportProgressFunc progress;
  gpointer progress_data;
  GCancellable *cancellable;
  RsImportSummary *summary;
} ImportData;

typedef struct
{
  gint64 id;
  guint64 hash;
  /* As it was before this import, to count a respondent whose rows come
   * twice by the last of them. */
  guint64 stored_hash;
  gboolean stored;
} Known;

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *stmts[N_STMTS];
  gint64 now;
  gint64 import_id;
  /* identity key -> Known, read in one pass instead of a look-up a row */
  GHashTable *known;
} Statements;

static void
statements_clear (Statements *s)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&s->stmts[i], sqlite3_finalize);
  g_clear_pointer (&s->known, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statements, statements_clear)

static void
problem_free (gpointer data)
{
  RsImportProblem *problem = data;

  g_free (problem->person);
  g_free (problem->reason);
  g_free (problem);
}

void
rs_import_summary_free (RsImportSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->file);
  g_clear_pointer (&summary->problems, g_ptr_array_unref);
  g_free (summary);
}

static RsImportSummary *
summary_new (GFile *file)
{
  RsImportSummary *summary = g_new0 (RsImportSummary, 1);

  summary->file = g_file_get_parse_name (file);
  summary->problems = g_ptr_array_new_with_free_func (problem_free);

  return summary;
}

static void
add_problem (RsImportSummary     *summary,
             RsImportProblemKind  kind,
             guint                line,
             const char          *person,
             const char          *reason)
{
  RsImportProblem *problem = g_new0 (RsImportProblem, 1);

  problem->kind = kind;
  problem->line = line;
  problem->person = g_strdup (person ? person : "");
  problem->reason = g_strdup (reason);
  g_ptr_array_add (summary->problems, problem);
}

/* Only to notice that a row changed since the last import: eight bytes at a
 * time, mixed with a multiply and a shift. */
static guint64
hash_bytes (guint64     hash,
            const char *data,
            gsize       len)
{
  const guint64 k = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
    }
  for (; i < len; i++)
    {
      hash = (hash ^ (guchar) data[i]) * k;
      hash ^= hash >> 29;
    }

  return hash ^ len;
}

static gboolean
step_done (Statements    *s,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (s->db, rc, error);

  return TRUE;
}

static void
bind_row (sqlite3_stmt      *stmt,
          const RsMasterRow *row,
          guint              line,
          guint64            hash,
          gint64             import_id,
          gint64             now)
{
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
  sqlite3_bind_int (stmt, 26, line);
  sqlite3_bind_int64 (stmt, 27, (gint64) hash);
  sqlite3_bind_int64 (stmt, 28, now);
}

static gboolean
write_sent_history (Statements       *s,
                    gint64            id,
                    RsImportSummary  *summary,
                    GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_HISTORY];

  summary->marked_sent++;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, s->now);
  sqlite3_bind_text (stmt, 3, "pending", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, "sent", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, _("marked sent in master file"), -1, SQLITE_TRANSIENT);

  return step_done (s, stmt, error);
}

/* A pending respondent that the file says was sent is marked sent. */
static gboolean
mark_sent_from_master (Statements       *s,
                       gint64            id,
                       RsImportSummary  *summary,
                       GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_MARK_SENT];

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, s->now);
  if (!step_done (s, stmt, error))
    return FALSE;

  if (sqlite3_changes (s->db) == 0)
    return TRUE;

  return write_sent_history (s, id, summary, error);
}

/* Returns: the respondent's id, or 0 with @error set. */
static gint64
store_row (Statements         *s,
           const RsMasterRow  *row,
           const GString      *source,
           guint               line,
           guint64             hash,
           RsImportSummary    *summary,
           gboolean            duplicate,
           GError            **error)
{
  Known *known = g_hash_table_lookup (s->known, row->identity_key);
  sqlite3_stmt *stmt;
  gint64 id;

  if (known == NULL)
    {
      stmt = s->stmts[STMT_INSERT];
      sqlite3_bind_text (stmt, 1, row->identity_key, -1, SQLITE_STATIC);
      bind_row (stmt, row, line, hash, s->import_id, s->now);
      if (!step_done (s, stmt, error))
        return 0;
      id = sqlite3_last_insert_rowid (s->db);

      stmt = s->stmts[STMT_INSERT_SOURCE];
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, source->str, source->len, SQLITE_STATIC);
      if (!step_done (s, stmt, error))
        return 0;

      stmt = s->stmts[STMT_INSERT_DELIVERY];
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, row->report_sent ? "sent" : "pending", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, s->now);
      if (!step_done (s, stmt, error))
        return 0;

      if (row->report_sent && !write_sent_history (s, id, summary, error))
        return 0;

      known = g_new0 (Known, 1);
      known->id = id;
      known->hash = hash;
      g_hash_table_insert (s->known, g_strdup (row->identity_key), known);
      summary->added++;

      return id;
    }
  else
    {
      gboolean was_unchanged = known->hash == known->stored_hash;
      gboolean unchanged = hash == known->stored_hash;

      id = known->id;
      if (known->hash != hash)
        {
          known->hash = hash;

          stmt = s->stmts[STMT_UPDATE];
          sqlite3_bind_int64 (stmt, 1, id);
          bind_row (stmt, row, line, hash, s->import_id, s->now);
          if (!step_done (s, stmt, error))
            return 0;

          stmt = s->stmts[STMT_UPDATE_SOURCE];
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_text (stmt, 2, source->str, source->len, SQLITE_STATIC);
          if (!step_done (s, stmt, error))
            return 0;
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
    return 0;

  return id;
}

static gboolean
prepare_statements (Statements  *s,
                    sqlite3     *db,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  s->db = db;
  s->now = g_get_real_time () / G_USEC_PER_SEC;
  s->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < N_STMTS; i++)
    {
      rc = sqlite3_prepare_v3 (db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->stmts[i], NULL);
      if (rc != SQLITE_OK)
        return rs_store_set_error_from_db (db, rc, error);
    }

  stmt = s->stmts[STMT_EXISTING];
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Known *known = g_new (Known, 1);

      known->id = sqlite3_column_int64 (stmt, 1);
      known->hash = (guint64) sqlite3_column_int64 (stmt, 2);
      known->stored_hash = known->hash;
      known->stored = TRUE;
      g_hash_table_insert (s->known, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           known);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
write_log (Statements       *s,
           RsImportSummary  *summary,
           const char       *header,
           GError          **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_LOG];

  sqlite3_bind_int64 (stmt, 1, s->now);
  sqlite3_bind_text (stmt, 2, summary->file, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, header, -1, SQLITE_STATIC);
  if (!step_done (s, stmt, error))
    return FALSE;

  s->import_id = sqlite3_last_insert_rowid (s->db);
  return TRUE;
}

static gboolean
finish_log (Statements       *s,
            RsImportSummary  *summary,
            GError          **error)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("UPDATE import_log SET added = %u, updated = %u, unchanged = %u,"
                         " skipped = %u, flagged = %u WHERE id = %" G_GINT64_FORMAT,
                         summary->added, summary->updated, summary->unchanged,
                         summary->skipped, summary->flagged, s->import_id);

  return rs_store_exec (s->db, sql, error);
}

/* Reading and mapping the file runs in a thread of its own, a batch of rows
 * ahead of the thread that writes them: the two halves take about as long. */

#define BATCH_ROWS 256
#define BATCHES_IN_FLIGHT 8

typedef struct
{
  RsMasterRowKind kind;
  RsMasterRow row;
  guint line;
  guint64 hash;
  gsize source_start;
  gsize source_len;
  char *ragged;
} ParsedRow;

typedef struct
{
  ParsedRow rows[BATCH_ROWS];
  guint n_rows;
  GString *sources;
  gboolean last;
  GError *error;
  goffset position;
  goffset size;
} Batch;

typedef struct
{
  RsCsvReader *reader;
  const RsMasterColumns *columns;
  guint64 header_hash;
  GCancellable *cancellable;
  GAsyncQueue *full;
  GAsyncQueue *empty;
  gint stop;
} Pipeline;

static void
batch_reset (Batch *batch)
{
  for (guint i = 0; i < batch->n_rows; i++)
    {
      rs_master_row_clear (&batch->rows[i].row);
      g_clear_pointer (&batch->rows[i].ragged, g_free);
    }
  batch->n_rows = 0;
  g_string_truncate (batch->sources, 0);
  batch->last = FALSE;
  g_clear_error (&batch->error);
}

static void
batch_free (Batch *batch)
{
  batch_reset (batch);
  g_string_free (batch->sources, TRUE);
  g_free (batch);
}

static void
append_source (GString            *out,
               const char * const *fields,
               guint               n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      gsize len = strlen (fields[i]);
      gsize start;
      char *p;

      if (i > 0)
        g_string_append_c (out, SOURCE_SEPARATOR);
      start = out->len;
      g_string_append_len (out, fields[i], len);
      while ((p = memchr (out->str + start, SOURCE_SEPARATOR, out->len - start)) != NULL)
        {
          *p = ' ';
          start = p - out->str + 1;
        }
    }
}

static gpointer
reader_thread (gpointer user_data)
{
  Pipeline *pipeline = user_data;
  gboolean done = FALSE;

  while (!done)
    {
      Batch *batch = g_async_queue_pop (pipeline->empty);

      batch_reset (batch);
      while (batch->n_rows < BATCH_ROWS)
        {
          g_autoptr(GError) error = NULL;
          ParsedRow *parsed = &batch->rows[batch->n_rows];
          const char * const *fields;
          guint n_fields;

          if (g_atomic_int_get (&pipeline->stop))
            {
              done = TRUE;
              break;
            }

          if (!rs_csv_reader_next_row (pipeline->reader, &fields, &n_fields,
                                       pipeline->cancellable, &error))
            {
              if (g_error_matches (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
                {
                  memset (parsed, 0, sizeof *parsed);
                  parsed->line = rs_csv_reader_get_line (pipeline->reader);
                  parsed->ragged = g_strdup (error->message);
                  batch->n_rows++;
                  continue;
                }

              batch->error = g_steal_pointer (&error);
              done = TRUE;
              break;
            }

          parsed->line = rs_csv_reader_get_line (pipeline->reader);
          parsed->ragged = NULL;
          parsed->kind = rs_master_read_row (pipeline->columns, fields, n_fields, &parsed->row);
          parsed->source_start = batch->sources->len;
          append_source (batch->sources, fields, n_fields);
          parsed->source_len = batch->sources->len - parsed->source_start;
          parsed->hash = hash_bytes (pipeline->header_hash,
                                     batch->sources->str + parsed->source_start,
                                     parsed->source_len);
          batch->n_rows++;
        }

      batch->last = done;
      batch->position = rs_csv_reader_get_position (pipeline->reader);
      batch->size = rs_csv_reader_get_size (pipeline->reader);
      g_async_queue_push (pipeline->full, batch);
    }

  return NULL;
}

static gboolean
store_parsed_row (Statements       *s,
                  ParsedRow        *parsed,
                  const GString    *sources,
                  GHashTable       *seen,
                  RsImportSummary  *summary,
                  GError          **error)
{
  RsMasterRow *row = &parsed->row;
  gpointer first_line;
  GString source;

  if (parsed->ragged != NULL)
    {
      summary->skipped++;
      add_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, parsed->line, NULL, parsed->ragged);
      return TRUE;
    }

  if (parsed->kind == RS_MASTER_ROW_SKIPPED)
    {
      summary->skipped++;
      add_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, parsed->line, row->person, row->problem);
      return TRUE;
    }

  if (parsed->kind == RS_MASTER_ROW_FLAGGED)
    {
      summary->flagged++;
      add_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, parsed->line, row->person, row->problem);
    }

  first_line = g_hash_table_lookup (seen, row->identity_key);
  if (first_line != NULL)
    {
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("the same respondent as on line %u; this later row is used"),
                                GPOINTER_TO_UINT (first_line));
      summary->duplicates++;
      add_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, parsed->line, row->person, reason);
    }
  else
    {
      /* The key moves to the table; the row is done with it. */
      g_hash_table_insert (seen, g_strdup (row->identity_key), GUINT_TO_POINTER (parsed->line));
    }

  source.str = sources->str + parsed->source_start;
  source.len = parsed->source_len;
  source.allocated_len = 0;

  return store_row (s, row, &source, parsed->line, parsed->hash, summary,
                    first_line != NULL, error) != 0;
}

static gboolean
import_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  ImportData *data = user_data;
  g_auto(Statements) s = { 0 };
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(RsMasterColumns) columns = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GString) header_text = g_string_new (NULL);
  g_autoptr(GAsyncQueue) full = NULL;
  g_autoptr(GAsyncQueue) empty = NULL;
  g_autoptr(GError) local_error = NULL;
  const char * const *header;
  Pipeline pipeline = { 0 };
  GThread *thread;
  gboolean finished = FALSE;
  guint batches = 0;

  /* A retried transaction starts over. */
  g_clear_pointer (&data->summary, rs_import_summary_free);
  data->summary = summary_new (data->file);

  reader = rs_csv_reader_new (data->file, data->cancellable, error);
  if (reader == NULL)
    return FALSE;

  {
    guint n_header;

    header = rs_csv_reader_get_header (reader, &n_header);
    columns = rs_master_columns_new (header, n_header, error);
    if (columns == NULL)
      return FALSE;
    append_source (header_text, header, n_header);
  }

  if (!prepare_statements (&s, db, error) ||
      !write_log (&s, data->summary, header_text->str, error))
    return FALSE;

  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  full = g_async_queue_new ();
  empty = g_async_queue_new_full ((GDestroyNotify) batch_free);
  for (guint i = 0; i < BATCHES_IN_FLIGHT; i++)
    {
      Batch *batch = g_new0 (Batch, 1);

      batch->sources = g_string_sized_new (BATCH_ROWS * 1024);
      g_async_queue_push (empty, batch);
    }

  pipeline.reader = reader;
  pipeline.columns = columns;
  pipeline.header_hash = hash_bytes (G_GUINT64_CONSTANT (0xcbf29ce484222325),
                                     header_text->str, header_text->len);
  pipeline.cancellable = data->cancellable;
  pipeline.full = full;
  pipeline.empty = empty;
  thread = g_thread_new ("rs-import-reader", reader_thread, &pipeline);

  while (!finished)
    {
      Batch *batch = g_async_queue_pop (full);

      finished = batch->last;
      if (batch->error != NULL && local_error == NULL)
        local_error = g_steal_pointer (&batch->error);

      for (guint i = 0; i < batch->n_rows && local_error == NULL; i++)
        store_parsed_row (&s, &batch->rows[i], batch->sources, seen, data->summary,
                          &local_error);

      if (local_error == NULL && ++batches % 8 == 0)
        {
          g_cancellable_set_error_if_cancelled (data->cancellable, &local_error);
          if (data->progress != NULL)
            data->progress (batch->position, batch->size, data->progress_data);
        }

      /* On an error the reader is told to stop and drained. */
      if (local_error != NULL)
        g_atomic_int_set (&pipeline.stop, TRUE);

      batch_reset (batch);
      g_async_queue_push (empty, batch);
    }

  g_thread_join (thread);

  if (local_error == NULL)
    g_cancellable_set_error_if_cancelled (data->cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return finish_log (&s, data->summary, error);
}

/**
 * rs_import_file:
 * @progress: (nullable): told how far the import is, from this thread
 *
 * Imports a master file into @store on the calling thread's connection, in
 * one transaction.
 *
 * Returns: (transfer full): what was imported, or %NULL when nothing was
 */
RsImportSummary *
rs_import_file (RsStore               *store,
                GFile                 *file,
                RsImportProgressFunc   progress,
                gpointer               progress_data,
                GCancellable          *cancellable,
                GError               **error)
{
  ImportData data = {
    .store = store,
    .file = file,
    .progress = progress,
    .progress_data = progress_data,
    .cancellable = cancellable,
  };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!rs_store_write (store, import_transaction, &data, error))
    {
      g_clear_pointer (&data.summary, rs_import_summary_free);
      return NULL;
    }

  return data.summary;
}

typedef struct
{
  GFile *file;
  RsImportProgressFunc progress;
  gpointer progress_data;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *async_data = data;

  g_clear_object (&async_data->file);
  g_free (async_data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RsStore *store = source_object;
  AsyncData *data = task_data;
  g_autoptr(GError) error = NULL;
  RsImportSummary *summary;

  summary = rs_import_file (store, data->file, data->progress, data->progress_data,
                            cancellable, &error);
  rs_store_release_connection (store);

  if (summary == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) rs_import_summary_free);
}

/**
 * rs_import_file_async:
 * @progress: (nullable): called in the import's thread; it must not touch
 *   widgets (post to the main loop instead)
 *
 * Imports @file in a worker thread with a database connection of its own.
 */
void
rs_import_file_async (RsStore               *store,
                      GFile                 *file,
                      RsImportProgressFunc   progress,
                      gpointer               progress_data,
                      GCancellable          *cancellable,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (AsyncData, 1);
  data->file = g_object_ref (file);
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_import_file_async);
  g_task_set_task_data (task, data, async_data_free);
  g_task_run_in_thread (task, import_thread);
}

RsImportSummary *
rs_import_file_finish (RsStore       *store,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* One line per problem: where, who and why. */
char *
rs_import_problem_describe (const RsImportProblem *problem)
{
  const char *what;

  switch (problem->kind)
    {
    case RS_IMPORT_PROBLEM_SKIPPED:
      what = _("skipped");
      break;
    case RS_IMPORT_PROBLEM_FLAGGED:
      what = _("imported, cannot be sent");
      break;
    case RS_IMPORT_PROBLEM_DUPLICATE:
    default:
      what = _("duplicate");
      break;
    }

  if (problem->person != NULL && problem->person[0] != '\0')
    /* Translators: line number, person, what happened, why */
    return g_strdup_printf (_("Line %u (%s): %s: %s"), problem->line, problem->person, what,
                            problem->reason);

  /* Translators: line number, what happened, why */
  return g_strdup_printf (_("Line %u: %s: %s"), problem->line, what, problem->reason);
}

/* The counts, in one sentence. */
char *
rs_import_summary_describe (const RsImportSummary *summary)
{
  /* Translators: the counts of an import */
  return g_strdup_printf (_("%u new, %u updated, %u unchanged, %u skipped, %u flagged, "
                            "%u duplicates"),
                          summary->added, summary->updated, summary->unchanged,
                          summary->skipped, summary->flagged, summary->duplicates);
}
