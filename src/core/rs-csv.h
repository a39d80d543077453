/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RS_CSV_ERROR (rs_csv_error_quark ())

typedef enum
{
  RS_CSV_ERROR_EMPTY,
  RS_CSV_ERROR_BINARY,
  RS_CSV_ERROR_RAGGED,
  RS_CSV_ERROR_TOO_LARGE,
  RS_CSV_ERROR_UNTERMINATED,
  RS_CSV_ERROR_CHANGED,
  RS_CSV_ERROR_CUT_OFF,
} RsCsvError;

#define RS_CSV_MAX_FIELD   (1024 * 1024)
#define RS_CSV_MAX_ROW     (16 * 1024 * 1024)
#define RS_CSV_MAX_COLUMNS 10000

/* Not thread-safe: use a reader from one thread at a time. Everything it
 * returns is UTF-8 and owned by the reader. Input is read as UTF-8, field by
 * field: a field that is not valid UTF-8 is read as Windows-1252. */
typedef struct _RsCsvReader RsCsvReader;

/* A field read as Windows-1252: its record's first line, and its column,
 * counted from 0 as in the header. */
typedef struct
{
  guint line;
  guint column;
} RsCsvRecoded;

GQuark              rs_csv_error_quark          (void);
RsCsvReader        *rs_csv_reader_new           (GFile               *file,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
RsCsvReader        *rs_csv_reader_new_for_stream (GInputStream       *stream,
                                                  const char         *name,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
RsCsvReader        *rs_csv_reader_new_for_bytes (GBytes              *bytes,
                                                 GError             **error);
void                rs_csv_reader_free          (RsCsvReader         *reader);
const char * const *rs_csv_reader_get_header    (RsCsvReader         *reader,
                                                 guint               *n_fields);
char                rs_csv_reader_get_delimiter (RsCsvReader         *reader);
/* "WINDOWS-1252" when no valid UTF-8 sequence of more than one byte and
 * some invalid ones were read so far, else "UTF-8": final at the end. */
const char         *rs_csv_reader_get_encoding  (RsCsvReader         *reader);
const RsCsvRecoded *rs_csv_reader_get_recoded   (RsCsvReader         *reader,
                                                 guint               *n_recoded);
/* @fields is %NULL-terminated and valid until the next call. After
 * %RS_CSV_ERROR_RAGGED it still holds the ragged row, and the next call reads
 * on; any other error is final. */
gboolean            rs_csv_reader_next_row      (RsCsvReader         *reader,
                                                 const char * const **fields,
                                                 guint               *n_fields,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
/* The row last read, ragged or not, becomes the header. */
void                rs_csv_reader_use_row_as_header (RsCsvReader     *reader);
const char         *rs_csv_reader_get_row_data  (RsCsvReader         *reader,
                                                 gsize               *len);
guint               rs_csv_reader_get_line      (RsCsvReader         *reader);
goffset             rs_csv_reader_get_position  (RsCsvReader         *reader);
goffset             rs_csv_reader_get_size      (RsCsvReader         *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsCsvReader, rs_csv_reader_free)

G_END_DECLS
