//! Output rows of the identification phase (data-contract.md `confidential/norm_table`,
//! `confidential/results`, `cutoffs`, `school_lists`, `program_lists`). Each struct's fields
//! are its table's columns, in the order of `schemas/<table>.toml`; `output::rows` turns a
//! slice of them into the table. Exact fractions are written as their float (for reading) and
//! their numerator and denominator (for deciding, gifted.md §3).
use super::{GroupCutoffs, IdentificationOutput, NormRow, StudentResult};
use crate::jobs::gifted::roster::{Institution, Roster, Student};
use crate::jobs::gifted::{Category, Sector};
use serde::Serialize;

/// A row of `confidential/norm_table`: one raw score of a group's subtest (gifted.md §3).
/// (The rows of the `norm_tables` input are `jobs::gifted::inputs::NormTableRow`.)
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NormTableOutRow<'a> {
    pub norm_group: &'a str,
    pub subtest: &'a str,
    pub raw_score: i64,
    pub n_at_score: u64,
    pub n_below: u64,
    pub percentile: f64,
    pub percentile_num: i128,
    pub percentile_den: i128,
}

impl<'a> From<&'a NormRow> for NormTableOutRow<'a> {
    fn from(r: &'a NormRow) -> Self {
        NormTableOutRow {
            norm_group: &r.norm_group,
            subtest: &r.subtest,
            raw_score: r.raw_score,
            n_at_score: r.n_at_score,
            n_below: r.n_below,
            percentile: r.percentile.to_f64(),
            percentile_num: r.percentile.num(),
            percentile_den: r.percentile.den(),
        }
    }
}

/// A row of `confidential/results`: a student's percentiles, exact composite and category
/// (gifted.md §3; 0207 §2.5–§2.6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResultTableRow<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    pub norm_group: &'a str,
    pub grade: Option<i64>,
    /// The student's institution, its local authority and sector (from the roster), so the
    /// results can be grouped without the roster.
    pub institution_id: Option<&'a str>,
    pub authority_id: Option<&'a str>,
    pub sector: Option<Sector>,
    /// The columns `{subtest}_percentile`, one per subtest of the pipeline.
    pub subtests: Vec<SubtestPercentile>,
    pub composite: Option<f64>,
    pub composite_num: Option<i128>,
    pub composite_den: Option<i128>,
    pub category: Category,
}

/// The column `{subtest}_percentile` of a result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SubtestPercentile {
    pub percentile: Option<f64>,
}

impl<'a> ResultTableRow<'a> {
    /// The row of `r`, with the student's grade, institution, authority and sector (from the
    /// roster, when it holds the student) and its first `n_subtests` subtests' percentiles
    /// (empty where it has none).
    pub fn new(
        r: &'a StudentResult,
        enrolled: Option<(&'a Student, &'a Institution)>,
        n_subtests: usize,
    ) -> Self {
        let student = enrolled.map(|(st, _)| st);
        let institution = enrolled.map(|(_, i)| i);
        ResultTableRow {
            student_id: &r.student_id,
            school_year: r.school_year,
            norm_group: &r.norm_group,
            grade: student.map(|st| st.grade),
            institution_id: student.map(|st| st.institution_id.as_str()),
            authority_id: institution.map(|i| i.authority_id.as_str()),
            sector: institution.map(|i| i.sector),
            subtests: (0..n_subtests)
                .map(|i| SubtestPercentile {
                    percentile: r
                        .subtests
                        .get(i)
                        .and_then(|t| t.percentile)
                        .map(|p| p.to_f64()),
                })
                .collect(),
            composite: r.composite_f64(),
            composite_num: r.composite_num(),
            composite_den: r.composite_den(),
            category: r.category,
        }
    }
}

/// A row of `cutoffs`: a norm group's counts and, per subtest, the lowest raw scores reaching
/// the thresholds (groups, not children, gifted.md §3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CutoffRow<'a> {
    pub norm_group: &'a str,
    pub n_population: u64,
    pub n_tested: u64,
    pub n_gifted: u64,
    pub n_excellent: u64,
    /// The columns `{subtest}_n_tested`, `{subtest}_gifted_raw`, `{subtest}_excellent_raw`
    /// of each subtest of the pipeline (all empty for a subtest the group lacks).
    pub subtests: Vec<Option<SubtestCutoffColumns>>,
}

/// The per-subtest columns of a `cutoffs` row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SubtestCutoffColumns {
    pub n_tested: u64,
    pub gifted_raw: Option<i64>,
    pub excellent_raw: Option<i64>,
}

impl<'a> CutoffRow<'a> {
    /// The row of `c`, with its first `n_subtests` subtests.
    pub fn new(c: &'a GroupCutoffs, n_subtests: usize) -> Self {
        CutoffRow {
            norm_group: &c.norm_group,
            n_population: c.n_population,
            n_tested: c.n_tested,
            n_gifted: c.n_gifted,
            n_excellent: c.n_excellent,
            subtests: (0..n_subtests)
                .map(|i| {
                    c.subtests.get(i).map(|t| SubtestCutoffColumns {
                        n_tested: t.n_tested,
                        gifted_raw: t.gifted_raw,
                        excellent_raw: t.excellent_raw,
                    })
                })
                .collect(),
        }
    }
}

/// A row of `school_lists`: a student of the school who reached a program (0207 §2.6.ג);
/// no score, percentile or rank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchoolListRow<'a> {
    pub institution_id: &'a str,
    pub institution_name: &'a str,
    pub student_id: &'a str,
    pub school_year: i64,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub class_id: &'a str,
    pub grade: i64,
    /// The category reached (`gifted` or `excellent`, gifted.md §3).
    pub category: &'a str,
    pub program: &'a str,
}

/// A row of `program_lists`: an entitled student under the enrichment center serving their
/// residence authority, or under no center (0207 §2.6.ד, §2.8.ב).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgramListRow<'a> {
    pub center_id: Option<&'a str>,
    pub center_name: Option<&'a str>,
    pub residence_authority_id: &'a str,
    pub program: &'a str,
    pub student_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub institution_id: &'a str,
    pub grade: i64,
}

/// The program a category is referred to (0207 §2.6.ג–ד): `gifted` or `excellent`; the
/// other categories reach none.
pub fn program(c: Category) -> Option<&'static str> {
    match c {
        Category::Gifted => Some("gifted"),
        Category::Excellent => Some("excellent"),
        _ => None,
    }
}

/// The students who reached a program (0207 §2.6.ג–ד), with it, in (`institution_id`,
/// `student_id`) order: the rows of the school and program lists. A result whose student the
/// roster does not hold is left out.
pub fn reached<'a>(
    roster: &'a Roster,
    o: &'a IdentificationOutput,
) -> Vec<(&'a Student, &'static str)> {
    let mut v: Vec<_> = o
        .results
        .iter()
        .filter_map(|r| Some((roster.student(&r.student_id)?, program(r.category)?)))
        .collect();
    // The results are in student_id order, and the sort is stable.
    v.sort_by(|a, b| a.0.institution_id.cmp(&b.0.institution_id));
    v
}

/// The `school_lists` rows of the students who [`reached`] a program, in its order
/// (0207 §2.6.ג).
pub fn school_list_rows<'a>(
    roster: &'a Roster,
    reached: &[(&'a Student, &'a str)],
) -> Vec<SchoolListRow<'a>> {
    reached
        .iter()
        .map(|&(st, program)| SchoolListRow {
            institution_id: &st.institution_id,
            institution_name: &roster.institution(st).name,
            student_id: &st.student_id,
            school_year: st.school_year,
            first_name: &st.first_name,
            last_name: &st.last_name,
            class_id: &st.class_id,
            grade: st.grade,
            // The program is the category's own (see [`program`]).
            category: program,
            program,
        })
        .collect()
}

/// Each school's own list (`schools/<institution>/school_list.csv`, 0207 §2.6.ג): the
/// `school_lists` rows, sorted by institution, split into one run per institution.
pub fn per_school<'r, 'a>(
    rows: &'r [SchoolListRow<'a>],
) -> impl Iterator<Item = &'r [SchoolListRow<'a>]> {
    rows.chunk_by(|a, b| a.institution_id == b.institution_id)
}
