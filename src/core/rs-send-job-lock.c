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

/* The lock that says a send is running, and the recovery of what a send
 * that died left behind. */

/* The lock file of the database at @path: next to the file it really is,
 * named after its device and inode. */
static char *
lock_path (const char  *path,
           GError     **error)
{
  g_autofree char *real = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *name = NULL;
  struct stat info;
  char *resolved;

  resolved = realpath (path, NULL);
  if (resolved == NULL || stat (resolved, &info) != 0)
    {
      int saved_errno = errno;

      free (resolved);
      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                   _("Could not open the tracker database “%s” to take the send lock: %s"),
                   path, g_strerror (saved_errno));
      return NULL;
    }
  real = g_strdup (resolved);
  free (resolved);

  folder = g_path_get_dirname (real);
  name = g_strdup_printf (".resiliencescan-send-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ".lock",
                          (guint64) info.st_dev, (guint64) info.st_ino);

  return g_build_filename (folder, name, NULL);
}

/* Returns the locked descriptor, or -1 with @error set; @busy says whether
 * that was because another send holds the lock. */
int
rs_send_job_lock_take (RsStore   *store,
                       gboolean  *busy,
                       GError   **error)
{
  const char *path = rs_store_get_path (store);
  g_autofree char *lock = NULL;
  int fd;

  *busy = FALSE;
  lock = lock_path (path, error);
  if (lock == NULL)
    return -1;

  fd = open (lock, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                   _("Could not open the send lock “%s”: %s. Check that the folder of the "
                     "tracker database can be written to."),
                   lock, g_strerror (saved_errno));
      return -1;
    }

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        {
          *busy = TRUE;
          g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_BUSY,
                       _("Another send is running for this tracker database; wait until it "
                         "has finished, then try again."));
        }
      else
        {
          g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_LOCK,
                       _("Could not take the send lock on “%s”: %s"), path,
                       g_strerror (saved_errno));
        }
      return -1;
    }

  return fd;
}

gboolean
rs_send_job_recover_transaction (sqlite3   *db,
                                 gpointer   user_data,
                                 GError   **error)
{
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  return rs_delivery_recover (delivery, user_data, error);
}

/**
 * rs_send_job_recover:
 *
 * Call at start: records a send left in `sending` when its process died
 * become `unknown`, with a history row, so that a person decides whether
 * they were sent.
 */
gboolean
rs_send_job_recover (RsStore  *store,
                     GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean busy;
  guint n_recovered = 0;
  gboolean ok;
  int fd;

  g_return_val_if_fail (RS_IS_STORE (store), FALSE);

  fd = rs_send_job_lock_take (store, &busy, &local_error);
  if (fd < 0)
    {
      /* Those records belong to the send that is running. */
      if (busy)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  ok = rs_store_write (store, rs_send_job_recover_transaction, &n_recovered, error);
  if (ok && n_recovered > 0)
    g_debug ("%u records interrupted while sending are now unknown", n_recovered);
  close (fd);

  return ok;
}
