/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mailer"

#include "config.h"

#include "rs-mailer.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* The mailer against a real SMTP server on 127.0.0.1 (tests/smtp-server.py):
 * one connection per batch, TLS, sign-in, and how each reply is sorted. */

#define FROM "scan@example.com"
#define TO "ivo.bos@example.org"

typedef RsTestServer Server;

#define server_stop rs_test_server_stop
#define server_count(server, event) rs_test_server_count (server, "\"event\": \"" event "\"")

/* Starts the test server with the options after @scheme, "smtp" or "smtps". */
#define server_start(server, scheme, ...) \
  G_STMT_START { \
    rs_test_server_start (server, __VA_ARGS__); \
    use_scheme (server, scheme); \
  } G_STMT_END

static void
use_scheme (Server     *server,
            const char *scheme)
{
  char *url = g_strconcat (scheme, strchr (server->url, ':'), NULL);

  g_free (server->url);
  server->url = url;
}

static char *cert_dir;
static char *cert_path;
static char *key_path;

static const char *
cert_file (void)
{
  if (cert_path == NULL)
    {
      cert_dir = rs_test_make_tmpdir ();
      rs_test_make_certificate (cert_dir, &cert_path, &key_path);
    }

  return cert_path;
}

static char *
key_file (void)
{
  return g_strdup (key_path);
}

static GBytes *
server_message (Server *server,
                guint   n)
{
  g_autofree char *name = g_strdup_printf ("%u.eml", n);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

static GBytes *
make_message (const char *to,
              guint       n)
{
  char *text = g_strdup_printf ("From: Scan <" FROM ">\r\n"
                                "To: <%s>\r\n"
                                "Subject: Report %u\r\n"
                                "Message-ID: <%u@scan.example.com>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "\r\n"
                                "Dear reader,\r\n"
                                ".\r\n"
                                ".a line that starts with a dot\r\n"
                                "..and one with two\r\n"
                                "Regards\r\n", to, n, n);

  return g_bytes_new_take (text, strlen (text));
}

static RsMailer *
make_mailer (const char *url,
             gboolean    starttls,
             const char *password,
             const char *ca_file)
{
  RsMailerConfig config = {
    .url = url,
    .starttls_required = starttls,
    .user = password != NULL ? "scan" : NULL,
    .password = password,
    .ca_file = ca_file,
    .connect_timeout_s = 5,
    .timeout_s = 10,
  };
  g_autoptr(GError) error = NULL;
  RsMailer *mailer;

  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mailer);

  return mailer;
}

static RsMailOutcome
send_one (RsMailer    *mailer,
          const char  *to,
          guint       *code,
          char       **text,
          GError     **error)
{
  g_autoptr(GBytes) message = make_message (to, 1);

  return rs_mailer_send (mailer, FROM, to, message, code, text, NULL, error);
}

static void
test_mailer_batch_one_connection (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;

  server_start (&server, "smtp", "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *to = g_strdup_printf ("person%u@example.org", i);
      g_autoptr(GBytes) message = make_message (to, i);
      g_autoptr(GBytes) stored = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint code = 0;

      g_assert_cmpint (rs_mailer_send (mailer, FROM, to, message, &code, &text, NULL, &error),
                       ==, RS_MAIL_SENT);
      g_assert_no_error (error);
      g_assert_cmpuint (code, ==, 250);
      g_assert_cmpstr (text, ==, "2.0.0 Accepted");

      stored = server_message (&server, i);
      g_assert_true (g_bytes_equal (stored, message));
    }

  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);
  g_assert_cmpuint (server_count (&server, "connect"), ==, 1);
  g_assert_cmpuint (server_count (&server, "message"), ==, 3);
  server_stop (&server);
}

static void
test_mailer_starttls (void)
{
  RsMailOutcome outcome;
  g_autofree char *key = NULL;
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  cert_file ();
  key = key_file ();
  server_start (&server, "smtp", "--cert", cert_file (), "--key", key, "--require-starttls",
                "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, TRUE, "s3cret", cert_file ());

  g_assert_true (rs_mailer_test_connection (mailer, &summary, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (strstr (summary, "encrypted") != NULL);
  g_assert_true (strstr (summary, "were accepted") != NULL);

  outcome = send_one (mailer, TO, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RS_MAIL_SENT);
  outcome = send_one (mailer, TO, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RS_MAIL_SENT);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);
  server_stop (&server);
}

static void
test_mailer_smtps (void)
{
  RsMailOutcome outcome;
  g_autofree char *key = NULL;
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  cert_file ();
  key = key_file ();
  server_start (&server, "smtps", "--cert", cert_file (), "--key", key, "--implicit-tls",
                "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", cert_file ());

  outcome = send_one (mailer, TO, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RS_MAIL_SENT);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  server_stop (&server);
}

static void
test_mailer_starttls_missing (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", NULL);
  mailer = make_mailer (server.url, TRUE, NULL, cert_file ());

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS);
  g_assert_true (strstr (error->message, "127.0.0.1") != NULL);
  g_assert_true (strstr (error->message, "STARTTLS") != NULL);
  g_assert_cmpuint (server_count (&server, "connect"), ==, 1);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

static void
test_mailer_untrusted_certificate (void)
{
  g_autofree char *key = NULL;
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  cert_file ();
  key = key_file ();
  server_start (&server, "smtp", "--cert", cert_file (), "--key", key, "--require-starttls",
                NULL);
  mailer = make_mailer (server.url, TRUE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNTRUSTED);
  g_assert_true (strstr (error->message, "certificate") != NULL);
  g_assert_true (strstr (error->message, "CA file") != NULL);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* What openssl itself says about @cert: "pin" gives the sha256// hash of
 * its public key, "fingerprint" the SHA-256 of the certificate. */
static char *
openssl_says (const char *cert,
              const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  char *line;
  int status = -1;

  if (g_str_equal (what, "pin"))
    command = g_strdup_printf ("sh -c 'openssl x509 -in \"%s\" -pubkey -noout | openssl pkey "
                               "-pubin -outform der | openssl dgst -sha256 -binary | "
                               "openssl base64 -A'", cert);
  else
    command = g_strdup_printf ("openssl x509 -in \"%s\" -noout -fingerprint -sha256", cert);

  g_spawn_command_line_sync (command, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_strstrip (out);
  if (g_str_equal (what, "pin"))
    return g_strconcat ("sha256//", out, NULL);

  line = strchr (out, '=');
  g_assert_nonnull (line);
  return g_strdup (line + 1);
}

/* A self-signed certificate, trusted by hand: the mailer fetches it without
 * signing in, and then trusts that public key and no other. */
static void
test_mailer_pinned_certificate (void)
{
  g_autofree char *key = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *other_dir = rs_test_make_tmpdir ();
  g_autofree char *other_cert = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(RsMailerCertificate) certificate = NULL;
  g_autoptr(RsMailer) trusting = NULL;
  g_autoptr(RsMailer) wrong = NULL;
  g_autoptr(GError) error = NULL;
  Server server = { 0 };
  Server other = { 0 };
  RsMailerConfig config = {
    .starttls_required = TRUE,
    .user = "scan",
    .password = "s3cret",
    .connect_timeout_s = 5,
    .timeout_s = 10,
  };

  cert_file ();
  key = key_file ();
  server_start (&server, "smtp", "--cert", cert_file (), "--key", key, "--require-starttls",
                "--user", "scan", "--password", "s3cret", NULL);
  config.url = server.url;

  certificate = rs_mailer_fetch_certificate (&config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  pin = openssl_says (cert_file (), "pin");
  fingerprint = openssl_says (cert_file (), "fingerprint");
  g_assert_cmpstr (certificate->pin, ==, pin);
  g_assert_cmpstr (certificate->fingerprint, ==, fingerprint);
  g_assert_nonnull (strstr (certificate->subject, "localhost"));
  /* It was fetched without signing in. */
  g_assert_cmpuint (server_count (&server, "auth"), ==, 0);

  config.pinned_key = certificate->pin;
  trusting = rs_mailer_new (&config, &error);
  g_assert_no_error (error);
  g_assert_true (rs_mailer_test_connection (trusting, &summary, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (summary, "were accepted"));
  g_assert_cmpint (send_one (trusting, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);

  /* The same name and address, another key: refused before the password
   * goes out. */
  rs_test_make_certificate (other_dir, &other_cert, &other_key);
  server_start (&other, "smtp", "--cert", other_cert, "--key", other_key,
                "--require-starttls", "--user", "scan", "--password", "s3cret", NULL);
  config.url = other.url;
  wrong = rs_mailer_new (&config, &error);
  g_assert_no_error (error);
  g_assert_cmpint (send_one (wrong, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNTRUSTED);
  g_assert_cmpuint (server_count (&other, "connect"), ==, 1);
  g_assert_cmpuint (server_count (&other, "auth"), ==, 0);
  g_assert_cmpuint (server_count (&other, "message"), ==, 0);

  server_stop (&other);
  server_stop (&server);
  rs_test_remove_tree (other_dir);
}

/* A certificate that is not one: no pin. */
static void
test_mailer_certificate_der (void)
{
  static const guint8 garbage[] = { 0x30, 0x82, 0xff, 0xff, 0x30, 0x03, 0x02, 0x01 };
  g_autofree char *pem = NULL;
  g_autofree guint8 *der = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *begin = NULL;
  gsize length;

  g_assert_null (rs_mailer_certificate_pin_from_der (garbage, sizeof garbage));
  g_assert_null (rs_mailer_certificate_pin_from_der (garbage, 0));
  g_assert_true (g_file_get_contents (cert_file (), &pem, NULL, NULL));
  begin = g_strndup (strchr (pem, '\n') + 1, strstr (pem, "-----END") - strchr (pem, '\n') - 1);
  der = g_base64_decode (begin, &length);
  pin = rs_mailer_certificate_pin_from_der (der, length);
  g_assert_nonnull (pin);
  /* Cut anywhere, it is no longer read. */
  for (gsize cut = 0; cut < length; cut += 97)
    g_assert_null (rs_mailer_certificate_pin_from_der (der, cut));
}

static void
test_mailer_auth_refused (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 0;

  server_start (&server, "smtp", "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "wrong", NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH);
  g_assert_cmpuint (code, ==, 535);
  g_assert_nonnull (text);
  g_assert_true (strstr (error->message, "535") != NULL);
  g_assert_true (strstr (error->message, "wrong") == NULL);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* Everything logged while the tests run, debug messages included. */
static GString *logged;
static GMutex logged_lock;

static GLogWriterOutput
record_log (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_mutex_lock (&logged_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE"))
      {
        if (fields[i].length < 0)
          g_string_append (logged, fields[i].value);
        else
          g_string_append_len (logged, fields[i].value, fields[i].length);
        g_string_append_c (logged, '\n');
      }
  g_mutex_unlock (&logged_lock);

  if (level & G_LOG_LEVEL_DEBUG)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* The password, or how it goes over the wire, is in no log line, no error
 * and no reply kept, whether the server takes it or refuses it. */
static void
test_mailer_password_not_logged (void)
{
  const char *secret = "Pw-9f3e-never-logged";
  g_autofree char *login = g_base64_encode ((const guchar *) secret, strlen (secret));
  g_autofree char *plain = NULL;
  const char *mechanisms[] = { "PLAIN", "LOGIN" };
  static const char plain_form[] = "\0scan\0Pw-9f3e-never-logged";

  plain = g_base64_encode ((const guchar *) plain_form, sizeof plain_form - 1);
  g_log_set_debug_enabled (TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    for (guint right = 0; right < 2; right++)
      {
        Server server = { 0 };
        g_autoptr(RsMailer) mailer = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *text = NULL;
        g_autofree char *summary = NULL;
        guint code = 0;

        server_start (&server, "smtp", "--user", "scan", "--password",
                      right ? secret : "something-else", "--only-auth", mechanisms[i], NULL);
        mailer = make_mailer (server.url, FALSE, secret, NULL);
        send_one (mailer, TO, &code, &text, &error);
        if (right)
          g_assert_no_error (error);
        else
          g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH);
        rs_mailer_test_connection (mailer, &summary, NULL, NULL);

        for (const char **needle = (const char *[]) { secret, login, plain, NULL };
             *needle != NULL; needle++)
          {
            g_assert_null (strstr (logged->str, *needle));
            g_assert_true (error == NULL || strstr (error->message, *needle) == NULL);
            g_assert_true (text == NULL || strstr (text, *needle) == NULL);
            g_assert_true (summary == NULL || strstr (summary, *needle) == NULL);
          }
        server_stop (&server);
      }

  /* The log did hear about the connections. */
  g_assert_nonnull (strstr (logged->str, "127.0.0.1"));
  g_log_set_debug_enabled (FALSE);
}

/* Servers that offer only one of the two common ways to sign in. */
static void
test_mailer_auth_mechanisms (void)
{
  const char *mechanisms[] = { "PLAIN", "LOGIN" };

  for (guint i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      Server server = { 0 };
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *used = g_strdup_printf ("\"mechanism\": \"%s\", \"success\": true",
                                               mechanisms[i]);

      server_start (&server, "smtp", "--user", "scan", "--password", "s3cret", "--only-auth",
                    mechanisms[i], NULL);
      mailer = make_mailer (server.url, FALSE, "s3cret", NULL);
      g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
      g_assert_no_error (error);
      g_assert_cmpuint (rs_test_server_count (&server, used), ==, 1);
      g_assert_cmpuint (server_count (&server, "message"), ==, 1);
      server_stop (&server);
    }
}

static void
test_mailer_greeting_421 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  guint code = 0;

  server_start (&server, "smtp", "--greet-421", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, NULL, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_cmpuint (code, ==, 421);
  server_stop (&server);
}

/* A server that was never reached is a wrong address: the job stops rather
 * than retrying for everyone. Once it answered, losing it is temporary. */
static void
test_mailer_unreachable (void)
{
  Server server = { 0 };
  g_autofree char *url = rs_test_closed_url ();
  g_autoptr(RsMailer) wrong = NULL;
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) later = NULL;

  wrong = make_mailer (url, FALSE, NULL, NULL);
  g_assert_cmpint (send_one (wrong, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "Preferences"));

  server_start (&server, "smtp", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, NULL), ==, RS_MAIL_SENT);
  server_stop (&server);
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &later), ==, RS_MAIL_TEMPORARY);
  g_assert_error (later, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
}

static void
test_mailer_recipient_451 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 0;

  server_start (&server, "smtp", "--rcpt-reply", TO "=451 4.7.1 Greylisted, try later", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_cmpuint (code, ==, 451);
  g_assert_cmpstr (text, ==, "4.7.1 Greylisted, try later");
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

static void
test_mailer_recipient_550 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 0;

  server_start (&server, "smtp", "--rcpt-reply", TO "=550 5.1.1 No such user here", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_assert_cmpuint (code, ==, 550);
  g_assert_cmpstr (text, ==, "5.1.1 No such user here");
  g_assert_true (strstr (error->message, TO) != NULL);
  g_assert_true (strstr (error->message, "550 5.1.1 No such user here") != NULL);
  g_clear_error (&error);
  g_clear_pointer (&text, g_free);

  /* The next person in the batch is not held up by the refusal. */
  g_assert_cmpint (send_one (mailer, "lena@example.org", &code, &text, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (code, ==, 250);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  server_stop (&server);
}

static void
test_mailer_data_554 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 0;

  server_start (&server, "smtp", "--data-reply", "554 5.7.1 Message refused as spam", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_assert_cmpuint (code, ==, 554);
  g_assert_cmpstr (text, ==, "5.7.1 Message refused as spam");
  server_stop (&server);
}

static void
test_mailer_drop_during_data (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GBytes) message = make_message (TO, 1);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 1;

  server_start (&server, "smtp", "--drop-data", "1", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_cmpuint (code, ==, 0);
  g_assert_null (text);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  g_clear_error (&error);

  g_assert_cmpint (send_one (mailer, TO, &code, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
  g_assert_cmpuint (server_count (&server, "connect"), ==, 2);
  stored = server_message (&server, 1);
  g_assert_true (g_bytes_equal (stored, message));
  server_stop (&server);
}

static void
test_mailer_timeout (void)
{
  RsMailerConfig config = { .timeout_s = 1, .connect_timeout_s = 1 };
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  server_start (&server, "smtp", "--delay", "4", NULL);
  config.url = server.url;
  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_true (strstr (error->message, "in time") != NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  server_stop (&server);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 5);
  g_cancellable_cancel (data);

  return NULL;
}

static void
test_mailer_cancel (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) message = make_message (TO, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  server_start (&server, "smtp", "--delay", "8", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, message, NULL, NULL, cancellable, &error),
                   ==, RS_MAIL_STOP);
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  server_stop (&server);
}

static void
test_mailer_plain_refused (void)
{
  static const char *loopback[] = {
    "smtp://127.0.0.1:2525", "smtp://127.1.2.3:25", "smtp://localhost:25", "smtp://[::1]:25",
    "smtp://LocalHost",
  };
  static const char *invalid[] = {
    "", "127.0.0.1:25", "http://127.0.0.1/", "smtp://", "smtp://scan:pw@127.0.0.1:25",
    "smtp://127.0.0.1:25\r\nQUIT", "smtp://127.0.0.1:25/?x=1",
  };
  RsMailerConfig config = { .url = "smtp://192.0.2.1:25", .connect_timeout_s = 1 };
  g_autoptr(GError) error = NULL;
  RsMailer *mailer;

  mailer = rs_mailer_new (&config, &error);
  g_assert_null (mailer);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE);
  g_assert_true (strstr (error->message, "192.0.2.1") != NULL);
  g_clear_error (&error);

  config.url = "smtp://127.0.0.1.example.com:25";
  g_assert_null (rs_mailer_new (&config, &error));
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE);
  g_clear_error (&error);

  /* Encrypted, the same host is fine; nothing connects until a send. */
  config.url = "smtp://192.0.2.1:25";
  config.starttls_required = TRUE;
  g_clear_pointer (&mailer, rs_mailer_free);
  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 0);
  g_clear_pointer (&mailer, rs_mailer_free);
  config.url = "smtps://192.0.2.1";
  config.starttls_required = FALSE;
  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);
  g_clear_pointer (&mailer, rs_mailer_free);

  for (guint i = 0; i < G_N_ELEMENTS (loopback); i++)
    {
      config.url = loopback[i];
      mailer = rs_mailer_new (&config, &error);
      g_assert_no_error (error);
      g_clear_pointer (&mailer, rs_mailer_free);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      config.url = invalid[i];
      g_assert_null (rs_mailer_new (&config, &error));
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG);
      g_assert_true (strstr (error->message, "Preferences") != NULL);
      g_clear_error (&error);
    }
}

static void
test_mailer_envelope_injection (void)
{
  static const char *bad[] = {
    "a@example.com\r\nRCPT TO:<b@example.org>", "a@example.com\nDATA", "a@example.com\r",
    "a@example.com> SIZE=1", "<a@example.com>", "", "a b@example.com",
  };
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GBytes) message = make_message (TO, 1);

  server_start (&server, "smtp", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint code = 1;

      g_assert_cmpint (rs_mailer_send (mailer, FROM, bad[i], message, &code, NULL, NULL,
                                       &error), ==, RS_MAIL_FAILED);
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS);
      g_assert_true (strchr (error->message, '\n') == NULL);
      g_assert_cmpuint (code, ==, 0);
      g_clear_error (&error);

      g_assert_cmpint (rs_mailer_send (mailer, bad[i], TO, message, NULL, NULL, NULL, &error),
                       ==, RS_MAIL_STOP);
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS);
    }

  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 0);
  g_assert_cmpuint (server_count (&server, "connect"), ==, 0);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

static void
test_mailer_test_connection (void)
{
  RsMailOutcome outcome;
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(RsMailer) wrong = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *none = NULL;

  server_start (&server, "smtp", "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);
  wrong = make_mailer (server.url, FALSE, "not-the-password", NULL);

  g_assert_true (rs_mailer_test_connection (mailer, &summary, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (summary, ==, "Connected to 127.0.0.1 without encryption, which is allowed "
                   "only to this computer. The user name and password were accepted.");

  /* The tested connection is the one the batch goes on with. */
  outcome = send_one (mailer, TO, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (outcome, ==, RS_MAIL_SENT);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);

  g_assert_false (rs_mailer_test_connection (wrong, &none, NULL, &error));
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH);
  g_assert_null (none);
  g_assert_true (g_str_has_prefix (error->message,
                                   "The server 127.0.0.1 refused the user name or password: "
                                   "535 "));
  g_assert_true (g_str_has_suffix (error->message,
                                   "Check the user name and password in Preferences."));
  g_assert_true (strstr (error->message, "not-the-password") == NULL);
  server_stop (&server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  logged = g_string_new (NULL);
  g_log_set_writer_func (record_log, NULL, NULL);
  rs_test_init (&argc, &argv);

  g_test_add_func ("/mailer/batch-one-connection", test_mailer_batch_one_connection);
  g_test_add_func ("/mailer/starttls", test_mailer_starttls);
  g_test_add_func ("/mailer/smtps", test_mailer_smtps);
  g_test_add_func ("/mailer/starttls-missing", test_mailer_starttls_missing);
  g_test_add_func ("/mailer/untrusted-certificate", test_mailer_untrusted_certificate);
  g_test_add_func ("/mailer/pinned-certificate", test_mailer_pinned_certificate);
  g_test_add_func ("/mailer/certificate-der", test_mailer_certificate_der);
  g_test_add_func ("/mailer/auth-refused", test_mailer_auth_refused);
  g_test_add_func ("/mailer/auth-mechanisms", test_mailer_auth_mechanisms);
  g_test_add_func ("/mailer/password-not-logged", test_mailer_password_not_logged);
  g_test_add_func ("/mailer/greeting-421", test_mailer_greeting_421);
  g_test_add_func ("/mailer/unreachable", test_mailer_unreachable);
  g_test_add_func ("/mailer/recipient-451", test_mailer_recipient_451);
  g_test_add_func ("/mailer/recipient-550", test_mailer_recipient_550);
  g_test_add_func ("/mailer/data-554", test_mailer_data_554);
  g_test_add_func ("/mailer/drop-during-data", test_mailer_drop_during_data);
  g_test_add_func ("/mailer/timeout", test_mailer_timeout);
  g_test_add_func ("/mailer/cancel", test_mailer_cancel);
  g_test_add_func ("/mailer/plain-refused", test_mailer_plain_refused);
  g_test_add_func ("/mailer/envelope-injection", test_mailer_envelope_injection);
  g_test_add_func ("/mailer/test-connection", test_mailer_test_connection);

  status = g_test_run ();
  if (cert_dir != NULL)
    rs_test_remove_tree (cert_dir);
  g_free (cert_dir);
  g_free (cert_path);
  g_free (key_path);

  return status;
}
