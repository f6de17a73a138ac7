//! The libraries an editor opened lately, most recent first, kept in the
//! user's configuration folder (not in any library): the app's Open
//! library list. Written through a temporary file and a rename.

use std::path::{Path, PathBuf};

/// Libraries remembered at most.
pub const KEPT: usize = 10;

/// The list, in one JSON file.
pub struct RecentLibraries {
    file: PathBuf,
}

impl RecentLibraries {
    /// The user's list (`$XDG_CONFIG_HOME/matchcut/recent-libraries.json`
    /// or the platform's equivalent); `None` without a config folder.
    pub fn user() -> Option<Self> {
        dirs::config_dir().map(|d| Self::at(d.join("matchcut").join("recent-libraries.json")))
    }

    /// A list kept in `file`.
    pub fn at(file: PathBuf) -> Self {
        Self { file }
    }

    /// The libraries, most recent first; folders gone are left out.
    pub fn list(&self) -> Vec<PathBuf> {
        self.read().into_iter().filter(|d| d.is_dir()).collect()
    }

    /// Puts `library` first; the list then.
    pub fn remember(&self, library: &Path) -> std::io::Result<Vec<PathBuf>> {
        let library = std::path::absolute(library).unwrap_or_else(|_| library.to_path_buf());
        let mut all = self.read();
        all.retain(|d| d != &library);
        all.insert(0, library);
        all.truncate(KEPT);
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&all)?)?;
        std::fs::rename(&tmp, &self.file)?;
        Ok(self.list())
    }

    fn read(&self) -> Vec<PathBuf> {
        std::fs::read(&self.file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_library_comes_first_once_and_gone_ones_are_left_out() {
        let root = std::env::temp_dir().join(format!("matchcut-recent-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let libs: Vec<PathBuf> = (0..12).map(|i| root.join(format!("lib{i}"))).collect();
        libs.iter()
            .for_each(|d| std::fs::create_dir_all(d).unwrap());
        let recent = RecentLibraries::at(root.join("config/recent.json"));
        assert!(recent.list().is_empty());
        for lib in &libs {
            recent.remember(lib).unwrap();
        }
        let list = recent.remember(&libs[3]).unwrap();
        assert_eq!(list.len(), KEPT);
        assert_eq!(list[0], libs[3]);
        assert_eq!(list[1], libs[11]);
        assert_eq!(list.iter().filter(|d| **d == libs[3]).count(), 1);
        std::fs::remove_dir_all(&libs[11]).unwrap();
        assert!(!recent.list().contains(&libs[11]));
        let _ = std::fs::remove_dir_all(root);
    }
}
