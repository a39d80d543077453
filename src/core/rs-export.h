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
  /* libxlsxwriter could not make the workbook */
  RS_EXPORT_ERROR_WORKBOOK,
  /* More rows than a sheet of a workbook holds */
  RS_EXPORT_ERROR_TOO_MANY_ROWS,
} RsExportError;

typedef enum
{
  /* RFC 4180 text, with the delimiter and byte order mark of the options */
  RS_EXPORT_FORMAT_CSV,
  /* An Office Open XML workbook: a sheet of respondents, one of history */
  RS_EXPORT_FORMAT_XLSX,
} RsExportFormat;

GQuark           rs_export_error_quark      (void);

/* The columns of `resiliencescan list --format=csv`, in order. */
#define RS_EXPORT_LIST_HEADER "id,company,person,email,status,sent_at,mode,report,error,note"
/* The columns of an export: those of the list, then the history. */
#define RS_EXPORT_STATUS_HEADER RS_EXPORT_LIST_HEADER ",history_count,last_change"
/* The columns of a workbook's sheet of history, one row a change. */
#define RS_EXPORT_HISTORY_HEADER \
  "respondent_id,company,person,email,at,by,from_status,to_status,mode,note,field," \
  "from_value,to_value"

/* How an export is written. The defaults ({ NULL, ',', FALSE, CSV }) are
 * those of the command line: RFC 4180, everyone, no byte order mark. */
typedef struct
{
  /* (nullable) (element-type gint64): who to write, in this order; ids no
   * longer in the database are left out. %NULL: everyone, by id. */
  GArray *ids;
  /* ',' or ';' (Excel in languages with a decimal comma) */
  char delimiter;
  /* Start with the UTF-8 byte order mark, so that Excel reads UTF-8. */
  gboolean bom;
  /* CSV, or a workbook (then @delimiter and @bom do not matter) */
  RsExportFormat format;
} RsExportOptions;

#define RS_EXPORT_OPTIONS_INIT { NULL, ',', FALSE, RS_EXPORT_FORMAT_CSV }

void             rs_export_append_csv_field (GString               *line,
                                             const char            *value);
void             rs_export_append_field     (GString               *line,
                                             const char            *value,
                                             char                   delimiter);
/* As rs_export_append_field(), for text from a master file or a person: a
 * value that starts like a formula (=, +, -, @) gets a leading apostrophe,
 * so that a spreadsheet shows it rather than runs it. */
void             rs_export_append_text_field (GString              *line,
                                              const char           *value,
                                              char                  delimiter);
/* ';' where numbers are written with a decimal comma (LC_NUMERIC), as Excel
 * then expects, else ','. */
char             rs_export_locale_delimiter (void);
/* The format a file's name asks for: .xlsx (in any case) is a workbook,
 * anything else CSV. */
RsExportFormat   rs_export_format_for_file  (GFile                 *file);
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

gboolean rs_export_check_not_database (RsStore  *store,
                                       GFile    *file,
                                       GError  **error);

G_END_DECLS
