//! `itur`: parse the command line, run it, map the result to an exit code.
use clap::Parser;
use itur::app;
use itur::cli::Cli;
use itur::error::exit;

fn main() {
    tune_allocator();
    let cli = Cli::parse();
    app::logging::init(cli.log_format, cli.quiet);
    let code = match app::dispatch(&cli) {
        Ok(()) => exit::OK,
        Err(e) => {
            let code = e.exit_code();
            app::logging::print_error(cli.log_format, e.kind(), &e.to_string(), code);
            code
        }
    };
    std::process::exit(code);
}

/// glibc's default mmap threshold rises as large blocks are freed, so where a run's large
/// buffers come from varies with its history. A fixed threshold of 64 MiB serves the buffers
/// of reading a roster a column at a time (tens of MiB each) from the heap, and a trim
/// threshold of 256 MiB keeps what they free for the next column instead of returning and
/// faulting it in again: a national run takes 60% fewer page faults for ~50 MiB more peak
/// memory (BENCHMARKS.md).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tuning parameters of the allocator, before any threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}
