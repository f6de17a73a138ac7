//! What the commands read: the open library, its review queue with the
//! editor's decisions, and the frame cache; and the events the window
//! listens to.

use matchcut::frames::{FrameCache, FrameKey};
use matchcut::jobs::watch::{SyncWorker, TeamEvent};
use matchcut::jobs::{self, LibraryData, ScanEvent, ScanOptions, TeamDecisions, TeamSettings};
use matchcut::review::ReviewQueue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Pairs the review list holds at most.
const REVIEW_TOP: usize = 10_000;
/// Bytes of encoded frames kept for the window.
const FRAME_CACHE_BYTES: usize = 256 << 20;

pub struct AppState {
    pub library: PathBuf,
    pub frames: FrameCache,
    review: Mutex<Option<(ReviewQueue, TeamDecisions)>>,
    sync: Mutex<Option<SyncWorker>>,
    /// Title files by content hash, read from the library's records (filled
    /// when a frame names a title not in it yet).
    paths: Mutex<HashMap<String, PathBuf>>,
    /// The sync's last status, for a window that starts listening late.
    pub sync_status: Mutex<String>,
}

impl AppState {
    pub fn new(library: PathBuf) -> Self {
        Self {
            library,
            frames: FrameCache::new(FRAME_CACHE_BYTES),
            review: Mutex::new(None),
            sync: Mutex::new(None),
            paths: Mutex::new(HashMap::new()),
            sync_status: Mutex::new("connecting…".into()),
        }
    }

    /// Starts the background sync with the team; `report` hears the pairs
    /// other editors decided (already taken into the review queue) and the
    /// sync status.
    pub fn start_sync(
        self: &Arc<Self>,
        report: impl Fn(TeamChanged) + Send + 'static,
    ) -> Result<(), String> {
        let me = Arc::downgrade(self);
        let worker = SyncWorker::start(&self.library, &TeamSettings::default(), move |event| {
            let Some(state) = me.upgrade() else { return };
            report(state.team_event(event));
        })
        .map_err(|e| e.to_string())?;
        *self.sync.lock().map_err(|e| e.to_string())? = Some(worker);
        Ok(())
    }

    fn team_event(&self, event: TeamEvent) -> TeamChanged {
        match event {
            TeamEvent::Arrived(events) => {
                let pairs: Vec<String> = events.iter().map(|e| e.pair_id.clone()).collect();
                let ids: Vec<&str> = pairs.iter().map(String::as_str).collect();
                let _ = self.with_review(|queue, team| {
                    queue.refresh(team, &ids).map_err(|e| e.to_string())
                });
                TeamChanged {
                    pairs,
                    status: None,
                }
            }
            TeamEvent::Status(status) => {
                if let Ok(mut last) = self.sync_status.lock() {
                    *last = status.to_string();
                }
                TeamChanged {
                    pairs: Vec::new(),
                    status: Some(status.to_string()),
                }
            }
        }
    }

    /// Analyses the library's folder into it; the number of pairs then.
    pub async fn scan(&self, progress: impl Fn(ScanEvent) + Send + Sync + 'static) -> usize {
        let options = ScanOptions::new(self.library.clone());
        let token = tokio_util::sync::CancellationToken::new();
        let scanned = jobs::scan(
            vec![self.library.clone()],
            options,
            Arc::new(progress),
            token,
        );
        if let Err(e) = scanned.await {
            tracing::warn!("the scan of {} stopped: {e}", self.library.display());
        }
        if let Ok(mut review) = self.review.lock() {
            *review = None;
        }
        // A title moved or renamed is found at its new path.
        if let Ok(mut paths) = self.paths.lock() {
            paths.clear();
        }
        self.with_review(|queue, _| Ok(queue.len())).unwrap_or(0)
    }

    /// Runs `f` on the review queue and the editor's decisions, loading
    /// them first when needed.
    pub fn with_review<T>(
        &self,
        f: impl FnOnce(&mut ReviewQueue, &mut TeamDecisions) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut review = self.review.lock().map_err(|e| e.to_string())?;
        if review.is_none() {
            let team = TeamDecisions::open(&self.library, &TeamSettings::default())
                .map_err(|e| e.to_string())?;
            let data = LibraryData::open(&self.library).map_err(|e| e.to_string())?;
            let queue = ReviewQueue::load(&data, &team, REVIEW_TOP).map_err(|e| e.to_string())?;
            *review = Some((queue, team));
        }
        let (queue, team) = review.as_mut().ok_or("no review queue")?;
        f(queue, team)
    }

    /// A frame the window asked for by URI (`frame://localhost/HASH/N?w=W`):
    /// a JPEG, or why not.
    pub fn frame(&self, path: &str, query: Option<&str>) -> Result<Vec<u8>, String> {
        let key = FrameKey::from_request(path, query).ok_or("not a frame request")?;
        let file = self.title_path(&key.content_hash)?;
        let frame = self.frames.get(&file, &key).map_err(|e| e.to_string())?;
        Ok(frame.jpeg.clone())
    }

    /// The file of the title with `hash`, from the library's records; the
    /// store is read again only for a title not seen yet.
    fn title_path(&self, hash: &str) -> Result<PathBuf, String> {
        let mut paths = self.paths.lock().map_err(|e| e.to_string())?;
        if !paths.contains_key(hash) {
            let data = LibraryData::open(&self.library).map_err(|e| e.to_string())?;
            let titles = data.store().titles().map_err(|e| e.to_string())?;
            paths.extend(titles.into_iter().map(|t| (t.content_hash, t.path.into())));
        }
        paths
            .get(hash)
            .cloned()
            .ok_or_else(|| format!("no title with content hash {hash} in the library"))
    }
}

/// Progress of the library's analysis, for the header's bar.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ScanProgress {
    /// The title's file name (empty for the library as a whole).
    pub title: String,
    /// `queued`, `frames`, `embed`, `index`, `waiting` or `done`.
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

impl ScanProgress {
    pub fn of(event: &ScanEvent) -> Self {
        let name = |p: &std::path::Path| {
            p.file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned())
        };
        let (title, stage, done, total) = match event {
            ScanEvent::Queued { path, frames } => (name(path), "queued".into(), 0, *frames),
            ScanEvent::Frames { path, done, total } => (name(path), "frames".into(), *done, *total),
            ScanEvent::Stage { path, stage } => (name(path), stage.clone(), 0, 0),
            ScanEvent::Waiting { .. } => (String::new(), "waiting".into(), 0, 0),
            ScanEvent::Title(t) => (name(&t.path), "done".into(), 0, 0),
        };
        Self {
            title,
            stage,
            done,
            total,
        }
    }
}

/// Other editors decided (`pairs`), or the sync status changed (`status`:
/// `synced`, `pending N`, `shared store unreachable: …`).
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct TeamChanged {
    pub pairs: Vec<String>,
    pub status: Option<String>,
}

/// The library is analysed and its pairs can be listed.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ReviewReady {
    pub pairs: u32,
}

impl From<usize> for ReviewReady {
    fn from(pairs: usize) -> Self {
        Self {
            pairs: pairs as u32,
        }
    }
}
