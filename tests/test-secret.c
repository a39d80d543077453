/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secret"

#include "config.h"

#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-secret.h"
#include "rs-test-cli.h"
#include "rs-test-master.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* The SMTP password through a real Secret Service: gnome-keyring-daemon on a
 * private session bus (with-keyring.sh). */

#define SERVER "smtps://mail.example.com:465"
#define USER "scan@example.com"
#define SECRET "Kr-51c7-keyring-only"

static char *
lookup (const char *server,
        const char *user)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsSecretPassword) password = NULL;

  password = rs_secret_lookup (server, user, NULL, &error);
  g_assert_no_error (error);

  return g_strdup (password);
}

static void
keep (const char *server,
      const char *user,
      const char *password)
{
  g_autoptr(GError) error = NULL;

  rs_secret_store (server, user, password, NULL, &error);
  g_assert_no_error (error);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_secret_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *first = NULL;
  g_autofree char *other_user = NULL;
  g_autofree char *other_server = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  keep (SERVER, USER, SECRET);
  g_assert_no_error (error);
  first = lookup (SERVER, USER);
  g_assert_cmpstr (first, ==, SECRET);

  /* Kept per server and user. */
  other_user = lookup (SERVER, "someone@example.com");
  g_assert_null (other_user);
  other_server = lookup ("smtp://other.example.com:587", USER);
  g_assert_null (other_server);

  /* Storing again replaces it, and so does the asynchronous store that the
   * Preferences window uses. */
  keep (SERVER, USER, "Ünïcode-päss wörd");
  g_assert_no_error (error);
  second = lookup (SERVER, USER);
  g_assert_cmpstr (second, ==, "Ünïcode-päss wörd");

  rs_secret_store_async (SERVER, USER, SECRET, NULL, stored_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rs_secret_store_finish (result, &error));
  g_assert_no_error (error);
  third = lookup (SERVER, USER);
  g_assert_cmpstr (third, ==, SECRET);
}

/* Those a test round sends to: the file marks some as sent already. */
static guint
count_pending (RsStore *store)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;
  guint n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM delivery "
                                       "WHERE status = 'pending'", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpuint (n, >, 0);

  return n;
}

/* The command line signs in with the password the window stored, and the
 * password is then in none of the files the app wrote or in what it printed. */
static void
test_secret_cli_send (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *folder = g_build_filename (dir, "Reports", NULL);
  g_autofree char *database = g_strdup_printf ("--database=%s", db);
  g_autofree char *url = NULL;
  g_auto(RsCliResult) wrong = { 0 };
  g_auto(RsCliResult) right = { 0 };
  RsTestServer server = { 0 };

  rs_test_write_master (csv, 3);
  file = g_file_new_for_path (csv);
  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  imported = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  made = rs_report_job_run (store, folder, NULL, 0, FALSE, 1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, ==, 3);
  g_assert_cmpuint (count_pending (store), >, 0);

  rs_test_server_start (&server, "--user", USER, "--password", SECRET, NULL);
  url = g_strdup_printf ("--smtp-url=%s", server.url);

  /* A wrong password in the keyring: the server refuses it, the job stops. */
  keep (server.url, USER, "not-the-password");
  rs_test_run_cli (&wrong, database, "send", "--test-address=me@example.org", url,
                   "--starttls=off", "--smtp-user=" USER, "--from=" USER, "--rate=0", NULL);
  g_assert_cmpint (wrong.status, !=, 0);
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"message\""), ==, 0);

  keep (server.url, USER, SECRET);
  rs_test_run_cli (&right, database, "send", "--test-address=me@example.org", url,
                   "--starttls=off", "--smtp-user=" USER, "--from=" USER, "--rate=0", NULL);
  g_assert_cmpint (right.status, ==, 0);
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"message\""), ==,
                    count_pending (store));

  g_assert_null (strstr (right.out, SECRET));
  g_assert_null (strstr (right.err, SECRET));
  g_assert_false (rs_test_tree_contains (dir, SECRET));
  g_assert_false (rs_test_tree_contains (g_get_user_config_dir (), SECRET));
  g_assert_false (rs_test_tree_contains (g_get_user_state_dir (), SECRET));
  g_assert_false (rs_test_tree_contains (g_get_user_cache_dir (), SECRET));
  g_assert_false (rs_test_tree_contains (server.dir, SECRET));

  rs_test_server_stop (&server);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/secret/round-trip", test_secret_round_trip);
  g_test_add_func ("/secret/cli-send", test_secret_cli_send);

  return g_test_run ();
}
