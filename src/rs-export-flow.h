/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-store.h"

G_BEGIN_DECLS

#define RS_TYPE_EXPORT_FLOW (rs_export_flow_get_type ())
G_DECLARE_FINAL_TYPE (RsExportFlow, rs_export_flow, RS, EXPORT_FLOW, GObject)

RsExportFlow   *rs_export_flow_run            (GtkWindow       *parent,
                                               AdwToastOverlay *toasts,
                                               RsStore         *store,
                                               GArray          *visible_ids,
                                               GCancellable    *cancellable);
void            rs_export_flow_cancel         (RsExportFlow    *self);
GtkFileChooser *rs_export_flow_get_chooser    (RsExportFlow    *self);
GFile          *rs_export_flow_get_file       (RsExportFlow    *self);
gint64          rs_export_flow_get_n_written  (RsExportFlow    *self);

G_END_DECLS
