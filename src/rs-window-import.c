/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window-import"

#include "config.h"

#include <glib/gi18n.h>

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
  guint64 index;

  if (g_str_has_prefix (response, "sheet-")
      && !g_cancellable_is_cancelled (choice->cancellable)
      && g_ascii_string_to_unsigned (response + 6, 10, 0, g_strv_length (choice->sheets) - 1,
                                     &index, NULL))
    run_import (choice, choice->sheets[index]);
  else
    import_not_started (choice->window);
}

/* Several sheets have the columns of a master file: the person picks one. */
static void
ask_sheet (SheetChoice *choice)
{
  g_autofree char *basename = g_file_get_basename (choice->file);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: the workbook's file name */
  body = g_strdup_printf (_("More than one sheet of “%s” has the columns of a master file. "
                            "Which one do you want to import?"), basename);
  dialog = adw_message_dialog_new (GTK_WINDOW (choice->window), _("Import Which Sheet?"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"));
  for (guint i = 0; choice->sheets[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup_printf ("sheet-%u", i);
      g_auto(GStrv) parts = g_strsplit (choice->sheets[i], "_", -1);
      /* An underscore in a name is no mnemonic. */
      g_autofree char *label = g_strjoinv ("__", parts);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), id, label);
    }
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sheet-0",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "sheet-0");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

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
