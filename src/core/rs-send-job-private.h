/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "rs-activity-private.h"
#include "rs-graph.h"
#include "rs-mailer.h"
#include "rs-send-job.h"
#include "rs-store.h"

G_BEGIN_DECLS

/* What the parts of the send job (rs-send-job-*.c) share. */

typedef struct
{
  RsSendItem *item;
  guint tries;
  /* A test message keeps its Message-ID across tries in this job; a live
   * one keeps the one stored with its record. */
  char *message_id;
} Work;

typedef struct
{
  RsStore *store;
  const RsSendOptions *options;
  RsMailer *mailer;
  RsGraph *graph;
  RsSendSummary *summary;
  RsSendJobProgress progress;
  gpointer progress_data;
  GCancellable *cancellable;
  guint max_tries;
  guint backoff_ms;
  gint64 last_send;
  /* The queue waits until then (monotonic) because the server asked */
  gint64 resume_at;
  guint waits_in_a_row;
  /* The respondent of the last message this job had refused for good */
  gint64 last_failed_id;
  /* Messages in a row whose outcome is unknown */
  guint unknowns_in_a_row;
  /* Why the rest is left for a later send, when the server asked to wait
   * longer than the job waits */
  char *left_because;
  /* The access token in use (a copy, wiped at the end), if any */
  char *token;
  /* The message in hand: cancelled the stop grace after the job's
   * cancellable (see Watchdog) */
  GCancellable *transport_cancellable;
  /* What is done so far, in the activity log */
  RsActivityCheckpoint checkpoint;
} Job;

typedef enum
{
  SEND_DONE,
  SEND_AGAIN,
  SEND_STOP,
} SendNext;

void rs_send_job_result_free (gpointer data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSendResult, rs_send_job_result_free)

gboolean rs_send_job_check_options (const RsSendOptions  *options,
                                    GError              **error);
int rs_send_job_lock_take (RsStore   *store,
                           gboolean  *busy,
                           GError   **error);
gboolean rs_send_job_recover_transaction (sqlite3   *db,
                                          gpointer   user_data,
                                          GError   **error);
void rs_send_job_compose (const RsSendOptions  *options,
                          const RsSendItem     *item,
                          char                **subject_out,
                          char                **body_out,
                          const char          **to_out);
SendNext rs_send_job_send_one (Job       *job,
                               Work      *work,
                               GError   **error);
void rs_send_job_use_token (Job        *job,
                            const char *token);
gboolean rs_send_job_update_token (Job     *job,
                                   GError **error);
RsSendResult *rs_send_job_result_new (RsSendItem *item,
                                      guint       tries);
void rs_send_job_tell_progress (Job          *job,
                                RsSendItem   *item,
                                RsSendResult *result);
void rs_send_job_conclude (Job          *job,
                           RsSendItem   *item,
                           RsSendResult *result);
guint64 rs_send_job_backoff_ms (Job   *job,
                                guint  n);

G_END_DECLS
