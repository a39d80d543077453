/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-export.h"
#include "core/rs-send-job.h"
#include "rs-activity-window.h"
#include "rs-companies-window.h"
#include "rs-details-window.h"
#include "rs-export-flow.h"
#include "rs-template-window.h"
#include "rs-window-private.h"

G_DEFINE_FINAL_TYPE (RsWindow, rs_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* Whether an import, a report run or a send is running. */
gboolean
rs_window_get_busy (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), FALSE);

  return rs_job_runner_get_busy (self->runner);
}

/* Which page the window shows: loading, empty, error or respondents. */
const char *
rs_window_get_page_name (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
rs_window_is_idle (RsWindow *self)
{
  return self->store != NULL && self->runner != NULL && !rs_job_runner_get_busy (self->runner);
}

/* Once the window is closing, what a job has to say goes with it. */
void
rs_window_add_toast (RsWindow *self,
                     AdwToast *toast)
{
  if (self->close_when_done || self->toast_overlay == NULL)
    {
      g_object_unref (g_object_ref_sink (toast));
      return;
    }

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
rs_window_show_message (RsWindow   *self,
                        const char *heading,
                        const char *body)
{
  GtkWidget *dialog;

  if (self->close_when_done)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The table and the overview are offered once there are respondents. */
static void
show_page (RsWindow   *self,
           const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title,
                                                     g_str_equal (name, "respondents"));
}

static void
show_error (RsWindow     *self,
            const char   *title,
            const GError *error)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  show_page (self, "error");
}

static void
view_changed_cb (RsWindow *self)
{
  if (!rs_respondent_view_get_loaded (self->respondent_view))
    return;

  show_page (self, rs_respondent_view_get_n_respondents (self->respondent_view) > 0
                   ? "respondents" : "empty");
  rs_window_update_actions (self);
}

/* Alt+1, Alt+2: the table or the overview */
static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (!g_str_equal (name, "table") && !g_str_equal (name, "overview"))
    return;
  if (!g_str_equal (gtk_stack_get_visible_child_name (self->stack), "respondents"))
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* Which view the window shows: table or overview. */
const char *
rs_window_get_view_name (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
rs_window_reload (RsWindow *self)
{
  if (self->store != NULL)
    rs_respondent_view_refresh (self->respondent_view);
}

static void
checkpoint_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Not copied now, the log is copied by a later write. */
  if (!rs_store_checkpoint_finish (RS_STORE (object), result, &error))
    g_debug ("Checkpoint: %s", error->message);
}

/* Copies the write-ahead log into the database, in the background. */
void
rs_window_checkpoint (RsWindow *self)
{
  if (self->store != NULL)
    rs_store_checkpoint_async (self->store, NULL, checkpoint_done_cb, NULL);
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

/* Records left `sending` by a send in another process that died (the
 * command line, say) become `unknown` as soon as the table shows them, not
 * only at the next start; a send that still runs keeps them. */
static void
sending_changed_cb (RsWindow *self)
{
  if (self->store == NULL || rs_respondent_view_get_n_sending (self->respondent_view) == 0 ||
      rs_job_runner_get_kind (self->runner) == RS_JOB_SEND)
    return;

  rs_store_run_async (self->store, recover_job, NULL, NULL, NULL, self->cancellable,
                      recovered_cb, NULL);
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
  rs_window_update_actions (self);
  rs_respondent_view_set_store (self->respondent_view, store);
  rs_overview_page_set_store (self->overview_page, store);

  /* Records a crashed send left in `sending` become `unknown` now. */
  rs_store_run_async (store, recover_job, NULL, NULL, NULL, self->cancellable, recovered_cb,
                      NULL);
}

void
rs_window_update_actions (RsWindow *self)
{
  gboolean idle = rs_window_is_idle (self);
  gboolean any = idle && rs_respondent_view_get_n_respondents (self->respondent_view) > 0;
  guint selected = rs_respondent_view_get_n_selected (self->respondent_view);
  GtkWidget *widget = GTK_WIDGET (self);

  /* Signals of the template arrive before the runner exists. */
  if (self->runner == NULL)
    return;

  gtk_widget_action_set_enabled (widget, "win.import", idle);
  gtk_widget_action_set_enabled (widget, "win.import-file", idle);
  gtk_widget_action_set_enabled (widget, "win.cancel-job", rs_job_runner_get_busy (self->runner));
  /* An import of an earlier session is kept in the database */
  gtk_widget_action_set_enabled (widget, "win.show-import-details",
                                 self->last_import != NULL || (self->store != NULL && any));
  gtk_widget_action_set_enabled (widget, "win.show-report-problems", self->last_reports != NULL);
  gtk_widget_action_set_enabled (widget, "win.export", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "win.export-dashboard", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "win.show-companies", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "win.show-activity", self->store != NULL);
  gtk_widget_action_set_enabled (widget, "win.generate-reports", any);
  gtk_widget_action_set_enabled (widget, "win.generate-selected-reports", any && selected > 0);
  gtk_widget_action_set_enabled (widget, "win.send-test", any);
  gtk_widget_action_set_enabled (widget, "win.send-selected", any && selected > 0);
  gtk_widget_action_set_enabled (widget, "win.send-live", any);
  gtk_widget_action_set_enabled (widget, "win.send-retry", any);
  gtk_widget_action_set_enabled (widget, "win.mark-sent", self->store && selected > 0);
  gtk_widget_action_set_enabled (widget, "win.mark-failed", self->store && selected > 0);
  gtk_widget_action_set_enabled (widget, "win.mark-pending", self->store && selected > 0);
  gtk_widget_action_set_enabled (widget, "win.show-details", selected > 0);
  gtk_widget_action_set_enabled (widget, "win.open-report", selected > 0);
  gtk_widget_action_set_enabled (widget, "win.undo", self->undo != NULL);
  gtk_widget_action_set_enabled (widget, "win.search",
                                 rs_respondent_view_get_n_respondents (self->respondent_view) > 0);
  /* Menu buttons name no action: they follow what their menu can do. */
  gtk_widget_set_sensitive (self->send_button, any);
  gtk_widget_set_sensitive (self->send_icon_button, any);
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_button),
                            rs_respondent_view_get_n_respondents (self->respondent_view) > 0);
}

/* Closing while a job runs: the window asks, and stops the job first. */

static void
close_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  RsWindow *self = user_data;

  self->close_dialog = NULL;
  if (!g_str_equal (response, "stop"))
    return;

  if (!rs_job_runner_get_busy (self->runner))
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  /* A send finishes the message in flight, then the window closes. */
  self->close_when_done = TRUE;
  rs_job_runner_cancel (self->runner);
}

static void
ask_before_closing (RsWindow *self)
{
  const char *heading;
  const char *body;
  const char *keep;
  const char *stop;
  GtkWidget *dialog;

  if (self->close_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return;
    }

  switch (rs_job_runner_get_kind (self->runner))
    {
    case RS_JOB_SEND:
      heading = _("Stop Sending?");
      body = _("Reports are being sent. Stopping finishes the message being sent now; "
               "the others stay pending and can be sent later.");
      keep = _("_Keep Sending");
      stop = _("_Stop Sending");
      break;
    case RS_JOB_REPORTS:
      heading = _("Stop Making Reports?");
      body = _("Reports are being made. The reports made so far are kept.");
      keep = _("_Keep Making Reports");
      stop = _("_Stop Making Reports");
      break;
    case RS_JOB_IMPORT:
    case RS_JOB_NONE:
    default:
      heading = _("Stop Importing?");
      body = _("A master file is being imported. Stopping changes nothing: the import "
               "is all or nothing.");
      keep = _("_Keep Importing");
      stop = _("_Stop Importing");
      break;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", keep,
                                    "stop", stop,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "stop",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  self->close_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A job has ended and returned its result, which the flow has shown: the
 * last thing a flow does, as the window may close now. */
void
rs_window_job_finished (RsWindow *self)
{
  rs_window_update_actions (self);

  if (self->close_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->close_dialog)));
  if (self->close_when_done)
    gtk_window_close (GTK_WINDOW (self));
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
  RsWindow *self = RS_WINDOW (window);

  if (rs_job_runner_get_busy (self->runner))
    {
      if (!self->close_when_done)
        ask_before_closing (self);
      return TRUE;
    }

  save_window_state (self);

  return GTK_WINDOW_CLASS (rs_window_parent_class)->close_request (window);
}

static void
cancel_job_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  rs_job_runner_cancel (RS_WINDOW (widget)->runner);
}

/* Actions of the table that have shortcuts: the window's accelerators reach
 * the window's actions, wherever the focus is. */
static void
view_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  const char *name = strchr (action_name, '.') + 1;
  g_autofree char *view_action_name = g_strconcat ("respondents.", name, NULL);

  /* Search and the respondent's actions are the table's. */
  adw_view_stack_set_visible_child_name (self->view_stack, "table");
  gtk_widget_activate_action (GTK_WIDGET (self->respondent_view), view_action_name, NULL);
}

/* Opens the details of the respondent with the id in @parameter, as the
 * import details do for a problem line. */
static void
show_respondent_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  RsDetailsWindow *details;

  if (self->store == NULL || id <= 0)
    return;

  rs_respondent_view_select_ids (self->respondent_view, &id, 1);
  details = rs_details_window_new (GTK_WINDOW (self), self->store, id);
  gtk_window_present (GTK_WINDOW (details));
}

static void
edit_template_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsTemplateWindow *editor = rs_template_window_new (GTK_WINDOW (widget));

  gtk_window_present (GTK_WINDOW (editor));
}

static void
show_companies_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  RsCompaniesWindow *companies;

  if (self->store == NULL)
    return;

  companies = rs_companies_window_new (GTK_WINDOW (self), self->store);
  gtk_window_present (GTK_WINDOW (companies));
}

static void
show_activity_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  RsActivityWindow *activity;

  if (self->store == NULL)
    return;

  activity = rs_activity_window_new (GTK_WINDOW (self), self->store);
  gtk_window_present (GTK_WINDOW (activity));
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
        rs_window_show_message (self, _("Could Not Export the Status"), error->message);
      return;
    }

  rs_window_add_toast (self, adw_toast_new (_("Status exported")));
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

/**
 * rs_window_get_export_chooser:
 *
 * Returns: (transfer none) (nullable): the chooser win.export opened, while
 *   it is open
 */
GtkFileChooser *
rs_window_get_export_chooser (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  if (self->export_flow == NULL)
    return NULL;

  return rs_export_flow_get_chooser (RS_EXPORT_FLOW (self->export_flow));
}

/* The chooser asks whether to write the respondents shown or everyone when
 * a search or a filter hides some. */
static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  g_autoptr(GArray) visible = NULL;
  RsExportFlow *flow;

  if (self->store == NULL || self->export_flow != NULL)
    return;

  if (rs_respondent_view_get_narrowed (self->respondent_view))
    visible = rs_respondent_view_get_visible_ids (self->respondent_view);

  flow = rs_export_flow_run (GTK_WINDOW (self), self->toast_overlay, self->store, visible,
                             self->cancellable);
  g_set_weak_pointer (&self->export_flow, G_OBJECT (flow));
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
  if (files == NULL || !rs_window_is_idle (self))
    return FALSE;

  rs_window_import_file (self, G_FILE (files->data));
  return TRUE;
}

static void
rs_window_constructed (GObject *object)
{
  RsWindow *self = (RsWindow *)object;
  GApplication *application;

  G_OBJECT_CLASS (rs_window_parent_class)->constructed (object);

  application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  self->runner = rs_job_runner_new (self->progress_panel, application);
  g_signal_connect_object (self->runner, "notify::busy", G_CALLBACK (rs_window_update_actions),
                           self, G_CONNECT_SWAPPED);
  rs_window_update_actions (self);

  rs_store_open_async (self->database_path, self->cancellable, store_opened_cb,
                       g_object_ref (self));
}

static void
rs_window_dispose (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_cancellable_cancel (self->cancellable);
  rs_window_import_dispose (self);
  rs_window_reports_dispose (self);
  /* A chooser left open goes with the window. */
  if (self->export_flow != NULL)
    rs_export_flow_cancel (RS_EXPORT_FLOW (self->export_flow));
  if (self->runner != NULL)
    rs_job_runner_cancel (self->runner);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_WINDOW);

  G_OBJECT_CLASS (rs_window_parent_class)->dispose (object);
}

static void
rs_window_finalize (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_clear_weak_pointer (&self->export_flow);
  g_clear_weak_pointer (&self->send_dialog);
  g_clear_object (&self->runner);
  g_clear_object (&self->store);
  g_clear_pointer (&self->last_import, rs_import_summary_free);
  g_clear_pointer (&self->last_reports, rs_report_summary_free);
  g_clear_pointer (&self->undo, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, RsWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, send_button);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, send_icon_button);
  gtk_widget_class_bind_template_callback (widget_class, view_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, rs_window_update_actions);
  gtk_widget_class_bind_template_callback (widget_class, sending_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.cancel-job", NULL, cancel_job_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.edit-template", NULL,
                                   edit_template_action);
  gtk_widget_class_install_action (widget_class, "win.show-companies", NULL,
                                   show_companies_action);
  gtk_widget_class_install_action (widget_class, "win.show-activity", NULL,
                                   show_activity_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "win.show-details", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "win.open-report", NULL, view_action);
  gtk_widget_class_install_action (widget_class, "win.show-respondent", "x",
                                   show_respondent_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  rs_window_import_class_init (widget_class);
  rs_window_reports_class_init (widget_class);
  rs_window_send_class_init (widget_class);
  rs_window_mark_class_init (widget_class);
  rs_window_dashboard_class_init (widget_class);

  g_type_ensure (RS_TYPE_PROGRESS_PANEL);
  g_type_ensure (RS_TYPE_RESPONDENT_VIEW);
  g_type_ensure (RS_TYPE_OVERVIEW_PAGE);
}

static void
rs_window_init (RsWindow *self)
{
  GtkDropTarget *drop;

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  rs_window_reports_init (self);

  g_object_bind_property (rs_respondent_view_get_search_bar (self->respondent_view),
                          "search-mode-enabled", self->search_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

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
