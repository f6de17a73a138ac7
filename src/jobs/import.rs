//! A catalogue build's titles and pairs into a library
//! ([`LibraryData::import`]): the records a local scan would write, the
//! pairs with the lists that hold them, each list's k-th value, the
//! duplicate links, in one transaction. The library then reads, reviews,
//! and takes new titles exactly as if it had scanned them itself.

use super::library::{LibraryData, LibraryDataError, NewTitle, TitleMeta, WriterLock};
use crate::matching::neighbours::Role;
use crate::matching::ShotRef;
use crate::store::lists::ImportedTitle;
use crate::store::{DuplicateRecord, ListChanges, ListedPair, TitleRecord};
use std::collections::{BTreeSet, HashMap};

/// What an import wrote.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Imported {
    pub titles: usize,
    pub shots: usize,
    pub pairs: usize,
    pub duplicates: usize,
    /// Pairs editors decided on that the build no longer proposes: kept.
    pub decided_kept: usize,
}

impl LibraryData {
    /// Replaces the library's pairs by a build's: `titles` are every title
    /// the build holds (a superset of the library's), `pairs` its
    /// proposals, `duplicates` its links. Decisions are keyed by pair id
    /// (content), so every decision stays, and pairs decided on stay.
    pub fn import(
        &mut self,
        _lock: &WriterLock,
        titles: &[(TitleMeta, NewTitle)],
        pairs: &[ListedPair],
        duplicates: &[DuplicateRecord],
        analysis_key: &str,
    ) -> Result<Imported, LibraryDataError> {
        let held: BTreeSet<&str> = titles
            .iter()
            .map(|(_, t)| t.vectors.content_hash.as_str())
            .collect();
        let outside: Vec<String> = self
            .store()
            .titles()?
            .into_iter()
            .map(|t| t.content_hash)
            .filter(|h| !held.contains(h.as_str()))
            .collect();
        if let Some(first) = outside.first() {
            return Err(LibraryDataError::NotInBuild {
                path: self.store().path().to_path_buf(),
                count: outside.len(),
                first: first.clone(),
            });
        }
        let records: Vec<TitleRecord> = titles
            .iter()
            .map(|(meta, new)| new.record(meta, analysis_key))
            .collect();
        let imported: Vec<ImportedTitle> = titles
            .iter()
            .zip(&records)
            .map(|((_, new), title)| ImportedTitle {
                title,
                shots: &new.shots,
                set_aside: &new.set_aside,
                keyframes: &new.keyframes,
            })
            .collect();
        let (motion, listed): (Vec<&ListedPair>, Vec<&ListedPair>) = pairs
            .iter()
            .partition(|p| !p.in_exit_list && !p.in_entry_list);
        let changes = ListChanges {
            listed: listed.into_iter().cloned().collect(),
            dropped: Vec::new(),
            kth: kth_values(titles, pairs, self.params().k),
            duplicates: duplicates.to_vec(),
            motion: Some(motion.into_iter().map(|p| p.candidate.clone()).collect()),
        };
        self.store_mut().commit_import(&imported, &changes)?;
        let stored = self.store().pair_count()? as usize;
        Ok(Imported {
            titles: titles.len(),
            shots: records.iter().map(|r| r.shots).sum(),
            pairs: pairs.len(),
            duplicates: duplicates.len(),
            decided_kept: stored.saturating_sub(pairs.len()),
        })
    }
}

/// The k-th score of every full list `pairs` hold (`in_exit_list`: the
/// exit's list, `in_entry_list`: the entry's): the least score of a list
/// of at least `k` members, as `TopK::kth` keeps it.
pub fn kth_of_lists(pairs: &[ListedPair], k: usize) -> HashMap<(ShotRef, Role), f32> {
    let mut members: HashMap<(ShotRef, Role), Vec<f32>> = HashMap::new();
    for p in pairs {
        let c = &p.candidate;
        if p.in_exit_list {
            members
                .entry((c.from.clone(), Role::Exit))
                .or_default()
                .push(c.score);
        }
        if p.in_entry_list {
            members
                .entry((c.to.clone(), Role::Entry))
                .or_default()
                .push(c.score);
        }
    }
    members
        .into_iter()
        .filter(|(_, m)| m.len() >= k)
        .filter_map(|(list, m)| Some((list, m.into_iter().min_by(f32::total_cmp)?)))
        .collect()
}

/// Every list's k-th value (`None` for a list of fewer than `k`).
fn kth_values(
    titles: &[(TitleMeta, NewTitle)],
    pairs: &[ListedPair],
    k: usize,
) -> Vec<(ShotRef, Role, Option<f32>)> {
    let full = kth_of_lists(pairs, k);
    let mut out = Vec::new();
    for (_, new) in titles {
        for row in 0..new.vectors.shots.len() {
            let shot = new.vectors.shot_ref(row);
            for role in [Role::Exit, Role::Entry] {
                let kth = full.get(&(shot.clone(), role)).copied();
                out.push((shot.clone(), role, kth));
            }
        }
    }
    out
}
