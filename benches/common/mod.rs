//! What every benchmark shares: the file it measures, timing, and the
//! `ffmpeg` decode baseline measured in the same run.
#![allow(dead_code)]

use matchcut::media::{self, MediaInfo};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs per measurement; the best is reported.
pub const RUNS: usize = 3;

/// The file named on the command line, else the 1080p benchmark title, probed.
pub fn bench_file() -> (PathBuf, MediaInfo) {
    matchcut::init_ffmpeg(true);
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generated/bench_1080p.mp4")
        });
    let info =
        media::probe(&path).unwrap_or_else(|e| panic!("{e} (run scripts/bench-fixtures.sh)"));
    (path, info)
}

/// The shortest of [`RUNS`] runs.
pub fn best_of(mut run: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// `ffmpeg -i FILE -f null -`: a full decode by the `ffmpeg` CLI.
pub fn run_ffmpeg(path: &Path) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-an", "-f", "null", "-"])
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed");
}
