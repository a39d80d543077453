/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-sheet"

#include "config.h"

#include <xlsxwriter.h>

#include "rs-application.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* A workbook's sheets chosen in the window: Import Which Sheet? offers
 * them in the workbook's order, however many, with the sheet the command
 * line reads chosen. */

typedef struct
{
  char *dir;
  RsWindow *window;
} Fixture;

static RsApplication *app;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
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
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* A sheet of one respondent for each name, each called after its sheet:
 * “Person of Old_copy”, person@… */
static char *
write_workbook (Fixture            *fixture,
                const char * const *sheets)
{
  char *path = g_build_filename (fixture->dir, "Resilience - MasterDatabase.xlsx", NULL);
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

static gboolean
page_is_not_loading (gpointer data)
{
  return g_strcmp0 (rs_window_get_page_name (data), "loading") != 0;
}

static gboolean
import_finished (gpointer data)
{
  return !rs_window_get_busy (data) && page_is_not_loading (data);
}

static gboolean
dialog_is_shown (gpointer data)
{
  GtkWindow *dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG);

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
no_dialog (gpointer data)
{
  return rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

/* The people in the database, by name */
static char *
list_people (RsWindow *window)
{
  sqlite3 *db = rs_store_get_connection (rs_window_get_store (window), NULL);
  g_autoptr(GString) people = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT person FROM respondent ORDER BY person", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (people, "%s%s", people->len > 0 ? ", " : "",
                            (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&people), FALSE);
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
      return w;

  return NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0)
      return w;

  return NULL;
}

/* What a click on a response's button does */
static void
click (AdwMessageDialog *dialog,
       const char       *label)
{
  GtkWidget *button = find_button (GTK_WIDGET (dialog), label);

  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
}

/* The sheets offered, in the list's order, the chosen one in brackets */
static char *
describe_sheets (GtkListBox *list)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      gboolean chosen = gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row));

      g_string_append_printf (text, "%s%s%s%s", text->len > 0 ? ", " : "", chosen ? "[" : "",
                              title, chosen ? "]" : "");
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static AdwMessageDialog *
start_import (Fixture            *fixture,
              const char * const *sheets,
              GtkListBox        **list)
{
  g_autofree char *path = write_workbook (fixture, sheets);
  AdwMessageDialog *dialog;

  g_assert_true (rs_test_wait_until (page_is_not_loading, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", path));
  g_assert_true (rs_test_wait_until (dialog_is_shown, NULL, 10000));
  dialog = ADW_MESSAGE_DIALOG (rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Import Which Sheet?");
  *list = GTK_LIST_BOX (find_widget (GTK_WIDGET (dialog), GTK_TYPE_LIST_BOX));
  g_assert_nonnull (*list);

  return dialog;
}

static gboolean
chosen_has_focus (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (data);

  return GTK_IS_LIST_BOX_ROW (focus) && gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (focus));
}

/* MasterData second: chosen, as the command line takes it, and has the
 * focus, so that Enter (the window's activate-focus) imports it. */
static void
test_import_sheet_default (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *sheets[] = { "Old_copy", "MasterData", NULL };
  g_autofree char *offered = NULL;
  g_autofree char *people = NULL;
  AdwMessageDialog *dialog;
  GtkListBox *list;

  dialog = start_import (fixture, sheets, &list);
  offered = describe_sheets (list);
  g_assert_cmpstr (offered, ==, "Old_copy, [MasterData]");
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "import");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_true (rs_test_wait_until (chosen_has_focus, dialog, 5000));

  /* What Enter does */
  g_signal_emit_by_name (dialog, "activate-focus");
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (no_dialog, NULL, 10000));
  people = list_people (fixture->window);
  g_assert_cmpstr (people, ==, "Person of MasterData");
}

/* Another sheet chosen, then Import. */
static void
test_import_sheet_other (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *sheets[] = { "Round 1", "Round 2", "Round 3", NULL };
  g_autofree char *offered = NULL;
  g_autofree char *people = NULL;
  AdwMessageDialog *dialog;
  GtkListBox *list;

  dialog = start_import (fixture, sheets, &list);
  offered = describe_sheets (list);
  g_assert_cmpstr (offered, ==, "[Round 1], Round 2, Round 3");

  gtk_list_box_select_row (list, gtk_list_box_get_row_at_index (list, 2));
  click (dialog, "_Import");
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (no_dialog, NULL, 10000));
  people = list_people (fixture->window);
  g_assert_cmpstr (people, ==, "Person of Round 3");
}

static gboolean
row_in_view (gpointer data)
{
  GtkWidget *row = data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (row, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  return gtk_widget_compute_bounds (row, scrolled, &bounds)
         && bounds.origin.y >= 0
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scrolled);
}

/* 24 sheets, `masterdata` the 22nd: the list scrolls inside a dialog that
 * fits a small screen, in the workbook's order, `masterdata` chosen and in
 * view; Cancel shows, and imports nothing. */
static void
test_import_sheet_many (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) sheets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autofree char *offered = NULL;
  g_autofree char *people = NULL;
  AdwMessageDialog *dialog;
  GtkListBox *list;
  GtkWidget *cancel;
  GtkWidget *chosen;
  graphene_rect_t bounds;
  int height;

  for (guint i = 1; i <= 24; i++)
    {
      char *name = i == 22 ? g_strdup ("masterdata") : g_strdup_printf ("Ronde %u", i);

      g_string_append_printf (expected, "%s%s%s%s", i > 1 ? ", " : "", i == 22 ? "[" : "",
                              name, i == 22 ? "]" : "");
      g_ptr_array_add (sheets, name);
    }
  g_ptr_array_add (sheets, NULL);

  dialog = start_import (fixture, (const char * const *) sheets->pdata, &list);
  offered = describe_sheets (list);
  g_assert_cmpstr (offered, ==, expected->str);

  /* Fits a 1024×768 screen, with room to spare */
  gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (GTK_WIDGET (dialog)), NULL, &height, NULL, NULL);
  g_assert_cmpint (height, <=, 640);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (dialog)), <=, 640);

  chosen = GTK_WIDGET (gtk_list_box_get_selected_row (list));
  g_assert_nonnull (chosen);
  g_assert_true (rs_test_wait_until (row_in_view, chosen, 5000));

  cancel = find_button (GTK_WIDGET (dialog), "_Cancel");
  g_assert_nonnull (cancel);
  g_assert_true (gtk_widget_get_mapped (cancel));
  g_assert_true (gtk_widget_compute_bounds (cancel, GTK_WIDGET (dialog), &bounds));
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=,
                     gtk_widget_get_height (GTK_WIDGET (dialog)));

  click (dialog, "_Cancel");
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 10000));
  g_assert_true (rs_test_wait_until (no_dialog, NULL, 10000));
  people = list_people (fixture->window);
  g_assert_cmpstr (people, ==, "");
}

static void
run_tests_cb (GApplication *application,
              int          *status)
{
  g_signal_stop_emission_by_name (application, "activate");
  *status = g_test_run ();
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

  g_test_add ("/import-sheet/default", Fixture, NULL,
              fixture_set_up, test_import_sheet_default, fixture_tear_down);
  g_test_add ("/import-sheet/other", Fixture, NULL,
              fixture_set_up, test_import_sheet_other, fixture_tear_down);
  g_test_add ("/import-sheet/many", Fixture, NULL,
              fixture_set_up, test_import_sheet_many, fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
