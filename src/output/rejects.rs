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
    let rejects = frame(&inputs.rejects)?;
    let exclusions = Layout::of("exclusions")?.frame(&inputs.exclusions_in_order())?;
    // Both tables are serialized side by side, then written in this order.
    let (rejects, exclusions) = rayon::join(
        || table_files("rejects", &rejects, Formats::ParquetAndCsv),
        || table_files("exclusions", &exclusions, Formats::ParquetAndCsv),
    );
    for (path, bytes, rows) in rejects?.into_iter().chain(exclusions?) {
        out.write_bytes(&path, &bytes, rows)?;
    }
    Ok(())
}
