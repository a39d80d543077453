/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <xlsxwriter.h>

#include "core/rs-store.h"
#include "rs-test-cli.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

#define LIST_HEADER_NO_NL "id,company,person,email,status,sent_at,mode,report,error,note"
#define LIST_HEADER LIST_HEADER_NO_NL "\n"

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *p = text; *p; p++)
    if (*p == '\n')
      lines++;

  return lines;
}

/* The log and the dashboard of a database that is not there: said, and
 * neither the database nor its folder is made. */
static void
test_cli_no_database (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "not-yet", "tracker.db", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  const char *commands[] = { "log", "dashboard" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(RsCliResult) result = { 0 };

      rs_test_run_cli (&result, option, commands[i], NULL);
      g_assert_cmpint (result.status, ==, 1);
      g_assert_nonnull (strstr (result.err, "There is no database at"));
      g_assert_nonnull (strstr (result.err, db));
      g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
    }
  rs_test_remove_tree (dir);
}

/* dashboard --output: a folder takes the dashboard under its usual name;
 * an empty name is refused with a reason. */
static void
test_cli_dashboard_output (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *into = g_strdup_printf ("--output=%s", dir);
  g_auto(RsCliResult) imported = { 0 };
  g_auto(RsCliResult) folder = { 0 };
  g_auto(RsCliResult) empty = { 0 };

  g_assert_true (g_file_set_contents (csv,
    "name,company_name,email_address,version,"
    "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a,"
    "do__r,do__c,do__f,do__v,do__a\n"
    "Ivo Bos,Polder B.V.,ivo@example.com,Version 1.0 (eng),4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n",
    -1, NULL));
  rs_test_run_cli (&imported, option, "import", csv, NULL);
  g_assert_cmpint (imported.status, ==, 0);

  rs_test_run_cli (&folder, option, "dashboard", into, NULL);
  g_assert_cmpint (folder.status, ==, 0);
  g_assert_true (g_str_has_prefix (folder.out, dir));
  g_assert_nonnull (strstr (folder.out, "/Dashboard "));
  g_strchomp (folder.out);
  g_assert_true (g_file_test (folder.out, G_FILE_TEST_IS_REGULAR));

  rs_test_run_cli (&empty, option, "dashboard", "--output=", NULL);
  g_assert_cmpint (empty.status, ==, 2);
  g_assert_nonnull (strstr (empty.err, "--output needs the name of a file"));

  rs_test_remove_tree (dir);
}

static void
test_cli_list_empty (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_auto(RsCliResult) result = { 0 };
  g_auto(RsCliResult) again = { 0 };
  g_auto(RsCliResult) csv = { 0 };

  rs_test_run_cli (&result, option, "list", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, LIST_HEADER);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));

  /* The option may also follow the subcommand. */
  rs_test_run_cli (&again, "list", "--status=sent", option, NULL);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_cmpstr (again.out, ==, LIST_HEADER);

  rs_test_run_cli (&csv, option, "list", "--format=csv", NULL);
  g_assert_cmpint (csv.status, ==, 0);
  g_assert_cmpstr (csv.out, ==, LIST_HEADER);

  rs_test_remove_tree (dir);
}

static void
test_cli_list_default_database (void)
{
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "resiliencescan",
                                                "tracker.db", NULL);
  g_auto(RsCliResult) result = { 0 };

  /* The child inherits this test case's private XDG_DATA_HOME. */
  rs_test_run_cli (&result, "list", NULL);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, LIST_HEADER);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
}

static void
test_cli_help_and_version (void)
{
  g_auto(RsCliResult) help = { 0 };
  g_auto(RsCliResult) version = { 0 };
  g_auto(RsCliResult) list_help = { 0 };

  rs_test_run_cli (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "--database=PATH"));
  g_assert_nonnull (strstr (help.out, "list"));
  g_assert_nonnull (strstr (help.out, "--version"));

  rs_test_run_cli (&list_help, "list", "--help", NULL);
  g_assert_cmpint (list_help.status, ==, 0);
  g_assert_nonnull (strstr (list_help.out, "--status=STATUS"));

  rs_test_run_cli (&version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, PACKAGE_NAME " " PACKAGE_VERSION "\n");
}

static void
run_gsettings (const char *key,
               const char *value)
{
  const char *argv[] = { "gsettings", "set", APP_ID, key, value, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A test round to the test address; how many messages the server has got
 * since @before */
static guint
send_round (RsTestServer *server,
            const char   *database,
            guint         before,
            RsCliResult  *result)
{
  g_autofree char *url = g_strdup_printf ("--smtp-url=%s", server->url);

  rs_test_run_cli (result, database, "send", "--test-address=me@example.org", url,
                   "--starttls=off", "--from=scan@example.com", "--rate=0", NULL);

  return rs_test_server_count (server, "\"event\": \"message\"") - before;
}

/* The look of the reports changed with `gsettings set` while no window was
 * open (the organisation's name, then the peer benchmark switch): a `send`
 * finds the reports made before outdated and sends none of them; `generate`
 * makes them again (or, when the benchmark block would not show, finds them
 * as they are and takes them as made with the new look) and the next send
 * sends them. The settings are in a key file that the commands share. */
/* A logo set in Preferences that cannot be shown: generate makes the
 * reports without it and says so. */
static void
test_cli_generate_bad_logo (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *missing = g_build_filename (dir, "gone.png", NULL);
  g_autofree char *folder = g_build_filename (dir, "Reports", NULL);
  g_autofree char *database = g_strdup_printf ("--database=%s", db);
  g_autofree char *output = g_strdup_printf ("--output=%s", folder);
  g_autofree char *old_backend = g_strdup (g_getenv ("GSETTINGS_BACKEND"));
  g_autofree char *old_config = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_auto(RsCliResult) imported = { 0 };
  g_auto(RsCliResult) made = { 0 };

  g_assert_true (g_file_set_contents (csv,
    "name,company_name,email_address,version,"
    "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a,"
    "do__r,do__c,do__f,do__v,do__a\n"
    "Ivo Bos,Polder B.V.,ivo@example.com,Version 1.0 (eng),4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n",
    -1, NULL));
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  run_gsettings ("report-logo", missing);
  {
    g_autofree char *five = g_strdup_printf ("['%s/a.png', '%s/b.png', '%s/c.png', '%s/d.png',"
                                             " '%s/fifth.png']", dir, dir, dir, dir, dir);

    run_gsettings ("report-partner-logos", five);
  }

  rs_test_run_cli (&imported, database, "import", csv, NULL);
  g_assert_cmpint (imported.status, ==, 0);
  rs_test_run_cli (&made, database, "generate", output, NULL);
  g_test_message ("%s", made.err);
  g_assert_cmpint (made.status, ==, 0);
  g_assert_nonnull (strstr (made.out, "1 made"));
  g_assert_nonnull (strstr (made.err, "Warning: "));
  g_assert_nonnull (strstr (made.err, missing));
  g_assert_nonnull (strstr (made.err, "the reports are made without it"));
  g_assert_nonnull (strstr (made.err, "fifth.png” is not shown: the reports show the first 4 "
                                      "partner logos"));

  if (old_backend != NULL)
    g_setenv ("GSETTINGS_BACKEND", old_backend, TRUE);
  else
    g_unsetenv ("GSETTINGS_BACKEND");
  if (old_config != NULL)
    g_setenv ("XDG_CONFIG_HOME", old_config, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_HOME");
  rs_test_remove_tree (dir);
}

static void
test_cli_send_after_gsettings (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *folder = g_build_filename (dir, "Reports", NULL);
  g_autofree char *database = g_strdup_printf ("--database=%s", db);
  g_autofree char *output = g_strdup_printf ("--output=%s", folder);
  g_autofree char *old_backend = g_strdup (g_getenv ("GSETTINGS_BACKEND"));
  g_autofree char *old_config = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  RsTestServer server = { 0 };
  guint sent = 0;
  guint n;

  g_assert_true (g_file_set_contents (csv,
    "name,company_name,email_address,version,"
    "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a,"
    "do__r,do__c,do__f,do__v,do__a\n"
    "Ivo Bos,Polder B.V.,ivo@example.com,Version 1.0 (eng),4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
    "Sam Smit,Waal Bouw,sam@example.com,Version 1.0 (eng),5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n",
    -1, NULL));
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  rs_test_server_start (&server, NULL);

  {
    g_auto(RsCliResult) imported = { 0 };
    g_auto(RsCliResult) made = { 0 };
    g_auto(RsCliResult) first = { 0 };

    rs_test_run_cli (&imported, database, "import", csv, NULL);
    g_assert_cmpint (imported.status, ==, 0);
    rs_test_run_cli (&made, database, "generate", output, NULL);
    g_assert_cmpint (made.status, ==, 0);
    n = send_round (&server, database, sent, &first);
    g_assert_cmpstr (first.err, ==, "");
    g_assert_cmpint (first.status, ==, 0);
    g_assert_cmpuint (n, ==, 2);
    sent += n;
  }

  for (guint change = 0; change < 2; change++)
    {
      g_auto(RsCliResult) outdated = { 0 };
      g_auto(RsCliResult) made = { 0 };
      g_auto(RsCliResult) again = { 0 };

      if (change == 0)
        run_gsettings ("report-organisation", "Example Institute of Logistics");
      else
        run_gsettings ("report-benchmark", "false");

      n = send_round (&server, database, sent, &outdated);
      g_assert_cmpuint (n, ==, 0);
      g_test_message ("%s", outdated.out);
      g_assert_nonnull (strstr (outdated.out, "Ivo Bos <ivo@example.com>"));
      g_assert_nonnull (strstr (outdated.out, "the look of the reports"));
      g_assert_cmpuint (rs_test_server_count (&server, "me@example.org"), >=, 2);

      rs_test_run_cli (&made, database, "generate", output, NULL);
      g_assert_cmpint (made.status, ==, 0);
      g_test_message ("%s", made.out);
      /* Two respondents are too few for the benchmark block: switching it
       * off changes no report, which is found as it is. */
      g_assert_nonnull (strstr (made.out, change == 0 ? "2 made" : "2 already up to date"));

      n = send_round (&server, database, sent, &again);
      g_assert_cmpstr (again.err, ==, "");
      g_assert_cmpint (again.status, ==, 0);
      g_assert_cmpuint (n, ==, 2);
      sent += n;
    }

  rs_test_server_stop (&server);
  if (old_backend != NULL)
    g_setenv ("GSETTINGS_BACKEND", old_backend, TRUE);
  else
    g_unsetenv ("GSETTINGS_BACKEND");
  if (old_config != NULL)
    g_setenv ("XDG_CONFIG_HOME", old_config, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_HOME");
  rs_test_remove_tree (dir);
}

static void
assert_one_line_failure (RsCliResult *result,
                         const char  *needle)
{
  g_assert_cmpint (result->status, !=, 0);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_cmpuint (count_lines (result->err), ==, 1);
  g_assert_true (g_str_has_prefix (result->err, "resiliencescan: "));
  g_assert_nonnull (strstr (result->err, needle));
}

static void
test_cli_errors (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *garbage = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", garbage);
  g_auto(RsCliResult) bad_command = { 0 };
  g_auto(RsCliResult) bad_option = { 0 };
  g_auto(RsCliResult) bad_global = { 0 };
  g_auto(RsCliResult) bad_status = { 0 };
  g_auto(RsCliResult) bad_database = { 0 };

  rs_test_run_cli (&bad_command, "frobnicate", NULL);
  assert_one_line_failure (&bad_command, "frobnicate");

  rs_test_run_cli (&bad_option, "list", "--colour=blue", NULL);
  assert_one_line_failure (&bad_option, "--colour");

  rs_test_run_cli (&bad_global, "--frob", NULL);
  assert_one_line_failure (&bad_global, "--frob");

  rs_test_run_cli (&bad_status, "list", "--status=lost", NULL);
  assert_one_line_failure (&bad_status, "lost");

  g_assert_true (g_file_set_contents (garbage, "this is not a database, not at all. "
                                               "this is not a database, not at all.",
                                      -1, NULL));
  rs_test_run_cli (&bad_database, option, "list", NULL);
  assert_one_line_failure (&bad_database, garbage);

  rs_test_remove_tree (dir);
}

static void
test_cli_import_mark_export (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "status.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *exported = NULL;
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) bad_import = { 0 };
  g_auto(RsCliResult) mark = { 0 };
  g_auto(RsCliResult) bad_mark = { 0 };
  g_auto(RsCliResult) no_status = { 0 };
  g_auto(RsCliResult) list = { 0 };
  g_auto(RsCliResult) sent = { 0 };
  g_auto(RsCliResult) export = { 0 };

  g_assert_true (g_file_set_contents (csv,
                                      "Name:,Company name:,E-mail address\n"
                                      "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com\n"
                                      "Lena Öberg,-,lena@example.net\n"
                                      "Zoë de Vries,\"Amstel, Metaal\",zoe@example\n",
                                      -1, NULL));
  g_assert_true (g_file_set_contents (bad, "Phone,Fax\n1,2\n", -1, NULL));

  rs_test_run_cli (&import, option, "import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_true (g_str_has_prefix (import.out, "2 new, 0 updated, 0 unchanged, 1 skipped, "
                                               "1 flagged, 0 duplicates\n"));
  g_assert_nonnull (strstr (import.out, "Line 3 (Lena Öberg): skipped: no company name"));
  g_assert_nonnull (strstr (import.out, "Line 4 (Zoë de Vries): imported, cannot be sent"));

  rs_test_run_cli (&bad_import, option, "import", bad, NULL);
  assert_one_line_failure (&bad_import, "company_name");

  rs_test_run_cli (&bad_mark, option, "mark", "1", "77", "--status=sent", NULL);
  assert_one_line_failure (&bad_mark, "77");
  rs_test_run_cli (&no_status, option, "mark", "1", NULL);
  assert_one_line_failure (&no_status, "--status");

  rs_test_run_cli (&mark, option, "mark", "1", "--status=sent", "--note=by phone", NULL);
  g_assert_cmpint (mark.status, ==, 0);
  g_assert_cmpstr (mark.out, ==, "1 respondent marked as sent\n");

  rs_test_run_cli (&list, option, "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_cmpuint (count_lines (list.out), ==, 3);
  g_assert_nonnull (strstr (list.out, "\n2,\"Amstel, Metaal\",Zoë de Vries,zoe@example,pending,"));

  rs_test_run_cli (&sent, option, "list", "--status=sent", NULL);
  g_assert_cmpuint (count_lines (sent.out), ==, 2);
  g_assert_nonnull (strstr (sent.out, "\n1,Polder Packaging B.V.,Ivo Bos,ivo.bos@example.com,"
                                      "sent,"));
  g_assert_nonnull (strstr (sent.out, ",by phone\n"));

  rs_test_run_cli (&export, option, "export", out, NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_assert_true (g_file_get_contents (out, &exported, NULL, NULL));
  g_assert_true (g_str_has_prefix (exported, LIST_HEADER_NO_NL ",history_count,last_change\n"));
  g_assert_nonnull (strstr (exported, ",by phone,1,"));

  /* For Excel in Dutch: a byte order mark, and semicolons. */
  {
    g_auto(RsCliResult) excel = { 0 };
    g_auto(RsCliResult) bad_delimiter = { 0 };

    rs_test_run_cli (&excel, option, "export", "--delimiter=semicolon", "--bom", out, NULL);
    g_assert_cmpint (excel.status, ==, 0);
    g_clear_pointer (&exported, g_free);
    g_assert_true (g_file_get_contents (out, &exported, NULL, NULL));
    g_assert_true (g_str_has_prefix (exported, "\xef\xbb\xbfid;company;person;email;status;"));
    g_assert_nonnull (strstr (exported, "\n2;Amstel, Metaal;Zoë de Vries;zoe@example;pending;"));

    rs_test_run_cli (&bad_delimiter, option, "export", "--delimiter=tab", out, NULL);
    assert_one_line_failure (&bad_delimiter, "tab");
  }

  /* A name that ends in .xlsx: an Excel workbook, with its two sheets. */
  {
    g_autofree char *xlsx = g_build_filename (dir, "status.xlsx", NULL);
    g_auto(RsCliResult) workbook = { 0 };
    g_auto(RsCliResult) bom = { 0 };
    g_autoptr(JsonNode) book = NULL;
    JsonObject *note;

    rs_test_run_cli (&workbook, option, "export", xlsx, NULL);
    g_assert_cmpint (workbook.status, ==, 0);
    g_assert_cmpstr (workbook.err, ==, "");
    book = rs_test_read_workbook (xlsx);
    g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "Respondents")), ==, 3);
    g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "History")), ==, 2);
    note = rs_test_workbook_cell (book, "Respondents", 1, "note");
    g_assert_cmpstr (json_object_get_string_member (note, "value"), ==, "by phone");
    g_assert_cmpstr (json_object_get_string_member (rs_test_workbook_cell (book, "Respondents", 2,
                                                                           "person"), "value"),
                     ==, "Zoë de Vries");
    g_assert_cmpstr (json_object_get_string_member (rs_test_workbook_cell (book, "Respondents", 1,
                                                                           "sent_at"), "type"),
                     ==, "d");

    /* A CSV option with a workbook is a mistake, and writes nothing. */
    g_remove (xlsx);
    rs_test_run_cli (&bom, option, "export", "--bom", xlsx, NULL);
    assert_one_line_failure (&bom, "--bom");
    g_assert_cmpint (bom.status, ==, 2);
    g_assert_false (g_file_test (xlsx, G_FILE_TEST_EXISTS));
  }

  rs_test_remove_tree (dir);
}

static const char stdin_csv[] =
  "name,company_name,email_address\n"
  "Zoë Dekker,Brouwerij Zoë,zoe@brouwerij.example\n"
  "Renée Öztürk,Öztürk Lojistik,renee@lojistik.example\n"
  "Jürgen Müller,Müller GmbH,jm@mueller.example\n";

/* Runs the command line with @input on a pipe as its standard input. */
static void
run_cli_with_input (RsCliResult        *result,
                    const char         *input,
                    const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("RESILIENCESCAN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process)
                                                         : 128;
}

typedef struct
{
  const char *path;
  const char *text;
} FifoWriter;

static gpointer
write_fifo (gpointer data)
{
  FifoWriter *writer = data;
  FILE *out = fopen (writer->path, "w");

  g_assert_nonnull (out);
  /* A line at a time, as a program that pipes its output does */
  for (const char *p = writer->text; *p; )
    {
      gsize n = strcspn (p, "\n") + 1;

      g_assert_cmpuint (fwrite (p, 1, n, out), ==, n);
      fflush (out);
      g_usleep (2000);
      p += n;
    }
  fclose (out);

  return NULL;
}

/* `import -` reads standard input; a pipe given by name (/dev/stdin) and a
 * FIFO are read once, from one open: every row comes, nothing hangs. */
static void
test_cli_import_stdin_and_fifo (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *db2 = g_build_filename (dir, "second.db", NULL);
  g_autofree char *db3 = g_build_filename (dir, "third.db", NULL);
  g_autofree char *fifo = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *option2 = g_strdup_printf ("--database=%s", db2);
  g_autofree char *option3 = g_strdup_printf ("--database=%s", db3);
  const char *dash[] = { option, "import", "-", NULL };
  const char *dev_stdin[] = { option2, "import", "/dev/stdin", NULL };
  g_auto(RsCliResult) from_stdin = { 0 };
  g_auto(RsCliResult) again = { 0 };
  g_auto(RsCliResult) named = { 0 };
  g_auto(RsCliResult) from_fifo = { 0 };
  g_auto(RsCliResult) list = { 0 };
  FifoWriter writer = { fifo, stdin_csv };
  GThread *thread;

  run_cli_with_input (&from_stdin, stdin_csv, dash);
  g_assert_cmpstr (from_stdin.err, ==, "");
  g_assert_cmpint (from_stdin.status, ==, 0);
  /* The data-quality summary follows (see test-import-quality) */
  g_assert_true (g_str_has_prefix (from_stdin.out, "3 new, 0 updated, 0 unchanged, 0 skipped, "
                                   "0 flagged, 0 duplicates\n\n"));
  rs_test_run_cli (&list, option, "list", NULL);
  g_assert_cmpuint (count_lines (list.out), ==, 4);
  g_assert_nonnull (strstr (list.out, ",Zoë Dekker,zoe@brouwerij.example,pending,"));

  run_cli_with_input (&again, stdin_csv, dash);
  g_assert_cmpint (again.status, ==, 0);
  g_assert_true (g_str_has_prefix (again.out, "0 new, 0 updated, 3 unchanged,"));

  run_cli_with_input (&named, stdin_csv, dev_stdin);
  g_assert_cmpstr (named.err, ==, "");
  g_assert_cmpint (named.status, ==, 0);
  g_assert_true (g_str_has_prefix (named.out, "3 new, "));

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  thread = g_thread_new ("fifo-writer", write_fifo, &writer);
  rs_test_run_cli (&from_fifo, option3, "import", fifo, NULL);
  g_thread_join (thread);
  g_assert_cmpstr (from_fifo.err, ==, "");
  g_assert_cmpint (from_fifo.status, ==, 0);
  g_assert_true (g_str_has_prefix (from_fifo.out, "3 new, "));

  rs_test_remove_tree (dir);
}

/* `export tracker.db` is refused with one line, and the database keeps
 * every status and its history. */
static void
test_cli_export_over_database (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *wal = g_build_filename (dir, "tracker.db-wal", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) mark = { 0 };
  g_auto(RsCliResult) before = { 0 };
  g_auto(RsCliResult) over = { 0 };
  g_auto(RsCliResult) over_wal = { 0 };
  g_auto(RsCliResult) after = { 0 };

  g_assert_true (g_file_set_contents (csv, stdin_csv, -1, NULL));
  rs_test_run_cli (&import, option, "import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);
  rs_test_run_cli (&mark, option, "mark", "2", "--status=sent", "--note=by phone", NULL);
  g_assert_cmpint (mark.status, ==, 0);
  rs_test_run_cli (&before, option, "list", NULL);

  rs_test_run_cli (&over, option, "export", db, NULL);
  assert_one_line_failure (&over, "tracker database");
  rs_test_run_cli (&over_wal, option, "export", wal, NULL);
  assert_one_line_failure (&over_wal, "tracker.db-wal");

  rs_test_run_cli (&after, option, "list", NULL);
  g_assert_cmpint (after.status, ==, 0);
  g_assert_cmpstr (after.out, ==, before.out);
  g_assert_nonnull (strstr (after.out, ",sent,"));

  /* Through a symbolic link to the database in another folder, the real
   * -wal and folder of rows are refused too. */
  {
    g_autofree char *other = g_build_filename (dir, "other", NULL);
    g_autofree char *link = g_build_filename (other, "link.db", NULL);
    g_autofree char *link_option = g_strdup_printf ("--database=%s", link);
    g_autofree char *rows = g_build_filename (dir, "tracker.db.sources", "import-1.txt", NULL);
    g_autofree char *rows_before = NULL;
    g_autofree char *rows_after = NULL;
    g_auto(RsCliResult) linked_wal = { 0 };
    g_auto(RsCliResult) linked_rows = { 0 };
    g_auto(RsCliResult) still = { 0 };

    g_assert_cmpint (g_mkdir (other, 0700), ==, 0);
    g_assert_cmpint (symlink (db, link), ==, 0);
    g_assert_true (g_file_get_contents (rows, &rows_before, NULL, NULL));
    rs_test_run_cli (&linked_wal, link_option, "export", wal, NULL);
    assert_one_line_failure (&linked_wal, "tracker.db-wal");
    rs_test_run_cli (&linked_rows, link_option, "export", rows, NULL);
    assert_one_line_failure (&linked_rows, "rows of its imports");
    g_assert_true (g_file_get_contents (rows, &rows_after, NULL, NULL));
    g_assert_cmpstr (rows_after, ==, rows_before);
    rs_test_run_cli (&still, option, "list", NULL);
    g_assert_cmpstr (still.out, ==, before.out);
  }

  /* "-" is standard output; a link is written through and stays a link. */
  {
    g_autofree char *shared = g_build_filename (dir, "status.csv", NULL);
    g_autofree char *link = g_build_filename (dir, "mine.csv", NULL);
    g_autofree char *written = NULL;
    g_auto(RsCliResult) to_stdout = { 0 };
    g_auto(RsCliResult) through = { 0 };

    rs_test_run_cli (&to_stdout, option, "export", "-", NULL);
    g_assert_cmpint (to_stdout.status, ==, 0);
    g_assert_true (g_str_has_prefix (to_stdout.out, "id,"));
    g_assert_nonnull (strstr (to_stdout.out, "by phone"));
    g_assert_false (g_file_test ("-", G_FILE_TEST_EXISTS));

    g_assert_true (g_file_set_contents (shared, "old\n", -1, NULL));
    g_assert_cmpint (symlink (shared, link), ==, 0);
    rs_test_run_cli (&through, option, "export", link, NULL);
    g_assert_cmpint (through.status, ==, 0);
    g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
    g_assert_true (g_file_get_contents (shared, &written, NULL, NULL));
    g_assert_cmpstr (written, ==, to_stdout.out);
  }

  rs_test_remove_tree (dir);
}

static void
test_cli_generate (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "Reports", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *output = g_strdup_printf ("--output=%s", out);
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) first = { 0 };
  g_auto(RsCliResult) second = { 0 };
  g_auto(RsCliResult) one = { 0 };
  g_auto(RsCliResult) bad_id = { 0 };
  g_autoptr(GDir) folder = NULL;
  guint files = 0;

  g_assert_true (g_file_set_contents (csv,
                                      "name,company_name,email_address,up__r,up__c,up__f,"
                                      "up__v,up__a\n"
                                      "Ivo Bos,Polder Packaging B.V.,ivo@example.com,4,3,2,5,4\n"
                                      "Zoë de Vries,Amstel Metaal,zoe@example.com,1,2,,,\n",
                                      -1, NULL));
  rs_test_run_cli (&import, option, "import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);

  rs_test_run_cli (&first, option, "generate", output, NULL);
  g_assert_cmpint (first.status, ==, 0);
  g_assert_nonnull (strstr (first.out, "1 Ivo Bos (Polder Packaging B.V.): made "));
  g_assert_nonnull (strstr (first.out, "2 Zoë de Vries (Amstel Metaal): not possible: "
                                       "insufficient data (2 of 15 scores)"));
  g_assert_true (g_str_has_suffix (first.out, "1 made, 0 already up to date, 1 not possible, "
                                              "0 failed\n"));

  folder = g_dir_open (out, 0, NULL);
  g_assert_nonnull (folder);
  while (g_dir_read_name (folder) != NULL)
    files++;
  g_assert_cmpuint (files, ==, 1);

  rs_test_run_cli (&second, option, "generate", output, NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_nonnull (strstr (second.out, "1 Ivo Bos (Polder Packaging B.V.): up to date"));

  rs_test_run_cli (&one, option, "generate", output, "--id=1", "--force", NULL);
  g_assert_cmpint (one.status, ==, 0);
  g_assert_true (g_str_has_suffix (one.out, "1 made, 0 already up to date, 0 not possible, "
                                            "0 failed\n"));

  rs_test_run_cli (&bad_id, option, "generate", output, "--id=99", NULL);
  assert_one_line_failure (&bad_id, "99");

  rs_test_remove_tree (dir);
}

/* A send that was killed left a record `sending`: the next command (any
 * command, not only the next send) finds it `unknown`, and marking it by hand
 * then works. */
static void
test_cli_interrupted_send (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) unknown = { 0 };
  g_auto(RsCliResult) mark = { 0 };

  g_assert_true (g_file_set_contents (csv,
                                      "Name:,Company name:,E-mail address\n"
                                      "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com\n",
                                      -1, NULL));
  rs_test_run_cli (&import, option, "import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);

  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_exec (rs_store_get_connection (store, NULL),
                                 "UPDATE delivery SET status = 'sending'", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_clear_object (&store);

  rs_test_run_cli (&unknown, option, "list", "--status=unknown", NULL);
  g_assert_cmpint (unknown.status, ==, 0);
  g_assert_cmpuint (count_lines (unknown.out), ==, 2);

  rs_test_run_cli (&mark, option, "mark", "1", "--status=sent", "--note=in Sent folder", NULL);
  g_assert_cmpint (mark.status, ==, 0);
}

/* A workbook of a respondent a sheet, each called after its sheet. */
static char *
write_workbook (const char         *dir,
                const char * const *sheets)
{
  char *path = g_build_filename (dir, "Resilience - MasterDatabase.xlsx", NULL);
  lxw_workbook *workbook = workbook_new (path);

  g_assert_nonnull (workbook);
  for (guint i = 0; sheets[i] != NULL; i++)
    {
      lxw_worksheet *sheet = workbook_add_worksheet (workbook, sheets[i]);
      g_autofree char *person = g_strdup_printf ("Person of %s", sheets[i]);
      g_autofree char *email = g_strdup_printf ("person%u@example.com", i);

      g_assert_nonnull (sheet);
      worksheet_write_string (sheet, 0, 0, "name", NULL);
      worksheet_write_string (sheet, 0, 1, "company_name", NULL);
      worksheet_write_string (sheet, 0, 2, "email_address", NULL);
      worksheet_write_string (sheet, 1, 0, person, NULL);
      worksheet_write_string (sheet, 1, 1, "Polder Packaging B.V.", NULL);
      worksheet_write_string (sheet, 1, 2, email, NULL);
    }
  g_assert_cmpint (workbook_close (workbook), ==, LXW_NO_ERROR);

  return path;
}

/* Which sheet import read, and which others it could have: MasterData
 * second is read, in any case; --sheet in any case; the sheet is kept with
 * the import; --sheet with a CSV file is a mistake. */
static void
test_cli_import_sheets (void)
{
  const char *old_copy[] = { "Old_copy", "MasterData", NULL };
  const char *lower[] = { "Round 1", "masterdata", "Round 3", NULL };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_autofree char *book = write_workbook (dir, old_copy);
  g_autofree char *line = NULL;
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) imports = { 0 };
  g_auto(RsCliResult) last = { 0 };
  g_auto(RsCliResult) asked = { 0 };
  g_auto(RsCliResult) list = { 0 };
  g_auto(RsCliResult) masterdata = { 0 };
  g_auto(RsCliResult) with_csv = { 0 };

  rs_test_run_cli (&import, option, "import", book, NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_cmpstr (import.err, ==, "");
  g_assert_true (g_str_has_prefix (import.out,
                                   "read sheet “MasterData”; “Old_copy” also has the columns: "
                                   "choose with --sheet=NAME\n"
                                   "1 new, 0 updated,"));

  /* imports names the sheet, in the list and in the details */
  rs_test_run_cli (&imports, option, "imports", NULL);
  g_assert_cmpint (imports.status, ==, 0);
  line = g_strdup_printf ("\t%s, sheet “MasterData”\t1 new,", book);
  g_assert_nonnull (strstr (imports.out, line));
  rs_test_run_cli (&last, option, "imports", "last", NULL);
  g_assert_true (g_str_has_prefix (last.out, "Import 1 of “"));
  g_assert_nonnull (strstr (last.out, "”, sheet “MasterData”, at "));

  rs_test_run_cli (&asked, option, "import", "--sheet=OLD_COPY", book, NULL);
  g_assert_cmpint (asked.status, ==, 0);
  g_assert_true (g_str_has_prefix (asked.out, "read sheet “Old_copy”\n1 new,"));
  rs_test_run_cli (&list, option, "list", NULL);
  g_assert_nonnull (strstr (list.out, "Person of Old_copy"));
  g_assert_nonnull (strstr (list.out, "Person of MasterData"));

  g_free (book);
  book = write_workbook (dir, lower);
  rs_test_run_cli (&masterdata, option, "import", book, NULL);
  g_assert_cmpint (masterdata.status, ==, 0);
  g_assert_true (g_str_has_prefix (masterdata.out,
                                   "read sheet “masterdata”; “Round 1”, “Round 3” also have the "
                                   "columns: choose with --sheet=NAME\n"));

  g_assert_true (g_file_set_contents (csv, "name,company_name,email_address\n"
                                           "Ivo Bos,Polder,ivo@example.com\n", -1, NULL));
  rs_test_run_cli (&with_csv, option, "import", "--sheet=MasterData", csv, NULL);
  g_assert_cmpint (with_csv.status, ==, 2);
  g_assert_cmpstr (with_csv.out, ==, "");
  g_assert_nonnull (strstr (with_csv.err, "--sheet is for a workbook"));

  rs_test_remove_tree (dir);
}

/* A status line in Windows-1252 above the header of a file in UTF-8 is
 * ignored, not reported as a value read as Windows-1252; values that look
 * like formulas are written to --changes as export writes them. */
static void
test_cli_import_changes_csv (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "tracker.db", NULL);
  g_autofree char *option = g_strdup_printf ("--database=%s", db);
  g_autofree char *csv = g_build_filename (dir, "master.csv", NULL);
  g_auto(RsCliResult) import = { 0 };
  g_auto(RsCliResult) changes = { 0 };
  g_auto(RsCliResult) same = { 0 };
  g_auto(RsCliResult) apart = { 0 };
  const char contents[] =
    "Status: bijgewerkt op 1 januari \x96 \x80\n"
    "name,company_name,email_address,up__r,up__c,up__f\n"
    "Zo\xc3\xab de Vries,Polder,zoe@example.com,=HYPERLINK(\"http://example.com\"),+7,@x\n";

  g_assert_true (g_file_set_contents (csv, contents, -1, NULL));
  rs_test_run_cli (&import, option, "import", csv, NULL);
  g_assert_cmpint (import.status, ==, 0);
  g_assert_nonnull (strstr (import.out, "ignored 1 line above the header: "
                                        "Status: bijgewerkt op 1 januari – €"));
  g_assert_null (strstr (import.out, "UTF-8"));
  g_assert_null (strstr (import.out, "Line 1"));

  rs_test_run_cli (&changes, option, "imports", "last", "--changes", NULL);
  g_assert_cmpint (changes.status, ==, 0);
  g_assert_cmpstr (changes.out, ==,
                   "line,column,change,value,used,respondent\n"
                   "3,up__r,not-a-number,\"'=HYPERLINK(\"\"http://example.com\"\")\",,1\n"
                   "3,up__c,above-range,'+7,5,1\n"
                   "3,up__f,not-a-number,'@x,,1\n");

  /* The same name twice is no proposal to decline */
  rs_test_run_cli (&same, option, "companies", "keep-apart", "Polder", "polder ", NULL);
  g_assert_cmpint (same.status, ==, 1);
  g_assert_nonnull (strstr (same.err, "the same company name"));
  g_assert_null (strstr (same.err, "split"));
  rs_test_run_cli (&apart, option, "companies", "keep-apart", "Polder", "Nobody", NULL);
  g_assert_cmpint (apart.status, ==, 1);

  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/cli/list-empty", test_cli_list_empty);
  g_test_add_func ("/cli/list-default-database", test_cli_list_default_database);
  g_test_add_func ("/cli/help-and-version", test_cli_help_and_version);
  g_test_add_func ("/cli/errors", test_cli_errors);
  g_test_add_func ("/cli/import-mark-export", test_cli_import_mark_export);
  g_test_add_func ("/cli/import-stdin-and-fifo", test_cli_import_stdin_and_fifo);
  g_test_add_func ("/cli/export-over-database", test_cli_export_over_database);
  g_test_add_func ("/cli/generate", test_cli_generate);
  g_test_add_func ("/cli/interrupted-send", test_cli_interrupted_send);
  g_test_add_func ("/cli/import-sheets", test_cli_import_sheets);
  g_test_add_func ("/cli/import-changes-csv", test_cli_import_changes_csv);
  g_test_add_func ("/cli/send-after-gsettings", test_cli_send_after_gsettings);
  g_test_add_func ("/cli/generate-bad-logo", test_cli_generate_bad_logo);
  g_test_add_func ("/cli/no-database", test_cli_no_database);
  g_test_add_func ("/cli/dashboard-output", test_cli_dashboard_output);

  return g_test_run ();
}
