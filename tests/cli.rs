//! The CLI contract (CLI.md): `probe --json` fields and `frame` output.

mod common;

use common::*;

#[test]
fn probe_json_has_the_contract_fields() {
    let stdout = stdout_of(
        matchcut()
            .args(["probe", "--json"])
            .arg(fixture("cfr_2997_df.mov")),
    );
    let doc: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON on stdout only");
    let info = &doc[0];
    for field in [
        "path",
        "container",
        "codec",
        "width",
        "height",
        "sample_aspect_ratio",
        "rotation",
        "pixel_format",
        "color",
        "frame_rate",
        "time_base",
        "frame_count",
        "duration_secs",
        "variable_frame_rate",
        "start_timecode",
        "has_audio",
    ] {
        assert!(info.get(field).is_some(), "missing {field}");
    }
    for field in ["matrix", "range", "primaries", "transfer"] {
        assert!(info["color"].get(field).is_some(), "missing color.{field}");
    }
    assert_eq!(info["frame_rate"], "30000/1001");
    assert_eq!(info["start_timecode"], "00:00:59;00");
    assert_eq!(info["frame_count"], 90);
}

#[test]
fn frame_writes_the_png_ffmpeg_would() {
    let path = fixture("rotated_90.mp4");
    let out_png = std::env::temp_dir().join("matchcut-cli-frame.png");
    stdout_of(
        matchcut()
            .arg("frame")
            .arg(&path)
            .args(["--index", "37", "--out"])
            .arg(&out_png),
    );
    let decoded = read_png(&out_png);
    assert_eq!(
        (decoded.width, decoded.height),
        (240, 320),
        "turned upright"
    );
    let reference = ffmpeg_frames(&path, None, 240, 320);
    let psnr = decoded.psnr(&reference[37]).expect("same size");
    assert!(psnr > 50.0, "PSNR {psnr:.1} dB");
}

fn read_png(path: &std::path::Path) -> matchcut::media::RgbImage {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("open png"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut data = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut data).expect("png data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    data.truncate(info.buffer_size());
    matchcut::media::RgbImage {
        width: info.width,
        height: info.height,
        data,
    }
}

#[test]
fn titles_lists_the_sample_library() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let stdout = stdout_of(matchcut().args(["titles", "--json"]).arg(&samples));
    let doc: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON");
    let names: Vec<&str> = doc
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|t| t["file_name"].as_str())
        .collect();
    assert!(names.contains(&"big_buck_bunny_720p_5s.mp4"), "{names:?}");
}

#[test]
fn preprocess_writes_what_later_stages_see_on_either_path() {
    let mut histograms = Vec::new();
    for path in ["cpu", "gpu"] {
        let out = std::env::temp_dir().join(format!("matchcut-cli-preprocess-{path}"));
        let stdout = stdout_of(
            matchcut()
                .args(["preprocess", "--preprocess", path, "--index", "60", "--out"])
                .arg(&out)
                .arg(bbb()),
        );
        let doc: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON");
        assert_eq!(doc["backend"], path);
        let model = read_png(&out.join("model_input.png"));
        assert_eq!((model.width, model.height), (224, 224));
        // 16:9 letterboxed: the top rows are the black bar.
        assert!(model.data[..224 * 3 * 40].iter().all(|&v| v == 0));
        assert_eq!((read_png(&out.join("thumbnail.png")).width), 48);
        let hist: Vec<f64> = serde_json::from_value(doc["histogram"].clone()).expect("histogram");
        assert!((hist.iter().sum::<f64>() - 1.0).abs() < 1e-4);
        histograms.push(hist);
    }
    let moved: f64 = histograms[0]
        .iter()
        .zip(&histograms[1])
        .map(|(a, b)| (a - b).abs())
        .sum();
    assert!(moved <= 2.0 / 1296.0 + 1e-6, "paths disagree: {moved}");
}

#[test]
fn probing_the_gpu_headless_prints_no_stray_error_lines() {
    let out = matchcut()
        .env_remove("XDG_RUNTIME_DIR")
        .args(["preprocess", "--preprocess", "gpu", "--index", "0", "--out"])
        .arg(std::env::temp_dir().join("matchcut-cli-headless"))
        .arg(bbb())
        .output()
        .expect("run");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn an_unknown_preprocessing_path_is_refused() {
    let out = matchcut()
        .args([
            "preprocess",
            "--preprocess",
            "tpu",
            "--index",
            "0",
            "--out",
            "/tmp/x",
        ])
        .arg(bbb())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected auto, cpu or gpu"));
}

#[test]
fn embed_prints_a_unit_descriptor_of_the_frame() {
    let stdout = stdout_of(
        matchcut()
            .args([
                "--device",
                "cpu",
                "--preprocess",
                "cpu",
                "embed",
                "--index",
                "60",
            ])
            .arg(bbb()),
    );
    let doc: serde_json::Value = serde_json::from_slice(&stdout).expect("JSON on stdout only");
    let vector: Vec<f64> = doc["vector"]
        .as_array()
        .expect("vector")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    assert_eq!(doc["dims"], vector.len());
    assert_eq!(vector.len(), matchcut::embed::DIMS);
    let norm = vector.iter().map(|x| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
}

/// `--decode gpu` where FFmpeg has no CUDA device: each title fails with the
/// file named and the reason, and the batch goes on to the next title. (On
/// a machine with NVDEC both titles are analysed.)
#[test]
fn forced_hardware_decoding_without_a_gpu_names_the_title_and_goes_on() {
    let library = tempfile_dir("matchcut-cli-hwdecode");
    let other = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/bbb-sky.mp4");
    let out = matchcut_on_cpu()
        .args(["--decode", "gpu", "scan", "--json", "--library"])
        .arg(&library)
        .arg(bbb())
        .arg(&other)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let titles = doc["titles"].as_array().expect("titles");
    assert_eq!(titles.len(), 2, "{doc}");
    if titles.iter().all(|t| t["status"] == "analysed") {
        return; // this machine decodes on an NVIDIA GPU
    }
    assert!(!out.status.success());
    let name = bbb().display().to_string();
    assert!(
        stderr.contains(&name) && stderr.contains("hardware decoding was asked for"),
        "{stderr}"
    );
    assert!(titles.iter().all(|t| t["status"] != "analysed"), "{doc}");
}

#[test]
fn bench_model_prints_a_rate_per_batch_and_refuses_a_batch_it_cannot_hold() {
    let stdout =
        stdout_of(matchcut_on_cpu().args(["bench-model", "--batch", "1", "--seconds", "0"]));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "descriptor and scan work");
    for line in &lines {
        assert_eq!(line["batch"], 1);
        assert!(
            line["keyframes_per_second"]
                .as_f64()
                .is_some_and(|r| r > 0.0),
            "{line}"
        );
    }
    let out = matchcut_on_cpu()
        .args(["bench-model", "--batch", "4096"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--batch 4096"));
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
