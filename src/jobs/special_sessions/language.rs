//! Language-adapted tests (gifted.md §6.2; 0207 §6.2, §1.7): each request gets one decision by
//! the first rule that holds. The student's roster grade g in school year Y and the arrival
//! year a of their immigration date d — the school year they first attend in Israel: d's year,
//! plus one when d's month and day are on or after `immigration_year_starts` (summer arrivals
//! start in September) — give the grade at immigration g − (Y − a), one grade per year.
use super::inputs::{Language, LanguageRequest};
use super::Params;
use crate::error::Result;
use crate::jobs::gifted_requests::{unknown_student, Roster, Stage, Student};
use crate::rules::date::{in_time, on_or_after_month_day};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// The rules of §6.2, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// gifted.md §1, §6: the institution does not take part.
    InstitutionNotParticipating,
    /// Submitted after the `deadline` of Y (§6.1.ה, §6.1.ז, applied to language requests).
    AfterDeadline,
    /// §1.7.א.1, §1.7.ב.1: immigrated at or above the stage's minimum grade.
    NewImmigrant,
    /// §1.7.א.2, §1.7.ב.2: at least `returning_min_years_abroad` consecutive years abroad.
    ReturningResident,
    /// §6.2.א, §6.2.ג: studied in one of the two years before the test at a school teaching in
    /// neither Hebrew nor Arabic.
    ForeignSchool,
    NoGround,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::InstitutionNotParticipating => "institution_not_participating",
            Rule::AfterDeadline => "after_deadline",
            Rule::NewImmigrant => "new_immigrant",
            Rule::ReturningResident => "returning_resident",
            Rule::ForeignSchool => "foreign_school",
            Rule::NoGround => "no_ground",
        }
    }

    pub fn decision(self) -> &'static str {
        match self {
            Rule::AfterDeadline => "deferred_next_year",
            Rule::NewImmigrant | Rule::ReturningResident | Rule::ForeignSchool => "eligible",
            Rule::InstitutionNotParticipating | Rule::NoGround => "not_eligible",
        }
    }
}

/// The school year a student who arrived on `d` first attends in Israel.
pub fn arrival_year(p: &Params, d: NaiveDate) -> i64 {
    let (month, day) = p.immigration_year_starts;
    i64::from(d.year()) + i64::from(on_or_after_month_day(d, month, day))
}

/// The grade at immigration of a student in grade `grade` in school year `year`.
pub fn grade_at_immigration(p: &Params, grade: i64, year: i64, immigrated: NaiveDate) -> i64 {
    grade - (year - arrival_year(p, immigrated))
}

/// The first rule of §6.2 that holds for a request of a participating student.
pub fn rule(p: &Params, deadline: NaiveDate, r: &LanguageRequest, s: &Student) -> Rule {
    if !in_time(r.submitted_on, deadline) {
        return Rule::AfterDeadline;
    }
    let min_grade = match r.stage {
        Stage::Elementary => p.language.elementary_min_grade_at_immigration,
        Stage::Secondary => p.language.secondary_min_grade_at_immigration,
    };
    if s.immigration_date
        .is_some_and(|d| grade_at_immigration(p, s.grade, r.school_year, d) >= min_grade)
    {
        Rule::NewImmigrant
    } else if s
        .years_abroad
        .is_some_and(|y| y >= p.language.returning_min_years_abroad)
    {
        Rule::ReturningResident
    } else if r.foreign_school_recent {
        Rule::ForeignSchool
    } else {
        Rule::NoGround
    }
}

/// One request's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageDecision {
    pub student_id: String,
    pub stage: Stage,
    pub language: Language,
    pub rule: Rule,
}

/// Every request's decision, by (student_id, stage).
pub fn decisions(
    p: &Params,
    deadlines: &BTreeMap<i64, NaiveDate>,
    rows: &[LanguageRequest],
    roster: &Roster,
) -> Result<Vec<LanguageDecision>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (s, i) = roster
            .student(&r.student_id)
            .ok_or_else(|| unknown_student("language_test_requests", &r.student_id))?;
        let rule = match deadlines.get(&r.school_year) {
            Some(&d) if i.participating => rule(p, d, r, s),
            _ => Rule::InstitutionNotParticipating,
        };
        out.push(LanguageDecision {
            student_id: r.student_id.clone(),
            stage: r.stage,
            language: r.language,
            rule,
        });
    }
    out.sort_by(|a, b| (&a.student_id, a.stage).cmp(&(&b.student_id, b.stage)));
    Ok(out)
}
