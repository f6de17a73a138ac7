//! Adding one title to a library of N: the time to analyse title N+1 and
//! pair it with the library, at N = 1, 5 and 20, as ratios to N = 1 in the
//! same run. Each title is generated: 8 s at 640×360 24 fps, four 2 s shots
//! of different synthetic footage (FFmpeg's `gradients`, seeded, and
//! `mandelbrot` and `life` for variety), so every title is new content.
//! Usage: `make bench`, or `cargo bench --profile dev --bench ingest`.

use matchcut::jobs::{self, ScanOptions, TitleStatus};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Library sizes the next title's time is reported at.
const AT: [usize; 3] = [1, 5, 20];

fn main() {
    matchcut::init_ffmpeg(true);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench/ingest-titles");
    std::fs::create_dir_all(&dir).expect("titles folder");
    let titles: Vec<PathBuf> = (0..=AT[2]).map(|i| title(&dir, i)).collect();
    let library =
        std::env::temp_dir().join(format!("matchcut-bench-ingest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&library);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut times = Vec::new();
    for (n, file) in titles.iter().enumerate() {
        let started = Instant::now();
        let report = runtime
            .block_on(jobs::scan(
                vec![file.clone()],
                ScanOptions::new(library.clone()),
                Arc::new(|_| {}),
                CancellationToken::new(),
            ))
            .expect("scan");
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(
            report.titles[0].status,
            TitleStatus::Analysed,
            "{}",
            file.display()
        );
        println!(
            "title {:>2} into a library of {n:>2}: {seconds:.2} s, {} pairs",
            n + 1,
            report.pairs
        );
        times.push(seconds);
    }
    let _ = std::fs::remove_dir_all(&library);
    let base = times[AT[0]];
    println!(
        "{:<40} {:>8} {:>8}",
        "adding a title to a library of", "seconds", "ratio"
    );
    for n in AT {
        println!(
            "{:<40} {:>8.2} {:>8.2}",
            format!("{n} titles"),
            times[n],
            times[n] / base
        );
    }
    let report = serde_json::json!({
        "seconds": AT.iter().map(|&n| (n.to_string(), serde_json::json!(times[n]))).collect::<serde_json::Map<_, _>>(),
        "ratio_20_vs_1": times[AT[2]] / base,
    });
    let _ = std::fs::write(
        dir.parent().unwrap().join("ingest.json"),
        format!("{report:#}\n"),
    );
}

/// Title `i`, generated once.
fn title(dir: &Path, i: usize) -> PathBuf {
    let out = dir.join(format!("title-{i:02}.mp4"));
    if out.exists() {
        return out;
    }
    let sources = [
        format!(
            "gradients=s=640x360:r=24:seed={}:speed=0.02:d=2",
            10 * i + 1
        ),
        format!(
            "mandelbrot=s=640x360:r=24:start_scale={}:end_scale=0.05",
            1.0 + i as f64 * 0.37
        ),
        format!(
            "gradients=s=640x360:r=24:seed={}:nb_colors=3:speed=0.05:d=2",
            10 * i + 2
        ),
        format!(
            "life=s=640x360:r=24:seed={}:mold=10:life_color=#{:06x}",
            i + 7,
            (i * 7_919_993) % 0xffffff
        ),
    ];
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-nostdin", "-y"]);
    for source in &sources {
        cmd.args(["-f", "lavfi", "-t", "2", "-i", source]);
    }
    let filter = "[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];[2:v]format=yuv420p[c];[3:v]scale=640:360,format=yuv420p[d];[a][b][c][d]concat=n=4:v=1:a=0[v]";
    let tmp = dir.join(format!(".title-{i:02}.mp4"));
    let status = cmd
        .args([
            "-filter_complex",
            filter,
            "-map",
            "[v]",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
        ])
        .arg(&tmp)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "ffmpeg could not make {}", out.display());
    std::fs::rename(&tmp, &out).expect("title in place");
    out
}
