/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-tracker"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-import.h"
#include "rs-store-private.h"
#include "rs-tracker.h"

/* Reading respondents for the window, and the status changes people make by
 * hand. Every change writes a history row; nothing is changed while a send
 * job holds the record in `sending`. */

G_DEFINE_QUARK (rs-tracker-error-quark, rs_tracker_error)

#define RESPONDENT_COLUMNS \
  "r.id, r.company, r.person, r.email, r.function, r.problem, d.status, d.sent_at," \
  " d.mode, d.note, d.error, d.report_path, d.report_problem," \
  " d.report_path IS NOT NULL AND NOT (" RS_STORE_REPORT_CURRENT ")," \
  " (r.up_r IS NOT NULL) + (r.up_c IS NOT NULL) + (r.up_f IS NOT NULL) +" \
  " (r.up_v IS NOT NULL) + (r.up_a IS NOT NULL) + (r.in_r IS NOT NULL) +" \
  " (r.in_c IS NOT NULL) + (r.in_f IS NOT NULL) + (r.in_v IS NOT NULL) +" \
  " (r.in_a IS NOT NULL) + (r.do_r IS NOT NULL) + (r.do_c IS NOT NULL) +" \
  " (r.do_f IS NOT NULL) + (r.do_v IS NOT NULL) + (r.do_a IS NOT NULL)," \
  " d.updated_at"

static RsRespondent *
respondent_from_row (sqlite3_stmt *stmt)
{
  RsRespondentData data = {
    .id = sqlite3_column_int64 (stmt, 0),
    .company = (const char *) sqlite3_column_text (stmt, 1),
    .person = (const char *) sqlite3_column_text (stmt, 2),
    .email = (const char *) sqlite3_column_text (stmt, 3),
    .function = (const char *) sqlite3_column_text (stmt, 4),
    .problem = (const char *) sqlite3_column_text (stmt, 5),
    .status = rs_status_from_string ((const char *) sqlite3_column_text (stmt, 6)),
    .sent_at = sqlite3_column_int64 (stmt, 7),
    .mode = (const char *) sqlite3_column_text (stmt, 8),
    .note = (const char *) sqlite3_column_text (stmt, 9),
    .error = (const char *) sqlite3_column_text (stmt, 10),
    .report_path = (const char *) sqlite3_column_text (stmt, 11),
    .report_problem = (const char *) sqlite3_column_text (stmt, 12),
    .report_outdated = sqlite3_column_int (stmt, 13),
    .n_scores = sqlite3_column_int (stmt, 14),
    .updated_at = sqlite3_column_int64 (stmt, 15),
  };

  if (data.status == RS_STATUS_INVALID)
    data.status = RS_STATUS_UNKNOWN;

  return rs_respondent_new (&data);
}

/**
 * rs_tracker_load:
 *
 * Reads every respondent, ordered by id, on the calling thread's connection.
 *
 * Returns: (transfer full) (element-type RsRespondent): the respondents
 */
GPtrArray *
rs_tracker_load (RsStore       *store,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return rs_tracker_load_changed (store, -1, NULL, cancellable, error);
}

static GPtrArray *
load_changed (sqlite3       *db,
              gint64         since,
              gint64        *seen,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GPtrArray) respondents = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  gint64 change = 0;
  int rc;

  if (!rs_store_read_change (db, &change, error))
    return NULL;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT " RESPONDENT_COLUMNS
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE ?1 < 0 OR d.changed > ?1 OR r.changed > ?1"
                           " ORDER BY r.id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, since);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (respondents, respondent_from_row (stmt));

      if ((respondents->len & 4095) == 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  if (seen != NULL)
    *seen = change;
  return g_steal_pointer (&respondents);
}

/**
 * rs_tracker_load_changed:
 * @since: what @seen was at an earlier load; -1 for everyone
 * @seen: (out) (optional): the change counter as this load saw it
 *
 * Reads the respondents whose data or status changed since the load that
 * saw @since: every change committed after it, whenever its transaction
 * began. The counter and the rows are read in one transaction.
 *
 * Returns: (transfer full) (element-type RsRespondent): the respondents
 */
GPtrArray *
rs_tracker_load_changed (RsStore       *store,
                         gint64         since,
                         gint64        *seen,
                         GCancellable  *cancellable,
                         GError       **error)
{
  GPtrArray *respondents;
  sqlite3 *db;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  if (!rs_store_exec (db, "BEGIN", error))
    return NULL;
  respondents = load_changed (db, since, seen, cancellable, error);
  rs_store_exec (db, "COMMIT", NULL);

  return respondents;
}

void
rs_status_snapshot_free (RsStatusSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_free (snapshot->note);
  g_free (snapshot->mode);
  g_free (snapshot);
}

typedef struct
{
  const gint64 *ids;
  guint n_ids;
  RsStatus status;
  const char *note;
  GPtrArray *snapshots;
} Mark;

/**
 * rs_tracker_insert_history:
 * @by: "send", "manual" or "import"
 *
 * Adds one row to @id's history, inside the caller's write transaction.
 */
gboolean
rs_tracker_insert_history (sqlite3     *db,
                           gint64       id,
                           gint64       at,
                           const char  *from,
                           const char  *to,
                           const char  *mode,
                           const char  *by,
                           const char  *note,
                           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO history (respondent_id, at, from_status, to_status, mode,"
                           " by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, at);
      sqlite3_bind_text (stmt, 3, from, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, to, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, mode, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, by, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 7, note ? note : "", -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
mark_transaction (sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  Mark *mark = user_data;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *select = NULL;
  sqlite3_stmt *update = NULL;
  gboolean ok = FALSE;
  int rc;

  g_ptr_array_set_size (mark->snapshots, 0);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT d.status, d.note, d.sent_at, d.mode, d.manually_updated,"
                           "       r.person, r.company"
                           "  FROM delivery d JOIN respondent r ON r.id = d.respondent_id"
                           " WHERE d.respondent_id = ?1",
                           -1, &select, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE delivery SET status = ?2, note = coalesce (?3, note),"
                             " sent_at = CASE WHEN ?2 = 'sent' THEN coalesce (sent_at, ?4)"
                             "           ELSE sent_at END,"
                             " manually_updated = 1, updated_at = ?4"
                             " WHERE respondent_id = ?1",
                             -1, &update, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      goto out;
    }

  for (guint i = 0; i < mark->n_ids; i++)
    {
      RsStatusSnapshot *snapshot;
      const char *from;

      sqlite3_bind_int64 (select, 1, mark->ids[i]);
      rc = sqlite3_step (select);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_NOT_FOUND,
                       _("There is no respondent with id %lld; nothing was changed"),
                       (long long) mark->ids[i]);
          goto out;
        }
      if (rc != SQLITE_ROW)
        {
          rs_store_set_error_from_db (db, rc, error);
          goto out;
        }

      from = (const char *) sqlite3_column_text (select, 0);
      if (g_strcmp0 (from, "sending") == 0)
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_SENDING,
                       _("%s (%s) is being sent right now; wait until sending has finished. "
                         "Nothing was changed."),
                       (const char *) sqlite3_column_text (select, 5),
                       (const char *) sqlite3_column_text (select, 6));
          goto out;
        }

      snapshot = g_new0 (RsStatusSnapshot, 1);
      snapshot->id = mark->ids[i];
      snapshot->status = rs_status_from_string (from);
      snapshot->note = g_strdup ((const char *) sqlite3_column_text (select, 1));
      snapshot->sent_at = sqlite3_column_int64 (select, 2);
      snapshot->mode = g_strdup ((const char *) sqlite3_column_text (select, 3));
      snapshot->manually_updated = sqlite3_column_int (select, 4);
      g_ptr_array_add (mark->snapshots, snapshot);
      sqlite3_reset (select);

      sqlite3_bind_int64 (update, 1, mark->ids[i]);
      sqlite3_bind_text (update, 2, rs_status_to_string (mark->status), -1, SQLITE_STATIC);
      if (mark->note != NULL)
        sqlite3_bind_text (update, 3, mark->note, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (update, 3);
      sqlite3_bind_int64 (update, 4, now);
      rc = sqlite3_step (update);
      sqlite3_reset (update);
      if (rc != SQLITE_DONE)
        {
          rs_store_set_error_from_db (db, rc, error);
          goto out;
        }

      if (!rs_tracker_insert_history (db, mark->ids[i], now,
                                      rs_status_to_string (snapshot->status),
                                      rs_status_to_string (mark->status), snapshot->mode,
                                      "manual", mark->note, error))
        goto out;
    }

  ok = TRUE;

out:
  sqlite3_finalize (select);
  sqlite3_finalize (update);
  return ok;
}

/**
 * rs_tracker_mark:
 * @status: pending, sent or failed
 * @note: (nullable): the note to set, or %NULL to keep each one's note
 *
 * Sets the status of every respondent in @ids by hand, in one transaction:
 * all change, or none (an unknown id, or one that is being sent).
 *
 * Returns: (transfer full) (element-type RsStatusSnapshot): what each had
 *   before, for rs_tracker_restore()
 */
GPtrArray *
rs_tracker_mark (RsStore       *store,
                 const gint64  *ids,
                 guint          n_ids,
                 RsStatus       status,
                 const char    *note,
                 GError       **error)
{
  g_autoptr(GPtrArray) snapshots = NULL;
  Mark mark;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);

  if (status != RS_STATUS_PENDING && status != RS_STATUS_SENT && status != RS_STATUS_FAILED)
    {
      g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID,
                   _("A status can only be set to pending, sent or failed by hand"));
      return NULL;
    }

  snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) rs_status_snapshot_free);
  mark = (Mark) { ids, n_ids, status, note, snapshots };

  if (!rs_store_write (store, mark_transaction, &mark, error))
    return NULL;

  return g_steal_pointer (&snapshots);
}

static gboolean
restore_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  GPtrArray *snapshots = user_data;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *select = NULL;
  sqlite3_stmt *update = NULL;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT status FROM delivery WHERE respondent_id = ?1", -1,
                           &select, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db,
                             "UPDATE delivery SET status = ?2, note = ?3, sent_at = ?4,"
                             " mode = ?5, manually_updated = ?6, updated_at = ?7"
                             " WHERE respondent_id = ?1",
                             -1, &update, NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      goto out;
    }

  for (guint i = 0; i < snapshots->len; i++)
    {
      RsStatusSnapshot *snapshot = g_ptr_array_index (snapshots, i);
      g_autofree char *from = NULL;

      sqlite3_bind_int64 (select, 1, snapshot->id);
      if (sqlite3_step (select) != SQLITE_ROW)
        {
          sqlite3_reset (select);
          continue;
        }
      from = g_strdup ((const char *) sqlite3_column_text (select, 0));
      sqlite3_reset (select);

      if (g_strcmp0 (from, "sending") == 0)
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_SENDING,
                       _("A respondent is being sent right now; the change cannot be undone"));
          goto out;
        }

      sqlite3_bind_int64 (update, 1, snapshot->id);
      sqlite3_bind_text (update, 2, rs_status_to_string (snapshot->status), -1, SQLITE_STATIC);
      sqlite3_bind_text (update, 3, snapshot->note ? snapshot->note : "", -1, SQLITE_STATIC);
      if (snapshot->sent_at != 0)
        sqlite3_bind_int64 (update, 4, snapshot->sent_at);
      else
        sqlite3_bind_null (update, 4);
      sqlite3_bind_text (update, 5, snapshot->mode, -1, SQLITE_STATIC);
      sqlite3_bind_int (update, 6, snapshot->manually_updated);
      sqlite3_bind_int64 (update, 7, now);
      rc = sqlite3_step (update);
      sqlite3_reset (update);
      if (rc != SQLITE_DONE)
        {
          rs_store_set_error_from_db (db, rc, error);
          goto out;
        }

      if (!rs_tracker_insert_history (db, snapshot->id, now, from,
                                      rs_status_to_string (snapshot->status), snapshot->mode,
                                      "manual", _("undone"), error))
        goto out;
    }

  ok = TRUE;

out:
  sqlite3_finalize (select);
  sqlite3_finalize (update);
  return ok;
}

/**
 * rs_tracker_restore:
 * @snapshots: (element-type RsStatusSnapshot): from rs_tracker_mark()
 *
 * Undoes a status change, with a history row for each respondent.
 */
gboolean
rs_tracker_restore (RsStore    *store,
                    GPtrArray  *snapshots,
                    GError    **error)
{
  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (snapshots != NULL, FALSE);

  return rs_store_write (store, restore_transaction, snapshots, error);
}

typedef struct
{
  gint64 id;
  const char *note;
} Note;

static gboolean
note_transaction (sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  Note *note = user_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "UPDATE delivery SET note = ?2, updated_at = ?3"
                           " WHERE respondent_id = ?1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, note->id);
      sqlite3_bind_text (stmt, 2, note->note, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  if (sqlite3_changes (db) == 0)
    {
      g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld; nothing was changed"),
                   (long long) note->id);
      return FALSE;
    }

  return TRUE;
}

/* Changes a respondent's note and nothing else. */
gboolean
rs_tracker_set_note (RsStore     *store,
                     gint64       id,
                     const char  *note,
                     GError     **error)
{
  Note data = { id, note ? note : "" };

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);

  return rs_store_write (store, note_transaction, &data, error);
}

static void
history_entry_free (gpointer data)
{
  RsHistoryEntry *entry = data;

  g_free (entry->from_status);
  g_free (entry->to_status);
  g_free (entry->mode);
  g_free (entry->by);
  g_free (entry->note);
  g_free (entry);
}

void
rs_respondent_details_free (RsRespondentDetails *details)
{
  if (details == NULL)
    return;

  g_clear_object (&details->respondent);
  g_free (details->language);
  g_free (details->submitted_at);
  g_strfreev (details->source_names);
  g_strfreev (details->source_values);
  g_free (details->source_file);
  g_free (details->source_problem);
  g_clear_pointer (&details->history, g_ptr_array_unref);
  g_free (details);
}

/* Who made a history entry, in words. */
const char *
rs_history_entry_describe_by (const RsHistoryEntry *entry)
{
  if (g_strcmp0 (entry->by, "send") == 0)
    return _("sending");
  if (g_strcmp0 (entry->by, "import") == 0)
    return _("import");

  return _("by hand");
}

/* The source row an import wrote to its file, checked against the hash the
 * import stored, so that a file lost or cut short by a crash shows as such. */
static char *
read_source (RsStore     *store,
             gint64       import_id,
             gint64       offset,
             gint64       length,
             const char  *header,
             guint64      hash,
             GError     **error)
{
  g_autofree char *path = rs_store_get_source_path (store, import_id);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autofree char *source = NULL;
  gsize n = 0;

  if (offset < 0 || length < 0 || length > G_MAXINT32)
    length = -1;
  else
    source = g_malloc (length + 1);

  stream = g_file_read (file, NULL, NULL);
  if (length < 0 || stream == NULL
      || !g_seekable_seek (G_SEEKABLE (stream), offset, G_SEEK_SET, NULL, NULL)
      || !g_input_stream_read_all (G_INPUT_STREAM (stream), source, length, &n, NULL, NULL)
      || n != (gsize) length
      || rs_import_hash_source (header, source, length) != hash)
    {
      g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_NOT_FOUND,
                   _("The columns of the master file are no longer in “%s”"), path);
      return NULL;
    }
  source[length] = '\0';

  return g_steal_pointer (&source);
}


/**
 * rs_tracker_load_details:
 *
 * Everything known of one respondent: the master-file row as it was last
 * imported, the scores and the history of their status.
 */
RsRespondentDetails *
rs_tracker_load_details (RsStore  *store,
                         gint64    id,
                         GError  **error)
{
  g_autoptr(RsRespondentDetails) details = g_new0 (RsRespondentDetails, 1);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  db = rs_store_get_connection (store, error);
  if (db == NULL)
    return NULL;

  /* One read transaction, so that the parts agree with each other. */
  if (!rs_store_exec (db, "BEGIN", error))
    return NULL;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT " RESPONDENT_COLUMNS ", r.language, r.submitted_at, "
                           RS_STORE_SCORE_COLUMNS ","
                           " s.source, i.header, i.file, r.source_line,"
                           " r.first_imported_at, r.last_imported_at,"
                           " r.source_offset, r.source_length, r.source_import, r.source_hash"
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           "  LEFT JOIN respondent_source s ON s.respondent_id = r.id"
                           "  LEFT JOIN import_log i ON i.id = r.source_import"
                           " WHERE r.id = ?1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
    }

  if (rc == SQLITE_ROW)
    {
      const char *source = (const char *) sqlite3_column_text (stmt, 33);
      const char *header = (const char *) sqlite3_column_text (stmt, 34);
      g_autofree char *from_file = NULL;

      details->respondent = respondent_from_row (stmt);
      details->language = g_strdup ((const char *) sqlite3_column_text (stmt, 16));
      details->submitted_at = g_strdup ((const char *) sqlite3_column_text (stmt, 17));
      rs_store_read_scores (stmt, 18, details->scores);
      if (source == NULL && sqlite3_column_type (stmt, 39) != SQLITE_NULL && header != NULL)
        {
          g_autoptr(GError) local_error = NULL;

          from_file = read_source (store, sqlite3_column_int64 (stmt, 41),
                                   sqlite3_column_int64 (stmt, 39),
                                   sqlite3_column_int64 (stmt, 40), header,
                                   (guint64) sqlite3_column_int64 (stmt, 42), &local_error);
          if (from_file == NULL)
            details->source_problem = g_strdup (local_error->message);
          source = from_file;
        }

      if (details->source_problem != NULL)
        details->source_names = g_new0 (char *, 1);
      else
        details->source_names = g_strsplit (header ? header : "", "\x1f", -1);
      details->source_values = g_strsplit (source ? source : "", "\x1f", -1);
      details->source_file = g_strdup ((const char *) sqlite3_column_text (stmt, 35));
      details->source_line = sqlite3_column_int (stmt, 36);
      details->first_imported_at = sqlite3_column_int64 (stmt, 37);
      details->last_imported_at = sqlite3_column_int64 (stmt, 38);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld"), (long long) id);
      rs_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      rs_store_set_error_from_db (db, rc, error);
      rs_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }

  details->history = g_ptr_array_new_with_free_func (history_entry_free);
  rc = sqlite3_prepare_v2 (db,
                           "SELECT at, from_status, to_status, mode, by, note FROM history"
                           " WHERE respondent_id = ?1 ORDER BY at, id",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          RsHistoryEntry *entry = g_new0 (RsHistoryEntry, 1);

          entry->at = sqlite3_column_int64 (stmt, 0);
          entry->from_status = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          entry->to_status = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          entry->mode = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
          entry->by = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
          entry->note = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          g_ptr_array_add (details->history, entry);
        }
    }
  sqlite3_finalize (stmt);
  rs_store_exec (db, "COMMIT", NULL);

  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return g_steal_pointer (&details);
}
