/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-csv.h"
#include "rs-master.h"
#include "rs-xlsx.h"

G_BEGIN_DECLS

/* The rows of a master file, CSV or .xlsx alike, from its header row on:
 * the first of its first rows that has the required columns. What
 * rs-import reads; the same threading rules as the readers under it. */
typedef struct _RsRowSource RsRowSource;

/* Which a file is, by its first bytes: a zip or OLE2 file is a workbook. */
RsRowSource        *rs_row_source_new_for_file   (GFile               *file,
                                                  const char          *sheet,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
/* Returns: (transfer full): of a workbook, the sheets with the required
 * columns; of a CSV file an empty list */
GStrv               rs_row_source_list_sheets    (GFile               *file,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
const char         *rs_row_source_choose_sheet   (const char * const  *sheets);
/* Whether @file starts as a workbook does; a file that cannot be read is
 * not (the CSV reader says why) */
gboolean            rs_row_source_is_workbook    (GFile               *file,
                                                  GCancellable        *cancellable);
/* Always CSV */
RsRowSource        *rs_row_source_new_for_stream (GInputStream        *stream,
                                                  const char          *name,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
void                rs_row_source_free           (RsRowSource         *source);
const char * const *rs_row_source_get_header     (RsRowSource         *source,
                                                  guint               *n_fields);
/* Returns: (transfer full): the header's columns */
RsMasterColumns    *rs_row_source_steal_columns  (RsRowSource         *source);
/* As rs_csv_reader_next_row(); a row whose fields do not fit the header
 * comes back with @error set and *@ragged %TRUE, and the next call reads on. */
gboolean            rs_row_source_next_row       (RsRowSource         *source,
                                                  const char * const **fields,
                                                  guint               *n_fields,
                                                  gboolean            *ragged,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
const char         *rs_row_source_get_row_data   (RsRowSource         *source,
                                                  gsize               *len);
/* The CSV line, or the sheet's row number */
guint               rs_row_source_get_line       (RsRowSource         *source);
goffset             rs_row_source_get_position   (RsRowSource         *source);
goffset             rs_row_source_get_size       (RsRowSource         *source);
const char         *rs_row_source_get_encoding   (RsRowSource         *source);
/* The fields read as Windows-1252 from the header on: lines above it are
 * only ignored */
const RsCsvRecoded *rs_row_source_get_recoded    (RsRowSource         *source,
                                                  guint               *n_recoded);
/* How many rows that were not empty came before the header; the first
 * of them as text */
guint               rs_row_source_get_ignored    (RsRowSource         *source,
                                                  const char         **first_text);
/* (nullable): the sheet read, for a workbook */
const char         *rs_row_source_get_sheet      (RsRowSource         *source);
const char * const *rs_row_source_get_other_sheets (RsRowSource       *source);

/* Of the row last read, the cells of a workbook read as empty that the
 * import reports (see rs_xlsx_reader_get_note()); none in CSV */
guint               rs_row_source_get_n_notes    (RsRowSource         *source);
const char         *rs_row_source_get_note       (RsRowSource         *source,
                                                  guint                index,
                                                  guint               *column,
                                                  RsXlsxNoteKind      *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRowSource, rs_row_source_free)

G_END_DECLS
