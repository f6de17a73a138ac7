//! The ingest queue: titles asked for (dropped on the window, added, or
//! found complete in a watched folder) analysed one at a time, in the
//! background, by the same [`jobs::scan`] pipeline the CLI runs, each
//! with its own cancellation token so one title can be stopped.
//!
//! One worker thread, at a low scheduling priority (the threads the scan
//! starts inherit it), owns the work; callers only change the list of
//! titles and wake it through a bounded channel. Each title's state is
//! reported through one callback whenever it changes, progress at most
//! every [`PROGRESS_EVERY`].

use crate::jobs::progress::ProgressTracker;
use crate::jobs::{self, ScanEvent, ScanOptions, TitleStatus};
use crate::library::is_video_file;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Progress of the title being analysed is reported at most this often.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Where a title stands in the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum IngestState {
    Queued,
    /// `stage`: `checking` (content hash: already in the library?),
    /// `queued` (to be analysed), `frames`, `embed`, `index` or `waiting`.
    Analysing {
        stage: String,
        done: u64,
        total: u64,
        frames_per_s: Option<f32>,
        eta_s: Option<u32>,
    },
    /// Analysed and its pairs added: `pairs` in the library now.
    Ready {
        shots: u32,
        pairs: u32,
    },
    /// Already in the library (unchanged, or renamed or moved): nothing
    /// computed.
    Cached {
        shots: u32,
    },
    Failed {
        reason: String,
    },
    Cancelled,
    /// Its file went away; every decision about it is kept.
    Missing,
    /// Its content was found at `to` (renamed or moved): nothing computed.
    Moved {
        to: PathBuf,
    },
}

impl IngestState {
    /// Still to be done, or being done.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Queued | Self::Analysing { .. })
    }
}

/// One title of the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IngestTitle {
    /// Unique in this queue; what cancel and retry name.
    pub id: u32,
    pub path: PathBuf,
    pub name: String,
    #[serde(flatten)]
    pub state: IngestState,
}

/// What the queue reports.
#[derive(Clone, Debug, PartialEq)]
pub enum IngestEvent {
    /// A title's state changed (progress included).
    Title(IngestTitle),
    /// A title's pairs joined the library: the list should take them in.
    PairsAdded { path: PathBuf, pairs: u32 },
}

type Report = Arc<dyn Fn(IngestEvent) + Send + Sync>;

struct Entry {
    title: IngestTitle,
    cancel: CancellationToken,
    /// The content last known at the path, when known.
    hash: Option<String>,
}

struct Shared {
    titles: Mutex<Vec<Entry>>,
    next_id: Mutex<u32>,
    report: Report,
    stop: CancellationToken,
    /// Asked to check the library's recorded titles against the disk.
    verify: std::sync::atomic::AtomicBool,
}

impl Shared {
    fn titles(&self) -> MutexGuard<'_, Vec<Entry>> {
        // A panic while holding the list leaves it usable.
        self.titles.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, id: u32, state: IngestState) {
        let changed = {
            let mut titles = self.titles();
            let Some(entry) = titles.iter_mut().find(|e| e.title.id == id) else {
                return;
            };
            entry.title.state = state;
            entry.title.clone()
        };
        (self.report)(IngestEvent::Title(changed));
    }

    /// Title `id`'s content `hash` is in the library at `path`: rows that
    /// lost it elsewhere say where it went.
    fn found(&self, id: u32, path: &Path, hash: &str) {
        let moved: Vec<IngestTitle> = {
            let mut titles = self.titles();
            if let Some(e) = titles.iter_mut().find(|e| e.title.id == id) {
                e.hash = Some(hash.to_string());
            }
            titles
                .iter_mut()
                .filter(|e| {
                    e.title.state == IngestState::Missing && e.hash.as_deref() == Some(hash)
                })
                .map(|e| {
                    e.title.state = IngestState::Moved {
                        to: path.to_path_buf(),
                    };
                    e.title.clone()
                })
                .collect()
        };
        for title in moved {
            (self.report)(IngestEvent::Title(title));
        }
    }

    /// Lists `path` with `state`: its row again if it has one (unless it
    /// is waiting or being analysed), else a new row.
    fn put(&self, path: PathBuf, state: IngestState, hash: Option<String>) -> IngestTitle {
        let title = {
            let mut titles = self.titles();
            match titles.iter_mut().find(|e| e.title.path == path) {
                Some(e) if e.title.state.is_pending() && state.is_pending() => {
                    return e.title.clone()
                }
                // Told twice (a rename is reported as a move and a removal).
                Some(e) if e.title.state == state => return e.title.clone(),
                Some(e) => {
                    e.title.state = state;
                    e.cancel = CancellationToken::new();
                    e.hash = hash.or(e.hash.take());
                    e.title.clone()
                }
                None => {
                    let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
                    let title = IngestTitle {
                        id: *next,
                        name: file_name(&path),
                        path,
                        state,
                    };
                    *next += 1;
                    titles.push(Entry {
                        title: title.clone(),
                        cancel: CancellationToken::new(),
                        hash,
                    });
                    title
                }
            }
        };
        (self.report)(IngestEvent::Title(title.clone()));
        title
    }
}

/// The queue and its worker; the worker stops (cancelling the title in
/// hand, which the library keeps consistent) when this is dropped.
pub struct Ingest {
    shared: Arc<Shared>,
    wake: SyncSender<()>,
    worker: Option<JoinHandle<()>>,
}

impl Ingest {
    /// Starts the worker for the library and scan settings in `options`.
    pub fn start(
        options: ScanOptions,
        report: impl Fn(IngestEvent) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            titles: Mutex::new(Vec::new()),
            next_id: Mutex::new(1),
            report: Arc::new(report),
            stop: CancellationToken::new(),
            verify: std::sync::atomic::AtomicBool::new(false),
        });
        let (wake, woken) = sync_channel(1);
        let worker = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("ingest".into())
                .spawn(move || {
                    crate::meek::lower_priority();
                    work(&shared, &options, &woken);
                })?
        };
        Ok(Self {
            shared,
            wake,
            worker: Some(worker),
        })
    }

    /// Queues files and folders (their video files, recursively). A file
    /// that is not a video file is listed failed, with the reason; a file
    /// already waiting or being analysed is not queued twice. Returns the
    /// titles as listed now.
    pub fn add(&self, paths: &[PathBuf]) -> Vec<IngestTitle> {
        let mut added = Vec::new();
        for path in expand(paths) {
            let state = match &path {
                Ok(_) => IngestState::Queued,
                Err((path, reason)) => {
                    tracing::info!("not queued: {}: {reason}", path.display());
                    IngestState::Failed {
                        reason: reason.clone(),
                    }
                }
            };
            let path = path.unwrap_or_else(|(p, _)| p);
            added.push(self.shared.put(path, state, None));
        }
        self.poke();
        added
    }

    /// Checks the library before the next title: titles left unindexed
    /// are indexed from their stored features, and every recorded title
    /// whose file is gone or changed is listed missing (what a scan does
    /// first and last; the app asks when it opens a library).
    pub fn verify(&self) {
        self.shared
            .verify
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.poke();
    }

    /// Lists `path`'s title, whose content was `hash`, as missing (its
    /// file went away); moved once the content turns up elsewhere.
    pub fn missing(&self, path: &Path, hash: &str) -> IngestTitle {
        (self.shared).put(
            path.to_path_buf(),
            IngestState::Missing,
            Some(hash.to_string()),
        )
    }

    /// Stops title `id`: taken off the queue, or its analysis cancelled
    /// (what was analysed is kept, and a retry resumes from it). False
    /// when it is not waiting or being analysed.
    pub fn cancel(&self, id: u32) -> bool {
        let cancelled = {
            let mut titles = self.shared.titles();
            match titles.iter_mut().find(|e| e.title.id == id) {
                Some(e) if e.title.state == IngestState::Queued => {
                    e.title.state = IngestState::Cancelled;
                    Some(e.title.clone())
                }
                Some(e) if e.title.state.is_pending() => {
                    // The worker reports it cancelled once the scan stops.
                    e.cancel.cancel();
                    None
                }
                _ => return false,
            }
        };
        if let Some(title) = cancelled {
            (self.shared.report)(IngestEvent::Title(title));
        }
        true
    }

    /// Queues title `id` again after it failed or was cancelled.
    pub fn retry(&self, id: u32) -> bool {
        let retried = {
            let mut titles = self.shared.titles();
            match titles.iter_mut().find(|e| e.title.id == id) {
                Some(e)
                    if matches!(
                        e.title.state,
                        IngestState::Failed { .. } | IngestState::Cancelled
                    ) =>
                {
                    e.title.state = IngestState::Queued;
                    e.cancel = CancellationToken::new();
                    e.title.clone()
                }
                _ => return false,
            }
        };
        (self.shared.report)(IngestEvent::Title(retried));
        self.poke();
        true
    }

    /// Every title asked for in this session, in the order asked.
    pub fn titles(&self) -> Vec<IngestTitle> {
        self.shared
            .titles()
            .iter()
            .map(|e| e.title.clone())
            .collect()
    }

    /// Whether nothing is waiting or being analysed.
    pub fn is_idle(&self) -> bool {
        !self
            .shared
            .titles()
            .iter()
            .any(|e| e.title.state.is_pending())
    }

    fn poke(&self) {
        // A full channel already holds a wake-up.
        let _ = self.wake.try_send(());
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        self.shared.stop.cancel();
        for entry in self.shared.titles().iter() {
            entry.cancel.cancel();
        }
        self.poke();
        if let Some(worker) = self.worker.take() {
            // Dropped by its own worker (the last owner let go in a
            // callback): the loop ends by itself.
            if worker.thread().id() != std::thread::current().id() {
                let _ = worker.join();
            }
        }
    }
}

/// Files asked for: folders expanded to their video files, files that
/// are not video files kept with the reason.
fn expand(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for path in jobs::scan::expand(paths) {
        if path.is_dir() {
            continue; // a folder holding no video file
        }
        out.push(if !path.exists() {
            Err((path, "no such file".to_string()))
        } else if !is_video_file(&path) {
            let what = path.extension().map_or("no extension".to_string(), |e| {
                format!(".{}", e.to_string_lossy())
            });
            Err((path, format!("not a video file ({what})")))
        } else {
            Ok(path)
        });
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The worker: the first queued title, scanned; then the next.
fn work(shared: &Arc<Shared>, options: &ScanOptions, woken: &Receiver<()>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!("the ingest queue cannot run: {e}");
            return;
        }
    };
    while !shared.stop.is_cancelled() {
        if shared
            .verify
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            verify(shared, options, &runtime);
        }
        let next = shared.titles().iter().find_map(|e| {
            (e.title.state == IngestState::Queued)
                .then(|| (e.title.id, e.title.path.clone(), e.cancel.clone()))
        });
        let Some((id, path, cancel)) = next else {
            match woken.recv_timeout(Duration::from_secs(1)) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        let (state, hash) = runtime.block_on(scan_one(shared, options, id, &path, cancel.clone()));
        let state = if cancel.is_cancelled()
            && !matches!(
                state,
                IngestState::Ready { .. } | IngestState::Cached { .. }
            ) {
            IngestState::Cancelled
        } else {
            state
        };
        let added = match state {
            IngestState::Ready { pairs, .. } => Some(pairs),
            _ => None,
        };
        shared.set(id, state);
        if let Some(hash) = hash {
            shared.found(id, &path, &hash);
        }
        if let Some(pairs) = added {
            (shared.report)(IngestEvent::PairsAdded { path, pairs });
        }
    }
}

/// A scan of no titles: the library repaired and checked against the disk.
fn verify(shared: &Shared, options: &ScanOptions, runtime: &tokio::runtime::Runtime) {
    let sink: jobs::scan::EventSink = Arc::new(|_| {});
    let checked = runtime.block_on(jobs::scan(
        Vec::new(),
        options.clone(),
        sink,
        shared.stop.clone(),
    ));
    match checked {
        Ok(report) => {
            for path in report.missing {
                shared.put(path, IngestState::Missing, None);
            }
        }
        Err(e) => tracing::warn!("cannot check {}: {e}", options.library.display()),
    }
}

/// Scans one title; its state at the end.
async fn scan_one(
    shared: &Arc<Shared>,
    options: &ScanOptions,
    id: u32,
    path: &Path,
    cancel: CancellationToken,
) -> (IngestState, Option<String>) {
    shared.set(
        id,
        IngestState::Analysing {
            stage: "checking".into(),
            done: 0,
            total: 0,
            frames_per_s: None,
            eta_s: None,
        },
    );
    let progress = Mutex::new((ProgressTracker::new(), None::<Instant>, String::new()));
    let me = shared.clone();
    let events = move |event: ScanEvent| {
        let Ok(mut guard) = progress.lock() else {
            return;
        };
        let (tracker, last, stage) = &mut *guard;
        let now = Instant::now();
        let p = tracker.update(&event, now);
        if matches!(event, ScanEvent::Title(_)) {
            return; // the final state is set by the worker
        }
        let due = last.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY) || p.stage != *stage;
        if !due {
            return;
        }
        (*last, *stage) = (Some(now), p.stage.clone());
        me.set(
            id,
            IngestState::Analysing {
                stage: p.stage,
                done: p.done,
                total: p.total,
                frames_per_s: p.frames_per_s,
                eta_s: p.eta_s,
            },
        );
    };
    let scanned = jobs::scan(
        vec![path.to_path_buf()],
        options.clone(),
        Arc::new(events),
        cancel,
    )
    .await;
    match scanned {
        Err(e) => (
            IngestState::Failed {
                reason: e.to_string(),
            },
            None,
        ),
        Ok(report) => {
            let pairs = u32::try_from(report.pairs).unwrap_or(u32::MAX);
            let Some(t) = report.titles.into_iter().next() else {
                return (IngestState::Cancelled, None);
            };
            let shots = t.shots.map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX));
            let state = match t.status {
                TitleStatus::Analysed => IngestState::Ready { shots, pairs },
                TitleStatus::Cached => IngestState::Cached { shots },
                TitleStatus::Failed => IngestState::Failed {
                    reason: t.error.unwrap_or_else(|| "failed".into()),
                },
            };
            let found = matches!(
                state,
                IngestState::Ready { .. } | IngestState::Cached { .. }
            );
            (state, t.content_hash.filter(|_| found))
        }
    }
}
