/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-test-gtk"

#include "config.h"

#include <adwaita.h>
#include <locale.h>

#include "rs-test-gtk.h"
#include "rs-test-util.h"

/* GTK 4.8 warns, now and then, when a toast's button is drawn in the
 * frame it was added in; the warning is GTK's own and harmless, so it is
 * printed but not fatal. Every other warning stays fatal. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "Gtk") == 0 &&
      message != NULL && g_str_has_prefix (message, "Trying to snapshot ") &&
      g_str_has_suffix (message, " without a current allocation"))
    {
      g_printerr ("Gtk-WARNING (not fatal here): %s\n", message);
      return G_LOG_WRITER_HANDLED;
    }

  if ((log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) != 0)
    {
      g_log_writer_default (log_level, fields, n_fields, user_data);
      g_abort ();
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Initialises GTK and libadwaita for a test, after rs_test_init().
 * Warnings and criticals stay fatal, but through log_writer(), so that the
 * one above can be let through. */
void
rs_test_gtk_init_only (void)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (log_writer, NULL, NULL);
  gtk_init ();
  adw_init ();
}

void
rs_test_gtk_init (int    *argc,
                  char ***argv)
{
  rs_test_init (argc, argv);
  rs_test_gtk_init_only ();
}

/* Runs the main loop until nothing is left to do right now. */
void
rs_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @predicate holds; FALSE when @timeout_ms passed. */
gboolean
rs_test_wait_until (gboolean (*predicate) (gpointer),
                    gpointer   data,
                    guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id;

  id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);
  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return !timed_out;
}

/* Returns: (transfer none) (nullable): a toplevel of @type */
GtkWindow *
rs_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }

  return NULL;
}

void
rs_test_close_other_windows (GtkWindow *keep)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (window != keep)
        gtk_window_destroy (window);
    }
  rs_test_iterate ();
}

gboolean
rs_test_pointer_is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
only_ours_left (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

/* Destroys the window that @window points to, which must be a weak pointer,
 * and asserts that it is finalized: nothing leaks a reference to it. Jobs
 * still running hold it until they report back, so that is waited for. */
void
rs_test_destroy_window (GtkWindow **window)
{
  GtkWindow *ours = g_object_ref (*window);

  gtk_window_destroy (ours);
  g_assert_true (rs_test_wait_until (only_ours_left, ours, 10000));
  g_assert_finalize_object (ours);
  g_assert_null (*window);
}

/* Depth first through @root and everything in it. */
GtkWidget *
rs_test_next_widget (GtkWidget *widget,
                     GtkWidget *root)
{
  if (gtk_widget_get_first_child (widget) != NULL)
    return gtk_widget_get_first_child (widget);

  while (widget != NULL && widget != root && gtk_widget_get_next_sibling (widget) == NULL)
    widget = gtk_widget_get_parent (widget);

  return widget == NULL || widget == root ? NULL : gtk_widget_get_next_sibling (widget);
}

/* Returns: (transfer none) (nullable): a label in @root whose text holds @text */
GtkLabel *
rs_test_find_label (GtkWidget  *root,
                    const char *text)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_LABEL (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), text) != NULL)
      return GTK_LABEL (w);

  return NULL;
}
