//! Matchcut's core: every stage of a title's journey from file to match-cut
//! candidates. The `matchcut` CLI and the desktop app are two front ends over
//! this API.

pub mod embed;
pub mod export;
pub mod index;
pub mod jobs;
pub mod library;
pub mod matching;
pub mod media;
pub mod preprocess;
pub mod shots;
pub mod store;

/// Sets up FFmpeg once per process; `quiet` silences its own log lines so
/// errors reach the user only as our one-line messages.
pub fn init_ffmpeg(quiet: bool) {
    // Initialisation only registers components; failure leaves FFmpeg usable.
    let _ = ffmpeg_next::init();
    let level = if quiet {
        ffmpeg_next::util::log::Level::Quiet
    } else {
        ffmpeg_next::util::log::Level::Warning
    };
    ffmpeg_next::util::log::set_level(level);
}
