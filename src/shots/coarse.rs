//! Shot detection from a sparse pass ([`DecodeMode::Sparse`]): the
//! pictures no other picture references are decoded only in the spans
//! whose packets say something happens there (`media::sparse`); the
//! frames left out get features estimated from the decoded frames either
//! side ([`Analysed::estimated`]): a linear mix where those two differ by
//! less than [`Params::coarse_change`] (what a stretch without a transition
//! looks like at thumbnail size), a step halfway where they differ more
//! (what a cut looks like, so that the cut detector sees one). Where a
//! transition is then found beside estimated frames, the shot detector has
//! them decoded again, exactly ([`super::exact`], `Gaps::exact`), and
//! looks again; a transition made only of estimates goes away.
//!
//! Measured (`docs/ARCHITECTURE.md`): the evaluation sets keep their F1 and
//! every cut to the frame; a 1080p x264 title decodes about 60 % of its
//! pictures.

use super::exact::Estimate;
use super::features::{change, Features, Grid};
use super::scan::ScanError;
use super::Params;
use crate::media::{DecodeMode, DecodedFrame, Decoder, MediaError, MediaInfo};
use std::path::Path;

/// A frame of the title as shot detection sees it.
pub struct Analysed {
    pub index: u64,
    /// Its picture; `None` where a sparse pass left it undecoded (its
    /// features are interpolated) or the decoder could not rebuild it.
    pub picture: Option<DecodedFrame>,
    pub features: Features,
    /// Whether `features` are estimated from the frames either side, and
    /// how ([`super::exact`]).
    pub estimated: Estimate,
}

/// Codecs whose unreferenced pictures FFmpeg leaves out on request
/// (`skip_frame=noref`) and whose sparse passes were measured against full
/// ones. (HEVC honours `noref` too; not measured yet.)
const COARSE_CODECS: [&str; 2] = ["h264", "mpeg2video"];

/// Whether a title is read by a sparse pass under `params`: a codec whose
/// unreferenced pictures can be left out, timestamps that place every
/// packet, a constant rate with no holes, and a complete file.
pub fn reads_coarsely(info: &MediaInfo, params: &Params) -> bool {
    params.coarse_change > 0.0
        && COARSE_CODECS.contains(&info.codec.as_str())
        && info.pts_reliable
        && !info.variable_frame_rate
        && info.holes.is_empty()
        && info.truncated.is_none()
}

/// The decoding mode of the pass that reads every frame.
pub(super) fn pass_mode(info: &MediaInfo, params: &Params) -> DecodeMode {
    if reads_coarsely(info, params) {
        DecodeMode::Sparse
    } else {
        DecodeMode::Scan
    }
}

/// Thumbnails and histograms of decoded frames.
pub(super) type Thumbnails<'a> =
    dyn FnMut(&[DecodedFrame]) -> Result<Vec<Features>, ScanError> + 'a;

/// Completes the frames of a pass: every index once, in order.
pub(super) struct Gaps<'a> {
    path: &'a Path,
    info: &'a MediaInfo,
    coarse: bool,
    threshold: f32,
    grid: Grid,
    /// Decoders for refining: [`Refiner::Head`] follows the pass,
    /// [`Refiner::Behind`] the shot detector's window, so that each mostly
    /// decodes forward instead of seeking back to a keyframe.
    refiners: [Option<Decoder>; 2],
    /// The spans left undecoded and estimated: first → last frame.
    quiet: std::collections::BTreeMap<u64, u64>,
    /// The last frame handed on: index and features.
    last: Option<(u64, Features)>,
    /// The keyframes the pass decoded.
    keyframes: std::collections::BTreeSet<u64>,
    /// Pictures decoded by the refiner.
    pub refined: u64,
}

impl<'a> Gaps<'a> {
    pub fn new(path: &'a Path, info: &'a MediaInfo, params: &Params, grid: Grid) -> Self {
        Self {
            path,
            info,
            coarse: reads_coarsely(info, params),
            threshold: params.coarse_change,
            grid,
            refiners: [None, None],
            quiet: std::collections::BTreeMap::new(),
            last: None,
            keyframes: std::collections::BTreeSet::new(),
            refined: 0,
        }
    }

    /// The frames of a batch of the pass, with the frames before each that
    /// the pass skipped.
    pub fn complete(
        &mut self,
        batch: Vec<DecodedFrame>,
        features: Vec<Features>,
        thumbnails: &mut Thumbnails,
    ) -> Result<Vec<Analysed>, ScanError> {
        let mut out = Vec::with_capacity(batch.len());
        for (frame, f) in batch.into_iter().zip(features) {
            let next = self.last.as_ref().map_or(0, |(n, _)| n + 1);
            if self.coarse && frame.index > next {
                self.fill(next, frame.index - 1, Some(&f), thumbnails, &mut out)?;
            }
            if frame.frame.is_key() {
                self.keyframes.insert(frame.index);
            }
            self.last = Some((frame.index, f.clone()));
            out.push(Analysed {
                index: frame.index,
                picture: Some(frame),
                features: f,
                estimated: Estimate::Decoded,
            });
        }
        Ok(out)
    }

    /// The frames after the last one of the pass, up to the title's end.
    pub fn finish(&mut self, thumbnails: &mut Thumbnails) -> Result<Vec<Analysed>, ScanError> {
        let mut out = Vec::new();
        let next = self.last.as_ref().map_or(0, |(n, _)| n + 1);
        let end = self.info.frame_count;
        if self.coarse && next > 0 && next < end {
            self.fill(next, end - 1, None, thumbnails, &mut out)?;
        }
        Ok(out)
    }

    /// Frames `first..=last`, skipped by the pass, before a decoded frame
    /// with features `after`: estimated from the frames either side; at the
    /// title's end (no frame after) decoded by the refiner.
    fn fill(
        &mut self,
        first: u64,
        last: u64,
        after: Option<&Features>,
        thumbnails: &mut Thumbnails,
        out: &mut Vec<Analysed>,
    ) -> Result<(), ScanError> {
        let before = self.last.as_ref().map(|(_, f)| f.clone());
        if let (Some(b), Some(a)) = (&before, after) {
            let step = change(b, a, self.grid) >= self.threshold;
            out.extend(estimated(b, a, first, last, step));
            self.mark_quiet(first, last);
            return Ok(());
        }
        let (pictures, features) = self.decode(Refiner::Head, first, last, thumbnails)?;
        let mut decoded = pictures.into_iter().zip(features).peekable();
        let mut held = before;
        for index in first..=last {
            match decoded.next_if(|(p, _)| p.index == index) {
                Some((picture, f)) => {
                    held = Some(f.clone());
                    out.push(Analysed {
                        index,
                        picture: Some(picture),
                        features: f,
                        estimated: Estimate::Decoded,
                    });
                }
                None => {
                    // A picture the decoder could not rebuild: the slot
                    // shows the one before, as in a full pass.
                    let f = held.clone().or_else(|| after.cloned()).ok_or_else(|| {
                        ScanError::Frame {
                            path: self.path.to_path_buf(),
                            index,
                            reason: "no picture to show".into(),
                        }
                    })?;
                    out.push(Analysed {
                        index,
                        picture: None,
                        features: f,
                        estimated: Estimate::Decoded,
                    });
                }
            }
        }
        if let Some(Analysed {
            index, features, ..
        }) = out.last()
        {
            self.last = Some((*index, features.clone()));
        }
        Ok(())
    }

    /// Frames `first..=last` decoded again, exactly, with their features:
    /// one per frame (a frame the decoder cannot rebuild shows the one
    /// before, or the first rebuilt).
    pub fn exact(
        &mut self,
        first: u64,
        last: u64,
        thumbnails: &mut Thumbnails,
    ) -> Result<Vec<Features>, ScanError> {
        self.unmark_quiet(first, last);
        let (pictures, features) = self.decode(Refiner::Behind, first, last, thumbnails)?;
        let mut decoded = pictures.iter().map(|p| p.index).zip(features).peekable();
        let mut held: Option<Features> = None;
        let mut out = Vec::new();
        for index in first..=last {
            if let Some((_, f)) = decoded.next_if(|(i, _)| *i == index) {
                held = Some(f);
            }
            let f = held
                .clone()
                .or_else(|| decoded.peek().map(|(_, f)| f.clone()));
            out.push(f.ok_or_else(|| ScanError::Frame {
                path: self.path.to_path_buf(),
                index,
                reason: "the decoder could not rebuild it".into(),
            })?);
        }
        Ok(out)
    }

    /// The pictures of frames `first..=last` from the refiner, and their
    /// features.
    fn decode(
        &mut self,
        which: Refiner,
        first: u64,
        last: u64,
        thumbnails: &mut Thumbnails,
    ) -> Result<(Vec<DecodedFrame>, Vec<Features>), ScanError> {
        let keyframe = self
            .keyframes
            .range(..=first)
            .next_back()
            .copied()
            .unwrap_or(0);
        let pictures = self.refiner(which)?.frames_between(first, last, keyframe)?;
        self.refined += pictures.len() as u64;
        let features = thumbnails(&pictures)?;
        Ok((pictures, features))
    }

    /// Pictures the refiners decoded (pre-roll included).
    pub fn decoded(&self) -> u64 {
        self.refiners.iter().flatten().map(Decoder::pictures).sum()
    }

    fn mark_quiet(&mut self, first: u64, last: u64) {
        self.quiet.insert(first, last);
        for r in self.refiners.iter_mut().flatten() {
            r.mark_quiet(first, last);
        }
    }

    fn unmark_quiet(&mut self, first: u64, last: u64) {
        self.quiet.retain(|&a, &mut b| b < first || a > last);
        for r in self.refiners.iter_mut().flatten() {
            r.unmark_quiet(first, last);
        }
    }

    fn refiner(&mut self, which: Refiner) -> Result<&mut Decoder, MediaError> {
        let slot = &mut self.refiners[which as usize];
        if slot.is_none() {
            let mut decoder = Decoder::open(self.path, self.info.clone(), DecodeMode::Refine)?;
            for (&first, &last) in &self.quiet {
                decoder.mark_quiet(first, last);
            }
            *slot = Some(decoder);
        }
        slot.as_mut()
            .ok_or_else(|| MediaError::decode(self.path, "the refining decoder did not open"))
    }
}

/// Which refining decoder.
#[derive(Clone, Copy)]
enum Refiner {
    Head = 0,
    Behind = 1,
}

/// Features of the frames `first..=last` between `before` (frame
/// `first - 1`) and `after` (frame `last + 1`), interpolated linearly.
fn estimated(
    before: &Features,
    after: &Features,
    first: u64,
    last: u64,
    step: bool,
) -> Vec<Analysed> {
    let span = (last + 2 - first) as f32;
    (first..=last)
        .map(|index| {
            let t = (index + 1 - first) as f32 / span;
            let t = match (step, t < 0.5) {
                (false, _) => t,
                (true, true) => 0.0,
                (true, false) => 1.0,
            };
            let rgb: Vec<u8> = before
                .rgb
                .iter()
                .zip(after.rgb.iter())
                .map(|(&b, &a)| (f32::from(b) * (1.0 - t) + f32::from(a) * t).round() as u8)
                .collect();
            let histogram: Vec<f32> = before
                .histogram
                .iter()
                .zip(after.histogram.iter())
                .map(|(&b, &a)| b * (1.0 - t) + a * t)
                .collect();
            Analysed {
                index,
                picture: None,
                features: Features::new(&rgb, &histogram),
                estimated: if step { Estimate::Step } else { Estimate::Mix },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grey(v: u8) -> Features {
        let mut histogram = vec![0.0; 128];
        histogram[usize::from(v / 64)] = 1.0;
        Features::new(&[v; 48 * 27 * 3], &histogram)
    }

    #[test]
    fn skipped_frames_are_spread_evenly_between_their_neighbours() {
        let frames = estimated(&grey(0), &grey(200), 5, 7, false);
        let levels: Vec<u8> = frames.iter().map(|f| f.features.rgb[0]).collect();
        assert_eq!(levels, [50, 100, 150]);
        let indices: Vec<u64> = frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, [5, 6, 7]);
        assert!(frames.iter().all(|f| f.picture.is_none()));
        assert!((frames[1].features.histogram[0] - 0.5).abs() < 1e-6);
        assert!((frames[1].features.histogram[3] - 0.5).abs() < 1e-6);
    }
}
