//! The library's analysed titles, their shots and keyframes, candidate
//! pairs and duplicate links: what `scan` writes and `pairs` and
//! `duplicates` read.

use super::{Store, StoreError};
use crate::matching::{Candidate, Components, PairKind, ShotRef};
use rusqlite::{params, OptionalExtension, Row};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS titles (
    content_hash TEXT NOT NULL PRIMARY KEY,
    path TEXT NOT NULL,
    frame_rate TEXT NOT NULL,
    start_timecode TEXT,
    frame_count INTEGER NOT NULL,
    shots INTEGER NOT NULL,
    analysis TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0,
    added_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE IF NOT EXISTS shots (
    content_hash TEXT NOT NULL,
    shot INTEGER NOT NULL,
    first_frame INTEGER NOT NULL,
    last_frame INTEGER NOT NULL,
    entry_key INTEGER NOT NULL,
    exit_key INTEGER NOT NULL,
    group_shot INTEGER NOT NULL,
    PRIMARY KEY (content_hash, shot)
);
CREATE TABLE IF NOT EXISTS keyframes (
    key INTEGER NOT NULL PRIMARY KEY,
    content_hash TEXT NOT NULL,
    shot INTEGER NOT NULL,
    frame INTEGER NOT NULL,
    composition BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS keyframes_by_title ON keyframes (content_hash);
CREATE TABLE IF NOT EXISTS pairs (
    id TEXT NOT NULL PRIMARY KEY,
    from_hash TEXT NOT NULL,
    from_shot INTEGER NOT NULL,
    from_frame INTEGER NOT NULL,
    to_hash TEXT NOT NULL,
    to_shot INTEGER NOT NULL,
    to_frame INTEGER NOT NULL,
    descriptor REAL NOT NULL,
    composition REAL NOT NULL,
    score REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT 'frame'
);
CREATE INDEX IF NOT EXISTS pairs_by_score ON pairs (score DESC, id);
CREATE INDEX IF NOT EXISTS pairs_by_from ON pairs (from_hash);
CREATE INDEX IF NOT EXISTS pairs_by_to ON pairs (to_hash);
CREATE TABLE IF NOT EXISTS duplicates (
    a_hash TEXT NOT NULL,
    a_shot INTEGER NOT NULL,
    b_hash TEXT NOT NULL,
    b_shot INTEGER NOT NULL,
    similarity REAL NOT NULL,
    PRIMARY KEY (a_hash, a_shot, b_hash, b_shot)
);
";

/// A title as the library records it.
#[derive(Clone, Debug, PartialEq)]
pub struct TitleRecord {
    pub content_hash: String,
    /// Where the file was last seen.
    pub path: String,
    /// `"24000/1001"`.
    pub frame_rate: String,
    pub start_timecode: Option<String>,
    pub frame_count: u64,
    pub shots: usize,
    /// Versions and parameters of every stage that produced the record.
    pub analysis: String,
    /// Its file was not found where it was last seen, or holds other
    /// content now (set by scans and exports; never written by
    /// [`Store::commit_title`], which clears it).
    pub missing: bool,
}

/// A shot as the library records it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShotRecord {
    pub shot: usize,
    pub first_frame: u64,
    pub last_frame: u64,
    pub entry_key: u64,
    pub exit_key: u64,
    /// The first shot of its near-duplicate group (itself when alone).
    pub group_shot: usize,
    /// Its footage prints, concatenated ([`crate::matching::footage`]).
    pub prints: Vec<i8>,
    /// Its ends' motion ([`crate::motion`]; `None`: not measured).
    pub motion: Option<crate::motion::ShotMotion>,
}

/// A shot of a title that is never matched, and why ([`SetAside::reason`]:
/// `black`, `colour`, `card` or `short`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub shot: usize,
    pub first_frame: u64,
    pub last_frame: u64,
    pub reason: String,
    /// Footage prints of a shot that shows a picture (short, card): set
    /// aside from matching, still recognised as re-used footage.
    pub prints: Vec<i8>,
}

/// An indexed keyframe (entry or exit) of a shot.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyframeRecord {
    pub key: u64,
    pub shot: usize,
    pub frame: u64,
    pub composition: Vec<i8>,
    /// The descriptor, quantised to 8 bits (`matching::exact`).
    pub vector: Vec<i8>,
    /// Its subject's and surroundings' features (`matching::setups`).
    pub regions: Vec<i8>,
    /// How clearly a figure stands out (`matching::composition::figure`).
    pub figure: f32,
}

/// Two shots of different titles that are the same footage.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateRecord {
    pub a: ShotRef,
    pub b: ShotRef,
    pub similarity: f32,
}

fn bytes_of(v: &[i8]) -> Vec<u8> {
    v.iter().map(|&x| x as u8).collect()
}

/// The columns [`candidate_of`] reads, in its order.
const PAIR_COLUMNS: &str = "id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, descriptor, composition, score, light, edges, lines, subject, objects, salient, figure, motion";

/// A JSON column's value, `None` when empty or unreadable (a value written
/// by a later version is ignored, not fatal).
pub(super) fn json_column<T: serde::de::DeserializeOwned>(text: Option<String>) -> Option<T> {
    serde_json::from_str(&text?).ok()
}

/// A value as a JSON column (`None` stays NULL).
pub(super) fn to_json_column<T: serde::Serialize>(value: Option<&T>) -> Option<String> {
    value.and_then(|v| serde_json::to_string(v).ok())
}

fn candidate_of(row: &Row) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        id: row.get(0)?,
        from: ShotRef {
            content_hash: row.get(1)?,
            shot: row.get::<_, i64>(2)? as usize,
        },
        from_frame: row.get::<_, i64>(3)? as u64,
        to: ShotRef {
            content_hash: row.get(4)?,
            shot: row.get::<_, i64>(5)? as usize,
        },
        to_frame: row.get::<_, i64>(6)? as u64,
        components: Components {
            descriptor: row.get::<_, f64>(7)? as f32,
            composition: row.get::<_, f64>(8)? as f32,
            light: row.get::<_, f64>(10)? as f32,
            edges: row.get::<_, f64>(11)? as f32,
            lines: row.get::<_, f64>(12)? as f32,
            subject: row.get::<_, f64>(13)? as f32,
            objects: row.get::<_, f64>(14)? as f32,
            salient: row.get::<_, f64>(15)? as f32,
            figure: row.get::<_, f64>(16)? as f32,
            motion: json_column(row.get(17)?),
        },
        score: row.get::<_, f64>(9)? as f32,
    })
}

impl Store {
    /// The recorded title with this content, if any.
    pub fn title(&self, content_hash: &str) -> Result<Option<TitleRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis, missing FROM titles WHERE content_hash = ?1",
                [content_hash],
                title_of,
            )
            .optional()
            .map_err(|e| self.error("cannot read a title", e))
    }

    /// Every recorded title, by path.
    pub fn titles(&self) -> Result<Vec<TitleRecord>, StoreError> {
        let read = || -> rusqlite::Result<Vec<TitleRecord>> {
            let mut stmt = self.conn.prepare(
                "SELECT content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis, missing FROM titles ORDER BY path",
            )?;
            let rows = stmt.query_map([], title_of)?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the titles", e))
    }

    /// Titles recorded but not indexed: their shots and lists are to be
    /// (re)built from their stored features.
    pub fn unindexed_titles(&self) -> Result<Vec<String>, StoreError> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self.conn.prepare(
                "SELECT content_hash FROM titles WHERE indexed = 0 ORDER BY content_hash",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the titles", e))
    }

    /// Marks a title's file missing (or found again).
    pub fn set_missing(&self, content_hash: &str, missing: bool) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE titles SET missing = ?2 WHERE content_hash = ?1",
                params![content_hash, missing],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot record a title", e))
    }

    /// Updates where a title's file was last seen.
    pub fn set_title_path(&self, content_hash: &str, path: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE titles SET path = ?2, missing = 0 WHERE content_hash = ?1",
                [content_hash, path],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot record a title", e))
    }

    /// The shots of a title that are never matched, in order.
    pub fn set_aside(&self, content_hash: &str) -> Result<Vec<SetAside>, StoreError> {
        self.title_rows(
            "SELECT shot, first_frame, last_frame, reason, prints FROM set_aside WHERE content_hash = ?1 ORDER BY shot",
            content_hash,
            "cannot read the shots set aside",
            |r| {
                Ok(SetAside {
                    shot: r.get::<_, i64>(0)? as usize,
                    first_frame: r.get::<_, i64>(1)? as u64,
                    last_frame: r.get::<_, i64>(2)? as u64,
                    reason: r.get(3)?,
                    prints: signed(r.get(4)?),
                })
            },
        )
    }

    /// Every shot of a title, matched or set aside: (shot, first frame,
    /// last frame), in order.
    pub fn shot_ranges(&self, content_hash: &str) -> Result<Vec<(usize, u64, u64)>, StoreError> {
        self.title_rows(
            "SELECT shot, first_frame, last_frame FROM shots WHERE content_hash = ?1
             UNION ALL SELECT shot, first_frame, last_frame FROM set_aside WHERE content_hash = ?1
             ORDER BY shot",
            content_hash,
            "cannot read the shots",
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as usize,
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                ))
            },
        )
    }

    /// A title's shots, in order.
    pub fn shots(&self, content_hash: &str) -> Result<Vec<ShotRecord>, StoreError> {
        self.title_rows(
            "SELECT shot, first_frame, last_frame, entry_key, exit_key, group_shot, prints, motion FROM shots WHERE content_hash = ?1 ORDER BY shot",
            content_hash,
            "cannot read the shots",
            |r| {
                Ok(ShotRecord {
                    shot: r.get::<_, i64>(0)? as usize,
                    first_frame: r.get::<_, i64>(1)? as u64,
                    last_frame: r.get::<_, i64>(2)? as u64,
                    entry_key: r.get::<_, i64>(3)? as u64,
                    exit_key: r.get::<_, i64>(4)? as u64,
                    group_shot: r.get::<_, i64>(5)? as usize,
                    prints: signed(r.get(6)?),
                    motion: json_column(r.get(7)?),
                })
            },
        )
    }

    /// Every row `sql` (one parameter: a content hash) gives, mapped by `row`.
    fn title_rows<T>(
        &self,
        sql: &str,
        content_hash: &str,
        what: &'static str,
        row: impl FnMut(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let read = |row| -> rusqlite::Result<Vec<T>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([content_hash], row)?;
            rows.collect()
        };
        read(row).map_err(|e| self.error(what, e))
    }

    /// Calls `visit` on every recorded pair (of one kind, or all),
    /// best score first, until it returns false.
    pub fn visit_pairs_by_score(
        &self,
        kind: Option<PairKind>,
        visit: &mut dyn FnMut(Candidate) -> bool,
    ) -> Result<(), StoreError> {
        let mut read = || -> rusqlite::Result<()> {
            let filter = if kind.is_some() {
                "WHERE kind = ?1"
            } else {
                ""
            };
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {PAIR_COLUMNS} FROM pairs {filter} ORDER BY score DESC, id"
            ))?;
            let mut rows = match kind {
                Some(k) => stmt.query([k.name()])?,
                None => stmt.query([])?,
            };
            while let Some(row) = rows.next()? {
                if !visit(candidate_of(row)?) {
                    break;
                }
            }
            Ok(())
        };
        read().map_err(|e| self.error("cannot read the pairs", e))
    }

    /// Number of recorded pairs.
    pub fn pair_count(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM pairs", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error("cannot read the pairs", e))
    }

    /// The candidate pair with this id, if the library lists it.
    pub fn pair(&self, id: &str) -> Result<Option<Candidate>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {PAIR_COLUMNS} FROM pairs WHERE id = ?1"),
                [id],
                candidate_of,
            )
            .optional()
            .map_err(|e| self.error("cannot read a pair", e))
    }

    /// The framing signature of a title's keyframe at `frame`
    /// (`matching::composition`), if that frame is an indexed keyframe.
    pub fn keyframe_composition(
        &self,
        content_hash: &str,
        frame: u64,
    ) -> Result<Option<Vec<i8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT composition FROM keyframes WHERE content_hash = ?1 AND frame = ?2 LIMIT 1",
                params![content_hash, frame as i64],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .map(|found| found.map(|b| b.into_iter().map(|x| x as i8).collect()))
            .map_err(|e| self.error("cannot read a keyframe", e))
    }

    /// Whether the library lists a candidate pair with this id.
    pub fn has_pair(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM pairs WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.error("cannot read the pairs", e))
    }

    /// Every duplicate link.
    pub fn duplicates(&self) -> Result<Vec<DuplicateRecord>, StoreError> {
        let read = || -> rusqlite::Result<Vec<DuplicateRecord>> {
            let mut stmt = self
                .conn
                .prepare("SELECT a_hash, a_shot, b_hash, b_shot, similarity FROM duplicates ORDER BY a_hash, a_shot, b_hash, b_shot")?;
            let rows = stmt.query_map([], |r| {
                Ok(DuplicateRecord {
                    a: ShotRef {
                        content_hash: r.get(0)?,
                        shot: r.get::<_, i64>(1)? as usize,
                    },
                    b: ShotRef {
                        content_hash: r.get(2)?,
                        shot: r.get::<_, i64>(3)? as usize,
                    },
                    similarity: r.get::<_, f64>(4)? as f32,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read duplicates", e))
    }

    /// Shots that belong to a larger near-duplicate group: (shot, its
    /// group's first shot).
    pub fn group_links(&self) -> Result<Vec<(ShotRef, ShotRef)>, StoreError> {
        let read = || -> rusqlite::Result<Vec<(ShotRef, ShotRef)>> {
            let mut stmt = self.conn.prepare(
                "SELECT content_hash, shot, group_shot FROM shots WHERE shot != group_shot",
            )?;
            let rows = stmt.query_map([], |r| {
                let hash: String = r.get(0)?;
                let member = ShotRef {
                    content_hash: hash.clone(),
                    shot: r.get::<_, i64>(1)? as usize,
                };
                let first = ShotRef {
                    content_hash: hash,
                    shot: r.get::<_, i64>(2)? as usize,
                };
                Ok((member, first))
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the shot groups", e))
    }
}

/// A stored 8-bit vector (none: empty).
pub(super) fn signed(bytes: Option<Vec<u8>>) -> Vec<i8> {
    bytes
        .unwrap_or_default()
        .into_iter()
        .map(|b| b as i8)
        .collect()
}

/// Runs `sql` once for each item, with the values `bind` gives it.
fn insert_each<T>(
    tx: &rusqlite::Transaction,
    sql: &str,
    items: &[T],
    bind: impl Fn(&mut rusqlite::Statement, &T) -> rusqlite::Result<usize>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(sql)?;
    for item in items {
        bind(&mut stmt, item)?;
    }
    Ok(())
}

pub(super) fn insert_shots(
    tx: &rusqlite::Transaction,
    hash: &str,
    shots: &[ShotRecord],
) -> rusqlite::Result<()> {
    insert_each(
        tx,
        "INSERT INTO shots (content_hash, shot, first_frame, last_frame, entry_key, exit_key, group_shot, prints, motion) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        shots,
        |stmt, s| {
            stmt.execute(params![
                hash,
                s.shot as i64,
                s.first_frame as i64,
                s.last_frame as i64,
                s.entry_key as i64,
                s.exit_key as i64,
                s.group_shot as i64,
                bytes_of(&s.prints),
                to_json_column(s.motion.as_ref())
            ])
        },
    )
}

pub(super) fn insert_set_aside(
    tx: &rusqlite::Transaction,
    hash: &str,
    shots: &[SetAside],
) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM set_aside WHERE content_hash = ?1", [hash])?;
    insert_each(
        tx,
        "INSERT INTO set_aside (content_hash, shot, first_frame, last_frame, reason, prints) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        shots,
        |stmt, s| {
            stmt.execute(params![
                hash,
                s.shot as i64,
                s.first_frame as i64,
                s.last_frame as i64,
                s.reason,
                bytes_of(&s.prints)
            ])
        },
    )
}

pub(super) fn insert_keyframes(
    tx: &rusqlite::Transaction,
    hash: &str,
    keyframes: &[KeyframeRecord],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "INSERT OR REPLACE INTO keyframes (key, content_hash, shot, frame, composition, vector, regions, figure) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for k in keyframes {
        stmt.execute(params![
            k.key as i64,
            hash,
            k.shot as i64,
            k.frame as i64,
            bytes_of(&k.composition),
            bytes_of(&k.vector),
            bytes_of(&k.regions),
            f64::from(k.figure)
        ])?;
    }
    Ok(())
}

fn title_of(r: &Row) -> rusqlite::Result<TitleRecord> {
    Ok(TitleRecord {
        content_hash: r.get(0)?,
        path: r.get(1)?,
        frame_rate: r.get(2)?,
        start_timecode: r.get(3)?,
        frame_count: r.get::<_, i64>(4)? as u64,
        shots: r.get::<_, i64>(5)? as usize,
        analysis: r.get(6)?,
        missing: r.get(7)?,
    })
}
