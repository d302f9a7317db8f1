//! `itur validate <job>`: read and check a job's inputs; write rejects and a manifest.
use crate::cli::ValidateArgs;
use crate::error::Result;
use crate::pipeline::source;
use std::path::PathBuf;

pub fn run(a: &ValidateArgs) -> Result<()> {
    let src = source::load(&a.job, a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    let out = a.out.clone().unwrap_or_else(|| PathBuf::from(format!("validate-{}", a.job)));
    match a.job.as_str() {
        "gifted-elementary" => super::gifted::validate(&src, &a.input, &out),
        other => source::check_job(other),
    }
}
