//! Every WGSL kernel in shaders/ parses and validates with naga, composed as
//! the GPU path composes it (common.wgsl first), and no file is left out.

use matchcut::preprocess::gpu::shaders;

#[test]
fn every_kernel_parses_and_validates() {
    let all = shaders::kernels()
        .into_iter()
        .chain([shaders::motion_blocks()]);
    for (file, entry, source) in all {
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
    let mut kernels: Vec<&str> = shaders::kernels().iter().map(|(f, _, _)| *f).collect();
    kernels.push(shaders::motion_blocks().0);
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

/// The Rust mirrors of the WGSL structs have the same size and member
/// offsets as naga lays them out, so uploads land where the kernels read.
#[test]
fn rust_mirrors_match_the_wgsl_struct_layouts() {
    use matchcut::preprocess::gpu::{FrameDesc, Params, PlaneDesc};
    let source = &shaders::kernels()[0].2;
    let module = naga::front::wgsl::parse_str(source).expect("parse");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    let expect = [
        (
            "PlaneDesc",
            std::mem::size_of::<PlaneDesc>(),
            vec![0usize, 4, 8, 12, 16, 20, 24, 28],
        ),
        (
            "FrameDesc",
            std::mem::size_of::<FrameDesc>(),
            vec![0, 96, 144, 160, 176, 180, 184, 188],
        ),
        (
            "Params",
            std::mem::size_of::<Params>(),
            vec![0, 4, 8, 12, 16, 20, 24, 28, 32, 48],
        ),
    ];
    for (name, rust_size, rust_offsets) in expect {
        let (handle, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} in common.wgsl"));
        assert_eq!(layouter[handle].size as usize, rust_size, "{name} size");
        let naga::TypeInner::Struct { members, .. } = &ty.inner else {
            panic!("{name} is a struct")
        };
        let offsets: Vec<usize> = members.iter().map(|m| m.offset as usize).collect();
        assert_eq!(offsets, rust_offsets, "{name} member offsets");
    }
    // The Rust side: the same offsets, by construction of #[repr(C)].
    assert_eq!(std::mem::offset_of!(FrameDesc, colour_rows), 96);
    assert_eq!(std::mem::offset_of!(FrameDesc, colour_norm), 144);
    assert_eq!(std::mem::offset_of!(FrameDesc, model_place), 160);
    assert_eq!(std::mem::offset_of!(FrameDesc, rotation), 176);
    assert_eq!(std::mem::offset_of!(Params, mean), 32);
    assert_eq!(std::mem::offset_of!(Params, deviation), 48);
}

/// The same for the block search's structs (motion_blocks.wgsl).
#[test]
fn block_search_mirrors_match_the_wgsl_struct_layouts() {
    use matchcut::motion::blocks::StepDesc;
    use matchcut::motion::gpu::BlockParams;
    let source = shaders::motion_blocks().2;
    let module = naga::front::wgsl::parse_str(&source).expect("parse");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    for (name, rust_size) in [
        ("StepDesc", std::mem::size_of::<StepDesc>()),
        ("BlockParams", std::mem::size_of::<BlockParams>()),
    ] {
        let (handle, ty) = module
            .types
            .iter()
            .find(|(_, t)| t.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} in motion_blocks.wgsl"));
        assert_eq!(layouter[handle].size as usize, rust_size, "{name} size");
        let naga::TypeInner::Struct { members, .. } = &ty.inner else {
            panic!("{name} is a struct")
        };
        let offsets: Vec<usize> = members.iter().map(|m| m.offset as usize).collect();
        let packed: Vec<usize> = (0..members.len()).map(|i| 4 * i).collect();
        assert_eq!(offsets, packed, "{name}: 32-bit members, packed");
    }
    assert_eq!(std::mem::offset_of!(StepDesc, shift), 16);
}
