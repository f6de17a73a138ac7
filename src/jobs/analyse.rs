//! One title through hashing, shot segmentation and keyframe embedding.
//! Each stage first looks in the store under (content hash, stage, model,
//! parameters) and computes only what is missing.

use super::capture;
use crate::embed::{self, descriptor, Embedder};
use crate::matching::{composition, footage};
use crate::media::{self, DecodeMode, Decoder, MediaError};
use crate::preprocess::{Backend, Preprocessor};
use crate::shots::{self, Params, ScanError, Segmentation, ShotKind};
use crate::store::{FeatureKey, Store, StoreError};
use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Version of the shot detector's output (bump when its results change).
/// `shots/2`: keyframes are chosen among the frames captured in the
/// single decoding pass ([`super::capture`]). `shots/3`: frame indices as
/// FFmpeg presents them on edit lists, open GOPs cut mid-stream and MPEG-2
/// in TS and PS; flat stretches are black or colour shots of their own.
pub const SHOTS_MODEL: &str = "shots/3";

/// The stages' engines and settings.
pub struct Analysers<'a> {
    pub shot_params: Params,
    pub backend: Backend,
    pub embedder: &'a Embedder,
    /// Model id of the embedding stage (the cache key's model part).
    pub embed_model: String,
}

impl<'a> Analysers<'a> {
    pub fn new(embedder: &'a Embedder, backend: Backend) -> Self {
        Self {
            shot_params: Params::default(),
            backend,
            embedder,
            embed_model: Self::embed_model_id(),
        }
    }

    /// The embedding stage's model id: network and descriptor versions.
    pub fn embed_model_id() -> String {
        format!("{}+{}", embed::MODEL_ID, descriptor::VERSION)
    }
}

/// Whether a stage ran or came from the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageRun {
    Computed,
    Cached,
}

/// A keyframe's descriptor and composition signature.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyframeVector {
    pub frame: u64,
    pub vector: Vec<f32>,
    /// [`composition::signature`] of the model input.
    pub composition: Vec<i8>,
    /// How likely the frame is text or graphics ([`embed::text`]).
    pub text: f32,
    /// Its subject's and surroundings' features
    /// ([`crate::matching::setups::quantise_regions`]; empty when unknown).
    pub regions: Vec<i8>,
    /// How clearly a figure stands out ([`composition::figure`]).
    pub figure: f32,
}

/// A captured frame's footage print ([`footage::print`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FramePrint {
    pub frame: u64,
    pub print: Vec<i8>,
}

/// What a title's analysis produced.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub content_hash: String,
    pub segmentation: Segmentation,
    pub keyframes: Vec<KeyframeVector>,
    /// Prints of the visible frames captured in the decoding pass, in
    /// frame order.
    pub prints: Vec<FramePrint>,
    /// Its shots' motion at both ends, when measured ([`crate::motion`]).
    pub motion: Option<Vec<crate::motion::ShotMotion>>,
    pub shots_run: StageRun,
    pub embed_run: StageRun,
}

/// Text probability of any keyframe of a shot at or above which it is a
/// card (title card, credits, logo, a title lettered over the picture)
/// rather than a picture: the film evaluation's credits score 0.22–0.81,
/// its opening title over a picture 0.23, its pictures at most 0.08
/// ([`embed::text`]).
pub const CARD_TEXT: f32 = 0.2;

impl Analysis {
    /// An analysis whose picture shots that read as text or graphics are
    /// marked [`ShotKind::Card`].
    fn new(
        hash: &str,
        (mut segmentation, prints): (Segmentation, Vec<FramePrint>),
        keyframes: Vec<KeyframeVector>,
        (shots_run, embed_run): (StageRun, StageRun),
    ) -> Self {
        mark_cards(&mut segmentation, &keyframes);
        Self {
            content_hash: hash.to_string(),
            segmentation,
            keyframes,
            prints,
            motion: None,
            shots_run,
            embed_run,
        }
    }

    fn with_motion(self, motion: Option<Vec<crate::motion::ShotMotion>>) -> Self {
        Self { motion, ..self }
    }
}

/// Marks the picture shots a keyframe of which reads [`CARD_TEXT`] or more.
pub fn mark_cards(segmentation: &mut Segmentation, keyframes: &[KeyframeVector]) {
    let text: HashMap<u64, f32> = keyframes.iter().map(|k| (k.frame, k.text)).collect();
    for shot in segmentation.shots.iter_mut() {
        let k = shot.keyframes;
        let card = [k.entry, k.middle, k.exit]
            .iter()
            .any(|f| text.get(f).is_some_and(|&t| t >= CARD_TEXT));
        if card && shot.kind.is_picture() {
            shot.kind = ShotKind::Card;
        }
    }
}

/// Why a title's analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Shots(#[from] ScanError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {reason}", path.display())]
    Other {
        reason: String,
        path: std::path::PathBuf,
    },
}

/// Analyses one title, reusing every stage the store already has for its
/// content.
pub fn analyse(path: &Path, store: &Store, a: &Analysers) -> Result<Analysis, JobError> {
    let hash = hash_of(path, store)?;
    let info = media::probe(path)?;
    analyse_hashed(&info, &hash, store, a, &|_, _| ControlFlow::Continue(()))
}

/// [`analyse`] of a probed title whose content hash is known, reporting
/// progress of the decoding pass. A title not analysed before is decoded
/// once: shots are detected and keyframes embedded in the same pass.
pub fn analyse_hashed(
    info: &media::MediaInfo,
    hash: &str,
    store: &Store,
    a: &Analysers,
    progress: shots::scan::Progress,
) -> Result<Analysis, JobError> {
    let path = info.path.as_path();
    let key = shots_key(&a.shot_params);
    let shots = shots_feature(hash, &key);
    let motion = wanted_motion(store, hash, &key)?;
    // Shots stored without motion are found again, in the one pass that
    // measures it, when motion is wanted.
    let complete = motion.is_some() || !crate::motion::enabled();
    if let Some(stored) = stored_shots(store, hash, &key)?.filter(|_| complete) {
        let (keyframes, embed_run) = embed_stage(info, hash, &stored.0, store, a)?;
        let analysis = Analysis::new(hash, stored, keyframes, (StageRun::Cached, embed_run));
        return Ok(analysis.with_motion(motion));
    }
    let (segmentation, keyframes, prints, motion) = capture::single_pass(path, info, a, progress)?;
    if let Some(motion) = &motion {
        store.put_feature(&motion_feature(hash, &key), &to_json(path, motion)?)?;
    }
    let bytes = to_json(path, &segmentation)?;
    store.put_feature(&prints_feature(hash, &key), &pack_prints(&prints))?;
    store.put_feature(&shots, &bytes)?;
    let params = embed_params(&segmentation);
    store.put_feature(&embed_key(hash, &a.embed_model, &params), &pack(&keyframes))?;
    Ok(Analysis::new(
        hash,
        (segmentation, prints),
        keyframes,
        (StageRun::Computed, StageRun::Computed),
    )
    .with_motion(motion))
}

/// A title's stored shot-end motion, if measured under these shot
/// parameters by today's estimator and wanted (never with `--motion off`).
fn wanted_motion(
    store: &Store,
    hash: &str,
    key: &str,
) -> Result<Option<Vec<crate::motion::ShotMotion>>, JobError> {
    if !crate::motion::enabled() {
        return Ok(None);
    }
    Ok(store
        .feature(&motion_feature(hash, key))?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

/// The content hash, read from the store when the file is unchanged since
/// it was last hashed (and remembered there otherwise).
pub fn hash_of(path: &Path, store: &Store) -> Result<String, JobError> {
    let (key, size, modified) = file_key(path).map_err(|e| MediaError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    if let Some(hash) = store.known_hash(&key, size, modified)? {
        return Ok(hash);
    }
    let hash = media::content_hash(path)?;
    store.remember_hash(&key, size, modified, &hash)?;
    Ok(hash)
}

/// What the store remembers a file's content hash by: its canonical path,
/// size and modification time (nanoseconds since the epoch).
pub(crate) fn file_key(path: &Path) -> std::io::Result<(String, u64, i64)> {
    let meta = std::fs::metadata(path)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok((
        canonical.to_string_lossy().into_owned(),
        meta.len(),
        modified,
    ))
}

/// Names every model, version and parameter a library record depends on:
/// a title recorded under another key is analysed again.
pub fn analysis_key(
    shot_params: &Params,
    embed_model: &str,
    match_params: &crate::matching::MatchParams,
) -> String {
    let motion = if crate::motion::enabled() {
        format!(
            "{}+carry{}",
            crate::motion::MODEL,
            crate::motion::carry::VERSION
        )
    } else {
        "off".to_string()
    };
    format!(
        "{SHOTS_MODEL}:{}|{}:{}:{}:{}:{}:{}|match:{}|motion:{motion}",
        shots_key(shot_params),
        embed_model,
        composition::VERSION,
        embed::text::VERSION,
        embed::objects::VERSION,
        embed::objects::REGIONS_VERSION,
        embed::saliency::VERSION,
        params_hash(&(
            match_params,
            CARD_TEXT,
            super::library::MIN_SHOT_FRAMES,
            super::lists::VERSION
        ))
    )
}

/// A short hash of a stage's parameters (their `Debug` form).
fn params_hash(params: &impl std::fmt::Debug) -> String {
    blake3::hash(format!("{params:?}").as_bytes()).to_hex()[..16].to_string()
}

/// The shots stage's parameters: the detector's, the keyframe capture's
/// and the footage prints'.
fn shots_key(shot_params: &Params) -> String {
    params_hash(&(
        shot_params,
        capture::STRIDE,
        capture::VERSION,
        footage::VERSION,
    ))
}

/// Every keyframe of a segmentation, in frame order.
pub(crate) fn keyframe_set(seg: &Segmentation) -> BTreeSet<u64> {
    seg.shots
        .iter()
        .flat_map(|s| [s.keyframes.entry, s.keyframes.middle, s.keyframes.exit])
        .collect()
}

/// The embedding stage's parameters for a segmentation's keyframes.
fn embed_params(seg: &Segmentation) -> String {
    let frames = keyframe_set(seg);
    params_hash(&(
        embed::preprocess_config(),
        composition::VERSION,
        embed::text::VERSION,
        embed::objects::VERSION,
        embed::objects::REGIONS_VERSION,
        embed::saliency::VERSION,
        &frames,
    ))
}

fn embed_key<'k>(hash: &'k str, model: &'k str, params: &'k str) -> FeatureKey<'k> {
    FeatureKey {
        content_hash: hash,
        stage: "embed",
        model,
        params,
    }
}

/// The key of a title's shots feature.
fn shots_feature<'k>(hash: &'k str, params: &'k str) -> FeatureKey<'k> {
    FeatureKey {
        content_hash: hash,
        stage: "shots",
        model: SHOTS_MODEL,
        params,
    }
}

/// The key of a title's footage prints, made in the shots stage's pass.
/// Shot-end motion ([`crate::motion`]), computed with the shots, under the
/// shots' parameters and the estimator's own version.
fn motion_feature<'k>(hash: &'k str, params: &'k str) -> FeatureKey<'k> {
    FeatureKey {
        content_hash: hash,
        stage: "motion",
        model: crate::motion::MODEL,
        params,
    }
}

/// A stage's result as stored: JSON (the segmentation; shot-end motion, a
/// few hundred bytes a shot).
fn to_json(path: &Path, value: &impl serde::Serialize) -> Result<Vec<u8>, JobError> {
    serde_json::to_vec(value).map_err(|e| JobError::Other {
        reason: e.to_string(),
        path: path.to_path_buf(),
    })
}

fn prints_feature<'k>(hash: &'k str, params: &'k str) -> FeatureKey<'k> {
    FeatureKey {
        content_hash: hash,
        stage: "prints",
        model: SHOTS_MODEL,
        params,
    }
}

/// The shots stage's stored results under its parameters `key`: the
/// segmentation and the footage prints, if both are there and readable.
fn stored_shots(
    store: &Store,
    hash: &str,
    key: &str,
) -> Result<Option<(Segmentation, Vec<FramePrint>)>, JobError> {
    let Some(prints) = store
        .feature(&prints_feature(hash, key))?
        .and_then(|bytes| unpack_prints(&bytes))
    else {
        return Ok(None);
    };
    Ok(store
        .feature(&shots_feature(hash, key))?
        .and_then(|bytes| serde_json::from_slice::<Segmentation>(&bytes).ok())
        .map(|segmentation| (segmentation, prints)))
}

/// A title's analysis as the store holds it (shots and keyframe
/// descriptors under these shot parameters and today's embedding model),
/// without decoding or running a model; `None` when a stage is missing.
pub fn stored_analysis(
    hash: &str,
    store: &Store,
    shot_params: &Params,
) -> Result<Option<Analysis>, JobError> {
    let key = shots_key(shot_params);
    let Some(stored) = stored_shots(store, hash, &key)? else {
        return Ok(None);
    };
    let (model, params) = (Analysers::embed_model_id(), embed_params(&stored.0));
    let keyframes = store
        .feature(&embed_key(hash, &model, &params))?
        .and_then(|bytes| unpack(&bytes, &keyframe_set(&stored.0)));
    let motion = wanted_motion(store, hash, &key)?;
    Ok(keyframes.map(|keyframes| {
        Analysis::new(
            hash,
            stored,
            keyframes,
            (StageRun::Cached, StageRun::Cached),
        )
        .with_motion(motion)
    }))
}

/// Keyframe descriptors of the title's shots, from the store or by
/// decoding and embedding them.
fn embed_stage(
    info: &media::MediaInfo,
    hash: &str,
    seg: &Segmentation,
    store: &Store,
    a: &Analysers,
) -> Result<(Vec<KeyframeVector>, StageRun), JobError> {
    let frames = keyframe_set(seg);
    let params = embed_params(seg);
    let key = embed_key(hash, &a.embed_model, &params);
    if let Some(bytes) = store.feature(&key)? {
        if let Some(vectors) = unpack(&bytes, &frames) {
            return Ok((vectors, StageRun::Cached));
        }
    }
    let vectors = embed_frames(info, &frames, a)?;
    store.put_feature(&key, &pack(&vectors))?;
    Ok((vectors, StageRun::Computed))
}

/// Decodes the wanted frames in one pass and embeds them in batches.
fn embed_frames(
    info: &media::MediaInfo,
    frames: &BTreeSet<u64>,
    a: &Analysers,
) -> Result<Vec<KeyframeVector>, JobError> {
    let path = info.path.as_path();
    let last = frames.last().copied().unwrap_or(0);
    let decoder = Decoder::open(path, info.clone(), DecodeMode::Full)?;
    let config = embed::preprocess_config();
    let mut preprocessor = Preprocessor::new(config.clone(), a.backend);
    let (mut out, mut pending) = (Vec::with_capacity(frames.len()), Vec::new());
    for frame in decoder {
        let frame = frame?;
        if frames.contains(&frame.index) {
            pending.push(frame);
        }
        let done = pending.last().is_some_and(|f| f.index >= last);
        if pending.len() == a.embedder.batch_size() || (done && !pending.is_empty()) {
            out.extend(embed_batch(path, info, &pending, &mut preprocessor, a)?);
            pending.clear();
        }
        if done {
            break;
        }
    }
    if !pending.is_empty() {
        out.extend(embed_batch(path, info, &pending, &mut preprocessor, a)?);
    }
    Ok(out)
}

pub(crate) fn embed_batch(
    path: &Path,
    info: &media::MediaInfo,
    batch: &[media::DecodedFrame],
    preprocessor: &mut Preprocessor,
    a: &Analysers,
) -> Result<Vec<KeyframeVector>, JobError> {
    let side = preprocessor.config().model_side as usize;
    let inputs = capture::model_inputs(path, info, batch, preprocessor)?;
    let items: Vec<(u64, Vec<f32>)> = batch
        .iter()
        .zip(inputs.chunks_exact(3 * side * side))
        .map(|(f, input)| (f.index, input.to_vec()))
        .collect();
    capture::embed_inputs(&items, a.embedder, side).map_err(|e| capture::model_failed(path, e))
}

/// Per keyframe, in frame order: the descriptor as little-endian f32, the
/// text probability and the figure (f32), the composition signature, then
/// the regions' length (u32) and the regions.
fn pack(vectors: &[KeyframeVector]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in vectors {
        for x in v.vector.iter().chain([&v.text, &v.figure]) {
            out.extend(x.to_le_bytes());
        }
        out.extend(v.composition.iter().map(|&c| c as u8));
        out.extend((v.regions.len() as u32).to_le_bytes());
        out.extend(v.regions.iter().map(|&c| c as u8));
    }
    out
}

fn unpack(bytes: &[u8], frames: &BTreeSet<u64>) -> Option<Vec<KeyframeVector>> {
    let floats = descriptor::DIMS * 4;
    let mut rest = bytes;
    let signed = |b: &[u8]| b.iter().map(|&c| c as i8).collect::<Vec<i8>>();
    let mut out = Vec::with_capacity(frames.len());
    for &frame in frames {
        let vector = take(&mut rest, floats)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let text = f32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
        let figure = f32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
        let composition = signed(take(&mut rest, composition::LEN)?);
        let regions_len = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?) as usize;
        let regions = signed(take(&mut rest, regions_len)?);
        out.push(KeyframeVector {
            frame,
            vector,
            composition,
            text,
            regions,
            figure,
        });
    }
    rest.is_empty().then_some(out)
}

/// The first `n` bytes of `rest`, which moves past them.
fn take<'b>(rest: &mut &'b [u8], n: usize) -> Option<&'b [u8]> {
    let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
    *rest = tail;
    Some(head)
}

/// Per print, in frame order: the frame as little-endian u64, then the
/// print.
fn pack_prints(prints: &[FramePrint]) -> Vec<u8> {
    prints
        .iter()
        .flat_map(|p| {
            let frame = p.frame.to_le_bytes().into_iter();
            frame.chain(p.print.iter().map(|&c| c as u8))
        })
        .collect()
}

fn unpack_prints(bytes: &[u8]) -> Option<Vec<FramePrint>> {
    let width = 8 + footage::LEN;
    if !bytes.len().is_multiple_of(width) {
        return None;
    }
    bytes
        .chunks_exact(width)
        .map(|chunk| {
            Some(FramePrint {
                frame: u64::from_le_bytes(chunk[..8].try_into().ok()?),
                print: chunk[8..].iter().map(|&c| c as i8).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shots::{Keyframes, Shot};

    fn shot(index: usize, first: u64, kind: ShotKind) -> Shot {
        Shot {
            index,
            first_frame: first,
            last_frame: first + 9,
            keyframes: Keyframes {
                entry: first,
                middle: first + 5,
                exit: first + 9,
            },
            kind,
        }
    }

    fn keyframe(frame: u64, text: f32) -> KeyframeVector {
        KeyframeVector {
            frame,
            vector: Vec::new(),
            composition: Vec::new(),
            text,
            regions: Vec::new(),
            figure: 0.0,
        }
    }

    #[test]
    fn keyframes_pack_and_unpack_with_and_without_regions() {
        let frames: BTreeSet<u64> = [3, 8].into();
        let vectors: Vec<KeyframeVector> = frames
            .iter()
            .map(|&frame| KeyframeVector {
                frame,
                vector: (0..descriptor::DIMS).map(|i| i as f32 / 7.0).collect(),
                composition: (0..composition::LEN).map(|i| (i % 200) as i8).collect(),
                text: 0.25,
                regions: if frame == 3 {
                    vec![5, -7, 9, 1]
                } else {
                    Vec::new()
                },
                figure: frame as f32 / 10.0,
            })
            .collect();
        let bytes = pack(&vectors);
        assert_eq!(unpack(&bytes, &frames), Some(vectors));
        assert_eq!(unpack(&bytes[..bytes.len() - 1], &frames), None);
        assert_eq!(unpack(&[bytes.as_slice(), &[0]].concat(), &frames), None);
    }

    #[test]
    fn prints_pack_and_unpack() {
        let prints: Vec<FramePrint> = [7u64, 15, 1 << 40]
            .iter()
            .map(|&frame| FramePrint {
                frame,
                print: (0..footage::LEN)
                    .map(|i| (i as i64 - 72 + frame as i64 % 5) as i8)
                    .collect(),
            })
            .collect();
        let bytes = pack_prints(&prints);
        assert_eq!(bytes.len(), 3 * (8 + footage::LEN));
        assert_eq!(unpack_prints(&bytes), Some(prints));
        assert_eq!(unpack_prints(&bytes[1..]), None);
        assert_eq!(unpack_prints(&[]), Some(Vec::new()));
    }

    #[test]
    fn a_shot_with_any_keyframe_of_text_is_a_card() {
        let mut seg = Segmentation {
            shots: vec![
                shot(0, 0, ShotKind::Picture),
                shot(1, 10, ShotKind::Picture),
                shot(2, 20, ShotKind::Black),
            ],
            transitions: Vec::new(),
        };
        let keyframes = [
            keyframe(0, 0.01),
            keyframe(5, 0.08),
            keyframe(9, 0.02),
            keyframe(10, 0.03),
            keyframe(15, 0.25), // a title lettered over the middle
            keyframe(19, 0.04),
            keyframe(25, 0.9),
        ];
        mark_cards(&mut seg, &keyframes);
        let kinds: Vec<ShotKind> = seg.shots.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [ShotKind::Picture, ShotKind::Card, ShotKind::Black]);
    }
}
