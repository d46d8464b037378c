//! Gives the memory one stage of a job freed back to the system before the next stage allocates.
//!
//! glibc's malloc keeps freed small blocks in its heaps for reuse, and the reading thread has a heap
//! (arena) of its own: after a million orders are counted and freed, ~200 MB of free blocks stayed
//! resident through classification and export, the peak of `tierbook classify` (issue 10 item 6).
//! `malloc_trim` returns the free pages of every heap. Called when the job moves to another stage
//! (a handful of times a run, a few milliseconds each); `share_heaps` keeps the threads from
//! holding a heap each. The app links mimalloc, which returns freed
//! pages on its own; other C libraries have no such call and nothing is done there.

/// Lets the threads other than the main one share one heap (arena) instead of one each: the reading
/// thread's and rayon's classification threads' heaps each kept their own free and live blocks
/// resident (1M orders: peak 451 → 432 MB, same wall time; one heap for all threads cost 2 s of
/// lock contention). Call first thing in `main`.
pub(crate) fn share_heaps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` sets a glibc tunable; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Returns the pages of freed blocks to the system (glibc on Linux; a no-op elsewhere).
pub(crate) fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only walks glibc's own heaps under their locks; it takes no pointer of ours.
    unsafe {
        libc::malloc_trim(0);
    }
}
