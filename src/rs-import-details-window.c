/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import-details-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-import-details-window.h"

/* What an import did, and every row it skipped or flagged, with the line. */

struct _RsImportDetailsWindow
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *counts;
  GtkStringList *problems;
  GtkStack *stack;
};

G_DEFINE_FINAL_TYPE (RsImportDetailsWindow, rs_import_details_window, ADW_TYPE_WINDOW)

RsImportDetailsWindow *
rs_import_details_window_new (GtkWindow             *parent,
                              const RsImportSummary *summary)
{
  RsImportDetailsWindow *self;
  g_autofree char *counts = NULL;
  g_autofree char *basename = NULL;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (RS_TYPE_IMPORT_DETAILS_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);

  basename = g_path_get_basename (summary->file);
  adw_window_title_set_subtitle (self->window_title, basename);

  counts = rs_import_summary_describe (summary);
  gtk_label_set_label (self->counts, counts);

  for (guint i = 0; i < summary->problems->len; i++)
    {
      g_autofree char *line = rs_import_problem_describe (g_ptr_array_index (summary->problems, i));

      gtk_string_list_append (self->problems, line);
    }

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

static void
rs_import_details_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_IMPORT_DETAILS_WINDOW);

  G_OBJECT_CLASS (rs_import_details_window_parent_class)->dispose (object);
}

static void
rs_import_details_window_class_init (RsImportDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_import_details_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-import-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, counts);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, problems);
  gtk_widget_class_bind_template_child (widget_class, RsImportDetailsWindow, stack);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rs_import_details_window_init (RsImportDetailsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
