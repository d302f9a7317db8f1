//! Typed output rows → tables through the output schemas: the one mechanism by which a job's
//! output rows become a frame (design.md "A job's shape": `outputs.rs`), the counterpart of
//! `table::rows` for reading.
//!
//! A table's rows are a slice of one struct deriving `serde::Serialize`, whose fields are the
//! columns of `schemas/<table>.toml` in the schema's order and under its names (the data
//! contract's). The schema decides each column's type, whatever the field's Rust type:
//! - `str` and `enum`: text; a field may be text, a unit enum variant, an enum that serializes
//!   as its text (`jobs::serialize_as_str!`), a `bool` (`true`/`false`) or an integer (its
//!   decimal digits, e.g. a lottery number);
//! - `int`: Int64 from any integer type; an `i128` (an exact fraction's numerator or
//!   denominator) that does not fit in i64 turns the whole column into its decimal text, so
//!   no exact value is ever rounded;
//! - `float`: Float64; `bool`: Boolean;
//! - `date`: Date, from days since 1970-01-01 (a `chrono::NaiveDate` field with
//!   `#[serde(with = "crate::rules::date")]`) or an ISO `YYYY-MM-DD` text;
//! - an `Option` field's `None` is a missing value.
//!
//! A field the schema does not list, a field out of the schema's order, a schema column with
//! no field and a value the column's type cannot hold are errors naming the table and the
//! column: programming errors, caught for every output table by a unit test
//! (`jobs/gifted/tests/outputs_tests.rs`).
//!
//! Columns named by a setting (`{subtest}_percentile` of `results`, the per-subtest cut-offs
//! of `cutoffs`) stand in their schema as `{subtest}_<suffix>` columns, where they go and with
//! their types; [`Layout::with_subtests`] names them for a run's subtests, and the row holds
//! them in one field `subtests`: a sequence with one element per subtest (in the settings'
//! order), each a struct whose fields are the suffixes, or `None` for a subtest without values.
//!
//! Cells go straight into typed column buffers as they are serialized (no intermediate
//! per-cell value, one allocation-free text copy per text cell), so a table of 150,000 rows
//! costs about what building its columns by hand does.
use super::table::OutputTable;
use super::write::Formats;
use crate::error::{Error, Result};
use crate::table::schema::{self, ColType};
use polars::prelude::*;
use serde::Serialize;
use serialize::{At, Ser};

mod csv_list;
mod serialize;

/// The integer methods of a cell serializer, each widening its value to `i128` for `$f`
/// (`u128` is the serializer's own: it may not fit).
macro_rules! integers_through {
    ($f:ident) => {
        fn serialize_i8(self, v: i8) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_i16(self, v: i16) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_i32(self, v: i32) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_i64(self, v: i64) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_i128(self, v: i128) -> Res {
            self.$f(v)
        }
        fn serialize_u8(self, v: u8) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_u16(self, v: u16) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_u32(self, v: u32) -> Res {
            self.$f(i128::from(v))
        }
        fn serialize_u64(self, v: u64) -> Res {
            self.$f(i128::from(v))
        }
    };
}
use integers_through;

pub use csv_list::csv_list;

/// The schema of a file a run writes, by its path inside the output folder: a table's
/// (`confidential/results.parquet` → `results`), or the list's that every file of a folder of
/// lists shares (`tracks/<track_id>.csv` → `track_list`). `None` for what is not a table (the
/// letters' HTML, the manifest).
pub fn schema_of_file(path: &str) -> Option<&'static schema::TableSchema> {
    table_of_file(path).map(|(_, s)| s)
}

/// The tables a job writes under another job's table name, with the schema that describes
/// them there ([`table_as`]): (job, table, schema).
pub const VARIANTS: &[(&str, &str, &str)] = &[
    (
        "gifted-secondary",
        "interview_invitations",
        "secondary_interview_invitations",
    ),
    ("gifted-secondary", "placements", "secondary_placements"),
    ("gifted-secondary", "waitlist", "secondary_waitlist"),
];

/// [`table_of_file`] of a file that job `job` wrote: a table it writes in a variant of its
/// own ([`VARIANTS`]) is described by the variant's schema.
pub fn table_of_job_file(path: &str, job: &str) -> Option<(String, &'static schema::TableSchema)> {
    let (place, s) = table_of_file(path)?;
    let variant = VARIANTS.iter().find(|(j, t, _)| *j == job && *t == s.name);
    Some((place, variant.and_then(|v| schema::get(v.2)).unwrap_or(s)))
}

/// [`schema_of_file`], with the file's place among the run's files: its path, or for a file
/// of a folder of lists the folder's pattern (`tracks/*.csv`, `schools/*/school_list.csv`).
pub fn table_of_file(path: &str) -> Option<(String, &'static schema::TableSchema)> {
    let (stem, ext) = (path.strip_suffix(".parquet").map(|s| (s, "parquet")))
        .or_else(|| path.strip_suffix(".csv").map(|s| (s, "csv")))
        .or_else(|| path.strip_suffix(".xlsx").map(|s| (s, "xlsx")))?;
    let parts: Vec<&str> = stem.split('/').collect();
    let (name, pattern) = match parts.as_slice() {
        ["schools", _, list] if *list == "school_list" => ("school_lists", "schools/*/school_list"),
        ["schools", _, list] if *list == "stage_b_invitations" => {
            ("school_invitation_list", "schools/*/stage_b_invitations")
        }
        ["tracks", _] => ("track_list", "tracks/*"),
        ["centers", _] => ("center_list", "centers/*"),
        ["confidential", "colleges", _] => ("college_list", "confidential/colleges/*"),
        [.., last] => (*last, stem),
        [] => return None,
    };
    Some((format!("{pattern}.{ext}"), schema::get(name)?))
}

/// The field of a row that holds its per-subtest columns.
const SUBTESTS_FIELD: &str = "subtests";

/// The column [`Layout::in_year`] fills.
const YEAR: &str = "school_year";

/// The rows of table `stem` (e.g. `confidential/audit`) as an output table in `formats`,
/// through the schema of its last path component.
pub fn table<T: Serialize>(stem: &str, rows: &[T], formats: Formats) -> Result<OutputTable> {
    Layout::of(table_name(stem))?.table(stem, rows, formats)
}

/// [`table`] of rows all of school year `year`, which fills the schema's `school_year` column
/// ([`Layout::in_year`]).
pub fn table_in_year<T: Serialize>(
    stem: &str,
    year: i64,
    rows: &[T],
    formats: Formats,
) -> Result<OutputTable> {
    Layout::of(table_name(stem))?
        .in_year(year)
        .table(stem, rows, formats)
}

/// The rows of table `stem` laid out and described by the schema `schema` (another job's
/// variant of a table with the same name, [`OutputTable::with_schema`]).
pub fn table_as<T: Serialize>(
    stem: &str,
    schema: &'static str,
    rows: &[T],
    formats: Formats,
) -> Result<OutputTable> {
    let df = Layout::of(schema)?.frame(rows)?;
    Ok(OutputTable::with_schema(stem, schema, df, formats))
}

/// The table name of an output stem: its last path component (as `output::write` finds the
/// schema of the files it writes).
fn table_name(stem: &str) -> &str {
    stem.rsplit('/').next().unwrap_or(stem)
}

/// The columns of an output table: its schema's, with the per-subtest columns of the run.
#[derive(Debug, Clone)]
pub struct Layout {
    table: String,
    columns: Vec<(String, ColType)>,
    subtests: Option<Subtests>,
    /// The schema's `school_year` column filled with one year ([`Layout::in_year`]): where it
    /// goes among the columns, and the year.
    year: Option<(usize, i64)>,
}

/// Where a table's per-subtest columns are.
#[derive(Debug, Clone)]
struct Subtests {
    /// Index of the first of them.
    at: usize,
    /// How many subtests.
    count: usize,
    /// Per subtest: the suffixes and types.
    fields: Vec<(String, ColType)>,
}

impl Layout {
    /// The columns of output table `table` as its schema lists them (no per-subtest columns
    /// until [`Layout::with_subtests`]).
    pub fn of(table: &str) -> Result<Self> {
        let s = schema::get(table).ok_or_else(|| {
            Error::Job(format!("output table `{table}` has no schema in schemas/"))
        })?;
        let columns: Vec<(String, ColType)> = (s.columns.iter())
            .filter(|c| c.subtest_suffix().is_none())
            .map(|c| (c.name.clone(), c.ty))
            .collect();
        // The schema's `{subtest}_<suffix>` columns, side by side where they stand.
        let at = s.columns.iter().position(|c| c.subtest_suffix().is_some());
        let subtests = at.map(|at| Subtests {
            at,
            count: 0,
            fields: (s.columns[at..].iter())
                .map_while(|c| Some((c.subtest_suffix()?.to_string(), c.ty)))
                .collect(),
        });
        Ok(Layout {
            table: table.to_string(),
            columns,
            subtests,
            year: None,
        })
    }

    /// The layout of a table whose rows are all of the run's school year `year`: its schema's
    /// `school_year` column is filled with it, and the rows have no field for it (so each
    /// per-student table says its year without every row struct of the job carrying it).
    pub fn in_year(mut self, year: i64) -> Self {
        if let Some(at) = self.columns.iter().position(|(n, _)| n == YEAR) {
            self.columns.remove(at);
            if let Some(g) = self.subtests.as_mut().filter(|g| g.at > at) {
                g.at -= 1;
            }
            self.year = Some((at, year));
        }
        self
    }

    /// The layout with the columns `{subtest}_{suffix}` of each of `subtests`, in that order
    /// (a table without per-subtest columns is left as it is).
    pub fn with_subtests<S: AsRef<str>>(mut self, subtests: &[S]) -> Self {
        if let Some(g) = &mut self.subtests {
            let named = subtests.iter().flat_map(|s| {
                g.fields
                    .iter()
                    .map(move |(suffix, ty)| (format!("{}_{suffix}", s.as_ref()), *ty))
            });
            let at = g.at + g.count * g.fields.len();
            self.columns.splice(at..at, named);
            g.count += subtests.len();
        }
        self
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        if let Some((at, _)) = self.year {
            names.insert(at, YEAR);
        }
        names
    }

    /// `rows` as an output table at `stem` in `formats`.
    pub fn table<T: Serialize>(
        &self,
        stem: &str,
        rows: &[T],
        formats: Formats,
    ) -> Result<OutputTable> {
        Ok(OutputTable::new(stem, self.frame(rows)?, formats))
    }

    /// `rows` as a frame of this layout's columns and types.
    pub fn frame<T: Serialize>(&self, rows: &[T]) -> Result<DataFrame> {
        let mut cols: Vec<Cells> = self
            .columns
            .iter()
            .map(|(_, ty)| Cells::new(*ty, rows.len()))
            .collect();
        let mut scratch = String::new();
        for row in rows {
            row.serialize(Ser {
                layout: self,
                cols: &mut cols,
                scratch: &mut scratch,
                at: At::Row,
            })
            .map_err(|e| Error::Job(format!("output table `{}`: {}", self.table, e.0)))?;
        }
        let mut columns: Vec<Column> = cols
            .into_iter()
            .zip(&self.columns)
            .map(|(c, (name, _))| c.finish(name))
            .collect();
        if let Some((at, year)) = self.year {
            columns.insert(at, Column::new(YEAR.into(), vec![year; rows.len()]));
        }
        DataFrame::new(rows.len(), columns)
            .map_err(|e| Error::Job(format!("building output table `{}`: {e}", self.table)))
    }
}

/// One column's values, typed by the schema.
enum Cells {
    Str(StringChunkedBuilder),
    Int(Vec<Option<i64>>),
    /// An int column with a value beyond i64: every value as its decimal text.
    IntText(Vec<Option<String>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Lists of text, each given as its `;`-joined text (`ColType::List`).
    List(ListStringChunkedBuilder),
}

impl Cells {
    fn new(ty: ColType, rows: usize) -> Self {
        match ty {
            ColType::Str | ColType::Enum => Cells::Str(StringChunkedBuilder::new("".into(), rows)),
            ColType::Int => Cells::Int(Vec::with_capacity(rows)),
            ColType::Float => Cells::Float(Vec::with_capacity(rows)),
            ColType::Bool => Cells::Bool(Vec::with_capacity(rows)),
            ColType::Date => Cells::Date(Vec::with_capacity(rows)),
            ColType::List => Cells::List(ListStringChunkedBuilder::new("".into(), rows, rows)),
        }
    }

    fn null(&mut self) {
        match self {
            Cells::Str(b) => b.append_null(),
            Cells::Int(v) => v.push(None),
            Cells::IntText(v) => v.push(None),
            Cells::Float(v) => v.push(None),
            Cells::Bool(v) => v.push(None),
            Cells::Date(v) => v.push(None),
            Cells::List(b) => b.append_null(),
        }
    }

    /// The column, built the way the hand-written builders of each type did (one chunk).
    fn finish(self, name: &str) -> Column {
        let name = PlSmallStr::from(name);
        match self {
            Cells::Str(b) => b.finish().with_name(name).into_column(),
            Cells::Int(v) => Column::new(name, v),
            Cells::IntText(v) => Column::new(name, v),
            Cells::Float(v) => Column::new(name, v),
            Cells::Bool(v) => Column::new(name, v),
            Cells::Date(v) => Int32Chunked::from_slice_options(name, &v)
                .into_date()
                .into_column(),
            Cells::List(mut b) => b.finish().with_name(name).into_column(),
        }
    }
}

#[cfg(test)]
mod tests;
