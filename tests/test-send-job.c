/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-send-job"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-send-job.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"
#include "rs-tracker.h"

/* The send job against a real database, real reports and a real SMTP
 * server (smtp-server.py): who is sent and skipped, what the records and
 * history say afterwards, faults, crash recovery and the command line. */

#define FROM "scan@example.com"
#define TEST_ADDRESS "tester@example.com"

#define HEADER "name,function,company_name,email_address,version,submitdate," \
               "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
               "do__r,do__c,do__f,do__v,do__a\n"

static const char master_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "4,4,3,2,5,3,3,3,3,3,2,2,2,2,2\n"
  "Anne Jansen,Planner,Polder Packaging B.V.,anne@example.org,Versie 1.0 (nl),2024-03-02,"
  "3,3,3,3,3,3,3,3,3,3,3,3,3,3,3\n"
  "Lena Öberg,CEO,Fjord AS,lena@example.net,Version 1.0 (eng),2024-03-03,"
  "2,2,2,2,2,1,1,1,1,1,1,1,1,1,1\n"
  "Bad Address,CFO,Waal Bouw,not-an-address,Version 1.0 (eng),2024-03-04,"
  "1,2,3,4,5,1,2,3,4,5,1,2,3,4,5\n"
  "Zoë de Vries,COO,Amstel Metaal,zoe@example.com,Versie 1.0 (nl),2024-03-04,"
  "1,2,3,4,5,5,4,3,2,1,1,1,1,1,1\n"
  "Sam Smit,Buyer,Waal Bouw,sam@example.com,Version 1.0 (eng),2024-03-05,"
  "5,5,5,5,5,5,5,5,5,5,5,5,5,5,5\n";

/* Ids in the order of the file. */
enum { IVO = 1, ANNE, LENA, BAD, ZOE, SAM };
#define N_VALID 5


typedef struct
{
  char *dir;
  char *db;
  char *folder;
  RsStore *store;
  RsTestServer server;
  gboolean outdated;
} Fixture;

#define MESSAGES "\"event\": \"message\""
#define CONNECTS "\"event\": \"connect\""
#define TO(addr) "\"to\": [\"" addr "\"]"

/* What check-message.py read from message @n the server kept. */
static GHashTable *
server_message_facts (RsTestServer *server,
                      guint   n)
{
  g_autofree char *name = g_strdup_printf ("%u.eml", n);
  g_autofree char *path = g_build_filename (server->dir, name, NULL);
  const char *script = g_test_get_filename (G_TEST_DIST, "check-message.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *facts;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) g_bytes_unref);
  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 2);
      gsize size;
      guchar *value;

      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      value = g_base64_decode (fields[1], &size);
      value = g_realloc (value, size + 1);
      value[size] = '\0';
      g_hash_table_insert (facts, g_strdup (fields[0]), g_bytes_new_take (value, size));
    }

  return facts;
}

static const char *
fact (GHashTable *facts,
      const char *key)
{
  GBytes *value = g_hash_table_lookup (facts, key);

  g_assert_nonnull (value);
  return g_bytes_get_data (value, NULL);
}

static void
exec_sql (Fixture    *fixture,
          const char *sql)
{
  sqlite3 *db = rs_store_get_connection (fixture->store, NULL);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static char *
query (Fixture    *fixture,
       const char *format,
       ...) G_GNUC_PRINTF (2, 3);

/* The first column of the first row, as text; NULL for none or NULL. */
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
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

#define assert_query(fixture, expected, ...) \
  G_STMT_START { \
    g_autofree char *_value = query (fixture, __VA_ARGS__); \
    g_assert_cmpstr (_value, ==, expected); \
  } G_STMT_END

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autofree char *csv = NULL;

  fixture->dir = rs_test_make_tmpdir ();
  fixture->db = g_build_filename (fixture->dir, "tracker.db", NULL);
  fixture->folder = g_build_filename (fixture->dir, "Reports", NULL);
  csv = g_build_filename (fixture->dir, "master.csv", NULL);
  fixture->store = rs_store_open (fixture->db, &error);
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (csv, master_csv, -1, NULL));
  file = g_file_new_for_path (csv);
  imported = rs_import_file (fixture->store, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imported->added, ==, 6);

  made = rs_report_job_run (fixture->store, fixture->folder, NULL, 0, FALSE, 2, NULL, NULL,
                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, ==, 6);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  rs_test_server_stop (&fixture->server);
  g_clear_object (&fixture->store);
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->folder);
}

static RsSendOptions
make_options (Fixture    *fixture,
              RsSendMode  mode)
{
  RsSendOptions options = {
    .mode = mode,
    .test_address = mode == RS_SEND_MODE_TEST ? TEST_ADDRESS : NULL,
    .mailer = {
      .url = fixture->server.url,
      .connect_timeout_s = 5,
      .timeout_s = 10,
    },
    .from_address = FROM,
    .from_name = "Scan Team",
    .subject_en = "Your report, {name}",
    .subject_nl = "Uw rapport, {name}",
    .max_tries = 3,
    .backoff_ms = 10,
  };

  return options;
}

static RsSendSummary *
run_job (Fixture             *fixture,
         const RsSendOptions *options)
{
  g_autoptr(GError) error = NULL;
  RsSendSummary *summary;

  summary = rs_send_job_run (fixture->store, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  return summary;
}

static const RsSendItem *
find_item (GPtrArray *items,
           gint64     id)
{
  for (guint i = 0; i < items->len; i++)
    {
      const RsSendItem *item = g_ptr_array_index (items, i);

      if (item->id == id)
        return item;
    }

  return NULL;
}

static void
test_plan (Fixture       *fixture,
           gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendPlan) plan = NULL;
  g_autoptr(RsSendPlan) retry = NULL;
  g_autoptr(RsSendPlan) some = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { LENA, 99 };
  const RsSendItem *item;

  exec_sql (fixture,
            "UPDATE delivery SET status = 'sent' WHERE respondent_id = 1;"
            "UPDATE delivery SET status = 'unknown' WHERE respondent_id = 2;"
            "UPDATE delivery SET status = 'failed' WHERE respondent_id = 3;"
            "UPDATE delivery SET report_source_hash = report_source_hash + 1"
            " WHERE respondent_id = 5;"
            "UPDATE delivery SET report_path = NULL WHERE respondent_id = 6;");

  plan = rs_send_job_plan (fixture->store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->to_send->len, ==, 0);
  g_assert_cmpuint (plan->skipped->len, ==, 6);
  g_assert_cmpint (find_item (plan->skipped, IVO)->skip, ==, RS_SEND_SKIP_SENT);
  g_assert_cmpint (find_item (plan->skipped, ANNE)->skip, ==, RS_SEND_SKIP_UNKNOWN);
  g_assert_nonnull (strstr (find_item (plan->skipped, ANNE)->reason, "Sent folder"));
  g_assert_cmpint (find_item (plan->skipped, LENA)->skip, ==, RS_SEND_SKIP_FAILED);
  item = find_item (plan->skipped, BAD);
  g_assert_cmpint (item->skip, ==, RS_SEND_SKIP_PROBLEM);
  g_assert_nonnull (strstr (item->reason, "not-an-address"));
  g_assert_cmpint (find_item (plan->skipped, ZOE)->skip, ==, RS_SEND_SKIP_REPORT_OUTDATED);
  g_assert_cmpint (find_item (plan->skipped, SAM)->skip, ==, RS_SEND_SKIP_NO_REPORT);

  /* Failed ones come back when asked for; a missing report file counts. */
  exec_sql (fixture, "UPDATE delivery SET report_path = '/nonexistent/sam.pdf'"
                     " WHERE respondent_id = 6;");
  options.retry_failed = TRUE;
  retry = rs_send_job_plan (fixture->store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (retry->to_send->len, ==, 1);
  g_assert_cmpint (((RsSendItem *) g_ptr_array_index (retry->to_send, 0))->id, ==, LENA);
  item = find_item (retry->skipped, SAM);
  g_assert_cmpint (item->skip, ==, RS_SEND_SKIP_NO_REPORT);
  g_assert_nonnull (strstr (item->reason, "missing"));

  options.ids = ids;
  options.n_ids = G_N_ELEMENTS (ids);
  some = rs_send_job_plan (fixture->store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (some->to_send->len, ==, 1);
  g_assert_cmpuint (some->skipped->len, ==, 1);
  g_assert_cmpint (find_item (some->skipped, 99)->skip, ==, RS_SEND_SKIP_NOT_FOUND);
}

static void
test_live (Fixture       *fixture,
           gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsSendSummary) again = NULL;
  g_autoptr(GHashTable) facts = NULL;
  g_autoptr(GBytes) report = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *expected_id = NULL;
  char *contents = NULL;
  gsize length;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->total, ==, N_VALID);
  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (summary->skipped, ==, 1);
  g_assert_cmpuint (summary->remaining, ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena@example.net")), ==, 1);

  assert_query (fixture, "5", "SELECT count(*) FROM delivery WHERE status = 'sent'"
                " AND mode = 'live' AND attempts = 1 AND error IS NULL AND sent_at >= %lld"
                " AND message_id IS NOT NULL", (long long) before);
  assert_query (fixture, "pending", "SELECT status FROM delivery WHERE respondent_id = 4");
  assert_query (fixture, "pending>sending,sending>sent,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 3 AND by = 'send'"
                " AND mode = 'live' ORDER BY id)");

  /* Lena is the third message: a non-ASCII name, the report attached whole. */
  facts = server_message_facts (&fixture->server, 3);
  g_assert_cmpstr (fact (facts, "subject"), ==, "Your report, Lena Öberg");
  g_assert_cmpstr (fact (facts, "to"), ==, "lena@example.net");
  g_assert_cmpstr (fact (facts, "from_name"), ==, "Scan Team");
  g_assert_cmpstr (fact (facts, "defects"), ==, "");
  g_assert_cmpstr (fact (facts, "part1.type"), ==, "application/pdf");
  report_path = query (fixture, "SELECT report_path FROM delivery WHERE respondent_id = 3");
  g_assert_true (g_file_get_contents (report_path, &contents, &length, NULL));
  report = g_bytes_new_take (contents, length);
  g_assert_true (g_bytes_equal (report, g_hash_table_lookup (facts, "part1.payload")));
  /* The file's name carries the database's tag; the recipient's does not. */
  g_assert_nonnull (strstr (report_path, " ["));
  g_assert_cmpstr (fact (facts, "to_name"), ==, "Lena Öberg");
  {
    g_autofree char *base = g_path_get_basename (report_path);
    g_autofree char *stem = g_strndup (base, strstr (base, " [") - base);
    g_autofree char *expected_name = g_strconcat (stem, ".pdf", NULL);

    g_assert_true (g_str_has_suffix (expected_name, " ResilienceReport (Fjord AS - Lena Öberg).pdf"));
    g_assert_cmpstr (fact (facts, "part1.filename"), ==, expected_name);
  }
  message_id = query (fixture, "SELECT message_id FROM delivery WHERE respondent_id = 3");
  expected_id = g_strdup_printf ("<%s>", message_id);
  g_assert_cmpstr (fact (facts, "message_id"), ==, expected_id);
  g_clear_pointer (&facts, g_hash_table_unref);

  /* Anne's language is Dutch. */
  facts = server_message_facts (&fixture->server, 2);
  g_assert_cmpstr (fact (facts, "subject"), ==, "Uw rapport, Anne Jansen");
  g_assert_true (g_str_has_prefix (fact (facts, "part0.payload"), "Beste Anne Jansen,"));
  /* The company's own full stop is the sentence's; the date and score are
   * written the Dutch way. */
  {
    g_autoptr(GRegex) blanks = g_regex_new ("\\s+", 0, 0, NULL);
    g_autofree char *text = g_regex_replace_literal (blanks, fact (facts, "part0.payload"),
                                                     -1, 0, " ", 0, NULL);

    g_assert_nonnull (strstr (text, "namens Polder Packaging B.V. In de bijlage"));
    g_assert_nonnull (strstr (text, "die u op 2 maart 2024 hebt gegeven"));
    g_assert_nonnull (strstr (text, "veerkrachtscore is 3,0;"));
  }
  g_clear_pointer (&facts, g_hash_table_unref);

  /* Ivo reads English. */
  facts = server_message_facts (&fixture->server, 1);
  {
    g_autoptr(GRegex) blanks = g_regex_new ("\\s+", 0, 0, NULL);
    g_autofree char *text = g_regex_replace_literal (blanks, fact (facts, "part0.payload"),
                                                     -1, 0, " ", 0, NULL);

    g_assert_nonnull (strstr (text, "on behalf of Polder Packaging B.V. Attached"));
    g_assert_nonnull (strstr (text, "gave on 1 March 2024."));
    g_assert_nonnull (strstr (text, "resilience score is 2.9;"));
  }

  again = run_job (fixture, &options);
  g_assert_cmpuint (again->total, ==, 0);
  g_assert_cmpuint (again->sent, ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
}

/* A corrected address is where the next send goes; someone already sent
 * to their old address stays sent until a person marks them pending. */
static void
test_corrected_address (Fixture       *fixture,
                        gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsSendSummary) again = NULL;
  g_autoptr(GPtrArray) pending = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 lena = LENA;
  const char *fixes[] = { "ivo.bos@example.org", "waal.cfo@example.com",
                          "lena.oberg@example.org" };
  const gint64 ids[] = { IVO, BAD, LENA };

  exec_sql (fixture, "UPDATE delivery SET status = 'sent', mode = 'live', sent_at = 1"
                     " WHERE respondent_id = 3;");
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(RsCorrectionSnapshot) snapshot = NULL;

      snapshot = rs_tracker_correct (fixture->store, ids[i], RS_FIELD_EMAIL, fixes[i],
                                     &error);
      g_assert_no_error (error);
    }
  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = 3");

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, 5);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 5);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo.bos@example.org")), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("waal.cfo@example.com")), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena@example.net")), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena.oberg@example.org")), ==,
                    0);

  /* The person decides that Lena gets it again, at her new address. */
  pending = rs_tracker_mark (fixture->store, &lena, 1, RS_STATUS_PENDING, NULL, &error);
  g_assert_no_error (error);
  again = run_job (fixture, &options);
  g_assert_cmpuint (again->sent, ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 6);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena.oberg@example.org")), ==,
                    1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena@example.net")), ==, 0);
}

static void
test_test_mode (Fixture       *fixture,
                gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_TEST);
  g_autoptr(RsSendSummary) summary = NULL;

  exec_sql (fixture, "UPDATE delivery SET status = 'failed' WHERE respondent_id = 6;");
  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.retry_failed = TRUE;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO (TEST_ADDRESS)), ==, N_VALID);
  for (guint i = 1; i <= N_VALID; i++)
    {
      g_autoptr(GHashTable) facts = server_message_facts (&fixture->server, i);

      g_assert_true (g_str_has_prefix (fact (facts, "subject"), "[TEST] "));
      g_assert_cmpstr (fact (facts, "to"), ==, TEST_ADDRESS);
      if (i == 1)
        g_assert_true (g_str_has_prefix (fact (facts, "part0.payload"),
                                         "This test message would have gone to Ivo Bos "
                                         "<ivo@example.com>."));
    }

  assert_query (fixture, "5", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND sent_at IS NULL AND attempts = 0");
  assert_query (fixture, "failed", "SELECT status FROM delivery WHERE respondent_id = 6");
  assert_query (fixture, "5", "SELECT count(*) FROM history WHERE mode = 'test' AND by = 'send'"
                " AND from_status = to_status AND note = 'test message sent to " TEST_ADDRESS
                "'");
  assert_query (fixture, "failed", "SELECT to_status FROM history WHERE respondent_id = 6"
                " AND mode = 'test'");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE mode = 'live'");
}

static void
test_rejected (Fixture       *fixture,
               gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autofree char *error_text = NULL;

  rs_test_server_start (&fixture->server, "--rcpt-reply",
                "anne@example.org=550 5.1.1 No such user here", NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, N_VALID - 1);
  g_assert_cmpuint (summary->failed, ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID - 1);
  assert_query (fixture, "failed", "SELECT status FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, "550", "SELECT error_code FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, "1", "SELECT attempts FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, NULL, "SELECT sent_at FROM delivery WHERE respondent_id = 2");
  error_text = query (fixture, "SELECT error FROM delivery WHERE respondent_id = 2");
  g_assert_nonnull (strstr (error_text, "No such user here"));
  assert_query (fixture, "sending>failed", "SELECT from_status || '>' || to_status FROM history"
                " WHERE respondent_id = 2 ORDER BY id DESC LIMIT 1");
  assert_query (fixture, "4", "SELECT count(*) FROM delivery WHERE status = 'sent'");
}

static void
test_temporary (Fixture       *fixture,
                gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autofree char *error_text = NULL;

  /* Ivo's first try is cut off and goes through the second time; Anne is
   * greylisted for good, so her tries run out. */
  rs_test_server_start (&fixture->server, "--drop-data", "1", "--rcpt-reply",
                "anne@example.org=451 4.7.1 Greylisted, try later", NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, N_VALID - 1);
  g_assert_cmpuint (summary->deferred, ==, 1);
  g_assert_cmpuint (summary->failed, ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID - 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);

  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, "2", "SELECT attempts FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, NULL, "SELECT error FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, "pending>sending,sending>pending,pending>sending,sending>sent,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 1 ORDER BY id)");

  assert_query (fixture, "pending", "SELECT status FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, "3", "SELECT attempts FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, "451", "SELECT error_code FROM delivery WHERE respondent_id = 2");
  error_text = query (fixture, "SELECT error FROM delivery WHERE respondent_id = 2");
  g_assert_nonnull (strstr (error_text, "Greylisted"));
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
}

static void
test_auth_stop (Fixture       *fixture,
                gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server, "--user", "scan", "--password", "s3cret", NULL);
  options.mailer.url = fixture->server.url;
  options.mailer.user = "scan";
  options.mailer.password = "not-the-password";
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "Ivo Bos"));
  g_assert_nonnull (strstr (error->message, "Preferences"));
  g_assert_null (strstr (error->message, "not-the-password"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0 AND error IS NULL");
  assert_query (fixture, "pending>sending,sending>pending,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 1 ORDER BY id)");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE respondent_id <> 1"
                " AND by = 'send'");
}

/* A mistyped server stops the job at the first respondent, who stays
 * pending; nobody is failed or retried. */
static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = rs_test_closed_url ();

  options.mailer.url = url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "Ivo Bos"));
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0 AND error IS NULL");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE respondent_id <> 1"
                " AND by = 'send'");
}

static void
test_recover (Fixture       *fixture,
              gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *error_text = NULL;

  exec_sql (fixture, "UPDATE delivery SET status = 'sending' WHERE respondent_id = 1;");
  g_assert_true (rs_send_job_recover (fixture->store, &error));
  g_assert_no_error (error);

  assert_query (fixture, "unknown", "SELECT status FROM delivery WHERE respondent_id = 1");
  error_text = query (fixture, "SELECT error FROM delivery WHERE respondent_id = 1");
  g_assert_nonnull (strstr (error_text, "check your Sent folder"));
  assert_query (fixture, "sending>unknown/send", "SELECT from_status || '>' || to_status"
                " || '/' || by FROM history WHERE respondent_id = 1");
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);
  g_assert_cmpuint (summary->sent, ==, N_VALID - 1);
  g_assert_cmpint (find_item (summary->plan->skipped, IVO)->skip, ==, RS_SEND_SKIP_UNKNOWN);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 0);
  assert_query (fixture, "unknown", "SELECT status FROM delivery WHERE respondent_id = 1");
}

typedef struct
{
  gint in_flight;
  gboolean done;
  RsSendSummary *summary;
  GError *error;
} Watch;

static void
watch_progress (const RsSendSummary *so_far,
                const RsSendItem    *current,
                const RsSendResult  *result,
                gpointer             user_data)
{
  Watch *watch = user_data;

  if (result == NULL)
    g_atomic_int_set (&watch->in_flight, 1);
}

static void
watch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Watch *watch = user_data;

  watch->summary = rs_send_job_run_finish (RS_STORE (source), result, &watch->error);
  watch->done = TRUE;
}

static gpointer
recover_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (rs_send_job_recover (fixture->store, &error));
  g_assert_no_error (error);
  rs_store_release_connection (fixture->store);

  return NULL;
}

static void
test_recover_locked (Fixture       *fixture,
                     gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) second = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { ANNE };
  Watch watch = { 0 };
  gint64 deadline;

  rs_test_server_start (&fixture->server, "--delay", "1", NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ids;
  options.n_ids = 1;
  rs_send_job_run_async (fixture->store, &options, watch_progress, &watch, NULL, watch_done,
                         &watch);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&watch.in_flight) && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 100);
  g_assert_true (g_atomic_int_get (&watch.in_flight));
  assert_query (fixture, "sending", "SELECT status FROM delivery WHERE respondent_id = 2");

  g_thread_join (g_thread_new ("recover", recover_thread, fixture));
  assert_query (fixture, "sending", "SELECT status FROM delivery WHERE respondent_id = 2");

  second = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "Another send is running"));

  while (!watch.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (watch.error);
  g_assert_cmpuint (watch.summary->sent, ==, 1);
  rs_send_summary_free (watch.summary);
  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = 2");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE to_status = 'unknown'");
}

/* A send in the background takes its own copy of every setting, the key of
 * a certificate trusted by hand included: the caller's may be gone. */
static void
test_async_pinned (Fixture       *fixture,
                   gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_TEST);
  g_autoptr(RsMailerCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  const gint64 ids[] = { IVO };
  char *pinned;
  Watch watch = { 0 };

  rs_test_make_certificate (fixture->dir, &cert, &key);
  rs_test_server_start (&fixture->server, "--cert", cert, "--key", key, "--require-starttls",
                        NULL);
  options.mailer.url = fixture->server.url;
  options.mailer.starttls_required = TRUE;
  options.ids = ids;
  options.n_ids = 1;
  certificate = rs_mailer_fetch_certificate (&options.mailer, NULL, &error);
  g_assert_no_error (error);

  pinned = g_strdup (certificate->pin);
  options.mailer.pinned_key = pinned;
  rs_send_job_run_async (fixture->store, &options, NULL, NULL, NULL, watch_done, &watch);
  memset (pinned, 'x', strlen (pinned));
  g_free (pinned);

  while (!watch.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (watch.error);
  g_assert_cmpuint (watch.summary->sent, ==, 1);
  rs_send_summary_free (watch.summary);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 1);
}

static void
cancel_after_first (const RsSendSummary *so_far,
                    const RsSendItem    *current,
                    const RsSendResult  *result,
                    gpointer             user_data)
{
  if (result != NULL)
    g_cancellable_cancel (user_data);
}

/* After the first message, the reports of everyone not yet sent go out of
 * date, as an import or a merge of companies in another window does. */
static void
outdate_after_first (const RsSendSummary *so_far,
                     const RsSendItem    *current,
                     const RsSendResult  *result,
                     gpointer             user_data)
{
  Fixture *fixture = user_data;
  sqlite3 *db = NULL;

  if (result == NULL || fixture->outdated)
    return;

  fixture->outdated = TRUE;
  g_assert_cmpint (sqlite3_open_v2 (fixture->db, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE delivery SET report_source_hash = NULL"
                                     " WHERE status = 'pending'", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
}

/* A report that goes out of date during the round is not sent: the
 * respondent stays pending, and the round says why. */
static void
test_outdated_during (Fixture       *fixture,
                      gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  guint outdated = 0;

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, outdate_after_first, fixture, NULL,
                             &error);
  g_assert_no_error (error);
  g_assert_true (fixture->outdated);
  g_assert_cmpuint (summary->sent, ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 1);
  for (guint i = 0; i < summary->results->len; i++)
    {
      const RsSendResult *result = g_ptr_array_index (summary->results, i);

      if (result->error != NULL && strstr (result->error, "went out of date during the round"))
        {
          g_assert_cmpint (result->outcome, ==, RS_SEND_OUTCOME_SKIPPED);
          outdated++;
        }
    }
  g_assert_cmpuint (outdated, ==, N_VALID - 1);
  assert_query (fixture, "1", "SELECT count(*) FROM delivery WHERE status = 'sent'");
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE to_status = 'sending'"
                              " AND respondent_id NOT IN (SELECT respondent_id FROM delivery"
                              " WHERE status = 'sent')");
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.rate_per_minute = 60;
  summary = rs_send_job_run (fixture->store, &options, cancel_after_first, cancellable,
                             cancellable, &error);
  g_assert_no_error (error);
  g_assert_true (summary->cancelled);
  g_assert_cmpuint (summary->sent, ==, 1);
  g_assert_cmpuint (summary->remaining, ==, N_VALID - 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 1);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
  assert_query (fixture, "1", "SELECT count(*) FROM delivery WHERE status = 'sent'");
}

typedef struct
{
  int status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static GSubprocess *
cli_spawn (Fixture    *fixture,
           const char *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  va_list args;

  g_assert_nonnull (g_getenv ("RESILIENCESCAN"));
  g_ptr_array_add (argv, g_strdup (g_getenv ("RESILIENCESCAN")));
  g_ptr_array_add (argv, g_strdup_printf ("--database=%s", fixture->db));
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);

  return process;
}

static void
cli_finish (GSubprocess *process,
            CliResult   *result)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  result->status = g_subprocess_get_if_exited (process)
                   ? g_subprocess_get_exit_status (process)
                   : 128 + g_subprocess_get_term_sig (process);
}

static guint
count_lines (const char *text,
             const char *containing)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && strstr (lines[i], containing) != NULL)
      n++;

  return n;
}

static void
test_cli (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GSubprocess) both = NULL;
  g_autoptr(GSubprocess) neither = NULL;
  g_autoptr(GSubprocess) no_server = NULL;
  g_autoptr(GSubprocess) live = NULL;
  g_auto(CliResult) both_result = { 0 };
  g_auto(CliResult) neither_result = { 0 };
  g_auto(CliResult) no_server_result = { 0 };
  g_auto(CliResult) live_result = { 0 };
  g_autofree char *url = NULL;

  rs_test_server_start (&fixture->server, NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);

  both = cli_spawn (fixture, "send", "--live", "--test-address=" TEST_ADDRESS, url,
                    "--starttls=off", "--from=" FROM, NULL);
  cli_finish (both, &both_result);
  g_assert_cmpint (both_result.status, !=, 0);
  g_assert_cmpstr (both_result.out, ==, "");
  g_assert_cmpuint (count_lines (both_result.err, ""), ==, 1);
  g_assert_nonnull (strstr (both_result.err, "--live"));

  neither = cli_spawn (fixture, "send", url, "--starttls=off", "--from=" FROM, NULL);
  cli_finish (neither, &neither_result);
  g_assert_cmpint (neither_result.status, !=, 0);
  g_assert_cmpuint (count_lines (neither_result.err, ""), ==, 1);

  no_server = cli_spawn (fixture, "send", "--live", "--from=" FROM, NULL);
  cli_finish (no_server, &no_server_result);
  g_assert_cmpint (no_server_result.status, !=, 0);
  g_assert_cmpuint (count_lines (no_server_result.err, ""), ==, 1);
  g_assert_nonnull (strstr (no_server_result.err, "--smtp-url"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);

  live = cli_spawn (fixture, "send", "--live", url, "--starttls=off", "--from=" FROM,
                    "--from-name=Scan Team", "--rate=0", NULL);
  cli_finish (live, &live_result);
  g_assert_cmpstr (live_result.err, ==, "");
  g_assert_cmpint (live_result.status, ==, 0);
  g_assert_cmpuint (count_lines (live_result.out, ": sent"), ==, N_VALID);
  g_assert_nonnull (strstr (live_result.out, "[3/5] 3 Lena Öberg <lena@example.net>: sent\n"));
  g_assert_nonnull (strstr (live_result.out, "skipped 4 Bad Address <not-an-address>: "));
  g_assert_true (g_str_has_suffix (live_result.out, "Sent: 5. Failed: 0. Not sent yet, to try "
                                   "again later: 0. Skipped: 1. Not handled: 0.\n"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
  assert_query (fixture, "5", "SELECT count(*) FROM delivery WHERE status = 'sent'");
}

/* The command line's overrides: a CA file for a server with its own
 * certificate, and settings refused before any connection is made. */
static void
test_cli_settings (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *cafile = NULL;
  g_autofree char *missing = NULL;
  const char *cases[][3] = {
    { "--smtp-url=smtp://mail.example.com:25", "--starttls=off", "unencrypted" },
    { "--smtp-url=http://mail.example.com", "--starttls=required", "is not valid" },
    { NULL, NULL, "CA file" },
  };

  rs_test_make_certificate (fixture->dir, &cert, &key);
  rs_test_server_start (&fixture->server, "--cert", cert, "--key", key, "--require-starttls",
                        NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);
  cafile = g_strdup_printf ("--cafile=%s", cert);
  missing = g_strdup_printf ("--cafile=%s/missing.pem", fixture->dir);

  /* STARTTLS is the default; the certificate is nobody's known one. */
  {
    g_autoptr(GSubprocess) untrusted = NULL;
    g_auto(CliResult) result = { 0 };

    untrusted = cli_spawn (fixture, "send", "--test-address=" TEST_ADDRESS, "--id=1", url,
                           "--from=" FROM, NULL);
    cli_finish (untrusted, &result);
    g_assert_cmpint (result.status, ==, 1);
    g_assert_nonnull (strstr (result.err, "is not trusted"));
    g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);
  }

  {
    g_autoptr(GSubprocess) trusted = NULL;
    g_auto(CliResult) result = { 0 };

    trusted = cli_spawn (fixture, "send", "--test-address=" TEST_ADDRESS, "--id=1", url,
                         "--from=" FROM, cafile, NULL);
    cli_finish (trusted, &result);
    g_assert_cmpstr (result.err, ==, "");
    g_assert_cmpint (result.status, ==, 0);
    g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 1);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) refused = NULL;
      g_auto(CliResult) result = { 0 };

      if (cases[i][0] != NULL)
        refused = cli_spawn (fixture, "send", "--live", cases[i][0], cases[i][1],
                             "--from=" FROM, NULL);
      else
        refused = cli_spawn (fixture, "send", "--live", url, missing, "--from=" FROM, NULL);
      cli_finish (refused, &result);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_cmpuint (count_lines (result.err, ""), ==, 1);
      g_assert_nonnull (strstr (result.err, cases[i][2]));
    }
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 2);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

/* A live command-line send to a server that takes 0.3 s for each message,
 * once the server has taken the first. */
static GSubprocess *
spawn_slow_sender (Fixture *fixture)
{
  g_autofree char *url = NULL;
  GSubprocess *sender;
  gint64 deadline;

  rs_test_server_start (&fixture->server, "--delay", "0.3", NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);
  sender = cli_spawn (fixture, "send", "--live", url, "--starttls=off", "--from=" FROM,
                      "--rate=0", NULL);

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (rs_test_server_count (&fixture->server, MESSAGES) < 1 &&
         g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 100);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), >=, 1);

  return sender;
}

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  RsTestServer *server = &fixture->server;

  sender = spawn_slow_sender (fixture);
  /* Killed at once (between messages or at the next MAIL FROM), in the
   * middle of the next DATA, or just before the server answers it. */
  g_usleep (GPOINTER_TO_UINT (data) * 1000);
  g_subprocess_send_signal (sender, SIGKILL);
  g_subprocess_wait (sender, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rs_test_server_count (server, MESSAGES), <, N_VALID);

  /* Every message the server took is on record as sent or in sending. */
  log_path = g_build_filename (server->dir, "log.jsonl", NULL);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *to = strstr (lines[i], "\"to\": [\"");
      g_autofree char *address = NULL;
      g_autofree char *status = NULL;

      if (to == NULL)
        continue;
      to += strlen ("\"to\": [\"");
      address = g_strndup (to, strcspn (to, "\""));
      status = query (fixture, "SELECT d.status FROM delivery d JOIN respondent r"
                      " ON r.id = d.respondent_id WHERE r.email = '%s'", address);
      g_assert_true (g_strcmp0 (status, "sent") == 0 || g_strcmp0 (status, "sending") == 0);
    }
  assert_query (fixture, "1", "SELECT count(*) <= 1 FROM delivery WHERE status = 'sending'");

  g_assert_true (rs_send_job_recover (fixture->store, &error));
  g_assert_no_error (error);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'sending'");
  assert_query (fixture, "ok", "PRAGMA integrity_check");

  options.mailer.url = server->url;
  summary = run_job (fixture, &options);
  /* No second copy to anyone. Whoever is sent got exactly one; the one left
   * unknown by the kill may or may not have been taken by the server. */
  unknown = query (fixture, "SELECT count(*) FROM delivery WHERE status = 'unknown'");
  g_assert_cmpuint (g_ascii_strtoull (unknown, NULL, 10), <=, 1);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery d JOIN respondent r"
                " ON r.id = d.respondent_id WHERE r.problem IS NULL"
                " AND d.status NOT IN ('sent', 'unknown')");
  for (const char *const *a = (const char *const[]) { "ivo@example.com", "anne@example.org",
                                                      "lena@example.net", "zoe@example.com",
                                                      "sam@example.com", NULL }; *a; a++)
    {
      g_autofree char *needle = g_strdup_printf ("\"to\": [\"%s\"]", *a);
      g_autofree char *status = query (fixture, "SELECT d.status FROM delivery d JOIN"
                                       " respondent r ON r.id = d.respondent_id"
                                       " WHERE r.email = '%s'", *a);

      if (g_str_equal (status, "sent"))
        g_assert_cmpuint (rs_test_server_count (server, needle), ==, 1);
      else
        g_assert_cmpuint (rs_test_server_count (server, needle), <=, 1);
    }
}

/* Ctrl+C finishes the message in flight and stops: nothing is left in
 * sending, whoever the server took is sent, the rest is pending. */
static void
test_interrupt (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSubprocess) sender = NULL;
  g_autofree char *sent = NULL;
  g_auto(CliResult) result = { 0 };
  RsTestServer *server = &fixture->server;

  sender = spawn_slow_sender (fixture);
  g_usleep (G_USEC_PER_SEC / 10);
  g_subprocess_send_signal (sender, SIGINT);
  cli_finish (sender, &result);

  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpstr (result.err, ==, "Stopping after the message being sent…\n"
                   "resiliencescan: send: stopped before the end; whoever was not sent to yet "
                   "is still pending\n");
  g_assert_cmpuint (rs_test_server_count (server, MESSAGES), <, N_VALID);
  sent = g_strdup_printf ("%u", rs_test_server_count (server, MESSAGES));
  assert_query (fixture, sent, "SELECT count(*) FROM delivery WHERE status = 'sent'");
  assert_query (fixture, "0", "SELECT count(*) FROM delivery"
                " WHERE status NOT IN ('sent', 'pending')");
  g_assert_cmpuint (count_lines (result.out, ": sent"), ==,
                    rs_test_server_count (server, MESSAGES));
}

#define SECRET "Pw-9f3b-do-not-leak"
#define SECRET_IN_URL "Url-7c1d-do-not-echo"

/* The password is used to sign in and kept nowhere: not in the database, its
 * WAL, the reports, the settings or XDG folders, the output, or the mail. */
static void
test_password_nowhere (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *database = g_strdup_printf ("--database=%s", fixture->db);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *folders[] = {
    fixture->dir, g_get_user_config_dir (), g_get_user_data_dir (), g_get_user_state_dir (),
    g_get_user_cache_dir (),
  };

  rs_test_server_start (&fixture->server, "--user", "scan@example.com", "--password", SECRET,
                        NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "RESILIENCESCAN_SMTP_PASSWORD", SECRET, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RESILIENCESCAN"),
                                         database, "send", "--live", url, "--starttls=off",
                                         "--smtp-user=scan@example.com", "--from=" FROM,
                                         "--rate=0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* It really signed in and sent. */
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);

  g_assert_null (strstr (out, SECRET));
  g_assert_null (strstr (err, SECRET));
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    g_assert_false (rs_test_tree_contains (folders[i], SECRET));
  /* The server's own files hold what it received: the messages. */
  g_assert_false (rs_test_tree_contains (fixture->server.dir, SECRET));
  /* The search itself works: what is there is found. */
  g_assert_true (rs_test_tree_contains (fixture->server.dir, FROM));
  g_assert_true (rs_test_tree_contains (fixture->dir, "Lena"));
}

/* The logins a server counted */
#define LOGINS "\"event\": \"auth\""

typedef struct
{
  guint waits_shown;
  guint longest_wait_s;
  GPtrArray *deferred_ids;
  guint ticks;
} WaitWatch;

static void
watch_waits (const RsSendSummary *so_far,
             const RsSendItem    *current,
             const RsSendResult  *result,
             gpointer             user_data)
{
  WaitWatch *watch = user_data;

  /* While the queue waits: the seconds left, every second. */
  if (result == NULL && so_far->wait_s > 0)
    watch->ticks++;
  if (result == NULL || !result->will_retry)
    return;
  g_assert_cmpuint (so_far->wait_s, >, 0);
  watch->waits_shown++;
  watch->longest_wait_s = MAX (watch->longest_wait_s, so_far->wait_s);
  if (watch->deferred_ids != NULL && result->id == IVO)
    g_ptr_array_add (watch->deferred_ids, g_strdup (result->message_id));
}

/* A server that takes 3 messages in any 1 s: the whole queue waits when it
 * says so, longer each time, with one new connection and sign-in at most
 * for each wait; everyone gets exactly one copy. */
static void
test_throttled (Fixture       *fixture,
                gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  const char *addresses[] = {
    TO ("ivo@example.com"), TO ("anne@example.org"), TO ("lena@example.net"),
    TO ("zoe@example.com"), TO ("sam@example.com"),
  };
  WaitWatch watch = { 0 };
  gint64 start;
  guint logins;

  rs_test_server_start (&fixture->server, "--user", "scan", "--password", "s3cret",
                        "--rate-limit", "3/1", NULL);
  options.mailer.url = fixture->server.url;
  options.mailer.user = "scan";
  options.mailer.password = "s3cret";
  options.backoff_ms = 150;
  options.max_tries = 6;
  start = g_get_monotonic_time ();
  summary = rs_send_job_run (fixture->store, &options, watch_waits, &watch, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (summary->deferred, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    g_assert_cmpuint (rs_test_server_count (&fixture->server, addresses[i]), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);

  /* The server did hold the job back, and every wait was shown. */
  g_assert_cmpuint (summary->waits, >=, 1);
  g_assert_cmpuint (watch.waits_shown, ==, summary->waits);
  g_assert_cmpuint (watch.ticks, >=, summary->waits);
  /* 0.15 s, then 0.3 s, then 0.6 s: the waits grow. */
  g_assert_cmpuint (watch.longest_wait_s, >=, 1);
  logins = rs_test_server_count (&fixture->server, LOGINS);
  g_assert_cmpuint (logins, <=, 1 + summary->waits);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), <=, 1 + summary->waits);
  g_test_message ("throttled: %u messages, %u waits, %u logins, %u connections, %.1f s",
                  summary->sent, summary->waits, logins,
                  rs_test_server_count (&fixture->server, CONNECTS),
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  assert_query (fixture, "5", "SELECT count(*) FROM delivery WHERE status = 'sent'");
}

/* The Message-ID made when a respondent is first claimed stays theirs in
 * this round: a message the server put off goes again under it, and so
 * does a send after a person set them pending again. A test message has
 * an id of its own each time. */
static void
test_message_id (Fixture       *fixture,
                 gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  RsSendOptions test_options = make_options (fixture, RS_SEND_MODE_TEST);
  g_autoptr(GPtrArray) deferred_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsSendSummary) again = NULL;
  g_autoptr(RsSendSummary) test = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GHashTable) test1 = NULL;
  g_autoptr(GHashTable) test2 = NULL;
  g_autoptr(GPtrArray) marked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected = NULL;
  const gint64 ivo[] = { IVO };
  WaitWatch watch = { 0, 0, deferred_ids };

  /* Ivo's first message is cut off before its end: put off, then sent. */
  rs_test_server_start (&fixture->server, "--drop-data", "1", NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ivo;
  options.n_ids = 1;
  summary = rs_send_job_run (fixture->store, &options, watch_waits, &watch, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->sent, ==, 1);
  g_assert_cmpuint (deferred_ids->len, ==, 1);

  stored = query (fixture, "SELECT message_id FROM delivery WHERE respondent_id = 1");
  g_assert_cmpstr (stored, ==, g_ptr_array_index (deferred_ids, 0));
  expected = g_strdup_printf ("<%s>", stored);
  first = server_message_facts (&fixture->server, 1);
  g_assert_cmpstr (fact (first, "message_id"), ==, expected);

  /* Set pending by hand and sent again: the same id, for the provider to
   * see it is the same message. */
  marked = rs_tracker_mark (fixture->store, ivo, 1, RS_STATUS_PENDING, NULL, &error);
  g_assert_no_error (error);
  again = run_job (fixture, &options);
  g_assert_cmpuint (again->sent, ==, 1);
  second = server_message_facts (&fixture->server, 2);
  g_assert_cmpstr (fact (second, "message_id"), ==, expected);

  test_options.mailer.url = fixture->server.url;
  test_options.ids = ivo;
  test_options.n_ids = 1;
  test = run_job (fixture, &test_options);
  rs_send_summary_free (g_steal_pointer (&test));
  test = run_job (fixture, &test_options);
  test1 = server_message_facts (&fixture->server, 3);
  test2 = server_message_facts (&fixture->server, 4);
  g_assert_cmpstr (fact (test1, "to"), ==, TEST_ADDRESS);
  g_assert_cmpstr (fact (test1, "message_id"), !=, expected);
  g_assert_cmpstr (fact (test2, "message_id"), !=, expected);
  g_assert_cmpstr (fact (test1, "message_id"), !=, fact (test2, "message_id"));
  assert_query (fixture, stored, "SELECT message_id FROM delivery WHERE respondent_id = 1");
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", path, "-", NULL };
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &text, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return text;
}

static char *
bytes_pdf_text (Fixture    *fixture,
                GBytes     *bytes,
                const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL));
  return pdf_text (path);
}

static const char other_csv[] =
  HEADER
  "Ivo Bos,Buyer,Polder Packaging B.V.,ivo@example.com,Version 1.0 (eng),2024-03-01,"
  "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n";

/* Two databases with the same company and person share one Reports folder.
 * Whatever the other database wrote over this one's report file, the send
 * from this one attaches this one's report, made again from its data. */
static void
test_wrong_attachment (Fixture       *fixture,
                       gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autofree char *other_db = g_build_filename (fixture->dir, "other.db", NULL);
  g_autofree char *other_csv_path = g_build_filename (fixture->dir, "other.csv", NULL);
  g_autoptr(RsStore) other = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(RsImportSummary) imported = NULL;
  g_autoptr(RsReportSummary) made = NULL;
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GHashTable) facts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other_path = NULL;
  g_autofree char *own_text = NULL;
  g_autofree char *other_text = NULL;
  g_autofree char *sent_text = NULL;
  g_autofree char *other_contents = NULL;
  gsize other_length;
  const gint64 ivo[] = { IVO };

  path = query (fixture, "SELECT report_path FROM delivery WHERE respondent_id = 1");
  own_text = pdf_text (path);

  other = rs_store_open (other_db, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (other_csv_path, other_csv, -1, NULL));
  file = g_file_new_for_path (other_csv_path);
  imported = rs_import_file (other, file, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  made = rs_report_job_run (other, fixture->folder, NULL, 0, FALSE, 1, NULL, NULL, NULL,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpuint (made->made, ==, 1);
  other_path = g_strdup (((RsReportResult *) g_ptr_array_index (made->results, 0))->path);
  other_text = pdf_text (other_path);
  g_assert_cmpstr (own_text, !=, other_text);
  rs_store_release_connection (other);

  /* Names may differ per database; the same name is written over. */
  g_assert_true (g_file_get_contents (other_path, &other_contents, &other_length, NULL));
  g_assert_true (g_file_set_contents (path, other_contents, other_length, NULL));

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ivo;
  options.n_ids = 1;
  summary = run_job (fixture, &options);
  g_assert_cmpuint (summary->sent, ==, 1);

  facts = server_message_facts (&fixture->server, 1);
  sent_text = bytes_pdf_text (fixture, g_hash_table_lookup (facts, "part1.payload"),
                              "sent.pdf");
  g_assert_cmpstr (sent_text, ==, own_text);
  g_assert_cmpstr (sent_text, !=, other_text);
  assert_query (fixture, "1", "SELECT count(*) FROM history WHERE respondent_id = 1"
                " AND to_status = 'sent' AND note LIKE '%%made again%%'");
}

/* A report file that changed when the data it was made from is gone: the
 * respondent is not sent, stays pending, and the reason says so. */
static void
test_report_changed (Fixture       *fixture,
                     gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autofree char *path = NULL;
  const RsSendResult *result;
  const gint64 ivo[] = { IVO };

  path = query (fixture, "SELECT report_path FROM delivery WHERE respondent_id = 1");
  g_assert_true (g_file_set_contents (path, "%PDF-1.5 someone else's", -1, NULL));
  exec_sql (fixture, "UPDATE delivery SET report_hash = 'made from other data'"
                     " WHERE respondent_id = 1");

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ivo;
  options.n_ids = 1;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, 0);
  g_assert_cmpuint (summary->deferred, ==, 1);
  g_assert_cmpint (rs_send_summary_exit_status (summary), ==, 3);
  result = g_ptr_array_index (summary->results, 0);
  g_assert_nonnull (strstr (result->error, "changed on disk since it was made"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 0);
  assert_query (fixture, "pending", "SELECT status FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, "0", "SELECT count(*) FROM history WHERE respondent_id = 1");
}

/* One address, one report a round: Sam shares Ivo's address. */
static void
test_second_report (Fixture       *fixture,
                    gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) first = NULL;
  g_autoptr(RsSendSummary) again = NULL;
  g_autoptr(RsSendSummary) allowed = NULL;
  g_autoptr(RsSendPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  const RsSendItem *item;
  const gint64 sam[] = { SAM };

  exec_sql (fixture, "UPDATE respondent SET email = 'IVO@example.com' WHERE id = 6;"
                     "UPDATE respondent SET email = 'lena@example.net' WHERE id = 5;"
                     "UPDATE delivery SET status = 'unknown' WHERE respondent_id = 3;");
  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;

  /* In one round, the first of two at an address is sent; one whose
   * address has a report that may have arrived (unknown) is not. */
  first = run_job (fixture, &options);
  g_assert_cmpuint (first->sent, ==, 2);
  item = find_item (first->plan->skipped, SAM);
  g_assert_cmpint (item->skip, ==, RS_SEND_SKIP_SECOND_REPORT);
  g_assert_cmpstr (item->second_of, ==, "Ivo Bos, id 1");
  g_assert_nonnull (strstr (item->reason, "allow a second report"));
  g_assert_cmpint (find_item (first->plan->skipped, ZOE)->skip, ==,
                   RS_SEND_SKIP_SECOND_REPORT);
  g_assert_cmpint (rs_send_summary_exit_status (first), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);

  again = run_job (fixture, &options);
  g_assert_cmpuint (again->sent, ==, 0);
  g_assert_cmpint (find_item (again->plan->skipped, SAM)->skip, ==,
                   RS_SEND_SKIP_SECOND_REPORT);

  /* A test round knows no such rule: nothing reaches the respondents. */
  {
    RsSendOptions test = make_options (fixture, RS_SEND_MODE_TEST);
    g_autoptr(RsSendPlan) test_plan = rs_send_job_plan (fixture->store, &test, &error);

    g_assert_no_error (error);
    g_assert_null (find_item (test_plan->skipped, SAM));
  }

  /* Allowed at the confirmation: kept with the respondent. */
  options.allow_second_ids = sam;
  options.n_allow_second_ids = 1;
  options.ids = sam;
  options.n_ids = 1;
  allowed = run_job (fixture, &options);
  g_assert_cmpuint (allowed->sent, ==, 1);
  g_assert_cmpstr (find_item (allowed->plan->to_send, SAM)->second_of, ==, "Ivo Bos, id 1");
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("IVO@example.com")), ==, 1);
  assert_query (fixture, "1", "SELECT allow_second FROM delivery WHERE respondent_id = 6");
  assert_query (fixture, "0", "SELECT allow_second FROM delivery WHERE respondent_id = 5");

  options.allow_second_ids = NULL;
  options.n_allow_second_ids = 0;
  options.ids = NULL;
  options.n_ids = 0;
  plan = rs_send_job_plan (fixture->store, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_item (plan->skipped, SAM)->skip, ==, RS_SEND_SKIP_SENT);
}

static void
test_second_report_cli (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GSubprocess) refused = NULL;
  g_autoptr(GSubprocess) allowed = NULL;
  g_auto(CliResult) refused_result = { 0 };
  g_auto(CliResult) allowed_result = { 0 };
  g_autofree char *url = NULL;

  exec_sql (fixture, "UPDATE respondent SET email = 'ivo@example.com' WHERE id = 6;");
  rs_test_server_start (&fixture->server, NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);

  refused = cli_spawn (fixture, "send", "--live", url, "--starttls=off", "--from=" FROM,
                       "--rate=0", NULL);
  cli_finish (refused, &refused_result);
  g_assert_cmpint (refused_result.status, ==, 0);
  g_assert_nonnull (strstr (refused_result.out,
                            "second report 6 Sam Smit <ivo@example.com>: not sent, Ivo Bos, "
                            "id 1 has one at this address; --allow-second-report=6 sends it\n"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);

  allowed = cli_spawn (fixture, "send", "--live", "--allow-second-report=6", url,
                       "--starttls=off", "--from=" FROM, "--rate=0", NULL);
  cli_finish (allowed, &allowed_result);
  g_assert_cmpstr (allowed_result.err, ==, "");
  g_assert_cmpint (allowed_result.status, ==, 0);
  g_assert_nonnull (strstr (allowed_result.out,
                            "second report 6 Sam Smit <ivo@example.com>: allowed, although "
                            "Ivo Bos, id 1 has one at this address\n"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 2);
  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = 6");
}

/* The send lock is the database file's, whatever path leads to it: a send
 * through a symbolic link, in this process or another, is refused while
 * one runs. */
static void
test_lock_symlink (Fixture       *fixture,
                   gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autofree char *link = g_build_filename (fixture->dir, "link.db", NULL);
  g_autofree char *database = g_strdup_printf ("--database=%s", link);
  g_autofree char *url = NULL;
  g_autoptr(RsStore) linked = NULL;
  g_autoptr(RsSendSummary) second = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(CliResult) result = { 0 };
  const gint64 ids[] = { ANNE };
  Watch watch = { 0 };
  gint64 deadline;

  g_assert_cmpint (symlink (fixture->db, link), ==, 0);
  linked = rs_store_open (link, &error);
  g_assert_no_error (error);

  rs_test_server_start (&fixture->server, "--delay", "1.5", NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ids;
  options.n_ids = 1;
  rs_send_job_run_async (fixture->store, &options, watch_progress, &watch, NULL, watch_done,
                         &watch);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&watch.in_flight) && g_get_monotonic_time () < deadline)
    g_usleep (G_USEC_PER_SEC / 100);
  g_assert_true (g_atomic_int_get (&watch.in_flight));

  second = rs_send_job_run (linked, &options, NULL, NULL, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_BUSY);
  g_clear_error (&error);
  rs_store_release_connection (linked);

  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("RESILIENCESCAN"), database, "send", "--live",
                              "--id=2", url, "--starttls=off", "--from=" FROM, NULL);
  g_assert_no_error (error);
  cli_finish (process, &result);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "Another send is running"));

  while (!watch.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (watch.error);
  g_assert_cmpuint (watch.summary->sent, ==, 1);
  rs_send_summary_free (watch.summary);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("anne@example.org")), ==, 1);
  assert_query (fixture, "sent", "SELECT status FROM delivery WHERE respondent_id = 2");
}

/* Taking and leaving the send lock leaves this process's SQLite locks
 * alone: a command in another process that opens and closes the database
 * afterwards does not take itself for the last one and delete the
 * write-ahead log, and what this process writes next is kept. */
static void
test_lock_keeps_wal (Fixture       *fixture,
                     gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autofree char *wal = g_strconcat (fixture->db, "-wal", NULL);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 ids[] = { ANNE };

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.ids = ids;
  options.n_ids = 1;

  exec_sql (fixture, "UPDATE delivery SET note = 'before' WHERE respondent_id = 1");
  g_assert_true (rs_send_job_recover (fixture->store, &error));
  g_assert_no_error (error);
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->sent, ==, 1);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GSubprocess) list = cli_spawn (fixture, "list", NULL);
      g_auto(CliResult) result = { 0 };
      g_autofree char *note = g_strdup_printf ("written after list %u", round);
      g_autofree char *sql = g_strdup_printf ("UPDATE delivery SET note = '%s'"
                                              " WHERE respondent_id = 1", note);

      cli_finish (list, &result);
      g_assert_cmpint (result.status, ==, 0);
      g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

      /* Written by this process, read back by another one. */
      exec_sql (fixture, sql);
      {
        g_autoptr(GSubprocess) again = cli_spawn (fixture, "list", NULL);
        g_auto(CliResult) seen = { 0 };

        cli_finish (again, &seen);
        g_assert_cmpint (seen.status, ==, 0);
        g_assert_nonnull (strstr (seen.out, note));
      }
    }
}

/* Exit statuses: 3 when some failed or wait, 1 when the job stopped, 2 for
 * what the command line gets wrong, with a password in the URL not shown. */
static void
test_cli_exit (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autofree char *secret_url = NULL;
  g_autofree char *config = g_build_filename (fixture->dir, "config", NULL);
  g_autofree char *keyfile_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (keyfile_dir, "keyfile", NULL);

  rs_test_server_start (&fixture->server, "--rcpt-reply",
                        "anne@example.org=550 5.1.1 No such user here", NULL);
  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);

  {
    g_autoptr(GSubprocess) failed = NULL;
    g_auto(CliResult) result = { 0 };

    failed = cli_spawn (fixture, "send", "--live", url, "--starttls=off", "--from=" FROM,
                        "--rate=0", NULL);
    cli_finish (failed, &result);
    g_assert_cmpint (result.status, ==, 3);
    g_assert_nonnull (strstr (result.out, "Failed: 1."));
  }

  {
    g_autoptr(GSubprocess) help = NULL;
    g_auto(CliResult) result = { 0 };

    help = cli_spawn (fixture, "send", "--help", NULL);
    cli_finish (help, &result);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "Exit status: 0 when"));
    g_assert_nonnull (strstr (result.out, "--allow-second-report"));
  }

  /* The password in the URL: refused and not repeated. */
  secret_url = g_strdup_printf ("--smtp-url=smtp://scan:" SECRET_IN_URL "@%s",
                                fixture->server.url + strlen ("smtp://"));
  {
    g_autoptr(GSubprocess) refused = NULL;
    g_auto(CliResult) result = { 0 };

    refused = cli_spawn (fixture, "send", "--live", secret_url, "--starttls=off",
                         "--from=" FROM, NULL);
    cli_finish (refused, &result);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "--smtp-url must not contain"));
    g_assert_null (strstr (result.err, SECRET_IN_URL));
    g_assert_null (strstr (result.out, SECRET_IN_URL));
  }

  /* A password with a / in it, or a mistyped "smtp:/": refused all the
   * same, and not repeated. */
  {
    const char *urls[] = {
      "--smtp-url=smtp://scan:s3cr/" SECRET_IN_URL "@127.0.0.1:25",
      "--smtp-url=smtp:/scan:" SECRET_IN_URL "@127.0.0.1:25",
      "--smtp-url=smtp://scan:s3cr?" SECRET_IN_URL "@127.0.0.1:25",
    };

    for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
      {
        g_autoptr(GSubprocess) refused = NULL;
        g_auto(CliResult) result = { 0 };

        refused = cli_spawn (fixture, "send", "--live", urls[i], "--starttls=off",
                             "--from=" FROM, NULL);
        cli_finish (refused, &result);
        g_assert_cmpint (result.status, ==, 2);
        g_assert_null (strstr (result.err, SECRET_IN_URL));
        g_assert_null (strstr (result.out, SECRET_IN_URL));
      }
  }

  /* An id that is no one: a mistake on the command line, nothing sent. */
  {
    g_autoptr(GSubprocess) process = NULL;
    g_auto(CliResult) result = { 0 };
    guint before = rs_test_server_count (&fixture->server, MESSAGES);

    exec_sql (fixture, "UPDATE delivery SET status = 'pending'");
    process = cli_spawn (fixture, "send", "--live", "--id=1", "--id=999", url,
                         "--starttls=off", "--from=" FROM, NULL);
    cli_finish (process, &result);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "999"));
    g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, before);
  }

  /* A user name and no password anywhere: nothing goes out unsigned. */
  {
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *database = g_strdup_printf ("--database=%s", fixture->db);
    g_auto(CliResult) result = { 0 };
    guint before = rs_test_server_count (&fixture->server, MESSAGES);

    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_unsetenv (launcher, "RESILIENCESCAN_SMTP_PASSWORD");
    exec_sql (fixture, "UPDATE delivery SET status = 'pending'");
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RESILIENCESCAN"),
                                           database, "send", "--live", url, "--starttls=off",
                                           "--smtp-user=scan@example.com", "--from=" FROM,
                                           NULL);
    g_assert_no_error (error);
    cli_finish (process, &result);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "no password"));
    g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, before);
  }

  /* A template with placeholders nobody knows: named, nothing sent. */
  g_assert_cmpint (g_mkdir_with_parents (keyfile_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile,
                                      "[org/resiliencescan/ResilienceScan]\n"
                                      "template-subject-en='Your report, {naam}'\n"
                                      "template-body-nl='Beste {name}, {bedrijf}'\n", -1, NULL));
  {
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *database = g_strdup_printf ("--database=%s", fixture->db);
    g_auto(CliResult) result = { 0 };
    guint before = rs_test_server_count (&fixture->server, MESSAGES);

    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
    g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
    exec_sql (fixture, "UPDATE delivery SET status = 'pending'");
    process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RESILIENCESCAN"),
                                           database, "send", "--live", url, "--starttls=off",
                                           "--from=" FROM, NULL);
    g_assert_no_error (error);
    cli_finish (process, &result);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "{naam}, {bedrijf}"));
    g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, before);
  }
}

/* The server took the message and closed without a word: the record is
 * unknown, never tried again by itself; the others go on a new connection. */
static void
test_unknown (Fixture       *fixture,
              gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsSendSummary) again = NULL;
  const RsSendResult *result;

  rs_test_server_start (&fixture->server, "--close", "DOT#1", NULL);
  options.mailer.url = fixture->server.url;
  summary = run_job (fixture, &options);

  g_assert_cmpuint (summary->sent, ==, N_VALID - 1);
  g_assert_cmpuint (summary->unknown, ==, 1);
  g_assert_cmpuint (summary->deferred, ==, 0);
  g_assert_cmpint (rs_send_summary_exit_status (summary), ==, 3);
  result = g_ptr_array_index (summary->results, 0);
  g_assert_cmpint (result->outcome, ==, RS_SEND_OUTCOME_UNKNOWN);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
  assert_query (fixture, "unknown", "SELECT status FROM delivery WHERE respondent_id = 1");
  assert_query (fixture, "pending>sending,sending>unknown,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 1 ORDER BY id)");
  {
    g_autofree char *error_text = query (fixture, "SELECT error FROM delivery"
                                         " WHERE respondent_id = 1");

    g_assert_nonnull (strstr (error_text, "Sent folder"));
  }

  again = run_job (fixture, &options);
  g_assert_cmpuint (again->total, ==, 0);
  g_assert_cmpint (find_item (again->plan->skipped, IVO)->skip, ==, RS_SEND_SKIP_UNKNOWN);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("ivo@example.com")), ==, 1);
}

/* A refusal of the sender stops the job at once: one message naming the
 * cause, everyone not sent pending, nobody failed. */
static void
test_account_stop (Fixture       *fixture,
                   gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(CliResult) result = { 0 };
  g_autofree char *url = NULL;

  rs_test_server_start (&fixture->server, "--reply",
                        "MAIL=550 5.7.60 SMTP; Client does not have permissions to send as "
                        "this sender", NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_ACCOUNT);
  g_assert_nonnull (strstr (error->message, "5.7.60"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 1);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'"
                " AND attempts = 0");

  url = g_strdup_printf ("--smtp-url=%s", fixture->server.url);
  process = cli_spawn (fixture, "send", "--live", url, "--starttls=off", "--from=" FROM, NULL);
  cli_finish (process, &result);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpuint (count_lines (result.err, ""), ==, 1);
  g_assert_nonnull (strstr (result.err, "5.7.60"));
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

/* The same refusal for the next recipient: it was never about the first
 * either, who goes back to pending with a note; the job stops. */
static void
test_repeated_refusal (Fixture       *fixture,
                       gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server, "--reply",
                        "RCPT=550 5.4.1 Recipient address rejected: Access denied", NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED);
  g_assert_nonnull (strstr (error->message, "Anne Jansen"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
  assert_query (fixture, "pending>sending,sending>failed,failed>pending,",
                "SELECT group_concat (from_status || '>' || to_status || ',', '')"
                " FROM (SELECT * FROM history WHERE respondent_id = 1 ORDER BY id)");
  assert_query (fixture, "1", "SELECT count(*) FROM history WHERE respondent_id = 1"
                " AND to_status = 'pending' AND note LIKE 'back to pending: the same refusal%%'");
}

/* The same refusal with an id of its own in each reply (Gmail, Microsoft
 * 365) is still the same refusal: the job stops at the second. */
static void
test_repeated_refusal_ids (Fixture       *fixture,
                           gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server,
                        "--reply", "DOT#1=552 5.7.0 This message was blocked because its "
                        "content presents a potential security issue. "
                        "d2e1a9c3f5b7-20020a05 - gsmtp",
                        "--reply", "DOT#2=552 5.7.0 This message was blocked because its "
                        "content presents a potential security issue. "
                        "77ab01c4e9d2-30fa0b91 - gsmtp [BN8PR12MB3412.namprd12.prod.outlook.com]",
                        NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 0);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'failed'");
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

/* The same refusal naming each recipient's mailbox alone, with a queue id
 * of letters only: still the same refusal. */
static void
test_repeated_refusal_words (Fixture       *fixture,
                             gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server,
                        "--reply", "DOT#1=554 5.7.1 Rejected: message for ivo, queue id QwErTyUiOp",
                        "--reply", "DOT#2=554 5.7.1 Rejected: message for anne, queue id AsDfGhJkLz",
                        NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE status = 'failed'");
}

/* A sender name with a line break: nothing is sent, and the message says
 * why in one sentence each, with one full stop between them. */
static void
test_bad_sender (Fixture       *fixture,
                 gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.from_name = "Scan Team\nBcc: someone@example.org";
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);

  g_assert_null (summary);
  g_assert_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, ".."));
  g_assert_nonnull (strstr (error->message, "Preferences"));
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 0);
  assert_query (fixture, "6", "SELECT count(*) FROM delivery WHERE status = 'pending'");
}

/* Spellings of one mailbox are one address: an international domain and
 * its ASCII form, upper case beyond ASCII, either Unicode normal form. */
static void
test_second_report_spellings (Fixture       *fixture,
                              gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  exec_sql (fixture, "UPDATE respondent SET email = 'piet@bücher.example' WHERE id = 1;"
                     "UPDATE respondent SET email = 'piet@xn--bcher-kva.example' WHERE id = 2;"
                     "UPDATE respondent SET email = 'piet@BÜCHER.example' WHERE id = 3;"
                     "UPDATE respondent SET email = 'zo\xc3\xab@example.org' WHERE id = 5;"
                     "UPDATE respondent SET email = 'zoe\xcc\x88@example.org' WHERE id = 6;");
  rs_test_server_start (&fixture->server, "--smtputf8", NULL);
  options.mailer.url = fixture->server.url;
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (summary->sent, ==, 2);
  g_assert_cmpint (find_item (summary->plan->skipped, ANNE)->skip, ==,
                   RS_SEND_SKIP_SECOND_REPORT);
  g_assert_cmpint (find_item (summary->plan->skipped, LENA)->skip, ==,
                   RS_SEND_SKIP_SECOND_REPORT);
  g_assert_cmpint (find_item (summary->plan->skipped, SAM)->skip, ==,
                   RS_SEND_SKIP_SECOND_REPORT);
  g_assert_cmpuint (rs_test_server_count (&fixture->server,
                                          TO ("piet@xn--bcher-kva.example")), ==, 1);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, 2);
}

/* A From address with an international domain: its Message-IDs are ASCII,
 * and the round goes out. */
static void
test_international_from (Fixture       *fixture,
                         gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  rs_test_server_start (&fixture->server, NULL);
  options.mailer.url = fixture->server.url;
  options.from_address = "scan@bücher.example";
  summary = rs_send_job_run (fixture->store, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (summary->failed, ==, 0);
  assert_query (fixture, "0", "SELECT count(*) FROM delivery WHERE message_id NOT LIKE"
                              " '%%@xn--bcher-kva.example'");
}

/* Temporary replies at different stages: each wait costs one new
 * connection at most, and nothing is delivered twice. */
static void
test_temporary_steps (Fixture       *fixture,
                      gconstpointer  data)
{
  RsSendOptions options = make_options (fixture, RS_SEND_MODE_LIVE);
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  WaitWatch watch = { 0 };
  gint64 start;

  rs_test_server_start (&fixture->server,
                        "--reply", "GREETING#1=421 4.7.0 Too many connections, try later",
                        "--reply", "MAIL#3=432 4.3.2 System not accepting network messages",
                        NULL);
  options.mailer.url = fixture->server.url;
  options.backoff_ms = 200;
  start = g_get_monotonic_time ();
  summary = rs_send_job_run (fixture->store, &options, watch_waits, &watch, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (summary->sent, ==, N_VALID);
  g_assert_cmpuint (summary->waits, ==, 2);
  g_assert_cmpuint (watch.waits_shown, ==, 2);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, CONNECTS), ==, 3);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, MESSAGES), ==, N_VALID);
  g_assert_cmpuint (rs_test_server_count (&fixture->server, TO ("lena@example.net")), ==, 1);
  /* Both waits were waited. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * 200 * 1000);
  assert_query (fixture, "2", "SELECT attempts FROM delivery WHERE respondent_id = 3");
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/send-job/plan", test_plan);
  ADD ("/send-job/live", test_live);
  ADD ("/send-job/corrected-address", test_corrected_address);
  ADD ("/send-job/test-mode", test_test_mode);
  ADD ("/send-job/rejected", test_rejected);
  ADD ("/send-job/temporary", test_temporary);
  ADD ("/send-job/auth-stop", test_auth_stop);
  ADD ("/send-job/unreachable", test_unreachable);
  ADD ("/send-job/recover", test_recover);
  ADD ("/send-job/recover-locked", test_recover_locked);
  ADD ("/send-job/cancel", test_cancel);
  ADD ("/send-job/cli", test_cli);
  ADD ("/send-job/cli-settings", test_cli_settings);
  ADD ("/send-job/async-pinned", test_async_pinned);
  ADD ("/send-job/interrupt", test_interrupt);
  ADD ("/send-job/outdated-during", test_outdated_during);
  g_test_add ("/send-job/crash/at-once", Fixture, GUINT_TO_POINTER (0),
              fixture_set_up, test_crash, fixture_tear_down);
  g_test_add ("/send-job/crash/in-data", Fixture, GUINT_TO_POINTER (100),
              fixture_set_up, test_crash, fixture_tear_down);
  g_test_add ("/send-job/crash/before-reply", Fixture, GUINT_TO_POINTER (250),
              fixture_set_up, test_crash, fixture_tear_down);
  ADD ("/send-job/password-nowhere", test_password_nowhere);
  ADD ("/send-job/throttled", test_throttled);
  ADD ("/send-job/message-id", test_message_id);
  ADD ("/send-job/wrong-attachment", test_wrong_attachment);
  ADD ("/send-job/report-changed", test_report_changed);
  ADD ("/send-job/second-report", test_second_report);
  ADD ("/send-job/second-report-cli", test_second_report_cli);
  ADD ("/send-job/lock-symlink", test_lock_symlink);
  ADD ("/send-job/lock-keeps-wal", test_lock_keeps_wal);
  ADD ("/send-job/cli-exit", test_cli_exit);
  ADD ("/send-job/unknown", test_unknown);
  ADD ("/send-job/account-stop", test_account_stop);
  ADD ("/send-job/repeated-refusal", test_repeated_refusal);
  ADD ("/send-job/repeated-refusal-ids", test_repeated_refusal_ids);
  ADD ("/send-job/repeated-refusal-words", test_repeated_refusal_words);
  ADD ("/send-job/bad-sender", test_bad_sender);
  ADD ("/send-job/second-report-spellings", test_second_report_spellings);
  ADD ("/send-job/international-from", test_international_from);
  ADD ("/send-job/temporary-steps", test_temporary_steps);

  return g_test_run ();
}
