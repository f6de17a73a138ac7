//! Decode throughput against the `ffmpeg` CLI decoding the same file in the
//! same run (`ffmpeg -i X -f null -`), and the coarse mode's speed-up.
//! Usage: `make bench`, or `cargo bench --profile dev --bench decode -- [FILE]`.

mod common;

use common::{bench_file, best_of, run_ffmpeg, RUNS};
use matchcut::media::{self, DecodeMode, Decoder};
use std::path::Path;
use std::time::Duration;

fn main() {
    let (path, info) = bench_file();
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

fn decode_all(path: &Path, info: &media::MediaInfo, mode: DecodeMode) {
    let decoder = Decoder::open(path, info.clone(), mode).expect("open");
    let mut frames = 0;
    for frame in decoder {
        std::hint::black_box(frame.expect("frame").index);
        frames += 1;
    }
    if mode == DecodeMode::Full {
        assert_eq!(frames, info.frame_count, "every frame decoded");
    }
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
