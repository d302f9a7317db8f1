//! The typed input rows of `retest-review` (data-contract.md "Retests and special sessions") and
//! the rules of the data contract the schemas cannot state:
//! - `previous_composite_num` and `previous_composite_den` both or neither
//!   (`composite_incomplete`);
//! - `reasons` only out of the listed reasons (`reason_unknown`);
//! - a `submitted_by`, when the table has the column, that is a legal guardian of the student
//!   (`requester_not_guardian`, source 001).
//!
//! A row of another school year than its student's roster year is an exclusion
//! (`other_school_year`). Everything else is kept, the requests of students at institutions
//! that do not take part included: they get a decision with that rule.
use crate::error::Result;
use crate::jobs::gifted_requests::{request_row, roster, sort_requests, Guardians, Roster, Stage};
use crate::rules::fraction::Ratio;
use crate::rules::text::list;
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::HashSet;

pub const REQUESTS: &str = "retest_requests";
pub const HISTORY: &str = "retest_history";
pub const NOTICES: &str = "absence_notices";
pub const PROGRAMS: &str = "gifted_program_history";

/// The reasons a family may give for a retest (0207 §5.1.ו).
pub const REASONS: [&str; 5] = [
    "illness",
    "family",
    "twin_accepted",
    "new_diagnosis",
    "other",
];

/// One `retest_requests` row as read.
#[derive(Debug, Deserialize)]
struct RequestRow<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    #[serde(with = "crate::rules::date")]
    submitted_on: NaiveDate,
    #[serde(with = "crate::rules::date")]
    previous_test_date: NaiveDate,
    #[serde(default)]
    previous_composite_num: Option<i64>,
    #[serde(default)]
    previous_composite_den: Option<i64>,
    #[serde(default)]
    reasons: Option<&'a str>,
    #[serde(default)]
    submitted_by: Option<&'a str>,
}

/// An accepted retest request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub row_number: u64,
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub submitted_on: NaiveDate,
    pub previous_test_date: NaiveDate,
    /// The exact composite of the previous test, when given.
    pub previous_composite: Option<Ratio>,
    /// The reasons include `twin_accepted` (0207 §5.1.ו).
    pub twin_claim: bool,
}

/// One `retest_history` row: the professional team's final decision on an earlier request.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct History {
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub retest_granted: bool,
    pub retest_taken: bool,
}

/// `absence_notices.cause`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    Illness,
    Other,
}

/// One `absence_notices` row as read.
#[derive(Debug, Deserialize)]
struct NoticeRow<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    #[serde(with = "crate::rules::date")]
    exam_date: NaiveDate,
    #[serde(with = "crate::rules::date")]
    notified_on: NaiveDate,
    cause: Cause,
    #[serde(default)]
    submitted_by: Option<&'a str>,
}

request_row!(RequestRow, NoticeRow);

/// An accepted absence notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub row_number: u64,
    pub student_id: String,
    pub school_year: i64,
    pub stage: Stage,
    pub exam_date: NaiveDate,
    pub notified_on: NaiveDate,
    pub cause: Cause,
}

/// One `gifted_program_history` row: the student studied in a program in that year.
#[derive(Debug, Deserialize)]
struct ProgramRow<'a> {
    student_id: &'a str,
    school_year: i64,
}

/// The job's accepted rows and the roster they name.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub roster: Roster,
    /// `None` without `contacts`.
    pub guardians: Option<Guardians>,
    /// The requests of the year (rows of another year are excluded), in source order.
    pub requests: Vec<Request>,
    pub history: Vec<History>,
    /// The notices of the year, in source order.
    pub notices: Vec<Notice>,
    /// (student_id, school_year) of every `gifted_program_history` row.
    pub programs: HashSet<(String, i64)>,
}

fn reject(
    table: &str,
    row_number: u64,
    column: &str,
    value: &str,
    rule: &str,
    msg: String,
) -> Reject {
    Reject::new(table, row_number as usize - 1, column, value, rule, msg)
}

/// An absence notice as kept (the table has no checks of the job's own).
fn notice(r: &NoticeRow, row_number: u64, _: &mut Vec<Reject>) -> Option<Notice> {
    Some(Notice {
        row_number,
        student_id: r.student_id.to_string(),
        school_year: r.school_year,
        stage: r.stage,
        exam_date: r.exam_date,
        notified_on: r.notified_on,
        cause: r.cause,
    })
}

/// The job's own checks of one request row; the request when it passes them.
fn request(r: &RequestRow, row_number: u64, rejects: &mut Vec<Reject>) -> Option<Request> {
    let before = rejects.len();
    let composite = match (r.previous_composite_num, r.previous_composite_den) {
        (Some(n), Some(d)) => Ratio::checked_new(i128::from(n), i128::from(d)),
        (None, None) => None,
        (n, d) => {
            let (column, value) = match n {
                Some(n) => ("previous_composite_den", n.to_string()),
                None => ("previous_composite_num", d.unwrap_or_default().to_string()),
            };
            rejects.push(reject(
                REQUESTS,
                row_number,
                column,
                &value,
                "composite_incomplete",
                format!("`{column}` is empty: the previous composite is given as both its numerator and its denominator, or neither"),
            ));
            None
        }
    };
    for reason in list(r.reasons) {
        if !REASONS.contains(&reason) {
            rejects.push(reject(
                REQUESTS,
                row_number,
                "reasons",
                reason,
                "reason_unknown",
                format!(
                    "`reasons` lists `{}`; reasons are {}",
                    reason.escape_debug(),
                    REASONS.join(", ")
                ),
            ));
        }
    }
    (rejects.len() == before).then(|| Request {
        row_number,
        student_id: r.student_id.to_string(),
        school_year: r.school_year,
        stage: r.stage,
        submitted_on: r.submitted_on,
        previous_test_date: r.previous_test_date,
        previous_composite: composite,
        twin_claim: list(r.reasons).any(|x| x == "twin_accepted"),
    })
}

/// Reads the job's tables, applies its reject rules and exclusions (they join `inputs`), and
/// returns the accepted rows of the year with the roster they name.
pub fn read(inputs: &mut InputSet) -> Result<Read> {
    let mut rejects: Vec<(&str, Vec<Reject>)> = Vec::new();
    let mut exclusions: Vec<(&str, Vec<Exclusion>)> = Vec::new();
    let read = {
        let t = inputs.table(REQUESTS)?;
        let request_rows: Vec<RequestRow> = rows(t)?;
        let numbers: Vec<u64> = t.row_numbers().collect();
        let notice_table = inputs.get(NOTICES);
        let notice_rows: Vec<NoticeRow> = notice_table.map(rows).transpose()?.unwrap_or_default();
        let notice_numbers: Vec<u64> = notice_table
            .map(|t| t.row_numbers().collect())
            .unwrap_or_default();
        let mut named: HashSet<&str> = request_rows.iter().map(|r| r.student_id).collect();
        named.extend(notice_rows.iter().map(|r| r.student_id));
        let guardians = inputs
            .get("contacts")
            .map(|c| Guardians::read(c, &named))
            .transpose()?;
        let mut all: HashSet<&str> = named.clone();
        if let Some(g) = &guardians {
            all.extend(g.all_students());
        }
        let roster = roster::load(inputs, &all)?;

        let g = guardians.as_ref();
        let requests = sort_requests(REQUESTS, &request_rows, &numbers, &roster, g, request)?;
        let notices = sort_requests(NOTICES, &notice_rows, &notice_numbers, &roster, g, notice)?;
        rejects.push((REQUESTS, requests.rejects));
        exclusions.push((REQUESTS, requests.excluded));
        rejects.push((NOTICES, notices.rejects));
        exclusions.push((NOTICES, notices.excluded));
        let (requests, notices) = (requests.rows, notices.rows);

        let history: Vec<History> = inputs
            .get(HISTORY)
            .map(rows)
            .transpose()?
            .unwrap_or_default();
        let program_rows: Vec<ProgramRow> = inputs
            .get(PROGRAMS)
            .map(rows)
            .transpose()?
            .unwrap_or_default();
        let programs = program_rows
            .iter()
            .map(|r| (r.student_id.to_string(), r.school_year))
            .collect();
        Read {
            roster,
            guardians,
            requests,
            history,
            notices,
            programs,
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
