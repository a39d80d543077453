/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "resiliencescan"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "rs-application.h"
#include "rs-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RsApplication) app = NULL;
  g_autofree char *database_path = NULL;
  char *gui_argv[] = { argv[0], NULL };
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_prgname ("resiliencescan");
  g_set_application_name (_("ResilienceScan"));

  if (argc > 1)
    {
      status = rs_cli_run (argc, argv, &database_path);
      if (status != RS_CLI_RUN_GUI)
        return status;
    }

  app = rs_application_new (database_path);

  return g_application_run (G_APPLICATION (app), 1, gui_argv);
}
