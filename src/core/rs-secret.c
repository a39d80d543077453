/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-secret"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "rs-secret.h"

/* Per account: the server's host and the user name. */
static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".SmtpAccount", SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* What older versions kept: the whole server address and the user name. */
static const SecretSchema *
get_old_schema (void)
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

char *
rs_secret_account_host (const char *server)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;

  if (server == NULL)
    return NULL;

  if (strstr (server, "://") != NULL)
    {
      uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || g_uri_get_host (uri) == NULL)
        return NULL;
      host = g_strdup (g_uri_get_host (uri));
    }
  else
    {
      host = g_strstrip (g_strdup (server));
    }

  if (host[0] == '\0')
    return NULL;

  return g_ascii_strdown (host, -1);
}

static void
explain (GError     **error,
         GError      *cause,
         const char  *server)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (cause));
      return;
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               _("The keyring could not be used for the password of %s: %s. Without a keyring "
                 "the password is asked for each time it is needed."),
               server, cause->message);
}

static gboolean
no_host (GError     **error,
         const char  *server)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("The mail server “%s” is not valid, so no password can be kept for it. "
                 "Correct the server in Preferences → E-mail."), server);
  return FALSE;
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
  g_autofree char *host = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  host = rs_secret_account_host (server);
  if (host == NULL)
    return no_host (error, server);

  /* Translators: how the password is named in the keyring */
  label = g_strdup_printf (_("ResilienceScan mail password for %s"), host);
  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                                   cancellable, &local_error,
                                   "host", host, "user", user ? user : "", NULL))
    {
      explain (error, local_error, host);
      return FALSE;
    }

  return TRUE;
}

/* A password kept under an old whole address with the same host and user is
 * stored again per account, and the old item removed. */
static gboolean
migrate (const char    *host,
         const char    *user,
         GCancellable  *cancellable,
         GError       **error)
{
  GList *items;
  gboolean moved = FALSE;

  items = secret_password_search_sync (get_old_schema (),
                                       SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                                       cancellable, error, "user", user, NULL);
  for (GList *l = items; l != NULL && !moved; l = l->next)
    {
      SecretRetrievable *item = l->data;
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (item);
      const char *server = g_hash_table_lookup (attributes, "server");
      g_autofree char *item_host = rs_secret_account_host (server);
      g_autoptr(SecretValue) value = NULL;
      const char *password;

      if (g_strcmp0 (item_host, host) != 0)
        continue;

      value = secret_retrievable_retrieve_secret_sync (item, cancellable, error);
      password = value != NULL ? secret_value_get_text (value) : NULL;
      if (password == NULL)
        break;

      if (!rs_secret_store (host, user, password, cancellable, error))
        break;
      secret_password_clear_sync (get_old_schema (), cancellable, NULL,
                                  "server", server, "user", user, NULL);
      g_debug ("moved the password of %s at %s to its account", user, host);
      moved = TRUE;
    }
  g_list_free_full (items, g_object_unref);

  return moved;
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
  g_autofree char *host = NULL;
  char *password;

  g_return_val_if_fail (server != NULL, NULL);

  host = rs_secret_account_host (server);
  if (host == NULL)
    return NULL;
  if (user == NULL)
    user = "";

  password = secret_password_lookup_nonpageable_sync (get_schema (), cancellable, &local_error,
                                                      "host", host, "user", user, NULL);
  if (password == NULL && local_error == NULL
      && migrate (host, user, cancellable, &local_error))
    password = secret_password_lookup_nonpageable_sync (get_schema (), cancellable,
                                                        &local_error,
                                                        "host", host, "user", user, NULL);
  if (local_error != NULL)
    explain (error, local_error, host);

  return password;
}

/* Wipes the password from memory as it is freed. */
void
rs_secret_free_password (char *password)
{
  if (password != NULL)
    secret_password_free (password);
}

gboolean
rs_secret_forget (const char    *server,
                  const char    *user,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (server != NULL, FALSE);

  host = rs_secret_account_host (server);
  if (host == NULL)
    return no_host (error, server);
  if (user == NULL)
    user = "";

  /* An old item for the same account would be moved back at the next
   * lookup: it goes too. */
  if (migrate (host, user, cancellable, &local_error) || local_error == NULL)
    secret_password_clear_sync (get_schema (), cancellable, &local_error,
                                "host", host, "user", user, NULL);
  if (local_error != NULL)
    {
      explain (error, local_error, host);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char *server;
  char *user;
  char *password;
} SecretData;

static void
secret_data_free (gpointer data)
{
  SecretData *secret = data;

  g_free (secret->server);
  g_free (secret->user);
  if (secret->password != NULL)
    {
      memset (secret->password, 0, strlen (secret->password));
      g_free (secret->password);
    }
  g_free (secret);
}

static GTask *
secret_task_new (const char          *server,
                 const char          *user,
                 const char          *password,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SecretData *data = g_new0 (SecretData, 1);

  data->server = g_strdup (server);
  data->user = g_strdup (user);
  data->password = g_strdup (password);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, secret_data_free);

  return task;
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SecretData *data = task_data;
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

  task = secret_task_new (server, user, password, rs_secret_store_async, cancellable,
                          callback, user_data);
  g_task_run_in_thread (task, store_thread);
}

gboolean
rs_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  SecretData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsSecretPassword) password = NULL;

  password = rs_secret_lookup (data->server, data->user, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, password != NULL);
}

void
rs_secret_check_async (const char          *server,
                       const char          *user,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = secret_task_new (server, user, NULL, rs_secret_check_async, cancellable, callback,
                          user_data);
  g_task_run_in_thread (task, check_thread);
}

gboolean
rs_secret_check_finish (GAsyncResult  *result,
                        gboolean      *stored,
                        GError       **error)
{
  gssize value = g_task_propagate_int (G_TASK (result), error);

  if (stored != NULL)
    *stored = value > 0;

  return value >= 0;
}

static void
forget_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SecretData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (rs_secret_forget (data->server, data->user, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
rs_secret_forget_async (const char          *server,
                        const char          *user,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = secret_task_new (server, user, NULL, rs_secret_forget_async, cancellable, callback,
                          user_data);
  g_task_run_in_thread (task, forget_thread);
}

gboolean
rs_secret_forget_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Per identity provider and signed-in account. */
static const SecretSchema *
get_oauth_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".OAuthAccount", SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
explain_oauth (GError     **error,
               GError      *cause,
               const char  *provider)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (cause));
      return;
    }

  if (g_str_equal (provider, "microsoft"))
    provider = "Microsoft 365";
  else if (g_str_equal (provider, "google"))
    provider = "Google";
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               /* Translators: the provider, what went wrong */
               _("The keyring could not be used for the sign-in with %s: %s. The sign-in "
                 "is kept only in the keyring: start or unlock the keyring of the session "
                 "(GNOME Keyring) and sign in again."),
               provider, cause->message);
}

gboolean
rs_secret_store_refresh_token (const char    *provider,
                               const char    *account,
                               const char    *token,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  if (account == NULL)
    account = "";

  /* Translators: how the sign-in is named in the keyring: the provider, the
   * account */
  label = g_strdup_printf (_("ResilienceScan sign-in with %s for %s"), provider, account);
  if (!secret_password_store_sync (get_oauth_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                   cancellable, &local_error,
                                   "provider", provider, "account", account, NULL))
    {
      explain_oauth (error, local_error, provider);
      return FALSE;
    }

  return TRUE;
}

char *
rs_secret_lookup_refresh_token (const char    *provider,
                                const char    *account,
                                char         **account_out,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  SecretRetrievable *newest = NULL;
  char *token = NULL;
  GList *items;

  g_return_val_if_fail (provider != NULL, NULL);

  attributes = secret_attributes_build (get_oauth_schema (), "provider", provider, NULL);
  if (account != NULL)
    g_hash_table_insert (attributes, g_strdup ("account"), g_strdup (account));

  items = secret_password_searchv_sync (get_oauth_schema (), attributes,
                                        SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                                        cancellable, &local_error);
  for (GList *l = items; l != NULL; l = l->next)
    if (newest == NULL
        || secret_retrievable_get_modified (l->data) > secret_retrievable_get_modified (newest))
      newest = l->data;

  if (newest != NULL)
    {
      g_autoptr(SecretValue) value = NULL;

      value = secret_retrievable_retrieve_secret_sync (newest, cancellable, &local_error);
      if (value != NULL)
        {
          if (account_out != NULL)
            {
              g_autoptr(GHashTable) found = secret_retrievable_get_attributes (newest);

              *account_out = g_strdup (g_hash_table_lookup (found, "account"));
            }
          token = secret_value_unref_to_password (g_steal_pointer (&value), NULL);
        }
    }
  g_list_free_full (items, g_object_unref);

  if (local_error != NULL)
    explain_oauth (error, local_error, provider);

  return token;
}

gboolean
rs_secret_forget_refresh_token (const char    *provider,
                                const char    *account,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_val_if_fail (provider != NULL, FALSE);

  attributes = secret_attributes_build (get_oauth_schema (), "provider", provider, NULL);
  if (account != NULL)
    g_hash_table_insert (attributes, g_strdup ("account"), g_strdup (account));

  secret_password_clearv_sync (get_oauth_schema (), attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      explain_oauth (error, local_error, provider);
      return FALSE;
    }

  return TRUE;
}
