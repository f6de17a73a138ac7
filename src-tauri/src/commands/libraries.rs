//! Opening another library: the app starts again on it (as a catalogue
//! switch does in other editing tools), so nothing of one library's
//! state — caches, queue, sync, media secret — can leak into the other.

use super::off_main;
use matchcut::recent::RecentLibraries;
use std::path::{Path, PathBuf};
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// The libraries opened lately, most recent (this one) first.
#[tauri::command]
#[specta::specta]
pub async fn recent_libraries() -> Result<Vec<PathBuf>, String> {
    Ok(RecentLibraries::user()
        .map(|r| r.list())
        .unwrap_or_default())
}

/// Open library… (Ctrl+O): a folder chosen in the native dialog; the app
/// starts again on it. Nothing happens when the dialog is cancelled.
#[tauri::command]
#[specta::specta]
pub async fn choose_library(app: AppHandle) -> Result<(), String> {
    off_main(move || {
        let chosen = app
            .dialog()
            .file()
            .set_title("Open a library folder")
            .blocking_pick_folder();
        match chosen.and_then(|p| p.into_path().ok()) {
            Some(dir) => reopen(&app, &dir),
            None => Ok(()),
        }
    })
    .await
}

/// Opens the `index`th library of the recent list.
#[tauri::command]
#[specta::specta]
pub async fn open_recent_library(app: AppHandle, index: u32) -> Result<(), String> {
    let recent = RecentLibraries::user()
        .map(|r| r.list())
        .unwrap_or_default();
    let dir = recent.get(index as usize).ok_or("no such recent library")?;
    reopen(&app, dir)
}

fn reopen(app: &AppHandle, library: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    std::process::Command::new(exe)
        .arg("--library")
        .arg(library)
        .spawn()
        .map_err(|e| format!("cannot start on {}: {e}", library.display()))?;
    app.exit(0);
    Ok(())
}
