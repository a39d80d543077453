/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-message"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "rs-message.h"
#include "rs-test-util.h"

/* The e-mail as bytes: read back by small decoders here and, where it is
 * installed, by Python's email package (check-message.py). */

#define PYTHON "/usr/bin/python3"

static const char report_name[] = "20250314 ResilienceReport (Café Ñandú - Zoë Öberg).pdf";

static RsMessage *
make_message (const char *from_name,
              const char *subject,
              const char *body)
{
  g_autoptr(GError) error = NULL;
  RsMessage *message;

  message = rs_message_new ("scan-team@example.org", from_name, "zoe.devries@example.com",
                            "replies@example.org", subject, body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);

  return message;
}

static char *
to_string (RsMessage *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = rs_message_to_bytes (message, &error);
  gsize size;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_null (memchr (data, '\0', size));

  return g_strndup (data, size);
}

/* Every line ends in CRLF, with no CR or LF anywhere else, and none is
 * longer than 78 characters (so none passes RFC 5322's 998 either). */
static void
assert_wire_format (const char *text)
{
  gsize line_length = 0;
  guint line = 1;

  g_assert_true (g_str_has_suffix (text, "\r\n"));
  for (const char *p = text; *p; p++)
    {
      if (*p == '\r')
        {
          if (p[1] != '\n')
            g_error ("bare CR on line %u", line);
          p++;
          line++;
          line_length = 0;
          continue;
        }
      if (*p == '\n')
        g_error ("bare LF on line %u", line);
      if (++line_length > 78)
        g_error ("line %u is longer than 78 characters", line);
    }
}

/* The value of header @name in @block (up to the first blank line),
 * unfolded, without the blank after the colon. */
static char *
header_value (const char *block,
              const char *name)
{
  g_autofree char *start = g_strconcat ("\r\n", name, ":", NULL);
  g_autofree char *head = g_strconcat ("\r\n", block, NULL);
  const char *end_of_headers = strstr (head, "\r\n\r\n");
  const char *p = strstr (head, start);
  GString *value;

  if (p == NULL || p > end_of_headers)
    return NULL;

  value = g_string_new (NULL);
  for (p += strlen (start); ; p++)
    {
      if (p[0] == '\r' && p[1] == '\n')
        {
          if (p[2] != ' ' && p[2] != '\t')
            break;
          p++;
          continue;
        }
      g_string_append_c (value, *p);
    }
  if (value->str[0] == ' ')
    g_string_erase (value, 0, 1);

  return g_string_free (value, FALSE);
}

/* RFC 2047 "B" words as this module writes them; text in between that is
 * only blanks is dropped, as the RFC says. */
static char *
decode_words (const char *value)
{
  GString *text = g_string_new (NULL);
  const char *p = value;
  gboolean after_word = FALSE;

  while (*p)
    {
      const char *word = strstr (p, "=?UTF-8?B?");
      const char *end;
      gsize gap;

      if (word == NULL)
        {
          g_string_append (text, p);
          break;
        }
      gap = word - p;
      if (!after_word || strspn (p, " \t") != gap)
        g_string_append_len (text, p, gap);

      end = strstr (word + 10, "?=");
      g_assert_nonnull (end);
      g_assert_cmpint (end + 2 - word, <=, 75);
      {
        g_autofree char *base64 = g_strndup (word + 10, end - word - 10);
        gsize size;
        g_autofree guchar *bytes = g_base64_decode (base64, &size);

        g_assert_true (g_utf8_validate ((char *) bytes, size, NULL));
        g_string_append_len (text, (char *) bytes, size);
      }
      p = end + 2;
      after_word = TRUE;
    }

  return g_string_free (text, FALSE);
}

/* Where two encoded words meet with only blanks between them, the first
 * ends with a blank of the text: a line is folded between words, never
 * inside a word or a character. With @expected, the words decode to it. */
static void
assert_encoded_between_words (const char *value,
                              const char *expected)
{
  const char *p = value;
  g_autofree char *previous = NULL;

  while ((p = strstr (p, "=?UTF-8?B?")) != NULL)
    {
      const char *end = strstr (p + 10, "?=");
      g_autofree char *base64 = g_strndup (p + 10, end - p - 10);
      gsize size;
      g_autofree char *text = (char *) g_base64_decode (base64, &size);

      text = g_realloc (text, size + 1);
      text[size] = '\0';
      g_assert_true (g_utf8_validate (text, size, NULL));
      if (previous != NULL)
        {
          g_test_message ("encoded word “%s” before “%s”", previous, text);
          g_assert_true (g_str_has_suffix (previous, " "));
        }

      g_clear_pointer (&previous, g_free);
      p = end + 2;
      if (strspn (p, " ") > 0 && g_str_has_prefix (p + strspn (p, " "), "=?UTF-8?B?"))
        previous = g_steal_pointer (&text);
    }

  if (expected != NULL)
    {
      g_autofree char *decoded = decode_words (value);

      g_assert_cmpstr (decoded, ==, expected);
    }
}

static GBytes *
decode_quoted_printable (const char *text,
                         gsize       length)
{
  GByteArray *out = g_byte_array_new ();

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] != '=')
        {
          g_byte_array_append (out, (const guint8 *) text + i, 1);
          continue;
        }
      if (text[i + 1] == '\r' && text[i + 2] == '\n')
        {
          i += 2;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (text[i + 1]) && g_ascii_isxdigit (text[i + 2]));
      {
        guint8 c = g_ascii_xdigit_value (text[i + 1]) * 16 + g_ascii_xdigit_value (text[i + 2]);

        g_byte_array_append (out, &c, 1);
        i += 2;
      }
    }

  return g_byte_array_free_to_bytes (out);
}

static char *
crlf (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          if (p[0] == '\r' && p[1] == '\n')
            p++;
          g_string_append (out, "\r\n");
        }
      else
        {
          g_string_append_c (out, *p);
        }
    }

  return g_string_free (out, FALSE);
}

/* What check-message.py read from @text, or NULL when there is no
 * Python to ask. */
static GHashTable *
ask_python (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  g_auto(GStrv) lines = NULL;
  const char *script = g_test_get_filename (G_TEST_DIST, "check-message.py", NULL);
  const char *argv[] = { PYTHON, script, NULL, NULL };
  GHashTable *facts;
  int status;

  if (!g_file_test (PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;

  dir = rs_test_make_tmpdir ();
  path = g_build_filename (dir, "message.eml", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  argv[2] = path;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &output, &errors, &status, &error);
  g_assert_no_error (error);
  rs_test_remove_tree (dir);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("check-message.py failed: %s\n%s", error->message, errors);

  facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) g_bytes_unref);
  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 2);
      gsize size;
      guchar *value;

      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      /* NUL-terminated past its size, so a fact can be read as a string. */
      value = g_base64_decode (fields[1], &size);
      value = g_realloc (value, size + 1);
      value[size] = '\0';
      g_hash_table_insert (facts, g_strdup (fields[0]), g_bytes_new_take (value, size));
    }

  return facts;
}

static const char *
fact (GHashTable *facts,
      const char *key)
{
  GBytes *value = g_hash_table_lookup (facts, key);

  return value != NULL ? g_bytes_get_data (value, NULL) : NULL;
}

static void
assert_header (const char *text,
               const char *name,
               const char *expected)
{
  g_autofree char *value = header_value (text, name);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_python_clean (GHashTable *facts)
{
  g_assert_cmpstr (fact (facts, "defects"), ==, "");
}

static void
test_message_headers (void)
{
  g_autoptr(RsMessage) message = make_message ("Scan Team \"NL\"", "Your report",
                                               "Dear Zoë,\n\nHere it is.\n");
  g_autofree char *text = to_string (message);
  g_autofree char *message_id = g_strdup_printf ("<%s>", rs_message_get_message_id (message));
  g_autoptr(GHashTable) facts = NULL;
  static const char *names[] = {
    "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding",
  };

  assert_wire_format (text);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *value = header_value (text, names[i]);

      g_test_message ("header %s", names[i]);
      g_assert_nonnull (value);
    }

  g_assert_cmpstr (rs_message_get_envelope_from (message), ==, "scan-team@example.org");
  g_assert_cmpstr (rs_message_get_envelope_to (message), ==, "zoe.devries@example.com");
  g_assert_true (g_str_has_suffix (rs_message_get_message_id (message), "@example.org"));
  g_assert_null (strchr (rs_message_get_message_id (message), '<'));
  assert_header (text, "Message-ID", message_id);
  assert_header (text, "From", "\"Scan Team \\\"NL\\\"\" <scan-team@example.org>");
  assert_header (text, "To", "zoe.devries@example.com");
  assert_header (text, "Reply-To", "replies@example.org");
  assert_header (text, "Subject", "Your report");
  assert_header (text, "MIME-Version", "1.0");
  assert_header (text, "Content-Type", "text/plain; charset=UTF-8");
  assert_header (text, "Content-Transfer-Encoding", "quoted-printable");

  if ((facts = ask_python (text)) == NULL)
    return;
  assert_python_clean (facts);
  g_assert_cmpstr (fact (facts, "from_name"), ==, "Scan Team \"NL\"");
  g_assert_cmpstr (fact (facts, "from_address"), ==, "scan-team@example.org");
  g_assert_cmpstr (fact (facts, "to"), ==, "zoe.devries@example.com");
  g_assert_cmpstr (fact (facts, "reply_to"), ==, "replies@example.org");
  g_assert_cmpstr (fact (facts, "message_id"), ==, message_id);
  g_assert_cmpstr (fact (facts, "mime_version"), ==, "1.0");
  g_assert_cmpstr (fact (facts, "content_type"), ==, "text/plain");
}

static void
test_message_no_optional_headers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsMessage) message = NULL;
  g_autofree char *text = NULL;

  message = rs_message_new (" scan-team@example.org ", "", "zoe@example.com", "", "",
                            "", &error);
  g_assert_no_error (error);
  text = to_string (message);
  assert_wire_format (text);
  assert_header (text, "From", "scan-team@example.org");
  assert_header (text, "Reply-To", NULL);
  g_assert_cmpstr (rs_message_get_envelope_from (message), ==, "scan-team@example.org");
}

static void
test_message_encoded_headers (void)
{
  g_autoptr(GString) long_subject = g_string_new (NULL);
  g_autoptr(GString) long_ascii = g_string_new (NULL);
  g_autoptr(GString) long_word = g_string_new (NULL);
  g_autoptr(GString) emoji_word = g_string_new (NULL);
  const char *names[] = {
    "Zoë de Vries", "Lena Øberg", "“Fjord & Fell” team", "Scan team 📊 🚚",
    "Ivo \"the\" Bos", "=?UTF-8?B?bm90IGVuY29kZWQ=?=",
    "A very long sender name that does not fit on the From line at all, really not",
    "Øberg", "Ñandú", "Renée Öztürk",
  };
  const char *subjects[10];
  g_autofree char *shifted_1 = NULL;
  g_autofree char *shifted_2 = NULL;

  while (g_utf8_strlen (long_subject->str, -1) < 200)
    g_string_append (long_subject, "Rapport “Zoë Øberg” 📈 ");
  long_subject->str[0] = 'r';
  while (long_ascii->len < 200)
    g_string_append (long_ascii, "Your  report of the Supply Chain Resilience Scan ");
  g_string_append (long_ascii, "  ");
  while (long_word->len < 100)
    g_string_append (long_word, "abcdefghij");

  subjects[0] = "Zoë";
  subjects[1] = "Rapport voor Øberg – “quotes”";
  subjects[2] = "Your report 🚀✨";
  subjects[3] = long_subject->str;
  subjects[4] = long_ascii->str;
  subjects[5] = long_word->str;
  subjects[6] = "Looks =?encoded?= but is not";
  /* Shifted by one and two bytes, some split of the long subject falls
   * inside a character unless the encoder takes care. */
  subjects[7] = shifted_1 = g_strconcat ("a", long_subject->str, NULL);
  subjects[8] = shifted_2 = g_strconcat ("ab", long_subject->str, NULL);
  /* One word longer than an encoded word: split, but never inside one of
   * its emoji, each a woman, a joiner and a laptop. */
  while (emoji_word->len < 150)
    g_string_append (emoji_word, "👩‍💻");
  subjects[9] = emoji_word->str;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(RsMessage) message = make_message (names[i], subjects[i], "Hello\n");
      g_autofree char *text = to_string (message);
      g_autofree char *subject = header_value (text, "Subject");
      g_autofree char *from = header_value (text, "From");
      g_autofree char *decoded_subject = decode_words (subject);
      g_autofree char *decoded_from = decode_words (from);
      g_autoptr(GHashTable) facts = NULL;

      g_test_message ("name “%s”, subject “%s”", names[i], subjects[i]);
      assert_wire_format (text);
      g_assert_cmpstr (decoded_subject, ==, subjects[i]);
      if (i != 5 && i != 9)
        assert_encoded_between_words (subject, subjects[i]);
      if (i == 9)
        {
          g_auto(GStrv) words = g_strsplit (subject, " ", -1);

          for (guint w = 0; words[w] != NULL; w++)
            {
              g_autofree char *piece = decode_words (words[w]);

              g_assert_cmpuint (strlen (piece) % strlen ("👩‍💻"), ==, 0);
              g_assert_true (g_str_has_prefix (piece, "👩‍💻"));
            }
        }
      g_assert_true (g_str_has_suffix (decoded_from, " <scan-team@example.org>"));
      if (g_str_has_prefix (from, "=?"))
        g_assert_true (g_str_has_prefix (decoded_from, names[i]));

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "subject"), ==, subjects[i]);
      g_assert_cmpstr (fact (facts, "from_name"), ==, names[i]);
      g_assert_cmpstr (fact (facts, "from_address"), ==, "scan-team@example.org");
    }
}

static void
test_message_quoted_printable (void)
{
  g_autoptr(GString) long_line = g_string_new (NULL);
  g_autoptr(GString) long_utf8 = g_string_new (NULL);
  const char *bodies[9];

  for (guint i = 0; i < 200; i++)
    g_string_append_c (long_line, 'a' + i % 26);
  for (guint i = 0; i < 100; i++)
    g_string_append (long_utf8, i % 3 ? "ë" : "=");

  bodies[0] = "Dear Zoë,\n\nYour report is attached.\n";
  bodies[1] = long_line->str;
  bodies[2] = "trailing spaces   \nand a tab\t\n \n";
  bodies[3] = ".\n.starts with a dot\n..two\nFrom here\nFrom\n";
  bodies[4] = "a=b, 1+1=2, =?UTF-8?B?x?=, =20 =3D\n=";
  bodies[5] = "no final newline ends here   ";
  bodies[6] = long_utf8->str;
  bodies[7] = "mixed\r\nline\rends\n\n📊 emoji € \xc2\xa0nbsp\n";
  bodies[8] = "";

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *body = g_strdup_printf ("%s\n%s", bodies[i], bodies[i]);
      g_autoptr(RsMessage) message = make_message (NULL, "Body", body);
      g_autofree char *text = to_string (message);
      g_autofree char *expected = crlf (body);
      const char *start = strstr (text, "\r\n\r\n") + 4;
      g_autoptr(GBytes) decoded = NULL;
      g_autoptr(GHashTable) facts = NULL;

      g_test_message ("body %u", i);
      assert_wire_format (text);
      /* No encoded line ends in a blank, and none starts with a dot. */
      g_assert_null (strstr (text, " \r\n"));
      g_assert_null (strstr (text, "\t\r\n"));
      g_assert_null (strstr (start, "\r\n."));
      g_assert_null (strstr (start, "\r\nFrom "));

      decoded = decode_quoted_printable (start, strlen (start));
      g_assert_cmpmem (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded),
                       expected, strlen (expected));

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "part0.payload"), ==, expected);
    }
}

static GBytes *
random_bytes (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_test_rand_int_range (0, 256);

  return g_bytes_new_take (data, size);
}

static void
test_message_attachment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = random_bytes (150 * 1024);
  g_autoptr(RsMessage) message = make_message ("Zoë", "Your report", "See the attachment.\n");
  g_autoptr(GHashTable) facts = NULL;
  g_autofree char *text = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *boundary = NULL;
  g_autofree char *delimiter = NULL;
  g_autofree guchar *decoded = NULL;
  g_autoptr(GString) base64 = g_string_new (NULL);
  const char *part;
  const char *end;
  gsize size;
  guint count = 0;

  g_assert_true (rs_message_attach (message, "report.pdf", -1, content, "application/pdf",
                                    &error));
  g_assert_no_error (error);
  text = to_string (message);
  assert_wire_format (text);

  content_type = header_value (text, "Content-Type");
  g_assert_true (g_str_has_prefix (content_type, "multipart/mixed; boundary=\""));
  g_assert_true (g_str_has_suffix (content_type, "\""));
  boundary = g_strndup (strchr (content_type, '"') + 1,
                        strlen (strchr (content_type, '"') + 1) - 1);
  g_assert_cmpuint (strlen (boundary), >=, 20);
  delimiter = g_strconcat ("\r\n--", boundary, NULL);
  for (const char *p = text; (p = strstr (p, boundary)) != NULL; p++)
    count++;
  /* The Content-Type parameter, two delimiters and the close: no others. */
  g_assert_cmpuint (count, ==, 4);
  g_assert_nonnull (strstr (text, delimiter));

  part = strstr (text, "Content-Type: application/pdf;\r\n name=\"report.pdf\"\r\n");
  g_assert_nonnull (part);
  g_assert_nonnull (strstr (part, "Content-Transfer-Encoding: base64\r\n"));
  g_assert_nonnull (strstr (part, "Content-Disposition: attachment;\r\n"
                                  " filename=\"report.pdf\"\r\n"));
  part = strstr (part, "\r\n\r\n") + 4;
  end = strstr (part, delimiter);
  g_assert_nonnull (end);
  for (const char *line = part; line < end; line = strstr (line, "\r\n") + 2)
    {
      gsize length = strstr (line, "\r\n") - line;

      g_assert_cmpuint (length, <=, 76);
      if (strstr (line, "\r\n") + 2 < end)
        g_assert_cmpuint (length, ==, 76);
      g_string_append_len (base64, line, length);
    }
  decoded = g_base64_decode (base64->str, &size);
  g_assert_cmpmem (decoded, size, g_bytes_get_data (content, NULL), g_bytes_get_size (content));

  if ((facts = ask_python (text)) == NULL)
    return;
  assert_python_clean (facts);
  g_assert_cmpstr (fact (facts, "content_type"), ==, "multipart/mixed");
  g_assert_cmpstr (fact (facts, "parts"), ==, "2");
  g_assert_cmpstr (fact (facts, "part0.payload"), ==, "See the attachment.\r\n");
  g_assert_cmpstr (fact (facts, "part1.type"), ==, "application/pdf");
  g_assert_cmpstr (fact (facts, "part1.disposition"), ==, "attachment");
  g_assert_cmpstr (fact (facts, "part1.filename"), ==, "report.pdf");
  g_assert_cmpstr (fact (facts, "part1.name"), ==, "report.pdf");
  g_assert_cmpstr (fact (facts, "part1.name_defects"), ==, "0");
  g_assert_true (g_bytes_equal (g_hash_table_lookup (facts, "part1.payload"), content));
}

static void
test_message_rfc2231 (void)
{
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autoptr(GString) long_person = g_string_new (NULL);
  const char *file_names[5];
  g_autofree char *person_report = NULL;

  while (g_utf8_strlen (long_name->str, -1) < 150)
    g_string_append (long_name, "Rapport “Ñandú” Zoë 📊 % ' * ; ");
  g_string_append (long_name, ".pdf");
  while (g_utf8_strlen (long_person->str, -1) < 120)
    g_string_append (long_person, "Coöperatieve Zuivelfabriek Ærø – Renée Öztürk-Çağlayan ");
  person_report = g_strdup_printf ("20250314 ResilienceReport (%s).pdf", long_person->str);
  file_names[0] = report_name;
  file_names[1] = long_name->str;
  file_names[2] = "A plain ASCII name that is much too long for one line of the header.pdf";
  file_names[3] = "20250314 ResilienceReport (Renée Öztürk 👩‍💻).pdf";
  file_names[4] = person_report;

  for (guint i = 0; i < G_N_ELEMENTS (file_names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) content = g_bytes_new_static ("%PDF-1.7\n", 9);
      g_autoptr(RsMessage) message = make_message (NULL, "Report", "Attached.\n");
      g_autoptr(GHashTable) facts = NULL;
      g_autofree char *text = NULL;
      g_autofree char *content_type = NULL;
      g_autofree char *name = NULL;
      const char *part;

      g_test_message ("file name “%s”", file_names[i]);
      g_assert_true (rs_message_attach (message, file_names[i], -1, content, "application/pdf",
                                        &error));
      g_assert_no_error (error);
      text = to_string (message);
      assert_wire_format (text);

      /* Only the RFC 2231 name: a plain one beside it is what readers
       * showed instead, cut to ASCII. */
      g_assert_null (strstr (text, " filename=\""));
      g_assert_nonnull (strstr (text, "filename*"));
      if (i == 0)
        {
          g_assert_nonnull (strstr (text, "\r\n filename*0*=UTF-8''20250314%20Resilience"
                                          "Report%20%28Caf%C3%A9%20"));
          g_assert_nonnull (strstr (text, "%20Zo%C3%AB%20%C3%96berg%29.pdf\r\n"));
        }
      if (i > 0)
        {
          g_assert_nonnull (strstr (text, "filename*0*=UTF-8''"));
          g_assert_nonnull (strstr (text, "filename*1*="));
        }

      /* The name on Content-Type, for readers that know no RFC 2231, in
       * encoded words that end between words. */
      part = strstr (text, "\r\n\r\n--");
      g_assert_nonnull (part);
      part = strstr (part, "Content-Type: application/pdf;\r\n name=\"=?UTF-8?B?");
      g_assert_nonnull (part);
      content_type = header_value (part, "Content-Type");
      name = g_strndup (strchr (content_type, '"') + 1,
                        strrchr (content_type, '"') - strchr (content_type, '"') - 1);
      assert_encoded_between_words (name, file_names[i]);

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "part1.filename"), ==, file_names[i]);
      g_assert_cmpstr (fact (facts, "part1.filename_legacy"), ==, file_names[i]);
      g_assert_cmpstr (fact (facts, "part1.name"), ==, file_names[i]);
      g_assert_cmpstr (fact (facts, "part1.payload"), ==, "%PDF-1.7\n");
    }
}

static void
assert_refused (GError     *error,
                RsMessage  *message,
                int         code,
                const char *label,
                const char *shown)
{
  g_assert_error (error, RS_MESSAGE_ERROR, code);
  g_assert_null (message);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, label));
  if (shown != NULL)
    g_assert_nonnull (strstr (error->message, shown));
}

static void
test_message_refuses_injection (void)
{
  const char *evil = "x@example.com\r\nBcc: evil@example.org";
  const char *shown = "x@example.com\\r\\nBcc: evil@example.org";
  const char *ok = "ivo.bos@example.com";
  g_autoptr(RsMessage) good = make_message (NULL, "Report", "Text\n");
  g_autoptr(GBytes) content = g_bytes_new_static ("%PDF", 4);
  static const char nul_name[] = "report\0.pdf";
  g_autofree char *text = NULL;

#define REFUSED(from, name, to, reply, subject, code, label, shown) \
  G_STMT_START { \
    g_autoptr(GError) error = NULL; \
    g_autoptr(RsMessage) message = \
      rs_message_new (from, name, to, reply, subject, "Body\n", &error); \
    assert_refused (error, message, code, label, shown); \
  } G_STMT_END

  REFUSED (evil, NULL, ok, NULL, "Hi", RS_MESSAGE_ERROR_LINE_BREAK, "Sender address", shown);
  REFUSED (ok, NULL, evil, NULL, "Hi", RS_MESSAGE_ERROR_LINE_BREAK, "Recipient address", shown);
  REFUSED (ok, NULL, ok, evil, "Hi", RS_MESSAGE_ERROR_LINE_BREAK, "Reply-to address", shown);
  REFUSED (ok, NULL, ok, NULL, "Your report\nBcc: evil@example.org",
           RS_MESSAGE_ERROR_LINE_BREAK, "Subject", "Your report\\nBcc: evil@example.org");
  REFUSED (ok, NULL, ok, NULL, "Your report\r", RS_MESSAGE_ERROR_LINE_BREAK, "Subject", NULL);
  REFUSED (ok, "Ivo\rBos", ok, NULL, "Hi", RS_MESSAGE_ERROR_LINE_BREAK, "Sender name",
           "Ivo\\rBos");
  REFUSED (ok, "Ivo\nBcc: evil@example.org", ok, NULL, "Hi", RS_MESSAGE_ERROR_LINE_BREAK,
           "Sender name", NULL);
  REFUSED (ok, NULL, ok, NULL, "Bad \xff byte", RS_MESSAGE_ERROR_INVALID_TEXT, "Subject", NULL);
  REFUSED ("scan team@example.org", NULL, ok, NULL, "Hi", RS_MESSAGE_ERROR_INVALID_ADDRESS,
           "Sender address", "scan team@example.org");

#undef REFUSED

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RsMessage) message = rs_message_new (ok, NULL, ok, NULL, "Hi", "Bad \xc3(", &error);

    assert_refused (error, message, RS_MESSAGE_ERROR_INVALID_TEXT, "Message text", NULL);
  }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (rs_message_attach (good, nul_name, sizeof nul_name - 1, content,
                                       "application/pdf", &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_LINE_BREAK, "Attachment file name",
                    "report\\0.pdf");
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (rs_message_attach (good, "report\r\nBcc: evil@example.org.pdf", -1, content,
                                       "application/pdf", &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_LINE_BREAK, "Attachment file name", NULL);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (rs_message_attach (good, "report.pdf", -1, content,
                                       "application/pdf\r\nBcc: evil@example.org", &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_LINE_BREAK, "Attachment type", NULL);
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (rs_message_attach (good, "../report.pdf", -1, content, NULL, &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_INVALID_TEXT, "Attachment file name", NULL);
  }

  /* What was refused left no trace. */
  text = to_string (good);
  g_assert_null (strstr (text, "multipart"));
  g_assert_null (strstr (text, "evil"));
}

static void
test_message_refuses_bad_addresses (void)
{
  g_autoptr(GString) too_long = g_string_new (NULL);
  const char *bad[] = {
    "", "   ", "no-at-sign.example.com", "two@@example.com", "a@b@example.com",
    "ivo bos@example.com", "ivo@exa mple.com", "ivo@localhost", "@example.com", "ivo@",
    "Ivo Bos <ivo@example.com>", "ivo..bos@example.com", "ivo@example..com", ".ivo@example.com",
    "ivo@example.c0m", NULL,
  };
  const char *good[] = {
    "ivo@example.com", "ivo.bos+scan@example.org", "o'brien@mail.example", "a_b-c@x-y.example",
  };

  while (too_long->len < 250)
    g_string_append (too_long, "abcdefghij.");
  g_string_append (too_long, "example.com");
  g_string_prepend (too_long, "ivo@");
  bad[G_N_ELEMENTS (bad) - 1] = too_long->str;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = NULL;

      g_test_message ("address “%s”", bad[i]);
      g_assert_false (rs_message_address_is_valid (bad[i]));
      message = rs_message_new ("scan@example.org", NULL, bad[i], NULL, "Hi", "Body", &error);
      assert_refused (error, message, RS_MESSAGE_ERROR_INVALID_ADDRESS, "Recipient address",
                      NULL);
      g_assert_nonnull (strstr (error->message, "name@example.com"));
      if (strchr (bad[i], '@') != NULL && strlen (bad[i]) < 100)
        g_assert_nonnull (strstr (error->message, bad[i]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = NULL;

      g_assert_true (rs_message_address_is_valid (good[i]));
      message = rs_message_new (good[i], NULL, good[i], good[i], "Hi", "Body", &error);
      g_assert_no_error (error);
    }
}

/* Python's parser keeps the blank between two encoded words in a name,
 * which RFC 2047 (6.2) drops: where a name needs more than one encoded
 * word it shows two blanks between those words. */
static char *
collapse_blanks (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    if (*p != ' ' || out->len == 0 || out->str[out->len - 1] != ' ')
      g_string_append_c (out, *p);

  return g_string_free (out, FALSE);
}

/* An address with an international domain is sent with the domain in its
 * ASCII form, in the To header and the envelope alike. */
static void
test_message_international_domain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RsMessage) message = NULL;
  g_autoptr(GHashTable) facts = NULL;
  g_autofree char *text = NULL;

  message = rs_message_new ("scan@example.org", "Scan", "piet@bücher.example", NULL,
                            "Your report", "Hello\n", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rs_message_get_envelope_to (message), ==, "piet@xn--bcher-kva.example");
  text = to_string (message);
  assert_wire_format (text);
  if ((facts = ask_python (text)) == NULL)
    return;
  assert_python_clean (facts);
  g_assert_cmpstr (fact (facts, "to"), ==, "piet@xn--bcher-kva.example");
}

static void
test_message_recipient_name (void)
{
  g_autoptr(GString) long_name = g_string_new (NULL);
  const char *names[7];

  while (g_utf8_strlen (long_name->str, -1) < 200)
    g_string_append (long_name, "Coöperatieve Zuivelfabriek “De Ærøskøbing” – Renée Öztürk-Çağlayan ");
  g_strchomp (long_name->str);
  names[0] = "Renée Öztürk";
  names[1] = "Zoë 📊 de Vries 👩‍💻 🇳🇱";
  names[2] = long_name->str;
  names[3] = "Öztürk, Renée";
  names[4] = "Bos, Ivo \"the\" (NL)";
  names[5] = "Ivo \"the\" Bøs, Jr.";
  names[6] = "Ivo Bos";

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = NULL;
      g_autoptr(GHashTable) facts = NULL;
      g_autofree char *text = NULL;
      g_autofree char *to = NULL;
      g_autofree char *from = NULL;
      g_autofree char *decoded = NULL;
      g_autofree char *display_name = NULL;
      g_autofree char *python_name = NULL;

      g_test_message ("name “%s”", names[i]);
      /* The same long name as sender too, where it used to be cut mid-word. */
      message = make_message (names[i], "Your report", "Hello\n");
      g_assert_true (rs_message_set_to_name (message, names[i], &error));
      g_assert_no_error (error);
      text = to_string (message);
      assert_wire_format (text);

      to = header_value (text, "To");
      from = header_value (text, "From");
      g_assert_true (g_str_has_suffix (to, " <zoe.devries@example.com>"));
      g_assert_cmpstr (rs_message_get_envelope_to (message), ==, "zoe.devries@example.com");
      display_name = g_strndup (to, strlen (to) - strlen (" <zoe.devries@example.com>"));
      assert_encoded_between_words (display_name, NULL);
      assert_encoded_between_words (from, NULL);
      if (g_str_is_ascii (names[i]))
        {
          g_assert_null (strstr (to, "=?"));
        }
      else
        {
          decoded = decode_words (display_name);
          g_assert_true (strstr (decoded, "Öztürk") != NULL || strstr (decoded, "📊") != NULL
                         || strstr (decoded, "Bøs") != NULL);
        }

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "to"), ==, "zoe.devries@example.com");
      python_name = collapse_blanks (fact (facts, "to_name"));
      g_assert_cmpstr (python_name, ==, names[i]);
      if (strlen (names[i]) < 40)
        g_assert_cmpstr (fact (facts, "to_name"), ==, names[i]);
      g_free (python_name);
      python_name = collapse_blanks (fact (facts, "from_name"));
      g_assert_cmpstr (python_name, ==, names[i]);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");
    g_autofree char *text = NULL;

    g_assert_true (rs_message_set_to_name (message, "Ivo Bos", &error));
    g_assert_false (rs_message_set_to_name (message, "Ivo\r\nBcc: evil@example.org", &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_LINE_BREAK, "Recipient name",
                    "Ivo\\r\\nBcc: evil@example.org");
    g_clear_error (&error);
    g_assert_false (rs_message_set_to_name (message, "Ivo \xff", &error));
    assert_refused (error, NULL, RS_MESSAGE_ERROR_INVALID_TEXT, "Recipient name", NULL);

    /* What was refused left the name as it was. */
    text = to_string (message);
    assert_header (text, "To", "\"Ivo Bos\" <zoe.devries@example.com>");
    g_assert_null (strstr (text, "evil"));

    g_assert_true (rs_message_set_to_name (message, "", NULL));
    g_free (text);
    text = to_string (message);
    assert_header (text, "To", "zoe.devries@example.com");
  }

  {
    g_autoptr(GString) one_word = g_string_new (NULL);
    g_autoptr(RsMessage) message = NULL;
    g_autofree char *text = NULL;
    g_autofree char *to = NULL;
    g_autofree char *decoded = NULL;
    g_autofree char *expected = NULL;

    /* A name of one word longer than a line still gives lines of at most
     * 78 characters (assert_wire_format), split where it must be. */
    while (one_word->len < 1200)
      g_string_append (one_word, "Abcdefghij");
    message = make_message (one_word->str, "Report", "Text\n");
    g_assert_true (rs_message_set_to_name (message, one_word->str, NULL));
    text = to_string (message);
    assert_wire_format (text);
    to = header_value (text, "To");
    decoded = decode_words (to);
    expected = g_strconcat (one_word->str, " <zoe.devries@example.com>", NULL);
    g_assert_cmpstr (decoded, ==, expected);
  }
}

static void
test_message_language (void)
{
  const char *good[][2] = {
    { "nl", "nl" }, { "en", "en" }, { " NL ", "nl" }, { "en-GB", "en-gb" },
  };
  const char *bad[] = {
    "n l", "nl\r\nBcc: evil@example.org", "toolongtag", "1nl", "nl-", "-nl", "nl--be",
    "néerlandais", "nl;q=1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = make_message ("Zoë", "Uw rapport", "Beste Zoë,\n");
      g_autoptr(GBytes) content = g_bytes_new_static ("%PDF-1.7\n", 9);
      g_autoptr(GHashTable) facts = NULL;
      g_autofree char *text = NULL;

      g_assert_true (rs_message_set_language (message, good[i][0], &error));
      g_assert_no_error (error);
      g_assert_true (rs_message_attach (message, report_name, -1, content, "application/pdf",
                                        NULL));
      text = to_string (message);
      assert_wire_format (text);
      assert_header (text, "Content-Language", good[i][1]);

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "content_language"), ==, good[i][1]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");
      g_autofree char *text = NULL;

      g_test_message ("language “%s”", bad[i]);
      g_assert_true (rs_message_set_language (message, "en", NULL));
      g_assert_false (rs_message_set_language (message, bad[i], &error));
      assert_refused (error, NULL,
                      strchr (bad[i], '\n') != NULL ? RS_MESSAGE_ERROR_LINE_BREAK
                                                    : RS_MESSAGE_ERROR_INVALID_TEXT,
                      "Message language", NULL);
      text = to_string (message);
      assert_header (text, "Content-Language", "en");
      g_assert_null (strstr (text, "evil"));
    }

  {
    g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");
    g_autofree char *text = to_string (message);

    /* None given, none said. */
    assert_header (text, "Content-Language", NULL);
    g_assert_true (rs_message_set_language (message, "nl", NULL));
    g_assert_true (rs_message_set_language (message, NULL, NULL));
    g_free (text);
    text = to_string (message);
    assert_header (text, "Content-Language", NULL);
  }
}

static void
test_message_given_id (void)
{
  g_autofree char *id = rs_message_new_message_id ("scan@Mail.Example.ORG");
  g_autofree char *bracketed = g_strdup_printf ("<%s>", id);
  const char *bad[] = {
    "no-at-sign", "a b@example.org", "a@b@example.org", "<a@example.org", "a@example.org>",
    "@example.org", "a@", ".a@example.org", "a..b@example.org", "zoë@example.org",
    "a@example.org\r\nBcc: evil@example.org", "",
  };

  g_assert_true (g_str_has_suffix (id, "@mail.example.org"));
  g_assert_null (strpbrk (id, "<> \t\r\n"));

  /* A message sent again carries the id of the first time. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");
      g_autoptr(GHashTable) facts = NULL;
      g_autofree char *text = NULL;

      g_assert_cmpstr (rs_message_get_message_id (message), !=, id);
      g_assert_true (rs_message_set_message_id (message, i == 0 ? id : bracketed, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (rs_message_get_message_id (message), ==, id);
      text = to_string (message);
      assert_wire_format (text);
      assert_header (text, "Message-ID", bracketed);

      if ((facts = ask_python (text)) == NULL)
        continue;
      assert_python_clean (facts);
      g_assert_cmpstr (fact (facts, "message_id"), ==, bracketed);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");
      g_autofree char *before = g_strdup (rs_message_get_message_id (message));
      g_autofree char *text = NULL;

      g_test_message ("Message-ID “%s”", bad[i]);
      g_assert_false (rs_message_set_message_id (message, bad[i], &error));
      assert_refused (error, NULL,
                      strchr (bad[i], '\n') != NULL ? RS_MESSAGE_ERROR_LINE_BREAK
                                                    : RS_MESSAGE_ERROR_INVALID_TEXT,
                      "Message-ID", NULL);
      g_assert_cmpstr (rs_message_get_message_id (message), ==, before);
      text = to_string (message);
      g_assert_null (strstr (text, "evil"));
    }

  {
    g_autoptr(GString) too_long = g_string_new ("a");
    g_autoptr(RsMessage) message = make_message (NULL, "Report", "Text\n");

    while (too_long->len < 250)
      g_string_append (too_long, ".abcdefghij");
    g_string_append (too_long, "@example.org");
    g_assert_false (rs_message_set_message_id (message, too_long->str, NULL));
  }
}

static void
test_message_ids_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RsMessage) message = NULL;
      const char *id;

      message = rs_message_new ("scan@Mail.Example.ORG", NULL, "zoe@example.com", NULL, "Hi",
                                "Body", &error);
      g_assert_no_error (error);
      id = rs_message_get_message_id (message);
      g_assert_true (g_str_has_suffix (id, "@mail.example.org"));
      g_assert_null (strpbrk (id, "<> \t\r\n"));
      g_assert_cmpuint (strchr (id, '@') - id, >=, 20);
      g_assert_true (g_hash_table_add (seen, g_strdup (id)));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 10000);
}

static void
test_message_date (void)
{
  static const char *months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  g_autoptr(GDateTime) before = g_date_time_new_now_local ();
  g_autoptr(RsMessage) message = make_message (NULL, "Date", "Body\n");
  g_autoptr(GDateTime) after = g_date_time_new_now_local ();
  g_autofree char *text = to_string (message);
  g_autofree char *date = header_value (text, "Date");
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GHashTable) facts = NULL;
  char weekday[4], month[4], sign;
  int day, year, hour, minute, second, offset;
  g_autofree char *iso = NULL;

  g_test_message ("Date: %s", date);
  g_assert_cmpint (sscanf (date, "%3s, %d %3s %d %d:%d:%d %c%4d", weekday, &day, month, &year,
                           &hour, &minute, &second, &sign, &offset), ==, 9);
  g_assert_true (sign == '+' || sign == '-');
  if (g_file_test ("/usr/share/zoneinfo/Pacific/Chatham", G_FILE_TEST_EXISTS))
    g_assert_true (offset == 1245 || offset == 1345);
  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    if (strcmp (month, months[i]) == 0)
      iso = g_strdup_printf ("%04d-%02u-%02dT%02d:%02d:%02d%c%02d:%02d", year, i + 1, day,
                             hour, minute, second, sign, offset / 100, offset % 100);
  g_assert_nonnull (iso);
  parsed = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpint (g_date_time_to_unix (parsed), >=, g_date_time_to_unix (before));
  g_assert_cmpint (g_date_time_to_unix (parsed), <=, g_date_time_to_unix (after));
  g_assert_cmpint (g_date_time_get_utc_offset (parsed), ==,
                   g_date_time_get_utc_offset (rs_message_get_date (message)));
  g_assert_cmpint (g_date_time_to_unix (parsed), ==,
                   g_date_time_to_unix (rs_message_get_date (message)));
  {
    g_autofree char *day_name = g_date_time_format (parsed, "%a");

    /* The C locale of the test gives English day names. */
    g_assert_cmpstr (weekday, ==, day_name);
  }

  if ((facts = ask_python (text)) == NULL)
    return;
  assert_python_clean (facts);
  {
    g_autoptr(GDateTime) from_python = g_date_time_new_from_iso8601 (fact (facts, "date"),
                                                                     NULL);

    g_assert_nonnull (from_python);
    g_assert_true (g_date_time_equal (from_python, parsed));
  }
}

int
main (int   argc,
      char *argv[])
{
  /* An offset with minutes, unlike most, before GLib reads the zone. */
  g_setenv ("TZ", "Pacific/Chatham", TRUE);
  rs_test_init (&argc, &argv);

  g_test_add_func ("/message/headers", test_message_headers);
  g_test_add_func ("/message/no-optional-headers", test_message_no_optional_headers);
  g_test_add_func ("/message/encoded-headers", test_message_encoded_headers);
  g_test_add_func ("/message/quoted-printable", test_message_quoted_printable);
  g_test_add_func ("/message/attachment", test_message_attachment);
  g_test_add_func ("/message/rfc2231", test_message_rfc2231);
  g_test_add_func ("/message/recipient-name", test_message_recipient_name);
  g_test_add_func ("/message/international-domain", test_message_international_domain);
  g_test_add_func ("/message/language", test_message_language);
  g_test_add_func ("/message/given-id", test_message_given_id);
  g_test_add_func ("/message/refuses-injection", test_message_refuses_injection);
  g_test_add_func ("/message/refuses-bad-addresses", test_message_refuses_bad_addresses);
  g_test_add_func ("/message/ids-unique", test_message_ids_unique);
  g_test_add_func ("/message/date", test_message_date);

  return g_test_run ();
}
