/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "rs-scores.h"

G_BEGIN_DECLS

/* What several core units share about the tables. */

/* The 15 score columns of respondent, in the order of the scores. */
#define RS_STORE_SCORE_COLUMNS \
  "up_r, up_c, up_f, up_v, up_a, in_r, in_c, in_f, in_v, in_a, do_r, do_c, do_f, do_v, do_a"

/* Whether the report on record was made from the respondent's data as it is
 * now, in a query with respondent AS r and delivery AS d. An import clears
 * report_source_hash of those whose company averages may have moved. */
#define RS_STORE_REPORT_CURRENT "d.report_source_hash IS r.source_hash"

/* Whether respondent AS r is not a test entry (sector "TEST"): the import
 * gives one this problem, in English or in Dutch, as rs-master.c words it and
 * rs_dashboard_is_test_entry() reads it. */
#define RS_STORE_NOT_TEST_ENTRY \
  "(r.problem IS NULL OR r.problem NOT IN ('a test entry (sector “TEST”)'," \
  " 'een testinvoer (sector “TEST”)'))"

void     rs_store_read_scores      (sqlite3_stmt  *stmt,
                                    int            first,
                                    double         scores[RS_N_SCORES]);
/* Statements the way every unit of the core writes them: named parameters
 * (":name"), which must be in the statement; %NULL text binds NULL. */
sqlite3_stmt *rs_store_prepare    (sqlite3       *db,
                                   const char    *sql,
                                   GError       **error);
void     rs_store_bind_text        (sqlite3_stmt  *stmt,
                                    const char    *name,
                                    const char    *text);
void     rs_store_bind_int64       (sqlite3_stmt  *stmt,
                                    const char    *name,
                                    gint64         value);
/* Steps @stmt, which must be done then, and resets it for another use */
gboolean rs_store_step_done        (sqlite3       *db,
                                    sqlite3_stmt  *stmt,
                                    GError       **error);

gboolean rs_store_next_change      (sqlite3       *db,
                                    gint64        *change,
                                    GError       **error);
gboolean rs_store_read_change      (sqlite3       *db,
                                    gint64        *change,
                                    GError       **error);

G_END_DECLS
