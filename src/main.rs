//! `itur`: parse the command line, run it, map the result to an exit code.
use clap::Parser;
use itur::app;
use itur::cli::Cli;
use itur::error::exit;

fn main() {
    tune_allocator();
    let cli = Cli::parse();
    app::logging::init(cli.log_format, cli.quiet);
    if let Err(e) = itur::output::stop::install() {
        tracing::warn!("SIGTERM and SIGINT will stop itur without cleaning up: {e}");
    }
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

/// glibc raises its mmap threshold each time a large block is freed, after which the large
/// buffers of reading a national roster come from the heap and stay resident once freed. A
/// fixed threshold keeps blocks of 1 MiB and more in their own mappings, returned to the
/// system when freed (about 50 MiB less peak memory on a national run; BENCHMARKS.md).
/// A gifted-elementary run sets thresholds of its own (`app::heap`).
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator, before any threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
