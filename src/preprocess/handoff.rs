//! Hands a batch the GPU path left on the device to Burn, on the same wgpu
//! device, without a trip through the CPU: Burn gets the process's shared
//! device ([`burn_device`]), allocates the tensor, and one GPU-to-GPU copy on
//! the shared queue fills it ([`to_burn_tensor`]).

use super::gpu::{GpuContext, GpuError, ResidentModelInput};
use burn::tensor::wgpu::WgpuSetup;
use burn::tensor::{Device, Tensor};
use std::sync::OnceLock;

/// The Burn device on the process's shared wgpu device, registered once.
pub fn burn_device(ctx: &GpuContext) -> Result<Device, GpuError> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let setup = WgpuSetup {
                instance: ctx.instance.clone(),
                adapter: ctx.adapter.clone(),
                device: ctx.device.clone(),
                queue: ctx.queue.clone(),
                backend: ctx.info.backend,
            };
            Device::wgpu_options()
                .setup(setup)
                .init()
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(GpuError::Device)
}

/// A Burn tensor `[N, 3, S, S]` holding the resident model input, filled by
/// a copy between two buffers of the same device.
pub fn to_burn_tensor(
    ctx: &GpuContext,
    device: &Device,
    resident: &ResidentModelInput,
) -> Result<Tensor<4>, GpuError> {
    let tensor = Tensor::<4>::empty(resident.shape, device);
    let cube = tensor
        .clone()
        .try_into_primitive::<burn_wgpu::Wgpu>()
        .map_err(|e| GpuError::Device(format!("the Burn tensor is not on wgpu: {e:?}")))?;
    let managed = cube
        .client
        .get_resource::<cubecl_wgpu::WgpuServer<burn_wgpu::AutoCompiler>>(cube.handle.clone())
        .map_err(|e| GpuError::Device(format!("Burn's buffer: {e:?}")))?;
    let target = managed.resource();
    let bytes = (resident.shape.iter().product::<usize>() * 4) as u64;
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("preprocess to burn"),
        });
    encoder.copy_buffer_to_buffer(resident.buffer, 0, &target.buffer, target.offset, bytes);
    ctx.queue.submit([encoder.finish()]);
    Ok(tensor)
}
