/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-template-window"

#include "config.h"

#include "core/rs-template.h"
#include "rs-template-window.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"

/* The e-mail template editor in a real window: its tabs show no icon the
 * theme lacks, and Default Text asks before it throws an edit away. */

typedef struct
{
  GtkWindow *parent;
  RsTemplateWindow *editor;
  GSettings *settings;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *keys[] = {
    "template-subject-en", "template-body-en", "template-subject-nl", "template-body-nl",
  };

  fixture->settings = g_settings_new (APP_ID);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (fixture->settings, keys[i]);

  fixture->parent = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->parent), (gpointer *) &fixture->parent);
  gtk_window_present (fixture->parent);

  fixture->editor = rs_template_window_new (fixture->parent);
  g_object_add_weak_pointer (G_OBJECT (fixture->editor), (gpointer *) &fixture->editor);
  gtk_window_present (GTK_WINDOW (fixture->editor));
  rs_test_iterate ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->editor != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->editor);
  rs_test_close_other_windows (fixture->parent);
  rs_test_destroy_window (&fixture->parent);
  g_clear_object (&fixture->settings);
}

/* Every image in the editor names an icon the theme has; the tabs are the
 * two languages, by name. */
static void
test_template_window_tabs (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkWidget *root = GTK_WIDGET (fixture->editor);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (root));
  guint tabs = 0;

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    {
      /* In the editor itself, not in its tooltip's window. */
      if (GTK_IS_IMAGE (w) && gtk_widget_get_visible (w) &&
          gtk_widget_get_native (w) == GTK_NATIVE (root) &&
          gtk_image_get_storage_type (GTK_IMAGE (w)) != GTK_IMAGE_EMPTY)
        {
          const char *name = gtk_image_get_icon_name (GTK_IMAGE (w));

          g_test_message ("image: %s", name ? name : "(not a named icon)");
          g_assert_nonnull (name);
          /* What GTK shows for a name the theme does not have. */
          g_assert_cmpstr (name, !=, "image-missing");
          g_assert_true (gtk_icon_theme_has_icon (theme, name));
        }
      if (GTK_IS_TOGGLE_BUTTON (w) && gtk_widget_get_visible (w) &&
          gtk_widget_get_ancestor (w, GTK_TYPE_STACK_SWITCHER) != NULL)
        tabs++;
    }

  g_assert_cmpuint (tabs, ==, 2);
  g_assert_nonnull (rs_test_find_label (root, "English"));
  g_assert_nonnull (rs_test_find_label (root, "Nederlands"));
}

static AdwMessageDialog *
find_question (void)
{
  return ADW_MESSAGE_DIALOG (rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

/* Clicks the button @label of @question, as a person does. */
static void
click (AdwMessageDialog *question,
       const char       *label)
{
  GtkWidget *root = GTK_WIDGET (question);

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0)
      {
        g_signal_emit_by_name (w, "clicked");
        return;
      }

  g_assert_not_reached ();
}

static char *
saved (Fixture    *fixture,
       const char *key)
{
  return g_settings_get_string (fixture->settings, key);
}

/* Default Text asks first: Cancel keeps the edit, Replace puts the default
 * back. A text that is the default already needs no question. */
static void
test_template_window_default_asks (Fixture       *fixture,
                                   gconstpointer  data)
{
  AdwMessageDialog *question;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;

  /* Nothing to lose: no question. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->editor), "template.reset",
                                             NULL));
  rs_test_iterate ();
  g_assert_null (find_question ());

  rs_template_window_set_text (fixture->editor, "en", "Your report, {name}",
                               "Dear {name},\n\nHere it is.\n");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->editor), "template.reset",
                                             NULL));
  rs_test_iterate ();
  question = find_question ();
  g_assert_nonnull (question);
  g_assert_cmpstr (adw_message_dialog_get_heading (question), ==,
                   "Replace the Text With the Default?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (question), "English"));
  g_assert_true (adw_message_dialog_has_response (question, "cancel"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (question, "replace"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (question), ==, "cancel");

  /* Cancel: the edit stays. */
  click (question, "_Cancel");
  rs_test_iterate ();
  subject = saved (fixture, "template-subject-en");
  g_assert_cmpstr (subject, ==, "Your report, {name}");
  g_assert_null (find_question ());

  /* Replace: the default, kept as "". */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->editor), "template.reset",
                                             NULL));
  rs_test_iterate ();
  question = find_question ();
  g_assert_nonnull (question);
  click (question, "_Replace");
  rs_test_iterate ();
  g_clear_pointer (&subject, g_free);
  subject = saved (fixture, "template-subject-en");
  body = saved (fixture, "template-body-en");
  g_assert_cmpstr (subject, ==, "");
  g_assert_cmpstr (body, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_gtk_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/template-window/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("tabs", test_template_window_tabs);
  ADD ("default-asks", test_template_window_default_asks);

#undef ADD

  return g_test_run ();
}
