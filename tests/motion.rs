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
    stills(dir, &[("a.png", "1.0"), ("b.png", "3.5")]);
    let title = dir.join("pan_then_still.mp4");
    let graph = "[0]crop=640:360:x='40+t*128':y=180,setsar=1,fps=24[a];\
                 [1]crop=640:360:200:200,setsar=1,fps=24[b];[a][b]concat=n=2:v=1[v]";
    encode(dir, &[("a.png", "3"), ("b.png", "2")], graph, &title);
    title
}

/// Frames of the Big Buck Bunny sample as PNGs in `dir`: (name, seconds).
fn stills(dir: &Path, wanted: &[(&str, &str)]) {
    let source = bbb();
    for (name, at) in wanted {
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
}

/// Encodes stills (each looped for its seconds at 24 fps) through a
/// filter graph whose output is `[v]`, as H.264.
fn encode(dir: &Path, stills: &[(&str, &str)], graph: &str, out: &Path) {
    let mut args: Vec<String> = Vec::new();
    for (png, seconds) in stills {
        for a in ["-loop", "1", "-framerate", "24", "-t", seconds, "-i"] {
            args.push(a.to_string());
        }
        args.push(dir.join(png).to_string_lossy().into_owned());
    }
    let encoding = [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
    ];
    for a in ["-filter_complex", graph, "-map", "[v]"]
        .into_iter()
        .chain(encoding)
    {
        args.push(a.to_string());
    }
    args.push(out.to_string_lossy().into_owned());
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
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
    scan_on(title, library, motion, "cpu");
}

/// `matchcut scan` with preprocessing (and so the block search) on
/// `path` (`cpu` or `gpu`; lavapipe where there is no GPU); its log.
fn scan_on(title: &Path, library: &Path, motion: &str, path: &str) -> String {
    let status = matchcut_on_cpu()
        .env("MATCHCUT_PREPROCESS", path)
        .args([
            "scan",
            &title.to_string_lossy(),
            "--library",
            &library.to_string_lossy(),
        ])
        .args(["--motion", motion])
        .output()
        .expect("matchcut scan");
    let log = String::from_utf8_lossy(&status.stderr).into_owned();
    assert!(status.status.success(), "{log}");
    log
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

/// A title of three shots: a still window on `first` (2 s), a window
/// panning right across `middle` at 128 pixels a second (3 s: the picture
/// moves left 0.2 widths a second), a still window on `last` (2 s).
fn still_pan_still(
    dir: &Path,
    name: &str,
    [first, middle, last]: [(&str, &str); 3],
) -> std::path::PathBuf {
    let title = dir.join(name);
    let graph = format!(
        "[0]crop=640:360:{first},setsar=1,fps=24[a];\
         [1]crop=640:360:x='40+t*128':y={middle},setsar=1,fps=24[b];\
         [2]crop=640:360:{last},setsar=1,fps=24[c];[a][b][c]concat=n=3:v=1[v]",
        first = first.1,
        middle = middle.1,
        last = last.1
    );
    encode(
        dir,
        &[(first.0, "2"), (middle.0, "3"), (last.0, "2")],
        &graph,
        &title,
    );
    title
}

fn pairs(library: &Path, kind: &str) -> Vec<serde_json::Value> {
    let out = matchcut_on_cpu()
        .args([
            "pairs",
            "--library",
            &library.to_string_lossy(),
            "--top",
            "100",
            "--json",
        ])
        .args(["--kind", kind])
        .output()
        .expect("matchcut pairs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("pairs as JSON")
}

#[test]
fn a_pan_pairs_with_the_pan_that_carries_it_on_and_still_shots_with_nothing() {
    let dir = scratch("pairs");
    stills(
        &dir,
        &[("a.png", "1.0"), ("b.png", "3.5"), ("c.png", "4.5")],
    );
    let one = still_pan_still(
        &dir,
        "one.mp4",
        [("c.png", "0:0"), ("a.png", "180"), ("b.png", "640:360")],
    );
    let two = still_pan_still(
        &dir,
        "two.mp4",
        [("b.png", "0:0"), ("c.png", "300"), ("a.png", "640:0")],
    );
    let library = dir.join("library");
    // First without motion: the titles' shots are stored, no motion pairs.
    for title in [&one, &two] {
        scan(title, &library, "off");
    }
    assert!(pairs(&library, "motion").is_empty());
    // With motion the titles are decoded again, once, and paired.
    for title in [&one, &two] {
        scan(title, &library, "on");
    }
    let motion = pairs(&library, "motion");
    let shots: Vec<(String, u64, String, u64)> = motion
        .iter()
        .map(|p| {
            let end = |e: &serde_json::Value| {
                (
                    e["path"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    e["shot"].as_u64().unwrap_or(99),
                )
            };
            let (a, b) = (end(&p["from"]), end(&p["to"]));
            (a.0, a.1, b.0, b.1)
        })
        .collect();
    assert!(
        shots.contains(&("one.mp4".into(), 1, "two.mp4".into(), 1)),
        "the pan carries on into the other pan: {shots:?}"
    );
    for (from, a, to, b) in &shots {
        assert!(
            *a == 1 && *b == 1,
            "only the panning shots pair: {from} #{a} -> {to} #{b}"
        );
    }
    for p in &motion {
        assert_eq!(p["kind"], "motion");
        let m = &p["components"]["motion"];
        assert_eq!(m["what"], "camera", "{p:#}");
        assert!(m["direction"].as_f64().unwrap_or(0.0) > 0.95, "{p:#}");
        assert!(
            m["exit"]["velocity"][0].as_f64().unwrap_or(0.0) < -0.15,
            "{p:#}"
        );
    }
    assert!(
        pairs(&library, "frame")
            .iter()
            .all(|p| p["kind"] == "frame" && p["components"]["motion"].is_null()),
        "frame pairs carry no motion"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gpu_and_cpu_block_searches_give_equal_costs() {
    use matchcut::motion::blocks::{self, StepDesc, INVALID};
    use matchcut::motion::gpu::GpuBlockSearch;
    let (w, h) = (64usize, 36usize);
    // Textured planes (a deterministic hash), as 8-bit samples and as
    // 16-bit words with the value in the top bits (P010); one a copy of
    // another half a level brighter on average (every other sample + 1:
    // block means differ by exactly ½); a black one.
    let hash = |i: usize| {
        let x = (i as u32 ^ 0x9e37_79b9).wrapping_mul(0x85eb_ca6b);
        ((x ^ (x >> 13)).wrapping_mul(0xc2b2_ae35) >> 24) as u16
    };
    let plane = |seed: usize, wide: bool| -> Vec<u16> {
        (0..w * h)
            .map(|i| {
                let v = hash(i + seed * w * h);
                if wide {
                    (v << 8 | v) & 0xffc0
                } else {
                    v
                }
            })
            .collect()
    };
    let brighter: Vec<u16> = plane(1, false)
        .iter()
        .enumerate()
        .map(|(i, &v)| v + (i % 2) as u16)
        .collect();
    let planes: Vec<Vec<u16>> = vec![
        plane(1, false),
        plane(2, false),
        plane(3, true),
        plane(4, true),
        vec![0; w * h],
        brighter,
    ];
    let views: Vec<&[u16]> = planes.iter().map(Vec::as_slice).collect();
    let mut steps = Vec::new();
    for (a, b) in [(0u32, 1u32), (1, 0), (2, 3), (4, 4), (0, 0), (0, 5), (5, 0)] {
        for (gx, gy) in [(0, 0), (3, -2), (-16, 8), (40, 0), (0, -30)] {
            let peak = views[a as usize]
                .iter()
                .chain(views[b as usize])
                .copied()
                .max()
                .unwrap_or(0);
            let shift = blocks::shift_for(peak);
            steps.push(StepDesc {
                a,
                b,
                gx,
                gy,
                shift,
            });
        }
    }
    let origins = blocks::origins(w, h);
    let cpu = blocks::costs(&views, (w, h), &origins, &steps);
    let mut gpu = GpuBlockSearch::new().expect("a wgpu adapter (lavapipe: mesa-vulkan-drivers)");
    let got = gpu
        .costs(&views, (w, h), &origins, &steps)
        .expect("the block search on the GPU");
    assert_eq!(got.len(), cpu.len());
    let first_difference = cpu.iter().zip(&got).position(|(c, g)| c != g);
    assert_eq!(
        first_difference,
        None,
        "costs differ ({})",
        gpu.adapter().name
    );
    // The cases cover matches, mismatches and offsets off the plane.
    assert!(cpu.contains(&0) && cpu.contains(&INVALID));
    assert!(cpu.iter().any(|&c| c != INVALID && c > 1_000_000));
}

#[test]
fn a_scan_on_the_gpu_path_measures_the_same_motion_as_on_the_cpu() {
    let dir = scratch("paths");
    let title = pan_then_still(&dir);
    let (on_cpu, on_gpu) = (dir.join("cpu"), dir.join("gpu"));
    scan_on(&title, &on_cpu, "on", "cpu");
    let log = scan_on(&title, &on_gpu, "on", "gpu");
    assert!(
        !log.contains("using the CPU path") && !log.contains("unavailable"),
        "the GPU path ran throughout: {log}"
    );
    let cpu = stored_motion(&on_cpu).expect("motion on the CPU path");
    assert_eq!(stored_motion(&on_gpu).expect("motion on the GPU path"), cpu);
    assert!(cpu[0].exit.pan < -0.1, "the pan is measured: {:?}", cpu[0]);
    let _ = std::fs::remove_dir_all(&dir);
}
