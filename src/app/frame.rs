//! Small helpers between polars tables and the jobs' plain structs.
use crate::error::{Error, Result};
use crate::table::Table;
use polars::prelude::*;

fn series<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Series> {
    df.column(name)
        .map(|c| c.as_materialized_series())
        .map_err(|e| Error::Job(format!("column `{name}`: {e}")))
}

/// Values of a text column, plain or coded (`None` for missing).
pub fn strs<'a>(t: &'a Table, name: &str) -> Result<impl Iterator<Item = Option<&'a str>> + 'a> {
    Ok(t.text(name)?.iter())
}

pub fn bools<'a>(t: &'a Table, name: &str) -> Result<impl Iterator<Item = Option<bool>> + 'a> {
    let s = series(&t.df, name)?;
    let ca = s
        .bool()
        .map_err(|e| Error::Job(format!("{}.{name}: {e}", t.schema.name)))?;
    Ok(ca.iter())
}

/// Builds a frame from named columns of equal length.
pub fn frame(height: usize, columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new(height, columns)
        .map_err(|e| Error::Job(format!("building an output table: {e}")))
}

pub fn col_str<S: AsRef<str>>(name: &str, v: Vec<S>) -> Column {
    let v: Vec<&str> = v.iter().map(|s| s.as_ref()).collect();
    Column::new(name.into(), v)
}

pub fn col_opt_str(name: &str, v: Vec<Option<String>>) -> Column {
    Column::new(name.into(), v)
}

pub fn col_i64(name: &str, v: Vec<i64>) -> Column {
    Column::new(name.into(), v)
}

pub fn col_opt_i64(name: &str, v: Vec<Option<i64>>) -> Column {
    Column::new(name.into(), v)
}

/// Builds a frame column by column from a slice of rows:
/// `Cols::new(&rows).str("student_id", |r| &r.student_id).frame()` (the letters' tables; the
/// gifted phases' tables go through `output::rows`).
pub struct Cols<'a, T> {
    rows: &'a [T],
    cols: Vec<Column>,
}

impl<'a, T> Cols<'a, T> {
    pub fn new(rows: &'a [T]) -> Self {
        Cols {
            rows,
            cols: Vec::new(),
        }
    }

    pub fn str<S: AsRef<str>>(mut self, name: &str, f: impl Fn(&'a T) -> S) -> Self {
        self.cols
            .push(col_str(name, self.rows.iter().map(f).collect()));
        self
    }

    pub fn opt_str(mut self, name: &str, f: impl Fn(&'a T) -> Option<String>) -> Self {
        self.cols
            .push(col_opt_str(name, self.rows.iter().map(f).collect()));
        self
    }

    pub fn frame(self) -> Result<DataFrame> {
        frame(self.rows.len(), self.cols)
    }
}
