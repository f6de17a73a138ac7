//! Synthetic titles for the scale benchmarks: 2,000 shots each, with
//! descriptors and framings from `synthetic` and footage prints that
//! drift through a shot as real ones do (12 a shot: one in 8 frames of
//! about 4 s); different shots never share frames.
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

/// Synthetic footage prints of shot `id`: a random walk from a random
/// picture, each print a step of cosine about 0.92 from the last, as
/// consecutive prints within a shot of the benchmark film are (mean 0.92,
/// median 0.98); different shots never share frames.
pub fn prints(id: u64) -> Vec<i8> {
    let uniform = |seed: u64| (mix(seed) as f64 / u64::MAX as f64 * 2.0 - 1.0) as f32 * 3f32.sqrt();
    let mut p: Vec<f32> = (0..footage::LEN as u64)
        .map(|i| uniform(id * 100_000 + i))
        .collect();
    let mut out = Vec::new();
    for r in 0..PRINTS_PER_SHOT {
        if r > 0 {
            let norm = (p.iter().map(|x| x * x).sum::<f32>() / footage::LEN as f32).sqrt();
            for (i, x) in p.iter_mut().enumerate() {
                *x = *x / norm + 0.43 * uniform(id * 100_000 + (r + 1) * 1_000 + i as u64);
            }
        }
        out.extend(matchcut::matching::exact::quantise(&p));
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
