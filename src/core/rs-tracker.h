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
  /* The history row the change wrote: a later one means the status has
   * changed since, and the change is no longer undone. */
  gint64 history_id;
} RsStatusSnapshot;

/* The fields of a respondent that a person can correct by hand. */
typedef enum
{
  RS_FIELD_PERSON,
  RS_FIELD_EMAIL,
  RS_FIELD_FUNCTION,
  RS_FIELD_LANGUAGE,
  RS_N_FIELDS,
  RS_FIELD_INVALID = RS_N_FIELDS,
} RsField;

/* What a correction replaced, so that it can be undone. */
typedef struct
{
  gint64 id;
  RsField field;
  /* The value in use before, and the one that replaced it */
  char *value;
  char *new_value;
  /* Whether the report had to be made again because of it, and what said
   * the old report was current */
  gboolean outdated_report;
  gint64 report_source_hash;
  gboolean had_report_source_hash;
  gint64 report_made_at;
} RsCorrectionSnapshot;

typedef struct
{
  gint64 at;
  char *from_status;
  char *to_status;
  char *mode;
  char *by;
  char *note;
  /* A correction: which field, from what, to what; otherwise NULL */
  char *field;
  char *from_value;
  char *to_value;
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
  /* Each field's value in use (language: "en" or "nl"), and what the master
   * file says of those corrected by hand (NULL for the others) */
  char *values[RS_N_FIELDS];
  char *file_values[RS_N_FIELDS];
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
                                                guint          *n_changed_since,
                                                GError        **error);
gboolean             rs_tracker_set_note       (RsStore        *store,
                                                gint64          id,
                                                const char     *note,
                                                GError        **error);
RsCorrectionSnapshot *rs_tracker_correct      (RsStore        *store,
                                                gint64          id,
                                                RsField         field,
                                                const char     *value,
                                                GError        **error);
RsCorrectionSnapshot *rs_tracker_undo_correction (RsStore              *store,
                                                  RsCorrectionSnapshot *snapshot,
                                                  GError              **error);
RsRespondentDetails *rs_tracker_load_details   (RsStore        *store,
                                                gint64          id,
                                                GError        **error);
void                 rs_respondent_details_free (RsRespondentDetails *details);
void                 rs_status_snapshot_free   (RsStatusSnapshot *snapshot);
void                 rs_correction_snapshot_free (RsCorrectionSnapshot *snapshot);
const char          *rs_field_to_string        (RsField         field);
RsField              rs_field_from_string      (const char     *text);
const char          *rs_field_get_label        (RsField         field);
char                *rs_history_entry_describe_change (const RsHistoryEntry *entry);
const char          *rs_history_entry_describe_by (const RsHistoryEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsRespondentDetails, rs_respondent_details_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsCorrectionSnapshot, rs_correction_snapshot_free)

G_END_DECLS
