//! `matchcut preprocess FILE --index N --out DIR`: what the later stages see
//! of one frame (the letterboxed model input and the shot-detection
//! thumbnail as PNGs, and the HSV histogram), on the chosen path.

use anyhow::Context;
use matchcut::media::{self, DecodeMode, RgbImage};
use matchcut::preprocess::{self, BackendChoice, Config, Preprocessor, StreamFacts};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct PreprocessArgs {
    /// The video file.
    pub file: PathBuf,
    /// 0-based frame index on the title's constant-rate timeline.
    #[arg(long)]
    pub index: u64,
    /// Folder for model_input.png and thumbnail.png.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: PreprocessArgs, choice: BackendChoice) -> anyhow::Result<ExitCode> {
    let mut decoder = media::Decoder::probe_and_open(&args.file, DecodeMode::Full)?;
    let frame = decoder.seek_frame(args.index)?.frame;
    let converted = preprocess::supported(&frame).context("converting the frame")?;
    let frame = converted.as_ref().unwrap_or(&frame);
    let facts = StreamFacts::of(decoder.info());
    let view = preprocess::view(frame, facts).context("reading the frame's planes")?;
    let config = Config::default();
    let mut preprocessor = Preprocessor::new(config.clone(), preprocess::choose_backend(choice));
    let out = preprocessor.process(&[view]).clone();
    let backend = preprocessor
        .last_backend()
        .unwrap_or(preprocessor.backend());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the folder", args.out.display()))?;
    model_image(&config, &out.model_input).save_png(&args.out.join("model_input.png"))?;
    let thumb = RgbImage {
        width: config.thumb_width,
        height: config.thumb_height,
        data: out.thumb_rgb.clone(),
    };
    thumb.save_png(&args.out.join("thumbnail.png"))?;
    let report = serde_json::json!({
        "path": args.file, "index": args.index, "backend": format!("{backend:?}").to_lowercase(),
        "model_input": [1, 3, config.model_side, config.model_side],
        "thumbnail": [config.thumb_height, config.thumb_width, 3], "histogram": out.histograms,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

/// The normalised NCHW model input turned back into an 8-bit RGB image.
fn model_image(config: &Config, tensor: &[f32]) -> RgbImage {
    let side = config.model_side as usize;
    let plane = side * side;
    let mut data = Vec::with_capacity(plane * 3);
    for i in 0..plane {
        for c in 0..3 {
            let v = tensor[c * plane + i] * config.std[c] + config.mean[c];
            data.push(preprocess::cpu::to_byte(v.clamp(0.0, 1.0)));
        }
    }
    RgbImage {
        width: config.model_side,
        height: config.model_side,
        data,
    }
}
