/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void     rs_test_init          (int          *argc,
                                char       ***argv);
char    *rs_test_make_tmpdir   (void);
void     rs_test_remove_tree   (const char   *path);
gboolean rs_test_tree_contains (const char   *path,
                                const char   *needle);
double   rs_test_cpu_seconds   (void);

G_END_DECLS
