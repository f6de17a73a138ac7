//! An index file read whole into memory the process holds, advised to the
//! kernel as huge pages, for an index searched hard and never changed (a
//! catalogue's shards: [`super::Access::Resident`]).
//!
//! An HNSW search jumps from node to node across the whole index, so on a
//! large one nearly every distance it computes misses the TLB as well as
//! the caches. In 2-MB pages one entry maps 512 times as much: measured on
//! a kept catalogue of 1M synthetic shots (`benches/catalogue.rs`, one
//! 2,000-shot title added, the searches' thread time), the same searches
//! took 24 % less time with the kernel's transparent huge pages always on
//! than in 4-KB pages. Most systems grant them only to memory that asks
//! (`madvise`), and memory-mapped files and usearch's own allocations do
//! not ask: so the file is read into anonymous memory that does, and the
//! index is a view of it.

use memmap2::{Mmap, MmapMut};
use std::io::Read;
use std::path::Path;

/// The `size` bytes of the file at `path`, in anonymous memory advised as
/// huge pages (a hint: where the kernel grants none they serve as well in
/// small pages), then made read-only.
pub(super) fn read(path: &Path, size: u64) -> std::io::Result<Mmap> {
    let len = usize::try_from(size)
        .ok()
        .filter(|&len| len > 0)
        .ok_or_else(|| std::io::Error::other(format!("{size} bytes cannot be held")))?;
    let mut held = MmapMut::map_anon(len)?;
    advise(&held);
    std::fs::File::open(path)?.read_exact(&mut held)?;
    held.make_read_only()
}

#[cfg(target_os = "linux")]
fn advise(held: &MmapMut) {
    if let Err(e) = held.advise(memmap2::Advice::HugePage) {
        tracing::debug!("huge pages not granted to an index: {e}");
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_: &MmapMut) {}
