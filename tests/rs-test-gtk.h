/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void       rs_test_gtk_init          (int          *argc,
                                      char       ***argv);
void       rs_test_gtk_init_only     (void);
void       rs_test_iterate           (void);
gboolean   rs_test_wait_until        (gboolean    (*predicate) (gpointer),
                                      gpointer       data,
                                      guint          timeout_ms);
GtkWindow *rs_test_find_window       (GType          type);
void       rs_test_close_other_windows (GtkWindow   *keep);
gboolean   rs_test_pointer_is_null   (gpointer       data);
void       rs_test_destroy_window    (GtkWindow    **window);
GtkWidget *rs_test_next_widget       (GtkWidget     *widget,
                                      GtkWidget     *root);
GtkLabel  *rs_test_find_label        (GtkWidget     *root,
                                      const char    *text);

G_END_DECLS
