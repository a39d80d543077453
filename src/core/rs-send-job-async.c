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

/* The send job on a thread of its own, with copies of its options. */

typedef struct
{
  RsSendOptions options;
  GPtrArray *strings;
  GArray *ids;
  GArray *allow_second_ids;
  RsSendJobProgress progress;
  gpointer progress_data;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *async = data;

  g_ptr_array_unref (async->strings);
  g_array_unref (async->ids);
  g_array_unref (async->allow_second_ids);
  g_free (async);
}

static const char *
copy_for_job (AsyncData  *async,
              const char *text)
{
  char *copy;

  if (text == NULL)
    return NULL;

  copy = g_strdup (text);
  g_ptr_array_add (async->strings, copy);

  return copy;
}

/* What a job's thread ends with, returned once the thread has ended. */
typedef struct
{
  GTask *task;
  GThread *thread;
  RsSendSummary *summary;
  GError *error;
} Ending;

static gboolean
return_when_ended (gpointer user_data)
{
  Ending *ending = user_data;

  /* The thread has nothing left to do but end: waited for, it never
   * outlives the job. (A command line that exits while the thread ends
   * races the TLS library's own clean-up at exit: a double free.) */
  g_thread_join (ending->thread);
  if (ending->summary == NULL)
    g_task_return_error (ending->task, ending->error);
  else
    g_task_return_pointer (ending->task, ending->summary, (GDestroyNotify) rs_send_summary_free);
  g_object_unref (ending->task);
  g_free (ending);

  return G_SOURCE_REMOVE;
}

static gpointer
job_thread (gpointer user_data)
{
  GTask *task = user_data;
  AsyncData *data = g_task_get_task_data (task);
  RsStore *store = g_task_get_source_object (task);
  Ending *ending = g_new0 (Ending, 1);
  GSource *source;

  rs_thread_set_background ();
  ending->summary = rs_send_job_run (store, &data->options, data->progress, data->progress_data,
                                     g_task_get_cancellable (task), &ending->error);
  rs_store_release_connection (store);

  ending->task = task;
  ending->thread = g_thread_ref (g_thread_self ());
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, return_when_ended, ending, NULL);
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);

  return NULL;
}

/* rs_send_job_run() in a thread of its own: with a rate limit it runs for
 * a long time. @options is copied. */
void
rs_send_job_run_async (RsStore              *store,
                       const RsSendOptions  *options,
                       RsSendJobProgress     progress,
                       gpointer              progress_data,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (options != NULL);

  data = g_new0 (AsyncData, 1);
  data->strings = g_ptr_array_new_with_free_func (g_free);
  data->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (options->n_ids > 0)
    g_array_append_vals (data->ids, options->ids, options->n_ids);
  data->allow_second_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (options->n_allow_second_ids > 0)
    g_array_append_vals (data->allow_second_ids, options->allow_second_ids,
                         options->n_allow_second_ids);
  data->options = *options;
  data->options.ids = (const gint64 *) data->ids->data;
  data->options.allow_second_ids = (const gint64 *) data->allow_second_ids->data;
  data->options.test_address = copy_for_job (data, options->test_address);
  data->options.mailer.url = copy_for_job (data, options->mailer.url);
  data->options.mailer.user = copy_for_job (data, options->mailer.user);
  data->options.mailer.password = copy_for_job (data, options->mailer.password);
  data->options.mailer.ca_file = copy_for_job (data, options->mailer.ca_file);
  data->options.mailer.pinned_key = copy_for_job (data, options->mailer.pinned_key);
  data->options.mailer.access_token = copy_for_job (data, options->mailer.access_token);
  data->options.graph.url = copy_for_job (data, options->graph.url);
  data->options.graph.access_token = copy_for_job (data, options->graph.access_token);
  data->options.graph.ca_file = copy_for_job (data, options->graph.ca_file);
  data->options.from_address = copy_for_job (data, options->from_address);
  data->options.from_name = copy_for_job (data, options->from_name);
  data->options.reply_to = copy_for_job (data, options->reply_to);
  data->options.subject_en = copy_for_job (data, options->subject_en);
  data->options.body_en = copy_for_job (data, options->body_en);
  data->options.subject_nl = copy_for_job (data, options->subject_nl);
  data->options.body_nl = copy_for_job (data, options->body_nl);
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_send_job_run_async);
  /* Stopped, the job still returns what it did: a cancelled cancellable must
   * not turn that into an error in _finish(). */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, async_data_free);
  g_thread_unref (g_thread_new ("rs-send-job", job_thread, g_steal_pointer (&task)));
}

RsSendSummary *
rs_send_job_run_finish (RsStore       *store,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
