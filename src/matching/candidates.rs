//! Candidate pairs for a title joining the library: its exits against the
//! entries index, its entries against the exits index.

use super::{
    composition, pair_id, score, Candidate, Components, KeyframeInfo, KeyframeLookup, MatchError,
    MatchParams, Point, ShotPoints, ShotRef,
};
use crate::index::VectorIndex;
use std::collections::{HashMap, HashSet};

/// The new title, and what must not be paired within it or across.
pub struct TitleContext<'a> {
    pub content_hash: &'a str,
    pub shots: &'a [ShotPoints],
    /// Shot number → its near-duplicate group's representative.
    pub groups: HashMap<usize, usize>,
    /// (shot of this title, shot of another title) that are the same footage.
    pub duplicates: HashSet<(usize, ShotRef)>,
}

impl TitleContext<'_> {
    /// Whether `shot` of this title may not be paired with `other`.
    fn excluded(&self, shot: usize, other: &ShotRef, params: &MatchParams) -> bool {
        if other.content_hash != self.content_hash {
            return self.duplicates.contains(&(shot, other.clone()));
        }
        shot.abs_diff(other.shot) <= params.adjacent_window
            || self.groups.get(&shot) == self.groups.get(&other.shot)
    }

    fn shot_ref(&self, shot: usize) -> ShotRef {
        ShotRef {
            content_hash: self.content_hash.to_string(),
            shot,
        }
    }
}

/// Every candidate the title's shots take part in, unranked (a pair found
/// from both sides appears once).
pub fn find_candidates(
    title: &TitleContext,
    entries: &VectorIndex,
    exits: &VectorIndex,
    lookup: &dyn KeyframeLookup,
    params: &MatchParams,
) -> Result<Vec<Candidate>, MatchError> {
    let asked = params.k + 2 * params.adjacent_window + 1;
    let mut found: HashMap<String, Candidate> = HashMap::new();
    for shot in title.shots {
        // This shot's exit against the entries (it cuts out), its entry
        // against the exits (it cuts in).
        for (direction, index) in [(Direction::Out, entries), (Direction::In, exits)] {
            for n in index.search(&direction.point(shot).vector, asked)? {
                let Some(info) = lookup.keyframe(n.key)? else {
                    continue;
                };
                if !title.excluded(shot.shot, &info.shot, params) {
                    let c = candidate(title, shot, &info, direction, n.similarity, params);
                    found.entry(c.id.clone()).or_insert(c);
                }
            }
        }
    }
    let mut out: Vec<Candidate> = found.into_values().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}

/// Which way a shot of the new title takes part in a cut.
#[derive(Clone, Copy)]
enum Direction {
    /// It cuts out (its exit) to a stored shot.
    Out,
    /// A stored shot cuts in to it (its entry).
    In,
}

impl Direction {
    fn point(self, shot: &ShotPoints) -> &Point {
        match self {
            Direction::Out => &shot.exit,
            Direction::In => &shot.entry,
        }
    }
}

fn components(ours: &Point, theirs: &KeyframeInfo, descriptor: f32) -> Components {
    Components {
        descriptor,
        composition: composition::similarity(&ours.composition, &theirs.composition),
    }
}

/// A shot and its frame range: one end of a pair.
type End = (ShotRef, u64, u64);

/// The candidate cutting from `from` (its last frame) to `to` (its first).
fn pair(from: End, to: End, c: Components, params: &MatchParams) -> Candidate {
    Candidate {
        id: pair_id(
            (&from.0.content_hash, from.1, from.2),
            (&to.0.content_hash, to.1, to.2),
        ),
        from_frame: from.2,
        to_frame: to.1,
        from: from.0,
        to: to.0,
        components: c,
        score: score(c, params),
    }
}

/// The candidate between this title's `shot` and the stored shot of
/// `info`, cutting in `direction`.
fn candidate(
    title: &TitleContext,
    shot: &ShotPoints,
    info: &KeyframeInfo,
    direction: Direction,
    similarity: f32,
    params: &MatchParams,
) -> Candidate {
    let ours = (title.shot_ref(shot.shot), shot.first_frame, shot.last_frame);
    let theirs = (info.shot.clone(), info.first_frame, info.last_frame);
    let c = components(direction.point(shot), info, similarity);
    match direction {
        Direction::Out => pair(ours, theirs, c, params),
        Direction::In => pair(theirs, ours, c, params),
    }
}
