//! CMX 3600 EDLs of a [`CutList`], written here so the details NLEs rely on
//! are right: an `FCM:` line that matches the timecodes, source timecode
//! counted from the media's own start timecode, drop frame only where the
//! media's timecode is drop frame (29.97 / 59.94), record timecode running on
//! from the chosen start, unique 8-character reels with the clip's name.

use super::cutlist::{Clip, CutList, Side, Source};
use super::{reels, ExportError};
use std::fmt::Write;

/// The most events a CMX 3600 list can number.
pub const MAX_EVENTS: usize = 999;

/// Whose conventions the comments follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
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
    let record = cuts
        .record_timecode()
        .ok_or_else(|| ExportError::RecordStart(cuts.record_start.clone()))?;
    let names: Vec<&str> = cuts.sources.iter().map(|s| s.name.as_str()).collect();
    let reels = reels::assign(&names);
    let title: String = cuts
        .title
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .take(70)
        .collect();
    let mut text = format!("TITLE: {title}\n{}\n\n", fcm(record.is_drop_frame()));
    let (mut mode, mut at) = (record.is_drop_frame(), 0u64);
    for (n, clip) in cuts.clips.iter().enumerate() {
        let source = &cuts.sources[clip.source];
        let timecode = source.timecode();
        if timecode.is_drop_frame() != mode {
            mode = timecode.is_drop_frame();
            text.push_str(fcm(mode));
            text.push('\n');
        }
        let event = Event {
            number: n + 1,
            reel: &reels[clip.source],
            source: [
                timecode.at(clip.first),
                timecode.at(clip.first + clip.frames),
            ],
            record: [record.at(at), record.at(at + clip.frames)],
        };
        at += clip.frames;
        write_event(&mut text, &event, clip, source, style);
    }
    Ok(text)
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
    let _ = writeln!(text, "* FROM CLIP NAME: {}", source.name);
    match style {
        EdlStyle::Avid => {
            let _ = writeln!(text, "* FROM CLIP: {}", source.path);
        }
        EdlStyle::Resolve => {
            let _ = writeln!(text, "* SOURCE FILE: {}", source.path);
        }
        EdlStyle::Premiere => {}
    }
    let side = match clip.side {
        Side::Out => "OUT",
        Side::In => "IN",
    };
    let _ = writeln!(text, "* MATCHCUT PAIR {} {side}\n", clip.pair_id);
}
