/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "rs-activity.h"
#include "rs-import.h"
#include "rs-report-job.h"
#include "rs-send-job.h"

G_BEGIN_DECLS

/* How the jobs record themselves, each on its own thread's connection.
 * Each writes a running entry when it starts (rs_activity_begin()) and
 * completes it when it ends, so work that a crash cut short is still on
 * record (as interrupted). An import completes its entry last in its one
 * transaction; a report run and a send round write what they did so far
 * as they go (checkpoints). */

/* Inside the import's write transaction, after its import_log row: completes
 * entry @id (or writes one, when @id is 0) */
gboolean rs_activity_write_import    (sqlite3               *db,
                                      gint64                 id,
                                      gint64                 started_at,
                                      const RsImportSummary *summary,
                                      GError               **error);
/* An import that did not commit: cancelled, or failed with @reason */
void     rs_activity_record_import_failure (RsStore         *store,
                                      gint64                 id,
                                      gint64                 started_at,
                                      const char            *name,
                                      const GError          *reason);
/* Returns the entry's id, or 0 when it could not be written (the work
 * goes on without it; the reason is logged). */
gint64   rs_activity_begin           (RsStore               *store,
                                      RsActivityKind         kind,
                                      const char            *subject,
                                      gboolean               test);
/* @summary: (nullable): what was done; @stopped: (nullable): why it
 * stopped, G_IO_ERROR_CANCELLED for a stop by hand */
void     rs_activity_end_reports     (RsStore               *store,
                                      gint64                 id,
                                      const RsReportSummary *summary,
                                      gboolean               cancelled,
                                      const GError          *stopped);
void     rs_activity_end_send        (RsStore               *store,
                                      gint64                 id,
                                      const RsSendSummary   *summary,
                                      const GError          *stopped);

/* What a running report run or send round did so far, written as it goes:
 * one that a crash cuts short keeps its counts and failures. */
typedef struct
{
  gint64 id;                /* from rs_activity_begin(); 0: nothing is written */
  gint64 last_us;
  guint failures_written;
} RsActivityCheckpoint;

void     rs_activity_checkpoint_reports (RsStore               *store,
                                         RsActivityCheckpoint  *checkpoint,
                                         const RsReportSummary *summary,
                                         guint                  interval_ms);
void     rs_activity_checkpoint_send    (RsStore               *store,
                                         RsActivityCheckpoint  *checkpoint,
                                         const RsSendSummary   *summary,
                                         guint                  interval_ms);

G_END_DECLS
