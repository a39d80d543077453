/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void     rs_thread_set_background (void);
gboolean rs_thread_is_background  (void);

G_END_DECLS
