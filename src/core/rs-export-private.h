/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-export.h"

G_BEGIN_DECLS

/* The columns of RS_EXPORT_STATUS_HEADER, for everyone by id, ... */
#define RS_EXPORT_EVERYONE_SQL \
  "SELECT r.id, r.company, r.person, r.email, d.status, d.sent_at, d.mode," \
  "       d.report_path, d.error, d.note, count (h.id), max (h.at)" \
  "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id" \
  "  LEFT JOIN history h ON h.respondent_id = r.id" \
  " GROUP BY r.id ORDER BY r.id"
/* ... and for the one respondent :id, so that a chosen set comes in the
 * order asked for. */
#define RS_EXPORT_ONE_SQL \
  "SELECT r.id, r.company, r.person, r.email, d.status, d.sent_at, d.mode," \
  "       d.report_path, d.error, d.note," \
  "       (SELECT count (*) FROM history h WHERE h.respondent_id = r.id)," \
  "       (SELECT max (h.at) FROM history h WHERE h.respondent_id = r.id)" \
  "  FROM respondent r JOIN delivery d ON d.respondent_id = r.id" \
  " WHERE r.id = :id"

/* Writes the workbook of @options to @out: it is made in a private
 * temporary folder, then copied. Runs on the calling thread's connection. */
gboolean rs_export_write_xlsx (RsStore                *store,
                               const RsExportOptions  *options,
                               GOutputStream          *out,
                               gint64                 *n_written,
                               GCancellable           *cancellable,
                               GError                **error);

G_END_DECLS
