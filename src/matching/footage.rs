//! Footage prints: which frames of two shots are the same picture, whatever
//! the shots' boundaries.
//!
//! A re-used shot is rarely cut at the same frames twice: a trailer trims
//! it, fades it, slows it down and letters a title over it; another title
//! enters it through a dissolve. Comparing whole shots (their entry and exit
//! keyframes) misses those. So every captured frame of a shot (one in
//! [`crate::jobs::capture::STRIDE`], besides those around cuts) keeps a
//! **print**: its luma on a coarse [`GRID_W`]×[`GRID_H`] grid of the
//! detector's thumbnail, less its mean, 8-bit. The cosine of two prints is
//! the correlation of the two pictures' light: unchanged by a fade or a
//! change of exposure and contrast (a scale and an offset of luma), by a
//! re-encode or a resize (the grid is far coarser than either), and little
//! moved by a re-grade, a slight re-framing or a lower-third title. Two
//! different pictures seldom correlate that well on 144 cells: on the
//! evaluation sets, no two different takes' prints reach 0.85 and
//! re-used frames reach 0.9–1.0.
//!
//! Two shots of different titles overlap when [`MIN_MATCHED`] of the prints
//! of either find a print of the other at least [`PRINT_MATCH`] alike, or
//! one does and their descriptors agree (see
//! [`super::duplicates::find_duplicates`]).

use super::exact::{quantise, Quantised};
use std::ops::Range;

/// Version of the print (part of the shots stage's cache key).
pub const VERSION: u32 = 1;
/// Cells of the grid.
pub const GRID_W: usize = 16;
pub const GRID_H: usize = 9;
/// Length of a print.
pub const LEN: usize = GRID_W * GRID_H;
/// Correlation at or above which two prints are one picture.
pub const PRINT_MATCH: f32 = 0.9;
/// Matched prints that make two shots overlap on their own.
pub const MIN_MATCHED: usize = 2;
/// Correlation at or above which one print alone makes a shot set aside
/// from matching (a flash of a few frames has one or two prints) overlap
/// another.
pub const PRINT_ALONE: f32 = 0.95;

/// The print of a thumbnail (`width`×`height` 8-bit R′G′B′, row-major):
/// mean luma of each grid cell, less the mean of the cells, scaled to 8
/// bits. `None` for a thumbnail of the wrong size or with no contrast at
/// all (a flat frame has no picture to recognise).
pub fn print(rgb: &[u8], width: usize, height: usize) -> Option<Vec<i8>> {
    if width < GRID_W || height < GRID_H || rgb.len() != width * height * 3 {
        return None;
    }
    let mut cells = vec![0.0f32; LEN];
    let mut counts = vec![0u32; LEN];
    for (i, px) in rgb.chunks_exact(3).enumerate() {
        let (x, y) = (i % width, i / width);
        let cell = (y * GRID_H / height) * GRID_W + x * GRID_W / width;
        cells[cell] += crate::shots::features::luma(px);
        counts[cell] += 1;
    }
    for (c, n) in cells.iter_mut().zip(&counts) {
        *c /= (*n).max(1) as f32;
    }
    let mean = cells.iter().sum::<f32>() / LEN as f32;
    cells.iter_mut().for_each(|c| *c -= mean);
    let spread = cells.iter().fold(0.0f32, |m, c| m.max(c.abs()));
    (spread > 1.0 / 255.0).then(|| quantise(&cells))
}

/// A title's prints, shot by shot: row `i` of the title's shots owns
/// `prints` rows `rows[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Footage {
    prints: Quantised,
    rows: Vec<Range<usize>>,
}

impl Default for Footage {
    fn default() -> Self {
        Self::new()
    }
}

impl Footage {
    pub fn new() -> Self {
        Self {
            prints: Quantised::new(LEN),
            rows: Vec::new(),
        }
    }

    /// Appends the next shot's prints (`LEN` bytes each, concatenated).
    pub fn push_shot(&mut self, prints: &[i8]) {
        let start = self.prints.len();
        for p in prints.chunks_exact(LEN) {
            self.prints.push(p);
        }
        self.rows.push(start..self.prints.len());
    }

    /// Shot `i`'s prints, concatenated (as stored).
    pub fn shot(&self, i: usize) -> Vec<i8> {
        self.rows[i]
            .clone()
            .flat_map(|r| self.prints.row(r).iter().copied())
            .collect()
    }

    pub fn shots(&self) -> usize {
        self.rows.len()
    }

    /// The rows of shot `i`'s prints ([`Footage::print`]).
    pub fn rows_of(&self, i: usize) -> Range<usize> {
        self.rows[i].clone()
    }

    /// Print `r` of the title.
    pub fn print(&self, r: usize) -> &[i8] {
        self.prints.row(r)
    }

    /// The exact 8-bit cosine of print `r` and print `c` of `other`
    /// ([`Quantised::similarity`]: the norms kept, not recomputed).
    pub fn similarity(&self, r: usize, other: &Footage, c: usize) -> f32 {
        self.prints.similarity(r, &other.prints, c)
    }

    /// How the prints of shot `i` meet those of shot `j` of `other`
    /// (exact 8-bit cosines, as [`Quantised::similarity`] gives them).
    pub fn overlap(&self, i: usize, other: &Footage, j: usize) -> Overlap {
        let cols = other.rows[j].clone();
        let mut col_matched = vec![false; cols.len()];
        let (mut row_matched, mut best) = (0, f32::MIN);
        for r in self.rows[i].clone() {
            let mut hit = false;
            for (seen, c) in col_matched.iter_mut().zip(cols.clone()) {
                let v = self.similarity(r, other, c);
                best = best.max(v);
                if v >= PRINT_MATCH {
                    *seen = true;
                    hit = true;
                }
            }
            row_matched += usize::from(hit);
        }
        let col_matched = col_matched.iter().filter(|&&m| m).count();
        Overlap {
            matched: row_matched.max(col_matched),
            best: if best == f32::MIN { 0.0 } else { best },
        }
    }
}

/// A title's shots kept out of matching that still show a picture (too
/// short, or a card: a title lettered over the picture), with their prints:
/// re-used footage is recognised there too.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AsideFootage {
    /// Shot numbers; shot `shots[i]` is row `i` of `footage`.
    pub shots: Vec<usize>,
    pub footage: Footage,
}

impl AsideFootage {
    /// Adds set-aside shot `shot` with its prints (concatenated); a shot
    /// without any (black, lettering on black) has nothing to link.
    pub fn push(&mut self, shot: usize, prints: &[i8]) {
        if !prints.is_empty() {
            self.shots.push(shot);
            self.footage.push_shot(prints);
        }
    }
}

/// How much of two shots is one picture.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Overlap {
    /// Prints of the shot with more such prints that find a print of the
    /// other at least [`PRINT_MATCH`] alike.
    pub matched: usize,
    /// The best correlation of any two of their prints.
    pub best: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 48×27 thumbnail of a smooth picture (`phase` moves it) scaled by
    /// `gain` and lifted by `lift`, as a fade or an exposure change does.
    fn thumb(phase: f32, gain: f32, lift: f32) -> Vec<u8> {
        picture(phase, gain, lift, 7.0, 5.0)
    }

    /// Another picture altogether (other stripes).
    fn other(phase: f32) -> Vec<u8> {
        picture(phase, 1.0, 0.0, 3.0, 2.0)
    }

    fn picture(phase: f32, gain: f32, lift: f32, fx: f32, fy: f32) -> Vec<u8> {
        (0..48 * 27)
            .flat_map(|i| {
                let (x, y) = ((i % 48) as f32, (i / 48) as f32);
                let v = 0.5 + 0.4 * ((x + phase) / fx).sin() * (y / fy + phase / 9.0).cos();
                [((v * gain + lift) * 255.0).clamp(0.0, 255.0) as u8; 3]
            })
            .collect()
    }

    fn footage(shots: &[Vec<Vec<u8>>]) -> Footage {
        let mut f = Footage::new();
        for shot in shots {
            let prints: Vec<i8> = shot
                .iter()
                .flat_map(|t| print(t, 48, 27).expect("a print"))
                .collect();
            f.push_shot(&prints);
        }
        f
    }

    #[test]
    fn a_faded_frame_prints_like_the_original() {
        let a = print(&thumb(0.0, 1.0, 0.0), 48, 27).expect("print");
        let faded = print(&thumb(0.0, 0.4, 0.05), 48, 27).expect("print");
        let other = print(&other(0.0), 48, 27).expect("print");
        assert!(super::super::exact::cosine_i8(&a, &faded) > 0.97);
        assert!(super::super::exact::cosine_i8(&a, &other) < PRINT_MATCH);
        assert_eq!(print(&[128; 48 * 27 * 3], 48, 27), None);
        assert_eq!(print(&[128; 10], 48, 27), None);
    }

    #[test]
    fn shots_overlap_where_they_share_frames_whatever_their_bounds() {
        // Title a: one shot of frames at phases 0..8; title b: a trimmed
        // copy (phases 3..6, faded), then an unrelated shot.
        let a = footage(&[(0..8).map(|p| thumb(p as f32 * 4.0, 1.0, 0.0)).collect()]);
        let b = footage(&[
            (3..6).map(|p| thumb(p as f32 * 4.0, 0.6, 0.1)).collect(),
            (0..4).map(|p| other(p as f32 * 4.0)).collect(),
        ]);
        let copy = a.overlap(0, &b, 0);
        assert!(copy.matched >= 3 && copy.best > 0.97, "{copy:?}");
        let unrelated = a.overlap(0, &b, 1);
        assert!(unrelated.matched < MIN_MATCHED, "{unrelated:?}");
        assert_eq!(b.shot(0).len(), 3 * LEN);
        assert_eq!(b.shots(), 2);
    }
}
