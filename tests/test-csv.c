/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-csv"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rs-csv-private.h"

/* Must match CHUNK_SIZE in rs-csv.c for the chunk border tests to aim right;
 * the tests still pass, but prove less, if it does not. */
#define CHUNK 65536

static char *tmp_dir;

static const char *
error_name (const GError *error)
{
  if (error->domain != RS_CSV_ERROR)
    return "io";

  switch (error->code)
    {
    case RS_CSV_ERROR_EMPTY:
      return "empty";
    case RS_CSV_ERROR_BINARY:
      return "binary";
    case RS_CSV_ERROR_RAGGED:
      return "ragged";
    case RS_CSV_ERROR_TOO_LARGE:
      return "too-large";
    case RS_CSV_ERROR_UNTERMINATED:
      return "unterminated";
    case RS_CSV_ERROR_CHANGED:
      return "changed";
    case RS_CSV_ERROR_CUT_OFF:
      return "cut-off";
    default:
      return "unknown";
    }
}

static void
append_fields (GString            *out,
               const char * const *fields,
               guint               n_fields)
{
  g_assert_nonnull (fields);
  g_assert_null (fields[n_fields]);

  for (guint i = 0; i < n_fields; i++)
    {
      g_assert_true (g_utf8_validate (fields[i], -1, NULL));
      g_string_append_c (out, '[');
      for (const char *p = fields[i]; *p; p++)
        {
          if (*p == '\n')
            g_string_append (out, "\\n");
          else if (*p == '\r')
            g_string_append (out, "\\r");
          else
            g_string_append_c (out, *p);
        }
      g_string_append_c (out, ']');
    }
}

/* The row data holds the fields, one after the other, each ended by a NUL. */
static void
check_row_data (RsCsvReader        *reader,
                const char * const *fields,
                guint               n_fields)
{
  gsize len;
  const char *data = rs_csv_reader_get_row_data (reader, &len);
  gsize at = 0;

  for (guint i = 0; i < n_fields; i++)
    {
      g_assert_true (fields[i] == data + at);
      at += strlen (fields[i]) + 1;
    }
  g_assert_cmpuint (at, ==, len);
}

/* One line per row: "LINE:[field][field]", "LINE:ragged N" or
 * "LINE:error NAME"; the header comes first. */
static char *
dump_reader (RsCsvReader *reader)
{
  GString *out = g_string_new (NULL);
  const char * const *header;
  guint n_header;
  goffset last_position = 0;

  header = rs_csv_reader_get_header (reader, &n_header);
  g_string_append_printf (out, "%u:", rs_csv_reader_get_line (reader));
  append_fields (out, header, n_header);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < 1000000; i++)
    {
      g_autoptr(GError) error = NULL;
      const char * const *fields;
      guint n_fields;
      gboolean ok;

      ok = rs_csv_reader_next_row (reader, &fields, &n_fields, NULL, &error);
      g_assert_cmpint (rs_csv_reader_get_position (reader), >=, last_position);
      last_position = rs_csv_reader_get_position (reader);

      if (ok)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (n_fields, ==, n_header);
          check_row_data (reader, fields, n_fields);
          g_string_append_printf (out, "%u:", rs_csv_reader_get_line (reader));
          append_fields (out, fields, n_fields);
          g_string_append_c (out, '\n');
        }
      else if (error == NULL)
        {
          if (rs_csv_reader_get_size (reader) >= 0)
            g_assert_cmpint (rs_csv_reader_get_position (reader), ==,
                             rs_csv_reader_get_size (reader));
          break;
        }
      else if (g_error_matches (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
        {
          g_assert_cmpuint (n_fields, !=, n_header);
          g_string_append_printf (out, "%u:ragged %u\n", rs_csv_reader_get_line (reader),
                                  n_fields);
        }
      else
        {
          g_autoptr(GError) again = NULL;

          g_string_append_printf (out, "%u:error %s\n", rs_csv_reader_get_line (reader),
                                  error_name (error));
          /* Fatal errors stay fatal. */
          g_assert_false (rs_csv_reader_next_row (reader, &fields, &n_fields, NULL, &again));
          g_assert_nonnull (again);
          g_assert_cmpint (again->code, ==, error->code);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static GBytes *
static_bytes (const char *data)
{
  return g_bytes_new_static (data, strlen (data));
}

static void assert_lines_equal (const char *got,
                                const char *expected);

static char *
dump_bytes (GBytes   *bytes,
            gboolean  fast)
{
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = rs_csv_reader_new_for_bytes_full (bytes, fast, &error);
  if (reader == NULL)
    {
      g_assert_nonnull (error);
      return g_strdup_printf ("error %s", error_name (error));
    }
  g_assert_no_error (error);

  return dump_reader (reader);
}

/* Every input is read twice: the fast path for whole lines must read what
 * the state machine alone reads. */
static char *
dump_len (const char *data,
          gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autofree char *fast = dump_bytes (bytes, TRUE);
  g_autofree char *slow = dump_bytes (bytes, FALSE);

  assert_lines_equal (fast, slow);

  return g_steal_pointer (&fast);
}

static char *
dump (const char *data)
{
  return dump_len (data, strlen (data));
}

#define assert_dump(data, expected)                  \
  G_STMT_START {                                     \
    g_autofree char *_got = dump (data);             \
    g_assert_cmpstr (_got, ==, expected);            \
  } G_STMT_END

#define assert_dump_len(data, expected)                  \
  G_STMT_START {                                         \
    g_autofree char *_got = dump_len (data, sizeof data - 1); \
    g_assert_cmpstr (_got, ==, expected);                \
  } G_STMT_END

/* On a difference shows the first line that differs, not megabytes. */
static void
assert_lines_equal (const char *got,
                    const char *expected)
{
  gsize i = 0;
  gsize line_start = 0;
  g_autofree char *got_line = NULL;
  g_autofree char *expected_line = NULL;

  while (got[i] != '\0' && got[i] == expected[i])
    {
      if (got[i] == '\n')
        line_start = i + 1;
      i++;
    }
  if (got[i] == expected[i])
    return;

  got_line = g_strndup (got + line_start, strcspn (got + line_start, "\n"));
  expected_line = g_strndup (expected + line_start, strcspn (expected + line_start, "\n"));
  g_assert_cmpstr (got_line, ==, expected_line);
  g_assert_cmpstr (got, ==, expected);
}

static GFile *
write_tmp (const char *name,
           const char *data,
           gssize      len)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static char *
dump_file (GFile *file)
{
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = rs_csv_reader_new (file, NULL, &error);
  if (reader == NULL)
    {
      g_assert_nonnull (error);
      return g_strdup_printf ("error %s", error_name (error));
    }
  g_assert_no_error (error);

  return dump_reader (reader);
}

static void
test_quoting (void)
{
  assert_dump ("a,b,c\n"
               "\"x \"\"y\"\" z\",\"1,2\",\"p\nq\"\n"
               "\"\",plain\"mid\"quote,\"q\"tail\n"
               "\"\"\"\",,\"\"\n"
               "\"\",\"\",\"\"",
               "1:[a][b][c]\n"
               "2:[x \"y\" z][1,2][p\\nq]\n"
               "4:[][plain\"mid\"quote][qtail]\n"
               "5:[\"][][]\n"
               "6:[][][]\n");

  /* A quote not at the start of a field does not open quoting. */
  assert_dump ("a,b\n5\" disk,\"x\"\n", "1:[a][b]\n2:[5\" disk][x]\n");
  /* Quoted header fields keep their delimiters. */
  assert_dump ("\"last, first\",\"e\"\"mail\"\n1,2\n", "1:[last, first][e\"mail]\n2:[1][2]\n");
}

/* Quoted fields as a spreadsheet writes them, and all that is near them,
 * read the same by the fast path as by the state machine (dump() checks)
 * and as they should be. */
static void
test_quoted_fast (void)
{
  assert_dump ("a,b,c\n"
               "1,\"[1,000-9,999]\",3\n"
               "\"x\",\"y\",\"z\"\n"
               "\"\",,\"\"\n"
               "\"a,b\",\"\",c\r\n"
               "\"é, €\",2,\"–\"\n"
               "1,2,\"\"\n",
               "1:[a][b][c]\n"
               "2:[1][[1,000-9,999]][3]\n"
               "3:[x][y][z]\n"
               "4:[][][]\n"
               "5:[a,b][][c]\n"
               "6:[é, €][2][–]\n"
               "7:[1][2][]\n");

  /* Left to the state machine: quotes inside, text after the closing
   * quote, a quote not at the start, a line break inside quotes, a quote
   * never closed. */
  assert_dump ("a,b\n"
               "\"say \"\"hi\"\"\",1\n"
               "\"q\"tail,2\n"
               "5\" disk,\"x\"\n"
               "\"p\nq\",\"r\"\n"
               "\"open,3\n",
               "1:[a][b]\n"
               "2:[say \"hi\"][1]\n"
               "3:[qtail][2]\n"
               "4:[5\" disk][x]\n"
               "5:[p\\nq][r]\n"
               "7:error unterminated\n");

  /* A line of one quoted empty field is a row, not a blank line. */
  assert_dump ("a\n\"\"\n\nb\n", "1:[a]\n2:[]\n4:[b]\n");
}

/* Random lines of quoted and plain fields, line breaks and quotes where
 * they can go: both paths agree on all of them. */
static void
test_quoted_random (void)
{
  static const char *const pieces[] = {
    "", "x", "abc", ",", "\"", "\"\"", "\"a,b\"", "\"a\"\"b\"", "\r\n", "\n", "\r",
    "é", ";", "\t", " ", "\"\n\"", "1.5",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261204);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) csv = g_string_new ("h1,h2,h3\n");
      g_autofree char *got = NULL;
      guint n = g_rand_int_range (rand, 1, 40);

      for (guint i = 0; i < n; i++)
        g_string_append (csv, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      got = dump_len (csv->str, csv->len);
      g_assert_nonnull (got);
    }
}

/* Whether @text has a valid UTF-8 sequence of more than one byte, by GLib. */
static gboolean
has_multibyte (const char *text,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    for (gsize n = 2; n <= 4 && i + n <= len && (guchar) text[i] >= 0x80; n++)
      if (g_utf8_validate_len (text + i, n, NULL))
        return TRUE;

  return FALSE;
}

/* Random bytes in a field, in and out of UTF-8, near the edges of what is
 * valid: the field is read as UTF-8 exactly when GLib calls it UTF-8, and
 * the file is Windows-1252 when it is not and has no valid multi-byte
 * sequence. */
static void
test_encoding_random (void)
{
  static const guint8 bytes[] = {
    'a', ' ', 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
    0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4122026);

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GString) csv = g_string_new ("h\n");
      g_autoptr(GBytes) data = NULL;
      g_autoptr(RsCsvReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      guint n = g_rand_int_range (rand, 1, 8);

      /* A long ASCII run first, now and then, for the 16 bytes at a time. */
      if (g_rand_boolean (rand))
        g_string_append (csv, "abcdefghijklmnopqrstuvwxyz");
      for (guint i = 0; i < n; i++)
        g_string_append_c (csv, bytes[g_rand_int_range (rand, 0, G_N_ELEMENTS (bytes))]);
      g_string_append_c (csv, '\n');

      data = g_bytes_new (csv->str, csv->len);
      reader = rs_csv_reader_new_for_bytes (data, &error);
      g_assert_no_error (error);
      {
        const char * const *fields;
        const RsCsvRecoded *recoded;
        gboolean valid = g_utf8_validate_len (csv->str, csv->len, NULL);
        guint n_fields;
        guint n_recoded;

        g_assert_true (rs_csv_reader_next_row (reader, &fields, &n_fields, NULL, &error));
        g_assert_no_error (error);
        if (valid)
          g_assert_true (strncmp (fields[0], csv->str + 2, csv->len - 3) == 0
                         && fields[0][csv->len - 3] == '\0');
        recoded = rs_csv_reader_get_recoded (reader, &n_recoded);
        g_assert_cmpuint (n_recoded, ==, valid ? 0 : 1);
        if (!valid)
          {
            g_assert_cmpuint (recoded[0].line, ==, 2);
            g_assert_cmpuint (recoded[0].column, ==, 0);
          }
        g_assert_false (rs_csv_reader_next_row (reader, &fields, &n_fields, NULL, &error));
        g_assert_no_error (error);
        g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==,
                         valid || has_multibyte (csv->str, csv->len) ? "UTF-8" : "WINDOWS-1252");
      }
    }
}

static void
test_embedded_newlines (void)
{
  assert_dump ("h1,h2\r\n"
               "\"a\r\nb\",c\r\n"
               "\"d\n\ne\",f\r\n"
               "g,\"h\ri\"\r\n"
               "j,k\r\n",
               "1:[h1][h2]\n"
               "2:[a\\r\\nb][c]\n"
               "4:[d\\n\\ne][f]\n"
               "7:[g][h\\ri]\n"
               "9:[j][k]\n");

  /* A quoted line break in the header moves every later line number. */
  assert_dump ("\"multi\nline\",b\nx,y\n\nz,w\n",
               "1:[multi\\nline][b]\n3:[x][y]\n5:[z][w]\n");
}

static void
test_bom (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *header;
  guint n;

  assert_dump ("\xef\xbb\xbfname,email\nA,a@example.org\n",
               "1:[name][email]\n2:[A][a@example.org]\n");
  assert_dump ("\xef\xbb\xbf\n\nname;email\nA;a@example.org\n",
               "3:[name][email]\n4:[A][a@example.org]\n");
  assert_dump ("\xef\xbb\xbf\"name\",x\n\"A\",1\n", "1:[name][x]\n2:[A][1]\n");
  /* A BOM is only special at the very start. */
  assert_dump ("a\n\xef\xbb\xbf" "b\n", "1:[a]\n2:[\xef\xbb\xbf" "b]\n");

  bytes = static_bytes ("\xef\xbb\xbfname\n");
  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  header = rs_csv_reader_get_header (reader, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (header[0], ==, "name");
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "UTF-8");
}

static void
test_cp1252 (void)
{
  static const char data[] = "name,note\n"
                             "Caf\xe9,\x80 5 \x96 ok\n"
                             "\x81\x8d\x8f\x90\x9d,\xa0\xff\x9f\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data - 1);
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);

  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (fields[0], ==, "Café");
  g_assert_cmpstr (fields[1], ==, "€ 5 – ok");

  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fields[0], ==, "\xc2\x81\xc2\x8d\xc2\x8f\xc2\x90\xc2\x9d");
  g_assert_cmpstr (fields[1], ==, "\xc2\xa0ÿŸ");

  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  /* Known at the end: no valid multi-byte sequence, some invalid ones. */
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "WINDOWS-1252");

  /* An incomplete UTF-8 sequence at the very end makes it Windows-1252. */
  assert_dump ("a,b\n1,\xc3", "1:[a][b]\n2:[1][Ã]\n");
}

/* In a row with Windows-1252 in it, a field that is valid UTF-8 only by
 * chance ("ß" and a no-break space, "É’") is Windows-1252 too, and noted;
 * real UTF-8 beside it, and rows that are all UTF-8, stay as they are. */
static void
test_cp1252_by_chance (void)
{
  static const char data[] = "name;company;email\r\n"
                             "Hans Strau\xdf\xa0;M\xfcller GmbH;hans@example.com\r\n"
                             "CAF\xc9\x92S Bakery;Caf\xe9 \x96 Bar;cafe@example.com\r\n"
                             "Zo\xc3\xab \xe2\x80\x99t Hart;M\xfcller GmbH;zoe@example.com\r\n"
                             "\xce\x9d\xce\xaf\xce\xba\xce\xb7;Athens SA;niki@example.com\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, sizeof data - 1);
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const RsCsvRecoded *recoded;
  const char * const *fields;
  guint n_recoded;
  guint n;

  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);

  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_cmpstr (fields[0], ==, "Hans Strauß\xc2\xa0");
  g_assert_cmpstr (fields[1], ==, "Müller GmbH");
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_cmpstr (fields[0], ==, "CAFÉ’S Bakery");
  g_assert_cmpstr (fields[1], ==, "Café – Bar");
  /* Three bytes beside it: real UTF-8, kept. */
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_cmpstr (fields[0], ==, "Zoë ’t Hart");
  g_assert_cmpstr (fields[1], ==, "Müller GmbH");
  /* A Greek name in a row that is all UTF-8 is Greek. */
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_cmpstr (fields[0], ==, "Νίκη");
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);

  recoded = rs_csv_reader_get_recoded (reader, &n_recoded);
  g_assert_cmpuint (n_recoded, ==, 5);
  g_assert_cmpuint (recoded[0].line, ==, 2);
  g_assert_cmpuint (recoded[0].column, ==, 0);
  g_assert_cmpuint (recoded[2].line, ==, 3);
  g_assert_cmpuint (recoded[2].column, ==, 0);
  g_assert_cmpuint (recoded[4].line, ==, 4);
  g_assert_cmpuint (recoded[4].column, ==, 1);
}

/* Every byte of the 0x80..0x9f block, checked against the code chart. */
static void
test_cp1252_table (void)
{
  static const char *const expected[32] = {
    "€", "\xc2\x81", "‚", "ƒ", "„", "…", "†", "‡", "ˆ", "‰", "Š", "‹", "Œ", "\xc2\x8d", "Ž",
    "\xc2\x8f", "\xc2\x90", "‘", "’", "“", "”", "•", "–", "—", "˜", "™", "š", "›", "œ",
    "\xc2\x9d", "ž", "Ÿ",
  };
  GString *s = g_string_new ("c\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  for (guint c = 0x80; c < 0xa0; c++)
    {
      g_string_append_c (s, (char) c);
      g_string_append_c (s, '\n');
    }
  bytes = g_string_free_to_bytes (s);
  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (fields[0], ==, expected[i]);
    }
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
}

static void
test_delimiters (void)
{
  static const char delimiters[] = { ',', ';', '\t', '|' };

  for (guint i = 0; i < G_N_ELEMENTS (delimiters); i++)
    {
      char d = delimiters[i];
      g_autofree char *data = g_strdup_printf ("a%cb%cc\n1%c\"2%c\"%c3\n", d, d, d, d, d);
      g_autoptr(GBytes) bytes = g_bytes_new (data, strlen (data));
      g_autoptr(RsCsvReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *got = NULL;
      g_autofree char *expected = g_strdup_printf ("1:[a][b][c]\n2:[1][2%c][3]\n", d);

      reader = rs_csv_reader_new_for_bytes (bytes, &error);
      g_assert_no_error (error);
      g_assert_cmpint (rs_csv_reader_get_delimiter (reader), ==, d);
      got = dump_reader (reader);
      g_assert_cmpstr (got, ==, expected);
    }

  /* Other candidates are data. */
  assert_dump ("a;b\tc|d,e\n1;2\t3|4,5\n", "1:[a;b\tc|d][e]\n2:[1;2\t3|4][5]\n");
  assert_dump ("a;b;c,d\n1;2;3,4\n", "1:[a][b][c,d]\n2:[1][2][3,4]\n");
  /* Quoted delimiters do not count. */
  assert_dump ("\"a,b\";\"c,d\";e\n1;2;3\n", "1:[a,b][c,d][e]\n2:[1][2][3]\n");
  assert_dump ("\"x,y,z\";w\n1;2\n", "1:[x,y,z][w]\n2:[1][2]\n");
  /* Ties: , then ; then tab then |. */
  assert_dump ("a;b,c\n1;2,3\n", "1:[a;b][c]\n2:[1;2][3]\n");
  assert_dump ("a|b\tc\n1|2\t3\n", "1:[a|b][c]\n2:[1|2][3]\n");
  assert_dump ("a|b;c\n1|2;3\n", "1:[a|b][c]\n2:[1|2][3]\n");
  /* None: one column. */
  assert_dump ("name\nx y\n", "1:[name]\n2:[x y]\n");
  /* Only the first record that is not blank counts. */
  assert_dump ("\n\na;b\n1;2,3,4,5\n", "3:[a][b]\n4:[1][2,3,4,5]\n");
}

static void
test_line_ends (void)
{
  assert_dump ("a,b\r\n1,2\r\n3,4\r\n", "1:[a][b]\n2:[1][2]\n3:[3][4]\n");
  assert_dump ("a,b\r1,2\r3,4", "1:[a][b]\n2:[1][2]\n3:[3][4]\n");
  assert_dump ("a,b\n1,2\r\n3,4\r5,6\n7,8", "1:[a][b]\n2:[1][2]\n3:[3][4]\n4:[5][6]\n5:[7][8]\n");
  assert_dump ("a,b\r\r1,2\n\n3,4\r\n\r\n5,6", "1:[a][b]\n3:[1][2]\n5:[3][4]\n7:[5][6]\n");
  assert_dump ("a,\"b\"\r\n\"1\",\"2\"\r", "1:[a][b]\n2:[1][2]\n");
}

static void
test_blank_lines (void)
{
  assert_dump ("\n\r\n\na,b\n\n1,2\r\n\r\n\r\n3,4\n\n",
               "4:[a][b]\n6:[1][2]\n9:[3][4]\n");
  /* A quoted empty field is a value, not a blank line. */
  assert_dump ("name\n\n\"\"\nx\n", "1:[name]\n3:[]\n4:[x]\n");
  /* Spaces are not blank. */
  assert_dump ("a,b\n \n1,2\n", "1:[a][b]\n2:ragged 1\n3:[1][2]\n");
}

static void
test_ragged (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  assert_dump ("a,b,c\n1,2,3\n1,2\n1,2,3,4\n\"x\ny\",2\n\n5,6,7\n8,9\n",
               "1:[a][b][c]\n"
               "2:[1][2][3]\n"
               "3:ragged 2\n"
               "4:ragged 4\n"
               "5:ragged 2\n"
               "8:[5][6][7]\n"
               "9:ragged 2\n");

  bytes = static_bytes ("a,b,c\n1,2,3\n\n\"4\n\",5\n6,7,8\n");
  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED);
  g_assert_cmpstr (error->message, ==, "Line 4 has 2 fields, but the header has 3");
  g_assert_cmpuint (rs_csv_reader_get_line (reader), ==, 4);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpstr (fields[0], ==, "4\n");
  g_assert_cmpstr (fields[1], ==, "5");
  g_clear_error (&error);
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_csv_reader_get_line (reader), ==, 6);
  g_assert_cmpstr (fields[2], ==, "8");
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rs_csv_reader_get_line (reader), ==, 6);
}

static void
test_empty (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new (NULL, 0);
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_EMPTY);
  g_assert_null (reader);

  assert_dump ("", "error empty");
  assert_dump ("\n", "error empty");
  assert_dump ("\n\r\n\r\r\n\n", "error empty");
  assert_dump ("\xef\xbb\xbf", "error empty");
  assert_dump ("\xef\xbb\xbf\r\n", "error empty");
}

static void
test_header_only (void)
{
  assert_dump ("a,b,c", "1:[a][b][c]\n");
  assert_dump ("a,b,c\r\n", "1:[a][b][c]\n");
  assert_dump ("a,b,c\n\n\n", "1:[a][b][c]\n");
  assert_dump ("a,b,", "1:[a][b][]\n");
  assert_dump ("\"a\"", "1:[a]\n");
}

static void
test_binary (void)
{
  static const char alphabet[] = "\",;\t|\r\n a\xe9\xc3\xa9\xef\xbb\xbf\xf0\x9f";

  assert_dump_len ("a,b\n1,\0\n", "error binary");
  assert_dump_len ("\xff\xfe" "a\0,\0b\0", "error binary");
  assert_dump ("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10", "error binary");

  for (guint32 seed = 1; seed <= 40; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      gsize len = g_rand_int_range (rand, 0, 5000);
      g_autofree char *data = g_malloc (len + 1);
      g_autofree char *got = NULL;
      gboolean nul_free = seed % 2 == 0;
      gboolean from_alphabet = seed % 4 == 0;

      for (gsize i = 0; i < len; i++)
        {
          if (from_alphabet)
            data[i] = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
          else if (nul_free)
            data[i] = (char) g_rand_int_range (rand, 1, 256);
          else
            data[i] = (char) g_rand_int_range (rand, 0, 256);
        }

      got = dump_len (data, len);
      if (memchr (data, '\0', len) != NULL)
        g_assert_cmpstr (got, ==, "error binary");
      else
        g_assert_false (g_str_has_prefix (got, "error io"));
    }
}

static void
append_n (GString *s,
          char     c,
          gsize    n)
{
  gsize len = s->len;

  g_string_set_size (s, len + n);
  memset (s->str + len, c, n);
}

static void
test_too_large (void)
{
  GString *s = g_string_new ("a,b\n1,");
  g_autofree char *data = NULL;
  g_autofree char *got = NULL;

  /* Exactly the limit is fine, one more byte is not. */
  append_n (s, 'x', RS_CSV_MAX_FIELD);
  g_string_append (s, "\n2,\"");
  append_n (s, 'y', RS_CSV_MAX_FIELD - 1);
  g_string_append (s, "\"\"\"\n3,4\n5,");
  append_n (s, 'z', RS_CSV_MAX_FIELD + 1);
  g_string_append (s, "\n6,7\n");
  data = g_string_free (s, FALSE);
  got = dump (data);
  g_assert_true (g_str_has_suffix (got, "]\n4:[3][4]\n5:error too-large\n"));
  g_assert_true (g_str_has_prefix (got, "1:[a][b]\n2:[1][xxx"));

  /* A multibyte character that would cross the limit. */
  s = g_string_new ("a\n");
  append_n (s, 'x', RS_CSV_MAX_FIELD - 1);
  g_string_append (s, "\xe9\n");
  g_clear_pointer (&data, g_free);
  data = g_string_free (s, FALSE);
  g_clear_pointer (&got, g_free);
  got = dump (data);
  g_assert_cmpstr (got, ==, "1:[a]\n2:error too-large\n");
  {
    g_autoptr(GBytes) bytes = static_bytes (data);
    g_autoptr(RsCsvReader) reader = rs_csv_reader_new_for_bytes (bytes, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (reader);
    g_assert_false (rs_csv_reader_next_row (reader, NULL, NULL, NULL, &error));
    g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_TOO_LARGE);
    g_assert_true (g_str_has_prefix (error->message, "Line 2 "));
  }

  /* Too many fields: the most allowed, then one more. */
  s = g_string_new (NULL);
  for (guint i = 0; i < RS_CSV_MAX_COLUMNS; i++)
    g_string_append (s, i == 0 ? "h" : ",h");
  g_string_append_c (s, '\n');
  for (guint i = 0; i < RS_CSV_MAX_COLUMNS; i++)
    g_string_append (s, i == 0 ? "v" : ",v");
  g_string_append_c (s, '\n');
  for (guint i = 0; i <= RS_CSV_MAX_COLUMNS; i++)
    g_string_append (s, i == 0 ? "w" : ",w");
  g_string_append_c (s, '\n');
  g_clear_pointer (&data, g_free);
  data = g_string_free (s, FALSE);
  g_clear_pointer (&got, g_free);
  got = dump (data);
  g_assert_true (g_str_has_suffix (got, "[v]\n3:error too-large\n"));

  /* A row over the limit, every field within it. */
  s = g_string_new (NULL);
  for (guint i = 0; i < 20; i++)
    g_string_append (s, i == 0 ? "h" : ",h");
  g_string_append_c (s, '\n');
  for (guint i = 0; i < 20; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      append_n (s, 'r', RS_CSV_MAX_ROW / 17);
    }
  g_string_append_c (s, '\n');
  g_clear_pointer (&data, g_free);
  data = g_string_free (s, FALSE);
  g_clear_pointer (&got, g_free);
  got = dump (data);
  g_assert_true (g_str_has_suffix (got, "[h]\n2:error too-large\n"));
}

static void
test_unterminated (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  assert_dump ("a,b\n1,2\n3,\"x\ny\n4,5\n", "1:[a][b]\n2:[1][2]\n3:error unterminated\n");
  assert_dump ("a,\"b", "error unterminated");
  /* An escaped quote at the end does not close the field. */
  assert_dump ("a,b\n1,\"2\"\"", "1:[a][b]\n2:error unterminated\n");

  bytes = static_bytes ("a,b\n\n1,\"2\n\n");
  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
  g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_UNTERMINATED);
  g_assert_nonnull (strstr (error->message, "line 3"));
  g_assert_cmpuint (rs_csv_reader_get_line (reader), ==, 3);
}

static void
test_cancel (void)
{
  g_autoptr(GBytes) bytes = static_bytes ("a\n1\n2\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;

  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, cancellable, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_file_small (void)
{
  static const char small[] = "\xef\xbb\xbfid;name\r\n1;\"A;B\"\r\n2;C\r\n";
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) missing = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  file = write_tmp ("small.csv", small, sizeof small - 1);
  got = dump_file (file);
  g_assert_cmpstr (got, ==, "1:[id][name]\n2:[1][A;B]\n3:[2][C]\n");

  reader = rs_csv_reader_new (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rs_csv_reader_get_size (reader), ==, sizeof small - 1);
  g_assert_cmpint (rs_csv_reader_get_delimiter (reader), ==, ';');
  g_clear_pointer (&reader, rs_csv_reader_free);

  g_clear_object (&file);
  file = write_tmp ("bom-blank.csv", "\xef\xbb\xbf\r\n\r\na;b\r\n1;2\r\n", -1);
  g_clear_pointer (&got, g_free);
  got = dump_file (file);
  g_assert_cmpstr (got, ==, "3:[a][b]\n4:[1][2]\n");

  g_clear_object (&file);
  file = write_tmp ("empty.csv", "", 0);
  reader = rs_csv_reader_new (file, NULL, &error);
  g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "empty.csv"));
  g_assert_null (reader);
  g_clear_error (&error);

  g_clear_object (&file);
  file = write_tmp ("binary.csv", "a,b\n\0\0\0", 7);
  reader = rs_csv_reader_new (file, NULL, &error);
  g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_BINARY);
  g_assert_nonnull (strstr (error->message, "binary.csv"));
  g_clear_error (&error);

  {
    g_autofree char *path = g_build_filename (tmp_dir, "missing.csv", NULL);

    missing = g_file_new_for_path (path);
  }
  reader = rs_csv_reader_new (missing, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.csv"));
  g_assert_null (reader);
  g_clear_error (&error);

  g_clear_object (&missing);
  missing = g_file_new_for_path (tmp_dir);
  reader = rs_csv_reader_new (missing, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_nonnull (strstr (error->message, tmp_dir));
  g_assert_null (reader);
}

static const char *const texts[] = {
  "é€😀 ÿ Ω 中文 \"q\"",
  "plain ascii, with a comma",
  "多字节字符跨越边界😀😀😀",
  "line\nbreak é",
  "",
};

static GString *
make_big (gsize        target,
          const char  *prefix,
          guint        n_pad,
          guint       *n_rows)
{
  GString *s = g_string_new (prefix);
  g_autofree char *pad = g_strnfill (n_pad, 'p');
  guint i;

  g_string_append (s, "id,text,tail\n");
  for (i = 0; s->len < target; i++)
    {
      const char *text = texts[i % G_N_ELEMENTS (texts)];
      g_autofree char *value = NULL;

      value = g_strconcat (i == 0 ? pad : "", text, NULL);
      g_string_append_printf (s, "%u,", i);
      if (strpbrk (value, "\n,\""))
        {
          g_string_append_c (s, '"');
          for (const char *p = value; *p; p++)
            {
              if (*p == '"')
                g_string_append_c (s, '"');
              g_string_append_c (s, *p);
            }
          g_string_append_c (s, '"');
        }
      else
        {
          g_string_append (s, value);
        }
      g_string_append_printf (s, ",%s\n", text[0] ? "ü" : "");
    }
  *n_rows = i;

  return s;
}

static void
check_big (GFile       *file,
           guint        n_rows,
           guint        pad,
           const char  *encoding,
           gboolean     expect_first_as_mojibake)
{
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  guint n;
  guint line = 2;
  guint i;

  reader = rs_csv_reader_new (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, encoding);

  for (i = 0; rs_csv_reader_next_row (reader, &fields, &n, NULL, &error); i++)
    {
      const char *text = texts[i % G_N_ELEMENTS (texts)];
      g_autofree char *id = g_strdup_printf ("%u", i);
      g_autofree char *padded = NULL;

      g_assert_cmpuint (n, ==, 3);
      g_assert_cmpstr (fields[0], ==, id);
      g_assert_cmpuint (rs_csv_reader_get_line (reader), ==, line);
      if (i == 0)
        {
          padded = g_strnfill (pad, 'p');
          if (expect_first_as_mojibake)
            g_assert_true (g_str_has_prefix (fields[1] + pad, "Ã©â‚¬"));
          else
            g_assert_cmpstr (fields[1] + pad, ==, text);
          g_assert_true (strncmp (fields[1], padded, pad) == 0);
        }
      else if (!expect_first_as_mojibake)
        {
          g_assert_cmpstr (fields[1], ==, text);
          g_assert_cmpstr (fields[2], ==, text[0] ? "ü" : "");
        }
      line += strchr (text, '\n') ? 2 : 1;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, n_rows);
  g_assert_cmpint (rs_csv_reader_get_position (reader), ==, rs_csv_reader_get_size (reader));
}

static void
test_file_chunk_border (void)
{
  for (guint with_bom = 0; with_bom <= 1; with_bom++)
    {
      const char *prefix = with_bom ? "\xef\xbb\xbf" : "";
      g_autoptr(GString) s = NULL;
      g_autoptr(GFile) file = NULL;
      guint n_rows = 0;
      guint pad;

      /* Pad the first row until a multibyte character straddles the first
       * chunk border of both the first pass and the parsing pass. */
      for (pad = 0; pad < 64; pad++)
        {
          if (s != NULL)
            g_string_free (g_steal_pointer (&s), TRUE);
          s = make_big (3 * CHUNK + 1000, prefix, pad, &n_rows);
          if ((s->str[CHUNK] & 0xc0) == 0x80 && (s->str[CHUNK + strlen (prefix)] & 0xc0) == 0x80
              && (s->str[2 * CHUNK] & 0xc0) == 0x80)
            break;
        }
      g_assert_cmpuint (pad, <, 64);

      file = write_tmp ("big.csv", s->str, s->len);
      check_big (file, n_rows, pad, "UTF-8", FALSE);
    }
}

static void
test_file_crlf_border (void)
{
  g_autoptr(GString) s = g_string_new ("a,b\r\n");
  g_autoptr(GString) expected = g_string_new ("1:[a][b]\n");
  g_autoptr(GFile) file = NULL;
  g_autofree char *got = NULL;
  g_autofree char *filler = NULL;
  guint line = 2;

  /* A CR LF split by the chunk border is still one line break, both between
   * rows and inside a quoted field. */
  for (guint i = 0; s->len < CHUNK - 100; i++, line++)
    {
      g_string_append_printf (s, "%u,x\r\n", i);
      g_string_append_printf (expected, "%u:[%u][x]\n", line, i);
    }
  filler = g_strnfill (CHUNK - 1 - (s->len + 2), 'f');
  g_string_append_printf (s, "p,%s\r\n", filler);
  g_assert_cmpint (s->str[CHUNK - 1], ==, '\r');
  g_string_append_printf (expected, "%u:[p][%s]\n", line++, filler);
  g_clear_pointer (&filler, g_free);

  for (guint i = 0; s->len < 2 * CHUNK - 100; i++, line++)
    {
      g_string_append_printf (s, "%u,y\r\n", i);
      g_string_append_printf (expected, "%u:[%u][y]\n", line, i);
    }
  filler = g_strnfill (2 * CHUNK - 1 - (s->len + 3), 'g');
  g_string_append_printf (s, "q,\"%s\r\nz\"\r\n", filler);
  g_assert_cmpint (s->str[2 * CHUNK - 1], ==, '\r');
  g_string_append_printf (expected, "%u:[q][%s\\r\\nz]\n", line, filler);
  line += 2;
  g_string_append (s, "last,row\r\n");
  g_string_append_printf (expected, "%u:[last][row]\n", line);

  file = write_tmp ("crlf.csv", s->str, s->len);
  got = dump_file (file);
  assert_lines_equal (got, expected->str);
}

/* Reads every row of @reader, checking that each late row but the last is
 * as make_big() made it. Returns the last row's second field. */
static char *
read_to_end (RsCsvReader *reader,
             guint        n_rows)
{
  g_autoptr(GError) error = NULL;
  const char * const *fields;
  char *last = NULL;
  guint n;
  guint i;

  for (i = 0; rs_csv_reader_next_row (reader, &fields, &n, NULL, &error); i++)
    {
      if (i + 1 < n_rows)
        g_assert_cmpstr (fields[1], ==, texts[i % G_N_ELEMENTS (texts)]);
      g_free (last);
      last = g_strdup (fields[1]);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (i, ==, n_rows);

  return last;
}

/* One field that is not UTF-8, far into a UTF-8 file: that field alone is
 * read as Windows-1252 and noted, with its line and column; the rows before
 * it, with their "é€", stay as they are. */
static void
test_file_recoded_late (void)
{
  g_autoptr(GString) s = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  const RsCsvRecoded *recoded;
  guint n_rows;
  guint n_recoded;
  guint line;

  s = make_big (20 * CHUNK, "", 0, &n_rows);
  line = 1;
  for (const char *p = s->str; *p; p++)
    line += *p == '\n';
  g_string_append_printf (s, "%u,caf\xe9,end\n", n_rows);
  file = write_tmp ("late.csv", s->str, s->len);

  for (guint from_file = 0; from_file <= 1; from_file++)
    {
      g_clear_pointer (&reader, rs_csv_reader_free);
      g_clear_pointer (&last, g_free);
      g_clear_pointer (&bytes, g_bytes_unref);
      bytes = g_bytes_new (s->str, s->len);
      if (from_file)
        reader = rs_csv_reader_new (file, NULL, &error);
      else
        reader = rs_csv_reader_new_for_bytes (bytes, &error);
      g_assert_no_error (error);

      last = read_to_end (reader, n_rows + 1);
      g_assert_cmpstr (last, ==, "café");
      g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "UTF-8");
      recoded = rs_csv_reader_get_recoded (reader, &n_recoded);
      g_assert_cmpuint (n_recoded, ==, 1);
      g_assert_cmpuint (recoded[0].line, ==, line);
      g_assert_cmpuint (recoded[0].column, ==, 1);
    }

  /* The same file with its last byte an incomplete UTF-8 sequence. */
  g_string_truncate (s, s->len - strlen ("caf\xe9,end\n"));
  g_string_append (s, "y,\xc3");
  g_clear_object (&file);
  g_clear_pointer (&reader, rs_csv_reader_free);
  file = write_tmp ("late2.csv", s->str, s->len);
  reader = rs_csv_reader_new (file, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&last, g_free);
  last = read_to_end (reader, n_rows + 1);
  g_assert_cmpstr (last, ==, "y");
  recoded = rs_csv_reader_get_recoded (reader, &n_recoded);
  g_assert_cmpuint (n_recoded, ==, 1);
  g_assert_cmpuint (recoded[0].column, ==, 2);
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "UTF-8");

  /* A file of Windows-1252 alone is that, as a whole. */
  g_clear_pointer (&reader, rs_csv_reader_free);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new_static ("name,city\nZo\xeb,K\xf6ln\nAnn,Gen\xe8ve\n", 30);
  reader = rs_csv_reader_new_for_bytes (bytes, &error);
  g_assert_no_error (error);
  g_clear_pointer (&last, g_free);
  {
    const char * const *fields;
    guint n;

    g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
    g_assert_cmpstr (fields[0], ==, "Zoë");
    g_assert_cmpstr (fields[1], ==, "Köln");
    g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
    g_assert_cmpstr (fields[1], ==, "Genève");
    g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "WINDOWS-1252");
}

typedef struct
{
  const char *path;
  const char *data;
  gsize len;
} FifoWriter;

/* Writes in small pieces, as a program that pipes its output does. */
static gpointer
write_fifo (gpointer user_data)
{
  FifoWriter *writer = user_data;
  int fd = open (writer->path, O_WRONLY);

  g_assert_cmpint (fd, >=, 0);
  for (gsize at = 0; at < writer->len; )
    {
      gsize n = MIN (writer->len - at, 1000);
      gssize written = write (fd, writer->data + at, n);

      g_assert_cmpint (written, >, 0);
      at += written;
    }
  close (fd);

  return NULL;
}

/* A pipe can be read once only: what was read to decide the delimiter is
 * parsed, not read again, so every row comes, and none twice. */
static void
test_file_fifo (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "pipe.csv", NULL);
  g_autoptr(GString) s = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) plain = NULL;
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;
  FifoWriter writer;
  GThread *thread;
  guint n_rows;

  s = make_big (3 * CHUNK + 5000, "\xef\xbb\xbf", 0, &n_rows);
  plain = write_tmp ("plain.csv", s->str, s->len);
  expected = dump_file (plain);

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  file = g_file_new_for_path (path);
  writer = (FifoWriter) { path, s->str, s->len };
  thread = g_thread_new ("fifo-writer", write_fifo, &writer);
  got = dump_file (file);
  g_thread_join (thread);
  g_unlink (path);

  assert_lines_equal (got, expected);
}

/* Any stream, read once from where it is. */
static void
test_stream (void)
{
  static const char data[] = "name;city\nZo\xc3\xab;Ko\xcc\x88ln\nAnn;Gen\xe8ve\n";
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(RsCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  const RsCsvRecoded *recoded;
  guint n_recoded;

  stream = g_memory_input_stream_new_from_data (data, sizeof data - 1, NULL);
  reader = rs_csv_reader_new_for_stream (stream, "standard input", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rs_csv_reader_get_size (reader), ==, -1);
  g_assert_cmpint (rs_csv_reader_get_delimiter (reader), ==, ';');
  got = dump_reader (reader);
  g_assert_cmpstr (got, ==, "1:[name][city]\n2:[Zo\xc3\xab][Ko\xcc\x88ln]\n3:[Ann][Gen\xc3\xa8ve]\n");
  recoded = rs_csv_reader_get_recoded (reader, &n_recoded);
  g_assert_cmpuint (n_recoded, ==, 1);
  g_assert_cmpuint (recoded[0].line, ==, 3);
  g_assert_cmpuint (recoded[0].column, ==, 1);
  g_assert_cmpstr (rs_csv_reader_get_encoding (reader), ==, "UTF-8");
}

typedef enum
{
  CHANGE_NONE,
  CHANGE_APPEND,
  CHANGE_TRUNCATE,
  CHANGE_REWRITE,
  CHANGE_REWRITE_OLD_TIME,
} Change;

/* A file written to while it is read gives rows of no one version of it:
 * reading it fails at its end, however it changed. */
static void
test_file_changed (void)
{
  g_autoptr(GString) s = NULL;
  guint n_rows;

  s = make_big (8 * CHUNK, "", 0, &n_rows);

  for (Change change = CHANGE_NONE; change <= CHANGE_REWRITE_OLD_TIME; change++)
    {
      g_autoptr(GFile) file = write_tmp ("changing.csv", s->str, s->len);
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(RsCsvReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      const char * const *fields;
      guint n;
      guint rows = 0;
      int fd;

      reader = rs_csv_reader_new (file, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error));
      rows++;

      fd = open (path, O_WRONLY);
      g_assert_cmpint (fd, >=, 0);
      switch (change)
        {
        case CHANGE_NONE:
          break;
        case CHANGE_APPEND:
          g_assert_cmpint (lseek (fd, 0, SEEK_END), >, 0);
          g_assert_cmpint (write (fd, "999999,late,row\n", 16), ==, 16);
          break;
        case CHANGE_TRUNCATE:
          g_assert_cmpint (ftruncate (fd, 4 * CHUNK), ==, 0);
          break;
        case CHANGE_REWRITE:
          /* The same size, other bytes, a moment later. */
          g_usleep (20000);
          g_assert_cmpint (lseek (fd, 6 * CHUNK, SEEK_SET), ==, 6 * CHUNK);
          g_assert_cmpint (write (fd, "x", 1), ==, 1);
          break;
        case CHANGE_REWRITE_OLD_TIME:
          /* Other bytes in place, and the modification time put back
           * (touch -d, cp -p, rsync -t --inplace). */
          {
            GStatBuf before;
            struct timespec times[2];

            g_assert_cmpint (g_stat (path, &before), ==, 0);
            g_usleep (20000);
            g_assert_cmpint (lseek (fd, 6 * CHUNK, SEEK_SET), ==, 6 * CHUNK);
            g_assert_cmpint (write (fd, "y", 1), ==, 1);
            times[0] = before.st_atim;
            times[1] = before.st_mtim;
            g_assert_cmpint (futimens (fd, times), ==, 0);
          }
          break;
        }
      close (fd);

      while (rs_csv_reader_next_row (reader, &fields, &n, NULL, &error))
        rows++;
      if (change == CHANGE_NONE)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (rows, ==, n_rows);
        }
      else
        {
          g_assert_error (error, RS_CSV_ERROR, RS_CSV_ERROR_CHANGED);
          g_assert_nonnull (strstr (error->message, "changing.csv"));
          g_test_message ("%s", error->message);
        }
    }
}

/* A last line that is short and has no line break is a file cut off: the
 * reading fails there; a short line elsewhere, or a whole last line
 * without a break, is read as before. */
static void
test_cut_off (void)
{
  const struct
  {
    const char *text;
    guint rows;
    gboolean cut_off;
  } cases[] = {
    { "a,b,c\n1,2,3\n4,5", 1, TRUE },
    { "a,b,c\r\n1,2,3\r\n\"4\",\"5\"", 1, TRUE },
    { "a,b,c\n1,2,3\n4,5,6", 2, FALSE },
    { "a,b,c\n1,2\n4,5,6\n", 1, FALSE },
    { "a,b,c\n1,2,3\n4,5\n", 1, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].text, strlen (cases[i].text));
      g_autoptr(RsCsvReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      const char * const *fields;
      guint n;
      guint rows = 0;
      gboolean cut_off = FALSE;

      reader = rs_csv_reader_new_for_bytes (bytes, &error);
      g_assert_no_error (error);
      for (;;)
        {
          g_autoptr(GError) row_error = NULL;

          if (rs_csv_reader_next_row (reader, &fields, &n, NULL, &row_error))
            {
              rows++;
              continue;
            }
          if (row_error == NULL)
            break;
          if (g_error_matches (row_error, RS_CSV_ERROR, RS_CSV_ERROR_RAGGED))
            continue;
          g_assert_error (row_error, RS_CSV_ERROR, RS_CSV_ERROR_CUT_OFF);
          g_assert_nonnull (strstr (row_error->message, "line 3"));
          cut_off = TRUE;
          /* It stays failed. */
          g_assert_false (rs_csv_reader_next_row (reader, &fields, &n, NULL, NULL));
          break;
        }
      g_assert_cmpuint (rows, ==, cases[i].rows);
      g_assert_cmpint (cut_off, ==, cases[i].cut_off);
    }
}

static void
test_file_binary_late (void)
{
  g_autoptr(GString) s = g_string_new ("a,b\n\xe9,1\n");
  g_autoptr(GFile) file = NULL;
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;
  guint nul_line;
  guint i;

  /* The first pass stops at the é, so the NUL is the parser's to find. */
  for (i = 0; s->len < 5 * CHUNK; i++)
    g_string_append_printf (s, "%u,x\n", i);
  nul_line = i + 3;
  g_string_append_len (s, "z,\0\n", 4);
  g_string_append (s, "1,2\n");

  file = write_tmp ("late-binary.csv", s->str, s->len);
  got = dump_file (file);
  expected = g_strdup_printf ("%u:error binary\n", nul_line);
  g_assert_true (g_str_has_suffix (got, expected));
}

static void
test_file_garbage (void)
{
  for (guint32 seed = 100; seed < 110; seed++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
      gsize len = g_rand_int_range (rand, 1, 3 * CHUNK);
      g_autofree char *data = g_malloc (len);
      g_autoptr(GFile) file = NULL;
      g_autofree char *got = NULL;

      for (gsize i = 0; i < len; i++)
        data[i] = (char) g_rand_int_range (rand, seed % 2 ? 1 : 0, 256);

      file = write_tmp ("garbage.csv", data, len);
      got = dump_file (file);
      g_assert_false (g_str_has_prefix (got, "error io"));
      if (memchr (data, '\0', len) != NULL)
        g_assert_true (g_str_has_suffix (got, "error binary")
                       || g_str_has_suffix (got, "error binary\n"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("test-csv-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/csv/quoting", test_quoting);
  g_test_add_func ("/csv/quoted-fast", test_quoted_fast);
  g_test_add_func ("/csv/quoted-random", test_quoted_random);
  g_test_add_func ("/csv/encoding-random", test_encoding_random);
  g_test_add_func ("/csv/embedded-newlines", test_embedded_newlines);
  g_test_add_func ("/csv/bom", test_bom);
  g_test_add_func ("/csv/cp1252", test_cp1252);
  g_test_add_func ("/csv/cp1252-by-chance", test_cp1252_by_chance);
  g_test_add_func ("/csv/cp1252-table", test_cp1252_table);
  g_test_add_func ("/csv/delimiters", test_delimiters);
  g_test_add_func ("/csv/line-ends", test_line_ends);
  g_test_add_func ("/csv/blank-lines", test_blank_lines);
  g_test_add_func ("/csv/ragged", test_ragged);
  g_test_add_func ("/csv/empty", test_empty);
  g_test_add_func ("/csv/header-only", test_header_only);
  g_test_add_func ("/csv/binary", test_binary);
  g_test_add_func ("/csv/too-large", test_too_large);
  g_test_add_func ("/csv/unterminated", test_unterminated);
  g_test_add_func ("/csv/cancel", test_cancel);
  g_test_add_func ("/csv/file/small", test_file_small);
  g_test_add_func ("/csv/file/chunk-border", test_file_chunk_border);
  g_test_add_func ("/csv/file/crlf-border", test_file_crlf_border);
  g_test_add_func ("/csv/file/recoded-late", test_file_recoded_late);
  g_test_add_func ("/csv/file/binary-late", test_file_binary_late);
  g_test_add_func ("/csv/file/fifo", test_file_fifo);
  g_test_add_func ("/csv/file/changed", test_file_changed);
  g_test_add_func ("/csv/cut-off", test_cut_off);
  g_test_add_func ("/csv/stream", test_stream);
  g_test_add_func ("/csv/file/garbage", test_file_garbage);

  ret = g_test_run ();

  {
    g_autoptr(GFile) dir = g_file_new_for_path (tmp_dir);
    g_autoptr(GFileEnumerator) children = NULL;
    GFileInfo *info;

    children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                          G_FILE_QUERY_INFO_NONE, NULL, NULL);
    while (children != NULL
           && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));

        g_file_delete (child, NULL, NULL);
        g_object_unref (info);
      }
    g_file_delete (dir, NULL, NULL);
  }
  g_free (tmp_dir);

  return ret;
}
