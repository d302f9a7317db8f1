//! Input tables: schemas (from `schemas/`), reading Parquet and CSV, validation and rejects.
pub mod convert;
pub mod csv_read;
pub mod parquet_dict;
pub mod parquet_keys;
pub mod parquet_read;
pub mod radix;
pub mod read;
pub mod reject;
pub mod rows;
pub mod schema;
pub mod validate;

pub use read::{RawTable, SourceFile};
pub use reject::Reject;
pub use validate::{InputSet, Table};
