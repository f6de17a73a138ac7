//! The events the window listens to.

use matchcut::jobs::progress::Progress;
use serde::{Deserialize, Serialize};

/// Progress of the library's analysis, for the header's bar: title,
/// stage, frames done, frames/s and the time left.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(transparent)]
pub struct ScanProgress(pub Progress);

impl From<Progress> for ScanProgress {
    fn from(p: Progress) -> Self {
        Self(p)
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
