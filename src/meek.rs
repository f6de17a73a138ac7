//! Work that can wait, run so that it never slows what the editor is
//! looking at: on a thread of its own at a low scheduling priority (nice
//! 10; FFmpeg's decoder threads started there inherit it). The scan's
//! embedding threads go further down, to nice 19 ([`lowest_priority`]).

/// Runs `work` on a new thread at a low priority and waits for it; `None`
/// when no thread could be started or the work panicked.
pub fn meekly<T: Send>(name: &str, work: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name(name.to_string())
            .spawn_scoped(scope, || {
                lower_priority();
                work()
            })
            .ok()?;
        worker.join().ok()
    })
}

/// Lowers the calling thread's scheduling priority (on Linux the nice
/// value belongs to the thread). Best effort: where it fails, the thread
/// runs at the usual priority.
pub(crate) fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `who` 0 is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Lowers the calling thread to the lowest priority, nice 19 (best effort,
/// as [`lower_priority`]). The scan's embedding threads run so: the model
/// fills the time decoding and shot detection leave and catches up at the
/// end of the title, yet it still gets a share of a busy machine. Linux's
/// idle scheduling class was tried first and starves: with two busy
/// processes on 2 cores the window's background analysis of the e2e
/// library did not finish in 180 s. Measured on the 10-minute 1080p film
/// on 2 cores (alternating runs): 31.6 / 31.7 s idle class, 32.3 / 33.0 s
/// nice 10, 34.1 / 34.6 s at the scan's priority.
pub(crate) fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `who` 0 is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}
