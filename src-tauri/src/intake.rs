//! The app's side of ingest: the open library's queue and its watched
//! folders (the library folder itself, and those stored with it). Drops,
//! Add… and the folders all feed the one queue; its news goes to the
//! window through the callback the shell gives.

use matchcut::ingest::{self, FolderWatcher, Ingest, IngestEvent, IngestTitle, Quiet};
use matchcut::jobs::ScanOptions;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct Intake {
    library: PathBuf,
    options: ScanOptions,
    pub queue: Arc<Ingest>,
    watcher: Mutex<Option<FolderWatcher>>,
}

impl Intake {
    /// Starts the queue for `library` (checked against the disk first) and
    /// watches its folders; `news` hears every change.
    pub fn start(
        library: &Path,
        news: impl Fn(IngestEvent) + Send + Sync + 'static,
    ) -> Result<Self, String> {
        let options = ScanOptions::new(library.to_path_buf());
        let queue = Arc::new(Ingest::start(options.clone(), news).map_err(|e| e.to_string())?);
        queue.verify();
        let intake = Self {
            library: library.to_path_buf(),
            options,
            queue,
            watcher: Mutex::new(None),
        };
        intake.rewatch()?;
        Ok(intake)
    }

    /// Files and folders dropped or chosen: queued.
    pub fn add(&self, paths: &[PathBuf]) -> Vec<IngestTitle> {
        self.queue.add(paths)
    }

    /// The folders watched besides the library's own.
    pub fn folders(&self) -> Result<Vec<PathBuf>, String> {
        ingest::watched_folders(&self.library).map_err(|e| e.to_string())
    }

    /// Watches `folder` too (kept with the library); the folders now.
    pub fn watch(&self, folder: &Path) -> Result<Vec<PathBuf>, String> {
        ingest::watch_folder(&self.library, folder).map_err(|e| e.to_string())?;
        self.rewatch()?;
        self.folders()
    }

    /// Stops watching `folder`; its titles stay in the library.
    pub fn unwatch(&self, folder: &Path) -> Result<Vec<PathBuf>, String> {
        ingest::unwatch_folder(&self.library, folder).map_err(|e| e.to_string())?;
        self.rewatch()?;
        self.folders()
    }

    /// (Re)starts the watcher over the library folder and the stored
    /// folders that exist (one gone is reported and skipped).
    fn rewatch(&self) -> Result<(), String> {
        let mut folders = vec![self.library.clone()];
        for folder in self.folders()? {
            if folder.is_dir() {
                folders.push(folder);
            } else {
                tracing::warn!("not watching {}: not a folder now", folder.display());
            }
        }
        let mut watcher = self.watcher.lock().map_err(|e| e.to_string())?;
        // The old watcher stops before the new one sweeps.
        watcher.take();
        *watcher = Some(
            FolderWatcher::start(
                &folders,
                &self.options,
                self.queue.clone(),
                Quiet::default(),
            )
            .map_err(|e| e.to_string())?,
        );
        Ok(())
    }
}
