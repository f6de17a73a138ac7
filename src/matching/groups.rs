//! Near-duplicate groups inside a title: shots of one camera set-up, cut
//! back to again and again (shot/reverse-shot dialogue, a recurring wide).
//!
//! The entry, middle and exit keyframes of every shot of the title, however
//! far apart, are compared with each other; two shots are one set-up when
//! two of their keyframes show nearly the same content (descriptors at
//! least [`MatchParams::group_content`] alike: the same footage flipped,
//! zoomed or re-framed), or alike content (at least
//! [`MatchParams::group_similarity`]) **and** alike framing (the signatures'
//! picture maps at least [`MatchParams::group_framing`] alike,
//! [`composition::picture_similarity`]). The same character framed
//! otherwise is a match cut to offer, and two framings of different
//! content are what the product looks for; asking both keeps groups from
//! chaining through a whole film. Shots are joined transitively; a group's
//! representative is its first shot.

use super::exact::Quantised;
use super::{composition, MatchParams, Point, ShotPoints, UnionFind};

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
            let framed_alike = || {
                composition::picture_similarity(
                    &point(shots, a).composition,
                    &point(shots, b).composition,
                ) >= params.group_framing
            };
            if similarity >= params.group_content
                || (similarity >= params.group_similarity && framed_alike())
            {
                sets.union(a / 3, b / 3);
            }
        }
    }
    (0..shots.len()).map(|i| shots[sets.find(i)].shot).collect()
}

/// Keyframe `n` of the rows [`near_duplicate_groups`] compares.
fn point(shots: &[ShotPoints], n: usize) -> &Point {
    keyframes(&shots[n / 3])[n % 3]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(v: Vec<f32>, framing: usize) -> Point {
        Point {
            key: 0,
            frame: 0,
            vector: v,
            regions: Vec::new(),
            figure: 0.0,
            composition: (0..composition::LEN)
                .map(|i| {
                    if (i / 5 + framing).is_multiple_of(3) {
                        100
                    } else {
                        -50
                    }
                })
                .collect(),
        }
    }

    fn shot(shot: usize, v: Vec<f32>, framing: usize) -> ShotPoints {
        ShotPoints {
            shot,
            first_frame: 0,
            last_frame: 0,
            entry: point(v.clone(), framing),
            middle: point(v.clone(), framing),
            exit: point(v, framing),
        }
    }

    #[test]
    fn set_ups_are_alike_content_framed_alike_anywhere_in_the_title() {
        let a = |t: f32| vec![1.0, t, 0.0, 0.0];
        let b = |t: f32| vec![0.0, 0.0, 1.0, t];
        let shots = vec![
            shot(0, a(0.0), 0),
            shot(1, b(0.1), 1),
            shot(2, a(0.1), 0),
            shot(3, b(0.0), 1),
            shot(4, vec![0.0, 1.0, 0.0, -1.0], 0),
            // The content of set-up a, framed otherwise: a match cut, not
            // the same set-up.
            shot(5, vec![1.0, 0.9, 0.5, 0.0], 2),
            // Set-up b again, far later.
            shot(40, b(0.05), 1),
        ];
        let groups = near_duplicate_groups(&shots, &MatchParams::default());
        assert_eq!(groups, vec![0, 1, 0, 1, 4, 5, 1]);
    }
}
