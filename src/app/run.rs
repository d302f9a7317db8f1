//! `itur run <job>`.
use crate::cli::{Job, RunArgs};
use crate::error::Result;
use crate::pipeline::source;
use std::path::Path;

pub fn run(a: &RunArgs) -> Result<()> {
    let job = a.job;
    crate::report::set_lang(match a.report_lang {
        Some(crate::cli::ReportLang::En) => crate::report::Lang::En,
        _ => crate::report::Lang::He,
    });
    let src = source::load(job.name(), a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    a.check_options_apply()
        .map_err(crate::error::Error::Usage)?;
    if job != Job::RosterExport {
        crate::output::write::set_people_headers(match a.headers {
            Some(crate::cli::HeaderLang::En) => crate::output::write::Headers::English,
            _ => crate::output::write::Headers::Hebrew,
        });
    }
    crate::output::guard::check_out(&a.out)?;
    if job == Job::ResearchExport {
        return super::research_export::run(&src, a);
    }
    let input = one_input(a)?;
    super::inputs::check_out_not_input(input, &a.out)?;
    crate::output::xlsx::keep_scratch_beside(&a.out);
    match job {
        Job::GiftedElementary => {
            // Before any work: a run that could not replace --out is refused at once.
            crate::output::OutputDir::check_target(&a.out, Some("run"))?;
            let phase = a.phase.unwrap_or(crate::cli::Phase::All);
            super::gifted::run(&src, input, &a.out, phase, a.templates.as_deref())
        }
        Job::GiftedSecondary => {
            super::gifted_secondary::run(&src, input, &a.out, a.templates.as_deref())
        }
        Job::RosterExport => super::roster_export::run(a, &src),
        Job::RetestReview => super::retest_review::run(&src, input, &a.out, a.templates.as_deref()),
        Job::SpecialEdBaskets => super::special_ed::run(&src, input, &a.out),
        Job::SpecialSessions => {
            super::special_sessions::run(&src, input, &a.out, a.templates.as_deref())
        }
        Job::TeacherLoans => super::teacher_loans::run(&src, input, &a.out),
        // Run above; a job not built yet has been refused by `source::load` already.
        other => source::check_job(other.name()),
    }
}

/// The one `--input` of a job that reads one input directory (all but research-export).
pub fn one_input(a: &RunArgs) -> Result<&Path> {
    match a.input.as_slice() {
        [one] => Ok(one),
        _ => Err(crate::error::Error::Usage(format!(
            "{} reads one --input directory; only research-export takes several",
            a.job.name()
        ))),
    }
}
