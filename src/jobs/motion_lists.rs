//! The library's motion pairs after a title's arrival or departure
//! ([`crate::matching::motion`]): found again over every title whose motion
//! is known, from the store, and committed with the title's other changes
//! in one transaction. An index over a few numbers per moving shot makes
//! this cheap beside a title's analysis.

use crate::matching::motion::{candidates, DuplicateShots};
use crate::matching::neighbours::TitleVectors;
use crate::matching::{Candidate, MatchParams};
use crate::store::{DuplicateRecord, Store, StoreError};

/// The motion pairs once `new` (not yet stored) has joined, with its
/// duplicate links `new_duplicates`; `None` when it moves nowhere, so the
/// pairs stay as they are.
pub fn after_addition(
    store: &Store,
    new: &TitleVectors,
    new_duplicates: &[DuplicateRecord],
    params: &MatchParams,
) -> Result<Option<Vec<Candidate>>, StoreError> {
    if !new.shots.iter().any(|s| s.motion.is_some()) {
        return Ok(None);
    }
    let mut titles = stored_titles(store, &new.content_hash)?;
    titles.push(new.clone());
    let mut duplicates = stored_duplicate_shots(store, &new.content_hash)?;
    for d in new_duplicates {
        duplicates.insert((d.a.clone(), d.b.clone()));
        duplicates.insert((d.b.clone(), d.a.clone()));
    }
    find(store, &titles, &duplicates, params).map(Some)
}

/// The motion pairs once `gone` has left.
pub fn after_removal(
    store: &Store,
    gone: &str,
    params: &MatchParams,
) -> Result<Option<Vec<Candidate>>, StoreError> {
    let titles = stored_titles(store, gone)?;
    let duplicates = stored_duplicate_shots(store, gone)?;
    find(store, &titles, &duplicates, params).map(Some)
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

/// The stored titles with motion, but `except`.
fn stored_titles(store: &Store, except: &str) -> Result<Vec<TitleVectors>, StoreError> {
    let mut out = Vec::new();
    for hash in store.titles_with_motion()? {
        if hash != except {
            out.extend(store.title_vectors(&hash)?);
        }
    }
    Ok(out)
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
