/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <curl/curl.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* libcurl's global set-up, once for the whole process, whichever of the
 * mailer, Microsoft Graph or the sign-in needs it first, from any thread. */
CURLcode rs_curl_init (void);

/* Sets @error (@domain, @code) to say that libcurl could not be started,
 * for @rc. */
void     rs_curl_set_init_error (GError   **error,
                                 GQuark     domain,
                                 gint       code,
                                 CURLcode   rc);

/* Whether @text has a control character, which would end or add a line
 * in a command or a header. */
gboolean rs_curl_has_control_characters (const char *text);

/* Whether @address may go into a command or a request as it is: not
 * empty, without a blank, an angle bracket or a control character; when
 * @strict (Microsoft Graph), also with an @ and in UTF-8. Else sets @error
 * (@domain, @code). */
gboolean rs_curl_check_address (const char  *address,
                                gboolean     strict,
                                GQuark       domain,
                                gint         code,
                                GError     **error);

/* Whether @rc says the secure connection could not be made (a failed
 * verification and a pin that does not match included). */
gboolean rs_curl_is_tls_failure (CURLcode rc);

/* Makes @curl stop a transfer when *@cancellable is cancelled; @cancellable
 * is read at every progress call, so it may change between transfers. */
void     rs_curl_stop_on_cancel (CURL          *curl,
                                 GCancellable **cancellable);

G_END_DECLS
