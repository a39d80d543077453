/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rs_test_write_master (const char *path,
                           guint       rows);

G_END_DECLS
