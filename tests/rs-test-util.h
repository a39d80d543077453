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

/* Steps two threads take in turn: one sets a step, the other waits for it. */
typedef struct
{
  GMutex mutex;
  GCond cond;
  int step;
} RsTestSteps;

void     rs_test_steps_init    (RsTestSteps  *steps);
void     rs_test_steps_clear   (RsTestSteps  *steps);
void     rs_test_steps_set     (RsTestSteps  *steps,
                                int           step);
void     rs_test_steps_wait    (RsTestSteps  *steps,
                                int           step);

G_END_DECLS
