/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-details"

#include "config.h"

#include <gdk/x11/gdkx.h>

#include "core/rs-import.h"
#include "core/rs-tracker.h"
#include "rs-details-window.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"

/* Correcting a respondent in their details window, by typing into its
 * fields: the keys go through the X server (XTEST, with xdotool) to the
 * focused field, as a keyboard's would. */

typedef struct
{
  char *dir;
  char *csv;
  RsStore *store;
  RsDetailsWindow *window;
} Fixture;

static const char master_csv[] =
  "name,function,company_name,email_address,version,up__r,up__c,up__f,up__v,up__a\n"
  "Ivo Bos,Planner,Polder Packaging B.V.,ivo.bos@example.com,Version 1.0 (eng),4,4,3,2,5\n"
  "Lena Öberg,CEO,Fjord & Fell AS,lena.oberg@example.net,Version 1.0 (eng),2,2,2,2,2\n";

static gint64
id_of (Fixture    *fixture,
       const char *person)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM respondent WHERE person = ?1", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, person, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (id, >, 0);

  return id;
}

/* The first column of the first row, as text. */
static char *
query (Fixture    *fixture,
       const char *sql,
       gint64      id)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return text;
}

#define assert_query(fixture, expected, sql, id) \
  G_STMT_START { \
    g_autofree char *_value = query (fixture, sql, id); \
    g_assert_cmpstr (_value, ==, expected); \
  } G_STMT_END

static void
set_status (Fixture    *fixture,
            gint64      id,
            const char *status)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE delivery SET status = '%s'"
                                          " WHERE respondent_id = %" G_GINT64_FORMAT,
                                          status, id);

  g_assert_true (rs_store_exec (rs_store_get_connection (fixture->store, NULL), sql, NULL));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_assert_true (g_file_set_contents (fixture->csv, master_csv, -1, NULL));

  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (fixture->csv);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 2);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_close_other_windows (NULL);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->csv);
}

static gboolean
loaded (gpointer data)
{
  return rs_details_window_get_loaded (data);
}

static void
open_details (Fixture    *fixture,
              const char *person)
{
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);

  fixture->window = rs_details_window_new (NULL, fixture->store, id_of (fixture, person));
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (loaded, fixture->window, 10000));
}

static gboolean
can_type (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is needed to type into the window");
      return FALSE;
    }
  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      g_test_skip ("typing needs an X display");
      return FALSE;
    }

  return TRUE;
}

static gboolean
child_exited (gpointer data)
{
  return *(int *) data >= 0;
}

static void
child_watch_cb (GPid     pid,
                int      status,
                gpointer user_data)
{
  *(int *) user_data = status;
  g_spawn_close_pid (pid);
}

/* Runs xdotool with @args on the window that has the focus in the X
 * server: the details window, given the focus first. The main loop runs
 * meanwhile, so the window takes the keys as they come. */
static void
xdotool (Fixture           *fixture,
         const char * const *args)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (fixture->window));
  g_autofree char *xid = g_strdup_printf ("%lu", gdk_x11_surface_get_xid (surface));
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;
  GPid pid;

  g_ptr_array_add (argv, (gpointer) "xdotool");
  g_ptr_array_add (argv, (gpointer) "windowfocus");
  g_ptr_array_add (argv, (gpointer) "--sync");
  g_ptr_array_add (argv, xid);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_async (NULL, (char **) argv->pdata, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  g_child_watch_add (pid, child_watch_cb, &status);
  g_assert_true (rs_test_wait_until (child_exited, &status, 20000));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* What the keys caused. */
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (5000);
      rs_test_iterate ();
    }
}

/* Puts the cursor in the field of @field, replaces what is there with
 * @text and presses Enter. */
static void
type_into (Fixture    *fixture,
           RsField     field,
           const char *text)
{
  GtkWidget *row = rs_details_window_get_field_row (fixture->window, field);
  /* `type` takes every argument after it as text. */
  const char *clear_and_type[] = { "key", "--clearmodifiers", "ctrl+a", "BackSpace",
                                   "type", "--delay", "5", text, NULL };
  const char *enter[] = { "key", "Return", NULL };

  g_assert_true (gtk_widget_grab_focus (row));
  xdotool (fixture, clear_and_type);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, text);
  xdotool (fixture, enter);
}

typedef struct
{
  Fixture *fixture;
  guint saves;
} SavesWait;

static gboolean
saved (gpointer data)
{
  SavesWait *wait = data;

  return rs_details_window_get_n_saves (wait->fixture->window) >= wait->saves;
}

/* Waits until @saves saves are done and the details read again after them. */
static void
wait_saved (Fixture *fixture,
            guint    saves)
{
  SavesWait wait = { fixture, saves };

  g_assert_true (rs_test_wait_until (saved, &wait, 30000));
  for (guint i = 0; i < 50 && !rs_details_window_get_loaded (fixture->window); i++)
    rs_test_iterate ();
  /* The reload that follows the save: nothing is left to run. */
  for (guint i = 0; i < 40; i++)
    {
      g_usleep (5000);
      rs_test_iterate ();
    }
}

static gboolean
error_shown (gpointer data)
{
  Fixture *fixture = data;

  return rs_details_window_get_field_error (fixture->window, RS_FIELD_EMAIL) != NULL;
}

static GtkWidget *find_button (GtkWidget  *root,
                               const char *label);


static gboolean
undo_shown (gpointer data)
{
  return find_button (data, "_Undo") != NULL;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && gtk_widget_get_mapped (child) &&
          g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      found = find_button (child, label);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The window says whom it shows; a bad address is refused with the reason
 * under the field; a good one is saved, with what the file says beside it;
 * Ctrl+Z and the toast's Undo put the old values back. */
static void
test_details_correct_by_typing (Fixture       *fixture,
                                gconstpointer  data)
{
  gint64 ivo;

  if (!can_type ())
    return;

  open_details (fixture, "Ivo Bos");
  ivo = id_of (fixture, "Ivo Bos");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==,
                   "Ivo Bos — Polder Packaging B.V.");
  g_assert_cmpstr (rs_details_window_get_heading (fixture->window), ==, "Ivo Bos");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rs_details_window_get_field_row (
                     fixture->window, RS_FIELD_EMAIL))), ==, "ivo.bos@example.com");
  g_assert_null (rs_details_window_get_file_says (fixture->window, RS_FIELD_EMAIL));

  /* A bad address: the reason under the field, nothing saved. */
  type_into (fixture, RS_FIELD_EMAIL, "ivo.bos at example.org");
  g_assert_true (rs_test_wait_until (error_shown, fixture, 10000));
  g_assert_nonnull (strstr (rs_details_window_get_field_error (fixture->window, RS_FIELD_EMAIL),
                            "“ivo.bos at example.org” is not a valid e-mail address"));
  assert_query (fixture, "ivo.bos@example.com", "SELECT email FROM respondent WHERE id = ?1",
                ivo);
  assert_query (fixture, "0", "SELECT count (*) FROM history WHERE respondent_id = ?1", ivo);
  g_assert_cmpuint (rs_details_window_get_n_saves (fixture->window), ==, 0);

  /* A good one. */
  type_into (fixture, RS_FIELD_EMAIL, "ivo.bos@example.org");
  wait_saved (fixture, 1);
  assert_query (fixture, "ivo.bos@example.org", "SELECT email FROM respondent WHERE id = ?1",
                ivo);
  g_assert_null (rs_details_window_get_field_error (fixture->window, RS_FIELD_EMAIL));
  g_assert_cmpstr (rs_details_window_get_file_says (fixture->window, RS_FIELD_EMAIL), ==,
                   "File says: ivo.bos@example.com");
  g_assert_cmpuint (rs_details_window_get_n_history (fixture->window), ==, 1);

  /* Ctrl+Z, with the cursor still in the field. */
  {
    const char *args[] = { "key", "--clearmodifiers", "ctrl+z", NULL };

    xdotool (fixture, args);
  }
  wait_saved (fixture, 2);
  assert_query (fixture, "ivo.bos@example.com", "SELECT email FROM respondent WHERE id = ?1",
                ivo);
  assert_query (fixture, "undone", "SELECT note FROM history WHERE respondent_id = ?1"
                " ORDER BY id DESC LIMIT 1", ivo);
  g_assert_null (rs_details_window_get_file_says (fixture->window, RS_FIELD_EMAIL));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rs_details_window_get_field_row (
                     fixture->window, RS_FIELD_EMAIL))), ==, "ivo.bos@example.com");
  g_assert_cmpuint (rs_details_window_get_n_history (fixture->window), ==, 2);

  /* The name, undone with the toast's Undo before the toast goes: the
   * toasts of the earlier changes are gone, this one is shown. */
  type_into (fixture, RS_FIELD_PERSON, "Ivo Bos-Janssen");
  g_assert_true (rs_test_wait_until (undo_shown, fixture->window, 30000));
  assert_query (fixture, "Ivo Bos-Janssen", "SELECT person FROM respondent WHERE id = ?1", ivo);
  g_assert_true (gtk_widget_activate (find_button (GTK_WIDGET (fixture->window), "_Undo")));
  wait_saved (fixture, 4);
  assert_query (fixture, "Ivo Bos", "SELECT person FROM respondent WHERE id = ?1", ivo);
  assert_query (fixture, "undone", "SELECT note FROM history WHERE respondent_id = ?1"
                " ORDER BY id DESC LIMIT 1", ivo);

  /* The function, then back to what the file says. */
  type_into (fixture, RS_FIELD_FUNCTION, "Head of Buying");
  wait_saved (fixture, 5);
  assert_query (fixture, "Head of Buying", "SELECT function FROM respondent WHERE id = ?1", ivo);
  g_assert_cmpstr (rs_details_window_get_file_says (fixture->window, RS_FIELD_FUNCTION), ==,
                   "File says: Planner");
  {
    GtkWidget *use = find_button (GTK_WIDGET (fixture->window), "_Use File Value");

    g_assert_nonnull (use);
    g_assert_true (gtk_widget_activate (use));
  }
  wait_saved (fixture, 6);
  assert_query (fixture, "Planner", "SELECT function FROM respondent WHERE id = ?1", ivo);
  assert_query (fixture, "back to what the master file says",
                "SELECT note FROM history WHERE respondent_id = ?1 ORDER BY id DESC LIMIT 1",
                ivo);

  /* The language. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (rs_details_window_get_field_row (
                                fixture->window, RS_FIELD_LANGUAGE)), 1);
  wait_saved (fixture, 7);
  assert_query (fixture, "nl", "SELECT language FROM respondent WHERE id = ?1", ivo);
  g_assert_cmpstr (rs_details_window_get_file_says (fixture->window, RS_FIELD_LANGUAGE), ==,
                   "File says: English");
  assert_query (fixture, "7", "SELECT count (*) FROM history WHERE respondent_id = ?1", ivo);
  g_assert_cmpuint (rs_details_window_get_n_history (fixture->window), ==, 7);
}

/* A re-import of the same file keeps the hand value and shows what the
 * file says; someone being sent cannot be corrected; someone sent to
 * their old address stays sent. */
static void
test_details_reimport_and_sending (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gint64 lena;

  if (!can_type ())
    return;

  lena = id_of (fixture, "Lena Öberg");
  set_status (fixture, lena, "sent");
  open_details (fixture, "Lena Öberg");

  /* Being sent while the window is open. */
  set_status (fixture, lena, "sending");
  type_into (fixture, RS_FIELD_EMAIL, "lena@example.org");
  g_assert_true (rs_test_wait_until (error_shown, fixture, 10000));
  g_assert_nonnull (strstr (rs_details_window_get_field_error (fixture->window, RS_FIELD_EMAIL),
                            "is being sent right now"));
  assert_query (fixture, "lena.oberg@example.net", "SELECT email FROM respondent WHERE id = ?1",
                lena);

  set_status (fixture, lena, "sent");
  type_into (fixture, RS_FIELD_EMAIL, "lena@example.org");
  wait_saved (fixture, 1);
  assert_query (fixture, "lena@example.org", "SELECT email FROM respondent WHERE id = ?1", lena);
  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = ?1", lena);

  /* The window’s title follows the name (typed in ASCII: xdotool cannot type
   * Ö on the bare X server). */
  type_into (fixture, RS_FIELD_PERSON, "Lena Oberg-Fjell");
  wait_saved (fixture, 2);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==,
                   "Lena Oberg-Fjell — Fjord & Fell AS");
  g_assert_cmpstr (rs_details_window_get_heading (fixture->window), ==, "Lena Oberg-Fjell");

  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 0);
  g_assert_cmpuint (summary->unchanged, ==, 2);

  open_details (fixture, "Lena Oberg-Fjell");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rs_details_window_get_field_row (
                     fixture->window, RS_FIELD_EMAIL))), ==, "lena@example.org");
  g_assert_cmpstr (rs_details_window_get_file_says (fixture->window, RS_FIELD_EMAIL), ==,
                   "File says: lena.oberg@example.net");

  /* Opened while being sent: nothing can be typed. */
  set_status (fixture, lena, "sending");
  open_details (fixture, "Lena Oberg-Fjell");
  g_assert_false (gtk_widget_get_sensitive (rs_details_window_get_field_row (fixture->window,
                                                                             RS_FIELD_EMAIL)));
}

int
main (int   argc,
      char *argv[])
{
  rs_test_gtk_init (&argc, &argv);

  g_test_add ("/details/correct-by-typing", Fixture, NULL,
              fixture_set_up, test_details_correct_by_typing, fixture_tear_down);
  g_test_add ("/details/reimport-and-sending", Fixture, NULL,
              fixture_set_up, test_details_reimport_and_sending, fixture_tear_down);

  return g_test_run ();
}
