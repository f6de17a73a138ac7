//! Content hashes: a file is known by the BLAKE3 hash of its bytes, so the
//! same content under another name or in another folder is the same title.

use super::error::MediaError;
use std::path::Path;

/// The BLAKE3 hash of the file's bytes, as 64 hex digits. Large files are
/// memory-mapped and hashed on all cores.
pub fn content_hash(path: &Path) -> Result<String, MediaError> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap_rayon(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => MediaError::NotFound {
            path: path.to_path_buf(),
        },
        _ => MediaError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
    })?;
    Ok(hasher.finalize().to_hex().to_string())
}
