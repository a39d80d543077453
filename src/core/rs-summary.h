/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

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
void       rs_summary_load_async  (RsStore              *store,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean   rs_summary_load_finish (GAsyncResult         *result,
                                   RsSummary            *summary,
                                   GError              **error);

G_END_DECLS
