/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-dashboard.h"
#include "core/rs-store.h"

G_BEGIN_DECLS

#define RS_TYPE_OVERVIEW_PAGE (rs_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (RsOverviewPage, rs_overview_page, RS, OVERVIEW_PAGE, AdwBin)

void         rs_overview_page_set_store     (RsOverviewPage *self,
                                             RsStore        *store);
RsDashboard *rs_overview_page_get_dashboard (RsOverviewPage *self);
gboolean     rs_overview_page_get_computing (RsOverviewPage *self);
void         rs_overview_page_refresh       (RsOverviewPage *self);

G_END_DECLS
