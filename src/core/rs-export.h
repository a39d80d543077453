/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-status.h"
#include "rs-store.h"

G_BEGIN_DECLS

#define RS_EXPORT_ERROR (rs_export_error_quark ())

typedef enum
{
  /* The file is the tracker database, a part of it, or in its folder of
   * import rows */
  RS_EXPORT_ERROR_DATABASE,
} RsExportError;

GQuark           rs_export_error_quark      (void);

/* The columns of `resiliencescan list --format=csv`, in order. */
#define RS_EXPORT_LIST_HEADER "id,company,person,email,status,sent_at,mode,report,error,note"
/* The columns of an export: those of the list, then the history. */
#define RS_EXPORT_STATUS_HEADER RS_EXPORT_LIST_HEADER ",history_count,last_change"

/* How an export is written. The defaults ({ NULL, ',', FALSE }) are those of
 * the command line: RFC 4180, everyone, no byte order mark. */
typedef struct
{
  /* (nullable) (element-type gint64): who to write, in this order; ids no
   * longer in the database are left out. %NULL: everyone, by id. */
  GArray *ids;
  /* ',' or ';' (Excel in languages with a decimal comma) */
  char delimiter;
  /* Start with the UTF-8 byte order mark, so that Excel reads UTF-8. */
  gboolean bom;
} RsExportOptions;

#define RS_EXPORT_OPTIONS_INIT { NULL, ',', FALSE }

void             rs_export_append_csv_field (GString               *line,
                                             const char            *value);
void             rs_export_append_field     (GString               *line,
                                             const char            *value,
                                             char                   delimiter);
/* ';' where numbers are written with a decimal comma (LC_NUMERIC), as Excel
 * then expects, else ','. */
char             rs_export_locale_delimiter (void);
RsExportOptions *rs_export_options_copy     (const RsExportOptions *options);
void             rs_export_options_free     (RsExportOptions       *options);

gboolean rs_export_write          (RsStore                *store,
                                   const RsExportOptions  *options,
                                   GOutputStream          *out,
                                   GCancellable           *cancellable,
                                   GError                **error);
gboolean rs_export_to_file        (RsStore                *store,
                                   GFile                  *file,
                                   const RsExportOptions  *options,
                                   GCancellable           *cancellable,
                                   GError                **error);
/* @options is copied; the file is written in a worker thread. */
void     rs_export_to_file_async  (RsStore                *store,
                                   GFile                  *file,
                                   const RsExportOptions  *options,
                                   GCancellable           *cancellable,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data);
/* Returns: how many respondents were written, or -1 with @error set */
gint64   rs_export_to_file_finish (RsStore                *store,
                                   GAsyncResult           *result,
                                   GError                **error);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsExportOptions, rs_export_options_free)

G_END_DECLS
