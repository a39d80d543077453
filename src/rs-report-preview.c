/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-report-preview"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-report-preview.h"

/* A respondent's report drawn live by the same code that writes the PDF,
 * its pages one under the other at the width of the widget. */

#define GAP 12.0

struct _RsReportPreview
{
  GtkWidget parent_instance;

  RsReportSource *source;
};

G_DEFINE_FINAL_TYPE (RsReportPreview, rs_report_preview, GTK_TYPE_WIDGET)

GtkWidget *
rs_report_preview_new (void)
{
  return g_object_new (RS_TYPE_REPORT_PREVIEW, NULL);
}

/**
 * rs_report_preview_set_source:
 * @source: (transfer full) (nullable): what to draw
 */
void
rs_report_preview_set_source (RsReportPreview *self,
                              RsReportSource  *source)
{
  g_return_if_fail (RS_IS_REPORT_PREVIEW (self));

  g_clear_pointer (&self->source, rs_report_source_free);
  self->source = source;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
rs_report_preview_get_n_pages (RsReportPreview *self)
{
  g_return_val_if_fail (RS_IS_REPORT_PREVIEW (self), 0);

  if (self->source == NULL || !rs_report_check (&self->source->input, NULL))
    return 0;

  return rs_report_get_n_pages (&self->source->input);
}

static void
rs_report_preview_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  RsReportPreview *self = RS_REPORT_PREVIEW (widget);
  guint pages = rs_report_preview_get_n_pages (self);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = (int) RS_REPORT_PAGE_WIDTH;
      return;
    }

  if (for_size < 0)
    for_size = (int) RS_REPORT_PAGE_WIDTH;
  *minimum = *natural = (int) (pages * (for_size * RS_REPORT_PAGE_HEIGHT / RS_REPORT_PAGE_WIDTH) +
                               (pages > 0 ? (pages - 1) * GAP : 0));
}

static GtkSizeRequestMode
rs_report_preview_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
rs_report_preview_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  RsReportPreview *self = RS_REPORT_PREVIEW (widget);
  guint pages = rs_report_preview_get_n_pages (self);
  double width = gtk_widget_get_width (widget);
  double scale = width / RS_REPORT_PAGE_WIDTH;
  double page_height = RS_REPORT_PAGE_HEIGHT * scale;

  for (guint page = 0; page < pages; page++)
    {
      graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, page * (page_height + GAP), width,
                                                   page_height);
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

      cairo_translate (cr, bounds.origin.x, bounds.origin.y);
      cairo_rectangle (cr, 0, 0, width, page_height);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_fill (cr);
      cairo_scale (cr, scale, scale);
      rs_report_draw_page (&self->source->input, cr, page);
      cairo_destroy (cr);
    }
}

static void
rs_report_preview_finalize (GObject *object)
{
  RsReportPreview *self = (RsReportPreview *)object;

  g_clear_pointer (&self->source, rs_report_source_free);

  G_OBJECT_CLASS (rs_report_preview_parent_class)->finalize (object);
}

static void
rs_report_preview_class_init (RsReportPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = rs_report_preview_finalize;

  widget_class->measure = rs_report_preview_measure;
  widget_class->get_request_mode = rs_report_preview_get_request_mode;
  widget_class->snapshot = rs_report_preview_snapshot;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
rs_report_preview_init (RsReportPreview *self)
{
}
