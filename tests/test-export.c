/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <locale.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "rs-export.h"
#include "rs-import.h"
#include "rs-tracker.h"
#include "rs-test-util.h"

/* Exports read back: the byte order mark, the delimiter, quoting, and a
 * chosen set of respondents in the order asked for. */

typedef struct
{
  char *dir;
  RsStore *store;
  gint64 ids[4];
} Fixture;

/* Every field that needs quoting under one delimiter or the other. */
static const char master_csv[] =
  "name,company_name,email_address,reportsent,up__r,up__c,up__f,up__v,up__a\n"
  "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com,False,4,4,3,2,5\n"
  "\"Öberg, Lena\",Fjord; Fell AS,lena.oberg@example.net,False,2,2,2,2,2\n"
  "Zoë de Vries,\"Amstel \"\"Metaal\"\" N.V.\",zoe@example.com,False,1,2,3,4,5\n"
  "Karin Dijkstra,Dijkstra Logistiek,karin@example.org,False,3,3,3,3,3\n";

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GPtrArray) respondents = NULL;
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));

  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 4);

  respondents = rs_tracker_load (fixture->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (respondents->len, ==, 4);
  for (guint i = 0; i < respondents->len; i++)
    fixture->ids[i] = rs_respondent_get_id (respondents->pdata[i]);

  /* A note over two lines, with both delimiters and a quote. */
  g_assert_true (rs_tracker_set_note (fixture->store, fixture->ids[0],
                                      "called; said \"yes\",\nsend Monday", &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* A reader of its own, RFC 4180 with @delimiter: rows of fields. */
static GPtrArray *
parse_csv (const char *text,
           char        delimiter)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; ; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                {
                  g_string_append_c (field, *p);
                }
            }
          /* A closing quote ends the field. */
          g_assert_true (*p == delimiter || *p == '\n');
        }

      if (*p == delimiter)
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
        }
      else if (*p == '\n')
        {
          g_ptr_array_add (fields, g_strdup (field->str));
          g_string_truncate (field, 0);
          g_ptr_array_add (fields, NULL);
          g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
        }
      else
        {
          g_assert_true (*p != '\r');
          g_string_append_c (field, *p);
        }
      p++;
    }
  /* Every line ends with a line feed. */
  g_assert_cmpuint (field->len, ==, 0);
  g_assert_cmpuint (fields->len, ==, 0);

  return g_steal_pointer (&rows);
}

static char *
export_to_text (Fixture               *fixture,
                const RsExportOptions *options)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "export.csv", NULL);
  char *contents = NULL;
  gboolean ok;

  file = g_file_new_for_path (path);
  ok = rs_export_to_file (fixture->store, file, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));

  return contents;
}

static const char *
column (GPtrArray  *rows,
        guint       row,
        const char *name)
{
  char **header = rows->pdata[0];

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      {
        g_assert_cmpuint (g_strv_length (rows->pdata[row]), ==, g_strv_length (header));
        return ((char **) rows->pdata[row])[i];
      }

  g_assert_not_reached ();
}

/* The defaults are those of the command line: comma, no byte order mark. */
static void
test_export_defaults (Fixture       *fixture,
                      gconstpointer  data)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  g_autofree char *text = export_to_text (fixture, &options);
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_true (g_str_has_prefix (text, RS_EXPORT_STATUS_HEADER "\n"));
  /* The fields with a comma are quoted, the one with only a semicolon not. */
  g_assert_nonnull (strstr (text, ",\"Öberg, Lena\","));
  g_assert_nonnull (strstr (text, ",Fjord; Fell AS,"));

  rows = parse_csv (text, ',');
  g_assert_cmpuint (rows->len, ==, 5);
  g_assert_cmpstr (column (rows, 1, "note"), ==, "called; said \"yes\",\nsend Monday");
  g_assert_cmpstr (column (rows, 1, "history_count"), ==, "0");
  g_assert_cmpstr (column (rows, 2, "person"), ==, "Öberg, Lena");
  g_assert_cmpstr (column (rows, 2, "company"), ==, "Fjord; Fell AS");
  g_assert_cmpstr (column (rows, 3, "company"), ==, "Amstel \"Metaal\" N.V.");
  g_assert_cmpstr (column (rows, 4, "email"), ==, "karin@example.org");
}

/* For Excel in Dutch: a byte order mark, then semicolons. */
static void
test_export_excel (Fixture       *fixture,
                   gconstpointer  data)
{
  const RsExportOptions options = { NULL, ';', TRUE };
  g_autofree char *text = export_to_text (fixture, &options);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *header = NULL;
  const char *body;

  g_assert_cmpuint ((guchar) text[0], ==, 0xef);
  g_assert_cmpuint ((guchar) text[1], ==, 0xbb);
  g_assert_cmpuint ((guchar) text[2], ==, 0xbf);
  body = text + 3;
  header = g_strdelimit (g_strdup (RS_EXPORT_STATUS_HEADER), ",", ';');
  g_assert_true (g_str_has_prefix (body, header));
  g_assert_null (strchr (header, ','));

  /* Now the semicolon is quoted and the comma is not. */
  g_assert_nonnull (strstr (body, ";Öberg, Lena;"));
  g_assert_nonnull (strstr (body, ";\"Fjord; Fell AS\";"));
  g_assert_nonnull (strstr (body, ";\"Amstel \"\"Metaal\"\" N.V.\";"));

  rows = parse_csv (body, ';');
  g_assert_cmpuint (rows->len, ==, 5);
  g_assert_cmpuint (g_strv_length (rows->pdata[0]), ==, 12);
  g_assert_cmpstr (column (rows, 1, "note"), ==, "called; said \"yes\",\nsend Monday");
  g_assert_cmpstr (column (rows, 2, "person"), ==, "Öberg, Lena");
  g_assert_cmpstr (column (rows, 2, "company"), ==, "Fjord; Fell AS");
  g_assert_cmpstr (column (rows, 3, "company"), ==, "Amstel \"Metaal\" N.V.");
  g_assert_cmpstr (column (rows, 3, "status"), ==, "pending");
}

/* Only the respondents asked for, in the order asked for; an id that is
 * no longer there is left out. */
static void
test_export_subset (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 gone = fixture->ids[3] + 1000;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_array_append_val (ids, fixture->ids[3]);
  g_array_append_val (ids, gone);
  g_array_append_val (ids, fixture->ids[1]);
  options.ids = ids;
  text = export_to_text (fixture, &options);

  rows = parse_csv (text, ',');
  g_assert_cmpuint (rows->len, ==, 3);
  first = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->ids[3]);
  second = g_strdup_printf ("%" G_GINT64_FORMAT, fixture->ids[1]);
  g_assert_cmpstr (column (rows, 1, "id"), ==, first);
  g_assert_cmpstr (column (rows, 1, "person"), ==, "Karin Dijkstra");
  g_assert_cmpstr (column (rows, 2, "id"), ==, second);
  g_assert_cmpstr (column (rows, 2, "person"), ==, "Öberg, Lena");

  /* An empty view: the header only. */
  g_array_set_size (ids, 0);
  g_clear_pointer (&text, g_free);
  text = export_to_text (fixture, &options);
  g_assert_cmpstr (text, ==, RS_EXPORT_STATUS_HEADER "\n");
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;
  gint64 *n_written = user_data;

  *n_written = rs_export_to_file_finish (RS_STORE (object), result, &error);
  g_assert_no_error (error);
}

/* In a worker: the options are copied, and the count comes back. */
static void
test_export_async (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "async.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  RsExportOptions options = { ids, ';', TRUE };
  gint64 n_written = -2;

  g_array_append_val (ids, fixture->ids[2]);
  g_array_append_val (ids, fixture->ids[0]);
  file = g_file_new_for_path (path);
  rs_export_to_file_async (fixture->store, file, &options, NULL, export_done_cb, &n_written);
  /* The caller's options may go at once. */
  g_array_set_size (ids, 0);
  g_array_unref (ids);

  while (n_written == -2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (n_written, ==, 2);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "\xef\xbb\xbfid;company;"));
  rows = parse_csv (text + 3, ';');
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (column (rows, 1, "email"), ==, "zoe@example.com");
  g_assert_cmpstr (column (rows, 2, "note"), ==, "called; said \"yes\",\nsend Monday");
}

/* A file that cannot be written says so, and changes nothing. */
static void
test_export_fails (Fixture       *fixture,
                   gconstpointer  data)
{
  const RsExportOptions options = { NULL, ';', TRUE };
  g_autofree char *path = g_build_filename (fixture->dir, "no", "such", "folder.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (rs_export_to_file (fixture->store, file, &options, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* An export never goes over the tracker database or its parts, nor into
 * its folder of import rows, however the path reaches them: it is refused
 * and the database is as it was, byte for byte. */
static void
test_export_refuses_database (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *database = rs_store_get_path (fixture->store);
  g_autofree char *sources = rs_store_get_sources_dir (fixture->store);
  g_autofree char *wal = g_strconcat (database, "-wal", NULL);
  g_autofree char *shm = g_strconcat (database, "-shm", NULL);
  g_autofree char *journal = g_strconcat (database, "-journal", NULL);
  g_autofree char *other = g_build_filename (fixture->dir, "other", NULL);
  g_autofree char *link = g_build_filename (other, "status.csv", NULL);
  g_autofree char *roundabout = g_build_filename (other, "..", "tracker.db", NULL);
  g_autofree char *in_sources = g_build_filename (sources, "status.csv", NULL);
  g_autofree char *before = NULL;
  g_autofree char *wal_before = NULL;
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  g_autofree char *status_before = export_to_text (fixture, &options);
  gsize before_len;
  gsize wal_len;
  const char *targets[] = { database, wal, shm, journal, link, roundabout, in_sources,
                            sources };

  g_assert_true (g_file_test (sources, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
  g_assert_cmpint (symlink (database, link), ==, 0);
  g_assert_true (g_file_get_contents (database, &before, &before_len, NULL));
  g_assert_true (g_file_get_contents (wal, &wal_before, &wal_len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (targets[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      g_autofree char *wal_after = NULL;
      gsize after_len;

      g_assert_false (rs_export_status_to_file (fixture->store, file, NULL, &error));
      g_assert_error (error, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE);
      g_test_message ("%s", error->message);

      g_assert_true (g_file_get_contents (database, &after, &after_len, NULL));
      g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
      g_assert_true (g_file_get_contents (wal, &wal_after, &after_len, NULL));
      g_assert_true (after_len == wal_len && memcmp (wal_after, wal_before, wal_len) == 0);
    }
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (in_sources, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  /* Still the database, with every status. */
  {
    g_autofree char *status_after = export_to_text (fixture, &options);

    g_assert_cmpstr (status_after, ==, status_before);
  }

  /* Opened through a symbolic link in another folder, the database's
   * parts are still its real -wal and -shm and its real folder of rows. */
  {
    g_autofree char *link_db = g_build_filename (other, "link.db", NULL);
    g_autoptr(RsStore) linked = NULL;
    g_autoptr(GError) error = NULL;
    const char *real_targets[] = { wal, shm, in_sources };

    g_assert_cmpint (symlink (database, link_db), ==, 0);
    linked = rs_store_open (link_db, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (rs_store_get_path (linked), ==, database);
    for (guint i = 0; i < G_N_ELEMENTS (real_targets); i++)
      {
        g_autoptr(GFile) file = g_file_new_for_path (real_targets[i]);
        g_autoptr(GError) refused = NULL;

        g_assert_false (rs_export_status_to_file (linked, file, NULL, &refused));
        g_assert_error (refused, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE);
      }
    rs_store_release_connection (linked);
    g_assert_false (g_file_test (in_sources, G_FILE_TEST_EXISTS));
  }

  /* A file next to it is fine. */
  {
    g_autofree char *next = g_strconcat (database, ".csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (next);
    g_autoptr(GError) error = NULL;

    g_assert_true (rs_export_status_to_file (fixture->store, file, NULL, &error));
    g_assert_no_error (error);
  }
}

/* Where numbers are written with a decimal comma, Excel wants semicolons:
 * tried with a Dutch locale made for the test, when the system can. */
/* Text that starts like a spreadsheet formula is written so that Excel or
 * LibreOffice read it as text, not run it; text that does not stays as it is. */
static void
test_export_formulas (Fixture       *fixture,
                      gconstpointer  data)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  const char *notes[] = {
    "=HYPERLINK(\"http://example.com\",\"click\")", "+SUM(1,2)", "-2+3", "@cmd",
  };
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    {
      g_assert_true (rs_tracker_set_note (fixture->store, fixture->ids[i], notes[i], &error));
      g_assert_no_error (error);
    }

  text = export_to_text (fixture, &options);
  rows = parse_csv (text, ',');
  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    {
      g_autofree char *expected = g_strconcat ("'", notes[i], NULL);
      guint row = 0;

      for (guint r = 1; r < rows->len; r++)
        if (g_ascii_strtoll (((char **) rows->pdata[r])[0], NULL, 10) == fixture->ids[i])
          row = r;
      g_assert_cmpuint (row, >, 0);
      g_assert_cmpstr (column (rows, row, "note"), ==, expected);
    }
  g_assert_nonnull (strstr (text, ",Polder Packaging B.V.,"));
}

static void
test_export_locale_delimiter (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *target = g_build_filename (dir, "nl_NL.UTF-8", NULL);
  g_autofree char *previous = g_strdup (setlocale (LC_NUMERIC, NULL));
  const char *argv[] = { "localedef", "-c", "-i", "nl_NL", "-f", "UTF-8", target, NULL };
  int status = 1;

  g_assert_cmpint (rs_export_locale_delimiter (), ==, ',');

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("localedef cannot make nl_NL.UTF-8 here (Debian: the locales package)");
      rs_test_remove_tree (dir);
      return;
    }

  g_setenv ("LOCPATH", dir, TRUE);
  g_assert_nonnull (setlocale (LC_NUMERIC, "nl_NL.UTF-8"));
  g_assert_cmpint (rs_export_locale_delimiter (), ==, ';');

  setlocale (LC_NUMERIC, previous);
  g_unsetenv ("LOCPATH");
  g_assert_cmpint (rs_export_locale_delimiter (), ==, ',');
  rs_test_remove_tree (dir);
}

static gpointer
read_fifo (gpointer data)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (data, &contents, NULL, NULL));
  return contents;
}

/* A FIFO (or /dev/stdout) is written as it is: nothing replaces it. */
static void
test_export_fifo (Fixture       *fixture,
                  gconstpointer  data)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  g_autofree char *fifo = g_build_filename (fixture->dir, "pipe", NULL);
  g_autofree char *expected = export_to_text (fixture, &options);
  g_autofree char *got = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fifo);
  g_autoptr(GError) error = NULL;
  GStatBuf info;
  GThread *reader;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  reader = g_thread_new ("fifo-reader", read_fifo, fifo);
  g_assert_true (rs_export_to_file (fixture->store, file, &options, NULL, &error));
  g_assert_no_error (error);
  got = g_thread_join (reader);
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpint (g_lstat (fifo, &info), ==, 0);
  g_assert_true (S_ISFIFO (info.st_mode));
}


/* The workbook, written and read back: */
static JsonNode *
export_workbook (Fixture               *fixture,
                 const RsExportOptions *options,
                 const char            *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  RsExportOptions xlsx = *options;

  g_assert_true (rs_export_format_for_file (file) == RS_EXPORT_FORMAT_XLSX);
  xlsx.format = rs_export_format_for_file (file);
  g_assert_true (rs_export_to_file (fixture->store, file, &xlsx, NULL, &error));
  g_assert_no_error (error);

  return rs_test_read_workbook (path);
}

static const char *
cell_string (JsonObject *cell)
{
  g_assert_cmpstr (json_object_get_string_member (cell, "type"), ==, "s");
  return json_object_get_string_member (cell, "value");
}

static gint64
cell_number (JsonObject *cell)
{
  g_assert_cmpstr (json_object_get_string_member (cell, "type"), ==, "n");
  return json_object_get_int_member (cell, "value");
}

/* A cell that is empty in the workbook. */
static gboolean
cell_is_empty (JsonObject *cell)
{
  return json_object_get_null_member (cell, "value");
}

/* A real date: a number with a date format, whose serial is @unix_time
 * in local time. */
static void
assert_date_cell (JsonObject *cell,
                  gint64      unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  double serial = (unix_time + g_date_time_get_utc_offset (local) / G_TIME_SPAN_SECOND)
                  / 86400.0 + 25569.0;

  g_assert_cmpstr (json_object_get_string_member (cell, "type"), ==, "d");
  g_assert_true (json_object_get_boolean_member (cell, "date"));
  g_assert_cmpstr (json_object_get_string_member (cell, "format"), ==, "yyyy-mm-dd hh:mm:ss");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cell, "serial"), serial,
                                  0.5 / 86400.0);
}

static guint
find_row (JsonNode   *book,
          const char *title,
          const char *id_column,
          gint64      id,
          guint       nth)
{
  JsonArray *rows = rs_test_workbook_rows (book, title);

  for (guint r = 1; r < json_array_get_length (rows); r++)
    if (cell_number (rs_test_workbook_cell (book, title, r, id_column)) == id && nth-- == 0)
      return r;

  g_assert_not_reached ();
}

static gint64
history_time (Fixture *fixture,
              gint64   id)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = rs_store_get_connection (fixture->store, &error);
  sqlite3_stmt *stmt = NULL;
  gint64 at;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT max (at) FROM history WHERE respondent_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  at = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return at;
}

/* Both sheets, their bold frozen header with a filter, numbers as numbers,
 * times as dates, text as text: names with accents, a note over two lines,
 * one too long for a cell (cut, with "…"), and ones that look like
 * formulas, kept as they are and never a formula. */
static void
test_export_xlsx (Fixture       *fixture,
                  gconstpointer  data)
{
  const RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  g_autoptr(GString) long_note = g_string_new (NULL);
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) book = NULL;
  g_auto(GStrv) header = g_strsplit (RS_EXPORT_STATUS_HEADER, ",", -1);
  g_auto(GStrv) history_header = g_strsplit (RS_EXPORT_HISTORY_HEADER, ",", -1);
  JsonArray *sheets;
  JsonArray *rows;
  const char *note;
  glong units = 0;
  guint row;

  /* 40,000 characters, some beyond the BMP: more than a cell holds. */
  for (guint i = 0; i < 10000; i++)
    g_string_append (long_note, "é😀ab");
  g_assert_true (rs_tracker_set_note (fixture->store, fixture->ids[1], long_note->str, &error));
  g_assert_no_error (error);
  g_assert_true (rs_tracker_set_note (fixture->store, fixture->ids[2], "=1+1", &error));
  g_assert_no_error (error);
  marked = rs_tracker_mark (fixture->store, &fixture->ids[0], 1, RS_STATUS_SENT,
                            "=HYPERLINK(\"http://example.com\")", &error);
  g_assert_no_error (error);
  g_clear_pointer (&marked, g_ptr_array_unref);
  marked = rs_tracker_mark (fixture->store, &fixture->ids[3], 1, RS_STATUS_FAILED, "bounced",
                            &error);
  g_assert_no_error (error);
  /* A control character, and what Excel would read as an escape of one. */
  g_assert_true (rs_tracker_set_note (fixture->store, fixture->ids[3], "a\001b _x0041_ c\td",
                                      &error));
  g_assert_no_error (error);

  book = export_workbook (fixture, &options, "status.xlsx");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (book), "formulas"), ==, 0);
  sheets = json_object_get_array_member (json_node_get_object (book), "sheets");
  g_assert_cmpuint (json_array_get_length (sheets), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *sheet = json_array_get_object_element (sheets, i);

      g_assert_cmpstr (json_object_get_string_member (sheet, "title"), ==,
                       i == 0 ? "Respondents" : "History");
      g_assert_cmpstr (json_object_get_string_member (sheet, "freeze"), ==, "A2");
      g_assert_cmpstr (json_object_get_string_member (sheet, "filter"), ==,
                       i == 0 ? "A1:L5" : "A1:M3");
    }

  /* The header: the CSV's columns, bold. */
  rows = rs_test_workbook_rows (book, "Respondents");
  g_assert_cmpuint (json_array_get_length (rows), ==, 5);
  for (guint i = 0; header[i] != NULL; i++)
    {
      JsonObject *cell = json_array_get_object_element (json_array_get_array_element (rows, 0), i);

      g_assert_cmpstr (cell_string (cell), ==, header[i]);
      g_assert_true (json_object_get_boolean_member (cell, "bold"));
    }
  g_assert_cmpuint (json_array_get_length (json_array_get_array_element (rows, 0)), ==,
                    g_strv_length (header));
  /* The rows are not. */
  g_assert_false (json_object_get_boolean_member (rs_test_workbook_cell (book, "Respondents", 1,
                                                                         "company"), "bold"));

  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "Respondents", i + 1, "id")), ==,
                     fixture->ids[i]);

  row = find_row (book, "Respondents", "id", fixture->ids[0], 0);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "person")), ==,
                   "Ivo Bos");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "status")), ==,
                   "sent");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "note")), ==,
                   "=HYPERLINK(\"http://example.com\")");
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "Respondents", row,
                                                       "history_count")), ==, 1);
  assert_date_cell (rs_test_workbook_cell (book, "Respondents", row, "sent_at"),
                    history_time (fixture, fixture->ids[0]));
  assert_date_cell (rs_test_workbook_cell (book, "Respondents", row, "last_change"),
                    history_time (fixture, fixture->ids[0]));

  row = find_row (book, "Respondents", "id", fixture->ids[1], 0);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "person")), ==,
                   "Öberg, Lena");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "company")), ==,
                   "Fjord; Fell AS");
  g_assert_true (cell_is_empty (rs_test_workbook_cell (book, "Respondents", row, "sent_at")));
  g_assert_true (cell_is_empty (rs_test_workbook_cell (book, "Respondents", row, "last_change")));
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "Respondents", row,
                                                       "history_count")), ==, 0);
  note = cell_string (rs_test_workbook_cell (book, "Respondents", row, "note"));
  g_assert_true (g_str_has_suffix (note, "…"));
  g_assert_true (strncmp (note, long_note->str, strlen (note) - strlen ("…")) == 0);
  for (const char *p = note; *p != '\0'; p = g_utf8_next_char (p))
    units += g_utf8_get_char (p) > 0xffff ? 2 : 1;
  g_assert_cmpint (units, <=, 32767);
  g_assert_cmpint (units, >=, 32765);

  row = find_row (book, "Respondents", "id", fixture->ids[2], 0);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "note")), ==,
                   "=1+1");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "company")), ==,
                   "Amstel \"Metaal\" N.V.");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "person")), ==,
                   "Zoë de Vries");

  row = find_row (book, "Respondents", "id", fixture->ids[3], 0);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "Respondents", row, "note")), ==,
                   "a\001b _x0041_ c\td");

  /* The history: one row a change, with who it was about. */
  rows = rs_test_workbook_rows (book, "History");
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  for (guint i = 0; history_header[i] != NULL; i++)
    {
      JsonObject *cell = json_array_get_object_element (json_array_get_array_element (rows, 0), i);

      g_assert_cmpstr (cell_string (cell), ==, history_header[i]);
      g_assert_true (json_object_get_boolean_member (cell, "bold"));
    }
  row = find_row (book, "History", "respondent_id", fixture->ids[3], 0);
  g_assert_cmpuint (row, ==, 2);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "person")), ==,
                   "Karin Dijkstra");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "from_status")), ==,
                   "pending");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "to_status")), ==,
                   "failed");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "by")), ==,
                   "manual");
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "note")), ==,
                   "bounced");
  assert_date_cell (rs_test_workbook_cell (book, "History", row, "at"),
                    history_time (fixture, fixture->ids[3]));
  row = find_row (book, "History", "respondent_id", fixture->ids[0], 0);
  g_assert_cmpstr (cell_string (rs_test_workbook_cell (book, "History", row, "note")), ==,
                   "=HYPERLINK(\"http://example.com\")");
}

/* The respondents asked for, in that order, and only their history; the
 * options' delimiter and byte order mark do not matter to a workbook. */
static void
test_export_xlsx_subset (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  RsExportOptions options = { NULL, ';', TRUE };
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) book = NULL;
  g_autoptr(JsonNode) empty = NULL;
  gint64 gone = fixture->ids[3] + 1000;

  marked = rs_tracker_mark (fixture->store, fixture->ids, 4, RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);
  g_array_append_val (ids, fixture->ids[3]);
  g_array_append_val (ids, gone);
  g_array_append_val (ids, fixture->ids[1]);
  options.ids = ids;

  book = export_workbook (fixture, &options, "subset.XLSX");
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "Respondents")), ==, 3);
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "Respondents", 1, "id")), ==,
                   fixture->ids[3]);
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "Respondents", 2, "id")), ==,
                   fixture->ids[1]);
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "History")), ==, 3);
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "History", 1, "respondent_id")), ==,
                   fixture->ids[3]);
  g_assert_cmpint (cell_number (rs_test_workbook_cell (book, "History", 2, "respondent_id")), ==,
                   fixture->ids[1]);

  /* An empty view: the headers only, still a workbook. */
  g_array_set_size (ids, 0);
  empty = export_workbook (fixture, &options, "empty.xlsx");
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (empty, "Respondents")), ==, 1);
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (empty, "History")), ==, 1);
}

static void
assert_no_leftovers (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (entries);
  while ((name = g_dir_read_name (entries)) != NULL)
    {
      g_assert_false (g_str_has_prefix (name, ".goutputstream"));
      g_assert_false (g_str_has_prefix (name, "resiliencescan-export-"));
    }
}

/* The same rules as for CSV: never over the database, its parts or its
 * folder of rows; a link is written through and stays a link; a FIFO is
 * written as it is; a workbook that fails leaves the file that was there,
 * and nothing of its own, not even in the temporary folder. */
static void
test_export_xlsx_safety (Fixture       *fixture,
                         gconstpointer  data)
{
  RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  const char *database = rs_store_get_path (fixture->store);
  g_autofree char *sources = rs_store_get_sources_dir (fixture->store);
  g_autofree char *wal = g_strconcat (database, "-wal", NULL);
  g_autofree char *in_sources = g_build_filename (sources, "status.xlsx", NULL);
  g_autofree char *real = g_build_filename (fixture->dir, "real.xlsx", NULL);
  g_autofree char *link = g_build_filename (fixture->dir, "link.xlsx", NULL);
  g_autofree char *fifo = g_build_filename (fixture->dir, "pipe.xlsx", NULL);
  g_autofree char *before = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *piped = NULL;
  const char *targets[] = { database, wal, in_sources };
  g_autoptr(JsonNode) book = NULL;
  g_autoptr(GError) error = NULL;
  gsize before_len;
  gsize kept_len;
  GStatBuf info;

  options.format = RS_EXPORT_FORMAT_XLSX;
  g_assert_true (g_file_get_contents (database, &before, &before_len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (targets[i]);
      g_autoptr(GError) refused = NULL;
      g_autofree char *after = NULL;
      gsize after_len;

      g_assert_false (rs_export_to_file (fixture->store, file, &options, NULL, &refused));
      g_assert_error (refused, RS_EXPORT_ERROR, RS_EXPORT_ERROR_DATABASE);
      g_assert_true (g_file_get_contents (database, &after, &after_len, NULL));
      g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
    }
  g_assert_false (g_file_test (in_sources, G_FILE_TEST_EXISTS));

  /* Through a link: the file it names is the workbook. */
  g_assert_true (g_file_set_contents (real, "old", -1, NULL));
  g_assert_cmpint (symlink (real, link), ==, 0);
  {
    g_autoptr(GFile) file = g_file_new_for_path (link);

    g_assert_true (rs_export_to_file (fixture->store, file, &options, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  book = rs_test_read_workbook (real);
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "Respondents")), ==, 5);

  /* A FIFO gets the workbook as a stream. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  {
    g_autoptr(GFile) file = g_file_new_for_path (fifo);
    GThread *reader = g_thread_new ("fifo-reader", read_fifo, fifo);
    gsize piped_len;

    g_assert_true (rs_export_to_file (fixture->store, file, &options, NULL, &error));
    g_assert_no_error (error);
    piped = g_thread_join (reader);
    g_assert_cmpint (g_lstat (fifo, &info), ==, 0);
    g_assert_true (S_ISFIFO (info.st_mode));
    piped_len = strlen (piped);
    g_assert_cmpuint (piped_len, >, 2);
    g_assert_true (piped[0] == 'P' && piped[1] == 'K');
  }

  /* Fails half way (the history is gone): the old file is kept, and
   * nothing is left behind. */
  g_assert_true (g_file_get_contents (real, &kept, &kept_len, NULL));
  g_assert_true (rs_store_exec (rs_store_get_connection (fixture->store, NULL),
                                "DROP TABLE history", &error));
  g_assert_no_error (error);
  {
    g_autoptr(GFile) file = g_file_new_for_path (real);
    g_autoptr(GError) failed = NULL;
    g_autofree char *after = NULL;
    gsize after_len;

    g_assert_false (rs_export_to_file (fixture->store, file, &options, NULL, &failed));
    g_assert_nonnull (failed);
    g_test_message ("%s", failed->message);
    g_assert_true (g_file_get_contents (real, &after, &after_len, NULL));
    g_assert_true (after_len == kept_len && memcmp (after, kept, kept_len) == 0);
  }
  assert_no_leftovers (fixture->dir);
  assert_no_leftovers (g_get_tmp_dir ());
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = g_strdup ("/tmp/rs-test-export-XXXXXX");
  int status;

  /* A temporary folder of its own, to see that a workbook leaves nothing
   * in it. */
  g_assert_nonnull (g_mkdtemp (tmp));
  g_setenv ("TMPDIR", tmp, TRUE);
  rs_test_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/export/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("defaults", test_export_defaults);
  ADD ("excel", test_export_excel);
  ADD ("subset", test_export_subset);
  ADD ("async", test_export_async);
  ADD ("fails", test_export_fails);
  ADD ("formulas", test_export_formulas);
  ADD ("refuses-database", test_export_refuses_database);
  ADD ("fifo", test_export_fifo);
  ADD ("xlsx", test_export_xlsx);
  ADD ("xlsx-subset", test_export_xlsx_subset);
  ADD ("xlsx-safety", test_export_xlsx_safety);

#undef ADD

  g_test_add_func ("/export/locale-delimiter", test_export_locale_delimiter);

  status = g_test_run ();
  rs_test_remove_tree (tmp);
  return status;
}
