/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-master"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-csv-private.h"
#include "rs-master.h"

/* libFuzzer target: any bytes, read as a master file (the header mapped, then
 * every row, ragged ones too), must neither crash, leak nor break what
 * rs-csv.h and rs-master.h promise. The reader's fast path for whole lines
 * must read exactly what its state machine alone reads. */

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

  /* Every change names a column of the file and keeps the file's value;
   * a clamped score is a bound. */
  for (guint i = 0; row->changes != NULL && i < row->changes->len; i++)
    {
      const RsMasterChange *change = &g_array_index (row->changes, RsMasterChange, i);

      g_assert_cmpint (change->column, >=, 0);
      g_assert_cmpint (change->kind, <, RS_MASTER_N_CHANGE_KINDS);
      g_assert_nonnull (change->value);
      if (change->kind == RS_MASTER_CHANGE_ABOVE_RANGE)
        g_assert_cmpstr (change->used, ==, "5");
      if (change->kind == RS_MASTER_CHANGE_BELOW_RANGE)
        g_assert_cmpstr (change->used, ==, "0");
      if (change->kind == RS_MASTER_CHANGE_NOT_A_NUMBER)
        g_assert_null (change->used);
    }
}

static void
check_same_error (const GError *fast,
                  const GError *slow)
{
  g_assert_true ((fast == NULL) == (slow == NULL));
  if (fast == NULL)
    return;
  g_assert_cmpuint (fast->domain, ==, slow->domain);
  g_assert_cmpint (fast->code, ==, slow->code);
  g_assert_cmpstr (fast->message, ==, slow->message);
}

static void
check_same_row (RsCsvReader        *fast,
                const char * const *fields,
                guint               n_fields,
                RsCsvReader        *slow,
                const char * const *slow_fields,
                guint               n_slow_fields)
{
  const char *data;
  const char *slow_data;
  gsize len;
  gsize slow_len;

  g_assert_cmpuint (n_fields, ==, n_slow_fields);
  for (guint i = 0; i < n_fields; i++)
    g_assert_cmpstr (fields[i], ==, slow_fields[i]);
  g_assert_cmpuint (rs_csv_reader_get_line (fast), ==, rs_csv_reader_get_line (slow));

  data = rs_csv_reader_get_row_data (fast, &len);
  slow_data = rs_csv_reader_get_row_data (slow, &slow_len);
  g_assert_cmpmem (data, len, slow_data, slow_len);
}

/* Reads @bytes with both paths, row by row. */
static void
check_fast_path (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) slow_error = NULL;
  g_autoptr(RsCsvReader) fast = rs_csv_reader_new_for_bytes_full (bytes, TRUE, &error);
  g_autoptr(RsCsvReader) slow = rs_csv_reader_new_for_bytes_full (bytes, FALSE, &slow_error);
  const char * const *header;
  const char * const *slow_header;
  guint n_header;
  guint n_slow_header;

  check_same_error (error, slow_error);
  if (fast == NULL)
    return;

  header = rs_csv_reader_get_header (fast, &n_header);
  slow_header = rs_csv_reader_get_header (slow, &n_slow_header);
  g_assert_cmpuint (n_header, ==, n_slow_header);
  for (guint i = 0; i < n_header; i++)
    g_assert_cmpstr (header[i], ==, slow_header[i]);

  for (;;)
    {
      const char * const *fields = NULL;
      const char * const *slow_fields = NULL;
      guint n_fields = 0;
      guint n_slow_fields = 0;
      gboolean ok;
      gboolean slow_ok;

      g_clear_error (&error);
      g_clear_error (&slow_error);
      ok = rs_csv_reader_next_row (fast, &fields, &n_fields, NULL, &error);
      slow_ok = rs_csv_reader_next_row (slow, &slow_fields, &n_slow_fields, NULL, &slow_error);
      g_assert_true (ok == slow_ok);
      check_same_error (error, slow_error);
      if (!ok && !g_error_matches (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
        break;

      check_same_row (fast, fields, n_fields, slow, slow_fields, n_slow_fields);
    }
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
        {
          guint n_recoded;

          /* Read to the end: a field was read as Windows-1252 exactly when
           * the bytes are not UTF-8 (an invalid byte is in some field). */
          rs_csv_reader_get_recoded (reader, &n_recoded);
          g_assert_true ((n_recoded == 0) ==
                         g_utf8_validate_len ((const char *) data, size, NULL));
          if (n_recoded == 0)
            g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "UTF-8");
          break;
        }
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

  check_fast_path (bytes);

  return 0;
}
