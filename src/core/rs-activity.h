/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-store.h"

G_BEGIN_DECLS

/* The activity log: one entry per import, report run and send round, written
 * by the job that did the work (see rs-activity-private.h), read here. */

typedef enum
{
  RS_ACTIVITY_IMPORT,
  RS_ACTIVITY_REPORTS,
  RS_ACTIVITY_SEND,
} RsActivityKind;

typedef enum
{
  /* Under way, in this process or another */
  RS_ACTIVITY_OUTCOME_RUNNING,
  RS_ACTIVITY_OUTCOME_DONE,
  RS_ACTIVITY_OUTCOME_CANCELLED,
  /* Stopped on an error: RsActivityEntry.error says which */
  RS_ACTIVITY_OUTCOME_FAILED,
  /* Its process ended (a crash, a power cut) before it finished */
  RS_ACTIVITY_OUTCOME_INTERRUPTED,
} RsActivityOutcome;

/* One respondent the work failed for, and why. */
typedef struct
{
  gint64 respondent_id;
  char *person;
  /* Send: the e-mail address; reports: the company */
  char *address;
  /* What became of them: "failed", "not-possible", "deferred", "unknown" */
  char *what;
  char *reason;
} RsActivityFailure;

typedef struct
{
  gint64 id;
  RsActivityKind kind;
  RsActivityOutcome outcome;
  /* Seconds since 1970; ended_at is 0 while it runs */
  gint64 started_at;
  gint64 ended_at;
  /* The system user who ran it */
  char *user;
  /* Import: the file (and its row in import_log, 0 when it did not commit);
   * reports: the folder; send: the test address of a test round */
  char *subject;
  gint64 import_id;
  char *sheet;
  /* Send: a test round */
  gboolean test;
  /* Why it stopped, for FAILED (and a failed import) */
  char *error;

  /* Counts; those that are not of its kind are 0 */
  guint total;
  guint added;
  guint updated;
  guint unchanged;
  guint skipped;
  guint flagged;
  guint duplicates;
  guint made;
  guint up_to_date;
  guint not_possible;
  guint sent;
  guint failed;
  guint deferred;
  guint unknown;
  /* Not handled: the work stopped before it got to them */
  guint remaining;

  guint n_failures;
  /* RsActivityFailure, in the order they happened; only from
   * rs_activity_get() (NULL in a list) */
  GPtrArray *failures;
} RsActivityEntry;

/* (element-type RsActivityEntry): every entry, newest first, without their
 * failures. Blocks: the window uses the async form. */
GPtrArray       *rs_activity_list           (RsStore              *store,
                                             GError              **error);
void             rs_activity_list_async     (RsStore              *store,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray       *rs_activity_list_finish    (RsStore              *store,
                                             GAsyncResult         *result,
                                             GError              **error);
/* One entry with its failures; %NULL with @error unset when there is none */
RsActivityEntry *rs_activity_get            (RsStore              *store,
                                             gint64                id,
                                             GError              **error);
void             rs_activity_get_async      (RsStore              *store,
                                             gint64                id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
RsActivityEntry *rs_activity_get_finish     (RsStore              *store,
                                             GAsyncResult         *result,
                                             GError              **error);

const char      *rs_activity_kind_to_string    (RsActivityKind     kind);
const char      *rs_activity_outcome_to_string (RsActivityOutcome  outcome);
/* For people, translated */
char            *rs_activity_entry_describe_what    (const RsActivityEntry *entry);
const char      *rs_activity_outcome_describe       (RsActivityOutcome      outcome);
char            *rs_activity_entry_describe_counts  (const RsActivityEntry *entry);
char            *rs_activity_failure_describe       (const RsActivityFailure *failure);
/* when, user, what, outcome and counts, on one line */
char            *rs_activity_entry_describe         (const RsActivityEntry *entry);
char            *rs_activity_format_time            (gint64                 at);

/* The columns of `resiliencescan log --format=csv`, in order. Counts that
 * are not of an entry's kind are empty; failure_details has each failure
 * (rs_activity_failure_describe()) on a line of its own, when the entry
 * came from rs_activity_get(). */
#define RS_ACTIVITY_CSV_HEADER \
  "id,kind,outcome,mode,started,ended,user,subject,import,total,added,updated,unchanged," \
  "skipped,flagged,duplicates,made,up_to_date,not_possible,sent,failed,deferred,unknown," \
  "remaining,failures,error,failure_details"

/* CSV (RFC 4180 quoting; lines end in "\n" as `list` has them): the header
 * line, and one line per entry */
void             rs_activity_append_csv_header (GString               *out);
void             rs_activity_append_csv        (GString               *out,
                                                const RsActivityEntry *entry);

void             rs_activity_entry_free     (RsActivityEntry      *entry);
void             rs_activity_failure_free   (RsActivityFailure    *failure);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsActivityEntry, rs_activity_entry_free)

G_END_DECLS
