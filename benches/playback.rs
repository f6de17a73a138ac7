//! The time to prepare a cut for playback: the core renders the last two
//! seconds of one shot and the first two of another into a cut clip
//! (canonical decode from the nearest keyframe, fitted to 1280×720,
//! all-intra H.264 with AAC), against the `ffmpeg` CLI doing the same
//! work on the same ranges in the same run (input seek, decode, scale,
//! all-intra `libx264` ultrafast), and the time to find it prepared.
//! Usage: `make bench`, or `cargo bench --profile dev --bench playback -- [FILE]`.

mod common;

use common::{bench_file, best_of, RUNS};
use matchcut::playback::{ClipCache, Span};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let (path, info) = bench_file();
    let (num, den) = (*info.frame_rate.0.numer(), *info.frame_rate.0.denom());
    // Two seconds, in whole frames (at least one), at the title's rate.
    let two = ((2 * num) / den.max(1)).max(1) as u64;
    let n = info.frame_count;
    assert!(
        n > 4 * two,
        "{} is too short for two 2 s spans",
        path.display()
    );
    // An out-point deep into a GOP (the worst seek) and an in-point
    // elsewhere: the two ends of a cut between two shots of the title.
    let from = span(&path, "out", n * 3 / 4 - two, n * 3 / 4 - 1);
    let to = span(&path, "in", n / 4, n / 4 + two - 1);
    println!(
        "playback benchmark: {} ({}x{} {}, {}/{} fps), a cut of frames {}-{} to {}-{}, best of {RUNS}",
        path.display(),
        info.width,
        info.height,
        info.codec,
        num,
        den,
        from.first,
        from.last,
        to.first,
        to.last
    );
    let scratch =
        std::env::temp_dir().join(format!("matchcut-bench-playback-{}", std::process::id()));
    let fps = num as f64 / den.max(1) as f64;
    let ffmpeg = best_of(|| {
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).expect("scratch folder");
        for (part, span) in [("out", &from), ("in", &to)] {
            ffmpeg_region(&path, span, fps, &scratch.join(format!("{part}.mp4")));
        }
    });
    let prepare = best_of(|| {
        let _ = std::fs::remove_dir_all(&scratch);
        let cache = ClipCache::new(scratch.clone(), 1 << 30);
        cache.get(&from, &to).expect("render the cut clip");
    });
    let cache = ClipCache::new(scratch.clone(), 1 << 30);
    let start = Instant::now();
    cache.get(&from, &to).expect("the prepared clip");
    let prepared = start.elapsed();
    let _ = std::fs::remove_dir_all(&scratch);

    println!("{:<44} {:>9}", "", "ms");
    println!(
        "{:<44} {:>9.0}",
        "ffmpeg CLI: seek, decode, scale, encode",
        ms(ffmpeg)
    );
    println!(
        "{:<44} {:>9.0}",
        "matchcut: prepare the cut (cold)",
        ms(prepare)
    );
    println!(
        "{:<44} {:>9.1}",
        "matchcut: the cut already prepared",
        ms(prepared)
    );
    let ratio = prepare.as_secs_f64() / ffmpeg.as_secs_f64();
    println!("ratio prepare/ffmpeg: {ratio:.2}x");
    let report = serde_json::json!({
        "file": path, "width": info.width, "height": info.height,
        "frames_per_side": two, "ffmpeg_ms": ms(ffmpeg), "prepare_ms": ms(prepare),
        "prepared_ms": ms(prepared), "ratio_prepare_vs_ffmpeg": ratio,
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("playback.json"), format!("{report:#}\n"));
    }
}

fn span(path: &Path, side: &str, first: u64, last: u64) -> Span {
    Span {
        path: path.to_path_buf(),
        // Names the cache keys by: two ends of one title stand for two titles.
        content_hash: format!("bench-{side}"),
        first,
        last,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `ffmpeg -ss … -i FILE -frames:v N`: the region decoded from the keyframe
/// before it, fitted to 1280×720 and encoded all-intra, as the core does.
fn ffmpeg_region(path: &Path, span: &Span, fps: f64, out: &Path) {
    let frames = span.last - span.first + 1;
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-y", "-ss"])
        .arg(format!("{:.6}", span.first as f64 / fps))
        .arg("-i")
        .arg(path)
        .args(["-frames:v", &frames.to_string(), "-t"])
        .arg(format!("{:.6}", frames as f64 / fps))
        .args([
            "-vf",
            "scale=1280:720:force_original_aspect_ratio=decrease",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "18",
            "-g",
            "1",
            "-c:a",
            "aac",
        ])
        .arg(out)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg failed on {}", path.display());
}
