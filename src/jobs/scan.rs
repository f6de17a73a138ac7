//! The scan pipeline: files and folders in, a library's shots, keyframe
//! descriptors, neighbour lists and candidate pairs out.
//!
//! First, titles the library holds unindexed are re-indexed from their
//! stored features ([`LibraryData::repair`]). Then three stages run at
//! once, each on its own blocking thread of the tokio
//! runtime, joined by bounded channels (one title in flight between
//! stages), so title 2 is hashed while title 1 is analysed and title 0
//! indexed:
//!
//! 1. **prepare**: content hash (from the store when the file is
//!    unchanged) and probe; a title already in the library under the same
//!    [`analysis_key`] is reported `cached` and goes no further;
//! 2. **analyse**: one decoding pass for shots and keyframe descriptors
//!    ([`super::analyse_hashed`]; inside it, decoder → detector and
//!    keyframe capture → embedder, each its own thread, bounded channels
//!    between), memoised by content;
//! 3. **index**: under the library's writer lock, near-duplicate groups,
//!    duplicates, neighbour lists and candidate pairs, committed in one
//!    transaction per title ([`LibraryData::add_title`]).
//!
//! Last, every recorded title this scan did not see is checked on disk
//! ([`verify_titles`]): a file gone or holding other content marks it
//! missing.
//!
//! Every stage reports through one callback ([`ScanEvent`]); the CLI draws
//! it with indicatif, the app forwards it to the window. A failed title is
//! reported and skipped. Cancelling stops the title being segmented and
//! keeps every title already added; a scan killed at any point leaves the
//! library as it was before or after each title, and the next scan
//! completes it from the memoised stages.

use super::analyse::{analyse_hashed, analysis_key, hash_of, Analysers, Analysis, StageRun};
use super::disk::verify_titles;
use super::library::{LibraryData, LibraryDataError, TitleMeta, WriterLock};
use crate::busy::{self, BusyTimes};
use crate::embed::{self, Embedder};
use crate::library::video_files;
use crate::matching::MatchParams;
use crate::media::{self, MediaInfo};
use crate::preprocess::{self, BackendChoice};
use crate::shots::Params;
use crate::store::Store;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::{channel, Receiver, Sender};
use tokio_util::sync::CancellationToken;

/// What a scan is asked to do.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// The library folder (its data lives in `.matchcut/` inside).
    pub library: PathBuf,
    pub preprocess: BackendChoice,
    pub device: BackendChoice,
    pub shot_params: Params,
    pub match_params: MatchParams,
}

impl ScanOptions {
    pub fn new(library: PathBuf) -> Self {
        Self {
            library,
            preprocess: BackendChoice::Auto,
            device: BackendChoice::Auto,
            shot_params: Params::default(),
            match_params: MatchParams::default(),
        }
    }
}

/// How a title's scan ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TitleStatus {
    Analysed,
    Cached,
    Failed,
}

/// One title's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TitleOutcome {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    pub status: TitleStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shots: Option<usize>,
    /// The title's frame count, when it was probed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frames: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Progress of a scan, as it happens.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ScanEvent {
    /// A title needs analysis: `frames` more to segment.
    Queued { path: PathBuf, frames: u64 },
    /// Frames of a title segmented so far.
    Frames {
        path: PathBuf,
        done: u64,
        total: u64,
    },
    /// A title entered a stage (`embed`, `index`).
    Stage { path: PathBuf, stage: String },
    /// Another process is writing the library; this scan waits for it.
    Waiting { message: String },
    /// A title is finished.
    Title(TitleOutcome),
}

/// What a scan did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScanReport {
    pub library: PathBuf,
    pub titles: Vec<TitleOutcome>,
    /// Candidate pairs in the library.
    pub pairs: u64,
    /// Titles re-indexed from their stored features, with no decoding and
    /// no model run: left unindexed by an earlier version, or by a scan
    /// that was stopped between analysing and indexing them.
    pub repaired: usize,
    /// Recorded titles whose files are gone or hold other content now
    /// (kept with their decisions; their pairs are flagged and not
    /// exported).
    pub missing: Vec<PathBuf>,
    pub seconds: f64,
    /// Frames of the titles analysed in this scan (not those found
    /// analysed), and the pictures this process decoded meanwhile (probes
    /// and seeks included): a title decoded once shows as about equal.
    pub analysed_frames: u64,
    pub decoded_pictures: u64,
    /// How long each stage was busy meanwhile, and the process's CPU time
    /// ([`busy`]): set beside `seconds`, what overlapped and what waited.
    pub busy: BusyTimes,
}

/// Why a scan could not run at all (a failed title is not this).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(transparent)]
    Library(#[from] LibraryDataError),
    #[error("the scan's {0} stage stopped unexpectedly")]
    Stage(&'static str),
}

/// Called with every event; must be cheap.
pub type EventSink = Arc<dyn Fn(ScanEvent) + Send + Sync>;

/// A title travelling down the pipeline.
struct Job {
    order: usize,
    path: PathBuf,
    hash: String,
    info: MediaInfo,
    analysis: Option<Analysis>,
}

/// The files a scan covers, as absolute paths (the library records where
/// each title was seen, for exports and the app): folders expanded (video
/// files, recursively, sorted), files as given.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        let path = &std::path::absolute(path).unwrap_or_else(|_| path.clone());
        match video_files(path) {
            Ok(files) if path.is_dir() => out.extend(files),
            _ => out.push(path.clone()),
        }
    }
    out
}

/// Scans `paths` into the library.
pub async fn scan(
    paths: Vec<PathBuf>,
    options: ScanOptions,
    events: EventSink,
    cancel: CancellationToken,
) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    let decoded_before = crate::media::decoded_pictures();
    let busy_before = busy::snapshot();
    let files = expand(&paths);
    let store_path = LibraryData::store_path(&options.library);
    let repaired = {
        let (options, events) = (options.clone(), events.clone());
        tokio::task::spawn_blocking(move || repair(&options, &events))
            .await
            .map_err(|_| ScanError::Stage("repair"))??
    };
    let (to_analyse, analyse_in) = channel::<Job>(1);
    let (to_index, index_in) = channel::<Job>(1);
    let (done_tx, mut done_rx) = channel::<(usize, TitleOutcome)>(files.len().max(1));
    let ctx = Stage {
        options: Arc::new(options),
        events,
        cancel,
        done: done_tx,
    };
    let prepare = spawn(ctx.clone(), move |c| c.prepare(files, to_analyse));
    let analyse = spawn(ctx.clone(), move |c| c.analyse(analyse_in, to_index));
    let index = spawn(ctx.clone(), move |c| c.index(index_in));
    drop(ctx);
    let mut outcomes = Vec::new();
    while let Some(outcome) = done_rx.recv().await {
        outcomes.push(outcome);
    }
    for (name, task) in [("prepare", prepare), ("analyse", analyse)] {
        task.await.map_err(|_| ScanError::Stage(name))??;
    }
    let indexed = index.await.map_err(|_| ScanError::Stage("index"))??;
    outcomes.sort_by_key(|(order, _)| *order);
    let seen: HashSet<String> = outcomes
        .iter()
        .filter_map(|(_, o)| o.content_hash.clone())
        .collect();
    let store = Store::open(&store_path).map_err(LibraryDataError::from)?;
    let missing = verify_titles(&store, &seen).map_err(LibraryDataError::from)?;
    let analysed_frames = outcomes
        .iter()
        .filter(|(_, o)| o.status == TitleStatus::Analysed)
        .filter_map(|(_, o)| o.frames)
        .sum();
    Ok(ScanReport {
        library: store_path
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        titles: outcomes.into_iter().map(|(_, o)| o).collect(),
        pairs: store.pair_count().map_err(LibraryDataError::from)?,
        repaired: repaired + indexed,
        missing,
        seconds: started.elapsed().as_secs_f64(),
        analysed_frames,
        decoded_pictures: crate::media::decoded_pictures() - decoded_before,
        busy: busy::snapshot().since(&busy_before),
    })
}

fn spawn<T: Send + 'static>(
    ctx: Stage,
    work: impl FnOnce(Stage) -> Result<T, ScanError> + Send + 'static,
) -> tokio::task::JoinHandle<Result<T, ScanError>> {
    tokio::task::spawn_blocking(move || work(ctx))
}

/// What every stage shares.
#[derive(Clone)]
struct Stage {
    options: Arc<ScanOptions>,
    events: EventSink,
    cancel: CancellationToken,
    done: Sender<(usize, TitleOutcome)>,
}

impl Stage {
    fn finish(&self, order: usize, outcome: TitleOutcome) {
        (self.events)(ScanEvent::Title(outcome.clone()));
        let _ = self.done.blocking_send((order, outcome));
    }

    fn fail(&self, order: usize, path: &Path, hash: Option<&str>, error: impl ToString) {
        let outcome = TitleOutcome {
            path: path.to_path_buf(),
            content_hash: hash.map(str::to_string),
            status: TitleStatus::Failed,
            shots: None,
            frames: None,
            error: Some(error.to_string()),
        };
        self.finish(order, outcome);
    }

    fn store(&self) -> Result<Store, ScanError> {
        let path = LibraryData::store_path(&self.options.library);
        Ok(Store::open(&path).map_err(LibraryDataError::from)?)
    }

    /// The key every library record of this scan is made under.
    fn analysis_key(&self) -> String {
        analysis_key_for(&self.options)
    }

    fn prepare(self, files: Vec<PathBuf>, out: Sender<Job>) -> Result<(), ScanError> {
        let store = self.store()?;
        let key = self.analysis_key();
        for (order, path) in files.into_iter().enumerate() {
            if self.cancel.is_cancelled() {
                break;
            }
            let hash = match busy::timed(busy::Stage::Hash, || hash_of(&path, &store)) {
                Ok(hash) => hash,
                Err(e) => {
                    self.fail(order, &path, None, e);
                    continue;
                }
            };
            if let Some(outcome) = cached(&store, &path, &hash, &key)? {
                self.finish(order, outcome);
                continue;
            }
            match busy::timed(busy::Stage::Probe, || media::probe(&path)) {
                Ok(info) => {
                    (self.events)(ScanEvent::Queued {
                        path: path.clone(),
                        frames: info.frame_count,
                    });
                    let job = Job {
                        order,
                        path,
                        hash,
                        info,
                        analysis: None,
                    };
                    if out.blocking_send(job).is_err() {
                        break;
                    }
                }
                Err(e) => self.fail(order, &path, Some(&hash), e),
            }
        }
        Ok(())
    }

    /// Shots and keyframe descriptors (one decoding pass, memoised).
    fn analyse(self, mut input: Receiver<Job>, out: Sender<Job>) -> Result<(), ScanError> {
        let store = self.store()?;
        let backend = preprocess::choose_backend(self.options.preprocess);
        let mut embedder = None;
        while let Some(mut job) = input.blocking_recv() {
            if self.cancel.is_cancelled() {
                break;
            }
            if embedder.is_none() {
                let load = || embed::device(self.options.device).and_then(Embedder::new);
                match busy::timed(busy::Stage::Load, load) {
                    Ok(e) => embedder = Some(e),
                    Err(e) => {
                        self.fail(job.order, &job.path, Some(&job.hash), e);
                        continue;
                    }
                }
            }
            let Some(embedder) = embedder.as_ref() else {
                continue;
            };
            let mut analysers = Analysers::new(embedder, backend);
            analysers.shot_params = self.options.shot_params.clone();
            let progress = |done: u64, total: u64| {
                (self.events)(ScanEvent::Frames {
                    path: job.path.clone(),
                    done,
                    total,
                });
                if self.cancel.is_cancelled() {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            };
            match analyse_hashed(&job.info, &job.hash, &store, &analysers, &progress) {
                Ok(analysis) => {
                    job.analysis = Some(analysis);
                    if out.blocking_send(job).is_err() {
                        break;
                    }
                }
                Err(e) => self.fail(job.order, &job.path, Some(&job.hash), e),
            }
        }
        Ok(())
    }

    /// Adds titles to the library, each under the writer lock; returns how
    /// many came wholly from stored features (a repair).
    fn index(self, mut input: Receiver<Job>) -> Result<usize, ScanError> {
        let key = self.analysis_key();
        let mut library = open_library(&self.options)?;
        let mut repaired = 0;
        while let Some(job) = input.blocking_recv() {
            let Some(analysis) = job.analysis.as_ref() else {
                continue;
            };
            (self.events)(ScanEvent::Stage {
                path: job.path.clone(),
                stage: "index".into(),
            });
            crate::crash_point("before-index");
            let lock = lock(&library, &self.events)?;
            // Another process may have indexed it meanwhile.
            if let Some(outcome) = cached(library.store(), &job.path, &job.hash, &key)? {
                self.finish(job.order, outcome);
                continue;
            }
            let meta = TitleMeta::from(&job.info);
            let added = busy::timed(busy::Stage::Index, || {
                library.add_title(&lock, &meta, analysis, &key)
            });
            match added {
                Ok(added) => {
                    repaired += usize::from(
                        analysis.shots_run == StageRun::Cached
                            && analysis.embed_run == StageRun::Cached,
                    );
                    let outcome = TitleOutcome {
                        path: job.path.clone(),
                        content_hash: Some(job.hash.clone()),
                        status: TitleStatus::Analysed,
                        shots: Some(added.shots),
                        frames: Some(job.info.frame_count),
                        error: None,
                    };
                    self.finish(job.order, outcome);
                }
                Err(e) => self.fail(job.order, &job.path, Some(&job.hash), e),
            }
        }
        Ok(repaired)
    }
}

/// The scan's library, with its matching parameters.
fn open_library(options: &ScanOptions) -> Result<LibraryData, ScanError> {
    let mut library = LibraryData::open(&options.library)?;
    library.set_params(options.match_params.clone());
    Ok(library)
}

/// The library's writer lock; waiting for another process is reported.
fn lock(library: &LibraryData, events: &EventSink) -> Result<WriterLock, ScanError> {
    let waiting = |message: &str| {
        events(ScanEvent::Waiting {
            message: message.to_string(),
        })
    };
    Ok(library.lock(&waiting)?)
}

/// Re-indexes the titles the library holds unindexed, from their stored
/// features, under the writer lock; returns how many.
fn repair(options: &ScanOptions, events: &EventSink) -> Result<usize, ScanError> {
    let mut library = open_library(options)?;
    if library
        .store()
        .unindexed_titles()
        .map_err(LibraryDataError::from)?
        .is_empty()
    {
        return Ok(0);
    }
    let lock = lock(&library, events)?;
    let done = library.repair(&lock, &options.shot_params, &analysis_key_for(options))?;
    Ok(done.reindexed.len())
}

/// The outcome of a title already recorded under `key` (its path updated).
fn cached(
    store: &Store,
    path: &Path,
    hash: &str,
    key: &str,
) -> Result<Option<TitleOutcome>, ScanError> {
    let Some(title) = store.title(hash).map_err(LibraryDataError::from)? else {
        return Ok(None);
    };
    if title.analysis != key || !store.is_indexed(hash).map_err(LibraryDataError::from)? {
        return Ok(None);
    }
    store
        .set_title_path(hash, &path.to_string_lossy())
        .map_err(LibraryDataError::from)?;
    Ok(Some(TitleOutcome {
        path: path.to_path_buf(),
        content_hash: Some(hash.to_string()),
        status: TitleStatus::Cached,
        frames: Some(title.frame_count),
        shots: Some(title.shots),
        error: None,
    }))
}

/// Whether `path` holds a title the library has analysed under `options`,
/// recorded at that very path and unchanged since (size and time): a scan
/// of it would find it cached. Only the store is read, never the file.
pub fn is_current(store: &Store, path: &Path, options: &ScanOptions) -> bool {
    let Ok((key, size, modified)) = super::analyse::file_key(path) else {
        return false;
    };
    let Ok(Some(hash)) = store.known_hash(&key, size, modified) else {
        return false;
    };
    let Ok(Some(title)) = store.title(&hash) else {
        return false;
    };
    Path::new(&title.path) == path
        && !title.missing
        && title.analysis == analysis_key_for(options)
        && store.is_indexed(&hash).unwrap_or(false)
}

/// The analysis key of a scan's options (see [`analysis_key`]).
fn analysis_key_for(options: &ScanOptions) -> String {
    analysis_key(
        &options.shot_params,
        &Analysers::embed_model_id(),
        &options.match_params,
    )
}
