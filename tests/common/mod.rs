//! Shared helpers for the integration tests: generated fixtures and the
//! `ffmpeg`/`ffprobe` CLIs as the reference.
#![allow(dead_code)]

use matchcut::media::RgbImage;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The generated fixtures folder, generated on first use.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let script = root.join("tests/fixtures/make-fixtures.sh");
        let status = Command::new("bash")
            .arg(&script)
            .status()
            .expect("run make-fixtures.sh");
        assert!(status.success(), "make-fixtures.sh failed");
        root.join("tests/fixtures/generated")
    })
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// The committed real clip (Big Buck Bunny, CC-BY 3.0).
pub fn bbb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/big_buck_bunny_720p_5s.mp4")
}

/// Constant-rate fixtures with the facts they were generated with.
pub const CFR_FIXTURES: &[&str] = &[
    "cfr_23976.mp4",
    "cfr_24.mkv",
    "cfr_25_prores.mov",
    "cfr_2997_tc.mp4",
    "cfr_2997_df.mov",
    "cfr_5994_mpeg2.ts",
    "cfr_25_mpeg2.mxf",
    "hevc_10bit.mp4",
    "vp9_odd_size.webm",
    "open_gop.mkv",
    "open_gop.ts",
    "open_gop.mov",
    "hevc_open_gop.mkv",
    "h264_in_mxf.mxf",
    "fragmented.mp4",
    "edit_list_trim.mp4",
    "mpeg2_interlaced.ts",
    "rotated_90.mp4",
    "color_bt709_full.mp4",
    "color_bt601.mkv",
    "with_audio.mp4",
];

/// `ffprobe -show_streams -show_format` of the first video stream, as JSON.
pub fn ffprobe(path: &Path, count_frames: bool) -> Value {
    let mut cmd = Command::new("ffprobe");
    cmd.args([
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_streams",
        "-show_format",
    ]);
    if count_frames {
        cmd.args(["-count_frames", "-select_streams", "v:0"]);
    }
    let out = cmd.arg(path).output().expect("run ffprobe");
    assert!(out.status.success(), "ffprobe failed on {}", path.display());
    serde_json::from_slice(&out.stdout).expect("ffprobe JSON")
}

/// The first video stream of an ffprobe document.
pub fn video_stream(doc: &Value) -> &Value {
    doc["streams"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["codec_type"] == "video"))
        .expect("a video stream")
}

/// Every frame as the `ffmpeg` CLI decodes it to RGB24 (autorotated),
/// optionally through a filter such as `fps=30`.
pub fn ffmpeg_frames(path: &Path, filter: Option<&str>, width: u32, height: u32) -> Vec<RgbImage> {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-nostdin", "-i"]).arg(path);
    match filter {
        Some(f) => cmd.args(["-vf", f]),
        None => cmd.args(["-vsync", "passthrough"]),
    };
    cmd.args(["-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    let out = cmd.output().expect("run ffmpeg");
    assert!(out.status.success(), "ffmpeg failed on {}", path.display());
    let size = (width * height * 3) as usize;
    assert_eq!(out.stdout.len() % size, 0, "ffmpeg output is whole frames");
    out.stdout
        .chunks(size)
        .map(|c| RgbImage {
            width,
            height,
            data: c.to_vec(),
        })
        .collect()
}

/// Upright display size of a probed title.
pub fn display_size(info: &matchcut::media::MediaInfo) -> (u32, u32) {
    if info.rotation % 180 == 90 {
        (info.height, info.width)
    } else {
        (info.width, info.height)
    }
}

/// Runs a command that must succeed; returns its stdout.
pub fn stdout_of(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("run command");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The CLI binary built for these tests.
pub fn matchcut() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_matchcut"));
    cmd.env_remove("MATCHCUT_LOG");
    cmd
}

/// The CLI binary on the CPU paths (preprocessing and model), whatever
/// adapter the machine has, as CI runs it.
pub fn matchcut_on_cpu() -> Command {
    let mut cmd = matchcut();
    cmd.env("MATCHCUT_PREPROCESS", "cpu")
        .env("MATCHCUT_DEVICE", "cpu");
    cmd
}
