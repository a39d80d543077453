/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-export-flow"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-export.h"
#include "rs-export-flow.h"

/* Exporting the status, as a person does it: a file chooser that starts in
 * Documents and asks who (the respondents shown, or everyone), which
 * separator (Excel in Dutch wants semicolons) and, by its filter, CSV or an
 * Excel workbook; the file written in a worker;
 * a toast that can open it. The separator offered first follows the
 * locale's decimal comma until the person picks the other one, which is
 * then remembered. */

struct _RsExportFlow
{
  GObject parent_instance;

  AdwToastOverlay *toasts;
  RsStore *store;
  GArray *visible_ids;
  GCancellable *cancellable;
  GSettings *settings;

  GtkFileChooserNative *chooser;
  GtkFileFilter *xlsx_filter;
  const char *offered_separator;
  GFile *file;
  gint64 n_written;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (RsExportFlow, rs_export_flow, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Emits ::finished once and lets go of the reference the flow held on
 * itself since rs_export_flow_run(). */
static void
finish (RsExportFlow *self)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
  g_object_unref (self);
}

static void
close_chooser (RsExportFlow *self)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);

  if (chooser == NULL)
    return;

  g_signal_handlers_disconnect_by_data (chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
}

typedef struct
{
  GWeakRef toasts;
  char *name;
} OpenData;

static void
open_data_free (gpointer data)
{
  OpenData *open = data;

  g_weak_ref_clear (&open->toasts);
  g_free (open->name);
  g_free (open);
}

static void
open_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  OpenData *open = user_data;
  g_autoptr(AdwToastOverlay) toasts = g_weak_ref_get (&open->toasts);
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && toasts != NULL)
    {
      g_autofree char *title = NULL;

      /* Translators: the file name, then why */
      title = g_strdup_printf (_("Could not open “%s”: %s"), open->name, error->message);
      adw_toast_overlay_add_toast (toasts, adw_toast_new (title));
    }

  open_data_free (open);
}

static void
open_clicked_cb (AdwToast *toast,
                 gpointer  user_data)
{
  GFile *file = user_data;
  GtkWidget *toasts = g_object_get_data (G_OBJECT (toast), "rs-export-flow-toasts");
  g_autoptr(GdkAppLaunchContext) context = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  OpenData *open = g_new0 (OpenData, 1);

  g_weak_ref_init (&open->toasts, toasts);
  open->name = g_file_get_basename (file);
  if (toasts != NULL)
    context = gdk_display_get_app_launch_context (gtk_widget_get_display (toasts));

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           open_done_cb, open);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(RsExportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (self->file);
  g_autofree char *title = NULL;
  AdwToast *toast;

  self->n_written = rs_export_to_file_finish (RS_STORE (object), result, &error);
  if (self->n_written < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: the file name, then why */
          title = g_strdup_printf (_("Could not export the status to “%s”: %s"), name,
                                   error->message);
          toast = adw_toast_new (title);
          adw_toast_set_timeout (toast, 0);
          adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
          adw_toast_overlay_add_toast (self->toasts, toast);
        }
      finish (self);
      return;
    }

  title = g_strdup_printf (ngettext ("Status of %u respondent exported",
                                     "Status of %u respondents exported",
                                     (gulong) self->n_written),
                           (guint) self->n_written);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Open"));
  g_object_set_data (G_OBJECT (toast), "rs-export-flow-toasts", self->toasts);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (open_clicked_cb),
                         g_object_ref (self->file), (GClosureNotify) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->toasts, toast);

  finish (self);
}

static gboolean
is_xlsx_filter (RsExportFlow  *self,
                GtkFileFilter *filter)
{
  return filter != NULL &&
         (filter == self->xlsx_filter ||
          g_strcmp0 (gtk_file_filter_get_name (filter),
                     gtk_file_filter_get_name (self->xlsx_filter)) == 0);
}

/* The name's extension decides; a name without .csv or .xlsx gets the
 * format of the filter chosen, and keeps its name. */
static RsExportFormat
chosen_format (RsExportFlow *self,
               GFile        *file)
{
  GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (self->chooser));
  g_autofree char *name = g_file_get_basename (file);

  if (rs_export_format_for_file (file) == RS_EXPORT_FORMAT_XLSX)
    return RS_EXPORT_FORMAT_XLSX;
  if (name != NULL && strlen (name) > 4 &&
      g_ascii_strcasecmp (name + strlen (name) - 4, ".csv") == 0)
    return RS_EXPORT_FORMAT_CSV;

  return is_xlsx_filter (self, filter) ? RS_EXPORT_FORMAT_XLSX : RS_EXPORT_FORMAT_CSV;
}

/* Picking the other filter gives the name typed so far the other
 * extension, as office programs do. */
static void
filter_changed_cb (GtkFileChooser *chooser,
                   GParamSpec     *pspec,
                   gpointer        user_data)
{
  RsExportFlow *self = user_data;
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  g_autofree char *name = gtk_file_chooser_get_current_name (chooser);
  const char *extension = is_xlsx_filter (self, filter) ? ".xlsx" : ".csv";
  const char *dot;

  if (filter == NULL || name == NULL)
    return;

  dot = strrchr (name, '.');
  if (dot == NULL || dot == name ||
      (g_ascii_strcasecmp (dot, ".csv") != 0 && g_ascii_strcasecmp (dot, ".xlsx") != 0) ||
      g_ascii_strcasecmp (dot, extension) == 0)
    return;

  {
    g_autofree char *stem = g_strndup (name, dot - name);
    g_autofree char *renamed = g_strconcat (stem, extension, NULL);

    gtk_file_chooser_set_current_name (chooser, renamed);
  }
}

static void
response_cb (GtkNativeDialog *dialog,
             int              response,
             gpointer         user_data)
{
  RsExportFlow *self = user_data;
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  RsExportOptions options = RS_EXPORT_OPTIONS_INIT;
  const char *separator;
  const char *who;

  if (response != GTK_RESPONSE_ACCEPT || (self->file = gtk_file_chooser_get_file (chooser)) == NULL)
    {
      close_chooser (self);
      finish (self);
      return;
    }

  separator = gtk_file_chooser_get_choice (chooser, "separator");
  who = self->visible_ids != NULL ? gtk_file_chooser_get_choice (chooser, "respondents") : NULL;
  /* Only a change is remembered: the locale's choice keeps following it. */
  if (separator != NULL && g_strcmp0 (separator, self->offered_separator) != 0)
    g_settings_set_string (self->settings, "export-separator", separator);

  options.delimiter = g_strcmp0 (separator, "semicolon") == 0 ? ';' : ',';
  options.bom = TRUE;
  options.format = chosen_format (self, self->file);
  if (g_strcmp0 (who, "everyone") != 0)
    options.ids = self->visible_ids;

  rs_export_to_file_async (self->store, self->file, &options, self->cancellable, export_done_cb,
                           g_object_ref (self));
  close_chooser (self);
}

/* GTK 4.8's own chooser, used without a portal, tells its filter changes
 * to its dialog only; a portal's chooser keeps the name as typed. */
static void
follow_filter (RsExportFlow *self,
               GtkWindow    *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          gtk_window_get_transient_for (window) == parent &&
          gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (window)) != NULL &&
          gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (window)) ==
            gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (self->chooser)))
        g_signal_connect_object (window, "notify::filter", G_CALLBACK (filter_changed_cb), self,
                                 0);
    }
}

static GFile *
documents_folder (void)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (documents);

  return g_file_new_for_path (g_get_home_dir ());
}

static const char *
separator_to_offer (RsExportFlow *self)
{
  g_autofree char *saved = g_settings_get_string (self->settings, "export-separator");

  if (g_str_equal (saved, "semicolon"))
    return "semicolon";
  if (g_str_equal (saved, "comma"))
    return "comma";

  return rs_export_locale_delimiter () == ';' ? "semicolon" : "comma";
}

/**
 * rs_export_flow_run:
 * @parent: the window the chooser belongs to
 * @toasts: where the result is told
 * @visible_ids: (nullable) (element-type gint64): the respondents the view
 *   shows, in its order; %NULL when it shows everyone, and then the chooser
 *   does not ask
 * @cancellable: (nullable): stops the export
 *
 * Opens the chooser. The flow keeps itself alive until ::finished: after
 * the chooser was cancelled, or when the file was written or could not be.
 * When @parent goes away first, call rs_export_flow_cancel() and cancel
 * @cancellable.
 *
 * Returns: (transfer none): the flow
 */
RsExportFlow *
rs_export_flow_run (GtkWindow       *parent,
                    AdwToastOverlay *toasts,
                    RsStore         *store,
                    GArray          *visible_ids,
                    GCancellable    *cancellable)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *name = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GtkFileFilter) csv = NULL;
  RsExportFlow *self;
  GtkFileChooser *chooser;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (ADW_IS_TOAST_OVERLAY (toasts), NULL);
  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = g_object_new (RS_TYPE_EXPORT_FLOW, NULL);
  self->toasts = g_object_ref (toasts);
  self->store = g_object_ref (store);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (visible_ids != NULL)
    {
      self->visible_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), visible_ids->len);
      g_array_append_vals (self->visible_ids, visible_ids->data, visible_ids->len);
    }

  self->chooser = gtk_file_chooser_native_new (_("Export Status"), parent,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  folder = documents_folder ();
  gtk_file_chooser_set_current_folder (chooser, folder, NULL);
  /* Translators: the default file name of an export; %s is the date */
  name = g_strdup_printf (_("resiliencescan-status-%s.csv"), date);
  gtk_file_chooser_set_current_name (chooser, name);

  /* Without a filter GTK's own chooser shows an empty "(None)" list. */
  csv = gtk_file_filter_new ();
  gtk_file_filter_set_name (csv, _("CSV Files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_chooser_add_filter (chooser, csv);
  self->xlsx_filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (self->xlsx_filter, _("Excel Workbooks"));
  gtk_file_filter_add_mime_type (self->xlsx_filter,
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  gtk_file_filter_add_suffix (self->xlsx_filter, "xlsx");
  gtk_file_chooser_add_filter (chooser, self->xlsx_filter);
  gtk_file_chooser_set_filter (chooser, csv);

  if (self->visible_ids != NULL)
    {
      const char *ids[] = { "shown", "everyone", NULL };
      const char *labels[] = { _("Shown"), _("Everyone"), NULL };

      gtk_file_chooser_add_choice (chooser, "respondents", _("Respondents"), ids, labels);
      gtk_file_chooser_set_choice (chooser, "respondents", "shown");
    }
  {
    const char *comma = _("Comma");
    const char *semicolon =
      _("Semicolon (Excel in Dutch and other languages with a decimal comma)");
    gboolean semicolon_first;

    self->offered_separator = separator_to_offer (self);
    /* The one offered comes first: GTK 4.8's own chooser, used without a
     * portal, does not select by gtk_file_chooser_set_choice(). */
    semicolon_first = g_str_equal (self->offered_separator, "semicolon");
    {
      const char *ids[] = {
        semicolon_first ? "semicolon" : "comma",
        semicolon_first ? "comma" : "semicolon",
        NULL
      };
      const char *labels[] = {
        semicolon_first ? semicolon : comma,
        semicolon_first ? comma : semicolon,
        NULL
      };

      gtk_file_chooser_add_choice (chooser, "separator", _("Separator"), ids, labels);
      gtk_file_chooser_set_choice (chooser, "separator", self->offered_separator);
    }
  }

  g_signal_connect (self->chooser, "response", G_CALLBACK (response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  follow_filter (self, parent);

  return self;
}

/**
 * rs_export_flow_cancel:
 *
 * Closes the chooser if it is open; an export already running stops with
 * the cancellable given to rs_export_flow_run().
 */
void
rs_export_flow_cancel (RsExportFlow *self)
{
  g_return_if_fail (RS_IS_EXPORT_FLOW (self));

  if (self->chooser == NULL)
    return;

  close_chooser (self);
  finish (self);
}

/* Returns: (transfer none) (nullable): the chooser, while it is open */
GtkFileChooser *
rs_export_flow_get_chooser (RsExportFlow *self)
{
  g_return_val_if_fail (RS_IS_EXPORT_FLOW (self), NULL);

  return self->chooser != NULL ? GTK_FILE_CHOOSER (self->chooser) : NULL;
}

/* Returns: (transfer none) (nullable): the file chosen */
GFile *
rs_export_flow_get_file (RsExportFlow *self)
{
  g_return_val_if_fail (RS_IS_EXPORT_FLOW (self), NULL);

  return self->file;
}

/* Returns: how many respondents were written; -1 before, or when nothing was */
gint64
rs_export_flow_get_n_written (RsExportFlow *self)
{
  g_return_val_if_fail (RS_IS_EXPORT_FLOW (self), -1);

  return self->n_written;
}

static void
rs_export_flow_dispose (GObject *object)
{
  RsExportFlow *self = (RsExportFlow *)object;

  close_chooser (self);
  g_clear_object (&self->toasts);

  G_OBJECT_CLASS (rs_export_flow_parent_class)->dispose (object);
}

static void
rs_export_flow_finalize (GObject *object)
{
  RsExportFlow *self = (RsExportFlow *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_object (&self->xlsx_filter);
  g_clear_pointer (&self->visible_ids, g_array_unref);

  G_OBJECT_CLASS (rs_export_flow_parent_class)->finalize (object);
}

static void
rs_export_flow_class_init (RsExportFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rs_export_flow_dispose;
  object_class->finalize = rs_export_flow_finalize;

  /**
   * RsExportFlow::finished:
   *
   * The chooser was cancelled, or the export is over: written (a toast says
   * so and can open the file) or failed (a toast says why).
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rs_export_flow_init (RsExportFlow *self)
{
  self->settings = g_settings_new (APP_ID);
  self->n_written = -1;
}
