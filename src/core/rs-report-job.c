/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-report-job"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <math.h>

#include "rs-activity-private.h"
#include "rs-benchmark.h"
#include "rs-branding.h"
#include "rs-companies.h"
#include "rs-report.h"
#include "rs-report-job.h"
#include "rs-respondent.h"
#include "rs-store-private.h"
#include "rs-thread.h"

/* Makes the reports of many respondents on a few worker threads, one per
 * core. Each worker has its own database connection and records each report
 * as soon as it is written; a report is written to a temporary file and
 * renamed, so a cancelled or crashed job never leaves half a PDF. */

/* How often a report run writes its counts so far into the activity log */
#define CHECKPOINT_INTERVAL_MS 1000

typedef struct
{
  guint n;
  double sums[RS_N_SCORES];
  guint counts[RS_N_SCORES];
} Company;

typedef struct
{
  gint64 id;
  char *company;
  /* The company's name in the report: the merged company's, if any */
  char *report_company;
  char *person;
  char *function;
  char *submitted_at;
  char *language;
  double scores[RS_N_SCORES];
  gint64 source_hash;
  char *old_path;
  char *old_hash;
  /* The SHA-256 of the file as it was written */
  char *old_sha256;
  /* What its benchmark block shows (report_benchmark), NULL when unknown */
  char *old_benchmark;
  /* The look it was made with (report_look), NULL when unknown */
  char *old_look;
  /* What the report on record was made from, when it is still current. */
  gboolean old_source_current;
  Company *group;
  char *file_name;
  gboolean wanted;
} Item;

typedef struct
{
  RsStore *store;
  char *folder;
  char *tag;
  gboolean force;
  RsReportJobProgress progress;
  gpointer progress_data;
  GCancellable *cancellable;

  GPtrArray *items;
  GHashTable *companies;
  /* The peer benchmark's population, when the reports show it */
  RsPopulation *population;
  gboolean benchmark;
  RsBranding *branding;
  /* rs_branding_look_key() of the two */
  char *look;
  GPtrArray *work;
  gint next;

  GMutex mutex;
  RsReportSummary *summary;
  /* What is done so far, in the activity log (under @mutex) */
  RsActivityCheckpoint checkpoint;
} Job;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->company);
  g_free (item->report_company);
  g_free (item->person);
  g_free (item->function);
  g_free (item->submitted_at);
  g_free (item->language);
  g_free (item->old_path);
  g_free (item->old_hash);
  g_free (item->old_sha256);
  g_free (item->old_benchmark);
  g_free (item->old_look);
  g_free (item->file_name);
  g_free (item);
}

static void
result_free (gpointer data)
{
  RsReportResult *result = data;

  g_free (result->person);
  g_free (result->company);
  g_free (result->path);
  g_free (result->reason);
  g_free (result);
}

void
rs_report_summary_free (RsReportSummary *summary)
{
  if (summary == NULL)
    return;

  g_clear_pointer (&summary->results, g_ptr_array_unref);
  g_free (summary);
}

/* The counts of a report job, in one sentence. */
char *
rs_report_summary_describe (const RsReportSummary *summary)
{
  /* Translators: the counts of a report job */
  return g_strdup_printf (_("%u made, %u already up to date, %u not possible, %u failed"),
                          summary->made, summary->up_to_date, summary->not_possible,
                          summary->failed);
}

/**
 * rs_report_store_tag:
 *
 * The short tag in the file names of the reports made from @store, so
 * that two databases with the same people never write the same file in a
 * shared folder: the first hex digits of a SHA-256 of the real path of the
 * database file, whatever link or relative path reached it. A copy of a
 * database gets a tag of its own. A database that is moved does too, and
 * names the reports it makes from then on anew; it still finds the ones it
 * made before by the paths it recorded.
 *
 * Returns: (transfer full): six lowercase hex digits.
 */
char *
rs_report_store_tag (RsStore *store)
{
  const char *path;
  char *real;
  g_autofree char *canonical = NULL;
  g_autofree char *checksum = NULL;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  path = rs_store_get_path (store);
  real = realpath (path, NULL);
  if (real != NULL)
    {
      canonical = g_strdup (real);
      free (real);
    }
  else
    {
      canonical = g_canonicalize_filename (path, NULL);
    }
  checksum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);

  return g_strndup (checksum, 6);
}

/* `~/Documents/ResilienceScan/Reports` */
char *
rs_report_default_folder (void)
{
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

  if (documents == NULL)
    return g_build_filename (g_get_home_dir (), "Documents", "ResilienceScan", "Reports", NULL);

  return g_build_filename (documents, "ResilienceScan", "Reports", NULL);
}

static gboolean
load_items (Job           *job,
            const gint64  *ids,
            guint          n_ids,
            GError       **error)
{
  g_autoptr(GHashTable) companies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           g_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) merges = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  db = rs_store_get_connection (job->store, error);
  if (db == NULL)
    return FALSE;

  merges = rs_company_map_load (db, error);
  if (merges == NULL)
    return FALSE;

  if (job->benchmark)
    job->population = rs_population_new ();

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.id, r.company, r.person, r.function, r.submitted_at,"
                           " r.language, " RS_STORE_SCORE_COLUMNS ","
                           " r.source_hash, d.report_path, d.report_hash, "
                           RS_STORE_REPORT_CURRENT ", d.report_sha256, "
                           RS_STORE_NOT_TEST_ENTRY ", d.report_benchmark, d.report_look"
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " ORDER BY r.id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Item *item = g_new0 (Item, 1);
      g_autofree char *key = NULL;

      item->id = sqlite3_column_int64 (stmt, 0);
      item->company = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      item->person = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->function = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      item->submitted_at = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      item->language = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      rs_store_read_scores (stmt, 6, item->scores);
      item->source_hash = sqlite3_column_int64 (stmt, 21);
      item->old_path = g_strdup ((const char *) sqlite3_column_text (stmt, 22));
      item->old_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 23));
      item->old_source_current = sqlite3_column_int (stmt, 24);
      item->old_sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 25));
      item->old_benchmark = g_strdup ((const char *) sqlite3_column_text (stmt, 27));
      item->old_look = g_strdup ((const char *) sqlite3_column_text (stmt, 28));
      item->wanted = n_ids == 0;
      if (job->population != NULL && sqlite3_column_int (stmt, 26))
        rs_population_add (job->population, item->scores);

      /* The company page averages everyone of the company, whoever is made,
       * with the names merged into it. */
      key = rs_company_map_group (merges, item->company);
      item->report_company = g_strdup (rs_company_map_name (merges, item->company));
      item->group = g_hash_table_lookup (companies, key);
      if (item->group == NULL)
        {
          item->group = g_new0 (Company, 1);
          g_hash_table_insert (companies, g_steal_pointer (&key), item->group);
        }
      item->group->n++;
      for (guint i = 0; i < RS_N_SCORES; i++)
        if (!isnan (item->scores[i]))
          {
            item->group->sums[i] += item->scores[i];
            item->group->counts[i]++;
          }

      g_ptr_array_add (job->items, item);
      g_hash_table_insert (by_id, &item->id, item);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  for (guint i = 0; i < n_ids; i++)
    {
      Item *item = g_hash_table_lookup (by_id, &ids[i]);

      if (item == NULL)
        {
          g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                       _("There is no respondent with id %lld; no report was made"),
                       (long long) ids[i]);
          return FALSE;
        }
      item->wanted = TRUE;
    }

  if (job->population != NULL)
    rs_population_seal (job->population);

  /* The table owns the company groups the items point to. */
  job->companies = g_steal_pointer (&companies);

  return TRUE;
}

/* Two respondents with the same name get distinct files; so do names that
 * only differ in case, for file systems that ignore it. Every name has the
 * database's tag, and a name is never given to a file that is already in
 * the folder unless it is one of this database's own reports: a file of
 * another database (or one whose tag is the same by chance) is never
 * written over. */
static void
assign_file_names (Job *job)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  for (guint i = 0; i < job->items->len; i++)
    {
      Item *item = g_ptr_array_index (job->items, i);
      g_autofree char *base = NULL;
      g_autofree char *folder = NULL;

      if (item->old_path == NULL)
        continue;

      base = g_path_get_basename (item->old_path);
      folder = g_path_get_dirname (item->old_path);
      if (!item->wanted)
        g_hash_table_add (taken, g_utf8_casefold (base, -1));
      if (g_strcmp0 (folder, job->folder) == 0)
        g_hash_table_add (own, g_steal_pointer (&base));
    }

  for (guint i = 0; i < job->items->len; i++)
    {
      Item *item = g_ptr_array_index (job->items, i);
      g_autofree char *name = NULL;

      if (!item->wanted)
        continue;

      for (guint n = 1; ; n++)
        {
          g_autofree char *folded = NULL;
          g_autofree char *path = NULL;

          g_free (name);
          name = rs_report_file_name_full (item->report_company, item->person, now, n,
                                           job->tag);
          folded = g_utf8_casefold (name, -1);
          if (g_hash_table_contains (taken, folded))
            continue;

          path = g_build_filename (job->folder, name, NULL);
          if (!g_hash_table_contains (own, name) && g_file_test (path, G_FILE_TEST_EXISTS))
            {
              g_debug ("Not writing over “%s”, which is not a report of this database", path);
              continue;
            }

          g_hash_table_add (taken, g_steal_pointer (&folded));
          break;
        }

      item->file_name = g_steal_pointer (&name);
      g_ptr_array_add (job->work, item);
    }
}

static void
fill_input (Job           *job,
            Item          *item,
            RsReportInput *input)
{
  if (job->population != NULL)
    rs_population_benchmark (job->population, item->scores, &input->benchmark);
  input->branding = job->branding;
  input->company = item->report_company;
  input->person = item->person;
  input->function = item->function;
  input->survey_date = item->submitted_at;
  input->language = item->language;
  input->company_respondents = item->group->n;
  for (guint i = 0; i < RS_N_SCORES; i++)
    {
      input->scores[i] = item->scores[i];
      input->company_means[i] = item->group->counts[i] > 0
                                ? item->group->sums[i] / item->group->counts[i] : NAN;
    }
}

typedef struct
{
  gint64 id;
  const char *path;
  const char *hash;
  gint64 source_hash;
  const char *problem;
  /* Of the file as written; NULL keeps the one recorded */
  const char *sha256;
  /* What the benchmark block shows: rs_benchmark_key(), or "off" */
  const char *benchmark;
  /* rs_branding_look_key() of the settings it was made with */
  const char *look;
} Record;

static gboolean
record_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  Record *record = user_data;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int rc;

  if (record->path != NULL)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE delivery SET report_path = ?2, report_hash = ?3,"
                             " report_source_hash = ?4, report_made_at = ?5,"
                             " report_problem = NULL, updated_at = ?5,"
                             " report_sha256 = coalesce (?7, report_sha256),"
                             " report_benchmark = ?8, report_look = ?9"
                             " WHERE respondent_id = ?1",
                             -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE delivery SET report_problem = ?6, updated_at = ?5"
                             " WHERE respondent_id = ?1",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, record->id);
      if (record->path != NULL)
        {
          sqlite3_bind_text (stmt, 2, record->path, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 3, record->hash, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 4, record->source_hash);
          sqlite3_bind_text (stmt, 7, record->sha256, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 8, record->benchmark, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 9, record->look, -1, SQLITE_STATIC);
        }
      sqlite3_bind_int64 (stmt, 5, now);
      if (record->path == NULL)
        sqlite3_bind_text (stmt, 6, record->problem, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static char *
file_sha256 (const char  *path,
             GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* Whether the report file at @path is there and, when its SHA-256 was
 * recorded, still byte for byte what was written: a file copied over it
 * (another respondent's report, an edited one) makes it out of date. */
static gboolean
file_is_as_written (const char *path,
                    const char *sha256)
{
  g_autofree char *contents = NULL;
  g_autofree char *checksum = NULL;
  gsize length;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (sha256 == NULL)
    return TRUE;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

  return g_str_equal (checksum, sha256);
}

static void
make_one (Job            *job,
          Item           *item,
          RsReportResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *benchmark = NULL;
  RsReportInput input = { 0 };
  Record record = { .id = item->id, .source_hash = item->source_hash };

  fill_input (job, item, &input);
  benchmark = job->benchmark ? rs_benchmark_key (&input.benchmark) : g_strdup ("off");
  record.benchmark = benchmark;
  record.look = job->look;

  if (!rs_report_check (&input, &error))
    {
      result->outcome = RS_REPORT_OUTCOME_NOT_POSSIBLE;
      result->reason = g_strdup (error->message);
      record.problem = result->reason;
      g_clear_error (&error);
      if (!rs_store_write (job->store, record_transaction, &record, &error))
        {
          result->outcome = RS_REPORT_OUTCOME_FAILED;
          g_free (result->reason);
          result->reason = g_strdup (error->message);
        }
      return;
    }

  hash = rs_report_input_hash (&input);
  if (!job->force && item->old_path != NULL && g_strcmp0 (hash, item->old_hash) == 0 &&
      file_is_as_written (item->old_path, item->old_sha256))
    {
      result->outcome = RS_REPORT_OUTCOME_UP_TO_DATE;
      result->path = g_strdup (item->old_path);

      /* The data changed where the report does not show it: the report is
       * current again for the data as it is now. So is a report whose
       * benchmark was recorded otherwise though it reads the same (made
       * before it was recorded, or with the benchmark off and too few
       * respondents for it), so that a later change of the population
       * is judged by what it shows. Likewise its look: settings changed
       * and changed back, or the benchmark switched on for too few. */
      if (!item->old_source_current || g_strcmp0 (item->old_benchmark, benchmark) != 0 ||
          g_strcmp0 (item->old_look, job->look) != 0)
        {
          record.path = item->old_path;
          record.hash = hash;
          if (!rs_store_write (job->store, record_transaction, &record, &error))
            {
              result->outcome = RS_REPORT_OUTCOME_FAILED;
              result->reason = g_strdup (error->message);
            }
        }
      return;
    }

  path = g_build_filename (job->folder, item->file_name, NULL);
  if (!rs_report_write_pdf (&input, path, &error))
    {
      result->outcome = RS_REPORT_OUTCOME_FAILED;
      result->reason = g_strdup (error->message);
      return;
    }

  /* The send attaches the file only if it still hashes to this. */
  sha256 = file_sha256 (path, &error);
  if (sha256 == NULL)
    {
      result->outcome = RS_REPORT_OUTCOME_FAILED;
      result->reason = g_strdup (error->message);
      return;
    }

  record.path = path;
  record.hash = hash;
  record.sha256 = sha256;
  if (!rs_store_write (job->store, record_transaction, &record, &error))
    {
      /* Without a record of it, the file would only be in the way. */
      g_unlink (path);
      result->outcome = RS_REPORT_OUTCOME_FAILED;
      result->reason = g_strdup (error->message);
      return;
    }

  /* The report of an earlier day is replaced, not kept beside it; but a
   * name with another database's tag may be a report of a copy of this
   * database, made since, and stays. */
  if (item->old_path != NULL && g_strcmp0 (item->old_path, path) != 0)
    {
      g_autofree char *old_folder = g_path_get_dirname (item->old_path);
      g_autofree char *old_tag = rs_report_file_name_get_tag (item->old_path);

      if (g_strcmp0 (old_folder, job->folder) == 0
          && (old_tag == NULL || g_strcmp0 (old_tag, job->tag) == 0))
        g_unlink (item->old_path);
    }

  result->outcome = RS_REPORT_OUTCOME_MADE;
  result->path = g_steal_pointer (&path);
}

static gpointer
worker_thread (gpointer data)
{
  Job *job = data;

  rs_thread_set_background ();

  for (;;)
    {
      RsReportResult *result;
      Item *item;
      guint index;

      if (g_cancellable_is_cancelled (job->cancellable))
        break;

      index = (guint) g_atomic_int_add (&job->next, 1);
      if (index >= job->work->len)
        break;

      item = g_ptr_array_index (job->work, index);
      result = g_new0 (RsReportResult, 1);
      result->id = item->id;
      result->person = g_strdup (item->person);
      result->company = g_strdup (item->company);
      make_one (job, item, result);

      g_mutex_lock (&job->mutex);
      switch (result->outcome)
        {
        case RS_REPORT_OUTCOME_MADE:
          job->summary->made++;
          break;
        case RS_REPORT_OUTCOME_UP_TO_DATE:
          job->summary->up_to_date++;
          break;
        case RS_REPORT_OUTCOME_NOT_POSSIBLE:
          job->summary->not_possible++;
          break;
        case RS_REPORT_OUTCOME_FAILED:
        default:
          job->summary->failed++;
          break;
        }
      g_ptr_array_add (job->summary->results, result);
      if (job->progress != NULL)
        job->progress (job->summary, result, job->progress_data);
      rs_activity_checkpoint_reports (job->store, &job->checkpoint, job->summary,
                                      CHECKPOINT_INTERVAL_MS);
      g_mutex_unlock (&job->mutex);
    }

  rs_store_release_connection (job->store);

  return NULL;
}

/**
 * rs_report_job_run:
 * @ids: (nullable): the respondents to make reports for; all when %NULL
 * @force: make reports again even when they are up to date
 * @n_threads: worker threads; 0 for one per core
 * @progress: (nullable): told about every report, from the worker threads
 *
 * Makes reports into @folder. Cancelling lets each worker finish the report
 * it is writing and then stops the job, which returns what was done.
 *
 * Returns: (transfer full): what happened to each report, or %NULL when the
 *   job could not start
 */
RsReportSummary *
rs_report_job_run (RsStore              *store,
                   const char           *folder,
                   const gint64         *ids,
                   guint                 n_ids,
                   gboolean              force,
                   guint                 n_threads,
                   RsReportJobProgress   progress,
                   gpointer              progress_data,
                   GCancellable         *cancellable,
                   GError              **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *absolute = NULL;
  Job job = { 0 };
  RsReportSummary *summary;
  gint64 activity;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (folder != NULL, NULL);

  /* Recorded as running first: a run that a crash cuts short is on record. */
  absolute = g_canonicalize_filename (folder, NULL);
  activity = rs_activity_begin (store, RS_ACTIVITY_REPORTS, absolute, FALSE);

  if (g_mkdir_with_parents (folder, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (&local_error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the reports folder “%s”: %s"),
                   folder, g_strerror (saved_errno));
      rs_activity_end_reports (store, activity, NULL, FALSE, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  job.store = store;
  job.checkpoint.id = activity;
  job.checkpoint.last_us = g_get_monotonic_time ();
  job.folder = g_strdup (folder);
  job.tag = rs_report_store_tag (store);
  job.force = force;
  job.progress = progress;
  job.progress_data = progress_data;
  job.cancellable = cancellable;
  job.items = g_ptr_array_new_with_free_func (item_free);
  job.branding = rs_branding_load_default (&job.benchmark);
  job.look = rs_branding_look_key (job.branding, job.benchmark);
  job.work = g_ptr_array_new ();
  job.summary = g_new0 (RsReportSummary, 1);
  job.summary->results = g_ptr_array_new_with_free_func (result_free);
  g_mutex_init (&job.mutex);

  if (load_items (&job, ids, n_ids, &local_error))
    {
      assign_file_names (&job);
      job.summary->total = job.work->len;

      if (n_threads == 0)
        n_threads = MAX (1, g_get_num_processors ());
      n_threads = MIN (n_threads, MAX (job.work->len, 1));
      for (guint i = 0; i < n_threads; i++)
        g_ptr_array_add (threads, g_thread_new ("rs-report", worker_thread, &job));
      for (guint i = 0; i < threads->len; i++)
        g_thread_join (g_ptr_array_index (threads, i));

      summary = g_steal_pointer (&job.summary);
      rs_activity_end_reports (store, activity, summary,
                               g_cancellable_is_cancelled (cancellable), NULL);
    }
  else
    {
      summary = NULL;
      rs_activity_end_reports (store, activity, NULL, FALSE, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  g_mutex_clear (&job.mutex);
  g_clear_pointer (&job.summary, rs_report_summary_free);
  g_clear_pointer (&job.companies, g_hash_table_unref);
  g_clear_pointer (&job.population, rs_population_free);
  g_clear_pointer (&job.branding, rs_branding_unref);
  g_clear_pointer (&job.look, g_free);
  g_ptr_array_unref (job.work);
  g_ptr_array_unref (job.items);
  g_free (job.folder);
  g_free (job.tag);

  return summary;
}

typedef struct
{
  char *folder;
  GArray *ids;
  gboolean force;
  RsReportJobProgress progress;
  gpointer progress_data;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *async = data;

  g_free (async->folder);
  g_array_unref (async->ids);
  g_free (async);
}

static gpointer
job_thread (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  RsStore *store = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  RsReportSummary *summary;

  rs_thread_set_background ();
  summary = rs_report_job_run (store, data->folder, (gint64 *) data->ids->data,
                               data->ids->len, data->force, 0, data->progress,
                               data->progress_data, g_task_get_cancellable (task), &error);
  rs_store_release_connection (store);

  if (summary == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, summary, (GDestroyNotify) rs_report_summary_free);

  return NULL;
}

/* rs_report_job_run() in a thread of its own rather than GTask's shared
 * pool: it runs for minutes. */
void
rs_report_job_run_async (RsStore              *store,
                         const char           *folder,
                         const gint64         *ids,
                         guint                 n_ids,
                         gboolean              force,
                         RsReportJobProgress   progress,
                         gpointer              progress_data,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (RS_IS_STORE (store));

  data = g_new0 (AsyncData, 1);
  data->folder = g_strdup (folder);
  data->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (n_ids > 0)
    g_array_append_vals (data->ids, ids, n_ids);
  data->force = force;
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_report_job_run_async);
  /* Stopped, the job still returns what it did: a cancelled cancellable must
   * not turn that into an error in _finish(). */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, async_data_free);
  g_thread_unref (g_thread_new ("rs-report-job", job_thread, g_steal_pointer (&task)));
}

RsReportSummary *
rs_report_job_run_finish (RsStore       *store,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rs_report_source_free (RsReportSource *source)
{
  if (source == NULL)
    return;

  g_free (source->company);
  g_free (source->person);
  g_free (source->function);
  g_free (source->survey_date);
  g_free (source->language);
  g_clear_pointer (&source->branding, rs_branding_unref);
  g_free (source);
}

/**
 * rs_report_source_load:
 *
 * Reads what one respondent's report is drawn from, with the averages of
 * their company, the peer benchmark and the branding of the saved
 * preferences, as the report job does; for a preview.
 */
RsReportSource *
rs_report_source_load (RsStore  *store,
                       gint64    id,
                       GError  **error)
{
  g_autoptr(RsReportSource) source = g_new0 (RsReportSource, 1);
  g_autoptr(GHashTable) merges = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_autofree char *key = NULL;
  g_autofree char *name = NULL;
  double sums[RS_N_SCORES] = { 0 };
  guint counts[RS_N_SCORES] = { 0 };
  gboolean benchmark;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT company, person, function, submitted_at, language, "
                           RS_STORE_SCORE_COLUMNS " FROM respondent WHERE id = ?1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      source->company = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      source->person = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      source->function = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      source->survey_date = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      source->language = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      rs_store_read_scores (stmt, 5, source->input.scores);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld"), (long long) id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  /* The same company as the job counts it: folded case and accents, and
   * the names merged into it. */
  merges = rs_company_map_load (db, error);
  if (merges == NULL)
    return NULL;
  key = rs_company_map_group (merges, source->company);
  name = g_strdup (rs_company_map_name (merges, source->company));
  g_free (source->company);
  source->company = g_steal_pointer (&name);
  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rc = sqlite3_prepare_v2 (db,
                           "SELECT company, " RS_STORE_SCORE_COLUMNS " FROM respondent",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *company = (const char *) sqlite3_column_text (stmt, 0);
          const char *other = g_hash_table_lookup (groups, company);
          double scores[RS_N_SCORES];

          if (other == NULL)
            {
              other = rs_company_map_group (merges, company);
              g_hash_table_insert (groups, g_strdup (company), (char *) other);
            }
          if (g_strcmp0 (other, key) != 0)
            continue;

          rs_store_read_scores (stmt, 1, scores);
          source->input.company_respondents++;
          for (guint i = 0; i < RS_N_SCORES; i++)
            if (!isnan (scores[i]))
              {
                sums[i] += scores[i];
                counts[i]++;
              }
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  for (guint i = 0; i < RS_N_SCORES; i++)
    source->input.company_means[i] = counts[i] > 0 ? sums[i] / counts[i] : NAN;
  source->branding = rs_branding_load_default (&benchmark);
  if (benchmark)
    {
      g_autoptr(RsPopulation) population = rs_population_load (db, error);

      if (population == NULL)
        return NULL;
      rs_population_benchmark (population, source->input.scores, &source->input.benchmark);
    }
  source->input.branding = source->branding;
  source->input.company = source->company;
  source->input.person = source->person;
  source->input.function = source->function;
  source->input.survey_date = source->survey_date;
  source->input.language = source->language;

  return g_steal_pointer (&source);
}
