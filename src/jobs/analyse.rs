//! One title through hashing, shot segmentation and keyframe embedding.
//! Each stage first looks in the store under (content hash, stage, model,
//! parameters) and computes only what is missing.

use crate::embed::{self, descriptor, Embedder};
use crate::matching::composition;
use crate::media::{self, DecodeMode, Decoder, MediaError};
use crate::preprocess::{self, Backend, Preprocessor, StreamFacts};
use crate::shots::{self, Params, ScanError, Segmentation};
use crate::store::{FeatureKey, Store, StoreError};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// Version of the shot detector's output (bump when its results change).
pub const SHOTS_MODEL: &str = "shots/1";

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
}

/// What a title's analysis produced.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub content_hash: String,
    pub segmentation: Segmentation,
    pub keyframes: Vec<KeyframeVector>,
    pub shots_run: StageRun,
    pub embed_run: StageRun,
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
    let go_on = |_, _| std::ops::ControlFlow::Continue(());
    let (segmentation, shots_run) =
        shots_stage(path, &hash, store, (&a.shot_params, a.backend), &go_on)?;
    let (keyframes, embed_run) = embed_stage(path, &hash, &segmentation, store, a)?;
    Ok(Analysis {
        content_hash: hash,
        segmentation,
        keyframes,
        shots_run,
        embed_run,
    })
}

/// The content hash, read from the store when the file is unchanged since.
pub(crate) fn hash_of(path: &Path, store: &Store) -> Result<String, JobError> {
    let meta = std::fs::metadata(path).map_err(|e| MediaError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let key = canonical.to_string_lossy();
    if let Some(hash) = store.known_hash(&key, meta.len(), modified)? {
        return Ok(hash);
    }
    let hash = media::content_hash(path)?;
    store.remember_hash(&key, meta.len(), modified, &hash)?;
    Ok(hash)
}

/// Names every model, version and parameter a library record depends on:
/// a title recorded under another key is analysed again.
pub fn analysis_key(
    shot_params: &Params,
    embed_model: &str,
    match_params: &crate::matching::MatchParams,
) -> String {
    format!(
        "{SHOTS_MODEL}:{}|{}:{}|match:{}",
        params_hash(shot_params),
        embed_model,
        composition::VERSION,
        params_hash(match_params)
    )
}

/// A short hash of a stage's parameters (their `Debug` form).
fn params_hash(params: &impl std::fmt::Debug) -> String {
    blake3::hash(format!("{params:?}").as_bytes()).to_hex()[..16].to_string()
}

/// Shots of the title, from the store or by segmenting it.
pub(crate) fn shots_stage(
    path: &Path,
    hash: &str,
    store: &Store,
    (shot_params, backend): (&Params, Backend),
    progress: shots::scan::Progress,
) -> Result<(Segmentation, StageRun), JobError> {
    let params = params_hash(shot_params);
    let key = FeatureKey {
        content_hash: hash,
        stage: "shots",
        model: SHOTS_MODEL,
        params: &params,
    };
    if let Some(bytes) = store.feature(&key)? {
        if let Ok(seg) = serde_json::from_slice(&bytes) {
            return Ok((seg, StageRun::Cached));
        }
    }
    let title = shots::detect_file(path, shot_params, backend, progress)?;
    let bytes = serde_json::to_vec(&title.segmentation).map_err(|e| JobError::Other {
        reason: e.to_string(),
        path: path.to_path_buf(),
    })?;
    store.put_feature(&key, &bytes)?;
    Ok((title.segmentation, StageRun::Computed))
}

/// Keyframe descriptors of the title's shots, from the store or by
/// decoding and embedding them.
pub(crate) fn embed_stage(
    path: &Path,
    hash: &str,
    seg: &Segmentation,
    store: &Store,
    a: &Analysers,
) -> Result<(Vec<KeyframeVector>, StageRun), JobError> {
    let frames: BTreeSet<u64> = seg
        .shots
        .iter()
        .flat_map(|s| [s.keyframes.entry, s.keyframes.middle, s.keyframes.exit])
        .collect();
    let params = params_hash(&(embed::preprocess_config(), composition::VERSION, &frames));
    let key = FeatureKey {
        content_hash: hash,
        stage: "embed",
        model: &a.embed_model,
        params: &params,
    };
    if let Some(bytes) = store.feature(&key)? {
        if let Some(vectors) = unpack(&bytes, &frames) {
            return Ok((vectors, StageRun::Cached));
        }
    }
    let vectors = embed_frames(path, &frames, a)?;
    store.put_feature(&key, &pack(&vectors))?;
    Ok((vectors, StageRun::Computed))
}

/// Decodes the wanted frames in one pass and embeds them in batches.
fn embed_frames(
    path: &Path,
    frames: &BTreeSet<u64>,
    a: &Analysers,
) -> Result<Vec<KeyframeVector>, JobError> {
    const BATCH: usize = 16;
    let info = media::probe(path)?;
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
        if pending.len() == BATCH || (done && !pending.is_empty()) {
            out.extend(embed_batch(path, &info, &pending, &mut preprocessor, a)?);
            pending.clear();
        }
        if done {
            break;
        }
    }
    if !pending.is_empty() {
        out.extend(embed_batch(path, &info, &pending, &mut preprocessor, a)?);
    }
    Ok(out)
}

fn embed_batch(
    path: &Path,
    info: &media::MediaInfo,
    batch: &[media::DecodedFrame],
    preprocessor: &mut Preprocessor,
    a: &Analysers,
) -> Result<Vec<KeyframeVector>, JobError> {
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
    let side = preprocessor.config().model_side as usize;
    let inputs = preprocessor.process(&views);
    let vectors = a.embedder.describe_slice(&inputs.model_input, batch.len());
    let images = inputs.model_input.chunks_exact(3 * side * side);
    Ok(batch
        .iter()
        .zip(vectors)
        .zip(images)
        .map(|((f, vector), image)| KeyframeVector {
            frame: f.index,
            vector,
            composition: composition::signature(image, side),
        })
        .collect())
}

/// Per keyframe, in frame order: the descriptor as little-endian f32, then
/// the composition signature.
fn pack(vectors: &[KeyframeVector]) -> Vec<u8> {
    vectors
        .iter()
        .flat_map(|v| {
            let floats = v.vector.iter().flat_map(|x| x.to_le_bytes());
            floats.chain(v.composition.iter().map(|&c| c as u8))
        })
        .collect()
}

fn unpack(bytes: &[u8], frames: &BTreeSet<u64>) -> Option<Vec<KeyframeVector>> {
    let floats = descriptor::DIMS * 4;
    let width = floats + composition::LEN;
    if bytes.len() != width * frames.len() {
        return None;
    }
    Some(
        bytes
            .chunks(width)
            .zip(frames)
            .map(|(chunk, &frame)| KeyframeVector {
                frame,
                vector: chunk[..floats]
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                composition: chunk[floats..].iter().map(|&c| c as i8).collect(),
            })
            .collect(),
    )
}
