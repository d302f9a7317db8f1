//! The output tables of `retest-review` (data-contract.md "Retests and special sessions"):
//! `retest_decisions` and `absence_decisions` (Parquet and CSV: people open them), and
//! `confidential/retest_review_order`, which holds the distance below the threshold and the
//! lottery number (they reveal scores).
use super::decide::Decided;
use crate::error::Result;
use crate::jobs::gifted_requests::Stage;
use crate::output::rows::table;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use chrono::NaiveDate;
use serde::Serialize;

pub const RETEST_DECISIONS: &str = "retest_decisions";
pub const REVIEW_ORDER: &str = "confidential/retest_review_order";
pub const ABSENCE_DECISIONS: &str = "absence_decisions";

#[derive(Serialize)]
struct DecisionOut<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    decision: &'static str,
    rule: &'static str,
    twin_verified: Option<bool>,
    previously_reached_threshold: bool,
    #[serde(with = "crate::rules::date::iso::option")]
    earliest_test_date: Option<NaiveDate>,
}

#[derive(Serialize)]
struct OrderOut<'a> {
    student_id: &'a str,
    school_year: Option<i64>,
    stage: Stage,
    distance_num: Option<i128>,
    distance_den: Option<i128>,
    lottery_number: u64,
    review_rank: u64,
}

#[derive(Serialize)]
struct AbsenceOut<'a> {
    student_id: &'a str,
    school_year: i64,
    stage: Stage,
    #[serde(with = "crate::rules::date::iso")]
    exam_date: NaiveDate,
    decision: &'static str,
    rule: &'static str,
}

/// The job's tables, each in its spec's row order.
pub fn tables(d: &Decided) -> Result<Vec<OutputTable>> {
    let decisions: Vec<DecisionOut> = d
        .requests
        .iter()
        .map(|r| DecisionOut {
            student_id: &r.student_id,
            school_year: r.school_year,
            stage: r.stage,
            decision: r.rule.decision(),
            rule: r.rule.as_str(),
            twin_verified: r.twin_verified,
            previously_reached_threshold: r.previously_reached_threshold,
            earliest_test_date: r.earliest_test_date,
        })
        .collect();
    // Each reviewed request's school year.
    let year_of: std::collections::HashMap<(&str, Stage), i64> = (d.requests.iter())
        .map(|r| ((r.student_id.as_str(), r.stage), r.school_year))
        .collect();
    let order: Vec<OrderOut> = d
        .order
        .iter()
        .map(|r| OrderOut {
            student_id: &r.student_id,
            school_year: year_of.get(&(r.student_id.as_str(), r.stage)).copied(),
            stage: r.stage,
            distance_num: r.distance.map(|x| x.num()),
            distance_den: r.distance.map(|x| x.den()),
            lottery_number: r.lottery_number,
            review_rank: r.review_rank,
        })
        .collect();
    let absences: Vec<AbsenceOut> = d
        .absences
        .iter()
        .map(|a| AbsenceOut {
            student_id: &a.student_id,
            school_year: a.school_year,
            stage: a.stage,
            exam_date: a.exam_date,
            decision: a.rule.decision(),
            rule: a.rule.as_str(),
        })
        .collect();
    Ok(vec![
        table(RETEST_DECISIONS, &decisions, Formats::ParquetAndCsv)?,
        table(REVIEW_ORDER, &order, Formats::Parquet)?,
        table(ABSENCE_DECISIONS, &absences, Formats::ParquetAndCsv)?,
    ])
}
