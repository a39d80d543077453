/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-graph"

#include "config.h"

#include <glib/gi18n.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>

#include "rs-curl-private.h"
#include "rs-graph.h"

#define DEFAULT_URL "https://graph.microsoft.com"
/* An answer longer than this is not read further. */
#define MAX_ANSWER (256 * 1024)

struct _RsGraph
{
  char *base;
  char *host;
  char *token;
  char *ca_file;
  guint connect_timeout_s;
  guint timeout_s;
  guint retry_after;
};

/* One request and what came back. */
typedef struct
{
  GCancellable *cancellable;
  GString *answer;
  guint retry_after;
  gboolean has_retry_after;
  char error_buffer[CURL_ERROR_SIZE];
} Exchange;

G_DEFINE_QUARK (rs-graph-error-quark, rs_graph_error)

RsGraph *
rs_graph_new (const RsGraphConfig  *config,
              GError              **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *url;
  RsGraph *self;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  url = config->url != NULL && *config->url != '\0' ? config->url : DEFAULT_URL;
  if (!rs_curl_has_control_characters (url))
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    {
      g_autofree char *shown = g_strescape (url, NULL);

      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_CONFIG,
                   _("The Microsoft Graph address “%s” is not valid. Enter it as "
                     "https://HOST, or leave it empty for Microsoft’s own."), shown);
      return NULL;
    }
  if (config->access_token == NULL || *config->access_token == '\0'
      || rs_curl_has_control_characters (config->access_token))
    {
      g_set_error_literal (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED,
                           _("There is no valid sign-in token for Microsoft Graph. Sign in "
                             "again in Preferences."));
      return NULL;
    }

  rc = rs_curl_init ();
  if (rc != CURLE_OK)
    {
      rs_curl_set_init_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_CONFIG, rc);
      return NULL;
    }

  self = g_new0 (RsGraph, 1);
  self->base = g_strdup (url);
  while (g_str_has_suffix (self->base, "/"))
    self->base[strlen (self->base) - 1] = '\0';
  self->host = g_strdup (g_uri_get_host (uri));
  self->token = g_strdup (config->access_token);
  self->ca_file = g_strdup (config->ca_file);
  self->connect_timeout_s = config->connect_timeout_s;
  self->timeout_s = config->timeout_s > 0 ? config->timeout_s : 300;

  return self;
}

void
rs_graph_free (RsGraph *self)
{
  if (self == NULL)
    return;

  g_free (self->base);
  g_free (self->host);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->ca_file);
  g_free (self);
}

void
rs_graph_set_access_token (RsGraph    *self,
                           const char *access_token)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (access_token != NULL && *access_token != '\0');

  memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (access_token);
}

guint
rs_graph_get_retry_after (RsGraph *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->retry_after;
}

/* A recipient object: {"emailAddress": {"name": ..., "address": ...}}. */
static void
add_email_address (JsonBuilder *builder,
                   const char  *address,
                   const char  *name)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "emailAddress");
  json_builder_begin_object (builder);
  if (name != NULL && *name != '\0')
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
    }
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, address);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static void
add_address (JsonBuilder *builder,
             const char  *member,
             const char  *address,
             const char  *name)
{
  json_builder_set_member_name (builder, member);
  add_email_address (builder, address, name);
}

static void
add_recipients (JsonBuilder *builder,
                const char  *member,
                const char  *address,
                const char  *name)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  add_email_address (builder, address, name);
  json_builder_end_array (builder);
}

char *
rs_graph_message_to_json (const RsGraphMessage *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (message->to_address != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, message->subject != NULL ? message->subject : "");
  json_builder_set_member_name (builder, "body");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "contentType");
  json_builder_add_string_value (builder, "Text");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, message->text != NULL ? message->text : "");
  json_builder_end_object (builder);

  add_recipients (builder, "toRecipients", message->to_address, message->to_name);
  if (message->from_address != NULL && *message->from_address != '\0')
    add_address (builder, "from", message->from_address, message->from_name);
  if (message->reply_to != NULL && *message->reply_to != '\0')
    add_recipients (builder, "replyTo", message->reply_to, NULL);

  /* Writable while a message is a draft, which a message given to
   * sendMail is until it goes. */
  if (message->message_id != NULL && *message->message_id != '\0')
    {
      g_autofree char *id = message->message_id[0] == '<'
                            ? g_strdup (message->message_id)
                            : g_strdup_printf ("<%s>", message->message_id);

      json_builder_set_member_name (builder, "internetMessageId");
      json_builder_add_string_value (builder, id);
    }

  if (message->attachment != NULL)
    {
      gsize length = 0;
      const guchar *data = g_bytes_get_data (message->attachment, &length);
      g_autofree char *encoded = g_base64_encode (data, length);

      json_builder_set_member_name (builder, "attachments");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "@odata.type");
      json_builder_add_string_value (builder, "#microsoft.graph.fileAttachment");
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, message->attachment_name != NULL
                                              ? message->attachment_name : "report.pdf");
      json_builder_set_member_name (builder, "contentType");
      json_builder_add_string_value (builder, message->attachment_type != NULL
                                              ? message->attachment_type : "application/pdf");
      json_builder_set_member_name (builder, "contentBytes");
      json_builder_add_string_value (builder, encoded);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }

  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "saveToSentItems");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static size_t
on_answer (char   *data,
           size_t  size,
           size_t  count,
           void   *user_data)
{
  Exchange *exchange = user_data;
  gsize length = size * count;

  if (exchange->answer->len < MAX_ANSWER)
    g_string_append_len (exchange->answer, data,
                         MIN (length, MAX_ANSWER - exchange->answer->len));

  return length;
}

static size_t
on_header (char   *data,
           size_t  size,
           size_t  count,
           void   *user_data)
{
  Exchange *exchange = user_data;
  gsize length = size * count;
  static const char name[] = "retry-after:";

  if (length > sizeof name - 1 && g_ascii_strncasecmp (data, name, sizeof name - 1) == 0)
    {
      g_autofree char *value = g_strstrip (g_strndup (data + sizeof name - 1,
                                                      length - (sizeof name - 1)));
      guint64 seconds = 0;

      if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &seconds, NULL))
        {
          exchange->retry_after = (guint) seconds;
          exchange->has_retry_after = TRUE;
        }
      else if (value[0] != '\0' && strspn (value, "0123456789") == strlen (value))
        {
          /* Digits beyond any number: as long as can be said. */
          exchange->retry_after = G_MAXUINT;
          exchange->has_retry_after = TRUE;
        }
      else
        {
          time_t when = curl_getdate (value, NULL);
          gint64 now = g_get_real_time () / G_USEC_PER_SEC;

          if (when > 0)
            {
              exchange->retry_after = when > now ? (guint) MIN (when - now, G_MAXUINT) : 0;
              exchange->has_retry_after = TRUE;
            }
        }
    }

  return length;
}

/* A handle for one request on a connection of its own; @exchange is set
 * up for it. */
static CURL *
make_request (RsGraph       *self,
              const char    *path,
              GCancellable  *cancellable,
              Exchange      *exchange,
              GError       **error)
{
  g_autofree char *url = g_strconcat (self->base, path, NULL);
  CURL *curl = curl_easy_init ();

  if (curl == NULL)
    {
      rs_curl_set_init_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_CONFIG,
                              CURLE_OUT_OF_MEMORY);
      return NULL;
    }

  exchange->cancellable = cancellable;
  exchange->answer = g_string_new (NULL);

  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  /* A request whose connection died is never sent again by libcurl. */
  curl_easy_setopt (curl, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt (curl, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BEARER);
  curl_easy_setopt (curl, CURLOPT_XOAUTH2_BEARER, self->token);
  if (self->ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, self->ca_file);
  if (self->connect_timeout_s > 0)
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, (long) self->connect_timeout_s);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) self->timeout_s);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, exchange->error_buffer);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_answer);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, exchange);
  curl_easy_setopt (curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (curl, CURLOPT_HEADERDATA, exchange);
  rs_curl_stop_on_cancel (curl, &exchange->cancellable);

  return curl;
}

/* Graph's error: {"error": {"code": "...", "message": "..."}}. */
static void
read_error (const GString  *answer,
            char          **code,
            char          **message)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  *code = NULL;
  *message = NULL;
  if (answer->len == 0 || !json_parser_load_from_data (parser, answer->str, answer->len, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "error")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "error")))
    return;
  object = json_object_get_object_member (object, "error");
  if (json_object_has_member (object, "code")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "code")))
    *code = g_strdup (json_object_get_string_member_with_default (object, "code", ""));
  if (json_object_has_member (object, "message")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "message")))
    *message = g_strdup (json_object_get_string_member_with_default (object, "message", ""));
}

static gboolean
code_is (const char *code,
         const char *name)
{
  return code != NULL && g_ascii_strcasecmp (code, name) == 0;
}

/* Graph's answer as it is shown in a sentence: the status, the error's
 * code and message, on one line. */
static char *
describe_answer (long        status,
                 const char *code,
                 const char *message)
{
  char *shown;

  if (code != NULL && message != NULL && *message != '\0')
    shown = g_strdup_printf ("%ld %s: %s", status, code, message);
  else if (code != NULL)
    shown = g_strdup_printf ("%ld %s", status, code);
  else
    shown = g_strdup_printf ("%ld", status);
  g_strdelimit (shown, "\r\n\t", ' ');
  /* Said within a sentence of ours, which has its own full stop */
  g_strchomp (shown);
  while (*shown != '\0' && shown[strlen (shown) - 1] == '.')
    shown[strlen (shown) - 1] = '\0';
  if (g_utf8_strlen (shown, -1) > 300)
    {
      char *cut = g_utf8_substring (shown, 0, 300);

      g_free (shown);
      shown = cut;
    }

  return shown;
}

/* Any other refusal: for a reason Graph's @code tells, or for the account. */
static RsMailOutcome
refused (RsGraph     *self,
         long         status,
         const char  *code,
         const char  *recipient,
         const char  *sender,
         const char  *shown,
         GError     **error)
{
  if (code_is (code, "ErrorSendAsDenied"))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
                   /* Translators: the sender's address, host, Graph's answer */
                   _("The signed-in account may not send as %s (Microsoft Graph, %s): %s. Set "
                     "the From address in Preferences to the account’s own address, or ask "
                     "the administrator for “Send As” permission."),
                   sender != NULL ? sender : "", self->host, shown);
      return RS_MAIL_STOP;
    }

  if (code_is (code, "ErrorQuotaExceeded") || code_is (code, "ErrorExceededMessageLimit")
      || code_is (code, "ErrorSubmissionQuotaExceeded")
      || code_is (code, "ErrorMessagePerFolderCountReceiveQuotaExceeded"))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
                   /* Translators: host, Graph's answer */
                   _("Microsoft Graph (%s) refused to send more from this account: %s. The "
                     "account has reached a sending limit: send the rest after 24 hours; "
                     "everyone not yet sent stays pending."),
                   self->host, shown);
      return RS_MAIL_STOP;
    }

  if (status == 413 || code_is (code, "ErrorMessageSizeExceeded"))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_REJECTED,
                   /* Translators: e-mail address, host, Graph's answer */
                   _("Microsoft Graph (%s) refused the message to %s: %s. The message is "
                     "larger than the account may send."),
                   self->host, recipient, shown);
      return RS_MAIL_FAILED;
    }

  if (status == 400 && (code_is (code, "ErrorInvalidRecipients")
                        || code_is (code, "ErrorInvalidRecipient")
                        || code_is (code, "ErrorRecipientNotFound")))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_REJECTED,
                   /* Translators: e-mail address, host, Graph's answer */
                   _("Microsoft Graph (%s) refused the message to %s: %s. Check the "
                     "address; sending it again will not help."),
                   self->host, recipient, shown);
      return RS_MAIL_FAILED;
    }

  if (status == 404 || code_is (code, "ErrorMailboxNotEnabledForRESTAPI")
      || code_is (code, "MailboxNotEnabledForRESTAPI"))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
                   /* Translators: host, Graph's answer */
                   _("Microsoft Graph (%s) found no mailbox to send from: %s. The signed-in "
                     "account needs an Exchange Online mailbox: sign in with the team’s "
                     "mailbox, or check the Graph address in Preferences."),
                   self->host, shown);
      return RS_MAIL_STOP;
    }

  if (status == 403)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
                   /* Translators: host, Graph's answer */
                   _("Microsoft Graph (%s) refused to send for this account: %s. The app may "
                     "lack the Mail.Send permission, or the account may not send mail: ask "
                     "the administrator, then sign in again."),
                   self->host, shown);
      return RS_MAIL_STOP;
    }

  g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
               /* Translators: host, Graph's answer */
               _("Microsoft Graph (%s) refused the request: %s. Nothing was sent; check the "
                 "account and the settings in Preferences."),
               self->host, shown);
  return RS_MAIL_STOP;
}

/* What Graph's answer @status means, as the SMTP path would say it. */
static RsMailOutcome
answered (RsGraph        *self,
          long            status,
          const GString  *answer,
          const char     *recipient,
          const char     *sender,
          guint          *status_out,
          char          **reply_text,
          GError        **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *shown = NULL;

  if (status_out != NULL)
    *status_out = (guint) status;
  if (status >= 200 && status < 300)
    return RS_MAIL_SENT;

  read_error (answer, &code, &message);
  shown = describe_answer (status, code, message);
  if (reply_text != NULL)
    {
      g_free (*reply_text);
      *reply_text = g_strdup (shown + strspn (shown, "0123456789 "));
    }

  g_debug ("%s: %ld %s", self->host, status, code != NULL ? code : "");

  if (status == 401)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED,
                   /* Translators: host, Graph's answer */
                   _("Microsoft Graph (%s) did not accept the sign-in token: %s. It may have "
                     "expired or been revoked: sign in again in Preferences."),
                   self->host, shown);
      return RS_MAIL_STOP;
    }

  if (status == 429 || status == 503)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TEMPORARY,
                   /* Translators: host, Graph's answer */
                   _("Microsoft Graph (%s) asked to wait: %s. It will be tried again later."),
                   self->host, shown);
      return RS_MAIL_TEMPORARY;
    }

  if (status >= 500)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNKNOWN,
                   /* Translators: e-mail address, host, Graph's answer */
                   _("The message to %s was handed to Microsoft Graph (%s), which answered "
                     "with an error of its own: %s. It may have been sent: check the Sent "
                     "Items folder before sending it again; it is not sent again by itself."),
                   recipient, self->host, shown);
      return RS_MAIL_UNKNOWN;
    }

  return refused (self, status, code, recipient, sender, shown, error);
}

/* No answer was read. @body_out: the whole request went out, so Graph may
 * have acted on it. */
static RsMailOutcome
unanswered (RsGraph     *self,
            CURLcode     rc,
            Exchange    *exchange,
            gboolean     body_out,
            const char  *recipient,
            GError     **error)
{
  const char *detail = exchange->error_buffer[0] != '\0' ? exchange->error_buffer
                                                         : curl_easy_strerror (rc);
  gboolean cancelled = rc == CURLE_ABORTED_BY_CALLBACK
                       && g_cancellable_is_cancelled (exchange->cancellable);

  g_debug ("%s: %s (%s), %s the whole request", self->host, curl_easy_strerror (rc),
           exchange->error_buffer, body_out ? "after" : "before");

  if (body_out && recipient != NULL)
    {
      if (cancelled)
        g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNKNOWN,
                     /* Translators: e-mail address, host */
                     _("Sending was stopped after the message to %s was handed to Microsoft "
                       "Graph (%s), before it answered. It may have been sent: check the "
                       "Sent Items folder before sending it again; it is not sent again by "
                       "itself."),
                     recipient, self->host);
      else
        g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNKNOWN,
                     /* Translators: e-mail address, host, what happened (in English) */
                     _("The message to %s was handed to Microsoft Graph (%s), but no answer "
                       "came (%s). It may have been sent: check the Sent Items folder before "
                       "sending it again; it is not sent again by itself."),
                     recipient, self->host, detail);
      return RS_MAIL_UNKNOWN;
    }

  if (cancelled)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was stopped."));
      return RS_MAIL_STOP;
    }

  if (rc == CURLE_PEER_FAILED_VERIFICATION)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_UNTRUSTED,
                   /* Translators: the second %s is libcurl's English description */
                   _("The certificate of %s is not trusted: %s. Choose the CA file of your "
                     "organisation in Preferences → E-mail."),
                   self->host, detail);
      return RS_MAIL_STOP;
    }
  if (rs_curl_is_tls_failure (rc))
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TLS,
                   /* Translators: the second %s is libcurl's English description */
                   _("No secure connection could be made to %s: %s. Check the Graph address "
                     "in Preferences."),
                   self->host, detail);
      return RS_MAIL_STOP;
    }
  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_CONNECT,
                   _("No connection could be made to %s: %s. Check your network connection "
                     "and the Graph address in Preferences."),
                   self->host, detail);
      return RS_MAIL_TEMPORARY;
    }
  if (rc == CURLE_OPERATION_TIMEDOUT)
    {
      g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TEMPORARY,
                   _("%s did not answer in time. It will be tried again later; if this keeps "
                     "happening, check your network connection."),
                   self->host);
      return RS_MAIL_TEMPORARY;
    }

  g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TEMPORARY,
               _("The connection to %s broke off: %s. It will be tried again later."),
               self->host, detail);
  return RS_MAIL_TEMPORARY;
}

static gboolean
check_address (const char  *address,
               GError     **error)
{
  return rs_curl_check_address (address, TRUE, RS_GRAPH_ERROR, RS_GRAPH_ERROR_INVALID_ADDRESS,
                                error);
}

RsMailOutcome
rs_graph_send (RsGraph               *self,
               const RsGraphMessage  *message,
               guint                 *status,
               char                 **reply_text,
               GCancellable          *cancellable,
               GError               **error)
{
  Exchange exchange = { 0 };
  g_autofree char *json = NULL;
  struct curl_slist *headers = NULL;
  curl_off_t uploaded = 0;
  gsize length;
  long code = 0;
  RsMailOutcome outcome;
  CURLcode rc;
  CURL *curl;

  g_return_val_if_fail (self != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (message != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (error == NULL || *error == NULL, RS_MAIL_STOP);

  if (status != NULL)
    *status = 0;
  if (reply_text != NULL)
    *reply_text = NULL;
  self->retry_after = 0;

  if (message->from_address != NULL && *message->from_address != '\0'
      && !check_address (message->from_address, error))
    return RS_MAIL_STOP;
  if (!check_address (message->to_address, error))
    return RS_MAIL_FAILED;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return RS_MAIL_STOP;

  json = rs_graph_message_to_json (message);
  length = strlen (json);

  curl = make_request (self, "/v1.0/me/sendMail", cancellable, &exchange, error);
  if (curl == NULL)
    return RS_MAIL_STOP;

  headers = curl_slist_append (headers, "Content-Type: application/json");
  /* The body goes at once, not after a "100 Continue" that may not come. */
  headers = curl_slist_append (headers, "Expect:");
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POST, 1L);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, json);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) length);

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo (curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);

  if (code >= 200)
    {
      if (exchange.has_retry_after && (code == 429 || code == 503))
        self->retry_after = exchange.retry_after;
      outcome = answered (self, code, exchange.answer, message->to_address,
                          message->from_address, status, reply_text, error);
    }
  else
    {
      outcome = unanswered (self, rc, &exchange, uploaded >= (curl_off_t) length,
                            message->to_address, error);
    }

  curl_slist_free_all (headers);
  curl_easy_cleanup (curl);
  g_string_free (exchange.answer, TRUE);

  return outcome;
}

char *
rs_graph_get_me (RsGraph       *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  Exchange exchange = { 0 };
  char *address = NULL;
  long code = 0;
  CURLcode rc;
  CURL *curl;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  curl = make_request (self, "/v1.0/me?$select=mail,userPrincipalName", cancellable,
                       &exchange, error);
  if (curl == NULL)
    return NULL;

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup (curl);

  if (rc != CURLE_OK || code == 0)
    unanswered (self, rc, &exchange, FALSE, NULL, error);
  else if (code != 200)
    answered (self, code, exchange.answer, "", NULL, NULL, NULL, error);
  else
    {
      JsonNode *root;

      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, exchange.answer->str, exchange.answer->len, NULL)
          && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonObject *object = json_node_get_object (root);

          for (const char **member = (const char *[]) { "mail", "userPrincipalName", NULL };
               *member != NULL && address == NULL; member++)
            {
              JsonNode *node = json_object_get_member (object, *member);

              if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
                  && json_node_get_value_type (node) == G_TYPE_STRING
                  && *json_node_get_string (node) != '\0')
                address = g_strdup (json_node_get_string (node));
            }
        }
      if (address == NULL)
        g_set_error (error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_ACCOUNT,
                     _("Microsoft Graph (%s) did not say the signed-in account’s address. "
                       "Sign in again in Preferences."),
                     self->host);
    }

  g_string_free (exchange.answer, TRUE);
  return address;
}
