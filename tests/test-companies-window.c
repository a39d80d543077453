/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-companies-window"

#include "config.h"

#include <glib/gstdio.h>

#include "core/rs-companies.h"
#include "core/rs-tracker.h"
#include "rs-application.h"
#include "rs-companies-window.h"
#include "rs-test-gtk.h"
#include "rs-test-util.h"
#include "rs-window.h"

/* The Companies window over the real main window and a real database:
 * opened by the window's action, it lists companies, their names and the
 * proposals; Merge, Keep Apart and Split change the database in a worker
 * and the main window's count of companies follows. */

typedef struct
{
  char *dir;
  RsWindow *window;
  RsCompaniesWindow *companies;
} Fixture;

static RsApplication *app;

#define HEADER "name,company_name,email_address,up__r,up__c,up__f,up__v,up__a\n"

static const char master_csv[] =
  HEADER
  "Ivo Bos,Acme B.V.,ivo@example.com,4,4,4,4,4\n"
  "Piet Smit,acme b.v.,piet@example.com,3,3,3,3,3\n"
  "Anne Jansen,ACME BV,anne@example.org,2,2,2,2,2\n"
  "Lena Berg,Noord Logistics,lena@example.net,2,2,2,2,2\n"
  "Sam Vos,Noord Logistcs,sam@example.net,3,3,3,3,3\n"
  "Zoë Kok,ABC,zoe@example.net,2,2,2,2,2\n"
  "Tom Kok,ABD,tom@example.net,2,2,2,2,2\n";

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
  if (fixture->companies != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->companies);
  rs_test_close_other_windows (GTK_WINDOW (fixture->window));
  if (fixture->window != NULL)
    rs_test_destroy_window ((GtkWindow **) &fixture->window);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
import_finished (gpointer data)
{
  return !rs_window_get_busy (data) &&
         g_strcmp0 (rs_window_get_page_name (data), "respondents") == 0;
}

static gboolean
store_open (gpointer data)
{
  return rs_window_get_store (data) != NULL;
}

static gboolean
companies_loaded (gpointer data)
{
  return rs_companies_window_get_companies (data) != NULL &&
         !rs_companies_window_get_busy (data);
}

typedef struct
{
  RsCompaniesWindow *window;
  guint companies;
  guint proposals;
} Expected;

static gboolean
companies_are (gpointer data)
{
  Expected *expected = data;
  const RsCompanies *companies = rs_companies_window_get_companies (expected->window);

  return companies != NULL && !rs_companies_window_get_busy (expected->window) &&
         companies->companies->len == expected->companies &&
         companies->proposals->len == expected->proposals;
}

typedef struct
{
  RsWindow *window;
  const char *prefix;
} Status;

static gboolean
status_starts_with (gpointer data)
{
  Status *status = data;

  return g_str_has_prefix (rs_window_get_status_text (status->window), status->prefix);
}

static void
import_master (Fixture *fixture)
{
  g_autofree char *csv = g_build_filename (fixture->dir, "master.csv", NULL);

  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  g_assert_true (rs_test_wait_until (store_open, fixture->window, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.import-file",
                                             "s", csv));
  g_assert_true (rs_test_wait_until (import_finished, fixture->window, 20000));
}

static void
open_companies (Fixture *fixture)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-companies",
                                             NULL));
  fixture->companies = RS_COMPANIES_WINDOW (rs_test_find_window (RS_TYPE_COMPANIES_WINDOW));
  g_assert_nonnull (fixture->companies);
  g_object_add_weak_pointer (G_OBJECT (fixture->companies), (gpointer *) &fixture->companies);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (fixture->companies)) ==
                 GTK_WINDOW (fixture->window));
  g_assert_true (rs_test_wait_until (companies_loaded, fixture->companies, 10000));
}

/* The label on screen that reads @text: a list keeps rows it no longer
 * shows. */
static GtkLabel *
find_shown_label (GtkWidget  *root,
                  const char *text)
{
  for (GtkWidget *w = root; w != NULL; w = rs_test_next_widget (w, root))
    if (GTK_IS_LABEL (w) && g_str_equal (gtk_label_get_text (GTK_LABEL (w)), text) &&
        gtk_widget_get_mapped (w))
      return GTK_LABEL (w);

  return NULL;
}

/* The button labelled @label next to the label that reads @text. */
static GtkWidget *
button_after (GtkWidget  *root,
              const char *text,
              const char *label)
{
  GtkLabel *found = find_shown_label (root, text);
  GtkWidget *row;

  g_assert_nonnull (found);
  /* title and subtitle are in a box; the buttons follow it */
  row = gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (found)));
  for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_BUTTON (child) && g_str_equal (gtk_button_get_label (GTK_BUTTON (child)), label))
      return child;

  return NULL;
}

/* As a click does, at once (activating a button waits for its animation) */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
test_companies_window_empty (Fixture       *fixture,
                             gconstpointer  data)
{
  const RsCompanies *companies;

  g_assert_true (rs_test_wait_until (store_open, fixture->window, 10000));
  open_companies (fixture);
  companies = rs_companies_window_get_companies (fixture->companies);
  g_assert_cmpuint (companies->companies->len, ==, 0);
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->companies), "No Companies Yet"));
}

static gboolean
says_merged (gpointer data)
{
  return rs_test_find_label (data, "Merged into “Acme B.V.”; its reports are outdated") != NULL;
}

static void
test_companies_window_merge (Fixture       *fixture,
                             gconstpointer  data)
{
  Expected ten = { .companies = 6, .proposals = 2 };
  Expected merged = { .companies = 5, .proposals = 1 };
  Expected apart = { .companies = 5, .proposals = 0 };
  Expected split = { .companies = 6, .proposals = 1 };
  Status five = { fixture->window, "7 respondents from 5 companies" };
  Status six = { fixture->window, "7 respondents from 6 companies" };
  const RsCompanies *companies;
  RsCompanyProposal *proposal;
  GtkWidget *merge;
  GtkWidget *keep_apart;
  GtkWidget *split_button;

  import_master (fixture);
  g_assert_true (rs_test_wait_until (status_starts_with, &six, 10000));
  open_companies (fixture);
  ten.window = merged.window = apart.window = split.window = fixture->companies;
  g_assert_true (rs_test_wait_until (companies_are, &ten, 10000));

  /* Acme B.V. and acme b.v. were always one; ACME BV is proposed. Not ABC
   * and ABD. */
  companies = rs_companies_window_get_companies (fixture->companies);
  proposal = g_ptr_array_index (companies->proposals, 0);
  g_assert_cmpstr (proposal->first->name, ==, "Acme B.V.");
  g_assert_cmpstr (proposal->second->name, ==, "ACME BV");
  rs_test_iterate ();
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->companies), "Acme B.V. and ACME BV"));
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->companies),
                                        "2 respondents · written as: Acme B.V. (1), "
                                        "acme b.v. (1)"));
  g_assert_null (rs_test_find_label (GTK_WIDGET (fixture->companies), "ABC and ABD"));

  /* Merge, as the row's button does */
  merge = button_after (GTK_WIDGET (fixture->companies), "Acme B.V. and ACME BV", "_Merge");
  g_assert_nonnull (merge);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (merge)), ==,
                   "companies.merge");
  click (merge);
  /* The toast goes after a few seconds: looked for as it comes. */
  g_assert_true (rs_test_wait_until (says_merged, fixture->companies, 10000));
  g_assert_true (rs_test_wait_until (companies_are, &merged, 10000));
  g_assert_true (rs_test_wait_until (status_starts_with, &five, 10000));
  rs_test_iterate ();
  g_assert_nonnull (rs_test_find_label (GTK_WIDGET (fixture->companies),
                                        "3 respondents · merged: Acme B.V. (1), "
                                        "acme b.v. (1), ACME BV (1)"));

  /* Keep apart the other proposal: it goes, the companies stay two. */
  keep_apart = button_after (GTK_WIDGET (fixture->companies),
                             "Noord Logistcs and Noord Logistics", "_Keep Apart");
  g_assert_nonnull (keep_apart);
  click (keep_apart);
  g_assert_true (rs_test_wait_until (companies_are, &apart, 10000));
  g_assert_true (g_str_has_prefix (rs_window_get_status_text (fixture->window),
                                   "7 respondents from 5 companies"));

  /* Split the merged company: the proposal is back. */
  rs_test_iterate ();
  split_button = button_after (GTK_WIDGET (fixture->companies),
                               "3 respondents · merged: Acme B.V. (1), acme b.v. (1), "
                               "ACME BV (1)", "_Split");
  g_assert_nonnull (split_button);
  g_assert_true (gtk_widget_get_visible (split_button));
  click (split_button);
  g_assert_true (rs_test_wait_until (companies_are, &split, 10000));
  g_assert_true (rs_test_wait_until (status_starts_with, &six, 10000));
}

/* A change made elsewhere (the command line, an import) shows by itself. */
static void
test_companies_window_follows (Fixture       *fixture,
                               gconstpointer  data)
{
  Expected before = { .companies = 6, .proposals = 2 };
  Expected after = { .companies = 5, .proposals = 1 };
  const char *others[] = { "Noord Logistcs", NULL };
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autofree char *name = NULL;

  import_master (fixture);
  open_companies (fixture);
  before.window = after.window = fixture->companies;
  g_assert_true (rs_test_wait_until (companies_are, &before, 10000));

  other = rs_store_open (db, &error);
  g_assert_no_error (error);
  name = rs_company_merge (other, "Noord Logistics", others, &error);
  g_assert_no_error (error);
  rs_store_release_connection (other);

  g_assert_true (rs_test_wait_until (companies_are, &after, 10000));
}

static gboolean
window_busy (gpointer data)
{
  return rs_companies_window_get_busy (data);
}

/* A change that leaves the companies as they are (a status marked, as a
 * report run or a send does) keeps the rows: a button about to be pressed
 * stays where it is. */
static void
test_companies_window_steady (Fixture       *fixture,
                              gconstpointer  data)
{
  Expected before = { .companies = 6, .proposals = 2 };
  Expected after = { .companies = 5, .proposals = 1 };
  const char *others[] = { "Noord Logistcs", NULL };
  const RsCompanies *shown;
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (fixture->dir, "tracker.db", NULL);
  g_autofree char *name = NULL;
  gint64 id = 1;

  import_master (fixture);
  open_companies (fixture);
  before.window = after.window = fixture->companies;
  g_assert_true (rs_test_wait_until (companies_are, &before, 10000));
  shown = rs_companies_window_get_companies (fixture->companies);

  other = rs_store_open (db, &error);
  g_assert_no_error (error);
  marked = rs_tracker_mark (other, &id, 1, RS_STATUS_SENT, "by hand", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (marked->len, ==, 1);
  /* The window reads the database again after a change it sees. */
  g_assert_true (rs_test_wait_until (window_busy, fixture->companies, 10000));
  g_assert_true (rs_test_wait_until (companies_are, &before, 10000));
  g_assert_true (rs_companies_window_get_companies (fixture->companies) == shown);

  name = rs_company_merge (other, "Noord Logistics", others, &error);
  g_assert_no_error (error);
  rs_store_release_connection (other);
  g_assert_true (rs_test_wait_until (companies_are, &after, 10000));
  g_assert_true (rs_companies_window_get_companies (fixture->companies) != shown);
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

  g_test_add ("/companies-window/empty", Fixture, NULL,
              fixture_set_up, test_companies_window_empty, fixture_tear_down);
  g_test_add ("/companies-window/merge", Fixture, NULL,
              fixture_set_up, test_companies_window_merge, fixture_tear_down);
  g_test_add ("/companies-window/follows", Fixture, NULL,
              fixture_set_up, test_companies_window_follows, fixture_tear_down);
  g_test_add ("/companies-window/steady", Fixture, NULL,
              fixture_set_up, test_companies_window_steady, fixture_tear_down);

  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, app_argv), ==, 0);
  g_assert_finalize_object (app);
  rs_test_remove_tree (dir);

  return status;
}
