/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-oauth"

#include "config.h"

#include <glib/gstdio.h>

#include "rs-oauth.h"
#include "rs-secret.h"
#include "rs-test-cli.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* Sign-in with OAuth 2.0 against a real identity provider on this machine,
 * tests/idp-server.py over HTTPS with a certificate made here, and a real
 * keyring (with-keyring.sh). The browser is a stand-in: a script given as
 * $BROWSER that opens the address with curl and follows the redirect. */

#define CLIENT_ID "00000000-1111-2222-3333-444444444444"
#define ACCOUNT "signin@example.com"

typedef struct
{
  char *dir;
  char *cert;
  char *key;
  GSubprocess *process;
  char *base;        /* https://127.0.0.1:PORT */
  char *browser;     /* the stand-in browser script */
} Idp;

static void
idp_start (Idp        *idp,
           const char *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *script = NULL;
  va_list args;

  idp->dir = rs_test_make_tmpdir ();
  rs_test_make_certificate (idp->dir, &idp->cert, &idp->key);

  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) g_test_get_filename (G_TEST_DIST, "idp-server.py", NULL));
  g_ptr_array_add (argv, idp->dir);
  g_ptr_array_add (argv, (gpointer) "--cert");
  g_ptr_array_add (argv, idp->cert);
  g_ptr_array_add (argv, (gpointer) "--key");
  g_ptr_array_add (argv, idp->key);
  g_ptr_array_add (argv, (gpointer) "--client-id=" CLIENT_ID);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  idp->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDIN_PIPE
                                    | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (idp->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  idp->base = g_strdup_printf ("https://127.0.0.1:%s", line + 5);

  /* A browser that consents at once: it follows the redirect to the
   * loopback address and shows what it gets there. */
  idp->browser = g_build_filename (idp->dir, "browser.sh", NULL);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "echo \"$1\" >> '%s/browser.log'\n"
                            "exec curl --silent --show-error --location --max-redirs 2 "
                            "--cacert '%s' -o '%s/page.html' \"$1\"\n",
                            idp->dir, idp->cert, idp->dir);
  g_file_set_contents (idp->browser, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (idp->browser, 0755), ==, 0);
  g_setenv ("BROWSER", idp->browser, TRUE);
}

static void
idp_stop (Idp *idp)
{
  g_subprocess_force_exit (idp->process);
  g_subprocess_wait (idp->process, NULL, NULL);
  g_clear_object (&idp->process);
  rs_test_remove_tree (idp->dir);
  g_clear_pointer (&idp->dir, g_free);
  g_clear_pointer (&idp->cert, g_free);
  g_clear_pointer (&idp->key, g_free);
  g_clear_pointer (&idp->base, g_free);
  g_clear_pointer (&idp->browser, g_free);
  g_unsetenv ("BROWSER");
}

static guint
idp_count (Idp        *idp,
           const char *needle)
{
  g_autofree char *path = g_build_filename (idp->dir, "log.jsonl", NULL);
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &log, NULL, NULL))
    return 0;
  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

/* Every token the provider handed out. */
static GStrv
idp_tokens (Idp *idp)
{
  g_autofree char *path = g_build_filename (idp->dir, "tokens.txt", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  if (g_file_get_contents (path, &text, NULL, NULL))
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        if (lines[i][0] != '\0')
          g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}

/* The last refresh token handed out. */
static char *
idp_last_refresh_token (Idp *idp)
{
  g_auto(GStrv) tokens = idp_tokens (idp);
  char *last = NULL;

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_str_has_prefix (tokens[i], "rt-"))
      {
        g_free (last);
        last = g_strdup (tokens[i]);
      }

  return last;
}

static RsOAuthProvider *
microsoft_provider (Idp *idp)
{
  RsOAuthProvider *provider = rs_oauth_provider_new (RS_OAUTH_PROVIDER_MICROSOFT);

  rs_oauth_provider_set_client_id (provider, CLIENT_ID);
  rs_oauth_provider_set_authority (provider, idp->base);
  rs_oauth_provider_set_ca_file (provider, idp->cert);

  return provider;
}

static char *
kept_refresh_token (const char *provider,
                    char      **account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsSecretPassword) token = NULL;

  token = rs_secret_lookup_refresh_token (provider, NULL, account, NULL, &error);
  g_assert_no_error (error);

  return g_strdup (token);
}

static void
forget_all (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_secret_forget_refresh_token ("microsoft", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rs_secret_forget_refresh_token ("google", NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

static void
test_oauth_provider (void)
{
  g_autoptr(RsOAuthProvider) microsoft = rs_oauth_provider_new (RS_OAUTH_PROVIDER_MICROSOFT);
  g_autoptr(RsOAuthProvider) google = rs_oauth_provider_new (RS_OAUTH_PROVIDER_GOOGLE);
  g_autofree char *authorize = NULL;
  g_autofree char *token = NULL;
  g_autofree char *device = NULL;
  g_autofree char *tenant_token = NULL;
  g_autofree char *own = NULL;
  g_autofree char *redirect = NULL;
  g_autofree char *google_authorize = NULL;
  g_autofree char *google_token = NULL;
  g_autofree char *google_redirect = NULL;
  RsOAuthProviderKind kind;

  authorize = rs_oauth_provider_dup_authorize_url (microsoft);
  g_assert_cmpstr (authorize, ==,
                   "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize");
  token = rs_oauth_provider_dup_token_url (microsoft);
  g_assert_cmpstr (token, ==,
                   "https://login.microsoftonline.com/organizations/oauth2/v2.0/token");
  device = rs_oauth_provider_dup_device_code_url (microsoft);
  g_assert_cmpstr (device, ==,
                   "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode");
  g_assert_cmpstr (rs_oauth_provider_get_scope (microsoft), ==,
                   "https://outlook.office.com/SMTP.Send offline_access openid email");
  rs_oauth_provider_set_route (microsoft, RS_OAUTH_ROUTE_GRAPH);
  g_assert_cmpstr (rs_oauth_provider_get_scope (microsoft), ==,
                   "https://graph.microsoft.com/Mail.Send https://graph.microsoft.com/User.Read "
                   "offline_access openid email");
  g_assert_true (rs_oauth_provider_supports_device_code (microsoft));
  redirect = rs_oauth_provider_dup_redirect_uri (microsoft, 41234);
  g_assert_cmpstr (redirect, ==, "http://localhost:41234/");

  rs_oauth_provider_set_tenant (microsoft, "contoso.example.com");
  rs_oauth_provider_set_authority (microsoft, "https://login.example.net/");
  tenant_token = rs_oauth_provider_dup_token_url (microsoft);
  g_assert_cmpstr (tenant_token, ==,
                   "https://login.example.net/contoso.example.com/oauth2/v2.0/token");
  rs_oauth_provider_set_token_url (microsoft, "https://token.example.net/t");
  own = rs_oauth_provider_dup_token_url (microsoft);
  g_assert_cmpstr (own, ==, "https://token.example.net/t");

  google_authorize = rs_oauth_provider_dup_authorize_url (google);
  g_assert_cmpstr (google_authorize, ==, "https://accounts.google.com/o/oauth2/v2/auth");
  google_token = rs_oauth_provider_dup_token_url (google);
  g_assert_cmpstr (google_token, ==, "https://oauth2.googleapis.com/token");
  g_assert_cmpstr (rs_oauth_provider_get_scope (google), ==,
                   "https://mail.google.com/ openid email");
  g_assert_false (rs_oauth_provider_supports_device_code (google));
  google_redirect = rs_oauth_provider_dup_redirect_uri (google, 41234);
  g_assert_cmpstr (google_redirect, ==, "http://127.0.0.1:41234/");

  g_assert_true (rs_oauth_provider_kind_from_name ("google", &kind));
  g_assert_cmpint (kind, ==, RS_OAUTH_PROVIDER_GOOGLE);
  g_assert_false (rs_oauth_provider_kind_from_name ("yahoo", &kind));
}

static void
open_cb (const char *uri,
         gpointer    user_data)
{
  g_autoptr(GError) error = NULL;
  char **opened = user_data;

  *opened = g_strdup (uri);
  rs_oauth_open_browser (uri, &error);
  g_assert_no_error (error);
}

/* Authorization code with PKCE: the browser comes back to the loopback
 * address, the provider checks the verifier, the refresh token is kept. */
static void
test_oauth_browser (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *account = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *kept_account = NULL;
  g_autofree char *last = NULL;
  g_autofree char *access = NULL;
  g_autofree char *page = NULL;
  g_autofree char *page_path = NULL;
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, NULL);
  provider = microsoft_provider (&idp);
  oauth = rs_oauth_new (provider);

  rs_oauth_sign_in_browser_async (oauth, open_cb, &opened, NULL, result_cb, &result);
  g_assert_true (rs_oauth_sign_in_browser_finish (oauth, wait_for (&result), &account, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (account, ==, ACCOUNT);

  g_assert_true (g_str_has_prefix (opened, idp.base));
  g_assert_nonnull (strstr (opened, "/organizations/oauth2/v2.0/authorize?"));
  g_assert_nonnull (strstr (opened, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (opened, "redirect_uri=http%3A%2F%2Flocalhost%3A"));
  g_assert_cmpuint (idp_count (&idp, "\"event\": \"authorize\", \"ok\": true"), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"pkce\": \"ok\", \"redirect\": \"ok\""), ==, 1);

  page_path = g_build_filename (idp.dir, "page.html", NULL);
  g_assert_true (g_file_get_contents (page_path, &page, NULL, NULL));
  g_assert_nonnull (strstr (page, "You can close this window"));

  last = idp_last_refresh_token (&idp);
  kept = kept_refresh_token ("microsoft", &kept_account);
  g_assert_cmpstr (kept, ==, last);
  g_assert_cmpstr (kept_account, ==, ACCOUNT);

  /* The access token of the sign-in is still good: no refresh. */
  access = rs_oauth_get_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (access, "at-"));
  g_assert_cmpuint (idp_count (&idp, "\"grant\": \"refresh_token\""), ==, 0);

  idp_stop (&idp);
}

static void
open_nowhere_cb (const char *uri,
                 gpointer    user_data)
{
}

/* A request to the loopback address without this sign-in's state is not
 * the answer: it gets a 404 and the sign-in goes on. */
static void
open_forged_first_cb (const char *uri,
                      gpointer    user_data)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GUri) redirect = NULL;
  g_autoptr(GSubprocess) forger = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *answer = NULL;

  g_assert_nonnull (parsed);
  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_NONE, NULL);
  redirect = g_uri_parse (g_hash_table_lookup (params, "redirect_uri"), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (redirect);
  forged = g_strdup_printf ("http://127.0.0.1:%d/?code=forged&state=not-the-state",
                            g_uri_get_port (redirect));

  forger = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "--silent",
                             "--write-out", " %{http_code}", forged, NULL);
  g_assert_no_error (error);
  /* The listener answers from this thread's main context. */
  g_subprocess_communicate_utf8_async (forger, NULL, NULL, result_cb, &done);
  g_subprocess_communicate_utf8_finish (forger, wait_for (&done), &answer, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (answer, " 404"));

  open_cb (uri, user_data);
}

static void
test_oauth_browser_state (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *account = NULL;
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, NULL);
  provider = microsoft_provider (&idp);
  oauth = rs_oauth_new (provider);

  rs_oauth_sign_in_browser_async (oauth, open_forged_first_cb, &opened, NULL, result_cb,
                                  &result);
  g_assert_true (rs_oauth_sign_in_browser_finish (oauth, wait_for (&result), &account, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (account, ==, ACCOUNT);
  g_assert_cmpuint (idp_count (&idp, "\"pkce\": \"ok\""), ==, 1);

  idp_stop (&idp);
}

/* The provider refuses in the browser: access_denied, nothing kept. */
static void
test_oauth_browser_denied (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *page = NULL;
  g_autofree char *page_path = NULL;
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--deny", NULL);
  provider = rs_oauth_provider_new (RS_OAUTH_PROVIDER_GOOGLE);
  rs_oauth_provider_set_client_id (provider, CLIENT_ID);
  rs_oauth_provider_set_authority (provider, idp.base);
  rs_oauth_provider_set_ca_file (provider, idp.cert);
  oauth = rs_oauth_new (provider);

  rs_oauth_sign_in_browser_async (oauth, open_cb, &opened, NULL, result_cb, &result);
  g_assert_false (rs_oauth_sign_in_browser_finish (oauth, wait_for (&result), NULL, &error));
  g_assert_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_DENIED);
  g_assert_nonnull (strstr (error->message, "Google"));
  /* The provider's reason, form-decoded: spaces, not “+”. */
  g_assert_nonnull (strstr (error->message, "(The user said no)"));
  g_assert_nonnull (strstr (opened, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_nonnull (strstr (opened, "access_type=offline"));

  page_path = g_build_filename (idp.dir, "page.html", NULL);
  /* The browser may still be writing it. */
  for (guint i = 0; i < 250 && (page == NULL || strstr (page, "</html>") == NULL); i++)
    {
      g_clear_pointer (&page, g_free);
      g_usleep (20000);
      g_file_get_contents (page_path, &page, NULL, NULL);
    }
  g_assert_nonnull (page);
  g_assert_nonnull (strstr (page, "did not succeed"));
  kept = kept_refresh_token ("google", NULL);
  g_assert_null (kept);

  idp_stop (&idp);
}

/* Cancel while waiting for the browser: the sign-in ends at once. */
static void
test_oauth_browser_cancel (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  provider = rs_oauth_provider_new (RS_OAUTH_PROVIDER_GOOGLE);
  rs_oauth_provider_set_client_id (provider, CLIENT_ID);
  rs_oauth_provider_set_authority (provider, "https://accounts.example.com");
  oauth = rs_oauth_new (provider);

  /* No browser opens the address: nobody ever comes back. */
  rs_oauth_sign_in_browser_async (oauth, open_nowhere_cb, NULL, cancellable, result_cb,
                                  &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (rs_oauth_sign_in_browser_finish (oauth, wait_for (&result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct
{
  char *uri;
  char *code;
} Prompt;

static void
prompt_cb (const char *verification_uri,
           const char *user_code,
           gpointer    user_data)
{
  Prompt *prompt = user_data;

  prompt->uri = g_strdup (verification_uri);
  prompt->code = g_strdup (user_code);
}

static gboolean
device_sign_in (RsOAuth  *oauth,
                Prompt   *prompt,
                char    **account,
                GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rs_oauth_sign_in_device_async (oauth, prompt_cb, prompt, NULL, result_cb, &result);
  return rs_oauth_sign_in_device_finish (oauth, wait_for (&result), account, error);
}

/* The device authorization grant: authorization_pending, then slow_down
 * (five seconds more between polls), then the tokens. */
static void
test_oauth_device (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *last = NULL;
  Prompt prompt = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--pending=1", "--slow-down=1", "--claim=preferred_username", NULL);
  provider = microsoft_provider (&idp);
  rs_oauth_provider_set_route (provider, RS_OAUTH_ROUTE_GRAPH);
  oauth = rs_oauth_new (provider);

  g_assert_true (device_sign_in (oauth, &prompt, &account, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (account, ==, ACCOUNT);
  g_assert_cmpstr (prompt.uri, ==, "https://idp.example.com/devicelogin");
  g_assert_cmpstr (prompt.code, ==, "ABCD-1234");

  g_assert_cmpuint (idp_count (&idp, "Mail.Send https://graph.microsoft.com/User.Read "
                               "offline_access openid email"), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"answer\": \"authorization_pending\""), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"answer\": \"slow_down\""), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"answer\": \"success\""), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"too_soon\": true"), ==, 0);

  last = idp_last_refresh_token (&idp);
  kept = kept_refresh_token ("microsoft", NULL);
  g_assert_cmpstr (kept, ==, last);

  g_free (prompt.uri);
  g_free (prompt.code);
  idp_stop (&idp);
}

static void
test_oauth_device_refused (void)
{
  const char *outcomes[] = { "--device-outcome=denied", "--device-outcome=expired" };
  const int codes[] = { RS_OAUTH_ERROR_DENIED, RS_OAUTH_ERROR_EXPIRED };

  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      g_autoptr(RsOAuthProvider) provider = NULL;
      g_autoptr(RsOAuth) oauth = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *kept = NULL;
      Prompt prompt = { 0 };
      Idp idp = { 0 };

      forget_all ();
      idp_start (&idp, "--pending=0", "--slow-down=0", outcomes[i], NULL);
      provider = microsoft_provider (&idp);
      oauth = rs_oauth_new (provider);

      g_assert_false (device_sign_in (oauth, &prompt, NULL, &error));
      g_assert_error (error, RS_OAUTH_ERROR, codes[i]);
      g_assert_nonnull (strstr (error->message, "Microsoft 365"));
      kept = kept_refresh_token ("microsoft", NULL);
      g_assert_null (kept);

      g_free (prompt.uri);
      g_free (prompt.code);
      idp_stop (&idp);
    }
}

/* Google's device flow does not grant Gmail: it is not even asked. */
static void
test_oauth_device_google (void)
{
  g_autoptr(RsOAuthProvider) provider = rs_oauth_provider_new (RS_OAUTH_PROVIDER_GOOGLE);
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;
  Prompt prompt = { 0 };

  rs_oauth_provider_set_client_id (provider, CLIENT_ID);
  oauth = rs_oauth_new (provider);
  g_assert_false (device_sign_in (oauth, &prompt, NULL, &error));
  g_assert_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_UNSUPPORTED);
  g_assert_null (prompt.code);
}

/* An access token about to expire is refreshed; the new refresh token
 * replaces the old in the keyring, and another process signs in with it. */
static void
test_oauth_refresh (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(RsOAuth) later = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *fourth = NULL;
  g_autofree char *fifth = NULL;
  g_autofree char *sixth = NULL;
  g_autofree char *renewed = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *last = NULL;
  g_autofree char *account = NULL;
  Prompt prompt = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--pending=0", "--slow-down=0", "--expires-in=2", NULL);
  provider = microsoft_provider (&idp);
  oauth = rs_oauth_new (provider);
  g_assert_true (device_sign_in (oauth, &prompt, NULL, &error));
  g_assert_no_error (error);

  first = rs_oauth_get_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  again = rs_oauth_get_access_token (oauth, NULL, &error);
  g_assert_cmpstr (again, ==, first);
  g_assert_cmpuint (idp_count (&idp, "\"grant\": \"refresh_token\""), ==, 0);

  g_usleep (2 * G_USEC_PER_SEC);
  rs_oauth_get_access_token_async (oauth, NULL, result_cb, &result);
  second = rs_oauth_get_access_token_finish (oauth, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_cmpstr (second, !=, first);
  g_assert_cmpuint (idp_count (&idp, "\"grant\": \"refresh_token\", \"result\": \"ok\""),
                    ==, 1);
  last = idp_last_refresh_token (&idp);
  kept = kept_refresh_token ("microsoft", NULL);
  g_assert_cmpstr (kept, ==, last);

  /* After a 401 or a 535, once more. */
  rs_oauth_invalidate_access_token (oauth, second);
  third = rs_oauth_get_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (third, !=, second);
  g_assert_cmpuint (idp_count (&idp, "\"result\": \"ok\""), ==, 2);

  /* What a send job calls when its token was refused. */
  renewed = rs_oauth_renew_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (renewed, !=, third);
  g_assert_cmpuint (idp_count (&idp, "\"result\": \"ok\""), ==, 3);

  /* Another process: the keyring's refresh token, and the account kept with it. */
  later = rs_oauth_new (provider);
  fourth = rs_oauth_get_access_token (later, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fourth);
  account = rs_oauth_dup_account (later);
  g_assert_cmpstr (account, ==, ACCOUNT);

  /* That renewal made the first one's refresh token void (the provider
   * takes each only once): it takes the one now kept instead of saying
   * "sign in again". */
  fifth = rs_oauth_renew_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fifth);
  g_assert_cmpuint (idp_count (&idp, "\"result\": \"invalid_grant\""), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"result\": \"ok\""), ==, 5);

  /* Signed out meanwhile (by another process): a renewal goes on from
   * memory and does not put the sign-in back into the keyring. */
  g_assert_true (rs_secret_forget_refresh_token ("microsoft", NULL, NULL, &error));
  g_assert_no_error (error);
  sixth = rs_oauth_renew_access_token (oauth, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sixth);
  g_clear_pointer (&kept, g_free);
  kept = kept_refresh_token ("microsoft", NULL);
  g_assert_null (kept);

  g_free (prompt.uri);
  g_free (prompt.code);
  idp_stop (&idp);
}

/* A revoked refresh token: invalid_grant, so sign in again. */
static void
test_oauth_revoked (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(RsOAuth) later = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *revoked = NULL;
  g_autofree char *token = NULL;
  Prompt prompt = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--pending=0", "--slow-down=0", NULL);
  provider = microsoft_provider (&idp);
  oauth = rs_oauth_new (provider);
  g_assert_true (device_sign_in (oauth, &prompt, NULL, &error));
  g_assert_no_error (error);

  revoked = g_build_filename (idp.dir, "revoked", NULL);
  g_file_set_contents (revoked, "", 0, &error);
  g_assert_no_error (error);

  later = rs_oauth_new (provider);
  token = rs_oauth_get_access_token (later, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN);
  g_assert_nonnull (strstr (error->message, "Sign in again"));
  g_assert_null (strchr (error->message, '\n'));
  g_clear_error (&error);

  /* Never signed in at all. */
  forget_all ();
  g_clear_object (&later);
  later = rs_oauth_new (provider);
  token = rs_oauth_get_access_token (later, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_NOT_SIGNED_IN);

  g_free (prompt.uri);
  g_free (prompt.code);
  idp_stop (&idp);
}

/* Unattended: the refresh token from the environment, and what comes of it
 * is kept in memory only. */
static void
test_oauth_environment (void)
{
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(RsOAuth) unattended = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *token = NULL;
  g_autofree char *kept = NULL;
  Prompt prompt = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--pending=0", "--slow-down=0", NULL);
  provider = microsoft_provider (&idp);
  oauth = rs_oauth_new (provider);
  g_assert_true (device_sign_in (oauth, &prompt, NULL, &error));
  g_assert_no_error (error);
  refresh_token = idp_last_refresh_token (&idp);
  forget_all ();

  g_setenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN", refresh_token, TRUE);
  unattended = rs_oauth_new (provider);
  token = rs_oauth_get_access_token (unattended, NULL, &error);
  g_unsetenv ("RESILIENCESCAN_OAUTH_REFRESH_TOKEN");
  g_assert_no_error (error);
  g_assert_nonnull (token);
  kept = kept_refresh_token ("microsoft", NULL);
  g_assert_null (kept);

  g_free (prompt.uri);
  g_free (prompt.code);
  idp_stop (&idp);
}

/* Runs the command line and, while it runs, reads the command line of every
 * process on the machine. */
static void
run_watched (RsCliResult  *result,
             GHashTable   *command_lines,
             const char  **args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) done = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("RESILIENCESCAN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, result_cb, &done);

  while (done == NULL)
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      const char *name;

      while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
        {
          g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
          char *text = NULL;
          gsize len = 0;

          if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &text, &len, NULL))
            continue;
          for (gsize i = 0; i + 1 < len; i++)
            if (text[i] == '\0')
              text[i] = ' ';
          g_hash_table_add (command_lines, text);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }

  g_subprocess_communicate_utf8_finish (process, done, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process)
                   ? g_subprocess_get_exit_status (process) : 128;
}

static void
assert_tokens_nowhere (Idp         *idp,
                       RsCliResult *result,
                       GHashTable  *command_lines,
                       const char  *dir)
{
  g_auto(GStrv) tokens = idp_tokens (idp);

  g_assert_cmpuint (g_strv_length (tokens), >=, 2);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      GHashTableIter iter;
      const char *line;

      g_assert_null (strstr (result->out, tokens[i]));
      g_assert_null (strstr (result->err, tokens[i]));
      g_assert_false (rs_test_tree_contains (dir, tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_config_dir (), tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_state_dir (), tokens[i]));
      g_assert_false (rs_test_tree_contains (g_get_user_cache_dir (), tokens[i]));
      g_hash_table_iter_init (&iter, command_lines);
      while (g_hash_table_iter_next (&iter, (gpointer *) &line, NULL))
        g_assert_null (strstr (line, tokens[i]));
    }
}

/* `signin` in the browser and `signout`, as a person at the command line. */
static void
test_oauth_cli_browser (void)
{
  g_autoptr(GHashTable) command_lines = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                g_free, NULL);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *database = g_strdup_printf ("--database=%s", db);
  g_autofree char *authority = NULL;
  g_autofree char *cafile = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *after = NULL;
  g_auto(RsCliResult) signin = { 0 };
  g_auto(RsCliResult) signout = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, NULL);
  authority = g_strdup_printf ("--authority=%s", idp.base);
  cafile = g_strdup_printf ("--cafile=%s", idp.cert);

  {
    const char *args[] = {
      database, "signin", "--provider=microsoft", "--client-id=" CLIENT_ID,
      "--tenant=contoso.example.com", authority, cafile, NULL,
    };

    run_watched (&signin, command_lines, args);
  }
  g_assert_cmpint (signin.status, ==, 0);
  g_assert_cmpstr (signin.out, ==, ACCOUNT "\n");
  g_assert_nonnull (strstr (signin.err, idp.base));
  g_assert_cmpuint (idp_count (&idp, "/contoso.example.com/oauth2/v2.0/authorize"), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "\"pkce\": \"ok\""), ==, 1);
  kept = kept_refresh_token ("microsoft", NULL);
  g_assert_nonnull (kept);
  assert_tokens_nowhere (&idp, &signin, command_lines, dir);

  {
    const char *args[] = { "signout", "--provider=microsoft", NULL };

    run_watched (&signout, command_lines, args);
  }
  g_assert_cmpint (signout.status, ==, 0);
  after = kept_refresh_token ("microsoft", NULL);
  g_assert_null (after);

  idp_stop (&idp);
  rs_test_remove_tree (dir);
}

/* `signin --device-code`, and Google in the browser with its client secret. */
static void
test_oauth_cli_device_google (void)
{
  g_autoptr(GHashTable) command_lines = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                g_free, NULL);
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *authority = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *cafile = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *microsoft = NULL;
  g_autofree char *last = NULL;
  g_auto(RsCliResult) device = { 0 };
  g_auto(RsCliResult) google = { 0 };
  g_auto(RsCliResult) google_device = { 0 };
  Idp idp = { 0 };

  forget_all ();
  idp_start (&idp, "--pending=1", "--slow-down=0", "--client-secret=desktop-not-secret", NULL);
  authority = g_strdup_printf ("--authority=%s", idp.base);
  token_url = g_strdup_printf ("--token-url=%s/token", idp.base);
  cafile = g_strdup_printf ("--cafile=%s", idp.cert);

  {
    const char *args[] = {
      "signin", "--provider=microsoft", "--client-id=" CLIENT_ID,
      "--client-secret=desktop-not-secret", "--device-code", authority, cafile, NULL,
    };

    run_watched (&device, command_lines, args);
  }
  g_assert_cmpint (device.status, ==, 0);
  g_assert_cmpstr (device.out, ==, ACCOUNT "\n");
  g_assert_nonnull (strstr (device.err, "https://idp.example.com/devicelogin"));
  g_assert_nonnull (strstr (device.err, "ABCD-1234"));
  g_assert_cmpuint (idp_count (&idp, "\"answer\": \"success\""), ==, 1);

  {
    const char *args[] = {
      "signin", "--provider=google", "--client-id=" CLIENT_ID,
      "--client-secret=desktop-not-secret", authority, token_url, cafile, NULL,
    };

    run_watched (&google, command_lines, args);
  }
  g_assert_cmpint (google.status, ==, 0);
  g_assert_cmpstr (google.out, ==, ACCOUNT "\n");
  g_assert_cmpuint (idp_count (&idp, "\"path\": \"/o/oauth2/v2/auth\""), ==, 1);
  g_assert_cmpuint (idp_count (&idp, "https://mail.google.com/ openid email"), >=, 1);
  kept = kept_refresh_token ("google", NULL);
  last = idp_last_refresh_token (&idp);
  g_assert_cmpstr (kept, ==, last);
  assert_tokens_nowhere (&idp, &google, command_lines, dir);
  assert_tokens_nowhere (&idp, &device, command_lines, dir);

  /* Google and the device code: refused before anything is asked. */
  {
    const char *args[] = {
      "signin", "--provider=google", "--client-id=" CLIENT_ID, "--device-code", NULL,
    };

    run_watched (&google_device, command_lines, args);
  }
  g_assert_cmpint (google_device.status, ==, 2);
  g_assert_nonnull (strstr (google_device.err, "browser"));

  /* Signing out of one provider leaves the other. */
  {
    g_auto(RsCliResult) signout = { 0 };

    rs_test_run_cli (&signout, "signout", "--provider=google", NULL);
    g_assert_cmpint (signout.status, ==, 0);
  }
  g_clear_pointer (&kept, g_free);
  kept = kept_refresh_token ("google", NULL);
  g_assert_null (kept);
  microsoft = kept_refresh_token ("microsoft", NULL);
  g_assert_nonnull (microsoft);

  idp_stop (&idp);
  rs_test_remove_tree (dir);
}

static void
test_oauth_cli_usage (void)
{
  struct
  {
    const char *args[4];
    const char *needle;
  } cases[] = {
    { { "signin", "--client-id=x", NULL }, "--provider" },
    { { "signin", "--provider=yahoo", "--client-id=x", NULL }, "yahoo" },
    { { "signin", "--provider=microsoft", NULL }, "--client-id" },
    { { "signout", NULL }, "--provider" },
    { { "signin", "--provider=microsoft", "--client-id=x", "extra" }, "extra" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RsCliResult) result = { 0 };

      rs_test_run_cli (&result, cases[i].args[0], cases[i].args[1], cases[i].args[2],
                       cases[i].args[3], NULL);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_nonnull (strstr (result.err, cases[i].needle));
      g_assert_cmpstr (result.out, ==, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/oauth/provider", test_oauth_provider);
  g_test_add_func ("/oauth/browser", test_oauth_browser);
  g_test_add_func ("/oauth/browser-state", test_oauth_browser_state);
  g_test_add_func ("/oauth/browser-denied", test_oauth_browser_denied);
  g_test_add_func ("/oauth/browser-cancel", test_oauth_browser_cancel);
  g_test_add_func ("/oauth/device", test_oauth_device);
  g_test_add_func ("/oauth/device-refused", test_oauth_device_refused);
  g_test_add_func ("/oauth/device-google", test_oauth_device_google);
  g_test_add_func ("/oauth/refresh", test_oauth_refresh);
  g_test_add_func ("/oauth/revoked", test_oauth_revoked);
  g_test_add_func ("/oauth/environment", test_oauth_environment);
  g_test_add_func ("/oauth/cli-browser", test_oauth_cli_browser);
  g_test_add_func ("/oauth/cli-device-google", test_oauth_cli_device_google);
  g_test_add_func ("/oauth/cli-usage", test_oauth_cli_usage);

  return g_test_run ();
}
