/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-report.h"
#include "rs-store.h"

G_BEGIN_DECLS

typedef enum
{
  RS_REPORT_OUTCOME_MADE,
  RS_REPORT_OUTCOME_UP_TO_DATE,
  RS_REPORT_OUTCOME_NOT_POSSIBLE,
  RS_REPORT_OUTCOME_FAILED,
} RsReportOutcome;

/* What happened to one respondent's report. */
typedef struct
{
  gint64 id;
  char *person;
  char *company;
  RsReportOutcome outcome;
  char *path;
  char *reason;
} RsReportResult;

/* One respondent's report input with the strings it points to. */
typedef struct
{
  RsReportInput input;
  char *company;
  char *person;
  char *function;
  char *survey_date;
  char *language;
  RsBranding *branding;
} RsReportSource;

typedef struct
{
  guint total;
  guint made;
  guint up_to_date;
  guint not_possible;
  guint failed;
  GPtrArray *results;
} RsReportSummary;

/* Called from the job's worker threads, one call at a time, after each
 * report. @result is only valid during the call. */
typedef void (*RsReportJobProgress) (const RsReportSummary *so_far,
                                     const RsReportResult  *result,
                                     gpointer               user_data);

RsReportSummary *rs_report_job_run         (RsStore              *store,
                                            const char           *folder,
                                            const gint64         *ids,
                                            guint                 n_ids,
                                            gboolean              force,
                                            guint                 n_threads,
                                            RsReportJobProgress   progress,
                                            gpointer              progress_data,
                                            GCancellable         *cancellable,
                                            GError              **error);
void             rs_report_job_run_async   (RsStore              *store,
                                            const char           *folder,
                                            const gint64         *ids,
                                            guint                 n_ids,
                                            gboolean              force,
                                            RsReportJobProgress   progress,
                                            gpointer              progress_data,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
RsReportSummary *rs_report_job_run_finish  (RsStore              *store,
                                            GAsyncResult         *result,
                                            GError              **error);
char            *rs_report_default_folder  (void);
char            *rs_report_store_tag       (RsStore              *store);
char            *rs_report_summary_describe (const RsReportSummary *summary);
void             rs_report_summary_free    (RsReportSummary      *summary);
RsReportSource  *rs_report_source_load     (RsStore              *store,
                                            gint64                id,
                                            GError              **error);
void             rs_report_source_free     (RsReportSource       *source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsReportSource, rs_report_source_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsReportSummary, rs_report_summary_free)

G_END_DECLS
