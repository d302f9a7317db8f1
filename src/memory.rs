//! The process's own memory use, for the debug logs of the steps and of reading tables (a
//! module of its own so that `table/` need not reach up into `app/`).

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
