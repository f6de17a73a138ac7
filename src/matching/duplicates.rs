//! Duplicate footage across titles: the same shot re-used, re-encoded,
//! re-graded, resized, slightly cropped, and cut anew: trimmed, longer,
//! through a dissolve, faded, slowed down or lettered over. Two shots of
//! different titles are the same footage when either
//! - **as whole shots**, their entries and their exits are both at least
//!   [`MatchParams::duplicate_floor`] alike and one of the two at least
//!   [`MatchParams::duplicate_similarity`] (a re-grade or crop moves one end
//!   more than the other); or
//! - **by overlapping frames** ([`super::footage`]), whatever their bounds:
//!   [`footage::MIN_MATCHED`] prints of one find the same picture in the
//!   other, or one does and some keyframe descriptors of the two (entry or
//!   exit of either) are at least `duplicate_floor` alike. Re-used footage
//!   shows the same content, however it is graded, lettered or re-framed,
//!   so prints are compared only where some keyframe descriptors of the
//!   two shots are at least [`FOOTAGE_GATE`] alike (a trailer's lettered,
//!   re-graded shots reach 0.5; a library of 10,000 shots would otherwise
//!   compare every print of a new title with every print it holds).
//!
//! Shots set aside from matching that show a picture (a flash of a few
//! frames, a title lettered over the picture) are linked by their prints
//! alone ([`find_aside_duplicates`]), so a trailer's shortest cuts and
//! lettered shots are still known as the footage they are.
//!
//! Every pair of shots of the two titles is compared, so the links are a
//! function of the two titles alone.

use super::footage::{self, Overlap};
use super::neighbours::TitleVectors;
use super::MatchParams;

/// Descriptor similarity (the best of entry and exit against entry and
/// exit) below which two matched shots' prints are not compared.
pub const FOOTAGE_GATE: f32 = 0.4;

/// A shot of one title (`row` of its vectors) and the shot of another
/// title it duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateLink {
    pub row: usize,
    pub other_row: usize,
    /// As whole shots: the lower of the entry and exit similarities; by
    /// overlapping frames: the best correlation of their prints.
    pub similarity: f32,
}

/// What every duplicate link's two shots reach: as whole shots, entry
/// with entry or exit with exit at least `duplicate_similarity`; by
/// overlapping frames (and every set-aside link), one print of each at
/// least [`footage::PRINT_MATCH`] alike. Catalogue mode finds the pairs
/// of shots that may be linked by range searches at these two levels,
/// then judges each with [`link`].
pub fn link_gates(params: &MatchParams) -> (f32, f32) {
    (params.duplicate_similarity, footage::PRINT_MATCH)
}

/// The duplicate links between the shots of `a` and those of `b` (none
/// when they are the same title).
pub fn find_duplicates(
    a: &TitleVectors,
    b: &TitleVectors,
    params: &MatchParams,
) -> Vec<DuplicateLink> {
    if a.content_hash == b.content_hash || a.shots.is_empty() || b.shots.is_empty() {
        return Vec::new();
    }
    let entries = a.entries.block(&b.entries);
    let exits = a.exits.block(&b.exits);
    let crossed = [a.entries.block(&b.exits), a.exits.block(&b.entries)];
    let mut out = Vec::new();
    for row in 0..entries.rows {
        for other_row in 0..entries.cols {
            let ends = Ends {
                entry: entries.get(row, other_row),
                exit: exits.get(row, other_row),
                crossed: [
                    crossed[0].get(row, other_row),
                    crossed[1].get(row, other_row),
                ],
            };
            out.extend(judge(a, row, b, other_row, ends, params));
        }
    }
    out
}

/// The link, if any, between shot `row` of `a` and shot `other_row` of
/// `b`: exactly what [`find_duplicates`] says of them, for a caller that
/// knows which pairs may be linked (catalogue mode's range searches).
pub fn link(
    a: &TitleVectors,
    row: usize,
    b: &TitleVectors,
    other_row: usize,
    params: &MatchParams,
) -> Option<DuplicateLink> {
    if a.content_hash == b.content_hash {
        return None;
    }
    let ends = Ends {
        entry: a.entries.similarity(row, &b.entries, other_row),
        exit: a.exits.similarity(row, &b.exits, other_row),
        crossed: [
            a.entries.similarity(row, &b.exits, other_row),
            a.exits.similarity(row, &b.entries, other_row),
        ],
    };
    judge(a, row, b, other_row, ends, params)
}

/// The descriptor similarities of two shots: entry with entry, exit with
/// exit, and the two crossed.
struct Ends {
    entry: f32,
    exit: f32,
    crossed: [f32; 2],
}

fn judge(
    a: &TitleVectors,
    row: usize,
    b: &TitleVectors,
    other_row: usize,
    ends: Ends,
    params: &MatchParams,
) -> Option<DuplicateLink> {
    let Ends {
        entry,
        exit,
        crossed,
    } = ends;
    let whole = entry >= params.duplicate_floor
        && exit >= params.duplicate_floor
        && entry.max(exit) >= params.duplicate_similarity;
    if whole {
        return Some(DuplicateLink {
            row,
            other_row,
            similarity: entry.min(exit),
        });
    }
    let described = [entry, exit]
        .into_iter()
        .chain(crossed)
        .fold(f32::MIN, f32::max);
    if !(a.printed() && b.printed()) || described < FOOTAGE_GATE {
        return None;
    }
    let overlap = a.footage.overlap(row, &b.footage, other_row);
    overlapping(overlap, described, params).then_some(DuplicateLink {
        row,
        other_row,
        similarity: overlap.best,
    })
}

/// A link that involves a shot set aside from matching: shot numbers of
/// the first title and of the second.
#[derive(Clone, Debug, PartialEq)]
pub struct AsideLink {
    pub shot: usize,
    pub other_shot: usize,
    /// The best correlation of their prints.
    pub similarity: f32,
}

/// The duplicate links between `a` and `b` in which either shot is set
/// aside from matching ([`TitleVectors::aside`]): [`footage::MIN_MATCHED`]
/// prints match, or one does at least [`footage::PRINT_ALONE`].
pub fn find_aside_duplicates(a: &TitleVectors, b: &TitleVectors) -> Vec<AsideLink> {
    if a.content_hash == b.content_hash || !a.printed() || !b.printed() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // a's set-aside shots against b's matched and set-aside ones, then a's
    // matched shots against b's set-aside ones.
    let matched = |t: &TitleVectors| -> Vec<usize> { t.shots.iter().map(|s| s.shot).collect() };
    let parts = [
        (&a.aside.footage, &a.aside.shots, &b.footage, matched(b)),
        (
            &a.aside.footage,
            &a.aside.shots,
            &b.aside.footage,
            b.aside.shots.clone(),
        ),
        (
            &a.footage,
            &matched(a),
            &b.aside.footage,
            b.aside.shots.clone(),
        ),
    ];
    for (from, from_shots, to, to_shots) in parts {
        for (i, &shot) in from_shots.iter().enumerate() {
            for (j, &other_shot) in to_shots.iter().enumerate() {
                let o = from.overlap(i, to, j);
                let alone = o.matched >= 1 && o.best >= footage::PRINT_ALONE;
                if o.matched >= footage::MIN_MATCHED || alone {
                    out.push(AsideLink {
                        shot,
                        other_shot,
                        similarity: o.best,
                    });
                }
            }
        }
    }
    out
}

/// Whether two shots share frames: enough prints match, or one does and
/// their best keyframe descriptors agree (`described`).
fn overlapping(overlap: Overlap, described: f32, params: &MatchParams) -> bool {
    overlap.matched >= footage::MIN_MATCHED
        || (overlap.matched >= 1 && described >= params.duplicate_floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::exact::{cosine_i8, Quantised};
    use crate::matching::footage::{Footage, LEN};
    use crate::matching::testing::{noise, shot};

    /// A title whose shot `i` has entry and exit descriptors from seeds
    /// `ends[i]` and prints from seeds `prints[i]`.
    fn title(hash: &str, ends: &[(u64, u64)], prints: &[Vec<u64>]) -> TitleVectors {
        let mut t = TitleVectors {
            content_hash: hash.into(),
            shots: Vec::new(),
            entries: Quantised::new(64),
            exits: Quantised::new(64),
            footage: Footage::new(),
            aside: Default::default(),
        };
        for (i, ((entry, exit), seeds)) in ends.iter().zip(prints).enumerate() {
            t.shots.push(shot(i));
            t.entries.push(&noise(*entry, 64));
            t.exits.push(&noise(*exit, 64));
            let own: Vec<i8> = seeds.iter().flat_map(|&s| noise(s, LEN)).collect();
            t.footage.push_shot(&own);
        }
        t
    }

    #[test]
    fn re_cut_footage_links_by_the_frames_the_shots_share() {
        // Title a: three shots. Title b: a trimmed copy of a's shot 0 (two
        // of its frames; it enters where a's shot 0 ends, so one descriptor
        // pair agrees, not the whole shot), a shot sharing one frame with
        // a's shot 1 and nothing else, a copy of a's shot 2 cut as the
        // original (same entry and exit, no prints in common), and a shot
        // whose prints match a's shot 2 but whose content does not (no
        // keyframe descriptor near: the prints are not compared).
        let a = title(
            "a",
            &[(1, 2), (3, 4), (5, 6)],
            &[vec![10, 11, 12, 13], vec![20, 21], vec![30, 31]],
        );
        let b = title(
            "b",
            &[(2, 8), (9, 99), (5, 6), (97, 96)],
            &[vec![11, 12], vec![21, 40, 41], vec![50], vec![30, 31]],
        );
        let links = find_duplicates(&a, &b, &MatchParams::default());
        let pairs: Vec<(usize, usize)> = links.iter().map(|l| (l.row, l.other_row)).collect();
        assert_eq!(pairs, vec![(0, 0), (2, 2)]);
        assert!(links.iter().all(|l| l.similarity > 0.99));
        // One shared frame is enough when a keyframe descriptor agrees.
        let c = title("c", &[(3, 98)], &[vec![21, 60]]);
        let pairs: Vec<(usize, usize)> = find_duplicates(&a, &c, &MatchParams::default())
            .iter()
            .map(|l| (l.row, l.other_row))
            .collect();
        assert_eq!(pairs, vec![(1, 0)]);
        assert!(find_duplicates(&a, &a, &MatchParams::default()).is_empty());
        // Pair by pair, either way round, `link` says the same.
        let params = MatchParams::default();
        for (x, y) in [(&a, &b), (&b, &a), (&a, &c)] {
            let every = find_duplicates(x, y, &params);
            for i in 0..x.shots.len() {
                for j in 0..y.shots.len() {
                    let one = link(x, i, y, j, &params);
                    let found = every.iter().find(|l| (l.row, l.other_row) == (i, j));
                    assert_eq!(one.as_ref(), found, "{i} {j}");
                    let back = link(y, j, x, i, &params).map(|l| l.similarity);
                    assert_eq!(back, one.map(|l| l.similarity));
                }
            }
        }
    }

    /// `t` with set-aside shots `numbers` printed from `prints`.
    fn with_aside(mut t: TitleVectors, numbers: &[usize], prints: &[Vec<i8>]) -> TitleVectors {
        for (&n, p) in numbers.iter().zip(prints) {
            t.aside.push(n, p);
        }
        t
    }

    #[test]
    fn set_aside_shots_link_by_their_prints_alone() {
        let a = title("a", &[(1, 2), (3, 4)], &[vec![10, 11], vec![20, 21]]);
        let b = title("b", &[(5, 6)], &[vec![30, 31]]);
        // a's shot 7 (a flash of one frame) is a frame of b's shot 0; a's
        // shot 9 shares nothing; b's shot 4 (lettered over, a card) is two
        // frames of a's shot 1; b's shot 8 is one frame of a's shot 0,
        // faintly altered (below the single-print bar).
        let mut faint = noise(10, LEN);
        faint
            .iter_mut()
            .step_by(30)
            .for_each(|v| *v = v.saturating_neg());
        let alike = cosine_i8(&faint, &noise(10, LEN));
        assert!(
            (footage::PRINT_MATCH..footage::PRINT_ALONE).contains(&alike),
            "{alike}"
        );
        let a = with_aside(a, &[7, 9], &[noise(30, LEN), noise(99, LEN)]);
        let b = with_aside(
            b,
            &[4, 8],
            &[[noise(20, LEN), noise(21, LEN)].concat(), faint],
        );
        let links: Vec<(usize, usize)> = find_aside_duplicates(&a, &b)
            .iter()
            .map(|l| (l.shot, l.other_shot))
            .collect();
        assert_eq!(links, vec![(7, 0), (1, 4)]);
        // Matched shots alone are find_duplicates' business.
        assert!(find_aside_duplicates(&a, &a).is_empty());
    }
}
