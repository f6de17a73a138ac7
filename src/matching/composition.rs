//! The framing of a keyframe and how two framings agree: the score of a
//! match cut. A match cut joins **different** pictures whose framing lines
//! up, so nothing here looks at what the picture shows or at its colours:
//! only where light, contours, lines and the subject sit in the frame.
//!
//! A keyframe's **signature** is computed from its model input (the
//! letterboxed, normalised 3×S×S image the embedder sees): bars (rows and
//! columns of pure black at the edges) are trimmed, the picture is averaged
//! into a 64×36 grid, and six maps are kept, each centred and scaled to
//! unit length (a map with no variation is all zeros), so brightness,
//! contrast and colour grade do not count:
//! - **light** (16×9): mean luma, the shape of light and shade;
//! - **edges** (16×9): Sobel gradient strength, where contours are;
//! - **lines** (8×6 cells × 4 orientations): gradient energy by orientation
//!   (horizontal, two diagonals, vertical), so a horizon or a row of
//!   verticals lines up with another at the same place;
//! - **subject** (16×9): how far each place's colour stands from the
//!   background's colours (taken from the frame's border), so the subject's
//!   position, size and silhouette count, whatever its colour;
//! - **objects** (16×9): where the embedding network sees the animal,
//!   person or object it names ([`crate::embed::objects`]), resampled from
//!   its 7×7 map onto the picture: the subject's place and extent where
//!   colour alone does not single it out (a busy forest, a face in
//!   close-up);
//! - **salient** (16×9): how salient each place is ([`crate::embed::saliency`],
//!   distilled from a salient-object network), resampled from its 14×14
//!   map: the figure's outline against its ground, whatever the figure,
//!   and nothing where there is no figure (a forest path, a field of
//!   leaves).
//!
//! The maps are weighted by √[`WEIGHTS`] and quantised together to i8: the
//! cosine of two signatures is the weighted mean of the six maps'
//! correlations (up to rounding), in [−1, 1], and exact search over
//! signatures ranks by it.

/// Map names, in signature order.
pub const PARTS: [&str; 6] = ["light", "edges", "lines", "subject", "objects", "salient"];
/// Weight of each map in the cosine of two signatures (they sum to 1).
/// Chosen on the tuned part of the film evaluation
/// (`scripts/match-eval/film/`): the first five in that ratio before the
/// salient map; the salient map's where the tuned part's separation of
/// labelled matches from unrelated pairs stops growing (ROC AUC 0.75 → 0.81
/// from 0 to 0.23, +0.002 beyond).
pub const WEIGHTS: [f32; 6] = [0.085, 0.085, 0.115, 0.285, 0.2, 0.23];
/// Width and height of the light, edge and subject maps.
pub const MAP_W: usize = 16;
pub const MAP_H: usize = 9;
/// Cells and orientations of the line map.
const CELLS_W: usize = 8;
const CELLS_H: usize = 6;
const ORIENTATIONS: usize = 4;
/// Lengths of the five parts, and of a signature.
pub const PART_LEN: [usize; 6] = [
    MAP_W * MAP_H,
    MAP_W * MAP_H,
    CELLS_W * CELLS_H * ORIENTATIONS,
    MAP_W * MAP_H,
    MAP_W * MAP_H,
    MAP_W * MAP_H,
];
/// Length of the picture's own maps (light, edges, lines, subject), which
/// come first.
const PICTURE_LEN: usize = PART_LEN[0] + PART_LEN[1] + PART_LEN[2] + PART_LEN[3];
pub const LEN: usize = PICTURE_LEN + PART_LEN[4] + PART_LEN[5];
/// Version of the signature (part of the embedding stage's cache key).
pub const VERSION: &str = "light+edges+lines+subject+objects+salient/6";

const FINE_W: usize = 4 * MAP_W;
const FINE_H: usize = 4 * MAP_H;
/// Luma of the letterbox bars plus a margin: (0 − 127) / 128 is black.
const BAR_LUMA: f32 = -0.97;

/// The network's maps of a frame: where it sees an object
/// ([`crate::embed::Described::objects`]) and how salient each place is
/// ([`crate::embed::Described::salient`]); an empty map leaves its part out.
#[derive(Clone, Copy, Debug, Default)]
pub struct NetworkMaps<'a> {
    pub objects: &'a [f32],
    pub salient: &'a [f32],
}

/// The signature of one normalised CHW image of `size`×`size` pixels, with
/// the network's maps of it.
pub fn signature(image: &[f32], size: usize, network: NetworkMaps) -> Vec<i8> {
    framing(image, size, network).0
}

/// The signature of one normalised CHW image of `size`×`size` pixels and
/// how clearly a figure stands out in it, 0…1: the highest value of its
/// saliency map ([`crate::embed::Described::salient`]) inside the bars,
/// clipped to 0…1 (the teacher's scale: about 0 on the ground, 1 on a
/// figure). A busy frame with no figure (a forest path) scores low; 0
/// without a map.
pub fn framing(image: &[f32], size: usize, network: NetworkMaps) -> (Vec<i8>, f32) {
    let planes = colour_planes(image, size);
    let area = active_area(&planes[0], size);
    let fine: Vec<Vec<f32>> = planes
        .iter()
        .map(|p| area_average(p, size, area, FINE_W, FINE_H))
        .collect();
    let (gx, gy) = gradients(&fine[0], FINE_W, FINE_H);
    let strength: Vec<f32> = gx.iter().zip(&gy).map(|(x, y)| x.hypot(*y)).collect();
    let salient = grid_on_area(network.salient, SALIENT_SIDE, size, area);
    let figure = salient.iter().fold(0.0f32, |m, v| m.max(v.clamp(0.0, 1.0)));
    let parts = [
        normalise(pool4(&fine[0])),
        normalise(pool4(&strength)),
        normalise(lines(&gx, &gy)),
        normalise(pool4(&saliency(&fine))),
        normalise(grid_on_area(network.objects, OBJECTS_SIDE, size, area)),
        normalise(salient),
    ];
    let mut joined = Vec::with_capacity(LEN);
    for (part, weight) in parts.iter().zip(WEIGHTS) {
        joined.extend(part.iter().map(|v| v * weight.sqrt()));
    }
    (quantise(&joined), figure)
}

/// Cosine of two signatures: how well their framings agree, in [−1, 1];
/// exactly the value candidate search ranks by.
pub fn similarity(a: &[i8], b: &[i8]) -> f32 {
    if a.len() != LEN || b.len() != LEN {
        return 0.0;
    }
    super::exact::cosine_i8(a, b)
}

/// Cosine of two signatures' picture maps alone (light, edges, lines,
/// subject; not the network's objects or saliency): whether two frames are
/// framed alike by the camera, which is what makes two shots one set-up.
/// The network's maps are left out because the same subject brings them
/// back in every set-up it appears in.
pub fn picture_similarity(a: &[i8], b: &[i8]) -> f32 {
    if a.len() != LEN || b.len() != LEN {
        return 0.0;
    }
    super::exact::cosine_i8(&a[..PICTURE_LEN], &b[..PICTURE_LEN])
}

/// The correlation of each of the six maps of two signatures ([`PARTS`]
/// order); their mean weighted by [`WEIGHTS`] is about [`similarity`].
pub fn parts(a: &[i8], b: &[i8]) -> [f32; 6] {
    let mut out = [0.0; 6];
    if a.len() != LEN || b.len() != LEN {
        return out;
    }
    let mut start = 0;
    for (i, len) in PART_LEN.iter().enumerate() {
        out[i] = super::exact::cosine_i8(&a[start..start + len], &b[start..start + len]);
        start += len;
    }
    out
}

/// Luma and two colour-difference planes of a normalised CHW image.
fn colour_planes(image: &[f32], size: usize) -> [Vec<f32>; 3] {
    let plane = size * size;
    if image.len() < 3 * plane {
        return [
            vec![BAR_LUMA - 1.0; plane],
            vec![0.0; plane],
            vec![0.0; plane],
        ];
    }
    let (r, g, b) = (
        &image[..plane],
        &image[plane..2 * plane],
        &image[2 * plane..],
    );
    let luma: Vec<f32> = (0..plane)
        .map(|i| 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i])
        .collect();
    let cb = (0..plane).map(|i| 0.564 * (b[i] - luma[i])).collect();
    let cr = (0..plane).map(|i| 0.713 * (r[i] - luma[i])).collect();
    [luma, cb, cr]
}

/// The rectangle inside the bars: [x0, x1) × [y0, y1).
fn active_area(luma: &[f32], size: usize) -> (usize, usize, usize, usize) {
    let lit_row = |y: usize| luma[y * size..(y + 1) * size].iter().any(|&v| v > BAR_LUMA);
    let lit_col = |x: usize| (0..size).any(|y| luma[y * size + x] > BAR_LUMA);
    let y0 = (0..size).find(|&y| lit_row(y)).unwrap_or(0);
    let y1 = (0..size)
        .rev()
        .find(|&y| lit_row(y))
        .map_or(size, |y| y + 1);
    let x0 = (0..size).find(|&x| lit_col(x)).unwrap_or(0);
    let x1 = (0..size)
        .rev()
        .find(|&x| lit_col(x))
        .map_or(size, |x| x + 1);
    if x1 < x0 + FINE_W / 4 || y1 < y0 + FINE_H / 4 {
        return (0, size, 0, size);
    }
    (x0, x1, y0, y1)
}

/// Box average of the area into a `w`×`h` grid (each cell at least one pixel).
fn area_average(
    plane: &[f32],
    size: usize,
    (x0, x1, y0, y1): (usize, usize, usize, usize),
    w: usize,
    h: usize,
) -> Vec<f32> {
    let span = |lo: usize, hi: usize, n: usize, i: usize| {
        let a = lo + (hi - lo) * i / n;
        let b = (lo + (hi - lo) * (i + 1) / n).max(a + 1);
        (a, b)
    };
    let mut out = Vec::with_capacity(w * h);
    for gy in 0..h {
        let (ya, yb) = span(y0, y1, h, gy);
        for gx in 0..w {
            let (xa, xb) = span(x0, x1, w, gx);
            let sum: f32 = (ya..yb)
                .flat_map(|y| plane[y * size + xa..y * size + xb].iter())
                .sum();
            out.push(sum / ((yb - ya) * (xb - xa)) as f32);
        }
    }
    out
}

/// Sides of the network's object and saliency maps.
const OBJECTS_SIDE: usize = crate::embed::objects::SIDE;
const SALIENT_SIDE: usize = crate::embed::saliency::SIDE;

/// One of the network's maps (a row-major `side`×`side` grid over the
/// square input) sampled bilinearly at the centres of a MAP_W×MAP_H grid
/// over the area inside the bars. A missing or misshapen map gives all
/// zeros.
fn grid_on_area(
    map: &[f32],
    side: usize,
    size: usize,
    (x0, x1, y0, y1): (usize, usize, usize, usize),
) -> Vec<f32> {
    if map.len() != side * side {
        return vec![0.0; MAP_W * MAP_H];
    }
    // Where the centre of place `i` of `n` over [lo, hi) falls among the
    // map's cells (whose centres are at (k + ½) · size / side).
    let cell = |lo: usize, hi: usize, n: usize, i: usize| {
        let pixel = lo as f32 + (hi - lo) as f32 * (i as f32 + 0.5) / n as f32;
        let at = (pixel * side as f32 / size as f32 - 0.5).clamp(0.0, (side - 1) as f32);
        let low = at.floor() as usize;
        (low, (low + 1).min(side - 1), at - low as f32)
    };
    let mut out = Vec::with_capacity(MAP_W * MAP_H);
    for gy in 0..MAP_H {
        let (ya, yb, fy) = cell(y0, y1, MAP_H, gy);
        for gx in 0..MAP_W {
            let (xa, xb, fx) = cell(x0, x1, MAP_W, gx);
            let row = |y: usize| map[y * side + xa] * (1.0 - fx) + map[y * side + xb] * fx;
            out.push(row(ya) * (1.0 - fy) + row(yb) * fy);
        }
    }
    out
}

/// Sobel gradients (x, y), edges replicated.
fn gradients(plane: &[f32], w: usize, h: usize) -> (Vec<f32>, Vec<f32>) {
    let at = |x: isize, y: isize| {
        let x = x.clamp(0, w as isize - 1) as usize;
        let y = y.clamp(0, h as isize - 1) as usize;
        plane[y * w + x]
    };
    let (mut gxs, mut gys) = (Vec::with_capacity(w * h), Vec::with_capacity(w * h));
    for y in 0..h as isize {
        for x in 0..w as isize {
            gxs.push(
                at(x + 1, y - 1) + 2.0 * at(x + 1, y) + at(x + 1, y + 1)
                    - at(x - 1, y - 1)
                    - 2.0 * at(x - 1, y)
                    - at(x - 1, y + 1),
            );
            gys.push(
                at(x - 1, y + 1) + 2.0 * at(x, y + 1) + at(x + 1, y + 1)
                    - at(x - 1, y - 1)
                    - 2.0 * at(x, y - 1)
                    - at(x + 1, y - 1),
            );
        }
    }
    (gxs, gys)
}

/// Gradient energy by orientation in each cell: `[cell][orientation]`,
/// square-rooted so strong contours do not drown the rest. A gradient's
/// energy is shared between the two nearest of the four orientations
/// (0°, 45°, 90°, 135° of the gradient, i.e. vertical, diagonal,
/// horizontal and the other diagonal lines).
fn lines(gx: &[f32], gy: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0f32; CELLS_W * CELLS_H * ORIENTATIONS];
    let step = std::f32::consts::PI / ORIENTATIONS as f32;
    for (i, (&x, &y)) in gx.iter().zip(gy).enumerate() {
        let energy = x * x + y * y;
        if energy <= 0.0 {
            continue;
        }
        let angle = y.atan2(x).rem_euclid(std::f32::consts::PI) / step;
        let low = angle.floor() as usize % ORIENTATIONS;
        let high = (low + 1) % ORIENTATIONS;
        let share = angle - angle.floor();
        let (fx, fy) = (i % FINE_W, i / FINE_W);
        let cell = (fy * CELLS_H / FINE_H) * CELLS_W + fx * CELLS_W / FINE_W;
        out[cell * ORIENTATIONS + low] += energy * (1.0 - share);
        out[cell * ORIENTATIONS + high] += energy * share;
    }
    out.iter().map(|v| v.sqrt()).collect()
}

/// How far each place's colour (luma and colour difference, 3×3 blurred)
/// stands from the background's colours, taken from the frame's border
/// (the subject rarely fills the border): the distance to the
/// [`BORDER_QUANTILE`]-th nearest of the border's colours (sampled every
/// [`BORDER_STEP`] places), so a subject touching one edge still stands out.
fn saliency(fine: &[Vec<f32>]) -> Vec<f32> {
    let blurred: Vec<Vec<f32>> = fine.iter().map(|p| blur3(p, FINE_W, FINE_H)).collect();
    let colour = |i: usize| [blurred[0][i], blurred[1][i], blurred[2][i]];
    let border: Vec<[f32; 3]> = (0..FINE_W * FINE_H)
        .filter(|&i| {
            let (x, y) = (i % FINE_W, i / FINE_W);
            x == 0 || y == 0 || x == FINE_W - 1 || y == FINE_H - 1
        })
        .step_by(BORDER_STEP)
        .map(colour)
        .collect();
    let nth = ((border.len() as f32 * BORDER_QUANTILE) as usize).min(border.len() - 1);
    let mut distances = vec![0.0f32; border.len()];
    (0..FINE_W * FINE_H)
        .map(|i| {
            let c = colour(i);
            for (d, b) in distances.iter_mut().zip(&border) {
                *d = (c[0] - b[0]).powi(2) + (c[1] - b[1]).powi(2) + (c[2] - b[2]).powi(2);
            }
            let (_, d, _) = distances.select_nth_unstable_by(nth, f32::total_cmp);
            d.sqrt()
        })
        .collect()
}

/// Share of the border a colour must be far from to stand out.
const BORDER_QUANTILE: f32 = 0.1;
/// Every this many border places is sampled (the border is blurred).
const BORDER_STEP: usize = 3;

/// 3×3 box blur, edges replicated.
fn blur3(plane: &[f32], w: usize, h: usize) -> Vec<f32> {
    let at = |x: isize, y: isize| {
        plane[y.clamp(0, h as isize - 1) as usize * w + x.clamp(0, w as isize - 1) as usize]
    };
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h as isize {
        for x in 0..w as isize {
            let sum: f32 = (-1..=1)
                .flat_map(|dy| (-1..=1).map(move |dx| (dx, dy)))
                .map(|(dx, dy)| at(x + dx, y + dy))
                .sum();
            out.push(sum / 9.0);
        }
    }
    out
}

/// 4×4 mean pooling of a FINE_W×FINE_H grid into MAP_W×MAP_H.
fn pool4(fine: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; MAP_W * MAP_H];
    for (i, v) in fine.iter().enumerate() {
        let (x, y) = (i % FINE_W, i / FINE_W);
        out[(y / 4) * MAP_W + x / 4] += v / 16.0;
    }
    out
}

/// Centred and scaled to unit length (all zeros for a flat map).
fn normalise(map: Vec<f32>) -> Vec<f32> {
    let mean = map.iter().sum::<f32>() / map.len() as f32;
    let centred: Vec<f32> = map.iter().map(|v| v - mean).collect();
    let norm = centred.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm < 1e-4 {
        return vec![0.0; map.len()];
    }
    centred.iter().map(|v| v / norm).collect()
}

fn quantise(map: &[f32]) -> Vec<i8> {
    let peak = map.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if peak == 0.0 {
        return vec![0; map.len()];
    }
    map.iter()
        .map(|v| (v / peak * 127.0).round() as i8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A letterboxed CHW image: bars above and below, a bright disc at (cx, cy)
    /// in relative picture coordinates.
    fn disc(size: usize, cx: f32, cy: f32, brightness: f32) -> Vec<f32> {
        let (top, bottom) = (size / 4, size - size / 4);
        let mut img = vec![-127.0 / 128.0; 3 * size * size];
        for y in top..bottom {
            for x in 0..size {
                let u = x as f32 / size as f32;
                let v = (y - top) as f32 / (bottom - top) as f32;
                let inside = (u - cx).powi(2) * 3.0 + (v - cy).powi(2) < 0.02;
                let value = if inside { brightness } else { -0.5 };
                for c in 0..3 {
                    img[c * size * size + y * size + x] = value;
                }
            }
        }
        img
    }

    #[test]
    fn same_layout_matches_whatever_the_brightness() {
        let none = NetworkMaps::default();
        let a = signature(&disc(224, 0.3, 0.5, 0.9), 224, none);
        let b = signature(&disc(224, 0.3, 0.5, 0.2), 224, none);
        let moved = signature(&disc(224, 0.75, 0.4, 0.9), 224, none);
        assert_eq!(a.len(), LEN);
        assert!(similarity(&a, &b) > 0.95, "{}", similarity(&a, &b));
        assert!(similarity(&a, &moved) < 0.3, "{}", similarity(&a, &moved));
    }

    /// An object map lit at one cell of the network's grid.
    fn lit_at(x: usize, y: usize) -> Vec<f32> {
        lit_on(OBJECTS_SIDE, x, y)
    }

    fn lit_on(side: usize, x: usize, y: usize) -> Vec<f32> {
        let mut map = vec![0.0; side * side];
        map[y * side + x] = 10.0;
        map
    }

    fn objects(map: &[f32]) -> NetworkMaps<'_> {
        NetworkMaps {
            objects: map,
            salient: &[],
        }
    }

    #[test]
    fn where_the_network_sees_the_subject_counts() {
        // The same disc; the network sees an object on its left in two
        // frames, on the right in the third.
        let image = disc(224, 0.3, 0.5, 0.9);
        let left = signature(&image, 224, objects(&lit_at(2, 3)));
        let also_left = signature(&image, 224, objects(&lit_at(2, 3)));
        let right = signature(&image, 224, objects(&lit_at(5, 3)));
        assert!(parts(&left, &also_left)[4] > 0.99);
        assert!(parts(&left, &right)[4] < 0.0, "{:?}", parts(&left, &right));
        assert!(similarity(&left, &also_left) > similarity(&left, &right) + 0.2);
        // The camera framed all three alike.
        assert!(picture_similarity(&left, &right) > 0.99);
    }

    #[test]
    fn where_the_figure_stands_out_counts() {
        // The same disc; the saliency head marks a figure low in two
        // frames, high in the third.
        let image = disc(224, 0.3, 0.5, 0.9);
        let (low, high) = (lit_on(SALIENT_SIDE, 7, 9), lit_on(SALIENT_SIDE, 7, 4));
        let salient = |map| NetworkMaps {
            objects: &[],
            salient: map,
        };
        let a = signature(&image, 224, salient(&low));
        let b = signature(&image, 224, salient(&low));
        let c = signature(&image, 224, salient(&high));
        assert!(parts(&a, &b)[5] > 0.99);
        assert!(parts(&a, &c)[5] < 0.0, "{:?}", parts(&a, &c));
        assert!(picture_similarity(&a, &c) > 0.99);
    }

    #[test]
    fn the_object_map_is_read_inside_the_bars() {
        // Bars fill rows 0..56 and 168..224: the network's top and bottom
        // cells (0..32, 192..224) lie in them and are never sampled.
        let mut map = lit_at(3, 0);
        map[6 * crate::embed::objects::SIDE + 3] = 10.0;
        let grid = grid_on_area(&map, OBJECTS_SIDE, 224, (0, 224, 56, 168));
        assert_eq!(grid.len(), MAP_W * MAP_H);
        assert!(grid.iter().all(|&v| v == 0.0), "{grid:?}");
        let grid = grid_on_area(&lit_at(3, 3), OBJECTS_SIDE, 224, (0, 224, 56, 168));
        let peak = grid.iter().cloned().fold(0.0f32, f32::max);
        let at = grid.iter().position(|&v| v == peak).unwrap_or(0);
        // Cell 3 of 7 is the middle: between places 7 and 8 of 16, place 4
        // of 9.
        assert!(matches!((at % MAP_W, at / MAP_W), (7 | 8, 4)), "{grid:?}");
    }

    #[test]
    fn a_figure_is_read_inside_the_bars() {
        let image = disc(224, 0.5, 0.5, 0.9);
        let figure = |_: &[f32], _: usize, map: &[f32]| {
            let maps = NetworkMaps {
                objects: &[],
                salient: map,
            };
            framing(&image, 224, maps).1
        };
        // A figure in the bars' rows (the top cells) is not seen.
        let mut in_bars = vec![0.0; SALIENT_SIDE * SALIENT_SIDE];
        in_bars[7] = 1.5;
        assert_eq!(figure(&image, 224, &in_bars), 0.0);
        // A figure over 3×3 cells in the middle, the ground below 0.
        let mut standing = vec![-0.2; SALIENT_SIDE * SALIENT_SIDE];
        for y in 6..=8 {
            for x in 6..=8 {
                standing[y * SALIENT_SIDE + x] = 0.8;
            }
        }
        let f = figure(&image, 224, &standing);
        assert!((f - 0.8).abs() < 1e-5, "{f}");
        assert_eq!(figure(&image, 224, &lit_on(SALIENT_SIDE, 7, 7)), 1.0);
        assert_eq!(figure(&image, 224, &[]), 0.0);
    }

    #[test]
    fn bars_are_trimmed() {
        let luma = colour_planes(&disc(224, 0.5, 0.5, 0.9), 224)[0].clone();
        assert_eq!(active_area(&luma, 224), (0, 224, 56, 168));
    }

    /// Sky above a horizon at `height` (relative), ground below; the ground
    /// striped (textured) or plain, in its own colour.
    fn horizon(size: usize, height: f32, striped: bool, tint: f32) -> Vec<f32> {
        let mut img = vec![0.0; 3 * size * size];
        for y in 0..size {
            for x in 0..size {
                let sky = (y as f32) < height * size as f32;
                let stripe = striped && (x / 6) % 2 == 0;
                let rgb = match (sky, stripe) {
                    (true, _) => [0.2, 0.4, 0.9],
                    (false, true) => [tint, 0.1, -0.6],
                    (false, false) => [tint - 0.3, -0.1, -0.7],
                };
                for c in 0..3 {
                    img[c * size * size + y * size + x] = rgb[c];
                }
            }
        }
        img
    }

    #[test]
    fn a_horizon_matches_a_horizon_at_the_same_height_whatever_the_ground() {
        let (seen, standing_out) = (lit_at(1, 5), lit_on(SALIENT_SIDE, 2, 10));
        let maps = NetworkMaps {
            objects: &seen,
            salient: &standing_out,
        };
        let plain = signature(&horizon(224, 0.4, false, 0.3), 224, maps);
        let textured = signature(&horizon(224, 0.42, true, -0.2), 224, maps);
        let higher = signature(&horizon(224, 0.15, false, 0.3), 224, maps);
        let (same, moved) = (similarity(&plain, &textured), similarity(&plain, &higher));
        assert!(same > 0.6 && same > moved + 0.3, "{same} {moved}");
        let p = parts(&plain, &textured);
        assert!(p[0] > 0.8 && p[3] > 0.8, "{p:?}");
        let weighted: f32 = p.iter().zip(WEIGHTS).map(|(c, w)| c * w).sum();
        assert!((weighted - same).abs() < 0.05, "{weighted} {same}");
    }

    #[test]
    fn a_flat_frame_has_no_composition() {
        let flat = vec![0.1; 3 * 224 * 224];
        let sig = signature(&flat, 224, NetworkMaps::default());
        assert!(sig.iter().all(|&v| v == 0));
        assert_eq!(similarity(&sig, &sig), 0.0);
    }
}
