/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-graph.h"
#include "rs-mailer.h"
#include "rs-status.h"
#include "rs-store.h"

G_BEGIN_DECLS

#define RS_SEND_JOB_ERROR (rs_send_job_error_quark ())

typedef enum
{
  RS_SEND_JOB_ERROR_INVALID,
  RS_SEND_JOB_ERROR_BUSY,
  RS_SEND_JOB_ERROR_LOCK,
  RS_SEND_JOB_ERROR_UNANSWERED,
} RsSendJobError;

typedef enum
{
  RS_SEND_MODE_TEST,
  RS_SEND_MODE_LIVE,
} RsSendMode;

/* Why a respondent is not in the batch; NONE for those who are. */
typedef enum
{
  RS_SEND_SKIP_NONE,
  RS_SEND_SKIP_NOT_FOUND,
  RS_SEND_SKIP_SENDING,
  RS_SEND_SKIP_UNKNOWN,
  RS_SEND_SKIP_SENT,
  RS_SEND_SKIP_FAILED,
  RS_SEND_SKIP_PROBLEM,
  RS_SEND_SKIP_NO_ADDRESS,
  RS_SEND_SKIP_NO_REPORT,
  RS_SEND_SKIP_REPORT_OUTDATED,
  RS_SEND_SKIP_CHANGED,
  RS_SEND_SKIP_SECOND_REPORT,
} RsSendSkip;

/* How the messages go: SMTP (RsSendOptions.mailer) or Microsoft Graph
 * sendMail (RsSendOptions.graph). */
typedef enum
{
  RS_SEND_TRANSPORT_SMTP,
  RS_SEND_TRANSPORT_GRAPH,
} RsSendTransport;

/* Called from the job's thread when the server refused the access token
 * (RS_MAILER_ERROR_TOKEN_EXPIRED, RS_GRAPH_ERROR_TOKEN_EXPIRED): returns a
 * new access token (freed by the job), or %NULL with @error, which stops
 * the job ("sign in again"). */
typedef char *(*RsSendTokenRefresh) (gpointer       user_data,
                                     GCancellable  *cancellable,
                                     GError       **error);

typedef enum
{
  RS_SEND_OUTCOME_SENT,
  RS_SEND_OUTCOME_FAILED,
  RS_SEND_OUTCOME_DEFERRED,
  RS_SEND_OUTCOME_SKIPPED,
  RS_SEND_OUTCOME_UNKNOWN,
} RsSendOutcome;

/* Strings are borrowed for the duration of the call (the async variant
 * copies them). A %NULL template is the default text of the language; a
 * respondent whose language is not "nl" gets the "en" texts. */
typedef struct
{
  RsSendMode mode;
  const char *test_address;
  gboolean retry_failed;
  const gint64 *ids;
  guint n_ids;
  RsMailerConfig mailer;
  const char *from_address;
  const char *from_name;
  const char *reply_to;
  const char *subject_en;
  const char *body_en;
  const char *subject_nl;
  const char *body_nl;
  guint rate_per_minute;
  guint max_tries;
  guint backoff_ms;
  /* After a stop, how long the message in hand may take to finish; 0 means
   * RS_SEND_STOP_GRACE_S. */
  guint stop_grace_ms;
  /* Live: respondents a person allowed, at the confirmation, a report
   * although their address has one; stored before the job plans. */
  const gint64 *allow_second_ids;
  guint n_allow_second_ids;
  RsSendTransport transport;
  RsGraphConfig graph;
  /* With an access token (mailer.access_token or graph.access_token): a
   * refused token is refreshed once and the same message tried again;
   * %NULL stops the job instead. */
  RsSendTokenRefresh refresh_token;
  gpointer refresh_data;
  /* With an access token: called before each message for the token to use
   * now, which the callee keeps fresh (rs_oauth_get_access_token() renews
   * it shortly before it expires); another token than the one in use
   * replaces it. %NULL with an error stops the job like a refused renewal.
   * Gets refresh_data. */
  RsSendTokenRefresh current_token;
} RsSendOptions;

/* 0 in max_tries or backoff_ms means these. A temporary reply makes the
 * whole queue wait: backoff_ms the first time, twice as long each time
 * after it without a message getting through, at most
 * RS_SEND_MAX_BACKOFF_MS. One respondent is tried max_tries times in one
 * job; after RS_SEND_MAX_WAITS waits in a row the job leaves the rest
 * pending for a later send. */
#define RS_SEND_DEFAULT_MAX_TRIES 4
#define RS_SEND_DEFAULT_BACKOFF_MS 30000
#define RS_SEND_MAX_BACKOFF_MS (10 * 60 * 1000)
#define RS_SEND_MAX_WAITS 8
/* Messages in a row whose outcome is unknown (the server took them and gave
 * no answer, or an error of its own) after which the job stops
 * (RS_SEND_JOB_ERROR_UNANSWERED) and leaves the rest pending. */
#define RS_SEND_MAX_UNKNOWN 2
/* The longest Retry-After the job waits for (seconds); a server asking
 * more leaves the rest of the round pending for a later send. */
#define RS_SEND_MAX_RETRY_AFTER_S 3600
/* After a stop, the message in hand has this long (seconds) to finish
 * before it is broken off (then `unknown` if all of it went out). */
#define RS_SEND_STOP_GRACE_S 10

typedef struct
{
  gint64 id;
  char *person;
  char *company;
  char *email;
  char *function;
  char *language;
  char *submitted_at;
  char *overall;
  char *report_path;
  RsStatus status;
  RsSendSkip skip;
  char *reason;
  /* What the report was made from, and the SHA-256 of its file */
  char *report_hash;
  char *report_sha256;
  /* Live: who already has a report at this address ("Name, id N"), for
   * those skipped for it and those allowed a second report; else NULL */
  char *second_of;
  gboolean allow_second;
} RsSendItem;

typedef struct
{
  RsSendMode mode;
  GPtrArray *to_send;
  GPtrArray *skipped;
} RsSendPlan;

/* What happened to one message; @error is the server's reply or what went
 * wrong, %NULL when it was sent. */
typedef struct
{
  gint64 id;
  char *person;
  char *company;
  char *email;
  char *sent_to;
  RsSendOutcome outcome;
  guint tries;
  gboolean will_retry;
  guint reply_code;
  char *error;
  char *message_id;
} RsSendResult;

typedef struct
{
  RsSendMode mode;
  guint total;
  guint sent;
  guint failed;
  guint deferred;
  guint skipped;
  guint remaining;
  /* Live messages that went out without an answer: `unknown` */
  guint unknown;
  /* Times the server asked the whole queue to wait, and how long the wait
   * now under way is (0: none) */
  guint waits;
  guint wait_s;
  gboolean cancelled;
  RsSendPlan *plan;
  GPtrArray *results;
} RsSendSummary;

/* Called from the job's thread. @result is %NULL just before @current is
 * handed to the server and set when that message is done; both are valid
 * only during the call. A result with will_retry set while
 * @so_far->wait_s is not 0 means the server asked to wait: the queue
 * waits that long, then tries @current again; while it waits, @result is
 * %NULL and @so_far->wait_s the seconds left, told every second. */
typedef void (*RsSendJobProgress) (const RsSendSummary *so_far,
                                   const RsSendItem    *current,
                                   const RsSendResult  *result,
                                   gpointer             user_data);

/* What one respondent would receive; @attachment_size is -1 when the file
 * cannot be read, @skipped says why they would not be sent to (or %NULL). */
typedef struct
{
  char *from;
  char *to;
  char *subject;
  char *body;
  char *attachment;
  goffset attachment_size;
  char *skipped;
} RsSendPreview;

GQuark          rs_send_job_error_quark  (void);

/* Who a job with @options would send to, and who it would skip and why.
 * Reads only; no lock is needed. */
RsSendPlan     *rs_send_job_plan         (RsStore              *store,
                                          const RsSendOptions  *options,
                                          GError              **error);

/* Turns records left in `sending` by a send that died into `unknown`. Does
 * nothing (and succeeds) while a send job runs, in this process or another. */
gboolean        rs_send_job_recover      (RsStore              *store,
                                          GError              **error);

/* Sends in the calling thread. Returns %NULL with @error when the job could
 * not start or stopped on an error that concerns every message (sign-in,
 * TLS, the account or the sender): then everyone not sent stays pending.
 * Cancelling finishes the message in flight and returns the summary. */
RsSendSummary  *rs_send_job_run          (RsStore              *store,
                                          const RsSendOptions  *options,
                                          RsSendJobProgress     progress,
                                          gpointer              progress_data,
                                          GCancellable         *cancellable,
                                          GError              **error);
void            rs_send_job_run_async    (RsStore              *store,
                                          const RsSendOptions  *options,
                                          RsSendJobProgress     progress,
                                          gpointer              progress_data,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
RsSendSummary  *rs_send_job_run_finish   (RsStore              *store,
                                          GAsyncResult         *result,
                                          GError              **error);

/* Sets whether a live round may send each of @ids a report although their
 * address already has one in this database; for the confirmation. */
gboolean        rs_send_job_allow_second (RsStore              *store,
                                          const gint64         *ids,
                                          guint                 n_ids,
                                          gboolean              allow,
                                          GError              **error);
/* The exit status of `resiliencescan send` for @summary: 0 when everyone
 * was sent or skipped by a rule, 3 when some failed, are unknown or wait
 * for a later try, 1 when the job was stopped. */
int             rs_send_summary_exit_status (const RsSendSummary *summary);

char           *rs_send_summary_describe (const RsSendSummary  *summary);
/* The same, naming only the counts that are not 0 (and always the sent):
 * for a toast, which has one line. */
char           *rs_send_summary_describe_short (const RsSendSummary *summary);
void            rs_send_summary_free     (RsSendSummary        *summary);
void            rs_send_plan_free        (RsSendPlan           *plan);
RsSendPreview  *rs_send_job_preview      (RsStore              *store,
                                          const RsSendOptions  *options,
                                          gint64                id,
                                          GError              **error);
void            rs_send_preview_free     (RsSendPreview        *preview);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSendPlan, rs_send_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSendSummary, rs_send_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsSendPreview, rs_send_preview_free)

G_END_DECLS
