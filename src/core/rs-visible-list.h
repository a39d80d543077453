/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-respondent-list.h"

G_BEGIN_DECLS

typedef enum
{
  RS_VISIBLE_ALL,
  RS_VISIBLE_PENDING,
  RS_VISIBLE_SENT,
  RS_VISIBLE_FAILED,
  RS_VISIBLE_ATTENTION,
} RsVisibleFilter;


#define RS_TYPE_VISIBLE_LIST (rs_visible_list_get_type ())
G_DECLARE_FINAL_TYPE (RsVisibleList, rs_visible_list, RS, VISIBLE_LIST, GObject)

RsVisibleList *rs_visible_list_new        (RsRespondentList *base);
void           rs_visible_list_set_filter (RsVisibleList    *self,
                                           RsVisibleFilter   filter,
                                           const char       *query);
void           rs_visible_list_set_sort   (RsVisibleList    *self,
                                           RsSortColumn      column,
                                           gboolean          descending);
RsRespondent  *rs_visible_list_peek       (RsVisibleList    *self,
                                           guint             position);
int            rs_visible_list_compare    (RsSortColumn      column,
                                           RsRespondent     *a,
                                           RsRespondent     *b);

G_END_DECLS
