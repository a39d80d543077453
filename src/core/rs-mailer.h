/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RS_MAILER_ERROR (rs_mailer_error_quark ())

typedef enum
{
  RS_MAILER_ERROR_INVALID_CONFIG,
  RS_MAILER_ERROR_INSECURE,
  RS_MAILER_ERROR_INVALID_ADDRESS,
  RS_MAILER_ERROR_TEMPORARY,
  RS_MAILER_ERROR_REJECTED,
  RS_MAILER_ERROR_AUTH,
  RS_MAILER_ERROR_TLS,
  RS_MAILER_ERROR_CONNECT,
  RS_MAILER_ERROR_UNTRUSTED,
  RS_MAILER_ERROR_ACCOUNT,
  RS_MAILER_ERROR_SIGN_IN,
  RS_MAILER_ERROR_REPEATED,
  RS_MAILER_ERROR_UNKNOWN,
  RS_MAILER_ERROR_TOKEN_EXPIRED,
} RsMailerError;

/* What became of one message; the table of replies in the README says
 * which reply gives which outcome.
 * SENT: the server accepted it after the final ".".
 * TEMPORARY: nothing was delivered; the whole queue waits (back-off) and
 *   tries again.
 * FAILED: this recipient or this message was refused for good; the job goes
 *   on with the next respondent.
 * STOP: the account, the sender, the sign-in, TLS, the settings or a
 *   cancel: the job stops and nothing of this message was delivered.
 *   RS_MAILER_ERROR_REPEATED: the same refusal came for two different
 *   recipients in a row, so the previous "failed" was not about that
 *   recipient either. RS_MAILER_ERROR_TOKEN_EXPIRED: the server refused
 *   the access token (expired or revoked): get a new one, set it with
 *   rs_mailer_set_access_token() and try the same message once more.
 * UNKNOWN: the final "." went out and no reply was read: the message may
 *   have been delivered; it is never tried again without a person. */
typedef enum
{
  RS_MAIL_SENT,
  RS_MAIL_TEMPORARY,
  RS_MAIL_FAILED,
  RS_MAIL_STOP,
  RS_MAIL_UNKNOWN,
} RsMailOutcome;

/* @url is smtp://HOST[:PORT] or smtps://HOST[:PORT]. Without
 * @starttls_required an smtp:// URL is plain SMTP, allowed to a loopback
 * host only. @user, @password, @ca_file and @pinned_key may be %NULL.
 * @pinned_key ("sha256//BASE64", see rs_mailer_fetch_certificate()) trusts
 * the server whose certificate has exactly that public key, and no other,
 * whoever signed it. A timeout of 0 means libcurl's default.
 * @access_token (OAuth 2.0) signs in as @user with XOAUTH2 instead of a
 * password, and only over an encrypted connection (smtps:// or STARTTLS
 * required), also to this computer. @keep_copy adds the envelope sender as
 * a recipient of every message, in the envelope only (no Bcc header): a
 * copy in the sender's own mailbox. The mailer copies what it needs. */
typedef struct
{
  const char *url;
  gboolean starttls_required;
  const char *user;
  const char *password;
  const char *ca_file;
  guint connect_timeout_s;
  guint timeout_s;
  const char *pinned_key;
  const char *access_token;
  gboolean keep_copy;
} RsMailerConfig;

/* The certificate a server showed: for a person to decide whether to trust
 * it when it is not signed by a known authority. */
typedef struct
{
  char *subject;
  char *issuer;
  char *fingerprint;
  char *pin;
} RsMailerCertificate;

/* One SMTP session: the connection is kept open between messages; after a
 * refused recipient or message it goes on (RSET), after anything else it is
 * closed and the next message opens a new one. A kept connection that the
 * server closed while idle is opened again at once, once. Not thread-safe:
 * create, use and free it in one thread at a time; it may be a worker
 * thread. */
typedef struct _RsMailer RsMailer;

GQuark         rs_mailer_error_quark       (void);

RsMailer      *rs_mailer_new               (const RsMailerConfig  *config,
                                            GError               **error);
void           rs_mailer_free              (RsMailer              *self);

/* @message is the whole RFC 5322 message with CRLF line ends; the mailer
 * dot-stuffs it. On anything but %RS_MAIL_SENT @error says what happened
 * and what to do (see RsMailOutcome). @reply_code and @reply_text (free
 * it) get the reply that decided, its lines joined and the code left out;
 * 0 and %NULL when there was none (a broken connection, a timeout).
 * @cancellable stops at once; after the final "." that is %RS_MAIL_UNKNOWN. */
RsMailOutcome  rs_mailer_send              (RsMailer              *self,
                                            const char            *envelope_from,
                                            const char            *envelope_to,
                                            GBytes                *message,
                                            guint                 *reply_code,
                                            char                 **reply_text,
                                            GCancellable          *cancellable,
                                            GError               **error);

/* Connects anew, secures and signs in, and says how in @summary; the
 * connection stays open for the next message. */
gboolean       rs_mailer_test_connection   (RsMailer              *self,
                                            char                 **summary,
                                            GCancellable          *cancellable,
                                            GError               **error);

/* A new access token for the next sign-in; an open connection is closed. */
void           rs_mailer_set_access_token  (RsMailer              *self,
                                            const char            *access_token);

/* The server's reply when it refused the sender's copy (RsMailerConfig
 * keep_copy) of the last message sent, which went out without it; %NULL
 * when the copy was taken or none was asked for. */
const char    *rs_mailer_get_copy_refusal  (RsMailer              *self);

/* How many connections were made so far. */
guint          rs_mailer_get_connections   (RsMailer              *self);

gboolean       rs_mailer_host_is_loopback  (const char            *host);

/* Connects to the server of @config without checking its certificate and
 * without signing in, and returns the certificate it shows: subject, issuer,
 * the SHA-256 fingerprint of the certificate (hex, colons) and the pin of its
 * public key for RsMailerConfig.pinned_key. Blocks: call it from a worker. */
RsMailerCertificate *rs_mailer_fetch_certificate (const RsMailerConfig  *config,
                                                  GCancellable          *cancellable,
                                                  GError               **error);
void           rs_mailer_certificate_free  (RsMailerCertificate   *certificate);
/* The pin ("sha256//BASE64") and the fingerprint of a DER certificate;
 * %NULL when it cannot be read. */
char          *rs_mailer_certificate_pin_from_der         (const guint8 *der,
                                                           gsize         length);
char          *rs_mailer_certificate_fingerprint_from_der (const guint8 *der,
                                                           gsize         length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsMailer, rs_mailer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsMailerCertificate, rs_mailer_certificate_free)

G_END_DECLS
