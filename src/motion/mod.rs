//! Motion at shot ends (issue 22): how the picture moves over the last
//! and the first half second of each shot, for motion match cuts, where a
//! movement carries across the cut.
//!
//! The input is each decoded frame's **motion plane** (luma on a 64×36
//! grid, computed by preprocessing on either path, [`crate::preprocess::motion`]).
//! Between consecutive decoded frames of a shot end, [`estimate::step`]
//! finds the camera's motion (pan, tilt, zoom, roll) and what moves beyond
//! it on a grid of blocks; [`summarise`] turns those steps into one
//! [`EndMotion`] per shot end, in units that compare across frame rates and
//! sizes: frame widths (pan) and heights (tilt) per second, relative scale
//! per second (zoom), radians per second (roll).

pub mod blocks;
pub mod capture;
pub mod carry;
pub mod estimate;
pub mod gpu;
pub mod plane;

pub use capture::{MotionCapture, ShotMotion};
pub use estimate::{BlockMotion, Camera, Step};
pub use plane::Pyramid;

/// The estimator's name and version in the memo (its planes' size and the
/// span measured at each end: 64×36, half a second). v3: blocks matched by
/// integer zero-mean costs, equal on the CPU and in WGSL.
pub const MODEL: &str = "motion-blocks-v3-64x36-0.5s";

/// Seconds at each end of a shot whose motion is measured (in [`MODEL`]).
pub const END_SECONDS: f64 = 0.5;

static ENABLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether scans measure motion at shot ends, for the rest of the process
/// (`--motion on|off`, `MATCHCUT_MOTION`; on by default; off only to
/// measure what it costs).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, std::sync::atomic::Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ENABLED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A block's motion beyond the camera's smaller than this (samples of the
/// plane per frame; 0.25 is 1/256 of the width) is noise, not a subject.
pub const SUBJECT_MIN: f32 = 0.25;

/// One shot end's motion, per second.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndMotion {
    /// Frame widths per second the picture moves right (the camera pans
    /// left), frame heights per second it moves down.
    pub pan: f32,
    pub tilt: f32,
    /// Relative change of scale per second (0.2: 20 % larger each second).
    pub zoom: f32,
    /// Radians per second, clockwise on screen.
    pub roll: f32,
    /// The subject's own motion (beyond the camera's), frame widths and
    /// heights per second, averaged over the blocks that move on their own;
    /// zero when nothing does.
    pub subject: [f32; 2],
    /// Where that subject is: the centre of its blocks, 0–1 across and down.
    pub subject_at: [f32; 2],
    /// The share of blocks that move on their own (0–1).
    pub subject_share: f32,
    /// The share of blocks that could be matched at all (texture, no
    /// occlusion): how far the numbers can be trusted.
    pub confidence: f32,
    /// Steps (pairs of decoded frames) measured.
    pub steps: u32,
}

#[cfg(test)]
impl EndMotion {
    /// A well-measured end whose camera pans and tilts as given.
    pub(crate) fn panning(pan: f32, tilt: f32) -> Self {
        Self {
            pan,
            tilt,
            confidence: 0.9,
            steps: 6,
            ..Self::default()
        }
    }
}

/// Summarises the steps of one shot end (each with its gap in frames) for
/// a plane of `width`×`height` samples at `rate` frames per second: the
/// median of each camera parameter (a step spoiled by a flash or a
/// passing object does not move it) and the mean subject motion.
pub fn summarise(steps: &[Step], width: usize, height: usize, rate: f64) -> EndMotion {
    if steps.is_empty() {
        return EndMotion::default();
    }
    let rate = rate as f32;
    let median = |f: fn(&Camera) -> f32| {
        let mut v: Vec<f32> = steps.iter().map(|s| f(&s.camera)).collect();
        v.sort_by(f32::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let (w, h) = (width as f32, height as f32);
    let moving: Vec<&BlockMotion> = steps
        .iter()
        .flat_map(|s| &s.blocks)
        .filter(|b| !b.inlier && b.residual[0].hypot(b.residual[1]) >= SUBJECT_MIN)
        .collect();
    let all_blocks: usize = steps.iter().map(|s| s.block_count).sum();
    let matched: usize = steps.iter().map(|s| s.blocks.len()).sum();
    let mean = |f: &dyn Fn(&BlockMotion) -> f32| {
        if moving.is_empty() {
            0.0
        } else {
            moving.iter().map(|b| f(b)).sum::<f32>() / moving.len() as f32
        }
    };
    EndMotion {
        pan: median(|c| c.pan) * rate / w,
        tilt: median(|c| c.tilt) * rate / h,
        zoom: median(|c| c.zoom) * rate,
        roll: median(|c| c.roll) * rate,
        subject: [
            mean(&|b| b.residual[0]) * rate / w,
            mean(&|b| b.residual[1]) * rate / h,
        ],
        subject_at: [mean(&|b| b.x) / w, mean(&|b| b.y) / h],
        subject_share: moving.len() as f32 / all_blocks.max(1) as f32,
        confidence: matched as f32 / all_blocks.max(1) as f32,
        steps: steps.len() as u32,
    }
}

#[cfg(test)]
mod tests;
