//! The parameters of `teacher-loans` (teacher-loans.md; circular 004): Tables A and B as data,
//! the value types of the pipeline file (exact fractions `2/3`, exact decimal hours), and the
//! one struct the rules read, [`Params`], built by `pipeline::teacher_loans` once every value
//! is checked.
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// The conditions of a Table B row's preferred loan (§A.7–§A.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckSet {
    /// §A.8: excellent students in the periphery (רג"ב).
    Ragav,
    /// §A.7: required subjects.
    RequiredSubjects,
    /// §A.9: M.Teach.
    Mteach,
    /// §A.10: retraining of graduates (and the authorities' retraining).
    Retraining,
    /// Special programs: admission is the college's.
    Special,
}

/// Which applicants of a row a Pais scholarship needs to meet §B.1–§B.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaisRule {
    /// Every applicant of the row with a conditional loan.
    All,
    /// The subject, track and conditions of §B.1–§B.2.
    Subject,
    /// No scholarship.
    None,
}

/// The budget walk of the preferred loans and of Pais (teacher-loans.md "Allocation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocation {
    /// An amount that does not fit is refused and the walk goes on.
    Skip,
    /// Every applicant after the first amount that does not fit is refused too.
    Stop,
}

/// A key of the preferred-loan ranking (§A.9, §A.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankKey {
    /// A degree in the subject first (M.Teach and retraining rows only).
    DegreeHolder,
    /// Continuing students before new ones.
    Continuing,
    /// The seeded lottery number, lower first (always the last key).
    Lottery,
}

/// The domain of a required subject (Table A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    IyuniPp,
    Sciences,
    SciencesPlus,
}

/// A row of Table A: a required subject's specialization code.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableA {
    pub code: i64,
    pub name: String,
    pub domain: Domain,
    /// The Pais subject of §B.1, where there is one.
    #[serde(default)]
    pub pais_subject: Option<String>,
}

/// A row of Table B: one program's loan, Pais scholarship and work obligation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableB {
    pub key: String,
    pub name: String,
    pub checks: CheckSet,
    /// The loan of a new student; `None`: not for new students.
    #[serde(default)]
    pub amount_new: Option<i64>,
    /// The loan of a continuing student; `None`: not for continuing students.
    #[serde(default)]
    pub amount_continuing: Option<i64>,
    /// The most conditional loans a student may have had.
    pub max_loans: i64,
    #[serde(default)]
    pub scholarship_new: Option<i64>,
    #[serde(default)]
    pub scholarship_continuing: Option<i64>,
    #[serde(default)]
    pub pais_rule_new: Option<PaisRule>,
    #[serde(default)]
    pub pais_rule_continuing: Option<PaisRule>,
    /// The Pais subject of a retraining row (its own subject, §B.1).
    #[serde(default)]
    pub pais_subject: Option<String>,
    /// A continuing student's work obligation per loan: fraction of a post, years (§A.11).
    #[serde(default)]
    pub work_fraction: Option<Fraction>,
    #[serde(default)]
    pub work_years: Option<i64>,
    /// Sectors the row is closed to (`retraining_bible`: religious).
    #[serde(default)]
    pub excluded_sectors: Vec<String>,
}

impl TableB {
    /// The loan for a new or a continuing student.
    pub fn amount(&self, continuing: bool) -> Option<i64> {
        if continuing {
            self.amount_continuing
        } else {
            self.amount_new
        }
    }

    /// The Pais scholarship and its rule for a new or a continuing student: `None` when the
    /// row gives that student none.
    pub fn scholarship(&self, continuing: bool) -> Option<(i64, PaisRule)> {
        let (amount, rule) = if continuing {
            (self.scholarship_continuing, self.pais_rule_continuing)
        } else {
            (self.scholarship_new, self.pais_rule_new)
        };
        match (amount, rule) {
            (Some(a), Some(r)) if r != PaisRule::None && a > 0 => Some((a, r)),
            _ => None,
        }
    }
}

/// A fraction written as text, `"2/3"` or `"1"`, exact; positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fraction(pub Ratio);

impl Fraction {
    /// Parses `n/d` or `n` (whole numbers, d > 0); `None` otherwise.
    pub fn parse(text: &str) -> Option<Fraction> {
        let whole = |s: &str| -> Option<i128> {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 12)
                .then(|| s.parse().ok())
                .flatten()
        };
        let r = match text.split_once('/') {
            Some((n, d)) => Ratio::checked_new(whole(n)?, whole(d).filter(|d| *d > 0)?)?,
            None => Ratio::from_int(whole(text)?),
        };
        Some(Fraction(r))
    }

    /// `n/d` in lowest terms, `1/1` for one (the data contract's form of a share).
    pub fn text(self) -> String {
        format!("{}/{}", self.0.num(), self.0.den())
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Fraction;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fraction written as text, e.g. \"2/3\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Fraction, E> {
                Fraction::parse(s).ok_or_else(|| {
                    E::custom(format!("`{s}` is not a fraction n/d of whole numbers"))
                })
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Fraction, E> {
                (n >= 0)
                    .then(|| Fraction(Ratio::from(n)))
                    .ok_or_else(|| E::custom("must not be negative"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A decimal parameter (hours, an average), exact from the number the file wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decimal(pub Ratio);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Decimal, E> {
                Ok(Decimal(Ratio::from(n)))
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Decimal, E> {
                if !x.is_finite() {
                    return Err(E::custom("must be a decimal number"));
                }
                Ratio::parse_plain_decimal(&x.to_string(), 6)
                    .map(Decimal)
                    .map_err(|_| E::custom("must be a decimal number with at most 6 decimals"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0.to_f64())
    }
}

/// A work obligation: a fraction of a post for a number of years, per loan (§A.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    pub fraction: Fraction,
    pub years: i64,
}

/// Credit points of §6.4–§6.5 (teacher-loans.md §3.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Points {
    pub new_immigrant: i64,
    pub new_student_bagrut: i64,
    pub new_student_prior_studies: i64,
    pub prior_university_years: i64,
    pub prior_yeshiva_years: i64,
    pub service_academic_reserve: i64,
    pub service_active: i64,
    /// `[minimum months, points]`, ascending from 0.
    pub service_bands: Vec<(i64, i64)>,
    pub earning_under_1: i64,
    pub earning_1_to_4: i64,
    pub siblings: i64,
    pub siblings_cap: i64,
    pub siblings_max_age: i64,
    pub children: i64,
    pub children_cap: i64,
    pub orphan: i64,
    pub away_from_parents: i64,
    pub required_subject: i64,
}

/// Regular loans: the tiers of the share, the step and the cap of the maximum (§6.3–§6.4).
#[derive(Debug, Clone, PartialEq)]
pub struct Regular {
    /// `(minimum points, share)`, minimum ascending from 0.
    pub tiers: Vec<(i64, Fraction)>,
    pub amount_step: i64,
    pub max_amount: i64,
    pub min_score: i64,
    pub min_hours: Ratio,
    pub hours_years: Vec<i64>,
    pub hours_years_haredi: Vec<i64>,
    pub max_loans: i64,
    pub study_years: Vec<i64>,
}

/// Everything the rules of `teacher-loans` read.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub lottery_seed: String,
    pub allocation: Allocation,
    pub interface_deadline: NaiveDate,
    pub late_submission_deadline: NaiveDate,
    pub appeal_deadline: NaiveDate,
    pub issue_date: NaiveDate,
    pub second_round_issue_date: NaiveDate,
    pub approval_valid_days: i64,
    pub guarantor_threshold: i64,
    pub min_score_elementary: i64,
    pub min_score_secondary: i64,
    pub preferred_min_hours: Ratio,
    pub preferred_hours_years: Vec<i64>,
    pub mteach_min_hours: Ratio,
    pub retraining_min_hours: Ratio,
    pub retraining_min_average: Ratio,
    pub work_new: Work,
    pub work_regular_continuing: Work,
    /// Volunteer hours per scholarship amount (§B.4).
    pub scholarship_hours: BTreeMap<i64, i64>,
    pub ranking: Vec<RankKey>,
    pub regular: Regular,
    pub points: Points,
    pub table_a: Vec<TableA>,
    pub table_b: Vec<TableB>,
}

impl Params {
    /// The Table B row of a program key.
    pub fn program(&self, key: &str) -> Option<&TableB> {
        self.table_b.iter().find(|r| r.key == key)
    }

    /// The Table A row of a specialization code.
    pub fn subject(&self, code: Option<i64>) -> Option<&TableA> {
        let code = code?;
        self.table_a.iter().find(|r| r.code == code)
    }
}
