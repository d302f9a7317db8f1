//! `itur run special-ed-baskets` and `itur validate special-ed-baskets`: wiring only. The
//! rules are the job's (`jobs::special_ed`); this resolves the settings, reads and checks the
//! three tables (with the job's own reject rules), places the dates of the data's school years
//! and the `as_of` day, calls the job and publishes.
use super::inputs;
use super::record::RunRecord;
use crate::error::{Error, Result};
use crate::jobs::special_ed as job;
use crate::output::OutputDir;
use crate::pipeline::special_ed::SpecialEd;
use crate::pipeline::PipelineSource;
use crate::table::validate::load_inputs;
use crate::table::InputSet;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads and checks the three tables, the job's rejects included.
fn read(rec: &mut RunRecord, input: &Path) -> Result<(InputSet, job::Records)> {
    rec.report.steps.run("read and validate inputs", || {
        let mut inputs = load_inputs(input, &job::inputs::TABLES, &BTreeMap::new())?;
        let records = job::read(&mut inputs)?;
        Ok((inputs, records))
    })
}

pub fn run(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = SpecialEd::from_source(src)?;
    OutputDir::check_target(out_path, Some("run"))?;
    let _heap = crate::memory::HeapReuse::enter();
    let mut rec = inputs::start_run("special-ed-baskets", None, src, &settings);
    rec.sections
        .add(Box::new(crate::report::special_ed::SpecialEd::default()));
    let (inputs, records) = read(&mut rec, input)?;
    rec.report.warnings.extend(inputs.warnings.iter().cloned());
    inputs::check_reject_share(&inputs, settings.max_reject_share)?;
    let params = settings.params(&records.school_years())?;
    let as_of = match settings.as_of_date().or_else(|| records.latest_date()) {
        Some(d) => d,
        None => {
            return Err(Error::Usage(format!(
                "{}: no accepted row has a date, so as_of cannot be the latest date of the data; give --set as_of=YYYY-MM-DD",
                input.display()
            )))
        }
    };
    // The day the records were judged at, as used (special-ed-baskets.md "Conventions").
    let mut parameters = serde_json::to_value(&settings).unwrap_or_default();
    if let Some(p) = parameters.as_object_mut() {
        p.insert("as_of".into(), serde_json::Value::String(as_of.to_string()));
    }
    rec.set_pipeline(src, parameters);
    let tables = job::run(&params, as_of, &records, &mut rec.report)?;
    // A national year's records are ~120,000 rows of strings: freed beside the writing.
    rayon::spawn(move || drop(records));
    inputs::publish(rec, out_path, tables, &inputs)
}

/// `itur validate special-ed-baskets`: the rejects of the three tables, the job's own rules
/// included, and the manifest; exit 4 (after writing) above `max_reject_share`.
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = SpecialEd::from_source(src)?;
    let mut rec = RunRecord::start("special-ed-baskets", "validate", None);
    rec.set_pipeline(src, serde_json::to_value(&settings).unwrap_or_default());
    let (inputs, _) = read(&mut rec, input)?;
    super::validate::publish_checked(rec, &inputs, settings.max_reject_share, out_path)
}
