//! What the commands read: the open library, its review queue with the
//! editor's decisions, and the frame cache; and the events the window
//! listens to.

use crate::events::TeamChanged;
use crate::intake::Intake;
use matchcut::frames::{FrameCache, FrameKey, Priority};
use matchcut::ingest::{IngestEvent, IngestState, IngestTitle};
use matchcut::jobs::decisions::save_library_settings;
use matchcut::jobs::listing::PairView;
use matchcut::jobs::sync::{SyncWorker, TeamEvent};
use matchcut::jobs::team::PairDecisions;
use matchcut::jobs::{LibraryData, TeamDecisions, TeamSettings};
use matchcut::playback::{self, ClipCache, CutClip, MediaServer};
use matchcut::review::{self, PairLayout, ReviewQueue};
use matchcut::store::CutPoints;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Pairs the review list holds at most.
const REVIEW_TOP: usize = 10_000;
/// Bytes of encoded frames kept for the window.
const FRAME_CACHE_BYTES: usize = 256 << 20;
/// Bytes of rendered cut clips kept on disk with the library.
const CLIP_CACHE_BYTES: u64 = 1 << 30;
/// The web origins of the app's own pages (Linux, then Windows-style).
const APP_ORIGINS: [&str; 2] = ["tauri://localhost", "http://tauri.localhost"];

pub struct AppState {
    pub library: PathBuf,
    pub frames: FrameCache,
    pub clips: Arc<ClipCache>,
    /// Serves the clips to the window; `None` when it could not start.
    pub media: Option<MediaServer>,
    review: Mutex<Option<(ReviewQueue, TeamDecisions)>>,
    sync: Mutex<Option<SyncWorker>>,
    /// Title files by content hash, read from the library's records (filled
    /// when a frame names a title not in it yet).
    paths: Mutex<HashMap<String, PathBuf>>,
    /// The sync's last status, for a window that starts listening late.
    pub sync_status: Mutex<String>,
    /// Where the sync's news goes (kept to restart it with new settings).
    report: Mutex<Option<Report>>,
    /// The analysis queue and watched folders, once the window is up.
    intake: OnceLock<Intake>,
}

type Report = Arc<dyn Fn(TeamChanged) + Send + Sync>;

/// Pairs after the selected one whose frames are decoded ahead.
const PREFETCH: usize = 2;

impl AppState {
    pub fn new(library: PathBuf) -> Self {
        let clips = Arc::new(ClipCache::new(
            LibraryData::data_dir(&library).join("clips"),
            CLIP_CACHE_BYTES,
        ));
        let origins = APP_ORIGINS.iter().map(|o| o.to_string()).collect();
        let media = MediaServer::start(clips.clone(), origins)
            .inspect_err(|e| tracing::error!("cuts cannot be played: the media server: {e}"))
            .ok();
        Self {
            library,
            frames: FrameCache::new(FRAME_CACHE_BYTES),
            clips,
            media,
            review: Mutex::new(None),
            sync: Mutex::new(None),
            paths: Mutex::new(HashMap::new()),
            sync_status: Mutex::new("connecting…".into()),
            report: Mutex::new(None),
            intake: OnceLock::new(),
        }
    }

    /// Starts the background sync with the team; `report` hears the pairs
    /// decided since (already taken into the review queue) and the sync
    /// status.
    pub fn start_sync(
        self: &Arc<Self>,
        report: impl Fn(TeamChanged) + Send + Sync + 'static,
    ) -> Result<(), String> {
        *self.report.lock().map_err(|e| e.to_string())? = Some(Arc::new(report));
        self.restart_sync()
    }

    fn restart_sync(self: &Arc<Self>) -> Result<(), String> {
        let report = self.report.lock().map_err(|e| e.to_string())?.clone();
        let Some(report) = report else { return Ok(()) };
        // The old worker stops (and joins) before the new one starts.
        self.sync.lock().map_err(|e| e.to_string())?.take();
        let me = Arc::downgrade(self);
        let worker = SyncWorker::start(&self.library, &TeamSettings::default(), move |event| {
            let Some(state) = me.upgrade() else { return };
            report(state.team_event(event));
        })
        .map_err(|e| e.to_string())?;
        *self.sync.lock().map_err(|e| e.to_string())? = Some(worker);
        Ok(())
    }

    /// Stores who decides and where the team meets with the library, then
    /// reviews and syncs under them.
    pub fn save_team(self: &Arc<Self>, settings: TeamSettings) -> Result<(), String> {
        save_library_settings(&self.library, &settings).map_err(|e| e.to_string())?;
        *self.review.lock().map_err(|e| e.to_string())? = None;
        self.restart_sync()
    }

    fn team_event(&self, event: TeamEvent) -> TeamChanged {
        match event {
            TeamEvent::Arrived(events) => {
                let ids: Vec<&str> = events.iter().map(|e| e.pair_id.as_str()).collect();
                // Only rows that changed: the window's own decisions come
                // round again and change nothing.
                let pairs = self
                    .with_review(|queue, team| queue.refresh(team, &ids).map_err(|e| e.to_string()))
                    .unwrap_or_default();
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

    /// Starts analysing in the background: the library checked, its
    /// folders watched. `title` hears each title's state; `pairs` the
    /// number of pairs whenever a title's pairs joined the review.
    pub fn start_intake(
        self: &Arc<Self>,
        title: impl Fn(IngestTitle) + Send + Sync + 'static,
        pairs: impl Fn(usize) + Send + Sync + 'static,
    ) -> Result<(), String> {
        let me = Arc::downgrade(self);
        let intake = Intake::start(&self.library, move |event| {
            let Some(state) = me.upgrade() else { return };
            match event {
                IngestEvent::Title(t) => {
                    // A title found at a new path is fetched from there.
                    if matches!(
                        t.state,
                        IngestState::Cached { .. } | IngestState::Moved { .. }
                    ) {
                        state.forget_paths();
                    }
                    title(t);
                }
                IngestEvent::PairsAdded { .. } => pairs(state.reload()),
            }
        })?;
        self.intake
            .set(intake)
            .map_err(|_| "already analysing".to_string())
    }

    pub fn intake(&self) -> Result<&Intake, String> {
        self.intake
            .get()
            .ok_or_else(|| "the analysis has not started".into())
    }

    /// The review list read again (new pairs); how many it holds.
    fn reload(&self) -> usize {
        if let Ok(mut review) = self.review.lock() {
            *review = None;
        }
        self.forget_paths();
        self.with_review(|queue, _| Ok(queue.len())).unwrap_or(0)
    }

    fn forget_paths(&self) {
        if let Ok(mut paths) = self.paths.lock() {
            paths.clear();
        }
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

    /// The team's decisions on every pair (what an export holds).
    pub fn decided(&self) -> Result<Vec<PairDecisions>, String> {
        self.with_review(|_, team| team.pairs().map_err(|e| e.to_string()))
    }

    /// Pair `id` as the review lists it.
    fn pair(&self, id: &str) -> Result<PairView, String> {
        self.with_review(|queue, _| {
            let row = queue.row(id).ok_or(format!("no pair {id} in the review"))?;
            Ok(row.pair.clone())
        })
    }

    /// The layouts both frames of pair `id` were compared by.
    pub fn layout(&self, id: &str) -> Result<PairLayout, String> {
        let pair = self.pair(id)?;
        let data = LibraryData::open(&self.library).map_err(|e| e.to_string())?;
        review::pair_layout(&data, &pair.from, &pair.to).map_err(|e| e.to_string())
    }

    /// The timecodes of pair `id`'s out-frame and in-frame when cut at `cut`.
    pub fn cut_timecodes(&self, id: &str, cut: CutPoints) -> Result<[String; 2], String> {
        let pair = self.pair(id)?;
        let data = LibraryData::open(&self.library).map_err(|e| e.to_string())?;
        review::cut_timecodes(&data, &pair, cut).map_err(|e| e.to_string())
    }

    /// Pair `id` cut at `cut` (`None`: where proposed) with `seconds`
    /// either side, rendered for playing unless it already is.
    pub fn prepare_cut(
        &self,
        id: &str,
        cut: Option<CutPoints>,
        seconds: f64,
    ) -> Result<CutClip, String> {
        let pair = self.pair(id)?;
        let (from, to) = playback::spans(&pair, cut, seconds).map_err(|e| e.to_string())?;
        self.clips.get(&from, &to).map_err(|e| e.to_string())
    }

    /// Decodes the full frames of the pairs after `id` in the filtered list
    /// ahead, one at a time and before any thumbnail, so moving on shows
    /// them at once.
    pub fn prefetch(self: &Arc<Self>, id: &str, filter: &review::Filter) -> Result<(), String> {
        let ends = self.with_review(|queue, _| {
            let at = queue.position(filter, id).unwrap_or(0);
            let page = queue.page(filter, at + 1, PREFETCH);
            let ends = page.rows.into_iter().flat_map(|r| [r.pair.from, r.pair.to]);
            Ok(ends.collect::<Vec<_>>())
        })?;
        for end in ends {
            let me = self.clone();
            tauri::async_runtime::spawn_blocking(move || {
                let key = FrameKey {
                    content_hash: end.content_hash.clone(),
                    frame: end.frame,
                    width: None,
                };
                let fetched = me.title_path(&key.content_hash).and_then(|file| {
                    (me.frames.get_with(&file, &key, Priority::Soon)).map_err(|e| e.to_string())
                });
                if let Err(e) = fetched {
                    tracing::debug!("prefetch: {e}");
                }
            });
        }
        Ok(())
    }

    /// A frame the window asked for by URI (`frame://localhost/HASH/N?w=W`):
    /// a JPEG, or why not.
    pub fn frame(&self, path: &str, query: Option<&str>) -> Result<Vec<u8>, String> {
        let key = FrameKey::from_request(path, query).ok_or("not a frame request")?;
        let file = self.title_path(&key.content_hash)?;
        // Thumbnails wait their turn; the full frames in view do not.
        let frame = match key.width {
            Some(_) => self.frames.get_with(&file, &key, Priority::Later),
            None => self.frames.get(&file, &key),
        }
        .map_err(|e| e.to_string())?;
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
