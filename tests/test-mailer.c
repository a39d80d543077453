/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-mailer"

#include "config.h"

#include "rs-mailer.h"
#include "rs-smtp-reply.h"
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

  /* Slow before the message went out: nothing was delivered. */
  server_start (&server, "smtp", "--delay-at", "RCPT=4", NULL);
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

  server_start (&server, "smtp", "--delay-at", "RCPT=8", NULL);
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

/* The table of replies against the real server: one fault at one stage,
 * the first time only. Afterwards a second message, to someone else, shows
 * whether the session went on (a refused recipient or message: the same
 * connection, after RSET) or was closed (anything else: a new one). */
typedef struct
{
  const char *name;
  const char *faults[3];
  gboolean sign_in;
  gboolean tls;
  RsMailOutcome outcome;
  int error_code;
  guint reply_code;
  const char *advice;
  guint connections;
  guint logins;
} ReplyCase;

#define OTHER "lena.smit@example.org"

static const ReplyCase reply_cases[] = {
  { "greeting-421", { "GREETING#1=421 4.3.2 Service not available" }, FALSE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 421, "tried again later", 2, 0 },
  { "greeting-554", { "GREETING#1=554 5.7.1 Access denied for 127.0.0.1" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 554, "does not take mail from this computer", 2, 1 },
  { "ehlo-421", { "EHLO#1=421 4.7.0 Too many connections, slow down" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 421, "tried again later", 2, 1 },
  { "ehlo-550", { "EHLO#1=550 5.7.1 Not from your network", "EHLO#2=550 5.7.1 Not from your "
    "network" }, FALSE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "does not take mail from this computer", 2, 0 },
  { "starttls-454", { "STARTTLS#1=454 4.7.0 TLS not available due to temporary reason" }, TRUE,
    TRUE, RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 454, "tried again later", 2, 1 },
  { "starttls-554", { "STARTTLS#1=554 5.7.3 Unable to initialize security subsystem" }, TRUE,
    TRUE, RS_MAIL_STOP, RS_MAILER_ERROR_TLS, 554, "smtps://", 2, 1 },
  { "auth-454-too-many", { "AUTH#1=454 4.7.0 Too many login attempts, please try again later." },
    TRUE, FALSE, RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 454, "too many sign-in attempts", 2, 2 },
  { "auth-451", { "AUTH#1=451 4.3.0 Temporary authentication failure" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 451, "tried again later", 2, 2 },
  { "auth-535-5.7.139", { "AUTH#1=535 5.7.139 Authentication unsuccessful, the request did not "
    "meet the criteria to be authenticated successfully. Contact your administrator." }, TRUE,
    FALSE, RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 535, "Sign in with Microsoft", 2, 2 },
  { "auth-535-5.7.30", { "AUTH#1=535 5.7.30 Basic authentication is not supported for Client "
    "Submission." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 535, "Sign in with Microsoft", 2, 2 },
  { "auth-534-5.7.9", { "AUTH#1=534-5.7.9 Application-specific password required. Learn more at"
    "\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 534, "app password", 2, 2 },
  { "auth-534-5.7.14", { "AUTH#1=534-5.7.14 Please log in with your web browser and then try "
    "again.\n534 5.7.14 Learn more at https://support.google.com/mail/answer/78754" }, TRUE,
    FALSE, RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 534, "web browser", 2, 2 },
  { "auth-534", { "AUTH#1=534 5.7.11 Authentication mechanism is too weak" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 534, "stronger way to sign in", 2, 2 },
  { "auth-538", { "AUTH#1=538 5.7.11 Encryption required for requested authentication "
    "mechanism" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 538, "encrypted connection", 2, 2 },
  { "auth-535", { "AUTH#1=535 5.7.8 Authentication credentials invalid" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_AUTH, 535, "Check the user name and password", 2, 2 },
  { "mail-5.7.30", { "MAIL#1=550 5.7.30 Basic authentication is not supported for Client "
    "Submission." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 550, "Sign in with Microsoft", 2, 2 },
  { "mail-5.4.5", { "MAIL#1=550-5.4.5 Daily user sending limit exceeded. For more information "
    "on\n550 5.4.5 Gmail sending limits go to https://support.google.com/a/answer/166852" },
    TRUE, FALSE, RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "daily sending limit", 2, 2 },
  { "mail-5.7.60", { "MAIL#1=550 5.7.60 SMTP; Client does not have permissions to send as this "
    "sender" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "Send As", 2, 2 },
  { "mail-530", { "MAIL#1=530 5.7.0 Authentication required" }, FALSE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 530, "wants a sign-in", 2, 0 },
  { "mail-5.7.57", { "MAIL#1=530 5.7.57 Client not authenticated to send mail" }, FALSE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 530, "wants a sign-in", 2, 0 },
  { "mail-5.1.8", { "MAIL#1=553 5.1.8 <" FROM ">: Sender address rejected: Domain not found" },
    TRUE, FALSE, RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 553, "sender address", 2, 2 },
  { "mail-5.7.1", { "MAIL#1=550 5.7.1 Sender not allowed" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "this account or sender", 2, 2 },
  { "mail-550", { "MAIL#1=550 Not allowed" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "this account or sender", 2, 2 },
  { "mail-421", { "MAIL#1=421 4.7.0 Too many messages, try again later" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 421, "tried again later", 2, 2 },
  { "mail-432", { "MAIL#1=432 4.3.2 System not accepting network messages" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 432, "tried again later", 2, 2 },
  { "mail-451", { "MAIL#1=451 4.7.500 Server busy. Please try again later" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 451, "tried again later", 2, 2 },
  { "rcpt-5.1.1", { "RCPT#1=550 5.1.1 <" TO ">: Recipient address rejected: User unknown" },
    TRUE, FALSE, RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 550, "Check the address", 1, 1 },
  { "rcpt-5.2.2", { "RCPT#1=552 5.2.2 Mailbox full" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 552, "Check the address", 1, 1 },
  { "rcpt-5.7.1-signed-in", { "RCPT#1=550 5.7.1 Delivery not authorized, message refused" },
    TRUE, FALSE, RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 550, "Check the address", 1, 1 },
  { "rcpt-5.7.1-relay", { "RCPT#1=554 5.7.1 <" TO ">: Relay access denied" }, FALSE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 554, "without a sign-in", 2, 0 },
  { "rcpt-5.4.5", { "RCPT#1=550 5.4.5 Daily sending quota exceeded" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "daily sending limit", 2, 2 },
  { "rcpt-5.1.8", { "RCPT#1=450 4.1.8 <" FROM ">: Sender address rejected: Domain not found",
    }, TRUE, FALSE, RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 450, "tried again later", 2,
    2 },
  { "rcpt-5.1.8-permanent", { "RCPT#1=550 5.1.8 <" FROM ">: Sender address rejected: Domain "
    "not found" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "sender address", 2, 2 },
  { "rcpt-452", { "RCPT#1=452 4.5.3 Too many recipients" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 452, "tried again later", 2, 2 },
  { "data-451", { "DATA#1=451 4.3.0 Mail server temporarily rejected message" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 451, "tried again later", 2, 2 },
  { "data-554", { "DATA#1=554 5.5.1 Error: no valid recipients" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 554, "refused this message", 1, 1 },
  { "data-5.7.1", { "DATA#1=550 5.7.1 Sending is not allowed" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "this account or sender", 2, 2 },
  { "dot-552-size", { "DOT#1=552 5.3.4 Message size exceeds fixed maximum message size" }, TRUE,
    FALSE, RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 552, "larger than the server accepts", 1,
    1 },
  { "dot-552", { "DOT#1=552 Too much mail data" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 552, "larger than the server accepts", 1, 1 },
  { "dot-552-content", { "DOT#1=552-5.7.0 This message was blocked because its content presents "
    "a potential\n552 5.7.0 security issue." }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 552, "spam or unsafe content", 1, 1 },
  { "dot-554-5.7.1-spam", { "DOT#1=554 5.7.1 Message refused as spam" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 554, "spam or unsafe content", 1, 1 },
  { "dot-554-5.6.0", { "DOT#1=554 5.6.0 Invalid message content" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 554, "spam or unsafe content", 1, 1 },
  { "dot-554", { "DOT#1=554 Transaction failed" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 554, "spam or unsafe content", 1, 1 },
  { "dot-550", { "DOT#1=550 Message rejected" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 550, "refused this message", 1, 1 },
  { "dot-5.1.1", { "DOT#1=550 5.1.1 User unknown" }, TRUE, FALSE,
    RS_MAIL_FAILED, RS_MAILER_ERROR_REJECTED, 550, "Check the address", 1, 1 },
  { "dot-5.2.0-send-as", { "DOT#1=554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException."
    "MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with "
    "message Cannot submit message." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 554, "Send As", 2, 2 },
  { "dot-5.7.60", { "DOT#1=550 5.7.60 SMTP; Client does not have permissions to send as this "
    "sender" }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "Send As", 2, 2 },
  { "dot-5.7.708", { "DOT#1=550 5.7.708 Service unavailable. Access denied, traffic not accepted "
    "from this IP." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "this account or sender", 2, 2 },
  { "dot-5.4.5", { "DOT#1=550 5.4.5 Daily user sending quota exceeded." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_ACCOUNT, 550, "daily sending limit", 2, 2 },
  { "dot-5.7.30", { "DOT#1=550 5.7.30 Basic authentication is not supported for Client "
    "Submission." }, TRUE, FALSE,
    RS_MAIL_STOP, RS_MAILER_ERROR_SIGN_IN, 550, "Sign in with Microsoft", 2, 2 },
  { "dot-421", { "DOT#1=421 4.4.2 Connection dropped due to timeout" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 421, "tried again later", 2, 2 },
  { "dot-451", { "DOT#1=451 4.7.500 Server busy. Please try again later" }, TRUE, FALSE,
    RS_MAIL_TEMPORARY, RS_MAILER_ERROR_TEMPORARY, 451, "tried again later", 2, 2 },
};

static void
test_mailer_reply (gconstpointer data)
{
  const ReplyCase *c = data;
  g_autoptr(GPtrArray) args = g_ptr_array_new_full (16, NULL);
  g_autofree char *key = NULL;
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *first_line = NULL;
  Server server = { 0 };
  guint code = 0;

  for (guint i = 0; i < G_N_ELEMENTS (c->faults) && c->faults[i] != NULL; i++)
    {
      g_ptr_array_add (args, (gpointer) "--reply");
      g_ptr_array_add (args, (gpointer) c->faults[i]);
    }
  if (c->sign_in)
    {
      g_ptr_array_add (args, (gpointer) "--user");
      g_ptr_array_add (args, (gpointer) "scan");
      g_ptr_array_add (args, (gpointer) "--password");
      g_ptr_array_add (args, (gpointer) "s3cret");
    }
  if (c->tls)
    {
      cert_file ();
      key = key_file ();
      g_ptr_array_add (args, (gpointer) "--cert");
      g_ptr_array_add (args, (gpointer) cert_file ());
      g_ptr_array_add (args, (gpointer) "--key");
      g_ptr_array_add (args, key);
      g_ptr_array_add (args, (gpointer) "--require-starttls");
    }
  g_assert_cmpuint (args->len, <, 16);
  g_ptr_array_set_size (args, 16);
  {
    const char **a = (const char **) args->pdata;

    /* The list ends at its first NULL. */
    rs_test_server_start (&server, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                          a[10], a[11], a[12], a[13], a[14], a[15], NULL);
  }
  mailer = make_mailer (server.url, c->tls, c->sign_in ? "s3cret" : NULL,
                        c->tls ? cert_file () : NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, c->outcome);
  g_assert_error (error, RS_MAILER_ERROR, c->error_code);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (code, ==, c->reply_code);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, c->advice));
  /* The reply as the server gave it, its lines joined, said once. */
  first_line = g_strdup (strchr (c->faults[0], '=') + 5);
  first_line[strcspn (first_line, "\n")] = '\0';
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, first_line));
  g_assert_null (strstr (text, "\n"));
  g_assert_null (strstr (error->message, ".."));
  g_assert_null (strstr (error->message, "  "));
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  g_clear_error (&error);

  /* The next message: the same connection after a refused recipient or
   * message, a new one after anything else. */
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, c->connections);
  g_assert_cmpuint (server_count (&server, "connect"), ==, c->connections);
  g_assert_cmpuint (server_count (&server, "auth"), ==, c->logins);
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"RSET\""), ==,
                    c->outcome == RS_MAIL_FAILED ? 1 : 0);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" OTHER "\"]"), ==, 1);
  server_stop (&server);
}

/* Lines of a reply are joined with the code said once, and a reply that
 * ends in a full stop does not get a second one in a sentence. */
static void
test_mailer_reply_lines (void)
{
  RsSmtpReply reply;
  g_autofree char *shown = NULL;

  rs_smtp_reply_init (&reply);
  g_assert_true (rs_smtp_reply_add_line (&reply, "534-5.7.9 Application-specific password "
                                         "required. Learn more at"));
  g_assert_false (reply.done);
  g_assert_true (rs_smtp_reply_add_line (&reply, "534 5.7.9  https://support.google.com/mail/"
                                         "?p=InvalidSecondFactor"));
  g_assert_true (reply.done);
  g_assert_cmpuint (reply.code, ==, 534);
  g_assert_cmpstr (reply.enhanced, ==, "5.7.9");
  g_assert_cmpstr (reply.text->str, ==, "5.7.9 Application-specific password required. Learn "
                   "more at https://support.google.com/mail/?p=InvalidSecondFactor");

  /* A line of another reply does not belong to this one. */
  g_assert_true (rs_smtp_reply_add_line (&reply, "250-smtp.example.com"));
  g_assert_false (rs_smtp_reply_add_line (&reply, "354 go on"));
  g_assert_false (rs_smtp_reply_add_line (&reply, "hello"));
  g_assert_false (rs_smtp_reply_add_line (&reply, "25"));
  rs_smtp_reply_reset (&reply);

  /* A code without its class is no enhanced code. */
  g_assert_true (rs_smtp_reply_add_line (&reply, "550 4.1.1 odd"));
  g_assert_cmpstr (reply.enhanced, ==, "");
  g_assert_true (rs_smtp_reply_add_line (&reply, "550 5.7.139 Authentication unsuccessful"));
  g_assert_cmpstr (reply.enhanced, ==, "5.7.139");
  g_assert_true (rs_smtp_reply_add_line (&reply, "550"));
  g_assert_true (reply.done);
  g_assert_cmpstr (reply.text->str, ==, "");
  rs_smtp_reply_clear (&reply);

  shown = rs_smtp_reply_text_shown ("5.7.30 Basic authentication is not supported for Client "
                                    "Submission.");
  g_assert_cmpstr (shown, ==, "5.7.30 Basic authentication is not supported for Client "
                   "Submission");
  g_clear_pointer (&shown, g_free);
  shown = rs_smtp_reply_text_shown ("a\x01" "b\xff...");
  g_assert_cmpstr (shown, ==, "a b\xef\xbf\xbd");
}

/* Every class of the table comes from a row; what is not known is
 * temporary. */
static void
test_mailer_reply_table (void)
{
  static const struct
  {
    RsSmtpStage stage;
    guint code;
    const char *enhanced;
    gboolean signed_in;
    RsSmtpClass klass;
  } rows[] = {
    { RS_SMTP_STAGE_RCPT, 554, "5.7.1", FALSE, RS_SMTP_CLASS_ACCOUNT },
    { RS_SMTP_STAGE_RCPT, 554, "5.7.1", TRUE, RS_SMTP_CLASS_RECIPIENT },
    { RS_SMTP_STAGE_RCPT, 550, "5.1.1", TRUE, RS_SMTP_CLASS_RECIPIENT },
    { RS_SMTP_STAGE_END_OF_DATA, 550, "5.7.60", TRUE, RS_SMTP_CLASS_ACCOUNT },
    { RS_SMTP_STAGE_END_OF_DATA, 554, "5.7.1", TRUE, RS_SMTP_CLASS_MESSAGE },
    { RS_SMTP_STAGE_END_OF_DATA, 550, "5.7.1", TRUE, RS_SMTP_CLASS_ACCOUNT },
    { RS_SMTP_STAGE_AUTH, 454, "4.7.0", FALSE, RS_SMTP_CLASS_SIGN_IN },
    { RS_SMTP_STAGE_MAIL, 454, "4.7.0", TRUE, RS_SMTP_CLASS_TEMPORARY },
    { RS_SMTP_STAGE_AUTH, 535, "5.7.3", FALSE, RS_SMTP_CLASS_CREDENTIALS },
    { RS_SMTP_STAGE_MAIL, 250, "2.1.0", TRUE, RS_SMTP_CLASS_ACCEPTED },
    { RS_SMTP_STAGE_MAIL, 199, "", TRUE, RS_SMTP_CLASS_TEMPORARY },
    { RS_SMTP_STAGE_MAIL, 699, "", TRUE, RS_SMTP_CLASS_TEMPORARY },
    { RS_SMTP_STAGE_RSET, 500, "", TRUE, RS_SMTP_CLASS_ACCOUNT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpint (rs_smtp_classify (rows[i].stage, rows[i].code, rows[i].enhanced,
                                       rows[i].signed_in)->klass, ==, rows[i].klass);
  g_assert_true (rs_smtp_enhanced_is_mailbox ("5.1.1"));
  g_assert_false (rs_smtp_enhanced_is_mailbox ("5.1.8"));
  g_assert_false (rs_smtp_enhanced_is_mailbox (""));
}

static GBytes *
make_big_message (const char *to,
                  gsize       size)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "From: Scan <" FROM ">\r\nTo: <%s>\r\nSubject: Big\r\n\r\n", to);
  while (text->len < size)
    g_string_append (text, "0123456789012345678901234567890123456789012345678901234567890123456"
                     "789012345678\r\n");

  return g_string_free_to_bytes (text);
}

/* The server stores the message and closes without a reply: it may have
 * been delivered, so it is "unknown", never sent again by the mailer. */
static void
test_mailer_stored_no_reply (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint code = 1;

  server_start (&server, "smtp", "--close", "DOT#1", "--user", "scan", "--password", "s3cret",
                NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

  g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_UNKNOWN);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, TO));
  g_assert_nonnull (strstr (error->message, "may have been delivered"));
  g_assert_cmpuint (code, ==, 0);
  g_assert_null (text);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" TO "\"]"), ==, 1);
  g_clear_error (&error);

  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
  g_assert_cmpuint (server_count (&server, "auth"), ==, 2);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" TO "\"]"), ==, 1);
  server_stop (&server);
}

/* The reply comes later than the timeout: "unknown", and the next message
 * goes on a new connection whose replies are its own. */
static void
test_mailer_late_reply (void)
{
  RsMailerConfig config = { .timeout_s = 1, .connect_timeout_s = 5 };
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) second = make_message (OTHER, 2);
  g_autoptr(GBytes) third = make_message (TO, 3);
  g_autoptr(GBytes) stored = NULL;
  g_autofree char *text = NULL;
  guint code = 1;
  gint64 start;

  server_start (&server, "smtp", "--delay-at", "DOT#1=4", "--reply",
                "RCPT#2=550 5.1.1 <" OTHER ">: no such user", NULL);
  config.url = server.url;
  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_cmpint (send_one (mailer, TO, &code, NULL, &error), ==, RS_MAIL_UNKNOWN);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "within 1 second."));
  /* Gave up after its 1 s, well before the answer came (a busy machine
   * may take a while to get there). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3500 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  g_clear_error (&error);

  /* The late 250 must not be taken for the answer to anything: the second
   * recipient is refused, and said so. */
  g_assert_cmpint (rs_mailer_send (mailer, FROM, OTHER, second, &code, &text, NULL, &error), ==,
                   RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_assert_cmpuint (code, ==, 550);
  g_assert_cmpstr (text, ==, "5.1.1 <" OTHER ">: no such user");
  g_clear_error (&error);
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, third, &code, &text, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "2.0.0 Accepted");
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  stored = server_message (&server, 2);
  g_assert_true (g_bytes_equal (stored, third));
  server_stop (&server);
}

/* A refused recipient: the next goes on in the same session, after RSET. */
static void
test_mailer_recipient_session (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", "--rcpt-reply", TO "=550 5.1.1 No such user here", "--user",
                "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpint (send_one (mailer, "noor@example.org", NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);

  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);
  g_assert_cmpuint (server_count (&server, "connect"), ==, 1);
  g_assert_cmpuint (server_count (&server, "auth"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"RSET\""), ==, 1);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  server_stop (&server);
}

/* Two different recipients refused in the same words: it is not about
 * them. A mailbox that does not exist, twice, is about them. */
static void
test_mailer_repeated_refusal (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", "--reply", "RCPT#1=550 Requested action not taken: <" TO ">",
                "--reply", "RCPT#2=550 Requested action not taken: <" OTHER ">",
                "--reply", "RCPT#3=550 5.1.1 <a@example.org>: User unknown",
                "--reply", "RCPT#4=550 5.1.1 <b@example.org>: User unknown",
                "--user", "scan", "--password", "s3cret", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED);
  g_assert_nonnull (strstr (error->message, TO));
  g_assert_nonnull (strstr (error->message, OTHER));
  g_assert_nonnull (strstr (error->message, "not about them"));
  g_clear_error (&error);

  g_assert_cmpint (send_one (mailer, "a@example.org", NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (send_one (mailer, "b@example.org", NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  server_stop (&server);
}

/* A server closes a connection left idle, with "421 4.4.2" or without a
 * word: it is opened again at once and the message goes. */
static void
test_mailer_idle_closed (void)
{
  const char *idle[] = { "0.5", "0.5=" };

  for (guint i = 0; i < G_N_ELEMENTS (idle); i++)
    {
      Server server = { 0 };
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) error = NULL;
      guint code = 0;

      server_start (&server, "smtp", "--idle", idle[i], "--user", "scan", "--password", "s3cret",
                    NULL);
      mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

      g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
      g_usleep (G_USEC_PER_SEC);
      g_assert_cmpint (send_one (mailer, OTHER, &code, NULL, &error), ==, RS_MAIL_SENT);
      g_assert_no_error (error);
      g_assert_cmpuint (code, ==, 250);
      g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
      g_assert_cmpuint (server_count (&server, "auth"), ==, 2);
      g_assert_cmpuint (server_count (&server, "message"), ==, 2);
      server_stop (&server);
    }
}

/* The first command on a kept connection gets "421": the server closed it
 * meanwhile; opened again at once, once. On a new connection 421 is a
 * deferral. */
static void
test_mailer_reused_421 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", "--reply", "MAIL#2=421 4.4.2 smtp.example.com Error: timeout "
                "exceeded", "--reply", "MAIL#4=421 4.4.2 smtp.example.com Error: timeout "
                "exceeded", "--reply", "MAIL#5=421 4.7.0 Try again later", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);

  /* Twice in a row: once again at once, then it is a deferral. */
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 3);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  server_stop (&server);
}

/* A user name is set and the server offers no sign-in: nothing is sent
 * without it. */
static void
test_mailer_no_auth_offered (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  server_start (&server, "smtp", NULL);
  mailer = make_mailer (server.url, FALSE, "s3cret", NULL);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN);
  g_assert_nonnull (strstr (error->message, "does not offer a sign-in"));
  g_assert_nonnull (strstr (error->message, "Preferences"));
  g_clear_error (&error);
  g_assert_false (rs_mailer_test_connection (mailer, &summary, NULL, &error));
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN);
  g_assert_null (summary);
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"MAIL\""), ==, 0);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* A line break in the sender's name would add a header to every message:
 * the job stops before anything is sent. */
static void
test_mailer_from_line_break (void)
{
  static const char *froms[] = {
    "From: Scan\r\nBcc evil@example.net <" FROM ">\r\n",
    "From: Scan\nBcc: evil@example.net <" FROM ">\r\n",
    "From: Scan\rBcc: evil@example.net <" FROM ">\r\n",
    "",
    "From: Scan <" FROM ">\r\nFrom: Other <other@example.com>\r\n",
  };
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;

  server_start (&server, "smtp", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (froms); i++)
    {
      g_autofree char *text = g_strdup_printf ("%sTo: <" TO ">\r\nSubject: Report\r\n\r\nHi\r\n",
                                               froms[i]);
      g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, message, NULL, NULL, NULL, &error), ==,
                       RS_MAIL_STOP);
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_ACCOUNT);
      g_assert_nonnull (strstr (error->message, "From"));
      g_assert_nonnull (strstr (error->message, "Preferences"));
    }

  /* Broken elsewhere in the header: this message only. */
  {
    const char *text = "From: Scan <" FROM ">\r\nTo: Ivo\r\nBos <" TO ">\r\n\r\nHi\r\n";
    g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, message, NULL, NULL, NULL, &error), ==,
                     RS_MAIL_FAILED);
    g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
    g_assert_nonnull (strstr (error->message, TO));
  }

  g_assert_cmpuint (server_count (&server, "connect"), ==, 0);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* The connection breaks while the message is going out: before its final
 * "." nothing can have been delivered. A small message is out, final "."
 * and all, before the break is seen: that one is "unknown". */
static void
test_mailer_drop_during_body (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GBytes) big = make_big_message (TO, 16 * 1024 * 1024);
  g_autoptr(GBytes) small = make_message (TO, 1);
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", "--drop-body", "1", "--drop-body", "2", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, big, NULL, NULL, NULL, &error), ==,
                   RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "broke off"));
  g_clear_error (&error);

  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, small, NULL, NULL, NULL, &error), ==,
                   RS_MAIL_UNKNOWN);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN);
  g_clear_error (&error);

  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, big, NULL, NULL, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 3);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
  server_stop (&server);
}

/* Stopped while waiting for the answer to the final ".": the message may
 * be delivered, so it is "unknown", at once. */
static void
test_mailer_cancel_after_dot (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) message = make_message (TO, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  server_start (&server, "smtp", "--delay-at", "DOT=8", NULL);
  mailer = make_mailer (server.url, FALSE, NULL, NULL);

  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, message, NULL, NULL, cancellable, &error),
                   ==, RS_MAIL_UNKNOWN);
  g_thread_join (thread);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "stopped"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  server_stop (&server);
}

/* A server that says nothing after connecting: a cancel ends the wait at
 * once, and without one the timeout does; nothing was sent either way. */
static void
test_mailer_silent_greeting (void)
{
  RsMailerConfig config = { .timeout_s = 1, .connect_timeout_s = 1 };
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(RsMailer) patient = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) message = make_message (TO, 1);
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  server_start (&server, "smtp", "--delay-at", "GREETING=8", NULL);
  config.url = server.url;
  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY);
  g_assert_nonnull (strstr (error->message, "in time"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_clear_error (&error);

  patient = make_mailer (server.url, FALSE, NULL, NULL);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_cmpint (rs_mailer_send (patient, FROM, TO, message, NULL, NULL, cancellable, &error),
                   ==, RS_MAIL_STOP);
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* A domain with letters beyond a–z goes as its ASCII form; letters beyond
 * a–z before the @ only to a server that supports SMTPUTF8. */
static void
test_mailer_international_address (void)
{
  Server plain = { 0 };
  Server utf8 = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(RsMailer) other = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&plain, "smtp", NULL);
  mailer = make_mailer (plain.url, FALSE, NULL, NULL);
  g_assert_cmpint (send_one (mailer, "ivo@b\xc3\xbc" "cher.example", NULL, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_test_server_count (&plain, "\"to\": [\"ivo@xn--bcher-kva.example\"]"),
                    ==, 1);

  g_assert_cmpint (send_one (mailer, "zo\xc3\xab@example.org", NULL, NULL, &error), ==,
                   RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS);
  g_assert_nonnull (strstr (error->message, "SMTPUTF8"));
  g_clear_error (&error);
  /* The server's own verdict on an address. */
  g_assert_cmpint (send_one (mailer, "ivo@a..example", NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);
  g_assert_cmpuint (server_count (&plain, "message"), ==, 2);

  server_start (&utf8, "smtp", "--smtputf8", NULL);
  other = make_mailer (utf8.url, FALSE, NULL, NULL);
  g_assert_cmpint (send_one (other, "zo\xc3\xab@example.org", NULL, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_test_server_count (&utf8, "\"to\": [\"zo\\u00eb@example.org\"]"), ==,
                    1);
  server_stop (&utf8);
  server_stop (&plain);
}

#define ACCOUNT "scan@example.com"
#define TOKEN "ya29.test-token-0f3e-never-logged"

/* A mailer that signs in with an access token over STARTTLS. */
static RsMailer *
make_token_mailer (const char *url,
                   const char *token)
{
  RsMailerConfig config = {
    .url = url,
    .starttls_required = TRUE,
    .user = ACCOUNT,
    .access_token = token,
    .ca_file = cert_file (),
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

/* Starts a server with STARTTLS that takes XOAUTH2 with TOKEN only, and the
 * options given. */
#define token_server_start(server, ...) \
  G_STMT_START { \
    g_autofree char *key_ = NULL; \
    cert_file (); \
    key_ = key_file (); \
    server_start (server, "smtp", "--cert", cert_file (), "--key", key_, \
                  "--require-starttls", "--user", ACCOUNT, __VA_ARGS__); \
  } G_STMT_END

static void
test_mailer_xoauth2 (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  token_server_start (&server, "--xoauth2-token", TOKEN, NULL);
  mailer = make_token_mailer (server.url, TOKEN);

  g_assert_true (rs_mailer_test_connection (mailer, &summary, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (summary, "sign-in token was accepted"));
  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_test_server_count (&server, "\"mechanism\": \"XOAUTH2\", "
                                          "\"success\": true"), ==, 1);
  g_assert_cmpuint (server_count (&server, "auth"), ==, 1);
  g_assert_cmpuint (server_count (&server, "message"), ==, 2);
  g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 1);
  server_stop (&server);
}

/* An expired token (Microsoft's 535 5.7.3, or Gmail's 334 with a JSON error
 * and a 535 5.7.8) is its own error; with a new token the same mailer goes
 * on. */
static void
test_mailer_xoauth2_expired (void)
{
  for (guint gmail = 0; gmail < 2; gmail++)
    {
      Server server = { 0 };
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint code = 0;

      if (gmail)
        token_server_start (&server, "--xoauth2-token", TOKEN, "--xoauth2-json", NULL);
      else
        token_server_start (&server, "--xoauth2-token", TOKEN, NULL);
      mailer = make_token_mailer (server.url, "ya29.expired");

      /* libcurl does not wait for Gmail's 535 after the JSON. */
      g_assert_cmpint (send_one (mailer, TO, &code, &text, &error), ==, RS_MAIL_STOP);
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TOKEN_EXPIRED);
      g_assert_cmpuint (code, ==, gmail ? 334 : 535);
      g_assert_nonnull (strstr (text, gmail ? "eyJ" : "5.7.3"));
      g_assert_nonnull (strstr (error->message, "sign in again"));
      g_assert_null (strstr (error->message, "expired ("));
      g_assert_cmpuint (server_count (&server, "message"), ==, 0);
      g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"MAIL\""), ==, 0);
      g_clear_error (&error);

      rs_mailer_set_access_token (mailer, TOKEN);
      g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
      g_assert_no_error (error);
      g_assert_cmpuint (server_count (&server, "message"), ==, 1);
      g_assert_cmpuint (rs_test_server_count (&server, "\"success\": true"), ==, 1);
      g_assert_cmpuint (rs_mailer_get_connections (mailer), ==, 2);
      server_stop (&server);
    }
}

/* Microsoft 365 with SMTP AUTH switched off for the mailbox: advice about
 * that, not about the token. */
static void
test_mailer_xoauth2_smtp_auth_disabled (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  token_server_start (&server, "--xoauth2-token", TOKEN, "--reply",
                      "AUTH=535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                      "is disabled for the Tenant.", NULL);
  mailer = make_token_mailer (server.url, TOKEN);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN);
  g_assert_nonnull (strstr (error->message, "5.7.139"));
  g_assert_nonnull (strstr (error->message, "Microsoft Graph"));
  g_assert_cmpuint (server_count (&server, "message"), ==, 0);
  server_stop (&server);
}

/* A token and a server that offers other sign-ins, or none: a clear stop
 * before MAIL FROM, and no password sign-in tried instead. */
static void
test_mailer_xoauth2_not_offered (void)
{
  for (guint none = 0; none < 2; none++)
    {
      Server server = { 0 };
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *key = NULL;

      cert_file ();
      key = key_file ();
      if (none)
        server_start (&server, "smtp", "--cert", cert_file (), "--key", key,
                      "--require-starttls", "--no-auth", NULL);
      else
        server_start (&server, "smtp", "--cert", cert_file (), "--key", key,
                      "--require-starttls", "--user", ACCOUNT, "--password", "s3cret", NULL);
      mailer = make_token_mailer (server.url, TOKEN);

      g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
      g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN);
      g_assert_nonnull (strstr (error->message, none ? "does not offer a sign-in"
                                                     : "(XOAUTH2)"));
      g_assert_nonnull (strstr (error->message, "Preferences"));
      g_assert_cmpuint (server_count (&server, "auth"), ==, 0);
      g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"MAIL\""), ==, 0);
      server_stop (&server);
    }
}

/* A token never goes over a connection that is not encrypted, not even to
 * this computer; and it needs the account's address. */
static void
test_mailer_xoauth2_unencrypted (void)
{
  RsMailerConfig config = {
    .url = "smtp://127.0.0.1:2525",
    .user = ACCOUNT,
    .access_token = TOKEN,
  };
  g_autoptr(GError) error = NULL;

  g_assert_null (rs_mailer_new (&config, &error));
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE);
  g_assert_null (strstr (error->message, TOKEN));
  g_clear_error (&error);

  config.starttls_required = TRUE;
  config.user = NULL;
  g_assert_null (rs_mailer_new (&config, &error));
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG);
}

/* The token, and how it goes over the wire, is in no log line, error or
 * reply kept, whether the server takes it or not. */
static void
test_mailer_xoauth2_not_logged (void)
{
  g_autofree char *blob = NULL;
  g_autofree char *form = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001", ACCOUNT,
                                           TOKEN);

  blob = g_base64_encode ((const guchar *) form, strlen (form));
  g_log_set_debug_enabled (TRUE);

  for (guint right = 0; right < 2; right++)
    {
      Server server = { 0 };
      g_autoptr(RsMailer) mailer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *summary = NULL;

      token_server_start (&server, "--xoauth2-token", right ? TOKEN : "ya29.other", NULL);
      mailer = make_token_mailer (server.url, TOKEN);
      send_one (mailer, TO, NULL, &text, &error);
      if (right)
        g_assert_no_error (error);
      else
        g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TOKEN_EXPIRED);
      rs_mailer_test_connection (mailer, &summary, NULL, NULL);

      for (const char **needle = (const char *[]) { TOKEN, blob, NULL }; *needle != NULL;
           needle++)
        {
          g_assert_null (strstr (logged->str, *needle));
          g_assert_true (error == NULL || strstr (error->message, *needle) == NULL);
          g_assert_true (text == NULL || strstr (text, *needle) == NULL);
          g_assert_true (summary == NULL || strstr (summary, *needle) == NULL);
        }
      server_stop (&server);
    }

  g_log_set_debug_enabled (FALSE);
}

static RsMailer *
make_copy_mailer (const char *url)
{
  RsMailerConfig config = {
    .url = url,
    .connect_timeout_s = 5,
    .timeout_s = 10,
    .keep_copy = TRUE,
  };
  g_autoptr(GError) error = NULL;
  RsMailer *mailer;

  mailer = rs_mailer_new (&config, &error);
  g_assert_no_error (error);

  return mailer;
}

/* "Keep a copy": the sender is a second recipient in the envelope only; the
 * message has no Bcc header and is the message given. */
static void
test_mailer_keep_copy (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = make_message (TO, 1);
  g_autoptr(GBytes) stored = NULL;
  g_autoptr(GBytes) own = make_message (FROM, 2);
  g_autofree char *text = NULL;

  server_start (&server, "smtp", NULL);
  mailer = make_copy_mailer (server.url);

  g_assert_cmpint (rs_mailer_send (mailer, FROM, TO, message, NULL, NULL, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_null (rs_mailer_get_copy_refusal (mailer));
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"RCPT\""), ==, 2);
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" TO "\", \"" FROM "\"]"), ==, 1);
  stored = server_message (&server, 1);
  g_assert_true (g_bytes_equal (stored, message));
  text = g_strndup (g_bytes_get_data (stored, NULL), g_bytes_get_size (stored));
  g_assert_null (strstr (text, "Bcc"));
  g_assert_null (strstr (text, "bcc"));

  /* A message to the sender's own address goes once. */
  g_assert_cmpint (rs_mailer_send (mailer, FROM, FROM, own, NULL, NULL, NULL, &error), ==,
                   RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"RCPT\""), ==, 3);
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" FROM "\"]"), ==, 1);
  server_stop (&server);
}

/* The copy refused: the respondent's message goes, and the refusal is
 * told. A refused respondent: no copy is asked for. */
static void
test_mailer_keep_copy_refused (void)
{
  Server server = { 0 };
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, "smtp", "--rcpt-reply", FROM "=550 5.1.1 No such user here",
                "--rcpt-reply", OTHER "=550 5.1.1 No such user here", NULL);
  mailer = make_copy_mailer (server.url);

  g_assert_cmpint (send_one (mailer, TO, NULL, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_nonnull (rs_mailer_get_copy_refusal (mailer));
  g_assert_nonnull (strstr (rs_mailer_get_copy_refusal (mailer), "550 5.1.1"));
  g_assert_cmpuint (rs_test_server_count (&server, "\"to\": [\"" TO "\"]"), ==, 1);

  g_assert_cmpint (send_one (mailer, OTHER, NULL, NULL, &error), ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED);
  g_assert_null (rs_mailer_get_copy_refusal (mailer));
  g_assert_cmpuint (rs_test_server_count (&server, "\"verb\": \"RCPT\""), ==, 3);
  g_assert_cmpuint (server_count (&server, "message"), ==, 1);
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
  g_test_add_func ("/mailer/reply-lines", test_mailer_reply_lines);
  g_test_add_func ("/mailer/reply-table", test_mailer_reply_table);
  for (gsize i = 0; i < G_N_ELEMENTS (reply_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/mailer/reply/", reply_cases[i].name, NULL);

      g_test_add_data_func (path, &reply_cases[i], test_mailer_reply);
    }
  g_test_add_func ("/mailer/stored-no-reply", test_mailer_stored_no_reply);
  g_test_add_func ("/mailer/late-reply", test_mailer_late_reply);
  g_test_add_func ("/mailer/recipient-session", test_mailer_recipient_session);
  g_test_add_func ("/mailer/repeated-refusal", test_mailer_repeated_refusal);
  g_test_add_func ("/mailer/idle-closed", test_mailer_idle_closed);
  g_test_add_func ("/mailer/reused-421", test_mailer_reused_421);
  g_test_add_func ("/mailer/no-auth-offered", test_mailer_no_auth_offered);
  g_test_add_func ("/mailer/from-line-break", test_mailer_from_line_break);
  g_test_add_func ("/mailer/drop-during-body", test_mailer_drop_during_body);
  g_test_add_func ("/mailer/cancel-after-dot", test_mailer_cancel_after_dot);
  g_test_add_func ("/mailer/silent-greeting", test_mailer_silent_greeting);
  g_test_add_func ("/mailer/international-address", test_mailer_international_address);
  g_test_add_func ("/mailer/xoauth2", test_mailer_xoauth2);
  g_test_add_func ("/mailer/xoauth2-expired", test_mailer_xoauth2_expired);
  g_test_add_func ("/mailer/xoauth2-smtp-auth-disabled", test_mailer_xoauth2_smtp_auth_disabled);
  g_test_add_func ("/mailer/xoauth2-not-offered", test_mailer_xoauth2_not_offered);
  g_test_add_func ("/mailer/xoauth2-unencrypted", test_mailer_xoauth2_unencrypted);
  g_test_add_func ("/mailer/xoauth2-not-logged", test_mailer_xoauth2_not_logged);
  g_test_add_func ("/mailer/keep-copy", test_mailer_keep_copy);
  g_test_add_func ("/mailer/keep-copy-refused", test_mailer_keep_copy_refused);

  status = g_test_run ();
  if (cert_dir != NULL)
    rs_test_remove_tree (cert_dir);
  g_free (cert_dir);
  g_free (cert_path);
  g_free (key_path);

  return status;
}
