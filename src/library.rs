//! A library folder: the titles in it and their probed facts. The CLI's
//! `titles` command and the app's title list both call [`list_titles`].

use crate::media::{self, MediaInfo};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// File extensions treated as video titles when a folder is listed.
pub const VIDEO_EXTENSIONS: &[&str] = &[
    "mp4", "m4v", "mov", "mkv", "webm", "mxf", "avi", "mts", "m2ts", "ts", "mpg", "mpeg", "y4m",
    "ogv", "wmv", "flv", "3gp", "dv",
];

/// One title of a library folder: its facts, or why they could not be read.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TitleEntry {
    pub path: PathBuf,
    pub file_name: String,
    pub info: Option<MediaInfo>,
    pub error: Option<String>,
}

/// A library folder and its titles, as the app shows it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LibraryView {
    pub dir: PathBuf,
    pub titles: Vec<TitleEntry>,
}

/// Lists and probes the titles of the library `dir`: the video files in
/// the folder, and the titles its store records elsewhere (dropped or
/// found in a watched folder) whose files are there.
pub fn open_library(dir: &Path) -> Result<LibraryView, LibraryError> {
    let mut files = video_files(dir)?;
    files.extend(recorded_elsewhere(dir, &files));
    files.sort();
    Ok(LibraryView {
        dir: dir.to_path_buf(),
        titles: files.iter().map(|path| probe_entry(path)).collect(),
    })
}

/// Titles the library's store records at paths not in `listed`.
fn recorded_elsewhere(dir: &Path, listed: &[PathBuf]) -> Vec<PathBuf> {
    let store = crate::jobs::LibraryData::store_path(dir);
    if !store.is_file() {
        return Vec::new();
    }
    let titles = crate::store::Store::open(&store).and_then(|s| s.titles());
    titles
        .map(|titles| {
            let paths = titles.into_iter().map(|t| PathBuf::from(t.path));
            paths
                .filter(|p| p.is_file() && !listed.contains(p))
                .collect()
        })
        .unwrap_or_default()
}

/// Why a library folder could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{}: cannot list the library folder: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
}

/// Lists the video files under `dir` (recursively, sorted by path) and probes
/// each; a file that fails to probe is listed with its error.
pub fn list_titles(dir: &Path) -> Result<Vec<TitleEntry>, LibraryError> {
    Ok(video_files(dir)?
        .into_iter()
        .map(|path| probe_entry(&path))
        .collect())
}

/// The video files under `dir` (recursively, hidden entries skipped),
/// sorted by path.
pub fn video_files(dir: &Path) -> Result<Vec<PathBuf>, LibraryError> {
    let mut files = Vec::new();
    collect_videos(dir, &mut files)?;
    files.sort();
    Ok(files)
}

fn probe_entry(path: &Path) -> TitleEntry {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (info, error) = match media::probe(path) {
        Ok(info) => (Some(info), None),
        Err(e) => (None, Some(e.to_string())),
    };
    TitleEntry {
        path: path.to_path_buf(),
        file_name,
        info,
        error,
    }
}

fn collect_videos(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LibraryError> {
    let unreadable = |e: std::io::Error| LibraryError::Unreadable {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    };
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_videos(&path, out)?;
        } else if is_video_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether the file name has one of [`VIDEO_EXTENSIONS`].
pub fn is_video_file(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.as_str()))
}
