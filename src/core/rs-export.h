/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-status.h"
#include "rs-store.h"

G_BEGIN_DECLS

/* The columns of `resiliencescan list --format=csv`, in order. */
#define RS_EXPORT_LIST_HEADER "id,company,person,email,status,sent_at,mode,report,error,note"
/* The columns of an export: those of the list, then the history. */
#define RS_EXPORT_STATUS_HEADER RS_EXPORT_LIST_HEADER ",history_count,last_change"

void     rs_export_append_csv_field (GString        *line,
                                     const char     *value);
gboolean rs_export_list             (RsStore        *store,
                                     RsStatus        status,
                                     GOutputStream  *out,
                                     GCancellable   *cancellable,
                                     GError        **error);

gboolean rs_export_status           (RsStore        *store,
                                     GOutputStream  *out,
                                     GCancellable   *cancellable,
                                     GError        **error);
gboolean rs_export_status_to_file   (RsStore        *store,
                                     GFile          *file,
                                     GCancellable   *cancellable,
                                     GError        **error);
void     rs_export_status_to_file_async  (RsStore             *store,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean rs_export_status_to_file_finish (RsStore             *store,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
