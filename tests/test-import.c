/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-import"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "rs-csv.h"
#include "rs-import.h"
#include "rs-master.h"
#include "rs-store.h"
#include "rs-test-util.h"
#include "rs-tracker.h"
#include "rs-xlsx.h"

/* Every test imports files it writes itself into a database of its own, and
 * reads the result back with SQL. */

#define HEADER \
  "submitdate,reportsent,name,function,company_name,email_address,version," \
  "up__r,up__c,up__f,up__v,up__a,in__r,in__c,in__f,in__v,in__a," \
  "do__r,do__c,do__f,do__v,do__a,overall_scres\n"

/* Raw CSV for the 15 scores. */
#define SCORES_A "3,4,2.5,3.5833333333333335,1,2,3,4,5,4,3,2,1,2,\"2,75\""
#define SCORES_B "1,1,1,1,1,2,2,2,2,2,3,3,3,3,3"
#define SCORES_GAPS "4,,?,N/A,7,-1,nan,,,,,,,,"

static const char *score_columns[] = {
  "up_r", "up_c", "up_f", "up_v", "up_a",
  "in_r", "in_c", "in_f", "in_v", "in_a",
  "do_r", "do_c", "do_f", "do_v", "do_a",
};

static const char *all_tables[] = {
  "respondent", "respondent_source", "delivery", "history", "import_log",
};

typedef struct
{
  const char *company;
  const char *person;
  const char *email;
  const char *sent;      /* NULL: "False" */
  const char *function;  /* NULL: "Planner" */
  const char *scores;    /* NULL: SCORES_A */
  const char *version;   /* NULL: an English version */
} Row;

static void
append_field (GString    *csv,
              const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (csv, text);
      return;
    }

  g_string_append_c (csv, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static void
append_row (GString   *csv,
            const Row *row)
{
  const char *fields[] = {
    "2024-03-01 10:00:00",
    row->sent ? row->sent : "False",
    row->person,
    row->function ? row->function : "Planner",
    row->company,
    row->email,
    row->version ? row->version : "Resilience scan 2024 (en)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      append_field (csv, fields[i]);
      g_string_append_c (csv, ',');
    }
  g_string_append (csv, row->scores ? row->scores : SCORES_A);
  g_string_append (csv, ",3.1\n");
}

static char *
csv_for (const Row *rows,
         guint      n_rows)
{
  GString *csv = g_string_new (HEADER);

  for (guint i = 0; i < n_rows; i++)
    append_row (csv, &rows[i]);

  return g_string_free (csv, FALSE);
}

static char *
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_no_error (error);

  return path;
}

static char *
write_rows (const char *dir,
            const char *name,
            const Row  *rows,
            guint       n_rows)
{
  g_autofree char *csv = csv_for (rows, n_rows);

  return write_file (dir, name, csv, -1);
}

static RsStore *
open_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "tracker.db", NULL);
  g_autoptr(GError) error = NULL;
  RsStore *store;

  store = rs_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

static sqlite3 *
connection (RsStore *store)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = rs_store_get_connection (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  /* No import leaves a transaction open behind it. */
  g_assert_true (sqlite3_get_autocommit (db));

  return db;
}

/* SQL with sqlite3_mprintf() formats: %Q for text, %lld for ids. */
static void
exec_sql (RsStore    *store,
          const char *format,
          ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;
  char *sql;

  va_start (args, format);
  sql = sqlite3_vmprintf (format, args);
  va_end (args);

  g_assert_true (rs_store_exec (connection (store), sql, &error));
  g_assert_no_error (error);
  sqlite3_free (sql);
}

static sqlite3_stmt *
prepare_va (RsStore    *store,
            const char *format,
            va_list     args)
{
  sqlite3 *db = connection (store);
  sqlite3_stmt *stmt = NULL;
  char *sql = sqlite3_vmprintf (format, args);

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_free (sql);

  return stmt;
}

/* The one value of a query that must give one row. */
static sqlite3_int64
query_int (RsStore    *store,
           const char *format,
           ...)
{
  sqlite3_stmt *stmt;
  sqlite3_int64 value;
  va_list args;

  va_start (args, format);
  stmt = prepare_va (store, format, args);
  va_end (args);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_type (stmt, 0), ==, SQLITE_INTEGER);
  value = sqlite3_column_int64 (stmt, 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return value;
}

/* Text, or "NULL". */
static char *
query_text (RsStore    *store,
            const char *format,
            ...)
{
  sqlite3_stmt *stmt;
  char *value;
  va_list args;

  va_start (args, format);
  stmt = prepare_va (store, format, args);
  va_end (args);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    value = g_strdup ("NULL");
  else
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return value;
}

/* NAN for NULL. */
static double
query_double (RsStore    *store,
              const char *format,
              ...)
{
  sqlite3_stmt *stmt;
  double value;
  va_list args;

  va_start (args, format);
  stmt = prepare_va (store, format, args);
  va_end (args);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    value = NAN;
  else
    value = sqlite3_column_double (stmt, 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return value;
}

/* Every row of a query, every value typed, one line a row. */
static char *
dump_query (RsStore    *store,
            const char *format,
            ...)
{
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  va_start (args, format);
  stmt = prepare_va (store, format, args);
  va_end (args);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          if (i > 0)
            g_string_append_c (out, '|');
          switch (sqlite3_column_type (stmt, i))
            {
            case SQLITE_NULL:
              g_string_append (out, "NULL");
              break;
            case SQLITE_INTEGER:
              g_string_append_printf (out, "i%lld", sqlite3_column_int64 (stmt, i));
              break;
            case SQLITE_FLOAT:
              g_string_append_printf (out, "f%.17g", sqlite3_column_double (stmt, i));
              break;
            default:
              g_string_append_printf (out, "'%.*s'", sqlite3_column_bytes (stmt, i),
                                      (const char *) sqlite3_column_blob (stmt, i));
              break;
            }
        }
      g_string_append_c (out, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  return g_string_free (out, FALSE);
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
dump_database (RsStore *store)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (all_tables); i++)
    {
      g_autofree char *rows = dump_query (store, "SELECT * FROM %s ORDER BY rowid",
                                          all_tables[i]);

      g_string_append_printf (out, "== %s\n%s", all_tables[i], rows);
    }

  /* The source files too: an import that fails leaves none behind. */
  {
    g_autofree char *sources = rs_store_get_sources_dir (store);
    g_autoptr(GDir) dir = g_dir_open (sources, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (sources, name, NULL);
        GStatBuf buf;

        g_assert_cmpint (g_stat (path, &buf), ==, 0);
        g_ptr_array_add (names, g_strdup_printf ("%s %lld", name, (long long) buf.st_size));
      }
    g_ptr_array_sort (names, compare_names);
    g_string_append (out, "== sources\n");
    for (guint i = 0; i < names->len; i++)
      g_string_append_printf (out, "%s\n", (char *) g_ptr_array_index (names, i));
  }

  return g_string_free (out, FALSE);
}

static sqlite3_int64
respondent_id (RsStore    *store,
               const char *email)
{
  return query_int (store, "SELECT id FROM respondent WHERE email = %Q", email);
}

/* The source row as the details view shows it, the values joined by 0x1f. */
static char *
source_of (RsStore       *store,
           sqlite3_int64  id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsRespondentDetails) details = rs_tracker_load_details (store, id, &error);

  g_assert_no_error (error);
  g_assert_null (details->source_problem);
  g_assert_cmpuint (g_strv_length (details->source_names), ==,
                    g_strv_length (details->source_values));

  return g_strjoinv ("\x1f", details->source_values);
}

static guint
count_source_files (RsStore *store)
{
  g_autofree char *sources = rs_store_get_sources_dir (store);
  g_autoptr(GDir) dir = g_dir_open (sources, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static char *
status_of (RsStore       *store,
           sqlite3_int64  id)
{
  return query_text (store, "SELECT status FROM delivery WHERE respondent_id = %lld", id);
}

static void
set_status_by_hand (RsStore       *store,
                    sqlite3_int64  id,
                    const char    *status)
{
  g_autofree char *before = status_of (store, id);

  exec_sql (store, "UPDATE delivery SET status = %Q, manually_updated = 1,"
                   " note = 'set by hand', updated_at = 1700000000 WHERE respondent_id = %lld",
            status, id);
  exec_sql (store, "INSERT INTO history (respondent_id, at, from_status, to_status, by, note)"
                   " VALUES (%lld, 1700000000, %Q, %Q, 'manual', 'set by hand')",
            id, before, status);
}

/* As the sender would leave it. */
static void
set_sent (RsStore       *store,
          sqlite3_int64  id)
{
  exec_sql (store, "UPDATE delivery SET status = 'sent', sent_at = 1700000100, mode = 'live',"
                   " attempts = 1, message_id = '<%lld@resiliencescan.example>',"
                   " report_path = '/reports/x.pdf', report_hash = 'abc',"
                   " updated_at = 1700000100 WHERE respondent_id = %lld",
            id, id);
  exec_sql (store, "INSERT INTO history (respondent_id, at, from_status, to_status, mode, by)"
                   " VALUES (%lld, 1700000050, 'pending', 'sending', 'live', 'send'),"
                   " (%lld, 1700000100, 'sending', 'sent', 'live', 'send')",
            id, id);
}

static RsImportSummary *
import_path (RsStore       *store,
             const char    *path,
             GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  return rs_import_file (store, file, NULL, NULL, NULL, error);
}

static RsImportSummary *
import_ok (RsStore    *store,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  RsImportSummary *summary = import_path (store, path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpstr (summary->file, ==, path);

  return summary;
}

static void
check_counts (const RsImportSummary *summary,
              guint                  added,
              guint                  updated,
              guint                  unchanged,
              guint                  skipped,
              guint                  flagged,
              guint                  duplicates,
              guint                  marked_sent)
{
  guint kinds[RS_IMPORT_PROBLEM_RENAMED + 1] = { 0, };

  g_assert_cmpuint (summary->added, ==, added);
  g_assert_cmpuint (summary->updated, ==, updated);
  g_assert_cmpuint (summary->unchanged, ==, unchanged);
  g_assert_cmpuint (summary->skipped, ==, skipped);
  g_assert_cmpuint (summary->flagged, ==, flagged);
  g_assert_cmpuint (summary->duplicates, ==, duplicates);
  g_assert_cmpuint (summary->marked_sent, ==, marked_sent);

  /* Each problem is listed, once. */
  for (guint i = 0; i < summary->problems->len; i++)
    {
      const RsImportProblem *problem = g_ptr_array_index (summary->problems, i);

      g_assert_cmpuint (problem->kind, <, G_N_ELEMENTS (kinds));
      kinds[problem->kind]++;
    }
  g_assert_cmpuint (kinds[RS_IMPORT_PROBLEM_SKIPPED], ==, skipped);
  g_assert_cmpuint (kinds[RS_IMPORT_PROBLEM_FLAGGED], ==, flagged);
  g_assert_cmpuint (kinds[RS_IMPORT_PROBLEM_DUPLICATE], ==, duplicates);
  g_assert_cmpuint (kinds[RS_IMPORT_PROBLEM_ENCODING], ==, summary->recoded);
  g_assert_cmpuint (kinds[RS_IMPORT_PROBLEM_RENAMED], ==, summary->renamed);

  /* In the order of their lines */
  for (guint i = 1; i < summary->problems->len; i++)
    g_assert_cmpuint (((RsImportProblem *) summary->problems->pdata[i - 1])->line, <=,
                      ((RsImportProblem *) summary->problems->pdata[i])->line);
}

static const RsImportProblem *
find_problem (const RsImportSummary *summary,
              RsImportProblemKind    kind,
              guint                  line)
{
  const RsImportProblem *found = NULL;

  for (guint i = 0; i < summary->problems->len; i++)
    {
      const RsImportProblem *problem = g_ptr_array_index (summary->problems, i);

      if (problem->kind == kind && problem->line == line)
        {
          g_assert_null (found);
          found = problem;
        }
    }

  if (found == NULL)
    g_error ("No problem of kind %d on line %u", kind, line);

  return found;
}

/* Whether @number stands in @text as a number of its own. */
static gboolean
has_number (const char *text,
            guint       number)
{
  for (const char *p = text; *p; )
    {
      if (g_ascii_isdigit (*p))
        {
          char *end = NULL;
          guint64 value = g_ascii_strtoull (p, &end, 10);

          if (value == number)
            return TRUE;
          p = end;
        }
      else
        {
          p++;
        }
    }

  return FALSE;
}

static void
check_problem (const RsImportSummary *summary,
               RsImportProblemKind    kind,
               guint                  line,
               const char            *person,
               const char            *reason_part)
{
  const RsImportProblem *problem = find_problem (summary, kind, line);
  g_autofree char *text = rs_import_problem_describe (problem);

  g_test_message ("%s", text);
  g_assert_cmpstr (problem->person, ==, person);
  g_assert_nonnull (problem->reason);
  g_assert_cmpstr (problem->reason, !=, "");
  if (reason_part != NULL)
    g_assert_nonnull (strstr (problem->reason, reason_part));

  /* One line of text with the line, the person and the reason. */
  g_assert_null (strchr (text, '\n'));
  g_assert_true (has_number (text, line));
  if (person[0] != '\0')
    g_assert_nonnull (strstr (text, person));
  g_assert_nonnull (strstr (text, problem->reason));
}

static void
test_import_basic (void)
{
  const Row rows[] = {
    /* 2 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo.bos@polder.example" },
    /* 3 */ { "Smit & Zonen, Logistiek", "Ÿlva Österberg", "ylva@smit.example",
              .function = "Head of S&OP / planning" },
    /* 4 */ { "-", "Jan Jansen", "jan@nowhere.example" },
    /* 5 */ { "Unknown", "Piet Klaver", "piet@nowhere.example" },
    /* 6 */ { "Kaasmakerij Noord", "Anna de Wit", "anna at kaas.example" },
    /* 7 */ { "Kaasmakerij Noord", "Bram de Wit", "" },
    /* 8 */ { "  polder  packaging b.v. ", "IVO BOS", "Ivo.Bos@Polder.example",
              .function = "Head of planning", .scores = SCORES_B },
    /* 9 */ { "Brouwerij 't Vosje", "Zoë \"Zo\" Visser", "zoe@vosje.example",
              .scores = SCORES_GAPS, .version = "Resilience scan 2024 (nl)" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = write_rows (dir, "master.csv", rows, G_N_ELEMENTS (rows));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *counts = NULL;
  sqlite3_int64 id;

  summary = import_ok (store, path);
  check_counts (summary, 5, 0, 0, 2, 2, 1, 0);
  g_assert_cmpuint (summary->problems->len, ==, 5);

  counts = rs_import_summary_describe (summary);
  g_test_message ("%s", counts);
  g_assert_nonnull (strstr (counts, "5 new"));
  g_assert_nonnull (strstr (counts, "2 skipped"));
  g_assert_nonnull (strstr (counts, "2 flagged"));
  g_assert_nonnull (strstr (counts, "1 duplicate"));

  check_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 4, "Jan Jansen", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 5, "Piet Klaver", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 6, "Anna de Wit", "no valid e-mail address");
  check_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 7, "Bram de Wit", "no valid e-mail address");
  check_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 8, "IVO BOS", NULL);
  g_assert_true (has_number (find_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 8)->reason, 2));

  /* Flagged and duplicate rows name the respondent they were stored as. */
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 4)->respondent_id, ==, 0);
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 6)->respondent_id, ==,
                   query_int (store, "SELECT id FROM respondent WHERE person = 'Anna de Wit'"));
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 7)->respondent_id, ==,
                   query_int (store, "SELECT id FROM respondent WHERE person = 'Bram de Wit'"));
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 8)->respondent_id, ==,
                   respondent_id (store, "Ivo.Bos@Polder.example"));
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 6)->respondent_id, !=,
                   find_problem (summary, RS_IMPORT_PROBLEM_FLAGGED, 7)->respondent_id);

  /* Skipped rows are not stored; flagged ones are, each with a delivery. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 5);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"
                                     " WHERE source_offset IS NOT NULL"), ==, 5);
  g_assert_cmpuint (count_source_files (store), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery WHERE status = 'pending'"
                                     " AND manually_updated = 0 AND attempts = 0"), ==, 5);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM history"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent WHERE"
                                     " company IN ('-', 'Unknown')"), ==, 0);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log WHERE file = %Q"
                                     " AND added = 5 AND updated = 0 AND unchanged = 0"
                                     " AND skipped = 2 AND flagged = 2"
                                     " AND header LIKE '%%company_name%%email_address%%'",
                              path),
                   ==, 1);

  /* The later of the two rows of one person wins. */
  id = respondent_id (store, "Ivo.Bos@Polder.example");
  {
    g_autofree char *company = query_text (store, "SELECT company FROM respondent"
                                                  " WHERE id = %lld", id);
    g_autofree char *person = query_text (store, "SELECT person FROM respondent"
                                                 " WHERE id = %lld", id);
    g_autofree char *function = query_text (store, "SELECT function FROM respondent"
                                                   " WHERE id = %lld", id);
    g_autofree char *problem = query_text (store, "SELECT problem FROM respondent"
                                                  " WHERE id = %lld", id);
    g_autofree char *source = source_of (store, id);

    g_assert_cmpstr (company, ==, "polder packaging b.v.");
    g_assert_cmpstr (person, ==, "IVO BOS");
    g_assert_cmpstr (function, ==, "Head of planning");
    g_assert_cmpstr (problem, ==, "NULL");
    g_assert_nonnull (strstr (source, "Head of planning"));
    g_assert_null (strstr (source, "Planner"));
    g_assert_cmpint (query_int (store, "SELECT source_line FROM respondent WHERE id = %lld", id),
                     ==, 8);
    for (guint i = 0; i < RS_N_SCORES; i++)
      g_assert_cmpfloat (query_double (store, "SELECT %s FROM respondent WHERE id = %lld",
                                       score_columns[i], id),
                         ==, 1.0 + i / 5);
  }

  /* Names with punctuation and letters beyond ASCII, and all the scores. */
  id = respondent_id (store, "ylva@smit.example");
  {
    static const double expected[RS_N_SCORES] = {
      3, 4, 2.5, 3.5833333333333335, 1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 2.75,
    };
    g_autofree char *company = query_text (store, "SELECT company FROM respondent"
                                                  " WHERE id = %lld", id);
    g_autofree char *person = query_text (store, "SELECT person FROM respondent"
                                                 " WHERE id = %lld", id);
    g_autofree char *function = query_text (store, "SELECT function FROM respondent"
                                                   " WHERE id = %lld", id);
    g_autofree char *language = query_text (store, "SELECT language FROM respondent"
                                                   " WHERE id = %lld", id);
    g_autofree char *submitted = query_text (store, "SELECT submitted_at FROM respondent"
                                                    " WHERE id = %lld", id);

    g_assert_cmpstr (company, ==, "Smit & Zonen, Logistiek");
    g_assert_cmpstr (person, ==, "Ÿlva Österberg");
    g_assert_cmpstr (function, ==, "Head of S&OP / planning");
    g_assert_cmpstr (language, ==, "en");
    g_assert_cmpstr (submitted, ==, "2024-03-01 10:00:00");
    for (guint i = 0; i < RS_N_SCORES; i++)
      g_assert_cmpfloat (query_double (store, "SELECT %s FROM respondent WHERE id = %lld",
                                       score_columns[i], id),
                         ==, expected[i]);
  }

  /* Missing scores are NULL, the rest clamped; Dutch from the version. */
  id = respondent_id (store, "zoe@vosje.example");
  {
    g_autofree char *person = query_text (store, "SELECT person FROM respondent"
                                                 " WHERE id = %lld", id);
    g_autofree char *language = query_text (store, "SELECT language FROM respondent"
                                                   " WHERE id = %lld", id);

    g_assert_cmpstr (person, ==, "Zoë \"Zo\" Visser");
    g_assert_cmpstr (language, ==, "nl");
    for (guint i = 0; i < RS_N_SCORES; i++)
      {
        double value = query_double (store, "SELECT %s FROM respondent WHERE id = %lld",
                                     score_columns[i], id);

        if (i == 0)
          g_assert_cmpfloat (value, ==, 4.0);
        else if (i == 4)
          g_assert_cmpfloat (value, ==, 5.0);
        else if (i == 5)
          g_assert_cmpfloat (value, ==, 0.0);
        else
          g_assert_true (isnan (value));
      }
  }

  /* Flagged rows keep their problem. */
  {
    g_autofree char *anna = query_text (store, "SELECT problem FROM respondent"
                                               " WHERE person = 'Anna de Wit'");
    g_autofree char *bram = query_text (store, "SELECT problem FROM respondent"
                                               " WHERE person = 'Bram de Wit'");
    g_autofree char *email = query_text (store, "SELECT email FROM respondent"
                                                " WHERE person = 'Bram de Wit'");

    g_assert_nonnull (strstr (anna, "no valid e-mail address"));
    g_assert_nonnull (strstr (bram, "no valid e-mail address"));
    g_assert_cmpstr (email, ==, "");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_raw_header (void)
{
  static const char csv[] =
    "\xef\xbb\xbfSubmit date;reportsent;Name;Function;Company name:;E-mail address;Version;"
    "Up - R;Up - C;Up - F;Up - V;Up - A;In - R;In - C;In - F;In - V;In - A;"
    "Do - R;Do - C;Do - F;Do - V;Do - A\r\n"
    "2024-03-01;False;Noor Dijkstra;Inkoper;Dijk Metaal B.V.;noor@dijk.example;Scan (en);"
    "4,25;3,5;2;1;0,5;3;3;3;3;3;2;2;2;2;2\r\n"
    "2024-03-02;True;Sem Bakker;COO;Bakker & Zn.;sem@bakker.example;Scan (nl);"
    "1;2;3;4;5;1;2;3;4;5;1;2;3;4;5\r\n";
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "Master export.csv", csv, -1);
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  sqlite3_int64 noor;
  sqlite3_int64 sem;

  summary = import_ok (store, path);
  check_counts (summary, 2, 0, 0, 0, 0, 0, 1);

  noor = respondent_id (store, "noor@dijk.example");
  sem = respondent_id (store, "sem@bakker.example");
  g_assert_cmpfloat (query_double (store, "SELECT up_r FROM respondent WHERE id = %lld", noor),
                     ==, 4.25);
  g_assert_cmpfloat (query_double (store, "SELECT up_a FROM respondent WHERE id = %lld", noor),
                     ==, 0.5);
  g_assert_cmpfloat (query_double (store, "SELECT do_a FROM respondent WHERE id = %lld", sem),
                     ==, 5.0);
  {
    g_autofree char *company = query_text (store, "SELECT company FROM respondent"
                                                  " WHERE id = %lld", sem);
    g_autofree char *language = query_text (store, "SELECT language FROM respondent"
                                                   " WHERE id = %lld", sem);
    g_autofree char *status = status_of (store, sem);

    g_assert_cmpstr (company, ==, "Bakker & Zn.");
    g_assert_cmpstr (language, ==, "nl");
    g_assert_cmpstr (status, ==, "sent");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_reimport (void)
{
  const Row first[] = {
    /* 2 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
    /* 3 */ { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
    /* 4 */ { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example" },
    /* 5 */ { "Brouwerij 't Vosje", "Zoë Visser", "zoe@vosje.example" },
  };
  const Row second[] = {
    /* 2 */ { "Brouwerij 't Vosje", "Zoë Visser", "zoe@vosje.example" },
    /* 3 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example",
              .function = "Head of planning", .scores = SCORES_B },
    /* 4 */ { "Smit & Zonen", "Ylva Smit", "ylva@smit.example", .scores = SCORES_GAPS },
    /* 5 */ { "Dijk Metaal", "Noor Dijkstra", "noor@dijk.example" },
    /* 6 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example",
              .function = "Director of planning", .scores = SCORES_B },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *deliveries = NULL;
  g_autofree char *history = NULL;
  g_autofree char *anna_before = NULL;
  sqlite3_int64 ivo, ylva, anna, zoe, noor;
  sqlite3_int64 ivo_first_imported;

  summary = import_ok (store, first_path);
  check_counts (summary, 4, 0, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);

  ivo = respondent_id (store, "ivo@polder.example");
  ylva = respondent_id (store, "ylva@smit.example");
  anna = respondent_id (store, "anna@kaas.example");
  zoe = respondent_id (store, "zoe@vosje.example");
  ivo_first_imported = query_int (store, "SELECT first_imported_at FROM respondent"
                                         " WHERE id = %lld", ivo);

  /* What happened since: a status set by hand, a report sent. */
  set_status_by_hand (store, ivo, "failed");
  set_sent (store, ylva);

  deliveries = dump_query (store, "SELECT * FROM delivery ORDER BY rowid");
  history = dump_query (store, "SELECT * FROM history ORDER BY rowid");
  anna_before = dump_query (store, "SELECT * FROM respondent WHERE id = %lld", anna);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM history"), ==, 3);

  summary = import_ok (store, second_path);
  check_counts (summary, 1, 2, 1, 0, 0, 1, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 6, "Ivo Bos", NULL);
  g_assert_true (has_number (find_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 6)->reason, 3));
  g_clear_pointer (&summary, rs_import_summary_free);

  /* The same people keep their ids; the new one is added. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 5);
  g_assert_cmpint (respondent_id (store, "ivo@polder.example"), ==, ivo);
  g_assert_cmpint (respondent_id (store, "ylva@smit.example"), ==, ylva);
  g_assert_cmpint (respondent_id (store, "zoe@vosje.example"), ==, zoe);
  noor = respondent_id (store, "noor@dijk.example");
  g_assert_cmpint (noor, >, MAX (MAX (ivo, ylva), MAX (anna, zoe)));

  /* Data updated, the latest row of the file winning. */
  {
    g_autofree char *function = query_text (store, "SELECT function FROM respondent"
                                                   " WHERE id = %lld", ivo);
    g_autofree char *source = source_of (store, ivo);

    g_assert_cmpstr (function, ==, "Director of planning");
    g_assert_nonnull (strstr (source, "Director of planning"));
    g_assert_cmpfloat (query_double (store, "SELECT up_r FROM respondent WHERE id = %lld", ivo),
                       ==, 1.0);
    g_assert_cmpint (query_int (store, "SELECT first_imported_at FROM respondent"
                                       " WHERE id = %lld", ivo), ==, ivo_first_imported);
    g_assert_true (isnan (query_double (store, "SELECT up_c FROM respondent WHERE id = %lld",
                                        ylva)));
    g_assert_cmpfloat (query_double (store, "SELECT up_r FROM respondent WHERE id = %lld", ylva),
                       ==, 4.0);
  }

  /* Someone not in the new file is kept as they were. */
  {
    g_autofree char *anna_after = dump_query (store, "SELECT * FROM respondent"
                                                     " WHERE id = %lld", anna);

    g_assert_cmpstr (anna_after, ==, anna_before);
  }

  /* Every status and all history survive: only the new person's delivery is new. */
  {
    g_autofree char *deliveries_after = NULL;
    g_autofree char *history_after = NULL;
    g_autofree char *ivo_status = status_of (store, ivo);
    g_autofree char *noor_status = status_of (store, noor);

    deliveries_after = dump_query (store, "SELECT * FROM delivery WHERE respondent_id <> %lld"
                                          " ORDER BY rowid", noor);
    history_after = dump_query (store, "SELECT * FROM history ORDER BY rowid");
    g_assert_cmpstr (deliveries_after, ==, deliveries);
    g_assert_cmpstr (history_after, ==, history);
    g_assert_cmpstr (ivo_status, ==, "failed");
    g_assert_cmpint (query_int (store, "SELECT manually_updated FROM delivery"
                                       " WHERE respondent_id = %lld", ivo), ==, 1);
    g_assert_cmpstr (noor_status, ==, "pending");
  }

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log"), ==, 2);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log WHERE file = %Q"
                                     " AND added = 1 AND updated = 2 AND unchanged = 1"
                                     " AND skipped = 0 AND flagged = 0", second_path), ==, 1);

  /* The same file again changes nothing but the log. (A person whose rows
   * come twice is written twice, so which import wrote them last may move.) */
  {
    static const char *unchanging[] = { "respondent_source", "delivery", "history" };
    const char *respondent_columns =
      "id, identity_key, company, person, email, function, submitted_at, language,"
      " up_r, up_c, up_f, up_v, up_a, in_r, in_c, in_f, in_v, in_a,"
      " do_r, do_c, do_f, do_v, do_a, problem, source_line, source_hash,"
      " first_imported_at";
    g_autofree char *respondents = NULL;
    g_autofree char *respondents_after = NULL;
    char *tables[G_N_ELEMENTS (unchanging)] = { NULL, };

    respondents = dump_query (store, "SELECT %s FROM respondent ORDER BY id",
                              respondent_columns);
    for (guint i = 0; i < G_N_ELEMENTS (unchanging); i++)
      tables[i] = dump_query (store, "SELECT * FROM %s ORDER BY rowid", unchanging[i]);

    summary = import_ok (store, second_path);
    check_counts (summary, 0, 0, 4, 0, 0, 1, 0);
    g_clear_pointer (&summary, rs_import_summary_free);

    respondents_after = dump_query (store, "SELECT %s FROM respondent ORDER BY id",
                                    respondent_columns);
    g_assert_cmpstr (respondents_after, ==, respondents);
    for (guint i = 0; i < G_N_ELEMENTS (unchanging); i++)
      {
        g_autofree char *after = dump_query (store, "SELECT * FROM %s ORDER BY rowid",
                                             unchanging[i]);

        g_assert_cmpstr (after, ==, tables[i]);
        g_free (tables[i]);
      }
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log"), ==, 3);
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A row's hash says whether it changed since the last import, so it must
 * stay what earlier versions stored: else a re-import would take everyone
 * for changed. These values were stored by the first version with hashes. */
static void
test_import_source_hash_stable (void)
{
  const char csv[] = "company_name,name,email_address,function,up__r\n"
                     "\"Polder, Packaging\",Ivo B\xc3\xb6s,ivo@polder.example,"
                     "\"Buyer\x1f" "one\",3.5\n"
                     "Smit & Zonen,Ylva Smit,ylva@smit.example,CFO,\"4,25\"\n";
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "pin.csv", csv, sizeof csv - 1);
  g_autoptr(RsStore) store = open_store (dir);

  rs_import_summary_free (import_ok (store, path));
  g_assert_cmpint (query_int (store, "SELECT source_hash FROM respondent WHERE email = %Q",
                              "ivo@polder.example"), ==, G_GINT64_CONSTANT (5243102533534011272));
  g_assert_cmpint (query_int (store, "SELECT source_hash FROM respondent WHERE email = %Q",
                              "ylva@smit.example"), ==, G_GINT64_CONSTANT (-8188255193794067621));

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* The source rows an import adds or changes go to a file of that import,
 * which goes once no respondent points at it. */
static void
test_import_source_files (void)
{
  const Row first[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
  };
  const Row second[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example", .function = "COO" },
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example", .function = "CFO" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *first_file = NULL;
  g_autofree char *second_file = NULL;
  sqlite3_int64 ivo;
  gint64 first_import;

  /* The file of an import that never committed goes with the first that
   * does. */
  {
    g_autofree char *sources = rs_store_get_sources_dir (store);
    g_autofree char *stray = rs_store_get_source_path (store, 77);

    g_assert_cmpint (g_mkdir_with_parents (sources, 0700), ==, 0);
    g_assert_true (g_file_set_contents (stray, "left over", -1, NULL));
    summary = import_ok (store, first_path);
    g_assert_false (g_file_test (stray, G_FILE_TEST_EXISTS));
  }
  g_clear_pointer (&summary, rs_import_summary_free);
  ivo = respondent_id (store, "ivo@polder.example");
  first_import = query_int (store, "SELECT source_import FROM respondent WHERE id = %lld", ivo);
  first_file = rs_store_get_source_path (store, first_import);
  g_assert_true (g_file_test (first_file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_source_files (store), ==, 1);

  /* Nothing new: no file. */
  summary = import_ok (store, first_path);
  check_counts (summary, 0, 0, 2, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  g_assert_cmpuint (count_source_files (store), ==, 1);

  /* Both changed: the first file is not used any more, and goes. */
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 2, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  second_file = rs_store_get_source_path (store, query_int (store, "SELECT source_import"
                                                                  " FROM respondent"
                                                                  " WHERE id = %lld", ivo));
  g_assert_cmpstr (second_file, !=, first_file);
  {
    g_autofree char *source = source_of (store, ivo);

    g_assert_nonnull (strstr (source, "\x1f" "COO\x1f"));
  }
  g_assert_false (g_file_test (first_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (second_file, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_source_files (store), ==, 1);

  /* A file lost or cut short shows as such, not as wrong columns. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RsRespondentDetails) details = NULL;

    g_assert_true (g_file_set_contents (second_file, "short", -1, &error));
    g_assert_no_error (error);
    details = rs_tracker_load_details (store, ivo, &error);
    g_assert_no_error (error);
    g_assert_nonnull (details->source_problem);
    g_assert_cmpuint (g_strv_length (details->source_names), ==, 0);
    g_clear_pointer (&details, rs_respondent_details_free);

    g_assert_cmpint (g_unlink (second_file), ==, 0);
    details = rs_tracker_load_details (store, ivo, &error);
    g_assert_no_error (error);
    g_assert_nonnull (details->source_problem);
    g_assert_nonnull (strstr (details->source_problem, second_file));
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Rows pass from the reader thread to the writer in batches; every row
 * keeps its own details and source row in a file of many batches, also one
 * with the source's separator in a field. */
static void
test_import_many_batches (void)
{
  const guint n_rows = 1000;
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(GString) csv = g_string_new (HEADER);
  g_autofree char *path = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *person = g_strdup_printf ("Person %u", i);
      g_autofree char *email = g_strdup_printf ("person.%u@example.com", i);
      g_autofree char *function = g_strdup_printf (i == 700 ? "Buyer\x1f%u" : "Buyer %u", i);
      g_autofree char *scores = g_strdup_printf ("%u,%u.5,2,2,2,2,2,2,2,2,2,2,2,2,%u",
                                                 i % 5 + 1, i % 4 + 1, i % 3 + 1);
      Row row = {
        .company = "Polder Packaging B.V.", .person = person, .email = email,
        .function = function, .scores = scores,
        .version = i % 2 ? "Resilience scan 2024 (NL)" : NULL,
      };

      append_row (csv, &row);
    }
  path = write_file (dir, "many.csv", csv->str, csv->len);
  store = open_store (dir);
  summary = import_ok (store, path);
  check_counts (summary, n_rows, 0, 0, 0, 0, 0, 0);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *email = g_strdup_printf ("person.%u@example.com", i);
      g_autofree char *expected = g_strdup_printf (i == 700 ? "Buyer\x1f%u" : "Buyer %u", i);
      g_autofree char *function = NULL;
      g_autofree char *language = NULL;
      g_autofree char *source = NULL;
      sqlite3_int64 id = respondent_id (store, email);

      function = query_text (store, "SELECT function FROM respondent WHERE id = %lld", id);
      g_assert_cmpstr (function, ==, expected);
      language = query_text (store, "SELECT language FROM respondent WHERE id = %lld", id);
      g_assert_cmpstr (language, ==, i % 2 ? "nl" : "en");
      g_assert_cmpfloat (query_double (store, "SELECT up_r FROM respondent WHERE id = %lld", id),
                         ==, i % 5 + 1);
      g_assert_cmpfloat (query_double (store, "SELECT up_c FROM respondent WHERE id = %lld", id),
                         ==, i % 4 + 1.5);
      g_assert_cmpfloat (query_double (store, "SELECT do_a FROM respondent WHERE id = %lld", id),
                         ==, i % 3 + 1);

      /* The separator in a field is a space in the source row. */
      source = source_of (store, id);
      g_assert_nonnull (strstr (source, i == 700 ? "\x1f" "Buyer 700\x1f" : expected));
    }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* The import's commit does not copy the write-ahead log into the database:
 * rs_store_checkpoint() does, later. The connection's own settings are back
 * after the import. */
static void
test_import_checkpoint_after (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(GString) csv = g_string_new (HEADER);
  g_autofree char *path = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(RsStore) store = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf before;
  GStatBuf after;

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *person = g_strdup_printf ("Person %u", i);
      g_autofree char *email = g_strdup_printf ("person.%u@example.com", i);
      Row row = { .company = "Polder Packaging B.V.", .person = person, .email = email };

      append_row (csv, &row);
    }
  path = write_file (dir, "master.csv", csv->str, csv->len);
  store = open_store (dir);
  db_path = g_strdup (rs_store_get_path (store));

  summary = import_ok (store, path);
  check_counts (summary, 2000, 0, 0, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (query_int (store, "PRAGMA wal_autocheckpoint"), ==, 1000);
  g_assert_cmpint (query_int (store, "PRAGMA foreign_keys"), ==, 1);

  g_assert_cmpint (g_stat (db_path, &before), ==, 0);
  g_assert_true (rs_store_checkpoint (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (db_path, &after), ==, 0);
  g_assert_cmpint (after.st_size, >, before.st_size + 100 * 1024);

  /* All there, for a connection of its own too. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM respondent", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2000);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A person whose rows come twice counts by the last of them. */
static void
test_import_duplicate_counts (void)
{
  const Row first[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
    { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example" },
  };
  const Row second[] = {
    /* 2 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
    /* 3 */ { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
    /* 4 */ { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example", .function = "Owner" },
    /* 5 */ { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example", .function = "COO" },
    /* 6 */ { "Smit & Zonen", "Ylva Smit", "ylva@smit.example", .function = "CFO" },
    /* 7 */ { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;

  summary = import_ok (store, first_path);
  check_counts (summary, 3, 0, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);

  /* Ivo and Ylva end changed, Anna as she was. */
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 2, 1, 0, 0, 3, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 5, "Ivo Bos", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 6, "Ylva Smit", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_DUPLICATE, 7, "Anna de Wit", NULL);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log WHERE file = %Q"
                                     " AND added = 0 AND updated = 2 AND unchanged = 1",
                              second_path), ==, 1);
  {
    g_autofree char *ivo = query_text (store, "SELECT function FROM respondent"
                                              " WHERE email = 'ivo@polder.example'");
    g_autofree char *ylva = query_text (store, "SELECT function FROM respondent"
                                               " WHERE email = 'ylva@smit.example'");
    g_autofree char *anna = query_text (store, "SELECT function FROM respondent"
                                               " WHERE email = 'anna@kaas.example'");

    g_assert_cmpstr (ivo, ==, "COO");
    g_assert_cmpstr (ylva, ==, "CFO");
    g_assert_cmpstr (anna, ==, "Planner");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_identity (void)
{
  const Row first[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo.bos@polder.example" },
    { "Ålesund Fisk AS", "Ÿlva Österberg", "ylva@fisk.example" },
  };
  const Row second[] = {
    { "  polder  PACKAGING b.v. ", " ivo   BOS", "IVO.BOS@polder.example " },
    { "ålesund fisk as", "ÿlva östErberg", "Ylva@Fisk.Example" },
    /* Not the same person. */
    { "Polder Packaging", "Ivo Bos", "ivo.bos@polder.example" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  sqlite3_int64 ivo;

  summary = import_ok (store, first_path);
  check_counts (summary, 2, 0, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  ivo = respondent_id (store, "ivo.bos@polder.example");

  summary = import_ok (store, second_path);
  check_counts (summary, 1, 2, 0, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  g_assert_cmpint (respondent_id (store, "IVO.BOS@polder.example"), ==, ivo);
  {
    g_autofree char *company = query_text (store, "SELECT company FROM respondent"
                                                  " WHERE id = %lld", ivo);
    g_autofree char *person = query_text (store, "SELECT person FROM respondent"
                                                 " WHERE email = 'Ylva@Fisk.Example'");

    g_assert_cmpstr (company, ==, "polder PACKAGING b.v.");
    g_assert_cmpstr (person, ==, "ÿlva östErberg");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static RsCorrectionSnapshot *
correct_ok (RsStore       *store,
            sqlite3_int64  id,
            RsField        field,
            const char    *value)
{
  g_autoptr(GError) error = NULL;
  RsCorrectionSnapshot *snapshot = rs_tracker_correct (store, id, field, value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (snapshot);

  return snapshot;
}

/* A correction by hand wins over later imports: the same file matches the
 * corrected respondent, a newer one updates what the file says and leaves
 * the hand values in use, and one fixed at the source ends the correction. */
static void
test_import_keeps_corrections (void)
{
  Row first[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo.bos@polder.example" },
    { "Delta Dakwerken B.V.", "Pim Smit", "pim.smit(at)delta.example" },
    { "Fjord & Fell AS", "Lena Oberg", "lena@fjord.example" },
  };
  Row second[G_N_ELEMENTS (first)];
  Row third[G_N_ELEMENTS (first)];
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;
  g_autofree char *third_path = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsRespondentDetails) details = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_int64 ivo, pim, lena;
  const char *sql = "SELECT person || '|' || email || '|' || function || '|' || language ||"
                    " '|' || coalesce (problem, '-') FROM respondent WHERE id = %lld";

  first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  summary = import_ok (store, first_path);
  check_counts (summary, 3, 0, 0, 0, 1, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  ivo = respondent_id (store, "ivo.bos@polder.example");
  pim = respondent_id (store, "pim.smit(at)delta.example");
  lena = respondent_id (store, "lena@fjord.example");

  rs_correction_snapshot_free (correct_ok (store, ivo, RS_FIELD_EMAIL, "ivo@polder.example"));
  rs_correction_snapshot_free (correct_ok (store, ivo, RS_FIELD_FUNCTION, "Buyer"));
  rs_correction_snapshot_free (correct_ok (store, ivo, RS_FIELD_LANGUAGE, "nl"));
  rs_correction_snapshot_free (correct_ok (store, pim, RS_FIELD_EMAIL, "pim.smit@delta.example"));
  rs_correction_snapshot_free (correct_ok (store, lena, RS_FIELD_PERSON, "Lena Öberg"));

  /* The same file again: the same people, nothing to update, and Pim is no
   * longer flagged. */
  summary = import_ok (store, first_path);
  check_counts (summary, 0, 0, 3, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  {
    g_autofree char *ivo_now = query_text (store, sql, ivo);
    g_autofree char *pim_now = query_text (store, sql, pim);
    g_autofree char *lena_now = query_text (store, sql, lena);

    g_assert_cmpstr (ivo_now, ==, "Ivo Bos|ivo@polder.example|Buyer|nl|-");
    g_assert_cmpstr (pim_now, ==, "Pim Smit|pim.smit@delta.example|Planner|en|-");
    g_assert_cmpstr (lena_now, ==, "Lena Öberg|lena@fjord.example|Planner|en|-");
  }

  /* A newer export: other scores, another function for Ivo, the same old
   * addresses. */
  memcpy (second, first, sizeof first);
  for (guint i = 0; i < G_N_ELEMENTS (second); i++)
    second[i].scores = SCORES_B;
  second[0].function = "Head of Planning";
  second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 3, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  {
    g_autofree char *ivo_now = query_text (store, sql, ivo);
    g_autofree char *pim_now = query_text (store, sql, pim);
    g_autofree char *lena_now = query_text (store, sql, lena);

    g_assert_cmpstr (ivo_now, ==, "Ivo Bos|ivo@polder.example|Buyer|nl|-");
    /* Sendable: the file's address is not the one in use. */
    g_assert_cmpstr (pim_now, ==, "Pim Smit|pim.smit@delta.example|Planner|en|-");
    g_assert_cmpstr (lena_now, ==, "Lena Öberg|lena@fjord.example|Planner|en|-");
  }
  g_assert_cmpfloat (query_double (store, "SELECT up_r FROM respondent WHERE id = %lld", ivo),
                     ==, 1.0);

  details = rs_tracker_load_details (store, ivo, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (details->file_values[RS_FIELD_EMAIL], ==, "ivo.bos@polder.example");
  g_assert_cmpstr (details->file_values[RS_FIELD_FUNCTION], ==, "Head of Planning");
  g_assert_cmpstr (details->file_values[RS_FIELD_LANGUAGE], ==, "en");
  g_assert_null (details->file_values[RS_FIELD_PERSON]);
  g_assert_cmpstr (details->values[RS_FIELD_FUNCTION], ==, "Buyer");

  /* Back to the file's value: the newer file's. */
  rs_correction_snapshot_free (correct_ok (store, ivo, RS_FIELD_FUNCTION, NULL));
  {
    g_autofree char *ivo_now = query_text (store, sql, ivo);

    g_assert_cmpstr (ivo_now, ==, "Ivo Bos|ivo@polder.example|Head of Planning|nl|-");
  }

  /* The export fixed at the source: Ivo's row has his corrected address. */
  memcpy (third, second, sizeof second);
  third[0].email = "ivo@polder.example";
  third_path = write_rows (dir, "third.csv", third, G_N_ELEMENTS (third));
  summary = import_ok (store, third_path);
  check_counts (summary, 0, 1, 2, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  g_assert_cmpint (respondent_id (store, "ivo@polder.example"), ==, ivo);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM correction WHERE respondent_id = %lld"
                                     " AND field = 'email'", ivo), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM correction WHERE respondent_id = %lld"
                                     " AND field = 'language'", ivo), ==, 1);

  /* And again: the same person still. */
  summary = import_ok (store, third_path);
  check_counts (summary, 0, 0, 3, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_report_sent (void)
{
  const Row first[] = {
    { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example", .sent = "True" },
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
    { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example" },
    { "Brouwerij 't Vosje", "Zoë Visser", "zoe@vosje.example" },
    { "Dijk Metaal", "Noor Dijkstra", "noor@dijk.example" },
  };
  const Row second[] = {
    /* sent, not downgraded */
    { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example", .sent = "False" },
    /* pending, upgraded */
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example", .sent = "True" },
    /* failed by hand, stays failed */
    { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example", .sent = "True" },
    /* sent by the sender, stays sent */
    { "Brouwerij 't Vosje", "Zoë Visser", "zoe@vosje.example", .sent = "False" },
    /* failed by hand, stays failed */
    { "Dijk Metaal", "Noor Dijkstra", "noor@dijk.example", .sent = "False" },
    /* new and sent */
    { "Bakker & Zn.", "Sem Bakker", "sem@bakker.example", .sent = "TRUE" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *history = NULL;
  sqlite3_int64 history_rows;
  sqlite3_int64 ivo, ylva, anna, zoe, noor, sem;

  summary = import_ok (store, first_path);
  check_counts (summary, 5, 0, 0, 0, 0, 0, 1);
  g_clear_pointer (&summary, rs_import_summary_free);

  ivo = respondent_id (store, "ivo@polder.example");
  ylva = respondent_id (store, "ylva@smit.example");
  anna = respondent_id (store, "anna@kaas.example");
  zoe = respondent_id (store, "zoe@vosje.example");
  noor = respondent_id (store, "noor@dijk.example");

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery WHERE status = 'sent'"),
                   ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM history"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM history WHERE respondent_id = %lld"
                                     " AND by = 'import' AND to_status = 'sent'"
                                     " AND note = 'marked sent in master file'", ivo), ==, 1);
  {
    g_autofree char *ivo_status = status_of (store, ivo);

    g_assert_cmpstr (ivo_status, ==, "sent");
  }

  set_status_by_hand (store, anna, "failed");
  set_status_by_hand (store, noor, "failed");
  set_sent (store, zoe);
  history = dump_query (store, "SELECT * FROM history ORDER BY rowid");
  history_rows = query_int (store, "SELECT count(*) FROM history");

  summary = import_ok (store, second_path);
  check_counts (summary, 1, 3, 2, 0, 0, 0, 2);
  g_clear_pointer (&summary, rs_import_summary_free);
  sem = respondent_id (store, "sem@bakker.example");

  {
    g_autofree char *ivo_status = status_of (store, ivo);
    g_autofree char *ylva_status = status_of (store, ylva);
    g_autofree char *anna_status = status_of (store, anna);
    g_autofree char *zoe_status = status_of (store, zoe);
    g_autofree char *noor_status = status_of (store, noor);
    g_autofree char *sem_status = status_of (store, sem);
    g_autofree char *history_after = NULL;

    g_assert_cmpstr (ivo_status, ==, "sent");
    g_assert_cmpstr (ylva_status, ==, "sent");
    g_assert_cmpstr (anna_status, ==, "failed");
    g_assert_cmpstr (zoe_status, ==, "sent");
    g_assert_cmpstr (noor_status, ==, "failed");
    g_assert_cmpstr (sem_status, ==, "sent");

    /* The old history as it was, and one line for each one marked sent. */
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM history"), ==, history_rows + 2);
    history_after = dump_query (store, "SELECT * FROM history ORDER BY rowid LIMIT %lld",
                                history_rows);
    g_assert_cmpstr (history_after, ==, history);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM history WHERE by = 'import'"
                                       " AND from_status = 'pending' AND to_status = 'sent'"
                                       " AND note = 'marked sent in master file'"
                                       " AND respondent_id IN (%lld, %lld, %lld)",
                                ivo, ylva, sem),
                     ==, 3);
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM history WHERE by = 'import'"),
                     ==, 3);
  }

  /* The sent respondent is left exactly as the sender left it. */
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery WHERE respondent_id = %lld"
                                     " AND sent_at = 1700000100 AND mode = 'live'"
                                     " AND attempts = 1", zoe), ==, 1);

  /* Importing the same again marks nothing twice. */
  {
    g_autofree char *deliveries = dump_query (store, "SELECT * FROM delivery ORDER BY rowid");
    g_autofree char *history_now = dump_query (store, "SELECT * FROM history ORDER BY rowid");
    g_autofree char *deliveries_after = NULL;
    g_autofree char *history_after = NULL;

    summary = import_ok (store, second_path);
    check_counts (summary, 0, 0, 6, 0, 0, 0, 0);
    g_clear_pointer (&summary, rs_import_summary_free);

    deliveries_after = dump_query (store, "SELECT * FROM delivery ORDER BY rowid");
    history_after = dump_query (store, "SELECT * FROM history ORDER BY rowid");
    g_assert_cmpstr (deliveries_after, ==, deliveries);
    g_assert_cmpstr (history_after, ==, history_now);
  }

  /* A pending respondent whose row did not change is still marked sent. */
  exec_sql (store, "UPDATE delivery SET status = 'pending' WHERE respondent_id = %lld", ylva);
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 0, 6, 0, 0, 0, 1);
  {
    g_autofree char *ylva_status = status_of (store, ylva);

    g_assert_cmpstr (ylva_status, ==, "sent");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static const char *first_names[] = {
  "Zoë", "Renée", "Jürgen", "Siân", "Åsa", "Noël", "Inês", "Łukasz", "Ştefan", "Çağla",
};
static const char *last_names[] = {
  "Dekker", "Öztürk", "Müller", "Ó Briain", "Søndergaard", "van Dijk",
};

/* @n rows of people with accents in their names, in UTF-8. */
static char *
accented_csv (guint n)
{
  GString *csv = g_string_new (HEADER);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *person = g_strdup_printf ("%s %s", first_names[i % 10],
                                                 last_names[i / 10 % 6]);
      g_autofree char *email = g_strdup_printf ("p%02u@bedrijf.example", i);
      g_autofree char *company = g_strdup_printf ("Bedrijf %u B.V.", i / 4);
      Row row = { company, person, email, .sent = i % 7 == 0 ? "True" : "False" };

      append_row (csv, &row);
    }

  return g_string_free (csv, FALSE);
}

/* One invalid byte in one field of a file in UTF-8 spoils that field alone:
 * the same file again changes no name, adds nobody, and says which field. */
static void
test_import_encoding_by_field (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *csv = accented_csv (60);
  g_autofree char *path = write_file (dir, "master.csv", csv, -1);
  g_autofree char *spoiled = NULL;
  g_autofree char *spoiled_path = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *names = NULL;
  g_autofree char *deliveries = NULL;
  g_autofree char *after = NULL;
  const RsImportProblem *problem;
  char *at;

  summary = import_ok (store, path);
  check_counts (summary, 60, 0, 0, 0, 0, 0, 9);
  g_clear_pointer (&summary, rs_import_summary_free);
  names = dump_query (store, "SELECT id, company, person, email FROM respondent ORDER BY id");
  deliveries = dump_query (store, "SELECT * FROM delivery ORDER BY respondent_id");
  g_assert_nonnull (strstr (names, "'Zoë Dekker'"));

  /* "Planner" of line 35 (Siân Öztürk) becomes "Plan\xffner". */
  spoiled = g_malloc (strlen (csv) + 2);
  strcpy (spoiled, csv);
  g_assert_nonnull (strstr (spoiled, "Siân Öztürk,Planner"));
  at = strstr (spoiled, "Siân Öztürk,Planner") + strlen ("Siân Öztürk,Plan");
  memmove (at + 1, at, strlen (at) + 1);
  *at = '\xff';
  spoiled_path = write_file (dir, "master-2.csv", spoiled, -1);

  summary = import_ok (store, spoiled_path);
  g_assert_cmpuint (summary->recoded, ==, 1);
  check_counts (summary, 0, 1, 59, 0, 0, 0, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_ENCODING, 15, "Siân Öztürk", "“function”");
  problem = find_problem (summary, RS_IMPORT_PROBLEM_ENCODING, 15);
  {
    g_autofree char *counts = rs_import_summary_describe (summary);

    g_assert_true (g_str_has_suffix (counts, "0 duplicates; 1 field not in UTF-8, read as "
                                             "Windows-1252"));
  }
  g_assert_cmpint (problem->respondent_id, ==, respondent_id (store, "p13@bedrijf.example"));

  after = dump_query (store, "SELECT id, company, person, email FROM respondent ORDER BY id");
  g_assert_cmpstr (after, ==, names);
  g_clear_pointer (&after, g_free);
  after = dump_query (store, "SELECT * FROM delivery ORDER BY respondent_id");
  g_assert_cmpstr (after, ==, deliveries);
  {
    g_autofree char *function = query_text (store, "SELECT function FROM respondent"
                                                   " WHERE email = 'p13@bedrijf.example'");

    g_assert_cmpstr (function, ==, "Planÿner");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A file in Windows-1252 throughout is read as such, as before: nothing to
 * report, and the same people as the same file in UTF-8. */
static void
test_import_cp1252_file (void)
{
  const Row rows[] = {
    { "Brouwerij Zoë", "Zoë Dekker", "zoe@brouwerij.example" },
    { "Öztürk Lojistik", "Renée Öztürk", "renee@lojistik.example" },
    { "Müller GmbH", "Jürgen Müller", "jm@mueller.example", .function = "Einkäufer" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *csv = csv_for (rows, G_N_ELEMENTS (rows));
  g_autofree char *utf8_path = write_file (dir, "utf8.csv", csv, -1);
  g_autofree char *latin = NULL;
  g_autofree char *latin_path = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  latin = g_convert (csv, -1, "WINDOWS-1252", "UTF-8", NULL, &len, &error);
  g_assert_no_error (error);
  latin_path = write_file (dir, "latin.csv", latin, len);

  summary = import_ok (store, latin_path);
  check_counts (summary, 3, 0, 0, 0, 0, 0, 0);
  g_assert_cmpuint (summary->problems->len, ==, 0);
  g_assert_cmpint (respondent_id (store, "jm@mueller.example"), >, 0);
  {
    g_autofree char *names = query_text (store, "SELECT group_concat (person || '/' || function,"
                                                " ';') FROM respondent");

    g_assert_cmpstr (names, ==, "Zoë Dekker/Planner;Renée Öztürk/Planner;"
                                "Jürgen Müller/Einkäufer");
  }
  g_clear_pointer (&summary, rs_import_summary_free);

  summary = import_ok (store, utf8_path);
  check_counts (summary, 0, 0, 3, 0, 0, 0, 0);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Ivo's name changed in the newer export: the same address in the same
 * company is still Ivo, updated, with what he was sent kept and said. */
static void
test_import_renamed (void)
{
  Row first[] = {
    { "Polder Packaging B.V.", "Ivo van Dijk", "ivo@polder.example" },
    { "Polder Packaging B.V.", "Eva Bos", "eva@polder.example" },
    { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
  };
  Row second[G_N_ELEMENTS (first)];
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  sqlite3_int64 ivo, eva;
  g_autofree char *pending_before = NULL;
  g_autofree char *pending_after = NULL;

  summary = import_ok (store, first_path);
  check_counts (summary, 3, 0, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  ivo = respondent_id (store, "ivo@polder.example");
  eva = respondent_id (store, "eva@polder.example");
  set_sent (store, eva);
  pending_before = dump_query (store, "SELECT respondent_id FROM delivery"
                                      " WHERE status = 'pending' ORDER BY 1");

  memcpy (second, first, sizeof first);
  second[0].person = "Ivo van Dijk-Smit";
  second[1].person = "Eva  BOS-de Wit";
  second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  summary = import_ok (store, second_path);
  g_assert_cmpuint (summary->renamed, ==, 2);
  check_counts (summary, 0, 2, 1, 0, 0, 0, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_RENAMED, 2, "Ivo van Dijk-Smit",
                 "name changed from “Ivo van Dijk” to “Ivo van Dijk-Smit”");
  check_problem (summary, RS_IMPORT_PROBLEM_RENAMED, 3, "Eva BOS-de Wit",
                 "name changed from “Eva Bos” to “Eva BOS-de Wit”");
  g_assert_cmpint (find_problem (summary, RS_IMPORT_PROBLEM_RENAMED, 2)->respondent_id, ==, ivo);
  {
    g_autofree char *counts = rs_import_summary_describe (summary);

    g_assert_cmpstr (counts, ==, "0 new, 2 updated, 1 unchanged, 0 skipped, 0 flagged, "
                                 "0 duplicates; 2 names changed");
  }
  g_clear_pointer (&summary, rs_import_summary_free);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery"), ==, 3);
  g_assert_cmpint (respondent_id (store, "ivo@polder.example"), ==, ivo);
  {
    g_autofree char *person = query_text (store, "SELECT person FROM respondent WHERE id = %lld",
                                          ivo);
    g_autofree char *eva_status = status_of (store, eva);

    g_assert_cmpstr (person, ==, "Ivo van Dijk-Smit");
    /* Eva was sent her report, and is not pending again. */
    g_assert_cmpstr (eva_status, ==, "sent");
  }
  pending_after = dump_query (store, "SELECT respondent_id FROM delivery"
                                     " WHERE status = 'pending' ORDER BY 1");
  g_assert_cmpstr (pending_after, ==, pending_before);

  /* The new name is who they are now: the same file again is unchanged. */
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 0, 3, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);

  /* And an older file renames them back, still the same people. */
  summary = import_ok (store, first_path);
  g_assert_cmpuint (summary->renamed, ==, 2);
  check_counts (summary, 0, 2, 1, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 3);
  g_clear_pointer (&summary, rs_import_summary_free);

  /* A file without their names ("-", or nothing) renames no one: the
   * stored names and statuses stay, and the nameless rows are flagged. */
  {
    Row blank[G_N_ELEMENTS (first)];
    g_autofree char *blank_path = NULL;
    g_autofree char *ivo_name = NULL;
    g_autofree char *eva_name = NULL;
    g_autofree char *eva_status = NULL;

    memcpy (blank, first, sizeof first);
    blank[0].person = "-";
    blank[1].person = "";
    blank_path = write_rows (dir, "blank.csv", blank, G_N_ELEMENTS (blank));
    summary = import_ok (store, blank_path);
    g_assert_cmpuint (summary->renamed, ==, 0);
    ivo_name = query_text (store, "SELECT person FROM respondent WHERE id = %lld", ivo);
    eva_name = query_text (store, "SELECT person FROM respondent WHERE id = %lld", eva);
    eva_status = status_of (store, eva);
    g_assert_cmpstr (ivo_name, ==, "Ivo van Dijk");
    g_assert_cmpstr (eva_name, ==, "Eva Bos");
    g_assert_cmpstr (eva_status, ==, "sent");
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent WHERE person = ''"
                                       " AND problem IS NOT NULL"), ==, 2);
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* One mailbox spelled three ways in three exports (an international
 * domain, its ASCII form, in capitals): one respondent, stored with the
 * domain in its ASCII form. */
static void
test_import_international_address (void)
{
  const Row spellings[][1] = {
    { { "Zeta BV", "Piet Boek", "piet@bücher.example" } },
    { { "Zeta BV", "Piet Boek", "piet@xn--bcher-kva.example" } },
    { { "Zeta BV", "Piet Boek", "piet@BÜCHER.example" } },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autoptr(RsStore) store = open_store (dir);

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *name = g_strdup_printf ("export-%u.csv", i);
      g_autofree char *path = write_rows (dir, name, spellings[i], 1);
      g_autoptr(RsImportSummary) summary = import_ok (store, path);

      g_assert_cmpuint (summary->added, ==, i == 0 ? 1 : 0);
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 1);
    }
  {
    g_autofree char *email = query_text (store, "SELECT email FROM respondent");

    g_assert_cmpstr (email, ==, "piet@xn--bcher-kva.example");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* People who share an address: the name decides, in any order. */
static void
test_import_shared_address (void)
{
  const Row first[] = {
    { "Kaasmakerij Noord", "Anna de Wit", "info@kaas.example" },
    { "Kaasmakerij Noord", "Bram de Wit", "info@kaas.example" },
    { "Delta Dakwerken B.V.", "Pim Smit", "pim@delta.example" },
  };
  /* Bram as he was; Anna renamed; Pim and a colleague at his address. */
  const Row second[] = {
    /* 2 */ { "Kaasmakerij Noord", "Anna de Wit-Jansen", "info@kaas.example" },
    /* 3 */ { "Delta Dakwerken B.V.", "Roos Smit", "pim@delta.example" },
    /* 4 */ { "Kaasmakerij Noord", "Bram de Wit", "info@kaas.example" },
    /* 5 */ { "Delta Dakwerken B.V.", "Pim Smit", "pim@delta.example" },
  };
  /* Two new names at an address with one stored person unclaimed */
  const Row third[] = {
    { "Kaasmakerij Noord", "Bram de Wit", "info@kaas.example" },
    { "Kaasmakerij Noord", "Anna Jansen", "info@kaas.example" },
    { "Kaasmakerij Noord", "Annie de Wit", "info@kaas.example" },
  };
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  g_autofree char *third_path = write_rows (dir, "third.csv", third, G_N_ELEMENTS (third));
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  sqlite3_int64 anna, bram, pim;

  summary = import_ok (store, first_path);
  check_counts (summary, 3, 0, 0, 0, 0, 0, 0);
  g_clear_pointer (&summary, rs_import_summary_free);
  anna = query_int (store, "SELECT id FROM respondent WHERE person = 'Anna de Wit'");
  bram = query_int (store, "SELECT id FROM respondent WHERE person = 'Bram de Wit'");
  pim = respondent_id (store, "pim@delta.example");

  summary = import_ok (store, second_path);
  g_assert_cmpuint (summary->renamed, ==, 1);
  check_counts (summary, 1, 1, 2, 0, 0, 0, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_RENAMED, 2, "Anna de Wit-Jansen", "Anna de Wit");
  g_clear_pointer (&summary, rs_import_summary_free);
  g_assert_cmpint (query_int (store, "SELECT id FROM respondent"
                                     " WHERE person = 'Anna de Wit-Jansen'"), ==, anna);
  g_assert_cmpint (query_int (store, "SELECT id FROM respondent WHERE person = 'Bram de Wit'"),
                   ==, bram);
  g_assert_cmpint (query_int (store, "SELECT id FROM respondent WHERE person = 'Pim Smit'"),
                   ==, pim);
  /* Roos, who came first in the file, is someone new. */
  g_assert_cmpint (query_int (store, "SELECT id FROM respondent WHERE person = 'Roos Smit'"),
                   >, pim);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery"), ==, 4);

  /* Anna is unclaimed, but two new names have her address: both new. */
  summary = import_ok (store, third_path);
  g_assert_cmpuint (summary->renamed, ==, 0);
  check_counts (summary, 2, 0, 1, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "SELECT id FROM respondent"
                                     " WHERE person = 'Anna de Wit-Jansen'"), ==, anna);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A name corrected by hand wins over a renaming file: the file's new name
 * goes to the correction; the hand name stays in use. */
static void
test_import_renamed_corrected (void)
{
  Row first[] = {
    { "Polder Packaging B.V.", "Ivo van Dijk", "ivo@polder.example" },
    { "Fjord & Fell AS", "Lena Oberg", "lena@fjord.example" },
  };
  Row second[G_N_ELEMENTS (first)];
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *first_path = write_rows (dir, "first.csv", first, G_N_ELEMENTS (first));
  g_autofree char *second_path = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(RsRespondentDetails) details = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_int64 ivo, lena;

  summary = import_ok (store, first_path);
  g_clear_pointer (&summary, rs_import_summary_free);
  ivo = respondent_id (store, "ivo@polder.example");
  lena = respondent_id (store, "lena@fjord.example");
  rs_correction_snapshot_free (correct_ok (store, lena, RS_FIELD_PERSON, "Lena Öberg"));
  rs_correction_snapshot_free (correct_ok (store, ivo, RS_FIELD_FUNCTION, "Buyer"));

  memcpy (second, first, sizeof first);
  second[0].person = "Ivo van Dijk-Smit";
  second[1].person = "Lena Oberg-Lund";
  second_path = write_rows (dir, "second.csv", second, G_N_ELEMENTS (second));
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 2, 0, 0, 0, 0, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_RENAMED, 3, "Lena Oberg-Lund",
                 "name changed from “Lena Oberg” to “Lena Oberg-Lund”");
  g_clear_pointer (&summary, rs_import_summary_free);

  {
    g_autofree char *ivo_now = query_text (store, "SELECT person || '|' || function"
                                                  " FROM respondent WHERE id = %lld", ivo);
    g_autofree char *lena_now = query_text (store, "SELECT person FROM respondent"
                                                   " WHERE id = %lld", lena);

    g_assert_cmpstr (ivo_now, ==, "Ivo van Dijk-Smit|Buyer");
    g_assert_cmpstr (lena_now, ==, "Lena Öberg");
  }
  details = rs_tracker_load_details (store, lena, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (details->file_values[RS_FIELD_PERSON], ==, "Lena Oberg-Lund");

  /* The same file again: the same people, nothing new. */
  summary = import_ok (store, second_path);
  check_counts (summary, 0, 0, 2, 0, 0, 0, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 2);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A stream read once: standard input, a pipe. */
static void
test_import_stream (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *csv = accented_csv (20);
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = g_memory_input_stream_new_from_data (csv, strlen (csv), NULL);
  summary = rs_import_stream (store, stream, "standard input", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
  g_assert_cmpstr (summary->file, ==, "standard input");
  check_counts (summary, 20, 0, 0, 0, 0, 0, 3);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM import_log"
                                     " WHERE file = 'standard input' AND added = 20"), ==, 1);

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_ragged (void)
{
  static const char csv[] =
    HEADER
    /* 2 */ "2024-03-01,False,Ivo Bos,Planner,Polder Packaging B.V.,ivo@polder.example,v1,"
    SCORES_A ",3\n"
    /* 3 */ "2024-03-01,False,Jan Jansen,Planner,Too Short B.V.\n"
    /* 4 */ "2024-03-01,False,Ylva Smit,\"Head of\n"
    /* 5 */ "planning\",Smit & Zonen,ylva@smit.example,v1," SCORES_A ",3\n"
    /* 6 */ "2024-03-01,False,Piet Klaver,Planner,Too Long B.V.,piet@long.example,v1,"
    SCORES_A ",3,extra,fields\n"
    /* 7 */ "\n"
    /* 8 */ "2024-03-01,False,Anna de Wit,Planner,Kaasmakerij Noord,anna@kaas.example,v1,"
    SCORES_A ",3\n"
    /* 9 */ "just one field\n"
    /* 10 */ "2024-03-01,False,Zoë Visser,Planner,Brouwerij 't Vosje,zoe@vosje.example,v1,"
    SCORES_A ",3";
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *path = write_file (dir, "ragged.csv", csv, -1);
  g_autoptr(RsStore) store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;

  summary = import_ok (store, path);
  check_counts (summary, 4, 0, 0, 3, 0, 0, 0);
  check_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 3, "", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 6, "", NULL);
  check_problem (summary, RS_IMPORT_PROBLEM_SKIPPED, 9, "", NULL);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent WHERE company LIKE 'Too%%'"),
                   ==, 0);
  g_assert_cmpint (query_int (store, "SELECT source_line FROM respondent"
                                     " WHERE email = 'ylva@smit.example'"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT source_line FROM respondent"
                                     " WHERE email = 'anna@kaas.example'"), ==, 8);
  g_assert_cmpint (query_int (store, "SELECT source_line FROM respondent"
                                     " WHERE email = 'zoe@vosje.example'"), ==, 10);
  g_assert_cmpint (query_int (store, "SELECT skipped FROM import_log"), ==, 3);
  {
    g_autofree char *function = query_text (store, "SELECT function FROM respondent"
                                                   " WHERE email = 'ylva@smit.example'");

    g_assert_cmpstr (function, ==, "Head of planning");
  }

  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_problem_describe (void)
{
  RsImportProblem with_person = {
    RS_IMPORT_PROBLEM_FLAGGED, 17, (char *) "Ÿlva Österberg", (char *) "no valid e-mail address",
  };
  RsImportProblem without_person = {
    RS_IMPORT_PROBLEM_SKIPPED, 4242, (char *) "", (char *) "Line 4242 has 3 fields",
  };
  RsImportProblem null_person = {
    RS_IMPORT_PROBLEM_DUPLICATE, 9, NULL, (char *) "the same respondent as on line 2",
  };
  g_autofree char *one = rs_import_problem_describe (&with_person);
  g_autofree char *two = rs_import_problem_describe (&without_person);
  g_autofree char *three = rs_import_problem_describe (&null_person);

  g_assert_true (has_number (one, 17));
  g_assert_nonnull (strstr (one, "Ÿlva Österberg"));
  g_assert_nonnull (strstr (one, "no valid e-mail address"));
  g_assert_true (has_number (two, 4242));
  g_assert_nonnull (strstr (two, "Line 4242 has 3 fields"));
  g_assert_null (strstr (two, "()"));
  g_assert_true (has_number (three, 9));
  g_assert_nonnull (strstr (three, "the same respondent as on line 2"));
  g_assert_null (strstr (three, "(null)"));

  /* The three kinds read differently. */
  g_assert_cmpstr (one, !=, two);
  {
    RsImportProblem a = with_person;
    RsImportProblem b = with_person;
    RsImportProblem c = with_person;
    g_autofree char *ta = NULL;
    g_autofree char *tb = NULL;
    g_autofree char *tc = NULL;

    a.kind = RS_IMPORT_PROBLEM_SKIPPED;
    b.kind = RS_IMPORT_PROBLEM_FLAGGED;
    c.kind = RS_IMPORT_PROBLEM_DUPLICATE;
    ta = rs_import_problem_describe (&a);
    tb = rs_import_problem_describe (&b);
    tc = rs_import_problem_describe (&c);
    g_assert_cmpstr (ta, !=, tb);
    g_assert_cmpstr (tb, !=, tc);
    g_assert_cmpstr (ta, !=, tc);
  }
}

/* Atomicity: a store with history, and files that fail. */

static const Row populated_rows[] = {
  { "Polder Packaging B.V.", "Ivo Bos", "ivo@polder.example" },
  { "Smit & Zonen", "Ylva Smit", "ylva@smit.example" },
  { "Kaasmakerij Noord", "Anna de Wit", "anna@kaas.example" },
  { "Brouwerij 't Vosje", "Zoë Visser", "zoe@vosje.example", .sent = "True" },
  { "Dijk Metaal", "Noor Dijkstra", "no address" },
  { "-", "Jan Jansen", "jan@nowhere.example" },
};

static RsStore *
populated_store (const char  *dir,
                 char       **path)
{
  RsStore *store = open_store (dir);
  g_autoptr(RsImportSummary) summary = NULL;

  *path = write_rows (dir, "populated.csv", populated_rows, G_N_ELEMENTS (populated_rows));
  summary = import_ok (store, *path);
  check_counts (summary, 5, 0, 0, 1, 1, 0, 1);

  set_status_by_hand (store, respondent_id (store, "anna@kaas.example"), "failed");
  set_sent (store, respondent_id (store, "ylva@smit.example"));

  return store;
}

/* The people of the populated store, changed, and sent; then @n_rows new. */
static GString *
big_csv (guint n_rows)
{
  GString *csv = g_string_new (HEADER);

  for (guint i = 0; i < G_N_ELEMENTS (populated_rows); i++)
    {
      Row row = populated_rows[i];

      row.function = "Changed";
      row.sent = "True";
      row.scores = SCORES_B;
      append_row (csv, &row);
    }

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *company = g_strdup_printf ("Generated Company %u", i / 3);
      g_autofree char *person = g_strdup_printf ("Person %u", i);
      g_autofree char *email = g_strdup_printf ("person%u@company%u.example", i, i / 3);
      Row row = { company, person, email, .sent = i % 5 == 0 ? "True" : "False" };

      append_row (csv, &row);
    }

  return csv;
}

typedef struct
{
  GMutex mutex;
  GCancellable *cancellable;
  gboolean cancel;
  guint calls;
  goffset last_done;
  goffset total;
  GThread *thread;
  gboolean other_thread;
  /* On the first call: the file to change under the import, and how */
  const char *change_path;
  goffset truncate_to;
  const char *append;
} Progress;

static void
on_progress (goffset  done_bytes,
             goffset  total_bytes,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_mutex_lock (&progress->mutex);
  g_assert_cmpint (done_bytes, >, 0);
  g_assert_cmpint (done_bytes, <=, total_bytes);
  g_assert_cmpint (done_bytes, >=, progress->last_done);
  progress->calls++;
  progress->last_done = done_bytes;
  progress->total = total_bytes;
  if (progress->thread == NULL)
    progress->thread = g_thread_self ();
  if (progress->thread != g_thread_self ())
    progress->other_thread = TRUE;
  if (progress->cancel)
    g_cancellable_cancel (progress->cancellable);
  if (progress->change_path != NULL && progress->calls == 1)
    {
      FILE *out = fopen (progress->change_path, "r+");

      g_assert_nonnull (out);
      if (progress->truncate_to >= 0)
        g_assert_cmpint (ftruncate (fileno (out), progress->truncate_to), ==, 0);
      if (progress->append != NULL)
        {
          g_assert_cmpint (fseek (out, 0, SEEK_END), ==, 0);
          g_assert_cmpint (fputs (progress->append, out), >=, 0);
        }
      g_assert_cmpint (fclose (out), ==, 0);
    }
  g_mutex_unlock (&progress->mutex);
}

/* What the last check_import_fails() was told. */
static char *last_failure;

static void
check_import_fails (RsStore      *store,
                    const char   *path,
                    Progress     *progress,
                    GQuark        domain,
                    int           code)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  g_autofree char *before = dump_database (store);
  g_autofree char *after = NULL;

  summary = rs_import_file (store, file, progress ? on_progress : NULL, progress,
                            progress ? progress->cancellable : NULL, &error);
  g_assert_null (summary);
  g_assert_error (error, domain, code);
  g_test_message ("%s", error->message);
  g_free (last_failure);
  last_failure = g_strdup (error->message);

  after = dump_database (store);
  g_assert_cmpstr (after, ==, before);
}

/* After a failed import the store works as before. */
static void
check_store_still_works (RsStore    *store,
                         const char *populated_path)
{
  g_autoptr(RsImportSummary) summary = import_ok (store, populated_path);

  check_counts (summary, 0, 0, 5, 1, 1, 0, 0);
}

static void
test_atomic_missing_file (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autofree char *path = g_build_filename (dir, "no such file.csv", NULL);
  g_autofree char *folder = g_build_filename (dir, "a folder.csv", NULL);

  check_import_fails (store, path, NULL, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  {
    g_autoptr(GFile) file = g_file_new_for_path (folder);
    g_autoptr(GError) error = NULL;
    g_autofree char *before = dump_database (store);
    g_autofree char *after = NULL;

    g_assert_null (rs_import_file (store, file, NULL, NULL, NULL, &error));
    g_assert_nonnull (error);
    after = dump_database (store);
    g_assert_cmpstr (after, ==, before);
  }

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_atomic_binary (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 data[8192];
  g_autofree char *xlsx = NULL;
  g_autofree char *png = NULL;

  /* A damaged zip: read as a workbook, which it is not. */
  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  memcpy (data, "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", 14);
  xlsx = write_file (dir, "master.xlsx", (const char *) data, sizeof data);
  check_import_fails (store, xlsx, NULL, RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT);

  memcpy (data, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 16);
  png = write_file (dir, "master.png", (const char *) data, sizeof data);
  check_import_fails (store, png, NULL, RS_CSV_ERROR, RS_CSV_ERROR_BINARY);

  /* Binary data after many good rows. */
  {
    g_autoptr(GString) csv = big_csv (5000);
    g_autofree char *path = NULL;

    g_string_append_len (csv, "2024-03-01,False,Late\0Person,x,y,z\n", 35);
    path = write_file (dir, "late-binary.csv", csv->str, csv->len);
    check_import_fails (store, path, NULL, RS_CSV_ERROR, RS_CSV_ERROR_BINARY);
  }

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_atomic_missing_column (void)
{
  static const char csv[] =
    "submitdate,reportsent,name,function,company_name,version\n"
    "2024-03-01,True,Ivo Bos,Planner,Polder Packaging B.V.,v1\n";
  static const char empty[] = "";
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autofree char *path = write_file (dir, "no-email.csv", csv, -1);
  g_autofree char *empty_path = write_file (dir, "empty.csv", empty, 0);

  check_import_fails (store, path, NULL, RS_MASTER_ERROR, RS_MASTER_ERROR_MISSING_COLUMNS);
  check_import_fails (store, empty_path, NULL, RS_CSV_ERROR, RS_CSV_ERROR_EMPTY);

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_atomic_unterminated (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GString) csv = big_csv (20000);
  g_autofree char *path = NULL;

  g_string_append (csv, "2024-03-01,False,Late Person,\"Planner,Late Company,"
                        "late@late.example,v1,1,2,3\n"
                        "2024-03-01,False,Later Person,Planner,Later Company,"
                        "later@late.example,v1,1,2,3\n");
  path = write_file (dir, "unterminated.csv", csv->str, csv->len);
  check_import_fails (store, path, NULL, RS_CSV_ERROR, RS_CSV_ERROR_UNTERMINATED);

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* The folder for the source rows cannot be made, or the file in it cannot be
 * written: nothing is imported, and the error names the place. */
static void
test_atomic_sources_unwritable (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = open_store (dir);
  g_autofree char *sources = rs_store_get_sources_dir (store);
  g_autoptr(GString) csv = big_csv (10);
  g_autofree char *path = write_file (dir, "new.csv", csv->str, csv->len);
  g_autofree char *next_file = NULL;

  /* Something else where the folder should be. */
  g_assert_true (g_file_set_contents (sources, "not a folder", -1, NULL));
  check_import_fails (store, path, NULL, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_assert_nonnull (strstr (last_failure, sources));
  g_assert_cmpint (g_unlink (sources), ==, 0);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
  g_free (dir);

  /* Something where the next import's file should be. */
  dir = rs_test_make_tmpdir ();
  store = populated_store (dir, &populated);
  g_free (path);
  path = write_file (dir, "new.csv", csv->str, csv->len);
  next_file = rs_store_get_source_path (store, query_int (store, "SELECT max (id) + 1"
                                                                 " FROM import_log"));
  g_assert_cmpint (g_mkdir (next_file, 0700), ==, 0);
  check_import_fails (store, path, NULL, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_nonnull (strstr (last_failure, next_file));
  g_assert_cmpint (g_rmdir (next_file), ==, 0);

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* Rows whose notes make their source @note_len bytes longer. */
static char *
write_wide_csv (const char *dir,
                guint       n_rows,
                gsize       note_len)
{
  g_autoptr(GString) csv = g_string_new ("company_name,name,email_address,notes\n");
  g_autofree char *note = g_strnfill (note_len, 'x');

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (csv, "Wide Company %u,Person %u,person%u@wide.example,%s\n",
                            i / 3, i, i, note);

  return write_file (dir, "wide.csv", csv->str, csv->len);
}

/* Imports @path with no file allowed to grow past @limit bytes, as on a
 * full disk: it fails as check_import_fails() asks, and leaves no source
 * file. Returns the message. */
static char *
check_import_fails_when_full (RsStore    *store,
                              const char *path,
                              rlim_t      limit,
                              GQuark      domain,
                              int         code)
{
  g_autofree char *next_file = NULL;
  guint n_files = count_source_files (store);
  struct rlimit old_limit;
  struct rlimit full;
  void (*old_handler) (int);

  next_file = rs_store_get_source_path (store, query_int (store, "SELECT max (id) + 1"
                                                                 " FROM import_log"));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  full = old_limit;
  full.rlim_cur = limit;
  /* A write past the limit fails with EFBIG instead of ending the process. */
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &full), ==, 0);

  check_import_fails (store, path, NULL, domain, code);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  signal (SIGXFSZ, old_handler);

  g_assert_false (g_file_test (next_file, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_source_files (store), ==, n_files);

  return g_strdup (last_failure);
}

/* The disk fills while the source rows are written, in the thread that
 * writes them, and while the database's log is: either way the import is
 * undone, and the store works on as before. */
static void
test_atomic_disk_full (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autofree char *wide = write_wide_csv (dir, 2000, 4000);
  g_autoptr(GString) csv = g_string_new ("company_name,name,email_address\n");
  g_autofree char *narrow = NULL;
  g_autofree char *database = g_strdup (rs_store_get_path (store));
  g_autofree char *source_failure = NULL;
  g_autofree char *log_failure = NULL;

  /* 8 MB of source rows against a few hundred KB in the database */
  source_failure = check_import_fails_when_full (store, wide, 2 * 1024 * 1024,
                                                 G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (source_failure, "Could not write “"));
  g_assert_nonnull (strstr (source_failure, ".sources"));

  /* 40,000 new people in few bytes: the database's log outgrows the limit
   * first. */
  for (guint i = 0; i < 40000; i++)
    g_string_append_printf (csv, "N%u,P%u,p%u@n.example\n", i / 3, i, i);
  narrow = write_file (dir, "narrow.csv", csv->str, csv->len);
  log_failure = check_import_fails_when_full (store, narrow, 2 * 1024 * 1024,
                                              RS_STORE_ERROR, RS_STORE_ERROR_FAILED);
  {
    g_autofree char *expected = g_strdup_printf ("the tracker database “%s”", database);

    g_assert_nonnull (strstr (log_failure, expected));
  }

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_atomic_cancel (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GString) csv = big_csv (40000);
  g_autofree char *path = write_file (dir, "big.csv", csv->str, csv->len);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Progress progress = { .cancellable = cancellable, .cancel = TRUE };

  g_mutex_init (&progress.mutex);

  /* Cancelled while it runs, from its own progress report. */
  check_import_fails (store, path, &progress, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.calls, ==, 1);
  g_assert_cmpint (progress.total, ==, (goffset) csv->len);
  g_assert_cmpint (progress.last_done, <, progress.total);

  /* Cancelled before it starts. */
  check_import_fails (store, path, &progress, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.calls, ==, 1);

  check_store_still_works (store, populated);
  g_mutex_clear (&progress.mutex);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

/* A file changed while it is imported, from the import's own progress
 * report, far from its end: truncated as a copy that is still being
 * written is, or added to. Nothing of it is imported. */
static void
test_atomic_changed_during (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GString) csv = big_csv (40000);

  for (guint how = 0; how < 3; how++)
    {
      g_autofree char *path = write_file (dir, "big.csv", csv->str, csv->len);
      Progress progress = { .change_path = path, .truncate_to = -1 };

      g_mutex_init (&progress.mutex);
      if (how == 0)
        {
          progress.truncate_to = csv->len / 2;
        }
      else if (how == 1)
        {
          progress.append = "2024-03-01,False,Late Row,Planner,Late B.V.,late@late.example,"
                            "v1," SCORES_A ",3\n";
        }
      else
        {
          /* The last row cut and written again: the same size as before */
          progress.truncate_to = csv->len - 4;
          progress.append = ",3.1\n";
        }

      check_import_fails (store, path, &progress, RS_CSV_ERROR, RS_CSV_ERROR_CHANGED);
      /* Changed at the first report, which came long before the end */
      g_assert_cmpuint (progress.calls, >, 1);
      g_assert_nonnull (strstr (last_failure, "big.csv"));
      g_mutex_clear (&progress.mutex);
    }

  check_store_still_works (store, populated);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

static void
test_import_progress (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GString) csv = big_csv (20000);
  g_autofree char *path = write_file (dir, "big.csv", csv->str, csv->len);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(RsImportSummary) summary = NULL;
  Progress progress = { 0 };

  g_mutex_init (&progress.mutex);
  summary = rs_import_file (store, file, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);

  /* The people of the populated store changed; pending ones marked sent. */
  check_counts (summary, 20000, 5, 0, 1, 1, 0, 20000 / 5 + 2);
  g_assert_cmpuint (progress.calls, >=, 20000 / 2048 - 1);
  g_assert_cmpint (progress.total, ==, (goffset) csv->len);
  g_assert_true (progress.thread == g_thread_self ());
  g_assert_false (progress.other_thread);

  g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 20005);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery"), ==, 20005);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM delivery WHERE status = 'sent'"),
                   ==, 20000 / 5 + 4);
  {
    g_autofree char *anna = status_of (store, respondent_id (store, "anna@kaas.example"));

    g_assert_cmpstr (anna, ==, "failed");
  }

  g_mutex_clear (&progress.mutex);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

typedef struct
{
  GMainLoop *loop;
  RsImportSummary *summary;
  GError *error;
  GThread *main_thread;
} AsyncResult;

static void
on_import_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncResult *done = user_data;

  g_assert_true (g_thread_self () == done->main_thread);
  done->summary = rs_import_file_finish (RS_STORE (source), result, &done->error);
  g_main_loop_quit (done->loop);
}

static void
import_async_and_wait (RsStore      *store,
                       const char   *path,
                       Progress     *progress,
                       GCancellable *cancellable,
                       AsyncResult  *done)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  done->loop = g_main_loop_new (NULL, FALSE);
  done->main_thread = g_thread_self ();
  rs_import_file_async (store, file, progress ? on_progress : NULL, progress, cancellable,
                        on_import_done, done);
  g_main_loop_run (done->loop);
  g_clear_pointer (&done->loop, g_main_loop_unref);
}

static void
test_import_async (void)
{
  g_autofree char *dir = rs_test_make_tmpdir ();
  g_autofree char *populated = NULL;
  g_autoptr(RsStore) store = populated_store (dir, &populated);
  g_autoptr(GString) csv = big_csv (5000);
  g_autofree char *path = write_file (dir, "big.csv", csv->str, csv->len);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  guint connections = rs_store_get_open_connection_count ();
  Progress progress = { 0 };

  g_mutex_init (&progress.mutex);

  {
    AsyncResult done = { 0 };

    import_async_and_wait (store, path, &progress, NULL, &done);
    g_assert_no_error (done.error);
    g_assert_nonnull (done.summary);
    g_assert_cmpstr (done.summary->file, ==, path);
    check_counts (done.summary, 5000, 5, 0, 1, 1, 0, 5000 / 5 + 2);
    g_clear_pointer (&done.summary, rs_import_summary_free);

    /* Reported from the worker, which closed its connection when done. */
    g_assert_cmpuint (progress.calls, >=, 1);
    g_assert_nonnull (progress.thread);
    g_assert_true (progress.thread != g_thread_self ());
    g_assert_cmpuint (rs_store_get_open_connection_count (), ==, connections);

    /* Committed, and seen from this thread's connection. */
    g_assert_cmpint (query_int (store, "SELECT count(*) FROM respondent"), ==, 5005);
  }

  /* Errors come back the same way, and change nothing. */
  {
    AsyncResult done = { 0 };
    g_autofree char *before = dump_database (store);
    g_autofree char *after = NULL;

    import_async_and_wait (store, missing, NULL, NULL, &done);
    g_assert_null (done.summary);
    g_assert_error (done.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&done.error);

    after = dump_database (store);
    g_assert_cmpstr (after, ==, before);
    g_assert_cmpuint (rs_store_get_open_connection_count (), ==, connections);
  }

  {
    AsyncResult done = { 0 };
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autofree char *before = dump_database (store);
    g_autofree char *after = NULL;

    g_cancellable_cancel (cancellable);
    import_async_and_wait (store, path, NULL, cancellable, &done);
    g_assert_null (done.summary);
    g_assert_error (done.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&done.error);

    after = dump_database (store);
    g_assert_cmpstr (after, ==, before);
  }

  g_mutex_clear (&progress.mutex);
  g_clear_object (&store);
  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  rs_test_init (&argc, &argv);

  g_test_add_func ("/import/basic", test_import_basic);
  g_test_add_func ("/import/raw-header", test_import_raw_header);
  g_test_add_func ("/import/reimport", test_import_reimport);
  g_test_add_func ("/import/source-files", test_import_source_files);
  g_test_add_func ("/import/source-hash-stable", test_import_source_hash_stable);
  g_test_add_func ("/import/many-batches", test_import_many_batches);
  g_test_add_func ("/import/checkpoint-after", test_import_checkpoint_after);
  g_test_add_func ("/import/duplicate-counts", test_import_duplicate_counts);
  g_test_add_func ("/import/identity", test_import_identity);
  g_test_add_func ("/import/keeps-corrections", test_import_keeps_corrections);
  g_test_add_func ("/import/report-sent", test_import_report_sent);
  g_test_add_func ("/import/ragged", test_import_ragged);
  g_test_add_func ("/import/encoding-by-field", test_import_encoding_by_field);
  g_test_add_func ("/import/cp1252-file", test_import_cp1252_file);
  g_test_add_func ("/import/renamed", test_import_renamed);
  g_test_add_func ("/import/international-address", test_import_international_address);
  g_test_add_func ("/import/shared-address", test_import_shared_address);
  g_test_add_func ("/import/renamed-corrected", test_import_renamed_corrected);
  g_test_add_func ("/import/stream", test_import_stream);
  g_test_add_func ("/import/problem-describe", test_problem_describe);
  g_test_add_func ("/import/progress", test_import_progress);
  g_test_add_func ("/import/async", test_import_async);
  g_test_add_func ("/import/atomic/missing-file", test_atomic_missing_file);
  g_test_add_func ("/import/atomic/binary", test_atomic_binary);
  g_test_add_func ("/import/atomic/missing-column", test_atomic_missing_column);
  g_test_add_func ("/import/atomic/unterminated", test_atomic_unterminated);
  g_test_add_func ("/import/atomic/sources-unwritable", test_atomic_sources_unwritable);
  g_test_add_func ("/import/atomic/cancel", test_atomic_cancel);
  g_test_add_func ("/import/atomic/disk-full", test_atomic_disk_full);
  g_test_add_func ("/import/atomic/changed-during", test_atomic_changed_during);

  return g_test_run ();
}
