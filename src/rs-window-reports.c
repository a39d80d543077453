/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-reports"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-benchmark.h"
#include "core/rs-branding.h"
#include "core/rs-report.h"
#include "rs-window-private.h"

/* How long the institution's look must stay as it is before the reports
 * are marked outdated: typing in its rows changes the setting each key. */
#define BRANDING_SETTLE_MS 1500

/* Making reports: for everyone or the selected respondents, in the
 * background, with progress and Cancel. */

static void
report_progress_cb (const RsReportSummary *so_far,
                    const RsReportResult  *result,
                    gpointer               user_data)
{
  guint done = so_far->results->len;
  guint skipped = so_far->up_to_date + so_far->not_possible;

  /* Translators: reports done, of how many, how many failed and were
   * skipped, and whose was last */
  rs_job_progress_post (user_data, so_far->total ? (double) done / so_far->total : 1.0,
                        g_strdup_printf (_("%u of %u · %u failed · %u skipped · %s"), done,
                                         so_far->total, so_far->failed, skipped,
                                         result->person));
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

  rs_window_show_message (self, _("Reports Not Made"), body->str);
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
  cancelled = rs_job_runner_get_cancelled (self->runner);
  rs_job_runner_finish (self->runner);

  if (summary == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        rs_window_show_message (self, _("Could Not Make the Reports"), error->message);
      rs_window_job_finished (self);
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
  rs_window_add_toast (self, toast);
  rs_window_reload (self);
  rs_window_job_finished (self);
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
  GCancellable *cancellable;
  RsJobProgress *progress;

  g_return_if_fail (RS_IS_WINDOW (self));

  if (!rs_window_is_idle (self))
    return;

  folder = rs_window_dup_reports_folder (self);
  cancellable = rs_job_runner_start (self->runner, RS_JOB_REPORTS, _("Making reports…"),
                                     self->cancellable);
  progress = rs_job_progress_ref (rs_job_runner_get_progress (self->runner));
  g_object_set_data_full (G_OBJECT (cancellable), "rs-progress", progress,
                          (GDestroyNotify) rs_job_progress_unref);

  rs_report_job_run_async (self->store, folder, ids, n_ids, FALSE, report_progress_cb,
                           progress, cancellable, reports_done_cb, g_object_ref (self));
  rs_window_update_actions (self);
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
benchmark_setting_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  RsStore *store = task_data;
  gboolean enabled = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "enabled"));
  g_autoptr(GError) error = NULL;

  if (!rs_benchmark_setting_changed (store, enabled, &error))
    g_warning ("Could not mark the reports outdated after the peer benchmark was switched "
               "%s: %s", enabled ? "on" : "off", error->message);
  rs_store_release_connection (store);
  g_task_return_boolean (task, TRUE);
}

/* The peer benchmark switched on or off in Preferences: the reports it adds
 * the block to or takes it from show as outdated (the table follows the
 * database as after any write). */
static void
benchmark_setting_changed_cb (RsWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL)
    return;

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, benchmark_setting_changed_cb);
  g_object_set_data (G_OBJECT (task), "enabled",
                     GINT_TO_POINTER (g_settings_get_boolean (self->settings,
                                                              "report-benchmark")));
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, benchmark_setting_thread);
}

static void
branding_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  RsStore *store = task_data;
  g_autoptr(GError) error = NULL;

  if (!rs_branding_outdate_reports (store, &error))
    g_warning ("Could not mark the reports outdated after the institution's look changed: %s",
               error->message);
  rs_store_release_connection (store);
  g_task_return_boolean (task, TRUE);
}

static gboolean
branding_settled_cb (gpointer user_data)
{
  RsWindow *self = user_data;
  g_autoptr(GTask) task = NULL;

  self->branding_timeout = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, branding_settled_cb);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, branding_thread);

  return G_SOURCE_REMOVE;
}

/* The institution's look changed in Preferences: once the typing stops,
 * every report made shows as outdated, as the report run will see them. */
static void
settings_changed_cb (RsWindow   *self,
                     const char *key)
{
  static const char *branding_keys[] = {
    "report-organisation", "report-logo", "report-partner-logos", "report-notice-en",
    "report-notice-nl", "report-footer",
  };

  for (guint i = 0; i < G_N_ELEMENTS (branding_keys); i++)
    if (g_strcmp0 (key, branding_keys[i]) == 0)
      {
        g_clear_handle_id (&self->branding_timeout, g_source_remove);
        self->branding_timeout = g_timeout_add (BRANDING_SETTLE_MS, branding_settled_cb, self);
        return;
      }
}

void
rs_window_reports_init (RsWindow *self)
{
  g_signal_connect_object (self->settings, "changed::report-benchmark",
                           G_CALLBACK (benchmark_setting_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
branding_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_application_release (user_data);
  g_object_unref (user_data);
}

void
rs_window_reports_dispose (RsWindow *self)
{
  GApplication *application = g_application_get_default ();
  g_autoptr(GTask) task = NULL;

  if (self->branding_timeout == 0)
    return;

  /* Closed right after the look changed: the reports are marked all the
   * same, the application held until they are. */
  g_clear_handle_id (&self->branding_timeout, g_source_remove);
  if (self->store == NULL || application == NULL)
    return;

  g_application_hold (application);
  task = g_task_new (NULL, NULL, branding_done_cb, g_object_ref (application));
  g_task_set_source_tag (task, rs_window_reports_dispose);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, branding_thread);
}

void
rs_window_reports_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.generate-reports", NULL,
                                   generate_reports_action);
  gtk_widget_class_install_action (widget_class, "win.generate-selected-reports", NULL,
                                   generate_selected_reports_action);
  gtk_widget_class_install_action (widget_class, "win.show-report-problems", NULL,
                                   show_report_problems_action);
}
