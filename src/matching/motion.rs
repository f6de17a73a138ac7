//! Motion candidates: cuts where a movement carries across, found through
//! an index, never by comparing all pairs.
//!
//! Every shot entry that moves ([`carry::index_vector`]: a pan, a zoom or
//! a subject's run, with its direction and speed) goes into one HNSW index
//! (usearch, squared Euclidean). Every exit that moves asks it for the
//! entries nearest its own movement, keeps those whose movement carries on
//! ([`carry::carry`] at least [`MIN_CARRY`]) and that may be paired at all
//! (the exclusions of frame pairs: not the same or an adjacent shot, not
//! one near-duplicate group or one scene, not one set-up revisited, not
//! duplicate footage), and lists its best `k`. A still end is in no index
//! and asks nothing: still shots never make motion pairs.
//!
//! The pairs are a function of the library: titles and shots go into the
//! index in (title hash, shot) order, and ties fall by (title hash, shot).

use super::neighbours::{Near, TitleVectors, TopK};
use super::{motion_pair_id, setups, Candidate, Components, MatchParams, MotionParts, ShotRef};
use crate::motion::carry::{self, Carry};
use crate::motion::EndMotion;
use std::collections::HashSet;
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

/// Least carry score ([`Carry::score`]) of a motion pair: the directions
/// within about 25 degrees at the same speed, or the same direction at a
/// speed ratio of 1:4.
pub const MIN_CARRY: f32 = 0.5;

/// Entries each exit asks the index for, per member of its list: room for
/// those the exclusions turn away.
const ASK_PER_MEMBER: usize = 4;

/// Why motion candidates could not be found.
#[derive(Debug, thiserror::Error)]
#[error("motion index: {0}")]
pub struct MotionIndexError(String);

/// Duplicate footage across titles, both ways round.
pub type DuplicateShots = HashSet<(ShotRef, ShotRef)>;

/// One shot end in the search: its title, row and movement.
struct End<'a> {
    title: &'a TitleVectors,
    row: usize,
    motion: &'a EndMotion,
}

/// The motion pairs of a library: each moving exit's best `params.k`
/// continuations, best first per exit, exits in (title, shot) order.
pub fn candidates(
    titles: &[&TitleVectors],
    duplicates: &DuplicateShots,
    params: &MatchParams,
) -> Result<Vec<Candidate>, MotionIndexError> {
    let mut sorted: Vec<&TitleVectors> = titles.to_vec();
    sorted.sort_by(|a, b| a.content_hash.cmp(&b.content_hash));
    let entries: Vec<(End, [f32; carry::DIMENSIONS])> = ends(&sorted, false)
        .into_iter()
        .filter_map(|e| carry::index_vector(e.motion).map(|v| (e, v)))
        .collect();
    if entries.is_empty() || params.k == 0 {
        return Ok(Vec::new());
    }
    let index = build(&entries)?;
    let ask = (params.k * ASK_PER_MEMBER).min(entries.len());
    let mut out = Vec::new();
    for exit in ends(&sorted, true) {
        let Some(query) = carry::index_vector(exit.motion) else {
            continue;
        };
        let found = index
            .search(&query[..], ask)
            .map_err(|e| MotionIndexError(e.to_string()))?;

        let mut list = TopK::new(params.k);
        let mut parts = Vec::new();
        for key in found.keys {
            let Some((entry, _)) = entries.get(key as usize) else {
                continue;
            };
            let Some(c) = carry::carry(exit.motion, entry.motion) else {
                continue;
            };
            if c.score < MIN_CARRY || excluded(&exit, entry, duplicates, params) {
                continue;
            }
            let other = entry.title.shot_ref(entry.row);
            list.offer(Near {
                similarity: c.score,
                other: other.clone(),
            });
            parts.push((other, key as usize, c));
        }
        for near in list.items() {
            if let Some((_, key, c)) = parts.iter().find(|p| p.0 == near.other) {
                out.push(candidate(&exit, &entries[*key].0, c));
            }
        }
    }
    Ok(out)
}

/// The entries (or exits) of every shot whose motion is known, titles in
/// the order given, shots in order.
fn ends<'a>(titles: &[&'a TitleVectors], exit: bool) -> Vec<End<'a>> {
    let mut out = Vec::new();
    for &title in titles {
        for (row, shot) in title.shots.iter().enumerate() {
            if let Some(m) = &shot.motion {
                let motion = if exit { &m.exit } else { &m.entry };
                out.push(End { title, row, motion });
            }
        }
    }
    out
}

/// An index of the entries' movements, keyed by their position.
fn build(entries: &[(End, [f32; carry::DIMENSIONS])]) -> Result<Index, MotionIndexError> {
    let fail = |e: &dyn std::fmt::Display| MotionIndexError(e.to_string());
    let index = Index::new(&IndexOptions {
        dimensions: carry::DIMENSIONS,
        metric: MetricKind::L2sq,
        quantization: ScalarKind::F32,
        connectivity: 16,
        expansion_add: 128,
        expansion_search: 256,
        multi: false,
    })
    .map_err(|e| fail(&e))?;
    index.reserve(entries.len()).map_err(|e| fail(&e))?;
    for (key, (_, vector)) in entries.iter().enumerate() {
        index.add(key as u64, &vector[..]).map_err(|e| fail(&e))?;
    }
    Ok(index)
}

/// Whether an exit and an entry may not be paired: the same shot, one
/// set-up revisited, duplicate footage, or (in one title) shots next to
/// each other, of one group or of one scene.
fn excluded(exit: &End, entry: &End, duplicates: &DuplicateShots, params: &MatchParams) -> bool {
    let (x, y) = (&exit.title.shots[exit.row], &entry.title.shots[entry.row]);
    if setups::same_setup(&x.exit_regions, &y.entry_regions, params) {
        return true;
    }
    if exit.title.content_hash != entry.title.content_hash {
        let pair = (
            exit.title.shot_ref(exit.row),
            entry.title.shot_ref(entry.row),
        );
        return duplicates.contains(&pair);
    }
    x.shot.abs_diff(y.shot) <= params.adjacent_window
        || x.group_shot == y.group_shot
        || super::neighbours::one_scene(x, y, params)
}

/// The motion pair from `exit`'s shot to `entry`'s, with its framing
/// components beside the movement's. Its score is how well the movement
/// carries on times how strongly it reads, 0–1, on the scale of frame
/// pairs' (whose best framings score 0.8–1.0).
fn candidate(exit: &End, entry: &End, c: &Carry) -> Candidate {
    let (x, y) = (&exit.title.shots[exit.row], &entry.title.shots[entry.row]);
    let (a, b) = (exit.motion, entry.motion);
    let arrow = |m: &EndMotion| carry::movement(m).map(|m| m.arrow()).unwrap_or_default();
    let mut components = Components::of(x, y);
    components.motion = Some(MotionParts {
        what: c.what,
        direction: c.direction,
        speed_ratio: c.speed_ratio,
        exit: arrow(a),
        entry: arrow(b),
    });
    let (from, to) = (&exit.title.content_hash, &entry.title.content_hash);
    Candidate {
        id: motion_pair_id(
            (from, x.first_frame, x.last_frame),
            (to, y.first_frame, y.last_frame),
        ),
        from: exit.title.shot_ref(exit.row),
        to: entry.title.shot_ref(entry.row),
        from_frame: x.exit_frame,
        to_frame: y.entry_frame,
        components,
        score: c.score * c.strength,
    }
}

#[cfg(test)]
mod tests;
