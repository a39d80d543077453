/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-preferences-window.h"

struct _RsPreferencesWindow
{
  AdwPreferencesWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (RsPreferencesWindow, rs_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

RsPreferencesWindow *
rs_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (RS_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       "destroy-with-parent", TRUE,
                       NULL);
}

static void
rs_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), RS_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (rs_preferences_window_parent_class)->dispose (object);
}

static void
rs_preferences_window_class_init (RsPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rs_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rs-preferences-window.ui");
}

static void
rs_preferences_window_init (RsPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
