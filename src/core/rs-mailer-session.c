/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "rs-curl-private.h"
#include "rs-mailer-private.h"

/* How long a QUIT may take before the connection is closed anyway. */
#define QUIT_TIMEOUT_US (2 * G_USEC_PER_SEC)
/* A reply line longer than this is no reply. */
#define MAX_LINE 4096

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

void
_rs_mailer_observe_setup (RsMailer *self)
{
  /* VERBOSE only feeds on_debug, which keeps the server's replies and the
   * names of the commands, nothing else; without a debug function it would
   * print to stderr. */
  curl_easy_setopt (self->setup, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt (self->setup, CURLOPT_DEBUGDATA, self);
  curl_easy_setopt (self->setup, CURLOPT_VERBOSE, 1L);
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
Io
_rs_mailer_write_all (RsMailer     *self,
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
Io
_rs_mailer_command (RsMailer     *self,
                    RsSmtpStage   stage,
                    const char   *line,
                    GCancellable *cancellable)
{
  Io io;

  self->stage = stage;
  if (line != NULL)
    {
      io = _rs_mailer_write_all (self, line, strlen (line), cancellable);
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
void
_rs_mailer_close_session (RsMailer *self,
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
      if (_rs_mailer_write_all (self, "QUIT\r\n", 6, NULL) == IO_OK)
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

/* Connects, secures and signs in: libcurl does it all and stops. Leaves
 * self->curl set, also when it failed (to read the certificate). */
RsMailOutcome
_rs_mailer_connect_session (RsMailer      *self,
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
      rs_curl_set_init_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_INVALID_CONFIG,
                              CURLE_OUT_OF_MEMORY);
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
      RsMailOutcome outcome = _rs_mailer_setup_failed (self, rc, reply_code, reply_text, error);

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

RsMailOutcome
_rs_mailer_open_session (RsMailer      *self,
                         guint         *reply_code,
                         char         **reply_text,
                         GCancellable  *cancellable,
                         GError       **error)
{
  RsMailOutcome outcome = _rs_mailer_connect_session (self, reply_code, reply_text,
                                                       cancellable, error);

  if (outcome != RS_MAIL_SENT)
    _rs_mailer_close_session (self, TRUE);

  return outcome;
}

/* Whether the open connection is still there: a server closes one that
 * stays idle too long, often with a "421" first. */
gboolean
_rs_mailer_session_alive (RsMailer *self)
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

