/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secret"

#include "config.h"

#include <libsecret/secret.h>

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

/* Kept per account, the host and the user: a change of port or security
 * keeps the password; another host or user does not see it. */
static void
test_secret_per_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) checked = NULL;
  g_autoptr(GAsyncResult) forgotten = NULL;
  g_autofree char *other_port = NULL;
  g_autofree char *bare_host = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *other_host = NULL;
  g_autofree char *other_user = NULL;
  g_autofree char *after = NULL;
  gboolean stored = FALSE;

  keep ("smtp://account.example.com:587", USER, SECRET);
  other_port = lookup ("smtps://account.example.com:465", USER);
  g_assert_cmpstr (other_port, ==, SECRET);
  bare_host = lookup ("account.example.com", USER);
  g_assert_cmpstr (bare_host, ==, SECRET);
  upper = lookup ("smtp://Account.Example.COM", USER);
  g_assert_cmpstr (upper, ==, SECRET);
  other_host = lookup ("smtp://mail.account.example.com:587", USER);
  g_assert_null (other_host);
  other_user = lookup ("smtp://account.example.com:587", "other@example.com");
  g_assert_null (other_user);

  /* What Preferences shows, asked in a worker thread. */
  rs_secret_check_async ("account.example.com", USER, NULL, stored_cb, &checked);
  while (checked == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rs_secret_check_finish (checked, &stored, &error));
  g_assert_no_error (error);
  g_assert_true (stored);

  /* Forget Password. */
  rs_secret_forget_async ("account.example.com", USER, NULL, stored_cb, &forgotten);
  while (forgotten == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rs_secret_forget_finish (forgotten, &error));
  g_assert_no_error (error);
  after = lookup ("smtp://account.example.com:587", USER);
  g_assert_null (after);

  g_clear_object (&checked);
  rs_secret_check_async ("account.example.com", USER, NULL, stored_cb, &checked);
  while (checked == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (rs_secret_check_finish (checked, &stored, &error));
  g_assert_false (stored);

  /* Forgetting what is not kept is no error. */
  g_assert_true (rs_secret_forget ("account.example.com", USER, NULL, &error));
  g_assert_no_error (error);
}

/* How older versions kept it: under the whole server address. */
static const SecretSchema old_schema = {
  APP_ID ".Smtp", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static char *
old_lookup (const char *server)
{
  g_autoptr(GError) error = NULL;
  char *password;

  password = secret_password_lookup_sync (&old_schema, NULL, &error,
                                          "server", server, "user", USER, NULL);
  g_assert_no_error (error);

  return password;
}

/* A password kept by an older version is found, even after the port was
 * changed, and moved to its account. */
static void
test_secret_migration (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *again = NULL;
  g_autofree char *old_after = NULL;
  g_autofree char *unrelated = NULL;
  g_autofree char *other_before = NULL;

  secret_password_store_sync (&old_schema, SECRET_COLLECTION_DEFAULT, "old", "Old-pass-587",
                              NULL, &error,
                              "server", "smtp://old.example.com:587", "user", USER, NULL);
  g_assert_no_error (error);
  secret_password_store_sync (&old_schema, SECRET_COLLECTION_DEFAULT, "other", "Other-pass",
                              NULL, &error,
                              "server", "smtp://other-old.example.com:587", "user", USER, NULL);
  g_assert_no_error (error);

  found = lookup ("smtps://old.example.com:465", USER);
  g_assert_cmpstr (found, ==, "Old-pass-587");
  old_after = old_lookup ("smtp://old.example.com:587");
  g_assert_null (old_after);
  again = lookup ("old.example.com", USER);
  g_assert_cmpstr (again, ==, "Old-pass-587");

  /* Another host's old password stays where it was until it is asked for. */
  other_before = old_lookup ("smtp://other-old.example.com:587");
  g_assert_cmpstr (other_before, ==, "Other-pass");
  unrelated = lookup ("smtp://new.example.com:587", USER);
  g_assert_null (unrelated);

  /* Forget Password removes an old one too, so it does not come back. */
  g_assert_true (rs_secret_forget ("other-old.example.com", USER, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&other_before, g_free);
  other_before = old_lookup ("smtp://other-old.example.com:587");
  g_assert_null (other_before);
  g_clear_pointer (&unrelated, g_free);
  unrelated = lookup ("other-old.example.com", USER);
  g_assert_null (unrelated);
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
  g_test_add_func ("/secret/per-account", test_secret_per_account);
  g_test_add_func ("/secret/migration", test_secret_migration);
  g_test_add_func ("/secret/cli-send", test_secret_cli_send);

  return g_test_run ();
}
