/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-master"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-csv.h"
#include "rs-master.h"

/* libFuzzer target: any bytes, read as a master file (the header mapped, then
 * every row, ragged ones too), must neither crash, leak nor break what
 * rs-csv.h and rs-master.h promise. */

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_fields (const char * const *fields,
              guint               n_fields)
{
  g_assert_nonnull (fields);
  g_assert_null (fields[n_fields]);

  for (guint i = 0; i < n_fields; i++)
    g_assert_true (g_utf8_validate (fields[i], -1, NULL));
}

static void
check_row (const RsMasterRow *row,
           RsMasterRowKind    kind)
{
  g_assert_true (g_utf8_validate (row->company, -1, NULL));
  g_assert_true (g_utf8_validate (row->person, -1, NULL));
  g_assert_true (g_utf8_validate (row->email, -1, NULL));
  g_assert_true (g_utf8_validate (row->function, -1, NULL));
  g_assert_true (g_utf8_validate (row->submitted_at, -1, NULL));
  g_assert_nonnull (row->language);
  g_assert_true (kind == RS_MASTER_ROW_OK || row->problem != NULL);
  g_assert_true (kind == RS_MASTER_ROW_SKIPPED || row->identity_key != NULL);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A critical means a precondition failed somewhere: that is a finding. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(RsMasterColumns) columns = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *header;
  guint n_header;

  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  if (reader == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }

  header = rs_csv_reader_get_header (reader, &n_header);
  check_fields (header, n_header);

  /* Rows are read on without columns too: the reader is half the target. */
  columns = rs_master_columns_new (header, n_header, &error);
  g_assert_true ((columns == NULL) == (error != NULL));
  g_clear_error (&error);

  for (;;)
    {
      const char * const *fields;
      guint n_fields;
      gboolean ok;

      ok = rs_csv_reader_next_row (reader, &fields, &n_fields, NULL, &error);
      if (!ok && error == NULL)
        break;
      if (!ok && !g_error_matches (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
        break;

      check_fields (fields, n_fields);
      g_assert_true (ok == (n_fields == n_header));
      g_clear_error (&error);

      /* The ragged row too: mapping must cope with any number of fields. */
      if (columns != NULL)
        {
          g_auto(RsMasterRow) row = { 0, };
          RsMasterRowKind kind;

          kind = rs_master_read_row (columns, fields, n_fields, &row);
          check_row (&row, kind);
        }
    }

  return 0;
}
