/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-send"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>

#include "rs-mailer.h"
#include "rs-message.h"
#include "rs-test-smtp.h"
#include "rs-test-util.h"

/* --messages messages (200 by default) with a 150 KB PDF each to the test
 * server with STARTTLS and AUTH: on one connection, as the send job does;
 * through the leanest client at hand (tests/smtp-client.py), which shows what
 * the server can take; and connecting, securing and signing in for every
 * message, as the previous tool did. Prints messages a second and client CPU
 * time a message. */

typedef struct
{
  double seconds;
  double cpu;
  guint connections;
} Run;

static void
print_run (const char *what,
           const Run  *run,
           GPtrArray  *batch)
{
  printf ("%s: %u messages of %.0f KB in %.2f s (%.1f a second), %u connection%s, "
          "%.1f ms of client CPU a message\n",
          what, batch->len, g_bytes_get_size (batch->pdata[0]) / 1024.0, run->seconds,
          batch->len / run->seconds, run->connections, run->connections == 1 ? "" : "s",
          run->cpu * 1000 / batch->len);
}

/* Through RsMailer, on one connection (@reuse) or one for every message, as
 * the previous tool did. */
static void
run_mailer (RsTestServer *server,
            const char   *cert,
            GPtrArray    *batch,
            gboolean      reuse,
            Run          *run)
{
  g_autoptr(GError) error = NULL;
  RsMailerConfig config = {
    .url = server->url, .starttls_required = TRUE, .user = "scan@example.com",
    .password = "bench-secret", .ca_file = cert, .connect_timeout_s = 10, .timeout_s = 60,
  };
  g_autoptr(RsMailer) shared = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu = rs_test_cpu_seconds ();

  run->connections = 0;
  if (reuse)
    {
      shared = rs_mailer_new (&config, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < batch->len; i++)
    {
      g_autofree char *to = g_strdup_printf ("person.%u@example.org", i);
      g_autoptr(RsMailer) own = NULL;
      RsMailer *mailer = shared;
      RsMailOutcome outcome;

      if (!reuse)
        {
          own = rs_mailer_new (&config, &error);
          g_assert_no_error (error);
          mailer = own;
        }
      outcome = rs_mailer_send (mailer, "scan@example.com", to, batch->pdata[i], NULL, NULL,
                                NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (outcome, ==, RS_MAIL_SENT);
      if (!reuse)
        run->connections += rs_mailer_get_connections (own);
    }
  if (reuse)
    run->connections = rs_mailer_get_connections (shared);

  run->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  run->cpu = rs_test_cpu_seconds () - cpu;
}

static void
write_batch (const char *dir,
             GPtrArray  *batch)
{
  g_autofree char *folder = g_build_filename (dir, "batch", NULL);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  for (guint i = 0; i < batch->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("%05u.eml", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      gsize size;
      const char *data = g_bytes_get_data (batch->pdata[i], &size);

      g_assert_true (g_file_set_contents (path, data, size, NULL));
    }
}

/* The same messages through tests/smtp-client.py, the leanest client at hand:
 * what the server can take. Its own timing leaves out starting Python. */
static void
run_yardstick (RsTestServer *server,
               const char   *cert,
               const char   *dir,
               Run          *run)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (dir, "batch", NULL);
  g_autofree char *output = NULL;
  g_auto(GStrv) fields = NULL;
  const char *port = strrchr (server->url, ':') + 1;
  const char *argv[] = {
    "/usr/bin/python3", g_test_get_filename (G_TEST_DIST, "smtp-client.py", NULL), port, cert,
    "scan@example.com", "bench-secret", "scan@example.com", folder, NULL,
  };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  fields = g_strsplit (g_strstrip (output), " ", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  run->seconds = g_ascii_strtod (fields[1], NULL);
  run->cpu = g_ascii_strtod (fields[2], NULL);
  run->connections = 1;
}

static int messages = 200;

static void
bench (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GBytes) pdf = NULL;
  guchar *data;
  RsTestServer server = { 0 };
  Run best_ours = { 0 };
  Run best_lean = { 0 };

  dir = rs_test_make_tmpdir ();
  rs_test_make_certificate (dir, &cert, &key);
  rs_test_server_start (&server, "--cert", cert, "--key", key, "--require-starttls",
                        "--user", "scan@example.com", "--password", "bench-secret", NULL);

  data = g_malloc (150 * 1024);
  for (guint i = 0; i < 150 * 1024; i++)
    data[i] = (guchar) g_random_int ();
  pdf = g_bytes_new_take (data, 150 * 1024);

  for (int i = 0; i < messages; i++)
    {
      g_autofree char *to = g_strdup_printf ("person.%d@example.org", i);
      g_autoptr(RsMessage) message = rs_message_new ("scan@example.com", "Scan Team", to, NULL,
                                                     "Your report", "Dear respondent,\n\n"
                                                     "your report is attached.\n", &error);

      g_assert_no_error (error);
      g_assert_true (rs_message_attach (message, "report.pdf", -1, pdf, "application/pdf",
                                        &error));
      g_ptr_array_add (batch, rs_message_to_bytes (message, &error));
      g_assert_no_error (error);
    }

  write_batch (dir, batch);

  /* The server is the bottleneck and the machine is noisy: the yardstick and
   * the send job's way take turns, and each is judged by its best round. */
  for (guint round = 0; round < 3; round++)
    {
      Run ours = { 0 };
      Run lean = { 0 };

      run_yardstick (&server, cert, dir, &lean);
      print_run ("yardstick client, one connection", &lean, batch);
      run_mailer (&server, cert, batch, TRUE, &ours);
      print_run ("one connection for the batch", &ours, batch);
      if (lean.seconds < best_lean.seconds || round == 0)
        best_lean = lean;
      if (ours.seconds < best_ours.seconds || round == 0)
        best_ours = ours;
    }

  {
    Run each = { 0 };

    run_mailer (&server, cert, batch, FALSE, &each);
    print_run ("a new connection for every message", &each, batch);
    printf ("best rounds: one connection %.1f a second = %.0f %% of the yardstick's %.1f; "
            "a connection for every message %.1f a second\n",
            batch->len / best_ours.seconds, 100 * best_lean.seconds / best_ours.seconds,
            batch->len / best_lean.seconds, batch->len / each.seconds);
  }

  rs_test_server_stop (&server);
  rs_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "messages", 0, 0, G_OPTION_ARG_INT, &messages, "Messages in the batch", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);

  /* A test case only so that the server script can be found. */
  rs_test_init (&argc, &argv);
  g_test_add_func ("/bench/send", bench);

  return g_test_run ();
}
