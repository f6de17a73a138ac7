//! Watched folders: files saved into them are queued once complete
//! ([`Settler`]); files removed mark their titles missing (decisions
//! kept); files renamed or moved are scanned at their new path, where the
//! content hash finds them already analysed.
//!
//! The OS's notifications (the `notify` crate) arrive on a bounded
//! channel; one thread takes them, sweeps the folders when notifications
//! were lost, and hands complete files to the [`Ingest`] queue.

use super::settle::{Quiet, Settler, Writer};
use super::Ingest;
use crate::jobs::disk::{check, OnDisk};
use crate::jobs::scan::is_current;
use crate::jobs::{LibraryData, ScanOptions};
use crate::library::{is_video_file, video_files};
use crate::store::Store;
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Notifications held at most before the folders are swept instead.
const BACKLOG: usize = 4096;
/// How often waiting files are looked at.
const TICK: Duration = Duration::from_millis(200);

/// Why folders cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {reason}")]
    Folder { path: PathBuf, reason: String },
    #[error("cannot start watching: {0}")]
    Start(String),
}

enum Signal {
    Notified(Event),
    /// Notifications were lost: sweep.
    Lost,
    Stop,
}

/// Watches folders for a library until dropped.
pub struct FolderWatcher {
    signal: SyncSender<Signal>,
    thread: Option<JoinHandle<()>>,
    _watcher: RecommendedWatcher,
}

impl FolderWatcher {
    /// Watches `folders` (recursively) for the library `options.library`,
    /// queueing into `ingest`. Files already there are swept first: those
    /// the library holds unchanged at their path are left alone.
    pub fn start(
        folders: &[PathBuf],
        options: &ScanOptions,
        ingest: Arc<Ingest>,
        quiet: Quiet,
    ) -> Result<Self, WatchError> {
        let (signal, signals) = sync_channel(BACKLOG);
        let lost = Arc::new(AtomicBool::new(false));
        let sender = signal.clone();
        let overflowed = lost.clone();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            let signal = match event {
                Ok(event) if !event.need_rescan() => Signal::Notified(event),
                _ => Signal::Lost,
            };
            if let Err(TrySendError::Full(_)) = sender.try_send(signal) {
                overflowed.store(true, Ordering::Relaxed);
            }
        })
        .map_err(|e| WatchError::Start(e.to_string()))?;
        let mut roots = Vec::new();
        for folder in folders {
            let root = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
            watcher
                .watch(&root, RecursiveMode::Recursive)
                .map_err(|e| WatchError::Folder {
                    path: root.clone(),
                    reason: e.to_string(),
                })?;
            roots.push(root);
        }
        let mut task = Task {
            roots,
            options: options.clone(),
            ingest,
            settler: Settler::new(quiet),
            lost,
        };
        let thread = std::thread::Builder::new()
            .name("watch-folders".into())
            .spawn(move || {
                task.sweep();
                task.run(&signals);
            })
            .map_err(|e| WatchError::Start(e.to_string()))?;
        Ok(Self {
            signal,
            thread: Some(thread),
            _watcher: watcher,
        })
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        let _ = self.signal.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Task {
    roots: Vec<PathBuf>,
    options: ScanOptions,
    ingest: Arc<Ingest>,
    settler: Settler,
    /// Set when a notification could not be queued.
    lost: Arc<AtomicBool>,
}

impl Task {
    fn run(&mut self, signals: &Receiver<Signal>) {
        loop {
            match signals.recv_timeout(TICK) {
                Ok(Signal::Notified(event)) => self.take(event),
                Ok(Signal::Lost) => self.sweep(),
                Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if self.lost.swap(false, Ordering::Relaxed) {
                self.sweep();
            }
            let complete = self.settler.settled(Instant::now());
            if !complete.is_empty() {
                self.ingest.add(&complete);
            }
        }
    }

    /// Every video file in the folders the library does not hold as it is.
    fn sweep(&mut self) {
        let store = Store::open(&LibraryData::store_path(&self.options.library)).ok();
        let now = Instant::now();
        for root in &self.roots {
            let files = match video_files(root) {
                Ok(files) => files,
                Err(e) => {
                    tracing::warn!("{e}");
                    continue;
                }
            };
            for file in files {
                let current = store
                    .as_ref()
                    .is_some_and(|s| is_current(s, &file, &self.options));
                if !current {
                    self.settler.touch(&file, Writer::Unknown, now);
                }
            }
        }
    }

    fn take(&mut self, event: Event) {
        let now = Instant::now();
        let wanted = |task: &Self| -> Vec<PathBuf> {
            event
                .paths
                .iter()
                .filter(|p| task.watched(p))
                .cloned()
                .collect()
        };
        match event.kind {
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                for path in wanted(self) {
                    self.settler.touch(&path, written(), now);
                }
                // A folder copied in: files written before its own watch
                // began send nothing, so its files are swept.
                for folder in event.paths.iter().filter(|p| p.is_dir()) {
                    self.sweep_folder(folder, now);
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for path in wanted(self) {
                    self.settler.touch(&path, Writer::Closed, now);
                }
            }
            EventKind::Modify(ModifyKind::Name(mode)) => self.renamed(mode, &event.paths, now),
            EventKind::Remove(_) => {
                for path in &event.paths {
                    self.gone(path);
                }
            }
            _ => {}
        }
    }

    fn renamed(&mut self, mode: RenameMode, paths: &[PathBuf], now: Instant) {
        let (from, to) = match (mode, paths) {
            (RenameMode::Both, [from, to, ..]) => (Some(from), Some(to)),
            (RenameMode::From, [from, ..]) => (Some(from), None),
            (RenameMode::To, [to, ..]) => (None, Some(to)),
            (_, [path, ..]) if path.exists() => (None, Some(path)),
            (_, [path, ..]) => (Some(path), None),
            _ => (None, None),
        };
        if let Some(from) = from {
            self.gone(from);
        }
        // A file renamed into place is complete; a folder brings its files.
        match to {
            Some(to) if to.is_dir() => self.sweep_folder(to, now),
            Some(to) if self.watched(to) => self.settler.touch(to, Writer::Closed, now),
            _ => {}
        }
    }

    /// The video files under `folder` (inside a watched folder, not
    /// hidden), waited for until complete.
    fn sweep_folder(&mut self, folder: &Path, now: Instant) {
        if let Ok(files) = video_files(folder) {
            let files: Vec<PathBuf> = files.into_iter().filter(|f| self.watched(f)).collect();
            for file in files {
                self.settler.touch(&file, Writer::Unknown, now);
            }
        }
    }

    /// A file or folder went away: its titles are checked, and marked
    /// missing unless their content is still where recorded.
    fn gone(&mut self, path: &Path) {
        self.settler.forget(path);
        let Ok(store) = Store::open(&LibraryData::store_path(&self.options.library)) else {
            return;
        };
        let Ok(titles) = store.titles() else { return };
        for title in titles
            .iter()
            .filter(|t| Path::new(&t.path).starts_with(path))
        {
            if let Ok(OnDisk::Missing(reason)) = check(&store, title) {
                tracing::info!("missing: {reason}");
                self.ingest
                    .missing(Path::new(&title.path), &title.content_hash);
            }
        }
    }

    /// A video file inside a watched folder, not under a hidden folder
    /// (the library's own `.matchcut/`, editors' temporary files).
    fn watched(&self, path: &Path) -> bool {
        is_video_file(path)
            && self.roots.iter().any(|root| {
                path.strip_prefix(root).is_ok_and(|rel| {
                    !rel.components()
                        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                })
            })
    }
}

/// What a data-written notification says of the writer: where the OS
/// also reports closes (inotify), that it may still be writing.
fn written() -> Writer {
    if cfg!(target_os = "linux") {
        Writer::Open
    } else {
        Writer::Unknown
    }
}
