//! `itur`: parse the command line, run it, map the result to an exit code.
use clap::Parser;
use itur::app;
use itur::cli::Cli;
use itur::error::exit;

fn main() {
    itur::memory::tune();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => command_line_error(e),
    };
    app::logging::init(cli.log_format, cli.quiet);
    if let Err(message) = app::logging::set_run_id(cli.run_id.as_deref()) {
        app::logging::print_error(cli.log_format, "usage", &message, exit::USAGE);
        std::process::exit(exit::USAGE);
    }
    if let Err(e) = itur::output::stop::install() {
        tracing::warn!("SIGTERM and SIGINT will stop itur without cleaning up: {e}");
    }
    let result = app::dispatch(&cli);
    std::process::exit(app::conclude(&cli, &result));
}

/// A command line clap could not parse: its message as usual, or one JSON line when the
/// arguments ask for `--log-format json` (an orchestrator parses every line). `--help` and
/// `--version` print as usual.
fn command_line_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    let json = {
        let args: Vec<String> = std::env::args().collect();
        args.windows(2)
            .any(|w| w[0] == "--log-format" && w[1] == "json")
            || args.iter().any(|a| a == "--log-format=json")
    };
    let informational = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if !json || informational {
        e.exit();
    }
    // clap's message without its `error: ` and its closing "For more information" line,
    // on one line (a list of possible values included).
    let text = e.to_string();
    let message = text
        .trim()
        .trim_start_matches("error: ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect::<Vec<_>>()
        .join(" ");
    let line = app::logging::error_line("usage", &message, exit::USAGE);
    eprintln!("{line}");
    std::process::exit(exit::USAGE)
}
