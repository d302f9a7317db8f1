//! The commands behind the CLI: one `run` function per subcommand.
pub mod diff;
pub mod gifted;
pub mod gifted_secondary;
pub mod help_cmd;
pub mod inputs;
pub mod logging;
pub mod record;
pub mod requests;
pub mod research_export;
pub mod retest_review;
pub mod roster_export;
pub mod run;
pub mod schema_cmd;
pub mod special_ed;
pub mod special_sessions;
pub mod synth_cmd;
pub mod teacher_loans;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// The job and command a command line names, for its record.
pub fn names(cli: &Cli) -> (&'static str, &'static str) {
    match &cli.command {
        Command::Run(a) => (a.job.name(), "run"),
        Command::Validate(a) => (a.job.name(), "validate"),
        Command::Synth(_) => ("synth", "synth"),
        Command::Schema(_) => ("", "schema"),
        Command::Diff(_) => ("", "diff"),
        Command::Completions(_) => ("", "completions"),
        Command::Man => ("", "man"),
    }
}

/// Runs the parsed command line.
pub fn dispatch(cli: &Cli) -> Result<()> {
    record::set_strict(cli.strict);
    match &cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Synth(a) => synth_cmd::run(a),
        Command::Schema(a) => schema_cmd::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Completions(a) => help_cmd::completions(a),
        Command::Man => help_cmd::man(),
    }
}

/// Ends a command: its record to `--record FILE`, and its last line on stderr — the error as
/// one sentence (text), or, with `--log-format json`, one JSON line with `timestamp`,
/// `level`, `kind`, `message`, `exit_code`, `run_id` and, for `run`, `validate` and `synth`, the
/// `record`. Returns the exit code.
pub fn conclude(cli: &Cli, result: &Result<()>) -> i32 {
    let code = result.as_ref().map_or_else(|e| e.exit_code(), |()| 0);
    let (job, command) = names(cli);
    let record = matches!(command, "run" | "validate" | "synth")
        .then(|| record::final_record(job, command, result));
    if let (Some(path), Some(r)) = (&cli.record, &record) {
        if let Err(e) = crate::output::atomic::write_record(path, &r.to_json()) {
            tracing::warn!("the run's record could not be written: {e}");
        }
    }
    let (kind, message) = match result {
        Err(e) => (e.kind(), e.to_string()),
        Ok(()) => ("record", format!("itur {command} {job} finished")),
    };
    match (cli.log_format, record) {
        (crate::cli::LogFormat::Json, Some(r)) => {
            let mut line = logging::error_line(kind, &message, code);
            if result.is_ok() {
                line["level"] = "INFO".into();
            }
            line["record"] = serde_json::to_value(&r).unwrap_or_default();
            eprintln!("{line}");
        }
        _ if result.is_err() => logging::print_error(cli.log_format, kind, &message, code),
        _ => {}
    }
    code
}
