/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-export"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "rs-export-private.h"

/* The export as an Excel workbook: a sheet of respondents (the columns of
 * the CSV export) and a sheet of their history. The header row is bold and
 * frozen, with a filter; ids and counts are numbers and times are Excel
 * dates in local time. Text is always a text cell, so a value such as
 * "=1+1" is shown as written and never run. */

/* What Excel keeps of a text cell, in UTF-16 code units. */
#define CELL_TEXT_MAX 32767

typedef enum
{
  CELL_TEXT,
  CELL_NUMBER,
  CELL_TIME,
} CellKind;

typedef struct
{
  CellKind kind;
  /* In characters of the default font */
  double width;
} Column;

/* RS_EXPORT_STATUS_HEADER */
static const Column respondent_columns[] = {
  { CELL_NUMBER, 8 }, { CELL_TEXT, 30 }, { CELL_TEXT, 24 }, { CELL_TEXT, 30 },
  { CELL_TEXT, 10 }, { CELL_TIME, 20 }, { CELL_TEXT, 8 }, { CELL_TEXT, 40 },
  { CELL_TEXT, 40 }, { CELL_TEXT, 40 }, { CELL_NUMBER, 14 }, { CELL_TIME, 20 },
};

/* RS_EXPORT_HISTORY_HEADER */
static const Column history_columns[] = {
  { CELL_NUMBER, 14 }, { CELL_TEXT, 30 }, { CELL_TEXT, 24 }, { CELL_TEXT, 30 },
  { CELL_TIME, 20 }, { CELL_TEXT, 8 }, { CELL_TEXT, 12 }, { CELL_TEXT, 12 },
  { CELL_TEXT, 8 }, { CELL_TEXT, 40 }, { CELL_TEXT, 10 }, { CELL_TEXT, 24 },
  { CELL_TEXT, 24 },
};

#define HISTORY_COLUMNS \
  "SELECT h.respondent_id, r.company, r.person, r.email, h.at, h.by, h.from_status," \
  "       h.to_status, h.mode, h.note, h.field, h.from_value, h.to_value" \
  "  FROM history h JOIN respondent r ON r.id = h.respondent_id"

typedef struct
{
  lxw_workbook *workbook;
  lxw_format *header;
  lxw_format *time;
} Workbook;

typedef struct
{
  lxw_worksheet *sheet;
  const Column *columns;
  guint n_columns;
  const char *name;
  lxw_row_t row;
} Sheet;

static gboolean
set_workbook_error (lxw_error   code,
                    GError    **error)
{
  if (code == LXW_NO_ERROR)
    return TRUE;

  g_set_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_WORKBOOK,
               /* Translators: the reason comes from libxlsxwriter, in English */
               _("Could not make the workbook: %s"), lxw_strerror (code));
  return FALSE;
}

/* Excel reads "_xHHHH_" in a text as the character HHHH (libxlsxwriter
 * writes control characters so); a text that has it literally gets its
 * "_" escaped, and shows as written. */
static char *
escape_literal_escapes (const char *text)
{
  g_autoptr(GString) escaped = NULL;

  if (strstr (text, "_x") == NULL)
    return g_strdup (text);

  escaped = g_string_sized_new (strlen (text) + 16);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '_' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]) &&
          g_ascii_isxdigit (p[4]) && g_ascii_isxdigit (p[5]) && p[6] == '_')
        g_string_append (escaped, "_x005F");
      g_string_append_c (escaped, *p);
    }

  return g_string_free (g_steal_pointer (&escaped), FALSE);
}

/* @text as UTF-8 that fits a cell: longer text is cut at a character and
 * ends with "…", so that no cell is refused. */
static char *
cell_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  const char *cut = NULL;
  glong units = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      /* Beyond the Basic Multilingual Plane a character takes two. */
      units += g_utf8_get_char (p) > 0xffff ? 2 : 1;
      if (cut == NULL && units > CELL_TEXT_MAX - 1)
        cut = p;
      if (units > CELL_TEXT_MAX)
        {
          g_autofree char *kept = g_strndup (valid, cut - valid);
          g_autofree char *ended = g_strconcat (kept, "…", NULL);

          return escape_literal_escapes (ended);
        }
    }

  return escape_literal_escapes (valid);
}

static gboolean
write_time (Workbook   *book,
            Sheet      *sheet,
            lxw_col_t   col,
            gint64      unix_time,
            GError    **error)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
  lxw_datetime datetime;

  if (local == NULL)
    return TRUE;

  /* Excel's dates run from 1900 to 9999; others stay readable as text. */
  if (g_date_time_get_year (local) < 1900 || g_date_time_get_year (local) > 9999)
    {
      g_autofree char *text = g_date_time_format_iso8601 (local);

      return set_workbook_error (worksheet_write_string (sheet->sheet, sheet->row, col, text,
                                                         NULL), error);
    }

  datetime.year = g_date_time_get_year (local);
  datetime.month = g_date_time_get_month (local);
  datetime.day = g_date_time_get_day_of_month (local);
  datetime.hour = g_date_time_get_hour (local);
  datetime.min = g_date_time_get_minute (local);
  datetime.sec = g_date_time_get_second (local);

  return set_workbook_error (worksheet_write_datetime (sheet->sheet, sheet->row, col, &datetime,
                                                       book->time), error);
}

static gboolean
write_cell (Workbook      *book,
            Sheet         *sheet,
            lxw_col_t      col,
            sqlite3_stmt  *stmt,
            GError       **error)
{
  const char *text;

  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return TRUE;

  switch (sheet->columns[col].kind)
    {
    case CELL_NUMBER:
      return set_workbook_error (worksheet_write_number (sheet->sheet, sheet->row, col,
                                                         sqlite3_column_double (stmt, col),
                                                         NULL), error);

    case CELL_TIME:
      return write_time (book, sheet, col, sqlite3_column_int64 (stmt, col), error);

    case CELL_TEXT:
    default:
      text = (const char *) sqlite3_column_text (stmt, col);
      if (text == NULL || text[0] == '\0')
        return TRUE;
      {
        g_autofree char *fitted = cell_text (text);

        return set_workbook_error (worksheet_write_string (sheet->sheet, sheet->row, col,
                                                           fitted, NULL), error);
      }
    }
}

static gboolean
next_row (Sheet   *sheet,
          GError **error)
{
  sheet->row++;
  if (sheet->row < LXW_ROW_MAX)
    return TRUE;

  g_set_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_TOO_MANY_ROWS,
               /* Translators: the name of the sheet, then the most rows a sheet holds */
               _("The sheet “%s” would have more rows than a workbook sheet holds (%u): "
                 "export to a CSV file instead"), sheet->name, (guint) LXW_ROW_MAX - 1);
  return FALSE;
}

/* Steps @stmt to its end, a row of the sheet a row of the result. */
static gboolean
write_rows (Workbook      *book,
            Sheet         *sheet,
            sqlite3       *db,
            sqlite3_stmt  *stmt,
            gint64        *n_rows,
            GCancellable  *cancellable,
            GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!next_row (sheet, error))
        return FALSE;
      for (guint col = 0; col < sheet->n_columns; col++)
        if (!write_cell (book, sheet, col, stmt, error))
          return FALSE;
      (*n_rows)++;

      if ((*n_rows & 1023) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* @sql for everyone, or once for each of @ids with :id bound. */
static gboolean
write_query (Workbook      *book,
             Sheet         *sheet,
             sqlite3       *db,
             const char    *sql,
             const GArray  *ids,
             gint64        *n_rows,
             GCancellable  *cancellable,
             GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok = TRUE;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  if (ids == NULL)
    {
      ok = write_rows (book, sheet, db, stmt, n_rows, cancellable, error);
    }
  else
    {
      int id_index = sqlite3_bind_parameter_index (stmt, ":id");

      for (guint i = 0; i < ids->len && ok; i++)
        {
          sqlite3_bind_int64 (stmt, id_index, g_array_index (ids, gint64, i));
          ok = write_rows (book, sheet, db, stmt, n_rows, cancellable, error);
          sqlite3_reset (stmt);
          if (ok && (i & 1023) == 1023)
            ok = !g_cancellable_set_error_if_cancelled (cancellable, error);
        }
    }
  sqlite3_finalize (stmt);

  return ok;
}

static gboolean
add_sheet (Workbook    *book,
           Sheet       *sheet,
           const char  *name,
           const char  *header,
           GError     **error)
{
  g_auto(GStrv) names = g_strsplit (header, ",", -1);

  g_assert (g_strv_length (names) == sheet->n_columns);

  sheet->name = name;
  sheet->sheet = workbook_add_worksheet (book->workbook, name);
  if (sheet->sheet == NULL)
    return set_workbook_error (LXW_ERROR_PARAMETER_VALIDATION, error);

  for (guint col = 0; col < sheet->n_columns; col++)
    {
      lxw_format *format = sheet->columns[col].kind == CELL_TIME ? book->time : NULL;

      if (!set_workbook_error (worksheet_set_column (sheet->sheet, col, col,
                                                     sheet->columns[col].width, format),
                               error) ||
          !set_workbook_error (worksheet_write_string (sheet->sheet, 0, col, names[col],
                                                       book->header),
                               error))
        return FALSE;
    }
  worksheet_freeze_panes (sheet->sheet, 1, 0);
  sheet->row = 0;

  return TRUE;
}

static gboolean
write_sheets (Workbook               *book,
              RsStore                *store,
              const RsExportOptions  *options,
              gint64                 *n_written,
              GCancellable           *cancellable,
              GError                **error)
{
  Sheet respondents = { NULL, respondent_columns, G_N_ELEMENTS (respondent_columns) };
  Sheet history = { NULL, history_columns, G_N_ELEMENTS (history_columns) };
  gint64 n_history = 0;
  gboolean ok;
  sqlite3 *db;

  /* Translators: the name of a sheet in an exported workbook, at most 31
   * characters and none of : \ / ? * [ ] */
  if (!add_sheet (book, &respondents, _("Respondents"), RS_EXPORT_STATUS_HEADER, error) ||
      /* Translators: the name of a sheet in an exported workbook, at most 31
       * characters and none of : \ / ? * [ ] */
      !add_sheet (book, &history, _("History"), RS_EXPORT_HISTORY_HEADER, error))
    return FALSE;

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return FALSE;

  /* Both sheets see the same moment of the database. */
  if (!rs_store_exec (db, "BEGIN", error))
    return FALSE;

  ok = write_query (book, &respondents, db,
                    options->ids == NULL ? RS_EXPORT_EVERYONE_SQL : RS_EXPORT_ONE_SQL,
                    options->ids, n_written, cancellable, error) &&
       write_query (book, &history, db,
                    options->ids == NULL
                      ? HISTORY_COLUMNS " ORDER BY h.respondent_id, h.at, h.id"
                      : HISTORY_COLUMNS " WHERE h.respondent_id = :id ORDER BY h.at, h.id",
                    options->ids, &n_history, cancellable, error);

  if (!ok)
    {
      rs_store_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!rs_store_exec (db, "COMMIT", error))
    return FALSE;

  worksheet_autofilter (respondents.sheet, 0, 0, respondents.row,
                        respondents.n_columns - 1);
  worksheet_autofilter (history.sheet, 0, 0, history.row, history.n_columns - 1);

  return TRUE;
}

static void
remove_folder (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

gboolean
rs_export_write_xlsx (RsStore                *store,
                      const RsExportOptions  *options,
                      GOutputStream          *out,
                      gint64                 *n_written,
                      GCancellable           *cancellable,
                      GError                **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) made = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  lxw_workbook_options workbook_options = { 0 };
  Workbook book = { NULL };
  gint64 written = 0;
  gboolean ok;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  /* libxlsxwriter writes to a file name: one in a folder of our own, with
   * its working files next to it, removed when done. */
  dir = g_dir_make_tmp ("resiliencescan-export-XXXXXX", error);
  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "export.xlsx", NULL);

  /* Row by row to files, not the whole workbook in memory. */
  workbook_options.constant_memory = LXW_TRUE;
  workbook_options.tmpdir = dir;
  book.workbook = workbook_new_opt (path, &workbook_options);
  if (book.workbook == NULL)
    {
      remove_folder (dir);
      return set_workbook_error (LXW_ERROR_MEMORY_MALLOC_FAILED, error);
    }

  book.header = workbook_add_format (book.workbook);
  format_set_bold (book.header);
  book.time = workbook_add_format (book.workbook);
  format_set_num_format (book.time, "yyyy-mm-dd hh:mm:ss");

  if (!write_sheets (&book, store, options, &written, cancellable, error))
    {
      lxw_workbook_free (book.workbook);
      remove_folder (dir);
      return FALSE;
    }

  if (!set_workbook_error (workbook_close (book.workbook), error))
    {
      remove_folder (dir);
      return FALSE;
    }

  made = g_file_new_for_path (path);
  in = g_file_read (made, cancellable, error);
  ok = in != NULL &&
       g_output_stream_splice (out, G_INPUT_STREAM (in), G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
                               cancellable, error) >= 0;
  remove_folder (dir);

  if (ok && n_written != NULL)
    *n_written = written;

  return ok;
}
