/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-branding.h"
#include "core/rs-mail-settings.h"
#include "core/rs-graph.h"
#include "core/rs-mailer.h"
#include "core/rs-oauth.h"
#include "core/rs-report-job.h"
#include "core/rs-secret.h"
#include "rs-preferences-window.h"

struct _RsPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  GCancellable *cancellable;
  GCancellable *check_cancellable;
  guint check_source;
  gboolean password_stored;
  /* While the browser sign-in runs */
  GCancellable *sign_in_cancellable;

  AdwActionRow *folder_row;
  GtkSwitch *benchmark_switch;
  AdwEntryRow *organisation_row;
  AdwActionRow *logo_row;
  AdwActionRow *partners_row;
  AdwEntryRow *notice_en_row;
  AdwEntryRow *notice_nl_row;
  AdwEntryRow *footer_row;
  /* The check of the logo files that runs, if any */
  GCancellable *logos_cancellable;
  AdwComboRow *auth_row;
  AdwComboRow *transport_row;
  AdwEntryRow *client_id_row;
  AdwEntryRow *client_secret_row;
  AdwEntryRow *tenant_row;
  AdwActionRow *account_row;
  GtkWidget *sign_in_button;
  GtkWidget *cancel_sign_in_button;
  GtkWidget *sign_out_button;
  /* Why the last sign-in did not succeed, shown until the next one */
  char *sign_in_error;
  AdwPreferencesPage *email_page;
  AdwPreferencesGroup *server_group;
  AdwEntryRow *server_row;
  AdwComboRow *security_row;
  AdwActionRow *keep_copy_row;
  GtkSwitch *keep_copy_switch;
  AdwEntryRow *user_row;
  AdwPasswordEntryRow *password_row;
  AdwActionRow *password_status_row;
  AdwActionRow *ca_file_row;
  AdwActionRow *certificate_row;
  AdwActionRow *test_row;
  AdwEntryRow *from_address_row;
  AdwEntryRow *from_name_row;
  AdwEntryRow *reply_to_row;
  AdwEntryRow *test_address_row;
  GtkSpinButton *rate_button;
};

static const char *security_values[] = { "starttls", "tls", "none" };
/* In the order of the rows' choices */
static const char *auth_values[] = { "password", "microsoft", "google", NULL };
static const char *transport_values[] = { "graph", "smtp", NULL };

G_DEFINE_FINAL_TYPE (RsPreferencesWindow, rs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

RsPreferencesWindow *
rs_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (RS_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);
}

void
rs_preferences_window_sign_in (RsPreferencesWindow *self)
{
  g_return_if_fail (RS_IS_PREFERENCES_WINDOW (self));

  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), self->email_page);
  gtk_widget_activate_action (GTK_WIDGET (self), "preferences.sign-in", NULL);
}

static void
update_folder (RsPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "reports-folder");

  if (folder[0] == '\0')
    {
      g_free (folder);
      folder = rs_report_default_folder ();
    }

  adw_action_row_set_subtitle (self->folder_row, folder);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  RsPreferencesWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "reports-folder", path);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Reports Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
reset_folder_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);

  g_settings_reset (self->settings, "reports-folder");
}

/* The logos: each file is read in a worker thread, and a row says what is
 * wrong with one, as the reports leave it out. */

typedef struct
{
  char *logo;
  GStrv partners;
} LogoPaths;

static void
logo_paths_free (gpointer data)
{
  LogoPaths *paths = data;

  g_free (paths->logo);
  g_strfreev (paths->partners);
  g_free (paths);
}

/* Per file (the logo first, then the partners'), NULL or why it is left out */
static void
check_logos_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LogoPaths *paths = task_data;
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i == 0 || paths->partners[i - 1] != NULL; i++)
    {
      const char *path = i == 0 ? paths->logo : paths->partners[i - 1];
      g_autoptr(GError) error = NULL;

      if (path[0] == '\0' || rs_branding_check_image (path, &error))
        g_ptr_array_add (problems, NULL);
      else
        g_ptr_array_add (problems, g_strdup (error->message));
    }

  g_task_return_pointer (task, problems, (GDestroyNotify) g_ptr_array_unref);
}

static void
set_row_problem (AdwActionRow *row,
                 const char   *subtitle,
                 gboolean      problem)
{
  adw_action_row_set_subtitle (row, subtitle);
  if (problem)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
logos_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (object);
  g_autoptr(GPtrArray) problems = g_task_propagate_pointer (G_TASK (result), NULL);
  LogoPaths *paths = g_task_get_task_data (G_TASK (result));
  g_autoptr(GString) partners = g_string_new (NULL);
  gboolean any_problem = FALSE;
  const char *problem;

  if (problems == NULL || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  problem = g_ptr_array_index (problems, 0);
  if (problem != NULL)
    set_row_problem (self->logo_row, problem, TRUE);
  else if (paths->logo[0] != '\0')
    set_row_problem (self->logo_row, paths->logo, FALSE);
  else
    set_row_problem (self->logo_row, _("None"), FALSE);

  for (guint i = 0; paths->partners[i] != NULL; i++)
    {
      problem = g_ptr_array_index (problems, i + 1);
      if (partners->len > 0)
        g_string_append_c (partners, '\n');
      g_string_append (partners, problem != NULL ? problem : paths->partners[i]);
      any_problem |= problem != NULL;
    }
  set_row_problem (self->partners_row, partners->len > 0 ? partners->str : _("None"),
                   any_problem);
}

static void
update_logos (RsPreferencesWindow *self)
{
  g_autoptr(GTask) task = NULL;
  LogoPaths *paths = g_new0 (LogoPaths, 1);

  paths->logo = g_settings_get_string (self->settings, "report-logo");
  paths->partners = g_settings_get_strv (self->settings, "report-partner-logos");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.add-partner-logo",
                                 g_strv_length (paths->partners) < RS_BRANDING_MAX_PARTNERS);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.clear-partner-logos",
                                 paths->partners[0] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.clear-logo",
                                 paths->logo[0] != '\0');

  g_cancellable_cancel (self->logos_cancellable);
  g_clear_object (&self->logos_cancellable);
  self->logos_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->logos_cancellable, logos_checked_cb, NULL);
  g_task_set_source_tag (task, update_logos);
  g_task_set_task_data (task, paths, logo_paths_free);
  g_task_run_in_thread (task, check_logos_thread);
}

static GtkFileFilter *
image_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PNG or SVG Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/svg+xml");
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_filter_add_suffix (filter, "svg");

  return filter;
}

static void
logo_chosen_cb (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  RsPreferencesWindow *self = user_data;
  gboolean partner = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "partner"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL && partner)
        {
          g_auto(GStrv) old = g_settings_get_strv (self->settings, "report-partner-logos");
          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
          g_auto(GStrv) partners = NULL;

          g_strv_builder_addv (builder, (const char **) old);
          if (g_strv_length (old) < RS_BRANDING_MAX_PARTNERS)
            g_strv_builder_add (builder, path);
          partners = g_strv_builder_end (builder);
          g_settings_set_strv (self->settings, "report-partner-logos",
                               (const char * const *) partners);
        }
      else if (path != NULL)
        {
          g_settings_set_string (self->settings, "report-logo", path);
        }
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_logo (RsPreferencesWindow *self,
             gboolean             partner)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = image_filter ();

  chooser = gtk_file_chooser_native_new (partner ? _("Partner Logo") : _("Logo"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Select"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "partner", GINT_TO_POINTER (partner));
  g_signal_connect (chooser, "response", G_CALLBACK (logo_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_logo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  choose_logo (RS_PREFERENCES_WINDOW (widget), FALSE);
}

static void
add_partner_logo_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  choose_logo (RS_PREFERENCES_WINDOW (widget), TRUE);
}

static void
clear_logo_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  g_settings_reset (RS_PREFERENCES_WINDOW (widget)->settings, "report-logo");
}

static void
clear_partner_logos_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  g_settings_reset (RS_PREFERENCES_WINDOW (widget)->settings, "report-partner-logos");
}

static void
add_toast (RsPreferencesWindow *self,
           const char          *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
}

/* The settings as a send would use them now. */
static RsMailSettings *
current_mail_settings (RsPreferencesWindow *self)
{
  return rs_mail_settings_new_from_gsettings (self->settings);
}

static void
password_checked_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored = FALSE;

  if (!rs_secret_check_finish (result, &stored, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("keyring: %s", error->message);
      adw_action_row_set_subtitle (self->password_status_row,
                                   _("The keyring cannot be reached"));
      stored = FALSE;
    }
  else
    {
      adw_action_row_set_subtitle (self->password_status_row,
                                   stored ? _("Password stored in the keyring")
                                          : _("No password stored"));
    }

  self->password_stored = stored;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.forget-password", stored);
}

/* The keyring is asked in a worker thread; only the answer to the last
 * question counts. */
static gboolean
check_password (gpointer user_data)
{
  RsPreferencesWindow *self = user_data;
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  const char *host = rs_mail_settings_get_host (mail);

  self->check_source = 0;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.forget-password", FALSE);

  if (host == NULL)
    {
      adw_action_row_set_subtitle (self->password_status_row,
                                   _("No server set, so no password either"));
      return G_SOURCE_REMOVE;
    }

  self->check_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->password_status_row, _("Looking in the keyring…"));
  rs_secret_check_async (host, rs_mail_settings_get_user (mail), self->check_cancellable,
                         password_checked_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
account_changed_cb (RsPreferencesWindow *self)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (300, check_password, self);
}

static void
password_stored_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rs_secret_store_finish (result, &error))
    {
      if (self->password_row != NULL)
        add_toast (self, error->message);
      return;
    }
  if (self->password_row == NULL)
    return;

  /* The entry does not keep the password either. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  add_toast (self, _("Password kept in the keyring"));
  check_password (self);
}

static void
password_applied_cb (RsPreferencesWindow *self,
                     AdwPasswordEntryRow *row)
{
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  const char *host = rs_mail_settings_get_host (mail);

  if (host == NULL)
    {
      add_toast (self, _("Enter the server first: the password is kept for it"));
      return;
    }

  rs_secret_store_async (host, rs_mail_settings_get_user (mail),
                         gtk_editable_get_text (GTK_EDITABLE (row)),
                         NULL, password_stored_cb, g_object_ref (self));
}

static void
password_forgotten_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Closed meanwhile: the keyring has done it all the same. */
  if (self->password_status_row == NULL)
    return;

  if (!rs_secret_forget_finish (result, &error))
    add_toast (self, error->message);
  else
    {
      add_toast (self, _("Password removed from the keyring"));
    }

  check_password (self);
}

static void
forget_password_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);

  if (rs_mail_settings_get_host (mail) == NULL)
    return;

  gtk_widget_action_set_enabled (widget, "preferences.forget-password", FALSE);
  rs_secret_forget_async (rs_mail_settings_get_host (mail), rs_mail_settings_get_user (mail),
                          NULL, password_forgotten_cb, g_object_ref (self));
}

static void
update_ca_file (RsPreferencesWindow *self)
{
  g_autofree char *path = g_settings_get_string (self->settings, "smtp-ca-file");

  adw_action_row_set_subtitle (self->ca_file_row,
                               path[0] != '\0' ? path
                                               : _("Only the authorities this computer trusts"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.clear-ca-file",
                                 path[0] != '\0');
}

static void
ca_chooser_response_cb (GtkNativeDialog *chooser,
                        int              response,
                        gpointer         user_data)
{
  RsPreferencesWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "smtp-ca-file", path);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_ca_file_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(GtkFileFilter) certificates = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("CA File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Select"), _("_Cancel"));
  gtk_file_filter_set_name (certificates, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (certificates, "*.pem");
  gtk_file_filter_add_pattern (certificates, "*.crt");
  gtk_file_filter_add_pattern (certificates, "*.cer");
  gtk_file_filter_add_mime_type (certificates, "application/x-x509-ca-cert");
  gtk_file_filter_add_mime_type (certificates, "application/x-pem-file");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), certificates);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (ca_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
clear_ca_file_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_settings_reset (RS_PREFERENCES_WINDOW (widget)->settings, "smtp-ca-file");
}

static void
update_certificate (RsPreferencesWindow *self)
{
  g_autofree char *pin = g_settings_get_string (self->settings, "smtp-pinned-key");

  gtk_widget_set_visible (GTK_WIDGET (self->certificate_row), pin[0] != '\0');
  /* Translators: the hash of the trusted certificate's public key follows */
  if (pin[0] != '\0')
    {
      g_autofree char *text = g_strdup_printf (_("Public key %s"), pin);

      adw_action_row_set_subtitle (self->certificate_row, text);
    }
}

static void
forget_certificate_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  g_settings_reset (RS_PREFERENCES_WINDOW (widget)->settings, "smtp-pinned-key");
}

/* The sign-in rows: the choices that count for the kind, and who is signed
 * in. */
static void
update_sign_in (RsPreferencesWindow *self)
{
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  RsMailAuth auth = rs_mail_settings_get_auth (mail);
  const char *account = rs_mail_settings_get_oauth_account (mail);
  gboolean password = auth == RS_MAIL_AUTH_PASSWORD;
  gboolean graph = rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_GRAPH;
  gboolean waiting = self->sign_in_cancellable != NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->transport_row), auth == RS_MAIL_AUTH_MICROSOFT);
  gtk_widget_set_visible (GTK_WIDGET (self->client_id_row), !password);
  gtk_widget_set_visible (GTK_WIDGET (self->client_secret_row), auth == RS_MAIL_AUTH_GOOGLE);
  gtk_widget_set_visible (GTK_WIDGET (self->tenant_row), auth == RS_MAIL_AUTH_MICROSOFT);
  gtk_widget_set_visible (GTK_WIDGET (self->account_row), !password);
  gtk_widget_set_visible (GTK_WIDGET (self->user_row), password);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), password);
  gtk_widget_set_visible (GTK_WIDGET (self->password_status_row), password);

  /* Through Graph there is no mail server to name: only the CA file and
   * Test count. */
  gtk_widget_set_visible (GTK_WIDGET (self->server_row), !graph);
  gtk_widget_set_visible (GTK_WIDGET (self->security_row), !graph);
  /* Graph keeps one in Sent Items itself. */
  gtk_widget_set_visible (GTK_WIDGET (self->keep_copy_row), !graph);
  if (graph)
    adw_preferences_group_set_description (self->server_group,
                                           _("Microsoft Graph sends over HTTPS and needs no "
                                             "mail server. The CA file counts for it and for "
                                             "the sign-in."));
  else if (password)
    adw_preferences_group_set_description (self->server_group,
                                           _("For Microsoft 365 use smtp.office365.com, port "
                                             "587, STARTTLS; for Gmail smtp.gmail.com, port "
                                             "587, STARTTLS, with an app password."));
  else
    adw_preferences_group_set_description (self->server_group,
                                           _("For Microsoft 365 use smtp.office365.com, port "
                                             "587, STARTTLS; for Gmail smtp.gmail.com, port "
                                             "587, STARTTLS."));

  /* Signed in: Sign Out (and then Sign In for another account). */
  gtk_widget_set_visible (self->sign_in_button, !waiting && account == NULL);
  gtk_widget_set_visible (self->sign_out_button, !waiting && account != NULL);
  gtk_widget_set_visible (self->cancel_sign_in_button, waiting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.sign-in", !waiting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.cancel-sign-in", waiting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.sign-out",
                                 !waiting && account != NULL);

  if (waiting)
    adw_action_row_set_subtitle (self->account_row, _("Waiting for sign-in in your browser…"));
  else if (account != NULL)
    {
      /* Translators: the signed-in e-mail address */
      g_autofree char *text = g_strdup_printf (_("Signed in as %s"), account);

      adw_action_row_set_subtitle (self->account_row, text);
    }
  else if (self->sign_in_error != NULL)
    {
      /* Translators: why the sign-in did not succeed follows */
      g_autofree char *text = g_strdup_printf (_("Not signed in: %s"), self->sign_in_error);

      adw_action_row_set_subtitle (self->account_row, text);
    }
  else
    adw_action_row_set_subtitle (self->account_row, _("Not signed in"));
}

/* The lookup holds the window weakly: a window closed meanwhile is let go
 * at once, not kept alive by the worker. */
typedef struct
{
  GWeakRef window;
  char *provider;
} KeptAccount;

static void
kept_account_free (gpointer data)
{
  KeptAccount *kept = data;

  g_weak_ref_clear (&kept->window);
  g_free (kept->provider);
  g_free (kept);
}

static void
kept_account_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  KeptAccount *kept = task_data;
  g_autoptr(RsSecretPassword) token = NULL;
  g_autoptr(GError) error = NULL;
  char *account = NULL;

  token = rs_secret_lookup_refresh_token (kept->provider, NULL, &account, cancellable, &error);
  if (token == NULL)
    g_clear_pointer (&account, g_free);
  if (error != NULL)
    g_debug ("No sign-in kept for %s: %s", kept->provider, error->message);
  g_task_return_pointer (task, account, g_free);
}

static void
kept_account_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  KeptAccount *kept = g_task_get_task_data (G_TASK (result));
  g_autoptr(RsPreferencesWindow) self = g_weak_ref_get (&kept->window);
  g_autofree char *account = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *kind = NULL;
  g_autofree char *shown = NULL;

  /* Closed meanwhile */
  if (self == NULL || self->account_row == NULL)
    return;

  kind = g_settings_get_string (self->settings, "auth-kind");
  shown = g_settings_get_string (self->settings, "oauth-account");
  /* Still the same provider, and nobody signed in meanwhile */
  if (account != NULL && g_str_equal (kind, kept->provider) && shown[0] == '\0')
    g_settings_set_string (self->settings, "oauth-account", account);
}

/* Another provider is another account: the one kept in the keyring for it,
 * if any, is shown as signed in. */
static void
auth_kind_changed_cb (RsPreferencesWindow *self)
{
  g_autofree char *kind = g_settings_get_string (self->settings, "auth-kind");
  g_autoptr(GTask) task = NULL;
  KeptAccount *kept;

  g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_pointer (&self->sign_in_error, g_free);
  g_settings_reset (self->settings, "oauth-account");
  update_sign_in (self);

  if (g_str_equal (kind, "password"))
    return;
  kept = g_new0 (KeptAccount, 1);
  g_weak_ref_init (&kept->window, self);
  kept->provider = g_steal_pointer (&kind);
  task = g_task_new (NULL, self->cancellable, kept_account_cb, NULL);
  g_task_set_source_tag (task, auth_kind_changed_cb);
  g_task_set_task_data (task, kept, kept_account_free);
  g_task_run_in_thread (task, kept_account_thread);
}

static void
open_sign_in_page (const char *uri,
                   gpointer    user_data)
{
  RsPreferencesWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rs_oauth_open_browser (uri, &error))
    {
      /* Translators: the reason, then the address to open by hand */
      g_autofree char *text = g_strdup_printf (_("The browser could not be opened (%s). "
                                                 "Open this address: %s"),
                                               error->message, uri);

      add_toast (self, text);
    }
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *account = NULL;
  gboolean ok;

  ok = rs_oauth_sign_in_browser_finish (RS_OAUTH (object), result, &account, &error);
  /* Closed meanwhile */
  if (self->account_row == NULL)
    return;

  g_clear_object (&self->sign_in_cancellable);
  if (ok)
    {
      g_settings_set_string (self->settings, "oauth-account", account != NULL ? account : "");
      if (account == NULL)
        add_toast (self, _("Signed in, but the provider did not say which address: enter "
                           "the From Address"));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* In the row, whole: a toast has one line. */
    self->sign_in_error = g_strdup (error->message);

  update_sign_in (self);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (mail);
  g_autoptr(RsOAuth) oauth = NULL;

  if (provider == NULL || self->sign_in_cancellable != NULL)
    return;
  if (rs_mail_settings_get_oauth_client_id (mail) == NULL)
    {
      add_toast (self, _("Enter the Client ID first: your IT administrator has it"));
      return;
    }

  oauth = rs_oauth_new (provider);
  self->sign_in_cancellable = g_cancellable_new ();
  g_clear_pointer (&self->sign_in_error, g_free);
  update_sign_in (self);
  rs_oauth_sign_in_browser_async (oauth, open_sign_in_page, self, self->sign_in_cancellable,
                                  signed_in_cb, g_object_ref (self));
}

static void
cancel_sign_in_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_cancellable_cancel (RS_PREFERENCES_WINDOW (widget)->sign_in_cancellable);
}

static void
sign_out_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;

  if (rs_oauth_sign_out (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
signed_out_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (self->account_row != NULL)
        add_toast (self, error->message);
      return;
    }

  g_settings_reset (self->settings, "oauth-account");
  if (self->account_row != NULL)
    add_toast (self, _("Signed out"));
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (mail);
  g_autoptr(GTask) task = NULL;

  if (provider == NULL)
    return;

  gtk_widget_action_set_enabled (widget, "preferences.sign-out", FALSE);
  task = g_task_new (NULL, NULL, signed_out_cb, g_object_ref (self));
  g_task_set_task_data (task, rs_oauth_new (provider), g_object_unref);
  g_task_run_in_thread (task, sign_out_thread);
}

typedef struct
{
  RsMailSettings *mail;
} TestData;

typedef struct
{
  char *summary;
  GError *error;
  RsMailerCertificate *certificate;
} TestResult;

static void
test_data_free (gpointer data)
{
  TestData *test = data;

  g_clear_object (&test->mail);
  g_free (test);
}

static void
test_result_free (gpointer data)
{
  TestResult *result = data;

  g_free (result->summary);
  g_clear_error (&result->error);
  rs_mailer_certificate_free (result->certificate);
  g_free (result);
}

/* With Microsoft 365 or Google: an access token, then Graph's /me or an
 * SMTP sign-in with it; nothing is sent. */
static void
test_sign_in (RsMailSettings *mail,
              TestResult     *result,
              GCancellable   *cancellable)
{
  g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (mail);
  g_autoptr(RsOAuth) oauth = rs_oauth_new (provider);
  g_autofree char *token = NULL;
  g_autofree char *account = NULL;

  token = rs_oauth_get_access_token (oauth, cancellable, &result->error);
  if (token == NULL)
    return;

  if (rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_GRAPH)
    {
      RsSendOptions options;
      g_autoptr(RsGraph) graph = NULL;

      rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_TEST, &options);
      options.graph.access_token = token;
      graph = rs_graph_new (&options.graph, &result->error);
      if (graph != NULL)
        account = rs_graph_get_me (graph, cancellable, &result->error);
      if (account != NULL)
        /* Translators: the signed-in address */
        result->summary = g_strdup_printf (_("Microsoft Graph answers for %s; nothing was "
                                             "sent."), account);
    }
  else
    {
      g_autoptr(RsMailer) mailer = NULL;
      RsMailerConfig config;

      account = rs_oauth_dup_account (oauth);
      if (account != NULL)
        rs_mail_settings_set_oauth_account (mail, account);
      rs_mail_settings_fill_mailer_config (mail, &config);
      config.access_token = token;
      mailer = rs_mailer_new (&config, &result->error);
      if (mailer != NULL)
        rs_mailer_test_connection (mailer, &result->summary, cancellable, &result->error);
    }

  memset (token, 0, strlen (token));
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  TestResult *result = g_new0 (TestResult, 1);
  g_autoptr(RsMailer) mailer = NULL;
  char *password;
  RsMailerConfig config;

  if (rs_mail_settings_get_auth (data->mail) != RS_MAIL_AUTH_PASSWORD)
    {
      test_sign_in (data->mail, result, cancellable);
      g_task_return_pointer (task, result, test_result_free);
      return;
    }

  /* Without a keyring, the test goes on without signing in and says so. */
  password = rs_mail_settings_lookup_password (data->mail, cancellable, NULL);
  rs_mail_settings_fill_mailer_config (data->mail, &config);
  config.password = password;

  mailer = rs_mailer_new (&config, &result->error);
  rs_secret_free_password (password);
  if (mailer != NULL)
    rs_mailer_test_connection (mailer, &result->summary, cancellable, &result->error);

  /* A certificate no authority vouches for: fetch it, without signing in,
   * so that a person can decide to trust it. */
  if (g_error_matches (result->error, RS_MAILER_ERROR, RS_MAILER_ERROR_UNTRUSTED))
    {
      config.password = NULL;
      result->certificate = rs_mailer_fetch_certificate (&config, cancellable, NULL);
    }

  g_task_return_pointer (task, result, test_result_free);
}

static void test_connection_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter);

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  RsPreferencesWindow *self = user_data;
  const char *pin = g_object_get_data (G_OBJECT (dialog), "rs-pin");

  if (!g_str_equal (response, "trust") || pin == NULL)
    return;

  g_settings_set_string (self->settings, "smtp-pinned-key", pin);
  test_connection_action (GTK_WIDGET (self), "preferences.test-connection", NULL);
}

static void
offer_trust (RsPreferencesWindow *self,
             RsMailerCertificate *certificate)
{
  g_autoptr(RsMailSettings) mail = current_mail_settings (self);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  body = g_strdup_printf (_("The server %s shows a certificate that no authority this "
                            "computer knows has signed. Trust it only if its fingerprint "
                            "is the one your mail administrator gives you.\n\n"
                            "Subject: %s\nIssued by: %s\nSHA-256 fingerprint:\n%s"),
                          rs_mail_settings_get_host (mail),
                          certificate->subject ? certificate->subject : "",
                          certificate->issuer ? certificate->issuer : "",
                          certificate->fingerprint);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Trust This Certificate?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Certificate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "rs-pin", g_strdup (certificate->pin), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tested_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  TestResult *test = g_task_propagate_pointer (G_TASK (result), &error);

  if (test == NULL)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.test-connection", TRUE);

  if (test->error == NULL)
    adw_action_row_set_subtitle (self->test_row, test->summary);
  else if (!g_error_matches (test->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_action_row_set_subtitle (self->test_row, test->error->message);

  if (test->certificate != NULL)
    offer_trust (self, test->certificate);

  test_result_free (test);
}

static void
test_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  TestData *data;

  data = g_new0 (TestData, 1);
  data->mail = current_mail_settings (self);
  if (!rs_mail_settings_validate_server (data->mail, &error))
    {
      adw_action_row_set_subtitle (self->test_row, error->message);
      test_data_free (data);
      return;
    }

  adw_action_row_set_subtitle (self->test_row, _("Connecting…"));
  gtk_widget_action_set_enabled (widget, "preferences.test-connection", FALSE);

  task = g_task_new (NULL, self->cancellable, tested_cb, g_object_ref (self));
  g_task_set_task_data (task, data, test_data_free);
  g_task_run_in_thread (task, test_thread);
}

static gboolean
security_get_mapping (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  const char *security = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (security_values); i++)
    if (g_str_equal (security, security_values[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
security_set_mapping (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (security_values))
    return NULL;

  return g_variant_new_string (security_values[selected]);
}

/* A combo row's place and a choice key's value, for the %NULL-terminated
 * choices in @user_data. */
static gboolean
choice_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  const char * const *values = user_data;
  const char *text = g_variant_get_string (variant, NULL);

  for (guint i = 0; values[i] != NULL; i++)
    if (g_str_equal (text, values[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
choice_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char * const *values = user_data;
  guint selected = g_value_get_uint (value);

  for (guint i = 0; values[i] != NULL; i++)
    if (i == selected)
      return g_variant_new_string (values[i]);

  return NULL;
}

static void
rs_preferences_window_dispose (GObject *object)
{
  RsPreferencesWindow *self = (RsPreferencesWindow *)object;

  /* What is still running finds its rows gone: it must end quietly. */
  g_clear_handle_id (&self->check_source, g_source_remove);
  g_cancellable_cancel (self->check_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->sign_in_cancellable);
  g_cancellable_cancel (self->logos_cancellable);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (rs_preferences_window_parent_class)->dispose (object);
}

static void
rs_preferences_window_finalize (GObject *object)
{
  RsPreferencesWindow *self = (RsPreferencesWindow *)object;

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sign_in_cancellable);
  g_clear_object (&self->logos_cancellable);
  g_free (self->sign_in_error);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (rs_preferences_window_parent_class)->finalize (object);
}

static void
rs_preferences_window_class_init (RsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_preferences_window_dispose;
  object_class->finalize = rs_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, benchmark_switch);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, organisation_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, logo_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, partners_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, notice_en_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, notice_nl_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, footer_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, auth_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, transport_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, client_secret_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, tenant_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, sign_out_button);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow,
                                        cancel_sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, email_page);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, server_group);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, keep_copy_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, keep_copy_switch);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, security_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, password_status_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, ca_file_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, certificate_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, test_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, from_address_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, from_name_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, reply_to_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, test_address_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, rate_button);
  gtk_widget_class_bind_template_callback (widget_class, password_applied_cb);
  gtk_widget_class_install_action (widget_class, "preferences.test-connection", NULL,
                                   test_connection_action);
  gtk_widget_class_install_action (widget_class, "preferences.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "preferences.cancel-sign-in", NULL,
                                   cancel_sign_in_action);
  gtk_widget_class_install_action (widget_class, "preferences.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "preferences.forget-password", NULL,
                                   forget_password_action);
  gtk_widget_class_install_action (widget_class, "preferences.choose-ca-file", NULL,
                                   choose_ca_file_action);
  gtk_widget_class_install_action (widget_class, "preferences.clear-ca-file", NULL,
                                   clear_ca_file_action);
  gtk_widget_class_install_action (widget_class, "preferences.forget-certificate", NULL,
                                   forget_certificate_action);

  gtk_widget_class_install_action (widget_class, "preferences.choose-reports-folder", NULL,
                                   choose_folder_action);
  gtk_widget_class_install_action (widget_class, "preferences.reset-reports-folder", NULL,
                                   reset_folder_action);
  gtk_widget_class_install_action (widget_class, "preferences.choose-logo", NULL,
                                   choose_logo_action);
  gtk_widget_class_install_action (widget_class, "preferences.clear-logo", NULL,
                                   clear_logo_action);
  gtk_widget_class_install_action (widget_class, "preferences.add-partner-logo", NULL,
                                   add_partner_logo_action);
  gtk_widget_class_install_action (widget_class, "preferences.clear-partner-logos", NULL,
                                   clear_partner_logos_action);
}

/* The server's address is kept only without a user name or password in
 * it: "smtp://scan:secret@host" never reaches the settings file. The row
 * says why it is not kept. */
static gboolean
server_get_mapping (GValue   *value,
                    GVariant *variant,
                    gpointer  user_data)
{
  g_value_set_string (value, g_variant_get_string (variant, NULL));
  return TRUE;
}

static GVariant *
server_set_mapping (const GValue       *value,
                    const GVariantType *expected_type,
                    gpointer            user_data)
{
  const char *text = g_value_get_string (value);

  if (text != NULL && strchr (text, '@') != NULL)
    return NULL;

  return g_variant_new_string (text != NULL ? text : "");
}

static void
server_text_changed (RsPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->server_row));

  if (strchr (text, '@') != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_row),
                                   _("Not kept: the server address must not hold a user name "
                                     "or password. Enter them under User Name and Password."));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_row), NULL);
    }
}

static void
rs_preferences_window_init (RsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();

  g_settings_bind_with_mapping (self->settings, "smtp-url", self->server_row, "text",
                                G_SETTINGS_BIND_DEFAULT, server_get_mapping, server_set_mapping,
                                NULL, NULL);
  g_signal_connect_object (self->server_row, "changed", G_CALLBACK (server_text_changed), self,
                           G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "smtp-user", self->user_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "from-address", self->from_address_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "from-name", self->from_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reply-to", self->reply_to_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "test-address", self->test_address_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "rate-limit", self->rate_button, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "smtp-security", self->security_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, security_get_mapping,
                                security_set_mapping, NULL, NULL);

  g_settings_bind_with_mapping (self->settings, "auth-kind", self->auth_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, choice_get_mapping, choice_set_mapping,
                                auth_values, NULL);
  g_settings_bind_with_mapping (self->settings, "mail-transport", self->transport_row,
                                "selected", G_SETTINGS_BIND_DEFAULT, choice_get_mapping,
                                choice_set_mapping, transport_values, NULL);
  g_settings_bind (self->settings, "oauth-client-id", self->client_id_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "oauth-client-secret", self->client_secret_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "oauth-tenant", self->tenant_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "keep-copy", self->keep_copy_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::auth-kind",
                           G_CALLBACK (auth_kind_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::mail-transport",
                           G_CALLBACK (update_sign_in), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::oauth-account",
                           G_CALLBACK (update_sign_in), self, G_CONNECT_SWAPPED);
  update_sign_in (self);

  g_signal_connect_object (self->settings, "changed::reports-folder",
                           G_CALLBACK (update_folder), self, G_CONNECT_SWAPPED);
  update_folder (self);
  g_settings_bind (self->settings, "report-benchmark", self->benchmark_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "report-organisation", self->organisation_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "report-notice-en", self->notice_en_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "report-notice-nl", self->notice_nl_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "report-footer", self->footer_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::report-logo",
                           G_CALLBACK (update_logos), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::report-partner-logos",
                           G_CALLBACK (update_logos), self, G_CONNECT_SWAPPED);
  update_logos (self);
  g_signal_connect_object (self->settings, "changed::smtp-ca-file",
                           G_CALLBACK (update_ca_file), self, G_CONNECT_SWAPPED);
  update_ca_file (self);
  g_signal_connect_object (self->settings, "changed::smtp-pinned-key",
                           G_CALLBACK (update_certificate), self, G_CONNECT_SWAPPED);
  update_certificate (self);
  g_signal_connect_object (self->settings, "changed::smtp-url",
                           G_CALLBACK (account_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::smtp-user",
                           G_CALLBACK (account_changed_cb), self, G_CONNECT_SWAPPED);
  check_password (self);
}
