/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mail-settings"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "rs-mail-settings.h"
#include "rs-template.h"
#include "rs-test-util.h"

/* The mail settings read from a real GSettings (the memory backend with the
 * application's compiled schema), overridden as the command line does. */

static GSettings *
new_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend (APP_ID, backend);
}

static void
test_mail_settings_defaults (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(RsMailSettings) mail = rs_mail_settings_new_from_gsettings (settings);
  g_autoptr(RsMailSettings) bare = rs_mail_settings_new ();
  g_autoptr(GError) error = NULL;
  RsSendOptions options;

  for (RsMailSettings **m = (RsMailSettings *[]) { mail, bare, NULL }; *m != NULL; m++)
    {
      g_assert_null (rs_mail_settings_get_url (*m));
      g_assert_null (rs_mail_settings_get_host (*m));
      g_assert_cmpint (rs_mail_settings_get_security (*m), ==, RS_MAIL_SECURITY_STARTTLS);
      g_assert_null (rs_mail_settings_get_user (*m));
      g_assert_null (rs_mail_settings_get_ca_file (*m));
      g_assert_null (rs_mail_settings_get_pinned_key (*m));
      g_assert_null (rs_mail_settings_get_from_address (*m));
      g_assert_cmpuint (rs_mail_settings_get_rate_limit (*m), ==, 30);
      g_assert_cmpstr (rs_mail_settings_get_subject (*m, "en"), ==,
                       rs_template_default_subject ("en"));
      g_assert_cmpstr (rs_mail_settings_get_body (*m, "nl"), ==,
                       rs_template_default_body ("nl"));
    }

  /* Nothing set: the first thing to set is the server. */
  g_assert_false (rs_mail_settings_validate (mail, RS_SEND_MODE_LIVE, &error));
  g_assert_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "Set the mail server in Preferences → E-mail.");

  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_LIVE, &options);
  g_assert_cmpint (options.mode, ==, RS_SEND_MODE_LIVE);
  g_assert_true (options.mailer.starttls_required);
  g_assert_cmpuint (options.mailer.connect_timeout_s, ==, RS_MAIL_CONNECT_TIMEOUT_S);
  g_assert_cmpuint (options.mailer.timeout_s, ==, RS_MAIL_TIMEOUT_S);
  g_assert_null (options.mailer.password);
  g_assert_cmpstr (options.subject_nl, ==, rs_template_default_subject ("nl"));
  g_assert_cmpuint (options.rate_per_minute, ==, 30);
}

static void
test_mail_settings_saved (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(RsMailSettings) mail = NULL;
  g_autoptr(GError) error = NULL;
  RsSendOptions options;

  g_settings_set_string (settings, "smtp-url", " smtp://Mail.Example.com:587 ");
  g_settings_set_string (settings, "smtp-security", "starttls");
  g_settings_set_string (settings, "smtp-user", "scan@example.com");
  g_settings_set_string (settings, "smtp-ca-file", "/etc/ssl/certs/ca-certificates.crt");
  g_settings_set_string (settings, "from-address", "scan@example.com");
  g_settings_set_string (settings, "from-name", "Scan Team");
  g_settings_set_string (settings, "reply-to", "");
  g_settings_set_string (settings, "test-address", "me@example.org");
  g_settings_set_uint (settings, "rate-limit", 12);
  g_settings_set_string (settings, "template-subject-nl", "Uw rapport, {name}");
  g_settings_set_string (settings, "template-body-en", "Dear {name}");

  mail = rs_mail_settings_new_from_gsettings (settings);
  /* Read once: later changes are not seen by this object. */
  g_settings_set_string (settings, "from-name", "Someone Else");

  g_assert_cmpstr (rs_mail_settings_get_url (mail), ==, "smtp://Mail.Example.com:587");
  g_assert_cmpstr (rs_mail_settings_get_host (mail), ==, "mail.example.com");
  g_assert_true (rs_mail_settings_validate (mail, RS_SEND_MODE_TEST, &error));
  g_assert_no_error (error);

  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_TEST, &options);
  g_assert_cmpstr (options.mailer.url, ==, "smtp://Mail.Example.com:587");
  g_assert_true (options.mailer.starttls_required);
  g_assert_cmpstr (options.mailer.user, ==, "scan@example.com");
  g_assert_cmpstr (options.mailer.ca_file, ==, "/etc/ssl/certs/ca-certificates.crt");
  g_assert_null (options.mailer.pinned_key);
  g_assert_cmpstr (options.test_address, ==, "me@example.org");
  g_assert_cmpstr (options.from_address, ==, "scan@example.com");
  g_assert_cmpstr (options.from_name, ==, "Scan Team");
  g_assert_null (options.reply_to);
  g_assert_cmpuint (options.rate_per_minute, ==, 12);
  g_assert_cmpstr (options.subject_nl, ==, "Uw rapport, {name}");
  g_assert_cmpstr (options.body_nl, ==, rs_template_default_body ("nl"));
  g_assert_cmpstr (options.subject_en, ==, rs_template_default_subject ("en"));
  g_assert_cmpstr (options.body_en, ==, "Dear {name}");

  /* A live round leaves the test address out. */
  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_LIVE, &options);
  g_assert_null (options.test_address);
}

/* What the command line does: options replace single fields, the rest
 * stays as saved. */
static void
test_mail_settings_overrides (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(RsMailSettings) mail = NULL;
  RsMailerConfig config;

  g_settings_set_string (settings, "smtp-url", "smtp://mail.example.com:587");
  g_settings_set_string (settings, "smtp-user", "scan@example.com");
  g_settings_set_string (settings, "from-address", "scan@example.com");
  g_settings_set_string (settings, "from-name", "Scan Team");
  g_settings_set_string (settings, "smtp-pinned-key", "sha256//AAAA");

  mail = rs_mail_settings_new_from_gsettings (settings);
  rs_mail_settings_set_url (mail, "smtps://other.example.com:465");
  rs_mail_settings_set_ca_file (mail, "/tmp/ca.pem");
  rs_mail_settings_set_rate_limit (mail, 0);
  rs_mail_settings_set_from_name (mail, "");

  rs_mail_settings_fill_mailer_config (mail, &config);
  g_assert_cmpstr (config.url, ==, "smtps://other.example.com:465");
  g_assert_false (config.starttls_required);
  g_assert_cmpstr (config.user, ==, "scan@example.com");
  g_assert_cmpstr (config.ca_file, ==, "/tmp/ca.pem");
  g_assert_cmpstr (config.pinned_key, ==, "sha256//AAAA");
  g_assert_cmpstr (rs_mail_settings_get_host (mail), ==, "other.example.com");
  g_assert_cmpstr (rs_mail_settings_get_from_address (mail), ==, "scan@example.com");
  g_assert_null (rs_mail_settings_get_from_name (mail));
  g_assert_cmpuint (rs_mail_settings_get_rate_limit (mail), ==, 0);
  g_assert_cmpint (rs_mail_settings_get_security (mail), ==, RS_MAIL_SECURITY_TLS);
}

/* One rule for the connection's security, whoever asks. */
static void
test_mail_settings_security (void)
{
  static const struct {
    const char *url;
    RsMailSecurity security;
    const char *used_url;
    gboolean starttls;
    gboolean valid;
  } cases[] = {
    { "smtp://mail.example.com:587", RS_MAIL_SECURITY_STARTTLS,
      "smtp://mail.example.com:587", TRUE, TRUE },
    { "smtp://mail.example.com:465", RS_MAIL_SECURITY_TLS,
      "smtps://mail.example.com:465", FALSE, TRUE },
    { "smtps://mail.example.com:465", RS_MAIL_SECURITY_STARTTLS,
      "smtps://mail.example.com:465", FALSE, TRUE },
    { "smtps://mail.example.com:465", RS_MAIL_SECURITY_NONE,
      "smtps://mail.example.com:465", FALSE, TRUE },
    { "mail.example.com:587", RS_MAIL_SECURITY_STARTTLS,
      "smtp://mail.example.com:587", TRUE, TRUE },
    { "mail.example.com:465", RS_MAIL_SECURITY_TLS,
      "smtps://mail.example.com:465", FALSE, TRUE },
    /* Plain SMTP: to this computer only. */
    { "smtp://mail.example.com:25", RS_MAIL_SECURITY_NONE,
      "smtp://mail.example.com:25", FALSE, FALSE },
    { "smtp://10.0.0.1:25", RS_MAIL_SECURITY_NONE, "smtp://10.0.0.1:25", FALSE, FALSE },
    { "smtp://127.0.0.1:2525", RS_MAIL_SECURITY_NONE, "smtp://127.0.0.1:2525", FALSE, TRUE },
    { "smtp://127.0.0.2:2525", RS_MAIL_SECURITY_NONE, "smtp://127.0.0.2:2525", FALSE, TRUE },
    { "smtp://localhost:2525", RS_MAIL_SECURITY_NONE, "smtp://localhost:2525", FALSE, TRUE },
    { "smtp://[::1]:2525", RS_MAIL_SECURITY_NONE, "smtp://[::1]:2525", FALSE, TRUE },
    { "smtp://localhost.example.com:25", RS_MAIL_SECURITY_NONE,
      "smtp://localhost.example.com:25", FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RsMailSettings) mail = rs_mail_settings_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) mailer_error = NULL;
      RsMailerConfig config;

      g_test_message ("%s, security %d", cases[i].url, cases[i].security);
      rs_mail_settings_set_security (mail, cases[i].security);
      rs_mail_settings_set_url (mail, cases[i].url);
      rs_mail_settings_set_from_address (mail, "scan@example.com");
      rs_mail_settings_fill_mailer_config (mail, &config);
      g_assert_cmpstr (config.url, ==, cases[i].used_url);
      g_assert_cmpint (config.starttls_required, ==, cases[i].starttls);

      g_assert_cmpint (rs_mail_settings_validate (mail, RS_SEND_MODE_LIVE, &error), ==,
                       cases[i].valid);
      /* The mailer applies the same rule to what it is given. */
      mailer = rs_mailer_new (&config, &mailer_error);
      g_assert_cmpint (mailer != NULL, ==, cases[i].valid);
      if (!cases[i].valid)
        {
          g_assert_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INSECURE);
          g_assert_nonnull (strstr (error->message, "unencrypted"));
          g_assert_nonnull (strstr (error->message, "Security in Preferences → E-mail"));
          g_assert_error (mailer_error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE);
        }
      else
        {
          g_assert_no_error (error);
        }
    }

  /* Whatever order the command line gives them in. */
  {
    g_autoptr(RsMailSettings) mail = rs_mail_settings_new ();

    rs_mail_settings_set_url (mail, "smtp://mail.example.com:465");
    rs_mail_settings_set_security (mail, RS_MAIL_SECURITY_TLS);
    g_assert_cmpstr (rs_mail_settings_get_url (mail), ==, "smtps://mail.example.com:465");
  }

  g_assert_cmpint (rs_mail_settings_security_from_string ("none"), ==, RS_MAIL_SECURITY_NONE);
  g_assert_cmpint (rs_mail_settings_security_from_string ("tls"), ==, RS_MAIL_SECURITY_TLS);
  g_assert_cmpint (rs_mail_settings_security_from_string (NULL), ==,
                   RS_MAIL_SECURITY_STARTTLS);
  g_assert_cmpstr (rs_mail_settings_security_to_string (RS_MAIL_SECURITY_NONE), ==, "none");
}

/* Each message names the setting to set or correct. */
static void
test_mail_settings_validation (void)
{
  g_autoptr(RsMailSettings) mail = rs_mail_settings_new ();
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *missing_ca = g_build_filename (dir, "missing.pem", NULL);
  static const struct {
    const char *url;
    const char *from;
    const char *reply_to;
    const char *test_address;
    const char *ca_file;
    RsSendMode mode;
    int code;
    const char *message;
  } cases[] = {
    { NULL, "a@example.com", NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      RS_MAIL_SETTINGS_ERROR_MISSING, "Set the mail server in Preferences → E-mail." },
    { "   ", "a@example.com", NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      RS_MAIL_SETTINGS_ERROR_MISSING, "Set the mail server in Preferences → E-mail." },
    { "http://mail.example.com", "a@example.com", NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      RS_MAIL_SETTINGS_ERROR_INVALID,
      "The mail server “http://mail.example.com” is not valid. Enter it as "
      "smtp://HOST:PORT or smtps://HOST:PORT in Preferences → E-mail." },
    { "smtp://user@mail.example.com:587", "a@example.com", NULL, NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID, "must not hold a user name" },
    /* The password is not repeated, however the address is broken. */
    { "smtp://scan:s3cr/Not-Shown@mail.example.com:587", "a@example.com", NULL, NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID,
      "The mail server address must not hold a user name or password. Enter it as "
      "smtp://HOST:PORT, and the user name and password in their own fields in "
      "Preferences → E-mail." },
    { "smtp:/scan:Not-Shown@mail.example.com", "a@example.com", NULL, NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID, "must not hold a user name" },
    { "smtp://:587", "a@example.com", NULL, NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID, "is not valid" },
    { "smtp://exa mple.com:25", "a@example.com", NULL, NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID, "is not valid" },
    { "smtp://mail.example.com:587", NULL, NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      RS_MAIL_SETTINGS_ERROR_MISSING, "Set the From Address in Preferences → E-mail." },
    { "smtp://mail.example.com:587", "scan team", NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      RS_MAIL_SETTINGS_ERROR_INVALID,
      "“scan team” is not an e-mail address. Correct the From Address in Preferences → "
      "E-mail." },
    { "smtp://mail.example.com:587", "a@example.com", "replies", NULL, NULL,
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID,
      "“replies” is not an e-mail address. Correct the Reply-To Address in Preferences → "
      "E-mail." },
    { "smtp://mail.example.com:587", "a@example.com", NULL, NULL, NULL, RS_SEND_MODE_TEST,
      RS_MAIL_SETTINGS_ERROR_MISSING, "Set the Test Address in Preferences → E-mail." },
    { "smtp://mail.example.com:587", "a@example.com", NULL, "me", NULL, RS_SEND_MODE_TEST,
      RS_MAIL_SETTINGS_ERROR_INVALID,
      "“me” is not an e-mail address. Correct the Test Address in Preferences → E-mail." },
    { "smtp://mail.example.com:587", "a@example.com", NULL, NULL, "missing",
      RS_SEND_MODE_LIVE, RS_MAIL_SETTINGS_ERROR_INVALID,
      "cannot be read. Choose another CA file in Preferences → E-mail." },
    /* And what is right passes. */
    { "smtp://mail.example.com:587", "a@example.com", "b@example.com", "me@example.org",
      "ca", RS_SEND_MODE_TEST, -1, NULL },
    { "smtp://mail.example.com:587", "a@example.com", NULL, NULL, NULL, RS_SEND_MODE_LIVE,
      -1, NULL },
  };

  g_assert_true (g_file_set_contents (ca, "-----BEGIN CERTIFICATE-----\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *ca_file = NULL;

      if (g_strcmp0 (cases[i].ca_file, "ca") == 0)
        ca_file = ca;
      else if (cases[i].ca_file != NULL)
        ca_file = missing_ca;

      g_test_message ("case %u", i);
      rs_mail_settings_set_url (mail, cases[i].url);
      rs_mail_settings_set_from_address (mail, cases[i].from);
      rs_mail_settings_set_reply_to (mail, cases[i].reply_to);
      rs_mail_settings_set_test_address (mail, cases[i].test_address);
      rs_mail_settings_set_ca_file (mail, ca_file);

      if (cases[i].code < 0)
        {
          g_assert_true (rs_mail_settings_validate (mail, cases[i].mode, &error));
          g_assert_no_error (error);
          continue;
        }

      g_assert_false (rs_mail_settings_validate (mail, cases[i].mode, &error));
      g_assert_error (error, RS_MAIL_SETTINGS_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_assert_null (strstr (error->message, "Not-Shown"));
    }

  rs_test_remove_tree (dir);
}

/* Signing in with Microsoft 365 or Google: the keys, the provider's own
 * server and transport, the signed-in account as sender and SMTP user. */
static void
test_mail_settings_oauth (void)
{
  g_autoptr(GSettings) settings = new_settings ();
  g_autoptr(RsMailSettings) bare = rs_mail_settings_new_from_gsettings (settings);
  g_autoptr(RsMailSettings) mail = NULL;
  g_autoptr(RsMailSettings) google = NULL;
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  RsSendOptions options;

  g_assert_cmpint (rs_mail_settings_get_auth (bare), ==, RS_MAIL_AUTH_PASSWORD);
  g_assert_cmpint (rs_mail_settings_get_transport (bare), ==, RS_SEND_TRANSPORT_SMTP);
  g_assert_false (rs_mail_settings_get_keep_copy (bare));
  g_assert_null (rs_mail_settings_get_url (bare));
  g_assert_null (rs_mail_settings_new_oauth_provider (bare));

  g_settings_set_string (settings, "auth-kind", "microsoft");
  g_settings_set_string (settings, "oauth-client-id", "00000000-1111-2222-3333-444444444444");
  g_settings_set_string (settings, "oauth-tenant", "example.com");
  g_settings_set_string (settings, "oauth-account", "scan@example.com");
  g_settings_set_string (settings, "smtp-user", "someone@example.org");
  g_settings_set_boolean (settings, "keep-copy", TRUE);
  mail = rs_mail_settings_new_from_gsettings (settings);

  g_assert_cmpint (rs_mail_settings_get_auth (mail), ==, RS_MAIL_AUTH_MICROSOFT);
  g_assert_cmpint (rs_mail_settings_get_transport (mail), ==, RS_SEND_TRANSPORT_GRAPH);
  g_assert_cmpstr (rs_mail_settings_get_url (mail), ==, "smtp://smtp.office365.com:587");
  g_assert_true (rs_mail_settings_get_starttls (mail));
  g_assert_cmpstr (rs_mail_settings_get_sender (mail), ==, "scan@example.com");
  g_assert_true (rs_mail_settings_validate (mail, RS_SEND_MODE_LIVE, &error));
  g_assert_no_error (error);
  g_assert_null (rs_mail_settings_lookup_password (mail, NULL, NULL));

  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_LIVE, &options);
  g_assert_cmpint (options.transport, ==, RS_SEND_TRANSPORT_GRAPH);
  g_assert_cmpstr (options.from_address, ==, "scan@example.com");
  g_assert_cmpstr (options.mailer.user, ==, "scan@example.com");
  g_assert_true (options.mailer.keep_copy);
  g_assert_null (options.graph.url);

  provider = rs_mail_settings_new_oauth_provider (mail);
  g_assert_cmpint (rs_oauth_provider_get_kind (provider), ==, RS_OAUTH_PROVIDER_MICROSOFT);
  g_assert_cmpstr (rs_oauth_provider_get_tenant (provider), ==, "example.com");
  g_assert_cmpint (rs_oauth_provider_get_route (provider), ==, RS_OAUTH_ROUTE_GRAPH);
  g_clear_object (&provider);

  /* The command line's overrides; a set From address wins. */
  rs_mail_settings_set_transport (mail, RS_SEND_TRANSPORT_SMTP);
  rs_mail_settings_set_from_address (mail, "team@example.com");
  rs_mail_settings_set_graph_url (mail, "https://graph.example.com");
  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_LIVE, &options);
  g_assert_cmpint (options.transport, ==, RS_SEND_TRANSPORT_SMTP);
  g_assert_cmpstr (options.from_address, ==, "team@example.com");
  g_assert_cmpstr (options.mailer.user, ==, "scan@example.com");
  g_assert_cmpstr (options.graph.url, ==, "https://graph.example.com");
  provider = rs_mail_settings_new_oauth_provider (mail);
  g_assert_cmpint (rs_oauth_provider_get_route (provider), ==, RS_OAUTH_ROUTE_SMTP);

  /* XOAUTH2 goes only over an encrypted connection, also to this computer. */
  rs_mail_settings_set_url (mail, "smtp://127.0.0.1:2525");
  rs_mail_settings_set_security (mail, RS_MAIL_SECURITY_NONE);
  g_assert_false (rs_mail_settings_validate (mail, RS_SEND_MODE_LIVE, &error));
  g_assert_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_INSECURE);
  g_clear_error (&error);

  /* Without a client ID there is no sign-in; it names the setting. */
  rs_mail_settings_set_security (mail, RS_MAIL_SECURITY_STARTTLS);
  rs_mail_settings_set_oauth_client_id (mail, "");
  g_assert_false (rs_mail_settings_validate (mail, RS_SEND_MODE_LIVE, &error));
  g_assert_error (error, RS_MAIL_SETTINGS_ERROR, RS_MAIL_SETTINGS_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "Client ID"));
  g_clear_error (&error);

  /* Google sends over SMTP to its own server, whatever the transport. */
  g_settings_set_string (settings, "auth-kind", "google");
  g_settings_set_string (settings, "mail-transport", "graph");
  google = rs_mail_settings_new_from_gsettings (settings);
  g_assert_cmpint (rs_mail_settings_get_transport (google), ==, RS_SEND_TRANSPORT_SMTP);
  g_assert_cmpstr (rs_mail_settings_get_url (google), ==, "smtp://smtp.gmail.com:587");
  g_assert_cmpstr (rs_mail_settings_get_host (google), ==, "smtp.gmail.com");

  /* Back to a password: the saved user again, and no default server. */
  rs_mail_settings_set_auth (google, RS_MAIL_AUTH_PASSWORD);
  g_assert_null (rs_mail_settings_get_url (google));
  g_assert_null (rs_mail_settings_get_sender (google));
  rs_mail_settings_fill_mailer_config (google, &options.mailer);
  g_assert_cmpstr (options.mailer.user, ==, "someone@example.org");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/mail-settings/defaults", test_mail_settings_defaults);
  g_test_add_func ("/mail-settings/saved", test_mail_settings_saved);
  g_test_add_func ("/mail-settings/overrides", test_mail_settings_overrides);
  g_test_add_func ("/mail-settings/security", test_mail_settings_security);
  g_test_add_func ("/mail-settings/validation", test_mail_settings_validation);
  g_test_add_func ("/mail-settings/oauth", test_mail_settings_oauth);

  return g_test_run ();
}
