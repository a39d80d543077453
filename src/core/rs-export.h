/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-status.h"
#include "rs-store.h"

G_BEGIN_DECLS

/* The columns of `resiliencescan list --format=csv`, in order. */
#define RS_EXPORT_LIST_HEADER "id,company,person,email,status,sent_at,mode,report,error,note"

void     rs_export_append_csv_field (GString        *line,
                                     const char     *value);
gboolean rs_export_list             (RsStore        *store,
                                     RsStatus        status,
                                     GOutputStream  *out,
                                     GCancellable   *cancellable,
                                     GError        **error);

G_END_DECLS
