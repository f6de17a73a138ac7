//! The events the window listens to.

use matchcut::jobs::progress::Progress;
use serde::{Deserialize, Serialize};

/// Progress of the library's analysis, for the header's bar.
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ScanProgress {
    /// The title's file name (empty for the library as a whole).
    pub title: String,
    /// `queued`, `frames`, `embed`, `index`, `waiting` or `done`.
    pub stage: String,
    pub done: u64,
    pub total: u64,
    /// Frames decoded per second over the scan so far.
    pub frames_per_s: Option<f32>,
    /// Seconds until every queued title is decoded, at that rate.
    pub eta_s: Option<u32>,
}

impl From<Progress> for ScanProgress {
    fn from(p: Progress) -> Self {
        Self {
            title: p.title,
            stage: p.stage,
            done: p.done,
            total: p.total,
            frames_per_s: p.frames_per_s,
            eta_s: p.eta_s,
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
