//! Bad input: a typed error naming the file and the reason, one clear line
//! and a non-zero exit from the CLI, no panic, and a batch that goes on.

mod common;

use common::*;
use matchcut::media::{self, MediaError};
use std::path::PathBuf;

/// A bad input: the file, what the error must say, and which variant it is.
type Case = (PathBuf, &'static str, fn(&MediaError) -> bool);

fn cases() -> Vec<Case> {
    vec![
        (fixture("not_video.mp4"), "not a readable video file", |e| {
            matches!(e, MediaError::NotMedia { .. })
        }),
        (fixture("empty.mov"), "the file is empty", |e| {
            matches!(e, MediaError::NotMedia { .. })
        }),
        (fixture("truncated.mp4"), "not a readable video file", |e| {
            matches!(e, MediaError::NotMedia { .. })
        }),
        (fixture("zero_frames.mkv"), "no frames", |e| {
            matches!(e, MediaError::NoFrames { .. })
        }),
        (fixture("audio_only.m4a"), "no video stream", |e| {
            matches!(e, MediaError::NoVideoStream { .. })
        }),
        (fixture("unsupported_codec.avi"), "unsupported codec", |e| {
            matches!(e, MediaError::UnsupportedCodec { .. })
        }),
        (fixture("huge.y4m"), "too large", |e| {
            matches!(e, MediaError::TooLarge { .. })
        }),
        (fixtures().to_path_buf(), "is a directory", |e| {
            matches!(e, MediaError::IsDirectory { .. })
        }),
        (fixtures().join("no/such/file.mov"), "file not found", |e| {
            matches!(e, MediaError::NotFound { .. })
        }),
    ]
}

#[test]
fn each_bad_input_gets_its_typed_error() {
    matchcut::init_ffmpeg(true);
    for (path, says, is_variant) in cases() {
        let err = media::probe(&path)
            .err()
            .unwrap_or_else(|| panic!("{} probed", path.display()));
        let message = err.to_string();
        assert!(
            is_variant(&err),
            "{}: wrong kind: {message}",
            path.display()
        );
        assert!(message.contains(says), "{message:?} should say {says:?}");
        assert!(
            message.starts_with(&path.display().to_string()),
            "{message:?} names the file first"
        );
        assert!(!message.contains('\n'), "one line: {message:?}");
        assert_eq!(err.path(), path.as_path());
    }
}

#[test]
fn cli_prints_one_line_and_fails_for_each_bad_input() {
    let out_png = std::env::temp_dir().join("matchcut-bad-input.png");
    for (path, says, _) in cases() {
        for args in [
            vec!["probe".into(), path.clone().into_os_string()],
            frame_args(&path, &out_png),
        ] {
            let out = matchcut().args(&args).output().expect("run matchcut");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?} should fail");
            assert_eq!(out.status.code(), Some(1), "{args:?}: exit code");
            assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
            let lines: Vec<&str> = stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{args:?}: one line, got {stderr:?}");
            assert!(
                lines[0].starts_with("error: ") && lines[0].contains(says),
                "{stderr}"
            );
        }
    }
}

fn frame_args(path: &std::path::Path, out: &std::path::Path) -> Vec<std::ffi::OsString> {
    vec![
        "frame".into(),
        path.as_os_str().to_owned(),
        "--index".into(),
        "0".into(),
        "--out".into(),
        out.as_os_str().to_owned(),
    ]
}

#[test]
fn a_batch_reports_each_failure_and_goes_on() {
    let good = fixture("cfr_24.mkv");
    let files = [
        good.clone(),
        fixture("not_video.mp4"),
        fixture("audio_only.m4a"),
        bbb(),
    ];
    let out = matchcut()
        .arg("probe")
        .arg("--json")
        .args(&files)
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "any failure makes the exit code non-zero"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let items = doc.as_array().expect("array");
    assert_eq!(items.len(), 4, "every input is reported");
    assert_eq!(items[0]["frame_count"], 72);
    assert!(items[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("not_video.mp4")));
    assert!(items[2]["error"]
        .as_str()
        .is_some_and(|e| e.contains("no video stream")));
    assert_eq!(items[3]["width"], 1280);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error: ")).count(),
        2,
        "{stderr}"
    );
}

#[test]
fn frame_index_past_the_end_fails_cleanly() {
    let out_png = std::env::temp_dir().join("matchcut-out-of-range.png");
    let out = matchcut()
        .args(["frame"])
        .arg(fixture("cfr_24.mkv"))
        .args(["--index", "1000", "--out"])
        .arg(&out_png)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("frame 1000 is out of range (the title has 72 frames, 0 to 71)"),
        "{stderr}"
    );
}

#[test]
fn unwritable_output_is_reported_with_its_path() {
    let out = matchcut()
        .args(["frame"])
        .arg(fixture("cfr_24.mkv"))
        .args(["--index", "3", "--out", "/nonexistent-dir/frame.png"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("/nonexistent-dir/frame.png: cannot write the PNG image"),
        "{stderr}"
    );
}
