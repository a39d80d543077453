/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "rs-curl-private.h"

static gpointer
init_curl (gpointer data)
{
  return GINT_TO_POINTER (curl_global_init (CURL_GLOBAL_DEFAULT));
}

CURLcode
rs_curl_init (void)
{
  static GOnce once = G_ONCE_INIT;

  return GPOINTER_TO_INT (g_once (&once, init_curl, NULL));
}

void
rs_curl_set_init_error (GError   **error,
                        GQuark     domain,
                        gint       code,
                        CURLcode   rc)
{
  g_set_error (error, domain, code, _("The mail library could not be started: %s."),
               curl_easy_strerror (rc));
}

gboolean
rs_curl_has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;

  return FALSE;
}

gboolean
rs_curl_check_address (const char  *address,
                       gboolean     strict,
                       GQuark       domain,
                       gint         code,
                       GError     **error)
{
  g_autofree char *shown = NULL;

  if (address != NULL && *address != '\0' && strchr (address, '<') == NULL
      && strchr (address, '>') == NULL && strchr (address, ' ') == NULL
      && !rs_curl_has_control_characters (address)
      && (!strict || (strchr (address, '@') != NULL && g_utf8_validate (address, -1, NULL))))
    return TRUE;

  shown = g_strescape (address != NULL ? address : "", NULL);
  g_set_error (error, domain, code,
               _("The address “%s” cannot be used to send mail: it is empty or contains a "
                 "line break, a space or another character that is not allowed."),
               shown);
  return FALSE;
}

gboolean
rs_curl_is_tls_failure (CURLcode rc)
{
  switch (rc)
    {
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return TRUE;
    default:
      return FALSE;
    }
}

static int
on_progress (void       *user_data,
             curl_off_t  dl_total,
             curl_off_t  dl_now,
             curl_off_t  ul_total,
             curl_off_t  ul_now)
{
  GCancellable **cancellable = user_data;

  return g_cancellable_is_cancelled (*cancellable) ? 1 : 0;
}

void
rs_curl_stop_on_cancel (CURL          *curl,
                        GCancellable **cancellable)
{
  curl_easy_setopt (curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt (curl, CURLOPT_XFERINFODATA, cancellable);
  curl_easy_setopt (curl, CURLOPT_NOPROGRESS, 0L);
}
