/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-import"

#include "config.h"

#include <glib/gi18n.h>

#include "rs-import-private.h"
#include "rs-master.h"
#include "rs-store-private.h"

/* Who a row is about: the respondents stored before the import, by their
 * identity key and by the hash of their row, and the new keys that are one
 * of them renamed. */

#define KNOWN_BLOCK 4096

static guint64 hash_bytes (guint64     hash,
                           const char *data,
                           gsize       len);

/* Keys are long: eight bytes at a time beats g_str_hash()'s one. */
static guint
key_hash (gconstpointer key)
{
  guint64 hash = hash_bytes (0, key, strlen (key));

  return (guint) (hash ^ (hash >> 32));
}

static KnownTable *
known_table_new (void)
{
  KnownTable *self = g_new0 (KnownTable, 1);

  self->table = g_hash_table_new (key_hash, g_str_equal);
  self->by_hash = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->keys = g_string_chunk_new (64 * 1024);
  self->blocks = g_ptr_array_new_with_free_func (g_free);

  return self;
}

void
rs_import_known_table_free (KnownTable *self)
{
  g_hash_table_unref (self->table);
  g_hash_table_unref (self->by_hash);
  g_string_chunk_free (self->keys);
  g_ptr_array_unref (self->blocks);
  g_clear_pointer (&self->hand, g_hash_table_unref);
  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_free (self);
}

/* Returns: (transfer none): a new entry for @key, all zero */
Known *
rs_import_known_add (KnownTable *self,
                     const char *key)
{
  Known *known;

  if (self->blocks->len == 0 || self->used == KNOWN_BLOCK)
    {
      g_ptr_array_add (self->blocks, g_new0 (Known, KNOWN_BLOCK));
      self->used = 0;
    }
  known = (Known *) g_ptr_array_index (self->blocks, self->blocks->len - 1) + self->used++;
  known->key = g_string_chunk_insert (self->keys, key);
  g_hash_table_insert (self->table, (gpointer) known->key, known);

  return known;
}

/* Only to notice that a row changed since the last import: eight bytes at a
 * time, mixed with a multiply and a shift. Stored hashes are compared with
 * new ones, so this must never change. */
static guint64
hash_bytes (guint64     hash,
            const char *data,
            gsize       len)
{
  const guint64 k = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
    }
  for (; i < len; i++)
    {
      hash = (hash ^ (guchar) data[i]) * k;
      hash ^= hash >> 29;
    }

  return hash ^ len;
}

/* hash_bytes() of @data followed by @n_pad separators: the hash of a row
 * as it was stored before its trailing empty fields were left out. */
guint64
rs_import_hash_bytes_padded (guint64     hash,
                             const char *data,
                             gsize       len,
                             gsize       n_pad)
{
  const guint64 k = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  gsize total = len + n_pad;
  guint64 pad_word;
  gsize i = 0;

  if (n_pad == 0)
    return hash_bytes (hash, data, len);

  memset (&pad_word, SOURCE_SEPARATOR, sizeof pad_word);
  for (; i + 8 <= len; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
    }
  /* The word that holds the end of the data and the first separators */
  if (i < len && i + 8 <= total)
    {
      char buf[8];
      guint64 word;

      memcpy (buf, data + i, len - i);
      memset (buf + (len - i), SOURCE_SEPARATOR, 8 - (len - i));
      memcpy (&word, buf, 8);
      hash = (hash ^ word) * k;
      hash ^= hash >> 29;
      i += 8;
    }
  for (; i + 8 <= total; i += 8)
    {
      hash = (hash ^ pad_word) * k;
      hash ^= hash >> 29;
    }
  for (; i < total; i++)
    {
      hash = (hash ^ (guchar) (i < len ? data[i] : SOURCE_SEPARATOR)) * k;
      hash ^= hash >> 29;
    }

  return hash ^ total;
}

guint64
rs_import_hash_header (const char *header,
                       gsize       len)
{
  return hash_bytes (G_GUINT64_CONSTANT (0xcbf29ce484222325), header, len);
}

/**
 * rs_import_hash_source:
 * @header: the header as stored in import_log
 * @source: a source row as the import stored it
 *
 * Returns: the source_hash the import gave that row
 */
guint64
rs_import_hash_source (const char *header,
                       const char *source,
                       gsize       source_len)
{
  guint header_fields = 1;
  guint source_fields = 1;

  g_return_val_if_fail (header != NULL, 0);
  g_return_val_if_fail (source != NULL || source_len == 0, 0);

  /* A row is stored without its trailing empty fields, and hashed with
   * them, as the header has them. */
  for (const char *p = header; *p != '\0'; p++)
    header_fields += *p == SOURCE_SEPARATOR;
  for (gsize i = 0; i < source_len; i++)
    source_fields += source[i] == SOURCE_SEPARATOR;

  return rs_import_hash_bytes_padded (rs_import_hash_header (header, strlen (header)),
                                      source, source_len,
                                      header_fields > source_fields
                                        ? header_fields - source_fields : 0);
}

static void
hand_free (gpointer data)
{
  Hand *hand = data;

  g_free (hand->person);
  g_free (hand->email);
  g_free (hand);
}

/* Marks the respondents corrected by hand. A file that has their corrected
 * name or address (a newer export, fixed at the source) is about them too:
 * their identity with the hand values finds them. */
static gboolean
load_corrected (Statements  *s,
                KnownTable  *known,
                GError     **error)
{
  sqlite3_stmt *stmt = s->stmts[STMT_CORRECTED];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *person = (const char *) sqlite3_column_text (stmt, 2);
      const char *email = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *hand_key = NULL;
      Known *entry = g_hash_table_lookup (known->table, key);
      Hand *hand;

      if (entry == NULL)
        continue;
      entry->corrected = TRUE;

      hand = g_new0 (Hand, 1);
      if (sqlite3_column_int (stmt, 4))
        hand->person = g_strdup (person);
      if (sqlite3_column_int (stmt, 5))
        hand->email = g_strdup (email);
      if (known->hand == NULL)
        known->hand = g_hash_table_new_full (NULL, NULL, NULL, hand_free);
      g_hash_table_insert (known->hand, entry, hand);

      hand_key = rs_master_identity_key ((const char *) sqlite3_column_text (stmt, 1),
                                         person, email);
      if (!g_hash_table_contains (known->table, hand_key))
        g_hash_table_insert (known->table, g_string_chunk_insert (known->keys, hand_key), entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (s->db, rc, error);

  return TRUE;
}

KnownTable *
rs_import_load_known (Statements  *s,
                      GError     **error)
{
  g_autoptr(KnownTable) known = known_table_new ();
  sqlite3_stmt *stmt = s->stmts[STMT_EXISTING];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Known *entry = rs_import_known_add (known, (const char *) sqlite3_column_text (stmt, 0));

      entry->id = sqlite3_column_int64 (stmt, 1);
      entry->hash = (guint64) sqlite3_column_int64 (stmt, 2);
      entry->stored_hash = entry->hash;
      entry->stored = TRUE;
      known->n_stored++;

      /* Rows imported before hashes were kept have none. */
      if (sqlite3_column_type (stmt, 2) == SQLITE_NULL || sqlite3_column_int (stmt, 3))
        continue;
      if (!g_hash_table_insert (known->by_hash, &entry->stored_hash, entry))
        g_hash_table_insert (known->by_hash, &entry->stored_hash, NULL);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      rs_store_set_error_from_db (s->db, rc, error);
      return NULL;
    }

  if (!load_corrected (s, known, error))
    return NULL;

  return g_steal_pointer (&known);
}

/* The company and address parts of an identity key: who shares an address
 * with whom. */
static char *
address_of_key (const char *key)
{
  const char *first = strchr (key, '\x1f');
  const char *last = strrchr (key, '\x1f');

  if (first == NULL)
    return g_strdup (key);

  return g_strdup_printf ("%.*s\x1f%s", (int) (first - key), key, last + 1);
}

/* Under their stored keys: a corrected respondent is in the table under
 * the key of their hand values too, but the stored key follows the file. */
static void
index_addresses (KnownTable *known)
{
  known->by_address = g_hash_table_new (key_hash, g_str_equal);

  for (guint b = 0; b < known->blocks->len; b++)
    {
      Known *block = g_ptr_array_index (known->blocks, b);
      guint n = b + 1 < known->blocks->len ? KNOWN_BLOCK : known->used;

      for (guint i = 0; i < n; i++)
        {
          Known *entry = &block[i];
          g_autofree char *address = NULL;
          Known *head;

          if (!entry->stored)
            continue;

          address = address_of_key (entry->key);
          head = g_hash_table_lookup (known->by_address, address);
          entry->same_address = head;
          /* A key already there stays, so only a new one needs keeping. */
          g_hash_table_insert (known->by_address,
                               head != NULL ? address
                                            : g_string_chunk_insert (known->keys, address),
                               entry);
        }
    }
}

/* The first of the stored respondents of the company of @row with its
 * address, if any. */
Known *
rs_import_find_same_address (KnownTable        *known,
                             const RsMasterRow *row)
{
  g_autofree char *address = NULL;

  if (!rs_master_email_is_valid (row->email))
    return NULL;

  if (known->by_address == NULL)
    index_addresses (known);

  address = address_of_key (row->identity_key);
  return g_hash_table_lookup (known->by_address, address);
}

/* A new key in the file with the address of stored respondents of its
 * company is one of them under a new name when the file has no row for
 * exactly one of them, and no other new key has that address. Otherwise
 * the name decides: people who share an address stay apart, and the new
 * key is someone new. */
void
rs_import_resolve_renames (GPtrArray *candidates)
{
  g_autoptr(GHashTable) per_address = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < candidates->len; i++)
    {
      Known *candidate = g_ptr_array_index (candidates, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_address, candidate->same_address));

      g_hash_table_insert (per_address, candidate->same_address, GUINT_TO_POINTER (n + 1));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      Known *candidate = g_ptr_array_index (candidates, i);
      Known *unclaimed = NULL;
      guint n_unclaimed = 0;

      if (GPOINTER_TO_UINT (g_hash_table_lookup (per_address, candidate->same_address)) != 1)
        continue;

      for (Known *stored = candidate->same_address; stored != NULL; stored = stored->same_address)
        {
          if (stored->first_line == 0)
            {
              unclaimed = stored;
              n_unclaimed++;
            }
        }
      if (n_unclaimed == 1)
        candidate->renamed = unclaimed;
    }
}
