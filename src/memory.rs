//! The process's own memory: its use, for the debug logs of the steps and of reading tables,
//! and giving freed memory back between steps (a module of its own so that `table/` and
//! `steps` need not reach up into `app/`).
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the run keeps freed memory for reuse (`app::heap::HeapReuse`).
static KEEPING_FREED: AtomicBool = AtomicBool::new(false);

/// Says whether the run keeps freed memory for reuse: while it does, [`give_back`] does
/// nothing.
pub fn keep_freed(keep: bool) {
    KEEPING_FREED.store(keep, Ordering::Relaxed);
}

/// Gives the memory the allocator holds free back to the system (glibc's `malloc_trim`), unless
/// the run keeps it for reuse ([`keep_freed`]). glibc keeps the blocks a thread frees in that
/// thread's arena, and frees the pages only at the top of an arena: a run whose steps build
/// and drop hundreds of MiB over several threads would keep them resident. At three times
/// national, a run with letters held ~350 MiB free in its arenas after placement and ~520 MiB
/// after the screening letters; given back after each step, its peak went from ~1,460 to
/// ~1,160 MiB (issue #24, BENCHMARKS.md). Called after each step ([`crate::steps`]) and every
/// few batches of letters; a call walks the arenas' free blocks, a few milliseconds.
pub fn give_back() {
    if KEEPING_FREED.load(Ordering::Relaxed) {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages back to the system: it takes each arena's
    // lock and touches no block in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The process's resident memory now and at its peak (MiB), on Linux.
pub fn memory_mib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
            .map(|kb| kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
