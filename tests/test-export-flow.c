/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-export-flow"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-export.h"
#include "core/rs-import.h"
#include "core/rs-tracker.h"
#include "rs-export-flow.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"

/* The export flow in a real window: its chooser (where it starts, what it
 * asks), the answer, the file written in a worker, and the toast that opens
 * the file with the desktop's default application. */

typedef struct
{
  char *dir;
  RsStore *store;
  gint64 ids[3];
  GtkWindow *window;
  AdwToastOverlay *toasts;
  GSettings *settings;
} Fixture;

/* Where the stand-in for a spreadsheet writes the URI it was given. */
static char *opened_marker;

static const char master_csv[] =
  "name,company_name,email_address,up__r,up__c,up__f,up__v,up__a\n"
  "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com,4,4,3,2,5\n"
  "Lena Öberg,\"Fjord; Fell AS\",lena.oberg@example.net,2,2,2,2,2\n"
  "Zoë de Vries,Amstel Metaal N.V.,zoe@example.com,1,2,3,4,5\n";

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GPtrArray) respondents = NULL;
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  respondents = rs_tracker_load (fixture->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (respondents->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    fixture->ids[i] = rs_respondent_get_id (respondents->pdata[i]);

  fixture->settings = g_settings_new (APP_ID);
  g_settings_reset (fixture->settings, "export-separator");

  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  fixture->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->toasts));
  gtk_window_set_default_size (fixture->window, 640, 480);
  gtk_window_present (fixture->window);

  g_remove (opened_marker);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_close_other_windows (fixture->window);
  rs_test_destroy_window (&fixture->window);
  g_clear_object (&fixture->settings);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
finished_cb (RsExportFlow *flow,
             gboolean     *finished)
{
  *finished = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Where it starts, once mapped: Documents. */
static gboolean
is_in_documents (gpointer data)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (data);
  g_autoptr(GFile) documents =
    g_file_new_for_path (g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS));

  return folder != NULL && g_file_equal (folder, documents);
}

static RsExportFlow *answering;

static GtkWidget *shown_dialog (void);

/* The chooser is on screen and shows the folder it starts in. GTK 4.8's
 * own chooser checks a folder it is given asynchronously; given another
 * before that check ends, it may end in the home folder. */
static gboolean
is_settled (gpointer data)
{
  return gtk_widget_get_mapped (shown_dialog ()) && is_in_documents (data);
}

static gboolean
is_in_test_folder (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GFile) file = gtk_file_chooser_get_file (rs_export_flow_get_chooser (answering));
  g_autoptr(GFile) folder = file != NULL ? g_file_get_parent (file) : NULL;
  g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

  return g_strcmp0 (path, fixture->dir) == 0;
}

/* Picks @option of the choice @id in the chooser's drop-down, as a person
 * does: GTK 4.8's chooser does not select by gtk_file_chooser_set_choice(). */
static GtkWidget *
shown_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *dialog = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        dialog = GTK_WIDGET (window);
    }
  g_assert_nonnull (dialog);

  return dialog;
}

/* Whether a drop-down of the chooser offers @label. */
static gboolean
offers (const char *label)
{
  GtkWidget *dialog = shown_dialog ();

  for (GtkWidget *w = dialog; w != NULL; w = rs_test_next_widget (w, dialog))
    {
      GListModel *model;

      if (!GTK_IS_DROP_DOWN (w))
        continue;

      model = gtk_drop_down_get_model (GTK_DROP_DOWN (w));
      for (guint i = 0; GTK_IS_STRING_LIST (model) && i < g_list_model_get_n_items (model); i++)
        if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label))
          return TRUE;
    }

  return FALSE;
}

static void
choose (GtkFileChooser *chooser,
        const char     *id,
        const char     *option)
{
  GtkWidget *dialog = shown_dialog ();

  for (GtkWidget *w = dialog; w != NULL; w = rs_test_next_widget (w, dialog))
    {
      if (!GTK_IS_DROP_DOWN (w))
        continue;

      for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (w)));
           i++)
        {
          guint previous = gtk_drop_down_get_selected (GTK_DROP_DOWN (w));

          gtk_drop_down_set_selected (GTK_DROP_DOWN (w), i);
          if (g_strcmp0 (gtk_file_chooser_get_choice (chooser, id), option) == 0)
            return;
          gtk_drop_down_set_selected (GTK_DROP_DOWN (w), previous);
        }
    }

  g_assert_not_reached ();
}

/* Runs the flow and answers its chooser: the file @name in the test folder,
 * with the choices given (%NULL keeps what is offered). */
static RsExportFlow *
run_and_answer (Fixture    *fixture,
                GArray     *visible_ids,
                const char *name,
                const char *respondents,
                const char *separator,
                int         response)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  g_autoptr(GError) error = NULL;
  RsExportFlow *flow;
  GtkFileChooser *chooser;
  gboolean finished = FALSE;

  flow = g_object_ref (rs_export_flow_run (fixture->window, fixture->toasts, fixture->store,
                                           visible_ids, NULL));
  g_signal_connect (flow, "finished", G_CALLBACK (finished_cb), &finished);
  chooser = rs_export_flow_get_chooser (flow);
  g_assert_nonnull (chooser);
  answering = flow;

  /* As a person does: once the chooser shows a folder, go to another. */
  g_assert_true (rs_test_wait_until (is_settled, chooser, 30000));
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (chooser, name);
  if (respondents != NULL)
    choose (chooser, "respondents", respondents);
  if (separator != NULL)
    choose (chooser, "separator", separator);
  /* The chooser moves to the folder before it says so. */
  g_assert_true (rs_test_wait_until (is_in_test_folder, fixture, 30000));

  g_signal_emit_by_name (chooser, "response", response);
  g_assert_null (rs_export_flow_get_chooser (flow));
  g_assert_true (rs_test_wait_until (is_true, &finished, 30000));
  g_signal_handlers_disconnect_by_func (flow, finished_cb, &finished);

  return flow;
}

static char *
read_export (Fixture    *fixture,
             const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static GtkButton *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0 &&
        gtk_widget_is_visible (w))
      return GTK_BUTTON (w);

  return NULL;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* The chooser starts in Documents, offers the respondents shown, and the
 * separator of the locale (a comma in C); the shown ones are written with
 * a semicolon, in the view's order, and the toast opens the file. */
static void
test_export_flow_shown (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsExportFlow) flow = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFile) documents = NULL;
  g_autofree char *text = NULL;
  g_autofree char *separator = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "shown.csv", NULL);
  GtkFileChooser *chooser;
  GtkButton *open;

  g_array_append_val (shown, fixture->ids[2]);
  g_array_append_val (shown, fixture->ids[0]);

  /* What it offers, before anyone answers. */
  flow = g_object_ref (rs_export_flow_run (fixture->window, fixture->toasts, fixture->store,
                                           shown, NULL));
  chooser = rs_export_flow_get_chooser (flow);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_file_chooser_get_action (chooser) == GTK_FILE_CHOOSER_ACTION_SAVE);
  g_assert_true (rs_test_wait_until (is_in_documents, chooser, 10000));
  folder = gtk_file_chooser_get_current_folder (chooser);
  documents = g_file_new_for_path (g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS));
  g_assert_nonnull (folder);
  g_assert_true (g_file_equal (folder, documents));
  g_assert_cmpstr (gtk_file_chooser_get_choice (chooser, "respondents"), ==, "shown");
  g_assert_cmpstr (gtk_file_chooser_get_choice (chooser, "separator"), ==, "comma");
  g_assert_true (offers ("Everyone"));
  rs_export_flow_cancel (flow);
  g_assert_null (rs_export_flow_get_chooser (flow));
  g_assert_cmpint (rs_export_flow_get_n_written (flow), ==, -1);
  g_clear_object (&flow);

  flow = run_and_answer (fixture, shown, "shown.csv", NULL, "semicolon", GTK_RESPONSE_ACCEPT);
  g_assert_cmpint (rs_export_flow_get_n_written (flow), ==, 2);
  text = read_export (fixture, "shown.csv");
  g_assert_true (g_str_has_prefix (text, "\xef\xbb\xbfid;company;person;email;status;"));
  expected = g_strdup_printf ("\n%" G_GINT64_FORMAT ";Amstel Metaal N.V.;Zoë de Vries;",
                              fixture->ids[2]);
  g_assert_nonnull (strstr (text, expected));
  g_assert_true (strstr (text, "Zoë de Vries") < strstr (text, "Ivo Bos"));
  g_assert_null (strstr (text, "Öberg"));

  /* The other separator was picked: it is remembered. */
  separator = g_settings_get_string (fixture->settings, "export-separator");
  g_assert_cmpstr (separator, ==, "semicolon");

  /* The toast says how many, and its button opens the file. */
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts),
                                        "Status of 2 respondents exported"));
  open = find_button (GTK_WIDGET (fixture->toasts), "_Open");
  g_assert_nonnull (open);
  g_signal_emit_by_name (open, "clicked");
  g_assert_true (rs_test_wait_until (file_exists, opened_marker, 10000));
  g_assert_true (g_file_get_contents (opened_marker, &opened, NULL, NULL));
  /* A local file goes to the program as its path. */
  g_assert_cmpstr (opened, ==, path);
}

/* Everyone, with the remembered separator; without a view to choose, the
 * chooser does not ask. */
static void
test_export_flow_everyone (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsExportFlow) flow = NULL;
  g_autoptr(RsExportFlow) no_view = NULL;
  g_autofree char *text = NULL;
  g_autofree char *separator = NULL;

  g_settings_set_string (fixture->settings, "export-separator", "semicolon");
  g_array_append_val (shown, fixture->ids[1]);

  flow = run_and_answer (fixture, shown, "everyone.csv", "everyone", NULL, GTK_RESPONSE_ACCEPT);
  g_assert_cmpint (rs_export_flow_get_n_written (flow), ==, 3);
  text = read_export (fixture, "everyone.csv");
  g_assert_true (g_str_has_prefix (text, "\xef\xbb\xbfid;company;"));
  g_assert_nonnull (strstr (text, ";\"Fjord; Fell AS\";Lena Öberg;"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts),
                                        "Status of 3 respondents exported"));

  /* Kept as it was offered: still remembered. */
  separator = g_settings_get_string (fixture->settings, "export-separator");
  g_assert_cmpstr (separator, ==, "semicolon");

  no_view = g_object_ref (rs_export_flow_run (fixture->window, fixture->toasts, fixture->store,
                                              NULL, NULL));
  g_assert_true (offers ("Semicolon (Excel in Dutch and other languages with a decimal comma)"));
  g_assert_false (offers ("Everyone"));
  g_assert_cmpstr (gtk_file_chooser_get_choice (rs_export_flow_get_chooser (no_view),
                                                "separator"), ==, "semicolon");
  rs_export_flow_cancel (no_view);
}

/* Cancelled: nothing written, nothing said. A file that cannot be
 * written: a toast names it and says why. */
static void
test_export_flow_cancel_and_fail (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(RsExportFlow) cancelled = NULL;
  g_autoptr(RsExportFlow) failed = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "cancelled.csv", NULL);
  g_autofree char *folder = g_build_filename (fixture->dir, "taken.csv", NULL);

  cancelled = run_and_answer (fixture, NULL, "cancelled.csv", NULL, NULL, GTK_RESPONSE_CANCEL);
  g_assert_cmpint (rs_export_flow_get_n_written (cancelled), ==, -1);
  g_assert_null (rs_export_flow_get_file (cancelled));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_null (rs_test_find_label (GTK_WIDGET (fixture->toasts), "exported"));

  /* A folder by that name is in the way. */
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  failed = run_and_answer (fixture, NULL, "taken.csv", NULL, NULL, GTK_RESPONSE_ACCEPT);
  g_assert_cmpint (rs_export_flow_get_n_written (failed), ==, -1);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts),
                                        "Could not export the status to “taken.csv”"));
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
}

/* The tracker database chosen as the file to write: refused, said, and
 * the database is as it was. */
static void
test_export_flow_over_database (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(RsExportFlow) refused = NULL;
  g_autoptr(GPtrArray) respondents = NULL;
  g_autoptr(GError) error = NULL;
  const char *database = rs_store_get_path (fixture->store);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len;
  gsize after_len;

  g_assert_true (g_file_get_contents (database, &before, &before_len, NULL));

  refused = run_and_answer (fixture, NULL, "tracker.db", NULL, NULL, GTK_RESPONSE_ACCEPT);
  g_assert_cmpint (rs_export_flow_get_n_written (refused), ==, -1);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts),
                                        "Could not export the status to “tracker.db”"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts), "is the tracker database"));

  g_assert_true (g_file_get_contents (database, &after, &after_len, NULL));
  g_assert_true (after_len == before_len && memcmp (after, before, before_len) == 0);
  respondents = rs_tracker_load (fixture->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (respondents->len, ==, 3);
}


/* Picks the filter named @label in the chooser's drop-down, as a person does. */
static void
choose_filter (const char *label)
{
  GtkWidget *dialog = shown_dialog ();

  for (GtkWidget *w = dialog; w != NULL; w = rs_test_next_widget (w, dialog))
    {
      GListModel *model;

      if (!GTK_IS_DROP_DOWN (w))
        continue;

      model = gtk_drop_down_get_model (GTK_DROP_DOWN (w));
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (model, i);

          if (GTK_IS_FILE_FILTER (item) &&
              g_strcmp0 (gtk_file_filter_get_name (GTK_FILE_FILTER (item)), label) == 0)
            {
              gtk_drop_down_set_selected (GTK_DROP_DOWN (w), i);
              return;
            }
        }
    }

  g_assert_not_reached ();
}

static gboolean
name_is (gpointer data)
{
  g_autofree char *name = gtk_file_chooser_get_current_name (rs_export_flow_get_chooser (answering));

  return g_strcmp0 (name, data) == 0;
}

/* The chooser offers CSV and Excel workbooks; the name's extension
 * decides: status.xlsx is a workbook of the respondents shown, in their
 * order, with their history, whatever the separator. */
static void
test_export_flow_xlsx (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(RsExportFlow) offered = NULL;
  g_autoptr(RsExportFlow) flow = NULL;
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) book = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "shown.xlsx", NULL);
  GListModel *filters;
  JsonObject *cell;

  marked = rs_tracker_mark (fixture->store, &fixture->ids[2], 1, RS_STATUS_SENT, "=1+1", &error);
  g_assert_no_error (error);
  g_array_append_val (shown, fixture->ids[2]);
  g_array_append_val (shown, fixture->ids[1]);

  offered = g_object_ref (rs_export_flow_run (fixture->window, fixture->toasts, fixture->store,
                                              shown, NULL));
  filters = gtk_file_chooser_get_filters (rs_export_flow_get_chooser (offered));
  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, 2);
  {
    g_autoptr(GtkFileFilter) csv = g_list_model_get_item (filters, 0);
    g_autoptr(GtkFileFilter) xlsx = g_list_model_get_item (filters, 1);

    g_assert_cmpstr (gtk_file_filter_get_name (csv), ==, "CSV Files");
    g_assert_cmpstr (gtk_file_filter_get_name (xlsx), ==, "Excel Workbooks");
  }
  g_object_unref (filters);
  rs_export_flow_cancel (offered);

  flow = run_and_answer (fixture, shown, "shown.xlsx", NULL, "semicolon", GTK_RESPONSE_ACCEPT);
  g_assert_cmpint (rs_export_flow_get_n_written (flow), ==, 2);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->toasts),
                                        "Status of 2 respondents exported"));
  book = rs_test_read_workbook (path);
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "Respondents")), ==, 3);
  cell = rs_test_workbook_cell (book, "Respondents", 1, "person");
  g_assert_cmpstr (json_object_get_string_member (cell, "value"), ==, "Zoë de Vries");
  cell = rs_test_workbook_cell (book, "Respondents", 1, "note");
  g_assert_cmpstr (json_object_get_string_member (cell, "type"), ==, "s");
  g_assert_cmpstr (json_object_get_string_member (cell, "value"), ==, "=1+1");
  cell = rs_test_workbook_cell (book, "Respondents", 1, "sent_at");
  g_assert_cmpstr (json_object_get_string_member (cell, "type"), ==, "d");
  cell = rs_test_workbook_cell (book, "Respondents", 2, "company");
  g_assert_cmpstr (json_object_get_string_member (cell, "value"), ==, "Fjord; Fell AS");
  g_assert_true (json_object_get_boolean_member (rs_test_workbook_cell (book, "Respondents", 0,
                                                                        "id"), "bold"));
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "History")), ==, 2);
}

/* Picking Excel Workbooks in the chooser turns the name's .csv into
 * .xlsx; a name with no extension of either gets the filter's format. */
static void
test_export_flow_xlsx_filter (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  g_autoptr(RsExportFlow) flow = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) book = NULL;
  g_autofree char *plain = g_build_filename (fixture->dir, "plain", NULL);
  GtkFileChooser *chooser;
  gboolean finished = FALSE;

  flow = g_object_ref (rs_export_flow_run (fixture->window, fixture->toasts, fixture->store,
                                           NULL, NULL));
  g_signal_connect (flow, "finished", G_CALLBACK (finished_cb), &finished);
  chooser = rs_export_flow_get_chooser (flow);
  answering = flow;
  g_assert_true (rs_test_wait_until (is_settled, chooser, 30000));
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (chooser, "renamed.csv");
  g_assert_true (rs_test_wait_until (is_in_test_folder, fixture, 30000));

  choose_filter ("Excel Workbooks");
  g_assert_true (rs_test_wait_until (name_is, "renamed.xlsx", 10000));
  choose_filter ("CSV Files");
  g_assert_true (rs_test_wait_until (name_is, "renamed.csv", 10000));
  choose_filter ("Excel Workbooks");
  g_assert_true (rs_test_wait_until (name_is, "renamed.xlsx", 10000));

  gtk_file_chooser_set_current_name (chooser, "plain");
  g_assert_true (rs_test_wait_until (is_in_test_folder, fixture, 30000));
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);
  g_assert_true (rs_test_wait_until (is_true, &finished, 30000));
  g_assert_cmpint (rs_export_flow_get_n_written (flow), ==, 3);
  book = rs_test_read_workbook (plain);
  g_assert_cmpuint (json_array_get_length (rs_test_workbook_rows (book, "Respondents")), ==, 4);
}

/* A stand-in for the spreadsheet program, the default for CSV files. */
static void
install_csv_opener (void)
{
  const char *data_home = g_getenv ("XDG_DATA_HOME");
  const char *config_home = g_getenv ("XDG_CONFIG_HOME");
  g_autofree char *applications = g_build_filename (data_home, "applications", NULL);
  g_autofree char *script = g_build_filename (data_home, "open-csv.sh", NULL);
  g_autofree char *desktop = g_build_filename (applications, "rs-test-open-csv.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (config_home, "mimeapps.list", NULL);
  g_autofree char *user_dirs = g_build_filename (config_home, "user-dirs.dirs", NULL);
  g_autofree char *documents = g_build_filename (g_get_home_dir (), "Documents", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;

  opened_marker = g_build_filename (data_home, "opened", NULL);
  script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s' \"$1\" > '%s.tmp' && mv '%s.tmp' '%s'\n",
                                 opened_marker, opened_marker, opened_marker);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Open CSV\n"
                                  "Exec=%s %%u\nMimeType=text/csv;\n", script);

  g_assert_cmpint (g_mkdir_with_parents (applications, 0700), ==, 0);
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  g_assert_true (g_file_set_contents (desktop, desktop_text, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps, "[Default Applications]\n"
                                      "text/csv=rs-test-open-csv.desktop\n", -1, NULL));

  /* Documents, as the desktop names it. */
  g_assert_cmpint (g_mkdir_with_parents (documents, 0700), ==, 0);
  g_assert_true (g_file_set_contents (user_dirs, "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n",
                                      -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  rs_test_init (&argc, &argv);
  install_csv_opener ();
  rs_test_gtk_init_only ();

#define ADD(name, func) \
  g_test_add ("/export-flow/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("shown", test_export_flow_shown);
  ADD ("everyone", test_export_flow_everyone);
  ADD ("cancel-and-fail", test_export_flow_cancel_and_fail);
  ADD ("over-database", test_export_flow_over_database);
  ADD ("xlsx", test_export_flow_xlsx);
  ADD ("xlsx-filter", test_export_flow_xlsx_filter);

#undef ADD

  status = g_test_run ();
  g_free (opened_marker);
  return status;
}
