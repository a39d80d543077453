/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-mailer"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-curl-private.h"
#include "rs-mailer-private.h"

/* @reply as it is shown in a sentence: its code and its text. */
char *
_rs_mailer_reply_shown (const RsSmtpReply *reply)
{
  g_autofree char *text = rs_smtp_reply_text_shown (reply->text->str);

  return *text != '\0' ? g_strdup_printf ("%u %s", reply->code, text)
                       : g_strdup_printf ("%u", reply->code);
}

void
_rs_mailer_forget_refusal (RsMailer *self)
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
  g_autofree char *shown = _rs_mailer_reply_shown (reply);
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
              _rs_mailer_forget_refusal (self);
              break;
            }
          g_free (self->refusal);
          g_free (self->refused_to);
          self->refusal = g_steal_pointer (&key);
          self->refused_to = g_strdup (recipient);
        }
      else
        {
          _rs_mailer_forget_refusal (self);
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
RsMailOutcome
_rs_mailer_refused_in_session (RsMailer      *self,
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
      if (_rs_mailer_command (self, RS_SMTP_STAGE_RSET, "RSET\r\n", cancellable) != IO_OK
          || self->reply.code != 250)
        _rs_mailer_close_session (self, FALSE);
    }
  else
    {
      _rs_mailer_close_session (self, TRUE);
    }

  return outcome;
}

/* The server did not answer in time (@timed_out), or the connection broke
 * off for @reason, before anything was delivered: tried again later. */
static RsMailOutcome
broke_off (RsMailer    *self,
           gboolean     timed_out,
           const char  *reason,
           GError     **error)
{
  if (timed_out)
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

/* The connection broke, timed out or was cancelled: before the final "."
 * nothing was delivered; after it the message may have been. */
RsMailOutcome
_rs_mailer_lost (RsMailer     *self,
                 Io            io,
                 gboolean      dot_sent,
                 const char   *recipient,
                 GError      **error)
{
  const char *broken = self->broken != NULL ? self->broken : _("the connection was lost");
  g_autofree char *reason = g_strdup (broken);

  g_debug ("%s: connection lost (%d) %s the end of the message", self->host, io,
           dot_sent ? "after" : "before");
  _rs_mailer_close_session (self, FALSE);

  if (dot_sent)
    {
      _rs_mailer_forget_refusal (self);
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
  return broke_off (self, io == IO_TIMEOUT, reason, error);
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
  shown = _rs_mailer_reply_shown (reply);

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
RsMailOutcome
_rs_mailer_setup_failed (RsMailer      *self,
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

  if (rs_curl_is_tls_failure (rc))
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
    return broke_off (self, TRUE, NULL, error);

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

  return broke_off (self, FALSE, detail, error);
}

