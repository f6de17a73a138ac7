//! Pipelines, buffers and the per-batch command sequence of the GPU path.

use super::{copy_planes, layout_frame, shaders, unpack, FrameDesc, GpuContext, GpuError, Params};
use crate::preprocess::{BatchOutputs, Config, FrameView};
use std::sync::Arc;

const WORKGROUP: u32 = 8;

/// Preprocesses batches on the shared device; buffers persist between
/// batches and grow only when a batch needs more.
pub struct GpuPreprocessor {
    ctx: Arc<GpuContext>,
    config: Config,
    layout: wgpu::BindGroupLayout,
    resample: wgpu::ComputePipeline,
    pack_model: wgpu::ComputePipeline,
    thumbnails: wgpu::ComputePipeline,
    motion: wgpu::ComputePipeline,
    params: [wgpu::Buffer; 2],
    buffers: Option<Buffers>,
    descs: Vec<FrameDesc>,
    /// Bytes copied back to the CPU so far (a counter for tests and benchmarks).
    readback_bytes: u64,
    /// Most bytes of planes one submission may upload (the device's storage
    /// binding limit); larger batches go up in parts.
    batch_bytes: usize,
    /// Outputs of one part of a split batch.
    part: BatchOutputs,
}

/// A batch's model input left on the device, `[N, 3, S, S]` `f32`, for a
/// model running on the same device: no CPU round trip.
pub struct ResidentModelInput<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub shape: [usize; 4],
}

/// Device buffers sized for `frames` frames and `plane_bytes` of planes.
struct Buffers {
    frames: usize,
    plane_bytes: usize,
    planes: wgpu::Buffer,
    descs: wgpu::Buffer,
    model: wgpu::Buffer,
    thumb_rgb: wgpu::Buffer,
    thumb_hsv: wgpu::Buffer,
    histogram: wgpu::Buffer,
    motion: wgpu::Buffer,
    readback: wgpu::Buffer,
    bind_groups: [wgpu::BindGroup; 2],
}

impl GpuPreprocessor {
    pub fn new(config: &Config) -> Result<Self, GpuError> {
        let ctx = GpuContext::shared().ok_or_else(|| GpuError::NoAdapter("none found".into()))?;
        let device = &ctx.device;
        let batch_bytes = device_batch_bytes(device);
        let layout = bind_group_layout(device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("preprocess"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let [resample, pack_model, thumbnails, motion] = shaders::kernels()
            .map(|kernel| super::compute_pipeline(device, &pipeline_layout, kernel));
        let params = [0, 1].map(|stage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(if stage == 0 {
                    "params model"
                } else {
                    "params thumbnails"
                }),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            })
        });
        Ok(Self {
            ctx,
            config: config.clone(),
            layout,
            resample,
            pack_model,
            thumbnails,
            motion,
            params,
            buffers: None,
            descs: Vec::new(),
            readback_bytes: 0,
            batch_bytes,
            part: BatchOutputs::default(),
        })
    }

    /// Caps the plane bytes of one submission below the device's own limit
    /// (for tests of batch splitting).
    pub fn with_batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = bytes.min(self.batch_bytes);
        self
    }

    /// Bytes read back to the CPU since creation.
    pub fn readback_bytes(&self) -> u64 {
        self.readback_bytes
    }

    /// The shared device this runs on.
    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    /// The adapter this runs on.
    pub fn adapter(&self) -> &wgpu::AdapterInfo {
        &self.ctx.info
    }

    /// Uploads, dispatches the three stages, and reads the results back.
    pub fn process(
        &mut self,
        frames: &[FrameView],
        outputs: &mut BatchOutputs,
    ) -> Result<(), GpuError> {
        outputs.resize(frames.len(), &self.config);
        if frames.is_empty() {
            return Ok(());
        }
        let per_frame = staged_bytes(&frames[0]);
        if per_frame > self.batch_bytes {
            return Err(GpuError::Device(format!(
                "a {}x{} frame needs {per_frame} bytes, over the device's {} per upload",
                frames[0].luma.width, frames[0].luma.height, self.batch_bytes
            )));
        }
        let chunk = (self.batch_bytes / per_frame).max(1);
        if frames.len() <= chunk {
            self.submit(frames, true);
            return self.read_back(outputs);
        }
        let mut part = std::mem::take(&mut self.part);
        for (i, piece) in frames.chunks(chunk).enumerate() {
            part.resize(piece.len(), &self.config);
            self.submit(piece, true);
            self.read_back(&mut part)?;
            outputs.copy_frames_from(&part, i * chunk, &self.config);
        }
        self.part = part;
        Ok(())
    }

    /// Runs the model-input stages and leaves the result on the device.
    pub fn process_resident(
        &mut self,
        frames: &[FrameView],
    ) -> Result<ResidentModelInput<'_>, GpuError> {
        if !self.config.want_model_input || frames.is_empty() {
            return Err(GpuError::Device(
                "no model input to keep: empty batch or not configured".into(),
            ));
        }
        self.submit(frames, false);
        let side = self.config.model_side as usize;
        let buffers = self
            .buffers
            .as_ref()
            .ok_or_else(|| GpuError::Device("no buffers".into()))?;
        Ok(ResidentModelInput {
            buffer: &buffers.model,
            shape: [frames.len(), 3, side, side],
        })
    }

    /// Stages, uploads and dispatches a batch; `copy_out` also queues the
    /// copies into the readback buffer.
    fn submit(&mut self, frames: &[FrameView], copy_out: bool) {
        self.descs.clear();
        let mut copies = Vec::with_capacity(frames.len() * 3);
        let mut end = 0;
        for view in frames {
            let desc = layout_frame(view, &self.config, &mut end, &mut copies);
            self.descs.push(desc);
        }
        let bytes = end.next_multiple_of(4).max(4);
        self.ensure_buffers(frames.len(), bytes);
        self.upload(frames.len(), bytes, &copies);
        let encoder = self.encode(frames.len(), copy_out);
        self.ctx.queue.submit([encoder.finish()]);
    }

    fn rgb_stride(&self) -> usize {
        let c = &self.config;
        3 * (c.model_side * c.model_side).max(c.thumb_width * c.thumb_height) as usize
    }

    fn ensure_buffers(&mut self, frames: usize, plane_bytes: usize) {
        let fits = self
            .buffers
            .as_ref()
            .is_some_and(|b| b.frames >= frames && b.plane_bytes >= plane_bytes);
        if !fits {
            let (frames, plane_bytes) = match &self.buffers {
                Some(b) => (b.frames.max(frames), b.plane_bytes.max(plane_bytes)),
                None => (frames, plane_bytes),
            };
            self.buffers = Some(self.create_buffers(frames, plane_bytes));
        }
    }

    fn create_buffers(&self, frames: usize, plane_bytes: usize) -> Buffers {
        let device = &self.ctx.device;
        let storage = |label: &str, bytes: usize, extra: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: bytes.max(4) as u64,
                usage: wgpu::BufferUsages::STORAGE | extra,
                mapped_at_creation: false,
            })
        };
        let copy = wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
        let sizes = output_sizes(&self.config, frames);
        let planes = storage("planes", plane_bytes, wgpu::BufferUsages::COPY_DST);
        let descs = storage(
            "frames",
            frames * std::mem::size_of::<FrameDesc>(),
            wgpu::BufferUsages::COPY_DST,
        );
        let rgb = storage(
            "rgb",
            frames * self.rgb_stride() * 4,
            wgpu::BufferUsages::empty(),
        );
        let model = storage("model input", sizes[0], copy);
        let thumb_rgb = storage("thumb rgb", sizes[1], copy);
        let thumb_hsv = storage("thumb hsv", sizes[2], copy);
        let histogram = storage("histogram", sizes[3], copy);
        let motion = storage("motion", sizes[4], copy);
        // Every stage's buffer exists (bind groups need them), even when a
        // stage is not wanted; they are small next to the planes.
        let readback = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: sizes.iter().sum::<usize>().max(4) as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let resources = [
            &planes, &descs, &rgb, &model, &thumb_rgb, &thumb_hsv, &histogram, &motion,
        ];
        let bind_groups = [0, 1].map(|stage| {
            let mut entries = vec![wgpu::BindGroupEntry {
                binding: 0,
                resource: self.params[stage].as_entire_binding(),
            }];
            entries.extend(
                resources
                    .iter()
                    .enumerate()
                    .map(|(i, b)| wgpu::BindGroupEntry {
                        binding: i as u32 + 1,
                        resource: b.as_entire_binding(),
                    }),
            );
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("preprocess"),
                layout: &self.layout,
                entries: &entries,
            })
        });
        Buffers {
            frames,
            plane_bytes,
            planes,
            descs,
            model,
            thumb_rgb,
            thumb_hsv,
            histogram,
            motion,
            readback,
            bind_groups,
        }
    }

    /// Writes the planes straight into wgpu's staging memory, the copies
    /// spread over the cores (a 1080p batch is 80 MB: one thread copying
    /// it twice kept an H200 waiting), then the descriptions and parameters.
    fn upload(&self, frames: usize, bytes: usize, copies: &[(&[u8], usize)]) {
        let Some(b) = &self.buffers else { return };
        let queue = &self.ctx.queue;
        let size = wgpu::BufferSize::new(bytes as u64);
        if let Some(mut view) = size.and_then(|s| queue.write_buffer_with(&b.planes, 0, s)) {
            copy_planes(view.slice(..), copies);
        }
        queue.write_buffer(&b.descs, 0, bytemuck::cast_slice(&self.descs));
        for (stage, buffer) in self.params.iter().enumerate() {
            let c = &self.config;
            let params = Params {
                frames: frames as u32,
                stage: stage as u32,
                model_side: c.model_side,
                thumb_w: c.thumb_width,
                thumb_h: c.thumb_height,
                rgb_stride: self.rgb_stride() as u32,
                motion_w: c.motion_width,
                motion_h: c.motion_height,
                mean: [c.mean[0], c.mean[1], c.mean[2], 0.0],
                deviation: [c.std[0], c.std[1], c.std[2], 1.0],
            };
            queue.write_buffer(buffer, 0, bytemuck::bytes_of(&params));
        }
    }

    /// resample → pack_model, then resample → thumbnails, then the motion
    /// plane: one dispatch per stage over the whole batch, each in its own
    /// pass so each reads what the one before wrote.
    fn encode(&self, frames: usize, copy_out: bool) -> wgpu::CommandEncoder {
        let device = &self.ctx.device;
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("preprocess"),
        });
        let Some(b) = &self.buffers else {
            return encoder;
        };
        encoder.clear_buffer(&b.histogram, 0, None);
        let c = &self.config;
        let groups = |n: u32| n.div_ceil(WORKGROUP);
        let side = groups(c.model_side);
        let thumb_max = groups(c.thumb_width.max(c.thumb_height));
        let n = frames as u32;
        let steps: [(&wgpu::ComputePipeline, usize, (u32, u32)); 5] = [
            (&self.resample, 0, (side, side)),
            (&self.pack_model, 0, (side, side)),
            (&self.resample, 1, (thumb_max, thumb_max)),
            (
                &self.thumbnails,
                1,
                (groups(c.thumb_width), groups(c.thumb_height)),
            ),
            (
                &self.motion,
                2,
                (groups(c.motion_width), groups(c.motion_height)),
            ),
        ];
        let wanted = |stage: usize| match stage {
            0 => c.want_model_input,
            1 => c.want_thumbnails,
            _ => c.want_motion,
        };
        // The motion plane reads the stage-1 parameters (its size is there).
        let group = |stage: usize| stage.min(1);
        for (pipeline, stage, (x, y)) in steps.into_iter().filter(|s| wanted(s.1)) {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("preprocess stage"),
                timestamp_writes: None,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &b.bind_groups[group(stage)], &[]);
            pass.dispatch_workgroups(x, y, n);
        }
        if !copy_out {
            return encoder;
        }
        let sizes = output_sizes(c, frames);
        let mut at = 0u64;
        let outputs = [
            &b.model,
            &b.thumb_rgb,
            &b.thumb_hsv,
            &b.histogram,
            &b.motion,
        ];
        for (buffer, size) in outputs.iter().zip(sizes).filter(|(_, size)| *size > 0) {
            encoder.copy_buffer_to_buffer(buffer, 0, &b.readback, at, size as u64);
            at += size as u64;
        }
        encoder
    }

    fn read_back(&mut self, outputs: &mut BatchOutputs) -> Result<(), GpuError> {
        let Some(b) = &self.buffers else {
            return Ok(());
        };
        let sizes = output_sizes(&self.config, outputs.frames);
        let total: usize = sizes.iter().sum();
        if total == 0 {
            return Ok(());
        }
        let slice = b.readback.slice(..total as u64);
        super::map_for_reading(&self.ctx, &slice)?;
        {
            let view = slice
                .get_mapped_range()
                .map_err(|e| GpuError::Readback(format!("{e:?}")))?;
            let words: &[u32] = bytemuck::cast_slice(&view);
            let (model, rest) = words.split_at(sizes[0] / 4);
            let (thumb, rest) = rest.split_at(sizes[1] / 4);
            let (hsv, rest) = rest.split_at(sizes[2] / 4);
            let (counts, motion) = rest.split_at(sizes[3] / 4);
            outputs
                .model_input
                .copy_from_slice(bytemuck::cast_slice(model));
            outputs.thumb_hsv.copy_from_slice(bytemuck::cast_slice(hsv));
            for (dst, &word) in outputs.motion.iter_mut().zip(motion) {
                *dst = word as u16;
            }
            unpack(outputs, &self.config, thumb, counts);
        }
        b.readback.unmap();
        self.readback_bytes += total as u64;
        Ok(())
    }
}

/// The most plane bytes one upload may hold on this device.
fn device_batch_bytes(device: &wgpu::Device) -> usize {
    let limits = device.limits();
    let bytes = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

/// Upper bound of the bytes `stage_frame` adds for one frame.
fn staged_bytes(view: &FrameView) -> usize {
    [view.luma, view.cb, view.cr]
        .iter()
        .map(|p| {
            let size = match p.samples {
                crate::preprocess::frame::Samples::U8(_) => 1,
                crate::preprocess::frame::Samples::U16(_) => 2,
            };
            (p.stride * p.height as usize * size) + 4
        })
        .sum()
}

/// Bytes of the model input, packed thumbnails, HSV, histogram and motion
/// plane outputs (a word per motion sample).
fn output_sizes(c: &Config, frames: usize) -> [usize; 5] {
    let px = c.thumb_pixels();
    [
        frames * c.model_len() * 4,
        frames * px * 4,
        frames * px * 3 * 4,
        frames * c.histogram_len() * 4,
        frames * c.motion_pixels() * 4,
    ]
}

fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let storage = |binding: u32, read_only: bool| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let mut entries = vec![wgpu::BindGroupLayoutEntry {
        binding: 0,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }];
    entries.extend([storage(1, true), storage(2, true)]);
    entries.extend((3..=8).map(|b| storage(b, false)));
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("preprocess"),
        entries: &entries,
    })
}
