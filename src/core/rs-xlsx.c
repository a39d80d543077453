/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"
/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <glib/gi18n.h>
#include <gsf/gsf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rs-master.h"
#include "rs-xlsx.h"

/* libgsf 1.14 has none */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GsfInfile, g_object_unref)

/* An Office Open XML workbook is a zip of XML parts. The parts that say
 * where things are (relationships, workbook, styles) are small; the shared
 * strings are kept, compactly; the sheet is read as its rows are asked for,
 * through a small pull parser over the inflated bytes: it knows the subset
 * of XML that spreadsheets are (elements, attributes, character and the five
 * predefined entities, CDATA, comments) and refuses any DTD, so there is
 * nothing to expand. Every part is checked against the zip's own directory
 * before it is inflated (size and ratio), and never read past its size. */

#define CHUNK_SIZE     (256 * 1024)
#define MAX_TOKEN      (8 * 1024 * 1024)
#define MAX_ATTRS      16
#define MAX_ENTRIES    100000
#define MAX_DIRECTORY  (64 * 1024 * 1024)
#define RATIO_FROM     (1024 * 1024)

G_DEFINE_QUARK (rs-xlsx-error-quark, rs_xlsx_error)

typedef enum
{
  TOKEN_EOF,
  TOKEN_START,
  TOKEN_END,
  TOKEN_TEXT,
} TokenType;

typedef struct
{
  const char *name;
  gsize name_len;
  const char *value;
  gsize value_len;
  /* Where the decoded value is in the scratch buffer, or -1 */
  gssize decoded;
} Attr;

/* A pull parser over one part of the zip. Tokens point into the buffer and
 * are valid until the next one. */
typedef struct
{
  GsfInput *input;
  const char *part;
  const char *workbook;
  goffset size;
  goffset consumed;
  GCancellable *cancellable;

  /* The buffer tokens point into: the scan's own, or an inflated chunk */
  char *buf;
  char *own;
  gsize alloc;
  gsize start;
  gsize end;
  gboolean eof;

  TokenType type;
  const char *name;
  gsize name_len;
  gboolean pending_end;
  const char *text;
  gsize text_len;
  gboolean text_raw;
  Attr attrs[MAX_ATTRS];
  guint n_attrs;
  GString *scratch;

  /* A big part is inflated in a thread of its own, a chunk ahead. */
  GThread *inflater;
  GAsyncQueue *full;
  GAsyncQueue *empty;
  gint stop;
  struct _Chunk *current;
} Scan;

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

typedef struct
{
  goffset compressed;
  goffset size;
  goffset local_header;
} Entry;

typedef struct
{
  char *name;
  char *path;
} Sheet;

typedef enum
{
  FORMAT_NONE,
  FORMAT_DATE,
  FORMAT_TIME,
  FORMAT_DATE_TIME,
} FormatKind;

typedef struct
{
  guint column;
  gsize offset;
  gsize len;
} Cell;

/* A cell read as empty that the import reports; its text in notes_text */
typedef struct
{
  guint column;
  RsXlsxNoteKind kind;
  gsize offset;
} Note;

struct _RsXlsxReader
{
  char *name;
  GFile *file;
  gboolean check_unchanged;
  goffset opened_size;
  guint64 opened_mtime;

  GsfInput *input;
  GsfInfile *zip;
  GHashTable *entries;
  gboolean date1904;
  GArray *sheets;
  char *strings_path;
  char *styles_path;
  GByteArray *styles;

  gboolean strings_loaded;
  GString *strings;
  GArray *string_offsets;

  Scan scan;
  gboolean sheet_open;
  char *sheet_name;
  gboolean in_sheet_data;
  gboolean sheet_done;

  char **header;
  guint n_header;
  guint n_ignored;
  char *ignored_text;

  Cell *cells;
  guint n_cells;
  guint cells_alloc;
  GString *values;
  GString *value;
  GString *row;
  GString *formula;
  GArray *notes;
  GString *notes_text;
  /* While a row's cells come left to right, self->values holds the row as
   * it is returned (each field NUL-terminated), so it is built once. */
  gboolean in_order;
  guint n_written;
  gsize *column_offsets;
  guint column_offsets_alloc;
  const char *row_data;
  gsize row_len;
  const char **fields;
  guint n_fields;
  guint fields_alloc;
  guint row_number;
  /* The row has no number of its own: its first cell's reference gives it */
  gboolean row_from_cell;
  guint max_column;
  /* The text of the row's cells and of the rows read, without the empty
   * fields between them, and how much of it the sheet may have */
  gsize row_text;
  guint64 text_total;
  guint64 text_budget;

  GError *fatal;
};

/* ---- errors ---- */

static void
set_corrupt (GError    **error,
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

static void
set_unsupported (GError    **error,
                 const char *workbook,
                 const char *kind)
{
  /* Translators: the file, and what kind of file it is */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
               _("“%s” is %s, which cannot be imported: open it in your spreadsheet program "
                 "and save it as .xlsx or CSV"),
               workbook, kind);
}

static void
set_not_workbook (GError    **error,
                  const char *workbook)
{
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
               _("“%s” is a zip archive but not an Excel workbook (.xlsx): import the master "
                 "file as .xlsx or CSV"),
               workbook);
}

/* ---- the pull parser ---- */

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

static void
scan_clear (Scan *scan)
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

static void
scan_init (Scan          *scan,
           GsfInput      *input,
           const char    *workbook,
           const char    *part,
           GCancellable  *cancellable)
{
  scan_clear (scan);
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
      set_corrupt (error, scan->workbook, scan->part, _("an element or a text is too long"));
      return FALSE;
    }

  chunk = g_async_queue_pop (scan->full);
  if (chunk->failed)
    {
      g_async_queue_push (scan->empty, chunk);
      set_corrupt (error, scan->workbook, scan->part, _("the compressed data is damaged"));
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
          set_corrupt (error, scan->workbook, scan->part, _("an element or a text is too long"));
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
      set_corrupt (error, scan->workbook, scan->part, _("the compressed data is damaged"));
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
          set_corrupt (error, scan->workbook, scan->part, _("the XML ends too soon"));
          return -1;
        }
      if (!scan_fill (scan, error))
        return -1;
    }
}

static inline gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
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
      set_corrupt (error, scan->workbook, scan->part, _("an element has no name"));
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
  set_corrupt (error, scan->workbook, scan->part, _("an element’s attributes are malformed"));
  return FALSE;
}

/* The next token. Whitespace between elements comes as text. */
static gboolean
scan_next (Scan    *scan,
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
          set_corrupt (error, scan->workbook, scan->part, _("the XML ends too soon"));
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
          if (avail >= 4 && memcmp (at, "<!--", 4) == 0)
            {
              if ((found = scan_find (scan, 4, "-->", error)) < 0)
                return FALSE;
              scan->start += found + 3;
              continue;
            }
          if (avail >= 9 && memcmp (at, "<![CDATA[", 9) == 0)
            {
              if ((found = scan_find (scan, 9, "]]>", error)) < 0)
                return FALSE;
              scan->type = TOKEN_TEXT;
              scan->text = scan->buf + scan->start + 9;
              scan->text_len = found - 9;
              scan->text_raw = TRUE;
              scan->start += found + 3;
              return TRUE;
            }
          /* A DTD could declare entities: no spreadsheet has one. */
          set_corrupt (error, scan->workbook, scan->part, _("it has a document type declaration"));
          return FALSE;
        }

      if (at[1] == '/')
        {
          const char *name;
          const char *name_end;

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

      /* A start tag: '>' may be inside an attribute's quotes. */
      {
        gsize i = 1;
        char quote = 0;

        for (;;)
          {
            avail = scan->end - scan->start;
            at = scan->buf + scan->start;
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
                    set_corrupt (error, scan->workbook, scan->part, _("an element is not closed"));
                    return FALSE;
                  }
              }
            if (i < avail)
              break;
            if (scan->eof)
              {
                set_corrupt (error, scan->workbook, scan->part, _("the XML ends too soon"));
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
    }
}

static inline gboolean
token_is (const Scan *scan,
          const char *name)
{
  gsize len = strlen (name);

  return scan->name_len == len && memcmp (scan->name, name, len) == 0;
}

/* Returns: (nullable): the attribute's value, not NUL-terminated */
static const char *
scan_attr (const Scan *scan,
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

static char *
scan_attr_dup (const Scan *scan,
               const char *name)
{
  gsize len;
  const char *value = scan_attr (scan, name, &len);

  return value != NULL ? g_strndup (value, len) : NULL;
}

/* Appends the text token, decoded, to @out. */
static gboolean
scan_append_text (Scan     *scan,
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
      set_corrupt (error, scan->workbook, scan->part, _("a text has an unknown entity"));
      return FALSE;
    }

  return TRUE;
}

/* ---- the zip ---- */

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
le16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static guint64
le64 (const guint8 *p)
{
  return (guint64) le32 (p) | (guint64) le32 (p + 4) << 32;
}

static gboolean
read_at (GsfInput *input,
         goffset   offset,
         gsize     len,
         guint8   *out)
{
  return gsf_input_seek (input, offset, G_SEEK_SET) == FALSE
         && gsf_input_read (input, len, out) != NULL;
}

/* Whether a member's DOS date and time are a real moment, as libgsf reads
 * them: the year from 1980, the day of that month of that year, the hour
 * of its four bits (libgsf drops the fifth), seconds in steps of two. */
static gboolean
dos_time_is_valid (guint16 date,
                   guint16 time)
{
  guint year = 1980 + (date >> 9);
  guint month = (date >> 5) & 0xf;
  guint day = date & 0x1f;

  return month >= 1 && month <= 12 && day >= 1
         && g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year)
         && ((time >> 5) & 0x3f) <= 59 && (time & 0x1f) <= 29;
}

/* The sizes of every member, from the zip's central directory, which is
 * what libgsf reads too: a member is never inflated past its size there. */
static gboolean
read_directory (RsXlsxReader  *self,
                GError       **error)
{
  goffset size = gsf_input_size (self->input);
  gsize tail_len = (gsize) MIN (size, 65535 + 22);
  g_autofree guint8 *tail = g_malloc (tail_len);
  g_autofree guint8 *dir = NULL;
  guint64 dir_offset;
  guint64 dir_size;
  guint64 n_entries;
  gssize eocd = -1;
  gsize p;

  if (tail_len < 22 || !read_at (self->input, size - tail_len, tail_len, tail))
    goto corrupt;
  for (gssize i = (gssize) tail_len - 22; i >= 0; i--)
    {
      if (le32 (tail + i) == 0x06054b50)
        {
          eocd = i;
          break;
        }
    }
  if (eocd < 0)
    goto corrupt;

  n_entries = le16 (tail + eocd + 10);
  dir_size = le32 (tail + eocd + 12);
  dir_offset = le32 (tail + eocd + 16);

  /* Zip64: the locator sits just before the end record. */
  if ((dir_offset == 0xffffffff || dir_size == 0xffffffff || n_entries == 0xffff) && eocd >= 20
      && le32 (tail + eocd - 20) == 0x07064b50)
    {
      guint8 rec[56];
      guint64 rec_offset = le64 (tail + eocd - 20 + 8);

      if (rec_offset > (guint64) size - 56 || !read_at (self->input, rec_offset, 56, rec)
          || le32 (rec) != 0x06064b50)
        goto corrupt;
      n_entries = le64 (rec + 32);
      dir_size = le64 (rec + 40);
      dir_offset = le64 (rec + 48);
    }

  if (n_entries > MAX_ENTRIES || dir_size > MAX_DIRECTORY || dir_offset > (guint64) size
      || dir_size > (guint64) size - dir_offset)
    goto corrupt;

  dir = g_malloc (dir_size + 1);
  if (dir_size > 0 && !read_at (self->input, dir_offset, dir_size, dir))
    goto corrupt;

  p = 0;
  for (guint64 n = 0; n < n_entries; n++)
    {
      Entry *entry;
      guint16 name_len;
      guint16 extra_len;
      guint16 comment_len;
      guint64 compressed;
      guint64 uncompressed;
      guint64 local_header;
      const guint8 *extra;

      if (p + 46 > dir_size || le32 (dir + p) != 0x02014b50)
        goto corrupt;
      /* libgsf makes each member's time from these, unless both are 0,
       * with g_date_time_new_utc(), and fails on one that is no time; every
       * spreadsheet program writes a real one, on any day of the year. */
      {
        guint16 time = le16 (dir + p + 12);
        guint16 date = le16 (dir + p + 14);

        if ((time != 0 || date != 0) && !dos_time_is_valid (date, time))
          goto corrupt;
      }
      compressed = le32 (dir + p + 20);
      uncompressed = le32 (dir + p + 24);
      local_header = le32 (dir + p + 42);
      name_len = le16 (dir + p + 28);
      extra_len = le16 (dir + p + 30);
      comment_len = le16 (dir + p + 32);
      if (p + 46 + name_len + extra_len + comment_len > dir_size)
        goto corrupt;

      extra = dir + p + 46 + name_len;
      for (gsize e = 0; e + 4 <= extra_len; )
        {
          guint16 id = le16 (extra + e);
          guint16 len = le16 (extra + e + 2);
          gsize at = e + 4;

          if (at + len > extra_len)
            break;
          if (id == 0x0001)
            {
              if (uncompressed == 0xffffffff && at + 8 <= e + 4 + len)
                {
                  uncompressed = le64 (extra + at);
                  at += 8;
                }
              if (compressed == 0xffffffff && at + 8 <= e + 4 + len)
                {
                  compressed = le64 (extra + at);
                  at += 8;
                }
              if (local_header == 0xffffffff && at + 8 <= e + 4 + len)
                local_header = le64 (extra + at);
            }
          e += 4 + len;
        }

      entry = g_new (Entry, 1);
      entry->compressed = (goffset) MIN (compressed, G_MAXINT64);
      entry->size = (goffset) MIN (uncompressed, G_MAXINT64);
      entry->local_header = (goffset) MIN (local_header, G_MAXINT64);
      g_hash_table_insert (self->entries,
                           g_strndup ((const char *) dir + p + 46, name_len), entry);
      p += 46 + name_len + extra_len + comment_len;
    }

  return TRUE;

corrupt:
  set_corrupt (error, self->name, _("the zip directory"), _("it is damaged or incomplete"));
  return FALSE;
}

/* Returns: (transfer full) (nullable): the member at @path, checked against
 * the limits; %NULL without an error when there is none */
static GsfInput *
open_part (RsXlsxReader  *self,
           const char    *path,
           goffset        max_size,
           GError       **error)
{
  g_auto(GStrv) names = NULL;
  const Entry *entry;
  GsfInput *input;
  goffset packed;

  entry = g_hash_table_lookup (self->entries, path);
  if (entry == NULL)
    return NULL;

  /* The directory may say a member is packed larger than the file it is
   * in: what it packs to is never more than the file holds after it. */
  packed = MIN (entry->compressed,
                MAX (gsf_input_size (self->input) - entry->local_header, (goffset) 0));
  if (entry->size > max_size
      || (entry->size > RATIO_FROM && entry->size / MAX (packed, 1) > RS_XLSX_MAX_RATIO))
    {
      g_autofree char *size = g_format_size (entry->size);
      g_autofree char *compressed = g_format_size (packed);

      /* Translators: the workbook, a part of it, its size inflated and packed */
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
                   _("“%s” cannot be imported: its part “%s” would unpack to %s from %s, more "
                     "than a workbook of respondents can hold. It may be damaged or made to "
                     "harm; save the master file again as .xlsx or CSV"),
                   self->name, path, size, compressed);
      return NULL;
    }

  /* What libgsf would only warn about */
  {
    guint8 local[4];

    if (entry->local_header > gsf_input_size (self->input) - 30
        || !read_at (self->input, entry->local_header, 4, local) || le32 (local) != 0x04034b50)
      {
        set_corrupt (error, self->name, path, _("the part cannot be opened"));
        return NULL;
      }
  }

  names = g_strsplit (path, "/", -1);
  input = gsf_infile_child_by_aname (self->zip, (const char **) names);
  if (input == NULL)
    {
      set_corrupt (error, self->name, path, _("the part cannot be opened"));
      return NULL;
    }
  if (gsf_input_size (input) != entry->size)
    {
      g_object_unref (input);
      set_corrupt (error, self->name, path, _("its size is not what the zip says"));
      return NULL;
    }

  return input;
}

/* Reads a small part whole (at most RS_XLSX_MAX_OTHER_PART). */
static gboolean
part_open_scan (RsXlsxReader  *self,
                Scan          *scan,
                const char    *path,
                goffset        max_size,
                gboolean      *found,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GsfInput *input = open_part (self, path, max_size, &local_error);

  *found = input != NULL;
  if (input == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  scan_init (scan, input, self->name, path, cancellable);
  return TRUE;
}

/* A relationship's target, as a path in the zip: relative to @base's
 * folder, or absolute from the root. */
static char *
resolve_target (const char *base,
                const char *target)
{
  g_autofree char *dir = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new ();

  if (target[0] == '/')
    joined = g_strdup (target + 1);
  else
    {
      const char *slash = strrchr (base, '/');

      dir = slash != NULL ? g_strndup (base, slash - base + 1) : g_strdup ("");
      joined = g_strconcat (dir, target, NULL);
    }

  parts = g_strsplit (joined, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          if (out->len > 0)
            g_ptr_array_remove_index (out, out->len - 1);
          continue;
        }
      g_ptr_array_add (out, parts[i]);
    }
  g_ptr_array_add (out, NULL);

  return g_strjoinv ("/", (char **) out->pdata);
}

/* The relationships of @part: Id -> resolved target, and the first target
 * of each type's last word ("worksheet", "sharedStrings", …) under
 * "type:WORD". */
static GHashTable *
read_relationships (RsXlsxReader  *self,
                    const char    *part,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GHashTable) rels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *rels_path = NULL;
  const char *slash = strrchr (part, '/');
  Scan scan = { 0 };
  gboolean found;

  if (slash != NULL)
    rels_path = g_strdup_printf ("%.*s/_rels/%s.rels", (int) (slash - part), part, slash + 1);
  else
    rels_path = g_strdup_printf ("_rels/%s.rels", part);

  if (!part_open_scan (self, &scan, rels_path, RS_XLSX_MAX_OTHER_PART, &found, cancellable,
                       error))
    return NULL;
  if (!found)
    return g_steal_pointer (&rels);

  for (;;)
    {
      if (!scan_next (&scan, error))
        {
          scan_clear (&scan);
          return NULL;
        }
      if (scan.type == TOKEN_EOF)
        break;
      if (scan.type == TOKEN_START && token_is (&scan, "Relationship"))
        {
          g_autofree char *id = scan_attr_dup (&scan, "Id");
          g_autofree char *type = scan_attr_dup (&scan, "Type");
          g_autofree char *target = scan_attr_dup (&scan, "Target");
          g_autofree char *mode = scan_attr_dup (&scan, "TargetMode");

          if (id == NULL || target == NULL || g_strcmp0 (mode, "External") == 0)
            continue;
          /* The target of a package's own relationships is from the root. */
          g_hash_table_insert (rels, g_steal_pointer (&id),
                               resolve_target (slash != NULL ? part : "", target));
          if (type != NULL)
            {
              const char *word = strrchr (type, '/');
              g_autofree char *key = g_strconcat ("type:", word ? word + 1 : type, NULL);

              if (!g_hash_table_contains (rels, key))
                g_hash_table_insert (rels, g_steal_pointer (&key),
                                     resolve_target (slash != NULL ? part : "", target));
            }
        }
    }

  scan_clear (&scan);
  return g_steal_pointer (&rels);
}

/* ---- styles: which cell formats are dates ---- */

static FormatKind
builtin_format (guint id)
{
  if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || (id >= 34 && id <= 36)
      || (id >= 50 && id <= 58))
    return FORMAT_DATE;
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47))
    return FORMAT_TIME;
  if (id == 22)
    return FORMAT_DATE_TIME;

  return FORMAT_NONE;
}

/* Whether a format code shows a date or a time: its first section, without
 * quoted text, escapes and [colour]/[$-locale] brackets, has y, d or m
 * (date) or h or s (time). */
static FormatKind
classify_format (const char *code)
{
  gboolean date = FALSE;
  gboolean time = FALSE;
  gboolean month = FALSE;

  for (const char *p = code; *p != '\0' && *p != ';'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (*p == '"')
        {
          const char *close = strchr (p + 1, '"');

          if (close == NULL)
            break;
          p = close;
          continue;
        }
      if ((*p == '\\' || *p == '_' || *p == '*') && p[1] != '\0')
        {
          p++;
          continue;
        }
      if (*p == '[')
        {
          const char *close = strchr (p, ']');

          if (close == NULL)
            break;
          /* Elapsed time: [h]:mm:ss */
          if (p[1] == 'h' || p[1] == 'H' || p[1] == 's' || p[1] == 'S')
            time = TRUE;
          p = close;
          continue;
        }
      if (g_ascii_strncasecmp (p, "general", 7) == 0)
        {
          p += 6;
          continue;
        }
      if (c == 'y' || c == 'd')
        date = TRUE;
      else if (c == 'h' || c == 's')
        time = TRUE;
      else if (c == 'm')
        month = TRUE;
    }

  if (date && time)
    return FORMAT_DATE_TIME;
  if (date || (month && !time))
    return FORMAT_DATE;
  if (time)
    return FORMAT_TIME;

  return FORMAT_NONE;
}

static gboolean
read_styles (RsXlsxReader  *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GHashTable) custom = g_hash_table_new (g_direct_hash, g_direct_equal);
  Scan scan = { 0 };
  gboolean found;
  gboolean in_cell_xfs = FALSE;

  self->styles = g_byte_array_new ();
  if (self->styles_path == NULL)
    return TRUE;
  if (!part_open_scan (self, &scan, self->styles_path, RS_XLSX_MAX_OTHER_PART, &found,
                       cancellable, error))
    return FALSE;
  if (!found)
    return TRUE;

  for (;;)
    {
      if (!scan_next (&scan, error))
        {
          scan_clear (&scan);
          return FALSE;
        }
      if (scan.type == TOKEN_EOF)
        break;
      if (scan.type == TOKEN_START && token_is (&scan, "numFmt"))
        {
          g_autofree char *id = scan_attr_dup (&scan, "numFmtId");
          g_autofree char *code = scan_attr_dup (&scan, "formatCode");

          if (id != NULL && code != NULL)
            g_hash_table_insert (custom, GUINT_TO_POINTER (strtoul (id, NULL, 10) + 1),
                                 GUINT_TO_POINTER (classify_format (code) + 1));
        }
      else if (scan.type == TOKEN_START && token_is (&scan, "cellXfs"))
        in_cell_xfs = TRUE;
      else if (scan.type == TOKEN_END && token_is (&scan, "cellXfs"))
        in_cell_xfs = FALSE;
      else if (scan.type == TOKEN_START && in_cell_xfs && token_is (&scan, "xf")
               && self->styles->len < 65536)
        {
          g_autofree char *id_text = scan_attr_dup (&scan, "numFmtId");
          guint id = id_text != NULL ? (guint) strtoul (id_text, NULL, 10) : 0;
          gpointer kind = g_hash_table_lookup (custom, GUINT_TO_POINTER (id + 1));
          guint8 value = kind != NULL ? GPOINTER_TO_UINT (kind) - 1 : builtin_format (id);

          g_byte_array_append (self->styles, &value, 1);
        }
    }

  scan_clear (&scan);
  return TRUE;
}

/* ---- values ---- */

/* The _xHHHH_ escapes of OOXML text: "_x000D_" is a carriage return. */
static void
unescape_ooxml (GString *text,
                gsize    from)
{
  gsize out = from;

  if (memmem (text->str + from, text->len - from, "_x", 2) == NULL)
    return;

  for (gsize i = from; i < text->len; )
    {
      if (text->str[i] == '_' && i + 7 <= text->len && text->str[i + 1] == 'x'
          && text->str[i + 6] == '_'
          && g_ascii_isxdigit (text->str[i + 2]) && g_ascii_isxdigit (text->str[i + 3])
          && g_ascii_isxdigit (text->str[i + 4]) && g_ascii_isxdigit (text->str[i + 5]))
        {
          char hex[5] = { text->str[i + 2], text->str[i + 3], text->str[i + 4],
                          text->str[i + 5], '\0' };
          gunichar c = (gunichar) strtoul (hex, NULL, 16);
          char utf8[6];
          int len;

          if (c != 0 && g_unichar_validate (c))
            {
              len = g_unichar_to_utf8 (c, utf8);
              /* Never longer than the seven bytes it replaces */
              memcpy (text->str + out, utf8, len);
              out += len;
              i += 7;
              continue;
            }
        }
      text->str[out++] = text->str[i++];
    }
  g_string_truncate (text, out);
}

static void
make_valid_utf8 (GString *text,
                 gsize    from)
{
  const char *end;
  g_autofree char *valid = NULL;

  if (g_utf8_validate_len (text->str + from, text->len - from, &end))
    return;
  valid = g_utf8_make_valid (text->str + from, text->len - from);
  g_string_truncate (text, from);
  g_string_append (text, valid);
}

/* A NUL in a text would end its field early: it is dropped. */
static void
drop_nuls (GString *text,
           gsize    from)
{
  gsize out;

  if (memchr (text->str + from, '\0', text->len - from) == NULL)
    return;
  out = from;
  for (gsize i = from; i < text->len; i++)
    if (text->str[i] != '\0')
      text->str[out++] = text->str[i];
  g_string_truncate (text, out);
}

/* Days since 1970-01-01 to a date (Howard Hinnant's civil_from_days) */
static void
civil_from_days (gint64  z,
                 int    *year,
                 int    *month,
                 int    *day)
{
  gint64 era;
  gint64 doe;
  gint64 yoe;
  gint64 doy;
  gint64 mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (yoe + era * 400 + (*month <= 2));
}

/* A serial date as an ISO date-time, like the CSV's submitdate; %FALSE
 * when it is no date Excel shows. */
static gboolean
format_serial (GString    *out,
               const char *text,
               FormatKind  kind,
               gboolean    date1904)
{
  char *end;
  double serial = g_ascii_strtod (text, &end);
  gint64 total;
  gint64 days;
  int secs;
  int year;
  int month;
  int day;

  if (end == text || *end != '\0' || !isfinite (serial) || serial < 0 || serial > 2958466.0)
    return FALSE;

  total = (gint64) llround (serial * 86400.0);
  days = total / 86400;
  secs = (int) (total % 86400);

  if (kind == FORMAT_TIME && days == 0)
    {
      g_string_append_printf (out, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
      return TRUE;
    }

  if (!date1904 && days == 60)
    {
      /* The day Lotus 1-2-3 believed in, and Excel keeps */
      year = 1900;
      month = 2;
      day = 29;
    }
  else if (date1904)
    civil_from_days (days - 24107, &year, &month, &day);
  else if (days < 60)
    civil_from_days (days - 25568, &year, &month, &day);
  else
    civil_from_days (days - 25569, &year, &month, &day);

  g_string_append_printf (out, "%04d-%02d-%02d", year, month, day);
  if (kind != FORMAT_DATE || secs != 0)
    g_string_append_printf (out, " %02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);

  return TRUE;
}

/* ---- shared strings ---- */

static gboolean
load_strings (RsXlsxReader  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  Scan scan = { 0 };
  gboolean found;
  gboolean in_si = FALSE;
  gboolean in_t = FALSE;
  guint skip = 0;
  gsize si_start = 0;

  if (self->strings_loaded)
    return TRUE;

  self->strings = g_string_new (NULL);
  self->string_offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->strings_loaded = TRUE;

  if (self->strings_path == NULL)
    return TRUE;
  if (!part_open_scan (self, &scan, self->strings_path, RS_XLSX_MAX_SHEET_PART, &found,
                       cancellable, error))
    return FALSE;
  if (!found)
    return TRUE;

  for (;;)
    {
      if (!scan_next (&scan, error))
        goto fail;
      if (scan.type == TOKEN_EOF)
        break;

      switch (scan.type)
        {
        case TOKEN_START:
          if (token_is (&scan, "si"))
            {
              in_si = TRUE;
              si_start = self->strings->len;
            }
          else if (in_si && (token_is (&scan, "rPh") || token_is (&scan, "phoneticPr")))
            skip++;
          else if (in_si && skip == 0 && token_is (&scan, "t"))
            in_t = TRUE;
          break;

        case TOKEN_END:
          if (token_is (&scan, "t"))
            in_t = FALSE;
          else if (token_is (&scan, "rPh") || token_is (&scan, "phoneticPr"))
            skip = skip > 0 ? skip - 1 : 0;
          else if (in_si && token_is (&scan, "si"))
            {
              unescape_ooxml (self->strings, si_start);
              drop_nuls (self->strings, si_start);
              make_valid_utf8 (self->strings, si_start);
              if (self->strings->len - si_start > RS_XLSX_MAX_CELL)
                {
                  set_corrupt (error, self->name, self->strings_path, _("a text is too long"));
                  goto fail;
                }
              g_string_append_c (self->strings, '\0');
              {
                guint32 offset = (guint32) si_start;

                g_array_append_val (self->string_offsets, offset);
              }
              in_si = FALSE;
            }
          break;

        case TOKEN_TEXT:
          if (in_t && skip == 0 && !scan_append_text (&scan, self->strings, error))
            goto fail;
          break;

        case TOKEN_EOF:
        default:
          break;
        }

      /* Each item costs its offset and its NUL too: millions of empty
       * ones are no smaller than their text. */
      if ((goffset) self->strings->len
          + (goffset) self->string_offsets->len * (goffset) sizeof (guint32)
          > RS_XLSX_MAX_STRINGS_SIZE)
        {
          g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
                       _("“%s” cannot be imported: its texts take more than %u MB"),
                       self->name, (guint) (RS_XLSX_MAX_STRINGS_SIZE >> 20));
          goto fail;
        }
    }

  scan_clear (&scan);
  return TRUE;

fail:
  scan_clear (&scan);
  return FALSE;
}

/* ---- the workbook ---- */

static gboolean
read_workbook (RsXlsxReader  *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GHashTable) package_rels = NULL;
  g_autoptr(GHashTable) rels = NULL;
  g_autofree char *workbook_path = NULL;
  Scan scan = { 0 };
  gboolean found;

  package_rels = read_relationships (self, "", cancellable, error);
  if (package_rels == NULL)
    return FALSE;
  workbook_path = g_strdup (g_hash_table_lookup (package_rels, "type:officeDocument"));
  if (workbook_path == NULL)
    workbook_path = g_strdup ("xl/workbook.xml");

  rels = read_relationships (self, workbook_path, cancellable, error);
  if (rels == NULL)
    return FALSE;
  self->strings_path = g_strdup (g_hash_table_lookup (rels, "type:sharedStrings"));
  self->styles_path = g_strdup (g_hash_table_lookup (rels, "type:styles"));

  if (!part_open_scan (self, &scan, workbook_path, RS_XLSX_MAX_OTHER_PART, &found, cancellable,
                       error))
    return FALSE;
  if (!found)
    {
      set_not_workbook (error, self->name);
      return FALSE;
    }

  for (;;)
    {
      if (!scan_next (&scan, error))
        {
          scan_clear (&scan);
          return FALSE;
        }
      if (scan.type == TOKEN_EOF)
        break;
      if (scan.type != TOKEN_START)
        continue;

      if (token_is (&scan, "workbookPr"))
        {
          g_autofree char *date1904 = scan_attr_dup (&scan, "date1904");

          self->date1904 = date1904 != NULL && (g_str_equal (date1904, "1")
                                                || g_ascii_strcasecmp (date1904, "true") == 0);
        }
      else if (token_is (&scan, "sheet"))
        {
          g_autofree char *name = scan_attr_dup (&scan, "name");
          g_autofree char *id = scan_attr_dup (&scan, "id");
          const char *target = id != NULL ? g_hash_table_lookup (rels, id) : NULL;
          Sheet sheet;

          /* Chart sheets and dialogs have no rows. */
          if (name == NULL || target == NULL || !g_hash_table_contains (self->entries, target))
            continue;
          sheet.name = g_utf8_make_valid (name, -1);
          sheet.path = g_strdup (target);
          g_array_append_val (self->sheets, sheet);
        }
    }
  scan_clear (&scan);

  if (self->sheets->len == 0)
    {
      set_not_workbook (error, self->name);
      return FALSE;
    }

  return read_styles (self, cancellable, error);
}

static void
sheet_clear (gpointer data)
{
  Sheet *sheet = data;

  g_free (sheet->name);
  g_free (sheet->path);
}

static RsXlsxReader *
reader_alloc (const char *name)
{
  RsXlsxReader *self = g_new0 (RsXlsxReader, 1);

  self->name = g_strdup (name);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sheets = g_array_new (FALSE, FALSE, sizeof (Sheet));
  g_array_set_clear_func (self->sheets, sheet_clear);
  self->values = g_string_new (NULL);
  self->value = g_string_new (NULL);
  self->row = g_string_new (NULL);
  self->formula = g_string_new (NULL);
  self->notes = g_array_new (FALSE, FALSE, sizeof (Note));
  self->notes_text = g_string_new (NULL);

  return self;
}

void
rs_xlsx_reader_free (RsXlsxReader *self)
{
  if (self == NULL)
    return;

  scan_clear (&self->scan);
  g_free (self->name);
  g_clear_object (&self->file);
  g_clear_object (&self->zip);
  g_clear_object (&self->input);
  g_hash_table_unref (self->entries);
  g_array_unref (self->sheets);
  g_free (self->strings_path);
  g_free (self->styles_path);
  g_clear_pointer (&self->styles, g_byte_array_unref);
  if (self->strings != NULL)
    g_string_free (self->strings, TRUE);
  g_clear_pointer (&self->string_offsets, g_array_unref);
  g_free (self->sheet_name);
  g_strfreev (self->header);
  g_free (self->ignored_text);
  g_free (self->cells);
  g_string_free (self->values, TRUE);
  g_string_free (self->value, TRUE);
  g_string_free (self->row, TRUE);
  g_string_free (self->formula, TRUE);
  g_array_unref (self->notes);
  g_string_free (self->notes_text, TRUE);
  g_free (self->fields);
  g_free (self->column_offsets);
  g_clear_error (&self->fatal);
  g_free (self);
}

gboolean
rs_xlsx_sniff (const guint8 *data,
               gsize         len)
{
  static const guint8 ole2[8] = { 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1 };

  return (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
         || (len >= 4 && memcmp (data, "PK\x05\x06", 4) == 0)
         || (len >= 8 && memcmp (data, ole2, 8) == 0);
}

/* An OLE2 compound file: an old .xls, or an encrypted workbook, which is
 * its package inside one. */
static void
refuse_ole2 (RsXlsxReader  *self,
             GError       **error)
{
  g_autoptr(GsfInfile) ole = gsf_infile_msole_new (self->input, NULL);
  g_autoptr(GsfInput) encrypted = NULL;

  if (ole != NULL)
    encrypted = gsf_infile_child_by_name (ole, "EncryptedPackage");
  if (encrypted != NULL)
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_UNSUPPORTED,
                   _("“%s” is protected with a password, so it cannot be read: open it in "
                     "your spreadsheet program, remove the password and save it as .xlsx or "
                     "CSV"),
                   self->name);
      return;
    }

  set_unsupported (error, self->name, _("an old Excel workbook (.xls)"));
}

static gboolean
reader_start (RsXlsxReader  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  guint8 magic[8] = { 0 };
  gsize magic_len = (gsize) MIN (gsf_input_size (self->input), 8);
  g_autoptr(GError) local_error = NULL;

  if (magic_len > 0 && !read_at (self->input, 0, magic_len, magic))
    {
      set_corrupt (error, self->name, _("the start"), _("it cannot be read"));
      return FALSE;
    }

  if (magic_len == 8 && rs_xlsx_sniff (magic, 8) && magic[0] == 0xd0)
    {
      refuse_ole2 (self, error);
      return FALSE;
    }
  if (magic_len < 4 || memcmp (magic, "PK", 2) != 0)
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NOT_WORKBOOK,
                   _("“%s” is not an Excel workbook (.xlsx): import the master file as .xlsx "
                     "or CSV"),
                   self->name);
      return FALSE;
    }

  if (!read_directory (self, error))
    return FALSE;
  gsf_input_seek (self->input, 0, G_SEEK_SET);

  self->zip = gsf_infile_zip_new (self->input, &local_error);
  if (self->zip == NULL)
    {
      set_corrupt (error, self->name, _("the zip archive"),
                   local_error != NULL ? local_error->message : _("it is damaged"));
      return FALSE;
    }

  /* An OpenDocument spreadsheet says so first thing. */
  if (g_hash_table_contains (self->entries, "mimetype"))
    {
      g_autoptr(GsfInput) input = open_part (self, "mimetype", 256, NULL);
      char text[256] = "";

      if (input != NULL)
        {
          gsize len = (gsize) MIN (gsf_input_size (input), (goffset) sizeof text - 1);

          if (len > 0 && gsf_input_read (input, len, (guint8 *) text) != NULL)
            text[len] = '\0';
        }
      if (g_str_has_prefix (text, "application/vnd.oasis.opendocument.spreadsheet"))
        {
          set_unsupported (error, self->name, _("an OpenDocument spreadsheet (.ods)"));
          return FALSE;
        }
    }

  if (!g_hash_table_contains (self->entries, "[Content_Types].xml"))
    {
      set_not_workbook (error, self->name);
      return FALSE;
    }

  return read_workbook (self, cancellable, error);
}

/**
 * rs_xlsx_reader_new:
 *
 * Opens @file and reads what the workbook says about its sheets; a sheet
 * is read once rs_xlsx_reader_open_sheet() chose it. The file must be at
 * the end of the sheet what it was when opened.
 */
RsXlsxReader *
rs_xlsx_reader_new (GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(RsXlsxReader) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFileInfo) info = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_file_get_parse_name (file);
  self = reader_alloc (name);
  self->file = g_object_ref (file);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                            G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info != NULL)
    {
      self->check_unchanged = TRUE;
      self->opened_size = g_file_info_get_size (info);
      self->opened_mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)
                           * G_USEC_PER_SEC
                           + g_file_info_get_attribute_uint32 (info,
                                                               G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
    }

  if (g_file_is_native (file))
    {
      g_autofree char *path = g_file_get_path (file);

      self->input = gsf_input_stdio_new (path, &local_error);
    }
  else
    {
      self->input = gsf_input_gio_new (file, &local_error);
    }
  if (self->input == NULL)
    {
      g_set_error (error, G_IO_ERROR,
                   local_error != NULL && local_error->domain == G_IO_ERROR
                     ? local_error->code : G_IO_ERROR_FAILED,
                   _("Could not open “%s”: %s"), name,
                   local_error != NULL ? local_error->message : g_strerror (ENOENT));
      return NULL;
    }

  if (!reader_start (self, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * rs_xlsx_reader_new_for_bytes:
 *
 * As rs_xlsx_reader_new(), from a workbook in memory; @bytes is kept.
 */
RsXlsxReader *
rs_xlsx_reader_new_for_bytes (GBytes  *bytes,
                              GError **error)
{
  g_autoptr(RsXlsxReader) self = NULL;
  gsize size;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);
  self = reader_alloc (_("the workbook"));
  self->input = gsf_input_memory_new (data != NULL ? data : (const guint8 *) "", size, FALSE);
  g_object_set_data_full (G_OBJECT (self->input), "rs-bytes", g_bytes_ref (bytes),
                          (GDestroyNotify) g_bytes_unref);

  if (!reader_start (self, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- rows ---- */

/* g_string_append_len() without its generic insertion */
static inline void
append_bytes (GString    *out,
              const char *data,
              gsize       len)
{
  if (G_UNLIKELY (out->len + len >= out->allocated_len))
    {
      gsize len_before = out->len;

      g_string_set_size (out, len_before + len);
      out->len = len_before;
    }
  memcpy (out->str + out->len, data, len);
  out->len += len;
  out->str[out->len] = '\0';
}

/* Before a value of @column is appended to self->values: the empty fields
 * left of it, while the row is in order. */
static inline void
begin_value (RsXlsxReader *self,
             guint         column)
{
  if (!self->in_order)
    return;
  if (column < self->n_written)
    {
      self->in_order = FALSE;
      return;
    }
  if (G_UNLIKELY (column >= self->column_offsets_alloc))
    {
      self->column_offsets_alloc = MAX (column + 1, self->column_offsets_alloc * 2);
      self->column_offsets = g_renew (gsize, self->column_offsets, self->column_offsets_alloc);
    }
  for (; self->n_written < column; self->n_written++)
    {
      self->column_offsets[self->n_written] = self->values->len;
      g_string_append_c (self->values, '\0');
    }
}

/* A value of @column was appended from @start (with its NUL). */
static inline void
add_cell (RsXlsxReader *self,
          guint         column,
          gsize         start)
{
  Cell *cell;

  if (G_UNLIKELY (self->n_cells >= self->cells_alloc))
    {
      self->cells_alloc = MAX (256, self->cells_alloc * 2);
      self->cells = g_renew (Cell, self->cells, self->cells_alloc);
    }
  cell = &self->cells[self->n_cells];
  cell->column = column;
  cell->offset = start;
  cell->len = self->values->len - start - 1;
  self->row_text += cell->len;
  self->n_cells++;
  if (self->in_order)
    {
      self->column_offsets[column] = start;
      self->n_written = column + 1;
    }
  self->max_column = MAX (self->max_column, column + 1);
}

/* The column of a reference such as "AA12", from 0; -1 when it has none */
static inline int
parse_column (const char *ref,
              gsize       len)
{
  int column = 0;
  gsize i = 0;

  for (; i < len && i < 4; i++)
    {
      guint letter = (guint) ((guchar) ref[i] & ~0x20) - 'A';

      if (letter >= 26)
        break;
      column = column * 26 + (int) letter + 1;
    }
  if (i == 0 || column > RS_XLSX_MAX_COLUMNS)
    return -1;

  return column - 1;
}

void
rs_xlsx_column_name (guint  column,
                     char  *out)
{
  char buf[4];
  int n = 0;

  column = MIN (column, RS_XLSX_MAX_COLUMNS - 1) + 1;
  while (column > 0 && n < 3)
    {
      buf[n++] = 'A' + (column - 1) % 26;
      column = (column - 1) / 26;
    }
  for (int i = 0; i < n; i++)
    out[i] = buf[n - 1 - i];
  out[n] = '\0';
}

static int
compare_cells (gconstpointer a,
               gconstpointer b)
{
  const Cell *ca = a;
  const Cell *cb = b;

  if (ca->column != cb->column)
    return ca->column < cb->column ? -1 : 1;
  return ca->offset < cb->offset ? -1 : ca->offset > cb->offset;
}

/* A cell read as empty that the import reports: see RsXlsxNoteKind */
static void
add_note (RsXlsxReader   *self,
          int             column,
          RsXlsxNoteKind  kind,
          const char     *prefix,
          const char     *text,
          gsize           len)
{
  Note note = { (guint) column, kind, self->notes_text->len };

  if (self->notes->len >= RS_XLSX_MAX_NOTES)
    return;
  g_string_append (self->notes_text, prefix);
  /* Enough of it to recognise it */
  if (len > 200)
    {
      const char *end = text + 200;

      g_utf8_validate_len (text, 200, &end);
      g_string_append_len (self->notes_text, text, end - text);
      g_string_append (self->notes_text, "…");
    }
  else
    g_string_append_len (self->notes_text, text, len);
  make_valid_utf8 (self->notes_text, note.offset);
  drop_nuls (self->notes_text, note.offset);
  g_string_append_c (self->notes_text, '\0');
  g_array_append_val (self->notes, note);
}

/* The value of the cell just read, in self->value, to self->values.
 * @formula: whether it has a formula, and @has_value whether it has a <v> */
static gboolean
finish_cell (RsXlsxReader  *self,
             int            column,
             const char    *type,
             guint          style,
             gboolean       formula,
             gboolean       has_value,
             GError       **error)
{
  GString *value = self->value;
  gsize start;

  /* An error value (#N/A, #DIV/0!, …) is no value: read as missing. */
  if (G_UNLIKELY (type[0] == 'e' && type[1] == '\0'))
    {
      if (value->len > 0)
        add_note (self, column, RS_XLSX_NOTE_ERROR_VALUE, "", value->str, value->len);
      return TRUE;
    }
  if (value->len == 0)
    {
      /* A formula saved without its result, as openpyxl writes them (an
       * empty text result is <v></v> with t="str") */
      if (G_UNLIKELY (formula) && (!has_value || !g_str_equal (type, "str")))
        add_note (self, column, RS_XLSX_NOTE_FORMULA_WITHOUT_VALUE, "=", self->formula->str,
                  self->formula->len);
      return TRUE;
    }
  begin_value (self, (guint) column);
  start = self->values->len;

  if (g_str_equal (type, "s"))
    {
      char *end;
      guint64 index = g_ascii_strtoull (value->str, &end, 10);

      if (end == value->str || *end != '\0' || index >= self->string_offsets->len)
        {
          char ref[8];
          g_autofree char *what = NULL;

          rs_xlsx_column_name (column, ref);
          /* Translators: a cell such as B12 */
          what = g_strdup_printf (_("cell %s%u refers to a text the workbook does not have"),
                                  ref, self->row_number);
          set_corrupt (error, self->name, self->scan.part, what);
          return FALSE;
        }
      g_string_append (self->values,
                       self->strings->str + g_array_index (self->string_offsets, guint32, index));
    }
  else if (g_str_equal (type, "b"))
    {
      g_string_append (self->values, g_str_equal (value->str, "0") ? "FALSE" : "TRUE");
    }
  else if (g_str_equal (type, "n") && style < self->styles->len
           && self->styles->data[style] != FORMAT_NONE)
    {
      if (!format_serial (self->values, value->str, self->styles->data[style], self->date1904))
        g_string_append_len (self->values, value->str, value->len);
    }
  else if (g_str_equal (type, "d"))
    {
      /* ISO 8601 already: 2025-08-21T12:50:13(.000)(Z) */
      gsize len = value->len;
      char *dot = memchr (value->str, '.', len);

      if (dot != NULL)
        len = dot - value->str;
      else if (len > 0 && value->str[len - 1] == 'Z')
        len--;
      g_string_append_len (self->values, value->str, len);
      for (gsize i = start; i < self->values->len; i++)
        if (self->values->str[i] == 'T')
          self->values->str[i] = ' ';
    }
  else
    {
      g_string_append_len (self->values, value->str, value->len);
      if (g_str_equal (type, "inlineStr") || g_str_equal (type, "str"))
        unescape_ooxml (self->values, start);
    }

  drop_nuls (self->values, start);
  make_valid_utf8 (self->values, start);
  if (self->values->len == start)
    return TRUE;
  if (self->values->len - start > RS_XLSX_MAX_CELL)
    {
      set_corrupt (error, self->name, self->scan.part, _("a cell holds too much text"));
      return FALSE;
    }
  g_string_append_c (self->values, '\0');
  add_cell (self, (guint) column, start);

  return TRUE;
}

/* The commonest values straight from the buffer: a shared string's index,
 * or a number that is no date, in ASCII without NUL (@plain). Returns:
 * %FALSE to leave it to finish_cell() */
static inline G_ALWAYS_INLINE gboolean
append_plain_value (RsXlsxReader *self,
                    guint         column,
                    char          type,
                    guint         style,
                    const char   *text,
                    gsize         len,
                    gboolean      plain)
{
  gsize start;

  if (type == 's')
    {
      guint64 index = 0;
      gsize offset;
      gsize next;

      if (len > 9)
        return FALSE;
      for (gsize i = 0; i < len; i++)
        {
          if (!g_ascii_isdigit (text[i]))
            return FALSE;
          index = index * 10 + (guint) (text[i] - '0');
        }
      if (index >= self->string_offsets->len)
        return FALSE;
      offset = g_array_index (self->string_offsets, guint32, index);
      next = index + 1 < self->string_offsets->len
             ? g_array_index (self->string_offsets, guint32, index + 1) : self->strings->len;
      /* An empty string is an empty cell. */
      if (next - offset <= 1)
        return TRUE;
      begin_value (self, column);
      start = self->values->len;
      append_bytes (self->values, self->strings->str + offset, next - offset);
    }
  else
    {
      GString *values = self->values;

      if (!plain || (style < self->styles->len && self->styles->data[style] != FORMAT_NONE))
        return FALSE;
      begin_value (self, column);
      start = values->len;
      if (G_UNLIKELY (start + len + 1 >= values->allocated_len))
        {
          g_string_set_size (values, start + len + 1);
          values->len = start;
        }
      /* Mostly a digit or two: no call to memcpy() */
      for (gsize i = 0; i < len; i++)
        values->str[start + i] = text[i];
      values->str[start + len] = '\0';
      values->len = start + len + 1;
      values->str[values->len] = '\0';
    }

  add_cell (self, column, start);

  return TRUE;
}

/* The value of an attribute in double quotes at @p, up to @end, without
 * '&' or '<'. Returns: its closing quote, or %NULL */
static inline const char *
plain_attr_end (const char *p,
                const char *end)
{
  for (; p < end; p++)
    {
      char c = *p;

      if (c == '"')
        return p;
      if (c == '&' || c == '<')
        return NULL;
    }

  return NULL;
}

/* The row number of a cell reference such as "AA12", for a row that has
 * none of its own */
static void
note_cell_row (RsXlsxReader *self,
               const char   *ref,
               gsize         len)
{
  guint64 number = 0;
  gsize i = 0;

  self->row_from_cell = FALSE;
  while (i < len && g_ascii_isalpha (ref[i]))
    i++;
  for (; i < len && g_ascii_isdigit (ref[i]) && number <= G_MAXINT; i++)
    number = number * 10 + (guint) (ref[i] - '0');
  if (i == len && number >= 1 && number <= G_MAXINT)
    self->row_number = (guint) number;
}

/* The commonest cell of all, as LibreOffice and Excel write it, in one
 * pass: <c r="AB12" s="3" t="n"><v>4</v></c>, with s and t optional, in this
 * order. Returns: 1 when it was one and was read, 0 when it is something
 * else (nothing is consumed) */
static inline int
read_common_cell (RsXlsxReader *self,
                  int          *last_column)
{
  Scan *scan = &self->scan;
  const char *p = scan->buf + scan->start;
  const char *end = scan->buf + scan->end;
  const char *text;
  const char *limit;
  guint column = 0;
  guint style = 0;
  char type = 'n';
  guchar odd = 0;
  guint n;

  /* Room for the longest such cell but its value */
  if (end - p < 64 || memcmp (p, "<c r=\"", 6) != 0)
    return 0;
  p += 6;
  for (n = 0; n < 3; n++, p++)
    {
      guint letter = (guint) (guchar) *p - 'A';

      if (letter >= 26)
        break;
      column = column * 26 + letter + 1;
    }
  if (n == 0)
    return 0;
  for (n = 0; n < 8 && g_ascii_isdigit (*p); n++)
    p++;
  if (*p != '"')
    return 0;
  if (G_UNLIKELY (self->row_from_cell))
    note_cell_row (self, scan->buf + scan->start + 6, p - (scan->buf + scan->start + 6));
  p++;
  if (memcmp (p, " s=\"", 4) == 0)
    {
      p += 4;
      for (n = 0; n < 6 && g_ascii_isdigit (*p); n++, p++)
        style = style * 10 + (guint) (*p - '0');
      if (n == 0 || *p++ != '"')
        return 0;
    }
  if (memcmp (p, " t=\"", 4) == 0)
    {
      if ((p[4] != 'n' && p[4] != 's') || p[5] != '"')
        return 0;
      type = p[4];
      p += 6;
    }
  if (memcmp (p, "><v>", 4) != 0)
    return 0;
  text = p + 4;
  limit = MIN (end, text + 64);
  for (p = text; p < limit && *p != '<'; p++)
    {
      if (*p == '&')
        return 0;
      /* Beyond ASCII, or a NUL */
      odd |= ((guchar) *p & 0x80) | (*p == '\0');
    }
  if (p == text || end - p < 8 || memcmp (p, "</v></c>", 8) != 0)
    return 0;
  column--;
  if (column >= RS_XLSX_MAX_COLUMNS
      || !append_plain_value (self, column, type, style, text, p - text, odd == 0))
    return 0;

  scan->start = p + 8 - scan->buf;
  *last_column = (int) column;
  return 1;
}

/* A cell as spreadsheet programs write most: <c r="B2" s="1" t="s"><v>12</v></c>,
 * <c r="B2"/> or <c r="B2"></c>, its attributes in double quotes, whole in
 * the buffer. Returns: 1 when it was one and was read, 0 when it is
 * something else (nothing is consumed), -1 on an error */
static int
read_plain_cell (RsXlsxReader  *self,
                 int           *last_column,
                 GError       **error)
{
  Scan *scan = &self->scan;
  const char *p = scan->buf + scan->start;
  const char *end = scan->buf + scan->end;
  const char *ref = NULL;
  gsize ref_len = 0;
  char type[16] = "n";
  guint style = 0;
  int column;

  if (read_common_cell (self, last_column) > 0)
    return 1;
  if (end - p < 16 || p[0] != '<' || p[1] != 'c' || !is_space (p[2]))
    return 0;
  p += 3;

  for (;;)
    {
      const char *name;
      const char *value;
      gsize name_len;

      while (p < end && is_space (*p))
        p++;
      if (p >= end)
        return 0;
      if (*p == '>' || *p == '/')
        break;
      name = p;
      if (end - p >= 3 && p[1] == '=' && p[2] == '"')
        p++;
      else
        while (p < end && *p != '=' && !is_space (*p) && *p != '>')
          p++;
      if (end - p < 3 || p[0] != '=' || p[1] != '"')
        return 0;
      name_len = p - name;
      value = p + 2;
      p = plain_attr_end (value, end);
      if (p == NULL)
        return 0;

      if (name_len == 1 && name[0] == 'r')
        {
          ref = value;
          ref_len = p - value;
        }
      else if (name_len == 1 && name[0] == 't')
        {
          if ((gsize) (p - value) >= sizeof type)
            return 0;
          memcpy (type, value, p - value);
          type[p - value] = '\0';
        }
      else if (name_len == 1 && name[0] == 's')
        {
          style = 0;
          for (const char *d = value; d < p && d < value + 6 && g_ascii_isdigit (*d); d++)
            style = style * 10 + (guint) (*d - '0');
        }
      p++;
    }

  column = ref != NULL ? parse_column (ref, ref_len) : *last_column + 1;
  if (column < 0 || column >= RS_XLSX_MAX_COLUMNS)
    return 0;
  if (G_UNLIKELY (self->row_from_cell) && ref != NULL)
    note_cell_row (self, ref, ref_len);

  if (*p == '/')
    {
      if (end - p < 2 || p[1] != '>')
        return 0;
      p += 2;
    }
  else if (end - p >= 5 && memcmp (p, "></c>", 5) == 0)
    {
      p += 5;
    }
  else
    {
      const char *text;
      guchar odd = 0;

      if (end - p < 4 || memcmp (p, "><v>", 4) != 0)
        return 0;
      text = p + 4;
      for (p = text; p < end && *p != '<'; p++)
        {
          if (*p == '&')
            return 0;
          /* Beyond ASCII, or a NUL */
          odd |= ((guchar) *p & 0x80) | (*p == '\0');
        }
      if (end - p < 8 || memcmp (p, "</v></c>", 8) != 0)
        return 0;
      scan->start = p + 8 - scan->buf;
      *last_column = column;
      if (p > text && (type[0] == 's' || type[0] == 'n') && type[1] == '\0'
          && append_plain_value (self, (guint) column, type[0], style, text, p - text,
                                 odd == 0))
        return 1;
      g_string_truncate (self->value, 0);
      append_bytes (self->value, text, p - text);
      return finish_cell (self, column, type, style, FALSE, TRUE, error) ? 1 : -1;
    }

  g_string_truncate (self->value, 0);
  scan->start = p - scan->buf;
  *last_column = column;
  return finish_cell (self, column, type, style, FALSE, FALSE, error) ? 1 : -1;
}

static void
set_too_large_row (RsXlsxReader  *self,
                   GError       **error)
{
  /* Translators: a row number, a sheet, the workbook, a size in MB */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
               _("Row %u of sheet “%s” in “%s” holds more than %u MB of text, too large to "
                 "be a master file: it may be damaged or made to harm; check that row"),
               self->row_number, self->sheet_name, self->name, (guint) (RS_XLSX_MAX_ROW >> 20));
}

static void
set_too_large_sheet (RsXlsxReader  *self,
                     GError       **error)
{
  g_autofree char *budget = g_format_size (self->text_budget);

  /* Translators: a sheet, the workbook, a size such as “300 MB”, a row number */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_TOO_LARGE,
               _("Sheet “%s” of “%s” unpacks to more than %s of text by row %u, too large to "
                 "be a master file: its texts are repeated far more than a master file’s "
                 "are. It may be damaged or made to harm"),
               self->sheet_name, self->name, budget, self->row_number);
}

/* Reads the next row that has a value. Returns: %FALSE at the end of the
 * sheet (@error unset) or on an error */
static gboolean
read_raw_row (RsXlsxReader  *self,
              GCancellable  *cancellable,
              GError       **error)
{
  Scan *scan = &self->scan;
  gboolean in_row = FALSE;
  gboolean in_cell = FALSE;
  gboolean in_value = FALSE;
  gboolean in_inline = FALSE;
  gboolean formula = FALSE;
  gboolean in_formula = FALSE;
  gboolean has_value = FALSE;
  guint skip = 0;
  int column = -1;
  int last_column = -1;
  char type[16] = "n";
  guint style = 0;

  scan->cancellable = cancellable;
  self->n_cells = 0;
  self->row_text = 0;
  g_string_truncate (self->values, 0);
  self->max_column = 0;
  self->in_order = TRUE;
  self->n_written = 0;

  while (!self->sheet_done)
    {
      /* A shared string is kept once but may be in every cell of a row:
       * a row is never let grow past what a master file's row can be. */
      if (G_UNLIKELY (self->values->len > RS_XLSX_MAX_ROW))
        {
          set_too_large_row (self, error);
          return FALSE;
        }

      /* Most of a sheet is plain cells: read each in one step. */
      if (in_row && !in_cell)
        {
          int fast = read_plain_cell (self, &last_column, error);

          if (fast < 0)
            return FALSE;
          if (fast > 0)
            continue;
        }

      if (!scan_next (scan, error))
        return FALSE;

      switch (scan->type)
        {
        case TOKEN_EOF:
          self->sheet_done = TRUE;
          break;

        case TOKEN_START:
          if (!self->in_sheet_data)
            {
              if (token_is (scan, "sheetData"))
                self->in_sheet_data = TRUE;
              break;
            }
          if (token_is (scan, "row"))
            {
              gsize len;
              const char *r = scan_attr (scan, "r", &len);
              guint64 number = 0;

              if (r != NULL && len <= 7)
                {
                  char digits[8];

                  memcpy (digits, r, len);
                  digits[len] = '\0';
                  number = g_ascii_strtoull (digits, NULL, 10);
                }
              /* The row's own number, even out of order: problems name
               * the row the sheet shows. Without one, the row after the
               * last, unless its first cell's reference says otherwise. */
              self->row_from_cell = number == 0 || number > G_MAXINT;
              self->row_number = !self->row_from_cell ? (guint) number : self->row_number + 1;
              in_row = TRUE;
              last_column = -1;
              g_array_set_size (self->notes, 0);
              g_string_truncate (self->notes_text, 0);
            }
          else if (in_row && token_is (scan, "c"))
            {
              gsize len;
              const char *value;

              in_cell = TRUE;
              formula = FALSE;
              in_formula = FALSE;
              has_value = FALSE;
              g_string_truncate (self->formula, 0);
              g_string_truncate (self->value, 0);
              value = scan_attr (scan, "r", &len);
              column = value != NULL ? parse_column (value, len) : last_column + 1;
              if (self->row_from_cell && value != NULL)
                note_cell_row (self, value, len);
              if (column < 0 || column >= RS_XLSX_MAX_COLUMNS)
                {
                  set_corrupt (error, self->name, scan->part,
                               _("a cell reference is not a column of a sheet"));
                  return FALSE;
                }
              last_column = column;
              value = scan_attr (scan, "t", &len);
              if (value != NULL && len < sizeof type)
                {
                  memcpy (type, value, len);
                  type[len] = '\0';
                }
              else
                strcpy (type, "n");
              value = scan_attr (scan, "s", &len);
              style = 0;
              for (gsize i = 0; value != NULL && i < len && i < 6 && g_ascii_isdigit (value[i]); i++)
                style = style * 10 + (guint) (value[i] - '0');

              /* Most cells are <v>text</v></c>: read at once, not as four tokens. */
              if (!scan->pending_end)
                {
                  const char *at = scan->buf + scan->start;
                  gsize avail = scan->end - scan->start;
                  const char *lt;

                  if (avail > 3 && memcmp (at, "<v>", 3) == 0
                      && (lt = memchr (at + 3, '<', avail - 3)) != NULL
                      && (gsize) (lt - at) + 8 <= avail && memcmp (lt, "</v></c>", 8) == 0)
                    {
                      scan->text = at + 3;
                      scan->text_len = lt - (at + 3);
                      scan->text_raw = FALSE;
                      scan->start += (lt - at) + 8;
                      if (!scan_append_text (scan, self->value, error))
                        return FALSE;
                      in_cell = FALSE;
                      if (!finish_cell (self, column, type, style, FALSE, TRUE, error))
                        return FALSE;
                    }
                }
            }
          else if (in_cell && token_is (scan, "v"))
            {
              in_value = TRUE;
              has_value = TRUE;
            }
          else if (in_cell && token_is (scan, "f"))
            {
              formula = TRUE;
              in_formula = !scan->pending_end;
            }
          else if (in_cell && token_is (scan, "is"))
            in_inline = TRUE;
          else if (in_inline && token_is (scan, "rPh"))
            skip++;
          else if (in_inline && skip == 0 && token_is (scan, "t"))
            in_value = TRUE;
          break;

        case TOKEN_END:
          if (!self->in_sheet_data)
            break;
          if (token_is (scan, "v") || token_is (scan, "t"))
            in_value = FALSE;
          else if (token_is (scan, "f"))
            in_formula = FALSE;
          else if (token_is (scan, "rPh"))
            skip = skip > 0 ? skip - 1 : 0;
          else if (token_is (scan, "is"))
            in_inline = FALSE;
          else if (in_cell && token_is (scan, "c"))
            {
              in_cell = FALSE;
              in_value = FALSE;
              in_inline = FALSE;
              in_formula = FALSE;
              if (!finish_cell (self, column, type, style, formula, has_value, error))
                return FALSE;
            }
          else if (in_row && token_is (scan, "row"))
            {
              in_row = FALSE;
              if (self->n_cells > 0)
                {
                  /* And all the rows together, no more than their sheet
                   * and a margin could hold as text */
                  self->text_total += self->row_text;
                  if (G_UNLIKELY (self->text_total > self->text_budget))
                    {
                      set_too_large_sheet (self, error);
                      return FALSE;
                    }
                  return TRUE;
                }
            }
          else if (token_is (scan, "sheetData"))
            self->sheet_done = TRUE;
          break;

        case TOKEN_TEXT:
          if (G_UNLIKELY (in_formula) && self->formula->len < 256)
            {
              if (!scan_append_text (scan, self->formula, error))
                return FALSE;
            }
          if (in_value && skip == 0)
            {
              if (!scan_append_text (scan, self->value, error))
                return FALSE;
              if (self->value->len > RS_XLSX_MAX_CELL)
                {
                  set_corrupt (error, self->name, scan->part, _("a cell holds too much text"));
                  return FALSE;
                }
            }
          break;

        default:
          break;
        }
    }

  /* The end: a file that changed while it was read gives rows of two files. */
  if (self->check_unchanged)
    {
      g_autoptr(GFileInfo) info = NULL;

      info = g_file_query_info (self->file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                G_FILE_QUERY_INFO_NONE, cancellable, NULL);
      if (info == NULL || g_file_info_get_size (info) != self->opened_size
          || g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)
             * G_USEC_PER_SEC
             + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC)
             != self->opened_mtime)
        {
          g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_CHANGED,
                       _("“%s” changed while it was imported: wait until it is saved or "
                         "copied, then import it again"),
                       self->name);
          return FALSE;
        }
    }

  return FALSE;
}

/* The row just read as @width fields into self->fields, and its data. */
static void
build_row (RsXlsxReader *self,
           guint         width)
{
  guint next = 0;

  if (self->fields_alloc < width + 1)
    {
      self->fields_alloc = MAX (width + 1, self->fields_alloc * 2);
      self->fields = g_renew (const char *, self->fields, self->fields_alloc);
    }

  /* Left to right, as written: the values are the row already. */
  if (self->in_order)
    {
      if (self->n_written > width)
        self->row_len = self->column_offsets[width];
      else
        {
          begin_value (self, width);
          self->row_len = self->values->len;
        }
      for (guint i = 0; i < width; i++)
        self->fields[i] = self->values->str + self->column_offsets[i];
      self->fields[width] = NULL;
      self->n_fields = width;
      self->row_data = self->values->str;
      return;
    }

  qsort (self->cells, self->n_cells, sizeof (Cell), compare_cells);

  g_string_truncate (self->row, 0);

  /* Offsets first: the row's buffer moves as it grows. */
  for (guint i = 0; i < self->n_cells; i++)
    {
      const Cell *cell = &self->cells[i];
      const char *text = self->values->str + cell->offset;

      if (cell->column >= width)
        break;
      /* Of two cells in one place, the later */
      if (i + 1 < self->n_cells && self->cells[i + 1].column == cell->column)
        continue;
      for (; next < cell->column; next++)
        {
          self->fields[next] = GSIZE_TO_POINTER (self->row->len);
          g_string_append_c (self->row, '\0');
        }
      self->fields[next++] = GSIZE_TO_POINTER (self->row->len);
      g_string_append_len (self->row, text, cell->len + 1);
    }
  for (; next < width; next++)
    {
      self->fields[next] = GSIZE_TO_POINTER (self->row->len);
      g_string_append_c (self->row, '\0');
    }
  for (guint i = 0; i < width; i++)
    self->fields[i] = self->row->str + GPOINTER_TO_SIZE (self->fields[i]);
  self->fields[width] = NULL;
  self->n_fields = width;
  self->row_data = self->row->str;
  self->row_len = self->row->len;
}

/* The cells of a row above the header, joined by spaces */
static char *
row_text (RsXlsxReader *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->n_fields; i++)
    {
      if (self->fields[i][0] == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, self->fields[i]);
    }

  return g_string_free (text, FALSE);
}

static void
close_sheet (RsXlsxReader *self)
{
  scan_clear (&self->scan);
  self->sheet_open = FALSE;
  self->in_sheet_data = FALSE;
  self->sheet_done = FALSE;
  self->row_number = 0;
  self->row_from_cell = FALSE;
  g_array_set_size (self->notes, 0);
  g_string_truncate (self->notes_text, 0);
  g_clear_pointer (&self->sheet_name, g_free);
  g_clear_pointer (&self->header, g_strfreev);
  self->n_header = 0;
  self->n_ignored = 0;
  g_clear_pointer (&self->ignored_text, g_free);
  g_clear_error (&self->fatal);
}

/* Opens @sheet and reads up to its header: the first of its first rows
 * with the required columns. */
static gboolean
start_sheet (RsXlsxReader  *self,
             const Sheet   *sheet,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) first_error = NULL;
  GsfInput *input;
  guint tried = 0;

  close_sheet (self);
  if (!load_strings (self, cancellable, error))
    return FALSE;

  input = open_part (self, sheet->path, RS_XLSX_MAX_SHEET_PART, error);
  if (input == NULL)
    {
      if (error != NULL && *error == NULL)
        set_corrupt (error, self->name, sheet->path, _("the sheet is missing"));
      return FALSE;
    }
  scan_init (&self->scan, input, self->name, sheet->path, cancellable);
  self->text_total = 0;
  self->text_budget = RS_XLSX_MIN_TEXT_BUDGET
                      + (guint64) RS_XLSX_TEXT_RATIO * (guint64) MAX (self->scan.size, 0);
  self->sheet_open = TRUE;
  self->sheet_name = g_strdup (sheet->name);

  while (tried < RS_XLSX_HEADER_ROWS)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(RsMasterColumns) columns = NULL;
      guint width;

      if (!read_raw_row (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          break;
        }
      tried++;

      width = self->max_column;
      build_row (self, width);
      columns = rs_master_columns_new (self->fields, self->n_fields, &local_error);
      if (columns != NULL)
        {
          /* Empty cells right of the header's last name are no columns. */
          while (width > 0 && self->fields[width - 1][0] == '\0')
            width--;
          self->n_header = width;
          self->header = g_new0 (char *, width + 1);
          for (guint i = 0; i < width; i++)
            self->header[i] = g_strdup (self->fields[i]);
          return TRUE;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
      if (self->n_ignored++ == 0)
        self->ignored_text = row_text (self);
    }

  if (first_error != NULL)
    {
      /* Translators: the sheet, then why it is not a master file */
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET, _("Sheet “%s”: %s"),
                   sheet->name, first_error->message);
    }
  else
    {
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
                   _("Sheet “%s” of “%s” is empty: it has no header row"), sheet->name,
                   self->name);
    }
  return FALSE;
}

GStrv
rs_xlsx_reader_list_master_sheets (RsXlsxReader  *self,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->sheets->len; i++)
    {
      const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);
      g_autoptr(GError) local_error = NULL;

      if (start_sheet (self, sheet, cancellable, &local_error))
        g_strv_builder_add (builder, sheet->name);
      else if (!g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET))
        {
          close_sheet (self);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  close_sheet (self);

  return g_strv_builder_end (builder);
}

gboolean
rs_xlsx_reader_open_sheet (RsXlsxReader  *self,
                           const char    *name,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GError) first_error = NULL;
  g_autoptr(GString) names = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL)
    {
      for (guint i = 0; i < self->sheets->len; i++)
        if (g_str_equal (g_array_index (self->sheets, Sheet, i).name, "MasterData"))
          name = "MasterData";
    }

  if (name != NULL)
    {
      for (guint i = 0; i < self->sheets->len; i++)
        {
          const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);

          if (g_str_equal (sheet->name, name))
            return start_sheet (self, sheet, cancellable, error);
        }

      names = g_string_new (NULL);
      for (guint i = 0; i < self->sheets->len; i++)
        g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "",
                                g_array_index (self->sheets, Sheet, i).name);
      /* Translators: a sheet's name, the workbook, then the names it has */
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
                   _("There is no sheet “%s” in “%s”; it has %s"), name, self->name, names->str);
      return FALSE;
    }

  for (guint i = 0; i < self->sheets->len; i++)
    {
      const Sheet *sheet = &g_array_index (self->sheets, Sheet, i);
      g_autoptr(GError) local_error = NULL;

      if (start_sheet (self, sheet, cancellable, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  close_sheet (self);

  if (self->sheets->len == 1)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  names = g_string_new (NULL);
  for (guint i = 0; i < self->sheets->len; i++)
    g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "",
                            g_array_index (self->sheets, Sheet, i).name);
  /* Translators: the workbook, then its sheets' names */
  g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_NO_SHEET,
               _("No sheet of “%s” has the columns of a master file (company_name, name and "
                 "email_address in one of its first %u rows). Its sheets are %s"),
               self->name, RS_XLSX_HEADER_ROWS, names->str);
  return FALSE;
}

const char *
rs_xlsx_reader_get_sheet_name (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sheet_name;
}

const char * const *
rs_xlsx_reader_get_header (RsXlsxReader *self,
                           guint        *n_fields)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_fields != NULL)
    *n_fields = self->n_header;
  return (const char * const *) self->header;
}

guint
rs_xlsx_reader_get_ignored (RsXlsxReader  *self,
                            const char   **first_text)
{
  g_return_val_if_fail (self != NULL, 0);

  if (first_text != NULL)
    *first_text = self->ignored_text;
  return self->n_ignored;
}

gboolean
rs_xlsx_reader_next_row (RsXlsxReader        *self,
                         const char * const **fields,
                         guint               *n_fields,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->sheet_open, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (fields != NULL)
    *fields = NULL;
  if (n_fields != NULL)
    *n_fields = 0;

  if (self->fatal != NULL)
    {
      g_propagate_error (error, g_error_copy (self->fatal));
      return FALSE;
    }

  if (!read_raw_row (self, cancellable, &local_error))
    {
      if (local_error != NULL)
        {
          self->fatal = g_error_copy (local_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      return FALSE;
    }

  build_row (self, self->n_header);
  if (fields != NULL)
    *fields = self->fields;
  if (n_fields != NULL)
    *n_fields = self->n_fields;

  if (self->max_column > self->n_header)
    {
      const Cell *last = &self->cells[self->n_cells - 1];
      char ref[8];

      rs_xlsx_column_name (last->column, ref);
      g_set_error (error, RS_XLSX_ERROR, RS_XLSX_ERROR_RAGGED,
                   _("Row %u has a value in column %s, right of the header’s last column"),
                   self->row_number, ref);
      return FALSE;
    }

  return TRUE;
}

const char *
rs_xlsx_reader_get_row_data (RsXlsxReader *self,
                             gsize        *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = self->row_len;
  return self->row_data;
}

guint
rs_xlsx_reader_get_row (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->row_number;
}

goffset
rs_xlsx_reader_get_position (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->scan.consumed;
}

goffset
rs_xlsx_reader_get_size (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->scan.size;
}

/**
 * rs_xlsx_reader_get_note:
 * @index: from 0, below rs_xlsx_reader_get_n_notes()
 *
 * Returns: the cell's text: the error value, or the formula after “=”
 */
const char *
rs_xlsx_reader_get_note (RsXlsxReader   *self,
                         guint           index,
                         guint          *column,
                         RsXlsxNoteKind *kind)
{
  const Note *note;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->notes->len, NULL);

  note = &g_array_index (self->notes, Note, index);
  *column = note->column;
  *kind = note->kind;
  return self->notes_text->str + note->offset;
}

guint
rs_xlsx_reader_get_n_notes (RsXlsxReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->notes->len;
}
