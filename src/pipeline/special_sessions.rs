//! Typed settings of `special-sessions` (gifted.md §6.2; 0207 §6, §1.7): the pipeline file and
//! its `--set` overrides, each value checked as it is read. The job's [`Params`] are built from
//! them and cannot fail.
use super::request_letters::RequestLetters;
use super::source::{typed, PipelineSource};
use super::values::Share;
use crate::error::{Error, Result};
use crate::jobs::special_sessions::{LanguageParams, Params};
use crate::rules::date::school_date::SchoolDate;
use serde::{Deserialize, Serialize};

/// `[language]` (0207 §1.7).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    pub returning_min_years_abroad: u32,
    pub elementary_min_grade_at_immigration: i64,
    pub secondary_min_grade_at_immigration: i64,
}

/// Settings of `special-sessions`, as in `pipelines/special-sessions.toml`. Serialized, they
/// are the effective parameters the manifest records.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialSessions {
    pub job: String,
    pub max_reject_share: Share,
    pub deadline: SchoolDate,
    pub adapted_session_size: u32,
    pub immigration_year_starts: SchoolDate,
    pub language: Language,
    /// The decision letters to the guardians (gifted.md §7).
    pub letters: RequestLetters,
}

impl SpecialSessions {
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: SpecialSessions = typed(src)?;
        s.check(src)?;
        Ok(s)
    }

    fn check(&self, src: &PipelineSource) -> Result<()> {
        let refuse = |key: &str, reason: &str| Err(Error::config(key, src.value_text(key), reason));
        if self.adapted_session_size == 0 {
            return refuse("adapted_session_size", "must be at least 1 student");
        }
        if !matches!(self.immigration_year_starts, SchoolDate::MonthDay { .. }) {
            return refuse(
                "immigration_year_starts",
                "must be a month and day MM-DD (it is compared with a date's month and day only)",
            );
        }
        let l = &self.language;
        for (key, g) in [
            (
                "language.elementary_min_grade_at_immigration",
                l.elementary_min_grade_at_immigration,
            ),
            (
                "language.secondary_min_grade_at_immigration",
                l.secondary_min_grade_at_immigration,
            ),
        ] {
            if !(-2..=12).contains(&g) {
                return refuse(key, "must be a grade from -2 (pre-pre-compulsory) to 12");
            }
        }
        Ok(())
    }

    /// The job's parameters.
    pub fn params(&self) -> Params {
        let (month, day) = match self.immigration_year_starts {
            SchoolDate::MonthDay { month, day } => (month, day),
            // `check` refused a full date.
            SchoolDate::Date(_) => (7, 1),
        };
        Params {
            deadline: self.deadline,
            adapted_session_size: self.adapted_session_size as usize,
            immigration_year_starts: (month, day),
            language: LanguageParams {
                returning_min_years_abroad: i64::from(self.language.returning_min_years_abroad),
                elementary_min_grade_at_immigration: self
                    .language
                    .elementary_min_grade_at_immigration,
                secondary_min_grade_at_immigration: self
                    .language
                    .secondary_min_grade_at_immigration,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;

    fn settings(overrides: &[&str]) -> Result<SpecialSessions> {
        let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
        SpecialSessions::from_source(&load("special-sessions", None, &o)?)
    }

    #[test]
    fn the_bundled_file_reads_with_the_spec_defaults() {
        let p = settings(&[]).unwrap().params();
        assert_eq!(p.deadline, SchoolDate::MonthDay { month: 12, day: 31 });
        assert_eq!(p.adapted_session_size, 5);
        assert_eq!(p.immigration_year_starts, (7, 1));
        assert_eq!(p.language.returning_min_years_abroad, 4);
        assert_eq!(p.language.elementary_min_grade_at_immigration, -1);
        assert_eq!(p.language.secondary_min_grade_at_immigration, 3);
    }

    #[test]
    fn bad_values_are_refused_with_their_key() {
        for (set, key) in [
            ("adapted_session_size=0", "adapted_session_size"),
            (
                "immigration_year_starts=\"2026-07-01\"",
                "immigration_year_starts",
            ),
            (
                "language.secondary_min_grade_at_immigration=13",
                "language.secondary",
            ),
            ("deadline=\"13-01\"", "deadline"),
        ] {
            let e = settings(&[set]).unwrap_err().to_string();
            assert!(e.contains(key), "{set}: {e}");
        }
    }
}
