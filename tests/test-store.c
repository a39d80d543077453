/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "rs-store.h"
#include "rs-thread.h"
#include "rs-test-util.h"
#include "rs-tracker.h"

static int
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

/* SQL that takes a database of this version back to version 4 */
#define DOWNGRADE_TO_12 \
  "ALTER TABLE delivery DROP COLUMN report_look;"

#define DOWNGRADE_TO_11 \
  DOWNGRADE_TO_12 \
  "DROP TABLE activity_failure;" \
  "DROP TABLE activity;"

#define DOWNGRADE_TO_10 \
  DOWNGRADE_TO_11 \
  "ALTER TABLE delivery DROP COLUMN report_benchmark;"

#define DOWNGRADE_TO_9 \
  DOWNGRADE_TO_10 \
  "ALTER TABLE import_log DROP COLUMN sheet;"

#define DOWNGRADE_TO_8 \
  DOWNGRADE_TO_9 \
  "DROP TABLE import_problem;" \
  "DROP TABLE import_change;" \
  "DROP TABLE import_quality;" \
  "ALTER TABLE import_log DROP COLUMN duplicates;" \
  "ALTER TABLE import_log DROP COLUMN marked_sent;" \
  "ALTER TABLE import_log DROP COLUMN renamed;" \
  "ALTER TABLE import_log DROP COLUMN recoded;" \
  "ALTER TABLE import_log DROP COLUMN changed;"

#define DOWNGRADE_TO_7 \
  DOWNGRADE_TO_8 \
  "DROP TABLE company_merge;" \
  "DROP TABLE company_apart;"

#define DOWNGRADE_TO_6 \
  DOWNGRADE_TO_7 \
  "ALTER TABLE delivery DROP COLUMN allow_second;" \
  "ALTER TABLE delivery DROP COLUMN report_sha256;"

#define DOWNGRADE_TO_5 \
  DOWNGRADE_TO_6 \
  "DROP TABLE correction;" \
  "ALTER TABLE history DROP COLUMN field;" \
  "ALTER TABLE history DROP COLUMN from_value;" \
  "ALTER TABLE history DROP COLUMN to_value;"

#define DOWNGRADE_TO_4 \
  DOWNGRADE_TO_5 \
  "DROP TRIGGER respondent_updated;" \
  "DROP TRIGGER delivery_updated;" \
  "DROP TABLE change_counter;" \
  "ALTER TABLE respondent DROP COLUMN changed;" \
  "ALTER TABLE delivery DROP COLUMN changed;"

/* One file, two names (hard links): refused, whichever name is given, so
 * that no name gets a write-ahead log of its own; a symbolic link is the
 * file it points to. */
static void
test_store_hard_link (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *other_dir = g_build_filename (dir, "other", NULL);
  g_autofree char *hard = g_build_filename (other_dir, "tracker.db", NULL);
  g_autofree char *soft = g_build_filename (other_dir, "soft.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsStore) linked = NULL;
  g_autoptr(RsStore) again = NULL;
  g_autoptr(RsStore) by_symlink = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  rs_store_release_connection (store);
  g_clear_object (&store);

  g_assert_cmpint (g_mkdir (other_dir, 0700), ==, 0);
  g_assert_cmpint (link (path, hard), ==, 0);
  linked = rs_store_open (hard, &error);
  g_assert_null (linked);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "hard links"));
  g_clear_error (&error);
  again = rs_store_open (path, &error);
  g_assert_null (again);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN);
  g_clear_error (&error);
  {
    g_autofree char *hard_wal = g_strconcat (hard, "-wal", NULL);

    g_assert_false (g_file_test (hard_wal, G_FILE_TEST_EXISTS));
  }

  /* One name again, and a symbolic link beside it: fine. */
  g_assert_cmpint (g_unlink (hard), ==, 0);
  g_assert_cmpint (symlink (path, soft), ==, 0);
  by_symlink = rs_store_open (soft, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rs_store_get_path (by_symlink), ==, path);
  rs_store_release_connection (by_symlink);

  rs_test_remove_tree (dir);
}

static void
test_store_create_and_reopen (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "nested", "folder", "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (rs_store_get_path (store), ==, path);

  db = rs_store_get_connection (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name IN ('respondent', 'delivery', 'history')"), ==, 3);
  g_assert_cmpint (query_int (db, "PRAGMA busy_timeout"), >=, 1000);

  g_assert_true (rs_store_exec (db,
                                "INSERT INTO respondent (identity_key, company, person, "
                                "first_imported_at, last_imported_at) "
                                "VALUES ('k', 'Polder Packaging B.V.', 'Ivo Bos', 1, 1)",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Reopening keeps the data and does not migrate again. */
  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM respondent"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);

  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_store_migrate_empty_file (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;

  /* A zero-length file is a valid, empty SQLite database at version 0. */
  g_assert_true (g_file_set_contents (path, "", 0, &error));

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (rs_store_get_connection (store, NULL), "PRAGMA user_version"),
                   ==, RS_STORE_SCHEMA_VERSION);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_store_migrates_version_1 (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db = NULL;

  /* A database as version 1 left it, with a respondent in it. */
  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_4
                                "INSERT INTO respondent (id, identity_key, company, person,"
                                " first_imported_at, last_imported_at)"
                                " VALUES (7, 'k', 'Polder Packaging B.V.', 'Ivo Bos', 1, 1);"
                                "INSERT INTO delivery (respondent_id, status, updated_at)"
                                " VALUES (7, 'sent', 1);"
                                "ALTER TABLE delivery DROP COLUMN report_source_hash;"
                                "CREATE INDEX delivery_status ON delivery (status);"
                                "CREATE UNIQUE INDEX respondent_key ON respondent (identity_key);"
                                "ALTER TABLE respondent DROP COLUMN source_offset;"
                                "ALTER TABLE respondent DROP COLUMN source_length;"
                                "PRAGMA user_version = 1;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_table_info ('delivery')"
                                  " WHERE name = 'report_source_hash'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM delivery WHERE respondent_id = 7"
                                  " AND status = 'sent'"), ==, 1);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Version 2 kept every source row in respondent_source: they stay there and
 * the details view still shows them. */
static void
test_store_migrates_version_2 (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsRespondentDetails) details = NULL;
  sqlite3 *db = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_4
                                "CREATE INDEX delivery_status ON delivery (status);"
                                "CREATE UNIQUE INDEX respondent_key ON respondent (identity_key);"
                                "ALTER TABLE respondent DROP COLUMN source_offset;"
                                "ALTER TABLE respondent DROP COLUMN source_length;"
                                "INSERT INTO import_log (id, at, file, header, added, updated,"
                                " unchanged, skipped, flagged)"
                                " VALUES (1, 1, 'master.csv', 'name\x1f" "email_address',"
                                " 1, 0, 0, 0, 0);"
                                "INSERT INTO respondent (id, identity_key, company, person,"
                                " source_import, source_line, first_imported_at,"
                                " last_imported_at)"
                                " VALUES (7, 'k', 'Polder Packaging B.V.', 'Ivo Bos', 1, 2,"
                                " 1, 1);"
                                "INSERT INTO respondent_source (respondent_id, source)"
                                " VALUES (7, 'Ivo Bos\x1f" "ivo@polder.example');"
                                "INSERT INTO delivery (respondent_id, status, updated_at)"
                                " VALUES (7, 'sent', 1);"
                                "PRAGMA user_version = 2;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_table_info ('respondent')"
                                  " WHERE name IN ('source_offset', 'source_length')"), ==, 2);

  details = rs_tracker_load_details (store, 7, &error);
  g_assert_no_error (error);
  g_assert_null (details->source_problem);
  g_assert_cmpuint (g_strv_length (details->source_names), ==, 2);
  g_assert_cmpstr (details->source_names[1], ==, "email_address");
  g_assert_cmpstr (details->source_values[1], ==, "ivo@polder.example");
  g_clear_pointer (&details, rs_respondent_details_free);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Version 4 rebuilt respondent without an index on identity_key; the
 * tables that refer to it keep their rows and their references. */
static void
test_store_migrates_version_3 (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_4
                                "CREATE INDEX delivery_status ON delivery (status);"
                                "CREATE UNIQUE INDEX respondent_key ON respondent (identity_key);"
                                "CREATE INDEX respondent_source_import ON respondent"
                                " (source_import);"
                                "INSERT INTO respondent (id, identity_key, company, person,"
                                " email, up_r, source_import, source_line, source_hash,"
                                " first_imported_at, last_imported_at, source_offset,"
                                " source_length)"
                                " VALUES (7, 'k', 'Polder Packaging B.V.', 'Ivo Bos',"
                                " 'ivo@polder.example', 3.5, 1, 2, -42, 10, 20, 0, 30);"
                                "INSERT INTO delivery (respondent_id, status, updated_at,"
                                " manually_updated, note)"
                                " VALUES (7, 'sent', 1, 1, 'by phone');"
                                "INSERT INTO history (respondent_id, at, from_status,"
                                " to_status, by) VALUES (7, 1, 'pending', 'sent', 'manual');"
                                "PRAGMA user_version = 3;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                  " AND tbl_name IN ('respondent', 'delivery')"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM respondent WHERE id = 7"
                                  " AND identity_key = 'k' AND email = 'ivo@polder.example'"
                                  " AND up_r = 3.5 AND source_hash = -42"
                                  " AND first_imported_at = 10 AND last_imported_at = 20"
                                  " AND source_offset = 0 AND source_length = 30"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM delivery WHERE respondent_id = 7"
                                  " AND status = 'sent' AND note = 'by phone'"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM history WHERE respondent_id = 7"),
                   ==, 1);

  /* Foreign keys are on again and still refer to respondent. */
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_false (rs_store_exec (db, "INSERT INTO delivery (respondent_id, status, updated_at)"
                                     " VALUES (8, 'pending', 1)", &error));
  g_assert_nonnull (strstr (error->message, "FOREIGN KEY"));
  g_clear_error (&error);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Version 5 counts changes: rows from before start at 0, and every change
 * after, by any statement, gets a higher number than the one before it. */
static void
test_store_migrates_version_4 (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_4
                                "INSERT INTO respondent (id, identity_key, company, person,"
                                " first_imported_at, last_imported_at)"
                                " VALUES (7, 'k', 'Polder Packaging B.V.', 'Ivo Bos', 1, 1);"
                                "INSERT INTO delivery (respondent_id, status, updated_at)"
                                " VALUES (7, 'pending', 1);"
                                "PRAGMA user_version = 4;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT value FROM change_counter"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT changed FROM delivery WHERE respondent_id = 7"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT changed FROM respondent WHERE id = 7"), ==, 0);

  g_assert_true (rs_store_exec (db, "UPDATE delivery SET note = 'a' WHERE respondent_id = 7;"
                                    "UPDATE respondent SET person = 'Ivo B.' WHERE id = 7;"
                                    "UPDATE delivery SET note = 'b' WHERE respondent_id = 7;",
                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT changed FROM delivery WHERE respondent_id = 7"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT changed FROM respondent WHERE id = 7"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT value FROM change_counter"), ==, 3);

  /* A statement that numbers its row itself is not numbered again. */
  g_assert_true (rs_store_exec (db, "UPDATE change_counter SET value = value + 1;"
                                    "UPDATE delivery SET note = 'c', changed = 4"
                                    " WHERE respondent_id = 7;",
                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT changed FROM delivery WHERE respondent_id = 7"), ==, 4);
  g_assert_cmpint (query_int (db, "SELECT value FROM change_counter"), ==, 4);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Version 5 had no corrections; its history rows stay as they were. */
static void
test_store_migrates_version_5 (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_5
                                "INSERT INTO respondent (id, identity_key, company, person,"
                                " first_imported_at, last_imported_at)"
                                " VALUES (7, 'k', 'Polder Packaging B.V.', 'Ivo Bos', 1, 1);"
                                "INSERT INTO delivery (respondent_id, status, updated_at)"
                                " VALUES (7, 'sent', 1);"
                                "INSERT INTO history (respondent_id, at, from_status, to_status,"
                                " by) VALUES (7, 1, 'pending', 'sent', 'manual');"
                                "PRAGMA user_version = 5;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, RS_STORE_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM correction"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM history WHERE field IS NULL"
                                  " AND to_status = 'sent'"), ==, 1);

  /* A correction belongs to a respondent that exists, of a known field. */
  g_assert_false (rs_store_exec (db, "INSERT INTO correction VALUES (7, 'company', 'a', 'b', 1)",
                                 NULL));
  g_assert_true (rs_store_exec (db, "INSERT INTO correction VALUES (7, 'email', 'a', 'b', 1)",
                                &error));
  g_assert_no_error (error);
  g_assert_false (rs_store_exec (db, "INSERT INTO correction VALUES (8, 'email', 'a', 'b', 1)",
                                 NULL));

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A migration that would leave a reference broken changes nothing. */
static void
test_store_migration_checks_references (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  sqlite3 *db = NULL;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                DOWNGRADE_TO_4
                                "CREATE INDEX delivery_status ON delivery (status);"
                                "PRAGMA foreign_keys = OFF;"
                                "INSERT INTO delivery (respondent_id, status, updated_at)"
                                " VALUES (9, 'sent', 1);"
                                "PRAGMA user_version = 3;",
                                &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  store = rs_store_open (path, &error);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (store);
  g_clear_error (&error);

  /* Still version 3, with its index. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master"
                                  " WHERE name = 'delivery_status'"), ==, 1);
  sqlite3_close (db);

  rs_test_remove_tree (dir);
}

static void
test_store_rejects_bad_files (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *newer = g_build_filename (dir, "newer.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  guint before = rs_store_get_open_connection_count ();
  char junk[4096];
  sqlite3 *db = NULL;

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (garbage, junk, sizeof junk, NULL));

  store = rs_store_open (garbage, &error);
  g_assert_null (store);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, garbage));
  g_clear_error (&error);

  /* A database from a later version is left alone. */
  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = rs_store_open (newer, &error);
  g_assert_null (store);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_SCHEMA_TOO_NEW);
  g_clear_error (&error);

  g_assert_cmpuint (rs_store_get_open_connection_count (), ==, before);
  rs_test_remove_tree (dir);
}

typedef struct
{
  RsStore *store;
  sqlite3 *connection;
  RsTestSteps steps;
  int seen_rows;
} ThreadState;

static gboolean
insert_one (sqlite3   *db,
            gpointer   user_data,
            GError   **error)
{
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("INSERT INTO respondent (identity_key, company, person, "
                         "first_imported_at, last_imported_at) "
                         "VALUES ('%s', 'Company', 'Person', 1, 1)",
                         (const char *) user_data);
  return rs_store_exec (db, sql, error);
}

static gpointer
other_thread (gpointer data)
{
  ThreadState *state = data;
  g_autoptr(GError) error = NULL;
  sqlite3 *db;

  db = rs_store_get_connection (state->store, &error);
  g_assert_no_error (error);
  state->connection = db;

  /* Asking twice in one thread gives the same connection. */
  g_assert_true (rs_store_get_connection (state->store, NULL) == db);

  g_assert_true (rs_store_write (state->store, insert_one, (gpointer) "from-other", &error));
  g_assert_no_error (error);
  rs_test_steps_set (&state->steps, 1);

  rs_test_steps_wait (&state->steps, 2);
  state->seen_rows = query_int (db, "SELECT count(*) FROM respondent");

  return NULL;
}

static void
test_store_connection_per_thread (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  ThreadState state = { 0 };
  GThread *thread;
  sqlite3 *main_db;
  guint open_before;

  state.store = rs_store_open (path, &error);
  g_assert_no_error (error);
  rs_test_steps_init (&state.steps);

  main_db = rs_store_get_connection (state.store, &error);
  g_assert_no_error (error);
  open_before = rs_store_get_open_connection_count ();

  thread = g_thread_new ("other", other_thread, &state);
  rs_test_steps_wait (&state.steps, 1);

  g_assert_nonnull (state.connection);
  g_assert_true (state.connection != main_db);
  g_assert_cmpuint (rs_store_get_open_connection_count (), ==, open_before + 1);

  /* The other thread's committed write is visible here, and ours there. */
  g_assert_cmpint (query_int (main_db, "SELECT count(*) FROM respondent "
                                       "WHERE identity_key = 'from-other'"), ==, 1);
  g_assert_true (rs_store_write (state.store, insert_one, (gpointer) "from-main", &error));
  g_assert_no_error (error);
  rs_test_steps_set (&state.steps, 2);

  g_thread_join (thread);
  g_assert_cmpint (state.seen_rows, ==, 2);

  /* The thread has ended, so its connection is closed. */
  g_assert_cmpuint (rs_store_get_open_connection_count (), ==, open_before);

  rs_store_release_connection (state.store);
  g_assert_cmpuint (rs_store_get_open_connection_count (), ==, open_before - 1);

  rs_test_steps_clear (&state.steps);
  g_clear_object (&state.store);
  rs_test_remove_tree (dir);
}

#define WRITERS 4
#define WRITES_PER_WRITER 1000

typedef struct
{
  RsStore *store;
  guint writer;
  guint failures;
  guint busy_failures;
} Writer;

static gboolean
insert_write (sqlite3   *db,
              gpointer   user_data,
              GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  const guint *key = user_data;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO history (respondent_id, at, to_status, by, note) "
                           "VALUES (1, ?1, 'pending', 'manual', 'concurrent')",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int (stmt, 1, *key);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  Writer *writer = data;

  for (guint i = 0; i < WRITES_PER_WRITER; i++)
    {
      g_autoptr(GError) error = NULL;
      guint key = writer->writer * WRITES_PER_WRITER + i;

      if (!rs_store_write (writer->store, insert_write, &key, &error))
        {
          writer->failures++;
          if (g_error_matches (error, RS_STORE_ERROR, RS_STORE_ERROR_BUSY))
            writer->busy_failures++;
        }
    }

  return NULL;
}

static void
test_store_concurrent_writers (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  GThread *threads[WRITERS];
  Writer writers[WRITERS];
  sqlite3 *db;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  db = rs_store_get_connection (store, &error);
  g_assert_true (rs_store_exec (db,
                                "INSERT INTO respondent (id, identity_key, company, person, "
                                "first_imported_at, last_imported_at) "
                                "VALUES (1, 'k', 'Company', 'Person', 1, 1)",
                                &error));
  g_assert_no_error (error);

  for (guint i = 0; i < WRITERS; i++)
    {
      writers[i] = (Writer) { .store = store, .writer = i };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }

  for (guint i = 0; i < WRITERS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (writers[i].busy_failures, ==, 0);
      g_assert_cmpuint (writers[i].failures, ==, 0);
    }

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM history WHERE note = 'concurrent'"),
                   ==, WRITERS * WRITES_PER_WRITER);
  g_assert_cmpint (query_int (db, "SELECT count(DISTINCT at) FROM history"),
                   ==, WRITERS * WRITES_PER_WRITER);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static gboolean
fail_then_succeed (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  guint *calls = user_data;

  if (!insert_one (db, (gpointer) "rolled-back", error))
    return FALSE;

  (*calls)++;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not today");
  return FALSE;
}

static void
test_store_failed_write_rolls_back (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  guint calls = 0;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_false (rs_store_write (store, fail_then_succeed, &calls, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  /* An error that is not "busy" is not retried. */
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpint (query_int (rs_store_get_connection (store, NULL),
                              "SELECT count(*) FROM respondent"), ==, 0);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static gpointer
priority_job (RsStore       *store,
              gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  return GINT_TO_POINTER (rs_thread_is_background () ? 2 : 1);
}

static void
priority_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(int *) user_data = GPOINTER_TO_INT (rs_store_run_finish (RS_STORE (object), result, &error));
  g_assert_no_error (error);
}

/* A job gives way to the window: its worker runs below the main loop's
 * priority, which stays as it was (the main thread's own is kept). */
static void
test_store_job_in_background (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = rs_store_open (path, &error);
  int seen = 0;
  /* FALSE, unless the tests themselves run under nice */
  gboolean main_background = rs_thread_is_background ();

  g_assert_no_error (error);
  rs_store_run_async (store, priority_job, NULL, NULL, NULL, NULL, priority_done_cb, &seen);
  while (seen == 0)
    g_main_context_iteration (NULL, TRUE);
#ifdef __linux__
  g_assert_cmpint (seen, ==, 2);
#endif
  g_assert_cmpint (rs_thread_is_background (), ==, main_background);

  rs_store_release_connection (store);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/store/create-and-reopen", test_store_create_and_reopen);
  g_test_add_func ("/store/hard-link", test_store_hard_link);
  g_test_add_func ("/store/migrate-empty-file", test_store_migrate_empty_file);
  g_test_add_func ("/store/migrates-version-1", test_store_migrates_version_1);
  g_test_add_func ("/store/migrates-version-2", test_store_migrates_version_2);
  g_test_add_func ("/store/migrates-version-3", test_store_migrates_version_3);
  g_test_add_func ("/store/migrates-version-4", test_store_migrates_version_4);
  g_test_add_func ("/store/migrates-version-5", test_store_migrates_version_5);
  g_test_add_func ("/store/migration-checks-references",
                   test_store_migration_checks_references);
  g_test_add_func ("/store/rejects-bad-files", test_store_rejects_bad_files);
  g_test_add_func ("/store/connection-per-thread", test_store_connection_per_thread);
  g_test_add_func ("/store/concurrent-writers", test_store_concurrent_writers);
  g_test_add_func ("/store/failed-write-rolls-back", test_store_failed_write_rolls_back);
  g_test_add_func ("/store/job-in-background", test_store_job_in_background);

  return g_test_run ();
}
