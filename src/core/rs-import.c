/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 * (see resolve_renames()); what they were sent is never touched, except that
 * `reportsent` in the file may mark a pending respondent as sent.
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

#define PROGRESS_EVERY_ROWS 2048
#define SOURCE_SEPARATOR '\x1f'

enum {
  STMT_EXISTING,
  STMT_INSERT,
  STMT_UPDATE,
  STMT_DELETE_SOURCE,
  STMT_NEXT_IMPORT,
  STMT_LOG,
  STMT_SOURCES_USED,
  STMT_CORRECTED,
  STMT_CORRECTION_FILE,
  STMT_CORRECTION_AGREED,
  STMT_UPDATE_CORRECTED,
  STMT_NAME_BEFORE,
  N_STMTS
};

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
} ImportData;

/* One per identity key. The reader thread alone looks keys up and adds
 * them; the writer gets the entry with the row and alone touches id and
 * hash. */
typedef struct _Known
{
  /* Written by the writer: 0 until the respondent is in the database. */
  gint64 id;
  guint64 hash;
  /* As it was before this import, to count a respondent whose rows come
   * twice by the last of them. */
  guint64 stored_hash;
  guint stored : 1;
  /* Someone corrected the respondent by hand: see keep_corrections() */
  guint corrected : 1;
  /* Written by the reader: where the key was first seen in this file. */
  guint first_line;
  /* A stored respondent: the next stored one with the same address in the
   * same company. A new key: the first stored one with its address, when
   * there is one (see resolve_renames()). */
  struct _Known *same_address;
  /* Set at the end: the stored respondent a new key turned out to be. */
  struct _Known *renamed;
  /* The key it was added with: for a stored respondent the stored one */
  const char *key;
} Known;

/* The hand values of a corrected respondent's name and address, which
 * decide whether they can be sent. */
typedef struct
{
  char *person;
  char *email;
} Hand;

/* Identity key -> Known. Keys and entries are allocated in blocks: there is
 * one of each for every respondent, and freeing them one by one took longer
 * than filling the table. Entries never move once added.
 *
 * A row as stored has the hash it was stored with, and a row says whom it
 * is about, so a row with a stored hash is that respondent's, unchanged:
 * by_hash finds it without reading who it is about, which is most of what
 * reading an unchanged row costs. It holds the stored respondents without
 * a problem; NULL for a hash that two of them share. */
typedef struct
{
  GHashTable *table;
  GHashTable *by_hash;
  GStringChunk *keys;
  GPtrArray *blocks;
  guint used;
  /* Known -> Hand, for the corrected respondents; NULL when there are none */
  GHashTable *hand;
  guint n_stored;
  /* Company and address (in the form of identity keys) -> the first of the
   * stored respondents with them, linked by same_address. Made when a row
   * first needs it: most imports never do. */
  GHashTable *by_address;
} KnownTable;

#define KNOWN_BLOCK 4096

static guint64 hash_bytes (guint64     hash,
                           const char *data,
                           gsize       len);

/* Keys are long: eight bytes at a time beats g_str_hash()'s one. */
static guint
key_hash (gconstpointer key)
{
  guint64 hash = hash_bytes (0, key, strlen (key));

  return (guint) (hash ^ (hash >> 32));
}

static KnownTable *
known_table_new (void)
{
  KnownTable *self = g_new0 (KnownTable, 1);

  self->table = g_hash_table_new (key_hash, g_str_equal);
  self->by_hash = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->keys = g_string_chunk_new (64 * 1024);
  self->blocks = g_ptr_array_new_with_free_func (g_free);

  return self;
}

static void
known_table_free (KnownTable *self)
{
  g_hash_table_unref (self->table);
  g_hash_table_unref (self->by_hash);
  g_string_chunk_free (self->keys);
  g_ptr_array_unref (self->blocks);
  g_clear_pointer (&self->hand, g_hash_table_unref);
  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KnownTable, known_table_free)

/* Returns: (transfer none): a new entry for @key, all zero */
static Known *
known_table_add (KnownTable *self,
                 const char *key)
{
  Known *known;

  if (self->blocks->len == 0 || self->used == KNOWN_BLOCK)
    {
      g_ptr_array_add (self->blocks, g_new0 (Known, KNOWN_BLOCK));
      self->used = 0;
    }
  known = (Known *) g_ptr_array_index (self->blocks, self->blocks->len - 1) + self->used++;
  known->key = g_string_chunk_insert (self->keys, key);
  g_hash_table_insert (self->table, (gpointer) known->key, known);

  return known;
}

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *stmts[N_STMTS];
  gint64 now;
  /* The change counter's number for every row the import writes */
  gint64 change;
  gint64 import_id;
  const char *sent_note;
  RsDelivery *delivery;
  /* Every value not used as the file has it: see rs-import-record.c */
  RsChangeLog *changes;
} Statements;

static void
statements_clear (Statements *s)
{
  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&s->stmts[i], sqlite3_finalize);
  g_clear_pointer (&s->delivery, rs_delivery_free);
  g_clear_pointer (&s->changes, rs_change_log_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statements, statements_clear)

static void
problem_free (gpointer data)
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
  summary->problems = g_ptr_array_new_with_free_func (problem_free);
  summary->change_groups = g_ptr_array_new_with_free_func (rs_import_change_group_free);

  return summary;
}

static RsImportProblem *
problem_new (RsImportProblemKind  kind,
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

static void
add_problem (RsImportSummary     *summary,
             RsImportProblemKind  kind,
             guint                line,
             const char          *person,
             const char          *reason)
{
  g_ptr_array_add (summary->problems, problem_new (kind, line, person, reason));
}

/* Only to notice that a row changed since the last import: eight bytes at a
 * time, mixed with a multiply and a shift. Stored hashes are compared with
 * new ones, so this must never change. */
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

/* hash_bytes() of @data followed by @n_pad separators: the hash of a row
 * as it was stored before its trailing empty fields were left out. */
static guint64
hash_bytes_padded (guint64     hash,
                   const char *data,
                   gsize       len,
                   gsize       n_pad)
{
  const guint64 k = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  gsize total = len + n_pad;
  guint64 pad_word;
  gsize i = 0;

  if (n_pad == 0)
    return hash_bytes (hash, data, len);

  memset (&pad_word, SOURCE_SEPARATOR, sizeof pad_word);
  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
    }
  /* The word that holds the end of the data and the first separators */
  if (i < len && i + 8 <= total)
    {
      char buf[8];
      guint64 word;

      memcpy (buf, data + i, len - i);
      memset (buf + (len - i), SOURCE_SEPARATOR, 8 - (len - i));
      memcpy (&word, buf, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
      i += 8;
    }
  for (; i + 8 <= total; i += 8)
    {
      hash = (hash ^ pad_word) * k;
      hash ^= hash >> 29;
    }
  for (; i < total; i++)
    {
      hash = (hash ^ (guchar) (i < len ? data[i] : SOURCE_SEPARATOR)) * k;
      hash ^= hash >> 29;
    }

  return hash ^ total;
}

static guint64
hash_header (const char *header,
             gsize       len)
{
  return hash_bytes (G_GUINT64_CONSTANT (0xcbf29ce484222325), header, len);
}

/**
 * rs_import_hash_source:
 * @header: the header as stored in import_log
 * @source: a source row as the import stored it
 *
 * Returns: the source_hash the import gave that row
 */
guint64
rs_import_hash_source (const char *header,
                       const char *source,
                       gsize       source_len)
{
  guint header_fields = 1;
  guint source_fields = 1;

  g_return_val_if_fail (header != NULL, 0);
  g_return_val_if_fail (source != NULL || source_len == 0, 0);

  /* A row is stored without its trailing empty fields, and hashed with
   * them, as the header has them. */
  for (const char *p = header; *p != '\0'; p++)
    header_fields += *p == SOURCE_SEPARATOR;
  for (gsize i = 0; i < source_len; i++)
    source_fields += source[i] == SOURCE_SEPARATOR;

  return hash_bytes_padded (hash_header (header, strlen (header)), source, source_len,
                            header_fields > source_fields ? header_fields - source_fields : 0);
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

/* Reading and mapping the file runs in a thread of its own, a batch of rows
 * ahead of the thread that writes them to the database. */

#define BATCH_ROWS 256
#define BATCHES_IN_FLIGHT 8

typedef struct
{
  RsMasterRowKind kind;
  RsMasterRow row;
  guint line;
  guint64 hash;
  Known *known;
  /* The line where this respondent came first, 0 when this is it. */
  guint duplicate_of;
  /* In the source file; -1 when the row was not written to it. */
  gint64 source_offset;
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
  RsRowSource *reader;
  const RsMasterColumns *columns;
  guint64 header_hash;
  /* Read in one pass instead of a look-up a row */
  KnownTable *known;
  RsSourceWriter *sources;
  gint64 source_size;
  GCancellable *cancellable;
  GAsyncQueue *full;
  GAsyncQueue *empty;
  gint stop;
  /* Written by the reader, read by the writer once the reader is done:
   * the rows of new keys with the address of a stored respondent, stored
   * last (see resolve_renames()), and those keys */
  GArray *deferred;
  GPtrArray *candidates;
  /* The fields read as Windows-1252 so far, each with the row's entry */
  guint n_recoded;
  GPtrArray *recoded;
  GPtrArray *recoded_known;
  GPtrArray *recoded_values;
} Pipeline;

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
  if (!step_done (s, stmt, error))
    return FALSE;

  stmt = s->stmts[STMT_CORRECTION_AGREED];
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_done (s, stmt, error))
    return FALSE;

  stmt = s->stmts[STMT_UPDATE_CORRECTED];
  sqlite3_bind_int64 (stmt, 1, id);
  bind_row (stmt, parsed, s->import_id, s->now, s->change);
  sqlite3_bind_text (stmt, 32, row->identity_key, -1, SQLITE_STATIC);

  return step_done (s, stmt, error);
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
      if (!step_done (s, stmt, error))
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
              if (!step_done (s, stmt, error))
                return FALSE;
            }

          stmt = s->stmts[STMT_DELETE_SOURCE];
          sqlite3_bind_int64 (stmt, 1, id);
          if (!step_done (s, stmt, error))
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

static gboolean
prepare_statements (Statements  *s,
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

static void
hand_free (gpointer data)
{
  Hand *hand = data;

  g_free (hand->person);
  g_free (hand->email);
  g_free (hand);
}

/* Marks the respondents corrected by hand. A file that has their corrected
 * name or address (a newer export, fixed at the source) is about them too:
 * their identity with the hand values finds them. */
static gboolean
load_corrected (Statements  *s,
                KnownTable  *known,
                GError     **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_CORRECTED];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *person = (const char *) sqlite3_column_text (stmt, 2);
      const char *email = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *hand_key = NULL;
      Known *entry = g_hash_table_lookup (known->table, key);
      Hand *hand;

      if (entry == NULL)
        continue;
      entry->corrected = TRUE;

      hand = g_new0 (Hand, 1);
      if (sqlite3_column_int (stmt, 4))
        hand->person = g_strdup (person);
      if (sqlite3_column_int (stmt, 5))
        hand->email = g_strdup (email);
      if (known->hand == NULL)
        known->hand = g_hash_table_new_full (NULL, NULL, NULL, hand_free);
      g_hash_table_insert (known->hand, entry, hand);

      hand_key = rs_master_identity_key ((const char *) sqlite3_column_text (stmt, 1),
                                         person, email);
      if (!g_hash_table_contains (known->table, hand_key))
        g_hash_table_insert (known->table, g_string_chunk_insert (known->keys, hand_key), entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (s->db, rc, error);

  return TRUE;
}

static KnownTable *
load_known (Statements  *s,
            GError     **error)
{
  g_autoptr(KnownTable) known = known_table_new ();
  sqlite3_stmt *stmt = s->stmts[STMT_EXISTING];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Known *entry = known_table_add (known, (const char *) sqlite3_column_text (stmt, 0));

      entry->id = sqlite3_column_int64 (stmt, 1);
      entry->hash = (guint64) sqlite3_column_int64 (stmt, 2);
      entry->stored_hash = entry->hash;
      entry->stored = TRUE;
      known->n_stored++;

      /* Rows imported before hashes were kept have none. */
      if (sqlite3_column_type (stmt, 2) == SQLITE_NULL || sqlite3_column_int (stmt, 3))
        continue;
      if (!g_hash_table_insert (known->by_hash, &entry->stored_hash, entry))
        g_hash_table_insert (known->by_hash, &entry->stored_hash, NULL);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (s->db, rc, error);
      return NULL;
    }

  if (!load_corrected (s, known, error))
    return NULL;

  return g_steal_pointer (&known);
}

/* The import's number, for its source file and its rows: that of its row
 * in import_log, which is written at the end. A page written at the start
 * and again at the end would be written twice into the log, and SQLite then
 * reads the whole log back at the commit to check it. The write lock keeps
 * the number from being taken meanwhile. */
static gboolean
choose_import_id (Statements  *s,
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

static gboolean
write_log (Statements       *s,
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

  return step_done (s, stmt, error);
}

/* A report shows the averages of the respondent's company, so a colleague
 * added or changed by this import makes it outdated, though the respondent's
 * own data is the same. Companies are matched as the report job groups them,
 * merges included. */
static gboolean
outdate_colleagues (Statements       *s,
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
static GArray *
list_other_sources (const char *dir_path,
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

typedef struct
{
  const char *dir;
  /* The import that just committed, whose file is in use */
  gint64 current;
} UnusedSources;

/* Removes the source files that no respondent points at: those of imports
 * whose rows all changed since, and those of imports that never committed.
 * In a write transaction of its own after an import, so that no other import
 * is making a file meanwhile and a failed import changes nothing. */
static gboolean
remove_unused_sources (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  UnusedSources *unused = user_data;
  g_autoptr(GArray) ids = list_other_sources (unused->dir, unused->current);
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

/* The fields joined by SOURCE_SEPARATOR, which is made a space inside them.
 * @row holds the fields one after the other, each ended by a NUL, and has
 * no other NUL: each NUL but the last becomes a separator. */
static void
append_source (GString    *out,
               const char *row,
               gsize       row_len)
{
  gsize start = out->len;
  gsize len;
  char *to;
  gsize i = 0;

  if (row_len == 0)
    return;

  len = row_len - 1;
  g_string_set_size (out, start + len);
  to = out->str + start;

#ifdef __SSE2__
  {
    const __m128i nul = _mm_setzero_si128 ();
    const __m128i separator = _mm_set1_epi8 (SOURCE_SEPARATOR);
    const __m128i space = _mm_set1_epi8 (' ');

    for (; i + 16 <= len; i += 16)
      {
        __m128i block = _mm_loadu_si128 ((const __m128i *) (row + i));
        __m128i ends = _mm_cmpeq_epi8 (block, nul);
        __m128i inside = _mm_cmpeq_epi8 (block, separator);

        block = _mm_or_si128 (_mm_andnot_si128 (inside, block), _mm_and_si128 (inside, space));
        block = _mm_or_si128 (block, _mm_and_si128 (ends, separator));
        _mm_storeu_si128 ((__m128i *) (to + i), block);
      }
  }
#endif
  for (; i < len; i++)
    {
      char c = row[i];

      to[i] = c == '\0' ? SOURCE_SEPARATOR : c == SOURCE_SEPARATOR ? ' ' : c;
    }
}

/* The company and address parts of an identity key: who shares an address
 * with whom. */
static char *
address_of_key (const char *key)
{
  const char *first = strchr (key, '\x1f');
  const char *last = strrchr (key, '\x1f');

  if (first == NULL)
    return g_strdup (key);

  return g_strdup_printf ("%.*s\x1f%s", (int) (first - key), key, last + 1);
}

/* Under their stored keys: a corrected respondent is in the table under
 * the key of their hand values too, but the stored key follows the file. */
static void
index_addresses (KnownTable *known)
{
  known->by_address = g_hash_table_new (key_hash, g_str_equal);

  for (guint b = 0; b < known->blocks->len; b++)
    {
      Known *block = g_ptr_array_index (known->blocks, b);
      guint n = b + 1 < known->blocks->len ? KNOWN_BLOCK : known->used;

      for (guint i = 0; i < n; i++)
        {
          Known *entry = &block[i];
          g_autofree char *address = NULL;
          Known *head;

          if (!entry->stored)
            continue;

          address = address_of_key (entry->key);
          head = g_hash_table_lookup (known->by_address, address);
          entry->same_address = head;
          /* A key already there stays, so only a new one needs keeping. */
          g_hash_table_insert (known->by_address,
                               head != NULL ? address
                                            : g_string_chunk_insert (known->keys, address),
                               entry);
        }
    }
}

/* The first of the stored respondents of the company of @row with its
 * address, if any. */
static Known *
find_same_address (KnownTable        *known,
                   const RsMasterRow *row)
{
  g_autofree char *address = NULL;

  if (!rs_master_email_is_valid (row->email))
    return NULL;

  if (known->by_address == NULL)
    index_addresses (known);

  address = address_of_key (row->identity_key);
  return g_hash_table_lookup (known->by_address, address);
}

/* Whether a corrected respondent can be sent is judged on their hand
 * values: the rule of rs_master_read_row_identity(), on their row with the
 * hand values in it, gives the kind of @row and its problem. */
static RsMasterRowKind
judge_with_hand (Pipeline            *pipeline,
                 const Known         *known,
                 const char * const  *fields,
                 guint                n_fields,
                 RsMasterRow         *row)
{
  const RsMasterColumns *columns = pipeline->columns;
  Hand *hand = g_hash_table_lookup (pipeline->known->hand, known);
  const char **with_hand = g_newa (const char *, n_fields + 1);
  g_auto(RsMasterRow) judged = { 0 };
  RsMasterRowKind kind;

  memcpy (with_hand, fields, n_fields * sizeof *fields);
  if (hand->person != NULL && columns->person >= 0 && (guint) columns->person < n_fields)
    with_hand[columns->person] = hand->person;
  if (hand->email != NULL && columns->email >= 0 && (guint) columns->email < n_fields)
    with_hand[columns->email] = hand->email;
  kind = rs_master_read_row_identity (columns, with_hand, n_fields, &judged);

  g_free (row->problem);
  row->problem = g_steal_pointer (&judged.problem);

  return kind;
}

static gboolean
column_is_used (const RsMasterColumns *columns,
                int                    column)
{
  if (column == columns->company || column == columns->person || column == columns->email
      || column == columns->function || column == columns->submitted_at
      || column == columns->report_sent || column == columns->version
      || column == columns->language || column == columns->sector)
    return TRUE;
  for (guint i = 0; i < RS_N_SCORES; i++)
    if (column == columns->scores[i])
      return TRUE;

  return FALSE;
}

/* The cells of a workbook's row that were read as empty though they are
 * not (a formula without a calculated value, an error value), as changed
 * values, in the columns the import reads. */
static void
add_reader_notes (Pipeline    *pipeline,
                  RsMasterRow *row,
                  guint        n_fields)
{
  guint n = rs_row_source_get_n_notes (pipeline->reader);

  for (guint i = 0; i < n; i++)
    {
      guint column;
      RsXlsxNoteKind kind;
      const char *value = rs_row_source_get_note (pipeline->reader, i, &column, &kind);

      if (column >= n_fields || !column_is_used (pipeline->columns, (int) column))
        continue;
      rs_master_row_add_change (row, (int) column,
                                kind == RS_XLSX_NOTE_FORMULA_WITHOUT_VALUE
                                  ? RS_MASTER_CHANGE_FORMULA : RS_MASTER_CHANGE_ERROR_VALUE,
                                value, NULL);
    }
}

/* A row skipped for its company, which is an error value (#N/A) the
 * reader read as missing, says so. */
static void
explain_skip (Pipeline    *pipeline,
              RsMasterRow *row)
{
  guint n = rs_row_source_get_n_notes (pipeline->reader);

  for (guint i = 0; i < n; i++)
    {
      guint column;
      RsXlsxNoteKind kind;
      const char *value = rs_row_source_get_note (pipeline->reader, i, &column, &kind);

      if ((int) column != pipeline->columns->company)
        continue;
      g_free (row->problem);
      if (kind == RS_XLSX_NOTE_ERROR_VALUE)
        /* Translators: an error value of a spreadsheet, such as #N/A */
        row->problem = g_strdup_printf (_("no company name (the cell has the error value “%s”)"),
                                        value);
      else
        row->problem = g_strdup (_("no company name (the cell has a formula without a "
                                   "calculated value: open and save the workbook in Excel or "
                                   "LibreOffice)"));
      return;
    }
}

/* Returns: whether the row waits for the end of the file (see
 * resolve_renames()) */
static gboolean
read_one_row (Pipeline            *pipeline,
              Batch               *batch,
              ParsedRow           *parsed,
              const char * const  *fields,
              guint                n_fields)
{
  gsize row_len;
  const char *row = rs_row_source_get_row_data (pipeline->reader, &row_len);
  gsize source_start = batch->sources->len;
  Known *known;

  gsize kept = row_len;

  parsed->line = rs_row_source_get_line (pipeline->reader);
  parsed->ragged = NULL;
  parsed->known = NULL;
  parsed->duplicate_of = 0;
  parsed->source_offset = -1;

  /* Stored without its trailing empty fields, which a workbook may have
   * thousands of (a note far right of the header), and hashed with them,
   * so that the hash is the one earlier imports stored. */
  while (kept >= 2 && row[kept - 2] == '\0')
    kept--;
  append_source (batch->sources, row, kept);
  parsed->source_len = batch->sources->len - source_start;
  parsed->hash = hash_bytes_padded (pipeline->header_hash, batch->sources->str + source_start,
                                    parsed->source_len, row_len - kept);

  /* A row as stored, seen first: the writer needs no more than whom it is
   * about and whether it says sent. See KnownTable. */
  known = g_hash_table_lookup (pipeline->known->by_hash, &parsed->hash);
  if (known != NULL && known->first_line == 0)
    {
      memset (&parsed->row, 0, sizeof parsed->row);
      parsed->row.report_sent = rs_master_read_report_sent (pipeline->columns, fields, n_fields);
      parsed->kind = RS_MASTER_ROW_OK;
      parsed->known = known;
      known->first_line = parsed->line;
      g_string_truncate (batch->sources, source_start);
      return FALSE;
    }

  parsed->kind = rs_master_read_row_identity (pipeline->columns, fields, n_fields,
                                              &parsed->row);

  if (parsed->kind == RS_MASTER_ROW_SKIPPED)
    {
      g_string_truncate (batch->sources, source_start);
      g_clear_pointer (&parsed->row.changes, g_array_unref);
      explain_skip (pipeline, &parsed->row);
      return FALSE;
    }

  known = g_hash_table_lookup (pipeline->known->table, parsed->row.identity_key);
  if (known == NULL)
    {
      known = known_table_add (pipeline->known, parsed->row.identity_key);
      /* A row without a name renames no one: it would wipe the stored
       * name and leave the respondent unsendable. */
      if (pipeline->known->n_stored > 0 && parsed->row.person[0] != '\0')
        known->same_address = find_same_address (pipeline->known, &parsed->row);
      if (known->same_address != NULL)
        g_ptr_array_add (pipeline->candidates, known);
    }
  parsed->known = known;
  parsed->duplicate_of = known->first_line;
  if (known->first_line == 0)
    known->first_line = parsed->line;

  /* What the writer may store: see store_row(). Of a row as stored it
   * needs no more than who it is about. */
  if (!known->stored || known->stored_hash != parsed->hash || parsed->duplicate_of != 0)
    {
      parsed->source_offset = pipeline->source_size + (gint64) source_start;
      rs_master_read_row_details (pipeline->columns, fields, n_fields, &parsed->row);
      if (G_UNLIKELY (rs_row_source_get_n_notes (pipeline->reader) > 0))
        add_reader_notes (pipeline, &parsed->row, n_fields);
    }
  else
    {
      /* Not written: what this import changes are the rows it writes. */
      g_string_truncate (batch->sources, source_start);
      g_clear_pointer (&parsed->row.changes, g_array_unref);
    }

  if (G_UNLIKELY (known->corrected))
    parsed->kind = judge_with_hand (pipeline, known, fields, n_fields, &parsed->row);

  return !known->stored && known->same_address != NULL;
}

/* The fields of the row just read that were read as Windows-1252, and
 * those of the header before the first row. */
static void
note_recoded (Pipeline            *pipeline,
              const char * const  *fields,
              guint                n_fields,
              Known               *known)
{
  guint line = rs_row_source_get_line (pipeline->reader);
  const char * const *header;
  const RsCsvRecoded *recoded;
  guint n_header;
  guint n;

  recoded = rs_row_source_get_recoded (pipeline->reader, &n);
  if (G_LIKELY (pipeline->n_recoded == n))
    return;

  header = rs_row_source_get_header (pipeline->reader, &n_header);
  for (; pipeline->n_recoded < n; pipeline->n_recoded++)
    {
      const RsCsvRecoded *field = &recoded[pipeline->n_recoded];
      int person_column = pipeline->columns->person;
      g_autofree char *person = NULL;
      g_autofree char *reason = NULL;
      gboolean this_row = field->line == line && fields != NULL;

      if (this_row && person_column >= 0 && (guint) person_column < n_fields)
        person = g_strstrip (g_strdup (fields[person_column]));
      reason = g_strdup_printf (_("the text in column “%s” is not valid UTF-8 and was read as "
                                  "Windows-1252: check it"),
                                field->column < n_header ? header[field->column] : "");
      g_ptr_array_add (pipeline->recoded,
                       problem_new (RS_IMPORT_PROBLEM_ENCODING, field->line, person, reason));
      g_ptr_array_add (pipeline->recoded_known, this_row ? known : NULL);
      g_ptr_array_add (pipeline->recoded_values,
                       g_strdup (this_row && field->column < n_fields ? fields[field->column]
                                 : field->column < n_header ? header[field->column] : NULL));
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
          gboolean ragged;

          if (g_atomic_int_get (&pipeline->stop))
            {
              done = TRUE;
              break;
            }

          if (!rs_row_source_next_row (pipeline->reader, &fields, &n_fields, &ragged,
                                       pipeline->cancellable, &error))
            {
              if (ragged)
                {
                  memset (parsed, 0, sizeof *parsed);
                  parsed->line = rs_row_source_get_line (pipeline->reader);
                  parsed->ragged = g_strdup (error->message);
                  note_recoded (pipeline, fields, n_fields, NULL);
                  batch->n_rows++;
                  continue;
                }

              if (error != NULL)
                batch->error = g_steal_pointer (&error);
              done = TRUE;
              break;
            }

          if (read_one_row (pipeline, batch, parsed, fields, n_fields))
            g_array_append_val (pipeline->deferred, *parsed);
          else
            batch->n_rows++;
          note_recoded (pipeline, fields, n_fields, parsed->known);
        }

      /* The sources go to the writer's thread; the rows keep where they are. */
      if (batch->error == NULL && !g_atomic_int_get (&pipeline->stop))
        {
          pipeline->source_size += batch->sources->len;
          rs_source_writer_write (pipeline->sources, g_steal_pointer (&batch->sources));
          batch->sources = rs_source_writer_get_buffer (pipeline->sources);
          if (done)
            rs_source_writer_close (pipeline->sources);
          else if (rs_source_writer_has_failed (pipeline->sources))
            done = TRUE;
        }

      batch->last = done;
      batch->position = rs_row_source_get_position (pipeline->reader);
      batch->size = rs_row_source_get_size (pipeline->reader);
      g_async_queue_push (pipeline->full, batch);
    }

  return NULL;
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

static gboolean
store_parsed_row (Statements       *s,
                  ParsedRow        *parsed,
                  RsImportSummary  *summary,
                  GError          **error)
{
  RsMasterRow *row = &parsed->row;
  guint first_problem;

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

  if (G_LIKELY (parsed->kind != RS_MASTER_ROW_FLAGGED && parsed->duplicate_of == 0))
    return store_row (s, parsed, summary, error) && log_changes (s, parsed, summary, error);

  first_problem = summary->problems->len;
  if (parsed->kind == RS_MASTER_ROW_FLAGGED)
    {
      summary->flagged++;
      add_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, parsed->line, row->person, row->problem);
    }

  if (parsed->duplicate_of != 0)
    {
      g_autofree char *reason = NULL;

      reason = g_strdup_printf (_("the same respondent as on line %u; this later row is used"),
                                parsed->duplicate_of);
      summary->duplicates++;
      add_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, parsed->line, row->person, reason);
    }

  if (!store_row (s, parsed, summary, error) || !log_changes (s, parsed, summary, error))
    return FALSE;

  /* Stored, so its id is known: the details of the import can open it. */
  for (guint i = first_problem; i < summary->problems->len; i++)
    ((RsImportProblem *) summary->problems->pdata[i])->respondent_id = parsed->known->id;

  return TRUE;
}

/* A new key in the file with the address of stored respondents of its
 * company is one of them under a new name when the file has no row for
 * exactly one of them, and no other new key has that address. Otherwise
 * the name decides: people who share an address stay apart, and the new
 * key is someone new. */
static void
resolve_renames (GPtrArray *candidates)
{
  g_autoptr(GHashTable) per_address = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      Known *candidate = g_ptr_array_index (candidates, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_address, candidate->same_address));

      g_hash_table_insert (per_address, candidate->same_address, GUINT_TO_POINTER (n + 1));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      Known *candidate = g_ptr_array_index (candidates, i);
      Known *unclaimed = NULL;
      guint n_unclaimed = 0;

      if (GPOINTER_TO_UINT (g_hash_table_lookup (per_address, candidate->same_address)) != 1)
        continue;

      for (Known *stored = candidate->same_address; stored != NULL; stored = stored->same_address)
        {
          if (stored->first_line == 0)
            {
              unclaimed = stored;
              n_unclaimed++;
            }
        }
      if (n_unclaimed == 1)
        candidate->renamed = unclaimed;
    }
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
  problem = problem_new (RS_IMPORT_PROBLEM_RENAMED, parsed->line, parsed->row.person, reason);
  problem->respondent_id = id;
  g_ptr_array_add (summary->problems, problem);
  summary->renamed++;

  return TRUE;
}

/* The rows that waited for the end of the file, in their order. */
static gboolean
store_deferred (Statements       *s,
                Pipeline         *pipeline,
                RsImportSummary  *summary,
                GError          **error)
{
  resolve_renames (pipeline->candidates);

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

      if (!store_parsed_row (s, parsed, summary, error))
        return FALSE;
    }

  return TRUE;
}

/* The fields read as Windows-1252 are problems of a file in UTF-8; a file
 * in Windows-1252 has no other fields. */
static gboolean
add_recoded_problems (Statements       *s,
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

static int
compare_problem_lines (gconstpointer a,
                       gconstpointer b)
{
  const RsImportProblem *pa = *(RsImportProblem * const *) a;
  const RsImportProblem *pb = *(RsImportProblem * const *) b;

  return (pa->line > pb->line) - (pa->line < pb->line);
}

static void
pipeline_clear (Pipeline *pipeline)
{
  if (pipeline->deferred != NULL)
    {
      for (guint i = 0; i < pipeline->deferred->len; i++)
        {
          ParsedRow *parsed = &g_array_index (pipeline->deferred, ParsedRow, i);

          rs_master_row_clear (&parsed->row);
          g_free (parsed->ragged);
        }
      g_clear_pointer (&pipeline->deferred, g_array_unref);
    }
  g_clear_pointer (&pipeline->candidates, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded_known, g_ptr_array_unref);
  g_clear_pointer (&pipeline->recoded_values, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pipeline, pipeline_clear)

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
  g_autoptr(GAsyncQueue) full = NULL;
  g_autoptr(GAsyncQueue) empty = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sources_dir = NULL;
  const char * const *header;
  g_auto(Pipeline) pipeline = { 0 };
  GThread *thread;
  gboolean finished = FALSE;
  gboolean had_respondents;
  guint batches = 0;

  /* A retried transaction starts over, without the last attempt's file. */
  g_clear_pointer (&data->summary, rs_import_summary_free);
  data->summary = rs_import_summary_new (data->name);
  if (data->source_path != NULL)
    g_unlink (data->source_path);
  g_clear_pointer (&data->source_path, g_free);

  if (data->stream != NULL)
    {
      if (data->stream_read)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("The tracker database was busy and “%s” cannot be read a second "
                         "time: import it again"), data->name);
          return FALSE;
        }
      data->stream_read = TRUE;
      reader = rs_row_source_new_for_stream (data->stream, data->name, data->cancellable, error);
    }
  else
    {
      reader = rs_row_source_new_for_file (data->file, data->sheet, data->cancellable, error);
    }
  if (reader == NULL)
    return FALSE;

  {
    guint n_header;
    g_autofree char *row = NULL;
    gsize row_len = 0;

    const char *ignored_text;

    header = rs_row_source_get_header (reader, &n_header);
    columns = rs_row_source_steal_columns (reader);
    data->summary->ignored = rs_row_source_get_ignored (reader, &ignored_text);
    data->summary->ignored_text = g_strdup (ignored_text);
    data->summary->sheet = g_strdup (rs_row_source_get_sheet (reader));
    data->summary->other_sheets = g_strdupv ((char **) rs_row_source_get_other_sheets (reader));

    /* The header as one block, the way rows come. */
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
    append_source (header_text, row, row_len);
  }

  sources_dir = rs_store_get_sources_dir (data->store);
  if (!prepare_statements (&s, db, error) || !choose_import_id (&s, error))
    return FALSE;
  {
    guint n_header;

    header = rs_row_source_get_header (reader, &n_header);
    s.changes = rs_change_log_new (db, s.import_id, header, n_header, error);
    if (s.changes == NULL)
      return FALSE;
  }

  if (g_mkdir_with_parents (sources_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder “%s” for the tracker database: %s"),
                   sources_dir, g_strerror (saved_errno));
      return FALSE;
    }
  data->source_path = rs_store_get_source_path (data->store, s.import_id);
  data->import_id = s.import_id;

  known = load_known (&s, error);
  if (known == NULL)
    return FALSE;
  /* Without respondents there were no reports to outdate. */
  had_respondents = g_hash_table_size (known->table) > 0;

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
  pipeline.header_hash = hash_header (header_text->str, header_text->len);
  pipeline.known = known;
  pipeline.sources = rs_source_writer_new (data->source_path, rs_store_get_path (data->store));
  pipeline.cancellable = data->cancellable;
  pipeline.full = full;
  pipeline.empty = empty;
  pipeline.deferred = g_array_new (FALSE, FALSE, sizeof (ParsedRow));
  pipeline.candidates = g_ptr_array_new ();
  pipeline.recoded = g_ptr_array_new_with_free_func (problem_free);
  pipeline.recoded_known = g_ptr_array_new ();
  pipeline.recoded_values = g_ptr_array_new_with_free_func (g_free);
  thread = g_thread_new ("rs-import-reader", reader_thread, &pipeline);

  while (!finished)
    {
      Batch *batch = g_async_queue_pop (full);

      finished = batch->last;
      if (batch->error != NULL && local_error == NULL)
        local_error = g_steal_pointer (&batch->error);

      for (guint i = 0; i < batch->n_rows && local_error == NULL; i++)
        store_parsed_row (&s, &batch->rows[i], data->summary, &local_error);

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
        g_atomic_int_set (&pipeline.stop, TRUE);

      /* The reader frees the rows, which it allocated, as it reuses the batch. */
      g_async_queue_push (empty, batch);
    }

  g_thread_join (thread);

  if (local_error == NULL)
    store_deferred (&s, &pipeline, data->summary, &local_error);
  if (local_error == NULL && add_recoded_problems (&s, &pipeline, data->summary, &local_error))
    {
      g_ptr_array_sort (data->summary->problems, compare_problem_lines);
      for (guint i = 0; i < data->summary->problems->len; i++)
        ((RsImportProblem *) data->summary->problems->pdata[i])->sheet_row =
          data->summary->sheet != NULL;
      rs_change_log_finish (s.changes, data->summary);
    }

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

  data->summary->import_id = s.import_id;
  data->summary->at = s.now;

  /* The population of the peer benchmark may have changed with the data; the
   * entry in the activity log commits with the import, or neither. */
  return (!had_respondents || outdate_colleagues (&s, data->summary, error)) &&
         (!had_respondents || data->summary->added + data->summary->updated == 0 ||
          rs_benchmark_outdate_reports (db, s.change, error)) &&
         write_log (&s, data->summary, header_text->str, error) &&
         rs_import_record_write (db, data->summary, error) &&
         rs_import_quality_write (db, data->summary, error) &&
         rs_activity_write_import (db, data->started_at, data->summary, error);
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
      rs_activity_record_import_failure (store, data.started_at, data.name, import_error);
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
    g_autoptr(GArray) others = list_other_sources (sources_dir, data.import_id);
    g_autoptr(GError) local_error = NULL;

    /* Files are removed only under the write lock, so seeing none here
     * means there is none to remove; after a first import there is none. */
    if (others->len > 0 &&
        !rs_store_write (store, remove_unused_sources, &unused, &local_error))
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
