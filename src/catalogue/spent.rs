//! Where a catalogue's searches spend their time: the thread time of each
//! kind of search, summed over the threads that run them, so the
//! per-phase cost of [`Catalogue::add`](super::build::Catalogue::add) can
//! be read from a debug log (`MATCHCUT_LOG=matchcut::catalogue=debug`)
//! rather than from a temporary probe.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

thread_local! {
    /// Index asks made on this thread ([`asked`]), read around a search.
    static ASKS: Cell<u64> = const { Cell::new(0) };
}

/// Counts one ask of an index by a search (`Catalogue::search_in`: a
/// search asks again, for twice as many, until its bound is settled).
pub(super) fn asked() {
    ASKS.with(|asks| asks.set(asks.get() + 1));
}

/// A kind of search, as [`Spent`] counts it.
#[derive(Clone, Copy, Debug)]
pub(super) enum Search {
    Framing,
    Reverse,
    Descriptor,
    Print,
}

const KINDS: [Search; 4] = [
    Search::Framing,
    Search::Reverse,
    Search::Descriptor,
    Search::Print,
];

/// Thread time, calls and index asks of each kind of search since the
/// last [`Spent::take`].
#[derive(Default)]
pub(super) struct Spent {
    nanos: [AtomicU64; 4],
    calls: [AtomicU64; 4],
    asks: [AtomicU64; 4],
}

impl Spent {
    /// Runs `search`, counting its time as `what`'s.
    pub(super) fn time<R>(&self, what: Search, search: impl FnOnce() -> R) -> R {
        let (started, asks) = (Instant::now(), ASKS.with(Cell::get));
        let result = search();
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let asks = ASKS.with(Cell::get).saturating_sub(asks);
        self.nanos[what as usize].fetch_add(nanos, Ordering::Relaxed);
        self.calls[what as usize].fetch_add(1, Ordering::Relaxed);
        self.asks[what as usize].fetch_add(asks, Ordering::Relaxed);
        result
    }

    /// What was counted, in words ("framing 3.40 s / 4000 calls / 5210
    /// asks, ..."), and the counts back to zero.
    pub(super) fn take(&self) -> String {
        KINDS
            .iter()
            .map(|&what| {
                let nanos = self.nanos[what as usize].swap(0, Ordering::Relaxed);
                let calls = self.calls[what as usize].swap(0, Ordering::Relaxed);
                let asks = self.asks[what as usize].swap(0, Ordering::Relaxed);
                let name = format!("{what:?}").to_lowercase();
                let secs = nanos as f64 / 1e9;
                format!("{name} {secs:.2} s / {calls} calls / {asks} asks")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_and_starts_again_when_taken() {
        let spent = Spent::default();
        let slept = spent.time(Search::Reverse, || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            7
        });
        assert_eq!(slept, 7);
        spent.time(Search::Print, || ());
        spent.time(Search::Print, || {
            asked();
            asked();
        });
        asked(); // outside any search: not counted
        let said = spent.take();
        assert!(said.contains("print 0.00 s / 2 calls / 2 asks"), "{said}");
        assert!(said.contains("framing 0.00 s / 0 calls / 0 asks"), "{said}");
        let reverse = said
            .split(", ")
            .find_map(|p| p.strip_prefix("reverse "))
            .and_then(|p| p.split(' ').next())
            .and_then(|s| s.parse::<f64>().ok());
        assert!(reverse.is_some_and(|s| s >= 0.02), "{said}");
        assert!(spent.take().contains("reverse 0.00 s / 0 calls / 0 asks"));
    }
}
