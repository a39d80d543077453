/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gsf/gsf.h>
#include <string.h>

#include "rs-xlsx.h"

G_BEGIN_DECLS

/* libgsf 1.14 has none */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInfile, g_object_unref)

/* An Office Open XML workbook is a zip of XML parts. The parts that say
 * where things are (relationships, workbook, styles) are small; the shared
 * strings are kept, compactly; the sheet is read as its rows are asked for,
 * through a small pull parser over the inflated bytes: it knows the subset
 * of XML that spreadsheets are (elements, attributes, character and the five
 * predefined entities, CDATA, comments) and refuses any DTD, so there is
 * nothing to expand. Every part is checked against the zip's own directory
 * before it is inflated (size and ratio), and never read past its size.
 *
 * The parts: rs-xlsx-scan.c is the pull parser, rs-xlsx-package.c the zip
 * and the parts that describe the workbook, rs-xlsx-cell.c the values of
 * cells, rs-xlsx-sheet.c the rows of a sheet, rs-xlsx.c the reader. */

#define CHUNK_SIZE     (256 * 1024)
#define MAX_TOKEN      (8 * 1024 * 1024)
#define MAX_ATTRS      16
#define MAX_ENTRIES    100000
#define MAX_DIRECTORY  (64 * 1024 * 1024)
#define RATIO_FROM     (1024 * 1024)

typedef enum
{
  TOKEN_EOF,
  TOKEN_START,
  TOKEN_END,
  TOKEN_TEXT,
} TokenType;

typedef struct
{
  const char *name;
  gsize name_len;
  const char *value;
  gsize value_len;
  /* Where the decoded value is in the scratch buffer, or -1 */
  gssize decoded;
} Attr;

/* A pull parser over one part of the zip. Tokens point into the buffer and
 * are valid until the next one. */
typedef struct
{
  GsfInput *input;
  const char *part;
  const char *workbook;
  goffset size;
  goffset consumed;
  GCancellable *cancellable;

  /* The buffer tokens point into: the scan's own, or an inflated chunk */
  char *buf;
  char *own;
  gsize alloc;
  gsize start;
  gsize end;
  gboolean eof;

  TokenType type;
  const char *name;
  gsize name_len;
  gboolean pending_end;
  const char *text;
  gsize text_len;
  gboolean text_raw;
  Attr attrs[MAX_ATTRS];
  guint n_attrs;
  GString *scratch;

  /* A big part is inflated in a thread of its own, a chunk ahead. */
  GThread *inflater;
  GAsyncQueue *full;
  GAsyncQueue *empty;
  gint stop;
  struct _Chunk *current;
} Scan;

typedef struct
{
  goffset compressed;
  goffset size;
  goffset local_header;
} Entry;

typedef struct
{
  char *name;
  char *path;
} Sheet;

typedef enum
{
  FORMAT_NONE,
  FORMAT_DATE,
  FORMAT_TIME,
  FORMAT_DATE_TIME,
} FormatKind;

typedef struct
{
  guint column;
  gsize offset;
  gsize len;
} Cell;

/* A cell read as empty that the import reports; its text in notes_text */
typedef struct
{
  guint column;
  RsXlsxNoteKind kind;
  gsize offset;
} Note;

struct _RsXlsxReader
{
  char *name;
  GFile *file;
  gboolean check_unchanged;
  goffset opened_size;
  guint64 opened_mtime;

  GsfInput *input;
  GsfInfile *zip;
  GHashTable *entries;
  gboolean date1904;
  GArray *sheets;
  char *strings_path;
  char *styles_path;
  GByteArray *styles;

  gboolean strings_loaded;
  GString *strings;
  GArray *string_offsets;

  Scan scan;
  gboolean sheet_open;
  char *sheet_name;
  gboolean in_sheet_data;
  gboolean sheet_done;

  char **header;
  guint n_header;
  guint n_ignored;
  char *ignored_text;

  Cell *cells;
  guint n_cells;
  guint cells_alloc;
  GString *values;
  GString *value;
  GString *row;
  GString *formula;
  GArray *notes;
  GString *notes_text;
  /* While a row's cells come left to right, self->values holds the row as
   * it is returned (each field NUL-terminated), so it is built once. */
  gboolean in_order;
  guint n_written;
  gsize *column_offsets;
  guint column_offsets_alloc;
  const char *row_data;
  gsize row_len;
  const char **fields;
  guint n_fields;
  guint fields_alloc;
  guint row_number;
  /* The row has no number of its own: its first cell's reference gives it */
  gboolean row_from_cell;
  guint max_column;
  /* The text of the row's cells and of the rows read, without the empty
   * fields between them, and how much of it the sheet may have */
  gsize row_text;
  guint64 text_total;
  guint64 text_budget;

  GError *fatal;
};

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
token_is (const Scan *scan,
          const char *name)
{
  gsize len = strlen (name);

  return scan->name_len == len && memcmp (scan->name, name, len) == 0;
}

/* The column of a reference such as "AA12", from 0; -1 when it has none */
static inline int
parse_column (const char *ref,
              gsize       len)
{
  int column = 0;
  gsize i = 0;

  for (; i < len && i < 4; i++)
    {
      guint letter = (guint) ((guchar) ref[i] & ~0x20) - 'A';

      if (letter >= 26)
        break;
      column = column * 26 + (int) letter + 1;
    }
  if (i == 0 || column > RS_XLSX_MAX_COLUMNS)
    return -1;

  return column - 1;
}

/* rs-xlsx-scan.c: Errors and the pull parser */
void rs_xlsx_set_corrupt (GError    **error,
                          const char *workbook,
                          const char *part,
                          const char *what);
void rs_xlsx_set_unsupported (GError    **error,
                              const char *workbook,
                              const char *kind);
void rs_xlsx_set_not_workbook (GError    **error,
                               const char *workbook);
void rs_xlsx_scan_clear (Scan *scan);
void rs_xlsx_scan_init (Scan          *scan,
                        GsfInput      *input,
                        const char    *workbook,
                        const char    *part,
                        GCancellable  *cancellable);
gboolean rs_xlsx_scan_next (Scan    *scan,
                            GError **error);
const char *rs_xlsx_scan_attr (const Scan *scan,
                               const char *name,
                               gsize      *len);
char *rs_xlsx_scan_attr_dup (const Scan *scan,
                             const char *name);
gboolean rs_xlsx_scan_append_text (Scan     *scan,
                                   GString  *out,
                                   GError  **error);

/* rs-xlsx-package.c: The zip, and the parts that say what the workbook holds */
gboolean rs_xlsx_read_at (GsfInput *input,
                          goffset   offset,
                          gsize     len,
                          guint8   *out);
GsfInput *rs_xlsx_open_part (RsXlsxReader  *self,
                             const char    *path,
                             goffset        max_size,
                             GError       **error);
gboolean rs_xlsx_read_directory (RsXlsxReader  *self,
                                 GError       **error);
gboolean rs_xlsx_load_strings (RsXlsxReader  *self,
                               GCancellable  *cancellable,
                               GError       **error);
gboolean rs_xlsx_read_workbook (RsXlsxReader  *self,
                                GCancellable  *cancellable,
                                GError       **error);

/* rs-xlsx-cell.c: Values and cells */
void rs_xlsx_unescape_ooxml (GString *text,
                             gsize    from);
void rs_xlsx_make_valid_utf8 (GString *text,
                              gsize    from);
void rs_xlsx_drop_nuls (GString *text,
                        gsize    from);
gboolean rs_xlsx_format_serial (GString    *out,
                                const char *text,
                                FormatKind  kind,
                                gboolean    date1904);
int rs_xlsx_read_plain_cell (RsXlsxReader  *self,
                             int           *last_column,
                             GError       **error);
gboolean rs_xlsx_finish_cell (RsXlsxReader  *self,
                              int            column,
                              const char    *type,
                              guint          style,
                              gboolean       formula,
                              gboolean       has_value,
                              GError       **error);
void rs_xlsx_note_cell_row (RsXlsxReader *self,
                            const char   *ref,
                            gsize         len);
void rs_xlsx_build_row (RsXlsxReader *self,
                        guint         width);

/* rs-xlsx-sheet.c: The rows of a sheet */
gboolean rs_xlsx_read_raw_row (RsXlsxReader  *self,
                               GCancellable  *cancellable,
                               GError       **error);

/* rs-xlsx.c */
gboolean rs_xlsx_reader_query_file (RsXlsxReader  *self,
                                    GCancellable  *cancellable,
                                    goffset       *size,
                                    guint64       *mtime);

G_END_DECLS
