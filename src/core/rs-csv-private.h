/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "rs-csv.h"

G_BEGIN_DECLS

/* For tests: with @fast %FALSE every record goes through the byte-by-byte
 * state machine, which the fast path of whole lines must agree with. */
RsCsvReader *rs_csv_reader_new_for_bytes_full (GBytes    *bytes,
                                               gboolean   fast,
                                               GError   **error);

G_END_DECLS
