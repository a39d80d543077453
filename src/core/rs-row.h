/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "rs-respondent.h"

G_BEGIN_DECLS

#define RS_TYPE_ROW (rs_row_get_type ())
G_DECLARE_FINAL_TYPE (RsRow, rs_row, RS, ROW, GObject)

/* One place in a table, showing one respondent at a time. Main thread only. */
RsRow        *rs_row_new            (RsRespondent *respondent);
RsRespondent *rs_row_get_respondent (RsRow        *self);
void          rs_row_set_respondent (RsRow        *self,
                                     RsRespondent *respondent);

G_END_DECLS
