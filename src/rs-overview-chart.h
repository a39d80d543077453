/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/rs-dashboard-draw.h"

G_BEGIN_DECLS

#define RS_TYPE_OVERVIEW_CHART (rs_overview_chart_get_type ())
G_DECLARE_FINAL_TYPE (RsOverviewChart, rs_overview_chart, RS, OVERVIEW_CHART, GtkWidget)

GtkWidget *rs_overview_chart_new           (RsDashboardSection       section);
void       rs_overview_chart_set_dashboard (RsOverviewChart         *self,
                                            RsDashboard             *dashboard,
                                            const RsDashboardStyle  *style);
void       rs_overview_chart_keep_figures  (RsOverviewChart         *self,
                                            RsDashboard             *dashboard);

G_END_DECLS
