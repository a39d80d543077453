/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "rs-cli.h"
#include "rs-cli-private.h"
#include "core/rs-activity.h"
#include "core/rs-companies.h"
#include "core/rs-branding.h"
#include "core/rs-dashboard.h"
#include "core/rs-export.h"
#include "core/rs-graph.h"
#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-row-source.h"
#include "core/rs-mail-settings.h"
#include "core/rs-oauth.h"
#include "core/rs-send-job.h"
#include "core/rs-template.h"
#include "core/rs-secret.h"
#include "core/rs-tracker.h"
#include "core/rs-store.h"

/* The headless command line: `resiliencescan SUBCOMMAND …`. It needs no
 * display and shares every piece of work with the window through the core. */

typedef struct
{
  const char *name;
  const char *summary;
  int (*run) (GStrv *args);
} Command;

static char *database_path;

static const Command commands[] = {
  { "import", N_("Import a master file (.csv or .xlsx)"), rs_cli_cmd_import },
  { "imports", N_("List the imports, or print what one of them did"), rs_cli_cmd_imports },
  { "list", N_("Print respondents and their e-mail status"), rs_cli_cmd_list },
  { "mark", N_("Set the status of respondents by hand"), rs_cli_cmd_mark },
  { "export", N_("Write the status of every respondent to a CSV file or an Excel workbook"),
    rs_cli_cmd_export },
  { "generate", N_("Make the PDF reports"), rs_cli_cmd_generate },
  { "send", N_("E-mail the reports"), rs_cli_cmd_send },
  { "signin", N_("Sign in to Microsoft 365 or Google to send mail"), rs_cli_cmd_signin },
  { "signout", N_("Forget the sign-in to Microsoft 365 or Google"), rs_cli_cmd_signout },
  { "companies", N_("List companies and their names; merge or split them"),
    rs_cli_cmd_companies },
  { "dashboard", N_("Write the round's overview (the executive dashboard) as a PDF"),
    rs_cli_cmd_dashboard },
  { "log", N_("Print the activity log: every import, report run and send round"),
    rs_cli_cmd_log },
};

int
rs_cli_fail (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, whatever the message contains. */
  g_strdelimit (message, "\r\n", ' ');
  fprintf (stderr, "resiliencescan: %s\n", message);

  return 1;
}

RsStore *
rs_cli_open_store (void)
{
  g_autoptr(GError) error = NULL;
  RsStore *store;

  store = rs_store_open (database_path, &error);
  if (store == NULL)
    {
      rs_cli_fail ("%s", error->message);
      return NULL;
    }

  /* A send that died left its message `sending`: at this start it becomes
   * `unknown`, unless a send in another process still holds it. */
  if (!rs_send_job_recover (store, &error))
    g_debug ("Could not look for interrupted sends: %s", error->message);

  return store;
}

/* For the log and the dashboard: a database that is not there is not made
 * (with its folder) to show that it is empty. */
RsStore *
rs_cli_open_existing_store (void)
{
  g_autofree char *path = database_path != NULL ? g_strdup (database_path)
                                                : rs_store_default_path ();

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      rs_cli_fail (_("There is no database at “%s”: import a master file first "
                     "(resiliencescan import FILE)"), path);
      return NULL;
    }

  return rs_cli_open_store ();
}

#define DATABASE_ENTRY(location) \
  { "database", 0, 0, G_OPTION_ARG_FILENAME, location, \
    N_("Use the tracker database at PATH"), N_("PATH") }

/* Parses a subcommand's options; @args[0] is the subcommand's name. */
gboolean
rs_cli_parse_options (GOptionContext  *context,
                      GStrv           *args,
                      gboolean         allow_arguments)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  const GOptionEntry entries[] = { DATABASE_ENTRY (&database), { NULL } };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  if (!g_option_context_parse_strv (context, args, &error))
    {
      rs_cli_fail ("%s: %s", (*args)[0], error->message);
      return FALSE;
    }

  if (database != NULL)
    {
      g_free (database_path);
      database_path = g_steal_pointer (&database);
    }

  if (!allow_arguments && g_strv_length (*args) > 1)
    {
      rs_cli_fail (_("%s: unexpected argument “%s”"), (*args)[0], (*args)[1]);
      return FALSE;
    }

  return TRUE;
}

/* Appends the respondent ids in @texts to @ids; returns the first text
 * that is not one, for the command to name, or %NULL. */
const char *
rs_cli_parse_ids (GStrv   texts,
                  GArray *ids)
{
  for (guint i = 0; texts != NULL && texts[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned (texts[i], 10, 1, G_MAXINT64, &id, NULL))
        return texts[i];
      g_array_append_val (ids, id);
    }

  return NULL;
}

/* Runs @loop until it quits; Ctrl+C and SIGTERM call @stop_cb with
 * @cancellable meanwhile. */
void
rs_cli_run_until_quit (GMainLoop    *loop,
                       GSourceFunc   stop_cb,
                       GCancellable *cancellable)
{
  guint sigint = g_unix_signal_add (SIGINT, stop_cb, cancellable);
  guint sigterm = g_unix_signal_add (SIGTERM, stop_cb, cancellable);

  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
}

/* The saved preferences, or %NULL when the schema is not installed: the
 * command line then works with its options and defaults alone. */
GSettings *
rs_cli_open_saved_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "rate-limit"))
    return NULL;

  return g_settings_new (APP_ID);
}

static char *
rs_cli_saved_string (GSettings  *settings,
                     const char *key)
{
  char *value;

  if (settings == NULL)
    return NULL;

  value = g_settings_get_string (settings, key);
  if (value[0] == '\0')
    g_clear_pointer (&value, g_free);

  return value;
}

char *
rs_cli_saved_reports_folder (void)
{
  g_autoptr(GSettings) settings = rs_cli_open_saved_settings ();
  g_autofree char *folder = rs_cli_saved_string (settings, "reports-folder");

  if (folder == NULL || folder[0] == '\0')
    return rs_report_default_folder ();

  return g_steal_pointer (&folder);
}

static char *
describe_commands (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-10s %s", commands[i].name, _(commands[i].summary));
  g_string_append_c (text, '\n');
  g_string_append (text, _("Without a command, the window opens."));

  return g_string_free (text, FALSE);
}

/**
 * rs_cli_run:
 * @database_path: (out): the --database given, for the window
 *
 * Runs the subcommand in @argv. Returns its exit status, or %RS_CLI_RUN_GUI
 * when there is no subcommand and the window should open instead.
 */
int
rs_cli_run (int     argc,
            char  **argv,
            char  **database_path_out)
{
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    DATABASE_ENTRY (&database_path),
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_auto(GStrv) args = NULL;

  /* Work on a copy: GOptionContext rearranges the vector it is given. */
  args = g_new0 (char *, argc + 1);
  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  context = g_option_context_new (_("[COMMAND [OPTION…]]"));
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Send every respondent of the Supply Chain Resilience Scan "
                                  "their personal report, and keep track of it."));
  description = describe_commands ();
  g_option_context_set_description (context, description);

  if (!g_option_context_parse_strv (context, &args, &error))
    return rs_cli_fail ("%s", error->message);

  if (version)
    {
      g_clear_pointer (&database_path, g_free);
      printf ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  if (g_strv_length (args) < 2)
    {
      *database_path_out = g_steal_pointer (&database_path);
      return RS_CLI_RUN_GUI;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_strcmp0 (args[1], commands[i].name) == 0)
        {
          g_auto(GStrv) sub_args = g_strdupv (args + 1);
          int status;

          status = commands[i].run (&sub_args);
          g_clear_pointer (&database_path, g_free);
          return status;
        }
    }

  if (args[1][0] == '-')
    rs_cli_fail (_("unknown option “%s”. Try “%s --help”."), args[1], g_get_prgname ());
  else
    rs_cli_fail (_("unknown command “%s”. Try “%s --help”."), args[1], g_get_prgname ());

  return 2;
}

