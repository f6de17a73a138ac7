//! Errors of the `media` stage. Every variant names the file and the reason in
//! one line, so a batch can report it and go on.

use std::path::{Path, PathBuf};

/// Why a file could not be probed or decoded.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{}: file not found", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: is a directory, not a video file", path.display())]
    IsDirectory { path: PathBuf },
    #[error("{}: cannot read the file: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("{}: not a readable video file ({reason})", path.display())]
    NotMedia { path: PathBuf, reason: String },
    #[error("{}: no video stream (the file holds only {found})", path.display())]
    NoVideoStream { path: PathBuf, found: String },
    #[error("{}: unsupported codec {codec}: this FFmpeg has no decoder for it", path.display())]
    UnsupportedCodec { path: PathBuf, codec: String },
    #[error("{}: the video stream has no frames", path.display())]
    NoFrames { path: PathBuf },
    #[error(
        "{}: frame size {width}x{height} is too large (limit {max_side} pixels a side, {max_pixels} pixels a frame)",
        path.display()
    )]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error("{}: frame {index} is out of range (the title has {count} frames, 0 to {last})", path.display(), last = count.saturating_sub(1))]
    FrameOutOfRange {
        path: PathBuf,
        index: u64,
        count: u64,
    },
    #[error("{}: decoding failed: {reason}", path.display())]
    Decode { path: PathBuf, reason: String },
    #[error("{}: cannot write {what}: {reason}", path.display())]
    Write {
        path: PathBuf,
        what: &'static str,
        reason: String,
    },
}

impl MediaError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::NotFound { path }
            | Self::IsDirectory { path }
            | Self::Unreadable { path, .. }
            | Self::NotMedia { path, .. }
            | Self::NoVideoStream { path, .. }
            | Self::UnsupportedCodec { path, .. }
            | Self::NoFrames { path }
            | Self::TooLarge { path, .. }
            | Self::FrameOutOfRange { path, .. }
            | Self::Decode { path, .. }
            | Self::Write { path, .. } => path,
        }
    }

    pub(crate) fn decode(path: &Path, reason: impl std::fmt::Display) -> Self {
        Self::Decode {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// Checks the path before FFmpeg sees it, so the common mistakes get a precise
/// message instead of FFmpeg's generic one.
pub(crate) fn check_readable_file(path: &Path) -> Result<(), MediaError> {
    let owned = || path.to_path_buf();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => MediaError::NotFound { path: owned() },
        _ => MediaError::Unreadable {
            path: owned(),
            reason: e.to_string(),
        },
    })?;
    if meta.is_dir() {
        return Err(MediaError::IsDirectory { path: owned() });
    }
    std::fs::File::open(path).map_err(|e| MediaError::Unreadable {
        path: owned(),
        reason: e.to_string(),
    })?;
    if meta.len() == 0 {
        return Err(MediaError::NotMedia {
            path: owned(),
            reason: "the file is empty".into(),
        });
    }
    Ok(())
}
