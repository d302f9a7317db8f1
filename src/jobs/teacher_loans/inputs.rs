//! The typed input rows of `teacher-loans` (teacher-loans.md "Data contract"): `colleges`,
//! `loan_applications`, `ragav_list` and `budget`, each deserialized from its validated table
//! by `crate::table::rows` (fields matched to columns by name). Decimal columns (weekly hours,
//! the degree average) are read as the exact decimal they were written as.
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

/// One `colleges` row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct College {
    pub college_id: String,
    pub name: String,
    pub district: String,
    /// An academic college of education (§A.1).
    pub academic_college_of_education: bool,
    /// The college has the arrangement for soldiers funded by the army (§A.2).
    pub soldier_arrangement: bool,
}

/// `teaching_track`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Elementary,
    Secondary,
    MultiAge,
}

/// `sector`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    General,
    Religious,
    Haredi,
    Arab,
}

impl Sector {
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::General => "general",
            Sector::Religious => "religious",
            Sector::Haredi => "haredi",
            Sector::Arab => "arab",
        }
    }
}

/// `student_status` (§6.2: only `regular` students get a regular loan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Regular,
    Preparatory,
    SoldierTeacher,
    FromAbroad,
}

/// `service_kind` (§6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    None,
    Military,
    National,
    AcademicReserve,
    Active,
}

/// `marital_status` (§6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Marital {
    Single,
    Married,
    Widowed,
    Divorced,
}

/// `mteach_subject` (§A.9): the preferred subjects, or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MteachSubject {
    Math,
    ComputerScience,
    Sciences,
    Chemistry,
    Physics,
    Biology,
    Environment,
    English,
    Hebrew,
    Bible,
    JewishThought,
    OralTorah,
    Other,
}

impl MteachSubject {
    /// One of the seven subjects of §B.1 (english, hebrew, math, physics, chemistry, biology,
    /// computer_science).
    pub fn is_pais_subject(self) -> bool {
        use MteachSubject::*;
        matches!(
            self,
            English | Hebrew | Math | Physics | Chemistry | Biology | ComputerScience
        )
    }
}

/// One `loan_applications` row (§A.6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Applicant {
    pub applicant_id: String,
    pub college_id: String,
    /// A Table B key, or `regular`.
    pub program: String,
    #[serde(default)]
    pub mteach_subject: Option<MteachSubject>,
    pub teaching_track: Track,
    pub sector: Sector,
    pub student_status: Status,
    pub service_kind: Service,
    pub marital_status: Marital,
    pub study_year: i64,
    pub age: i64,
    #[serde(default)]
    pub specialization_code: Option<i64>,
    #[serde(default)]
    pub combined_score: Option<i64>,
    pub prior_loans: i64,
    pub service_months: i64,
    pub prior_university_years: i64,
    pub prior_yeshiva_years: i64,
    pub years_since_high_school: i64,
    pub siblings: i64,
    pub children: i64,
    #[serde(deserialize_with = "decimal")]
    pub weekly_hours: Ratio,
    #[serde(default, deserialize_with = "optional_decimal")]
    pub degree_average: Option<Ratio>,
    #[serde(with = "crate::rules::date")]
    pub submitted_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    pub appeal_filed_on: Option<NaiveDate>,
    pub requests_loan: bool,
    pub requests_scholarship: bool,
    pub israeli_citizen: bool,
    pub tuition_funded_by_government: bool,
    pub soldier_funded: bool,
    pub split_studies: bool,
    pub in_service_teacher: bool,
    pub same_track: bool,
    pub completion_studies: bool,
    pub degree_in_subject: bool,
    pub pais_conditions_met: bool,
    pub other_pais_scholarship: bool,
    pub new_immigrant: bool,
    pub bagrut: bool,
    pub orphan: bool,
    pub lives_away_from_parents: bool,
}

impl Applicant {
    /// A continuing student (study_year ≥ 2); a new one has study_year 1.
    pub fn continuing(&self) -> bool {
        self.study_year >= 2
    }
}

/// One `ragav_list` row (§A.8).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Ragav {
    pub applicant_id: String,
}

/// One `budget` row: a budget line and its amount in shekels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BudgetLine {
    pub line: String,
    pub amount: i64,
}

/// A decimal cell as the exact decimal it was written as.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Ratio, D::Error> {
    let x = f64::deserialize(d)?;
    Ratio::from_f64_decimal(x).map_err(serde::de::Error::custom)
}

fn optional_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ratio>, D::Error> {
    Option::<f64>::deserialize(d)?
        .map(|x| Ratio::from_f64_decimal(x).map_err(serde::de::Error::custom))
        .transpose()
}
