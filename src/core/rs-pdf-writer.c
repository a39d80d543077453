/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-pdf-writer"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <glib/gstdio.h>

#include "rs-pdf-writer.h"

/* A PDF of the reports and the dashboard written as g_file_set_contents()
 * writes: into a temporary file beside it, flushed to disk, then renamed
 * over the old one; a failure leaves nothing behind. */

typedef struct
{
  int fd;
  int saved_errno;
} WriteState;

static cairo_status_t
write_to_fd (void                *closure,
             const unsigned char *data,
             unsigned int         length)
{
  WriteState *state = closure;

  while (length > 0)
    {
      ssize_t written = write (state->fd, data, length);

      if (written < 0)
        {
          if (errno == EINTR)
            continue;
          state->saved_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += written;
      length -= (unsigned int) written;
    }

  return CAIRO_STATUS_SUCCESS;
}

/* The file a write to @path lands in: the end of its chain of symbolic
 * links (one that points nowhere yet included). */
static char *
resolve_links (const char *path)
{
  g_autofree char *target = g_strdup (path);

  /* As many links as the kernel follows (ELOOP beyond) */
  for (guint hops = 0; hops < 40; hops++)
    {
      g_autofree char *link = NULL;
      g_autofree char *dir = NULL;
      GStatBuf buf;

      if (g_lstat (target, &buf) != 0 || !S_ISLNK (buf.st_mode))
        break;
      link = g_file_read_link (target, NULL);
      if (link == NULL)
        break;
      if (g_path_is_absolute (link))
        {
          g_free (target);
          target = g_steal_pointer (&link);
          continue;
        }
      dir = g_path_get_dirname (target);
      g_free (target);
      target = g_build_filename (dir, link, NULL);
    }

  return g_steal_pointer (&target);
}

static cairo_status_t
draw_document (WriteState          *state,
               const RsPdfDocument *document,
               guint                n_pages,
               RsPdfDrawPage        draw_page,
               gpointer             user_data)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  surface = cairo_pdf_surface_create_for_stream (write_to_fd, state, document->width,
                                                 document->height);
  if (document->title != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, document->title);
  if (document->subject != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT, document->subject);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, "ResilienceScan");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "ResilienceScan");

  cr = cairo_create (surface);
  for (guint page = 0; page < n_pages; page++)
    {
      draw_page (cr, page, user_data);
      cairo_show_page (cr);
    }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  return status;
}

/**
 * rs_pdf_write_atomically:
 * @reason: (out): why it failed, for a message that names the file
 *
 * Writes the @n_pages pages that @draw_page draws as a PDF to @path,
 * replacing any file there only once the new one is complete. Safe to call
 * from several threads at once.
 */
gboolean
rs_pdf_write_atomically (const char          *path,
                         const RsPdfDocument *document,
                         guint                n_pages,
                         RsPdfDrawPage        draw_page,
                         gpointer             user_data,
                         char               **reason)
{
  g_autofree char *target = NULL;
  g_autofree char *tmp_path = NULL;
  WriteState state = { -1, 0 };
  cairo_status_t status;
  gboolean replacing;
  GStatBuf old;

  g_return_val_if_fail (path != NULL && document != NULL && draw_page != NULL, FALSE);
  g_return_val_if_fail (reason != NULL && *reason == NULL, FALSE);

  target = document->through_links ? resolve_links (path) : g_strdup (path);
  tmp_path = g_strconcat (target, ".XXXXXX.tmp", NULL);
  state.fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (state.fd < 0)
    {
      *reason = g_strdup (g_strerror (errno));
      return FALSE;
    }
  replacing = g_stat (target, &old) == 0;
  if (document->through_links && replacing && S_ISREG (old.st_mode) &&
      fchmod (state.fd, old.st_mode & 07777) != 0)
    {
      *reason = g_strdup (g_strerror (errno));
      close (state.fd);
      g_unlink (tmp_path);
      return FALSE;
    }

  status = draw_document (&state, document, n_pages, draw_page, user_data);

  /* Flushed before it replaces an older file, so that a crash leaves the
   * old file rather than an empty one. */
  if (status == CAIRO_STATUS_SUCCESS && (replacing || document->sync_always) &&
      fsync (state.fd) != 0)
    {
      state.saved_errno = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (close (state.fd) != 0 && status == CAIRO_STATUS_SUCCESS)
    {
      state.saved_errno = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (status == CAIRO_STATUS_SUCCESS && g_rename (tmp_path, target) != 0)
    {
      state.saved_errno = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp_path);
      *reason = g_strdup (status == CAIRO_STATUS_WRITE_ERROR && state.saved_errno != 0
                          ? g_strerror (state.saved_errno)
                          : cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
