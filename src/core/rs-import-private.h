/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "rs-import.h"
#include "rs-master.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

typedef struct _RsChangeLog RsChangeLog;

/* What the import shares with the record it keeps of itself
 * (rs-import-record.c, rs-import-quality.c). All of it runs on the import's
 * thread, inside its write transaction. */

RsChangeLog *rs_change_log_new          (sqlite3             *db,
                                         gint64               import_id,
                                         const char * const  *header,
                                         guint                n_header,
                                         GError             **error);
void         rs_change_log_free         (RsChangeLog         *log);
/* Counts @change in its group of @summary and stores it with the import. */
gboolean     rs_change_log_add          (RsChangeLog         *log,
                                         RsImportSummary     *summary,
                                         guint                line,
                                         gint64               respondent_id,
                                         const RsMasterChange *change,
                                         GError             **error);
/* The groups in the order of their columns, their examples in that of lines */
void         rs_change_log_finish       (RsChangeLog         *log,
                                         RsImportSummary     *summary);
/* After its import_log row: the problems and the other counts */
gboolean     rs_import_record_write     (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
/* Last in the import's transaction: the data-quality summary of the
 * database as the import leaves it, stored with the import and put in
 * @summary */
gboolean     rs_import_quality_write    (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
/* The data-quality summary stored with @summary's import, if any */
gboolean     rs_import_quality_load     (sqlite3             *db,
                                         RsImportSummary     *summary,
                                         GError             **error);
RsImportSummary *rs_import_summary_new  (const char          *name);
void         rs_import_change_group_free (gpointer            group);
void         rs_import_quality_item_free (gpointer            item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsChangeLog, rs_change_log_free)

/* SQL by parameter name (rs-import-record.c); an error names the database's
 * message */
sqlite3_stmt *rs_import_prepare         (sqlite3             *db,
                                         const char          *sql,
                                         GError             **error);
void         rs_import_bind_text        (sqlite3_stmt        *stmt,
                                         const char          *name,
                                         const char          *text);
void         rs_import_bind_int64       (sqlite3_stmt        *stmt,
                                         const char          *name,
                                         gint64               value);
/* Steps @stmt, which returns no row, and resets it */
gboolean     rs_import_step_done        (sqlite3             *db,
                                         sqlite3_stmt        *stmt,
                                         GError             **error);
/* The index of @name in @names, or -1 */
int          rs_import_find_name        (const char * const  *names,
                                         guint                n_names,
                                         const char          *name);

G_END_DECLS
