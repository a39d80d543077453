/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  RS_STATUS_PENDING,
  RS_STATUS_SENDING,
  RS_STATUS_SENT,
  RS_STATUS_FAILED,
  RS_STATUS_UNKNOWN,
} RsStatus;

#define RS_STATUS_INVALID ((RsStatus) -1)

const char *rs_status_to_string   (RsStatus    status);
RsStatus    rs_status_from_string (const char *str);
const char *rs_status_get_label   (RsStatus    status);

G_END_DECLS
