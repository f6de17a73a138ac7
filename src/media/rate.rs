//! Exact rational numbers for frame rates and time bases, written `"num/den"`.

use num_rational::Rational64;
use serde::{Serialize, Serializer};
use std::fmt;

/// A rational frame rate or time base. Never a float: frame rates such as
/// 24000/1001 must stay exact for frame-accurate arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rate(pub Rational64);

/// The rates an NTSC or film deliverable uses; a measured average rate within
/// [`SNAP_TOLERANCE`] of one of these is taken to be that rate.
const STANDARD_RATES: [(i64, i64); 11] = [
    (24000, 1001),
    (24, 1),
    (25, 1),
    (30000, 1001),
    (30, 1),
    (48, 1),
    (50, 1),
    (60000, 1001),
    (60, 1),
    (120, 1),
    (15, 1),
];
const SNAP_TOLERANCE: f64 = 0.005;

impl Rate {
    /// Used only when a stream states no rate at all.
    pub const FALLBACK: Rate = Rate(Rational64::new_raw(25, 1));

    pub fn new(num: i64, den: i64) -> Option<Self> {
        (num > 0 && den > 0).then(|| Self(Rational64::new(num, den)))
    }

    /// Reads `"num/den"` (or a whole number), as [`Rate`] writes itself.
    pub fn parse(text: &str) -> Option<Self> {
        let (num, den) = text.split_once('/').unwrap_or((text, "1"));
        Self::new(num.trim().parse().ok()?, den.trim().parse().ok()?)
    }

    pub fn from_ffmpeg(r: ffmpeg_next::Rational) -> Option<Self> {
        Self::new(i64::from(r.numerator()), i64::from(r.denominator()))
    }

    pub fn numer(&self) -> i64 {
        *self.0.numer()
    }

    pub fn denom(&self) -> i64 {
        *self.0.denom()
    }

    /// For display and tolerance checks only; never for frame arithmetic.
    pub fn approx(&self) -> f64 {
        self.numer() as f64 / self.denom() as f64
    }

    /// Whether two rates agree within a relative tolerance.
    pub fn close_to(&self, other: Rate, tolerance: f64) -> bool {
        ((self.approx() - other.approx()) / other.approx()).abs() <= tolerance
    }

    /// The nearest standard rate if this one lies within 0.5 % of it,
    /// otherwise this rate rounded to 1/1000 frame per second.
    pub fn snapped(&self) -> Rate {
        let off = |std: &Rate| ((self.approx() - std.approx()) / std.approx()).abs();
        STANDARD_RATES
            .iter()
            .filter_map(|&(n, d)| Rate::new(n, d))
            .filter(|std| self.close_to(*std, SNAP_TOLERANCE))
            .min_by(|a, b| off(a).total_cmp(&off(b)))
            .unwrap_or_else(|| {
                let millis = (self.approx() * 1000.0).round().max(1.0) as i64;
                Rate(Rational64::new(millis, 1000))
            })
    }

    /// As editors write it: `25`, `23.976`, `29.97`.
    pub fn label(&self) -> String {
        if self.denom() == 1 {
            return self.numer().to_string();
        }
        let text = format!("{:.3}", self.approx());
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }

    /// The integer frame count per timecode second (30 for 29.97).
    pub fn timecode_base(&self) -> i64 {
        (self.approx().round() as i64).max(1)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numer(), self.denom())
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_writes() {
        let r = Rate::new(24000, 1001).unwrap();
        assert_eq!(Rate::parse(&r.to_string()), Some(r));
        assert_eq!(Rate::parse("25"), Rate::new(25, 1));
        assert_eq!(Rate::parse("0/1"), None);
        assert_eq!(Rate::parse("x/1"), None);
    }

    #[test]
    fn snaps_measured_rates_to_standard_ones() {
        let r = Rate::new(2997, 100).map(|r| r.snapped());
        assert_eq!(r, Rate::new(30000, 1001));
        assert_eq!(Rate::new(60, 1).map(|r| r.snapped()), Rate::new(60, 1));
        let odd = Rate::new(2741, 100).map(|r| r.snapped());
        assert_eq!(odd, Rate::new(27410, 1000));
    }

    #[test]
    fn displays_as_fraction() {
        assert_eq!(
            Rate::new(48000, 2002).map(|r| r.to_string()).as_deref(),
            Some("24000/1001")
        );
    }
}
