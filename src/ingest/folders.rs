//! The folders a library watches, stored with the library (its settings
//! table), so the app and `matchcut watch` find them again. The library
//! folder itself is always watched and is not listed.

use crate::jobs::decisions::{read_setting, write_setting};
use crate::store::StoreError;
use std::path::{Path, PathBuf};

const KEY: &str = "watched_folders";

/// The folders the library at `library` watches besides its own.
pub fn watched_folders(library: &Path) -> Result<Vec<PathBuf>, StoreError> {
    // An unreadable value (a hand edit) is an empty list.
    Ok(read_setting(library, KEY)?.unwrap_or_default())
}

/// Adds `folder` (absolute, once) to what the library watches; the list now.
pub fn watch_folder(library: &Path, folder: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    let mut folders = watched_folders(library)?;
    let own = std::path::absolute(library).unwrap_or_else(|_| library.to_path_buf());
    if folder != own && !folders.contains(&folder) {
        folders.push(folder);
        store(library, &folders)?;
    }
    Ok(folders)
}

/// Stops watching `folder`; the list now. Titles found there stay.
pub fn unwatch_folder(library: &Path, folder: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut folders = watched_folders(library)?;
    folders.retain(|f| f != folder);
    store(library, &folders)?;
    Ok(folders)
}

fn store(library: &Path, folders: &[PathBuf]) -> Result<(), StoreError> {
    write_setting(library, KEY, &folders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watched_folders_are_kept_with_the_library_once_each() {
        let dir = std::env::temp_dir().join(format!("matchcut-folders-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(watched_folders(&dir).unwrap().is_empty());
        let (a, b) = (dir.join("dailies"), dir.join("selects"));
        watch_folder(&dir, &a).unwrap();
        watch_folder(&dir, &b).unwrap();
        assert_eq!(watch_folder(&dir, &a).unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!(
            watch_folder(&dir, &dir).unwrap().len(),
            2,
            "the library's own folder is implied"
        );
        assert_eq!(unwatch_folder(&dir, &a).unwrap(), vec![b.clone()]);
        assert_eq!(watched_folders(&dir).unwrap(), vec![b]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
