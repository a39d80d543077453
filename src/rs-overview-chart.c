/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-overview-chart"

#include "config.h"

#include <math.h>

#include "rs-overview-chart.h"

/* One section of the round overview, drawn by the dashboard's own code: as
 * tall as its figures want at the width it is given (height for width), an
 * image to assistive technology with the numbers as its description. */

#define MIN_WIDTH 280

struct _RsOverviewChart
{
  GtkWidget parent_instance;

  RsDashboardSection section;
  RsDashboard *dashboard;
  RsDashboardStyle style;
};

G_DEFINE_FINAL_TYPE (RsOverviewChart, rs_overview_chart, GTK_TYPE_WIDGET)

GtkWidget *
rs_overview_chart_new (RsDashboardSection section)
{
  RsOverviewChart *self = g_object_new (RS_TYPE_OVERVIEW_CHART,
                                        "accessible-role", GTK_ACCESSIBLE_ROLE_IMG,
                                        NULL);

  self->section = section;

  return GTK_WIDGET (self);
}

/* Shows @dashboard's figures of the section, in @style's colours. */
void
rs_overview_chart_set_dashboard (RsOverviewChart        *self,
                                 RsDashboard            *dashboard,
                                 const RsDashboardStyle *style)
{
  g_return_if_fail (RS_IS_OVERVIEW_CHART (self));

  if (dashboard != self->dashboard)
    {
      int width = gtk_widget_get_width (GTK_WIDGET (self));
      /* Laid out again only when the new figures want another height at
       * the width it has: most refreshes only draw again. */
      gboolean resize = self->dashboard == NULL || dashboard == NULL || width <= 0 ||
                        ceil (rs_dashboard_section_height (self->dashboard, self->section, width)) !=
                        ceil (rs_dashboard_section_height (dashboard, self->section, width));

      g_clear_pointer (&self->dashboard, rs_dashboard_unref);
      self->dashboard = dashboard != NULL ? rs_dashboard_ref (dashboard) : NULL;
      if (resize)
        gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  self->style = *style;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Takes @dashboard, newer figures in which this section's are the same as
 * shown, without drawing again: a refresh after a change of statuses
 * redraws only the sections it changed. */
void
rs_overview_chart_keep_figures (RsOverviewChart *self,
                                RsDashboard     *dashboard)
{
  g_return_if_fail (RS_IS_OVERVIEW_CHART (self));
  g_return_if_fail (dashboard != NULL);

  if (self->dashboard == NULL)
    return;

  g_clear_pointer (&self->dashboard, rs_dashboard_unref);
  self->dashboard = rs_dashboard_ref (dashboard);
}

static GtkSizeRequestMode
rs_overview_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
rs_overview_chart_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  RsOverviewChart *self = RS_OVERVIEW_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = *natural = MIN_WIDTH;
      return;
    }

  if (self->dashboard == NULL)
    {
      *minimum = *natural = 0;
      return;
    }

  *minimum = *natural =
    (int) ceil (rs_dashboard_section_height (self->dashboard, self->section,
                                             for_size > 0 ? for_size : MIN_WIDTH));
}

static void
rs_overview_chart_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  RsOverviewChart *self = RS_OVERVIEW_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (self->dashboard == NULL || width <= 0 || height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  rs_dashboard_draw_section (self->dashboard, self->section, cr, &self->style,
                             rs_dashboard_app_language (), 0, 0, width, height);
  cairo_destroy (cr);
}

static void
rs_overview_chart_finalize (GObject *object)
{
  RsOverviewChart *self = RS_OVERVIEW_CHART (object);

  g_clear_pointer (&self->dashboard, rs_dashboard_unref);

  G_OBJECT_CLASS (rs_overview_chart_parent_class)->finalize (object);
}

static void
rs_overview_chart_class_init (RsOverviewChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = rs_overview_chart_finalize;
  widget_class->get_request_mode = rs_overview_chart_get_request_mode;
  widget_class->measure = rs_overview_chart_measure;
  widget_class->snapshot = rs_overview_chart_snapshot;
  gtk_widget_class_set_css_name (widget_class, "overview-chart");
}

static void
rs_overview_chart_init (RsOverviewChart *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}
