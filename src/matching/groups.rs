//! Near-duplicate groups inside a title: shots of one camera set-up, cut
//! back to again and again (shot/reverse-shot dialogue, a recurring wide).
//!
//! The entry, middle and exit keyframes of every shot go into a temporary
//! index; each keyframe queries it, and two shots with any two keyframes at
//! least [`MatchParams::group_similarity`] alike are joined, transitively.
//! The group's representative is its first shot.

use super::{MatchParams, Point, ShotPoints, UnionFind};
use crate::index::{IndexError, IndexParams, VectorIndex};
use std::path::Path;

/// Neighbours looked at per shot.
const NEIGHBOURS: usize = 12;

fn keyframes(shot: &ShotPoints) -> [&Point; 3] {
    [&shot.entry, &shot.middle, &shot.exit]
}

/// For each shot (by position in `shots`), the shot number of its group's
/// representative.
pub fn near_duplicate_groups(
    shots: &[ShotPoints],
    params: &MatchParams,
) -> Result<Vec<usize>, IndexError> {
    let Some(first) = shots.first() else {
        return Ok(Vec::new());
    };
    let dims = first.middle.vector.len();
    let index = VectorIndex::empty(Path::new("near-duplicates"), IndexParams::new(dims))?;
    index.reserve(3 * shots.len())?;
    for (i, shot) in shots.iter().enumerate() {
        for (role, point) in keyframes(shot).into_iter().enumerate() {
            index.add((3 * i + role) as u64, &point.vector)?;
        }
    }
    let mut sets = UnionFind::new(shots.len());
    for (i, shot) in shots.iter().enumerate() {
        for point in keyframes(shot) {
            for n in index.search(&point.vector, NEIGHBOURS)? {
                if n.similarity >= params.group_similarity {
                    sets.union(i, n.key as usize / 3);
                }
            }
        }
    }
    Ok((0..shots.len()).map(|i| shots[sets.find(i)].shot).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(v: Vec<f32>) -> Point {
        Point {
            key: 0,
            frame: 0,
            vector: v,
            composition: Vec::new(),
        }
    }

    fn shot(shot: usize, v: Vec<f32>) -> ShotPoints {
        ShotPoints {
            shot,
            first_frame: 0,
            last_frame: 0,
            entry: point(v.clone()),
            middle: point(v.clone()),
            exit: point(v),
        }
    }

    #[test]
    fn interleaved_set_ups_form_two_groups() {
        let a = |t: f32| vec![1.0, t, 0.0, 0.0];
        let b = |t: f32| vec![0.0, 0.0, 1.0, t];
        let shots = vec![
            shot(0, a(0.0)),
            shot(1, b(0.1)),
            shot(2, a(0.1)),
            shot(3, b(0.0)),
            shot(4, vec![0.0, 1.0, 0.0, -1.0]),
            shot(5, a(0.05)),
        ];
        let groups = near_duplicate_groups(&shots, &MatchParams::default()).unwrap();
        assert_eq!(groups, vec![0, 1, 0, 1, 4, 0]);
    }
}
