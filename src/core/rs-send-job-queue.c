/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-send-job"


#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs-activity-private.h"
#include "rs-branding.h"
#include "rs-delivery.h"
#include "rs-master.h"
#include "rs-message.h"
#include "rs-oauth.h"
#include "rs-report-job.h"
#include "rs-scores.h"
#include "rs-send-job.h"
#include "rs-send-job-private.h"
#include "rs-store-private.h"
#include "rs-template.h"
#include "rs-thread.h"

/* The queue of a send: the rate, the waits the server asks for, the stop
 * grace, and the summary of what happened. */

static void
work_free (gpointer data)
{
  Work *work = data;

  g_free (work->message_id);
  g_free (work);
}

/* A stop lets the message in hand finish for a few seconds, then breaks it
 * off: a server that hangs does not keep the job (and a Ctrl+C) waiting for
 * minutes. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean stopped;
  gboolean done;
  gint64 grace_us;
  GCancellable *transport;
  GThread *thread;
  gulong handler;
} Watchdog;

static void
watchdog_stop_cb (GCancellable *cancellable,
                  gpointer      data)
{
  Watchdog *watchdog = data;

  g_mutex_lock (&watchdog->lock);
  watchdog->stopped = TRUE;
  g_cond_signal (&watchdog->cond);
  g_mutex_unlock (&watchdog->lock);
}

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *watchdog = data;
  gboolean break_off = FALSE;

  g_mutex_lock (&watchdog->lock);
  while (!watchdog->stopped && !watchdog->done)
    g_cond_wait (&watchdog->cond, &watchdog->lock);
  if (!watchdog->done)
    {
      gint64 end = g_get_monotonic_time () + watchdog->grace_us;

      while (!watchdog->done && g_cond_wait_until (&watchdog->cond, &watchdog->lock, end))
        ;
      break_off = !watchdog->done;
    }
  g_mutex_unlock (&watchdog->lock);

  if (break_off)
    {
      g_debug ("Stopped: the message in hand is broken off");
      g_cancellable_cancel (watchdog->transport);
    }

  return NULL;
}

static void
watchdog_start (Watchdog     *watchdog,
                guint         grace_ms,
                GCancellable *cancellable)
{
  watchdog->grace_us = grace_ms > 0 ? (gint64) grace_ms * G_TIME_SPAN_MILLISECOND
                                    : RS_SEND_STOP_GRACE_S * G_USEC_PER_SEC;
  g_mutex_init (&watchdog->lock);
  g_cond_init (&watchdog->cond);
  watchdog->transport = g_cancellable_new ();
  if (cancellable == NULL)
    return;
  watchdog->thread = g_thread_new ("rs-send-stop", watchdog_thread, watchdog);
  watchdog->handler = g_cancellable_connect (cancellable, G_CALLBACK (watchdog_stop_cb),
                                             watchdog, NULL);
}

static void
watchdog_end (Watchdog     *watchdog,
              GCancellable *cancellable)
{
  if (watchdog->thread != NULL)
    {
      g_cancellable_disconnect (cancellable, watchdog->handler);
      g_mutex_lock (&watchdog->lock);
      watchdog->done = TRUE;
      g_cond_signal (&watchdog->cond);
      g_mutex_unlock (&watchdog->lock);
      g_thread_join (watchdog->thread);
    }
  g_clear_object (&watchdog->transport);
  g_cond_clear (&watchdog->cond);
  g_mutex_clear (&watchdog->lock);
}

static void
job_set_token (Job        *job,
               const char *token)
{
  if (job->token != NULL)
    memset (job->token, 0, strlen (job->token));
  g_free (job->token);
  job->token = g_strdup (token);
}

/* Puts @token in use: on the transport, and as the job's own copy. */
void
rs_send_job_use_token (Job        *job,
                       const char *token)
{
  if (job->graph != NULL)
    rs_graph_set_access_token (job->graph, token);
  else
    rs_mailer_set_access_token (job->mailer, token);
  job_set_token (job, token);
}

/* Before a message: the token options->current_token says is the one to use
 * now, in place of the one in use if it differs (it was renewed before it
 * expired). FALSE with @error when none could be had. */
gboolean
rs_send_job_update_token (Job     *job,
                          GError **error)
{
  const RsSendOptions *options = job->options;
  g_autofree char *token = NULL;

  if (options->current_token == NULL || job->token == NULL)
    return TRUE;

  token = options->current_token (options->refresh_data, job->cancellable, error);
  if (token == NULL || *token == '\0')
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                             _("No new sign-in token could be had. Sign in again in "
                               "Preferences."));
      return FALSE;
    }
  if (strcmp (token, job->token) != 0)
    {
      g_debug ("The access token is about to expire; using a new one");
      rs_send_job_use_token (job, token);
    }
  memset (token, 0, strlen (token));

  return TRUE;
}

/* Sleeps until @until (monotonic), waking up when the job is cancelled. */
static gboolean
wait_until (Job    *job,
            gint64  until)
{
  GPollFD fd;
  gboolean have_fd;

  have_fd = job->cancellable != NULL && g_cancellable_make_pollfd (job->cancellable, &fd);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();

      if (g_cancellable_is_cancelled (job->cancellable))
        break;
      if (now >= until)
        break;

      if (have_fd)
        g_poll (&fd, 1, (int) MIN ((until - now + 999) / 1000, G_MAXINT));
      else
        g_usleep (MIN (until - now, G_USEC_PER_SEC / 10));
    }
  if (have_fd)
    g_cancellable_release_fd (job->cancellable);

  return !g_cancellable_is_cancelled (job->cancellable);
}

RsSendResult *
rs_send_job_result_new (RsSendItem *item,
                        guint       tries)
{
  RsSendResult *result = g_new0 (RsSendResult, 1);

  result->id = item->id;
  result->person = g_strdup (item->person);
  result->company = g_strdup (item->company);
  result->email = g_strdup (item->email);
  result->tries = tries;

  return result;
}

void
rs_send_job_tell_progress (Job          *job,
                           RsSendItem   *item,
                           RsSendResult *result)
{
  if (job->progress != NULL)
    job->progress (job->summary, item, result, job->progress_data);
}

/* Adds a final result to the summary and tells the caller. */
void
rs_send_job_conclude (Job          *job,
                      RsSendItem   *item,
                      RsSendResult *result)
{
  RsSendSummary *summary = job->summary;

  switch (result->outcome)
    {
    case RS_SEND_OUTCOME_SENT:
      summary->sent++;
      break;
    case RS_SEND_OUTCOME_FAILED:
      summary->failed++;
      break;
    case RS_SEND_OUTCOME_DEFERRED:
      summary->deferred++;
      break;
    case RS_SEND_OUTCOME_UNKNOWN:
      summary->unknown++;
      break;
    case RS_SEND_OUTCOME_SKIPPED:
    default:
      summary->skipped++;
      break;
    }
  summary->remaining--;
  g_ptr_array_add (summary->results, result);
  rs_send_job_tell_progress (job, item, result);
  /* Each message's outcome is on record at once: a round a crash cuts
   * short keeps its counts (messages go out a few a second at most). */
  rs_activity_checkpoint_send (job->store, &job->checkpoint, summary, 0);
}

/* How long the queue waits after the @n-th temporary reply in a row. */
guint64
rs_send_job_backoff_ms (Job   *job,
                        guint  n)
{
  guint64 ms = job->backoff_ms;

  for (guint i = 1; i < n && ms < RS_SEND_MAX_BACKOFF_MS; i++)
    ms *= 2;

  return MIN (ms, RS_SEND_MAX_BACKOFF_MS);
}

/* Those the job will not get to: the server kept asking to wait. */
static void
leave_pending (Job    *job,
               GQueue *queue)
{
  Work *work;

  while ((work = g_queue_pop_head (queue)) != NULL)
    {
      RsSendResult *result = rs_send_job_result_new (work->item, work->tries);

      result->outcome = RS_SEND_OUTCOME_DEFERRED;
      result->error = job->left_because != NULL
                      ? g_strdup (job->left_because)
                      : g_strdup (_("not sent yet: the server kept asking to wait; send again "
                                    "later"));
      rs_send_job_conclude (job, work->item, result);
    }
}

static gboolean
run_queue (Job     *job,
           GError **error)
{
  const RsSendOptions *options = job->options;
  gint64 interval = options->rate_per_minute > 0
                    ? 60 * G_USEC_PER_SEC / options->rate_per_minute : 0;
  GPtrArray *to_send = job->summary->plan->to_send;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (work_free);
  GQueue queue = G_QUEUE_INIT;
  gboolean ok = TRUE;

  for (guint i = 0; i < to_send->len; i++)
    {
      Work *work = g_new0 (Work, 1);

      work->item = g_ptr_array_index (to_send, i);
      g_ptr_array_add (all, work);
      g_queue_push_tail (&queue, work);
    }

  while (!g_queue_is_empty (&queue))
    {
      Work *work = g_queue_pop_head (&queue);
      gint64 due = job->resume_at;

      /* The server asked to wait: the seconds left are told every second. */
      while (g_get_monotonic_time () < job->resume_at &&
             !g_cancellable_is_cancelled (job->cancellable))
        {
          gint64 now = g_get_monotonic_time ();
          gint64 left = job->resume_at - now;
          gint64 step = left % G_USEC_PER_SEC != 0 ? left % G_USEC_PER_SEC : G_USEC_PER_SEC;

          job->summary->wait_s = (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
          rs_send_job_tell_progress (job, work->item, NULL);
          wait_until (job, now + step);
        }
      job->summary->wait_s = 0;

      if (interval > 0 && job->last_send != 0)
        due = MAX (due, job->last_send + interval);
      if (!wait_until (job, due))
        {
          job->summary->cancelled = TRUE;
          break;
        }

      switch (rs_send_job_send_one (job, work, error))
        {
        case SEND_STOP:
          ok = FALSE;
          break;
        case SEND_AGAIN:
          /* The whole queue waits, then this message goes first. */
          g_queue_push_head (&queue, work);
          break;
        case SEND_DONE:
        default:
          if (job->waits_in_a_row >= RS_SEND_MAX_WAITS)
            leave_pending (job, &queue);
          break;
        }
      if (!ok)
        break;
    }

  job->summary->wait_s = 0;
  g_queue_clear (&queue);
  return ok;
}

/**
 * rs_send_job_run:
 * @progress: (nullable): told before and after each message, in this thread
 *
 * Returns: (transfer full): what happened to each planned message
 */
RsSendSummary *
rs_send_job_run (RsStore              *store,
                 const RsSendOptions  *options,
                 RsSendJobProgress     progress,
                 gpointer              progress_data,
                 GCancellable         *cancellable,
                 GError              **error)
{
  g_autoptr(RsSendSummary) summary = NULL;
  g_autoptr(RsMailer) mailer = NULL;
  g_autoptr(RsGraph) graph = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean busy;
  guint n_recovered = 0;
  gboolean ok;
  Job job = { 0 };
  Watchdog watchdog = { 0 };
  gint64 activity;
  int fd;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!rs_send_job_check_options (options, error))
    return NULL;

  if (options->transport == RS_SEND_TRANSPORT_GRAPH)
    {
      graph = rs_graph_new (&options->graph, error);
      if (graph == NULL)
        return NULL;
    }
  else
    {
      mailer = rs_mailer_new (&options->mailer, error);
      if (mailer == NULL)
        return NULL;
    }

  fd = rs_send_job_lock_take (store, &busy, error);
  if (fd < 0)
    return NULL;

  /* The round is on record from here: as running until it ends, so that
   * one a crash cut short is there too. */
  activity = rs_activity_begin (store, RS_ACTIVITY_SEND,
                                options->mode == RS_SEND_MODE_TEST ? options->test_address
                                                                   : NULL,
                                options->mode == RS_SEND_MODE_TEST);

  if (!rs_store_write (store, rs_send_job_recover_transaction, &n_recovered, &local_error) ||
      (options->mode == RS_SEND_MODE_LIVE && options->n_allow_second_ids > 0 &&
       !rs_send_job_allow_second (store, options->allow_second_ids,
                                  options->n_allow_second_ids, TRUE, &local_error)))
    {
      rs_activity_end_send (store, activity, NULL, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      close (fd);
      return NULL;
    }

  summary = g_new0 (RsSendSummary, 1);
  summary->mode = options->mode;
  summary->results = g_ptr_array_new_with_free_func (rs_send_job_result_free);
  summary->plan = rs_send_job_plan (store, options, &local_error);
  if (summary->plan == NULL)
    {
      rs_activity_end_send (store, activity, NULL, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      close (fd);
      return NULL;
    }
  summary->total = summary->plan->to_send->len;
  summary->remaining = summary->total;
  summary->skipped = summary->plan->skipped->len;

  job.store = store;
  job.checkpoint.id = activity;
  job.options = options;
  job.mailer = mailer;
  job.graph = graph;
  job.summary = summary;
  job.progress = progress;
  job.progress_data = progress_data;
  job.cancellable = cancellable;
  job.max_tries = options->max_tries > 0 ? options->max_tries : RS_SEND_DEFAULT_MAX_TRIES;
  job.backoff_ms = options->backoff_ms > 0 ? options->backoff_ms : RS_SEND_DEFAULT_BACKOFF_MS;
  if (graph != NULL)
    job_set_token (&job, options->graph.access_token);
  else if (options->mailer.access_token != NULL && *options->mailer.access_token != '\0')
    job_set_token (&job, options->mailer.access_token);

  watchdog_start (&watchdog, options->stop_grace_ms, cancellable);
  job.transport_cancellable = watchdog.transport;
  ok = run_queue (&job, &local_error);
  watchdog_end (&watchdog, cancellable);
  g_free (job.left_because);
  rs_activity_end_send (store, activity, summary, ok ? NULL : local_error);
  close (fd);
  job_set_token (&job, NULL);

  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&summary);
}
