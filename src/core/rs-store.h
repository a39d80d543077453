/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define RS_STORE_ERROR (rs_store_error_quark ())

/**
 * RsStoreError:
 * @RS_STORE_ERROR_OPEN: the file cannot be opened as a database
 * @RS_STORE_ERROR_SCHEMA_TOO_NEW: made by a newer version of the application
 * @RS_STORE_ERROR_BUSY: another process held the database too long
 * @RS_STORE_ERROR_FAILED: SQLite failed otherwise
 * @RS_STORE_ERROR_NOT_FOUND: what was asked for is not in the database: a
 *   respondent with that id (every module says so with this code), or the
 *   master file's row it was read from
 */
typedef enum
{
  RS_STORE_ERROR_OPEN,
  RS_STORE_ERROR_SCHEMA_TOO_NEW,
  RS_STORE_ERROR_BUSY,
  RS_STORE_ERROR_FAILED,
  RS_STORE_ERROR_NOT_FOUND,
} RsStoreError;

/* Incremented for every schema change; stored as PRAGMA user_version. */
#define RS_STORE_SCHEMA_VERSION 13

#define RS_TYPE_STORE (rs_store_get_type ())
G_DECLARE_FINAL_TYPE (RsStore, rs_store, RS, STORE, GObject)

/* Called inside a write transaction. Must touch nothing but @db: it can run
 * more than once when the transaction is retried after SQLITE_BUSY. */
typedef gboolean (*RsStoreWriteFunc) (sqlite3   *db,
                                      gpointer   user_data,
                                      GError   **error);

/* Runs in a worker thread with that thread's own connection. Returns %NULL
 * with @error set, or a result (GINT_TO_POINTER (TRUE) when there is none). */
typedef gpointer (*RsStoreJobFunc) (RsStore       *store,
                                    gpointer       data,
                                    GCancellable  *cancellable,
                                    GError       **error);

GQuark       rs_store_error_quark              (void);
char        *rs_store_default_path             (void);
RsStore     *rs_store_open                     (const char        *path,
                                                GError           **error);
void         rs_store_open_async               (const char        *path,
                                                GCancellable      *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
RsStore     *rs_store_open_finish              (GAsyncResult      *result,
                                                GError           **error);
const char  *rs_store_get_path                 (RsStore           *self);
char        *rs_store_get_sources_dir          (RsStore           *self);
char        *rs_store_get_source_path          (RsStore           *self,
                                                gint64             import_id);
sqlite3     *rs_store_get_connection           (RsStore           *self,
                                                GError           **error);
void         rs_store_release_connection       (RsStore           *self);
gboolean     rs_store_write                    (RsStore           *self,
                                                RsStoreWriteFunc   func,
                                                gpointer           user_data,
                                                GError           **error);
gboolean     rs_store_exec                     (sqlite3           *db,
                                                const char        *sql,
                                                GError           **error);
gboolean     rs_store_set_error_from_db        (sqlite3           *db,
                                                int                rc,
                                                GError           **error);
gboolean     rs_store_checkpoint               (RsStore           *self,
                                                GError           **error);
void         rs_store_checkpoint_async         (RsStore           *self,
                                                GCancellable      *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
gboolean     rs_store_checkpoint_finish        (RsStore           *self,
                                                GAsyncResult      *result,
                                                GError           **error);
guint        rs_store_get_open_connection_count (void);
gint64       rs_store_get_data_version         (RsStore           *self);
void         rs_store_run_async                (RsStore           *self,
                                                RsStoreJobFunc     func,
                                                gpointer           data,
                                                GDestroyNotify     data_free,
                                                GDestroyNotify     result_free,
                                                GCancellable      *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer           user_data);
gpointer     rs_store_run_finish               (RsStore           *self,
                                                GAsyncResult      *result,
                                                GError           **error);

G_END_DECLS
