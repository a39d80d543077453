/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <curl/curl.h>
#include <json-glib/json-glib.h>

#include "rs-curl-private.h"
#include "rs-oauth.h"
#include "rs-oauth-private.h"
#include "rs-secret.h"

#define REFRESH_MARGIN_US (60 * G_USEC_PER_SEC)
#define HTTP_TIMEOUT_S 60

G_DEFINE_FINAL_TYPE (RsOAuth, rs_oauth, G_TYPE_OBJECT)

G_DEFINE_QUARK (rs-oauth-error-quark, rs_oauth_error)

void
rs_oauth_wipe (char **secret)
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

  rs_oauth_wipe (&self->access_token);
  rs_oauth_wipe (&self->refresh_token);
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
void
rs_oauth_form_add (GString    *form,
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

void
rs_oauth_form_free (GString *form)
{
  memset (form->str, 0, form->len);
  g_string_free (form, TRUE);
}

/* POSTs @form to @url and reads the JSON object it answers, whatever the
 * HTTP status (errors come as JSON with status 400). */
JsonObject *
rs_oauth_post_form (RsOAuth       *self,
           const char    *url,
           GString       *form,
           GCancellable  *cancellable,
           GError       **error)
{
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

  rs_curl_init ();
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  curl = curl_easy_init ();
  headers = curl_slist_append (headers, "Accept: application/json");
  curl_easy_setopt (curl, CURLOPT_URL, url);
  /* Never a code or a token in clear, not even after a redirect. */
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt (curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
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

  if (status >= 500
      && (!json_parser_load_from_data (parser, (const char *) body->data, body->len, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
          || json_object_get_member (json_node_get_object (json_parser_get_root (parser)),
                                     "error") == NULL))
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNAVAILABLE,
                   /* Translators: the provider, its address, the HTTP status */
                   _("%s could not answer at %s just now (HTTP status %ld). Try again later."),
                   name, url, status);
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

const char *
rs_oauth_json_string (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A number of seconds, which some providers send as a string. */
gint64
rs_oauth_json_seconds (JsonObject *object,
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

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double seconds = json_node_get_double (node);

      /* Not a number, or beyond any sensible lifetime: the most we take. */
      if (!(seconds >= 0))
        return fallback;
      return seconds > G_MAXINT32 ? G_MAXINT32 : (gint64) seconds;
    }

  value = json_node_get_int (node);
  if (value < 0)
    return fallback;
  return MIN (value, G_MAXINT32);
}

/* The `error` of an answer as a GError; FALSE when the answer is no error. */
gboolean
rs_oauth_answer_error (RsOAuth     *self,
              JsonObject  *answer,
              GError     **error)
{
  const char *code = rs_oauth_json_string (answer, "error");
  const char *description = rs_oauth_json_string (answer, "error_description");
  const char *name = rs_oauth_provider_get_display_name (self->provider);
  g_autofree char *detail = NULL;

  if (code == NULL)
    return FALSE;

  /* Microsoft's descriptions span lines and carry trace ids. */
  detail = g_strdup (description != NULL ? description : code);
  g_strdelimit (detail, "\r\n", ' ');
  g_strstrip (detail);
  /* Said within a sentence of ours, in brackets */
  while (*detail != '\0' && detail[strlen (detail) - 1] == '.')
    detail[strlen (detail) - 1] = '\0';
  /* A server that repeats the request must not make a token shown. */
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < 2; i++)
    {
      const char *secret = i == 0 ? self->refresh_token : self->access_token;
      char *found;

      while (secret != NULL && secret[0] != '\0' && (found = strstr (detail, secret)) != NULL)
        memset (found, '*', strlen (secret));
    }
  g_mutex_unlock (&self->lock);

  if (g_str_equal (code, "invalid_grant"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN,
                 /* Translators: the provider, its reason */
                 _("%s no longer accepts the sign-in (%s). Sign in again."), name, detail);
  else if (g_str_equal (code, "access_denied") || g_str_equal (code, "authorization_declined"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_DENIED,
                 _("The sign-in with %s was refused (%s). Sign in with an account that may "
                   "send mail, or ask the IT administrator to allow the app."), name, detail);
  else if (g_str_equal (code, "temporarily_unavailable") || g_str_equal (code, "server_error"))
    g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNAVAILABLE,
                 /* Translators: the provider, its reason */
                 _("%s cannot sign in just now (%s). Try again later."), name, detail);
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
gboolean
rs_oauth_take_tokens (RsOAuth       *self,
             JsonObject    *answer,
             gboolean       interactive,
             GCancellable  *cancellable,
             GError       **error)
{
  const char *access_token = rs_oauth_json_string (answer, "access_token");
  const char *refresh_token = rs_oauth_json_string (answer, "refresh_token");
  g_autofree char *account = account_from_id_token (rs_oauth_json_string (answer, "id_token"));
  gint64 lifetime = rs_oauth_json_seconds (answer, "expires_in", 3600) * G_USEC_PER_SEC;
  gboolean keep = FALSE;
  g_autofree char *keep_account = NULL;

  if (rs_oauth_answer_error (self, answer, error))
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
  rs_oauth_wipe (&self->access_token);
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
      rs_oauth_wipe (&self->refresh_token);
      self->refresh_token = g_strdup (refresh_token);
      keep = !self->from_environment;
    }
  keep_account = g_strdup (self->account);
  g_mutex_unlock (&self->lock);

  /* A renewal keeps the new refresh token only where the old one was: a
   * sign-out meanwhile (Preferences, `signout`) stays a sign-out, and the
   * round in hand goes on with what it has in memory. */
  if (keep && !interactive)
    {
      g_autoptr(RsSecretPassword) still = NULL;

      still = rs_secret_lookup_refresh_token (rs_oauth_provider_get_name (self->provider),
                                              keep_account, NULL, cancellable, NULL);
      if (still == NULL)
        {
          g_debug ("Signed out meanwhile: the new refresh token is not kept");
          keep = FALSE;
        }
    }

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

GString *
rs_oauth_form_new (RsOAuth    *self,
          const char *grant_type)
{
  GString *form = g_string_new (NULL);

  rs_oauth_form_add (form, "client_id", rs_oauth_provider_get_client_id (self->provider));
  rs_oauth_form_add (form, "client_secret", rs_oauth_provider_get_client_secret (self->provider));
  rs_oauth_form_add (form, "grant_type", grant_type);

  return form;
}

/* Codes and tokens go only to an https:// address that parses. */
static gboolean
check_url (RsOAuth     *self,
           const char  *url,
           GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0
      && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0'
      && g_uri_get_userinfo (uri) == NULL)
    return TRUE;

  g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SETTINGS,
               /* Translators: the provider, the address */
               _("The sign-in address of %s is not a valid https:// address: “%s”. Sign-in "
                 "codes and tokens are only sent encrypted; check the provider's address in "
                 "the settings."),
               rs_oauth_provider_get_display_name (self->provider), url);
  return FALSE;
}

gboolean
rs_oauth_check_client_id (RsOAuth  *self,
                 GError  **error)
{
  g_autofree char *authorize = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device = NULL;

  if (rs_oauth_provider_get_client_id (self->provider) == NULL)
    {
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SETTINGS,
                   _("No client ID is set for %s. Ask the IT administrator for the client ID "
                     "of the app's registration and enter it in Preferences → E-mail."),
                   rs_oauth_provider_get_display_name (self->provider));
      return FALSE;
    }

  authorize = rs_oauth_provider_dup_authorize_url (self->provider);
  token = rs_oauth_provider_dup_token_url (self->provider);
  device = rs_oauth_provider_dup_device_code_url (self->provider);

  return check_url (self, authorize, error) && check_url (self, token, error)
         && (device == NULL || check_url (self, device, error));
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

/* TRUE when the keyring holds another refresh token for the account than
 * @used, which then replaces the one in memory. */
static gboolean
take_newer_kept_token (RsOAuth       *self,
                       const char    *used,
                       GCancellable  *cancellable)
{
  g_autoptr(RsSecretPassword) kept = NULL;
  g_autofree char *account = NULL;
  gboolean newer;

  g_mutex_lock (&self->lock);
  account = g_strdup (self->account);
  newer = !self->from_environment;
  g_mutex_unlock (&self->lock);
  if (!newer)
    return FALSE;

  kept = rs_secret_lookup_refresh_token (rs_oauth_provider_get_name (self->provider), account,
                                         NULL, cancellable, NULL);
  if (kept == NULL || g_str_equal (kept, used))
    return FALSE;

  g_mutex_lock (&self->lock);
  rs_oauth_wipe (&self->refresh_token);
  self->refresh_token = g_strdup (kept);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
refresh (RsOAuth       *self,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(RsOAuthForm) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *url = NULL;
  char *refresh_token;

  if (!rs_oauth_check_client_id (self, error))
    return FALSE;

  url = rs_oauth_provider_dup_token_url (self->provider);
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      gboolean ok;

      refresh_token = dup_refresh_token (self, cancellable, error);
      if (refresh_token == NULL)
        return FALSE;

      g_clear_pointer (&form, rs_oauth_form_free);
      g_clear_pointer (&answer, json_object_unref);
      form = rs_oauth_form_new (self, "refresh_token");
      rs_oauth_form_add (form, "refresh_token", refresh_token);
      if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
        rs_oauth_form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));

      answer = rs_oauth_post_form (self, url, form, cancellable, error);
      if (answer == NULL)
        {
          rs_oauth_wipe (&refresh_token);
          return FALSE;
        }

      ok = rs_oauth_take_tokens (self, answer, FALSE, cancellable, &local_error);
      /* Another process (a second send, Test in Preferences) may have
       * renewed the sign-in and kept the new refresh token, which made this
       * one void: the kept one, once. */
      if (!ok && attempt == 0
          && g_error_matches (local_error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN)
          && take_newer_kept_token (self, refresh_token, cancellable))
        {
          g_debug ("The refresh token was renewed elsewhere; using the kept one");
          rs_oauth_wipe (&refresh_token);
          continue;
        }
      rs_oauth_wipe (&refresh_token);
      if (!ok)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return ok;
    }
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
    rs_oauth_wipe (&self->access_token);
  g_mutex_unlock (&self->lock);
}

char *
rs_oauth_renew_access_token (RsOAuth       *self,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (RS_IS_OAUTH (self), NULL);

  rs_oauth_invalidate_access_token (self, NULL);
  return rs_oauth_get_access_token (self, cancellable, error);
}

gboolean
rs_oauth_error_is_temporary (const GError *error)
{
  return g_error_matches (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_CONNECTION)
         || g_error_matches (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNAVAILABLE);
}

char *
rs_oauth_renew_access_token_cb (gpointer       user_data,
                                GCancellable  *cancellable,
                                GError       **error)
{
  return rs_oauth_renew_access_token (RS_OAUTH (user_data), cancellable, error);
}

char *
rs_oauth_get_access_token_cb (gpointer       user_data,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return rs_oauth_get_access_token (RS_OAUTH (user_data), cancellable, error);
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
  rs_oauth_wipe (&self->access_token);
  rs_oauth_wipe (&self->refresh_token);
  g_clear_pointer (&self->account, g_free);
  g_mutex_unlock (&self->lock);

  return rs_secret_forget_refresh_token (rs_oauth_provider_get_name (self->provider), NULL,
                                         cancellable, error);
}
