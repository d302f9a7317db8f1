//! `itur run <job>`.
use crate::cli::{Job, RunArgs};
use crate::error::Result;
use crate::pipeline::source;

pub fn run(a: &RunArgs) -> Result<()> {
    let job = a.job;
    crate::report::set_lang(match a.report_lang {
        crate::cli::ReportLang::He => crate::report::Lang::He,
        crate::cli::ReportLang::En => crate::report::Lang::En,
    });
    let src = source::load(job.name(), a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    if job != Job::RosterExport && a.export.any() {
        return Err(crate::error::Error::Usage(
            "--owner, --requested-by, --all-approved, --as-of, --headers and --audit-log apply to roster-export only".into(),
        ));
    }
    crate::output::guard::check_out(&a.out)?;
    super::inputs::check_out_not_input(&a.input, &a.out)?;
    match job {
        Job::GiftedElementary => {
            // Before any work: a run that could not replace --out is refused at once.
            crate::output::OutputDir::check_target(&a.out, Some("run"))?;
            super::gifted::run(&src, &a.input, &a.out, a.phase, a.templates.as_deref())
        }
        Job::GiftedSecondary => {
            super::gifted_secondary::run(&src, &a.input, &a.out, a.templates.as_deref())
        }
        Job::RosterExport => super::roster_export::run(a, &src),
        Job::RetestReview => {
            super::retest_review::run(&src, &a.input, &a.out, a.templates.as_deref())
        }
        Job::SpecialEdBaskets => super::special_ed::run(&src, &a.input, &a.out),
        Job::SpecialSessions => {
            super::special_sessions::run(&src, &a.input, &a.out, a.templates.as_deref())
        }
        Job::TeacherLoans => super::teacher_loans::run(&src, &a.input, &a.out),
        // The jobs not built yet: `source::load` has refused them already.
        other => source::check_job(other.name()),
    }
}
