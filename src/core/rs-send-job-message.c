/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-send-job"


#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "rs-activity-private.h"
#include "rs-branding.h"
#include "rs-delivery.h"
#include "rs-master.h"
#include "rs-message.h"
#include "rs-oauth.h"
#include "rs-report-job.h"
#include "rs-scores.h"
#include "rs-send-job.h"
#include "rs-send-job-private.h"
#include "rs-store-private.h"
#include "rs-template.h"
#include "rs-thread.h"

/* One message: its report checked, its record claimed as `sending`
 * before it goes out, sent, and its outcome recorded. */

typedef struct
{
  gint64 id;
  gboolean retry_failed;
  const char *new_message_id;
  /* The report the round planned to attach, and loaded */
  const char *report_path;
  const char *report_hash;
  gboolean claimed;
  /* The report went out of date since the round was planned */
  gboolean outdated;
  char *message_id;
} Claim;

/* Whether the report on record for @claim is still the one planned and
 * made from the data as it is now: an import, a merge of companies or a
 * report run during the round may have changed it since. */
static gboolean
report_still_current (sqlite3   *db,
                      Claim     *claim,
                      gboolean  *current,
                      GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  *current = FALSE;
  rc = sqlite3_prepare_v2 (db,
                           "SELECT " RS_STORE_REPORT_CURRENT ", d.report_path, d.report_hash"
                           " FROM respondent r JOIN delivery d ON d.respondent_id = r.id"
                           " WHERE r.id = :id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  sqlite3_bind_int64 (stmt, 1, claim->id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *current = sqlite3_column_int (stmt, 0) != 0 &&
               g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), claim->report_path) == 0 &&
               g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), claim->report_hash) == 0;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
claim_transaction (sqlite3   *db,
                   gpointer   user_data,
                   GError   **error)
{
  Claim *claim = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);
  gboolean current;

  g_clear_pointer (&claim->message_id, g_free);
  claim->claimed = FALSE;
  claim->outdated = FALSE;

  /* Checked in the transaction that claims: nothing can change it between. */
  if (!report_still_current (db, claim, &current, error))
    return FALSE;
  if (!current)
    {
      claim->outdated = TRUE;
      return TRUE;
    }

  return rs_delivery_claim (delivery, claim->id, claim->retry_failed, claim->new_message_id,
                            &claim->claimed, &claim->message_id, error);
}

typedef struct
{
  gint64 id;
  RsStatus to;
  gboolean count_attempt;
  guint code;
  const char *error;
  const char *note;
  /* A failed record of this job to put back to pending, with its note */
  gint64 reopen_id;
  const char *reopen_note;
} Finish;

static gboolean
finish_transaction (sqlite3   *db,
                    gpointer   user_data,
                    GError   **error)
{
  Finish *finish = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  if (!rs_delivery_finish (delivery, finish->id, finish->to, finish->count_attempt,
                           finish->code, finish->error, finish->note, error))
    return FALSE;

  if (finish->reopen_id != 0 &&
      !rs_delivery_reopen (delivery, finish->reopen_id, finish->reopen_note, error))
    return FALSE;

  return TRUE;
}

typedef struct
{
  gint64 id;
  const char *note;
} TestSent;

static gboolean
test_sent_transaction (sqlite3   *db,
                       gpointer   user_data,
                       GError   **error)
{
  TestSent *test = user_data;
  g_autoptr(RsDelivery) delivery = rs_delivery_new (db, g_get_real_time () / G_USEC_PER_SEC);

  return rs_delivery_note_test (delivery, test->id, test->note, error);
}

/* The subject, body and recipient of @item's message, as it will be sent. */
void
rs_send_job_compose (const RsSendOptions  *options,
                     const RsSendItem     *item,
                     char                **subject_out,
                     char                **body_out,
                     const char          **to_out)
{
  gboolean dutch = g_strcmp0 (item->language, "nl") == 0;
  const char *subject_template = dutch ? options->subject_nl : options->subject_en;
  const char *body_template = dutch ? options->body_nl : options->body_en;
  g_autofree char *date = rs_template_format_date (item->submitted_at, dutch ? "nl" : "en");
  RsTemplateValues values = {
    .name = item->person,
    .company = item->company,
    .function = item->function,
    .email = item->email,
    .date = date,
    .overall = item->overall,
  };
  char *subject;
  char *body;

  if (subject_template == NULL)
    subject_template = rs_template_default_subject (dutch ? "nl" : "en");
  if (body_template == NULL)
    body_template = rs_template_default_body (dutch ? "nl" : "en");
  subject = rs_template_expand (subject_template, &values);
  body = rs_template_expand (body_template, &values);
  *to_out = item->email;

  if (options->mode == RS_SEND_MODE_TEST)
    {
      g_autofree char *line = NULL;
      char *tmp;

      *to_out = options->test_address;
      tmp = g_strconcat ("[TEST] ", subject, NULL);
      g_free (subject);
      subject = tmp;

      line = g_strdup_printf (_("This test message would have gone to %s <%s>."),
                              item->person, item->email);
      tmp = g_strconcat (line, "\n\n", body, NULL);
      g_free (body);
      body = tmp;
    }

  *subject_out = subject;
  *body_out = body;
}

static char *
file_sha256 (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* The report to attach for @item: the file, when it is byte for byte the
 * one the report job wrote for this respondent; otherwise the report made
 * again from the database, when the database still has the data it was
 * made from. Another database sharing the folder, or a person, may have
 * written over the file. @remade says which it was. */
static GBytes *
load_report (Job         *job,
             RsSendItem  *item,
             gboolean    *remade,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(RsReportSource) source = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *input_hash = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *tmp_path = NULL;
  char *contents = NULL;
  gsize length = 0;

  *remade = FALSE;

  if (g_file_get_contents (item->report_path, &contents, &length, NULL))
    {
      bytes = g_bytes_new_take (contents, length);
      sha256 = file_sha256 (bytes);
      if (item->report_sha256 != NULL && g_str_equal (sha256, item->report_sha256))
        return g_steal_pointer (&bytes);
    }

  source = rs_report_source_load (job->store, item->id, &local_error);
  if (source != NULL)
    input_hash = rs_report_input_hash (&source->input);
  if (input_hash == NULL || g_strcmp0 (input_hash, item->report_hash) != 0)
    goto changed;

  tmp_dir = g_dir_make_tmp ("resiliencescan-report-XXXXXX", &local_error);
  if (tmp_dir == NULL)
    goto changed;
  tmp_path = g_build_filename (tmp_dir, "report.pdf", NULL);
  if (rs_report_write_pdf (&source->input, tmp_path, &local_error) &&
      g_file_get_contents (tmp_path, &contents, &length, &local_error))
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      bytes = g_bytes_new_take (contents, length);
    }
  else
    g_clear_pointer (&bytes, g_bytes_unref);
  g_unlink (tmp_path);
  g_rmdir (tmp_dir);
  if (bytes == NULL)
    goto changed;

  *remade = TRUE;
  return g_steal_pointer (&bytes);

changed:
  if (local_error != NULL)
    g_debug ("The report of %lld cannot be made again: %s", (long long) item->id,
             local_error->message);
  g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
               _("the report “%s” changed on disk since it was made; make the reports "
                 "again"), item->report_path);
  return NULL;
}

/* The message to @item with @report attached and the Message-ID
 * @message_id (NULL: a new one, returned in @message_id_out). */
static GBytes *
build_message (Job         *job,
               RsSendItem  *item,
               GBytes      *report,
               const char  *message_id,
               char       **message_id_out,
               char       **sent_to,
               GError     **error)
{
  const RsSendOptions *options = job->options;
  g_autoptr(RsMessage) message = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file_name = NULL;
  gboolean dutch = g_strcmp0 (item->language, "nl") == 0;
  const char *to;
  GBytes *bytes;

  rs_send_job_compose (options, item, &subject, &body, &to);

  message = rs_message_new (options->from_address, options->from_name, to, options->reply_to,
                            subject, body, &local_error);
  if (message == NULL)
    goto failed;
  if (message_id != NULL && !rs_message_set_message_id (message, message_id, &local_error))
    goto failed;
  if (options->mode == RS_SEND_MODE_LIVE &&
      !rs_message_set_to_name (message, item->person, &local_error))
    goto failed;
  if (!rs_message_set_language (message, dutch ? "nl" : "en", &local_error))
    goto failed;

  file_name = rs_report_attachment_name (item->report_path);
  if (!rs_message_attach (message, file_name, -1, report, "application/pdf", &local_error))
    goto failed;

  bytes = rs_message_to_bytes (message, &local_error);
  if (bytes == NULL)
    goto failed;

  *message_id_out = g_strdup (rs_message_get_message_id (message));
  *sent_to = g_strdup (rs_message_get_envelope_to (message));
  return bytes;

failed:
  g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
               _("The message to %s (%s) could not be made: %s"), item->person, item->company,
               local_error->message);
  return NULL;
}

/* @item's message through Microsoft Graph: the same subject, text,
 * recipient, report and Message-ID as the SMTP message build_message()
 * made and checked. */
static RsMailOutcome
send_graph (Job         *job,
            RsSendItem  *item,
            GBytes      *report,
            const char  *message_id,
            guint       *code,
            char       **reply,
            guint       *retry_after_s,
            GError     **error)
{
  const RsSendOptions *options = job->options;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file_name = rs_report_attachment_name (item->report_path);
  const char *to;
  RsGraphMessage message = { 0 };
  RsMailOutcome outcome;

  rs_send_job_compose (options, item, &subject, &body, &to);
  message.to_address = to;
  message.to_name = options->mode == RS_SEND_MODE_LIVE ? item->person : NULL;
  message.from_address = options->from_address;
  message.from_name = options->from_name;
  message.reply_to = options->reply_to;
  message.subject = subject;
  message.text = body;
  message.message_id = message_id;
  message.attachment_name = file_name;
  message.attachment_type = "application/pdf";
  message.attachment = report;

  outcome = rs_graph_send (job->graph, &message, code, reply, job->transport_cancellable, error);
  *retry_after_s = outcome == RS_MAIL_TEMPORARY ? rs_graph_get_retry_after (job->graph) : 0;

  return outcome;
}

/* No token could be had for @work's message, for now: nothing was claimed
 * or sent; the whole queue waits as after a temporary reply, then this
 * message goes first. */
static SendNext
wait_for_sign_in (Job           *job,
                  Work          *work,
                  RsSendResult  *result,
                  const GError  *why)
{
  guint64 wait_ms;

  job->waits_in_a_row++;
  wait_ms = rs_send_job_backoff_ms (job, job->waits_in_a_row);
  job->resume_at = g_get_monotonic_time () + (gint64) wait_ms * 1000;
  job->summary->waits++;
  job->summary->wait_s = (guint) ((wait_ms + 999) / 1000);

  result->outcome = RS_SEND_OUTCOME_DEFERRED;
  result->error = g_strdup (why->message);
  result->will_retry = job->waits_in_a_row < RS_SEND_MAX_WAITS;
  if (result->will_retry)
    {
      rs_send_job_tell_progress (job, work->item, result);
      rs_send_job_result_free (result);
      return SEND_AGAIN;
    }
  rs_send_job_conclude (job, work->item, result);
  return SEND_DONE;
}

/* Records @work's message as `sending` before it goes out (a live round
 * only). FALSE with @error when the store failed; otherwise TRUE, with
 * @claimed FALSE and @result saying why when the record may not be sent. */
static gboolean
claim_for_sending (Job           *job,
                   Work          *work,
                   RsSendResult  *result,
                   gboolean      *claimed,
                   GError       **error)
{
  const RsSendOptions *options = job->options;
  RsSendItem *item = work->item;
  g_autofree char *new_id = rs_message_new_message_id (options->from_address);
  Claim claim = { item->id, options->retry_failed, NULL, item->report_path, item->report_hash,
                  FALSE, FALSE, NULL };

  *claimed = FALSE;
  claim.new_message_id = new_id;
  if (!rs_store_write (job->store, claim_transaction, &claim, error))
    return FALSE;
  if (claim.outdated)
    {
      result->outcome = RS_SEND_OUTCOME_SKIPPED;
      result->error = g_strdup (_("the report went out of date during the round (its data "
                                  "or its company changed); not sent: make the reports "
                                  "again and send again"));
      return TRUE;
    }
  if (!claim.claimed)
    {
      result->outcome = RS_SEND_OUTCOME_SKIPPED;
      result->error = g_strdup (_("the status was changed by hand while sending; "
                                  "not sent"));
      return TRUE;
    }
  g_free (work->message_id);
  work->message_id = g_steal_pointer (&claim.message_id);
  *claimed = TRUE;
  return TRUE;
}

/* Hands @item's message to the server (SMTP or Microsoft Graph). */
static RsMailOutcome
transmit (Job         *job,
          RsSendItem  *item,
          GBytes      *report_bytes,
          GBytes      *bytes,
          const char  *message_id,
          const char  *sent_to,
          guint       *code,
          char       **reply,
          guint       *retry_after_s,
          GError     **send_error)
{
  const RsSendOptions *options = job->options;
  RsMailOutcome outcome;

  for (guint refreshed = 0;; refreshed++)
    {
      g_autofree char *token = NULL;

      if (job->graph != NULL)
        outcome = send_graph (job, item, report_bytes, message_id, code, reply,
                              retry_after_s, send_error);
      else
        outcome = rs_mailer_send (job->mailer, options->from_address, sent_to, bytes, code,
                                  reply, job->transport_cancellable, send_error);

      /* A refused token: nothing went out; a new one, once. */
      if (refreshed > 0 || options->refresh_token == NULL
          || !(g_error_matches (*send_error, RS_MAILER_ERROR, RS_MAILER_ERROR_TOKEN_EXPIRED)
               || g_error_matches (*send_error, RS_GRAPH_ERROR, RS_GRAPH_ERROR_TOKEN_EXPIRED)))
        break;

      g_debug ("The access token was refused; getting a new one");
      g_clear_error (send_error);
      g_clear_pointer (reply, g_free);
      token = options->refresh_token (options->refresh_data, job->cancellable, send_error);
      if (token == NULL || *token == '\0')
        {
          if (*send_error == NULL)
            g_set_error_literal (send_error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                                 _("No new sign-in token could be had. Sign in again in "
                                   "Preferences."));
          /* Nothing went out: a provider that cannot answer now is a wait
           * like any other, not the end of the round. */
          outcome = rs_oauth_error_is_temporary (*send_error) ? RS_MAIL_TEMPORARY : RS_MAIL_STOP;
          *code = 0;
          break;
        }
      rs_send_job_use_token (job, token);
      memset (token, 0, strlen (token));
    }

  return outcome;
}

/* The server took @item's message. */
static gboolean
record_sent (Job           *job,
             RsSendItem    *item,
             gboolean       live,
             Finish        *finish,
             RsSendResult  *result,
             const char    *sent_to,
             const char    *remade_note,
             GError       **error)
{
  result->outcome = RS_SEND_OUTCOME_SENT;
  job->last_failed_id = 0;
  if (live)
    {
      finish->to = RS_STATUS_SENT;
      finish->count_attempt = TRUE;
      finish->note = remade_note;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return FALSE;
    }
  else
    {
      g_autofree char *note = g_strdup_printf (_("test message sent to %s"), sent_to);
      TestSent test = { item->id, note };

      if (!rs_store_write (job->store, test_sent_transaction, &test, error))
        return FALSE;
    }
  return TRUE;
}

/* The server refused @item's message for good. */
static gboolean
record_failed (Job           *job,
               RsSendItem    *item,
               gboolean       live,
               Finish        *finish,
               RsSendResult  *result,
               guint          code,
               const GError  *send_error,
               GError       **error)
{
  result->outcome = RS_SEND_OUTCOME_FAILED;
  result->error = g_strdup (send_error->message);
  if (live)
    {
      finish->to = RS_STATUS_FAILED;
      finish->count_attempt = TRUE;
      finish->code = code;
      finish->error = send_error->message;
      finish->note = send_error->message;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return FALSE;
    }
  job->last_failed_id = item->id;
  return TRUE;
}

/* The message went out but no answer came back. */
static gboolean
record_unknown (Job           *job,
                gboolean       live,
                Finish        *finish,
                RsSendResult  *result,
                const GError  *send_error,
                GError       **error)
{
  const char *note = _("the message went out but the server did not answer, so it may "
                       "have arrived; check your Sent folder and set the status by hand");

  /* Exactly as after a crash: never sent again without a person. */
  result->outcome = RS_SEND_OUTCOME_UNKNOWN;
  result->error = g_strdup (send_error != NULL ? send_error->message : note);
  job->last_failed_id = 0;
  if (live)
    {
      finish->to = RS_STATUS_UNKNOWN;
      finish->count_attempt = TRUE;
      finish->error = note;
      finish->note = send_error != NULL ? send_error->message : note;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return FALSE;
    }
  return TRUE;
}

/* A server that leaves message after message without an answer is in
 * trouble: the rest wait for a later send instead of each becoming a
 * message a person must look for. */
static gboolean
too_many_unknowns (Job           *job,
                   RsSendItem    *item,
                   RsSendResult  *result,
                   GError       **error)
{
  if (++job->unknowns_in_a_row < RS_SEND_MAX_UNKNOWN)
    return FALSE;

  g_set_error (error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_UNANSWERED,
               /* Translators: a person, their company, the server's answer */
               _("Sending stopped: the server gave no clear answer for %u messages "
                 "in a row, the last to %s (%s): %s. Check the Sent folder and set "
                 "the status of those marked unknown by hand; the others stay "
                 "pending for a later send."),
               job->unknowns_in_a_row, item->person, item->company,
               result->error);
  return TRUE;
}

/* The server asked to wait. SEND_AGAIN when @work is tried again after the
 * wait, SEND_STOP with @error when the store failed, SEND_DONE otherwise. */
static SendNext
record_temporary (Job           *job,
                  Work          *work,
                  gboolean       live,
                  Finish        *finish,
                  RsSendResult  *result,
                  guint          code,
                  guint          retry_after_s,
                  GError       **send_error,
                  GError       **error)
{
  guint64 wait_ms;

  job->waits_in_a_row++;
  /* As long as the server asked, and never less than the back-off;
   * asked to wait more than an hour, the round leaves the rest for a
   * later send rather than sit there. */
  if (retry_after_s > RS_SEND_MAX_RETRY_AFTER_S)
    {
      guint hours = (guint) MIN (((guint64) retry_after_s + 3599) / 3600, 999999);

      job->waits_in_a_row = MAX (job->waits_in_a_row, RS_SEND_MAX_WAITS);
      retry_after_s = 0;
      g_free (job->left_because);
      job->left_because =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "not sent: the server asked to wait %u hour, longer "
                                      "than a send waits; send again later",
                                      "not sent: the server asked to wait %u hours, longer "
                                      "than a send waits; send again later", hours),
                         hours);
      g_clear_error (send_error);
      g_set_error_literal (send_error, RS_SEND_JOB_ERROR, RS_SEND_JOB_ERROR_INVALID,
                           job->left_because);
    }
  wait_ms = MAX (rs_send_job_backoff_ms (job, job->waits_in_a_row), (guint64) retry_after_s * 1000);
  if (job->waits_in_a_row >= RS_SEND_MAX_WAITS)
    wait_ms = 0;
  job->resume_at = g_get_monotonic_time () + (gint64) wait_ms * 1000;
  job->summary->waits++;
  job->summary->wait_s = (guint) ((wait_ms + 999) / 1000);

  result->outcome = RS_SEND_OUTCOME_DEFERRED;
  result->error = g_strdup ((*send_error)->message);
  result->will_retry = work->tries < job->max_tries &&
                       job->waits_in_a_row < RS_SEND_MAX_WAITS;
  if (live)
    {
      finish->to = RS_STATUS_PENDING;
      finish->count_attempt = TRUE;
      finish->code = code;
      finish->error = (*send_error)->message;
      finish->note = (*send_error)->message;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return SEND_STOP;
    }
  if (result->will_retry)
    {
      rs_send_job_tell_progress (job, work->item, result);
      return SEND_AGAIN;
    }
  return SEND_DONE;
}

/* Broken off by a stop before the message was through: not sent, back to
 * pending; the job ends as stopped, not failed. */
static gboolean
record_cancelled (Job           *job,
                  gboolean       live,
                  Finish        *finish,
                  RsSendResult  *result,
                  GError       **error)
{
  const char *note = _("not sent: sending was stopped");

  result->outcome = RS_SEND_OUTCOME_DEFERRED;
  result->error = g_strdup (note);
  if (live)
    {
      finish->to = RS_STATUS_PENDING;
      finish->note = note;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return FALSE;
    }
  job->summary->cancelled = TRUE;
  return TRUE;
}

/* The server stopped taking messages: the whole job stops, with @error. */
static void
record_refused (Job           *job,
                RsSendItem    *item,
                gboolean       live,
                Finish        *finish,
                GError       **send_error,
                GError       **error)
{
  g_autofree char *note = g_strdup_printf (_("not sent: sending stopped: %s"),
                                           (*send_error)->message);
  g_autofree char *reopen_note = NULL;

  /* The same refusal for two recipients in a row is about the sender,
   * not about the one before either. */
  if (g_error_matches (*send_error, RS_MAILER_ERROR, RS_MAILER_ERROR_REPEATED) &&
      job->last_failed_id != 0)
    {
      reopen_note = g_strdup_printf (_("back to pending: the same refusal came for the "
                                       "next respondent, so it was not about this "
                                       "one: %s"), (*send_error)->message);
      finish->reopen_id = job->last_failed_id;
      finish->reopen_note = reopen_note;
    }

  if (live)
    {
      /* The server did not take it: it is no one's failure. */
      finish->to = RS_STATUS_PENDING;
      finish->note = note;
      if (!rs_store_write (job->store, finish_transaction, finish, error))
        return;
    }
  g_propagate_prefixed_error (error, g_steal_pointer (send_error),
                              _("Sending stopped at %s (%s): "), item->person,
                              item->company);
}

/* Sends @work's built message and records what came of it; takes
 * @result_in. */
static SendNext
deliver (Job           *job,
         Work          *work,
         RsSendResult  *result_in,
         GBytes        *report_bytes,
         GBytes        *bytes,
         const char    *message_id,
         const char    *sent_to,
         const char    *remade_note,
         GError       **error)
{
  const RsSendOptions *options = job->options;
  gboolean live = options->mode == RS_SEND_MODE_LIVE;
  RsSendItem *item = work->item;
  g_autoptr(RsSendResult) result = result_in;
  g_autoptr(GError) send_error = NULL;
  g_autofree char *reply = NULL;
  RsMailOutcome outcome;
  Finish finish = { .id = item->id };
  guint code = 0;
  guint retry_after_s = 0;
  SendNext next;

  /* A message once begun is finished: a stop breaks it off only after the
   * stop grace (the transport's cancellable), and the record never stays in
   * `sending` because of it. */
  job->last_send = g_get_monotonic_time ();
  work->tries++;
  result->tries = work->tries;
  outcome = transmit (job, item, report_bytes, bytes, message_id, sent_to, &code, &reply,
                      &retry_after_s, &send_error);
  result->reply_code = code;

  if (outcome != RS_MAIL_TEMPORARY)
    job->waits_in_a_row = 0;
  if (outcome == RS_MAIL_SENT || outcome == RS_MAIL_FAILED)
    job->unknowns_in_a_row = 0;

  switch (outcome)
    {
    case RS_MAIL_SENT:
      if (!record_sent (job, item, live, &finish, result, sent_to, remade_note, error))
        return SEND_STOP;
      break;

    case RS_MAIL_FAILED:
      if (!record_failed (job, item, live, &finish, result, code, send_error, error))
        return SEND_STOP;
      break;

    case RS_MAIL_UNKNOWN:
      if (!record_unknown (job, live, &finish, result, send_error, error))
        return SEND_STOP;
      if (too_many_unknowns (job, item, result, error))
        {
          rs_send_job_conclude (job, item, g_steal_pointer (&result));
          return SEND_STOP;
        }
      break;

    case RS_MAIL_TEMPORARY:
      next = record_temporary (job, work, live, &finish, result, code, retry_after_s,
                               &send_error, error);
      if (next != SEND_DONE)
        return next;
      break;

    case RS_MAIL_STOP:
      if (g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (!record_cancelled (job, live, &finish, result, error))
            return SEND_STOP;
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      record_refused (job, item, live, &finish, &send_error, error);
      return SEND_STOP;
    }

  rs_send_job_conclude (job, item, g_steal_pointer (&result));
  return SEND_DONE;
}

/* Handles one message. SEND_STOP with @error when the whole job must stop;
 * SEND_AGAIN when the server asked to wait and @work is tried again after
 * the wait. */
SendNext
rs_send_job_send_one (Job       *job,
                      Work      *work,
                      GError   **error)
{
  const RsSendOptions *options = job->options;
  gboolean live = options->mode == RS_SEND_MODE_LIVE;
  RsSendItem *item = work->item;
  g_autoptr(RsSendResult) result = NULL;
  g_autoptr(GBytes) report_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) send_error = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *remade_note = NULL;
  g_autofree char *sent_to = NULL;
  Finish finish = { .id = item->id };
  gboolean remade = FALSE;

  result = rs_send_job_result_new (item, work->tries);

  /* Never the wrong attachment: checked before anything is claimed. */
  report_bytes = load_report (job, item, &remade, &send_error);
  if (report_bytes == NULL)
    {
      result->outcome = RS_SEND_OUTCOME_DEFERRED;
      result->error = g_strdup (send_error->message);
      rs_send_job_conclude (job, item, g_steal_pointer (&result));
      return SEND_DONE;
    }
  /* Reports made before their files were fingerprinted are made again
   * without a word; a file that changed is worth a line in the history. */
  if (remade && item->report_sha256 != NULL)
    remade_note = g_strdup (_("the report file had changed on disk; the report was made "
                              "again from the database for this message"));

  /* The token for this message before the record says `sending`: getting
   * one may take a while, and nothing has gone out meanwhile. */
  if (!rs_send_job_update_token (job, &send_error))
    {
      /* Stopped while asking: nothing was claimed. */
      if (g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job->summary->cancelled = TRUE;
          return SEND_DONE;
        }
      if (!rs_oauth_error_is_temporary (send_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&send_error),
                                      _("Sending stopped at %s (%s): "), item->person,
                                      item->company);
          return SEND_STOP;
        }
      return wait_for_sign_in (job, work, g_steal_pointer (&result), send_error);
    }

  if (live)
    {
      gboolean claimed;

      if (!claim_for_sending (job, work, result, &claimed, error))
        return SEND_STOP;
      if (!claimed)
        {
          rs_send_job_conclude (job, item, g_steal_pointer (&result));
          return SEND_DONE;
        }
    }

  bytes = build_message (job, item, report_bytes, work->message_id, &message_id, &sent_to,
                         &send_error);
  if (bytes == NULL)
    {
      result->outcome = RS_SEND_OUTCOME_FAILED;
      result->error = g_strdup (send_error->message);
      if (live)
        {
          finish.to = RS_STATUS_FAILED;
          finish.error = send_error->message;
          finish.note = send_error->message;
          if (!rs_store_write (job->store, finish_transaction, &finish, error))
            return SEND_STOP;
        }
      rs_send_job_conclude (job, item, g_steal_pointer (&result));
      return SEND_DONE;
    }
  if (work->message_id == NULL)
    work->message_id = g_strdup (message_id);
  result->sent_to = g_strdup (sent_to);
  result->message_id = g_strdup (message_id);

  rs_send_job_tell_progress (job, item, NULL);

  return deliver (job, work, g_steal_pointer (&result), report_bytes, bytes, message_id,
                  sent_to, remade_note, error);
}
