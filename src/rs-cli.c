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

static int cmd_companies (GStrv *args);
static int cmd_dashboard (GStrv *args);
static int cmd_export (GStrv *args);
static int cmd_generate (GStrv *args);
static int cmd_import (GStrv *args);
static int cmd_imports (GStrv *args);
static int cmd_list (GStrv *args);
static int cmd_log (GStrv *args);
static int cmd_mark (GStrv *args);
static int cmd_send (GStrv *args);
static int cmd_signin (GStrv *args);
static int cmd_signout (GStrv *args);

static const Command commands[] = {
  { "import", N_("Import a master file (.csv or .xlsx)"), cmd_import },
  { "imports", N_("List the imports, or print what one of them did"), cmd_imports },
  { "list", N_("Print respondents and their e-mail status"), cmd_list },
  { "mark", N_("Set the status of respondents by hand"), cmd_mark },
  { "export", N_("Write the status of every respondent to a CSV file or an Excel workbook"),
    cmd_export },
  { "generate", N_("Make the PDF reports"), cmd_generate },
  { "send", N_("E-mail the reports"), cmd_send },
  { "signin", N_("Sign in to Microsoft 365 or Google to send mail"), cmd_signin },
  { "signout", N_("Forget the sign-in to Microsoft 365 or Google"), cmd_signout },
  { "companies", N_("List companies and their names; merge or split them"), cmd_companies },
  { "dashboard", N_("Write the round's overview (the executive dashboard) as a PDF"),
    cmd_dashboard },
  { "log", N_("Print the activity log: every import, report run and send round"), cmd_log },
};

static int
fail (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format,
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

static RsStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  RsStore *store;

  store = rs_store_open (database_path, &error);
  if (store == NULL)
    {
      fail ("%s", error->message);
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
static RsStore *
open_existing_store (void)
{
  g_autofree char *path = database_path != NULL ? g_strdup (database_path)
                                                : rs_store_default_path ();

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      fail (_("There is no database at “%s”: import a master file first "
              "(resiliencescan import FILE)"), path);
      return NULL;
    }

  return open_store ();
}

#define DATABASE_ENTRY(location) \
  { "database", 0, 0, G_OPTION_ARG_FILENAME, location, \
    N_("Use the tracker database at PATH"), N_("PATH") }

/* Parses a subcommand's options; @args[0] is the subcommand's name. */
static gboolean
parse_options (GOptionContext  *context,
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
      fail ("%s: %s", (*args)[0], error->message);
      return FALSE;
    }

  if (database != NULL)
    {
      g_free (database_path);
      database_path = g_steal_pointer (&database);
    }

  if (!allow_arguments && g_strv_length (*args) > 1)
    {
      fail (_("%s: unexpected argument “%s”"), (*args)[0], (*args)[1]);
      return FALSE;
    }

  return TRUE;
}

/* The counts, every problem row, the changed values by column and kind,
 * and the data-quality summary. */
static void
print_import (const RsImportSummary *summary)
{
  g_autofree char *counts = rs_import_summary_describe (summary);
  g_auto(GStrv) quality = rs_import_quality_describe (summary);

  printf ("%s\n", counts);
  for (guint i = 0; i < summary->problems->len; i++)
    {
      g_autofree char *line = rs_import_problem_describe (g_ptr_array_index (summary->problems, i));

      printf ("%s\n", line);
    }

  if (summary->change_groups->len > 0)
    {
      printf ("\n");
      printf (ngettext ("%u value was not used as the file has it:\n",
                        "%u values were not used as the file has them:\n", summary->changed),
              summary->changed);
      for (guint i = 0; i < summary->change_groups->len; i++)
        {
          g_autofree char *line = rs_import_change_group_describe (summary->change_groups->pdata[i]);

          printf ("  %s\n", line);
        }
    }

  if (quality[0] != NULL)
    {
      printf ("\n%s\n", _("Data quality after the import:"));
      for (guint i = 0; quality[i] != NULL; i++)
        printf ("  %s\n", quality[i]);
    }
}

/* A workbook's sheet, and the others that could have been read. */
static void
print_sheet (const RsImportSummary *summary)
{
  g_autoptr(GString) others = NULL;
  guint n_others;

  if (summary->sheet == NULL)
    return;

  n_others = summary->other_sheets != NULL ? g_strv_length (summary->other_sheets) : 0;
  if (n_others == 0)
    {
      /* Translators: the sheet of a workbook that was imported */
      printf (_("read sheet “%s”"), summary->sheet);
      printf ("\n");
      return;
    }

  others = g_string_new (NULL);
  for (guint i = 0; i < n_others; i++)
    {
      if (i > 0)
        g_string_append (others, ", ");
      g_string_append_printf (others, "“%s”", summary->other_sheets[i]);
    }
  /* Translators: the sheet that was imported, then the other sheets with
   * the columns of a master file, each in quotes; --sheet=NAME is an option */
  printf (ngettext ("read sheet “%s”; %s also has the columns: choose with --sheet=NAME",
                    "read sheet “%s”; %s also have the columns: choose with --sheet=NAME",
                    n_others),
          summary->sheet, others->str);
  printf ("\n");
}

static int
cmd_import (GStrv *args)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *sheet = NULL;
  const GOptionEntry entries[] = {
    { "sheet", 0, 0, G_OPTION_ARG_STRING, &sheet,
      N_("Of a workbook, import the sheet NAME (by default MasterData, else the first sheet "
         "with the required columns)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("Import a master file, CSV or an Excel workbook (.xlsx). "
                                  "People are added or updated; what they were sent is kept."));
  g_option_context_set_description (context,
                                    _("Give “-” as the file to read CSV from standard input."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) != 2)
    {
      fail (_("import: name one master file to import (.csv or .xlsx)"));
      return 2;
    }
  if (sheet != NULL && g_str_equal ((*args)[1], "-"))
    {
      fail (_("import: --sheet is for a workbook; standard input is read as CSV"));
      return 2;
    }
  if (!g_str_equal ((*args)[1], "-"))
    file = g_file_new_for_commandline_arg ((*args)[1]);
  /* A file that is not there is the import's to report. */
  if (sheet != NULL && file != NULL && g_file_query_exists (file, NULL)
      && !rs_row_source_is_workbook (file, NULL))
    {
      fail (_("import: --sheet is for a workbook; “%s” is read as CSV, which has no sheets"),
            (*args)[1]);
      return 2;
    }

  if (!(store = open_store ()))
    return 1;

  /* Read once, from one open: standard input and FIFOs too. */
  if (g_str_equal ((*args)[1], "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);

      summary = rs_import_stream (store, in, _("standard input"), NULL, NULL, NULL, &error);
    }
  else
    {
      summary = rs_import_file_full (store, file, sheet, NULL, NULL, NULL, &error);
    }
  if (summary == NULL)
    return fail (_("import: nothing was imported from “%s”: %s"), (*args)[1], error->message);

  print_sheet (summary);
  print_import (summary);

  return 0;
}

static char *
format_time (gint64 at)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (at);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

static gboolean
print_change_cb (const RsImportChangeGroup *group,
                 const RsImportChange      *change,
                 gpointer                   user_data)
{
  GString *line = user_data;
  char number[32];

  g_string_truncate (line, 0);
  g_snprintf (number, sizeof number, "%u", change->line);
  rs_export_append_csv_field (line, number);
  g_string_append_c (line, ',');
  /* What came from the file is guarded as export guards it. */
  rs_export_append_text_field (line, group->column, ',');
  g_string_append_c (line, ',');
  rs_export_append_csv_field (line, rs_master_change_kind_to_string (group->kind));
  g_string_append_c (line, ',');
  rs_export_append_text_field (line, change->value, ',');
  g_string_append_c (line, ',');
  rs_export_append_text_field (line, change->used ? change->used : "", ',');
  g_string_append_c (line, ',');
  if (change->respondent_id > 0)
    g_string_append_printf (line, "%" G_GINT64_FORMAT, change->respondent_id);
  g_string_append_c (line, '\n');
  fputs (line->str, stdout);

  return TRUE;
}

static int
cmd_imports (GStrv *args)
{
  gboolean changes = FALSE;
  const GOptionEntry entries[] = {
    { "changes", 0, 0, G_OPTION_ARG_NONE, &changes,
      N_("Print every value the import changed, as CSV: line, column, change, the value in "
         "the file, the value used, respondent"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("[ID|last]"));
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *at = NULL;
  g_autofree char *number = NULL;
  guint64 id = 0;

  g_option_context_set_summary (context,
                                _("Without an argument, list the imports: number, time, file "
                                  "and counts. With the number of one, or “last”, print what "
                                  "it did as import printed it: the counts, the problem rows, "
                                  "the values it changed and the data-quality summary."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) > 2)
    {
      fail (_("%s: unexpected argument “%s”"), (*args)[0], (*args)[2]);
      return 2;
    }
  if (g_strv_length (*args) == 2 && !g_str_equal ((*args)[1], "last") &&
      (!g_ascii_string_to_unsigned ((*args)[1], 10, 1, G_MAXINT64, &id, NULL)))
    {
      fail (_("imports: “%s” is not the number of an import: give one that imports lists, "
              "or “last”"), (*args)[1]);
      return 2;
    }

  if (changes && g_strv_length (*args) != 2)
    {
      fail (_("imports: --changes needs the number of an import, or “last”"));
      return 2;
    }

  if (!(store = open_store ()))
    return 1;

  if (g_strv_length (*args) == 1)
    {
      g_autoptr(GPtrArray) records = rs_import_list_records (store, &error);

      if (records == NULL)
        return fail ("imports: %s", error->message);
      for (guint i = 0; i < records->len; i++)
        {
          RsImportSummary *record = g_ptr_array_index (records, i);
          g_autofree char *when = format_time (record->at);
          g_autofree char *counts = rs_import_summary_describe (record);
          g_autofree char *source = NULL;

          /* Translators: a workbook's file name, then the sheet imported */
          if (record->sheet != NULL)
            source = g_strdup_printf (_("%s, sheet “%s”"), record->file, record->sheet);
          printf ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\n", record->import_id, when,
                  source != NULL ? source : record->file, counts);
        }
      return 0;
    }

  summary = rs_import_summary_load (store, (gint64) id, &error);
  if (summary == NULL && error != NULL)
    return fail ("imports: %s", error->message);
  if (summary == NULL && id == 0)
    return fail (_("imports: nothing was imported into this database yet"));
  if (summary == NULL)
    return fail (_("imports: there is no import %s: give one that imports lists"), (*args)[1]);

  if (changes)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      /* A workbook's lines are the rows of its sheet */
      printf ("%s,column,change,value,used,respondent\n",
              summary->sheet != NULL ? "row" : "line");
      if (!rs_import_foreach_change (store, summary->import_id, print_change_cb, line, &error))
        return fail ("imports: %s", error->message);
      return 0;
    }

  at = format_time (summary->at);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, summary->import_id);
  if (summary->sheet != NULL)
    {
      /* Translators: the number of an import, its workbook, the sheet and when */
      printf (_("Import %s of “%s”, sheet “%s”, at %s"), number, summary->file, summary->sheet,
              at);
    }
  else
    {
      /* Translators: the number of an import, its file and when */
      printf (_("Import %s of “%s” at %s"), number, summary->file, at);
    }
  printf ("\n");
  print_import (summary);

  return 0;
}

static int
cmd_list (GStrv *args)
{
  g_autofree char *status_name = NULL;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
      N_("Only respondents with this status (pending, sending, sent, failed, unknown)"),
      N_("STATUS") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("Output format: csv (the default)"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  RsStatus status = RS_STATUS_INVALID;

  g_option_context_set_summary (context, _("Print respondents and their e-mail status."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if (status_name != NULL)
    {
      status = rs_status_from_string (status_name);
      if (status == RS_STATUS_INVALID)
        {
          fail (_("list: unknown status “%s”; use pending, sending, sent, failed or unknown"),
                status_name);
          return 2;
        }
    }

  if (format != NULL && g_strcmp0 (format, "csv") != 0)
    {
      fail (_("list: unknown format “%s”; the only format is csv"), format);
      return 2;
    }

  if (!(store = open_store ()))
    return 1;

  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  if (!rs_export_list (store, status, out, NULL, &error))
    return fail ("list: %s", error->message);

  return 0;
}

static int
cmd_log (GStrv *args)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("Output format: text (the default, one line per entry) or csv"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GPtrArray) entries_found = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  gboolean csv;

  g_autofree char *summary = NULL;

  /* Translators: %s is the list of CSV columns */
  summary = g_strdup_printf (_("Print every import, report run and send round, newest first: "
                               "when it started, the user who ran it, what it did, how it "
                               "ended and its counts, then each failure of a report run or "
                               "send round on a line of its own: who and why. With "
                               "--format=csv, one CSV row each with a header line: %s."),
                             RS_ACTIVITY_CSV_HEADER);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "text"))
    {
      fail (_("log: unknown format “%s”; use text or csv"), format);
      return 2;
    }
  csv = g_strcmp0 (format, "csv") == 0;

  if (!(store = open_existing_store ()))
    return 1;

  entries_found = rs_activity_list (store, &error);
  if (entries_found == NULL)
    return fail ("log: %s", error->message);

  if (csv)
    rs_activity_append_csv_header (out);
  for (guint i = 0; i < entries_found->len; i++)
    {
      RsActivityEntry *entry = g_ptr_array_index (entries_found, i);
      g_autoptr(RsActivityEntry) details = NULL;

      /* A list leaves the failures out; an import's rows with a problem
       * are in its own log (`imports`), not here. */
      if (entry->n_failures > 0 && entry->kind != RS_ACTIVITY_IMPORT)
        {
          details = rs_activity_get (store, entry->id, &error);
          if (error != NULL)
            return fail ("log: %s", error->message);
          if (details != NULL)
            entry = details;
        }

      if (csv)
        {
          rs_activity_append_csv (out, entry);
        }
      else
        {
          g_autofree char *line = rs_activity_entry_describe (entry);

          g_string_append_printf (out, "%" G_GINT64_FORMAT "\t%s\n", entry->id, line);
          for (guint j = 0; entry->failures != NULL && j < entry->failures->len; j++)
            {
              g_autofree char *failure = NULL;

              failure = rs_activity_failure_describe (g_ptr_array_index (entry->failures, j));
              g_strdelimit (failure, "\r\n\t", ' ');
              g_string_append_printf (out, "\t  %s\n", failure);
            }
        }
    }
  fputs (out->str, stdout);
  if (fflush (stdout) != 0)
    return fail (_("log: could not write the log: %s"), g_strerror (errno));

  return 0;
}

static int
cmd_mark (GStrv *args)
{
  g_autofree char *status_name = NULL;
  g_autofree char *note = NULL;
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
      N_("The new status: pending, sent or failed"), N_("STATUS") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note,
      N_("A note to keep with the change"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID…"));
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  RsStatus status;

  g_option_context_set_summary (context,
                                _("Set the status of respondents by hand, as the window "
                                  "does: the change is kept in their history."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, TRUE))
    return 2;

  status = rs_status_from_string (status_name);
  if (status != RS_STATUS_PENDING && status != RS_STATUS_SENT && status != RS_STATUS_FAILED)
    {
      if (status_name == NULL)
        fail (_("mark: say which status with --status=pending, --status=sent or "
                "--status=failed"));
      else
        fail (_("mark: “%s” cannot be set by hand; use pending, sent or failed"), status_name);
      return 2;
    }

  if (g_strv_length (*args) < 2)
    {
      fail (_("mark: name the id of at least one respondent (see “list”)"));
      return 2;
    }

  for (guint i = 1; (*args)[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned ((*args)[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          fail (_("mark: “%s” is not a respondent id; nothing was changed"), (*args)[i]);
          return 2;
        }
      g_array_append_val (ids, id);
    }

  if (!(store = open_store ()))
    return 1;

  snapshots = rs_tracker_mark (store, (gint64 *) ids->data, ids->len, status, note, &error);
  if (snapshots == NULL)
    return fail ("mark: %s", error->message);

  printf (ngettext ("%u respondent marked as %s\n", "%u respondents marked as %s\n",
                    snapshots->len),
          snapshots->len, rs_status_to_string (status));

  return 0;
}

static int
cmd_export (GStrv *args)
{
  g_autofree char *delimiter = NULL;
  gboolean bom = FALSE;
  const GOptionEntry entries[] = {
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter,
      N_("Between fields: comma (the default) or semicolon (Excel in languages with a "
         "decimal comma)"), "comma|semicolon" },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom,
      N_("Start the file with a byte order mark, so that Excel reads it as UTF-8"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GFile) file = NULL;
  RsExportOptions options = RS_EXPORT_OPTIONS_INIT;

  g_option_context_set_summary (context,
                                _("Write the status of every respondent, with the number of "
                                  "history entries and the last change, to a CSV file; to a "
                                  "FILE that ends in .xlsx, an Excel workbook with a sheet of "
                                  "respondents and a sheet of their history."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) != 2)
    {
      fail (_("export: name the file to write (.csv, or .xlsx for an Excel workbook)"));
      return 2;
    }

  if (!g_str_equal ((*args)[1], "-"))
    {
      file = g_file_new_for_commandline_arg ((*args)[1]);
      options.format = rs_export_format_for_file (file);
    }
  if (options.format == RS_EXPORT_FORMAT_XLSX && (delimiter != NULL || bom))
    {
      fail (_("export: --delimiter and --bom are for CSV files; a workbook (.xlsx) has "
              "neither"));
      return 2;
    }

  if (delimiter != NULL && g_str_equal (delimiter, "semicolon"))
    options.delimiter = ';';
  else if (delimiter != NULL && !g_str_equal (delimiter, "comma"))
    {
      fail (_("export: unknown delimiter “%s”; use comma or semicolon"), delimiter);
      return 2;
    }
  options.bom = bom;

  if (!(store = open_store ()))
    return 1;

  /* "-" is standard output, as "import -" is standard input. */
  if (g_str_equal ((*args)[1], "-"))
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      if (!rs_export_write (store, &options, out, NULL, &error) ||
          !g_output_stream_flush (out, NULL, &error))
        return fail (_("export: could not write to standard output: %s"), error->message);
      return 0;
    }

  if (!rs_export_to_file (store, file, &options, NULL, &error))
    return fail (_("export: could not write “%s”: %s"), (*args)[1], error->message);

  return 0;
}

static void
report_progress_cb (const RsReportSummary *so_far,
                    const RsReportResult  *result,
                    gpointer               user_data)
{
  switch (result->outcome)
    {
    case RS_REPORT_OUTCOME_MADE:
      /* Translators: progress, id, person, company, file */
      printf (_("[%u/%u] %lld %s (%s): made %s\n"), so_far->results->len, so_far->total,
              (long long) result->id, result->person, result->company, result->path);
      break;
    case RS_REPORT_OUTCOME_UP_TO_DATE:
      printf (_("[%u/%u] %lld %s (%s): up to date\n"), so_far->results->len, so_far->total,
              (long long) result->id, result->person, result->company);
      break;
    case RS_REPORT_OUTCOME_NOT_POSSIBLE:
      printf (_("[%u/%u] %lld %s (%s): not possible: %s\n"), so_far->results->len,
              so_far->total, (long long) result->id, result->person, result->company,
              result->reason);
      break;
    case RS_REPORT_OUTCOME_FAILED:
    default:
      printf (_("[%u/%u] %lld %s (%s): failed: %s\n"), so_far->results->len, so_far->total,
              (long long) result->id, result->person, result->company, result->reason);
      break;
    }
  fflush (stdout);
}

/* The saved preferences, or %NULL when the schema is not installed: the
 * command line then works with its options and defaults alone. */
static GSettings *
open_saved_settings (void)
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
saved_string (GSettings  *settings,
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

static char *
saved_reports_folder (void)
{
  g_autoptr(GSettings) settings = open_saved_settings ();
  g_autofree char *folder = saved_string (settings, "reports-folder");

  if (folder == NULL || folder[0] == '\0')
    return rs_report_default_folder ();

  return g_steal_pointer (&folder);
}

/* A logo set in Preferences that the reports cannot show: the reports are
 * made without it, and the command line says so rather than nothing. */
static void
warn_about_logos (void)
{
  g_autoptr(GSettings) settings = open_saved_settings ();
  g_autofree char *logo = NULL;
  g_auto(GStrv) partners = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (settings == NULL)
    return;

  logo = g_settings_get_string (settings, "report-logo");
  partners = g_settings_get_strv (settings, "report-partner-logos");
  if (logo[0] != '\0')
    g_ptr_array_add (paths, logo);
  for (guint i = 0, n = 0; partners[i] != NULL; i++)
    if (partners[i][0] != '\0' && n++ < RS_BRANDING_MAX_PARTNERS)
      g_ptr_array_add (paths, partners[i]);
    else if (partners[i][0] != '\0')
      /* Translators: %s is the path of a partner logo, %d how many are shown */
      fprintf (stderr, _("Warning: “%s” is not shown: the reports show the first %d partner "
                         "logos\n"), partners[i], RS_BRANDING_MAX_PARTNERS);

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!rs_branding_check_image (g_ptr_array_index (paths, i), &error))
        /* Translators: the reason names the file and says that the
         * reports are made without it */
        fprintf (stderr, _("Warning: %s\n"), error->message);
    }
}

static int
cmd_generate (GStrv *args)
{
  g_autofree char *output = NULL;
  g_auto(GStrv) id_texts = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("The folder for the reports (default: the one in Preferences)"), N_("DIR") },
    { "id", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_texts,
      N_("Only this respondent; may be given more than once"), N_("ID") },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Make reports again even when they are up to date"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsReportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *counts = NULL;

  g_option_context_set_summary (context,
                                _("Make the PDF report of every respondent, or of some, in "
                                  "the reports folder. Reports that are up to date are kept."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  for (guint i = 0; id_texts != NULL && id_texts[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned (id_texts[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          fail (_("generate: “%s” is not a respondent id"), id_texts[i]);
          return 2;
        }
      g_array_append_val (ids, id);
    }

  if (output == NULL)
    output = saved_reports_folder ();

  if (!(store = open_store ()))
    return 1;

  warn_about_logos ();
  summary = rs_report_job_run (store, output, (gint64 *) ids->data, ids->len, force, 0,
                               report_progress_cb, NULL, NULL, &error);
  if (summary == NULL)
    return fail ("generate: %s", error->message);

  counts = rs_report_summary_describe (summary);
  printf ("%s\n", counts);

  return summary->failed > 0 ? 1 : 0;
}

static int
cmd_dashboard (GStrv *args)
{
  g_autofree char *output = NULL;
  g_autofree char *language = NULL;
  const GOptionEntry entries[] = {
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("The PDF file to write (default: “Dashboard YYYYMMDD.pdf” in the reports folder)"),
      N_("FILE.pdf") },
    { "language", 0, 0, G_OPTION_ARG_STRING, &language,
      N_("The language of the dashboard: en or nl (default: the application's)"),
      N_("LANGUAGE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(RsDashboard) dashboard = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *display = NULL;
  sqlite3 *db;

  g_option_context_set_summary (context,
                                _("Write the figures of the whole round (respondents, "
                                  "scores, companies, sending) as a PDF and print its path."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if (language == NULL)
    language = g_strdup (rs_dashboard_app_language ());
  else if (g_strcmp0 (language, "en") != 0 && g_strcmp0 (language, "nl") != 0)
    {
      fail (_("dashboard: unknown language “%s”; use en or nl"), language);
      return 2;
    }

  if (output != NULL && output[0] == '\0')
    {
      fail (_("dashboard: --output needs the name of a file"));
      return 2;
    }

  /* A folder: the dashboard goes into it under its usual name. */
  if (output != NULL && g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *name = rs_dashboard_file_name (now);
      g_autofree char *folder = g_steal_pointer (&output);

      output = g_build_filename (folder, name, NULL);
    }

  if (output == NULL)
    {
      g_autofree char *folder = saved_reports_folder ();
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *name = rs_dashboard_file_name (now);

      if (g_mkdir_with_parents (folder, 0777) != 0)
        {
          int saved_errno = errno;
          g_autofree char *folder_display = g_filename_display_name (folder);

          /* Translators: a folder, then the reason */
          return fail (_("dashboard: could not make the reports folder “%s”: %s"),
                       folder_display, g_strerror (saved_errno));
        }
      output = g_build_filename (folder, name, NULL);
    }

  if (!(store = open_existing_store ()))
    return 1;

  {
    g_autoptr(GFile) file = g_file_new_for_path (output);

    if (!rs_export_check_not_database (store, file, &error))
      return fail ("dashboard: %s", error->message);
  }

  db = rs_store_get_connection (store, &error);
  if (db != NULL)
    dashboard = rs_dashboard_compute (db, NULL, &error);
  if (dashboard == NULL)
    return fail ("dashboard: %s", error->message);

  if (!rs_dashboard_write_pdf (dashboard, language, output, &error))
    return fail ("dashboard: %s", error->message);

  display = g_filename_display_name (output);
  printf ("%s\n", display);

  return 0;
}

static void
send_progress_cb (const RsSendSummary *so_far,
                  const RsSendItem    *current,
                  const RsSendResult  *result,
                  gpointer             user_data)
{
  guint done = so_far->total - so_far->remaining + 1;

  if (result == NULL)
    return;
  if (!result->will_retry)
    done--;

  if (result->will_retry && so_far->wait_s > 0)
    {
      /* Translators: progress, id, person, e-mail address, seconds, the server's reply */
      printf (_("[%u/%u] %lld %s <%s>: Server asked to wait; trying again in %u s: %s\n"),
              done, so_far->total, (long long) result->id, result->person, result->email,
              so_far->wait_s, result->error);
      fflush (stdout);
      return;
    }

  switch (result->outcome)
    {
    case RS_SEND_OUTCOME_SENT:
      if (so_far->mode == RS_SEND_MODE_TEST)
        /* Translators: progress, id, person, e-mail address, test address */
        printf (_("[%u/%u] %lld %s <%s>: test message sent to %s\n"), done, so_far->total,
                (long long) result->id, result->person, result->email, result->sent_to);
      else
        printf (_("[%u/%u] %lld %s <%s>: sent\n"), done, so_far->total,
                (long long) result->id, result->person, result->email);
      break;
    case RS_SEND_OUTCOME_FAILED:
      printf (_("[%u/%u] %lld %s <%s>: failed: %s\n"), done, so_far->total,
              (long long) result->id, result->person, result->email, result->error);
      break;
    case RS_SEND_OUTCOME_DEFERRED:
      if (result->will_retry)
        printf (_("[%u/%u] %lld %s <%s>: not accepted yet, will try again: %s\n"), done,
                so_far->total, (long long) result->id, result->person, result->email,
                result->error);
      else
        printf (_("[%u/%u] %lld %s <%s>: not sent yet, try again later: %s\n"), done,
                so_far->total, (long long) result->id, result->person, result->email,
                result->error);
      break;
    case RS_SEND_OUTCOME_UNKNOWN:
      printf (_("[%u/%u] %lld %s <%s>: unknown, check your Sent folder: %s\n"), done,
              so_far->total, (long long) result->id, result->person, result->email,
              result->error);
      break;
    case RS_SEND_OUTCOME_SKIPPED:
    default:
      printf (_("[%u/%u] %lld %s <%s>: skipped: %s\n"), done, so_far->total,
              (long long) result->id, result->person, result->email,
              result->error != NULL ? result->error : "");
      break;
    }
  fflush (stdout);
}

typedef struct
{
  GMainLoop *loop;
  RsSendSummary *summary;
  GError *error;
} SendWait;

static void
send_finished_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SendWait *wait = user_data;

  wait->summary = rs_send_job_run_finish (RS_STORE (object), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

static gboolean
stop_sending_cb (gpointer user_data)
{
  fprintf (stderr, "%s\n", _("Stopping after the message being sent…"));
  g_cancellable_cancel (user_data);

  return G_SOURCE_CONTINUE;
}

/* Whether @url could carry a user name or password. An SMTP URL has no use
 * for an @ anywhere (a path names at most the EHLO domain), so any @ is
 * refused: a password with a / ? or #, or a mistyped "smtp:/", never gets
 * past this to be echoed in an error message. */
static gboolean
url_has_user_info (const char *url)
{
  return strchr (url, '@') != NULL;
}

/* The placeholders of the send's texts that the template does not know, or
 * %NULL; a text that is not set is the default text, which has none. */
static char *
find_unknown_placeholders (const RsSendOptions *options)
{
  const char *texts[] = {
    options->subject_en, options->body_en, options->subject_nl, options->body_nl,
  };

  return rs_template_list_unknown (texts, G_N_ELEMENTS (texts));
}

/* Before a live send: who gets a second report at an address that has one,
 * as a person allowed, and who does not. */
static void
print_second_reports (RsStore             *store,
                      const RsSendOptions *options)
{
  g_autoptr(RsSendPlan) plan = rs_send_job_plan (store, options, NULL);

  if (plan == NULL)
    return;

  for (guint i = 0; i < plan->to_send->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->to_send, i);

      if (item->second_of != NULL)
        /* Translators: id, person, e-mail address, who has a report there already */
        printf (_("second report %lld %s <%s>: allowed, although %s has one at this "
                  "address\n"), (long long) item->id, item->person, item->email,
                item->second_of);
    }
  for (guint i = 0; i < plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (plan->skipped, i);

      if (item->skip == RS_SEND_SKIP_SECOND_REPORT)
        /* Translators: id, person, e-mail address, who has a report there already */
        printf (_("second report %lld %s <%s>: not sent, %s has one at this address; "
                  "--allow-second-report=%lld sends it\n"), (long long) item->id,
                item->person, item->email, item->second_of, (long long) item->id);
    }
  fflush (stdout);
}

/* An access token or a refresh token: wiped from memory when freed. */
static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

typedef char WipedSecret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WipedSecret, wipe_free)

/* The signed-in address when the sign-in did not say it: Graph's /me. */
static char *
graph_account (RsMailSettings *mail,
               const char     *access_token)
{
  RsSendOptions options;
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) error = NULL;
  char *account;

  rs_mail_settings_fill_send_options (mail, RS_SEND_MODE_TEST, &options);
  options.graph.access_token = access_token;
  graph = rs_graph_new (&options.graph, &error);
  if (graph == NULL)
    return NULL;
  account = rs_graph_get_me (graph, NULL, &error);
  if (account == NULL)
    g_debug ("Could not read the signed-in address: %s", error->message);

  return account;
}

static int
cmd_send (GStrv *args)
{
  g_autofree char *auth = NULL;
  g_autofree char *provider_name = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *client_secret = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *device_code_url = NULL;
  g_autofree char *graph_url = NULL;
  gboolean keep_copy = FALSE;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(WipedSecret) access_token = NULL;
  g_autofree char *test_address = NULL;
  g_autofree char *smtp_url = NULL;
  g_autofree char *starttls = NULL;
  g_autofree char *smtp_user = NULL;
  g_autofree char *from = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *cafile = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(RsMailSettings) mail = NULL;
  RsSendMode mode;
  g_auto(GStrv) id_texts = NULL;
  g_auto(GStrv) second_texts = NULL;
  gboolean live = FALSE;
  gboolean retry_failed = FALSE;
  int rate = -1;
  const GOptionEntry entries[] = {
    { "test-address", 0, 0, G_OPTION_ARG_STRING, &test_address,
      N_("Send test messages, all to this address; no status changes"), N_("ADDR") },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live,
      N_("Send the real messages to the respondents"), NULL },
    { "id", 0, 0, G_OPTION_ARG_STRING_ARRAY, &id_texts,
      N_("Only this respondent; may be given more than once"), N_("ID") },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &retry_failed,
      N_("Also send to those for whom sending failed before"), NULL },
    { "smtp-url", 0, 0, G_OPTION_ARG_STRING, &smtp_url,
      N_("The mail server: smtp://HOST:PORT or smtps://HOST:PORT"), N_("URL") },
    { "starttls", 0, 0, G_OPTION_ARG_STRING, &starttls,
      N_("Whether smtp:// must be encrypted with STARTTLS: required (the default) or off "
         "(only to this computer)"), N_("required|off") },
    { "smtp-user", 0, 0, G_OPTION_ARG_STRING, &smtp_user,
      N_("The user name on the mail server; the password is taken from "
         "$RESILIENCESCAN_SMTP_PASSWORD"), N_("USER") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      N_("The sender address"), N_("ADDR") },
    { "from-name", 0, 0, G_OPTION_ARG_STRING, &from_name,
      N_("The sender name"), N_("NAME") },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile,
      N_("Trust the certificates in this PEM file for the mail server, and with "
         "--auth=oauth2 for the sign-in server and Microsoft Graph too"), N_("PEM") },
    { "rate", 0, 0, G_OPTION_ARG_INT, &rate,
      N_("At most this many messages a minute; 0 for no limit"), N_("MESSAGES_PER_MINUTE") },
    { "allow-second-report", 0, 0, G_OPTION_ARG_STRING_ARRAY, &second_texts,
      N_("Send this respondent a report although their address already has one in this "
         "round; may be given more than once"), N_("ID") },
    { "keep-copy", 0, 0, G_OPTION_ARG_NONE, &keep_copy,
      N_("Over SMTP, send every message to the sender address too (envelope only), for a "
         "copy in the sender's mailbox"), NULL },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth,
      N_("How to sign in: password (the default) or oauth2 (Microsoft 365 or Google, signed "
         "in with “signin”; the refresh token may be given in "
         "$RESILIENCESCAN_OAUTH_REFRESH_TOKEN)"), N_("password|oauth2") },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_name,
      N_("With --auth=oauth2: who keeps the mailbox, microsoft (Microsoft 365) or google"),
      N_("PROVIDER") },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("The client ID of the app's registration with the provider"), N_("ID") },
    { "client-secret", 0, 0, G_OPTION_ARG_STRING, &client_secret,
      N_("The client secret of a Google desktop app registration"), N_("SECRET") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant,
      N_("Microsoft 365: the tenant ID or domain (the default: organizations)"),
      N_("TENANT") },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport,
      N_("Microsoft 365: send through Microsoft Graph (the default) or over SMTP "
         "(smtp://smtp.office365.com:587 unless --smtp-url is given); Google sends over SMTP "
         "(smtp://smtp.gmail.com:587)"), N_("graph|smtp") },
    { "authority", 0, 0, G_OPTION_ARG_STRING, &authority,
      N_("Use this sign-in server instead of https://login.microsoftonline.com (or "
         "https://accounts.google.com)"), N_("URL") },
    { "token-url", 0, 0, G_OPTION_ARG_STRING, &token_url,
      N_("Use this token address instead of the provider's"), N_("URL") },
    { "device-code-url", 0, 0, G_OPTION_ARG_STRING, &device_code_url,
      N_("Use this device code address instead of the provider's"), N_("URL") },
    { "graph-url", 0, 0, G_OPTION_ARG_STRING, &graph_url,
      N_("Use this Microsoft Graph server instead of https://graph.microsoft.com"),
      N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) second_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *counts = NULL;
  const char *password = g_getenv ("RESILIENCESCAN_SMTP_PASSWORD");
  g_autoptr(RsSecretPassword) keyring_password = NULL;
  RsSendOptions options = { 0 };

  g_option_context_set_summary (context,
                                _("E-mail every respondent whose report is ready and who has "
                                  "not been sent to, or only some. With --test-address all "
                                  "messages go to that address instead and no status "
                                  "changes."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when everyone chosen was sent or skipped "
                                      "by a rule (already sent, no report, …); 3 when some "
                                      "failed, are unknown or wait to be tried again later; "
                                      "1 when sending stopped (sign-in, the account or the "
                                      "sender refused, the connection, Ctrl+C); 2 when the "
                                      "command line or the settings are not right."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if ((test_address != NULL) == live)
    {
      fail (_("send: say either --test-address=ADDR to send test messages or --live to send "
              "the real ones"));
      return 2;
    }

  for (guint i = 0; id_texts != NULL && id_texts[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned (id_texts[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          fail (_("send: “%s” is not a respondent id"), id_texts[i]);
          return 2;
        }
      g_array_append_val (ids, id);
    }

  for (guint i = 0; second_texts != NULL && second_texts[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned (second_texts[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          fail (_("send: “%s” is not a respondent id"), second_texts[i]);
          return 2;
        }
      g_array_append_val (second_ids, id);
    }

  if (second_ids->len > 0 && !live)
    {
      fail (_("send: --allow-second-report is for a live send"));
      return 2;
    }

  /* A password in the URL would be in the shell's history and in every
   * list of processes; it is not repeated here either. */
  if (smtp_url != NULL && url_has_user_info (smtp_url))
    {
      fail (_("send: --smtp-url must not contain a user name or password; give the user "
              "with --smtp-user=USER and the password in $RESILIENCESCAN_SMTP_PASSWORD"));
      return 2;
    }

  if (starttls != NULL && g_strcmp0 (starttls, "required") != 0 &&
      g_strcmp0 (starttls, "off") != 0)
    {
      fail (_("send: --starttls is “required” or “off”, not “%s”"), starttls);
      return 2;
    }

  if (rate < -1)
    {
      fail (_("send: --rate is a number of messages a minute, 0 or more"));
      return 2;
    }

  if (auth != NULL && !g_str_equal (auth, "password") && !g_str_equal (auth, "oauth2"))
    {
      fail (_("send: --auth is “password” or “oauth2”, not “%s”"), auth);
      return 2;
    }
  if (g_strcmp0 (auth, "oauth2") != 0
      && (provider_name != NULL || client_id != NULL || client_secret != NULL || tenant != NULL
          || transport != NULL || authority != NULL || token_url != NULL
          || device_code_url != NULL || graph_url != NULL))
    {
      fail (_("send: --provider, --client-id, --client-secret, --tenant, --transport and the "
              "provider's addresses are for signing in with --auth=oauth2"));
      return 2;
    }
  if (transport != NULL && !g_str_equal (transport, "graph") && !g_str_equal (transport, "smtp"))
    {
      fail (_("send: --transport is “graph” or “smtp”, not “%s”"), transport);
      return 2;
    }

  /* What is not given falls back to the saved preferences. */
  settings = open_saved_settings ();
  mail = settings != NULL ? rs_mail_settings_new_from_gsettings (settings)
                          : rs_mail_settings_new ();
  if (smtp_url != NULL)
    rs_mail_settings_set_url (mail, smtp_url);
  if (starttls != NULL)
    rs_mail_settings_set_security (mail, g_str_equal (starttls, "off")
                                         ? RS_MAIL_SECURITY_NONE : RS_MAIL_SECURITY_STARTTLS);
  if (smtp_user != NULL)
    rs_mail_settings_set_user (mail, smtp_user);
  if (from != NULL)
    rs_mail_settings_set_from_address (mail, from);
  if (from_name != NULL)
    rs_mail_settings_set_from_name (mail, from_name);
  if (cafile != NULL)
    rs_mail_settings_set_ca_file (mail, cafile);
  if (rate >= 0)
    rs_mail_settings_set_rate_limit (mail, (guint) rate);
  if (test_address != NULL)
    rs_mail_settings_set_test_address (mail, test_address);
  if (keep_copy)
    rs_mail_settings_set_keep_copy (mail, TRUE);

  /* Without --auth, a password as always, whatever Preferences say. */
  if (auth == NULL || g_str_equal (auth, "password"))
    rs_mail_settings_set_auth (mail, RS_MAIL_AUTH_PASSWORD);
  else
    {
      RsOAuthProviderKind kind;
      RsMailAuth saved = rs_mail_settings_get_auth (mail);

      if (provider_name != NULL)
        {
          if (!rs_oauth_provider_kind_from_name (provider_name, &kind))
            {
              fail (_("%s: --provider is “microsoft” or “google”, not “%s”"), "send",
                    provider_name);
              return 2;
            }
          rs_mail_settings_set_auth (mail, kind == RS_OAUTH_PROVIDER_MICROSOFT
                                           ? RS_MAIL_AUTH_MICROSOFT : RS_MAIL_AUTH_GOOGLE);
        }
      else if (saved == RS_MAIL_AUTH_PASSWORD)
        {
          fail (_("%s: say which provider with --provider=microsoft or --provider=google"),
                "send");
          return 2;
        }

      if (transport != NULL && g_str_equal (transport, "graph")
          && rs_mail_settings_get_auth (mail) == RS_MAIL_AUTH_GOOGLE)
        {
          fail (_("send: Microsoft Graph is for Microsoft 365; Google sends over SMTP "
                  "(without --transport)"));
          return 2;
        }
      if (smtp_user != NULL)
        {
          fail (_("send: --smtp-user is for a password; with --auth=oauth2 the signed-in "
                  "account signs in"));
          return 2;
        }
      if (transport != NULL)
        rs_mail_settings_set_transport (mail, g_str_equal (transport, "smtp")
                                              ? RS_SEND_TRANSPORT_SMTP
                                              : RS_SEND_TRANSPORT_GRAPH);
      if (client_id != NULL)
        rs_mail_settings_set_oauth_client_id (mail, client_id);
      if (client_secret != NULL)
        rs_mail_settings_set_oauth_client_secret (mail, client_secret);
      if (tenant != NULL)
        rs_mail_settings_set_oauth_tenant (mail, tenant);
      rs_mail_settings_set_oauth_authority (mail, authority);
      rs_mail_settings_set_oauth_token_url (mail, token_url);
      rs_mail_settings_set_oauth_device_code_url (mail, device_code_url);
      rs_mail_settings_set_graph_url (mail, graph_url);

      if (rs_mail_settings_get_oauth_client_id (mail) == NULL)
        {
          fail (_("send: give the client ID of the app's registration with --client-id=ID"));
          return 2;
        }
    }

  if (rs_mail_settings_get_url (mail) == NULL)
    {
      fail (_("send: say which mail server to use with --smtp-url=smtps://HOST:PORT"));
      return 2;
    }

  if (rs_mail_settings_get_auth (mail) == RS_MAIL_AUTH_PASSWORD
      && rs_mail_settings_get_from_address (mail) == NULL)
    {
      fail (_("send: say which sender address to use with --from=ADDR"));
      return 2;
    }

  mode = live ? RS_SEND_MODE_LIVE : RS_SEND_MODE_TEST;
  if (!rs_mail_settings_validate (mail, mode, &error))
    {
      fail ("send: %s", error->message);
      return 2;
    }

  if (rs_mail_settings_get_auth (mail) != RS_MAIL_AUTH_PASSWORD)
    {
      g_autoptr(RsOAuthProvider) provider = rs_mail_settings_new_oauth_provider (mail);
      g_autofree char *account = NULL;

      /* The first access token now: a sign-in that is no longer accepted
       * stops here, before anyone is touched. */
      oauth = rs_oauth_new (provider);
      access_token = rs_oauth_get_access_token (oauth, NULL, &error);
      if (access_token == NULL)
        return fail ("send: %s", error->message);

      account = rs_oauth_dup_account (oauth);
      /* Through Graph, without a From address of one's own: the mailbox's
       * address as Graph knows it, which may differ from the sign-in name
       * (the UPN) and is the one Graph sends as. */
      if (rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_GRAPH
          && rs_mail_settings_get_from_address (mail) == NULL)
        {
          char *mailbox = graph_account (mail, access_token);

          if (mailbox != NULL)
            {
              g_free (account);
              account = mailbox;
            }
        }
      if (account != NULL)
        rs_mail_settings_set_oauth_account (mail, account);

      if (rs_mail_settings_get_sender (mail) == NULL)
        {
          fail (_("send: %s did not say which address is signed in; give the sender address "
                  "with --from=ADDR"), rs_oauth_provider_get_display_name (provider));
          return 2;
        }
      if (rs_mail_settings_get_transport (mail) == RS_SEND_TRANSPORT_SMTP
          && rs_mail_settings_get_oauth_account (mail) == NULL)
        {
          fail (_("send: %s did not say which address is signed in, which SMTP needs to sign "
                  "in; sign in again with “resiliencescan signin”"),
                rs_oauth_provider_get_display_name (provider));
          return 1;
        }
      if (!rs_mail_settings_validate (mail, mode, &error))
        {
          fail ("send: %s", error->message);
          return 2;
        }
      /* No password of any kind goes with a token. */
      password = NULL;
    }
  else if (password != NULL && *password != '\0' && rs_mail_settings_get_user (mail) == NULL)
    {
      fail (_("send: $RESILIENCESCAN_SMTP_PASSWORD is set, so give the user name with "
              "--smtp-user=USER"));
      return 2;
    }

  /* Without the variable, the keyring: where the window keeps it. */
  if (oauth == NULL && (password == NULL || *password == '\0'))
    {
      keyring_password = rs_mail_settings_lookup_password (mail, NULL, NULL);
      password = keyring_password;
    }

  rs_mail_settings_fill_send_options (mail, mode, &options);

  if (live)
    {
      g_autofree char *unknown = find_unknown_placeholders (&options);

      if (unknown != NULL)
        {
          fail (_("send: the e-mail template has placeholders that are not known: %s. "
                  "Correct them under E-mail Template… before sending."), unknown);
          return 2;
        }
    }

  options.retry_failed = retry_failed;
  options.ids = (const gint64 *) ids->data;
  options.n_ids = ids->len;
  if (oauth != NULL)
    {
      options.mailer.access_token = access_token;
      options.graph.access_token = access_token;
      options.refresh_token = rs_oauth_renew_access_token_cb;
      options.current_token = rs_oauth_get_access_token_cb;
      options.refresh_data = oauth;
    }
  else if (password != NULL && *password != '\0')
    {
      options.mailer.password = password;
    }
  else if (options.mailer.user != NULL)
    {
      /* Sending without the sign-in that was asked for would go out
       * unauthenticated, or be refused late, one respondent at a time. */
      fail (_("send: the user name “%s” is set, but there is no password: put it in "
              "$RESILIENCESCAN_SMTP_PASSWORD, or keep it in the keyring from Preferences"),
            options.mailer.user);
      return 2;
    }

  if (!(store = open_store ()))
    return 1;

  if (!rs_send_job_recover (store, &error))
    return fail ("send: %s", error->message);

  /* An id that is no one is a mistake on the command line: nothing goes
   * out, as "mark" does. */
  if (ids->len > 0)
    {
      RsSendPlan *plan = rs_send_job_plan (store, &options, &error);
      gint64 missing = -1;

      if (plan == NULL)
        return fail ("send: %s", error->message);
      for (guint i = 0; i < plan->skipped->len && missing < 0; i++)
        {
          RsSendItem *item = g_ptr_array_index (plan->skipped, i);

          if (item->skip == RS_SEND_SKIP_NOT_FOUND)
            missing = item->id;
        }
      rs_send_plan_free (plan);
      if (missing >= 0)
        {
          fail (_("send: there is no respondent with id %lld; nothing was sent"),
                (long long) missing);
          return 2;
        }
    }

  if (second_ids->len > 0 &&
      !rs_send_job_allow_second (store, (const gint64 *) second_ids->data, second_ids->len,
                                 TRUE, &error))
    return fail ("send: %s", error->message);

  if (live)
    print_second_reports (store, &options);

  /* Ctrl+C and SIGTERM stop after the message in flight, cleanly, instead
   * of leaving it to be found `unknown` at the next start. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    SendWait wait = { loop, NULL, NULL };
    guint sigint = g_unix_signal_add (SIGINT, stop_sending_cb, cancellable);
    guint sigterm = g_unix_signal_add (SIGTERM, stop_sending_cb, cancellable);

    rs_send_job_run_async (store, &options, send_progress_cb, NULL, cancellable,
                           send_finished_cb, &wait);
    g_main_loop_run (loop);
    g_source_remove (sigint);
    g_source_remove (sigterm);

    summary = wait.summary;
    if (summary == NULL)
      {
        g_autoptr(GError) job_error = wait.error;

        if (g_error_matches (job_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
          return fail (_("send: stopped before the end; whoever was not sent to yet is still "
                         "pending"));
        return fail ("send: %s", job_error->message);
      }
  }

  for (guint i = 0; i < summary->plan->skipped->len; i++)
    {
      RsSendItem *item = g_ptr_array_index (summary->plan->skipped, i);

      /* Everyone sent before would drown out the ones that need a look. */
      if (item->skip == RS_SEND_SKIP_SENT && ids->len == 0)
        continue;
      if (item->person != NULL)
        /* Translators: id, person, e-mail address, why */
        printf (_("skipped %lld %s <%s>: %s\n"), (long long) item->id, item->person,
                item->email, item->reason);
      else
        printf (_("skipped %lld: %s\n"), (long long) item->id, item->reason);
    }

  counts = rs_send_summary_describe (summary);
  printf ("%s\n", counts);

  if (summary->cancelled)
    fail (_("send: stopped before the end; whoever was not sent to yet is still "
            "pending"));

  return rs_send_summary_exit_status (summary);
}

/* The provider named by --provider, or %NULL after saying what is wrong. */
static RsOAuthProvider *
provider_from_option (const char *command,
                      const char *name)
{
  RsOAuthProviderKind kind;

  if (name == NULL)
    {
      /* Translators: the command */
      fail (_("%s: say which provider with --provider=microsoft or --provider=google"),
            command);
      return NULL;
    }
  if (!rs_oauth_provider_kind_from_name (name, &kind))
    {
      /* Translators: the command, the provider given */
      fail (_("%s: --provider is “microsoft” or “google”, not “%s”"), command, name);
      return NULL;
    }

  return rs_oauth_provider_new (kind);
}

typedef struct
{
  GMainLoop *loop;
  gboolean ok;
  char *account;
  GError *error;
} SigninWait;

static void
signin_browser_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SigninWait *wait = user_data;

  wait->ok = rs_oauth_sign_in_browser_finish (RS_OAUTH (source), result, &wait->account,
                                              &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
signin_device_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SigninWait *wait = user_data;

  wait->ok = rs_oauth_sign_in_device_finish (RS_OAUTH (source), result, &wait->account,
                                             &wait->error);
  g_main_loop_quit (wait->loop);
}

static void
open_sign_in_page (const char *uri,
                   gpointer    user_data)
{
  g_autoptr(GError) error = NULL;

  /* Translators: the provider, then the address on a line of its own */
  fprintf (stderr, _("Sign in to %s in your browser. If it does not open, open this "
                     "address:\n%s\n"), (const char *) user_data, uri);
  if (!rs_oauth_open_browser (uri, &error))
    fprintf (stderr, _("The browser could not be opened: %s\n"), error->message);
  fprintf (stderr, "%s\n", _("Waiting for sign-in in your browser…"));
  fflush (stderr);
}

static void
show_device_code (const char *verification_uri,
                  const char *user_code,
                  gpointer    user_data)
{
  /* Translators: the address, the code */
  fprintf (stderr, _("To sign in, open %s in a browser on any device and enter the code %s\n"),
           verification_uri, user_code);
  fprintf (stderr, "%s\n", _("Waiting for the sign-in…"));
  fflush (stderr);
}

static gboolean
stop_signin_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_CONTINUE;
}

static int
cmd_signin (GStrv *args)
{
  g_autofree char *provider_name = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *client_secret = NULL;
  g_autofree char *tenant = NULL;
  g_autofree char *cafile = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *token_url = NULL;
  g_autofree char *device_code_url = NULL;
  g_autofree char *transport = NULL;
  gboolean device_code = FALSE;
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_name,
      N_("Who keeps the mailbox: microsoft (Microsoft 365) or google"), N_("PROVIDER") },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id,
      N_("The client ID of the app's registration with the provider"), N_("ID") },
    { "client-secret", 0, 0, G_OPTION_ARG_STRING, &client_secret,
      N_("The client secret of a Google desktop app registration"), N_("SECRET") },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &tenant,
      N_("Microsoft 365: the tenant ID or domain (the default: organizations)"),
      N_("TENANT") },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport,
      N_("Microsoft 365: sign in to send through Microsoft Graph (the default) or SMTP"),
      N_("graph|smtp") },
    { "device-code", 0, 0, G_OPTION_ARG_NONE, &device_code,
      N_("Microsoft 365: sign in with a code on another device instead of in a browser here"),
      NULL },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile,
      N_("Trust the certificates in this PEM file for the provider's addresses"), N_("PEM") },
    { "authority", 0, 0, G_OPTION_ARG_STRING, &authority,
      N_("Use this sign-in server instead of https://login.microsoftonline.com (or "
         "https://accounts.google.com)"), N_("URL") },
    { "token-url", 0, 0, G_OPTION_ARG_STRING, &token_url,
      N_("Use this token address instead of the provider's"), N_("URL") },
    { "device-code-url", 0, 0, G_OPTION_ARG_STRING, &device_code_url,
      N_("Use this device code address instead of the provider's"), N_("URL") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  SigninWait wait = { loop, FALSE, NULL, NULL };
  guint sigint;
  guint sigterm;

  g_option_context_set_summary (context,
                                _("Sign in to the mailbox's provider with OAuth 2.0 and keep "
                                  "the sign-in in the keyring; prints the signed-in address. "
                                  "The browser opens to sign in; with --device-code, a code "
                                  "is shown to enter on any device."));
  g_option_context_set_description (context,
                                    _("Exit status: 0 when signed in; 1 when the sign-in did "
                                      "not succeed; 2 when the command line is not right."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if (!(provider = provider_from_option ("signin", provider_name)))
    return 2;
  if (client_id == NULL || client_id[0] == '\0')
    {
      fail (_("signin: give the client ID of the app's registration with --client-id=ID"));
      return 2;
    }
  if (transport != NULL && !g_str_equal (transport, "graph") && !g_str_equal (transport, "smtp"))
    {
      fail (_("signin: --transport is “graph” or “smtp”, not “%s”"), transport);
      return 2;
    }
  if (device_code && !rs_oauth_provider_supports_device_code (provider))
    {
      fail (_("signin: Google does not give access to mail through a device code; sign in "
              "in the browser instead (without --device-code)"));
      return 2;
    }

  rs_oauth_provider_set_client_id (provider, client_id);
  rs_oauth_provider_set_client_secret (provider, client_secret);
  rs_oauth_provider_set_tenant (provider, tenant);
  rs_oauth_provider_set_authority (provider, authority);
  rs_oauth_provider_set_token_url (provider, token_url);
  rs_oauth_provider_set_device_code_url (provider, device_code_url);
  rs_oauth_provider_set_ca_file (provider, cafile);
  rs_oauth_provider_set_route (provider, g_strcmp0 (transport, "smtp") == 0
                                         ? RS_OAUTH_ROUTE_SMTP : RS_OAUTH_ROUTE_GRAPH);
  oauth = rs_oauth_new (provider);

  sigint = g_unix_signal_add (SIGINT, stop_signin_cb, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, stop_signin_cb, cancellable);
  if (device_code)
    rs_oauth_sign_in_device_async (oauth, show_device_code, NULL, cancellable,
                                   signin_device_cb, &wait);
  else
    rs_oauth_sign_in_browser_async (oauth, open_sign_in_page,
                                    (gpointer) rs_oauth_provider_get_display_name (provider),
                                    cancellable, signin_browser_cb, &wait);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (!wait.ok)
    {
      g_autoptr(GError) error = wait.error;

      /* Stopped anywhere on the way (also while talking to the provider) */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return fail ("signin: %s", _("The sign-in was cancelled."));
      return fail ("signin: %s", error->message);
    }

  if (wait.account != NULL)
    printf ("%s\n", wait.account);
  else
    /* Translators: the provider */
    fprintf (stderr, _("Signed in to %s; it did not say which address.\n"),
             rs_oauth_provider_get_display_name (provider));
  g_free (wait.account);

  return 0;
}

static int
cmd_signout (GStrv *args)
{
  g_autofree char *provider_name = NULL;
  const GOptionEntry entries[] = {
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_name,
      N_("The provider to forget the sign-in to: microsoft or google"), N_("PROVIDER") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(RsOAuthProvider) provider = NULL;
  g_autoptr(RsOAuth) oauth = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context,
                                _("Forget the sign-in to Microsoft 365 or Google: its refresh "
                                  "token is removed from the keyring."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, args, FALSE))
    return 2;

  if (!(provider = provider_from_option ("signout", provider_name)))
    return 2;

  oauth = rs_oauth_new (provider);
  if (!rs_oauth_sign_out (oauth, NULL, &error))
    return fail ("signout: %s", error->message);

  /* Translators: the provider */
  printf (_("Signed out of %s.\n"), rs_oauth_provider_get_display_name (provider));

  return 0;
}

static const char *
describe_reason (RsCompanyReason reason)
{
  if (reason == RS_COMPANY_SAME_KEY)
    /* Translators: why two companies are proposed as one */
    return _("the same name without case, accents, punctuation and legal form");

  /* Translators: why two companies are proposed as one */
  return _("names a letter or two apart");
}

static int
list_companies (RsStore *store)
{
  g_autoptr(RsCompanies) companies = NULL;
  g_autoptr(GError) error = NULL;

  companies = rs_companies_load (store, &error);
  if (companies == NULL)
    return fail ("companies: %s", error->message);

  for (guint i = 0; i < companies->companies->len; i++)
    {
      RsCompany *company = g_ptr_array_index (companies->companies, i);
      g_autofree char *respondents = g_strdup_printf (ngettext ("%u respondent",
                                                                "%u respondents",
                                                                company->respondents),
                                                      company->respondents);

      if (company->merged || company->variants->len > 1)
        {
          g_autofree char *variants = rs_company_describe_variants (company);

          if (company->merged)
            /* Translators: a company, its respondents, and the names merged into it */
            printf (_("%s — %s, merged: %s\n"), company->name, respondents, variants);
          else
            /* Translators: a company, its respondents, and how they wrote its name */
            printf (_("%s — %s, written as: %s\n"), company->name, respondents, variants);
        }
      else
        {
          /* Translators: a company and its respondents */
          printf (_("%s — %s\n"), company->name, respondents);
        }
    }

  if (companies->proposals->len == 0)
    {
      printf (_("No names are proposed as one company.\n"));
      return 0;
    }

  printf ("\n");
  printf (ngettext ("%u proposal: merge with “companies merge NAME OTHER”, or keep them apart "
                    "with “companies keep-apart NAME OTHER”:\n",
                    "%u proposals: merge with “companies merge NAME OTHER”, or keep them apart "
                    "with “companies keep-apart NAME OTHER”:\n",
                    companies->proposals->len),
          companies->proposals->len);
  for (guint i = 0; i < companies->proposals->len; i++)
    {
      RsCompanyProposal *proposal = g_ptr_array_index (companies->proposals, i);

      /* Translators: two companies, then why they are proposed as one */
      printf (_("“%s” and “%s”: %s\n"), proposal->first->name, proposal->second->name,
              describe_reason (proposal->reason));
    }

  return 0;
}

static int
cmd_companies (GStrv *args)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("[merge NAME OTHER… | split NAME | "
                                                              "keep-apart NAME OTHER]"));
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autofree char *done = NULL;
  const char *action;
  guint n_args;

  g_option_context_set_summary (context,
                                _("Without arguments, list the companies, the names their "
                                  "respondents wrote, and the names proposed as one company. "
                                  "“merge” makes one company of several for good: its reports "
                                  "average all of them, in every import. “split” undoes a "
                                  "merge. “keep-apart” stops a proposal."));
  if (!parse_options (context, args, TRUE))
    return 2;

  n_args = g_strv_length (*args);
  action = n_args > 1 ? (*args)[1] : NULL;
  if (action != NULL && !g_str_equal (action, "merge") && !g_str_equal (action, "split") &&
      !g_str_equal (action, "keep-apart"))
    {
      fail (_("companies: unknown action “%s”; use merge, split or keep-apart"), action);
      return 2;
    }
  if (action != NULL && g_str_equal (action, "merge") && n_args < 4)
    {
      fail (_("companies merge: name the company and at least one other, such as "
              "companies merge \"Acme B.V.\" \"ACME BV\""));
      return 2;
    }
  if (action != NULL && g_str_equal (action, "split") && n_args != 3)
    {
      fail (_("companies split: name one merged company"));
      return 2;
    }
  if (action != NULL && g_str_equal (action, "keep-apart") && n_args != 4)
    {
      fail (_("companies keep-apart: name two companies"));
      return 2;
    }

  if (!(store = open_store ()))
    return 1;

  if (action == NULL)
    return list_companies (store);

  if (g_str_equal (action, "merge"))
    {
      done = rs_company_merge (store, (*args)[2], (const char * const *) (*args) + 3, &error);
      if (done == NULL)
        return fail ("companies merge: %s", error->message);
      /* Translators: the merged company */
      printf (_("Merged into “%s”; its respondents’ reports are outdated and are made again by "
                "“generate”.\n"), done);
    }
  else if (g_str_equal (action, "split"))
    {
      done = rs_company_split (store, (*args)[2], &error);
      if (done == NULL)
        return fail ("companies split: %s", error->message);
      /* Translators: the company that was split */
      printf (_("“%s” is split into its names again; its respondents’ reports are outdated.\n"),
              done);
    }
  else
    {
      if (!rs_company_keep_apart (store, (*args)[2], (*args)[3], &error))
        return fail ("companies keep-apart: %s", error->message);
      /* Translators: two companies */
      printf (_("“%s” and “%s” are kept apart and no longer proposed as one.\n"),
              (*args)[2], (*args)[3]);
    }

  return 0;
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
    return fail ("%s", error->message);

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
    fail (_("unknown option “%s”. Try “%s --help”."), args[1], g_get_prgname ());
  else
    fail (_("unknown command “%s”. Try “%s --help”."), args[1], g_get_prgname ());

  return 2;
}
