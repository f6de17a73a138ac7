//! Work that can wait, run so that it never slows what the editor is
//! looking at: on a thread of its own at a low scheduling priority (nice
//! 10; FFmpeg's decoder threads started there inherit it).

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
