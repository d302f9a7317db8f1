//! The decision letters of the request jobs (gifted.md §6, §7): each decision of
//! `retest-review` and `special-sessions` becomes a letter to the student's legal guardians
//! through the letters module, the same way the gifted job's phases write theirs
//! (`jobs::gifted::letters`): Hebrew or Arabic by the sector, every guardian (one letter per
//! address), the undeliverable listed, one print bundle per institution. A letter request holds
//! the decision's rule, its stage and dates only: never a score.
use super::roster::Roster;
use crate::error::Result;
use crate::jobs::gifted::letters::{guardians, institutions_of, Addressed, LettersWriter};
use crate::jobs::letters::{self, LetterParams, LetterRequest, Student, Templates};
use crate::jobs::JobReport;
use crate::output::table::Written;
use crate::table::InputSet;
use polars::prelude::PlHashSet as HashSet;
use std::sync::Arc;

/// The letters of `requests` as the job's tables (`letters`, `undeliverable`,
/// `unreached_guardians`, and `letters/<job>/<institution_id>.html`), rendered and written as a
/// step. Without `contacts` and `contact_details` no letter can be addressed: no tables, and a
/// warning in the manifest. `params` gives the letters' parameters of the roster's year.
#[allow(clippy::too_many_arguments)]
pub fn write(
    job: &'static str,
    params: impl FnOnce(i64) -> Result<LetterParams>,
    inputs: &InputSet,
    roster: &Roster,
    requests: Vec<LetterRequest>,
    templates: &Arc<Templates>,
    report: &mut JobReport,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    // The step shows its own progress (schools done), not a spinner.
    let (written, timing) = crate::steps::timed("letters", false, || -> Result<bool> {
        let ids: HashSet<&str> = requests.iter().map(|r| r.student_id.as_str()).collect();
        let Some(guardians) = guardians(inputs, &ids)? else {
            return Ok(false);
        };
        let mut students: Vec<Student> = Vec::with_capacity(ids.len());
        for id in &ids {
            let Some((s, i)) = roster.student(id) else {
                continue;
            };
            students.push(Student {
                student_id: &s.student_id,
                first_name: &s.first_name,
                last_name: &s.last_name,
                gender: letters::Gender::parse(&s.gender),
                institution_id: &s.institution_id,
                sector: i.sector,
            });
        }
        let institutions = institutions_of(
            (roster.institutions.iter()).map(|(id, i)| (id, i.name.as_str(), i.sector)),
        );
        let year = roster
            .students
            .values()
            .map(|s| s.school_year)
            .max()
            .unwrap_or_default();
        let p = params(year)?;
        let mut out = LettersWriter::new(emit, templates.clone());
        let to = Addressed {
            students: &students,
            institutions,
            guardians: &guardians,
        };
        out.write(job, &p, &requests, to)?;
        out.finish(&mut report.reconciliation)?;
        Ok(true)
    });
    report.steps.record(timing);
    if !written? {
        report.warn(format!(
            "{job}: no letters written: the input has no contacts or contact_details table"
        ));
    }
    Ok(())
}
