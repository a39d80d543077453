/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-respondent.h"
#include "rs-scores.h"
#include "rs-store.h"

G_BEGIN_DECLS

#define RS_TRACKER_ERROR (rs_tracker_error_quark ())

typedef enum
{
  RS_TRACKER_ERROR_NOT_FOUND,
  RS_TRACKER_ERROR_SENDING,
  RS_TRACKER_ERROR_INVALID,
} RsTrackerError;

/* What a status change replaced, so that it can be undone. */
typedef struct
{
  gint64 id;
  RsStatus status;
  char *note;
  gint64 sent_at;
  char *mode;
  gboolean manually_updated;
} RsStatusSnapshot;

typedef struct
{
  gint64 at;
  char *from_status;
  char *to_status;
  char *mode;
  char *by;
  char *note;
} RsHistoryEntry;

typedef struct
{
  RsRespondent *respondent;
  char *language;
  char *submitted_at;
  double scores[RS_N_SCORES];
  GStrv source_names;
  GStrv source_values;
  guint source_line;
  char *source_file;
  /* Set, with no source_names, when the source row cannot be read. */
  char *source_problem;
  gint64 first_imported_at;
  gint64 last_imported_at;
  GPtrArray *history;
} RsRespondentDetails;

GQuark               rs_tracker_error_quark    (void);
gboolean             rs_tracker_insert_history (sqlite3        *db,
                                                gint64          id,
                                                gint64          at,
                                                const char     *from,
                                                const char     *to,
                                                const char     *mode,
                                                const char     *by,
                                                const char     *note,
                                                GError        **error);
GPtrArray           *rs_tracker_load           (RsStore        *store,
                                                GCancellable   *cancellable,
                                                GError        **error);
GPtrArray           *rs_tracker_load_changed   (RsStore        *store,
                                                gint64          since,
                                                gint64         *seen,
                                                GCancellable   *cancellable,
                                                GError        **error);
GPtrArray           *rs_tracker_mark           (RsStore        *store,
                                                const gint64   *ids,
                                                guint           n_ids,
                                                RsStatus        status,
                                                const char     *note,
                                                GError        **error);
gboolean             rs_tracker_restore        (RsStore        *store,
                                                GPtrArray      *snapshots,
                                                GError        **error);
gboolean             rs_tracker_set_note       (RsStore        *store,
                                                gint64          id,
                                                const char     *note,
                                                GError        **error);
RsRespondentDetails *rs_tracker_load_details   (RsStore        *store,
                                                gint64          id,
                                                GError        **error);
void                 rs_respondent_details_free (RsRespondentDetails *details);
void                 rs_status_snapshot_free   (RsStatusSnapshot *snapshot);
const char          *rs_history_entry_describe_by (const RsHistoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRespondentDetails, rs_respondent_details_free)

G_END_DECLS
