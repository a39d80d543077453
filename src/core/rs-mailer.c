/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include <glib/gi18n.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>

#include "rs-curl-private.h"
#include "rs-mailer.h"
#include "rs-smtp-reply.h"

/* libcurl connects, secures the connection (TLS or STARTTLS), says EHLO and
 * signs in (CURLOPT_CONNECT_ONLY); the mail transaction is ours, on the
 * same connection, so that every reply is known with the command it
 * answers, and so is whether the final "." of a message went out. */

/* How long a QUIT may take before the connection is closed anyway. */
#define QUIT_TIMEOUT_US (2 * G_USEC_PER_SEC)
/* A reply line longer than this is no reply. */
#define MAX_LINE 4096

typedef enum
{
  IO_OK,
  IO_TIMEOUT,
  IO_BROKEN,
  IO_CANCELLED,
} Io;

struct _RsMailer
{
  /* Configured once; every connection is a copy of it. */
  CURL *setup;
  /* The open connection, or NULL. */
  CURL *curl;
  char *host;
  char *user;
  gboolean encrypted;
  gboolean sign_in;
  /* Signs in with an OAuth 2.0 access token (XOAUTH2). */
  gboolean bearer;
  gboolean keep_copy;
  char *copy_refusal;
  gint64 timeout_us;
  guint connections;
  /* Whether the server ever answered: until then a failure to connect is a
   * wrong address rather than a passing fault. */
  gboolean reached;

  /* The connection: what libcurl said and heard while it set it up, then
   * what we read. */
  gboolean in_setup;
  RsSmtpStage stage;
  gboolean auth_offered;
  gboolean xoauth2_offered;
  /* The server answered the token with an error (a 334 with JSON). */
  gboolean token_refused;
  gboolean smtputf8;
  gboolean signed_in;
  GString *line;
  GString *input;
  /* Data came that answers nothing: the connection is not used again. */
  gboolean out_of_step;
  const char *broken;

  /* The reply that decided, and the stage it came at. */
  RsSmtpReply reply;
  RsSmtpStage reply_stage;

  /* The last refusal of a recipient or a message, for the same one twice
   * in a row. */
  char *refusal;
  char *refused_to;

  GCancellable *cancellable;
  char error_buffer[CURL_ERROR_SIZE];
};

G_DEFINE_QUARK (rs-mailer-error-quark, rs_mailer_error)

gboolean
rs_mailer_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
has_command (const char *data,
             gsize       size,
             const char *command)
{
  gsize length = strlen (command);

  return size >= length && g_ascii_strncasecmp (data, command, length) == 0
         && (size == length || data[length] == ' ' || data[length] == '\r');
}

/* What libcurl sends while it sets up the connection tells the stage. Only
 * the name of a command is looked at: what follows AUTH is the password. */
static void
note_command (RsMailer   *self,
              const char *data,
              gsize       size)
{
  if (has_command (data, size, "QUIT"))
    self->stage = RS_SMTP_STAGE_QUIT;
  else if (self->stage == RS_SMTP_STAGE_AUTH || self->stage == RS_SMTP_STAGE_QUIT)
    return;
  else if (has_command (data, size, "EHLO") || has_command (data, size, "HELO"))
    {
      self->stage = RS_SMTP_STAGE_EHLO;
      self->auth_offered = FALSE;
      self->xoauth2_offered = FALSE;
      self->smtputf8 = FALSE;
    }
  else if (has_command (data, size, "STARTTLS"))
    self->stage = RS_SMTP_STAGE_STARTTLS;
  else if (has_command (data, size, "AUTH"))
    self->stage = RS_SMTP_STAGE_AUTH;
}

static gboolean
offers_xoauth2 (const char *mechanisms)
{
  g_auto(GStrv) names = g_strsplit_set (mechanisms, " =", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], "XOAUTH2") == 0)
      return TRUE;

  return FALSE;
}

/* A server that refuses an XOAUTH2 token first sends a 334 with a JSON
 * object in base64 ({"status":"401",...}), then a 535 to the client's
 * empty answer. */
static gboolean
is_token_error (const char *line)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guchar *decoded = NULL;
  g_autofree char *text = NULL;
  JsonNode *root;
  gsize length = 0;

  if (strlen (line) < 5)
    return FALSE;
  decoded = g_base64_decode (line + 4, &length);
  if (decoded == NULL || length == 0)
    return FALSE;
  text = g_strndup ((const char *) decoded, length);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);

  return root != NULL && JSON_NODE_HOLDS_OBJECT (root)
         && json_object_has_member (json_node_get_object (root), "status");
}

static void
take_setup_line (RsMailer   *self,
                 const char *line)
{
  if (self->stage == RS_SMTP_STAGE_QUIT || !rs_smtp_reply_add_line (&self->reply, line))
    return;

  self->reached = TRUE;
  if (self->stage == RS_SMTP_STAGE_EHLO && self->reply.code == 250 && strlen (line) > 8
      && (g_ascii_strncasecmp (line + 4, "AUTH ", 5) == 0
          || g_ascii_strncasecmp (line + 4, "AUTH=", 5) == 0))
    {
      self->auth_offered = TRUE;
      if (offers_xoauth2 (line + 9))
        self->xoauth2_offered = TRUE;
    }
  if (self->stage == RS_SMTP_STAGE_AUTH && self->bearer && self->reply.code == 334
      && is_token_error (line))
    self->token_refused = TRUE;
  if (self->stage == RS_SMTP_STAGE_EHLO && self->reply.code == 250 && strlen (line) == 12
      && g_ascii_strcasecmp (line + 4, "SMTPUTF8") == 0)
    self->smtputf8 = TRUE;
  if (self->reply.done)
    {
      self->reply_stage = self->stage;
      if (self->stage == RS_SMTP_STAGE_AUTH && self->reply.code == 235)
        self->signed_in = TRUE;
    }
}

static int
on_debug (CURL          *curl,
          curl_infotype  type,
          char          *data,
          size_t         size,
          void          *user_data)
{
  RsMailer *self = user_data;

  if (!self->in_setup)
    return 0;

  if (type == CURLINFO_HEADER_OUT)
    {
      note_command (self, data, size);
      return 0;
    }
  if (type != CURLINFO_HEADER_IN)
    return 0;

  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        {
          if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
            g_string_truncate (self->line, self->line->len - 1);
          take_setup_line (self, self->line->str);
          g_string_truncate (self->line, 0);
        }
      else if (self->line->len < MAX_LINE)
        {
          g_string_append_c (self->line, data[i] != '\0' ? data[i] : ' ');
        }
    }

  return 0;
}

static int
on_progress (void       *user_data,
             curl_off_t  dl_total,
             curl_off_t  dl_now,
             curl_off_t  ul_total,
             curl_off_t  ul_now)
{
  RsMailer *self = user_data;

  return g_cancellable_is_cancelled (self->cancellable) ? 1 : 0;
}

static gboolean
set_config_error (GError     **error,
                  const char  *url)
{
  g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
               _("The mail server address “%s” is not valid. Enter it as "
                 "smtp://HOST:PORT or smtps://HOST:PORT in Preferences."), url);
  return FALSE;
}

static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;

  return FALSE;
}

/* How the mailer signs in: a password, or an OAuth 2.0 access token with
 * XOAUTH2 and no other mechanism. */
static void
apply_sign_in (RsMailer             *self,
               const RsMailerConfig *config)
{
  if (config->user == NULL || *config->user == '\0')
    return;

  self->sign_in = TRUE;
  curl_easy_setopt (self->setup, CURLOPT_USERNAME, config->user);
  if (self->bearer)
    {
      curl_easy_setopt (self->setup, CURLOPT_XOAUTH2_BEARER, config->access_token);
      curl_easy_setopt (self->setup, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
    }
  else
    {
      curl_easy_setopt (self->setup, CURLOPT_PASSWORD,
                        config->password != NULL ? config->password : "");
    }
}

RsMailer *
rs_mailer_new (const RsMailerConfig  *config,
               GError               **error)
{
  g_autoptr(RsMailer) self = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  gboolean smtps;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (config->url == NULL || has_control_characters (config->url))
    {
      g_autofree char *shown = g_strescape (config->url != NULL ? config->url : "", NULL);

      set_config_error (error, shown);
      return NULL;
    }

  uri = g_uri_parse (config->url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL
      || (g_ascii_strcasecmp (scheme, "smtp") != 0 && g_ascii_strcasecmp (scheme, "smtps") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    {
      set_config_error (error, config->url);
      return NULL;
    }

  smtps = g_ascii_strcasecmp (scheme, "smtps") == 0;
  if (!smtps && !config->starttls_required && !rs_mailer_host_is_loopback (g_uri_get_host (uri)))
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE,
                   _("Mail to the server %s would be sent unencrypted, which is allowed only "
                     "to this computer. Require STARTTLS or use an smtps:// address in "
                     "Preferences."),
                   g_uri_get_host (uri));
      return NULL;
    }

  if (config->access_token != NULL && *config->access_token != '\0')
    {
      if (config->user == NULL || *config->user == '\0')
        {
          g_set_error_literal (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                               _("A sign-in with Microsoft or Google needs the signed-in "
                                 "account’s address as the user name. Sign in again in "
                                 "Preferences."));
          return NULL;
        }
      if (!smtps && !config->starttls_required)
        {
          g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE,
                       _("The sign-in token would go to the server %s unencrypted. Require "
                         "STARTTLS or use an smtps:// address in Preferences."),
                       g_uri_get_host (uri));
          return NULL;
        }
    }

  rc = rs_curl_init ();
  if (rc == CURLE_OK)
    {
      self = g_new0 (RsMailer, 1);
      self->line = g_string_new (NULL);
      self->input = g_string_new (NULL);
      rs_smtp_reply_init (&self->reply);
      self->setup = curl_easy_init ();
    }
  if (self == NULL || self->setup == NULL)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                   _("The mail library could not be started: %s."),
                   curl_easy_strerror (rc != CURLE_OK ? rc : CURLE_OUT_OF_MEMORY));
      return NULL;
    }

  self->host = g_strdup (g_uri_get_host (uri));
  self->user = g_strdup (config->user);
  self->encrypted = smtps || config->starttls_required;
  self->bearer = config->access_token != NULL && *config->access_token != '\0';
  self->keep_copy = config->keep_copy;
  /* RFC 5321 allows minutes for a reply; 0 takes five. */
  self->timeout_us = (gint64) (config->timeout_s > 0 ? config->timeout_s : 300) * G_USEC_PER_SEC;

  curl_easy_setopt (self->setup, CURLOPT_URL, config->url);
  curl_easy_setopt (self->setup, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt (self->setup, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt (self->setup, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (self->setup, CURLOPT_USE_SSL,
                    (long) (self->encrypted ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  if (config->ca_file != NULL)
    curl_easy_setopt (self->setup, CURLOPT_CAINFO, config->ca_file);
  /* A certificate trusted by hand is trusted for its public key alone:
   * libcurl checks the pin before anything, a password included, is sent. */
  if (config->pinned_key != NULL && *config->pinned_key != '\0')
    {
      curl_easy_setopt (self->setup, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (self->setup, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt (self->setup, CURLOPT_PINNEDPUBLICKEY, config->pinned_key);
    }
  apply_sign_in (self, config);
  if (config->connect_timeout_s > 0)
    curl_easy_setopt (self->setup, CURLOPT_CONNECTTIMEOUT, (long) config->connect_timeout_s);
  /* Setting up (greeting, EHLO, STARTTLS, sign-in) as a whole. */
  if (config->timeout_s > 0)
    curl_easy_setopt (self->setup, CURLOPT_TIMEOUT, (long) config->timeout_s);
  curl_easy_setopt (self->setup, CURLOPT_ERRORBUFFER, self->error_buffer);

  /* VERBOSE only feeds on_debug, which keeps the server's replies and the
   * names of the commands, nothing else; without a debug function it would
   * print to stderr. */
  curl_easy_setopt (self->setup, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt (self->setup, CURLOPT_DEBUGDATA, self);
  curl_easy_setopt (self->setup, CURLOPT_VERBOSE, 1L);

  curl_easy_setopt (self->setup, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (self->setup, CURLOPT_XFERINFODATA, self);
  curl_easy_setopt (self->setup, CURLOPT_NOPROGRESS, 0L);

  return g_steal_pointer (&self);
}

guint
rs_mailer_get_connections (RsMailer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->connections;
}

/* Waits until the connection can be read (or written) or @deadline passed. */
static Io
wait_socket (RsMailer     *self,
             gboolean      for_writing,
             gint64        deadline,
             GCancellable *cancellable)
{
  curl_socket_t fd = CURL_SOCKET_BAD;
  GPollFD fds[2];
  guint n = 1;
  gint64 left;
  int ready = 0;

  if (curl_easy_getinfo (self->curl, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK
      || fd == CURL_SOCKET_BAD)
    return IO_BROKEN;

  fds[0].fd = fd;
  fds[0].events = (for_writing ? G_IO_OUT : G_IO_IN) | G_IO_HUP | G_IO_ERR;
  fds[0].revents = 0;
  if (g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;

  left = deadline - g_get_monotonic_time ();
  if (left > 0)
    ready = g_poll (fds, n, (int) MIN ((left + 999) / 1000, G_MAXINT));
  if (n == 2)
    g_cancellable_release_fd (cancellable);

  if (g_cancellable_is_cancelled (cancellable))
    return IO_CANCELLED;
  if (ready < 0 && errno != EINTR)
    {
      self->broken = g_strerror (errno);
      return IO_BROKEN;
    }
  if (ready <= 0 && g_get_monotonic_time () >= deadline)
    return IO_TIMEOUT;

  return IO_OK;
}

/* Sends all of @data; @deadline moves on with every part that went out. */
static Io
write_all (RsMailer     *self,
           const char   *data,
           gsize         length,
           GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + self->timeout_us;
  gsize done = 0;

  while (done < length)
    {
      size_t n = 0;
      CURLcode rc;

      if (g_cancellable_is_cancelled (cancellable))
        return IO_CANCELLED;

      rc = curl_easy_send (self->curl, data + done, MIN (length - done, 256 * 1024), &n);
      if (rc == CURLE_AGAIN)
        {
          Io io = wait_socket (self, TRUE, deadline, cancellable);

          if (io != IO_OK)
            return io;
          continue;
        }
      if (rc != CURLE_OK)
        {
          self->broken = curl_easy_strerror (rc);
          return IO_BROKEN;
        }

      done += n;
      deadline = g_get_monotonic_time () + self->timeout_us;
    }

  return IO_OK;
}

/* Reads one whole reply, however many lines it has, into @reply. */
static Io
read_reply (RsMailer     *self,
            RsSmtpReply  *reply,
            gint64        timeout_us,
            GCancellable *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  rs_smtp_reply_reset (reply);

  for (;;)
    {
      char buffer[4096];
      const char *end;
      size_t n = 0;
      CURLcode rc;

      while ((end = memchr (self->input->str, '\n', self->input->len)) != NULL)
        {
          gsize length = end - self->input->str;
          g_autofree char *line = g_strndup (self->input->str,
                                             length > 0 && end[-1] == '\r' ? length - 1 : length);

          g_string_erase (self->input, 0, length + 1);
          if (!rs_smtp_reply_add_line (reply, line))
            {
              self->out_of_step = TRUE;
              self->broken = _("the server’s answer could not be read");
              return IO_BROKEN;
            }
          if (reply->done)
            {
              self->reached = TRUE;
              /* More came than was asked for: nothing after this can be
               * trusted to answer what it seems to answer. */
              if (self->input->len > 0)
                self->out_of_step = TRUE;
              return IO_OK;
            }
        }
      if (self->input->len > MAX_LINE)
        {
          self->out_of_step = TRUE;
          self->broken = _("the server’s answer could not be read");
          return IO_BROKEN;
        }

      rc = curl_easy_recv (self->curl, buffer, sizeof buffer, &n);
      if (rc == CURLE_AGAIN)
        {
          Io io = wait_socket (self, FALSE, deadline, cancellable);

          if (io != IO_OK)
            return io;
          continue;
        }
      if (rc != CURLE_OK || n == 0)
        {
          self->broken = rc != CURLE_OK ? curl_easy_strerror (rc)
                                        : _("the server closed the connection");
          return IO_BROKEN;
        }
      g_string_append_len (self->input, buffer, n);
    }
}

/* Sends @line (unless %NULL) and reads its reply into self->reply. */
static Io
command (RsMailer     *self,
         RsSmtpStage   stage,
         const char   *line,
         GCancellable *cancellable)
{
  Io io;

  self->stage = stage;
  if (line != NULL)
    {
      io = write_all (self, line, strlen (line), cancellable);
      if (io != IO_OK)
        return io;
    }

  io = read_reply (self, &self->reply, self->timeout_us, cancellable);
  if (io == IO_OK)
    self->reply_stage = stage;

  return io;
}

/* Closes the connection, with a QUIT when it is still in step. The socket
 * is shut first so that libcurl does not wait for an answer of its own. */
static void
close_session (RsMailer *self,
               gboolean  quit)
{
  curl_socket_t fd = CURL_SOCKET_BAD;

  if (self->curl == NULL)
    return;

  if (quit && !self->out_of_step)
    {
      RsSmtpReply reply;

      rs_smtp_reply_init (&reply);
      self->stage = RS_SMTP_STAGE_QUIT;
      if (write_all (self, "QUIT\r\n", 6, NULL) == IO_OK)
        read_reply (self, &reply, MIN (self->timeout_us, QUIT_TIMEOUT_US), NULL);
      rs_smtp_reply_clear (&reply);
    }

  if (curl_easy_getinfo (self->curl, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK
      && fd != CURL_SOCKET_BAD)
    shutdown (fd, SHUT_RDWR);
  g_clear_pointer (&self->curl, curl_easy_cleanup);
  g_string_truncate (self->input, 0);
  self->out_of_step = FALSE;
}

void
rs_mailer_free (RsMailer *self)
{
  if (self == NULL)
    return;

  close_session (self, TRUE);
  g_clear_pointer (&self->setup, curl_easy_cleanup);
  g_free (self->host);
  g_free (self->user);
  g_free (self->refusal);
  g_free (self->refused_to);
  g_free (self->copy_refusal);
  if (self->line != NULL)
    g_string_free (self->line, TRUE);
  if (self->input != NULL)
    g_string_free (self->input, TRUE);
  rs_smtp_reply_clear (&self->reply);
  g_free (self);
}

void
rs_mailer_set_access_token (RsMailer   *self,
                            const char *access_token)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->bearer);
  g_return_if_fail (access_token != NULL && *access_token != '\0');

  close_session (self, TRUE);
  curl_easy_setopt (self->setup, CURLOPT_XOAUTH2_BEARER, access_token);
}

const char *
rs_mailer_get_copy_refusal (RsMailer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->copy_refusal;
}

static gboolean
is_tls_failure (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
forget_refusal (RsMailer *self)
{
  g_clear_pointer (&self->refusal, g_free);
  g_clear_pointer (&self->refused_to, g_free);
}

/* A refusal as it would be for anyone: the address taken out of it, and
 * every word with a digit in it (queue ids, times, host names with
 * numbers, as Gmail and Microsoft 365 put in each reply), and what stands
 * in square brackets. */
static char *
refusal_key (guint       code,
             const char *enhanced,
             const char *text,
             const char *recipient)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  GString *key = g_string_new (NULL);
  const char *at = strrchr (recipient, '@');
  gsize length = strlen (recipient);
  /* The mailbox alone ("Message for bram.jansen rejected") names them too. */
  gsize local_length = at != NULL && at - recipient >= 3 ? (gsize) (at - recipient) : 0;
  guint depth = 0;

  for (const char *p = text; *p != '\0';)
    {
      if (length > 0 && g_ascii_strncasecmp (p, recipient, length) == 0)
        {
          g_string_append_c (plain, '*');
          p += length;
        }
      else if (local_length > 0 && g_ascii_strncasecmp (p, recipient, local_length) == 0)
        {
          g_string_append_c (plain, '*');
          p += local_length;
        }
      else
        {
          g_string_append_c (plain, *p++);
        }
    }

  g_string_append_printf (key, "%u %s ", code, enhanced != NULL ? enhanced : "");
  for (const char *p = plain->str; *p != '\0';)
    {
      const char *end;
      gboolean digit = FALSE;

      if (*p == '[')
        depth++;
      if (depth > 0)
        {
          if (*p == ']')
            depth--;
          p++;
          continue;
        }
      if (g_ascii_isspace (*p))
        {
          if (key->len > 0 && key->str[key->len - 1] != ' ')
            g_string_append_c (key, ' ');
          p++;
          continue;
        }

      /* One word. An id may be letters only, in mixed case
       * (QwErTyUiOp): a capital after a small letter, twice, in a word
       * of eight or more. */
      {
        guint case_changes = 0;

        for (end = p; *end != '\0' && !g_ascii_isspace (*end) && *end != '['; end++)
          {
            digit |= g_ascii_isdigit (*end);
            if (end > p && g_ascii_isupper (*end) && g_ascii_islower (end[-1]))
              case_changes++;
          }
        if (case_changes >= 2 && end - p >= 8)
          digit = TRUE;
      }
      if (digit)
        g_string_append_c (key, '#');
      else
        g_string_append_len (key, p, end - p);
      p = end;
    }
  while (key->len > 0 && key->str[key->len - 1] == ' ')
    g_string_truncate (key, key->len - 1);

  return g_string_free (key, FALSE);
}

/* The reply in self->reply, at @stage, refused: sorts it by the table and
 * says so. */
static RsMailOutcome
refused (RsMailer      *self,
         RsSmtpStage    stage,
         const char    *sender,
         const char    *recipient,
         guint         *reply_code,
         char         **reply_text,
         GError       **error)
{
  const RsSmtpReply *reply = &self->reply;
  const RsSmtpRule *rule = rs_smtp_classify (stage, reply->code, reply->enhanced,
                                             self->signed_in);
  g_autofree char *text = rs_smtp_reply_text_shown (reply->text->str);
  g_autofree char *shown = *text != '\0' ? g_strdup_printf ("%u %s", reply->code, text)
                                         : g_strdup_printf ("%u", reply->code);
  const char *advice = rule->advice != NULL ? _(rule->advice) : "";
  RsMailOutcome outcome = RS_MAIL_STOP;

  if (reply_code != NULL)
    *reply_code = reply->code;
  if (reply_text != NULL)
    {
      g_free (*reply_text);
      *reply_text = g_strdup (reply->text->str);
    }

  g_debug ("%s: %u %s at stage %d", self->host, reply->code, reply->enhanced, stage);

  switch (rule->klass)
    {
    case RS_SMTP_CLASS_RECIPIENT:
    case RS_SMTP_CLASS_MESSAGE:
      if (recipient != NULL && !rs_smtp_enhanced_is_mailbox (reply->enhanced))
        {
          g_autofree char *key = refusal_key (reply->code, reply->enhanced, reply->text->str, recipient);

          if (self->refusal != NULL && g_str_equal (self->refusal, key)
              && g_ascii_strcasecmp (self->refused_to, recipient) != 0)
            {
              g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED,
                           /* Translators: host, two e-mail addresses, the server's reply */
                           _("The server %s refused %s with the same answer as %s just "
                             "before: %s. The same refusal for different people is about the "
                             "account or the sender, not about them: check the From address "
                             "and the account in Preferences, or ask the mail administrator."),
                           self->host, recipient, self->refused_to, shown);
              forget_refusal (self);
              break;
            }
          g_free (self->refusal);
          g_free (self->refused_to);
          self->refusal = g_steal_pointer (&key);
          self->refused_to = g_strdup (recipient);
        }
      else
        {
          forget_refusal (self);
        }

      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED,
                   /* Translators: host, e-mail address, the server's reply, what to do */
                   _("The server %s refused the message to %s: %s. %s"),
                   self->host, recipient != NULL ? recipient : "", shown, advice);
      outcome = RS_MAIL_FAILED;
      break;

    case RS_SMTP_CLASS_ACCOUNT:
      if (sender == NULL || stage == RS_SMTP_STAGE_GREETING || stage == RS_SMTP_STAGE_EHLO)
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_ACCOUNT,
                     /* Translators: host, the server's reply, what to do */
                     _("The server %s refused the connection: %s. %s"),
                     self->host, shown, advice);
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_ACCOUNT,
                     /* Translators: host, the sender's address, the server's reply, what to
                      * do */
                     _("The server %s refused mail from %s: %s. %s"),
                     self->host, sender, shown, advice);
      break;

    case RS_SMTP_CLASS_SIGN_IN:
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN,
                   /* Translators: host, the server's reply, what to do */
                   _("The server %s refused the sign-in: %s. %s"), self->host, shown, advice);
      break;

    case RS_SMTP_CLASS_CREDENTIALS:
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH,
                   /* Translators: host, the server's reply, what to do */
                   _("The server %s refused the user name or password: %s. %s"),
                   self->host, shown, advice);
      break;

    case RS_SMTP_CLASS_TLS:
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                   /* Translators: host, the server's reply, what to do */
                   _("The server %s refused an encrypted connection (STARTTLS): %s. %s"),
                   self->host, shown, advice);
      break;

    case RS_SMTP_CLASS_ACCEPTED:
      self->out_of_step = TRUE;
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                   /* Translators: host, the server's reply */
                   _("The server %s gave an answer that does not fit: %s. It will be tried "
                     "again later."),
                   self->host, shown);
      outcome = RS_MAIL_TEMPORARY;
      break;

    case RS_SMTP_CLASS_TEMPORARY:
    default:
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                   /* Translators: host, the server's reply, what to do */
                   _("The server %s is temporarily not accepting mail: %s. %s"),
                   self->host, shown, advice);
      outcome = RS_MAIL_TEMPORARY;
      break;
    }

  return outcome;
}

/* A refusal in the mail transaction: after one recipient or one message
 * the session goes on, after anything else it ends. */
static RsMailOutcome
refused_in_session (RsMailer      *self,
                    RsSmtpStage    stage,
                    const char    *sender,
                    const char    *recipient,
                    guint         *reply_code,
                    char         **reply_text,
                    GCancellable  *cancellable,
                    GError       **error)
{
  RsMailOutcome outcome = refused (self, stage, sender, recipient, reply_code, reply_text,
                                   error);

  if (outcome == RS_MAIL_FAILED)
    {
      /* The next message starts on a clean slate. */
      if (command (self, RS_SMTP_STAGE_RSET, "RSET\r\n", cancellable) != IO_OK
          || self->reply.code != 250)
        close_session (self, FALSE);
    }
  else
    {
      close_session (self, TRUE);
    }

  return outcome;
}

/* The connection broke, timed out or was cancelled: before the final "."
 * nothing was delivered; after it the message may have been. */
static RsMailOutcome
lost (RsMailer     *self,
      Io            io,
      gboolean      dot_sent,
      const char   *recipient,
      GError      **error)
{
  const char *broken = self->broken != NULL ? self->broken : _("the connection was lost");
  g_autofree char *reason = g_strdup (broken);

  g_debug ("%s: connection lost (%d) %s the end of the message", self->host, io,
           dot_sent ? "after" : "before");
  close_session (self, FALSE);

  if (dot_sent)
    {
      forget_refusal (self);
      if (io == IO_CANCELLED)
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN,
                     /* Translators: e-mail address, host */
                     _("Sending was stopped after the message to %s was handed to the server "
                       "%s, before the server confirmed it. It may have been delivered: "
                       "check before sending it again; it is not sent again by itself."),
                     recipient, self->host);
      else if (io == IO_TIMEOUT)
        {
          guint seconds = self->timeout_us / G_USEC_PER_SEC;

          g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN,
                       /* Translators: e-mail address, host, seconds */
                       ngettext ("The message to %s was handed to the server %s, but the "
                                 "server did not confirm it within %u second. It may have "
                                 "been delivered: check before sending it again; it is not "
                                 "sent again by itself.",
                                 "The message to %s was handed to the server %s, but the "
                                 "server did not confirm it within %u seconds. It may have "
                                 "been delivered: check before sending it again; it is not "
                                 "sent again by itself.", seconds),
                       recipient, self->host, seconds);
        }
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNKNOWN,
                     /* Translators: e-mail address, host, what happened (in English) */
                     _("The message to %s was handed to the server %s, but the connection "
                       "broke before the server confirmed it (%s). It may have been "
                       "delivered: check before sending it again; it is not sent again by "
                       "itself."),
                     recipient, self->host, reason);
      return RS_MAIL_UNKNOWN;
    }

  if (io == IO_CANCELLED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was stopped."));
      return RS_MAIL_STOP;
    }
  if (io == IO_TIMEOUT)
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                 _("The server %s did not answer in time. It will be tried again later; if "
                   "this keeps happening, check the server address and your network "
                   "connection."),
                 self->host);
  else
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                 _("The connection to the server %s broke off: %s. It will be tried again "
                   "later."),
                 self->host, reason);

  return RS_MAIL_TEMPORARY;
}

/* A sign-in with an access token that failed for a reason of its own: no
 * XOAUTH2 offered, the token refused, SMTP AUTH switched off. */
static gboolean
token_refused (RsMailer       *self,
               guint          *reply_code,
               char          **reply_text,
               GError        **error,
               RsMailOutcome  *outcome)
{
  const RsSmtpReply *reply = &self->reply;
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  const RsSmtpRule *rule;

  *outcome = RS_MAIL_STOP;
  if (self->auth_offered && !self->xoauth2_offered)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN,
                   _("The server %s does not offer a sign-in with a Microsoft or Google "
                     "account (XOAUTH2) on this connection, so nothing was sent. Check the "
                     "server address and port in Preferences (smtp.office365.com or "
                     "smtp.gmail.com, port 587 with STARTTLS), or sign in with a password."),
                   self->host);
      return TRUE;
    }

  if (!self->token_refused
      && (!reply->done || self->reply_stage != RS_SMTP_STAGE_AUTH || reply->code < 500))
    return FALSE;

  rule = rs_smtp_classify (RS_SMTP_STAGE_AUTH, reply->code, reply->enhanced, FALSE);
  text = rs_smtp_reply_text_shown (reply->text->str);
  shown = *text != '\0' ? g_strdup_printf ("%u %s", reply->code, text)
                        : g_strdup_printf ("%u", reply->code);

  if (g_str_equal (reply->enhanced, "5.7.139"))
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN,
                 /* Translators: host, the server's reply */
                 _("The server %s refused the sign-in: %s. Sending by SMTP is switched off "
                   "for this mailbox or organisation: ask the administrator to enable SMTP "
                   "AUTH for the mailbox, or choose to send through Microsoft Graph in "
                   "Preferences."),
                 self->host, shown);
  else if (self->token_refused || rule->klass == RS_SMTP_CLASS_CREDENTIALS)
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TOKEN_EXPIRED,
                 /* Translators: host, the server's reply */
                 _("The server %s did not accept the sign-in token: %s. It may have expired "
                   "or been revoked: sign in again in Preferences."),
                 self->host, shown);
  else
    return FALSE;

  if (reply_code != NULL)
    *reply_code = reply->code;
  if (reply_text != NULL)
    {
      g_free (*reply_text);
      *reply_text = g_strdup (reply->text->str);
    }
  return TRUE;
}

/* Why libcurl could not set up the connection. */
static RsMailOutcome
setup_failed (RsMailer      *self,
              CURLcode       rc,
              guint         *reply_code,
              char         **reply_text,
              GError       **error)
{
  const char *detail = self->error_buffer[0] != '\0' ? self->error_buffer
                                                     : curl_easy_strerror (rc);

  g_debug ("%s: %s (%s), reply %u", self->host, curl_easy_strerror (rc), self->error_buffer,
           self->reply.done ? self->reply.code : 0);

  if (rc == CURLE_ABORTED_BY_CALLBACK && g_cancellable_is_cancelled (self->cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Sending was stopped."));
      return RS_MAIL_STOP;
    }

  if (self->bearer)
    {
      RsMailOutcome outcome;

      if (token_refused (self, reply_code, reply_text, error, &outcome))
        return outcome;
    }

  /* A refusal, at the stage it came. */
  if (self->reply.done && self->reply.code >= 400)
    return refused (self, self->reply_stage, NULL, NULL, reply_code, reply_text, error);

  if (rc == CURLE_LOGIN_DENIED)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH,
                   _("The server %s refused the user name or password. Check the user name "
                     "and password in Preferences."), self->host);
      return RS_MAIL_STOP;
    }

  if (rc == CURLE_USE_SSL_FAILED)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                   _("The server %s does not offer an encrypted connection (STARTTLS). Check "
                     "the server address and port in Preferences, or use smtps://."),
                   self->host);
      return RS_MAIL_STOP;
    }

  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNTRUSTED,
                   /* Translators: the second %s is libcurl's English description */
                   _("The certificate of the server %s is not trusted: %s. Choose the CA file "
                     "of your organisation in Preferences → E-mail, or test the connection "
                     "there to see the certificate and trust it."),
                   self->host, detail);
      return RS_MAIL_STOP;
    }

  if (is_tls_failure (rc))
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                   /* Translators: the second %s is libcurl's English description */
                   _("No secure connection could be made to the server %s: %s. Check the "
                     "server address and port in Preferences; the server’s certificate may "
                     "not be trusted."),
                   self->host, detail);
      return RS_MAIL_STOP;
    }

  if (rc == CURLE_OPERATION_TIMEDOUT)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                   _("The server %s did not answer in time. It will be tried again later; if "
                     "this keeps happening, check the server address and your network "
                     "connection."),
                   self->host);
      return RS_MAIL_TEMPORARY;
    }

  if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
    {
      g_set_error (error, RS_MAILER_ERROR,
                   self->reached ? RS_MAILER_ERROR_TEMPORARY : RS_MAILER_ERROR_CONNECT,
                   _("No connection could be made to the server %s: %s. Check the server "
                     "address and port in Preferences and your network connection."),
                   self->host, detail);
      /* A server never reached is not retried for every respondent. */
      return self->reached ? RS_MAIL_TEMPORARY : RS_MAIL_STOP;
    }

  g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
               _("The connection to the server %s broke off: %s. It will be tried again "
                 "later."),
               self->host, detail);
  return RS_MAIL_TEMPORARY;
}

/* Connects, secures and signs in: libcurl does it all and stops. Leaves
 * self->curl set, also when it failed (to read the certificate). */
static RsMailOutcome
connect_session (RsMailer      *self,
                 guint         *reply_code,
                 char         **reply_text,
                 GCancellable  *cancellable,
                 GError       **error)
{
  long connects = 0;
  CURLcode rc;

  g_assert (self->curl == NULL);

  self->curl = curl_easy_duphandle (self->setup);
  if (self->curl == NULL)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                   _("The mail library could not be started: %s."),
                   curl_easy_strerror (CURLE_OUT_OF_MEMORY));
      return RS_MAIL_STOP;
    }

  self->stage = RS_SMTP_STAGE_GREETING;
  self->reply_stage = RS_SMTP_STAGE_GREETING;
  self->auth_offered = FALSE;
  self->xoauth2_offered = FALSE;
  self->token_refused = FALSE;
  self->smtputf8 = FALSE;
  self->signed_in = FALSE;
  self->out_of_step = FALSE;
  self->broken = NULL;
  self->error_buffer[0] = '\0';
  g_string_truncate (self->line, 0);
  g_string_truncate (self->input, 0);
  rs_smtp_reply_reset (&self->reply);

  self->in_setup = TRUE;
  self->cancellable = cancellable;
  rc = curl_easy_perform (self->curl);
  self->in_setup = FALSE;

  if (curl_easy_getinfo (self->curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
    self->connections += connects;

  if (rc != CURLE_OK)
    {
      RsMailOutcome outcome = setup_failed (self, rc, reply_code, reply_text, error);

      /* A QUIT only after a clear refusal, not into silence. */
      self->out_of_step = !(self->reply.done && self->reply.code >= 400);
      self->cancellable = NULL;
      return outcome;
    }
  self->cancellable = NULL;
  self->reached = TRUE;

  /* Without a sign-in the server might take mail from anyone, or take it
   * and then refuse it for everyone: the user name was meant to be used. */
  if (self->sign_in && !self->auth_offered && self->bearer)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN,
                   _("The server %s does not offer a sign-in on this connection, so the "
                     "Microsoft or Google account cannot be used and nothing was sent. Check "
                     "the server address and port in Preferences (smtp.office365.com or "
                     "smtp.gmail.com, port 587 with STARTTLS)."),
                   self->host);
      return RS_MAIL_STOP;
    }
  if (self->sign_in && !self->auth_offered)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_SIGN_IN,
                   _("The server %s does not offer a sign-in on this connection, so the user "
                     "name and password cannot be used and nothing was sent. Check the "
                     "server address, port and security in Preferences (mail submission is "
                     "usually port 587 with STARTTLS, or 465), or clear the user name if "
                     "this server needs none."),
                   self->host);
      return RS_MAIL_STOP;
    }

  return RS_MAIL_SENT;
}

static RsMailOutcome
open_session (RsMailer      *self,
              guint         *reply_code,
              char         **reply_text,
              GCancellable  *cancellable,
              GError       **error)
{
  RsMailOutcome outcome = connect_session (self, reply_code, reply_text, cancellable, error);

  if (outcome != RS_MAIL_SENT)
    close_session (self, TRUE);

  return outcome;
}

/* Whether the open connection is still there: a server closes one that
 * stays idle too long, often with a "421" first. */
static gboolean
session_alive (RsMailer *self)
{
  char buffer[512];
  size_t n = 0;
  CURLcode rc;

  if (self->out_of_step || self->input->len > 0)
    return FALSE;

  rc = curl_easy_recv (self->curl, buffer, sizeof buffer, &n);
  if (rc == CURLE_AGAIN)
    return TRUE;

  g_debug ("%s: the connection was closed while idle", self->host);
  return FALSE;
}

static gboolean
check_address (const char  *address,
               GError     **error)
{
  g_autofree char *shown = NULL;

  if (address != NULL && *address != '\0' && strchr (address, '<') == NULL
      && strchr (address, '>') == NULL && strchr (address, ' ') == NULL
      && !has_control_characters (address))
    return TRUE;

  shown = g_strescape (address != NULL ? address : "", NULL);
  g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS,
               _("The address “%s” cannot be used to send mail: it is empty or contains a "
                 "line break, a space or another character that is not allowed."),
               shown);
  return FALSE;
}

/* @address as it goes in MAIL FROM or RCPT TO: its domain in ASCII (IDNA);
 * *@utf8 when the part before the @ is not ASCII (it needs SMTPUTF8).
 * %NULL when the domain is not a host name. */
static char *
envelope_address (const char *address,
                  gboolean   *utf8)
{
  const char *at = strrchr (address, '@');
  g_autofree char *local = g_strndup (address, at != NULL ? (gsize) (at - address)
                                                          : strlen (address));
  g_autofree char *domain = NULL;

  *utf8 = !g_str_is_ascii (local);
  if (at == NULL)
    return g_strdup (address);

  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL || *domain == '\0')
    return NULL;

  return g_strconcat (local, "@", domain, NULL);
}

static void
set_unusable_address (GError     **error,
                      const char  *address)
{
  g_autofree char *shown = g_utf8_make_valid (address, -1);

  g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS,
               _("The address “%s” cannot be used to send mail: the part after the @ is not a "
                 "valid domain name."),
               shown);
}

/* The header of @message: every line a field or the continuation of one,
 * ended by CRLF, and one From. A line break in the sender's name would
 * add a header of its own: that is about every message, so it stops. */
static RsMailOutcome
check_header (GBytes      *message,
              const char  *recipient,
              GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  const char *end = data + length;
  gboolean in_from = FALSE;
  gboolean from_broken = FALSE;
  gboolean broken = FALSE;
  guint froms = 0;

  for (const char *p = data; p < end;)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *line_end = eol != NULL ? eol : end;
      gboolean bad = eol == NULL || eol == p || eol[-1] != '\r';
      gsize n;

      if (!bad)
        line_end--;
      n = line_end - p;
      if (n == 0 && !bad)
        break;

      if (memchr (p, '\r', n) != NULL || memchr (p, '\0', n) != NULL)
        bad = TRUE;
      if (*p == ' ' || *p == '\t')
        {
          bad = bad || p == data;
        }
      else
        {
          const char *q = p;

          while (q < line_end && *q > 32 && *q < 127 && *q != ':')
            q++;
          if (q == p || q == line_end || *q != ':')
            bad = TRUE;
          else
            {
              in_from = q - p == 4 && g_ascii_strncasecmp (p, "From", 4) == 0;
              froms += in_from;
            }
        }

      if (bad && in_from)
        from_broken = TRUE;
      else if (bad)
        broken = TRUE;
      if (eol == NULL)
        break;
      p = eol + 1;
    }

  if (from_broken || froms != 1)
    {
      g_set_error_literal (error, RS_MAILER_ERROR, RS_MAILER_ERROR_ACCOUNT,
                           _("The sender (From) of the message is damaged: it has a line "
                             "break, or it is missing or given twice, and could add hidden "
                             "headers. Nothing was sent. Correct the sender’s name and "
                             "address in Preferences."));
      return RS_MAIL_STOP;
    }
  if (broken)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED,
                   _("The message to %s has a damaged header (a line break or a line that is "
                     "not a header), which could add hidden headers, so it was not sent. "
                     "Correct the respondent’s name or the subject and try again."),
                   recipient);
      return RS_MAIL_FAILED;
    }

  return RS_MAIL_SENT;
}

/* The message as it goes after DATA: a "." doubled at the start of a line,
 * and the final "." on a line of its own, apart. */
static GString *
dot_stuff (GBytes *message,
           char  **final)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  GString *out = g_string_sized_new (length + length / 512 + 8);
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *next = eol != NULL ? eol + 1 : end;

      if (*p == '.')
        g_string_append_c (out, '.');
      g_string_append_len (out, p, next - p);
      p = next;
    }

  *final = (char *) (length >= 2 && data[length - 2] == '\r' && data[length - 1] == '\n'
                     ? ".\r\n" : "\r\n.\r\n");
  return out;
}

RsMailOutcome
rs_mailer_send (RsMailer      *self,
                const char    *envelope_from,
                const char    *envelope_to,
                GBytes        *message,
                guint         *reply_code,
                char         **reply_text,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GString) body = NULL;
  g_autofree char *mail_from = NULL;
  g_autofree char *rcpt_to = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *recipient = NULL;
  gboolean sender_utf8;
  gboolean recipient_utf8;
  gboolean may_reopen = TRUE;
  RsMailOutcome outcome;
  char *final = NULL;
  Io io;

  g_return_val_if_fail (self != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (message != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (error == NULL || *error == NULL, RS_MAIL_STOP);

  if (reply_code != NULL)
    *reply_code = 0;
  if (reply_text != NULL)
    *reply_text = NULL;
  g_clear_pointer (&self->copy_refusal, g_free);

  /* A bad sender is the same for every message; a bad recipient only
   * concerns this one. */
  if (!check_address (envelope_from, error))
    return RS_MAIL_STOP;
  if (!check_address (envelope_to, error))
    return RS_MAIL_FAILED;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return RS_MAIL_STOP;
  sender = envelope_address (envelope_from, &sender_utf8);
  if (sender == NULL)
    {
      set_unusable_address (error, envelope_from);
      return RS_MAIL_STOP;
    }
  recipient = envelope_address (envelope_to, &recipient_utf8);
  if (recipient == NULL)
    {
      set_unusable_address (error, envelope_to);
      return RS_MAIL_FAILED;
    }
  outcome = check_header (message, envelope_to, error);
  if (outcome != RS_MAIL_SENT)
    return outcome;

  rcpt_to = g_strdup_printf ("RCPT TO:<%s>\r\n", recipient);

  for (;;)
    {
      gboolean reused = self->curl != NULL;

      /* Closed while idle: opened again at once, without a deferral. */
      if (reused && !session_alive (self))
        {
          close_session (self, FALSE);
          reused = FALSE;
          may_reopen = FALSE;
        }
      if (self->curl == NULL)
        {
          outcome = open_session (self, reply_code, reply_text, cancellable, error);
          if (outcome != RS_MAIL_SENT)
            return outcome;
        }

      /* Letters beyond ASCII before the @ only go to a server that says it
       * takes them. */
      if ((sender_utf8 || recipient_utf8) && !self->smtputf8)
        {
          g_autofree char *shown = g_utf8_make_valid (sender_utf8 ? envelope_from
                                                                  : envelope_to, -1);

          g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS,
                       /* Translators: host, e-mail address */
                       _("The server %s cannot send mail to or from an address with letters "
                         "other than a–z before the @, such as “%s” (it does not support "
                         "SMTPUTF8)."),
                       self->host, shown);
          return sender_utf8 ? RS_MAIL_STOP : RS_MAIL_FAILED;
        }
      g_free (mail_from);
      mail_from = g_strdup_printf ("MAIL FROM:<%s>%s\r\n", sender,
                                   sender_utf8 || recipient_utf8 ? " SMTPUTF8" : "");

      io = command (self, RS_SMTP_STAGE_MAIL, mail_from, cancellable);
      if (reused && may_reopen
          && (io == IO_BROKEN || (io == IO_OK && self->reply.code == 421)))
        {
          g_debug ("%s: the connection was closed while idle", self->host);
          close_session (self, FALSE);
          may_reopen = FALSE;
          continue;
        }
      break;
    }

  if (io != IO_OK)
    return lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 250)
    return refused_in_session (self, RS_SMTP_STAGE_MAIL, envelope_from, envelope_to,
                               reply_code, reply_text, cancellable, error);

  io = command (self, RS_SMTP_STAGE_RCPT, rcpt_to, cancellable);
  if (io != IO_OK)
    return lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 250 && self->reply.code != 251)
    return refused_in_session (self, RS_SMTP_STAGE_RCPT, envelope_from, envelope_to,
                               reply_code, reply_text, cancellable, error);

  /* The sender's copy: one more recipient in the envelope, none in the
   * header. Refused, it is told, and the respondent's message goes on. */
  if (self->keep_copy && g_ascii_strcasecmp (sender, recipient) != 0)
    {
      g_autofree char *rcpt_copy = g_strdup_printf ("RCPT TO:<%s>\r\n", sender);

      io = command (self, RS_SMTP_STAGE_RCPT, rcpt_copy, cancellable);
      if (io != IO_OK)
        return lost (self, io, FALSE, envelope_to, error);
      if (self->reply.code != 250 && self->reply.code != 251)
        {
          g_autofree char *text = rs_smtp_reply_text_shown (self->reply.text->str);

          g_debug ("%s: the sender's copy was refused: %u", self->host, self->reply.code);
          self->copy_refusal = *text != '\0' ? g_strdup_printf ("%u %s", self->reply.code, text)
                                             : g_strdup_printf ("%u", self->reply.code);
        }
    }

  io = command (self, RS_SMTP_STAGE_DATA, "DATA\r\n", cancellable);
  if (io != IO_OK)
    return lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 354)
    return refused_in_session (self, RS_SMTP_STAGE_DATA, envelope_from, envelope_to,
                               reply_code, reply_text, cancellable, error);

  body = dot_stuff (message, &final);
  self->stage = RS_SMTP_STAGE_END_OF_DATA;
  io = write_all (self, body->str, body->len, cancellable);
  if (io == IO_OK)
    io = write_all (self, final, strlen (final), cancellable);
  if (io != IO_OK)
    return lost (self, io, FALSE, envelope_to, error);

  /* From here on the message may be delivered, whatever happens. */
  io = command (self, RS_SMTP_STAGE_END_OF_DATA, NULL, cancellable);
  if (io != IO_OK)
    return lost (self, io, TRUE, envelope_to, error);
  if (self->reply.code / 100 != 2)
    return refused_in_session (self, RS_SMTP_STAGE_END_OF_DATA, envelope_from, envelope_to,
                               reply_code, reply_text, cancellable, error);

  forget_refusal (self);
  if (reply_code != NULL)
    *reply_code = self->reply.code;
  if (reply_text != NULL)
    *reply_text = g_strdup (self->reply.text->str);
  if (self->out_of_step)
    close_session (self, FALSE);

  return RS_MAIL_SENT;
}

gboolean
rs_mailer_test_connection (RsMailer      *self,
                           char         **summary,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *connected = NULL;
  const char *signed_in;
  Io io;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  close_session (self, TRUE);
  if (open_session (self, NULL, NULL, cancellable, error) != RS_MAIL_SENT)
    return FALSE;

  io = command (self, RS_SMTP_STAGE_NOOP, "NOOP\r\n", cancellable);
  if (io != IO_OK)
    {
      lost (self, io, FALSE, NULL, error);
      return FALSE;
    }
  if (self->reply.code != 250)
    {
      refused_in_session (self, RS_SMTP_STAGE_NOOP, NULL, NULL, NULL, NULL, cancellable, error);
      return FALSE;
    }

  if (summary == NULL)
    return TRUE;

  if (self->encrypted)
    connected = g_strdup_printf (_("Connected to %s over an encrypted connection."), self->host);
  else
    connected = g_strdup_printf (_("Connected to %s without encryption, which is allowed "
                                   "only to this computer."), self->host);

  if (!self->sign_in)
    signed_in = _("No user name is set, so no sign-in was tried.");
  else if (self->bearer)
    signed_in = _("The sign-in token was accepted.");
  else
    signed_in = _("The user name and password were accepted.");

  *summary = g_strconcat (connected, " ", signed_in, NULL);
  return TRUE;
}

void
rs_mailer_certificate_free (RsMailerCertificate *certificate)
{
  if (certificate == NULL)
    return;

  g_free (certificate->subject);
  g_free (certificate->issuer);
  g_free (certificate->fingerprint);
  g_free (certificate->pin);
  g_free (certificate);
}

/* One DER element at *@p: its whole encoding starts at *@p, its content at
 * *@content; *@p moves past it. */
static gboolean
der_next (const guint8  **p,
          const guint8   *end,
          guint8         *tag,
          const guint8  **content,
          gsize          *length)
{
  const guint8 *q = *p;
  gsize n;

  if (end - q < 2)
    return FALSE;
  *tag = *q++;
  n = *q++;
  if (n & 0x80)
    {
      guint bytes = n & 0x7f;

      if (bytes == 0 || bytes > 4 || (gsize) (end - q) < bytes)
        return FALSE;
      for (n = 0; bytes > 0; bytes--)
        n = (n << 8) | *q++;
    }
  if ((gsize) (end - q) < n)
    return FALSE;

  *content = q;
  *length = n;
  *p = q + n;
  return TRUE;
}

/* The SubjectPublicKeyInfo of an X.509 certificate, as encoded. */
static gboolean
find_public_key (const guint8  *der,
                 gsize          length,
                 const guint8 **spki,
                 gsize         *spki_length)
{
  const guint8 *p = der;
  const guint8 *content;
  const guint8 *tbs_end;
  gsize n;
  guint8 tag;

  /* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } ... } */
  if (!der_next (&p, der + length, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  p = content;
  if (!der_next (&p, content + n, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  p = content;
  tbs_end = content + n;

  /* [0] version (optional), serialNumber, signature, issuer, validity,
   * subject, then subjectPublicKeyInfo. */
  if (p < tbs_end && *p == 0xa0 && !der_next (&p, tbs_end, &tag, &content, &n))
    return FALSE;
  for (guint i = 0; i < 5; i++)
    if (!der_next (&p, tbs_end, &tag, &content, &n))
      return FALSE;

  *spki = p;
  if (!der_next (&p, tbs_end, &tag, &content, &n) || tag != 0x30)
    return FALSE;
  *spki_length = p - *spki;

  return TRUE;
}

char *
rs_mailer_certificate_pin_from_der (const guint8 *der,
                                    gsize         length)
{
  g_autoptr(GChecksum) checksum = NULL;
  const guint8 *spki;
  gsize spki_length;
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (der != NULL || length == 0, NULL);

  if (!find_public_key (der, length, &spki, &spki_length))
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, spki, spki_length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);

  return g_strconcat ("sha256//", encoded, NULL);
}

char *
rs_mailer_certificate_fingerprint_from_der (const guint8 *der,
                                            gsize         length)
{
  g_autofree char *hex = NULL;
  GString *text;

  g_return_val_if_fail (der != NULL || length == 0, NULL);

  if (length == 0)
    return NULL;

  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, length);
  text = g_string_sized_new (96);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (text, ':');
      g_string_append_c (text, g_ascii_toupper (hex[i]));
      g_string_append_c (text, g_ascii_toupper (hex[i + 1]));
    }

  return g_string_free (text, FALSE);
}

static guint8 *
pem_to_der (const char *pem,
            gsize      *length)
{
  const char *begin = strstr (pem, "-----BEGIN CERTIFICATE-----");
  const char *end;
  g_autofree char *base64 = NULL;

  *length = 0;
  if (begin == NULL)
    return NULL;
  begin += strlen ("-----BEGIN CERTIFICATE-----");
  end = strstr (begin, "-----END CERTIFICATE-----");
  if (end == NULL)
    return NULL;

  /* The decoder skips the line breaks. */
  base64 = g_strndup (begin, end - begin);
  g_base64_decode_inplace (base64, length);
  if (*length == 0)
    return NULL;

  return (guint8 *) g_steal_pointer (&base64);
}

static char *
certinfo_field (struct curl_slist *fields,
                const char        *name)
{
  gsize length = strlen (name);

  for (struct curl_slist *field = fields; field != NULL; field = field->next)
    if (g_ascii_strncasecmp (field->data, name, length) == 0 && field->data[length] == ':')
      return g_strstrip (g_strdup (field->data + length + 1));

  return NULL;
}

RsMailerCertificate *
rs_mailer_fetch_certificate (const RsMailerConfig  *config,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autoptr(RsMailer) probe = NULL;
  g_autoptr(RsMailerCertificate) certificate = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *der = NULL;
  g_autofree char *pem = NULL;
  struct curl_certinfo *info = NULL;
  RsMailerConfig anonymous;
  gsize length = 0;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* No user name, no password: the certificate is not checked here, so
   * nothing secret may go over this connection. */
  anonymous = *config;
  anonymous.user = NULL;
  anonymous.password = NULL;
  anonymous.pinned_key = NULL;
  probe = rs_mailer_new (&anonymous, error);
  if (probe == NULL)
    return NULL;

  if (!probe->encrypted)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                   _("The connection to %s is not encrypted, so the server shows no "
                     "certificate."), probe->host);
      return NULL;
    }

  curl_easy_setopt (probe->setup, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (probe->setup, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (probe->setup, CURLOPT_CERTINFO, 1L);

  /* The certificate comes before anything the server might refuse. */
  connect_session (probe, NULL, NULL, cancellable, &local_error);

  rc = probe->curl != NULL ? curl_easy_getinfo (probe->curl, CURLINFO_CERTINFO, &info)
                           : CURLE_FAILED_INIT;
  if (rc == CURLE_OK && info != NULL && info->num_of_certs > 0)
    pem = certinfo_field (info->certinfo[0], "Cert");
  if (pem != NULL)
    der = pem_to_der (pem, &length);

  certificate = g_new0 (RsMailerCertificate, 1);
  if (der != NULL)
    {
      certificate->pin = rs_mailer_certificate_pin_from_der (der, length);
      certificate->fingerprint = rs_mailer_certificate_fingerprint_from_der (der, length);
    }
  if (certificate->pin == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                     _("The certificate of the server %s could not be read."), probe->host);
      return NULL;
    }
  certificate->subject = certinfo_field (info->certinfo[0], "Subject");
  certificate->issuer = certinfo_field (info->certinfo[0], "Issuer");

  return g_steal_pointer (&certificate);
}
