//! Column builders: turn the generated rows into DataFrames with the schemas' columns and dtypes.

use polars::prelude::*;

pub(super) fn df(cols: Vec<Column>) -> Result<DataFrame, String> {
    DataFrame::new_infer_height(cols).map_err(|e| e.to_string())
}

/// `str` / `enum` column (no nulls).
pub(super) fn s<T: AsRef<str>>(name: &str, v: Vec<T>) -> Column {
    let v: Vec<&str> = v.iter().map(AsRef::as_ref).collect();
    Column::new(name.into(), v)
}

/// Optional `str` column.
pub(super) fn so<T: AsRef<str>>(name: &str, v: Vec<Option<T>>) -> Column {
    let v: Vec<Option<&str>> = v.iter().map(|x| x.as_ref().map(AsRef::as_ref)).collect();
    Column::new(name.into(), v)
}

pub(super) fn int(name: &str, v: Vec<i64>) -> Column {
    Column::new(name.into(), v)
}

pub(super) fn int_opt(name: &str, v: Vec<Option<i64>>) -> Column {
    Column::new(name.into(), v)
}

pub(super) fn boolean(name: &str, v: Vec<bool>) -> Column {
    Column::new(name.into(), v)
}

/// `date` column from days since 1970-01-01.
pub(super) fn date(name: &str, v: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), v)
        .into_date()
        .into_column()
}

pub(super) fn date_opt(name: &str, v: Vec<Option<i32>>) -> Column {
    Int32Chunked::new(name.into(), v.as_slice())
        .into_date()
        .into_column()
}

/// A column of one repeated integer.
pub(super) fn int_rep(name: &str, value: i64, n: usize) -> Column {
    int(name, vec![value; n])
}
