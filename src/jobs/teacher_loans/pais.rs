//! Pais scholarships (teacher-loans.md §4; circular 004 §B): decided after round 1 of the
//! regular loans, for applicants with a conditional loan; the checks of the row's Pais rule,
//! the amount and its volunteer hours, and the place on the list (required-subjects students
//! of study year 3 first, §B.1).
use super::inputs::{Applicant, Track};
use super::params::{CheckSet, PaisRule, Params, TableB};
use super::reasons::{Failures, Reason};

/// The failing checks of a scholarship for `a` of program `row` (`None`: program `regular`).
/// `has_loan`: a preferred or a round-1 regular loan (§B: "נטילת מלגת פיס מחייבת גם נטילת
/// הלוואה מותנית").
pub fn checks(a: &Applicant, row: Option<&TableB>, has_loan: bool, p: &Params) -> Failures {
    let mut f = Failures::default();
    f.check(!has_loan, Reason::NoConditionalLoan);
    f.check(a.other_pais_scholarship, Reason::OtherPaisScholarship);
    let scholarship = row.and_then(|r| r.scholarship(a.continuing()));
    f.check(scholarship.is_none(), Reason::ProgramWithoutScholarship);
    if let (Some(row), Some((_, PaisRule::Subject))) = (row, scholarship) {
        f.check(!subject_ok(a, row, p), Reason::PaisSubject);
        f.check(a.teaching_track == Track::Elementary, Reason::PaisTrack);
        f.check(!a.pais_conditions_met, Reason::PaisConditions);
    }
    f
}

/// The subject of §B.1: for required subjects, the Table A code has a Pais subject; for
/// retraining, the row's own subject; for a continuing M.Teach student, one of the seven.
fn subject_ok(a: &Applicant, row: &TableB, p: &Params) -> bool {
    match row.checks {
        CheckSet::RequiredSubjects => p
            .subject(a.specialization_code)
            .is_some_and(|s| s.pais_subject.is_some()),
        CheckSet::Retraining => row.pais_subject.is_some(),
        CheckSet::Mteach => a.mteach_subject.is_some_and(|s| s.is_pais_subject()),
        CheckSet::Ragav | CheckSet::Special => true,
    }
}

/// The scholarship of `a` in `row` and its volunteer hours (§B.4), when the row gives one.
pub fn amount(a: &Applicant, row: Option<&TableB>, p: &Params) -> Option<(i64, i64)> {
    let (amount, _) = row?.scholarship(a.continuing())?;
    let hours = p.scholarship_hours.get(&amount).copied().unwrap_or(0);
    Some((amount, hours))
}

/// The priority of §B.1: required-subjects students in study year 3 head the list (0), then
/// everyone else (1).
pub fn priority(a: &Applicant, row: Option<&TableB>) -> u64 {
    let first = a.study_year == 3 && row.is_some_and(|r| r.checks == CheckSet::RequiredSubjects);
    u64::from(!first)
}
