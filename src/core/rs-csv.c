/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-csv"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "rs-bytes-private.h"
#include "rs-csv-private.h"

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

/* Windows-1252 0x80..0x9f; the five bytes it leaves undefined map to the C1
 * controls, as Windows itself does. 0xa0..0xff are Latin-1. */
static const guint16 cp1252_high[32] = {
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

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

static void
set_binary_error (RsCsvReader  *self,
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
      set_binary_error (self, 0, error);
      return FALSE;
    }

  return TRUE;
}

#define HIGH_BITS G_GUINT64_CONSTANT (0x8080808080808080)
#define LOW_BITS G_GUINT64_CONSTANT (0x7f7f7f7f7f7f7f7f)

/* The length of the UTF-8 sequence at @p, of which @avail bytes are there,
 * or 0 when it is not one that g_utf8_validate() accepts (no overlong
 * forms, no surrogates, nothing above U+10FFFF), or is cut off. */
static inline gsize
utf8_sequence_length (const guint8 *p,
                      gsize         avail)
{
  guint8 lo = 0x80;
  guint8 hi = 0xbf;
  gsize len;

  if (p[0] < 0xc2 || p[0] > 0xf4)
    return 0;
  if (p[0] < 0xe0)
    len = 2;
  else if (p[0] < 0xf0)
    len = 3;
  else
    len = 4;

  if (p[0] == 0xe0)
    lo = 0xa0;
  else if (p[0] == 0xed)
    hi = 0x9f;
  else if (p[0] == 0xf0)
    lo = 0x90;
  else if (p[0] == 0xf4)
    hi = 0x8f;

  if (avail < len || p[1] < lo || p[1] > hi)
    return 0;
  for (gsize i = 2; i < len; i++)
    if (p[i] < 0x80 || p[i] > 0xbf)
      return 0;

  return len;
}

/* Like g_utf8_validate_len(), but runs of ASCII, most of any master file,
 * are passed over 16 bytes at a time and only the rest is decoded.
 *
 * Returns: the end of the valid UTF-8 at the start of @data, @data + @len
 *   when all of it is; @multibyte is set when a sequence of more than one
 *   byte was met on the way */
static const guint8 *
validate_utf8 (const guint8 *data,
               gsize         len,
               gboolean     *multibyte)
{
  gsize i = 0;

  while (i < len)
    {
      gsize n;

      if (i + 16 <= len && ((rs_load_le64 (data + i) | rs_load_le64 (data + i + 8)) & HIGH_BITS) == 0)
        {
          i += 16;
          continue;
        }
      if (data[i] < 0x80)
        {
          i++;
          continue;
        }

      n = utf8_sequence_length (data + i, len - i);
      if (n == 0)
        return data + i;
      *multibyte = TRUE;
      i += n;
    }

  return data + len;
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

static gint64
info_get_mtime (GFileInfo *info)
{
  if (!g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED))
    return -1;

  return (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)
         * G_USEC_PER_SEC
         + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
}

/* The inode's change time: every write moves it, and unlike the
 * modification time no one can set it back (touch -d, cp -p, rsync -t). */
static gint64
info_get_ctime (GFileInfo *info)
{
  if (!g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_CHANGED))
    return -1;

  return (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_CHANGED)
         * G_USEC_PER_SEC
         + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_CHANGED_USEC);
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
          set_binary_error (self, 0, error);
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

static gboolean
fill (RsCsvReader   *self,
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

static gboolean
append_slow (RsCsvReader   *self,
             const guint8  *data,
             gsize          n,
             GError       **error)
{
  gsize needed;

  if (self->row_len - self->field_start + n > RS_CSV_MAX_FIELD)
    {
      g_autofree char *limit = g_format_size_full (RS_CSV_MAX_FIELD, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                   _("Line %u has a field larger than %s"), self->record_line, limit);
      return FALSE;
    }

  if (self->row_len + n > RS_CSV_MAX_ROW)
    {
      g_autofree char *limit = g_format_size_full (RS_CSV_MAX_ROW, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                   _("Line %u is larger than %s"), self->record_line, limit);
      return FALSE;
    }

  needed = self->row_len + n;
  if (needed > self->row_alloc)
    {
      /* Room for the content and one NUL per field, never more. */
      gsize alloc = MIN (self->row_alloc * 2, (gsize) RS_CSV_MAX_ROW + RS_CSV_MAX_COLUMNS + 1);

      self->row_alloc = MAX (alloc, needed);
      self->row = g_realloc (self->row, self->row_alloc);
    }

  memcpy (self->row + self->row_len, data, n);
  self->row_len += n;

  return TRUE;
}

static inline gboolean
append (RsCsvReader   *self,
        const guint8  *data,
        gsize          n,
        GError       **error)
{
  if (G_UNLIKELY (self->row_len + n > self->row_alloc
                  || self->row_len - self->field_start + n > RS_CSV_MAX_FIELD))
    return append_slow (self, data, n, error);

  memcpy (self->row + self->row_len, data, n);
  self->row_len += n;

  return TRUE;
}

#define SHORT_RUN 16

/* Appends buf[start..end). Most fields are short: when there is room on both
 * sides a fixed-size copy, which compiles to a couple of moves, beats a call
 * to memcpy. The bytes it copies past the run are overwritten later. */
static inline gboolean
append_run (RsCsvReader   *self,
            const guint8  *buf,
            gsize          start,
            gsize          end,
            gsize          len,
            GError       **error)
{
  gsize n = end - start;

  if (n <= SHORT_RUN && start + SHORT_RUN <= len
      && self->row_len + SHORT_RUN <= self->row_alloc
      && self->row_len - self->field_start + n <= RS_CSV_MAX_FIELD)
    {
      memcpy (self->row + self->row_len, buf + start, SHORT_RUN);
      self->row_len += n;
      return TRUE;
    }

  return append (self, buf + start, n, error);
}

/* Writes the UTF-8 of Windows-1252 byte @c, 0x80 or above, to @out;
 * returns how many bytes it took. */
static inline gsize
put_cp1252 (guint8  c,
            char   *out)
{
  gunichar u = c < 0xa0 ? cp1252_high[c - 0x80] : c;

  if (u < 0x800)
    {
      out[0] = (char) (0xc0 | (u >> 6));
      out[1] = (char) (0x80 | (u & 0x3f));
      return 2;
    }

  out[0] = (char) (0xe0 | (u >> 12));
  out[1] = (char) (0x80 | ((u >> 6) & 0x3f));
  out[2] = (char) (0x80 | (u & 0x3f));
  return 3;
}

static gboolean
end_field_slow (RsCsvReader  *self,
                GError      **error)
{
  if (self->n_fields == self->starts_alloc)
    {
      if (self->starts_alloc >= RS_CSV_MAX_COLUMNS)
        {
          g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                       _("Line %u has more than %u fields"),
                       self->record_line, (guint) RS_CSV_MAX_COLUMNS);
          return FALSE;
        }
      self->starts_alloc = MIN (self->starts_alloc * 2, RS_CSV_MAX_COLUMNS);
      self->starts = g_renew (gsize, self->starts, self->starts_alloc);
    }

  if (self->row_len == self->row_alloc)
    {
      self->row_alloc *= 2;
      self->row = g_realloc (self->row, self->row_alloc);
    }

  return TRUE;
}

static inline gboolean
end_field (RsCsvReader  *self,
           GError      **error)
{
  if (G_UNLIKELY (self->n_fields == self->starts_alloc || self->row_len == self->row_alloc)
      && !end_field_slow (self, error))
    return FALSE;

  self->starts[self->n_fields++] = self->field_start;
  self->row[self->row_len++] = '\0';
  self->field_start = self->row_len;

  return TRUE;
}

/* A lone CR, a lone LF and CR LF are each one line break. */
static inline void
count_line_break (RsCsvReader  *self,
                  const guint8 *buf,
                  gsize         i)
{
  if (buf[i] == '\r' || (i > 0 ? buf[i - 1] : self->prev_byte) != '\r')
    self->line++;
}

/* A bit in the top of each byte of @word that equals the byte in @pattern. */
static inline guint64
bytes_equal (guint64 word,
             guint64 pattern)
{
  guint64 x = word ^ pattern;

  return ~(((x & LOW_BITS) + LOW_BITS) | x | LOW_BITS);
}

/* Where the next delimiter or quote is in row[i..len), or len. */
static inline gsize
next_delimiter_or_quote (const char *row,
                         gsize       i,
                         gsize       len,
                         guint64     delimiters,
                         char        delimiter)
{
  const guint64 quotes = G_GUINT64_CONSTANT (0x0101010101010101) * (guint8) '"';

#ifdef __SSE2__
  const __m128i delimiter_block = _mm_set1_epi8 (delimiter);
  const __m128i quote_block = _mm_set1_epi8 ('"');

  for (; i + 16 <= len; i += 16)
    {
      __m128i block = _mm_loadu_si128 ((const __m128i *) (row + i));
      guint hits = (guint) _mm_movemask_epi8 (_mm_or_si128 (_mm_cmpeq_epi8 (block, delimiter_block),
                                                            _mm_cmpeq_epi8 (block, quote_block)));

      if (hits != 0)
        return i + __builtin_ctz (hits);
    }
#endif
  for (; i + 8 <= len; i += 8)
    {
      guint64 word = rs_load_le64 ((const guint8 *) row + i);
      guint64 hits = bytes_equal (word, delimiters) | bytes_equal (word, quotes);

      if (hits != 0)
        return i + (__builtin_ctzll (hits) >> 3);
    }
  for (; i < len; i++)
    {
      if (row[i] == delimiter || row[i] == '"')
        break;
    }

  return i;
}

/* Cuts a record without quotes, copied to @row, at its delimiters. The
 * fields go straight to the array that rs_csv_reader_next_row() returns,
 * which has room for them all; counted in a local, which the stores into
 * @row cannot be taken to change. */
static void
split_record (RsCsvReader *self,
              char        *row,
              gsize        n)
{
  const guint64 pattern = G_GUINT64_CONSTANT (0x0101010101010101) * (guint8) self->delimiter;
  const char **fields = self->fields;
  guint n_fields = self->n_fields;
  gsize i = 0;

#ifdef __SSE2__
  const __m128i delimiters = _mm_set1_epi8 (self->delimiter);

  for (; i + 16 <= n; i += 16)
    {
      __m128i block = _mm_loadu_si128 ((const __m128i *) (row + i));
      guint hits = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (block, delimiters));

      while (hits != 0)
        {
          gsize at = i + __builtin_ctz (hits);

          row[at] = '\0';
          fields[n_fields++] = row + at + 1;
          hits &= hits - 1;
        }
    }
#endif
  for (; i + 8 <= n; i += 8)
    {
      guint64 hits = bytes_equal (rs_load_le64 ((const guint8 *) row + i), pattern);

      while (hits != 0)
        {
          gsize at = i + (__builtin_ctzll (hits) >> 3);

          row[at] = '\0';
          fields[n_fields++] = row + at + 1;
          hits &= hits - 1;
        }
    }
  for (; i < n; i++)
    {
      if (row[i] == self->delimiter)
        {
          row[i] = '\0';
          fields[n_fields++] = row + i + 1;
        }
    }

  self->n_fields = n_fields;
}

/* Cuts a record with quotes in it, copied to @row, at its delimiters, and
 * takes the quotes of each quoted field out. Only fields quoted whole are
 * taken: a quote at the start, the closing one before a delimiter or the end
 * of the line, none inside. Anything else is for the state machine, as is a
 * quote left open, which means a line break inside quotes. */
static gboolean
split_quoted_record (RsCsvReader  *self,
                     char         *row,
                     gsize        *len_inout)
{
  const guint64 delimiters = G_GUINT64_CONSTANT (0x0101010101010101) * (guint8) self->delimiter;
  gsize len = *len_inout;
  gsize field_start = 0;
  gsize i = 0;

  for (;;)
    {
      gsize at = next_delimiter_or_quote (row, i, len, delimiters, self->delimiter);
      const char *close;
      gsize closing;

      if (at == len)
        break;

      if (row[at] == self->delimiter)
        {
          row[at] = '\0';
          self->fields[self->n_fields++] = row + at + 1;
          field_start = i = at + 1;
          continue;
        }

      close = at == field_start ? memchr (row + at + 1, '"', len - at - 1) : NULL;
      closing = close != NULL ? (gsize) (close - row) : 0;
      if (close == NULL || (closing + 1 < len && row[closing + 1] != self->delimiter))
        {
          self->record_quoted = FALSE;
          return FALSE;
        }

      /* The field's text one to the left, the rest of the line and its NUL
       * two: over the quotes. */
      memmove (row + at, row + at + 1, closing - at - 1);
      memmove (row + closing - 1, row + closing + 1, len - closing);
      len -= 2;
      i = closing - 1;
      self->record_quoted = TRUE;
    }

  *len_inout = len;
  return TRUE;
}

/* Most records have no CR but that of a CR LF, nothing to convert, and no
 * quote or only fields quoted whole. Such a record, when its line is whole
 * in the buffer, is copied at once and cut at its delimiters, many bytes at
 * a time, instead of byte by byte through the state machine, which takes
 * all other records.
 *
 * Returns: whether it read the record; if not, the state machine reads it */
static gboolean
read_simple_record (RsCsvReader *self)
{
  const guint8 *start = self->buf + self->pos;
  gsize avail = self->len - self->pos;
  const guint8 *newline;
  const guint8 *end;
  char *row;
  gsize n;
  gboolean quoted;

  if (avail == 0 || start[0] == '\n')
    return FALSE;
  /* No longer than a chunk, so within every limit but that on fields. */
  newline = memchr (start, '\n', MIN (avail, CHUNK_SIZE));
  if (newline == NULL)
    return FALSE;

  end = newline;
  if (end[-1] == '\r')
    end--;
  n = end - start;
  if (memchr (start, '\r', n) != NULL || memchr (start, '\0', n) != NULL)
    return FALSE;
  quoted = memchr (start, '"', n) != NULL;

  /* The state machine knows the limit on fields; below it, there is room
   * for a field after every byte and the NULL that ends them. */
  if (n + 1 > RS_CSV_MAX_COLUMNS)
    return FALSE;
  if (self->fields_alloc < n + 2)
    {
      self->fields_alloc = MAX (n + 2, self->fields_alloc * 2);
      self->fields = g_renew (const char *, self->fields, self->fields_alloc);
    }
  if (n + 1 > self->row_alloc)
    {
      self->row_alloc = MAX (n + 1, self->row_alloc * 2);
      self->row = g_realloc (self->row, self->row_alloc);
    }
  row = self->row;
  memcpy (row, start, n);
  row[n] = '\0';

  self->fields[0] = row;
  self->n_fields = 1;
  if (!quoted)
    {
      split_record (self, row, n);
    }
  else if (!split_quoted_record (self, row, &n))
    {
      self->n_fields = 0;
      return FALSE;
    }

  self->row_len = n + 1;
  self->field_start = self->row_len;
  self->line++;
  self->pos = newline + 1 - self->buf;
  self->fields_built = TRUE;

  return TRUE;
}

/* Reads one record into the row buffer. The LF of a CR LF outside quotes
 * comes back as a blank record, which the callers skip like any blank line. */
static RecordResult
read_record (RsCsvReader   *self,
             GCancellable  *cancellable,
             GError       **error)
{
  const guint8 delimiter = (guint8) self->delimiter;
  const guint8 *special_unquoted = self->special_unquoted;
  const guint8 *special_quoted = self->special_quoted;
  const guint8 *buf = self->buf;
  gsize pos = self->pos;
  gsize len = self->len;
  ParseState state = STATE_FIELD_START;

  self->row_len = 0;
  self->field_start = 0;
  self->n_fields = 0;
  self->fields_built = FALSE;
  self->record_quoted = FALSE;
  self->record_unterminated = FALSE;
  self->record_line = self->line;

  if (!self->slow_only && read_simple_record (self))
    return RECORD_OK;

  for (;;)
    {
      gsize start;
      guint8 c;

      if (pos == len)
        {
          self->pos = pos;
          if (!fill (self, cancellable, error))
            return RECORD_ERROR;
          buf = self->buf;
          pos = self->pos;
          len = self->len;

          if (pos == len)
            {
              if (state == STATE_QUOTED)
                {
                  g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_UNTERMINATED,
                               _("The quote opened on line %u is never closed"),
                               self->quote_line);
                  return RECORD_ERROR;
                }
              if (state == STATE_FIELD_START && self->n_fields == 0)
                return RECORD_EOF;
              if (!end_field (self, error))
                return RECORD_ERROR;
              self->record_unterminated = TRUE;
              return RECORD_OK;
            }
        }

      switch (state)
        {
        case STATE_QUOTE_IN_QUOTED:
          if (buf[pos] == '"')
            {
              pos++;
              if (!append (self, (const guint8 *) "\"", 1, error))
                goto fail;
              state = STATE_QUOTED;
              break;
            }
          /* Text after the closing quote is kept, as if unquoted. */
          state = STATE_UNQUOTED;
          break;

        case STATE_FIELD_START:
          if (buf[pos] == '"')
            {
              pos++;
              state = STATE_QUOTED;
              self->record_quoted = TRUE;
              self->quote_line = self->line;
              break;
            }
          state = STATE_UNQUOTED;
          G_GNUC_FALLTHROUGH;

        case STATE_UNQUOTED:
          /* The hot path: field after field until a line break or a quote. */
          for (;;)
            {
              start = pos;
              while (pos < len && !special_unquoted[buf[pos]])
                pos++;
              if (pos > start && !append_run (self, buf, start, pos, len, error))
                goto fail;
              if (pos == len)
                break;

              c = buf[pos++];
              if (c == delimiter)
                {
                  if (!end_field (self, error))
                    goto fail;
                  if (pos < len && buf[pos] != '"')
                    continue;
                  state = STATE_FIELD_START;
                  break;
                }
              else if (c == '\n' || c == '\r')
                {
                  count_line_break (self, buf, pos - 1);
                  if (!end_field (self, error))
                    goto fail;
                  self->pos = pos;
                  return RECORD_OK;
                }
              else
                {
                  g_assert (c == '\0');
                  set_binary_error (self, self->line, error);
                  goto fail;
                }
            }
          break;

        case STATE_QUOTED:
          start = pos;
          while (pos < len && !special_quoted[buf[pos]])
            pos++;
          if (pos > start && !append_run (self, buf, start, pos, len, error))
            goto fail;
          if (pos == len)
            break;

          c = buf[pos++];
          if (c == '"')
            {
              state = STATE_QUOTE_IN_QUOTED;
            }
          else if (c == '\n' || c == '\r')
            {
              count_line_break (self, buf, pos - 1);
              if (!append (self, &c, 1, error))
                goto fail;
            }
          else
            {
              g_assert (c == '\0');
              set_binary_error (self, self->line, error);
              goto fail;
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }

fail:
  self->pos = pos;
  return RECORD_ERROR;
}

static gboolean
record_is_blank (RsCsvReader *self)
{
  return self->n_fields == 1 && self->row_len == 1 && !self->record_quoted;
}

/* Whether a valid UTF-8 @field is more likely Windows-1252 that happens to
 * be valid: in a row that has Windows-1252 elsewhere, an upper-case
 * accented letter followed by a symbol ("ß" and a no-break space, "É" and
 * "’") reads as a character of Latin Extended-B, IPA, Greek, Cyrillic,
 * Hebrew, Arabic or NKo, with nothing of three bytes or more beside it. */
static gboolean
looks_like_cp1252 (const guint8 *field,
                   gsize         len)
{
  gboolean unlikely = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (field[i] >= 0xe0)
        return FALSE;
      if (field[i] >= 0xc6 && field[i] <= 0xdf)
        unlikely = TRUE;
    }

  return unlikely;
}

/* A field that is not valid UTF-8 is read as Windows-1252, byte by byte,
 * and noted, as is one that only looks valid by chance
 * (looks_like_cp1252()); the others stay as they are. The row is written anew to the
 * spare buffer, which then becomes the row. */
static gboolean
recode_fields (RsCsvReader  *self,
               GError      **error)
{
  gsize needed = 0;
  gsize out = 0;
  char *to;

  if (self->starts_alloc < self->n_fields)
    {
      self->starts_alloc = self->n_fields;
      self->starts = g_renew (gsize, self->starts, self->starts_alloc);
    }

  /* Three bytes at most for each one. */
  needed = 3 * self->row_len + 1;
  if (self->spare_alloc < needed)
    {
      self->spare_alloc = MAX (needed, self->spare_alloc * 2);
      self->spare_row = g_realloc (self->spare_row, self->spare_alloc);
    }
  to = self->spare_row;

  for (guint i = 0; i < self->n_fields; i++)
    {
      const guint8 *field = (const guint8 *) (self->fields_built ? self->fields[i]
                                                                 : self->row + self->starts[i]);
      gsize len = strlen ((const char *) field);
      const guint8 *end = validate_utf8 (field, len, &self->saw_multibyte);

      self->starts[i] = out;
      if (end == field + len && !looks_like_cp1252 (field, len))
        {
          memcpy (to + out, field, len);
          out += len;
        }
      else
        {
          RsCsvRecoded recoded = { self->record_line, i };

          /* Whatever the rest is, what is valid in it counts. */
          for (const guint8 *p = end; p < field + len; )
            {
              gsize n = *p >= 0x80 ? utf8_sequence_length (p, field + len - p) : 1;

              if (n > 1)
                self->saw_multibyte = TRUE;
              p += MAX (n, 1);
            }

          for (gsize j = 0; j < len; j++)
            {
              if (field[j] < 0x80)
                to[out++] = (char) field[j];
              else
                out += put_cp1252 (field[j], to + out);
            }
          g_array_append_val (self->recoded, recoded);

          /* The limits hold for what the field became. */
          if (out - self->starts[i] > RS_CSV_MAX_FIELD)
            {
              g_autofree char *limit = g_format_size_full (RS_CSV_MAX_FIELD,
                                                           G_FORMAT_SIZE_IEC_UNITS);

              g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                           _("Line %u has a field larger than %s"), self->record_line, limit);
              return FALSE;
            }
        }
      to[out++] = '\0';
    }

  if (out > RS_CSV_MAX_ROW)
    {
      g_autofree char *limit = g_format_size_full (RS_CSV_MAX_ROW, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                   _("Line %u is larger than %s"), self->record_line, limit);
      return FALSE;
    }

  self->spare_row = self->row;
  self->row = to;
  needed = self->spare_alloc;
  self->spare_alloc = self->row_alloc;
  self->row_alloc = needed;
  self->row_len = out;
  self->field_start = out;
  self->fields_built = FALSE;

  return TRUE;
}

/* Reads on to the next record that is not blank. */
static RecordResult
read_nonblank_record (RsCsvReader   *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  guint last_line = self->record_line;
  RecordResult result;

  do
    result = read_record (self, cancellable, error);
  while (result == RECORD_OK && record_is_blank (self));

  /* The record is decoded field by field. */
  if (result == RECORD_OK
      && validate_utf8 ((const guint8 *) self->row, self->row_len, &self->saw_multibyte)
         != (const guint8 *) self->row + self->row_len
      && !recode_fields (self, error))
    return RECORD_ERROR;

  /* The end of the file is no row: the last one keeps its line. */
  if (result == RECORD_EOF)
    self->record_line = last_line;

  return result;
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

static gboolean
reader_start (RsCsvReader   *self,
              const Prescan *ps,
              GCancellable  *cancellable,
              GError       **error)
{
  const char * const *fields;
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

  result = read_nonblank_record (self, cancellable, error);
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

  fields = build_fields (self);
  self->n_header = self->n_fields;
  self->header = g_new (char *, self->n_header + 1);
  for (guint i = 0; i < self->n_header; i++)
    self->header[i] = g_strdup (fields[i]);
  self->header[self->n_header] = NULL;

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
      set_binary_error (self, 0, error);
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
    result = read_nonblank_record (self, cancellable, &local_error);

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
  const char * const *fields;

  g_return_if_fail (self != NULL);

  fields = build_fields (self);
  g_strfreev (self->header);
  self->n_header = self->n_fields;
  self->header = g_new (char *, self->n_header + 1);
  for (guint i = 0; i < self->n_header; i++)
    self->header[i] = g_strdup (fields[i]);
  self->header[self->n_header] = NULL;
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
