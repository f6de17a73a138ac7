//! The events the window listens to.

use matchcut::ingest::IngestTitle;
use serde::{Deserialize, Serialize};

/// A title's state in the analysis queue changed (progress included,
/// at most four times a second).
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(transparent)]
pub struct IngestChanged(pub IngestTitle);

/// Files are being dragged over the window (`items` of them; 0: they left
/// or were dropped).
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DropHover {
    pub items: u32,
}

/// Other editors decided (`pairs`), or the sync status changed (`status`:
/// `synced`, `pending N`, `shared store unreachable: …`).
#[derive(Clone, Debug, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct TeamChanged {
    pub pairs: Vec<String>,
    pub status: Option<String>,
}

/// Pairs joined the review list (a title's analysis finished): the list
/// takes them in, keeping the editor's place.
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
