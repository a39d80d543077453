/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-companies.h"
#include "core/rs-store.h"

G_BEGIN_DECLS

#define RS_TYPE_COMPANIES_WINDOW (rs_companies_window_get_type ())
G_DECLARE_FINAL_TYPE (RsCompaniesWindow, rs_companies_window, RS, COMPANIES_WINDOW, AdwWindow)

RsCompaniesWindow *rs_companies_window_new           (GtkWindow         *parent,
                                                      RsStore           *store);
/* What the window shows now, for tests; %NULL until it is read */
const RsCompanies *rs_companies_window_get_companies (RsCompaniesWindow *self);
gboolean           rs_companies_window_get_busy      (RsCompaniesWindow *self);

G_END_DECLS
