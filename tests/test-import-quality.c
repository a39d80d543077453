/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-quality"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "rs-companies.h"
#include "rs-import.h"
#include "rs-master.h"
#include "rs-store.h"
#include "rs-test-cli.h"
#include "rs-test-util.h"

/* What an import changes, cell by cell, and the data-quality summary after
 * it: in the summary it returns, in the database (read again after the
 * store is closed and opened), and in the command line's output. Files and
 * databases are real, written by the tests. */

#define HEADER \
  "name,company_name,email_address,function," \
  "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
  "do__r,do__c,do__f,do__v,do__a\n"

/* Known figures:
 * - changed: “name” placeholder (line 3); “function” placeholder (line 2);
 *   “up__r” above 5 (lines 2, 7), below 0 (line 4), not a number (line 3);
 *   “do__a” above 5 (line 5): 7 values in 6 groups. The “n/a” score on
 *   line 6 is missing, not changed.
 * - 6 respondents; missing: in__r 2 (lines 4, 6), up__r 1 (line 3), and
 *   line 4 has no up__c … in__a (9 missing: the only one with more than
 *   half); the worst five are in__r, up__r, up__c, up__f, up__v.
 * - Acme B.V. has 3 respondents; Beta BV, Delta and Gamma Ltd one each.
 * - out of range: up__r 3, do__a 1; not a number: up__r 1.
 * - cannot be sent: no person name 1 (line 3), no valid address 1 (line 5). */
static const char fixture_csv[] =
  HEADER
  "Anna Smit,Acme B.V.,anna@example.com,n/a,7,4,4,4,4,4,4,4,4,4,4,4,4,4,4\n"
  "n/a,Acme B.V.,bob@example.com,Buyer,abc,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Carla Jansen,Beta BV,carla@example.org,Planner,-2,,,,,,,,,,1,1,1,1,1\n"
  "Dirk de Boer,Gamma Ltd,dirk.example.org,CEO,2,2,2,2,2,2,2,2,2,2,2,2,2,2,8\n"
  "Eva Visser,Acme B.V.,eva@example.com,,1,1,1,1,1,n/a,1,1,1,1,1,1,1,1,1\n"
  "Frank Bos,Delta,frank@example.net,,\"9,5\",1,1,1,1,1,1,1,1,1,1,1,1,1,1\n";

typedef struct
{
  char *dir;
  char *db;
  RsStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

static char *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      len)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);

  return path;
}

static RsImportSummary *
import_text (Fixture    *fixture,
             const char *name,
             const char *contents)
{
  g_autofree char *path = write_file (fixture, name, contents, -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  RsImportSummary *summary;

  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static gint64
query_int (Fixture    *fixture,
           const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static const RsImportChangeGroup *
find_group (const RsImportSummary *summary,
            const char            *column,
            RsMasterChangeKind     kind)
{
  for (guint i = 0; i < summary->change_groups->len; i++)
    {
      const RsImportChangeGroup *group = g_ptr_array_index (summary->change_groups, i);

      if (g_str_equal (group->column, column) && group->kind == kind)
        return group;
    }

  return NULL;
}

/* The lines of @group's examples, "2,7" */
static char *
group_lines (const RsImportChangeGroup *group)
{
  GString *lines = g_string_new (NULL);

  for (guint i = 0; i < group->examples->len; i++)
    g_string_append_printf (lines, "%s%u", i ? "," : "",
                            ((RsImportChange *) group->examples->pdata[i])->line);

  return g_string_free (lines, FALSE);
}

static void
assert_group (const RsImportSummary *summary,
              const char            *column,
              RsMasterChangeKind     kind,
              guint                  count,
              const char            *lines)
{
  const RsImportChangeGroup *group = find_group (summary, column, kind);
  g_autofree char *found = NULL;

  g_assert_nonnull (group);
  g_assert_cmpuint (group->count, ==, count);
  found = group_lines (group);
  g_assert_cmpstr (found, ==, lines);
}

static void
assert_quality (const RsImportSummary *summary,
                RsImportQualityKind    kind,
                const char            *label,
                guint                  count,
                guint                  total)
{
  const RsImportQualityItem *item = rs_import_quality_find (summary, kind, label);

  g_assert_nonnull (item);
  g_assert_cmpuint (item->count, ==, count);
  g_assert_cmpuint (item->total, ==, total);
}

/* The changes and the summary of fixture_csv, as the import returned them
 * or as they were read back. */
static void
assert_fixture_record (const RsImportSummary *summary)
{
  const RsImportChangeGroup *group;
  const RsImportChange *change;
  const char *worst[] = { "in__r", "up__r", "up__c", "up__f", "up__v" };
  const char *singles[] = { "Beta BV", "Delta", "Gamma Ltd" };
  guint n_missing = 0;
  guint n_single = 0;

  g_assert_cmpuint (summary->added, ==, 6);
  g_assert_cmpuint (summary->flagged, ==, 2);
  g_assert_cmpuint (summary->problems->len, ==, 2);
  g_assert_cmpuint (summary->changed, ==, 7);
  g_assert_cmpuint (summary->change_groups->len, ==, 6);

  /* In the order of the columns, then of the kinds */
  group = g_ptr_array_index (summary->change_groups, 0);
  g_assert_cmpstr (group->column, ==, "name");
  group = g_ptr_array_index (summary->change_groups, 5);
  g_assert_cmpstr (group->column, ==, "do__a");

  assert_group (summary, "name", RS_MASTER_CHANGE_PLACEHOLDER, 1, "3");
  assert_group (summary, "function", RS_MASTER_CHANGE_PLACEHOLDER, 1, "2");
  assert_group (summary, "up__r", RS_MASTER_CHANGE_ABOVE_RANGE, 2, "2,7");
  assert_group (summary, "up__r", RS_MASTER_CHANGE_BELOW_RANGE, 1, "4");
  assert_group (summary, "up__r", RS_MASTER_CHANGE_NOT_A_NUMBER, 1, "3");
  assert_group (summary, "do__a", RS_MASTER_CHANGE_ABOVE_RANGE, 1, "5");
  g_assert_null (find_group (summary, "in__r", RS_MASTER_CHANGE_NOT_A_NUMBER));

  group = find_group (summary, "up__r", RS_MASTER_CHANGE_ABOVE_RANGE);
  change = g_ptr_array_index (group->examples, 1);
  g_assert_cmpstr (change->value, ==, "9,5");
  g_assert_cmpstr (change->used, ==, "5");
  g_assert_cmpint (change->respondent_id, >, 0);
  group = find_group (summary, "up__r", RS_MASTER_CHANGE_NOT_A_NUMBER);
  change = g_ptr_array_index (group->examples, 0);
  g_assert_cmpstr (change->value, ==, "abc");
  g_assert_null (change->used);
  group = find_group (summary, "name", RS_MASTER_CHANGE_PLACEHOLDER);
  change = g_ptr_array_index (group->examples, 0);
  g_assert_cmpstr (change->value, ==, "n/a");
  g_assert_cmpstr (change->used, ==, "");

  g_assert_nonnull (summary->quality);
  assert_quality (summary, RS_IMPORT_QUALITY_RESPONDENTS, NULL, 6, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_MISSING, "in__r", 2, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_MISSING, "up__r", 1, 6);
  for (guint i = 0; i < summary->quality->len; i++)
    {
      const RsImportQualityItem *item = g_ptr_array_index (summary->quality, i);

      if (item->kind == RS_IMPORT_QUALITY_MISSING)
        g_assert_cmpstr (item->label, ==, worst[n_missing++]);
      if (item->kind == RS_IMPORT_QUALITY_SINGLE_COMPANY)
        g_assert_cmpstr (item->label, ==, singles[n_single++]);
    }
  g_assert_cmpuint (n_missing, ==, 5);
  g_assert_cmpuint (n_single, ==, 3);
  assert_quality (summary, RS_IMPORT_QUALITY_SPARSE, NULL, 1, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_SINGLE_COMPANIES, NULL, 3, 4);
  assert_quality (summary, RS_IMPORT_QUALITY_OUT_OF_RANGE, "up__r", 3, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_OUT_OF_RANGE, "do__a", 1, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_NOT_A_NUMBER, "up__r", 1, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_FLAGGED, "no person name", 1, 6);
  assert_quality (summary, RS_IMPORT_QUALITY_FLAGGED, "no valid e-mail address", 1, 6);
  g_assert_null (rs_import_quality_find (summary, RS_IMPORT_QUALITY_OUT_OF_RANGE, "up__c"));
}

/* rs_master_read_row() lists what it does not take as the file has it. */
static void
test_master_changes (void)
{
  static const char *header[] = {
    "Name", "Company", "E-mail", "Function", "up__r", "up__c", "up__f", "up__v", "in__r",
  };
  static const char *fields[] = {
    " - ", "Acme", "piet@bücher.example", "none", "5.5", "-0,5", "twelve", "N/A", " ",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RsMasterColumns) columns = NULL;
  g_auto(RsMasterRow) row = { 0 };
  const RsMasterChange *change;

  columns = rs_master_columns_new (header, G_N_ELEMENTS (header), &error);
  g_assert_no_error (error);
  g_assert_cmpint (rs_master_read_row (columns, fields, G_N_ELEMENTS (fields), &row),
                   ==, RS_MASTER_ROW_FLAGGED);
  g_assert_cmpfloat (row.scores[0], ==, 5.0);
  g_assert_cmpfloat (row.scores[1], ==, 0.0);
  g_assert_true (isnan (row.scores[2]));

  /* The placeholder score (N/A) and the blank one are missing, not changed */
  g_assert_nonnull (row.changes);
  g_assert_cmpuint (row.changes->len, ==, 6);

  change = &g_array_index (row.changes, RsMasterChange, 0);
  g_assert_cmpint (change->column, ==, 2);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_EMAIL_ASCII);
  g_assert_cmpstr (change->value, ==, "piet@bücher.example");
  g_assert_cmpstr (change->used, ==, "piet@xn--bcher-kva.example");
  change = &g_array_index (row.changes, RsMasterChange, 1);
  g_assert_cmpint (change->column, ==, 0);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_PLACEHOLDER);
  g_assert_cmpstr (change->value, ==, "-");
  change = &g_array_index (row.changes, RsMasterChange, 2);
  g_assert_cmpint (change->column, ==, 3);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_PLACEHOLDER);
  g_assert_cmpstr (change->value, ==, "none");
  change = &g_array_index (row.changes, RsMasterChange, 3);
  g_assert_cmpint (change->column, ==, 4);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_ABOVE_RANGE);
  g_assert_cmpstr (change->value, ==, "5.5");
  g_assert_cmpstr (change->used, ==, "5");
  change = &g_array_index (row.changes, RsMasterChange, 4);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_BELOW_RANGE);
  g_assert_cmpstr (change->value, ==, "-0,5");
  g_assert_cmpstr (change->used, ==, "0");
  change = &g_array_index (row.changes, RsMasterChange, 5);
  g_assert_cmpint (change->column, ==, 6);
  g_assert_cmpint (change->kind, ==, RS_MASTER_CHANGE_NOT_A_NUMBER);
  g_assert_cmpstr (change->value, ==, "twelve");
  g_assert_null (change->used);
}

/* A clean row has no list at all. */
static void
test_master_no_changes (void)
{
  static const char *header[] = { "name", "company_name", "email_address", "up__r" };
  static const char *fields[] = { "Ivo Bos", "Acme", "ivo@example.com", "-0" };
  g_autoptr(RsMasterColumns) columns = rs_master_columns_new (header, 4, NULL);
  g_auto(RsMasterRow) row = { 0 };

  g_assert_cmpint (rs_master_read_row (columns, fields, 4, &row), ==, RS_MASTER_ROW_OK);
  g_assert_null (row.changes);
  g_assert_cmpfloat (row.scores[0], ==, 0.0);
}

static void
test_import_changes_and_quality (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(RsImportSummary) summary = import_text (fixture, "master.csv", fixture_csv);

  g_assert_cmpint (summary->import_id, ==, 1);
  assert_fixture_record (summary);

  /* Every change is stored with the import, with its respondent */
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM import_change"
                              " WHERE import_id = 1 AND respondent_id IS NOT NULL"), ==, 7);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM import_problem"
                              " WHERE import_id = 1"), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT changed FROM import_log WHERE id = 1"), ==, 7);
}

/* Closed and opened again, as in a later session: the same record. */
static void
test_import_record_reopened (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(RsImportSummary) summary = import_text (fixture, "master.csv", fixture_csv);
  g_autoptr(RsImportSummary) loaded = NULL;
  g_autoptr(RsImportSummary) by_id = NULL;
  g_autoptr(GError) error = NULL;

  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);

  loaded = rs_import_summary_load (fixture->store, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (loaded->import_id, ==, 1);
  g_assert_cmpint (loaded->at, ==, summary->at);
  g_assert_cmpstr (loaded->file, ==, summary->file);
  assert_fixture_record (loaded);
  for (guint i = 0; i < summary->problems->len; i++)
    {
      RsImportProblem *a = g_ptr_array_index (summary->problems, i);
      RsImportProblem *b = g_ptr_array_index (loaded->problems, i);

      g_assert_cmpuint (a->line, ==, b->line);
      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->reason, ==, b->reason);
      g_assert_cmpint (a->respondent_id, ==, b->respondent_id);
    }

  by_id = rs_import_summary_load (fixture->store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_id->changed, ==, 7);
  g_assert_null (rs_import_summary_load (fixture->store, 2, &error));
  g_assert_no_error (error);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RsImportSummary **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rs_import_summary_load_finish (RS_STORE (object), result, &error);
  g_assert_no_error (error);
  if (*out == NULL)
    *out = GINT_TO_POINTER (1);
}

/* The window reads a record in a worker thread */
static void
test_import_record_async (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(RsImportSummary) summary = NULL;
  RsImportSummary *loaded = NULL;

  rs_import_summary_load_async (fixture->store, 0, NULL, loaded_cb, &loaded);
  while (loaded == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* None yet */
  g_assert_true (loaded == GINT_TO_POINTER (1));

  summary = import_text (fixture, "master.csv", fixture_csv);
  loaded = NULL;
  rs_import_summary_load_async (fixture->store, 0, NULL, loaded_cb, &loaded);
  while (loaded == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (loaded != GINT_TO_POINTER (1));
  assert_fixture_record (loaded);
  rs_import_summary_free (loaded);
}

/* A second import of the same file writes no row and so changes nothing,
 * but the summary still counts the clamped values in the data; a row
 * corrected in the file no longer counts. */
static void
test_import_again (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(RsImportSummary) again = NULL;
  g_autoptr(RsImportSummary) fixed = NULL;
  g_autoptr(GString) csv = g_string_new (fixture_csv);

  rs_import_summary_free (import_text (fixture, "master.csv", fixture_csv));
  again = import_text (fixture, "master.csv", fixture_csv);
  g_assert_cmpuint (again->unchanged, ==, 6);
  g_assert_cmpuint (again->changed, ==, 0);
  g_assert_cmpuint (again->change_groups->len, ==, 0);
  assert_quality (again, RS_IMPORT_QUALITY_OUT_OF_RANGE, "up__r", 3, 6);
  assert_quality (again, RS_IMPORT_QUALITY_NOT_A_NUMBER, "up__r", 1, 6);

  g_assert_cmpuint (g_string_replace (csv, "anna@example.com,n/a,7,", "anna@example.com,n/a,3,",
                                      1), ==, 1);
  fixed = import_text (fixture, "fixed.csv", csv->str);
  g_assert_cmpuint (fixed->updated, ==, 1);
  /* Anna's function is still a placeholder */
  g_assert_cmpuint (fixed->changed, ==, 1);
  assert_group (fixed, "function", RS_MASTER_CHANGE_PLACEHOLDER, 1, "2");
  assert_quality (fixed, RS_IMPORT_QUALITY_OUT_OF_RANGE, "up__r", 2, 6);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM import_quality"
                              " WHERE import_id = 1"), >, 0);
}

/* Companies a person merged are one company for the summary, as they are
 * for the reports. */
static void
test_import_merged_companies (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *others[] = { "Gamma Ltd", NULL };
  g_autoptr(RsImportSummary) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merged = NULL;

  rs_import_summary_free (import_text (fixture, "master.csv", fixture_csv));
  merged = rs_company_merge (fixture->store, "Delta", others, &error);
  g_assert_no_error (error);
  again = import_text (fixture, "master.csv", fixture_csv);
  assert_quality (again, RS_IMPORT_QUALITY_SINGLE_COMPANIES, NULL, 1, 3);
  g_assert_nonnull (rs_import_quality_find (again, RS_IMPORT_QUALITY_SINGLE_COMPANY, "Beta BV"));
  g_assert_null (rs_import_quality_find (again, RS_IMPORT_QUALITY_SINGLE_COMPANY, "Delta"));
}

/* 3,000 clamped values: all stored, the first 100 of them kept in memory,
 * one line of text for them. */
static void
test_import_many_changes (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new (HEADER);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsImportSummary) loaded = NULL;
  g_autofree char *line = NULL;
  const RsImportChangeGroup *group;

  for (guint i = 0; i < 3000; i++)
    g_string_append_printf (csv, "Person %u,Company %u,p%u@example.com,,7,1,1,1,1,1,1,1,1,1,"
                            "1,1,1,1,1\n", i, i % 7, i);
  summary = import_text (fixture, "many.csv", csv->str);
  g_assert_cmpuint (summary->changed, ==, 3000);
  g_assert_cmpuint (summary->change_groups->len, ==, 1);
  group = g_ptr_array_index (summary->change_groups, 0);
  g_assert_cmpuint (group->count, ==, 3000);
  g_assert_cmpuint (group->examples->len, ==, RS_IMPORT_CHANGE_EXAMPLES);
  g_assert_cmpuint (((RsImportChange *) group->examples->pdata[99])->line, ==, 101);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM import_change"), ==, 3000);

  line = rs_import_change_group_describe (group);
  g_assert_cmpstr (line, ==, "“up__r”, above 5, clamped to 5: 3000 values "
                   "(lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, …)");

  loaded = rs_import_summary_load (fixture->store, 0, NULL);
  group = g_ptr_array_index (loaded->change_groups, 0);
  g_assert_cmpuint (group->count, ==, 3000);
  g_assert_cmpuint (group->examples->len, ==, RS_IMPORT_CHANGE_EXAMPLES);
  assert_quality (loaded, RS_IMPORT_QUALITY_OUT_OF_RANGE, "up__r", 3000, 3000);
  assert_quality (loaded, RS_IMPORT_QUALITY_SINGLE_COMPANIES, NULL, 0, 7);
}

/* A field not in UTF-8 in a file in UTF-8 is a changed value too. */
static void
test_import_recoded (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char csv[] =
    "name,company_name,email_address\n"
    "Zo\xeb Dekker,Brouwerij,zoe@example.org\n"
    "Jos\xc3\xa9 Garc\xc3\xad" "a,Brouwerij,jose@example.org\n";
  g_autofree char *path = write_file (fixture, "recoded.csv", csv, sizeof csv - 1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(RsImportSummary) summary = NULL;
  const RsImportChangeGroup *group;
  const RsImportChange *change;

  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, NULL);
  g_assert_nonnull (summary);
  g_assert_cmpuint (summary->recoded, ==, 1);
  group = find_group (summary, "name", RS_MASTER_CHANGE_RECODED);
  g_assert_nonnull (group);
  g_assert_cmpuint (group->count, ==, 1);
  change = g_ptr_array_index (group->examples, 0);
  g_assert_cmpuint (change->line, ==, 2);
  g_assert_cmpstr (change->value, ==, "Zoë Dekker");
  g_assert_cmpint (change->respondent_id, >, 0);
}

/* A database of before the record: its imports have none, and say so. */
static void
test_import_record_of_old_import (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(RsImportSummary) loaded = NULL;
  g_auto(GStrv) lines = NULL;
  sqlite3 *db;

  rs_import_summary_free (import_text (fixture, "master.csv", fixture_csv));
  db = rs_store_get_connection (fixture->store, NULL);
  g_assert_true (rs_store_exec (db, "DELETE FROM import_quality; DELETE FROM import_change;"
                                " DELETE FROM import_problem; UPDATE import_log SET"
                                " duplicates = NULL, changed = NULL", NULL));
  loaded = rs_import_summary_load (fixture->store, 0, NULL);
  g_assert_nonnull (loaded);
  g_assert_null (loaded->quality);
  g_assert_cmpuint (loaded->changed, ==, 0);
  g_assert_cmpuint (loaded->added, ==, 6);
  lines = rs_import_quality_describe (loaded);
  g_assert_cmpuint (g_strv_length (lines), ==, 0);
}

static char *
database_option (Fixture *fixture)
{
  return g_strdup_printf ("--database=%s", fixture->db);
}

static void
test_cli_import_output (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = write_file (fixture, "master.csv", fixture_csv, -1);
  g_autofree char *option = database_option (fixture);
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) list = { 0 };
  g_auto(RsCliResult) last = { 0 };
  g_auto(RsCliResult) by_id = { 0 };
  g_auto(RsCliResult) missing = { 0 };
  g_auto(RsCliResult) wrong = { 0 };
  g_auto(RsCliResult) cells = { 0 };
  g_auto(RsCliResult) no_id = { 0 };
  g_autofree char *expected = NULL;
  const char *details;

  /* The store of the fixture is closed: the command line has the database */
  g_clear_object (&fixture->store);

  rs_test_run_cli (&import, option, "import", path, NULL);
  g_assert_cmpstr (import.err, ==, "");
  g_assert_cmpint (import.status, ==, 0);
  expected = g_strdup_printf (
    "6 new, 0 updated, 0 unchanged, 0 skipped, 2 flagged, 0 duplicates\n"
    "Line 3: imported, cannot be sent: no person name\n"
    "Line 5 (Dirk de Boer): imported, cannot be sent: no valid e-mail address "
    "(“dirk.example.org”)\n"
    "\n"
    "7 values were not used as the file has them:\n"
    "  “name”, placeholder (such as “n/a”) dropped: 1 value (line 3)\n"
    "  “function”, placeholder (such as “n/a”) dropped: 1 value (line 2)\n"
    "  “up__r”, above 5, clamped to 5: 2 values (lines 2, 7)\n"
    "  “up__r”, below 0, clamped to 0: 1 value (line 4)\n"
    "  “up__r”, not a number, read as missing: 1 value (line 3)\n"
    "  “do__a”, above 5, clamped to 5: 1 value (line 5)\n"
    "\n"
    "Data quality after the import:\n"
    "  6 respondents in the database\n"
    "  Missing scores, the worst columns:\n"
    "    “in__r”: 2 of 6 missing (33.3 %%)\n"
    "    “up__r”: 1 of 6 missing (16.7 %%)\n"
    "    “up__c”: 1 of 6 missing (16.7 %%)\n"
    "    “up__f”: 1 of 6 missing (16.7 %%)\n"
    "    “up__v”: 1 of 6 missing (16.7 %%)\n"
    "  1 respondent has more than half of their scores missing\n"
    "  3 of 4 companies have one respondent\n"
    "    Beta BV, Delta, Gamma Ltd\n"
    "  Scores out of range (0 to 5), clamped:\n"
    "    “up__r”: 3 values\n"
    "    “do__a”: 1 value\n"
    "  Scores that are not numbers, read as missing:\n"
    "    “up__r”: 1 value\n"
    "  Cannot be sent, by reason:\n"
    "    no person name: 1\n"
    "    no valid e-mail address: 1\n");
  g_assert_cmpstr (import.out, ==, expected);

  rs_test_run_cli (&list, option, "imports", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (g_str_has_prefix (list.out, "1\t"));
  g_assert_nonnull (strstr (list.out, path));
  g_assert_nonnull (strstr (list.out, "\t6 new, 0 updated, 0 unchanged, 0 skipped, 2 flagged,"));
  g_assert_cmpuint (strlen (list.out), ==, (gsize) (strchr (list.out, '\n') - list.out) + 1);

  /* The same details again, from the database, under a line that says which */
  rs_test_run_cli (&last, option, "imports", "last", NULL);
  g_assert_cmpint (last.status, ==, 0);
  g_assert_true (g_str_has_prefix (last.out, "Import 1 of “"));
  details = strchr (last.out, '\n');
  g_assert_nonnull (details);
  g_assert_cmpstr (details + 1, ==, expected);
  rs_test_run_cli (&by_id, option, "imports", "1", NULL);
  g_assert_cmpstr (by_id.out, ==, last.out);

  /* Every cell, as CSV */
  rs_test_run_cli (&cells, option, "imports", "last", "--changes", NULL);
  g_assert_cmpint (cells.status, ==, 0);
  g_assert_cmpstr (cells.out, ==,
                   "line,column,change,value,used,respondent\n"
                   "3,name,placeholder,n/a,,2\n"
                   "2,function,placeholder,n/a,,1\n"
                   "2,up__r,above-range,7,5,1\n"
                   "7,up__r,above-range,\"9,5\",5,6\n"
                   "4,up__r,below-range,'-2,0,3\n"
                   "3,up__r,not-a-number,abc,,2\n"
                   "5,do__a,above-range,8,5,4\n");
  rs_test_run_cli (&no_id, option, "imports", "--changes", NULL);
  g_assert_cmpint (no_id.status, ==, 2);

  rs_test_run_cli (&missing, option, "imports", "2", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_cmpstr (missing.out, ==, "");
  g_assert_nonnull (strstr (missing.err, "there is no import 2"));
  rs_test_run_cli (&wrong, option, "imports", "first", NULL);
  g_assert_cmpint (wrong.status, ==, 2);
  g_assert_nonnull (strstr (wrong.err, "“first” is not the number of an import"));
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/import-quality/master-changes", test_master_changes);
  g_test_add_func ("/import-quality/master-no-changes", test_master_no_changes);
#define ADD(name, func) \
  g_test_add ("/import-quality/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("changes-and-quality", test_import_changes_and_quality);
  ADD ("reopened", test_import_record_reopened);
  ADD ("async", test_import_record_async);
  ADD ("again", test_import_again);
  ADD ("merged-companies", test_import_merged_companies);
  ADD ("many-changes", test_import_many_changes);
  ADD ("recoded", test_import_recoded);
  ADD ("old-import", test_import_record_of_old_import);
  ADD ("cli", test_cli_import_output);
#undef ADD

  return g_test_run ();
}
