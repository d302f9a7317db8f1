//! Phase `screening`: stage A referrals to stage B (gifted.md §2; 0207 §2.4).
//!
//! This file holds the phase's parameters, rows and decisions; `boundary.rs` the referral
//! boundary of a unit ([`referral_count`], [`score_boundary`]; 0207 §2.4.ג) and `referral.rs`
//! the phase itself ([`screen`]; 0207 §2.4).

use polars::prelude::PlSmallStr;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use super::Sector;
use crate::rules::fraction::Ratio;

mod boundary;
pub mod outputs;
pub mod phase;
mod referral;

pub use boundary::{referral_count, score_boundary};
pub use referral::screen;

/// The unit the referral share is taken in (0207 §2.4.ג: "in each class or in the grade").
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralUnit {
    Class,
    Grade,
}

impl ReferralUnit {
    pub fn parse(s: &str) -> Option<ReferralUnit> {
        match s {
            "class" => Some(ReferralUnit::Class),
            "grade" => Some(ReferralUnit::Grade),
            _ => None,
        }
    }
}

/// Boundary ties (gifted.md §2.2): only `include` exists — all tied students are referred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    #[default]
    Include,
}

impl Ties {
    pub fn parse(s: &str) -> Option<Ties> {
        (s == "include").then_some(Ties::Include)
    }
}

/// Parameters of gifted.md §2 (pipeline keys `referral_share`, `referral_unit`, `ties`,
/// `tested_grades.hebrew`, `tested_grades.arabic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreeningParams {
    pub referral_share: Ratio,
    pub referral_unit: ReferralUnit,
    pub ties: Ties,
    pub tested_grades_hebrew: Vec<i64>,
    pub tested_grades_arabic: Vec<i64>,
}

impl Default for ScreeningParams {
    fn default() -> Self {
        ScreeningParams {
            referral_share: Ratio::new(15, 100),
            referral_unit: ReferralUnit::Class,
            ties: Ties::Include,
            tested_grades_hebrew: vec![2],
            tested_grades_arabic: vec![3],
        }
    }
}

/// A student's stage A row (`stage_a_scores.status`, with the score when `tested`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StageA {
    Tested { score: i64 },
    Absent,
    OptedOut,
}

/// `stage_a_scores.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageAStatus {
    Tested,
    Absent,
    OptedOut,
}

/// One `stage_a_scores` row as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct StageARow {
    pub school_year: i64,
    pub status: StageAStatus,
    pub score: Option<i64>,
}

impl StageARow {
    /// The row's stage A result (gifted.md §2.1). A `tested` row carries its score (the
    /// contract's `required_when` rejects one without, so none reaches here); were one to
    /// come without, the student is not ranked — like an `opted_out` student, never as a
    /// score of 0.
    pub fn result(&self) -> StageA {
        match (self.status, self.score) {
            (StageAStatus::Tested, Some(score)) => StageA::Tested { score },
            (StageAStatus::Tested, None) | (StageAStatus::OptedOut, _) => StageA::OptedOut,
            (StageAStatus::Absent, _) => StageA::Absent,
        }
    }
}

/// One enrolled student of the roster, joined with their institution and stage A row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreeningStudent<'a> {
    pub student_id: Cow<'a, str>,
    pub institution_id: Cow<'a, str>,
    pub class_id: Cow<'a, str>,
    pub grade: i64,
    /// The institution's sector.
    pub sector: Sector,
    /// Result of [`super::participation::institution_participates`] for the institution.
    pub participating: bool,
    /// `None` when the student has no `stage_a_scores` row.
    pub stage_a: Option<StageA>,
}

/// `referrals.kind`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    Principal,
    Appeal,
}

/// `referrals.decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralDecision {
    Approved,
    Rejected,
    Pending,
}

/// One `referrals` row (its `school_year` is read by [`ReferralRow`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    pub student_id: String,
    pub kind: ReferralKind,
    pub decision: ReferralDecision,
}

/// One `referrals` row as read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ReferralRow {
    pub student_id: String,
    pub school_year: i64,
    pub kind: ReferralKind,
    pub decision: ReferralDecision,
}

impl ReferralRow {
    /// The referral and the school year it was made in.
    pub fn split(self) -> (i64, Referral) {
        (
            self.school_year,
            Referral {
                student_id: self.student_id,
                kind: self.kind,
                decision: self.decision,
            },
        )
    }
}

/// Why a student is invited to stage B; ordered `score` < `principal` < `appeal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferralReason {
    Score,
    Principal,
    Appeal,
}

impl ReferralReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralReason::Score => "score",
            ReferralReason::Principal => "principal",
            ReferralReason::Appeal => "appeal",
        }
    }
}

const ALL_REASONS: [ReferralReason; 3] = [
    ReferralReason::Score,
    ReferralReason::Principal,
    ReferralReason::Appeal,
];

/// A reason's bit in a set of reasons held as one byte.
fn reason_bit(r: ReferralReason) -> u8 {
    1 << r as u8
}

impl From<ReferralKind> for ReferralReason {
    fn from(k: ReferralKind) -> Self {
        match k {
            ReferralKind::Principal => ReferralReason::Principal,
            ReferralKind::Appeal => ReferralReason::Appeal,
        }
    }
}

/// A row of `stage_b_invitations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    pub student_id: PlSmallStr,
    pub institution_id: PlSmallStr,
    pub class_id: PlSmallStr,
    pub grade: i64,
    pub sector: Sector,
    pub reasons: BTreeSet<ReferralReason>,
}

impl Invitation {
    /// `score;principal;appeal` order, for the `reasons` column.
    pub fn reasons_joined(&self) -> String {
        let v: Vec<&str> = self.reasons.iter().map(|r| r.as_str()).collect();
        v.join(";")
    }
}

/// A row of `pending_referrals` (gifted.md §2.3): listed, refers nobody yet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingReferral {
    pub student_id: String,
    pub kind: ReferralKind,
}

/// The stage A letter a student's guardians get (0207 §2.4.ד: never the score).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterOutcome {
    Referred,
    NotReferred,
    Absent,
}

impl LetterOutcome {
    pub fn letter_kind(self) -> &'static str {
        match self {
            LetterOutcome::Referred => "stage_a_referred",
            LetterOutcome::NotReferred => "stage_a_not_referred",
            LetterOutcome::Absent => "stage_a_absent",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentOutcome {
    pub student_id: PlSmallStr,
    pub outcome: LetterOutcome,
}

/// Why a row (referral or stage A score) is outside the screening population.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum OutsideReason {
    /// The referral names no enrolled student.
    StudentNotFound,
    /// gifted.md §1: the student's institution does not take part.
    InstitutionNotParticipating,
    /// gifted.md §2.1: not in a tested grade of the institution's sector.
    GradeNotTested,
}

impl OutsideReason {
    pub fn as_str(self) -> &'static str {
        match self {
            OutsideReason::StudentNotFound => "student_not_found",
            OutsideReason::InstitutionNotParticipating => "institution_not_participating",
            OutsideReason::GradeNotTested => "grade_not_tested",
        }
    }
}

/// A referral row that refers nobody because its student is outside the population.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusedReferral {
    pub student_id: String,
    pub kind: ReferralKind,
    pub decision: ReferralDecision,
    pub reason: OutsideReason,
}

/// A stage A row of a student outside the population: not ranked, reported for reconciliation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredStageA {
    pub student_id: PlSmallStr,
    pub reason: OutsideReason,
}

/// Audit of one ranking unit (confidential: `boundary_score` is a score).
/// A row of `confidential/screening_units`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnitSummary {
    pub institution_id: String,
    /// The class id (unit `class`) or the grade as text (unit `grade`).
    pub unit: String,
    pub n_tested: usize,
    pub k: usize,
    /// The k-th highest score; `None` when k = 0.
    pub boundary_score: Option<i64>,
    pub n_referred_by_score: usize,
}

/// Everything the phase decides; every list is sorted by its keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScreeningOutput {
    /// Sorted by student_id.
    pub invitations: Vec<Invitation>,
    /// Sorted by (student_id, kind).
    pub pending_referrals: Vec<PendingReferral>,
    /// Sorted by student_id; one per population student who gets a stage A letter.
    pub outcomes: Vec<StudentOutcome>,
    /// Sorted by (student_id, kind, decision).
    pub unused_referrals: Vec<UnusedReferral>,
    /// Sorted by student_id.
    pub ignored_stage_a: Vec<IgnoredStageA>,
    /// Sorted by (institution_id, unit).
    pub units: Vec<UnitSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScreeningError {
    /// `referral_share` must lie in [0, 1].
    InvalidShare(Ratio),
    DuplicateStudent(String),
}

impl fmt::Display for ScreeningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScreeningError::InvalidShare(r) => write!(
                f,
                "referral_share must be between 0 and 1, got {}",
                r.to_f64()
            ),
            ScreeningError::DuplicateStudent(id) => {
                write!(f, "student {id} appears twice in the screening roster")
            }
        }
    }
}

impl std::error::Error for ScreeningError {}

#[cfg(test)]
#[path = "../tests/screening_tests.rs"]
mod tests;
