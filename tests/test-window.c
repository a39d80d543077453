/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rs-application.h"
#include "rs-import-details-window.h"
#include "rs-progress-panel.h"
#include "rs-template-window.h"
#include "core/rs-import.h"
#include "core/rs-report-job.h"
#include "core/rs-template.h"
#include "rs-test-gtk.h"
#include "rs-test-master.h"
#include "rs-test-util.h"
#include "rs-window.h"

typedef struct
{
  char *dir;
  RsApplication *app;
  RsWindow *window;
} Fixture;

/* The tests run inside g_application_run(), as the real program does. */
static RsApplication *app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);

  fixture->app = app;
  fixture->window = rs_window_new (app, db);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  if (fixture->window != NULL)
    {
      rs_test_destroy_window ((GtkWindow **) &fixture->window);
    }
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
page_is_not_loading (gpointer data)
{
  return g_strcmp0 (rs_window_get_page_name (data), "loading") != 0;
}

static void
test_window_empty_state (Fixture       *fixture,
                         gconstpointer  data)
{
  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_cmpstr (rs_window_get_page_name (fixture->window), ==, "empty");
  g_assert_nonnull (rs_window_get_store (fixture->window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  /* Nothing to make reports for, send or search: those cannot be clicked. */
  for (GtkWidget *w = GTK_WIDGET (fixture->window); w != NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (fixture->window)))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (w);

      if ((GTK_IS_BUTTON (w) || GTK_IS_MENU_BUTTON (w)) && tooltip != NULL &&
          (g_str_has_prefix (tooltip, "Make the PDF") || g_str_equal (tooltip, "E-mail the reports") ||
           g_str_has_prefix (tooltip, "Search")))
        g_assert_false (gtk_widget_is_sensitive (w));
      else if (GTK_IS_BUTTON (w) && tooltip != NULL && g_str_has_prefix (tooltip, "Import"))
        g_assert_true (gtk_widget_is_sensitive (w));
    }
}

static void
test_window_about_and_shortcuts (Fixture       *fixture,
                                 gconstpointer  data)
{
  GtkWindow *about;
  GtkWindow *shortcuts;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  rs_test_iterate ();
  about = rs_test_find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (fixture->window));
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  gtk_window_destroy (about);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-help-overlay", NULL));
  rs_test_iterate ();
  shortcuts = rs_test_find_window (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (shortcuts)));
  gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  rs_test_iterate ();
  g_assert_nonnull (rs_test_find_window (ADW_TYPE_PREFERENCES_WINDOW));
}

static void
test_window_preferences (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWindow *preferences;
  GtkWidget *widget;
  guint editables = 0;

  g_settings_set_uint (settings, "rate-limit", 12);
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  rs_test_iterate ();
  preferences = rs_test_find_window (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);

  /* Every entry row is bound to a setting: typing changes it. */
  for (widget = GTK_WIDGET (preferences); widget != NULL;
       widget = rs_test_next_widget (widget, GTK_WIDGET (preferences)))
    {
      if (ADW_IS_ENTRY_ROW (widget) && !ADW_IS_PASSWORD_ENTRY_ROW (widget) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                     "Server (smtp://host:port)") == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (widget), "smtp://mail.example.com:587");
          editables++;
        }
      if (GTK_IS_SPIN_BUTTON (widget))
        {
          g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)), ==, 12);
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), 45);
          editables++;
        }
      /* Security, Sign-in and Send Through */
      if (ADW_IS_COMBO_ROW (widget))
        {
          g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (widget)), ==, 0);
          adw_combo_row_set_selected (ADW_COMBO_ROW (widget), 1);
          editables++;
        }
    }

  g_assert_cmpuint (editables, ==, 5);
  {
    g_autofree char *url = g_settings_get_string (settings, "smtp-url");
    g_autofree char *security = g_settings_get_string (settings, "smtp-security");
    g_autofree char *auth = g_settings_get_string (settings, "auth-kind");
    g_autofree char *transport = g_settings_get_string (settings, "mail-transport");

    g_assert_cmpstr (url, ==, "smtp://mail.example.com:587");
    g_assert_cmpstr (security, ==, "tls");
    g_assert_cmpstr (auth, ==, "microsoft");
    g_assert_cmpstr (transport, ==, "smtp");
    g_assert_cmpuint (g_settings_get_uint (settings, "rate-limit"), ==, 45);
  }

  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "smtp-security");
  g_settings_reset (settings, "auth-kind");
  g_settings_reset (settings, "mail-transport");
  g_settings_reset (settings, "rate-limit");
}

static gboolean
label_shown (gpointer data)
{
  const char **args = data;

  return rs_test_find_label (GTK_WIDGET (rs_test_find_window (ADW_TYPE_PREFERENCES_WINDOW)),
                             args[0]) != NULL;
}

/* Without a Secret Service the password cannot be kept: Preferences says so,
 * and keeps what was typed so that nothing is lost. */
static void
test_window_password_not_kept (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *keyring_error[] = { "The keyring could not be used" };
  const char *no_server[] = { "Enter the server first" };
  AdwPasswordEntryRow *row = NULL;
  GtkWindow *preferences;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  rs_test_iterate ();
  preferences = rs_test_find_window (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  for (GtkWidget *w = GTK_WIDGET (preferences); w != NULL && row == NULL;
       w = rs_test_next_widget (w, GTK_WIDGET (preferences)))
    if (ADW_IS_PASSWORD_ENTRY_ROW (w))
      row = ADW_PASSWORD_ENTRY_ROW (w);
  g_assert_nonnull (row);

  gtk_editable_set_text (GTK_EDITABLE (row), "Pw-typed-in");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (rs_test_wait_until (label_shown, no_server, 5000));

  g_settings_set_string (settings, "smtp-url", "smtp://mail.example.com:587");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (rs_test_wait_until (label_shown, keyring_error, 10000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "Pw-typed-in");

  gtk_window_destroy (preferences);
  g_settings_reset (settings, "smtp-url");
}

static void
test_window_template (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *saved_subject = NULL;
  g_autofree char *saved_body = NULL;
  g_autofree char *subject = NULL;
  RsTemplateWindow *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.edit-template",
                                             NULL));
  rs_test_iterate ();
  editor = RS_TEMPLATE_WINDOW (rs_test_find_window (RS_TYPE_TEMPLATE_WINDOW));
  g_assert_nonnull (editor);

  /* The default texts have only known placeholders, and are kept as "". */
  g_assert_cmpuint (rs_template_window_get_n_unknown (editor, "en"), ==, 0);
  g_assert_cmpuint (rs_template_window_get_n_unknown (editor, "nl"), ==, 0);
  subject = rs_template_dup_subject (settings, "nl");
  g_assert_cmpstr (subject, ==, rs_template_default_subject ("nl"));

  rs_template_window_set_text (editor, "nl", "Uw rapport, {naam}",
                               "Beste {name},\n\n{bedrijf} en { nog {x\n");
  g_assert_cmpuint (rs_template_window_get_n_unknown (editor, "nl"), ==, 2);
  g_assert_cmpuint (rs_template_window_get_n_unknown (editor, "en"), ==, 0);
  saved_subject = g_settings_get_string (settings, "template-subject-nl");
  saved_body = g_settings_get_string (settings, "template-body-nl");
  g_assert_cmpstr (saved_subject, ==, "Uw rapport, {naam}");
  g_assert_cmpstr (saved_body, ==, "Beste {name},\n\n{bedrijf} en { nog {x\n");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "template.reset", NULL));
  g_clear_pointer (&saved_subject, g_free);
  saved_subject = g_settings_get_string (settings, "template-subject-en");
  g_assert_cmpstr (saved_subject, ==, "");

  rs_template_window_set_text (editor, "nl", rs_template_default_subject ("nl"),
                               rs_template_default_body ("nl"));
  g_clear_pointer (&saved_body, g_free);
  saved_body = g_settings_get_string (settings, "template-body-nl");
  g_assert_cmpstr (saved_body, ==, "");
  g_assert_cmpuint (rs_template_window_get_n_unknown (editor, "nl"), ==, 0);
}

/* Whether @filter lets the file chooser show a file of @name and @type. */
static gboolean
filter_matches (GtkFileFilter *filter,
                const char    *name,
                const char    *content_type)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  g_file_info_set_content_type (info, content_type);

  return gtk_filter_match (GTK_FILTER (filter), info);
}

static void
test_window_import_action (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(GStrv) accels = NULL;
  g_autoptr(GListModel) filters = NULL;
  GtkFileChooser *chooser;

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "win.import");
  g_assert_nonnull (accels);
  g_assert_cmpstr (accels[0], ==, "<Control>o");
  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import", NULL));

  /* It offers CSV files first, by type and by name, and all files after;
   * once only while it is open. */
  chooser = rs_window_get_import_chooser (fixture->window);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import", NULL));
  g_assert_true (rs_window_get_import_chooser (fixture->window) == chooser);
  filters = gtk_file_chooser_get_filters (chooser);
  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, 2);
  {
    g_autoptr(GtkFileFilter) csv = g_list_model_get_item (filters, 0);
    g_autoptr(GtkFileFilter) all = g_list_model_get_item (filters, 1);

    g_assert_cmpstr (gtk_file_filter_get_name (csv), ==, "Master Files (CSV, Excel)");
    g_assert_true (filter_matches (csv, "export.csv", "text/plain"));
    g_assert_true (filter_matches (csv, "MasterDatabase.xlsx", "application/zip"));
    g_assert_true (filter_matches (csv, "MASTER.XLSX", "application/zip"));
    g_assert_true (filter_matches (csv, "EXPORT.CSV", "text/plain"));
    g_assert_true (filter_matches (csv, "master", "text/csv"));
    g_assert_false (filter_matches (csv, "notes.txt", "text/plain"));
    g_assert_true (filter_matches (all, "notes.txt", "text/plain"));
  }

  /* Cancelled: gone, and nothing imported. */
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  g_assert_null (rs_window_get_import_chooser (fixture->window));
  rs_test_iterate ();
  g_assert_false (rs_window_get_busy (fixture->window));
}

static void
test_window_remembers_size (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 640);
  rs_test_iterate ();
  gtk_window_close (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (rs_test_pointer_is_null, &fixture->window, 10000));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
run_tests_cb (GApplication *application,
              int          *status)
{
  /* Instead of the application's own window. */
  g_signal_stop_emission_by_name (application, "activate");
  *status = g_test_run ();
}

/* Raw Excel-style headers; one row flagged, one skipped, one duplicate. */
static const char master_csv[] =
  "SubmitDate,ReportSent,Name:,Function:,Company name:,E-mail address,Version,Up - R\n"
  "2024-03-01 10:00:00,False,Ivo Bos,Buyer,Polder Packaging B.V.,ivo.bos@example.com,"
  "Version 1.0 (eng),4\n"
  "2024-03-02 10:00:00,False,Anne-Marie Jansen,Planner,Polder Packaging B.V.,"
  "anne-marie@example.org,Versie 1.0 (nl),3\n"
  "2024-03-03 10:00:00,True,Lena Öberg,CEO,Fjord & Fell AS,lena(at)example.net,"
  "Version 1.0 (eng),2\n"
  "2024-03-04 10:00:00,False,Nobody,CEO,-,nobody@example.com,Version 1.0 (eng),2\n"
  "2024-03-05 10:00:00,False,Ivo Bos,Buyer,Polder Packaging B.V.,ivo.bos@example.com,"
  "Version 1.0 (eng),5\n";

static char *
write_fixture (Fixture    *fixture,
               const char *name,
               const char *contents)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));

  return path;
}

static gboolean
import_finished (gpointer data)
{
  return !rs_window_get_busy (data) &&
         g_strcmp0 (rs_window_get_page_name (data), "loading") != 0;
}

static gboolean
page_is_respondents (gpointer data)
{
  return g_strcmp0 (rs_window_get_page_name (data), "respondents") == 0;
}

static int
count_respondents (RsWindow *window)
{
  sqlite3 *db = rs_store_get_connection (rs_window_get_store (window), NULL);
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM respondent", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return n;
}

static gboolean
details_loaded (gpointer data)
{
  RsImportDetailsWindow *details;

  details = RS_IMPORT_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_IMPORT_DETAILS_WINDOW));

  return details != NULL && !rs_import_details_window_is_loading (details);
}

static void
test_window_import (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_fixture (fixture, "master.csv", master_csv);
  RsImportDetailsWindow *details;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_cmpstr (rs_window_get_page_name (fixture->window), ==, "empty");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_window_get_busy (fixture->window));
  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));

  /* Ivo Bos twice is one person; the row without a company is skipped. */
  g_assert_true (g_str_has_prefix (rs_window_get_status_text (fixture->window),
                                   "3 respondents from 2 companies · Pending 2 · Sent 1 · "));
  g_assert_cmpint (count_respondents (fixture->window), ==, 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-import-details", NULL));
  g_assert_true (rs_test_wait_until (details_loaded, NULL, 10000));
  details = RS_IMPORT_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_IMPORT_DETAILS_WINDOW));
  g_assert_nonnull (details);
  /* Flagged, skipped and duplicate: one line each. */
  g_assert_cmpuint (rs_import_details_window_get_n_problems (details), ==, 3);
}

typedef struct
{
  RsStore *store;
  int expected;
} Outdated;

static gboolean
outdated_reports_are (gpointer data)
{
  Outdated *outdated = data;
  sqlite3 *db = rs_store_get_connection (outdated->store, NULL);
  sqlite3_stmt *stmt = NULL;
  int n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM respondent r JOIN delivery d"
                                           " ON d.respondent_id = r.id"
                                           " WHERE d.report_path IS NOT NULL"
                                           " AND d.report_source_hash IS NOT r.source_hash",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return n == outdated->expected;
}

/* The peer benchmark switched off in Preferences: the window marks every
 * report that shows its block outdated; on again, they are current as
 * before (the job finds them as they were made). */
static void
test_window_benchmark_setting (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  Outdated outdated = { 0 };

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  outdated.store = rs_store_open (db, &error);
  g_assert_no_error (error);
  rs_test_write_master (csv, 20);
  file = g_file_new_for_path (csv);
  imported = rs_import_file (outdated.store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  made = rs_report_job_run (outdated.store, folder, NULL, 0, FALSE, 1, NULL, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, >=, 10);
  g_assert_true (outdated_reports_are (&outdated));

  g_settings_set_boolean (settings, "report-benchmark", FALSE);
  outdated.expected = (int) made->made;
  g_assert_true (rs_test_wait_until (outdated_reports_are, &outdated, 10000));

  g_settings_reset (settings, "report-benchmark");
  rs_store_release_connection (outdated.store);
  g_clear_object (&outdated.store);
}

/* The institution's look changed in Preferences, a key at a time as a
 * person types: once it stays as it is, every report shows outdated, and
 * the next report run makes them again with the new look. */
static void
test_window_branding_setting (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autofree char *csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autoptr(RsReportSummary) again = NULL;
  Outdated outdated = { 0 };
  const char *typed[] = { "I", "In", "Ins", "Inst", "Institute" };

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  outdated.store = rs_store_open (db, &error);
  g_assert_no_error (error);
  rs_test_write_master (csv, 12);
  file = g_file_new_for_path (csv);
  imported = rs_import_file (outdated.store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  made = rs_report_job_run (outdated.store, folder, NULL, 0, FALSE, 1, NULL, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, >=, 10);
  g_assert_true (outdated_reports_are (&outdated));

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_settings_set_string (settings, "report-organisation", typed[i]);
      rs_test_iterate ();
    }
  outdated.expected = (int) made->made;
  g_assert_true (rs_test_wait_until (outdated_reports_are, &outdated, 10000));

  again = rs_report_job_run (outdated.store, folder, NULL, 0, FALSE, 1, NULL, NULL, NULL,
                             &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->made, ==, made->made);
  outdated.expected = 0;
  g_assert_true (outdated_reports_are (&outdated));

  /* Changed, and the window closed at once: marked all the same. */
  g_settings_set_string (settings, "report-organisation", "Institute of Logistics");
  rs_test_destroy_window ((GtkWindow **) &fixture->window);
  outdated.expected = (int) made->made;
  g_assert_true (rs_test_wait_until (outdated_reports_are, &outdated, 10000));

  g_settings_reset (settings, "report-organisation");
  rs_store_release_connection (outdated.store);
  g_clear_object (&outdated.store);
}

/* Last Import Details of an import this window did not make (an earlier
 * session, the command line) reads it from the database. */
static void
test_window_import_details_kept (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *path = write_fixture (fixture, "master.csv", master_csv);
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  RsImportDetailsWindow *details;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  rs_store_release_connection (store);

  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  rs_test_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.show-import-details", NULL));
  g_assert_true (rs_test_wait_until (details_loaded, NULL, 10000));
  details = RS_IMPORT_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_IMPORT_DETAILS_WINDOW));
  g_assert_cmpuint (rs_import_details_window_get_n_problems (details), ==, 3);
}

static void
exec_elsewhere (const char *db,
                const char *sql)
{
  sqlite3 *other = NULL;

  g_assert_cmpint (sqlite3_open (db, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
}

static GtkWidget *
find_shown_status_page (GtkWidget  *root,
                        const char *title)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (ADW_IS_STATUS_PAGE (w) && gtk_widget_get_mapped (w) &&
        g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (w)), title) == 0)
      return w;

  return NULL;
}

static gboolean
load_error_shown (gpointer data)
{
  return find_shown_status_page (data, "Could Not Read the Respondents") != NULL;
}

static gboolean
table_shown (gpointer data)
{
  GtkWidget *root = data;

  if (load_error_shown (root))
    return FALSE;
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_INSCRIPTION (w) && gtk_widget_get_mapped (w) &&
        g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (w)), "Anne-Marie Jansen") == 0)
      return TRUE;

  return FALSE;
}

/* The table cannot be read (here: another program took the table away):
 * the window says so instead of going stale, and Try Again reads it. */
static void
test_window_table_load_error (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *path = write_fixture (fixture, "master.csv", master_csv);
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  GtkWidget *page;
  GtkWidget *again = NULL;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (table_shown, fixture->window, 10000));

  exec_elsewhere (db, "ALTER TABLE respondent RENAME TO respondent_away");
  g_assert_true (rs_test_wait_until (load_error_shown, fixture->window, 10000));
  page = find_shown_status_page (GTK_WIDGET (fixture->window), "Could Not Read the Respondents");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (page)),
                            "respondent"));

  exec_elsewhere (db, "ALTER TABLE respondent_away RENAME TO respondent");
  for (GtkWidget *w = page; w != NULL; w = rs_test_next_widget (w, page))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), "_Try Again") == 0)
      again = w;
  g_assert_nonnull (again);
  g_signal_emit_by_name (again, "clicked");
  g_assert_true (rs_test_wait_until (table_shown, fixture->window, 10000));
}

static GtkWindow *
wait_for_message_dialog (void)
{
  GtkWindow *dialog = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  return dialog;
}

/* Feeds a master file into a FIFO and keeps it open until released: an
 * import from it is still running, however fast the machine. */
typedef struct
{
  char *path;
  char *text;
  GMutex lock;
  GCond cond;
  gboolean release;
} FifoWriter;

static gpointer
fifo_writer_thread (gpointer data)
{
  FifoWriter *writer = data;
  gsize left = strlen (writer->text);
  const char *p = writer->text;
  int fd;

  /* Until the import opens the FIFO to read it. One stopped before it
   * opened it (it records its start first) may never come: a blocking open
   * would wait for it for ever, so a released writer waits 3 s more. */
  for (gint64 given_up = G_MAXINT64;;)
    {
      fd = open (writer->path, O_WRONLY | O_NONBLOCK);
      if (fd >= 0)
        break;
      g_assert_cmpint (errno, ==, ENXIO);
      g_mutex_lock (&writer->lock);
      if (writer->release && given_up == G_MAXINT64)
        given_up = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
      g_mutex_unlock (&writer->lock);
      if (g_get_monotonic_time () > given_up)
        return NULL;
      g_usleep (10 * 1000);
    }
  g_assert_cmpint (fcntl (fd, F_SETFL, 0), ==, 0);
  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      p += n;
      left -= (gsize) n;
    }
  g_mutex_lock (&writer->lock);
  while (!writer->release)
    g_cond_wait (&writer->cond, &writer->lock);
  g_mutex_unlock (&writer->lock);
  close (fd);

  return NULL;
}

static void
fifo_writer_release (FifoWriter *writer)
{
  g_mutex_lock (&writer->lock);
  writer->release = TRUE;
  g_cond_signal (&writer->cond);
  g_mutex_unlock (&writer->lock);
}

/* Quit during an import asks first; Keep Importing goes on, Stop Importing
 * cancels it (nothing imported) and then the window closes. */
static void
test_window_quit_during_import (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *big = g_build_filename (fixture->dir, "big.csv", NULL);
  g_autofree char *fifo = g_build_filename (fixture->dir, "master-in.csv", NULL);
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autoptr(RsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  GtkWindow *dialog;
  FifoWriter writer = { 0 };
  GThread *thread;

  rs_test_write_master (big, 2000);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  writer.path = fifo;
  g_assert_true (g_file_get_contents (big, &writer.text, NULL, NULL));
  g_mutex_init (&writer.lock);
  g_cond_init (&writer.cond);
  thread = g_thread_new ("fifo-writer", fifo_writer_thread, &writer);

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", fifo));
  g_assert_true (rs_window_get_busy (fixture->window));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
  dialog = wait_for_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Stop Importing?");
  g_assert_nonnull (fixture->window);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  rs_test_iterate ();
  g_assert_nonnull (fixture->window);

  /* Ctrl+W's action asks the same. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "window.close",
                                             NULL));
  dialog = wait_for_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  /* The file ends only now, after the stop. */
  fifo_writer_release (&writer);
  g_thread_join (thread);
  g_free (writer.text);
  g_mutex_clear (&writer.lock);
  g_cond_clear (&writer.cond);
  g_assert_true (rs_test_wait_until (rs_test_pointer_is_null, &fixture->window, 20000));

  store = rs_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (rs_store_get_connection (store, NULL),
                                       "SELECT count (*) FROM respondent", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
}

static guint
count_message_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      n += ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window));
    }

  return n;
}

/* 2,000 rows that cannot be sent, each for its own reason text, three with
 * names of 2,400 letters: the send summary keeps a size that fits the
 * screen, and lists all of them in a scrolled view. */
static void
test_window_send_summary_size (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GString) csv = g_string_new ("Name:,Function:,Company name:,E-mail address,"
                                         "Version,Up - R\n");
  g_autofree char *path = NULL;
  GtkWindow *dialog;
  GtkWidget *text = NULL;
  int height = 0;


  g_autofree char *long_name = g_strnfill (2400, 'a');

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (csv, "Person %u%s,Buyer,Company %u B.V.,person-%u(at)example.com,"
                            "Version 1.0 (eng),4\n", i, i < 3 ? long_name : "", i % 50, i);
  path = write_fixture (fixture, "dirty.csv", csv->str);

  g_settings_set_string (settings, "smtp-url", "smtp://127.0.0.1:2525");
  g_settings_set_string (settings, "smtp-security", "none");
  g_settings_set_string (settings, "from-address", "scan@example.com");

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send the Reports to 0 Respondents?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "Skipped: 2000"));

  gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_VERTICAL, 400, NULL, &height, NULL,
                      NULL);
  g_assert_cmpint (height, <, 700);

  /* Pressed again while it asks: the same summary, not a second one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  rs_test_iterate ();
  g_assert_cmpuint (count_message_dialogs (), ==, 1);

  /* The whole list is there, one row each, in a scrolled view. */
  for (GtkWidget *w = GTK_WIDGET (dialog); w != NULL; w = rs_test_next_widget (w, GTK_WIDGET (dialog)))
    if (GTK_IS_LIST_VIEW (w))
      text = w;
  g_assert_nonnull (text);
  g_assert_nonnull (gtk_widget_get_ancestor (text, GTK_TYPE_SCROLLED_WINDOW));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (text)))),
                    ==, 2000);

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_settings_reset (settings, "smtp-url");
  g_settings_reset (settings, "smtp-security");
  g_settings_reset (settings, "from-address");
}

static gboolean
width_is_about_600 (gpointer data)
{
  int width = gtk_widget_get_width (GTK_WIDGET (data));

  /* The window's own decoration is not counted. */
  return width > 500 && width <= 600;
}

static guint
count_visible_columns (GtkColumnView *view)
{
  GListModel *columns = gtk_column_view_get_columns (view);
  guint visible = 0;

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      visible += gtk_column_view_column_get_visible (column);
    }

  return visible;
}

static int
visible_columns_width (GtkColumnView *view)
{
  GListModel *columns = gtk_column_view_get_columns (view);
  int width = 0;

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (gtk_column_view_column_get_visible (column))
        width += gtk_column_view_column_get_fixed_width (column);
    }

  return width;
}

static gboolean
five_columns (gpointer data)
{
  return count_visible_columns (data) == 5;
}

/* The window works at 600 px wide, as the metainfo says, with respondents
 * shown and selected: the less important columns give way. */
static void
test_window_narrow (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = write_fixture (fixture, "master.csv", master_csv);
  RsRespondentView *view = rs_window_get_respondent_view (fixture->window);
  GtkColumnView *columns = rs_respondent_view_get_column_view (view);
  g_autoptr(GtkColumnViewColumn) note = NULL;
  gint64 id;
  int minimum = 0;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_cmpuint (count_visible_columns (columns), ==, 8);

  id = 1;
  rs_respondent_view_select_ids (view, &id, 1);
  gtk_search_bar_set_search_mode (rs_respondent_view_get_search_bar (view), TRUE);
  rs_test_iterate ();

  gtk_widget_measure (GTK_WIDGET (fixture->window), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 600);

  /* Without a window manager, a shown window takes a new size when shown again. */
  gtk_widget_hide (GTK_WIDGET (fixture->window));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 600, 500);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (width_is_about_600, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (five_columns, columns, 10000));
  note = g_list_model_get_item (gtk_column_view_get_columns (columns), 7);
  g_assert_cmpstr (gtk_column_view_column_get_title (note), ==, "Note");
  g_assert_false (gtk_column_view_column_get_visible (note));

  /* The columns shown fit: the status shows without scrolling sideways. */
  g_assert_cmpint (visible_columns_width (columns), <=, gtk_widget_get_width (GTK_WIDGET (view)));
}

static void
test_window_import_missing_column (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *good = write_fixture (fixture, "master.csv", master_csv);
  g_autofree char *bad = write_fixture (fixture, "bad.csv",
                                        "Name,Company name,Phone\n"
                                        "Ivo Bos,Polder Packaging B.V.,0123\n");
  GtkWindow *dialog;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", good));
  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", bad));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  rs_test_iterate ();

  dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "email_address"));
  g_assert_cmpint (count_respondents (fixture->window), ==, 3);
  g_assert_true (g_str_has_prefix (rs_window_get_status_text (fixture->window),
                                   "3 respondents from 2 companies"));
}

/* A file dropped on the window is imported. */
static void
test_window_import_drop (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = write_fixture (fixture, "master.csv", master_csv);
  g_autoptr(GListModel) controllers = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  GSList files = { .data = file, .next = NULL };
  gboolean accepted = FALSE;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (fixture->window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &files);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);

  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_cmpint (count_respondents (fixture->window), ==, 3);
}

static void
fraction_changed_cb (GtkProgressBar *bar,
                     GParamSpec     *pspec,
                     GArray         *fractions)
{
  double fraction = gtk_progress_bar_get_fraction (bar);

  g_array_append_val (fractions, fraction);
}

static void
detail_changed_cb (GtkLabel   *label,
                   GParamSpec *pspec,
                   GPtrArray  *details)
{
  g_ptr_array_add (details, g_strdup (gtk_label_get_label (label)));
}

/* A large file's import shows how far it is, by bytes, as it goes. */
static void
test_window_import_progress (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *big = g_build_filename (fixture->dir, "big.csv", NULL);
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GPtrArray) details = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *total = NULL;
  GtkWidget *root = GTK_WIDGET (fixture->window);
  GtkWidget *panel = NULL;
  GtkWidget *bar = NULL;
  GtkWidget *detail = NULL;
  gboolean between = FALSE;
  gboolean by_bytes = FALSE;
  double last = 0.0;

  rs_test_write_master (big, 20000);
  {
    GStatBuf buf;

    g_assert_cmpint (g_stat (big, &buf), ==, 0);
    total = g_format_size (buf.st_size);
  }

  for (GtkWidget *w = root; w != NULL && panel == NULL; w = rs_test_next_widget (w, root))
    if (RS_IS_PROGRESS_PANEL (w))
      panel = w;
  g_assert_nonnull (panel);
  for (GtkWidget *w = panel; w != NULL; w = rs_test_next_widget (w, panel))
    {
      if (GTK_IS_PROGRESS_BAR (w))
        bar = w;
      else if (GTK_IS_LABEL (w) && detail == NULL && gtk_widget_has_css_class (w, "dim-label"))
        detail = w;
    }
  g_assert_nonnull (bar);
  g_assert_nonnull (detail);
  g_signal_connect (bar, "notify::fraction", G_CALLBACK (fraction_changed_cb), fractions);
  g_signal_connect (detail, "notify::label", G_CALLBACK (detail_changed_cb), details);

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (root, "win.import-file", "s", big));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 60000));
  g_signal_handlers_disconnect_by_data (bar, fractions);
  g_signal_handlers_disconnect_by_data (detail, details);

  /* Forward only, and somewhere between the start and the end. */
  for (guint i = 0; i < fractions->len; i++)
    {
      double fraction = g_array_index (fractions, double, i);

      if (fraction == 0.0)
        last = 0.0;
      g_assert_cmpfloat (fraction, >=, last);
      last = fraction;
      if (fraction > 0.0 && fraction < 1.0)
        between = TRUE;
    }
  g_assert_true (between);

  /* “12.3 MB of 17.6 MB” */
  for (guint i = 0; i < details->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (details, i), total))
      by_bytes = TRUE;
  g_assert_true (by_bytes);
  g_assert_cmpint (count_respondents (fixture->window), ==, 20000);
}

/* Cancelling an import from the window changes nothing. */
static void
test_window_import_cancel (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *good = write_fixture (fixture, "master.csv", master_csv);
  g_autofree char *big = g_build_filename (fixture->dir, "big.csv", NULL);

  rs_test_write_master (big, 20000);
  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", good));
  g_assert_true (rs_test_wait_until (page_is_respondents, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", big));
  g_assert_true (rs_window_get_busy (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-job",
                                             NULL));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  rs_test_iterate ();

  g_assert_null (rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpint (count_respondents (fixture->window), ==, 3);
  g_assert_true (g_str_has_prefix (rs_window_get_status_text (fixture->window),
                                   "3 respondents from 2 companies"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  char *app_argv[] = { argv[0], NULL };
  int status = 1;

  rs_test_gtk_init (&argc, &argv);

  dir = rs_test_make_tmpdir ();
  db = g_build_filename (dir, "unused.db", NULL);
  app = rs_application_new (db);
  g_signal_connect (app, "activate", G_CALLBACK (run_tests_cb), &status);

  g_test_add ("/window/empty-state", Fixture, NULL,
              fixture_set_up, test_window_empty_state, fixture_tear_down);
  g_test_add ("/window/about-and-shortcuts", Fixture, NULL,
              fixture_set_up, test_window_about_and_shortcuts, fixture_tear_down);
  g_test_add ("/window/preferences", Fixture, NULL,
              fixture_set_up, test_window_preferences, fixture_tear_down);
  g_test_add ("/window/password-not-kept", Fixture, NULL,
              fixture_set_up, test_window_password_not_kept, fixture_tear_down);
  g_test_add ("/window/template", Fixture, NULL,
              fixture_set_up, test_window_template, fixture_tear_down);
  g_test_add ("/window/import-action", Fixture, NULL,
              fixture_set_up, test_window_import_action, fixture_tear_down);
  g_test_add ("/window/benchmark-setting", Fixture, NULL,
              fixture_set_up, test_window_benchmark_setting, fixture_tear_down);
  g_test_add ("/window/branding-setting", Fixture, NULL,
              fixture_set_up, test_window_branding_setting, fixture_tear_down);
  g_test_add ("/window/import", Fixture, NULL,
              fixture_set_up, test_window_import, fixture_tear_down);
  g_test_add ("/window/table-load-error", Fixture, NULL,
              fixture_set_up, test_window_table_load_error, fixture_tear_down);
  g_test_add ("/window/import-details-kept", Fixture, NULL,
              fixture_set_up, test_window_import_details_kept, fixture_tear_down);
  g_test_add ("/window/narrow", Fixture, NULL,
              fixture_set_up, test_window_narrow, fixture_tear_down);
  g_test_add ("/window/import-missing-column", Fixture, NULL,
              fixture_set_up, test_window_import_missing_column, fixture_tear_down);
  g_test_add ("/window/import-drop", Fixture, NULL,
              fixture_set_up, test_window_import_drop, fixture_tear_down);
  g_test_add ("/window/import-progress", Fixture, NULL,
              fixture_set_up, test_window_import_progress, fixture_tear_down);
  g_test_add ("/window/quit-during-import", Fixture, NULL,
              fixture_set_up, test_window_quit_during_import, fixture_tear_down);
  g_test_add ("/window/send-summary-size", Fixture, NULL,
              fixture_set_up, test_window_send_summary_size, fixture_tear_down);
  g_test_add ("/window/import-cancel", Fixture, NULL,
              fixture_set_up, test_window_import_cancel, fixture_tear_down);
  g_test_add ("/window/remembers-size", Fixture, NULL,
              fixture_set_up, test_window_remembers_size, fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
