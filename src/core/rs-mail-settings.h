/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-mailer.h"
#include "rs-oauth-provider.h"
#include "rs-send-job.h"

G_BEGIN_DECLS

/* How to send mail, read once from the saved preferences; the command line
 * overrides fields with the setters. One rule for the connection's security
 * and one set of timeouts, for the window, Preferences and the command line.
 *
 * The window's send flow, for example:
 *
 *   g_autoptr(RsMailSettings) mail = rs_mail_settings_new_from_gsettings (settings);
 *   RsSendOptions options;
 *
 *   if (!rs_mail_settings_validate (mail, mode, &error))
 *     show error->message: it names the setting to fix in Preferences → E-mail
 *   // in a worker thread (it blocks on the keyring):
 *   password = rs_mail_settings_lookup_password (mail, cancellable, NULL);
 *   rs_mail_settings_fill_send_options (mail, mode, &options);
 *   options.mailer.password = password;   // free with rs_secret_free_password()
 *   options.ids = ...; options.retry_failed = ...;
 *   rs_send_job_run_async (store, &options, ...);   // copies the options
 *
 * The object does not change after it is set up, so a reference may be handed
 * to a worker thread; setters are for the thread that made it, before that. */

#define RS_MAIL_SETTINGS_ERROR (rs_mail_settings_error_quark ())

typedef enum
{
  RS_MAIL_SETTINGS_ERROR_MISSING,
  RS_MAIL_SETTINGS_ERROR_INVALID,
  RS_MAIL_SETTINGS_ERROR_INSECURE,
} RsMailSettingsError;

/* The values of the "smtp-security" setting. An smtps:// address is always
 * TLS on connect; the choice counts for smtp:// addresses. */
typedef enum
{
  RS_MAIL_SECURITY_STARTTLS,
  RS_MAIL_SECURITY_TLS,
  RS_MAIL_SECURITY_NONE,
} RsMailSecurity;

/* The values of the "auth-kind" setting: how the sender signs in. With
 * Microsoft 365 or Google (OAuth 2.0), mail goes through Microsoft Graph or
 * over SMTP with XOAUTH2 as the signed-in account, and the server is the
 * provider's unless one is set. */
typedef enum
{
  RS_MAIL_AUTH_PASSWORD,
  RS_MAIL_AUTH_MICROSOFT,
  RS_MAIL_AUTH_GOOGLE,
} RsMailAuth;

#define RS_MAIL_MICROSOFT_SMTP_URL "smtp://smtp.office365.com:587"
#define RS_MAIL_GOOGLE_SMTP_URL "smtp://smtp.gmail.com:587"

/* Seconds: to make the connection, and for one whole message or test. */
#define RS_MAIL_CONNECT_TIMEOUT_S 30
#define RS_MAIL_TIMEOUT_S 120

#define RS_TYPE_MAIL_SETTINGS (rs_mail_settings_get_type ())
G_DECLARE_FINAL_TYPE (RsMailSettings, rs_mail_settings, RS, MAIL_SETTINGS, GObject)

GQuark          rs_mail_settings_error_quark        (void);

/* The built-in defaults, as when nothing was ever saved. */
RsMailSettings *rs_mail_settings_new                (void);
/* Reads every mail key of the application's schema once. */
RsMailSettings *rs_mail_settings_new_from_gsettings (GSettings       *settings);

/* Empty text is the same as %NULL: not set. */
void            rs_mail_settings_set_url            (RsMailSettings  *self,
                                                     const char      *url);
void            rs_mail_settings_set_security       (RsMailSettings  *self,
                                                     RsMailSecurity   security);
void            rs_mail_settings_set_user           (RsMailSettings  *self,
                                                     const char      *user);
void            rs_mail_settings_set_ca_file        (RsMailSettings  *self,
                                                     const char      *ca_file);
void            rs_mail_settings_set_pinned_key     (RsMailSettings  *self,
                                                     const char      *pinned_key);
void            rs_mail_settings_set_from_address   (RsMailSettings  *self,
                                                     const char      *address);
void            rs_mail_settings_set_from_name      (RsMailSettings  *self,
                                                     const char      *name);
void            rs_mail_settings_set_reply_to       (RsMailSettings  *self,
                                                     const char      *address);
void            rs_mail_settings_set_test_address   (RsMailSettings  *self,
                                                     const char      *address);
void            rs_mail_settings_set_rate_limit     (RsMailSettings  *self,
                                                     guint            per_minute);
void            rs_mail_settings_set_auth           (RsMailSettings  *self,
                                                     RsMailAuth       auth);
void            rs_mail_settings_set_oauth_client_id (RsMailSettings *self,
                                                      const char     *client_id);
void            rs_mail_settings_set_oauth_client_secret (RsMailSettings *self,
                                                          const char     *client_secret);
void            rs_mail_settings_set_oauth_tenant   (RsMailSettings  *self,
                                                     const char      *tenant);
/* The signed-in address: the From address and the SMTP user when no other
 * is set. */
void            rs_mail_settings_set_oauth_account  (RsMailSettings  *self,
                                                     const char      *account);
/* Replacements of the provider's addresses (tests, private deployments);
 * read from "oauth-authority", "oauth-token-url", "oauth-device-code-url"
 * and "graph-url". */
void            rs_mail_settings_set_oauth_authority (RsMailSettings *self,
                                                      const char     *url);
void            rs_mail_settings_set_oauth_token_url (RsMailSettings *self,
                                                      const char     *url);
void            rs_mail_settings_set_oauth_device_code_url (RsMailSettings *self,
                                                            const char     *url);
void            rs_mail_settings_set_graph_url      (RsMailSettings  *self,
                                                     const char      *url);
/* Microsoft 365 only: Graph (the default) or SMTP. */
void            rs_mail_settings_set_transport      (RsMailSettings  *self,
                                                     RsSendTransport  transport);
/* Over SMTP, a copy of every message to the From address (envelope only). */
void            rs_mail_settings_set_keep_copy      (RsMailSettings  *self,
                                                     gboolean         keep_copy);
/* %NULL or empty text is the default text of @language ("en" or "nl"). */
void            rs_mail_settings_set_template       (RsMailSettings  *self,
                                                     const char      *language,
                                                     const char      *subject,
                                                     const char      *body);

RsMailSecurity  rs_mail_settings_security_from_string (const char    *text);
RsMailAuth      rs_mail_settings_auth_from_string   (const char      *text);
const char     *rs_mail_settings_auth_to_string     (RsMailAuth       auth);
const char     *rs_mail_settings_security_to_string   (RsMailSecurity security);

/* The server address as it will be used: scheme added when it was left out,
 * smtps:// for TLS on connect; the provider's SMTP server when none is set
 * and the sign-in is with Microsoft 365 or Google. %NULL when there is no
 * server. */
const char     *rs_mail_settings_get_url            (RsMailSettings  *self);
/* The host of the server (the password is kept per host and user). */
const char     *rs_mail_settings_get_host           (RsMailSettings  *self);
RsMailSecurity  rs_mail_settings_get_security       (RsMailSettings  *self);
gboolean        rs_mail_settings_get_starttls       (RsMailSettings  *self);
const char     *rs_mail_settings_get_user           (RsMailSettings  *self);
const char     *rs_mail_settings_get_ca_file        (RsMailSettings  *self);
const char     *rs_mail_settings_get_pinned_key     (RsMailSettings  *self);
const char     *rs_mail_settings_get_from_address   (RsMailSettings  *self);
const char     *rs_mail_settings_get_from_name      (RsMailSettings  *self);
const char     *rs_mail_settings_get_reply_to       (RsMailSettings  *self);
const char     *rs_mail_settings_get_test_address   (RsMailSettings  *self);
guint           rs_mail_settings_get_rate_limit     (RsMailSettings  *self);
const char     *rs_mail_settings_get_subject        (RsMailSettings  *self,
                                                     const char      *language);
const char     *rs_mail_settings_get_body           (RsMailSettings  *self,
                                                     const char      *language);
RsMailAuth      rs_mail_settings_get_auth           (RsMailSettings  *self);
const char     *rs_mail_settings_get_oauth_client_id (RsMailSettings *self);
const char     *rs_mail_settings_get_oauth_client_secret (RsMailSettings *self);
const char     *rs_mail_settings_get_oauth_tenant   (RsMailSettings  *self);
const char     *rs_mail_settings_get_oauth_account  (RsMailSettings  *self);
const char     *rs_mail_settings_get_graph_url      (RsMailSettings  *self);
/* The transport used: Graph only for Microsoft 365 when chosen; SMTP for a
 * password and for Google. */
RsSendTransport rs_mail_settings_get_transport      (RsMailSettings  *self);
gboolean        rs_mail_settings_get_keep_copy      (RsMailSettings  *self);
/* The From address used: the one set, else the signed-in account. */
const char     *rs_mail_settings_get_sender         (RsMailSettings  *self);

/* For Microsoft 365 or Google: the provider with the client ID, tenant,
 * replaced addresses, CA file and the route of the transport; %NULL for a
 * password. */
RsOAuthProvider *rs_mail_settings_new_oauth_provider (RsMailSettings *self);

/* Whether the server can be connected to: set, a valid address, encrypted
 * unless it is this computer, a readable CA file. */
gboolean        rs_mail_settings_validate_server    (RsMailSettings  *self,
                                                     GError         **error);
/* All that a send in @mode needs, the server included (for Microsoft 365
 * and Google: the client ID and an encrypted server; the From address may
 * wait for the sign-in). The message says which setting to set or correct,
 * in Preferences → E-mail. */
gboolean        rs_mail_settings_validate           (RsMailSettings  *self,
                                                     RsSendMode       mode,
                                                     GError         **error);

/* Fill the mailer's part (password and access token left %NULL) or the
 * whole send options (mode, test address, sender, texts, rate, transport,
 * keep a copy; no ids, no password or token). Strings
 * are borrowed from @self: keep it alive and unchanged while @out is used. */
void            rs_mail_settings_fill_mailer_config (RsMailSettings  *self,
                                                     RsMailerConfig  *out);
void            rs_mail_settings_fill_send_options  (RsMailSettings  *self,
                                                     RsSendMode       mode,
                                                     RsSendOptions   *out);

/* The keyring's password for this host and user, %NULL without an error when
 * none is kept, no user is set or the sign-in is not with a password.
 * Blocks: call it from a worker thread. Free it with
 * rs_secret_free_password(). */
char           *rs_mail_settings_lookup_password    (RsMailSettings  *self,
                                                     GCancellable    *cancellable,
                                                     GError         **error);

G_END_DECLS
