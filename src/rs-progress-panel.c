/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-progress-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-progress-panel.h"

/* A bar under the header bar for long work: what runs, how far it is, and a
 * button that cancels it through an action. */

struct _RsProgressPanel
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkLabel *title;
  GtkLabel *detail;
  GtkProgressBar *progress;
  GtkButton *cancel;
  /* Cancel was pressed: what is under way ends first, and the panel says
   * so until then. */
  gboolean stopping;
};

G_DEFINE_FINAL_TYPE (RsProgressPanel, rs_progress_panel, GTK_TYPE_WIDGET)

/**
 * rs_progress_panel_start:
 * @cancel_action: the action the Cancel button activates
 */
void
rs_progress_panel_start (RsProgressPanel *self,
                         const char      *title,
                         const char      *cancel_action)
{
  g_return_if_fail (RS_IS_PROGRESS_PANEL (self));

  self->stopping = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel), TRUE);
  gtk_label_set_label (self->title, title);
  gtk_label_set_label (self->detail, "");
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel), cancel_action);
  gtk_widget_set_visible (gtk_revealer_get_child (self->revealer), TRUE);
  gtk_revealer_set_reveal_child (self->revealer, TRUE);
}

/* A @fraction below 0 pulses: the end is not known. */
void
rs_progress_panel_set_fraction (RsProgressPanel *self,
                                double           fraction,
                                const char      *detail)
{
  g_return_if_fail (RS_IS_PROGRESS_PANEL (self));

  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress);
  else
    gtk_progress_bar_set_fraction (self->progress, CLAMP (fraction, 0.0, 1.0));

  if (detail != NULL && !self->stopping)
    gtk_label_set_label (self->detail, detail);
}

/**
 * rs_progress_panel_set_stopping:
 * @detail: what happens before the work stops
 *
 * Cancel was pressed: the panel says @detail from now on, and Cancel
 * cannot be pressed again, until the work has stopped.
 */
void
rs_progress_panel_set_stopping (RsProgressPanel *self,
                                const char      *detail)
{
  g_return_if_fail (RS_IS_PROGRESS_PANEL (self));

  self->stopping = TRUE;
  gtk_label_set_label (self->detail, detail);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel), FALSE);
}

void
rs_progress_panel_stop (RsProgressPanel *self)
{
  g_return_if_fail (RS_IS_PROGRESS_PANEL (self));

  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel), NULL);
}

gboolean
rs_progress_panel_get_running (RsProgressPanel *self)
{
  g_return_val_if_fail (RS_IS_PROGRESS_PANEL (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

static void
rs_progress_panel_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PROGRESS_PANEL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (rs_progress_panel_parent_class)->dispose (object);
}

static void
rs_progress_panel_class_init (RsProgressPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_progress_panel_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-progress-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, RsProgressPanel, revealer);
  gtk_widget_class_bind_template_child (widget_class, RsProgressPanel, title);
  gtk_widget_class_bind_template_child (widget_class, RsProgressPanel, detail);
  gtk_widget_class_bind_template_child (widget_class, RsProgressPanel, progress);
  gtk_widget_class_bind_template_child (widget_class, RsProgressPanel, cancel);
}

/* Slid away, the panel is hidden too: its Cancel is not there for anyone,
 * assistive technology included, until the next job. */
static void
child_revealed_cb (RsProgressPanel *self)
{
  if (!gtk_revealer_get_reveal_child (self->revealer)
      && !gtk_revealer_get_child_revealed (self->revealer))
    gtk_widget_set_visible (gtk_revealer_get_child (self->revealer), FALSE);
}

static void
rs_progress_panel_init (RsProgressPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->revealer, "notify::child-revealed",
                           G_CALLBACK (child_revealed_cb), self, G_CONNECT_SWAPPED);
  child_revealed_cb (self);
}
