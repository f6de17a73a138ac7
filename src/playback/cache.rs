//! Rendered cut clips on disk, named by what they hold (the two titles'
//! content hashes and frame ranges), the least recently used removed past
//! a byte budget. Two requests for one clip at once render it once.

use super::clip::{render, CutClip, Span};
use super::PlaybackError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Changes whenever a clip's rendering changes, so old files are not used.
const RENDERING: &str = "cut-clip-2";

/// The clips of one library.
pub struct ClipCache {
    dir: PathBuf,
    budget: u64,
    rendering: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl ClipCache {
    /// Clips kept in `dir` (created when needed), at most `budget` bytes.
    pub fn new(dir: PathBuf, budget: u64) -> Self {
        Self {
            dir,
            budget,
            rendering: Mutex::default(),
        }
    }

    /// The id of the clip cutting from `from` to `to`: 32 hex digits.
    pub fn id(from: &Span, to: &Span) -> String {
        let text = format!(
            "{RENDERING}|{}|{}|{}|{}|{}|{}",
            from.content_hash, from.first, from.last, to.content_hash, to.first, to.last
        );
        blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
    }

    /// The clip, rendered now unless it already is.
    pub fn get(&self, from: &Span, to: &Span) -> Result<CutClip, PlaybackError> {
        let id = Self::id(from, to);
        if let Some(clip) = self.stored(&id) {
            return Ok(clip);
        }
        let slot = match self.rendering.lock() {
            Ok(mut rendering) => rendering.entry(id.clone()).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let turn = slot.lock();
        let result = match self.stored(&id) {
            Some(clip) => Ok(clip),
            None => self.render(&id, from, to),
        };
        drop(turn);
        if let Ok(mut rendering) = self.rendering.lock() {
            rendering.remove(&id);
        }
        result
    }

    /// The MP4 of clip `id` when it has been rendered. Anything but 32
    /// lower-case hex digits is refused before the file system is asked.
    pub fn file(&self, id: &str) -> Option<PathBuf> {
        let valid = id.len() == 32
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        let path = self.dir.join(format!("{id}.mp4"));
        (valid && path.is_file()).then_some(path)
    }

    fn stored(&self, id: &str) -> Option<CutClip> {
        let mp4 = self.file(id)?;
        let text = std::fs::read(self.dir.join(format!("{id}.json"))).ok()?;
        let clip = serde_json::from_slice(&text).ok()?;
        // Used now: the last to be removed.
        let _ = std::fs::File::options()
            .append(true)
            .open(&mp4)
            .and_then(|f| f.set_modified(SystemTime::now()));
        Some(clip)
    }

    fn render(&self, id: &str, from: &Span, to: &Span) -> Result<CutClip, PlaybackError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| PlaybackError::render(&self.dir, e))?;
        let mp4 = self.dir.join(format!("{id}.mp4"));
        // Rendering takes seconds of both cores: the frames the editor
        // looks at go first.
        let clip = crate::meek::meekly("clip-render", || render(id, from, to, &mp4))
            .unwrap_or_else(|| Err(PlaybackError::render(&mp4, "the rendering thread stopped")))?;
        let json = self.dir.join(format!("{id}.json"));
        let tmp = self.dir.join(format!("{id}.json.part"));
        let text = serde_json::to_vec(&clip).map_err(|e| PlaybackError::render(&json, e))?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &json))
            .map_err(|e| PlaybackError::render(&json, e))?;
        self.evict(id);
        Ok(clip)
    }

    /// Removes the least recently used clips past the budget (never `keep`).
    fn evict(&self, keep: &str) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut clips: Vec<(SystemTime, u64, PathBuf)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "mp4"))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = clips.iter().map(|c| c.1).sum();
        clips.sort();
        for (_, bytes, path) in clips {
            if total <= self.budget {
                break;
            }
            if path.file_stem().is_some_and(|s| s == keep) {
                continue;
            }
            remove_clip(&path);
            total = total.saturating_sub(bytes);
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn remove_clip(mp4: &Path) {
    let _ = std::fs::remove_file(mp4.with_extension("json"));
    let _ = std::fs::remove_file(mp4);
}
