//! Job `roster-export` (roster-export.md; source 000): education owners receive the roster of
//! their own secondary institutions, after signing a data-security commitment. Pure functions:
//! no file and no clock (today's date and the time of each audit line come in as arguments);
//! `app::roster_export` reads the tables, writes the files and appends the audit log.
//!
//! The steps, in the order of the spec:
//! 1. [`request`] — the request: one owner on request, or the scheduled weekly run, and the
//!    `--as-of` label of the snapshot ("Who may export").
//! 2. [`inputs`] — the typed rows of `owners`, `delegations` and `institutions` ("Inputs").
//! 3. [`authorize`](mod@authorize) — who may export, judged on the day of the run: the commitment in force,
//!    the requester the signatory or a delegate valid that day ("Who may export").
//! 4. [`select`] — which rows of the six files are each exported owner's ("The six files").
//! 5. [`outputs`] — each owner's folder, files, Hebrew headers and manifest, and the lines of
//!    the audit log ("The six files", "Audit").
pub mod authorize;
pub mod inputs;
pub mod outputs;
pub mod request;
pub mod select;

pub use authorize::{authorize, grants, Grant, Refusal};
pub use inputs::TABLES;
pub use inputs::{Commitment, Delegation, Institution, Owner};
pub use outputs::{folder_name, owner_frame, owner_manifest, AuditLines, ExportedFile, SIX};
pub use request::{as_of, Request};
pub use select::{exported, rows_per_owner, select_rows, TableKeys};

use chrono::NaiveDate;

/// Why a roster export cannot go on, apart from a refusal ([`Refusal`]): a usage error of the
/// request, or a table that cannot be turned into an owner's file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `--as-of` is not a date.
    #[error("--as-of {0}: expected a date YYYY-MM-DD")]
    AsOfNotADate(String),
    /// `--as-of` is after the day of the run.
    #[error(
        "--as-of {as_of} is after today ({today}); --as-of labels the roster snapshot and cannot be in the future"
    )]
    AsOfAfterToday { as_of: NaiveDate, today: NaiveDate },
    /// An owner id that cannot name a folder (validation rejects such rows first).
    #[error(
        "owner_id `{}` cannot name a folder (it must match {})",
        .0.escape_debug(),
        crate::rules::identifier::PATTERN
    )]
    UnsafeFolderName(String),
    /// An owner's rows could not be taken from a table.
    #[error("{table}: {message}")]
    Rows { table: String, message: String },
    /// A column could not be given its Hebrew name.
    #[error("renaming {table}.{column}: {message}")]
    Rename {
        table: String,
        column: String,
        message: String,
    },
}

impl ExportError {
    /// A usage error of the command line (exit 2) rather than a failure while exporting.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ExportError::AsOfNotADate(_) | ExportError::AsOfAfterToday { .. }
        )
    }
}
