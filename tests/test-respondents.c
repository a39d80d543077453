/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-respondents"

#include "config.h"

#include "core/rs-export.h"
#include "core/rs-import.h"
#include "core/rs-secret.h"
#include "core/rs-tracker.h"
#include "rs-application.h"
#include "rs-details-window.h"
#include "rs-test-cli.h"
#include "rs-test-gtk.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The table of respondents in a real window: search, filters, sorting,
 * marking by hand with undo, changes from another process, export. */

typedef struct
{
  char *dir;
  char *db;
  RsWindow *window;
  RsRespondentView *view;
} Fixture;

static RsApplication *app;

static const char master_csv[] =
  "name,function,company_name,email_address,version,up__r,up__c,up__f,up__v,up__a,in__r\n"
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo.bos@example.com,Version 1.0 (eng),4,4,3,2,5,3\n"
  "Anne-Marie Jansen,Planner,Polder Packaging B.V.,am.jansen@example.org,Versie 1.0 (nl),"
  "3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord & Fell AS,lena.oberg@example.net,Version 1.0 (eng),2,2,2,2,2,2\n"
  "Zoë de Vries,COO,Amstel Metaal N.V.,zoe@example.com,Versie 1.0 (nl),1,,,,,\n"
  "Bram Bosman,Analyst,Waal Bouw,not-an-address,Version 1.0 (eng),5,5,5,5,5,5\n"
  "Karin Dijkstra,Director,Hanze Farma,karin.dijkstra@example.com,Version 1.0 (eng),4,3,2,1,0,1\n";

static gint64
id_of (RsStore    *store,
       const char *email)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM respondent WHERE email = ?1", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (id, >, 0);

  return id;
}

static char *
query_text (RsStore    *store,
            const char *sql,
            gint64      id)
{
  sqlite3 *db = rs_store_get_connection (store, NULL);
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return text;
}

static gboolean
view_loaded (gpointer data)
{
  Fixture *fixture = data;

  return rs_respondent_view_get_loaded (fixture->view) &&
         rs_respondent_view_get_n_respondents (fixture->view) == 6;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));

  /* The database is made before the window, as by an earlier session. */
  store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv);
  summary = rs_import_file (store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 6);

  id = id_of (store, "lena.oberg@example.net");
  sent = rs_tracker_mark (store, &id, 1, RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);
  id = id_of (store, "karin.dijkstra@example.com");
  failed = rs_tracker_mark (store, &id, 1, RS_STATUS_FAILED, "bounced", &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  fixture->window = rs_window_new (app, fixture->db);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  fixture->view = rs_window_get_respondent_view (fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));

  g_assert_true (rs_test_wait_until (view_loaded, fixture, 10000));
  g_assert_cmpstr (rs_window_get_page_name (fixture->window), ==, "respondents");
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
  g_free (fixture->db);
}

static guint
n_visible (Fixture *fixture)
{
  return g_list_model_get_n_items (rs_respondent_view_get_visible (fixture->view));
}

static RsRespondent *
visible_item (Fixture *fixture,
              guint    position)
{
  GListModel *model = rs_respondent_view_get_visible (fixture->view);
  RsRespondent *item = g_list_model_get_item (model, position);

  /* The model keeps it alive; tests only look. */
  g_object_unref (item);
  return item;
}

static void
test_respondents_stats (Fixture       *fixture,
                        gconstpointer  data)
{
  g_assert_cmpuint (n_visible (fixture), ==, 6);
  g_assert_cmpstr (rs_respondent_view_get_stats_text (fixture->view), ==,
                   "6 respondents from 5 companies · Pending 4 · Sent 1 · Failed 1 · "
                   "Reports ready 0");
}

static void
test_respondents_search (Fixture       *fixture,
                         gconstpointer  data)
{
  /* Case- and accent-insensitive substring of company, person or e-mail. */
  rs_respondent_view_set_search_text (fixture->view, "BOS");
  g_assert_cmpuint (n_visible (fixture), ==, 2);

  rs_respondent_view_set_search_text (fixture->view, "oberg");
  g_assert_cmpuint (n_visible (fixture), ==, 1);
  g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 0)), ==, "Lena Öberg");

  rs_respondent_view_set_search_text (fixture->view, "zoe");
  g_assert_cmpuint (n_visible (fixture), ==, 1);

  rs_respondent_view_set_search_text (fixture->view, "polder packaging");
  g_assert_cmpuint (n_visible (fixture), ==, 2);

  rs_respondent_view_set_search_text (fixture->view, "example.org");
  g_assert_cmpuint (n_visible (fixture), ==, 1);

  rs_respondent_view_set_search_text (fixture->view, "nobody by this name");
  g_assert_cmpuint (n_visible (fixture), ==, 0);

  rs_respondent_view_set_search_text (fixture->view, "");
  g_assert_cmpuint (n_visible (fixture), ==, 6);
}

static void
test_respondents_filters (Fixture       *fixture,
                          gconstpointer  data)
{
  rs_respondent_view_set_filter (fixture->view, RS_VIEW_FILTER_PENDING);
  g_assert_cmpuint (n_visible (fixture), ==, 4);

  rs_respondent_view_set_filter (fixture->view, RS_VIEW_FILTER_SENT);
  g_assert_cmpuint (n_visible (fixture), ==, 1);
  g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 0)), ==, "Lena Öberg");

  rs_respondent_view_set_filter (fixture->view, RS_VIEW_FILTER_FAILED);
  g_assert_cmpuint (n_visible (fixture), ==, 1);
  g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 0)), ==, "Karin Dijkstra");

  /* Failed, the one with no valid address, and the one with too few scores
   * for a report. */
  rs_respondent_view_set_filter (fixture->view, RS_VIEW_FILTER_ATTENTION);
  g_assert_cmpuint (n_visible (fixture), ==, 3);
  g_assert_nonnull (strstr (rs_respondent_view_get_stats_text (fixture->view),
                            "3 of 6 respondents shown"));

  /* Filter and search together. */
  rs_respondent_view_set_search_text (fixture->view, "bosman");
  g_assert_cmpuint (n_visible (fixture), ==, 1);

  rs_respondent_view_set_search_text (fixture->view, "");
  rs_respondent_view_set_filter (fixture->view, RS_VIEW_FILTER_ALL);
  g_assert_cmpuint (n_visible (fixture), ==, 6);
}

typedef int (*Compare) (RsRespondent *a, RsRespondent *b);

static int
compare_company (RsRespondent *a, RsRespondent *b)
{
  return g_utf8_collate (rs_respondent_get_company (a), rs_respondent_get_company (b));
}

static int
compare_person (RsRespondent *a, RsRespondent *b)
{
  return g_utf8_collate (rs_respondent_get_person (a), rs_respondent_get_person (b));
}

static int
compare_email (RsRespondent *a, RsRespondent *b)
{
  return g_utf8_collate (rs_respondent_get_email (a), rs_respondent_get_email (b));
}

static int
compare_report (RsRespondent *a, RsRespondent *b)
{
  return (int) rs_respondent_get_report_state (a) - (int) rs_respondent_get_report_state (b);
}

static int
compare_status (RsRespondent *a, RsRespondent *b)
{
  return (int) rs_respondent_get_status (a) - (int) rs_respondent_get_status (b);
}

static int
compare_sent (RsRespondent *a, RsRespondent *b)
{
  return (rs_respondent_get_sent_at (a) > rs_respondent_get_sent_at (b)) -
         (rs_respondent_get_sent_at (a) < rs_respondent_get_sent_at (b));
}

static int
compare_mode (RsRespondent *a, RsRespondent *b)
{
  return g_strcmp0 (rs_respondent_get_mode (a) ? rs_respondent_get_mode (a) : "",
                    rs_respondent_get_mode (b) ? rs_respondent_get_mode (b) : "");
}

static int
compare_note (RsRespondent *a, RsRespondent *b)
{
  return g_utf8_collate (rs_respondent_get_note (a), rs_respondent_get_note (b));
}

static void
test_respondents_sort (Fixture       *fixture,
                       gconstpointer  data)
{
  static const Compare compare[] = {
    compare_company, compare_person, compare_email, compare_report, compare_status,
    compare_sent, compare_mode, compare_note,
  };
  GtkColumnView *column_view = rs_respondent_view_get_column_view (fixture->view);
  GListModel *columns = gtk_column_view_get_columns (column_view);

  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, G_N_ELEMENTS (compare));

  for (guint c = 0; c < G_N_ELEMENTS (compare); c++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, c);

      for (int direction = 0; direction < 2; direction++)
        {
          gtk_column_view_sort_by_column (column_view, column,
                                          direction ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
          rs_test_iterate ();
          g_assert_cmpuint (n_visible (fixture), ==, 6);

          for (guint i = 1; i < n_visible (fixture); i++)
            {
              int order = compare[c] (visible_item (fixture, i - 1), visible_item (fixture, i));

              if (direction)
                g_assert_cmpint (order, >=, 0);
              else
                g_assert_cmpint (order, <=, 0);
            }
        }
    }

  /* A sort that is not the id order, to be sure sorting happened. */
  {
    g_autoptr(GtkColumnViewColumn) person = g_list_model_get_item (columns, 1);

    gtk_column_view_sort_by_column (column_view, person, GTK_SORT_ASCENDING);
    rs_test_iterate ();
    g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 0)), ==,
                     "Anne-Marie Jansen");
    g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 5)), ==, "Zoë de Vries");
  }
}

static void
collect_row_text (GtkWidget *widget,
                  guint      position,
                  GString   *text)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (widget), "rs-list-item");

  if (GTK_IS_INSCRIPTION (widget) && item != NULL &&
      gtk_list_item_get_position (item) == position)
    g_string_append_printf (text, "%s|", gtk_inscription_get_text (GTK_INSCRIPTION (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_row_text (child, position, text);
}

/* The text of the cells in the row at @position, "|" after each. */
static char *
shown_row_text (Fixture *fixture,
                guint    position)
{
  GString *text = g_string_new (NULL);

  collect_row_text (GTK_WIDGET (rs_respondent_view_get_column_view (fixture->view)), position,
                    text);

  return g_string_free (text, FALSE);
}

static void
assert_rows_show_visible (Fixture *fixture)
{
  g_assert_cmpuint (n_visible (fixture), >, 0);

  for (guint i = 0; i < n_visible (fixture); i++)
    {
      RsRespondent *respondent = visible_item (fixture, i);
      g_autofree char *text = shown_row_text (fixture, i);
      g_autofree char *person = g_strconcat ("|", rs_respondent_get_person (respondent), "|",
                                             rs_respondent_get_email (respondent), "|", NULL);

      g_assert_nonnull (strstr (text, person));
    }
}

static gboolean
first_row_sent (gpointer data)
{
  g_autofree char *text = shown_row_text (data, 0);

  return strstr (text, "|Sent|") != NULL;
}

static void
test_respondents_cells_follow (Fixture       *fixture,
                               gconstpointer  data)
{
  GtkColumnView *column_view = rs_respondent_view_get_column_view (fixture->view);
  g_autoptr(GtkColumnViewColumn) person = NULL;

  rs_test_iterate ();
  assert_rows_show_visible (fixture);

  /* The rows stay and show other respondents. */
  person = g_list_model_get_item (gtk_column_view_get_columns (column_view), 1);
  gtk_column_view_sort_by_column (column_view, person, GTK_SORT_DESCENDING);
  rs_test_iterate ();
  g_assert_cmpstr (rs_respondent_get_person (visible_item (fixture, 0)), ==, "Zoë de Vries");
  assert_rows_show_visible (fixture);

  rs_respondent_view_set_search_text (fixture->view, "polder");
  rs_test_iterate ();
  g_assert_cmpuint (n_visible (fixture), ==, 2);
  assert_rows_show_visible (fixture);

  rs_respondent_view_set_search_text (fixture->view, "");
  rs_test_iterate ();
  g_assert_cmpuint (n_visible (fixture), ==, 6);
  assert_rows_show_visible (fixture);

  /* A respondent changes in place: the row's cells show it. */
  {
    RsStore *store = rs_window_get_store (fixture->window);
    gint64 id = id_of (store, "zoe@example.com");
    g_autoptr(GPtrArray) snapshots = NULL;
    g_autoptr(GError) error = NULL;

    snapshots = rs_tracker_mark (store, &id, 1, RS_STATUS_SENT, NULL, &error);
    g_assert_no_error (error);
    rs_respondent_view_refresh (fixture->view);
    g_assert_true (rs_test_wait_until (first_row_sent, fixture, 10000));
    g_assert_cmpint (rs_respondent_get_id (visible_item (fixture, 0)), ==, id);
    assert_rows_show_visible (fixture);
  }
}

typedef struct
{
  Fixture *fixture;
  gint64 id;
  const char *status;
} StatusWait;

static gboolean
status_is (gpointer data)
{
  StatusWait *wait = data;
  RsStore *store = rs_window_get_store (wait->fixture->window);
  g_autofree char *status = query_text (store,
                                        "SELECT status FROM delivery WHERE respondent_id = ?1",
                                        wait->id);

  return g_strcmp0 (status, wait->status) == 0;
}

static gboolean
shown_status_is (gpointer data)
{
  StatusWait *wait = data;
  GListModel *model = rs_respondent_view_get_visible (wait->fixture->view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RsRespondent) item = g_list_model_get_item (model, i);

      if (rs_respondent_get_id (item) == wait->id)
        return g_strcmp0 (rs_status_to_string (rs_respondent_get_status (item)),
                          wait->status) == 0;
    }

  return FALSE;
}

/* Export from the window: with a search, the chooser offers the respondents
 * shown (test-export-flow shows that without one it does not ask). */
static void
test_respondents_export_view (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GListModel) filters = NULL;
  GtkFileChooser *chooser;

  rs_respondent_view_set_search_text (fixture->view, "polder");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export", NULL));
  chooser = rs_window_get_export_chooser (fixture->window);
  g_assert_nonnull (chooser);
  g_assert_cmpstr (gtk_file_chooser_get_choice (chooser, "respondents"), ==, "shown");
  /* Filters name the files, instead of an empty "(None)": CSV and Excel. */
  filters = gtk_file_chooser_get_filters (chooser);
  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, 2);
  /* A second Ctrl+E finds the first chooser open. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export", NULL));
  g_assert_true (rs_window_get_export_chooser (fixture->window) == chooser);
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  rs_test_iterate ();
  g_assert_null (rs_window_get_export_chooser (fixture->window));

  rs_respondent_view_set_search_text (fixture->view, "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.export", NULL));
  chooser = rs_window_get_export_chooser (fixture->window);
  g_assert_nonnull (chooser);
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  rs_test_iterate ();
}

/* A button of @root whose label (with its mnemonic) is @label. */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_BUTTON (w) && gtk_widget_get_mapped (w) &&
        g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0)
      return w;

  return NULL;
}

static void
test_respondents_mark_and_undo (Fixture       *fixture,
                                gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 ids[2] = {
    id_of (store, "ivo.bos@example.com"),
    id_of (store, "am.jansen@example.org"),
  };
  StatusWait first = { fixture, ids[0], "sent" };
  StatusWait second = { fixture, ids[1], "sent" };
  g_autoptr(GArray) selected = NULL;
  g_autofree char *note = NULL;
  g_autofree char *history = NULL;
  g_autofree char *manual = NULL;
  GtkWindow *dialog;
  GtkWidget *undo;

  rs_respondent_view_select_ids (fixture->view, ids, 2);
  selected = rs_respondent_view_get_selected_ids (fixture->view);
  g_assert_cmpuint (selected->len, ==, 2);

  /* The action asks for a note first. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.mark-sent", NULL));
  rs_test_iterate ();
  dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog))),
                         "confirmed by phone");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "mark");

  g_assert_true (rs_test_wait_until (status_is, &first, 10000));
  g_assert_true (rs_test_wait_until (status_is, &second, 10000));
  g_assert_true (rs_test_wait_until (shown_status_is, &first, 10000));
  g_assert_true (rs_test_wait_until (shown_status_is, &second, 10000));

  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&note, g_free);
      g_clear_pointer (&history, g_free);
      g_clear_pointer (&manual, g_free);
      note = query_text (store, "SELECT note FROM delivery WHERE respondent_id = ?1", ids[i]);
      manual = query_text (store, "SELECT manually_updated FROM delivery WHERE respondent_id = ?1",
                           ids[i]);
      history = query_text (store,
                            "SELECT count (*) || ':' || group_concat (from_status || '>' ||"
                            " to_status || '/' || by || '/' || note) FROM history"
                            " WHERE respondent_id = ?1",
                            ids[i]);
      g_assert_cmpstr (note, ==, "confirmed by phone");
      g_assert_cmpstr (manual, ==, "1");
      g_assert_cmpstr (history, ==, "1:pending>sent/manual/confirmed by phone");
    }

  /* The selection survived the update. */
  g_clear_pointer (&selected, g_array_unref);
  selected = rs_respondent_view_get_selected_ids (fixture->view);
  g_assert_cmpuint (selected->len, ==, 2);

  /* The toast's Undo can be clicked: its action is one the toast reaches. */
  undo = find_button (GTK_WIDGET (fixture->window), "_Undo");
  g_assert_nonnull (undo);
  g_assert_true (gtk_widget_is_sensitive (undo));
  g_assert_true (gtk_widget_activate (undo));
  first.status = "pending";
  second.status = "pending";
  g_assert_true (rs_test_wait_until (status_is, &first, 10000));
  g_assert_true (rs_test_wait_until (status_is, &second, 10000));
  g_assert_true (rs_test_wait_until (shown_status_is, &first, 10000));

  g_clear_pointer (&note, g_free);
  g_clear_pointer (&history, g_free);
  note = query_text (store, "SELECT note FROM delivery WHERE respondent_id = ?1", ids[0]);
  history = query_text (store, "SELECT count (*) FROM history WHERE respondent_id = ?1", ids[0]);
  g_assert_cmpstr (note, ==, "");
  g_assert_cmpstr (history, ==, "2");
}

static void
test_respondents_other_process (Fixture       *fixture,
                                gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 id = id_of (store, "zoe@example.com");
  g_autofree char *option = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_auto(RsCliResult) result = { 0 };
  StatusWait wait = { fixture, id, "failed" };

  rs_test_run_cli (&result, option, "mark", id_text, "--status=failed", "--note=from the shell",
                   NULL);
  g_assert_cmpint (result.status, ==, 0);

  /* Shown without anything done here (how soon is bench-window's to say). */
  g_assert_true (rs_test_wait_until (shown_status_is, &wait, 10000));
  g_assert_nonnull (strstr (rs_respondent_view_get_stats_text (fixture->view), "Failed 2"));
}

typedef struct
{
  const char *path;
  const char *text;
} FileWait;

static gboolean
file_holds (gpointer data)
{
  FileWait *wait = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (wait->path, &text, NULL, NULL) && g_str_equal (text, wait->text);
}

static void
test_respondents_export (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (rs_export_status (rs_window_get_store (fixture->window), memory, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (memory, "", 1, NULL, NULL, NULL);
  expected = g_strdup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)));

  rs_window_export (fixture->window, file);
  /* The file is there as soon as the worker begins to write it. */
  {
    FileWait wait = { path, expected };

    rs_test_wait_until (file_holds, &wait, 10000);
  }
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, expected);
  g_assert_true (g_str_has_prefix (written, RS_EXPORT_STATUS_HEADER "\n"));
  /* Header and six respondents; Karin was marked failed with one history row. */
  g_assert_nonnull (strstr (written, "Karin Dijkstra,karin.dijkstra@example.com,failed,"));
  g_assert_nonnull (strstr (written, ",bounced,1,"));
}

static GtkWindow *
wait_for_dialog (void)
{
  GtkWindow *dialog = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while ((dialog = rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  return dialog;
}

/* A file that cannot be written: the window says so, and names the file. */
static void
test_respondents_export_fails (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "no-such-folder", "export.csv",
                                            NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWindow *dialog;

  rs_window_export (fixture->window, file);
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Could Not Export the Status");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "export.csv"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static gboolean
window_idle (gpointer data)
{
  Fixture *fixture = data;

  return !rs_window_get_busy (fixture->window);
}

/* The counts and the rows are loaded one after the other, so that a report
 * made in between shows in the counts first and in its row at the next
 * load: both must show the five. */
static gboolean
reports_shown (gpointer data)
{
  Fixture *fixture = data;
  GListModel *model = rs_respondent_view_get_visible (fixture->view);
  guint ready = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RsRespondent) item = g_list_model_get_item (model, i);

      if (rs_respondent_get_report_state (item) == RS_REPORT_READY)
        ready++;
    }

  return ready == 5 &&
         strstr (rs_respondent_view_get_stats_text (fixture->view), "Reports ready 5") != NULL;
}

static void
test_respondents_generate (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);
  GListModel *model = rs_respondent_view_get_visible (fixture->view);
  guint ready = 0;
  guint not_possible = 0;

  g_settings_set_string (settings, "reports-folder", folder);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.generate-reports", NULL));
  g_assert_true (rs_window_get_busy (fixture->window));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 60000));
  g_assert_true (rs_test_wait_until (reports_shown, fixture, 10000));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RsRespondent) item = g_list_model_get_item (model, i);

      if (rs_respondent_get_report_state (item) == RS_REPORT_READY)
        {
          ready++;
          g_assert_true (g_str_has_prefix (rs_respondent_get_report_path (item), folder));
          g_assert_true (g_file_test (rs_respondent_get_report_path (item),
                                      G_FILE_TEST_IS_REGULAR));
        }
      else if (rs_respondent_get_report_state (item) == RS_REPORT_NOT_POSSIBLE)
        not_possible++;
    }
  /* Zoë has one score of fifteen. */
  g_assert_cmpuint (ready, ==, 5);
  g_assert_cmpuint (not_possible, ==, 1);

  g_settings_reset (settings, "reports-folder");
}

static gboolean
details_ready (gpointer data)
{
  RsDetailsWindow *details = data;

  return rs_details_window_get_loaded (details) &&
         rs_details_window_get_n_report_pages (details) > 0;
}

static void
test_respondents_details (Fixture       *fixture,
                          gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 id = id_of (store, "karin.dijkstra@example.com");
  RsDetailsWindow *details;

  rs_respondent_view_select_ids (fixture->view, &id, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view),
                                             "respondents.show-details", NULL));
  rs_test_iterate ();
  details = RS_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_DETAILS_WINDOW));
  g_assert_nonnull (details);
  g_assert_true (rs_test_wait_until (details_ready, details, 10000));

  /* Marked failed with a note when the fixture was made: one history row.
   * The master file had 11 columns; the report has one page. */
  g_assert_cmpuint (rs_details_window_get_n_history (details), ==, 1);
  g_assert_cmpuint (rs_details_window_get_n_source_columns (details), ==, 11);
  g_assert_cmpuint (rs_details_window_get_n_report_pages (details), ==, 1);
}

static gboolean
email_shown (gpointer data)
{
  const char *subject = rs_details_window_get_email_subject (data);

  return subject != NULL && subject[0] != '\0';
}

static void
test_respondents_email_preview (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 id = id_of (store, "lena.oberg@example.net");
  RsDetailsWindow *details;

  g_settings_set_string (settings, "from-address", "scan@example.com");
  g_settings_set_string (settings, "from-name", "Scan Team <& Co>");
  g_settings_set_string (settings, "template-subject-en", "Report for {name} at {company}");

  rs_respondent_view_select_ids (fixture->view, &id, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view),
                                             "respondents.show-details", NULL));
  rs_test_iterate ();
  details = RS_DETAILS_WINDOW (rs_test_find_window (RS_TYPE_DETAILS_WINDOW));
  g_assert_nonnull (details);
  g_assert_true (rs_test_wait_until (email_shown, details, 10000));

  /* Exactly what the send job would compose for her. */
  g_assert_cmpstr (rs_details_window_get_email_subject (details), ==,
                   "Report for Lena Öberg at Fjord & Fell AS");

  g_settings_reset (settings, "from-address");
  g_settings_reset (settings, "from-name");
  g_settings_reset (settings, "template-subject-en");
}

/* Sending to @url without TLS, test messages to me@example.org, no rate
 * limit, once everyone's report is made. */
static void
set_up_sending (Fixture    *fixture,
                const char *url)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *folder = g_build_filename (fixture->dir, "Reports", NULL);

  g_settings_set_string (settings, "reports-folder", folder);
  g_settings_set_string (settings, "smtp-url", url);
  g_settings_set_string (settings, "smtp-security", "none");
  g_settings_set_string (settings, "from-address", "scan@example.com");
  g_settings_set_string (settings, "test-address", "me@example.org");
  g_settings_set_uint (settings, "rate-limit", 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.generate-reports", NULL));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 60000));
}

static void
tear_down_sending (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  const char *keys[] = {
    "reports-folder", "smtp-url", "smtp-security", "from-address", "test-address",
    "rate-limit",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

static void
test_respondents_send (Fixture       *fixture,
                       gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  StatusWait ivo = { fixture, id_of (store, "ivo.bos@example.com"), "sent" };
  StatusWait anne = { fixture, id_of (store, "am.jansen@example.org"), "sent" };
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);

  /* A test sample of the selected first: to the test address, no status
   * changes. */
  rs_respondent_view_select_ids (fixture->view, (gint64[]) { ivo.id, anne.id }, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send 2 Test Messages?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_window_get_busy (fixture->window));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (rs_test_server_count (&server, "\"me@example.org\""), ==, 2);
  g_assert_false (status_is (&ivo));
  rs_test_iterate ();

  /* Then for real: the summary names how many real recipients. */
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-live",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send the Reports to 2 Respondents?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "Skipped: 4"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));

  g_assert_true (status_is (&ivo));
  g_assert_true (status_is (&anne));
  g_assert_true (rs_test_wait_until (shown_status_is, &ivo, 10000));
  g_assert_true (rs_test_wait_until (shown_status_is, &anne, 10000));
  g_assert_cmpuint (rs_test_server_count (&server, "\"ivo.bos@example.com\""), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"am.jansen@example.org\""), ==, 1);

  rs_test_server_stop (&server);
  tear_down_sending ();
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
      return w;

  return NULL;
}

static gboolean
stats_say_unknown (gpointer data)
{
  Fixture *fixture = data;

  return strstr (rs_respondent_view_get_stats_text (fixture->view), "Unknown 1") != NULL;
}

/* A send in another process died and left a record `sending`: the open
 * window turns it into `unknown` once it sees it, and says so. */
static void
test_respondents_stale_sending (Fixture       *fixture,
                                gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  StatusWait ivo = { fixture, id_of (store, "ivo.bos@example.com"), "unknown" };
  sqlite3 *db = rs_store_get_connection (store, NULL);
  g_autofree char *sql = g_strdup_printf ("UPDATE delivery SET status = 'sending'"
                                          " WHERE respondent_id = %" G_GINT64_FORMAT, ivo.id);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  rs_respondent_view_refresh (fixture->view);
  g_assert_true (rs_test_wait_until (status_is, &ivo, 10000));
  g_assert_true (rs_test_wait_until (stats_say_unknown, fixture, 10000));
}

static gboolean
undo_shown (gpointer data)
{
  return find_button (data, "_Undo") != NULL;
}

/* Without a selection, a test is one sample message, not the whole round;
 * a live send of the selected sends to them only. */
static void
test_respondents_send_selected (Fixture       *fixture,
                                gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  StatusWait ivo = { fixture, id_of (store, "ivo.bos@example.com"), "sent" };
  StatusWait anne = { fixture, id_of (store, "am.jansen@example.org"), "pending" };
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send 1 Test Message?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "No limit on messages a minute."));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (rs_test_server_count (&server, "\"me@example.org\""), ==, 1);
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));

  rs_respondent_view_select_ids (fixture->view, &ivo.id, 1);
  rs_test_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-selected",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send the Report to 1 Respondent?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_true (status_is (&ivo));
  g_assert_true (status_is (&anne));
  g_assert_cmpuint (rs_test_server_count (&server, "\"ivo.bos@example.com\""), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&server, "\"am.jansen@example.org\""), ==, 0);

  /* The round's result stays a while; a mark's Undo still shows at once. */
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->window), "Sent: 1."));
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));

  /* A test message of someone already sent goes to the tester and leaves
   * them sent. */
  rs_respondent_view_select_ids (fixture->view, &ivo.id, 1);
  rs_test_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send 1 Test Message?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (rs_test_server_count (&server, "\"me@example.org\""), ==, 2);
  g_assert_true (status_is (&ivo));
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  rs_respondent_view_select_ids (fixture->view, &ivo.id, 1);
  rs_test_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.mark-failed",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "mark");
  ivo.status = "failed";
  g_assert_true (rs_test_wait_until (status_is, &ivo, 10000));
  g_assert_true (rs_test_wait_until (undo_shown, fixture->window, 10000));

  /* Failed now: the row no longer shows when it was sent, nor how. */
  g_assert_true (rs_test_wait_until (shown_status_is, &ivo, 10000));
  {
    g_autofree char *row = NULL;

    for (guint i = 0; i < n_visible (fixture); i++)
      if (rs_respondent_get_id (visible_item (fixture, i)) == ivo.id)
        row = shown_row_text (fixture, i);
    g_assert_nonnull (row);
    /* Status, then Sent, Mode and Note, all empty */
    g_assert_true (g_str_has_suffix (row, "|Failed||||"));
  }

  rs_test_server_stop (&server);
  tear_down_sending ();
}

/* Once nobody is left to send, a test message still takes one sample: a
 * test changes no status. */
static void
test_respondents_sample_after_round (Fixture       *fixture,
                                     gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 ids[2] = {
    id_of (store, "ivo.bos@example.com"),
    id_of (store, "am.jansen@example.org"),
  };
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  marked = rs_tracker_mark (store, ids, 2, RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);
  rs_test_server_start (&server, NULL);
  set_up_sending (fixture, server.url);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Send 1 Test Message?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  g_assert_cmpuint (rs_test_server_count (&server, "\"me@example.org\""), ==, 1);

  rs_test_server_stop (&server);
  tear_down_sending ();
}

static gboolean
server_has_connected (gpointer data)
{
  return rs_test_server_count (data, "\"event\": \"connect\"") > 0;
}

/* Stop during a round: the result says so, with the counts of what was
 * done, rather than an error. */
static void
test_respondents_stop_sending (Fixture       *fixture,
                               gconstpointer  data)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 ids[2] = {
    id_of (store, "ivo.bos@example.com"),
    id_of (store, "am.jansen@example.org"),
  };
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  rs_test_server_start (&server, "--delay", "1", NULL);
  set_up_sending (fixture, server.url);

  rs_respondent_view_select_ids (fixture->view, ids, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-selected",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (server_has_connected, &server, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-job",
                                             NULL));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
  rs_test_iterate ();

  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->window),
                                        "Sending stopped. Sent: 1."));
  g_assert_null (rs_test_find_window (ADW_TYPE_MESSAGE_DIALOG));

  rs_test_server_stop (&server);
  tear_down_sending ();
}

static gboolean
window_gone (gpointer data)
{
  Fixture *fixture = data;

  return fixture->window == NULL;
}

/* Closing the window while sending asks first; Keep Sending goes on, Stop
 * Sending ends the round after the message in flight and then closes: no
 * record is left `sending` or becomes `unknown`. */
static void
test_respondents_close_while_sending (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autofree char *db = g_strdup (fixture->db);
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 ids[2] = {
    id_of (store, "ivo.bos@example.com"),
    id_of (store, "am.jansen@example.org"),
  };
  g_autoptr(RsStore) after = NULL;
  g_autofree char *left = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *pending = NULL;
  g_autoptr(GError) error = NULL;
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  rs_test_server_start (&server, "--delay", "3", NULL);
  set_up_sending (fixture, server.url);

  rs_respondent_view_select_ids (fixture->view, ids, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-selected",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "send");
  g_assert_true (rs_window_get_busy (fixture->window));
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));

  gtk_window_close (GTK_WINDOW (fixture->window));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (fixture->window);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Stop Sending?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  rs_test_iterate ();
  g_assert_nonnull (fixture->window);
  g_assert_true (rs_window_get_busy (fixture->window));

  gtk_window_close (GTK_WINDOW (fixture->window));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "stop");
  g_assert_true (rs_test_wait_until (window_gone, fixture, 30000));

  after = rs_store_open (db, &error);
  g_assert_no_error (error);
  left = query_text (after, "SELECT count (*) FROM delivery WHERE status IN"
                     " ('sending', 'unknown') AND respondent_id > ?1", 0);
  g_assert_cmpstr (left, ==, "0");
  /* The message in flight was finished and is recorded as sent; the round
   * stopped before the other one. */
  sent = query_text (after, "SELECT status FROM delivery WHERE respondent_id = ?1", ids[0]);
  pending = query_text (after, "SELECT status FROM delivery WHERE respondent_id = ?1", ids[1]);
  g_assert_cmpstr (sent, ==, "sent");
  g_assert_cmpstr (pending, ==, "pending");
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"message\""), ==, 1);

  rs_test_server_stop (&server);
  tear_down_sending ();
}

/* A test round, typing @password when the summary asks for it. */
static void
send_test_with_password (Fixture    *fixture,
                         const char *password)
{
  RsStore *store = rs_window_get_store (fixture->window);
  gint64 ids[2] = {
    id_of (store, "ivo.bos@example.com"),
    id_of (store, "am.jansen@example.org"),
  };
  GtkWindow *dialog;
  GtkWidget *entry;

  rs_respondent_view_select_ids (fixture->view, ids, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  entry = find_type (GTK_WIDGET (dialog), GTK_TYPE_PASSWORD_ENTRY);
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entry));
  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  /* Enter in the entry sends, and the summary goes (a message about the
   * result may come up quickly after it). */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (rs_test_wait_until (rs_test_pointer_is_null, &dialog, 10000));
  g_assert_true (rs_test_wait_until (window_idle, fixture, 30000));
}

/* Not set up: it says what to set. Without a Secret Service to ask, the
 * summary asks for the password: a wrong one stops sending with the reason,
 * the right one signs in and sends. */
static void
test_respondents_send_password (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  RsTestServer server = { 0 };
  GtkWindow *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.send-test",
                                             NULL));
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Sending Is Not Set Up");
  g_assert_false (rs_window_get_busy (fixture->window));
  gtk_window_destroy (dialog);
  rs_test_iterate ();

  rs_test_server_start (&server, "--user", "scan@example.com", "--password", "Pw-in-dialog",
                        NULL);
  kept = rs_secret_lookup (server.url, "scan@example.com", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (kept);

  g_settings_set_string (settings, "smtp-user", "scan@example.com");
  set_up_sending (fixture, server.url);

  /* A wrong password: the job stops and says why; nothing is sent. */
  send_test_with_password (fixture, "not-the-password");
  dialog = wait_for_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Sending Stopped");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "refused the user name or password"));
  g_assert_null (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                         "not-the-password"));
  g_assert_cmpuint (rs_test_server_count (&server, "\"event\": \"message\""), ==, 0);
  gtk_window_destroy (dialog);
  rs_test_iterate ();

  send_test_with_password (fixture, "Pw-in-dialog");
  g_assert_cmpuint (rs_test_server_count (&server, "\"me@example.org\""), ==, 2);

  rs_test_server_stop (&server);
  g_settings_reset (settings, "smtp-user");
  tear_down_sending ();
}

static GtkInscription *
find_cell (GtkWidget  *root,
           const char *text)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_INSCRIPTION (w) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (w)),
                                             text) == 0)
      return GTK_INSCRIPTION (w);

  return NULL;
}

/* A respondent flagged at import is marked in the table, not by colour
 * alone, and the mark explains itself on hover. */
static void
test_respondents_flagged (Fixture       *fixture,
                          gconstpointer  data)
{
  GtkWidget *table = GTK_WIDGET (rs_respondent_view_get_column_view (fixture->view));
  GtkInscription *flagged;
  GtkInscription *fine;
  const char *tooltip;

  rs_test_iterate ();
  flagged = find_cell (table, "⚠ Waal Bouw");
  g_assert_nonnull (flagged);
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (flagged));
  g_assert_nonnull (tooltip);
  g_assert_true (g_str_has_prefix (tooltip, "Cannot be sent: "));
  g_assert_nonnull (strstr (tooltip, "e-mail"));

  fine = find_cell (table, "Hanze Farma");
  g_assert_nonnull (fine);
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (fine)));

  /* Rows show other respondents after a search: the mark goes with Bram. */
  rs_respondent_view_set_search_text (fixture->view, "hanze");
  rs_test_iterate ();
  g_assert_null (find_cell (table, "⚠ Waal Bouw"));
  fine = find_cell (table, "Hanze Farma");
  g_assert_nonnull (fine);
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (fine)));
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
  char *app_argv[] = { argv[0], NULL };
  int status = 1;

  rs_test_gtk_init (&argc, &argv);

  g_test_add ("/respondents/stats", Fixture, NULL,
              fixture_set_up, test_respondents_stats, fixture_tear_down);
  g_test_add ("/respondents/flagged", Fixture, NULL,
              fixture_set_up, test_respondents_flagged, fixture_tear_down);
  g_test_add ("/respondents/search", Fixture, NULL,
              fixture_set_up, test_respondents_search, fixture_tear_down);
  g_test_add ("/respondents/filters", Fixture, NULL,
              fixture_set_up, test_respondents_filters, fixture_tear_down);
  g_test_add ("/respondents/sort", Fixture, NULL,
              fixture_set_up, test_respondents_sort, fixture_tear_down);
  g_test_add ("/respondents/cells-follow", Fixture, NULL,
              fixture_set_up, test_respondents_cells_follow, fixture_tear_down);
  g_test_add ("/respondents/mark-and-undo", Fixture, NULL,
              fixture_set_up, test_respondents_mark_and_undo, fixture_tear_down);
  g_test_add ("/respondents/other-process", Fixture, NULL,
              fixture_set_up, test_respondents_other_process, fixture_tear_down);
  g_test_add ("/respondents/details", Fixture, NULL,
              fixture_set_up, test_respondents_details, fixture_tear_down);
  g_test_add ("/respondents/email-preview", Fixture, NULL,
              fixture_set_up, test_respondents_email_preview, fixture_tear_down);
  g_test_add ("/respondents/generate", Fixture, NULL,
              fixture_set_up, test_respondents_generate, fixture_tear_down);
  g_test_add ("/respondents/send", Fixture, NULL,
              fixture_set_up, test_respondents_send, fixture_tear_down);
  g_test_add ("/respondents/send-selected", Fixture, NULL,
              fixture_set_up, test_respondents_send_selected, fixture_tear_down);
  g_test_add ("/respondents/close-while-sending", Fixture, NULL,
              fixture_set_up, test_respondents_close_while_sending, fixture_tear_down);
  g_test_add ("/respondents/sample-after-round", Fixture, NULL,
              fixture_set_up, test_respondents_sample_after_round, fixture_tear_down);
  g_test_add ("/respondents/stop-sending", Fixture, NULL,
              fixture_set_up, test_respondents_stop_sending, fixture_tear_down);
  g_test_add ("/respondents/stale-sending", Fixture, NULL,
              fixture_set_up, test_respondents_stale_sending, fixture_tear_down);
  g_test_add ("/respondents/send-password", Fixture, NULL,
              fixture_set_up, test_respondents_send_password, fixture_tear_down);
  g_test_add ("/respondents/export", Fixture, NULL,
              fixture_set_up, test_respondents_export, fixture_tear_down);
  g_test_add ("/respondents/export-view", Fixture, NULL,
              fixture_set_up, test_respondents_export_view, fixture_tear_down);
  g_test_add ("/respondents/export-fails", Fixture, NULL,
              fixture_set_up, test_respondents_export_fails, fixture_tear_down);

  app = rs_application_new ("/nonexistent/unused.db");
  g_signal_connect (app, "activate", G_CALLBACK (run_tests_cb), &status);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);

  return status;
}
