//! Typed settings of `gifted-elementary` (gifted.md §2–§4). Names are the spec's parameter
//! names; every value is checked here, before any data is read.
use super::source::{typed, PipelineSource};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub use crate::jobs::gifted::norms::{NormPopulation, NormsMode};
pub use crate::jobs::gifted::placement::GenderPolicy;
pub use crate::jobs::gifted::screening::{ReferralUnit, Ties};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    SchoolYear,
    Sector,
    Grade,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PerSector {
    pub hebrew: Vec<i64>,
    pub arabic: Vec<i64>,
}

impl PerSector {
    pub fn for_sector(&self, sector: &str) -> &[i64] {
        match sector {
            "arabic" => &self.arabic,
            _ => &self.hebrew,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Norms {
    pub mode: NormsMode,
    pub population: NormPopulation,
    pub group_by: Vec<GroupBy>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub gifted: f64,
    pub excellent: f64,
}

/// Dates of one phase's letters (strings `YYYY-MM-DD`, checked when the settings are read).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseLetters {
    pub letter_date: String,
    pub appeal_by: Option<String>,
    pub response_by: Option<String>,
}

/// Letters to parents (gifted.md §7).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Letters {
    pub sender_he: String,
    pub sender_ar: String,
    pub inquiries_email: String,
    pub screening: PhaseLetters,
    pub identification: PhaseLetters,
    pub placement: PhaseLetters,
}

impl Letters {
    /// The dates of the letters of `phase` (`screening`, `identification` or `placement`).
    pub fn of_phase(&self, phase: &str) -> Option<&PhaseLetters> {
        match phase {
            "screening" => Some(&self.screening),
            "identification" => Some(&self.identification),
            "placement" => Some(&self.placement),
            _ => None,
        }
    }
}

/// Settings of `gifted-elementary`, as in `pipelines/gifted-elementary.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GiftedElementary {
    pub job: String,
    pub max_reject_share: f64,
    pub referral_share: f64,
    pub referral_unit: ReferralUnit,
    pub ties: Ties,
    pub subtests: Vec<String>,
    pub class_capacity: u32,
    pub enrichment_group_capacity: u32,
    pub max_classes_per_authority: u32,
    pub max_share_of_grade: f64,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
    pub tested_grades: PerSector,
    pub stage_b_grades: PerSector,
    pub norms: Norms,
    pub thresholds: Thresholds,
    pub letters: Letters,
}

fn check(ok: bool, msg: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Config(msg()))
    }
}

impl GiftedElementary {
    /// Reads and checks the settings.
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: GiftedElementary = typed(src)?;
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<()> {
        let share = |v: f64| (0.0..=1.0).contains(&v);
        check(share(self.max_reject_share), || {
            format!(
                "max_reject_share = {} must be between 0 and 1",
                self.max_reject_share
            )
        })?;
        check(
            self.referral_share > 0.0 && self.referral_share <= 1.0,
            || {
                format!(
                    "referral_share = {} must be above 0 and at most 1",
                    self.referral_share
                )
            },
        )?;
        check(share(self.max_share_of_grade), || {
            format!(
                "max_share_of_grade = {} must be between 0 and 1",
                self.max_share_of_grade
            )
        })?;
        check(!self.subtests.is_empty(), || {
            "subtests must list at least one subtest".into()
        })?;
        let mut st = self.subtests.clone();
        st.sort();
        st.dedup();
        check(st.len() == self.subtests.len(), || {
            "subtests lists a subtest twice".into()
        })?;
        for (name, v) in [
            ("class_capacity", self.class_capacity),
            ("enrichment_group_capacity", self.enrichment_group_capacity),
            ("max_classes_per_authority", self.max_classes_per_authority),
        ] {
            check(v > 0, || format!("{name} must be at least 1"))?;
        }
        let t = &self.thresholds;
        check(
            (0.0..=100.0).contains(&t.excellent) && (0.0..=100.0).contains(&t.gifted),
            || "thresholds must be percentiles between 0 and 100".into(),
        )?;
        check(t.excellent <= t.gifted, || {
            format!(
                "thresholds.excellent = {} must not exceed thresholds.gifted = {}",
                t.excellent, t.gifted
            )
        })?;
        check(!self.norms.group_by.is_empty(), || {
            "norms.group_by must name at least one column".into()
        })?;
        for (name, g) in [
            ("tested_grades", &self.tested_grades),
            ("stage_b_grades", &self.stage_b_grades),
        ] {
            for v in g.hebrew.iter().chain(&g.arabic) {
                check((1..=12).contains(v), || {
                    format!("{name} lists grade {v}; grades are 1–12")
                })?;
            }
        }
        check(!self.lottery_seed.is_empty(), || {
            "lottery_seed must not be empty".into()
        })?;
        for (phase, l) in [
            ("screening", &self.letters.screening),
            ("identification", &self.letters.identification),
            ("placement", &self.letters.placement),
        ] {
            let dates = [
                ("letter_date", Some(&l.letter_date)),
                ("appeal_by", l.appeal_by.as_ref()),
                ("response_by", l.response_by.as_ref()),
            ];
            for (name, v) in dates {
                if let Some(v) = v {
                    check(crate::table::convert::parse_date(v).is_some(), || {
                        format!(
                            "letters.{phase}.{name} = {v:?} is not a date of the form YYYY-MM-DD"
                        )
                    })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;

    #[test]
    fn bundled_pipeline_parses_with_spec_defaults() {
        let src = load("gifted-elementary", None, &[]).unwrap();
        let s = GiftedElementary::from_source(&src).unwrap();
        assert_eq!(s.thresholds.gifted, 97.0);
        assert_eq!(s.thresholds.excellent, 92.0);
        assert_eq!(s.referral_share, 0.15);
        assert_eq!(s.class_capacity, 26);
        assert_eq!(s.enrichment_group_capacity, 18);
        assert_eq!(s.tested_grades.hebrew, vec![2]);
        assert_eq!(s.tested_grades.arabic, vec![3]);
        assert_eq!(s.norms.population, NormPopulation::CohortEnrollment);
        assert_eq!(s.lottery_seed, "itur");
    }

    #[test]
    fn overrides_reach_the_settings_and_are_checked() {
        let src = load(
            "gifted-elementary",
            None,
            &["thresholds.gifted=96.5".into(), "gender_policy=none".into()],
        )
        .unwrap();
        let s = GiftedElementary::from_source(&src).unwrap();
        assert_eq!(s.thresholds.gifted, 96.5);
        assert_eq!(s.gender_policy, GenderPolicy::None);
        let src = load("gifted-elementary", None, &["gender_policy=balnced".into()]).unwrap();
        let e = GiftedElementary::from_source(&src).unwrap_err().to_string();
        assert!(e.contains("balnced"), "{e}");
        let src = load(
            "gifted-elementary",
            None,
            &["thresholds.excellent=98".into()],
        )
        .unwrap();
        assert!(GiftedElementary::from_source(&src).is_err());
        assert!(load("gifted-elementary", None, &["class_capacity=lots".into()]).is_err());
        let src = load("gifted-elementary", None, &["class_capacity=26.5".into()]).unwrap();
        let e = GiftedElementary::from_source(&src).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("class_capacity"), "{e}");
    }
}
