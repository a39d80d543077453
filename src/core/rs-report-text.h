/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-scores.h"

G_BEGIN_DECLS

/* The report's own words, chosen by the respondent's language rather than the
 * desktop's, so they are not gettext messages. Templates take "{1}", "{2}",
 * "{3}" for their arguments (see rs_report_text_fill()). */
typedef struct
{
  const char *heading;
  const char *respondents;            /* {1} = N */
  const char *this_report;            /* {1} = person */
  const char *this_report_function;   /* {1} = person, {2} = function */
  const char *survey_date;            /* {1} = date */
  const char *overall_line;           /* {1} = score, {2} = maximum */
  const char *pillar_titles[RS_N_PILLARS];
  const char *pillar_title;           /* {1} = pillar title, {2} = μ */
  const char *overall_title;          /* {1} = score */
  const char *company_heading;
  const char *company_sentence;       /* {1} = N, {2} = company */
  const char *company_pillar_title;   /* {1} = pillar title */
  const char *company_overall_title;
  const char *company_mean_line;      /* {1} = μ, {2} = N */
  const char *company_overall_line;   /* {1} = score, {2} = maximum, {3} = N */
  const char *summary_heading;
  const char *overall_score;          /* {1} = rating, {2} = score, {3} = maximum */
  const char *ratings[RS_N_RATINGS];
  const char *strongest_pillar;       /* {1} = pillar, {2} = μ */
  const char *priority_pillar;        /* {1} = pillar, {2} = μ */
  const char *gap_significant;        /* {1} = gap */
  const char *gap_balanced;           /* {1} = gap */
  const char *insights_heading;
  const char *insight_pillar;         /* {1} = pillar, {2} = μ */
  const char *strongest_dimension;    /* {1} = dimension, {2} = score */
  const char *weakest_dimension;      /* {1} = dimension, {2} = score */
  const char *no_scores;
  const char *pillars[RS_N_PILLARS];
  const char *dimensions[RS_N_DIMENSIONS];
  const char *strong_sentences[RS_N_DIMENSIONS];
  const char *weak_sentences[RS_N_DIMENSIONS];
  const char *not_available;
  const char *document_title;         /* {1} = company, {2} = person */
  const char *page_number;            /* {1} = page, {2} = pages */
  const char *benchmark_heading;
  const char *benchmark_sentence;
  const char *benchmark_columns[3];   /* value, mean, percentile rank */
  const char *benchmark_overall;
  const char *benchmark_percentile;   /* {1} = rank */
  const char *benchmark_note;
  char decimal_separator;
} RsReportText;

const RsReportText *rs_report_text_get    (const char          *language);
gboolean            rs_report_text_is_nl  (const char          *language);
char               *rs_report_text_fill   (const char          *template_,
                                           const char          *arg1,
                                           const char          *arg2,
                                           const char          *arg3);
char               *rs_report_text_number (const RsReportText  *text,
                                           double               value,
                                           guint                decimals);

G_END_DECLS
