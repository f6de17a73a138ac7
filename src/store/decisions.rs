//! The library's decision log: every approve / reject / clear event this
//! library knows, its own and the team's, in the library's store file.
//!
//! An editor's decision is committed here first (`synchronous = FULL`, so
//! it is durable the moment [`LocalDecisions::record`] returns), with
//! `pushed = 0`: the **outbox**. The sync job pushes the outbox to the
//! shared store and pulls the team's events back into this log, so the
//! library shows the team's state even while the shared store is away.

use super::{failed, open_local, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What an editor decided about a candidate pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approve,
    Reject,
    /// Withdraws the editor's earlier approve or reject.
    Clear,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Reject => "reject",
            Decision::Clear => "clear",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "approve" => Some(Decision::Approve),
            "reject" => Some(Decision::Reject),
            "clear" => Some(Decision::Clear),
            _ => None,
        }
    }
}

impl rusqlite::ToSql for Decision {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// Where an editor put a proposed cut: the frame indices of the outgoing
/// shot's out-frame (the last picture before the cut) and the incoming
/// shot's in-frame (the first after it). A decision without one keeps the
/// proposal's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CutPoints {
    pub out_frame: u64,
    pub in_frame: u64,
}

/// One decision, as made by one editor. `id` is unique across machines;
/// `pair_id` is the candidate pair's stable id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DecisionEvent {
    pub id: String,
    pub pair_id: String,
    pub editor: String,
    /// Milliseconds since the Unix epoch, UTC, on the deciding machine
    /// (shown to people; its clock may be wrong).
    pub decided_at_ms: i64,
    pub decision: Decision,
    pub note: Option<String>,
    /// Hybrid logical clock: the deciding machine's time in ms, raised
    /// above every event that library knew when it decided. Of one
    /// editor's events on a pair, the highest clock counts, so a decision
    /// made after seeing another wins whatever the machines' clocks say.
    pub clock: i64,
    /// The editor's trim of the cut, when they moved it.
    pub cut: Option<CutPoints>,
}

pub(super) const EVENT_COLUMNS: &str =
    "id, pair_id, editor, decided_at_ms, decision, note, clock, out_frame, in_frame";

/// The placeholders of [`EVENT_COLUMNS`].
pub(super) const EVENT_VALUES: &str = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9";

/// An event's values in [`EVENT_COLUMNS`] order.
pub(super) fn event_values(e: &DecisionEvent) -> [Box<dyn rusqlite::ToSql + '_>; 9] {
    // SQLite integers are signed 64-bit; frame indices never come near.
    let frame = |f: u64| i64::try_from(f).unwrap_or(i64::MAX);
    [
        Box::new(&e.id),
        Box::new(&e.pair_id),
        Box::new(&e.editor),
        Box::new(e.decided_at_ms),
        Box::new(e.decision),
        Box::new(&e.note),
        Box::new(e.clock),
        Box::new(e.cut.map(|c| frame(c.out_frame))),
        Box::new(e.cut.map(|c| frame(c.in_frame))),
    ]
}

pub(super) fn event_of(row: &Row) -> rusqlite::Result<DecisionEvent> {
    event_of_at(row, 0)
}

/// The event in [`EVENT_COLUMNS`] order from column `at` of `row` on.
fn event_of_at(row: &Row, at: usize) -> rusqlite::Result<DecisionEvent> {
    let text: String = row.get(at + 4)?;
    let decision = Decision::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            at + 4,
            rusqlite::types::Type::Text,
            format!("unknown decision {text:?}").into(),
        )
    })?;
    let decided_at_ms = row.get(at + 3)?;
    Ok(DecisionEvent {
        id: row.get(at)?,
        pair_id: row.get(at + 1)?,
        editor: row.get(at + 2)?,
        decided_at_ms,
        decision,
        note: row.get(at + 5)?,
        // Written without a clock (by a version before clocks, after the
        // migration): its wall time stands in.
        clock: row.get::<_, Option<i64>>(at + 6)?.unwrap_or(decided_at_ms),
        cut: match (
            row.get::<_, Option<i64>>(at + 7)?,
            row.get::<_, Option<i64>>(at + 8)?,
        ) {
            (Some(out_frame), Some(in_frame)) => Some(CutPoints {
                out_frame: out_frame.max(0) as u64,
                in_frame: in_frame.max(0) as u64,
            }),
            _ => None,
        },
    })
}

/// The decision log of one library store file, on its own connection.
pub struct LocalDecisions {
    conn: Connection,
    path: PathBuf,
}

impl LocalDecisions {
    /// Opens the decision log of the store at `path` (creating the store
    /// when there is none).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            conn: open_local(path, "FULL")?,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, what: &'static str, e: rusqlite::Error) -> StoreError {
        failed(&self.path, what, e)
    }

    /// Commits one of this library's own decisions (into the outbox).
    pub fn record(&self, event: &DecisionEvent) -> Result<(), StoreError> {
        self.conn
            .execute(
                &format!("INSERT INTO decisions ({EVENT_COLUMNS}, own, pushed) VALUES ({EVENT_VALUES}, 1, 0)"),
                rusqlite::params_from_iter(event_values(event)),
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot record the decision", e))
    }

    /// Up to `limit` own events not yet in the shared store, oldest first.
    pub fn outbox(&self, limit: usize) -> Result<Vec<DecisionEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM decisions WHERE pushed = 0 ORDER BY rowid LIMIT ?1"
        );
        self.select(&sql, params![limit as i64])
    }

    /// How many own events wait for the shared store.
    pub fn pending(&self) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM decisions WHERE pushed = 0", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(|e| self.error("cannot read the outbox", e))
    }

    /// Marks events as stored in the shared store.
    pub fn mark_pushed(&mut self, ids: &[String]) -> Result<(), StoreError> {
        let write = |conn: &mut Connection| {
            let tx = conn.transaction()?;
            {
                let mut update = tx.prepare("UPDATE decisions SET pushed = 1 WHERE id = ?1")?;
                for id in ids {
                    update.execute([id])?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.error("cannot update the outbox", e))
    }

    /// Adds the team's events pulled from the shared store (events already
    /// known are skipped) and moves that store's pull cursor to `seq`, in
    /// one transaction. Returns the events that were new here.
    pub fn merge_pulled(
        &mut self,
        store_id: &str,
        seq: i64,
        events: &[DecisionEvent],
    ) -> Result<Vec<DecisionEvent>, StoreError> {
        let write = |conn: &mut Connection| {
            let tx = conn.transaction()?;
            let mut new = Vec::new();
            {
                let mut insert = tx.prepare(&format!(
                    "INSERT OR IGNORE INTO decisions ({EVENT_COLUMNS}, own, pushed) VALUES ({EVENT_VALUES}, 0, 1)"
                ))?;
                for e in events {
                    let added = insert.execute(rusqlite::params_from_iter(event_values(e)))?;
                    if added > 0 {
                        new.push(e.clone());
                    }
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO sync_state (store_id, pulled_seq) VALUES (?1, ?2)",
                params![store_id, seq],
            )?;
            tx.commit()?;
            Ok(new)
        };
        write(&mut self.conn).map_err(|e| self.error("cannot record the team's decisions", e))
    }

    /// How far the log of shared store `store_id` has been pulled; `None`
    /// for a store this library has never synced with.
    pub fn pulled_seq(&self, store_id: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT pulled_seq FROM sync_state WHERE store_id = ?1",
                [store_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error("cannot read the sync state", e))
    }

    /// Puts every own event back into the outbox: for a shared store this
    /// library has never synced with (a new or replaced file), which then
    /// receives everything this library ever decided.
    pub fn requeue_own(&self) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE decisions SET pushed = 0 WHERE own = 1", [])
            .map(|_| ())
            .map_err(|e| self.error("cannot update the outbox", e))
    }

    /// Every event known here, in clock order.
    pub fn events(&self) -> Result<Vec<DecisionEvent>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions ORDER BY clock, id");
        self.select(&sql, [])
    }

    /// The highest clock of any event known here (0 when there is none).
    pub fn max_clock(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(clock), 0) FROM decisions", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.error("cannot read the decisions", e))
    }

    /// Events stored after position `after` (a rowid; 0 for all), with the
    /// position of the last one: what another process, or the sync, added
    /// to this library since it was last looked at.
    pub fn since(&self, after: i64) -> Result<(i64, Vec<DecisionEvent>), StoreError> {
        let read = || {
            let mut statement = self.conn.prepare(&format!(
                "SELECT rowid, {EVENT_COLUMNS} FROM decisions WHERE rowid > ?1 ORDER BY rowid"
            ))?;
            let mut last = after;
            let mut events = Vec::new();
            let mut rows = statement.query([after])?;
            while let Some(row) = rows.next()? {
                last = row.get(0)?;
                events.push(event_of_at(row, 1)?);
            }
            Ok((last, events))
        };
        read().map_err(|e: rusqlite::Error| self.error("cannot read the decisions", e))
    }

    /// The position of the last event stored (0 when there is none).
    pub fn last_position(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(rowid), 0) FROM decisions", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.error("cannot read the decisions", e))
    }

    /// A setting of the library (`None` when not set).
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error("cannot read the library's settings", e))
    }

    /// Sets a setting of the library, or removes it (`None`).
    pub fn set_setting(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        let done = match value {
            Some(value) => self.conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
                [key, value],
            ),
            None => self
                .conn
                .execute("DELETE FROM settings WHERE key = ?1", [key]),
        };
        done.map(|_| ())
            .map_err(|e| self.error("cannot write the library's settings", e))
    }

    fn select(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<DecisionEvent>, StoreError> {
        let read = || {
            let mut statement = self.conn.prepare(sql)?;
            let rows = statement.query_map(args, event_of)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        };
        read().map_err(|e| self.error("cannot read the decisions", e))
    }
}
