//! The library stays whole and the same for everyone, with real processes
//! and real files: `matchcut scan` killed with SIGKILL at random moments
//! and aborted at exact steps, then run again; scans running at once into
//! one library; the same titles scanned in other orders; files replaced,
//! deleted and moved under an approved pair.
//!
//! Each result is compared with one clean scan of the same titles: every
//! pair (id, cut frames, score) and every duplicate group. The number of
//! random kills is `MATCHCUT_STRESS_KILLS` (CI runs a few; the acceptance
//! figure, 20, is `make bench`).

mod common;

use common::{fixture, fixtures};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TITLES: [&str; 3] = ["shots_known.mp4", "library_b.mp4", "export_df.mov"];

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("matchcut-integrity-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn matchcut(library: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matchcut"));
    command
        .env("MATCHCUT_LIBRARY", library)
        .env("MATCHCUT_PREPROCESS", "cpu")
        .env("MATCHCUT_DEVICE", "cpu")
        .env("MATCHCUT_EDITOR", "ann")
        .env_remove("MATCHCUT_CRASH_AT");
    command
}

/// The three titles, copied into `dir` (so tests can change them).
fn copies(dir: &Path) -> Vec<PathBuf> {
    fixtures();
    TITLES
        .iter()
        .map(|name| {
            let to = dir.join(name);
            std::fs::copy(fixture(name), &to).expect("copy");
            to
        })
        .collect()
}

fn scan_args(files: &[PathBuf]) -> Vec<String> {
    let mut args = vec!["scan".to_string(), "--json".to_string()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    args
}

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("run matchcut");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scan(library: &Path, files: &[PathBuf]) -> Value {
    serde_json::from_slice(&run(matchcut(library).args(scan_args(files))).stdout).expect("json")
}

/// What a library holds: every pair (id, cut frames, score, components)
/// and every duplicate group (members), as text, sorted.
type Contents = (Vec<String>, Vec<String>);

fn contents(library: &Path) -> Contents {
    let json = |args: &[&str]| -> Value {
        serde_json::from_slice(&run(matchcut(library).args(args)).stdout).expect("json")
    };
    let mut pairs: Vec<String> = json(&["pairs", "--top", "1000000", "--json"])
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            format!(
                "{} {}:{} {}:{} {} {}",
                p["id"],
                p["from"]["content_hash"],
                p["from"]["frame"],
                p["to"]["content_hash"],
                p["to"]["frame"],
                p["score"],
                p["components"]
            )
        })
        .collect();
    pairs.sort();
    let mut groups: Vec<String> = json(&["duplicates", "--json"])
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let mut members: Vec<String> = g["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| format!("{}:{}", m["content_hash"], m["shot"]))
                .collect();
            members.sort();
            members.join(" ")
        })
        .collect();
    groups.sort();
    (pairs, groups)
}

/// One clean scan of the three titles: its contents and how long it took.
fn clean() -> &'static (Contents, Duration) {
    static CLEAN: OnceLock<(Contents, Duration)> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let dir = scratch("clean");
        let files = copies(&dir);
        let started = Instant::now();
        scan(&dir.join("library"), &files);
        let took = started.elapsed();
        let contents = contents(&dir.join("library"));
        assert!(contents.0.len() >= 10, "{} pairs", contents.0.len());
        assert!(!contents.1.is_empty(), "the planted duplicate");
        (contents, took)
    })
}

fn same_as_clean(library: &Path, what: &str) {
    let (expected, _) = clean();
    let found = contents(library);
    assert_eq!(found.1, expected.1, "{what}: duplicate groups");
    assert_eq!(found.0.len(), expected.0.len(), "{what}: pair count");
    assert_eq!(found.0, expected.0, "{what}: pairs");
}

#[test]
fn a_scan_killed_at_a_random_moment_is_completed_by_the_next() {
    let (_, took) = clean();
    let trials: u64 = std::env::var("MATCHCUT_STRESS_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for trial in 0..trials {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let fraction = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let delay = took.mul_f64(fraction);
        let dir = scratch(&format!("kill{trial}"));
        let files = copies(&dir);
        let library = dir.join("library");
        let mut child = matchcut(&library)
            .args(scan_args(&files))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        child.wait().expect("wait");
        scan(&library, &files);
        same_as_clean(&library, &format!("killed after {delay:?}"));
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_scan_aborted_between_any_two_steps_is_completed_by_the_next() {
    clean();
    for point in ["before-index", "before-commit", "after-commit"] {
        let dir = scratch(point);
        let files = copies(&dir);
        let library = dir.join("library");
        let out = matchcut(&library)
            .args(scan_args(&files))
            .env("MATCHCUT_CRASH_AT", point)
            .output()
            .expect("run");
        assert!(
            !out.status.success(),
            "{point}: the crash point was not reached"
        );
        let report = scan(&library, &files);
        if point != "after-commit" {
            assert!(report["repaired"].as_u64() >= Some(1), "{point}: {report}");
        }
        same_as_clean(&library, point);
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn scans_running_at_once_into_one_library_lose_nothing() {
    clean();
    for split in [vec![vec![0], vec![1, 2]], vec![vec![0], vec![1], vec![2]]] {
        let dir = scratch(&format!("together{}", split.len()));
        let files = copies(&dir);
        let library = dir.join("library");
        let children: Vec<_> = split
            .iter()
            .map(|part| {
                let mine: Vec<PathBuf> = part.iter().map(|&i| files[i].clone()).collect();
                matchcut(&library)
                    .args(scan_args(&mine))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        same_as_clean(&library, &format!("{} scans at once", split.len()));
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn the_same_titles_in_any_order_give_the_same_pairs() {
    clean();
    let dir = scratch("orders");
    let files = copies(&dir);
    let orders: [&[&[usize]]; 3] = [&[&[2, 1, 0]], &[&[1], &[2, 0]], &[&[2], &[0], &[1]]];
    for (n, scans) in orders.iter().enumerate() {
        let library = dir.join(format!("library{n}"));
        for part in scans.iter() {
            let mine: Vec<PathBuf> = part.iter().map(|&i| files[i].clone()).collect();
            scan(&library, &mine);
        }
        same_as_clean(&library, &format!("order {scans:?}"));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A pair between the two 25 fps titles (an EDL has one rate), approved
/// by ann: its id.
fn approve_a_pair_between(library: &Path, a: &Path, b: &Path) -> String {
    let out = run(matchcut(library).args(["pairs", "--top", "1000", "--json"]));
    let pairs: Value = serde_json::from_slice(&out.stdout).expect("json");
    let ends = [a.to_string_lossy(), b.to_string_lossy()];
    let pair = pairs
        .as_array()
        .expect("pairs")
        .iter()
        .find(|p| {
            let (from, to) = (&p["from"]["path"], &p["to"]["path"]);
            from != to
                && ends.iter().any(|e| from == e.as_ref())
                && ends.iter().any(|e| to == e.as_ref())
        })
        .expect("a pair between the two titles");
    let id = pair["id"].as_str().expect("id").to_string();
    run(matchcut(library).args(["decide", &id, "approve"]));
    id
}

fn export(library: &Path, out: &Path) -> Value {
    let output = run(matchcut(library)
        .args(["export", "edl", "--json", "--out"])
        .arg(out));
    serde_json::from_slice(&output.stdout).expect("json")
}

/// An export that must write nothing: its message.
fn export_refused(library: &Path, out: &Path) -> String {
    let _ = std::fs::remove_file(out);
    let output = matchcut(library)
        .args(["export", "edl", "--out"])
        .arg(out)
        .output()
        .expect("run");
    assert!(
        !output.status.success(),
        "exported: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(!out.exists(), "a file was written");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_replaced_deleted_or_moved_file_never_reaches_an_export() {
    let dir = scratch("disk");
    fixtures();
    let (kept, file, other) = (dir.join("a.mp4"), dir.join("b.mp4"), dir.join("c.mp4"));
    std::fs::copy(fixture("shots_known.mp4"), &kept).expect("copy");
    std::fs::copy(fixture("other_25.mp4"), &file).expect("copy");
    std::fs::copy(fixture("library_b.mp4"), &other).expect("copy");
    let library = dir.join("library");
    scan(&library, &[kept.clone(), file.clone()]);
    let id = approve_a_pair_between(&library, &kept, &file);
    let edl = dir.join("cuts.edl");
    let written = export(&library, &edl);
    assert_eq!(written["pairs"], 1, "{written}");

    // Moved: found again by a scan of its new place, exported from there.
    let moved = dir.join("moved").join("renamed.mp4");
    std::fs::create_dir_all(moved.parent().expect("parent")).expect("folder");
    std::fs::rename(&file, &moved).expect("move");
    let report = scan(&library, &[kept.clone(), moved.clone()]);
    assert_eq!(report["missing"], serde_json::json!([]), "{report}");
    export(&library, &edl);
    let text = std::fs::read_to_string(&edl).expect("edl");
    assert!(text.contains(&*moved.to_string_lossy()), "{text}");

    // Replaced by other footage at the same path: the old title is missing,
    // the new content is a title of its own, the approved pair is refused.
    std::fs::copy(&other, &moved).expect("replace");
    let report = scan(&library, &[kept.clone(), moved.clone()]);
    assert_eq!(report["missing"], serde_json::json!([moved]), "{report}");
    let refused = export_refused(&library, &edl);
    assert!(
        refused.contains(&id) && refused.contains("other content"),
        "{refused}"
    );
    let out = run(matchcut(&library).args(["pairs", "--top", "1000", "--json"]));
    let listed: Value = serde_json::from_slice(&out.stdout).expect("json");
    let flagged = listed
        .as_array()
        .expect("pairs")
        .iter()
        .find(|p| p["id"] == id.as_str());
    if let Some(p) = flagged {
        assert!(
            p["from"]["missing"] == true || p["to"]["missing"] == true,
            "{p}"
        );
    }

    // Deleted: an export made before the next scan checks the disk anyway.
    std::fs::remove_file(&moved).expect("delete");
    let refused = export_refused(&library, &edl);
    assert!(
        refused.contains(&id) && refused.contains("gone"),
        "{refused}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_name_cannot_break_an_edl_and_invalid_record_starts_are_refused() {
    let dir = scratch("names");
    fixtures();
    let kept = dir.join("a.mp4");
    // A crafted name: a newline, then what would read as an event of its own.
    let crafted = dir.join(
        "b\n003  EVIL     V     C        00:00:00:00 00:00:09:00 01:00:00:00 01:00:09:00\r.mp4",
    );
    std::fs::copy(fixture("shots_known.mp4"), &kept).expect("copy");
    std::fs::copy(fixture("other_25.mp4"), &crafted).expect("copy");
    let library = dir.join("library");
    scan(&library, &[kept.clone(), crafted.clone()]);
    approve_a_pair_between(&library, &kept, &crafted);
    let edl = dir.join("cuts.edl");
    for style in ["avid", "premiere", "resolve"] {
        run(matchcut(&library)
            .args(["export", "edl", "--style", style, "--out"])
            .arg(&edl));
        let text = std::fs::read_to_string(&edl).expect("edl");
        let events: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        assert_eq!(events.len(), 2, "{style}: {text}");
        for line in text.lines() {
            let known = ["TITLE: ", "FCM: ", "* ", "001  ", "002  "];
            assert!(
                line.is_empty() || known.iter().any(|k| line.starts_with(k)),
                "{style}: {line:?}"
            );
        }
    }
    // 25 fps has frames 00 to 24.
    let out = matchcut(&library)
        .args(["export", "edl", "--record-start", "01:00:00:25", "--out"])
        .arg(dir.join("never.edl"))
        .output()
        .expect("run");
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && message.contains("01:00:00:25") && message.contains("frames"),
        "{message}"
    );
    assert!(!dir.join("never.edl").exists());
    std::fs::remove_dir_all(&dir).ok();
}
