//! The `rejects` table — one row per input row a run could not use, with its table, row,
//! column, value, rule and message — and the `exclusions` table — the valid rows the
//! regulation leaves out, with their reason (data-contract.md "Row validation and rejects").
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

/// Writes `rejects` and `exclusions`, each as Parquet and CSV (always, possibly empty).
pub fn write(out: &mut OutputDir, inputs: &InputSet) -> Result<()> {
    let mut rejects = frame(&inputs.rejects)?;
    let mut exclusions = Layout::of("exclusions")?.frame(&inputs.exclusions_in_order())?;
    for (name, df) in [("rejects", &mut rejects), ("exclusions", &mut exclusions)] {
        for (path, bytes, rows) in table_files(name, df, Formats::ParquetAndCsv)? {
            out.write_bytes(&path, &bytes, rows)?;
        }
    }
    Ok(())
}
