//! The decision on a retest request (gifted.md §6.1; 0207 §5.1): the first rule that fails
//! rejects it, else it is `eligible_for_review` — a pre-screen for the professional team, who
//! decide (§5.1.ו). Grade and sector come from the roster.
use super::absence::{self, AbsenceDecision};
use super::inputs::{History, Read, Request};
use super::review::{self, Ranked};
use super::twins::twin_verified;
use super::{year_dates, Params, YearDates};
use crate::error::{Error, Result};
use crate::jobs::gifted::Sector;
use crate::jobs::gifted_requests::Stage;
use crate::rules::date::{add_months, in_time};
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The rules of §6.1, in order, and the rule of a request that passes them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// gifted.md §1, §6: the student's institution does not take part.
    InstitutionNotParticipating,
    /// §5.1.ט: submitted after the `deadline` of Y.
    AfterDeadline,
    /// §5.1.א: a retest of this stage was granted and sat in an earlier school year.
    OneRetestPerStage,
    /// §5.1.ג–ד: the grade may not ask for a retest of this stage (and sector).
    GradeNotAllowed,
    /// §5.1.ב, §5.1.ז: ten months from the previous test end after the testing period.
    TenMonths,
    AllConditionsMet,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::InstitutionNotParticipating => "institution_not_participating",
            Rule::AfterDeadline => "after_deadline",
            Rule::OneRetestPerStage => "one_retest_per_stage",
            Rule::GradeNotAllowed => "grade_not_allowed",
            Rule::TenMonths => "ten_months",
            Rule::AllConditionsMet => "all_conditions_met",
        }
    }

    /// The decision the rule makes.
    pub fn decision(self) -> &'static str {
        match self {
            Rule::AllConditionsMet => "eligible_for_review",
            _ => "rejected",
        }
    }
}

/// What the roster says of a request's student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub participating: bool,
    /// The grade in Y.
    pub grade: i64,
    pub sector: Sector,
}

/// The earliest date of a new test: the previous test + `min_months_between_tests` months, the
/// month's end clamped (§5.1.ב; `None` beyond the calendar).
pub fn earliest_test_date(p: &Params, previous_test_date: NaiveDate) -> Option<NaiveDate> {
    add_months(previous_test_date, p.min_months_between_tests)
}

/// Whether the grade may ask for a retest of `stage` (§5.1.ג per sector, §5.1.ד).
pub fn grade_allowed(p: &Params, stage: Stage, sector: Sector, grade: i64) -> bool {
    let grades = match (stage, sector) {
        (Stage::Elementary, Sector::Hebrew) => &p.grades.elementary_hebrew,
        (Stage::Elementary, Sector::Arabic) => &p.grades.elementary_arabic,
        (Stage::Secondary, _) => &p.grades.secondary,
    };
    grades.contains(&grade)
}

/// §5.1.א: the right is used up by a retest of the same stage, of an earlier school year, that
/// the team granted and the student sat. A retest granted but not sat uses up nothing.
pub fn right_used_up(history: &[&History], stage: Stage, year: i64) -> bool {
    history
        .iter()
        .any(|h| h.stage == stage && h.school_year < year && h.retest_granted && h.retest_taken)
}

/// The first rule of §6.1 the request fails, or `AllConditionsMet`.
pub fn rule(p: &Params, dates: &YearDates, r: &Request, f: Facts, used_up: bool) -> Rule {
    if !f.participating {
        return Rule::InstitutionNotParticipating;
    }
    if !in_time(r.submitted_on, dates.deadline) {
        return Rule::AfterDeadline;
    }
    if used_up {
        return Rule::OneRetestPerStage;
    }
    if !grade_allowed(p, r.stage, f.sector, f.grade) {
        return Rule::GradeNotAllowed;
    }
    let end = dates.testing_period_end.of(r.stage);
    match earliest_test_date(p, r.previous_test_date) {
        Some(earliest) if in_time(earliest, end) => Rule::AllConditionsMet,
        _ => Rule::TenMonths,
    }
}

/// Whether the previous composite reached `thresholds.gifted` (flagged, never refused: §5.1.ו,
/// §5.1.ה).
pub fn previously_reached(p: &Params, composite: Option<Ratio>) -> bool {
    composite.is_some_and(|c| c >= p.threshold)
}

/// One request's decision row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDecision {
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub rule: Rule,
    /// Empty when the claim is not made.
    pub twin_verified: Option<bool>,
    pub previously_reached_threshold: bool,
    pub earliest_test_date: Option<NaiveDate>,
}

/// Everything the job decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decided {
    /// By (stage, student_id).
    pub requests: Vec<RequestDecision>,
    /// The eligible requests, by (stage, review_rank).
    pub order: Vec<Ranked>,
    /// By (student_id, stage, exam_date).
    pub absences: Vec<AbsenceDecision>,
}

/// Decides every request and notice of the year.
pub fn year(p: &Params, read: &Read) -> Result<Decided> {
    let years = (read.requests.iter().map(|r| r.school_year))
        .chain(read.notices.iter().map(|n| n.school_year));
    let dates = year_dates(p, years)?;
    let mut history: HashMap<&str, Vec<&History>> = HashMap::new();
    for h in &read.history {
        history.entry(h.student_id.as_str()).or_default().push(h);
    }
    let mut requests = Vec::with_capacity(read.requests.len());
    let mut eligible = Vec::new();
    for r in &read.requests {
        let (s, i) = read
            .roster
            .student(&r.student_id)
            .ok_or_else(|| Error::Job(format!("student {} is not in the roster", r.student_id)))?;
        let facts = Facts {
            participating: i.participating,
            grade: s.grade,
            sector: i.sector,
        };
        let past = history
            .get(r.student_id.as_str())
            .map_or(&[][..], |v| &v[..]);
        let used_up = right_used_up(past, r.stage, r.school_year);
        let rule = rule(p, &dates[&r.school_year], r, facts, used_up);
        let twin = r.twin_claim.then(|| {
            twin_verified(
                s,
                &read.roster,
                read.guardians.as_ref(),
                &read.programs,
                r.school_year,
            )
        });
        if rule == Rule::AllConditionsMet {
            eligible.push((r.stage, r.student_id.as_str(), r.previous_composite));
        }
        requests.push(RequestDecision {
            student_id: r.student_id.clone(),
            school_year: r.school_year,
            stage: r.stage,
            rule,
            twin_verified: twin,
            previously_reached_threshold: previously_reached(p, r.previous_composite),
            earliest_test_date: earliest_test_date(p, r.previous_test_date),
        });
    }
    requests.sort_by(|a, b| (a.stage, &a.student_id).cmp(&(b.stage, &b.student_id)));
    let order = review::order(p, &eligible);
    let absences = absence::decide_all(p, &dates, &read.notices, &read.roster)?;
    Ok(Decided {
        requests,
        order,
        absences,
    })
}
