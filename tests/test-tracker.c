/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tracker"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "rs-export.h"
#include "rs-import.h"
#include "rs-respondent-list.h"
#include "rs-row-list.h"
#include "rs-store-monitor.h"
#include "rs-tracker.h"
#include "rs-visible-list.h"
#include "rs-test-util.h"

/* Status changes by hand, their history and what is refused. */

typedef struct
{
  char *dir;
  char *csv;
  RsStore *store;
} Fixture;

static const char master_csv[] =
  "name,company_name,email_address,reportsent,up__r,up__c,up__f,up__v,up__a\n"
  "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com,False,4,4,3,2,5\n"
  "Lena Öberg,Fjord & Fell AS,lena.oberg@example.net,False,2,2,2,2,2\n"
  "Zoë de Vries,Amstel Metaal N.V.,zoe@example.com,True,1,,,,\n";

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *db = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->csv = g_build_filename (fixture->dir, "master.csv", NULL);
  g_assert_true (g_file_set_contents (fixture->csv, master_csv, -1, NULL));

  fixture->store = rs_store_open (db, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (fixture->csv);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->added, ==, 3);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->csv);
}

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

static gint64
id_of (Fixture    *fixture,
       const char *email)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM respondent WHERE email = '%s' "
                                          "AND ?1 = ?1", email);
  g_autofree char *id = query (fixture, sql, 0);

  g_assert_nonnull (id);
  return g_ascii_strtoll (id, NULL, 10);
}

static char *
status_of (Fixture *fixture,
           gint64   id)
{
  return query (fixture, "SELECT status || '|' || note || '|' || manually_updated"
                         " FROM delivery WHERE respondent_id = ?1", id);
}

static char *
history_of (Fixture *fixture,
            gint64   id)
{
  return query (fixture,
                "SELECT group_concat (coalesce (from_status, '-') || '>' || to_status || '/' ||"
                " by || '/' || note, ';') FROM (SELECT * FROM history WHERE respondent_id = ?1"
                " ORDER BY id)", id);
}

static void
test_tracker_mark_writes_history (Fixture       *fixture,
                                  gconstpointer  data)
{
  gint64 ids[2] = { id_of (fixture, "ivo.bos@example.com"),
                    id_of (fixture, "lena.oberg@example.net") };
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *history = NULL;
  g_autofree char *sent_at = NULL;

  snapshots = rs_tracker_mark (fixture->store, ids, 2, RS_STATUS_SENT, "by phone", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshots->len, ==, 2);
  g_assert_cmpint (((RsStatusSnapshot *) snapshots->pdata[0])->status, ==, RS_STATUS_PENDING);

  status = status_of (fixture, ids[0]);
  g_assert_cmpstr (status, ==, "sent|by phone|1");
  history = history_of (fixture, ids[1]);
  g_assert_cmpstr (history, ==, "pending>sent/manual/by phone");
  sent_at = query (fixture, "SELECT sent_at IS NOT NULL FROM delivery WHERE respondent_id = ?1",
                   ids[0]);
  g_assert_cmpstr (sent_at, ==, "1");

  /* Without a note, the note is kept. */
  again = rs_tracker_mark (fixture->store, ids, 1, RS_STATUS_FAILED, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&status, g_free);
  g_clear_pointer (&history, g_free);
  status = status_of (fixture, ids[0]);
  g_assert_cmpstr (status, ==, "failed|by phone|1");
  history = history_of (fixture, ids[0]);
  g_assert_cmpstr (history, ==, "pending>sent/manual/by phone;sent>failed/manual/");
}

static void
test_tracker_undo (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *history = NULL;
  g_autofree char *sent_at = NULL;

  snapshots = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_SENT, "oops", &error);
  g_assert_no_error (error);
  g_assert_true (rs_tracker_restore (fixture->store, snapshots, NULL, &error));
  g_assert_no_error (error);

  status = status_of (fixture, id);
  g_assert_cmpstr (status, ==, "pending||0");
  sent_at = query (fixture, "SELECT sent_at IS NULL FROM delivery WHERE respondent_id = ?1", id);
  g_assert_cmpstr (sent_at, ==, "1");
  history = history_of (fixture, id);
  g_assert_cmpstr (history, ==, "pending>sent/manual/oops;sent>pending/manual/undone");
}

/* Undo leaves alone those whose status changed after the mark (here by a
 * later mark, as a send would): a report sent after "mark pending" must not
 * become "failed" again and be retried. A correction of a field between the
 * mark and the undo does not count as a change of status. */
static void
test_tracker_undo_changed_since (Fixture       *fixture,
                                 gconstpointer  data)
{
  gint64 ids[2] = { id_of (fixture, "ivo.bos@example.com"),
                    id_of (fixture, "lena.oberg@example.net") };
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(RsCorrectionSnapshot) correction = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status0 = NULL;
  g_autofree char *status1 = NULL;
  guint changed = 99;

  first = rs_tracker_mark (fixture->store, ids, 2, RS_STATUS_FAILED, "bounced", &error);
  g_assert_no_error (error);
  later = rs_tracker_mark (fixture->store, ids, 1, RS_STATUS_SENT, "resent", &error);
  g_assert_no_error (error);
  correction = rs_tracker_correct (fixture->store, ids[1], RS_FIELD_FUNCTION, "Director",
                                   &error);
  g_assert_no_error (error);

  g_assert_true (rs_tracker_restore (fixture->store, first, &changed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);

  status0 = status_of (fixture, ids[0]);
  g_assert_cmpstr (status0, ==, "sent|resent|1");
  status1 = status_of (fixture, ids[1]);
  g_assert_cmpstr (status1, ==, "pending||0");
}

static gboolean
hold_in_sending (sqlite3   *db,
                 gpointer   user_data,
                 GError   **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE delivery SET status = 'sending' "
                                          "WHERE respondent_id = %" G_GINT64_FORMAT,
                                          *(gint64 *) user_data);

  return rs_store_exec (db, sql, error);
}

static void
test_tracker_refuses_while_sending (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 ids[2] = { id_of (fixture, "ivo.bos@example.com"),
                    id_of (fixture, "lena.oberg@example.net") };
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *history = NULL;

  /* A send job holds Lena. */
  g_assert_true (rs_store_write (fixture->store, hold_in_sending, &ids[1], &error));

  snapshots = rs_tracker_mark (fixture->store, ids, 2, RS_STATUS_FAILED, "no", &error);
  g_assert_null (snapshots);
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_SENDING);
  g_assert_nonnull (strstr (error->message, "Lena Öberg"));

  /* All or nothing: Ivo did not change either. */
  first = status_of (fixture, ids[0]);
  second = status_of (fixture, ids[1]);
  g_assert_cmpstr (first, ==, "pending||0");
  g_assert_cmpstr (second, ==, "sending||0");
  history = query (fixture, "SELECT count (*) FROM history WHERE by = 'manual' AND ?1 = ?1", 0);
  g_assert_cmpstr (history, ==, "0");
}

static void
test_tracker_refuses_bad_requests (Fixture       *fixture,
                                   gconstpointer  data)
{
  gint64 ids[2] = { id_of (fixture, "ivo.bos@example.com"), 987654 };
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  g_assert_null (rs_tracker_mark (fixture->store, ids, 2, RS_STATUS_SENT, NULL, &error));
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "987654"));
  g_clear_error (&error);

  status = status_of (fixture, ids[0]);
  g_assert_cmpstr (status, ==, "pending||0");

  /* Only pending, sent and failed can be set by hand. */
  g_assert_null (rs_tracker_mark (fixture->store, ids, 1, RS_STATUS_UNKNOWN, NULL, &error));
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rs_tracker_mark (fixture->store, ids, 1, RS_STATUS_SENDING, NULL, &error));
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID);
}

static void
test_tracker_manual_survives_reimport (Fixture       *fixture,
                                       gconstpointer  data)
{
  gint64 zoe = id_of (fixture, "zoe@example.com");
  gint64 ivo = id_of (fixture, "ivo.bos@example.com");
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (fixture->csv);
  g_autoptr(GError) error = NULL;
  g_autofree char *zoe_status = NULL;
  g_autofree char *ivo_status = NULL;
  g_autofree char *before = NULL;

  /* Zoë was marked sent by the file; a person puts her back to pending. */
  before = status_of (fixture, zoe);
  g_assert_cmpstr (before, ==, "sent||0");
  pending = rs_tracker_mark (fixture->store, &zoe, 1, RS_STATUS_PENDING, "send again", &error);
  g_assert_no_error (error);
  failed = rs_tracker_mark (fixture->store, &ivo, 1, RS_STATUS_FAILED, "bounced", &error);
  g_assert_no_error (error);

  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->marked_sent, ==, 0);

  zoe_status = status_of (fixture, zoe);
  ivo_status = status_of (fixture, ivo);
  g_assert_cmpstr (zoe_status, ==, "pending|send again|1");
  g_assert_cmpstr (ivo_status, ==, "failed|bounced|1");
}

static char *
changes_of (Fixture *fixture,
            gint64   id)
{
  return query (fixture,
                "SELECT group_concat (from_status || '>' || to_status || '/' || by || '/' || note"
                " || '/' || coalesce (field, '') || ':' || coalesce (from_value, '') || '>' ||"
                " coalesce (to_value, ''), ';') FROM (SELECT * FROM history"
                " WHERE respondent_id = ?1 ORDER BY id)", id);
}

static char *
correction_of (Fixture *fixture,
               gint64   id)
{
  return query (fixture,
                "SELECT group_concat (field || '=' || file_value || '>' || hand_value, ';')"
                " FROM (SELECT * FROM correction WHERE respondent_id = ?1 ORDER BY field)", id);
}

/* A correction changes the value in use, keeps what the file says, is in
 * the history, and is undone with a history row of its own. */
static void
test_tracker_correct_and_undo (Fixture       *fixture,
                               gconstpointer  data)
{
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autoptr(RsCorrectionSnapshot) redo = NULL;
  g_autoptr(RsRespondentDetails) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *correction = NULL;
  g_autofree char *history = NULL;
  g_autofree char *change = NULL;
  g_autofree char *status = NULL;
  g_autofree char *count = NULL;

  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  gint64 seen = 0;

  all = rs_tracker_load_changed (fixture->store, -1, &seen, NULL, &error);
  g_assert_no_error (error);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_EMAIL, "  ivo.bos@example.org ",
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpstr (snapshot->value, ==, "ivo.bos@example.com");

  /* The table reads what changed since it last looked: Ivo, as corrected. */
  changed = rs_tracker_load_changed (fixture->store, seen, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (rs_respondent_get_id (changed->pdata[0]), ==, id);
  g_assert_cmpstr (rs_respondent_get_email (changed->pdata[0]), ==, "ivo.bos@example.org");
  g_assert_cmpstr (snapshot->new_value, ==, "ivo.bos@example.org");

  email = query (fixture, "SELECT email FROM respondent WHERE id = ?1", id);
  g_assert_cmpstr (email, ==, "ivo.bos@example.org");
  correction = correction_of (fixture, id);
  g_assert_cmpstr (correction, ==, "email=ivo.bos@example.com>ivo.bos@example.org");
  history = changes_of (fixture, id);
  g_assert_cmpstr (history, ==,
                   "pending>pending/manual//email:ivo.bos@example.com>ivo.bos@example.org");
  /* The status is not touched. */
  status = status_of (fixture, id);
  g_assert_cmpstr (status, ==, "pending||0");

  details = rs_tracker_load_details (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (details->values[RS_FIELD_EMAIL], ==, "ivo.bos@example.org");
  g_assert_cmpstr (details->file_values[RS_FIELD_EMAIL], ==, "ivo.bos@example.com");
  g_assert_null (details->file_values[RS_FIELD_PERSON]);
  g_assert_cmpstr (details->values[RS_FIELD_LANGUAGE], ==, "en");
  g_assert_cmpstr (rs_respondent_get_email (details->respondent), ==, "ivo.bos@example.org");
  g_assert_cmpuint (details->history->len, ==, 1);
  change = rs_history_entry_describe_change (details->history->pdata[0]);
  g_assert_cmpstr (change, ==, "E-mail address: “ivo.bos@example.com” → “ivo.bos@example.org”");

  /* The same value again writes nothing. */
  g_clear_pointer (&redo, rs_correction_snapshot_free);
  redo = rs_tracker_correct (fixture->store, id, RS_FIELD_EMAIL, "ivo.bos@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (redo->value, ==, redo->new_value);
  count = query (fixture, "SELECT count (*) FROM history WHERE respondent_id = ?1", id);
  g_assert_cmpstr (count, ==, "1");

  g_clear_pointer (&redo, rs_correction_snapshot_free);
  redo = rs_tracker_undo_correction (fixture->store, snapshot, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (redo->value, ==, "ivo.bos@example.org");
  g_clear_pointer (&email, g_free);
  g_clear_pointer (&correction, g_free);
  g_clear_pointer (&history, g_free);
  email = query (fixture, "SELECT email FROM respondent WHERE id = ?1", id);
  g_assert_cmpstr (email, ==, "ivo.bos@example.com");
  /* Back at what the file says: no correction left. */
  correction = correction_of (fixture, id);
  g_assert_null (correction);
  history = changes_of (fixture, id);
  g_assert_cmpstr (history, ==,
                   "pending>pending/manual//email:ivo.bos@example.com>ivo.bos@example.org;"
                   "pending>pending/manual/undone/email:ivo.bos@example.org>ivo.bos@example.com");

  /* Name, function and language, and back to the file's name. */
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_PERSON, "Ivo Bos-Janssen", &error);
  g_assert_no_error (error);
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_FUNCTION, "Buyer", &error);
  g_assert_no_error (error);
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_LANGUAGE, "nl", &error);
  g_assert_no_error (error);
  g_clear_pointer (&correction, g_free);
  correction = correction_of (fixture, id);
  g_assert_cmpstr (correction, ==, "function=>Buyer;language=en>nl;person=Ivo Bos>Ivo Bos-Janssen");
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_PERSON, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (snapshot->new_value, ==, "Ivo Bos");
  g_clear_pointer (&correction, g_free);
  correction = correction_of (fixture, id);
  g_assert_cmpstr (correction, ==, "function=>Buyer;language=en>nl");
  g_clear_pointer (&history, g_free);
  history = query (fixture, "SELECT note FROM history WHERE respondent_id = ?1"
                            " ORDER BY id DESC LIMIT 1", id);
  g_assert_cmpstr (history, ==, "back to what the master file says");
}

/* A bad address, an empty name or an unknown language change nothing and
 * say what is wrong; nor does anything change while they are being sent. */
static void
test_tracker_correct_refuses (Fixture       *fixture,
                              gconstpointer  data)
{
  gint64 id = id_of (fixture, "lena.oberg@example.net");
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *count = NULL;
  const char *bad[] = { "lena.oberg@example", "Lena <lena@example.net>", "lena @example.net",
                        "lena@@example.net", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_EMAIL, bad[i], &error);
      g_assert_null (snapshot);
      g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID);
      if (bad[i][0] != '\0')
        g_assert_nonnull (strstr (error->message, bad[i]));
      g_assert_nonnull (strstr (error->message, "Lena Öberg"));
      g_clear_error (&error);
    }

  g_assert_null (rs_tracker_correct (fixture->store, id, RS_FIELD_PERSON, "   ", &error));
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rs_tracker_correct (fixture->store, id, RS_FIELD_LANGUAGE, "de", &error));
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (rs_tracker_correct (fixture->store, 987654, RS_FIELD_PERSON, "X", &error));
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (rs_store_write (fixture->store, hold_in_sending, &id, &error));
  g_assert_null (rs_tracker_correct (fixture->store, id, RS_FIELD_EMAIL, "lena@example.org",
                                     &error));
  g_assert_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_SENDING);
  g_assert_nonnull (strstr (error->message, "Lena Öberg"));

  email = query (fixture, "SELECT email FROM respondent WHERE id = ?1", id);
  g_assert_cmpstr (email, ==, "lena.oberg@example.net");
  count = query (fixture, "SELECT (SELECT count (*) FROM history) + (SELECT count (*)"
                          " FROM correction) + ?1", 0);
  g_assert_cmpstr (count, ==, "1");
}

/* A respondent whose row keeps them from being sent is sendable once the
 * cause is corrected, and only then: a test entry stays one. */
static void
test_tracker_correct_problem (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char csv[] =
    "name,company_name,email_address,sector\n"
    "Ivo Bos,Polder Packaging B.V.,ivo.bos@example.com,Packaging\n"
    "Pim Smit,Delta Dakwerken B.V.,pim.smit(at)example.com,Construction\n"
    "Tess Test,Delta Dakwerken B.V.,tess@example,TEST\n";
  g_autofree char *path = g_build_filename (fixture->dir, "problems.csv", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *pim_sql = NULL;
  gint64 pim;
  gint64 tess;

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  file = g_file_new_for_path (path);
  summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  pim = id_of (fixture, "pim.smit(at)example.com");
  tess = id_of (fixture, "tess@example");

  problem = query (fixture, "SELECT problem FROM respondent WHERE id = ?1", pim);
  g_assert_nonnull (problem);
  snapshot = rs_tracker_correct (fixture->store, pim, RS_FIELD_EMAIL, "pim.smit@example.com",
                                 &error);
  g_assert_no_error (error);
  g_clear_pointer (&problem, g_free);
  problem = query (fixture, "SELECT coalesce (problem, 'none') FROM respondent WHERE id = ?1",
                   pim);
  g_assert_cmpstr (problem, ==, "none");

  /* Undone, the address from the file is a problem again. */
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  g_clear_pointer (&problem, g_free);
  snapshot = rs_tracker_correct (fixture->store, pim, RS_FIELD_EMAIL, NULL, &error);
  g_assert_no_error (error);
  problem = query (fixture, "SELECT problem FROM respondent WHERE id = ?1", pim);
  g_assert_cmpstr (problem, ==, "no valid e-mail address (“pim.smit(at)example.com”)");

  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  g_clear_pointer (&problem, g_free);
  snapshot = rs_tracker_correct (fixture->store, tess, RS_FIELD_EMAIL, "tess@example.com",
                                 &error);
  g_assert_no_error (error);
  problem = query (fixture, "SELECT problem FROM respondent WHERE id = ?1", tess);
  g_assert_cmpstr (problem, ==, "a test entry (sector “TEST”)");

  /* Without the master-file row, the address alone is judged. */
  pim_sql = g_strdup_printf ("UPDATE respondent SET source_offset = NULL"
                             " WHERE id = %" G_GINT64_FORMAT, pim);
  g_assert_true (rs_store_exec (rs_store_get_connection (fixture->store, NULL), pim_sql,
                                &error));
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  g_clear_pointer (&problem, g_free);
  snapshot = rs_tracker_correct (fixture->store, pim, RS_FIELD_EMAIL, "pim@example.com",
                                 &error);
  g_assert_no_error (error);
  problem = query (fixture, "SELECT coalesce (problem, 'none') FROM respondent WHERE id = ?1",
                   pim);
  g_assert_cmpstr (problem, ==, "none");
}

/* The report shows name, function and language: a report made before such
 * a correction is out of date, and current again when it is undone. The
 * address is not in the report. */
static void
test_tracker_correct_outdates_report (Fixture       *fixture,
                                      gconstpointer  data)
{
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autoptr(RsCorrectionSnapshot) undo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *current = NULL;
  const char *current_sql = "SELECT d.report_source_hash IS r.source_hash FROM respondent r"
                            " JOIN delivery d ON d.respondent_id = r.id WHERE r.id = ?1";

  sql = g_strdup_printf ("UPDATE delivery SET report_source_hash = (SELECT source_hash"
                         " FROM respondent WHERE id = %" G_GINT64_FORMAT "), report_made_at = 5"
                         " WHERE respondent_id = %" G_GINT64_FORMAT, id, id);
  g_assert_true (rs_store_exec (rs_store_get_connection (fixture->store, NULL), sql, &error));

  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_EMAIL, "ivo@example.org", &error);
  g_assert_no_error (error);
  current = query (fixture, current_sql, id);
  g_assert_cmpstr (current, ==, "1");

  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  g_clear_pointer (&current, g_free);
  snapshot = rs_tracker_correct (fixture->store, id, RS_FIELD_PERSON, "Ivo Bos-Janssen", &error);
  g_assert_no_error (error);
  current = query (fixture, current_sql, id);
  g_assert_cmpstr (current, ==, "0");

  g_clear_pointer (&current, g_free);
  undo = rs_tracker_undo_correction (fixture->store, snapshot, &error);
  g_assert_no_error (error);
  current = query (fixture, current_sql, id);
  g_assert_cmpstr (current, ==, "1");

  /* Undoing the undo outdates it again. */
  g_clear_pointer (&snapshot, rs_correction_snapshot_free);
  g_clear_pointer (&current, g_free);
  snapshot = rs_tracker_undo_correction (fixture->store, undo, &error);
  g_assert_no_error (error);
  current = query (fixture, current_sql, id);
  g_assert_cmpstr (current, ==, "0");
}

static void
test_tracker_note_and_details (Fixture       *fixture,
                               gconstpointer  data)
{
  gint64 id = id_of (fixture, "lena.oberg@example.net");
  g_autoptr(RsRespondentDetails) details = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  g_assert_true (rs_tracker_set_note (fixture->store, id, "call in May", &error));
  g_assert_no_error (error);
  status = status_of (fixture, id);
  g_assert_cmpstr (status, ==, "pending|call in May|0");

  g_assert_false (rs_tracker_set_note (fixture->store, 424242, "x", &error));
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  snapshots = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);

  details = rs_tracker_load_details (fixture->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rs_respondent_get_person (details->respondent), ==, "Lena Öberg");
  g_assert_cmpstr (rs_respondent_get_note (details->respondent), ==, "call in May");
  g_assert_cmpint (rs_respondent_get_status (details->respondent), ==, RS_STATUS_SENT);
  g_assert_cmpuint (details->history->len, ==, 1);
  g_assert_cmpstr (rs_history_entry_describe_by (details->history->pdata[0]), ==, "by hand");
  g_assert_cmpfloat (details->scores[0], ==, 2.0);
  g_assert_true (isnan (details->scores[5]));
  g_assert_cmpuint (g_strv_length (details->source_names), ==, 9);
  g_assert_cmpstr (details->source_names[0], ==, "name");
  g_assert_cmpstr (details->source_values[0], ==, "Lena Öberg");
  g_assert_cmpstr (details->source_values[2], ==, "lena.oberg@example.net");
  g_assert_cmpuint (details->source_line, ==, 3);

  g_clear_pointer (&details, rs_respondent_details_free);
  details = rs_tracker_load_details (fixture->store, 424242, &error);
  g_assert_null (details);
  g_assert_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND);
}

static void
test_tracker_load_and_merge (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(RsRespondentList) list = rs_respondent_list_new ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  gint64 seen = -1;
  gint64 seen_after = -1;
  RsRespondent *ivo;

  all = rs_tracker_load_changed (fixture->store, -1, &seen, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpuint (rs_respondent_list_merge (list, all), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);

  ivo = rs_respondent_list_lookup (list, id);
  g_assert_nonnull (ivo);
  g_assert_cmpint (rs_respondent_get_report_state (ivo), ==, RS_REPORT_NOT_MADE);
  g_assert_cmpint (rs_respondent_get_report_state (rs_respondent_list_lookup (list, id + 2)), ==,
                   RS_REPORT_NOT_POSSIBLE);

  snapshots = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_FAILED, "x", &error);
  g_assert_no_error (error);

  /* Only what changed since the last load comes back, and updates in place. */
  changed = rs_tracker_load_changed (fixture->store, seen, &seen_after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (seen_after, >, seen);
  g_assert_cmpuint (rs_respondent_list_merge (list, changed), ==, 1);
  g_assert_true (rs_respondent_list_lookup (list, id) == ivo);
  g_assert_cmpint (rs_respondent_get_status (ivo), ==, RS_STATUS_FAILED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);

  /* Nothing since: nothing. */
  g_clear_pointer (&changed, g_ptr_array_unref);
  seen = seen_after;
  changed = rs_tracker_load_changed (fixture->store, seen, &seen_after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 0);
  g_assert_cmpint (seen_after, ==, seen);
}

/* Right after an import, the import's rows were read by the load that
 * followed it: the next load reads none of them again. */
static void
test_tracker_load_after_import (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seen = -1;
  gint64 id = id_of (fixture, "lena.oberg@example.net");

  all = rs_tracker_load_changed (fixture->store, -1, &seen, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);

  changed = rs_tracker_load_changed (fixture->store, seen, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 0);
  g_clear_pointer (&changed, g_ptr_array_unref);

  /* A note, a change of the delivery only, is a change. */
  g_assert_true (rs_tracker_set_note (fixture->store, id, "phone first", &error));
  g_assert_no_error (error);
  changed = rs_tracker_load_changed (fixture->store, seen, &seen, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (rs_respondent_get_id (changed->pdata[0]), ==, id);
  g_clear_pointer (&changed, g_ptr_array_unref);

  /* The rows an import adds or changes, which it numbers itself, are read
   * by the next load, as the window does after an import; the others not. */
  {
    g_autofree char *path = g_build_filename (fixture->dir, "second.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(RsImportSummary) summary = NULL;
    g_autofree char *csv = g_strconcat (master_csv,
                                        "Eva Bakker,Polder Packaging B.V.,eva@example.com,"
                                        "False,3,3,3,3,3\n", NULL);
    char *ivo_scores = strstr (csv, "False,4,4,3,2,5");

    /* Ivo's last score changes. */
    ivo_scores[strlen ("False,4,4,3,2,")] = '1';
    g_assert_true (g_file_set_contents (path, csv, -1, &error));
    g_assert_no_error (error);
    summary = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (summary->added, ==, 1);
    g_assert_cmpuint (summary->updated, ==, 1);
  }
  changed = rs_tracker_load_changed (fixture->store, seen, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 2);
  g_assert_cmpint (rs_respondent_get_id (changed->pdata[0]), ==,
                   id_of (fixture, "ivo.bos@example.com"));
  g_assert_cmpint (rs_respondent_get_id (changed->pdata[1]), ==,
                   id_of (fixture, "eva@example.com"));
}

typedef struct
{
  RsStore *store;
  gint64 id;
  RsTestSteps steps;
} SlowWriter;

static gboolean
slow_write (sqlite3   *db,
            gpointer   user_data,
            GError   **error)
{
  SlowWriter *writer = user_data;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("UPDATE delivery SET note = 'slow' WHERE respondent_id = %"
                         G_GINT64_FORMAT, writer->id);
  if (!rs_store_exec (db, sql, error))
    return FALSE;

  /* Written, not committed: a load happens now. */
  rs_test_steps_set (&writer->steps, 1);
  rs_test_steps_wait (&writer->steps, 2);

  return TRUE;
}

static gpointer
slow_writer_thread (gpointer data)
{
  SlowWriter *writer = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_store_write (writer->store, slow_write, writer, &error));
  g_assert_no_error (error);
  rs_store_release_connection (writer->store);
  rs_test_steps_set (&writer->steps, 3);

  return NULL;
}

/* A change whose transaction began before a load and committed after it is
 * read by the next load, however long it took: what a clock could not
 * promise. */
static void
test_tracker_load_during_write (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GError) error = NULL;
  SlowWriter writer = { .store = fixture->store };
  GThread *thread;
  gint64 seen = -1;

  writer.id = id_of (fixture, "zoe@example.com");
  rs_test_steps_init (&writer.steps);
  changed = rs_tracker_load_changed (fixture->store, -1, &seen, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&changed, g_ptr_array_unref);

  thread = g_thread_new ("slow-writer", slow_writer_thread, &writer);
  rs_test_steps_wait (&writer.steps, 1);
  changed = rs_tracker_load_changed (fixture->store, seen, &seen, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 0);
  g_clear_pointer (&changed, g_ptr_array_unref);

  rs_test_steps_set (&writer.steps, 2);
  rs_test_steps_wait (&writer.steps, 3);
  g_thread_join (thread);

  changed = rs_tracker_load_changed (fixture->store, seen, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed->len, ==, 1);
  g_assert_cmpint (rs_respondent_get_id (changed->pdata[0]), ==, writer.id);
  g_assert_cmpstr (rs_respondent_get_note (changed->pdata[0]), ==, "slow");

  rs_test_steps_clear (&writer.steps);
}

static void
changed_cb (RsStoreMonitor *monitor,
            gboolean       *changed)
{
  *changed = TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_tracker_monitor (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(RsStoreMonitor) monitor = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  gboolean changed = FALSE;
  gboolean timed_out = FALSE;
  guint timeout;

  monitor = rs_store_monitor_new (fixture->store, 50);
  g_signal_connect (monitor, "changed", G_CALLBACK (changed_cb), &changed);

  /* Nothing happens while nothing changes. */
  timeout = g_timeout_add (300, timeout_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (changed);

  /* This thread's connection is not the monitor's: its commit is seen. */
  snapshots = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_SENT, NULL, &error);
  g_assert_no_error (error);
  timed_out = FALSE;
  timeout = g_timeout_add (5000, timeout_cb, &timed_out);
  while (!changed && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (changed);
  g_source_remove (timeout);
}

typedef struct
{
  RsStore *store;
  gint64 id;
  gint stop;
} Committer;

static gpointer
committer_thread (gpointer data)
{
  Committer *committer = data;

  for (guint i = 0; !g_atomic_int_get (&committer->stop); i++)
    {
      g_autoptr(GPtrArray) snapshots = NULL;
      g_autoptr(GError) error = NULL;

      snapshots = rs_tracker_mark (committer->store, &committer->id, 1,
                                   i % 2 == 0 ? RS_STATUS_SENT : RS_STATUS_PENDING, NULL, &error);
      g_assert_no_error (error);
    }
  rs_store_release_connection (committer->store);

  return NULL;
}

/* Monitors dropped while their threads are seeing changes: an emission
 * that comes after its monitor is gone does nothing (AddressSanitizer
 * would see a monitor used after it was freed). */
static void
test_tracker_monitor_dropped (Fixture       *fixture,
                              gconstpointer  data)
{
  Committer committer = { .store = fixture->store, .id = id_of (fixture, "ivo.bos@example.com") };
  GThread *thread = g_thread_new ("committer", committer_thread, &committer);
  guint emitted = 0;

  for (guint i = 0; i < 40; i++)
    {
      RsStoreMonitor *monitor = rs_store_monitor_new (fixture->store, 10);
      gboolean changed = FALSE;
      gint64 until = g_get_monotonic_time () + g_random_int_range (5, 30) * G_TIME_SPAN_MILLISECOND;

      g_signal_connect (monitor, "changed", G_CALLBACK (changed_cb), &changed);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      emitted += changed;
      g_object_unref (monitor);
      /* What the dropped monitor's thread queued runs now. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_atomic_int_set (&committer.stop, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (emitted, >, 0);
}

static void
test_tracker_export (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 id = id_of (fixture, "ivo.bos@example.com");
  g_autofree char *path = g_build_filename (fixture->dir, "export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *written = NULL;

  snapshots = rs_tracker_mark (fixture->store, &id, 1, RS_STATUS_FAILED, "says \"no\", twice",
                               &error);
  g_assert_no_error (error);

  g_assert_true (rs_export_status (fixture->store, memory, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (memory, "", 1, NULL, NULL, NULL);
  lines = g_strsplit (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)), "\n", -1);

  g_assert_cmpstr (lines[0], ==,
                   "id,company,person,email,status,sent_at,mode,report,error,note,"
                   "history_count,last_change");
  g_assert_true (g_str_has_prefix (lines[1], "1,Polder Packaging B.V.,Ivo Bos,"
                                             "ivo.bos@example.com,failed,,,,,"
                                             "\"says \"\"no\"\", twice\",1,"));
  /* Zoë was marked sent by the master file: one history row. */
  g_assert_nonnull (strstr (lines[3], ",sent,"));
  g_assert_nonnull (strstr (lines[3], ",1,"));
  g_assert_cmpstr (lines[4], ==, "");

  /* An existing file is replaced as a whole. */
  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));
  g_assert_true (rs_export_status_to_file (fixture->store, file, NULL, &error));
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_true (g_str_has_prefix (written, "id,company"));
}

static char *
attention_names (RsStore *store)
{
  g_autoptr(RsRespondentList) list = rs_respondent_list_new ();
  g_autoptr(RsVisibleList) visible = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  GString *names = g_string_new (NULL);

  all = rs_tracker_load (store, NULL, &error);
  g_assert_no_error (error);
  rs_respondent_list_merge (list, all);
  visible = rs_visible_list_new (list);
  rs_visible_list_set_filter (visible, RS_VISIBLE_ATTENTION, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (visible)); i++)
    g_string_append_printf (names, "%s%s", i ? "," : "",
                            rs_respondent_get_person (rs_visible_list_peek (visible, i)));

  return g_string_free (names, FALSE);
}

static RsRespondent *
load_one (Fixture *fixture,
          gint64   id)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;

  all = rs_tracker_load (fixture->store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    if (rs_respondent_get_id (all->pdata[i]) == id)
      return g_object_ref (all->pdata[i]);

  g_assert_not_reached ();
}

/* The Report column says "Not made yet" before a report is made, and
 * "Missing" only when a made report's file has gone; Needs Attention has
 * those not sent yet who can get no report or whose report has gone. */
static void
test_tracker_report_states (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(RsRespondent) ivo = NULL;
  g_autoptr(RsRespondent) zoe = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (fixture->dir, "ivo.pdf", NULL);
  g_autofree char *sql = NULL;
  g_autofree char *label = NULL;
  g_autofree char *names = NULL;
  gint64 ivo_id = id_of (fixture, "ivo.bos@example.com");
  gint64 zoe_id = id_of (fixture, "zoe@example.com");
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);

  ivo = load_one (fixture, ivo_id);
  g_assert_cmpint (rs_respondent_get_report_state (ivo), ==, RS_REPORT_NOT_MADE);
  label = rs_respondent_dup_report_label (ivo);
  g_assert_cmpstr (label, ==, "Not made yet");

  /* Zoë has one score of fifteen, and the file says she was sent. */
  zoe = load_one (fixture, zoe_id);
  g_assert_cmpint (rs_respondent_get_report_state (zoe), ==, RS_REPORT_NOT_POSSIBLE);
  g_assert_cmpint (rs_respondent_get_status (zoe), ==, RS_STATUS_SENT);
  names = attention_names (fixture->store);
  g_assert_cmpstr (names, ==, "");

  /* Not sent, and no report possible: she needs attention. */
  snapshots = rs_tracker_mark (fixture->store, &zoe_id, 1, RS_STATUS_PENDING, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&names, g_free);
  names = attention_names (fixture->store);
  g_assert_cmpstr (names, ==, "Zoë de Vries");

  /* A report made from Ivo's current data. */
  g_assert_true (g_file_set_contents (pdf, "%PDF-1.5\n", -1, NULL));
  sql = g_strdup_printf ("UPDATE delivery SET report_path = '%s', report_source_hash ="
                         " (SELECT source_hash FROM respondent WHERE id = respondent_id)"
                         " WHERE respondent_id = %" G_GINT64_FORMAT, pdf, ivo_id);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&ivo);
  ivo = load_one (fixture, ivo_id);
  g_assert_cmpint (rs_respondent_get_report_state (ivo), ==, RS_REPORT_READY);
  g_clear_pointer (&label, g_free);
  label = rs_respondent_dup_report_label (ivo);
  g_assert_cmpstr (label, ==, "Ready");
  g_clear_pointer (&names, g_free);
  names = attention_names (fixture->store);
  g_assert_cmpstr (names, ==, "Zoë de Vries");

  /* Its file is deleted: now it is missing, and Ivo needs attention too. */
  g_assert_cmpint (g_unlink (pdf), ==, 0);
  g_clear_object (&ivo);
  ivo = load_one (fixture, ivo_id);
  g_assert_cmpint (rs_respondent_get_report_state (ivo), ==, RS_REPORT_MISSING);
  g_clear_pointer (&label, g_free);
  label = rs_respondent_dup_report_label (ivo);
  g_assert_cmpstr (label, ==, "Missing");
  g_clear_pointer (&names, g_free);
  names = attention_names (fixture->store);
  g_assert_cmpstr (names, ==, "Ivo Bos,Zoë de Vries");
}

static RsRespondent *
make_respondent (gint64      id,
                 const char *person,
                 RsStatus    status)
{
  RsRespondentData data = {
    .id = id, .company = "Company", .person = person, .email = "x@example.com",
    .status = status, .n_scores = RS_N_SCORES,
  };

  return rs_respondent_new (&data);
}

static char *
visible_names (RsVisibleList *visible)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (visible)); i++)
    {
      g_autoptr(RsRespondent) item = g_list_model_get_item (G_LIST_MODEL (visible), i);

      g_string_append_printf (names, "%s%s", i ? "," : "", rs_respondent_get_person (item));
    }

  return g_string_free (names, FALSE);
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *emissions)
{
  (*emissions)++;
}

static void
test_visible_list (void)
{
  g_autoptr(RsRespondentList) list = rs_respondent_list_new ();
  g_autoptr(RsVisibleList) visible = NULL;
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *names = NULL;
  g_autofree char *folded = rs_respondent_fold_for_search ("ÖBERG");
  guint emissions = 0;

  g_ptr_array_add (people, make_respondent (1, "Ivo Bos", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (2, "Lena Öberg", RS_STATUS_SENT));
  g_ptr_array_add (people, make_respondent (3, "anne Jansen", RS_STATUS_FAILED));
  g_ptr_array_add (people, make_respondent (4, "Zoë de Vries", RS_STATUS_PENDING));
  rs_respondent_list_merge (list, people);

  visible = rs_visible_list_new (list);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Ivo Bos,Lena Öberg,anne Jansen,Zoë de Vries");

  /* Case and accents do not count in the order. */
  rs_visible_list_set_sort (visible, RS_SORT_PERSON, FALSE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "anne Jansen,Ivo Bos,Lena Öberg,Zoë de Vries");

  rs_visible_list_set_sort (visible, RS_SORT_STATUS, TRUE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "anne Jansen,Lena Öberg,Zoë de Vries,Ivo Bos");

  /* Everyone works at the same company: ties go by id, both ways. */
  rs_visible_list_set_sort (visible, RS_SORT_COMPANY, FALSE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Ivo Bos,Lena Öberg,anne Jansen,Zoë de Vries");
  rs_visible_list_set_sort (visible, RS_SORT_COMPANY, TRUE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Zoë de Vries,anne Jansen,Lena Öberg,Ivo Bos");

  g_assert_cmpstr (folded, ==, "oberg");
  rs_visible_list_set_filter (visible, RS_VISIBLE_ALL, folded);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Lena Öberg");

  /* One respondent changes: with the pending filter, it comes and goes. */
  rs_visible_list_set_filter (visible, RS_VISIBLE_PENDING, NULL);
  rs_visible_list_set_sort (visible, RS_SORT_PERSON, FALSE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Ivo Bos,Zoë de Vries");

  g_signal_connect (visible, "items-changed", G_CALLBACK (count_changes), &emissions);
  g_ptr_array_add (update, make_respondent (3, "anne Jansen", RS_STATUS_PENDING));
  g_ptr_array_add (update, make_respondent (1, "Ivo Bos", RS_STATUS_SENT));
  g_assert_cmpuint (rs_respondent_list_merge (list, update), ==, 2);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "anne Jansen,Zoë de Vries");
  /* Anne came and Ivo went: one signal each. */
  g_assert_cmpuint (emissions, ==, 2);

  /* A change that moves nothing needs no signal: the item notifies. */
  emissions = 0;
  g_ptr_array_set_size (update, 0);
  {
    RsRespondentData data = {
      .id = 4, .company = "Other Company", .person = "Zoë de Vries",
      .email = "zoe@example.org", .status = RS_STATUS_PENDING, .n_scores = RS_N_SCORES,
    };

    g_ptr_array_add (update, rs_respondent_new (&data));
  }
  g_assert_cmpuint (rs_respondent_list_merge (list, update), ==, 1);
  g_assert_cmpuint (emissions, ==, 0);

  /* A rename moves a row to its place in the order. */
  g_ptr_array_set_size (update, 0);
  g_ptr_array_add (update, make_respondent (3, "Zyta Jansen", RS_STATUS_PENDING));
  rs_respondent_list_merge (list, update);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Zoë de Vries,Zyta Jansen");
}

/* Names alike in far more than their first eight letters. */
static void
test_visible_list_long_names (void)
{
  g_autoptr(RsRespondentList) list = rs_respondent_list_new ();
  g_autoptr(RsVisibleList) visible = NULL;
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *names = NULL;

  g_ptr_array_add (people, make_respondent (1, "Maria van der Bergh", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (2, "Maria van der Berg 9", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (3, "maria van der Berg 100", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (4, "Maria van der Berg 10", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (5, "Maria van der Berg 10", RS_STATUS_PENDING));
  rs_respondent_list_merge (list, people);
  visible = rs_visible_list_new (list);

  rs_visible_list_set_sort (visible, RS_SORT_PERSON, FALSE);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Maria van der Berg 10,Maria van der Berg 10,"
                   "maria van der Berg 100,Maria van der Berg 9,Maria van der Bergh");
  g_assert_cmpint (rs_respondent_get_id (rs_visible_list_peek (visible, 0)), ==, 4);

  rs_visible_list_set_sort (visible, RS_SORT_PERSON, TRUE);
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Maria van der Bergh,Maria van der Berg 9,"
                   "maria van der Berg 100,Maria van der Berg 10,Maria van der Berg 10");
  g_assert_cmpint (rs_respondent_get_id (rs_visible_list_peek (visible, 3)), ==, 5);
}

static void
count_row_changes (RsRow *row,
                   guint *changes)
{
  (*changes)++;
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               Change     *change)
{
  *change = (Change) { position, removed, added };
}

static RsRespondent *
row_respondent (RsRowList *rows,
                guint      position)
{
  g_autoptr(RsRow) row = g_list_model_get_item (G_LIST_MODEL (rows), position);

  return rs_row_get_respondent (row);
}

static void
test_row_list (void)
{
  g_autoptr(RsRespondentList) list = rs_respondent_list_new ();
  g_autoptr(RsVisibleList) visible = NULL;
  g_autoptr(RsRowList) rows = NULL;
  g_autoptr(GPtrArray) people = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) update = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(RsRow) first = NULL;
  g_autoptr(RsRow) last = NULL;
  g_autofree char *names = NULL;
  Change change = { 0 };
  guint first_changes = 0;
  guint emissions = 0;

  g_ptr_array_add (people, make_respondent (1, "Ivo Bos", RS_STATUS_PENDING));
  g_ptr_array_add (people, make_respondent (2, "Lena Öberg", RS_STATUS_SENT));
  g_ptr_array_add (people, make_respondent (3, "anne Jansen", RS_STATUS_FAILED));
  g_ptr_array_add (people, make_respondent (4, "Zoë de Vries", RS_STATUS_PENDING));
  rs_respondent_list_merge (list, people);
  visible = rs_visible_list_new (list);
  rows = rs_row_list_new (G_LIST_MODEL (visible));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 4);

  first = g_list_model_get_item (G_LIST_MODEL (rows), 0);
  g_assert_true (rs_row_get_respondent (first) == people->pdata[0]);
  g_signal_connect (first, "changed", G_CALLBACK (count_row_changes), &first_changes);
  g_signal_connect (rows, "items-changed", G_CALLBACK (count_changes), &emissions);
  g_signal_connect (rows, "items-changed", G_CALLBACK (record_change), &change);

  /* A new order: the rows stay and show other respondents. */
  rs_visible_list_set_sort (visible, RS_SORT_PERSON, FALSE);
  g_assert_cmpuint (emissions, ==, 0);
  g_assert_cmpuint (first_changes, ==, 1);
  g_assert_true (rs_row_get_respondent (first) == people->pdata[2]);
  for (guint i = 0; i < 4; i++)
    g_assert_true (row_respondent (rows, i) ==
                   rs_visible_list_peek (visible, i));

  /* A search: the first rows stay, the rest go. */
  rs_visible_list_set_filter (visible, RS_VISIBLE_ALL, "b");
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Ivo Bos,Lena Öberg");
  g_assert_cmpuint (emissions, ==, 1);
  g_assert_cmpuint (change.position, ==, 2);
  g_assert_cmpuint (change.removed, ==, 2);
  g_assert_cmpuint (change.added, ==, 0);
  g_assert_true (rs_row_get_respondent (first) == people->pdata[0]);

  /* Narrower, then wider again. */
  rs_visible_list_set_filter (visible, RS_VISIBLE_ALL, "bo");
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "Ivo Bos");
  rs_visible_list_set_filter (visible, RS_VISIBLE_ALL, "");
  g_clear_pointer (&names, g_free);
  names = visible_names (visible);
  g_assert_cmpstr (names, ==, "anne Jansen,Ivo Bos,Lena Öberg,Zoë de Vries");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_true (row_respondent (rows, i) == rs_visible_list_peek (visible, i));

  /* A respondent that changes in place keeps its row, which shows it. */
  first_changes = 0;
  emissions = 0;
  g_ptr_array_add (update, make_respondent (3, "anne Jansen", RS_STATUS_SENT));
  g_assert_cmpuint (rs_respondent_list_merge (list, update), ==, 1);
  g_assert_cmpuint (first_changes, ==, 0);
  g_assert_cmpuint (emissions, ==, 0);
  g_assert_true (rs_row_get_respondent (first) == people->pdata[2]);

  /* Rows at the end that show the same respondents stay as they are. */
  last = g_list_model_get_item (G_LIST_MODEL (rows), 3);
  rs_visible_list_set_filter (visible, RS_VISIBLE_ALL, "vries");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 1);
  g_assert_true (row_respondent (rows, 0) == people->pdata[3]);
  {
    g_autoptr(RsRow) shown = g_list_model_get_item (G_LIST_MODEL (rows), 0);

    g_assert_true (shown == last);
  }
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(name, func) \
  g_test_add ("/tracker/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("mark-writes-history", test_tracker_mark_writes_history);
  ADD ("undo", test_tracker_undo);
  ADD ("undo-changed-since", test_tracker_undo_changed_since);
  ADD ("correct-and-undo", test_tracker_correct_and_undo);
  ADD ("correct-refuses", test_tracker_correct_refuses);
  ADD ("correct-problem", test_tracker_correct_problem);
  ADD ("correct-outdates-report", test_tracker_correct_outdates_report);
  ADD ("refuses-while-sending", test_tracker_refuses_while_sending);
  ADD ("refuses-bad-requests", test_tracker_refuses_bad_requests);
  ADD ("manual-survives-reimport", test_tracker_manual_survives_reimport);
  ADD ("note-and-details", test_tracker_note_and_details);
  ADD ("load-and-merge", test_tracker_load_and_merge);
  ADD ("load-after-import", test_tracker_load_after_import);
  ADD ("load-during-write", test_tracker_load_during_write);
  ADD ("monitor", test_tracker_monitor);
  ADD ("monitor-dropped", test_tracker_monitor_dropped);
  ADD ("export", test_tracker_export);
  ADD ("report-states", test_tracker_report_states);

#undef ADD

  g_test_add_func ("/tracker/visible-list", test_visible_list);
  g_test_add_func ("/tracker/visible-list-long-names", test_visible_list_long_names);
  g_test_add_func ("/tracker/row-list", test_row_list);

  return g_test_run ();
}
