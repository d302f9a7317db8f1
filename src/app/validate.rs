//! `itur validate <job>`: read and check a job's inputs; write rejects and a manifest.
use super::inputs;
use super::record::RunRecord;
use crate::cli::{Job, ValidateArgs};
use crate::error::Result;
use crate::output::OutputDir;
use crate::pipeline::roster_export::RosterExport;
use crate::pipeline::values::Share;
use crate::pipeline::{source, PipelineSource};
use crate::table::validate::{load_selecting, Selector, TableNeed};
use crate::table::InputSet;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn run(a: &ValidateArgs) -> Result<()> {
    let src = source::load(
        a.job.name(),
        a.pipeline.pipeline.as_deref(),
        &a.pipeline.set,
    )?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("validate-{}", a.job.name())));
    crate::output::guard::check_out(&out)?;
    super::inputs::check_out_not_input(&a.input, &out)?;
    crate::output::xlsx::keep_scratch_beside(&out);
    crate::output::OutputDir::check_target(&out, Some("validate"))?;
    match a.job {
        Job::GiftedElementary => super::gifted::validate(&src, &a.input, &out),
        Job::GiftedSecondary => super::gifted_secondary::validate(&src, &a.input, &out),
        Job::RosterExport => {
            let s = RosterExport::from_source(&src)?;
            validate_tables(
                "roster-export",
                &src,
                serde_json::to_value(&s).unwrap_or_default(),
                &a.input,
                &out,
                &crate::jobs::roster_export::TABLES,
                &BTreeMap::new(),
                s.max_reject_share,
                None,
            )
        }
        Job::RetestReview => super::retest_review::validate(&src, &a.input, &out),
        Job::SpecialEdBaskets => super::special_ed::validate(&src, &a.input, &out),
        Job::SpecialSessions => super::special_sessions::validate(&src, &a.input, &out),
        Job::TeacherLoans => super::teacher_loans::validate(&src, &a.input, &out),
        Job::ResearchExport => Err(crate::error::Error::Usage(
            "research-export reads finished runs, whose inputs were checked when they ran: there is nothing to validate; use `itur run research-export`".into(),
        )),
    }
}

/// Reads and checks `needs`, writes `rejects` and `manifest.json` to `out_path`, and fails
/// with exit code 4 (after writing) when a table's rejects exceed `max_share`.
#[allow(clippy::too_many_arguments)]
pub fn validate_tables(
    job: &str,
    src: &PipelineSource,
    parameters: serde_json::Value,
    input: &Path,
    out_path: &Path,
    needs: &[TableNeed],
    params: &BTreeMap<String, Vec<String>>,
    max_share: Share,
    select: Option<Selector>,
) -> Result<()> {
    let mut rec = RunRecord::start(job, "validate", None);
    rec.set_pipeline(src, parameters);
    let inputs = rec.report.steps.run("read and validate inputs", || {
        load_selecting(input, needs, params, select)
    })?;
    let n_rejected: usize = inputs.tables.values().map(|t| t.rows_rejected).sum();
    let n_read: usize = inputs.tables.values().map(|t| t.rows_read).sum();
    tracing::info!(
        rows_read = n_read,
        rows_rejected = n_rejected,
        rejects = inputs.rejects.len(),
        "{n_read} rows read in {} tables, {n_rejected} rejected",
        inputs.tables.len()
    );
    publish_checked(rec, &inputs, max_share, out_path)
}

/// The end every `itur validate` shares: the inputs' warnings and record in the manifest, the
/// `rejects` and `exclusions` written to `out_path`, and exit code 4 (after writing) when a
/// table's rejects exceed `max_share`.
pub fn publish_checked(
    mut rec: RunRecord,
    inputs: &InputSet,
    max_share: Share,
    out_path: &Path,
) -> Result<()> {
    rec.report.warnings = inputs.warnings.clone();
    inputs::record(&mut rec, inputs);
    let verdict = inputs::check_reject_share(inputs, max_share);
    let mut out = OutputDir::create_for(out_path, Some("validate"))?;
    crate::output::rejects::write(&mut out, inputs)?;
    match verdict {
        Ok(()) => rec.finish(out, 0, None),
        Err(e) => {
            rec.finish(out, e.exit_code(), Some(e.to_string()))?;
            Err(e)
        }
    }
}
