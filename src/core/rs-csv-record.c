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

#define HIGH_BITS G_GUINT64_CONSTANT (0x8080808080808080)
#define LOW_BITS G_GUINT64_CONSTANT (0x7f7f7f7f7f7f7f7f)

/* Windows-1252 0x80..0x9f; the five bytes it leaves undefined map to the C1
 * controls, as Windows itself does. 0xa0..0xff are Latin-1. */
static const guint16 cp1252_high[32] = {
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};


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


/* A field (@field) or the record over its limit */
static void
set_too_large (RsCsvReader  *self,
               gboolean      field,
               GError      **error)
{
  g_autofree char *limit = g_format_size_full (field ? RS_CSV_MAX_FIELD : RS_CSV_MAX_ROW,
                                               G_FORMAT_SIZE_IEC_UNITS);

  if (field)
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                 _("Line %u has a field larger than %s"), self->record_line, limit);
  else
    g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE,
                 _("Line %u is larger than %s"), self->record_line, limit);
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
      set_too_large (self, TRUE, error);
      return FALSE;
    }

  if (self->row_len + n > RS_CSV_MAX_ROW)
    {
      set_too_large (self, FALSE, error);
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

/* The buffer is used up: reads on. Returns: %TRUE to parse on, or %FALSE
 * with @result how the record ends there */
static gboolean
read_on (RsCsvReader   *self,
         ParseState     state,
         RecordResult  *result,
         GCancellable  *cancellable,
         GError       **error)
{
  *result = RECORD_ERROR;
  if (!rs_csv_reader_fill (self, cancellable, error))
    return FALSE;
  if (self->pos < self->len)
    return TRUE;

  if (state == STATE_QUOTED)
    {
      g_set_error (error, RS_CSV_ERROR, RS_CSV_ERROR_UNTERMINATED,
                   _("The quote opened on line %u is never closed"),
                   self->quote_line);
      return FALSE;
    }
  if (state == STATE_FIELD_START && self->n_fields == 0)
    {
      *result = RECORD_EOF;
      return FALSE;
    }
  if (!end_field (self, error))
    return FALSE;
  self->record_unterminated = TRUE;
  *result = RECORD_OK;
  return FALSE;
}

/* The hot path: field after field until a line break, a quote at the start
 * of a field or the end of the buffer. Returns: 1 at the end of the record,
 * 0 to parse on in @state, -1 on an error */
static inline int
read_unquoted (RsCsvReader   *self,
               const guint8  *buf,
               gsize         *pos_inout,
               gsize          len,
               ParseState    *state,
               GError       **error)
{
  const guint8 delimiter = (guint8) self->delimiter;
  const guint8 *special_unquoted = self->special_unquoted;
  gsize pos = *pos_inout;
  int ret = -1;

  for (;;)
    {
      gsize start = pos;
      guint8 c;

      while (pos < len && !special_unquoted[buf[pos]])
        pos++;
      if (pos > start && !append_run (self, buf, start, pos, len, error))
        break;
      if (pos == len)
        {
          ret = 0;
          break;
        }

      c = buf[pos++];
      if (c == delimiter)
        {
          if (!end_field (self, error))
            break;
          if (pos < len && buf[pos] != '"')
            continue;
          *state = STATE_FIELD_START;
          ret = 0;
          break;
        }
      else if (c == '\n' || c == '\r')
        {
          count_line_break (self, buf, pos - 1);
          if (end_field (self, error))
            ret = 1;
          break;
        }
      else
        {
          g_assert (c == '\0');
          rs_csv_set_binary_error (self, self->line, error);
          break;
        }
    }

  *pos_inout = pos;
  return ret;
}

/* Inside quotes, up to a quote, a line break or the end of the buffer. */
static inline gboolean
read_quoted (RsCsvReader   *self,
             const guint8  *buf,
             gsize         *pos_inout,
             gsize          len,
             ParseState    *state,
             GError       **error)
{
  gsize pos = *pos_inout;
  gsize start = pos;
  gboolean ok = FALSE;
  guint8 c;

  while (pos < len && !self->special_quoted[buf[pos]])
    pos++;
  if (pos > start && !append_run (self, buf, start, pos, len, error))
    goto out;
  if (pos == len)
    {
      ok = TRUE;
      goto out;
    }

  c = buf[pos++];
  if (c == '"')
    {
      *state = STATE_QUOTE_IN_QUOTED;
      ok = TRUE;
    }
  else if (c == '\n' || c == '\r')
    {
      count_line_break (self, buf, pos - 1);
      ok = append (self, &c, 1, error);
    }
  else
    {
      g_assert (c == '\0');
      rs_csv_set_binary_error (self, self->line, error);
    }

out:
  *pos_inout = pos;
  return ok;
}

/* Reads one record into the row buffer. The LF of a CR LF outside quotes
 * comes back as a blank record, which the callers skip like any blank line. */
static RecordResult
read_record (RsCsvReader   *self,
             GCancellable  *cancellable,
             GError       **error)
{
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
      if (pos == len)
        {
          RecordResult result;

          self->pos = pos;
          if (!read_on (self, state, &result, cancellable, error))
            return result;
          buf = self->buf;
          pos = self->pos;
          len = self->len;
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
          switch (read_unquoted (self, buf, &pos, len, &state, error))
            {
            case 1:
              self->pos = pos;
              return RECORD_OK;
            case 0:
              break;
            default:
              goto fail;
            }
          break;

        case STATE_QUOTED:
          if (!read_quoted (self, buf, &pos, len, &state, error))
            goto fail;
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
              set_too_large (self, TRUE, error);
              return FALSE;
            }
        }
      to[out++] = '\0';
    }

  if (out > RS_CSV_MAX_ROW)
    {
      set_too_large (self, FALSE, error);
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
RecordResult
rs_csv_read_nonblank_record (RsCsvReader   *self,
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
