/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-graph"

#include "config.h"

#include <json-glib/json-glib.h>

#include "rs-graph.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-send-job.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* RsGraph against tests/graph-server.py over HTTPS on 127.0.0.1: what goes
 * in the JSON, and how every answer is sorted. */

#define TOKEN "eyJ0eXAi.graph-token-7c1d-never-logged"
#define FROM "scan@example.com"
#define TO "renee.ozturk@example.org"
#define TO_NAME "Renée Öztürk"
#define SUBJECT "Uw rapport – Supply Chain Resilience Scan"
#define TEXT "Beste Renée,\n\nIn de bijlage vindt u uw rapport.\n\nMet vriendelijke groet"
#define MESSAGE_ID "20261207.1.42@scan.example.com"

typedef struct
{
  char *dir;
  GSubprocess *process;
  char *url;
} Server;

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

/* Starts tests/graph-server.py with the options given. */
static void
server_start (Server     *server,
              const char *first_arg,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list args;

  cert_file ();
  server->dir = rs_test_make_tmpdir ();
  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) g_test_get_filename (G_TEST_DIST, "graph-server.py", NULL));
  g_ptr_array_add (argv, server->dir);
  g_ptr_array_add (argv, (gpointer) "--cert");
  g_ptr_array_add (argv, cert_path);
  g_ptr_array_add (argv, (gpointer) "--key");
  g_ptr_array_add (argv, key_path);
  g_ptr_array_add (argv, (gpointer) "--token");
  g_ptr_array_add (argv, (gpointer) TOKEN);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
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

/* How often @needle is in the server's log. */
static guint
server_count (Server     *server,
              const char *needle)
{
  g_autofree char *path = g_build_filename (server->dir, "log.jsonl", NULL);
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &log, NULL, NULL))
    return 0;
  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

#define messages_stored(server) server_count (server, "\"event\": \"message\"")

static JsonNode *
server_request (Server *server,
                guint   n)
{
  g_autofree char *name = g_strdup_printf ("%u.json", n);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

/* A "PDF" with every byte value in it, so that any change shows. */
static GBytes *
make_pdf (void)
{
  GByteArray *data = g_byte_array_new ();
  static const char head[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";

  g_byte_array_append (data, (const guint8 *) head, sizeof head - 1);
  for (guint round = 0; round < 200; round++)
    for (guint i = 0; i < 256; i++)
      {
        guint8 byte = (guint8) (i ^ round);

        g_byte_array_append (data, &byte, 1);
      }
  g_byte_array_append (data, (const guint8 *) "\n%%EOF\n", 7);

  return g_byte_array_free_to_bytes (data);
}

static RsGraph *
make_graph (const char *url,
            const char *token,
            const char *ca_file,
            guint       timeout_s)
{
  RsGraphConfig config = {
    .url = url,
    .access_token = token,
    .ca_file = ca_file,
    .connect_timeout_s = 5,
    .timeout_s = timeout_s > 0 ? timeout_s : 20,
  };
  g_autoptr(GError) error = NULL;
  RsGraph *graph;

  graph = rs_graph_new (&config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (graph);

  return graph;
}

static RsMailOutcome
send_one (RsGraph    *graph,
          const char *to,
          guint      *status,
          char      **text,
          GError    **error)
{
  g_autoptr(GBytes) pdf = make_pdf ();
  RsGraphMessage message = {
    .to_address = to,
    .to_name = TO_NAME,
    .from_address = FROM,
    .from_name = "Scan Team",
    .subject = SUBJECT,
    .text = TEXT,
    .message_id = MESSAGE_ID,
    .attachment_name = "Rapport Renée Öztürk.pdf",
    .attachment = pdf,
  };

  return rs_graph_send (graph, &message, status, text, NULL, error);
}

/* 202: sent; the JSON has the recipient with her name, the subject, the
 * text, the PDF's exact bytes, the Message-ID and saveToSentItems. */
static void
test_graph_send (void)
{
  Server server = { 0 };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) pdf = make_pdf ();
  g_autoptr(GBytes) sent_pdf = NULL;
  g_autofree char *text = NULL;
  g_autofree guchar *decoded = NULL;
  JsonObject *request;
  JsonObject *message;
  JsonObject *recipient;
  JsonObject *attachment;
  JsonArray *recipients;
  JsonArray *attachments;
  gsize length = 0;
  guint status = 0;

  server_start (&server, NULL);
  graph = make_graph (server.url, TOKEN, cert_file (), 0);

  g_assert_cmpint (send_one (graph, TO, &status, &text, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 202);
  g_assert_null (text);
  g_assert_cmpuint (messages_stored (&server), ==, 1);

  root = server_request (&server, 1);
  request = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (request, "saveToSentItems"));
  message = json_object_get_object_member (request, "message");
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, SUBJECT);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "body"),
                                                  "contentType"), ==, "Text");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "body"),
                                                  "content"), ==, TEXT);
  g_assert_cmpstr (json_object_get_string_member (message, "internetMessageId"), ==,
                   "<" MESSAGE_ID ">");

  recipients = json_object_get_array_member (message, "toRecipients");
  g_assert_cmpuint (json_array_get_length (recipients), ==, 1);
  recipient = json_object_get_object_member (json_array_get_object_element (recipients, 0),
                                             "emailAddress");
  g_assert_cmpstr (json_object_get_string_member (recipient, "address"), ==, TO);
  g_assert_cmpstr (json_object_get_string_member (recipient, "name"), ==, TO_NAME);
  g_assert_false (json_object_has_member (message, "ccRecipients"));
  g_assert_false (json_object_has_member (message, "bccRecipients"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_object_get_object_member (message, "from"), "emailAddress"),
                     "address"), ==, FROM);

  attachments = json_object_get_array_member (message, "attachments");
  g_assert_cmpuint (json_array_get_length (attachments), ==, 1);
  attachment = json_array_get_object_element (attachments, 0);
  g_assert_cmpstr (json_object_get_string_member (attachment, "@odata.type"), ==,
                   "#microsoft.graph.fileAttachment");
  g_assert_cmpstr (json_object_get_string_member (attachment, "name"), ==,
                   "Rapport Renée Öztürk.pdf");
  g_assert_cmpstr (json_object_get_string_member (attachment, "contentType"), ==,
                   "application/pdf");
  decoded = g_base64_decode (json_object_get_string_member (attachment, "contentBytes"),
                             &length);
  sent_pdf = g_bytes_new (decoded, length);
  g_assert_true (g_bytes_equal (sent_pdf, pdf));

  server_stop (&server);
}

/* 401: the token; with a new one the same RsGraph sends, once. */
static void
test_graph_token_expired (void)
{
  Server server = { 0 };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint status = 0;

  server_start (&server, NULL);
  graph = make_graph (server.url, "eyJ0eXAi.expired", cert_file (), 0);

  g_assert_cmpint (send_one (graph, TO, &status, &text, &error), ==, RS_MAIL_STOP);
  g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED);
  g_assert_cmpuint (status, ==, 401);
  g_assert_nonnull (strstr (text, "InvalidAuthenticationToken"));
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_assert_cmpuint (messages_stored (&server), ==, 0);
  g_clear_error (&error);

  rs_graph_set_access_token (graph, TOKEN);
  g_assert_cmpint (send_one (graph, TO, &status, NULL, &error), ==, RS_MAIL_SENT);
  g_assert_no_error (error);
  g_assert_cmpuint (messages_stored (&server), ==, 1);
  server_stop (&server);
}

/* 429 and 503 with Retry-After: temporary, the wait told; nothing stored.
 * The next request, after the wait, goes. */
static void
test_graph_throttled (void)
{
  const struct
  {
    const char *status;
    const char *retry_after;
    guint seconds;
  } cases[] = {
    { "429", "7", 7 },
    { "503", "3", 3 },
    { "429", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Server server = { 0 };
      g_autoptr(RsGraph) graph = NULL;
      g_autoptr(GError) error = NULL;
      guint status = 0;

      if (cases[i].retry_after != NULL)
        server_start (&server, "--status", cases[i].status, "--retry-after",
                      cases[i].retry_after, "--error-code", "ApplicationThrottled", "--times",
                      "1", NULL);
      else
        server_start (&server, "--status", cases[i].status, "--times", "1", NULL);
      graph = make_graph (server.url, TOKEN, cert_file (), 0);

      g_assert_cmpint (send_one (graph, TO, &status, NULL, &error), ==, RS_MAIL_TEMPORARY);
      g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TEMPORARY);
      g_assert_cmpuint (status, ==, atoi (cases[i].status));
      g_assert_cmpuint (rs_graph_get_retry_after (graph), ==, cases[i].seconds);
      g_assert_cmpuint (messages_stored (&server), ==, 0);
      g_clear_error (&error);

      g_assert_cmpint (send_one (graph, TO, &status, NULL, &error), ==, RS_MAIL_SENT);
      g_assert_no_error (error);
      g_assert_cmpuint (rs_graph_get_retry_after (graph), ==, 0);
      g_assert_cmpuint (messages_stored (&server), ==, 1);
      server_stop (&server);
    }
}

/* Refusals about the account stop with advice; about one recipient or the
 * message's size, that respondent fails. */
static void
test_graph_refusals (void)
{
  const struct
  {
    const char *status;
    const char *code;
    RsMailOutcome outcome;
    RsGraphError error;
    const char *advice;
  } cases[] = {
    { "403", "ErrorSendAsDenied", RS_MAIL_STOP, RS_GRAPH_ERROR_ACCOUNT, "Send As" },
    { "403", "ErrorAccessDenied", RS_MAIL_STOP, RS_GRAPH_ERROR_ACCOUNT, "Mail.Send" },
    { "404", "MailboxNotEnabledForRESTAPI", RS_MAIL_STOP, RS_GRAPH_ERROR_ACCOUNT,
      "Exchange Online mailbox" },
    { "429", "ErrorExceededMessageLimit", RS_MAIL_TEMPORARY, RS_GRAPH_ERROR_TEMPORARY,
      "tried again" },
    { "403", "ErrorQuotaExceeded", RS_MAIL_STOP, RS_GRAPH_ERROR_ACCOUNT, "24 hours" },
    { "400", "ErrorInvalidRecipients", RS_MAIL_FAILED, RS_GRAPH_ERROR_REJECTED,
      "Check the address" },
    { "413", "ErrorMessageSizeExceeded", RS_MAIL_FAILED, RS_GRAPH_ERROR_REJECTED, "larger" },
    { "400", "ErrorInvalidRequest", RS_MAIL_STOP, RS_GRAPH_ERROR_ACCOUNT, "Nothing was sent" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Server server = { 0 };
      g_autoptr(RsGraph) graph = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint status = 0;

      server_start (&server, "--status", cases[i].status, "--error-code", cases[i].code,
                    "--error-message", "Refused by the test.", NULL);
      graph = make_graph (server.url, TOKEN, cert_file (), 0);

      g_assert_cmpint (send_one (graph, TO, &status, &text, &error), ==, cases[i].outcome);
      g_assert_error (error, RS_GRAPH_ERROR, (gint) cases[i].error);
      g_assert_cmpuint (status, ==, atoi (cases[i].status));
      g_assert_nonnull (strstr (text, cases[i].code));
      g_assert_nonnull (strstr (error->message, cases[i].code));
      g_assert_nonnull (strstr (error->message, "Refused by the test"));
      g_assert_nonnull (strstr (error->message, cases[i].advice));
      if (cases[i].outcome == RS_MAIL_FAILED)
        g_assert_nonnull (strstr (error->message, TO));
      if (g_str_equal (cases[i].code, "ErrorSendAsDenied"))
        g_assert_nonnull (strstr (error->message, FROM));
      g_assert_cmpuint (messages_stored (&server), ==, 0);
      server_stop (&server);
    }
}

/* The whole request went out and no answer came (dropped, timed out, or a
 * server error of Graph's own): unknown, never sent again by itself. */
static void
test_graph_unknown (void)
{
  for (guint i = 0; i < 3; i++)
    {
      Server server = { 0 };
      g_autoptr(RsGraph) graph = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      guint status = 1;

      if (i == 0)
        server_start (&server, "--drop-after-body", NULL);
      else if (i == 1)
        server_start (&server, "--delay", "4", NULL);
      else
        server_start (&server, "--status", "504", "--error-code", "GatewayTimeout", NULL);
      graph = make_graph (server.url, TOKEN, cert_file (), i == 1 ? 1 : 0);

      g_assert_cmpint (send_one (graph, TO, &status, &text, &error), ==, RS_MAIL_UNKNOWN);
      g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNKNOWN);
      g_assert_nonnull (strstr (error->message, TO));
      g_assert_nonnull (strstr (error->message, "may have been sent"));
      g_assert_cmpuint (status, ==, i == 2 ? 504 : 0);
      g_assert_cmpuint (messages_stored (&server), ==, i == 0 ? 1 : 0);
      server_stop (&server);
    }
}

/* Stopped before anything went out: nothing sent, no "unknown". */
static void
test_graph_cancel (void)
{
  Server server = { 0 };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) pdf = make_pdf ();
  RsGraphMessage message = {
    .to_address = TO,
    .subject = SUBJECT,
    .text = TEXT,
    .attachment = pdf,
  };

  server_start (&server, NULL);
  graph = make_graph (server.url, TOKEN, cert_file (), 0);
  g_cancellable_cancel (cancellable);

  g_assert_cmpint (rs_graph_send (graph, &message, NULL, NULL, cancellable, &error), ==,
                   RS_MAIL_STOP);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (server_count (&server, "sendMail"), ==, 0);
  server_stop (&server);
}

/* The certificate is checked: without the CA file the server is not
 * trusted and nothing goes; --cafile makes it trusted. */
static void
test_graph_untrusted (void)
{
  Server server = { 0 };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_ca = NULL;

  server_start (&server, NULL);
  bad_ca = g_build_filename (server.dir, "no-such-ca.pem", NULL);
  graph = make_graph (server.url, TOKEN, NULL, 0);
  /* Trusted by the system? Then there is nothing to see. */
  g_assert_cmpint (send_one (graph, TO, NULL, NULL, &error), ==, RS_MAIL_STOP);
  g_assert_true (g_error_matches (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNTRUSTED)
                 || g_error_matches (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TLS));
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_cmpuint (messages_stored (&server), ==, 0);
  server_stop (&server);
}

/* Nothing listens: temporary, the connection named. */
static void
test_graph_unreachable (void)
{
  g_autofree char *smtp_url = rs_test_closed_url ();
  g_autofree char *url = g_strconcat ("https", strchr (smtp_url, ':'), NULL);
  g_autoptr(RsGraph) graph = make_graph (url, TOKEN, cert_file (), 0);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (send_one (graph, TO, NULL, NULL, &error), ==, RS_MAIL_TEMPORARY);
  g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static void
test_graph_me (void)
{
  for (guint upn = 0; upn < 2; upn++)
    {
      Server server = { 0 };
      g_autoptr(RsGraph) graph = NULL;
      g_autoptr(RsGraph) wrong = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *address = NULL;
      g_autofree char *none = NULL;

      if (upn)
        server_start (&server, "--mail", "", NULL);
      else
        server_start (&server, NULL);
      graph = make_graph (server.url, TOKEN, cert_file (), 0);

      address = rs_graph_get_me (graph, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (address, ==, upn ? "scan@example.onmicrosoft.com" : "scan@example.com");

      wrong = make_graph (server.url, "eyJ0eXAi.expired", cert_file (), 0);
      none = rs_graph_get_me (wrong, NULL, &error);
      g_assert_null (none);
      g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED);
      g_assert_cmpuint (server_count (&server, "sendMail"), ==, 0);
      server_stop (&server);
    }
}

static void
test_graph_config (void)
{
  const char *bad[] = { "http://127.0.0.1:8080", "https://", "https://user:pw@graph.example.com",
                        "https://graph.example.com/?x=1", "graph.example.com",
                        "https://graph.example.com\n" };
  RsGraphConfig config = { .access_token = TOKEN };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;

      config.url = bad[i];
      g_assert_null (rs_graph_new (&config, &local_error));
      g_assert_error (local_error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_CONFIG);
      g_assert_null (strstr (local_error->message, TOKEN));
    }

  config.url = NULL;
  config.access_token = NULL;
  g_assert_null (rs_graph_new (&config, &error));
  g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED);
  g_clear_error (&error);

  /* Microsoft's own by default. */
  config.access_token = TOKEN;
  graph = rs_graph_new (&config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (graph);
}

/* A recipient address that cannot be used fails that respondent only,
 * before anything goes out. */
static void
test_graph_bad_recipient (void)
{
  Server server = { 0 };
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&server, NULL);
  graph = make_graph (server.url, TOKEN, cert_file (), 0);
  g_assert_cmpint (send_one (graph, "ivo@example.org\r\nBcc: x@example.net", NULL, NULL, &error),
                   ==, RS_MAIL_FAILED);
  g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_ADDRESS);
  g_assert_cmpuint (server_count (&server, "sendMail"), ==, 0);
  server_stop (&server);
}

/* The send job through Graph: a real database and real reports. */

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
  "2,2,2,2,2,1,1,1,1,1,1,1,1,1,1\n";

#define N_PEOPLE 3

typedef struct
{
  char *dir;
  RsStore *store;
  Server server;
  /* statuses seen just before each message was handed over */
  GString *before;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *db = NULL;
  g_autofree char *folder = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->before = g_string_new (NULL);
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  folder = g_build_filename (fixture->dir, "Reports", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  file = g_file_new_for_path (csv);
  imported = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->added, ==, N_PEOPLE);

  made = rs_report_job_run (fixture->store, folder, NULL, 0, FALSE, 2, NULL, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, ==, N_PEOPLE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  server_stop (&fixture->server);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_string_free (fixture->before, TRUE);
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
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

#define assert_query(fixture, expected, sql) \
  G_STMT_START { \
    g_autofree char *_value = query (fixture, sql); \
    g_assert_cmpstr (_value, ==, expected); \
  } G_STMT_END

/* Just before a message goes: its record says `sending` already. */
static void
on_progress (const RsSendSummary *so_far,
             const RsSendItem    *current,
             const RsSendResult  *result,
             gpointer             user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *sql = NULL;
  g_autofree char *status = NULL;

  if (result != NULL || current == NULL || so_far->wait_s != 0)
    return;
  sql = g_strdup_printf ("SELECT status FROM delivery WHERE respondent_id = %lld",
                         (long long) current->id);
  status = query (fixture, sql);
  g_string_append_printf (fixture->before, "%s ", status);
}

static RsSendOptions
make_options (Fixture    *fixture,
              const char *token)
{
  RsSendOptions options = {
    .mode = RS_SEND_MODE_LIVE,
    .transport = RS_SEND_TRANSPORT_GRAPH,
    .graph = {
      .url = fixture->server.url,
      .access_token = token,
      .ca_file = cert_file (),
      .connect_timeout_s = 5,
      .timeout_s = 10,
    },
    .from_address = FROM,
    .from_name = "Scan Team",
    .subject_en = "Your report, {name}",
    .subject_nl = "Uw rapport, {name}",
    .max_tries = 3,
    .backoff_ms = 10,
  };

  return options;
}

/* Every respondent sent through Graph, each with their own report, name
 * and Message-ID; `sending` was written before each request. */
static void
test_graph_job_live (Fixture       *fixture,
                     gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&fixture->server, NULL);
  options = make_options (fixture, TOKEN);
  summary = rs_send_job_run (fixture->store, &options, on_progress, fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  g_assert_cmpuint (summary->sent, ==, N_PEOPLE);
  g_assert_cmpuint (summary->unknown, ==, 0);
  g_assert_cmpstr (fixture->before->str, ==, "sending sending sending ");
  g_assert_cmpuint (messages_stored (&fixture->server), ==, N_PEOPLE);
  assert_query (fixture, "3", "SELECT count(*) FROM delivery WHERE status = 'sent'"
                              " AND mode = 'live'");

  for (guint n = 1; n <= N_PEOPLE; n++)
    {
      g_autoptr(JsonNode) root = server_request (&fixture->server, n);
      JsonObject *message = json_object_get_object_member (json_node_get_object (root),
                                                           "message");
      JsonObject *recipient = json_object_get_object_member (
        json_array_get_object_element (json_object_get_array_member (message, "toRecipients"),
                                       0), "emailAddress");
      JsonObject *attachment = json_array_get_object_element (
        json_object_get_array_member (message, "attachments"), 0);
      const char *address = json_object_get_string_member (recipient, "address");
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM respondent WHERE email = '%s'",
                                              address);
      g_autofree char *id = query (fixture, sql);
      g_autofree char *path = NULL;
      g_autofree char *message_id = NULL;
      g_autofree char *expected_id = NULL;
      g_autofree char *person = NULL;
      g_autofree guchar *decoded = NULL;
      g_autoptr(GBytes) sent = NULL;
      g_autoptr(GBytes) file = NULL;
      char *contents = NULL;
      gsize length = 0;

      g_assert_nonnull (id);
      g_free (sql);
      sql = g_strdup_printf ("SELECT report_path FROM delivery WHERE respondent_id = %s", id);
      path = query (fixture, sql);
      g_free (sql);
      sql = g_strdup_printf ("SELECT message_id FROM delivery WHERE respondent_id = %s", id);
      message_id = query (fixture, sql);
      g_free (sql);
      sql = g_strdup_printf ("SELECT person FROM respondent WHERE id = %s", id);
      person = query (fixture, sql);

      g_assert_cmpstr (json_object_get_string_member (recipient, "name"), ==, person);
      g_assert_nonnull (strstr (json_object_get_string_member (message, "subject"), person));
      expected_id = g_strdup_printf ("<%s>", message_id);
      g_assert_cmpstr (json_object_get_string_member (message, "internetMessageId"), ==,
                       expected_id);
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      file = g_bytes_new_take (contents, length);
      decoded = g_base64_decode (json_object_get_string_member (attachment, "contentBytes"),
                                 &length);
      sent = g_bytes_new (decoded, length);
      g_assert_true (g_bytes_equal (sent, file));
    }
}

/* The first request went out and its answer was lost: `unknown`, never
 * sent again; the others are sent. */
static void
test_graph_job_unknown (Fixture       *fixture,
                        gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&fixture->server, "--drop-after-body", "--times", "1", NULL);
  options = make_options (fixture, TOKEN);
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (summary->sent, ==, N_PEOPLE - 1);
  g_assert_cmpuint (summary->unknown, ==, 1);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, N_PEOPLE);
  assert_query (fixture, "unknown", "SELECT status FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, "2", "SELECT count(*) FROM delivery WHERE status = 'sent'");
  g_clear_pointer (&summary, rs_send_summary_free);

  /* A second send leaves it alone. */
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->sent, ==, 0);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, N_PEOPLE);
}

/* Graph answers every request with an error of its own (500): the first
 * two become `unknown`, then the job stops and the rest stay pending,
 * instead of everyone becoming a message to look for by hand. */
static void
test_graph_job_server_errors (Fixture       *fixture,
                              gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&fixture->server, "--status", "500", "--error-code", "generalException",
                NULL);
  options = make_options (fixture, TOKEN);
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_UNANSWERED);
  g_assert_null (summary);
  g_assert_nonnull (strstr (error->message, "Sent folder"));

  g_assert_cmpuint (server_count (&fixture->server, "\"status\": 500"), ==,
                    RS_SEND_MAX_UNKNOWN);
  assert_query (fixture, "2", "SELECT count(*) FROM delivery WHERE status = 'unknown'");
  assert_query (fixture, "1", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0");
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
}

/* 429 with Retry-After: the whole queue waits that long, not the short
 * back-off, then everyone is sent, once. */
static void
test_graph_job_throttled (Fixture       *fixture,
                          gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  server_start (&fixture->server, "--status", "429", "--retry-after", "1", "--error-code",
                "ApplicationThrottled", "--times", "1", NULL);
  options = make_options (fixture, TOKEN);
  start = g_get_monotonic_time ();
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A hundred times the back-off of 10 ms. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (summary->waits, ==, 1);
  g_assert_cmpuint (summary->sent, ==, N_PEOPLE);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, N_PEOPLE);
}

/* A Retry-After of over a hundred years (a broken proxy): not waited for;
 * the round ends at once and leaves everyone pending for a later send. */
static void
test_graph_job_retry_after_huge (Fixture       *fixture,
                                 gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  server_start (&fixture->server, "--status", "429", "--retry-after",
                data != NULL ? "99999999999999999999" : "4000000000",
                "--error-code", "ApplicationThrottled", NULL);
  options = make_options (fixture, TOKEN);
  start = g_get_monotonic_time ();
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  g_assert_cmpuint (summary->sent, ==, 0);
  g_assert_cmpuint (summary->deferred, ==, N_PEOPLE);
  g_assert_cmpuint (server_count (&fixture->server, "\"status\": 429"), ==, 1);
  assert_query (fixture, "3", "SELECT count(*) FROM delivery WHERE status = 'pending'");
  /* Each says why: the server asked to wait longer than a send waits. */
  for (guint i = 0; i < summary->results->len; i++)
    {
      RsSendResult *result = g_ptr_array_index (summary->results, i);

      g_assert_nonnull (strstr (result->error, "hours, longer than a send waits"));
    }
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (1500 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (data);
  return NULL;
}

#define GRACE_MS 1000

/* Stopped while Graph sits on a request for 100 s: the message in hand gets
 * its grace (1 s here instead of RS_SEND_STOP_GRACE_S), then is broken off; all of it went out, so it is `unknown`,
 * the rest pending, and the job ends as stopped well before the server
 * would have answered. */
static void
test_graph_job_stop_hanging (Fixture       *fixture,
                             gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GThread *thread;
  gint64 start;

  server_start (&fixture->server, "--delay", "100", "--times", "1", NULL);
  options = make_options (fixture, TOKEN);
  options.graph.timeout_s = 300;
  options.stop_grace_ms = GRACE_MS;
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, cancellable, &error);
  g_thread_join (thread);
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, <,
                   GRACE_MS * G_TIME_SPAN_MILLISECOND + 20 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, GRACE_MS * G_TIME_SPAN_MILLISECOND);
  g_assert_true (summary->cancelled);
  g_assert_cmpuint (summary->unknown, ==, 1);
  g_assert_cmpuint (summary->sent, ==, 0);
  assert_query (fixture, "1", "SELECT count(*) FROM delivery WHERE status = 'unknown'");
  assert_query (fixture, "2", "SELECT count(*) FROM delivery WHERE status = 'pending'");
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
}

/* A refused token stops the job before anything is sent; everyone stays
 * pending. */
static void
test_graph_job_token (Fixture       *fixture,
                      gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  server_start (&fixture->server, NULL);
  options = make_options (fixture, "eyJ0eXAi.expired");
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, 0);
  assert_query (fixture, "3", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

typedef struct
{
  guint calls;
  gboolean fail;
} Refresh;

static char *
refresh_token (gpointer       user_data,
               GCancellable  *cancellable,
               GError       **error)
{
  Refresh *refresh = user_data;

  refresh->calls++;
  if (refresh->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           "invalid_grant: sign in again");
      return NULL;
    }

  return g_strdup (TOKEN);
}

/* An expired token is refreshed once, and the same message goes with the
 * new one; nothing twice. */
static void
test_graph_job_refresh (Fixture       *fixture,
                        gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  Refresh refresh = { 0 };

  server_start (&fixture->server, NULL);
  options = make_options (fixture, "eyJ0eXAi.expired");
  options.refresh_token = refresh_token;
  options.refresh_data = &refresh;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (refresh.calls, ==, 1);
  g_assert_cmpuint (summary->sent, ==, N_PEOPLE);
  g_assert_cmpuint (server_count (&fixture->server, "\"status\": 401"), ==, 1);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, N_PEOPLE);
  assert_query (fixture, "3", "SELECT count(*) FROM delivery WHERE status = 'sent'");
}

/* The refresh itself refused (invalid_grant): the job stops with that,
 * everyone pending. */
static void
test_graph_job_refresh_refused (Fixture       *fixture,
                                gconstpointer  data)
{
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  Refresh refresh = { .fail = TRUE };

  server_start (&fixture->server, NULL);
  options = make_options (fixture, "eyJ0eXAi.expired");
  options.refresh_token = refresh_token;
  options.refresh_data = &refresh;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "sign in again"));
  g_assert_cmpuint (refresh.calls, ==, 1);
  g_assert_cmpuint (messages_stored (&fixture->server), ==, 0);
  assert_query (fixture, "3", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

/* The same through SMTP with XOAUTH2: a 535 5.7.3 for the old token, one
 * refresh, everyone sent on the new one. */
static void
test_graph_job_smtp_refresh (Fixture       *fixture,
                             gconstpointer  data)
{
  RsTestServer smtp = { 0 };
  RsSendOptions options;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  Refresh refresh = { 0 };

  rs_test_server_start (&smtp, "--cert", cert_file (), "--key", key_path,
                        "--require-starttls", "--user", FROM, "--xoauth2-token", TOKEN, NULL);
  options = make_options (fixture, NULL);
  options.transport = RS_SEND_TRANSPORT_SMTP;
  options.mailer.url = smtp.url;
  options.mailer.starttls_required = TRUE;
  options.mailer.user = FROM;
  options.mailer.access_token = "ya29.expired";
  options.mailer.ca_file = cert_file ();
  options.mailer.connect_timeout_s = 5;
  options.mailer.timeout_s = 10;
  options.refresh_token = refresh_token;
  options.refresh_data = &refresh;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (refresh.calls, ==, 1);
  g_assert_cmpuint (summary->sent, ==, N_PEOPLE);
  g_assert_cmpuint (rs_test_server_count (&smtp, "\"success\": false"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&smtp, "\"success\": true"), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&smtp, "\"event\": \"message\""), ==, N_PEOPLE);
  rs_test_server_stop (&smtp);
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

/* The token is in no log line, error or reply, taken or refused. */
static void
test_graph_token_not_logged (void)
{
  g_log_set_debug_enabled (TRUE);

  for (guint right = 0; right < 2; right++)
    {
      Server server = { 0 };
      g_autoptr(RsGraph) graph = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) me_error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *me = NULL;

      server_start (&server, "--status", right ? "0" : "503", NULL);
      graph = make_graph (server.url, right ? TOKEN : TOKEN "x", cert_file (), 0);
      send_one (graph, TO, NULL, &text, &error);
      me = rs_graph_get_me (graph, NULL, &me_error);

      g_assert_null (strstr (logged->str, TOKEN));
      g_assert_true (error == NULL || strstr (error->message, TOKEN) == NULL);
      g_assert_true (me_error == NULL || strstr (me_error->message, TOKEN) == NULL);
      g_assert_true (text == NULL || strstr (text, TOKEN) == NULL);
      server_stop (&server);
    }

  g_assert_nonnull (strstr (logged->str, "127.0.0.1"));
  g_log_set_debug_enabled (FALSE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  logged = g_string_new (NULL);
  g_log_set_writer_func (record_log, NULL, NULL);
  rs_test_init (&argc, &argv);

  g_test_add_func ("/graph/send", test_graph_send);
  g_test_add_func ("/graph/token-expired", test_graph_token_expired);
  g_test_add_func ("/graph/throttled", test_graph_throttled);
  g_test_add_func ("/graph/refusals", test_graph_refusals);
  g_test_add_func ("/graph/unknown", test_graph_unknown);
  g_test_add_func ("/graph/cancel", test_graph_cancel);
  g_test_add_func ("/graph/untrusted", test_graph_untrusted);
  g_test_add_func ("/graph/unreachable", test_graph_unreachable);
  g_test_add_func ("/graph/me", test_graph_me);
  g_test_add_func ("/graph/config", test_graph_config);
  g_test_add_func ("/graph/bad-recipient", test_graph_bad_recipient);
  g_test_add_func ("/graph/token-not-logged", test_graph_token_not_logged);
  g_test_add ("/graph/job/live", Fixture, NULL, fixture_set_up, test_graph_job_live,
              fixture_tear_down);
  g_test_add ("/graph/job/unknown", Fixture, NULL, fixture_set_up, test_graph_job_unknown,
              fixture_tear_down);
  g_test_add ("/graph/job/server-errors", Fixture, NULL, fixture_set_up,
              test_graph_job_server_errors, fixture_tear_down);
  g_test_add ("/graph/job/throttled", Fixture, NULL, fixture_set_up, test_graph_job_throttled,
              fixture_tear_down);
  g_test_add ("/graph/job/retry-after-huge", Fixture, NULL, fixture_set_up,
              test_graph_job_retry_after_huge, fixture_tear_down);
  g_test_add ("/graph/job/retry-after-beyond-numbers", Fixture, "", fixture_set_up,
              test_graph_job_retry_after_huge, fixture_tear_down);
  g_test_add ("/graph/job/stop-hanging", Fixture, NULL, fixture_set_up,
              test_graph_job_stop_hanging, fixture_tear_down);
  g_test_add ("/graph/job/token", Fixture, NULL, fixture_set_up, test_graph_job_token,
              fixture_tear_down);
  g_test_add ("/graph/job/refresh", Fixture, NULL, fixture_set_up, test_graph_job_refresh,
              fixture_tear_down);
  g_test_add ("/graph/job/refresh-refused", Fixture, NULL, fixture_set_up,
              test_graph_job_refresh_refused, fixture_tear_down);
  g_test_add ("/graph/job/smtp-refresh", Fixture, NULL, fixture_set_up,
              test_graph_job_smtp_refresh, fixture_tear_down);

  status = g_test_run ();
  if (cert_dir != NULL)
    rs_test_remove_tree (cert_dir);
  g_free (cert_dir);
  g_free (cert_path);
  g_free (key_path);
  g_string_free (logged, TRUE);

  return status;
}
