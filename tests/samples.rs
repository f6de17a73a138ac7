//! The bundled sample library (`samples/`, what `make run` opens): its
//! excerpts of *Big Buck Bunny* give candidate match cuts across titles,
//! through the real pipeline.

use matchcut::jobs::listing;
use matchcut::jobs::{self, LibraryData, ScanOptions};
use matchcut::preprocess::BackendChoice;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

#[test]
fn the_sample_library_offers_match_cuts_across_its_titles() {
    let samples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples");
    let library = std::env::temp_dir().join(format!("matchcut-samples-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&library);
    let mut options = ScanOptions::new(library.clone());
    options.preprocess = BackendChoice::Cpu;
    options.device = BackendChoice::Cpu;
    let report = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(jobs::scan(
            vec![samples],
            options,
            Arc::new(|_| {}),
            tokio_util::sync::CancellationToken::new(),
        ))
        .expect("scan");
    assert!(report.titles.len() >= 7, "{:?}", report.titles.len());
    let data = LibraryData::open(&library).expect("library");
    let top = listing::pairs(&data, 20).expect("pairs");
    assert_eq!(top.len(), 20);
    let across: Vec<_> = top
        .iter()
        .filter(|p| p.from.content_hash != p.to.content_hash)
        .collect();
    assert!(across.len() >= 10, "{} of 20 across titles", across.len());
    let titles: HashSet<&str> = across
        .iter()
        .flat_map(|p| [p.from.path.as_str(), p.to.path.as_str()])
        .collect();
    assert!(titles.len() >= 4, "{titles:?}");
    // Each side names its shot's range: the cut leaves the outgoing shot at
    // its last frame and enters the incoming one at its first.
    for p in &top {
        assert!(
            !p.from.shot_in.is_empty() && !p.to.shot_out.is_empty(),
            "{p:?}"
        );
        assert!(
            p.from.shot_in <= p.from.timecode && p.from.timecode <= p.from.shot_out,
            "{p:?}"
        );
        assert!(
            p.to.shot_in <= p.to.timecode && p.to.timecode <= p.to.shot_out,
            "{p:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&library);
}
