/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "rs-cli.h"
#include "rs-cli-private.h"
#include "core/rs-activity.h"
#include "core/rs-companies.h"
#include "core/rs-branding.h"
#include "core/rs-dashboard.h"
#include "core/rs-export.h"
#include "core/rs-graph.h"
#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-row-source.h"
#include "core/rs-mail-settings.h"
#include "core/rs-oauth.h"
#include "core/rs-send-job.h"
#include "core/rs-template.h"
#include "core/rs-secret.h"
#include "core/rs-tracker.h"
#include "core/rs-store.h"

/* The signin and signout commands: OAuth 2.0 with Microsoft 365 or Google. */

/* The provider named by --provider, or %NULL after saying what is wrong. */
static RsOAuthProvider *
provider_from_option (const char *command,
                      const char *name)
{
  RsOAuthProviderKind kind;

  if (name == NULL)
    {
      /* Translators: the command */
      rs_cli_fail (_("%s: say which provider with --provider=microsoft or --provider=google"),
                   command);
      return NULL;
    }
  if (!rs_oauth_provider_kind_from_name (name, &kind))
    {
      /* Translators: the command, the provider given */
      rs_cli_fail (_("%s: --provider is “microsoft” or “google”, not “%s”"), command, name);
      return NULL;
    }

  return rs_oauth_provider_new (kind);
}

typedef struct
{
  GMainLoop *loop;
  gboolean ok;
  char *account;
  GError *error;
} SigninWait;

static void
signin_browser_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SigninWait *wait = user_data;

  wait->ok = rs_oauth_sign_in_browser_finish (RS_OAUTH (source), result, &wait->account,
                                              &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
signin_device_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SigninWait *wait = user_data;

  wait->ok = rs_oauth_sign_in_device_finish (RS_OAUTH (source), result, &wait->account,
                                             &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
open_sign_in_page (const char *uri,
                   gpointer    user_data)
{
  g_autoptr(GError) error = NULL;

  /* Translators: the provider, then the address on a line of its own */
  fprintf (stderr, _("Sign in to %s in your browser. If it does not open, open this "
                     "address:\n%s\n"), (const char *) user_data, uri);
  if (!rs_oauth_open_browser (uri, &error))
    fprintf (stderr, _("The browser could not be opened: %s\n"), error->message);
  fprintf (stderr, "%s\n", _("Waiting for sign-in in your browser…"));
  fflush (stderr);
}

static void
show_device_code (const char *verification_uri,
                  const char *user_code,
                  gpointer    user_data)
{
  /* Translators: the address, the code */
  fprintf (stderr, _("To sign in, open %s in a browser on any device and enter the code %s\n"),
           verification_uri, user_code);
  fprintf (stderr, "%s\n", _("Waiting for the sign-in…"));
  fflush (stderr);
}

static gboolean
stop_signin_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_CONTINUE;
}

int
rs_cli_cmd_signin (GStrv *args)
{
  g_autofree char *provider_name = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *client_secret = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *cafile = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *device_code_url = NULL;
  g_autofree char *transport = NULL;
  gboolean device_code = FALSE;
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_name,
      N_("Who keeps the mailbox: microsoft (Microsoft 365) or google"), N_("PROVIDER") },
    RS_CLI_CLIENT_ENTRIES (&client_id, &client_secret, &tenant),
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport,
      N_("Microsoft 365: sign in to send through Microsoft Graph (the default) or SMTP"),
      N_("graph|smtp") },
    { "device-code", 0, 0, G_OPTION_ARG_NONE, &device_code,
      N_("Microsoft 365: sign in with a code on another device instead of in a browser here"),
      NULL },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile,
      N_("Trust the certificates in this PEM file for the provider's addresses"), N_("PEM") },
    RS_CLI_ADDRESS_ENTRIES (&authority, &token_url, &device_code_url),
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SigninWait wait = { loop, FALSE, NULL, NULL };

  g_option_context_set_summary (context,
                                _("Sign in to the mailbox's provider with OAuth 2.0 and keep "
                                  "the sign-in in the keyring; prints the signed-in address. "
                                  "The browser opens to sign in; with --device-code, a code "
                                  "is shown to enter on any device."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when signed in; 1 when the sign-in did "
                                      "not succeed; 2 when the command line is not right."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if (!(provider = provider_from_option ("signin", provider_name)))
    return 2;
  if (client_id == NULL || client_id[0] == '\0')
    {
      rs_cli_fail (_("signin: give the client ID of the app's registration with --client-id=ID"));
      return 2;
    }
  if (transport != NULL && !g_str_equal (transport, "graph") && !g_str_equal (transport, "smtp"))
    {
      rs_cli_fail (_("signin: --transport is “graph” or “smtp”, not “%s”"), transport);
      return 2;
    }
  if (device_code && !rs_oauth_provider_supports_device_code (provider))
    {
      rs_cli_fail (_("signin: Google does not give access to mail through a device code; sign in "
                     "in the browser instead (without --device-code)"));
      return 2;
    }

  rs_oauth_provider_set_client_id (provider, client_id);
  rs_oauth_provider_set_client_secret (provider, client_secret);
  rs_oauth_provider_set_tenant (provider, tenant);
  rs_oauth_provider_set_authority (provider, authority);
  rs_oauth_provider_set_token_url (provider, token_url);
  rs_oauth_provider_set_device_code_url (provider, device_code_url);
  rs_oauth_provider_set_ca_file (provider, cafile);
  rs_oauth_provider_set_route (provider, g_strcmp0 (transport, "smtp") == 0
                                         ? RS_OAUTH_ROUTE_SMTP : RS_OAUTH_ROUTE_GRAPH);
  oauth = rs_oauth_new (provider);

  if (device_code)
    rs_oauth_sign_in_device_async (oauth, show_device_code, NULL, cancellable,
                                   signin_device_cb, &wait);
  else
    rs_oauth_sign_in_browser_async (oauth, open_sign_in_page,
                                    (gpointer) rs_oauth_provider_get_display_name (provider),
                                    cancellable, signin_browser_cb, &wait);
  rs_cli_run_until_quit (loop, stop_signin_cb, cancellable);

  if (!wait.ok)
    {
      g_autoptr(GError) error = wait.error;

      /* Stopped anywhere on the way (also while talking to the provider) */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return rs_cli_fail ("signin: %s", _("The sign-in was cancelled."));
      return rs_cli_fail ("signin: %s", error->message);
    }

  if (wait.account != NULL)
    printf ("%s\n", wait.account);
  else
    /* Translators: the provider */
    fprintf (stderr, _("Signed in to %s; it did not say which address.\n"),
             rs_oauth_provider_get_display_name (provider));
  g_free (wait.account);

  return 0;
}

int
rs_cli_cmd_signout (GStrv *args)
{
  g_autofree char *provider_name = NULL;
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_name,
      N_("The provider to forget the sign-in to: microsoft or google"), N_("PROVIDER") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
                                _("Forget the sign-in to Microsoft 365 or Google: its refresh "
                                  "token is removed from the keyring."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if (!(provider = provider_from_option ("signout", provider_name)))
    return 2;

  oauth = rs_oauth_new (provider);
  if (!rs_oauth_sign_out (oauth, NULL, &error))
    return rs_cli_fail ("signout: %s", error->message);

  /* Translators: the provider */
  printf (_("Signed out of %s.\n"), rs_oauth_provider_get_display_name (provider));

  return 0;
}
