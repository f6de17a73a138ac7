//! Reading a whole title for shot detection, in three threads joined by
//! bounded channels: a decoder thread feeds frames (so decoding runs ahead
//! of, but never far from, the analysis), a thumbnailer thread reduces
//! batches of them to thumbnails on the chosen preprocessing path, and the
//! calling thread pushes each batch into a [`Segmenter`] and shows it to the
//! keyframe capture while the next batch is being reduced.

use super::coarse::{self, Analysed, Gaps, Thumbnails};
use super::exact::ExactFrames;
use super::{Features, Grid, Params, Segmentation, Segmenter};
use crate::busy::{self, Stage};
use crate::media::{self, DecodedFrame, Decoder, MediaError, MediaInfo};
use crate::preprocess::{self, Backend, Config, Preprocessor, StreamFacts};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::{Scope, ScopedJoinHandle};

/// Frames preprocessed together.
const BATCH: usize = 32;
/// Bytes of decoded pictures allowed in flight between the decoder and the
/// analysis (the decoder's channel, the batch being reduced to thumbnails
/// and the batch being analysed): a 1080p 8-bit title runs in batches of
/// 17; a 4K 10-bit one (25 MB a picture) of 2.
const IN_FLIGHT_BYTES: usize = 160 << 20;

/// Pictures per batch for pictures of `frame_bytes`: the decoder's channel
/// holds as many again and the analysis one batch more, so three batches
/// fit in [`IN_FLIGHT_BYTES`].
fn batch_len(frame_bytes: usize) -> usize {
    (IN_FLIGHT_BYTES / (3 * frame_bytes.max(1))).clamp(2, BATCH)
}

/// The pass's decoded frames, in order, or why decoding stopped.
type Decoded = Receiver<Result<DecodedFrame, MediaError>>;

/// A batch of frames with their thumbnails' features, or why there is none.
type Reduced = Result<(Vec<DecodedFrame>, Vec<Features>), ScanError>;

/// The result for one title.
#[derive(Clone, Debug)]
pub struct TitleShots {
    pub path: PathBuf,
    pub info: MediaInfo,
    pub segmentation: Segmentation,
    /// Frames decoded and analysed.
    pub frames: u64,
    /// Pictures decoded again to refine a sparse pass ([`super::coarse`]).
    pub refined: u64,
    /// Pictures the pass decoded.
    pub decoded: u64,
    /// Pictures decoded again to refine it, pre-roll from keyframes
    /// included.
    pub redecoded: u64,
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
    #[error("{}: could not start the {name} thread: {source}", path.display())]
    Thread {
        path: PathBuf,
        name: &'static str,
        source: std::io::Error,
    },
}

/// Starts a thread called `name` in `scope` (names show in `top -H`,
/// `perf` and debuggers; FFmpeg's worker threads take the name of the
/// thread that opened the decoder).
pub(crate) fn spawn_named<'s, T: Send + 's>(
    scope: &'s Scope<'s, '_>,
    path: &Path,
    name: &'static str,
    work: impl FnOnce() -> T + Send + 's,
) -> Result<ScopedJoinHandle<'s, T>, ScanError> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn_scoped(scope, work)
        .map_err(|source| ScanError::Thread {
            path: path.to_path_buf(),
            name,
            source,
        })
}

/// What [`detect_file`] reports after each batch: frames analysed so far
/// and the title's frame count. Returning `Break` cancels the title.
pub type Progress<'a> = &'a dyn Fn(u64, u64) -> ControlFlow<()>;

/// Sees every batch of frames, in order, once their features are in the
/// segmenter (the keyframe capture of a single-pass analysis uses it).
pub trait FrameHook {
    fn batch(&mut self, frames: &[Analysed], segmenter: &Segmenter) -> Result<(), ScanError>;

    /// Whether the hook wants each decoded frame's motion plane in its
    /// features ([`Features::motion`]).
    fn wants_motion(&self) -> bool {
        false
    }
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
    let config = if hook.wants_motion() {
        Config::thumbnails_only().with_motion()
    } else {
        Config::thumbnails_only()
    };
    let grid = Grid {
        width: config.thumb_width as usize,
        height: config.thumb_height as usize,
    };
    let mut segmenter = Segmenter::new(params.clone(), grid);
    let counts = std::thread::scope(|scope| -> Result<[u64; 3], ScanError> {
        let batch = batch_len(info.frame_bytes());
        let (decoded, pass) =
            spawn_decoder(scope, path, info, coarse::pass_mode(info, params), batch)?;
        let preprocessor = Preprocessor::new(config.clone(), backend);
        let reduced = spawn_thumbnailer(scope, path, info, decoded, batch, preprocessor)?;
        let mut stages = Stages {
            refine: Refine {
                config,
                backend,
                preprocessor: None,
            },
            segmenter: &mut segmenter,
            hook,
            gaps: Gaps::new(path, info, params, grid),
        };
        analyse(path, info, &reduced, &mut stages, progress)?;
        let pass = pass.join().unwrap_or(0);
        Ok([stages.gaps.refined, pass, stages.gaps.decoded()])
    })?;
    let [refined, decoded, redecoded] = counts;
    if segmenter.frames() == 0 {
        return Err(MediaError::NoFrames {
            path: path.to_path_buf(),
        }
        .into());
    }
    let frames = segmenter.frames();
    tracing::debug!(path = %path.display(), frames, decoded, refined, redecoded, "frames analysed");
    Ok(TitleShots {
        path: path.to_path_buf(),
        info: info.clone(),
        segmentation: busy::timed(Stage::Segment, || segmenter.finish()),
        frames,
        refined,
        decoded,
        redecoded,
    })
}

/// Decodes the title on a thread of its own into a channel of `batch`
/// frames; the thread returns the pictures it decoded.
fn spawn_decoder<'s>(
    scope: &'s Scope<'s, '_>,
    path: &'s Path,
    info: &MediaInfo,
    mode: media::DecodeMode,
    batch: usize,
) -> Result<(Decoded, ScopedJoinHandle<'s, u64>), ScanError> {
    let (tx, rx) = sync_channel(batch);
    let info = info.clone();
    let thread = spawn_named(scope, path, "decode", move || {
        match Decoder::open(path, info, mode) {
            Ok(mut decoder) => {
                while let Some(frame) = decoder.next_frame() {
                    let stop = frame.is_err();
                    if tx.send(frame).is_err() || stop {
                        break;
                    }
                }
                decoder.pictures()
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                0
            }
        }
    })?;
    Ok((rx, thread))
}

/// Reduces batches of decoded frames to thumbnails on a thread of its own.
/// It hands each batch over only when the analysis takes it (a rendezvous),
/// so one batch is reduced while the one before is analysed.
fn spawn_thumbnailer<'s>(
    scope: &'s Scope<'s, '_>,
    path: &'s Path,
    info: &'s MediaInfo,
    decoded: Decoded,
    batch: usize,
    mut preprocessor: Preprocessor,
) -> Result<Receiver<Reduced>, ScanError> {
    let (tx, rx) = sync_channel(0);
    spawn_named(scope, path, "thumbnails", move || loop {
        let frames: Result<Vec<DecodedFrame>, MediaError> = decoded.iter().take(batch).collect();
        let item = match frames {
            Ok(frames) if frames.is_empty() => return,
            Ok(frames) => busy::timed(Stage::Thumbnails, || {
                thumbnails(path, info, &frames, &mut preprocessor)
            })
            .map(|features| (frames, features)),
            Err(e) => Err(e.into()),
        };
        let stop = item.is_err();
        if tx.send(item).is_err() || stop {
            return;
        }
    })?;
    Ok(rx)
}

/// Thumbnails of the frames a sparse pass left out and refines: a
/// preprocessor of the analysis thread's own, made on first use.
struct Refine {
    config: Config,
    backend: Backend,
    preprocessor: Option<Preprocessor>,
}

impl Refine {
    fn preprocessor(&mut self) -> &mut Preprocessor {
        let (config, backend) = (&self.config, self.backend);
        self.preprocessor
            .get_or_insert_with(|| Preprocessor::new(config.clone(), backend))
    }
}

/// What a batch of frames goes through.
struct Stages<'a> {
    refine: Refine,
    segmenter: &'a mut Segmenter,
    hook: &'a mut dyn FrameHook,
    gaps: Gaps<'a>,
}

/// Takes reduced batches until the thumbnailer is done.
fn analyse(
    path: &Path,
    info: &MediaInfo,
    reduced: &Receiver<Reduced>,
    stages: &mut Stages,
    progress: Progress,
) -> Result<(), ScanError> {
    loop {
        let refine = &mut stages.refine;
        let mut thumbs = |frames: &[DecodedFrame]| {
            busy::timed(Stage::Thumbnails, || {
                thumbnails(path, info, frames, refine.preprocessor())
            })
        };
        // The last frames (after the pass's last picture) come when the
        // thumbnailer is done; then the segmenter looks at the end.
        let (frames, done) = match reduced.recv() {
            Ok(item) => {
                let (batch, features) = item?;
                (stages.gaps.complete(batch, features, &mut thumbs)?, false)
            }
            Err(_) => (stages.gaps.finish(&mut thumbs)?, true),
        };
        let mut exact = Exact {
            gaps: &mut stages.gaps,
            thumbnails: &mut thumbs,
        };
        busy::timed(Stage::Segment, || {
            frames.iter().try_for_each(|f| {
                stages
                    .segmenter
                    .push_frame(f.features.clone(), f.estimated, &mut exact)
            })
        })?;
        if !frames.is_empty() {
            stages.hook.batch(&frames, stages.segmenter)?;
            if progress(stages.segmenter.frames(), info.frame_count).is_break() {
                return Err(ScanError::Cancelled {
                    path: path.to_path_buf(),
                });
            }
        }
        if done {
            return busy::timed(Stage::Segment, || stages.segmenter.close(&mut exact));
        }
    }
}

/// Decodes estimated frames again through the pass's refiner.
struct Exact<'g, 'a, 't, 'c> {
    gaps: &'g mut Gaps<'a>,
    thumbnails: &'t mut Thumbnails<'c>,
}

impl ExactFrames for Exact<'_, '_, '_, '_> {
    fn exact(&mut self, first: u64, last: u64) -> Result<Vec<Features>, ScanError> {
        self.gaps.exact(first, last, self.thumbnails)
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
    let motion = config.motion_pixels();
    let out = preprocessor.process(&views);
    Ok((0..batch.len())
        .map(|i| {
            let features = Features::new(
                &out.thumb_rgb[i * px..(i + 1) * px],
                &out.histograms[i * bins..(i + 1) * bins],
            );
            match motion {
                0 => features,
                n => features.with_motion(&out.motion[i * n..(i + 1) * n]),
            }
        })
        .collect())
}
