/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-thread"

#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include "rs-thread.h"

/* Work off the main loop gives way to it. On two cores a worker computing
 * the figures of 100,000 respondents, another writing statuses and the
 * window all want the processor; at the same priority the window waits its
 * turn for tens of milliseconds and stutters. Linux keeps a nice value per
 * thread: a worker lowers its own once, and stays lower for the rest of its
 * life (a thread of GLib's pool does only background work). */

#define BACKGROUND_NICE 10

static int
thread_nice (void)
{
#ifdef __linux__
  int nice_now;

  errno = 0;
  nice_now = getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));

  return errno == 0 ? nice_now : 0;
#else
  return 0;
#endif
}

/**
 * rs_thread_set_background:
 *
 * Lowers the priority of the calling thread, a worker, below the main
 * loop's. Does nothing where the system keeps one priority per process.
 */
void
rs_thread_set_background (void)
{
#ifdef __linux__
  if (thread_nice () < BACKGROUND_NICE)
    (void) setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), BACKGROUND_NICE);
#endif
}

/**
 * rs_thread_is_background:
 *
 * Returns: whether the calling thread runs below the main loop's priority
 */
gboolean
rs_thread_is_background (void)
{
  return thread_nice () >= BACKGROUND_NICE;
}
