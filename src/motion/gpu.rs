//! The block search in WGSL (`shaders/motion_blocks.wgsl`) on the process's
//! one wgpu device: the planes of a shot's two ends go up together, one
//! dispatch computes every block's costs at every offset of every step,
//! and the costs come back for the CPU to finish (a few hundred numbers a
//! step). Buffers persist and grow only when a shot needs more.

use super::blocks::{StepDesc, OFFSETS};
use crate::preprocess::gpu::{compute_pipeline, map_for_reading, shaders, GpuContext, GpuError};
use bytemuck::{Pod, Zeroable};
use std::sync::Arc;

/// Mirrors `BlockParams` in motion_blocks.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct BlockParams {
    pub steps: u32,
    pub blocks: u32,
    pub width: u32,
    pub height: u32,
}

/// Invocations per workgroup (`@workgroup_size` in the kernel).
const WORKGROUP: u32 = 64;

/// The block search on the GPU.
pub struct GpuBlockSearch {
    ctx: Arc<GpuContext>,
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    params: wgpu::Buffer,
    buffers: Option<Buffers>,
}

/// Buffers of a given capacity (bytes of samples, steps, origins, costs).
struct Buffers {
    capacity: [usize; 4],
    samples: wgpu::Buffer,
    steps: wgpu::Buffer,
    origins: wgpu::Buffer,
    costs: wgpu::Buffer,
    readback: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

impl GpuBlockSearch {
    pub fn new() -> Result<Self, GpuError> {
        let ctx = GpuContext::shared().ok_or_else(|| GpuError::NoAdapter("none found".into()))?;
        let device = &ctx.device;
        let layout = bind_group_layout(device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("motion blocks"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = compute_pipeline(device, &pipeline_layout, shaders::motion_blocks());
        let params = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("motion block params"),
            size: std::mem::size_of::<BlockParams>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Self {
            ctx,
            layout,
            pipeline,
            params,
            buffers: None,
        })
    }

    /// The adapter this runs on.
    pub fn adapter(&self) -> &wgpu::AdapterInfo {
        &self.ctx.info
    }

    /// [`super::blocks::costs`], computed by the kernel.
    pub fn costs(
        &mut self,
        planes: &[&[u16]],
        size: (usize, usize),
        origins: &[[u32; 2]],
        steps: &[StepDesc],
    ) -> Result<Vec<u32>, GpuError> {
        let count = steps.len() * origins.len() * OFFSETS;
        if count == 0 {
            return Ok(Vec::new());
        }
        let samples: Vec<u32> = planes
            .iter()
            .flat_map(|p| p.iter().map(|&s| u32::from(s)))
            .collect();
        let bytes = [
            samples.len() * 4,
            std::mem::size_of_val(steps),
            std::mem::size_of_val(origins),
            count * 4,
        ];
        self.ensure_buffers(bytes);
        let b = self
            .buffers
            .as_ref()
            .ok_or_else(|| GpuError::Readback("no buffers".into()))?;
        let queue = &self.ctx.queue;
        queue.write_buffer(&b.samples, 0, bytemuck::cast_slice(&samples));
        queue.write_buffer(&b.steps, 0, bytemuck::cast_slice(steps));
        queue.write_buffer(&b.origins, 0, bytemuck::cast_slice(origins));
        let params = BlockParams {
            steps: steps.len() as u32,
            blocks: origins.len() as u32,
            width: size.0 as u32,
            height: size.1 as u32,
        };
        queue.write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("motion blocks"),
            });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("block_costs"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &b.bind_group, &[]);
            let (x, y) = workgroups(count as u32, self.max_groups());
            pass.dispatch_workgroups(x, y, 1);
        }
        encoder.copy_buffer_to_buffer(&b.costs, 0, &b.readback, 0, bytes[3] as u64);
        queue.submit([encoder.finish()]);
        self.read_back(bytes[3])
    }

    fn max_groups(&self) -> u32 {
        self.ctx
            .device
            .limits()
            .max_compute_workgroups_per_dimension
    }

    fn read_back(&self, bytes: usize) -> Result<Vec<u32>, GpuError> {
        let b = self
            .buffers
            .as_ref()
            .ok_or_else(|| GpuError::Readback("no buffers".into()))?;
        let slice = b.readback.slice(..bytes as u64);
        map_for_reading(&self.ctx, &slice)?;
        let costs = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| GpuError::Readback(format!("{e:?}")))?;
            bytemuck::cast_slice::<u8, u32>(&view).to_vec()
        };
        b.readback.unmap();
        Ok(costs)
    }

    fn ensure_buffers(&mut self, bytes: [usize; 4]) {
        let fits = self.buffers.as_ref().is_some_and(|b| {
            b.capacity
                .iter()
                .zip(bytes)
                .all(|(&have, need)| have >= need)
        });
        if !fits {
            let capacity = match &self.buffers {
                Some(b) => std::array::from_fn(|i| b.capacity[i].max(bytes[i])),
                None => bytes,
            };
            self.buffers = Some(self.create_buffers(capacity));
        }
    }

    fn create_buffers(&self, capacity: [usize; 4]) -> Buffers {
        let device = &self.ctx.device;
        let buffer = |label: &str, bytes: usize, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (bytes.max(4) as u64).next_multiple_of(4),
                usage,
                mapped_at_creation: false,
            })
        };
        let input = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let samples = buffer("motion samples", capacity[0], input);
        let steps = buffer("motion steps", capacity[1], input);
        let origins = buffer("motion origins", capacity[2], input);
        let costs = buffer(
            "motion costs",
            capacity[3],
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let readback = buffer(
            "motion costs readback",
            capacity[3],
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let resources = [&self.params, &samples, &steps, &origins, &costs];
        let entries: Vec<_> = resources
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.as_entire_binding(),
            })
            .collect();
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("motion blocks"),
            layout: &self.layout,
            entries: &entries,
        });
        Buffers {
            capacity,
            samples,
            steps,
            origins,
            costs,
            readback,
            bind_group,
        }
    }
}

/// Workgroups (x, y) covering `count` invocations, x at most `max` (the
/// kernel numbers invocations x first).
fn workgroups(count: u32, max: u32) -> (u32, u32) {
    let groups = count.div_ceil(WORKGROUP);
    if groups <= max {
        (groups.max(1), 1)
    } else {
        (max, groups.div_ceil(max))
    }
}

fn bind_group_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let entry = |binding: u32, ty: wgpu::BufferBindingType| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let read = wgpu::BufferBindingType::Storage { read_only: true };
    let entries = [
        entry(0, wgpu::BufferBindingType::Uniform),
        entry(1, read),
        entry(2, read),
        entry(3, read),
        entry(4, wgpu::BufferBindingType::Storage { read_only: false }),
    ];
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("motion blocks"),
        entries: &entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workgroups_cover_every_invocation_within_the_limit() {
        assert_eq!(workgroups(1, 65_535), (1, 1));
        assert_eq!(workgroups(64, 65_535), (1, 1));
        assert_eq!(workgroups(65, 65_535), (2, 1));
        let (x, y) = workgroups(10_000_000, 65_535);
        assert!(x <= 65_535 && u64::from(x) * u64::from(y) * 64 >= 10_000_000);
    }
}
