//! Typed errors of the library. Each one prints as one clear sentence and maps to an exit code
//! of the command line (spec README, "Exit codes").
use std::path::PathBuf;

/// The exit codes of the command line.
pub mod exit {
    pub const OK: i32 = 0;
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const REFUSED: i32 = 3;
    pub const REJECTED: i32 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong command-line use, an unknown job, a missing input directory or table.
    #[error("{0}")]
    Usage(String),
    /// A pipeline parameter (from the pipeline file or a `--set` override) that is unknown, of
    /// the wrong type or form, or out of range; or a pipeline file that cannot be used (then
    /// `key` names the file). Prints as `key = value: reason`.
    #[error("{}", config_sentence(.key, .value.as_deref(), .reason))]
    Config {
        /// The parameter, dotted (`thresholds.gifted`), or `pipeline file <path>`.
        key: String,
        /// The value as written (TOML form: `"balnced"`, `100.0001`), where there is one.
        value: Option<String>,
        /// Why it is refused, in a few words (`must be between 0 and 1`).
        reason: String,
    },
    /// A letter template (bundled or from `--templates`) that cannot be read, parsed or
    /// rendered.
    #[error("{0}")]
    Template(String),
    /// An input file that cannot be read as a table at all (malformed, wrong types, missing columns).
    #[error("{path}: {message}")]
    InputFile { path: PathBuf, message: String },
    /// More rows rejected than `max_reject_share` allows (data-contract.md, "Row validation
    /// and rejects"): each table over the limit, with its counts.
    #[error("inputs rejected beyond max_reject_share: {}", rejected_sentence(.0))]
    Rejected(Vec<RejectedTable>),
    /// A request refused by an authorization rule.
    #[error("{0}")]
    Refused(String),
    /// A failure while computing.
    #[error("{0}")]
    Job(String),
    /// `--strict` and the run had warnings: nothing was published.
    #[error(
        "--strict: the run had {warnings} warning(s), nothing was published; the first: {first}"
    )]
    Strict { warnings: usize, first: String },
    /// Stopped by SIGTERM or SIGINT (`output::stop`): nothing was published.
    #[error(
        "stopped by {}: nothing was published (an earlier output in --out is unchanged)",
        crate::output::stop::signal_name(*signal)
    )]
    Interrupted { signal: i32 },
    /// A failure to write outputs or read a file from disk.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Config { .. } | Error::Template(_) => exit::USAGE,
            Error::InputFile { .. } | Error::Rejected(_) => exit::REJECTED,
            Error::Refused(_) => exit::REFUSED,
            Error::Job(_) | Error::Io { .. } => exit::FAILURE,
            Error::Interrupted { signal } => 128 + signal,
            Error::Strict { .. } => exit::REJECTED,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A refused parameter: `key = value: reason`.
    pub fn config(
        key: impl Into<String>,
        value: Option<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::Config {
            key: key.into(),
            value,
            reason: reason.into(),
        }
    }

    pub fn input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::InputFile {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A short machine-readable kind, for JSON logs and the manifest.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Usage(_) => "usage",
            // A template is configuration too (as it was before it had a variant of its own).
            Error::Config { .. } | Error::Template(_) => "config",
            Error::InputFile { .. } => "input_file",
            Error::Rejected(_) => "rejected",
            Error::Refused(_) => "refused",
            Error::Job(_) => "job",
            Error::Io { .. } => "io",
            Error::Interrupted { .. } => "interrupted",
            Error::Strict { .. } => "strict",
        }
    }
}

fn config_sentence(key: &str, value: Option<&str>, reason: &str) -> String {
    match value {
        Some(v) => format!("{key} = {v}: {reason}"),
        None => format!("{key}: {reason}"),
    }
}

/// One input table with more rejected rows than `max_reject_share` allows.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedTable {
    pub table: String,
    /// The table's input file.
    pub path: PathBuf,
    pub rows_rejected: usize,
    pub rows_read: usize,
    /// The limit it broke (`max_reject_share`, for display).
    pub max_share: f64,
    /// The most common rules broken, most frequent first, with their counts.
    pub most_common: Vec<(String, usize)>,
    /// The table's first rejected row, as an example.
    pub first: Option<FirstReject>,
}

/// Where and why a table's first row was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstReject {
    pub row_number: u64,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RejectedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let share = self.rows_rejected as f64 / self.rows_read as f64;
        write!(
            f,
            "{} ({}): {} of {} rows rejected ({:.1}%), above max_reject_share {}; most common: ",
            self.table,
            self.path.display(),
            self.rows_rejected,
            self.rows_read,
            share * 100.0,
            self.max_share
        )?;
        for (i, (rule, n)) in self.most_common.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{rule} ({n})")?;
        }
        if let Some(r) = &self.first {
            write!(
                f,
                "; first: row {}, column `{}`: {}",
                r.row_number, r.column, r.message
            )?;
        }
        Ok(())
    }
}

fn rejected_sentence(tables: &[RejectedTable]) -> String {
    tables
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
