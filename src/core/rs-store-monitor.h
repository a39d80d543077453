/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-store.h"

G_BEGIN_DECLS

#define RS_TYPE_STORE_MONITOR (rs_store_monitor_get_type ())
G_DECLARE_FINAL_TYPE (RsStoreMonitor, rs_store_monitor, RS, STORE_MONITOR, GObject)

RsStoreMonitor *rs_store_monitor_new (RsStore *store,
                                      guint    interval_ms);

G_END_DECLS
