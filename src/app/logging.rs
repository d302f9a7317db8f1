//! Logging on stderr: human-readable text or JSON lines (`--log-format json`), each step a
//! span whose duration is logged when it closes.
use crate::cli::LogFormat;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_env("ITUR_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match format {
        LogFormat::Text => builder.without_time().try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}

/// Prints a fatal error as one sentence (text) or one JSON line.
pub fn print_error(format: LogFormat, kind: &str, message: &str, exit_code: i32) {
    match format {
        LogFormat::Text => eprintln!("error: {message}"),
        LogFormat::Json => {
            let line = serde_json::json!({
                "level": "ERROR",
                "kind": kind,
                "message": message,
                "exit_code": exit_code,
            });
            eprintln!("{line}");
        }
    }
}
