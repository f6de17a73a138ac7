//! The library's motion pairs after a title's arrival or departure
//! ([`crate::matching::motion`]): found again over every title whose shots
//! move, and committed with the title's other changes in one transaction.
//! The titles are the ones the neighbour lists' changes read anyway
//! ([`super::lists`]): [`Moving`] keeps their moving shots as they pass, so
//! the library is read once. An index over a few numbers per moving shot
//! makes this cheap beside a title's analysis.

use crate::matching::motion::{candidates, DuplicateShots};
use crate::matching::neighbours::TitleVectors;
use crate::matching::{Candidate, MatchParams};
use crate::store::{DuplicateRecord, Store, StoreError};
use std::collections::HashSet;

/// The moving shots of the titles seen (their other shots never make
/// motion pairs).
#[derive(Default)]
pub struct Moving(Vec<TitleVectors>);

impl Moving {
    /// Keeps `title`'s shots whose motion is known, if any.
    pub fn keep(&mut self, title: &TitleVectors) {
        let moving: HashSet<usize> = (title.shots.iter())
            .filter(|s| s.motion.is_some())
            .map(|s| s.shot)
            .collect();
        if !moving.is_empty() {
            self.0.push(title.subset(&moving));
        }
    }
}

/// The motion pairs once `new` (not yet stored) has joined the titles
/// `others` (every other title, as [`super::lists::addition`] saw them),
/// with its duplicate links `new_duplicates`; `None` when it moves
/// nowhere, so the pairs stay as they are.
pub fn after_addition(
    store: &Store,
    others: Moving,
    new: &TitleVectors,
    new_duplicates: &[DuplicateRecord],
    params: &MatchParams,
) -> Result<Option<Vec<Candidate>>, StoreError> {
    if !new.shots.iter().any(|s| s.motion.is_some()) {
        return Ok(None);
    }
    let mut titles = others.0;
    titles.push(new.clone());
    let mut duplicates = stored_duplicate_shots(store, &new.content_hash)?;
    for d in new_duplicates {
        duplicates.insert((d.a.clone(), d.b.clone()));
        duplicates.insert((d.b.clone(), d.a.clone()));
    }
    find(store, &titles, &duplicates, params).map(Some)
}

/// The motion pairs once `gone` has left the titles `others` (every other
/// title, as [`super::lists::removal`] saw them).
pub fn after_removal(
    store: &Store,
    others: Moving,
    gone: &str,
    params: &MatchParams,
) -> Result<Option<Vec<Candidate>>, StoreError> {
    let duplicates = stored_duplicate_shots(store, gone)?;
    find(store, &others.0, &duplicates, params).map(Some)
}

fn find(
    store: &Store,
    titles: &[TitleVectors],
    duplicates: &DuplicateShots,
    params: &MatchParams,
) -> Result<Vec<Candidate>, StoreError> {
    let refs: Vec<&TitleVectors> = titles.iter().collect();
    candidates(&refs, duplicates, params).map_err(|e| StoreError {
        path: store.path().to_path_buf(),
        what: "cannot find motion pairs",
        reason: e.to_string(),
    })
}

/// The stored duplicate links, both ways round, but those of `except`.
fn stored_duplicate_shots(store: &Store, except: &str) -> Result<DuplicateShots, StoreError> {
    let mut out = DuplicateShots::new();
    for d in store.duplicates()? {
        if d.a.content_hash != except && d.b.content_hash != except {
            out.insert((d.a.clone(), d.b.clone()));
            out.insert((d.b, d.a));
        }
    }
    Ok(out)
}
