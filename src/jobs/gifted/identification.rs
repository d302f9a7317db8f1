//! Phase `identification`: stage B composites and categories (gifted.md §3; 0207 §1.8, §1.10,
//! §2.5, §2.6).

use crate::rules::text_order::sort_by_text;
use foldhash::{HashMap as FastMap, HashMapExt, HashSet as FastSet};
use polars::prelude::PlSmallStr;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rayon::prelude::*;

use super::norms::{
    reference_tables, subtest_norms, NormPopulation, NormRow, NormsError, NormsMode, NormsParams,
    ReferenceRow, SubtestNorms, SubtestScores, Thresholds,
};
pub use super::Category;
pub use super::{default_group_value, norm_group, UnknownGroupColumn};
use super::{grade_listed, Sector};
use crate::rules::fraction::Ratio;

pub mod outputs;
pub mod phase;

/// Parameters of gifted.md §3 (pipeline keys `subtests`, `norms.*`, `thresholds.*`,
/// `stage_b_grades.*`; `norms.group_by` is applied by the caller through [`norm_group`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentificationParams {
    pub subtests: Vec<String>,
    pub norms: NormsParams,
    pub stage_b_grades_hebrew: Vec<i64>,
    pub stage_b_grades_arabic: Vec<i64>,
}

impl Default for IdentificationParams {
    fn default() -> Self {
        IdentificationParams {
            subtests: ["math", "verbal", "figural"].map(String::from).to_vec(),
            norms: NormsParams::default(),
            stage_b_grades_hebrew: vec![2, 3, 4],
            stage_b_grades_arabic: vec![3, 4, 5],
        }
    }
}

/// One enrolled student of the school year (every roster row, not only stage B candidates:
/// `cohort_enrollment` counts them all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterStudent {
    pub student_id: PlSmallStr,
    pub school_year: i64,
    /// Built with [`norm_group`] from `norms.group_by`, e.g. `2027/hebrew/2`.
    pub norm_group: PlSmallStr,
    pub sector: Sector,
    pub grade: i64,
    /// Result of [`super::participation::institution_participates`] for the institution.
    pub participating: bool,
}

/// `stage_b_scores.status`, with the raw score when `completed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubtestStatus {
    Completed { raw_score: i64 },
    Absent,
    RemovedForConduct,
}

/// One `stage_b_scores` row; `row_number` (1-based data row of the source) is passed through
/// to rejects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageBRow<'a> {
    pub row_number: u64,
    pub student_id: Cow<'a, str>,
    pub school_year: i64,
    pub subtest: Cow<'a, str>,
    pub status: SubtestStatus,
}

/// Why a stage B row is not used: a reject (a row naming no roster student, an unknown
/// subtest, a second row for a student and subtest), or an exclusion (a valid row the
/// regulation leaves out, [`RejectRule::exclusion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RejectRule {
    StudentNotFound,
    SubtestUnknown,
    InstitutionNotParticipating,
    /// gifted.md §1: the row's school year is not the student's roster school year.
    OtherSchoolYear,
    /// gifted.md §3; 0207 §2.5.א: not in `stage_b_grades` of the student's sector.
    GradeNotTested,
    /// A second row for the same (student, subtest); the lowest row_number is kept.
    DuplicateKey,
}

impl RejectRule {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectRule::StudentNotFound => "student_not_found",
            RejectRule::SubtestUnknown => "subtest_unknown",
            RejectRule::InstitutionNotParticipating => "institution_not_participating",
            RejectRule::OtherSchoolYear => "other_school_year",
            RejectRule::GradeNotTested => "grade_not_tested",
            RejectRule::DuplicateKey => "duplicate_key",
        }
    }

    /// The exclusion this is (data-contract.md: a valid row left out is not a reject), or
    /// `None` for a reject.
    pub fn exclusion(self) -> Option<super::exclusions::ExclusionReason> {
        use super::exclusions::ExclusionReason as X;
        match self {
            RejectRule::InstitutionNotParticipating => Some(X::InstitutionNotParticipating),
            RejectRule::OtherSchoolYear => Some(X::OtherSchoolYear),
            RejectRule::GradeNotTested => Some(X::GradeNotTested),
            RejectRule::StudentNotFound | RejectRule::SubtestUnknown | RejectRule::DuplicateKey => {
                None
            }
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RejectRule::StudentNotFound => "the student is not in the roster",
            RejectRule::SubtestUnknown => "the subtest is not one of the pipeline's subtests",
            RejectRule::InstitutionNotParticipating => {
                "the student's institution does not take part in identification"
            }
            RejectRule::OtherSchoolYear => {
                "the row's school year is not the student's school year in the roster"
            }
            RejectRule::GradeNotTested => {
                "stage B is not normed for this grade in the student's sector (0207 §2.5.א)"
            }
            RejectRule::DuplicateKey => "a row for this student and subtest came earlier",
        }
    }
}

/// A rejected stage B row, for `rejects` (table `stage_b_scores`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageBReject {
    pub row_number: u64,
    pub student_id: String,
    pub subtest: String,
    pub rule: RejectRule,
}

/// A student's outcome on one subtest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtestResult {
    pub subtest: PlSmallStr,
    /// `None`: no row for this subtest (counts as absent).
    pub status: Option<SubtestStatus>,
    /// The percentile rank of a completed score.
    pub percentile: Option<Ratio>,
}

/// A row of `confidential/results`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentResult {
    pub student_id: PlSmallStr,
    pub school_year: i64,
    pub norm_group: PlSmallStr,
    /// In the order of `params.subtests`.
    pub subtests: Vec<SubtestResult>,
    /// Exact mean of the subtest percentiles; `None` when incomplete or removed.
    pub composite: Option<Ratio>,
    pub category: Category,
}

impl StudentResult {
    pub fn composite_num(&self) -> Option<i128> {
        self.composite.map(|c| c.num())
    }
    pub fn composite_den(&self) -> Option<i128> {
        self.composite.map(|c| c.den())
    }
    /// For reading only.
    pub fn composite_f64(&self) -> Option<f64> {
        self.composite.map(|c| c.to_f64())
    }
}

/// Per-subtest cut-off raw scores of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtestCutoff {
    pub subtest: String,
    /// Completed scores on the subtest in the group.
    pub n_tested: u64,
    pub gifted_raw: Option<i64>,
    pub excellent_raw: Option<i64>,
}

/// A row of `cutoffs` (groups, not children: not confidential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupCutoffs {
    pub norm_group: String,
    /// N: participating enrolled students of the group in a stage B grade of their sector.
    pub n_population: u64,
    /// Students with at least one completed subtest.
    pub n_tested: u64,
    pub n_gifted: u64,
    pub n_excellent: u64,
    /// In the order of `params.subtests`.
    pub subtests: Vec<SubtestCutoff>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentificationOutput {
    /// Sorted by (norm_group, subtest, raw_score).
    pub norm_table: Vec<NormRow>,
    /// Sorted by student_id; one per student with an accepted stage B row.
    pub results: Vec<StudentResult>,
    /// Sorted by norm_group; groups with at least one accepted stage B row.
    pub cutoffs: Vec<GroupCutoffs>,
    /// Sorted by (row_number, student_id, subtest).
    pub rejects: Vec<StageBReject>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IdentificationError {
    Norms(NormsError),
    InvalidParams(String),
    DuplicateStudent(String),
}

impl fmt::Display for IdentificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentificationError::Norms(e) => e.fmt(f),
            IdentificationError::InvalidParams(m) => write!(f, "invalid parameters: {m}"),
            IdentificationError::DuplicateStudent(id) => {
                write!(f, "student {id} appears twice in the roster")
            }
        }
    }
}

impl std::error::Error for IdentificationError {}

impl From<NormsError> for IdentificationError {
    fn from(e: NormsError) -> Self {
        IdentificationError::Norms(e)
    }
}

/// 0207 §1.8, §1.10, §2.6.א (gifted.md §3): `gifted` at composite ≥ thresholds.gifted,
/// `excellent` at thresholds.excellent ≤ composite < thresholds.gifted, else `not_eligible`.
/// Exact comparison: 9699999/100000 is below 97.
pub fn categorize(composite: Ratio, thresholds: &Thresholds) -> Category {
    if composite >= thresholds.gifted {
        Category::Gifted
    } else if composite >= thresholds.excellent {
        Category::Excellent
    } else {
        Category::NotEligible
    }
}

/// gifted.md §3: the composite is the exact mean of the subtest percentiles.
pub fn composite(percentiles: &[Ratio]) -> Ratio {
    assert!(!percentiles.is_empty(), "composite of no subtests");
    percentiles.iter().copied().sum::<Ratio>() / Ratio::from_int(percentiles.len() as i128)
}

/// 0207 §2.5.ג (gifted.md §3): removed for conduct on any subtest → `removed`; else a subtest
/// absent or missing → `incomplete`; else the category of the composite.
pub fn classify(
    statuses: &[Option<SubtestStatus>],
    percentiles: &[Option<Ratio>],
    thresholds: &Thresholds,
) -> (Option<Ratio>, Category) {
    if statuses.contains(&Some(SubtestStatus::RemovedForConduct)) {
        return (None, Category::Removed);
    }
    match percentiles.iter().copied().collect::<Option<Vec<Ratio>>>() {
        Some(prs)
            if statuses
                .iter()
                .all(|s| matches!(s, Some(SubtestStatus::Completed { .. }))) =>
        {
            let c = composite(&prs);
            (Some(c), categorize(c, thresholds))
        }
        _ => (None, Category::Incomplete),
    }
}

fn validate(params: &IdentificationParams) -> Result<(), IdentificationError> {
    let unique: BTreeSet<&String> = params.subtests.iter().collect();
    if params.subtests.is_empty() || unique.len() != params.subtests.len() {
        return Err(IdentificationError::InvalidParams(
            "subtests must be a non-empty list without repeats".into(),
        ));
    }
    let t = &params.norms.thresholds;
    if t.excellent > t.gifted {
        return Err(IdentificationError::InvalidParams(
            "thresholds.excellent must not exceed thresholds.gifted".into(),
        ));
    }
    Ok(())
}

fn in_stage_b(params: &IdentificationParams, s: &RosterStudent) -> bool {
    grade_listed(
        &params.stage_b_grades_hebrew,
        &params.stage_b_grades_arabic,
        s.sector,
        s.grade,
    )
}

/// Accepted statuses: (student, its (subtest, status) in row order), in student id order.
type Accepted<'a> = Vec<(&'a str, Subtests<'a>)>;
/// A student's accepted (subtest, status), one per subtest (a pipeline lists a few).
type Subtests<'a> = Vec<(&'a str, SubtestStatus)>;

/// 0207 §2.5.א (gifted.md §1, §3): checks the stage B rows in row order — a roster student, one
/// of the pipeline's subtests, a participating institution, the student's roster school year,
/// a stage B grade of the student's sector (`grade_not_tested`), one row per student and
/// subtest (the earliest is kept).
fn check_stage_b_rows<'a>(
    params: &IdentificationParams,
    by_id: &FastMap<&str, &RosterStudent>,
    rows: &'a [StageBRow],
) -> (Accepted<'a>, Vec<StageBReject>) {
    let mut ordered: Vec<&StageBRow> = rows.iter().collect();
    ordered.sort_by(|a, b| {
        (a.row_number, &a.student_id, &a.subtest).cmp(&(b.row_number, &b.student_id, &b.subtest))
    });
    let mut rejects = Vec::new();
    let reject = |r: &StageBRow, rule| StageBReject {
        row_number: r.row_number,
        student_id: r.student_id.to_string(),
        subtest: r.subtest.to_string(),
        rule,
    };
    // Rows that pass the row checks, in row order; then grouped by student (a stable sort by
    // id keeps each student's rows in row order, so the earliest row of a subtest is kept).
    let mut kept: Vec<&StageBRow> = Vec::with_capacity(ordered.len());
    for r in ordered {
        let rule = match by_id.get(r.student_id.as_ref()) {
            None => RejectRule::StudentNotFound,
            Some(_) if !params.subtests.iter().any(|t| *t == r.subtest) => {
                RejectRule::SubtestUnknown
            }
            Some(s) if !s.participating => RejectRule::InstitutionNotParticipating,
            Some(s) if s.school_year != r.school_year => RejectRule::OtherSchoolYear,
            Some(s) if !in_stage_b(params, s) => RejectRule::GradeNotTested,
            Some(_) => {
                kept.push(r);
                continue;
            }
        };
        rejects.push(reject(r, rule));
    }
    // (Rows that come in id order already are left as they are: the sort is stable.)
    if !kept.windows(2).all(|w| w[0].student_id <= w[1].student_id) {
        sort_by_text(&mut kept, |r| r.student_id.as_ref(), |_, _| Ordering::Equal);
    }
    let mut by_student: Accepted<'a> = Vec::new();
    for group in kept.chunk_by(|a, b| a.student_id == b.student_id) {
        let mut subtests: Subtests<'a> = Vec::with_capacity(group.len());
        for r in group {
            if subtests.iter().any(|&(s, _)| s == r.subtest.as_ref()) {
                rejects.push(reject(r, RejectRule::DuplicateKey));
            } else {
                subtests.push((r.subtest.as_ref(), r.status));
            }
        }
        by_student.push((group[0].student_id.as_ref(), subtests));
    }
    rejects.sort_by(|a, b| {
        (a.row_number, &a.student_id, &a.subtest).cmp(&(b.row_number, &b.student_id, &b.subtest))
    });
    (by_student, rejects)
}

type NormsByKey = BTreeMap<(String, String), SubtestNorms>;
/// The norms by borrowed (norm_group, subtest), for lookups that allocate nothing.
type NormsLookup<'a> = FastMap<(&'a str, &'a str), &'a SubtestNorms>;

/// 0207 §2.5.ב (gifted.md §3): "results are set by national norms relative to the tested
/// year-group" — the norms of every subtest in every group with candidates, built in parallel;
/// the first error in (group, subtest) order is returned whatever the thread count.
fn build_group_norms(
    params: &IdentificationParams,
    groups: &BTreeSet<&str>,
    scores: &BTreeMap<(&str, &str), Vec<i64>>,
    n_population: &BTreeMap<&str, u64>,
    reference: &[ReferenceRow],
) -> Result<NormsByKey, NormsError> {
    let inputs: Vec<SubtestScores> = groups
        .iter()
        .flat_map(|&g| params.subtests.iter().map(move |s| (g, s.as_str())))
        .map(|(g, s)| SubtestScores {
            norm_group: g.to_string(),
            subtest: s.to_string(),
            scores: scores.get(&(g, s)).cloned().unwrap_or_default(),
            n_enrolled: n_population.get(g).copied().unwrap_or(0),
        })
        .collect();
    let tables = match params.norms.mode {
        NormsMode::Reference => reference_tables(reference)?,
        NormsMode::Empirical => BTreeMap::new(),
    };
    let built: Vec<Result<SubtestNorms, NormsError>> = inputs
        .par_iter()
        .map(|i| subtest_norms(&params.norms, i, &tables))
        .collect();
    let mut norms = NormsByKey::new();
    for n in built {
        let n = n?;
        norms.insert((n.norm_group.clone(), n.subtest.clone()), n);
    }
    Ok(norms)
}

/// 0207 §2.5.ג, §2.6.א, §1.8, §1.10 (gifted.md §3): a student's subtest percentiles, composite
/// and category.
fn student_result(
    params: &IdentificationParams,
    s: &RosterStudent,
    subtests: &[(&str, SubtestStatus)],
    norms: &NormsLookup,
) -> StudentResult {
    let results: Vec<SubtestResult> = params
        .subtests
        .iter()
        .map(|t| {
            let status = subtests
                .iter()
                .find(|&&(s, _)| s == t.as_str())
                .map(|&(_, st)| st);
            let percentile = match status {
                Some(SubtestStatus::Completed { raw_score }) => norms
                    .get(&(s.norm_group.as_str(), t.as_str()))
                    .and_then(|n| n.percentile(raw_score)),
                _ => None,
            };
            SubtestResult {
                subtest: t.as_str().into(),
                status,
                percentile,
            }
        })
        .collect();
    let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
    let percentiles: Vec<_> = results.iter().map(|r| r.percentile).collect();
    let (composite, category) = classify(&statuses, &percentiles, &params.norms.thresholds);
    StudentResult {
        student_id: s.student_id.clone(),
        school_year: s.school_year,
        norm_group: s.norm_group.clone(),
        subtests: results,
        composite,
        category,
    }
}

/// gifted.md §3 `cutoffs`: a group's sizes, category counts and per-subtest cut-off raw scores.
fn group_cutoffs(
    params: &IdentificationParams,
    norm_group: &str,
    n_population: u64,
    results: &[&StudentResult],
    norms: &NormsLookup,
) -> GroupCutoffs {
    let count = |f: &dyn Fn(&StudentResult) -> bool| results.iter().filter(|r| f(r)).count() as u64;
    let t = &params.norms.thresholds;
    let n_tested = count(&|r| {
        r.subtests
            .iter()
            .any(|x| matches!(x.status, Some(SubtestStatus::Completed { .. })))
    });
    GroupCutoffs {
        norm_group: norm_group.to_string(),
        // gifted.md §3 Outputs: the N actually used — with `tested`, the group's students
        // with at least one completed subtest (each subtest's own N is its n_tested).
        n_population: match params.norms.population {
            NormPopulation::Tested => n_tested,
            NormPopulation::CohortEnrollment => n_population,
        },
        n_tested,
        n_gifted: count(&|r| r.category == Category::Gifted),
        n_excellent: count(&|r| r.category == Category::Excellent),
        subtests: params
            .subtests
            .iter()
            .map(|s| {
                let n = norms.get(&(norm_group, s.as_str())).copied();
                SubtestCutoff {
                    subtest: s.clone(),
                    n_tested: n.map_or(0, |n| n.rows.iter().map(|r| r.n_at_score).sum()),
                    gifted_raw: n.and_then(|n| n.cutoff(t.gifted)),
                    excellent_raw: n.and_then(|n| n.cutoff(t.excellent)),
                }
            })
            .collect(),
    }
}

/// 0207 §2.5, §2.6 (gifted.md §3): stage B identification — check the rows, build the norms of
/// each group and subtest, classify each student, summarize each group. Every output is sorted
/// by its keys, so it is identical for any thread count and any input row order.
pub fn identify(
    params: &IdentificationParams,
    roster: &[RosterStudent],
    rows: &[StageBRow],
    reference: &[ReferenceRow],
) -> Result<IdentificationOutput, IdentificationError> {
    let mut n_population: BTreeMap<String, u64> = BTreeMap::new();
    for s in roster {
        if s.participating && in_stage_b(params, s) {
            *n_population.entry(s.norm_group.to_string()).or_default() += 1;
        }
    }
    identify_with_population(params, roster, &n_population, rows, reference)
}

/// [`identify`] with the norm population N of each group counted by the caller (participating
/// students enrolled in a stage B grade of their sector), so `roster` need hold only the
/// students who have stage B rows — at national scale a few percent of the enrolment.
pub fn identify_with_population(
    params: &IdentificationParams,
    roster: &[RosterStudent],
    n_population: &BTreeMap<String, u64>,
    rows: &[StageBRow],
    reference: &[ReferenceRow],
) -> Result<IdentificationOutput, IdentificationError> {
    validate(params)?;
    let mut by_id: FastMap<&str, &RosterStudent> = FastMap::with_capacity(roster.len());
    for s in roster {
        if by_id.insert(s.student_id.as_str(), s).is_some() {
            return Err(IdentificationError::DuplicateStudent(
                s.student_id.to_string(),
            ));
        }
    }
    let n_population: BTreeMap<&str, u64> =
        n_population.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let (accepted, rejects) = check_stage_b_rows(params, &by_id, rows);

    // Few distinct groups and subtests: gathered by hash, ordered once.
    let mut gathered: FastMap<(&str, &str), Vec<i64>> = FastMap::new();
    for (id, subtests) in &accepted {
        let g = by_id[id].norm_group.as_str();
        for &(s, st) in subtests {
            if let SubtestStatus::Completed { raw_score } = st {
                gathered.entry((g, s)).or_default().push(raw_score);
            }
        }
    }
    let groups: BTreeSet<&str> = accepted
        .iter()
        .map(|(id, _)| by_id[id].norm_group.as_str())
        .collect::<FastSet<&str>>()
        .into_iter()
        .collect();
    let scores: BTreeMap<(&str, &str), Vec<i64>> = gathered.into_iter().collect();
    let norms = build_group_norms(params, &groups, &scores, &n_population, reference)?;
    let lookup: NormsLookup = norms
        .iter()
        .map(|((g, s), n)| ((g.as_str(), s.as_str()), n))
        .collect();

    // Each student's result on its own: computed over the threads, kept in id order.
    let results: Vec<StudentResult> = accepted
        .par_iter()
        .map(|(id, subtests)| student_result(params, by_id[id], subtests, &lookup))
        .collect();
    let mut members: FastMap<&str, Vec<&StudentResult>> = FastMap::new();
    for r in &results {
        members.entry(r.norm_group.as_str()).or_default().push(r);
    }
    let cutoffs = groups
        .iter()
        .map(|&g| {
            let members = members.get(g).map_or(&[][..], Vec::as_slice);
            let n = n_population.get(g).copied().unwrap_or(0);
            group_cutoffs(params, g, n, members, &lookup)
        })
        .collect();
    Ok(IdentificationOutput {
        norm_table: norms.into_values().flat_map(|n| n.rows).collect(),
        results,
        cutoffs,
        rejects,
    })
}

#[cfg(test)]
#[path = "tests/identification_tests.rs"]
mod tests;
