//! Logging on stderr: human-readable text or JSON lines (`--log-format json`), each step a
//! span whose duration is logged when it closes. In JSON every line is one object with
//! `timestamp`, `level` and `message` at the top level; the final error (and a command-line
//! error) adds `kind`, `exit_code` and `run_id`.
use crate::cli::LogFormat;
use std::io::IsTerminal;
use std::sync::OnceLock;
use tracing_subscriber::EnvFilter;

/// The ID of this run (`--run-id`, `ITUR_RUN_ID`, or made at start).
static RUN_ID: OnceLock<String> = OnceLock::new();

pub fn init(format: LogFormat, quiet: bool) {
    let default = if quiet { "warn" } else { "info" };
    let filter = EnvFilter::try_from_env("ITUR_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let terminal = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(terminal).without_time().try_init(),
        LogFormat::Json => builder
            .with_ansi(false)
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
    crate::steps::set_spinners(terminal && format == LogFormat::Text);
}

/// Sets the run's ID from `--run-id` / `ITUR_RUN_ID`; a value outside letters, digits and
/// `._:-` (at most 128) is a usage error, since it reaches logs and the manifest.
pub fn set_run_id(given: Option<&str>) -> Result<(), String> {
    let Some(id) = given else {
        return Ok(());
    };
    let ok = (1..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._:-".contains(c));
    if !ok {
        return Err(format!(
            "--run-id {id:?} must be 1 to 128 letters, digits, `.`, `_`, `:` or `-`"
        ));
    }
    let _ = RUN_ID.set(id.to_string());
    Ok(())
}

/// The run's ID: the one given, else one made from the clock and the process ID.
pub fn run_id() -> &'static str {
    RUN_ID.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let seed = format!(
            "{}:{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0),
            std::process::id()
        );
        hex::encode(&Sha256::digest(seed.as_bytes())[..8])
    })
}

/// Prints a fatal error as one sentence (text) or one JSON line.
pub fn print_error(format: LogFormat, kind: &str, message: &str, exit_code: i32) {
    match format {
        LogFormat::Text => eprintln!("error: {message}"),
        LogFormat::Json => eprintln!("{}", error_line(kind, message, exit_code)),
    }
}

/// The JSON line of a fatal error.
pub fn error_line(kind: &str, message: &str, exit_code: i32) -> serde_json::Value {
    serde_json::json!({
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "level": "ERROR",
        "kind": kind,
        "message": message,
        "exit_code": exit_code,
        "run_id": run_id(),
    })
}
