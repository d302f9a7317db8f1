//! `itur run teacher-loans` and `itur validate teacher-loans`: wiring only. The rules are the
//! job's (`jobs::teacher_loans`); this resolves the settings, reads and checks the inputs,
//! runs the job and publishes its tables.
use super::inputs;
use crate::error::Result;
use crate::jobs::teacher_loans;
use crate::output::OutputDir;
use crate::pipeline::teacher_loans::TeacherLoans;
use crate::pipeline::PipelineSource;
use std::path::Path;

pub fn run(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = TeacherLoans::from_source(src)?;
    // Before any work: a run that could not replace --out is refused at once.
    OutputDir::check_target(out_path, Some("run"))?;
    let mut rec = inputs::start_run("teacher-loans", None, src, &settings);
    let params = teacher_loans::check_params(settings.programs());
    let max_share = settings.max_reject_share;
    let inputs = inputs::load_checked(&mut rec, input, &teacher_loans::TABLES, &params, max_share)?;
    let tables = teacher_loans::run(&settings.params(), &inputs, &mut rec.report)?;
    inputs::publish(rec, out_path, tables, &inputs)
}

/// `itur validate teacher-loans`: every table of the job.
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = TeacherLoans::from_source(src)?;
    super::validate::validate_tables(
        "teacher-loans",
        src,
        serde_json::to_value(&settings).unwrap_or_default(),
        input,
        out_path,
        &teacher_loans::TABLES,
        &teacher_loans::check_params(settings.programs()),
        settings.max_reject_share,
        None,
    )
}
