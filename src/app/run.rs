//! `itur run <job>`.
use crate::cli::RunArgs;
use crate::error::Result;
use crate::pipeline::source;

pub fn run(a: &RunArgs) -> Result<()> {
    let src = source::load(&a.job, a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    match a.job.as_str() {
        "gifted-elementary" => super::gifted::run(&src, &a.input, &a.out, &a.phase),
        other => source::check_job(other),
    }
}
