/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "core/rs-dashboard.h"
#include "core/rs-export.h"
#include "rs-window-private.h"

/* win.export-dashboard: the overview as a PDF. A chooser in the reports
 * folder offers “Dashboard YYYYMMDD.pdf”; the figures are those the
 * Overview shows, or computed in a worker when it has none yet; the PDF is
 * written in a worker too, and a toast offers to open it. */

typedef struct
{
  RsWindow *window;
  GFile *file;
  char *language;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->window);
  g_clear_object (&export->file);
  g_free (export->language);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
open_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_warning ("Could not open the dashboard: %s", error->message);
}

static void
open_clicked_cb (AdwToast *toast,
                 gpointer  user_data)
{
  GFile *file = user_data;
  g_autofree char *uri = g_file_get_uri (file);

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, open_done_cb, NULL);
}

static void
failed (RsWindow     *self,
        const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  rs_window_show_message (self, _("The Dashboard Was Not Saved"), error->message);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (!rs_dashboard_write_pdf_finish (result, &error))
    {
      failed (export->window, error);
      return;
    }

  name = g_file_get_basename (export->file);
  /* Translators: %s is a file name */
  title = g_strdup_printf (_("Dashboard saved as “%s”"), name);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Open"));
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (open_clicked_cb),
                         g_object_ref (export->file), (GClosureNotify) g_object_unref, 0);
  rs_window_add_toast (export->window, toast);
}

static void
write_pdf (Export      *export,
           RsDashboard *dashboard)
{
  g_autofree char *path = g_file_get_path (export->file);

  rs_dashboard_write_pdf_async (dashboard, export->language, path,
                                export->window->cancellable, written_cb, export);
}

static void
computed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsDashboard) dashboard = rs_dashboard_compute_finish (result, &error);

  if (dashboard == NULL)
    {
      failed (export->window, error);
      export_free (export);
      return;
    }

  write_pdf (export, dashboard);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  RsWindow *self = user_data;
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  Export *export;
  RsDashboard *shown;

  g_autoptr(GError) error = NULL;

  g_clear_object (&self->dashboard_chooser);
  if (response != GTK_RESPONSE_ACCEPT || file == NULL || self->store == NULL)
    return;

  if (!rs_export_check_not_database (self->store, file, &error))
    {
      failed (self, error);
      return;
    }

  export = g_new0 (Export, 1);
  export->window = g_object_ref (self);
  export->file = g_steal_pointer (&file);
  export->language = g_strdup (rs_dashboard_app_language ());

  shown = rs_overview_page_get_dashboard (self->overview_page);
  if (shown != NULL && !rs_overview_page_get_computing (self->overview_page))
    write_pdf (export, shown);
  else
    rs_dashboard_compute_async (self->store, self->cancellable, computed_cb, export);
}

/* Returns: (transfer none) (nullable): the chooser of win.export-dashboard
 * while it is open, for tests */
GtkFileChooser *
rs_window_get_dashboard_chooser (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return self->dashboard_chooser != NULL ? GTK_FILE_CHOOSER (self->dashboard_chooser) : NULL;
}

static void
export_dashboard_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autofree char *folder_path = rs_window_dup_reports_folder (self);
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = rs_dashboard_file_name (now);
  GtkFileChooser *chooser;
  GtkFileFilter *pdf;

  if (self->store == NULL || self->dashboard_chooser != NULL)
    return;

  /* The reports folder is made by the first report run; the dashboard may
   * come first. */
  if (g_mkdir_with_parents (folder_path, 0700) != 0)
    {
      g_free (folder_path);
      folder_path = g_strdup (g_get_home_dir ());
    }
  folder = g_file_new_for_path (folder_path);

  self->dashboard_chooser = gtk_file_chooser_native_new (_("Export Dashboard"),
                                                         GTK_WINDOW (self),
                                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                                         _("_Export"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->dashboard_chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->dashboard_chooser), TRUE);
  gtk_file_chooser_set_current_folder (chooser, folder, NULL);
  gtk_file_chooser_set_current_name (chooser, name);
  pdf = gtk_file_filter_new ();
  gtk_file_filter_set_name (pdf, _("PDF Documents"));
  gtk_file_filter_add_mime_type (pdf, "application/pdf");
  gtk_file_filter_add_suffix (pdf, "pdf");
  gtk_file_chooser_add_filter (chooser, pdf);
  g_object_unref (pdf);

  g_signal_connect (self->dashboard_chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->dashboard_chooser));
}

void
rs_window_dashboard_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-dashboard", NULL,
                                   export_dashboard_action);
}
