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

/* The commands about the round: generate, dashboard, log, mark and companies. */

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

/* A logo set in Preferences that the reports cannot show: the reports are
 * made without it, and the command line says so rather than nothing. */
static void
warn_about_logos (void)
{
  g_autoptr(GSettings) settings = rs_cli_open_saved_settings ();
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

int
rs_cli_cmd_generate (GStrv *args)
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
  const char *not_id;

  g_option_context_set_summary (context,
                                _("Make the PDF report of every respondent, or of some, in "
                                  "the reports folder. Reports that are up to date are kept."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if ((not_id = rs_cli_parse_ids (id_texts, ids)) != NULL)
    {
      rs_cli_fail (_("generate: “%s” is not a respondent id"), not_id);
      return 2;
    }

  if (output == NULL)
    output = rs_cli_saved_reports_folder ();

  if (!(store = rs_cli_open_store ()))
    return 1;

  warn_about_logos ();
  summary = rs_report_job_run (store, output, (gint64 *) ids->data, ids->len, force, 0,
                               report_progress_cb, NULL, NULL, &error);
  if (summary == NULL)
    return rs_cli_fail ("generate: %s", error->message);

  counts = rs_report_summary_describe (summary);
  printf ("%s\n", counts);

  return summary->failed > 0 ? 1 : 0;
}

int
rs_cli_cmd_dashboard (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if (language == NULL)
    language = g_strdup (rs_dashboard_app_language ());
  else if (g_strcmp0 (language, "en") != 0 && g_strcmp0 (language, "nl") != 0)
    {
      rs_cli_fail (_("dashboard: unknown language “%s”; use en or nl"), language);
      return 2;
    }

  if (output != NULL && output[0] == '\0')
    {
      rs_cli_fail (_("dashboard: --output needs the name of a file"));
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
      g_autofree char *folder = rs_cli_saved_reports_folder ();
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *name = rs_dashboard_file_name (now);

      if (g_mkdir_with_parents (folder, 0777) != 0)
        {
          int saved_errno = errno;
          g_autofree char *folder_display = g_filename_display_name (folder);

          /* Translators: a folder, then the reason */
          return rs_cli_fail (_("dashboard: could not make the reports folder “%s”: %s"),
                              folder_display, g_strerror (saved_errno));
        }
      output = g_build_filename (folder, name, NULL);
    }

  if (!(store = rs_cli_open_existing_store ()))
    return 1;

  {
    g_autoptr(GFile) file = g_file_new_for_path (output);

    if (!rs_export_check_not_database (store, file, &error))
      return rs_cli_fail ("dashboard: %s", error->message);
  }

  db = rs_store_get_connection (store, &error);
  if (db != NULL)
    dashboard = rs_dashboard_compute (db, NULL, &error);
  if (dashboard == NULL)
    return rs_cli_fail ("dashboard: %s", error->message);

  if (!rs_dashboard_write_pdf (dashboard, language, output, &error))
    return rs_cli_fail ("dashboard: %s", error->message);

  display = g_filename_display_name (output);
  printf ("%s\n", display);

  return 0;
}

int
rs_cli_cmd_log (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, FALSE))
    return 2;

  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "text"))
    {
      rs_cli_fail (_("log: unknown format “%s”; use text or csv"), format);
      return 2;
    }
  csv = g_strcmp0 (format, "csv") == 0;

  if (!(store = rs_cli_open_existing_store ()))
    return 1;

  entries_found = rs_activity_list (store, &error);
  if (entries_found == NULL)
    return rs_cli_fail ("log: %s", error->message);

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
            return rs_cli_fail ("log: %s", error->message);
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
    return rs_cli_fail (_("log: could not write the log: %s"), g_strerror (errno));

  return 0;
}

int
rs_cli_cmd_mark (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, TRUE))
    return 2;

  status = rs_status_from_string (status_name);
  if (status != RS_STATUS_PENDING && status != RS_STATUS_SENT && status != RS_STATUS_FAILED)
    {
      if (status_name == NULL)
        rs_cli_fail (_("mark: say which status with --status=pending, --status=sent or "
                       "--status=failed"));
      else
        rs_cli_fail (_("mark: “%s” cannot be set by hand; use pending, sent or failed"), status_name);
      return 2;
    }

  if (g_strv_length (*args) < 2)
    {
      rs_cli_fail (_("mark: name the id of at least one respondent (see “list”)"));
      return 2;
    }

  for (guint i = 1; (*args)[i] != NULL; i++)
    {
      guint64 id;

      if (!g_ascii_string_to_unsigned ((*args)[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          rs_cli_fail (_("mark: “%s” is not a respondent id; nothing was changed"), (*args)[i]);
          return 2;
        }
      g_array_append_val (ids, id);
    }

  if (!(store = rs_cli_open_store ()))
    return 1;

  snapshots = rs_tracker_mark (store, (gint64 *) ids->data, ids->len, status, note, &error);
  if (snapshots == NULL)
    return rs_cli_fail ("mark: %s", error->message);

  printf (ngettext ("%u respondent marked as %s\n", "%u respondents marked as %s\n",
                    snapshots->len),
          snapshots->len, rs_status_to_string (status));

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
    return rs_cli_fail ("companies: %s", error->message);

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

int
rs_cli_cmd_companies (GStrv *args)
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
  if (!rs_cli_parse_options (context, args, TRUE))
    return 2;

  n_args = g_strv_length (*args);
  action = n_args > 1 ? (*args)[1] : NULL;
  if (action != NULL && !g_str_equal (action, "merge") && !g_str_equal (action, "split") &&
      !g_str_equal (action, "keep-apart"))
    {
      rs_cli_fail (_("companies: unknown action “%s”; use merge, split or keep-apart"), action);
      return 2;
    }
  if (action != NULL && g_str_equal (action, "merge") && n_args < 4)
    {
      rs_cli_fail (_("companies merge: name the company and at least one other, such as "
                     "companies merge \"Acme B.V.\" \"ACME BV\""));
      return 2;
    }
  if (action != NULL && g_str_equal (action, "split") && n_args != 3)
    {
      rs_cli_fail (_("companies split: name one merged company"));
      return 2;
    }
  if (action != NULL && g_str_equal (action, "keep-apart") && n_args != 4)
    {
      rs_cli_fail (_("companies keep-apart: name two companies"));
      return 2;
    }

  if (!(store = rs_cli_open_store ()))
    return 1;

  if (action == NULL)
    return list_companies (store);

  if (g_str_equal (action, "merge"))
    {
      done = rs_company_merge (store, (*args)[2], (const char * const *) (*args) + 3, &error);
      if (done == NULL)
        return rs_cli_fail ("companies merge: %s", error->message);
      /* Translators: the merged company */
      printf (_("Merged into “%s”; its respondents’ reports are outdated and are made again by "
                "“generate”.\n"), done);
    }
  else if (g_str_equal (action, "split"))
    {
      done = rs_company_split (store, (*args)[2], &error);
      if (done == NULL)
        return rs_cli_fail ("companies split: %s", error->message);
      /* Translators: the company that was split */
      printf (_("“%s” is split into its names again; its respondents’ reports are outdated.\n"),
              done);
    }
  else
    {
      if (!rs_company_keep_apart (store, (*args)[2], (*args)[3], &error))
        return rs_cli_fail ("companies keep-apart: %s", error->message);
      /* Translators: two companies */
      printf (_("“%s” and “%s” are kept apart and no longer proposed as one.\n"),
              (*args)[2], (*args)[3]);
    }

  return 0;
}
