//! Reading a job's inputs and accounting for every row: reconciliation, the reject-share
//! limit, the rejects table and the manifest's input entries.
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::output::manifest::InputEntry;
use crate::pipeline::values::Share;
use crate::table::reject_share;
use crate::table::InputSet;
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

/// Logs rows read = accepted + excluded + rejected per table, and returns them for the manifest
/// ([`reject_share::reconciliation`]).
fn reconcile(inputs: &InputSet) -> BTreeMap<String, BTreeMap<String, i64>> {
    for t in inputs.ordered() {
        tracing::info!(
            table = %t.schema.name,
            read = t.rows_read,
            accepted = t.rows_accepted(),
            excluded = t.rows_excluded,
            rejected = t.rows_rejected,
            "{}: {} rows read = {} accepted + {} excluded + {} rejected",
            t.schema.name,
            t.rows_read,
            t.rows_accepted(),
            t.rows_excluded,
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
    rec.inputs = inputs.ordered().into_iter().map(InputEntry::of).collect();
    for w in reject_share::reject_warnings(inputs) {
        rec.report.warn(w);
    }
}

/// Fails (exit 4) when a table has more rejected rows than `max_share` allows
/// ([`reject_share::check_reject_share`]).
pub fn check_reject_share(inputs: &InputSet, max_share: Share) -> Result<()> {
    reject_share::check_reject_share(inputs, max_share.to_f64())
}
