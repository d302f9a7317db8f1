//! Phase `screening`: stage A referrals to stage B (gifted.md §2; 0207 §2.4).

use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::PlSmallStr;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use super::{grade_listed, Sector};
use crate::rules::fraction::Ratio;

pub mod outputs;

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

/// 0207 §2.4.ג (gifted.md §2.2): the number referred by score in a unit of n tested students,
/// k = ceil(referral_share · n), computed exactly (0.15 · 20 = 3, not 3.0000000000000004).
pub fn referral_count(share: Ratio, n_tested: usize) -> usize {
    let k = (share * Ratio::from_int(n_tested as i128)).ceil();
    k.clamp(0, n_tested as i128) as usize
}

/// 0207 §2.4.ג (gifted.md §2.2): the boundary score of a unit — the k-th highest of `scores`
/// — every score ≥ it is referred (`ties = include`). `None` when k = 0 (no one is referred).
pub fn score_boundary(share: Ratio, scores: &[i64]) -> Option<i64> {
    let k = referral_count(share, scores.len());
    if k == 0 {
        return None;
    }
    let mut sorted = scores.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    Some(sorted[k - 1])
}

fn outside_reason(params: &ScreeningParams, s: &ScreeningStudent) -> Option<OutsideReason> {
    if !s.participating {
        Some(OutsideReason::InstitutionNotParticipating)
    } else if !grade_listed(
        &params.tested_grades_hebrew,
        &params.tested_grades_arabic,
        s.sector,
        s.grade,
    ) {
        Some(OutsideReason::GradeNotTested)
    } else {
        None
    }
}

/// 0207 §2.4 (gifted.md §2): stage A screening.
/// 1. Population: participating students of their sector's tested grade (§2.4.א); `absent` and
///    `opted_out` students are not ranked (§2.3.א).
/// 2. In each unit (class, or institution × grade) the tested students scoring ≥ the k-th highest
///    score are referred, k = ceil(referral_share · n) (§2.4.ג), ties included.
/// 3. An `approved` principal (§2.4.ג) or appeal (§2.4.ה) referral refers a population student
///    whatever their score; `pending` ones are listed and refer nobody.
/// 4. Letters: referred / not referred to every tested student, absent to absent ones (§2.4.ד).
pub fn screen(
    params: &ScreeningParams,
    students: &[ScreeningStudent],
    referrals: &[Referral],
) -> Result<ScreeningOutput, ScreeningError> {
    if params.referral_share < Ratio::ZERO || params.referral_share > Ratio::ONE {
        return Err(ScreeningError::InvalidShare(params.referral_share));
    }
    // Students in id order (the order of every output); a student is named by its position.
    // A roster comes in id order: then one pass checks it and nothing is sorted.
    let mut sorted: Vec<&ScreeningStudent> = students.iter().collect();
    if !sorted.windows(2).all(|w| w[0].student_id < w[1].student_id) {
        sorted.sort_unstable_by(|a, b| a.student_id.cmp(&b.student_id));
        if let Some(w) = sorted
            .windows(2)
            .find(|w| w[0].student_id == w[1].student_id)
        {
            return Err(ScreeningError::DuplicateStudent(
                w[0].student_id.to_string(),
            ));
        }
    }
    let position = |id: &str| {
        sorted
            .binary_search_by(|s| s.student_id.as_ref().cmp(id))
            .ok()
    };
    let mut out = ScreeningOutput::default();
    // reasons[i]: why student i is referred, a bit per `ReferralReason` (0: not referred).
    let mut reasons: Vec<u8> = vec![0; sorted.len()];

    // Ranking units of tested population students, each with its members in id order. A
    // grade unit is named by the grade's digits, as text.
    let grade_names: Vec<String> = (0..=12).map(|g: i64| g.to_string()).collect();
    let mut unit_of: FastMap<(&str, &str), usize> = FastMap::new();
    let mut keys: Vec<(&str, &str)> = Vec::new();
    // (unit, position, score) of each tested student, in id order.
    let mut tested: Vec<(usize, usize, i64)> = Vec::new();
    for (i, s) in sorted.iter().enumerate() {
        if let Some(reason) = outside_reason(params, s) {
            if s.stage_a.is_some() {
                out.ignored_stage_a.push(IgnoredStageA {
                    student_id: s.student_id.as_ref().into(),
                    reason,
                });
            }
            continue;
        }
        if let Some(StageA::Tested { score }) = s.stage_a {
            let unit = match params.referral_unit {
                ReferralUnit::Class => s.class_id.as_ref(),
                ReferralUnit::Grade => usize::try_from(s.grade)
                    .ok()
                    .and_then(|g| grade_names.get(g))
                    .map_or("", String::as_str),
            };
            let key = (s.institution_id.as_ref(), unit);
            let u = *unit_of.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            });
            tested.push((u, i, score));
        }
    }
    drop(unit_of);
    // Each unit's members laid out together (a counting sort, still in id order) ...
    let mut start = vec![0usize; keys.len() + 1];
    for &(u, _, _) in &tested {
        start[u + 1] += 1;
    }
    for u in 0..keys.len() {
        start[u + 1] += start[u];
    }
    let mut next = start.clone();
    let mut members = vec![(0usize, 0i64); tested.len()];
    for &(u, i, score) in &tested {
        members[next[u]] = (i, score);
        next[u] += 1;
    }
    drop((tested, next));
    // ... and the units taken in (institution, unit) order, so the order is fixed (the keys
    // are distinct).
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    for u in order {
        let (institution_id, unit) = keys[u];
        let members = &members[start[u]..start[u + 1]];
        let scores: Vec<i64> = members.iter().map(|&(_, sc)| sc).collect();
        let boundary = score_boundary(params.referral_share, &scores);
        let mut n_referred = 0;
        if let Some(b) = boundary {
            for &(i, _) in members.iter().filter(|&&(_, sc)| sc >= b) {
                reasons[i] |= reason_bit(ReferralReason::Score);
                n_referred += 1;
            }
        }
        out.units.push(UnitSummary {
            institution_id: institution_id.to_string(),
            unit: unit.to_string(),
            n_tested: members.len(),
            k: referral_count(params.referral_share, members.len()),
            boundary_score: boundary,
            n_referred_by_score: n_referred,
        });
    }

    // Referrals: approved ones refer, pending ones are listed, outside ones are reported.
    let mut approved: BTreeSet<(usize, ReferralKind)> = BTreeSet::new();
    let mut pending: BTreeSet<(usize, ReferralKind)> = BTreeSet::new();
    for r in referrals {
        let at = position(r.student_id.as_str());
        let outside = match at {
            None => Some(OutsideReason::StudentNotFound),
            Some(i) => outside_reason(params, sorted[i]),
        };
        if let Some(reason) = outside {
            out.unused_referrals.push(UnusedReferral {
                student_id: r.student_id.clone(),
                kind: r.kind,
                decision: r.decision,
                reason,
            });
            continue;
        }
        let i = at.expect("a student outside the roster is reported above");
        match r.decision {
            ReferralDecision::Approved => approved.insert((i, r.kind)),
            ReferralDecision::Pending => pending.insert((i, r.kind)),
            ReferralDecision::Rejected => false,
        };
    }
    for &(i, kind) in &approved {
        reasons[i] |= reason_bit(kind.into());
    }
    // A pending request superseded by an approved one of the same kind is not pending
    // (positions are in id order, so these are in (id, kind) order).
    out.pending_referrals = pending
        .difference(&approved)
        .map(|&(i, kind)| PendingReferral {
            student_id: sorted[i].student_id.to_string(),
            kind,
        })
        .collect();

    for (s, &rs) in sorted.iter().zip(&reasons) {
        if rs == 0 {
            continue;
        }
        out.invitations.push(Invitation {
            student_id: s.student_id.as_ref().into(),
            institution_id: s.institution_id.as_ref().into(),
            class_id: s.class_id.as_ref().into(),
            grade: s.grade,
            sector: s.sector,
            reasons: ALL_REASONS
                .into_iter()
                .filter(|&r| rs & reason_bit(r) != 0)
                .collect(),
        });
    }
    for (s, &rs) in sorted.iter().zip(&reasons) {
        if outside_reason(params, s).is_some() {
            continue;
        }
        let referred = rs != 0;
        let outcome = match (s.stage_a, referred) {
            (_, true) => Some(LetterOutcome::Referred),
            (Some(StageA::Tested { .. }), false) => Some(LetterOutcome::NotReferred),
            (Some(StageA::Absent), false) => Some(LetterOutcome::Absent),
            (Some(StageA::OptedOut) | None, false) => None,
        };
        if let Some(outcome) = outcome {
            out.outcomes.push(StudentOutcome {
                student_id: s.student_id.as_ref().into(),
                outcome,
            });
        }
    }
    out.unused_referrals.sort_by(|a, b| {
        (&a.student_id, a.kind, a.decision).cmp(&(&b.student_id, b.kind, b.decision))
    });
    Ok(out)
}

#[cfg(test)]
#[path = "tests/screening_tests.rs"]
mod tests;
