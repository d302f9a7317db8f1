//! Phase `identification`: stage B composites and categories (gifted.md §3; 0207 §1.8, §1.10,
//! §2.5, §2.6).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use rayon::prelude::*;

use super::norms::{
    reference_tables, subtest_norms, NormRow, NormsError, NormsMode, NormsParams, ReferenceRow,
    SubtestNorms, SubtestScores, Thresholds,
};
use super::{grade_listed, Sector};
use crate::rules::fraction::Ratio;

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
    pub student_id: String,
    pub school_year: i64,
    /// Built with [`norm_group`] from `norms.group_by`, e.g. `2027/hebrew/2`.
    pub norm_group: String,
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
pub struct StageBRow {
    pub row_number: u64,
    pub student_id: String,
    pub subtest: String,
    pub status: SubtestStatus,
}

/// Why a stage B row is not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RejectRule {
    StudentNotFound,
    SubtestUnknown,
    InstitutionNotParticipating,
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
            RejectRule::GradeNotTested => "grade_not_tested",
            RejectRule::DuplicateKey => "duplicate_key",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            RejectRule::StudentNotFound => "the student is not in the roster",
            RejectRule::SubtestUnknown => "the subtest is not one of the pipeline's subtests",
            RejectRule::InstitutionNotParticipating => {
                "the student's institution does not take part in identification"
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Gifted,
    Excellent,
    NotEligible,
    Incomplete,
    Removed,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Gifted => "gifted",
            Category::Excellent => "excellent",
            Category::NotEligible => "not_eligible",
            Category::Incomplete => "incomplete",
            Category::Removed => "removed",
        }
    }

    /// gifted.md §3 letters; `removed` has no letter kind of its own.
    pub fn letter_kind(self) -> Option<&'static str> {
        match self {
            Category::Gifted => Some("stage_b_gifted"),
            Category::Excellent => Some("stage_b_excellent"),
            Category::NotEligible => Some("stage_b_not_eligible"),
            Category::Incomplete => Some("stage_b_incomplete"),
            Category::Removed => None,
        }
    }
}

/// A student's outcome on one subtest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtestResult {
    pub subtest: String,
    /// `None`: no row for this subtest (counts as absent).
    pub status: Option<SubtestStatus>,
    /// The percentile rank of a completed score.
    pub percentile: Option<Ratio>,
}

/// A row of `confidential/results`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentResult {
    pub student_id: String,
    pub school_year: i64,
    pub norm_group: String,
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
    /// A `norms.group_by` column with no value for a student.
    UnknownGroupColumn(String),
}

impl fmt::Display for IdentificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentificationError::Norms(e) => e.fmt(f),
            IdentificationError::InvalidParams(m) => write!(f, "invalid parameters: {m}"),
            IdentificationError::DuplicateStudent(id) => {
                write!(f, "student {id} appears twice in the roster")
            }
            IdentificationError::UnknownGroupColumn(c) => {
                write!(f, "norms.group_by names column {c:?}, which has no value")
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

/// data-contract.md `norm_group`: the group's values joined by `/` in `group_by` order.
/// `value_of` returns a student's value of a column (e.g. from [`default_group_value`]).
pub fn norm_group<S: AsRef<str>>(
    group_by: &[S],
    mut value_of: impl FnMut(&str) -> Option<String>,
) -> Result<String, IdentificationError> {
    let mut parts = Vec::with_capacity(group_by.len());
    for col in group_by {
        let col = col.as_ref();
        parts.push(
            value_of(col).ok_or_else(|| IdentificationError::UnknownGroupColumn(col.into()))?,
        );
    }
    Ok(parts.join("/"))
}

/// The value of the default `group_by` columns `school_year`, `sector`, `grade`.
pub fn default_group_value(
    column: &str,
    school_year: i64,
    sector: Sector,
    grade: i64,
) -> Option<String> {
    match column {
        "school_year" => Some(school_year.to_string()),
        "sector" => Some(sector.as_str().to_string()),
        "grade" => Some(grade.to_string()),
        _ => None,
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

/// 0207 §2.5, §2.6 (gifted.md §3): stage B identification. Rows are checked (rejects), norms
/// are built per group and subtest (in parallel; the output is sorted by keys, so identical for
/// any thread count or row order), then each student is classified.
pub fn identify(
    params: &IdentificationParams,
    roster: &[RosterStudent],
    rows: &[StageBRow],
    reference: &[ReferenceRow],
) -> Result<IdentificationOutput, IdentificationError> {
    validate(params)?;
    let in_stage_b = |s: &RosterStudent| {
        grade_listed(
            &params.stage_b_grades_hebrew,
            &params.stage_b_grades_arabic,
            s.sector,
            s.grade,
        )
    };
    let mut by_id: BTreeMap<&str, &RosterStudent> = BTreeMap::new();
    let mut n_population: BTreeMap<&str, u64> = BTreeMap::new();
    for s in roster {
        if by_id.insert(s.student_id.as_str(), s).is_some() {
            return Err(IdentificationError::DuplicateStudent(s.student_id.clone()));
        }
        if s.participating && in_stage_b(s) {
            *n_population.entry(s.norm_group.as_str()).or_default() += 1;
        }
    }

    // Accept or reject rows in a fixed order (row_number first keeps the earliest duplicate).
    let mut ordered: Vec<&StageBRow> = rows.iter().collect();
    ordered.sort_by(|a, b| {
        (a.row_number, &a.student_id, &a.subtest).cmp(&(b.row_number, &b.student_id, &b.subtest))
    });
    let mut out = IdentificationOutput::default();
    let mut accepted: BTreeMap<&str, BTreeMap<&str, SubtestStatus>> = BTreeMap::new();
    for r in ordered {
        let student = by_id.get(r.student_id.as_str());
        let rule = match student {
            None => Some(RejectRule::StudentNotFound),
            Some(_) if !params.subtests.contains(&r.subtest) => Some(RejectRule::SubtestUnknown),
            Some(s) if !s.participating => Some(RejectRule::InstitutionNotParticipating),
            Some(s) if !in_stage_b(s) => Some(RejectRule::GradeNotTested),
            Some(_) => {
                let subtests = accepted.entry(r.student_id.as_str()).or_default();
                if subtests.contains_key(r.subtest.as_str()) {
                    Some(RejectRule::DuplicateKey)
                } else {
                    subtests.insert(r.subtest.as_str(), r.status);
                    None
                }
            }
        };
        if let Some(rule) = rule {
            out.rejects.push(StageBReject {
                row_number: r.row_number,
                student_id: r.student_id.clone(),
                subtest: r.subtest.clone(),
                rule,
            });
        }
    }

    // Norms per (group, subtest) of the groups with candidates.
    let mut scores: BTreeMap<(&str, &str), Vec<i64>> = BTreeMap::new();
    let mut groups: BTreeSet<&str> = BTreeSet::new();
    for (id, subtests) in &accepted {
        let g = by_id[id].norm_group.as_str();
        groups.insert(g);
        for (s, st) in subtests {
            if let SubtestStatus::Completed { raw_score } = st {
                scores.entry((g, s)).or_default().push(*raw_score);
            }
        }
    }
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
    let mut norms: BTreeMap<(String, String), SubtestNorms> = BTreeMap::new();
    for n in built {
        let n = n?; // the first error in (group, subtest) order, whatever the thread count
        norms.insert((n.norm_group.clone(), n.subtest.clone()), n);
    }

    // Students.
    let thresholds = &params.norms.thresholds;
    let mut counts: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for (id, subtests) in &accepted {
        let s = by_id[id];
        let statuses: Vec<Option<SubtestStatus>> = params
            .subtests
            .iter()
            .map(|t| subtests.get(t.as_str()).copied())
            .collect();
        let percentiles: Vec<Option<Ratio>> = params
            .subtests
            .iter()
            .zip(&statuses)
            .map(|(t, st)| match st {
                Some(SubtestStatus::Completed { raw_score }) => {
                    norms[&(s.norm_group.clone(), t.clone())].percentile(*raw_score)
                }
                _ => None,
            })
            .collect();
        let (comp, category) = classify(&statuses, &percentiles, thresholds);
        let c = counts.entry(s.norm_group.as_str()).or_default();
        c.0 += u64::from(
            statuses
                .iter()
                .any(|x| matches!(x, Some(SubtestStatus::Completed { .. }))),
        );
        c.1 += u64::from(category == Category::Gifted);
        c.2 += u64::from(category == Category::Excellent);
        out.results.push(StudentResult {
            student_id: s.student_id.clone(),
            school_year: s.school_year,
            norm_group: s.norm_group.clone(),
            subtests: params
                .subtests
                .iter()
                .zip(statuses.into_iter().zip(percentiles))
                .map(|(t, (status, percentile))| SubtestResult {
                    subtest: t.clone(),
                    status,
                    percentile,
                })
                .collect(),
            composite: comp,
            category,
        });
    }

    for g in groups {
        let (n_tested, n_gifted, n_excellent) = counts.get(g).copied().unwrap_or_default();
        let subtests = params
            .subtests
            .iter()
            .map(|t| {
                let n = &norms[&(g.to_string(), t.clone())];
                SubtestCutoff {
                    subtest: t.clone(),
                    n_tested: n.rows.iter().map(|r| r.n_at_score).sum(),
                    gifted_raw: n.cutoff(thresholds.gifted),
                    excellent_raw: n.cutoff(thresholds.excellent),
                }
            })
            .collect();
        out.cutoffs.push(GroupCutoffs {
            norm_group: g.to_string(),
            n_population: n_population.get(g).copied().unwrap_or(0),
            n_tested,
            n_gifted,
            n_excellent,
            subtests,
        });
    }
    out.norm_table = norms.into_values().flat_map(|n| n.rows).collect();
    out.rejects.sort_by(|a, b| {
        (a.row_number, &a.student_id, &a.subtest).cmp(&(b.row_number, &b.student_id, &b.subtest))
    });
    Ok(out)
}

#[cfg(test)]
#[path = "tests/identification_tests.rs"]
mod tests;
