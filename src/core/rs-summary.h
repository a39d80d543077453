/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "rs-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint respondents;
  guint companies;
  guint pending;
  guint sending;
  guint sent;
  guint failed;
  guint unknown;
  guint flagged;
  guint reports_ready;
} RsSummary;

gboolean   rs_summary_load        (RsStore              *store,
                                   RsSummary            *summary,
                                   GError              **error);

G_END_DECLS
