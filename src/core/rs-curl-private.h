/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

/* libcurl's global set-up, once for the whole process, whichever of the
 * mailer, Microsoft Graph or the sign-in needs it first, from any thread. */
CURLcode rs_curl_init (void);

G_END_DECLS
