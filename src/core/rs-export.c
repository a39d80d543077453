/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-export"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-export.h"

/* Appends @value as one RFC 4180 field, quoted when it has to be. */
void
rs_export_append_csv_field (GString    *line,
                            const char *value)
{
  if (value == NULL)
    return;

  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }

  g_string_append_c (line, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

static char *
format_time (sqlite3_stmt *stmt,
             int           column)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;

  utc = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, column));
  if (utc == NULL)
    return NULL;
  local = g_date_time_to_local (utc);

  return g_date_time_format_iso8601 (local);
}

static gboolean
write_rows (RsStore        *store,
            const char     *sql,
            RsStatus        status,
            const char     *header,
            int             n_columns,
            int             time_columns,
            GOutputStream  *out,
            GCancellable   *cancellable,
            GError        **error);

/**
 * rs_export_list:
 * @status: a status to keep, or %RS_STATUS_INVALID for all
 *
 * Writes the header line and one CSV line per respondent to @out, ordered
 * by id. Runs on the calling thread's connection.
 */
gboolean
rs_export_list (RsStore        *store,
                RsStatus        status,
                GOutputStream  *out,
                GCancellable   *cancellable,
                GError        **error)
{
  static const char sql[] =
    "SELECT r.id, r.company, r.person, r.email, d.status, d.sent_at, d.mode,"
    "       d.report_path, d.error, d.note"
    "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
    " WHERE ?1 IS NULL OR d.status = ?1"
    " ORDER BY r.id";

  return write_rows (store, sql, status, RS_EXPORT_LIST_HEADER, 10, 1 << 5, out, cancellable,
                     error);
}

/**
 * rs_export_status:
 *
 * Writes the status of every respondent: the columns of rs_export_list(),
 * then how many history rows they have and when their status last changed.
 */
gboolean
rs_export_status (RsStore        *store,
                  GOutputStream  *out,
                  GCancellable   *cancellable,
                  GError        **error)
{
  static const char sql[] =
    "SELECT r.id, r.company, r.person, r.email, d.status, d.sent_at, d.mode,"
    "       d.report_path, d.error, d.note, count (h.id), max (h.at)"
    "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
    "  LEFT JOIN history h ON h.respondent_id = r.id"
    " WHERE ?1 IS NULL OR d.status = ?1"
    " GROUP BY r.id ORDER BY r.id";

  return write_rows (store, sql, RS_STATUS_INVALID, RS_EXPORT_STATUS_HEADER, 12,
                     (1 << 5) | (1 << 11), out, cancellable, error);
}

static gboolean
write_rows (RsStore        *store,
            const char     *sql,
            RsStatus        status,
            const char     *header,
            int             n_columns,
            int             time_columns,
            GOutputStream  *out,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GString) line = g_string_new (header);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  g_string_append_c (line, '\n');

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return FALSE;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  if (status != RS_STATUS_INVALID)
    sqlite3_bind_text (stmt, 1, rs_status_to_string (status), -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_string_append_printf (line, "%" G_GINT64_FORMAT,
                              (gint64) sqlite3_column_int64 (stmt, 0));
      for (int column = 1; column < n_columns; column++)
        {
          g_string_append_c (line, ',');
          if (time_columns & (1 << column))
            {
              g_autofree char *time = format_time (stmt, column);

              rs_export_append_csv_field (line, time);
            }
          else
            {
              rs_export_append_csv_field (line, (const char *) sqlite3_column_text (stmt, column));
            }
        }
      g_string_append_c (line, '\n');

      if (line->len >= 64 * 1024)
        {
          if (!g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error))
            {
              sqlite3_finalize (stmt);
              return FALSE;
            }
          g_string_truncate (line, 0);
        }
    }

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  return g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error);
}

/**
 * rs_export_status_to_file:
 *
 * Writes rs_export_status() to @file, replacing it only when everything was
 * written.
 */
gboolean
rs_export_status_to_file (RsStore       *store,
                          GFile         *file,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GFileOutputStream) out = NULL;

  /* g_file_replace writes a temporary file and renames it: a failed export
   * never leaves half a file where the old one was. */
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable,
                        error);
  if (out == NULL)
    return FALSE;

  if (!rs_export_status (store, G_OUTPUT_STREAM (out), cancellable, error))
    {
      g_autoptr(GCancellable) abort = g_cancellable_new ();

      /* Closing cancelled drops the temporary file and keeps the old one. */
      g_cancellable_cancel (abort);
      g_output_stream_close (G_OUTPUT_STREAM (out), abort, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
}

static gpointer
export_job (RsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  if (!rs_export_status_to_file (store, data, cancellable, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/* Writes rs_export_status() to @file in a worker thread. */
void
rs_export_status_to_file_async (RsStore             *store,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  rs_store_run_async (store, export_job, g_object_ref (file), g_object_unref, NULL,
                      cancellable, callback, user_data);
}

gboolean
rs_export_status_to_file_finish (RsStore       *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return rs_store_run_finish (store, result, error) != NULL;
}
