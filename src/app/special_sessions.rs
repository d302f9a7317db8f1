//! `itur run special-sessions` and `itur validate special-sessions`: wiring only, through the request jobs' shared
//! wiring (`app::requests`). The rules are the job's (`jobs::special_sessions`).
use super::requests::{self, RequestJob};
use crate::error::Result;
use crate::jobs::special_sessions as job;
use crate::pipeline::special_sessions::SpecialSessions;
use crate::pipeline::PipelineSource;
use std::path::Path;

const JOB: RequestJob = RequestJob {
    name: "special-sessions",
    tables: &job::TABLES,
    requests: &job::REQUEST_TABLES,
};

pub fn run(
    src: &PipelineSource,
    input: &Path,
    out_path: &Path,
    templates: Option<&Path>,
) -> Result<()> {
    let settings = SpecialSessions::from_source(src)?;
    let max_share = settings.max_reject_share;
    let letters = |year| settings.letters.params(year);
    let params = settings.params();
    requests::run(
        &JOB,
        src,
        &settings,
        max_share,
        input,
        out_path,
        templates,
        |templates, inputs, report, emit| {
            job::run(&params, letters, templates, inputs, report, emit)
        },
    )
}

/// `itur validate special-sessions`: the rejects and exclusions of every table, the job's own
/// rules included, and the manifest; exit 4 (after writing) above `max_reject_share`.
pub fn validate(src: &PipelineSource, input: &Path, out_path: &Path) -> Result<()> {
    let settings = SpecialSessions::from_source(src)?;
    let max_share = settings.max_reject_share;
    requests::validate(&JOB, src, &settings, max_share, input, out_path, |inputs| {
        job::inputs::read(inputs)?;
        Ok(())
    })
}
