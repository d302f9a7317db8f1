//! National norms of stage B: percentile ranks and cut-offs (gifted.md §3; 0207 §1.5, §2.5.ב).

use std::collections::BTreeMap;
use std::fmt;

use crate::rules::fraction::Ratio;

/// `norms.mode`: this year's scores (`empirical`) or published tables (`reference`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormsMode {
    Empirical,
    Reference,
}

impl NormsMode {
    pub fn parse(s: &str) -> Option<NormsMode> {
        match s {
            "empirical" => Some(NormsMode::Empirical),
            "reference" => Some(NormsMode::Reference),
            _ => None,
        }
    }
}

/// `norms.population`: who the empirical norm population N is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NormPopulation {
    /// Every participating student enrolled in the group; those who did not sit a subtest count
    /// below every tested student.
    CohortEnrollment,
    /// The students with a `completed` score on the subtest.
    Tested,
}

impl NormPopulation {
    pub fn parse(s: &str) -> Option<NormPopulation> {
        match s {
            "cohort_enrollment" => Some(NormPopulation::CohortEnrollment),
            "tested" => Some(NormPopulation::Tested),
            _ => None,
        }
    }
}

/// `thresholds.gifted` (0207 §1.8, §2.6.א) and `thresholds.excellent` (0207 §1.10), exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub gifted: Ratio,
    pub excellent: Ratio,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            gifted: Ratio::from_int(97),
            excellent: Ratio::from_int(92),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NormsParams {
    pub mode: NormsMode,
    pub population: NormPopulation,
    pub thresholds: Thresholds,
}

impl Default for NormsParams {
    fn default() -> Self {
        NormsParams {
            mode: NormsMode::Empirical,
            population: NormPopulation::CohortEnrollment,
            thresholds: Thresholds::default(),
        }
    }
}

/// A row of `confidential/norm_table`: one observed raw score of a subtest in a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NormRow {
    pub norm_group: String,
    pub subtest: String,
    pub raw_score: i64,
    /// E(x): completed scores equal to x.
    pub n_at_score: u64,
    /// B(x) as used in the percentile: empirical mode includes the N − n_tested offset of
    /// `cohort_enrollment`; reference mode counts completed scores below x.
    pub n_below: u64,
    pub percentile: Ratio,
}

/// A row of the optional `norm_tables` input (its group columns joined into `norm_group`).
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceRow {
    pub norm_group: String,
    pub subtest: String,
    pub raw_score: i64,
    pub percentile: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NormsError {
    /// gifted.md §3: with `cohort_enrollment`, N < n_tested fails the run.
    PopulationSmallerThanTested {
        norm_group: String,
        subtest: String,
        n_population: u64,
        n_tested: u64,
    },
    /// gifted.md §3: reference mode, a group with no table.
    MissingReferenceTable { norm_group: String, subtest: String },
    /// A tabled percentile that is not a number in 0–100.
    BadReferencePercentile {
        norm_group: String,
        subtest: String,
        raw_score: i64,
        value: f64,
    },
    /// Two table rows for the same raw score.
    DuplicateReferenceScore {
        norm_group: String,
        subtest: String,
        raw_score: i64,
    },
    /// data-contract.md: percentile non-decreasing in raw_score within a group.
    ReferenceNotMonotone {
        norm_group: String,
        subtest: String,
        raw_score: i64,
    },
}

impl fmt::Display for NormsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use NormsError::*;
        match self {
            PopulationSmallerThanTested { norm_group, subtest, n_population, n_tested } => write!(
                f,
                "norm group {norm_group}, subtest {subtest}: {n_tested} completed scores but only \
                 {n_population} participating students enrolled (norms.population = cohort_enrollment)"
            ),
            MissingReferenceTable { norm_group, subtest } => write!(
                f,
                "norm group {norm_group} has no reference norm table for subtest {subtest} (norms.mode = reference)"
            ),
            BadReferencePercentile { norm_group, subtest, raw_score, value } => write!(
                f,
                "norm table {norm_group}, subtest {subtest}, raw score {raw_score}: percentile {value} is not between 0 and 100"
            ),
            DuplicateReferenceScore { norm_group, subtest, raw_score } => write!(
                f,
                "norm table {norm_group}, subtest {subtest}: raw score {raw_score} appears twice"
            ),
            ReferenceNotMonotone { norm_group, subtest, raw_score } => write!(
                f,
                "norm table {norm_group}, subtest {subtest}: percentile decreases at raw score {raw_score}"
            ),
        }
    }
}

impl std::error::Error for NormsError {}

/// 0207 §2.5.ב (gifted.md §3): the mid-rank percentile PR = 100 · (2·B + E) / (2·N), exact.
/// Panics when `n_population == 0` (no one to rank against).
pub fn mid_rank_percentile(n_below: u64, n_at: u64, n_population: u64) -> Ratio {
    assert!(n_population > 0, "percentile of an empty norm population");
    let num = 100 * (2 * i128::from(n_below) + i128::from(n_at));
    Ratio::new(num, 2 * i128::from(n_population))
}

/// 0207 §2.5.ב (gifted.md §3, empirical mode): the norm table of one subtest in one group from
/// its completed raw scores. `population = tested`: N = number of scores. `cohort_enrollment`:
/// N = `n_enrolled` and B(x) grows by N − n_tested; N < n_tested is an error naming both.
pub fn empirical_norm_rows(
    norm_group: &str,
    subtest: &str,
    scores: &[i64],
    population: NormPopulation,
    n_enrolled: u64,
) -> Result<Vec<NormRow>, NormsError> {
    let n_tested = scores.len() as u64;
    let (n_population, offset) = match population {
        NormPopulation::Tested => (n_tested, 0),
        NormPopulation::CohortEnrollment => {
            if n_enrolled < n_tested {
                return Err(NormsError::PopulationSmallerThanTested {
                    norm_group: norm_group.to_string(),
                    subtest: subtest.to_string(),
                    n_population: n_enrolled,
                    n_tested,
                });
            }
            (n_enrolled, n_enrolled - n_tested)
        }
    };
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for &x in scores {
        *counts.entry(x).or_default() += 1;
    }
    let mut below = offset;
    let mut rows = Vec::with_capacity(counts.len());
    for (raw_score, n_at) in counts {
        rows.push(NormRow {
            norm_group: norm_group.to_string(),
            subtest: subtest.to_string(),
            raw_score,
            n_at_score: n_at,
            n_below: below,
            percentile: mid_rank_percentile(below, n_at, n_population),
        });
        below += n_at;
    }
    Ok(rows)
}

/// A published norm table of one subtest in one group: (raw score, percentile), by raw score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceTable {
    points: Vec<(i64, Ratio)>,
}

impl ReferenceTable {
    pub fn points(&self) -> &[(i64, Ratio)] {
        &self.points
    }

    /// gifted.md §3 (reference mode): the percentile of the largest tabled raw score ≤ `raw`;
    /// 0 below the table.
    pub fn percentile(&self, raw: i64) -> Ratio {
        let i = self.points.partition_point(|&(x, _)| x <= raw);
        if i == 0 {
            Ratio::ZERO
        } else {
            self.points[i - 1].1
        }
    }

    /// The lowest raw score whose percentile reaches `threshold` (a tabled score, since the
    /// percentile only changes there); `None` where none does.
    pub fn cutoff(&self, threshold: Ratio) -> Option<i64> {
        self.points
            .iter()
            .find(|&&(_, p)| p >= threshold)
            .map(|&(x, _)| x)
    }
}

/// Reads `norm_tables` rows into tables keyed by (norm_group, subtest), checking that each
/// percentile is exact-decimal in 0–100, raw scores are unique and percentiles non-decreasing.
/// Percentiles convert with [`Ratio::from_f64_decimal`] (96.5 is exactly 193/2).
pub fn reference_tables(
    rows: &[ReferenceRow],
) -> Result<BTreeMap<(String, String), ReferenceTable>, NormsError> {
    let mut grouped: BTreeMap<(String, String), Vec<(i64, f64)>> = BTreeMap::new();
    for r in rows {
        grouped
            .entry((r.norm_group.clone(), r.subtest.clone()))
            .or_default()
            .push((r.raw_score, r.percentile));
    }
    let mut out = BTreeMap::new();
    for ((g, s), mut pts) in grouped {
        pts.sort_by_key(|&(x, _)| x);
        let mut points: Vec<(i64, Ratio)> = Vec::with_capacity(pts.len());
        for (x, v) in pts {
            let bad = || NormsError::BadReferencePercentile {
                norm_group: g.clone(),
                subtest: s.clone(),
                raw_score: x,
                value: v,
            };
            let p = Ratio::from_f64_decimal(v).map_err(|_| bad())?;
            if p < Ratio::ZERO || p > Ratio::from_int(100) {
                return Err(bad());
            }
            if let Some(&(px, pp)) = points.last() {
                if px == x {
                    return Err(NormsError::DuplicateReferenceScore {
                        norm_group: g,
                        subtest: s,
                        raw_score: x,
                    });
                }
                if p < pp {
                    return Err(NormsError::ReferenceNotMonotone {
                        norm_group: g,
                        subtest: s,
                        raw_score: x,
                    });
                }
            }
            points.push((x, p));
        }
        out.insert((g, s), ReferenceTable { points });
    }
    Ok(out)
}

/// 0207 §2.5.ב (gifted.md §3, reference mode): the norm table rows of the observed scores with
/// their published percentiles; `n_below` counts completed scores below each raw score.
pub fn reference_norm_rows(
    norm_group: &str,
    subtest: &str,
    scores: &[i64],
    table: &ReferenceTable,
) -> Vec<NormRow> {
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for &x in scores {
        *counts.entry(x).or_default() += 1;
    }
    let mut below = 0;
    let mut rows = Vec::with_capacity(counts.len());
    for (raw_score, n_at) in counts {
        rows.push(NormRow {
            norm_group: norm_group.to_string(),
            subtest: subtest.to_string(),
            raw_score,
            n_at_score: n_at,
            n_below: below,
            percentile: table.percentile(raw_score),
        });
        below += n_at;
    }
    rows
}

/// The completed scores of one subtest in one group, with the group's enrolled participants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtestScores {
    pub norm_group: String,
    pub subtest: String,
    pub scores: Vec<i64>,
    /// N of `cohort_enrollment`: participating students enrolled in the group.
    pub n_enrolled: u64,
}

/// The norms of one subtest in one group: its norm table rows and how to look up a percentile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubtestNorms {
    pub norm_group: String,
    pub subtest: String,
    /// Sorted by raw_score.
    pub rows: Vec<NormRow>,
    /// The published table in reference mode.
    pub reference: Option<ReferenceTable>,
}

impl SubtestNorms {
    /// 0207 §2.5.ב (gifted.md §3): the percentile rank of `raw`. Empirical: only observed
    /// scores have one (`None` otherwise); reference: every score does.
    pub fn percentile(&self, raw: i64) -> Option<Ratio> {
        if let Some(t) = &self.reference {
            return Some(t.percentile(raw));
        }
        self.rows
            .binary_search_by_key(&raw, |r| r.raw_score)
            .ok()
            .map(|i| self.rows[i].percentile)
    }

    /// gifted.md §3 `cutoffs`: the lowest raw score whose percentile reaches `threshold`
    /// (observed scores in empirical mode, tabled scores in reference mode); `None` if none does.
    pub fn cutoff(&self, threshold: Ratio) -> Option<i64> {
        match &self.reference {
            Some(t) => t.cutoff(threshold),
            None => self
                .rows
                .iter()
                .find(|r| r.percentile >= threshold)
                .map(|r| r.raw_score),
        }
    }
}

/// 0207 §2.5.ב (gifted.md §3): the norms of one subtest in one group, by `params.mode`.
/// Reference mode needs a table for (group, subtest) when there is any score to look up.
pub fn subtest_norms(
    params: &NormsParams,
    input: &SubtestScores,
    tables: &BTreeMap<(String, String), ReferenceTable>,
) -> Result<SubtestNorms, NormsError> {
    let (g, s) = (input.norm_group.as_str(), input.subtest.as_str());
    let (rows, reference) = match params.mode {
        NormsMode::Empirical => (
            empirical_norm_rows(g, s, &input.scores, params.population, input.n_enrolled)?,
            None,
        ),
        NormsMode::Reference => match tables.get(&(g.to_string(), s.to_string())) {
            Some(t) => (reference_norm_rows(g, s, &input.scores, t), Some(t.clone())),
            None if input.scores.is_empty() => (Vec::new(), None),
            None => {
                return Err(NormsError::MissingReferenceTable {
                    norm_group: g.to_string(),
                    subtest: s.to_string(),
                })
            }
        },
    };
    Ok(SubtestNorms {
        norm_group: g.to_string(),
        subtest: s.to_string(),
        rows,
        reference,
    })
}

#[cfg(test)]
#[path = "tests/norms_tests.rs"]
mod tests;
