/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-smtp-reply"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-smtp-reply.h"

/* The meaning of every reply, by the stage it came at, its code and its
 * enhanced status code (RFC 3463). The first row that fits decides; the
 * README's "Replies from the server" shows the same table. */

#define ST(stage) (1u << RS_SMTP_STAGE_ ## stage)
#define CONNECTING (ST (GREETING) | ST (EHLO))
#define TRANSACTION (ST (MAIL) | ST (RCPT) | ST (DATA) | ST (END_OF_DATA))
#define ANY_STAGE G_MAXUINT
#define BEFORE_SIGN_IN 1

#define AGAIN_LATER N_("It will be tried again later.")
#define TOO_MANY_SIGN_INS \
  N_("There were too many sign-in attempts. Wait at least a quarter of an hour before " \
     "sending again; every new attempt makes the wait longer.")
#define BASIC_AUTH_OFF \
  N_("The organisation has switched off signing in with a password (Basic " \
     "authentication) for sending mail. Sign in with Microsoft instead of a password in " \
     "Preferences → E-mail.")
#define POLICY_NO_PASSWORD \
  N_("The organisation does not allow this mailbox to sign in with a password (security " \
     "defaults or a policy). Sign in with Microsoft instead in Preferences → E-mail, or ask " \
     "the administrator to allow SMTP AUTH for the mailbox.")
#define APP_PASSWORD \
  N_("The account needs an app password: create one in the Google account (Security → " \
     "2-Step Verification → App passwords) and enter it in Preferences instead of the " \
     "account password.")
#define BROWSER_FIRST \
  N_("The provider wants this sign-in confirmed in a web browser first. Sign in to the " \
     "account in a browser, then try again, or use an app password.")
#define STRONGER_SIGN_IN \
  N_("The server wants a stronger way to sign in than this password. Use an app password, " \
     "or sign in with the provider in Preferences → E-mail.")
#define ENCRYPTED_SIGN_IN \
  N_("The server takes a password only over an encrypted connection. Require STARTTLS or " \
     "use smtps:// in Preferences.")
#define CHECK_PASSWORD N_("Check the user name and password in Preferences.")
#define NOT_THIS_COMPUTER \
  N_("The server does not take mail from this computer or network. Check the server address " \
     "in Preferences, or ask the mail administrator.")
#define NO_STARTTLS N_("Check the server address and port in Preferences, or use smtps://.")
#define DAILY_LIMIT \
  N_("The account has reached its daily sending limit. Send the rest after 24 hours; " \
     "everyone not yet sent stays pending.")
#define SEND_AS \
  N_("The account that signs in may not send as this sender. Set the From address in " \
     "Preferences to the account’s own address, or ask the administrator for “Send As” " \
     "permission.")
#define SEND_AS_OR_BLOCKED \
  N_("The account may not send this message as this sender: it has no “Send As” permission " \
     "for it, or it is blocked for sending. Set the From address in Preferences to the " \
     "account’s own address, or ask the mail administrator.")
#define SIGN_IN_REQUIRED \
  N_("The server wants a sign-in before it takes mail. Enter the user name and password in " \
     "Preferences.")
#define NO_RELAY \
  N_("The server refused this sender without a sign-in. Most servers pass mail on to other " \
     "domains only after one: enter the user name and password in Preferences, or ask the " \
     "mail administrator.")
#define BAD_SENDER N_("The server does not accept the sender address. Check the From address in " \
                      "Preferences.")
#define ACCOUNT_REFUSED \
  N_("The server refused mail from this account or sender. Check the From address and the " \
     "user name in Preferences, or ask the mail administrator.")
#define CHECK_ADDRESS N_("Check the address; sending it again will not help.")
#define TOO_LARGE \
  N_("The message is larger than the server accepts. Make the report smaller, or ask the " \
     "mail administrator about the size limit.")
#define CONTENT \
  N_("The server took the message for spam or unsafe content. Change the e-mail text or the " \
     "report before sending it again; sending it unchanged will not help.")
#define MESSAGE_REFUSED N_("The server refused this message; sending it again will not help.")

static const RsSmtpRule rules[] = {
  /* A new connection: this computer may not connect, or not now. */
  { CONNECTING, 400, 499, NULL, 0, RS_SMTP_CLASS_TEMPORARY, AGAIN_LATER },
  { CONNECTING, 500, 599, NULL, 0, RS_SMTP_CLASS_ACCOUNT, NOT_THIS_COMPUTER },
  { ST (STARTTLS), 400, 499, NULL, 0, RS_SMTP_CLASS_TEMPORARY, AGAIN_LATER },
  { ST (STARTTLS), 500, 599, NULL, 0, RS_SMTP_CLASS_TLS, NO_STARTTLS },

  /* Signing in. */
  { ST (AUTH), 454, 454, "4.7.0", 0, RS_SMTP_CLASS_SIGN_IN, TOO_MANY_SIGN_INS },
  { ST (AUTH), 400, 499, NULL, 0, RS_SMTP_CLASS_TEMPORARY, AGAIN_LATER },
  { ST (AUTH) | TRANSACTION, 500, 599, "5.7.30", 0, RS_SMTP_CLASS_SIGN_IN, BASIC_AUTH_OFF },
  { ST (AUTH) | TRANSACTION, 500, 599, "5.7.139", 0, RS_SMTP_CLASS_SIGN_IN,
    POLICY_NO_PASSWORD },
  { ST (AUTH), 534, 534, "5.7.9", 0, RS_SMTP_CLASS_SIGN_IN, APP_PASSWORD },
  { ST (AUTH), 534, 534, "5.7.14", 0, RS_SMTP_CLASS_SIGN_IN, BROWSER_FIRST },
  { ST (AUTH), 534, 534, NULL, 0, RS_SMTP_CLASS_SIGN_IN, STRONGER_SIGN_IN },
  { ST (AUTH), 538, 538, NULL, 0, RS_SMTP_CLASS_SIGN_IN, ENCRYPTED_SIGN_IN },
  { ST (AUTH), 500, 599, NULL, 0, RS_SMTP_CLASS_CREDENTIALS, CHECK_PASSWORD },

  /* The account or the sender, at whatever point of the message. */
  { TRANSACTION, 500, 599, "5.4.5", 0, RS_SMTP_CLASS_ACCOUNT, DAILY_LIMIT },
  { TRANSACTION, 500, 599, "5.7.60", 0, RS_SMTP_CLASS_ACCOUNT, SEND_AS },
  { ST (MAIL) | ST (DATA) | ST (END_OF_DATA), 500, 599, "5.2.0", 0, RS_SMTP_CLASS_ACCOUNT,
    SEND_AS_OR_BLOCKED },
  { TRANSACTION, 530, 530, NULL, 0, RS_SMTP_CLASS_ACCOUNT, SIGN_IN_REQUIRED },
  { TRANSACTION, 500, 599, "5.7.57", 0, RS_SMTP_CLASS_ACCOUNT, SIGN_IN_REQUIRED },
  { TRANSACTION, 500, 599, "5.1.7", 0, RS_SMTP_CLASS_ACCOUNT, BAD_SENDER },
  { TRANSACTION, 500, 599, "5.1.8", 0, RS_SMTP_CLASS_ACCOUNT, BAD_SENDER },
  { ST (MAIL), 500, 599, NULL, 0, RS_SMTP_CLASS_ACCOUNT, ACCOUNT_REFUSED },

  /* The recipient. */
  { ST (RCPT), 500, 599, "5.7.", BEFORE_SIGN_IN, RS_SMTP_CLASS_ACCOUNT, NO_RELAY },
  { ST (RCPT), 500, 599, NULL, 0, RS_SMTP_CLASS_RECIPIENT, CHECK_ADDRESS },

  /* The message. */
  { ST (DATA), 500, 599, "5.7.", 0, RS_SMTP_CLASS_ACCOUNT, ACCOUNT_REFUSED },
  { ST (DATA), 500, 599, NULL, 0, RS_SMTP_CLASS_MESSAGE, MESSAGE_REFUSED },
  { ST (END_OF_DATA), 500, 599, "5.3.4", 0, RS_SMTP_CLASS_MESSAGE, TOO_LARGE },
  { ST (END_OF_DATA), 500, 599, "5.2.3", 0, RS_SMTP_CLASS_MESSAGE, TOO_LARGE },
  { ST (END_OF_DATA), 552, 552, "5.7.", 0, RS_SMTP_CLASS_MESSAGE, CONTENT },
  { ST (END_OF_DATA), 552, 552, NULL, 0, RS_SMTP_CLASS_MESSAGE, TOO_LARGE },
  { ST (END_OF_DATA), 500, 599, "5.6.", 0, RS_SMTP_CLASS_MESSAGE, CONTENT },
  { ST (END_OF_DATA), 554, 554, "5.7.1", 0, RS_SMTP_CLASS_MESSAGE, CONTENT },
  { ST (END_OF_DATA), 500, 599, "5.7.", 0, RS_SMTP_CLASS_ACCOUNT, ACCOUNT_REFUSED },
  { ST (END_OF_DATA), 500, 599, "5.1.", 0, RS_SMTP_CLASS_RECIPIENT, CHECK_ADDRESS },
  { ST (END_OF_DATA), 554, 554, NULL, 0, RS_SMTP_CLASS_MESSAGE, CONTENT },
  { ST (END_OF_DATA), 500, 599, NULL, 0, RS_SMTP_CLASS_MESSAGE, MESSAGE_REFUSED },

  /* Whatever else. */
  { ANY_STAGE, 200, 399, NULL, 0, RS_SMTP_CLASS_ACCEPTED, NULL },
  { ANY_STAGE, 400, 499, NULL, 0, RS_SMTP_CLASS_TEMPORARY, AGAIN_LATER },
  { ANY_STAGE, 500, 599, NULL, 0, RS_SMTP_CLASS_ACCOUNT, ACCOUNT_REFUSED },
};

/* A reply that is not one (a code outside 200-599): nothing is known. */
static const RsSmtpRule unexpected = {
  ANY_STAGE, 0, 999, NULL, 0, RS_SMTP_CLASS_TEMPORARY, AGAIN_LATER
};

static gboolean
enhanced_matches (const char *pattern,
                  const char *enhanced)
{
  gsize length;

  if (pattern == NULL)
    return TRUE;
  length = strlen (pattern);
  if (length > 0 && pattern[length - 1] == '.')
    return strncmp (enhanced, pattern, length) == 0;

  return strcmp (enhanced, pattern) == 0;
}

const RsSmtpRule *
rs_smtp_classify (RsSmtpStage  stage,
                  guint        code,
                  const char  *enhanced,
                  gboolean     signed_in)
{
  if (enhanced == NULL)
    enhanced = "";

  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const RsSmtpRule *rule = &rules[i];

      if ((rule->stages & (1u << stage)) == 0 || code < rule->code_min
          || code > rule->code_max || !enhanced_matches (rule->enhanced, enhanced))
        continue;
      if (rule->signed_in == BEFORE_SIGN_IN && signed_in)
        continue;
      return rule;
    }

  return &unexpected;
}

gboolean
rs_smtp_enhanced_is_mailbox (const char *enhanced)
{
  static const char *mailbox[] = {
    "5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10", "5.2.1", "5.2.2",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (mailbox); i++)
    if (g_strcmp0 (enhanced, mailbox[i]) == 0)
      return TRUE;

  return FALSE;
}

void
rs_smtp_reply_init (RsSmtpReply *reply)
{
  memset (reply, 0, sizeof *reply);
  reply->text = g_string_new (NULL);
}

void
rs_smtp_reply_clear (RsSmtpReply *reply)
{
  if (reply->text != NULL)
    g_string_free (reply->text, TRUE);
  memset (reply, 0, sizeof *reply);
}

void
rs_smtp_reply_reset (RsSmtpReply *reply)
{
  reply->code = 0;
  reply->enhanced[0] = '\0';
  reply->done = FALSE;
  g_string_truncate (reply->text, 0);
}

/* The length of an enhanced status code of class @klass at @text
 * ("5.7.60 ..."), 0 when there is none. */
static gsize
enhanced_length (const char *text,
                 char        klass)
{
  const char *p = text;

  if (*p != klass || p[1] != '.')
    return 0;
  p += 2;
  for (guint part = 0; part < 2; part++)
    {
      guint digits = 0;

      while (g_ascii_isdigit (*p) && digits < 4)
        {
          p++;
          digits++;
        }
      if (digits == 0 || digits > 3)
        return 0;
      if (part == 0)
        {
          if (*p != '.')
            return 0;
          p++;
        }
    }
  if (*p != '\0' && *p != ' ')
    return 0;

  return p - text;
}

gboolean
rs_smtp_reply_add_line (RsSmtpReply *reply,
                        const char  *line)
{
  gsize length = strlen (line);
  g_autofree char *rest = NULL;
  const char *text;
  gsize enhanced;
  guint code;

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]) || (length > 3 && line[3] != ' ' && line[3] != '-'))
    return FALSE;

  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (reply->done)
    rs_smtp_reply_reset (reply);
  if (reply->code != 0 && code != reply->code)
    return FALSE;

  rest = g_strdup (length > 4 ? line + 4 : "");
  text = g_strstrip (rest);
  enhanced = enhanced_length (text, line[0]);
  if (reply->code == 0)
    {
      reply->code = code;
      if (enhanced > 0 && enhanced < sizeof reply->enhanced)
        memcpy (reply->enhanced, text, enhanced);
    }
  else if (enhanced > 0 && strncmp (text, reply->enhanced, enhanced) == 0
           && reply->enhanced[enhanced] == '\0')
    {
      /* The same code on every line is said once. */
      text += enhanced;
      while (*text == ' ')
        text++;
    }

  if (*text != '\0')
    {
      if (reply->text->len > 0)
        g_string_append_c (reply->text, ' ');
      g_string_append (reply->text, text);
    }
  reply->done = length == 3 || line[3] == ' ';

  return TRUE;
}

char *
rs_smtp_reply_text_shown (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *shown = g_string_new (NULL);
  const char *p = valid;
  glong n = 0;

  for (; *p != '\0' && n < 300; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (shown, ' ');
      else
        g_string_append_unichar (shown, c);
    }
  if (*p != '\0')
    g_string_append (shown, "…");

  while (shown->len > 0
         && (shown->str[shown->len - 1] == '.' || shown->str[shown->len - 1] == ' '))
    g_string_truncate (shown, shown->len - 1);

  return g_string_free (shown, FALSE);
}
