/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-window"

#include "config.h"

#include <glib/gi18n.h>

#include "core/rs-summary.h"
#include "rs-window.h"

struct _RsWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  char *database_path;
  RsStore *store;
  GCancellable *cancellable;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *error_page;
  AdwStatusPage *loaded_page;
};

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

/* Which page the window shows: loading, empty, error or respondents. */
const char *
rs_window_get_page_name (RsWindow *self)
{
  g_return_val_if_fail (RS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

static void
show_error (RsWindow     *self,
            const char   *title,
            const GError *error)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
summary_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(RsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *respondents = NULL;
  g_autofree char *companies = NULL;
  RsSummary summary;

  if (!rs_summary_load_finish (result, &summary, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could Not Read the Tracker Database"), error);
      return;
    }

  if (summary.respondents == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  respondents = g_strdup_printf (ngettext ("%u respondent", "%u respondents",
                                           summary.respondents),
                                 summary.respondents);
  companies = g_strdup_printf (ngettext ("%u company", "%u companies", summary.companies),
                               summary.companies);
  /* Translators: “12 respondents from 3 companies” */
  description = g_strdup_printf (_("%s from %s"), respondents, companies);
  adw_status_page_set_description (self->loaded_page, description);
  gtk_stack_set_visible_child_name (self->stack, "respondents");
}

static void
rs_window_reload (RsWindow *self)
{
  if (self->store == NULL)
    return;

  rs_summary_load_async (self->store, self->cancellable, summary_loaded_cb,
                         g_object_ref (self));
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
  rs_window_reload (self);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  RsWindow *self = RS_WINDOW (widget);
  AdwToast *toast;

  toast = adw_toast_new (_("Importing is not available yet"));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
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
  save_window_state (RS_WINDOW (window));

  return GTK_WINDOW_CLASS (rs_window_parent_class)->close_request (window);
}

static void
rs_window_constructed (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  G_OBJECT_CLASS (rs_window_parent_class)->constructed (object);

  rs_store_open_async (self->database_path, self->cancellable, store_opened_cb,
                       g_object_ref (self));
}

static void
rs_window_dispose (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RS_TYPE_WINDOW);

  G_OBJECT_CLASS (rs_window_parent_class)->dispose (object);
}

static void
rs_window_finalize (GObject *object)
{
  RsWindow *self = (RsWindow *)object;

  g_clear_object (&self->store);
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
  gtk_widget_class_bind_template_child (widget_class, RsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, RsWindow, loaded_page);

  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
}

static void
rs_window_init (RsWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}
