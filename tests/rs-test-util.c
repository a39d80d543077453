/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-test-util"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sys/resource.h>

#include "rs-test-util.h"

static char *test_home;

static void
remove_test_home (void)
{
  rs_test_remove_tree (test_home);
  g_clear_pointer (&test_home, g_free);
}

/* Every test program runs with its own empty home and XDG folders, and
 * in-memory settings, so nothing of the user's is read or written. The
 * system folders (XDG_DATA_DIRS) stay: GTK needs their MIME database. */
void
rs_test_init (int    *argc,
              char ***argv)
{
  static const char *folders[] = {
    "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "HOME",
  };
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  test_home = g_dir_make_tmp ("resiliencescan-test-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *folder = g_build_filename (test_home, folders[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
      g_setenv (folders[i], folder, TRUE);
    }
  atexit (remove_test_home);

  g_test_init (argc, argv, NULL);
}

char *
rs_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir;

  dir = g_dir_make_tmp ("rs-test-XXXXXX", &error);
  g_assert_no_error (error);

  return dir;
}

void
rs_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rs_test_remove_tree (child);
    }
  g_rmdir (path);
}

/* Whether any file under @path (or @path itself) holds @needle. */
gboolean
rs_test_tree_contains (const char *path,
                       const char *needle)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      gsize needle_length = strlen (needle);

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return FALSE;
      for (gsize i = 0; i + needle_length <= length; i++)
        if (contents[i] == needle[0] && memcmp (contents + i, needle, needle_length) == 0)
          return TRUE;
      return FALSE;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && rs_test_tree_contains (child, needle))
        return TRUE;
    }

  return FALSE;
}

/* User and system time of all the process's threads so far */
double
rs_test_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

void
rs_test_steps_init (RsTestSteps *steps)
{
  g_mutex_init (&steps->mutex);
  g_cond_init (&steps->cond);
  steps->step = 0;
}

void
rs_test_steps_clear (RsTestSteps *steps)
{
  g_mutex_clear (&steps->mutex);
  g_cond_clear (&steps->cond);
}

void
rs_test_steps_set (RsTestSteps *steps,
                   int          step)
{
  g_mutex_lock (&steps->mutex);
  steps->step = step;
  g_cond_broadcast (&steps->cond);
  g_mutex_unlock (&steps->mutex);
}

/* Returns once the step is @step or later. */
void
rs_test_steps_wait (RsTestSteps *steps,
                    int          step)
{
  g_mutex_lock (&steps->mutex);
  while (steps->step < step)
    g_cond_wait (&steps->cond, &steps->mutex);
  g_mutex_unlock (&steps->mutex);
}

JsonNode *
rs_test_read_workbook (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  const char *script = g_test_get_filename (G_TEST_DIST, "check-xlsx.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, &errors,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("check-xlsx.py could not read %s (python3-openpyxl?): %s\n%s", path,
             error->message, errors);

  g_assert_true (json_parser_load_from_data (parser, output, -1, &error));
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

JsonArray *
rs_test_workbook_rows (JsonNode   *book,
                       const char *title)
{
  JsonArray *sheets = json_object_get_array_member (json_node_get_object (book), "sheets");

  for (guint i = 0; i < json_array_get_length (sheets); i++)
    {
      JsonObject *sheet = json_array_get_object_element (sheets, i);

      if (g_strcmp0 (json_object_get_string_member (sheet, "title"), title) == 0)
        return json_object_get_array_member (sheet, "rows");
    }

  return NULL;
}

JsonObject *
rs_test_workbook_cell (JsonNode   *book,
                       const char *title,
                       guint       row,
                       const char *column)
{
  JsonArray *rows = rs_test_workbook_rows (book, title);
  JsonArray *header;

  g_assert_nonnull (rows);
  g_assert_cmpuint (row, <, json_array_get_length (rows));
  header = json_array_get_array_element (rows, 0);
  for (guint i = 0; i < json_array_get_length (header); i++)
    {
      JsonObject *cell = json_array_get_object_element (header, i);

      if (g_strcmp0 (json_object_get_string_member (cell, "value"), column) == 0)
        return json_array_get_object_element (json_array_get_array_element (rows, row), i);
    }

  g_error ("no column “%s” in the sheet “%s”", column, title);
}
