//! Regular conditional loans: who is considered in each round and the checks of §6.1–§6.2
//! (teacher-loans.md §3.1, §3.3).
use super::inputs::{Applicant, Sector, Status};
use super::params::Params;
use super::preferred::CollegeFacts;
use super::reasons::{Failures, Reason};
use chrono::NaiveDate;

/// The two rounds of regular loans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Round {
    /// After the preferred loans, on the loans budget they left (§6.3).
    First = 1,
    /// Late applicants and appeals, on what the first round left (§6.7).
    Second = 2,
}

impl Round {
    pub fn number(self) -> i64 {
        self as i64
    }
}

/// Whether round 1 considers `a` (§3.1): a loan requested, no preferred loan, submitted by the
/// interface deadline.
pub fn in_first_round(a: &Applicant, preferred: bool, p: &Params) -> bool {
    a.requests_loan && !preferred && a.submitted_on <= p.interface_deadline
}

/// Whether round 2 considers `a` (§3.3, §6.7): a loan requested and none granted in round 1,
/// and either submitted after the interface deadline (a late application; after
/// `late_submission_deadline` it is refused as `late_application`) or refused a regular loan
/// in round 1 and appealed by the appeals deadline.
pub fn in_second_round(
    a: &Applicant,
    loan_in_first_round: bool,
    refused_regular_in_first_round: bool,
    p: &Params,
) -> bool {
    if !a.requests_loan || loan_in_first_round {
        return false;
    }
    let late = a.submitted_on > p.interface_deadline;
    let appealed =
        refused_regular_in_first_round && a.appeal_filed_on.is_some_and(|d| d <= p.appeal_deadline);
    late || appealed
}

/// The failing checks of a regular loan for `a` in `round` (§6.1–§6.2). A haredi student shows
/// a bagrut instead of the combined score, and the hours rule covers fewer study years.
pub fn checks(a: &Applicant, college: CollegeFacts, round: Round, p: &Params) -> Failures {
    let r = &p.regular;
    let mut f = Failures::default();
    let deadline: NaiveDate = match round {
        Round::First => p.interface_deadline,
        Round::Second => p.late_submission_deadline,
    };
    f.check(a.submitted_on > deadline, Reason::LateApplication);
    f.check(!college.academic, Reason::CollegeNotEligible);
    f.check(
        a.soldier_funded && college.soldier_arrangement,
        Reason::SoldierFunded,
    );
    f.check(
        a.student_status != Status::Regular,
        Reason::NotRegularStudent,
    );
    f.check(a.split_studies, Reason::SplitStudies);
    f.check(a.in_service_teacher, Reason::InServiceTeacher);
    let haredi = a.sector == Sector::Haredi;
    if haredi {
        f.check(!a.bagrut, Reason::NoBagrut);
    } else {
        f.check(
            a.combined_score.is_none_or(|s| s < r.min_score),
            Reason::ScoreBelowMinimum,
        );
    }
    f.check(!a.israeli_citizen, Reason::NotCitizen);
    let hours_years = if haredi {
        &r.hours_years_haredi
    } else {
        &r.hours_years
    };
    f.check(
        hours_years.contains(&a.study_year) && a.weekly_hours < r.min_hours,
        Reason::HoursBelowMinimum,
    );
    f.check(
        a.tuition_funded_by_government,
        Reason::TuitionGovernmentFunded,
    );
    f.check(!a.same_track, Reason::ChangedTrack);
    f.check(a.prior_loans >= r.max_loans, Reason::MaxLoansReached);
    f.check(
        !r.study_years.contains(&a.study_year),
        Reason::StudyYearNotEligible,
    );
    f
}
