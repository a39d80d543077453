/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import-details"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-import.h"
#include "rs-import-details-window.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"

/* The details of an import in a real window: every problem line with its
 * number; a stored row opens its respondent through the parent's
 * win.show-respondent; Copy puts the list on the clipboard and Save…
 * writes it to a file. */

typedef struct
{
  char *dir;
  RsStore *store;
  RsImportSummary *summary;
  GtkWindow *parent;
  GArray *shown;
  RsImportDetailsWindow *details;
} Fixture;

/* Line 3 is flagged (no valid address), line 4 skipped (no company), and
 * line 5 the same person as line 2 again. */
static const char master_csv[] =
  "name,company_name,email_address\n"
  "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com\n"
  "Anna de Wit,Kaasmakerij Noord,anna at example.com\n"
  "Jan Jansen,-,jan@example.org\n"
  "IVO BOS,Polder Packaging B.V.,Ivo.Bos@example.com\n";

static void
show_respondent_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  Fixture *fixture = user_data;
  gint64 id = g_variant_get_int64 (parameter);

  g_array_append_val (fixture->shown, id);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) show = g_simple_action_new ("show-respondent", G_VARIANT_TYPE_INT64);
  g_autofree char *db = NULL;
  g_autofree char *csv = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  fixture->summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->summary->problems->len, ==, 3);

  /* The main window's action, as the details window finds it. */
  fixture->shown = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (show, "activate", G_CALLBACK (show_respondent_cb), fixture);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (show));
  fixture->parent = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->parent), (gpointer *) &fixture->parent);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->parent), "win", G_ACTION_GROUP (group));
  gtk_window_present (fixture->parent);

  fixture->details = rs_import_details_window_new (fixture->parent, fixture->summary);
  g_object_add_weak_pointer (G_OBJECT (fixture->details), (gpointer *) &fixture->details);
  gtk_window_present (GTK_WINDOW (fixture->details));
  rs_test_iterate ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->details != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->details);
  rs_test_close_other_windows (fixture->parent);
  rs_test_destroy_window (&fixture->parent);
  g_clear_pointer (&fixture->shown, g_array_unref);
  g_clear_pointer (&fixture->summary, rs_import_summary_free);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gint64
id_of_person (Fixture    *fixture,
              const char *person)
{
  for (guint i = 0; i < fixture->summary->problems->len; i++)
    {
      const RsImportProblem *problem = g_ptr_array_index (fixture->summary->problems, i);

      if (g_str_equal (problem->person, person))
        return problem->respondent_id;
    }

  g_assert_not_reached ();
}

/* The Open button in the row whose text holds @text; %NULL when it has
 * none to show. */
static GtkWidget *
open_button_of (Fixture    *fixture,
                const char *text)
{
  GtkLabel *label = rs_test_find_label (GTK_WIDGET (fixture->details), text);
  GtkWidget *button;

  g_assert_nonnull (label);
  button = gtk_widget_get_next_sibling (GTK_WIDGET (label));
  g_assert_true (GTK_IS_BUTTON (button));

  return gtk_widget_get_visible (button) ? button : NULL;
}

/* Every line, with its number; stored rows open their respondent. */
static void
test_import_details_open (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkWidget *open;
  GtkWidget *list;
  gint64 anna = id_of_person (fixture, "Anna de Wit");
  gint64 ivo = id_of_person (fixture, "IVO BOS");

  g_assert_cmpint (anna, >, 0);
  g_assert_cmpint (ivo, >, 0);
  g_assert_cmpuint (rs_import_details_window_get_n_problems (fixture->details), ==, 3);
  g_assert_false (gtk_window_get_modal (GTK_WINDOW (fixture->details)));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->details),
                                        "who was imported have an Open button"));

  /* The skipped row has nothing to open. */
  g_assert_null (open_button_of (fixture, "Line 4 (Jan Jansen)"));

  /* A click on Open shows the flagged respondent in the main window. */
  open = open_button_of (fixture, "Line 3 (Anna de Wit)");
  g_assert_nonnull (open);
  g_signal_emit_by_name (open, "clicked");
  g_assert_cmpuint (fixture->shown->len, ==, 1);
  g_assert_cmpint (g_array_index (fixture->shown, gint64, 0), ==, anna);

  /* Enter or a double click on a line does the same. */
  list = GTK_WIDGET (gtk_widget_get_ancestor (gtk_widget_get_parent (open), GTK_TYPE_LIST_VIEW));
  g_assert_nonnull (list);
  for (guint i = 0; i < 3; i++)
    g_signal_emit_by_name (list, "activate", i);
  g_assert_cmpuint (fixture->shown->len, ==, 3);
  g_assert_cmpint (g_array_index (fixture->shown, gint64, 1), ==, anna);
  g_assert_cmpint (g_array_index (fixture->shown, gint64, 2), ==, ivo);
  g_assert_cmpint (rs_import_details_window_get_respondent_id (fixture->details, 1), ==, 0);
}

/* A newer export renames Ivo and has a byte that is not UTF-8 in Anna's
 * row: both lines say so and open their respondent. */
static void
test_import_details_renamed (Fixture       *fixture,
                             gconstpointer  data)
{
  static const char newer_csv[] =
    "name,company_name,email_address\n"
    "Ivo Bos-Smit,Polder Packaging B.V.,ivo.bos@example.com\n"
    "Anna de Wit,Kaasmakerij Noord \xff,anna at example.com\n"
    "Zoë de Vries,Amstel Metaal N.V.,zoe@example.com\n";
  g_autofree char *csv = g_build_filename (fixture->dir, "newer.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  RsImportDetailsWindow *details;
  gint64 ivo = id_of_person (fixture, "IVO BOS");
  GtkWidget *open;

  g_assert_true (g_file_set_contents (csv, newer_csv, -1, NULL));
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->renamed, ==, 1);
  g_assert_cmpuint (summary->recoded, ==, 1);

  rs_test_destroy_window ((GtkWindow **) &fixture->details);
  details = rs_import_details_window_new (fixture->parent, summary);
  fixture->details = details;
  g_object_add_weak_pointer (G_OBJECT (fixture->details), (gpointer *) &fixture->details);
  gtk_window_present (GTK_WINDOW (details));
  rs_test_iterate ();

  open = open_button_of (fixture, "Line 2 (Ivo Bos-Smit): updated: name changed from “IVO BOS” "
                                  "to “Ivo Bos-Smit”");
  g_assert_nonnull (open);
  g_signal_emit_by_name (open, "clicked");
  g_assert_cmpuint (fixture->shown->len, ==, 1);
  g_assert_cmpint (g_array_index (fixture->shown, gint64, 0), ==, ivo);

  open = open_button_of (fixture, "Line 3 (Anna de Wit): imported, check the text: the text in "
                                  "column “company_name” is not valid UTF-8");
  g_assert_nonnull (open);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Line 3 (Anna de Wit): imported, "
                                        "cannot be sent"));
}

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* Copy: the file, the counts and every line, on the clipboard. */
static void
test_import_details_copy (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *expected = rs_import_details_window_dup_text (fixture->details);
  g_autofree char *copied = NULL;
  g_auto(GStrv) lines = g_strsplit (expected, "\n", -1);

  /* The data-quality summary follows; this file changed no value */
  g_assert_cmpuint (g_strv_length (lines), >, 9);
  g_assert_cmpstr (lines[0], ==, fixture->summary->file);
  g_assert_nonnull (strstr (lines[1], "1 skipped, 1 flagged, 1 duplicate"));
  g_assert_cmpstr (lines[2], ==, "");
  g_assert_true (g_str_has_prefix (lines[3], "Line 3 (Anna de Wit): "));
  g_assert_true (g_str_has_prefix (lines[4], "Line 4 (Jan Jansen): "));
  g_assert_true (g_str_has_prefix (lines[5], "Line 5 (IVO BOS): "));
  g_assert_cmpstr (lines[6], ==, "");
  g_assert_cmpstr (lines[7], ==, "Data quality after the import:");
  g_assert_cmpstr (lines[8], ==, "2 respondents in the database");
  g_assert_null (strstr (expected, "Changed values:"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->details), "problems.copy",
                                             NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (fixture->details)), NULL,
                                 read_text_cb, &copied);
  g_assert_true (rs_test_wait_until (is_set, &copied, 10000));
  g_assert_cmpstr (copied, ==, expected);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->details),
                                        "Copied to the clipboard"));
}

static gboolean
is_in_test_folder (gpointer data)
{
  Fixture *fixture = data;
  GtkFileChooser *chooser = rs_import_details_window_get_save_chooser (fixture->details);
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);
  g_autoptr(GFile) folder = file != NULL ? g_file_get_parent (file) : NULL;
  g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

  return g_strcmp0 (path, fixture->dir) == 0;
}

static gboolean
is_in_documents (gpointer data)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (data);
  g_autoptr(GFile) documents =
    g_file_new_for_path (g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS));

  /* Mapped and in Documents: it may pass through the home folder first. */
  return folder != NULL && g_file_equal (folder, documents);
}

static gboolean
saved_toast (gpointer data)
{
  return rs_test_find_label (data, "Saved “") != NULL;
}

/* Save…: a chooser in Documents, named after the import; the text file. */
static void
test_import_details_save (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *expected = rs_import_details_window_dup_text (fixture->details);
  g_autofree char *path = g_build_filename (fixture->dir, "problems.txt", NULL);
  g_autofree char *saved = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (fixture->dir);
  g_autoptr(GFile) current = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) documents = NULL;
  g_autoptr(GError) error = NULL;
  GtkFileChooser *chooser;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->details), "problems.save",
                                             NULL));
  chooser = rs_import_details_window_get_save_chooser (fixture->details);
  g_assert_nonnull (chooser);
  g_assert_true (rs_test_wait_until (is_in_documents, chooser, 10000));
  current = gtk_file_chooser_get_current_folder (chooser);
  documents = g_file_new_for_path (g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS));
  g_assert_true (g_file_equal (current, documents));
  name = gtk_file_chooser_get_current_name (chooser);
  g_assert_cmpstr (name, ==, "master - import problems.txt");

  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, &error));
  g_assert_no_error (error);
  gtk_file_chooser_set_current_name (chooser, "problems.txt");
  /* The chooser moves to the folder before it says so. */
  g_assert_true (rs_test_wait_until (is_in_test_folder, fixture, 10000));
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_ACCEPT);
  g_assert_null (rs_import_details_window_get_save_chooser (fixture->details));

  g_assert_true (rs_test_wait_until (saved_toast, fixture->details, 10000));
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, expected);
}

/* A second import, with values the import changes */
static const char changed_csv[] =
  "name,company_name,email_address,function,up__r,up__c\n"
  "Piet Smit,Polder Packaging B.V.,piet@example.com,n/a,7,abc\n"
  "Rosa Kok,Polder Packaging B.V.,rosa@example.com,Buyer,9,-3\n";

static gboolean
is_loaded (gpointer data)
{
  return !rs_import_details_window_is_loading (data);
}

/* The expander rows under @root, in their order */
static GPtrArray *
find_expanders (GtkWidget *root)
{
  GPtrArray *found = g_ptr_array_new ();

  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (ADW_IS_EXPANDER_ROW (w))
      g_ptr_array_add (found, w);

  return found;
}

static AdwExpanderRow *
find_expander (GtkWidget  *root,
               const char *title)
{
  g_autoptr(GPtrArray) expanders = find_expanders (root);

  for (guint i = 0; i < expanders->len; i++)
    if (g_str_equal (adw_preferences_row_get_title (expanders->pdata[i]), title))
      return expanders->pdata[i];

  return NULL;
}

static RsImportDetailsWindow *
open_from_store (Fixture *fixture)
{
  RsImportDetailsWindow *details;
  RsImportDetailsWindow *result;

  details = rs_import_details_window_new_for_store (fixture->parent, fixture->store, 0);
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &details);
  gtk_window_present (GTK_WINDOW (details));
  g_assert_true (rs_test_wait_until (is_loaded, details, 10000));
  rs_test_iterate ();
  result = details;
  g_object_remove_weak_pointer (G_OBJECT (details), (gpointer *) &details);

  return result;
}

/* Read from the database in a worker thread, as after a restart: the
 * changed values in one expander row per column and kind, whose cells
 * appear when it is expanded and open their respondent; the data-quality
 * summary; and all of it in what Copy gives. */
static void
test_import_details_changes (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (fixture->dir, "changed.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) expanders = NULL;
  g_autofree char *text = NULL;
  RsImportDetailsWindow *details;
  AdwPreferencesGroup *changes;
  AdwPreferencesGroup *quality;
  AdwExpanderRow *above;
  GtkLabel *line;
  GtkWidget *open;
  gint64 piet;

  g_assert_true (g_file_set_contents (csv, changed_csv, -1, NULL));
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  piet = ((RsImportChange *) ((RsImportChangeGroup *) summary->change_groups->pdata[0])
          ->examples->pdata[0])->respondent_id;
  g_assert_cmpint (piet, >, 0);

  details = open_from_store (fixture);
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &details);
  g_assert_cmpuint (rs_import_details_window_get_n_problems (details), ==, 0);
  g_assert_cmpuint (rs_import_details_window_get_n_change_groups (details), ==, 4);

  changes = rs_import_details_window_get_changes_group (details);
  expanders = find_expanders (GTK_WIDGET (changes));
  g_assert_cmpuint (expanders->len, ==, 4);
  g_assert_cmpstr (adw_preferences_row_get_title (expanders->pdata[0]), ==,
                   "“function”: placeholder (such as “n/a”) dropped");
  g_assert_cmpstr (adw_preferences_row_get_title (expanders->pdata[1]), ==,
                   "“up__r”: above 5, clamped to 5");
  g_assert_cmpstr (adw_expander_row_get_subtitle (expanders->pdata[1]), ==, "2 values");
  g_assert_cmpstr (adw_preferences_row_get_title (expanders->pdata[2]), ==,
                   "“up__c”: below 0, clamped to 0");
  g_assert_cmpstr (adw_preferences_row_get_title (expanders->pdata[3]), ==,
                   "“up__c”: not a number, read as missing");

  /* The cells are made when the group is first expanded */
  above = expanders->pdata[1];
  g_assert_null (rs_test_find_label (GTK_WIDGET (above), "“9” → “5”"));
  adw_expander_row_set_expanded (above, TRUE);
  rs_test_iterate ();
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (above), "“7” → “5”"));
  line = rs_test_find_label (GTK_WIDGET (above), "“9” → “5”");
  g_assert_nonnull (line);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (above), "Line 3"));

  open = GTK_WIDGET (gtk_widget_get_ancestor (GTK_WIDGET (line), ADW_TYPE_ACTION_ROW));
  for (GtkWidget *w = open; w != NULL; w = rs_test_next_widget (w, open))
    if (GTK_IS_BUTTON (w) && gtk_actionable_get_action_name (GTK_ACTIONABLE (w)) != NULL)
      {
        g_signal_emit_by_name (w, "clicked");
        break;
      }
  g_assert_cmpuint (fixture->shown->len, ==, 1);
  g_assert_cmpint (g_array_index (fixture->shown, gint64, 0), >, piet);

  /* 2 from the first import and 2 from this one; Anna has no valid address */
  quality = rs_import_details_window_get_quality_group (details);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (quality), "Respondents in the Database"));
  g_assert_nonnull (find_expander (GTK_WIDGET (quality), "Missing Scores, the Worst Columns"));
  g_assert_cmpstr (adw_expander_row_get_subtitle (find_expander (GTK_WIDGET (quality),
                                                                 "Companies With One Respondent")),
                   ==, "1 of 2 companies");
  g_assert_cmpstr (adw_expander_row_get_subtitle (find_expander (GTK_WIDGET (quality),
                                                                 "Scores Out of Range, Clamped")),
                   ==, "3 values");
  g_assert_cmpstr (adw_expander_row_get_subtitle (find_expander (GTK_WIDGET (quality),
                                                                 "Cannot Be Sent, by Reason")),
                   ==, "1 respondent");
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (quality), "no valid e-mail address"));

  text = rs_import_details_window_dup_text (details);
  g_assert_nonnull (strstr (text, "\nChanged values:\n"
                            "“function”, placeholder (such as “n/a”) dropped: 1 value (line 2)\n"
                            "  Line 2, “function”: “n/a” → empty\n"
                            "“up__r”, above 5, clamped to 5: 2 values (lines 2, 3)\n"
                            "  Line 2, “up__r”: “7” → “5”\n"
                            "  Line 3, “up__r”: “9” → “5”\n"));
  g_assert_nonnull (strstr (text, "Line 2, “up__c”: “abc” → missing\n"));
  g_assert_nonnull (strstr (text, "\nData quality after the import:\n4 respondents in the "
                            "database\n"));

  rs_test_destroy_window ((GtkWindow **) &details);
}

/* A database without an import says so. */
static void
test_import_details_nothing (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->dir, "empty.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsStore) empty = rs_store_open (db, &error);
  RsImportDetailsWindow *details;

  g_assert_no_error (error);
  details = rs_import_details_window_new_for_store (fixture->parent, empty, 0);
  g_object_add_weak_pointer (G_OBJECT (details), (gpointer *) &details);
  gtk_window_present (GTK_WINDOW (details));
  g_assert_true (rs_test_wait_until (is_loaded, details, 10000));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (details), "Nothing Imported Yet"));
  g_assert_cmpuint (rs_import_details_window_get_n_change_groups (details), ==, 0);
  rs_test_destroy_window ((GtkWindow **) &details);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *documents = NULL;
  g_autofree char *user_dirs = NULL;

  rs_test_init (&argc, &argv);

  /* Documents, as the desktop names it. */
  documents = g_build_filename (g_get_home_dir (), "Documents", NULL);
  user_dirs = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "user-dirs.dirs", NULL);
  g_assert_cmpint (g_mkdir_with_parents (documents, 0700), ==, 0);
  g_assert_true (g_file_set_contents (user_dirs, "XDG_DOCUMENTS_DIR=\"$HOME/Documents\"\n",
                                      -1, NULL));

  rs_test_gtk_init_only ();

#define ADD(name, func) \
  g_test_add ("/import-details/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("open", test_import_details_open);
  ADD ("renamed", test_import_details_renamed);
  ADD ("copy", test_import_details_copy);
  ADD ("save", test_import_details_save);
  ADD ("changes", test_import_details_changes);
  ADD ("nothing", test_import_details_nothing);

#undef ADD

  return g_test_run ();
}
