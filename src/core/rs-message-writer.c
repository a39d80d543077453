/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-message"

#include "config.h"

#include <string.h>

#include "rs-message-private.h"

/* RFC 5322 wants header lines of at most 78 characters, RFC 2047 encoded
 * words of at most 75, RFC 2045 encoded lines of at most 76. */
#define MAX_HEADER_LINE 78
#define MAX_ENCODED_WORD 75
#define MAX_BODY_LINE 76

static char *
format_date (GDateTime *date)
{
  static const char days[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char months[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  GTimeSpan offset = g_date_time_get_utc_offset (date);
  gint64 minutes = ABS (offset) / G_TIME_SPAN_MINUTE;

  /* Names from the RFC, never from the locale. */
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date),
                          g_date_time_get_hour (date),
                          g_date_time_get_minute (date),
                          g_date_time_get_second (date),
                          offset < 0 ? '-' : '+',
                          (int) (minutes / 60), (int) (minutes % 60));
}

/* Writing headers: the column of the current line is kept so that every
 * word can be folded onto a new line before it would pass the limit. */
typedef struct
{
  GString *out;
  gsize column;
  /* Whether the current line has a word after the field name: only then
   * can a fold before the next word make room for it. */
  gboolean line_has_word;
} Header;

static void
header_begin (Header     *header,
              GString    *out,
              const char *name)
{
  header->out = out;
  g_string_append (out, name);
  g_string_append_c (out, ':');
  header->column = strlen (name) + 1;
  header->line_has_word = FALSE;
}

static void
header_end (Header *header)
{
  g_string_append (header->out, "\r\n");
}

static void
header_fold (Header *header)
{
  g_string_append (header->out, "\r\n");
  header->column = 0;
  header->line_has_word = FALSE;
}

static void
header_add_word (Header     *header,
                 const char *word)
{
  gsize length = strlen (word);

  if (header->line_has_word && header->column + 1 + length > MAX_HEADER_LINE)
    header_fold (header);

  g_string_append_c (header->out, ' ');
  g_string_append (header->out, word);
  header->column += 1 + length;
  header->line_has_word = TRUE;
}

/* Whether an encoded word may end before @p without cutting what reads as
 * one character: a letter and its accents, an emoji and its joiners,
 * variation selectors, skin tones and tags. */
static gboolean
is_character_boundary (const char *text,
                       const char *p)
{
  gunichar c;
  gunichar before;

  if (p == text || *p == '\0')
    return TRUE;

  c = g_utf8_get_char (p);
  before = g_utf8_get_char (g_utf8_prev_char (p));

  return !(g_unichar_ismark (c) || c == 0x200D || before == 0x200D
           || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F3FB && c <= 0x1F3FF)
           || (c >= 0xE0020 && c <= 0xE007F));
}

/* Where the encoded word that starts at @p should end, given that it can
 * hold @max_bytes of text: the whole rest when it fits; else after the
 * last blank that fits, so that words stay whole; else, for a word longer
 * than any encoded word, at the last whole character. Returns @p when
 * @may_fold and a fold would keep the first word whole (it fits in
 * @max_bytes_after_fold), or when not even one character fits here. */
static const char *
encoded_word_end (const char *text,
                  const char *p,
                  gsize       max_bytes,
                  gboolean    may_fold,
                  gsize       max_bytes_after_fold)
{
  const char *after_blank = NULL;
  const char *boundary = NULL;
  const char *q = p;

  while (*q != '\0')
    {
      const char *next = g_utf8_next_char (q);

      if ((gsize) (next - p) > max_bytes)
        break;
      if (*q == ' ')
        after_blank = next;
      if (is_character_boundary (text, next))
        boundary = next;
      q = next;
    }

  if (*q == '\0' && boundary == q)
    return q;
  if (after_blank != NULL)
    return after_blank;

  /* The first word does not fit here: on a new line it might. */
  if (may_fold)
    {
      const char *word_end = strchr (p, ' ');
      gsize word = word_end != NULL ? (gsize) (word_end + 1 - p) : strlen (p);

      if (word <= max_bytes_after_fold || boundary == NULL)
        return p;
    }

  /* A character of more code points than an encoded word holds (a letter
   * under a pile of accents) is split after all rather than never sent. */
  return boundary != NULL ? boundary : q;
}

/* The bytes of text an encoded word can hold when it stands after a blank
 * at @column with @extra characters around it. */
static gsize
encoded_capacity (gsize column,
                  gsize extra)
{
  /* "=?UTF-8?B?" and "?=" */
  static const gsize overhead = 12;
  gsize room = MAX_HEADER_LINE - MIN (column + 1 + extra, MAX_HEADER_LINE);

  room = MIN (room, MAX_ENCODED_WORD);

  return room > overhead ? (room - overhead) / 4 * 3 : 0;
}

/* RFC 2047 "B" encoded words, folded between them. A word of @text ends
 * an encoded word together with the blank after it, so that a line is
 * folded between words, never inside one unless a word is longer than an
 * encoded word can be; a character is never split. A decoder joins
 * adjacent encoded words and drops the folding between them (RFC 2047,
 * 6.2). @open goes before the first encoded word and @close after the
 * last, with no blank between (for a quoted parameter value). */
static void
header_add_encoded_full (Header     *header,
                         const char *text,
                         const char *open,
                         const char *close)
{
  static const char prefix[] = "=?UTF-8?B?";
  const char *p = text;
  gboolean first = TRUE;

  while (*p != '\0')
    {
      gsize extra = strlen (close) + (first ? strlen (open) : 0);
      gsize max_bytes = encoded_capacity (header->column, extra);
      const char *end;
      g_autofree char *base64 = NULL;
      g_autofree char *word = NULL;

      end = encoded_word_end (text, p, max_bytes, header->line_has_word,
                              encoded_capacity (0, extra));
      if (end == p)
        {
          /* A fresh line always has room for a character. */
          g_assert (header->column > 0);
          header_fold (header);
          continue;
        }

      base64 = g_base64_encode ((const guchar *) p, end - p);
      word = g_strconcat (first ? open : "", prefix, base64, "?=", *end == '\0' ? close : "",
                          NULL);
      header_add_word (header, word);
      p = end;
      first = FALSE;
    }
}

static void
header_add_encoded (Header     *header,
                    const char *text)
{
  header_add_encoded_full (header, text, "", "");
}

static gboolean
is_plain_ascii (const char *text)
{
  for (const guchar *p = (const guchar *) text; *p; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;

  /* Text that looks like an encoded word would be decoded as one. */
  return strstr (text, "=?") == NULL;
}

/* Folds printable ASCII text at its spaces. Fails, leaving @header as it
 * was, where a word is too long for a line. */
static gboolean
header_add_plain (Header     *header,
                  const char *text)
{
  gsize start_len = header->out->len;
  gsize start_column = header->column;
  gboolean start_has_word = header->line_has_word;
  const char *p = text;

  g_string_append_c (header->out, ' ');
  header->column++;

  while (*p != '\0')
    {
      const char *word = p;
      const char *end;

      while (*word == ' ')
        word++;
      end = word;
      while (*end != '\0' && *end != ' ')
        end++;

      /* A fold goes before a space and never leaves a line of blanks. */
      if (p != text && end != word && header->column + (end - p) > MAX_HEADER_LINE)
        {
          header_fold (header);
        }

      g_string_append_len (header->out, p, end - p);
      header->column += end - p;
      if (header->column > MAX_HEADER_LINE)
        {
          g_string_truncate (header->out, start_len);
          header->column = start_column;
          header->line_has_word = start_has_word;
          return FALSE;
        }
      p = end;
    }

  header->line_has_word = TRUE;

  return TRUE;
}

static void
append_structured (GString    *out,
                   const char *name,
                   const char *value)
{
  Header header;

  header_begin (&header, out, name);
  header_add_word (&header, value);
  header_end (&header);
}

static void
append_unstructured (GString    *out,
                     const char *name,
                     const char *value)
{
  Header header;

  header_begin (&header, out, name);
  if (*value != '\0' && !(is_plain_ascii (value) && header_add_plain (&header, value)))
    header_add_encoded (&header, value);
  header_end (&header);
}

static gboolean
is_atom (const char *word)
{
  for (const char *p = word; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("!#$%&'*+-/=?^_`{|}~", *p) == NULL)
      return FALSE;

  return *word != '\0' && strstr (word, "=?") == NULL;
}

static char *
quote (const char *text)
{
  GString *quoted = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');

  return g_string_free (quoted, FALSE);
}

/* A display name word by word: plain words as atoms or quoted strings,
 * each run of words that need it as encoded words. Decoders differ on
 * the blank between two encoded words (RFC 2047 drops it, Python's parser
 * keeps it in a name), so encoded words meet only where a run is longer
 * than one encoded word can be, and then between words. */
static void
header_add_phrase (Header     *header,
                   const char *phrase)
{
  g_auto(GStrv) words = g_strsplit (phrase, " ", -1);
  g_autoptr(GString) run = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *plain = NULL;

      if (is_plain_ascii (words[i]))
        plain = is_atom (words[i]) ? g_strdup (words[i]) : quote (words[i]);

      /* A word too long for any line is encoded, which can be split. */
      if (plain == NULL || strlen (plain) + 1 > MAX_HEADER_LINE)
        {
          if (run->len > 0)
            g_string_append_c (run, ' ');
          g_string_append (run, words[i]);
          continue;
        }

      if (run->len > 0)
        {
          header_add_encoded (header, run->str);
          g_string_truncate (run, 0);
        }

      header_add_word (header, plain);
    }

  if (run->len > 0)
    header_add_encoded (header, run->str);
}

static void
append_mailbox (GString    *out,
                const char *name,
                const char *display_name,
                const char *address)
{
  g_autofree char *angle = g_strconcat ("<", address, ">", NULL);
  Header header;

  header_begin (&header, out, name);
  if (display_name != NULL)
    {
      g_autofree char *quoted = quote (display_name);
      gboolean single_blanks = display_name[0] != ' ' && !g_str_has_suffix (display_name, " ")
                               && strstr (display_name, "  ") == NULL;

      if (is_plain_ascii (display_name) && header.column + 1 + strlen (quoted) <= MAX_HEADER_LINE)
        header_add_word (&header, quoted);
      else if (single_blanks)
        header_add_phrase (&header, display_name);
      else
        header_add_encoded (&header, display_name);
    }

  header_add_word (&header, display_name != NULL ? angle : address);
  header_end (&header);
}

/* RFC 2045 quoted-printable with CRLF line ends. A "." or "From " at the
 * start of a line is encoded too, so no relay or mailbox file can take it
 * for something else. The result always ends in CRLF; when @text does not
 * end in a line break that CRLF is a soft break, which decodes to nothing. */
static void
append_quoted_printable (GString    *out,
                         const char *text)
{
  const guchar *p = (const guchar *) text;
  gsize column = 0;

  while (*p != '\0')
    {
      gboolean at_end;
      gboolean literal;
      gsize width;

      if (*p == '\r' || *p == '\n')
        {
          if (p[0] == '\r' && p[1] == '\n')
            p++;
          p++;
          g_string_append (out, "\r\n");
          column = 0;
          continue;
        }

      at_end = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';
      literal = (*p >= 33 && *p <= 126 && *p != '=')
                || ((*p == ' ' || *p == '\t') && !at_end);
      if (column == 0 && (*p == '.' || strncmp ((const char *) p, "From ", 5) == 0))
        literal = FALSE;
      width = literal ? 1 : 3;

      /* Keep one column for the "=" of a soft break, unless the line ends here. */
      if (column + width > MAX_BODY_LINE - 1 && !(at_end && column + width <= MAX_BODY_LINE))
        {
          g_string_append (out, "=\r\n");
          column = 0;
          continue;
        }

      if (literal)
        g_string_append_c (out, *p);
      else
        g_string_append_printf (out, "=%02X", *p);
      column += width;
      p++;
    }

  if (column > 0)
    g_string_append (out, "=\r\n");
}

static void
append_base64 (GString *out,
               GBytes  *content)
{
  gsize size;
  const guchar *data = g_bytes_get_data (content, &size);
  g_autofree char *encoded = g_base64_encode (data, size);
  gsize length = strlen (encoded);

  for (gsize i = 0; i < length; i += MAX_BODY_LINE)
    {
      g_string_append_len (out, encoded + i, MIN (MAX_BODY_LINE, length - i));
      g_string_append (out, "\r\n");
    }
}

static gboolean
is_attr_char (guchar c)
{
  return g_ascii_isalnum (c) || strchr ("!#$&+-.^_`|~", c) != NULL;
}

/* The file name for readers that know no RFC 2231: a quoted `name=` on
 * Content-Type, RFC 2047 encoded words inside the quotes where the name is
 * not plain ASCII or too long for a line. RFC 2047 does not allow encoded
 * words there, but Outlook, Thunderbird and Gmail write and read them
 * so; a reader that knows RFC 2231 takes the name from Content-Disposition. */
static void
append_content_type (GString    *out,
                     const char *mime_type,
                     const char *file_name)
{
  g_autofree char *quoted = quote (file_name);
  Header header;

  header_begin (&header, out, "Content-Type");
  header_add_word (&header, mime_type);
  g_string_append_c (out, ';');
  header_fold (&header);

  if (is_plain_ascii (file_name) && strlen (" name=") + strlen (quoted) <= MAX_HEADER_LINE)
    {
      g_autofree char *parameter = g_strconcat ("name=", quoted, NULL);

      header_add_word (&header, parameter);
    }
  else
    {
      header_add_encoded_full (&header, file_name, "name=\"", "\"");
    }
  header_end (&header);
}

/* The file name as RFC 2231 parameters, each on its own line and never
 * splitting a character, and nothing else: a plain `filename=` beside
 * them is a second, conflicting name that some readers show instead
 * (cut to ASCII) and Python's parser reports as a duplicate. Readers that
 * know no RFC 2231 take the name from Content-Type. */
static void
append_disposition (GString    *out,
                    const char *file_name)
{
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(GString) section = NULL;

  g_string_append (out, "Content-Disposition: attachment;");

  if (is_plain_ascii (file_name)
      && strlen (" filename=\"\"") + strlen (file_name) <= MAX_HEADER_LINE
      && strpbrk (file_name, "\"\\") == NULL)
    {
      g_string_append_printf (out, "\r\n filename=\"%s\"\r\n", file_name);
      return;
    }

  sections = g_ptr_array_new_with_free_func (g_free);
  section = g_string_new ("UTF-8''");
  for (const char *p = file_name; *p; p = g_utf8_next_char (p))
    {
      char encoded[13] = "";
      char *q = encoded;
      g_autofree char *label = g_strdup_printf (" filename*%u*=", sections->len);

      for (const char *b = p; b < g_utf8_next_char (p); b++)
        {
          if (is_attr_char ((guchar) *b))
            *q++ = *b;
          else
            q += g_snprintf (q, 4, "%%%02X", (guchar) *b);
        }

      if (strlen (label) + section->len + (q - encoded) + 1 > MAX_HEADER_LINE)
        {
          g_ptr_array_add (sections, g_string_free (g_steal_pointer (&section), FALSE));
          section = g_string_new (NULL);
        }
      g_string_append (section, encoded);
    }
  g_ptr_array_add (sections, g_string_free (g_steal_pointer (&section), FALSE));

  if (sections->len == 1)
    {
      g_string_append_printf (out, "\r\n filename*=%s\r\n", (char *) sections->pdata[0]);
      return;
    }

  for (guint i = 0; i < sections->len; i++)
    g_string_append_printf (out, "\r\n filename*%u*=%s%s", i, (char *) sections->pdata[i],
                            i + 1 < sections->len ? ";" : "\r\n");
}

static char *
make_boundary (void)
{
  /* "=_" can occur in neither quoted-printable nor base64 text. */
  return g_strdup_printf ("=_rs_%08x%08x%08x%08x",
                          g_random_int (), g_random_int (), g_random_int (), g_random_int ());
}

/**
 * rs_message_to_bytes:
 *
 * The whole message, CRLF line ends, ready for SMTP (dot-stuffing is left
 * to the SMTP layer). The Message-ID and Date stay the same on every call.
 * Currently never fails; @error is there for what may come.
 *
 * Returns: (transfer full): the message.
 */
GBytes *
rs_message_to_bytes (RsMessage  *self,
                     GError    **error)
{
  g_autoptr(GString) out = g_string_sized_new (4096);
  g_autoptr(GString) text = g_string_sized_new (strlen (self->body) * 3 / 2 + 64);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *date = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *boundary = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  date = format_date (self->date);
  message_id = g_strconcat ("<", self->message_id, ">", NULL);

  append_structured (out, "Date", date);
  append_mailbox (out, "From", self->from_name, self->from_address);
  append_mailbox (out, "To", self->to_name, self->to_address);
  if (self->reply_to != NULL)
    append_mailbox (out, "Reply-To", NULL, self->reply_to);
  append_unstructured (out, "Subject", self->subject);
  append_structured (out, "Message-ID", message_id);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  if (self->language != NULL)
    append_structured (out, "Content-Language", self->language);

  g_string_append (text, "Content-Type: text/plain; charset=UTF-8\r\n"
                         "Content-Transfer-Encoding: quoted-printable\r\n"
                         "\r\n");
  append_quoted_printable (text, self->body);

  if (self->attachments->len == 0)
    {
      g_string_append (out, text->str);
      return g_string_free_to_bytes (g_steal_pointer (&out));
    }

  g_ptr_array_add (parts, g_string_free (g_steal_pointer (&text), FALSE));
  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *attachment = g_ptr_array_index (self->attachments, i);
      GString *part = g_string_new (NULL);

      append_content_type (part, attachment->mime_type, attachment->file_name);
      g_string_append (part, "Content-Transfer-Encoding: base64\r\n");
      append_disposition (part, attachment->file_name);
      g_string_append (part, "\r\n");
      append_base64 (part, attachment->content);
      g_ptr_array_add (parts, g_string_free (part, FALSE));
    }

  for (gboolean clash = TRUE; clash;)
    {
      g_clear_pointer (&boundary, g_free);
      boundary = make_boundary ();
      clash = FALSE;
      for (guint i = 0; i < parts->len && !clash; i++)
        clash = strstr (parts->pdata[i], boundary) != NULL;
    }

  g_string_append_printf (out, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n",
                          boundary);
  for (guint i = 0; i < parts->len; i++)
    {
      if (i > 0)
        g_string_append (out, "\r\n");
      g_string_append_printf (out, "--%s\r\n", boundary);
      g_string_append (out, parts->pdata[i]);
    }
  g_string_append_printf (out, "\r\n--%s--\r\n", boundary);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}
