/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-oauth"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <sys/random.h>

#include "rs-oauth.h"
#include "rs-oauth-private.h"

/* Signing in in the browser: authorization code with PKCE (RFC 7636) and a
 * loopback redirect (RFC 8252). */

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
  rs_oauth_wipe (&browser->verifier);
  rs_oauth_wipe (&browser->code);
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
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
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
      rs_oauth_answer_error (g_task_get_source_object (request->task), answer, &error);
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
  g_autoptr(RsOAuthForm) form = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *url = rs_oauth_provider_dup_token_url (self->provider);
  GError *error = NULL;

  form = rs_oauth_form_new (self, "authorization_code");
  rs_oauth_form_add (form, "code", browser->code);
  rs_oauth_form_add (form, "redirect_uri", browser->redirect_uri);
  rs_oauth_form_add (form, "code_verifier", browser->verifier);
  if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
    rs_oauth_form_add (form, "scope", rs_oauth_provider_get_scope (self->provider));

  answer = rs_oauth_post_form (self, url, form, cancellable, &error);
  if (answer == NULL || !rs_oauth_take_tokens (self, answer, TRUE, cancellable, &error))
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

  if (!rs_oauth_check_client_id (self, &error))
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
  rs_oauth_form_add (uri, "client_id", rs_oauth_provider_get_client_id (self->provider));
  rs_oauth_form_add (uri, "response_type", "code");
  rs_oauth_form_add (uri, "redirect_uri", browser->redirect_uri);
  rs_oauth_form_add (uri, "scope", rs_oauth_provider_get_scope (self->provider));
  rs_oauth_form_add (uri, "state", browser->state);
  rs_oauth_form_add (uri, "code_challenge", challenge);
  rs_oauth_form_add (uri, "code_challenge_method", "S256");
  if (rs_oauth_provider_get_kind (self->provider) == RS_OAUTH_PROVIDER_MICROSOFT)
    {
      rs_oauth_form_add (uri, "prompt", "select_account");
    }
  else
    {
      /* Google gives a refresh token only with the consent it was asked
       * for: every sign-in asks, so that every sign-in can be kept. */
      rs_oauth_form_add (uri, "access_type", "offline");
      rs_oauth_form_add (uri, "prompt", "consent");
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
