//! Hardware decoding through FFmpeg (NVDEC, by way of a CUDA device) for
//! the pass that reads a whole title. Pictures are copied back into system
//! memory (NV12, or P010 for 10-bit) at once, so everything after the
//! decoder sees the same kind of frame as from the software decoders.
//!
//! The choice is the process's (`--decode`, `MATCHCUT_DECODE`): `cpu` never
//! tries, `gpu` insists and says so when it cannot, and `auto` uses NVDEC
//! where FFmpeg can open a CUDA device and the codec has a hardware path,
//! unless the CPU has [`SOFTWARE_FASTER_FROM`] threads or more: one NVDEC
//! session decoded a 1080p H.264 title at 667 frames/s on an H200, where
//! FFmpeg's software decoder on 16 threads ran 1,340 (84 a thread). A stream
//! NVDEC refuses (a profile it lacks) falls back to the software decoder
//! inside FFmpeg, as the `ffmpeg` CLI does.

use super::error::MediaError;
use crate::preprocess::BackendChoice;
use ffmpeg::ffi;
use ffmpeg::frame::Video;
use ffmpeg_next as ffmpeg;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// CPU threads from which software decoding outruns one NVDEC session.
pub const SOFTWARE_FASTER_FROM: usize = 8;

/// The process's choice, as a [`BackendChoice`] number (0 auto, 1 cpu, 2 gpu).
static CHOICE: AtomicU8 = AtomicU8::new(0);

/// Sets how whole-title passes decode, for the rest of the process.
pub fn set_choice(choice: BackendChoice) {
    let n = match choice {
        BackendChoice::Auto => 0,
        BackendChoice::Cpu => 1,
        BackendChoice::Gpu => 2,
    };
    CHOICE.store(n, Ordering::Relaxed);
}

fn choice() -> BackendChoice {
    match CHOICE.load(Ordering::Relaxed) {
        1 => BackendChoice::Cpu,
        2 => BackendChoice::Gpu,
        _ => BackendChoice::Auto,
    }
}

/// A reference to the process's CUDA device context (`AVBufferRef`).
struct Device(*mut ffi::AVBufferRef);

// SAFETY: the buffer is only read after creation (new references are taken
// with `av_buffer_ref`, which is thread-safe), and lives for the process.
unsafe impl Send for Device {}
unsafe impl Sync for Device {}

/// The CUDA device, opened once on first use; `Err` says why there is none.
fn device() -> &'static Result<Device, String> {
    static DEVICE: OnceLock<Result<Device, String>> = OnceLock::new();
    DEVICE.get_or_init(|| {
        let mut ctx = std::ptr::null_mut();
        // SAFETY: FFmpeg writes a new reference into `ctx` on success. Its
        // own lines on a machine without the driver ("Cannot load
        // libcuda.so.1") are kept quiet: the reason comes back below.
        let err = unsafe {
            let level = ffi::av_log_get_level();
            ffi::av_log_set_level(ffi::AV_LOG_QUIET);
            let err = ffi::av_hwdevice_ctx_create(
                &mut ctx,
                ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_CUDA,
                std::ptr::null(),
                std::ptr::null_mut(),
                0,
            );
            ffi::av_log_set_level(level);
            err
        };
        if err < 0 || ctx.is_null() {
            let reason = ffmpeg::Error::from(err).to_string();
            tracing::debug!("no CUDA device for hardware decoding: {reason}");
            return Err(format!(
                "FFmpeg could not open a CUDA device ({reason}; NVDEC needs NVIDIA's driver)"
            ));
        }
        tracing::info!("hardware decoding available: NVDEC through a CUDA device");
        Ok(Device(ctx))
    })
}

/// Whether FFmpeg has a CUDA hardware path for `codec`.
fn codec_has_cuda(codec: *const ffi::AVCodec) -> bool {
    (0..)
        .map_while(|i| {
            // SAFETY: `codec` is a valid decoder; FFmpeg returns null past the end.
            let config = unsafe { ffi::avcodec_get_hw_config(codec, i) };
            // SAFETY: non-null configs are static FFmpeg data.
            (!config.is_null()).then(|| unsafe { *config })
        })
        .any(|c| {
            c.device_type == ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_CUDA
                && c.methods & ffi::AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX as i32 != 0
        })
}

/// Picks CUDA pictures when offered, otherwise FFmpeg's own choice.
unsafe extern "C" fn pick_cuda(
    ctx: *mut ffi::AVCodecContext,
    formats: *const ffi::AVPixelFormat,
) -> ffi::AVPixelFormat {
    let mut at = formats;
    // SAFETY: FFmpeg passes a list ended by AV_PIX_FMT_NONE.
    unsafe {
        while *at != ffi::AVPixelFormat::AV_PIX_FMT_NONE {
            if *at == ffi::AVPixelFormat::AV_PIX_FMT_CUDA {
                return *at;
            }
            at = at.add(1);
        }
        ffi::avcodec_default_get_format(ctx, formats)
    }
}

/// Attaches the CUDA device to a decoder context that is not yet opened,
/// when the process's choice and the codec allow. Returns whether it did.
pub(crate) fn attach(
    path: &Path,
    context: &mut ffmpeg::codec::Context,
    id: ffmpeg::codec::Id,
) -> Result<bool, MediaError> {
    let wanted = choice();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let software = wanted == BackendChoice::Cpu
        || (wanted == BackendChoice::Auto && threads >= SOFTWARE_FASTER_FROM);
    if software {
        return Ok(false);
    }
    // SAFETY: decoders FFmpeg finds are static data.
    let has_path = ffmpeg::decoder::find(id).is_some_and(|c| codec_has_cuda(unsafe { c.as_ptr() }));
    let device = match (device(), has_path) {
        (Ok(device), true) => device,
        (_, _) if wanted != BackendChoice::Gpu => return Ok(false),
        (Err(reason), _) => {
            return Err(MediaError::decode(
                path,
                format!("hardware decoding was asked for, but {reason}"),
            ))
        }
        (Ok(_), false) => {
            return Err(MediaError::decode(
                path,
                format!(
                    "hardware decoding was asked for, but FFmpeg has none for {}",
                    id.name()
                ),
            ))
        }
    };
    // SAFETY: the context is valid and unopened; it takes its own reference
    // to the device, released when the context is freed.
    unsafe {
        let raw = context.as_mut_ptr();
        (*raw).hw_device_ctx = ffi::av_buffer_ref(device.0);
        (*raw).get_format = Some(pick_cuda);
    }
    Ok(true)
}

/// A picture in system memory: `frame` itself, or its copy out of the
/// GPU when the hardware decoder made it.
pub(crate) fn to_system(frame: Video) -> Result<Video, ffmpeg::Error> {
    if frame.format() != ffmpeg::format::Pixel::CUDA {
        return Ok(frame);
    }
    let mut system = Video::empty();
    // SAFETY: both frames are valid; FFmpeg allocates the copy's buffers
    // (in the hardware frames' software format) and copies the properties
    // (timestamps, colour) after the pixels.
    unsafe {
        let err = ffi::av_hwframe_transfer_data(system.as_mut_ptr(), frame.as_ptr(), 0);
        if err < 0 {
            return Err(ffmpeg::Error::from(err));
        }
        let err = ffi::av_frame_copy_props(system.as_mut_ptr(), frame.as_ptr());
        if err < 0 {
            return Err(ffmpeg::Error::from(err));
        }
    }
    Ok(system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_image_codecs_have_no_cuda_path() {
        let png = ffmpeg::decoder::find(ffmpeg::codec::Id::PNG).expect("a PNG decoder");
        // SAFETY: decoders FFmpeg finds are static data.
        assert!(!codec_has_cuda(unsafe { png.as_ptr() }));
    }
}
