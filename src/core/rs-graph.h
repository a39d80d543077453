/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-mailer.h"

G_BEGIN_DECLS

#define RS_GRAPH_ERROR (rs_graph_error_quark ())

typedef enum
{
  RS_GRAPH_ERROR_INVALID_CONFIG,
  RS_GRAPH_ERROR_INVALID_ADDRESS,
  RS_GRAPH_ERROR_TEMPORARY,
  /* this recipient or this message, for good */
  RS_GRAPH_ERROR_REJECTED,
  /* 401: get a new access token, rs_graph_set_access_token(), try once more */
  RS_GRAPH_ERROR_TOKEN_EXPIRED,
  /* the account may not send (403 ErrorSendAsDenied, no permission, no
   * mailbox, a sending limit) */
  RS_GRAPH_ERROR_ACCOUNT,
  RS_GRAPH_ERROR_TLS,
  RS_GRAPH_ERROR_UNTRUSTED,
  RS_GRAPH_ERROR_CONNECT,
  RS_GRAPH_ERROR_UNKNOWN,
} RsGraphError;

/* @url replaces https://graph.microsoft.com (https:// only); %NULL for
 * that. @access_token is a delegated token with Mail.Send (and User.Read
 * for rs_graph_get_me()). @ca_file may be %NULL. A timeout of 0 means five
 * minutes for a request and libcurl's default to connect. Copied. */
typedef struct
{
  const char *url;
  const char *access_token;
  const char *ca_file;
  guint connect_timeout_s;
  guint timeout_s;
} RsGraphConfig;

/* One message: plain text and at most one attachment. Nullable: to_name,
 * from_address (the signed-in account's own when %NULL), from_name,
 * reply_to, message_id (with or without angle brackets), attachment (then
 * attachment_name is not used). */
typedef struct
{
  const char *to_address;
  const char *to_name;
  const char *from_address;
  const char *from_name;
  const char *reply_to;
  const char *subject;
  const char *text;
  const char *message_id;
  const char *attachment_name;
  const char *attachment_type;
  GBytes *attachment;
} RsGraphMessage;

/* Microsoft Graph for one account: `POST /v1.0/me/sendMail` and
 * `GET /v1.0/me`. Every sendMail goes on a connection of its own, so that
 * a request is never sent twice by the library. Not thread-safe: create,
 * use and free it in one thread at a time; it may be a worker thread. */
typedef struct _RsGraph RsGraph;

GQuark         rs_graph_error_quark        (void);

RsGraph       *rs_graph_new                (const RsGraphConfig  *config,
                                            GError              **error);
void           rs_graph_free               (RsGraph              *self);

void           rs_graph_set_access_token   (RsGraph              *self,
                                            const char           *access_token);

/* The JSON body of sendMail for @message, saveToSentItems true. */
char          *rs_graph_message_to_json    (const RsGraphMessage *message);

/* Sends @message with sendMail. The outcome is that of the SMTP path
 * (RsMailOutcome): 202 SENT; 429 or 503 TEMPORARY (see
 * rs_graph_get_retry_after()); 400 about the recipient, 413 FAILED; 401
 * STOP with RS_GRAPH_ERROR_TOKEN_EXPIRED; 403 and other refusals STOP;
 * other 5xx, or no answer once the whole request went out (broken,
 * timed out, cancelled), UNKNOWN: never tried again by itself.
 * @status (0 when no answer was read) and @reply_text (free it) get the
 * HTTP status and Graph's error code and message. */
RsMailOutcome  rs_graph_send               (RsGraph              *self,
                                            const RsGraphMessage *message,
                                            guint                *status,
                                            char                **reply_text,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* The seconds the last 429 or 503 asked to wait (Retry-After); 0 when it
 * said none. */
guint          rs_graph_get_retry_after    (RsGraph              *self);

/* `GET /v1.0/me`: the account's address (mail, else userPrincipalName).
 * Sends nothing. Blocks: call it from a worker. */
char          *rs_graph_get_me             (RsGraph              *self,
                                            GCancellable         *cancellable,
                                            GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsGraph, rs_graph_free)

G_END_DECLS
