/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-status"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-status.h"

static const char *names[] = { "pending", "sending", "sent", "failed", "unknown" };

/* The name stored in the database and used on the command line. */
const char *
rs_status_to_string (RsStatus status)
{
  g_return_val_if_fail (status <= RS_STATUS_UNKNOWN, NULL);

  return names[status];
}

/* Returns RS_STATUS_INVALID for anything that is not a status name. */
RsStatus
rs_status_from_string (const char *str)
{
  if (str == NULL)
    return RS_STATUS_INVALID;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (str, names[i]) == 0)
      return (RsStatus) i;

  return RS_STATUS_INVALID;
}

/* The word shown to people, in their language. */
const char *
rs_status_get_label (RsStatus status)
{
  switch (status)
    {
    case RS_STATUS_PENDING:
      return _("Pending");
    case RS_STATUS_SENDING:
      return _("Sending");
    case RS_STATUS_SENT:
      return _("Sent");
    case RS_STATUS_FAILED:
      return _("Failed");
    case RS_STATUS_UNKNOWN:
      return _("Unknown");
    default:
      g_return_val_if_reached (NULL);
    }
}
