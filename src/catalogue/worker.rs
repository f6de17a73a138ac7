//! `matchcut worker analyse --in FILE --out DIR`: one title's analysis
//! (decode, preprocess, shots, keyframe embeddings, motion) as an
//! immutable features file named by the title's content hash, the
//! embedding model and a hash of every parameter ([`features_name`]).
//! Nothing is computed when that file exists. The file is written under a
//! temporary name and renamed into place, so a crashed worker leaves no
//! half file for a later run to take as done.
//!
//! Exit codes tell a scheduler what to do ([`WorkerError::exit_code`]):
//! 0 done (or already there), 65 bad input (the file itself: never retry),
//! 75 transient (I/O, the model, the store: retry).

use super::features::{self, Features};
use crate::embed::{self, Embedder};
use crate::jobs::{self, Analysers, JobError};
use crate::media::{self, MediaError};
use crate::preprocess::{self, BackendChoice};
use crate::shots::ScanError;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// `EX_DATAERR` (sysexits.h): the input is bad; retrying cannot help.
pub const EXIT_BAD_INPUT: u8 = 65;
/// `EX_TEMPFAIL`: something that may work next time failed.
pub const EXIT_TRANSIENT: u8 = 75;

/// Why a worker failed, by what a scheduler should do about it.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("bad input: {0}")]
    BadInput(String),
    #[error("transient failure: {0}")]
    Transient(String),
}

impl WorkerError {
    pub fn exit_code(&self) -> u8 {
        match self {
            WorkerError::BadInput(_) => EXIT_BAD_INPUT,
            WorkerError::Transient(_) => EXIT_TRANSIENT,
        }
    }
}

impl From<MediaError> for WorkerError {
    fn from(e: MediaError) -> Self {
        match e {
            // Reading may fail for a moment on a shared mount; writing is ours.
            MediaError::Unreadable { .. } | MediaError::Write { .. } => {
                WorkerError::Transient(e.to_string())
            }
            _ => WorkerError::BadInput(e.to_string()),
        }
    }
}

impl From<JobError> for WorkerError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Media(m) | JobError::Shots(ScanError::Media(m)) => m.into(),
            // A frame the decoder cannot read is in the file.
            JobError::Shots(e @ ScanError::Frame { .. }) => WorkerError::BadInput(e.to_string()),
            e => WorkerError::Transient(e.to_string()),
        }
    }
}

/// What a worker run left.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Analysed {
    /// The features file.
    pub file: PathBuf,
    pub content_hash: String,
    /// Whether the file was there already (nothing computed).
    pub cached: bool,
    pub shots: usize,
    pub seconds: f64,
}

/// Where and how the worker computes.
#[derive(Clone, Copy, Debug, Default)]
pub struct WorkerOptions {
    pub preprocess: BackendChoice,
    pub device: BackendChoice,
}

/// The features file's name: `{content hash}.{model}.{parameters}.parquet`,
/// the model id made safe for a file name, the parameters the first 16 hex
/// digits of the blake3 of the whole analysis key (every model version and
/// parameter a result depends on).
pub fn features_name(content_hash: &str, model: &str, analysis_key: &str) -> String {
    let safe: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let params = &blake3::hash(analysis_key.as_bytes()).to_hex()[..16];
    format!("{content_hash}.{safe}.{params}.parquet")
}

/// What today's features files are named by, besides the content hash:
/// for a scheduler to tell a current file from one of older models.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Key {
    pub model: String,
    pub analysis_key: String,
    /// The name's suffix after the content hash (`.{model}.{params}.parquet`).
    pub suffix: String,
    /// The side of the model's square input (`matchcut worker embed`).
    pub model_side: u32,
}

pub fn key() -> Key {
    let (model, analysis_key) = (Analysers::embed_model_id(), current_key());
    let name = features_name("", &model, &analysis_key);
    Key {
        model,
        analysis_key,
        suffix: name,
        model_side: crate::embed::preprocess_config().model_side,
    }
}

/// The analysis key of today's models and default parameters.
pub fn current_key() -> String {
    jobs::analysis_key(
        &crate::shots::Params::default(),
        &Analysers::embed_model_id(),
        &crate::matching::MatchParams::default(),
    )
}

/// Analyses `input` into `out` (see the module's description).
pub fn analyse(input: &Path, out: &Path, options: WorkerOptions) -> Result<Analysed, WorkerError> {
    let started = std::time::Instant::now();
    let info = media::probe(input)?;
    let hash = media::content_hash(input)?;
    let key = current_key();
    let file = out.join(features_name(&hash, &Analysers::embed_model_id(), &key));
    let done = |cached: bool, shots: usize| Analysed {
        file: file.clone(),
        content_hash: hash.clone(),
        cached,
        shots,
        seconds: started.elapsed().as_secs_f64(),
    };
    if file.is_file() {
        // A file that cannot be read is not done: it is made again.
        if let Ok(shots) = super::table::rows(&file) {
            return Ok(done(true, shots));
        }
    }
    let transient = |what: &str, e: &dyn std::fmt::Display| {
        WorkerError::Transient(format!("{}: {what}: {e}", out.display()))
    };
    std::fs::create_dir_all(out).map_err(|e| transient("cannot create the folder", &e))?;
    let scratch = Scratch::new(out, &hash);
    let store = crate::store::Store::open(&scratch.store)
        .map_err(|e| WorkerError::Transient(e.to_string()))?;
    let embedder = embed::device(options.device)
        .and_then(Embedder::new)
        .map_err(|e| WorkerError::Transient(format!("the model: {e}")))?;
    let analysers = Analysers::new(&embedder, preprocess::choose_backend(options.preprocess));
    let analysis = jobs::analyse_hashed(&info, &hash, &store, &analysers, &|_, _| {
        ControlFlow::Continue(())
    })?;
    let shots = analysis.segmentation.shots.len();
    let media = serde_json::to_value(&info).unwrap_or_default();
    let features = Features {
        analysis,
        analysis_key: key,
        media,
    };
    features::write(&scratch.file, &features).map_err(|e| WorkerError::Transient(e.to_string()))?;
    std::fs::rename(&scratch.file, &file)
        .map_err(|e| transient("cannot move the features file into place", &e))?;
    Ok(done(false, shots))
}

/// A worker's temporary files (its memo store, the features file being
/// written), removed however the run ends.
struct Scratch {
    store: PathBuf,
    file: PathBuf,
}

impl Scratch {
    fn new(out: &Path, hash: &str) -> Self {
        let tag = format!("{hash}.{}", std::process::id());
        Self {
            store: out.join(format!(".work-{tag}.sqlite")),
            file: out.join(format!(".writing-{tag}.parquet")),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.store.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        let _ = std::fs::remove_file(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_carries_content_model_and_parameters() {
        let a = features_name("abc", "effnet-lite0+desc:3", "key one");
        assert!(
            a.starts_with("abc.effnet-lite0_desc_3.") && a.ends_with(".parquet"),
            "{a}"
        );
        assert_ne!(a, features_name("abc", "effnet-lite0+desc:3", "key two"));
        assert_ne!(a, features_name("abd", "effnet-lite0+desc:3", "key one"));
    }

    #[test]
    fn bad_files_are_never_retried_and_io_may_be() {
        let p = PathBuf::from("t.mp4");
        let bad = WorkerError::from(MediaError::NotMedia {
            path: p.clone(),
            reason: "x".into(),
        });
        assert_eq!(bad.exit_code(), EXIT_BAD_INPUT);
        let gone = WorkerError::from(MediaError::NotFound { path: p.clone() });
        assert_eq!(gone.exit_code(), EXIT_BAD_INPUT);
        let io = WorkerError::from(MediaError::Unreadable {
            path: p,
            reason: "EIO".into(),
        });
        assert_eq!(io.exit_code(), EXIT_TRANSIENT);
    }
}
