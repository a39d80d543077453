/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* What the core units that read text many bytes at a time share. */

/* The eight bytes at @p, the first in the lowest byte, at any alignment. */
static inline guint64
rs_load_le64 (const void *p)
{
  guint64 word;

  memcpy (&word, p, sizeof word);
  return GUINT64_FROM_LE (word);
}

G_END_DECLS
