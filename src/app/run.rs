//! `itur run <job>`.
use crate::cli::{Job, RunArgs};
use crate::error::Result;
use crate::pipeline::source;
use clap::ValueEnum;
use std::path::Path;

pub fn run(a: &RunArgs) -> Result<()> {
    let job = a.job;
    crate::report::set_lang(match a.report_lang {
        Some(crate::cli::ReportLang::En) => crate::report::Lang::En,
        _ => crate::report::Lang::He,
    });
    let src = source::load(job.name(), a.pipeline.pipeline.as_deref(), &a.pipeline.set)?;
    if job != Job::RosterExport && a.export.any() {
        return Err(crate::error::Error::Usage(
            "--owner, --requested-by, --all-approved, --as-of and --audit-log apply to roster-export only".into(),
        ));
    }
    // An option the job does not read is refused, never ignored: `--templates` given to a job
    // without letters, or `--phase` to another job, would otherwise look as if it had applied.
    if job != Job::GiftedElementary && a.phase.is_some() {
        return Err(crate::error::Error::Usage(format!(
            "--phase applies to gifted-elementary only; {} has no phases",
            job.name()
        )));
    }
    if !job.writes_letters() && a.templates.is_some() {
        let with_letters: Vec<&str> = (Job::value_variants().iter())
            .filter(|j| j.writes_letters())
            .map(|j| j.name())
            .collect();
        return Err(crate::error::Error::Usage(format!(
            "--templates applies to the jobs that write letters ({}); {} writes none",
            with_letters.join(", "),
            job.name()
        )));
    }
    // research-export writes Parquet panels for researchers: no report.html, no file with
    // headers for people.
    if job == Job::ResearchExport && (a.headers.is_some() || a.report_lang.is_some()) {
        return Err(crate::error::Error::Usage(
            "--headers and --report-lang do not apply to research-export: it writes no report and no file with headers for people (its codebook.csv names every column in English and Hebrew)".into(),
        ));
    }
    if job != Job::ResearchExport && a.research.any() {
        return Err(crate::error::Error::Usage(
            "--key-file and --roster apply to research-export only".into(),
        ));
    }
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
