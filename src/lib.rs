//! Matchcut's core: every stage of a title's journey from file to match-cut
//! candidates. The `matchcut` CLI and the desktop app are two front ends over
//! this API.

pub mod busy;
pub mod catalogue;
pub mod embed;
pub mod export;
pub mod frames;
pub mod index;
pub mod ingest;
pub mod jobs;
pub mod library;
pub mod matching;
pub mod media;
pub mod meek;
pub mod motion;
pub mod playback;
pub mod preprocess;
pub mod recent;
pub mod review;
pub mod shots;
pub mod store;

/// A point where tests crash the process on purpose: when the environment
/// variable `MATCHCUT_CRASH_AT` names `point`, the process aborts there, as
/// a power cut or `kill -9` would stop it (the crash tests in
/// `tests/integrity.rs` use it to stop between exactly these steps).
pub fn crash_point(point: &str) {
    if std::env::var_os("MATCHCUT_CRASH_AT").is_some_and(|at| at == point) {
        std::process::abort();
    }
}

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
