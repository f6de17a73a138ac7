//! `matchcut watch` as an ingest machine runs it: a real process watching
//! a real folder, files written into it slowly, renamed, removed, broken;
//! stopped with SIGTERM. And the ingest queue the app uses, through the
//! library API: per-file failures, cancel and retry.

mod common;

use common::*;
use matchcut::ingest::{Ingest, IngestEvent, IngestState, IngestTitle};
use matchcut::jobs::ScanOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A running `matchcut watch`, its stdout lines collected as they come.
struct Watch {
    child: Child,
    lines: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl Watch {
    fn start(dir: &Path, library: &Path) -> Self {
        let mut child = matchcut()
            .arg("watch")
            .arg(dir)
            .arg("--library")
            .arg(library)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start matchcut watch");
        let lines = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let (out, sink) = (child.stdout.take().unwrap(), lines.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                eprintln!("watch: {line}");
                sink.0.lock().unwrap().push(line);
                sink.1.notify_all();
            }
        });
        let watch = Self { child, lines };
        watch.wait_for(|l| l.starts_with("watching"), 30);
        watch
    }

    /// The first line matching `want`, waited for up to `seconds`.
    fn wait_for(&self, want: impl Fn(&str) -> bool, seconds: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut lines = self.lines.0.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|l| want(l)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no such line in {seconds} s; got {lines:#?}"
            );
            lines = self.lines.1.wait_timeout(lines, left).unwrap().0;
        }
    }

    fn count(&self, want: impl Fn(&str) -> bool) -> usize {
        self.lines
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|l| want(l))
            .count()
    }

    fn terminate(mut self) -> (std::process::ExitStatus, Self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader thread gets the last lines.
                std::thread::sleep(Duration::from_millis(200));
                return (status, self);
            }
            assert!(Instant::now() < deadline, "watch did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies `from` to `to` in five parts, `pause` apart, the file held open
/// throughout, as a slow network copy writes it.
fn write_slowly(from: &Path, to: &Path, pause: Duration) {
    let bytes = std::fs::read(from).unwrap();
    let mut file = std::fs::File::create(to).unwrap();
    for part in bytes.chunks(bytes.len().div_ceil(5)) {
        file.write_all(part).unwrap();
        file.flush().unwrap();
        std::thread::sleep(pause);
    }
}

fn about(path: &Path) -> impl Fn(&str) -> bool + '_ {
    move |line: &str| line.contains(&*path.to_string_lossy())
}

#[test]
fn watch_scores_a_slowly_written_file_once_finds_renames_by_content_and_stops_on_sigterm() {
    let root = scratch("cli");
    let (inbox, library) = (root.join("inbox"), root.join("library"));
    std::fs::create_dir_all(&inbox).unwrap();
    let watch = Watch::start(&inbox, &library);

    // Written over 2.5 s, held open: not touched until it is complete.
    let title = inbox.join("title.mkv");
    write_slowly(&fixture("cfr_24.mkv"), &title, Duration::from_millis(500));
    assert_eq!(
        watch.count(about(&title)),
        0,
        "nothing done while it was written"
    );
    let ready = watch.wait_for(|l| l.starts_with("ready") && about(&title)(l), 120);
    assert!(ready.contains("shots"), "{ready}");
    assert_eq!(
        watch.count(|l| l.starts_with("analysing") && about(&title)(l)),
        1,
        "analysed once"
    );

    // Renamed: found by its content, nothing computed.
    let renamed = inbox.join("renamed.mkv");
    std::fs::rename(&title, &renamed).unwrap();
    let cached = watch.wait_for(|l| l.starts_with("cached") && about(&renamed)(l), 60);
    assert!(cached.contains("nothing computed"), "{cached}");
    assert_eq!(
        watch.count(|l| l.starts_with("analysing") && about(&renamed)(l)),
        0
    );
    let moved = watch.wait_for(|l| l.starts_with("moved") && about(&title)(l), 10);
    assert!(moved.ends_with(&*renamed.to_string_lossy()), "{moved}");

    // A broken file is reported by name and the watch goes on.
    let broken = inbox.join("broken.mp4");
    std::fs::copy(fixture("not_video.mp4"), &broken).unwrap();
    let failed = watch.wait_for(|l| l.starts_with("failed") && about(&broken)(l), 60);
    assert!(
        failed.len() > "failed    ".len() + broken.to_string_lossy().len() + 2,
        "a reason: {failed}"
    );

    // A folder of selects moved in: its titles are found and scored.
    let batch = root.join("selects");
    std::fs::create_dir_all(batch.join("day 2")).unwrap();
    std::fs::copy(fixture("cfr_23976.mp4"), batch.join("day 2/a.mp4")).unwrap();
    std::fs::rename(&batch, inbox.join("selects")).unwrap();
    let moved_in = inbox.join("selects/day 2/a.mp4");
    watch.wait_for(|l| l.starts_with("ready") && about(&moved_in)(l), 120);

    // Removed: the title is missing, and kept.
    std::fs::remove_file(&renamed).unwrap();
    watch.wait_for(|l| l.starts_with("missing") && about(&renamed)(l), 30);

    let (status, watch) = watch.terminate();
    assert!(status.success(), "{status:?}");
    watch.wait_for(|l| l == "stopped", 5);
    let titles: serde_json::Value = serde_json::from_slice(&stdout_of(
        matchcut()
            .args(["decisions", "--json", "--library"])
            .arg(&library),
    ))
    .unwrap();
    assert!(
        titles.is_object(),
        "the library opens after the watch: {titles}"
    );
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn sigterm_during_an_analysis_stops_cleanly_and_a_later_scan_completes_the_title() {
    let root = scratch("term");
    let (inbox, library) = (root.join("inbox"), root.join("library"));
    std::fs::create_dir_all(&inbox).unwrap();
    let watch = Watch::start(&inbox, &library);
    let title = inbox.join("bbb.mp4");
    std::fs::copy(bbb(), &title).unwrap();
    watch.wait_for(|l| l.starts_with("analysing") && about(&title)(l), 60);
    let (status, watch) = watch.terminate();
    assert!(status.success(), "{status:?}");
    watch.wait_for(|l| l == "stopped", 5);
    // Cancelled, or finished just before the signal: either way whole.
    let out = String::from_utf8(stdout_of(
        matchcut()
            .arg("scan")
            .arg(&inbox)
            .arg("--library")
            .arg(&library),
    ))
    .unwrap();
    assert!(out.contains("analysed") || out.contains("cached"), "{out}");
    let _ = std::fs::remove_dir_all(root);
}

/// The queue's titles as last reported, and a way to wait on them.
#[derive(Default)]
struct Seen {
    titles: Mutex<Vec<IngestTitle>>,
    changed: Condvar,
}

impl Seen {
    fn take(&self, event: IngestEvent) {
        if let IngestEvent::Title(t) = event {
            let mut titles = self.titles.lock().unwrap();
            match titles.iter_mut().find(|x| x.id == t.id) {
                Some(x) => *x = t,
                None => titles.push(t),
            }
            self.changed.notify_all();
        }
    }

    fn wait(&self, what: &str, done: impl Fn(&[IngestTitle]) -> bool) -> Vec<IngestTitle> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut titles = self.titles.lock().unwrap();
        while !done(&titles) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{what}: {titles:#?}");
            titles = self.changed.wait_timeout(titles, left).unwrap().0;
        }
        titles.clone()
    }
}

fn state_of<'a>(titles: &'a [IngestTitle], path: &Path) -> Option<&'a IngestState> {
    titles.iter().find(|t| t.path == path).map(|t| &t.state)
}

#[test]
fn the_ingest_queue_reports_each_file_and_cancels_and_retries_one_title() {
    let root = scratch("queue");
    let library = root.join("library");
    let files = root.join("files");
    std::fs::create_dir_all(&files).unwrap();
    let good = files.join("good.mkv");
    let broken = files.join("broken.mp4");
    let notes = files.join("notes.txt");
    let long = files.join("long.mp4");
    std::fs::copy(fixture("cfr_24.mkv"), &good).unwrap();
    std::fs::copy(fixture("not_video.mp4"), &broken).unwrap();
    std::fs::write(&notes, "a shot list").unwrap();
    std::fs::copy(bbb(), &long).unwrap();

    let seen = Arc::new(Seen::default());
    let sink = seen.clone();
    let ingest = Ingest::start(ScanOptions::new(library.clone()), move |e| sink.take(e)).unwrap();
    // The long title first, cancelled once its frames are being decoded.
    ingest.add(std::slice::from_ref(&long));
    let analysing = |t: &[IngestTitle]| matches!(state_of(t, &long), Some(IngestState::Analysing { stage, done, .. }) if stage == "frames" && *done > 0);
    seen.wait("the long title analysing", analysing);
    ingest.add(&[good.clone(), broken.clone(), notes.clone()]);
    let id = ingest.titles().iter().find(|t| t.path == long).unwrap().id;
    assert!(ingest.cancel(id));
    let settled = |t: &[IngestTitle]| t.len() == 4 && t.iter().all(|t| !t.state.is_pending());
    let titles = seen.wait("every title done", settled);
    assert_eq!(state_of(&titles, &long), Some(&IngestState::Cancelled));
    // A test pattern: its shots are set aside as graphics, yet it is analysed.
    assert!(
        matches!(state_of(&titles, &good), Some(IngestState::Ready { .. })),
        "{titles:#?}"
    );
    match state_of(&titles, &broken) {
        Some(IngestState::Failed { reason }) => assert!(reason.contains("broken.mp4"), "{reason}"),
        other => panic!("the broken file: {other:?}"),
    }
    match state_of(&titles, &notes) {
        Some(IngestState::Failed { reason }) => {
            assert!(reason.contains("not a video file"), "{reason}")
        }
        other => panic!("the text file: {other:?}"),
    }
    // The rest went on while one was cancelled; the cancelled one, retried,
    // is analysed.
    assert!(ingest.retry(id));
    let titles = seen.wait("the retried title ready", |t| {
        matches!(state_of(t, &long), Some(IngestState::Ready { .. }))
    });
    assert!(
        matches!(state_of(&titles, &long), Some(IngestState::Ready { shots, .. }) if *shots > 0),
        "{titles:#?}"
    );
    assert!(ingest.is_idle());
    // Added again unchanged: nothing computed.
    ingest.add(std::slice::from_ref(&good));
    seen.wait("cached", |t| {
        matches!(state_of(t, &good), Some(IngestState::Cached { .. }))
    });
    drop(ingest);
    let _ = std::fs::remove_dir_all(root);
}
