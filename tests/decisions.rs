//! Decisions and the shared store, with real files and real processes: the
//! `matchcut` binary run concurrently, killed with SIGKILL, cut off from the
//! shared store and reconnected; the background sync noticing another
//! process's decision.
//!
//! The stress size is `MATCHCUT_STRESS_DECISIONS` per process (CI runs a
//! small one; `make bench` runs 4 × 500).

use matchcut::jobs::sync::{SyncWorker, TeamEvent};
use matchcut::jobs::{SyncStatus, TeamDecisions, TeamSettings};
use matchcut::store::{Decision, DecisionEvent, SharedStore};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("matchcut-decisions-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `command` run as `editor` on the library at `library`, sharing `shared`.
fn as_editor<'c>(
    command: &'c mut Command,
    library: &Path,
    shared: &Path,
    editor: &str,
) -> &'c mut Command {
    command
        .env("MATCHCUT_LIBRARY", library)
        .env("MATCHCUT_SHARED", shared)
        .env("MATCHCUT_EDITOR", editor)
}

fn matchcut(library: &Path, shared: &Path, editor: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matchcut"));
    as_editor(&mut command, library, shared, editor);
    command
}

/// Runs a command that must succeed; its JSON.
fn json_of(command: &mut Command) -> serde_json::Value {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn pair(process: usize, n: usize) -> String {
    format!("{process:04x}{n:012x}")
}

/// A `decide --batch -` process fed `lines`, its acks read as they come.
struct Batch {
    child: Child,
    acks: std::sync::mpsc::Receiver<String>,
}

fn start_batch(library: &Path, shared: &Path, editor: &str, lines: Vec<String>) -> Batch {
    let mut child = matchcut(library, shared, editor)
        .args(["decide", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        for line in lines {
            if writeln!(stdin, "{line}").is_err() {
                return; // killed
            }
        }
    });
    let stdout = child.stdout.take().unwrap();
    let (tx, acks) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Batch { child, acks }
}

/// Ack lines are `ack EVENT PAIR DECISION`: (event id, pair).
fn parse_ack(line: &str) -> (String, String) {
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!((words.len(), words[0]), (4, "ack"), "{line}");
    (words[1].to_string(), words[2].to_string())
}

/// Waits for a batch to end; returns its acks and asserts it succeeded
/// without an error on stderr.
fn finish(mut batch: Batch) -> Vec<(String, String)> {
    let output = batch.child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut batch.child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(output.success(), "{stderr}");
    assert!(!stderr.to_lowercase().contains("error"), "{stderr}");
    batch.acks.iter().map(|l| parse_ack(&l)).collect()
}

fn everything(shared: &Path) -> Vec<DecisionEvent> {
    let store = SharedStore::open(shared).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    store.pull(0, usize::MAX >> 1).unwrap().1
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// Runs `matchcut ARGS --json`, which must succeed; its JSON.
fn run_json(library: &Path, shared: &Path, editor: &str, args: &[&str]) -> serde_json::Value {
    json_of(matchcut(library, shared, editor).args(args).arg("--json"))
}

fn decisions_json(library: &Path, shared: &Path, editor: &str) -> serde_json::Value {
    run_json(library, shared, editor, &["decisions"])
}

#[test]
fn concurrent_writers_lose_no_acknowledged_decision_when_one_is_killed() {
    let per_process: usize = std::env::var("MATCHCUT_STRESS_DECISIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let processes = 4;
    let started = Instant::now();
    let dir = scratch("stress");
    let shared = dir.join("team").join("decisions.sqlite");
    std::fs::create_dir_all(shared.parent().unwrap()).unwrap();
    let library = |p: usize| dir.join(format!("editor{p}"));
    let lines = |p: usize, from: usize| -> Vec<String> {
        (from..per_process)
            .map(|n| format!("{} approve", pair(p, n)))
            .collect()
    };
    let batches: Vec<Batch> = (0..processes)
        .map(|p| start_batch(&library(p), &shared, &format!("editor{p}"), lines(p, 0)))
        .collect();
    let mut batches = batches.into_iter();
    let mut victim = batches.next().unwrap();

    // Kill process 0 with SIGKILL a third of the way through its decisions.
    let mut acked: Vec<(String, String)> = Vec::new();
    while acked.len() < per_process / 3 {
        acked.push(parse_ack(&victim.acks.recv().unwrap()));
    }
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    acked.extend(victim.acks.iter().map(|l| parse_ack(&l)));
    let before_kill = acked.len();
    assert!(
        acked.len() < per_process,
        "the process finished before it was killed"
    );
    assert_eq!(integrity(&store_of(&library(0))), "ok");

    // Restarted, it goes on where its acknowledgements stopped.
    let restarted = start_batch(&library(0), &shared, "editor0", lines(0, acked.len()));
    acked.extend(finish(restarted));
    for batch in batches {
        acked.extend(finish(batch));
    }

    let stored = everything(&shared);
    let ids: HashSet<&str> = stored.iter().map(|e| e.id.as_str()).collect();
    let lost: Vec<_> = acked
        .iter()
        .filter(|(id, _)| !ids.contains(id.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged decisions lost: {lost:?}",
        lost.len()
    );
    let decided: HashSet<(&str, &str)> = stored
        .iter()
        .map(|e| (e.editor.as_str(), e.pair_id.as_str()))
        .collect();
    assert_eq!(decided.len(), processes * per_process);
    eprintln!(
        "{processes} processes x {per_process} decisions, one killed (SIGKILL) after {before_kill} \
         acknowledgements and restarted: {} acknowledged, {} events in the shared store, 0 lost, \
         integrity ok; {:.2} s",
        acked.len(),
        stored.len(),
        started.elapsed().as_secs_f64()
    );
    for p in 0..processes {
        assert_eq!(integrity(&store_of(&library(p))), "ok");
        let json = decisions_json(&library(p), &shared, &format!("editor{p}"));
        assert_eq!(json["sync"]["state"], "synced", "{json}");
        assert_eq!(
            json["pairs"].as_array().unwrap().len(),
            processes * per_process
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The library's own store file.
fn store_of(library: &Path) -> PathBuf {
    matchcut::jobs::LibraryData::store_path(library)
}

fn decide(
    library: &Path,
    shared: &Path,
    editor: &str,
    id: &str,
    decision: &str,
) -> serde_json::Value {
    run_json(library, shared, editor, &["decide", id, decision])
}

#[test]
fn decisions_queue_while_the_shared_store_is_missing_or_read_only() {
    let dir = scratch("offline");
    let library = dir.join("library");
    let team = dir.join("team");
    std::fs::create_dir_all(&team).unwrap();
    let shared = team.join("decisions.sqlite");
    decide(&library, &shared, "alice", &pair(0, 0), "approve");
    assert_eq!(everything(&shared).len(), 1);

    // The shared drive goes away: decisions queue, the status says why.
    std::fs::rename(&team, dir.join("away")).unwrap();
    for n in 1..6 {
        let json = decide(&library, &shared, "alice", &pair(0, n), "reject");
        assert_eq!(json["sync"]["state"], "unreachable", "{json}");
        assert_eq!(json["sync"]["pending"], n as u64);
        assert!(
            json["sync"]["reason"].as_str().unwrap().contains("missing"),
            "{json}"
        );
    }
    std::fs::rename(dir.join("away"), &team).unwrap();
    let json = decisions_json(&library, &shared, "alice");
    assert_eq!(json["sync"]["state"], "synced", "{json}");
    assert_eq!(everything(&shared).len(), 6);

    // Marked read-only: the same.
    let mut permissions = std::fs::metadata(&shared).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&shared, permissions.clone()).unwrap();
    let json = decide(&library, &shared, "alice", &pair(0, 9), "approve");
    assert_eq!(json["sync"]["state"], "unreachable", "{json}");
    assert!(
        json["sync"]["reason"]
            .as_str()
            .unwrap()
            .contains("read-only"),
        "{json}"
    );
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&shared, permissions).unwrap();
    assert_eq!(
        decisions_json(&library, &shared, "alice")["sync"]["state"],
        "synced"
    );
    assert_eq!(everything(&shared).len(), 7);

    // Deleted and recreated empty: every decision made here arrives again.
    std::fs::remove_file(&shared).unwrap();
    assert_eq!(
        decisions_json(&library, &shared, "alice")["sync"]["state"],
        "synced"
    );
    assert_eq!(everything(&shared).len(), 7);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn two_editors_disagreeing_are_both_recorded_as_a_conflict() {
    let dir = scratch("conflict");
    let shared = dir.join("decisions.sqlite");
    let (alice, bob) = (dir.join("alice"), dir.join("bob"));
    let id = pair(7, 7);
    decide(&alice, &shared, "alice", &id, "approve");
    decide(&bob, &shared, "bob", &id, "reject");
    for (library, editor) in [(&alice, "alice"), (&bob, "bob")] {
        let json = decisions_json(library, &shared, editor);
        let pairs = json["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), 1, "{json}");
        assert_eq!(pairs[0]["state"], "conflict");
        assert_eq!(pairs[0]["approved_by"], serde_json::json!(["alice"]));
        assert_eq!(pairs[0]["rejected_by"], serde_json::json!(["bob"]));
    }
    // Bob withdraws his reject: Alice's approval stands.
    decide(&bob, &shared, "bob", &id, "clear");
    let json = decisions_json(&alice, &shared, "alice");
    assert_eq!(json["pairs"][0]["state"], "approved", "{json}");
    let editors: HashMap<String, String> = json["pairs"][0]["editors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["editor"].as_str().unwrap().into(),
                e["decision"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(editors["bob"], "clear");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `matchcut decide ID DECISION --json` on a machine whose clock is off by
/// `offset` (libfaketime's `faketime -f`, e.g. `+1h`).
fn decide_skewed(
    offset: &str,
    library: &Path,
    shared: &Path,
    editor: &str,
    id: &str,
    decision: &str,
) -> serde_json::Value {
    // `faketime` is installed by `make test` (scripts/install-deps.sh).
    let mut command = Command::new("faketime");
    command.args(["-f", offset, env!("CARGO_BIN_EXE_matchcut")]);
    json_of(
        as_editor(&mut command, library, shared, editor).args(["decide", id, decision, "--json"]),
    )
}

#[test]
fn an_editors_later_decision_wins_whatever_the_machines_clocks_say() {
    let dir = scratch("skew");
    let shared = dir.join("decisions.sqlite");
    let (fast, slow, right) = (dir.join("fast"), dir.join("slow"), dir.join("right"));
    // Approved on a machine an hour fast, then rejected on a correct one.
    let id = pair(8, 1);
    let approved = decide_skewed("+1h", &fast, &shared, "alice", &id, "approve");
    let rejected = decide_skewed("+0", &right, &shared, "alice", &id, "reject");
    let wall = |json: &serde_json::Value| json["event"]["decided_at_ms"].as_i64().unwrap();
    let clock = |json: &serde_json::Value| json["event"]["clock"].as_i64().unwrap();
    assert!(
        wall(&approved) > wall(&rejected) + 3_000_000,
        "the skew took effect"
    );
    assert!(clock(&rejected) > clock(&approved));
    // Approved on a correct machine, then rejected on one an hour slow.
    let other = pair(8, 2);
    decide_skewed("+0", &right, &shared, "alice", &other, "approve");
    decide_skewed("-1h", &slow, &shared, "alice", &other, "reject");
    // Bob, on time, approves the first: a conflict, shown as it is.
    decide_skewed("+0", &dir.join("bob"), &shared, "bob", &id, "approve");
    for library in [&fast, &slow, &right] {
        let json = decisions_json(library, &shared, "alice");
        let state = |pair_id: &str| {
            let pairs = json["pairs"].as_array().unwrap();
            let p = pairs.iter().find(|p| p["pair_id"] == pair_id).unwrap();
            (p["state"].clone(), p["rejected_by"].clone())
        };
        assert_eq!(state(&id).0, "conflict", "{json}");
        assert_eq!(state(&id).1, serde_json::json!(["alice"]), "{json}");
        assert_eq!(state(&other).0, "rejected", "{json}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A background sync of `library` as alice on `shared`, and what it reports.
fn start_worker(
    library: &Path,
    shared: &Path,
) -> (SyncWorker, std::sync::mpsc::Receiver<TeamEvent>) {
    let settings = TeamSettings {
        shared: Some(shared.to_path_buf()),
        editor: Some("alice".into()),
    };
    let (tx, events) = std::sync::mpsc::channel();
    let worker = SyncWorker::start(library, &settings, move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    (worker, events)
}

/// The next decisions the background sync reports.
fn wait_for_arrival(
    events: &std::sync::mpsc::Receiver<TeamEvent>,
    what: &str,
) -> Vec<DecisionEvent> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(TeamEvent::Arrived(events)) => return events,
            Ok(TeamEvent::Status(_)) => continue,
            Err(e) => panic!("{what} was not reported: {e}"),
        }
    }
}

#[test]
fn the_background_sync_notices_another_editors_decision() {
    let dir = scratch("live");
    let shared = dir.join("decisions.sqlite");
    let (worker, events) = start_worker(&dir.join("alice"), &shared);
    let id = pair(3, 1);
    decide(&dir.join("bob"), &shared, "bob", &id, "approve");
    let arrived = wait_for_arrival(&events, "bob's decision");
    assert_eq!(arrived.len(), 1);
    assert_eq!(
        (arrived[0].editor.as_str(), arrived[0].pair_id.as_str()),
        ("bob", id.as_str())
    );
    drop(worker);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The next status the background sync reports that `wanted` accepts.
fn wait_for_status(
    events: &std::sync::mpsc::Receiver<TeamEvent>,
    wanted: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(TeamEvent::Status(status)) if wanted(&status) => return status,
            Ok(_) => continue,
            Err(e) => panic!("the expected status never came: {e}"),
        }
    }
}

#[test]
fn the_background_sync_delivers_what_queued_while_the_shared_store_was_away() {
    let dir = scratch("away");
    let team = dir.join("team");
    std::fs::create_dir_all(&team).unwrap();
    let shared = team.join("decisions.sqlite");
    let library = dir.join("alice");
    let settings = TeamSettings {
        shared: Some(shared.clone()),
        editor: Some("alice".into()),
    };
    let (tx, events) = std::sync::mpsc::channel();
    let worker = SyncWorker::start(&library, &settings, move |e| {
        let _ = tx.send(e);
    })
    .unwrap();
    wait_for_status(&events, |s| *s == SyncStatus::Synced);

    // The drive goes away; decisions made meanwhile queue in the library.
    std::fs::rename(&team, dir.join("away")).unwrap();
    let mut decisions = TeamDecisions::open(&library, &settings).unwrap();
    for n in 0..3 {
        decisions
            .decide(&pair(9, n), Decision::Approve, None, None)
            .unwrap();
    }
    worker.poke();
    let away = wait_for_status(&events, |s| matches!(s, SyncStatus::Unreachable { .. }));
    assert!(
        matches!(away, SyncStatus::Unreachable { pending: 3, .. }),
        "{away:?}"
    );

    // Back: the worker's next retry delivers them, without being asked.
    std::fs::rename(dir.join("away"), &team).unwrap();
    wait_for_status(&events, |s| *s == SyncStatus::Synced);
    assert_eq!(everything(&shared).len(), 3);
    drop(worker);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_background_sync_notices_a_decision_another_process_made_in_the_same_library() {
    let dir = scratch("same-library");
    let library = dir.join("library");
    let shared = dir.join("decisions.sqlite");
    let (worker, events) = start_worker(&library, &shared);
    wait_for_status(&events, |s| *s == SyncStatus::Synced);
    // Bo decides with the CLI in the very same library: the event is in the
    // library before the shared store hands it back, so only the library's
    // own log tells the window about it.
    let id = pair(5, 1);
    decide(&library, &shared, "bo", &id, "reject");
    let arrived = wait_for_arrival(&events, "bo's decision");
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    assert_eq!(
        (arrived[0].editor.as_str(), arrived[0].decision),
        ("bo", Decision::Reject)
    );
    drop(worker);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_editor_and_the_shared_store_are_settings_of_the_library() {
    let dir = scratch("settings");
    let library = dir.join("library");
    let shared = dir.join("team").join("decisions.sqlite");
    std::fs::create_dir_all(shared.parent().unwrap()).unwrap();
    let bare = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_matchcut"));
        command
            .env_remove("MATCHCUT_SHARED")
            .env_remove("MATCHCUT_EDITOR")
            .env("MATCHCUT_LIBRARY", &library);
        command
    };
    let set = json_of(
        bare()
            .args(["settings", "--json", "--editor", " carol "])
            .arg("--shared")
            .arg(&shared),
    );
    assert_eq!(set["editor"], "carol", "{set}");
    assert_eq!(set["shared"], shared.to_str().unwrap(), "{set}");

    // Without flags the CLI decides as carol into that store...
    let id = pair(6, 1);
    json_of(bare().args(["decide", &id, "approve", "--json"]));
    let events = everything(&shared);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].editor, "carol");
    // ...the library API (the app's way in) agrees, and a flag still wins.
    let team = TeamDecisions::open(&library, &TeamSettings::default()).unwrap();
    assert_eq!(
        (team.editor(), team.shared_path()),
        ("carol", shared.as_path())
    );
    let flagged = TeamSettings {
        editor: Some("dan".into()),
        shared: None,
    };
    assert_eq!(
        TeamDecisions::open(&library, &flagged).unwrap().editor(),
        "dan"
    );

    // An empty value goes back to the default.
    let reset = json_of(bare().args(["settings", "--json", "--editor", "", "--shared", ""]));
    assert_eq!(
        reset["stored"]["editor"],
        serde_json::Value::Null,
        "{reset}"
    );
    assert_eq!(
        reset["shared"],
        library.join("decisions.sqlite").to_str().unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
