/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/rs-report-job.h"

G_BEGIN_DECLS

#define RS_TYPE_REPORT_PREVIEW (rs_report_preview_get_type ())
G_DECLARE_FINAL_TYPE (RsReportPreview, rs_report_preview, RS, REPORT_PREVIEW, GtkWidget)

GtkWidget *rs_report_preview_new        (void);
void       rs_report_preview_set_source (RsReportPreview *self,
                                         RsReportSource  *source);
guint      rs_report_preview_get_n_pages (RsReportPreview *self);

G_END_DECLS
