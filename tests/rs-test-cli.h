/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int status;
  char *out;
  char *err;
} RsCliResult;

void rs_cli_result_clear (RsCliResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RsCliResult, rs_cli_result_clear)

/* Runs the resiliencescan binary ($RESILIENCESCAN) with the NULL-terminated
 * arguments and collects what it printed. */
void rs_test_run_cli (RsCliResult *result,
                      const char  *first_arg,
                      ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
