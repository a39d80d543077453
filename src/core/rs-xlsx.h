/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RS_XLSX_ERROR (rs_xlsx_error_quark ())

typedef enum
{
  /* .xls, .ods or an encrypted workbook: save it as .xlsx or CSV */
  RS_XLSX_ERROR_UNSUPPORTED,
  /* A zip that is not a workbook */
  RS_XLSX_ERROR_NOT_WORKBOOK,
  /* A zip or XML that cannot be read */
  RS_XLSX_ERROR_CORRUPT,
  /* A part larger than the limits, or one that inflates too far */
  RS_XLSX_ERROR_TOO_LARGE,
  /* No sheet by that name, or none with the required columns */
  RS_XLSX_ERROR_NO_SHEET,
  RS_XLSX_ERROR_CHANGED,
  /* A value right of the header's last column: the next call reads on */
  RS_XLSX_ERROR_RAGGED,
} RsXlsxError;

/* Cells of a row read as empty that the import reports as changed values */
typedef enum
{
  /* A formula saved without its calculated value (as openpyxl saves them) */
  RS_XLSX_NOTE_FORMULA_WITHOUT_VALUE,
  /* An error value such as #N/A */
  RS_XLSX_NOTE_ERROR_VALUE,
} RsXlsxNoteKind;

/* Limits on what a workbook may make us read or keep. */
#define RS_XLSX_MAX_SHEET_PART   (G_GINT64_CONSTANT (2) << 30)
#define RS_XLSX_MAX_OTHER_PART   (G_GINT64_CONSTANT (256) << 20)
#define RS_XLSX_MAX_RATIO        250
#define RS_XLSX_MAX_STRINGS_SIZE (G_GINT64_CONSTANT (512) << 20)
#define RS_XLSX_MAX_COLUMNS      16384
#define RS_XLSX_MAX_CELL         (1024 * 1024)
/* A row's text: 179 cells of Excel's 32,767 characters fit */
#define RS_XLSX_MAX_ROW          (16 * 1024 * 1024)
/* The text of a sheet's rows: a margin and a multiple of its XML, which
 * shared strings may make it exceed, but not by thousands */
#define RS_XLSX_MIN_TEXT_BUDGET  (G_GUINT64_CONSTANT (256) << 20)
#define RS_XLSX_TEXT_RATIO       4
/* Reported cells of one row, at most */
#define RS_XLSX_MAX_NOTES        RS_XLSX_MAX_COLUMNS
/* The header is one of the first rows that are not empty. */
#define RS_XLSX_HEADER_ROWS      20

/* A workbook's worksheet rows as text, read as they are asked for: the
 * zip container and the sheet's XML are streamed, never held whole. Not
 * thread-safe: use a reader from one thread at a time. Everything it returns
 * is UTF-8 and owned by the reader. */
typedef struct _RsXlsxReader RsXlsxReader;

GQuark              rs_xlsx_error_quark       (void);
/* Whether @data, the start of a file, is a zip or an OLE2 compound file:
 * what this reader takes (and refuses with a reason). */
gboolean            rs_xlsx_sniff             (const guint8        *data,
                                               gsize                len);
RsXlsxReader       *rs_xlsx_reader_new        (GFile               *file,
                                               GCancellable        *cancellable,
                                               GError             **error);
RsXlsxReader       *rs_xlsx_reader_new_for_bytes (GBytes           *bytes,
                                                  GError          **error);
void                rs_xlsx_reader_free       (RsXlsxReader        *reader);
/* Returns: (transfer full): the names of the worksheets that have the
 * master file's required columns in one of their first rows, in order */
GStrv               rs_xlsx_reader_list_master_sheets (RsXlsxReader  *reader,
                                                       GCancellable  *cancellable,
                                                       GError       **error);
/* Opens @sheet, or when %NULL `MasterData` if there is one, else the first
 * sheet with the required columns; reads up to its header row. */
gboolean            rs_xlsx_reader_open_sheet (RsXlsxReader        *reader,
                                               const char          *sheet,
                                               GCancellable        *cancellable,
                                               GError             **error);
const char         *rs_xlsx_reader_get_sheet_name (RsXlsxReader    *reader);
const char * const *rs_xlsx_reader_get_header (RsXlsxReader        *reader,
                                               guint               *n_fields);
/* The rows above the header that were not empty: their numbers and their
 * text, the cells joined by spaces. */
guint               rs_xlsx_reader_get_ignored (RsXlsxReader       *reader,
                                                const char        **first_text);
/* As rs_csv_reader_next_row(): @fields has as many as the header and is
 * valid until the next call. %RS_XLSX_ERROR_RAGGED leaves the row in
 * @fields and the next call reads on; any other error is final. Empty rows
 * are skipped. */
gboolean            rs_xlsx_reader_next_row   (RsXlsxReader        *reader,
                                               const char * const **fields,
                                               guint               *n_fields,
                                               GCancellable        *cancellable,
                                               GError             **error);
/* The fields of the row last read, each ended by a NUL, as one block */
const char         *rs_xlsx_reader_get_row_data (RsXlsxReader      *reader,
                                                 gsize             *len);
/* The row's number in the sheet, from 1 */
guint               rs_xlsx_reader_get_row    (RsXlsxReader        *reader);
/* Of the sheet's XML: how much was read, of how much */
goffset             rs_xlsx_reader_get_position (RsXlsxReader      *reader);
goffset             rs_xlsx_reader_get_size   (RsXlsxReader        *reader);

/* The cells of the row last read that were read as empty and are not */
guint               rs_xlsx_reader_get_n_notes (RsXlsxReader       *reader);
const char         *rs_xlsx_reader_get_note   (RsXlsxReader        *reader,
                                               guint                index,
                                               guint               *column,
                                               RsXlsxNoteKind      *kind);

/* The column letters of @column (0 is A) into @out, at least 4 bytes */
void                rs_xlsx_column_name       (guint                column,
                                               char                *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsXlsxReader, rs_xlsx_reader_free)

G_END_DECLS
