//! Near-duplicate groups inside a title: shots of one camera set-up, cut
//! back to again and again (shot/reverse-shot dialogue, a recurring wide).
//!
//! The entry, middle and exit keyframes of every shot are compared with
//! each other; two shots with any two keyframes at least
//! [`MatchParams::group_similarity`] alike are joined, transitively.
//! The group's representative is its first shot.

use super::exact::Quantised;
use super::{MatchParams, Point, ShotPoints, UnionFind};

fn keyframes(shot: &ShotPoints) -> [&Point; 3] {
    [&shot.entry, &shot.middle, &shot.exit]
}

/// For each shot (by position in `shots`), the shot number of its group's
/// representative. Every keyframe is compared with every other exactly,
/// so the groups depend on the title alone.
pub fn near_duplicate_groups(shots: &[ShotPoints], params: &MatchParams) -> Vec<usize> {
    let Some(first) = shots.first() else {
        return Vec::new();
    };
    let mut vectors = Quantised::new(first.middle.vector.len());
    for shot in shots {
        for point in keyframes(shot) {
            vectors.push_f32(&point.vector);
        }
    }
    let block = vectors.block(&vectors);
    let mut sets = UnionFind::new(shots.len());
    for a in 0..block.rows {
        for (b, &similarity) in block.row(a).iter().enumerate().skip(a + 1) {
            if similarity >= params.group_similarity {
                sets.union(a / 3, b / 3);
            }
        }
    }
    (0..shots.len()).map(|i| shots[sets.find(i)].shot).collect()
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
        let groups = near_duplicate_groups(&shots, &MatchParams::default());
        assert_eq!(groups, vec![0, 1, 0, 1, 4, 0]);
    }
}
