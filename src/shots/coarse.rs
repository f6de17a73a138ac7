//! Shot detection from a coarse pass: decode the I- and P-frames only
//! ([`DecodeMode::Coarse`]), and the B-frames between two of them only
//! where those two differ ([`Params::coarse_change`]); elsewhere the
//! frames in between get features interpolated from the two, which is
//! what a stretch without a transition looks like at thumbnail size.
//!
//! A cut makes the frames either side of it differ by far more than the
//! threshold (a jump cut by at least [`Params::jump_cut_threshold`]), and
//! so do dissolves over the few frames between two P-frames, so they are
//! found on decoded frames. Measured (`docs/ARCHITECTURE.md`): at 0.1 the
//! shot evaluation sets keep their F1, but the first frames of a fade-out
//! are interpolated (a fade starts a frame late) and interpolated frames
//! beside a cut can read as a dissolve; and on 2 cores the I- and P-frames
//! decoded again to refine cost more than the B-frames saved. So it is off
//! by default.

use super::features::{change, Features, Grid};
use super::scan::ScanError;
use super::Params;
use crate::media::{DecodeMode, DecodedFrame, Decoder, MediaError, MediaInfo};
use std::path::Path;

/// A frame of the title as shot detection sees it.
pub struct Analysed {
    pub index: u64,
    /// Its picture; `None` where a coarse pass left it undecoded (its
    /// features are interpolated) or the decoder could not rebuild it.
    pub picture: Option<DecodedFrame>,
    pub features: Features,
}

/// Codecs whose I- and P-frames never reference a B-frame, so that a
/// coarse pass decodes them exactly.
const COARSE_CODECS: [&str; 2] = ["h264", "mpeg2video"];

/// Whether a title is read by a coarse pass under `params`: a codec whose
/// B-frames can be left out, timestamps that place every packet, a
/// constant rate with no holes, and a complete file.
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
        DecodeMode::Coarse
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
    refiner: Option<Decoder>,
    /// The last frame handed on: index and features.
    last: Option<(u64, Features)>,
    /// The last keyframe the pass decoded.
    keyframe: u64,
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
            refiner: None,
            last: None,
            keyframe: 0,
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
                self.keyframe = frame.index;
            }
            self.last = Some((frame.index, f.clone()));
            out.push(Analysed {
                index: frame.index,
                picture: Some(frame),
                features: f,
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
    /// with features `after` (none at the title's end): decoded by the
    /// refiner where the frames either side differ, interpolated where not.
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
            if change(b, a, self.grid) < self.threshold {
                out.extend(interpolated(b, a, first, last));
                self.refiner()?.mark_quiet(first, last);
                return Ok(());
            }
        }
        let keyframe = self.keyframe;
        let pictures = self.refiner()?.frames_between(first, last, keyframe)?;
        self.refined += pictures.len() as u64;
        let features = thumbnails(&pictures)?;
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

    fn refiner(&mut self) -> Result<&mut Decoder, MediaError> {
        if self.refiner.is_none() {
            let decoder = Decoder::open(self.path, self.info.clone(), DecodeMode::Refine)?;
            self.refiner = Some(decoder);
        }
        self.refiner
            .as_mut()
            .ok_or_else(|| MediaError::decode(self.path, "the refining decoder did not open"))
    }
}

/// Features of the frames `first..=last` between `before` (frame
/// `first - 1`) and `after` (frame `last + 1`), interpolated linearly.
fn interpolated(before: &Features, after: &Features, first: u64, last: u64) -> Vec<Analysed> {
    let span = (last + 2 - first) as f32;
    (first..=last)
        .map(|index| {
            let t = (index + 1 - first) as f32 / span;
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
        let frames = interpolated(&grey(0), &grey(200), 5, 7);
        let levels: Vec<u8> = frames.iter().map(|f| f.features.rgb[0]).collect();
        assert_eq!(levels, [50, 100, 150]);
        let indices: Vec<u64> = frames.iter().map(|f| f.index).collect();
        assert_eq!(indices, [5, 6, 7]);
        assert!(frames.iter().all(|f| f.picture.is_none()));
        assert!((frames[1].features.histogram[0] - 0.5).abs() < 1e-6);
        assert!((frames[1].features.histogram[3] - 0.5).abs() < 1e-6);
    }
}
