/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-source-writer"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "rs-source-writer.h"
#include "rs-test-util.h"

typedef struct
{
  char *dir;
  char *path;
  char *database;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->dir = rs_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, "import-1.txt", NULL);
  /* Its log need not exist: the writer then syncs the file alone. */
  fixture->database = g_build_filename (fixture->dir, "tracker.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  rs_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->database);
}

static char *
read_back (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);

  return contents;
}

/* Many buffers, more than are ever in flight, come out whole and in order,
 * while the caller fills the next ones. */
static void
test_in_order (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(RsSourceWriter) writer = rs_source_writer_new (fixture->path, fixture->database);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  for (guint i = 0; i < 500; i++)
    {
      GString *buffer = rs_source_writer_get_buffer (writer);

      g_assert_cmpuint (buffer->len, ==, 0);
      for (guint j = 0; j < 200; j++)
        g_string_append_printf (buffer, "%u.%u\x1f", i, j);
      g_string_append (expected, buffer->str);
      rs_source_writer_write (writer, buffer);
      g_assert_false (rs_source_writer_has_failed (writer));
    }
  rs_source_writer_close (writer);

  g_assert_true (rs_source_writer_wait (writer, TRUE, &error));
  g_assert_no_error (error);
  contents = read_back (fixture->path);
  g_assert_cmpstr (contents, ==, expected->str);
}

/* Nothing to write, no file: an import that changed no one leaves none. */
static void
test_nothing_written (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(RsSourceWriter) writer = rs_source_writer_new (fixture->path, fixture->database);
  g_autoptr(GError) error = NULL;

  rs_source_writer_write (writer, rs_source_writer_get_buffer (writer));
  g_assert_true (rs_source_writer_wait (writer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

/* A file that cannot be made: the writer says so, naming it, and the one
 * who fills buffers learns that there is no use in going on. */
static void
test_cannot_write (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(RsSourceWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  GString *buffer;

  g_assert_cmpint (g_mkdir (fixture->path, 0700), ==, 0);
  writer = rs_source_writer_new (fixture->path, fixture->database);
  buffer = rs_source_writer_get_buffer (writer);
  g_string_append (buffer, "a row");
  rs_source_writer_write (writer, buffer);

  for (guint i = 0; i < 1000 && !rs_source_writer_has_failed (writer); i++)
    g_usleep (1000);
  g_assert_true (rs_source_writer_has_failed (writer));

  g_assert_false (rs_source_writer_wait (writer, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_nonnull (strstr (error->message, fixture->path));
}

/* Not kept: what was not written yet is dropped, and no error is made up. */
static void
test_not_kept (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(RsSourceWriter) writer = rs_source_writer_new (fixture->path, fixture->database);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    {
      GString *buffer = rs_source_writer_get_buffer (writer);

      g_string_append (buffer, "a row that nobody wants\x1f");
      rs_source_writer_write (writer, buffer);
    }

  g_assert_true (rs_source_writer_wait (writer, FALSE, &error));
  g_assert_no_error (error);
  if (g_file_test (fixture->path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *contents = read_back (fixture->path);

      g_assert_cmpuint (strlen (contents), <=, 100 * strlen ("a row that nobody wants\x1f"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/source-writer/in-order", Fixture, NULL, fixture_set_up, test_in_order,
              fixture_tear_down);
  g_test_add ("/source-writer/nothing-written", Fixture, NULL, fixture_set_up,
              test_nothing_written, fixture_tear_down);
  g_test_add ("/source-writer/cannot-write", Fixture, NULL, fixture_set_up, test_cannot_write,
              fixture_tear_down);
  g_test_add ("/source-writer/not-kept", Fixture, NULL, fixture_set_up, test_not_kept,
              fixture_tear_down);

  return g_test_run ();
}
