/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-xlsx"

#include "config.h"

#include <gsf/gsf.h>
#include <string.h>
#include <sys/resource.h>

#include "rs-import.h"
#include "rs-store.h"
#include "rs-test-cli.h"
#include "rs-test-util.h"
#include "rs-xlsx.h"

/* The workbooks are written once per run by tests/make-workbooks.py
 * (openpyxl, and zips made by hand), the OLE2 files here with libgsf. */

static char *fixtures;

static char *
fixture (const char *name)
{
  return g_build_filename (fixtures, name, NULL);
}

static RsXlsxReader *
open_fixture (const char *name,
              GError    **error)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return rs_xlsx_reader_new (file, NULL, error);
}

/* Reads every row as "field|field|…" lines prefixed with the row number */
static char *
read_rows (RsXlsxReader *reader,
           guint         max_fields)
{
  GString *out = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      const char * const *fields;
      guint n_fields;

      if (!rs_xlsx_reader_next_row (reader, &fields, &n_fields, NULL, &error))
        {
          if (error == NULL)
            break;
          g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_RAGGED);
          g_string_append_printf (out, "ragged: %s\n", error->message);
          continue;
        }
      g_string_append_printf (out, "%u:", rs_xlsx_reader_get_row (reader));
      for (guint i = 0; i < n_fields && i < max_fields; i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "", fields[i]);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

static void
test_master (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsXlsxReader) reader = open_fixture ("master.xlsx", &error);
  g_auto(GStrv) sheets = NULL;
  g_autofree char *rows = NULL;
  const char * const *header;
  const char *ignored;
  guint n_header;

  g_assert_no_error (error);
  sheets = rs_xlsx_reader_list_master_sheets (reader, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (sheets, ((const char * const[]) { "MasterData", NULL }));

  /* MasterData is the second sheet; its row 1 is a status line. */
  g_assert_true (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rs_xlsx_reader_get_sheet_name (reader), ==, "MasterData");
  g_assert_cmpuint (rs_xlsx_reader_get_ignored (reader, &ignored), ==, 1);
  g_assert_cmpstr (ignored, ==, "Updating: READY Number of New Rows 3");

  header = rs_xlsx_reader_get_header (reader, &n_header);
  g_assert_cmpuint (n_header, ==, 179);
  g_assert_cmpstr (header[0], ==, "submitdate");
  g_assert_cmpstr (header[178], ==, "overall_scres");

  /* The empty row 5 is skipped; dates are ISO date-times, booleans words,
   * an empty cell an empty field. */
  rows = read_rows (reader, 8);
  g_assert_cmpstr (rows, ==,
                   "3:2025-08-21 12:50:13|FALSE|Anna de Vries|Planner|Acme B.V.|Nederland|"
                   "anna@example.com|Version 1.0 (eng)\n"
                   "4:2024-02-29 00:00:00|TRUE|Björn Ølsen||Fjord AS|Nederland|"
                   "bjorn@example.org|Version 1.0 (eng)\n"
                   "6:2023-12-31 23:59:59|FALSE|Chloé Martin|Buyer|Acme B.V.|Nederland|"
                   "chloe@example.net|Version 1.0 (eng)\n");
  g_assert_cmpint (rs_xlsx_reader_get_position (reader), ==, rs_xlsx_reader_get_size (reader));
}

static void
test_sheets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsXlsxReader) reader = open_fixture ("two-masters.xlsx", &error);
  g_auto(GStrv) sheets = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  sheets = rs_xlsx_reader_list_master_sheets (reader, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (sheets, ((const char * const[]) { "Round 1", "Round 2", NULL }));

  /* Without MasterData, the first with the columns */
  g_assert_true (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
  g_assert_cmpstr (rs_xlsx_reader_get_sheet_name (reader), ==, "Round 1");
  first = read_rows (reader, 3);
  g_assert_cmpstr (first, ==, "2:2025-08-21 12:50:13|FALSE|Anna de Vries\n");

  g_assert_true (rs_xlsx_reader_open_sheet (reader, "Round 2", NULL, &error));
  second = read_rows (reader, 3);
  g_assert_cmpstr (second, ==, "2:2024-02-29 00:00:00|TRUE|Björn Ølsen\n"
                               "3:2023-12-31 23:59:59|FALSE|Chloé Martin\n");

  g_assert_false (rs_xlsx_reader_open_sheet (reader, "Round 3", NULL, &error));
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET);
  g_assert_nonnull (strstr (error->message, "“Round 1”, “Round 2”, “Notes”"));
  g_clear_error (&error);

  g_assert_false (rs_xlsx_reader_open_sheet (reader, "Notes", NULL, &error));
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET);
  g_assert_nonnull (strstr (error->message, "company_name"));
}

static void
test_handmade (gconstpointer data)
{
  /* NULL: the 1900 system, with tags written oddly */
  gboolean date1904 = GPOINTER_TO_INT (data) == TRUE;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsXlsxReader) reader = open_fixture (data == NULL ? "odd-tags.xlsx"
                                                 : date1904 ? "handmade-1904.xlsx"
                                                 : "handmade.xlsx", &error);
  g_autofree char *rows = NULL;
  g_autofree char *expected = NULL;
  const char * const *header;
  guint n_header;

  g_assert_no_error (error);
  g_assert_true (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (rs_xlsx_reader_get_sheet_name (reader), ==, "Data & more");

  /* Shared, rich (without its phonetic run), inline and formula text;
   * AA and AB are columns 27 and 28. */
  header = rs_xlsx_reader_get_header (reader, &n_header);
  g_assert_cmpuint (n_header, ==, 28);
  g_assert_cmpstr (header[1], ==, "name");
  g_assert_cmpstr (header[3], ==, "submitdate");
  g_assert_cmpstr (header[4], ==, "up__r");
  g_assert_cmpstr (header[8], ==, "");
  g_assert_cmpstr (header[26], ==, "far");

  rows = read_rows (reader, 28);
  /* Built-in date 14; a cached formula value; a boolean; _x000D_ and
   * entities; time 21; an error value; a number in a custom format; a
   * custom date-time; a formula without a value; an ISO date cell. */
  expected = g_strdup_printf ("2:Acme B.V.|Anna de Vries|anna@example.com|%s|3|TRUE|"
                              "line one\r\nline two <&>|12:00:00|||||||||||||||||||#N/A|2.5\n"
                              "4:Acme B.V.|Bob|bob@example.com|%s||FALSE||||||||||||||||||||||"
                              "2025-08-21 12:50:13\n",
                              date1904 ? "2029-08-22" : "2025-08-21",
                              date1904 ? "2029-08-22 18:00:00" : "2025-08-21 18:00:00");
  g_assert_cmpstr (rows, ==, expected);
}

static void
check_refused (const char *name,
               GQuark      domain,
               int         code,
               const char *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsXlsxReader) reader = open_fixture (name, &error);

  if (reader != NULL)
    {
      g_auto(GStrv) sheets = rs_xlsx_reader_list_master_sheets (reader, NULL, &error);

      g_assert_null (sheets);
    }
  g_assert_error (error, domain, code);
  g_test_message ("%s: %s", name, error->message);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, says));
}

/* An OLE2 compound file with one stream: how .xls files and encrypted
 * workbooks are stored. */
static void
write_ole2 (const char *name,
            const char *stream)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  GsfOutput *out = gsf_output_stdio_new (path, &error);
  GsfOutfile *ole;
  GsfOutput *child;

  g_assert_no_error (error);
  ole = gsf_outfile_msole_new (out);
  child = gsf_outfile_new_child (ole, stream, FALSE);
  g_assert_true (gsf_output_write (child, 12, (const guint8 *) "not readable"));
  gsf_output_close (child);
  g_object_unref (child);
  gsf_output_close (GSF_OUTPUT (ole));
  g_object_unref (ole);
  g_object_unref (out);
}

static void
test_refused (void)
{
  struct rusage usage;

  write_ole2 ("old.xls", "Workbook");
  write_ole2 ("protected.xlsx", "EncryptedPackage");

  check_refused ("old.xls", RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                 "save it as .xlsx or CSV");
  check_refused ("protected.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                 "password");
  check_refused ("spreadsheet.ods", RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                 "save it as .xlsx or CSV");
  check_refused ("not-workbook.zip", RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
                 "not an Excel workbook");
  check_refused ("corrupt.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT, "damaged");
  check_refused ("bad-xml.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT, "sheet1.xml");
  check_refused ("dtd.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT, "document type");
  check_refused ("bomb.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE, "would unpack to");

  /* Refused before it was inflated: memory stays small. */
  getrusage (RUSAGE_SELF, &usage);
  g_assert_cmpint (usage.ru_maxrss, <, 200 * 1024);
}

static RsStore *
new_store (const char *dir)
{
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  RsStore *store = rs_store_open (db, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_import (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *path = fixture ("master.xlsx");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 3);
  g_assert_cmpstr (summary->sheet, ==, "MasterData");
  g_assert_cmpuint (summary->ignored, ==, 1);
  text = rs_import_summary_describe (summary);
  g_assert_nonnull (strstr (text, "ignored 1 line above the header: Updating: READY"));

  /* The same rows again are the same: their sources hash alike. */
  again = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->unchanged, ==, 3);
  g_assert_cmpuint (again->added, ==, 0);

  rs_test_remove_tree (dir);
}

/* Problems name the sheet's row. */
static void
test_import_problems (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *path = fixture ("problems.xlsx");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsImportSummary) loaded = NULL;
  g_autofree char *flagged = NULL;
  g_autofree char *skipped = NULL;

  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 2);
  g_assert_cmpuint (summary->flagged, ==, 1);
  g_assert_cmpuint (summary->skipped, ==, 1);
  g_assert_cmpuint (summary->problems->len, ==, 2);

  flagged = rs_import_problem_describe (g_ptr_array_index (summary->problems, 0));
  skipped = rs_import_problem_describe (g_ptr_array_index (summary->problems, 1));
  g_assert_true (g_str_has_prefix (flagged, "Row 4 (Gijs Peters): imported, cannot be sent"));
  g_assert_cmpstr (skipped, ==, "Row 5: skipped: Row 5 has a value in column E, right of the "
                                "header’s last column");

  /* As the database has them */
  loaded = rs_import_summary_load (store, summary->import_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->problems->len, ==, 2);
  g_clear_pointer (&flagged, g_free);
  flagged = rs_import_problem_describe (g_ptr_array_index (loaded->problems, 0));
  g_assert_true (g_str_has_prefix (flagged, "Row 4 (Gijs Peters): imported, cannot be sent"));

  rs_test_remove_tree (dir);
}

/* Changed values name the sheet's row, as problems do: Anna's do__a of
 * 5.5, on row 3 under the status line and the header, is clamped to 5. */
static void
test_import_changes (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *path = fixture ("master.xlsx");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *group_text = NULL;
  g_autofree char *change_text = NULL;
  const RsImportChangeGroup *group;

  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->changed, ==, 1);
  g_assert_cmpuint (summary->change_groups->len, ==, 1);
  group = g_ptr_array_index (summary->change_groups, 0);
  g_assert_cmpstr (group->column, ==, "do__a");
  g_assert_true (group->sheet_row);
  g_assert_cmpuint (group->examples->len, ==, 1);
  g_assert_cmpuint (((RsImportChange *) group->examples->pdata[0])->line, ==, 3);

  group_text = rs_import_change_group_describe (group);
  change_text = rs_import_change_describe (group, group->examples->pdata[0]);
  g_assert_true (g_str_has_suffix (group_text, ": 1 value (row 3)"));
  g_assert_true (g_str_has_prefix (change_text, "Row 3, “do__a”: “5.5” → "));

  /* The same from the database, as the Import Details window reads it */
  loaded = rs_import_summary_load (store, summary->import_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->sheet, ==, "MasterData");
  g_assert_cmpuint (loaded->change_groups->len, ==, 1);
  group = g_ptr_array_index (loaded->change_groups, 0);
  g_clear_pointer (&change_text, g_free);
  change_text = rs_import_change_describe (group, group->examples->pdata[0]);
  g_assert_true (g_str_has_prefix (change_text, "Row 3, “do__a”: “5.5” → "));

  rs_test_remove_tree (dir);
}

static void
test_import_refused_atomic (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  const char *names[] = { "bomb.xlsx", "corrupt.xlsx", "spreadsheet.ods", "bad-xml.xlsx" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = fixture (names[i]);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(RsImportSummary) summary = NULL;
      g_autoptr(GError) error = NULL;

      summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
      g_assert_null (summary);
      g_assert_true (error->domain == RS_XLSX_ERROR);
    }

  rs_test_remove_tree (dir);
}

/* A CSV saved from the workbook keeps the status line above the header. */
static void
test_csv_status_line (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *path = g_build_filename (dir, "saved.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char *csv =
    "Updating: READY / Number of New Rows\n"
    ";;;\n"
    "name;company_name;email_address;function\n"
    "Anna de Vries;Acme B.V.;anna@example.com;Planner\n";

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 1);
  g_assert_cmpuint (summary->ignored, ==, 1);
  g_assert_null (summary->sheet);
  text = rs_import_summary_describe (summary);
  g_assert_nonnull (strstr (text, "ignored 1 line above the header: Updating: READY / Number "
                                  "of New Rows"));

  rs_test_remove_tree (dir);
}

static void
test_cli_sheet (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *database = g_strconcat ("--database=", db, NULL);
  g_autofree char *path = fixture ("two-masters.xlsx");
  g_auto(RsCliResult) first = { 0 };
  g_auto(RsCliResult) second = { 0 };
  g_auto(RsCliResult) missing = { 0 };
  g_auto(RsCliResult) changes = { 0 };
  g_autofree char *master = fixture ("master.xlsx");
  g_autofree char *other_db = g_build_filename (dir, "other.db", NULL);
  g_autofree char *other_database = g_strconcat ("--database=", other_db, NULL);

  rs_test_run_cli (&first, database, "import", path, NULL);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_nonnull (strstr (first.out, "1 new"));

  rs_test_run_cli (&second, database, "import", "--sheet=Round 2", path, NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_nonnull (strstr (second.out, "2 new"));

  rs_test_run_cli (&missing, database, "import", "--sheet=Round 9", path, NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "There is no sheet “Round 9”"));

  /* Changed values by the sheet's row, in a database of their own */
  rs_test_run_cli (&changes, other_database, "import", master, NULL);
  g_assert_cmpint (changes.status, ==, 0);
  rs_cli_result_clear (&changes);
  rs_test_run_cli (&changes, other_database, "imports", "last", "--changes", NULL);
  g_assert_cmpint (changes.status, ==, 0);
  g_assert_true (g_str_has_prefix (changes.out, "row,column,change,value,used,respondent\n3,do__a,"));

  rs_test_remove_tree (dir);
}

/* The app's own export (libxlsxwriter) reads back: a status list, which
 * is no master file, so its sheets are named in the refusal. */
static void
test_export_read_back (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *database = g_strconcat ("--database=", db, NULL);
  g_autofree char *master = fixture ("master.xlsx");
  g_autofree char *exported = g_build_filename (dir, "status.xlsx", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (exported);
  g_auto(RsCliResult) imported = { 0 };
  g_auto(RsCliResult) written = { 0 };
  g_autoptr(RsXlsxReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sheets = NULL;

  rs_test_run_cli (&imported, database, "import", master, NULL);
  g_assert_cmpint (imported.status, ==, 0);
  rs_test_run_cli (&written, database, "export", exported, NULL);
  g_assert_cmpint (written.status, ==, 0);

  reader = rs_xlsx_reader_new (file, NULL, &error);
  g_assert_no_error (error);
  sheets = rs_xlsx_reader_list_master_sheets (reader, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (sheets), ==, 0);
  g_assert_false (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET);
  g_assert_nonnull (strstr (error->message, "“Respondents”, “History”"));

  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  int result;

  rs_test_init (&argc, &argv);

  fixtures = rs_test_make_tmpdir ();
  script = g_test_build_filename (G_TEST_DIST, "make-workbooks.py", NULL);
  if (!g_spawn_sync (NULL, (char *[]) { "/usr/bin/python3", script, fixtures, NULL }, NULL,
                     G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("make-workbooks.py: %s", error->message);

  g_test_add_func ("/xlsx/master", test_master);
  g_test_add_func ("/xlsx/sheets", test_sheets);
  g_test_add_data_func ("/xlsx/handmade/1900", GINT_TO_POINTER (2), test_handmade);
  g_test_add_data_func ("/xlsx/handmade/1904", GINT_TO_POINTER (TRUE), test_handmade);
  g_test_add_data_func ("/xlsx/handmade/odd-tags", NULL, test_handmade);
  g_test_add_func ("/xlsx/refused", test_refused);
  g_test_add_func ("/xlsx/import", test_import);
  g_test_add_func ("/xlsx/import-problems", test_import_problems);
  g_test_add_func ("/xlsx/import-changes", test_import_changes);
  g_test_add_func ("/xlsx/import-refused", test_import_refused_atomic);
  g_test_add_func ("/xlsx/csv-status-line", test_csv_status_line);
  g_test_add_func ("/xlsx/cli-sheet", test_cli_sheet);
  g_test_add_func ("/xlsx/export-read-back", test_export_read_back);

  result = g_test_run ();
  rs_test_remove_tree (fixtures);
  g_free (fixtures);
  return result;
}
