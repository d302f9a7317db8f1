//! The `rejects` table — one row per input row a run could not use, with its table, row,
//! column, value, rule and message — and the `exclusions` table — the valid rows the
//! regulation leaves out, with their reason (data-contract.md "Row validation and rejects").
use super::rows::Layout;
use super::write::{table_files, FileBytes, Formats};
use super::OutputDir;
use crate::error::Result;
use crate::table::{InputSet, Reject};
use polars::prelude::DataFrame;

/// The `rejects` table's frame: one row per rejected input row.
pub fn frame(rejects: &[Reject]) -> Result<DataFrame> {
    Layout::of("rejects")?.frame(rejects)
}

/// The files of `rejects` and `exclusions`, each as Parquet and CSV (always, possibly empty),
/// in the order [`write()`] writes them: serialized, not yet written (a run makes them while its
/// writer finishes the job's tables, `app::inputs::compute_and_publish`).
pub fn files(inputs: &InputSet) -> Result<Vec<FileBytes>> {
    let rejects = frame(&inputs.rejects)?;
    let exclusions = Layout::of("exclusions")?.frame(&inputs.exclusions_in_order())?;
    // Both tables are serialized side by side, then written in this order.
    let (rejects, exclusions) = rayon::join(
        || table_files("rejects", &rejects, Formats::ParquetAndCsv),
        || table_files("exclusions", &exclusions, Formats::ParquetAndCsv),
    );
    Ok(rejects?.into_iter().chain(exclusions?).collect())
}

/// Writes `rejects` and `exclusions` ([`files`]).
pub fn write(out: &mut OutputDir, inputs: &InputSet) -> Result<()> {
    write_files(out, files(inputs)?)
}

/// Writes the files [`files`] made, in their order.
pub fn write_files(out: &mut OutputDir, files: Vec<FileBytes>) -> Result<()> {
    for (path, bytes, rows) in files {
        out.write_bytes(&path, &bytes, rows)?;
    }
    Ok(())
}
