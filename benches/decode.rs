//! Decode throughput against the `ffmpeg` CLI decoding the same file in the
//! same run (`ffmpeg -i X -f null -`), and the coarse mode's speed-up.
//! Usage: `make bench`, or `cargo bench --profile dev --bench decode -- [FILE]`.

use matchcut::media::{self, DecodeMode, Decoder};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 3;

fn main() {
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
    println!(
        "decode benchmark: {} ({}x{} {}, {} frames), best of {RUNS}",
        path.display(),
        info.width,
        info.height,
        info.codec,
        info.frame_count
    );
    let ffmpeg = best_of(|| run_ffmpeg(&path));
    let full = best_of(|| decode_all(&path, &info, DecodeMode::Full));
    let coarse = best_of(|| decode_all(&path, &info, DecodeMode::Coarse));
    let fps = |d: Duration| info.frame_count as f64 / d.as_secs_f64();
    println!("{:<34} {:>9} {:>10}", "", "seconds", "frames/s");
    println!(
        "{:<34} {:>9.2} {:>10.1}",
        "ffmpeg -f null (full decode)",
        ffmpeg.as_secs_f64(),
        fps(ffmpeg)
    );
    println!(
        "{:<34} {:>9.2} {:>10.1}",
        "matchcut Decoder, full",
        full.as_secs_f64(),
        fps(full)
    );
    println!(
        "{:<34} {:>9.2} {:>10.1}",
        "matchcut Decoder, coarse",
        coarse.as_secs_f64(),
        fps(coarse)
    );
    let ratio = fps(full) / fps(ffmpeg);
    let speedup = full.as_secs_f64() / coarse.as_secs_f64();
    println!("ratio full/ffmpeg: {ratio:.2}x   coarse speed-up over full: {speedup:.2}x");
    write_report(&path, &info, ffmpeg, full, coarse);
}

fn best_of(mut run: impl FnMut() -> u64) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(run());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn run_ffmpeg(path: &Path) -> u64 {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(path)
        .args(["-an", "-f", "null", "-"])
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed");
    0
}

fn decode_all(path: &Path, info: &media::MediaInfo, mode: DecodeMode) -> u64 {
    let decoder = Decoder::open(path, info.clone(), mode).expect("open");
    let mut frames = 0;
    for frame in decoder {
        std::hint::black_box(frame.expect("frame").index);
        frames += 1;
    }
    frames
}

fn write_report(
    path: &Path,
    info: &media::MediaInfo,
    ffmpeg: Duration,
    full: Duration,
    coarse: Duration,
) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let report = serde_json::json!({
        "file": path, "frames": info.frame_count, "width": info.width, "height": info.height,
        "ffmpeg_seconds": ffmpeg.as_secs_f64(), "full_seconds": full.as_secs_f64(),
        "coarse_seconds": coarse.as_secs_f64(),
        "ratio_full_vs_ffmpeg": ffmpeg.as_secs_f64() / full.as_secs_f64(),
        "coarse_speedup": full.as_secs_f64() / coarse.as_secs_f64(),
    });
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("decode.json"), format!("{report:#}\n"));
    }
}
