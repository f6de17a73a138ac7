//! Fewer print searches than prints. Consecutive footage prints of a shot
//! are mostly near one picture (in the benchmark film, half of the steps
//! from one print to the next are at least 0.985 alike), so a shot's
//! prints are covered by a few **centres**, each with the prints within
//! [`RADIUS`] of it (an angle). A print at least `gate` alike to a member
//! is, by the triangle inequality on angles, at least
//! `cos(acos(gate) + r)` alike to the centre (`r`: the farthest member's
//! angle), so one range search of the centre at that wider gate finds every
//! print any member's own search would. What it finds besides is dropped by
//! [`Cover::meets`], which asks exactly whether a member meets a print of
//! the found shot at `gate`: the shots found are those of one search a
//! print, at the cost of one a centre.
//!
//! In the benchmark film (141 shots, 1,764 prints;
//! `scripts/match-eval/film/print_steps.py`), covering at 0.2 rad
//! leaves 0.54 searches a print, whose gate falls from 0.9 to about 0.8;
//! the prints of other shots each search finds grow from 6.2 to 7.1 (its
//! like set-ups' shots, mostly).

use crate::matching::footage::Footage;
use std::ops::Range;

/// The widest angle (radians; cosine 0.980) between a centre and the
/// prints it covers, by default (`BuildParams::cover_radius`).
pub const RADIUS: f32 = 0.2;

/// Margin (radians) added to a cover's radius for the rounding of the
/// angles (computed in `f32` from the 8-bit prints, as the index's
/// cosines are).
const ROUNDING: f32 = 1e-4;

/// One search standing for several prints of a shot.
#[derive(Clone, Debug, PartialEq)]
pub struct Cover {
    /// The print searched (a row of the footage).
    pub centre: usize,
    /// The prints it stands for, the centre among them (rows).
    pub members: Vec<usize>,
    /// The gate its search asks: `gate` widened by the farthest member's
    /// angle; `gate` itself for a centre alone.
    pub gate: f32,
}

/// The angle between prints `a` and `b` of `footage`.
fn angle(footage: &Footage, a: usize, b: usize) -> f32 {
    footage.similarity(a, footage, b).clamp(-1.0, 1.0).acos()
}

/// Covers of the prints `rows` of `footage` for range searches at `gate`:
/// in order, the first print not yet covered becomes a centre of every
/// print left within `radius` of it (0: each print its own centre).
pub fn cover(footage: &Footage, rows: Range<usize>, gate: f32, radius: f32) -> Vec<Cover> {
    let mut left: Vec<usize> = rows.collect();
    let mut covers = Vec::new();
    while let Some(&centre) = left.first() {
        let mut reach = 0.0f32;
        let mut members = Vec::new();
        left.retain(|&r| {
            let a = angle(footage, centre, r);
            let inside = r == centre || (radius > 0.0 && a <= radius);
            if inside {
                reach = reach.max(a);
                members.push(r);
            }
            !inside
        });
        let gate = if members.len() > 1 {
            (gate.clamp(-1.0, 1.0).acos() + reach + ROUNDING)
                .min(std::f32::consts::PI)
                .cos()
        } else {
            gate
        };
        covers.push(Cover {
            centre,
            members,
            gate,
        });
    }
    covers
}

impl Cover {
    /// Whether a search at this cover's wider gate may have found what no
    /// member's own search at `gate` would.
    pub fn widened(&self) -> bool {
        self.members.len() > 1
    }

    /// Whether a member (a print of `footage`) meets one of `prints` (rows
    /// of `other`) at least `gate` alike: what one member's search at
    /// `gate` would have found of that shot.
    pub fn meets(
        &self,
        footage: &Footage,
        other: &Footage,
        prints: Range<usize>,
        gate: f32,
    ) -> bool {
        self.members.iter().any(|&m| {
            prints
                .clone()
                .any(|r| footage.similarity(m, other, r) >= gate)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::exact::cosine_i8;

    /// A print pointing between two axes: `t` turns it from `a` to `b`
    /// (radians), exactly in the plane they span.
    fn turned(a: usize, b: usize, t: f32, scale: f32) -> Vec<i8> {
        let mut v = vec![0.0f32; crate::matching::footage::LEN];
        v[a] = t.cos() * scale;
        v[b] = t.sin() * scale;
        crate::matching::exact::quantise(&v)
    }

    fn footage(prints: &[Vec<i8>]) -> Footage {
        let mut f = Footage::new();
        f.push_shot(&prints.concat());
        f
    }

    #[test]
    fn prints_near_a_centre_share_its_search_and_far_ones_get_their_own() {
        // Angles 0, 0.1, 0.15 from axis 0 towards axis 1, then 1.0 and 1.05.
        let f = footage(&[
            turned(0, 1, 0.0, 1.0),
            turned(0, 1, 0.1, 1.0),
            turned(0, 1, 0.15, 1.0),
            turned(0, 1, 1.0, 1.0),
            turned(0, 1, 1.05, 1.0),
        ]);
        let covers = cover(&f, f.rows_of(0), 0.9, RADIUS);
        assert_eq!(covers.len(), 2);
        assert_eq!(covers[0].members, vec![0, 1, 2]);
        assert_eq!(covers[1].members, vec![3, 4]);
        // Widened by the farthest member's angle, 0.15.
        let want = (0.9f32.acos() + 0.15).cos();
        // (The 8-bit prints' angles are within about 0.01 of the nominal.)
        assert!((covers[0].gate - want).abs() < 1e-2, "{}", covers[0].gate);
        assert!(covers[0].widened());
        let alone = cover(&f, 3..4, 0.9, RADIUS);
        assert_eq!(alone[0].gate, 0.9);
        assert!(!alone[0].widened());
        // Radius 0: every print searched alone, at the gate itself, a
        // print repeated too.
        let mut twice = (0..5).map(|r| f.print(r).to_vec()).collect::<Vec<_>>();
        twice.push(twice[4].clone());
        let each = cover(&footage(&twice), 0..6, 0.9, 0.0);
        assert_eq!(each.len(), 6);
        assert!(each.iter().all(|c| !c.widened() && c.gate == 0.9));
    }

    #[test]
    fn a_cover_finds_every_print_a_member_meets_and_meets_drops_the_rest() {
        let shot = footage(&[turned(0, 1, 0.0, 1.0), turned(0, 1, 0.19, 1.0)]);
        let gate = 0.9;
        let covers = cover(&shot, shot.rows_of(0), gate, RADIUS);
        assert_eq!(covers.len(), 1);
        let c = &covers[0];
        // Prints of another shot all around the centre: each met by a member
        // at `gate` must be within the cover's gate of the centre.
        let mut others = Vec::new();
        for i in 0..=160 {
            let t = -0.8 + i as f32 * 0.01;
            others.push(turned(0, 1, t, 0.5));
        }
        let other = footage(&others);
        let centre = shot.print(c.centre);
        let (mut met, mut found) = (0, 0);
        for r in other.rows_of(0) {
            let by_member = c
                .members
                .iter()
                .any(|&m| cosine_i8(shot.print(m), other.print(r)) >= gate);
            let by_centre = cosine_i8(centre, other.print(r)) >= c.gate;
            assert!(!by_member || by_centre, "print {r} met by a member, missed");
            assert_eq!(c.meets(&shot, &other, r..r + 1, gate), by_member);
            met += usize::from(by_member);
            found += usize::from(by_centre);
        }
        // The wider search finds more than the members meet; meets drops it.
        assert!(met > 0 && found > met, "{met} met, {found} found");
    }
}
