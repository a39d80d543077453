/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-xlsx"
/* memmem() */
#define _GNU_SOURCE

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "rs-xlsx-private.h"

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

gboolean
rs_xlsx_read_at (GsfInput *input,
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

/* Where the central directory is and how many members it lists, from the
 * end record (and the Zip64 one). Returns: %FALSE when there is none */
static gboolean
find_directory (RsXlsxReader *self,
                guint64      *dir_offset,
                guint64      *dir_size,
                guint64      *n_entries)
{
  goffset size = gsf_input_size (self->input);
  gsize tail_len = (gsize) MIN (size, 65535 + 22);
  g_autofree guint8 *tail = g_malloc (tail_len);
  gssize eocd = -1;

  if (tail_len < 22 || !rs_xlsx_read_at (self->input, size - tail_len, tail_len, tail))
    return FALSE;
  for (gssize i = (gssize) tail_len - 22; i >= 0; i--)
    {
      if (le32 (tail + i) == 0x06054b50)
        {
          eocd = i;
          break;
        }
    }
  if (eocd < 0)
    return FALSE;

  *n_entries = le16 (tail + eocd + 10);
  *dir_size = le32 (tail + eocd + 12);
  *dir_offset = le32 (tail + eocd + 16);

  /* Zip64: the locator sits just before the end record. */
  if ((*dir_offset == 0xffffffff || *dir_size == 0xffffffff || *n_entries == 0xffff)
      && eocd >= 20 && le32 (tail + eocd - 20) == 0x07064b50)
    {
      guint8 rec[56];
      guint64 rec_offset = le64 (tail + eocd - 20 + 8);

      if (rec_offset > (guint64) size - 56 || !rs_xlsx_read_at (self->input, rec_offset, 56, rec)
          || le32 (rec) != 0x06064b50)
        return FALSE;
      *n_entries = le64 (rec + 32);
      *dir_size = le64 (rec + 40);
      *dir_offset = le64 (rec + 48);
    }

  return *n_entries <= MAX_ENTRIES && *dir_size <= MAX_DIRECTORY
         && *dir_offset <= (guint64) size && *dir_size <= (guint64) size - *dir_offset;
}

/* The Zip64 sizes and offset in a member's extra field, where the fixed
 * ones say 0xffffffff */
static void
read_zip64_extra (const guint8 *extra,
                  guint16       extra_len,
                  guint64      *compressed,
                  guint64      *uncompressed,
                  guint64      *local_header)
{
  for (gsize e = 0; e + 4 <= extra_len; )
    {
      guint16 id = le16 (extra + e);
      guint16 len = le16 (extra + e + 2);
      gsize at = e + 4;

      if (at + len > extra_len)
        break;
      if (id == 0x0001)
        {
          if (*uncompressed == 0xffffffff && at + 8 <= e + 4 + len)
            {
              *uncompressed = le64 (extra + at);
              at += 8;
            }
          if (*compressed == 0xffffffff && at + 8 <= e + 4 + len)
            {
              *compressed = le64 (extra + at);
              at += 8;
            }
          if (*local_header == 0xffffffff && at + 8 <= e + 4 + len)
            *local_header = le64 (extra + at);
        }
      e += 4 + len;
    }
}

/* The member whose header is at @dir + *@p, into self->entries; moves *@p
 * to the next. Returns: %FALSE when it is damaged */
static gboolean
read_entry (RsXlsxReader  *self,
            const guint8  *dir,
            guint64        dir_size,
            gsize         *p)
{
  const guint8 *header = dir + *p;
  Entry *entry;
  guint16 name_len;
  guint16 extra_len;
  guint16 comment_len;
  guint64 compressed;
  guint64 uncompressed;
  guint64 local_header;

  if (*p + 46 > dir_size || le32 (header) != 0x02014b50)
    return FALSE;
  /* libgsf makes each member's time from these, unless both are 0,
   * with g_date_time_new_utc(), and fails on one that is no time; every
   * spreadsheet program writes a real one, on any day of the year. */
  {
    guint16 time = le16 (header + 12);
    guint16 date = le16 (header + 14);

    if ((time != 0 || date != 0) && !dos_time_is_valid (date, time))
      return FALSE;
  }
  compressed = le32 (header + 20);
  uncompressed = le32 (header + 24);
  local_header = le32 (header + 42);
  name_len = le16 (header + 28);
  extra_len = le16 (header + 30);
  comment_len = le16 (header + 32);
  if (*p + 46 + name_len + extra_len + comment_len > dir_size)
    return FALSE;

  read_zip64_extra (header + 46 + name_len, extra_len, &compressed, &uncompressed,
                    &local_header);

  entry = g_new (Entry, 1);
  entry->compressed = (goffset) MIN (compressed, G_MAXINT64);
  entry->size = (goffset) MIN (uncompressed, G_MAXINT64);
  entry->local_header = (goffset) MIN (local_header, G_MAXINT64);
  g_hash_table_insert (self->entries, g_strndup ((const char *) header + 46, name_len), entry);
  *p += 46 + name_len + extra_len + comment_len;

  return TRUE;
}

/* The sizes of every member, from the zip's central directory, which is
 * what libgsf reads too: a member is never inflated past its size there. */
gboolean
rs_xlsx_read_directory (RsXlsxReader  *self,
                        GError       **error)
{
  g_autofree guint8 *dir = NULL;
  guint64 dir_offset;
  guint64 dir_size;
  guint64 n_entries;
  gsize p = 0;

  if (!find_directory (self, &dir_offset, &dir_size, &n_entries))
    goto corrupt;

  dir = g_malloc (dir_size + 1);
  if (dir_size > 0 && !rs_xlsx_read_at (self->input, dir_offset, dir_size, dir))
    goto corrupt;

  for (guint64 n = 0; n < n_entries; n++)
    {
      if (!read_entry (self, dir, dir_size, &p))
        goto corrupt;
    }

  return TRUE;

corrupt:
  rs_xlsx_set_corrupt (error, self->name, _("the zip directory"),
                       _("it is damaged or incomplete"));
  return FALSE;
}

/* Returns: (transfer full) (nullable): the member at @path, checked against
 * the limits; %NULL without an error when there is none */
GsfInput *
rs_xlsx_open_part (RsXlsxReader  *self,
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
        || !rs_xlsx_read_at (self->input, entry->local_header, 4, local)
        || le32 (local) != 0x04034b50)
      {
        rs_xlsx_set_corrupt (error, self->name, path, _("the part cannot be opened"));
        return NULL;
      }
  }

  names = g_strsplit (path, "/", -1);
  input = gsf_infile_child_by_aname (self->zip, (const char **) names);
  if (input == NULL)
    {
      rs_xlsx_set_corrupt (error, self->name, path, _("the part cannot be opened"));
      return NULL;
    }
  if (gsf_input_size (input) != entry->size)
    {
      g_object_unref (input);
      rs_xlsx_set_corrupt (error, self->name, path, _("its size is not what the zip says"));
      return NULL;
    }

  return input;
}

/* Opens the part at @path, if there is one (@path may be %NULL), to scan. */
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
  GsfInput *input = path != NULL ? rs_xlsx_open_part (self, path, max_size, &local_error)
                                 : NULL;

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

  rs_xlsx_scan_init (scan, input, self->name, path, cancellable);
  return TRUE;
}

/* The next token of a part read through, but its end. Returns: %FALSE at
 * the end or on an error, which @ok tells apart; the scan is cleared then */
static gboolean
part_next (Scan     *scan,
           gboolean *ok,
           GError  **error)
{
  *ok = rs_xlsx_scan_next (scan, error);
  if (*ok && scan->type != TOKEN_EOF)
    return TRUE;

  rs_xlsx_scan_clear (scan);
  return FALSE;
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
  gboolean ok = TRUE;

  if (slash != NULL)
    rels_path = g_strdup_printf ("%.*s/_rels/%s.rels", (int) (slash - part), part, slash + 1);
  else
    rels_path = g_strdup_printf ("_rels/%s.rels", part);

  if (!part_open_scan (self, &scan, rels_path, RS_XLSX_MAX_OTHER_PART, &found, cancellable,
                       error))
    return NULL;
  if (!found)
    return g_steal_pointer (&rels);

  while (part_next (&scan, &ok, error))
    {
      if (scan.type == TOKEN_START && token_is (&scan, "Relationship"))
        {
          g_autofree char *id = rs_xlsx_scan_attr_dup (&scan, "Id");
          g_autofree char *type = rs_xlsx_scan_attr_dup (&scan, "Type");
          g_autofree char *target = rs_xlsx_scan_attr_dup (&scan, "Target");
          g_autofree char *mode = rs_xlsx_scan_attr_dup (&scan, "TargetMode");

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

  return ok ? g_steal_pointer (&rels) : NULL;
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
  gboolean ok = TRUE;
  gboolean in_cell_xfs = FALSE;

  self->styles = g_byte_array_new ();
  if (!part_open_scan (self, &scan, self->styles_path, RS_XLSX_MAX_OTHER_PART, &found,
                       cancellable, error))
    return FALSE;
  if (!found)
    return TRUE;

  while (part_next (&scan, &ok, error))
    {
      if (scan.type == TOKEN_START && token_is (&scan, "numFmt"))
        {
          g_autofree char *id = rs_xlsx_scan_attr_dup (&scan, "numFmtId");
          g_autofree char *code = rs_xlsx_scan_attr_dup (&scan, "formatCode");

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
          g_autofree char *id_text = rs_xlsx_scan_attr_dup (&scan, "numFmtId");
          guint id = id_text != NULL ? (guint) strtoul (id_text, NULL, 10) : 0;
          gpointer kind = g_hash_table_lookup (custom, GUINT_TO_POINTER (id + 1));
          guint8 value = kind != NULL ? GPOINTER_TO_UINT (kind) - 1 : builtin_format (id);

          g_byte_array_append (self->styles, &value, 1);
        }
    }

  return ok;
}

/* ---- shared strings ---- */

gboolean
rs_xlsx_load_strings (RsXlsxReader  *self,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Scan scan = { 0 };
  gboolean found;
  gboolean ok = TRUE;
  gboolean in_si = FALSE;
  gboolean in_t = FALSE;
  guint skip = 0;
  gsize si_start = 0;

  if (self->strings_loaded)
    return TRUE;

  self->strings = g_string_new (NULL);
  self->string_offsets = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->strings_loaded = TRUE;

  if (!part_open_scan (self, &scan, self->strings_path, RS_XLSX_MAX_SHEET_PART, &found,
                       cancellable, error))
    return FALSE;
  if (!found)
    return TRUE;

  while (part_next (&scan, &ok, error))
    {
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
              rs_xlsx_unescape_ooxml (self->strings, si_start);
              rs_xlsx_drop_nuls (self->strings, si_start);
              rs_xlsx_make_valid_utf8 (self->strings, si_start);
              if (self->strings->len - si_start > RS_XLSX_MAX_CELL)
                {
                  rs_xlsx_set_corrupt (error, self->name, self->strings_path,
                                       _("a text is too long"));
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
          if (in_t && skip == 0 && !rs_xlsx_scan_append_text (&scan, self->strings, error))
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

  return ok;

fail:
  rs_xlsx_scan_clear (&scan);
  return FALSE;
}

/* ---- the workbook ---- */

gboolean
rs_xlsx_read_workbook (RsXlsxReader  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GHashTable) package_rels = NULL;
  g_autoptr(GHashTable) rels = NULL;
  g_autofree char *workbook_path = NULL;
  Scan scan = { 0 };
  gboolean found;
  gboolean ok = TRUE;

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
      rs_xlsx_set_not_workbook (error, self->name);
      return FALSE;
    }

  while (part_next (&scan, &ok, error))
    {
      if (scan.type != TOKEN_START)
        continue;

      if (token_is (&scan, "workbookPr"))
        {
          g_autofree char *date1904 = rs_xlsx_scan_attr_dup (&scan, "date1904");

          self->date1904 = date1904 != NULL && (g_str_equal (date1904, "1")
                                                || g_ascii_strcasecmp (date1904, "true") == 0);
        }
      else if (token_is (&scan, "sheet"))
        {
          g_autofree char *name = rs_xlsx_scan_attr_dup (&scan, "name");
          g_autofree char *id = rs_xlsx_scan_attr_dup (&scan, "id");
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
  if (!ok)
    return FALSE;

  if (self->sheets->len == 0)
    {
      rs_xlsx_set_not_workbook (error, self->name);
      return FALSE;
    }

  return read_styles (self, cancellable, error);
}
