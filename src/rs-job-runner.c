/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-job-runner"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-job-runner.h"

struct _RsJobProgress
{
  /* Cleared on the main thread when the job ends. */
  GWeakRef runner;
  guint generation;
};

struct _RsJobRunner
{
  GObject parent_instance;

  RsProgressPanel *panel;
  GApplication *application;
  RsJobKind kind;
  GCancellable *cancellable;
  gulong parent_handler;
  GCancellable *parent;
  RsJobProgress *progress;
  guint generation;
};

G_DEFINE_FINAL_TYPE (RsJobRunner, rs_job_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rs_job_progress_clear (RsJobProgress *progress)
{
  g_weak_ref_clear (&progress->runner);
}

RsJobProgress *
rs_job_progress_ref (RsJobProgress *progress)
{
  return g_atomic_rc_box_acquire (progress);
}

void
rs_job_progress_unref (RsJobProgress *progress)
{
  g_atomic_rc_box_release_full (progress, (GDestroyNotify) rs_job_progress_clear);
}

typedef struct
{
  RsJobProgress *progress;
  double fraction;
  char *detail;
} ProgressUpdate;

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  rs_job_progress_unref (update->progress);
  g_free (update->detail);
  g_free (update);
}

static gboolean
progress_idle (gpointer data)
{
  ProgressUpdate *update = data;
  g_autoptr(RsJobRunner) self = g_weak_ref_get (&update->progress->runner);

  /* A late update of a job that already ended is dropped. */
  if (self == NULL || self->kind == RS_JOB_NONE ||
      self->generation != update->progress->generation || self->panel == NULL)
    return G_SOURCE_REMOVE;

  rs_progress_panel_set_fraction (self->panel, update->fraction, update->detail);

  return G_SOURCE_REMOVE;
}

/* Any thread: @detail (transfer full) is shown with @fraction, below 0 to pulse. */
void
rs_job_progress_post (RsJobProgress *progress,
                      double         fraction,
                      char          *detail)
{
  ProgressUpdate *update;

  g_return_if_fail (progress != NULL);

  update = g_new0 (ProgressUpdate, 1);
  update->progress = rs_job_progress_ref (progress);
  update->fraction = fraction;
  update->detail = detail;
  g_idle_add_full (G_PRIORITY_DEFAULT, progress_idle, update, progress_update_free);
}

RsJobRunner *
rs_job_runner_new (RsProgressPanel *panel,
                   GApplication    *application)
{
  RsJobRunner *self = g_object_new (RS_TYPE_JOB_RUNNER, NULL);

  g_set_weak_pointer (&self->panel, panel);
  self->application = application ? g_object_ref (application) : NULL;

  return self;
}

gboolean
rs_job_runner_get_busy (RsJobRunner *self)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), FALSE);

  return self->kind != RS_JOB_NONE;
}

RsJobKind
rs_job_runner_get_kind (RsJobRunner *self)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), RS_JOB_NONE);

  return self->kind;
}

static void
cancel_child (GCancellable *parent,
              gpointer      child)
{
  g_cancellable_cancel (child);
}

/**
 * rs_job_runner_start:
 * @parent: (nullable): cancelling it cancels the job too
 *
 * Returns: (transfer none): the job's cancellable, valid until
 *   rs_job_runner_finish()
 */
GCancellable *
rs_job_runner_start (RsJobRunner  *self,
                     RsJobKind     kind,
                     const char   *title,
                     GCancellable *parent)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), NULL);
  g_return_val_if_fail (kind != RS_JOB_NONE, NULL);
  g_return_val_if_fail (self->kind == RS_JOB_NONE, NULL);

  self->kind = kind;
  self->generation++;
  self->cancellable = g_cancellable_new ();
  if (parent != NULL)
    {
      self->parent = g_object_ref (parent);
      self->parent_handler = g_cancellable_connect (parent, G_CALLBACK (cancel_child),
                                                    g_object_ref (self->cancellable),
                                                    g_object_unref);
    }

  self->progress = g_atomic_rc_box_new0 (RsJobProgress);
  g_weak_ref_init (&self->progress->runner, self);
  self->progress->generation = self->generation;

  if (self->panel != NULL)
    rs_progress_panel_start (self->panel, title, "win.cancel-job");
  if (self->application != NULL)
    g_application_hold (self->application);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  return self->cancellable;
}

/* Returns: (transfer none): the running job's progress handle; ref it to
 * keep it in a thread */
RsJobProgress *
rs_job_runner_get_progress (RsJobRunner *self)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), NULL);

  return self->progress;
}

/* Returns: (transfer none) (nullable): the running job's cancellable */
GCancellable *
rs_job_runner_get_cancellable (RsJobRunner *self)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), NULL);

  return self->cancellable;
}

gboolean
rs_job_runner_get_cancelled (RsJobRunner *self)
{
  g_return_val_if_fail (RS_IS_JOB_RUNNER (self), FALSE);

  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

void
rs_job_runner_cancel (RsJobRunner *self)
{
  g_return_if_fail (RS_IS_JOB_RUNNER (self));

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;

  g_cancellable_cancel (self->cancellable);
  /* A message on its way is finished first, which can take a while: the
   * panel says so at once. */
  if (self->panel != NULL)
    rs_progress_panel_set_stopping (self->panel,
                                    self->kind == RS_JOB_SEND
                                    ? _("Stopping after the message being sent…")
                                    : _("Stopping…"));
}

static void
clear_job (RsJobRunner *self)
{
  if (self->parent_handler != 0)
    g_cancellable_disconnect (self->parent, self->parent_handler);
  self->parent_handler = 0;
  g_clear_object (&self->parent);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->progress, rs_job_progress_unref);
}

/* The job has returned its result: the panel goes, the hold is released. */
void
rs_job_runner_finish (RsJobRunner *self)
{
  g_return_if_fail (RS_IS_JOB_RUNNER (self));

  if (self->kind == RS_JOB_NONE)
    return;

  clear_job (self);
  self->kind = RS_JOB_NONE;
  if (self->panel != NULL)
    rs_progress_panel_stop (self->panel);
  if (self->application != NULL)
    g_application_release (self->application);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
rs_job_runner_dispose (GObject *object)
{
  RsJobRunner *self = RS_JOB_RUNNER (object);

  if (self->kind != RS_JOB_NONE)
    {
      g_cancellable_cancel (self->cancellable);
      clear_job (self);
      self->kind = RS_JOB_NONE;
      if (self->application != NULL)
        g_application_release (self->application);
    }
  g_clear_weak_pointer (&self->panel);
  g_clear_object (&self->application);

  G_OBJECT_CLASS (rs_job_runner_parent_class)->dispose (object);
}

static void
rs_job_runner_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RsJobRunner *self = RS_JOB_RUNNER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->kind != RS_JOB_NONE);
      break;

    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rs_job_runner_class_init (RsJobRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rs_job_runner_dispose;
  object_class->get_property = rs_job_runner_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, RS_JOB_NONE, RS_JOB_SEND, RS_JOB_NONE,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rs_job_runner_init (RsJobRunner *self)
{
}
