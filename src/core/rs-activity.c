/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-activity"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "rs-activity-private.h"
#include "rs-export.h"
#include "rs-store-private.h"

/* The activity log. An import's counts and problems stay in import_log and
 * import_problem, which its entry points at; a report run and a send round
 * keep their counts in the entry and each failure, with its reason, in
 * activity_failure. An entry that is running names its process, so that
 * one whose process is gone reads as interrupted. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

static const char *kind_names[] = {
  [RS_ACTIVITY_IMPORT] = "import",
  [RS_ACTIVITY_REPORTS] = "reports",
  [RS_ACTIVITY_SEND] = "send",
};

static const char *outcome_names[] = {
  [RS_ACTIVITY_OUTCOME_RUNNING] = "running",
  [RS_ACTIVITY_OUTCOME_DONE] = "done",
  [RS_ACTIVITY_OUTCOME_CANCELLED] = "cancelled",
  [RS_ACTIVITY_OUTCOME_FAILED] = "failed",
  [RS_ACTIVITY_OUTCOME_INTERRUPTED] = "interrupted",
};

const char *
rs_activity_kind_to_string (RsActivityKind kind)
{
  g_return_val_if_fail (kind <= RS_ACTIVITY_SEND, NULL);

  return kind_names[kind];
}

const char *
rs_activity_outcome_to_string (RsActivityOutcome outcome)
{
  g_return_val_if_fail (outcome <= RS_ACTIVITY_OUTCOME_INTERRUPTED, NULL);

  return outcome_names[outcome];
}

void
rs_activity_failure_free (RsActivityFailure *failure)
{
  if (failure == NULL)
    return;

  g_free (failure->person);
  g_free (failure->address);
  g_free (failure->what);
  g_free (failure->reason);
  g_free (failure);
}

void
rs_activity_entry_free (RsActivityEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->user);
  g_free (entry->subject);
  g_free (entry->sheet);
  g_free (entry->error);
  g_clear_pointer (&entry->failures, g_ptr_array_unref);
  g_free (entry);
}

/* Writing */

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* When process @pid started, in clock ticks after the boot (the 22nd field
 * of /proc/PID/stat, after the command name in parentheses); NULL where
 * that cannot be read. */
static char *
process_start (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (after = strrchr (stat, ')')) == NULL)
    return NULL;

  /* Fields 3 (the state) to the end */
  fields = g_strsplit (after + 1, " ", 0);
  if (g_strv_length (fields) < 21 || fields[20][0] == '\0')
    return NULL;

  return g_strdup (fields[20]);
}

static char *
read_boot_id (void)
{
  char *boot = NULL;

  if (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
    g_strstrip (boot);

  return boot;
}

/* The running process: its host, the boot of that host, its pid and when
 * it started (a pid is used again by other processes later). */
static char *
process_tag (void)
{
  g_autofree char *boot = read_boot_id ();
  g_autofree char *start = process_start (getpid ());

  return g_strdup_printf ("%s/%s/%ld/%s", g_get_host_name (), boot != NULL ? boot : "",
                          (long) getpid (), start != NULL ? start : "");
}

/* Whether the process of @tag may still run: gone for sure only when it was
 * on this host, in an earlier boot, with a pid that is no more, or with a
 * pid that another process has now. */
static gboolean
process_may_run (const char *tag)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *boot = NULL;
  g_autofree char *start = NULL;
  gint64 pid;

  if (tag == NULL)
    return FALSE;

  parts = g_strsplit (tag, "/", 4);
  if (g_strv_length (parts) < 3)
    return TRUE;

  /* A boot id is this machine's for this boot alone: with it, the host's
   * name (which can change) says nothing more. */
  boot = read_boot_id ();
  if (boot == NULL || parts[1][0] == '\0' || !g_str_equal (boot, parts[1]))
    {
      if (!g_str_equal (parts[0], g_get_host_name ()))
        return TRUE;
      if (boot != NULL && parts[1][0] != '\0')
        return FALSE;
    }

  pid = g_ascii_strtoll (parts[2], NULL, 10);
  if (pid <= 0)
    return FALSE;

  if (kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
    return FALSE;

  /* Written before start times were: the pid alone says it. */
  if (parts[3] == NULL || parts[3][0] == '\0')
    return TRUE;

  start = process_start (pid);

  return start == NULL || g_str_equal (start, parts[3]);
}

gboolean
rs_activity_write_import (sqlite3                *db,
                          gint64                  id,
                          gint64                  started_at,
                          const RsImportSummary  *summary,
                          GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (summary != NULL && summary->import_id > 0, FALSE);

  /* The entry rs_activity_begin() wrote, or a new one when that could not
   * be written */
  if (id > 0)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE activity SET ended_at = max (:ended, started_at),"
                             " user_name = :user, outcome = 'done', subject = :file,"
                             " import_id = :import, process = NULL WHERE id = :id",
                             -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (db,
                             "INSERT INTO activity (kind, started_at, ended_at, user_name,"
                             " outcome, subject, import_id)"
                             " VALUES ('import', :started, :ended, :user, 'done', :file,"
                             " :import)",
                             -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  if (id > 0)
    rs_store_bind_int64 (stmt, ":id", id);
  else
    rs_store_bind_int64 (stmt, ":started", started_at);
  rs_store_bind_int64 (stmt, ":ended", MAX (now_s (), started_at));
  rs_store_bind_text (stmt, ":user", g_get_user_name ());
  rs_store_bind_text (stmt, ":file", summary->file);
  rs_store_bind_int64 (stmt, ":import", summary->import_id);

  return rs_store_step_done (db, stmt, error);
}

typedef struct
{
  RsActivityKind kind;
  gint64 started_at;
  const char *subject;
  gboolean test;
  const char *outcome;
  const char *error;
  const char *process;
  gint64 id;
} Begin;

static gboolean
insert_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  Begin *begin = user_data;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean running = g_str_equal (begin->outcome, "running");
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO activity (kind, started_at, ended_at, user_name, process,"
                           " outcome, subject, test, error)"
                           " VALUES (:kind, :started, :ended, :user, :process, :outcome,"
                           " :subject, :test, :error)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  rs_store_bind_text (stmt, ":kind", kind_names[begin->kind]);
  rs_store_bind_int64 (stmt, ":started", begin->started_at);
  if (running)
    rs_store_bind_text (stmt, ":ended", NULL);
  else
    rs_store_bind_int64 (stmt, ":ended", MAX (now_s (), begin->started_at));
  rs_store_bind_text (stmt, ":user", g_get_user_name ());
  rs_store_bind_text (stmt, ":process", running ? begin->process : NULL);
  rs_store_bind_text (stmt, ":outcome", begin->outcome);
  rs_store_bind_text (stmt, ":subject", begin->subject);
  rs_store_bind_int64 (stmt, ":test", begin->test);
  rs_store_bind_text (stmt, ":error", begin->error);
  if (!rs_store_step_done (db, stmt, error))
    return FALSE;

  begin->id = sqlite3_last_insert_rowid (db);

  return TRUE;
}

gint64
rs_activity_begin (RsStore        *store,
                   RsActivityKind  kind,
                   const char     *subject,
                   gboolean        test)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *process = process_tag ();
  Begin begin = {
    .kind = kind,
    .started_at = now_s (),
    .subject = subject,
    .test = test,
    .outcome = "running",
    .process = process,
  };

  g_return_val_if_fail (RS_IS_STORE (store), 0);

  if (!rs_store_write (store, insert_transaction, &begin, &error))
    {
      g_message ("Could not record the start of a %s job in the activity log: %s",
                 kind_names[kind], error->message);
      return 0;
    }

  return begin.id;
}

typedef struct
{
  gint64 id;
  const char *outcome;
  const char *error;
  /* Column name -> count, for those of its kind */
  const char * const *names;
  const guint *counts;
  guint n_counts;
  /* RsActivityFailure, borrowed */
  GPtrArray *failures;
  /* A checkpoint: the counts so far and the failures from @first_failure
   * on, the entry still running */
  gboolean running;
  guint first_failure;
} End;

static gboolean
end_transaction (sqlite3   *db,
                 gpointer   user_data,
                 GError   **error)
{
  End *end = user_data;
  g_autoptr(GString) sql = g_string_new (end->running
                                         ? "UPDATE activity SET id = id"
                                         : "UPDATE activity SET ended_at = max (:ended, started_at),"
                                           " outcome = :outcome, error = :error, process = NULL");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) failure = NULL;
  int rc;

  for (guint i = 0; i < end->n_counts; i++)
    g_string_append_printf (sql, ", %s = :%s", end->names[i], end->names[i]);
  g_string_append (sql, " WHERE id = :id");

  rc = sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);
  if (!end->running)
    {
      rs_store_bind_int64 (stmt, ":ended", now_s ());
      rs_store_bind_text (stmt, ":outcome", end->outcome);
      rs_store_bind_text (stmt, ":error", end->error);
    }
  for (guint i = 0; i < end->n_counts; i++)
    {
      g_autofree char *name = g_strconcat (":", end->names[i], NULL);

      rs_store_bind_int64 (stmt, name, end->counts[i]);
    }
  rs_store_bind_int64 (stmt, ":id", end->id);
  if (!rs_store_step_done (db, stmt, error))
    return FALSE;

  rc = sqlite3_prepare_v2 (db,
                           "INSERT OR REPLACE INTO activity_failure (activity_id, position,"
                           " respondent_id, person, address, what, reason)"
                           " VALUES (:activity, :position, :respondent, :person, :address, :what,"
                           " :reason)",
                           -1, &failure, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);
  for (guint i = end->first_failure; i < end->failures->len; i++)
    {
      RsActivityFailure *f = g_ptr_array_index (end->failures, i);

      sqlite3_reset (failure);
      rs_store_bind_int64 (failure, ":activity", end->id);
      rs_store_bind_int64 (failure, ":position", i);
      if (f->respondent_id > 0)
        rs_store_bind_int64 (failure, ":respondent", f->respondent_id);
      else
        rs_store_bind_text (failure, ":respondent", NULL);
      rs_store_bind_text (failure, ":person", f->person != NULL ? f->person : "");
      rs_store_bind_text (failure, ":address", f->address != NULL ? f->address : "");
      rs_store_bind_text (failure, ":what", f->what);
      rs_store_bind_text (failure, ":reason", f->reason != NULL ? f->reason : "");
      if (!rs_store_step_done (db, failure, error))
        return FALSE;
    }

  return TRUE;
}

void
rs_activity_record_import_failure (RsStore      *store,
                                   gint64        id,
                                   gint64        started_at,
                                   const char   *name,
                                   const GError *reason)
{
  g_autoptr(GError) error = NULL;
  gboolean cancelled = g_error_matches (reason, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  Begin begin = {
    .kind = RS_ACTIVITY_IMPORT,
    .started_at = started_at,
    .subject = name,
    .outcome = cancelled ? "cancelled" : "failed",
    .error = cancelled || reason == NULL ? NULL : reason->message,
  };

  g_return_if_fail (RS_IS_STORE (store));

  /* Waiting again for a database that kept the import waiting would only
   * delay its error. */
  if (g_error_matches (reason, RS_STORE_ERROR, RS_STORE_ERROR_BUSY))
    return;

  /* The import's own error is the one a person is told. */
  if (id > 0)
    {
      End end = {
        .id = id,
        .outcome = begin.outcome,
        .error = begin.error,
      };
      g_autoptr(GPtrArray) none = g_ptr_array_new ();

      end.failures = none;
      if (!rs_store_write (store, end_transaction, &end, &error))
        g_debug ("Could not record the import of “%s” in the activity log: %s",
                 name, error->message);
      return;
    }
  if (!rs_store_write (store, insert_transaction, &begin, &error))
    g_debug ("Could not record the import of “%s” in the activity log: %s",
             name, error->message);
}

static const char *
outcome_of (gboolean      cancelled,
            const GError *stopped)
{
  if (cancelled || g_error_matches (stopped, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (stopped != NULL)
    return "failed";

  return "done";
}

static RsActivityFailure *
failure_new (gint64      respondent_id,
             const char *person,
             const char *address,
             const char *what,
             const char *reason)
{
  RsActivityFailure *failure = g_new0 (RsActivityFailure, 1);

  failure->respondent_id = respondent_id;
  failure->person = g_strdup (person);
  failure->address = g_strdup (address);
  failure->what = g_strdup (what);
  failure->reason = g_strdup (reason);

  return failure;
}

static void
end_write (RsStore *store,
           End     *end)
{
  g_autoptr(GError) error = NULL;

  if (!rs_store_write (store, end_transaction, end, &error))
    g_message ("Could not record the end of job %" G_GINT64_FORMAT " in the activity log: %s",
               end->id, error->message);
}

static const char * const report_names[] = {
  "total", "made", "up_to_date", "not_possible", "failed", "remaining",
};

/* The counts of @summary into @counts (report_names) and its failures */
static void
fill_reports (const RsReportSummary *summary,
              guint                  counts[G_N_ELEMENTS (report_names)],
              GPtrArray             *failures)
{
  guint done = summary->made + summary->up_to_date + summary->not_possible + summary->failed;

  counts[0] = summary->total;
  counts[1] = summary->made;
  counts[2] = summary->up_to_date;
  counts[3] = summary->not_possible;
  counts[4] = summary->failed;
  counts[5] = summary->total > done ? summary->total - done : 0;
  for (guint i = 0; i < summary->results->len; i++)
    {
      RsReportResult *result = g_ptr_array_index (summary->results, i);

      if (result->outcome == RS_REPORT_OUTCOME_FAILED)
        g_ptr_array_add (failures, failure_new (result->id, result->person, result->company,
                                                "failed", result->reason));
      else if (result->outcome == RS_REPORT_OUTCOME_NOT_POSSIBLE)
        g_ptr_array_add (failures, failure_new (result->id, result->person, result->company,
                                                "not-possible", result->reason));
    }
}

static const char * const send_names[] = {
  "total", "sent", "failed", "deferred", "unknown", "skipped", "remaining",
};

static void
fill_send (const RsSendSummary *summary,
           guint                counts[G_N_ELEMENTS (send_names)],
           GPtrArray           *failures)
{
  counts[0] = summary->total;
  counts[1] = summary->sent;
  counts[2] = summary->failed;
  counts[3] = summary->deferred;
  counts[4] = summary->unknown;
  counts[5] = summary->skipped;
  counts[6] = summary->remaining;
  for (guint i = 0; i < summary->results->len; i++)
    {
      RsSendResult *result = g_ptr_array_index (summary->results, i);
      const char *what;

      switch (result->outcome)
        {
        case RS_SEND_OUTCOME_FAILED:
          what = "failed";
          break;
        case RS_SEND_OUTCOME_DEFERRED:
          what = "deferred";
          break;
        case RS_SEND_OUTCOME_UNKNOWN:
          what = "unknown";
          break;
        case RS_SEND_OUTCOME_SENT:
        case RS_SEND_OUTCOME_SKIPPED:
        default:
          continue;
        }
      g_ptr_array_add (failures, failure_new (result->id, result->person, result->email,
                                              what, result->error));
    }
}

void
rs_activity_end_reports (RsStore               *store,
                         gint64                 id,
                         const RsReportSummary *summary,
                         gboolean               cancelled,
                         const GError          *stopped)
{
  g_autoptr(GPtrArray) failures = NULL;
  guint counts[G_N_ELEMENTS (report_names)] = { 0 };
  End end = {
    .id = id,
    .error = stopped != NULL && !cancelled ? stopped->message : NULL,
    .names = report_names,
    .counts = counts,
    .n_counts = G_N_ELEMENTS (report_names),
  };

  g_return_if_fail (RS_IS_STORE (store));

  if (id <= 0)
    return;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_failure_free);
  end.failures = failures;
  if (summary != NULL)
    fill_reports (summary, counts, failures);

  /* A stop that came after the last report stopped nothing. */
  end.outcome = outcome_of (cancelled && (summary == NULL || counts[5] > 0), stopped);
  end_write (store, &end);
}

void
rs_activity_end_send (RsStore             *store,
                      gint64               id,
                      const RsSendSummary *summary,
                      const GError        *stopped)
{
  g_autoptr(GPtrArray) failures = NULL;
  guint counts[G_N_ELEMENTS (send_names)] = { 0 };
  gboolean cancelled = summary != NULL && summary->cancelled;
  End end = {
    .id = id,
    .outcome = outcome_of (cancelled, stopped),
    .error = stopped != NULL && !g_error_matches (stopped, G_IO_ERROR, G_IO_ERROR_CANCELLED)
             ? stopped->message : NULL,
    .names = send_names,
    .counts = counts,
    .n_counts = G_N_ELEMENTS (send_names),
  };

  g_return_if_fail (RS_IS_STORE (store));

  if (id <= 0)
    return;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_failure_free);
  end.failures = failures;
  if (summary != NULL)
    fill_send (summary, counts, failures);

  end_write (store, &end);
}

/* Whether a checkpoint is due: the first, or @interval_ms after the last */
static gboolean
checkpoint_due (RsActivityCheckpoint *checkpoint,
                guint                 interval_ms)
{
  gint64 now = g_get_monotonic_time ();

  if (checkpoint->id <= 0 ||
      (checkpoint->last_us != 0 && now - checkpoint->last_us < interval_ms * 1000))
    return FALSE;

  checkpoint->last_us = now;
  return TRUE;
}

static void
checkpoint_write (RsStore              *store,
                  RsActivityCheckpoint *checkpoint,
                  End                  *end)
{
  g_autoptr(GError) error = NULL;

  end->id = checkpoint->id;
  end->running = TRUE;
  end->first_failure = MIN (checkpoint->failures_written, end->failures->len);
  if (rs_store_write (store, end_transaction, end, &error))
    checkpoint->failures_written = end->failures->len;
  else
    g_debug ("Could not record the progress of job %" G_GINT64_FORMAT
             " in the activity log: %s", checkpoint->id, error->message);
}

/**
 * rs_activity_checkpoint_reports:
 * @interval_ms: how long after the last checkpoint another may be written
 *
 * Writes the counts and failures of a running report run so far, so that
 * one a crash cuts short keeps what it did.
 */
void
rs_activity_checkpoint_reports (RsStore               *store,
                                RsActivityCheckpoint  *checkpoint,
                                const RsReportSummary *summary,
                                guint                  interval_ms)
{
  g_autoptr(GPtrArray) failures = NULL;
  guint counts[G_N_ELEMENTS (report_names)] = { 0 };
  End end = {
    .names = report_names,
    .counts = counts,
    .n_counts = G_N_ELEMENTS (report_names),
  };

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (summary != NULL);

  if (!checkpoint_due (checkpoint, interval_ms))
    return;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_failure_free);
  end.failures = failures;
  fill_reports (summary, counts, failures);
  checkpoint_write (store, checkpoint, &end);
}

/* The same for a send round */
void
rs_activity_checkpoint_send (RsStore              *store,
                             RsActivityCheckpoint *checkpoint,
                             const RsSendSummary  *summary,
                             guint                 interval_ms)
{
  g_autoptr(GPtrArray) failures = NULL;
  guint counts[G_N_ELEMENTS (send_names)] = { 0 };
  End end = {
    .names = send_names,
    .counts = counts,
    .n_counts = G_N_ELEMENTS (send_names),
  };

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (summary != NULL);

  if (!checkpoint_due (checkpoint, interval_ms))
    return;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_failure_free);
  end.failures = failures;
  fill_send (summary, counts, failures);
  checkpoint_write (store, checkpoint, &end);
}

/* Reading */

#define SELECT_ENTRY \
  "SELECT a.id, a.kind, a.outcome, a.started_at, coalesce (a.ended_at, 0), a.user_name," \
  " a.process, a.subject, coalesce (a.import_id, 0), a.test, a.error," \
  " coalesce (a.total, 0), coalesce (a.made, 0), coalesce (a.up_to_date, 0)," \
  " coalesce (a.not_possible, 0), coalesce (a.sent, 0), coalesce (a.failed, 0)," \
  " coalesce (a.deferred, 0), coalesce (a.unknown, 0), coalesce (a.skipped, l.skipped, 0)," \
  " coalesce (a.remaining, 0)," \
  " coalesce (l.added, 0), coalesce (l.updated, 0), coalesce (l.unchanged, 0)," \
  " coalesce (l.flagged, 0), coalesce (l.duplicates, 0), l.sheet," \
  " CASE WHEN a.kind = 'import'" \
  "  THEN (SELECT count (*) FROM import_problem p WHERE p.import_id = a.import_id" \
  "        AND (p.kind = 'skipped' OR p.kind = 'flagged'))" \
  "  ELSE (SELECT count (*) FROM activity_failure f WHERE f.activity_id = a.id) END" \
  " FROM activity a LEFT JOIN import_log l ON l.id = a.import_id"

static guint
column_uint (sqlite3_stmt *stmt,
             int           column)
{
  return (guint) CLAMP (sqlite3_column_int64 (stmt, column), 0, G_MAXUINT);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static RsActivityEntry *
read_entry (sqlite3_stmt *stmt)
{
  RsActivityEntry *entry = g_new0 (RsActivityEntry, 1);
  const char *kind = (const char *) sqlite3_column_text (stmt, 1);
  const char *outcome = (const char *) sqlite3_column_text (stmt, 2);

  entry->id = sqlite3_column_int64 (stmt, 0);
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (kind, kind_names[i]) == 0)
      entry->kind = i;
  for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    if (g_strcmp0 (outcome, outcome_names[i]) == 0)
      entry->outcome = i;
  if (entry->outcome == RS_ACTIVITY_OUTCOME_RUNNING &&
      !process_may_run ((const char *) sqlite3_column_text (stmt, 6)))
    entry->outcome = RS_ACTIVITY_OUTCOME_INTERRUPTED;
  entry->started_at = sqlite3_column_int64 (stmt, 3);
  entry->ended_at = sqlite3_column_int64 (stmt, 4);
  entry->user = column_text (stmt, 5);
  if (entry->user == NULL)
    entry->user = g_strdup ("");
  entry->subject = column_text (stmt, 7);
  entry->import_id = sqlite3_column_int64 (stmt, 8);
  entry->test = sqlite3_column_int (stmt, 9) != 0;
  entry->error = column_text (stmt, 10);
  entry->total = column_uint (stmt, 11);
  entry->made = column_uint (stmt, 12);
  entry->up_to_date = column_uint (stmt, 13);
  entry->not_possible = column_uint (stmt, 14);
  entry->sent = column_uint (stmt, 15);
  entry->failed = column_uint (stmt, 16);
  entry->deferred = column_uint (stmt, 17);
  entry->unknown = column_uint (stmt, 18);
  entry->skipped = column_uint (stmt, 19);
  entry->remaining = column_uint (stmt, 20);
  entry->added = column_uint (stmt, 21);
  entry->updated = column_uint (stmt, 22);
  entry->unchanged = column_uint (stmt, 23);
  entry->flagged = column_uint (stmt, 24);
  entry->duplicates = column_uint (stmt, 25);
  entry->sheet = column_text (stmt, 26);
  entry->n_failures = column_uint (stmt, 27);

  return entry;
}

/**
 * rs_activity_list:
 *
 * Returns: (transfer full) (element-type RsActivityEntry): every entry,
 *   newest first, or %NULL with @error set
 */
GPtrArray *
rs_activity_list (RsStore  *store,
                  GError  **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  rc = sqlite3_prepare_v2 (db, SELECT_ENTRY " ORDER BY a.started_at DESC, a.id DESC", -1,
                           &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, read_entry (stmt));
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&entries);
}

/**
 * rs_activity_get:
 *
 * Returns: (transfer full) (nullable): entry @id with its failures
 */
RsActivityEntry *
rs_activity_get (RsStore  *store,
                 gint64    id,
                 GError  **error)
{
  g_autoptr(RsActivityEntry) entry = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) failures = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  /* One snapshot for the entry and its failures */
  if (!rs_store_exec (db, "BEGIN", error))
    return NULL;

  rc = sqlite3_prepare_v2 (db, SELECT_ENTRY " WHERE a.id = :id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rs_store_bind_int64 (stmt, ":id", id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        entry = read_entry (stmt);
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc == SQLITE_ROW)
    rc = sqlite3_prepare_v2 (db,
                             "SELECT coalesce (respondent_id, 0), person, address, what, reason"
                             " FROM activity_failure WHERE activity_id = :id ORDER BY position",
                             -1, &failures, NULL);
  if (entry != NULL && rc == SQLITE_OK)
    {
      entry->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_activity_failure_free);
      rs_store_bind_int64 (failures, ":id", id);
      while ((rc = sqlite3_step (failures)) == SQLITE_ROW)
        g_ptr_array_add (entry->failures,
                         failure_new (sqlite3_column_int64 (failures, 0),
                                      (const char *) sqlite3_column_text (failures, 1),
                                      (const char *) sqlite3_column_text (failures, 2),
                                      (const char *) sqlite3_column_text (failures, 3),
                                      (const char *) sqlite3_column_text (failures, 4)));
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }

  if (rc != SQLITE_OK)
    rs_store_set_error_from_db (db, rc, error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_pointer (&failures, sqlite3_finalize);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return NULL;

  return g_steal_pointer (&entry);
}

static gpointer
list_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  return rs_activity_list (store, error);
}

/* rs_activity_list() in a worker thread, on its own connection */
void
rs_activity_list_async (RsStore             *store,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (RS_IS_STORE (store));

  rs_store_run_async (store, list_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                      cancellable, callback, user_data);
}

GPtrArray *
rs_activity_list_finish (RsStore       *store,
                         GAsyncResult  *result,
                         GError       **error)
{
  return rs_store_run_finish (store, result, error);
}

static gpointer
get_job (RsStore       *store,
         gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  RsActivityEntry *entry = rs_activity_get (store, *(gint64 *) data, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* None: an entry without an id, which _finish() turns into NULL */
  return entry != NULL ? entry : g_new0 (RsActivityEntry, 1);
}

/* rs_activity_get() in a worker thread, on its own connection */
void
rs_activity_get_async (RsStore             *store,
                       gint64               id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  gint64 *data = g_new (gint64, 1);

  g_return_if_fail (RS_IS_STORE (store));

  *data = id;
  rs_store_run_async (store, get_job, data, g_free, (GDestroyNotify) rs_activity_entry_free,
                      cancellable, callback, user_data);
}

/* Returns %NULL with @error unset when there is no such entry. */
RsActivityEntry *
rs_activity_get_finish (RsStore       *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  RsActivityEntry *entry = rs_store_run_finish (store, result, error);

  if (entry != NULL && entry->id == 0)
    g_clear_pointer (&entry, rs_activity_entry_free);

  return entry;
}

/* Describing */

char *
rs_activity_format_time (gint64 at)
{
  g_autoptr(GDateTime) time = at > 0 ? g_date_time_new_from_unix_local (at) : NULL;

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
}

/**
 * rs_activity_entry_describe_what:
 *
 * Returns: (transfer full): what was done, such as “Import of “master.csv””
 */
char *
rs_activity_entry_describe_what (const RsActivityEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  switch (entry->kind)
    {
    case RS_ACTIVITY_IMPORT:
      if (entry->sheet != NULL)
        /* Translators: the workbook that was imported, and its sheet */
        return g_strdup_printf (_("Import of “%s”, sheet “%s”"),
                                entry->subject != NULL ? entry->subject : "", entry->sheet);
      /* Translators: the file that was imported */
      return g_strdup_printf (_("Import of “%s”"), entry->subject != NULL ? entry->subject : "");
    case RS_ACTIVITY_REPORTS:
      return g_strdup (_("Report run"));
    case RS_ACTIVITY_SEND:
    default:
      if (entry->test && entry->subject != NULL)
        /* Translators: the address the test messages went to */
        return g_strdup_printf (_("Test round to %s"), entry->subject);
      if (entry->test)
        return g_strdup (_("Test round"));
      return g_strdup (_("Send round"));
    }
}

const char *
rs_activity_outcome_describe (RsActivityOutcome outcome)
{
  switch (outcome)
    {
    case RS_ACTIVITY_OUTCOME_RUNNING:
      return _("running");
    case RS_ACTIVITY_OUTCOME_DONE:
      return _("done");
    case RS_ACTIVITY_OUTCOME_CANCELLED:
      return _("cancelled");
    case RS_ACTIVITY_OUTCOME_FAILED:
      return _("stopped on an error");
    case RS_ACTIVITY_OUTCOME_INTERRUPTED:
    default:
      return _("interrupted before it finished");
    }
}

/**
 * rs_activity_entry_describe_counts:
 *
 * Returns: (transfer full): the counts of @entry, as the job itself tells
 *   them, or an empty string when it has none
 */
char *
rs_activity_entry_describe_counts (const RsActivityEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  switch (entry->kind)
    {
    case RS_ACTIVITY_IMPORT:
      {
        RsImportSummary counts = {
          .added = entry->added,
          .updated = entry->updated,
          .unchanged = entry->unchanged,
          .skipped = entry->skipped,
          .flagged = entry->flagged,
          .duplicates = entry->duplicates,
        };

        if (entry->import_id == 0)
          return g_strdup ("");
        return rs_import_summary_describe (&counts);
      }
    case RS_ACTIVITY_REPORTS:
      {
        RsReportSummary counts = {
          .total = entry->total,
          .made = entry->made,
          .up_to_date = entry->up_to_date,
          .not_possible = entry->not_possible,
          .failed = entry->failed,
        };
        g_autofree char *text = rs_report_summary_describe (&counts);

        if (entry->remaining == 0)
          return g_steal_pointer (&text);
        /* Translators: the counts of a report run, then those it did not get to */
        return g_strdup_printf (_("%s, %u not made"), text, entry->remaining);
      }
    case RS_ACTIVITY_SEND:
    default:
      {
        RsSendSummary counts = {
          .mode = entry->test ? RS_SEND_MODE_TEST : RS_SEND_MODE_LIVE,
          .total = entry->total,
          .sent = entry->sent,
          .failed = entry->failed,
          .deferred = entry->deferred,
          .unknown = entry->unknown,
          .skipped = entry->skipped,
          .remaining = entry->remaining,
        };

        return rs_send_summary_describe (&counts);
      }
    }
}

/**
 * rs_activity_failure_describe:
 *
 * Returns: (transfer full): who, what became of them and why, on one line
 */
char *
rs_activity_failure_describe (const RsActivityFailure *failure)
{
  g_autofree char *id = NULL;
  const char *what;

  g_return_val_if_fail (failure != NULL, NULL);

  if (g_strcmp0 (failure->what, "not-possible") == 0)
    what = _("not possible");
  else if (g_strcmp0 (failure->what, "deferred") == 0)
    what = _("not sent yet");
  else if (g_strcmp0 (failure->what, "unknown") == 0)
    what = _("unknown, check your Sent folder");
  else
    what = _("failed");

  id = g_strdup_printf ("%" G_GINT64_FORMAT, failure->respondent_id);
  if (failure->address != NULL && failure->address[0] != '\0')
    /* Translators: person, their address (or company), respondent id, what
     * became of them, why */
    return g_strdup_printf (_("%s (%s, id %s): %s: %s"),
                            failure->person, failure->address, id, what, failure->reason);

  /* Translators: person, respondent id, what became of them, why */
  return g_strdup_printf (_("%s (id %s): %s: %s"), failure->person, id, what, failure->reason);
}

/**
 * rs_activity_entry_describe:
 *
 * Returns: (transfer full): when, who, what, how it ended and the counts,
 *   on one line
 */
char *
rs_activity_entry_describe (const RsActivityEntry *entry)
{
  g_autofree char *when = NULL;
  g_autofree char *what = NULL;
  g_autofree char *counts = NULL;
  GString *text;

  g_return_val_if_fail (entry != NULL, NULL);

  when = rs_activity_format_time (entry->started_at);
  what = rs_activity_entry_describe_what (entry);
  counts = rs_activity_entry_describe_counts (entry);

  text = g_string_new (NULL);
  /* Translators: when, the user who did it, what was done, how it ended */
  g_string_append_printf (text, _("%s  %s  %s: %s."), when,
                          entry->user[0] != '\0' ? entry->user : _("(unknown user)"),
                          what, rs_activity_outcome_describe (entry->outcome));
  if (counts[0] != '\0')
    g_string_append_printf (text, " %s", counts);
  if (entry->error != NULL)
    {
      g_autofree char *error = g_strdup (entry->error);

      g_strdelimit (error, "\r\n", ' ');
      g_string_append_c (text, ' ');
      /* Translators: why the work stopped */
      g_string_append_printf (text, _("Error: %s"), error);
    }
  if (entry->n_failures > 0)
    {
      g_string_append_c (text, ' ');
      if (entry->kind == RS_ACTIVITY_IMPORT)
        g_string_append_printf (text, ngettext ("(%u row with a problem)",
                                                "(%u rows with a problem)", entry->n_failures),
                                entry->n_failures);
      else
        g_string_append_printf (text, ngettext ("(%u failure)", "(%u failures)",
                                                entry->n_failures),
                                entry->n_failures);
    }

  return g_string_free (text, FALSE);
}

void
rs_activity_append_csv_header (GString *out)
{
  g_return_if_fail (out != NULL);

  g_string_append (out, RS_ACTIVITY_CSV_HEADER "\n");
}

static void
append_count (GString  *out,
              gboolean  applies,
              guint     count)
{
  g_string_append_c (out, ',');
  if (applies)
    g_string_append_printf (out, "%u", count);
}

void
rs_activity_append_csv (GString               *out,
                        const RsActivityEntry *entry)
{
  gboolean import, reports, send;
  g_autofree char *started = NULL;
  g_autofree char *ended = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (entry != NULL);

  import = entry->kind == RS_ACTIVITY_IMPORT && entry->import_id > 0;
  reports = entry->kind == RS_ACTIVITY_REPORTS;
  send = entry->kind == RS_ACTIVITY_SEND;
  started = rs_activity_format_time (entry->started_at);
  ended = rs_activity_format_time (entry->ended_at);

  g_string_append_printf (out, "%" G_GINT64_FORMAT ",%s,%s,", entry->id,
                          kind_names[entry->kind], outcome_names[entry->outcome]);
  if (send)
    g_string_append (out, entry->test ? "test" : "live");
  g_string_append_printf (out, ",%s,%s,", started, ended);
  rs_export_append_text_field (out, entry->user, ',');
  g_string_append_c (out, ',');
  rs_export_append_text_field (out, entry->subject, ',');
  g_string_append_c (out, ',');
  if (entry->import_id > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, entry->import_id);
  append_count (out, reports || send, entry->total);
  append_count (out, import, entry->added);
  append_count (out, import, entry->updated);
  append_count (out, import, entry->unchanged);
  append_count (out, import || send, entry->skipped);
  append_count (out, import, entry->flagged);
  append_count (out, import, entry->duplicates);
  append_count (out, reports, entry->made);
  append_count (out, reports, entry->up_to_date);
  append_count (out, reports, entry->not_possible);
  append_count (out, send, entry->sent);
  append_count (out, reports || send, entry->failed);
  append_count (out, send, entry->deferred);
  append_count (out, send, entry->unknown);
  append_count (out, reports || send, entry->remaining);
  append_count (out, TRUE, entry->n_failures);
  g_string_append_c (out, ',');
  rs_export_append_text_field (out, entry->error, ',');
  g_string_append_c (out, ',');
  if (entry->failures != NULL && entry->failures->len > 0)
    {
      g_autoptr(GString) details = g_string_new (NULL);

      for (guint i = 0; i < entry->failures->len; i++)
        {
          g_autofree char *failure = NULL;

          failure = rs_activity_failure_describe (g_ptr_array_index (entry->failures, i));
          g_strdelimit (failure, "\r\n", ' ');
          if (i > 0)
            g_string_append_c (details, '\n');
          g_string_append (details, failure);
        }
      rs_export_append_text_field (out, details->str, ',');
    }
  g_string_append_c (out, '\n');
}
