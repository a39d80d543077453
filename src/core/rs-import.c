/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "rs-activity-private.h"
#include "rs-benchmark.h"
#include "rs-companies.h"
#include "rs-delivery.h"
#include "rs-import.h"
#include "rs-import-private.h"
#include "rs-master.h"
#include "rs-respondent.h"
#include "rs-row-source.h"
#include "rs-source-writer.h"
#include "rs-status.h"
#include "rs-store-private.h"
#include "rs-thread.h"

/* An import is one write transaction: a file that cannot be read to its end,
 * a cancel, a full disk or a file that changes meanwhile leaves the database
 * as it was. People are matched on their identity key, and a new name at
 * the address of someone stored in the same company is that person renamed
 * (see rs_import_resolve_renames()); what they were sent is never touched,
 * except that `reportsent` in the file may mark a pending respondent as sent.
 *
 * A respondent whose row is as stored is not written at all, so re-importing
 * a file costs little more than reading it: source_import, source_line and
 * last_imported_at say which import last brought new data for them.
 *
 * Every column of a row is kept for the details view, but not in the
 * database, where it would be most of what an import writes, twice over
 * with the WAL. The rows an import adds or changes are written, as text, to
 * a file of that import next to the database (rs_store_get_source_path()),
 * and the respondent keeps where its row is in it. The file is on disk before
 * the transaction commits and is removed when it does not, so the database
 * never points at a file that is not there; once an import has committed,
 * the files that no respondent points at any more are removed. */

typedef struct
{
  RsStore *store;
  /* The file, or a stream that can be read once, and what to call it */
  GFile *file;
  GInputStream *stream;
  const char *name;
  /* The workbook's sheet to read; NULL to choose */
  const char *sheet;
  gboolean stream_read;
  RsImportProgressFunc progress;
  gpointer progress_data;
  GCancellable *cancellable;
  RsImportSummary *summary;
  /* The source file this attempt made, removed unless it commits. */
  char *source_path;
  gint64 import_id;
  /* When the import started, for the activity log */
  gint64 started_at;
  gint64 activity;
} ImportData;

void
rs_import_problem_free (gpointer data)
{
  RsImportProblem *problem = data;

  if (problem == NULL)
    return;

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
  g_free (summary->sheet);
  g_strfreev (summary->other_sheets);
  g_free (summary->ignored_text);
  g_clear_pointer (&summary->problems, g_ptr_array_unref);
  g_clear_pointer (&summary->change_groups, g_ptr_array_unref);
  g_clear_pointer (&summary->quality, g_ptr_array_unref);
  g_free (summary);
}

RsImportSummary *
rs_import_summary_new (const char *name)
{
  RsImportSummary *summary = g_new0 (RsImportSummary, 1);

  summary->file = g_strdup (name);
  summary->problems = g_ptr_array_new_with_free_func (rs_import_problem_free);
  summary->change_groups = g_ptr_array_new_with_free_func (rs_import_change_group_free);

  return summary;
}

RsImportProblem *
rs_import_problem_new (RsImportProblemKind  kind,
                       guint                line,
                       const char          *person,
                       const char          *reason)
{
  RsImportProblem *problem = g_new0 (RsImportProblem, 1);

  problem->kind = kind;
  problem->line = line;
  problem->person = g_strdup (person ? person : "");
  problem->reason = g_strdup (reason);

  return problem;
}

void
rs_import_summary_add_problem (RsImportSummary     *summary,
                               RsImportProblemKind  kind,
                               guint                line,
                               const char          *person,
                               const char          *reason)
{
  g_ptr_array_add (summary->problems, rs_import_problem_new (kind, line, person, reason));
}

static int
compare_problem_lines (gconstpointer a,
                       gconstpointer b)
{
  const RsImportProblem *pa = *(RsImportProblem * const *) a;
  const RsImportProblem *pb = *(RsImportProblem * const *) b;

  return (pa->line > pb->line) - (pa->line < pb->line);
}

static RsRowSource *
open_reader (ImportData  *data,
             GError     **error)
{
  if (data->stream == NULL)
    return rs_row_source_new_for_file (data->file, data->sheet, data->cancellable, error);

  if (data->stream_read)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The tracker database was busy and “%s” cannot be read a second "
                     "time: import it again"), data->name);
      return NULL;
    }
  data->stream_read = TRUE;

  return rs_row_source_new_for_stream (data->stream, data->name, data->cancellable, error);
}

/* What the reader found above the header goes to the summary; the header
 * goes to @header_text as one block, the way rows come. */
static void
read_header (ImportData  *data,
             RsRowSource *reader,
             GString     *header_text)
{
  const char * const *header;
  guint n_header;
  g_autofree char *row = NULL;
  gsize row_len = 0;
  const char *ignored_text;

  header = rs_row_source_get_header (reader, &n_header);
  data->summary->ignored = rs_row_source_get_ignored (reader, &ignored_text);
  data->summary->ignored_text = g_strdup (ignored_text);
  data->summary->sheet = g_strdup (rs_row_source_get_sheet (reader));
  data->summary->other_sheets = g_strdupv ((char **) rs_row_source_get_other_sheets (reader));

  for (guint i = 0; i < n_header; i++)
    row_len += strlen (header[i]) + 1;
  row = g_malloc (row_len);
  row_len = 0;
  for (guint i = 0; i < n_header; i++)
    {
      gsize len = strlen (header[i]) + 1;

      memcpy (row + row_len, header[i], len);
      row_len += len;
    }
  rs_import_append_source (header_text, row, row_len);
}

/* The statements, the import's number, its change log and the folder of
 * its source file */
static gboolean
prepare_writing (ImportData   *data,
                 Statements   *s,
                 sqlite3      *db,
                 RsRowSource  *reader,
                 GError      **error)
{
  g_autofree char *sources_dir = rs_store_get_sources_dir (data->store);
  const char * const *header;
  guint n_header;

  if (!rs_import_statements_prepare (s, db, error) || !rs_import_choose_id (s, error))
    return FALSE;

  header = rs_row_source_get_header (reader, &n_header);
  s->changes = rs_change_log_new (db, s->import_id, header, n_header, error);
  if (s->changes == NULL)
    return FALSE;

  if (g_mkdir_with_parents (sources_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder “%s” for the tracker database: %s"),
                   sources_dir, g_strerror (saved_errno));
      return FALSE;
    }
  data->source_path = rs_store_get_source_path (data->store, s->import_id);
  data->import_id = s->import_id;

  return TRUE;
}

/* Returns: (transfer full): the reader's thread, reading into @pipeline's
 * batches */
static GThread *
start_reader (ImportData            *data,
              Pipeline              *pipeline,
              RsRowSource           *reader,
              const RsMasterColumns *columns,
              GString               *header_text,
              KnownTable            *known)
{
  pipeline->full = g_async_queue_new ();
  pipeline->empty = g_async_queue_new_full ((GDestroyNotify) rs_import_batch_free);
  for (guint i = 0; i < BATCHES_IN_FLIGHT; i++)
    g_async_queue_push (pipeline->empty, rs_import_batch_new ());

  pipeline->reader = reader;
  pipeline->columns = columns;
  pipeline->header_hash = rs_import_hash_header (header_text->str, header_text->len);
  pipeline->known = known;
  pipeline->sources = rs_source_writer_new (data->source_path, rs_store_get_path (data->store));
  pipeline->cancellable = data->cancellable;
  pipeline->deferred = g_array_new (FALSE, FALSE, sizeof (ParsedRow));
  pipeline->candidates = g_ptr_array_new ();
  pipeline->recoded = g_ptr_array_new_with_free_func (rs_import_problem_free);
  pipeline->recoded_known = g_ptr_array_new ();
  pipeline->recoded_values = g_ptr_array_new_with_free_func (g_free);

  return g_thread_new ("rs-import-reader", rs_import_reader_thread, pipeline);
}

/* Stores the rows of the batches the reader fills, to its last batch. */
static gboolean
store_batches (ImportData  *data,
               Statements  *s,
               Pipeline    *pipeline,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean finished = FALSE;
  guint batches = 0;

  while (!finished)
    {
      Batch *batch = g_async_queue_pop (pipeline->full);

      finished = batch->last;
      if (batch->error != NULL && local_error == NULL)
        local_error = g_steal_pointer (&batch->error);

      for (guint i = 0; i < batch->n_rows && local_error == NULL; i++)
        rs_import_store_parsed_row (s, &batch->rows[i], data->summary, &local_error);

      if (local_error == NULL && ++batches % 8 == 0)
        {
          g_cancellable_set_error_if_cancelled (data->cancellable, &local_error);
          /* A file that grew meanwhile fails at its end. */
          if (data->progress != NULL)
            data->progress (batch->size >= 0 ? MIN (batch->position, batch->size)
                                             : batch->position,
                            batch->size, data->progress_data);
        }

      /* On an error the reader is told to stop and drained. */
      if (local_error != NULL)
        g_atomic_int_set (&pipeline->stop, TRUE);

      /* The reader frees the rows, which it allocated, as it reuses the batch. */
      g_async_queue_push (pipeline->empty, batch);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* Once the reader is done: the rows that waited for the end of the file,
 * the fields read as Windows-1252, and the problems in the order of their
 * lines. */
static gboolean
finish_rows (Statements       *s,
             Pipeline         *pipeline,
             RsImportSummary  *summary,
             GError          **error)
{
  if (!rs_import_store_deferred (s, pipeline, summary, error) ||
      !rs_import_add_recoded_problems (s, pipeline, summary, error))
    return FALSE;

  g_ptr_array_sort (summary->problems, compare_problem_lines);
  for (guint i = 0; i < summary->problems->len; i++)
    ((RsImportProblem *) summary->problems->pdata[i])->sheet_row = summary->sheet != NULL;
  rs_change_log_finish (s->changes, summary);

  return TRUE;
}

/* After the rows: what they change for others, and the record of the import */
static gboolean
write_record (ImportData  *data,
              Statements  *s,
              sqlite3     *db,
              const char  *header,
              gboolean     had_respondents,
              GError     **error)
{
  data->summary->import_id = s->import_id;
  data->summary->at = s->now;

  /* The population of the peer benchmark may have changed with the data; the
   * entry in the activity log commits with the import, or neither. */
  return (!had_respondents || rs_import_outdate_colleagues (s, data->summary, error)) &&
         (!had_respondents || data->summary->added + data->summary->updated == 0 ||
          rs_benchmark_outdate_reports (db, s->change, error)) &&
         rs_import_write_log (s, data->summary, header, error) &&
         rs_import_record_write (db, data->summary, error) &&
         rs_import_quality_write (db, data->summary, error) &&
         rs_activity_write_import (db, data->activity, data->started_at, data->summary,
                                   error);
}

static gboolean
import_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  ImportData *data = user_data;
  g_auto(Statements) s = { 0 };
  g_autoptr(RsRowSource) reader = NULL;
  g_autoptr(RsMasterColumns) columns = NULL;
  g_autoptr(KnownTable) known = NULL;
  g_autoptr(GString) header_text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_auto(Pipeline) pipeline = { 0 };
  GThread *thread;
  gboolean had_respondents;

  /* A retried transaction starts over, without the last attempt's file. */
  g_clear_pointer (&data->summary, rs_import_summary_free);
  data->summary = rs_import_summary_new (data->name);
  if (data->source_path != NULL)
    g_unlink (data->source_path);
  g_clear_pointer (&data->source_path, g_free);

  reader = open_reader (data, error);
  if (reader == NULL)
    return FALSE;
  columns = rs_row_source_steal_columns (reader);
  read_header (data, reader, header_text);

  if (!prepare_writing (data, &s, db, reader, error))
    return FALSE;

  known = rs_import_load_known (&s, error);
  if (known == NULL)
    return FALSE;
  /* Without respondents there were no reports to outdate. */
  had_respondents = g_hash_table_size (known->table) > 0;

  thread = start_reader (data, &pipeline, reader, columns, header_text, known);
  store_batches (data, &s, &pipeline, &local_error);
  g_thread_join (thread);

  if (local_error == NULL)
    finish_rows (&s, &pipeline, data->summary, &local_error);
  if (local_error == NULL)
    g_cancellable_set_error_if_cancelled (data->cancellable, &local_error);
  if (local_error == NULL)
    rs_source_writer_wait (pipeline.sources, TRUE, &local_error);
  else
    rs_source_writer_wait (pipeline.sources, FALSE, NULL);
  g_clear_pointer (&pipeline.sources, rs_source_writer_free);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (pipeline.source_size == 0)
    {
      g_unlink (data->source_path);
      g_clear_pointer (&data->source_path, g_free);
    }

  return write_record (data, &s, db, header_text->str, had_respondents, error);
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
static RsImportSummary *
import_run (ImportData  *import,
            GError     **error)
{
  RsStore *store = import->store;
  ImportData data = *import;
  g_autoptr(GError) import_error = NULL;
  sqlite3 *db;
  gboolean written;

  data.started_at = g_get_real_time () / G_USEC_PER_SEC;
  /* On record as running from here: an import killed half-way is in the
   * log too (as interrupted); its transaction completes the entry. */
  data.activity = rs_activity_begin (store, RS_ACTIVITY_IMPORT, data.name, FALSE);

  /* Settings of this thread's own connection for the import alone; they
   * cannot change inside a transaction.
   * - The import writes delivery and history rows only for the respondent it
   *   has just written, so checking every reference against respondent
   *   proves nothing, and costs a third of the writing.
   * - The commit waits until the write-ahead log is on disk, so an import
   *   that returned is kept, but it does not also copy the log into the
   *   database (0.2 s for 100,000 respondents): rs_store_checkpoint() does
   *   that afterwards, or else the next write.
   * The page cache stays as small as it is: the import's pages spill into
   * the log as they fill, so that fewer are left to write at the commit. A
   * cache of 16 MB made the import 5 % slower. */
  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;
  rs_store_exec (db,
                 "PRAGMA foreign_keys = OFF; PRAGMA synchronous = FULL;"
                 " PRAGMA wal_autocheckpoint = 0",
                 NULL);
  written = rs_store_write (store, import_transaction, &data, &import_error);
  rs_store_exec (db,
                 "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                 " PRAGMA wal_autocheckpoint = 1000",
                 NULL);

  if (!written)
    {
      /* An import that did not commit is in the activity log too, with why. */
      rs_activity_record_import_failure (store, data.activity, data.started_at, data.name,
                                         import_error);
      g_propagate_error (error, g_steal_pointer (&import_error));
      /* Nothing points at the source file of an import that did not commit. */
      if (data.source_path != NULL)
        g_unlink (data.source_path);
      g_free (data.source_path);
      g_clear_pointer (&data.summary, rs_import_summary_free);
      return NULL;
    }

  g_free (data.source_path);

  {
    g_autofree char *sources_dir = rs_store_get_sources_dir (store);
    UnusedSources unused = { sources_dir, data.import_id };
    g_autoptr(GArray) others = rs_import_list_other_sources (sources_dir, data.import_id);
    g_autoptr(GError) local_error = NULL;

    /* Files are removed only under the write lock, so seeing none here
     * means there is none to remove; after a first import there is none. */
    if (others->len > 0 &&
        !rs_store_write (store, rs_import_remove_unused_sources, &unused, &local_error))
      g_debug ("Unused source files stay: %s", local_error->message);
  }

  return data.summary;
}

RsImportSummary *
rs_import_file (RsStore               *store,
                GFile                 *file,
                RsImportProgressFunc   progress,
                gpointer               progress_data,
                GCancellable          *cancellable,
                GError               **error)
{
  return rs_import_file_full (store, file, NULL, progress, progress_data, cancellable, error);
}

/**
 * rs_import_file_full:
 *
 * As rs_import_file(), from a CSV file or a workbook's @sheet.
 */
RsImportSummary *
rs_import_file_full (RsStore               *store,
                     GFile                 *file,
                     const char            *sheet,
                     RsImportProgressFunc   progress,
                     gpointer               progress_data,
                     GCancellable          *cancellable,
                     GError               **error)
{
  g_autofree char *name = NULL;
  ImportData data = {
    .store = store,
    .file = file,
    .sheet = sheet,
    .progress = progress,
    .progress_data = progress_data,
    .cancellable = cancellable,
  };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = g_file_get_parse_name (file);
  data.name = name;

  return import_run (&data, error);
}

/**
 * rs_import_stream:
 * @name: what to call @stream in the summary and in messages, such as
 *   "standard input"
 *
 * As rs_import_file(), from a stream read once from where it is: a pipe,
 * a FIFO, standard input.
 */
RsImportSummary *
rs_import_stream (RsStore               *store,
                  GInputStream          *stream,
                  const char            *name,
                  RsImportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  ImportData data = {
    .store = store,
    .stream = stream,
    .name = name,
    .progress = progress,
    .progress_data = progress_data,
    .cancellable = cancellable,
  };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return import_run (&data, error);
}

typedef struct
{
  GFile *file;
  char *sheet;
  RsImportProgressFunc progress;
  gpointer progress_data;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *async_data = data;

  g_clear_object (&async_data->file);
  g_free (async_data->sheet);
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

  rs_thread_set_background ();
  summary = rs_import_file_full (store, data->file, data->sheet, data->progress,
                                 data->progress_data, cancellable, &error);
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
  rs_import_file_full_async (store, file, NULL, progress, progress_data, cancellable, callback,
                             user_data);
}

/**
 * rs_import_file_full_async:
 * @sheet: (nullable): as for rs_import_file_full()
 *
 * As rs_import_file_async(); finish with rs_import_file_finish().
 */
void
rs_import_file_full_async (RsStore               *store,
                           GFile                 *file,
                           const char            *sheet,
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
  data->sheet = g_strdup (sheet);
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

static void
list_sheets_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  GStrv sheets = rs_row_source_list_sheets (task_data, cancellable, &error);

  if (sheets == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, sheets, (GDestroyNotify) g_strfreev);
}

void
rs_import_list_sheets_async (GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_import_list_sheets_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, list_sheets_thread);
}

GStrv
rs_import_list_sheets_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

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
    case RS_IMPORT_PROBLEM_ENCODING:
      what = _("imported, check the text");
      break;
    case RS_IMPORT_PROBLEM_RENAMED:
      what = _("updated");
      break;
    case RS_IMPORT_PROBLEM_DUPLICATE:
    default:
      what = _("duplicate");
      break;
    }

  if (problem->sheet_row && problem->person != NULL && problem->person[0] != '\0')
    /* Translators: a workbook's row number, person, what happened, why */
    return g_strdup_printf (_("Row %u (%s): %s: %s"), problem->line, problem->person, what,
                            problem->reason);
  if (problem->sheet_row)
    /* Translators: a workbook's row number, what happened, why */
    return g_strdup_printf (_("Row %u: %s: %s"), problem->line, what, problem->reason);

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
  GString *text = g_string_new (NULL);

  /* Translators: the counts of an import */
  g_string_append_printf (text, _("%u new, %u updated, %u unchanged, %u skipped, %u flagged, "
                                  "%u duplicates"),
                          summary->added, summary->updated, summary->unchanged,
                          summary->skipped, summary->flagged, summary->duplicates);
  /* What asks to be looked at, only when there is some */
  if (summary->renamed > 0)
    g_string_append_printf (text, ngettext ("; %u name changed", "; %u names changed",
                                            summary->renamed),
                            summary->renamed);
  if (summary->recoded > 0)
    g_string_append_printf (text, ngettext ("; %u field not in UTF-8, read as Windows-1252",
                                            "; %u fields not in UTF-8, read as Windows-1252",
                                            summary->recoded),
                            summary->recoded);
  if (summary->change_groups != NULL)
    {
      guint formulas = 0;

      for (guint i = 0; i < summary->change_groups->len; i++)
        {
          const RsImportChangeGroup *group = g_ptr_array_index (summary->change_groups, i);

          if (group->kind == RS_MASTER_CHANGE_FORMULA)
            formulas += group->count;
        }
      if (formulas > 0)
        g_string_append_printf (text, ngettext ("; %u formula had no calculated value and was "
                                                "read as missing: open the workbook in Excel or "
                                                "LibreOffice, save it and import it again",
                                                "; %u formulas had no calculated value and were "
                                                "read as missing: open the workbook in Excel or "
                                                "LibreOffice, save it and import it again",
                                                formulas),
                                formulas);
    }
  if (summary->ignored > 0)
    {
      g_autofree char *first = NULL;
      const char *text_in = summary->ignored_text != NULL ? summary->ignored_text : "";

      /* At most 60 characters of it */
      if (g_utf8_strlen (text_in, -1) > 60)
        {
          g_autofree char *cut = g_utf8_substring (text_in, 0, 60);

          first = g_strconcat (cut, "…", NULL);
        }
      else
        first = g_strdup (text_in);
      /* Translators: the rows above a master file's header row, and the first of them */
      g_string_append_printf (text, ngettext ("; ignored %u line above the header: %s",
                                              "; ignored %u lines above the header: %s",
                                              summary->ignored),
                              summary->ignored, first);
    }

  return g_string_free (text, FALSE);
}
