/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include <adwaita.h>

#include "rs-preferences-window.h"
#include "rs-secret.h"
#include "rs-test-gtk.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* Preferences → E-mail in a real window, against the STARTTLS test server
 * with a self-signed certificate made here. There is no keyring on the
 * test's bus. */

typedef struct
{
  GtkWidget *root;
  const char *text;
} Find;

static gboolean
label_shown (gpointer data)
{
  Find *find = data;

  return rs_test_find_label (find->root, find->text) != NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  GtkWindow *dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG);

  return dialog != NULL && gtk_widget_get_visible (GTK_WIDGET (dialog));
}

static gboolean
dialog_hidden (gpointer data)
{
  return !dialog_shown (data);
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

static char *
openssl_fingerprint (const char *cert)
{
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  command = g_strdup_printf ("openssl x509 -in \"%s\" -noout -fingerprint -sha256", cert);
  g_spawn_command_line_sync (command, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strchr (out, '='));

  return g_strstrip (g_strdup (strchr (out, '=') + 1));
}

static gboolean
never (gpointer data)
{
  return FALSE;
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
  /* A button activated from the keyboard is clicked when it is let go. */
  rs_test_wait_until (never, NULL, 400);
}

/* Test shows the certificate no authority vouches for, Trust This
 * Certificate keeps its key, and the next Test connects over it. A CA file
 * does the same without trusting by hand. */
static void
test_preferences_trust (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *connected = NULL;
  RsTestServer server = { 0 };
  GtkWindow *window;
  AdwMessageDialog *dialog;
  GtkWidget *trust = NULL;
  Find find;

  rs_test_make_certificate (dir, &cert, &key);
  fingerprint = openssl_fingerprint (cert);
  rs_test_server_start (&server, "--cert", cert, "--key", key, "--require-starttls", NULL);
  g_settings_set_string (settings, "smtp-url", server.url);
  g_settings_set_string (settings, "smtp-security", "starttls");

  window = GTK_WINDOW (rs_preferences_window_new (NULL));
  gtk_window_present (window);
  rs_test_iterate ();
  find.root = GTK_WIDGET (window);
  /* The E-mail page, as a person would open it. */
  for (GtkWidget *w = find.root; w != NULL; w = rs_test_next_widget (w, find.root))
    if (ADW_IS_PREFERENCES_PAGE (w)
        && g_strcmp0 (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (w)), "E-mail") == 0)
      adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window),
                                               ADW_PREFERENCES_PAGE (w));
  rs_test_iterate ();

  /* No keyring on this bus: said, and nothing to forget. */
  find.text = "The keyring cannot be reached";
  g_assert_true (rs_test_wait_until (label_shown, &find, 10000));
  g_assert_false (gtk_widget_is_sensitive (find_button (find.root,
                                                        "preferences.forget-password")));

  click (find.root, "preferences.test-connection");
  g_assert_true (rs_test_wait_until (dialog_shown, NULL, 20000));
  dialog = ADW_MESSAGE_DIALOG (rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Trust This Certificate?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), fingerprint));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "CN"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "localhost"));
  find.text = "is not trusted";
  g_assert_nonnull (rs_test_find_label (find.root, find.text));
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"connect\""), ==, 2);

  for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (dialog)))
    if (GTK_IS_BUTTON (w) && gtk_widget_get_mapped (w)
        && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), "_Trust This Certificate") == 0)
      trust = w;
  g_assert_nonnull (trust);
  g_assert_true (rs_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, trust,
                                     5000));
  gtk_widget_activate (trust);
  g_assert_true (rs_test_wait_until (dialog_hidden, NULL, 5000));
  pin = g_settings_get_string (settings, "smtp-pinned-key");
  g_assert_true (g_str_has_prefix (pin, "sha256//"));

  connected = g_strdup_printf ("Connected to 127.0.0.1 over an encrypted connection.");
  find.text = connected;
  g_assert_true (rs_test_wait_until (label_shown, &find, 20000));
  find.text = "Public key sha256//";
  g_assert_nonnull (rs_test_find_label (find.root, find.text));

  /* Forget it: the server is not trusted any more... */
  click (find.root, "preferences.forget-certificate");
  g_clear_pointer (&pin, g_free);
  pin = g_settings_get_string (settings, "smtp-pinned-key");
  g_assert_cmpstr (pin, ==, "");

  /* ...unless its certificate is in the CA file. */
  g_settings_set_string (settings, "smtp-ca-file", cert);
  find.text = cert;
  g_assert_nonnull (rs_test_find_label (find.root, find.text));
  gtk_label_set_text (rs_test_find_label (find.root, connected), "");
  click (find.root, "preferences.test-connection");
  find.text = connected;
  g_assert_true (rs_test_wait_until (label_shown, &find, 20000));
  g_assert_false (dialog_shown (NULL));

  click (find.root, "preferences.clear-ca-file");
  g_clear_pointer (&pin, g_free);
  pin = g_settings_get_string (settings, "smtp-ca-file");
  g_assert_cmpstr (pin, ==, "");

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "smtp-security");
  rs_test_server_stop (&server);
  rs_test_remove_tree (dir);
}

static gboolean
lookup_done (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
keyring_has (const char *host,
             const char *user)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stored = FALSE;

  rs_secret_check_async (host, user, NULL, got_result, &result);
  g_assert_true (rs_test_wait_until (lookup_done, &result, 10000));
  g_assert_true (rs_secret_check_finish (result, &stored, &error));
  g_assert_no_error (error);

  return stored;
}

/* With a keyring (tests/with-keyring.sh): the row says whether a password
 * is stored for the server's host and user, a change of port keeps it, and
 * Forget Password removes it. */
static void
test_preferences_password (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  AdwPasswordEntryRow *row = NULL;
  GtkWindow *window;
  Find stored = { NULL, "Password stored in the keyring" };
  Find none = { NULL, "No password stored" };

  if (g_getenv ("RS_TEST_PRIVATE_BUS") == NULL)
    {
      g_test_skip ("needs the keyring of tests/with-keyring.sh");
      return;
    }

  g_settings_set_string (settings, "smtp-url", "smtp://mail.example.com:587");
  g_settings_set_string (settings, "smtp-user", "scan@example.com");

  window = GTK_WINDOW (rs_preferences_window_new (NULL));
  gtk_window_present (window);
  stored.root = none.root = GTK_WIDGET (window);
  for (GtkWidget *w = stored.root; w != NULL; w = rs_test_next_widget (w, stored.root))
    {
      if (ADW_IS_PREFERENCES_PAGE (w)
          && g_strcmp0 (adw_preferences_page_get_title (ADW_PREFERENCES_PAGE (w)), "E-mail") == 0)
        adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (window),
                                                 ADW_PREFERENCES_PAGE (w));
      if (ADW_IS_PASSWORD_ENTRY_ROW (w))
        row = ADW_PASSWORD_ENTRY_ROW (w);
    }
  g_assert_nonnull (row);

  g_assert_true (rs_test_wait_until (label_shown, &none, 10000));
  g_assert_false (gtk_widget_is_sensitive (find_button (stored.root,
                                                        "preferences.forget-password")));

  gtk_editable_set_text (GTK_EDITABLE (row), "Pw-in-keyring-only");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (rs_test_wait_until (label_shown, &stored, 10000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  g_assert_true (keyring_has ("mail.example.com", "scan@example.com"));

  /* Another port and security: the same account. */
  gtk_label_set_text (rs_test_find_label (stored.root, stored.text), "");
  g_settings_set_string (settings, "smtp-url", "smtps://mail.example.com:465");
  g_settings_set_string (settings, "smtp-security", "tls");
  g_assert_true (rs_test_wait_until (label_shown, &stored, 10000));

  /* Another user: another account. */
  g_settings_set_string (settings, "smtp-user", "other@example.com");
  g_assert_true (rs_test_wait_until (label_shown, &none, 10000));
  g_settings_set_string (settings, "smtp-user", "scan@example.com");
  g_assert_true (rs_test_wait_until (label_shown, &stored, 10000));

  click (stored.root, "preferences.forget-password");
  g_assert_true (rs_test_wait_until (label_shown, &none, 10000));
  g_assert_false (keyring_has ("mail.example.com", "scan@example.com"));

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "smtp-user");
  g_settings_reset (settings, "smtp-security");
}

/* A server address with a user name and password in it is not kept: the
 * setting stays as it was, and the row says why. */
static void
test_preferences_server_password (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *kept = NULL;
  AdwEntryRow *row = NULL;
  GtkWindow *window;

  g_settings_set_string (settings, "smtp-url", "smtp://mail.example.com:587");
  window = GTK_WINDOW (rs_preferences_window_new (NULL));
  gtk_window_present (window);
  for (GtkWidget *w = GTK_WIDGET (window); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (window)))
    if (ADW_IS_ENTRY_ROW (w) && !ADW_IS_PASSWORD_ENTRY_ROW (w) &&
        g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (w)), "smtp://mail.example.com:587") == 0)
      row = ADW_ENTRY_ROW (w);
  g_assert_nonnull (row);

  gtk_editable_set_text (GTK_EDITABLE (row), "smtp://scan:Secret-In-Url@mail.example.com:587");
  rs_test_iterate ();
  kept = g_settings_get_string (settings, "smtp-url");
  g_assert_cmpstr (kept, ==, "smtp://mail.example.com:587");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row)), "User Name"));

  gtk_editable_set_text (GTK_EDITABLE (row), "smtp://mail.example.org:587");
  rs_test_iterate ();
  g_clear_pointer (&kept, g_free);
  kept = g_settings_get_string (settings, "smtp-url");
  g_assert_cmpstr (kept, ==, "smtp://mail.example.org:587");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_settings_reset (settings, "smtp-url");
}

static AdwActionRow *
row_of_label (GtkLabel *label)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (label), ADW_TYPE_ACTION_ROW);

  g_assert_nonnull (row);

  return ADW_ACTION_ROW (row);
}

/* Preferences → Reports: a logo file that is missing or not an image, or
 * an SVG that takes too long to draw, says so in its row (the reports are
 * made without it, test-branding shows);
 * a good one shows its path; Clear takes the logo away. The benchmark's
 * switch is the setting. */
static void
test_preferences_logos (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "gone.png", NULL);
  g_autofree char *not_image = g_build_filename (dir, "notes.svg", NULL);
  g_autofree char *good = g_build_filename (dir, "partner.svg", NULL);
  const char *partners[] = { not_image, good, NULL };
  GtkWindow *window;
  GtkLabel *label;
  GtkSwitch *benchmark = NULL;
  g_auto(GStrv) left = NULL;
  Find find;

  g_assert_true (g_file_set_contents (not_image, "no picture here", -1, NULL));
  g_assert_true (g_file_set_contents (good, "<svg xmlns='http://www.w3.org/2000/svg'"
                                      " width='10' height='10'/>", -1, NULL));
  g_settings_set_string (settings, "report-logo", missing);
  g_settings_set_strv (settings, "report-partner-logos", partners);

  window = GTK_WINDOW (rs_preferences_window_new (NULL));
  gtk_window_present (window);
  find.root = GTK_WIDGET (window);
  find.text = "cannot be read";
  g_assert_true (rs_test_wait_until (label_shown, &find, 10000));
  label = rs_test_find_label (find.root, find.text);
  g_assert_nonnull (strstr (gtk_label_get_text (label), missing));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "the reports are made without it"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row_of_label (label)), "error"));

  label = rs_test_find_label (find.root, "is not a PNG or SVG image");
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (label), not_image));
  /* The good partner logo is listed under it. */
  g_assert_nonnull (strstr (gtk_label_get_text (label), good));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row_of_label (label)), "error"));

  /* A good logo: its path, no error. */
  g_settings_set_string (settings, "report-logo", good);
  find.text = "cannot be read";
  for (guint i = 0; i < 200 && label_shown (&find); i++)
    rs_test_wait_until (never, NULL, 25);
  g_assert_false (label_shown (&find));

  click (find.root, "preferences.clear-partner-logos");
  find.text = "is not a PNG or SVG image";
  for (guint i = 0; i < 200 && label_shown (&find); i++)
    rs_test_wait_until (never, NULL, 25);
  g_assert_false (label_shown (&find));
  left = g_settings_get_strv (settings, "report-partner-logos");
  g_assert_cmpuint (g_strv_length (left), ==, 0);

  for (GtkWidget *w = find.root; w != NULL; w = rs_test_next_widget (w, find.root))
    if (GTK_IS_SWITCH (w) && gtk_widget_get_ancestor (w, ADW_TYPE_ACTION_ROW) != NULL &&
        rs_test_find_label (gtk_widget_get_ancestor (w, ADW_TYPE_ACTION_ROW),
                            "Peer Benchmark") != NULL)
      benchmark = GTK_SWITCH (w);
  g_assert_nonnull (benchmark);
  g_assert_true (gtk_switch_get_active (benchmark));
  gtk_switch_set_active (benchmark, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "report-benchmark"));

  /* An SVG that takes too long to draw (<use> elements six deep, eight
   * each): refused in its row after 2 seconds, the window kept responsive
   * by the worker that checks it. */
  {
    g_autoptr(GString) svg = g_string_new ("<svg xmlns='http://www.w3.org/2000/svg' "
                                           "xmlns:xlink='http://www.w3.org/1999/xlink' "
                                           "width='200' height='60'><defs><g id='l0'>"
                                           "<rect width='3' height='3' fill='#1a5fb4'/>"
                                           "<circle cx='1' cy='1' r='1'/>"
                                           "<rect x='1' width='2' height='1'/>"
                                           "<circle cx='2' cy='2' r='1'/></g>");
    g_autofree char *bomb = g_build_filename (dir, "bomb.svg", NULL);

    for (guint level = 1; level <= 6; level++)
      {
        g_string_append_printf (svg, "<g id='l%u'>", level);
        for (guint i = 0; i < 8; i++)
          g_string_append_printf (svg, "<use xlink:href='#l%u' x='%u' y='%u'/>", level - 1,
                                  i % 7, i % 5);
        g_string_append (svg, "</g>");
      }
    g_string_append (svg, "</defs><use xlink:href='#l6'/></svg>");
    g_assert_true (g_file_set_contents (bomb, svg->str, -1, NULL));
    g_settings_set_string (settings, "report-logo", bomb);
    find.text = "takes longer to draw than a logo may (2 seconds)";
    g_assert_true (rs_test_wait_until (label_shown, &find, 15000));
    label = rs_test_find_label (find.root, find.text);
    g_assert_nonnull (strstr (gtk_label_get_text (label), bomb));
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row_of_label (label)), "error"));
  }

  gtk_window_destroy (window);
  rs_test_iterate ();
  g_settings_reset (settings, "report-logo");
  g_settings_reset (settings, "report-partner-logos");
  g_settings_reset (settings, "report-benchmark");
  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_gtk_init (&argc, &argv);

  g_test_add_func ("/preferences/trust", test_preferences_trust);
  g_test_add_func ("/preferences/password", test_preferences_password);
  g_test_add_func ("/preferences/server-password", test_preferences_server_password);
  g_test_add_func ("/preferences/logos", test_preferences_logos);

  return g_test_run ();
}
