//! Final Cut Pro 7 XML (`xmeml` version 4) of a [`CutList`], the XML that
//! Premiere Pro and DaVinci Resolve import and relink by path: one sequence
//! at the cut list's rate and record start, one video track, one `clipitem`
//! per cut side. A clip's `in` / `out` count its source's own frames at the
//! source's own rate, its `start` / `end` the sequence's, so a sequence
//! mixes rates exactly. Each file is described once (`pathurl`, rate,
//! duration, start timecode) and referred to by id after.

use super::cutlist::{CutList, Side, Source};
use super::ExportError;
use crate::media::Rate;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;
use std::path::Path;

type Xml = Writer<Vec<u8>>;

/// The XML text of `cuts`.
pub fn write_xmeml(cuts: &CutList) -> Result<String, ExportError> {
    let record = cuts.record_timecode()?;
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written: io::Result<()> = (|| {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::DocType(BytesText::from_escaped("xmeml")))?;
        w.create_element("xmeml")
            .with_attribute(("version", "4"))
            .write_inner_content(|w| {
                w.create_element("sequence")
                    .with_attribute(("id", "sequence-1"))
                    .write_inner_content(|w| {
                        text(w, "name", &cuts.title)?;
                        text(w, "duration", cuts.record_frames())?;
                        rate(w, cuts.rate)?;
                        timecode(w, cuts.rate, record.start_frame(), record.is_drop_frame())?;
                        media(w, cuts)
                    })?;
                Ok(())
            })?;
        Ok(())
    })();
    written.map_err(|e| ExportError::Format(e.to_string()))?;
    String::from_utf8(w.into_inner()).map_err(|e| ExportError::Format(e.to_string()))
}

fn text(w: &mut Xml, tag: &str, value: impl std::fmt::Display) -> io::Result<()> {
    w.create_element(tag)
        .write_text_content(BytesText::new(&value.to_string()))?;
    Ok(())
}

/// `<rate>`: whole frames a timecode second, and whether NTSC (x/1001).
fn rate(w: &mut Xml, rate: Rate) -> io::Result<()> {
    w.create_element("rate").write_inner_content(|w| {
        text(w, "timebase", rate.timecode_base())?;
        text(
            w,
            "ntsc",
            if rate.denom() == 1001 {
                "TRUE"
            } else {
                "FALSE"
            },
        )
    })?;
    Ok(())
}

/// `<timecode>` of frame number `frame` (frames since 00:00:00:00).
fn timecode(w: &mut Xml, at: Rate, frame: u64, drop_frame: bool) -> io::Result<()> {
    let separator = if drop_frame { ";" } else { ":" };
    let track = crate::media::TimecodeTrack::new(at, Some(&format!("00:00:00{separator}00")));
    w.create_element("timecode").write_inner_content(|w| {
        rate(w, at)?;
        text(w, "string", track.label(frame))?;
        text(w, "frame", frame)?;
        text(w, "displayformat", if drop_frame { "DF" } else { "NDF" })
    })?;
    Ok(())
}

fn samples(w: &mut Xml, at: Rate, size: Option<(u32, u32)>) -> io::Result<()> {
    w.create_element("samplecharacteristics")
        .write_inner_content(|w| {
            rate(w, at)?;
            if let Some((width, height)) = size {
                text(w, "width", width)?;
                text(w, "height", height)?;
            }
            text(w, "pixelaspectratio", "square")
        })?;
    Ok(())
}

fn media(w: &mut Xml, cuts: &CutList) -> io::Result<()> {
    let size = cuts.sources.iter().find_map(|s| s.size);
    w.create_element("media").write_inner_content(|w| {
        w.create_element("video").write_inner_content(|w| {
            w.create_element("format")
                .write_inner_content(|w| samples(w, cuts.rate, size))?;
            w.create_element("track")
                .write_inner_content(|w| clips(w, cuts))?;
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn clips(w: &mut Xml, cuts: &CutList) -> io::Result<()> {
    let mut described = vec![false; cuts.sources.len()];
    let mut at = 0u64;
    for (n, clip) in cuts.clips.iter().enumerate() {
        let source = &cuts.sources[clip.source];
        let side = if clip.side == Side::Out { "out" } else { "in" };
        w.create_element("clipitem")
            .with_attribute(("id", format!("clipitem-{}", n + 1).as_str()))
            .write_inner_content(|w| {
                text(w, "name", &source.name)?;
                text(w, "enabled", "TRUE")?;
                text(w, "duration", source.frame_count)?;
                rate(w, source.rate)?;
                text(w, "start", at)?;
                text(w, "end", at + clip.record_frames)?;
                text(w, "in", clip.first)?;
                text(w, "out", clip.first + clip.frames)?;
                let id = format!("file-{}", clip.source + 1);
                if std::mem::replace(&mut described[clip.source], true) {
                    w.create_element("file")
                        .with_attribute(("id", id.as_str()))
                        .write_empty()?;
                } else {
                    file(w, &id, source)?;
                }
                w.create_element("comments").write_inner_content(|w| {
                    text(
                        w,
                        "clipcommenta",
                        format!("matchcut pair {} {side}", clip.pair_id),
                    )
                })?;
                Ok(())
            })?;
        at += clip.record_frames;
    }
    Ok(())
}

fn file(w: &mut Xml, id: &str, source: &Source) -> io::Result<()> {
    let track = source.timecode();
    w.create_element("file")
        .with_attribute(("id", id))
        .write_inner_content(|w| {
            text(w, "name", &source.name)?;
            text(w, "pathurl", path_url(&source.path))?;
            rate(w, source.rate)?;
            text(w, "duration", source.frame_count)?;
            timecode(w, source.rate, track.start_frame(), track.is_drop_frame())?;
            w.create_element("media").write_inner_content(|w| {
                w.create_element("video")
                    .write_inner_content(|w| samples(w, source.rate, source.size))?;
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// `file://localhost/…`, percent-encoded, as Premiere writes it.
pub fn path_url(path: &str) -> String {
    let absolute = std::path::absolute(Path::new(path)).unwrap_or_else(|_| path.into());
    match url::Url::from_file_path(&absolute) {
        Ok(url) => url.as_str().replacen("file://", "file://localhost", 1),
        Err(()) => format!("file://localhost{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Clip, CutList, Source};

    #[test]
    fn paths_are_percent_encoded_file_urls() {
        assert_eq!(
            path_url("/media/day 2/a#b%.mov"),
            "file://localhost/media/day%202/a%23b%25.mov"
        );
    }

    #[test]
    fn names_are_escaped_and_files_described_once() {
        let source = Source {
            path: "/m/<a & b>.mov".into(),
            name: "<a & b>.mov".into(),
            rate: Rate::new(25, 1).unwrap(),
            start_timecode: Some("10:00:00:00".into()),
            frame_count: 500,
            size: Some((1920, 1080)),
        };
        let clip = |first, side| Clip {
            source: 0,
            first,
            frames: 50,
            record_frames: 50,
            pair_id: "p".into(),
            side,
        };
        let cuts = CutList {
            title: "T & U".into(),
            rate: source.rate,
            sources: vec![source],
            clips: vec![clip(0, Side::Out), clip(100, Side::In)],
            record_start: "01:00:00:00".into(),
        };
        let xml = write_xmeml(&cuts).unwrap();
        assert!(xml.contains("<name>T &amp; U</name>"), "{xml}");
        assert!(xml.contains("<name>&lt;a &amp; b&gt;.mov</name>"), "{xml}");
        assert_eq!(xml.matches("<pathurl>").count(), 1, "{xml}");
        assert!(xml.contains(r#"<file id="file-1"/>"#), "{xml}");
        assert!(xml.contains("<frame>900000</frame>"), "{xml}");
        assert!(xml.contains("<start>50</start>"), "{xml}");
    }
}
