/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-secret"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "rs-secret.h"

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".Smtp", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
explain (GError     **error,
         GError      *cause,
         const char  *server)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("The keyring could not be used for the password of %s: %s. Without a keyring "
                 "the password is asked for each time it is needed."),
               server, cause->message);
}

/* Keeps @password for @user at @server in the keyring; blocks: call it from a
 * worker thread. */
gboolean
rs_secret_store (const char    *server,
                 const char    *user,
                 const char    *password,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  /* Translators: how the password is named in the keyring */
  label = g_strdup_printf (_("ResilienceScan mail password for %s"), server);
  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                                   cancellable, &local_error,
                                   "server", server, "user", user ? user : "", NULL))
    {
      explain (error, local_error, server);
      return FALSE;
    }

  return TRUE;
}

/**
 * rs_secret_lookup:
 *
 * Blocks: call it from a worker thread.
 *
 * Returns: (transfer full) (nullable): the password, to be freed with
 *   rs_secret_free_password(); %NULL without an error when none is kept
 */
char *
rs_secret_lookup (const char    *server,
                  const char    *user,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *password;

  g_return_val_if_fail (server != NULL, NULL);

  password = secret_password_lookup_nonpageable_sync (get_schema (), cancellable, &local_error,
                                                      "server", server,
                                                      "user", user ? user : "",
                                                      NULL);
  if (local_error != NULL)
    explain (error, local_error, server);

  return password;
}

/* Wipes the password from memory as it is freed. */
void
rs_secret_free_password (char *password)
{
  if (password != NULL)
    secret_password_free (password);
}

typedef struct
{
  char *server;
  char *user;
  char *password;
} StoreData;

static void
store_data_free (gpointer data)
{
  StoreData *store = data;

  g_free (store->server);
  g_free (store->user);
  if (store->password != NULL)
    {
      memset (store->password, 0, strlen (store->password));
      g_free (store->password);
    }
  g_free (store);
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StoreData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (rs_secret_store (data->server, data->user, data->password, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
rs_secret_store_async (const char          *server,
                       const char          *user,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreData *data = g_new0 (StoreData, 1);

  data->server = g_strdup (server);
  data->user = g_strdup (user);
  data->password = g_strdup (password);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_secret_store_async);
  g_task_set_task_data (task, data, store_data_free);
  g_task_run_in_thread (task, store_thread);
}

gboolean
rs_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
