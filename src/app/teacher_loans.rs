//! `itur run teacher-loans` and `itur validate teacher-loans`: wiring only. The rules are the
//! job's (`jobs::teacher_loans`); this resolves the settings, reads and checks the inputs,
//! runs the job and publishes its tables.
use super::inputs;
use crate::error::Result;
use crate::jobs::teacher_loans;
use crate::output::OutputDir;
use crate::pipeline::teacher_loans::TeacherLoans;
use crate::pipeline::PipelineSource;
use crate::table::validate::TableNeed;
use std::collections::BTreeMap;
use std::path::Path;

/// The tables of the job, all required.
pub const NEEDS: [TableNeed; 4] = [
    TableNeed::new(teacher_loans::TABLES[0], true),
    TableNeed::new(teacher_loans::TABLES[1], true),
    TableNeed::new(teacher_loans::TABLES[2], true),
    TableNeed::new(teacher_loans::TABLES[3], true),
];

/// The list parameters the schemas' `in_parameter` checks read: the program keys.
fn check_params(s: &TeacherLoans) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("programs".to_string(), s.programs())])
}

pub fn run(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = TeacherLoans::from_source(src)?;
    // Before any work: a run that could not replace --out is refused at once.
    OutputDir::check_target(out_path, Some("run"))?;
    let mut rec = inputs::start_run("teacher-loans", None, src, &settings);
    let params = check_params(&settings);
    let max_share = settings.max_reject_share;
    let inputs = inputs::load_checked(&mut rec, input, &NEEDS, &params, max_share)?;
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
        &NEEDS,
        &check_params(&settings),
        settings.max_reject_share,
    )
}
