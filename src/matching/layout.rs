//! The layout a pair's framing score compared, read back from a keyframe's
//! signature ([`super::composition`]) so the review window can draw it over
//! the frame: where the subject stands out, where light falls, and which
//! way the lines run, cell by cell. It is the signature itself, not a new
//! analysis, so what is drawn is exactly what was compared.

use super::composition::{LEN, MAP_H, MAP_W, PARTS, PART_LEN, WEIGHTS};
use serde::Serialize;

/// Cells of the line map, across and down, and its orientations.
pub const LINE_CELLS: (usize, usize) = (8, 6);
const ORIENTATIONS: usize = 4;

/// One keyframe's layout, on the picture inside any letterbox bars.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Layout {
    /// Cells across and down of `figure` and `light` (16 × 9).
    pub columns: u32,
    pub rows: u32,
    /// Where the subject stands out, row by row: the subject, object and
    /// salient maps mixed by their weights in the score, 0 (no more than
    /// the frame's average) to 1 (the strongest place).
    pub figure: Vec<f32>,
    /// Light and shade, row by row: −1 the darkest place, 1 the brightest.
    pub light: Vec<f32>,
    /// The line map's cells (8 × 6) with their dominant line.
    pub lines: Vec<Line>,
}

/// The dominant line of one cell of the line map.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Line {
    /// The cell's centre, 0…1 across and down the picture.
    pub x: f32,
    pub y: f32,
    /// The line's direction in degrees on screen: 0 horizontal, 90
    /// vertical, 45 falling to the right (`\`), 135 rising to the right (`/`).
    pub angle: f32,
    /// How strongly lines run that way here, 0…1 across the frame.
    pub strength: f32,
}

/// The layout of a signature; `None` when it is not one of this version's.
pub fn layout(signature: &[i8]) -> Option<Layout> {
    if signature.len() != LEN {
        return None;
    }
    let parts = unweighted_parts(signature);
    let part = |name: &str| PARTS.iter().position(|p| *p == name).map(|i| &parts[i]);
    let (light, lines, subject, objects, salient) = (
        part("light")?,
        part("lines")?,
        part("subject")?,
        part("objects")?,
        part("salient")?,
    );
    let weight = |name: &str| {
        PARTS
            .iter()
            .position(|p| *p == name)
            .map_or(0.0, |i| WEIGHTS[i])
    };
    let figure: Vec<f32> = (0..MAP_W * MAP_H)
        .map(|i| {
            weight("subject") * subject[i]
                + weight("objects") * objects[i]
                + weight("salient") * salient[i]
        })
        .collect();
    Some(Layout {
        columns: MAP_W as u32,
        rows: MAP_H as u32,
        figure: scale_positive(&figure),
        light: scale_symmetric(light),
        lines: dominant_lines(lines),
    })
}

/// The signature's parts with their weights taken out (each a centred map
/// of unit length, up to the 8-bit rounding).
fn unweighted_parts(signature: &[i8]) -> Vec<Vec<f32>> {
    let mut start = 0;
    PART_LEN
        .iter()
        .zip(WEIGHTS)
        .map(|(&len, weight)| {
            let part = &signature[start..start + len];
            start += len;
            part.iter().map(|&v| f32::from(v) / weight.sqrt()).collect()
        })
        .collect()
}

fn scale_positive(map: &[f32]) -> Vec<f32> {
    let peak = map.iter().fold(0.0f32, |m, v| m.max(*v));
    map.iter()
        .map(|v| if peak > 0.0 { (v / peak).max(0.0) } else { 0.0 })
        .collect()
}

fn scale_symmetric(map: &[f32]) -> Vec<f32> {
    let peak = map.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    map.iter()
        .map(|v| if peak > 0.0 { v / peak } else { 0.0 })
        .collect()
}

/// Each cell's strongest orientation. The map holds gradient energy by
/// gradient direction (0°, 45°, 90°, 135°, y down); a line runs across its
/// gradient, at the direction plus 90°.
fn dominant_lines(map: &[f32]) -> Vec<Line> {
    let (across, down) = LINE_CELLS;
    let low = map.iter().fold(f32::MAX, |m, v| m.min(*v));
    let high = map.iter().fold(f32::MIN, |m, v| m.max(*v));
    let range = (high - low).max(f32::EPSILON);
    (0..across * down)
        .map(|cell| {
            let bins = &map[cell * ORIENTATIONS..(cell + 1) * ORIENTATIONS];
            let (bin, value) =
                bins.iter().enumerate().fold(
                    (0, f32::MIN),
                    |best, (i, &v)| if v > best.1 { (i, v) } else { best },
                );
            let gradient = bin as f32 * 180.0 / ORIENTATIONS as f32;
            Line {
                x: ((cell % across) as f32 + 0.5) / across as f32,
                y: ((cell / across) as f32 + 0.5) / down as f32,
                angle: (gradient + 90.0) % 180.0,
                strength: if high > low {
                    (value - low) / range
                } else {
                    0.0
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::composition::{signature, NetworkMaps};

    const SIZE: usize = 128;

    /// A normalised CHW image: mid grey with `paint` deciding each pixel's
    /// brightness (x, y in 0…1).
    fn image(paint: impl Fn(f32, f32) -> Option<f32>) -> Vec<f32> {
        let mut out = vec![0.0f32; 3 * SIZE * SIZE];
        for y in 0..SIZE {
            for x in 0..SIZE {
                let (fx, fy) = (x as f32 / SIZE as f32, y as f32 / SIZE as f32);
                let v = paint(fx, fy).unwrap_or(0.0);
                for c in 0..3 {
                    out[c * SIZE * SIZE + y * SIZE + x] = v;
                }
            }
        }
        out
    }

    #[test]
    fn the_figure_is_where_the_subject_stands_out() {
        let disc = image(|x, y| ((x - 0.25).hypot(y - 0.3) < 0.12).then_some(0.9));
        let drawn = layout(&signature(&disc, SIZE, NetworkMaps::default())).unwrap();
        let peak = (0..drawn.figure.len())
            .max_by(|&a, &b| drawn.figure[a].total_cmp(&drawn.figure[b]))
            .unwrap();
        let (cx, cy) = (peak % 16, peak / 16);
        assert!(
            (3..=5).contains(&cx) && (2..=3).contains(&cy),
            "peak at {cx},{cy}"
        );
        assert_eq!(drawn.figure[peak], 1.0);
        // The far corner is background: nothing stands out there.
        assert!(drawn.figure[8 * 16 + 15] < 0.1);
        // And it is the brightest place too.
        assert!(drawn.light[peak] > 0.8);
    }

    #[test]
    fn lines_run_the_way_the_picture_does() {
        let horizon = image(|_, y| (y > 0.5).then_some(0.8));
        let drawn = layout(&signature(&horizon, SIZE, NetworkMaps::default())).unwrap();
        let strongest = drawn
            .lines
            .iter()
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
            .unwrap();
        assert_eq!(strongest.angle, 0.0, "{strongest:?}");
        assert!((strongest.y - 0.5).abs() < 0.2, "{strongest:?}");

        let post = image(|x, _| (x > 0.6).then_some(0.8));
        let drawn = layout(&signature(&post, SIZE, NetworkMaps::default())).unwrap();
        let strongest = drawn
            .lines
            .iter()
            .max_by(|a, b| a.strength.total_cmp(&b.strength))
            .unwrap();
        assert_eq!(strongest.angle, 90.0, "{strongest:?}");
    }

    #[test]
    fn a_signature_of_another_length_has_no_layout() {
        assert!(layout(&[0; 10]).is_none());
    }
}
