/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-store-monitor"

#include "config.h"

#include "rs-store-monitor.h"

/* Notices commits to the database by anyone, this process or another, and
 * emits ::changed in the main context it was made in. A thread of its own
 * asks SQLite's data_version on its own connection, so the main loop never
 * touches the database for it. */

struct _RsStoreMonitor
{
  GObject parent_instance;

  RsStore *store;
  GMainContext *context;
  /* A weak reference to itself, made once on the caller's thread; each
   * emission holds a reference to the box, which outlives the monitor. */
  GWeakRef *weak_self;
  GThread *thread;
  guint interval_ms;

  GMutex mutex;
  GCond cond;
  gboolean stop;
};

G_DEFINE_FINAL_TYPE (RsStoreMonitor, rs_store_monitor, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
emit_changed (gpointer data)
{
  g_autoptr(RsStoreMonitor) self = g_weak_ref_get (data);

  if (self != NULL)
    g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
weak_ref_clear (gpointer data)
{
  g_weak_ref_clear (data);
}

static void
weak_ref_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, weak_ref_clear);
}

static gpointer
monitor_thread (gpointer data)
{
  RsStoreMonitor *self = data;
  gint64 last = rs_store_get_data_version (self->store);

  g_mutex_lock (&self->mutex);
  while (!self->stop)
    {
      gint64 deadline = g_get_monotonic_time () + self->interval_ms * G_TIME_SPAN_MILLISECOND;
      gint64 version;

      if (g_cond_wait_until (&self->cond, &self->mutex, deadline) || self->stop)
        continue;

      g_mutex_unlock (&self->mutex);
      version = rs_store_get_data_version (self->store);
      if (version != last && version >= 0)
        {
          GSource *source = g_idle_source_new ();

          last = version;
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, emit_changed, g_atomic_rc_box_acquire (self->weak_self),
                                 weak_ref_release);
          g_source_attach (source, self->context);
          g_source_unref (source);
        }
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);

  rs_store_release_connection (self->store);

  return NULL;
}

/**
 * rs_store_monitor_new:
 * @interval_ms: how often to look
 *
 * Starts watching @store; ::changed is emitted in the thread-default main
 * context of the caller.
 */
RsStoreMonitor *
rs_store_monitor_new (RsStore *store,
                      guint    interval_ms)
{
  RsStoreMonitor *self;

  g_return_val_if_fail (RS_IS_STORE (store), NULL);

  self = g_object_new (RS_TYPE_STORE_MONITOR, NULL);
  self->store = g_object_ref (store);
  self->interval_ms = MAX (interval_ms, 10);
  self->context = g_main_context_ref_thread_default ();
  self->weak_self = g_atomic_rc_box_new0 (GWeakRef);
  g_weak_ref_init (self->weak_self, self);
  self->thread = g_thread_new ("rs-store-monitor", monitor_thread, self);

  return self;
}

static void
rs_store_monitor_dispose (GObject *object)
{
  RsStoreMonitor *self = (RsStoreMonitor *)object;

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->stop = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_clear_pointer (&self->thread, g_thread_join);
    }

  G_OBJECT_CLASS (rs_store_monitor_parent_class)->dispose (object);
}

static void
rs_store_monitor_finalize (GObject *object)
{
  RsStoreMonitor *self = (RsStoreMonitor *)object;

  g_clear_object (&self->store);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->weak_self, weak_ref_release);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (rs_store_monitor_parent_class)->finalize (object);
}

static void
rs_store_monitor_class_init (RsStoreMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rs_store_monitor_dispose;
  object_class->finalize = rs_store_monitor_finalize;

  /**
   * RsStoreMonitor::changed:
   *
   * Someone committed a change to the database.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
rs_store_monitor_init (RsStoreMonitor *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
}
