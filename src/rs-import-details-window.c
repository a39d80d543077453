/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-import-details-window.h"

/* What an import did, and every row it skipped or flagged, with the line.
 * A row that was stored (flagged: it cannot be sent; or a duplicate) opens
 * that respondent through the parent's win.show-respondent. The values it
 * did not use as the file had them are grouped by column and kind, each
 * group's cells listed when it is expanded; the data-quality summary comes
 * last. Everything can be copied or saved as text. The window shows the
 * summary of an import that just ran, or reads one kept in the database
 * in a worker thread. */

struct _RsImportDetailsWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwViewSwitcherTitle *window_title;
  GtkStack *content_stack;
  GtkStack *changes_stack;
  AdwPreferencesGroup *changes_group;
  AdwPreferencesGroup *quality_group;
  AdwViewStackPage *changes_page;
  AdwStatusPage *no_import;
  GtkLabel *file_label;
  GtkLabel *counts;
  GtkLabel *hint;
  GtkListView *list;
  GtkStringList *problems;
  GtkStack *stack;

  char *file;
  /* One per problem line: the respondent it opens, or 0 */
  GArray *ids;
  GtkFileChooserNative *save_chooser;
  /* The changed values and the data-quality summary, as Copy gives them */
  GString *changes_text;
  GString *quality_text;
  GCancellable *cancellable;
  guint n_change_groups;
  guint n_quality_rows;
};

G_DEFINE_FINAL_TYPE (RsImportDetailsWindow, rs_import_details_window, ADW_TYPE_WINDOW)

static RsImportChangeGroup *
group_copy (const RsImportChangeGroup *group)
{
  RsImportChangeGroup *copy = g_new0 (RsImportChangeGroup, 1);

  copy->column = g_strdup (group->column);
  copy->column_index = group->column_index;
  copy->kind = group->kind;
  copy->count = group->count;
  copy->examples = g_ptr_array_new_full (group->examples->len, NULL);
  for (guint i = 0; i < group->examples->len; i++)
    {
      const RsImportChange *change = g_ptr_array_index (group->examples, i);
      RsImportChange *one = g_new0 (RsImportChange, 1);

      one->line = change->line;
      one->respondent_id = change->respondent_id;
      one->value = g_strdup (change->value);
      one->used = g_strdup (change->used);
      g_ptr_array_add (copy->examples, one);
    }

  return copy;
}

static void
group_free (gpointer data)
{
  RsImportChangeGroup *group = data;

  for (guint i = 0; i < group->examples->len; i++)
    {
      RsImportChange *change = g_ptr_array_index (group->examples, i);

      g_free (change->value);
      g_free (change->used);
      g_free (change);
    }
  g_ptr_array_unref (group->examples);
  g_free (group->column);
  g_free (group);
}

static GtkWidget *
open_button_new (gint64 id)
{
  GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open"));

  gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (open, _("Open this respondent"));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (open), g_variant_new_int64 (id));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (open), "problems.open");

  return open;
}

/* What a cell became: a value, empty or missing */
static char *
describe_used (const RsImportChange *change)
{
  if (change->used == NULL)
    return g_strdup (_("missing"));
  if (change->used[0] == '\0')
    return g_strdup (_("empty"));

  return g_strdup_printf ("“%s”", change->used);
}

/* A group's cells are made when it is first expanded: a file with many
 * changes would otherwise make thousands of rows nobody looks at. */
static void
group_expanded_cb (AdwExpanderRow *expander,
                   GParamSpec     *pspec,
                   gpointer        user_data)
{
  const RsImportChangeGroup *group = g_object_get_data (G_OBJECT (expander), "rs-group");

  if (!adw_expander_row_get_expanded (expander) || group == NULL ||
      g_object_get_data (G_OBJECT (expander), "rs-filled") != NULL)
    return;
  g_object_set_data (G_OBJECT (expander), "rs-filled", GINT_TO_POINTER (TRUE));

  for (guint i = 0; i < group->examples->len; i++)
    {
      const RsImportChange *change = g_ptr_array_index (group->examples, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *used = describe_used (change);
      g_autofree char *subtitle = NULL;

      /* Translators: where a changed value is */
      title = g_strdup_printf (_("Line %u"), change->line);
      /* Translators: the value in the file, then what was used */
      subtitle = g_strdup_printf (_("“%s” → %s"), change->value, used);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      if (change->respondent_id > 0)
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), open_button_new (change->respondent_id));
      adw_expander_row_add_row (expander, row);
    }

  if (group->count > group->examples->len)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;

      title = g_strdup_printf (ngettext ("And %u more, kept with the import",
                                         "And %u more, kept with the import",
                                         group->count - group->examples->len),
                               group->count - group->examples->len);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_widget_add_css_class (row, "dim-label");
      adw_expander_row_add_row (expander, row);
    }
}

static void
add_change_group (RsImportDetailsWindow     *self,
                  const RsImportChangeGroup *group)
{
  GtkWidget *expander = adw_expander_row_new ();
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *line = rs_import_change_group_describe (group);

  /* Translators: a column, then what was done with its values */
  title = g_strdup_printf (_("“%s”: %s"), group->column,
                           rs_master_change_kind_describe (group->kind));
  subtitle = g_strdup_printf (ngettext ("%u value", "%u values", group->count), group->count);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);
  g_object_set_data_full (G_OBJECT (expander), "rs-group", group_copy (group), group_free);
  g_signal_connect (expander, "notify::expanded", G_CALLBACK (group_expanded_cb), NULL);
  adw_preferences_group_add (self->changes_group, expander);
  self->n_change_groups++;

  g_string_append_printf (self->changes_text, "%s\n", line);
  for (guint i = 0; i < group->examples->len; i++)
    {
      g_autofree char *cell = rs_import_change_describe (group, group->examples->pdata[i]);

      g_string_append_printf (self->changes_text, "  %s\n", cell);
    }
}

static GtkWidget *
quality_row_new (const char *title,
                 const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  return row;
}

/* The expander a kind of item goes into, made with its first item */
static AdwExpanderRow *
quality_expander (RsImportDetailsWindow *self,
                  AdwExpanderRow       **expander,
                  const char            *title)
{
  if (*expander == NULL)
    {
      *expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (*expander), title);
      adw_preferences_group_add (self->quality_group, GTK_WIDGET (*expander));
      self->n_quality_rows++;
    }

  return *expander;
}

static void
set_count_subtitle (AdwExpanderRow *expander,
                    guint           count)
{
  g_autofree char *text = NULL;

  if (expander == NULL)
    return;
  text = g_strdup_printf (ngettext ("%u value", "%u values", count), count);
  adw_expander_row_set_subtitle (expander, text);
}

static void
add_quality (RsImportDetailsWindow *self,
             const RsImportSummary *summary)
{
  g_auto(GStrv) lines = rs_import_quality_describe (summary);
  AdwExpanderRow *missing = NULL;
  AdwExpanderRow *singles = NULL;
  AdwExpanderRow *out = NULL;
  AdwExpanderRow *nan = NULL;
  AdwExpanderRow *flagged = NULL;
  guint n_out = 0;
  guint n_nan = 0;
  guint n_flagged = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (self->quality_text, "%s\n", lines[i]);

  if (summary->quality == NULL)
    {
      adw_preferences_group_add (self->quality_group,
                                 quality_row_new (_("No Data-Quality Summary"),
                                                  _("This import was made by an older version "
                                                    "that kept none.")));
      self->n_quality_rows++;
      return;
    }

  for (guint i = 0; i < summary->quality->len; i++)
    {
      const RsImportQualityItem *item = g_ptr_array_index (summary->quality, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row = NULL;

      switch (item->kind)
        {
        case RS_IMPORT_QUALITY_RESPONDENTS:
          subtitle = g_strdup_printf ("%u", item->count);
          row = quality_row_new (_("Respondents in the Database"), subtitle);
          adw_preferences_group_add (self->quality_group, row);
          self->n_quality_rows++;
          break;
        case RS_IMPORT_QUALITY_MISSING:
          /* Translators: how many of how many are missing, and the share */
          subtitle = g_strdup_printf (_("%u of %u missing (%.1f %%)"), item->count, item->total,
                                      item->total ? 100.0 * item->count / item->total : 0.0);
          if (missing == NULL)
            {
              g_autofree char *worst = g_strdup_printf (_("“%s”: %s"), item->label, subtitle);

              quality_expander (self, &missing, _("Missing Scores, the Worst Columns"));
              adw_expander_row_set_subtitle (missing, worst);
            }
          adw_expander_row_add_row (missing, quality_row_new (item->label, subtitle));
          break;
        case RS_IMPORT_QUALITY_SPARSE:
          subtitle = g_strdup_printf ("%u", item->count);
          row = quality_row_new (_("Respondents With More Than Half of Their Scores Missing"),
                                 subtitle);
          adw_preferences_group_add (self->quality_group, row);
          self->n_quality_rows++;
          break;
        case RS_IMPORT_QUALITY_SINGLE_COMPANIES:
          /* Translators: companies with one respondent, of all companies */
          subtitle = g_strdup_printf (_("%u of %u companies"), item->count, item->total);
          quality_expander (self, &singles, _("Companies With One Respondent"));
          adw_expander_row_set_subtitle (singles, subtitle);
          adw_expander_row_set_enable_expansion (singles, item->count > 0);
          break;
        case RS_IMPORT_QUALITY_SINGLE_COMPANY:
          adw_expander_row_add_row (quality_expander (self, &singles,
                                                      _("Companies With One Respondent")),
                                    quality_row_new (item->label, NULL));
          break;
        case RS_IMPORT_QUALITY_OUT_OF_RANGE:
          n_out += item->count;
          subtitle = g_strdup_printf (ngettext ("%u value", "%u values", item->count),
                                      item->count);
          adw_expander_row_add_row (quality_expander (self, &out,
                                                      _("Scores Out of Range, Clamped")),
                                    quality_row_new (item->label, subtitle));
          break;
        case RS_IMPORT_QUALITY_NOT_A_NUMBER:
          n_nan += item->count;
          subtitle = g_strdup_printf (ngettext ("%u value", "%u values", item->count),
                                      item->count);
          adw_expander_row_add_row (quality_expander (self, &nan,
                                                      _("Scores That Are Not Numbers")),
                                    quality_row_new (item->label, subtitle));
          break;
        case RS_IMPORT_QUALITY_FLAGGED:
        default:
          n_flagged += item->count;
          subtitle = g_strdup_printf (ngettext ("%u respondent", "%u respondents", item->count),
                                      item->count);
          adw_expander_row_add_row (quality_expander (self, &flagged,
                                                      _("Cannot Be Sent, by Reason")),
                                    quality_row_new (item->label, subtitle));
          break;
        }
    }

  if (missing == NULL)
    {
      adw_preferences_group_add (self->quality_group,
                                 quality_row_new (_("No Score Is Missing"), NULL));
      self->n_quality_rows++;
    }
  set_count_subtitle (out, n_out);
  set_count_subtitle (nan, n_nan);
  if (flagged != NULL)
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u respondent", "%u respondents",
                                                         n_flagged), n_flagged);

      adw_expander_row_set_subtitle (flagged, text);
    }
  if (out == NULL)
    {
      adw_preferences_group_add (self->quality_group,
                                 quality_row_new (_("No Score Out of Range"), NULL));
      self->n_quality_rows++;
    }
}

static void
fill (RsImportDetailsWindow *self,
      const RsImportSummary *summary)
{
  g_autofree char *counts = NULL;
  g_autofree char *basename = NULL;
  gboolean any_stored = FALSE;

  g_free (self->file);
  self->file = g_strdup (summary->file);
  basename = g_path_get_basename (summary->file);
  adw_view_switcher_title_set_subtitle (self->window_title, basename);
  /* The title's subtitle shows only when the pages' switcher does not. */
  gtk_label_set_label (self->file_label, basename);

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

  for (guint i = 0; i < summary->change_groups->len; i++)
    add_change_group (self, g_ptr_array_index (summary->change_groups, i));
  adw_view_stack_page_set_badge_number (self->changes_page, summary->change_groups->len);
  adw_view_stack_page_set_needs_attention (self->changes_page, summary->changed > 0);
  gtk_stack_set_visible_child_name (self->changes_stack,
                                    summary->changed > 0 ? "changes" : "none");

  add_quality (self, summary);
  gtk_stack_set_visible_child_name (self->content_stack, "details");
}

static RsImportDetailsWindow *
details_window_new (GtkWindow *parent)
{
  /* Not modal: the respondents its lines open are worked on next to it. */
  return g_object_new (RS_TYPE_IMPORT_DETAILS_WINDOW,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       NULL);
}

/**
 * rs_import_details_window_new:
 * @summary: what an import returned, or a record loaded again; copied
 */
RsImportDetailsWindow *
rs_import_details_window_new (GtkWindow             *parent,
                              const RsImportSummary *summary)
{
  RsImportDetailsWindow *self;

  g_return_val_if_fail (summary != NULL, NULL);

  self = details_window_new (parent);
  fill (self, summary);

  return self;
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RsImportDetailsWindow) self = user_data;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  summary = rs_import_summary_load_finish (RS_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  if (summary != NULL)
    {
      fill (self, summary);
      return;
    }

  if (error != NULL)
    {
      adw_status_page_set_title (self->no_import, _("Could Not Read the Import"));
      adw_status_page_set_description (self->no_import, error->message);
      adw_status_page_set_icon_name (self->no_import, "dialog-error-symbolic");
    }
  gtk_stack_set_visible_child_name (self->content_stack, "no-import");
}

/**
 * rs_import_details_window_new_for_store:
 * @import_id: an import in @store's import log, or 0 for the last
 *
 * A window that reads the record of an import from @store in a worker
 * thread, and shows it once it is read.
 */
RsImportDetailsWindow *
rs_import_details_window_new_for_store (GtkWindow *parent,
                                        RsStore   *store,
                                        gint64     import_id)
{
  RsImportDetailsWindow *self;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = details_window_new (parent);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");
  rs_import_summary_load_async (store, import_id, self->cancellable, loaded_cb,
                                g_object_ref (self));

  return self;
}

/**
 * rs_import_details_window_is_loading:
 *
 * Returns: whether the record is still being read
 */
gboolean
rs_import_details_window_is_loading (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), FALSE);

  return g_str_equal (gtk_stack_get_visible_child_name (self->content_stack), "loading");
}

/**
 * rs_import_details_window_get_n_change_groups:
 *
 * Returns: how many groups of changed values the window lists
 */
guint
rs_import_details_window_get_n_change_groups (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), 0);

  return self->n_change_groups;
}

/**
 * rs_import_details_window_get_changes_group:
 *
 * Returns: (transfer none): the group that holds an expander row for each
 *   group of changed values
 */
AdwPreferencesGroup *
rs_import_details_window_get_changes_group (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), NULL);

  return self->changes_group;
}

/**
 * rs_import_details_window_get_quality_group:
 *
 * Returns: (transfer none): the rows of the data-quality summary
 */
AdwPreferencesGroup *
rs_import_details_window_get_quality_group (RsImportDetailsWindow *self)
{
  g_return_val_if_fail (RS_IS_IMPORT_DETAILS_WINDOW (self), NULL);

  return self->quality_group;
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
 * Returns: what Copy and Save… give: the file, the counts, every problem
 *   line, the changed values by group and the data-quality summary
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
  if (self->changes_text->len > 0)
    {
      g_string_append_printf (text, "\n%s\n", _("Changed values:"));
      g_string_append (text, self->changes_text->str);
    }
  if (self->quality_text->len > 0)
    {
      g_string_append_printf (text, "\n%s\n", _("Data quality after the import:"));
      g_string_append (text, self->quality_text->str);
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
  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_IMPORT_DETAILS_WINDOW);

  G_OBJECT_CLASS (rs_import_details_window_parent_class)->dispose (object);
}

static void
rs_import_details_window_finalize (GObject *object)
{
  RsImportDetailsWindow *self = RS_IMPORT_DETAILS_WINDOW (object);

  g_clear_pointer (&self->file, g_free);
  g_clear_pointer (&self->ids, g_array_unref);
  g_string_free (self->changes_text, TRUE);
  g_string_free (self->quality_text, TRUE);
  g_clear_object (&self->cancellable);

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
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, file_label);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, counts);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, hint);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, list);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, problems);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, changes_stack);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, changes_group);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, quality_group);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, changes_page);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, no_import);
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
  self->changes_text = g_string_new (NULL);
  self->quality_text = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list, factory);
}
