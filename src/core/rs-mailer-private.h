/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <curl/curl.h>

#include "rs-mailer.h"
#include "rs-smtp-reply.h"

G_BEGIN_DECLS

/* What the parts of the mailer share: rs-mailer.c (the object, sending a
 * message), rs-mailer-session.c (the connection and its commands),
 * rs-mailer-errors.c (what a refusal or a lost connection means) and
 * rs-mailer-certificate.c. */

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

/* rs-mailer-session.c */
void          _rs_mailer_observe_setup   (RsMailer      *self);
Io            _rs_mailer_write_all       (RsMailer      *self,
                                          const char    *data,
                                          gsize          length,
                                          GCancellable  *cancellable);
Io            _rs_mailer_command         (RsMailer      *self,
                                          RsSmtpStage    stage,
                                          const char    *line,
                                          GCancellable  *cancellable);
void          _rs_mailer_close_session   (RsMailer      *self,
                                          gboolean       quit);
RsMailOutcome _rs_mailer_connect_session (RsMailer      *self,
                                          guint         *reply_code,
                                          char         **reply_text,
                                          GCancellable  *cancellable,
                                          GError       **error);
RsMailOutcome _rs_mailer_open_session    (RsMailer      *self,
                                          guint         *reply_code,
                                          char         **reply_text,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean      _rs_mailer_session_alive   (RsMailer      *self);

/* rs-mailer-errors.c */
char         *_rs_mailer_reply_shown     (const RsSmtpReply *reply);
void          _rs_mailer_forget_refusal  (RsMailer      *self);
RsMailOutcome _rs_mailer_refused_in_session (RsMailer      *self,
                                             RsSmtpStage    stage,
                                             const char    *sender,
                                             const char    *recipient,
                                             guint         *reply_code,
                                             char         **reply_text,
                                             GCancellable  *cancellable,
                                             GError       **error);
RsMailOutcome _rs_mailer_lost            (RsMailer      *self,
                                          Io             io,
                                          gboolean       dot_sent,
                                          const char    *recipient,
                                          GError       **error);
RsMailOutcome _rs_mailer_setup_failed    (RsMailer      *self,
                                          CURLcode       rc,
                                          guint         *reply_code,
                                          char         **reply_text,
                                          GError       **error);

G_END_DECLS
