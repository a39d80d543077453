/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-delivery"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-delivery.h"
#include "rs-store-private.h"
#include "rs-store.h"

G_DEFINE_QUARK (rs-delivery-error-quark, rs_delivery_error)

typedef enum
{
  STMT_ADD_PENDING,
  STMT_ADD_SENT,
  STMT_IMPORT_SENT,
  STMT_HISTORY,
  STMT_CURRENT,
  STMT_CLAIM,
  STMT_FINISH,
  STMT_REOPEN,
  STMT_SENDING,
  STMT_RECOVER,
  STMT_TOUCH,
  STMT_MARK,
  STMT_RESTORE,
  STMT_ALLOW_SECOND,
  STMT_CORRECTION,
  N_STMTS,
} Stmt;

static const char *const statements[N_STMTS] = {
  [STMT_ADD_PENDING] =
    "INSERT INTO delivery (respondent_id, status, updated_at, changed)"
    " VALUES (:id, 'pending', :now, :change)",
  [STMT_ADD_SENT] =
    "INSERT INTO delivery (respondent_id, status, updated_at, changed)"
    " VALUES (:id, 'sent', :now, :change)",
  [STMT_IMPORT_SENT] =
    "UPDATE delivery SET status = 'sent', updated_at = :now, changed = :change"
    " WHERE respondent_id = :id AND status = 'pending' AND manually_updated = 0",
  [STMT_HISTORY] =
    "INSERT INTO history (respondent_id, at, from_status, to_status, mode, by, note)"
    " VALUES (:id, :now, :from, :to, :mode, :by, :note)",
  [STMT_CURRENT] =
    "SELECT d.status, d.message_id, d.note, d.sent_at, d.mode, d.manually_updated,"
    " (SELECT max (h.id) FROM history h WHERE h.respondent_id = :id AND h.field IS NULL),"
    " r.person, r.company"
    "  FROM delivery d JOIN respondent r ON r.id = d.respondent_id"
    " WHERE d.respondent_id = :id",
  [STMT_CLAIM] =
    "UPDATE delivery SET status = 'sending', updated_at = :now,"
    " message_id = coalesce (message_id, :message_id)"
    " WHERE respondent_id = :id",
  [STMT_FINISH] =
    "UPDATE delivery SET status = :to, updated_at = :now, attempts = attempts + :attempt,"
    " sent_at = CASE WHEN :to = 'sent' THEN :now ELSE sent_at END,"
    " mode = CASE WHEN :to = 'sent' THEN 'live' ELSE mode END,"
    " error_code = CASE WHEN :to = 'sent' THEN NULL WHEN :set_error THEN :code"
    "   ELSE error_code END,"
    " error = CASE WHEN :to = 'sent' THEN NULL WHEN :set_error THEN :error ELSE error END"
    " WHERE respondent_id = :id AND status = 'sending'",
  [STMT_REOPEN] =
    "UPDATE delivery SET status = 'pending', updated_at = :now"
    " WHERE respondent_id = :id AND status = 'failed'",
  [STMT_SENDING] =
    "SELECT respondent_id FROM delivery WHERE status = 'sending'",
  [STMT_RECOVER] =
    "UPDATE delivery SET status = 'unknown', error = :note, error_code = NULL,"
    " updated_at = :now WHERE respondent_id = :id AND status = 'sending'",
  [STMT_TOUCH] =
    "UPDATE delivery SET updated_at = :now WHERE respondent_id = :id",
  [STMT_MARK] =
    "UPDATE delivery SET status = :to, note = coalesce (:note, note),"
    " sent_at = CASE WHEN :to = 'sent' THEN coalesce (sent_at, :now) ELSE sent_at END,"
    " manually_updated = 1, updated_at = :now"
    " WHERE respondent_id = :id",
  [STMT_RESTORE] =
    "UPDATE delivery SET status = :to, note = :note, sent_at = :sent_at, mode = :mode,"
    " manually_updated = :manual, updated_at = :now"
    " WHERE respondent_id = :id",
  [STMT_ALLOW_SECOND] =
    "UPDATE delivery SET allow_second = :allow, updated_at = :now WHERE respondent_id = :id",
  [STMT_CORRECTION] =
    "INSERT INTO history (respondent_id, at, from_status, to_status, mode, by, note,"
    " field, from_value, to_value)"
    " VALUES (:id, :now, :status, :status, :mode, 'manual', :note, :field, :from, :to)",
};

struct _RsDelivery
{
  sqlite3 *db;
  gint64 now;
  sqlite3_stmt *stmts[N_STMTS];
};

RsDelivery *
rs_delivery_new (sqlite3 *db,
                 gint64   now)
{
  RsDelivery *self;

  g_return_val_if_fail (db != NULL, NULL);

  self = g_new0 (RsDelivery, 1);
  self->db = db;
  self->now = now;

  return self;
}

void
rs_delivery_free (RsDelivery *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < N_STMTS; i++)
    sqlite3_finalize (self->stmts[i]);
  g_free (self);
}

void
rs_delivery_before_clear (RsDeliveryBefore *before)
{
  if (before == NULL)
    return;

  g_clear_pointer (&before->note, g_free);
  g_clear_pointer (&before->mode, g_free);
}

/* The statement, reset and without bindings, ready for binding by name. */
static sqlite3_stmt *
get (RsDelivery  *self,
     Stmt         which,
     GError     **error)
{
  sqlite3_stmt *stmt = self->stmts[which];
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, statements[which], -1, SQLITE_PREPARE_PERSISTENT,
                           &self->stmts[which], NULL);
  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (self->db, rc, error);
      return NULL;
    }

  return self->stmts[which];
}

static gboolean
step_done (RsDelivery    *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (self->db, rc, error);

  return TRUE;
}

gboolean
rs_delivery_add_history (RsDelivery  *self,
                         gint64       id,
                         const char  *from,
                         const char  *to,
                         const char  *mode,
                         const char  *by,
                         const char  *note,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (to != NULL, FALSE);
  g_return_val_if_fail (g_strcmp0 (by, "send") == 0 || g_strcmp0 (by, "manual") == 0 ||
                        g_strcmp0 (by, "import") == 0, FALSE);

  stmt = get (self, STMT_HISTORY, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_text (stmt, ":from", from);
  rs_store_bind_text (stmt, ":to", to);
  rs_store_bind_text (stmt, ":mode", mode);
  rs_store_bind_text (stmt, ":by", by);
  rs_store_bind_text (stmt, ":note", note != NULL ? note : "");

  return step_done (self, stmt, error);
}

gboolean
rs_delivery_add_pending (RsDelivery  *self,
                         gint64       id,
                         gint64       change,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  stmt = get (self, STMT_ADD_PENDING, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_int64 (stmt, ":change", change);

  return step_done (self, stmt, error);
}

/* A new respondent the master file says was sent: the record starts sent,
 * with the history row of pending -> sent, in two statements instead of
 * the four that rs_delivery_add_pending() and rs_delivery_import_sent()
 * take (the update fires the change counter's trigger). */
gboolean
rs_delivery_add_sent (RsDelivery  *self,
                      gint64       id,
                      gint64       change,
                      const char  *note,
                      GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  stmt = get (self, STMT_ADD_SENT, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_int64 (stmt, ":change", change);
  if (!step_done (self, stmt, error))
    return FALSE;

  return rs_delivery_add_history (self, id, "pending", "sent", NULL, "import", note, error);
}

gboolean
rs_delivery_import_sent (RsDelivery  *self,
                         gint64       id,
                         gint64       change,
                         const char  *note,
                         gboolean    *marked,
                         GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  if (marked != NULL)
    *marked = FALSE;

  stmt = get (self, STMT_IMPORT_SENT, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_int64 (stmt, ":change", change);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    return TRUE;

  if (marked != NULL)
    *marked = TRUE;

  return rs_delivery_add_history (self, id, "pending", "sent", NULL, "import", note, error);
}

typedef struct
{
  char *status;
  char *message_id;
  char *note;
  gint64 sent_at;
  char *mode;
  gboolean manually_updated;
  gint64 last_history;
  char *person;
  char *company;
} Current;

static void
current_clear (Current *current)
{
  g_free (current->status);
  g_free (current->message_id);
  g_free (current->note);
  g_free (current->mode);
  g_free (current->person);
  g_free (current->company);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Current, current_clear)

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Reads @id's record; FALSE with NOT_FOUND when there is none. */
static gboolean
read_current (RsDelivery  *self,
              gint64       id,
              Current     *current,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = get (self, STMT_CURRENT, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      current->status = column_dup (stmt, 0);
      current->message_id = column_dup (stmt, 1);
      current->note = column_dup (stmt, 2);
      current->sent_at = sqlite3_column_int64 (stmt, 3);
      current->mode = column_dup (stmt, 4);
      current->manually_updated = sqlite3_column_int (stmt, 5);
      current->last_history = sqlite3_column_int64 (stmt, 6);
      current->person = column_dup (stmt, 7);
      current->company = column_dup (stmt, 8);
    }
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld; nothing was changed"),
                   (long long) id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (self->db, rc, error);

  return TRUE;
}

gboolean
rs_delivery_claim (RsDelivery  *self,
                   gint64       id,
                   gboolean     retry_failed,
                   const char  *new_message_id,
                   gboolean    *claimed,
                   char       **message_id,
                   GError     **error)
{
  g_auto(Current) current = { 0 };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (claimed != NULL, FALSE);

  *claimed = FALSE;
  if (message_id != NULL)
    *message_id = NULL;

  if (!read_current (self, id, &current, error))
    return FALSE;

  /* Changed by hand (or by another send) since the plan was made. */
  if (g_strcmp0 (current.status, "pending") != 0 &&
      !(retry_failed && g_strcmp0 (current.status, "failed") == 0))
    return TRUE;

  stmt = get (self, STMT_CLAIM, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_text (stmt, ":message_id", new_message_id);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (!rs_delivery_add_history (self, id, current.status, "sending", "live", "send", NULL, error))
    return FALSE;

  *claimed = TRUE;
  if (message_id != NULL)
    *message_id = g_strdup (current.message_id != NULL ? current.message_id : new_message_id);

  return TRUE;
}

gboolean
rs_delivery_finish (RsDelivery  *self,
                    gint64       id,
                    RsStatus     to,
                    gboolean     count_attempt,
                    guint        code,
                    const char  *error_text,
                    const char  *note,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  if (to != RS_STATUS_SENT && to != RS_STATUS_FAILED && to != RS_STATUS_PENDING &&
      to != RS_STATUS_UNKNOWN)
    {
      g_set_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_INVALID,
                   "A message being sent cannot end as “%s”", rs_status_to_string (to));
      return FALSE;
    }

  stmt = get (self, STMT_FINISH, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_text (stmt, ":to", rs_status_to_string (to));
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_int64 (stmt, ":attempt", count_attempt ? 1 : 0);
  rs_store_bind_int64 (stmt, ":set_error", error_text != NULL);
  if (code != 0)
    rs_store_bind_int64 (stmt, ":code", code);
  else
    rs_store_bind_text (stmt, ":code", NULL);
  rs_store_bind_text (stmt, ":error", error_text);
  if (!step_done (self, stmt, error))
    return FALSE;

  /* Only what this send claimed is finished by it. */
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_INVALID,
                   "Respondent %lld is not being sent", (long long) id);
      return FALSE;
    }

  return rs_delivery_add_history (self, id, "sending", rs_status_to_string (to), "live", "send",
                                  note, error);
}

gboolean
rs_delivery_reopen (RsDelivery  *self,
                    gint64       id,
                    const char  *note,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  stmt = get (self, STMT_REOPEN, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    return TRUE;

  return rs_delivery_add_history (self, id, "failed", "pending", "live", "send", note, error);
}

gboolean
rs_delivery_recover (RsDelivery  *self,
                     guint       *n_recovered,
                     GError     **error)
{
  const char *note = _("interrupted while sending — check your Sent folder");
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  if (n_recovered != NULL)
    *n_recovered = 0;

  stmt = get (self, STMT_SENDING, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (self->db, rc, error);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      stmt = get (self, STMT_RECOVER, error);
      if (stmt == NULL)
        return FALSE;
      rs_store_bind_int64 (stmt, ":id", id);
      rs_store_bind_int64 (stmt, ":now", self->now);
      rs_store_bind_text (stmt, ":note", note);
      if (!step_done (self, stmt, error))
        return FALSE;

      if (!rs_delivery_add_history (self, id, "sending", "unknown", "live", "send", note, error))
        return FALSE;
      if (n_recovered != NULL)
        (*n_recovered)++;
    }

  return TRUE;
}

gboolean
rs_delivery_note_test (RsDelivery  *self,
                       gint64       id,
                       const char  *note,
                       GError     **error)
{
  g_auto(Current) current = { 0 };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!read_current (self, id, &current, error))
    return FALSE;

  stmt = get (self, STMT_TOUCH, error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  if (!step_done (self, stmt, error))
    return FALSE;

  return rs_delivery_add_history (self, id, current.status, current.status, "test", "send",
                                  note, error);
}

gboolean
rs_delivery_mark (RsDelivery        *self,
                  gint64             id,
                  RsStatus           to,
                  const char        *note,
                  RsDeliveryBefore  *before,
                  GError           **error)
{
  g_auto(Current) current = { 0 };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  if (to != RS_STATUS_PENDING && to != RS_STATUS_SENT && to != RS_STATUS_FAILED)
    {
      g_set_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_INVALID,
                   _("A status can only be set to pending, sent or failed by hand"));
      return FALSE;
    }

  if (!read_current (self, id, &current, error))
    return FALSE;

  if (g_strcmp0 (current.status, "sending") == 0)
    {
      g_set_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_SENDING,
                   _("%s (%s) is being sent right now; wait until sending has finished. "
                     "Nothing was changed."), current.person, current.company);
      return FALSE;
    }

  stmt = get (self, STMT_MARK, error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_text (stmt, ":to", rs_status_to_string (to));
  rs_store_bind_text (stmt, ":note", note);
  rs_store_bind_int64 (stmt, ":now", self->now);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (!rs_delivery_add_history (self, id, current.status, rs_status_to_string (to),
                                current.mode, "manual", note, error))
    return FALSE;

  if (before != NULL)
    {
      before->status = rs_status_from_string (current.status);
      before->note = g_steal_pointer (&current.note);
      before->sent_at = current.sent_at;
      before->mode = g_steal_pointer (&current.mode);
      before->manually_updated = current.manually_updated;
      before->history_id = sqlite3_last_insert_rowid (self->db);
    }

  return TRUE;
}

gboolean
rs_delivery_restore (RsDelivery              *self,
                     gint64                   id,
                     const RsDeliveryBefore  *before,
                     gboolean                *restored,
                     GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(Current) current = { 0 };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (before != NULL, FALSE);
  g_return_val_if_fail (restored != NULL, FALSE);

  *restored = FALSE;

  if (!read_current (self, id, &current, &local_error))
    {
      /* Gone: nothing to put back. */
      if (g_error_matches (local_error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* Sent, failed or marked again since: undoing would overwrite that. */
  if (before->history_id != 0 && current.last_history != before->history_id)
    return TRUE;

  if (g_strcmp0 (current.status, "sending") == 0)
    {
      g_set_error (error, RS_DELIVERY_ERROR, RS_DELIVERY_ERROR_SENDING,
                   _("A respondent is being sent right now; the change cannot be undone"));
      return FALSE;
    }

  stmt = get (self, STMT_RESTORE, error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_text (stmt, ":to", rs_status_to_string (before->status));
  rs_store_bind_text (stmt, ":note", before->note != NULL ? before->note : "");
  if (before->sent_at != 0)
    rs_store_bind_int64 (stmt, ":sent_at", before->sent_at);
  else
    rs_store_bind_text (stmt, ":sent_at", NULL);
  rs_store_bind_text (stmt, ":mode", before->mode);
  rs_store_bind_int64 (stmt, ":manual", before->manually_updated ? 1 : 0);
  rs_store_bind_int64 (stmt, ":now", self->now);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (!rs_delivery_add_history (self, id, current.status, rs_status_to_string (before->status),
                                before->mode, "manual", _("undone"), error))
    return FALSE;

  *restored = TRUE;
  return TRUE;
}

gboolean
rs_delivery_set_allow_second (RsDelivery  *self,
                              gint64       id,
                              gboolean     allow,
                              GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);

  stmt = get (self, STMT_ALLOW_SECOND, error);
  if (stmt == NULL)
    return FALSE;
  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":allow", allow ? 1 : 0);
  rs_store_bind_int64 (stmt, ":now", self->now);
  if (!step_done (self, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_NOT_FOUND,
                   _("There is no respondent with id %lld; nothing was changed"),
                   (long long) id);
      return FALSE;
    }

  return TRUE;
}

gboolean
rs_delivery_add_correction (RsDelivery  *self,
                            gint64       id,
                            const char  *status,
                            const char  *mode,
                            const char  *note,
                            const char  *field,
                            const char  *from_value,
                            const char  *to_value,
                            GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  stmt = get (self, STMT_CORRECTION, error);
  if (stmt == NULL)
    return FALSE;

  rs_store_bind_int64 (stmt, ":id", id);
  rs_store_bind_int64 (stmt, ":now", self->now);
  rs_store_bind_text (stmt, ":status", status);
  rs_store_bind_text (stmt, ":mode", mode);
  rs_store_bind_text (stmt, ":note", note != NULL ? note : "");
  rs_store_bind_text (stmt, ":field", field);
  rs_store_bind_text (stmt, ":from", from_value);
  rs_store_bind_text (stmt, ":to", to_value);

  return step_done (self, stmt, error);
}
