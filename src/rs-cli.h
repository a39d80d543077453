/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* rs_cli_run() returns this when no subcommand was given: open the window. */
#define RS_CLI_RUN_GUI (-1)

int rs_cli_run (int     argc,
                char  **argv,
                char  **database_path);

G_END_DECLS
