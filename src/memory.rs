//! The process's own memory: its use, for the debug logs of the steps and of reading tables,
//! and the allocator's policy (glibc only), in one place so that `table/` and `steps` need not
//! reach up into `app/`:
//! - [`tune`] at start: large blocks in their own mappings;
//! - [`HeapReuse`]: a run without letters keeps freed memory for reuse;
//! - [`give_back`]: any other run gives what a step freed back to the system.
//!
//! [`tune`] fixes glibc's mmap threshold at 1 MiB: large blocks get their own mappings and go
//! back to the system when freed, which keeps the peak of whole-table reads low (`validate`,
//! `roster-export`). [`HeapReuse`] is for a run whose work is tables of tens of MiB:
//! gifted-elementary and gifted-secondary without letters, and special-ed-baskets. A gifted
//! run reads its roster a column at a time and then builds many
//! tables of tens of MiB, allocating and freeing such buffers over and over; served from the
//! heap and kept there (a 64 MiB mmap threshold, a 256 MiB trim threshold), each reuses
//! memory already faulted in. A national screening + identification run takes 60 % fewer
//! page faults and ~15 % less time, for ~25 MiB more peak memory (BENCHMARKS.md); national
//! gifted-secondary and special-ed-baskets runs ~6 % less time (half the system time) for
//! ~25 MiB more. Gifted runs that write letters do without ([`HeapReuse::unless_letters`]):
//! they give freed memory back instead ([`give_back`]).
//!
//! Such a run also keeps to two arenas (glibc's default is 8 per core): memory freed by one
//! thread is then reused by the others. With an arena per thread, the identification phase
//! (on a thread of its own beside screening) and the worker threads grew arenas of their own
//! while the freed roster sat in the main one: ~60 MiB more peak memory, and more faults.
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the run keeps freed memory for reuse ([`HeapReuse`]).
static KEEPING_FREED: AtomicBool = AtomicBool::new(false);

/// Gives the memory the allocator holds free back to the system (glibc's `malloc_trim`), unless
/// the run keeps it for reuse ([`HeapReuse`]). glibc keeps the blocks a thread frees in that
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

/// glibc raises its mmap threshold each time a large block is freed, after which the large
/// buffers of reading a national roster come from the heap and stay resident once freed. A
/// fixed threshold keeps blocks of 1 MiB and more in their own mappings, returned to the
/// system when freed (about 50 MiB less peak memory on a national run; BENCHMARKS.md). Called
/// by `main` before any thread starts; [`HeapReuse`] sets thresholds of its own.
pub fn tune() {
    set(1 << 20, DEFAULT_TRIM);
}

/// glibc's default trim threshold.
const DEFAULT_TRIM: i32 = 128 << 10;

/// While alive, buffers up to 64 MiB come from (and return to) the heap.
pub struct HeapReuse(());

impl HeapReuse {
    /// Heap reuse for a run that writes no letters (its input has no `contacts` or no
    /// `contact_details`): it pays when the roster and the phases are the run's work. A run
    /// that writes letters does without and gives back what each step and every few batches
    /// of letters free ([`give_back`]), and keeps to four arenas, so that fewer
    /// of its threads hold freed memory of their own. At three times national that took its
    /// peak from ~1,460 to 1,085–1,139 MiB (three runs), at no cost in time (issue #24).
    pub fn unless_letters(input: &std::path::Path) -> Option<Self> {
        use crate::table::read::find_table_file;
        let letters = ["contacts", "contact_details"]
            .iter()
            .all(|t| matches!(find_table_file(input, t), Ok(Some(_))));
        if letters {
            arenas(4);
            return None;
        }
        Some(HeapReuse::enter())
    }

    pub fn enter() -> Self {
        set(64 << 20, 256 << 20);
        KEEPING_FREED.store(true, Ordering::Relaxed);
        arenas(2);
        HeapReuse(())
    }
}

/// At most `n` arenas for the threads started from now on (the run's threads start after
/// this; glibc's default is 8 per core).
fn arenas(n: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: as in `set`; it applies to arenas created from now on.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, n);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = n;
}

impl Drop for HeapReuse {
    fn drop(&mut self) {
        set(1 << 20, DEFAULT_TRIM);
        KEEPING_FREED.store(false, Ordering::Relaxed);
    }
}

fn set(mmap_threshold: i32, trim_threshold: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tuning parameters of the allocator (it takes its own lock).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, mmap_threshold);
        libc::mallopt(libc::M_TRIM_THRESHOLD, trim_threshold);
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = (mmap_threshold, trim_threshold);
}
