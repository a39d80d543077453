/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "rs-row.h"

G_BEGIN_DECLS

#define RS_TYPE_ROW_LIST (rs_row_list_get_type ())
G_DECLARE_FINAL_TYPE (RsRowList, rs_row_list, RS, ROW_LIST, GObject)

RsRowList *rs_row_list_new (GListModel *respondents);

G_END_DECLS
