/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-tracker"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "rs-import.h"
#include "rs-master.h"
#include "rs-message.h"
#include "rs-store-private.h"
#include "rs-delivery.h"
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
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, at);

  return rs_delivery_add_history (delivery, id, from, to, mode, by, note, error);
}

/* The tracker's callers know its errors; the rules are rs-delivery's. */
static void
propagate_delivery_error (GError **dest,
                          GError  *src)
{
  if (src->domain == RS_DELIVERY_ERROR)
    {
      static const RsTrackerError codes[] = {
        [RS_DELIVERY_ERROR_SENDING] = RS_TRACKER_ERROR_SENDING,
        [RS_DELIVERY_ERROR_INVALID] = RS_TRACKER_ERROR_INVALID,
      };

      src->domain = RS_TRACKER_ERROR;
      src->code = codes[src->code];
    }
  g_propagate_error (dest, src);
}

static gboolean
mark_transaction (sqlite3   *db,
                  gpointer   user_data,
                  GError   **error)
{
  Mark *mark = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  g_ptr_array_set_size (mark->snapshots, 0);

  for (guint i = 0; i < mark->n_ids; i++)
    {
      g_autoptr(GError) local_error = NULL;
      RsDeliveryBefore before = { 0 };
      RsStatusSnapshot *snapshot;

      if (!rs_delivery_mark (delivery, mark->ids[i], mark->status, mark->note, &before,
                             &local_error))
        {
          propagate_delivery_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      snapshot = g_new0 (RsStatusSnapshot, 1);
      snapshot->id = mark->ids[i];
      snapshot->status = before.status;
      snapshot->note = g_steal_pointer (&before.note);
      snapshot->sent_at = before.sent_at;
      snapshot->mode = g_steal_pointer (&before.mode);
      snapshot->manually_updated = before.manually_updated;
      snapshot->history_id = before.history_id;
      g_ptr_array_add (mark->snapshots, snapshot);
    }

  return TRUE;
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

typedef struct
{
  GPtrArray *snapshots;
  guint changed_since;
} Undo;

static gboolean
restore_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  Undo *undo = user_data;
  GPtrArray *snapshots = undo->snapshots;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  for (guint i = 0; i < snapshots->len; i++)
    {
      RsStatusSnapshot *snapshot = g_ptr_array_index (snapshots, i);
      g_autoptr(GError) local_error = NULL;
      RsDeliveryBefore before = {
        .status = snapshot->status,
        .note = snapshot->note,
        .sent_at = snapshot->sent_at,
        .mode = snapshot->mode,
        .manually_updated = snapshot->manually_updated,
        .history_id = snapshot->history_id,
      };
      gboolean restored;

      if (!rs_delivery_restore (delivery, snapshot->id, &before, &restored, &local_error))
        {
          propagate_delivery_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!restored)
        undo->changed_since++;
    }

  return TRUE;
}

static gboolean
restore_transaction_counted (sqlite3   *db,
                             gpointer   user_data,
                             GError   **error)
{
  Undo *undo = user_data;

  undo->changed_since = 0;

  return restore_transaction (db, undo, error);
}

/**
 * rs_tracker_restore:
 * @snapshots: (element-type RsStatusSnapshot): from rs_tracker_mark()
 * @n_changed_since: (out) (optional): how many were left as they are
 *   because their status changed after the mark (a send, another mark)
 *
 * Undoes a status change, with a history row for each respondent undone.
 */
gboolean
rs_tracker_restore (RsStore    *store,
                    GPtrArray  *snapshots,
                    guint      *n_changed_since,
                    GError    **error)
{
  Undo undo = { snapshots, 0 };

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (snapshots != NULL, FALSE);

  /* A retried transaction counts again from the start. */
  if (!rs_store_write (store, restore_transaction_counted, &undo, error))
    return FALSE;

  if (n_changed_since != NULL)
    *n_changed_since = undo.changed_since;

  return TRUE;
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
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
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
  g_free (entry->field);
  g_free (entry->from_value);
  g_free (entry->to_value);
  g_free (entry);
}

/* Corrections by hand. The respondent row holds the value in use, so that
 * everything that reads respondents (the table, reports, sending) reads the
 * hand value; the correction table keeps what the master file says, which
 * the import updates instead of the value in use (see rs-import.c). */

static const char *field_names[RS_N_FIELDS] = { "person", "email", "function", "language" };

const char *
rs_field_to_string (RsField field)
{
  g_return_val_if_fail (field < RS_N_FIELDS, NULL);

  return field_names[field];
}

RsField
rs_field_from_string (const char *text)
{
  for (guint i = 0; i < RS_N_FIELDS; i++)
    if (g_strcmp0 (text, field_names[i]) == 0)
      return i;

  return RS_FIELD_INVALID;
}

/* The name of a field, as a person reads it in a sentence. */
const char *
rs_field_get_label (RsField field)
{
  switch (field)
    {
    case RS_FIELD_PERSON:
      return _("Name");
    case RS_FIELD_EMAIL:
      return _("E-mail address");
    case RS_FIELD_FUNCTION:
      return _("Function");
    case RS_FIELD_LANGUAGE:
      return _("Language");
    case RS_N_FIELDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
describe_value (RsField     field,
                const char *value)
{
  if (field == RS_FIELD_LANGUAGE)
    return g_strcmp0 (value, "nl") == 0 ? _("Dutch") : _("English");
  if (value == NULL || value[0] == '\0')
    return _("(empty)");

  return value;
}

/**
 * rs_history_entry_describe_change:
 *
 * Returns: (transfer full) (nullable): what a correction changed, in words,
 *   or %NULL when @entry is a status change
 */
char *
rs_history_entry_describe_change (const RsHistoryEntry *entry)
{
  RsField field;

  g_return_val_if_fail (entry != NULL, NULL);

  field = rs_field_from_string (entry->field);
  if (field == RS_FIELD_INVALID)
    return NULL;

  /* Translators: a field, its old and its new value:
   * E-mail address: “a@example.com” → “b@example.com” */
  return g_strdup_printf (_("%s: “%s” → “%s”"), rs_field_get_label (field),
                          describe_value (field, entry->from_value),
                          describe_value (field, entry->to_value));
}

void
rs_correction_snapshot_free (RsCorrectionSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_free (snapshot->value);
  g_free (snapshot->new_value);
  g_free (snapshot);
}

typedef struct
{
  RsStore *store;
  gint64 id;
  RsField field;
  /* NULL: what the master file says */
  const char *value;
  /* Set when undoing: @value is then taken as it is */
  const RsCorrectionSnapshot *undo;
  RsCorrectionSnapshot *snapshot;
} Correct;

typedef struct
{
  char *values[RS_N_FIELDS];
  char *file_values[RS_N_FIELDS];
  char *person;
  char *company;
  char *problem;
  char *status;
  char *mode;
  gboolean has_report_source_hash;
  gint64 report_source_hash;
  gint64 report_made_at;
} Current;

static void
current_clear (Current *current)
{
  for (guint i = 0; i < RS_N_FIELDS; i++)
    {
      g_free (current->values[i]);
      g_free (current->file_values[i]);
    }
  g_free (current->person);
  g_free (current->company);
  g_free (current->problem);
  g_free (current->status);
  g_free (current->mode);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Current, current_clear)

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
read_current (sqlite3  *db,
              gint64    id,
              Current  *current,
              GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT r.person, r.email, r.function, r.language, r.company,"
                           " r.problem, d.status, d.mode, d.report_source_hash,"
                           " d.report_made_at"
                           "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE r.id = :id",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW)
    {
      for (guint i = 0; i < RS_N_FIELDS; i++)
        current->values[i] = g_strdup (sqlite3_column_text (stmt, i)
                                       ? (const char *) sqlite3_column_text (stmt, i) : "");
      current->person = g_strdup (current->values[RS_FIELD_PERSON]);
      current->company = column_dup (stmt, 4);
      current->problem = column_dup (stmt, 5);
      current->status = column_dup (stmt, 6);
      current->mode = column_dup (stmt, 7);
      current->has_report_source_hash = sqlite3_column_type (stmt, 8) != SQLITE_NULL;
      current->report_source_hash = sqlite3_column_int64 (stmt, 8);
      current->report_made_at = sqlite3_column_int64 (stmt, 9);
    }
  sqlite3_finalize (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld; nothing was changed"),
                   (long long) id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (db, rc, error);

  rc = sqlite3_prepare_v2 (db, "SELECT field, file_value FROM correction"
                           " WHERE respondent_id = :id", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          RsField field = rs_field_from_string ((const char *) sqlite3_column_text (stmt, 0));

          if (field != RS_FIELD_INVALID)
            {
              g_free (current->file_values[field]);
              current->file_values[field] = column_dup (stmt, 1);
            }
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* What keeps a respondent from being sent when only their name or address
 * are looked at, as the import judges them. */
static char *
identity_problem (const char *person,
                  const char *email)
{
  if (!rs_message_address_is_valid (email))
    {
      if (email == NULL || email[0] == '\0')
        return g_strdup (_("no valid e-mail address (the e-mail address is empty)"));
      return g_strdup_printf (_("no valid e-mail address (“%s”)"), email);
    }
  if (person == NULL || person[0] == '\0')
    return g_strdup (_("no person name"));

  return NULL;
}

static char *read_source (RsStore     *store,
                          gint64       import_id,
                          gint64       offset,
                          gint64       length,
                          const char  *header,
                          guint64      hash,
                          GError     **error);

/* The respondent's master-file row as the import stored it, split into
 * fields, with the header; FALSE when it cannot be read. */
static gboolean
read_source_fields (RsStore    *store,
                    sqlite3    *db,
                    gint64      id,
                    GStrv      *names,
                    GStrv      *values)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *from_file = NULL;
  gboolean found = FALSE;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT s.source, i.header, r.source_offset, r.source_length,"
                           " r.source_import, r.source_hash"
                           "  FROM respondent r"
                           "  LEFT JOIN respondent_source s ON s.respondent_id = r.id"
                           "  LEFT JOIN import_log i ON i.id = r.source_import"
                           " WHERE r.id = :id",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":id"), id);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    {
      const char *source = (const char *) sqlite3_column_text (stmt, 0);
      const char *header = (const char *) sqlite3_column_text (stmt, 1);

      if (source == NULL && sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        source = from_file = read_source (store, sqlite3_column_int64 (stmt, 4),
                                          sqlite3_column_int64 (stmt, 2),
                                          sqlite3_column_int64 (stmt, 3), header,
                                          (guint64) sqlite3_column_int64 (stmt, 5), NULL);
      if (source != NULL)
        {
          *names = g_strsplit (header, "\x1f", -1);
          *values = g_strsplit (source, "\x1f", -1);
          found = TRUE;
        }
    }
  sqlite3_finalize (stmt);

  return found;
}

/* What keeps the respondent from being sent once @person and @email are
 * theirs: the import's rule, rs_master_read_row_identity(), applied to their
 * master-file row with these values in it. Without the row, only the name
 * and the address are judged, and a problem of the rest of the row that
 * they hid is not known. */
static char *
problem_with (RsStore        *store,
              sqlite3        *db,
              gint64          id,
              const Current  *current,
              const char     *person,
              const char     *email)
{
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(RsMasterColumns) columns = NULL;
  g_autofree char *old_problem = NULL;
  g_autofree char *new_problem = NULL;

  if (read_source_fields (store, db, id, &names, &values))
    {
      guint n_names = g_strv_length (names);
      guint n_values = g_strv_length (values);
      g_autofree const char **fields = g_new0 (const char *, n_names + 1);
      g_auto(RsMasterRow) row = { 0 };

      columns = rs_master_columns_new ((const char * const *) names, n_names, NULL);
      if (columns != NULL)
        {
          for (guint i = 0; i < n_names; i++)
            fields[i] = i < n_values ? values[i] : "";
          if (columns->person >= 0)
            fields[columns->person] = person;
          if (columns->email >= 0)
            fields[columns->email] = email;
          rs_master_read_row_identity (columns, fields, n_names, &row);

          return g_steal_pointer (&row.problem);
        }
    }

  new_problem = identity_problem (person, email);
  if (new_problem != NULL)
    return g_steal_pointer (&new_problem);
  old_problem = identity_problem (current->values[RS_FIELD_PERSON],
                                  current->values[RS_FIELD_EMAIL]);
  if (old_problem != NULL)
    return NULL;

  return g_strdup (current->problem);
}

static gboolean
check_value (const Current  *current,
             RsField         field,
             const char     *value,
             GError        **error)
{
  switch (field)
    {
    case RS_FIELD_PERSON:
      if (value[0] == '\0')
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID,
                       _("The name of a respondent cannot be empty. Nothing was changed."));
          return FALSE;
        }
      break;
    case RS_FIELD_EMAIL:
      if (value[0] == '\0')
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID,
                       _("The e-mail address of %s is empty. Enter one address such as "
                         "name@example.com. Nothing was changed."),
                       current->person);
          return FALSE;
        }
      if (!rs_message_address_is_valid (value))
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID,
                       _("“%s” is not a valid e-mail address for %s. Enter one address such "
                         "as name@example.com, without spaces or a name around it. Nothing "
                         "was changed."),
                       value, current->person);
          return FALSE;
        }
      break;
    case RS_FIELD_LANGUAGE:
      if (g_strcmp0 (value, "en") != 0 && g_strcmp0 (value, "nl") != 0)
        {
          g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_INVALID,
                       _("The language of %s can only be English (en) or Dutch (nl). "
                         "Nothing was changed."),
                       current->person);
          return FALSE;
        }
      break;
    case RS_FIELD_FUNCTION:
    case RS_N_FIELDS:
    default:
      break;
    }

  return TRUE;
}

static gboolean
step_once (sqlite3       *db,
           sqlite3_stmt  *stmt,
           int            rc,
           GError       **error)
{
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* The report of the respondent shows their name, function and language:
 * a report made before such a change is outdated by it, and is current again
 * when the change is undone before another report was made. */
static gboolean
update_report (sqlite3               *db,
               const Correct         *correct,
               const Current         *current,
               RsCorrectionSnapshot  *snapshot,
               GError               **error)
{
  const RsCorrectionSnapshot *undo = correct->undo;
  sqlite3_stmt *stmt = NULL;
  int rc;

  snapshot->had_report_source_hash = current->has_report_source_hash;
  snapshot->report_source_hash = current->report_source_hash;
  snapshot->report_made_at = current->report_made_at;

  if (correct->field == RS_FIELD_EMAIL)
    return TRUE;

  if (undo != NULL && undo->outdated_report && !current->has_report_source_hash &&
      current->report_made_at == undo->report_made_at)
    {
      rc = sqlite3_prepare_v2 (db,
                               "UPDATE delivery SET report_source_hash = :hash"
                               " WHERE respondent_id = :id",
                               -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          rs_store_bind_int64 (stmt, ":id", correct->id);
          rs_store_bind_int64 (stmt, ":hash", undo->report_source_hash);
        }
      return step_once (db, stmt, rc, error);
    }

  if (!current->has_report_source_hash)
    return TRUE;

  snapshot->outdated_report = TRUE;
  rc = sqlite3_prepare_v2 (db,
                           "UPDATE delivery SET report_source_hash = NULL"
                           " WHERE respondent_id = :id",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rs_store_bind_int64 (stmt, ":id", correct->id);

  return step_once (db, stmt, rc, error);
}

static gboolean
correct_transaction (sqlite3   *db,
                     gpointer   user_data,
                     GError   **error)
{
  Correct *correct = user_data;
  g_auto(Current) current = { 0 };
  g_autoptr(RsCorrectionSnapshot) snapshot = NULL;
  g_autofree char *value = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *sql = NULL;
  const char *file_value;
  const char *note = "";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_clear_pointer (&correct->snapshot, rs_correction_snapshot_free);

  if (!read_current (db, correct->id, &current, error))
    return FALSE;

  if (g_strcmp0 (current.status, "sending") == 0)
    {
      g_set_error (error, RS_TRACKER_ERROR, RS_TRACKER_ERROR_SENDING,
                   _("%s (%s) is being sent right now; wait until sending has finished. "
                     "Nothing was changed."),
                   current.person, current.company);
      return FALSE;
    }

  file_value = current.file_values[correct->field] != NULL
               ? current.file_values[correct->field] : current.values[correct->field];

  if (correct->undo != NULL)
    {
      value = g_strdup (correct->value);
      note = _("undone");
    }
  else if (correct->value == NULL)
    {
      value = g_strdup (file_value);
      note = _("back to what the master file says");
    }
  else
    {
      value = g_strstrip (g_strdup (correct->value));
      if (!check_value (&current, correct->field, value, error))
        return FALSE;
    }

  snapshot = g_new0 (RsCorrectionSnapshot, 1);
  snapshot->id = correct->id;
  snapshot->field = correct->field;
  snapshot->value = g_strdup (current.values[correct->field]);
  snapshot->new_value = g_strdup (value);

  /* Nothing changes, and nothing is written. */
  if (g_strcmp0 (value, current.values[correct->field]) == 0)
    {
      correct->snapshot = g_steal_pointer (&snapshot);
      return TRUE;
    }

  if (correct->field == RS_FIELD_PERSON)
    problem = problem_with (correct->store, db, correct->id, &current, value,
                            current.values[RS_FIELD_EMAIL]);
  else if (correct->field == RS_FIELD_EMAIL)
    problem = problem_with (correct->store, db, correct->id, &current,
                            current.values[RS_FIELD_PERSON], value);
  else
    problem = g_strdup (current.problem);

  /* The column is one of field_names, never text from outside. */
  sql = g_strdup_printf ("UPDATE respondent SET %s = :value, problem = :problem WHERE id = :id",
                         field_names[correct->field]);
  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rs_store_bind_int64 (stmt, ":id", correct->id);
      rs_store_bind_text (stmt, ":value", value);
      rs_store_bind_text (stmt, ":problem", problem);
    }
  if (!step_once (db, stmt, rc, error))
    return FALSE;

  if (g_strcmp0 (value, file_value) == 0)
    rc = sqlite3_prepare_v2 (db, "DELETE FROM correction WHERE respondent_id = :id"
                             " AND field = :field", -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (db,
                             "INSERT OR REPLACE INTO correction (respondent_id, field, file_value,"
                             " hand_value, at) VALUES (:id, :field, :file_value, :value, :at)",
                             -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rs_store_bind_int64 (stmt, ":id", correct->id);
      rs_store_bind_text (stmt, ":field", field_names[correct->field]);
      if (sqlite3_bind_parameter_index (stmt, ":value") > 0)
        {
          rs_store_bind_text (stmt, ":file_value", file_value);
          rs_store_bind_text (stmt, ":value", value);
          rs_store_bind_int64 (stmt, ":at", now);
        }
    }
  if (!step_once (db, stmt, rc, error))
    return FALSE;

  if (!update_report (db, correct, &current, snapshot, error))
    return FALSE;

  {
    g_autoptr(RsDelivery) delivery = rs_delivery_new (db, now);

    if (!rs_delivery_add_correction (delivery, correct->id, current.status, current.mode, note,
                                     field_names[correct->field],
                                     current.values[correct->field], value, error))
      return FALSE;
  }

  correct->snapshot = g_steal_pointer (&snapshot);
  return TRUE;
}

/**
 * rs_tracker_correct:
 * @value: (nullable): the new value, or %NULL to go back to what the master
 *   file says; a language is "en" or "nl"
 *
 * Corrects one field of a respondent by hand, with a row in their history.
 * The respondent keeps their id and identity: a later import of the master
 * file matches them as before and updates what the file says without
 * touching the hand value. An address is checked as the send checks it;
 * a respondent being sent is not changed. Their delivery status stays as it
 * is: someone sent to their old address is still sent.
 *
 * Returns: (transfer full): what the field held before, for
 *   rs_tracker_undo_correction(); its value equals new_value when nothing
 *   changed
 */
RsCorrectionSnapshot *
rs_tracker_correct (RsStore     *store,
                    gint64       id,
                    RsField      field,
                    const char  *value,
                    GError     **error)
{
  Correct correct = { store, id, field, value, NULL, NULL };

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (field < RS_N_FIELDS, NULL);

  if (!rs_store_write (store, correct_transaction, &correct, error))
    {
      g_clear_pointer (&correct.snapshot, rs_correction_snapshot_free);
      return NULL;
    }

  return correct.snapshot;
}

/**
 * rs_tracker_undo_correction:
 * @snapshot: from rs_tracker_correct()
 *
 * Puts back the value @snapshot replaced, with a history row saying so.
 *
 * Returns: (transfer full): a snapshot that undoes the undo
 */
RsCorrectionSnapshot *
rs_tracker_undo_correction (RsStore               *store,
                            RsCorrectionSnapshot  *snapshot,
                            GError               **error)
{
  Correct correct;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (snapshot->field < RS_N_FIELDS, NULL);

  correct = (Correct) { store, snapshot->id, snapshot->field, snapshot->value, snapshot, NULL };
  if (!rs_store_write (store, correct_transaction, &correct, error))
    {
      g_clear_pointer (&correct.snapshot, rs_correction_snapshot_free);
      return NULL;
    }

  return correct.snapshot;
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
  for (guint i = 0; i < RS_N_FIELDS; i++)
    {
      g_free (details->values[i]);
      g_free (details->file_values[i]);
    }
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
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
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
      details->values[RS_FIELD_PERSON] = g_strdup (rs_respondent_get_person (details->respondent));
      details->values[RS_FIELD_EMAIL] = g_strdup (rs_respondent_get_email (details->respondent));
      details->values[RS_FIELD_FUNCTION] =
        g_strdup (rs_respondent_get_function (details->respondent));
      details->values[RS_FIELD_LANGUAGE] = g_strdup (details->language);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
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

  rc = sqlite3_prepare_v2 (db, "SELECT field, file_value FROM correction"
                           " WHERE respondent_id = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          RsField field = rs_field_from_string ((const char *) sqlite3_column_text (stmt, 0));

          if (field != RS_FIELD_INVALID)
            {
              g_free (details->file_values[field]);
              details->file_values[field] = column_dup (stmt, 1);
            }
        }
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (db, rc, error);
      rs_store_exec (db, "ROLLBACK", NULL);
      return NULL;
    }

  details->history = g_ptr_array_new_with_free_func (history_entry_free);
  rc = sqlite3_prepare_v2 (db,
                           "SELECT at, from_status, to_status, mode, by, note,"
                           " field, from_value, to_value FROM history"
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
          entry->field = column_dup (stmt, 6);
          entry->from_value = column_dup (stmt, 7);
          entry->to_value = column_dup (stmt, 8);
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
