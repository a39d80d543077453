/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-send"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-graph.h"
#include "core/rs-oauth.h"
#include "core/rs-secret.h"
#include "core/rs-send-job.h"
#include "core/rs-mail-settings.h"
#include "rs-window-private.h"
#include "core/rs-template.h"

/* Sending: the settings become a plan in a worker (who is sent, who is
 * skipped and why, and the password from the keyring); a summary of fixed
 * size asks for confirmation; then the send job runs with progress and Stop. */

typedef enum
{
  SEND_TEST,       /* a sample: the selected, or one respondent, to the test address */
  SEND_SELECTED,   /* the selected respondents, for real */
  SEND_EVERYONE,   /* everyone pending, for real */
  SEND_RETRY,      /* everyone whose sending failed, for real */
} SendScope;

typedef struct
{
  SendScope scope;
  RsSendMode mode;
  GArray *ids;
  RsMailSettings *mail;
  /* From the keyring (freed with rs_secret_free_password()) or typed */
  char *password;
  gboolean password_from_keyring;
  /* With Microsoft 365 or Google instead of a password; the token is wiped
   * when freed */
  RsOAuth *oauth;
  char *access_token;
  RsSendOptions options;
  RsSendPlan *plan;
  /* Those a person allowed a second report at the confirmation */
  GArray *allow_second_ids;
} SendSetup;

static void
clear_password (SendSetup *setup)
{
  if (setup->password == NULL)
    return;

  if (setup->password_from_keyring)
    {
      rs_secret_free_password (g_steal_pointer (&setup->password));
    }
  else
    {
      memset (setup->password, 0, strlen (setup->password));
      g_clear_pointer (&setup->password, g_free);
    }
  setup->password_from_keyring = FALSE;
}

static void
send_setup_free (gpointer data)
{
  SendSetup *setup = data;

  clear_password (setup);
  if (setup->access_token != NULL)
    memset (setup->access_token, 0, strlen (setup->access_token));
  g_clear_pointer (&setup->access_token, g_free);
  g_clear_object (&setup->oauth);
  g_clear_pointer (&setup->ids, g_array_unref);
  g_clear_pointer (&setup->allow_second_ids, g_array_unref);
  g_clear_pointer (&setup->plan, rs_send_plan_free);
  g_clear_object (&setup->mail);
  g_free (setup);
}

static SendSetup *
send_setup_new (RsWindow  *self,
                SendScope  scope,
                GArray    *ids)
{
  SendSetup *setup = g_new0 (SendSetup, 1);

  setup->scope = scope;
  setup->mode = scope == SEND_TEST ? RS_SEND_MODE_TEST : RS_SEND_MODE_LIVE;
  setup->ids = ids ? g_array_ref (ids) : g_array_new (FALSE, FALSE, sizeof (gint64));
  setup->mail = rs_mail_settings_new_from_gsettings (self->settings);
  rs_mail_settings_fill_send_options (setup->mail, setup->mode, &setup->options);
  setup->options.retry_failed = scope == SEND_RETRY;
  if (rs_mail_settings_get_auth (setup->mail) != RS_MAIL_AUTH_PASSWORD)
    {
      g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (setup->mail);

      setup->oauth = rs_oauth_new (provider);
    }

  return setup;
}

/* In the worker: the first access token, so that a sign-in no longer
 * accepted stops before anyone is touched, and the signed-in address as
 * the sender unless a From address is set. */
static gboolean
sign_in_for_send (SendSetup     *setup,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *account = NULL;
  const char *provider = rs_oauth_provider_get_display_name (rs_oauth_get_provider (setup->oauth));
  gboolean retry_failed = setup->options.retry_failed;

  setup->access_token = rs_oauth_get_access_token (setup->oauth, cancellable, error);
  if (setup->access_token == NULL)
    return FALSE;

  account = rs_oauth_dup_account (setup->oauth);
  /* Through Graph, without a From address of one's own: the mailbox's
   * address as Graph knows it, which may differ from the sign-in name (the
   * UPN) and is the one Graph sends as. */
  if (rs_mail_settings_get_transport (setup->mail) == RS_SEND_TRANSPORT_GRAPH
      && rs_mail_settings_get_from_address (setup->mail) == NULL)
    {
      RsSendOptions options;
      g_autoptr(RsGraph) graph = NULL;
      char *mailbox = NULL;

      rs_mail_settings_fill_send_options (setup->mail, setup->mode, &options);
      options.graph.access_token = setup->access_token;
      graph = rs_graph_new (&options.graph, NULL);
      if (graph != NULL)
        mailbox = rs_graph_get_me (graph, cancellable, NULL);
      if (mailbox != NULL)
        {
          g_free (account);
          account = mailbox;
        }
    }
  if (account != NULL)
    rs_mail_settings_set_oauth_account (setup->mail, account);

  if (rs_mail_settings_get_sender (setup->mail) == NULL
      || (rs_mail_settings_get_transport (setup->mail) == RS_SEND_TRANSPORT_SMTP
          && rs_mail_settings_get_oauth_account (setup->mail) == NULL))
    {
      /* Translators: %s is Microsoft 365 or Google */
      g_set_error (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN,
                   _("%s did not say which address is signed in. Sign in again in "
                     "Preferences → E-mail."), provider);
      return FALSE;
    }

  rs_mail_settings_fill_send_options (setup->mail, setup->mode, &setup->options);
  setup->options.retry_failed = retry_failed;

  return TRUE;
}

static void
set_ids (SendSetup *setup,
         GArray    *ids)
{
  g_clear_pointer (&setup->ids, g_array_unref);
  setup->ids = ids;
  setup->options.ids = (const gint64 *) setup->ids->data;
  setup->options.n_ids = setup->ids->len;
}

static gpointer
plan_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  SendSetup *setup = data;

  if (setup->oauth != NULL && !sign_in_for_send (setup, cancellable, error))
    return NULL;

  setup->options.ids = (const gint64 *) setup->ids->data;
  setup->options.n_ids = setup->ids->len;
  setup->plan = rs_send_job_plan (store, &setup->options, error);
  if (setup->plan == NULL)
    return NULL;

  /* A sample without a selection is one message, not the whole round: the
   * first who would be sent, or else the first who was (a test message
   * changes no status). */
  if (setup->scope == SEND_TEST && setup->ids->len == 0)
    {
      RsSendItem *sample = NULL;

      if (setup->plan->to_send->len > 0)
        sample = g_ptr_array_index (setup->plan->to_send, 0);
      for (guint i = 0; sample == NULL && i < setup->plan->skipped->len; i++)
        {
          RsSendItem *item = g_ptr_array_index (setup->plan->skipped, i);

          if (item->skip == RS_SEND_SKIP_SENT || item->skip == RS_SEND_SKIP_FAILED ||
              item->skip == RS_SEND_SKIP_UNKNOWN)
            sample = item;
        }

      if (sample != NULL)
        {
          GArray *one = g_array_new (FALSE, FALSE, sizeof (gint64));

          g_array_append_val (one, sample->id);
          set_ids (setup, one);
          g_clear_pointer (&setup->plan, rs_send_plan_free);
          setup->plan = rs_send_job_plan (store, &setup->options, error);
        }
    }
  /* A retry is for those who failed, not for those still pending. */
  else if (setup->scope == SEND_RETRY)
    {
      GArray *failed = g_array_new (FALSE, FALSE, sizeof (gint64));

      for (guint i = 0; i < setup->plan->to_send->len; i++)
        {
          RsSendItem *item = g_ptr_array_index (setup->plan->to_send, i);

          if (item->status == RS_STATUS_FAILED)
            g_array_append_val (failed, item->id);
        }
      set_ids (setup, failed);
      g_clear_pointer (&setup->plan, rs_send_plan_free);
      if (setup->ids->len > 0)
        setup->plan = rs_send_job_plan (store, &setup->options, error);
      else
        {
          setup->plan = g_new0 (RsSendPlan, 1);
          setup->plan->mode = setup->mode;
          setup->plan->to_send = g_ptr_array_new ();
          setup->plan->skipped = g_ptr_array_new ();
        }
    }
  if (setup->plan == NULL)
    return NULL;

  /* A keyring that cannot be reached leaves the password to be asked for. */
  setup->password = rs_mail_settings_lookup_password (setup->mail, cancellable, NULL);
  setup->password_from_keyring = setup->password != NULL;

  return GINT_TO_POINTER (TRUE);
}

static void
send_progress_cb (const RsSendSummary *so_far,
                  const RsSendItem    *current,
                  const RsSendResult  *result,
                  gpointer             user_data)
{
  guint done = so_far->sent + so_far->failed + so_far->deferred + so_far->unknown;
  guint total = so_far->plan ? so_far->plan->to_send->len : so_far->total;

  if (so_far->wait_s > 0 && (result == NULL || result->will_retry))
    {
      /* Translators: messages done, of how many, and the seconds of the wait */
      rs_job_progress_post (user_data, total ? (double) done / total : 1.0,
                            g_strdup_printf (_("%u of %u · Server asked to wait; trying "
                                               "again in %u s"), done, total,
                                             so_far->wait_s));
      return;
    }

  /* Translators: messages done, of how many, how many failed, and to whom */
  rs_job_progress_post (user_data, total ? (double) done / total : 1.0,
                        g_strdup_printf (_("%u of %u · %u failed · %s"), done, total,
                                         so_far->failed, current ? current->person : ""));
}

static void
sign_in_again_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           gpointer          user_data)
{
  RsWindow *self = user_data;

  if (g_str_equal (response, "sign-in"))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.sign-in", NULL);
}

/* The provider no longer takes the sign-in, or there is none: signing in
 * (in Preferences, which opens on it) is what helps. */
static gboolean
show_sign_in_again (RsWindow     *self,
                    const GError *error)
{
  GtkWidget *dialog;

  if (!g_error_matches (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_SIGN_IN_AGAIN)
      && !g_error_matches (error, RS_OAUTH_ERROR, RS_OAUTH_ERROR_NOT_SIGNED_IN))
    return FALSE;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Sign In Again"), error->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "sign-in", _("_Sign In"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-in",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "sign-in");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_in_again_response_cb), self,
                           0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
send_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  summary = rs_send_job_run_finish (RS_STORE (object), result, &error);
  rs_job_runner_finish (self->runner);
  rs_window_reload (self);
  rs_window_checkpoint (self);

  if (summary == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        rs_window_add_toast (self, adw_toast_new (_("Sending stopped before the first "
                                                    "message: nothing was sent")));
      else if (!show_sign_in_again (self, error))
        rs_window_show_message (self, _("Sending Stopped"), error->message);
      rs_window_job_finished (self);
      return;
    }

  counts = rs_send_summary_describe_short (summary);
  if (summary->cancelled)
    /* Translators: the counts follow */
    title = g_strdup_printf (_("Sending stopped. %s"), counts);
  toast = adw_toast_new (title ? title : counts);
  /* Long enough to read, but it does not hold back every toast after it;
   * the table keeps the result. */
  adw_toast_set_timeout (toast, 30);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  rs_window_add_toast (self, toast);
  rs_window_job_finished (self);
}

static void
start_sending (RsWindow  *self,
               SendSetup *setup)
{
  GCancellable *cancellable;
  RsJobProgress *progress;
  const char *title;

  if (setup->mode == RS_SEND_MODE_LIVE)
    title = _("Sending reports…");
  else
    title = _("Sending test messages…");

  cancellable = rs_job_runner_start (self->runner, RS_JOB_SEND, title, NULL);
  progress = rs_job_progress_ref (rs_job_runner_get_progress (self->runner));
  g_object_set_data_full (G_OBJECT (cancellable), "rs-progress", progress,
                          (GDestroyNotify) rs_job_progress_unref);

  setup->options.ids = (const gint64 *) setup->ids->data;
  setup->options.n_ids = setup->ids->len;
  setup->options.mailer.password = setup->password;
  if (setup->oauth != NULL)
    {
      /* No password of any kind goes with a token. */
      setup->options.mailer.password = NULL;
      setup->options.mailer.access_token = setup->access_token;
      setup->options.graph.access_token = setup->access_token;
      setup->options.refresh_token = rs_oauth_renew_access_token_cb;
      setup->options.current_token = rs_oauth_get_access_token_cb;
      setup->options.refresh_data = setup->oauth;
      /* The setup goes with the dialog; the job may renew the token until
       * it ends. */
      g_object_set_data_full (G_OBJECT (cancellable), "rs-oauth", g_object_ref (setup->oauth),
                              g_object_unref);
    }
  if (setup->allow_second_ids != NULL)
    {
      setup->options.allow_second_ids = (const gint64 *) setup->allow_second_ids->data;
      setup->options.n_allow_second_ids = setup->allow_second_ids->len;
    }
  /* The job copies the options, the password included. Closing the window
   * does not cancel it: the window asks first, and Stop Sending cancels. */
  rs_send_job_run_async (self->store, &setup->options, send_progress_cb, progress,
                         cancellable, send_done_cb, g_object_ref (self));
  rs_window_update_actions (self);
}

static GArray *allowed_second_ids (AdwMessageDialog *dialog);

static void
send_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  RsWindow *self = user_data;
  SendSetup *setup = g_object_get_data (G_OBJECT (dialog), "rs-send-setup");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "rs-password");

  /* GTK 4.8's password entry and text view fail when their window is
   * destroyed while they have the focus, as after Enter or Tab in them. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  if (password != NULL)
    {
      g_autofree char *typed = NULL;

      if (g_str_equal (response, "send"))
        typed = g_strdup (gtk_editable_get_text (password));
      gtk_editable_set_text (password, "");
      if (typed != NULL)
        {
          clear_password (setup);
          setup->password = g_steal_pointer (&typed);
        }
    }

  if (!g_str_equal (response, "send") || !rs_window_is_idle (self))
    return;

  setup->allow_second_ids = allowed_second_ids (dialog);
  start_sending (self, setup);
}

static const char *
describe_skip (RsSendSkip skip)
{
  switch (skip)
    {
    case RS_SEND_SKIP_NOT_FOUND:
      return _("no longer in the database");
    case RS_SEND_SKIP_SENDING:
      return _("being sent right now by another send");
    case RS_SEND_SKIP_UNKNOWN:
      return _("interrupted while sending: check your Sent folder, then mark them");
    case RS_SEND_SKIP_SENT:
      return _("already sent");
    case RS_SEND_SKIP_FAILED:
      return _("sending failed before: use Retry Failed");
    case RS_SEND_SKIP_PROBLEM:
      return _("data in the master file keeps them from being sent");
    case RS_SEND_SKIP_NO_ADDRESS:
      return _("no valid e-mail address");
    case RS_SEND_SKIP_NO_REPORT:
      return _("no report: make the reports first");
    case RS_SEND_SKIP_REPORT_OUTDATED:
      return _("the report is out of date: make the reports again");
    case RS_SEND_SKIP_CHANGED:
      return _("changed while sending was prepared");
    case RS_SEND_SKIP_SECOND_REPORT:
      return _("their address has a report of this round already");
    case RS_SEND_SKIP_NONE:
    default:
      return "";
    }
}

#define N_EXAMPLES 2
#define EXAMPLE_CHARS 40

/* A name, or else the address, cut short: the summary keeps its size. */
static void
append_example (GString          *examples,
                const RsSendItem *item)
{
  const char *name = item->person;

  if (name == NULL || name[0] == '\0')
    name = item->email;
  if (name == NULL || name[0] == '\0')
    return;

  if (examples->len > 0)
    g_string_append (examples, ", ");
  if (g_utf8_strlen (name, -1) > EXAMPLE_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (name, 0, EXAMPLE_CHARS - 1);

      g_string_append_printf (examples, "%s…", cut);
    }
  else
    {
      g_string_append (examples, name);
    }
}

/* One line a reason, with a few names: the summary keeps its size however
 * many are skipped. */
static char *
describe_skipped (RsSendPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (RsSendSkip skip = RS_SEND_SKIP_NOT_FOUND; skip <= RS_SEND_SKIP_SECOND_REPORT; skip++)
    {
      g_autoptr(GString) examples = g_string_new (NULL);
      guint count = 0;

      for (guint i = 0; i < plan->skipped->len; i++)
        {
          RsSendItem *item = g_ptr_array_index (plan->skipped, i);

          if (item->skip != skip)
            continue;
          if (count < N_EXAMPLES)
            append_example (examples, item);
          count++;
        }
      if (count == 0)
        continue;

      if (count > N_EXAMPLES && examples->len > 0)
        g_string_append (examples, ", …");
      if (examples->len > 0)
        /* Translators: how many were skipped, why, and some of their names */
        g_string_append_printf (text, _("\n• %u: %s (%s)"), count, describe_skip (skip),
                                examples->str);
      else
        /* Translators: how many were skipped, and why */
        g_string_append_printf (text, _("\n• %u: %s"), count, describe_skip (skip));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Every skipped respondent with the reason, a line each, for the list. */
static GtkStringList *
list_skipped (RsSendPlan *plan)
{
  GtkStringList *lines = gtk_string_list_new (NULL);

  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);
      g_autofree char *line = NULL;

      /* Translators: person, company, e-mail address and why they are skipped */
      line = g_strdup_printf (_("%s (%s) <%s>: %s"),
                              item->person ? item->person : "",
                              item->company ? item->company : "",
                              item->email ? item->email : "",
                              item->reason ? item->reason : describe_skip (item->skip));
      gtk_string_list_append (lines, line);
    }

  return lines;
}

static void
skipped_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_list_item_set_child (item, label);
}

static void
skipped_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item)
{
  GtkStringObject *line = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);

  gtk_label_set_label (GTK_LABEL (label), gtk_string_object_get_string (line));
  gtk_widget_set_tooltip_text (label, gtk_string_object_get_string (line));
}

static char *
describe_rate (guint rate,
               guint n)
{
  guint minutes;

  if (rate == 0)
    return g_strdup (_("No limit on messages a minute."));

  minutes = (n + rate - 1) / rate;
  /* Translators: the first %u is messages a minute, the second minutes */
  return g_strdup_printf (ngettext ("At most %u a minute: about %u minute.",
                                    "At most %u a minute: about %u minutes.", minutes),
                          rate, minutes);
}

/* All of them, however many: a list view makes rows only for what shows. */
static GtkWidget *
make_skipped_list (RsSendPlan *plan)
{
  g_autofree char *label = NULL;
  GtkListItemFactory *factory;
  GtkNoSelection *model;
  GtkWidget *box;
  GtkWidget *heading;
  GtkWidget *scrolled;
  GtkWidget *view;
  guint n = plan->skipped->len;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (skipped_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (skipped_bind_cb), NULL);
  model = gtk_no_selection_new (G_LIST_MODEL (list_skipped (plan)));
  view = gtk_list_view_new (GTK_SELECTION_MODEL (model), factory);
  gtk_widget_add_css_class (view, "navigation-sidebar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Skipped respondents"), -1);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (scrolled, -1, 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);

  label = g_strdup_printf (ngettext ("The %u Skipped Respondent",
                                     "All %u Skipped Respondents", n), n);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  heading = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), scrolled);

  return box;
}

/* Send is offered when the round goes to someone and, when the password
 * is asked for here, one was typed: an empty one would only be refused by
 * the server. */
static void
update_send_response (AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "rs-password");
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "rs-to-send"));

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      n++;

  adw_message_dialog_set_response_enabled (dialog, "send",
                                           n > 0 && (password == NULL ||
                                                     *gtk_editable_get_text (password) != '\0'));
}

static void
second_toggled_cb (GtkCheckButton   *check,
                   AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  guint n = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "rs-to-send"));
  g_autofree char *button = NULL;
  g_autofree char *heading = NULL;

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      n++;

  /* The heading counts those the round goes to, as the button does. */
  heading = g_strdup_printf (ngettext ("Send the Report to %u Respondent?",
                                       "Send the Reports to %u Respondents?", n), n);
  adw_message_dialog_set_heading (dialog, heading);
  button = g_strdup_printf (ngettext ("_Send to %u Respondent", "_Send to %u Respondents", n),
                            n);
  adw_message_dialog_set_response_label (dialog, "send", button);
  update_send_response (dialog);
}

/* Those whose address has a report of this round already: a line for each
 * allowed a second one before, and a check to allow it for each of the
 * others. NULL when there are none. */
static GtkWidget *
make_second_reports (RsSendPlan       *plan,
                     AdwMessageDialog *dialog,
                     guint             n_to_send)
{
  GPtrArray *checks = g_ptr_array_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading;
  GtkWidget *list;
  GtkWidget *scrolled;
  guint n = 0;

  list = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  for (guint i = 0; i < plan->to_send->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->to_send, i);
      g_autofree char *text = NULL;
      GtkWidget *label;

      if (item->second_of == NULL)
        continue;
      /* Translators: person, e-mail address, who has a report there already */
      text = g_strdup_printf (_("%s <%s>: a second report, as allowed (%s has one)"),
                              item->person, item->email, item->second_of);
      label = gtk_label_new (text);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (list), label);
      n++;
    }
  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);
      g_autofree char *text = NULL;
      GtkWidget *check;

      if (item->skip != RS_SEND_SKIP_SECOND_REPORT)
        continue;
      /* Translators: person, e-mail address, who has a report there already */
      text = g_strdup_printf (_("Send %s <%s> a second report (%s has one)"),
                              item->person, item->email, item->second_of);
      check = gtk_check_button_new_with_label (text);
      g_object_set_data_full (G_OBJECT (check), "rs-id", g_memdup2 (&item->id, sizeof item->id),
                              g_free);
      g_signal_connect_object (check, "toggled", G_CALLBACK (second_toggled_cb), dialog, 0);
      gtk_box_append (GTK_BOX (list), check);
      g_ptr_array_add (checks, check);
      n++;
    }

  g_object_set_data_full (G_OBJECT (dialog), "rs-second-checks", checks,
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (dialog), "rs-to-send", GUINT_TO_POINTER (n_to_send));
  if (n == 0)
    {
      g_object_unref (g_object_ref_sink (box));
      g_object_unref (g_object_ref_sink (list));
      return NULL;
    }

  heading = gtk_label_new (_("Their Address Has a Report Already"));
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (box), heading);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_box_append (GTK_BOX (box), scrolled);

  return box;
}

/* The ids whose check was set in the confirmation, or NULL. */
static GArray *
allowed_second_ids (AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "rs-second-checks");
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; checks != NULL && i < checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (checks, i);

      if (gtk_check_button_get_active (check))
        g_array_append_val (ids, *(gint64 *) g_object_get_data (G_OBJECT (check), "rs-id"));
    }

  return ids;
}

static void
password_activate_cb (GtkPasswordEntry *entry,
                      AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "send"))
    {
      adw_message_dialog_response (dialog, "send");
      gtk_window_close (GTK_WINDOW (dialog));
    }
}

static void
show_confirmation (RsWindow  *self,
                   SendSetup *setup)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *skipped = NULL;
  g_autofree char *button = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *destination = NULL;
  GtkWidget *dialog;
  GtkWidget *extra;
  GtkWidget *second;
  guint n = setup->plan->to_send->len;

  if (setup->mode == RS_SEND_MODE_LIVE)
    {
      heading = g_strdup_printf (ngettext ("Send the Report to %u Respondent?",
                                           "Send the Reports to %u Respondents?", n), n);
      button = g_strdup_printf (ngettext ("_Send to %u Respondent", "_Send to %u Respondents", n),
                                n);
      destination = g_strdup (_("Each respondent gets their own report. This cannot be undone."));
    }
  else
    {
      heading = g_strdup_printf (ngettext ("Send %u Test Message?", "Send %u Test Messages?",
                                           n), n);
      button = g_strdup (ngettext ("_Send Test Message", "_Send Test Messages", n));
      /* Translators: %s is the test address */
      destination = g_strdup_printf (_("Every message goes to the test address %s; no status "
                                       "changes."),
                                     rs_mail_settings_get_test_address (setup->mail));
    }

  skipped = describe_skipped (setup->plan);
  rate = describe_rate (rs_mail_settings_get_rate_limit (setup->mail), n);
  /* Translators: where, from whom, how fast, and who is skipped */
  body = g_strdup_printf (_("%s\nServer: %s\nFrom: %s\n%s\nSkipped: %u%s"),
                          destination,
                          rs_mail_settings_get_transport (setup->mail) == RS_SEND_TRANSPORT_GRAPH
                          ? "Microsoft Graph" : rs_mail_settings_get_url (setup->mail),
                          rs_mail_settings_get_sender (setup->mail), rate,
                          setup->plan->skipped->len, skipped);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", button,
                                    NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send", n > 0);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "send",
                                              setup->mode == RS_SEND_MODE_LIVE
                                              ? ADW_RESPONSE_DESTRUCTIVE
                                              : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  extra = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  /* Without a password from the keyring, it is asked for now. */
  if (setup->oauth == NULL && rs_mail_settings_get_user (setup->mail) != NULL
      && setup->password == NULL)
    {
      GtkWidget *entry = gtk_password_entry_new ();

      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      g_object_set (entry, "placeholder-text", _("Password of the mail server"), NULL);
      /* Typing the password and pressing Enter is a deliberate go. */
      g_signal_connect_object (entry, "activate", G_CALLBACK (password_activate_cb), dialog, 0);
      g_signal_connect_object (entry, "changed", G_CALLBACK (update_send_response), dialog,
                               G_CONNECT_SWAPPED);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Password of the mail server"), -1);
      gtk_box_append (GTK_BOX (extra), entry);
      g_object_set_data (G_OBJECT (dialog), "rs-password", entry);
    }
  second = make_second_reports (setup->plan, ADW_MESSAGE_DIALOG (dialog), n);
  if (second != NULL)
    gtk_box_append (GTK_BOX (extra), second);
  if (setup->plan->skipped->len > 0)
    gtk_box_append (GTK_BOX (extra), make_skipped_list (setup->plan));
  update_send_response (ADW_MESSAGE_DIALOG (dialog));
  if (gtk_widget_get_first_child (extra) != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  else
    g_object_unref (g_object_ref_sink (extra));

  g_object_set_data_full (G_OBJECT (dialog), "rs-send-setup", setup, send_setup_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_response_cb), self, 0);
  g_set_weak_pointer (&self->send_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  RsWindow *self;
  SendSetup *setup;
} PlanCall;

static void
plan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree PlanCall *call = user_data;
  g_autoptr(RsWindow) self = call->self;
  g_autoptr(GError) error = NULL;
  SendSetup *setup = call->setup;

  self->planning = FALSE;

  if (rs_store_run_finish (RS_STORE (object), result, &error) == NULL)
    {
      send_setup_free (setup);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !show_sign_in_again (self, error))
        rs_window_show_message (self, _("Could Not Prepare Sending"), error->message);
      return;
    }

  if (setup->scope == SEND_RETRY && setup->plan->to_send->len == 0 &&
      setup->plan->skipped->len == 0)
    {
      send_setup_free (setup);
      rs_window_add_toast (self, adw_toast_new (_("Nobody’s sending failed: there is "
                                                  "nothing to retry")));
      return;
    }

  show_confirmation (self, setup);
}

static void
not_set_up_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        gpointer          user_data)
{
  RsWindow *self = user_data;

  if (g_str_equal (response, "preferences"))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
}

/* A setting that is missing or wrong: say which, with a way to Preferences. */
static gboolean
check_set_up (RsWindow  *self,
              SendSetup *setup)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (rs_mail_settings_validate (setup->mail, setup->mode, &error))
    return TRUE;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Sending Is Not Set Up"),
                                   error->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "preferences", _("Open _Preferences"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "preferences",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "preferences");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (not_set_up_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}

static void
template_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  RsWindow *self = user_data;

  if (g_str_equal (response, "template"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.edit-template", NULL);
}

/* Placeholders the template does not know would reach the respondents as
 * they are ("Dear {naam},"): a live round is not offered until they are
 * corrected. A test message may show them to the tester. */
static gboolean
check_template (RsWindow  *self,
                SendSetup *setup)
{
  const char *texts[] = {
    setup->options.subject_en, setup->options.body_en,
    setup->options.subject_nl, setup->options.body_nl,
  };
  g_autofree char *unknown = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (setup->mode != RS_SEND_MODE_LIVE)
    return TRUE;
  unknown = rs_template_list_unknown (texts, G_N_ELEMENTS (texts));
  if (unknown == NULL)
    return TRUE;

  /* Translators: %s lists placeholders such as {naam}, {bedrijf} */
  body = g_strdup_printf (_("The e-mail template has placeholders that are not known: %s. "
                            "They would reach the respondents as they are. Correct them "
                            "under E-mail Template…, then send."), unknown);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Unknown Placeholders"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "template", _("Open E-mail _Template"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "template",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "template");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (template_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return FALSE;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GArray) ids = NULL;
  SendScope scope = SEND_EVERYONE;
  SendSetup *setup;
  PlanCall *call;

  if (!rs_window_is_idle (self))
    return;

  /* One summary at a time: pressed again, the open one comes forward. */
  if (self->send_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->send_dialog));
      return;
    }
  if (self->planning)
    return;

  if (g_str_equal (action_name, "win.send-test"))
    scope = SEND_TEST;
  else if (g_str_equal (action_name, "win.send-selected"))
    scope = SEND_SELECTED;
  else if (g_str_equal (action_name, "win.send-retry"))
    scope = SEND_RETRY;

  if (scope == SEND_TEST || scope == SEND_SELECTED)
    {
      ids = rs_respondent_view_get_selected_ids (self->respondent_view);
      if (scope == SEND_SELECTED && ids->len == 0)
        return;
    }

  setup = send_setup_new (self, scope, ids);
  if (!check_set_up (self, setup) || !check_template (self, setup))
    {
      send_setup_free (setup);
      return;
    }

  call = g_new0 (PlanCall, 1);
  call->self = g_object_ref (self);
  call->setup = setup;
  self->planning = TRUE;
  rs_store_run_async (self->store, plan_job, setup, NULL, NULL, self->cancellable,
                      plan_done_cb, call);
}

void
rs_window_send_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.send-test", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.send-selected", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.send-live", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.send-retry", NULL, send_action);
}
