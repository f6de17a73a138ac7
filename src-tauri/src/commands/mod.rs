//! Tauri commands: thin wrappers over the `matchcut` library. Each reads
//! state, calls one library function (on a blocking thread when it touches
//! files) and maps the error to a string.

pub mod export;
pub mod ingest;
pub mod libraries;

use crate::AppState;
use matchcut::jobs::decisions::{team_setup, TeamSetup};
use matchcut::jobs::TeamSettings;
use matchcut::library::{self, LibraryView};
use matchcut::playback::CutClip;
use matchcut::review::{Decided, Filter, Page, PairLayout, TitleChoice};
use matchcut::store::{CutPoints, Decision};
use std::sync::Arc;

/// The titles of the open library with their probed facts.
#[tauri::command]
#[specta::specta]
pub async fn library_titles(state: tauri::State<'_, Arc<AppState>>) -> Result<LibraryView, String> {
    let dir = state.library.clone();
    tauri::async_runtime::spawn_blocking(move || library::open_library(&dir))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// One page of the review list.
#[tauri::command]
#[specta::specta]
pub async fn review_page(
    state: tauri::State<'_, Arc<AppState>>,
    filter: Filter,
    offset: u32,
    limit: u32,
) -> Result<Page, String> {
    state.with_review(|queue, _| Ok(queue.page(&filter, offset as usize, limit as usize)))
}

/// Records the editor's decision on a pair; says which pair to show next.
#[tauri::command]
#[specta::specta]
pub async fn decide(
    state: tauri::State<'_, Arc<AppState>>,
    pair_id: String,
    decision: Decision,
    cut: Option<CutPoints>,
    filter: Filter,
) -> Result<Decided, String> {
    state.with_review(|queue, team| {
        queue
            .decide(team, &pair_id, decision, cut, &filter)
            .map_err(|e| e.to_string())
    })
}

/// The team sync's status now (`synced`, `pending N`, `shared store
/// unreachable: …`); changes arrive as `TeamChanged` events.
#[tauri::command]
#[specta::specta]
pub async fn team_status(state: tauri::State<'_, Arc<AppState>>) -> Result<String, String> {
    Ok(state.sync_status.lock().map_err(|e| e.to_string())?.clone())
}

/// The titles the review's pairs join (the one-title filter's choices).
#[tauri::command]
#[specta::specta]
pub async fn review_titles(
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Vec<TitleChoice>, String> {
    state.with_review(|queue, _| Ok(queue.titles()))
}

/// The layouts both frames of a pair were compared by, for the overlay.
#[tauri::command]
#[specta::specta]
pub async fn pair_layout(
    state: tauri::State<'_, Arc<AppState>>,
    pair_id: String,
) -> Result<PairLayout, String> {
    let state = state.inner().clone();
    off_main(move || state.layout(&pair_id)).await
}

/// Decodes the full frames of the pairs after `pair_id` ahead of time.
#[tauri::command]
#[specta::specta]
pub async fn prefetch_frames(
    state: tauri::State<'_, Arc<AppState>>,
    pair_id: String,
    filter: Filter,
) -> Result<(), String> {
    state.inner().prefetch(&pair_id, &filter)
}

/// Who decides in this library and where the team's decisions meet.
#[tauri::command]
#[specta::specta]
pub async fn team_settings(state: tauri::State<'_, Arc<AppState>>) -> Result<TeamSetup, String> {
    team_setup(&state.library).map_err(|e| e.to_string())
}

/// Stores the editor's name and the shared store with the library ("" for
/// the default) and syncs under them.
#[tauri::command]
#[specta::specta]
pub async fn save_team_settings(
    state: tauri::State<'_, Arc<AppState>>,
    editor: String,
    shared: String,
) -> Result<TeamSetup, String> {
    let settings = TeamSettings {
        editor: Some(editor),
        shared: Some(shared.into()),
    };
    let state = state.inner().clone();
    tauri::async_runtime::spawn_blocking(move || {
        state.save_team(settings)?;
        team_setup(&state.library).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Where the window fetches cut clips: `http://127.0.0.1:PORT/SECRET`
/// (this session's secret; append `/clip/ID.mp4`).
#[tauri::command]
#[specta::specta]
pub async fn media_base(state: tauri::State<'_, Arc<AppState>>) -> Result<String, String> {
    let server = state
        .media
        .as_ref()
        .ok_or("the media server is not running")?;
    Ok(server.base_url())
}

/// Renders pair `pair_id` cut at `cut` (null: where proposed), `seconds`
/// either side, for playing (at once when it already is).
#[tauri::command]
#[specta::specta]
pub async fn prepare_cut(
    state: tauri::State<'_, Arc<AppState>>,
    pair_id: String,
    cut: Option<CutPoints>,
    seconds: f64,
) -> Result<CutClip, String> {
    let state = Arc::clone(&state);
    off_main(move || state.prepare_cut(&pair_id, cut, seconds)).await
}

/// The timecodes of a pair's out-frame and in-frame when cut at `cut`.
#[tauri::command]
#[specta::specta]
pub async fn cut_timecodes(
    state: tauri::State<'_, Arc<AppState>>,
    pair_id: String,
    cut: CutPoints,
) -> Result<[String; 2], String> {
    let state = Arc::clone(&state);
    off_main(move || state.cut_timecodes(&pair_id, cut)).await
}

/// Where pair `pair_id` stands in the list `filter` gives (null: not in
/// it), so the window keeps the editor's place when pairs join.
#[tauri::command]
#[specta::specta]
pub async fn review_position(
    state: tauri::State<'_, Arc<AppState>>,
    filter: Filter,
    pair_id: String,
) -> Result<Option<u32>, String> {
    state.with_review(|queue, _| Ok(queue.position(&filter, &pair_id).map(|p| p as u32)))
}

/// Runs blocking `work` on the blocking pool and answers its result.
pub(crate) async fn off_main<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())?
}
