//! The tables a job reads once validated (`Table`, its text columns `TextColumn`), the set of
//! them read from an input directory (`InputSet`), and how a job asks for one (`TableNeed`).
use super::read::SourceFile;
use super::reject::{Exclusion, Reject};
use super::schema::{self, TableSchema};
use crate::error::{Error, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A validated input table: its accepted rows, with canonical column types.
#[derive(Debug, Clone)]
pub struct Table {
    pub schema: &'static TableSchema,
    pub source: SourceFile,
    pub df: DataFrame,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Valid rows the job's rules leave out ([`InputSet::add_exclusions`]).
    pub rows_excluded: usize,
    /// 1-based source row of each accepted row when some rows were rejected (row i of `df` is
    /// data row `row_numbers[i]`); empty when none were (row i is data row i + 1).
    pub(super) row_numbers: Vec<u64>,
    /// For a one-column key of digit strings: the accepted keys' exact `digits_key`s, sorted
    /// (references to the key are checked against them).
    pub key_digits: Option<Arc<Vec<u64>>>,
    /// For a one-column key of digit strings present in every accepted row: each accepted
    /// row's exact `digits_key`, in row order (`row_keys`).
    pub(super) row_keys: Option<Arc<Vec<u64>>>,
    /// The key's text is not held (`df` has no key column): its values are `row_keys`. So
    /// for a roster read a column at a time whose IDs were all valid and stored PLAIN.
    pub(super) keys_only: bool,
    /// The values of the text columns held as codes (UInt32 columns of `df`, read with
    /// `text`), when the table was loaded with `TableNeed::coded`.
    pub dictionaries: BTreeMap<String, Arc<[PlSmallStr]>>,
    /// For a reference table read only for the IDs a run names (`TableNeed::reference`): the
    /// file's data rows and what the rows read were read for (`rows_read` counts those).
    pub read_only: Option<ReadOnly>,
}

/// A table read only for the IDs a run names (`TableNeed::reference`, `table::select`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnly {
    /// The file's data rows.
    pub rows_in_file: usize,
    /// Which rows were read, e.g. "students named by the requests".
    pub read_for: &'static str,
}

/// A text column of a table: plain, or dictionary codes and their values.
#[derive(Clone, Copy)]
pub enum TextColumn<'a> {
    Plain(&'a StringChunked),
    Coded(&'a UInt32Chunked, &'a [PlSmallStr]),
}

impl<'a> TextColumn<'a> {
    pub fn len(&self) -> usize {
        match self {
            TextColumn::Plain(ca) => ca.len(),
            TextColumn::Coded(codes, _) => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        match *self {
            TextColumn::Plain(ca) => ca.get(i),
            TextColumn::Coded(codes, values) => codes.get(i).map(|c| values[c as usize].as_str()),
        }
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = Option<&'a str>> + 'a> {
        match *self {
            TextColumn::Plain(ca) => Box::new(ca.iter()),
            TextColumn::Coded(codes, values) => Box::new(
                codes
                    .iter()
                    .map(move |c| c.map(|c| values[c as usize].as_str())),
            ),
        }
    }
}

impl Table {
    /// The 1-based source row of each row of `df`, in order.
    pub fn row_numbers(&self) -> impl Iterator<Item = u64> + '_ {
        let identity = self.row_numbers.is_empty();
        (0..self.df.height()).map(move |i| {
            if identity {
                i as u64 + 1
            } else {
                self.row_numbers[i]
            }
        })
    }

    /// Rows read = accepted + excluded + rejected.
    pub fn rows_accepted(&self) -> usize {
        self.rows_read - self.rows_rejected - self.rows_excluded
    }

    /// Each row's key as its exact `digits_key`, when the table's key is one column of digit
    /// strings (every accepted row then has one): a job can look rows up by integer without
    /// reading the key's text.
    pub fn row_keys(&self) -> Option<&[u64]> {
        self.row_keys.as_deref().map(Vec::as_slice)
    }

    /// Whether the key's text is held only as `row_keys` (then `text` of the key is an
    /// error; `key_text` turns a row's key back into its text).
    pub fn keys_only(&self) -> bool {
        self.keys_only
    }

    /// A text column, plain or coded.
    pub fn text(&self, name: &str) -> Result<TextColumn<'_>> {
        let bad = |e: String| Error::Job(format!("{}.{name}: {e}", self.schema.name));
        if self.keys_only && self.schema.key == [name] {
            return Err(bad(
                "the IDs are held as digit keys (Table::row_keys)".into()
            ));
        }
        let s = self
            .df
            .column(name)
            .map_err(|e| bad(e.to_string()))?
            .as_materialized_series();
        match self.dictionaries.get(name) {
            Some(values) => Ok(TextColumn::Coded(
                s.u32().map_err(|e| bad(e.to_string()))?,
                values,
            )),
            None => Ok(TextColumn::Plain(s.str().map_err(|e| bad(e.to_string()))?)),
        }
    }

    /// A boolean column's values (`None` for missing).
    pub fn flags(&self, name: &str) -> Result<impl Iterator<Item = Option<bool>> + '_> {
        let bad = |e: String| Error::Job(format!("{}.{name}: {e}", self.schema.name));
        let s = self
            .df
            .column(name)
            .map_err(|e| bad(e.to_string()))?
            .as_materialized_series();
        Ok(s.bool().map_err(|e| bad(e.to_string()))?.iter())
    }
}

/// A table a job reads, and whether it must be present.
#[derive(Debug, Clone, Copy)]
pub struct TableNeed {
    pub name: &'static str,
    pub required: bool,
    /// Read the file a column at a time and hold the text columns outside the key and the
    /// row checks as dictionary codes (`Table::dictionaries`): for the national roster, whose
    /// text as one frame would be most of a run's memory. Validation is the same.
    pub coded: bool,
    /// The columns the job reads (`None`: all). The others are validated like the rest and
    /// then left out of the table; a `coded` table drops each as soon as it is checked
    /// (unless row checks or references still need it).
    pub keep: Option<&'static [&'static str]>,
    /// A reference table: read and validated only for the rows the run's selection names
    /// (`table::select`, `load::load_inputs_selecting`); read whole without a selection.
    pub reference: bool,
}

impl TableNeed {
    pub const fn new(name: &'static str, required: bool) -> Self {
        TableNeed {
            name,
            required,
            coded: false,
            keep: None,
            reference: false,
        }
    }

    /// The same table, read only for the rows the run's selection names.
    pub const fn reference(self) -> Self {
        TableNeed {
            reference: true,
            ..self
        }
    }

    /// The same table, keeping only `columns` once validated.
    pub const fn keeping(self, columns: &'static [&'static str]) -> Self {
        TableNeed {
            keep: Some(columns),
            ..self
        }
    }

    /// The same table, read with its text columns coded.
    pub const fn coded(self) -> Self {
        TableNeed {
            coded: true,
            ..self
        }
    }
}

/// Everything read from an input directory.
#[derive(Debug, Default)]
pub struct InputSet {
    pub tables: BTreeMap<String, Table>,
    /// All rejects, in table dependency order, then by row.
    pub rejects: Vec<Reject>,
    /// Valid rows the job's rules leave out, as the jobs found them
    /// ([`InputSet::exclusions_in_order`]).
    pub exclusions: Vec<Exclusion>,
    pub warnings: Vec<String>,
}

impl InputSet {
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// A table the job cannot do without (loaded as required, so its absence is a bug).
    pub fn table(&self, name: &str) -> Result<&Table> {
        self.get(name)
            .ok_or_else(|| Error::Job(format!("table `{name}` was not read")))
    }

    /// Rejects found by a job's own rules (e.g. `grade_not_tested`) for rows validation had
    /// accepted: they join the rejects and move those rows from accepted to rejected.
    pub fn add_job_rejects(&mut self, table: &str, rejects: Vec<Reject>) {
        let Some(t) = self.tables.get_mut(table) else {
            return;
        };
        let mut rows: Vec<u64> = rejects.iter().map(|r| r.row_number).collect();
        rows.sort_unstable();
        rows.dedup();
        t.rows_rejected += rows.len();
        self.rejects.extend(rejects);
    }

    /// Rows a job's rules leave out (`institution_not_participating`, `other_school_year`,
    /// `grade_not_tested`): they move from accepted to excluded. Each row is excluded once.
    pub fn add_exclusions(&mut self, table: &str, exclusions: Vec<Exclusion>) {
        let Some(t) = self.tables.get_mut(table) else {
            return;
        };
        debug_assert!(exclusions.iter().all(|e| e.table == table));
        t.rows_excluded += exclusions.len();
        self.exclusions.extend(exclusions);
    }

    /// The exclusions in table dependency order, then by row.
    pub fn exclusions_in_order(&self) -> Vec<&Exclusion> {
        let mut v: Vec<&Exclusion> = self.exclusions.iter().collect();
        v.sort_by(|a, b| {
            (schema::order(&a.table), a.row_number).cmp(&(schema::order(&b.table), b.row_number))
        });
        v
    }

    /// Frees a table's rows once a job has taken what it needs (its counts stay for the
    /// manifest). The roster of a nation is most of a run's memory.
    pub fn release(&mut self, table: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            let rows = (
                std::mem::take(&mut t.df),
                std::mem::take(&mut t.row_numbers),
                t.key_digits.take(),
                t.row_keys.take(),
                std::mem::take(&mut t.dictionaries),
            );
            // Unmapping a national roster takes tens of milliseconds: done beside the job.
            std::thread::spawn(move || drop(rows));
        }
    }

    /// Tables in dependency order.
    pub fn ordered(&self) -> Vec<&Table> {
        let mut v: Vec<&Table> = self.tables.values().collect();
        v.sort_by_key(|t| schema::order(&t.schema.name));
        v
    }
}
