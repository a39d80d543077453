/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-mailer.h"
#include "core/rs-report-job.h"
#include "core/rs-secret.h"
#include "rs-preferences-window.h"

struct _RsPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  GCancellable *cancellable;

  AdwActionRow *folder_row;
  AdwEntryRow *server_row;
  AdwComboRow *security_row;
  AdwEntryRow *user_row;
  AdwPasswordEntryRow *password_row;
  AdwActionRow *test_row;
  AdwEntryRow *from_address_row;
  AdwEntryRow *from_name_row;
  AdwEntryRow *reply_to_row;
  AdwEntryRow *test_address_row;
  GtkSpinButton *rate_button;
};

static const char *security_values[] = { "starttls", "tls", "none" };

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

static void
add_toast (RsPreferencesWindow *self,
           const char          *text)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (text));
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
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, error->message);
      return;
    }

  /* The entry does not keep the password either. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  add_toast (self, _("Password kept in the keyring"));
}

static void
password_applied_cb (RsPreferencesWindow *self,
                     AdwPasswordEntryRow *row)
{
  g_autofree char *server = g_settings_get_string (self->settings, "smtp-url");
  g_autofree char *user = g_settings_get_string (self->settings, "smtp-user");

  if (server[0] == '\0')
    {
      add_toast (self, _("Enter the server first: the password is kept for it"));
      return;
    }

  rs_secret_store_async (server, user, gtk_editable_get_text (GTK_EDITABLE (row)),
                         self->cancellable, password_stored_cb, g_object_ref (self));
}

typedef struct
{
  char *url;
  char *user;
  gboolean starttls;
} TestData;

static void
test_data_free (gpointer data)
{
  TestData *test = data;

  g_free (test->url);
  g_free (test->user);
  g_free (test);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  TestData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsMailer) mailer = NULL;
  g_autofree char *summary = NULL;
  char *password;
  RsMailerConfig config = { 0 };

  /* Without a keyring, the test goes on without signing in and says so. */
  password = rs_secret_lookup (data->url, data->user, cancellable, NULL);

  config.url = data->url;
  config.starttls_required = data->starttls;
  config.user = data->user[0] ? data->user : NULL;
  config.password = password;
  config.connect_timeout_s = 15;
  config.timeout_s = 30;

  mailer = rs_mailer_new (&config, &error);
  rs_secret_free_password (password);
  if (mailer == NULL || !rs_mailer_test_connection (mailer, &summary, cancellable, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&summary), g_free);
}

static void
tested_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RsPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = g_task_propagate_pointer (G_TASK (result), &error);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preferences.test-connection", TRUE);
  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->test_row, error->message);
      return;
    }

  adw_action_row_set_subtitle (self->test_row, summary);
}

static void
test_connection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  RsPreferencesWindow *self = RS_PREFERENCES_WINDOW (widget);
  g_autoptr(GTask) task = NULL;
  g_autofree char *security = g_settings_get_string (self->settings, "smtp-security");
  TestData *data = g_new0 (TestData, 1);

  data->url = g_settings_get_string (self->settings, "smtp-url");
  data->user = g_settings_get_string (self->settings, "smtp-user");
  data->starttls = g_str_equal (security, "starttls");

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

static void
rs_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (rs_preferences_window_parent_class)->dispose (object);
}

static void
rs_preferences_window_finalize (GObject *object)
{
  RsPreferencesWindow *self = (RsPreferencesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
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
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, security_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, user_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, test_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, from_address_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, from_name_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, reply_to_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, test_address_row);
  gtk_widget_class_bind_template_child (widget_class, RsPreferencesWindow, rate_button);
  gtk_widget_class_bind_template_callback (widget_class, password_applied_cb);
  gtk_widget_class_install_action (widget_class, "preferences.test-connection", NULL,
                                   test_connection_action);

  gtk_widget_class_install_action (widget_class, "preferences.choose-reports-folder", NULL,
                                   choose_folder_action);
  gtk_widget_class_install_action (widget_class, "preferences.reset-reports-folder", NULL,
                                   reset_folder_action);
}

static void
rs_preferences_window_init (RsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();

  g_settings_bind (self->settings, "smtp-url", self->server_row, "text", G_SETTINGS_BIND_DEFAULT);
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

  g_signal_connect_object (self->settings, "changed::reports-folder",
                           G_CALLBACK (update_folder), self, G_CONNECT_SWAPPED);
  update_folder (self);
}
