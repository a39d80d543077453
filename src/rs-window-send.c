/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-send"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-graph.h"
#include "core/rs-oauth.h"
#include "core/rs-secret.h"
#include "core/rs-send-job.h"
#include "core/rs-mail-settings.h"
#include "core/rs-template.h"
#include "rs-window-send-private.h"

/* Sending: the settings become a plan in a worker (who is sent, who is
 * skipped and why, and the password from the keyring); a summary of fixed
 * size asks for confirmation; then the send job runs with progress and Stop. */

void
rs_window_send_clear_password (SendSetup *setup)
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

void
rs_window_send_setup_free (gpointer data)
{
  SendSetup *setup = data;

  rs_window_send_clear_password (setup);
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

void
rs_window_send_start (RsWindow  *self,
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
      rs_window_send_setup_free (setup);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !show_sign_in_again (self, error))
        rs_window_show_message (self, _("Could Not Prepare Sending"), error->message);
      return;
    }

  if (setup->scope == SEND_RETRY && setup->plan->to_send->len == 0 &&
      setup->plan->skipped->len == 0)
    {
      rs_window_send_setup_free (setup);
      rs_window_add_toast (self, adw_toast_new (_("Nobody’s sending failed: there is "
                                                  "nothing to retry")));
      return;
    }

  rs_window_send_show_confirmation (self, setup);
}

/* A round that cannot go: why, and a button to where it is put right. */
static void
fix_first_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  RsWindow *self = user_data;

  if (g_str_equal (response, g_object_get_data (G_OBJECT (dialog), "rs-fix-response")))
    gtk_widget_activate_action (GTK_WIDGET (self),
                                g_object_get_data (G_OBJECT (dialog), "rs-fix-action"), NULL);
}

static void
ask_to_fix_first (RsWindow   *self,
                  const char *heading,
                  const char *body,
                  const char *response,
                  const char *label,
                  const char *action)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    response, label,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_object_set_data (G_OBJECT (dialog), "rs-fix-response", (gpointer) response);
  g_object_set_data (G_OBJECT (dialog), "rs-fix-action", (gpointer) action);
  g_signal_connect_object (dialog, "response", G_CALLBACK (fix_first_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A setting that is missing or wrong: say which, with a way to Preferences. */
static gboolean
check_set_up (RsWindow  *self,
              SendSetup *setup)
{
  g_autoptr(GError) error = NULL;

  if (rs_mail_settings_validate (setup->mail, setup->mode, &error))
    return TRUE;

  ask_to_fix_first (self, _("Sending Is Not Set Up"), error->message,
                    "preferences", _("Open _Preferences"), "app.preferences");

  return FALSE;
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

  if (setup->mode != RS_SEND_MODE_LIVE)
    return TRUE;
  unknown = rs_template_list_unknown (texts, G_N_ELEMENTS (texts));
  if (unknown == NULL)
    return TRUE;

  /* Translators: %s lists placeholders such as {naam}, {bedrijf} */
  body = g_strdup_printf (_("The e-mail template has placeholders that are not known: %s. "
                            "They would reach the respondents as they are. Correct them "
                            "under E-mail Template…, then send."), unknown);
  ask_to_fix_first (self, _("Unknown Placeholders"), body,
                    "template", _("Open E-mail _Template"), "win.edit-template");

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
      rs_window_send_setup_free (setup);
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
