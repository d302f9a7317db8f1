//! Typed settings of `special-ed-baskets` (special-ed-baskets.md "Parameters"). Every value is
//! checked here, before any data is read; the dates of each school year of the data are placed
//! once it is read ([`SpecialEd::params`]), and a year's own values (`[[year_dates]]`) replace
//! those of `[dates]` for that year only.
use super::source::{typed, PipelineSource};
use super::values::Share;
use crate::error::{Error, Result};
use crate::jobs::special_ed::{AideRates, Disability, Params, Role, YearDates};
use crate::rules::date::school_date::SchoolDate;
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// A non-negative exact decimal (hours, rates), read from the number's decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours(pub Ratio);

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let r = super::values::decimal(d, "a number of hours, 0 or more")?;
        if r < Ratio::ZERO {
            return Err(de::Error::custom("must be a number of hours, 0 or more"));
        }
        Ok(Hours(r))
    }
}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_f64(self.0.to_f64())
    }
}

/// `proof_deadline`: the day of `referral_deadline`, or a day of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofDeadline {
    ReferralDeadline,
    Day(SchoolDate),
}

impl<'de> Deserialize<'de> for ProofDeadline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "referral_deadline" {
            return Ok(ProofDeadline::ReferralDeadline);
        }
        SchoolDate::parse(&s)
            .map(ProofDeadline::Day)
            .ok_or_else(|| {
                de::Error::custom(
                    "must be \"referral_deadline\", a month and day MM-DD or a date YYYY-MM-DD",
                )
            })
    }
}

impl Serialize for ProofDeadline {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ProofDeadline::ReferralDeadline => s.serialize_str("referral_deadline"),
            ProofDeadline::Day(d) => d.serialize(s),
        }
    }
}

/// The dates of `[dates]` (each placed in the referral's school year).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Dates {
    pub referral_deadline: SchoolDate,
    pub proof_deadline: ProofDeadline,
    pub diagnosis_deadline: SchoolDate,
    pub season_start: SchoolDate,
    pub season_start_first_year: SchoolDate,
    pub season_end: SchoolDate,
    pub renewal_window_end: SchoolDate,
    pub first_time_window_start: SchoolDate,
}

/// A year's own dates (`[[year_dates]]`): each one given replaces that of `[dates]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct YearOverride {
    pub school_year: i64,
    pub referral_deadline: Option<SchoolDate>,
    pub proof_deadline: Option<ProofDeadline>,
    pub diagnosis_deadline: Option<SchoolDate>,
    pub season_start: Option<SchoolDate>,
    pub season_start_first_year: Option<SchoolDate>,
    pub season_end: Option<SchoolDate>,
    pub renewal_window_end: Option<SchoolDate>,
    pub first_time_window_start: Option<SchoolDate>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DayCounts {
    pub reform_first_year: i64,
    pub min_invitation_days: u32,
    pub decision_days: u32,
    pub presumed_receipt_days: u32,
    pub choice_days: u32,
    pub objection_days: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rates {
    pub kindergarten: Hours,
    pub elementary: Hours,
    pub middle: Hours,
    pub high: Hours,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HoursSettings {
    pub guidance_hours: Hours,
    pub split_tolerance_aide_hours: Hours,
}

/// Minimum weekly aide hours per functioning level.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Levels {
    pub level_1: Hours,
    pub level_2: Hours,
    pub level_3: Hours,
    pub level_4: Hours,
}

/// Settings of `special-ed-baskets`, as in `pipelines/special-ed-baskets.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialEd {
    pub job: String,
    pub max_reject_share: Share,
    /// `"latest"` or a date `YYYY-MM-DD`.
    pub as_of: String,
    pub quorum_roles: Vec<Role>,
    pub minimum_applies_to_disabilities: Vec<Disability>,
    pub dates: Dates,
    #[serde(default)]
    pub year_dates: Vec<YearOverride>,
    pub days: DayCounts,
    pub min_aide_hours: Levels,
    pub aide_rate: Rates,
    pub hours: HoursSettings,
    pub min_cell: u32,
}

impl SpecialEd {
    /// Reads and checks the settings.
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: SpecialEd = typed(src)?;
        let refuse = |key: &str, reason: &str| Err(Error::config(key, src.value_text(key), reason));
        if s.as_of != "latest" && crate::rules::date::parse_iso(&s.as_of).is_none() {
            return refuse("as_of", "must be \"latest\" or a date YYYY-MM-DD");
        }
        if s.quorum_roles.is_empty() {
            return refuse("quorum_roles", "must list at least one role");
        }
        for (stage, rate) in [
            ("kindergarten", s.aide_rate.kindergarten),
            ("elementary", s.aide_rate.elementary),
            ("middle", s.aide_rate.middle),
            ("high", s.aide_rate.high),
        ] {
            if rate.0 <= Ratio::ZERO {
                return refuse(&format!("aide_rate.{stage}"), "must be above 0");
            }
        }
        let mut years: Vec<i64> = s.year_dates.iter().map(|y| y.school_year).collect();
        years.sort_unstable();
        if years.windows(2).any(|w| w[0] == w[1]) {
            return refuse("year_dates", "gives the same school_year twice");
        }
        if s.min_cell == 0 {
            return refuse("min_cell", "must be at least 1");
        }
        Ok(s)
    }

    /// The `as_of` date given, or `None` for the latest date of the data.
    pub fn as_of_date(&self) -> Option<NaiveDate> {
        crate::rules::date::parse_iso(&self.as_of)
    }

    /// The dates of `year`, its own values replacing those of `[dates]`; a date that does not
    /// fall in the school year is a configuration error naming the parameter.
    pub fn year_dates(&self, year: i64) -> Result<YearDates> {
        let own = self.year_dates.iter().find(|y| y.school_year == year);
        let place = |name: &str, general: SchoolDate, over: Option<SchoolDate>| {
            let (d, key) = match over {
                Some(d) => (d, format!("year_dates (school_year {year}).{name}")),
                None => (general, format!("dates.{name}")),
            };
            d.in_school_year(year)
                .map_err(|reason| Error::config(key, Some(format!("\"{d}\"")), reason))
        };
        let o = own.cloned().unwrap_or_default();
        let g = &self.dates;
        let referral_deadline = place(
            "referral_deadline",
            g.referral_deadline,
            o.referral_deadline,
        )?;
        let proof_deadline = match o.proof_deadline.unwrap_or(g.proof_deadline) {
            ProofDeadline::ReferralDeadline => referral_deadline,
            ProofDeadline::Day(d) => place("proof_deadline", d, None)?,
        };
        Ok(YearDates {
            referral_deadline,
            proof_deadline,
            diagnosis_deadline: place(
                "diagnosis_deadline",
                g.diagnosis_deadline,
                o.diagnosis_deadline,
            )?,
            season_start: place("season_start", g.season_start, o.season_start)?,
            season_start_first_year: place(
                "season_start_first_year",
                g.season_start_first_year,
                o.season_start_first_year,
            )?,
            season_end: place("season_end", g.season_end, o.season_end)?,
            renewal_window_end: place(
                "renewal_window_end",
                g.renewal_window_end,
                o.renewal_window_end,
            )?,
            first_time_window_start: place(
                "first_time_window_start",
                g.first_time_window_start,
                o.first_time_window_start,
            )?,
        })
    }

    /// The job's parameters for the school years of the data.
    pub fn params(&self, school_years: &[i64]) -> Result<Params> {
        let mut years = BTreeMap::new();
        for &y in school_years {
            years.insert(y, self.year_dates(y)?);
        }
        let l = &self.min_aide_hours;
        let d = &self.days;
        Ok(Params {
            quorum_roles: self.quorum_roles.clone(),
            minimum_applies_to: self.minimum_applies_to_disabilities.clone(),
            years,
            reform_first_year: d.reform_first_year,
            min_invitation_days: i64::from(d.min_invitation_days),
            decision_days: i64::from(d.decision_days),
            presumed_receipt_days: i64::from(d.presumed_receipt_days),
            choice_days: i64::from(d.choice_days),
            objection_days: i64::from(d.objection_days),
            min_aide_hours: [l.level_1.0, l.level_2.0, l.level_3.0, l.level_4.0],
            aide_rate: AideRates {
                kindergarten: self.aide_rate.kindergarten.0,
                elementary: self.aide_rate.elementary.0,
                middle: self.aide_rate.middle.0,
                high: self.aide_rate.high.0,
            },
            guidance_hours: self.hours.guidance_hours.0,
            split_tolerance_aide_hours: self.hours.split_tolerance_aide_hours.0,
            min_cell: i64::from(self.min_cell),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;

    fn settings(set: &[&str]) -> Result<SpecialEd> {
        let set: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        SpecialEd::from_source(&load("special-ed-baskets", None, &set)?)
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_bundled_pipeline_gives_the_spec_defaults() {
        let s = settings(&[]).unwrap();
        let p = s.params(&[2020, 2027]).unwrap();
        let d = p.years[&2027];
        assert_eq!(d.referral_deadline, ymd(2027, 3, 31));
        assert_eq!(d.proof_deadline, ymd(2027, 3, 31));
        assert_eq!(d.diagnosis_deadline, ymd(2027, 8, 10));
        assert_eq!(d.season_start, ymd(2026, 11, 1));
        assert_eq!(d.season_start_first_year, ymd(2026, 12, 1));
        assert_eq!(d.season_end, ymd(2027, 5, 15));
        assert_eq!(d.renewal_window_end, ymd(2027, 1, 31));
        assert_eq!(d.first_time_window_start, ymd(2027, 2, 1));
        // 2020 only: referrals (and so the proof) until 30 April.
        assert_eq!(p.years[&2020].referral_deadline, ymd(2020, 4, 30));
        assert_eq!(p.years[&2020].proof_deadline, ymd(2020, 4, 30));
        assert_eq!(p.reform_first_year, 2020);
        assert_eq!(
            (
                p.min_invitation_days,
                p.decision_days,
                p.presumed_receipt_days
            ),
            (16, 14, 3)
        );
        assert_eq!((p.choice_days, p.objection_days), (14, 21));
        assert_eq!(p.min_aide_hours.map(|r| r.num()), [0, 8, 16, 24]);
        assert_eq!(p.aide_rate.elementary, Ratio::new(43, 10));
        assert_eq!(p.aide_rate.high, Ratio::new(54, 10));
        assert_eq!(p.guidance_hours, Ratio::new(1, 2));
        assert_eq!(p.split_tolerance_aide_hours, Ratio::ONE);
        assert_eq!(p.min_cell, 10);
        assert_eq!(p.quorum_roles.len(), 4);
        assert_eq!(s.as_of_date(), None);
    }

    #[test]
    fn overrides_change_the_rule_with_them() {
        let s = settings(&["dates.referral_deadline=04-15", "as_of=2027-03-31"]).unwrap();
        let d = s.year_dates(2027).unwrap();
        assert_eq!(d.referral_deadline, ymd(2027, 4, 15));
        // The proof deadline follows the referral deadline.
        assert_eq!(d.proof_deadline, ymd(2027, 4, 15));
        assert_eq!(s.as_of_date(), Some(ymd(2027, 3, 31)));
        let s = settings(&["dates.proof_deadline=03-01"]).unwrap();
        assert_eq!(s.year_dates(2027).unwrap().proof_deadline, ymd(2027, 3, 1));
    }

    #[test]
    fn bad_values_are_refused_with_their_parameter() {
        let e = settings(&["as_of=yesterday"]).unwrap_err().to_string();
        assert!(e.starts_with("as_of"), "{e}");
        let e = settings(&["aide_rate.high=0"]).unwrap_err().to_string();
        assert!(e.contains("aide_rate.high"), "{e}");
        let e = settings(&["hours.guidance_hours=-1"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("hours.guidance_hours"), "{e}");
        let e = settings(&["quorum_roles=[\"chair\", \"janitor\"]"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("quorum_roles"), "{e}");
        let e = settings(&["dates.season_end=2019-05-15"])
            .unwrap()
            .year_dates(2027)
            .unwrap_err()
            .to_string();
        assert!(e.contains("dates.season_end"), "{e}");
    }
}
