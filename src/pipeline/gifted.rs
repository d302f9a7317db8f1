//! Typed settings of `gifted-elementary` (gifted.md §2–§4). Names are the spec's parameter
//! names; every value is checked here, before any data is read: the value types check
//! themselves as they are deserialized (exact percentiles and shares, calendar dates), and
//! `check` refuses what only a combination of values can break. The jobs' parameter structs
//! are then built from the settings and cannot fail.
use super::source::{typed, PipelineSource};
use super::values::{Percentile, Share};
use crate::error::{Error, Result};
use crate::jobs::gifted::enrichment::EnrichmentParams;
use crate::jobs::gifted::identification::IdentificationParams;
use crate::jobs::gifted::norms::{NormsParams, Thresholds as ThresholdParams};
use crate::jobs::gifted::placement::PlacementParams;
use crate::jobs::gifted::screening::ScreeningParams;
use crate::jobs::letters::LetterParams;
use crate::rules::date::school_date::SchoolDate;
use chrono::NaiveDate;
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

/// Category thresholds on the composite percentile (0207 §1.8, §1.10, §2.6.א), exact.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub gifted: Percentile,
    pub excellent: Percentile,
}

/// Dates of one phase's letters (gifted.md §7): a month and day `MM-DD`, placed in the school
/// year of the data (so a new year needs no edit), or a full date `YYYY-MM-DD`, which must fall
/// in that school year (`rules::date::school_date`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseLetters {
    pub letter_date: SchoolDate,
    #[serde(default)]
    pub appeal_by: Option<SchoolDate>,
    #[serde(default)]
    pub response_by: Option<SchoolDate>,
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

    /// The letters' parameters of `phase` for its `dates` in `school_year` (the roster's
    /// year, known only once the data is read). Each date falls in that school year, and a
    /// deadline is not before the letter's date; otherwise a configuration error (exit 2)
    /// names the parameter.
    pub fn params(
        &self,
        phase: &str,
        dates: &PhaseLetters,
        school_year: i64,
    ) -> Result<LetterParams> {
        let key = |name: &str| format!("letters.{phase}.{name}");
        let resolve = |name: &str, d: SchoolDate| {
            d.in_school_year(school_year)
                .map_err(|reason| Error::config(key(name), Some(format!("\"{d}\"")), reason))
        };
        let letter_date = resolve("letter_date", dates.letter_date)?;
        let deadline = |name: &str, d: Option<SchoolDate>| -> Result<Option<NaiveDate>> {
            let Some(d) = d else { return Ok(None) };
            let day = resolve(name, d)?;
            if day < letter_date {
                return Err(Error::config(
                    key(name),
                    Some(format!("\"{d}\"")),
                    format!("the deadline {day} is before the letter's date {letter_date}"),
                ));
            }
            Ok(Some(day))
        };
        let mut p = LetterParams::new(letter_date, school_year);
        p.appeal_by = deadline("appeal_by", dates.appeal_by)?;
        p.response_by = deadline("response_by", dates.response_by)?;
        p.sender_he = self.sender_he.clone();
        p.sender_ar = self.sender_ar.clone();
        p.inquiries_email = self.inquiries_email.clone();
        Ok(p)
    }
}

/// Settings of `gifted-elementary`, as in `pipelines/gifted-elementary.toml`. Serialized, they
/// are the effective parameters the manifest records.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GiftedElementary {
    pub job: String,
    pub max_reject_share: Share,
    pub referral_share: Share,
    pub referral_unit: ReferralUnit,
    pub ties: Ties,
    pub subtests: Vec<String>,
    pub class_capacity: u32,
    pub enrichment_group_capacity: u32,
    pub max_classes_per_authority: u32,
    pub max_share_of_grade: Share,
    pub gender_policy: GenderPolicy,
    pub lottery_seed: String,
    pub tested_grades: PerSector,
    pub stage_b_grades: PerSector,
    pub norms: Norms,
    pub thresholds: Thresholds,
    pub letters: Letters,
}

impl GiftedElementary {
    /// Reads and checks the settings.
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: GiftedElementary = typed(src)?;
        s.check(src)?;
        Ok(s)
    }

    /// What the value types cannot see on their own. Each refusal names the parameter and
    /// the value the file or `--set` gave it.
    fn check(&self, src: &PipelineSource) -> Result<()> {
        let refuse = |key: &str, reason: String| -> Result<()> {
            Err(Error::config(key, src.value_text(key), reason))
        };
        // 0207 §2.4.ג: "about 15%" of a unit is referred; a share of 0 would refer no one.
        if self.referral_share.ratio() <= crate::rules::fraction::Ratio::ZERO {
            return refuse("referral_share", "must be above 0 and at most 1".into());
        }
        if self.subtests.is_empty() {
            return refuse("subtests", "must list at least one subtest".into());
        }
        let mut st = self.subtests.clone();
        st.sort();
        st.dedup();
        if st.len() != self.subtests.len() {
            return refuse("subtests", "lists a subtest twice".into());
        }
        for (name, v) in [
            ("class_capacity", self.class_capacity),
            ("enrichment_group_capacity", self.enrichment_group_capacity),
            ("max_classes_per_authority", self.max_classes_per_authority),
        ] {
            if v == 0 {
                return refuse(name, "must be at least 1".into());
            }
        }
        // 0207 §1.10: the excellent range lies below the gifted threshold.
        let t = &self.thresholds;
        if t.excellent > t.gifted {
            let gifted = src.value_text("thresholds.gifted").unwrap_or_default();
            return refuse(
                "thresholds.excellent",
                format!("must not exceed thresholds.gifted = {gifted}"),
            );
        }
        if self.norms.group_by.is_empty() {
            return refuse("norms.group_by", "must name at least one column".into());
        }
        for (name, g) in [
            ("tested_grades", &self.tested_grades),
            ("stage_b_grades", &self.stage_b_grades),
        ] {
            for (sector, grades) in [("hebrew", &g.hebrew), ("arabic", &g.arabic)] {
                if let Some(v) = grades.iter().find(|v| !(1..=12).contains(*v)) {
                    return refuse(
                        &format!("{name}.{sector}"),
                        format!("lists grade {v}; grades are 1–12"),
                    );
                }
            }
        }
        if self.lottery_seed.is_empty() {
            return refuse("lottery_seed", "must not be empty".into());
        }
        Ok(())
    }

    /// Parameters of the screening phase (gifted.md §2; 0207 §2.4).
    pub fn screening(&self) -> ScreeningParams {
        ScreeningParams {
            referral_share: self.referral_share.ratio(),
            referral_unit: self.referral_unit,
            ties: self.ties,
            tested_grades_hebrew: self.tested_grades.hebrew.clone(),
            tested_grades_arabic: self.tested_grades.arabic.clone(),
        }
    }

    /// Parameters of the identification phase (gifted.md §3; 0207 §2.5, §2.6).
    pub fn identification(&self) -> IdentificationParams {
        IdentificationParams {
            subtests: self.subtests.clone(),
            norms: NormsParams {
                mode: self.norms.mode,
                population: self.norms.population,
                thresholds: ThresholdParams {
                    gifted: self.thresholds.gifted.ratio(),
                    excellent: self.thresholds.excellent.ratio(),
                },
            },
            stage_b_grades_hebrew: self.stage_b_grades.hebrew.clone(),
            stage_b_grades_arabic: self.stage_b_grades.arabic.clone(),
        }
    }

    /// Parameters of class placement (gifted.md §4; 0207 §2.8).
    pub fn placement(&self) -> PlacementParams {
        PlacementParams {
            class_capacity: i64::from(self.class_capacity),
            max_classes_per_authority: i64::from(self.max_classes_per_authority),
            max_share_of_grade: self.max_share_of_grade.ratio(),
            gender_policy: self.gender_policy,
            lottery_seed: self.lottery_seed.clone(),
        }
    }

    /// Parameters of the enrichment groups (0207 §2.8.א.2).
    pub fn enrichment(&self) -> EnrichmentParams {
        EnrichmentParams {
            group_capacity: i64::from(self.enrichment_group_capacity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;
    use crate::rules::fraction::Ratio;

    /// The bundled settings with `overrides`.
    fn with(overrides: &[&str]) -> Result<GiftedElementary> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        GiftedElementary::from_source(&load("gifted-elementary", None, &o)?)
    }

    /// The message of the error the settings with `overrides` give.
    fn refused(overrides: &[&str]) -> String {
        let e = with(overrides).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
        assert!(matches!(e, Error::Config { .. }), "{e:?}");
        e.to_string()
    }

    #[test]
    fn bundled_pipeline_parses_with_spec_defaults() {
        let s = with(&[]).unwrap();
        assert_eq!(s.thresholds.gifted.ratio(), Ratio::from_int(97));
        assert_eq!(s.thresholds.excellent.ratio(), Ratio::from_int(92));
        assert_eq!(s.referral_share.ratio(), Ratio::new(3, 20));
        assert_eq!(s.max_reject_share.ratio(), Ratio::new(1, 100));
        assert_eq!(s.class_capacity, 26);
        assert_eq!(s.enrichment_group_capacity, 18);
        assert_eq!(s.tested_grades.hebrew, vec![2]);
        assert_eq!(s.tested_grades.arabic, vec![3]);
        assert_eq!(s.norms.population, NormPopulation::CohortEnrollment);
        assert_eq!(s.lottery_seed, "itur");
        assert_eq!(s.letters.screening.appeal_by, SchoolDate::parse("12-31"));
        assert_eq!(s.letters.identification.appeal_by, None);
    }

    #[test]
    fn the_jobs_parameters_come_from_the_settings() {
        let s = with(&["thresholds.gifted=92.5", "max_share_of_grade=0.25"]).unwrap();
        assert_eq!(s.screening().referral_share, Ratio::new(3, 20));
        let t = s.identification().norms.thresholds;
        assert_eq!(
            (t.gifted, t.excellent),
            (Ratio::new(185, 2), Ratio::from_int(92))
        );
        assert_eq!(s.placement().max_share_of_grade, Ratio::new(1, 4));
        assert_eq!(s.placement().class_capacity, 26);
        assert_eq!(s.enrichment().group_capacity, 18);
        let p = s
            .letters
            .params("placement", &s.letters.placement, 2027)
            .unwrap();
        assert_eq!(p.letter_date, NaiveDate::from_ymd_opt(2027, 6, 20).unwrap());
        assert_eq!(p.response_by, NaiveDate::from_ymd_opt(2027, 6, 27));
        assert_eq!((p.appeal_by, p.school_year), (None, 2027));
    }

    #[test]
    fn a_threshold_is_exact_and_at_most_100() {
        let gifted = |v: &str| {
            with(&[&format!("thresholds.gifted={v}")]).map(|s| s.thresholds.gifted.ratio())
        };
        assert_eq!(gifted("92.5").unwrap(), Ratio::new(185, 2));
        assert_eq!(gifted("100").unwrap(), Ratio::from_int(100));
        assert_eq!(
            gifted("99.999999").unwrap(),
            Ratio::new(99_999_999, 1_000_000)
        );
        let e = refused(&["thresholds.gifted=100.0001"]);
        assert_eq!(
            e,
            "thresholds.gifted = 100.0001: must be a percentile from 0 to 100"
        );
        let e = refused(&["thresholds.gifted=92.1234567"]);
        assert!(e.starts_with("thresholds.gifted = 92.1234567: "), "{e}");
        assert!(e.contains("at most 6 decimals"), "{e}");
        let e = refused(&["thresholds.gifted=9.7e1"]);
        assert!(e.starts_with("thresholds.gifted = 9.7e1: "), "{e}");
        assert!(e.contains("without an exponent"), "{e}");
    }

    #[test]
    fn excellent_above_gifted_is_refused() {
        assert_eq!(
            refused(&["thresholds.excellent=98"]),
            "thresholds.excellent = 98: must not exceed thresholds.gifted = 97"
        );
        // Equal thresholds leave the excellent range empty, which the order allows.
        assert!(with(&["thresholds.excellent=97"]).is_ok());
    }

    #[test]
    fn shares_from_0_to_1() {
        let s = with(&[
            "max_share_of_grade=0",
            "max_reject_share=1",
            "referral_share=1",
        ])
        .unwrap();
        assert_eq!(s.max_share_of_grade.ratio(), Ratio::ZERO);
        assert_eq!(s.max_reject_share.ratio(), Ratio::ONE);
        assert_eq!(s.referral_share.ratio(), Ratio::ONE);
        let s = with(&["max_share_of_grade=1", "max_reject_share=0"]).unwrap();
        assert_eq!(s.max_share_of_grade.ratio(), Ratio::ONE);
        assert_eq!(s.max_reject_share.ratio(), Ratio::ZERO);
        assert_eq!(
            refused(&["referral_share=0"]),
            "referral_share = 0.0: must be above 0 and at most 1"
        );
        assert_eq!(
            refused(&["max_share_of_grade=1.5"]),
            "max_share_of_grade = 1.5: must be a share from 0 to 1"
        );
    }

    #[test]
    fn letter_dates_are_calendar_days() {
        let s = with(&["letters.screening.letter_date=2028-02-29"]).unwrap();
        assert_eq!(
            s.letters.screening.letter_date,
            SchoolDate::Date(NaiveDate::from_ymd_opt(2028, 2, 29).unwrap())
        );
        let e = refused(&["letters.screening.letter_date=2026-02-29"]);
        assert!(
            e.starts_with("letters.screening.letter_date = \"2026-02-29\": not a month and day"),
            "{e}"
        );
    }

    #[test]
    fn letter_dates_fit_the_school_year_of_the_data() {
        let s = with(&[]).unwrap();
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // The bundled months and days, in the data's school year: 2029 = 2028/29.
        let p = s
            .letters
            .params("screening", &s.letters.screening, 2029)
            .unwrap();
        assert_eq!(p.letter_date, ymd(2028, 11, 20));
        assert_eq!(p.appeal_by, Some(ymd(2028, 12, 31)));
        let p = s
            .letters
            .params("placement", &s.letters.placement, 2029)
            .unwrap();
        assert_eq!(p.letter_date, ymd(2029, 6, 20));
        // An explicit date of another school year names its parameter.
        let s = with(&["letters.screening.appeal_by=2026-12-31"]).unwrap();
        let e = s
            .letters
            .params("screening", &s.letters.screening, 2029)
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().starts_with("letters.screening.appeal_by = \"2026-12-31\": 2026-12-31 is outside the school year of the data"),
            "{e}"
        );
        // A deadline the day of the letter is fine; the day before is not.
        let s = with(&[
            "letters.placement.letter_date=06-20",
            "letters.placement.response_by=06-20",
        ])
        .unwrap();
        assert!(s
            .letters
            .params("placement", &s.letters.placement, 2027)
            .is_ok());
        let s = with(&["letters.placement.response_by=06-19"]).unwrap();
        let e = s
            .letters
            .params("placement", &s.letters.placement, 2027)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the deadline 2027-06-19 is before the letter's date 2027-06-20"),
            "{e}"
        );
    }

    #[test]
    fn a_file_and_an_override_give_the_same_value() {
        let bundled = include_str!("../../pipelines/gifted-elementary.toml");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(&file, bundled.replace("gifted = 97", "gifted = 92.5")).unwrap();
        let from_file =
            GiftedElementary::from_source(&load("gifted-elementary", Some(&file), &[]).unwrap())
                .unwrap();
        let from_set = with(&["thresholds.gifted=92.5"]).unwrap();
        assert_eq!(from_file.thresholds.gifted.ratio(), Ratio::new(185, 2));
        assert_eq!(from_file.thresholds, from_set.thresholds);
        // The file's text decides too: an exponent there is refused by its key.
        std::fs::write(&file, bundled.replace("gifted = 97", "gifted = 9.7e1")).unwrap();
        let e = load("gifted-elementary", Some(&file), &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "thresholds.gifted = 9.7e1: a parameter is written as a plain decimal, without an exponent"
        );
    }

    #[test]
    fn overrides_reach_the_settings_and_are_checked() {
        let s = with(&["thresholds.gifted=96.5", "gender_policy=none"]).unwrap();
        assert_eq!(s.thresholds.gifted.ratio(), Ratio::new(193, 2));
        assert_eq!(s.gender_policy, GenderPolicy::None);
        let e = refused(&["gender_policy=balnced"]);
        assert!(
            e.starts_with("gender_policy = \"balnced\": unknown variant"),
            "{e}"
        );
        let e = refused(&["class_capacity=lots"]);
        assert_eq!(
            e,
            "class_capacity = \"lots\": takes a whole number, not a text"
        );
        let e = refused(&["class_capacity=26.5"]);
        assert!(e.starts_with("class_capacity = 26.5: "), "{e}");
        assert_eq!(
            refused(&["class_capacity=0"]),
            "class_capacity = 0: must be at least 1"
        );
        assert_eq!(
            refused(&["stage_b_grades.arabic=[3, 13]"]),
            "stage_b_grades.arabic = [3, 13]: lists grade 13; grades are 1–12"
        );
    }
}
