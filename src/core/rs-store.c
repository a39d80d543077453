/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-store"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <gio/gio.h>

#include "rs-store.h"
#include "rs-store-private.h"
#include "rs-thread.h"

/* Each thread keeps its own connections in a table keyed by the store's serial
 * number. The table is thread-local (GPrivate), so no connection is ever seen
 * by a second thread, and it is closed when its thread ends. */

#define WRITE_ATTEMPTS 200
#define BUSY_TIMEOUT_MS 5000

struct _RsStore
{
  GObject parent_instance;

  char *path;
  guint64 serial;
};

G_DEFINE_FINAL_TYPE (RsStore, rs_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (rs-store-error-quark, rs_store_error)

static GPrivate thread_connections = G_PRIVATE_INIT ((GDestroyNotify) g_hash_table_unref);
static guint64 next_serial = 1;
static gint open_connections = 0;

static const char *migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE respondent ("
  "  id INTEGER PRIMARY KEY,"
  "  identity_key TEXT NOT NULL UNIQUE,"
  "  company TEXT NOT NULL,"
  "  person TEXT NOT NULL,"
  "  email TEXT NOT NULL DEFAULT '',"
  "  function TEXT NOT NULL DEFAULT '',"
  "  submitted_at TEXT NOT NULL DEFAULT '',"
  "  language TEXT NOT NULL DEFAULT 'en',"
  "  up_r REAL, up_c REAL, up_f REAL, up_v REAL, up_a REAL,"
  "  in_r REAL, in_c REAL, in_f REAL, in_v REAL, in_a REAL,"
  "  do_r REAL, do_c REAL, do_f REAL, do_v REAL, do_a REAL,"
  "  problem TEXT,"
  "  source_import INTEGER,"
  "  source_line INTEGER,"
  "  source_hash INTEGER,"
  "  first_imported_at INTEGER NOT NULL,"
  "  last_imported_at INTEGER NOT NULL"
  ");"
  /* Apart, so that the rows people browse stay small. */
  "CREATE TABLE respondent_source ("
  "  respondent_id INTEGER PRIMARY KEY REFERENCES respondent (id),"
  "  source TEXT NOT NULL"
  ");"
  "CREATE TABLE delivery ("
  "  respondent_id INTEGER PRIMARY KEY REFERENCES respondent (id),"
  "  status TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'unknown')),"
  "  sent_at INTEGER,"
  "  mode TEXT CHECK (mode IS NULL OR mode IN ('test', 'live')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  error_code INTEGER,"
  "  error TEXT,"
  "  message_id TEXT,"
  "  note TEXT NOT NULL DEFAULT '',"
  "  manually_updated INTEGER NOT NULL DEFAULT 0,"
  "  report_path TEXT,"
  "  report_hash TEXT,"
  "  report_made_at INTEGER,"
  "  report_problem TEXT,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX delivery_status ON delivery (status);"
  "CREATE TABLE history ("
  "  id INTEGER PRIMARY KEY,"
  "  respondent_id INTEGER NOT NULL REFERENCES respondent (id),"
  "  at INTEGER NOT NULL,"
  "  from_status TEXT,"
  "  to_status TEXT NOT NULL,"
  "  mode TEXT,"
  "  by TEXT NOT NULL CHECK (by IN ('send', 'manual', 'import')),"
  "  note TEXT NOT NULL DEFAULT ''"
  ");"
  "CREATE INDEX history_respondent ON history (respondent_id, at);"
  "CREATE TABLE import_log ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  file TEXT NOT NULL,"
  "  header TEXT NOT NULL,"
  "  added INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  unchanged INTEGER NOT NULL,"
  "  skipped INTEGER NOT NULL,"
  "  flagged INTEGER NOT NULL"
  ");",
  /* 1 -> 2: which version of the respondent's data a report was made from */
  "ALTER TABLE delivery ADD COLUMN report_source_hash INTEGER;",
  /* 2 -> 3: the source row of a respondent is in a file of its import, at
   * source_offset; rows of earlier imports stay in respondent_source. */
  "ALTER TABLE respondent ADD COLUMN source_offset INTEGER;"
  "ALTER TABLE respondent ADD COLUMN source_length INTEGER;"
  "CREATE INDEX respondent_source_import ON respondent (source_import);"
  /* The same checks without IN lists, for which SQLite builds a temporary
   * index every time a row is written: most of the cost of an import. */
  "CREATE TABLE delivery_v3 ("
  "  respondent_id INTEGER PRIMARY KEY REFERENCES respondent (id),"
  "  status TEXT NOT NULL DEFAULT 'pending'"
  "    CHECK (status = 'pending' OR status = 'sending' OR status = 'sent'"
  "           OR status = 'failed' OR status = 'unknown'),"
  "  sent_at INTEGER,"
  "  mode TEXT CHECK (mode IS NULL OR mode = 'test' OR mode = 'live'),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  error_code INTEGER,"
  "  error TEXT,"
  "  message_id TEXT,"
  "  note TEXT NOT NULL DEFAULT '',"
  "  manually_updated INTEGER NOT NULL DEFAULT 0,"
  "  report_path TEXT,"
  "  report_hash TEXT,"
  "  report_made_at INTEGER,"
  "  report_problem TEXT,"
  "  updated_at INTEGER NOT NULL,"
  "  report_source_hash INTEGER"
  ");"
  "INSERT INTO delivery_v3 (respondent_id, status, sent_at, mode, attempts, error_code,"
  "  error, message_id, note, manually_updated, report_path, report_hash, report_made_at,"
  "  report_problem, updated_at, report_source_hash)"
  " SELECT respondent_id, status, sent_at, mode, attempts, error_code, error, message_id,"
  "  note, manually_updated, report_path, report_hash, report_made_at, report_problem,"
  "  updated_at, report_source_hash FROM delivery;"
  "DROP TABLE delivery;"
  "ALTER TABLE delivery_v3 RENAME TO delivery;"
  "CREATE INDEX delivery_status ON delivery (status);"
  "CREATE TABLE history_v3 ("
  "  id INTEGER PRIMARY KEY,"
  "  respondent_id INTEGER NOT NULL REFERENCES respondent (id),"
  "  at INTEGER NOT NULL,"
  "  from_status TEXT,"
  "  to_status TEXT NOT NULL,"
  "  mode TEXT,"
  "  by TEXT NOT NULL CHECK (by = 'send' OR by = 'manual' OR by = 'import'),"
  "  note TEXT NOT NULL DEFAULT ''"
  ");"
  "INSERT INTO history_v3 (id, respondent_id, at, from_status, to_status, mode, by, note)"
  " SELECT id, respondent_id, at, from_status, to_status, mode, by, note FROM history;"
  "DROP TABLE history;"
  "ALTER TABLE history_v3 RENAME TO history;"
  "CREATE INDEX history_respondent ON history (respondent_id, at);",
  /* 3 -> 4: indexes that cost an import more than they saved.
   * - identity_key loses UNIQUE: the import is the only writer of
   *   respondents and matches every row against all stored keys in memory,
   *   and keeping a random text key in order was half the cost of a first
   *   import. Only a rebuild of the table drops the constraint; foreign keys
   *   are off while migrating (see rs_store_open()).
   * - Nothing asks for a status or an import without reading everyone. */
  "CREATE TABLE respondent_v4 ("
  "  id INTEGER PRIMARY KEY,"
  "  identity_key TEXT NOT NULL,"
  "  company TEXT NOT NULL,"
  "  person TEXT NOT NULL,"
  "  email TEXT NOT NULL DEFAULT '',"
  "  function TEXT NOT NULL DEFAULT '',"
  "  submitted_at TEXT NOT NULL DEFAULT '',"
  "  language TEXT NOT NULL DEFAULT 'en',"
  "  up_r REAL, up_c REAL, up_f REAL, up_v REAL, up_a REAL,"
  "  in_r REAL, in_c REAL, in_f REAL, in_v REAL, in_a REAL,"
  "  do_r REAL, do_c REAL, do_f REAL, do_v REAL, do_a REAL,"
  "  problem TEXT,"
  "  source_import INTEGER,"
  "  source_line INTEGER,"
  "  source_hash INTEGER,"
  "  first_imported_at INTEGER NOT NULL,"
  "  last_imported_at INTEGER NOT NULL,"
  "  source_offset INTEGER,"
  "  source_length INTEGER"
  ");"
  "INSERT INTO respondent_v4 SELECT id, identity_key, company, person, email, function,"
  "  submitted_at, language, up_r, up_c, up_f, up_v, up_a, in_r, in_c, in_f, in_v, in_a,"
  "  do_r, do_c, do_f, do_v, do_a, problem, source_import, source_line, source_hash,"
  "  first_imported_at, last_imported_at, source_offset, source_length FROM respondent;"
  "DROP TABLE respondent;"
  "ALTER TABLE respondent_v4 RENAME TO respondent;"
  "DROP INDEX delivery_status;",
  /* 4 -> 5: a change counter, for reading again only what changed. Every
   * change of a respondent or a delivery gets a number higher than any a
   * reader could have seen before it committed, because writers take turns:
   * a reader that saw counter N finds all later changes above N, however
   * long their transactions took. Timestamps could not promise that.
   * Triggers number every update; a statement that sets `changed` itself
   * (the import, which stamps all its rows with one number from
   * rs_store_next_change()) skips them. Rows are inserted by the import
   * alone, which numbers them: a trigger on insert, though it did nothing,
   * cost a fifth of a first import. */
  "CREATE TABLE change_counter (value INTEGER NOT NULL);"
  "INSERT INTO change_counter (value) VALUES (0);"
  "ALTER TABLE respondent ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE delivery ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;"
  "CREATE TRIGGER respondent_updated AFTER UPDATE ON respondent"
  " WHEN NEW.changed IS OLD.changed"
  " BEGIN"
  "  UPDATE change_counter SET value = value + 1;"
  "  UPDATE respondent SET changed = (SELECT value FROM change_counter) WHERE id = NEW.id;"
  " END;"
  "CREATE TRIGGER delivery_updated AFTER UPDATE ON delivery"
  " WHEN NEW.changed IS OLD.changed"
  " BEGIN"
  "  UPDATE change_counter SET value = value + 1;"
  "  UPDATE delivery SET changed = (SELECT value FROM change_counter)"
  "   WHERE respondent_id = NEW.respondent_id;"
  " END;",
  /* 5 -> 6: corrections made by hand. The respondent row holds the value in
   * use, the hand value, which everyone reads as before; the correction
   * keeps what the master file says, which a re-import updates without
   * touching the hand value. History rows of a correction say which field
   * changed from what to what; their status does not change. */
  "CREATE TABLE correction ("
  "  respondent_id INTEGER NOT NULL REFERENCES respondent (id),"
  "  field TEXT NOT NULL"
  "    CHECK (field = 'person' OR field = 'email' OR field = 'function'"
  "           OR field = 'language'),"
  "  file_value TEXT NOT NULL,"
  "  hand_value TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  PRIMARY KEY (respondent_id, field)"
  ") WITHOUT ROWID;"
  "ALTER TABLE history ADD COLUMN field TEXT;"
  "ALTER TABLE history ADD COLUMN from_value TEXT;"
  "ALTER TABLE history ADD COLUMN to_value TEXT;",
  /* 6 -> 7: what one survey round (one database) allows and checks.
   * allow_second: a person chose to send this respondent a report although
   * their address already has one. report_sha256: the SHA-256 of the report
   * file as it was written, checked before it is attached. */
  "ALTER TABLE delivery ADD COLUMN allow_second INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE delivery ADD COLUMN report_sha256 TEXT;",
  /* 7 -> 8: companies reconciled by a person (see rs-companies.c). Each
   * name as the master file writes it, folded for case and accents, to the
   * company it was merged into; and pairs of companies kept apart, by their
   * folded names. Imports never touch either. */
  "CREATE TABLE company_merge ("
  "  variant_key TEXT PRIMARY KEY,"
  "  variant TEXT NOT NULL,"
  "  company TEXT NOT NULL,"
  "  at INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "CREATE TABLE company_apart ("
  "  first_key TEXT NOT NULL,"
  "  second_key TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  PRIMARY KEY (first_key, second_key)"
  ") WITHOUT ROWID;",
  /* 8 -> 9: what an import did, kept with it so that its details can be
   * read again in a later session: the counts import_log had no room for,
   * every problem row, every value it did not use as the file had it, and
   * the data-quality summary of the database after it. NULL counts: an
   * import made before this version. */
  "ALTER TABLE import_log ADD COLUMN duplicates INTEGER;"
  "ALTER TABLE import_log ADD COLUMN marked_sent INTEGER;"
  "ALTER TABLE import_log ADD COLUMN renamed INTEGER;"
  "ALTER TABLE import_log ADD COLUMN recoded INTEGER;"
  "ALTER TABLE import_log ADD COLUMN changed INTEGER;"
  "CREATE TABLE import_problem ("
  "  import_id INTEGER NOT NULL REFERENCES import_log (id) DEFERRABLE INITIALLY DEFERRED,"
  "  position INTEGER NOT NULL,"
  "  line INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  person TEXT NOT NULL DEFAULT '',"
  "  reason TEXT NOT NULL,"
  "  respondent_id INTEGER,"
  "  PRIMARY KEY (import_id, position)"
  ") WITHOUT ROWID;"
  "CREATE TABLE import_change ("
  "  import_id INTEGER NOT NULL REFERENCES import_log (id) DEFERRABLE INITIALLY DEFERRED,"
  "  line INTEGER NOT NULL,"
  "  column_index INTEGER NOT NULL,"
  "  column_name TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  file_value TEXT NOT NULL,"
  "  used_value TEXT,"
  "  respondent_id INTEGER"
  ");"
  "CREATE INDEX import_change_group ON import_change (import_id, column_index, kind, line);"
  "CREATE TABLE import_quality ("
  "  import_id INTEGER NOT NULL REFERENCES import_log (id),"
  "  position INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  label TEXT NOT NULL DEFAULT '',"
  "  count INTEGER NOT NULL,"
  "  total INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (import_id, position)"
  ") WITHOUT ROWID;",
  /* 9 -> 10: the sheet of an import from a workbook, whose lines are its rows */
  "ALTER TABLE import_log ADD COLUMN sheet TEXT;",
  /* 10 -> 11: what the peer benchmark block of the report on record shows
   * (rs_benchmark_key()), so that a change of the population outdates just
   * the reports it changes: NULL for a report made before, 'off' for one
   * made with the benchmark switched off. */
  "ALTER TABLE delivery ADD COLUMN report_benchmark TEXT;",
  /* 11 -> 12: the activity log (see rs-activity.c): one entry per import,
   * report run and send round, with who ran it, when and how it ended. An
   * import's counts and problems stay in import_log and import_problem; a
   * report run and a send round keep theirs here, and their failures in
   * activity_failure. process: the process of an entry still running. The
   * imports made before it are in the log too, by an unknown user. */
  "CREATE TABLE activity ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind = 'import' OR kind = 'reports' OR kind = 'send'),"
  "  started_at INTEGER NOT NULL,"
  "  ended_at INTEGER,"
  "  user_name TEXT NOT NULL,"
  "  process TEXT,"
  "  outcome TEXT NOT NULL"
  "    CHECK (outcome = 'running' OR outcome = 'done' OR outcome = 'cancelled'"
  "           OR outcome = 'failed'),"
  "  subject TEXT,"
  "  test INTEGER NOT NULL DEFAULT 0,"
  "  import_id INTEGER REFERENCES import_log (id),"
  "  error TEXT,"
  "  total INTEGER,"
  "  made INTEGER,"
  "  up_to_date INTEGER,"
  "  not_possible INTEGER,"
  "  sent INTEGER,"
  "  failed INTEGER,"
  "  deferred INTEGER,"
  "  unknown INTEGER,"
  "  skipped INTEGER,"
  "  remaining INTEGER"
  ");"
  "CREATE TABLE activity_failure ("
  "  activity_id INTEGER NOT NULL REFERENCES activity (id),"
  "  position INTEGER NOT NULL,"
  "  respondent_id INTEGER,"
  "  person TEXT NOT NULL DEFAULT '',"
  "  address TEXT NOT NULL DEFAULT '',"
  "  what TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  PRIMARY KEY (activity_id, position)"
  ") WITHOUT ROWID;"
  "INSERT INTO activity (kind, started_at, ended_at, user_name, outcome, subject, import_id)"
  " SELECT 'import', at, at, '', 'done', file, id FROM import_log ORDER BY id;",
  /* 12 -> 13: the look of the reports (rs_branding_look_key(): the
   * institution's branding and the benchmark switch) that the report on
   * record was made with, so that a send finds it outdated after a change
   * of the settings that no window saw (gsettings, another session); NULL
   * for a report made before. */
  "ALTER TABLE delivery ADD COLUMN report_look TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == RS_STORE_SCHEMA_VERSION);

static void
connection_close (gpointer data)
{
  sqlite3 *db = data;

  if (sqlite3_close (db) != SQLITE_OK)
    g_critical ("Closing a database connection failed: %s", sqlite3_errmsg (db));
  g_atomic_int_dec_and_test (&open_connections);
}

static GHashTable *
get_thread_table (void)
{
  GHashTable *table = g_private_get (&thread_connections);

  if (table == NULL)
    {
      table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, connection_close);
      g_private_set (&thread_connections, table);
    }

  return table;
}

gboolean
rs_store_set_error_from_db (sqlite3  *db,
                            int       rc,
                            GError  **error)
{
  int primary = rc & 0xff;
  const char *path = sqlite3_db_filename (db, "main");
  int system_errno = sqlite3_system_errno (db);

  if (path == NULL)
    path = "";

  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_BUSY,
                 _("The tracker database is busy: %s"), sqlite3_errmsg (db));
  else if (primary == SQLITE_FULL)
    g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_FAILED,
                 _("The disk of the tracker database “%s” is full: make room on it, then "
                   "try again"), path);
  else if (primary == SQLITE_IOERR && system_errno != 0)
    g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_FAILED,
                 _("Could not read or write the tracker database “%s”: %s"),
                 path, g_strerror (system_errno));
  else
    g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_FAILED,
                 _("Tracker database error: %s"), sqlite3_errmsg (db));

  return FALSE;
}

gboolean
rs_store_exec (sqlite3     *db,
               const char  *sql,
               GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static sqlite3 *
connection_open (const char  *path,
                 GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN,
                   _("Could not open the tracker database “%s”: %s"),
                   path, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (db, 1);

  /* journal_mode needs a read of the file: this is where a file that is not a
   * database is found out. */
  rc = sqlite3_exec (db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA cache_size = -4096;"
                     "PRAGMA journal_size_limit = 4194304;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN,
                   _("Could not open the tracker database “%s”: %s"),
                   path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }

  g_atomic_int_inc (&open_connections);

  return db;
}

static int
get_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

/* Foreign keys are off while migrating: a reference that a migration broke
 * must stop it rather than be committed. */
static gboolean
check_foreign_keys (sqlite3     *db,
                    const char  *path,
                    GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (rc == SQLITE_ROW)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_FAILED,
                   _("The tracker database “%s” could not be updated: it refers to "
                     "respondents that are not in it"), path);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gboolean
migrate (sqlite3   *db,
         gpointer   user_data,
         GError   **error)
{
  const char *path = user_data;
  int version = get_user_version (db);

  if (version < 0)
    return rs_store_set_error_from_db (db, sqlite3_errcode (db), error);

  if (version > RS_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_SCHEMA_TOO_NEW,
                   _("The tracker database “%s” was made by a newer version of "
                     "ResilienceScan (schema %d, this version knows %d). Update "
                     "ResilienceScan to open it."),
                   path, version, RS_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Checking every reference reads every row: only after a migration. */
  if (version == RS_STORE_SCHEMA_VERSION)
    return TRUE;

  for (; version < RS_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = NULL;

      if (!rs_store_exec (db, migrations[version], error))
        return FALSE;

      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!rs_store_exec (db, bump, error))
        return FALSE;
    }

  return check_foreign_keys (db, path, error);
}

static void
rs_store_finalize (GObject *object)
{
  RsStore *self = (RsStore *)object;

  rs_store_release_connection (self);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (rs_store_parent_class)->finalize (object);
}

static void
rs_store_class_init (RsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rs_store_finalize;

  /* Counting every allocation takes a lock that all connections share;
   * nothing here asks for the counts. Too late once SQLite is in use, which
   * is harmless. */
  sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
}

static void
rs_store_init (RsStore *self)
{
}

/**
 * rs_store_default_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/resiliencescan/tracker.db`
 */
char *
rs_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "resiliencescan", "tracker.db", NULL);
}

/**
 * rs_store_open:
 * @path: (nullable): the database file, or %NULL for the default
 *
 * Opens or creates the tracker database and brings its schema up to date.
 * The store may be used from any thread; each thread gets its own
 * connection from rs_store_get_connection().
 */
RsStore *
rs_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(RsStore) self = NULL;
  g_autofree char *dir = NULL;
  gboolean migrated;
  sqlite3 *db;
  char *real;
  GStatBuf info;

  self = g_object_new (RS_TYPE_STORE, NULL);
  self->path = path ? g_strdup (path) : rs_store_default_path ();
  self->serial = __atomic_fetch_add (&next_serial, 1, __ATOMIC_SEQ_CST);

  /* SQLite names the write-ahead log after the name it was given: two
   * names of one file (hard links) would each get a log of their own, and
   * each would read the file without what the other wrote (a send through
   * one would mail again everyone sent through the other). */
  if (g_stat (self->path, &info) == 0 && S_ISREG (info.st_mode) && info.st_nlink > 1)
    {
      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN,
                   _("The tracker database “%s” has %u names (hard links): its statuses "
                     "cannot be kept right through more than one. Remove the other names "
                     "(or make them symbolic links), then open it again"),
                   self->path, (guint) info.st_nlink);
      return NULL;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, RS_STORE_ERROR, RS_STORE_ERROR_OPEN,
                   _("Could not create the folder “%s” for the tracker database: %s"),
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  /* A migration may rebuild a table that others refer to, which SQLite
   * allows only with foreign keys off; migrate() checks them before it
   * commits. The setting cannot change inside a transaction. */
  db = rs_store_get_connection (self, error);
  if (db == NULL)
    return NULL;
  rs_store_exec (db, "PRAGMA foreign_keys = OFF", NULL);
  migrated = rs_store_write (self, migrate, self->path, error);
  rs_store_exec (db, "PRAGMA foreign_keys = ON", NULL);
  if (!migrated)
    return NULL;

  /* From here on the store is known by the file it really is, as SQLite
   * knows it: its -wal and -shm, its folder of import rows and the send
   * lock are next to that file, whatever path (a symbolic link, a
   * relative one) reached it. */
  real = realpath (self->path, NULL);
  if (real != NULL)
    {
      g_free (self->path);
      self->path = g_strdup (real);
      free (real);
    }

  return g_steal_pointer (&self);
}

/**
 * rs_store_get_path:
 *
 * Returns: the database file as it really is, with symbolic links
 *   resolved, once it exists
 */
const char *
rs_store_get_path (RsStore *self)
{
  g_return_val_if_fail (RS_IS_STORE (self), NULL);

  return self->path;
}

/**
 * rs_store_get_sources_dir:
 *
 * Returns: (transfer full): the folder next to the database that holds the
 *   source rows of the imports
 */
char *
rs_store_get_sources_dir (RsStore *self)
{
  g_return_val_if_fail (RS_IS_STORE (self), NULL);

  return g_strconcat (self->path, ".sources", NULL);
}

/**
 * rs_store_get_source_path:
 *
 * Returns: (transfer full): the file with the source rows written by the
 *   import with id @import_id in the import_log
 */
char *
rs_store_get_source_path (RsStore *self,
                          gint64   import_id)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (RS_IS_STORE (self), NULL);

  dir = rs_store_get_sources_dir (self);
  name = g_strdup_printf ("import-%" G_GINT64_FORMAT ".txt", import_id);

  return g_build_filename (dir, name, NULL);
}

/**
 * rs_store_get_connection:
 *
 * Returns: (transfer none): the calling thread's own connection to the
 *   database, opened on first use and closed when the thread ends (or by
 *   rs_store_release_connection()). Never hand it to another thread.
 */
sqlite3 *
rs_store_get_connection (RsStore  *self,
                         GError  **error)
{
  GHashTable *table;
  sqlite3 *db;

  g_return_val_if_fail (RS_IS_STORE (self), NULL);

  table = get_thread_table ();
  db = g_hash_table_lookup (table, &self->serial);
  if (db == NULL)
    {
      db = connection_open (self->path, error);
      if (db == NULL)
        return NULL;
      g_hash_table_insert (table, g_memdup2 (&self->serial, sizeof self->serial), db);
    }

  return db;
}

/**
 * rs_store_release_connection:
 *
 * Closes the calling thread's connection, if it has one. Jobs call this when
 * they finish so that a pooled thread does not keep the file open.
 */
void
rs_store_release_connection (RsStore *self)
{
  GHashTable *table;

  g_return_if_fail (RS_IS_STORE (self));

  table = g_private_get (&thread_connections);
  if (table != NULL)
    g_hash_table_remove (table, &self->serial);
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/**
 * rs_store_write:
 * @func: does the writing; it may run more than once
 *
 * Runs @func inside BEGIN IMMEDIATE … COMMIT on the calling thread's
 * connection. When the database is busy the whole transaction is rolled back
 * and tried again, so SQLITE_BUSY reaches the caller only after a long wait.
 */
gboolean
rs_store_write (RsStore           *self,
                RsStoreWriteFunc   func,
                gpointer           user_data,
                GError           **error)
{
  sqlite3 *db;

  g_return_val_if_fail (RS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  db = rs_store_get_connection (self, error);
  if (db == NULL)
    return FALSE;

  g_return_val_if_fail (sqlite3_get_autocommit (db), FALSE);

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      int rc;

      rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
      if (rc == SQLITE_OK)
        {
          if (func (db, user_data, &local_error))
            {
              rc = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
              if (rc == SQLITE_OK)
                return TRUE;
              rs_store_set_error_from_db (db, rc, &local_error);
            }
          rollback (db);
        }
      else
        {
          rs_store_set_error_from_db (db, rc, &local_error);
        }

      if (!g_error_matches (local_error, RS_STORE_ERROR, RS_STORE_ERROR_BUSY) ||
          attempt >= WRITE_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      g_debug ("Database busy (attempt %u), trying the transaction again", attempt);
      g_usleep (g_random_int_range (1000, 20000));
    }
}

/**
 * rs_store_checkpoint:
 *
 * Copies what the write-ahead log holds into the database file, as far as
 * no reader still needs it, without making anyone wait. A write that left a
 * large log (an import) calls for one; readers find their rows faster
 * after it.
 */
gboolean
rs_store_checkpoint (RsStore  *self,
                     GError  **error)
{
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (RS_IS_STORE (self), FALSE);

  db = rs_store_get_connection (self, error);
  if (db == NULL)
    return FALSE;

  rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  if (rc != SQLITE_OK)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

static gpointer
checkpoint_job (RsStore       *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  return rs_store_checkpoint (store, error) ? GINT_TO_POINTER (TRUE) : NULL;
}

/**
 * rs_store_checkpoint_async:
 *
 * Runs rs_store_checkpoint() in a worker thread.
 */
void
rs_store_checkpoint_async (RsStore             *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (RS_IS_STORE (self));

  rs_store_run_async (self, checkpoint_job, NULL, NULL, NULL, cancellable, callback,
                      user_data);
}

gboolean
rs_store_checkpoint_finish (RsStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return rs_store_run_finish (self, result, error) != NULL;
}

/**
 * rs_store_get_open_connection_count:
 *
 * Returns: how many connections are open in this process, in all threads.
 */
guint
rs_store_get_open_connection_count (void)
{
  return (guint) g_atomic_int_get (&open_connections);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  RsStore *store;

  store = rs_store_open (task_data, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The connection made for the migration belongs to this pooled thread. */
  rs_store_release_connection (store);
  g_task_return_pointer (task, store, g_object_unref);
}

/**
 * rs_store_open_async:
 *
 * Opens the store in a worker thread, so the caller's main loop never waits
 * for the disk or a migration.
 */
void
rs_store_open_async (const char          *path,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

RsStore *
rs_store_open_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  RsStoreJobFunc func;
  gpointer data;
  GDestroyNotify data_free;
  GDestroyNotify result_free;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RsStore *store = source_object;
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  gpointer result;

  rs_thread_set_background ();
  result = job->func (store, job->data, cancellable, &error);
  rs_store_release_connection (store);

  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, job->result_free);
}

/**
 * rs_store_run_async:
 * @func: runs in a worker thread; returns %NULL with an error, or a result
 * @data_free: (nullable): frees @data once the job is done
 * @result_free: (nullable): frees a result nobody took
 *
 * Runs database work off the calling thread, on the worker's own
 * connection, which is closed again afterwards.
 */
void
rs_store_run_async (RsStore             *self,
                    RsStoreJobFunc       func,
                    gpointer             data,
                    GDestroyNotify       data_free,
                    GDestroyNotify       result_free,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (RS_IS_STORE (self));
  g_return_if_fail (func != NULL);

  job = g_new0 (Job, 1);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rs_store_run_async);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, job_thread);
}

/* Returns: (transfer full): what the job returned, or %NULL with @error set */
gpointer
rs_store_run_finish (RsStore       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * rs_store_get_data_version:
 *
 * Returns: SQLite's data_version of the calling thread's connection: it
 *   changes when any other connection commits. -1 on error.
 */
gint64
rs_store_get_data_version (RsStore *self)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 version = -1;

  g_return_val_if_fail (RS_IS_STORE (self), -1);

  db = rs_store_get_connection (self, NULL);
  if (db == NULL)
    return -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

/* Reads the scores from the RS_STORE_SCORE_COLUMNS of @stmt that start at
 * column @first; a missing score is NAN. */
void
rs_store_read_scores (sqlite3_stmt *stmt,
                      int           first,
                      double        scores[RS_N_SCORES])
{
  for (guint i = 0; i < RS_N_SCORES; i++)
    scores[i] = sqlite3_column_type (stmt, first + i) == SQLITE_NULL
                ? NAN : sqlite3_column_double (stmt, first + i);
}

/* The change counter: see migration 5. Reads its value, in the snapshot of
 * the transaction that the caller has open. */
gboolean
rs_store_read_change (sqlite3  *db,
                      gint64   *change,
                      GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "SELECT value FROM change_counter", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *change = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}

/* Takes the next number of the change counter, inside a write
 * transaction, for a writer that stamps its rows itself. */
gboolean
rs_store_next_change (sqlite3  *db,
                      gint64   *change,
                      GError  **error)
{
  return rs_store_exec (db, "UPDATE change_counter SET value = value + 1", error) &&
         rs_store_read_change (db, change, error);
}

sqlite3_stmt *
rs_store_prepare (sqlite3     *db,
                  const char  *sql,
                  GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      rs_store_set_error_from_db (db, rc, error);
      return NULL;
    }

  return stmt;
}

void
rs_store_bind_text (sqlite3_stmt *stmt,
                    const char   *name,
                    const char   *text)
{
  int at = sqlite3_bind_parameter_index (stmt, name);

  g_assert (at > 0);
  if (text == NULL)
    sqlite3_bind_null (stmt, at);
  else
    sqlite3_bind_text (stmt, at, text, -1, SQLITE_TRANSIENT);
}

void
rs_store_bind_int64 (sqlite3_stmt *stmt,
                     const char   *name,
                     gint64        value)
{
  int at = sqlite3_bind_parameter_index (stmt, name);

  g_assert (at > 0);
  sqlite3_bind_int64 (stmt, at, value);
}

gboolean
rs_store_step_done (sqlite3       *db,
                    sqlite3_stmt  *stmt,
                    GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return rs_store_set_error_from_db (db, rc, error);

  return TRUE;
}
