/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-csv"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-csv-private.h"

/* Before the first row: the delimiter, from the first record that is not
 * blank. The bytes read for it are kept and parsed, so that a stream is read
 * once, from one open: a pipe or standard input as much as a file. */
typedef struct
{
  gboolean delimiter_decided;
  ParseState state;
  gboolean record_started;
  guint counts[4];
} Prescan;

/* In order of preference when counts tie. */
static const char candidates[4] = { ',', ';', '\t', '|' };

G_DEFINE_QUARK (rs-csv-error-quark, rs_csv_error)

static RsCsvReader *
reader_alloc (void)
{
  RsCsvReader *self = g_new0 (RsCsvReader, 1);

  self->size = -1;
  self->line = 1;
  self->row_alloc = 4096;
  self->row = g_malloc (self->row_alloc);
  self->starts_alloc = 64;
  self->starts = g_new (gsize, self->starts_alloc);
  self->recoded = g_array_new (FALSE, FALSE, sizeof (RsCsvRecoded));

  return self;
}

void
rs_csv_reader_free (RsCsvReader *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self->chunk);
  g_free (self->prefix);
  g_clear_pointer (&self->recoded, g_array_unref);
  g_free (self->spare_row);
  g_free (self->row);
  g_free (self->starts);
  g_free (self->fields);
  g_strfreev (self->header);
  g_clear_error (&self->fatal);
  g_free (self);
}

static void
set_io_error (RsCsvReader  *self,
              gboolean      opening,
              GError       *local_error,
              GError      **error)
{
  /* GIO's own messages for the common cases repeat the path in a technical
   * form; these say it once. */
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("“%s” does not exist"), self->name);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                 _("“%s” is a folder, not a file"), self->name);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 _("You are not allowed to read “%s”"), self->name);
  else if (opening)
    g_set_error (error, local_error->domain, local_error->code,
                 _("Could not open “%s”: %s"), self->name, local_error->message);
  else
    g_set_error (error, local_error->domain, local_error->code,
                 _("Could not read “%s”: %s"), self->name, local_error->message);
}

void
rs_csv_set_binary_error (RsCsvReader  *self,
                         guint         line,
                         GError      **error)
{
  if (line == 0 && self->name != NULL)
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                 _("“%s” is not a text file (it contains binary data)"), self->name);
  else if (line == 0)
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                 _("The data is not text (it contains binary data)"));
  else if (self->name != NULL)
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                 _("“%s” is not a text file (line %u contains binary data)"),
                 self->name, line);
  else
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                 _("The data is not text (line %u contains binary data)"), line);
}

static gboolean
has_bom (const guint8 *data,
         gsize         len)
{
  return len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf;
}

/* Looks at the start of the input only: what is not caught here is caught by
 * the NUL checks of the prescan and the parser. */
static gboolean
check_text_start (RsCsvReader   *self,
                  const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  gsize controls = 0;

  if (len >= 2 && ((data[0] == 0xff && data[1] == 0xfe) || (data[0] == 0xfe && data[1] == 0xff)))
    {
      if (self->name != NULL)
        g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                     _("“%s” is in UTF-16, which is not supported: save it as “CSV UTF-8” "
                       "instead"), self->name);
      else
        g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY,
                     _("The data is in UTF-16, which is not supported: save it as "
                       "“CSV UTF-8” instead"));
      return FALSE;
    }

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (c < 0x20 && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r'
          && c != 0x1a && c != 0x1b)
        controls++;
    }

  if (controls > 8 && controls * 16 > len)
    {
      rs_csv_set_binary_error (self, 0, error);
      return FALSE;
    }

  return TRUE;
}


/* Counts the candidate delimiters outside quotes in the first record that is
 * not blank, quoting as the parser does but with all four as delimiters. */
static void
prescan_detect (Prescan      *ps,
                const guint8 *data,
                gsize         len)
{
  for (gsize i = 0; i < len && !ps->delimiter_decided; i++)
    {
      guint8 c = data[i];

      switch (ps->state)
        {
        case STATE_QUOTED:
          if (c == '"')
            ps->state = STATE_QUOTE_IN_QUOTED;
          break;

        case STATE_QUOTE_IN_QUOTED:
          if (c == '"')
            {
              ps->state = STATE_QUOTED;
              break;
            }
          ps->state = STATE_UNQUOTED;
          G_GNUC_FALLTHROUGH;

        case STATE_FIELD_START:
        case STATE_UNQUOTED:
          if (c == '"' && ps->state == STATE_FIELD_START)
            {
              ps->record_started = TRUE;
              ps->state = STATE_QUOTED;
              break;
            }
          if (c == '\n' || c == '\r')
            {
              /* A line without any (a status line above the header) decides nothing. */
              if (ps->record_started
                  && ps->counts[0] + ps->counts[1] + ps->counts[2] + ps->counts[3] > 0)
                ps->delimiter_decided = TRUE;
              ps->state = STATE_FIELD_START;
              break;
            }
          ps->record_started = TRUE;
          ps->state = STATE_UNQUOTED;
          for (guint j = 0; j < G_N_ELEMENTS (candidates); j++)
            {
              if (c == (guint8) candidates[j])
                {
                  ps->counts[j]++;
                  ps->state = STATE_FIELD_START;
                  break;
                }
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static char
prescan_pick_delimiter (const Prescan *ps)
{
  guint best = 0;

  for (guint j = 1; j < G_N_ELEMENTS (candidates); j++)
    {
      if (ps->counts[j] > ps->counts[best])
        best = j;
    }

  return candidates[best];
}

#define FILE_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE "," \
  G_FILE_ATTRIBUTE_TIME_MODIFIED "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC "," \
  G_FILE_ATTRIBUTE_TIME_CHANGED "," G_FILE_ATTRIBUTE_TIME_CHANGED_USEC

/* A time of @info in microseconds, or -1 when it has none */
static gint64
info_get_time (GFileInfo  *info,
               const char *seconds,
               const char *usec)
{
  if (!g_file_info_has_attribute (info, seconds))
    return -1;

  return (gint64) g_file_info_get_attribute_uint64 (info, seconds) * G_USEC_PER_SEC
         + g_file_info_get_attribute_uint32 (info, usec);
}

static gint64
info_get_mtime (GFileInfo *info)
{
  return info_get_time (info, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                        G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

/* The inode's change time: every write moves it, and unlike the
 * modification time no one can set it back (touch -d, cp -p, rsync -t). */
static gint64
info_get_ctime (GFileInfo *info)
{
  return info_get_time (info, G_FILE_ATTRIBUTE_TIME_CHANGED,
                        G_FILE_ATTRIBUTE_TIME_CHANGED_USEC);
}

/* At the end of a regular file: a file that was written to, truncated or
 * replaced in place while it was read gives rows of no one version of it. */
static gboolean
check_unchanged (RsCsvReader  *self,
                 GError      **error)
{
  g_autoptr(GFileInfo) info = NULL;

  if (!self->check_unchanged)
    return TRUE;

  info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (self->stream), FILE_ATTRIBUTES,
                                         NULL, NULL);
  if (info != NULL
      && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE)
      && g_file_info_get_size (info) == self->opened_size
      && info_get_mtime (info) == self->opened_mtime
      && info_get_ctime (info) == self->opened_ctime
      && self->bytes_read == self->opened_size)
    return TRUE;

  g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_CHANGED,
               _("“%s” changed while it was being read: wait until it is saved, then "
                 "import it again"), self->name);
  return FALSE;
}

/* Reads until the delimiter is decided, or to the end, into self->prefix,
 * where the parsing starts. */
static gboolean
prescan_stream (RsCsvReader   *self,
                Prescan       *ps,
                gsize         *bom_len,
                GCancellable  *cancellable,
                GError       **error)
{
  gsize alloc = CHUNK_SIZE;
  gsize len = 0;
  gboolean eof = FALSE;

  *bom_len = 0;
  self->prefix = g_malloc (alloc);

  /* A header that never ends is the parser's to report. */
  while (!eof && !ps->delimiter_decided && len < RS_CSV_MAX_ROW)
    {
      g_autoptr(GError) local_error = NULL;
      gsize skip = 0;
      gsize n = 0;

      if (len + CHUNK_SIZE > alloc)
        {
          alloc *= 2;
          self->prefix = g_realloc (self->prefix, alloc);
        }

      if (!g_input_stream_read_all (self->stream, self->prefix + len, CHUNK_SIZE, &n,
                                    cancellable, &local_error))
        {
          set_io_error (self, FALSE, local_error, error);
          return FALSE;
        }
      eof = n < CHUNK_SIZE;

      if (len == 0)
        {
          if (!check_text_start (self, self->prefix, n, error))
            return FALSE;
          if (has_bom (self->prefix, n))
            skip = *bom_len = 3;
        }

      if (n > 0 && memchr (self->prefix + len, '\0', n) != NULL)
        {
          rs_csv_set_binary_error (self, 0, error);
          return FALSE;
        }

      prescan_detect (ps, self->prefix + len + skip, n - skip);
      len += n;
    }

  self->bytes_read = len;
  self->buf = self->prefix;
  self->len = len;
  self->pos = *bom_len;

  if (eof)
    {
      self->eof = TRUE;
      return check_unchanged (self, error);
    }

  return TRUE;
}

gboolean
rs_csv_reader_fill (RsCsvReader   *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (self->eof || self->stream == NULL)
    {
      self->eof = TRUE;
      return TRUE;
    }

  if (self->len > 0)
    self->prev_byte = self->buf[self->len - 1];
  self->buf_offset += self->len;
  self->pos = 0;
  self->len = 0;
  self->buf = self->chunk;
  g_clear_pointer (&self->prefix, g_free);

  n = g_input_stream_read (self->stream, self->chunk, CHUNK_SIZE, cancellable, &local_error);
  if (n < 0)
    {
      set_io_error (self, FALSE, local_error, error);
      return FALSE;
    }

  self->bytes_read += n;
  self->len = n;
  if (n == 0)
    {
      self->eof = TRUE;
      return check_unchanged (self, error);
    }

  return TRUE;
}

static const char * const *
build_fields (RsCsvReader *self)
{
  if (self->fields_built)
    {
      self->fields[self->n_fields] = NULL;
      return self->fields;
    }

  if (self->fields_alloc < self->n_fields + 1)
    {
      self->fields_alloc = MAX (self->n_fields + 1, self->fields_alloc * 2);
      self->fields = g_renew (const char *, self->fields, self->fields_alloc);
    }

  for (guint i = 0; i < self->n_fields; i++)
    self->fields[i] = self->row + self->starts[i];
  self->fields[self->n_fields] = NULL;

  return self->fields;
}

/* The record just read becomes the header. */
static void
take_header (RsCsvReader *self)
{
  const char * const *fields = build_fields (self);

  g_strfreev (self->header);
  self->n_header = self->n_fields;
  self->header = g_new (char *, self->n_header + 1);
  for (guint i = 0; i < self->n_header; i++)
    self->header[i] = g_strdup (fields[i]);
  self->header[self->n_header] = NULL;
}

static gboolean
reader_start (RsCsvReader   *self,
              const Prescan *ps,
              GCancellable  *cancellable,
              GError       **error)
{
  RecordResult result;

  self->delimiter = prescan_pick_delimiter (ps);

  memset (self->special_unquoted, 0, sizeof self->special_unquoted);
  self->special_unquoted[(guint8) self->delimiter] = 1;
  self->special_unquoted['\n'] = 1;
  self->special_unquoted['\r'] = 1;
  self->special_unquoted['\0'] = 1;

  memset (self->special_quoted, 0, sizeof self->special_quoted);
  self->special_quoted['"'] = 1;
  self->special_quoted['\n'] = 1;
  self->special_quoted['\r'] = 1;
  self->special_quoted['\0'] = 1;

  result = rs_csv_read_nonblank_record (self, cancellable, error);
  if (result == RECORD_ERROR)
    return FALSE;

  if (result == RECORD_EOF)
    {
      if (self->name != NULL)
        g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_EMPTY,
                     _("“%s” is empty: it has no header line"), self->name);
      else
        g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_EMPTY,
                     _("The data is empty: it has no header line"));
      return FALSE;
    }

  take_header (self);

  return TRUE;
}

/**
 * rs_csv_reader_new_for_stream:
 * @name: what to call the stream in messages, such as its file's name
 *
 * Reads @stream once, from where it is, as rows are asked for: a pipe or
 * standard input as well as a file. It is never held in memory as a whole.
 * When @stream is a regular file's, the file must be at its end what it was
 * when this was called: a file that changed meanwhile fails with
 * %RS_CSV_ERROR_CHANGED.
 */
RsCsvReader *
rs_csv_reader_new_for_stream (GInputStream  *stream,
                              const char    *name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(RsCsvReader) self = NULL;
  Prescan ps = { 0, };
  gsize bom_len;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = reader_alloc ();
  self->name = g_strdup (name);
  self->stream = g_object_ref (stream);

  if (G_IS_FILE_INPUT_STREAM (stream))
    {
      g_autoptr(GFileInfo) info = NULL;

      info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (stream), FILE_ATTRIBUTES,
                                             cancellable, NULL);
      if (info != NULL
          && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_TYPE)
          && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR
          && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
        {
          self->size = g_file_info_get_size (info);
          self->check_unchanged = TRUE;
          self->opened_size = self->size;
          self->opened_mtime = info_get_mtime (info);
          self->opened_ctime = info_get_ctime (info);
        }
    }

  self->chunk = g_malloc (CHUNK_SIZE);
  if (!prescan_stream (self, &ps, &bom_len, cancellable, error))
    return NULL;

  if (!reader_start (self, &ps, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * rs_csv_reader_new:
 *
 * Opens @file, once, and reads it as rs_csv_reader_new_for_stream() does.
 */
RsCsvReader *
rs_csv_reader_new (GFile         *file,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);
  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      g_autoptr(RsCsvReader) named = reader_alloc ();

      named->name = g_steal_pointer (&name);
      set_io_error (named, TRUE, local_error, error);
      return NULL;
    }

  return rs_csv_reader_new_for_stream (G_INPUT_STREAM (stream), name, cancellable, error);
}

RsCsvReader *
rs_csv_reader_new_for_bytes (GBytes  *bytes,
                             GError **error)
{
  return rs_csv_reader_new_for_bytes_full (bytes, TRUE, error);
}

/**
 * rs_csv_reader_new_for_bytes_full:
 * @fast: %FALSE to read every record, the header too, with the state machine
 */
RsCsvReader *
rs_csv_reader_new_for_bytes_full (GBytes    *bytes,
                                  gboolean   fast,
                                  GError   **error)
{
  g_autoptr(RsCsvReader) self = NULL;
  Prescan ps = { 0, };
  const guint8 *data;
  gsize size;
  gsize bom_len;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = reader_alloc ();
  self->bytes = g_bytes_ref (bytes);
  self->slow_only = !fast;

  data = g_bytes_get_data (bytes, &size);
  if (data == NULL)
    data = (const guint8 *) "";
  self->size = size;

  if (!check_text_start (self, data, MIN (size, CHUNK_SIZE), error))
    return NULL;

  if (size > 0 && memchr (data, '\0', size) != NULL)
    {
      rs_csv_set_binary_error (self, 0, error);
      return NULL;
    }

  bom_len = has_bom (data, size) ? 3 : 0;
  prescan_detect (&ps, data + bom_len, size - bom_len);

  self->buf = data;
  self->len = size;
  self->pos = bom_len;

  if (!reader_start (self, &ps, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char * const *
rs_csv_reader_get_header (RsCsvReader *self,
                          guint       *n_fields)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_fields != NULL)
    *n_fields = self->n_header;

  return (const char * const *) self->header;
}

char
rs_csv_reader_get_delimiter (RsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, ',');

  return self->delimiter;
}

const char *
rs_csv_reader_get_encoding (RsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->recoded->len > 0 && !self->saw_multibyte ? "WINDOWS-1252" : "UTF-8";
}

/**
 * rs_csv_reader_get_recoded:
 * @n_recoded: (out): how many
 *
 * Returns: (array length=n_recoded): the fields read so far, the header's
 *   too, that were not valid UTF-8 and were read as Windows-1252; valid
 *   until the next call
 */
const RsCsvRecoded *
rs_csv_reader_get_recoded (RsCsvReader *self,
                           guint       *n_recoded)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_recoded != NULL, NULL);

  *n_recoded = self->recoded->len;
  return (const RsCsvRecoded *) self->recoded->data;
}

gboolean
rs_csv_reader_next_row (RsCsvReader          *self,
                        const char * const  **fields,
                        guint                *n_fields,
                        GCancellable         *cancellable,
                        GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  const char * const *row;
  RecordResult result;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (fields != NULL)
    *fields = NULL;
  if (n_fields != NULL)
    *n_fields = 0;

  if (self->fatal != NULL)
    {
      g_propagate_error (error, g_error_copy (self->fatal));
      return FALSE;
    }

  /* Cancelling mid-record loses the record, so it ends the reading too. */
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    result = RECORD_ERROR;
  else
    result = rs_csv_read_nonblank_record (self, cancellable, &local_error);

  if (result == RECORD_ERROR)
    {
      self->fatal = g_error_copy (local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (result == RECORD_EOF)
    return FALSE;

  row = build_fields (self);
  if (fields != NULL)
    *fields = row;
  if (n_fields != NULL)
    *n_fields = self->n_fields;

  /* The last line short and without its line break: the file was cut off
   * (a copy or a save not finished), and its rows are not all there. */
  if (self->n_fields < self->n_header && self->record_unterminated)
    {
      self->fatal = g_error_new (RS_CSV_ERROR, RS_CSV_ERROR_CUT_OFF,
                                 _("“%s” ends in the middle of line %u (%u of the %u fields, "
                                   "no line break): it may have been cut off while it was "
                                   "saved or copied. Save or copy it again, then import it"),
                                 self->name, self->record_line, self->n_fields, self->n_header);
      g_propagate_error (error, g_error_copy (self->fatal));
      return FALSE;
    }

  if (self->n_fields != self->n_header)
    {
      g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED,
                   ngettext ("Line %u has %u field, but the header has %u",
                             "Line %u has %u fields, but the header has %u",
                             self->n_fields),
                   self->record_line, self->n_fields, self->n_header);
      return FALSE;
    }

  return TRUE;
}

void
rs_csv_reader_use_row_as_header (RsCsvReader *self)
{
  g_return_if_fail (self != NULL);

  take_header (self);
}

/**
 * rs_csv_reader_get_row_data:
 * @len: (out): the length, the last NUL included
 *
 * Returns: the fields of the row last read, one after the other, each ended
 *   by a NUL: what rs_csv_reader_next_row() returned, as one block. Valid
 *   until the next call.
 */
const char *
rs_csv_reader_get_row_data (RsCsvReader *self,
                            gsize       *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = self->row_len;
  return self->row;
}

guint
rs_csv_reader_get_line (RsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->record_line;
}

goffset
rs_csv_reader_get_position (RsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->buf_offset + (goffset) self->pos;
}

goffset
rs_csv_reader_get_size (RsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->size;
}
