//! Tauri commands: thin wrappers over the `matchcut` library.

use crate::AppState;
use matchcut::library::{self, LibraryView};

/// The titles of the open library with their probed facts.
#[tauri::command]
#[specta::specta]
pub async fn library_titles(state: tauri::State<'_, AppState>) -> Result<LibraryView, String> {
    let dir = state.library.clone();
    tauri::async_runtime::spawn_blocking(move || library::open_library(&dir))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}
