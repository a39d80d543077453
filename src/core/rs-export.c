/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-export"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "rs-export-private.h"

G_DEFINE_QUARK (rs-export-error-quark, rs_export_error)

/* Appends @value as one CSV field, quoted when it has the delimiter, a
 * quote or a line break in it (RFC 4180, with ';' as the delimiter too). */
void
rs_export_append_field (GString    *line,
                        const char *value,
                        char        delimiter)
{
  const char specials[] = { delimiter, '"', '\r', '\n', '\0' };

  if (value == NULL)
    return;

  if (strpbrk (value, specials) == NULL)
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

/* Appends @value as one RFC 4180 field, quoted when it has to be. */
void
rs_export_append_csv_field (GString    *line,
                            const char *value)
{
  rs_export_append_field (line, value, ',');
}

char
rs_export_locale_delimiter (void)
{
  const struct lconv *numbers = localeconv ();

  return numbers->decimal_point != NULL && numbers->decimal_point[0] == ',' ? ';' : ',';
}

RsExportFormat
rs_export_format_for_file (GFile *file)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), RS_EXPORT_FORMAT_CSV);

  name = g_file_get_basename (file);
  if (name != NULL && strlen (name) > 5 &&
      g_ascii_strcasecmp (name + strlen (name) - 5, ".xlsx") == 0)
    return RS_EXPORT_FORMAT_XLSX;

  return RS_EXPORT_FORMAT_CSV;
}

RsExportOptions *
rs_export_options_copy (const RsExportOptions *options)
{
  RsExportOptions *copy = g_new0 (RsExportOptions, 1);

  g_return_val_if_fail (options != NULL, copy);

  *copy = *options;
  if (options->ids != NULL)
    {
      copy->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), options->ids->len);
      g_array_append_vals (copy->ids, options->ids->data, options->ids->len);
    }

  return copy;
}

void
rs_export_options_free (RsExportOptions *options)
{
  if (options == NULL)
    return;

  g_clear_pointer (&options->ids, g_array_unref);
  g_free (options);
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

typedef struct
{
  const char *header;
  int n_columns;
  /* A bit per column that holds a time */
  int time_columns;
  char delimiter;
  gboolean bom;
} Layout;

static gboolean write_rows (RsStore        *store,
                            const char     *sql,
                            RsStatus        status,
                            const GArray   *ids,
                            const Layout   *layout,
                            GOutputStream  *out,
                            gint64         *n_written,
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
    " WHERE :status IS NULL OR d.status = :status"
    " ORDER BY r.id";
  const Layout layout = { RS_EXPORT_LIST_HEADER, 10, 1 << 5, ',', FALSE };

  return write_rows (store, sql, status, NULL, &layout, out, NULL, cancellable, error);
}

static gboolean
export_write (RsStore                *store,
              const RsExportOptions  *options,
              GOutputStream          *out,
              gint64                 *n_written,
              GCancellable           *cancellable,
              GError                **error)
{
  static const char everyone_sql[] = RS_EXPORT_EVERYONE_SQL;
  static const char one_sql[] = RS_EXPORT_ONE_SQL;
  Layout layout = { RS_EXPORT_STATUS_HEADER, 12, (1 << 5) | (1 << 11), ',', FALSE };

  g_return_val_if_fail (options != NULL, FALSE);

  if (options->format == RS_EXPORT_FORMAT_XLSX)
    return rs_export_write_xlsx (store, options, out, n_written, cancellable, error);

  g_return_val_if_fail (options->delimiter == ',' || options->delimiter == ';', FALSE);

  layout.delimiter = options->delimiter;
  layout.bom = options->bom;

  if (options->ids == NULL)
    return write_rows (store, everyone_sql, RS_STATUS_INVALID, NULL, &layout, out, n_written,
                       cancellable, error);

  return write_rows (store, one_sql, RS_STATUS_INVALID, options->ids, &layout, out, n_written,
                     cancellable, error);
}

/**
 * rs_export_write:
 *
 * Writes the status of the respondents @options names: the columns of
 * rs_export_list(), then how many history rows they have and when their
 * status last changed. A workbook (%RS_EXPORT_FORMAT_XLSX) has these on
 * its first sheet and their history on the second. Runs on the calling
 * thread's connection.
 */
gboolean
rs_export_write (RsStore                *store,
                 const RsExportOptions  *options,
                 GOutputStream          *out,
                 GCancellable           *cancellable,
                 GError                **error)
{
  return export_write (store, options, out, NULL, cancellable, error);
}

/**
 * rs_export_status:
 *
 * Writes the status of every respondent: rs_export_write() with the
 * defaults.
 */
gboolean
rs_export_status (RsStore        *store,
                  GOutputStream  *out,
                  GCancellable   *cancellable,
                  GError        **error)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;

  return export_write (store, &options, out, NULL, cancellable, error);
}

/* Text from the master file or a note, for a spreadsheet: a value that
 * starts like a formula (=, +, -, @, or a tab or return before one) would be
 * run by Excel or LibreOffice when the file is opened, so it gets a leading
 * apostrophe and is read as the text it is. */
void
rs_export_append_text_field (GString    *line,
                             const char *value,
                             char        delimiter)
{
  if (value != NULL && value[0] != '\0' && strchr ("=+-@\t\r", value[0]) != NULL)
    {
      g_autofree char *text = g_strconcat ("'", value, NULL);

      rs_export_append_field (line, text, delimiter);
      return;
    }

  rs_export_append_field (line, value, delimiter);
}

static void
append_row (GString      *line,
            sqlite3_stmt *stmt,
            const Layout *layout)
{
  g_string_append_printf (line, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 0));
  for (int column = 1; column < layout->n_columns; column++)
    {
      g_string_append_c (line, layout->delimiter);
      if (layout->time_columns & (1 << column))
        {
          g_autofree char *time = format_time (stmt, column);

          rs_export_append_field (line, time, layout->delimiter);
        }
      else
        {
          rs_export_append_text_field (line, (const char *) sqlite3_column_text (stmt, column),
                                       layout->delimiter);
        }
    }
  g_string_append_c (line, '\n');
}

/* Steps @stmt to its end, one line a row. */
static int
append_rows (GString        *line,
             sqlite3_stmt   *stmt,
             const Layout   *layout,
             GOutputStream  *out,
             gint64         *n_written,
             GCancellable   *cancellable,
             GError        **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      append_row (line, stmt, layout);
      (*n_written)++;

      if (line->len >= 64 * 1024)
        {
          if (!g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error))
            return SQLITE_ABORT;
          g_string_truncate (line, 0);
        }
    }

  return rc;
}

static gboolean
write_rows (RsStore        *store,
            const char     *sql,
            RsStatus        status,
            const GArray   *ids,
            const Layout   *layout,
            GOutputStream  *out,
            gint64         *n_written,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  gboolean in_transaction = FALSE;
  gint64 written = 0;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  if (layout->bom)
    g_string_append (line, "\xef\xbb\xbf");
  for (const char *p = layout->header; *p; p++)
    g_string_append_c (line, *p == ',' ? layout->delimiter : *p);
  g_string_append_c (line, '\n');

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return FALSE;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  if (status != RS_STATUS_INVALID)
    sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":status"),
                       rs_status_to_string (status), -1, SQLITE_STATIC);

  if (ids == NULL)
    {
      rc = append_rows (line, stmt, layout, out, &written, cancellable, error);
    }
  else
    {
      int id_index = sqlite3_bind_parameter_index (stmt, ":id");

      /* All the look-ups see the same moment of the database. */
      if (!rs_store_exec (db, "BEGIN", error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
      in_transaction = TRUE;

      rc = SQLITE_DONE;
      for (guint i = 0; i < ids->len && rc == SQLITE_DONE; i++)
        {
          sqlite3_bind_int64 (stmt, id_index, g_array_index (ids, gint64, i));
          rc = append_rows (line, stmt, layout, out, &written, cancellable, error);
          sqlite3_reset (stmt);

          if (rc == SQLITE_DONE && (i & 1023) == 1023 &&
              g_cancellable_set_error_if_cancelled (cancellable, error))
            rc = SQLITE_ABORT;
        }
    }

  if (rc != SQLITE_DONE)
    {
      /* SQLITE_ABORT: @error is set already, by the stream or the cancellable. */
      if (rc != SQLITE_ABORT)
        rs_store_set_error_from_db (db, rc, error);
      sqlite3_finalize (stmt);
      if (in_transaction)
        rs_store_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (in_transaction && !rs_store_exec (db, "COMMIT", error))
    return FALSE;

  if (n_written != NULL)
    *n_written = written;

  return g_output_stream_write_all (out, line->str, line->len, NULL, cancellable, error);
}

/* Whether @a and @b are one file, or would be when created: the same
 * device and inode, or the same name in the same folder, however a
 * symbolic link or a relative path reaches them. */
static gboolean
same_place (const char *a,
            const char *b)
{
  g_autofree char *a_dir = g_path_get_dirname (a);
  g_autofree char *b_dir = g_path_get_dirname (b);
  g_autofree char *a_name = g_path_get_basename (a);
  g_autofree char *b_name = g_path_get_basename (b);
  GStatBuf a_buf;
  GStatBuf b_buf;

  if (g_stat (a, &a_buf) == 0 && g_stat (b, &b_buf) == 0)
    return a_buf.st_dev == b_buf.st_dev && a_buf.st_ino == b_buf.st_ino;

  return g_strcmp0 (a_name, b_name) == 0
         && g_stat (a_dir, &a_buf) == 0 && g_stat (b_dir, &b_buf) == 0
         && a_buf.st_dev == b_buf.st_dev && a_buf.st_ino == b_buf.st_ino;
}

/**
 * rs_export_check_not_database:
 *
 * An export (the status, the dashboard) never goes over the tracker
 * database, its write-ahead log and shared memory, or into the folder of
 * its imports' rows.
 *
 * Returns: %FALSE with @error set when @file is one of them
 */
gboolean
rs_export_check_not_database (RsStore  *store,
                              GFile    *file,
                              GError  **error)
{
  static const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  const char *database = rs_store_get_path (store);
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *sources = NULL;
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;

  if (path == NULL || database == NULL)
    return TRUE;
  name = g_file_get_parse_name (file);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *part = g_strconcat (database, suffixes[i], NULL);

      if (!same_place (path, part))
        continue;

      if (i == 0)
        g_set_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE,
                     _("“%s” is the tracker database: writing the export there would "
                       "destroy every status and all history. Choose another file"), name);
      else
        g_set_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE,
                     _("“%s” is part of the tracker database “%s”: choose another file"),
                     name, database);
      return FALSE;
    }

  sources = rs_store_get_sources_dir (store);
  dir = g_strdup (path);
  for (;;)
    {
      g_autofree char *parent = NULL;

      if (same_place (dir, sources))
        {
          g_set_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE,
                       _("“%s” is in the folder where the tracker database keeps the rows "
                         "of its imports: choose another folder"), name);
          return FALSE;
        }

      parent = g_path_get_dirname (dir);
      if (g_strcmp0 (parent, dir) == 0)
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }

  return TRUE;
}

static gboolean
export_to_file (RsStore                *store,
                GFile                  *file,
                const RsExportOptions  *options,
                gint64                 *n_written,
                GCancellable           *cancellable,
                GError                **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GFile) target = NULL;
  g_autofree char *path = NULL;
  GStatBuf info;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!rs_export_check_not_database (store, file, error))
    return FALSE;

  /* A symbolic link is written through: the file it points to gets the
   * export, and the link stays a link. */
  path = g_file_get_path (file);
  if (path != NULL && g_lstat (path, &info) == 0 && S_ISLNK (info.st_mode))
    {
      char *real = realpath (path, NULL);

      if (real != NULL)
        {
          target = g_file_new_for_path (real);
          free (real);
        }
    }
  if (target == NULL)
    target = g_object_ref (file);

  g_clear_pointer (&path, g_free);
  path = g_file_get_path (target);
  if (path != NULL && g_stat (path, &info) == 0 && !S_ISREG (info.st_mode) &&
      !S_ISDIR (info.st_mode))
    {
      /* A device or a pipe (/dev/stdout, a FIFO) is written as it is:
       * there is no file to replace. */
      out = g_file_append_to (target, G_FILE_CREATE_NONE, cancellable, error);
      if (out == NULL)
        return FALSE;
      if (!export_write (store, options, G_OUTPUT_STREAM (out), n_written, cancellable, error))
        {
          g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
          return FALSE;
        }
      return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
    }

  /* g_file_replace writes a temporary file and renames it: a failed export
   * never leaves half a file where the old one was. */
  out = g_file_replace (target, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable,
                        error);
  if (out == NULL)
    return FALSE;

  if (!export_write (store, options, G_OUTPUT_STREAM (out), n_written, cancellable, error))
    {
      g_autoptr(GCancellable) abort = g_cancellable_new ();

      /* Closing cancelled drops the temporary file and keeps the old one. */
      g_cancellable_cancel (abort);
      g_output_stream_close (G_OUTPUT_STREAM (out), abort, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
}

/**
 * rs_export_to_file:
 *
 * Writes rs_export_write() to @file, replacing it only when everything was
 * written.
 */
gboolean
rs_export_to_file (RsStore                *store,
                   GFile                  *file,
                   const RsExportOptions  *options,
                   GCancellable           *cancellable,
                   GError                **error)
{
  return export_to_file (store, file, options, NULL, cancellable, error);
}

/* rs_export_to_file() with the defaults: everyone, as RFC 4180. */
gboolean
rs_export_status_to_file (RsStore       *store,
                          GFile         *file,
                          GCancellable  *cancellable,
                          GError       **error)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;

  return export_to_file (store, file, &options, NULL, cancellable, error);
}

typedef struct
{
  GFile *file;
  RsExportOptions *options;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->file);
  g_clear_pointer (&job->options, rs_export_options_free);
  g_free (job);
}

static gpointer
export_job (RsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ExportJob *job = data;
  gint64 n_written = 0;

  if (!export_to_file (store, job->file, job->options, &n_written, cancellable, error))
    return NULL;

  return g_memdup2 (&n_written, sizeof n_written);
}

void
rs_export_to_file_async (RsStore                *store,
                         GFile                  *file,
                         const RsExportOptions  *options,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  const RsExportOptions defaults = RS_EXPORT_OPTIONS_INIT;
  ExportJob *job;

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (ExportJob, 1);
  job->file = g_object_ref (file);
  job->options = rs_export_options_copy (options != NULL ? options : &defaults);

  rs_store_run_async (store, export_job, job, export_job_free, g_free, cancellable, callback,
                      user_data);
}

gint64
rs_export_to_file_finish (RsStore       *store,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_autofree gint64 *n_written = rs_store_run_finish (store, result, error);

  return n_written != NULL ? *n_written : -1;
}

/* Writes rs_export_status() to @file in a worker thread. */
void
rs_export_status_to_file_async (RsStore             *store,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  rs_export_to_file_async (store, file, NULL, cancellable, callback, user_data);
}

gboolean
rs_export_status_to_file_finish (RsStore       *store,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return rs_export_to_file_finish (store, result, error) >= 0;
}
