/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-xlsx"

#include "config.h"

#include "rs-xlsx.h"

/* libFuzzer target: any bytes, read as a workbook (its sheets listed, the
 * chosen one read to its end), must neither crash, leak, hang nor break
 * what rs-xlsx.h promises: as many fields as the header, all UTF-8, and the
 * row's data those fields one after the other. */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical means a precondition failed somewhere: that is a finding.
   * libgsf may warn about a damaged zip, which is what it is given. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(RsXlsxReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sheets = NULL;
  const char * const *header;
  guint n_header;

  reader = rs_xlsx_reader_new_for_bytes (bytes, &error);
  if (reader == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  sheets = rs_xlsx_reader_list_master_sheets (reader, NULL, &error);
  g_assert_true ((sheets == NULL) == (error != NULL));
  g_clear_error (&error);

  if (!rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error))
    {
      g_assert_nonnull (error);
      return 0;
    }

  header = rs_xlsx_reader_get_header (reader, &n_header);
  g_assert_cmpuint (n_header, >, 0);
  for (guint i = 0; i < n_header; i++)
    g_assert_true (g_utf8_validate (header[i], -1, NULL));

  for (;;)
    {
      g_autoptr(GError) row_error = NULL;
      const char * const *fields;
      guint n_fields;
      gsize len;

      if (!rs_xlsx_reader_next_row (reader, &fields, &n_fields, NULL, &row_error))
        {
          if (row_error == NULL || !g_error_matches (row_error, RS_XLSX_ERROR,
                                                     RS_XLSX_ERROR_RAGGED))
            break;
        }
      g_assert_cmpuint (n_fields, ==, n_header);
      g_assert_null (fields[n_fields]);
      for (guint i = 0; i < n_fields; i++)
        g_assert_true (g_utf8_validate (fields[i], -1, NULL));
      {
        const char *row = rs_xlsx_reader_get_row_data (reader, &len);
        guint nuls = 0;

        /* The import keeps the row as these fields, each ended by a NUL. */
        for (gsize i = 0; i < len; i++)
          nuls += row[i] == '\0';
        g_assert_cmpuint (nuls, ==, n_fields);
      }
      g_assert_cmpint (rs_xlsx_reader_get_position (reader), <=,
                       rs_xlsx_reader_get_size (reader));
    }

  return 0;
}
