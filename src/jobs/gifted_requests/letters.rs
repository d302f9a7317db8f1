//! The decision letters of the request jobs (gifted.md §6, §7): each decision of
//! `retest-review` and `special-sessions` becomes a letter to the student's legal guardians
//! through the letters module, the same way the gifted job's phases write theirs
//! (`jobs::gifted::letters`): Hebrew or Arabic by the sector, every guardian (one letter per
//! address), the undeliverable listed, one print bundle per institution. A letter request holds
//! the decision's rule, its stage and dates only: never a score.
use super::roster::Roster;
use crate::error::Result;
use crate::jobs::gifted::letters::{guardians, tables, PhaseLettersOut};
use crate::jobs::letters::{
    self, render_letters, Institution, LetterParams, LetterRequest, Student, Templates,
};
use crate::jobs::JobReport;
use crate::output::table::OutputTable;
use crate::table::InputSet;
use polars::prelude::PlHashSet as HashSet;
use std::sync::Arc;

/// The letters of `requests` as the job's tables (`letters`, `undeliverable`,
/// `unreached_guardians`, and `letters/<job>/<institution_id>.html`), rendered as a step.
/// Without `contacts` and `contact_details` no letter can be addressed: no tables, and a
/// warning in the manifest. `params` gives the letters' parameters of the roster's year.
pub fn write(
    job: &'static str,
    params: impl FnOnce(i64) -> Result<LetterParams>,
    inputs: &InputSet,
    roster: &Roster,
    requests: Vec<LetterRequest>,
    templates: &Arc<Templates>,
    report: &mut JobReport,
) -> Result<Vec<OutputTable>> {
    let out = report.steps.run("letters", || {
        render(job, params, inputs, roster, requests, templates)
    })?;
    let Some(out) = out else {
        report.warn(format!(
            "{job}: no letters written: the input has no contacts or contact_details table"
        ));
        return Ok(Vec::new());
    };
    tables(vec![out], &mut report.reconciliation, templates.clone())
}

fn render(
    job: &'static str,
    params: impl FnOnce(i64) -> Result<LetterParams>,
    inputs: &InputSet,
    roster: &Roster,
    requests: Vec<LetterRequest>,
    templates: &Templates,
) -> Result<Option<PhaseLettersOut>> {
    let ids: HashSet<&str> = requests.iter().map(|r| r.student_id.as_str()).collect();
    let Some((contacts, details)) = guardians(inputs, &ids)? else {
        return Ok(None);
    };
    let mut students: Vec<Student> = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some((s, i)) = roster.student(id) else {
            continue;
        };
        students.push(Student {
            student_id: s.student_id.clone(),
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
            gender: letters::Gender::parse(&s.gender),
            institution_id: s.institution_id.clone(),
            sector: i.sector,
        });
    }
    let mut institutions: Vec<Institution> = roster
        .institutions
        .iter()
        .map(|(id, i)| Institution {
            institution_id: id.clone(),
            name: i.name.clone(),
            sector: i.sector,
        })
        .collect();
    institutions.sort_by(|a, b| a.institution_id.cmp(&b.institution_id));
    let year = roster
        .students
        .values()
        .map(|s| s.school_year)
        .max()
        .unwrap_or_default();
    let p = params(year)?;
    let output = render_letters(
        &requests,
        &students,
        &institutions,
        &contacts,
        &details,
        &p,
        templates,
    )?;
    Ok(Some(PhaseLettersOut {
        phase: job,
        output,
        institutions: Arc::new(institutions),
        school_year: p.school_year,
    }))
}
