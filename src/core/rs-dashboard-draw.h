/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "rs-dashboard.h"

G_BEGIN_DECLS

/* The round overview drawn with cairo and pango, the same for the window's
 * Overview page and the dashboard PDF (rs_dashboard_write_pdf()):
 *
 *   rs_dashboard_section_title ()     a section's heading, in a language
 *   rs_dashboard_section_describe ()  a section's numbers as plain text,
 *                                     for accessible labels
 *   rs_dashboard_section_height ()    the height a section wants at a width
 *   rs_dashboard_draw_section ()      one section (without its heading)
 *                                     in a rectangle of any cairo_t
 *   rs_dashboard_draw_heading ()      a heading as the PDF draws it
 *   rs_dashboard_get_n_pages ()       the PDF's A4 pages, and each one
 *   rs_dashboard_draw_page ()           drawn on any cairo_t (a preview)
 *
 * Colours come from the caller (RsDashboardStyle), so the page draws in the
 * light and the dark style; bands, pillars and the heatmap keep colours of
 * their own, blended with the background. The language is "en" or "nl"
 * (rs_dashboard_app_language() gives the application's), as the reports
 * choose it: the words do not depend on the desktop's locale. Sizes are in
 * points (one point one pixel on screen). Drawing is reentrant: any thread,
 * nothing shared. */

typedef enum
{
  RS_DASHBOARD_SECTION_KEY_FIGURES,
  RS_DASHBOARD_SECTION_DISTRIBUTION,
  RS_DASHBOARD_SECTION_BANDS,
  RS_DASHBOARD_SECTION_PILLARS,
  RS_DASHBOARD_SECTION_HEATMAP,
  RS_DASHBOARD_SECTION_DEVELOPMENT,
  RS_DASHBOARD_SECTION_TOP_COMPANIES,
  RS_DASHBOARD_SECTION_ATTENTION,
  RS_DASHBOARD_SECTION_PARTICIPATION,
  RS_DASHBOARD_SECTION_SENDING,
} RsDashboardSection;

#define RS_DASHBOARD_N_SECTIONS (RS_DASHBOARD_SECTION_SENDING + 1)

typedef struct
{
  double red;
  double green;
  double blue;
} RsDashboardRgb;

typedef struct
{
  RsDashboardRgb foreground;   /* text and lines */
  RsDashboardRgb background;   /* what the section is drawn on */
  RsDashboardRgb accent;       /* bars of the distribution and the participation */
} RsDashboardStyle;

/* Dark text on white, the PDF's */
const RsDashboardStyle *rs_dashboard_style_print    (void);

const char *rs_dashboard_section_title    (RsDashboardSection       section,
                                           const char              *language);
char       *rs_dashboard_section_describe (RsDashboard             *dashboard,
                                           RsDashboardSection       section,
                                           const char              *language);
double      rs_dashboard_section_height   (RsDashboard             *dashboard,
                                           RsDashboardSection       section,
                                           double                   width);
void        rs_dashboard_draw_section     (RsDashboard             *dashboard,
                                           RsDashboardSection       section,
                                           cairo_t                 *cr,
                                           const RsDashboardStyle  *style,
                                           const char              *language,
                                           double                   x,
                                           double                   y,
                                           double                   width,
                                           double                   height);
double      rs_dashboard_draw_heading     (cairo_t                 *cr,
                                           const RsDashboardStyle  *style,
                                           const char              *text,
                                           double                   x,
                                           double                   y,
                                           double                   width);
guint       rs_dashboard_get_n_pages      (RsDashboard             *dashboard);
void        rs_dashboard_draw_page        (RsDashboard             *dashboard,
                                           cairo_t                 *cr,
                                           const char              *language,
                                           guint                    page);

G_END_DECLS
