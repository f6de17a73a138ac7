//! The neighbour lists behind candidate pairs, as the store keeps them
//! (`matching::neighbours` defines them). A pair row says whether its exit's
//! list (`in_exit_list`) and its entry's list (`in_entry_list`) hold it; a
//! pair in neither list is deleted, unless an editor decided on it: an
//! approved cut does not vanish because a later title outranks it. A shot row keeps the k-th similarity of
//! its two lists, so a title joining the library only reads the lists it
//! can change.
//!
//! A title's addition or removal is one transaction: its records and every
//! list it changes, so a crash leaves the library as it was before or after.

use super::library::{
    insert_keyframes, insert_set_aside, insert_shots, json_column, signed, to_json_column,
    DuplicateRecord, KeyframeRecord, SetAside, ShotRecord, TitleRecord,
};
use super::{Store, StoreError};
use crate::matching::exact::Quantised;
use crate::matching::footage::{AsideFootage, Footage};
use crate::matching::neighbours::{Near, Role, ShotInfo, TitleVectors};
use crate::matching::{Candidate, ShotRef};
use rusqlite::{params, Transaction};

/// A pair now in one or both of its ends' lists.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedPair {
    pub candidate: Candidate,
    pub in_exit_list: bool,
    pub in_entry_list: bool,
}

/// What one title's addition or removal changes in the lists.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListChanges {
    /// Pairs entering lists (a pair already stored keeps the lists it was
    /// in and gains these).
    pub listed: Vec<ListedPair>,
    /// Pairs leaving one list: (pair id, whose list).
    pub dropped: Vec<(String, Role)>,
    /// Lists whose k-th similarity changed (`None`: fewer than k members).
    pub kth: Vec<(ShotRef, Role, Option<f32>)>,
    pub duplicates: Vec<DuplicateRecord>,
    /// The library's motion pairs now (`None`: unchanged). They replace
    /// the stored ones; those an editor decided on stay.
    pub motion: Option<Vec<Candidate>>,
}

fn role_column(role: Role) -> &'static str {
    match role {
        Role::Exit => "in_exit_list",
        Role::Entry => "in_entry_list",
    }
}

impl Store {
    /// Records a title (replacing what was recorded for the same content)
    /// with its shots, keyframes and list changes, in one transaction.
    pub fn commit_title(
        &mut self,
        title: &TitleRecord,
        (shots, set_aside): (&[ShotRecord], &[SetAside]),
        keyframes: &[KeyframeRecord],
        changes: &ListChanges,
    ) -> Result<(), StoreError> {
        let write = |tx: &Transaction| -> rusqlite::Result<()> {
            write_title(tx, title, (shots, set_aside), keyframes)?;
            apply(tx, changes)
        };
        self.in_transaction("cannot record a title", write)
    }

    /// Records a catalogue build's titles and its lists in one
    /// transaction: every pair no editor decided on and every duplicate
    /// link is dropped first, the decided pairs leave every list, then the
    /// build's pairs, k-th values and links are written.
    pub fn commit_import(
        &mut self,
        titles: &[ImportedTitle],
        changes: &ListChanges,
    ) -> Result<(), StoreError> {
        let write = |tx: &Transaction| -> rusqlite::Result<()> {
            tx.execute(
                "DELETE FROM pairs WHERE NOT EXISTS (SELECT 1 FROM decisions WHERE pair_id = pairs.id)",
                [],
            )?;
            tx.execute("UPDATE pairs SET in_exit_list = 0, in_entry_list = 0", [])?;
            tx.execute("DELETE FROM duplicates", [])?;
            for t in titles {
                write_title(tx, t.title, (t.shots, t.set_aside), t.keyframes)?;
            }
            apply(tx, changes)
        };
        self.in_transaction("cannot import a catalogue build", write)
    }

    /// Forgets a title (its shots, keyframes, pairs and duplicate links)
    /// and applies the list changes its absence makes, in one transaction.
    pub fn commit_removal(
        &mut self,
        content_hash: &str,
        changes: &ListChanges,
    ) -> Result<(), StoreError> {
        let write = |tx: &Transaction| -> rusqlite::Result<()> {
            for sql in [
                "DELETE FROM titles WHERE content_hash = ?1",
                "DELETE FROM shots WHERE content_hash = ?1",
                "DELETE FROM set_aside WHERE content_hash = ?1",
                "DELETE FROM keyframes WHERE content_hash = ?1",
                "DELETE FROM pairs WHERE from_hash = ?1 OR to_hash = ?1",
                "DELETE FROM duplicates WHERE a_hash = ?1 OR b_hash = ?1",
            ] {
                tx.execute(sql, [content_hash])?;
            }
            apply(tx, changes)
        };
        self.in_transaction("cannot remove a title", write)
    }

    fn in_transaction(
        &mut self,
        what: &'static str,
        write: impl FnOnce(&Transaction) -> rusqlite::Result<()>,
    ) -> Result<(), StoreError> {
        let run = |conn: &mut rusqlite::Connection| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            write(&tx)?;
            tx.commit()
        };
        run(&mut self.conn).map_err(|e| self.error(what, e))
    }

    /// A title's shots with their entry and exit descriptors, when it is
    /// indexed.
    pub fn title_vectors(&self, content_hash: &str) -> Result<Option<TitleVectors>, StoreError> {
        let read = || -> rusqlite::Result<TitleVectors> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT s.shot, s.first_frame, s.last_frame, s.group_shot, s.exit_kth, s.entry_kth,
                        ke.vector, ke.composition, kx.vector, kx.composition, ke.frame, kx.frame,
                        s.prints, ke.regions, kx.regions, ke.figure, kx.figure, s.motion
                 FROM shots s
                 JOIN keyframes ke ON ke.key = s.entry_key
                 JOIN keyframes kx ON kx.key = s.exit_key
                 WHERE s.content_hash = ?1 ORDER BY s.shot",
            )?;
            let mut title = TitleVectors {
                content_hash: content_hash.to_string(),
                shots: Vec::new(),
                entries: Quantised::default(),
                exits: Quantised::default(),
                footage: Footage::new(),
                aside: AsideFootage::default(),
            };
            let mut rows = stmt.query([content_hash])?;
            while let Some(r) = rows.next()? {
                let bytes = |n: usize| -> rusqlite::Result<Vec<i8>> { Ok(signed(r.get(n)?)) };
                title.shots.push(ShotInfo {
                    shot: r.get::<_, i64>(0)? as usize,
                    first_frame: r.get::<_, i64>(1)? as u64,
                    last_frame: r.get::<_, i64>(2)? as u64,
                    entry_frame: r.get::<_, i64>(10)? as u64,
                    exit_frame: r.get::<_, i64>(11)? as u64,
                    group_shot: r.get::<_, i64>(3)? as usize,
                    exit_kth: r.get::<_, Option<f64>>(4)?.map(|v| v as f32),
                    entry_kth: r.get::<_, Option<f64>>(5)?.map(|v| v as f32),
                    entry_composition: bytes(7)?,
                    exit_composition: bytes(9)?,
                    entry_vector: bytes(6)?,
                    exit_vector: bytes(8)?,
                    entry_regions: bytes(13)?,
                    exit_regions: bytes(14)?,
                    entry_figure: r.get::<_, Option<f64>>(15)?.unwrap_or(0.0) as f32,
                    exit_figure: r.get::<_, Option<f64>>(16)?.unwrap_or(0.0) as f32,
                    motion: json_column(r.get(17)?),
                });
                let (entry, exit) = (bytes(6)?, bytes(8)?);
                if title.entries.is_empty() {
                    // The descriptors' length, from the first stored one.
                    title.entries = Quantised::new(entry.len());
                    title.exits = Quantised::new(entry.len());
                }
                title.entries.push(&entry);
                title.exits.push(&exit);
                title.footage.push_shot(&bytes(12)?);
            }
            Ok(title)
        };
        if !self.is_indexed(content_hash)? {
            return Ok(None);
        }
        let mut title = read().map_err(|e| self.error("cannot read a title's keyframes", e))?;
        for s in self.set_aside(content_hash)? {
            title.aside.push(s.shot, &s.prints);
        }
        Ok(Some(title))
    }

    /// Whether the title's shots and lists are in place.
    pub fn is_indexed(&self, content_hash: &str) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*) > 0 FROM titles WHERE content_hash = ?1 AND indexed = 1",
                [content_hash],
                |r| r.get(0),
            )
            .map_err(|e| self.error("cannot read the titles", e))
    }

    /// Deletes rows that belong to no indexed title (left by versions
    /// before exact lists): shots, keyframes, pairs and duplicate links.
    pub fn drop_orphans(&mut self) -> Result<(), StoreError> {
        self.in_transaction("cannot clean up the library", |tx| {
            tx.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS live (h TEXT PRIMARY KEY);
                 DELETE FROM live;
                 INSERT INTO live SELECT content_hash FROM titles WHERE indexed = 1;
                 DELETE FROM shots WHERE content_hash NOT IN live;
                 DELETE FROM set_aside WHERE content_hash NOT IN live;
                 DELETE FROM keyframes WHERE content_hash NOT IN live;
                 DELETE FROM pairs WHERE from_hash NOT IN live OR to_hash NOT IN live;
                 DELETE FROM duplicates WHERE a_hash NOT IN live OR b_hash NOT IN live;",
            )
        })
    }

    /// Content hashes of the indexed titles, in hash order.
    pub fn indexed_titles(&self) -> Result<Vec<String>, StoreError> {
        self.strings(
            "SELECT content_hash FROM titles WHERE indexed = 1 ORDER BY content_hash",
            [],
        )
    }

    fn strings(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<String>, StoreError> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map(args, |r| r.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the titles", e))
    }

    /// The members of one shot's list: (pair id, the other shot).
    pub fn list(&self, role: Role, shot: &ShotRef) -> Result<Vec<(String, Near)>, StoreError> {
        let sql = match role {
            Role::Exit => "SELECT id, to_hash, to_shot, score FROM pairs WHERE from_hash = ?1 AND from_shot = ?2 AND in_exit_list = 1",
            Role::Entry => "SELECT id, from_hash, from_shot, score FROM pairs WHERE to_hash = ?1 AND to_shot = ?2 AND in_entry_list = 1",
        };
        let read = || -> rusqlite::Result<Vec<(String, Near)>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params![shot.content_hash, shot.shot as i64], |r| {
                let near = Near {
                    similarity: r.get::<_, f64>(3)? as f32,
                    other: ShotRef {
                        content_hash: r.get(1)?,
                        shot: r.get::<_, i64>(2)? as usize,
                    },
                };
                Ok((r.get(0)?, near))
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read the pairs", e))
    }

    /// The lists of other titles' shots that hold a shot of this title.
    pub fn lists_holding(&self, content_hash: &str) -> Result<Vec<(Role, ShotRef)>, StoreError> {
        let read = || -> rusqlite::Result<Vec<(Role, ShotRef)>> {
            let mut out = Vec::new();
            for (role, sql) in [
                (Role::Exit, "SELECT DISTINCT from_hash, from_shot FROM pairs WHERE to_hash = ?1 AND from_hash != ?1 AND in_exit_list = 1"),
                (Role::Entry, "SELECT DISTINCT to_hash, to_shot FROM pairs WHERE from_hash = ?1 AND to_hash != ?1 AND in_entry_list = 1"),
            ] {
                let mut stmt = self.conn.prepare(sql)?;
                let rows = stmt.query_map([content_hash], |r| {
                    Ok(ShotRef {
                        content_hash: r.get(0)?,
                        shot: r.get::<_, i64>(1)? as usize,
                    })
                })?;
                for shot in rows {
                    out.push((role, shot?));
                }
            }
            Ok(out)
        };
        read().map_err(|e| self.error("cannot read the pairs", e))
    }

    /// The duplicate links between two titles: (shot of `a`, shot of `b`).
    pub fn duplicates_between(&self, a: &str, b: &str) -> Result<Vec<(usize, usize)>, StoreError> {
        let read = || -> rusqlite::Result<Vec<(usize, usize)>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT a_hash, a_shot, b_shot FROM duplicates WHERE (a_hash = ?1 AND b_hash = ?2) OR (a_hash = ?2 AND b_hash = ?1)",
            )?;
            let rows = stmt.query_map([a, b], |r| {
                let (first, x, y): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                Ok(if first == a {
                    (x as usize, y as usize)
                } else {
                    (y as usize, x as usize)
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.error("cannot read duplicates", e))
    }
}

/// A title's records, as [`Store::commit_import`] writes them.
pub struct ImportedTitle<'a> {
    pub title: &'a TitleRecord,
    pub shots: &'a [ShotRecord],
    pub set_aside: &'a [SetAside],
    pub keyframes: &'a [KeyframeRecord],
}

/// Writes a title's record, shots, set-aside shots and keyframes,
/// replacing what was recorded for the same content.
fn write_title(
    tx: &Transaction,
    title: &TitleRecord,
    (shots, set_aside): (&[ShotRecord], &[SetAside]),
    keyframes: &[KeyframeRecord],
) -> rusqlite::Result<()> {
    let h = &title.content_hash;
    tx.execute("DELETE FROM shots WHERE content_hash = ?1", [h])?;
    tx.execute("DELETE FROM keyframes WHERE content_hash = ?1", [h])?;
    tx.execute(
        "INSERT OR REPLACE INTO titles (content_hash, path, frame_rate, start_timecode, frame_count, shots, analysis, indexed, missing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, 0)",
        params![h, title.path, title.frame_rate, title.start_timecode, title.frame_count as i64, title.shots as i64, title.analysis],
    )?;
    insert_shots(tx, h, shots)?;
    insert_set_aside(tx, h, set_aside)?;
    insert_keyframes(tx, h, keyframes)
}

/// Writes list changes inside a transaction: flags cleared, pairs written
/// or their flags raised, pairs in no list deleted, k-th values, links.
fn apply(tx: &Transaction, changes: &ListChanges) -> rusqlite::Result<()> {
    for (id, role) in &changes.dropped {
        let sql = format!("UPDATE pairs SET {} = 0 WHERE id = ?1", role_column(*role));
        tx.prepare_cached(&sql)?.execute([id])?;
    }
    let mut upsert = tx.prepare_cached(
        "INSERT INTO pairs (id, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, descriptor, composition, score, in_exit_list, in_entry_list, light, edges, lines, subject, objects, salient, figure, kind, motion)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (id) DO UPDATE SET
           in_exit_list = max(in_exit_list, excluded.in_exit_list),
           in_entry_list = max(in_entry_list, excluded.in_entry_list)",
    )?;
    let motion: &[Candidate] = changes.motion.as_deref().unwrap_or_default();
    if changes.motion.is_some() {
        tx.execute(
            "DELETE FROM pairs WHERE kind = 'motion'
               AND NOT EXISTS (SELECT 1 FROM decisions WHERE pair_id = pairs.id)",
            [],
        )?;
    }
    let written = changes
        .listed
        .iter()
        .map(|p| (&p.candidate, p.in_exit_list, p.in_entry_list));
    // Motion pairs are in no frame list.
    for (c, in_exit_list, in_entry_list) in written.chain(motion.iter().map(|c| (c, false, false)))
    {
        upsert.execute(params![
            c.id,
            c.from.content_hash,
            c.from.shot as i64,
            c.from_frame as i64,
            c.to.content_hash,
            c.to.shot as i64,
            c.to_frame as i64,
            f64::from(c.components.descriptor),
            f64::from(c.components.composition),
            f64::from(c.score),
            in_exit_list,
            in_entry_list,
            f64::from(c.components.light),
            f64::from(c.components.edges),
            f64::from(c.components.lines),
            f64::from(c.components.subject),
            f64::from(c.components.objects),
            f64::from(c.components.salient),
            f64::from(c.components.figure),
            c.components.kind().name(),
            to_json_column(c.components.motion.as_ref())
        ])?;
    }
    let mut orphan = tx.prepare_cached(
        "DELETE FROM pairs WHERE id = ?1 AND in_exit_list = 0 AND in_entry_list = 0
           AND NOT EXISTS (SELECT 1 FROM decisions WHERE pair_id = ?1)",
    )?;
    for (id, _) in &changes.dropped {
        orphan.execute([id])?;
    }
    for (shot, role, kth) in &changes.kth {
        let column = match role {
            Role::Exit => "exit_kth",
            Role::Entry => "entry_kth",
        };
        let sql = format!("UPDATE shots SET {column} = ?3 WHERE content_hash = ?1 AND shot = ?2");
        tx.prepare_cached(&sql)?.execute(params![
            shot.content_hash,
            shot.shot as i64,
            kth.map(f64::from)
        ])?;
    }
    let mut link =
        tx.prepare_cached("INSERT OR REPLACE INTO duplicates VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for d in &changes.duplicates {
        let (a, b) = if d.a <= d.b {
            (&d.a, &d.b)
        } else {
            (&d.b, &d.a)
        };
        link.execute(params![
            a.content_hash,
            a.shot as i64,
            b.content_hash,
            b.shot as i64,
            f64::from(d.similarity)
        ])?;
    }
    Ok(())
}
