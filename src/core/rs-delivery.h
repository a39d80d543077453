/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "rs-status.h"

G_BEGIN_DECLS

/* The delivery state of every respondent and its history. Every status
 * change goes through here, so that its rules are in one place:
 *
 *   import:  (new) -> pending            rs_delivery_add_pending()
 *            (new) -> sent               rs_delivery_add_sent() (the master
 *                                        file says so)
 *            pending -> sent             rs_delivery_import_sent() (the master
 *                                        file says so; not after a hand mark)
 *   send:    pending (failed on retry) -> sending          rs_delivery_claim()
 *            sending -> sent | failed | pending | unknown  rs_delivery_finish()
 *            sending -> unknown (a send that died)         rs_delivery_recover()
 *            failed -> pending (refusal was not theirs)    rs_delivery_reopen()
 *   manual:  any but sending -> pending | sent | failed    rs_delivery_mark()
 *            back to what a mark replaced                  rs_delivery_restore()
 *
 * Each change writes one history row. Nothing but a send changes a record
 * in `sending`, and a send changes only what it claimed.
 *
 * An RsDelivery is used inside one write transaction on one connection
 * (see rs_store_write()) and freed before it ends; not thread-safe. Its
 * statements are prepared when first used. */

#define RS_DELIVERY_ERROR (rs_delivery_error_quark ())

typedef enum
{
  RS_DELIVERY_ERROR_SENDING,
  RS_DELIVERY_ERROR_INVALID,
} RsDeliveryError;

typedef struct _RsDelivery RsDelivery;

/* What a hand mark replaced, for rs_delivery_restore(). */
typedef struct
{
  RsStatus status;
  char *note;
  gint64 sent_at;
  char *mode;
  gboolean manually_updated;
  /* The history row the mark wrote */
  gint64 history_id;
} RsDeliveryBefore;

GQuark       rs_delivery_error_quark   (void);

/* @now (seconds since the epoch) stamps every change made through it. */
RsDelivery  *rs_delivery_new           (sqlite3       *db,
                                        gint64         now);
void         rs_delivery_free          (RsDelivery    *self);

/* Import. @change is the import's change number (rs_store_next_change()),
 * stamped on the row as the import stamps respondents. */
gboolean     rs_delivery_add_pending   (RsDelivery    *self,
                                        gint64         id,
                                        gint64         change,
                                        GError       **error);
/* A new respondent the master file says was sent already: as
 * rs_delivery_add_pending() then rs_delivery_import_sent(), at once. */
gboolean     rs_delivery_add_sent      (RsDelivery    *self,
                                        gint64         id,
                                        gint64         change,
                                        const char    *note,
                                        GError       **error);
/* A respondent the master file says was sent already: pending -> sent,
 * unless a person set their status by hand. @marked says whether it
 * changed. @note (nullable) goes to the history row. */
gboolean     rs_delivery_import_sent   (RsDelivery    *self,
                                        gint64         id,
                                        gint64         change,
                                        const char    *note,
                                        gboolean      *marked,
                                        GError       **error);

/* Send. Claims @id for a live message: pending (or failed, with
 * @retry_failed) -> sending, committed before the message goes out.
 * @claimed is FALSE when the status is no longer one the send may take
 * (changed by hand since the plan). The Message-ID of the round is kept
 * with the record: @message_id gets the one stored, or @new_message_id,
 * which is stored, when there is none yet. */
gboolean     rs_delivery_claim         (RsDelivery    *self,
                                        gint64         id,
                                        gboolean       retry_failed,
                                        const char    *new_message_id,
                                        gboolean      *claimed,
                                        char         **message_id,
                                        GError       **error);
/* sending -> @to (sent, failed, pending or unknown). @count_attempt when
 * the message reached the server; @code and @error_text are the reply
 * kept as the record's last error (nullable: keep the one there is;
 * sent clears it). */
gboolean     rs_delivery_finish        (RsDelivery    *self,
                                        gint64         id,
                                        RsStatus       to,
                                        gboolean       count_attempt,
                                        guint          code,
                                        const char    *error_text,
                                        const char    *note,
                                        GError       **error);
/* A failed record of this send goes back to pending, with @note. */
gboolean     rs_delivery_reopen        (RsDelivery    *self,
                                        gint64         id,
                                        const char    *note,
                                        GError       **error);
/* Every record left in `sending` becomes unknown; call only while holding
 * the send lock. */
gboolean     rs_delivery_recover       (RsDelivery    *self,
                                        guint         *n_recovered,
                                        GError       **error);
/* A test message about @id went to @test_address: a history row, no
 * status change. */
gboolean     rs_delivery_note_test     (RsDelivery    *self,
                                        gint64         id,
                                        const char    *note,
                                        GError       **error);

/* By hand. @to is pending, sent or failed; @note (nullable) replaces the
 * note. Refused for a record being sent. @before (optional, free with
 * rs_delivery_before_clear()) gets what was replaced. */
gboolean     rs_delivery_mark          (RsDelivery    *self,
                                        gint64         id,
                                        RsStatus       to,
                                        const char    *note,
                                        RsDeliveryBefore *before,
                                        GError       **error);
/* Puts back what a mark replaced; @restored is FALSE when the status
 * changed again since (a later history row than @before's). */
gboolean     rs_delivery_restore       (RsDelivery    *self,
                                        gint64         id,
                                        const RsDeliveryBefore *before,
                                        gboolean      *restored,
                                        GError       **error);
/* Whether a live round may send @id a report although their address already
 * has one in this database. */
gboolean     rs_delivery_set_allow_second (RsDelivery *self,
                                           gint64      id,
                                           gboolean    allow,
                                           GError    **error);

/* One history row; @by is "send", "manual" or "import". */
gboolean     rs_delivery_add_history   (RsDelivery    *self,
                                        gint64         id,
                                        const char    *from,
                                        const char    *to,
                                        const char    *mode,
                                        const char    *by,
                                        const char    *note,
                                        GError       **error);

/* The history row of a correction by hand of @field, from @from_value to
 * @to_value; the status stays @status. */
gboolean     rs_delivery_add_correction (RsDelivery   *self,
                                         gint64        id,
                                         const char   *status,
                                         const char   *mode,
                                         const char   *note,
                                         const char   *field,
                                         const char   *from_value,
                                         const char   *to_value,
                                         GError      **error);

void         rs_delivery_before_clear  (RsDeliveryBefore *before);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsDelivery, rs_delivery_free)

G_END_DECLS
