//! `itur`: parse the command line, run it, map the result to an exit code.
use clap::Parser;
use itur::app;
use itur::cli::Cli;
use itur::error::exit;

fn main() {
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
