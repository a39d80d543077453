/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-master.h"
#include "rs-store.h"

G_BEGIN_DECLS

typedef enum
{
  RS_IMPORT_PROBLEM_SKIPPED,
  RS_IMPORT_PROBLEM_FLAGGED,
  RS_IMPORT_PROBLEM_DUPLICATE,
  /* Imported; a field was not UTF-8 and was read as Windows-1252 */
  RS_IMPORT_PROBLEM_ENCODING,
  /* Updated: the same address in the same company, another name */
  RS_IMPORT_PROBLEM_RENAMED,
} RsImportProblemKind;

typedef struct
{
  RsImportProblemKind kind;
  /* The CSV line, or with @sheet_row the row of a workbook's sheet */
  guint line;
  char *person;
  char *reason;
  /* The respondent the row was stored as (flagged, duplicate, renamed
   * rows, and those with a field read as Windows-1252); 0 for a row that
   * was skipped. */
  gint64 respondent_id;
  gboolean sheet_row;
} RsImportProblem;

/* One value of the file that the import changed (see RsMasterChangeKind) */
typedef struct
{
  guint line;
  /* The respondent stored from the row */
  gint64 respondent_id;
  char *value;
  /* NULL: read as missing */
  char *used;
} RsImportChange;

/* The changes of one kind in one column. An import keeps the first
 * RS_IMPORT_CHANGE_EXAMPLES of each group in memory and stores them all
 * with the import. */
typedef struct
{
  /* As the file's header has it, and where */
  char *column;
  guint column_index;
  RsMasterChangeKind kind;
  guint count;
  /* RsImportChange, in the order of their lines */
  GPtrArray *examples;
  /* The lines are rows of a workbook's sheet */
  gboolean sheet_row;
} RsImportChangeGroup;

#define RS_IMPORT_CHANGE_EXAMPLES 100

typedef enum
{
  /* count: respondents in the database */
  RS_IMPORT_QUALITY_RESPONDENTS,
  /* label: a score column; count: missing of total; the worst five */
  RS_IMPORT_QUALITY_MISSING,
  /* count: respondents with more than half of their scores missing */
  RS_IMPORT_QUALITY_SPARSE,
  /* count: companies with one respondent, of total companies */
  RS_IMPORT_QUALITY_SINGLE_COMPANIES,
  /* label: a company with one respondent (the first few, by name) */
  RS_IMPORT_QUALITY_SINGLE_COMPANY,
  /* label: a column; count: scores outside 0 to 5 in the data as stored */
  RS_IMPORT_QUALITY_OUT_OF_RANGE,
  /* label: a column; count: scores that were not numbers */
  RS_IMPORT_QUALITY_NOT_A_NUMBER,
  /* label: why; count: respondents who cannot be sent for that reason */
  RS_IMPORT_QUALITY_FLAGGED,
} RsImportQualityKind;

#define RS_IMPORT_QUALITY_N_KINDS (RS_IMPORT_QUALITY_FLAGGED + 1)

typedef struct
{
  RsImportQualityKind kind;
  char *label;
  guint count;
  guint total;
} RsImportQualityItem;

typedef struct
{
  char *file;
  /* Its row in import_log; 0 before it is stored */
  gint64 import_id;
  /* When it was imported, in seconds since 1970 */
  gint64 at;
  guint added;
  guint updated;
  guint unchanged;
  guint skipped;
  guint flagged;
  guint duplicates;
  guint marked_sent;
  /* Of the updated: respondents whose name changed */
  guint renamed;
  /* Fields read as Windows-1252 in a file in UTF-8 */
  guint recoded;
  /* The workbook's sheet that was read; NULL for CSV */
  char *sheet;
  /* When that sheet was chosen rather than asked for, the workbook's other
   * sheets with the required columns; NULL otherwise, and when read back
   * from the database */
  GStrv other_sheets;
  /* Rows above the header that were not empty, and the first of them */
  guint ignored;
  char *ignored_text;
  /* In the order of their lines */
  GPtrArray *problems;
  /* Values used otherwise than the file has them, and the groups of them
   * (RsImportChangeGroup) by column, in the order of the columns */
  guint changed;
  GPtrArray *change_groups;
  /* The data-quality summary of the database after the import
   * (RsImportQualityItem), in the order of RsImportQualityKind; NULL until
   * it is made */
  GPtrArray *quality;
} RsImportSummary;

/* Called from the import's thread, at most every few thousand rows. */
typedef void (*RsImportProgressFunc) (goffset  done_bytes,
                                      goffset  total_bytes,
                                      gpointer user_data);

RsImportSummary *rs_import_file        (RsStore               *store,
                                        GFile                 *file,
                                        RsImportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GError               **error);
/* @sheet: (nullable): of a workbook, the sheet to read; %NULL for
 * `MasterData`, else the first with the required columns */
RsImportSummary *rs_import_file_full   (RsStore               *store,
                                        GFile                 *file,
                                        const char            *sheet,
                                        RsImportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GError               **error);
void             rs_import_file_full_async (RsStore           *store,
                                        GFile                 *file,
                                        const char            *sheet,
                                        RsImportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
/* @stream is read once, as rows are stored; @name is what to call it. */
RsImportSummary *rs_import_stream      (RsStore               *store,
                                        GInputStream          *stream,
                                        const char            *name,
                                        RsImportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GError               **error);
void             rs_import_file_async  (RsStore               *store,
                                        GFile                 *file,
                                        RsImportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
RsImportSummary *rs_import_file_finish (RsStore               *store,
                                        GAsyncResult          *result,
                                        GError               **error);
/* The sheets of a workbook that have the required columns, in a worker
 * thread; an empty list for a CSV file. */
void             rs_import_list_sheets_async  (GFile                 *file,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
GStrv            rs_import_list_sheets_finish (GAsyncResult          *result,
                                               GError               **error);
char            *rs_import_summary_describe (const RsImportSummary *summary);
char            *rs_import_change_group_describe (const RsImportChangeGroup *group);
char            *rs_import_change_describe (const RsImportChangeGroup *group,
                                            const RsImportChange      *change);
GStrv            rs_import_quality_describe (const RsImportSummary *summary);
const RsImportQualityItem *rs_import_quality_find (const RsImportSummary *summary,
                                                   RsImportQualityKind    kind,
                                                   const char            *label);
/* The stored record of an import: @import_id, or the last when 0. Returns
 * %NULL without an error when there is none. Blocks: call it from a worker
 * thread (the async form) in the window. */
RsImportSummary *rs_import_summary_load (RsStore               *store,
                                         gint64                 import_id,
                                         GError               **error);
/* (element-type RsImportSummary): every import, the first first, with
 * their counts but no problems, changes or quality */
GPtrArray       *rs_import_list_records (RsStore              *store,
                                         GError              **error);
/* Called for each stored change of an import, in the order of its
 * columns, kinds and lines; returns FALSE to stop. */
typedef gboolean (*RsImportChangeFunc) (const RsImportChangeGroup *group,
                                        const RsImportChange      *change,
                                        gpointer                   user_data);
gboolean         rs_import_foreach_change (RsStore            *store,
                                           gint64              import_id,
                                           RsImportChangeFunc  func,
                                           gpointer            user_data,
                                           GError            **error);
void             rs_import_summary_load_async  (RsStore             *store,
                                                gint64               import_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* Returns %NULL with @error unset when there is no such import. */
RsImportSummary *rs_import_summary_load_finish (RsStore             *store,
                                                GAsyncResult        *result,
                                                GError             **error);
char            *rs_import_problem_describe (const RsImportProblem *problem);
void             rs_import_summary_free (RsImportSummary       *summary);
guint64          rs_import_hash_source (const char            *header,
                                        const char            *source,
                                        gsize                  source_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsImportSummary, rs_import_summary_free)

G_END_DECLS
