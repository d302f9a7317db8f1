//! `itur run teacher-loans` and `itur validate teacher-loans`: wiring only. The rules are the
//! job's (`jobs::teacher_loans`); this resolves the settings, reads and checks the inputs,
//! runs the job and publishes its tables.
use super::inputs;
use super::record::RunRecord;
use crate::error::Result;
use crate::jobs::teacher_loans;
use crate::output::table::{Writer, Written};
use crate::output::OutputDir;
use crate::pipeline::teacher_loans::TeacherLoans;
use crate::pipeline::PipelineSource;
use crate::table::validate::{load_inputs, TableNeed};
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
    let mut rec = RunRecord::start("teacher-loans", "run", None);
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let inputs = rec.report.steps.run("read and validate inputs", || {
        load_inputs(input, &NEEDS, &check_params(&settings))
    })?;
    rec.report.warnings.extend(inputs.warnings.iter().cloned());
    inputs::check_reject_share(&inputs, settings.max_reject_share)?;
    let tables = teacher_loans::run(&settings.params(), &inputs, &mut rec.report)?;
    let writer = Writer::start(OutputDir::create_for(out_path, Some("run"))?);
    writer.send(Written::Tables(tables));
    let out = rec
        .report
        .steps
        .run("write outputs", || -> Result<OutputDir> {
            let mut out = writer.finish()?;
            crate::output::rejects::write(&mut out, &inputs)?;
            Ok(out)
        })?;
    inputs::record(&mut rec, &inputs);
    rec.finish(out, 0, None)
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
