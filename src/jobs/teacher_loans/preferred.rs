//! Preferred conditional loans (teacher-loans.md §2; circular 004 §A.7–§A.10): the checks of
//! each Table B row, the amount, and the ranking key the budget walk follows.
use super::inputs::{Applicant, College, MteachSubject, Sector, Track};
use super::params::{CheckSet, Params, RankKey, TableB};
use super::reasons::{Failures, Reason};
use crate::rules::fraction::Ratio;

/// What the checks of every item read about an applicant's college.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollegeFacts {
    pub academic: bool,
    pub soldier_arrangement: bool,
}

impl From<&College> for CollegeFacts {
    fn from(c: &College) -> Self {
        CollegeFacts {
            academic: c.academic_college_of_education,
            soldier_arrangement: c.soldier_arrangement,
        }
    }
}

/// `hours < min` exactly (23.5 < 24).
fn below(hours: Ratio, min: Ratio) -> bool {
    hours < min
}

/// The failing checks of a preferred loan of `row` for `a` (§2). `on_ragav` says whether the
/// applicant is on the ragav list (§A.8).
pub fn checks(
    a: &Applicant,
    row: &TableB,
    college: CollegeFacts,
    on_ragav: bool,
    p: &Params,
) -> Failures {
    let mut f = Failures::default();
    let continuing = a.continuing();
    // Every row (§A.1–§A.6, §A.11).
    f.check(
        a.submitted_on > p.interface_deadline,
        Reason::LateApplication,
    );
    f.check(!college.academic, Reason::CollegeNotEligible);
    f.check(
        a.soldier_funded && college.soldier_arrangement,
        Reason::SoldierFunded,
    );
    f.check(a.prior_loans >= row.max_loans, Reason::MaxLoansReached);
    f.check(
        continuing && row.amount_continuing.is_none(),
        Reason::NewStudentsOnly,
    );
    f.check(
        !continuing && row.amount_new.is_none(),
        Reason::ContinuingStudentsOnly,
    );
    match row.checks {
        // §A.8: students of years 1–3 on the ragav list.
        CheckSet::Ragav => {
            f.check(a.study_year > 3, Reason::StudyYearAbove3);
            f.check(!on_ragav, Reason::NotOnRagavList);
        }
        // §A.7: a Table A subject, the combined score by track, 24 weekly hours.
        CheckSet::RequiredSubjects => {
            f.check(a.study_year > 3, Reason::StudyYearAbove3);
            f.check(
                p.subject(a.specialization_code).is_none(),
                Reason::NotRequiredSubject,
            );
            let min = match a.teaching_track {
                Track::Elementary => p.min_score_elementary,
                Track::Secondary | Track::MultiAge => p.min_score_secondary,
            };
            f.check(
                a.combined_score.is_none_or(|s| s < min),
                Reason::ScoreBelowMinimum,
            );
            f.check(
                p.preferred_hours_years.contains(&a.study_year)
                    && below(a.weekly_hours, p.preferred_min_hours),
                Reason::HoursBelowMinimum,
            );
        }
        // §A.9: a preferred subject, 15 weekly hours, not completion studies.
        CheckSet::Mteach => {
            f.check(
                !mteach_subject_ok(a.mteach_subject, a.study_year, a.sector),
                Reason::MteachSubject,
            );
            f.check(
                below(a.weekly_hours, p.mteach_min_hours),
                Reason::HoursBelowMinimum,
            );
            f.check(a.completion_studies, Reason::CompletionStudies);
        }
        // §A.10: a degree average of 80, 15 weekly hours, the row's sectors.
        CheckSet::Retraining => {
            f.check(
                a.degree_average
                    .is_none_or(|avg| avg < p.retraining_min_average),
                Reason::DegreeAverageBelowMinimum,
            );
            f.check(
                below(a.weekly_hours, p.retraining_min_hours),
                Reason::HoursBelowMinimum,
            );
            f.check(
                row.excluded_sectors.iter().any(|s| s == a.sector.as_str()),
                Reason::SectorExcluded,
            );
        }
        CheckSet::Special => {}
    }
    f
}

/// §A.9: the subject of an M.Teach student is one of the preferred list; environment only in
/// study year 2; Bible, Jewish thought and oral Torah only in general (state) education.
pub fn mteach_subject_ok(s: Option<MteachSubject>, study_year: i64, sector: Sector) -> bool {
    use MteachSubject::*;
    match s {
        None | Some(Other) => false,
        Some(Environment) => study_year == 2,
        Some(Bible | JewishThought | OralTorah) => sector == Sector::General,
        Some(_) => true,
    }
}

/// The ranking key of an applicant under `keys` (§A.9, §A.10; teacher-loans.md §2): each key
/// as a number, lower first. `degree_holder` counts only for M.Teach and retraining rows;
/// the lottery number is always last and breaks the remaining ties.
pub fn rank_key(a: &Applicant, row: Option<&TableB>, keys: &[RankKey], lottery: u64) -> Vec<u64> {
    let mut k: Vec<u64> = keys
        .iter()
        .filter(|k| **k != RankKey::Lottery)
        .map(|k| match k {
            RankKey::DegreeHolder => {
                let counts = row
                    .is_some_and(|r| matches!(r.checks, CheckSet::Mteach | CheckSet::Retraining));
                u64::from(!(counts && a.degree_in_subject))
            }
            RankKey::Continuing => u64::from(!a.continuing()),
            RankKey::Lottery => 0,
        })
        .collect();
    k.push(lottery);
    k
}
