/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-application"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-application.h"
#include "rs-preferences-window.h"
#include "rs-window.h"

struct _RsApplication
{
  AdwApplication parent_instance;

  char *database_path;
};

G_DEFINE_FINAL_TYPE (RsApplication, rs_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * rs_application_new:
 * @database_path: (nullable): a database other than the default one
 *
 * With a database of its own, the application does not hand its window to an
 * instance that is already running with the default database.
 */
RsApplication *
rs_application_new (const char *database_path)
{
  return g_object_new (RS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", database_path ? G_APPLICATION_NON_UNIQUE
                                              : G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PREFIX,
                       "database-path", database_path,
                       NULL);
}

const char *
rs_application_get_database_path (RsApplication *self)
{
  g_return_val_if_fail (RS_IS_APPLICATION (self), NULL);

  return self->database_path;
}

static void
rs_application_activate (GApplication *app)
{
  RsApplication *self = RS_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (rs_window_new (self, self->database_path));

  gtk_window_present (window);
}

static void
rs_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  RsApplication *self = user_data;
  GList *windows;

  /* Closing each window lets it save its state first, and a window with a
   * job running asks before it goes: then the application stays. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);

  if (gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
    g_application_quit (G_APPLICATION (self));
}

static void
rs_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  RsApplication *self = user_data;
  GtkWindow *about;
  static const char *developers[] = { "ResilienceScan contributors", NULL };

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APP_ID,
                        "application-name", _("ResilienceScan"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Send every respondent of the Supply Chain Resilience "
                                      "Scan their personal report, and always know who has "
                                      "been sent what."),
                        "developer-name", _("ResilienceScan contributors"),
                        "developers", developers,
                        "copyright", "© 2026 ResilienceScan contributors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your name and e-mail address, one translator a line */
                        "translator-credits", _("translator-credits"),
                        "modal", TRUE,
                        "destroy-with-parent", TRUE,
                        NULL);
  gtk_window_present (about);
}

static void
rs_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  RsApplication *self = user_data;
  GtkWindow *parent;
  RsPreferencesWindow *preferences;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  preferences = rs_preferences_window_new (parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* Preferences on the E-mail page, signing in: for "Sign In Again". */
static void
rs_application_sign_in_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  RsApplication *self = user_data;
  GtkWindow *parent;
  RsPreferencesWindow *preferences;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  preferences = rs_preferences_window_new (parent);
  gtk_window_present (GTK_WINDOW (preferences));
  rs_preferences_window_sign_in (preferences);
}

static const GActionEntry app_actions[] = {
  { "quit", rs_application_quit_action },
  { "about", rs_application_about_action },
  { "preferences", rs_application_preferences_action },
  { "sign-in", rs_application_sign_in_action },
};

static void
rs_application_startup (GApplication *app)
{
  static const struct {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.import", { "<Control>o", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.show-companies", { "<Control><Shift>c", NULL } },
    { "win.show-activity", { "<Control><Shift>l", NULL } },
    { "win.generate-reports", { "<Control>g", NULL } },
    { "win.open-report", { "<Control><Shift>o", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.mark-sent", { "<Control><Shift>s", NULL } },
    { "win.mark-failed", { "<Control><Shift>f", NULL } },
    { "win.mark-pending", { "<Control><Shift>p", NULL } },
    { "win.show-details", { "<Alt>Return", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.show-view::table", { "<Alt>1", NULL } },
    { "win.show-view::overview", { "<Alt>2", NULL } },
    { "win.export-dashboard", { "<Control><Shift>e", NULL } },
  };

  G_APPLICATION_CLASS (rs_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app),
                                           accels[i].action, accels[i].accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
rs_application_finalize (GObject *object)
{
  RsApplication *self = (RsApplication *)object;

  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (rs_application_parent_class)->finalize (object);
}

static void
rs_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  RsApplication *self = RS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  RsApplication *self = RS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_free (self->database_path);
      self->database_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_application_class_init (RsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = rs_application_finalize;
  object_class->get_property = rs_application_get_property;
  object_class->set_property = rs_application_set_property;

  app_class->activate = rs_application_activate;
  app_class->startup = rs_application_startup;

  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rs_application_init (RsApplication *self)
{
}
