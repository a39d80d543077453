/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

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

/* A workbook read back by openpyxl (tests/check-xlsx.py): the sheets with
 * their cells as {value, type, format, bold[, serial, date]}. */
JsonNode   *rs_test_read_workbook  (const char   *path);
/* The rows of the sheet @title, the header first; %NULL without it. */
JsonArray  *rs_test_workbook_rows  (JsonNode     *book,
                                    const char   *title);
/* The cell of @row (0 is the header) in the column headed @column. */
JsonObject *rs_test_workbook_cell  (JsonNode     *book,
                                    const char   *title,
                                    guint         row,
                                    const char   *column);

G_END_DECLS
