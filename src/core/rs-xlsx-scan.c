/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"
/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "rs-xlsx-private.h"

/* Inflated data from data + INFLATE_HEAD; the head takes the end of the
 * chunk before, a token cut in two, so that the parse goes on in place. */
typedef struct _Chunk
{
  guint8 *data;
  gsize len;
  gboolean last;
  gboolean failed;
} Chunk;

#define INFLATE_HEAD    (64 * 1024)
#define INFLATE_CHUNK   (1024 * 1024)
#define INFLATE_CHUNKS  4
#define INFLATE_FROM    (4 * 1024 * 1024)

/* Pushed to wake the inflater so that it sees it must stop */
static Chunk wake_chunk;

/* ---- errors ---- */

void
rs_xlsx_set_corrupt (GError    **error,
                     const char *workbook,
                     const char *part,
                     const char *what)
{
  /* Translators: the workbook, the part inside it, what is wrong */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_CORRUPT,
               _("“%s” is damaged and cannot be read (%s: %s). Open it in your spreadsheet "
                 "program and save it again as .xlsx"),
               workbook, part, what);
}

void
rs_xlsx_set_unsupported (GError    **error,
                         const char *workbook,
                         const char *kind)
{
  /* Translators: the file, and what kind of file it is */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
               _("“%s” is %s, which cannot be imported: open it in your spreadsheet program "
                 "and save it as .xlsx or CSV"),
               workbook, kind);
}

void
rs_xlsx_set_not_workbook (GError    **error,
                          const char *workbook)
{
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
               _("“%s” is a zip archive but not an Excel workbook (.xlsx): import the master "
                 "file as .xlsx or CSV"),
               workbook);
}

/* ---- the pull parser ---- */

static void
scan_set_corrupt (const Scan  *scan,
                  GError     **error,
                  const char  *what)
{
  rs_xlsx_set_corrupt (error, scan->workbook, scan->part, what);
}

static void
chunk_free (gpointer data)
{
  Chunk *chunk = data;

  if (chunk == &wake_chunk)
    return;
  g_free (chunk->data);
  g_free (chunk);
}

static gpointer
inflater_thread (gpointer data)
{
  Scan *scan = data;

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (scan->empty);
      goffset remaining;

      if (g_atomic_int_get (&scan->stop) || chunk == &wake_chunk)
        {
          if (chunk != &wake_chunk)
            g_async_queue_push (scan->empty, chunk);
          break;
        }

      remaining = gsf_input_remaining (scan->input);
      chunk->len = (gsize) MIN (remaining, INFLATE_CHUNK);
      chunk->failed = chunk->len > 0
                      && gsf_input_read (scan->input, chunk->len,
                                         chunk->data + INFLATE_HEAD) == NULL;
      chunk->last = chunk->failed || chunk->len == 0
                    || (goffset) chunk->len == remaining;
      g_async_queue_push (scan->full, chunk);
      if (chunk->last)
        break;
    }

  return NULL;
}

void
rs_xlsx_scan_clear (Scan *scan)
{
  if (scan->inflater != NULL)
    {
      g_atomic_int_set (&scan->stop, TRUE);
      g_async_queue_push (scan->empty, &wake_chunk);
      g_thread_join (scan->inflater);
      scan->inflater = NULL;
    }
  g_clear_pointer (&scan->full, g_async_queue_unref);
  g_clear_pointer (&scan->empty, g_async_queue_unref);
  g_clear_pointer (&scan->current, chunk_free);
  g_clear_object (&scan->input);
  g_clear_pointer (&scan->own, g_free);
  if (scan->scratch != NULL)
    g_string_free (scan->scratch, TRUE);
  memset (scan, 0, sizeof *scan);
}

void
rs_xlsx_scan_init (Scan          *scan,
                   GsfInput      *input,
                   const char    *workbook,
                   const char    *part,
                   GCancellable  *cancellable)
{
  rs_xlsx_scan_clear (scan);
  scan->input = input;
  scan->workbook = workbook;
  scan->part = part;
  scan->size = gsf_input_size (input);
  scan->cancellable = cancellable;
  scan->alloc = CHUNK_SIZE;
  scan->own = g_malloc (scan->alloc);
  scan->buf = scan->own;
  scan->scratch = g_string_sized_new (256);

  if (scan->size >= INFLATE_FROM)
    {
      scan->full = g_async_queue_new_full (chunk_free);
      scan->empty = g_async_queue_new_full (chunk_free);
      for (guint i = 0; i < INFLATE_CHUNKS; i++)
        {
          Chunk *chunk = g_new0 (Chunk, 1);

          chunk->data = g_malloc (INFLATE_HEAD + INFLATE_CHUNK);
          g_async_queue_push (scan->empty, chunk);
        }
      scan->inflater = g_thread_new ("rs-xlsx-inflate", inflater_thread, scan);
    }
}

/* The next inflated chunk, with what is left of the buffer before it. */
static gboolean
scan_fill_inflated (Scan    *scan,
                    GError **error)
{
  gsize tail = scan->end - scan->start;
  Chunk *chunk;

  if (tail >= MAX_TOKEN)
    {
      scan_set_corrupt (scan, error, _("an element or a text is too long"));
      return FALSE;
    }

  chunk = g_async_queue_pop (scan->full);
  if (chunk->failed)
    {
      g_async_queue_push (scan->empty, chunk);
      scan_set_corrupt (scan, error, _("the compressed data is damaged"));
      return FALSE;
    }

  if (tail <= INFLATE_HEAD)
    {
      memcpy (chunk->data + INFLATE_HEAD - tail, scan->buf + scan->start, tail);
      if (scan->current != NULL)
        g_async_queue_push (scan->empty, scan->current);
      scan->current = chunk;
      scan->buf = (char *) chunk->data;
      scan->start = INFLATE_HEAD - tail;
      scan->end = INFLATE_HEAD + chunk->len;
    }
  else
    {
      /* A long token: in the scan's own buffer */
      gboolean in_own = scan->buf == scan->own;

      if (in_own)
        memmove (scan->own, scan->buf + scan->start, tail);
      if (tail + chunk->len > scan->alloc)
        {
          scan->alloc = MAX (scan->alloc * 2, tail + chunk->len);
          scan->own = g_realloc (scan->own, scan->alloc);
        }
      if (!in_own)
        memcpy (scan->own, scan->buf + scan->start, tail);
      memcpy (scan->own + tail, chunk->data + INFLATE_HEAD, chunk->len);
      if (scan->current != NULL)
        g_async_queue_push (scan->empty, g_steal_pointer (&scan->current));
      g_async_queue_push (scan->empty, chunk);
      scan->buf = scan->own;
      scan->start = 0;
      scan->end = tail + chunk->len;
    }
  scan->consumed += chunk->len;
  scan->eof = chunk->last;

  return TRUE;
}

/* Reads more into the buffer, keeping what is from @scan->start on.
 * Returns: %FALSE on an error; at the end, @scan->eof */
static gboolean
scan_fill (Scan    *scan,
           GError **error)
{
  gsize want;
  goffset remaining;

  if (scan->eof)
    return TRUE;

  if (g_cancellable_set_error_if_cancelled (scan->cancellable, error))
    return FALSE;

  if (scan->inflater != NULL)
    return scan_fill_inflated (scan, error);

  if (scan->start > 0)
    {
      memmove (scan->buf, scan->buf + scan->start, scan->end - scan->start);
      scan->end -= scan->start;
      scan->start = 0;
    }
  if (scan->end + CHUNK_SIZE / 4 > scan->alloc)
    {
      if (scan->alloc >= MAX_TOKEN)
        {
          scan_set_corrupt (scan, error, _("an element or a text is too long"));
          return FALSE;
        }
      scan->alloc *= 2;
      scan->own = g_realloc (scan->own, scan->alloc);
      scan->buf = scan->own;
    }

  remaining = gsf_input_remaining (scan->input);
  want = MIN ((goffset) (scan->alloc - scan->end), remaining);
  if (want == 0)
    {
      scan->eof = TRUE;
      return TRUE;
    }
  if (gsf_input_read (scan->input, want, (guint8 *) scan->buf + scan->end) == NULL)
    {
      scan_set_corrupt (scan, error, _("the compressed data is damaged"));
      return FALSE;
    }
  scan->end += want;
  scan->consumed += want;

  return TRUE;
}

/* Finds @needle from @scan->start + @from, reading on as needed.
 * Returns: its offset from @scan->start, or -1 with @error set */
static gssize
scan_find (Scan        *scan,
           gsize        from,
           const char  *needle,
           GError     **error)
{
  gsize needle_len = strlen (needle);

  for (;;)
    {
      gsize avail = scan->end - scan->start;

      if (avail >= from + needle_len)
        {
          const char *found = memmem (scan->buf + scan->start + from, avail - from,
                                      needle, needle_len);

          if (found != NULL)
            return found - (scan->buf + scan->start);
          from = avail - needle_len + 1;
        }
      if (scan->eof)
        {
          scan_set_corrupt (scan, error, _("the XML ends too soon"));
          return -1;
        }
      if (!scan_fill (scan, error))
        return -1;
    }
}
/* The name without its namespace prefix */
static void
local_name (const char  *name,
            gsize        len,
            const char **out,
            gsize       *out_len)
{
  const char *colon = memchr (name, ':', len);

  if (colon != NULL)
    {
      len -= colon + 1 - name;
      name = colon + 1;
    }
  *out = name;
  *out_len = len;
}

/* Decodes the five entities and character references of @text into @out.
 * Returns: %FALSE for one it does not know */
static gboolean
decode_entities (const char *text,
                 gsize       len,
                 GString    *out)
{
  const char *end = text + len;

  while (text < end)
    {
      const char *amp = memchr (text, '&', end - text);
      const char *semi;
      gsize name_len;

      if (amp == NULL)
        {
          g_string_append_len (out, text, end - text);
          return TRUE;
        }
      g_string_append_len (out, text, amp - text);
      semi = memchr (amp, ';', MIN (end - amp, 12));
      if (semi == NULL)
        return FALSE;
      name_len = semi - amp - 1;

      if (name_len == 2 && memcmp (amp + 1, "lt", 2) == 0)
        g_string_append_c (out, '<');
      else if (name_len == 2 && memcmp (amp + 1, "gt", 2) == 0)
        g_string_append_c (out, '>');
      else if (name_len == 3 && memcmp (amp + 1, "amp", 3) == 0)
        g_string_append_c (out, '&');
      else if (name_len == 4 && memcmp (amp + 1, "quot", 4) == 0)
        g_string_append_c (out, '"');
      else if (name_len == 4 && memcmp (amp + 1, "apos", 4) == 0)
        g_string_append_c (out, '\'');
      else if (name_len >= 2 && amp[1] == '#')
        {
          gboolean hex = amp[2] == 'x' || amp[2] == 'X';
          const char *digits = amp + (hex ? 3 : 2);
          guint32 c = 0;

          if (digits == semi)
            return FALSE;
          for (const char *p = digits; p < semi; p++)
            {
              int d = hex ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p);

              if (d < 0 || c > 0x10ffff)
                return FALSE;
              c = c * (hex ? 16 : 10) + (guint32) d;
            }
          if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return FALSE;
          g_string_append_unichar (out, c);
        }
      else
        {
          return FALSE;
        }
      text = semi + 1;
    }

  return TRUE;
}

/* Parses the start tag in buf[start, start + len): name and attributes. */
static gboolean
parse_start_tag (Scan    *scan,
                 gsize    len,
                 GError **error)
{
  const char *p = scan->buf + scan->start + 1;
  const char *end = scan->buf + scan->start + len;
  const char *name = p;

  /* The closing "/>" or ">" */
  end -= 1;
  scan->pending_end = end > p && end[-1] == '/';
  if (scan->pending_end)
    end -= 1;

  while (p < end && !is_space (*p))
    p++;
  if (p == name)
    {
      scan_set_corrupt (scan, error, _("an element has no name"));
      return FALSE;
    }
  local_name (name, p - name, &scan->name, &scan->name_len);

  scan->n_attrs = 0;
  g_string_truncate (scan->scratch, 0);
  for (;;)
    {
      const char *attr_name;
      const char *value;
      char quote;
      Attr *attr;

      while (p < end && is_space (*p))
        p++;
      if (p >= end)
        break;

      attr_name = p;
      while (p < end && *p != '=' && !is_space (*p))
        p++;
      if (p == attr_name)
        goto bad;
      attr = scan->n_attrs < MAX_ATTRS ? &scan->attrs[scan->n_attrs] : NULL;
      if (attr != NULL)
        local_name (attr_name, p - attr_name, &attr->name, &attr->name_len);
      while (p < end && is_space (*p))
        p++;
      if (p >= end || *p != '=')
        goto bad;
      p++;
      while (p < end && is_space (*p))
        p++;
      if (p >= end || (*p != '"' && *p != '\''))
        goto bad;
      quote = *p++;
      value = p;
      p = memchr (p, quote, end - p);
      if (p == NULL)
        goto bad;
      if (attr != NULL)
        {
          attr->value = value;
          attr->value_len = p - value;
          attr->decoded = -1;
          if (memchr (value, '&', p - value) != NULL)
            {
              attr->decoded = scan->scratch->len;
              if (!decode_entities (value, p - value, scan->scratch))
                goto bad;
              attr->value_len = scan->scratch->len - attr->decoded;
              g_string_append_c (scan->scratch, '\0');
            }
          scan->n_attrs++;
        }
      p++;
    }

  /* The scratch buffer may have moved as it grew. */
  for (guint i = 0; i < scan->n_attrs; i++)
    if (scan->attrs[i].decoded >= 0)
      scan->attrs[i].value = scan->scratch->str + scan->attrs[i].decoded;

  return TRUE;

bad:
  scan_set_corrupt (scan, error, _("an element’s attributes are malformed"));
  return FALSE;
}

/* At "<!", @avail bytes of it in the buffer: a comment, which is passed
 * over, or CDATA. Returns: 1 for a token, 0 to read on, -1 on an error */
static int
scan_declaration (Scan    *scan,
                  gsize    avail,
                  GError **error)
{
  const char *at = scan->buf + scan->start;
  gssize found;

  if (avail >= 4 && memcmp (at, "<!--", 4) == 0)
    {
      if ((found = scan_find (scan, 4, "-->", error)) < 0)
        return -1;
      scan->start += found + 3;
      return 0;
    }
  if (avail >= 9 && memcmp (at, "<![CDATA[", 9) == 0)
    {
      if ((found = scan_find (scan, 9, "]]>", error)) < 0)
        return -1;
      scan->type = TOKEN_TEXT;
      scan->text = scan->buf + scan->start + 9;
      scan->text_len = found - 9;
      scan->text_raw = TRUE;
      scan->start += found + 3;
      return 1;
    }
  /* A DTD could declare entities: no spreadsheet has one. */
  scan_set_corrupt (scan, error, _("it has a document type declaration"));
  return -1;
}

/* At "</" */
static gboolean
scan_end_tag (Scan    *scan,
              GError **error)
{
  const char *at;
  const char *name;
  const char *name_end;
  gssize found;

  if ((found = scan_find (scan, 2, ">", error)) < 0)
    return FALSE;
  at = scan->buf + scan->start;
  name = at + 2;
  name_end = at + found;
  while (name_end > name && is_space (name_end[-1]))
    name_end--;
  local_name (name, name_end - name, &scan->name, &scan->name_len);
  scan->type = TOKEN_END;
  scan->n_attrs = 0;
  scan->start += found + 1;
  return TRUE;
}

/* At a start tag: '>' may be inside an attribute's quotes. */
static gboolean
scan_start_tag (Scan    *scan,
                GError **error)
{
  gsize i = 1;
  char quote = 0;

  for (;;)
    {
      gsize avail = scan->end - scan->start;
      const char *at = scan->buf + scan->start;

      for (; i < avail; i++)
        {
          char c = at[i];

          if (quote != 0)
            {
              if (c == quote)
                quote = 0;
            }
          else if (c == '"' || c == '\'')
            quote = c;
          else if (c == '>')
            break;
          else if (c == '<')
            {
              scan_set_corrupt (scan, error, _("an element is not closed"));
              return FALSE;
            }
        }
      if (i < avail)
        break;
      if (scan->eof)
        {
          scan_set_corrupt (scan, error, _("the XML ends too soon"));
          return FALSE;
        }
      if (!scan_fill (scan, error))
        return FALSE;
    }

  if (!parse_start_tag (scan, i + 1, error))
    return FALSE;
  scan->type = TOKEN_START;
  scan->start += i + 1;
  return TRUE;
}

/* The next token. Whitespace between elements comes as text. */
gboolean
rs_xlsx_scan_next (Scan    *scan,
                   GError **error)
{
  if (scan->pending_end)
    {
      scan->pending_end = FALSE;
      scan->type = TOKEN_END;
      return TRUE;
    }

  for (;;)
    {
      gsize avail = scan->end - scan->start;
      const char *at = scan->buf + scan->start;
      gssize found;

      if (avail == 0)
        {
          if (scan->eof)
            {
              scan->type = TOKEN_EOF;
              return TRUE;
            }
          if (!scan_fill (scan, error))
            return FALSE;
          continue;
        }

      if (*at != '<')
        {
          const char *lt = memchr (at, '<', avail);

          if (lt == NULL && !scan->eof)
            {
              if (!scan_fill (scan, error))
                return FALSE;
              continue;
            }
          scan->type = TOKEN_TEXT;
          scan->text = at;
          scan->text_len = lt != NULL ? (gsize) (lt - at) : avail;
          scan->text_raw = FALSE;
          scan->start += scan->text_len;
          return TRUE;
        }

      if (avail < 12 && !scan->eof)
        {
          if (!scan_fill (scan, error))
            return FALSE;
          continue;
        }
      if (avail < 2)
        {
          scan_set_corrupt (scan, error, _("the XML ends too soon"));
          return FALSE;
        }

      if (at[1] == '?')
        {
          if ((found = scan_find (scan, 2, "?>", error)) < 0)
            return FALSE;
          scan->start += found + 2;
          continue;
        }

      if (at[1] == '!')
        {
          int declaration = scan_declaration (scan, avail, error);

          if (declaration == 0)
            continue;
          return declaration > 0;
        }

      if (at[1] == '/')
        return scan_end_tag (scan, error);

      return scan_start_tag (scan, error);
    }
}

/* Returns: (nullable): the attribute's value, not NUL-terminated */
const char *
rs_xlsx_scan_attr (const Scan *scan,
                   const char *name,
                   gsize      *len)
{
  gsize name_len = strlen (name);

  for (guint i = 0; i < scan->n_attrs; i++)
    {
      const Attr *attr = &scan->attrs[i];

      if (attr->name_len == name_len && memcmp (attr->name, name, name_len) == 0)
        {
          *len = attr->value_len;
          return attr->value;
        }
    }

  *len = 0;
  return NULL;
}

char *
rs_xlsx_scan_attr_dup (const Scan *scan,
                       const char *name)
{
  gsize len;
  const char *value = rs_xlsx_scan_attr (scan, name, &len);

  return value != NULL ? g_strndup (value, len) : NULL;
}

/* Appends the text token, decoded, to @out. */
gboolean
rs_xlsx_scan_append_text (Scan     *scan,
                          GString  *out,
                          GError  **error)
{
  if (scan->text_raw || memchr (scan->text, '&', scan->text_len) == NULL)
    {
      g_string_append_len (out, scan->text, scan->text_len);
      return TRUE;
    }
  if (!decode_entities (scan->text, scan->text_len, out))
    {
      scan_set_corrupt (scan, error, _("a text has an unknown entity"));
      return FALSE;
    }

  return TRUE;
}
