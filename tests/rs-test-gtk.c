/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-test-gtk"

#include "config.h"

#include <adwaita.h>
#include <locale.h>

#include "rs-test-gtk.h"
#include "rs-test-util.h"

void
rs_test_gtk_init (int    *argc,
                  char ***argv)
{
  rs_test_init (argc, argv);
  gtk_init ();
  adw_init ();
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
