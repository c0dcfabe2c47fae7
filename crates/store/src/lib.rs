//! Store: Sitrep's embedded SQLite database — documents, per-document
//! analyses, event mentions, resolved events, zones and full-text search.
//!
//! Stage 6. Architecture invariant: knows the domain types of
//! `sitrep-model` and nothing of how they are computed; every write is
//! idempotent (documents are keyed by their content-derived id) and
//! batched in transactions, so a killed ingest loses nothing committed and
//! a rerun completes it.
//!
//! The schema is in `src/migrations/NNN_*.sql`, applied in order by
//! [`Store::open`] according to `PRAGMA user_version`.
//!
//! ```
//! use sitrep_model::Document;
//! use sitrep_store::{NewDocument, Store};
//! let mut store = Store::open_in_memory().unwrap();
//! let doc = Document { id: "0123456789abcdef".into(), path: "a.txt".into(),
//!                      text: "Shelling was reported near the dam.".into(), ..Default::default() };
//! let batch = vec![NewDocument::bare(doc)];
//! assert_eq!(store.insert_batch(&batch).unwrap(), 1);
//! assert_eq!(store.insert_batch(&batch).unwrap(), 0); // idempotent
//! assert_eq!(store.search("shelling", 10).unwrap().len(), 1);
//! ```

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

mod codec;
pub mod export;
mod query;
pub mod read;
mod write;

pub use query::{NameCount, SearchHit, Stats};
pub use write::{DocumentWriter, EncodedDocument, EventsWriter, NewDocument};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{path}: cannot open the database: {source}")]
    Open {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the database has schema version {found}, newer than this build supports ({supported}); upgrade sitrep")]
    TooNew { found: i64, supported: i64 },
    #[error("migration {version} failed: {source}")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: not a Sitrep database (schema version {found}, expected {expected}); run `sitrep ingest` on it first")]
    NotSitrep {
        path: String,
        found: i64,
        expected: i64,
    },
    #[error("{path}: written by an older Sitrep (schema version {found}; this one uses {expected}); opening it for writing upgrades it in place, keeping its data")]
    Older {
        path: String,
        found: i64,
        expected: i64,
    },
    #[error("stored value is damaged: {0}")]
    Corrupt(String),
    #[error("cannot encode for storage: {0}")]
    Encode(String),
    #[error("search query is not valid: {0}")]
    Query(String),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// The schema migrations, in order: (version, SQL). Version N brings the
/// database from user_version N-1 to N.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/001_init.sql")),
    (2, include_str!("migrations/002_packed_analyses.sql")),
    (3, include_str!("migrations/003_mentions_first.sql")),
    (4, include_str!("migrations/004_links_by_rowid.sql")),
    (5, include_str!("migrations/005_binary_mentions.sql")),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The oldest schema a read-only open accepts as it is. Version 5 changed
/// only how new rows' mentions are encoded, and readers take both, so a
/// version 4 store is read without being upgraded (written to) first.
const MIN_READ_VERSION: i64 = 4;

/// Page size of a new database file: SQLite's largest. An ingest writes
/// each page about three times (a WAL frame's header, the frame, the
/// checkpoint), one system call each, so bulk writes are cheaper in large
/// pages (measured in BENCHMARKS.md). The page cache is sized in bytes, so
/// memory is unchanged.
const PAGE_SIZE: u32 = 65536;

/// An open Sitrep database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date. Uses WAL (readers never block the writer),
    /// `synchronous = NORMAL` (a committed transaction survives a process
    /// kill; only an OS crash may lose the last ones), foreign keys and a
    /// busy timeout so a concurrent reader (the server) does not fail.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn, true)
    }

    /// Opens an existing database read-only (for the server and exports
    /// while an ingest may be running). Fails if the schema is missing,
    /// older than this build reads ([`StoreError::Older`]: [`Store::open`]
    /// upgrades it) or newer than this build.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found < MIN_READ_VERSION {
            let path = path.display().to_string();
            return Err(if found > 0 {
                StoreError::Older {
                    path,
                    found,
                    expected: SCHEMA_VERSION,
                }
            } else {
                StoreError::NotSitrep {
                    path,
                    found,
                    expected: SCHEMA_VERSION,
                }
            });
        }
        Ok(Store { conn })
    }

    /// A fresh in-memory store (tests, examples).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?, false)
    }

    fn setup(mut conn: Connection, wal: bool) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if wal {
            // Takes effect only on a database with no pages yet, and must
            // precede WAL mode, which fixes the size; an existing store
            // keeps its own.
            conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))?;
            // journal_mode returns a row, so it cannot go through execute().
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        }
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -32768;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Frees this connection's page cache and cached statements; they
    /// refill as needed. After an ingest the cache holds the documents
    /// just written (up to 32 MiB): resolution reads through its own
    /// connection and writes events through this one only once it has
    /// clustered, its largest state. SQLite allocates with the C library's
    /// malloc, which may keep what this frees (see
    /// `sitrep::PromptRelease`).
    pub fn release_memory(&self) -> Result<(), StoreError> {
        self.conn.flush_prepared_statement_cache();
        self.conn.execute_batch("PRAGMA shrink_memory;")?;
        Ok(())
    }

    /// The underlying connection, for read-side queries (see [`read`]).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.conn.path().filter(|p| !p.is_empty()).map(Path::new)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

/// Applies every migration newer than the database's `user_version`, each
/// in its own transaction together with the version bump.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for &(version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        // PRAGMA does not take bound parameters; `version` is our constant.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))
            .map_err(|source| StoreError::Migration { version, source })?;
        tx.commit()?;
        tracing::debug!(version, "applied schema migration");
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh folder for one test's database file (`path` does not exist
    /// yet); the test removes `dir` when done.
    pub(crate) fn temp_db(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("sitrep-store-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.db"));
        let _ = std::fs::remove_file(&path);
        (dir, path)
    }

    #[test]
    fn migrations_apply_once_and_reopen() {
        let (dir, path) = temp_db("mig");
        {
            let s = Store::open(&path).unwrap();
            assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
            let mode: String = s
                .conn()
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        drop(s);
        let ro = Store::open_read_only(&path).unwrap();
        assert_eq!(ro.schema_version().unwrap(), SCHEMA_VERSION);
        drop(ro);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// New files get the large page; a store made before keeps its own
    /// page size and is written and read as before.
    #[test]
    fn new_stores_use_large_pages_old_ones_keep_theirs() {
        let page_size = |s: &Store| -> u32 {
            s.conn()
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap()
        };
        let (dir, path) = temp_db("pages");
        assert_eq!(page_size(&Store::open(&path).unwrap()), PAGE_SIZE);
        let (old_dir, old) = temp_db("pages-old");
        {
            // What a build before large pages left: WAL mode on an empty
            // file writes its first page, which fixes the size.
            let c = Connection::open(&old).unwrap();
            c.execute_batch("PRAGMA page_size = 4096").unwrap();
            let mode: String = c
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
        }
        let mut s = Store::open(&old).unwrap();
        assert_eq!(page_size(&s), 4096);
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let doc = crate::write::tests::doc("d1", "Example Wire", "Shelling hit Idlib on Monday.");
        assert_eq!(
            s.insert_batch(&[crate::write::NewDocument::bare(doc)])
                .unwrap(),
            1
        );
        drop(s);
        let ro = Store::open_read_only(&old).unwrap();
        assert_eq!(page_size(&ro), 4096);
        let n: i64 = ro
            .conn()
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&old_dir);
    }

    /// Version 4 stores open read-only as they are (nothing in them needs
    /// an upgrade to be read); older ones need the upgrade a writer does.
    #[test]
    fn reads_version_4_without_upgrading_it() {
        let (dir, path) = temp_db("v4ro");
        drop(Store::open(&path).unwrap());
        let set = |v: i64| {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(&format!("PRAGMA user_version = {v}"))
                .unwrap();
        };
        set(4);
        let ro = Store::open_read_only(&path).unwrap();
        assert_eq!(ro.schema_version().unwrap(), 4);
        drop(ro);
        set(3);
        match Store::open_read_only(&path) {
            Err(StoreError::Older { found: 3, .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("read a version 3 store without upgrading it"),
        }
        // A writer upgrades a version 4 store in place.
        set(4);
        assert_eq!(
            Store::open(&path).unwrap().schema_version().unwrap(),
            SCHEMA_VERSION
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn refuses_newer_schema() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        match Store::setup(conn, false) {
            Err(StoreError::TooNew { found: 999, .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("opened a newer schema"),
        }
    }
}
