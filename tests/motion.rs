//! Motion at shot ends on a real title: a pan made by FFmpeg across a
//! frame of Big Buck Bunny (a known speed), cut to a still shot of another
//! frame; `matchcut scan` measures both shots' ends in its one pass and
//! stores them.

mod common;

use common::*;
use matchcut::motion::ShotMotion;
use std::path::Path;
use std::process::Command;

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-nostdin"])
        .args(args)
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// 3 s of a 640×360 window moving right across a 1280×720 frame at 128
/// pixels a second (the picture moves left 0.2 frame widths a second),
/// then 2 s of another frame, still; 24 fps.
fn pan_then_still(dir: &Path) -> std::path::PathBuf {
    let source = bbb();
    let stills = [("a.png", "1.0"), ("b.png", "3.5")];
    for (name, at) in stills {
        let out = dir.join(name);
        ffmpeg(&[
            "-ss",
            at,
            "-i",
            &source.to_string_lossy(),
            "-frames:v",
            "1",
            &out.to_string_lossy(),
        ]);
    }
    let title = dir.join("pan_then_still.mp4");
    let graph = "[0]crop=640:360:x='40+t*128':y=180,setsar=1,fps=24[a];\
                 [1]crop=640:360:200:200,setsar=1,fps=24[b];[a][b]concat=n=2:v=1[v]";
    ffmpeg(&[
        "-loop",
        "1",
        "-framerate",
        "24",
        "-t",
        "3",
        "-i",
        &dir.join("a.png").to_string_lossy(),
        "-loop",
        "1",
        "-framerate",
        "24",
        "-t",
        "2",
        "-i",
        &dir.join("b.png").to_string_lossy(),
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "18",
        "-pix_fmt",
        "yuv420p",
        &title.to_string_lossy(),
    ]);
    title
}

/// The motion stored for the library's one title.
fn stored_motion(library: &Path) -> Option<Vec<ShotMotion>> {
    let db = rusqlite::Connection::open(library.join(".matchcut/library.sqlite")).expect("library");
    let value: Option<Vec<u8>> = db
        .query_row(
            "SELECT value FROM features WHERE stage = 'motion'",
            [],
            |r| r.get(0),
        )
        .ok();
    value.map(|v| serde_json::from_slice(&v).expect("motion as JSON"))
}

/// A fresh folder of this test's own.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-motion-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn scan(title: &Path, library: &Path, motion: &str) {
    let status = matchcut_on_cpu()
        .args([
            "scan",
            &title.to_string_lossy(),
            "--library",
            &library.to_string_lossy(),
        ])
        .args(["--motion", motion])
        .output()
        .expect("matchcut scan");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn a_pan_is_measured_at_its_speed_and_a_still_shot_stands_still() {
    let dir = scratch("on");
    let title = pan_then_still(&dir);
    let library = dir.join("library");
    scan(&title, &library, "on");
    let shots = stored_motion(&library).expect("motion stored with the shots");
    assert_eq!(shots.len(), 2, "{shots:#?}");
    let (pan, still) = (&shots[0], &shots[1]);
    assert_eq!(
        (pan.first_frame, still.first_frame),
        (0, 72),
        "the cut after 3 s"
    );
    for (end, m) in [("entry", &pan.entry), ("exit", &pan.exit)] {
        assert!(
            (m.pan + 0.2).abs() < 0.02,
            "pan {end}: {m:?} (the picture moves left 0.2 widths/s)"
        );
        assert!(
            m.tilt.abs() < 0.02 && m.zoom.abs() < 0.02 && m.roll.abs() < 0.02,
            "pan {end}: {m:?}"
        );
        assert!(m.confidence > 0.5 && m.steps >= 4, "pan {end}: {m:?}");
    }
    for (end, m) in [("entry", &still.entry), ("exit", &still.exit)] {
        assert!(m.pan.hypot(m.tilt) < 0.005, "still {end}: {m:?}");
        assert!(
            m.subject_share < 0.05,
            "still {end}: nothing moves on its own: {m:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn motion_off_stores_none() {
    let dir = scratch("off");
    let title = pan_then_still(&dir);
    let library = dir.join("library");
    scan(&title, &library, "off");
    assert_eq!(stored_motion(&library), None);
    let _ = std::fs::remove_dir_all(&dir);
}
