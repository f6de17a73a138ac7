//! How a reverse index (`catalogue::delta`) holds a list: the framing of
//! the shot that owns it and the lowest cosine that may still enter it, in
//! one vector whose cosine with a new shot's framing, asked as
//! [`reverse_query`], says whether the new shot may enter.
//!
//! The vector is the framing (unit length), `-least / WEIGHT`, and the
//! length that brings every vector to the same norm, so the largest dot
//! product is the largest cosine; the query is the framing and `WEIGHT`,
//! so the dot product is `cos - least`. The threshold's parts outweigh the
//! framing (`WEIGHT` 0.5: they are 4 long, the framing 1), so the graph
//! HNSW builds over the vectors links lists of like thresholds first, and
//! a search walks from the lists near the new shot's framing to the lists
//! of low threshold, far from it, that it enters too. Measured at 100k
//! shots (`benches/catalogue.rs`, 200 shots' entered lists against exact
//! search; reverse searches' thread time for 4,000): with the parts as
//! long as the framing (`WEIGHT` 1) and `ef` 256, recall 0.965 in 3.65 s;
//! `WEIGHT` 0.5 and `ef` 128, 0.974 in 2.77 s (`ef` 256: 0.990 in 5.6 s);
//! `WEIGHT` 4 (a graph of framings) and `ef` 256, 0.950: the lists missed
//! are the low-threshold ones.
//!
//! The vector is then rotated by a fixed random rotation ([`rotate`]:
//! random signs, then the normalised Walsh–Hadamard transform), which
//! keeps every dot product and length but spreads the extra parts, far
//! larger than any framing component, over every dimension: 8-bit storage
//! scaled to the largest component then keeps the framing's detail.

use crate::matching::composition;

/// Which encoding of a list this is, with the graph its index is built
/// with, as kept catalogues record it (`catalogue::saved`): 3 since the
/// graph is built with `ef` 256 (`build::reverse_params`); 2 since the
/// threshold outweighs the framing (`WEIGHT` 0.5); 1 weighed them alike
/// (unrecorded, read as 0).
pub const ENCODING: u32 = 3;

/// Length of a reverse index's vectors: a framing and its two extra parts,
/// padded to a power of two for the rotation.
pub const DIMS: usize = (composition::LEN + 2).next_power_of_two();

/// How much a query's threshold part weighs beside its framing (unit
/// length); a vector's threshold part is as much larger.
const WEIGHT: f32 = 0.5;

/// The largest threshold in size a vector holds (thresholds are clamped
/// to it: a cosine is within 1 of 0).
const MOST: f32 = 2.0;

/// The squared length of every vector before rotation: a framing of unit
/// length and the threshold parts, `(MOST / WEIGHT)^2`.
const NORM2: f32 = 1.0 + (MOST / WEIGHT) * (MOST / WEIGHT);

/// How a cosine in a reverse index maps back to the dot product of the
/// framing and threshold parts: the lengths of its vectors (`NORM2`) and
/// its queries (`1 + WEIGHT^2`), rooted.
pub const SCALE: f32 = 4.609_772; // sqrt(17 * 1.25)
const _: () = assert!((SCALE * SCALE - NORM2 * (1.0 + WEIGHT * WEIGHT)).abs() < 1e-4);

/// Slack on a reverse index's dot products in the bounds: its rotated
/// vectors round to 8 bits (within 0.005 of the dot product: tested).
pub const SLACK: f32 = 0.02;

/// A list as a reverse index holds it: its owner's framing and `least`,
/// the lowest cosine that may still enter it (its k-th score less the most
/// its figure can add). For a new shot's framing `g` asked as
/// [`reverse_query`], `SCALE` times the cosine is `cos(f, g) - least`: at
/// least 0 for every list the new shot may enter.
pub fn reverse_vector(framing: &[i8], least: f32) -> Vec<f32> {
    let part = least.clamp(-MOST, MOST) / WEIGHT;
    let mut v = unit(framing);
    v.push(-part);
    v.push((NORM2 - 1.0 - part * part).max(0.0).sqrt());
    rotate(v)
}

/// A new shot's framing as it asks a reverse index.
pub fn reverse_query(framing: &[i8]) -> Vec<f32> {
    let mut v = unit(framing);
    v.extend([WEIGHT, 0.0]);
    rotate(v)
}

fn unit(framing: &[i8]) -> Vec<f32> {
    let norm = framing
        .iter()
        .map(|&x| f32::from(x) * f32::from(x))
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    framing.iter().map(|&x| f32::from(x) / norm).collect()
}

/// `v` padded with zeros to [`DIMS`], its signs flipped by a fixed pattern,
/// then through the Walsh–Hadamard transform scaled to keep lengths: an
/// orthogonal map, the same for every vector (saved indexes depend on it).
fn rotate(mut v: Vec<f32>) -> Vec<f32> {
    v.resize(DIMS, 0.0);
    for (i, x) in v.iter_mut().enumerate() {
        if flipped(i) {
            *x = -*x;
        }
    }
    let mut half = 1;
    while half < DIMS {
        for block in (0..DIMS).step_by(2 * half) {
            for i in block..block + half {
                let (a, b) = (v[i], v[i + half]);
                v[i] = a + b;
                v[i + half] = a - b;
            }
        }
        half *= 2;
    }
    let scale = 1.0 / (DIMS as f32).sqrt();
    v.iter_mut().for_each(|x| *x *= scale);
    v
}

/// Whether dimension `i`'s sign is flipped: one bit of a SplitMix64 step.
fn flipped(i: usize) -> bool {
    let mut z = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::exact::{cosine_i8, quantise};
    use crate::matching::testing::noise;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn the_rotation_keeps_dot_products_and_lengths() {
        let a: Vec<f32> = noise(1, 900).into_iter().map(f32::from).collect();
        let b: Vec<f32> = noise(2, 900).into_iter().map(f32::from).collect();
        let (ra, rb) = (rotate(a.clone()), rotate(b.clone()));
        assert_eq!(ra.len(), DIMS);
        assert!((dot(&ra, &rb) - dot(&a, &b)).abs() < 1e-3 * dot(&a, &a));
        assert!((dot(&ra, &ra) - dot(&a, &a)).abs() < 1e-3 * dot(&a, &a));
        // Not the identity: the flips and the transform mix dimensions.
        assert!(ra[..900].iter().zip(&a).any(|(x, y)| (x - y).abs() > 1.0));
    }

    /// Two lists' vectors are nearer for like thresholds than for like
    /// framings (`WEIGHT`): lists of one threshold whose framings are 0.3
    /// to 0.8 alike are nearer each other than lists of one framing with
    /// thresholds far apart, so the HNSW graph links lists of like
    /// thresholds first.
    #[test]
    fn lists_of_like_thresholds_are_nearer_than_lists_of_like_framings() {
        let len = composition::LEN;
        let f = noise(7, len);
        let half: Vec<f32> = noise(8, len)
            .iter()
            .zip(&f)
            .map(|(&g, &f)| f32::from(g) + f32::from(f))
            .collect();
        let g = quantise(&half);
        let framings = cosine_i8(&f, &g);
        assert!((0.3..0.8).contains(&framings), "{framings}");
        let cos = |a: &[f32], b: &[f32]| dot(a, b) / (dot(a, a) * dot(b, b)).sqrt();
        let same_framing = cos(&reverse_vector(&f, 0.9), &reverse_vector(&f, -0.5));
        let same_least = cos(&reverse_vector(&f, 0.6), &reverse_vector(&g, 0.6));
        assert!(
            same_least > same_framing + 0.1,
            "{same_least} {same_framing}"
        );
    }

    /// Stored in 8 bits, the cosine still says `cos(f, g) - least` to well
    /// within the search's slack, for thresholds across their range.
    #[test]
    fn eight_bit_vectors_keep_cosine_less_threshold() {
        let len = composition::LEN;
        let mut worst = 0.0f32;
        for seed in 0..40u64 {
            let f = noise(seed, len);
            let mix: Vec<f32> = noise(seed + 1000, len)
                .iter()
                .zip(&f)
                .map(|(&g, &f)| f32::from(g) + f32::from(f) * (seed % 5) as f32 * 0.5)
                .collect();
            let g = quantise(&mix);
            let least = (seed as f32 / 40.0) * 3.0 - 1.5;
            let want = cosine_i8(&f, &g) - least;
            let stored = quantise(&reverse_vector(&f, least));
            let asked = quantise(&reverse_query(&g));
            let got = cosine_i8(&stored, &asked) * SCALE;
            worst = worst.max((got - want).abs());
        }
        assert!(worst < 0.005, "worst error {worst}");
    }
}
