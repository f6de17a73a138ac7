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

/// `matchcut scan INPUT --library LIBRARY` on the CPU paths; panics with
/// its log when it fails.
pub fn scan_into(library: &Path, input: &Path) {
    let scan = matchcut_on_cpu()
        .arg("scan")
        .arg(input)
        .arg("--library")
        .arg(library)
        .output()
        .expect("scan");
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
}

/// A pair as the catalogue comparisons see it: kind, from (content hash,
/// frame), to (content hash, frame), score.
pub type PairSummary = (String, String, u64, String, u64, f64);

/// Every candidate pair a local library holds (its `pairs` table, before
/// the ranked listing caps pairs per shot): id → (kind, from, to, score).
pub fn local_pairs(library: &Path) -> std::collections::BTreeMap<String, PairSummary> {
    let db = rusqlite::Connection::open(library.join(".matchcut/library.sqlite")).expect("library");
    let mut query = db
        .prepare("SELECT id, kind, from_hash, from_frame, to_hash, to_frame, score FROM pairs")
        .expect("query");
    let rows = query
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? as u64,
                    r.get(4)?,
                    r.get::<_, i64>(5)? as u64,
                    r.get(6)?,
                ),
            ))
        })
        .expect("pairs");
    rows.map(|r| r.expect("row")).collect()
}

/// The pairs of a proposals file, as [`local_pairs`] gives a library's.
pub fn proposal_pairs(file: &Path) -> std::collections::BTreeMap<String, PairSummary> {
    let proposals = matchcut::catalogue::proposals::read(file).expect("proposals");
    proposals
        .pairs
        .iter()
        .map(|p| {
            let c = &p.candidate;
            let kind = c.components.kind().name().to_string();
            let value = (
                kind,
                c.from.content_hash.clone(),
                c.from_frame,
                c.to.content_hash.clone(),
                c.to_frame,
                f64::from(c.score),
            );
            (c.id.clone(), value)
        })
        .collect()
}

/// Asserts two sets of pairs are the same pairs, scores within 1e-6.
pub fn assert_same_pairs(
    what: &str,
    local: &std::collections::BTreeMap<String, PairSummary>,
    built: &std::collections::BTreeMap<String, PairSummary>,
) {
    let only_local: Vec<&String> = local.keys().filter(|k| !built.contains_key(*k)).collect();
    let only_built: Vec<&String> = built.keys().filter(|k| !local.contains_key(*k)).collect();
    let show =
        |ids: &[&String], from: &std::collections::BTreeMap<String, PairSummary>| -> Vec<String> {
            ids.iter()
                .take(6)
                .map(|id| format!("{id} {:?}", from[*id]))
                .collect()
        };
    assert!(
        only_local.is_empty() && only_built.is_empty(),
        "{what}: {} local, {} built; only local ({}) {:#?}, only built ({}) {:#?}",
        local.len(),
        built.len(),
        only_local.len(),
        show(&only_local, local),
        only_built.len(),
        show(&only_built, built)
    );
    for (id, l) in local {
        let b = &built[id];
        assert_eq!(
            (&l.0, &l.1, l.2, &l.3, l.4),
            (&b.0, &b.1, b.2, &b.3, b.4),
            "{what}: pair {id}"
        );
        assert!(
            (l.5 - b.5).abs() < 1e-6,
            "{what}: pair {id}: score {} locally, {} built",
            l.5,
            b.5
        );
    }
}
