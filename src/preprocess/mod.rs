//! Frame preprocessing: decoded Y′CbCr frames → the small tensors later
//! stages read. Each frame yields:
//!
//! - the **model input**: the whole frame letterboxed into
//!   `model_side`×`model_side` at its display aspect (black bars), normalised
//!   with the model's mean and std, packed NCHW `f32` (`[N, 3, S, S]`);
//! - a **thumbnail** for shot detection: the frame stretched to
//!   `thumb_width`×`thumb_height` (48×27 by default), as 8-bit RGB (HWC) and
//!   as HSV `f32` (HWC, each in 0…1);
//! - a joint **HSV histogram** of the thumbnail (8 hues × 4 saturations × 4
//!   values, summing to 1);
//! - when asked, a **motion plane**: luma on a 64×36 grid in integers
//!   ([`motion`]), for motion at shot ends.
//!
//! All resizing is an exact area average of the Y, Cb and Cr planes,
//! followed by the stream's own matrix and range (see [`colour`] and
//! [`geometry`]). Two paths compute the same numbers: WGSL compute kernels
//! on the process's one wgpu device ([`gpu`]), and a multithreaded CPU path
//! ([`cpu`]). [`choose_backend`] picks one; the log says which and why.

pub mod colour;
pub mod cpu;
pub mod frame;
pub mod geometry;
pub mod gpu;
pub mod handoff;
pub mod motion;

pub use frame::{supported, view, FrameView, Layout, StreamFacts};

use rayon::prelude::*;

/// Sizes and normalisation of the outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub model_side: u32,
    pub mean: [f32; 3],
    pub std: [f32; 3],
    pub thumb_width: u32,
    pub thumb_height: u32,
    /// Which outputs to compute: shot detection needs thumbnails of every
    /// frame, the embedding model inputs of a few keyframes.
    pub want_model_input: bool,
    pub want_thumbnails: bool,
    /// The motion plane's size (display orientation), and whether wanted.
    pub motion_width: u32,
    pub motion_height: u32,
    pub want_motion: bool,
}

impl Default for Config {
    /// 224×224 with ImageNet mean and std; 48×27 thumbnails; both outputs;
    /// no motion plane (64×36 when asked).
    fn default() -> Self {
        Self {
            model_side: 224,
            mean: [0.485, 0.456, 0.406],
            std: [0.229, 0.224, 0.225],
            thumb_width: 48,
            thumb_height: 27,
            want_model_input: true,
            want_thumbnails: true,
            motion_width: 64,
            motion_height: 36,
            want_motion: false,
        }
    }
}

impl Config {
    /// Only the thumbnails, HSV and histograms.
    pub fn thumbnails_only() -> Self {
        Self {
            want_model_input: false,
            ..Self::default()
        }
    }

    /// Only the model input.
    pub fn model_input_only() -> Self {
        Self {
            want_thumbnails: false,
            ..Self::default()
        }
    }

    /// Floats of one frame's model input (0 when not wanted).
    pub fn model_len(&self) -> usize {
        if self.want_model_input {
            3 * (self.model_side * self.model_side) as usize
        } else {
            0
        }
    }

    /// Pixels of one thumbnail (0 when not wanted).
    pub fn thumb_pixels(&self) -> usize {
        if self.want_thumbnails {
            (self.thumb_width * self.thumb_height) as usize
        } else {
            0
        }
    }

    /// The same, with the motion plane.
    pub fn with_motion(self) -> Self {
        Self {
            want_motion: true,
            ..self
        }
    }

    /// Samples of one motion plane (0 when not wanted).
    pub fn motion_pixels(&self) -> usize {
        if self.want_motion {
            (self.motion_width * self.motion_height) as usize
        } else {
            0
        }
    }

    /// Histogram bins of one frame (0 when thumbnails are not wanted).
    pub fn histogram_len(&self) -> usize {
        if self.want_thumbnails {
            cpu::HISTOGRAM_BINS
        } else {
            0
        }
    }
}

/// The outputs of a batch of `frames` frames, concatenated frame by frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchOutputs {
    pub frames: usize,
    /// `[N, 3, S, S]`, normalised.
    pub model_input: Vec<f32>,
    /// `[N, H, W, 3]`, 8-bit RGB.
    pub thumb_rgb: Vec<u8>,
    /// `[N, H, W, 3]`, hue, saturation, value in 0…1.
    pub thumb_hsv: Vec<f32>,
    /// `[N, 128]`, each row summing to 1.
    pub histograms: Vec<f32>,
    /// `[N, H, W]` motion planes, samples as stored (see [`motion`]).
    pub motion: Vec<u16>,
}

/// One frame's share of a [`BatchOutputs`].
pub struct FrameOutputs<'a> {
    pub model_input: &'a mut [f32],
    pub thumb_rgb: &'a mut [u8],
    pub thumb_hsv: &'a mut [f32],
    pub histogram: &'a mut [f32],
    pub motion: &'a mut [u16],
}

impl BatchOutputs {
    /// Sizes the buffers for `frames` frames, reusing their allocations.
    pub fn resize(&mut self, frames: usize, config: &Config) {
        self.frames = frames;
        let px = config.thumb_pixels();
        self.model_input.resize(frames * config.model_len(), 0.0);
        self.thumb_rgb.resize(frames * px * 3, 0);
        self.thumb_hsv.resize(frames * px * 3, 0.0);
        self.histograms.resize(frames * config.histogram_len(), 0.0);
        self.motion.resize(frames * config.motion_pixels(), 0);
    }

    /// Copies all frames of `part` into this batch, from frame `start` on.
    pub fn copy_frames_from(&mut self, part: &BatchOutputs, start: usize, config: &Config) {
        fn copy<T: Copy>(dst: &mut [T], src: &[T], per_frame: usize, start: usize) {
            let at = start * per_frame;
            dst[at..at + src.len()].copy_from_slice(src);
        }
        let px = config.thumb_pixels();
        copy(
            &mut self.model_input,
            &part.model_input,
            config.model_len(),
            start,
        );
        copy(&mut self.thumb_rgb, &part.thumb_rgb, px * 3, start);
        copy(&mut self.thumb_hsv, &part.thumb_hsv, px * 3, start);
        copy(
            &mut self.histograms,
            &part.histograms,
            config.histogram_len(),
            start,
        );
        copy(
            &mut self.motion,
            &part.motion,
            config.motion_pixels(),
            start,
        );
    }

    /// Per-frame mutable views, in order (empty slices for unwanted outputs).
    pub fn per_frame(&mut self, config: &Config) -> Vec<FrameOutputs<'_>> {
        let n = self.frames;
        let px = config.thumb_pixels();
        split(&mut self.model_input, config.model_len(), n)
            .zip(split(&mut self.thumb_rgb, px * 3, n))
            .zip(split(&mut self.thumb_hsv, px * 3, n))
            .zip(split(&mut self.histograms, config.histogram_len(), n))
            .zip(split(&mut self.motion, config.motion_pixels(), n))
            .map(
                |((((model_input, thumb_rgb), thumb_hsv), histogram), motion)| FrameOutputs {
                    model_input,
                    thumb_rgb,
                    thumb_hsv,
                    histogram,
                    motion,
                },
            )
            .collect()
    }
}

/// `frames` consecutive chunks of `len` items, or `frames` empty slices.
fn split<T>(items: &mut [T], len: usize, frames: usize) -> Box<dyn Iterator<Item = &mut [T]> + '_> {
    if len == 0 {
        Box::new(std::iter::repeat_with(|| -> &mut [T] { &mut [] }).take(frames))
    } else {
        Box::new(items.chunks_mut(len))
    }
}

/// Which path computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Cpu,
    Gpu,
}

/// The user's wish: `--preprocess cpu|gpu|auto` or `MATCHCUT_PREPROCESS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BackendChoice {
    #[default]
    Auto,
    Cpu,
    Gpu,
}

impl BackendChoice {
    /// Parses `cpu`, `gpu` or `auto`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cpu" => Some(Self::Cpu),
            "gpu" => Some(Self::Gpu),
            "auto" | "" => Some(Self::Auto),
            _ => None,
        }
    }

    /// `MATCHCUT_PREPROCESS`, when set to a valid value.
    pub fn from_env() -> Option<Self> {
        std::env::var("MATCHCUT_PREPROCESS")
            .ok()
            .and_then(|v| Self::parse(&v))
    }
}

/// Picks the path: a forced choice wins; otherwise the GPU path when the
/// process's adapter is a real GPU, the CPU path when there is none or it is
/// a software rasteriser (lavapipe is several times slower than the CPU
/// loops). Logs the decision and the reason.
pub fn choose_backend(choice: BackendChoice) -> Backend {
    // A forced CPU path never starts the GPU (nor pays for it).
    let adapter = match choice {
        BackendChoice::Cpu => None,
        _ => gpu::GpuContext::shared().map(|g| g.info.clone()),
    };
    let (backend, why) = match (choice, &adapter) {
        (BackendChoice::Cpu, _) => (Backend::Cpu, "forced".to_string()),
        (BackendChoice::Gpu, Some(a)) => (Backend::Gpu, format!("forced, adapter {}", a.name)),
        (BackendChoice::Gpu, None) => (Backend::Cpu, "GPU forced but no adapter found".to_string()),
        (BackendChoice::Auto, None) => (Backend::Cpu, "no GPU adapter".to_string()),
        (BackendChoice::Auto, Some(a)) if a.device_type == wgpu::DeviceType::Cpu => (
            Backend::Cpu,
            format!("the only adapter, {}, is a software one", a.name),
        ),
        (BackendChoice::Auto, Some(a)) => (
            Backend::Gpu,
            format!("adapter {} ({:?})", a.name, a.device_type),
        ),
    };
    tracing::info!(?backend, reason = %why, "preprocessing path");
    backend
}

/// Preprocesses batches of frames on the chosen path, reusing buffers.
pub struct Preprocessor {
    config: Config,
    engine: Engine,
    outputs: BatchOutputs,
    /// The path that computed the last batch (the CPU after a fallback).
    last: Option<Backend>,
}

enum Engine {
    Cpu,
    Gpu(Box<gpu::GpuPreprocessor>),
}

impl Preprocessor {
    /// A preprocessor on `backend`; falls back to the CPU path (and says so)
    /// when the GPU path cannot start.
    pub fn new(config: Config, backend: Backend) -> Self {
        let engine = match backend {
            Backend::Cpu => Engine::Cpu,
            Backend::Gpu => match gpu::GpuPreprocessor::new(&config) {
                Ok(g) => Engine::Gpu(Box::new(g)),
                Err(e) => {
                    tracing::warn!(error = %e, "GPU preprocessing unavailable; using the CPU path");
                    Engine::Cpu
                }
            },
        };
        Self {
            config,
            engine,
            outputs: BatchOutputs::default(),
            last: None,
        }
    }

    /// The path batches are sent to.
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Cpu => Backend::Cpu,
            Engine::Gpu(_) => Backend::Gpu,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The path that computed the last batch, if any ran.
    pub fn last_backend(&self) -> Option<Backend> {
        self.last
    }

    /// Preprocesses a batch; the outputs live until the next call.
    /// A batch the GPU path cannot take (a frame over the device's upload
    /// limit, a lost device) is done on the CPU path instead, with a warning:
    /// both give the same numbers.
    pub fn process(&mut self, frames: &[FrameView]) -> &BatchOutputs {
        let gpu_result = match &mut self.engine {
            Engine::Cpu => None,
            Engine::Gpu(g) => Some(g.process(frames, &mut self.outputs)),
        };
        let ran = match gpu_result {
            Some(Ok(())) => Backend::Gpu,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "GPU preprocessing failed for a batch; using the CPU path");
                process_cpu(frames, &self.config, &mut self.outputs);
                Backend::Cpu
            }
            None => {
                process_cpu(frames, &self.config, &mut self.outputs);
                Backend::Cpu
            }
        };
        self.last = Some(ran);
        &self.outputs
    }
}

/// The CPU path over a batch, one frame per worker thread.
pub fn process_cpu(frames: &[FrameView], config: &Config, outputs: &mut BatchOutputs) {
    outputs.resize(frames.len(), config);
    let slots = outputs.per_frame(config);
    frames
        .par_iter()
        .zip(slots)
        .for_each_init(cpu::Scratch::default, |scratch, (view, out)| {
            cpu::process(view, config, out, scratch)
        });
}
