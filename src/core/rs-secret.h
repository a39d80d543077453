/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The SMTP password lives in the desktop keyring (Secret Service) only: never
 * in a file, a setting, the database or a log. */

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

/* A password from the keyring, wiped when freed. */
typedef char RsSecretPassword;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSecretPassword, rs_secret_free_password)

G_END_DECLS
