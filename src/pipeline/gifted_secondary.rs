//! Typed settings of `gifted-secondary` (gifted.md §5; 0207 §2.9–§2.12, §3, §4). Names are
//! the spec's parameter names; every value is checked here, before any data is read: the value
//! types check themselves (exact percentiles and shares), and `check` refuses what only a
//! combination of values can break. The job's [`Params`] are then built from the settings and
//! cannot fail.
use super::gifted::{GroupBy, Thresholds};
use super::source::{typed, PipelineSource};
use super::values::{Percentile, Share};
use crate::error::{Error, Result};
use crate::jobs::gifted::norms::{NormsParams, Thresholds as ThresholdParams};
use crate::jobs::gifted_secondary::letters::LetterSettings;
use crate::jobs::gifted_secondary::Params;
use crate::rules::date::school_date::SchoolDate;
use serde::{Deserialize, Serialize};

pub use crate::jobs::gifted::norms::{NormPopulation, NormsMode};
pub use crate::jobs::gifted::placement::GenderPolicy;

/// `[norms]` (gifted.md §5.2).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Norms {
    pub mode: NormsMode,
    pub population: NormPopulation,
    pub group_by: Vec<GroupBy>,
}

/// `[graduate]` (0207 §2.10.ב.2).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Graduate {
    pub weight_test: Share,
    pub threshold: Percentile,
}

/// `[exemption]` (0207 §2.10.א).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    pub identified_before: i64,
    pub applications_before: i64,
}

/// `[letters]` (gifted.md §5.11): senders, and dates as month-days of Y (or full dates in it).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Letters {
    pub sender_he: String,
    pub sender_ar: String,
    pub inquiries_email: String,
    pub letter_date: SchoolDate,
    #[serde(default)]
    pub response_by: Option<SchoolDate>,
}

/// Settings of `gifted-secondary`, as in `pipelines/gifted-secondary.toml`. Serialized, they
/// are the effective parameters the manifest records.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GiftedSecondary {
    pub job: String,
    pub max_reject_share: Share,
    pub subtests: Vec<String>,
    pub test_grades: Vec<i64>,
    pub class_capacity: u32,
    pub max_classes_per_grade: u32,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
    pub enrichment_continuation_grade: i64,
    pub norms: Norms,
    pub thresholds: Thresholds,
    pub graduate: Graduate,
    pub exemption: Exemption,
    pub letters: Letters,
}

impl GiftedSecondary {
    /// Reads and checks the settings.
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: GiftedSecondary = typed(src)?;
        s.check(src)?;
        Ok(s)
    }

    /// What the value types cannot see on their own; each refusal names the parameter and
    /// its value.
    fn check(&self, src: &PipelineSource) -> Result<()> {
        let refuse = |key: &str, reason: String| -> Result<()> {
            Err(Error::config(key, src.value_text(key), reason))
        };
        let mut st = self.subtests.clone();
        st.sort();
        st.dedup();
        if self.subtests.is_empty() || st.len() != self.subtests.len() {
            return refuse(
                "subtests",
                "must list at least one subtest, none twice".into(),
            );
        }
        if self.test_grades.is_empty() {
            return refuse("test_grades", "must list at least one grade".into());
        }
        // Candidates in grade g enter grade g + 1 of a secondary track (grades 7–11, §2.9.א).
        if let Some(g) = self.test_grades.iter().find(|g| !(1..=11).contains(*g)) {
            return refuse("test_grades", format!("lists grade {g}; grades are 1–11"));
        }
        if !(1..=12).contains(&self.enrichment_continuation_grade) {
            return refuse(
                "enrichment_continuation_grade",
                "must be a grade from 1 to 12".into(),
            );
        }
        for (name, v) in [
            ("class_capacity", self.class_capacity),
            ("max_classes_per_grade", self.max_classes_per_grade),
        ] {
            if v == 0 {
                return refuse(name, "must be at least 1".into());
            }
        }
        if self.thresholds.excellent > self.thresholds.gifted {
            let gifted = src.value_text("thresholds.gifted").unwrap_or_default();
            return refuse(
                "thresholds.excellent",
                format!("must not exceed thresholds.gifted = {gifted}"),
            );
        }
        if self.norms.group_by.is_empty() {
            return refuse("norms.group_by", "must name at least one column".into());
        }
        if self.lottery_seed.is_empty() {
            return refuse("lottery_seed", "must not be empty".into());
        }
        for (name, y) in [
            (
                "exemption.identified_before",
                self.exemption.identified_before,
            ),
            (
                "exemption.applications_before",
                self.exemption.applications_before,
            ),
        ] {
            if !(2000..=2100).contains(&y) {
                return refuse(name, "must be a school year from 2000 to 2100".into());
            }
        }
        Ok(())
    }

    /// The `group_by` columns' names, in order.
    pub fn group_by(&self) -> Vec<&'static str> {
        self.norms
            .group_by
            .iter()
            .map(|g| match g {
                GroupBy::SchoolYear => "school_year",
                GroupBy::Sector => "sector",
                GroupBy::Grade => "grade",
            })
            .collect()
    }

    /// The job's parameters.
    pub fn params(&self) -> Params {
        Params {
            subtests: self.subtests.clone(),
            test_grades: self.test_grades.clone(),
            norms: NormsParams {
                mode: self.norms.mode,
                population: self.norms.population,
                thresholds: ThresholdParams {
                    gifted: self.thresholds.gifted.ratio(),
                    excellent: self.thresholds.excellent.ratio(),
                },
            },
            group_by: self.group_by(),
            class_capacity: i64::from(self.class_capacity),
            max_classes_per_grade: i64::from(self.max_classes_per_grade),
            gender_policy: self.gender_policy,
            lottery_seed: self.lottery_seed.clone(),
            weight_test: self.graduate.weight_test.ratio(),
            graduate_threshold: self.graduate.threshold.ratio(),
            identified_before: self.exemption.identified_before,
            applications_before: self.exemption.applications_before,
            enrichment_continuation_grade: self.enrichment_continuation_grade,
            letters: LetterSettings {
                sender_he: self.letters.sender_he.clone(),
                sender_ar: self.letters.sender_ar.clone(),
                inquiries_email: self.letters.inquiries_email.clone(),
                letter_date: self.letters.letter_date,
                response_by: self.letters.response_by,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;
    use crate::rules::fraction::Ratio;

    fn with(overrides: &[&str]) -> Result<GiftedSecondary> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        GiftedSecondary::from_source(&load("gifted-secondary", None, &o)?)
    }

    #[test]
    fn bundled_pipeline_has_the_spec_defaults() {
        let p = with(&[]).unwrap().params();
        assert_eq!(p.test_grades, vec![6, 7, 8, 9, 10]);
        assert_eq!(p.norms.mode, NormsMode::Reference);
        assert_eq!(p.norms.population, NormPopulation::Tested);
        assert_eq!(p.group_by, vec!["school_year", "grade"]);
        assert_eq!(p.norms.thresholds.gifted, Ratio::from_int(97));
        assert_eq!(p.class_capacity, 30);
        assert_eq!(p.max_classes_per_grade, 2);
        assert_eq!(p.weight_test, Ratio::new(1, 2));
        assert_eq!(p.graduate_threshold, Ratio::from_int(92));
        assert_eq!((p.identified_before, p.applications_before), (2017, 2022));
        assert_eq!(p.enrichment_continuation_grade, 6);
    }

    #[test]
    fn decimals_are_exact_and_bad_values_name_their_key() {
        let p = with(&["graduate.weight_test=0.7"]).unwrap().params();
        assert_eq!(p.weight_test, Ratio::new(7, 10));
        for (set, key) in [
            ("graduate.weight_test=1.5", "graduate.weight_test"),
            ("thresholds.excellent=98", "thresholds.excellent"),
            ("class_capacity=0", "class_capacity"),
            ("test_grades=[12]", "test_grades"),
            ("norms.group_by=[]", "norms.group_by"),
            ("graduate.bonus=1", "graduate.bonus"),
        ] {
            let e = with(&[set]).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{set}: {e}");
            assert!(e.to_string().contains(key), "{set}: {e}");
        }
    }
}
