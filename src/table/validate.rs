//! Validation of a job's input tables, as one entry point: value rules (`convert`), row checks
//! over several columns (`row_checks`), unique keys (`keys`) and references between tables
//! (`references`), run by `load_inputs` (`load`, and `by_column` for a table read a column at a
//! time). Every row read is either accepted or rejected with the rules it broke; nothing is
//! dropped silently.
//!
//! The names below are the ones the jobs and the tests import; the digit key of an ID is a
//! domain rule of its own (`rules::digit_key`), re-exported here for the callers that still
//! import it from this module.
pub use super::encode::encode_text;
pub use super::load::{
    load_inputs, load_inputs_selecting, load_parquet_files, load_selecting, Selector,
};
pub use super::par::{par_map_str, par_row_ranges, PAR_ROWS};
pub use super::select::{Pick, Probe, Selection};
pub use super::types::{InputSet, Table, TableNeed, TextColumn};
pub use crate::rules::digit_key::{digits_key, key_length, key_of, key_text};
