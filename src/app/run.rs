//! `itur run <job>`.
use crate::cli::RunArgs;
use crate::error::Result;
use crate::pipeline::source;

pub fn run(a: &RunArgs) -> Result<()> {
    let src = source::load(&a.job, a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    if a.job != "roster-export" && a.export.any() {
        return Err(crate::error::Error::Usage(
            "--owner, --requested-by, --all-approved, --as-of, --headers and --audit-log apply to roster-export only".into(),
        ));
    }
    crate::output::guard::check_out(&a.out)?;
    super::inputs::check_out_not_input(&a.input, &a.out)?;
    match a.job.as_str() {
        "gifted-elementary" => {
            // Before any work: a run that could not replace --out is refused at once.
            crate::output::OutputDir::check_target(&a.out, Some("run"))?;
            super::gifted::run(&src, &a.input, &a.out, &a.phase, a.templates.as_deref())
        }
        "roster-export" => super::roster_export::run(a, &src),
        other => source::check_job(other),
    }
}
