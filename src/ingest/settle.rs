//! When a file that is being written is complete: it has stopped changing
//! (size and modification time) for a quiet spell whose length depends on
//! what the platform told us about its writer. A file whose writer closed
//! it (inotify's close-after-write) is taken after a short spell; one seen
//! without news of its writer (found by a sweep, or on a platform without
//! close events) after a longer one; one still held open for writing only
//! after a long one (a writer that pauses is not done).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// What is known of a file's writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// Data was just written: the writer may still hold the file open.
    Open,
    /// The writer closed the file (or it was renamed into place).
    Closed,
    /// Nothing (a sweep found the file).
    Unknown,
}

/// How long a file must stay unchanged before it is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quiet {
    pub closed: Duration,
    pub unknown: Duration,
    pub open: Duration,
}

impl Default for Quiet {
    fn default() -> Self {
        Self {
            closed: Duration::from_millis(1000),
            unknown: Duration::from_millis(2000),
            open: Duration::from_secs(60),
        }
    }
}

impl Quiet {
    fn for_writer(&self, writer: Writer) -> Duration {
        match writer {
            Writer::Open => self.open,
            Writer::Closed => self.closed,
            Writer::Unknown => self.unknown,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    size: u64,
    modified: Option<SystemTime>,
    writer: Writer,
    /// Since when size and time have been as recorded.
    since: Instant,
}

/// Files being watched until they are complete.
#[derive(Debug, Default)]
pub struct Settler {
    quiet: Quiet,
    pending: HashMap<PathBuf, Seen>,
}

impl Settler {
    pub fn new(quiet: Quiet) -> Self {
        Self {
            quiet,
            pending: HashMap::new(),
        }
    }

    /// `path` changed, or may have, at `now`; `writer` is what the event
    /// said of its writer.
    pub fn touch(&mut self, path: &Path, writer: Writer, now: Instant) {
        let Some((size, modified)) = stat(path) else {
            self.pending.remove(path);
            return;
        };
        let entry = self.pending.entry(path.to_path_buf()).or_insert(Seen {
            size,
            modified,
            writer,
            since: now,
        });
        // A close is news; an unknown writer leaves what we knew.
        if writer != Writer::Unknown {
            entry.writer = writer;
        }
        if (entry.size, entry.modified) != (size, modified) {
            (entry.size, entry.modified, entry.since) = (size, modified, now);
        }
    }

    /// A file gone (removed or renamed away): no longer waited for.
    pub fn forget(&mut self, path: &Path) {
        self.pending.remove(path);
    }

    /// The files complete at `now` (unchanged for their quiet spell, not
    /// empty), no longer watched; files gone are dropped.
    pub fn settled(&mut self, now: Instant) -> Vec<PathBuf> {
        let mut done = Vec::new();
        let quiet = self.quiet;
        self.pending.retain(|path, seen| {
            let Some((size, modified)) = stat(path) else {
                return false;
            };
            if (seen.size, seen.modified) != (size, modified) {
                (seen.size, seen.modified, seen.since) = (size, modified, now);
                return true;
            }
            let complete = size > 0
                && now.saturating_duration_since(seen.since) >= quiet.for_writer(seen.writer);
            if complete {
                done.push(path.clone());
            }
            !complete
        });
        done.sort();
        done
    }

    /// Files still waited for.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }
}

fn stat(path: &Path) -> Option<(u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| (meta.len(), meta.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("matchcut-settle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    #[test]
    fn a_file_still_growing_is_not_taken_until_it_has_been_quiet() {
        let dir = scratch("growing");
        let file = dir.join("title.mp4");
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut settler = Settler::new(Quiet::default());
        append(&file, b"part one");
        settler.touch(&file, Writer::Open, at(0));
        assert!(settler.settled(at(1500)).is_empty(), "open for writing");
        // More data; then the writer closes it.
        append(&file, b" and part two");
        settler.touch(&file, Writer::Closed, at(1600));
        assert!(settler.settled(at(2000)).is_empty(), "changed 400 ms ago");
        assert!(settler.settled(at(2500)).is_empty(), "900 ms quiet");
        assert_eq!(settler.settled(at(2700)), vec![file.clone()]);
        assert_eq!(settler.waiting(), 0, "taken once");
        assert!(settler.settled(at(9000)).is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn growth_seen_by_polling_restarts_the_quiet_spell() {
        let dir = scratch("polled");
        let file = dir.join("title.mov");
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut settler = Settler::new(Quiet::default());
        append(&file, b"x");
        settler.touch(&file, Writer::Unknown, at(0));
        std::thread::sleep(Duration::from_millis(20));
        append(&file, b"yy"); // no event arrives for this write
        assert!(
            settler.settled(at(1900)).is_empty(),
            "grew: restarted at 1.9 s"
        );
        assert!(settler.settled(at(3800)).is_empty(), "1.9 s quiet");
        assert_eq!(settler.settled(at(3900)), vec![file.clone()]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_writer_that_keeps_the_file_open_is_waited_for_a_long_spell() {
        let dir = scratch("open");
        let file = dir.join("title.mxf");
        let t0 = Instant::now();
        let mut settler = Settler::new(Quiet::default());
        append(&file, b"header");
        settler.touch(&file, Writer::Open, t0);
        // A sweep's touch does not forget that the writer holds it.
        settler.touch(&file, Writer::Unknown, t0);
        assert!(settler.settled(t0 + Duration::from_secs(30)).is_empty());
        assert_eq!(settler.settled(t0 + Duration::from_secs(60)), vec![file]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn empty_and_vanished_files_are_never_taken() {
        let dir = scratch("gone");
        let (empty, gone) = (dir.join("empty.mp4"), dir.join("gone.mp4"));
        let t0 = Instant::now();
        let mut settler = Settler::new(Quiet::default());
        append(&empty, b"");
        append(&gone, b"data");
        settler.touch(&empty, Writer::Closed, t0);
        settler.touch(&gone, Writer::Closed, t0);
        std::fs::remove_file(&gone).unwrap();
        assert!(settler.settled(t0 + Duration::from_secs(5)).is_empty());
        assert_eq!(settler.waiting(), 1, "the empty file is still waited for");
        settler.forget(&empty);
        assert_eq!(settler.waiting(), 0);
        let _ = std::fs::remove_dir_all(dir);
    }
}
