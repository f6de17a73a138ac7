//! `probe` against `ffprobe` on generated fixtures and a real clip.

mod common;

use common::*;
use matchcut::media;

fn rate_of(stream: &serde_json::Value) -> String {
    stream["r_frame_rate"]
        .as_str()
        .expect("r_frame_rate")
        .to_string()
}

#[test]
fn probe_matches_ffprobe_on_constant_rate_files() {
    let mut files: Vec<_> = CFR_FIXTURES.iter().map(|f| fixture(f)).collect();
    files.push(bbb());
    for path in files {
        let info = media::probe(&path).unwrap_or_else(|e| panic!("{e}"));
        let doc = ffprobe(&path, true);
        let stream = video_stream(&doc);
        let name = path.display();
        assert_eq!(
            info.width,
            stream["width"].as_u64().expect("width") as u32,
            "{name}"
        );
        assert_eq!(
            info.height,
            stream["height"].as_u64().expect("height") as u32,
            "{name}"
        );
        assert_eq!(info.frame_rate.to_string(), rate_of(stream), "{name}");
        let counted: u64 = stream["nb_read_frames"]
            .as_str()
            .expect("count")
            .parse()
            .expect("int");
        assert_eq!(info.frame_count, counted, "{name}: frame count");
        assert_eq!(
            info.codec,
            stream["codec_name"].as_str().expect("codec"),
            "{name}"
        );
        assert_eq!(
            info.pixel_format,
            stream["pix_fmt"].as_str().expect("pix_fmt"),
            "{name}"
        );
        assert!(!info.variable_frame_rate, "{name} is constant-rate");
        let said = |key: &str| {
            stream[key]
                .as_str()
                .filter(|v| *v != "unknown")
                .unwrap_or("unknown")
                .to_string()
        };
        assert_eq!(info.color.matrix, said("color_space"), "{name}: matrix");
        assert_eq!(info.color.range, said("color_range"), "{name}: range");
        assert_eq!(
            info.color.primaries,
            said("color_primaries"),
            "{name}: primaries"
        );
        assert_eq!(
            info.color.transfer,
            said("color_transfer"),
            "{name}: transfer"
        );
        let sar = stream["sample_aspect_ratio"]
            .as_str()
            .filter(|s| !s.starts_with("0:") && *s != "N/A");
        assert_eq!(
            info.sample_aspect_ratio,
            sar.unwrap_or("1:1"),
            "{name}: SAR"
        );
        let ccw = stream["side_data_list"]
            .as_array()
            .and_then(|l| l.iter().find_map(|d| d["rotation"].as_i64()))
            .unwrap_or(0);
        assert_eq!(
            i64::from(info.rotation),
            (-ccw).rem_euclid(360),
            "{name}: rotation"
        );
        let all_streams = ffprobe(&path, false);
        let has_audio = all_streams["streams"]
            .as_array()
            .expect("streams")
            .iter()
            .any(|s| s["codec_type"] == "audio");
        assert_eq!(info.has_audio, has_audio, "{name}: audio");
    }
}

#[test]
fn start_timecodes_come_from_the_file() {
    let cases = [
        ("cfr_2997_tc.mp4", Some("01:00:00:00")),
        ("cfr_2997_df.mov", Some("00:00:59;00")),
        ("cfr_25_mpeg2.mxf", Some("10:00:00:00")),
        ("cfr_24.mkv", None),
    ];
    for (name, expected) in cases {
        let info = media::probe(&fixture(name)).expect("probe");
        assert_eq!(info.start_timecode.as_deref(), expected, "{name}");
    }
}

#[test]
fn drop_frame_timecode_skips_numbers_at_the_minute() {
    let info = media::probe(&fixture("cfr_2997_df.mov")).expect("probe");
    let timeline = info.timeline();
    assert_eq!(timeline.timecode_at(0), "00:00:59;00");
    assert_eq!(timeline.timecode_at(29), "00:00:59;29");
    assert_eq!(timeline.timecode_at(30), "00:01:00;02");
    let ndf = media::probe(&fixture("cfr_2997_tc.mp4"))
        .expect("probe")
        .timeline();
    assert_eq!(ndf.timecode_at(30), "01:00:01:00");
}

#[test]
fn colour_and_geometry_facts() {
    let full = media::probe(&fixture("color_bt709_full.mp4")).expect("probe");
    assert_eq!(
        (full.color.matrix.as_str(), full.color.range.as_str()),
        ("bt709", "pc")
    );
    let limited = media::probe(&fixture("color_bt601.mkv")).expect("probe");
    assert_eq!(
        (limited.color.matrix.as_str(), limited.color.range.as_str()),
        ("smpte170m", "tv")
    );
    let rotated = media::probe(&fixture("rotated_90.mp4")).expect("probe");
    assert_eq!(
        rotated.rotation, 270,
        "ffprobe's display matrix says 90° counter-clockwise"
    );
    let odd = media::probe(&fixture("vp9_odd_size.webm")).expect("probe");
    assert_eq!((odd.width, odd.height), (333, 187));
    let ten_bit = media::probe(&fixture("hevc_10bit.mp4")).expect("probe");
    assert_eq!(ten_bit.pixel_format, "yuv420p10le");
    assert_eq!(rotated.sample_aspect_ratio, "1:1");
}

#[test]
fn variable_rate_file_is_flagged_and_counted_on_its_timeline() {
    let path = fixture("vfr.mp4");
    let info = media::probe(&path).expect("probe");
    assert!(info.variable_frame_rate);
    // Every timestamp fits 30 fps: the timeline keeps that rate and the
    // dropped frames' slots show the frame before them.
    assert_eq!(info.frame_rate.to_string(), "30/1");
    let reference = ffmpeg_frames(&path, Some("fps=30"), info.width, info.height);
    assert_eq!(info.frame_count, reference.len() as u64);
}
