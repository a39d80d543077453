/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-test-smtp"

#include "config.h"

#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* Starts tests/smtp-server.py on a free port of 127.0.0.1 with the given
 * options; it stores messages in a folder of its own. */
void
rs_test_server_start (RsTestServer *server,
                      const char   *first_arg,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list args;

  server->dir = rs_test_make_tmpdir ();
  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, (gpointer) g_test_get_filename (G_TEST_DIST, "smtp-server.py", NULL));
  g_ptr_array_add (argv, server->dir);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  server->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE
                                       | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  server->url = g_strdup_printf ("smtp://127.0.0.1:%s", line + 5);
}

void
rs_test_server_stop (RsTestServer *server)
{
  if (server->process != NULL)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  if (server->dir != NULL)
    rs_test_remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->url, g_free);
}

/* How often @needle is in the server's log. */
guint
rs_test_server_count (RsTestServer *server,
                      const char   *needle)
{
  g_autofree char *path = g_build_filename (server->dir, "log.jsonl", NULL);
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &log, NULL, NULL))
    return 0;

  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;

  return n;
}

/* A port on this machine that nothing listens on. */
char *
rs_test_closed_url (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_assert_true (g_socket_close (socket, &error));

  return g_strdup_printf ("smtp://127.0.0.1:%u", port);
}

/* A self-signed certificate for localhost and 127.0.0.1, made with openssl
 * in @dir: cert.pem and key.pem. */
void
rs_test_make_certificate (const char  *dir,
                          char       **cert,
                          char       **key)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  *cert = g_build_filename (dir, "cert.pem", NULL);
  *key = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", *key,
      "-out", *cert, "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1", NULL,
    };

    g_spawn_sync (NULL, (char **) argv, NULL,
                  G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}
