/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-send-window"

#include "config.h"

#include "core/rs-import.h"
#include "core/rs-tracker.h"
#include "rs-application.h"
#include "rs-preferences-window.h"
#include "rs-test-gtk.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The send's confirmation in a real window: those whose address has a
 * report of this round already are listed, each with a check that allows
 * a second report, and what was allowed is kept with the respondent. */

typedef struct
{
  char *dir;
  char *db;
  RsWindow *window;
  RsRespondentView *view;
} Fixture;

static RsApplication *app;

/* Ivo works for two companies under one address: two respondents. */
static const char master_csv[] =
  "name,function,company_name,email_address,version,up__r,up__c,up__f,up__v,up__a,in__r\n"
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo.bos@example.com,Version 1.0 (eng),4,4,3,2,5,3\n"
  "Ivo Bos,Advisor,Bos Advies,ivo.bos@example.com,Version 1.0 (eng),3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord & Fell AS,lena.oberg@example.net,Version 1.0 (eng),2,2,2,2,2,2\n";

static char *
query_text (RsStore    *store,
            const char *sql)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return text;
}

static gboolean
view_loaded (gpointer data)
{
  Fixture *fixture = data;

  return rs_respondent_view_get_loaded (fixture->view) &&
         rs_respondent_view_get_n_respondents (fixture->view) == 3;
}

static gboolean
window_idle (gpointer data)
{
  Fixture *fixture = data;

  return !rs_window_get_busy (fixture->window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));

  store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 3);
  g_clear_object (&store);

  fixture->window = rs_window_new (app, fixture->db);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  fixture->view = rs_window_get_respondent_view (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (view_loaded, fixture, 10000));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *keys[] = {
    "reports-folder", "smtp-url", "smtp-security", "from-address", "test-address",
    "rate-limit",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);

  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
}

static GtkWindow *
wait_for_dialog (void)
{
  GtkWindow *dialog = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  return dialog;
}

static GtkCheckButton *
find_check (GtkWidget  *root,
            const char *prefix)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_CHECK_BUTTON (w) &&
        g_str_has_prefix (gtk_check_button_get_label (GTK_CHECK_BUTTON (w)), prefix))
      return GTK_CHECK_BUTTON (w);

  return NULL;
}

static void
set_up_sending (Fixture    *fixture,
                const char *url)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);

  g_settings_set_string (settings, "reports-folder", folder);
  g_settings_set_string (settings, "smtp-url", url);
  g_settings_set_string (settings, "smtp-security", "none");
  g_settings_set_string (settings, "from-address", "scan@example.com");
  g_settings_set_string (settings, "test-address", "me@example.org");
  g_settings_set_uint (settings, "rate-limit", 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.generate-reports", NULL));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 60000));
}

/* The first Ivo was sent: the second gets no report unless the check in
 * the confirmation is set, and then keeps that choice. */
static void
test_second_report (Fixture       *fixture,
                    gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *allowed = NULL;
  const gint64 first[] = { 1 };
  RsTestServer server = { 0 };
  GtkCheckButton *check;
  GtkWindow *dialog;

  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);
  marked = rs_tracker_mark (store, first, 1, RS_STATUS_SENT, "by hand", &error);
  g_assert_no_error (error);

  /* Not checked: Cancel changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send the Report to 1 Respondent?");
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (dialog),
                                        "Their Address Has a Report Already"));
  check = find_check (GTK_WIDGET (dialog),
                      "Send Ivo Bos <ivo.bos@example.com> a second report (Ivo Bos, id 1");
  g_assert_nonnull (check);
  g_assert_false (gtk_check_button_get_active (check));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  rs_test_iterate ();

  /* Checked: two are sent, and the choice is kept. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  check = find_check (GTK_WIDGET (dialog), "Send Ivo Bos <ivo.bos@example.com>");
  g_assert_nonnull (check);
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "send"),
                   ==, "_Send to 1 Respondent");
  gtk_check_button_set_active (check, TRUE);
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "send"),
                   ==, "_Send to 2 Respondents");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));

  status = query_text (store, "SELECT group_concat (status, ',') FROM"
                       " (SELECT status FROM delivery ORDER BY respondent_id)");
  g_assert_cmpstr (status, ==, "sent,sent,sent");
  allowed = query_text (store, "SELECT group_concat (allow_second, ',') FROM"
                        " (SELECT allow_second FROM delivery ORDER BY respondent_id)");
  g_assert_cmpstr (allowed, ==, "0,1,0");
  g_assert_cmpuint (rs_test_server_count (&server, "\"ivo.bos@example.com\""), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"lena.oberg@example.net\""), ==, 1);

  rs_test_server_stop (&server);
}

/* A template with placeholders nobody knows: no live round is offered,
 * the dialog names them and opens the template; a test message still goes. */
static void
test_unknown_placeholders (Fixture       *fixture,
                           gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *status = NULL;
  RsTestServer server = { 0 };
  GtkWindow *dialog;
  const char *body;

  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);
  g_settings_set_string (settings, "template-body-en", "Dear {naam},\n\nfrom { company }.");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Unknown Placeholders");
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "{naam}, { company }"));
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "template"));
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "send"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "close");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  rs_test_iterate ();

  status = query_text (store, "SELECT group_concat (status, ',') FROM"
                       " (SELECT status FROM delivery ORDER BY respondent_id)");
  g_assert_cmpstr (status, ==, "pending,pending,pending");
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"message\""), ==, 0);

  g_settings_reset (settings, "template-body-en");
  rs_test_server_stop (&server);
}

/* A user name and no password in the keyring: the confirmation asks for
 * it, and offers Send only once one is typed. */
static void
test_password_asked (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  RsTestServer server = { 0 };
  GtkPasswordEntry *entry = NULL;
  GtkWindow *dialog;

  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);
  g_settings_set_string (settings, "smtp-user", "scan@example.com");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL; w = rs_test_next_widget (w, GTK_WIDGET (dialog)))
    if (GTK_IS_PASSWORD_ENTRY (w))
      entry = GTK_PASSWORD_ENTRY (w);
  g_assert_nonnull (entry);
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "typed-here");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  rs_test_iterate ();

  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"connect\""), ==, 0);
  g_settings_reset (settings, "smtp-user");
  rs_test_server_stop (&server);
}

/* Cancel during a slow message: the panel says at once that the round
 * stops after it, and Cancel cannot be pressed twice. */
static void
test_cancel_told (Fixture       *fixture,
                  gconstpointer  data)
{
  RsTestServer server = { 0 };
  GtkWindow *dialog;
  GtkLabel *stopping;
  gint64 deadline;

  rs_test_server_start (&server, "--delay", "1", NULL);
  set_up_sending (fixture, server.url);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));

  /* The first message is on its way. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (rs_test_server_count (&server, "\"event\": \"connect\"") == 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-job",
                                             NULL));
  rs_test_iterate ();
  stopping = rs_test_find_label (GTK_WIDGET (fixture->window),
                                 "Stopping after the message being sent…");
  g_assert_nonnull (stopping);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (stopping)));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));

  rs_test_server_stop (&server);
}

/* Microsoft 365 through Graph: tests/idp-server.py and tests/graph-server.py
 * over HTTPS with a certificate made here; the refresh token as in
 * unattended use, so no keyring is needed. */
#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define ACCOUNT "signin@example.com"
#define REFRESH_TOKEN "rt-window-19ad-never-shown"
#define ACCESS_TOKEN "at-window-a4c2-never-shown"

typedef struct
{
  char *dir;
  GSubprocess *process;
  char *url;
} Server;

static void
https_start (Server     *server,
             const char *script,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list args;

  server->dir = rs_test_make_tmpdir ();
  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) g_test_get_filename (G_TEST_DIST, script, NULL));
  g_ptr_array_add (argv, server->dir);
  va_start (args, script);
  for (const char *arg = va_arg (args, const char *); arg != NULL;
       arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
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
  server->url = g_strdup_printf ("https://127.0.0.1:%s", line + 5);
}

static void
https_stop (Server *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  rs_test_remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->url, g_free);
}

static guint
count_in (const char *dir,
          const char *name,
          const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = strstr (contents, text); p != NULL; p = strstr (p + 1, text))
    n++;

  return n;
}

typedef struct
{
  GtkWidget *root;
  const char *text;
} Find;

/* Some Preferences window shows a label with find->text. */
static gboolean
preferences_says (gpointer data)
{
  Find *find = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (RS_IS_PREFERENCES_WINDOW (window) && rs_test_find_label (window, find->text) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* A test round with Microsoft 365 through Graph: no password asked, From
 * the signed-in account, the message at Graph. A refresh token the
 * provider no longer takes: Sign In Again, with a way to Preferences, and
 * nothing sent. */
static void
test_oauth_graph (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  const char *body;
  Server idp = { 0 };
  Server graph = { 0 };
  GtkWindow *dialog;
  const char *keys[] = {
    "auth-kind", "oauth-client-id", "oauth-authority", "graph-url", "smtp-ca-file",
  };

  rs_test_make_certificate (dir, &cert, &key);
  https_start (&idp, "idp-server.py", "--cert", cert, "--key", key, "--client-id=" CLIENT_ID,
               "--email=" ACCOUNT, "--refresh-token=" REFRESH_TOKEN,
               "--access-token=" ACCESS_TOKEN, NULL);
  https_start (&graph, "graph-server.py", "--cert", cert, "--key", key,
               "--token=" ACCESS_TOKEN, "--mail=" ACCOUNT, NULL);
  set_up_sending (fixture, "");
  g_settings_reset (settings, "from-address");
  g_settings_set_string (settings, "auth-kind", "microsoft");
  g_settings_set_string (settings, "oauth-client-id", CLIENT_ID);
  g_settings_set_string (settings, "oauth-authority", idp.url);
  g_settings_set_string (settings, "graph-url", graph.url);
  g_settings_set_string (settings, "smtp-ca-file", cert);
  g_setenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN", REFRESH_TOKEN, TRUE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "From: " ACCOUNT));
  g_assert_nonnull (strstr (body, "Microsoft Graph"));
  for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (dialog)))
    g_assert_false (GTK_IS_PASSWORD_ENTRY (w));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (count_in (graph.dir, "log.jsonl",
                              "\"path\": \"/v1.0/me/sendMail\", \"status\": 202"), ==, 1);
  g_assert_cmpuint (count_in (graph.dir, "1.json", "me@example.org"), ==, 1);

  /* Revoked: the provider does not know this one. */
  g_setenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN", "rt-revoked-0000-never-shown", TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Sign In Again");
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "sign-in"));
  /* Sign In: Preferences opens on the sign-in, already waiting for the
   * browser (one that never comes back here). */
  g_setenv ("BROWSER", "true", TRUE);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "sign-in");
  {
    Find find = { NULL, "Waiting for sign-in in your browser…" };

    g_assert_true (rs_test_wait_until (preferences_says, &find, 10000));
  }
  g_unsetenv ("BROWSER");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  rs_test_iterate ();

  g_unsetenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  https_stop (&graph);
  https_stop (&idp);
  rs_test_remove_tree (dir);
}

/* Google over SMTP with XOAUTH2 from the window: the server takes only
 * the access token, as the signed-in account; no password asked. */
static void
test_oauth_smtp (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *token_url = NULL;
  RsTestServer smtp = { 0 };
  Server idp = { 0 };
  GtkWindow *dialog;
  const char *keys[] = {
    "auth-kind", "oauth-client-id", "oauth-client-secret", "oauth-token-url", "smtp-ca-file",
  };

  rs_test_make_certificate (dir, &cert, &key);
  https_start (&idp, "idp-server.py", "--cert", cert, "--key", key, "--client-id=" CLIENT_ID,
               "--client-secret=GOCSPX-desktop-secret", "--email=" ACCOUNT,
               "--refresh-token=" REFRESH_TOKEN, "--access-token=" ACCESS_TOKEN, NULL);
  rs_test_server_start (&smtp, "--cert", cert, "--key", key, "--require-starttls",
                        "--user", ACCOUNT, "--xoauth2-token", ACCESS_TOKEN, NULL);
  set_up_sending (fixture, smtp.url);
  g_settings_set_string (settings, "smtp-security", "starttls");
  g_settings_reset (settings, "from-address");
  g_settings_set_string (settings, "auth-kind", "google");
  g_settings_set_string (settings, "oauth-client-id", CLIENT_ID);
  g_settings_set_string (settings, "oauth-client-secret", "GOCSPX-desktop-secret");
  token_url = g_strdup_printf ("%s/token", idp.url);
  g_settings_set_string (settings, "oauth-token-url", token_url);
  g_settings_set_string (settings, "smtp-ca-file", cert);
  g_setenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN", REFRESH_TOKEN, TRUE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "From: " ACCOUNT));
  for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (dialog)))
    g_assert_false (GTK_IS_PASSWORD_ENTRY (w));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (rs_test_server_count (&smtp, "\"event\": \"message\""), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&smtp, "\"from\": \"" ACCOUNT "\""), ==, 1);

  g_unsetenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  rs_test_server_stop (&smtp);
  https_stop (&idp);
  rs_test_remove_tree (dir);
}

static void
run_tests_cb (GApplication *application,
              int          *status)
{
  g_signal_stop_emission_by_name (application, "activate");
  *status = g_test_run ();
}

int
main (int   argc,
      char *argv[])
{
  char *app_argv[] = { argv[0], NULL };
  int status = 1;

  rs_test_gtk_init (&argc, &argv);

  g_test_add ("/send-window/second-report", Fixture, NULL,
              fixture_set_up, test_second_report, fixture_tear_down);
  g_test_add ("/send-window/unknown-placeholders", Fixture, NULL,
              fixture_set_up, test_unknown_placeholders, fixture_tear_down);
  g_test_add ("/send-window/password-asked", Fixture, NULL,
              fixture_set_up, test_password_asked, fixture_tear_down);
  g_test_add ("/send-window/cancel-told", Fixture, NULL,
              fixture_set_up, test_cancel_told, fixture_tear_down);
  g_test_add ("/send-window/oauth-graph", Fixture, NULL,
              fixture_set_up, test_oauth_graph, fixture_tear_down);
  g_test_add ("/send-window/oauth-smtp", Fixture, NULL,
              fixture_set_up, test_oauth_smtp, fixture_tear_down);

  app = rs_application_new ("/nonexistent/unused.db");
  g_signal_connect (app, "activate", G_CALLBACK (run_tests_cb), &status);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);

  return status;
}
