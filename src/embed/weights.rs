//! Loading and saving EfficientNet-Lite0 weights: the original PyTorch
//! checkpoint (for conversion) and the shipped Burn file (batch norms
//! folded, f32: half precision moved the logits by up to 0.037, past the
//! parity bound of 0.001), which is compiled into the binary so a fresh
//! clone needs neither Python nor a download.

use super::model::{EfficientNetLite, EfficientNetLiteConfig};
use super::EmbedError;
use burn::store::{BurnpackStore, ModuleSnapshot, PytorchStore};
use burn::tensor::Device;
use std::path::Path;

/// Bytes aligned for zero-copy tensor views (the file aligns each tensor
/// within itself; the base must be aligned too).
#[repr(C, align(64))]
struct Aligned<B: ?Sized>(B);

/// The shipped weights (`models/efficientnet-lite0/`, see its card).
static SHIPPED: &[u8] = &Aligned(*include_bytes!(
    "../../models/efficientnet-lite0/efficientnet-lite0.bpk"
))
.0;

/// Checkpoint key → module path (applied in order).
const PYTORCH_KEYS: [(&str, &str); 11] = [
    (r"^_blocks\.(\d+)\._expand_conv\.", "blocks.$1.expand.conv."),
    (r"^_blocks\.(\d+)\._bn0\.", "blocks.$1.expand.bn."),
    (
        r"^_blocks\.(\d+)\._depthwise_conv\.",
        "blocks.$1.depthwise.conv.",
    ),
    (r"^_blocks\.(\d+)\._bn1\.", "blocks.$1.depthwise.bn."),
    (
        r"^_blocks\.(\d+)\._project_conv\.",
        "blocks.$1.project.conv.",
    ),
    (r"^_blocks\.(\d+)\._bn2\.", "blocks.$1.project.bn."),
    (r"^_conv_stem\.", "stem.conv."),
    (r"^_bn0\.", "stem.bn."),
    (r"^_conv_head\.", "head.conv."),
    (r"^_bn1\.", "head.bn."),
    (r"^_fc\.", "fc."),
];

/// The network as in the PyTorch checkpoint `path` (batch norms separate).
pub fn load_pytorch(path: &Path, device: &Device) -> Result<EfficientNetLite, EmbedError> {
    let mut model = EfficientNetLiteConfig::new()
        .with_folded(false)
        .init(device);
    let mut store = PYTORCH_KEYS
        .iter()
        .fold(PytorchStore::from_file(path), |s, (from, to)| {
            s.with_key_remapping(from, *to)
        })
        .allow_partial(true);
    let result = model
        .load_from(&mut store)
        .map_err(|e| EmbedError::weights(path, e))?;
    complete(path, &result)?;
    Ok(model)
}

/// The shipped, folded network.
pub fn load_shipped(device: &Device) -> Result<EfficientNetLite, EmbedError> {
    let mut model = EfficientNetLiteConfig::new().init(device);
    let mut store = BurnpackStore::from_static(SHIPPED);
    let result = model
        .load_from(&mut store)
        .map_err(|e| EmbedError::weights(Path::new("(built-in weights)"), e))?;
    complete(Path::new("(built-in weights)"), &result)?;
    Ok(model)
}

/// Writes a folded network as the shipped file.
pub fn save_shipped(model: &EfficientNetLite, path: &Path) -> Result<(), EmbedError> {
    let mut store = BurnpackStore::from_file(path)
        .overwrite(true)
        .metadata("model", "efficientnet-lite0")
        .metadata("batch_norm", "folded");
    model
        .save_into(&mut store)
        .map_err(|e| EmbedError::weights(path, e))
}

/// Every parameter of the module must have come from the file.
fn complete(path: &Path, result: &burn::store::ApplyResult) -> Result<(), EmbedError> {
    if result.missing.is_empty() && result.errors.is_empty() {
        return Ok(());
    }
    let missing: Vec<&str> = result
        .missing
        .iter()
        .map(|(p, _)| p.as_str())
        .take(5)
        .collect();
    Err(EmbedError::weights(
        path,
        format!(
            "{} parameters missing (e.g. {}), {} errors",
            result.missing.len(),
            missing.join(", "),
            result.errors.len()
        ),
    ))
}
