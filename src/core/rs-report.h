/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "rs-benchmark.h"
#include "rs-branding.h"
#include "rs-scores.h"

G_BEGIN_DECLS

#define RS_REPORT_ERROR (rs_report_error_quark ())

typedef enum
{
  RS_REPORT_ERROR_INSUFFICIENT_DATA,
  RS_REPORT_ERROR_FAILED,
} RsReportError;

/* Everything one report is drawn from. Strings are UTF-8 and borrowed. */
typedef struct
{
  const char *company;
  const char *person;
  const char *function;
  const char *survey_date;
  const char *language;            /* "nl" or "en" */
  double scores[RS_N_SCORES];      /* NAN when missing */
  guint company_respondents;       /* N: respondents of this company, this one included */
  double company_means[RS_N_SCORES]; /* per-dimension means over the company; NAN when missing */
  RsBenchmark benchmark;           /* the peer benchmark; not shown when all zero */
  const RsBranding *branding;      /* the institution's look; NULL for none */
} RsReportInput;

/* A4 portrait, in PDF points. */
#define RS_REPORT_PAGE_WIDTH 595.276
#define RS_REPORT_PAGE_HEIGHT 841.89

GQuark   rs_report_error_quark   (void);
gboolean rs_report_check         (const RsReportInput  *input,
                                  GError              **error);
guint    rs_report_get_n_pages   (const RsReportInput  *input);
void     rs_report_draw_page     (const RsReportInput  *input,
                                  cairo_t              *cr,
                                  guint                 page);
gboolean rs_report_write_pdf     (const RsReportInput  *input,
                                  const char           *path,
                                  GError              **error);
char    *rs_report_file_name     (const char           *company,
                                  const char           *person,
                                  GDateTime            *made);
char    *rs_report_file_name_full (const char          *company,
                                  const char           *person,
                                  GDateTime            *made,
                                  guint                 copy,
                                  const char           *tag);
char    *rs_report_file_name_get_tag (const char      *file_name);
char    *rs_report_attachment_name (const char        *path);
char    *rs_report_input_hash    (const RsReportInput  *input);

gboolean rs_report_get_chart_geometry (const RsReportInput *input,
                                       guint                page,
                                       guint                chart,
                                       double              *center_x,
                                       double              *center_y,
                                       double              *radius);

G_END_DECLS
