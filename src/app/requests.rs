//! The wiring the two request jobs share (`retest-review`, `special-sessions`): their roster
//! tables are reference tables read only for the students the requests name
//! (docs/inputs.md §5.1), their letters need templates, and their `validate` writes the rejects
//! and exclusions of every table with the job's own rules. Each job's module names its tables
//! and settings and calls these.
use super::inputs;
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::jobs::gifted_requests::roster;
use crate::jobs::letters::Templates;
use crate::jobs::JobReport;
use crate::output::table::Written;
use crate::output::OutputDir;
use crate::pipeline::values::Share;
use crate::pipeline::PipelineSource;
use crate::table::validate::{load_inputs_selecting, TableNeed};
use crate::table::InputSet;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A request job: its name, the tables it reads, and those of them that name the students.
pub struct RequestJob {
    pub name: &'static str,
    pub tables: &'static [TableNeed],
    pub requests: &'static [&'static str],
}

/// `itur run <job>`: templates checked and `--out` checked before any data is read, the
/// inputs read for the named students, then the job (`compute`) run and published.
#[allow(clippy::too_many_arguments)]
pub fn run(
    job: &RequestJob,
    src: &PipelineSource,
    settings: &impl serde::Serialize,
    max_share: Share,
    input: &Path,
    out_path: &Path,
    templates: Option<&Path>,
    compute: impl FnOnce(
        &Arc<Templates>,
        &mut InputSet,
        &mut JobReport,
        &mut dyn FnMut(Written),
    ) -> Result<()>,
) -> Result<()> {
    // Templates are checked before any data is read: a broken override fails at once (exit 2).
    let templates = Arc::new(Templates::load(templates).map_err(Error::from)?);
    // Before any work: a run that could not replace --out is refused at once.
    OutputDir::check_target(out_path, Some("run"))?;
    let mut rec = inputs::start_run(job.name, None, src, settings);
    let select = roster::selector(job.requests);
    let mut inputs = inputs::load_checked_selecting(
        &mut rec,
        input,
        job.tables,
        &BTreeMap::new(),
        max_share,
        Some(&select),
    )?;
    // The job's own rejects count toward the limit too.
    inputs::compute_and_publish(
        rec,
        out_path,
        &mut inputs,
        max_share,
        |inputs, report, emit| compute(&templates, inputs, report, emit),
    )
}

/// `itur validate <job>`: the rejects and exclusions of every table, the job's own rules
/// (`read`) included, and the manifest; exit 4 (after writing) above `max_share`.
pub fn validate(
    job: &RequestJob,
    src: &PipelineSource,
    settings: &impl serde::Serialize,
    max_share: Share,
    input: &Path,
    out_path: &Path,
    read: impl FnOnce(&mut InputSet) -> Result<()>,
) -> Result<()> {
    let mut rec = RunRecord::start(job.name, "validate", None);
    rec.set_pipeline(src, serde_json::to_value(settings).unwrap_or_default());
    let inputs = rec.report.steps.run("read and validate inputs", || {
        let select = roster::selector(job.requests);
        let mut inputs = load_inputs_selecting(input, job.tables, &BTreeMap::new(), &select)?;
        read(&mut inputs)?;
        Ok::<_, Error>(inputs)
    })?;
    super::validate::publish_checked(rec, &inputs, max_share, out_path)
}
