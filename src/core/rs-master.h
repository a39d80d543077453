/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "rs-scores.h"

G_BEGIN_DECLS

#define RS_MASTER_ERROR (rs_master_error_quark ())

typedef enum
{
  RS_MASTER_ERROR_MISSING_COLUMNS,
} RsMasterError;

/* Where the columns that matter are in a master file; -1 when absent. */
typedef struct
{
  guint n_columns;
  char **names;
  int company;
  int person;
  int email;
  int function;
  int submitted_at;
  int report_sent;
  int version;
  int language;
  int sector;
  int scores[RS_N_SCORES];
} RsMasterColumns;

typedef enum
{
  RS_MASTER_ROW_OK,
  RS_MASTER_ROW_FLAGGED,
  RS_MASTER_ROW_SKIPPED,
} RsMasterRowKind;

/* One respondent as read from a row; strings are owned, trimmed UTF-8. */
typedef struct
{
  char *company;
  char *person;
  char *email;
  char *function;
  char *submitted_at;
  const char *language;
  double scores[RS_N_SCORES];
  gboolean report_sent;
  char *problem;
  char *identity_key;
} RsMasterRow;

GQuark           rs_master_error_quark     (void);
char            *rs_master_normalize_name  (const char           *raw);
RsMasterColumns *rs_master_columns_new     (const char * const   *header,
                                            guint                 n_fields,
                                            GError              **error);
void             rs_master_columns_free    (RsMasterColumns      *columns);
RsMasterRowKind  rs_master_read_row        (const RsMasterColumns *columns,
                                            const char * const   *fields,
                                            guint                 n_fields,
                                            RsMasterRow          *row);
RsMasterRowKind  rs_master_read_row_identity (const RsMasterColumns *columns,
                                              const char * const   *fields,
                                              guint                 n_fields,
                                              RsMasterRow          *row);
void             rs_master_read_row_details (const RsMasterColumns *columns,
                                             const char * const   *fields,
                                             guint                 n_fields,
                                             RsMasterRow          *row);
gboolean         rs_master_read_report_sent (const RsMasterColumns *columns,
                                             const char * const   *fields,
                                             guint                 n_fields);
void             rs_master_row_clear       (RsMasterRow          *row);
gboolean         rs_master_email_is_valid  (const char           *email);
char            *rs_master_email_canonical (const char           *email);
char            *rs_master_email_key       (const char           *email);
char            *rs_master_identity_key    (const char           *company,
                                            const char           *person,
                                            const char           *email);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsMasterColumns, rs_master_columns_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RsMasterRow, rs_master_row_clear)

G_END_DECLS
