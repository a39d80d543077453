/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "rs-delivery.h"
#include "rs-import.h"
#include "rs-store-private.h"
#include "rs-master.h"
#include "rs-row-source.h"
#include "rs-source-writer.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* The parts of an import: rs-import.c runs it, rs-import-reader.c reads and
 * maps the file in a thread of its own, rs-import-writer.c writes the rows
 * to the database, rs-import-known.c knows who is stored already; the record
 * it keeps of itself is rs-import-record.c and rs-import-quality.c. All of
 * it but the reader runs on the import's thread, inside its write
 * transaction. */

typedef struct _RsChangeLog RsChangeLog;

/* Between the fields of a row in a source file */
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
  /* Someone corrected the respondent by hand: see keep_corrections() in
   * rs-import-writer.c */
  guint corrected : 1;
  /* Written by the reader: where the key was first seen in this file. */
  guint first_line;
  /* A stored respondent: the next stored one with the same address in the
   * same company. A new key: the first stored one with its address, when
   * there is one (see rs_import_resolve_renames()). */
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
   * last (see rs_import_resolve_renames()), and those keys */
  GArray *deferred;
  GPtrArray *candidates;
  /* The fields read as Windows-1252 so far, each with the row's entry */
  guint n_recoded;
  GPtrArray *recoded;
  GPtrArray *recoded_known;
  GPtrArray *recoded_values;
} Pipeline;

/* rs-import.c */
RsImportProblem *rs_import_problem_new  (RsImportProblemKind  kind,
                                         guint                line,
                                         const char          *person,
                                         const char          *reason);
void         rs_import_problem_free     (gpointer             problem);
void         rs_import_summary_add_problem (RsImportSummary  *summary,
                                         RsImportProblemKind  kind,
                                         guint                line,
                                         const char          *person,
                                         const char          *reason);

/* rs-import-known.c: the hashes of rows, compared with stored ones, so
 * they must never change */
guint64      rs_import_hash_bytes_padded (guint64             hash,
                                         const char          *data,
                                         gsize                len,
                                         gsize                n_pad);
guint64      rs_import_hash_header      (const char          *header,
                                         gsize                len);
/* The stored respondents, with the corrected ones marked */
KnownTable  *rs_import_load_known       (Statements          *s,
                                         GError             **error);
void         rs_import_known_table_free (KnownTable          *self);
/* Returns: (transfer none): a new entry for @key, all zero */
Known       *rs_import_known_add        (KnownTable          *self,
                                         const char          *key);
Known       *rs_import_find_same_address (KnownTable         *known,
                                         const RsMasterRow   *row);
void         rs_import_resolve_renames  (GPtrArray           *candidates);

/* rs-import-reader.c */
void         rs_import_append_source    (GString             *out,
                                         const char          *row,
                                         gsize                row_len);
Batch       *rs_import_batch_new        (void);
void         rs_import_batch_free       (Batch               *batch);
/* The reader's thread: @user_data is the Pipeline */
gpointer     rs_import_reader_thread    (gpointer             user_data);
void         rs_import_pipeline_clear   (Pipeline            *pipeline);

/* rs-import-writer.c */
gboolean     rs_import_statements_prepare (Statements        *s,
                                         sqlite3             *db,
                                         GError             **error);
void         rs_import_statements_clear (Statements          *s);
gboolean     rs_import_choose_id        (Statements          *s,
                                         GError             **error);
gboolean     rs_import_store_parsed_row (Statements          *s,
                                         ParsedRow           *parsed,
                                         RsImportSummary     *summary,
                                         GError             **error);
gboolean     rs_import_store_deferred   (Statements          *s,
                                         Pipeline            *pipeline,
                                         RsImportSummary     *summary,
                                         GError             **error);
gboolean     rs_import_add_recoded_problems (Statements      *s,
                                         Pipeline            *pipeline,
                                         RsImportSummary     *summary,
                                         GError             **error);
gboolean     rs_import_write_log        (Statements          *s,
                                         RsImportSummary     *summary,
                                         const char          *header,
                                         GError             **error);
gboolean     rs_import_outdate_colleagues (Statements        *s,
                                         RsImportSummary     *summary,
                                         GError             **error);

typedef struct
{
  const char *dir;
  /* The import that just committed, whose file is in use */
  gint64 current;
} UnusedSources;

GArray      *rs_import_list_other_sources (const char        *dir_path,
                                         gint64               current);
gboolean     rs_import_remove_unused_sources (sqlite3        *db,
                                         gpointer             user_data,
                                         GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KnownTable, rs_import_known_table_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Statements, rs_import_statements_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pipeline, rs_import_pipeline_clear)

/* What the import shares with the record it keeps of itself
 * (rs-import-record.c, rs-import-quality.c). */

RsChangeLog *rs_change_log_new          (sqlite3             *db,
                                         gint64               import_id,
                                         const char * const  *header,
                                         guint                n_header,
                                         GError             **error);
void         rs_change_log_free         (RsChangeLog         *log);
/* Counts @change in its group of @summary and stores it with the import. */
gboolean     rs_change_log_add          (RsChangeLog         *log,
                                         RsImportSummary     *summary,
                                         guint                line,
                                         gint64               respondent_id,
                                         const RsMasterChange *change,
                                         GError             **error);
/* The groups in the order of their columns, their examples in that of lines */
void         rs_change_log_finish       (RsChangeLog         *log,
                                         RsImportSummary     *summary);
/* After its import_log row: the problems and the other counts */
gboolean     rs_import_record_write     (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
/* Last in the import's transaction: the data-quality summary of the
 * database as the import leaves it, stored with the import and put in
 * @summary */
gboolean     rs_import_quality_write    (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
/* The data-quality summary stored with @summary's import, if any */
gboolean     rs_import_quality_load     (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
RsImportSummary *rs_import_summary_new  (const char          *name);
void         rs_import_change_group_free (gpointer            group);
void         rs_import_quality_item_free (gpointer            item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsChangeLog, rs_change_log_free)

/* The index of @name in @names, or -1 */
int          rs_import_find_name        (const char * const  *names,
                                         guint                n_names,
                                         const char          *name);

G_END_DECLS
