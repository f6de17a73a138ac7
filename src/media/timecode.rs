//! SMPTE timecode for frame indices (SMPTE 12M: non-drop, and drop frame at
//! 29.97 and 59.94). Written here rather than taken from a crate: the one
//! candidate (`vtc` 0.1.14) formats some drop-frame values wrongly (frame
//! 1770 as `00:00:59;01`).

use super::rate::Rate;

/// Why a text is not a timecode of a track.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a valid timecode: {reason}")]
pub struct TimecodeError {
    pub text: String,
    pub reason: String,
}

/// Timecode of a title's timeline: its start timecode and rate.
#[derive(Clone, Debug)]
pub struct TimecodeTrack {
    /// Frames per timecode second (30 for 29.97).
    base: u64,
    /// Frame numbers dropped each minute except every tenth (0 for non-drop).
    dropped: u64,
    start_frames: u64,
}

impl TimecodeTrack {
    /// `start` is the title's embedded start timecode (`;` or `.` before the
    /// frames field means drop frame); `None` starts at 00:00:00:00 non-drop.
    /// Drop frame applies only to 29.97 and 59.94 (x000/1001 with a base
    /// divisible by 30); 23.976 is always non-drop.
    pub fn new(rate: Rate, start: Option<&str>) -> Self {
        let base = rate.timecode_base() as u64;
        let drop_requested = start.is_some_and(|s| s.contains(';') || s.contains('.'));
        let dropped = if drop_requested && rate.denom() == 1001 && base.is_multiple_of(30) {
            base / 15
        } else {
            0
        };
        let mut track = Self {
            base,
            dropped,
            start_frames: 0,
        };
        track.start_frames = start.and_then(|s| track.parse(s)).unwrap_or(0);
        track
    }

    /// The frame number (frames since 00:00:00:00) of index 0.
    pub fn start_frame(&self) -> u64 {
        self.start_frames
    }

    /// Whether timecode is written drop frame.
    pub fn is_drop_frame(&self) -> bool {
        self.dropped > 0
    }

    /// `HH:MM:SS:FF` (or `HH:MM:SS;FF` for drop frame) of a 0-based frame index.
    pub fn at(&self, index: u64) -> String {
        self.format(self.start_frames.saturating_add(index))
    }

    /// The frame number (frames since 00:00:00:00) of a timecode string,
    /// `None` when it is not a valid timecode of this track.
    pub fn parse(&self, text: &str) -> Option<u64> {
        self.parse_checked(text).ok()
    }

    /// The frame number (frames since 00:00:00:00) of `HH:MM:SS:FF` (or
    /// `;` / `.` before the frames), or why it names no frame of this track:
    /// a field out of range, or a drop-frame label that is skipped (frames
    /// 00 and 01, or 00 to 03 at 59.94, of each minute not divisible by
    /// ten).
    pub fn parse_checked(&self, text: &str) -> Result<u64, TimecodeError> {
        let invalid = |reason: String| TimecodeError {
            text: text.to_string(),
            reason,
        };
        let fields: Vec<u64> = text
            .split([':', ';', '.'])
            .map(|f| {
                let f = f.trim();
                let digits = !f.is_empty() && f.len() <= 2 && f.bytes().all(|b| b.is_ascii_digit());
                digits.then(|| f.parse().ok()).flatten()
            })
            .collect::<Option<_>>()
            .ok_or_else(|| invalid("expected HH:MM:SS:FF, two digits a field".into()))?;
        let [h, m, s, f] = fields[..] else {
            return Err(invalid("expected four fields, HH:MM:SS:FF".into()));
        };
        let limits = [(h, 24, "hours"), (m, 60, "minutes"), (s, 60, "seconds")];
        for (value, limit, name) in limits.into_iter().chain([(f, self.base, "frames")]) {
            if value >= limit {
                return Err(invalid(format!(
                    "{name} {value:02} out of range (0 to {})",
                    limit - 1
                )));
            }
        }
        if self.dropped > 0 && s == 0 && !m.is_multiple_of(10) && f < self.dropped {
            return Err(invalid(format!(
                "drop-frame timecode skips frames 00 to {:02} of each minute not divisible by 10; the first frame of that minute is {h:02}:{m:02}:00;{:02}",
                self.dropped - 1,
                self.dropped
            )));
        }
        let minutes = h * 60 + m;
        let nominal = (minutes * 60 + s) * self.base + f;
        Ok(nominal - self.dropped * (minutes - minutes / 10))
    }

    /// `HH:MM:SS:FF` (or `;` for drop frame) of a frame number (frames
    /// since 00:00:00:00), whatever this track's start.
    pub fn label(&self, frame_number: u64) -> String {
        self.format(frame_number)
    }

    fn format(&self, frame: u64) -> String {
        let day = self.base * 86_400 - self.dropped * (24 * 60 - 24 * 6);
        let mut n = frame % day;
        if self.dropped > 0 {
            let per_ten = self.base * 600 - self.dropped * 9;
            let per_minute = self.base * 60 - self.dropped;
            let (tens, rest) = (n / per_ten, n % per_ten);
            let skipped_minutes = if rest > self.dropped {
                (rest - self.dropped) / per_minute
            } else {
                0
            };
            n += self.dropped * (9 * tens + skipped_minutes);
        }
        let b = self.base;
        let sep = if self.dropped > 0 { ';' } else { ':' };
        format!(
            "{:02}:{:02}:{:02}{sep}{:02}",
            n / (b * 3600),
            n / (b * 60) % 60,
            n / b % 60,
            n % b
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(n: i64, d: i64) -> Rate {
        Rate::new(n, d).expect("valid rate")
    }

    #[test]
    fn non_drop_counts_from_start() {
        let t = TimecodeTrack::new(rate(25, 1), Some("01:00:00:00"));
        assert_eq!(t.at(0), "01:00:00:00");
        assert_eq!(t.at(25 * 61 + 3), "01:01:01:03");
    }

    #[test]
    fn drop_frame_skips_frame_numbers_each_minute() {
        let t = TimecodeTrack::new(rate(30000, 1001), Some("00:00:00;00"));
        assert!(t.is_drop_frame());
        assert_eq!(t.at(1770), "00:00:59;00");
        assert_eq!(t.at(1799), "00:00:59;29");
        assert_eq!(t.at(1800), "00:01:00;02");
        assert_eq!(t.at(17981), "00:09:59;29");
        // Every tenth minute keeps its frame numbers.
        assert_eq!(t.at(17982), "00:10:00;00");
        assert_eq!(t.at(17982 + 1800), "00:11:00;02");
    }

    #[test]
    fn drop_frame_parse_and_format_round_trip() {
        let t = TimecodeTrack::new(rate(30000, 1001), Some("00:00:00;00"));
        for n in (0..40_000u64).step_by(7) {
            assert_eq!(t.parse(&t.at(n)), Some(n), "{}", t.at(n));
        }
        let t60 = TimecodeTrack::new(rate(60000, 1001), Some("00:00:00;00"));
        assert_eq!(t60.at(3600), "00:01:00;04");
        assert_eq!(t60.parse("00:01:00;04"), Some(3600));
    }

    #[test]
    fn skipped_drop_frame_labels_and_out_of_range_fields_are_refused() {
        let t = TimecodeTrack::new(rate(30000, 1001), Some("00:00:00;00"));
        let err = t.parse_checked("00:01:00;00").unwrap_err();
        assert!(err.to_string().contains("00:01:00;02"), "{err}");
        assert!(t.parse_checked("00:01:00;01").is_err());
        assert_eq!(t.parse_checked("00:01:00;02"), Ok(1800));
        // Every tenth minute keeps frames 00 and 01.
        assert_eq!(t.parse_checked("00:10:00;00"), Ok(17982));
        let t60 = TimecodeTrack::new(rate(60000, 1001), Some("00:00:00;00"));
        assert!(t60.parse_checked("00:01:00;03").is_err());
        assert_eq!(t60.parse_checked("00:01:00;04"), Ok(3600));
        // Non-drop keeps every label.
        let nd = TimecodeTrack::new(rate(30000, 1001), None);
        assert_eq!(nd.parse_checked("00:01:00:00"), Ok(1800));
        for bad in [
            "24:00:00:00",
            "00:60:00:00",
            "00:00:60:00",
            "00:00:00:30",
            "1:2:3",
            "00:00:00:0x",
            "00:00:00:001",
            "",
        ] {
            assert!(nd.parse_checked(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn film_rate_is_never_drop_frame() {
        let t = TimecodeTrack::new(rate(24000, 1001), Some("00:59:59;23"));
        assert!(!t.is_drop_frame());
        assert_eq!(t.at(1), "01:00:00:00");
    }

    #[test]
    fn no_start_timecode_starts_at_zero_and_wraps_at_24_hours() {
        let t = TimecodeTrack::new(rate(24, 1), None);
        assert_eq!(t.at(24 * 3600), "01:00:00:00");
        assert_eq!(t.at(24 * 86_400 + 1), "00:00:00:01");
    }
}
