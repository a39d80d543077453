/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-import"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-row-source.h"
#include "rs-import-details-window.h"
#include "rs-window-private.h"

/* Importing a master file: the chooser, the job, its result. */

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
  rs_job_progress_post (user_data, (double) done / (double) total,
                        g_strdup_printf (_("%s of %s"), done_text, total_text));
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
  rs_job_runner_finish (self->runner);

  if (summary == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          rs_window_add_toast (self, adw_toast_new (_("Import cancelled: nothing was changed")));
        }
      else
        {
          g_autofree char *body = NULL;

          /* Translators: the reason follows */
          body = g_strdup_printf (_("Nothing was imported and nothing was changed. %s"),
                                  error->message);
          rs_window_show_message (self, _("Could Not Import the Master File"), body);
        }
      rs_window_job_finished (self);
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
  rs_window_add_toast (self, toast);

  rs_window_reload (self);
  /* The import left its rows in the write-ahead log for speed. */
  rs_window_checkpoint (self);
  rs_window_job_finished (self);
}

/* An import runs as a job from the start: the file is first looked into
 * for its sheets, in a thread, then imported, perhaps after a question. */
typedef struct
{
  RsWindow *window;
  GFile *file;
  GCancellable *cancellable;
  GStrv sheets;
} SheetChoice;

static void
sheet_choice_free (SheetChoice *choice)
{
  g_object_unref (choice->window);
  g_object_unref (choice->file);
  g_object_unref (choice->cancellable);
  g_strfreev (choice->sheets);
  g_free (choice);
}

static void
run_import (SheetChoice *choice,
            const char  *sheet)
{
  RsWindow *self = choice->window;

  rs_import_file_full_async (self->store, choice->file, sheet, import_progress_cb,
                             g_object_get_data (G_OBJECT (choice->cancellable), "rs-progress"),
                             choice->cancellable, import_done_cb, g_object_ref (self));
}

static void
import_not_started (RsWindow *self)
{
  rs_job_runner_finish (self->runner);
  rs_window_add_toast (self, adw_toast_new (_("Import cancelled: nothing was changed")));
  rs_window_job_finished (self);
}

static void
sheet_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  SheetChoice *choice = user_data;
  GtkListBox *list = g_object_get_data (G_OBJECT (dialog), "rs-sheet-list");
  GtkListBoxRow *row = gtk_list_box_get_selected_row (list);

  if (g_str_equal (response, "import") && row != NULL
      && !g_cancellable_is_cancelled (choice->cancellable))
    run_import (choice, choice->sheets[gtk_list_box_row_get_index (row)]);
  else
    import_not_started (choice->window);
}

/* Enter or a double click on a sheet imports it, as Import does. */
static void
sheet_activated_cb (GtkListBox       *list,
                    GtkListBoxRow    *row,
                    AdwMessageDialog *dialog)
{
  gtk_list_box_select_row (list, row);
  /* The default response's button answers and closes, as a click does. */
  gtk_widget_activate_default (GTK_WIDGET (dialog));
}

/* The chosen sheet has a check mark, as a choice in a list does. */
static void
sheet_selected_cb (GtkListBox *list,
                   gpointer    user_data)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "rs-check");

      if (check != NULL)
        gtk_widget_set_opacity (check,
                                gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)) ? 1.0 : 0.0);
    }
}

/* Once the list has its size, the chosen sheet is scrolled into view; the
 * list follows the arrow keys by itself. The rows are placed after the
 * adjustment is told the size, so this waits for both. */
static gboolean
scroll_to_chosen (gpointer user_data)
{
  GtkWidget *row = user_data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;

  if (scrolled == NULL)
    return G_SOURCE_REMOVE;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_adjustment_get_page_size (adjustment) <= 0
      || !gtk_widget_compute_bounds (row, gtk_widget_get_parent (row), &bounds)
      || gtk_adjustment_get_upper (adjustment) < bounds.origin.y + bounds.size.height)
    return G_SOURCE_CONTINUE;

  /* Enter imports it, the arrows choose another. */
  gtk_widget_grab_focus (row);
  gtk_adjustment_clamp_page (adjustment, bounds.origin.y, bounds.origin.y + bounds.size.height);
  return G_SOURCE_REMOVE;
}

static void
chosen_row_mapped_cb (GtkWidget *row)
{
  g_signal_handlers_disconnect_by_func (row, chosen_row_mapped_cb, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, scroll_to_chosen, g_object_ref (row), g_object_unref);
}

/* Several sheets have the columns of a master file: the person picks one
 * from a list in the workbook's order, however many there are, the one the
 * command line would read chosen. */
static void
ask_sheet (SheetChoice *choice)
{
  g_autofree char *basename = g_file_get_basename (choice->file);
  g_autofree char *body = NULL;
  const char *chosen = rs_row_source_choose_sheet ((const char * const *) choice->sheets);
  GtkListBoxRow *chosen_row = NULL;
  GtkAdjustment *adjustment;
  GtkWidget *viewport;
  GtkWidget *dialog;
  GtkWidget *scrolled;
  GtkWidget *list;

  /* Translators: the workbook's file name */
  body = g_strdup_printf (_("More than one sheet of “%s” has the columns of a master file. "
                            "Which one do you want to import?"), basename);
  dialog = adw_message_dialog_new (GTK_WINDOW (choice->window), _("Import Which Sheet?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_BROWSE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (list), FALSE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sheets"), -1);
  for (guint i = 0; choice->sheets[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), choice->sheets[i]);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "rs-check", check);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      if (choice->sheets[i] == chosen)
        chosen_row = GTK_LIST_BOX_ROW (row);
    }
  g_signal_connect (list, "selected-rows-changed", G_CALLBACK (sheet_selected_cb), NULL);
  g_signal_connect (list, "row-activated", G_CALLBACK (sheet_activated_cb), dialog);
  gtk_list_box_select_row (GTK_LIST_BOX (list), chosen_row);

  /* However many sheets, the dialog fits on the screen and Cancel shows. */
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 280);
  /* The list scrolls to the row with the focus itself; a viewport would
   * scroll to the list's start whenever the focus comes back. */
  viewport = gtk_viewport_new (NULL, NULL);
  gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), FALSE);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), list);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), viewport);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_list_box_set_adjustment (GTK_LIST_BOX (list), adjustment);
  g_signal_connect (chosen_row, "map", G_CALLBACK (chosen_row_mapped_cb), NULL);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  g_object_set_data (G_OBJECT (dialog), "rs-sheet-list", list);

  g_signal_connect_data (dialog, "response", G_CALLBACK (sheet_response_cb), choice,
                         (GClosureNotify) sheet_choice_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sheets_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SheetChoice *choice = user_data;
  g_autoptr(GError) error = NULL;

  choice->sheets = rs_import_list_sheets_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      import_not_started (choice->window);
      sheet_choice_free (choice);
      return;
    }

  /* An error is the import's to report, the same way as any other. */
  if (choice->sheets != NULL && g_strv_length (choice->sheets) > 1)
    {
      ask_sheet (choice);
      return;
    }

  run_import (choice, NULL);
  sheet_choice_free (choice);
}

/**
 * rs_window_import_file:
 *
 * Imports @file: a CSV file, or a workbook's sheet with the columns of a
 * master file, asking which when there are several.
 */
void
rs_window_import_file (RsWindow *self,
                       GFile    *file)
{
  g_autofree char *basename = NULL;
  g_autofree char *title = NULL;
  GCancellable *cancellable;
  RsJobProgress *progress;
  SheetChoice *choice;

  g_return_if_fail (self->store != NULL);

  if (!rs_window_is_idle (self))
    return;

  basename = g_file_get_basename (file);
  title = g_strdup_printf (_("Importing “%s”…"), basename);
  cancellable = rs_job_runner_start (self->runner, RS_JOB_IMPORT, title, self->cancellable);
  progress = rs_job_progress_ref (rs_job_runner_get_progress (self->runner));
  /* The task keeps the handle for its progress; updates in flight hold their own. */
  g_object_set_data_full (G_OBJECT (cancellable), "rs-progress", progress,
                          (GDestroyNotify) rs_job_progress_unref);

  /* The file is looked into in a thread: the window never waits for it. */
  choice = g_new0 (SheetChoice, 1);
  choice->window = g_object_ref (self);
  choice->file = g_object_ref (file);
  choice->cancellable = g_object_ref (cancellable);
  rs_import_list_sheets_async (file, cancellable, sheets_listed_cb, choice);
  rs_window_update_actions (self);
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

void
rs_window_import_dispose (RsWindow *self)
{
  if (self->import_chooser != NULL)
    close_import_chooser (self);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     gpointer         user_data)
{
  RsWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && rs_window_is_idle (self))
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

  gtk_file_filter_set_name (csv, _("Master Files (CSV, Excel)"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_mime_type (csv,
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "CSV");
  gtk_file_filter_add_suffix (csv, "xlsx");
  gtk_file_filter_add_suffix (csv, "XLSX");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), csv);

  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  self->import_chooser = chooser;
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_import_details_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  RsImportDetailsWindow *details;

  /* The last import kept in the database, read in a worker thread: this
   * session's, or a later one from the command line, or one of an earlier
   * session */
  if (self->store != NULL)
    details = rs_import_details_window_new_for_store (GTK_WINDOW (self), self->store, 0);
  else if (self->last_import != NULL)
    details = rs_import_details_window_new (GTK_WINDOW (self), self->last_import);
  else
    return;

  gtk_window_present (GTK_WINDOW (details));
}

void
rs_window_import_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.import-file", "s", import_file_action);
  gtk_widget_class_install_action (widget_class, "win.show-import-details", NULL,
                                   show_import_details_action);
}
