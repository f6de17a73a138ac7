//! Synthetic titles for the scale benchmarks: 2,000 shots each, with
//! descriptors and framings from `synthetic` and footage prints that
//! drift through a shot as the benchmark film's do (12 a shot: one in 8
//! frames of about 4 s); different shots never share frames.
#![allow(dead_code)]

use super::synthetic::{descriptor, mix};
use matchcut::embed::descriptor::DIMS;
use matchcut::jobs::{NewTitle, TitleMeta};
use matchcut::matching::exact::Quantised;
use matchcut::matching::neighbours::{ShotInfo, TitleVectors};
use matchcut::matching::{composition, footage};

pub const TITLE_SHOTS: u64 = 2_000;
/// Footage prints of each shot (one in 8 frames of about 4 s).
pub const PRINTS_PER_SHOT: u64 = 12;
/// Version of the titles generated here: a catalogue kept by a benchmark
/// (`BENCH_KEEP`) is reopened only by the generator that made it.
pub const GENERATION: u32 = 2;

/// Quantiles of the cosine between consecutive prints of a shot in the
/// benchmark film (1,623 steps in its 141 labelled shots, prints one in 8
/// frames from 16x9 area-averaged luma): (share, cosine). Half of the steps
/// are at least 0.985 alike (a still camera), a tenth below 0.78 (a pan).
const STEP_QUANTILES: [(f64, f64); 9] = [
    (0.0, -0.33),
    (0.02, 0.458),
    (0.05, 0.652),
    (0.1, 0.778),
    (0.25, 0.913),
    (0.5, 0.985),
    (0.75, 0.998),
    (0.9, 1.0),
    (1.0, 1.0),
];

/// The step cosine at share `u` of [`STEP_QUANTILES`] (linear between).
fn step_cosine(u: f64) -> f64 {
    let i = STEP_QUANTILES
        .iter()
        .position(|&(q, _)| q >= u)
        .unwrap_or(STEP_QUANTILES.len() - 1)
        .max(1);
    let ((q0, c0), (q1, c1)) = (STEP_QUANTILES[i - 1], STEP_QUANTILES[i]);
    c0 + (c1 - c0) * ((u - q0) / (q1 - q0)).clamp(0.0, 1.0)
}

/// Synthetic footage prints of shot `id`: a random walk from a random
/// picture, each step's cosine drawn from the benchmark film's
/// ([`STEP_QUANTILES`]; covering them as `catalogue::cover` does leaves
/// 0.55 searches a print, as in the film); different shots never share
/// frames.
pub fn prints(id: u64) -> Vec<i8> {
    let unit = |seed: u64| mix(seed) as f64 / u64::MAX as f64;
    let uniform = |seed: u64| unit(seed) * 2.0 - 1.0;
    let normalised = |v: Vec<f64>| {
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        v.into_iter().map(|x| x / n).collect::<Vec<f64>>()
    };
    let seed = id * 100_000;
    let mut p = normalised(
        (0..footage::LEN as u64)
            .map(|i| uniform(seed + i))
            .collect(),
    );
    let mut out = Vec::new();
    for r in 0..PRINTS_PER_SHOT {
        if r > 0 {
            // A random direction at right angles to the print, turned into
            // by the step's angle.
            let at = seed + (r + 1) * 1_000;
            let d: Vec<f64> = (0..footage::LEN as u64).map(|i| uniform(at + i)).collect();
            let along = d.iter().zip(&p).map(|(a, b)| a * b).sum::<f64>();
            let d = normalised(d.iter().zip(&p).map(|(a, b)| a - along * b).collect());
            let c = step_cosine(unit(at + 999));
            let s = (1.0 - c * c).max(0.0).sqrt();
            p = p.iter().zip(&d).map(|(a, b)| c * a + s * b).collect();
        }
        let f: Vec<f32> = p.iter().map(|&x| x as f32).collect();
        out.extend(matchcut::matching::exact::quantise(&f));
    }
    out
}

/// A synthetic framing signature: the values of a descriptor, repeated.
pub fn framing(v: Vec<f32>) -> Vec<i8> {
    let long: Vec<f32> = v.iter().cycle().take(composition::LEN).copied().collect();
    matchcut::matching::exact::quantise(&long)
}

/// Synthetic title `t`: shots `t * TITLE_SHOTS ..` of the generator.
pub fn title(t: u64) -> NewTitle {
    let hash = (0..4)
        .map(|i| format!("{:016x}", mix(t * 4 + i)))
        .collect::<String>();
    let mut vectors = TitleVectors {
        content_hash: hash,
        shots: Vec::new(),
        entries: Quantised::new(DIMS),
        exits: Quantised::new(DIMS),
        footage: Default::default(),
        aside: Default::default(),
    };
    let mut frames = Vec::new();
    for s in 0..TITLE_SHOTS {
        let id = t * TITLE_SHOTS + s;
        vectors.entries.push_f32(&descriptor(id, 0));
        vectors.exits.push_f32(&descriptor(id, 1));
        vectors.footage.push_shot(&prints(id));
        let (first, last) = (s * 100, s * 100 + 99);
        frames.push((first, last));
        vectors.shots.push(ShotInfo {
            shot: s as usize,
            first_frame: first,
            last_frame: last,
            entry_frame: first,
            exit_frame: last,
            group_shot: s as usize,
            entry_composition: framing(descriptor(id, 2)),
            exit_composition: framing(descriptor(id, 3)),
            entry_vector: vectors.entries.row(s as usize).to_vec(),
            exit_vector: vectors.exits.row(s as usize).to_vec(),
            entry_regions: Vec::new(),
            exit_regions: Vec::new(),
            entry_figure: 0.0,
            exit_figure: 0.0,
            exit_kth: None,
            entry_kth: None,
            motion: None,
        });
    }
    NewTitle::new(vectors, frames)
}

pub fn meta(t: u64) -> TitleMeta {
    TitleMeta {
        path: format!("/bench/title{t}.mov"),
        frame_rate: "24000/1001".into(),
        start_timecode: None,
        frame_count: TITLE_SHOTS * 100,
    }
}
