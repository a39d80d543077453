/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-send-oauth"

#include "config.h"

#include <glib/gstdio.h>

#include "rs-import.h"
#include "rs-oauth.h"
#include "rs-report-job.h"
#include "rs-send-job.h"
#include "rs-secret.h"
#include "rs-store.h"
#include "rs-test-cli.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* `resiliencescan send --auth=oauth2` against real servers on this machine,
 * all over TLS with one certificate made here: the identity provider
 * (idp-server.py), Microsoft Graph (graph-server.py) and an SMTP server that
 * takes only XOAUTH2 (smtp-server.py). The refresh token is given as in
 * unattended use, in $RESILIENCESCAN_OAUTH_REFRESH_TOKEN, or kept in a real
 * keyring (with-keyring.sh) as `signin` keeps it. */

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define ACCOUNT "signin@example.com"
#define TEST_ADDRESS "tester@example.com"
#define REFRESH_TOKEN "rt-unattended-5d0c-never-shown"
#define ACCESS_TOKEN "at-first-3f9a-never-shown"
#define NEW_ACCESS_TOKEN "at-second-81b2-never-shown"
#define THIRD_ACCESS_TOKEN "at-third-c47e-never-shown"
/* A sendMail request that Graph answered with 401 */
#define SEND_MAIL_401 "\"path\": \"/v1.0/me/sendMail\", \"status\": 401"

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,2,1,1,1,1,1,1,1,1,1,1\n"
  "Bad Address,CFO,Waal Bouw,not-an-address,Version 1.0 (eng),2024-03-04,"
  "1,2,3,4,5,1,2,3,4,5,1,2,3,4,5\n"
  "Zoë de Vries,COO,Amstel Metaal,zoe@example.com,Versie 1.0 (nl),2024-03-04,"
  "1,2,3,4,5,5,4,3,2,1,1,1,1,1,1\n"
  "Sam Smit,Buyer,Waal Bouw,sam@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n";

#define N_VALID 5

/* A server started from tests/: prints "PORT n" first. */
typedef struct
{
  char *dir;
  GSubprocess *process;
  char *url;
} Server;

typedef struct
{
  char *dir;
  char *db;
  char *cert;
  char *key;
  RsStore *store;
  Server idp;
  Server graph;
  RsTestServer smtp;
} Fixture;

static void
server_start (Server     *server,
              const char *script,
              const char *scheme,
              GPtrArray  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  server->dir = rs_test_make_tmpdir ();
  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) g_test_get_filename (G_TEST_DIST, script, NULL));
  g_ptr_array_add (argv, server->dir);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (args, i));
  g_ptr_array_add (argv, NULL);

  server->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE
                                       | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  server->url = g_strdup_printf ("%s://127.0.0.1:%s", scheme, line + 5);
}

static void
server_stop (Server *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  if (server->dir != NULL)
    rs_test_remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->url, g_free);
}

static guint
count_in_file (const char *dir,
               const char *name,
               const char *needle)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

/* The identity provider, with a refresh token taken from the start and the
 * access tokens it hands out, in turn. */
static guint refresh_limit;
static guint idp_expires_in;
/* Extra arguments for the next idp_start(), NULL-terminated */
static const char * const *idp_faults;
static const char *idp_client_secret;

static void
idp_start (Fixture    *fixture,
           const char *first_token,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  va_list tokens;

  if (refresh_limit > 0)
    g_ptr_array_add (args, g_strdup_printf ("--refresh-limit=%u", refresh_limit));
  refresh_limit = 0;
  if (idp_expires_in > 0)
    g_ptr_array_add (args, g_strdup_printf ("--expires-in=%u", idp_expires_in));
  idp_expires_in = 0;
  for (guint i = 0; idp_faults != NULL && idp_faults[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (idp_faults[i]));
  idp_faults = NULL;
  if (idp_client_secret != NULL)
    g_ptr_array_add (args, g_strdup_printf ("--client-secret=%s", idp_client_secret));
  idp_client_secret = NULL;

  g_ptr_array_add (args, g_strdup ("--cert"));
  g_ptr_array_add (args, g_strdup (fixture->cert));
  g_ptr_array_add (args, g_strdup ("--key"));
  g_ptr_array_add (args, g_strdup (fixture->key));
  g_ptr_array_add (args, g_strdup ("--client-id=" CLIENT_ID));
  g_ptr_array_add (args, g_strdup ("--email=" ACCOUNT));
  g_ptr_array_add (args, g_strdup ("--refresh-token=" REFRESH_TOKEN));
  va_start (tokens, first_token);
  for (const char *token = first_token; token != NULL; token = va_arg (tokens, const char *))
    g_ptr_array_add (args, g_strdup_printf ("--access-token=%s", token));
  va_end (tokens);

  server_start (&fixture->idp, "idp-server.py", "https", args);
}

/* Graph, taking @token and the ones after it, each for
 * graph_token_lifetime seconds after its first use if that is set. */
static guint graph_token_lifetime;
/* What /me says is the mailbox's address; ACCOUNT when not set. */
static const char *graph_mail;

static void
graph_start (Fixture    *fixture,
             const char *token,
             ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  va_list tokens;

  g_ptr_array_add (args, g_strdup ("--cert"));
  g_ptr_array_add (args, g_strdup (fixture->cert));
  g_ptr_array_add (args, g_strdup ("--key"));
  g_ptr_array_add (args, g_strdup (fixture->key));
  va_start (tokens, token);
  for (const char *t = token; t != NULL; t = va_arg (tokens, const char *))
    g_ptr_array_add (args, g_strdup_printf ("--token=%s", t));
  va_end (tokens);
  if (graph_token_lifetime > 0)
    g_ptr_array_add (args, g_strdup_printf ("--token-lifetime=%u", graph_token_lifetime));
  graph_token_lifetime = 0;
  g_ptr_array_add (args, g_strdup_printf ("--mail=%s", graph_mail != NULL ? graph_mail : ACCOUNT));
  graph_mail = NULL;
  server_start (&fixture->graph, "graph-server.py", "https", args);
}

static void
smtp_start (Fixture    *fixture,
            const char *token)
{
  rs_test_server_start (&fixture->smtp, "--cert", fixture->cert, "--key", fixture->key,
                        "--require-starttls", "--user", ACCOUNT, "--xoauth2-token", token,
                        NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *folder = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  folder = g_build_filename (fixture->dir, "Reports", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  rs_test_make_certificate (fixture->dir, &fixture->cert, &fixture->key);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  file = g_file_new_for_path (csv);
  imported = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->added, ==, 6);

  made = rs_report_job_run (fixture->store, folder, NULL, 0, FALSE, 2, NULL, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, ==, 6);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  server_stop (&fixture->idp);
  server_stop (&fixture->graph);
  rs_test_server_stop (&fixture->smtp);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->cert);
  g_free (fixture->key);
}

/* The first column of the first row, as text; NULL for none or NULL. */
static char *
query (Fixture    *fixture,
       const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

#define assert_query(fixture, expected, sql) \
  G_STMT_START { \
    g_autofree char *_value = query (fixture, sql); \
    g_assert_cmpstr (_value, ==, expected); \
  } G_STMT_END

typedef struct
{
  int status;
  char *out;
  char *err;
  /* every process's command line seen while it ran */
  GHashTable *command_lines;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_pointer (&run->command_lines, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs `resiliencescan --database=… send --auth=oauth2 --provider=microsoft
 * --client-id=… --authority=… --cafile=…` with @first_arg… after it and the
 * refresh token in the environment, and reads the command line of every
 * process on the machine while it runs. */
static gboolean from_keyring;
/* When set: the saved settings are this keyfile, and --provider and
 * --client-id are left to them. */
static const char *saved_settings;

static void
run_send (Fixture    *fixture,
          Run        *run,
          const char *first_arg,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, g_strdup (g_getenv ("RESILIENCESCAN")));
  g_ptr_array_add (argv, g_strdup_printf ("--database=%s", fixture->db));
  g_ptr_array_add (argv, g_strdup ("send"));
  g_ptr_array_add (argv, g_strdup ("--auth=oauth2"));
  if (saved_settings == NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--provider=microsoft"));
      g_ptr_array_add (argv, g_strdup ("--client-id=" CLIENT_ID));
    }
  g_ptr_array_add (argv, g_strdup_printf ("--authority=%s", fixture->idp.url));
  g_ptr_array_add (argv, g_strdup_printf ("--cafile=%s", fixture->cert));
  g_ptr_array_add (argv, g_strdup ("--rate=0"));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  run->command_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (saved_settings != NULL)
    {
      g_autofree char *config = g_build_filename (fixture->dir, "config", NULL);
      g_autofree char *folder = g_build_filename (config, "glib-2.0", "settings", NULL);
      g_autofree char *keyfile = g_build_filename (folder, "keyfile", NULL);

      g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
      g_assert_true (g_file_set_contents (keyfile, saved_settings, -1, NULL));
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
      g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
    }
  if (from_keyring)
    g_subprocess_launcher_unsetenv (launcher, "RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  else
    g_subprocess_launcher_setenv (launcher, "RESILIENCESCAN_OAUTH_REFRESH_TOKEN",
                                  REFRESH_TOKEN, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, done_cb, &done);

  while (done == NULL)
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      const char *name;

      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
        {
          g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
          char *text = NULL;
          gsize len = 0;

          if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &text, &len, NULL))
            continue;
          for (gsize i = 0; i + 1 < len; i++)
            if (text[i] == '\0')
              text[i] = ' ';
          g_hash_table_add (run->command_lines, text);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }

  g_subprocess_communicate_utf8_finish (process, done, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process)
                ? g_subprocess_get_exit_status (process) : 128;
}

/* The servers stand in for the provider's, which know the tokens. */
static gboolean
is_test_server (const char *command_line)
{
  return strstr (command_line, "idp-server.py") != NULL
         || strstr (command_line, "graph-server.py") != NULL
         || strstr (command_line, "smtp-server.py") != NULL;
}

static gboolean
is_send (gpointer key,
         gpointer value,
         gpointer user_data)
{
  return strstr (key, " send --auth=oauth2 ") != NULL;
}

/* Neither the refresh token given nor any token the provider handed out is
 * in the output, the database, the settings or a process's command line. */
static void
assert_tokens_nowhere (Fixture *fixture,
                       Run     *run)
{
  g_autofree char *path = g_build_filename (fixture->idp.dir, "tokens.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autoptr(GStrvBuilder) all = g_strv_builder_new ();

  g_strv_builder_add (all, REFRESH_TOKEN);
  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          g_strv_builder_add (all, lines[i]);
    }
  tokens = g_strv_builder_end (all);

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      GHashTableIter iter;
      const char *line;

      g_assert_null (strstr (run->out, tokens[i]));
      g_assert_null (strstr (run->err, tokens[i]));
      g_assert_false (rs_test_tree_contains (fixture->dir, tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_config_dir (), tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_data_dir (), tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_state_dir (), tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_cache_dir (), tokens[i]));
      g_hash_table_iter_init (&iter, run->command_lines);
      while (g_hash_table_iter_next (&iter, (gpointer *) &line, NULL))
        if (!is_test_server (line))
          g_assert_null (strstr (line, tokens[i]));
    }
  /* The search finds what is there, the send's own command line too. */
  g_assert_true (rs_test_tree_contains (fixture->dir, "Lena"));
  g_assert_true (g_hash_table_find (run->command_lines, is_send, NULL) != NULL);
}

static guint
count_lines (const char *text,
             const char *containing)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && strstr (lines[i], containing) != NULL)
      n++;

  return n;
}

static void
assert_everyone_sent (Fixture *fixture,
                      Run     *run)
{
  g_assert_cmpstr (run->err, ==, "");
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpuint (count_lines (run->out, ": sent"), ==, N_VALID);
  g_assert_nonnull (strstr (run->out, "[3/5] 3 Lena Öberg <lena@example.net>: sent\n"));
  assert_query (fixture, "5", "SELECT count(*) FROM delivery WHERE status = 'sent'"
                " AND mode = 'live' AND attempts = 1 AND error IS NULL"
                " AND message_id IS NOT NULL");
  assert_query (fixture, "pending", "SELECT status FROM delivery WHERE respondent_id = 4");
  assert_query (fixture, "pending>sending,sending>sent,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 3 AND by = 'send'"
                " AND mode = 'live' ORDER BY id)");
}

/* Microsoft Graph, the From address the signed-in account's. */
static void
test_graph_live (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_start (fixture, ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  run_send (fixture, &run, "--live", "--transport=graph", graph_url, NULL);
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\": \"message\""),
                    ==, N_VALID);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", SEND_MAIL_401), ==, 0);
  /* One access token for the whole round, for the Graph route. */
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"event\": \"token\""),
                    ==, 1);
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "Mail.Send"), ==, 1);

  path = g_build_filename (fixture->graph.dir, "3.json", NULL);
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "lena@example.net"));
  g_assert_nonnull (strstr (json, ACCOUNT));
  g_assert_nonnull (strstr (json, "\"saveToSentItems\":true"));

  assert_tokens_nowhere (fixture, &run);
}

/* The sign-in names the account by its UPN, and its mailbox has another
 * address: without a From address of one's own, Graph sends as the
 * mailbox's address (what /me says), not as the UPN. */
static void
test_graph_mailbox (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_mail = "survey.team@example.org";
  graph_start (fixture, ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  run_send (fixture, &run, "--live", "--transport=graph", graph_url, NULL);
  assert_everyone_sent (fixture, &run);

  path = g_build_filename (fixture->graph.dir, "1.json", NULL);
  g_assert_true (g_file_get_contents (path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "survey.team@example.org"));
  g_assert_null (strstr (json, ACCOUNT));
}

/* SMTP with XOAUTH2 over STARTTLS, trusted through --cafile, with a copy to
 * the sender. */
static void
test_smtp_live (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *smtp_url = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  smtp_start (fixture, ACCESS_TOKEN);
  smtp_url = g_strdup_printf ("--smtp-url=%s", fixture->smtp.url);

  run_send (fixture, &run, "--live", "--transport=smtp", smtp_url, "--keep-copy", NULL);
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"event\": \"message\""), ==,
                    N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"mechanism\": \"XOAUTH2\", "
                                          "\"success\": true"), >=, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"success\": false"), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"verb\": \"STARTTLS\""), >=, 1);
  /* From the signed-in account, with a copy to it in the envelope. */
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"from\": \"" ACCOUNT "\""), ==,
                    N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp,
                                          "\"to\": [\"lena@example.net\", \"" ACCOUNT "\"]"),
                    ==, 1);
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "SMTP.Send"), ==, 1);

  assert_tokens_nowhere (fixture, &run);
}

/* Google: over SMTP without being told, the client secret sent, From the
 * signed-in account. */
static void
test_google (Fixture       *fixture,
             gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *smtp_url = NULL;
  g_autofree char *token_url = NULL;

  idp_client_secret = "GOCSPX-desktop-secret";
  idp_start (fixture, ACCESS_TOKEN, NULL);
  smtp_start (fixture, ACCESS_TOKEN);
  smtp_url = g_strdup_printf ("--smtp-url=%s", fixture->smtp.url);
  token_url = g_strdup_printf ("--token-url=%s/token", fixture->idp.url);

  run_send (fixture, &run, "--live", "--provider=google", "--client-secret=GOCSPX-desktop-secret",
            token_url, smtp_url, NULL);
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"result\": \"ok\""), ==, 1);
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"refused\""), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"event\": \"message\""), ==,
                    N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"from\": \"" ACCOUNT "\""), ==,
                    N_VALID);

  assert_tokens_nowhere (fixture, &run);
}

/* What Preferences saved: the provider, the client ID, the transport and
 * Keep a copy; the settings file holds no token afterwards. */
static void
test_saved_settings (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *smtp_url = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  smtp_start (fixture, ACCESS_TOKEN);
  smtp_url = g_strdup_printf ("--smtp-url=%s", fixture->smtp.url);

  saved_settings = "[org/resiliencescan/ResilienceScan]\n"
                   "auth-kind='microsoft'\n"
                   "oauth-client-id='" CLIENT_ID "'\n"
                   "mail-transport='smtp'\n"
                   "keep-copy=true\n";
  run_send (fixture, &run, "--live", smtp_url, NULL);
  saved_settings = NULL;
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "SMTP.Send"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->smtp,
                                          "\"to\": [\"lena@example.net\", \"" ACCOUNT "\"]"),
                    ==, 1);
  g_assert_true (rs_test_tree_contains (fixture->dir, "keep-copy=true"));

  assert_tokens_nowhere (fixture, &run);
}

/* The first access token is refused by the server: one new one, and the same
 * message again; no one fails. */
static void
test_expired (Fixture       *fixture,
              gconstpointer  data)
{
  gboolean smtp = GPOINTER_TO_INT (data);
  g_auto(Run) run = { 0 };
  g_autofree char *server_url = NULL;

  idp_start (fixture, ACCESS_TOKEN, NEW_ACCESS_TOKEN, NULL);
  if (smtp)
    {
      smtp_start (fixture, NEW_ACCESS_TOKEN);
      server_url = g_strdup_printf ("--smtp-url=%s", fixture->smtp.url);
    }
  else
    {
      graph_start (fixture, NEW_ACCESS_TOKEN, NULL);
      server_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);
    }

  run_send (fixture, &run, "--live", smtp ? "--transport=smtp" : "--transport=graph",
            server_url, NULL);
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"result\": \"ok\""), ==, 2);
  if (smtp)
    {
      g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"success\": false"), ==, 1);
      g_assert_cmpuint (rs_test_server_count (&fixture->smtp, "\"event\": \"message\""), ==,
                        N_VALID);
    }
  else
    {
      g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", SEND_MAIL_401),
                        ==, 1);
      g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl",
                                       "\"event\": \"message\""), ==, N_VALID);
    }
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE to_status = 'failed'");

  assert_tokens_nowhere (fixture, &run);
}

/* Access tokens that live five seconds, in a round that takes longer: each
 * is renewed shortly before it expires, so the server never refuses one and
 * no message waits for a refusal. */
static void
test_renewed_ahead (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;

  idp_expires_in = 5;
  idp_start (fixture, ACCESS_TOKEN, NEW_ACCESS_TOKEN, THIRD_ACCESS_TOKEN, NULL);
  graph_token_lifetime = 5;
  graph_start (fixture, ACCESS_TOKEN, NEW_ACCESS_TOKEN, THIRD_ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  /* Five messages 1.5 s apart: six seconds, more than a token's life. */
  run_send (fixture, &run, "--live", graph_url, "--rate=40", NULL);
  assert_everyone_sent (fixture, &run);

  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", SEND_MAIL_401), ==, 0);
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"result\": \"ok\""), >=, 2);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\": \"message\""),
                    ==, N_VALID);

  assert_tokens_nowhere (fixture, &run);
}

/* The send job of the window and the command line, with the real sign-in:
 * the provider cannot answer for a moment when the token is to be renewed
 * before it expires (a 503, or an HTML page with 500). Nothing is claimed
 * meanwhile; the queue waits and goes on, and everyone is sent, once. */
static void
test_unavailable (Fixture       *fixture,
                  gconstpointer  data)
{
  gboolean html = GPOINTER_TO_INT (data);
  const char * const faults_json[] = { "--unavailable-after=1", "--unavailable-times=2", NULL };
  const char * const faults_html[] = { "--unavailable-after=1", "--unavailable-times=2",
                                       "--unavailable-html", NULL };
  g_autoptr(RsOAuthProvider) provider = rs_oauth_provider_new (RS_OAUTH_PROVIDER_MICROSOFT);
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  RsSendOptions options = { 0 };

  idp_expires_in = 1;
  idp_faults = html ? faults_html : faults_json;
  idp_start (fixture, ACCESS_TOKEN, NEW_ACCESS_TOKEN, THIRD_ACCESS_TOKEN, NULL);
  graph_start (fixture, ACCESS_TOKEN, NEW_ACCESS_TOKEN, THIRD_ACCESS_TOKEN, NULL);

  rs_oauth_provider_set_client_id (provider, CLIENT_ID);
  rs_oauth_provider_set_authority (provider, fixture->idp.url);
  rs_oauth_provider_set_route (provider, RS_OAUTH_ROUTE_GRAPH);
  rs_oauth_provider_set_ca_file (provider, fixture->cert);
  g_setenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN", REFRESH_TOKEN, TRUE);
  oauth = rs_oauth_new (provider);
  token = rs_oauth_get_access_token (oauth, NULL, &error);
  g_assert_no_error (error);

  options.mode = RS_SEND_MODE_LIVE;
  options.transport = RS_SEND_TRANSPORT_GRAPH;
  options.graph.url = fixture->graph.url;
  options.graph.access_token = token;
  options.graph.ca_file = fixture->cert;
  options.from_address = ACCOUNT;
  /* Five messages 0.5 s apart: longer than a token's life. */
  options.rate_per_minute = 120;
  options.backoff_ms = 300;
  options.refresh_token = rs_oauth_renew_access_token_cb;
  options.current_token = rs_oauth_get_access_token_cb;
  options.refresh_data = oauth;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_unsetenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (summary->waits, >=, 2);
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"result\": \"unavailable\""),
                    ==, 2);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\": \"message\""),
                    ==, N_VALID);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status IN ('sending', "
                "'unknown', 'failed')");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE to_status = 'sending'"
                " AND respondent_id NOT IN (SELECT respondent_id FROM delivery"
                " WHERE status = 'sent')");
}

/* A sign-in address with http://, even to this computer: refused before
 * any connection, so the refresh token never goes out in clear. */
static void
test_plain_http (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *token_url = NULL;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  authority = g_strdup_printf ("--authority=http://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  token_url = g_strdup_printf ("--token-url=http://127.0.0.1:%u/token",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  run_send (fixture, &run, "--live", authority, NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "https://"));
  g_clear_pointer (&run.out, g_free);
  g_clear_pointer (&run.err, g_free);
  g_clear_pointer (&run.command_lines, g_hash_table_unref);

  run_send (fixture, &run, "--live", token_url, NULL);
  g_assert_cmpint (run.status, !=, 0);
  g_assert_nonnull (strstr (run.err, "https://"));

  /* No one knocked. */
  g_assert_cmpint (g_socket_condition_check (listener, G_IO_IN), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0");
}

/* The provider no longer takes the refresh token: "Sign in again", exit
 * status 1, nothing sent and no one touched. */
static void
test_revoked (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;
  g_autofree char *revoked = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_start (fixture, ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);
  revoked = g_build_filename (fixture->idp.dir, "revoked", NULL);
  g_assert_true (g_file_set_contents (revoked, "", 0, NULL));

  run_send (fixture, &run, "--live", graph_url, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpuint (count_lines (run.err, ""), ==, 1);
  g_assert_true (g_str_has_prefix (run.err, "resiliencescan: send: "));
  g_assert_nonnull (strstr (run.err, "Sign in again"));

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "invalid_grant"), ==, 1);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\""), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE by = 'send'");

  assert_tokens_nowhere (fixture, &run);
}

/* The provider stops taking the sign-in during the round: the message in
 * hand goes back to pending, "Sign in again", exit status 1; no one failed. */
static void
test_revoked_during (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;

  refresh_limit = 1;
  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_start (fixture, NEW_ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  run_send (fixture, &run, "--live", graph_url, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (count_lines (run.err, ""), ==, 1);
  g_assert_nonnull (strstr (run.err, "Sign in again"));
  g_assert_nonnull (strstr (run.err, "Ivo Bos"));

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "invalid_grant"), ==, 1);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", SEND_MAIL_401), ==, 1);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\": \"message\""),
                    ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE to_status = 'failed'");

  assert_tokens_nowhere (fixture, &run);
}

/* The sign-in `signin` kept in the keyring: used, and the new refresh
 * token the provider gives in its place is kept there instead. */
static void
test_keyring (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;
  g_autofree char *account = NULL;
  g_autoptr(RsSecretPassword) kept = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_secret_store_refresh_token ("microsoft", ACCOUNT, REFRESH_TOKEN, NULL,
                                                &error));
  g_assert_no_error (error);
  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_start (fixture, ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  from_keyring = TRUE;
  run_send (fixture, &run, "--live", graph_url, NULL);
  from_keyring = FALSE;
  assert_everyone_sent (fixture, &run);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl", "\"event\": \"message\""),
                    ==, N_VALID);

  kept = rs_secret_lookup_refresh_token ("microsoft", NULL, &account, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_cmpstr (account, ==, ACCOUNT);
  g_assert_cmpstr (kept, !=, REFRESH_TOKEN);
  g_assert_true (g_str_has_prefix (kept, "rt-"));
  g_assert_cmpuint (count_in_file (fixture->idp.dir, "tokens.txt", kept), ==, 1);

  assert_tokens_nowhere (fixture, &run);
  g_assert_true (rs_secret_forget_refresh_token ("microsoft", NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A test round through Graph: everything to the test address, no status
 * changes. Graph is the default transport for Microsoft 365. */
static void
test_test_round (Fixture       *fixture,
                 gconstpointer  data)
{
  g_auto(Run) run = { 0 };
  g_autofree char *graph_url = NULL;

  idp_start (fixture, ACCESS_TOKEN, NULL);
  graph_start (fixture, ACCESS_TOKEN, NULL);
  graph_url = g_strdup_printf ("--graph-url=%s", fixture->graph.url);

  run_send (fixture, &run, "--test-address=" TEST_ADDRESS, graph_url, NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_lines (run.out, ": test message sent to " TEST_ADDRESS), ==, N_VALID);
  g_assert_cmpuint (count_in_file (fixture->graph.dir, "log.jsonl",
                                   "\"to\": [\"" TEST_ADDRESS "\"]"), ==, N_VALID);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");

  assert_tokens_nowhere (fixture, &run);
}

/* Mistakes on the command line: exit status 2, before any server is asked. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  const char *cases[][3] = {
    { "--transport=carrier-pigeon", NULL, "carrier-pigeon" },
    { "--auth=kerberos", NULL, "kerberos" },
    { "--provider=google", "--transport=graph", "Google" },
    { "--provider=yahoo", NULL, "yahoo" },
    { "--smtp-user=" ACCOUNT, NULL, "--smtp-user" },
  };

  idp_start (fixture, ACCESS_TOKEN, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_send (fixture, &run, "--live", cases[i][0], cases[i][1], NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpuint (count_lines (run.err, ""), ==, 1);
      g_assert_nonnull (strstr (run.err, cases[i][2]));
    }

  {
    g_auto(RsCliResult) run = { 0 };
    g_autofree char *database = g_strdup_printf ("--database=%s", fixture->db);

    /* Without --auth=oauth2, the provider's options have no use. */
    rs_test_run_cli (&run, database, "send", "--live", "--provider=microsoft",
                     "--client-id=" CLIENT_ID, NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--auth=oauth2"));

    g_clear_pointer (&run.out, g_free);
    g_clear_pointer (&run.err, g_free);
    rs_test_run_cli (&run, database, "send", "--live", "--auth=oauth2",
                     "--provider=microsoft", NULL);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--client-id"));
  }

  g_assert_cmpuint (count_in_file (fixture->idp.dir, "log.jsonl", "\"event\""), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/send-oauth/graph-live", test_graph_live, NULL);
  ADD ("/send-oauth/graph-mailbox", test_graph_mailbox, NULL);
  ADD ("/send-oauth/smtp-live", test_smtp_live, NULL);
  ADD ("/send-oauth/google", test_google, NULL);
  ADD ("/send-oauth/saved-settings", test_saved_settings, NULL);
  ADD ("/send-oauth/expired/graph", test_expired, GINT_TO_POINTER (FALSE));
  ADD ("/send-oauth/expired/smtp", test_expired, GINT_TO_POINTER (TRUE));
  ADD ("/send-oauth/renewed-ahead", test_renewed_ahead, NULL);
  ADD ("/send-oauth/unavailable/json", test_unavailable, GINT_TO_POINTER (FALSE));
  ADD ("/send-oauth/unavailable/html", test_unavailable, GINT_TO_POINTER (TRUE));
  ADD ("/send-oauth/plain-http", test_plain_http, NULL);
  ADD ("/send-oauth/revoked", test_revoked, NULL);
  ADD ("/send-oauth/revoked-during", test_revoked_during, NULL);
  ADD ("/send-oauth/keyring", test_keyring, NULL);
  ADD ("/send-oauth/test-round", test_test_round, NULL);
  ADD ("/send-oauth/refused", test_refused, NULL);
#undef ADD

  return g_test_run ();
}
