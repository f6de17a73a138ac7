//! Tuning of the detectors. The defaults were tuned on the evaluation set
//! built by `scripts/shot-eval/make_set.py` (see `docs/shots.md`).

/// Thresholds and window sizes of shot detection.
#[derive(Clone, PartialEq)]
pub struct Params {
    /// A cut needs at least this [`super::features::change`] between two frames…
    pub cut_threshold: f32,
    /// …this many times the mean change around it (±`cut_window` frames)…
    pub cut_ratio: f32,
    pub cut_window: usize,
    /// …and this many times the largest change of the 2 frames either side
    /// (a whip pan changes a lot on several frames running; a cut on one).
    pub cut_peak: f32,
    /// A smaller change is a cut too (a jump cut against a still
    /// background) when it is at least this much…
    pub jump_cut_threshold: f32,
    /// …and this many times both the mean change around it and the largest
    /// change of the 2 frames either side.
    pub jump_cut_ratio: f32,
    /// A change that comes back within this many frames (the picture after
    /// it resembles the one before) is a flash, not a cut.
    pub flash_frames: usize,
    /// "Resembles": change below this fraction of the jump itself.
    pub flash_similarity: f32,
    /// A frame whose luma spread is below this is one flat colour.
    pub flat_luma_std: f32,
    /// Each frame of a fade has at least this factor less spread than the
    /// one before (fading out) or after (fading in)…
    pub fade_step: f32,
    /// …over at most this many frames.
    pub fade_reach: usize,
    /// A flat-colour stretch with the same picture on both sides (change
    /// below this) is a strobe or flash inside one shot.
    pub fade_same_picture: f32,
    /// A flat-colour stretch at least this long, or entered or left by a
    /// cut, is a black or colour segment of its own; a shorter one between
    /// a fade-out and a fade-in is one fade.
    pub flat_segment_frames: usize,
    /// A dissolve centre: the frame is this close (relative) to the average
    /// of the frames `k` before and after, for one of `dissolve_scales`…
    pub dissolve_ratio: f32,
    pub dissolve_scales: [usize; 4],
    /// …which differ by at least this much.
    pub dissolve_min_apart: f32,
    /// Frames beyond the scale that the boundary fit looks at.
    pub dissolve_margin: usize,
    pub dissolve_max_frames: usize,
    /// Shorter shots are merged away (the weaker transition is dropped).
    pub min_shot_frames: u64,
    /// Titles whose unreferenced pictures can be left out are read by a
    /// sparse pass ([`super::coarse`]): frames it left undecoded between two
    /// decoded ones are decoded at once when those two differ by at least
    /// this [`super::features::change`], and estimated from them otherwise
    /// (then decoded again only where a transition is found beside them,
    /// [`super::exact`]). 0 decodes every frame. At 0.3 the evaluation sets
    /// keep their F1 and every cut (`docs/ARCHITECTURE.md`).
    pub coarse_change: f32,
}

/// The stored analyses' keys hash this: a sparse pass left off adds
/// nothing, so analyses stored by a full pass keep their keys.
impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Params");
        d.field("cut_threshold", &self.cut_threshold);
        d.field("cut_ratio", &self.cut_ratio);
        d.field("cut_window", &self.cut_window);
        d.field("cut_peak", &self.cut_peak);
        d.field("jump_cut_threshold", &self.jump_cut_threshold);
        d.field("jump_cut_ratio", &self.jump_cut_ratio);
        d.field("flash_frames", &self.flash_frames);
        d.field("flash_similarity", &self.flash_similarity);
        d.field("flat_luma_std", &self.flat_luma_std);
        d.field("fade_step", &self.fade_step);
        d.field("fade_reach", &self.fade_reach);
        d.field("fade_same_picture", &self.fade_same_picture);
        d.field("flat_segment_frames", &self.flat_segment_frames);
        d.field("dissolve_ratio", &self.dissolve_ratio);
        d.field("dissolve_scales", &self.dissolve_scales);
        d.field("dissolve_min_apart", &self.dissolve_min_apart);
        d.field("dissolve_margin", &self.dissolve_margin);
        d.field("dissolve_max_frames", &self.dissolve_max_frames);
        d.field("min_shot_frames", &self.min_shot_frames);
        if self.coarse_change > 0.0 {
            d.field("coarse_change", &self.coarse_change);
        }
        d.finish()
    }
}

impl Default for Params {
    fn default() -> Self {
        Self {
            cut_threshold: 0.45,
            cut_ratio: 3.0,
            cut_window: 10,
            cut_peak: 1.35,
            jump_cut_threshold: 0.2,
            jump_cut_ratio: 6.0,
            flash_frames: 6,
            flash_similarity: 0.5,
            flat_luma_std: 0.02,
            fade_step: 1.04,
            fade_reach: 45,
            fade_same_picture: 0.3,
            flat_segment_frames: 24,
            dissolve_ratio: 0.27,
            dissolve_scales: [4, 7, 11, 15],
            dissolve_min_apart: 0.08,
            dissolve_margin: 8,
            dissolve_max_frames: 60,
            min_shot_frames: 6,
            coarse_change: 0.3,
        }
    }
}

impl Params {
    /// How far any detector looks from a frame: windows of frames must
    /// overlap by at least this much for results not to depend on where
    /// the windows start.
    pub fn reach(&self) -> usize {
        let scale = self.dissolve_scales.iter().copied().max().unwrap_or(0);
        (2 * (scale + self.dissolve_margin) + self.dissolve_max_frames)
            .max(2 * self.fade_reach + 10)
            .max(self.cut_window + self.flash_frames + 2)
    }
}
