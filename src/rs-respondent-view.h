/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "core/rs-respondent.h"
#include "core/rs-store.h"

G_BEGIN_DECLS

typedef enum
{
  RS_VIEW_FILTER_ALL,
  RS_VIEW_FILTER_PENDING,
  RS_VIEW_FILTER_SENT,
  RS_VIEW_FILTER_FAILED,
  RS_VIEW_FILTER_ATTENTION,
} RsViewFilter;

#define RS_TYPE_RESPONDENT_VIEW (rs_respondent_view_get_type ())
G_DECLARE_FINAL_TYPE (RsRespondentView, rs_respondent_view, RS, RESPONDENT_VIEW, GtkWidget)

void          rs_respondent_view_set_store       (RsRespondentView *self,
                                                  RsStore          *store);
guint         rs_respondent_view_get_n_respondents (RsRespondentView *self);
gboolean      rs_respondent_view_get_loaded      (RsRespondentView *self);
const char   *rs_respondent_view_get_stats_text  (RsRespondentView *self);
GListModel   *rs_respondent_view_get_visible     (RsRespondentView *self);
GtkColumnView *rs_respondent_view_get_column_view (RsRespondentView *self);
void          rs_respondent_view_set_search_text (RsRespondentView *self,
                                                  const char       *text);
void          rs_respondent_view_set_filter      (RsRespondentView *self,
                                                  RsViewFilter      filter);
void          rs_respondent_view_select_ids      (RsRespondentView *self,
                                                  const gint64     *ids,
                                                  guint             n_ids);
GArray       *rs_respondent_view_get_selected_ids (RsRespondentView *self);
GArray       *rs_respondent_view_get_visible_ids (RsRespondentView *self);
gboolean      rs_respondent_view_get_narrowed    (RsRespondentView *self);
guint         rs_respondent_view_get_n_selected  (RsRespondentView *self);
guint         rs_respondent_view_get_n_sending   (RsRespondentView *self);
GtkSearchBar *rs_respondent_view_get_search_bar  (RsRespondentView *self);
void          rs_respondent_view_refresh         (RsRespondentView *self);

G_END_DECLS
