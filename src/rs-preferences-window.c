/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-report-job.h"
#include "rs-preferences-window.h"

struct _RsPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  AdwActionRow *folder_row;
};

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
rs_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (rs_preferences_window_parent_class)->dispose (object);
}

static void
rs_preferences_window_finalize (GObject *object)
{
  RsPreferencesWindow *self = (RsPreferencesWindow *)object;

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
  g_signal_connect_object (self->settings, "changed::reports-folder",
                           G_CALLBACK (update_folder), self, G_CONNECT_SWAPPED);
  update_folder (self);
}
