//! Synthetic keyframe descriptors for the scale benchmarks: clustered like
//! real ones (shots of a scene resemble each other, scenes share looks),
//! with the variance spectrum measured on real descriptors (`SPECTRUM`).

use matchcut::embed::descriptor::DIMS;

/// Deterministic pseudo-random numbers (SplitMix64).
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Consecutive shots form scenes of this many; scenes fall into this many
/// looks (a location, a character) shared across the library.
const SCENE: u64 = 25;
const LOOKS: u64 = 500;
/// The latent variance of dimension d falls as (d + 1)^-SPECTRUM: the
/// spectrum of real descriptors (on the match-eval libraries half the
/// variance lies in 7 principal directions, 90 % in 70, 95 % in 114;
/// this gives 5, 95 and 200).
const SPECTRUM: f32 = 1.3;

/// About normal: the sum of four 16-bit uniforms, centred and scaled.
fn normalish(seed: u64) -> f32 {
    let r = mix(seed);
    let sum: u64 = (0..4).map(|i| (r >> (16 * i)) & 0xFFFF).sum();
    (sum as f32 / 65535.0 - 2.0) * 3f32.sqrt()
}

/// A random latent vector with the real descriptors' spectrum.
fn latent(seed: u64) -> Vec<f32> {
    static SCALE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let scale = SCALE.get_or_init(|| {
        (0..512)
            .map(|d| ((d + 1) as f32).powf(-SPECTRUM / 2.0))
            .collect()
    });
    let base = mix(seed);
    scale
        .iter()
        .enumerate()
        .map(|(d, s)| normalish(base ^ (d as u64) << 32) * s)
        .collect()
}

/// A fixed random rotation (random signs, then a Walsh–Hadamard transform),
/// so no descriptor dimension is special, as in the real projections.
fn rotate(mut v: Vec<f32>) -> Vec<f32> {
    for (d, x) in v.iter_mut().enumerate() {
        if mix(d as u64 ^ 0xABCD) & 1 == 1 {
            *x = -*x;
        }
    }
    let mut h = 1;
    while h < v.len() {
        for i in (0..v.len()).step_by(2 * h) {
            for j in i..i + h {
                let (a, b) = (v[j], v[j + h]);
                v[j] = a + b;
                v[j + h] = a - b;
            }
        }
        h *= 2;
    }
    v.truncate(DIMS);
    v
}

/// The descriptor of synthetic keyframe `id` (side 0 = entry, 1 = exit):
/// its scene's look, the scene itself, and the shot's own variation.
pub fn descriptor(id: u64, side: u64) -> Vec<f32> {
    let scene = id / SCENE;
    let look = mix(scene) % LOOKS;
    let (a, b, c) = (
        latent(look),
        latent(scene + (1 << 40)),
        latent(id * 2 + side + (1 << 50)),
    );
    let z = (0..512)
        .map(|d| 0.8 * a[d] + 0.8 * b[d] + 0.6 * c[d])
        .collect();
    let mut v = rotate(z);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
    v
}

/// The library sizes named on the command line, else `default`.
pub fn sizes(default: &[u64]) -> Vec<u64> {
    let asked: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if asked.is_empty() {
        default.to_vec()
    } else {
        asked
    }
}
