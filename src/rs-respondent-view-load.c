/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-respondent-view"

#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/rs-tracker.h"
#include "rs-respondent-view-private.h"

/* The table's loads: what changed in the database since the last one is
 * read in a worker thread, and merged into the list the table shows. */

#define MONITOR_INTERVAL_MS 250

typedef struct
{
  gint64 since;
} LoadData;

typedef struct
{
  GPtrArray *respondents;
  RsSummary summary;
  gint64 seen;
} LoadResult;

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->respondents, g_ptr_array_unref);
  g_free (result);
}

static void
free_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LoadResult *result = task_data;
  gboolean big = result->respondents != NULL && result->respondents->len > 10000;

  load_result_free (result);
#ifdef __GLIBC__
  /* Give the memory of a big reload back rather than keep it for later. */
  if (big)
    malloc_trim (0);
#endif
  g_task_return_boolean (task, TRUE);
}

/* Freeing 100,000 respondents read after an import takes longer than a
 * frame: it is done away from the main loop. */
static void
load_result_free_later (LoadResult *result)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, load_result_free_later);
  g_task_set_task_data (task, result, NULL);
  g_task_run_in_thread (task, free_in_thread);
}

static gpointer
load_job (RsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  LoadData *load = data;
  LoadResult *result = g_new0 (LoadResult, 1);

  /* The counts are made here too, so the main loop only shows them. */
  result->respondents = rs_tracker_load_changed (store, load->since, &result->seen,
                                                 cancellable, error);
  if (result->respondents == NULL ||
      !rs_summary_load (store, &result->summary, error))
    {
      load_result_free (result);
      return NULL;
    }

  return result;
}

static void start_load (RsRespondentView *self);

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RsRespondentView) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadResult *loaded;
  gboolean first = !self->loaded;

  self->loading = FALSE;
  loaded = rs_store_run_finish (RS_STORE (object), result, &error);
  if (loaded == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Not a table that silently stops following the database: the
       * reason, and a way to read it again. */
      self->reload_again = FALSE;
      adw_status_page_set_description (self->load_error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "load-error");
      return;
    }

  if (loaded->respondents->len > 0)
    {
      g_autoptr(GArray) selected = rs_respondent_view_get_selected_ids (self);

      rs_respondent_list_merge (self->list, loaded->respondents);
      /* Changed rows come back unselected; select them again. */
      if (selected->len > 0)
        rs_respondent_view_select_ids (self, (gint64 *) selected->data, selected->len);
    }
  rs_respondent_view_update_stats (self, &loaded->summary);

  self->seen = loaded->seen;
  load_result_free_later (loaded);

  if (first)
    {
      self->loaded = TRUE;
      rs_respondent_view_notify (self, PROP_LOADED);
    }
  if (first || g_list_model_get_n_items (G_LIST_MODEL (self->list)) > 0)
    rs_respondent_view_notify (self, PROP_N_RESPONDENTS);
  rs_respondent_view_update_page (self);

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_load (self);
    }
}

static void
start_load (RsRespondentView *self)
{
  LoadData *data;

  if (self->store == NULL)
    return;

  if (self->loading)
    {
      self->reload_again = TRUE;
      return;
    }

  self->loading = TRUE;
  data = g_new0 (LoadData, 1);
  data->since = self->seen;
  rs_store_run_async (self->store, load_job, data, g_free, load_result_free,
                      self->load_cancellable, load_done_cb, g_object_ref (self));
}

/* Reads again what changed in the database, now. */
void
rs_respondent_view_refresh (RsRespondentView *self)
{
  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));

  start_load (self);
}

static void
store_changed_cb (RsRespondentView *self,
                  RsStoreMonitor   *monitor)
{
  start_load (self);
}

void
rs_respondent_view_set_store (RsRespondentView *self,
                              RsStore          *store)
{
  g_return_if_fail (RS_IS_RESPONDENT_VIEW (self));
  g_return_if_fail (RS_IS_STORE (store));
  g_return_if_fail (self->store == NULL);

  self->store = g_object_ref (store);
  self->monitor = rs_store_monitor_new (store, MONITOR_INTERVAL_MS);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (store_changed_cb), self,
                           G_CONNECT_SWAPPED);
  start_load (self);
}
