//! Shot-end motion taken from the single decoding pass: the motion planes
//! of the decoded frames are kept while their shot may still be growing,
//! and each shot's entry and exit motion is measured as soon as the
//! segmenter settles the shot; the planes are dropped then.
//!
//! Memory stays bounded however long a shot: planes are kept for the first
//! half second after the last settled transition (the next shot's entry)
//! and for the most recent [`RECENT`] frames (where the next transition,
//! found with the segmenter's lag, will end a shot); 4.6 KB a plane,
//! at most about 5 MB.

use super::blocks::{self, Searcher, StepDesc};
use super::{estimate, summarise, EndMotion, Pyramid};
use crate::shots::{Segmentation, Transition};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Frames of planes kept behind the newest: more than the segmenter can
/// lag behind the frames it has been given.
pub const RECENT: u64 = 1024;

/// One shot's motion over its first and its last `seconds`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShotMotion {
    pub first_frame: u64,
    pub last_frame: u64,
    pub entry: EndMotion,
    pub exit: EndMotion,
}

/// Collects planes and measures shots' ends as they settle.
pub struct MotionCapture {
    size: (usize, usize),
    rate: f64,
    /// Frames in a shot end.
    span: u64,
    planes: BTreeMap<u64, Arc<[u16]>>,
    /// Where the shot after the last settled transition starts.
    anchor: u64,
    /// Transitions settled so far.
    settled: usize,
    shots: Vec<ShotMotion>,
    /// Where the block searches run.
    searcher: Searcher,
}

impl MotionCapture {
    /// For planes of `size` (width, height) at `rate` frames per second,
    /// measuring the first and last `seconds` of each shot.
    pub fn new(size: (usize, usize), rate: f64, seconds: f64) -> Self {
        let span = (seconds * rate).round().max(2.0) as u64;
        Self {
            size,
            rate,
            span,
            planes: BTreeMap::new(),
            anchor: 0,
            settled: 0,
            shots: Vec::new(),
            searcher: Searcher::Cpu,
        }
    }

    /// The same, its block searches run by `searcher`.
    pub fn with_searcher(self, searcher: Searcher) -> Self {
        Self { searcher, ..self }
    }

    /// Keeps the plane of frame `index` (decoded frames only: estimated
    /// ones have none).
    pub fn keep(&mut self, index: u64, plane: Arc<[u16]>) {
        self.planes.insert(index, plane);
        let entry_end = self.anchor + self.span;
        let oldest_recent = index.saturating_sub(RECENT);
        if oldest_recent > entry_end {
            // Between the next shot's entry and the recent frames.
            let stale: Vec<u64> = self
                .planes
                .range(entry_end..oldest_recent)
                .map(|(&i, _)| i)
                .collect();
            for i in stale {
                self.planes.remove(&i);
            }
        }
    }

    /// Measures the shots that `settled` (the segmenter's settled
    /// transitions, in order) have made final.
    pub fn settle(&mut self, settled: &[Transition]) {
        while let Some(t) = settled.get(self.settled).copied() {
            self.measure(self.anchor, t.from_frame);
            self.anchor = t.to_frame;
            self.planes = self.planes.split_off(&t.to_frame);
            self.settled += 1;
        }
    }

    /// Every shot's motion, in order, once the title is segmented.
    pub fn finish(&mut self, seg: &Segmentation) -> Vec<ShotMotion> {
        for shot in seg.shots.iter().skip(self.shots.len()) {
            self.measure(shot.first_frame, shot.last_frame);
        }
        self.planes.clear();
        let mut shots = std::mem::take(&mut self.shots);
        // Shots measured as they settled match the final segmentation
        // (settled transitions are final); any that did not would be
        // reported unmeasured (their planes are gone) rather than wrong.
        for (m, shot) in shots.iter_mut().zip(&seg.shots) {
            if (m.first_frame, m.last_frame) != (shot.first_frame, shot.last_frame) {
                *m = ShotMotion {
                    first_frame: shot.first_frame,
                    last_frame: shot.last_frame,
                    ..ShotMotion::default()
                };
            }
        }
        shots.truncate(seg.shots.len());
        shots
    }

    fn measure(&mut self, first: u64, last: u64) {
        let exit_from = (last + 1).saturating_sub(self.span).max(first);
        let entry_to = (first + self.span - 1).min(last);
        let [entry, exit] = self.ends([(first, entry_to), (exit_from, last)]);
        self.shots.push(ShotMotion {
            first_frame: first,
            last_frame: last,
            entry,
            exit,
        });
    }

    /// The motion over each span of frames (`first..=last`) from the
    /// planes kept there: the steps between consecutive planes planned on
    /// the CPU, all their block searches in one call to the searcher, each
    /// step finished on the CPU.
    fn ends(&mut self, spans: [(u64, u64); 2]) -> [EndMotion; 2] {
        let (w, h) = self.size;
        let lo = spans.iter().map(|s| s.0).min().unwrap_or(0);
        let hi = spans.iter().map(|s| s.1).max().unwrap_or(0);
        // Every plane either end reads, once (short shots' ends overlap).
        let kept: Vec<(u64, &[u16])> = self
            .planes
            .range(lo..=hi)
            .filter(|(i, _)| spans.iter().any(|s| (s.0..=s.1).contains(*i)))
            .map(|(&i, p)| (i, &p[..]))
            .collect();
        let pyramids: Vec<Pyramid> = kept.iter().map(|(_, p)| Pyramid::new(p, w, h)).collect();
        let place = |frame: u64| kept.iter().position(|(i, _)| *i == frame);
        // (end, earlier place, later place, gap) of every step.
        let mut steps: Vec<(usize, usize, usize, u32)> = Vec::new();
        for (end, &(first, last)) in spans.iter().enumerate() {
            let frames: Vec<u64> = self.planes.range(first..=last).map(|(&i, _)| i).collect();
            for pair in frames.windows(2) {
                if let (Some(a), Some(b)) = (place(pair[0]), place(pair[1])) {
                    steps.push((end, a, b, (pair[1] - pair[0]) as u32));
                }
            }
        }
        let descs: Vec<StepDesc> = steps
            .iter()
            .map(|&(_, a, b, _)| estimate::search(&pyramids[a], &pyramids[b], a as u32, b as u32))
            .collect();
        let origins = blocks::origins(w, h);
        let planes: Vec<&[u16]> = kept.iter().map(|(_, p)| *p).collect();
        let costs = self.searcher.costs(&planes, self.size, &origins, &descs);
        let per_step = (origins.len() * blocks::OFFSETS).max(1);
        let mut measured: [Vec<estimate::Step>; 2] = Default::default();
        for ((&(end, a, b, gap), desc), grid) in
            steps.iter().zip(&descs).zip(costs.chunks(per_step))
        {
            let step = estimate::finish(&pyramids[a], &pyramids[b], gap, desc, &origins, grid);
            measured[end].push(step);
        }
        measured.map(|steps| summarise(&steps, w, h, self.rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shots::TransitionKind;

    fn cut(at: u64) -> Transition {
        Transition {
            kind: TransitionKind::Cut,
            from_frame: at - 1,
            to_frame: at,
        }
    }

    #[test]
    fn planes_are_dropped_once_their_shot_settles_and_bounded_in_a_long_shot() {
        let mut capture = MotionCapture::new((64, 36), 24.0, 0.5);
        let plane: Arc<[u16]> = vec![0u16; 64 * 36].into();
        for i in 0..100 {
            capture.keep(i, plane.clone());
        }
        capture.settle(&[cut(50)]);
        assert_eq!(capture.shots.len(), 1);
        assert_eq!(
            (capture.shots[0].first_frame, capture.shots[0].last_frame),
            (0, 49)
        );
        assert_eq!(
            capture.planes.keys().next(),
            Some(&50),
            "the settled shot's planes are gone"
        );
        // A shot of 5,000 frames keeps its entry and the recent frames only.
        for i in 100..5000 {
            capture.keep(i, plane.clone());
        }
        assert!(
            capture.planes.len() as u64 <= RECENT + capture.span + 1,
            "{} planes",
            capture.planes.len()
        );
        assert!(
            capture.planes.contains_key(&50)
                && capture.planes.contains_key(&(50 + capture.span - 1))
        );
        assert!(capture.planes.contains_key(&4999));
    }
}
