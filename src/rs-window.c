/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-export.h"
#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-secret.h"
#include "core/rs-send-job.h"
#include "rs-import-details-window.h"
#include "rs-progress-panel.h"
#include "rs-respondent-view.h"
#include "rs-template-window.h"
#include "rs-window.h"

struct _RsWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  char *database_path;
  RsStore *store;
  GCancellable *cancellable;

  GCancellable *import_cancellable;
  /* The file chooser of win.import while it is open */
  GtkFileChooserNative *import_chooser;
  RsImportSummary *last_import;
  GCancellable *reports_cancellable;
  RsReportSummary *last_reports;
  GCancellable *send_cancellable;

  AdwToastOverlay *toast_overlay;
  RsProgressPanel *progress_panel;
  GtkStack *stack;
  AdwStatusPage *error_page;
  RsRespondentView *respondent_view;
};

G_DEFINE_FINAL_TYPE (RsWindow, rs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_actions (RsWindow *self);

/**
 * rs_window_new:
 * @database_path: (nullable): the tracker database to show, or %NULL for
 *   the default one
 */
RsWindow *
rs_window_new (RsApplication *application,
               const char    *database_path)
{
  return g_object_new (RS_TYPE_WINDOW,
                       "application", application,
                       "database-path", database_path,
                       NULL);
}

/* Returns: (transfer none) (nullable): the store, once it is open */
RsStore *
rs_window_get_store (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return self->store;
}

/* Returns: (transfer none): the table of respondents */
RsRespondentView *
rs_window_get_respondent_view (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return self->respondent_view;
}

/* What the window says about the loaded respondents, for tests. */
const char *
rs_window_get_status_text (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return rs_respondent_view_get_stats_text (self->respondent_view);
}

/* Whether an import is running. */
gboolean
rs_window_get_busy (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);

  return self->import_cancellable != NULL || self->reports_cancellable != NULL ||
         self->send_cancellable != NULL;
}

/* Which page the window shows: loading, empty, error or respondents. */
const char *
rs_window_get_page_name (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

static void
show_error (RsWindow     *self,
            const char   *title,
            const GError *error)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
view_changed_cb (RsWindow *self)
{
  if (!rs_respondent_view_get_loaded (self->respondent_view))
    return;

  gtk_stack_set_visible_child_name (self->stack,
                                    rs_respondent_view_get_n_respondents (self->respondent_view) > 0
                                    ? "respondents" : "empty");
}

static void
rs_window_reload (RsWindow *self)
{
  if (self->store != NULL)
    rs_respondent_view_refresh (self->respondent_view);
}

static gpointer
recover_job (RsStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  if (!rs_send_job_recover (store, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rs_store_run_finish (RS_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not look for interrupted sends: %s", error->message);
}

static void
store_opened_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  RsStore *store;

  store = rs_store_open_finish (result, &error);
  if (store == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could Not Open the Tracker Database"), error);
      return;
    }

  self->store = store;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  update_actions (self);
  rs_respondent_view_set_store (self->respondent_view, store);

  /* Records a crashed send left in `sending` become `unknown` now. */
  rs_store_run_async (store, recover_job, NULL, NULL, NULL, self->cancellable, recovered_cb,
                      NULL);
}

/* Progress comes from the import's thread; only this relay crosses to the
 * main loop, where the window is looked up again. */
typedef struct
{
  GWeakRef window;
} ProgressRelay;

typedef struct
{
  ProgressRelay *relay;
  double fraction;
  char *detail;
} ProgressUpdate;

static void
progress_relay_clear (ProgressRelay *relay)
{
  g_weak_ref_clear (&relay->window);
}

static void
progress_relay_unref (ProgressRelay *relay)
{
  g_atomic_rc_box_release_full (relay, (GDestroyNotify) progress_relay_clear);
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  progress_relay_unref (update->relay);
  g_free (update->detail);
  g_free (update);
}

static gboolean
progress_idle (gpointer data)
{
  ProgressUpdate *update = data;
  g_autoptr(RsWindow) self = g_weak_ref_get (&update->relay->window);

  if (self == NULL || !rs_progress_panel_get_running (self->progress_panel))
    return G_SOURCE_REMOVE;

  rs_progress_panel_set_fraction (self->progress_panel, update->fraction, update->detail);

  return G_SOURCE_REMOVE;
}

/* From a worker thread: hands the numbers to the main loop. */
static void
post_progress (ProgressRelay *relay,
               double         fraction,
               char          *detail)
{
  ProgressUpdate *update = g_new0 (ProgressUpdate, 1);

  update->relay = g_atomic_rc_box_acquire (relay);
  update->fraction = fraction;
  update->detail = detail;
  g_idle_add_full (G_PRIORITY_DEFAULT, progress_idle, update, progress_update_free);
}

static void
import_progress_cb (goffset  done,
                    goffset  total,
                    gpointer user_data)
{
  g_autofree char *done_text = NULL;
  g_autofree char *total_text = NULL;

  if (total <= 0)
    return;

  done_text = g_format_size (done);
  total_text = g_format_size (total);
  /* Translators: how much of a file has been read, e.g. “12.3 MB of 88.0 MB” */
  post_progress (user_data, (double) done / (double) total,
                 g_strdup_printf (_("%s of %s"), done_text, total_text));
}

static void
report_progress_cb (const RsReportSummary *so_far,
                    const RsReportResult  *result,
                    gpointer               user_data)
{
  guint done = so_far->results->len;
  guint skipped = so_far->up_to_date + so_far->not_possible;

  /* Translators: reports done, of how many, how many failed and were
   * skipped, and whose was last */
  post_progress (user_data, so_far->total ? (double) done / so_far->total : 1.0,
                 g_strdup_printf (_("%u of %u · %u failed · %u skipped · %s"), done,
                                  so_far->total, so_far->failed, skipped, result->person));
}

static void
update_actions (RsWindow *self)
{
  gboolean idle = self->store != NULL && self->import_cancellable == NULL &&
                  self->reports_cancellable == NULL && self->send_cancellable == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-file", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-import",
                                 self->import_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-import-details",
                                 self->last_import != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", self->store != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.generate-reports", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.generate-selected-reports", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-reports",
                                 self->reports_cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send-test", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send-live", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-sending",
                                 self->send_cancellable != NULL);
}

static void
show_message (RsWindow   *self,
              const char *heading,
              const char *body)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
checkpoint_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Not copied now, the log is copied by a later write. */
  if (!rs_store_checkpoint_finish (RS_STORE (object), result, &error))
    g_debug ("Checkpoint after the import: %s", error->message);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  summary = rs_import_file_finish (RS_STORE (object), result, &error);
  g_clear_object (&self->import_cancellable);
  rs_progress_panel_stop (self->progress_panel);

  if (summary == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          toast = adw_toast_new (_("Import cancelled: nothing was changed"));
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
      else
        {
          g_autofree char *body = NULL;

          /* Translators: the reason follows */
          body = g_strdup_printf (_("Nothing was imported and nothing was changed. %s"),
                                  error->message);
          show_message (self, _("Could Not Import the Master File"), body);
        }
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->last_import, rs_import_summary_free);
  self->last_import = g_steal_pointer (&summary);

  counts = rs_import_summary_describe (self->last_import);
  /* Translators: the counts of the import follow */
  title = g_strdup_printf (_("Imported: %s"), counts);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "win.show-import-details");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  update_actions (self);
  rs_window_reload (self);
  /* The import left its rows in the write-ahead log for speed. */
  rs_store_checkpoint_async (self->store, NULL, checkpoint_done_cb, NULL);
}

static void
rs_window_import_file (RsWindow *self,
                       GFile    *file)
{
  g_autofree char *basename = NULL;
  g_autofree char *title = NULL;
  ProgressRelay *relay;

  g_return_if_fail (self->store != NULL);
  g_return_if_fail (self->import_cancellable == NULL);

  self->import_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), self->import_cancellable,
                           G_CONNECT_SWAPPED);

  basename = g_file_get_basename (file);
  title = g_strdup_printf (_("Importing “%s”…"), basename);
  rs_progress_panel_start (self->progress_panel, title, "win.cancel-import");

  relay = g_atomic_rc_box_new0 (ProgressRelay);
  g_weak_ref_init (&relay->window, self);

  rs_import_file_async (self->store, file, import_progress_cb, relay,
                        self->import_cancellable, import_done_cb, g_object_ref (self));
  /* The task keeps the relay for its progress; updates in flight hold their own. */
  g_object_set_data_full (G_OBJECT (self->import_cancellable), "rs-progress-relay", relay,
                          (GDestroyNotify) progress_relay_unref);
  update_actions (self);
}

static void
import_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (g_variant_get_string (parameter, NULL));

  rs_window_import_file (RS_WINDOW (widget), file);
}

static void
close_import_chooser (RsWindow *self)
{
  GtkFileChooserNative *chooser = g_steal_pointer (&self->import_chooser);

  g_signal_handlers_disconnect_by_data (chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_object_unref (chooser);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  RsWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->import_cancellable == NULL && self->store)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        rs_window_import_file (self, file);
    }

  close_import_chooser (self);
}

/**
 * rs_window_get_import_chooser:
 *
 * Returns: (transfer none) (nullable): the file chooser that win.import
 *   opened, while it is open
 */
GtkFileChooser *
rs_window_get_import_chooser (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return self->import_chooser != NULL ? GTK_FILE_CHOOSER (self->import_chooser) : NULL;
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) csv = NULL;
  g_autoptr(GtkFileFilter) all = NULL;

  /* One at a time: a second Ctrl+O finds the first still open. */
  if (self->import_chooser != NULL)
    return;

  csv = gtk_file_filter_new ();
  all = gtk_file_filter_new ();
  chooser = gtk_file_chooser_native_new (_("Import Master File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  gtk_file_filter_set_name (csv, _("CSV Files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "CSV");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);

  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  self->import_chooser = chooser;
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_import_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
}

static void
show_import_details_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  RsImportDetailsWindow *details;

  if (self->last_import == NULL)
    return;

  details = rs_import_details_window_new (GTK_WINDOW (self), self->last_import);
  gtk_window_present (GTK_WINDOW (details));
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rs_export_status_to_file_finish (RS_STORE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Could Not Export the Status"), error->message);
      return;
    }

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Status exported")));
}

/* Exports the status of every respondent to @file in a worker thread. */
void
rs_window_export (RsWindow *self,
                  GFile    *file)
{
  g_return_if_fail (RS_IS_WINDOW (self));
  g_return_if_fail (self->store != NULL);

  rs_export_status_to_file_async (self->store, file, self->cancellable, export_done_cb,
                                  g_object_ref (self));
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    gpointer         user_data)
{
  RsWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->store != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        rs_window_export (self, file);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export Status"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* Translators: the default file name of an export; %s is the date */
  name = g_strdup_printf (_("resiliencescan-status-%s.csv"), date);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The reports folder from Preferences, or the default one. */
char *
rs_window_dup_reports_folder (RsWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "reports-folder");

  if (folder[0] == '\0')
    return rs_report_default_folder ();

  return g_steal_pointer (&folder);
}

static void
show_report_problems_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;
  guint shown = 0;

  if (self->last_reports == NULL)
    return;

  for (guint i = 0; i < self->last_reports->results->len; i++)
    {
      RsReportResult *result = g_ptr_array_index (self->last_reports->results, i);

      if (result->reason == NULL)
        continue;
      if (++shown > 30)
        {
          g_string_append (body, "…\n");
          break;
        }
      /* Translators: person, company and why their report was not made */
      g_string_append_printf (body, _("%s (%s): %s\n"), result->person, result->company,
                              result->reason);
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Reports Not Made"), body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reports_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *title = NULL;
  gboolean cancelled;
  AdwToast *toast;

  summary = rs_report_job_run_finish (RS_STORE (object), result, &error);
  cancelled = g_cancellable_is_cancelled (self->reports_cancellable);
  g_clear_object (&self->reports_cancellable);
  rs_progress_panel_stop (self->progress_panel);
  update_actions (self);

  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Could Not Make the Reports"), error->message);
      return;
    }

  g_clear_pointer (&self->last_reports, rs_report_summary_free);
  self->last_reports = g_steal_pointer (&summary);

  counts = rs_report_summary_describe (self->last_reports);
  if (cancelled)
    /* Translators: the counts follow */
    title = g_strdup_printf (_("Reports stopped: %s"), counts);
  else
    /* Translators: the counts follow */
    title = g_strdup_printf (_("Reports: %s"), counts);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 10);
  if (self->last_reports->failed + self->last_reports->not_possible > 0)
    {
      adw_toast_set_button_label (toast, _("_Details"));
      adw_toast_set_action_name (toast, "win.show-report-problems");
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  rs_window_reload (self);
}

/**
 * rs_window_generate_reports:
 * @ids: (nullable): the respondents, or %NULL for everyone
 *
 * Makes reports in the background, with progress and Cancel.
 */
void
rs_window_generate_reports (RsWindow     *self,
                            const gint64 *ids,
                            guint         n_ids)
{
  g_autofree char *folder = NULL;
  ProgressRelay *relay;

  g_return_if_fail (RS_IS_WINDOW (self));

  if (self->store == NULL || rs_window_get_busy (self))
    return;

  folder = rs_window_dup_reports_folder (self);
  self->reports_cancellable = g_cancellable_new ();
  g_signal_connect_object (self->cancellable, "cancelled",
                           G_CALLBACK (g_cancellable_cancel), self->reports_cancellable,
                           G_CONNECT_SWAPPED);

  relay = g_atomic_rc_box_new0 (ProgressRelay);
  g_weak_ref_init (&relay->window, self);
  g_object_set_data_full (G_OBJECT (self->reports_cancellable), "rs-progress-relay", relay,
                          (GDestroyNotify) progress_relay_unref);

  rs_progress_panel_start (self->progress_panel, _("Making reports…"), "win.cancel-reports");
  rs_report_job_run_async (self->store, folder, ids, n_ids, FALSE, report_progress_cb, relay,
                           self->reports_cancellable, reports_done_cb, g_object_ref (self));
  update_actions (self);
}

static void
generate_reports_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  rs_window_generate_reports (RS_WINDOW (widget), NULL, 0);
}

static void
generate_selected_reports_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GArray) ids = rs_respondent_view_get_selected_ids (self->respondent_view);

  if (ids->len > 0)
    rs_window_generate_reports (self, (gint64 *) ids->data, ids->len);
}

static void
cancel_reports_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (self->reports_cancellable != NULL)
    g_cancellable_cancel (self->reports_cancellable);
}

static void
edit_template_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsTemplateWindow *editor = rs_template_window_new (GTK_WINDOW (widget));

  gtk_window_present (GTK_WINDOW (editor));
}

/* Sending: the settings become a plan in a worker (who is sent, who is
 * skipped and why, and the password from the keyring); a summary asks for
 * confirmation; then the send job runs with progress and Stop. */

typedef struct
{
  RsSendMode mode;
  char *url;
  char *user;
  char *password;
  char *ca_file;
  char *from_address;
  char *from_name;
  char *reply_to;
  char *test_address;
  char *subject[2];
  char *body[2];
  gboolean starttls;
  guint rate;
  RsSendOptions options;
  RsSendPlan *plan;
} SendSetup;

static void
wipe (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
send_setup_free (gpointer data)
{
  SendSetup *setup = data;

  g_free (setup->url);
  g_free (setup->user);
  wipe (&setup->password);
  g_free (setup->ca_file);
  g_free (setup->from_address);
  g_free (setup->from_name);
  g_free (setup->reply_to);
  g_free (setup->test_address);
  for (guint i = 0; i < 2; i++)
    {
      g_free (setup->subject[i]);
      g_free (setup->body[i]);
    }
  g_clear_pointer (&setup->plan, rs_send_plan_free);
  g_free (setup);
}

static char *
empty_to_null (char *text)
{
  if (text != NULL && text[0] == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static SendSetup *
send_setup_new (RsWindow   *self,
                RsSendMode  mode)
{
  SendSetup *setup = g_new0 (SendSetup, 1);
  g_autofree char *security = g_settings_get_string (self->settings, "smtp-security");
  static const char *languages[] = { "en", "nl" };

  setup->mode = mode;
  setup->url = g_settings_get_string (self->settings, "smtp-url");
  setup->user = empty_to_null (g_settings_get_string (self->settings, "smtp-user"));
  setup->from_address = g_settings_get_string (self->settings, "from-address");
  setup->from_name = empty_to_null (g_settings_get_string (self->settings, "from-name"));
  setup->reply_to = empty_to_null (g_settings_get_string (self->settings, "reply-to"));
  setup->test_address = g_settings_get_string (self->settings, "test-address");
  setup->starttls = g_str_equal (security, "starttls");
  setup->rate = g_settings_get_uint (self->settings, "rate-limit");
  for (guint i = 0; i < 2; i++)
    {
      setup->subject[i] = rs_template_dup_subject (self->settings, languages[i]);
      setup->body[i] = rs_template_dup_body (self->settings, languages[i]);
    }

  setup->options.mode = mode;
  setup->options.test_address = setup->test_address;
  setup->options.mailer.url = setup->url;
  setup->options.mailer.starttls_required = setup->starttls;
  setup->options.mailer.user = setup->user;
  setup->options.mailer.connect_timeout_s = 30;
  setup->options.mailer.timeout_s = 120;
  setup->options.from_address = setup->from_address;
  setup->options.from_name = setup->from_name;
  setup->options.reply_to = setup->reply_to;
  setup->options.subject_en = setup->subject[0];
  setup->options.body_en = setup->body[0];
  setup->options.subject_nl = setup->subject[1];
  setup->options.body_nl = setup->body[1];
  setup->options.rate_per_minute = setup->rate;

  return setup;
}

static gpointer
plan_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  SendSetup *setup = data;

  setup->plan = rs_send_job_plan (store, &setup->options, error);
  if (setup->plan == NULL)
    return NULL;

  /* A keyring that cannot be reached leaves the password to be asked for. */
  if (setup->user != NULL)
    setup->password = rs_secret_lookup (setup->url, setup->user, cancellable, NULL);

  return GINT_TO_POINTER (TRUE);
}

static void
send_progress_cb (const RsSendSummary *so_far,
                  const RsSendItem    *current,
                  const RsSendResult  *result,
                  gpointer             user_data)
{
  guint done = so_far->sent + so_far->failed + so_far->deferred;
  guint total = so_far->plan ? so_far->plan->to_send->len : so_far->total;

  /* Translators: messages done, of how many, how many failed, and to whom */
  post_progress (user_data, total ? (double) done / total : 1.0,
                 g_strdup_printf (_("%u of %u · %u failed · %s"), done, total, so_far->failed,
                                  current ? current->person : ""));
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
  AdwToast *toast;

  summary = rs_send_job_run_finish (RS_STORE (object), result, &error);
  g_clear_object (&self->send_cancellable);
  rs_progress_panel_stop (self->progress_panel);
  update_actions (self);
  rs_window_reload (self);
  /* The import left its rows in the write-ahead log for speed. */
  rs_store_checkpoint_async (self->store, NULL, checkpoint_done_cb, NULL);

  if (summary == NULL)
    {
      show_message (self, _("Sending Stopped"), error->message);
      return;
    }

  counts = rs_send_summary_describe (summary);
  toast = adw_toast_new (counts);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
start_sending (RsWindow  *self,
               SendSetup *setup)
{
  ProgressRelay *relay;

  self->send_cancellable = g_cancellable_new ();
  relay = g_atomic_rc_box_new0 (ProgressRelay);
  g_weak_ref_init (&relay->window, self);
  g_object_set_data_full (G_OBJECT (self->send_cancellable), "rs-progress-relay", relay,
                          (GDestroyNotify) progress_relay_unref);

  setup->options.mailer.password = setup->password;
  rs_progress_panel_start (self->progress_panel,
                           setup->mode == RS_SEND_MODE_LIVE ? _("Sending reports…")
                                                            : _("Sending test messages…"),
                           "win.stop-sending");
  /* The job copies the options, the password included. */
  rs_send_job_run_async (self->store, &setup->options, send_progress_cb, relay,
                         self->send_cancellable, send_done_cb, g_object_ref (self));
  update_actions (self);
}

static void
send_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  RsWindow *self = user_data;
  SendSetup *setup = g_object_get_data (G_OBJECT (dialog), "rs-send-setup");
  GtkEditable *password = g_object_get_data (G_OBJECT (dialog), "rs-password");

  if (!g_str_equal (response, "send") || self->store == NULL || rs_window_get_busy (self))
    return;

  if (password != NULL)
    {
      wipe (&setup->password);
      setup->password = g_strdup (gtk_editable_get_text (password));
      gtk_editable_set_text (password, "");
      /* GTK 4.8's password entry crashes when its window is destroyed while it
       * has the focus, as after Enter in it. */
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
    }

  start_sending (self, setup);
}

static char *
describe_skipped (RsSendPlan *plan)
{
  g_autoptr(GHashTable) reasons = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer reason, count;

  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);

      g_hash_table_insert (reasons, item->reason,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (reasons,
                                                                                    item->reason)) + 1));
    }

  g_hash_table_iter_init (&iter, reasons);
  while (g_hash_table_iter_next (&iter, &reason, &count))
    /* Translators: how many were skipped, and why */
    g_string_append_printf (text, _("\n• %u: %s"), GPOINTER_TO_UINT (count),
                            (const char *) reason);

  return g_string_free (g_steal_pointer (&text), FALSE);
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
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *skipped = NULL;
  g_autofree char *button = NULL;
  SendSetup *setup = call->setup;
  GtkWidget *dialog;
  guint n;

  if (rs_store_run_finish (RS_STORE (object), result, &error) == NULL)
    {
      send_setup_free (setup);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Could Not Prepare Sending"), error->message);
      return;
    }

  n = setup->plan->to_send->len;
  if (setup->mode == RS_SEND_MODE_LIVE)
    {
      heading = g_strdup_printf (ngettext ("Send the Report to %u Respondent?",
                                           "Send the Reports to %u Respondents?", n), n);
      button = g_strdup_printf (ngettext ("_Send to %u Respondent", "_Send to %u Respondents", n),
                                n);
    }
  else
    {
      heading = g_strdup_printf (ngettext ("Send %u Test Message?", "Send %u Test Messages?",
                                           n), n);
      button = g_strdup (_("_Send Test Messages"));
    }

  skipped = describe_skipped (setup->plan);
  /* Translators: where, from whom, how fast, and who is skipped */
  body = g_strdup_printf (_("%s\nServer: %s\nFrom: %s\nAt most %u a minute, about %u minutes."
                            "\nSkipped: %u%s"),
                          setup->mode == RS_SEND_MODE_LIVE
                            ? _("Each respondent gets their own report. This cannot be undone.")
                            : _("Every message goes to the test address; no status changes."),
                          setup->url, setup->from_address, setup->rate,
                          setup->rate ? (n + setup->rate - 1) / setup->rate : 0,
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

  /* Without a password from the keyring, it is asked for now. */
  if (setup->user != NULL && setup->password == NULL)
    {
      GtkWidget *entry = gtk_password_entry_new ();

      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
      g_object_set (entry, "placeholder-text", _("Password of the mail server"), NULL);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
      g_object_set_data (G_OBJECT (dialog), "rs-password", entry);
    }

  g_object_set_data_full (G_OBJECT (dialog), "rs-send-setup", setup, send_setup_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (send_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  RsSendMode mode = g_str_equal (action_name, "win.send-live") ? RS_SEND_MODE_LIVE
                                                               : RS_SEND_MODE_TEST;
  SendSetup *setup;
  PlanCall *call;

  if (self->store == NULL || rs_window_get_busy (self))
    return;

  setup = send_setup_new (self, mode);
  if (setup->url[0] == '\0' || setup->from_address[0] == '\0' ||
      (mode == RS_SEND_MODE_TEST && setup->test_address[0] == '\0'))
    {
      send_setup_free (setup);
      show_message (self, _("Sending Is Not Set Up"),
                    _("Set the mail server, the From address and, for a test round, the "
                      "test address in Preferences → E-mail."));
      return;
    }

  call = g_new0 (PlanCall, 1);
  call->self = g_object_ref (self);
  call->setup = setup;
  rs_store_run_async (self->store, plan_job, setup, NULL, NULL, self->cancellable,
                      plan_done_cb, call);
}

static void
stop_sending_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);

  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  RsWindow *self = user_data;
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = g_value_get_boxed (value);
  if (files == NULL || self->store == NULL || self->import_cancellable != NULL)
    return FALSE;

  rs_window_import_file (self, G_FILE (files->data));
  return TRUE;
}

static void
save_window_state (RsWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);
}

static gboolean
rs_window_close_request (GtkWindow *window)
{
  save_window_state (RS_WINDOW (window));

  return GTK_WINDOW_CLASS (rs_window_parent_class)->close_request (window);
}

static void
rs_window_constructed (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  G_OBJECT_CLASS (rs_window_parent_class)->constructed (object);

  rs_store_open_async (self->database_path, self->cancellable, store_opened_cb,
                       g_object_ref (self));
}

static void
rs_window_dispose (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->import_chooser != NULL)
    close_import_chooser (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_WINDOW);

  G_OBJECT_CLASS (rs_window_parent_class)->dispose (object);
}

static void
rs_window_finalize (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->import_cancellable);
  g_clear_pointer (&self->last_import, rs_import_summary_free);
  g_clear_object (&self->reports_cancellable);
  g_clear_pointer (&self->last_reports, rs_report_summary_free);
  g_clear_object (&self->send_cancellable);
  g_clear_pointer (&self->database_path, g_free);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (rs_window_parent_class)->finalize (object);
}

static void
rs_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RsWindow *self = RS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RsWindow *self = RS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      self->database_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_window_class_init (RsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = rs_window_constructed;
  object_class->dispose = rs_window_dispose;
  object_class->finalize = rs_window_finalize;
  object_class->get_property = rs_window_get_property;
  object_class->set_property = rs_window_set_property;

  window_class->close_request = rs_window_close_request;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         RS_TYPE_STORE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/rs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, progress_panel);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, respondent_view);
  gtk_widget_class_bind_template_callback (widget_class, view_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.import-file", "s", import_file_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-import", NULL,
                                   cancel_import_action);
  gtk_widget_class_install_action (widget_class, "win.show-import-details", NULL,
                                   show_import_details_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.edit-template", NULL,
                                   edit_template_action);
  gtk_widget_class_install_action (widget_class, "win.send-test", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.send-live", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.stop-sending", NULL, stop_sending_action);
  gtk_widget_class_install_action (widget_class, "win.generate-reports", NULL,
                                   generate_reports_action);
  gtk_widget_class_install_action (widget_class, "win.generate-selected-reports", NULL,
                                   generate_selected_reports_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-reports", NULL,
                                   cancel_reports_action);
  gtk_widget_class_install_action (widget_class, "win.show-report-problems", NULL,
                                   show_report_problems_action);

  g_type_ensure (RS_TYPE_PROGRESS_PANEL);
  g_type_ensure (RS_TYPE_RESPONDENT_VIEW);
}

static void
rs_window_init (RsWindow *self)
{
  GtkDropTarget *drop;

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}
