//! The GPU path: WGSL kernels from `shaders/` on the process's one wgpu
//! device. A batch goes up as one buffer of planes; each stage is one
//! dispatch over the whole batch; buffers are reused and grow only when a
//! batch needs more; results come back only because the caller asked for
//! them on the CPU.

use super::frame::{FrameView, Plane, Samples};
use super::geometry::letterbox;
use super::{BatchOutputs, Config};
use bytemuck::{Pod, Zeroable};
use std::sync::{Arc, OnceLock};

/// Why the GPU path could not run.
#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    #[error("the GPU device could not be created: {0}")]
    Device(String),
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
}

/// The process's one wgpu device, shared by preprocessing and (later) Burn,
/// whose `WgpuSetup` takes exactly these four handles.
pub struct GpuContext {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
}

impl GpuContext {
    /// The shared device, created on first use; `None` without an adapter.
    pub fn shared() -> Option<Arc<GpuContext>> {
        static SHARED: OnceLock<Option<Arc<GpuContext>>> = OnceLock::new();
        SHARED
            .get_or_init(|| match pollster::block_on(Self::create()) {
                Ok(ctx) => Some(Arc::new(ctx)),
                Err(e) => {
                    tracing::info!(error = %e, "no wgpu device");
                    None
                }
            })
            .clone()
    }

    async fn create() -> Result<Self, GpuError> {
        // Vulkan, Metal or DX12 (lavapipe where there is no GPU), unless
        // `WGPU_BACKEND` says otherwise: probing OpenGL on a machine without
        // a GPU driver logs an EGL error for what is an expected condition.
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
        descriptor.backends = wgpu::Backends::PRIMARY;
        let instance = wgpu::Instance::new(descriptor.with_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("matchcut"),
                // What Burn's kernels may use (CubeCL decides from the
                // adapter's features, so the shared device enables them all,
                // as CubeCL's own device would), less wgpu's experimental
                // ones (mesh shaders, ray tracing, cooperative matrices),
                // which wgpu refuses unless its experimental mode is on.
                required_features: adapter.features().difference(
                    wgpu::Features::MAPPABLE_PRIMARY_BUFFERS
                        | wgpu::Features::all_experimental_mask(),
                ),
                required_limits: adapter.limits(),
                memory_hints: wgpu::MemoryHints::MemoryUsage,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Device(e.to_string()))?;
        tracing::debug!(adapter = %info.name, backend = ?info.backend, "wgpu device created");
        Ok(Self {
            instance,
            adapter,
            device,
            queue,
            info,
        })
    }
}

/// A compute pipeline of the kernel `(file, entry point, source)`.
pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    (file, entry, source): (&str, &str, String),
) -> wgpu::ComputePipeline {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(file),
        source: wgpu::ShaderSource::Wgsl(std::borrow::Cow::Owned(source)),
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: Some(layout),
        module: &module,
        entry_point: Some(entry),
        compilation_options: Default::default(),
        cache: None,
    })
}

/// Maps `slice` of a readback buffer for reading and waits until it is.
pub(crate) fn map_for_reading(ctx: &GpuContext, slice: &wgpu::BufferSlice) -> Result<(), GpuError> {
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    let failed = |e: &dyn std::fmt::Display| GpuError::Readback(e.to_string());
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| failed(&e))?;
    rx.recv().map_err(|e| failed(&e))?.map_err(|e| failed(&e))
}

/// WGSL sources: each kernel is `common.wgsl` followed by its own file.
pub mod shaders {
    pub const COMMON: &str = include_str!("../../shaders/common.wgsl");
    pub const RESAMPLE: &str = include_str!("../../shaders/resample.wgsl");
    pub const MODEL_INPUT: &str = include_str!("../../shaders/model_input.wgsl");
    pub const THUMBNAILS: &str = include_str!("../../shaders/thumbnails.wgsl");
    pub const MOTION: &str = include_str!("../../shaders/motion.wgsl");
    pub const MOTION_BLOCKS: &str = include_str!("../../shaders/motion_blocks.wgsl");

    /// (file name, entry point, composed source) of every kernel.
    pub fn kernels() -> [(&'static str, &'static str, String); 4] {
        let compose = |s: &str| format!("{COMMON}\n{s}");
        [
            ("resample.wgsl", "resample", compose(RESAMPLE)),
            ("model_input.wgsl", "pack_model", compose(MODEL_INPUT)),
            ("thumbnails.wgsl", "thumbnails", compose(THUMBNAILS)),
            ("motion.wgsl", "motion_plane", compose(MOTION)),
        ]
    }

    /// (file name, entry point, source) of motion estimation's block
    /// search, a kernel of its own (it reads motion planes, not frames).
    pub fn motion_blocks() -> (&'static str, &'static str, String) {
        (
            "motion_blocks.wgsl",
            "block_costs",
            MOTION_BLOCKS.to_string(),
        )
    }
}

/// Mirrors `PlaneDesc` in common.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PlaneDesc {
    pub base: u32,
    pub stride: u32,
    pub step: u32,
    pub width: u32,
    pub height: u32,
    pub wide: u32,
    pub _pad: [u32; 2],
}

/// Mirrors `FrameDesc` in common.wgsl (192 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct FrameDesc {
    pub planes: [PlaneDesc; 3],
    pub colour_rows: [[f32; 4]; 3],
    pub colour_norm: [f32; 4],
    pub model_place: [u32; 4],
    pub rotation: u32,
    pub _pad: [u32; 3],
}

/// Mirrors `Params` in common.wgsl (64 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Params {
    pub frames: u32,
    pub stage: u32,
    pub model_side: u32,
    pub thumb_w: u32,
    pub thumb_h: u32,
    pub rgb_stride: u32,
    pub motion_w: u32,
    pub motion_h: u32,
    pub mean: [f32; 4],
    pub deviation: [f32; 4],
}

mod engine;
pub use engine::{GpuPreprocessor, ResidentModelInput};

/// Places a frame's planes in the upload after `end` bytes (each plane
/// 4-byte aligned; interleaved Cb/Cr share one range), adding a copy
/// (source bytes, offset) per range to `copies`, and describes them.
pub fn layout_frame<'a>(
    view: &FrameView<'a>,
    config: &Config,
    end: &mut usize,
    copies: &mut Vec<(&'a [u8], usize)>,
) -> FrameDesc {
    let mut planes = [PlaneDesc::default(); 3];
    let mut placed: Vec<(*const u8, usize)> = Vec::with_capacity(3);
    for (i, plane) in [view.luma, view.cb, view.cr].iter().enumerate() {
        let (whole, bytes) = plane_bytes(plane);
        let known = placed
            .iter()
            .find(|(p, _)| *p == whole.as_ptr())
            .map(|&(_, at)| at);
        let start = known.unwrap_or_else(|| {
            let at = end.next_multiple_of(4);
            *end = at + bytes.len();
            copies.push((bytes, at));
            placed.push((whole.as_ptr(), at));
            at
        });
        let size = sample_size(plane);
        planes[i] = PlaneDesc {
            base: (start / size + plane.offset) as u32,
            stride: plane.stride as u32,
            step: plane.step as u32,
            width: plane.width,
            height: plane.height,
            wide: u32::from(size == 2),
            _pad: [0; 2],
        };
    }
    describe_frame(view, config, planes)
}

/// Copies each `(source, offset)` into `dst` (offsets rising, ranges
/// disjoint), in parallel.
pub(crate) fn copy_planes(mut dst: wgpu::WriteOnly<'_, [u8]>, copies: &[(&[u8], usize)]) {
    use rayon::prelude::*;
    /// A range of the mapped upload, written by one thread only.
    struct Piece(std::ptr::NonNull<[u8]>);
    // SAFETY: each piece is a disjoint range of one write mapping, which
    // outlives the parallel copy below; no other thread touches it.
    unsafe impl Send for Piece {}
    let mut pieces = Vec::with_capacity(copies.len());
    let mut at = 0;
    for &(src, offset) in copies {
        let (_, rest) = std::mem::take(&mut dst).split_at(offset - at);
        let (mut piece, rest) = rest.split_at(src.len());
        pieces.push((Piece(piece.as_raw_ptr()), src));
        dst = rest;
        at = offset + src.len();
    }
    pieces.into_par_iter().for_each(|(piece, src)| {
        // SAFETY: `piece` is `src.len()` writable bytes (split off above)
        // that no other copy overlaps.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), piece.0.as_ptr().cast::<u8>(), src.len());
        }
    });
}

fn sample_size(plane: &Plane) -> usize {
    match plane.samples {
        Samples::U8(_) => 1,
        Samples::U16(_) => 2,
    }
}

/// The bytes of the rows a plane covers (stride included, last row trimmed).
fn plane_bytes<'a>(plane: &Plane<'a>) -> (&'a [u8], &'a [u8]) {
    let rows = plane.height as usize;
    let used = |stride: usize, width: usize| (rows.saturating_sub(1)) * stride + width;
    match plane.samples {
        Samples::U8(d) => {
            let n = used(plane.stride, plane.width as usize * plane.step).min(d.len());
            (d, &d[..n])
        }
        Samples::U16(d) => {
            let bytes: &[u8] = bytemuck::cast_slice(d);
            let n = (2 * used(plane.stride, plane.width as usize * plane.step)).min(bytes.len());
            (bytes, &bytes[..n])
        }
    }
}

fn describe_frame(view: &FrameView, config: &Config, planes: [PlaneDesc; 3]) -> FrameDesc {
    let turned = view.rotation % 180 == 90;
    let aspect = if turned {
        1.0 / view.aspect
    } else {
        view.aspect
    };
    let place = letterbox(aspect, config.model_side);
    let c = view.colour;
    let row = |r: [f32; 3]| [r[0], r[1], r[2], 0.0];
    FrameDesc {
        planes,
        colour_rows: [row(c.rows[0]), row(c.rows[1]), row(c.rows[2])],
        colour_norm: [c.luma_scale, c.luma_offset, c.chroma_scale, c.chroma_offset],
        model_place: [place.x, place.y, place.width, place.height],
        rotation: view.rotation % 360,
        _pad: [0; 3],
    }
}

/// Unpacks results read back from the GPU into `outputs`.
pub fn unpack(outputs: &mut BatchOutputs, config: &Config, thumb_words: &[u32], counts: &[u32]) {
    for (dst, word) in outputs.thumb_rgb.chunks_exact_mut(3).zip(thumb_words) {
        dst.copy_from_slice(&word.to_le_bytes()[..3]);
    }
    let share = 1.0 / config.thumb_pixels() as f32;
    for (dst, &n) in outputs.histograms.iter_mut().zip(counts) {
        *dst = n as f32 * share;
    }
}
