//! Commands of the analysis queue and the watched folders. Paths come
//! from the native dialogs (opened here, in Rust) and from drops, never
//! from the page: the page names titles by queue id and folders by the
//! list it was given.

use super::off_main;
use crate::AppState;
use matchcut::ingest::IngestTitle;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// Every title asked for in this session, with its state.
#[tauri::command]
#[specta::specta]
pub async fn ingest_titles(
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Vec<IngestTitle>, String> {
    Ok(state.intake()?.queue.titles())
}

/// Add… (Ctrl+I): files chosen in the native dialog, queued; what was
/// queued (nothing when the dialog was cancelled).
#[tauri::command]
#[specta::specta]
pub async fn choose_titles(
    app: AppHandle,
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Vec<IngestTitle>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let chosen = app
            .dialog()
            .file()
            .set_title("Add titles")
            .blocking_pick_files();
        let paths: Vec<PathBuf> = chosen
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| p.into_path().ok())
            .collect();
        Ok(state.intake()?.add(&paths))
    })
    .await
}

/// Stops title `id` (off the queue, or its analysis cancelled).
#[tauri::command]
#[specta::specta]
pub async fn cancel_title(state: tauri::State<'_, Arc<AppState>>, id: u32) -> Result<bool, String> {
    Ok(state.intake()?.queue.cancel(id))
}

/// Queues title `id` again after it failed or was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn retry_title(state: tauri::State<'_, Arc<AppState>>, id: u32) -> Result<bool, String> {
    Ok(state.intake()?.queue.retry(id))
}

/// The folders watched besides the library's own.
#[tauri::command]
#[specta::specta]
pub async fn watched_folders(
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Vec<PathBuf>, String> {
    let state = Arc::clone(&state);
    off_main(move || state.intake()?.folders()).await
}

/// Watch a folder chosen in the native dialog; the folders now.
#[tauri::command]
#[specta::specta]
pub async fn choose_watch_folder(
    app: AppHandle,
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Vec<PathBuf>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let chosen = app
            .dialog()
            .file()
            .set_title("Watch a folder")
            .blocking_pick_folder();
        match chosen.and_then(|p| p.into_path().ok()) {
            Some(folder) => state.intake()?.watch(&folder),
            None => state.intake()?.folders(),
        }
    })
    .await
}

/// Stops watching the `index`th folder of the list; the folders now.
#[tauri::command]
#[specta::specta]
pub async fn unwatch_folder(
    state: tauri::State<'_, Arc<AppState>>,
    index: u32,
) -> Result<Vec<PathBuf>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let intake = state.intake()?;
        let folder = intake
            .folders()?
            .into_iter()
            .nth(index as usize)
            .ok_or("no such watched folder")?;
        intake.unwatch(&folder)
    })
    .await
}
