//! The local SQLite store: memoised features of analysed content.
//!
//! A feature is keyed by what determines it: the **content hash** of the
//! file (BLAKE3 of its bytes, so renaming, moving or copying a file changes
//! nothing), the **stage** (`shots`, `embed`), the **model** id and
//! version, and a hash of the stage's **parameters**. A stage whose model
//! or parameters change is recomputed; the others are not. The store also
//! remembers which hash a (path, size, modification time) had, so an
//! unchanged file is not read again.
//!
//! The file is opened in WAL mode with a busy timeout, so several processes
//! on one machine can share it. Its schema is versioned (`migrate`).
//!
//! The same file holds the library's decision log and outbox
//! ([`decisions`]); the team's decisions meet in a separate file,
//! [`shared`].

pub mod decisions;
mod library;
pub mod lists;
mod migrate;
pub mod shared;

pub use decisions::{CutPoints, Decision, DecisionEvent, LocalDecisions};
pub use library::{DuplicateRecord, KeyframeRecord, SetAside, ShotRecord, TitleRecord};
pub use lists::{ListChanges, ListedPair};
pub use shared::{SharedError, SharedStore};

use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why the store cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}: {what}: {reason}", path.display())]
pub struct StoreError {
    pub path: PathBuf,
    pub what: &'static str,
    pub reason: String,
}

/// What a feature is of, and how it was computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureKey<'a> {
    pub content_hash: &'a str,
    pub stage: &'a str,
    pub model: &'a str,
    pub params: &'a str,
}

/// One store file.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Opens the library's own store file (creating it and its folder) in WAL
/// mode with a busy timeout, and brings its schema up to date.
/// `synchronous` is `NORMAL` for analysis results (recomputable) and `FULL`
/// for decisions (durable at commit).
fn open_local(path: &Path, synchronous: &str) -> Result<Connection, StoreError> {
    let fail = |what, e: &dyn std::fmt::Display| StoreError {
        path: path.to_path_buf(),
        what,
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("cannot create its folder", &e))?;
    }
    let setup = |e: rusqlite::Error| fail("cannot configure the store", &e);
    let mut conn = Connection::open(path).map_err(|e| fail("cannot open the store", &e))?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(setup)?;
    set_wal(&conn).map_err(setup)?;
    conn.pragma_update(None, "synchronous", synchronous)
        .map_err(setup)?;
    migrate::to_latest(&mut conn, &migrate::LOCAL).map_err(|e| fail("cannot use the store", &e))?;
    Ok(conn)
}

/// Puts the file in WAL mode. While another process is creating the same
/// file SQLite answers "locked" at once, without waiting in its busy
/// handler: retried for up to 10 s.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(e) if is_busy(&e) && started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            done => return done,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A failed statement on the store at `path`.
fn failed(path: &Path, what: &'static str, e: rusqlite::Error) -> StoreError {
    StoreError {
        path: path.to_path_buf(),
        what,
        reason: e.to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: open_local(path, "NORMAL")?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, what: &'static str, e: rusqlite::Error) -> StoreError {
        failed(&self.path, what, e)
    }

    /// The stored value of a feature, if it was computed before.
    pub fn feature(&self, key: &FeatureKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM features WHERE content_hash = ?1 AND stage = ?2 AND model = ?3 AND params = ?4",
                params![key.content_hash, key.stage, key.model, key.params],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error("cannot read a feature", e))
    }

    /// Stores a feature (replacing an earlier value of the same key).
    pub fn put_feature(&self, key: &FeatureKey, value: &[u8]) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO features (content_hash, stage, model, params, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key.content_hash, key.stage, key.model, key.params, value],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot write a feature", e))
    }

    /// The content hash recorded for `path` when it had this size and
    /// modification time.
    pub fn known_hash(
        &self,
        path: &str,
        size: u64,
        modified_ns: i64,
    ) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT content_hash FROM file_hashes WHERE path = ?1 AND size = ?2 AND modified_ns = ?3",
                params![path, size as i64, modified_ns],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.error("cannot read a file hash", e))
    }

    /// Records the content hash of `path` at this size and modification time.
    pub fn remember_hash(
        &self,
        path: &str,
        size: u64,
        modified_ns: i64,
        hash: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO file_hashes (path, size, modified_ns, content_hash) VALUES (?1, ?2, ?3, ?4)",
                params![path, size as i64, modified_ns, hash],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot write a file hash", e))
    }
}
