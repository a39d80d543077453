/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-xlsx-private.h"

G_DEFINE_QUARK (rs-xlsx-error-quark, rs_xlsx_error)

static void
sheet_clear (gpointer data)
{
  Sheet *sheet = data;

  g_free (sheet->name);
  g_free (sheet->path);
}

static RsXlsxReader *
reader_alloc (const char *name)
{
  RsXlsxReader *self = g_new0 (RsXlsxReader, 1);

  self->name = g_strdup (name);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sheets = g_array_new (FALSE, FALSE, sizeof (Sheet));
  g_array_set_clear_func (self->sheets, sheet_clear);
  self->values = g_string_new (NULL);
  self->value = g_string_new (NULL);
  self->row = g_string_new (NULL);
  self->formula = g_string_new (NULL);
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  self->notes_text = g_string_new (NULL);

  return self;
}

void
rs_xlsx_reader_free (RsXlsxReader *self)
{
  if (self == NULL)
    return;

  rs_xlsx_scan_clear (&self->scan);
  g_free (self->name);
  g_clear_object (&self->file);
  g_clear_object (&self->zip);
  g_clear_object (&self->input);
  g_hash_table_unref (self->entries);
  g_array_unref (self->sheets);
  g_free (self->strings_path);
  g_free (self->styles_path);
  g_clear_pointer (&self->styles, g_byte_array_unref);
  if (self->strings != NULL)
    g_string_free (self->strings, TRUE);
  g_clear_pointer (&self->string_offsets, g_array_unref);
  g_free (self->sheet_name);
  g_strfreev (self->header);
  g_free (self->ignored_text);
  g_free (self->cells);
  g_string_free (self->values, TRUE);
  g_string_free (self->value, TRUE);
  g_string_free (self->row, TRUE);
  g_string_free (self->formula, TRUE);
  g_array_unref (self->notes);
  g_string_free (self->notes_text, TRUE);
  g_free (self->fields);
  g_free (self->column_offsets);
  g_clear_error (&self->fatal);
  g_free (self);
}

gboolean
rs_xlsx_sniff (const guint8 *data,
               gsize         len)
{
  static const guint8 ole2[8] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };

  return (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
         || (len >= 4 && memcmp (data, "PK\x05\x06", 4) == 0)
         || (len >= 8 && memcmp (data, ole2, 8) == 0);
}

/* An OLE2 compound file: an old .xls, or an encrypted workbook, which is
 * its package inside one. */
static void
refuse_ole2 (RsXlsxReader  *self,
             GError       **error)
{
  g_autoptr(GsfInfile) ole = gsf_infile_msole_new (self->input, NULL);
  g_autoptr(GsfInput) encrypted = NULL;

  if (ole != NULL)
    encrypted = gsf_infile_child_by_name (ole, "EncryptedPackage");
  if (encrypted != NULL)
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                   _("“%s” is protected with a password, so it cannot be read: open it in "
                     "your spreadsheet program, remove the password and save it as .xlsx or "
                     "CSV"),
                   self->name);
      return;
    }

  rs_xlsx_set_unsupported (error, self->name, _("an old Excel workbook (.xls)"));
}

static gboolean
reader_start (RsXlsxReader  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  guint8 magic[8] = { 0 };
  gsize magic_len = (gsize) MIN (gsf_input_size (self->input), 8);
  g_autoptr(GError) local_error = NULL;

  if (magic_len > 0 && !rs_xlsx_read_at (self->input, 0, magic_len, magic))
    {
      rs_xlsx_set_corrupt (error, self->name, _("the start"), _("it cannot be read"));
      return FALSE;
    }

  if (magic_len == 8 && rs_xlsx_sniff (magic, 8) && magic[0] == 0xd0)
    {
      refuse_ole2 (self, error);
      return FALSE;
    }
  if (magic_len < 4 || memcmp (magic, "PK", 2) != 0)
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
                   _("“%s” is not an Excel workbook (.xlsx): import the master file as .xlsx "
                     "or CSV"),
                   self->name);
      return FALSE;
    }

  if (!rs_xlsx_read_directory (self, error))
    return FALSE;
  gsf_input_seek (self->input, 0, G_SEEK_SET);

  self->zip = gsf_infile_zip_new (self->input, &local_error);
  if (self->zip == NULL)
    {
      rs_xlsx_set_corrupt (error, self->name, _("the zip archive"),
                           local_error != NULL ? local_error->message : _("it is damaged"));
      return FALSE;
    }

  /* An OpenDocument spreadsheet says so first thing. */
  if (g_hash_table_contains (self->entries, "mimetype"))
    {
      g_autoptr(GsfInput) input = rs_xlsx_open_part (self, "mimetype", 256, NULL);
      char text[256] = "";

      if (input != NULL)
        {
          gsize len = (gsize) MIN (gsf_input_size (input), (goffset) sizeof text - 1);

          if (len > 0 && gsf_input_read (input, len, (guint8 *) text) != NULL)
            text[len] = '\0';
        }
      if (g_str_has_prefix (text, "application/vnd.oasis.opendocument.spreadsheet"))
        {
          rs_xlsx_set_unsupported (error, self->name, _("an OpenDocument spreadsheet (.ods)"));
          return FALSE;
        }
    }

  if (!g_hash_table_contains (self->entries, "[Content_Types].xml"))
    {
      rs_xlsx_set_not_workbook (error, self->name);
      return FALSE;
    }

  return rs_xlsx_read_workbook (self, cancellable, error);
}

/* The size and modification time (in µs) of the reader's file, or %FALSE
 * when they cannot be known */
gboolean
rs_xlsx_reader_query_file (RsXlsxReader  *self,
                           GCancellable  *cancellable,
                           goffset       *size,
                           guint64       *mtime)
{
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info (self->file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info == NULL)
    return FALSE;

  *size = g_file_info_get_size (info);
  *mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC
           + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
  return TRUE;
}

/**
 * rs_xlsx_reader_new:
 *
 * Opens @file and reads what the workbook says about its sheets; a sheet
 * is read once rs_xlsx_reader_open_sheet() chose it. The file must be at
 * the end of the sheet what it was when opened.
 */
RsXlsxReader *
rs_xlsx_reader_new (GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(RsXlsxReader) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);
  self = reader_alloc (name);
  self->file = g_object_ref (file);

  self->check_unchanged = rs_xlsx_reader_query_file (self, cancellable, &self->opened_size,
                                                     &self->opened_mtime);

  if (g_file_is_native (file))
    {
      g_autofree char *path = g_file_get_path (file);

      self->input = gsf_input_stdio_new (path, &local_error);
    }
  else
    {
      self->input = gsf_input_gio_new (file, &local_error);
    }
  if (self->input == NULL)
    {
      g_set_error (error, G_IO_ERROR,
                   local_error != NULL && local_error->domain == G_IO_ERROR
                     ? local_error->code : G_IO_ERROR_FAILED,
                   _("Could not open “%s”: %s"), name,
                   local_error != NULL ? local_error->message : g_strerror (ENOENT));
      return NULL;
    }

  if (!reader_start (self, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * rs_xlsx_reader_new_for_bytes:
 *
 * As rs_xlsx_reader_new(), from a workbook in memory; @bytes is kept.
 */
RsXlsxReader *
rs_xlsx_reader_new_for_bytes (GBytes  *bytes,
                              GError **error)
{
  g_autoptr(RsXlsxReader) self = NULL;
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  self = reader_alloc (_("the workbook"));
  self->input = gsf_input_memory_new (data != NULL ? data : (const guint8 *) "", size, FALSE);
  g_object_set_data_full (G_OBJECT (self->input), "rs-bytes", g_bytes_ref (bytes),
                          (GDestroyNotify) g_bytes_unref);

  if (!reader_start (self, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
rs_xlsx_reader_get_sheet_name (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sheet_name;
}

const char * const *
rs_xlsx_reader_get_header (RsXlsxReader *self,
                           guint        *n_fields)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_fields != NULL)
    *n_fields = self->n_header;
  return (const char * const *) self->header;
}

guint
rs_xlsx_reader_get_ignored (RsXlsxReader  *self,
                            const char   **first_text)
{
  g_return_val_if_fail (self != NULL, 0);

  if (first_text != NULL)
    *first_text = self->ignored_text;
  return self->n_ignored;
}

gboolean
rs_xlsx_reader_next_row (RsXlsxReader        *self,
                         const char * const **fields,
                         guint               *n_fields,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->sheet_open, FALSE);
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

  if (!rs_xlsx_read_raw_row (self, cancellable, &local_error))
    {
      if (local_error != NULL)
        {
          self->fatal = g_error_copy (local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      return FALSE;
    }

  rs_xlsx_build_row (self, self->n_header);
  if (fields != NULL)
    *fields = self->fields;
  if (n_fields != NULL)
    *n_fields = self->n_fields;

  if (self->max_column > self->n_header)
    {
      const Cell *last = &self->cells[self->n_cells - 1];
      char ref[8];

      rs_xlsx_column_name (last->column, ref);
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_RAGGED,
                   _("Row %u has a value in column %s, right of the header’s last column"),
                   self->row_number, ref);
      return FALSE;
    }

  return TRUE;
}

const char *
rs_xlsx_reader_get_row_data (RsXlsxReader *self,
                             gsize        *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = self->row_len;
  return self->row_data;
}

guint
rs_xlsx_reader_get_row (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->row_number;
}

goffset
rs_xlsx_reader_get_position (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->scan.consumed;
}

goffset
rs_xlsx_reader_get_size (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->scan.size;
}

/**
 * rs_xlsx_reader_get_note:
 * @index: from 0, below rs_xlsx_reader_get_n_notes()
 *
 * Returns: the cell's text: the error value, or the formula after “=”
 */
const char *
rs_xlsx_reader_get_note (RsXlsxReader   *self,
                         guint           index,
                         guint          *column,
                         RsXlsxNoteKind *kind)
{
  const Note *note;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->notes->len, NULL);

  note = &g_array_index (self->notes, Note, index);
  *column = note->column;
  *kind = note->kind;
  return self->notes_text->str + note->offset;
}

guint
rs_xlsx_reader_get_n_notes (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->notes->len;
}
