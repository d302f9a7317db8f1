//! Reading a job's inputs and accounting for every row: reconciliation, the reject-share
//! limit, the rejects table and the manifest's input entries.
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::output::manifest::InputEntry;
use crate::output::rows::Layout;
use crate::output::write::{table_files, Formats};
use crate::output::OutputDir;
use crate::pipeline::values::Share;
use crate::table::read::Format;
use crate::table::reject_share;
use crate::table::{InputSet, Reject};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;

/// Refuses an output directory that is the input directory or contains it: replacing the
/// output would delete the inputs.
pub fn check_out_not_input(input: &std::path::Path, out: &std::path::Path) -> Result<()> {
    use crate::output::guard::resolved;
    let (i, o) = (resolved(input), resolved(out));
    if i.starts_with(&o) {
        return Err(Error::Usage(format!(
            "--out {} is or contains the input directory {}: writing it would replace the inputs; choose another directory",
            out.display(),
            input.display()
        )));
    }
    Ok(())
}

/// Logs rows read = accepted + rejected per table, and returns them for the manifest
/// ([`reject_share::reconciliation`]).
fn reconcile(inputs: &InputSet) -> BTreeMap<String, BTreeMap<String, i64>> {
    for t in inputs.ordered() {
        tracing::info!(
            table = %t.schema.name,
            read = t.rows_read,
            accepted = t.rows_accepted(),
            rejected = t.rows_rejected,
            "{}: {} rows read = {} accepted + {} rejected",
            t.schema.name,
            t.rows_read,
            t.rows_accepted(),
            t.rows_rejected
        );
    }
    for w in &inputs.warnings {
        tracing::warn!("{w}");
    }
    reject_share::reconciliation(inputs)
}

/// What a run records of its inputs once they are read and checked: the reconciliation
/// (logged), each table's file and counts, and a warning per table with rejected rows
/// ([`reject_share::reject_warnings`]).
pub fn record(rec: &mut RunRecord, inputs: &InputSet) {
    rec.report.reconciliation.extend(reconcile(inputs));
    rec.inputs = input_entries(inputs);
    for w in reject_share::reject_warnings(inputs) {
        rec.report.warn(w);
    }
}

/// Fails (exit 4) when a table has more rejected rows than `max_share` allows
/// ([`reject_share::check_reject_share`]).
pub fn check_reject_share(inputs: &InputSet, max_share: Share) -> Result<()> {
    reject_share::check_reject_share(inputs, max_share.to_f64())
}

/// The `rejects` table's frame: one row per rejected input row.
pub fn rejects_frame(rejects: &[Reject]) -> Result<DataFrame> {
    Layout::of("rejects")?.frame(rejects)
}

/// Writes `rejects.parquet` and `rejects.csv` (always, possibly empty).
pub fn write_rejects(out: &mut OutputDir, inputs: &InputSet) -> Result<()> {
    let mut df = rejects_frame(&inputs.rejects)?;
    for (path, bytes, rows) in table_files("rejects", &mut df, Formats::ParquetAndCsv)? {
        out.write_bytes(&path, &bytes, rows)?;
    }
    Ok(())
}

fn input_entries(inputs: &InputSet) -> Vec<InputEntry> {
    inputs
        .ordered()
        .into_iter()
        .map(|t| InputEntry {
            table: t.schema.name.clone(),
            path: std::path::absolute(&t.source.path)
                .unwrap_or_else(|_| t.source.path.clone())
                .display()
                .to_string(),
            format: match t.source.format {
                Format::Parquet => "parquet".into(),
                Format::Csv => "csv".into(),
            },
            bytes: t.source.bytes,
            sha256: t.source.sha256.clone(),
            rows_read: t.rows_read,
            rows_accepted: t.rows_accepted(),
            rows_rejected: t.rows_rejected,
        })
        .collect()
}
