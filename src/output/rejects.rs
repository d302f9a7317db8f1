//! The `rejects` table: one row per input row a run could not use, with its table, row,
//! column, value, rule and message (data-contract.md "Row validation and rejects").
use super::rows::Layout;
use super::write::{table_files, Formats};
use super::OutputDir;
use crate::error::Result;
use crate::table::{InputSet, Reject};
use polars::prelude::DataFrame;

/// The `rejects` table's frame: one row per rejected input row.
pub fn frame(rejects: &[Reject]) -> Result<DataFrame> {
    Layout::of("rejects")?.frame(rejects)
}

/// Writes `rejects.parquet` and `rejects.csv` (always, possibly empty).
pub fn write(out: &mut OutputDir, inputs: &InputSet) -> Result<()> {
    let mut df = frame(&inputs.rejects)?;
    for (path, bytes, rows) in table_files("rejects", &mut df, Formats::ParquetAndCsv)? {
        out.write_bytes(&path, &bytes, rows)?;
    }
    Ok(())
}
