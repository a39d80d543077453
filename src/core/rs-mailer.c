/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <glib/gi18n.h>
#include <curl/curl.h>

#include "rs-curl-private.h"
#include "rs-mailer-private.h"

/* libcurl connects, secures the connection (TLS or STARTTLS), says EHLO and
 * signs in (CURLOPT_CONNECT_ONLY); the mail transaction is ours, on the
 * same connection, so that every reply is known with the command it
 * answers, and so is whether the final "." of a message went out. */

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
set_config_error (GError     **error,
                  const char  *url)
{
  g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
               _("The mail server address “%s” is not valid. Enter it as "
                 "smtp://HOST:PORT or smtps://HOST:PORT in Preferences."), url);
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

/* The parts of @config that make no sense, or would send a password or a
 * token unencrypted. Returns the server's address, or %NULL. */
static GUri *
check_config (const RsMailerConfig  *config,
              gboolean              *smtps,
              GError               **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (config->url == NULL || rs_curl_has_control_characters (config->url))
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

  *smtps = g_ascii_strcasecmp (scheme, "smtps") == 0;
  if (!*smtps && !config->starttls_required && !rs_mailer_host_is_loopback (g_uri_get_host (uri)))
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
      if (!*smtps && !config->starttls_required)
        {
          g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INSECURE,
                       _("The sign-in token would go to the server %s unencrypted. Require "
                         "STARTTLS or use an smtps:// address in Preferences."),
                       g_uri_get_host (uri));
          return NULL;
        }
    }

  return g_steal_pointer (&uri);
}

/* The set-up every connection is copied from. */
static void
apply_config (RsMailer             *self,
              const RsMailerConfig *config)
{
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

  _rs_mailer_observe_setup (self);
  rs_curl_stop_on_cancel (self->setup, &self->cancellable);
}

RsMailer *
rs_mailer_new (const RsMailerConfig  *config,
               GError               **error)
{
  g_autoptr(RsMailer) self = NULL;
  g_autoptr(GUri) uri = NULL;
  gboolean smtps = FALSE;
  CURLcode rc;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = check_config (config, &smtps, error);
  if (uri == NULL)
    return NULL;

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
      rs_curl_set_init_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                              rc != CURLE_OK ? rc : CURLE_OUT_OF_MEMORY);
      return NULL;
    }

  self->host = g_strdup (g_uri_get_host (uri));
  self->user = g_strdup (config->user);
  self->encrypted = smtps || config->starttls_required;
  self->bearer = config->access_token != NULL && *config->access_token != '\0';
  self->keep_copy = config->keep_copy;
  /* RFC 5321 allows minutes for a reply; 0 takes five. */
  self->timeout_us = (gint64) (config->timeout_s > 0 ? config->timeout_s : 300) * G_USEC_PER_SEC;
  apply_config (self, config);

  return g_steal_pointer (&self);
}

guint
rs_mailer_get_connections (RsMailer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->connections;
}

void
rs_mailer_free (RsMailer *self)
{
  if (self == NULL)
    return;

  _rs_mailer_close_session (self, TRUE);
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

  _rs_mailer_close_session (self, TRUE);
  curl_easy_setopt (self->setup, CURLOPT_XOAUTH2_BEARER, access_token);
}

const char *
rs_mailer_get_copy_refusal (RsMailer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->copy_refusal;
}

static gboolean
check_address (const char  *address,
               GError     **error)
{
  return rs_curl_check_address (address, FALSE, RS_MAILER_ERROR,
                                RS_MAILER_ERROR_INVALID_ADDRESS, error);
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

/* The addresses of one message: as given, and as they go in MAIL FROM and
 * RCPT TO. */
typedef struct
{
  const char *from;
  const char *to;
  char *sender;
  char *recipient;
  gboolean sender_utf8;
  gboolean recipient_utf8;
} Envelope;

static void
envelope_clear (Envelope *envelope)
{
  g_free (envelope->sender);
  g_free (envelope->recipient);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Envelope, envelope_clear)

/* Checks the addresses and the header of @message before anything goes
 * out. Returns RS_MAIL_SENT when they may go, else the message's outcome. */
static RsMailOutcome
envelope_init (Envelope      *envelope,
               const char    *envelope_from,
               const char    *envelope_to,
               GBytes        *message,
               GCancellable  *cancellable,
               GError       **error)
{
  envelope->from = envelope_from;
  envelope->to = envelope_to;

  /* A bad sender is the same for every message; a bad recipient only
   * concerns this one. */
  if (!check_address (envelope_from, error))
    return RS_MAIL_STOP;
  if (!check_address (envelope_to, error))
    return RS_MAIL_FAILED;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return RS_MAIL_STOP;
  envelope->sender = envelope_address (envelope_from, &envelope->sender_utf8);
  if (envelope->sender == NULL)
    {
      set_unusable_address (error, envelope_from);
      return RS_MAIL_STOP;
    }
  envelope->recipient = envelope_address (envelope_to, &envelope->recipient_utf8);
  if (envelope->recipient == NULL)
    {
      set_unusable_address (error, envelope_to);
      return RS_MAIL_FAILED;
    }

  return check_header (message, envelope_to, error);
}

/* Opens the connection when there is none and says MAIL FROM; a connection
 * found closed while idle is opened again once. Returns RS_MAIL_SENT when
 * MAIL FROM was tried (*@io says how it went), else the message's outcome. */
static RsMailOutcome
mail_from (RsMailer        *self,
           const Envelope  *envelope,
           guint           *reply_code,
           char           **reply_text,
           GCancellable    *cancellable,
           Io              *io,
           GError         **error)
{
  gboolean utf8 = envelope->sender_utf8 || envelope->recipient_utf8;
  g_autofree char *line = g_strdup_printf ("MAIL FROM:<%s>%s\r\n", envelope->sender,
                                           utf8 ? " SMTPUTF8" : "");
  gboolean may_reopen = TRUE;

  for (;;)
    {
      gboolean reused = self->curl != NULL;

      /* Closed while idle: opened again at once, without a deferral. */
      if (reused && !_rs_mailer_session_alive (self))
        {
          _rs_mailer_close_session (self, FALSE);
          reused = FALSE;
          may_reopen = FALSE;
        }
      if (self->curl == NULL)
        {
          RsMailOutcome outcome = _rs_mailer_open_session (self, reply_code, reply_text,
                                                           cancellable, error);

          if (outcome != RS_MAIL_SENT)
            return outcome;
        }

      /* Letters beyond ASCII before the @ only go to a server that says it
       * takes them. */
      if (utf8 && !self->smtputf8)
        {
          g_autofree char *shown = g_utf8_make_valid (envelope->sender_utf8 ? envelope->from
                                                                            : envelope->to, -1);

          g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_ADDRESS,
                       /* Translators: host, e-mail address */
                       _("The server %s cannot send mail to or from an address with letters "
                         "other than a–z before the @, such as “%s” (it does not support "
                         "SMTPUTF8)."),
                       self->host, shown);
          return envelope->sender_utf8 ? RS_MAIL_STOP : RS_MAIL_FAILED;
        }

      *io = _rs_mailer_command (self, RS_SMTP_STAGE_MAIL, line, cancellable);
      if (reused && may_reopen
          && (*io == IO_BROKEN || (*io == IO_OK && self->reply.code == 421)))
        {
          g_debug ("%s: the connection was closed while idle", self->host);
          _rs_mailer_close_session (self, FALSE);
          may_reopen = FALSE;
          continue;
        }

      return RS_MAIL_SENT;
    }
}

/* The sender's copy: one more recipient in the envelope, none in the
 * header. Refused, it is told, and the respondent's message goes on. */
static Io
copy_to_sender (RsMailer       *self,
                const Envelope *envelope,
                GCancellable   *cancellable)
{
  g_autofree char *rcpt_copy = NULL;
  Io io;

  if (!self->keep_copy || g_ascii_strcasecmp (envelope->sender, envelope->recipient) == 0)
    return IO_OK;

  rcpt_copy = g_strdup_printf ("RCPT TO:<%s>\r\n", envelope->sender);
  io = _rs_mailer_command (self, RS_SMTP_STAGE_RCPT, rcpt_copy, cancellable);
  if (io == IO_OK && self->reply.code != 250 && self->reply.code != 251)
    {
      g_debug ("%s: the sender's copy was refused: %u", self->host, self->reply.code);
      self->copy_refusal = _rs_mailer_reply_shown (&self->reply);
    }

  return io;
}

/* The message after DATA's 354, dot-stuffed, and its final ".". */
static Io
write_message (RsMailer     *self,
               GBytes       *message,
               GCancellable *cancellable)
{
  g_autoptr(GString) body = NULL;
  char *final = NULL;
  Io io;

  body = dot_stuff (message, &final);
  self->stage = RS_SMTP_STAGE_END_OF_DATA;
  io = _rs_mailer_write_all (self, body->str, body->len, cancellable);
  if (io == IO_OK)
    io = _rs_mailer_write_all (self, final, strlen (final), cancellable);

  return io;
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
  g_auto(Envelope) envelope = { 0 };
  g_autofree char *rcpt_to = NULL;
  RsMailOutcome outcome;
  Io io = IO_OK;

  g_return_val_if_fail (self != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (message != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (error == NULL || *error == NULL, RS_MAIL_STOP);

  if (reply_code != NULL)
    *reply_code = 0;
  if (reply_text != NULL)
    *reply_text = NULL;
  g_clear_pointer (&self->copy_refusal, g_free);

  outcome = envelope_init (&envelope, envelope_from, envelope_to, message, cancellable, error);
  if (outcome != RS_MAIL_SENT)
    return outcome;

  outcome = mail_from (self, &envelope, reply_code, reply_text, cancellable, &io, error);
  if (outcome != RS_MAIL_SENT)
    return outcome;
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 250)
    return _rs_mailer_refused_in_session (self, RS_SMTP_STAGE_MAIL, envelope_from, envelope_to,
                                          reply_code, reply_text, cancellable, error);

  rcpt_to = g_strdup_printf ("RCPT TO:<%s>\r\n", envelope.recipient);
  io = _rs_mailer_command (self, RS_SMTP_STAGE_RCPT, rcpt_to, cancellable);
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 250 && self->reply.code != 251)
    return _rs_mailer_refused_in_session (self, RS_SMTP_STAGE_RCPT, envelope_from, envelope_to,
                                          reply_code, reply_text, cancellable, error);

  io = copy_to_sender (self, &envelope, cancellable);
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, FALSE, envelope_to, error);

  io = _rs_mailer_command (self, RS_SMTP_STAGE_DATA, "DATA\r\n", cancellable);
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, FALSE, envelope_to, error);
  if (self->reply.code != 354)
    return _rs_mailer_refused_in_session (self, RS_SMTP_STAGE_DATA, envelope_from, envelope_to,
                                          reply_code, reply_text, cancellable, error);

  io = write_message (self, message, cancellable);
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, FALSE, envelope_to, error);

  /* From here on the message may be delivered, whatever happens. */
  io = _rs_mailer_command (self, RS_SMTP_STAGE_END_OF_DATA, NULL, cancellable);
  if (io != IO_OK)
    return _rs_mailer_lost (self, io, TRUE, envelope_to, error);
  if (self->reply.code / 100 != 2)
    return _rs_mailer_refused_in_session (self, RS_SMTP_STAGE_END_OF_DATA, envelope_from,
                                          envelope_to, reply_code, reply_text, cancellable,
                                          error);

  _rs_mailer_forget_refusal (self);
  if (reply_code != NULL)
    *reply_code = self->reply.code;
  if (reply_text != NULL)
    *reply_text = g_strdup (self->reply.text->str);
  if (self->out_of_step)
    _rs_mailer_close_session (self, FALSE);

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

  _rs_mailer_close_session (self, TRUE);
  if (_rs_mailer_open_session (self, NULL, NULL, cancellable, error) != RS_MAIL_SENT)
    return FALSE;

  io = _rs_mailer_command (self, RS_SMTP_STAGE_NOOP, "NOOP\r\n", cancellable);
  if (io != IO_OK)
    {
      _rs_mailer_lost (self, io, FALSE, NULL, error);
      return FALSE;
    }
  if (self->reply.code != 250)
    {
      _rs_mailer_refused_in_session (self, RS_SMTP_STAGE_NOOP, NULL, NULL, NULL, NULL,
                                     cancellable, error);
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

