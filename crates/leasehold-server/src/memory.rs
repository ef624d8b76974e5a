//! Giving memory back to the system after the start-up load.

/// The load reads every stored lease as full strings before the lease table
/// keeps them compactly. With a million leases that leaves a few hundred
/// megabytes of freed small blocks that glibc keeps for later; this returns
/// the whole free pages among them (about 200 MB at a million leases, in
/// about a second, [`GIVE_BACK_AFTER`] the start; see BENCHMARKS.md).
pub fn give_back() {
    let started = std::time::Instant::now();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointers; it walks glibc's own free lists
    // under its own locks and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    tracing::debug!(took = ?started.elapsed(), "memory of the start-up load given back");
}

/// How long after the start [`give_back`] runs.
pub const GIVE_BACK_AFTER: std::time::Duration = std::time::Duration::from_secs(2);
