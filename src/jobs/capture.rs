//! One decoding pass for shots and keyframes.
//!
//! While the shot detector reads every frame, [`KeyframeCapture`] keeps the
//! model input of the frames that may become keyframes: every
//! [`STRIDE`]-th frame, and both frames around every change large enough
//! to be a cut ([`change_upper_bound`] at least the jump-cut threshold), so
//! a cut's last and first frames are always at hand. As soon as the
//! segmenter settles a shot ([`Segmenter::settled`]), its entry, middle and
//! exit are chosen among the captured frames inside it (near-black or flat
//! frames only when there are no others), sent through a bounded channel to
//! the embedding thread, and the captures before it are dropped: memory
//! stays bounded by the segmenter's window, however long the title.
//!
//! Every captured frame that shows a visible picture also leaves its
//! footage print ([`footage::print`], from the detector's thumbnail), kept
//! for the whole title (144 bytes per [`STRIDE`] frames: about 3 MB for
//! two hours at 24 fps).
//!
//! Threads: the decoder (in [`shots::detect_file_with`]) → frames → the
//! detector and capture (this thread) → keyframe inputs → the embedder.
//! A shot with no captured frame (shorter than the stride, between two
//! gradual transitions) has its keyframes decoded afterwards by seeking.

use super::analyse::{embed_batch, keyframe_set, Analysers, FramePrint, JobError, KeyframeVector};
use crate::busy::{self, Stage};
use crate::embed::{EmbedError, Embedder};
use crate::matching::{composition, footage};
use crate::media::{self, DecodedFrame, MediaInfo};
use crate::motion::blocks::Searcher;
use crate::motion::{MotionCapture, ShotMotion};
use crate::preprocess::{self, Preprocessor, StreamFacts};
use crate::shots::features::{self, change_upper_bound};
use crate::shots::{
    self, Analysed, Features, FrameHook, Grid, Keyframes, ScanError, Segmentation, Segmenter,
    ShotKind, Transition,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

/// Version of the keyframe choice (part of the shots stage's cache key).
/// 2: mostly black frames (an iris) are not visible pictures. 3: captured
/// frames leave footage prints; a shot with no visible picture is
/// [`ShotKind::Dark`]. 4: a picture closing in (black corners inside any
/// bars: an iris opening or closing) is passed over for a full one. 5: a
/// shot closed in from end to end (an iris) is [`ShotKind::Dark`] too.
pub const VERSION: u32 = 5;
/// Every this many frames one is captured (besides those around cuts).
pub const STRIDE: u64 = 8;

/// A captured frame: its model input and how much of a picture it shows.
struct Captured {
    input: Vec<f32>,
    look: Look,
}

/// How much of a picture a frame shows, worst first: keyframes are chosen
/// among the best-looking frames a shot has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Look {
    /// One flat colour.
    Flat,
    /// Near-black: the picture is barely visible (mean luma below
    /// [`DARK_LUMA`]), as at the end of a fade-out, or mostly black (at
    /// least [`BLACK_SHARE`] of it), as in an iris closing.
    Dark,
    /// A picture closing in: inside any letterbox or pillarbox bars, two
    /// of its corners mostly pure black, as when an iris starts to close
    /// (or ends opening).
    Closing,
    Visible,
}

/// Mean luma (0…1) below which a frame is near-black.
const DARK_LUMA: f32 = 0.08;
/// Share of black pixels (luma below [`DARK_LUMA`]) from which a frame is
/// mostly black.
const BLACK_SHARE: f32 = 0.6;
/// Luma (0…1) of pure black: that of a matte or of letterbox bars. On the
/// full *Big Buck Bunny*, corners this black inside the bars are found in
/// its iris and its credits only, never in its night scenes.
const MATTE_LUMA: f32 = 0.02;

impl Look {
    /// Whether the whole picture shows: not dark, flat or closed in (a
    /// shot whose best frame does not is never matched: dark throughout,
    /// or an iris closing or opening from its first frame to its last).
    fn shows_picture(self) -> bool {
        self == Look::Visible
    }

    fn of(features: &Features, flat_std: f32, grid: Grid) -> Self {
        if features.luma_std < flat_std {
            Look::Flat
        } else if features.luma_mean < DARK_LUMA || black_share(features) >= BLACK_SHARE {
            Look::Dark
        } else if closing_in(features, grid) {
            Look::Closing
        } else {
            Look::Visible
        }
    }
}

/// Whether at least two corners of the picture (an eighth of its width by
/// a sixth of its height, inside any rows or columns of pure black: bars)
/// are mostly pure black.
fn closing_in(features: &Features, grid: Grid) -> bool {
    let (w, h) = (grid.width, grid.height);
    if features.rgb.len() != w * h * 3 {
        return false;
    }
    let black = |x: usize, y: usize| {
        let i = 3 * (y * w + x);
        features::luma(&features.rgb[i..i + 3]) < MATTE_LUMA
    };
    let bar_row = |y: usize| (0..w).all(|x| black(x, y));
    let bar_col = |x: usize| (0..h).all(|y| black(x, y));
    let (Some(y0), Some(y1)) = (
        (0..h).find(|&y| !bar_row(y)),
        (0..h).rfind(|&y| !bar_row(y)),
    ) else {
        return false;
    };
    let (Some(x0), Some(x1)) = (
        (0..w).find(|&x| !bar_col(x)),
        (0..w).rfind(|&x| !bar_col(x)),
    ) else {
        return false;
    };
    let (cw, ch) = (((x1 + 1 - x0) / 8).max(1), ((y1 + 1 - y0) / 6).max(1));
    let mostly_black = |xs: std::ops::Range<usize>, ys: std::ops::Range<usize>| {
        let cells = xs.len() * ys.len();
        let dark = ys
            .flat_map(|y| xs.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| black(x, y))
            .count();
        2 * dark >= cells
    };
    let corners = [
        mostly_black(x0..x0 + cw, y0..y0 + ch),
        mostly_black(x1 + 1 - cw..x1 + 1, y0..y0 + ch),
        mostly_black(x0..x0 + cw, y1 + 1 - ch..y1 + 1),
        mostly_black(x1 + 1 - cw..x1 + 1, y1 + 1 - ch..y1 + 1),
    ];
    corners.iter().filter(|&&c| c).count() >= 2
}

/// The share of a thumbnail's pixels darker than [`DARK_LUMA`].
fn black_share(features: &Features) -> f32 {
    let pixels = features.rgb.chunks_exact(3);
    let total = pixels.len().max(1) as f32;
    let dark = pixels.filter(|&p| features::luma(p) < DARK_LUMA).count();
    dark as f32 / total
}

/// A shot's keyframes and the look they were chosen at (the best it has).
type Chosen = (Keyframes, Look);

/// The frame hook that captures keyframe candidates and sends the chosen
/// ones to the embedder.
pub(crate) struct KeyframeCapture<'a> {
    path: &'a Path,
    info: &'a MediaInfo,
    grid: Grid,
    jump: f32,
    flat_std: f32,
    preprocessor: Preprocessor,
    previous: Option<Features>,
    /// The next frame index due for a capture.
    due: u64,
    captured: BTreeMap<u64, Captured>,
    /// Prints of the visible captured frames, in frame order.
    prints: Vec<FramePrint>,
    /// Shots settled so far: (first, last), the keyframes chosen and how
    /// they look.
    shots: Vec<((u64, u64), Option<Chosen>)>,
    send: SyncSender<Vec<(u64, Vec<f32>)>>,
    /// Motion at shot ends, from the same frames.
    motion: MotionCapture,
}

impl<'a> KeyframeCapture<'a> {
    fn new(
        path: &'a Path,
        info: &'a MediaInfo,
        a: &Analysers,
        send: SyncSender<Vec<(u64, Vec<f32>)>>,
    ) -> Self {
        let config = preprocess::Config::thumbnails_only();
        Self {
            path,
            info,
            grid: Grid {
                width: config.thumb_width as usize,
                height: config.thumb_height as usize,
            },
            jump: a.shot_params.jump_cut_threshold,
            flat_std: a.shot_params.flat_luma_std,
            preprocessor: Preprocessor::new(crate::embed::preprocess_config(), a.backend),
            previous: None,
            due: STRIDE - 1,
            captured: BTreeMap::new(),
            prints: Vec::new(),
            shots: Vec::new(),
            send,
            motion: MotionCapture::new(
                (config.motion_width as usize, config.motion_height as usize),
                info.frame_rate.approx(),
                crate::motion::END_SECONDS,
            )
            .with_searcher(match crate::motion::enabled() {
                true => Searcher::for_backend(a.backend),
                false => Searcher::Cpu,
            }),
        }
    }

    /// Positions in the batch to capture: decoded frames only, the first
    /// at or after every [`STRIDE`]-th (each of them when every frame is
    /// decoded) and both sides of every change that may be a cut.
    fn wanted(&mut self, frames: &[Analysed]) -> Vec<usize> {
        let mut keep = vec![false; frames.len()];
        for (i, frame) in frames.iter().enumerate() {
            let (n, f) = (frame.index, &frame.features);
            let cut_like = self
                .previous
                .as_ref()
                .is_some_and(|p| change_upper_bound(p, f, self.grid) >= self.jump);
            let due = n >= self.due;
            if frame.picture.is_some() && (due || n == 0 || cut_like) {
                keep[i] = true;
                if due {
                    self.due = n + STRIDE;
                }
            }
            // The frame before a possible cut (the previous batch's last
            // frame is always captured).
            if cut_like && i > 0 && frames[i - 1].picture.is_some() {
                keep[i - 1] = true;
            }
            self.previous = Some(f.clone());
        }
        (0..frames.len()).filter(|&i| keep[i]).collect()
    }

    /// Keyframes of `first..=last` among the captured frames.
    fn choose(&self, first: u64, last: u64) -> Option<Chosen> {
        let inside: Vec<(u64, Look)> = self
            .captured
            .range(first..=last)
            .map(|(&n, c)| (n, c.look))
            .collect();
        choose_among(&inside)
    }

    /// Chooses the keyframes of a finished shot and sends their inputs.
    fn finish_shot(&mut self, first: u64, last: u64) -> Result<(), ScanError> {
        let chosen = self.choose(first, last);
        if let Some((k, _)) = chosen {
            let mut frames = vec![k.entry, k.middle, k.exit];
            frames.dedup();
            let inputs = frames
                .into_iter()
                .filter_map(|n| self.captured.get(&n).map(|c| (n, c.input.clone())))
                .collect();
            self.send.send(inputs).map_err(|_| ScanError::Frame {
                path: self.path.to_path_buf(),
                index: first,
                reason: "the embedding thread stopped".into(),
            })?;
        }
        self.shots.push(((first, last), chosen));
        Ok(())
    }

    /// Finishes every shot ending at a newly settled transition.
    fn settle(&mut self, settled: &[Transition]) -> Result<(), ScanError> {
        while let Some(t) = settled.get(self.shots.len()).copied() {
            let first = self
                .shots
                .len()
                .checked_sub(1)
                .map_or(0, |k| settled[k].to_frame);
            self.finish_shot(first, t.from_frame)?;
            self.captured = self.captured.split_off(&t.to_frame);
        }
        Ok(())
    }

    /// The final segmentation with the chosen keyframes, the keyframes
    /// that were not captured (to be decoded by seeking) and the prints.
    fn finish(mut self, mut seg: Segmentation) -> Result<Captures, ScanError> {
        let motion = crate::motion::enabled()
            .then(|| busy::timed(Stage::Motion, || self.motion.finish(&seg)));
        for shot in seg.shots.iter().skip(self.shots.len()) {
            self.finish_shot(shot.first_frame, shot.last_frame)?;
        }
        let mut missing = Vec::new();
        for (shot, (range, chosen)) in seg.shots.iter_mut().zip(&self.shots) {
            match chosen {
                Some((k, look)) if *range == (shot.first_frame, shot.last_frame) => {
                    shot.keyframes = *k;
                    if !look.shows_picture() && shot.kind.is_picture() {
                        shot.kind = ShotKind::Dark;
                    }
                }
                _ => missing.extend([
                    shot.keyframes.entry,
                    shot.keyframes.middle,
                    shot.keyframes.exit,
                ]),
            }
        }
        missing.sort_unstable();
        missing.dedup();
        Ok((seg, missing, self.prints, motion))
    }

    /// Keeps the print of a captured frame that shows a picture.
    fn keep_print(&mut self, frame: u64, features: &Features, look: Look) {
        if look != Look::Visible {
            return;
        }
        let (w, h) = (self.grid.width, self.grid.height);
        if let Some(print) = footage::print(&features.rgb, w, h) {
            self.prints.push(FramePrint { frame, print });
        }
    }
}

impl FrameHook for KeyframeCapture<'_> {
    fn batch(&mut self, frames: &[Analysed], segmenter: &Segmenter) -> Result<(), ScanError> {
        busy::timed(Stage::Capture, || self.capture(frames))?;
        let settled = segmenter.settled();
        busy::timed(Stage::Motion, || {
            for f in frames {
                if let Some(plane) = &f.features.motion {
                    self.motion.keep(f.index, plane.clone());
                }
            }
            self.motion.settle(&settled);
        });
        self.settle(&settled)
    }

    fn wants_motion(&self) -> bool {
        crate::motion::enabled()
    }
}

impl KeyframeCapture<'_> {
    /// Keeps the model inputs, looks and prints of the batch's frames that
    /// may become keyframes.
    fn capture(&mut self, frames: &[Analysed]) -> Result<(), ScanError> {
        let wanted = self.wanted(frames);
        if !wanted.is_empty() {
            let picked: Vec<&DecodedFrame> = wanted
                .iter()
                .filter_map(|&i| frames[i].picture.as_ref())
                .collect();
            let side = self.preprocessor.config().model_side as usize;
            let inputs = model_inputs_of(self.path, self.info, &picked, &mut self.preprocessor)
                .map_err(|e| ScanError::Frame {
                    path: self.path.to_path_buf(),
                    index: picked[0].index,
                    reason: e.to_string(),
                })?;
            for (&i, input) in wanted.iter().zip(inputs.chunks_exact(3 * side * side)) {
                let features = &frames[i].features;
                let look = Look::of(features, self.flat_std, self.grid);
                self.keep_print(frames[i].index, features, look);
                let captured = Captured {
                    input: input.to_vec(),
                    look,
                };
                self.captured.insert(frames[i].index, captured);
            }
        }
        Ok(())
    }
}

/// Entry, middle and exit among a shot's captured frames (in frame order):
/// the first, middle and last of those that look best (visible pictures;
/// near-black or flat frames only when the shot has nothing else), and
/// that look.
fn choose_among(captured: &[(u64, Look)]) -> Option<Chosen> {
    let best = captured.iter().map(|c| c.1).max()?;
    let pool: Vec<u64> = captured
        .iter()
        .filter(|c| c.1 == best)
        .map(|c| c.0)
        .collect();
    let (entry, exit) = (*pool.first()?, *pool.last()?);
    let centre = entry + (exit - entry) / 2;
    let middle = *pool.iter().min_by_key(|&&n| n.abs_diff(centre))?;
    let keyframes = Keyframes {
        entry,
        middle,
        exit,
    };
    Some((keyframes, best))
}

/// What the capture hook leaves: the segmentation with its keyframes, the
/// keyframes not captured, the footage prints.
type Captures = (
    Segmentation,
    Vec<u64>,
    Vec<FramePrint>,
    Option<Vec<ShotMotion>>,
);

/// Bytes of model inputs allowed to wait for the model: the capture hands
/// each finished shot's keyframes over without waiting (unless this much
/// is queued), so that decoding never stops for the model; the model runs
/// in the background and catches up. Measured on the 10-minute 1080p film
/// on 2 cores: 34.4 s with room for 64 shots against 36.9 s for 4 (the
/// decoder then waited 6.9 s on shot detection, itself waiting on the
/// model); peak memory unchanged (658 against 668 MB).
const KEYFRAME_QUEUE_BYTES: usize = 96 << 20;

/// Shots whose keyframes fit in [`KEYFRAME_QUEUE_BYTES`] for a model
/// input of `side`² (three keyframes a shot, 3 channels of `f32`).
fn keyframe_queue(side: usize) -> usize {
    (KEYFRAME_QUEUE_BYTES / (3 * 3 * side * side * 4).max(1)).max(4)
}

/// Segments a title, embeds its keyframes and prints its captured frames,
/// decoding it once.
pub(crate) fn single_pass(
    path: &Path,
    info: &MediaInfo,
    a: &Analysers,
    progress: shots::scan::Progress,
) -> Result<SinglePass, JobError> {
    let side = crate::embed::preprocess_config().model_side as usize;
    let (send, receive) = sync_channel(keyframe_queue(side));
    let receive = Mutex::new(receive);
    let (found, vectors) = std::thread::scope(|scope| {
        let workers = (0..embed_workers(a.embedder))
            .map(|_| {
                shots::scan::spawn_named(scope, path, "embed", || {
                    embed_worker(&receive, a.embedder, side)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut capture = KeyframeCapture::new(path, info, a, send);
        let params = &a.shot_params;
        let found = shots::detect_file_with(path, info, params, a.backend, progress, &mut capture)
            .and_then(|title| capture.finish(title.segmentation));
        let vectors = workers.into_iter().try_fold(Vec::new(), |mut all, worker| {
            let panicked = || EmbedError::Failed("the embedding thread panicked".into());
            all.extend(worker.join().unwrap_or_else(|_| Err(panicked()))?);
            Ok::<_, EmbedError>(all)
        });
        Ok::<_, ScanError>((found, vectors))
    })?;
    let (seg, missing, prints, motion) = found?;
    let mut vectors = vectors.map_err(|e| model_failed(path, e))?;
    if !missing.is_empty() {
        tracing::info!(path = %path.display(), frames = missing.len(), "keyframes not captured, seeking");
        vectors.extend(seek_and_embed(path, info, &missing, a)?);
    }
    let wanted = keyframe_set(&seg);
    vectors.retain(|v| wanted.contains(&v.frame));
    vectors.sort_by_key(|v| v.frame);
    vectors.dedup_by_key(|v| v.frame);
    Ok((seg, vectors, prints, motion))
}

/// A title's shots, keyframe vectors, prints and shot-end motion (where
/// measured).
pub(crate) type SinglePass = (
    Segmentation,
    Vec<KeyframeVector>,
    Vec<FramePrint>,
    Option<Vec<ShotMotion>>,
);

/// Threads running the model on keyframes: one per core (at most
/// [`MAX_EMBED_WORKERS`]) where the model takes one keyframe at a time
/// (the CPU), so that the keyframes still queued when decoding ends are
/// embedded on every core; one where it takes batches (a GPU). Measured on
/// the 5-minute 1080p title on 2 cores: the last 2.3 s of the scan were
/// one worker embedding alone.
fn embed_workers(embedder: &Embedder) -> usize {
    if embedder.batch_size() > 1 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_EMBED_WORKERS))
}

/// See [`embed_workers`].
const MAX_EMBED_WORKERS: usize = 8;

/// Keyframe inputs of finished shots, shared by the embedding threads.
type Inputs = Mutex<Receiver<Vec<(u64, Vec<f32>)>>>;

/// Embeds keyframe inputs as they arrive, in batches, in the background
/// ([`crate::meek::lowest_priority`]).
/// After the model fails, the inputs still arriving are taken and dropped,
/// so the capture never waits on a worker that has stopped.
fn embed_worker(
    receive: &Inputs,
    embedder: &Embedder,
    side: usize,
) -> Result<Vec<KeyframeVector>, EmbedError> {
    crate::meek::lowest_priority();
    let (mut pending, mut out) = (Vec::new(), Vec::new());
    let mut failed = None;
    let next = || receive.lock().ok().and_then(|r| r.recv().ok());
    while let Some(inputs) = next() {
        if failed.is_some() {
            continue;
        }
        pending.extend(inputs);
        while failed.is_none() && pending.len() >= embedder.batch_size() {
            let batch: Vec<_> = pending.drain(..embedder.batch_size()).collect();
            match embed_inputs(&batch, embedder, side) {
                Ok(vectors) => out.extend(vectors),
                Err(e) => failed = Some(e),
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    out.extend(embed_inputs(&pending, embedder, side)?);
    Ok(out)
}

/// A title's analysis stopped by the model's device.
pub(crate) fn model_failed(path: &Path, e: impl std::fmt::Display) -> JobError {
    JobError::Other {
        reason: e.to_string(),
        path: path.to_path_buf(),
    }
}

/// Descriptors and composition signatures of (frame, model input) pairs.
pub(crate) fn embed_inputs(
    items: &[(u64, Vec<f32>)],
    embedder: &Embedder,
    side: usize,
) -> Result<Vec<KeyframeVector>, EmbedError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let flat: Vec<f32> = items.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let described = busy::timed(Stage::Model, || {
        embedder.describe_with_text(&flat, items.len())
    })?;
    Ok(items
        .iter()
        .zip(described)
        .map(|((frame, input), d)| {
            let network = composition::NetworkMaps {
                objects: &d.objects,
                salient: &d.salient,
            };
            let (signature, figure) = composition::framing(input, side, network);
            KeyframeVector {
                frame: *frame,
                composition: signature,
                figure,
                text: d.text,
                regions: crate::matching::setups::quantise_regions(&d.regions),
                vector: d.vector,
            }
        })
        .collect())
}

/// Model inputs (NCHW) of decoded frames.
pub(crate) fn model_inputs(
    path: &Path,
    info: &MediaInfo,
    batch: &[DecodedFrame],
    preprocessor: &mut Preprocessor,
) -> Result<Vec<f32>, JobError> {
    let refs: Vec<&DecodedFrame> = batch.iter().collect();
    model_inputs_of(path, info, &refs, preprocessor)
}

fn model_inputs_of(
    path: &Path,
    info: &MediaInfo,
    batch: &[&DecodedFrame],
    preprocessor: &mut Preprocessor,
) -> Result<Vec<f32>, JobError> {
    let failed = |reason: String| JobError::Other {
        reason,
        path: path.to_path_buf(),
    };
    let converted = batch
        .iter()
        .map(|f| preprocess::supported(&f.frame).map_err(|e| failed(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    let views = batch
        .iter()
        .zip(&converted)
        .map(|(f, c)| {
            preprocess::view(c.as_ref().unwrap_or(&f.frame), StreamFacts::of(info))
                .ok_or_else(|| failed(format!("frame {}: unreadable picture planes", f.index)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(preprocessor.process(&views).model_input.clone())
}

/// Decodes `frames` by seeking and embeds them.
fn seek_and_embed(
    path: &Path,
    info: &MediaInfo,
    frames: &[u64],
    a: &Analysers,
) -> Result<Vec<KeyframeVector>, JobError> {
    let mut decoder = media::Decoder::open(path, info.clone(), media::DecodeMode::Full)?;
    let mut preprocessor = Preprocessor::new(crate::embed::preprocess_config(), a.backend);
    let mut out = Vec::new();
    for chunk in frames.chunks(a.embedder.batch_size()) {
        let decoded = chunk
            .iter()
            .map(|&n| decoder.seek_frame(n))
            .collect::<Result<Vec<_>, _>>()?;
        out.extend(embed_batch(path, info, &decoded, &mut preprocessor, a)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyframes_skip_near_black_and_flat_frames_when_the_shot_has_pictures() {
        // A shot fading in from black and out to near-black.
        let captured = [
            (10, Look::Flat),
            (11, Look::Dark),
            (15, Look::Visible),
            (23, Look::Visible),
            (31, Look::Visible),
            (38, Look::Dark),
            (39, Look::Flat),
        ];
        let (k, look) = choose_among(&captured).expect("keyframes");
        assert_eq!((k.entry, k.middle, k.exit), (15, 23, 31));
        assert_eq!(look, Look::Visible);
    }

    #[test]
    fn a_dark_shot_keeps_its_dark_frames_over_flat_ones() {
        let captured = [(0, Look::Flat), (7, Look::Dark), (15, Look::Dark)];
        let (k, look) = choose_among(&captured).expect("keyframes");
        assert_eq!((k.entry, k.exit), (7, 15));
        // No visible picture at all: the shot is dark, set aside.
        assert_eq!(look, Look::Dark);
        assert_eq!(choose_among(&[]), None);
    }

    const GRID: Grid = Grid {
        width: 48,
        height: 27,
    };

    /// A 48×27 thumbnail whose pixel (x, y) has grey level `value(x, y)`.
    fn thumbnail(value: impl Fn(usize, usize) -> u8) -> Features {
        let rgb: Vec<u8> = (0..48 * 27usize)
            .flat_map(|i| [value(i % 48, i / 48); 3])
            .collect();
        Features::new(&rgb, &[0.0; 128])
    }

    /// A textured grey picture.
    fn picture(x: usize, y: usize) -> u8 {
        90 + ((x + y) % 2) as u8 * 60
    }

    #[test]
    fn looks_follow_spread_and_brightness() {
        let frame = |v: u8, spread: u8| thumbnail(|x, _| v.saturating_add((x % 2) as u8 * spread));
        assert_eq!(Look::of(&frame(0, 0), 0.02, GRID), Look::Flat);
        assert_eq!(Look::of(&frame(4, 30), 0.02, GRID), Look::Dark);
        assert_eq!(Look::of(&frame(90, 60), 0.02, GRID), Look::Visible);
        // An iris closing: a bright disc in the middle of black.
        let iris = thumbnail(|x, y| {
            let inside = (x as i32 - 24).pow(2) + (y as i32 - 13).pow(2) < 64;
            if inside {
                230
            } else {
                2
            }
        });
        assert_eq!(Look::of(&iris, 0.02, GRID), Look::Dark);
    }

    #[test]
    fn an_iris_starting_to_close_is_passed_over_but_bars_are_not() {
        // The iris's circle is as wide as the frame is high: black corners.
        let opening = thumbnail(|x, y| {
            let inside = (x as i32 - 24).pow(2) * 9 / 16 + (y as i32 - 13).pow(2) < 200;
            if inside {
                picture(x, y)
            } else {
                0
            }
        });
        assert_eq!(Look::of(&opening, 0.02, GRID), Look::Closing);
        // A letterboxed or pillarboxed picture keeps its corners inside
        // the bars: a full picture.
        let letterbox = thumbnail(|x, y| {
            if (4..23).contains(&y) {
                picture(x, y)
            } else {
                0
            }
        });
        assert_eq!(Look::of(&letterbox, 0.02, GRID), Look::Visible);
        let pillarbox = thumbnail(|x, y| {
            if (6..42).contains(&x) {
                picture(x, y)
            } else {
                0
            }
        });
        assert_eq!(Look::of(&pillarbox, 0.02, GRID), Look::Visible);
        // A night scene with dark but not pure black corners.
        let night = thumbnail(|x, y| {
            if (8..=40).contains(&x) {
                picture(x, y)
            } else {
                10
            }
        });
        assert_eq!(Look::of(&night, 0.02, GRID), Look::Visible);
    }

    #[test]
    fn the_exit_is_taken_before_the_iris_and_an_iris_shot_shows_no_picture() {
        let captured = [(8, Look::Visible), (16, Look::Visible), (22, Look::Closing)];
        let (k, look) = choose_among(&captured).expect("keyframes");
        assert_eq!((k.entry, k.exit), (8, 16));
        assert!(look.shows_picture());
        let (k, look) = choose_among(&[(3, Look::Dark), (5, Look::Closing)]).expect("keyframes");
        assert_eq!((k.entry, look), (5, Look::Closing));
        assert!(!look.shows_picture() && !Look::Dark.shows_picture());
    }
}
