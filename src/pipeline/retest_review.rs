//! Typed settings of `retest-review` (gifted.md §6.1; 0207 §5): the pipeline file and its
//! `--set` overrides, each value checked as it is read. The job's [`Params`] are built from
//! them and cannot fail; the month-day dates are placed in each request's school year by the
//! job (`jobs::retest_review::YearDates`).
use super::request_letters::RequestLetters;
use super::source::{typed, PipelineSource};
use super::values::{Percentile, Share};
use crate::error::{Error, Result};
use crate::jobs::retest_review::{ByStage, Grades, Params};
use crate::rules::date::school_date::SchoolDate;
use serde::{Deserialize, Serialize};

/// A date per stage (`[testing_period_end]`, `[registration_deadline]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StageDates {
    pub elementary: SchoolDate,
    pub secondary: SchoolDate,
}

impl StageDates {
    fn by_stage(&self) -> ByStage<SchoolDate> {
        ByStage {
            elementary: self.elementary,
            secondary: self.secondary,
        }
    }
}

/// `[retest_grades.elementary]`: per sector (0207 §5.1.ג).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectorGrades {
    pub hebrew: Vec<i64>,
    pub arabic: Vec<i64>,
}

/// `[retest_grades]` (0207 §5.1.ג–ד).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RetestGrades {
    pub elementary: SectorGrades,
    pub secondary: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub gifted: Percentile,
}

/// Settings of `retest-review`, as in `pipelines/retest-review.toml`. Serialized, they are the
/// effective parameters the manifest records.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RetestReview {
    pub job: String,
    pub max_reject_share: Share,
    pub deadline: SchoolDate,
    pub min_months_between_tests: u32,
    pub lottery_seed: String,
    pub absence_notice_days: u32,
    pub testing_period_end: StageDates,
    pub registration_deadline: StageDates,
    pub retest_grades: RetestGrades,
    pub thresholds: Thresholds,
    /// The decision letters to the guardians (gifted.md §7).
    pub letters: RequestLetters,
}

impl RetestReview {
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: RetestReview = typed(src)?;
        s.check(src)?;
        Ok(s)
    }

    /// What only the values together can break: grades outside 1–12, a period of 0 months.
    fn check(&self, src: &PipelineSource) -> Result<()> {
        let g = &self.retest_grades;
        for (key, grades) in [
            ("retest_grades.elementary.hebrew", &g.elementary.hebrew),
            ("retest_grades.elementary.arabic", &g.elementary.arabic),
            ("retest_grades.secondary", &g.secondary),
        ] {
            if let Some(bad) = grades.iter().find(|g| !(1..=12).contains(*g)) {
                return Err(Error::config(
                    key,
                    src.value_text(key),
                    format!("lists grade {bad}; grades are 1–12"),
                ));
            }
        }
        if self.min_months_between_tests == 0 {
            let key = "min_months_between_tests";
            return Err(Error::config(
                key,
                src.value_text(key),
                "must be at least 1 month",
            ));
        }
        Ok(())
    }

    /// The job's parameters.
    pub fn params(&self) -> Params {
        Params {
            deadline: self.deadline,
            min_months_between_tests: self.min_months_between_tests,
            testing_period_end: self.testing_period_end.by_stage(),
            registration_deadline: self.registration_deadline.by_stage(),
            grades: Grades {
                elementary_hebrew: self.retest_grades.elementary.hebrew.clone(),
                elementary_arabic: self.retest_grades.elementary.arabic.clone(),
                secondary: self.retest_grades.secondary.clone(),
            },
            threshold: self.thresholds.gifted.ratio(),
            absence_notice_days: i64::from(self.absence_notice_days),
            lottery_seed: self.lottery_seed.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;
    use crate::rules::fraction::Ratio;

    fn settings(overrides: &[&str]) -> Result<RetestReview> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        RetestReview::from_source(&load("retest-review", None, &o)?)
    }

    #[test]
    fn the_bundled_file_reads_with_the_spec_defaults() {
        let p = settings(&[]).unwrap().params();
        assert_eq!(p.deadline, SchoolDate::MonthDay { month: 12, day: 31 });
        assert_eq!(p.min_months_between_tests, 10);
        assert_eq!(
            p.testing_period_end.secondary,
            SchoolDate::MonthDay { month: 1, day: 31 }
        );
        assert_eq!(p.grades.elementary_arabic, vec![4, 5]);
        assert_eq!(p.grades.secondary, vec![7, 8, 9, 10]);
        assert_eq!(p.threshold, Ratio::from(97));
        assert_eq!(p.absence_notice_days, 7);
    }

    #[test]
    fn bad_values_are_refused_with_their_key() {
        let e = settings(&["retest_grades.secondary=[7,13]"])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("retest_grades.secondary") && e.contains("13"),
            "{e}"
        );
        let e = settings(&["deadline=\"02-30\""]).unwrap_err().to_string();
        assert!(e.contains("deadline"), "{e}");
        let e = settings(&["thresholds.gifted=101"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("thresholds.gifted"), "{e}");
        let e = settings(&["min_months_between_tests=0"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("min_months_between_tests"), "{e}");
        assert!(settings(&["lottery_sed=\"x\""]).is_err());
    }
}
