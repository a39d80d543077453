/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

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
