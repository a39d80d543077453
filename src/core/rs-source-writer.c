/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-source-writer"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "rs-source-writer.h"

/* A sync waits for all that was written since the last one, so the file is
 * synced as it grows, as is the write-ahead log that the import's pages
 * spill into: the last sync of the file and SQLite's own sync of the log at
 * the commit then find little left to do. Syncing the log through another
 * descriptor only puts on disk sooner what SQLite wrote; SQLite holds no
 * locks on the log file that closing that descriptor could drop. */
#define SYNC_EVERY_BYTES (8 * 1024 * 1024)

/* Buffers in flight, at most: enough for the writer to sync while the
 * reader goes on, few enough that a slow disk holds back the reader. */
#define MAX_BUFFERS 64
#define BUFFER_SIZE (256 * 1024)

struct _RsSourceWriter
{
  char *path;
  GThread *thread;
  /* Buffers to write, in order, then the stop marker */
  GAsyncQueue *todo;
  /* Written buffers, empty again */
  GAsyncQueue *spare;
  /* Made so far; only the thread that fills buffers counts them */
  guint n_buffers;

  /* The writer's thread alone uses these until it is joined. */
  int fd;
  int wal_fd;
  gsize unsynced;
  int saved_errno;

  gint failed;
  gint abandoned;
  /* The stop marker is queued */
  gboolean closed;
};

static char stop_marker;

static void
buffer_free (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Returns: 0, or the errno of the failure */
static int
write_buffer (RsSourceWriter *self,
              const GString  *buffer)
{
  const char *data = buffer->str;
  gsize left = buffer->len;

  if (self->fd < 0)
    {
      self->fd = g_open (self->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (self->fd < 0)
        return errno;
    }

  while (left > 0)
    {
      gssize n = write (self->fd, data, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno;
      data += n;
      left -= n;
    }

  self->unsynced += buffer->len;
  if (self->unsynced >= SYNC_EVERY_BYTES)
    {
      self->unsynced = 0;
      /* A failure here is SQLite's to report, at its own sync. */
      if (self->wal_fd >= 0)
        fdatasync (self->wal_fd);
      if (fdatasync (self->fd) != 0)
        return errno;
    }

  return 0;
}

static gpointer
writer_thread (gpointer user_data)
{
  RsSourceWriter *self = user_data;

  for (;;)
    {
      GString *buffer = g_async_queue_pop (self->todo);

      if (buffer == (GString *) &stop_marker)
        break;

      if (!g_atomic_int_get (&self->failed) && !g_atomic_int_get (&self->abandoned))
        {
          int saved_errno = write_buffer (self, buffer);

          if (saved_errno != 0)
            {
              self->saved_errno = saved_errno;
              g_atomic_int_set (&self->failed, TRUE);
            }
        }

      g_string_truncate (buffer, 0);
      g_async_queue_push (self->spare, buffer);
    }

  if (self->fd >= 0)
    {
      gboolean keep = !g_atomic_int_get (&self->failed) && !g_atomic_int_get (&self->abandoned);

      /* The file must be on disk before the commit that points at it is. */
      if (keep && fdatasync (self->fd) != 0)
        self->saved_errno = errno;
      if (close (self->fd) != 0 && keep && self->saved_errno == 0)
        self->saved_errno = errno;
      self->fd = -1;
    }

  return NULL;
}

/**
 * rs_source_writer_new:
 * @path: the source file to make; it is made when the first bytes come
 * @database_path: the database whose write-ahead log is synced as well
 */
RsSourceWriter *
rs_source_writer_new (const char *path,
                      const char *database_path)
{
  RsSourceWriter *self;
  g_autofree char *wal_path = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);

  self = g_new0 (RsSourceWriter, 1);
  self->path = g_strdup (path);
  self->fd = -1;
  wal_path = g_strconcat (database_path, "-wal", NULL);
  self->wal_fd = g_open (wal_path, O_RDONLY | O_CLOEXEC, 0);
  self->todo = g_async_queue_new ();
  self->spare = g_async_queue_new_full (buffer_free);
  self->thread = g_thread_new ("rs-import-write", writer_thread, self);

  return self;
}

/**
 * rs_source_writer_get_buffer:
 *
 * Returns: (transfer full): an empty buffer to fill and give to
 *   rs_source_writer_write(); waits when too many are being written
 */
GString *
rs_source_writer_get_buffer (RsSourceWriter *self)
{
  GString *buffer;

  g_return_val_if_fail (self != NULL, NULL);

  buffer = g_async_queue_try_pop (self->spare);
  if (buffer != NULL)
    return buffer;

  if (self->n_buffers < MAX_BUFFERS)
    {
      self->n_buffers++;
      return g_string_sized_new (BUFFER_SIZE);
    }

  return g_async_queue_pop (self->spare);
}

/**
 * rs_source_writer_write:
 * @buffer: (transfer full): from rs_source_writer_get_buffer()
 *
 * Appends @buffer to the file, later, in the writer's thread.
 */
void
rs_source_writer_write (RsSourceWriter *self,
                        GString        *buffer)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (buffer != NULL);
  g_return_if_fail (!self->closed);

  if (buffer->len == 0)
    g_async_queue_push (self->spare, buffer);
  else
    g_async_queue_push (self->todo, buffer);
}

/* Whether a write failed: there is no use in giving it more. */
gboolean
rs_source_writer_has_failed (RsSourceWriter *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return g_atomic_int_get (&self->failed);
}

/**
 * rs_source_writer_close:
 *
 * Says that no more buffers come: the writer's thread syncs and closes the
 * file once it has written them, while the caller goes on.
 */
void
rs_source_writer_close (RsSourceWriter *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->closed);

  self->closed = TRUE;
  g_async_queue_push (self->todo, &stop_marker);
}

/**
 * rs_source_writer_wait:
 * @keep: whether the file is wanted; when not, what is still to be written
 *   is dropped and the file is not synced
 *
 * Closes the writer, if that was not done, and waits for it to be done with
 * the file. Once only; call it on the thread that called
 * rs_source_writer_close(), or after joining that thread.
 *
 * Returns: whether all was written and, with @keep, is on disk
 */
gboolean
rs_source_writer_wait (RsSourceWriter  *self,
                         gboolean         keep,
                         GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->thread != NULL, FALSE);

  if (!keep)
    g_atomic_int_set (&self->abandoned, TRUE);
  if (!self->closed)
    rs_source_writer_close (self);
  g_clear_pointer (&self->thread, g_thread_join);

  if (self->wal_fd >= 0)
    close (self->wal_fd);
  self->wal_fd = -1;

  if (self->saved_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (self->saved_errno),
                   _("Could not write “%s”: %s"), self->path, g_strerror (self->saved_errno));
      return FALSE;
    }

  return TRUE;
}

void
rs_source_writer_free (RsSourceWriter *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    rs_source_writer_wait (self, FALSE, NULL);

  g_async_queue_unref (self->todo);
  g_async_queue_unref (self->spare);
  g_free (self->path);
  g_free (self);
}
