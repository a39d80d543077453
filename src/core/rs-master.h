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

/* A value of the file that the import does not use as it is. */
typedef enum
{
  /* A score above 5, used as 5 */
  RS_MASTER_CHANGE_ABOVE_RANGE,
  /* A score below 0, used as 0 */
  RS_MASTER_CHANGE_BELOW_RANGE,
  /* A score that is not a number, read as missing */
  RS_MASTER_CHANGE_NOT_A_NUMBER,
  /* A name or function such as “n/a”, dropped */
  RS_MASTER_CHANGE_PLACEHOLDER,
  /* An address with an international domain, written in ASCII form */
  RS_MASTER_CHANGE_EMAIL_ASCII,
  /* Set by the import: a field not in UTF-8, read as Windows-1252 */
  RS_MASTER_CHANGE_RECODED,
  /* Set by the import: a workbook's formula without a calculated value,
   * read as missing */
  RS_MASTER_CHANGE_FORMULA,
  /* Set by the import: a workbook's error value such as #N/A, read as
   * missing */
  RS_MASTER_CHANGE_ERROR_VALUE,
} RsMasterChangeKind;

#define RS_MASTER_N_CHANGE_KINDS (RS_MASTER_CHANGE_ERROR_VALUE + 1)

typedef struct
{
  /* In the file's header */
  int column;
  RsMasterChangeKind kind;
  /* As the file has it, and what was used instead (NULL: missing) */
  char *value;
  char *used;
} RsMasterChange;

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
  /* RsMasterChange, in the order of the columns read; NULL when the row is
   * used as the file has it, as most are */
  GArray *changes;
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
void             rs_master_row_add_change  (RsMasterRow          *row,
                                            int                   column,
                                            RsMasterChangeKind    kind,
                                            const char           *value,
                                            const char           *used);
const char      *rs_master_change_kind_to_string   (RsMasterChangeKind  kind);
gboolean         rs_master_change_kind_from_string (const char         *text,
                                                    RsMasterChangeKind *kind);
const char      *rs_master_change_kind_describe    (RsMasterChangeKind  kind);
gboolean         rs_master_email_is_valid  (const char           *email);
char            *rs_master_email_canonical (const char           *email);
char            *rs_master_email_key       (const char           *email);
char            *rs_master_identity_key    (const char           *company,
                                            const char           *person,
                                            const char           *email);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RsMasterColumns, rs_master_columns_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RsMasterRow, rs_master_row_clear)

G_END_DECLS
