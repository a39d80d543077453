/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "core/rs-respondent-list.h"
#include "core/rs-row-list.h"
#include "core/rs-store-monitor.h"
#include "core/rs-summary.h"
#include "core/rs-visible-list.h"
#include "rs-respondent-view.h"

G_BEGIN_DECLS

/* What the parts of the table share: the class (rs-respondent-view.c), its
 * loads (-load.c), its columns, cells and sorting (-columns.c), and its
 * actions and context menu (-actions.c). */
struct _RsRespondentView
{
  GtkWidget parent_instance;

  RsStore *store;
  RsStoreMonitor *monitor;
  GCancellable *cancellable;
  /* Loads only; they stop when the view leaves its window. Changes that a
   * person asked for are never cancelled that way. */
  GCancellable *load_cancellable;
  RsRespondentList *list;
  RsVisibleList *visible;
  RsRowList *rows;
  GtkMultiSelection *selection;
  RsSortColumn probed_column;
  RsRespondent *probe_low;
  RsRespondent *probe_high;
  char *query;
  gboolean setting_search_text;
  guint selection_idle;
  RsViewFilter filter_kind;
  /* The change counter as the last load saw it; -1 before the first */
  gint64 seen;
  gboolean loading;
  gboolean reload_again;
  gboolean loaded;
  guint n_selected;
  RsSummary summary;
  GtkWidget *context_menu_popover;

  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkDropDown *filter_dropdown;
  GtkLabel *stats_label;
  GtkStack *stack;
  AdwStatusPage *load_error_page;
  GtkColumnView *column_view;
  GtkColumnViewColumn *company_column;
  GtkColumnViewColumn *person_column;
  GtkColumnViewColumn *email_column;
  GtkColumnViewColumn *report_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *sent_column;
  GtkColumnViewColumn *mode_column;
  GtkColumnViewColumn *note_column;
  int allocated_width;
  gboolean narrow_columns;
  guint columns_idle;
  GtkRevealer *selection_revealer;
  GtkLabel *selection_label;
  GMenuModel *context_menu;
};

enum {
  PROP_0,
  PROP_N_RESPONDENTS,
  PROP_LOADED,
  PROP_N_SELECTED,
  PROP_N_SENDING,
  N_PROPS
};

void          rs_respondent_view_notify              (RsRespondentView *self,
                                                      guint             prop_id);
void          rs_respondent_view_update_page         (RsRespondentView *self);
void          rs_respondent_view_update_stats        (RsRespondentView *self,
                                                      const RsSummary  *summary);
void          rs_respondent_view_apply_filter_and_sort (RsRespondentView *self,
                                                        gboolean          filter,
                                                        RsSortColumn      column,
                                                        gboolean          descending);
RsRespondent *rs_respondent_view_respondent_at       (RsRespondentView *self,
                                                      guint             position);

void          rs_respondent_view_columns_class_init  (GtkWidgetClass   *widget_class);
void          rs_respondent_view_setup_sorting       (RsRespondentView *self);
void          rs_respondent_view_measure             (GtkWidget        *widget,
                                                      GtkOrientation    orientation,
                                                      int               for_size,
                                                      int              *minimum,
                                                      int              *natural,
                                                      int              *minimum_baseline,
                                                      int              *natural_baseline);
void          rs_respondent_view_size_allocate       (GtkWidget        *widget,
                                                      int               width,
                                                      int               height,
                                                      int               baseline);

void          rs_respondent_view_actions_class_init  (GtkWidgetClass   *widget_class);
void          rs_respondent_view_actions_init        (RsRespondentView *self);

G_END_DECLS
