/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rs-status.h"

G_BEGIN_DECLS

/* In the Report column's order. MISSING: a report was made and its file
 * has gone since; NOT_MADE: none was made yet. */
typedef enum
{
  RS_REPORT_NOT_MADE,
  RS_REPORT_MISSING,
  RS_REPORT_READY,
  RS_REPORT_OUTDATED,
  RS_REPORT_NOT_POSSIBLE,
} RsReportState;

typedef enum
{
  RS_SORT_NONE,
  RS_SORT_COMPANY,
  RS_SORT_PERSON,
  RS_SORT_EMAIL,
  RS_SORT_REPORT,
  RS_SORT_STATUS,
  RS_SORT_SENT,
  RS_SORT_MODE,
  RS_SORT_NOTE,
} RsSortColumn;

/* Fewer scores than this and no report can be made. */
#define RS_REPORT_MIN_SCORES 5

#define RS_TYPE_RESPONDENT (rs_respondent_get_type ())
G_DECLARE_FINAL_TYPE (RsRespondent, rs_respondent, RS, RESPONDENT, GObject)

/* One row of the tracker as the window shows it. Immutable once made, except
 * through rs_respondent_update_from() on the main thread. */
typedef struct
{
  gint64 id;
  const char *company;
  const char *person;
  const char *email;
  const char *function;
  const char *problem;
  RsStatus status;
  gint64 sent_at;
  const char *mode;
  const char *note;
  const char *error;
  const char *report_path;
  const char *report_problem;
  gboolean report_outdated;
  guint n_scores;
  gint64 updated_at;
} RsRespondentData;

RsRespondent  *rs_respondent_new              (const RsRespondentData *data);
gboolean       rs_respondent_update_from      (RsRespondent  *self,
                                               RsRespondent  *other);
gint64         rs_respondent_get_id           (RsRespondent  *self);
const char    *rs_respondent_get_company      (RsRespondent  *self);
const char    *rs_respondent_get_person       (RsRespondent  *self);
const char    *rs_respondent_get_email        (RsRespondent  *self);
const char    *rs_respondent_get_function     (RsRespondent  *self);
const char    *rs_respondent_get_problem      (RsRespondent  *self);
RsStatus       rs_respondent_get_status       (RsRespondent  *self);
gint64         rs_respondent_get_sent_at      (RsRespondent  *self);
const char    *rs_respondent_get_mode         (RsRespondent  *self);
const char    *rs_respondent_get_note         (RsRespondent  *self);
const char    *rs_respondent_get_error        (RsRespondent  *self);
const char    *rs_respondent_get_report_path  (RsRespondent  *self);
RsReportState  rs_respondent_get_report_state (RsRespondent  *self);
char          *rs_respondent_dup_report_label (RsRespondent  *self);
const char    *rs_respondent_get_search_key   (RsRespondent  *self);
const char    *rs_respondent_get_sort_key     (RsRespondent  *self,
                                               RsSortColumn   column);
gboolean       rs_respondent_needs_attention  (RsRespondent  *self);
char          *rs_respondent_fold_for_search  (const char    *text);

G_END_DECLS
