/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-delivery"

#include "config.h"

#include <glib/gstdio.h>

#include "rs-delivery.h"
#include "rs-store.h"
#include "rs-test-util.h"

/* The delivery states and their history, on a real database file: every
 * transition the rules allow, those they refuse, and the migration that
 * added what a round keeps. */

typedef struct
{
  char *dir;
  char *db;
  RsStore *store;
} Fixture;

static void
exec_sql (Fixture    *fixture,
          const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static char *
query (Fixture    *fixture,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

static char *
query (Fixture    *fixture,
       const char *format,
       ...)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static void
assert_query (Fixture    *fixture,
              const char *sql,
              const char *expected)
{
  g_autofree char *value = query (fixture, "%s", sql);

  g_assert_cmpstr (value, ==, expected);
}

static void
add_respondent (Fixture *fixture,
                gint64   id)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO respondent (id, identity_key, company, person, email,"
                     " first_imported_at, last_imported_at)"
                     " VALUES (%lld, 'k%lld', 'Polder Packaging B.V.', 'Person %lld',"
                     " 'p%lld@example.com', 1, 1)",
                     (long long) id, (long long) id, (long long) id, (long long) id);

  exec_sql (fixture, sql);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);
  for (gint64 id = 1; id <= 3; id++)
    add_respondent (fixture, id);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_store_release_connection (fixture->store);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->dir);
}

typedef gboolean (*Step) (RsDelivery *delivery,
                          gpointer    data,
                          GError    **error);

typedef struct
{
  Step step;
  gpointer data;
} Call;

static gboolean
call_transaction (sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  Call *call = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, 1000);

  return call->step (delivery, call->data, error);
}

/* Runs @step in a write transaction of its own. */
static gboolean
run (Fixture  *fixture,
     Step      step,
     gpointer  data,
     GError  **error)
{
  Call call = { step, data };

  return rs_store_write (fixture->store, call_transaction, &call, error);
}

static gboolean
import_three (RsDelivery  *delivery,
              gpointer     data,
              GError     **error)
{
  gboolean *marked = data;

  for (gint64 id = 1; id <= 3; id++)
    if (!rs_delivery_add_pending (delivery, id, 7, error))
      return FALSE;

  /* The file says 2 was sent; then says so again, which changes nothing. */
  return rs_delivery_import_sent (delivery, 2, 7, "sent according to the master file",
                                  &marked[0], error) &&
         rs_delivery_import_sent (delivery, 2, 7, "again", &marked[1], error);
}

static void
test_import (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marked[2] = { FALSE, TRUE };

  g_assert_true (run (fixture, import_three, marked, &error));
  g_assert_no_error (error);
  g_assert_true (marked[0]);
  g_assert_false (marked[1]);

  assert_query (fixture, "SELECT group_concat (status, ',') FROM"
                " (SELECT * FROM delivery ORDER BY respondent_id)",
                "pending,sent,pending");
  assert_query (fixture, "SELECT count (*) FROM delivery WHERE changed = 7", "2");
  assert_query (fixture, "SELECT count (*) FROM history", "1");
  assert_query (fixture, "SELECT from_status || '>' || to_status || ' ' || by || ' ' || note"
                " FROM history WHERE respondent_id = 2",
                "pending>sent import sent according to the master file");
}

static gboolean
mark_one_sent (RsDelivery  *delivery,
               gpointer     data,
               GError     **error)
{
  return rs_delivery_mark (delivery, GPOINTER_TO_INT (data), RS_STATUS_SENT, "by phone", NULL,
                           error);
}

static gboolean
import_one_sent (RsDelivery  *delivery,
                 gpointer     data,
                 GError     **error)
{
  return rs_delivery_import_sent (delivery, 1, 8, NULL, data, error);
}

static gboolean
mark_one_pending (RsDelivery  *delivery,
                  gpointer     data,
                  GError     **error)
{
  return rs_delivery_mark (delivery, 1, RS_STATUS_PENDING, NULL, NULL, error);
}

/* A hand mark wins over what a later import says. */
static void
test_import_after_mark (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marks[2] = { 0 };
  gboolean marked = TRUE;

  g_assert_true (run (fixture, import_three, marks, &error));
  g_assert_true (run (fixture, mark_one_pending, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (run (fixture, import_one_sent, &marked, &error));
  g_assert_no_error (error);
  g_assert_false (marked);
  assert_query (fixture, "SELECT status FROM delivery WHERE respondent_id = 1", "pending");
}

typedef struct
{
  gint64 id;
  gboolean retry_failed;
  const char *new_id;
  gboolean claimed;
  char *message_id;
} ClaimData;

static gboolean
claim (RsDelivery  *delivery,
       gpointer     data,
       GError     **error)
{
  ClaimData *claim = data;

  g_clear_pointer (&claim->message_id, g_free);
  return rs_delivery_claim (delivery, claim->id, claim->retry_failed, claim->new_id,
                            &claim->claimed, &claim->message_id, error);
}

typedef struct
{
  gint64 id;
  RsStatus to;
} FinishData;

static gboolean
finish (RsDelivery  *delivery,
        gpointer     data,
        GError     **error)
{
  FinishData *finish = data;

  return rs_delivery_finish (delivery, finish->id, finish->to, TRUE,
                             finish->to == RS_STATUS_SENT ? 0 : 451,
                             finish->to == RS_STATUS_SENT ? NULL : "451 4.7.500 Try later",
                             NULL, error);
}

/* A send claims, finishes and claims again: the Message-ID of the first
 * claim stays for the round. */
static void
test_send_cycle (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marks[2] = { 0 };
  ClaimData claim_data = { 1, FALSE, "first.1@example.com", FALSE, NULL };
  FinishData finish_data = { 1, RS_STATUS_PENDING };

  g_assert_true (run (fixture, import_three, marks, &error));

  g_assert_true (run (fixture, claim, &claim_data, &error));
  g_assert_no_error (error);
  g_assert_true (claim_data.claimed);
  g_assert_cmpstr (claim_data.message_id, ==, "first.1@example.com");
  assert_query (fixture, "SELECT status FROM delivery WHERE respondent_id = 1", "sending");

  /* A person cannot change what is being sent. */
  g_assert_false (run (fixture, mark_one_sent, GINT_TO_POINTER (1), &error));
  g_assert_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_SENDING);
  g_clear_error (&error);

  g_assert_true (run (fixture, finish, &finish_data, &error));
  g_assert_no_error (error);
  assert_query (fixture, "SELECT status || ' ' || attempts || ' ' || error_code || ' ' || error"
                " FROM delivery WHERE respondent_id = 1",
                "pending 1 451 451 4.7.500 Try later");

  /* Not claimed: finishing is refused and changes nothing. */
  g_assert_false (run (fixture, finish, &finish_data, &error));
  g_assert_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_INVALID);
  g_clear_error (&error);

  claim_data.new_id = "second.1@example.com";
  g_assert_true (run (fixture, claim, &claim_data, &error));
  g_assert_true (claim_data.claimed);
  g_assert_cmpstr (claim_data.message_id, ==, "first.1@example.com");
  finish_data.to = RS_STATUS_SENT;
  g_assert_true (run (fixture, finish, &finish_data, &error));
  g_assert_no_error (error);
  assert_query (fixture, "SELECT status || ' ' || mode || ' ' || attempts || ' '"
                " || coalesce (error, 'no error') || ' ' || message_id"
                " FROM delivery WHERE respondent_id = 1",
                "sent live 2 no error first.1@example.com");
  assert_query (fixture, "SELECT group_concat (from_status || '>' || to_status, ',')"
                " FROM (SELECT * FROM history WHERE respondent_id = 1 ORDER BY id)",
                "pending>sending,sending>pending,pending>sending,sending>sent");

  /* Sent: a send does not claim it again. */
  claim_data.claimed = TRUE;
  g_assert_true (run (fixture, claim, &claim_data, &error));
  g_assert_false (claim_data.claimed);
  g_assert_null (claim_data.message_id);

  g_free (claim_data.message_id);
}

static gboolean
fail_and_reopen (RsDelivery  *delivery,
                 gpointer     data,
                 GError     **error)
{
  gboolean claimed;

  return rs_delivery_claim (delivery, 3, FALSE, "m3@example.com", &claimed, NULL, error) &&
         rs_delivery_finish (delivery, 3, RS_STATUS_FAILED, TRUE, 550, "550 5.7.60 Not allowed",
                             NULL, error) &&
         rs_delivery_reopen (delivery, 3, "the same refusal came for the next one", error) &&
         /* Only a failed record is reopened. */
         rs_delivery_reopen (delivery, 2, "not this one", error);
}

static gboolean
claim_and_recover (RsDelivery  *delivery,
                   gpointer     data,
                   GError     **error)
{
  gboolean claimed;

  return rs_delivery_claim (delivery, 1, FALSE, "m1@example.com", &claimed, NULL, error) &&
         rs_delivery_recover (delivery, data, error);
}

static void
test_reopen_and_recover (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marks[2] = { 0 };
  guint n_recovered = 0;

  g_assert_true (run (fixture, import_three, marks, &error));
  g_assert_true (run (fixture, fail_and_reopen, NULL, &error));
  g_assert_no_error (error);
  assert_query (fixture, "SELECT status FROM delivery WHERE respondent_id = 3", "pending");
  assert_query (fixture, "SELECT status FROM delivery WHERE respondent_id = 2", "sent");
  assert_query (fixture, "SELECT to_status || ' ' || note FROM history WHERE respondent_id = 3"
                " ORDER BY id DESC LIMIT 1",
                "pending the same refusal came for the next one");

  g_assert_true (run (fixture, claim_and_recover, &n_recovered, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_recovered, ==, 1);
  assert_query (fixture, "SELECT status FROM delivery WHERE respondent_id = 1", "unknown");
  assert_query (fixture, "SELECT count (*) FROM delivery WHERE status = 'sending'", "0");
}

typedef struct
{
  RsDeliveryBefore before;
  gboolean restored;
} MarkData;

static gboolean
mark_failed (RsDelivery  *delivery,
             gpointer     data,
             GError     **error)
{
  MarkData *mark = data;

  return rs_delivery_mark (delivery, 2, RS_STATUS_FAILED, "bounced", &mark->before, error);
}

static gboolean
restore (RsDelivery  *delivery,
         gpointer     data,
         GError     **error)
{
  MarkData *mark = data;

  return rs_delivery_restore (delivery, 2, &mark->before, &mark->restored, error);
}

static gboolean
mark_unknown (RsDelivery  *delivery,
              gpointer     data,
              GError     **error)
{
  return rs_delivery_mark (delivery, 2, RS_STATUS_UNKNOWN, NULL, NULL, error);
}

static void
test_mark_and_restore (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marks[2] = { 0 };
  MarkData mark = { 0 };

  g_assert_true (run (fixture, import_three, marks, &error));

  g_assert_false (run (fixture, mark_unknown, NULL, &error));
  g_assert_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (run (fixture, mark_one_sent, GINT_TO_POINTER (99), &error));
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (run (fixture, mark_failed, &mark, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mark.before.status, ==, RS_STATUS_SENT);
  assert_query (fixture, "SELECT status || ' ' || note || ' ' || manually_updated"
                " FROM delivery WHERE respondent_id = 2", "failed bounced 1");

  g_assert_true (run (fixture, restore, &mark, &error));
  g_assert_no_error (error);
  g_assert_true (mark.restored);
  assert_query (fixture, "SELECT status || ' ' || note || ' ' || manually_updated"
                " FROM delivery WHERE respondent_id = 2", "sent  0");

  /* The restore wrote a later history row: restoring again does nothing. */
  g_assert_true (run (fixture, restore, &mark, &error));
  g_assert_false (mark.restored);

  rs_delivery_before_clear (&mark.before);
}

static gboolean
allow_second (RsDelivery  *delivery,
              gpointer     data,
              GError     **error)
{
  return rs_delivery_set_allow_second (delivery, GPOINTER_TO_INT (data), TRUE, error);
}

static void
test_allow_second (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean marks[2] = { 0 };

  g_assert_true (run (fixture, import_three, marks, &error));
  g_assert_true (run (fixture, allow_second, GINT_TO_POINTER (3), &error));
  g_assert_no_error (error);
  assert_query (fixture, "SELECT group_concat (allow_second, ',') FROM"
                " (SELECT * FROM delivery ORDER BY respondent_id)", "0,0,1");
  g_assert_false (run (fixture, allow_second, GINT_TO_POINTER (42), &error));
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
}

/* A database of schema 6 gets the round's columns, its rows kept. */
static void
test_migration (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  Fixture fixture = { 0 };

  fixture.store = rs_store_open (path, &error);
  g_assert_no_error (error);
  add_respondent (&fixture, 1);
  exec_sql (&fixture, "INSERT INTO delivery (respondent_id, status, updated_at, message_id)"
            " VALUES (1, 'sent', 5, 'old@example.com')");
  exec_sql (&fixture, "ALTER TABLE delivery DROP COLUMN report_look;"
            "DROP TABLE activity_failure; DROP TABLE activity;"
            "ALTER TABLE delivery DROP COLUMN report_benchmark;"
            "ALTER TABLE import_log DROP COLUMN sheet;"
            "DROP TABLE import_problem; DROP TABLE import_change;"
            "DROP TABLE import_quality; ALTER TABLE import_log DROP COLUMN duplicates;"
            "ALTER TABLE import_log DROP COLUMN marked_sent;"
            "ALTER TABLE import_log DROP COLUMN renamed;"
            "ALTER TABLE import_log DROP COLUMN recoded;"
            "ALTER TABLE import_log DROP COLUMN changed;"
            "ALTER TABLE delivery DROP COLUMN allow_second;"
            "ALTER TABLE delivery DROP COLUMN report_sha256;"
            "DROP TABLE company_merge;"
            "DROP TABLE company_apart;"
            "PRAGMA user_version = 6;");
  rs_store_release_connection (fixture.store);
  g_clear_object (&fixture.store);

  fixture.store = rs_store_open (path, &error);
  g_assert_no_error (error);
  assert_query (&fixture, "PRAGMA user_version", G_STRINGIFY (RS_STORE_SCHEMA_VERSION));
  assert_query (&fixture, "SELECT status || ' ' || message_id || ' ' || allow_second || ' '"
                " || coalesce (report_sha256, 'none') FROM delivery",
                "sent old@example.com 0 none");
  rs_store_release_connection (fixture.store);
  g_clear_object (&fixture.store);
  rs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  rs_test_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/delivery/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("import", test_import);
  ADD ("import-after-mark", test_import_after_mark);
  ADD ("send-cycle", test_send_cycle);
  ADD ("reopen-and-recover", test_reopen_and_recover);
  ADD ("mark-and-restore", test_mark_and_restore);
  ADD ("allow-second", test_allow_second);
  g_test_add_func ("/delivery/migration", test_migration);

  return g_test_run ();
}
