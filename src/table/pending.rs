//! A table while it is being validated (`Pending`): its converted columns and the rejects found
//! so far, shared by the row checks, the key check and the reference checks.
use super::read::SourceFile;
use super::reject::RejectSet;
use super::schema::TableSchema;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A table while it is being validated.
pub(super) struct Pending {
    pub(super) schema: &'static TableSchema,
    pub(super) source: SourceFile,
    pub(super) height: usize,
    pub(super) columns: Vec<Series>,
    pub(super) rejects: RejectSet,
    pub(super) warnings: Vec<String>,
    /// (exact key word, row) of the rows not rejected when keys were checked, sorted, for a
    /// one-column key of digit strings.
    pub(super) key_set: Option<KeySet>,
    pub(super) dictionaries: BTreeMap<String, Arc<[PlSmallStr]>>,
    /// The key column holds digit keys (`Held::Keys`), not text: each row's are `key_words`
    /// (its column in `columns` is all missing, of no type) until `check_keys` takes them.
    pub(super) keys_only: bool,
    pub(super) key_words: Option<Vec<u64>>,
    /// The columns the job keeps (`TableNeed::keep`; the others are left out by `finish`).
    pub(super) keep: Option<&'static [&'static str]>,
    /// For a table read only for the IDs a run names (`select`): the 1-based file row of each
    /// row read, and the file's data rows and what the rows were read for.
    pub(super) source_rows: Option<(Vec<u64>, super::types::ReadOnly)>,
}

impl Pending {
    /// The 1-based data row of the file that row `i` (0-based) of the table read is.
    pub(super) fn file_row(&self, i: usize) -> u64 {
        match &self.source_rows {
            Some((rows, _)) => rows[i],
            None => i as u64 + 1,
        }
    }
}

/// The sorted, distinct exact keys of the rows accepted when keys were checked, each row's
/// key word (`exact_words`), and which rows were rejected then (rows rejected later take
/// their keys out in `finish`).
pub(super) struct KeySet {
    pub(super) keys: Vec<u64>,
    pub(super) words: Vec<u64>,
    pub(super) rejected_then: Vec<bool>,
}

pub(super) fn col<'a>(p: &'a Pending, name: &str) -> &'a Series {
    let i = p
        .schema
        .column_index(name)
        .unwrap_or_else(|| panic!("schema {} names unknown column {name}", p.schema.name));
    &p.columns[i]
}

/// Values of an int or date column as i64 (dates as days since 1970-01-01).
pub(super) fn as_i64(s: &Series) -> Vec<Option<i64>> {
    match s.dtype() {
        DataType::Date => s
            .date()
            .expect("date")
            .physical()
            .iter()
            .map(|v| v.map(i64::from))
            .collect(),
        _ => s.i64().expect("int").iter().collect(),
    }
}

pub(super) fn show(s: &Series, i: usize) -> String {
    match s.get(i) {
        Ok(AnyValue::Null) | Err(_) => String::new(),
        Ok(AnyValue::String(v)) => v.to_string(),
        Ok(v) => v.to_string(),
    }
}
