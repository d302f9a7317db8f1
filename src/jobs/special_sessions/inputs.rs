//! The typed input rows of `special-sessions` (data-contract.md "Retests and special
//! sessions") and the rules of the data contract the schemas cannot state:
//! - `accommodations` only out of the listed kinds (`accommodation_unknown`), and not empty
//!   when the committee approved (`accommodations_missing`);
//! - a `submitted_by`, when the table has the column, that is a legal guardian of the student
//!   (`requester_not_guardian`, source 001).
//!
//! A row of another school year than its student's roster year is an exclusion
//! (`other_school_year`); the rows of students at institutions that do not take part are kept
//! and answered with that rule.
use crate::error::{Error, Result};
use crate::jobs::gifted_requests::{request_row, roster, sort_requests, Guardians, Roster, Stage};
use crate::rules::text::list;
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashSet;

pub const ACCOMMODATIONS: &str = "accommodation_decisions";
pub const LANGUAGE: &str = "language_test_requests";

/// The kinds of accommodation (0207 §6.1.יד.2).
pub const KINDS: [&str; 6] = [
    "extended_time",
    "breaks",
    "enlarged_form",
    "aide",
    "separate_room",
    "other",
];

/// The kind that is never shared (§6.1.יד.1).
pub const SEPARATE_ROOM: &str = "separate_room";

/// `accommodation_decisions.decision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Committee {
    Approved,
    Rejected,
}

#[derive(Debug, Deserialize)]
struct AccommodationRow<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    #[serde(with = "crate::rules::date")]
    submitted_on: NaiveDate,
    decision: Committee,
    #[serde(default)]
    accommodations: Option<&'a str>,
    #[serde(default)]
    exam_region_id: Option<&'a str>,
    #[serde(default)]
    submitted_by: Option<&'a str>,
}

/// An accepted accommodation decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accommodation {
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub submitted_on: NaiveDate,
    pub decision: Committee,
    /// The distinct kinds, sorted.
    pub kinds: Vec<String>,
    pub exam_region_id: Option<String>,
}

/// `language_test_requests.language` (§6.2.א).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    EasyHebrew,
    English,
    French,
    Russian,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::EasyHebrew => "easy_hebrew",
            Language::English => "english",
            Language::French => "french",
            Language::Russian => "russian",
        }
    }
}

crate::jobs::serialize_as_str!(Language);

#[derive(Debug, Deserialize)]
struct LanguageRow<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    language: Language,
    #[serde(with = "crate::rules::date")]
    submitted_on: NaiveDate,
    #[serde(default)]
    foreign_school_recent: Option<bool>,
    #[serde(default)]
    submitted_by: Option<&'a str>,
}

/// An accepted language-adapted test request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageRequest {
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub language: Language,
    pub submitted_on: NaiveDate,
    /// Default false.
    pub foreign_school_recent: bool,
}

/// The job's accepted rows and the roster they name.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub roster: Roster,
    pub accommodations: Vec<Accommodation>,
    pub language: Vec<LanguageRequest>,
    /// Whether each table was given (its outputs are written only then).
    pub has_accommodations: bool,
    pub has_language: bool,
}

request_row!(AccommodationRow, LanguageRow);

/// The job's own checks of one `accommodation_decisions` row (its kinds); the decision when
/// it passes them.
fn accommodation(
    r: &AccommodationRow,
    row_number: u64,
    rejects: &mut Vec<Reject>,
) -> Option<Accommodation> {
    let before = rejects.len();
    let kinds = kinds(r.accommodations, r.decision, row_number, rejects);
    (rejects.len() == before).then(|| Accommodation {
        student_id: r.student_id.to_string(),
        school_year: r.school_year,
        stage: r.stage,
        submitted_on: r.submitted_on,
        decision: r.decision,
        kinds,
        exam_region_id: r.exam_region_id.map(str::to_string),
    })
}

/// A language-test request as kept (the table has no checks of the job's own).
fn language_request(r: &LanguageRow, _: u64, _: &mut Vec<Reject>) -> Option<LanguageRequest> {
    Some(LanguageRequest {
        student_id: r.student_id.to_string(),
        school_year: r.school_year,
        stage: r.stage,
        language: r.language,
        submitted_on: r.submitted_on,
        foreign_school_recent: r.foreign_school_recent.unwrap_or(false),
    })
}

/// The kinds of one row, sorted and distinct, or its rejects.
fn kinds(
    cell: Option<&str>,
    decision: Committee,
    row_number: u64,
    rejects: &mut Vec<Reject>,
) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for k in list(cell) {
        if KINDS.contains(&k) {
            v.push(k.to_string());
        } else {
            rejects.push(Reject::new(
                ACCOMMODATIONS,
                row_number as usize - 1,
                "accommodations",
                k,
                "accommodation_unknown",
                format!(
                    "`accommodations` lists `{}`; accommodations are {}",
                    k.escape_debug(),
                    KINDS.join(", ")
                ),
            ));
        }
    }
    v.sort();
    v.dedup();
    if decision == Committee::Approved && list(cell).next().is_none() {
        rejects.push(Reject::new(
            ACCOMMODATIONS,
            row_number as usize - 1,
            "accommodations",
            "",
            "accommodations_missing",
            "`accommodations` is empty: an approved decision lists the accommodations granted",
        ));
    }
    v
}

/// Reads the job's tables, applies its reject rules and exclusions (they join `inputs`), and
/// returns the accepted rows of the year with the roster they name.
pub fn read(inputs: &mut InputSet) -> Result<Read> {
    let (has_accommodations, has_language) = (
        inputs.get(ACCOMMODATIONS).is_some(),
        inputs.get(LANGUAGE).is_some(),
    );
    if !has_accommodations && !has_language {
        return Err(Error::Usage(format!(
            "special-sessions needs at least one of the tables {ACCOMMODATIONS} and {LANGUAGE}: neither was found in the input directory"
        )));
    }
    let mut rejects: Vec<(&str, Vec<Reject>)> = Vec::new();
    let mut exclusions: Vec<(&str, Vec<Exclusion>)> = Vec::new();
    let read = {
        let acc_t = inputs.get(ACCOMMODATIONS);
        let lang_t = inputs.get(LANGUAGE);
        let acc_rows: Vec<AccommodationRow> = acc_t.map(rows).transpose()?.unwrap_or_default();
        let acc_numbers: Vec<u64> = acc_t.map(|t| t.row_numbers().collect()).unwrap_or_default();
        let lang_rows: Vec<LanguageRow> = lang_t.map(rows).transpose()?.unwrap_or_default();
        let lang_numbers: Vec<u64> = lang_t
            .map(|t| t.row_numbers().collect())
            .unwrap_or_default();
        let mut named: HashSet<&str> = acc_rows.iter().map(|r| r.student_id).collect();
        named.extend(lang_rows.iter().map(|r| r.student_id));
        let guardians = inputs
            .get("contacts")
            .map(|c| Guardians::read(c, &named))
            .transpose()?;
        let roster = roster::load(inputs, &named)?;

        let g = guardians.as_ref();
        let accommodations = sort_requests(
            ACCOMMODATIONS,
            &acc_rows,
            &acc_numbers,
            &roster,
            g,
            accommodation,
        )?;
        let language = sort_requests(
            LANGUAGE,
            &lang_rows,
            &lang_numbers,
            &roster,
            g,
            language_request,
        )?;
        rejects.push((ACCOMMODATIONS, accommodations.rejects));
        exclusions.push((ACCOMMODATIONS, accommodations.excluded));
        rejects.push((LANGUAGE, language.rejects));
        exclusions.push((LANGUAGE, language.excluded));
        let (accommodations, language) = (accommodations.rows, language.rows);
        Read {
            roster,
            accommodations,
            language,
            has_accommodations,
            has_language,
        }
    };
    for (table, mut r) in rejects {
        r.sort_by_key(|r| r.row_number);
        inputs.add_job_rejects(table, r);
    }
    for (table, e) in exclusions {
        inputs.add_exclusions(table, e);
    }
    Ok(read)
}
