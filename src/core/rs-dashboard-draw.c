/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-dashboard"

#include "config.h"

#include <glib/gi18n.h>
#include <cairo-pdf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs-branding.h"
#include "rs-dashboard-draw.h"
#include "rs-pdf-writer.h"
#include "rs-report.h"
#include "rs-report-text.h"
#include "rs-thread.h"

#define FONT_FAMILY "DejaVu Sans, Sans"
#define MARGIN 42.0
#define HEADING_GAP 8.0
#define SECTION_GAP 18.0
#define ROW 15.0
#define SMALL 8.0
#define NORMAL 9.0

/* The dashboard's own words, in the language asked for rather than the
 * desktop's (as the reports'): {1}, {2}, {3} as rs_report_text_fill() has them. */
typedef struct
{
  const char *titles[RS_DASHBOARD_N_SECTIONS];
  const char *document_title;
  const char *heading;
  const char *computed;          /* {1} = date, {2} = respondents, {3} = companies */
  /* {1} = a number: one, then more (English and Dutch need no other form) */
  const char *n_respondents[2];
  const char *n_companies[2];
  const char *respondents;
  const char *companies;
  const char *average;
  const char *high_performers;
  const char *attention_required;
  const char *pillar_mean;       /* {1} = pillar */
  const char *strongest;
  const char *weakest;
  const char *share;             /* {1} = percent, {2} = count */
  const char *average_line;      /* {1} = mean */
  const char *bands[RS_N_RATINGS];
  const char *band_ranges[RS_N_RATINGS];
  const char *rank;
  const char *company;
  const char *overall;
  const char *weakest_pillar;
  const char *no_companies;
  const char *no_data;
  const char *groups[RS_DASHBOARD_N_GROUPS];
  const char *groups_heading;
  const char *largest_heading;
  const char *statuses[RS_DASHBOARD_N_STATUSES];
  const char *status_heading[2];
  const char *reports_heading;
  const char *reports_made;
  const char *reports_outdated;
  const char *reports_not_possible;
  const char *respondents_axis;
  const char *n;                 /* {1} = count */
  const char *page;              /* {1} = page, {2} = pages */
} DashboardText;

static const DashboardText english = {
  .titles = {
    "Key Figures",
    "Score Distribution",
    "Maturity Bands",
    "Pillar Means",
    "Dimension Heatmap",
    "Development Areas",
    "Top Companies",
    "Companies Needing Attention",
    "Participation",
    "Sending",
  },
  .document_title = "Supply Chain Resilience Scan — Executive Dashboard",
  .heading = "Executive Dashboard",
  .computed = "Supply Chain Resilience Scan · {1} · {2} from {3}",
  .n_respondents = { "{1} respondent", "{1} respondents" },
  .n_companies = { "{1} company", "{1} companies" },
  .respondents = "Respondents",
  .companies = "Companies",
  .average = "Average SCRES",
  .high_performers = "High performers (≥ 4.00)",
  .attention_required = "Attention required (< 2.50)",
  .pillar_mean = "{1}",
  .strongest = "Strongest pillar",
  .weakest = "Weakest pillar",
  .share = "{1}% ({2})",
  .average_line = "Average {1}",
  .bands = {
    "Excellent",
    "Good",
    "Average",
    "Below average",
    "Needs improvement",
  },
  .band_ranges = {
    "≥ 4.0",
    "3.5 to < 4.0",
    "3.0 to < 3.5",
    "2.5 to < 3.0",
    "< 2.5",
  },
  .rank = "#",
  .company = "Company",
  .overall = "Overall",
  .weakest_pillar = "Weakest pillar",
  .no_companies = "No company has 3 or more respondents yet.",
  .no_data = "No respondent has 5 or more scores yet.",
  .groups = {
    "1 respondent",
    "2–3 respondents",
    "4–5 respondents",
    "6–10 respondents",
    "More than 10",
  },
  .groups_heading = "Companies by number of respondents",
  .largest_heading = "Most respondents",
  .statuses = { "Pending", "Sending", "Sent", "Failed", "Unknown" },
  .status_heading = { "E-mail status of {1} respondent",
                      "E-mail status of {1} respondents" },
  .reports_heading = "Reports",
  .reports_made = "Made",
  .reports_outdated = "Outdated",
  .reports_not_possible = "Not possible (fewer than 5 scores)",
  .respondents_axis = "Respondents",
  .n = "n={1}",
  .page = "Page {1} of {2}",
};

static const DashboardText dutch = {
  .titles = {
    "Kerncijfers",
    "Verdeling van de scores",
    "Volwassenheidsniveaus",
    "Gemiddelden per pijler",
    "Heatmap van de dimensies",
    "Ontwikkelpunten",
    "Beste bedrijven",
    "Bedrijven die aandacht vragen",
    "Deelname",
    "Versturen",
  },
  .document_title = "Supply Chain Resilience Scan — Managementdashboard",
  .heading = "Managementdashboard",
  .computed = "Supply Chain Resilience Scan · {1} · {2} van {3}",
  .n_respondents = { "{1} deelnemer", "{1} deelnemers" },
  .n_companies = { "{1} bedrijf", "{1} bedrijven" },
  .respondents = "Deelnemers",
  .companies = "Bedrijven",
  .average = "Gemiddelde SCRES",
  .high_performers = "Koplopers (≥ 4,00)",
  .attention_required = "Aandacht nodig (< 2,50)",
  .pillar_mean = "{1}",
  .strongest = "Sterkste pijler",
  .weakest = "Zwakste pijler",
  .share = "{1}% ({2})",
  .average_line = "Gemiddeld {1}",
  .bands = {
    "Uitstekend",
    "Goed",
    "Gemiddeld",
    "Onder gemiddeld",
    "Verbetering nodig",
  },
  .band_ranges = {
    "≥ 4,0",
    "3,5 tot < 4,0",
    "3,0 tot < 3,5",
    "2,5 tot < 3,0",
    "< 2,5",
  },
  .rank = "#",
  .company = "Bedrijf",
  .overall = "Totaal",
  .weakest_pillar = "Zwakste pijler",
  .no_companies = "Nog geen bedrijf heeft 3 of meer deelnemers.",
  .no_data = "Nog geen deelnemer heeft 5 of meer scores.",
  .groups = {
    "1 deelnemer",
    "2–3 deelnemers",
    "4–5 deelnemers",
    "6–10 deelnemers",
    "Meer dan 10",
  },
  .groups_heading = "Bedrijven naar aantal deelnemers",
  .largest_heading = "Meeste deelnemers",
  .statuses = { "Te versturen", "Bezig met versturen", "Verstuurd", "Mislukt", "Onbekend" },
  .status_heading = { "E-mailstatus van {1} deelnemer", "E-mailstatus van {1} deelnemers" },
  .reports_heading = "Rapporten",
  .reports_made = "Gemaakt",
  .reports_outdated = "Verouderd",
  .reports_not_possible = "Niet mogelijk (minder dan 5 scores)",
  .respondents_axis = "Deelnemers",
  .n = "n={1}",
  .page = "Pagina {1} van {2}",
};

typedef RsDashboardRgb Rgb;

#define RGB(hex) { ((hex) >> 16 & 0xff) / 255.0, ((hex) >> 8 & 0xff) / 255.0, \
                   ((hex) & 0xff) / 255.0 }

static const Rgb pillar_colours[RS_N_PILLARS] = {
  RGB (0x0277BD), RGB (0xFF8F00), RGB (0x2E7D32),
};

/* By RsRating, as the reports' summary box */
static const Rgb band_colours[RS_N_RATINGS] = {
  RGB (0x2E7D32), RGB (0x1565C0), RGB (0xF9A825), RGB (0xEF6C00), RGB (0xC62828),
};

/* The bands from the lowest up, as the charts show them */
static const RsRating band_order[RS_N_RATINGS] = {
  RS_RATING_NEEDS_IMPROVEMENT, RS_RATING_BELOW_AVERAGE, RS_RATING_AVERAGE, RS_RATING_GOOD,
  RS_RATING_EXCELLENT,
};

static const RsDashboardStyle print_style = {
  .foreground = RGB (0x212121),
  .background = RGB (0xFFFFFF),
  .accent = RGB (0x3584E4),
};

const RsDashboardStyle *
rs_dashboard_style_print (void)
{
  return &print_style;
}

typedef enum
{
  ALIGN_LEFT,
  ALIGN_CENTER,
  ALIGN_RIGHT,
} Align;

typedef struct
{
  cairo_t *cr;
  PangoContext *context;
  const RsDashboardStyle *style;
  const DashboardText *words;
  const RsReportText *text;
  RsDashboard *dashboard;
} Painter;

static const DashboardText *
words_for (const char *language)
{
  return rs_report_text_is_nl (language) ? &dutch : &english;
}

static void
painter_init (Painter                *painter,
              RsDashboard            *dashboard,
              cairo_t                *cr,
              const RsDashboardStyle *style,
              const char             *language)
{
  cairo_font_options_t *options;

  painter->cr = cr;
  painter->style = style != NULL ? style : &print_style;
  painter->words = words_for (language);
  painter->text = rs_report_text_get (language);
  painter->dashboard = dashboard;
  painter->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());

  /* Unhinted metrics: the page on screen breaks lines as the PDF does. */
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
}

static Rgb
mix (const Rgb *a,
     const Rgb *b,
     double     t)
{
  Rgb result = {
    a->red + (b->red - a->red) * t,
    a->green + (b->green - a->green) * t,
    a->blue + (b->blue - a->blue) * t,
  };

  return result;
}

static void
set_rgb (cairo_t   *cr,
         const Rgb *colour)
{
  cairo_set_source_rgb (cr, colour->red, colour->green, colour->blue);
}

static Rgb
muted (Painter *painter)
{
  return mix (&painter->style->foreground, &painter->style->background, 0.4);
}

static Rgb
faint (Painter *painter)
{
  return mix (&painter->style->foreground, &painter->style->background, 0.82);
}

/* Draws @text with its top at @y: left of @x, centred on it or right of it
 * as @align says, in at most @width (ellipsized); returns its height. */
static double
show (Painter    *painter,
      const char *text,
      double      x,
      double      y,
      double      width,
      double      size,
      gboolean    bold,
      Align       align,
      const Rgb  *colour)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (painter->context);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  PangoRectangle logical;
  double left = x;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, valid, -1);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_get_extents (layout, NULL, &logical);

  if (align == ALIGN_CENTER)
    left = x - (double) (logical.x + logical.width / 2) / PANGO_SCALE;
  else if (align == ALIGN_RIGHT)
    left = x - (double) (logical.x + logical.width) / PANGO_SCALE;

  set_rgb (painter->cr, colour != NULL ? colour : &painter->style->foreground);
  cairo_move_to (painter->cr, left, y);
  pango_cairo_show_layout (painter->cr, layout);

  return (double) logical.height / PANGO_SCALE;
}

/* The width of @text in one line. */
static double
text_width (Painter    *painter,
            const char *text,
            double      size,
            gboolean    bold)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (painter->context);
  PangoFontDescription *font = pango_font_description_from_string (FONT_FAMILY);
  PangoRectangle logical;

  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);

  return (double) logical.width / PANGO_SCALE;
}

/* The largest size up to @size at which @text fits @width, down to 6. */
static double
fitting_size (Painter    *painter,
              const char *text,
              double      size,
              gboolean    bold,
              double      width)
{
  double natural = text_width (painter, text, size, bold);

  if (natural <= width || natural <= 0)
    return size;

  return MAX (6.0, floor (size * width / natural * 4) / 4);
}

static char *
number (Painter *painter,
        double   value,
        guint    decimals)
{
  return rs_report_text_number (painter->text, value, decimals);
}

static char *
count_text (guint count)
{
  return g_strdup_printf ("%u", count);
}

static char *
fill (const char *template_,
      const char *arg1,
      const char *arg2,
      const char *arg3)
{
  return rs_report_text_fill (template_, arg1, arg2, arg3);
}

/* "44.4% (8)" */
static char *
share_text (Painter *painter,
            guint    count)
{
  g_autofree char *percent = number (painter, rs_dashboard_percent (painter->dashboard, count),
                                     1);
  g_autofree char *n = count_text (count);

  return fill (painter->words->share, percent, n, NULL);
}

/* "3.42 ± 0.61" */
static char *
stat_text (Painter               *painter,
           const RsDashboardStat *stat)
{
  g_autofree char *mean = number (painter, stat->mean, 2);
  g_autofree char *sd = NULL;

  if (isnan (stat->sd))
    return g_steal_pointer (&mean);
  sd = number (painter, stat->sd, 2);

  return g_strdup_printf ("%s ± %s", mean, sd);
}

/* "Downstream 3.5" */
static char *
pillar_text (Painter *painter,
             int      pillar)
{
  g_autofree char *mean = NULL;

  if (pillar < 0)
    return g_strdup (painter->text->not_available);
  mean = number (painter, painter->dashboard->pillars[pillar].mean, 1);

  return g_strdup_printf ("%s %s", painter->text->pillars[pillar], mean);
}

/* Key figures: tiles of a label and a value, five to a row. */

typedef struct
{
  const char *label;
  char *value;
} Tile;

static guint
key_tiles (Painter *painter,
           Tile     tiles[10])
{
  RsDashboard *d = painter->dashboard;
  const DashboardText *w = painter->words;
  guint n = 0;

  tiles[n++] = (Tile) { w->respondents, count_text (d->respondents) };
  tiles[n++] = (Tile) { w->companies, count_text (d->companies) };
  tiles[n++] = (Tile) { w->average, number (painter, d->average, 2) };
  tiles[n++] = (Tile) { w->high_performers, share_text (painter, d->high_performers) };
  tiles[n++] = (Tile) { w->attention_required, share_text (painter, d->attention) };
  for (guint p = 0; p < RS_N_PILLARS; p++)
    tiles[n++] = (Tile) { painter->text->pillars[p], stat_text (painter, &d->pillars[p]) };
  tiles[n++] = (Tile) { w->strongest, pillar_text (painter, d->strongest_pillar) };
  tiles[n++] = (Tile) { w->weakest, pillar_text (painter, d->weakest_pillar) };

  return n;
}

static guint
tiles_per_row (double width)
{
  return width >= 450 ? 5 : width >= 260 ? 3 : 2;
}

static double
key_figures_height (double width)
{
  guint per_row = tiles_per_row (width);

  return ((10 + per_row - 1) / per_row) * 46.0 - 6.0;
}

static void
draw_key_figures (Painter *painter,
                  double   x,
                  double   y,
                  double   width)
{
  Tile tiles[10];
  guint n = key_tiles (painter, tiles);
  guint per_row = tiles_per_row (width);
  double tile_width = (width - (per_row - 1) * 6.0) / per_row;
  Rgb fill_colour = mix (&painter->style->background, &painter->style->foreground, 0.06);
  Rgb label_colour = muted (painter);

  for (guint i = 0; i < n; i++)
    {
      double tx = x + (i % per_row) * (tile_width + 6.0);
      double ty = y + (i / per_row) * 46.0;

      set_rgb (painter->cr, &fill_colour);
      cairo_rectangle (painter->cr, tx, ty, tile_width, 40.0);
      cairo_fill (painter->cr);
      show (painter, tiles[i].label, tx + 6, ty + 5, tile_width - 12,
            fitting_size (painter, tiles[i].label, SMALL, FALSE, tile_width - 12), FALSE,
            ALIGN_LEFT, &label_colour);
      show (painter, tiles[i].value, tx + 6, ty + 18, tile_width - 12,
            fitting_size (painter, tiles[i].value, 13.0, TRUE, tile_width - 12), TRUE,
            ALIGN_LEFT, NULL);
      g_free (tiles[i].value);
    }
}

/* Distribution: a histogram with the counts above the bars and a dashed
 * line at the average. */
static void
draw_distribution (Painter *painter,
                   double   x,
                   double   y,
                   double   width,
                   double   height)
{
  RsDashboard *d = painter->dashboard;
  cairo_t *cr = painter->cr;
  Rgb axis = muted (painter);
  Rgb grid = faint (painter);
  double left = x + 30;
  double right = x + width - 4;
  double top = y + 26;
  double bottom = y + height - 16;
  double plot_width = right - left;
  guint highest = 1;
  double scale_top;

  for (guint i = 0; i < RS_DASHBOARD_N_BINS; i++)
    highest = MAX (highest, d->bins[i]);
  /* Even, so that the line at half of it counts whole respondents. */
  scale_top = highest > 1 && highest % 2 == 1 ? highest + 1 : highest;

  /* Grid lines at 0, half and the top, labelled. */
  cairo_set_line_width (cr, 0.5);
  for (guint i = 0; i <= 2; i++)
    {
      double value = scale_top * i / 2.0;
      double gy = bottom - (bottom - top) * i / 2.0;
      g_autofree char *label = NULL;

      if (i == 1 && highest < 2)
        continue;
      label = number (painter, value, fmod (value, 1.0) == 0 ? 0 : 1);
      set_rgb (cr, &grid);
      cairo_move_to (cr, left, gy);
      cairo_line_to (cr, right, gy);
      cairo_stroke (cr);
      show (painter, label, left - 4, gy - 5, 0, 7.0, FALSE, ALIGN_RIGHT, &axis);
    }

  for (guint i = 0; i < RS_DASHBOARD_N_BINS; i++)
    {
      double bx = left + plot_width * i / RS_DASHBOARD_N_BINS;
      double bw = plot_width / RS_DASHBOARD_N_BINS;
      double bh = (bottom - top) * d->bins[i] / scale_top;

      if (d->bins[i] == 0)
        continue;
      set_rgb (cr, &painter->style->accent);
      cairo_rectangle (cr, bx + 1, bottom - bh, bw - 2, bh);
      cairo_fill (cr);
      {
        g_autofree char *label = count_text (d->bins[i]);

        show (painter, label, bx + bw / 2, bottom - bh - 10, 0, 7.0, FALSE, ALIGN_CENTER, NULL);
      }
    }

  /* The axis 0 … 5 */
  set_rgb (cr, &axis);
  cairo_set_line_width (cr, 0.8);
  cairo_move_to (cr, left, bottom);
  cairo_line_to (cr, right, bottom);
  cairo_stroke (cr);
  for (guint v = 0; v <= 5; v++)
    {
      g_autofree char *label = count_text (v);
      double vx = left + plot_width * v / 5.0;

      cairo_move_to (cr, vx, bottom);
      cairo_line_to (cr, vx, bottom + 3);
      cairo_stroke (cr);
      show (painter, label, vx, bottom + 4, 0, 7.0, FALSE, ALIGN_CENTER, &axis);
    }

  if (!isnan (d->average))
    {
      double ax = left + plot_width * CLAMP (d->average, 0.0, 5.0) / 5.0;
      double dashes[] = { 3.0, 2.0 };
      g_autofree char *mean = number (painter, d->average, 2);
      g_autofree char *label = fill (painter->words->average_line, mean, NULL, NULL);

      set_rgb (cr, &painter->style->foreground);
      cairo_set_line_width (cr, 1.2);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_move_to (cr, ax, top - 2);
      cairo_line_to (cr, ax, bottom);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      show (painter, label, ax + (ax > left + plot_width * 0.75 ? -3 : 3), y, 0, 7.5, TRUE,
            ax > left + plot_width * 0.75 ? ALIGN_RIGHT : ALIGN_LEFT, NULL);
    }
}

/* A bar of @fraction of @width, on a faint track. */
static void
draw_bar (Painter   *painter,
          double     x,
          double     y,
          double     width,
          double     height,
          double     fraction,
          const Rgb *colour)
{
  Rgb track = faint (painter);

  set_rgb (painter->cr, &track);
  cairo_rectangle (painter->cr, x, y, width, height);
  cairo_fill (painter->cr);
  if (fraction <= 0)
    return;
  set_rgb (painter->cr, colour);
  cairo_rectangle (painter->cr, x, y, width * MIN (fraction, 1.0), height);
  cairo_fill (painter->cr);
}

static void
draw_bands (Painter *painter,
            double   x,
            double   y,
            double   width)
{
  RsDashboard *d = painter->dashboard;
  Rgb label_colour = muted (painter);
  double name_width = MIN (130.0, width * 0.3);
  double range_width = MIN (80.0, width * 0.18);
  double value_width = 80.0;
  double bar_x = x + name_width + range_width;
  double bar_width = MAX (20.0, width - name_width - range_width - value_width - 8);

  for (guint i = 0; i < RS_N_RATINGS; i++)
    {
      RsRating band = band_order[i];
      double row_y = y + i * 18.0;
      g_autofree char *value = share_text (painter, d->bands[band]);

      set_rgb (painter->cr, &band_colours[band]);
      cairo_rectangle (painter->cr, x, row_y + 2, 8, 8);
      cairo_fill (painter->cr);
      show (painter, painter->words->bands[band], x + 13, row_y, name_width - 15, NORMAL, FALSE,
            ALIGN_LEFT, NULL);
      show (painter, painter->words->band_ranges[band], x + name_width, row_y, range_width - 4,
            SMALL, FALSE, ALIGN_LEFT, &label_colour);
      draw_bar (painter, bar_x, row_y + 2, bar_width, 9,
                d->respondents > 0 ? (double) d->bands[band] / d->respondents : 0,
                &band_colours[band]);
      show (painter, value, x + width, row_y, 0, NORMAL, FALSE, ALIGN_RIGHT, NULL);
    }
}

/* Each pillar's mean as a bar on 0 … 5 with a whisker of ± one sd. */
static void
draw_pillars (Painter *painter,
              double   x,
              double   y,
              double   width)
{
  RsDashboard *d = painter->dashboard;
  cairo_t *cr = painter->cr;
  double name_width = MIN (100.0, width * 0.25);
  double value_width = 120.0;
  double bar_x = x + name_width;
  double bar_width = MAX (20.0, width - name_width - value_width);

  for (guint p = 0; p < RS_N_PILLARS; p++)
    {
      const RsDashboardStat *stat = &d->pillars[p];
      double row_y = y + p * 22.0;
      g_autofree char *value = stat_text (painter, stat);
      g_autofree char *n_text = count_text (stat->n);
      g_autofree char *n = fill (painter->words->n, n_text, NULL, NULL);
      g_autofree char *line = g_strdup_printf ("%s  (%s)", value, n);

      show (painter, painter->text->pillars[p], x, row_y + 2, name_width - 4, NORMAL, TRUE,
            ALIGN_LEFT, NULL);
      draw_bar (painter, bar_x, row_y + 3, bar_width, 11,
                isnan (stat->mean) ? 0 : stat->mean / 5.0, &pillar_colours[p]);
      if (!isnan (stat->sd))
        {
          double lo = bar_x + bar_width * CLAMP (stat->mean - stat->sd, 0, 5) / 5.0;
          double hi = bar_x + bar_width * CLAMP (stat->mean + stat->sd, 0, 5) / 5.0;

          set_rgb (cr, &painter->style->foreground);
          cairo_set_line_width (cr, 1.0);
          cairo_move_to (cr, lo, row_y + 8.5);
          cairo_line_to (cr, hi, row_y + 8.5);
          cairo_move_to (cr, lo, row_y + 4);
          cairo_line_to (cr, lo, row_y + 13);
          cairo_move_to (cr, hi, row_y + 4);
          cairo_line_to (cr, hi, row_y + 13);
          cairo_stroke (cr);
        }
      show (painter, line, x + width, row_y + 2, 0, NORMAL, FALSE, ALIGN_RIGHT, NULL);
    }
}

/* The colour of a mean in the heatmap: its band's, light on the
 * background, so the text on it reads in either style. */
static Rgb
heat_colour (Painter *painter,
             double   mean)
{
  if (isnan (mean))
    return painter->style->background;

  return mix (&painter->style->background, &band_colours[rs_scores_rating (mean)], 0.45);
}

static void
draw_heatmap (Painter *painter,
              double   x,
              double   y,
              double   width)
{
  RsDashboard *d = painter->dashboard;
  double label_width = MIN (90.0, width * 0.2);
  double cell_width = (width - label_width) / RS_N_DIMENSIONS;
  Rgb label_colour = muted (painter);

  for (guint dim = 0; dim < RS_N_DIMENSIONS; dim++)
    show (painter, painter->text->dimensions[dim], x + label_width + (dim + 0.5) * cell_width,
          y, cell_width - 4,
          fitting_size (painter, painter->text->dimensions[dim], SMALL, TRUE, cell_width - 4),
          TRUE, ALIGN_CENTER, NULL);

  for (guint p = 0; p < RS_N_PILLARS; p++)
    {
      double row_y = y + 14 + p * 30.0;

      show (painter, painter->text->pillars[p], x, row_y + 8, label_width - 4,
            fitting_size (painter, painter->text->pillars[p], NORMAL, TRUE, label_width - 4),
            TRUE, ALIGN_LEFT, NULL);
      for (guint dim = 0; dim < RS_N_DIMENSIONS; dim++)
        {
          const RsDashboardCell *cell = &d->cells[RS_SCORE_INDEX (p, dim)];
          double cx = x + label_width + dim * cell_width;
          Rgb colour = heat_colour (painter, cell->mean);
          g_autofree char *mean = number (painter, cell->mean, 2);
          g_autofree char *n_text = count_text (cell->n);
          g_autofree char *n = fill (painter->words->n, n_text, NULL, NULL);

          set_rgb (painter->cr, &colour);
          cairo_rectangle (painter->cr, cx + 1, row_y, cell_width - 2, 28);
          cairo_fill (painter->cr);
          show (painter, mean, cx + cell_width / 2, row_y + 2, 0, 10.0, TRUE, ALIGN_CENTER,
                NULL);
          show (painter, n, cx + cell_width / 2, row_y + 16, 0, 6.5, FALSE, ALIGN_CENTER,
                &label_colour);
        }
    }
}

static void
draw_development (Painter *painter,
                  double   x,
                  double   y,
                  double   width)
{
  RsDashboard *d = painter->dashboard;
  Rgb label_colour = muted (painter);

  if (d->n_weakest_cells == 0)
    {
      show (painter, painter->words->no_data, x, y, width, NORMAL, FALSE, ALIGN_LEFT,
            &label_colour);
      return;
    }

  for (guint i = 0; i < d->n_weakest_cells; i++)
    {
      const RsDashboardCell *cell = &d->weakest_cells[i];
      double row_y = y + i * 17.0;
      Rgb colour = heat_colour (painter, cell->mean);
      g_autofree char *name = g_strdup_printf ("%u.  %s · %s", i + 1,
                                               painter->text->pillars[cell->pillar],
                                               painter->text->dimensions[cell->dimension]);
      g_autofree char *mean = number (painter, cell->mean, 2);
      g_autofree char *n_text = count_text (cell->n);
      g_autofree char *n = fill (painter->words->n, n_text, NULL, NULL);
      g_autofree char *value = g_strdup_printf ("%s  (%s)", mean, n);

      set_rgb (painter->cr, &colour);
      cairo_rectangle (painter->cr, x, row_y, width, 15);
      cairo_fill (painter->cr);
      show (painter, name, x + 6, row_y + 2, width - 120, NORMAL, FALSE, ALIGN_LEFT, NULL);
      show (painter, value, x + width - 6, row_y + 2, 0, NORMAL, TRUE, ALIGN_RIGHT, NULL);
    }
}

/* A table: one header row, then rows of cells; columns by their right
 * edge (numbers) or left edge (names), as fractions of the width. */
typedef struct
{
  const char *title;
  double start;       /* fraction of the width */
  double end;
  Align align;
} Column;

static void
draw_table_header (Painter      *painter,
                   const Column *columns,
                   guint         n_columns,
                   double        x,
                   double        y,
                   double        width)
{
  Rgb label_colour = muted (painter);
  Rgb rule = faint (painter);

  for (guint c = 0; c < n_columns; c++)
    {
      double left = x + width * columns[c].start;
      double right = x + width * columns[c].end;

      show (painter, columns[c].title, columns[c].align == ALIGN_RIGHT ? right : left, y,
            columns[c].align == ALIGN_RIGHT ? 0 : right - left - 4,
            fitting_size (painter, columns[c].title, SMALL, TRUE, right - left - 4), TRUE,
            columns[c].align, &label_colour);
    }
  set_rgb (painter->cr, &rule);
  cairo_set_line_width (painter->cr, 0.6);
  cairo_move_to (painter->cr, x, y + ROW - 2);
  cairo_line_to (painter->cr, x + width, y + ROW - 2);
  cairo_stroke (painter->cr);
}

static void
draw_table_row (Painter      *painter,
                const Column *columns,
                guint         n_columns,
                char        **cells,
                double        x,
                double        y,
                double        width)
{
  for (guint c = 0; c < n_columns; c++)
    {
      double left = x + width * columns[c].start;
      double right = x + width * columns[c].end;

      show (painter, cells[c], columns[c].align == ALIGN_RIGHT ? right : left, y,
            columns[c].align == ALIGN_RIGHT ? 0 : right - left - 4, NORMAL, c == 1,
            columns[c].align, NULL);
    }
}

static void
draw_companies (Painter  *painter,
                gboolean  attention,
                double    x,
                double    y,
                double    width)
{
  RsDashboard *d = painter->dashboard;
  GPtrArray *companies = attention ? d->needing_attention : d->top;
  const DashboardText *w = painter->words;
  const RsReportText *t = painter->text;
  const Column top_columns[] = {
    { w->rank, 0.0, 0.04, ALIGN_RIGHT },
    { w->company, 0.07, 0.40, ALIGN_LEFT },
    { w->respondents, 0.40, 0.53, ALIGN_RIGHT },
    { w->overall, 0.53, 0.64, ALIGN_RIGHT },
    { t->pillars[0], 0.64, 0.76, ALIGN_RIGHT },
    { t->pillars[1], 0.76, 0.88, ALIGN_RIGHT },
    { t->pillars[2], 0.88, 1.0, ALIGN_RIGHT },
  };
  const Column attention_columns[] = {
    { w->rank, 0.0, 0.04, ALIGN_RIGHT },
    { w->company, 0.07, 0.46, ALIGN_LEFT },
    { w->respondents, 0.46, 0.60, ALIGN_RIGHT },
    { w->overall, 0.60, 0.70, ALIGN_RIGHT },
    { w->weakest_pillar, 0.74, 1.0, ALIGN_LEFT },
  };
  const Column *columns = attention ? attention_columns : top_columns;
  guint n_columns = attention ? G_N_ELEMENTS (attention_columns) : G_N_ELEMENTS (top_columns);

  if (companies->len == 0)
    {
      Rgb label_colour = muted (painter);

      show (painter, w->no_companies, x, y, width, NORMAL, FALSE, ALIGN_LEFT, &label_colour);
      return;
    }

  draw_table_header (painter, columns, n_columns, x, y, width);
  for (guint i = 0; i < companies->len; i++)
    {
      const RsDashboardCompany *company = g_ptr_array_index (companies, i);
      char *cells[7] = { NULL };

      cells[0] = g_strdup_printf ("%u", i + 1);
      cells[1] = g_strdup (company->name);
      cells[2] = count_text (company->respondents);
      cells[3] = number (painter, company->overall, 2);
      if (attention)
        {
          if (company->weakest_pillar >= 0)
            {
              g_autofree char *mean = number (painter,
                                              company->pillars[company->weakest_pillar], 2);

              cells[4] = g_strdup_printf ("%s %s", t->pillars[company->weakest_pillar], mean);
            }
          else
            {
              cells[4] = g_strdup (t->not_available);
            }
        }
      else
        {
          for (guint p = 0; p < RS_N_PILLARS; p++)
            cells[4 + p] = number (painter, company->pillars[p], 2);
        }
      draw_table_row (painter, columns, n_columns, cells, x, y + (i + 1) * ROW, width);
      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        g_free (cells[c]);
    }
}

static double
participation_height (RsDashboard *d,
                      double       width)
{
  double groups = 14 + RS_DASHBOARD_N_GROUPS * 18.0;
  double largest = 14 + (d->largest->len + 1) * ROW;

  if (width >= 420)
    return MAX (groups, largest);

  return groups + SECTION_GAP + largest;
}

static void
draw_participation (Painter *painter,
                    double   x,
                    double   y,
                    double   width)
{
  RsDashboard *d = painter->dashboard;
  const DashboardText *w = painter->words;
  gboolean side_by_side = width >= 420;
  double groups_width = side_by_side ? width * 0.45 : width;
  double largest_x = side_by_side ? x + width * 0.5 : x;
  double largest_y = side_by_side ? y : y + 14 + RS_DASHBOARD_N_GROUPS * 18.0 + SECTION_GAP;
  double largest_width = side_by_side ? width * 0.5 : width;
  guint most = 1;
  const Column columns[] = {
    { w->rank, 0.0, 0.08, ALIGN_RIGHT },
    { w->company, 0.12, 0.75, ALIGN_LEFT },
    { w->respondents, 0.75, 1.0, ALIGN_RIGHT },
  };

  for (guint g = 0; g < RS_DASHBOARD_N_GROUPS; g++)
    most = MAX (most, d->participation[g]);

  show (painter, w->groups_heading, x, y, groups_width, NORMAL, TRUE, ALIGN_LEFT, NULL);
  for (guint g = 0; g < RS_DASHBOARD_N_GROUPS; g++)
    {
      double row_y = y + 16 + g * 18.0;
      double label_width = MIN (100.0, groups_width * 0.4);
      g_autofree char *value = count_text (d->participation[g]);

      show (painter, w->groups[g], x, row_y, label_width - 4, SMALL, FALSE, ALIGN_LEFT, NULL);
      draw_bar (painter, x + label_width, row_y + 1, groups_width - label_width - 40, 9,
                (double) d->participation[g] / most, &painter->style->accent);
      show (painter, value, x + groups_width, row_y, 0, NORMAL, FALSE, ALIGN_RIGHT, NULL);
    }

  show (painter, w->largest_heading, largest_x, largest_y, largest_width, NORMAL, TRUE,
        ALIGN_LEFT, NULL);
  draw_table_header (painter, columns, G_N_ELEMENTS (columns), largest_x, largest_y + 16,
                     largest_width);
  for (guint i = 0; i < d->largest->len; i++)
    {
      const RsDashboardCompany *company = g_ptr_array_index (d->largest, i);
      char *cells[3] = {
        g_strdup_printf ("%u", i + 1),
        g_strdup (company->name),
        count_text (company->respondents),
      };

      draw_table_row (painter, columns, G_N_ELEMENTS (columns), cells, largest_x,
                      largest_y + 16 + (i + 1) * ROW, largest_width);
      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        g_free (cells[c]);
    }
}

static void
draw_sending (Painter *painter,
              double   x,
              double   y,
              double   width)
{
  RsDashboard *d = painter->dashboard;
  const DashboardText *w = painter->words;
  gboolean side_by_side = width >= 420;
  double column_width = side_by_side ? width * 0.45 : width;
  double reports_x = side_by_side ? x + width * 0.55 : x;
  double reports_y = side_by_side ? y : y + 16 + RS_DASHBOARD_N_STATUSES * 17.0 + SECTION_GAP;
  g_autofree char *senders = count_text (d->senders);
  g_autofree char *status_heading = fill (w->status_heading[d->senders == 1 ? 0 : 1], senders,
                                          NULL, NULL);
  const char *report_labels[] = { w->reports_made, w->reports_outdated, w->reports_not_possible };
  guint report_counts[] = { d->reports_made, d->reports_outdated, d->reports_not_possible };

  show (painter, status_heading, x, y, column_width, NORMAL, TRUE, ALIGN_LEFT, NULL);
  for (guint s = 0; s < RS_DASHBOARD_N_STATUSES; s++)
    {
      double row_y = y + 16 + s * 17.0;
      g_autofree char *value = count_text (d->statuses[s]);

      show (painter, w->statuses[s], x, row_y, column_width * 0.4, NORMAL, FALSE, ALIGN_LEFT,
            NULL);
      draw_bar (painter, x + column_width * 0.42, row_y + 1, column_width * 0.4, 9,
                d->senders > 0 ? (double) d->statuses[s] / d->senders : 0,
                &painter->style->accent);
      show (painter, value, x + column_width, row_y, 0, NORMAL, FALSE, ALIGN_RIGHT, NULL);
    }

  show (painter, w->reports_heading, reports_x, reports_y, column_width, NORMAL, TRUE,
        ALIGN_LEFT, NULL);
  for (guint r = 0; r < G_N_ELEMENTS (report_labels); r++)
    {
      double row_y = reports_y + 16 + r * 17.0;
      g_autofree char *value = count_text (report_counts[r]);

      show (painter, report_labels[r], reports_x, row_y, column_width - 50, NORMAL, FALSE,
            ALIGN_LEFT, NULL);
      show (painter, value, reports_x + column_width, row_y, 0, NORMAL, FALSE, ALIGN_RIGHT, NULL);
    }
}

/**
 * rs_dashboard_section_title:
 *
 * Returns: (transfer none): the heading of @section in @language
 */
const char *
rs_dashboard_section_title (RsDashboardSection  section,
                            const char         *language)
{
  g_return_val_if_fail (section < RS_DASHBOARD_N_SECTIONS, NULL);

  return words_for (language)->titles[section];
}

/**
 * rs_dashboard_section_height:
 *
 * Returns: the height @section wants when drawn @width wide, in points
 */
double
rs_dashboard_section_height (RsDashboard        *dashboard,
                             RsDashboardSection  section,
                             double              width)
{
  g_return_val_if_fail (dashboard != NULL, 0);

  switch (section)
    {
    case RS_DASHBOARD_SECTION_KEY_FIGURES:
      return key_figures_height (width);
    case RS_DASHBOARD_SECTION_DISTRIBUTION:
      return 150;
    case RS_DASHBOARD_SECTION_BANDS:
      return RS_N_RATINGS * 18.0;
    case RS_DASHBOARD_SECTION_PILLARS:
      return RS_N_PILLARS * 22.0;
    case RS_DASHBOARD_SECTION_HEATMAP:
      return 14 + RS_N_PILLARS * 30.0;
    case RS_DASHBOARD_SECTION_DEVELOPMENT:
      return MAX (dashboard->n_weakest_cells, 1) * 17.0;
    case RS_DASHBOARD_SECTION_TOP_COMPANIES:
      return (dashboard->top->len + 1) * ROW;
    case RS_DASHBOARD_SECTION_ATTENTION:
      return (dashboard->needing_attention->len + 1) * ROW;
    case RS_DASHBOARD_SECTION_PARTICIPATION:
      return participation_height (dashboard, width);
    case RS_DASHBOARD_SECTION_SENDING:
      return width >= 420 ? 16 + RS_DASHBOARD_N_STATUSES * 17.0
                          : 2 * 16 + (RS_DASHBOARD_N_STATUSES + 3) * 17.0 + SECTION_GAP;
    default:
      g_return_val_if_reached (0);
    }
}

/**
 * rs_dashboard_draw_section:
 * @style: (nullable): the colours; %NULL for the PDF's
 *
 * Draws @section without its heading in the rectangle given; cairo's state
 * is kept.
 */
void
rs_dashboard_draw_section (RsDashboard            *dashboard,
                           RsDashboardSection      section,
                           cairo_t                *cr,
                           const RsDashboardStyle *style,
                           const char             *language,
                           double                  x,
                           double                  y,
                           double                  width,
                           double                  height)
{
  Painter painter;

  g_return_if_fail (dashboard != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (section < RS_DASHBOARD_N_SECTIONS);

  cairo_save (cr);
  painter_init (&painter, dashboard, cr, style, language);

  if (dashboard->respondents == 0 && section != RS_DASHBOARD_SECTION_SENDING &&
      section != RS_DASHBOARD_SECTION_KEY_FIGURES)
    {
      Rgb label_colour = muted (&painter);

      show (&painter, painter.words->no_data, x, y, width, NORMAL, FALSE, ALIGN_LEFT,
            &label_colour);
    }
  else
    {
      switch (section)
        {
        case RS_DASHBOARD_SECTION_KEY_FIGURES:
          draw_key_figures (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_DISTRIBUTION:
          draw_distribution (&painter, x, y, width, height);
          break;
        case RS_DASHBOARD_SECTION_BANDS:
          draw_bands (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_PILLARS:
          draw_pillars (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_HEATMAP:
          draw_heatmap (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_DEVELOPMENT:
          draw_development (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_TOP_COMPANIES:
          draw_companies (&painter, FALSE, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_ATTENTION:
          draw_companies (&painter, TRUE, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_PARTICIPATION:
          draw_participation (&painter, x, y, width);
          break;
        case RS_DASHBOARD_SECTION_SENDING:
          draw_sending (&painter, x, y, width);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  painter_clear (&painter);
  cairo_restore (cr);
}

/**
 * rs_dashboard_section_describe:
 *
 * Returns: (transfer full): the numbers of @section as lines of plain text
 *   in @language, for an accessible description or a copy
 */
char *
rs_dashboard_section_describe (RsDashboard        *dashboard,
                               RsDashboardSection  section,
                               const char         *language)
{
  g_autoptr(GString) out = g_string_new (NULL);
  Painter painter = { 0 };
  const DashboardText *w;
  const RsReportText *t;
  RsDashboard *d = dashboard;

  g_return_val_if_fail (dashboard != NULL, NULL);
  g_return_val_if_fail (section < RS_DASHBOARD_N_SECTIONS, NULL);

  painter.words = w = words_for (language);
  painter.text = t = rs_report_text_get (language);
  painter.dashboard = dashboard;

  switch (section)
    {
    case RS_DASHBOARD_SECTION_KEY_FIGURES:
      {
        Tile tiles[10];
        guint n = key_tiles (&painter, tiles);

        for (guint i = 0; i < n; i++)
          {
            g_string_append_printf (out, "%s: %s\n", tiles[i].label, tiles[i].value);
            g_free (tiles[i].value);
          }
      }
      break;
    case RS_DASHBOARD_SECTION_DISTRIBUTION:
      {
        g_autofree char *mean = number (&painter, d->average, 2);
        g_autofree char *line = fill (w->average_line, mean, NULL, NULL);

        g_string_append_printf (out, "%s\n", line);
        for (guint i = 0; i < RS_DASHBOARD_N_BINS; i++)
          {
            g_autofree char *from = number (&painter, i * 0.25, 2);
            g_autofree char *to = number (&painter, (i + 1) * 0.25, 2);

            if (d->bins[i] > 0)
              g_string_append_printf (out, "%s–%s: %u\n", from, to, d->bins[i]);
          }
      }
      break;
    case RS_DASHBOARD_SECTION_BANDS:
      for (guint i = 0; i < RS_N_RATINGS; i++)
        {
          RsRating band = band_order[i];
          g_autofree char *share = share_text (&painter, d->bands[band]);

          g_string_append_printf (out, "%s (%s): %s\n", w->bands[band], w->band_ranges[band],
                                  share);
        }
      break;
    case RS_DASHBOARD_SECTION_PILLARS:
      for (guint p = 0; p < RS_N_PILLARS; p++)
        {
          g_autofree char *value = stat_text (&painter, &d->pillars[p]);

          g_string_append_printf (out, "%s: %s (n=%u)\n", t->pillars[p], value, d->pillars[p].n);
        }
      break;
    case RS_DASHBOARD_SECTION_HEATMAP:
      for (guint i = 0; i < RS_N_SCORES; i++)
        {
          const RsDashboardCell *cell = &d->cells[i];
          g_autofree char *mean = number (&painter, cell->mean, 2);

          g_string_append_printf (out, "%s · %s: %s (n=%u)\n", t->pillars[cell->pillar],
                                  t->dimensions[cell->dimension], mean, cell->n);
        }
      break;
    case RS_DASHBOARD_SECTION_DEVELOPMENT:
      for (guint i = 0; i < d->n_weakest_cells; i++)
        {
          const RsDashboardCell *cell = &d->weakest_cells[i];
          g_autofree char *mean = number (&painter, cell->mean, 2);

          g_string_append_printf (out, "%u. %s · %s: %s (n=%u)\n", i + 1,
                                  t->pillars[cell->pillar], t->dimensions[cell->dimension],
                                  mean, cell->n);
        }
      break;
    case RS_DASHBOARD_SECTION_TOP_COMPANIES:
    case RS_DASHBOARD_SECTION_ATTENTION:
      {
        gboolean attention = section == RS_DASHBOARD_SECTION_ATTENTION;
        GPtrArray *companies = attention ? d->needing_attention : d->top;

        if (companies->len == 0)
          g_string_append_printf (out, "%s\n", w->no_companies);
        for (guint i = 0; i < companies->len; i++)
          {
            const RsDashboardCompany *company = g_ptr_array_index (companies, i);
            g_autofree char *overall = number (&painter, company->overall, 2);

            g_string_append_printf (out, "%u. %s: %s %u, %s %s", i + 1, company->name,
                                    w->respondents, company->respondents, w->overall, overall);
            for (guint p = 0; p < RS_N_PILLARS; p++)
              {
                g_autofree char *mean = NULL;

                if (attention && (int) p != company->weakest_pillar)
                  continue;
                mean = number (&painter, company->pillars[p], 2);
                if (attention)
                  g_string_append_printf (out, ", %s %s %s", w->weakest_pillar, t->pillars[p],
                                          mean);
                else
                  g_string_append_printf (out, ", %s %s", t->pillars[p], mean);
              }
            g_string_append_c (out, '\n');
          }
      }
      break;
    case RS_DASHBOARD_SECTION_PARTICIPATION:
      g_string_append_printf (out, "%s:\n", w->groups_heading);
      for (guint g = 0; g < RS_DASHBOARD_N_GROUPS; g++)
        g_string_append_printf (out, "%s: %u\n", w->groups[g], d->participation[g]);
      g_string_append_printf (out, "%s:\n", w->largest_heading);
      for (guint i = 0; i < d->largest->len; i++)
        {
          const RsDashboardCompany *company = g_ptr_array_index (d->largest, i);

          g_string_append_printf (out, "%u. %s: %u\n", i + 1, company->name,
                                  company->respondents);
        }
      break;
    case RS_DASHBOARD_SECTION_SENDING:
      {
        g_autofree char *senders = count_text (d->senders);
        g_autofree char *heading = fill (w->status_heading[d->senders == 1 ? 0 : 1], senders,
                                         NULL, NULL);

        g_string_append_printf (out, "%s:\n", heading);
        for (guint s = 0; s < RS_DASHBOARD_N_STATUSES; s++)
          g_string_append_printf (out, "%s: %u\n", w->statuses[s], d->statuses[s]);
        g_string_append_printf (out, "%s:\n%s: %u\n%s: %u\n%s: %u\n", w->reports_heading,
                                w->reports_made, d->reports_made, w->reports_outdated,
                                d->reports_outdated, w->reports_not_possible,
                                d->reports_not_possible);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * rs_dashboard_draw_heading:
 * @style: (nullable): the colours; %NULL for the PDF's
 *
 * Returns: the height the heading took, the gap below it included
 */
double
rs_dashboard_draw_heading (cairo_t                *cr,
                           const RsDashboardStyle *style,
                           const char             *text,
                           double                  x,
                           double                  y,
                           double                  width)
{
  Painter painter;
  double height;

  g_return_val_if_fail (cr != NULL, 0);
  g_return_val_if_fail (text != NULL, 0);

  cairo_save (cr);
  painter_init (&painter, NULL, cr, style, "en");
  height = show (&painter, text, x, y, width, 11.5, TRUE, ALIGN_LEFT, NULL);
  painter_clear (&painter);
  cairo_restore (cr);

  return height + HEADING_GAP;
}

/* Which sections go on which page of the PDF */
static const RsDashboardSection page_sections[][5] = {
  { RS_DASHBOARD_SECTION_KEY_FIGURES, RS_DASHBOARD_SECTION_DISTRIBUTION,
    RS_DASHBOARD_SECTION_BANDS, RS_DASHBOARD_SECTION_PILLARS, RS_DASHBOARD_N_SECTIONS },
  { RS_DASHBOARD_SECTION_HEATMAP, RS_DASHBOARD_SECTION_DEVELOPMENT,
    RS_DASHBOARD_SECTION_TOP_COMPANIES, RS_DASHBOARD_SECTION_ATTENTION,
    RS_DASHBOARD_N_SECTIONS },
  { RS_DASHBOARD_SECTION_PARTICIPATION, RS_DASHBOARD_SECTION_SENDING,
    RS_DASHBOARD_N_SECTIONS },
};

guint
rs_dashboard_get_n_pages (RsDashboard *dashboard)
{
  g_return_val_if_fail (dashboard != NULL, 0);

  return G_N_ELEMENTS (page_sections);
}

/* With the institution's closing block (its notice and partner logos),
 * pages of its own at the end: as many as a long notice takes, above the
 * page numbers. */
#define CLOSING_WIDTH (RS_REPORT_PAGE_WIDTH - 2 * MARGIN)
#define CLOSING_BOTTOM (RS_REPORT_PAGE_HEIGHT - 30.0)
static guint
n_pages_with (RsDashboard      *dashboard,
              const RsBranding *branding,
              const char       *language)
{
  return rs_dashboard_get_n_pages (dashboard) +
         rs_branding_get_closing_pages (branding, language, CLOSING_WIDTH, MARGIN, MARGIN,
                                        CLOSING_BOTTOM);
}

static void draw_page (RsDashboard      *dashboard,
                       const RsBranding *branding,
                       cairo_t          *cr,
                       const char       *language,
                       guint             page);

/**
 * rs_dashboard_draw_page:
 *
 * Draws page @page of the dashboard PDF (A4 portrait in points, white) on
 * @cr: the title on the first, the page number at the foot of each.
 */
void
rs_dashboard_draw_page (RsDashboard *dashboard,
                        cairo_t     *cr,
                        const char  *language,
                        guint        page)
{
  g_return_if_fail (dashboard != NULL);
  g_return_if_fail (page < rs_dashboard_get_n_pages (dashboard));

  draw_page (dashboard, NULL, cr, language, page);
}

/* A page of the PDF with the institution's look, when there is one: its
 * logo and name above the title, its footer line and the page numbers at
 * the foot of each page, and its closing block on a last page. */
static void
draw_page (RsDashboard      *dashboard,
           const RsBranding *branding,
           cairo_t          *cr,
           const char       *language,
           guint             page)
{
  const RsDashboardStyle *style = &print_style;
  const DashboardText *w = words_for (language);
  double width = RS_REPORT_PAGE_WIDTH - 2 * MARGIN;
  double y = MARGIN;
  Painter painter;

  guint n_pages = n_pages_with (dashboard, branding, language);

  cairo_save (cr);
  set_rgb (cr, &style->background);
  cairo_paint (cr);
  painter_init (&painter, dashboard, cr, style, language);

  if (page >= G_N_ELEMENTS (page_sections))
    {
      rs_branding_draw_closing_page (branding, cr, language, MARGIN, CLOSING_WIDTH, MARGIN,
                                     MARGIN, CLOSING_BOTTOM,
                                     page - G_N_ELEMENTS (page_sections));
      rs_branding_draw_footer (branding, cr, language, page, n_pages, RS_REPORT_PAGE_WIDTH,
                               RS_REPORT_PAGE_HEIGHT, MARGIN);
      painter_clear (&painter);
      cairo_restore (cr);
      return;
    }

  if (page == 0 && !rs_branding_is_empty (branding))
    {
      double logo_width = 0;

      y += rs_branding_draw_header (branding, cr, MARGIN, y, width, &logo_width) + 8;
    }

  if (page == 0)
    {
      g_autofree char *date = g_date_time_format (dashboard->computed_at, "%Y-%m-%d %H:%M");
      g_autofree char *n_respondents = count_text (dashboard->respondents);
      g_autofree char *n_companies = count_text (dashboard->companies);
      g_autofree char *respondents = fill (w->n_respondents[dashboard->respondents == 1 ? 0 : 1],
                                           n_respondents, NULL, NULL);
      g_autofree char *companies = fill (w->n_companies[dashboard->companies == 1 ? 0 : 1],
                                         n_companies, NULL, NULL);
      g_autofree char *line = fill (w->computed, date, respondents, companies);
      Rgb sub = muted (&painter);

      y += show (&painter, w->heading, MARGIN, y, width, 20.0, TRUE, ALIGN_LEFT, NULL);
      y += show (&painter, line, MARGIN, y + 2, width, NORMAL, FALSE, ALIGN_LEFT, &sub) + 16;
    }

  for (guint i = 0; i < G_N_ELEMENTS (page_sections[page]); i++)
    {
      RsDashboardSection section = page_sections[page][i];
      double height;

      if (section == RS_DASHBOARD_N_SECTIONS)
        break;
      y += rs_dashboard_draw_heading (cr, style, w->titles[section], MARGIN, y, width);
      height = dashboard->respondents == 0 && section != RS_DASHBOARD_SECTION_SENDING &&
               section != RS_DASHBOARD_SECTION_KEY_FIGURES
               ? ROW : rs_dashboard_section_height (dashboard, section, width);
      rs_dashboard_draw_section (dashboard, section, cr, style, language, MARGIN, y, width,
                                 height);
      y += height + SECTION_GAP;
    }

  if (!rs_branding_is_empty (branding))
    {
      rs_branding_draw_footer (branding, cr, language, page, n_pages, RS_REPORT_PAGE_WIDTH,
                               RS_REPORT_PAGE_HEIGHT, MARGIN);
    }
  else
    {
      g_autofree char *number_text = g_strdup_printf ("%u", page + 1);
      g_autofree char *pages = g_strdup_printf ("%u", n_pages);
      g_autofree char *foot = fill (w->page, number_text, pages, NULL);
      Rgb sub = muted (&painter);

      show (&painter, foot, RS_REPORT_PAGE_WIDTH - MARGIN, RS_REPORT_PAGE_HEIGHT - 30, 0, SMALL,
            FALSE, ALIGN_RIGHT, &sub);
    }

  painter_clear (&painter);
  cairo_restore (cr);
}

static gboolean
set_write_error (GError     **error,
                 const char  *path,
                 const char  *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  /* Translators: the first %s is a file path, the second the reason. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Could not write the dashboard “%s”: %s"), display, reason);

  return FALSE;
}


/**
 * rs_dashboard_write_pdf:
 *
 * Writes the dashboard PDF with the institution's look of Preferences, if
 * any (see rs_dashboard_write_pdf_branded()).
 */
gboolean
rs_dashboard_write_pdf (RsDashboard  *self,
                        const char   *language,
                        const char   *path,
                        GError      **error)
{
  g_autoptr(RsBranding) branding = rs_branding_load_default (NULL);

  return rs_dashboard_write_pdf_branded (self, branding, language, path, error);
}

/**
 * rs_dashboard_write_pdf_branded:
 * @branding: (nullable): the institution's look, or %NULL for none
 */
typedef struct
{
  RsDashboard *dashboard;
  const RsBranding *branding;
  const char *language;
} PdfPages;

static void
draw_pdf_page (cairo_t  *cr,
               guint     page,
               gpointer  user_data)
{
  PdfPages *pages = user_data;

  draw_page (pages->dashboard, pages->branding, cr, pages->language, page);
}

gboolean
rs_dashboard_write_pdf_branded (RsDashboard      *self,
                                const RsBranding *branding,
                                const char       *language,
                                const char       *path,
                                GError          **error)
{
  g_autofree char *date = NULL;
  g_autofree char *reason = NULL;
  PdfPages pages = { self, branding, language };
  RsPdfDocument document = {
    .width = RS_REPORT_PAGE_WIDTH,
    .height = RS_REPORT_PAGE_HEIGHT,
    /* A symbolic link at @path keeps pointing to the new PDF, and a file
     * that was there keeps its permissions. */
    .through_links = TRUE,
    .sync_always = TRUE,
  };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  date = g_date_time_format (self->computed_at, "%Y-%m-%d");
  document.title = words_for (language)->document_title;
  document.subject = date;

  if (!rs_pdf_write_atomically (path, &document, n_pages_with (self, branding, language),
                                draw_pdf_page, &pages, &reason))
    return set_write_error (error, path, reason);

  return TRUE;
}

typedef struct
{
  RsDashboard *dashboard;
  char *language;
  char *path;
} WriteData;

static void
write_data_free (gpointer data)
{
  WriteData *write = data;

  rs_dashboard_unref (write->dashboard);
  g_free (write->language);
  g_free (write->path);
  g_free (write);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  WriteData *data = task_data;
  g_autoptr(GError) error = NULL;

  rs_thread_set_background ();
  if (rs_dashboard_write_pdf (data->dashboard, data->language, data->path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
rs_dashboard_write_pdf_async (RsDashboard         *self,
                              const char          *language,
                              const char          *path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (path != NULL);

  data = g_new0 (WriteData, 1);
  data->dashboard = rs_dashboard_ref (self);
  data->language = g_strdup (language);
  data->path = g_strdup (path);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_dashboard_write_pdf_async);
  g_task_set_task_data (task, data, write_data_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
rs_dashboard_write_pdf_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
