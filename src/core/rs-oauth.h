/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-oauth-provider.h"

G_BEGIN_DECLS

/* Signing in with OAuth 2.0 as a desktop (public) client, and the access
 * token that comes of it.
 *
 * A sign-in (in the browser with PKCE and a loopback redirect, or with the
 * device authorization grant) keeps the refresh token in the keyring, per
 * provider and account. The access token stays in memory with its expiry and
 * is refreshed shortly before it expires. $RESILIENCESCAN_OAUTH_REFRESH_TOKEN,
 * when set, is used instead of the keyring (unattended use) and a new refresh
 * token that comes of it is kept in memory only.
 *
 * rs_oauth_get_access_token() and the other blocking calls may be made from
 * several worker threads at once; the _async calls report in the thread
 * default main context of the caller. */

#define RS_OAUTH_ERROR (rs_oauth_error_quark ())

typedef enum
{
  /* The provider no longer takes the refresh token (`invalid_grant`): the
   * person has to sign in again. */
  RS_OAUTH_ERROR_SIGN_IN_AGAIN,
  /* No sign-in is kept for the provider. */
  RS_OAUTH_ERROR_NOT_SIGNED_IN,
  /* The person or the administrator refused (`access_denied`). */
  RS_OAUTH_ERROR_DENIED,
  /* The device code ran out before anyone signed in (`expired_token`). */
  RS_OAUTH_ERROR_EXPIRED,
  /* The provider does not offer this way of signing in. */
  RS_OAUTH_ERROR_UNSUPPORTED,
  /* The provider's answer was an error or could not be read. */
  RS_OAUTH_ERROR_SERVER,
  /* The provider could not be reached. */
  RS_OAUTH_ERROR_CONNECTION,
  /* A setting is missing, such as the client ID. */
  RS_OAUTH_ERROR_SETTINGS,
  /* The provider is there but cannot answer now (a 5xx, or
   * `temporarily_unavailable`): try again later. */
  RS_OAUTH_ERROR_UNAVAILABLE,
} RsOAuthError;

/* An error after which trying again later may work: no connection, or a
 * provider that cannot answer now. */
gboolean         rs_oauth_error_is_temporary     (const GError           *error);

#define RS_TYPE_OAUTH (rs_oauth_get_type ())
G_DECLARE_FINAL_TYPE (RsOAuth, rs_oauth, RS, OAUTH, GObject)

/* Called with the address to open in a browser. */
typedef void (*RsOAuthOpenUriFunc)    (const char *uri,
                                       gpointer    user_data);
/* Called with where to go and the code to type there. */
typedef void (*RsOAuthDeviceCodeFunc) (const char *verification_uri,
                                       const char *user_code,
                                       gpointer    user_data);

GQuark           rs_oauth_error_quark            (void);

RsOAuth         *rs_oauth_new                    (RsOAuthProvider        *provider);
RsOAuthProvider *rs_oauth_get_provider           (RsOAuth                *self);
/* The signed-in address (the ID token's `email` or `preferred_username`),
 * or %NULL when not known yet. Free with g_free(). */
char            *rs_oauth_dup_account            (RsOAuth                *self);

/* Authorization code with PKCE: listens on 127.0.0.1 on a free port, gives
 * @open_uri the address to open (see rs_oauth_open_browser()), waits for the
 * browser to come back with the code, exchanges it and keeps the refresh
 * token. Runs until the sign-in ends or @cancellable is cancelled. */
void             rs_oauth_sign_in_browser_async  (RsOAuth                *self,
                                                  RsOAuthOpenUriFunc      open_uri,
                                                  gpointer                open_data,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
/* @account: (out) (optional): the signed-in address, or %NULL if unknown */
gboolean         rs_oauth_sign_in_browser_finish (RsOAuth                *self,
                                                  GAsyncResult           *result,
                                                  char                  **account,
                                                  GError                **error);

/* The device authorization grant (Microsoft only): @prompt is called once
 * with the address and the code; the token endpoint is then asked at the
 * interval the provider gives. */
void             rs_oauth_sign_in_device_async   (RsOAuth                *self,
                                                  RsOAuthDeviceCodeFunc   prompt,
                                                  gpointer                prompt_data,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
gboolean         rs_oauth_sign_in_device_finish  (RsOAuth                *self,
                                                  GAsyncResult           *result,
                                                  char                  **account,
                                                  GError                **error);

/* A valid access token, refreshed first if it expires within a minute (or a
 * tenth of its lifetime). Blocks: call it from a worker thread.
 * Returns: (transfer full): free with g_free() */
char            *rs_oauth_get_access_token       (RsOAuth                *self,
                                                  GCancellable           *cancellable,
                                                  GError                **error);
void             rs_oauth_get_access_token_async (RsOAuth                *self,
                                                  GCancellable           *cancellable,
                                                  GAsyncReadyCallback     callback,
                                                  gpointer                user_data);
char            *rs_oauth_get_access_token_finish (RsOAuth               *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);
/* After a 401 or an SMTP 535 for @access_token: the next
 * rs_oauth_get_access_token() refreshes, unless another thread already did. */
void             rs_oauth_invalidate_access_token (RsOAuth               *self,
                                                   const char            *access_token);

/* A new access token whatever the one in memory: for a send job whose
 * token was refused (an RsSendTokenRefresh, with the RsOAuth as its data).
 * Blocks. Returns: (transfer full): free with g_free() */
char            *rs_oauth_renew_access_token     (RsOAuth                *self,
                                                  GCancellable           *cancellable,
                                                  GError                **error);

/* The same two with a gpointer for the RsOAuth, as the callbacks a send
 * job takes (RsSendOptions.refresh_token and .current_token). */
char            *rs_oauth_renew_access_token_cb  (gpointer                user_data,
                                                  GCancellable           *cancellable,
                                                  GError                **error);
char            *rs_oauth_get_access_token_cb    (gpointer                user_data,
                                                  GCancellable           *cancellable,
                                                  GError                **error);

/* Forgets the sign-in: the refresh tokens of the provider in the keyring
 * (every account) and the tokens in memory. Blocks. */
gboolean         rs_oauth_sign_out               (RsOAuth                *self,
                                                  GCancellable           *cancellable,
                                                  GError                **error);

/* Opens @uri with the program in $BROWSER when that is set (its first
 * entry; `%s` in it is replaced by the address), or else with the default
 * web browser. */
gboolean         rs_oauth_open_browser           (const char             *uri,
                                                  GError                **error);

G_END_DECLS
