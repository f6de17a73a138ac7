//! Duplicate footage across titles: the same shot re-used, re-encoded,
//! re-graded, resized or slightly cropped. A shot of the new title is a
//! duplicate of a shot of another title when its entry is among that
//! shot's entry's nearest neighbours and its exit among that shot's exit's,
//! both at least [`MatchParams::duplicate_similarity`] alike.

use super::{KeyframeLookup, MatchError, MatchParams, ShotPoints, ShotRef};
use crate::index::VectorIndex;
use std::collections::HashMap;

/// A shot of the new title and the shot of another title it duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateLink {
    pub shot: usize,
    pub other: ShotRef,
    /// The lower of the entry and exit similarities.
    pub similarity: f32,
}

/// The duplicates of `shots` (of the title `content_hash`) among the other
/// titles in the indexes.
pub fn find_duplicates(
    content_hash: &str,
    shots: &[ShotPoints],
    entries: &VectorIndex,
    exits: &VectorIndex,
    lookup: &dyn KeyframeLookup,
    params: &MatchParams,
) -> Result<Vec<DuplicateLink>, MatchError> {
    let mut links = Vec::new();
    for shot in shots {
        let by_entry = alike(content_hash, &shot.entry.vector, entries, lookup, params)?;
        if by_entry.is_empty() {
            continue;
        }
        let by_exit = alike(content_hash, &shot.exit.vector, exits, lookup, params)?;
        for (other, entry_similarity) in by_entry {
            let Some(&exit_similarity) = by_exit.get(&other) else {
                continue;
            };
            if entry_similarity.max(exit_similarity) >= params.duplicate_similarity {
                links.push(DuplicateLink {
                    shot: shot.shot,
                    other,
                    similarity: entry_similarity.min(exit_similarity),
                });
            }
        }
    }
    links.sort_by(|a, b| (a.shot, &a.other).cmp(&(b.shot, &b.other)));
    Ok(links)
}

/// Shots of other titles with a keyframe at least the duplicate floor
/// alike, and how alike.
fn alike(
    content_hash: &str,
    query: &[f32],
    index: &VectorIndex,
    lookup: &dyn KeyframeLookup,
    params: &MatchParams,
) -> Result<HashMap<ShotRef, f32>, MatchError> {
    let mut out = HashMap::new();
    for n in index.search(query, params.k)? {
        if n.similarity < params.duplicate_floor {
            break;
        }
        let Some(info) = lookup.keyframe(n.key)? else {
            continue;
        };
        if info.shot.content_hash != content_hash {
            out.entry(info.shot).or_insert(n.similarity);
        }
    }
    Ok(out)
}
