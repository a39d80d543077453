/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The 15 dimension scores: pillar-major, pillars up, in, do; dimensions
 * r, c, f, v, a. A missing score is NAN. */
#define RS_N_PILLARS 3
#define RS_N_DIMENSIONS 5
#define RS_N_SCORES (RS_N_PILLARS * RS_N_DIMENSIONS)

#define RS_SCORE_INDEX(pillar, dimension) ((pillar) * RS_N_DIMENSIONS + (dimension))

const char *rs_scores_column_name (guint        index);
double      rs_scores_parse       (const char  *text);
double      rs_scores_parse_unclamped (const char *text);
double      rs_scores_clamp       (double       value);
guint       rs_scores_count       (const double scores[RS_N_SCORES]);

/* The report's numbers. Pillars are 0..2 (up, in, do), dimensions 0..4
 * (r, c, f, v, a), as in RS_SCORE_INDEX. */
typedef enum
{
  RS_RATING_EXCELLENT,
  RS_RATING_GOOD,
  RS_RATING_AVERAGE,
  RS_RATING_BELOW_AVERAGE,
  RS_RATING_NEEDS_IMPROVEMENT,
} RsRating;

#define RS_N_RATINGS 5

double   rs_scores_round               (double        value,
                                        guint         decimals);
double   rs_scores_pillar_mean         (const double  scores[RS_N_SCORES],
                                        guint         pillar);
double   rs_scores_overall             (const double  scores[RS_N_SCORES]);
double   rs_scores_dimension_mean      (const double  scores[RS_N_SCORES],
                                        guint         dimension);
gboolean rs_scores_pillar_extremes     (const double  scores[RS_N_SCORES],
                                        guint        *strongest,
                                        guint        *weakest);
guint    rs_scores_strongest_dimension (const double  scores[RS_N_SCORES],
                                        guint         pillar);
guint    rs_scores_weakest_dimension   (const double  scores[RS_N_SCORES],
                                        guint         pillar);
RsRating rs_scores_rating              (double        overall);
RsRating rs_scores_rating_of_shown     (double        shown);

G_END_DECLS
