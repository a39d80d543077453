/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-summary"

#include "config.h"

#include "rs-companies.h"
#include "rs-summary.h"

/**
 * rs_summary_load:
 *
 * Counts respondents, companies (as reports count them, merges included)
 * and statuses in one read transaction, on the calling thread's connection.
 */
gboolean
rs_summary_load (RsStore    *store,
                 RsSummary  *summary,
                 GError    **error)
{
  static const char sql[] =
    "SELECT count(*),"
    "       0,"
    "       count(*) FILTER (WHERE d.status = 'pending'),"
    "       count(*) FILTER (WHERE d.status = 'sending'),"
    "       count(*) FILTER (WHERE d.status = 'sent'),"
    "       count(*) FILTER (WHERE d.status = 'failed'),"
    "       count(*) FILTER (WHERE d.status = 'unknown'),"
    "       count(*) FILTER (WHERE r.problem IS NOT NULL),"
    "       count(*) FILTER (WHERE d.report_path IS NOT NULL)"
    "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id";
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);

  db = rs_store_get_connection (store, error);
  if (db == NULL || !rs_store_exec (db, "BEGIN", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      rs_store_set_error_from_db (db, rc, error);
      sqlite3_finalize (stmt);
      rs_store_exec (db, "ROLLBACK", NULL);
      return FALSE;
    }

  summary->respondents = sqlite3_column_int (stmt, 0);
  summary->companies = sqlite3_column_int (stmt, 1);
  summary->pending = sqlite3_column_int (stmt, 2);
  summary->sending = sqlite3_column_int (stmt, 3);
  summary->sent = sqlite3_column_int (stmt, 4);
  summary->failed = sqlite3_column_int (stmt, 5);
  summary->unknown = sqlite3_column_int (stmt, 6);
  summary->flagged = sqlite3_column_int (stmt, 7);
  summary->reports_ready = sqlite3_column_int (stmt, 8);
  sqlite3_finalize (stmt);

  summary->companies = rs_company_count_groups (db, &local_error);
  rs_store_exec (db, local_error == NULL ? "COMMIT" : "ROLLBACK", NULL);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}
