//! Finding and reading an input table's file (`<table>.parquet` or `<table>.csv`).
use super::reject::RejectSet;
use super::schema::TableSchema;
use super::{csv_read, parquet_read};
use crate::error::{Error, Result};
use polars::prelude::Series;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

/// The file an input table was read from, for the manifest.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub table: String,
    pub path: PathBuf,
    pub format: Format,
    pub bytes: u64,
    pub sha256: String,
}

/// The columns of a file laid out by the schema: `columns[i]` holds schema column i as read
/// (text from CSV, typed or text from Parquet), `None` when an optional column is absent.
pub struct RawColumns {
    pub height: usize,
    pub columns: Vec<Option<Series>>,
    /// Rows already rejected while reading (wrong field count, invalid UTF-8, NUL bytes).
    pub pre_rejects: RejectSet,
    pub warnings: Vec<String>,
}

/// A table as read from its file, before conversion and validation.
pub struct RawTable {
    pub schema: &'static TableSchema,
    pub source: SourceFile,
    pub raw: RawColumns,
}

/// Where each schema column sits in a file's header.
pub struct HeaderLayout {
    pub positions: Vec<Option<usize>>,
    pub warnings: Vec<String>,
}

/// Matches a file's header names to the schema: duplicate names and missing required
/// columns are errors naming them; extra columns are ignored with a warning.
pub fn header_columns(path: &Path, schema: &TableSchema, names: &[String]) -> Result<HeaderLayout> {
    for (i, n) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|m| m == n) {
            return Err(Error::input(
                path,
                format!(
                    "the header names column `{n}` twice (columns {} and {}); each column name must be unique",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let positions: Vec<Option<usize>> = schema
        .columns
        .iter()
        .map(|c| names.iter().position(|n| *n == c.name))
        .collect();
    let missing: Vec<&str> = schema
        .columns
        .iter()
        .zip(&positions)
        .filter(|(c, p)| p.is_none() && !c.optional)
        .map(|(c, _)| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "required column{} missing: {} (table `{}` needs {})",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                schema.name,
                schema
                    .columns
                    .iter()
                    .filter(|c| !c.optional)
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let warnings = names
        .iter()
        .filter(|n| schema.column(n).is_none())
        .map(|n| format!("{}: extra column `{n}` is ignored", path.display()))
        .collect();
    Ok(HeaderLayout {
        positions,
        warnings,
    })
}

/// Finds the file of `table` in `dir`. Both a Parquet and a CSV file is an error (which one
/// is meant?); neither is `Ok(None)`.
pub fn find_table_file(dir: &Path, table: &str) -> Result<Option<(PathBuf, Format)>> {
    let parquet = dir.join(format!("{table}.parquet"));
    let csv = dir.join(format!("{table}.csv"));
    match (parquet.is_file(), csv.is_file()) {
        (true, true) => Err(Error::Usage(format!(
            "{}: both {table}.parquet and {table}.csv are present; keep only one",
            dir.display()
        ))),
        (true, false) => Ok(Some((parquet, Format::Parquet))),
        (false, true) => Ok(Some((csv, Format::Csv))),
        (false, false) => Ok(None),
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Reads one table's file.
pub fn read_table(path: &Path, format: Format, schema: &'static TableSchema) -> Result<RawTable> {
    let (source, _, raw) = read_hashed(path, format, schema, |data| match format {
        Format::Csv => csv_read::read_csv(path, data, schema),
        Format::Parquet => parquet_read::read_parquet(path, data, schema),
    })?;
    Ok(RawTable {
        schema,
        source,
        raw,
    })
}

/// Reads a table's file and `parse`s it; the file's hash (for the manifest) is computed
/// while it is parsed. Returns the file's bytes too.
pub fn read_hashed(
    path: &Path,
    format: Format,
    schema: &TableSchema,
    parse: impl FnOnce(&[u8]) -> Result<RawColumns> + Send,
) -> Result<(SourceFile, Vec<u8>, RawColumns)> {
    let data =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let (sha256, raw) = rayon::join(|| sha256_hex(&data), || parse(&data));
    let source = SourceFile {
        table: schema.name.clone(),
        path: path.to_path_buf(),
        format,
        bytes: data.len() as u64,
        sha256,
    };
    Ok((source, data, raw?))
}
