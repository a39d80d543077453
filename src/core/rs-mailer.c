/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <glib/gi18n.h>
#include <curl/curl.h>

#include "rs-mailer.h"

struct _RsMailer
{
  CURL *curl;
  char *host;
  char *user;
  gboolean encrypted;
  gboolean fresh;
  guint connections;
  /* Whether the server ever answered: until then a failure to connect is a
   * wrong address rather than a passing fault. */
  gboolean reached;

  GString *line;
  GString *reply;
  gboolean reply_done;
  guint reply_code;
  gboolean signed_in;

  const guint8 *data;
  gsize length;
  gsize offset;
  GCancellable *cancellable;

  char error_buffer[CURL_ERROR_SIZE];
};

G_DEFINE_QUARK (rs-mailer-error-quark, rs_mailer_error)

static gpointer
init_curl (gpointer data)
{
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT));
}

static CURLcode
ensure_curl (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, init_curl, NULL));
}

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

/* Replies come one line at a time; only the last whole reply is kept. Data
 * sent to the server is never looked at, so no password is kept either. */
static void
take_reply_line (RsMailer   *self,
                 const char *line)
{
  gsize length = strlen (line);

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]))
    return;

  /* The answer to the QUIT that closes a connection after an error must
   * not hide the reply that caused it. */
  if (g_str_has_prefix (line, "221"))
    return;

  if (self->reply_done)
    {
      g_string_truncate (self->reply, 0);
      self->reply_done = FALSE;
    }

  if (self->reply->len > 0)
    g_string_append_c (self->reply, ' ');
  g_string_append (self->reply, g_strstrip ((char *) line + MIN (length, 4)));

  if (length == 3 || line[3] != '-')
    {
      self->reply_done = TRUE;
      self->reply_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      if (self->reply_code == 235)
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

  if (type != CURLINFO_HEADER_IN)
    return 0;

  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        {
          if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
            g_string_truncate (self->line, self->line->len - 1);
          take_reply_line (self, self->line->str);
          g_string_truncate (self->line, 0);
        }
      else if (self->line->len < 4096)
        {
          g_string_append_c (self->line, data[i] != '\0' ? data[i] : ' ');
        }
    }

  return 0;
}

static size_t
on_read (char   *buffer,
         size_t  size,
         size_t  n_items,
         void   *user_data)
{
  RsMailer *self = user_data;
  gsize n = MIN (size * n_items, self->length - self->offset);

  memcpy (buffer, self->data + self->offset, n);
  self->offset += n;

  return n;
}

static size_t
on_write (char   *buffer,
          size_t  size,
          size_t  n_items,
          void   *user_data)
{
  return size * n_items;
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

  rc = ensure_curl ();
  if (rc == CURLE_OK)
    {
      self = g_new0 (RsMailer, 1);
      self->curl = curl_easy_init ();
    }
  if (self == NULL || self->curl == NULL)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                   _("The mail library could not be started: %s."),
                   curl_easy_strerror (rc != CURLE_OK ? rc : CURLE_OUT_OF_MEMORY));
      return NULL;
    }

  self->host = g_strdup (g_uri_get_host (uri));
  self->user = g_strdup (config->user);
  self->encrypted = smtps || config->starttls_required;
  self->line = g_string_new (NULL);
  self->reply = g_string_new (NULL);

  curl_easy_setopt (self->curl, CURLOPT_URL, config->url);
  curl_easy_setopt (self->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt (self->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (self->curl, CURLOPT_USE_SSL,
                    (long) (self->encrypted ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  if (config->ca_file != NULL)
    curl_easy_setopt (self->curl, CURLOPT_CAINFO, config->ca_file);
  /* A certificate trusted by hand is trusted for its public key alone:
   * libcurl checks the pin before anything, a password included, is sent. */
  if (config->pinned_key != NULL && *config->pinned_key != '\0')
    {
      curl_easy_setopt (self->curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (self->curl, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt (self->curl, CURLOPT_PINNEDPUBLICKEY, config->pinned_key);
    }
  if (config->user != NULL && *config->user != '\0')
    {
      curl_easy_setopt (self->curl, CURLOPT_USERNAME, config->user);
      curl_easy_setopt (self->curl, CURLOPT_PASSWORD,
                        config->password != NULL ? config->password : "");
    }
  if (config->connect_timeout_s > 0)
    curl_easy_setopt (self->curl, CURLOPT_CONNECTTIMEOUT, (long) config->connect_timeout_s);
  if (config->timeout_s > 0)
    curl_easy_setopt (self->curl, CURLOPT_TIMEOUT, (long) config->timeout_s);
  curl_easy_setopt (self->curl, CURLOPT_ERRORBUFFER, self->error_buffer);

  /* VERBOSE only feeds on_debug, which keeps the server's replies and
   * nothing else; without a debug function it would print to stderr. */
  curl_easy_setopt (self->curl, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt (self->curl, CURLOPT_DEBUGDATA, self);
  curl_easy_setopt (self->curl, CURLOPT_VERBOSE, 1L);

  curl_easy_setopt (self->curl, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt (self->curl, CURLOPT_READDATA, self);
  curl_easy_setopt (self->curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt (self->curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (self->curl, CURLOPT_XFERINFODATA, self);
  curl_easy_setopt (self->curl, CURLOPT_NOPROGRESS, 0L);

  return g_steal_pointer (&self);
}

void
rs_mailer_free (RsMailer *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->curl, curl_easy_cleanup);
  g_free (self->host);
  g_free (self->user);
  g_string_free (self->line, TRUE);
  g_string_free (self->reply, TRUE);
  g_free (self);
}

guint
rs_mailer_get_connections (RsMailer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->connections;
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

static gboolean
is_auth_reply (guint code)
{
  /* 530: authentication or encryption required, 534: mechanism too weak,
   * 535: credentials refused, 538: encryption required for the mechanism. */
  return code == 530 || code == 534 || code == 535 || code == 538;
}

/* Runs the transfer set up on the handle and sorts out what happened. */
static RsMailOutcome
perform (RsMailer      *self,
         const char    *recipient,
         guint         *reply_code,
         char         **reply_text,
         GCancellable  *cancellable,
         GError       **error)
{
  const char *reply;
  long response = 0;
  long connects = 0;
  CURLcode rc;
  guint code;

  g_string_truncate (self->line, 0);
  g_string_truncate (self->reply, 0);
  self->reply_done = FALSE;
  self->reply_code = 0;
  self->signed_in = FALSE;
  self->error_buffer[0] = '\0';
  self->cancellable = cancellable;

  curl_easy_setopt (self->curl, CURLOPT_FRESH_CONNECT, (long) self->fresh);
  rc = curl_easy_perform (self->curl);
  self->cancellable = NULL;

  if (curl_easy_getinfo (self->curl, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
    self->connections += connects;
  curl_easy_getinfo (self->curl, CURLINFO_RESPONSE_CODE, &response);

  /* A reply is only whole when its last line came; a connection that
   * drops halfway leaves no reply to go by. */
  code = self->reply_done ? self->reply_code : (guint) response;
  reply = self->reply_done ? self->reply->str : "";
  if (rc != CURLE_OK && code < 400)
    {
      code = 0;
      reply = "";
    }
  if (reply_code != NULL)
    *reply_code = code;
  if (reply_text != NULL)
    *reply_text = code != 0 ? g_strdup (reply) : NULL;

  self->fresh = rc != CURLE_OK;
  if (rc == CURLE_OK || self->reply_code != 0)
    self->reached = TRUE;
  if (rc == CURLE_OK)
    return RS_MAIL_SENT;

  g_debug ("%s: %s (%s), reply %u", self->host, curl_easy_strerror (rc), self->error_buffer,
           code);

  if (rc == CURLE_ABORTED_BY_CALLBACK && g_cancellable_is_cancelled (cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("Sending was stopped."));
      return RS_MAIL_STOP;
    }

  if (rc == CURLE_LOGIN_DENIED || (code >= 500 && is_auth_reply (code)))
    {
      if (code == 0)
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH,
                     _("The server %s refused the user name or password. Check the user name "
                       "and password in Preferences."), self->host);
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH,
                     /* Translators: the server's host name, its reply code and text */
                     _("The server %s refused the user name or password: %u %s. Check the "
                       "user name and password in Preferences."), self->host, code, reply);
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
                   self->host, self->error_buffer[0] != '\0' ? self->error_buffer
                                                             : curl_easy_strerror (rc));
      return RS_MAIL_STOP;
    }

  if (is_tls_failure (rc))
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                   /* Translators: the second %s is libcurl's English description */
                   _("No secure connection could be made to the server %s: %s. Check the "
                     "server address and port in Preferences; the server’s certificate may "
                     "not be trusted."),
                   self->host, self->error_buffer[0] != '\0' ? self->error_buffer
                                                            : curl_easy_strerror (rc));
      return RS_MAIL_STOP;
    }

  if (code >= 500 && code < 600)
    {
      if (recipient != NULL)
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED,
                     /* Translators: host name, e-mail address, reply code and reply text */
                     _("The server %s refused the message to %s: %u %s. Check the address; "
                       "sending it again will not help."),
                     self->host, recipient, code, reply);
      else
        g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REJECTED,
                     _("The server %s refused: %u %s."), self->host, code, reply);
      return RS_MAIL_FAILED;
    }

  if (code >= 400 && code < 500)
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                 _("The server %s is temporarily not accepting mail: %u %s. It will be tried "
                   "again later."),
                 self->host, code, reply);
  else if (rc == CURLE_OPERATION_TIMEDOUT)
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                 _("The server %s did not answer in time. It will be tried again later; if "
                   "this keeps happening, check the server address and your network "
                   "connection."),
                 self->host);
  else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
    {
      g_set_error (error, RS_MAILER_ERROR,
                   self->reached ? RS_MAILER_ERROR_TEMPORARY : RS_MAILER_ERROR_CONNECT,
                   _("No connection could be made to the server %s: %s. Check the server "
                     "address and port in Preferences and your network connection."),
                   self->host, self->error_buffer[0] != '\0' ? self->error_buffer
                                                            : curl_easy_strerror (rc));
      /* A server never reached is not retried for every respondent. */
      if (!self->reached)
        return RS_MAIL_STOP;
    }
  else
    g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TEMPORARY,
                 _("The connection to the server %s broke off: %s. It will be tried again "
                   "later."),
                 self->host, self->error_buffer[0] != '\0' ? self->error_buffer
                                                          : curl_easy_strerror (rc));

  return RS_MAIL_TEMPORARY;
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
  g_autoptr(GError) local_error = NULL;
  struct curl_slist *recipients;
  RsMailOutcome outcome;

  g_return_val_if_fail (self != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (message != NULL, RS_MAIL_STOP);
  g_return_val_if_fail (error == NULL || *error == NULL, RS_MAIL_STOP);

  if (reply_code != NULL)
    *reply_code = 0;
  if (reply_text != NULL)
    *reply_text = NULL;

  /* A bad sender is the same for every message; a bad recipient only
   * concerns this one. */
  if (!check_address (envelope_from, error))
    return RS_MAIL_STOP;
  if (!check_address (envelope_to, error))
    return RS_MAIL_FAILED;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return RS_MAIL_STOP;

  recipients = curl_slist_append (NULL, envelope_to);
  self->data = g_bytes_get_data (message, &self->length);
  self->offset = 0;

  curl_easy_setopt (self->curl, CURLOPT_CUSTOMREQUEST, NULL);
  curl_easy_setopt (self->curl, CURLOPT_NOBODY, 0L);
  curl_easy_setopt (self->curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (self->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t) self->length);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_FROM, envelope_from);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT, recipients);

  outcome = perform (self, envelope_to, reply_code, reply_text, cancellable, error);

  curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT, NULL);
  curl_slist_free_all (recipients);
  self->data = NULL;
  self->length = 0;

  return outcome;
}

gboolean
rs_mailer_test_connection (RsMailer      *self,
                           char         **summary,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *connected = NULL;
  const char *signed_in;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  curl_easy_setopt (self->curl, CURLOPT_UPLOAD, 0L);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_FROM, NULL);
  curl_easy_setopt (self->curl, CURLOPT_MAIL_RCPT, NULL);
  curl_easy_setopt (self->curl, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt (self->curl, CURLOPT_NOBODY, 1L);
  self->fresh = TRUE;

  if (perform (self, NULL, NULL, NULL, cancellable, error) != RS_MAIL_SENT)
    return FALSE;

  if (summary == NULL)
    return TRUE;

  if (self->encrypted)
    connected = g_strdup_printf (_("Connected to %s over an encrypted connection."), self->host);
  else
    connected = g_strdup_printf (_("Connected to %s without encryption, which is allowed "
                                   "only to this computer."), self->host);

  if (self->user == NULL || *self->user == '\0')
    signed_in = _("No user name is set, so no sign-in was tried.");
  else if (self->signed_in)
    signed_in = _("The user name and password were accepted.");
  else
    signed_in = _("The server did not ask for a sign-in; the user name and password were not "
                  "used.");

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

  curl_easy_setopt (probe->curl, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt (probe->curl, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt (probe->curl, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt (probe->curl, CURLOPT_CUSTOMREQUEST, "NOOP");
  curl_easy_setopt (probe->curl, CURLOPT_NOBODY, 1L);
  probe->fresh = TRUE;

  /* A server that wants a sign-in first may refuse the NOOP: the
   * certificate came before that. */
  perform (probe, NULL, NULL, NULL, cancellable, &local_error);

  rc = curl_easy_getinfo (probe->curl, CURLINFO_CERTINFO, &info);
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
  if (certificate->pin == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (certificate->pin == NULL)
    {
      g_set_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_TLS,
                   _("The certificate of the server %s could not be read."), probe->host);
      return NULL;
    }
  certificate->subject = certinfo_field (info->certinfo[0], "Subject");
  certificate->issuer = certinfo_field (info->certinfo[0], "Issuer");

  return g_steal_pointer (&certificate);
}
