/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where in an SMTP session a reply came. */
typedef enum
{
  RS_SMTP_STAGE_GREETING,
  RS_SMTP_STAGE_EHLO,
  RS_SMTP_STAGE_STARTTLS,
  RS_SMTP_STAGE_AUTH,
  RS_SMTP_STAGE_MAIL,
  RS_SMTP_STAGE_RCPT,
  RS_SMTP_STAGE_DATA,
  RS_SMTP_STAGE_END_OF_DATA,
  RS_SMTP_STAGE_RSET,
  RS_SMTP_STAGE_NOOP,
  RS_SMTP_STAGE_QUIT,
} RsSmtpStage;

/* What a reply means for the message and for the job. */
typedef enum
{
  RS_SMTP_CLASS_ACCEPTED,
  /* nothing delivered; try again later, the whole queue waits */
  RS_SMTP_CLASS_TEMPORARY,
  /* this recipient refused for good; the session goes on */
  RS_SMTP_CLASS_RECIPIENT,
  /* this message refused for good (size, content); the session goes on */
  RS_SMTP_CLASS_MESSAGE,
  /* the account, the sender or this computer refused: the job stops */
  RS_SMTP_CLASS_ACCOUNT,
  /* the sign-in cannot work this way: the job stops */
  RS_SMTP_CLASS_SIGN_IN,
  /* the user name or password is wrong: the job stops */
  RS_SMTP_CLASS_CREDENTIALS,
  /* no encrypted connection: the job stops */
  RS_SMTP_CLASS_TLS,
} RsSmtpClass;

/* One reply: @code, the RFC 3463 enhanced status code when it has one
 * ("5.7.60", else ""), and @text: its lines joined by a space, the reply
 * code left out and the enhanced code kept once, at the start. */
typedef struct
{
  guint code;
  char enhanced[16];
  GString *text;
  gboolean done;
} RsSmtpReply;

/* One row of the table (see the README, "Replies from the server"). */
typedef struct
{
  guint stages;
  guint code_min;
  guint code_max;
  /* NULL: any; "5.7." a class and subject; "5.7.60" exactly that */
  const char *enhanced;
  /* 0 any, 1 only before a sign-in, 2 only after one */
  guint signed_in;
  RsSmtpClass klass;
  /* N_(): what the person should do */
  const char *advice;
} RsSmtpRule;

void               rs_smtp_reply_init      (RsSmtpReply *reply);
void               rs_smtp_reply_clear     (RsSmtpReply *reply);
void               rs_smtp_reply_reset     (RsSmtpReply *reply);
/* Adds one line (no CRLF) of a reply; FALSE when it is not a reply line or
 * does not belong to the reply begun. reply->done says when it is whole. */
gboolean           rs_smtp_reply_add_line  (RsSmtpReply *reply,
                                            const char  *line);

/* The first row of the table for this reply: never %NULL. */
const RsSmtpRule  *rs_smtp_classify        (RsSmtpStage  stage,
                                            guint        code,
                                            const char  *enhanced,
                                            gboolean     signed_in);

/* Whether a refusal names the recipient's own mailbox (5.1.1 no such user,
 * 5.2.2 mailbox full, ...), so that two in a row say nothing about the
 * account. */
gboolean           rs_smtp_enhanced_is_mailbox (const char *enhanced);

/* @text as it can stand in a sentence: valid UTF-8, no control characters,
 * at most 300 characters, no full stop at the end. */
char              *rs_smtp_reply_text_shown    (const char *text);

G_END_DECLS
