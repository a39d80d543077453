/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The real SMTP test server, tests/smtp-server.py, run by Debian's python3. */
typedef struct
{
  char *dir;
  GSubprocess *process;
  char *url;
} RsTestServer;

void  rs_test_server_start (RsTestServer *server,
                            const char   *first_arg,
                            ...);
void  rs_test_server_stop  (RsTestServer *server);
guint rs_test_server_count (RsTestServer *server,
                            const char   *needle);
/* smtp://127.0.0.1:PORT with nothing listening on PORT */
char *rs_test_closed_url   (void);
void  rs_test_make_certificate (const char  *dir,
                                char       **cert,
                                char       **key);

G_END_DECLS
