//! The allocator's settings for a run whose work is tables of tens of MiB: gifted-elementary
//! and gifted-secondary without letters, and special-ed-baskets (glibc only).
//!
//! `main` fixes glibc's mmap threshold at 1 MiB: large blocks get their own mappings and go
//! back to the system when freed, which keeps the peak of whole-table reads low (`validate`,
//! `roster-export`). A gifted run reads its roster a column at a time and then builds many
//! tables of tens of MiB, allocating and freeing such buffers over and over; served from the
//! heap and kept there (a 64 MiB mmap threshold, a 256 MiB trim threshold), each reuses
//! memory already faulted in. A national screening + identification run takes 60 % fewer
//! page faults and ~15 % less time, for ~25 MiB more peak memory (BENCHMARKS.md); national
//! gifted-secondary and special-ed-baskets runs ~6 % less time (half the system time) for
//! ~25 MiB more. Gifted runs that write letters do without ([`HeapReuse::unless_letters`]):
//! they give freed memory back instead (`crate::memory::give_back`).
//!
//! Such a run also keeps to two arenas (glibc's default is 8 per core): memory freed by one
//! thread is then reused by the others. With an arena per thread, the identification phase
//! (on a thread of its own beside screening) and the worker threads grew arenas of their own
//! while the freed roster sat in the main one: ~60 MiB more peak memory, and more faults.

/// glibc's default trim threshold.
const DEFAULT_TRIM: i32 = 128 << 10;

/// While alive, buffers up to 64 MiB come from (and return to) the heap.
pub struct HeapReuse(());

impl HeapReuse {
    /// Heap reuse for a run that writes no letters (its input has no `contacts` or no
    /// `contact_details`): it pays when the roster and the phases are the run's work. A run
    /// that writes letters does without and gives back what each step and every few batches
    /// of letters free (`crate::memory::give_back`), and keeps to four arenas, so that fewer
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
        crate::memory::keep_freed(true);
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
        crate::memory::keep_freed(false);
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
