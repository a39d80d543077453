/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

/* Draws page @page (from 0) of a document on @cr */
typedef void (*RsPdfDrawPage) (cairo_t  *cr,
                               guint     page,
                               gpointer  user_data);

typedef struct
{
  const char *title;
  const char *subject;
  /* Width and height of every page, in points */
  double width;
  double height;
  /* Write to the end of a chain of symbolic links at the path (so that the
   * links stay) and keep the permission bits of a file that is there */
  gboolean through_links;
  /* Flush a new file to disk too, not only one that replaces another */
  gboolean sync_always;
} RsPdfDocument;

gboolean rs_pdf_write_atomically (const char          *path,
                                  const RsPdfDocument *document,
                                  guint                n_pages,
                                  RsPdfDrawPage        draw_page,
                                  gpointer             user_data,
                                  char               **reason);

G_END_DECLS
