//! Scale of the candidate search: synthetic descriptors for libraries of
//! 10k, 100k and 1M shots (an entry and an exit index of that many
//! vectors each), then
//! - the time to add one 2,000-shot title: its entries and exits added,
//!   each exit queried against the entries and each entry against the
//!   exits (what `LibraryData::add_title` does with the indexes), as a
//!   ratio to the 10k library;
//! - ANN recall@10 of those queries against exact search.
//!
//! The descriptors are clustered like real ones (shots of a scene resemble
//! each other, scenes share looks) and have the variance spectrum measured
//! on real descriptors (see `SPECTRUM`).
//!
//! `cargo bench --profile dev --bench index [-- SIZES...]`

use matchcut::embed::descriptor::DIMS;
use matchcut::index::{Access, IndexParams, VectorIndex};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

const TITLE_SHOTS: u64 = 2_000;
const K: usize = 10;
const RECALL_QUERIES: usize = 300;

/// Deterministic pseudo-random numbers (SplitMix64).
fn mix(mut z: u64) -> u64 {
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
fn descriptor(id: u64, side: u64) -> Vec<f32> {
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

/// The library's index settings; `BENCH_EF_ADD`, `BENCH_EF_SEARCH`,
/// `BENCH_M` and `BENCH_STORAGE=f16` override them for experiments.
fn params() -> IndexParams {
    let mut p = IndexParams::new(DIMS);
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    p.expansion_add = env("BENCH_EF_ADD").unwrap_or(p.expansion_add);
    p.expansion_search = env("BENCH_EF_SEARCH").unwrap_or(p.expansion_search);
    p.connectivity = env("BENCH_M").unwrap_or(p.connectivity);
    if std::env::var("BENCH_STORAGE").is_ok_and(|v| v == "f16") {
        p.storage = matchcut::index::Storage::F16;
    }
    p
}

fn build(size: u64, side: u64) -> VectorIndex {
    // BENCH_CACHE=DIR keeps built libraries between runs (experiments only).
    let cached = std::env::var("BENCH_CACHE").ok().map(|dir| {
        Path::new(&dir).join(format!("{size}-{side}-{:?}-v2.usearch", params().storage))
    });
    if let Some(path) = cached.as_ref().filter(|p| p.exists()) {
        return VectorIndex::open(path, params(), Access::Write).expect("open cached");
    }
    let index = VectorIndex::empty(
        cached.as_deref().unwrap_or(Path::new("bench.usearch")),
        params(),
    )
    .expect("index");
    index
        .reserve((size + TITLE_SHOTS) as usize)
        .expect("reserve");
    (0..size).into_par_iter().for_each(|id| {
        index.add(id, &descriptor(id, side)).expect("add");
    });
    if cached.is_some() {
        index.save().expect("save");
    }
    index
}

/// Adds one title and runs its candidate queries; returns the seconds and
/// the exit queries' results (for recall).
fn add_title(entries: &VectorIndex, exits: &VectorIndex, size: u64) -> (f64, Vec<Vec<u64>>) {
    let shots: Vec<u64> = (size..size + TITLE_SHOTS).collect();
    let vectors: Vec<(Vec<f32>, Vec<f32>)> = shots
        .iter()
        .map(|&id| (descriptor(id, 0), descriptor(id, 1)))
        .collect();
    let started = Instant::now();
    for (&id, (entry, exit)) in shots.iter().zip(&vectors) {
        entries.add(id, entry).expect("add");
        exits.add(id, exit).expect("add");
    }
    let added = started.elapsed().as_secs_f64();
    let mut found = Vec::with_capacity(shots.len());
    for (entry, exit) in &vectors {
        let n = entries.search(exit, K).expect("search");
        exits.search(entry, K).expect("search");
        found.push(n.iter().map(|n| n.key).collect());
    }
    let total = started.elapsed().as_secs_f64();
    eprintln!("  adds {added:.3} s, queries {:.3} s", total - added);
    (total, found)
}

fn recall(entries: &VectorIndex, shots: u64, size: u64, found: &[Vec<u64>]) -> f64 {
    let step = (shots as usize / RECALL_QUERIES).max(1);
    let mut hits = 0;
    let mut total = 0;
    for (i, ann) in found.iter().enumerate().step_by(step) {
        let exact = entries
            .exact_search(&descriptor(size + i as u64, 1), K)
            .expect("exact");
        hits += exact.iter().filter(|n| ann.contains(&n.key)).count();
        total += exact.len();
    }
    hits as f64 / total.max(1) as f64
}

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    println!("{:?}", params());
    println!("library shots | build s | add 2,000-shot title s | vs first | recall@10");
    let mut first = None;
    for size in sizes {
        let started = Instant::now();
        let entries = build(size, 0);
        let exits = build(size, 1);
        let built = started.elapsed().as_secs_f64();
        // Best of three titles (each a new one).
        let mut best = f64::MAX;
        let mut last = Vec::new();
        for round in 0..3 {
            let base = size + round * TITLE_SHOTS;
            entries.reserve(TITLE_SHOTS as usize).expect("reserve");
            exits.reserve(TITLE_SHOTS as usize).expect("reserve");
            let (seconds, found) = add_title(&entries, &exits, base);
            if round == 0 {
                last = found;
            }
            best = best.min(seconds);
        }
        let recall = recall(&entries, TITLE_SHOTS, size, &last);
        let ratio = best / *first.get_or_insert(best);
        println!("{size:>13} | {built:>7.1} | {best:>22.3} | {ratio:>7.2}x | {recall:.4}");
    }
}
