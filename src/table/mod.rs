//! Input tables: schemas (from `schemas/`), reading Parquet and CSV, validation and rejects.
//!
//! Layout: `read` finds a table's file and reads it with `csv_read` or `parquet_read`, which
//! match its header to the schema (`header`) and return its raw columns; `convert`
//! checks and converts each column's values; `load` runs the validation of a job's tables
//! (`by_column` for a table read a column at a time; `select` picks the rows of a reference
//! table a job reads only for the IDs it names), with `row_checks`, `keys` and
//! `references` working on a `pending` table; `types` holds what comes out (`Table`,
//! `InputSet`); `rows` reads a table's rows as a job's serde structs, and `id_index` finds
//! and gathers a few rows of a national table by ID; `validate` is the entry point the jobs
//! import; `reject_share` holds the rules on the validated inputs as a whole (reconciliation
//! counts, the `max_reject_share` limit).
mod by_column;
pub mod convert;
pub mod csv_read;
pub mod describe;
pub mod encode;
pub mod header;
pub mod id_index;
mod keys;
mod load;
pub mod par;
pub mod parquet_dict;
pub mod parquet_keys;
pub mod parquet_pages;
pub mod parquet_read;
mod pending;
pub mod read;
mod references;
pub mod reject;
pub mod reject_share;
mod row_checks;
pub mod rows;
pub mod schema;
pub mod select;
pub mod types;
pub mod validate;

pub use read::{RawTable, SourceFile};
pub use reject::{Exclusion, Reject};
pub use types::{InputSet, Table};
