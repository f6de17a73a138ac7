//! The committed `ui/src/bindings.ts` is what tauri-specta generates from the
//! commands now. Set MATCHCUT_UPDATE_BINDINGS=1 to rewrite it.

use std::path::Path;

#[test]
fn committed_bindings_are_current() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    if std::env::var("MATCHCUT_UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        matchcut_app::export_bindings(&committed).expect("write bindings");
    }
    let fresh = std::env::temp_dir().join(format!("matchcut-bindings-{}.ts", std::process::id()));
    matchcut_app::export_bindings(&fresh).expect("export bindings");
    let want = std::fs::read_to_string(&fresh).expect("read fresh bindings");
    let have = std::fs::read_to_string(&committed).unwrap_or_default();
    let _ = std::fs::remove_file(&fresh);
    assert!(
        want == have,
        "ui/src/bindings.ts is stale: run `make bindings` (MATCHCUT_UPDATE_BINDINGS=1 cargo test -p matchcut-app --test bindings)"
    );
}
