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

/* The send command. */

static void
send_progress_cb (const RsSendSummary *so_far,
                  const RsSendItem    *current,
                  const RsSendResult  *result,
                  gpointer             user_data)
{
  guint done = so_far->total - so_far->remaining + 1;

  if (result == NULL)
    return;
  if (!result->will_retry)
    done--;

  if (result->will_retry && so_far->wait_s > 0)
    {
      /* Translators: progress, id, person, e-mail address, seconds, the server's reply */
      printf (_("[%u/%u] %lld %s <%s>: Server asked to wait; trying again in %u s: %s\n"),
              done, so_far->total, (long long) result->id, result->person, result->email,
              so_far->wait_s, result->error);
      fflush (stdout);
      return;
    }

  switch (result->outcome)
    {
    case RS_SEND_OUTCOME_SENT:
      if (so_far->mode == RS_SEND_MODE_TEST)
        /* Translators: progress, id, person, e-mail address, test address */
        printf (_("[%u/%u] %lld %s <%s>: test message sent to %s\n"), done, so_far->total,
                (long long) result->id, result->person, result->email, result->sent_to);
      else
        printf (_("[%u/%u] %lld %s <%s>: sent\n"), done, so_far->total,
                (long long) result->id, result->person, result->email);
      break;
    case RS_SEND_OUTCOME_FAILED:
      printf (_("[%u/%u] %lld %s <%s>: failed: %s\n"), done, so_far->total,
              (long long) result->id, result->person, result->email, result->error);
      break;
    case RS_SEND_OUTCOME_DEFERRED:
      if (result->will_retry)
        printf (_("[%u/%u] %lld %s <%s>: not accepted yet, will try again: %s\n"), done,
                so_far->total, (long long) result->id, result->person, result->email,
                result->error);
      else
        printf (_("[%u/%u] %lld %s <%s>: not sent yet, try again later: %s\n"), done,
                so_far->total, (long long) result->id, result->person, result->email,
                result->error);
      break;
    case RS_SEND_OUTCOME_UNKNOWN:
      printf (_("[%u/%u] %lld %s <%s>: unknown, check your Sent folder: %s\n"), done,
              so_far->total, (long long) result->id, result->person, result->email,
              result->error);
      break;
    case RS_SEND_OUTCOME_SKIPPED:
    default:
      printf (_("[%u/%u] %lld %s <%s>: skipped: %s\n"), done, so_far->total,
              (long long) result->id, result->person, result->email,
              result->error != NULL ? result->error : "");
      break;
    }
  fflush (stdout);
}

typedef struct
{
  GMainLoop *loop;
  RsSendSummary *summary;
  GError *error;
} SendWait;

static void
send_finished_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SendWait *wait = user_data;

  wait->summary = rs_send_job_run_finish (RS_STORE (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
stop_sending_cb (gpointer user_data)
{
  fprintf (stderr, "%s\n", _("Stopping after the message being sent…"));
  g_cancellable_cancel (user_data);

  return G_SOURCE_CONTINUE;
}

/* Whether @url could carry a user name or password. An SMTP URL has no use
 * for an @ anywhere (a path names at most the EHLO domain), so any @ is
 * refused: a password with a / ? or #, or a mistyped "smtp:/", never gets
 * past this to be echoed in an error message. */
static gboolean
url_has_user_info (const char *url)
{
  return strchr (url, '@') != NULL;
}

/* The placeholders of the send's texts that the template does not know, or
 * %NULL; a text that is not set is the default text, which has none. */
static char *
find_unknown_placeholders (const RsSendOptions *options)
{
  const char *texts[] = {
    options->subject_en, options->body_en, options->subject_nl, options->body_nl,
  };

  return rs_template_list_unknown (texts, G_N_ELEMENTS (texts));
}

/* Before a live send: who gets a second report at an address that has one,
 * as a person allowed, and who does not. */
static void
print_second_reports (RsStore             *store,
                      const RsSendOptions *options)
{
  g_autoptr(RsSendPlan) plan = rs_send_job_plan (store, options, NULL);

  if (plan == NULL)
    return;

  for (guint i = 0; i < plan->to_send->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->to_send, i);

      if (item->second_of != NULL)
        /* Translators: id, person, e-mail address, who has a report there already */
        printf (_("second report %lld %s <%s>: allowed, although %s has one at this "
                  "address\n"), (long long) item->id, item->person, item->email,
                item->second_of);
    }
  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);

      if (item->skip == RS_SEND_SKIP_SECOND_REPORT)
        /* Translators: id, person, e-mail address, who has a report there already */
        printf (_("second report %lld %s <%s>: not sent, %s has one at this address; "
                  "--allow-second-report=%lld sends it\n"), (long long) item->id,
                item->person, item->email, item->second_of, (long long) item->id);
    }
  fflush (stdout);
}

/* An access token or a refresh token: wiped from memory when freed. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

typedef char WipedSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WipedSecret, wipe_free)

/* The signed-in address when the sign-in did not say it: Graph's /me. */
static char *
graph_account (RsMailSettings *mail,
               const char     *access_token)
{
  RsSendOptions options;
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  char *account;

  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_TEST, &options);
  options.graph.access_token = access_token;
  graph = rs_graph_new (&options.graph, &error);
  if (graph == NULL)
    return NULL;
  account = rs_graph_get_me (graph, NULL, &error);
  if (account == NULL)
    g_debug ("Could not read the signed-in address: %s", error->message);

  return account;
}

/* The options of send, as the command line gives them. */
typedef struct
{
  char *test_address;
  gboolean live;
  GStrv id_texts;
  gboolean retry_failed;
  char *smtp_url;
  char *starttls;
  char *smtp_user;
  char *from;
  char *from_name;
  char *cafile;
  int rate;
  GStrv second_texts;
  gboolean keep_copy;
  char *auth;
  char *provider_name;
  char *client_id;
  char *client_secret;
  char *tenant;
  char *transport;
  char *authority;
  char *token_url;
  char *device_code_url;
  char *graph_url;
} SendArgs;

static void
send_args_clear (SendArgs *a)
{
  g_free (a->test_address);
  g_strfreev (a->id_texts);
  g_free (a->smtp_url);
  g_free (a->starttls);
  g_free (a->smtp_user);
  g_free (a->from);
  g_free (a->from_name);
  g_free (a->cafile);
  g_strfreev (a->second_texts);
  g_free (a->auth);
  g_free (a->provider_name);
  g_free (a->client_id);
  g_free (a->client_secret);
  g_free (a->tenant);
  g_free (a->transport);
  g_free (a->authority);
  g_free (a->token_url);
  g_free (a->device_code_url);
  g_free (a->graph_url);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SendArgs, send_args_clear)

static gboolean
send_parse_options (SendArgs *a,
                    GStrv    *args)
{
  const GOptionEntry entries[] = {
    { "test-address", 0, 0, G_OPTION_ARG_STRING, &a->test_address,
      N_("Send test messages, all to this address; no status changes"), N_("ADDR") },
    { "live", 0, 0, G_OPTION_ARG_NONE, &a->live,
      N_("Send the real messages to the respondents"), NULL },
    { "id", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->id_texts,
      N_("Only this respondent; may be given more than once"), N_("ID") },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &a->retry_failed,
      N_("Also send to those for whom sending failed before"), NULL },
    { "smtp-url", 0, 0, G_OPTION_ARG_STRING, &a->smtp_url,
      N_("The mail server: smtp://HOST:PORT or smtps://HOST:PORT"), N_("URL") },
    { "starttls", 0, 0, G_OPTION_ARG_STRING, &a->starttls,
      N_("Whether smtp:// must be encrypted with STARTTLS: required (the default) or off "
         "(only to this computer)"), N_("required|off") },
    { "smtp-user", 0, 0, G_OPTION_ARG_STRING, &a->smtp_user,
      N_("The user name on the mail server; the password is taken from "
         "$RESILIENCESCAN_SMTP_PASSWORD"), N_("USER") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &a->from,
      N_("The sender address"), N_("ADDR") },
    { "from-name", 0, 0, G_OPTION_ARG_STRING, &a->from_name,
      N_("The sender name"), N_("NAME") },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &a->cafile,
      N_("Trust the certificates in this PEM file for the mail server, and with "
         "--auth=oauth2 for the sign-in server and Microsoft Graph too"), N_("PEM") },
    { "rate", 0, 0, G_OPTION_ARG_INT, &a->rate,
      N_("At most this many messages a minute; 0 for no limit"), N_("MESSAGES_PER_MINUTE") },
    { "allow-second-report", 0, 0, G_OPTION_ARG_STRING_ARRAY, &a->second_texts,
      N_("Send this respondent a report although their address already has one in this "
         "round; may be given more than once"), N_("ID") },
    { "keep-copy", 0, 0, G_OPTION_ARG_NONE, &a->keep_copy,
      N_("Over SMTP, send every message to the sender address too (envelope only), for a "
         "copy in the sender's mailbox"), NULL },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &a->auth,
      N_("How to sign in: password (the default) or oauth2 (Microsoft 365 or Google, signed "
         "in with “signin”; the refresh token may be given in "
         "$RESILIENCESCAN_OAUTH_REFRESH_TOKEN)"), N_("password|oauth2") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &a->provider_name,
      N_("With --auth=oauth2: who keeps the mailbox, microsoft (Microsoft 365) or google"),
      N_("PROVIDER") },
    RS_CLI_CLIENT_ENTRIES (&a->client_id, &a->client_secret, &a->tenant),
    { "transport", 0, 0, G_OPTION_ARG_STRING, &a->transport,
      N_("Microsoft 365: send through Microsoft Graph (the default) or over SMTP "
         "(smtp://smtp.office365.com:587 unless --smtp-url is given); Google sends over SMTP "
         "(smtp://smtp.gmail.com:587)"), N_("graph|smtp") },
    RS_CLI_ADDRESS_ENTRIES (&a->authority, &a->token_url, &a->device_code_url),
    { "graph-url", 0, 0, G_OPTION_ARG_STRING, &a->graph_url,
      N_("Use this Microsoft Graph server instead of https://graph.microsoft.com"),
      N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context,
                                _("E-mail every respondent whose report is ready and who has "
                                  "not been sent to, or only some. With --test-address all "
                                  "messages go to that address instead and no status "
                                  "changes."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when everyone chosen was sent or skipped "
                                      "by a rule (already sent, no report, …); 3 when some "
                                      "failed, are unknown or wait to be tried again later; "
                                      "1 when sending stopped (sign-in, the account or the "
                                      "sender refused, the connection, Ctrl+C); 2 when the "
                                      "command line or the settings are not right."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  return rs_cli_parse_options (context, args, FALSE);
}

/* What the options say by themselves, before the settings are read:
 * 0, or 2 after saying what is wrong. */
static int
send_check_options (const SendArgs *a,
                    GArray         *ids,
                    GArray         *second_ids)
{
  const char *not_id;

  if ((a->test_address != NULL) == a->live)
    {
      rs_cli_fail (_("send: say either --test-address=ADDR to send test messages or --live to send "
                     "the real ones"));
      return 2;
    }

  if ((not_id = rs_cli_parse_ids (a->id_texts, ids)) != NULL ||
      (not_id = rs_cli_parse_ids (a->second_texts, second_ids)) != NULL)
    {
      rs_cli_fail (_("send: “%s” is not a respondent id"), not_id);
      return 2;
    }

  if (second_ids->len > 0 && !a->live)
    {
      rs_cli_fail (_("send: --allow-second-report is for a live send"));
      return 2;
    }

  /* A password in the URL would be in the shell's history and in every
   * list of processes; it is not repeated here either. */
  if (a->smtp_url != NULL && url_has_user_info (a->smtp_url))
    {
      rs_cli_fail (_("send: --smtp-url must not contain a user name or password; give the user "
                     "with --smtp-user=USER and the password in $RESILIENCESCAN_SMTP_PASSWORD"));
      return 2;
    }

  if (a->starttls != NULL && g_strcmp0 (a->starttls, "required") != 0 &&
      g_strcmp0 (a->starttls, "off") != 0)
    {
      rs_cli_fail (_("send: --starttls is “required” or “off”, not “%s”"), a->starttls);
      return 2;
    }

  if (a->rate < -1)
    {
      rs_cli_fail (_("send: --rate is a number of messages a minute, 0 or more"));
      return 2;
    }

  if (a->auth != NULL && !g_str_equal (a->auth, "password") && !g_str_equal (a->auth, "oauth2"))
    {
      rs_cli_fail (_("send: --auth is “password” or “oauth2”, not “%s”"), a->auth);
      return 2;
    }
  if (g_strcmp0 (a->auth, "oauth2") != 0
      && (a->provider_name != NULL || a->client_id != NULL || a->client_secret != NULL
          || a->tenant != NULL || a->transport != NULL || a->authority != NULL
          || a->token_url != NULL || a->device_code_url != NULL || a->graph_url != NULL))
    {
      rs_cli_fail (_("send: --provider, --client-id, --client-secret, --tenant, --transport and the "
                     "provider's addresses are for signing in with --auth=oauth2"));
      return 2;
    }
  if (a->transport != NULL && !g_str_equal (a->transport, "graph")
      && !g_str_equal (a->transport, "smtp"))
    {
      rs_cli_fail (_("send: --transport is “graph” or “smtp”, not “%s”"), a->transport);
      return 2;
    }

  return 0;
}

/* The saved preferences with what the options give instead. */
static RsMailSettings *
send_mail_settings (const SendArgs *a)
{
  g_autoptr(GSettings) settings = rs_cli_open_saved_settings ();
  RsMailSettings *mail;

  /* What is not given falls back to the saved preferences. */
  mail = settings != NULL ? rs_mail_settings_new_from_gsettings (settings)
                          : rs_mail_settings_new ();
  if (a->smtp_url != NULL)
    rs_mail_settings_set_url (mail, a->smtp_url);
  if (a->starttls != NULL)
    rs_mail_settings_set_security (mail, g_str_equal (a->starttls, "off")
                                         ? RS_MAIL_SECURITY_NONE : RS_MAIL_SECURITY_STARTTLS);
  if (a->smtp_user != NULL)
    rs_mail_settings_set_user (mail, a->smtp_user);
  if (a->from != NULL)
    rs_mail_settings_set_from_address (mail, a->from);
  if (a->from_name != NULL)
    rs_mail_settings_set_from_name (mail, a->from_name);
  if (a->cafile != NULL)
    rs_mail_settings_set_ca_file (mail, a->cafile);
  if (a->rate >= 0)
    rs_mail_settings_set_rate_limit (mail, (guint) a->rate);
  if (a->test_address != NULL)
    rs_mail_settings_set_test_address (mail, a->test_address);
  if (a->keep_copy)
    rs_mail_settings_set_keep_copy (mail, TRUE);

  return mail;
}

/* How to sign in to the mail server: 0, or 2 after saying what is wrong. */
static int
send_apply_auth (const SendArgs *a,
                 RsMailSettings *mail)
{
  RsOAuthProviderKind kind;
  RsMailAuth saved;

  /* Without --auth, a password as always, whatever Preferences say. */
  if (a->auth == NULL || g_str_equal (a->auth, "password"))
    {
      rs_mail_settings_set_auth (mail, RS_MAIL_AUTH_PASSWORD);
      return 0;
    }

  saved = rs_mail_settings_get_auth (mail);
  if (a->provider_name != NULL)
    {
      if (!rs_oauth_provider_kind_from_name (a->provider_name, &kind))
        {
          rs_cli_fail (_("%s: --provider is “microsoft” or “google”, not “%s”"), "send",
                       a->provider_name);
          return 2;
        }
      rs_mail_settings_set_auth (mail, kind == RS_OAUTH_PROVIDER_MICROSOFT
                                       ? RS_MAIL_AUTH_MICROSOFT : RS_MAIL_AUTH_GOOGLE);
    }
  else if (saved == RS_MAIL_AUTH_PASSWORD)
    {
      rs_cli_fail (_("%s: say which provider with --provider=microsoft or --provider=google"),
                   "send");
      return 2;
    }

  if (a->transport != NULL && g_str_equal (a->transport, "graph")
      && rs_mail_settings_get_auth (mail) == RS_MAIL_AUTH_GOOGLE)
    {
      rs_cli_fail (_("send: Microsoft Graph is for Microsoft 365; Google sends over SMTP "
                     "(without --transport)"));
      return 2;
    }
  if (a->smtp_user != NULL)
    {
      rs_cli_fail (_("send: --smtp-user is for a password; with --auth=oauth2 the signed-in "
                     "account signs in"));
      return 2;
    }
  if (a->transport != NULL)
    rs_mail_settings_set_transport (mail, g_str_equal (a->transport, "smtp")
                                          ? RS_SEND_TRANSPORT_SMTP
                                          : RS_SEND_TRANSPORT_GRAPH);
  if (a->client_id != NULL)
    rs_mail_settings_set_oauth_client_id (mail, a->client_id);
  if (a->client_secret != NULL)
    rs_mail_settings_set_oauth_client_secret (mail, a->client_secret);
  if (a->tenant != NULL)
    rs_mail_settings_set_oauth_tenant (mail, a->tenant);
  rs_mail_settings_set_oauth_authority (mail, a->authority);
  rs_mail_settings_set_oauth_token_url (mail, a->token_url);
  rs_mail_settings_set_oauth_device_code_url (mail, a->device_code_url);
  rs_mail_settings_set_graph_url (mail, a->graph_url);

  if (rs_mail_settings_get_oauth_client_id (mail) == NULL)
    {
      rs_cli_fail (_("send: give the client ID of the app's registration with --client-id=ID"));
      return 2;
    }

  return 0;
}

/* The mail settings complete for @mode: 0, or 2 after saying what is wrong. */
static int
send_check_settings (RsMailSettings *mail,
                     RsSendMode      mode)
{
  g_autoptr(GError) error = NULL;

  if (rs_mail_settings_get_url (mail) == NULL)
    {
      rs_cli_fail (_("send: say which mail server to use with --smtp-url=smtps://HOST:PORT"));
      return 2;
    }

  if (rs_mail_settings_get_auth (mail) == RS_MAIL_AUTH_PASSWORD
      && rs_mail_settings_get_from_address (mail) == NULL)
    {
      rs_cli_fail (_("send: say which sender address to use with --from=ADDR"));
      return 2;
    }

  if (!rs_mail_settings_validate (mail, mode, &error))
    {
      rs_cli_fail ("send: %s", error->message);
      return 2;
    }

  return 0;
}

/* Signs in with the saved sign-in and takes the signed-in address for the
 * sender: 0, or the exit status after saying what is wrong. @oauth_out and
 * @access_token_out are the caller's to free, whatever the outcome. */
static int
send_sign_in (RsMailSettings *mail,
              RsSendMode      mode,
              RsOAuth       **oauth_out,
              char          **access_token_out)
{
  g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (mail);
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  const char *access_token;

  /* The first access token now: a sign-in that is no longer accepted
   * stops here, before anyone is touched. */
  *oauth_out = rs_oauth_new (provider);
  access_token = *access_token_out = rs_oauth_get_access_token (*oauth_out, NULL, &error);
  if (access_token == NULL)
    return rs_cli_fail ("send: %s", error->message);

  account = rs_oauth_dup_account (*oauth_out);
  /* Through Graph, without a From address of one's own: the mailbox's
   * address as Graph knows it, which may differ from the sign-in name
   * (the UPN) and is the one Graph sends as. */
  if (rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_GRAPH
      && rs_mail_settings_get_from_address (mail) == NULL)
    {
      char *mailbox = graph_account (mail, access_token);

      if (mailbox != NULL)
        {
          g_free (account);
          account = mailbox;
        }
    }
  if (account != NULL)
    rs_mail_settings_set_oauth_account (mail, account);

  if (rs_mail_settings_get_sender (mail) == NULL)
    {
      rs_cli_fail (_("send: %s did not say which address is signed in; give the sender address "
                     "with --from=ADDR"), rs_oauth_provider_get_display_name (provider));
      return 2;
    }
  if (rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_SMTP
      && rs_mail_settings_get_oauth_account (mail) == NULL)
    {
      rs_cli_fail (_("send: %s did not say which address is signed in, which SMTP needs to sign "
                     "in; sign in again with “resiliencescan signin”"),
                   rs_oauth_provider_get_display_name (provider));
      return 1;
    }
  if (!rs_mail_settings_validate (mail, mode, &error))
    {
      rs_cli_fail ("send: %s", error->message);
      return 2;
    }

  return 0;
}

/* The sign-in that goes with the messages: 0, or 2 after saying what is
 * wrong. */
static int
send_set_credentials (RsSendOptions *options,
                      RsOAuth       *oauth,
                      const char    *access_token,
                      const char    *password)
{
  if (oauth != NULL)
    {
      options->mailer.access_token = access_token;
      options->graph.access_token = access_token;
      options->refresh_token = rs_oauth_renew_access_token_cb;
      options->current_token = rs_oauth_get_access_token_cb;
      options->refresh_data = oauth;
    }
  else if (password != NULL && *password != '\0')
    {
      options->mailer.password = password;
    }
  else if (options->mailer.user != NULL)
    {
      /* Sending without the sign-in that was asked for would go out
       * unauthenticated, or be refused late, one respondent at a time. */
      rs_cli_fail (_("send: the user name “%s” is set, but there is no password: put it in "
                     "$RESILIENCESCAN_SMTP_PASSWORD, or keep it in the keyring from Preferences"),
                   options->mailer.user);
      return 2;
    }

  return 0;
}

/* An id that is no one is a mistake on the command line: nothing goes
 * out, as "mark" does. 0, or the exit status after saying so. */
static int
send_check_ids_exist (RsStore             *store,
                      const RsSendOptions *options)
{
  g_autoptr(GError) error = NULL;
  RsSendPlan *plan = rs_send_job_plan (store, options, &error);
  gint64 missing = -1;

  if (plan == NULL)
    return rs_cli_fail ("send: %s", error->message);
  for (guint i = 0; i < plan->skipped->len && missing < 0; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);

      if (item->skip == RS_SEND_SKIP_NOT_FOUND)
        missing = item->id;
    }
  rs_send_plan_free (plan);
  if (missing >= 0)
    {
      rs_cli_fail (_("send: there is no respondent with id %lld; nothing was sent"),
                   (long long) missing);
      return 2;
    }

  return 0;
}

/* Sends, or returns %NULL after saying why sending stopped. */
static RsSendSummary *
send_run (RsStore             *store,
          const RsSendOptions *options)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  SendWait wait = { loop, NULL, NULL };

  /* Ctrl+C and SIGTERM stop after the message in flight, cleanly, instead
   * of leaving it to be found `unknown` at the next start. */
  rs_send_job_run_async (store, options, send_progress_cb, NULL, cancellable,
                         send_finished_cb, &wait);
  rs_cli_run_until_quit (loop, stop_sending_cb, cancellable);

  if (wait.summary != NULL)
    return wait.summary;

  error = wait.error;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    rs_cli_fail (_("send: stopped before the end; whoever was not sent to yet is still "
                   "pending"));
  else
    rs_cli_fail ("send: %s", error->message);

  return NULL;
}

static void
print_skipped (const RsSendSummary *summary,
               gboolean             chosen)
{
  for (guint i = 0; i < summary->plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (summary->plan->skipped, i);

      /* Everyone sent before would drown out the ones that need a look. */
      if (item->skip == RS_SEND_SKIP_SENT && !chosen)
        continue;
      if (item->person != NULL)
        /* Translators: id, person, e-mail address, why */
        printf (_("skipped %lld %s <%s>: %s\n"), (long long) item->id, item->person,
                item->email, item->reason);
      else
        printf (_("skipped %lld: %s\n"), (long long) item->id, item->reason);
    }
}

int
rs_cli_cmd_send (GStrv *args)
{
  g_auto(SendArgs) a = { .rate = -1 };
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(WipedSecret) access_token = NULL;
  g_autoptr(RsMailSettings) mail = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) second_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *counts = NULL;
  const char *password = g_getenv ("RESILIENCESCAN_SMTP_PASSWORD");
  g_autoptr(RsSecretPassword) keyring_password = NULL;
  RsSendOptions options = { 0 };
  RsSendMode mode;
  int status;

  if (!send_parse_options (&a, args))
    return 2;
  if ((status = send_check_options (&a, ids, second_ids)) != 0)
    return status;

  mail = send_mail_settings (&a);
  if ((status = send_apply_auth (&a, mail)) != 0)
    return status;
  mode = a.live ? RS_SEND_MODE_LIVE : RS_SEND_MODE_TEST;
  if ((status = send_check_settings (mail, mode)) != 0)
    return status;

  if (rs_mail_settings_get_auth (mail) != RS_MAIL_AUTH_PASSWORD)
    {
      if ((status = send_sign_in (mail, mode, &oauth, &access_token)) != 0)
        return status;
      /* No password of any kind goes with a token. */
      password = NULL;
    }
  else if (password != NULL && *password != '\0' && rs_mail_settings_get_user (mail) == NULL)
    {
      rs_cli_fail (_("send: $RESILIENCESCAN_SMTP_PASSWORD is set, so give the user name with "
                     "--smtp-user=USER"));
      return 2;
    }

  /* Without the variable, the keyring: where the window keeps it. */
  if (oauth == NULL && (password == NULL || *password == '\0'))
    {
      keyring_password = rs_mail_settings_lookup_password (mail, NULL, NULL);
      password = keyring_password;
    }

  rs_mail_settings_fill_send_options (mail, mode, &options);

  if (a.live)
    {
      g_autofree char *unknown = find_unknown_placeholders (&options);

      if (unknown != NULL)
        {
          rs_cli_fail (_("send: the e-mail template has placeholders that are not known: %s. "
                         "Correct them under E-mail Template… before sending."), unknown);
          return 2;
        }
    }

  options.retry_failed = a.retry_failed;
  options.ids = (const gint64 *) ids->data;
  options.n_ids = ids->len;
  if ((status = send_set_credentials (&options, oauth, access_token, password)) != 0)
    return status;

  if (!(store = rs_cli_open_store ()))
    return 1;

  if (!rs_send_job_recover (store, &error))
    return rs_cli_fail ("send: %s", error->message);

  if (ids->len > 0 && (status = send_check_ids_exist (store, &options)) != 0)
    return status;

  if (second_ids->len > 0 &&
      !rs_send_job_allow_second (store, (const gint64 *) second_ids->data, second_ids->len,
                                 TRUE, &error))
    return rs_cli_fail ("send: %s", error->message);

  if (a.live)
    print_second_reports (store, &options);

  if (!(summary = send_run (store, &options)))
    return 1;

  print_skipped (summary, ids->len > 0);
  counts = rs_send_summary_describe (summary);
  printf ("%s\n", counts);

  if (summary->cancelled)
    rs_cli_fail (_("send: stopped before the end; whoever was not sent to yet is still "
                   "pending"));

  return rs_send_summary_exit_status (summary);
}
