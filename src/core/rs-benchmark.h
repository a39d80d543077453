/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "rs-scores.h"
#include "rs-store.h"

G_BEGIN_DECLS

/* The peer benchmark of the personal report (shared/spec/DASHBOARD.md):
 * a respondent against the population, every respondent who is not a test
 * entry and has at least 5 of the 15 scores. */

#define RS_BENCHMARK_MIN_POPULATION 10
/* The three pillars, then the overall SCRES. */
#define RS_BENCHMARK_N_ROWS (RS_N_PILLARS + 1)
#define RS_BENCHMARK_OVERALL RS_N_PILLARS

/* What the block shows; all zero when it is left out. */
typedef struct
{
  gboolean shown;
  double value[RS_BENCHMARK_N_ROWS];   /* the respondent's, NAN when missing */
  double mean[RS_BENCHMARK_N_ROWS];    /* the population's, NAN when nobody has it */
  int percentile[RS_BENCHMARK_N_ROWS]; /* 0 to 100, -1 with a missing value */
} RsBenchmark;

typedef struct _RsPopulation RsPopulation;

RsPopulation *rs_population_new        (void);
void          rs_population_free       (RsPopulation       *population);
void          rs_population_add        (RsPopulation       *population,
                                        const double        scores[RS_N_SCORES]);
void          rs_population_seal       (RsPopulation       *population);
guint         rs_population_get_size   (const RsPopulation *population);
void          rs_population_benchmark  (const RsPopulation *population,
                                        const double        scores[RS_N_SCORES],
                                        RsBenchmark        *benchmark);
RsPopulation *rs_population_load       (sqlite3            *db,
                                        GError            **error);

char         *rs_benchmark_key         (const RsBenchmark  *benchmark);
gboolean      rs_benchmark_outdate_reports (sqlite3        *db,
                                        gint64              change,
                                        GError            **error);
gboolean      rs_benchmark_setting_changed (RsStore        *store,
                                        gboolean            enabled,
                                        GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsPopulation, rs_population_free)

G_END_DECLS
