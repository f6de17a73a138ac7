//! How long each stage of the analysis was busy: wall time during which
//! some thread was doing a stage's work, not waiting for its input or for
//! room in its output queue (a stage run by several threads at once, as
//! the model is on the CPU, counts that time once). Counted process-wide, like
//! [`crate::media::decoded_pictures`]: a scan reports the difference
//! between two [`snapshot`]s, so the stages' busy times can be set beside
//! the scan's own wall time to see what overlapped and what waited.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// A stage of a title's analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the file's content hash.
    Hash,
    /// Probing the file (facts, timeline).
    Probe,
    /// Demuxing and decoding pictures (FFmpeg's threads included: the
    /// decoding thread waits on them).
    Decode,
    /// Frames into thumbnails and histograms for shot detection.
    Thumbnails,
    /// Shot detection over the thumbnails.
    Segment,
    /// Keyframe candidates into model inputs, with their looks and prints.
    Capture,
    /// Motion at shot ends, from the frames' motion planes.
    Motion,
    /// Loading the network.
    Load,
    /// The network and descriptors on keyframes.
    Model,
    /// Matching and writing the library.
    Index,
}

/// How many stages there are.
const STAGES: usize = Stage::Index as usize + 1;

static BUSY_NANOS: [AtomicU64; STAGES] = [const { AtomicU64::new(0) }; STAGES];

/// The threads doing a stage's work now, and since when one has been.
#[derive(Default)]
struct Working {
    threads: u32,
    since: Option<Instant>,
}

impl Working {
    /// A thread starts at `now`.
    fn start(&mut self, now: Instant) {
        if self.threads == 0 {
            self.since = Some(now);
        }
        self.threads += 1;
    }

    /// A thread stops at `now`: the time the stage was busy, once the last
    /// thread stops.
    fn stop(&mut self, now: Instant) -> Option<std::time::Duration> {
        self.threads = self.threads.saturating_sub(1);
        if self.threads > 0 {
            return None;
        }
        self.since
            .take()
            .map(|since| now.saturating_duration_since(since))
    }
}

static WORKING: [Mutex<Working>; STAGES] = [const {
    Mutex::new(Working {
        threads: 0,
        since: None,
    })
}; STAGES];

impl Stage {
    fn slot(self) -> &'static AtomicU64 {
        &BUSY_NANOS[self as usize]
    }

    fn working(self) -> MutexGuard<'static, Working> {
        WORKING[self as usize]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A thread at work on a stage; counts the stage's time when the last one
/// stops (dropped, a panic included).
struct AtWork(Stage);

impl AtWork {
    fn start(stage: Stage) -> Self {
        stage.working().start(Instant::now());
        Self(stage)
    }
}

impl Drop for AtWork {
    fn drop(&mut self) {
        let busy = self.0.working().stop(Instant::now());
        if let Some(busy) = busy {
            let nanos = u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX);
            self.0.slot().fetch_add(nanos, Ordering::Relaxed);
        }
    }
}

/// Runs `work`, counting its wall time as `stage`'s (once, however many
/// threads do `stage`'s work meanwhile).
pub fn timed<T>(stage: Stage, work: impl FnOnce() -> T) -> T {
    let _at_work = AtWork::start(stage);
    work()
}

/// Seconds each stage has been busy (in this process, or between two
/// snapshots).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusyTimes {
    pub hash: f64,
    pub probe: f64,
    pub decode: f64,
    pub thumbnails: f64,
    pub segment: f64,
    pub capture: f64,
    pub motion: f64,
    pub load: f64,
    pub model: f64,
    pub index: f64,
    /// CPU time of the whole process (every thread, FFmpeg's included).
    pub cpu: f64,
}

impl BusyTimes {
    /// What was spent since `earlier`.
    pub fn since(&self, earlier: &BusyTimes) -> BusyTimes {
        BusyTimes {
            hash: self.hash - earlier.hash,
            probe: self.probe - earlier.probe,
            decode: self.decode - earlier.decode,
            thumbnails: self.thumbnails - earlier.thumbnails,
            segment: self.segment - earlier.segment,
            capture: self.capture - earlier.capture,
            motion: self.motion - earlier.motion,
            load: self.load - earlier.load,
            model: self.model - earlier.model,
            index: self.index - earlier.index,
            cpu: self.cpu - earlier.cpu,
        }
    }

    /// (name, seconds) of each stage, in the order a title meets them.
    pub fn stages(&self) -> [(&'static str, f64); 10] {
        [
            ("hash", self.hash),
            ("probe", self.probe),
            ("decode", self.decode),
            ("thumbnails", self.thumbnails),
            ("segment", self.segment),
            ("capture", self.capture),
            ("motion", self.motion),
            ("load", self.load),
            ("model", self.model),
            ("index", self.index),
        ]
    }

    /// One line: the stages busy for at least 0.05 s, in the order a title
    /// meets them, and the CPU time beside the wall time `seconds`.
    pub fn summary(&self, seconds: f64) -> String {
        let stages: Vec<String> = self
            .stages()
            .iter()
            .filter(|(_, s)| *s >= 0.05)
            .map(|(name, s)| format!("{name} {s:.1} s"))
            .collect();
        format!(
            "busy: {}; CPU {:.1} s in {seconds:.1} s",
            stages.join(", "),
            self.cpu
        )
    }
}

/// The busy times so far.
pub fn snapshot() -> BusyTimes {
    let s = |stage: Stage| stage.slot().load(Ordering::Relaxed) as f64 / 1e9;
    BusyTimes {
        hash: s(Stage::Hash),
        probe: s(Stage::Probe),
        decode: s(Stage::Decode),
        thumbnails: s(Stage::Thumbnails),
        segment: s(Stage::Segment),
        capture: s(Stage::Capture),
        motion: s(Stage::Motion),
        load: s(Stage::Load),
        model: s(Stage::Model),
        index: s(Stage::Index),
        cpu: process_cpu_seconds(),
    }
}

/// CPU seconds (user and system) this process has used.
fn process_cpu_seconds() -> f64 {
    // SAFETY: a zeroed rusage is a valid value for getrusage to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_SELF with a valid out pointer.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_spent_in_a_stage_is_counted_for_it_alone() {
        let before = snapshot();
        let out = timed(Stage::Segment, || {
            std::thread::sleep(std::time::Duration::from_millis(30));
            7
        });
        assert_eq!(out, 7);
        let spent = snapshot().since(&before);
        assert!(spent.segment >= 0.03, "{spent:?}");
        assert_eq!(spent.stages()[4], ("segment", spent.segment));
    }

    #[test]
    fn threads_working_at_once_count_their_time_once() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + std::time::Duration::from_millis(ms);
        let mut w = Working::default();
        // Two threads: 0–100 ms and 50–150 ms, then a third alone at
        // 200–230 ms.
        w.start(at(0));
        w.start(at(50));
        assert_eq!(w.stop(at(100)), None);
        assert_eq!(w.stop(at(150)), Some(std::time::Duration::from_millis(150)));
        w.start(at(200));
        assert_eq!(w.stop(at(230)), Some(std::time::Duration::from_millis(30)));
        // A stop without a start counts nothing.
        assert_eq!(w.stop(at(300)), None);
    }
}
