/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "rs-scores.h"
#include "rs-store.h"

G_BEGIN_DECLS

/* The round's figures, as ../shared/spec/DASHBOARD.md defines them. The
 * population is every respondent who is not a test entry (sector "TEST")
 * and has at least 5 of the 15 scores; companies are grouped as reports
 * group them, with the merges on record. Sending and reports count every
 * respondent who is not a test entry, so that "not possible" is seen.
 *
 * An RsDashboard is immutable once made, so it may be read from any thread;
 * its fields are public and read only. A figure without data is NAN. */

#define RS_TYPE_DASHBOARD (rs_dashboard_get_type ())

#define RS_DASHBOARD_N_BINS 20             /* of 0.25 from 0 to 5; 5.00 in the last */
#define RS_DASHBOARD_N_GROUPS 5            /* 1, 2–3, 4–5, 6–10, more than 10 */
#define RS_DASHBOARD_N_TOP 10
#define RS_DASHBOARD_N_LARGEST 15
#define RS_DASHBOARD_N_WEAKEST_CELLS 3
#define RS_DASHBOARD_MIN_COMPANY 3         /* respondents for the top and attention tables */
#define RS_DASHBOARD_N_STATUSES 5          /* RsStatus: pending … unknown */

typedef struct
{
  double mean;
  double sd;          /* sample (n − 1); NAN below 2 */
  guint n;
} RsDashboardStat;

typedef struct
{
  char *name;         /* the merged name, or the spelling most respondents wrote */
  guint respondents;  /* in the population */
  double overall;     /* mean overall SCRES of its respondents */
  double pillars[RS_N_PILLARS]; /* mean pillar mean, over respondents that have it */
  int weakest_pillar; /* the lowest of the three, first on a tie; -1 with none */
} RsDashboardCompany;

typedef struct
{
  guint pillar;
  guint dimension;
  double mean;
  guint n;
} RsDashboardCell;

typedef struct
{
  /*< private >*/
  gint ref_count;

  /*< public >*/
  /* Key figures */
  guint respondents;
  guint companies;
  double average;                      /* mean overall SCRES */
  guint high_performers;               /* overall ≥ 4.00 (as shown, 2 decimals) */
  guint attention;                     /* overall < 2.50 */
  RsDashboardStat pillars[RS_N_PILLARS];
  int strongest_pillar;                /* -1 without data; ties go to the first */
  int weakest_pillar;

  /* Distribution: bin i holds overall in [0.25 i, 0.25 (i + 1)) */
  guint bins[RS_DASHBOARD_N_BINS];
  /* Maturity bands, indexed by RsRating (Excellent first) */
  guint bands[RS_N_RATINGS];

  /* Heatmap: RS_SCORE_INDEX (pillar, dimension) */
  RsDashboardCell cells[RS_N_SCORES];
  /* The lowest cells, lowest first; ties in pillar-major order */
  RsDashboardCell weakest_cells[RS_DASHBOARD_N_WEAKEST_CELLS];
  guint n_weakest_cells;

  /* Of RsDashboardCompany: highest / lowest mean overall among companies
   * with at least RS_DASHBOARD_MIN_COMPANY respondents (ties by name), and
   * the companies with the most respondents (ties by name). */
  GPtrArray *top;
  GPtrArray *needing_attention;
  GPtrArray *largest;
  /* Every company of the population, in the order first read */
  GPtrArray *all_companies;
  /* Companies with 1, 2–3, 4–5, 6–10, more than 10 respondents */
  guint participation[RS_DASHBOARD_N_GROUPS];

  /* Sending, of every respondent who is not a test entry */
  guint senders;                       /* how many that is */
  guint statuses[RS_DASHBOARD_N_STATUSES]; /* indexed by RsStatus */
  guint reports_made;                  /* on record and made from the data as it is */
  guint reports_outdated;              /* on record, the data changed since */
  guint reports_not_possible;          /* fewer than 5 scores */

  /* When the figures were computed (local time) */
  GDateTime *computed_at;
} RsDashboard;

GType        rs_dashboard_get_type        (void) G_GNUC_CONST;
RsDashboard *rs_dashboard_ref             (RsDashboard          *self);
void         rs_dashboard_unref           (RsDashboard          *self);

/* Reads @db (one connection, the calling thread's) in one read transaction. */
RsDashboard *rs_dashboard_compute         (sqlite3              *db,
                                           GCancellable         *cancellable,
                                           GError              **error);
/* In a worker thread with that thread's own connection to @store. */
void         rs_dashboard_compute_async   (RsStore              *store,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
RsDashboard *rs_dashboard_compute_finish  (GAsyncResult         *result,
                                           GError              **error);

double       rs_dashboard_percent         (const RsDashboard    *self,
                                           guint                 count);
gboolean     rs_dashboard_is_test_entry   (const char           *problem);

/* The dashboard as an A4 PDF (see rs-dashboard-draw.h), in @language
 * ("en" or "nl"); replaces @path only once the new file is complete. */
gboolean     rs_dashboard_write_pdf       (RsDashboard          *self,
                                           const char           *language,
                                           const char           *path,
                                           GError              **error);
typedef struct _RsBranding RsBranding;
gboolean     rs_dashboard_write_pdf_branded (RsDashboard        *self,
                                             const RsBranding   *branding,
                                             const char         *language,
                                             const char         *path,
                                             GError            **error);
void         rs_dashboard_write_pdf_async (RsDashboard          *self,
                                           const char           *language,
                                           const char           *path,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean     rs_dashboard_write_pdf_finish (GAsyncResult        *result,
                                            GError             **error);
char        *rs_dashboard_file_name       (GDateTime            *made);
const char  *rs_dashboard_app_language    (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsDashboard, rs_dashboard_unref)

G_END_DECLS
