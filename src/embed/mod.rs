//! Frame embeddings: EfficientNet-Lite0 in Burn, reduced to a compact
//! descriptor of what a frame shows and where ([`descriptor`]).
//!
//! Input: the preprocessor's model input with [`preprocess_config`]
//! (224×224 letterboxed RGB, `(v − 127) / 128` as the Lite models were
//! trained). Output: one [`descriptor::DIMS`]-long unit vector per frame.
//! The model runs on the CPU (Burn's `flex` backend) or on the process's
//! wgpu device, the one preprocessing uses ([`device`]).

pub mod depthwise;
pub mod descriptor;
pub mod model;
pub mod objects;
pub mod saliency;
pub mod text;
pub mod throughput;
pub mod weights;

use crate::preprocess::{self, gpu::GpuContext, handoff, BackendChoice};
use burn::tensor::{Device, Tensor, TensorData};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use descriptor::{Projection, DIMS};
pub use model::{EfficientNetLite, EfficientNetLiteConfig};

/// Identifies the model and its weights (part of the feature cache key).
pub const MODEL_ID: &str = "efficientnet-lite0/imagenet@1";
/// Frames a batch of the model holds on a GPU.
pub const GPU_BATCH: usize = 16;
/// Normalisation the Lite models were trained with, on 0…1 values.
pub const MEAN: [f32; 3] = [127.0 / 255.0; 3];
pub const STD: [f32; 3] = [128.0 / 255.0; 3];

/// Why the embedding stage cannot run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{}: cannot load the model weights: {reason}", path.display())]
    Weights { path: PathBuf, reason: String },
    #[error("no usable device for the model: {0}")]
    Device(String),
    #[error("the model's device failed: {0}")]
    Failed(String),
}

impl EmbedError {
    pub(crate) fn weights(path: &Path, reason: impl std::fmt::Display) -> Self {
        Self::Weights {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// The preprocessing the model expects: model input only, Lite normalisation.
pub fn preprocess_config() -> preprocess::Config {
    preprocess::Config {
        mean: MEAN,
        std: STD,
        ..preprocess::Config::model_input_only()
    }
}

/// The Burn device for `choice` (`--device`, `MATCHCUT_DEVICE`): the
/// process's shared wgpu device when forced, or in `auto` when it is a real
/// GPU (not a software rasteriser); otherwise Burn's `flex` CPU backend.
pub fn device(choice: BackendChoice) -> Result<Device, EmbedError> {
    let gpu = |ctx: std::sync::Arc<GpuContext>| {
        handoff::burn_device(&ctx).map_err(|e| EmbedError::Device(e.to_string()))
    };
    match choice {
        BackendChoice::Cpu => Ok(Device::flex()),
        BackendChoice::Gpu => {
            gpu(GpuContext::shared().ok_or_else(|| EmbedError::Device("no GPU adapter".into()))?)
        }
        BackendChoice::Auto => match GpuContext::shared() {
            Some(ctx) if ctx.info.device_type != wgpu::DeviceType::Cpu => gpu(ctx),
            _ => Ok(Device::flex()),
        },
    }
}

/// The model and the descriptor projections, on one device.
pub struct Embedder {
    model: EfficientNetLite,
    projection: Projection,
    saliency: saliency::Head,
    device: Device,
    runs: AtomicU64,
}

impl Embedder {
    /// Loads the built-in weights onto `device`.
    pub fn new(device: Device) -> Result<Self, EmbedError> {
        let model = weights::load_shipped(&device)?;
        Ok(Self::with_model(model, device))
    }

    /// An embedder around a given network (e.g. one loaded from PyTorch).
    pub fn with_model(model: EfficientNetLite, device: Device) -> Self {
        let saliency = saliency::Head::shipped(&device).unwrap_or_else(|reason| {
            tracing::warn!("the saliency head did not load ({reason}); frames get no saliency map");
            saliency::Head::new(&[0.0; saliency::CHANNELS], 0.0, &device)
        });
        Self {
            projection: Projection::new(1280, &device),
            saliency,
            model,
            device,
            runs: AtomicU64::new(0),
        }
    }

    pub fn model(&self) -> &EfficientNetLite {
        &self.model
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// How many frames to give the model at once on this device. On the
    /// CPU one: a batch gains nothing there (the convolutions are as
    /// efficient per frame), and its activations (77 MB for one layer of
    /// 16 frames) are each a fresh mapping glibc zeroes page by page, which
    /// cost a scan of the 10-minute film 18 s of system time. A GPU takes
    /// the batch in one dispatch per layer.
    pub fn batch_size(&self) -> usize {
        if self.device == Device::flex() {
            1
        } else {
            GPU_BATCH
        }
    }

    /// How many batches the model has run (the memoisation tests count them).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// `[N, 3, 224, 224]` normalised images → `[N, DIMS]` descriptors.
    pub fn describe(&self, images: Tensor<4>) -> Tensor<2> {
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.projection.describe(self.model.features(images))
    }

    /// Descriptors of `n` model inputs laid out NCHW in `inputs`.
    pub fn describe_slice(&self, inputs: &[f32], n: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self
            .describe_with_text(inputs, n)?
            .into_iter()
            .map(|d| d.vector)
            .collect())
    }

    /// Descriptors of `n` model inputs laid out NCHW in `inputs`, with how
    /// likely each frame is text or graphics ([`text`]), where the network
    /// sees its subject ([`objects`]) and how salient each place is
    /// ([`saliency`]), from one run of the network.
    /// A device that fails (out of memory, lost) is an error, not a panic.
    pub fn describe_with_text(
        &self,
        inputs: &[f32],
        n: usize,
    ) -> Result<Vec<Described>, EmbedError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let side = (inputs.len() / (3 * n)).isqrt();
        let images = Tensor::from_data(
            TensorData::new(inputs.to_vec(), [n, 3, side, side]),
            &self.device,
        );
        self.runs.fetch_add(1, Ordering::Relaxed);
        let (maps, middle) = self.model.features_and_middle(images);
        let salient = self.saliency.maps(middle)?;
        let [batch, channels, ..] = maps.dims();
        let pooled = maps
            .clone()
            .mean_dim(3)
            .mean_dim(2)
            .reshape([batch, channels]);
        let probabilities = class_probabilities(self.model.classify(pooled))?;
        let mut text = text::probability(&probabilities);
        text::lettering(&mut text, maps.clone(), &self.model.fc)?;
        let objects = objects::maps(maps.clone(), &probabilities, self.model.fc.weight.val())?;
        let regions = objects::regions(maps.clone(), &objects)?;
        let vectors = read_back(self.projection.describe(maps))?;
        Ok(vectors
            .chunks(DIMS)
            .zip(text)
            .zip(objects)
            .zip(regions)
            .zip(salient)
            .map(|((((v, text), objects), regions), salient)| Described {
                vector: v.to_vec(),
                text,
                objects,
                regions,
                salient,
            })
            .collect())
    }
}

/// A tensor's values on the CPU (all of them, row-major), or why its device
/// could not give them.
pub(crate) fn read_back<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, EmbedError> {
    tensor
        .try_into_data()
        .map_err(|e| EmbedError::Failed(e.to_string()))?
        .try_to_vec::<f32>()
        .map_err(|e| EmbedError::Failed(format!("{e:?}")))
}

/// Each row of ImageNet logits (`[N, K]`) as class probabilities (N rows
/// of K).
pub fn class_probabilities(logits: Tensor<2>) -> Result<Vec<Vec<f32>>, EmbedError> {
    let [_, classes] = logits.dims();
    let flat = read_back(burn::tensor::activation::softmax(logits, 1))?;
    Ok(flat.chunks(classes).map(<[f32]>::to_vec).collect())
}

/// What the embedder says of one frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Described {
    /// The match-cut descriptor ([`descriptor`]).
    pub vector: Vec<f32>,
    /// How likely the frame is text or graphics, 0…1 ([`text`]).
    pub text: f32,
    /// Where the network sees the frame's subject ([`objects`]): a
    /// row-major [`objects::SIDE`]² map over the square model input.
    pub objects: Vec<f32>,
    /// The features of its subject, then of the subject's surroundings
    /// ([`objects::regions`]), each of unit length; empty when the network
    /// singles out nothing.
    pub regions: Vec<f32>,
    /// How salient each place is ([`saliency`]): a row-major
    /// [`saliency::SIDE`]² map over the square model input.
    pub salient: Vec<f32>,
}
