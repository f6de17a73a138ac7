//! End-to-end scan against decoding, in the same run: `matchcut scan` of a
//! title into a new library against `ffmpeg -i FILE -f null -` decoding it,
//! for the 10-minute film at 1080p, a 20-second 1080p H.264 title, a 720p
//! 23.976 H.264 and a 4K HEVC 10-bit title (`scripts/bench-fixtures.sh`
//! makes them); with each scan's peak memory, its decoded pictures per
//! frame (one decode per title is 1.0 plus the probe's and seeks' few)
//! and how long each stage was busy. The film is scanned again with
//! `--motion off`, alternating, for the share of a scan that motion
//! analysis costs. Written to `target/bench/scan.json`.

mod common;

use common::{best_of, run_ffmpeg};
use matchcut::busy::BusyTimes;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const TITLES: [&str; 4] = [
    "bench_film_1080p.mp4",
    "bench_1080p.mp4",
    "bench_720p_23976.mp4",
    "bench_2160p_hevc10.mp4",
];

/// The `matchcut` binary beside this benchmark (`cargo build --bin
/// matchcut` first).
fn matchcut() -> PathBuf {
    let exe = std::env::current_exe().expect("benchmark path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("matchcut"))
        .expect("target folder");
    assert!(
        bin.exists(),
        "{}: build it first (cargo build --bin matchcut)",
        bin.display()
    );
    bin
}

/// One scan into a new library: its time, peak resident memory (bytes)
/// and JSON report.
fn scan(bin: &Path, title: &Path, motion: &str) -> (Duration, u64, serde_json::Value) {
    let library = std::env::temp_dir().join(format!("matchcut-bench-scan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&library);
    let start = Instant::now();
    let child = Command::new(bin)
        .arg("scan")
        .arg(title)
        .arg("--library")
        .arg(&library)
        .arg("--json")
        .args(["--motion", motion])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run matchcut scan");
    let pid = child.id() as libc::pid_t;
    let output = child.wait_with_output_rusage(pid);
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&library);
    let report = serde_json::from_slice(&output.0).expect("scan report");
    (elapsed, output.1, report)
}

trait WaitRusage {
    /// Stdout and the child's peak resident memory in bytes.
    fn wait_with_output_rusage(self, pid: libc::pid_t) -> (Vec<u8>, u64);
}

impl WaitRusage for std::process::Child {
    fn wait_with_output_rusage(mut self, pid: libc::pid_t) -> (Vec<u8>, u64) {
        use std::io::Read;
        let mut stdout = Vec::new();
        if let Some(mut out) = self.stdout.take() {
            out.read_to_end(&mut stdout).expect("scan output");
        }
        let mut status = 0;
        // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is this process's child, not waited for yet.
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert!(
            waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "scan failed"
        );
        (stdout, usage.ru_maxrss as u64 * 1024)
    }
}

/// The share of a scan of `title` that motion analysis costs: scans with
/// motion off and on, alternating, twice each (the better of each).
fn motion_share(bin: &Path, title: &Path) -> serde_json::Value {
    let (mut off, mut on) = (Duration::MAX, Duration::MAX);
    let mut busy = serde_json::Value::Null;
    for _ in 0..2 {
        off = off.min(scan(bin, title, "off").0);
        let (seconds, _, report) = scan(bin, title, "on");
        on = on.min(seconds);
        busy = report["busy"]["motion"].clone();
    }
    let share = (on.as_secs_f64() - off.as_secs_f64()) / off.as_secs_f64();
    println!(
        "motion analysis on {}: scan {:.2} s with, {:.2} s without: +{:.1} % (estimating busy {:.2} s)",
        title.display(),
        on.as_secs_f64(),
        off.as_secs_f64(),
        100.0 * share,
        busy.as_f64().unwrap_or(f64::NAN)
    );
    serde_json::json!({
        "title": title.file_name().map(|n| n.to_string_lossy().into_owned()),
        "scan_seconds_motion_on": on.as_secs_f64(),
        "scan_seconds_motion_off": off.as_secs_f64(),
        "motion_share_of_scan": share,
        "motion_busy_seconds": busy,
    })
}

fn main() {
    matchcut::init_ffmpeg(true);
    let bin = matchcut();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generated");
    let mut rows = Vec::new();
    println!(
        "{:<26} {:>7} {:>9} {:>9} {:>7} {:>8} {:>9}",
        "title", "frames", "ffmpeg s", "scan s", "ratio", "peak MB", "decoded/f"
    );
    for name in TITLES {
        let path = dir.join(name);
        assert!(
            path.exists(),
            "{}: run scripts/bench-fixtures.sh",
            path.display()
        );
        let ffmpeg = best_of(|| run_ffmpeg(&path));
        let (seconds, peak, report) = scan(&bin, &path, "on");
        let frames = report["analysed_frames"].as_u64().unwrap_or(0);
        let decoded = report["decoded_pictures"].as_u64().unwrap_or(0);
        let ratio = seconds.as_secs_f64() / ffmpeg.as_secs_f64();
        let per_frame = decoded as f64 / frames.max(1) as f64;
        println!(
            "{name:<26} {frames:>7} {:>9.2} {:>9.2} {ratio:>6.2}x {:>8.0} {per_frame:>9.3}",
            ffmpeg.as_secs_f64(),
            seconds.as_secs_f64(),
            peak as f64 / 1e6
        );
        let busy: BusyTimes = serde_json::from_value(report["busy"].clone()).unwrap_or_default();
        println!("{:<26} {}", "", busy.summary(seconds.as_secs_f64()));
        rows.push(serde_json::json!({
            "title": name, "frames": frames, "ffmpeg_seconds": ffmpeg.as_secs_f64(),
            "scan_seconds": seconds.as_secs_f64(), "ratio_scan_vs_ffmpeg": ratio,
            "peak_bytes": peak, "decoded_pictures": decoded, "busy_seconds": report["busy"],
        }));
    }
    rows.push(motion_share(&bin, &dir.join(TITLES[0])));
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    if std::fs::create_dir_all(&out).is_ok() {
        let _ = std::fs::write(
            out.join("scan.json"),
            format!("{:#}\n", serde_json::Value::from(rows)),
        );
    }
}
