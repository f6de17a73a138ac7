//! Candidate pairs out of the neighbour lists: a pair from a shot's exit
//! to another shot's entry, with its components and score, under an id
//! that is the same on every machine.

use super::neighbours::ShotInfo;
use super::{pair_id, score, Candidate, Components, ShotRef};

/// One end of a pair: the title's content hash and the shot.
pub type End<'a> = (&'a str, &'a ShotInfo);

/// The candidate cutting from `from`'s exit keyframe to `to`'s entry
/// keyframe.
pub fn candidate(from: End, to: End) -> Candidate {
    let components = Components::of(from.1, to.1);
    Candidate {
        id: pair_id(
            (from.0, from.1.first_frame, from.1.last_frame),
            (to.0, to.1.first_frame, to.1.last_frame),
        ),
        from: ShotRef {
            content_hash: from.0.to_string(),
            shot: from.1.shot,
        },
        to: ShotRef {
            content_hash: to.0.to_string(),
            shot: to.1.shot,
        },
        from_frame: from.1.exit_frame,
        to_frame: to.1.entry_frame,
        components,
        score: score(components),
    }
}
