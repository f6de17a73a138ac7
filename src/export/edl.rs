//! CMX 3600 EDLs of a [`CutList`], written here so the details NLEs rely on
//! are right: an `FCM:` line that matches the timecodes, source timecode
//! counted from the media's own start timecode, drop frame only where the
//! media's timecode is drop frame (29.97 / 59.94), record timecode running on
//! from the chosen start, unique 8-character reels with the clip's name.
//!
//! An EDL has one rate. A clip whose source runs at another is *conformed*:
//! its source timecodes are the same moments counted in the record rate's
//! frames (what OpenTimelineIO's reader and the NLEs compute when they read
//! the list at the record rate), so its cut point lands within half a frame
//! of the one approved; the XML and OTIO files keep each clip's own rate.

use super::cutlist::{conform, Clip, CutList, Side, Source};
use super::{reels, ExportError};
use crate::media::TimecodeTrack;
use std::fmt::Write;

/// The most events a CMX 3600 list can number.
pub const MAX_EVENTS: usize = 999;

/// Whose conventions the comments follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum EdlStyle {
    /// `* FROM CLIP NAME:` and `* FROM CLIP:` with the file's path.
    #[default]
    Avid,
    /// `* FROM CLIP NAME:` only: Premiere names media "UNKNOWN" when it finds
    /// a source-file comment it does not expect.
    Premiere,
    /// `* FROM CLIP NAME:` and `* SOURCE FILE:` with the file's path.
    Resolve,
}

impl EdlStyle {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "avid" => Some(EdlStyle::Avid),
            "premiere" => Some(EdlStyle::Premiere),
            "resolve" => Some(EdlStyle::Resolve),
            _ => None,
        }
    }
}

fn fcm(drop_frame: bool) -> &'static str {
    if drop_frame {
        "FCM: DROP FRAME"
    } else {
        "FCM: NON-DROP FRAME"
    }
}

/// The EDL text of `cuts`.
pub fn write_edl(cuts: &CutList, style: EdlStyle) -> Result<String, ExportError> {
    if cuts.clips.len() > MAX_EVENTS {
        return Err(ExportError::TooManyEvents(cuts.clips.len()));
    }
    let record = cuts.record_timecode()?;
    let names: Vec<&str> = cuts.sources.iter().map(|s| s.name.as_str()).collect();
    let reels = reels::assign(&names);
    let title: String = one_line(&cuts.title)
        .chars()
        .filter(char::is_ascii)
        .take(70)
        .collect();
    let mut text = format!("TITLE: {title}\n{}\n\n", fcm(record.is_drop_frame()));
    let (mut mode, mut at) = (record.is_drop_frame(), 0u64);
    for (n, clip) in cuts.clips.iter().enumerate() {
        let source = &cuts.sources[clip.source];
        let source_tc = source_timecodes(cuts, clip, &record);
        if source_tc.0 != mode {
            mode = source_tc.0;
            text.push_str(fcm(mode));
            text.push('\n');
        }
        let event = Event {
            number: n + 1,
            reel: &reels[clip.source],
            source: source_tc.1,
            record: [record.at(at), record.at(at + clip.record_frames)],
        };
        at += clip.record_frames;
        write_event(&mut text, &event, clip, source, style);
        if cuts.conformed(clip) {
            let _ = writeln!(text, "* MATCHCUT CONFORMED FROM {} FPS", source.rate);
        }
        text.push('\n');
    }
    Ok(text)
}

/// Whether a clip's source timecodes are drop frame, and its in and
/// (exclusive) out: the source's own, or conformed to the record rate.
fn source_timecodes(cuts: &CutList, clip: &Clip, record: &TimecodeTrack) -> (bool, [String; 2]) {
    let source = &cuts.sources[clip.source];
    if !cuts.conformed(clip) {
        let timecode = source.timecode();
        let range = [
            timecode.at(clip.first),
            timecode.at(clip.first + clip.frames),
        ];
        return (timecode.is_drop_frame(), range);
    }
    let start = conform(source.frame_number(clip.first), source.rate, cuts.rate);
    let range = [
        record.label(start),
        record.label(start + clip.record_frames),
    ];
    (record.is_drop_frame(), range)
}

/// One event line's fields.
struct Event<'a> {
    number: usize,
    reel: &'a str,
    /// In and (exclusive) out timecodes.
    source: [String; 2],
    record: [String; 2],
}

fn write_event(text: &mut String, event: &Event, clip: &Clip, source: &Source, style: EdlStyle) {
    let [source_in, source_out] = &event.source;
    let [record_in, record_out] = &event.record;
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "{:03}  {:<8} {:<5} {:<8} {source_in} {source_out} {record_in} {record_out}",
        event.number, event.reel, "V", "C"
    );
    let _ = writeln!(text, "* FROM CLIP NAME: {}", one_line(&source.name));
    match style {
        EdlStyle::Avid => {
            let _ = writeln!(text, "* FROM CLIP: {}", one_line(&source.path));
        }
        EdlStyle::Resolve => {
            let _ = writeln!(text, "* SOURCE FILE: {}", one_line(&source.path));
        }
        EdlStyle::Premiere => {}
    }
    let side = match clip.side {
        Side::Out => "OUT",
        Side::In => "IN",
    };
    let _ = writeln!(text, "* MATCHCUT PAIR {} {side}", one_line(&clip.pair_id));
}

/// `text` as the rest of one EDL line: every control character and Unicode
/// line or paragraph separator becomes `_`, so a file name cannot end a
/// comment and start an event of its own.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::Rate;

    fn cuts(name: &str, path: &str, record_start: &str, rate: Rate, start: &str) -> CutList {
        let source = Source {
            path: path.into(),
            name: name.into(),
            rate,
            start_timecode: Some(start.into()),
            frame_count: 1000,
            size: None,
        };
        let clip = |side| Clip {
            source: 0,
            first: 10,
            frames: 20,
            record_frames: 20,
            pair_id: "0123abcd".into(),
            side,
        };
        CutList {
            title: "cuts\n001  X".into(),
            rate,
            sources: vec![source],
            clips: vec![clip(Side::Out), clip(Side::In)],
            record_start: record_start.into(),
        }
    }

    #[test]
    fn names_and_paths_cannot_break_a_line() {
        let name = "a\n003  EVIL     V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\r\u{2028}b.mov";
        let path = format!("/media/{name}");
        let list = cuts(
            name,
            &path,
            "01:00:00:00",
            Rate::new(25, 1).unwrap(),
            "00:00:00:00",
        );
        for style in [EdlStyle::Avid, EdlStyle::Premiere, EdlStyle::Resolve] {
            let text = write_edl(&list, style).unwrap();
            let events: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
                .collect();
            assert_eq!(events.len(), 2, "{text}");
            assert!(
                text.lines().all(|l| l.is_empty()
                    || l.starts_with("TITLE: ")
                    || l.starts_with("FCM: ")
                    || l.starts_with("* ")
                    || l.starts_with("00")),
                "{text}"
            );
            assert!(text.contains("* FROM CLIP NAME: a_003  EVIL"), "{text}");
            assert!(!text.contains('\r') && !text.contains('\u{2028}'));
        }
    }

    #[test]
    fn a_record_start_that_drop_frame_skips_is_refused() {
        let df = Rate::new(30000, 1001).unwrap();
        let list = cuts("a.mov", "/a.mov", "00:01:00;00", df, "00:00:00;00");
        let err = write_edl(&list, EdlStyle::Avid).unwrap_err().to_string();
        assert!(
            err.contains("00:01:00;00") && err.contains("00:01:00;02"),
            "{err}"
        );
        // Written with colons, it is still read in the record's drop mode.
        let colons = cuts("a.mov", "/a.mov", "00:01:00:00", df, "00:00:00;00");
        assert!(write_edl(&colons, EdlStyle::Avid).is_err());
        let fine = cuts("a.mov", "/a.mov", "00:01:00;02", df, "00:00:00;00");
        assert!(write_edl(&fine, EdlStyle::Avid)
            .unwrap()
            .contains("00:01:00;02 00:01:00;22"));
        let bad = cuts(
            "a.mov",
            "/a.mov",
            "01:00:00:25",
            Rate::new(25, 1).unwrap(),
            "00:00:00:00",
        );
        assert!(write_edl(&bad, EdlStyle::Avid).is_err());
    }
}
