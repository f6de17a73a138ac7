//! Peak memory: analysing a 4K 10-bit HEVC title (`shots`, and `scan` into a
//! library, with the embedding model) stays within twice what FFmpeg itself
//! needs to decode it, whatever the picture size: decoded pictures in flight
//! between decoding and analysis are bounded in bytes, not in count.
//! Measured as the maximum resident set size by GNU time.

mod common;

use common::*;
use std::process::Command;

/// Peak resident memory of a command, in KiB.
fn peak_kib(program: &str, args: &[&std::ffi::OsStr]) -> u64 {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(program)
        .args(args)
        .output()
        .expect("run GNU time (scripts/install-deps.sh installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} failed: {stderr}");
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak ")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stderr}"))
}

#[test]
fn analysing_4k_10bit_hevc_peaks_within_twice_ffmpegs_decode() {
    let title = fixture("uhd_hevc_10bit.mp4");
    let ffmpeg = peak_kib(
        "ffmpeg",
        &[
            "-v".as_ref(),
            "error".as_ref(),
            "-nostdin".as_ref(),
            "-i".as_ref(),
            title.as_os_str(),
            "-f".as_ref(),
            "null".as_ref(),
            "-".as_ref(),
        ],
    );
    let bin = env!("CARGO_BIN_EXE_matchcut");
    let shots = peak_kib(bin, &["shots".as_ref(), title.as_os_str()]);
    let library = std::env::temp_dir().join(format!("matchcut-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&library);
    let scan = peak_kib(
        bin,
        &[
            "scan".as_ref(),
            title.as_os_str(),
            "--library".as_ref(),
            library.as_os_str(),
        ],
    );
    let _ = std::fs::remove_dir_all(&library);
    eprintln!("peak KiB: ffmpeg {ffmpeg}, shots {shots}, scan {scan}");
    assert!(
        shots <= 2 * ffmpeg,
        "shots {shots} KiB, ffmpeg {ffmpeg} KiB"
    );
    assert!(scan <= 2 * ffmpeg, "scan {scan} KiB, ffmpeg {ffmpeg} KiB");
}
