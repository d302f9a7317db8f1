//! Reading a job's inputs and accounting for every row: reconciliation, the reject-share
//! limit, the rejects table and the manifest's input entries.
use crate::error::{Error, FirstReject, RejectedTable, Result};
use crate::output::manifest::InputEntry;
use crate::output::write::{table_files, Formats};
use crate::output::OutputDir;
use crate::pipeline::values::Share;
use crate::table::read::Format;
use crate::table::{InputSet, Reject};
use polars::prelude::*;
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

/// Logs rows read = accepted + rejected per table, and returns them for the manifest.
pub fn reconcile(inputs: &InputSet) -> BTreeMap<String, BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
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
        let mut m = BTreeMap::new();
        m.insert("rows_read".to_string(), t.rows_read as i64);
        m.insert("rows_accepted".to_string(), t.rows_accepted() as i64);
        m.insert("rows_rejected".to_string(), t.rows_rejected as i64);
        out.insert(format!("input.{}", t.schema.name), m);
    }
    for w in &inputs.warnings {
        tracing::warn!("{w}");
    }
    out
}

/// The rules the rejected rows of `table` broke, with their counts, most common first.
fn rules_broken<'a>(inputs: &'a InputSet, table: &str) -> Vec<(&'a str, usize)> {
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for r in inputs.rejects.iter().filter(|r| r.table == table) {
        *by_rule.entry(r.rule.as_str()).or_default() += 1;
    }
    let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    rules
}

/// One warning per table with rejected rows (below `max_reject_share`, the run goes on): the
/// count and the rules broken, most common first.
pub fn reject_warnings(inputs: &InputSet) -> Vec<String> {
    inputs
        .ordered()
        .into_iter()
        .filter(|t| t.rows_rejected > 0)
        .map(|t| {
            let rules: Vec<String> = rules_broken(inputs, &t.schema.name)
                .iter()
                .map(|(r, n)| format!("{r}: {n}"))
                .collect();
            format!(
                "{}: {} of {} rows rejected ({}); see rejects.csv",
                t.schema.name,
                t.rows_rejected,
                t.rows_read,
                rules.join(", ")
            )
        })
        .collect()
}

/// Fails (exit 4) when a table has more rejected rows than `max_share` allows, with the most
/// common rules broken.
pub fn check_reject_share(inputs: &InputSet, max_share: Share) -> Result<()> {
    let max = max_share.to_f64();
    let mut failures = Vec::new();
    for t in inputs.ordered() {
        if t.rows_read == 0 || t.rows_rejected == 0 {
            continue;
        }
        let share = t.rows_rejected as f64 / t.rows_read as f64;
        if share > max {
            let rules = rules_broken(inputs, &t.schema.name);
            let first = inputs
                .rejects
                .iter()
                .find(|r| r.table == t.schema.name)
                .map(|r| FirstReject {
                    row_number: r.row_number,
                    column: r.column.clone(),
                    message: r.message.clone(),
                });
            failures.push(RejectedTable {
                table: t.schema.name.clone(),
                path: t.source.path.clone(),
                rows_rejected: t.rows_rejected,
                rows_read: t.rows_read,
                max_share: max,
                most_common: rules
                    .iter()
                    .take(3)
                    .map(|(r, n)| (r.to_string(), *n))
                    .collect(),
                first,
            });
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(failures))
    }
}

pub fn rejects_frame(rejects: &[Reject]) -> Result<DataFrame> {
    let col = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
    let df = DataFrame::new(
        rejects.len(),
        vec![
            col("table", rejects.iter().map(|r| r.table.as_str()).collect()),
            Column::new(
                "row_number".into(),
                rejects
                    .iter()
                    .map(|r| r.row_number as i64)
                    .collect::<Vec<_>>(),
            ),
            col(
                "column",
                rejects.iter().map(|r| r.column.as_str()).collect(),
            ),
            col("value", rejects.iter().map(|r| r.value.as_str()).collect()),
            col("rule", rejects.iter().map(|r| r.rule.as_str()).collect()),
            col(
                "message",
                rejects.iter().map(|r| r.message.as_str()).collect(),
            ),
        ],
    )
    .map_err(|e| Error::Job(format!("building rejects: {e}")))?;
    Ok(df)
}

/// Writes `rejects.parquet` and `rejects.csv` (always, possibly empty).
pub fn write_rejects(out: &mut OutputDir, inputs: &InputSet) -> Result<()> {
    let mut df = rejects_frame(&inputs.rejects)?;
    for (path, bytes, rows) in table_files("rejects", &mut df, Formats::ParquetAndCsv)? {
        out.write_bytes(&path, &bytes, rows)?;
    }
    Ok(())
}

pub fn input_entries(inputs: &InputSet) -> Vec<InputEntry> {
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
