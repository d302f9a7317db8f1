//! `itur run retest-review` and `itur validate retest-review`: wiring only. The rules are the
//! job's (`jobs::retest_review`); this resolves the settings, reads and checks the inputs, runs
//! the job (whose own rejects and exclusions join the inputs') and publishes its tables.
use super::inputs;
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::jobs::gifted_requests::roster;
use crate::jobs::letters::Templates;
use crate::jobs::retest_review as job;
use crate::output::OutputDir;
use crate::pipeline::retest_review::RetestReview;
use crate::pipeline::PipelineSource;
use crate::table::validate::load_inputs_selecting;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub fn run(
    src: &PipelineSource,
    input: &Path,
    out_path: &Path,
    templates: Option<&Path>,
) -> Result<()> {
    let settings = RetestReview::from_source(src)?;
    // Templates are checked before any data is read: a broken override fails at once (exit 2).
    let templates = Arc::new(Templates::load(templates).map_err(Error::from)?);
    // Before any work: a run that could not replace --out is refused at once.
    OutputDir::check_target(out_path, Some("run"))?;
    let mut rec = inputs::start_run("retest-review", None, src, &settings);
    let max_share = settings.max_reject_share;
    let none = BTreeMap::new();
    let select = roster::selector(&job::REQUEST_TABLES);
    let mut inputs = inputs::load_checked_selecting(
        &mut rec,
        input,
        &job::TABLES,
        &none,
        max_share,
        Some(&select),
    )?;
    let letters = |year| settings.letters.params(year);
    let params = settings.params();
    // The job's own rejects count toward the limit too.
    inputs::compute_and_publish(
        rec,
        out_path,
        &mut inputs,
        max_share,
        |inputs, report, emit| job::run(&params, letters, &templates, inputs, report, emit),
    )
}

/// `itur validate retest-review`: the rejects and exclusions of every table, the job's own
/// rules included, and the manifest; exit 4 (after writing) above `max_reject_share`.
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = RetestReview::from_source(src)?;
    let mut rec = RunRecord::start("retest-review", "validate", None);
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let inputs = rec.report.steps.run("read and validate inputs", || {
        let select = roster::selector(&job::REQUEST_TABLES);
        let mut inputs = load_inputs_selecting(input, &job::TABLES, &BTreeMap::new(), &select)?;
        job::inputs::read(&mut inputs)?;
        Ok::<_, crate::error::Error>(inputs)
    })?;
    rec.report.warnings = inputs.warnings.clone();
    inputs::record(&mut rec, &inputs);
    let verdict = inputs::check_reject_share(&inputs, settings.max_reject_share);
    let mut out = OutputDir::create_for(out_path, Some("validate"))?;
    crate::output::rejects::write(&mut out, &inputs)?;
    match verdict {
        Ok(()) => rec.finish(out, 0, None),
        Err(e) => {
            rec.finish(out, e.exit_code(), Some(e.to_string()))?;
            Err(e)
        }
    }
}
