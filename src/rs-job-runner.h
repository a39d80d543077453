/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-progress-panel.h"

G_BEGIN_DECLS

typedef enum
{
  RS_JOB_NONE,
  RS_JOB_IMPORT,
  RS_JOB_REPORTS,
  RS_JOB_SEND,
} RsJobKind;

/* A handle a worker thread may keep and post progress through; what it
 * posts reaches the panel on the main thread, or nowhere once the job ended. */
typedef struct _RsJobProgress RsJobProgress;

RsJobProgress *rs_job_progress_ref  (RsJobProgress *progress);
void           rs_job_progress_unref (RsJobProgress *progress);
void           rs_job_progress_post (RsJobProgress *progress,
                                     double         fraction,
                                     char          *detail);

#define RS_TYPE_JOB_RUNNER (rs_job_runner_get_type ())
G_DECLARE_FINAL_TYPE (RsJobRunner, rs_job_runner, RS, JOB_RUNNER, GObject)

/* One job at a time for a window: it owns the job's cancellable, shows its
 * progress in @panel, and holds @application while the job runs, so that
 * the process does not end under it. Main thread only. */
RsJobRunner   *rs_job_runner_new          (RsProgressPanel *panel,
                                           GApplication    *application);
gboolean       rs_job_runner_get_busy     (RsJobRunner     *self);
RsJobKind      rs_job_runner_get_kind     (RsJobRunner     *self);
GCancellable  *rs_job_runner_start        (RsJobRunner     *self,
                                           RsJobKind        kind,
                                           const char      *title,
                                           GCancellable    *parent);
RsJobProgress *rs_job_runner_get_progress (RsJobRunner     *self);
GCancellable  *rs_job_runner_get_cancellable (RsJobRunner  *self);
gboolean       rs_job_runner_get_cancelled (RsJobRunner    *self);
void           rs_job_runner_cancel       (RsJobRunner     *self);
void           rs_job_runner_finish       (RsJobRunner     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsJobProgress, rs_job_progress_unref)

G_END_DECLS
