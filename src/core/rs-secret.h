/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SMTP password lives in the desktop keyring (Secret Service) only: never
 * in a file, a setting, the database or a log. It is kept per account: the
 * server's host and the user name. @server is the server's address
 * (smtp://HOST:PORT) or its host; the scheme and port do not count, so a
 * change of port or security keeps the password. A password kept by older
 * versions under the whole address is found too, and moved. */

gboolean rs_secret_store        (const char    *server,
                                 const char    *user,
                                 const char    *password,
                                 GCancellable  *cancellable,
                                 GError       **error);
char    *rs_secret_lookup       (const char    *server,
                                 const char    *user,
                                 GCancellable  *cancellable,
                                 GError       **error);
void     rs_secret_store_async  (const char          *server,
                                 const char          *user,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean rs_secret_store_finish (GAsyncResult  *result,
                                 GError       **error);
void     rs_secret_free_password (char         *password);
/* Removes the password of the account; TRUE also when none was kept. */
gboolean rs_secret_forget       (const char    *server,
                                 const char    *user,
                                 GCancellable  *cancellable,
                                 GError       **error);
/* Whether a password is kept for the account, asked in a worker thread:
 * the password itself never leaves it. */
void     rs_secret_check_async  (const char          *server,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean rs_secret_check_finish (GAsyncResult  *result,
                                 gboolean      *stored,
                                 GError       **error);
void     rs_secret_forget_async (const char          *server,
                                 const char          *user,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean rs_secret_forget_finish (GAsyncResult  *result,
                                  GError       **error);
/* The host that @server names, in lower case; %NULL when it names none. */
char    *rs_secret_account_host (const char    *server);

/* A password from the keyring, wiped when freed. */
typedef char RsSecretPassword;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSecretPassword, rs_secret_free_password)


/* The OAuth 2.0 refresh token lives in the keyring only, per provider
 * ("microsoft", "google") and signed-in account. These block: call them from
 * a worker thread. */
gboolean rs_secret_store_refresh_token  (const char    *provider,
                                         const char    *account,
                                         const char    *token,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* With @account %NULL, the token of the account signed in last with
 * @provider; @account_out (nullable) gets its account.
 * Returns: (transfer full) (nullable): free with rs_secret_free_password();
 *   %NULL without an error when none is kept */
char    *rs_secret_lookup_refresh_token (const char    *provider,
                                         const char    *account,
                                         char         **account_out,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* With @account %NULL, every account of @provider; TRUE also when none was
 * kept. */
gboolean rs_secret_forget_refresh_token (const char    *provider,
                                         const char    *account,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS
