//! The steps every job's command shares: starting the run's record, reading a job's inputs and
//! accounting for every row (reconciliation, the reject-share limit, the manifest's input
//! entries), and publishing the job's tables with the rejects and exclusions.
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::jobs::JobReport;
use crate::output::manifest::InputEntry;
use crate::output::table::{OutputTable, Writer, Written};
use crate::output::OutputDir;
use crate::pipeline::values::Share;
use crate::pipeline::PipelineSource;
use crate::table::reject_share;
use crate::table::validate::{load_selecting, Selector, TableNeed};
use crate::table::InputSet;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

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
    rec.report_facts.reject_rules = crate::report::RuleCount::top(&inputs.rejects);
    for w in reject_share::reject_warnings(inputs) {
        rec.report.warn(w);
    }
}

/// Fails (exit 4) when a table has more rejected rows than `max_share` allows
/// ([`reject_share::check_reject_share`]).
pub fn check_reject_share(inputs: &InputSet, max_share: Share) -> Result<()> {
    reject_share::check_reject_share(inputs, max_share.ratio())
}

/// Starts the record of `itur run <job>` with the job's resolved settings.
pub fn start_run(
    job: &str,
    phase: Option<&str>,
    src: &PipelineSource,
    settings: &impl serde::Serialize,
) -> RunRecord {
    let mut rec = RunRecord::start(job, "run", phase);
    rec.set_pipeline(src, serde_json::to_value(settings).unwrap_or_default());
    rec
}

/// Reads and validates a job's tables as the step "read and validate inputs", keeps the
/// reading's warnings, and stops the run (exit 4) when a table has more rejected rows than
/// `max_share` allows.
pub fn load_checked(
    rec: &mut RunRecord,
    input: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    max_share: Share,
) -> Result<InputSet> {
    load_checked_selecting(rec, input, needs, params, max_share, None)
}

/// As [`load_checked`], the reference tables of `needs` read only for the rows `select` picks
/// (`table::select`) when it is given.
pub fn load_checked_selecting(
    rec: &mut RunRecord,
    input: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    max_share: Share,
    select: Option<Selector>,
) -> Result<InputSet> {
    let inputs = rec.report.steps.run("read and validate inputs", || {
        load_selecting(input, needs, params, select)
    })?;
    rec.report.warnings.extend(inputs.warnings.iter().cloned());
    check_reject_share(&inputs, max_share)?;
    Ok(inputs)
}

/// Publishes a job's run: its tables, the `rejects` and `exclusions` of its inputs (the step
/// "write outputs"), the inputs' record, and the manifest, then the output directory replaces
/// `out_path`.
pub fn publish(
    mut rec: RunRecord,
    out_path: &Path,
    mut tables: Vec<OutputTable>,
    inputs: &InputSet,
) -> Result<()> {
    rec.sections.observe_tables(&mut tables)?;
    let out = rec
        .report
        .steps
        .run("write outputs", || -> Result<OutputDir> {
            let mut out = OutputDir::create_for(out_path, Some("run"))?;
            // The tables, the rejects and the exclusions are serialized side by side over the
            // threads, then written in this order (the first failure in it is returned).
            let (made, rejects) = rayon::join(
                || {
                    (tables.into_par_iter())
                        .map(OutputTable::files)
                        .collect::<Vec<_>>()
                },
                || crate::output::rejects::files(inputs),
            );
            for files in made {
                out.write_all(files?)?;
            }
            crate::output::rejects::write_files(&mut out, rejects?)?;
            Ok(out)
        })?;
    record(&mut rec, inputs);
    rec.finish(out, 0, None)
}

/// Runs a job with a writer writing what it hands on (`emit`) into a temporary output directory
/// while it computes — tables as they are made, the letters as they are rendered — then
/// publishes: the `rejects` and `exclusions` of its inputs (with the writer's last files, the
/// step "write outputs"), the limit on rejected rows (the job's own rejects count too), the
/// inputs' record and the manifest. The directory replaces `out_path` only when all of it
/// succeeded, and is removed otherwise. The run's report reads the tables on their way.
pub fn compute_and_publish(
    mut rec: RunRecord,
    out_path: &Path,
    inputs: &mut InputSet,
    max_share: Share,
    compute: impl FnOnce(&mut InputSet, &mut JobReport, &mut dyn FnMut(Written)) -> Result<()>,
) -> Result<()> {
    let writer = Writer::start(OutputDir::create_for(out_path, Some("run"))?);
    let mut observed = Ok(());
    let sections = &mut rec.sections;
    let computed = compute(inputs, &mut rec.report, &mut |mut job| {
        if let (Written::Tables(t), Ok(())) = (&mut job, &observed) {
            observed = sections.observe_tables(t);
        }
        writer.send(job)
    });
    if let Err(e) = computed.and(observed) {
        drop(writer.finish());
        return Err(e);
    }
    let written = rec
        .report
        .steps
        .run("write outputs", || -> Result<OutputDir> {
            // The rejects and exclusions are serialized while the writer finishes the job's
            // tables, and written after them.
            let rejects = crate::output::rejects::files(inputs);
            let mut out = writer.finish()?;
            crate::output::rejects::write_files(&mut out, rejects?)?;
            Ok(out)
        });
    check_reject_share(inputs, max_share)?;
    let out = written?;
    record(&mut rec, inputs);
    rec.finish(out, 0, None)
}
