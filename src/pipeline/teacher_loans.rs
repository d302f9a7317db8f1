//! Typed settings of `teacher-loans` (teacher-loans.md "Parameters"; circular 004). Names are
//! the spec's parameter names; the value types check themselves as they are deserialized
//! (exact fractions and decimals, calendar dates), and `check` refuses what only a
//! combination of values can break (a tier share that is not whole shekels at the step, a
//! Table B row without the work obligation of its continuing loan). The job's [`Params`] are
//! then built from the settings and cannot fail.
use super::source::{typed, PipelineSource};
use super::values::Share;
use crate::error::{Error, Result};
use crate::jobs::teacher_loans::params::{
    Allocation, Decimal, Fraction, Params, Points, RankKey, Regular, TableA, TableB, Work,
};
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PreferredSettings {
    pub ranking: Vec<RankKey>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegularSettings {
    pub tiers: Vec<(i64, Fraction)>,
    pub amount_step: i64,
    pub max_amount: i64,
}

/// Settings of `teacher-loans`, as in `pipelines/teacher-loans.toml`. Serialized, they are
/// the effective parameters the manifest records.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TeacherLoans {
    pub job: String,
    pub max_reject_share: Share,
    pub lottery_seed: String,
    pub allocation: Allocation,
    #[serde(with = "crate::rules::date::iso")]
    pub interface_deadline: NaiveDate,
    #[serde(with = "crate::rules::date::iso")]
    pub late_submission_deadline: NaiveDate,
    #[serde(with = "crate::rules::date::iso")]
    pub appeal_deadline: NaiveDate,
    #[serde(with = "crate::rules::date::iso")]
    pub issue_date: NaiveDate,
    #[serde(with = "crate::rules::date::iso")]
    pub second_round_issue_date: NaiveDate,
    pub approval_valid_days: u16,
    #[serde(with = "crate::rules::date::iso")]
    pub scholarship_paid_by: NaiveDate,
    pub guarantor_threshold: u32,
    pub min_score_elementary: u16,
    pub min_score_secondary: u16,
    pub preferred_min_hours: Decimal,
    pub preferred_hours_years: Vec<i64>,
    pub mteach_min_hours: Decimal,
    pub retraining_min_hours: Decimal,
    pub retraining_min_average: Decimal,
    pub regular_min_score: u16,
    pub regular_min_hours: Decimal,
    pub regular_hours_years: Vec<i64>,
    pub regular_hours_years_haredi: Vec<i64>,
    pub regular_max_loans: u16,
    pub regular_study_years: Vec<i64>,
    pub work_new: (Fraction, u16),
    pub work_regular_continuing: (Fraction, u16),
    /// Volunteer hours per scholarship amount; keys are amounts in shekels.
    pub scholarship_hours: BTreeMap<String, u16>,
    pub preferred: PreferredSettings,
    pub regular: RegularSettings,
    pub points: Points,
    pub table_a: Vec<TableA>,
    pub table_b: Vec<TableB>,
}

impl TeacherLoans {
    /// Reads and checks the settings.
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: TeacherLoans = typed(src)?;
        s.check(src)?;
        Ok(s)
    }

    fn check(&self, src: &PipelineSource) -> Result<()> {
        let refuse = |key: &str, reason: String| -> Result<()> {
            Err(Error::config(key, src.value_text(key), reason))
        };
        for (key, years) in [
            ("preferred_hours_years", &self.preferred_hours_years),
            ("regular_hours_years", &self.regular_hours_years),
            (
                "regular_hours_years_haredi",
                &self.regular_hours_years_haredi,
            ),
            ("regular_study_years", &self.regular_study_years),
        ] {
            if let Some(y) = years.iter().find(|y| !(1..=4).contains(*y)) {
                return refuse(key, format!("lists study year {y}; study years are 1–4"));
            }
        }
        // The ranking: known keys, each once, the lottery last (it only breaks ties).
        let r = &self.preferred.ranking;
        if r.last() != Some(&RankKey::Lottery) {
            return refuse(
                "preferred.ranking",
                "must end with \"lottery\" (the lottery only breaks ties)".into(),
            );
        }
        for (i, k) in r.iter().enumerate() {
            if r[..i].contains(k) {
                return refuse("preferred.ranking", "lists a key twice".into());
            }
        }
        // Tiers: minimum points ascending from 0, shares in (0, 1], whole shekels at the step.
        let reg = &self.regular;
        if reg.amount_step <= 0 {
            return refuse("regular.amount_step", "must be at least 1 shekel".into());
        }
        if reg.max_amount < reg.amount_step {
            return refuse(
                "regular.max_amount",
                format!("must be at least regular.amount_step ({})", reg.amount_step),
            );
        }
        if reg.tiers.first().map(|t| t.0) != Some(0) {
            return refuse(
                "regular.tiers",
                "must start with a tier of minimum 0 points".into(),
            );
        }
        for w in reg.tiers.windows(2) {
            if w[1].0 <= w[0].0 {
                return refuse(
                    "regular.tiers",
                    "minimum points must be strictly ascending".into(),
                );
            }
        }
        for (_, s) in &reg.tiers {
            if s.0 <= Ratio::ZERO || s.0 > Ratio::ONE {
                return refuse(
                    "regular.tiers",
                    format!("share {} is not in (0, 1]", s.text()),
                );
            }
            if !(s.0 * Ratio::from(reg.amount_step)).is_integer() {
                return refuse(
                    "regular.tiers",
                    format!(
                        "share {} of a step of {} shekels is not whole shekels",
                        s.text(),
                        reg.amount_step
                    ),
                );
            }
        }
        for (min, _) in &self.points.service_bands {
            if *min < 0 {
                return refuse("points.service_bands", "minimum months must be ≥ 0".into());
            }
        }
        if self
            .points
            .service_bands
            .windows(2)
            .any(|w| w[1].0 <= w[0].0)
        {
            return refuse(
                "points.service_bands",
                "minimum months must be strictly ascending".into(),
            );
        }
        for (key, hours) in &self.scholarship_hours {
            if key.parse::<i64>().map_or(true, |a| a <= 0) {
                return refuse(
                    "scholarship_hours",
                    format!("`{key}` is not an amount in shekels"),
                );
            }
            if *hours == 0 {
                return refuse(&format!("scholarship_hours.{key}"), "must be ≥ 1".into());
            }
        }
        self.check_tables(src)
    }

    fn check_tables(&self, src: &PipelineSource) -> Result<()> {
        let refuse = |reason: String| -> Result<()> { Err(Error::config("table_b", None, reason)) };
        let hours = self.scholarship_hours_by_amount();
        let mut keys: Vec<&str> = Vec::new();
        for row in &self.table_b {
            let k = row.key.as_str();
            if k == "regular" || keys.contains(&k) {
                return refuse(format!("program key `{k}` is reserved or listed twice"));
            }
            keys.push(k);
            if !crate::rules::identifier::is_safe(k) {
                return refuse(format!("program key `{k}` is not a plain name"));
            }
            for a in [row.amount_new, row.amount_continuing]
                .into_iter()
                .flatten()
                .chain(
                    [row.scholarship_new, row.scholarship_continuing]
                        .into_iter()
                        .flatten(),
                )
            {
                if a <= 0 {
                    return refuse(format!("`{k}`: amounts must be positive"));
                }
            }
            for s in [row.scholarship_new, row.scholarship_continuing]
                .into_iter()
                .flatten()
            {
                if !hours.contains_key(&s) {
                    return refuse(format!(
                        "`{k}`: scholarship {s} has no entry in scholarship_hours"
                    ));
                }
            }
            if row.amount_continuing.is_some()
                && (row.work_fraction.is_none() || row.work_years.is_none())
            {
                return refuse(format!(
                    "`{k}` gives continuing students a loan but has no work_fraction and work_years (§A.11)"
                ));
            }
            if row.max_loans < 1 {
                return refuse(format!("`{k}`: max_loans must be at least 1"));
            }
        }
        let mut codes: Vec<i64> = self.table_a.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::config(
                "table_a",
                src.value_text("table_a"),
                "lists a code twice",
            ));
        }
        Ok(())
    }

    fn scholarship_hours_by_amount(&self) -> BTreeMap<i64, i64> {
        self.scholarship_hours
            .iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, i64::from(*v))))
            .collect()
    }

    /// The program keys an applicant's `program` may take: Table B's and `regular`
    /// (the `in_parameter` check of `loan_applications.program`).
    pub fn programs(&self) -> Vec<String> {
        let mut v: Vec<String> = self.table_b.iter().map(|r| r.key.clone()).collect();
        v.push("regular".into());
        v
    }

    /// The parameters of the rules.
    pub fn params(&self) -> Params {
        let work = |(fraction, years): (Fraction, u16)| Work {
            fraction,
            years: i64::from(years),
        };
        Params {
            lottery_seed: self.lottery_seed.clone(),
            allocation: self.allocation,
            interface_deadline: self.interface_deadline,
            late_submission_deadline: self.late_submission_deadline,
            appeal_deadline: self.appeal_deadline,
            issue_date: self.issue_date,
            second_round_issue_date: self.second_round_issue_date,
            approval_valid_days: i64::from(self.approval_valid_days),
            guarantor_threshold: i64::from(self.guarantor_threshold),
            min_score_elementary: i64::from(self.min_score_elementary),
            min_score_secondary: i64::from(self.min_score_secondary),
            preferred_min_hours: self.preferred_min_hours.0,
            preferred_hours_years: self.preferred_hours_years.clone(),
            mteach_min_hours: self.mteach_min_hours.0,
            retraining_min_hours: self.retraining_min_hours.0,
            retraining_min_average: self.retraining_min_average.0,
            work_new: work(self.work_new),
            work_regular_continuing: work(self.work_regular_continuing),
            scholarship_hours: self.scholarship_hours_by_amount(),
            ranking: self.preferred.ranking.clone(),
            regular: Regular {
                tiers: self.regular.tiers.clone(),
                amount_step: self.regular.amount_step,
                max_amount: self.regular.max_amount,
                min_score: i64::from(self.regular_min_score),
                min_hours: self.regular_min_hours.0,
                hours_years: self.regular_hours_years.clone(),
                hours_years_haredi: self.regular_hours_years_haredi.clone(),
                max_loans: i64::from(self.regular_max_loans),
                study_years: self.regular_study_years.clone(),
            },
            points: self.points.clone(),
            table_a: self.table_a.clone(),
            table_b: self.table_b.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;

    fn settings(overrides: &[&str]) -> Result<TeacherLoans> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        TeacherLoans::from_source(&load("teacher-loans", None, &o)?)
    }

    #[test]
    fn the_bundled_file_reads_with_the_spec_defaults() {
        let s = settings(&[]).unwrap();
        let p = s.params();
        assert_eq!(p.guarantor_threshold, 5_800);
        assert_eq!(p.approval_valid_days, 45);
        assert_eq!(p.preferred_min_hours, Ratio::from(24));
        assert_eq!(p.table_b.len(), 23);
        assert_eq!(p.table_a.len(), 16);
        assert_eq!(p.scholarship_hours.get(&10_000), Some(&80));
        assert_eq!(p.work_new.fraction, Fraction(Ratio::new(2, 3)));
        let mteach = p.program("mteach").unwrap();
        assert_eq!(
            (mteach.amount_new, mteach.amount_continuing),
            (Some(8_000), Some(14_000))
        );
        assert_eq!(s.programs().len(), 24);
    }

    #[test]
    fn a_share_that_is_not_whole_shekels_at_the_step_is_refused() {
        let e = settings(&["regular.amount_step=10"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("share 1/4 of a step of 10 shekels"), "{e}");
        assert!(settings(&["regular.amount_step=20"]).is_ok());
    }

    #[test]
    fn the_ranking_ends_with_the_lottery() {
        let e = settings(&["preferred.ranking=[\"lottery\", \"continuing\"]"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("must end with \"lottery\""), "{e}");
        let e = settings(&["preferred.ranking=[\"seniority\", \"lottery\"]"])
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("preferred.ranking"), "{e}");
    }

    #[test]
    fn decimal_hours_and_other_values_are_checked() {
        let s = settings(&["preferred_min_hours=23.5"]).unwrap();
        assert_eq!(s.params().preferred_min_hours, Ratio::new(47, 2));
        assert!(settings(&["allocation=sometimes"]).is_err());
        assert!(settings(&["issue_date=2020-02-30"]).is_err());
        let e = settings(&["regular_study_years=[1, 5]"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("study year 5"), "{e}");
    }
}
