/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-xlsx"

#include "config.h"

#include <glib/gstdio.h>
#include <gsf/gsf.h>
#include <string.h>
#include <sys/resource.h>

#include "rs-import.h"
#include "rs-row-source.h"
#include "rs-store.h"
#include "rs-test-cli.h"
#include "rs-test-util.h"

/* The peak memory a refused workbook may cost: nothing near the gigabytes
 * it would unpack to (AddressSanitizer keeps freed memory aside, and has
 * its own, so it is given more). */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_RSS_MB 1024
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAX_RSS_MB 1024
#endif
#endif
#ifndef MAX_RSS_MB
#define MAX_RSS_MB 200
#endif
#include "rs-tracker.h"
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
      /* Cells read as empty that the import reports */
      for (guint i = 0; i < rs_xlsx_reader_get_n_notes (reader); i++)
        {
          guint column;
          RsXlsxNoteKind kind;
          const char *text = rs_xlsx_reader_get_note (reader, i, &column, &kind);
          char ref[8];

          rs_xlsx_column_name (column, ref);
          g_string_append_printf (out, " {%s %s %s}", ref,
                                  kind == RS_XLSX_NOTE_ERROR_VALUE ? "error" : "formula", text);
        }
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
   * entities; time 21; an error value (read as empty, and noted); a
   * number in a custom format; a custom date-time; a formula without a
   * value (noted); an ISO date cell. */
  expected = g_strdup_printf ("2:Acme B.V.|Anna de Vries|anna@example.com|%s|3|TRUE|"
                              "line one\r\nline two <&>|12:00:00||||||||||||||||||||2.5"
                              " {AA error #N/A}\n"
                              "4:Acme B.V.|Bob|bob@example.com|%s||FALSE||||||||||||||||||||||"
                              "2025-08-21 12:50:13 {AA formula =NA()}\n",
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
  g_assert_cmpint (usage.ru_maxrss, <, MAX_RSS_MB * 1024);
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

/* Members stamped on the 31st or on 29 February are as good as any: a
 * workbook saved that day reads as the same one saved another. A day that
 * no month has (30 February) is still refused before libgsf sees it. */
static void
test_zip_dates (void)
{
  const char *names[] = { "saved-dec31.xlsx", "saved-jan31.xlsx", "saved-feb29.xlsx" };
  g_autoptr(GError) error = NULL;
  g_autoptr(RsXlsxReader) bad = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(RsXlsxReader) reader = open_fixture (names[i], &error);
      g_autofree char *rows = NULL;

      g_test_message ("%s", names[i]);
      g_assert_no_error (error);
      g_assert_true (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
      g_assert_no_error (error);
      rows = read_rows (reader, 3);
      g_assert_cmpstr (rows, ==, "2:Acme B.V.|Anna de Vries|anna@example.com {AA error #N/A}\n"
                                 "4:Acme B.V.|Bob|bob@example.com {AA formula =NA()}\n");
    }

  bad = open_fixture ("saved-feb30.xlsx", &error);
  g_assert_null (bad);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT);
}

static RsImportSummary *
import_fixture (RsStore    *store,
                const char *name,
                GError    **error)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return rs_import_file (store, file, NULL, NULL, NULL, error);
}

/* One shared string in hundreds of cells of a row is refused as soon as
 * the row passes what a master file's row holds, naming it, in the import
 * and in the window's list of sheets (the header is looked for in the same
 * rows); many rows under that limit are refused once their text passes
 * what their sheet could hold. Memory stays small. */
static void
test_amplified (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsXlsxReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sheets = NULL;
  g_autofree char *above = fixture ("amp-above-header.xlsx");
  g_autoptr(GFile) above_file = g_file_new_for_path (above);
  struct rusage usage;

  summary = import_fixture (store, "amp-row.xlsx", &error);
  g_assert_null (summary);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Row 2 of sheet “Data & more”"));
  g_assert_nonnull (strstr (error->message, "too large to be a master file"));
  g_clear_error (&error);

  /* As the window lists the sheets */
  sheets = rs_row_source_list_sheets (above_file, NULL, &error);
  g_assert_null (sheets);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "Row 2 of sheet “Data & more”"));
  g_clear_error (&error);
  reader = open_fixture ("amp-above-header.xlsx", &error);
  g_assert_no_error (error);
  g_assert_false (rs_xlsx_reader_open_sheet (reader, NULL, NULL, &error));
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE);
  g_clear_error (&error);

  summary = import_fixture (store, "amp-sheet.xlsx", &error);
  g_assert_null (summary);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Sheet “Data & more”"));
  g_assert_nonnull (strstr (error->message, "too large to be a master file"));

  getrusage (RUSAGE_SELF, &usage);
  g_assert_cmpint (usage.ru_maxrss, <, MAX_RSS_MB * 1024);

  rs_test_remove_tree (dir);
}

/* A zip whose directory says a part was packed to more than the whole
 * file holds: the ratio is taken of what the file can hold. */
static void
test_lying_directory (void)
{
  struct rusage usage;

  check_refused ("lying-directory.xlsx", RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
                 "would unpack to");
  getrusage (RUSAGE_SELF, &usage);
  g_assert_cmpint (usage.ru_maxrss, <, MAX_RSS_MB * 1024);
}

/* A note in XFD1 makes the header 16,384 columns wide, but rows are
 * stored without their trailing empty fields: the source file stays
 * small, the rows hash as before (a re-import finds them unchanged), and
 * a respondent's details read their row. */
static void
test_wide_header (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *source_path = NULL;
  g_autoptr(GFile) source_file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  RsRespondentDetails *details;

  summary = import_fixture (store, "wide-header.xlsx", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 3);

  source_path = rs_store_get_source_path (store, summary->import_id);
  source_file = g_file_new_for_path (source_path);
  info = g_file_query_info (source_file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
  g_assert_no_error (error);
  /* 3 rows of 16,384 fields were 49,000 bytes and more */
  g_assert_cmpint (g_file_info_get_size (info), <, 1024);

  details = rs_tracker_load_details (store, 1, &error);
  g_assert_no_error (error);
  g_assert_null (details->source_problem);
  g_assert_cmpuint (g_strv_length (details->source_names), ==, 16384);
  g_assert_cmpstr (details->source_names[16383], ==, "checked by Kim");
  g_assert_cmpstr (details->source_values[1], ==, "Acme B.V.");
  rs_respondent_details_free (details);

  again = import_fixture (store, "wide-header.xlsx", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->unchanged, ==, 3);
  g_assert_cmpuint (again->updated, ==, 0);

  /* The hash of a row without its trailing empty fields is the hash of
   * the row with them, as imports before stored it. */
  g_assert_cmpuint (rs_import_hash_source ("a\x1f" "b\x1f" "c", "x", 1), ==,
                    rs_import_hash_source ("a\x1f" "b\x1f" "c", "x\x1f\x1f", 3));
  g_assert_cmpuint (rs_import_hash_source ("a\x1f" "b\x1f" "c\x1f" "d\x1f" "e\x1f" "f\x1f"
                                           "g\x1f" "h\x1f" "i\x1f" "j",
                                           "12345678901\x1f", 12), ==,
                    rs_import_hash_source ("a\x1f" "b\x1f" "c\x1f" "d\x1f" "e\x1f" "f\x1f"
                                           "g\x1f" "h\x1f" "i\x1f" "j",
                                           "12345678901\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f", 20));

  rs_test_remove_tree (dir);
}

/* Rows out of order keep their own numbers; a row without one takes its
 * cells' */
static void
test_rows_out_of_order (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cas = NULL;
  g_autofree char *dirk = NULL;
  const RsImportChangeGroup *group;

  summary = import_fixture (store, "rows-out-of-order.xlsx", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->problems->len, ==, 2);
  cas = rs_import_problem_describe (g_ptr_array_index (summary->problems, 0));
  dirk = rs_import_problem_describe (g_ptr_array_index (summary->problems, 1));
  g_assert_true (g_str_has_prefix (cas, "Row 3 (Cas): imported, cannot be sent"));
  g_assert_true (g_str_has_prefix (dirk, "Row 9 (Dirk): imported, cannot be sent"));
  g_assert_cmpuint (summary->change_groups->len, ==, 1);
  group = g_ptr_array_index (summary->change_groups, 0);
  g_assert_cmpuint (((RsImportChange *) group->examples->pdata[0])->line, ==, 3);

  rs_test_remove_tree (dir);
}

/* Formulas saved without their value (openpyxl) are changed values, and
 * the summary says once what to do; error values are missing values, and
 * a row skipped for one says so; a formula's empty text is just empty. */
static void
test_formulas (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *other = g_build_filename (dir, "other", NULL);
  g_autoptr(RsStore) errors_store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) loaded = NULL;
  g_autoptr(RsImportSummary) errors = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *change = NULL;
  g_autofree char *skipped = NULL;
  const RsImportChangeGroup *group;

  summary = import_fixture (store, "formulas.xlsx", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 3);
  g_assert_cmpuint (summary->changed, ==, 3);
  g_assert_cmpuint (summary->change_groups->len, ==, 1);
  group = g_ptr_array_index (summary->change_groups, 0);
  g_assert_cmpstr (group->column, ==, "up__r");
  g_assert_cmpint (group->kind, ==, RS_MASTER_CHANGE_FORMULA);
  g_assert_cmpuint (group->count, ==, 3);
  change = rs_import_change_describe (group, group->examples->pdata[0]);
  g_assert_cmpstr (change, ==, "Row 2, “up__r”: “=AVERAGE(D2:E2)” → missing");
  text = rs_import_summary_describe (summary);
  g_assert_nonnull (strstr (text, "; 3 formulas had no calculated value and were read as "
                                  "missing: open the workbook in Excel or LibreOffice, save "
                                  "it and import it again"));

  /* Said again by the import as stored */
  loaded = rs_import_summary_load (store, summary->import_id, &error);
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  text = rs_import_summary_describe (loaded);
  g_assert_nonnull (strstr (text, "; 3 formulas had no calculated value"));

  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
  errors_store = new_store (other);
  errors = import_fixture (errors_store, "formulas-errors.xlsx", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (errors->added, ==, 1);
  g_assert_cmpuint (errors->skipped, ==, 1);
  skipped = rs_import_problem_describe (g_ptr_array_index (errors->problems, 0));
  g_assert_cmpstr (skipped, ==, "Row 2 (Anna): skipped: no company name (the cell has the "
                                "error value “#N/A”)");
  /* The #DIV/0! score; not the empty text of E3 */
  g_assert_cmpuint (errors->changed, ==, 1);
  group = g_ptr_array_index (errors->change_groups, 0);
  g_assert_cmpstr (group->column, ==, "up__r");
  g_assert_cmpint (group->kind, ==, RS_MASTER_CHANGE_ERROR_VALUE);
  g_clear_pointer (&change, g_free);
  change = rs_import_change_describe (group, group->examples->pdata[0]);
  g_assert_cmpstr (change, ==, "Row 3, “up__r”: “#DIV/0!” → missing");

  rs_test_remove_tree (dir);
}

/* A PDF named .xlsx, and a workbook piped in, are told for what they are */
static void
test_not_readable (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = new_store (dir);
  g_autofree char *pdf = g_build_filename (dir, "master.xlsx", NULL);
  g_autoptr(GFile) pdf_file = g_file_new_for_path (pdf);
  g_autofree char *master = fixture ("master.xlsx");
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", -1, NULL));
  summary = rs_import_file (store, pdf_file, NULL, NULL, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK);
  g_assert_nonnull (strstr (error->message, "is a PDF document, not a master file"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (master, &contents, &len, NULL));
  in = g_memory_input_stream_new_from_data (g_steal_pointer (&contents), len, g_free);
  summary = rs_import_stream (store, in, "standard input", NULL, NULL, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==,
                   "A workbook cannot be read from standard input; give its file name");

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
  g_test_add_func ("/xlsx/zip-dates", test_zip_dates);
  g_test_add_func ("/xlsx/amplified", test_amplified);
  g_test_add_func ("/xlsx/lying-directory", test_lying_directory);
  g_test_add_func ("/xlsx/wide-header", test_wide_header);
  g_test_add_func ("/xlsx/rows-out-of-order", test_rows_out_of_order);
  g_test_add_func ("/xlsx/formulas", test_formulas);
  g_test_add_func ("/xlsx/not-readable", test_not_readable);

  result = g_test_run ();
  rs_test_remove_tree (fixtures);
  g_free (fixtures);
  return result;
}
