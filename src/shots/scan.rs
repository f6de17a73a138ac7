//! Reading a whole title for shot detection. A decoder thread feeds a
//! bounded channel (so decoding runs ahead of, but never far from, the
//! analysis); the calling thread reduces batches of frames to thumbnails on
//! the chosen preprocessing path and pushes them into a [`Segmenter`].

use super::coarse::{self, Analysed, Gaps};
use super::{Features, Grid, Params, Segmentation, Segmenter};
use crate::busy::{self, Stage};
use crate::media::{self, DecodedFrame, Decoder, MediaError, MediaInfo};
use crate::preprocess::{self, Backend, Config, Preprocessor, StreamFacts};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};

/// Frames preprocessed together.
const BATCH: usize = 32;
/// Bytes of decoded pictures allowed in flight between the decoder and the
/// analysis (the channel and the batch being analysed): a 1080p 8-bit title
/// keeps full batches; a 4K 10-bit one (25 MB a picture) a few pictures.
const IN_FLIGHT_BYTES: usize = 160 << 20;

/// Pictures per batch for pictures of `frame_bytes`: the channel holds as
/// many again, so two batches fit in [`IN_FLIGHT_BYTES`].
fn batch_len(frame_bytes: usize) -> usize {
    (IN_FLIGHT_BYTES / (2 * frame_bytes.max(1))).clamp(2, BATCH)
}

/// The result for one title.
#[derive(Clone, Debug)]
pub struct TitleShots {
    pub path: PathBuf,
    pub info: MediaInfo,
    pub segmentation: Segmentation,
    /// Frames decoded and analysed.
    pub frames: u64,
    /// Pictures decoded again to refine a coarse pass ([`super::coarse`]).
    pub refined: u64,
}

/// Why a title could not be segmented.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("{}: cancelled", path.display())]
    Cancelled { path: PathBuf },
    #[error("{}: frame {index}: {reason}", path.display())]
    Frame {
        path: PathBuf,
        index: u64,
        reason: String,
    },
}

/// What [`detect_file`] reports after each batch: frames analysed so far
/// and the title's frame count. Returning `Break` cancels the title.
pub type Progress<'a> = &'a dyn Fn(u64, u64) -> ControlFlow<()>;

/// Sees every batch of frames, in order, once their features are in the
/// segmenter (the keyframe capture of a single-pass analysis uses it).
pub trait FrameHook {
    fn batch(&mut self, frames: &[Analysed], segmenter: &Segmenter) -> Result<(), ScanError>;
}

/// A hook that does nothing.
struct NoHook;

impl FrameHook for NoHook {
    fn batch(&mut self, _: &[Analysed], _: &Segmenter) -> Result<(), ScanError> {
        Ok(())
    }
}

/// Segments one title into shots, calling `progress` as it goes.
pub fn detect_file(
    path: &Path,
    params: &Params,
    backend: Backend,
    progress: Progress,
) -> Result<TitleShots, ScanError> {
    let info = media::probe(path)?;
    detect_file_with(path, &info, params, backend, progress, &mut NoHook)
}

/// [`detect_file`] of a probed title, showing every batch of frames to
/// `hook`.
pub fn detect_file_with(
    path: &Path,
    info: &MediaInfo,
    params: &Params,
    backend: Backend,
    progress: Progress,
    hook: &mut dyn FrameHook,
) -> Result<TitleShots, ScanError> {
    let config = Config::thumbnails_only();
    let grid = Grid {
        width: config.thumb_width as usize,
        height: config.thumb_height as usize,
    };
    let mut preprocessor = Preprocessor::new(config, backend);
    let mut segmenter = Segmenter::new(params.clone(), grid);
    let refined = std::thread::scope(|scope| -> Result<u64, ScanError> {
        let batch = batch_len(info.frame_bytes());
        let (tx, rx) = sync_channel(batch);
        let decoder_info = info.clone();
        let mode = coarse::pass_mode(info, params);
        scope.spawn(move || match Decoder::open(path, decoder_info, mode) {
            Ok(decoder) => {
                for frame in decoder {
                    let stop = frame.is_err();
                    if tx.send(frame).is_err() || stop {
                        break;
                    }
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
            }
        });
        let mut stages = Stages {
            preprocessor: &mut preprocessor,
            segmenter: &mut segmenter,
            hook,
            gaps: Gaps::new(path, info, params, grid),
        };
        analyse(path, info, &rx, batch, &mut stages, progress)?;
        Ok(stages.gaps.refined)
    })?;
    if segmenter.frames() == 0 {
        return Err(MediaError::NoFrames {
            path: path.to_path_buf(),
        }
        .into());
    }
    let frames = segmenter.frames();
    Ok(TitleShots {
        path: path.to_path_buf(),
        info: info.clone(),
        segmentation: busy::timed(Stage::Segment, || segmenter.finish()),
        frames,
        refined,
    })
}

/// What a batch of frames goes through.
struct Stages<'a> {
    preprocessor: &'a mut Preprocessor,
    segmenter: &'a mut Segmenter,
    hook: &'a mut dyn FrameHook,
    gaps: Gaps<'a>,
}

/// Pulls frames off the channel in batches until it closes.
fn analyse(
    path: &Path,
    info: &MediaInfo,
    rx: &Receiver<Result<DecodedFrame, MediaError>>,
    batch_len: usize,
    stages: &mut Stages,
    progress: Progress,
) -> Result<(), ScanError> {
    loop {
        let mut batch = Vec::with_capacity(batch_len);
        for frame in rx.iter().take(batch_len) {
            batch.push(frame?);
        }
        let preprocessor = &mut *stages.preprocessor;
        let mut thumbs = |frames: &[DecodedFrame]| {
            busy::timed(Stage::Thumbnails, || {
                thumbnails(path, info, frames, preprocessor)
            })
        };
        let frames = if batch.is_empty() {
            let rest = stages.gaps.finish(&mut thumbs)?;
            if rest.is_empty() {
                return Ok(());
            }
            rest
        } else {
            let features = thumbs(&batch)?;
            stages.gaps.complete(batch, features, &mut thumbs)?
        };
        busy::timed(Stage::Segment, || {
            for f in &frames {
                stages.segmenter.push(f.features.clone());
            }
        });
        stages.hook.batch(&frames, stages.segmenter)?;
        if progress(stages.segmenter.frames(), info.frame_count).is_break() {
            return Err(ScanError::Cancelled {
                path: path.to_path_buf(),
            });
        }
    }
}

/// Thumbnails and histograms of a batch of frames.
fn thumbnails(
    path: &Path,
    info: &MediaInfo,
    batch: &[DecodedFrame],
    preprocessor: &mut Preprocessor,
) -> Result<Vec<Features>, ScanError> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let failed = |index: u64, reason: String| ScanError::Frame {
        path: path.to_path_buf(),
        index,
        reason,
    };
    let converted = batch
        .iter()
        .map(|f| preprocess::supported(&f.frame).map_err(|e| failed(f.index, e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let facts = StreamFacts::of(info);
    let views = batch
        .iter()
        .zip(&converted)
        .map(|(f, c)| {
            preprocess::view(c.as_ref().unwrap_or(&f.frame), facts)
                .ok_or_else(|| failed(f.index, "unreadable picture planes".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = preprocessor.config();
    let (px, bins) = (config.thumb_pixels() * 3, config.histogram_len());
    let out = preprocessor.process(&views);
    Ok((0..batch.len())
        .map(|i| {
            Features::new(
                &out.thumb_rgb[i * px..(i + 1) * px],
                &out.histograms[i * bins..(i + 1) * bins],
            )
        })
        .collect())
}
