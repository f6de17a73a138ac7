//! Every WGSL kernel in shaders/ parses and validates with naga, composed as
//! the GPU path composes it (common.wgsl first), and no file is left out.

use matchcut::preprocess::gpu::shaders;

#[test]
fn every_kernel_parses_and_validates() {
    for (file, entry, source) in shaders::kernels() {
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{file}: {}", e.emit_to_string(&source)));
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        );
        validator
            .validate(&module)
            .unwrap_or_else(|e| panic!("{file}: {}", e.emit_to_string(&source)));
        assert!(
            module
                .entry_points
                .iter()
                .any(|e| e.name == entry && e.stage == naga::ShaderStage::Compute),
            "{file} has compute entry point {entry}"
        );
    }
}

#[test]
fn every_shader_file_is_a_kernel_or_the_shared_include() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let kernels: Vec<&str> = shaders::kernels().iter().map(|(f, _, _)| *f).collect();
    for entry in std::fs::read_dir(&dir).expect("shaders/") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".wgsl") && name != "common.wgsl" {
            assert!(
                kernels.contains(&name.as_str()),
                "{name} is not compiled by the GPU path"
            );
        }
    }
}
