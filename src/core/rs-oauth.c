/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <curl/curl.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <sys/random.h>

#include "rs-oauth.h"
#include "rs-secret.h"

#define REFRESH_MARGIN_US (60 * G_USEC_PER_SEC)
#define HTTP_TIMEOUT_S 60
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct _RsOAuth
{
  GObject parent_instance;

  RsOAuthProvider *provider;

  /* Held across a refresh, so that threads wanting a token wait for the
   * one refresh instead of each making their own. */
  GMutex refresh_lock;
  /* Guards the fields below. */
  GMutex lock;
  char *access_token;
  gint64 expires_at;    /* monotonic time */
  gint64 lifetime;      /* microseconds */
  char *refresh_token;
  gboolean from_environment;
  char *account;
};

G_DEFINE_FINAL_TYPE (RsOAuth, rs_oauth, G_TYPE_OBJECT)

G_DEFINE_QUARK (rs-oauth-error-quark, rs_oauth_error)

static void
wipe (char **secret)
{
  if (*secret != NULL)
    {
      memset (*secret, 0, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

static void
rs_oauth_finalize (GObject *object)
{
  RsOAuth *self = RS_OAUTH (object);

  wipe (&self->access_token);
  wipe (&self->refresh_token);
  g_free (self->account);
  g_clear_object (&self->provider);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->refresh_lock);

  G_OBJECT_CLASS (rs_oauth_parent_class)->finalize (object);
}

static void
rs_oauth_class_init (RsOAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rs_oauth_finalize;
}

static void
rs_oauth_init (RsOAuth *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->refresh_lock);
}

RsOAuth *
rs_oauth_new (RsOAuthProvider *provider)
{
  RsOAuth *self;

  g_return_val_if_fail (RS_IS_OAUTH_PROVIDER (provider), NULL);

  self = g_object_new (RS_TYPE_OAUTH, NULL);
  self->provider = g_object_ref (provider);

  return self;
}

RsOAuthProvider *
rs_oauth_get_provider (RsOAuth *self)
{
  g_return_val_if_fail (RS_IS_OAUTH (self), NULL);

  return self->provider;
}

char *
rs_oauth_dup_account (RsOAuth *self)
{
  char *account;

  g_return_val_if_fail (RS_IS_OAUTH (self), NULL);

  g_mutex_lock (&self->lock);
  account = g_strdup (self->account);
  g_mutex_unlock (&self->lock);

  return account;
}

/* base64url without padding (RFC 7636, appendix A). */
static char *
base64url (const guchar *data,
           gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end;

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  end = strchr (text, '=');
  if (end != NULL)
    *end = '\0';

  return text;
}

static char *
random_text (gsize n_bytes)
{
  guchar bytes[64];
  gsize got = 0;

  g_assert (n_bytes <= sizeof bytes);
  while (got < n_bytes)
    {
      ssize_t r = getrandom (bytes + got, n_bytes - got, 0);

      if (r > 0)
        got += r;
      else if (r < 0 && errno != EINTR)
        g_error ("no random numbers from the kernel: %s", g_strerror (errno));
    }

  return base64url (bytes, n_bytes);
}

static char *
pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &len);

  return base64url (digest, len);
}

/* The address a JWT's payload names: `email`, or else
 * `preferred_username`. The signature is not checked: it is for display. */
static char *
account_from_id_token (const char *id_token)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GString) padded = NULL;
  g_autofree guchar *payload = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonObject *claims;
  const char *names[] = { "email", "preferred_username", "upn" };

  if (id_token == NULL)
    return NULL;
  parts = g_strsplit (id_token, ".", 4);
  if (g_strv_length (parts) != 3)
    return NULL;

  padded = g_string_new (parts[1]);
  g_strdelimit (padded->str, "-", '+');
  g_strdelimit (padded->str, "_", '/');
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  payload = g_base64_decode (padded->str, &len);

  parser = json_parser_new ();
  if (len == 0 || !json_parser_load_from_data (parser, (const char *) payload, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  claims = json_node_get_object (root);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = json_object_get_string_member_with_default (claims, names[i], NULL);

      if (value != NULL && value[0] != '\0')
        return g_strdup (value);
    }

  return NULL;
}

static gpointer
init_curl (gpointer data)
{
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT));
}

static size_t
on_body (char   *data,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  GByteArray *body = user_data;

  /* A token answer is small; anything much bigger is not one. */
  if (body->len + size * n > 1024 * 1024)
    return 0;
  g_byte_array_append (body, (const guint8 *) data, size * n);

  return size * n;
}

static int
on_progress (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

/* Adds name=value to a form body, both escaped. */
static void
form_add (GString    *form,
          const char *name,
          const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append_printf (form, "%s=%s", name, escaped);
}

static void
form_free (GString *form)
{
  memset (form->str, 0, form->len);
  g_string_free (form, TRUE);
}

/* A form that carries a secret is wiped when freed. */
typedef GString GString_wiped;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GString_wiped, form_free)

/* POSTs @form to @url and reads the JSON object it answers, whatever the
 * HTTP status (errors come as JSON with status 400). */
static JsonObject *
post_form (RsOAuth       *self,
           const char    *url,
           GString       *form,
           GCancellable  *cancellable,
           GError       **error)
{
  static GOnce curl_once = G_ONCE_INIT;
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  char error_buffer[CURL_ERROR_SIZE] = "";
  const char *ca_file = rs_oauth_provider_get_ca_file (self->provider);
  const char *name = rs_oauth_provider_get_display_name (self->provider);
  struct curl_slist *headers = NULL;
  long status = 0;
  CURLcode code;
  CURL *curl;
  JsonNode *root;

  g_once (&curl_once, init_curl, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  curl = curl_easy_init ();
  headers = curl_slist_append (headers, "Accept: application/json");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDS, form->str);
  curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) form->len);
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, (long) HTTP_TIMEOUT_S);
  curl_easy_setopt (curl, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
  if (ca_file != NULL)
    curl_easy_setopt (curl, CURLOPT_CAINFO, ca_file);
  if (cancellable != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
      curl_easy_setopt (curl, CURLOPT_XFERINFODATA, cancellable);
      curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
    }

  code = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);
  curl_slist_free_all (headers);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (code != CURLE_OK)
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_CONNECTION,
                   /* Translators: the provider, its address, what went wrong */
                   _("%s could not be reached at %s: %s. Check the connection to the "
                     "internet and the provider's address."), name, url,
                   error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror (code));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, (const char *) body->data, body->len, &json_error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                   /* Translators: the provider, its address, the HTTP status */
                   _("%s answered at %s with something that is not a sign-in answer "
                     "(HTTP status %ld). Check the provider's address."), name, url, status);
      return NULL;
    }

  root = json_parser_get_root (parser);
  return json_object_ref (json_node_get_object (root));
}

static const char *
get_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A number of seconds, which some providers send as a string. */
static gint64
get_seconds (JsonObject *object,
             const char *member,
             gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, member);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXINT32, &value,
                                     NULL))
        return fallback;
      return value;
    }

  value = json_node_get_int (node);
  return value >= 0 ? value : fallback;
}

/* The `error` of an answer as a GError; FALSE when the answer is no error. */
static gboolean
answer_error (RsOAuth     *self,
              JsonObject  *answer,
              GError     **error)
{
  const char *code = get_string (answer, "error");
  const char *description = get_string (answer, "error_description");
  const char *name = rs_oauth_provider_get_display_name (self->provider);
  g_autofree char *detail = NULL;

  if (code == NULL)
    return FALSE;

  /* Microsoft's descriptions span lines and carry trace ids. */
  detail = g_strdup (description != NULL ? description : code);
  g_strdelimit (detail, "\r\n", ' ');
  g_strstrip (detail);

  if (g_str_equal (code, "invalid_grant"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN,
                 /* Translators: the provider, its reason */
                 _("%s no longer accepts the sign-in (%s). Sign in again."), name, detail);
  else if (g_str_equal (code, "access_denied") || g_str_equal (code, "authorization_declined"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_DENIED,
                 _("The sign-in with %s was refused (%s). Sign in with an account that may "
                   "send mail, or ask the IT administrator to allow the app."), name, detail);
  else if (g_str_equal (code, "expired_token") || g_str_equal (code, "code_expired"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_EXPIRED,
                 _("The code to sign in with %s expired before it was entered. Sign in "
                   "again and enter the new code in time."), name);
  else
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                 /* Translators: the provider, its error code, its reason */
                 _("%s refused the sign-in: %s (%s). Check the client ID and the tenant."),
                 name, code, detail);

  return TRUE;
}

/* Takes the tokens of a successful answer; keeps a new refresh token in
 * the keyring unless it came from the environment. */
static gboolean
take_tokens (RsOAuth       *self,
             JsonObject    *answer,
             gboolean       interactive,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *access_token = get_string (answer, "access_token");
  const char *refresh_token = get_string (answer, "refresh_token");
  g_autofree char *account = account_from_id_token (get_string (answer, "id_token"));
  gint64 lifetime = get_seconds (answer, "expires_in", 3600) * G_USEC_PER_SEC;
  gboolean keep = FALSE;
  g_autofree char *keep_account = NULL;

  if (answer_error (self, answer, error))
    return FALSE;

  if (access_token == NULL || access_token[0] == '\0')
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                   _("%s answered the sign-in without an access token."),
                   rs_oauth_provider_get_display_name (self->provider));
      return FALSE;
    }

  if (interactive && refresh_token == NULL)
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                   _("%s gave no refresh token, so the sign-in cannot be kept. Check that "
                     "the app may ask for offline_access."),
                   rs_oauth_provider_get_display_name (self->provider));
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  wipe (&self->access_token);
  self->access_token = g_strdup (access_token);
  self->lifetime = lifetime;
  self->expires_at = g_get_monotonic_time () + lifetime;
  if (interactive)
    self->from_environment = FALSE;
  if (account != NULL)
    {
      g_free (self->account);
      self->account = g_strdup (account);
    }
  if (refresh_token != NULL && g_strcmp0 (refresh_token, self->refresh_token) != 0)
    {
      wipe (&self->refresh_token);
      self->refresh_token = g_strdup (refresh_token);
      keep = !self->from_environment;
    }
  keep_account = g_strdup (self->account);
  g_mutex_unlock (&self->lock);

  if (keep)
    {
      g_autoptr(GError) keep_error = NULL;

      if (!rs_secret_store_refresh_token (rs_oauth_provider_get_name (self->provider),
                                          keep_account, refresh_token, cancellable,
                                          &keep_error))
        {
          /* A sign-in that cannot be kept is no sign-in; a refresh still
           * gave a token, and the refresh token kept before may still do. */
          if (interactive)
            {
              g_propagate_error (error, g_steal_pointer (&keep_error));
              return FALSE;
            }
          g_message ("The new refresh token could not be kept: %s", keep_error->message);
        }
    }

  return TRUE;
}

static GString *
form_new (RsOAuth    *self,
          const char *grant_type)
{
  GString *form = g_string_new (NULL);

  form_add (form, "client_id", rs_oauth_provider_get_client_id (self->provider));
  form_add (form, "client_secret", rs_oauth_provider_get_client_secret (self->provider));
  form_add (form, "grant_type", grant_type);

  return form;
}

static gboolean
check_client_id (RsOAuth  *self,
                 GError  **error)
{
  if (rs_oauth_provider_get_client_id (self->provider) != NULL)
    return TRUE;

  g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SETTINGS,
               _("No client ID is set for %s. Ask the IT administrator for the client ID of "
                 "the app's registration and enter it in Preferences → E-mail."),
               rs_oauth_provider_get_display_name (self->provider));
  return FALSE;
}

/* The refresh token: in memory, from the environment, or from the keyring. */
static char *
dup_refresh_token (RsOAuth       *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const char *from_environment = g_getenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  g_autofree char *account = NULL;
  g_autofree char *wanted = NULL;
  char *token;

  g_mutex_lock (&self->lock);
  token = g_strdup (self->refresh_token);
  wanted = g_strdup (self->account);
  g_mutex_unlock (&self->lock);
  if (token != NULL)
    return token;

  if (from_environment != NULL && from_environment[0] != '\0')
    {
      g_mutex_lock (&self->lock);
      self->refresh_token = g_strdup (from_environment);
      self->from_environment = TRUE;
      g_mutex_unlock (&self->lock);
      return g_strdup (from_environment);
    }

  {
    g_autoptr(RsSecretPassword) kept = NULL;
    g_autoptr(GError) local_error = NULL;

    kept = rs_secret_lookup_refresh_token (rs_oauth_provider_get_name (self->provider), wanted,
                                           &account, cancellable, &local_error);
    if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return NULL;
      }
    if (kept == NULL)
      {
        g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_NOT_SIGNED_IN,
                     _("Not signed in with %s. Sign in first (in Preferences → E-mail, or "
                       "with “resiliencescan signin”)."),
                     rs_oauth_provider_get_display_name (self->provider));
        return NULL;
      }

    g_mutex_lock (&self->lock);
    self->refresh_token = g_strdup (kept);
    if (self->account == NULL && account != NULL && account[0] != '\0')
      self->account = g_strdup (account);
    g_mutex_unlock (&self->lock);
    return g_strdup (kept);
  }
}

static gboolean
refresh (RsOAuth       *self,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(GString_wiped) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *url = NULL;
  char *refresh_token;

  if (!check_client_id (self, error))
    return FALSE;

  refresh_token = dup_refresh_token (self, cancellable, error);
  if (refresh_token == NULL)
    return FALSE;

  form = form_new (self, "refresh_token");
  form_add (form, "refresh_token", refresh_token);
  wipe (&refresh_token);
  if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
    form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));

  url = rs_oauth_provider_dup_token_url (self->provider);
  answer = post_form (self, url, form, cancellable, error);
  if (answer == NULL)
    return FALSE;

  return take_tokens (self, answer, FALSE, cancellable, error);
}

static gboolean
access_token_fresh (RsOAuth *self)
{
  gint64 margin = MIN (REFRESH_MARGIN_US, self->lifetime / 10);

  return self->access_token != NULL && g_get_monotonic_time () < self->expires_at - margin;
}

char *
rs_oauth_get_access_token (RsOAuth       *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  char *token = NULL;

  g_return_val_if_fail (RS_IS_OAUTH (self), NULL);

  g_mutex_lock (&self->refresh_lock);

  g_mutex_lock (&self->lock);
  if (access_token_fresh (self))
    token = g_strdup (self->access_token);
  g_mutex_unlock (&self->lock);

  if (token == NULL && refresh (self, cancellable, error))
    {
      g_mutex_lock (&self->lock);
      token = g_strdup (self->access_token);
      g_mutex_unlock (&self->lock);
    }

  g_mutex_unlock (&self->refresh_lock);

  return token;
}

void
rs_oauth_invalidate_access_token (RsOAuth    *self,
                                  const char *access_token)
{
  g_return_if_fail (RS_IS_OAUTH (self));

  g_mutex_lock (&self->lock);
  if (access_token == NULL || g_strcmp0 (access_token, self->access_token) == 0)
    wipe (&self->access_token);
  g_mutex_unlock (&self->lock);
}

static void
token_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;
  char *token = rs_oauth_get_access_token (source_object, cancellable, &error);

  if (token != NULL)
    g_task_return_pointer (task, token, g_free);
  else
    g_task_return_error (task, error);
}

void
rs_oauth_get_access_token_async (RsOAuth             *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RS_IS_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_oauth_get_access_token_async);
  g_task_run_in_thread (task, token_thread);
}

char *
rs_oauth_get_access_token_finish (RsOAuth       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
rs_oauth_sign_out (RsOAuth       *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_return_val_if_fail (RS_IS_OAUTH (self), FALSE);

  g_mutex_lock (&self->lock);
  wipe (&self->access_token);
  wipe (&self->refresh_token);
  g_clear_pointer (&self->account, g_free);
  g_mutex_unlock (&self->lock);

  return rs_secret_forget_refresh_token (rs_oauth_provider_get_name (self->provider), NULL,
                                         cancellable, error);
}

/* --- Authorization code with PKCE and a loopback redirect --- */

typedef struct
{
  RsOAuthOpenUriFunc open_uri;
  gpointer open_data;
  GSocketService *service;
  gulong incoming_id;
  gulong cancelled_id;
  char *verifier;
  char *state;
  char *redirect_uri;
  char *code;
  char *account;
} BrowserData;

/* The listener holds the task while it listens: this ends that. */
static void
stop_listening (BrowserData *browser)
{
  g_socket_service_stop (browser->service);
  if (browser->incoming_id != 0)
    g_clear_signal_handler (&browser->incoming_id, browser->service);
}

static void
browser_data_free (gpointer data)
{
  BrowserData *browser = data;

  if (browser->service != NULL)
    {
      g_socket_service_stop (browser->service);
      g_socket_listener_close (G_SOCKET_LISTENER (browser->service));
      g_object_unref (browser->service);
    }
  wipe (&browser->verifier);
  wipe (&browser->code);
  g_free (browser->state);
  g_free (browser->redirect_uri);
  g_free (browser->account);
  g_free (browser);
}

/* One connection from the browser: its request is read line by line. */
typedef struct
{
  GTask *task;                 /* (owned) */
  GSocketConnection *connection;
  GDataInputStream *in;
  char *target;
} Request;

static void
request_free (Request *request)
{
  g_io_stream_close (G_IO_STREAM (request->connection), NULL, NULL);
  g_object_unref (request->connection);
  g_object_unref (request->in);
  g_object_unref (request->task);
  g_free (request->target);
  g_free (request);
}

static void
reply (Request    *request,
       const char *status,
       const char *title,
       const char *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *page = NULL;
  g_autofree char *head = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (request->connection));

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>%s</title></head>\n<body style=\"font-family: sans-serif; "
                          "text-align: center; margin-top: 4em\"><h1>%s</h1><p>%s</p>"
                          "</body></html>\n", escaped_title, escaped_title, escaped_text);
  head = g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n"
                          "Cache-Control: no-store\r\n\r\n", status, strlen (page));
  /* Small, to a browser on this machine: written at once. */
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
  g_output_stream_write_all (out, page, strlen (page), NULL, NULL, NULL);
}

static void exchange_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable);

static void
handle_request (Request *request)
{
  BrowserData *browser = g_task_get_task_data (request->task);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *full = NULL;
  const char *code;
  const char *state;
  const char *error_code;

  if (browser->incoming_id == 0 || g_task_get_completed (request->task))
    {
      reply (request, "410 Gone", _("Sign-in finished"),
             _("You can close this window."));
      return;
    }

  full = g_strdup_printf ("http://127.0.0.1%s", request->target != NULL ? request->target : "/");
  uri = g_uri_parse (full, G_URI_FLAGS_ENCODED_QUERY, NULL);
  if (uri != NULL && g_uri_get_query (uri) != NULL)
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  state = params != NULL ? g_hash_table_lookup (params, "state") : NULL;
  code = params != NULL ? g_hash_table_lookup (params, "code") : NULL;
  error_code = params != NULL ? g_hash_table_lookup (params, "error") : NULL;

  /* Anything else the browser asks for (an icon), or a request that does not
   * carry this sign-in's state, is not the answer. */
  if (uri == NULL || g_strcmp0 (g_uri_get_path (uri), "/") != 0
      || g_strcmp0 (state, browser->state) != 0 || (code == NULL && error_code == NULL))
    {
      if (state != NULL)
        g_debug ("a request to the loopback address without this sign-in's state");
      reply (request, "404 Not Found", _("Not found"), _("This is not a sign-in answer."));
      return;
    }

  stop_listening (browser);
  g_cancellable_disconnect (g_task_get_cancellable (request->task), browser->cancelled_id);
  browser->cancelled_id = 0;

  if (code == NULL)
    {
      const char *description = g_hash_table_lookup (params, "error_description");
      g_autoptr(JsonObject) answer = json_object_new ();
      GError *error = NULL;

      reply (request, "200 OK", _("Sign-in not completed"),
             _("The sign-in did not succeed. You can close this window and return to "
               "ResilienceScan."));
      json_object_set_string_member (answer, "error", error_code);
      if (description != NULL)
        json_object_set_string_member (answer, "error_description", description);
      answer_error (g_task_get_source_object (request->task), answer, &error);
      g_task_return_error (request->task, error);
      return;
    }

  /* The code is yet to be exchanged: the app tells how that went. */
  reply (request, "200 OK", _("Sign-in received"),
         _("You can close this window and return to ResilienceScan."));
  browser->code = g_strdup (code);
  g_task_run_in_thread (request->task, exchange_thread);
}

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autofree char *line = NULL;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish (request->in, result, &len, NULL);
  if (line == NULL)
    {
      request_free (request);
      return;
    }

  if (request->target == NULL)
    {
      g_auto(GStrv) words = g_strsplit (line, " ", 3);

      /* GET /?code=…&state=… HTTP/1.1 */
      request->target = g_strdup (g_strv_length (words) == 3 && g_str_equal (words[0], "GET")
                                  ? words[1] : "");
    }
  else if (line[0] == '\0' || g_str_equal (line, "\r"))
    {
      handle_request (request);
      request_free (request);
      return;
    }

  /* A request line and its headers: no more than a browser sends. */
  if (len > 16384)
    {
      request_free (request);
      return;
    }

  g_data_input_stream_read_line_async (request->in, G_PRIORITY_DEFAULT, NULL, line_read_cb,
                                       request);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  GTask *task = user_data;
  Request *request = g_new0 (Request, 1);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));

  request->task = g_object_ref (task);
  request->connection = g_object_ref (connection);
  request->in = g_data_input_stream_new (in);
  g_data_input_stream_set_newline_type (request->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_data_input_stream_read_line_async (request->in, G_PRIORITY_DEFAULT, NULL, line_read_cb,
                                       request);

  return TRUE;
}

static gboolean
return_cancelled (gpointer data)
{
  GTask *task = data;
  BrowserData *browser = g_task_get_task_data (task);

  if (!g_task_get_completed (task) && browser->code == NULL)
    {
      stop_listening (browser);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The sign-in was cancelled."));
    }

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  GTask *task = data;
  g_autoptr(GSource) idle = g_idle_source_new ();

  /* Reported from the task's own context, never from inside cancel(): the
   * callback may disconnect from the cancellable. */
  g_source_set_callback (idle, return_cancelled, g_object_ref (task), g_object_unref);
  g_source_attach (idle, g_task_get_context (task));
}

static void
exchange_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RsOAuth *self = source_object;
  BrowserData *browser = task_data;
  g_autoptr(GString_wiped) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *url = rs_oauth_provider_dup_token_url (self->provider);
  GError *error = NULL;

  form = form_new (self, "authorization_code");
  form_add (form, "code", browser->code);
  form_add (form, "redirect_uri", browser->redirect_uri);
  form_add (form, "code_verifier", browser->verifier);
  if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
    form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));

  answer = post_form (self, url, form, cancellable, &error);
  if (answer == NULL || !take_tokens (self, answer, TRUE, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  browser->account = rs_oauth_dup_account (self);
  g_task_return_boolean (task, TRUE);
}

static GSocketAddress *
loopback_address (GSocketFamily family,
                  guint16       port)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (family);

  return g_inet_socket_address_new (address, port);
}

void
rs_oauth_sign_in_browser_async (RsOAuth             *self,
                                RsOAuthOpenUriFunc   open_uri,
                                gpointer             open_data,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) ipv6 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) uri = NULL;
  g_autofree char *authorize = NULL;
  g_autofree char *challenge = NULL;
  BrowserData *browser;
  guint16 port;

  g_return_if_fail (RS_IS_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_oauth_sign_in_browser_async);
  browser = g_new0 (BrowserData, 1);
  browser->open_uri = open_uri;
  browser->open_data = open_data;
  g_task_set_task_data (task, browser, browser_data_free);

  if (!check_client_id (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  browser->service = g_socket_service_new ();
  any = loopback_address (G_SOCKET_FAMILY_IPV4, 0);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (browser->service), any,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &bound, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not wait for the browser on this computer: %s"),
                               error->message);
      return;
    }
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* “localhost” may be ::1 to the browser; the same port there too, when
   * the machine has IPv6. */
  ipv6 = loopback_address (G_SOCKET_FAMILY_IPV6, port);
  g_socket_listener_add_address (G_SOCKET_LISTENER (browser->service), ipv6,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL);

  browser->verifier = random_text (32);
  browser->state = random_text (16);
  browser->redirect_uri = rs_oauth_provider_dup_redirect_uri (self->provider, port);
  challenge = pkce_challenge (browser->verifier);

  authorize = rs_oauth_provider_dup_authorize_url (self->provider);
  uri = g_string_new (NULL);
  form_add (uri, "client_id", rs_oauth_provider_get_client_id (self->provider));
  form_add (uri, "response_type", "code");
  form_add (uri, "redirect_uri", browser->redirect_uri);
  form_add (uri, "scope", rs_oauth_provider_get_scope (self->provider));
  form_add (uri, "state", browser->state);
  form_add (uri, "code_challenge", challenge);
  form_add (uri, "code_challenge_method", "S256");
  if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
    {
      form_add (uri, "prompt", "select_account");
    }
  else
    {
      /* Google gives a refresh token only with the consent it was asked
       * for: every sign-in asks, so that every sign-in can be kept. */
      form_add (uri, "access_type", "offline");
      form_add (uri, "prompt", "consent");
    }
  g_string_prepend_c (uri, strchr (authorize, '?') != NULL ? '&' : '?');
  g_string_prepend (uri, authorize);

  browser->incoming_id = g_signal_connect_data (browser->service, "incoming",
                                                G_CALLBACK (on_incoming), g_object_ref (task),
                                                (GClosureNotify) g_object_unref, 0);
  g_socket_service_start (browser->service);
  if (cancellable != NULL)
    browser->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                   g_object_ref (task), g_object_unref);

  if (open_uri != NULL)
    open_uri (uri->str, open_data);
}

gboolean
rs_oauth_sign_in_browser_finish (RsOAuth       *self,
                                 GAsyncResult  *result,
                                 char         **account,
                                 GError       **error)
{
  BrowserData *browser;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  browser = g_task_get_task_data (G_TASK (result));
  if (browser->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (G_TASK (result)), browser->cancelled_id);
      browser->cancelled_id = 0;
    }
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (account != NULL)
    *account = g_strdup (browser->account);
  return TRUE;
}

/* --- The device authorization grant --- */

typedef struct
{
  RsOAuthDeviceCodeFunc prompt;
  gpointer prompt_data;
  char *verification_uri;
  char *user_code;
  char *account;
} DeviceData;

static void
device_data_free (gpointer data)
{
  DeviceData *device = data;

  g_free (device->verification_uri);
  g_free (device->user_code);
  g_free (device->account);
  g_free (device);
}

static gboolean
show_code (gpointer data)
{
  GTask *task = data;
  DeviceData *device = g_task_get_task_data (task);

  if (device->prompt != NULL && !g_task_get_completed (task))
    device->prompt (device->verification_uri, device->user_code, device->prompt_data);

  return G_SOURCE_REMOVE;
}

/* Waits @seconds, or less when cancelled. */
static gboolean
pause_for (gint64        seconds,
           GCancellable *cancellable)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (100000, end - g_get_monotonic_time ()));
    }

  return !g_cancellable_is_cancelled (cancellable);
}

static void
device_poll (GTask        *task,
             RsOAuth      *self,
             DeviceData   *device,
             GCancellable *cancellable)
{
  const char *name = rs_oauth_provider_get_display_name (self->provider);
  g_autoptr(GString_wiped) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *device_url = rs_oauth_provider_dup_device_code_url (self->provider);
  g_autofree char *token_url = rs_oauth_provider_dup_token_url (self->provider);
  g_autofree char *device_code = NULL;
  GError *error = NULL;
  gint64 interval;
  gint64 deadline;

  form = form_new (self, NULL);
  form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));
  answer = post_form (self, device_url, form, cancellable, &error);
  if (answer == NULL || answer_error (self, answer, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  device_code = g_strdup (get_string (answer, "device_code"));
  device->user_code = g_strdup (get_string (answer, "user_code"));
  device->verification_uri = g_strdup (get_string (answer, "verification_uri"));
  if (device->verification_uri == NULL)
    device->verification_uri = g_strdup (get_string (answer, "verification_url"));
  interval = MAX (1, get_seconds (answer, "interval", 5));
  deadline = g_get_monotonic_time () + get_seconds (answer, "expires_in", 900) * G_USEC_PER_SEC;
  if (device_code == NULL || device->user_code == NULL || device->verification_uri == NULL)
    {
      g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SERVER,
                               _("%s answered at %s without a code to sign in with."),
                               name, device_url);
      return;
    }

  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, show_code,
                              g_object_ref (task), g_object_unref);

  for (;;)
    {
      const char *code;

      if (!pause_for (interval, cancellable))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The sign-in was cancelled."));
          return;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_EXPIRED,
                                   _("The code to sign in with %s expired before it was "
                                     "entered. Sign in again and enter the new code in "
                                     "time."), name);
          return;
        }

      g_clear_pointer (&form, form_free);
      g_clear_pointer (&answer, json_object_unref);
      form = form_new (self, DEVICE_GRANT);
      form_add (form, "device_code", device_code);
      answer = post_form (self, token_url, form, cancellable, &error);
      if (answer == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      code = get_string (answer, "error");
      if (g_strcmp0 (code, "authorization_pending") == 0)
        continue;
      if (g_strcmp0 (code, "slow_down") == 0)
        {
          /* RFC 8628, 3.5: five seconds more, from now on. */
          interval += 5;
          continue;
        }
      break;
    }

  if (!take_tokens (self, answer, TRUE, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  device->account = rs_oauth_dup_account (self);
  g_task_return_boolean (task, TRUE);
}

static gpointer
device_thread (gpointer data)
{
  g_autoptr(GTask) task = data;

  device_poll (task, g_task_get_source_object (task), g_task_get_task_data (task),
               g_task_get_cancellable (task));

  return NULL;
}

void
rs_oauth_sign_in_device_async (RsOAuth               *self,
                               RsOAuthDeviceCodeFunc  prompt,
                               gpointer               prompt_data,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DeviceData *device;

  g_return_if_fail (RS_IS_OAUTH (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_oauth_sign_in_device_async);
  device = g_new0 (DeviceData, 1);
  device->prompt = prompt;
  device->prompt_data = prompt_data;
  g_task_set_task_data (task, device, device_data_free);

  if (!check_client_id (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!rs_oauth_provider_supports_device_code (self->provider))
    {
      g_task_return_new_error (task, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNSUPPORTED,
                               _("%s does not give access to mail through a code entered on "
                                 "another device. Sign in in the browser instead."),
                               rs_oauth_provider_get_display_name (self->provider));
      return;
    }

  /* Polling takes minutes: a thread of its own, not one of the pool's. */
  g_thread_unref (g_thread_new ("rs-oauth-device", device_thread, g_steal_pointer (&task)));
}

gboolean
rs_oauth_sign_in_device_finish (RsOAuth       *self,
                                GAsyncResult  *result,
                                char         **account,
                                GError       **error)
{
  DeviceData *device;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  device = g_task_get_task_data (G_TASK (result));
  if (account != NULL)
    *account = g_strdup (device->account);
  return TRUE;
}

gboolean
rs_oauth_open_browser (const char  *uri,
                       GError     **error)
{
  const char *browser = g_getenv ("BROWSER");
  g_auto(GStrv) entries = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) command = NULL;
  gboolean replaced = FALSE;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (browser == NULL || browser[0] == '\0')
    return g_app_info_launch_default_for_uri (uri, NULL, error);

  entries = g_strsplit (browser, ":", 2);
  if (!g_shell_parse_argv (entries[0], NULL, &argv, error))
    return FALSE;

  builder = g_strv_builder_new ();
  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (strstr (argv[i], "%s") != NULL)
        {
          g_auto(GStrv) pieces = g_strsplit (argv[i], "%s", -1);
          g_autofree char *joined = g_strjoinv (uri, pieces);

          g_strv_builder_add (builder, joined);
          replaced = TRUE;
        }
      else
        {
          g_strv_builder_add (builder, argv[i]);
        }
    }
  if (!replaced)
    g_strv_builder_add (builder, uri);
  command = g_strv_builder_end (builder);

  return g_spawn_async (NULL, command, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, error);
}
