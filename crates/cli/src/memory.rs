//! The command's allocator: jemalloc, returning freed pages to the system at once.
//!
//! A job's threads allocate and free millions of small blocks (cells, orders, the lists' texts).
//! glibc's malloc (the system's on Linux) spent ~12 % of a million-order `classify` in malloc and
//! free, and kept freed blocks resident in each thread's heap: the command used to share two heaps
//! among all its threads and call `malloc_trim` between stages to stay under the 400 MB bar (issue
//! 10 item 6). jemalloc with its decay at 0 gives freed pages back as it goes: at a million orders,
//! user CPU 8.6 → 8.05 s and peak RSS 400 → 387 MB (docs/benchmarks.md). mimalloc, the app's, was
//! as fast but held 491 MB. jemalloc does not build with MSVC: Windows keeps the system's allocator.

#[cfg(unix)]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts: freed pages go back at once (dirty and muzzy decay 0)
/// instead of after ~10 s, which a one-shot command would not live to see. `_RJEM_MALLOC_CONF` in
/// the environment overrides them (the crate's jemalloc names its symbols with the `_rjem_` prefix).
#[cfg(unix)]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
#[used]
static malloc_conf: &[u8; 34] = b"dirty_decay_ms:0,muzzy_decay_ms:0\0";
