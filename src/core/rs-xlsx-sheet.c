/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-master.h"
#include "rs-xlsx-private.h"

static void
set_too_large_row (RsXlsxReader  *self,
                   GError       **error)
{
  /* Translators: a row number, a sheet, the workbook, a size in MB */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
               _("Row %u of sheet “%s” in “%s” holds more than %u MB of text, too large to "
                 "be a master file: it may be damaged or made to harm; check that row"),
               self->row_number, self->sheet_name, self->name, (guint) (RS_XLSX_MAX_ROW >> 20));
}

static void
set_too_large_sheet (RsXlsxReader  *self,
                     GError       **error)
{
  g_autofree char *budget = g_format_size (self->text_budget);

  /* Translators: a sheet, the workbook, a size such as “300 MB”, a row number */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
               _("Sheet “%s” of “%s” unpacks to more than %s of text by row %u, too large to "
                 "be a master file: its texts are repeated far more than a master file’s "
                 "are. It may be damaged or made to harm"),
               self->sheet_name, self->name, budget, self->row_number);
}

/* Where the parse of a row is: what element it is in, and the cell's */
typedef struct
{
  gboolean in_row;
  gboolean in_cell;
  gboolean in_value;
  gboolean in_inline;
  gboolean formula;
  gboolean in_formula;
  gboolean has_value;
  guint skip;
  int column;
  int last_column;
  char type[16];
  guint style;
} RowParse;

/* <row>: its number, and the row's notes start anew */
static void
start_row (RsXlsxReader *self,
           RowParse     *rp)
{
  Scan *scan = &self->scan;
  gsize len;
  const char *r = rs_xlsx_scan_attr (scan, "r", &len);
  guint64 number = 0;

  if (r != NULL && len <= 7)
    {
      char digits[8];

      memcpy (digits, r, len);
      digits[len] = '\0';
      number = g_ascii_strtoull (digits, NULL, 10);
    }
  /* The row's own number, even out of order: problems name
   * the row the sheet shows. Without one, the row after the
   * last, unless its first cell's reference says otherwise. */
  self->row_from_cell = number == 0 || number > G_MAXINT;
  self->row_number = !self->row_from_cell ? (guint) number : self->row_number + 1;
  rp->in_row = TRUE;
  rp->last_column = -1;
  g_array_set_size (self->notes, 0);
  g_string_truncate (self->notes_text, 0);
}

/* Most cells are <v>text</v></c>: read at once, not as four tokens. */
static gboolean
read_value_at_once (RsXlsxReader  *self,
                    RowParse      *rp,
                    GError       **error)
{
  Scan *scan = &self->scan;
  const char *at = scan->buf + scan->start;
  gsize avail = scan->end - scan->start;
  const char *lt;

  if (avail > 3 && memcmp (at, "<v>", 3) == 0
      && (lt = memchr (at + 3, '<', avail - 3)) != NULL
      && (gsize) (lt - at) + 8 <= avail && memcmp (lt, "</v></c>", 8) == 0)
    {
      scan->text = at + 3;
      scan->text_len = lt - (at + 3);
      scan->text_raw = FALSE;
      scan->start += (lt - at) + 8;
      if (!rs_xlsx_scan_append_text (scan, self->value, error))
        return FALSE;
      rp->in_cell = FALSE;
      if (!rs_xlsx_finish_cell (self, rp->column, rp->type, rp->style, FALSE, TRUE, error))
        return FALSE;
    }

  return TRUE;
}

/* <c>: its column, type and style */
static gboolean
start_cell (RsXlsxReader  *self,
            RowParse      *rp,
            GError       **error)
{
  Scan *scan = &self->scan;
  gsize len;
  const char *value;

  rp->in_cell = TRUE;
  rp->formula = FALSE;
  rp->in_formula = FALSE;
  rp->has_value = FALSE;
  g_string_truncate (self->formula, 0);
  g_string_truncate (self->value, 0);
  value = rs_xlsx_scan_attr (scan, "r", &len);
  rp->column = value != NULL ? parse_column (value, len) : rp->last_column + 1;
  if (self->row_from_cell && value != NULL)
    rs_xlsx_note_cell_row (self, value, len);
  if (rp->column < 0 || rp->column >= RS_XLSX_MAX_COLUMNS)
    {
      rs_xlsx_set_corrupt (error, self->name, scan->part,
                           _("a cell reference is not a column of a sheet"));
      return FALSE;
    }
  rp->last_column = rp->column;
  value = rs_xlsx_scan_attr (scan, "t", &len);
  if (value != NULL && len < sizeof rp->type)
    {
      memcpy (rp->type, value, len);
      rp->type[len] = '\0';
    }
  else
    strcpy (rp->type, "n");
  value = rs_xlsx_scan_attr (scan, "s", &len);
  rp->style = 0;
  for (gsize i = 0; value != NULL && i < len && i < 6 && g_ascii_isdigit (value[i]); i++)
    rp->style = rp->style * 10 + (guint) (value[i] - '0');

  return scan->pending_end || read_value_at_once (self, rp, error);
}

static gboolean
on_start_element (RsXlsxReader  *self,
                  RowParse      *rp,
                  GError       **error)
{
  Scan *scan = &self->scan;

  if (!self->in_sheet_data)
    {
      if (token_is (scan, "sheetData"))
        self->in_sheet_data = TRUE;
      return TRUE;
    }
  if (token_is (scan, "row"))
    start_row (self, rp);
  else if (rp->in_row && token_is (scan, "c"))
    return start_cell (self, rp, error);
  else if (rp->in_cell && token_is (scan, "v"))
    {
      rp->in_value = TRUE;
      rp->has_value = TRUE;
    }
  else if (rp->in_cell && token_is (scan, "f"))
    {
      rp->formula = TRUE;
      rp->in_formula = !scan->pending_end;
    }
  else if (rp->in_cell && token_is (scan, "is"))
    rp->in_inline = TRUE;
  else if (rp->in_inline && token_is (scan, "rPh"))
    rp->skip++;
  else if (rp->in_inline && rp->skip == 0 && token_is (scan, "t"))
    rp->in_value = TRUE;

  return TRUE;
}

/* Returns: 1 at the end of a row that has a value, 0 to read on, -1 on an
 * error */
static int
on_end_element (RsXlsxReader  *self,
                RowParse      *rp,
                GError       **error)
{
  Scan *scan = &self->scan;

  if (!self->in_sheet_data)
    return 0;
  if (token_is (scan, "v") || token_is (scan, "t"))
    rp->in_value = FALSE;
  else if (token_is (scan, "f"))
    rp->in_formula = FALSE;
  else if (token_is (scan, "rPh"))
    rp->skip = rp->skip > 0 ? rp->skip - 1 : 0;
  else if (token_is (scan, "is"))
    rp->in_inline = FALSE;
  else if (rp->in_cell && token_is (scan, "c"))
    {
      rp->in_cell = FALSE;
      rp->in_value = FALSE;
      rp->in_inline = FALSE;
      rp->in_formula = FALSE;
      if (!rs_xlsx_finish_cell (self, rp->column, rp->type, rp->style, rp->formula,
                                rp->has_value, error))
        return -1;
    }
  else if (rp->in_row && token_is (scan, "row"))
    {
      rp->in_row = FALSE;
      if (self->n_cells > 0)
        {
          /* And all the rows together, no more than their sheet
           * and a margin could hold as text */
          self->text_total += self->row_text;
          if (G_UNLIKELY (self->text_total > self->text_budget))
            {
              set_too_large_sheet (self, error);
              return -1;
            }
          return 1;
        }
    }
  else if (token_is (scan, "sheetData"))
    self->sheet_done = TRUE;

  return 0;
}

static gboolean
on_text (RsXlsxReader  *self,
         RowParse      *rp,
         GError       **error)
{
  Scan *scan = &self->scan;

  if (G_UNLIKELY (rp->in_formula) && self->formula->len < 256)
    {
      if (!rs_xlsx_scan_append_text (scan, self->formula, error))
        return FALSE;
    }
  if (rp->in_value && rp->skip == 0)
    {
      if (!rs_xlsx_scan_append_text (scan, self->value, error))
        return FALSE;
      if (self->value->len > RS_XLSX_MAX_CELL)
        {
          rs_xlsx_set_corrupt (error, self->name, scan->part,
                               _("a cell holds too much text"));
          return FALSE;
        }
    }

  return TRUE;
}

/* At the end: a file that changed while it was read gives rows of two
 * files, and sets @error. */
static void
check_unchanged (RsXlsxReader  *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  goffset size;
  guint64 mtime;

  if (!self->check_unchanged)
    return;
  if (rs_xlsx_reader_query_file (self, cancellable, &size, &mtime)
      && size == self->opened_size && mtime == self->opened_mtime)
    return;

  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_CHANGED,
               _("“%s” changed while it was imported: wait until it is saved or "
                 "copied, then import it again"),
               self->name);
}

/* Reads the next row that has a value. Returns: %FALSE at the end of the
 * sheet (@error unset) or on an error */
gboolean
rs_xlsx_read_raw_row (RsXlsxReader  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Scan *scan = &self->scan;
  RowParse rp = { .column = -1, .last_column = -1, .type = "n" };

  scan->cancellable = cancellable;
  self->n_cells = 0;
  self->row_text = 0;
  g_string_truncate (self->values, 0);
  self->max_column = 0;
  self->in_order = TRUE;
  self->n_written = 0;

  while (!self->sheet_done)
    {
      /* A shared string is kept once but may be in every cell of a row:
       * a row is never let grow past what a master file's row can be. */
      if (G_UNLIKELY (self->values->len > RS_XLSX_MAX_ROW))
        {
          set_too_large_row (self, error);
          return FALSE;
        }

      /* Most of a sheet is plain cells: read each in one step. */
      if (rp.in_row && !rp.in_cell)
        {
          int fast = rs_xlsx_read_plain_cell (self, &rp.last_column, error);

          if (fast < 0)
            return FALSE;
          if (fast > 0)
            continue;
        }

      if (!rs_xlsx_scan_next (scan, error))
        return FALSE;

      switch (scan->type)
        {
        case TOKEN_EOF:
          self->sheet_done = TRUE;
          break;

        case TOKEN_START:
          if (!on_start_element (self, &rp, error))
            return FALSE;
          break;

        case TOKEN_END:
          switch (on_end_element (self, &rp, error))
            {
            case 0:
              break;
            case 1:
              return TRUE;
            default:
              return FALSE;
            }
          break;

        case TOKEN_TEXT:
          if (!on_text (self, &rp, error))
            return FALSE;
          break;

        default:
          break;
        }
    }

  check_unchanged (self, cancellable, error);
  return FALSE;
}

/* The cells of a row above the header, joined by spaces */
static char *
row_text (RsXlsxReader *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->n_fields; i++)
    {
      if (self->fields[i][0] == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, self->fields[i]);
    }

  return g_string_free (text, FALSE);
}

static void
close_sheet (RsXlsxReader *self)
{
  rs_xlsx_scan_clear (&self->scan);
  self->sheet_open = FALSE;
  self->in_sheet_data = FALSE;
  self->sheet_done = FALSE;
  self->row_number = 0;
  self->row_from_cell = FALSE;
  g_array_set_size (self->notes, 0);
  g_string_truncate (self->notes_text, 0);
  g_clear_pointer (&self->sheet_name, g_free);
  g_clear_pointer (&self->header, g_strfreev);
  self->n_header = 0;
  self->n_ignored = 0;
  g_clear_pointer (&self->ignored_text, g_free);
  g_clear_error (&self->fatal);
}

/* Opens @sheet and reads up to its header: the first of its first rows
 * with the required columns. */
static gboolean
start_sheet (RsXlsxReader  *self,
             const Sheet   *sheet,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) first_error = NULL;
  GsfInput *input;
  guint tried = 0;

  close_sheet (self);
  if (!rs_xlsx_load_strings (self, cancellable, error))
    return FALSE;

  input = rs_xlsx_open_part (self, sheet->path, RS_XLSX_MAX_SHEET_PART, error);
  if (input == NULL)
    {
      if (error != NULL && *error == NULL)
        rs_xlsx_set_corrupt (error, self->name, sheet->path, _("the sheet is missing"));
      return FALSE;
    }
  rs_xlsx_scan_init (&self->scan, input, self->name, sheet->path, cancellable);
  self->text_total = 0;
  self->text_budget = RS_XLSX_MIN_TEXT_BUDGET
                      + (guint64) RS_XLSX_TEXT_RATIO * (guint64) MAX (self->scan.size, 0);
  self->sheet_open = TRUE;
  self->sheet_name = g_strdup (sheet->name);

  while (tried < RS_XLSX_HEADER_ROWS)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(RsMasterColumns) columns = NULL;
      guint width;

      if (!rs_xlsx_read_raw_row (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }
      tried++;

      width = self->max_column;
      rs_xlsx_build_row (self, width);
      columns = rs_master_columns_new (self->fields, self->n_fields, &local_error);
      if (columns != NULL)
        {
          /* Empty cells right of the header's last name are no columns. */
          while (width > 0 && self->fields[width - 1][0] == '\0')
            width--;
          self->n_header = width;
          self->header = g_new0 (char *, width + 1);
          for (guint i = 0; i < width; i++)
            self->header[i] = g_strdup (self->fields[i]);
          return TRUE;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      if (self->n_ignored++ == 0)
        self->ignored_text = row_text (self);
    }

  if (first_error != NULL)
    {
      /* Translators: the sheet, then why it is not a master file */
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET, _("Sheet “%s”: %s"),
                   sheet->name, first_error->message);
    }
  else
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
                   _("Sheet “%s” of “%s” is empty: it has no header row"), sheet->name,
                   self->name);
    }
  return FALSE;
}

GStrv
rs_xlsx_reader_list_master_sheets (RsXlsxReader  *self,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->sheets->len; i++)
    {
      const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);
      g_autoptr(GError) local_error = NULL;

      if (start_sheet (self, sheet, cancellable, &local_error))
        g_strv_builder_add (builder, sheet->name);
      else if (!g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET))
        {
          close_sheet (self);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  close_sheet (self);

  return g_strv_builder_end (builder);
}

/* The names of the workbook's sheets, each quoted, for a message */
static char *
sheet_names (RsXlsxReader *self)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < self->sheets->len; i++)
    g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "",
                            g_array_index (self->sheets, Sheet, i).name);

  return g_string_free (names, FALSE);
}

gboolean
rs_xlsx_reader_open_sheet (RsXlsxReader  *self,
                           const char    *name,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GError) first_error = NULL;
  g_autofree char *names = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL)
    {
      for (guint i = 0; i < self->sheets->len; i++)
        if (g_str_equal (g_array_index (self->sheets, Sheet, i).name, "MasterData"))
          name = "MasterData";
    }

  if (name != NULL)
    {
      for (guint i = 0; i < self->sheets->len; i++)
        {
          const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);

          if (g_str_equal (sheet->name, name))
            return start_sheet (self, sheet, cancellable, error);
        }

      names = sheet_names (self);
      /* Translators: a sheet's name, the workbook, then the names it has */
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
                   _("There is no sheet “%s” in “%s”; it has %s"), name, self->name, names);
      return FALSE;
    }

  for (guint i = 0; i < self->sheets->len; i++)
    {
      const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);
      g_autoptr(GError) local_error = NULL;

      if (start_sheet (self, sheet, cancellable, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  close_sheet (self);

  if (self->sheets->len == 1)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  names = sheet_names (self);
  /* Translators: the workbook, then its sheets' names */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
               _("No sheet of “%s” has the columns of a master file (company_name, name and "
                 "email_address in one of its first %u rows). Its sheets are %s"),
               self->name, RS_XLSX_HEADER_ROWS, names);
  return FALSE;
}
