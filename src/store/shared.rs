//! The team's shared decisions store: one SQLite file that every editor's
//! library pushes its decision events to and pulls the others' from.
//!
//! The file lives where the team can reach it, often a network share, so it
//! uses the **rollback journal** (`journal_mode = DELETE`), not WAL: WAL
//! keeps its index in shared memory (`-shm`), which only works for
//! processes on one machine and is unsafe on network file systems; the
//! rollback journal needs only the file locks. `synchronous = FULL` makes a
//! push durable when it commits. Writers are serialised by SQLite's lock; a
//! busy timeout absorbs the short waits, and the sync job retries with
//! backoff what the timeout cannot.
//!
//! The log is append-only: events are inserted once (`INSERT OR IGNORE` by
//! event id, so a push retried after a crash adds nothing twice) and never
//! changed; `seq` orders them for pulling.

use super::decisions::{event_of, event_values, DecisionEvent, EVENT_COLUMNS, EVENT_VALUES};
use super::migrate;
use rusqlite::{params, Connection, OpenFlags};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another process's lock before giving up
/// (the sync job then retries later).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the shared store cannot be used right now. Each is expected to pass:
/// decisions wait in the outbox meanwhile.
#[derive(Debug, thiserror::Error)]
pub enum SharedError {
    #[error("{}: its folder is missing (is the shared drive connected?)", path.display())]
    Missing { path: PathBuf },
    #[error("{}: the file is read-only", path.display())]
    ReadOnly { path: PathBuf },
    #[error("{}: locked by another process", path.display())]
    Locked { path: PathBuf },
    #[error("{}: {reason}", path.display())]
    Failed { path: PathBuf, reason: String },
}

/// An open connection to the shared store.
pub struct SharedStore {
    conn: Connection,
    path: PathBuf,
    store_id: String,
    /// Device and inode of the file when it was opened.
    identity: (u64, u64),
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

impl SharedStore {
    /// Opens the shared store at `path`, creating the file (not its folder)
    /// when it does not exist.
    pub fn open(path: &Path) -> Result<Self, SharedError> {
        let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
        if folder.is_some_and(|d| !d.is_dir()) {
            return Err(SharedError::Missing { path: path.into() });
        }
        // A file marked read-only is respected even by a privileged user.
        if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
            return Err(SharedError::ReadOnly { path: path.into() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let failed = |e: rusqlite::Error| classify(path, e);
        let mut conn = Connection::open_with_flags(path, flags).map_err(failed)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(failed)?;
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(failed)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(failed)?;
        migrate::to_latest(&mut conn, &migrate::SHARED).map_err(|reason| SharedError::Failed {
            path: path.into(),
            reason,
        })?;
        let store_id = conn
            .query_row(
                "SELECT value FROM store_info WHERE key = 'store_id'",
                [],
                |r| r.get(0),
            )
            .map_err(failed)?;
        Ok(Self {
            identity: identity(path).unwrap_or_default(),
            conn,
            path: path.to_path_buf(),
            store_id,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's identity: a new or replaced file has a new one.
    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    /// Whether the path still names the file this connection opened (it was
    /// not moved away, deleted, replaced or made read-only since).
    pub fn still_there(&self) -> bool {
        std::fs::metadata(&self.path)
            .is_ok_and(|m| (m.dev(), m.ino()) == self.identity && !m.permissions().readonly())
    }

    /// Appends events in one transaction; events already there are skipped.
    pub fn push(&mut self, events: &[DecisionEvent]) -> Result<(), SharedError> {
        let write = |conn: &mut Connection| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare(&format!(
                    "INSERT OR IGNORE INTO decisions ({EVENT_COLUMNS}) VALUES ({EVENT_VALUES})"
                ))?;
                for e in events {
                    insert.execute(rusqlite::params_from_iter(event_values(e)))?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| classify(&self.path, e))
    }

    /// Up to `limit` events appended after `seq`, in log order, with the
    /// `seq` of the last one returned.
    pub fn pull(&self, seq: i64, limit: usize) -> Result<(i64, Vec<DecisionEvent>), SharedError> {
        let read = || {
            let sql = format!(
                "SELECT {EVENT_COLUMNS}, seq FROM decisions WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            );
            let mut statement = self.conn.prepare(&sql)?;
            let mut last = seq;
            let rows = statement.query_map(params![seq, limit as i64], |row| {
                Ok((row.get::<_, i64>("seq")?, event_of(row)?))
            })?;
            let mut events = Vec::new();
            for row in rows {
                let (s, event) = row?;
                last = s;
                events.push(event);
            }
            Ok((last, events))
        };
        read().map_err(|e| classify(&self.path, e))
    }

    /// SQLite's `PRAGMA data_version`: changes whenever another connection
    /// commits to the file, so polling it notices the team's decisions
    /// without reading the log.
    pub fn data_version(&self) -> Result<i64, SharedError> {
        self.conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .map_err(|e| classify(&self.path, e))
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found.
    pub fn integrity_check(&self) -> Result<String, SharedError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| classify(&self.path, e))
    }
}

/// Sorts SQLite's errors into the cases the sync job reports.
fn classify(path: &Path, e: rusqlite::Error) -> SharedError {
    use rusqlite::ErrorCode;
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => SharedError::Locked { path },
        Some(ErrorCode::ReadOnly) => SharedError::ReadOnly { path },
        Some(ErrorCode::CannotOpen) if path.parent().is_some_and(|d| !d.is_dir()) => {
            SharedError::Missing { path }
        }
        _ => SharedError::Failed {
            path,
            reason: e.to_string(),
        },
    }
}
