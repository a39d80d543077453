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

/* The commands about the master file: import, imports, list and export. */

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

int
rs_cli_cmd_import (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) != 2)
    {
      rs_cli_fail (_("import: name one master file to import (.csv or .xlsx)"));
      return 2;
    }
  if (sheet != NULL && g_str_equal ((*args)[1], "-"))
    {
      rs_cli_fail (_("import: --sheet is for a workbook; standard input is read as CSV"));
      return 2;
    }
  if (!g_str_equal ((*args)[1], "-"))
    file = g_file_new_for_commandline_arg ((*args)[1]);
  /* A file that is not there is the import's to report. */
  if (sheet != NULL && file != NULL && g_file_query_exists (file, NULL)
      && !rs_row_source_is_workbook (file, NULL))
    {
      rs_cli_fail (_("import: --sheet is for a workbook; “%s” is read as CSV, which has no sheets"),
                   (*args)[1]);
      return 2;
    }

  if (!(store = rs_cli_open_store ()))
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
    return rs_cli_fail (_("import: nothing was imported from “%s”: %s"), (*args)[1], error->message);

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

int
rs_cli_cmd_imports (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) > 2)
    {
      rs_cli_fail (_("%s: unexpected argument “%s”"), (*args)[0], (*args)[2]);
      return 2;
    }
  if (g_strv_length (*args) == 2 && !g_str_equal ((*args)[1], "last") &&
      (!g_ascii_string_to_unsigned ((*args)[1], 10, 1, G_MAXINT64, &id, NULL)))
    {
      rs_cli_fail (_("imports: “%s” is not the number of an import: give one that imports lists, "
                     "or “last”"), (*args)[1]);
      return 2;
    }

  if (changes && g_strv_length (*args) != 2)
    {
      rs_cli_fail (_("imports: --changes needs the number of an import, or “last”"));
      return 2;
    }

  if (!(store = rs_cli_open_store ()))
    return 1;

  if (g_strv_length (*args) == 1)
    {
      g_autoptr(GPtrArray) records = rs_import_list_records (store, &error);

      if (records == NULL)
        return rs_cli_fail ("imports: %s", error->message);
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
    return rs_cli_fail ("imports: %s", error->message);
  if (summary == NULL && id == 0)
    return rs_cli_fail (_("imports: nothing was imported into this database yet"));
  if (summary == NULL)
    return rs_cli_fail (_("imports: there is no import %s: give one that imports lists"), (*args)[1]);

  if (changes)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      /* A workbook's lines are the rows of its sheet */
      printf ("%s,column,change,value,used,respondent\n",
              summary->sheet != NULL ? "row" : "line");
      if (!rs_import_foreach_change (store, summary->import_id, print_change_cb, line, &error))
        return rs_cli_fail ("imports: %s", error->message);
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

int
rs_cli_cmd_list (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if (status_name != NULL)
    {
      status = rs_status_from_string (status_name);
      if (status == RS_STATUS_INVALID)
        {
          rs_cli_fail (_("list: unknown status “%s”; use pending, sending, sent, failed or unknown"),
                       status_name);
          return 2;
        }
    }

  if (format != NULL && g_strcmp0 (format, "csv") != 0)
    {
      rs_cli_fail (_("list: unknown format “%s”; the only format is csv"), format);
      return 2;
    }

  if (!(store = rs_cli_open_store ()))
    return 1;

  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  if (!rs_export_list (store, status, out, NULL, &error))
    return rs_cli_fail ("list: %s", error->message);

  return 0;
}

int
rs_cli_cmd_export (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, TRUE))
    return 2;

  if (g_strv_length (*args) != 2)
    {
      rs_cli_fail (_("export: name the file to write (.csv, or .xlsx for an Excel workbook)"));
      return 2;
    }

  if (!g_str_equal ((*args)[1], "-"))
    {
      file = g_file_new_for_commandline_arg ((*args)[1]);
      options.format = rs_export_format_for_file (file);
    }
  if (options.format == RS_EXPORT_FORMAT_XLSX && (delimiter != NULL || bom))
    {
      rs_cli_fail (_("export: --delimiter and --bom are for CSV files; a workbook (.xlsx) has "
                     "neither"));
      return 2;
    }

  if (delimiter != NULL && g_str_equal (delimiter, "semicolon"))
    options.delimiter = ';';
  else if (delimiter != NULL && !g_str_equal (delimiter, "comma"))
    {
      rs_cli_fail (_("export: unknown delimiter “%s”; use comma or semicolon"), delimiter);
      return 2;
    }
  options.bom = bom;

  if (!(store = rs_cli_open_store ()))
    return 1;

  /* "-" is standard output, as "import -" is standard input. */
  if (g_str_equal ((*args)[1], "-"))
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      if (!rs_export_write (store, &options, out, NULL, &error) ||
          !g_output_stream_flush (out, NULL, &error))
        return rs_cli_fail (_("export: could not write to standard output: %s"), error->message);
      return 0;
    }

  if (!rs_export_to_file (store, file, &options, NULL, &error))
    return rs_cli_fail (_("export: could not write “%s”: %s"), (*args)[1], error->message);

  return 0;
}
