/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-csv.h"

G_BEGIN_DECLS

/* For tests: with @fast %FALSE every record goes through the byte-by-byte
 * state machine, which the fast path of whole lines must agree with. */
RsCsvReader *rs_csv_reader_new_for_bytes_full (GBytes    *bytes,
                                               gboolean   fast,
                                               GError   **error);

/* What the parts of the reader share: rs-csv.c opens the input, reads
 * it and answers for the reader; rs-csv-record.c cuts the records. */

#define CHUNK_SIZE (64 * 1024)
G_STATIC_ASSERT (CHUNK_SIZE < RS_CSV_MAX_FIELD);

typedef enum
{
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,
} ParseState;

typedef enum
{
  RECORD_ERROR,
  RECORD_EOF,
  RECORD_OK,
} RecordResult;

struct _RsCsvReader
{
  char *name;
  GInputStream *stream;
  GBytes *bytes;

  guint8 *chunk;
  const guint8 *buf;
  gsize pos;
  gsize len;
  goffset buf_offset;
  goffset size;
  guint8 prev_byte;
  gboolean eof;

  /* What the stream held before the first row (see Prescan) */
  guint8 *prefix;
  goffset bytes_read;

  /* A regular file: what it was when opened, checked at its end */
  gboolean check_unchanged;
  goffset opened_size;
  gint64 opened_mtime;
  gint64 opened_ctime;
  gboolean record_unterminated;

  /* A valid UTF-8 sequence of more than one byte was seen */
  gboolean saw_multibyte;
  GArray *recoded;
  char *spare_row;
  gsize spare_alloc;

  gboolean slow_only;
  char delimiter;
  guint8 special_unquoted[256];
  guint8 special_quoted[256];

  guint line;
  guint record_line;
  guint quote_line;

  char *row;
  gsize row_len;
  gsize row_alloc;
  gsize field_start;
  gboolean record_quoted;

  gsize *starts;
  guint n_fields;
  guint starts_alloc;

  const char **fields;
  guint fields_alloc;
  /* Whether fields holds the record, as the fast path leaves it */
  gboolean fields_built;

  char **header;
  guint n_header;

  GError *fatal;
};

void         rs_csv_set_binary_error      (RsCsvReader   *self,
                                           guint          line,
                                           GError       **error);
gboolean     rs_csv_reader_fill           (RsCsvReader   *self,
                                           GCancellable  *cancellable,
                                           GError       **error);
RecordResult rs_csv_read_nonblank_record  (RsCsvReader   *self,
                                           GCancellable  *cancellable,
                                           GError       **error);

G_END_DECLS
