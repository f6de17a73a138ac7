//! Catalogue mode's driver (`scripts/catalogue/driver.py`) on a real
//! single-node Ray cluster bound to 127.0.0.1 (its own temp dir, no
//! dashboard, stopped at the end), running the real `matchcut worker` on
//! real titles, with faults injected by a wrapper around the binary: the
//! first run on one title is killed (a crash: tried again), the first on
//! another exits 75 (transient: tried again once), a corrupt title fails
//! once and is never tried again. The catalogue is then built on the
//! cluster; its proposals are the pairs a local `matchcut scan` of the same
//! titles makes. A second run schedules nothing.
//! `make test` installs Ray (`scripts/catalogue/requirements.txt`) and
//! says where with `MATCHCUT_RAY_PYTHON`.

mod common;

use common::{assert_same_pairs, local_pairs, proposal_pairs, scan_into};
use std::path::{Path, PathBuf};
use std::process::Command;

fn ray_python() -> PathBuf {
    let path = std::env::var_os("MATCHCUT_RAY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/rayenv/bin/python"));
    assert!(
        path.exists(),
        "{}: no Python with Ray; `make test` installs it (or set MATCHCUT_RAY_PYTHON)",
        path.display()
    );
    path
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The matchcut binary behind a fault-injecting wrapper; every worker run
/// is logged to `faults/log`.
fn wrapper(dir: &Path) -> PathBuf {
    let faults = dir.join("faults");
    std::fs::create_dir_all(&faults).expect("faults folder");
    let script = format!(
        r#"#!/bin/sh
faults='{faults}'
[ "$1" = worker ] && [ "$2" = analyse ] && echo "$4" >> "$faults/log"
case "$4" in
  *crash.mp4) [ -e "$faults/crashed" ] || {{ touch "$faults/crashed"; kill -9 $$; }} ;;
  *flaky.mp4) [ -e "$faults/flaked" ] || {{ touch "$faults/flaked"; echo "error: transient failure: injected" >&2; exit 75; }} ;;
esac
exec '{binary}' "$@"
"#,
        faults = faults.display(),
        binary = env!("CARGO_BIN_EXE_matchcut"),
    );
    let path = dir.join("matchcut-with-faults");
    std::fs::write(&path, script).expect("wrapper");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn drive(
    dir: &Path,
    binary: &Path,
    titles: &Path,
    out: &Path,
) -> (serde_json::Value, Option<i32>, String) {
    let run = Command::new(ray_python())
        .arg(root().join("scripts/catalogue/driver.py"))
        .arg("--matchcut")
        .arg(binary)
        .arg("--out")
        .arg(out)
        .arg("--build")
        .arg(dir.join("build"))
        .args(["--cpus", "2", "--retries", "2", "--temp-dir"])
        .arg(dir.join("ray"))
        .arg(titles)
        .env("MATCHCUT_PREPROCESS", "cpu")
        .env("MATCHCUT_DEVICE", "cpu")
        .output()
        .expect("the driver");
    let log = String::from_utf8_lossy(&run.stderr).into_owned();
    let summary =
        serde_json::from_slice(&run.stdout).unwrap_or_else(|e| panic!("summary: {e}\n{log}"));
    (summary, run.status.code(), log)
}

fn runs_of(dir: &Path, name: &str) -> usize {
    std::fs::read_to_string(dir.join("faults/log"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.ends_with(name))
        .count()
}

#[test]
fn a_catalogue_runs_on_ray_with_faults_and_a_rerun_schedules_nothing() {
    // A short path: Ray's sockets live in its temp dir.
    let dir = tempfile::Builder::new()
        .prefix("mc-")
        .tempdir_in("/tmp")
        .expect("temp dir");
    let dir = dir.path();
    let titles = dir.join("titles");
    std::fs::create_dir_all(&titles).expect("titles");
    for (from, to) in [
        ("bbb-forest.mp4", "crash.mp4"),
        ("bbb-meadow.mp4", "flaky.mp4"),
        ("bbb-sky.mp4", "good.mp4"),
    ] {
        std::fs::copy(root().join("samples").join(from), titles.join(to)).expect("copy");
    }
    let corrupt: Vec<u8> = (0..60_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(titles.join("corrupt.mp4"), corrupt).expect("corrupt title");
    let (binary, out) = (wrapper(dir), dir.join("features"));

    let (summary, code, log) = drive(dir, &binary, &titles, &out);
    let names = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = summary[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} in {summary}"))
            .iter()
            .map(|t| {
                t.as_str().map_or_else(
                    || t["path"].as_str().unwrap_or("").to_string(),
                    str::to_string,
                )
            })
            .map(|p| {
                Path::new(&p)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        summary["scheduled"], 5,
        "4 titles and the build: {summary}\n{log}"
    );
    assert_eq!(
        names("done"),
        ["crash.mp4", "flaky.mp4", "good.mp4"],
        "{summary}\n{log}"
    );
    assert_eq!(names("failed"), ["corrupt.mp4"]);
    let reason = summary["failed"][0]["reason"].as_str().unwrap_or("");
    assert!(
        reason.starts_with("bad input") && reason.contains("corrupt.mp4"),
        "{reason}"
    );
    assert_eq!(code, Some(1), "a failed title fails the run");
    // The crash and the transient error were tried again, once each; the
    // corrupt title and the good one ran once.
    for (name, runs) in [
        ("crash.mp4", 2),
        ("flaky.mp4", 2),
        ("corrupt.mp4", 1),
        ("good.mp4", 1),
    ] {
        assert_eq!(runs_of(dir, name), runs, "{name}\n{log}");
    }
    assert!(
        log.contains("killed by signal 9") && log.contains("exit 75"),
        "{log}"
    );
    let features: Vec<_> = std::fs::read_dir(&out)
        .expect("features")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        .collect();
    assert_eq!(features.len(), 3, "one features file per good title");

    // The cluster's proposals are a local scan's pairs of the same titles.
    let build = &summary["build"];
    assert_eq!(build["status"], "built", "{summary}");
    assert_eq!(build["titles"], 3);
    let built = proposal_pairs(Path::new(build["file"].as_str().expect("proposals file")));
    let library = dir.join("local");
    for name in ["crash.mp4", "flaky.mp4", "good.mp4"] {
        scan_into(&library, &titles.join(name));
    }
    let local = local_pairs(&library);
    assert!(local.len() > 10, "{} local pairs", local.len());
    assert_same_pairs("cluster against local", &local, &built);

    // Again: nothing is scheduled, nothing runs, the same outcome is reported.
    let (again, code, log) = drive(dir, &binary, &titles, &out);
    assert_eq!(again["scheduled"], 0, "{again}\n{log}");
    assert_eq!(again["cached"].as_array().map(Vec::len), Some(3));
    assert_eq!(again["failed"][0]["scheduled"], false);
    assert_eq!(
        again["build"]["build_id"], build["build_id"],
        "the build is not made again"
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.join("faults/log"))
            .unwrap_or_default()
            .lines()
            .count(),
        6
    );
}
