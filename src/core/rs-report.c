/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-report"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo-pdf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <unistd.h>

#include "rs-pdf-writer.h"
#include "rs-report.h"
#include "rs-report-text.h"

/* Drawing is reentrant: every call makes its own PangoContext on the
 * calling thread's default font map (Pango keeps one per thread), and all
 * static data is read-only. */

#define FONT_FAMILY "DejaVu Sans, Sans"

/* Bump when the drawing changes, so that every report is remade once. */
#define RENDER_VERSION "1"

#define MARGIN 42.0
#define CONTENT_WIDTH (RS_REPORT_PAGE_WIDTH - 2 * MARGIN)
#define BOTTOM_LIMIT (RS_REPORT_PAGE_HEIGHT - 26.0)
#define MARK_SIZE 46.0

/* The file name stays under this many bytes, well below NAME_MAX. */
#define FILE_NAME_MAX 199

G_DEFINE_QUARK (rs-report-error-quark, rs_report_error)

typedef struct
{
  double red;
  double green;
  double blue;
} Colour;

#define COLOUR(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, \
                      ((hex) & 0xff) / 255.0 }

static const Colour pillar_colours[RS_N_PILLARS] = {
  COLOUR (0x0277BD), COLOUR (0xFF8F00), COLOUR (0x2E7D32),
};
static const Colour overall_colour = COLOUR (0xE74C3C);
static const Colour text_colour = COLOUR (0x212121);
static const Colour secondary_colour = COLOUR (0x455A64);
static const Colour muted_colour = COLOUR (0x757575);
static const Colour grid_colour = COLOUR (0xBDBDBD);
static const Colour rule_colour = COLOUR (0xCFD8DC);

/* Executive summary: border and fill per band of the overall score. */
static const struct
{
  Colour strong;
  Colour light;
} summary_colours[] = {
  { COLOUR (0x2E7D32), COLOUR (0xE8F5E9) },  /* ≥ 4.0 green */
  { COLOUR (0x1565C0), COLOUR (0xE3F2FD) },  /* ≥ 3.5 blue */
  { COLOUR (0xB26A00), COLOUR (0xFFF3E0) },  /* ≥ 3.0 amber */
  { COLOUR (0xC62828), COLOUR (0xFFEBEE) },  /* below: red */
};

typedef struct
{
  cairo_t *cr;
  PangoContext *context;
  const RsReportText *text;
  /* The input's strings, valid UTF-8 and never NULL. */
  char *company;
  char *person;
  char *function;
  char *survey_date;
  /* Where each chart went (centre x, centre y, radius), when asked. */
  double (*charts)[3];
} Painter;

typedef enum
{
  ALIGN_LEFT,
  ALIGN_CENTER,
  ALIGN_RIGHT,
} Align;

static void
set_colour (cairo_t      *cr,
            const Colour *colour,
            double        alpha)
{
  cairo_set_source_rgba (cr, colour->red, colour->green, colour->blue, alpha);
}

static char *
valid_text (const char *text)
{
  return g_utf8_make_valid (text != NULL ? text : "", -1);
}

static void
painter_init (Painter             *painter,
              const RsReportInput *input,
              cairo_t             *cr)
{
  cairo_font_options_t *options;

  painter->cr = cr;
  painter->text = rs_report_text_get (input->language);
  painter->company = valid_text (input->company);
  painter->person = valid_text (input->person);
  painter->function = valid_text (input->function);
  painter->survey_date = valid_text (input->survey_date);
  g_strstrip (painter->function);
  g_strstrip (painter->survey_date);

  painter->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());

  /* Unhinted metrics: the preview on screen breaks lines exactly as the PDF. */
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (painter->context, options);
  cairo_font_options_destroy (options);
  pango_context_set_round_glyph_positions (painter->context, FALSE);
  pango_cairo_update_context (cr, painter->context);
}

static void
painter_clear (Painter *painter)
{
  g_clear_object (&painter->context);
  g_clear_pointer (&painter->company, g_free);
  g_clear_pointer (&painter->person, g_free);
  g_clear_pointer (&painter->function, g_free);
  g_clear_pointer (&painter->survey_date, g_free);
}

/* A layout @width wide (wrapped, at most @max_lines lines then ellipsized),
 * or as wide as its text when @width is 0. Sizes are in points. */
static PangoLayout *
make_layout (Painter    *painter,
             const char *text,
             double      size,
             gboolean    bold,
             double      width,
             int         max_lines,
             Align       align)
{
  PangoLayout *layout = pango_layout_new (painter->context);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      if (max_lines > 0)
        {
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          pango_layout_set_height (layout, -max_lines);
        }
      pango_layout_set_alignment (layout,
                                  align == ALIGN_CENTER ? PANGO_ALIGN_CENTER :
                                  align == ALIGN_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    }
  pango_layout_set_text (layout, text, -1);

  return layout;
}

static void
layout_size (PangoLayout *layout,
             double      *width,
             double      *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

static void
show_layout (Painter      *painter,
             PangoLayout  *layout,
             double        x,
             double        y,
             const Colour *colour)
{
  cairo_t *cr = painter->cr;

  set_colour (cr, colour, 1.0);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* Draws a block of text with its top left at (@x, @y); returns its height. */
static double
show_text (Painter      *painter,
           const char   *text,
           double        x,
           double        y,
           double        width,
           double        size,
           gboolean      bold,
           int           max_lines,
           Align         align,
           const Colour *colour)
{
  g_autoptr(PangoLayout) layout = NULL;
  double height;

  layout = make_layout (painter, text, size, bold, width, max_lines, align);
  layout_size (layout, NULL, &height);
  show_layout (painter, layout, x, y, colour);

  return height;
}

/* The template filled in, drawn as show_text() draws. */
static double
show_filled (Painter      *painter,
             const char   *template_,
             const char   *arg1,
             const char   *arg2,
             const char   *arg3,
             double        x,
             double        y,
             double        width,
             double        size,
             gboolean      bold,
             int           max_lines,
             const Colour *colour)
{
  g_autofree char *text = rs_report_text_fill (template_, arg1, arg2, arg3);

  return show_text (painter, text, x, y, width, size, bold, max_lines, ALIGN_LEFT, colour);
}

static void
rounded_rectangle (cairo_t *cr,
                   double   x,
                   double   y,
                   double   width,
                   double   height,
                   double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + width - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + width - radius, y + height - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
polygon (cairo_t      *cr,
         const double *points,
         guint         n_points)
{
  cairo_new_path (cr);
  for (guint i = 0; i < n_points; i++)
    cairo_line_to (cr, points[2 * i], points[2 * i + 1]);
  cairo_close_path (cr);
}

/* The application's mark (data/icons/…ResilienceScan.svg), drawn in its
 * own 128-unit grid scaled to @size. */
static void
draw_mark (cairo_t *cr,
           double   x,
           double   y,
           double   size)
{
  static const double outer[] = {
    64.00, 20.00, 105.85, 50.40, 89.86, 99.60, 38.14, 99.60, 22.15, 50.40,
  };
  static const double inner[] = {
    64.00, 40.00, 86.83, 56.58, 78.11, 83.42, 49.89, 83.42, 41.17, 56.58,
  };
  static const double data[] = {
    64.00, 23.52, 93.29, 54.48, 85.98, 94.26, 49.78, 83.58, 31.36, 53.39,
  };
  cairo_pattern_t *gradient;

  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, size / 128.0, size / 128.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  rounded_rectangle (cr, 8, 12, 112, 108, 20);
  cairo_set_source_rgb (cr, 0x1a / 255.0, 0x5f / 255.0, 0xb4 / 255.0);
  cairo_fill (cr);

  gradient = cairo_pattern_create_linear (0, 8, 0, 114);
  cairo_pattern_add_color_stop_rgb (gradient, 0, 0x35 / 255.0, 0x84 / 255.0, 0xe4 / 255.0);
  cairo_pattern_add_color_stop_rgb (gradient, 1, 0x1a / 255.0, 0x5f / 255.0, 0xb4 / 255.0);
  rounded_rectangle (cr, 8, 8, 112, 106, 20);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);

  polygon (cr, outer, 5);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.45);
  cairo_set_line_width (cr, 3);
  cairo_stroke (cr);

  polygon (cr, inner, 5);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.30);
  cairo_set_line_width (cr, 2);
  cairo_stroke (cr);

  polygon (cr, data, 5);
  cairo_set_source_rgba (cr, 0xf6 / 255.0, 0xd3 / 255.0, 0x2d / 255.0, 0.85);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 4);
  cairo_stroke (cr);

  cairo_arc (cr, 64, 64, 5, 0, 2 * G_PI);
  cairo_fill (cr);

  cairo_restore (cr);
}

/* Axes clockwise from the top: Agility, Redundancy, Collaboration,
 * Flexibility, Visibility. @dimension is in r, c, f, v, a order. */
static double
axis_angle (guint dimension)
{
  return ((dimension + 1) % RS_N_DIMENSIONS) * 2 * G_PI / RS_N_DIMENSIONS;
}

static void
axis_point (double  cx,
            double  cy,
            double  radius,
            guint   dimension,
            double *x,
            double *y)
{
  double angle = axis_angle (dimension);

  *x = cx + radius * sin (angle);
  *y = cy - radius * cos (angle);
}

/* 0.2 of the radius for 0 (or missing), the full radius for 5. */
static double
value_fraction (double value)
{
  if (isnan (value))
    value = 0.0;

  return 0.2 + 0.16 * CLAMP (value, 0.0, 5.0);
}

#define RADAR_LABEL_SIZE 7.5
#define RADAR_TITLE_SIZE 10.5
#define RADAR_LABEL_GAP 15.0
#define RADAR_LABEL_ROOM 12.0

/* Text placed next to a point, on the side away from the centre along
 * @angle, so it never overlaps the chart. */
static void
show_beside (Painter      *painter,
             PangoLayout  *layout,
             double        x,
             double        y,
             double        angle,
             const Colour *colour)
{
  double width;
  double height;
  double dx = sin (angle);
  double dy = -cos (angle);

  layout_size (layout, &width, &height);
  if (dx < -0.1)
    x -= width;
  else if (dx <= 0.1)
    x -= width / 2;

  if (dy < -0.1)
    y -= height;
  else if (dy <= 0.1)
    y -= height / 2;

  show_layout (painter, layout, x, y, colour);
}

/* One radar chart in the box (@x, @y, @width, @height): title lines on
 * top, the chart centred below them. */
static void
draw_radar (Painter       *painter,
            guint          chart,
            double         x,
            double         y,
            double         width,
            double         height,
            const double   values[RS_N_DIMENSIONS],
            const Colour  *colour,
            double         line_width,
            const char    *title,
            const char    *subtitle)
{
  cairo_t *cr = painter->cr;
  double top = y;
  double radius;
  double cx;
  double cy;
  double points[2 * RS_N_DIMENSIONS];
  PangoLayout *labels[RS_N_DIMENSIONS];
  g_autoptr(PangoLayout) five = NULL;

  top += show_text (painter, title, x, top, width, RADAR_TITLE_SIZE, TRUE, 2,
                    ALIGN_CENTER, colour);
  if (subtitle != NULL)
    top += show_text (painter, subtitle, x, top, width, RADAR_TITLE_SIZE - 1.5, FALSE, 1,
                      ALIGN_CENTER, &secondary_colour);

  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    labels[d] = make_layout (painter, painter->text->dimensions[d], RADAR_LABEL_SIZE, FALSE,
                             0, 0, ALIGN_LEFT);

  /* As large as the cell allows: room for the labels above the top spoke
   * and below the lower ones, and beside the chart for the widest label,
   * with a gap to the chart in the next cell. */
  radius = (y + height - top - 2 * RADAR_LABEL_ROOM - RADAR_LABEL_GAP
            - RADAR_LABEL_GAP * cos (G_PI / 5)) / (1 + cos (G_PI / 5));
  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    {
      double reach = fabs (sin (axis_angle (d)));
      double label_width;

      if (reach < 0.1)
        continue;
      layout_size (labels[d], &label_width, NULL);
      radius = MIN (radius, (width / 2 - 5 - label_width) / reach - RADAR_LABEL_GAP);
    }
  radius = MAX (radius, 20);
  cx = x + width / 2;
  cy = top + RADAR_LABEL_ROOM + RADAR_LABEL_GAP + radius;
  if (painter->charts != NULL)
    {
      painter->charts[chart][0] = cx;
      painter->charts[chart][1] = cy;
      painter->charts[chart][2] = radius;
    }

  cairo_save (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  set_colour (cr, &grid_colour, 1.0);
  cairo_set_line_width (cr, 0.6);
  for (guint ring = 1; ring <= 5; ring++)
    {
      for (guint d = 0; d < RS_N_DIMENSIONS; d++)
        axis_point (cx, cy, radius * ring / 5.0, d, &points[2 * d], &points[2 * d + 1]);
      polygon (cr, points, RS_N_DIMENSIONS);
      cairo_stroke (cr);
    }
  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    {
      double x0, y0, x1, y1;

      axis_point (cx, cy, radius * 0.2, d, &x0, &y0);
      axis_point (cx, cy, radius, d, &x1, &y1);
      cairo_move_to (cr, x0, y0);
      cairo_line_to (cr, x1, y1);
    }
  cairo_stroke (cr);

  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    axis_point (cx, cy, radius * value_fraction (values[d]), d,
                &points[2 * d], &points[2 * d + 1]);
  polygon (cr, points, RS_N_DIMENSIONS);
  set_colour (cr, colour, 0.25);
  cairo_fill_preserve (cr);
  set_colour (cr, colour, 1.0);
  cairo_set_line_width (cr, line_width);
  cairo_stroke (cr);
  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    {
      cairo_new_sub_path (cr);
      cairo_arc (cr, points[2 * d], points[2 * d + 1], line_width * 1.2, 0, 2 * G_PI);
    }
  cairo_fill (cr);
  cairo_restore (cr);

  five = make_layout (painter, "5", RADAR_LABEL_SIZE - 1.5, FALSE, 0, 0, ALIGN_LEFT);
  for (guint d = 0; d < RS_N_DIMENSIONS; d++)
    {
      double angle = axis_angle (d);
      double px, py;

      axis_point (cx, cy, radius + 3, d, &px, &py);
      show_beside (painter, five, px, py, angle, &muted_colour);

      axis_point (cx, cy, radius + RADAR_LABEL_GAP, d, &px, &py);
      show_beside (painter, labels[d], px, py, angle, &text_colour);
      g_object_unref (labels[d]);
    }
}

/* The four radars of @scores in a 2 × 2 grid from @y; company charts
 * (@n_company > 0) carry "(Company Avg)" and "n=N". */
static void
draw_dashboard (Painter      *painter,
                const double  scores[RS_N_SCORES],
                guint         n_company,
                double        y,
                double        cell_height)
{
  const RsReportText *text = painter->text;
  double cell_width = CONTENT_WIDTH / 2;
  g_autofree char *n = g_strdup_printf ("%u", n_company);
  g_autofree char *maximum = rs_report_text_number (text, 5.0, 2);

  for (guint chart = 0; chart <= RS_N_PILLARS; chart++)
    {
      double x = MARGIN + (chart % 2) * cell_width;
      double top = y + (chart / 2) * cell_height;
      double values[RS_N_DIMENSIONS];
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *number = NULL;

      if (chart < RS_N_PILLARS)
        {
          for (guint d = 0; d < RS_N_DIMENSIONS; d++)
            values[d] = scores[RS_SCORE_INDEX (chart, d)];
          number = rs_report_text_number (text, rs_scores_pillar_mean (scores, chart), 1);
          if (n_company > 0)
            {
              title = rs_report_text_fill (text->company_pillar_title,
                                           text->pillar_titles[chart], NULL, NULL);
              subtitle = rs_report_text_fill (text->company_mean_line, number, n, NULL);
            }
          else
            {
              title = rs_report_text_fill (text->pillar_title, text->pillar_titles[chart],
                                           number, NULL);
            }
          draw_radar (painter, chart, x, top, cell_width, cell_height, values,
                      &pillar_colours[chart], 2.5, title, subtitle);
        }
      else
        {
          for (guint d = 0; d < RS_N_DIMENSIONS; d++)
            values[d] = rs_scores_dimension_mean (scores, d);
          number = rs_report_text_number (text, rs_scores_overall (scores), 2);
          if (n_company > 0)
            {
              title = g_strdup (text->company_overall_title);
              subtitle = rs_report_text_fill (text->company_overall_line, number, maximum, n);
            }
          else
            {
              title = rs_report_text_fill (text->overall_title, number, NULL, NULL);
            }
          draw_radar (painter, chart, x, top, cell_width, cell_height, values,
                      &overall_colour, 3.5, title, subtitle);
        }
    }
}

static double
draw_header (Painter             *painter,
             const RsReportInput *input)
{
  const RsReportText *text = painter->text;
  double text_width = CONTENT_WIDTH - MARK_SIZE - 12;
  double logo_width;
  double y = 38;
  g_autofree char *n = g_strdup_printf ("%u", input->company_respondents);
  g_autofree char *overall = rs_report_text_number (text, rs_scores_overall (input->scores), 2);
  g_autofree char *maximum = rs_report_text_number (text, 5.0, 2);

  y += rs_branding_draw_header (input->branding, painter->cr, MARGIN, 32, CONTENT_WIDTH,
                                &logo_width);
  if (logo_width > 0)
    text_width = CONTENT_WIDTH - logo_width - 12;
  else
    draw_mark (painter->cr, MARGIN + CONTENT_WIDTH - MARK_SIZE, 32, MARK_SIZE);

  y += show_text (painter, text->heading, MARGIN, y, text_width, 12.5, FALSE, 2,
                  ALIGN_LEFT, &secondary_colour);
  y += 2;
  y += show_text (painter, painter->company, MARGIN, y, text_width, 20, TRUE, 2,
                  ALIGN_LEFT, &text_colour);
  y += 5;

  if (input->company_respondents >= 2)
    y += show_filled (painter, text->respondents, n, NULL, NULL,
                      MARGIN, y, CONTENT_WIDTH, 10, FALSE, 1, &text_colour) + 1.5;
  if (painter->function[0] != '\0')
    y += show_filled (painter, text->this_report_function, painter->person, painter->function,
                      NULL, MARGIN, y, CONTENT_WIDTH, 10, FALSE, 1, &text_colour) + 1.5;
  else
    y += show_filled (painter, text->this_report, painter->person, NULL, NULL,
                      MARGIN, y, CONTENT_WIDTH, 10, FALSE, 1, &text_colour) + 1.5;
  y += show_filled (painter, text->survey_date,
                    painter->survey_date[0] != '\0' ? painter->survey_date : text->not_available,
                    NULL, NULL, MARGIN, y, CONTENT_WIDTH, 10, FALSE, 1, &text_colour) + 3;
  y += show_filled (painter, text->overall_line, overall, maximum, NULL,
                    MARGIN, y, CONTENT_WIDTH, 11.5, TRUE, 1, &text_colour);

  y += 7;
  set_colour (painter->cr, &rule_colour, 1.0);
  cairo_set_line_width (painter->cr, 0.8);
  cairo_move_to (painter->cr, MARGIN, y);
  cairo_line_to (painter->cr, MARGIN + CONTENT_WIDTH, y);
  cairo_stroke (painter->cr);

  return y + 8;
}

static double
draw_summary (Painter             *painter,
              const RsReportInput *input,
              double               y)
{
  const RsReportText *text = painter->text;
  cairo_t *cr = painter->cr;
  double overall = rs_scores_overall (input->scores);
  double padding = 9;
  double inner_width = CONTENT_WIDTH - 2 * padding - 4;
  double x = MARGIN + padding + 4;
  double box_top;
  double line_y;
  guint band;
  guint strongest;
  guint weakest;
  g_autoptr(PangoLayout) rating_layout = NULL;
  g_autoptr(PangoLayout) strongest_layout = NULL;
  g_autoptr(PangoLayout) weakest_layout = NULL;
  g_autoptr(PangoLayout) gap_layout = NULL;
  double heights[4] = { 0 };

  y += show_text (painter, text->summary_heading, MARGIN, y, CONTENT_WIDTH, 13, TRUE, 1,
                  ALIGN_LEFT, &text_colour) + 4;

  if (rs_scores_pillar_extremes (input->scores, &strongest, &weakest))
    {
      RsRating rating = rs_scores_rating (overall);
      g_autofree char *score = rs_report_text_number (text, overall, 2);
      g_autofree char *maximum = rs_report_text_number (text, 5.0, 2);
      double high = rs_scores_pillar_mean (input->scores, strongest);
      double low = rs_scores_pillar_mean (input->scores, weakest);
      double gap = rs_scores_round (high - low, 1);
      g_autofree char *high_text = rs_report_text_number (text, high, 1);
      g_autofree char *low_text = rs_report_text_number (text, low, 1);
      g_autofree char *gap_text = rs_report_text_number (text, gap, 1);
      g_autofree char *line = NULL;

      band = MIN ((guint) rating, G_N_ELEMENTS (summary_colours) - 1);

      line = rs_report_text_fill (text->overall_score, text->ratings[rating], score, maximum);
      rating_layout = make_layout (painter, line, 11.5, TRUE, inner_width, 2, ALIGN_LEFT);
      g_clear_pointer (&line, g_free);

      line = rs_report_text_fill (text->strongest_pillar, text->pillars[strongest], high_text,
                                  NULL);
      strongest_layout = make_layout (painter, line, 9.5, FALSE, inner_width, 2, ALIGN_LEFT);
      g_clear_pointer (&line, g_free);

      line = rs_report_text_fill (text->priority_pillar, text->pillars[weakest], low_text, NULL);
      weakest_layout = make_layout (painter, line, 9.5, FALSE, inner_width, 2, ALIGN_LEFT);
      g_clear_pointer (&line, g_free);

      /* Judged on the gap as printed, so "1.0" never reads as "over 1.0". */
      line = rs_report_text_fill (gap > 1.0 ? text->gap_significant : text->gap_balanced,
                                  gap_text, NULL, NULL);
      gap_layout = make_layout (painter, line, 9.5, FALSE, inner_width, 2, ALIGN_LEFT);
    }
  else
    {
      band = G_N_ELEMENTS (summary_colours) - 1;
      rating_layout = make_layout (painter, text->not_available, 11.5, TRUE, inner_width, 1,
                                   ALIGN_LEFT);
    }

  layout_size (rating_layout, NULL, &heights[0]);
  if (strongest_layout != NULL)
    {
      layout_size (strongest_layout, NULL, &heights[1]);
      layout_size (weakest_layout, NULL, &heights[2]);
      layout_size (gap_layout, NULL, &heights[3]);
    }

  box_top = y;
  y += padding;
  line_y = y + heights[0] + 4 + heights[1] + 1.5 + heights[2] + 1.5 + heights[3];
  y = line_y + padding;

  rounded_rectangle (cr, MARGIN, box_top, CONTENT_WIDTH, y - box_top, 5);
  set_colour (cr, &summary_colours[band].light, 1.0);
  cairo_fill_preserve (cr);
  set_colour (cr, &summary_colours[band].strong, 1.0);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
  cairo_rectangle (cr, MARGIN + 0.5, box_top + 4, 4, y - box_top - 8);
  cairo_fill (cr);

  line_y = box_top + padding;
  show_layout (painter, rating_layout, x, line_y, &summary_colours[band].strong);
  line_y += heights[0] + 4;
  if (strongest_layout != NULL)
    {
      show_layout (painter, strongest_layout, x, line_y, &text_colour);
      line_y += heights[1] + 1.5;
      show_layout (painter, weakest_layout, x, line_y, &text_colour);
      line_y += heights[2] + 1.5;
      show_layout (painter, gap_layout, x, line_y, &text_colour);
    }

  return y + 10;
}

static double
draw_insights (Painter             *painter,
               const RsReportInput *input,
               double               y)
{
  const RsReportText *text = painter->text;
  double gap = 14;
  double column_width = (CONTENT_WIDTH - 2 * gap) / RS_N_PILLARS;
  double bottom = y;

  y += show_text (painter, text->insights_heading, MARGIN, y, CONTENT_WIDTH, 13, TRUE, 1,
                  ALIGN_LEFT, &text_colour) + 4;

  for (guint pillar = 0; pillar < RS_N_PILLARS; pillar++)
    {
      const double *scores = input->scores;
      double x = MARGIN + pillar * (column_width + gap);
      double mean = rs_scores_pillar_mean (scores, pillar);
      double top = y;
      g_autofree char *mean_text = rs_report_text_number (text, mean, 1);
      guint strongest;
      guint weakest;
      double value;
      g_autofree char *strong_text = NULL;
      g_autofree char *weak_text = NULL;

      top += show_filled (painter, text->insight_pillar, text->pillars[pillar], mean_text, NULL,
                          x, top, column_width, 10.5, TRUE, 1, &pillar_colours[pillar]) + 3;

      if (isnan (mean))
        {
          top += show_text (painter, text->no_scores, x, top, column_width, 8.5, FALSE, 3,
                            ALIGN_LEFT, &muted_colour);
          bottom = MAX (bottom, top);
          continue;
        }

      strongest = rs_scores_strongest_dimension (scores, pillar);
      value = scores[RS_SCORE_INDEX (pillar, strongest)];
      strong_text = rs_report_text_number (text, value, 1);
      top += show_filled (painter, text->strongest_dimension, text->dimensions[strongest],
                          strong_text, NULL, x, top, column_width, 9, TRUE, 2, &text_colour) + 1;
      top += show_text (painter, text->strong_sentences[strongest], x, top, column_width, 8,
                        FALSE, 5, ALIGN_LEFT, &secondary_colour) + 5;

      weakest = rs_scores_weakest_dimension (scores, pillar);
      value = scores[RS_SCORE_INDEX (pillar, weakest)];
      weak_text = rs_report_text_number (text, value, 1);
      top += show_filled (painter, text->weakest_dimension, text->dimensions[weakest],
                          weak_text, NULL, x, top, column_width, 9, TRUE, 2, &text_colour) + 1;
      /* A missing score ranks as 2.5, so it is below 3 too. */
      if (rs_scores_round (isnan (value) ? 2.5 : value, 1) < 3.0)
        top += show_text (painter, text->weak_sentences[weakest], x, top, column_width, 8,
                          FALSE, 5, ALIGN_LEFT, &secondary_colour);

      bottom = MAX (bottom, top);
    }

  return bottom;
}

static void
draw_respondent_page (Painter             *painter,
                      const RsReportInput *input)
{
  double y;

  y = draw_header (painter, input);
  draw_dashboard (painter, input->scores, 0, y, 186);
  y += 2 * 186 + 4;
  y = draw_summary (painter, input, y);
  y = draw_insights (painter, input, y);

  if (y > BOTTOM_LIMIT)
    g_debug ("Page 1 of the report for %s runs %.1f pt into the bottom margin",
             painter->person, y - BOTTOM_LIMIT);
}

static void
draw_company_page (Painter             *painter,
                   const RsReportInput *input)
{
  const RsReportText *text = painter->text;
  double y = 42;
  g_autofree char *n = g_strdup_printf ("%u", input->company_respondents);
  g_autofree char *sentence = NULL;

  y += show_text (painter, text->company_heading, MARGIN, y, CONTENT_WIDTH, 16, TRUE, 2,
                  ALIGN_LEFT, &text_colour) + 4;
  sentence = rs_report_text_fill (text->company_sentence, n, painter->company, NULL);
  /* "… from Polder B.V.." */
  if (g_str_has_suffix (sentence, ".."))
    sentence[strlen (sentence) - 1] = '\0';
  y += show_text (painter, sentence, MARGIN, y, CONTENT_WIDTH, 10, FALSE, 3, ALIGN_LEFT,
                  &secondary_colour);

  y += 9;
  set_colour (painter->cr, &rule_colour, 1.0);
  cairo_set_line_width (painter->cr, 0.8);
  cairo_move_to (painter->cr, MARGIN, y);
  cairo_line_to (painter->cr, MARGIN + CONTENT_WIDTH, y);
  cairo_stroke (painter->cr);
  y += 12;

  draw_dashboard (painter, input->company_means, MAX (input->company_respondents, 1), y, 215);
}

/* The peer benchmark: one row per pillar and the overall SCRES, with the
 * percentile rank as a number and a bar. */
static double
draw_benchmark (Painter             *painter,
                const RsReportInput *input,
                double               y)
{
  const RsReportText *text = painter->text;
  const RsBenchmark *benchmark = &input->benchmark;
  cairo_t *cr = painter->cr;
  double name_width = 172;
  double value_width = 60;
  double mean_width = 104;
  double rank_width = 80;
  double bar_x = MARGIN + name_width + value_width + mean_width + rank_width + 8;
  double bar_width = MARGIN + CONTENT_WIDTH - bar_x;
  double columns[] = { MARGIN + name_width, MARGIN + name_width + value_width,
                       MARGIN + name_width + value_width + mean_width };
  double widths[] = { value_width, mean_width, rank_width };
  double row_height = 24;
  double header_height = 0;
  GString *cells[] = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL),
                       g_string_new (NULL) };

  y += show_text (painter, text->benchmark_heading, MARGIN, y, CONTENT_WIDTH, 16, TRUE, 2,
                  ALIGN_LEFT, &text_colour) + 4;
  y += show_text (painter, text->benchmark_sentence, MARGIN, y, CONTENT_WIDTH, 10, FALSE, 3,
                  ALIGN_LEFT, &secondary_colour) + 12;

  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    header_height = MAX (header_height,
                         show_text (painter, text->benchmark_columns[c], columns[c], y,
                                    widths[c] - 6, 8.5, TRUE, 2, ALIGN_RIGHT,
                                    &secondary_colour));
  y += header_height + 4;

  /* One layout per column, a line per row: a quarter of the layouts of a
   * cell each, which is most of what the block costs. */
  for (guint row = 0; row < RS_BENCHMARK_N_ROWS; row++)
    {
      const Colour *colour = row < RS_N_PILLARS ? &pillar_colours[row] : &overall_colour;
      const char *name = row < RS_N_PILLARS ? text->pillar_titles[row]
                                            : text->benchmark_overall;
      g_autofree char *value = rs_report_text_number (text, benchmark->value[row], 2);
      g_autofree char *mean = rs_report_text_number (text, benchmark->mean[row], 2);
      g_autofree char *escaped = g_markup_escape_text (name, -1);
      double top = y + row * row_height;

      if (row > 0)
        {
          g_string_append_c (cells[0], '\n');
          g_string_append_c (cells[1], '\n');
          g_string_append_c (cells[2], '\n');
          g_string_append_c (cells[3], '\n');
        }
      g_string_append_printf (cells[0], "<span foreground=\"#%02X%02X%02X\">%s</span>",
                              (guint) (colour->red * 255 + 0.5),
                              (guint) (colour->green * 255 + 0.5),
                              (guint) (colour->blue * 255 + 0.5), escaped);
      g_string_append (cells[1], value);
      g_string_append (cells[2], mean);
      if (benchmark->percentile[row] >= 0)
        {
          g_autofree char *number = g_strdup_printf ("%d", benchmark->percentile[row]);
          g_autofree char *rank = rs_report_text_fill (text->benchmark_percentile, number,
                                                       NULL, NULL);

          g_string_append (cells[3], rank);
        }
      else
        {
          g_string_append (cells[3], text->not_available);
        }

      set_colour (cr, &rule_colour, 1.0);
      cairo_set_line_width (cr, 0.6);
      cairo_move_to (cr, MARGIN, top);
      cairo_line_to (cr, MARGIN + CONTENT_WIDTH, top);
      cairo_stroke (cr);

      rounded_rectangle (cr, bar_x, top + 8, bar_width, 8, 4);
      set_colour (cr, &grid_colour, 0.35);
      cairo_fill (cr);
      if (benchmark->percentile[row] >= 0)
        {
          double reach = bar_width * benchmark->percentile[row] / 100.0;

          if (reach >= 8)
            {
              rounded_rectangle (cr, bar_x, top + 8, reach, 8, 4);
              set_colour (cr, colour, 0.85);
              cairo_fill (cr);
            }
          cairo_arc (cr, bar_x + CLAMP (reach, 4, bar_width - 4), top + 12, 5, 0, 2 * G_PI);
          set_colour (cr, colour, 1.0);
          cairo_fill (cr);
        }
    }

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      g_autoptr(PangoLayout) layout = NULL;
      PangoLayoutIter *iter;
      PangoRectangle line;

      layout = make_layout (painter, "", 10, c != 2, c == 0 ? name_width - 6 : widths[c - 1] - 6,
                            0, c == 0 ? ALIGN_LEFT : ALIGN_RIGHT);
      /* Each row on one line, ellipsized if need be */
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_height (layout, -1);
      if (c == 0)
        pango_layout_set_markup (layout, cells[c]->str, -1);
      else
        pango_layout_set_text (layout, cells[c]->str, -1);
      iter = pango_layout_get_iter (layout);
      pango_layout_iter_get_line_extents (iter, NULL, &line);
      pango_layout_iter_free (iter);
      pango_layout_set_spacing (layout, (int) (row_height * PANGO_SCALE) - line.height);
      show_layout (painter, layout, c == 0 ? MARGIN : columns[c - 1], y + 6, &text_colour);
      g_string_free (cells[c], TRUE);
    }
  y += RS_BENCHMARK_N_ROWS * row_height;

  set_colour (cr, &rule_colour, 1.0);
  cairo_move_to (cr, MARGIN, y);
  cairo_line_to (cr, MARGIN + CONTENT_WIDTH, y);
  cairo_stroke (cr);
  y += 8;

  y += show_text (painter, text->benchmark_note, MARGIN, y, CONTENT_WIDTH, 8.5, FALSE, 3,
                  ALIGN_LEFT, &muted_colour);

  return y + 10;
}

#define CLOSING_TOP 42.0

static gboolean
has_closing_page (const RsReportInput *input)
{
  return input->benchmark.shown || rs_branding_has_closing (input->branding, input->language);
}

/* Where the closing block of the branding starts: below the benchmark, when
 * there is one. */
static double
closing_top (const RsReportInput *input)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  Painter painter = { 0 };
  double y;

  if (!input->benchmark.shown)
    return CLOSING_TOP;

  /* Unhinted text measures the same on any surface. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  cr = cairo_create (surface);
  painter_init (&painter, input, cr);
  y = draw_benchmark (&painter, input, CLOSING_TOP);
  painter_clear (&painter);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  return y;
}

/* The pages after the respondent's and the company's: the benchmark, and
 * the closing block of the branding from below it, on as many pages as a
 * long notice takes. */
static guint
n_closing_pages (const RsReportInput *input)
{
  guint n;

  if (!has_closing_page (input))
    return 0;
  if (!rs_branding_has_closing (input->branding, input->language))
    return 1;

  n = rs_branding_get_closing_pages (input->branding, input->language, CONTENT_WIDTH,
                                     closing_top (input), CLOSING_TOP, BOTTOM_LIMIT);

  return MAX (n, 1);
}

static void
draw_closing_page (Painter             *painter,
                   const RsReportInput *input,
                   guint                part)
{
  double y = CLOSING_TOP;

  if (part == 0 && input->benchmark.shown)
    y = draw_benchmark (painter, input, y);
  else if (part > 0)
    y = closing_top (input);
  rs_branding_draw_closing_page (input->branding, painter->cr, input->language, MARGIN,
                                 CONTENT_WIDTH, y, CLOSING_TOP, BOTTOM_LIMIT, part);
}

/**
 * rs_report_check:
 *
 * Whether @input has enough scores for a report: at least 5 of the 15.
 */
gboolean
rs_report_check (const RsReportInput  *input,
                 GError              **error)
{
  guint count;

  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  count = rs_scores_count (input->scores);
  if (count < 5)
    {
      /* Translators: why a respondent gets no report; %u is how many of the
       * 15 scores they have (fewer than 5). */
      g_set_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_INSUFFICIENT_DATA,
                   _("insufficient data (%u of 15 scores)"), count);
      return FALSE;
    }

  return TRUE;
}

/* The respondent's page, the company page when N ≥ 2, and a last page for
 * the peer benchmark and the closing block of the branding when either is
 * there (more than one when a long notice goes on). */
guint
rs_report_get_n_pages (const RsReportInput *input)
{
  g_return_val_if_fail (input != NULL, 0);

  return (input->company_respondents >= 2 ? 2 : 1) + n_closing_pages (input);
}

static void
draw_page (const RsReportInput *input,
           cairo_t             *cr,
           guint                page,
           double             (*charts)[3])
{
  Painter painter = { .charts = charts };

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, 0, 0, RS_REPORT_PAGE_WIDTH, RS_REPORT_PAGE_HEIGHT);
  cairo_fill (cr);

  painter_init (&painter, input, cr);
  if (page == 0)
    draw_respondent_page (&painter, input);
  else if (page == 1 && input->company_respondents >= 2)
    draw_company_page (&painter, input);
  else
    draw_closing_page (&painter, input, page - (input->company_respondents >= 2 ? 2 : 1));
  rs_branding_draw_footer (input->branding, cr, input->language, page,
                           rs_report_get_n_pages (input), RS_REPORT_PAGE_WIDTH,
                           RS_REPORT_PAGE_HEIGHT, MARGIN);
  painter_clear (&painter);

  cairo_restore (cr);
}

/**
 * rs_report_draw_page:
 *
 * Draws page @page (from 0) on @cr in page coordinates: a caller that shows
 * it smaller scales @cr first. Safe to call from several threads at once,
 * each with its own @cr.
 */
void
rs_report_draw_page (const RsReportInput *input,
                     cairo_t             *cr,
                     guint                page)
{
  g_return_if_fail (input != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (page < rs_report_get_n_pages (input));

  draw_page (input, cr, page, NULL);
}

/**
 * rs_report_get_chart_geometry:
 * @chart: 0, 1, 2 for the Upstream, Internal and Downstream charts, 3 for
 *   the Overall chart
 * @center_x: (out): the chart's centre, in page coordinates
 * @center_y: (out): the chart's centre, in page coordinates
 * @radius: (out): the radius of its outer ring (the value 5)
 *
 * Where rs_report_draw_page() puts a radar chart; the value v of the
 * dimension at angle a (clockwise from the top) sits at a distance of
 * (0.2 + 0.16 v) × @radius. Costs about as much as drawing the page.
 *
 * Returns: %FALSE when @page has no such chart
 */
gboolean
rs_report_get_chart_geometry (const RsReportInput *input,
                              guint                page,
                              guint                chart,
                              double              *center_x,
                              double              *center_y,
                              double              *radius)
{
  double charts[RS_N_PILLARS + 1][3] = { { 0 } };
  cairo_surface_t *surface;
  cairo_t *cr;

  g_return_val_if_fail (input != NULL, FALSE);

  if (page >= rs_report_get_n_pages (input) || chart > RS_N_PILLARS)
    return FALSE;

  /* Unhinted text measures the same on any surface: a tiny one will do. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_A8, 1, 1);
  cr = cairo_create (surface);
  draw_page (input, cr, page, charts);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  if (center_x != NULL)
    *center_x = charts[chart][0];
  if (center_y != NULL)
    *center_y = charts[chart][1];
  if (radius != NULL)
    *radius = charts[chart][2];

  return TRUE;
}

static void
draw_pdf_page (cairo_t  *cr,
               guint     page,
               gpointer  input)
{
  rs_report_draw_page (input, cr, page);
}

static gboolean
set_write_error (GError     **error,
                 const char  *path,
                 const char  *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  /* Translators: the first %s is a file path, the second the reason. */
  g_set_error (error, RS_REPORT_ERROR, RS_REPORT_ERROR_FAILED,
               _("Could not write the report “%s”: %s"), display, reason);

  return FALSE;
}

/**
 * rs_report_write_pdf:
 *
 * Writes the report of @input to @path, replacing any file there only once
 * the new one is complete; on failure nothing is left behind. Safe to call
 * from several threads at once.
 */
gboolean
rs_report_write_pdf (const RsReportInput  *input,
                     const char           *path,
                     GError              **error)
{
  g_autofree char *company = NULL;
  g_autofree char *person = NULL;
  g_autofree char *title = NULL;
  g_autofree char *reason = NULL;
  RsPdfDocument document = {
    .width = RS_REPORT_PAGE_WIDTH,
    .height = RS_REPORT_PAGE_HEIGHT,
  };

  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!rs_report_check (input, error))
    return FALSE;

  company = valid_text (input->company);
  person = valid_text (input->person);
  title = rs_report_text_fill (rs_report_text_get (input->language)->document_title,
                               company, person, NULL);
  document.title = title;
  document.subject = company;

  if (!rs_pdf_write_atomically (path, &document, rs_report_get_n_pages (input),
                                draw_pdf_page, (gpointer) input, &reason))
    return set_write_error (error, path, reason);

  return TRUE;
}

/* Bidirectional formatting characters could make a name read differently
 * from what it is (e.g. hide ".exe" behind "fdp."). */
static gboolean
is_bidi_control (gunichar c)
{
  return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x061C;
}

static char *
sanitize_name (const char *text)
{
  g_autofree char *valid = valid_text (text);
  GString *name = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '/':
        case '\\':
        case ':':
        case '|':
          g_string_append_c (name, '-');
          break;
        case '*':
        case '?':
          break;
        case '"':
          g_string_append_c (name, '\'');
          break;
        case '<':
          g_string_append_c (name, '(');
          break;
        case '>':
          g_string_append_c (name, ')');
          break;
        default:
          if (g_unichar_iscntrl (c) || is_bidi_control (c) ||
              c == 0x2028 || c == 0x2029)
            break;
          g_string_append_unichar (name, c);
          break;
        }
    }

  g_strstrip (name->str);
  name->len = strlen (name->str);

  return g_string_free (name, FALSE);
}

/* Cuts @name to at most @max_bytes on a character boundary. */
static void
truncate_name (char  *name,
               gsize  max_bytes)
{
  gsize len = strlen (name);

  if (len <= max_bytes)
    return;

  while (max_bytes > 0 && (name[max_bytes] & 0xC0) == 0x80)
    max_bytes--;
  name[max_bytes] = '\0';
  g_strchomp (name);
}

/**
 * rs_report_file_name:
 *
 * The report's file name, `YYYYMMDD ResilienceReport (COMPANY - PERSON).pdf`
 * with the date @made. The names are cleaned of characters that file
 * systems refuse and cut to keep the name under 200 bytes; the result is
 * always one plain file name, never a path.
 */
char *
rs_report_file_name (const char *company,
                     const char *person,
                     GDateTime  *made)
{
  return rs_report_file_name_full (company, person, made, 1, NULL);
}

/* A tag as rs_report_file_name_full() takes it: six to sixteen lowercase
 * hex digits. */
static gboolean
is_tag (const char *tag,
        gsize       length)
{
  if (length < 6 || length > 16)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (tag[i]) || g_ascii_isupper (tag[i]))
      return FALSE;

  return TRUE;
}

/**
 * rs_report_file_name_full:
 * @copy: 1 for the first report of this name; 2, 3, ... for the next
 *   respondents whose names would give the same file name
 * @tag: (nullable): a short lowercase hex tag of the database the report
 *   is made from, which keeps the reports of two databases apart
 *
 * rs_report_file_name() with a number for a second person of the same
 * name and the database's tag:
 * `YYYYMMDD ResilienceReport (COMPANY - PERSON) (2) [TAG].pdf`.
 */
char *
rs_report_file_name_full (const char *company,
                          const char *person,
                          GDateTime  *made,
                          guint       copy,
                          const char *tag)
{
  g_autofree char *date = NULL;
  g_autofree char *clean_company = NULL;
  g_autofree char *clean_person = NULL;
  g_autoptr(GString) name = NULL;
  gsize budget;
  gsize company_len;
  gsize person_len;

  g_return_val_if_fail (made != NULL, NULL);
  g_return_val_if_fail (tag == NULL || is_tag (tag, strlen (tag)), NULL);

  date = g_date_time_format (made, "%Y%m%d");
  clean_company = sanitize_name (company);
  clean_person = sanitize_name (person);

  budget = FILE_NAME_MAX - strlen (date) - strlen (" ResilienceReport ( - ).pdf");
  company_len = strlen (clean_company);
  person_len = strlen (clean_person);
  if (company_len + person_len > budget)
    {
      /* The shorter name is kept whole when it fits in half. */
      if (company_len <= budget / 2)
        truncate_name (clean_person, budget - company_len);
      else if (person_len <= budget / 2)
        truncate_name (clean_company, budget - person_len);
      else
        {
          truncate_name (clean_company, budget / 2);
          truncate_name (clean_person, budget - strlen (clean_company));
        }
    }

  name = g_string_new (NULL);
  g_string_printf (name, "%s ResilienceReport (%s - %s)", date, clean_company, clean_person);
  if (copy > 1)
    g_string_append_printf (name, " (%u)", copy);
  if (tag != NULL)
    g_string_append_printf (name, " [%s]", tag);
  g_string_append (name, ".pdf");

  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* Where the " [TAG]" of @file_name starts, or NULL when it has none. */
static const char *
find_tag (const char *file_name)
{
  gsize length = strlen (file_name);
  const char *open;

  if (!g_str_has_suffix (file_name, "].pdf"))
    return NULL;

  open = g_strrstr (file_name, " [");
  if (open == NULL)
    return NULL;
  if (!is_tag (open + 2, file_name + length - strlen ("].pdf") - (open + 2)))
    return NULL;

  return open;
}

/**
 * rs_report_file_name_get_tag:
 *
 * Returns: (transfer full) (nullable): the database tag in the report file
 *   name @file_name (a path or a name), or %NULL for a name without one,
 *   such as those made before names had tags.
 */
char *
rs_report_file_name_get_tag (const char *file_name)
{
  g_autofree char *base = NULL;
  const char *open;

  g_return_val_if_fail (file_name != NULL, NULL);

  base = g_path_get_basename (file_name);
  open = find_tag (base);
  if (open == NULL)
    return NULL;

  return g_strndup (open + 2, strlen (open + 2) - strlen ("].pdf"));
}

/**
 * rs_report_attachment_name:
 * @path: a report file as the database records it
 *
 * The name the recipient sees for the report at @path: its file name
 * without the database tag, which means nothing to anyone else.
 *
 * Returns: (transfer full): the name.
 */
char *
rs_report_attachment_name (const char *path)
{
  g_autofree char *base = NULL;
  g_autofree char *stem = NULL;
  const char *open;

  g_return_val_if_fail (path != NULL, NULL);

  base = g_path_get_basename (path);
  open = find_tag (base);
  if (open == NULL)
    return g_steal_pointer (&base);

  stem = g_strndup (base, open - base);

  return g_strconcat (stem, ".pdf", NULL);
}

static void
hash_string (GChecksum  *checksum,
             const char *value)
{
  g_autofree char *line = NULL;

  if (value == NULL)
    line = g_strdup ("s-\n");
  else
    line = g_strdup_printf ("s%zu:%s\n", strlen (value), value);
  g_checksum_update (checksum, (const guchar *) line, -1);
}

static void
hash_double (GChecksum *checksum,
             double     value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 3] = "d";

  if (isnan (value))
    strcpy (buffer + 1, "nan");
  else
    g_ascii_formatd (buffer + 1, G_ASCII_DTOSTR_BUF_SIZE, "%.17g", value);
  strcat (buffer, "\n");
  g_checksum_update (checksum, (const guchar *) buffer, -1);
}

/**
 * rs_report_input_hash:
 *
 * A SHA-256 (hex) of everything the report is drawn from, and of the
 * drawing's version: it changes exactly when the report would.
 */
char *
rs_report_input_hash (const RsReportInput *input)
{
  g_autoptr(GChecksum) checksum = NULL;
  g_autofree char *count = NULL;

  g_return_val_if_fail (input != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  hash_string (checksum, "rs-report " RENDER_VERSION);
  hash_string (checksum, input->company);
  hash_string (checksum, input->person);
  hash_string (checksum, input->function);
  hash_string (checksum, input->survey_date);
  hash_string (checksum, input->language);
  for (guint i = 0; i < RS_N_SCORES; i++)
    hash_double (checksum, input->scores[i]);
  count = g_strdup_printf ("u%u\n", input->company_respondents);
  g_checksum_update (checksum, (const guchar *) count, -1);
  for (guint i = 0; i < RS_N_SCORES; i++)
    hash_double (checksum, input->company_means[i]);
  /* Only what is there, so that a report without either keeps its hash. */
  if (input->benchmark.shown)
    {
      g_autofree char *key = rs_benchmark_key (&input->benchmark);

      hash_string (checksum, "benchmark");
      hash_string (checksum, key);
    }
  if (!rs_branding_is_empty (input->branding))
    {
      hash_string (checksum, "branding");
      hash_string (checksum, rs_branding_get_hash (input->branding));
    }

  return g_strdup (g_checksum_get_string (checksum));
}
