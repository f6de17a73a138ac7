//! The library's analysed titles, their shots and keyframes, candidate
//! pairs and duplicate links: what `scan` writes and `pairs` and
//! `duplicates` read.

use super::{Store, StoreError};
use crate::matching::{Candidate, Components, KeyframeInfo, KeyframeLookup, ShotRef};
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
}

/// An indexed keyframe (entry or exit) of a shot.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyframeRecord {
    pub key: u64,
    pub shot: usize,
    pub frame: u64,
    pub composition: Vec<i8>,
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

fn i8s_of(v: Vec<u8>) -> Vec<i8> {
    v.into_iter().map(|x| x as i8).collect()
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
        },
        score: row.get::<_, f64>(9)? as f32,
    })
}

impl Store {
    /// Records a title, its shots and indexed keyframes, replacing what was
    /// recorded for the same content before.
    pub fn put_title(
        &mut self,
        title: &TitleRecord,
        shots: &[ShotRecord],
        keyframes: &[KeyframeRecord],
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| StoreError {
            path: path.clone(),
            what: "cannot record a title",
            reason: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(fail)?;
        let h = &title.content_hash;
        tx.execute("DELETE FROM shots WHERE content_hash = ?1", [h])
            .map_err(fail)?;
        tx.execute("DELETE FROM keyframes WHERE content_hash = ?1", [h])
            .map_err(fail)?;
        tx.execute(
            "INSERT OR REPLACE INTO titles (content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![h, title.path, title.frame_rate, title.start_timecode, title.frame_count as i64, title.shots as i64, title.analysis],
        )
        .map_err(fail)?;
        insert_shots(&tx, h, shots).map_err(fail)?;
        insert_keyframes(&tx, h, keyframes).map_err(fail)?;
        tx.commit().map_err(fail)
    }

    /// The recorded title with this content, if any.
    pub fn title(&self, content_hash: &str) -> Result<Option<TitleRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis FROM titles WHERE content_hash = ?1",
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
                "SELECT content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis FROM titles ORDER BY path",
            )?;
            let rows = stmt.query_map([], title_of)?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the titles", e))
    }

    /// Titles recorded since the indexes were last saved.
    pub fn unindexed_titles(&self) -> Result<Vec<String>, StoreError> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self
                .conn
                .prepare("SELECT content_hash FROM titles WHERE indexed = 0")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the titles", e))
    }

    /// Marks every recorded title as saved in the indexes.
    pub fn mark_indexed(&self) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE titles SET indexed = 1 WHERE indexed = 0", [])
            .map(|_| ())
            .map_err(|e| self.error("cannot record a title", e))
    }

    /// Updates where a title's file was last seen.
    pub fn set_title_path(&self, content_hash: &str, path: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE titles SET path = ?2 WHERE content_hash = ?1",
                [content_hash, path],
            )
            .map(|_| ())
            .map_err(|e| self.error("cannot record a title", e))
    }

    /// A title's shots, in order.
    pub fn shots(&self, content_hash: &str) -> Result<Vec<ShotRecord>, StoreError> {
        let read = || -> rusqlite::Result<Vec<ShotRecord>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT shot, first_frame, last_frame, entry_key, exit_key, group_shot FROM shots WHERE content_hash = ?1 ORDER BY shot",
            )?;
            let rows = stmt.query_map([content_hash], |r| {
                Ok(ShotRecord {
                    shot: r.get::<_, i64>(0)? as usize,
                    first_frame: r.get::<_, i64>(1)? as u64,
                    last_frame: r.get::<_, i64>(2)? as u64,
                    entry_key: r.get::<_, i64>(3)? as u64,
                    exit_key: r.get::<_, i64>(4)? as u64,
                    group_shot: r.get::<_, i64>(5)? as usize,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the shots", e))
    }

    /// Records candidate pairs (a pair already recorded is updated).
    pub fn put_candidates(&mut self, candidates: &[Candidate]) -> Result<(), StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare(
                    "INSERT OR REPLACE INTO pairs (id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, descriptor, composition, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for c in candidates {
                    stmt.execute(params![
                        c.id,
                        c.from.content_hash,
                        c.from.shot as i64,
                        c.from_frame as i64,
                        c.to.content_hash,
                        c.to.shot as i64,
                        c.to_frame as i64,
                        f64::from(c.components.descriptor),
                        f64::from(c.components.composition),
                        f64::from(c.score)
                    ])?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.error("cannot record the pairs", e))
    }

    /// Calls `visit` on every recorded pair, best score first, until it
    /// returns false.
    pub fn visit_pairs_by_score(
        &self,
        visit: &mut dyn FnMut(Candidate) -> bool,
    ) -> Result<(), StoreError> {
        let mut read = || -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare(
                "SELECT id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, descriptor, composition, score FROM pairs ORDER BY score DESC, id",
            )?;
            let mut rows = stmt.query([])?;
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
                "SELECT id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, descriptor, composition, score FROM pairs WHERE id = ?1",
                [id],
                candidate_of,
            )
            .optional()
            .map_err(|e| self.error("cannot read a pair", e))
    }

    /// Whether the library lists a candidate pair with this id.
    pub fn has_pair(&self, id: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row("SELECT 1 FROM pairs WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.error("cannot read the pairs", e))
    }

    /// Records duplicate links (each once, whichever side was added last).
    pub fn put_duplicates(&mut self, links: &[DuplicateRecord]) -> Result<(), StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            {
                let mut stmt =
                    tx.prepare("INSERT OR REPLACE INTO duplicates VALUES (?1, ?2, ?3, ?4, ?5)")?;
                for d in links {
                    let (a, b) = if d.a <= d.b {
                        (&d.a, &d.b)
                    } else {
                        (&d.b, &d.a)
                    };
                    stmt.execute(params![
                        a.content_hash,
                        a.shot as i64,
                        b.content_hash,
                        b.shot as i64,
                        f64::from(d.similarity)
                    ])?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.error("cannot record duplicates", e))
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

    /// Forgets a title: its shots, keyframes, pairs and duplicate links.
    /// Returns the index keys of its keyframes.
    pub fn remove_title(&mut self, content_hash: &str) -> Result<Vec<u64>, StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<Vec<u64>> {
            let tx = conn.transaction()?;
            let keys = {
                let mut stmt = tx.prepare("SELECT key FROM keyframes WHERE content_hash = ?1")?;
                let rows = stmt.query_map([content_hash], |r| r.get::<_, i64>(0))?;
                rows.map(|k| k.map(|k| k as u64))
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            for sql in [
                "DELETE FROM titles WHERE content_hash = ?1",
                "DELETE FROM shots WHERE content_hash = ?1",
                "DELETE FROM keyframes WHERE content_hash = ?1",
                "DELETE FROM pairs WHERE from_hash = ?1 OR to_hash = ?1",
                "DELETE FROM duplicates WHERE a_hash = ?1 OR b_hash = ?1",
            ] {
                tx.execute(sql, [content_hash])?;
            }
            tx.commit()?;
            Ok(keys)
        };
        write(&mut self.conn).map_err(|e| self.error("cannot remove a title", e))
    }
}

fn insert_shots(
    tx: &rusqlite::Transaction,
    hash: &str,
    shots: &[ShotRecord],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("INSERT INTO shots VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
    for s in shots {
        stmt.execute(params![
            hash,
            s.shot as i64,
            s.first_frame as i64,
            s.last_frame as i64,
            s.entry_key as i64,
            s.exit_key as i64,
            s.group_shot as i64
        ])?;
    }
    Ok(())
}

fn insert_keyframes(
    tx: &rusqlite::Transaction,
    hash: &str,
    keyframes: &[KeyframeRecord],
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare("INSERT OR REPLACE INTO keyframes VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for k in keyframes {
        stmt.execute(params![
            k.key as i64,
            hash,
            k.shot as i64,
            k.frame as i64,
            bytes_of(&k.composition)
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
    })
}

impl KeyframeLookup for Store {
    fn keyframe(&self, key: u64) -> Result<Option<KeyframeInfo>, StoreError> {
        let read = || -> rusqlite::Result<Option<KeyframeInfo>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT k.content_hash, k.shot, s.first_frame, s.last_frame, k.frame, k.composition FROM keyframes k JOIN shots s ON s.content_hash = k.content_hash AND s.shot = k.shot WHERE k.key = ?1",
            )?;
            stmt.query_row([key as i64], |r| {
                Ok(KeyframeInfo {
                    shot: ShotRef {
                        content_hash: r.get(0)?,
                        shot: r.get::<_, i64>(1)? as usize,
                    },
                    first_frame: r.get::<_, i64>(2)? as u64,
                    last_frame: r.get::<_, i64>(3)? as u64,
                    frame: r.get::<_, i64>(4)? as u64,
                    composition: i8s_of(r.get(5)?),
                })
            })
            .optional()
        };
        read().map_err(|e| self.error("cannot read a keyframe", e))
    }
}
