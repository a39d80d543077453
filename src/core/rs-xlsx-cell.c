/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"
/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rs-xlsx-private.h"

/* ---- values ---- */

/* The _xHHHH_ escapes of OOXML text: "_x000D_" is a carriage return. */
void
rs_xlsx_unescape_ooxml (GString *text,
                        gsize    from)
{
  gsize out = from;

  if (memmem (text->str + from, text->len - from, "_x", 2) == NULL)
    return;

  for (gsize i = from; i < text->len; )
    {
      if (text->str[i] == '_' && i + 7 <= text->len && text->str[i + 1] == 'x'
          && text->str[i + 6] == '_'
          && g_ascii_isxdigit (text->str[i + 2]) && g_ascii_isxdigit (text->str[i + 3])
          && g_ascii_isxdigit (text->str[i + 4]) && g_ascii_isxdigit (text->str[i + 5]))
        {
          char hex[5] = { text->str[i + 2], text->str[i + 3], text->str[i + 4],
                          text->str[i + 5], '\0' };
          gunichar c = (gunichar) strtoul (hex, NULL, 16);
          char utf8[6];
          int len;

          if (c != 0 && g_unichar_validate (c))
            {
              len = g_unichar_to_utf8 (c, utf8);
              /* Never longer than the seven bytes it replaces */
              memcpy (text->str + out, utf8, len);
              out += len;
              i += 7;
              continue;
            }
        }
      text->str[out++] = text->str[i++];
    }
  g_string_truncate (text, out);
}

void
rs_xlsx_make_valid_utf8 (GString *text,
                         gsize    from)
{
  const char *end;
  g_autofree char *valid = NULL;

  if (g_utf8_validate_len (text->str + from, text->len - from, &end))
    return;
  valid = g_utf8_make_valid (text->str + from, text->len - from);
  g_string_truncate (text, from);
  g_string_append (text, valid);
}

/* A NUL in a text would end its field early: it is dropped. */
void
rs_xlsx_drop_nuls (GString *text,
                   gsize    from)
{
  gsize out;

  if (memchr (text->str + from, '\0', text->len - from) == NULL)
    return;
  out = from;
  for (gsize i = from; i < text->len; i++)
    if (text->str[i] != '\0')
      text->str[out++] = text->str[i];
  g_string_truncate (text, out);
}

/* Days since 1970-01-01 to a date (Howard Hinnant's civil_from_days) */
static void
civil_from_days (gint64  z,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 era;
  gint64 doe;
  gint64 yoe;
  gint64 doy;
  gint64 mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (yoe + era * 400 + (*month <= 2));
}

/* A serial date as an ISO date-time, like the CSV's submitdate; %FALSE
 * when it is no date Excel shows. */
gboolean
rs_xlsx_format_serial (GString    *out,
                       const char *text,
                       FormatKind  kind,
                       gboolean    date1904)
{
  char *end;
  double serial = g_ascii_strtod (text, &end);
  gint64 total;
  gint64 days;
  int secs;
  int year;
  int month;
  int day;

  if (end == text || *end != '\0' || !isfinite (serial) || serial < 0 || serial > 2958466.0)
    return FALSE;

  total = (gint64) llround (serial * 86400.0);
  days = total / 86400;
  secs = (int) (total % 86400);

  if (kind == FORMAT_TIME && days == 0)
    {
      g_string_append_printf (out, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
      return TRUE;
    }

  if (!date1904 && days == 60)
    {
      /* The day Lotus 1-2-3 believed in, and Excel keeps */
      year = 1900;
      month = 2;
      day = 29;
    }
  else if (date1904)
    civil_from_days (days - 24107, &year, &month, &day);
  else if (days < 60)
    civil_from_days (days - 25568, &year, &month, &day);
  else
    civil_from_days (days - 25569, &year, &month, &day);

  g_string_append_printf (out, "%04d-%02d-%02d", year, month, day);
  if (kind != FORMAT_DATE || secs != 0)
    g_string_append_printf (out, " %02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);

  return TRUE;
}

/* ---- cells ---- */

/* g_string_append_len() without its generic insertion */
static inline void
append_bytes (GString    *out,
              const char *data,
              gsize       len)
{
  if (G_UNLIKELY (out->len + len >= out->allocated_len))
    {
      gsize len_before = out->len;

      g_string_set_size (out, len_before + len);
      out->len = len_before;
    }
  memcpy (out->str + out->len, data, len);
  out->len += len;
  out->str[out->len] = '\0';
}

/* Before a value of @column is appended to self->values: the empty fields
 * left of it, while the row is in order. */
static inline void
begin_value (RsXlsxReader *self,
             guint         column)
{
  if (!self->in_order)
    return;
  if (column < self->n_written)
    {
      self->in_order = FALSE;
      return;
    }
  if (G_UNLIKELY (column >= self->column_offsets_alloc))
    {
      self->column_offsets_alloc = MAX (column + 1, self->column_offsets_alloc * 2);
      self->column_offsets = g_renew (gsize, self->column_offsets, self->column_offsets_alloc);
    }
  for (; self->n_written < column; self->n_written++)
    {
      self->column_offsets[self->n_written] = self->values->len;
      g_string_append_c (self->values, '\0');
    }
}

/* A value of @column was appended from @start (with its NUL). */
static inline void
add_cell (RsXlsxReader *self,
          guint         column,
          gsize         start)
{
  Cell *cell;

  if (G_UNLIKELY (self->n_cells >= self->cells_alloc))
    {
      self->cells_alloc = MAX (256, self->cells_alloc * 2);
      self->cells = g_renew (Cell, self->cells, self->cells_alloc);
    }
  cell = &self->cells[self->n_cells];
  cell->column = column;
  cell->offset = start;
  cell->len = self->values->len - start - 1;
  self->row_text += cell->len;
  self->n_cells++;
  if (self->in_order)
    {
      self->column_offsets[column] = start;
      self->n_written = column + 1;
    }
  self->max_column = MAX (self->max_column, column + 1);
}

void
rs_xlsx_column_name (guint  column,
                     char  *out)
{
  char buf[4];
  int n = 0;

  column = MIN (column, RS_XLSX_MAX_COLUMNS - 1) + 1;
  while (column > 0 && n < 3)
    {
      buf[n++] = 'A' + (column - 1) % 26;
      column = (column - 1) / 26;
    }
  for (int i = 0; i < n; i++)
    out[i] = buf[n - 1 - i];
  out[n] = '\0';
}

static int
compare_cells (gconstpointer a,
               gconstpointer b)
{
  const Cell *ca = a;
  const Cell *cb = b;

  if (ca->column != cb->column)
    return ca->column < cb->column ? -1 : 1;
  return ca->offset < cb->offset ? -1 : ca->offset > cb->offset;
}

/* A cell read as empty that the import reports: see RsXlsxNoteKind */
static void
add_note (RsXlsxReader   *self,
          int             column,
          RsXlsxNoteKind  kind,
          const char     *prefix,
          const char     *text,
          gsize           len)
{
  Note note = { (guint) column, kind, self->notes_text->len };

  if (self->notes->len >= RS_XLSX_MAX_NOTES)
    return;
  g_string_append (self->notes_text, prefix);
  /* Enough of it to recognise it */
  if (len > 200)
    {
      const char *end = text + 200;

      g_utf8_validate_len (text, 200, &end);
      g_string_append_len (self->notes_text, text, end - text);
      g_string_append (self->notes_text, "…");
    }
  else
    g_string_append_len (self->notes_text, text, len);
  rs_xlsx_make_valid_utf8 (self->notes_text, note.offset);
  rs_xlsx_drop_nuls (self->notes_text, note.offset);
  g_string_append_c (self->notes_text, '\0');
  g_array_append_val (self->notes, note);
}

/* The value of the cell just read, in self->value, to self->values.
 * @formula: whether it has a formula, and @has_value whether it has a <v> */
gboolean
rs_xlsx_finish_cell (RsXlsxReader  *self,
                     int            column,
                     const char    *type,
                     guint          style,
                     gboolean       formula,
                     gboolean       has_value,
                     GError       **error)
{
  GString *value = self->value;
  gsize start;

  /* An error value (#N/A, #DIV/0!, …) is no value: read as missing. */
  if (G_UNLIKELY (type[0] == 'e' && type[1] == '\0'))
    {
      if (value->len > 0)
        add_note (self, column, RS_XLSX_NOTE_ERROR_VALUE, "", value->str, value->len);
      return TRUE;
    }
  if (value->len == 0)
    {
      /* A formula saved without its result, as openpyxl writes them (an
       * empty text result is <v></v> with t="str") */
      if (G_UNLIKELY (formula) && (!has_value || !g_str_equal (type, "str")))
        add_note (self, column, RS_XLSX_NOTE_FORMULA_WITHOUT_VALUE, "=", self->formula->str,
                  self->formula->len);
      return TRUE;
    }
  begin_value (self, (guint) column);
  start = self->values->len;

  if (g_str_equal (type, "s"))
    {
      char *end;
      guint64 index = g_ascii_strtoull (value->str, &end, 10);

      if (end == value->str || *end != '\0' || index >= self->string_offsets->len)
        {
          char ref[8];
          g_autofree char *what = NULL;

          rs_xlsx_column_name (column, ref);
          /* Translators: a cell such as B12 */
          what = g_strdup_printf (_("cell %s%u refers to a text the workbook does not have"),
                                  ref, self->row_number);
          rs_xlsx_set_corrupt (error, self->name, self->scan.part, what);
          return FALSE;
        }
      g_string_append (self->values,
                       self->strings->str + g_array_index (self->string_offsets, guint32, index));
    }
  else if (g_str_equal (type, "b"))
    {
      g_string_append (self->values, g_str_equal (value->str, "0") ? "FALSE" : "TRUE");
    }
  else if (g_str_equal (type, "n") && style < self->styles->len
           && self->styles->data[style] != FORMAT_NONE)
    {
      if (!rs_xlsx_format_serial (self->values, value->str, self->styles->data[style],
                                  self->date1904))
        g_string_append_len (self->values, value->str, value->len);
    }
  else if (g_str_equal (type, "d"))
    {
      /* ISO 8601 already: 2025-08-21T12:50:13(.000)(Z) */
      gsize len = value->len;
      char *dot = memchr (value->str, '.', len);

      if (dot != NULL)
        len = dot - value->str;
      else if (len > 0 && value->str[len - 1] == 'Z')
        len--;
      g_string_append_len (self->values, value->str, len);
      for (gsize i = start; i < self->values->len; i++)
        if (self->values->str[i] == 'T')
          self->values->str[i] = ' ';
    }
  else
    {
      g_string_append_len (self->values, value->str, value->len);
      if (g_str_equal (type, "inlineStr") || g_str_equal (type, "str"))
        rs_xlsx_unescape_ooxml (self->values, start);
    }

  rs_xlsx_drop_nuls (self->values, start);
  rs_xlsx_make_valid_utf8 (self->values, start);
  if (self->values->len == start)
    return TRUE;
  if (self->values->len - start > RS_XLSX_MAX_CELL)
    {
      rs_xlsx_set_corrupt (error, self->name, self->scan.part, _("a cell holds too much text"));
      return FALSE;
    }
  g_string_append_c (self->values, '\0');
  add_cell (self, (guint) column, start);

  return TRUE;
}

/* The commonest values straight from the buffer: a shared string's index,
 * or a number that is no date, in ASCII without NUL (@plain). Returns:
 * %FALSE to leave it to finish_cell() */
static inline G_ALWAYS_INLINE gboolean
append_plain_value (RsXlsxReader *self,
                    guint         column,
                    char          type,
                    guint         style,
                    const char   *text,
                    gsize         len,
                    gboolean      plain)
{
  gsize start;

  if (type == 's')
    {
      guint64 index = 0;
      gsize offset;
      gsize next;

      if (len > 9)
        return FALSE;
      for (gsize i = 0; i < len; i++)
        {
          if (!g_ascii_isdigit (text[i]))
            return FALSE;
          index = index * 10 + (guint) (text[i] - '0');
        }
      if (index >= self->string_offsets->len)
        return FALSE;
      offset = g_array_index (self->string_offsets, guint32, index);
      next = index + 1 < self->string_offsets->len
             ? g_array_index (self->string_offsets, guint32, index + 1) : self->strings->len;
      /* An empty string is an empty cell. */
      if (next - offset <= 1)
        return TRUE;
      begin_value (self, column);
      start = self->values->len;
      append_bytes (self->values, self->strings->str + offset, next - offset);
    }
  else
    {
      GString *values = self->values;

      if (!plain || (style < self->styles->len && self->styles->data[style] != FORMAT_NONE))
        return FALSE;
      begin_value (self, column);
      start = values->len;
      if (G_UNLIKELY (start + len + 1 >= values->allocated_len))
        {
          g_string_set_size (values, start + len + 1);
          values->len = start;
        }
      /* Mostly a digit or two: no call to memcpy() */
      for (gsize i = 0; i < len; i++)
        values->str[start + i] = text[i];
      values->str[start + len] = '\0';
      values->len = start + len + 1;
      values->str[values->len] = '\0';
    }

  add_cell (self, column, start);

  return TRUE;
}

/* The value of an attribute in double quotes at @p, up to @end, without
 * '&' or '<'. Returns: its closing quote, or %NULL */
static inline const char *
plain_attr_end (const char *p,
                const char *end)
{
  for (; p < end; p++)
    {
      char c = *p;

      if (c == '"')
        return p;
      if (c == '&' || c == '<')
        return NULL;
    }

  return NULL;
}

/* The row number of a cell reference such as "AA12", for a row that has
 * none of its own */
void
rs_xlsx_note_cell_row (RsXlsxReader *self,
                       const char   *ref,
                       gsize         len)
{
  guint64 number = 0;
  gsize i = 0;

  self->row_from_cell = FALSE;
  while (i < len && g_ascii_isalpha (ref[i]))
    i++;
  for (; i < len && g_ascii_isdigit (ref[i]) && number <= G_MAXINT; i++)
    number = number * 10 + (guint) (ref[i] - '0');
  if (i == len && number >= 1 && number <= G_MAXINT)
    self->row_number = (guint) number;
}

/* The commonest cell of all, as LibreOffice and Excel write it, in one
 * pass: <c r="AB12" s="3" t="n"><v>4</v></c>, with s and t optional, in this
 * order. Returns: 1 when it was one and was read, 0 when it is something
 * else (nothing is consumed) */
static inline int
read_common_cell (RsXlsxReader *self,
                  int          *last_column)
{
  Scan *scan = &self->scan;
  const char *p = scan->buf + scan->start;
  const char *end = scan->buf + scan->end;
  const char *text;
  const char *limit;
  guint column = 0;
  guint style = 0;
  char type = 'n';
  guchar odd = 0;
  guint n;

  /* Room for the longest such cell but its value */
  if (end - p < 64 || memcmp (p, "<c r=\"", 6) != 0)
    return 0;
  p += 6;
  for (n = 0; n < 3; n++, p++)
    {
      guint letter = (guint) (guchar) *p - 'A';

      if (letter >= 26)
        break;
      column = column * 26 + letter + 1;
    }
  if (n == 0)
    return 0;
  for (n = 0; n < 8 && g_ascii_isdigit (*p); n++)
    p++;
  if (*p != '"')
    return 0;
  if (G_UNLIKELY (self->row_from_cell))
    rs_xlsx_note_cell_row (self, scan->buf + scan->start + 6, p - (scan->buf + scan->start + 6));
  p++;
  if (memcmp (p, " s=\"", 4) == 0)
    {
      p += 4;
      for (n = 0; n < 6 && g_ascii_isdigit (*p); n++, p++)
        style = style * 10 + (guint) (*p - '0');
      if (n == 0 || *p++ != '"')
        return 0;
    }
  if (memcmp (p, " t=\"", 4) == 0)
    {
      if ((p[4] != 'n' && p[4] != 's') || p[5] != '"')
        return 0;
      type = p[4];
      p += 6;
    }
  if (memcmp (p, "><v>", 4) != 0)
    return 0;
  text = p + 4;
  limit = MIN (end, text + 64);
  for (p = text; p < limit && *p != '<'; p++)
    {
      if (*p == '&')
        return 0;
      /* Beyond ASCII, or a NUL */
      odd |= ((guchar) *p & 0x80) | (*p == '\0');
    }
  if (p == text || end - p < 8 || memcmp (p, "</v></c>", 8) != 0)
    return 0;
  column--;
  if (column >= RS_XLSX_MAX_COLUMNS
      || !append_plain_value (self, column, type, style, text, p - text, odd == 0))
    return 0;

  scan->start = p + 8 - scan->buf;
  *last_column = (int) column;
  return 1;
}

/* A cell as spreadsheet programs write most: <c r="B2" s="1" t="s"><v>12</v></c>,
 * <c r="B2"/> or <c r="B2"></c>, its attributes in double quotes, whole in
 * the buffer. Returns: 1 when it was one and was read, 0 when it is
 * something else (nothing is consumed), -1 on an error */
int
rs_xlsx_read_plain_cell (RsXlsxReader  *self,
                         int           *last_column,
                         GError       **error)
{
  Scan *scan = &self->scan;
  const char *p = scan->buf + scan->start;
  const char *end = scan->buf + scan->end;
  const char *ref = NULL;
  gsize ref_len = 0;
  char type[16] = "n";
  guint style = 0;
  int column;

  if (read_common_cell (self, last_column) > 0)
    return 1;
  if (end - p < 16 || p[0] != '<' || p[1] != 'c' || !is_space (p[2]))
    return 0;
  p += 3;

  for (;;)
    {
      const char *name;
      const char *value;
      gsize name_len;

      while (p < end && is_space (*p))
        p++;
      if (p >= end)
        return 0;
      if (*p == '>' || *p == '/')
        break;
      name = p;
      if (end - p >= 3 && p[1] == '=' && p[2] == '"')
        p++;
      else
        while (p < end && *p != '=' && !is_space (*p) && *p != '>')
          p++;
      if (end - p < 3 || p[0] != '=' || p[1] != '"')
        return 0;
      name_len = p - name;
      value = p + 2;
      p = plain_attr_end (value, end);
      if (p == NULL)
        return 0;

      if (name_len == 1 && name[0] == 'r')
        {
          ref = value;
          ref_len = p - value;
        }
      else if (name_len == 1 && name[0] == 't')
        {
          if ((gsize) (p - value) >= sizeof type)
            return 0;
          memcpy (type, value, p - value);
          type[p - value] = '\0';
        }
      else if (name_len == 1 && name[0] == 's')
        {
          style = 0;
          for (const char *d = value; d < p && d < value + 6 && g_ascii_isdigit (*d); d++)
            style = style * 10 + (guint) (*d - '0');
        }
      p++;
    }

  column = ref != NULL ? parse_column (ref, ref_len) : *last_column + 1;
  if (column < 0 || column >= RS_XLSX_MAX_COLUMNS)
    return 0;
  if (G_UNLIKELY (self->row_from_cell) && ref != NULL)
    rs_xlsx_note_cell_row (self, ref, ref_len);

  if (*p == '/')
    {
      if (end - p < 2 || p[1] != '>')
        return 0;
      p += 2;
    }
  else if (end - p >= 5 && memcmp (p, "></c>", 5) == 0)
    {
      p += 5;
    }
  else
    {
      const char *text;
      guchar odd = 0;

      if (end - p < 4 || memcmp (p, "><v>", 4) != 0)
        return 0;
      text = p + 4;
      for (p = text; p < end && *p != '<'; p++)
        {
          if (*p == '&')
            return 0;
          /* Beyond ASCII, or a NUL */
          odd |= ((guchar) *p & 0x80) | (*p == '\0');
        }
      if (end - p < 8 || memcmp (p, "</v></c>", 8) != 0)
        return 0;
      scan->start = p + 8 - scan->buf;
      *last_column = column;
      if (p > text && (type[0] == 's' || type[0] == 'n') && type[1] == '\0'
          && append_plain_value (self, (guint) column, type[0], style, text, p - text,
                                 odd == 0))
        return 1;
      g_string_truncate (self->value, 0);
      append_bytes (self->value, text, p - text);
      return rs_xlsx_finish_cell (self, column, type, style, FALSE, TRUE, error) ? 1 : -1;
    }

  g_string_truncate (self->value, 0);
  scan->start = p - scan->buf;
  *last_column = column;
  return rs_xlsx_finish_cell (self, column, type, style, FALSE, FALSE, error) ? 1 : -1;
}

/* The row just read as @width fields into self->fields, and its data. */
void
rs_xlsx_build_row (RsXlsxReader *self,
                   guint         width)
{
  guint next = 0;

  if (self->fields_alloc < width + 1)
    {
      self->fields_alloc = MAX (width + 1, self->fields_alloc * 2);
      self->fields = g_renew (const char *, self->fields, self->fields_alloc);
    }

  /* Left to right, as written: the values are the row already. */
  if (self->in_order)
    {
      if (self->n_written > width)
        self->row_len = self->column_offsets[width];
      else
        {
          begin_value (self, width);
          self->row_len = self->values->len;
        }
      for (guint i = 0; i < width; i++)
        self->fields[i] = self->values->str + self->column_offsets[i];
      self->fields[width] = NULL;
      self->n_fields = width;
      self->row_data = self->values->str;
      return;
    }

  qsort (self->cells, self->n_cells, sizeof (Cell), compare_cells);

  g_string_truncate (self->row, 0);

  /* Offsets first: the row's buffer moves as it grows. */
  for (guint i = 0; i < self->n_cells; i++)
    {
      const Cell *cell = &self->cells[i];
      const char *text = self->values->str + cell->offset;

      if (cell->column >= width)
        break;
      /* Of two cells in one place, the later */
      if (i + 1 < self->n_cells && self->cells[i + 1].column == cell->column)
        continue;
      for (; next < cell->column; next++)
        {
          self->fields[next] = GSIZE_TO_POINTER (self->row->len);
          g_string_append_c (self->row, '\0');
        }
      self->fields[next++] = GSIZE_TO_POINTER (self->row->len);
      g_string_append_len (self->row, text, cell->len + 1);
    }
  for (; next < width; next++)
    {
      self->fields[next] = GSIZE_TO_POINTER (self->row->len);
      g_string_append_c (self->row, '\0');
    }
  for (guint i = 0; i < width; i++)
    self->fields[i] = self->row->str + GPOINTER_TO_SIZE (self->fields[i]);
  self->fields[width] = NULL;
  self->n_fields = width;
  self->row_data = self->row->str;
  self->row_len = self->row->len;
}
