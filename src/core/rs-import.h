/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

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

typedef struct
{
  char *file;
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
  /* Rows above the header that were not empty, and the first of them */
  guint ignored;
  char *ignored_text;
  /* In the order of their lines */
  GPtrArray *problems;
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
char            *rs_import_problem_describe (const RsImportProblem *problem);
void             rs_import_summary_free (RsImportSummary       *summary);
guint64          rs_import_hash_source (const char            *header,
                                        const char            *source,
                                        gsize                  source_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsImportSummary, rs_import_summary_free)

G_END_DECLS
