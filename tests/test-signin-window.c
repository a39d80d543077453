/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-signin-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "rs-preferences-window.h"
#include "rs-test-gtk.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* Preferences → E-mail signs in with Microsoft 365 in the browser, against
 * tests/idp-server.py over HTTPS with a certificate made here, a stand-in
 * browser in $BROWSER that follows the redirect to the loopback address,
 * and tests/graph-server.py for Test. The refresh token is kept in a real
 * keyring (tests/with-keyring.sh). */

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define ACCOUNT "signin@example.com"
#define ACCESS_TOKEN "at-window-7c1e-never-shown"

typedef struct
{
  char *dir;
  GSubprocess *process;
  char *url;
} Server;

typedef struct
{
  GtkWidget *root;
  const char *text;
} Find;

static void
server_start (Server     *server,
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
server_stop (Server *server)
{
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  rs_test_remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->url, g_free);
}

static gboolean
label_shown (gpointer data)
{
  Find *find = data;

  return rs_test_find_label (find->root, find->text) != NULL;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static GtkWidget *
find_entry_row (GtkWidget  *root,
                const char *title)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (ADW_IS_ENTRY_ROW (w)
        && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), title) == 0)
      return w;

  g_assert_not_reached ();
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)),
                                        action) == 0)
      return w;

  return NULL;
}

static void
click (GtkWidget  *root,
       const char *action)
{
  GtkWidget *button = find_button (root, action);

  g_assert_nonnull (button);
  g_assert_true (rs_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, button,
                                     5000));
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
  rs_test_wait_until (never, NULL, 400);
}

/* A browser that waits a moment (the window says it is waiting), then
 * consents at once: it follows the redirect to the loopback address. */
static char *
make_browser (const char *dir,
              const char *cert,
              const char *delay)
{
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "browser.sh", NULL);

  script = g_strdup_printf ("#!/bin/sh\n"
                            "echo \"$1\" >> '%s/browser.log'\n"
                            "sleep %s\n"
                            "exec curl --silent --show-error --location --max-redirs 2 "
                            "--cacert '%s' -o '%s/page.html' \"$1\"\n",
                            dir, delay, cert, dir);
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);

  return path;
}

static GtkWindow *
open_email_page (void)
{
  GtkWindow *window = GTK_WINDOW (rs_preferences_window_new (NULL));
  GtkWidget *root = GTK_WIDGET (window);

  gtk_window_present (window);
  rs_test_iterate ();
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (ADW_IS_PREFERENCES_PAGE (w)
        && g_strcmp0 (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (w)), "E-mail") == 0)
      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window),
                                               ADW_PREFERENCES_PAGE (w));
  rs_test_iterate ();

  return window;
}

/* Sign In waits for the browser, then says who is signed in; the password
 * rows are gone; Test reads Graph's /me and sends nothing; Sign Out
 * forgets the account. */
static void
test_signin_browser (void)
{
  static const char *keys[] = { "auth-kind", "oauth-client-id", "oauth-authority",
                                "graph-url", "smtp-ca-file", "oauth-account" };
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *browser = NULL;
  g_autofree char *account = NULL;
  g_autofree char *page = NULL;
  g_autofree char *page_path = NULL;
  g_autofree char *graph_path = NULL;
  g_autofree char *graph_log = NULL;
  Server idp = { 0 };
  Server graph = { 0 };
  GtkWindow *window;
  Find find = { 0 };

  if (g_getenv ("RS_TEST_PRIVATE_BUS") == NULL)
    {
      g_test_skip ("needs the keyring of tests/with-keyring.sh");
      return;
    }

  dir = rs_test_make_tmpdir ();
  rs_test_make_certificate (dir, &cert, &key);
  server_start (&idp, "idp-server.py", "--cert", cert, "--key", key,
                "--client-id=" CLIENT_ID, "--email=" ACCOUNT,
                "--access-token=" ACCESS_TOKEN, NULL);
  server_start (&graph, "graph-server.py", "--cert", cert, "--key", key,
                "--token=" ACCESS_TOKEN, "--mail=" ACCOUNT, NULL);
  browser = make_browser (dir, cert, "1");
  g_setenv ("BROWSER", browser, TRUE);

  g_settings_set_string (settings, "auth-kind", "microsoft");
  g_settings_set_string (settings, "oauth-client-id", CLIENT_ID);
  g_settings_set_string (settings, "oauth-authority", idp.url);
  g_settings_set_string (settings, "graph-url", graph.url);
  g_settings_set_string (settings, "smtp-ca-file", cert);

  window = open_email_page ();
  find.root = GTK_WIDGET (window);

  find.text = "Not signed in";
  g_assert_true (rs_test_wait_until (label_shown, &find, 5000));
  for (GtkWidget *w = find.root; w != NULL; w = rs_test_next_widget (w, find.root))
    if (ADW_IS_PASSWORD_ENTRY_ROW (w))
      g_assert_false (gtk_widget_get_visible (w));
  g_assert_false (gtk_widget_is_sensitive (find_button (find.root, "preferences.sign-out")));
  g_assert_false (gtk_widget_get_visible (find_button (find.root, "preferences.sign-out")));
  /* Through Graph there is no mail server to fill in. */
  g_assert_false (gtk_widget_get_visible (find_entry_row (find.root,
                                                          "Server (smtp://host:port)")));

  click (find.root, "preferences.sign-in");
  find.text = "Waiting for sign-in in your browser…";
  g_assert_nonnull (rs_test_find_label (find.root, find.text));
  g_assert_true (gtk_widget_get_mapped (find_button (find.root,
                                                     "preferences.cancel-sign-in")));

  find.text = "Signed in as " ACCOUNT;
  g_assert_true (rs_test_wait_until (label_shown, &find, 30000));
  account = g_settings_get_string (settings, "oauth-account");
  g_assert_cmpstr (account, ==, ACCOUNT);
  page_path = g_build_filename (dir, "page.html", NULL);
  g_assert_true (g_file_get_contents (page_path, &page, NULL, NULL));
  /* Signed in: Sign Out, no Sign In. */
  g_assert_false (gtk_widget_get_visible (find_button (find.root, "preferences.sign-in")));
  g_assert_true (gtk_widget_get_mapped (find_button (find.root, "preferences.sign-out")));

  /* Google, then Microsoft 365 again: the account kept in the keyring for
   * Microsoft is shown again, without signing in again. */
  g_settings_set_string (settings, "auth-kind", "google");
  find.text = "Not signed in";
  g_assert_true (rs_test_wait_until (label_shown, &find, 5000));
  g_assert_true (gtk_widget_get_visible (find_entry_row (find.root,
                                                         "Server (smtp://host:port)")));
  g_settings_set_string (settings, "auth-kind", "microsoft");
  find.text = "Signed in as " ACCOUNT;
  g_assert_true (rs_test_wait_until (label_shown, &find, 10000));

  /* Test: a token and /me, nothing sent. */
  click (find.root, "preferences.test-connection");
  find.text = "Microsoft Graph answers for " ACCOUNT "; nothing was sent.";
  g_assert_true (rs_test_wait_until (label_shown, &find, 30000));
  graph_path = g_build_filename (graph.dir, "log.jsonl", NULL);
  g_file_get_contents (graph_path, &graph_log, NULL, NULL);
  g_assert_null (graph_log != NULL ? strstr (graph_log, "sendMail") : NULL);

  click (find.root, "preferences.sign-out");
  find.text = "Not signed in";
  g_assert_true (rs_test_wait_until (label_shown, &find, 10000));
  g_clear_pointer (&account, g_free);
  account = g_settings_get_string (settings, "oauth-account");
  g_assert_cmpstr (account, ==, "");

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_unsetenv ("BROWSER");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  server_stop (&graph);
  server_stop (&idp);
  rs_test_remove_tree (dir);
}

/* Cancel while the browser has not come back: not signed in, and Sign In
 * is offered again. */
static void
test_signin_cancel (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWindow *window;
  Find find = { 0 };

  /* A browser that never comes back. */
  g_setenv ("BROWSER", "true", TRUE);
  g_settings_set_string (settings, "auth-kind", "google");
  g_settings_set_string (settings, "oauth-client-id", CLIENT_ID);

  window = open_email_page ();
  find.root = GTK_WIDGET (window);
  click (find.root, "preferences.sign-in");
  find.text = "Waiting for sign-in in your browser…";
  g_assert_true (rs_test_wait_until (label_shown, &find, 5000));

  click (find.root, "preferences.cancel-sign-in");
  find.text = "Not signed in";
  g_assert_true (rs_test_wait_until (label_shown, &find, 5000));
  g_assert_true (rs_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped,
                                     find_button (find.root, "preferences.sign-in"), 5000));

  /* An address the sign-in must not use: the whole reason in the row (a
   * toast would cut it), and no browser opened. */
  g_settings_set_string (settings, "oauth-authority", "http://127.0.0.1:9");
  g_settings_set_string (settings, "auth-kind", "microsoft");
  click (find.root, "preferences.sign-in");
  find.text = "Not signed in: The sign-in address of Microsoft 365 is not a valid https:// "
              "address: “http://127.0.0.1:9/organizations/oauth2/v2.0/authorize”.";
  g_assert_true (rs_test_wait_until (label_shown, &find, 5000));

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_unsetenv ("BROWSER");
  g_settings_reset (settings, "auth-kind");
  g_settings_reset (settings, "oauth-client-id");
  g_settings_reset (settings, "oauth-authority");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_gtk_init (&argc, &argv);

  g_test_add_func ("/signin-window/browser", test_signin_browser);
  g_test_add_func ("/signin-window/cancel", test_signin_cancel);

  return g_test_run ();
}
