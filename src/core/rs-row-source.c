/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-row-source"

#include "config.h"

#include <glib/gi18n.h>

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
        rs_csv_reader_use_row_as_header (self->csv);
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

  self->csv = rs_csv_reader_new_for_stream (stream, name, cancellable, error);
  if (self->csv == NULL || !find_csv_header (self, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Whether @file starts like a workbook. A file that cannot be read is
 * left to the CSV reader, which says why. */
static gboolean
file_is_workbook (GFile        *file,
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

  return rs_xlsx_sniff (magic, len);
}

GStrv
rs_row_source_list_sheets (GFile         *file,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(RsXlsxReader) reader = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!file_is_workbook (file, cancellable))
    return g_new0 (char *, 1);

  reader = rs_xlsx_reader_new (file, cancellable, error);
  if (reader == NULL)
    return NULL;

  return rs_xlsx_reader_list_master_sheets (reader, cancellable, error);
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

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!file_is_workbook (file, cancellable))
    {
      self->csv = rs_csv_reader_new (file, cancellable, error);
      if (self->csv == NULL || !find_csv_header (self, cancellable, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  self->xlsx = rs_xlsx_reader_new (file, cancellable, error);
  if (self->xlsx == NULL || !rs_xlsx_reader_open_sheet (self->xlsx, sheet, cancellable, error))
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
  if (self->xlsx != NULL)
    {
      *n_recoded = 0;
      return NULL;
    }
  return rs_csv_reader_get_recoded (self->csv, n_recoded);
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
