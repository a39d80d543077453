/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-row-source"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-row-source.h"
#include "rs-xlsx.h"

/* One of two readers. A CSV reader takes its first record for the header;
 * here the header is looked for among the first rows, as the workbook
 * reader does for itself. */
struct _RsRowSource
{
  RsCsvReader *csv;
  RsXlsxReader *xlsx;
  RsMasterColumns *columns;
  guint n_ignored;
  char *ignored_text;
  /* Of the CSV reader's fields read as Windows-1252, how many are on the
   * lines above the header: no values, so not reported as values. */
  guint n_recoded_above;
  /* Of a workbook whose sheet was chosen, the others with the columns */
  GStrv other_sheets;
};

void
rs_row_source_free (RsRowSource *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->csv, rs_csv_reader_free);
  g_clear_pointer (&self->xlsx, rs_xlsx_reader_free);
  g_clear_pointer (&self->columns, rs_master_columns_free);
  g_free (self->ignored_text);
  g_strfreev (self->other_sheets);
  g_free (self);
}

static char *
join_fields (const char * const *fields,
             guint               n_fields)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *field = g_strstrip (g_strdup (fields[i]));

      if (field[0] == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, field);
    }

  return g_string_free (text, FALSE);
}

/* The first record is the header unless a later one of the first is. */
static gboolean
find_csv_header (RsRowSource   *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GError) first_error = NULL;
  const char * const *fields;
  guint n_fields;

  fields = rs_csv_reader_get_header (self->csv, &n_fields);
  self->columns = rs_master_columns_new (fields, n_fields, &first_error);

  for (guint tried = 1; self->columns == NULL && tried < RS_XLSX_HEADER_ROWS; tried++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = join_fields (fields, n_fields);

      /* A line of empty fields is as good as blank. */
      if (text[0] != '\0' && self->n_ignored++ == 0)
        self->ignored_text = g_steal_pointer (&text);

      if (!rs_csv_reader_next_row (self->csv, &fields, &n_fields, cancellable, &local_error)
          && !g_error_matches (local_error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }

      self->columns = rs_master_columns_new (fields, n_fields, NULL);
      if (self->columns != NULL)
        {
          guint line = rs_csv_reader_get_line (self->csv);
          const RsCsvRecoded *recoded;
          guint n_recoded;

          rs_csv_reader_use_row_as_header (self->csv);
          recoded = rs_csv_reader_get_recoded (self->csv, &n_recoded);
          while (self->n_recoded_above < n_recoded && recoded[self->n_recoded_above].line < line)
            self->n_recoded_above++;
        }
    }

  if (self->columns == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  return TRUE;
}

RsRowSource *
rs_row_source_new_for_stream (GInputStream  *stream,
                              const char    *name,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(RsRowSource) self = g_new0 (RsRowSource, 1);
  g_autoptr(GInputStream) buffered = g_buffered_input_stream_new (stream);
  GBufferedInputStream *peek = G_BUFFERED_INPUT_STREAM (buffered);
  const guint8 *start;
  gsize available = 0;

  /* A workbook is read by seeking in it: a stream cannot be. Its first
   * bytes say what it is, and stay in the buffer for the CSV reader. */
  for (;;)
    {
      gssize n;

      start = g_buffered_input_stream_peek_buffer (peek, &available);
      if (available >= 8)
        break;
      n = g_buffered_input_stream_fill (peek, 8 - available, cancellable, NULL);
      if (n <= 0)
        break;
    }
  start = g_buffered_input_stream_peek_buffer (peek, &available);
  if (rs_xlsx_sniff (start, available))
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                   _("A workbook cannot be read from standard input; give its file name"));
      return NULL;
    }

  self->csv = rs_csv_reader_new_for_stream (buffered, name, cancellable, error);
  if (self->csv == NULL || !find_csv_header (self, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Whether @file starts like a workbook. A file that cannot be read is
 * left to the CSV reader, which says why; @pdf says whether it is a PDF. */
static gboolean
file_is_workbook (GFile        *file,
                  gboolean     *pdf,
                  GCancellable *cancellable)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  guint8 magic[8];
  gsize len = 0;

  /* A pipe or a FIFO is read once, so only as CSV. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                            cancellable, NULL);
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    return FALSE;

  stream = g_file_read (file, cancellable, NULL);
  if (stream == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), magic, sizeof magic, &len,
                                   cancellable, NULL))
    return FALSE;

  if (pdf != NULL)
    *pdf = len >= 5 && memcmp (magic, "%PDF-", 5) == 0;
  return rs_xlsx_sniff (magic, len);
}

/* Whether @file starts like a workbook. A file that cannot be read is
 * left to the CSV reader, which says why. */
gboolean
rs_row_source_is_workbook (GFile        *file,
                           GCancellable *cancellable)
{
  return file_is_workbook (file, NULL, cancellable);
}

GStrv
rs_row_source_list_sheets (GFile         *file,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(RsXlsxReader) reader = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!file_is_workbook (file, NULL, cancellable))
    return g_new0 (char *, 1);

  reader = rs_xlsx_reader_new (file, cancellable, error);
  if (reader == NULL)
    return NULL;

  return rs_xlsx_reader_list_master_sheets (reader, cancellable, error);
}

/* Sheet names as Excel compares them: in any case. */
static gboolean
same_sheet_name (const char *name,
                 const char *other)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);
  g_autofree char *other_folded = g_utf8_casefold (other, -1);

  return g_str_equal (folded, other_folded);
}

/**
 * rs_row_source_choose_sheet:
 * @sheets: the sheets of a workbook that have the required columns, in
 *   the workbook's order, as rs_row_source_list_sheets() returns them
 *
 * Returns: (nullable): the one an import reads when none is asked for:
 *   MasterData, in any case, else the first
 */
const char *
rs_row_source_choose_sheet (const char * const *sheets)
{
  const char *master = NULL;

  g_return_val_if_fail (sheets != NULL, NULL);

  for (guint i = 0; sheets[i] != NULL; i++)
    {
      if (g_str_equal (sheets[i], "MasterData"))
        return sheets[i];
      if (master == NULL && same_sheet_name (sheets[i], "MasterData"))
        master = sheets[i];
    }

  return master != NULL ? master : sheets[0];
}

/* Opens the sheet asked for, in any case when only one sheet with the
 * columns has that name, or the one rs_row_source_choose_sheet() takes. */
static gboolean
open_sheet (RsRowSource   *self,
            const char    *sheet,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) masters = NULL;
  g_autoptr(GStrvBuilder) others = NULL;
  const char *name = NULL;

  if (sheet != NULL)
    {
      const char *match = NULL;
      guint n_matches = 0;

      if (rs_xlsx_reader_open_sheet (self->xlsx, sheet, cancellable, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      masters = rs_xlsx_reader_list_master_sheets (self->xlsx, cancellable, error);
      if (masters == NULL)
        return FALSE;
      for (guint i = 0; masters[i] != NULL; i++)
        if (same_sheet_name (masters[i], sheet))
          {
            match = masters[i];
            n_matches++;
          }
      if (n_matches != 1 || g_str_equal (match, sheet))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      return rs_xlsx_reader_open_sheet (self->xlsx, match, cancellable, error);
    }

  masters = rs_xlsx_reader_list_master_sheets (self->xlsx, cancellable, error);
  if (masters == NULL)
    return FALSE;

  /* Else the reader chooses as it does: it names a sheet MasterData that
   * lacks the columns, and says why no sheet has them. */
  if (masters[0] != NULL)
    name = rs_row_source_choose_sheet ((const char * const *) masters);
  if (name != NULL && !same_sheet_name (name, "MasterData"))
    name = NULL;
  if (!rs_xlsx_reader_open_sheet (self->xlsx, name, cancellable, error))
    return FALSE;

  others = g_strv_builder_new ();
  for (guint i = 0; masters[i] != NULL; i++)
    if (!g_str_equal (masters[i], rs_xlsx_reader_get_sheet_name (self->xlsx)))
      g_strv_builder_add (others, masters[i]);
  self->other_sheets = g_strv_builder_end (others);

  return TRUE;
}

RsRowSource *
rs_row_source_new_for_file (GFile         *file,
                            const char    *sheet,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(RsRowSource) self = g_new0 (RsRowSource, 1);
  const char * const *header;
  guint n_header;

  gboolean pdf = FALSE;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!file_is_workbook (file, &pdf, cancellable))
    {
      /* Not what the CSV reader would make of it: no header */
      if (pdf)
        {
          g_autofree char *name = g_file_get_parse_name (file);

          g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
                       _("“%s” is a PDF document, not a master file: import the master file "
                         "as .xlsx or CSV"),
                       name);
          return NULL;
        }
      self->csv = rs_csv_reader_new (file, cancellable, error);
      if (self->csv == NULL || !find_csv_header (self, cancellable, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  self->xlsx = rs_xlsx_reader_new (file, cancellable, error);
  if (self->xlsx == NULL || !open_sheet (self, sheet, cancellable, error))
    return NULL;

  header = rs_xlsx_reader_get_header (self->xlsx, &n_header);
  self->columns = rs_master_columns_new (header, n_header, error);
  if (self->columns == NULL)
    return NULL;
  self->n_ignored = rs_xlsx_reader_get_ignored (self->xlsx, NULL);

  return g_steal_pointer (&self);
}

const char * const *
rs_row_source_get_header (RsRowSource *self,
                          guint       *n_fields)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_header (self->xlsx, n_fields);
  return rs_csv_reader_get_header (self->csv, n_fields);
}

RsMasterColumns *
rs_row_source_steal_columns (RsRowSource *self)
{
  return g_steal_pointer (&self->columns);
}

gboolean
rs_row_source_next_row (RsRowSource          *self,
                        const char * const  **fields,
                        guint                *n_fields,
                        gboolean             *ragged,
                        GCancellable         *cancellable,
                        GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (self->xlsx != NULL)
    ok = rs_xlsx_reader_next_row (self->xlsx, fields, n_fields, cancellable, &local_error);
  else
    ok = rs_csv_reader_next_row (self->csv, fields, n_fields, cancellable, &local_error);

  *ragged = g_error_matches (local_error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED)
            || g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_RAGGED);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

const char *
rs_row_source_get_row_data (RsRowSource *self,
                            gsize       *len)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_row_data (self->xlsx, len);
  return rs_csv_reader_get_row_data (self->csv, len);
}

guint
rs_row_source_get_line (RsRowSource *self)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_row (self->xlsx);
  return rs_csv_reader_get_line (self->csv);
}

goffset
rs_row_source_get_position (RsRowSource *self)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_position (self->xlsx);
  return rs_csv_reader_get_position (self->csv);
}

goffset
rs_row_source_get_size (RsRowSource *self)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_size (self->xlsx);
  return rs_csv_reader_get_size (self->csv);
}

const char *
rs_row_source_get_encoding (RsRowSource *self)
{
  if (self->xlsx != NULL)
    return "UTF-8";
  return rs_csv_reader_get_encoding (self->csv);
}

const RsCsvRecoded *
rs_row_source_get_recoded (RsRowSource *self,
                           guint       *n_recoded)
{
  const RsCsvRecoded *recoded;

  if (self->xlsx != NULL)
    {
      *n_recoded = 0;
      return NULL;
    }
  recoded = rs_csv_reader_get_recoded (self->csv, n_recoded);
  *n_recoded -= self->n_recoded_above;
  return recoded + self->n_recoded_above;
}

guint
rs_row_source_get_ignored (RsRowSource  *self,
                           const char  **first_text)
{
  if (self->xlsx != NULL)
    return rs_xlsx_reader_get_ignored (self->xlsx, first_text);

  if (first_text != NULL)
    *first_text = self->ignored_text;
  return self->n_ignored;
}

const char *
rs_row_source_get_sheet (RsRowSource *self)
{
  return self->xlsx != NULL ? rs_xlsx_reader_get_sheet_name (self->xlsx) : NULL;
}

/* (nullable): of a workbook whose sheet was not asked for, the other sheets
 * with the required columns */
const char * const *
rs_row_source_get_other_sheets (RsRowSource *self)
{
  return (const char * const *) self->other_sheets;
}

guint
rs_row_source_get_n_notes (RsRowSource *self)
{
  return self->xlsx != NULL ? rs_xlsx_reader_get_n_notes (self->xlsx) : 0;
}

const char *
rs_row_source_get_note (RsRowSource    *self,
                        guint           index,
                        guint          *column,
                        RsXlsxNoteKind *kind)
{
  g_return_val_if_fail (self->xlsx != NULL, NULL);

  return rs_xlsx_reader_get_note (self->xlsx, index, column, kind);
}
