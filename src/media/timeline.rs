//! The canonical constant-rate timeline every title is addressed on.
//!
//! Frame `n` of a title is the picture shown during the `n`-th tick of a
//! clock running at the title's rate `R`, starting at the first frame's PTS.
//! A decoded frame with PTS `p` lands on slot `round((p - origin) · tb · R)`
//! (rounded half away from zero). Slot `n` shows the **latest** decoded
//! frame whose slot is `≤ n`: on constant-rate media this is simply the
//! `n`-th frame in presentation order; on variable-rate media a frame that
//! lasts several ticks fills every slot up to the next one, and of two frames
//! that land on one slot the later wins. This is the rule of FFmpeg's `fps`
//! filter, so `ffmpeg -vf fps=R` yields the same frame for every index.
//!
//! A constant-rate stream cut in decode order (a stream copy with `-t`)
//! can lack a few pictures just before its end: those slots (`holes`, found
//! when probing the tail) are left out, and the pictures after them are
//! numbered on, as FFmpeg presents them. A picture missing anywhere else is
//! held, as above.
//!
//! When a container's timestamps are decode-order stamps (B-frames, yet PTS
//! rising in decode order), pictures are numbered in the order the decoder
//! outputs them instead, counted from the slot of the keyframe decoding
//! started at, which is right for closed GOPs, as `ffmpeg -vsync passthrough`
//! numbers them.

use super::rate::Rate;
use super::timecode::TimecodeTrack;

/// Maps PTS values of one video stream to frame indices and back.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// PTS (in `time_base`) of frame 0.
    pub origin_pts: i64,
    pub time_base: Rate,
    pub rate: Rate,
    /// Number of frames on the timeline (last frame's slot + 1).
    pub frame_count: u64,
    pub timecode: TimecodeTrack,
    /// See [`super::MediaInfo::pts_reliable`].
    pub pts_reliable: bool,
    /// Slots of the rate's clock left out of the timeline, sorted.
    pub holes: Vec<u64>,
}

impl Timeline {
    /// The slot a PTS lands on; negative before the first frame.
    pub fn slot(&self, pts: i64) -> i64 {
        // (pts - origin) · tb_num · r_num / (tb_den · r_den), in i128 so that
        // hours of 1/90000 ticks times 60000/1001 cannot overflow.
        let num = (i128::from(pts) - i128::from(self.origin_pts))
            * i128::from(self.time_base.numer())
            * i128::from(self.rate.numer());
        let den = i128::from(self.time_base.denom()) * i128::from(self.rate.denom());
        let clock = div_round_half_away(num, den).clamp(i64::MIN.into(), i64::MAX.into()) as i64;
        let skipped = self.holes.partition_point(|&h| (h as i64) < clock);
        clock - skipped as i64
    }

    /// The PTS at which frame `index` starts (exact, or the nearest tick).
    pub fn pts_of(&self, index: u64) -> i64 {
        let mut clock = index;
        for &hole in &self.holes {
            if hole <= clock {
                clock += 1;
            }
        }
        let num =
            i128::from(clock) * i128::from(self.time_base.denom()) * i128::from(self.rate.denom());
        let den = i128::from(self.time_base.numer()) * i128::from(self.rate.numer());
        self.origin_pts
            .saturating_add(div_round_half_away(num, den).clamp(0, i64::MAX.into()) as i64)
    }

    /// Timecode of a frame index.
    pub fn timecode_at(&self, index: u64) -> String {
        self.timecode.at(index)
    }
}

fn div_round_half_away(num: i128, den: i128) -> i128 {
    let half = den / 2;
    if num >= 0 {
        (num + half) / den
    } else {
        -((-num + half) / den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(tb: (i64, i64), rate: (i64, i64)) -> Timeline {
        let rate = Rate::new(rate.0, rate.1).expect("rate");
        Timeline {
            origin_pts: 0,
            time_base: Rate::new(tb.0, tb.1).expect("tb"),
            rate,
            frame_count: 100,
            timecode: TimecodeTrack::new(rate, None),
            pts_reliable: true,
            holes: Vec::new(),
        }
    }

    #[test]
    fn millisecond_timestamps_of_ntsc_land_on_their_frames() {
        let t = timeline((1, 1000), (30000, 1001));
        let slots: Vec<i64> = [0, 33, 67, 100, 133, 167]
            .iter()
            .map(|&p| t.slot(p))
            .collect();
        assert_eq!(slots, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn pictures_after_a_hole_are_numbered_on() {
        let mut t = timeline((1, 25), (25, 1));
        t.holes = vec![7, 9];
        let slots: Vec<i64> = (5..12).map(|p| t.slot(p)).collect();
        assert_eq!(slots, vec![5, 6, 7, 7, 8, 8, 9]);
        let pts: Vec<i64> = (5..10).map(|i| t.pts_of(i)).collect();
        assert_eq!(pts, vec![5, 6, 8, 10, 11]);
    }

    #[test]
    fn pts_of_inverts_slot() {
        let t = timeline((1, 90000), (24000, 1001));
        for i in [0u64, 1, 2, 23, 24, 1000, 86400] {
            assert_eq!(t.slot(t.pts_of(i)), i as i64);
        }
    }
}
