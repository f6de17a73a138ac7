//! OpenTimelineIO JSON (`.otio`) of a [`CutList`]: one timeline, one video
//! track, one clip per cut side with an external media reference (the
//! file's path and its available range at its own timecode) and a source
//! range at the media's timecode, each at its source's own rate (a sequence
//! may mix rates).

use super::cutlist::{CutList, Side, Source};
use super::ExportError;
use serde_json::{json, Value};

fn time(value: u64, rate: f64) -> Value {
    json!({ "OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": value as f64 })
}

fn range(start: u64, duration: u64, rate: f64) -> Value {
    json!({
        "OTIO_SCHEMA": "TimeRange.1",
        "start_time": time(start, rate),
        "duration": time(duration, rate),
    })
}

fn reference(source: &Source) -> Value {
    let rate = source.rate.approx();
    json!({
        "OTIO_SCHEMA": "ExternalReference.1",
        "name": source.name,
        "metadata": {},
        "available_range": range(source.timecode().start_frame(), source.frame_count, rate),
        "available_image_bounds": null,
        "target_url": source.path,
    })
}

fn item(schema: &str, name: &str, children: Vec<Value>) -> Value {
    let mut item = json!({
        "OTIO_SCHEMA": schema,
        "name": name,
        "metadata": {},
        "source_range": null,
        "effects": [],
        "markers": [],
        "enabled": true,
        "children": children,
    });
    if schema == "Track.1" {
        item["kind"] = json!("Video");
    }
    item
}

/// The `.otio` document of `cuts`.
pub fn write_otio(cuts: &CutList) -> Result<Value, ExportError> {
    let record_start = cuts.record_start_frames()?;
    let clips = cuts
        .clips
        .iter()
        .map(|clip| {
            let source = &cuts.sources[clip.source];
            let side = if clip.side == Side::Out { "out" } else { "in" };
            let start = source.frame_number(clip.first);
            json!({
                "OTIO_SCHEMA": "Clip.2",
                "name": source.name,
                "metadata": { "matchcut": { "pair_id": clip.pair_id, "side": side } },
                "source_range": range(start, clip.frames, source.rate.approx()),
                "effects": [],
                "markers": [],
                "enabled": true,
                "media_references": { "DEFAULT_MEDIA": reference(source) },
                "active_media_reference_key": "DEFAULT_MEDIA",
            })
        })
        .collect();
    let track = item("Track.1", "V1", clips);
    Ok(json!({
        "OTIO_SCHEMA": "Timeline.1",
        "name": cuts.title,
        "metadata": {},
        "global_start_time": time(record_start, cuts.rate.approx()),
        "tracks": item("Stack.1", "tracks", vec![track]),
    }))
}
