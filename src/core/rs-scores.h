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
guint       rs_scores_count       (const double scores[RS_N_SCORES]);

G_END_DECLS
