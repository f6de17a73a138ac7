//! Commands of the export view: its kept settings, the live preview, the
//! sequence's order, and Save… (the file chosen in the native dialog,
//! opened here, in Rust; the page never names a path).

use super::off_main;
use crate::AppState;
use matchcut::jobs::cuts::{self, CutsReport, ExportPreview, ExportSettings};
use matchcut::jobs::sheet::{self, SheetReport};
use matchcut::review::Filter;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

/// The export settings kept with the library.
#[tauri::command]
#[specta::specta]
pub async fn export_settings(
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<ExportSettings, String> {
    cuts::export_settings(&state.library).map_err(|e| e.to_string())
}

/// Keeps `settings` and shows the sequence and the file they give.
#[tauri::command]
#[specta::specta]
pub async fn export_preview(
    state: tauri::State<'_, Arc<AppState>>,
    settings: ExportSettings,
) -> Result<ExportPreview, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let decided = state.decided()?;
        cuts::preview(&state.library, &decided, &settings).map_err(|e| e.to_string())
    })
    .await
}

/// Keeps `ids` (approved pair ids) as the sequence's order.
#[tauri::command]
#[specta::specta]
pub async fn set_cut_order(
    state: tauri::State<'_, Arc<AppState>>,
    ids: Vec<String>,
) -> Result<(), String> {
    cuts::set_cut_order(&state.library, &ids).map_err(|e| e.to_string())
}

/// The native save dialog for a `extension` file; none when cancelled.
fn save_path(app: &AppHandle, title: &str, name: &str, extension: &str) -> Option<PathBuf> {
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(format!("{name}.{extension}"))
        .add_filter(extension.to_uppercase(), &[extension])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// Save…: writes the export where the editor chooses (none: cancelled).
#[tauri::command]
#[specta::specta]
pub async fn save_export(
    app: AppHandle,
    state: tauri::State<'_, Arc<AppState>>,
    settings: ExportSettings,
) -> Result<Option<CutsReport>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let ext = settings.extension();
        let Some(out) = save_path(&app, "Save the sequence", &settings.title, ext) else {
            return Ok(None);
        };
        let decided = state.decided()?;
        let report = cuts::save(&state.library, &decided, &settings, &out);
        report.map(Some).map_err(|e| e.to_string())
    })
    .await
}

/// Review sheet… in the review: the pairs `filter` keeps, as an HTML page
/// where the editor chooses (none: cancelled).
#[tauri::command]
#[specta::specta]
pub async fn save_filtered_sheet(
    app: AppHandle,
    state: tauri::State<'_, Arc<AppState>>,
    filter: Filter,
) -> Result<Option<SheetReport>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let Some(out) = save_path(&app, "Save the review sheet", "Review sheet", "html") else {
            return Ok(None);
        };
        let rows = state.with_review(|queue, _| Ok(queue.page(&filter, 0, usize::MAX).rows))?;
        let report = sheet::rows_sheet(&rows, &state.decided()?, "Match cuts", &out);
        report.map(Some).map_err(|e| e.to_string())
    })
    .await
}

/// Review sheet…: the sequence's pairs as an HTML page where the editor
/// chooses (none: cancelled).
#[tauri::command]
#[specta::specta]
pub async fn save_review_sheet(
    app: AppHandle,
    state: tauri::State<'_, Arc<AppState>>,
) -> Result<Option<SheetReport>, String> {
    let state = Arc::clone(&state);
    off_main(move || {
        let Some(out) = save_path(&app, "Save the review sheet", "Review sheet", "html") else {
            return Ok(None);
        };
        let decided = state.decided()?;
        let report = sheet::sequence_sheet(&state.library, &decided, &out);
        report.map(Some).map_err(|e| e.to_string())
    })
    .await
}
