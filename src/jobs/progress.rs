//! A scan's progress as a window shows it: the title and stage now, and
//! for the whole scan the frames decoded per second and the time left.
//! Fed the scan's events ([`ScanEvent`]) with the time each arrived, so it
//! can be tested without waiting.

use super::scan::ScanEvent;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Seconds of decoding before the rate, and so the time left, is given.
const SETTLE: Duration = Duration::from_secs(1);

/// Where a scan stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    /// The title's file name (empty for the library as a whole).
    pub title: String,
    /// `queued`, `frames`, `embed`, `index`, `waiting` or `done`.
    pub stage: String,
    /// The title's frames done and in all, in the `frames` stage.
    pub done: u64,
    pub total: u64,
    /// Frames decoded per second over the scan so far.
    pub frames_per_s: Option<f32>,
    /// Seconds left until every queued title's frames are decoded, at
    /// that rate.
    pub eta_s: Option<u32>,
}

/// Follows a scan's events.
#[derive(Debug, Default)]
pub struct ProgressTracker {
    /// Frames done and in all per title still decoding.
    titles: HashMap<PathBuf, (u64, u64)>,
    /// Frames decoded in this scan, and when the first was reported.
    decoded: u64,
    started: Option<Instant>,
}

impl ProgressTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes `event`, which arrived at `now`; where the scan stands.
    pub fn update(&mut self, event: &ScanEvent, now: Instant) -> Progress {
        let (path, stage, done, total) = match event {
            ScanEvent::Queued { path, frames } => {
                self.titles.insert(path.clone(), (0, *frames));
                (Some(path.as_path()), "queued".to_string(), 0, *frames)
            }
            ScanEvent::Frames { path, done, total } => {
                self.started.get_or_insert(now);
                let before = self.titles.insert(path.clone(), (*done, *total));
                self.decoded += done.saturating_sub(before.map_or(0, |(d, _)| d));
                (Some(path.as_path()), "frames".to_string(), *done, *total)
            }
            ScanEvent::Stage { path, stage } => {
                self.titles.remove(path);
                (Some(path.as_path()), stage.clone(), 0, 0)
            }
            ScanEvent::Waiting { .. } => (None, "waiting".to_string(), 0, 0),
            ScanEvent::Title(t) => {
                self.titles.remove(&t.path);
                (Some(t.path.as_path()), "done".to_string(), 0, 0)
            }
        };
        let rate = self.rate(now);
        Progress {
            title: path.map_or(String::new(), file_name),
            stage,
            done,
            total,
            frames_per_s: rate,
            eta_s: rate.map(|r| (self.left() as f32 / r).ceil() as u32),
        }
    }

    /// Frames per second since the first was decoded, once settled.
    fn rate(&self, now: Instant) -> Option<f32> {
        let elapsed = now.duration_since(self.started?);
        (elapsed >= SETTLE && self.decoded > 0).then(|| self.decoded as f32 / elapsed.as_secs_f32())
    }

    /// Frames still to decode in every queued title.
    fn left(&self) -> u64 {
        self.titles
            .values()
            .map(|(done, total)| total.saturating_sub(*done))
            .sum()
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(path: &str, done: u64, total: u64) -> ScanEvent {
        ScanEvent::Frames {
            path: path.into(),
            done,
            total,
        }
    }

    #[test]
    fn the_time_left_counts_every_queued_title_at_the_rate_so_far() {
        let t0 = Instant::now();
        let at = |s: f32| t0 + Duration::from_secs_f32(s);
        let mut tracker = ProgressTracker::new();
        let queued = |path: &str, frames| ScanEvent::Queued {
            path: PathBuf::from(path),
            frames,
        };
        tracker.update(&queued("/a/one.mp4", 1000), at(0.0));
        tracker.update(&queued("/a/two.mp4", 500), at(0.0));
        let first = tracker.update(&frames("/a/one.mp4", 0, 1000), at(0.0));
        assert_eq!(
            (first.frames_per_s, first.eta_s),
            (None, None),
            "not settled"
        );
        let p = tracker.update(&frames("/a/one.mp4", 200, 1000), at(2.0));
        assert_eq!(p.title, "one.mp4");
        assert_eq!((p.stage.as_str(), p.done, p.total), ("frames", 200, 1000));
        assert_eq!(p.frames_per_s, Some(100.0));
        // 800 + 500 frames left at 100 frames/s.
        assert_eq!(p.eta_s, Some(13));

        // The first title moves on to the model: its frames are done.
        let p = tracker.update(
            &ScanEvent::Stage {
                path: "/a/one.mp4".into(),
                stage: "embed".into(),
            },
            at(4.0),
        );
        assert_eq!(p.stage, "embed");
        assert_eq!(p.eta_s, Some(10), "500 frames at 50 frames/s");
        let p = tracker.update(&frames("/a/two.mp4", 300, 500), at(5.0));
        assert_eq!(p.frames_per_s, Some(100.0), "500 frames in 5 s");
        assert_eq!(p.eta_s, Some(2));
    }

    #[test]
    fn waiting_for_another_writer_has_no_title() {
        let mut tracker = ProgressTracker::new();
        let p = tracker.update(
            &ScanEvent::Waiting {
                message: "busy".into(),
            },
            Instant::now(),
        );
        assert_eq!((p.title.as_str(), p.stage.as_str()), ("", "waiting"));
        assert_eq!(p.eta_s, None);
    }
}
