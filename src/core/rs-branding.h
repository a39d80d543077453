/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "rs-store.h"

G_BEGIN_DECLS

/* The institution's look in the PDFs: organisation name, logo, up to four
 * partner logos, a confidentiality notice (English and Dutch) and a footer
 * line, from Preferences → Reports.
 *
 * An RsBranding holds the logos as they were when it was made, drawn once
 * into pixels of at most 300 dpi at the size the PDFs show them (an SVG that
 * takes more than 2 seconds to draw is left out), and never changes: a
 * reference may be handed to worker threads, and several threads may draw
 * with it at once, each on its own cairo_t. A logo
 * that is missing or not a PNG or SVG image is left out (its error says
 * why); drawing never fails because of it.
 *
 * Any PDF (the personal report, the dashboard) gets the same look so:
 *
 *   g_autoptr(RsBranding) branding = rs_branding_new_from_gsettings (settings);
 *   on the first page, at its top:
 *     double logo_width;
 *     y += rs_branding_draw_header (branding, cr, margin, top, width, &logo_width);
 *     (the caller keeps its own text clear of the logo's @logo_width at the right)
 *   on every page, last:
 *     rs_branding_draw_footer (branding, cr, language, page, n_pages,
 *                              page_width, page_height, margin);
 *   after the last page's content, at y, on as many pages as
 *   rs_branding_get_closing_pages() says (a long notice goes on over
 *   further pages, from top, down to bottom):
 *     rs_branding_draw_closing_page (branding, cr, language, margin, width,
 *                                    y, top, bottom, part);
 *
 * Each draws nothing (and returns 0) for an empty branding, so a PDF without
 * one looks as before. @language is "nl" for Dutch, anything else English. */

#define RS_BRANDING_MAX_PARTNERS 4
/* The logo's box at the top right of the first page, in points. */
#define RS_BRANDING_LOGO_HEIGHT 46.0
#define RS_BRANDING_LOGO_MAX_WIDTH 150.0

#define RS_BRANDING_ERROR (rs_branding_error_quark ())

typedef enum
{
  RS_BRANDING_ERROR_MISSING,
  RS_BRANDING_ERROR_NOT_AN_IMAGE,
  RS_BRANDING_ERROR_TOO_SLOW,
} RsBrandingError;

typedef struct _RsBranding RsBranding;

GQuark      rs_branding_error_quark        (void);
RsBranding *rs_branding_new                (const char         *name,
                                            const char         *logo,
                                            const char * const *partners,
                                            const char         *notice_en,
                                            const char         *notice_nl,
                                            const char         *footer);
RsBranding *rs_branding_new_from_gsettings (GSettings          *settings);
RsBranding *rs_branding_load_default       (gboolean           *benchmark);
RsBranding *rs_branding_ref                (RsBranding         *branding);
void        rs_branding_unref              (RsBranding         *branding);
gboolean    rs_branding_is_empty           (const RsBranding   *branding);
gboolean    rs_branding_check_image        (const char         *path,
                                            GError            **error);
const char *rs_branding_get_hash           (const RsBranding   *branding);
char       *rs_branding_look_key           (const RsBranding   *branding,
                                            gboolean            benchmark);
char       *rs_branding_load_look_key      (void);
guint       rs_branding_get_n_images       (const RsBranding   *branding);

double      rs_branding_draw_header        (const RsBranding   *branding,
                                            cairo_t            *cr,
                                            double              x,
                                            double              y,
                                            double              width,
                                            double             *logo_width);
void        rs_branding_draw_footer        (const RsBranding   *branding,
                                            cairo_t            *cr,
                                            const char         *language,
                                            guint               page,
                                            guint               n_pages,
                                            double              page_width,
                                            double              page_height,
                                            double              margin);
gboolean    rs_branding_has_closing        (const RsBranding   *branding,
                                            const char         *language);
guint       rs_branding_get_closing_pages  (const RsBranding   *branding,
                                            const char         *language,
                                            double              width,
                                            double              first_top,
                                            double              top,
                                            double              bottom);
void        rs_branding_draw_closing_page  (const RsBranding   *branding,
                                            cairo_t            *cr,
                                            const char         *language,
                                            double              x,
                                            double              width,
                                            double              first_top,
                                            double              top,
                                            double              bottom,
                                            guint               part);

gboolean    rs_branding_outdate_reports    (RsStore            *store,
                                            GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsBranding, rs_branding_unref)

G_END_DECLS
