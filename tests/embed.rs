//! EfficientNet-Lite0 in Burn against the PyTorch original: the shipped
//! weights on committed frames must give PyTorch's logits (max abs diff ≤
//! 10⁻³) and top-1 class, and its pooled features, on the CPU backend and on
//! wgpu (lavapipe where there is no GPU). The reference outputs come from
//! `models/efficientnet-lite0/reference.py`. The object map (where the
//! network sees the subject) must follow the picture when it is mirrored.

use burn::tensor::{Device, Tensor, TensorData};
use matchcut::embed::{self, descriptor, weights, Embedder};
use matchcut::preprocess::BackendChoice;
use std::path::{Path, PathBuf};

fn parity_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/efficientnet-lite0/parity")
}

struct Reference {
    files: Vec<String>,
    top1: Vec<usize>,
    logits: Vec<Vec<f32>>,
    features: Vec<Vec<f32>>,
}

fn reference() -> Reference {
    let text =
        std::fs::read_to_string(parity_dir().join("reference.json")).expect("reference.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let frames = doc["frames"].as_array().expect("frames");
    let floats = |v: &serde_json::Value| -> Vec<f32> {
        v.as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_f64().expect("number") as f32)
            .collect()
    };
    Reference {
        files: frames
            .iter()
            .map(|f| f["file"].as_str().expect("file").to_string())
            .collect(),
        top1: frames
            .iter()
            .map(|f| f["top1"].as_u64().expect("top1") as usize)
            .collect(),
        logits: frames.iter().map(|f| floats(&f["logits"])).collect(),
        features: frames.iter().map(|f| floats(&f["features"])).collect(),
    }
}

/// The committed frames as the model's normalised NCHW input.
fn images(files: &[String], device: &Device) -> Tensor<4> {
    let mut data = Vec::new();
    for file in files {
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(parity_dir().join(file)).expect("png"),
        ));
        let mut reader = decoder.read_info().expect("png header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("png data");
        assert_eq!(
            (info.width, info.height, info.color_type),
            (224, 224, png::ColorType::Rgb)
        );
        for c in 0..3 {
            data.extend(
                buf[..224 * 224 * 3]
                    .iter()
                    .skip(c)
                    .step_by(3)
                    .map(|&v| (f32::from(v) - 127.0) / 128.0),
            );
        }
    }
    Tensor::from_data(TensorData::new(data, [files.len(), 3, 224, 224]), device)
}

fn rows(t: Tensor<2>) -> Vec<Vec<f32>> {
    let [_, d] = t.dims();
    let v: Vec<f32> = t.into_data().try_to_vec::<f32>().expect("f32");
    v.chunks(d).map(<[f32]>::to_vec).collect()
}

fn max_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

fn check_parity(device: Device) {
    let want = reference();
    let model = weights::load_shipped(&device).expect("built-in weights");
    let maps = model.features(images(&want.files, &device));
    let [n, c, ..] = maps.dims();
    let pooled = maps.mean_dim(3).mean_dim(2).reshape([n, c]);
    let features = rows(pooled.clone());
    let logits = rows(model.classify(pooled));
    let (dl, df) = (
        max_diff(&logits, &want.logits),
        max_diff(&features, &want.features),
    );
    eprintln!("max abs diff: logits {dl:.2e}, features {df:.2e}");
    assert!(dl <= 1e-3, "logits differ by {dl}");
    assert!(df <= 1e-3, "features differ by {df}");
    let top1: Vec<usize> = logits.iter().map(|l| argmax(l)).collect();
    assert_eq!(top1, want.top1);
}

#[test]
fn burn_matches_pytorch_on_the_cpu() {
    check_parity(embed::device(BackendChoice::Cpu).expect("cpu"));
}

#[test]
fn burn_matches_pytorch_on_wgpu() {
    check_parity(embed::device(BackendChoice::Gpu).expect("a wgpu adapter (lavapipe at least)"));
}

#[test]
fn descriptors_are_unit_length_and_see_where_the_subject_is() {
    let want = reference();
    let embedder = Embedder::new(embed::device(BackendChoice::Cpu).expect("cpu")).expect("model");
    let device = embedder.device().clone();
    let frames = images(&want.files, &device);
    let flipped = frames.clone().flip([3]);
    let d = rows(embedder.describe(Tensor::cat(vec![frames, flipped], 0)));
    assert_eq!(d[0].len(), descriptor::DIMS);
    const { assert!(descriptor::DIMS <= 512) };
    for v in &d {
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
    }
    let n = want.files.len();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    // The square crop (last file) flipped left to right: the same content,
    // mirrored layout, so it must be less similar than the frame to itself
    // but still closer than an unrelated layout would be.
    let square = want
        .files
        .iter()
        .position(|f| f.contains("square"))
        .expect("square crop");
    let mirrored = dot(&d[square], &d[n + square]);
    assert!(mirrored < 0.999, "flip changed nothing: {mirrored}");
    assert_eq!(embedder.runs(), 1);
}

/// Centred cosine of two maps.
fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let centred = |m: &[f32]| {
        let mean = m.iter().sum::<f32>() / m.len() as f32;
        m.iter().map(|v| v - mean).collect::<Vec<f32>>()
    };
    let (a, b) = (centred(a), centred(b));
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    dot(&a, &b) / (dot(&a, &a) * dot(&b, &b)).sqrt().max(1e-12)
}

#[test]
fn the_object_map_follows_the_subject_when_the_frame_is_mirrored() {
    let want = reference();
    let embedder = Embedder::new(embed::device(BackendChoice::Cpu).expect("cpu")).expect("model");
    let frames = images(&want.files, embedder.device());
    let n = want.files.len();
    let both = Tensor::cat(vec![frames.clone(), frames.flip([3])], 0);
    let flat: Vec<f32> = both.into_data().try_to_vec::<f32>().expect("f32");
    let described = embedder
        .describe_with_text(&flat, 2 * n)
        .expect("the model runs");
    let side = embed::objects::SIDE;
    let mirror = |m: &[f32]| -> Vec<f32> {
        (0..side * side)
            .map(|i| m[(i / side) * side + side - 1 - i % side])
            .collect()
    };
    let mut off_centre = 0;
    for (i, file) in want.files.iter().enumerate() {
        let (map, flipped) = (&described[i].objects, &described[n + i].objects);
        assert_eq!(map.len(), side * side);
        let follows = correlation(&mirror(map), flipped);
        let stays = correlation(map, flipped);
        eprintln!("{file}: mirrored {follows:.3}, unmoved {stays:.3}");
        assert!(
            follows > 0.85,
            "{file}: the map did not follow the picture ({follows})"
        );
        off_centre += usize::from(stays < follows - 0.2);
    }
    // Some subject is off centre, so a map that ignored the picture (or
    // the mirror) would fail above.
    assert!(off_centre >= 2, "{off_centre}");
}
