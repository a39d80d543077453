/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-respondent.h"

G_BEGIN_DECLS

#define RS_TYPE_RESPONDENT_LIST (rs_respondent_list_get_type ())
G_DECLARE_FINAL_TYPE (RsRespondentList, rs_respondent_list, RS, RESPONDENT_LIST, GObject)

RsRespondentList *rs_respondent_list_new        (void);
guint             rs_respondent_list_merge      (RsRespondentList *self,
                                                 GPtrArray        *fresh);
RsRespondent     *rs_respondent_list_lookup     (RsRespondentList *self,
                                                 gint64            id);

G_END_DECLS
