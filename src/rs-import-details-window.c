/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-import-details-window.h"

/* What an import did, and every row it skipped or flagged, with the line.
 * A row that was stored (flagged: it cannot be sent; or a duplicate) opens
 * that respondent through the parent's win.show-respondent. The whole list
 * can be copied or saved as text. */

struct _RsImportDetailsWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwWindowTitle *window_title;
  GtkLabel *counts;
  GtkLabel *hint;
  GtkListView *list;
  GtkStringList *problems;
  GtkStack *stack;

  char *file;
  /* One per problem line: the respondent it opens, or 0 */
  GArray *ids;
  GtkFileChooserNative *save_chooser;
};

G_DEFINE_FINAL_TYPE (RsImportDetailsWindow, rs_import_details_window, ADW_TYPE_WINDOW)

RsImportDetailsWindow *
rs_import_details_window_new (GtkWindow             *parent,
                              const RsImportSummary *summary)
{
  RsImportDetailsWindow *self;
  g_autofree char *counts = NULL;
  g_autofree char *basename = NULL;
  gboolean any_stored = FALSE;

  g_return_val_if_fail (summary != NULL, NULL);

  /* Not modal: the respondents its lines open are worked on next to it. */
  self = g_object_new (RS_TYPE_IMPORT_DETAILS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);

  self->file = g_strdup (summary->file);
  basename = g_path_get_basename (summary->file);
  adw_window_title_set_subtitle (self->window_title, basename);

  counts = rs_import_summary_describe (summary);
  gtk_label_set_label (self->counts, counts);

  for (guint i = 0; i < summary->problems->len; i++)
    {
      const RsImportProblem *problem = g_ptr_array_index (summary->problems, i);
      g_autofree char *line = rs_import_problem_describe (problem);

      g_array_append_val (self->ids, problem->respondent_id);
      gtk_string_list_append (self->problems, line);
      any_stored |= problem->respondent_id != 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->hint), any_stored);
  gtk_stack_set_visible_child_name (self->stack,
                                    summary->problems->len > 0 ? "problems" : "none");

  return self;
}

guint
rs_import_details_window_get_n_problems (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->problems));
}

/**
 * rs_import_details_window_get_respondent_id:
 * @position: a problem line, from 0
 *
 * Returns: the respondent that line opens, or 0 for a row that was skipped
 */
gint64
rs_import_details_window_get_respondent_id (RsImportDetailsWindow *self,
                                            guint                  position)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), 0);
  g_return_val_if_fail (position < self->ids->len, 0);

  return g_array_index (self->ids, gint64, position);
}

/**
 * rs_import_details_window_dup_text:
 *
 * Returns: what Copy and Save… give: the file, the counts and every problem
 *   line, one a line
 */
char *
rs_import_details_window_dup_text (RsImportDetailsWindow *self)
{
  GListModel *problems;
  GString *text;

  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), NULL);

  problems = G_LIST_MODEL (self->problems);
  text = g_string_new (self->file);
  g_string_append_c (text, '\n');
  g_string_append (text, gtk_label_get_label (self->counts));
  g_string_append (text, "\n\n");
  for (guint i = 0; i < g_list_model_get_n_items (problems); i++)
    {
      g_string_append (text, gtk_string_list_get_string (self->problems, i));
      g_string_append_c (text, '\n');
    }

  return g_string_free (text, FALSE);
}

/* Returns: (transfer none) (nullable): the chooser of Save…, while it is open */
GtkFileChooser *
rs_import_details_window_get_save_chooser (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), NULL);

  return self->save_chooser != NULL ? GTK_FILE_CHOOSER (self->save_chooser) : NULL;
}

static void
open_respondent (RsImportDetailsWindow *self,
                 gint64                 id)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (id <= 0 || parent == NULL)
    return;

  if (!gtk_widget_activate_action (GTK_WIDGET (parent), "win.show-respondent", "x", id))
    g_warning ("The window of the import details cannot show respondent %" G_GINT64_FORMAT, id);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_respondent (RS_IMPORT_DETAILS_WINDOW (widget), g_variant_get_int64 (parameter));
}

static void
list_activate_cb (RsImportDetailsWindow *self,
                  guint                  position)
{
  if (position < self->ids->len)
    open_respondent (self, g_array_index (self->ids, gint64, position));
}

static void
show_toast (RsImportDetailsWindow *self,
            const char            *title)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (title));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsImportDetailsWindow *self = RS_IMPORT_DETAILS_WINDOW (widget);
  g_autofree char *text = rs_import_details_window_dup_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  show_toast (self, _("Copied to the clipboard"));
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsImportDetailsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (G_FILE (object));
  g_autofree char *title = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    /* Translators: the file name, then why */
    title = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
  else
    title = g_strdup_printf (_("Saved “%s”"), name);

  show_toast (self, title);
}

static void
close_save_chooser (RsImportDetailsWindow *self)
{
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->save_chooser);

  if (chooser == NULL)
    return;

  g_signal_handlers_disconnect_by_data (chooser, self);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
}

static void
save_response_cb (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  RsImportDetailsWindow *self = user_data;
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (file != NULL)
    {
      g_autofree char *text = rs_import_details_window_dup_text (self);
      gsize len = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

      /* GIO writes it in a thread of its own, next to the file, and renames. */
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           save_done_cb, g_object_ref (self));
    }

  close_save_chooser (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RsImportDetailsWindow *self = RS_IMPORT_DETAILS_WINDOW (widget);
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *basename = g_path_get_basename (self->file);
  g_autofree char *name = NULL;
  char *dot;

  if (self->save_chooser != NULL)
    return;

  self->save_chooser = gtk_file_chooser_native_new (_("Save Import Details"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_SAVE,
                                                    _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->save_chooser), TRUE);

  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    folder = g_file_new_for_path (documents);
  else
    folder = g_file_new_for_path (g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->save_chooser), folder, NULL);

  if ((dot = strrchr (basename, '.')) != NULL && dot != basename)
    *dot = '\0';
  /* Translators: the file name for Save…; %s is the imported file's name */
  name = g_strdup_printf (_("%s - import problems.txt"), basename);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->save_chooser), name);

  g_signal_connect (self->save_chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->save_chooser));
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open"));

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (open, _("Open this respondent"));
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), open);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  RsImportDetailsWindow *self = user_data;
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *label = gtk_widget_get_first_child (box);
  GtkWidget *open = gtk_widget_get_last_child (box);
  guint position = gtk_list_item_get_position (item);
  gint64 id = position < self->ids->len ? g_array_index (self->ids, gint64, position) : 0;

  gtk_label_set_label (GTK_LABEL (label),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
  gtk_list_item_set_activatable (item, id != 0);
  gtk_widget_set_visible (open, id != 0);
  /* The target first: a name without one does not fit the action. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), NULL);
  if (id != 0)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (open), g_variant_new_int64 (id));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "problems.open");
    }
}

static void
rs_import_details_window_dispose (GObject *object)
{
  RsImportDetailsWindow *self = RS_IMPORT_DETAILS_WINDOW (object);

  close_save_chooser (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_IMPORT_DETAILS_WINDOW);

  G_OBJECT_CLASS (rs_import_details_window_parent_class)->dispose (object);
}

static void
rs_import_details_window_finalize (GObject *object)
{
  RsImportDetailsWindow *self = RS_IMPORT_DETAILS_WINDOW (object);

  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->ids, g_array_unref);

  G_OBJECT_CLASS (rs_import_details_window_parent_class)->finalize (object);
}

static void
rs_import_details_window_class_init (RsImportDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_import_details_window_dispose;
  object_class->finalize = rs_import_details_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-import-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, counts);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, hint);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, list);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, problems);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, stack);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_action (widget_class, "problems.open", "x", open_action);
  gtk_widget_class_install_action (widget_class, "problems.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "problems.save", NULL, save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "problems.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_import_details_window_init (RsImportDetailsWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list, factory);
}
