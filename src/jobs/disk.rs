//! The library against the disk: whether the file a title was last seen
//! at still holds the content that was analysed. A scan checks every
//! title it did not see; an export checks every file it names.

use super::analyse::hash_of;
use crate::store::{Store, StoreError, TitleRecord};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Where a title's analysed content is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnDisk {
    /// At its recorded path.
    Present,
    /// Not there: why, in words that name the path.
    Missing(String),
}

/// Whether `title`'s recorded path holds its content (the content hash
/// is read from the store when the file's size and time are unchanged,
/// computed again otherwise). Records the answer in the title's
/// `missing` flag.
pub fn check(store: &Store, title: &TitleRecord) -> Result<OnDisk, StoreError> {
    let path = Path::new(&title.path);
    let state = if !path.is_file() {
        OnDisk::Missing(format!("{}: the file is gone", title.path))
    } else {
        match hash_of(path, store) {
            Ok(hash) if hash == title.content_hash => OnDisk::Present,
            Ok(_) => OnDisk::Missing(format!(
                "{}: the file holds other content than was analysed",
                title.path
            )),
            Err(e) => OnDisk::Missing(e.to_string()),
        }
    };
    let missing = state != OnDisk::Present;
    if missing != title.missing {
        store.set_missing(&title.content_hash, missing)?;
    }
    Ok(state)
}

/// Checks every recorded title whose content is not in `seen`; returns
/// the recorded paths of those now missing.
pub fn verify_titles(store: &Store, seen: &HashSet<String>) -> Result<Vec<PathBuf>, StoreError> {
    let mut missing = Vec::new();
    for title in store.titles()? {
        if seen.contains(&title.content_hash) {
            continue;
        }
        if let OnDisk::Missing(reason) = check(store, &title)? {
            tracing::info!("missing: {reason}");
            missing.push(PathBuf::from(&title.path));
        }
    }
    Ok(missing)
}
