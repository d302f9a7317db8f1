//! Job `retest-review` (gifted.md §6.1; standing order 0207 §5): the pre-screen of the
//! families' retest requests and absence notices, before the professional team decides. Pure
//! functions: no file and no clock; `app::retest_review` reads the tables and writes the
//! outputs.
//!
//! The steps, in the order of the spec:
//! 1. [`inputs`] — the typed rows of `retest_requests`, `retest_history`, `absence_notices` and
//!    `gifted_program_history`, with the job's reject rules (`composite_incomplete`,
//!    `reason_unknown`, `requester_not_guardian`) and the rows of another school year excluded.
//! 2. [`decide`] — each request's decision: the first rule of §6.1 that fails (institution,
//!    deadline §5.1.ט, one retest per stage §5.1.א, grade §5.1.ג–ד, ten months §5.1.ב/ז), or
//!    `all_conditions_met`; with its `earliest_test_date` and `previously_reached_threshold`.
//! 3. [`twins`] — the twin claim checked against the roster and the guardians (§5.1.ו).
//! 4. [`review`] — the order in which the team reviews the eligible requests (§5.1.ו).
//! 5. [`absence`] — each absence notice's decision (§5.2).
//! 6. [`outputs`] — `retest_decisions`, `confidential/retest_review_order`, `absence_decisions`.
//! 7. [`letters`] — a letter to the guardians for each decision, its rule in words (§7).
pub mod absence;
pub mod decide;
pub mod inputs;
pub mod letters;
pub mod outputs;
pub mod review;
pub mod twins;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::jobs::gifted_requests::{self, roster, Stage};
use crate::jobs::letters::{LetterParams, Templates};
use crate::jobs::JobReport;
use crate::output::table::Written;
use crate::rules::date::school_date::SchoolDate;
use crate::rules::fraction::Ratio;
use crate::table::validate::TableNeed;
use crate::table::InputSet;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tables the job reads: the roster, `retest_requests` (required) and the optional
/// history, absence notices and program history.
pub const TABLES: [TableNeed; 9] = [
    roster::TABLES[0],
    roster::TABLES[1],
    roster::TABLES[2],
    roster::TABLES[3],
    roster::TABLES[4],
    TableNeed::new(inputs::REQUESTS, true),
    TableNeed::new(inputs::HISTORY, false),
    TableNeed::new(inputs::NOTICES, false),
    TableNeed::new(inputs::PROGRAMS, false),
];

/// The request tables, whose `student_id`s name the students the roster is read for
/// (`gifted_requests::roster::selector`).
pub const REQUEST_TABLES: [&str; 2] = [inputs::REQUESTS, inputs::NOTICES];

/// A value per stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByStage<T> {
    pub elementary: T,
    pub secondary: T,
}

impl<T: Copy> ByStage<T> {
    pub fn of(&self, stage: Stage) -> T {
        match stage {
            Stage::Elementary => self.elementary,
            Stage::Secondary => self.secondary,
        }
    }
}

/// The grades that may ask for a retest (0207 §5.1.ג–ד).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grades {
    pub elementary_hebrew: Vec<i64>,
    pub elementary_arabic: Vec<i64>,
    pub secondary: Vec<i64>,
}

/// The job's parameters, checked (`pipeline::retest_review` builds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub deadline: SchoolDate,
    pub min_months_between_tests: u32,
    pub testing_period_end: ByStage<SchoolDate>,
    pub registration_deadline: ByStage<SchoolDate>,
    pub grades: Grades,
    /// `thresholds.gifted`, exact.
    pub threshold: Ratio,
    pub absence_notice_days: i64,
    pub lottery_seed: String,
}

/// The parameter dates placed in one school year Y (gifted.md §6 "Dates").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearDates {
    pub deadline: NaiveDate,
    pub testing_period_end: ByStage<NaiveDate>,
    pub registration_deadline: ByStage<NaiveDate>,
}

impl YearDates {
    /// The dates of school year `year`; a month-day the year lacks (29 February) or a full date
    /// outside the year is a configuration error naming the parameter.
    pub fn of(p: &Params, year: i64) -> Result<YearDates> {
        let place = |key: &str, d: SchoolDate| {
            d.in_school_year(year)
                .map_err(|e| Error::config(key, Some(format!("\"{d}\"")), e))
        };
        let by_stage = |key: &str, d: ByStage<SchoolDate>| -> Result<ByStage<NaiveDate>> {
            Ok(ByStage {
                elementary: place(&format!("{key}.elementary"), d.elementary)?,
                secondary: place(&format!("{key}.secondary"), d.secondary)?,
            })
        };
        Ok(YearDates {
            deadline: place("deadline", p.deadline)?,
            testing_period_end: by_stage("testing_period_end", p.testing_period_end)?,
            registration_deadline: by_stage("registration_deadline", p.registration_deadline)?,
        })
    }
}

/// The dates of every school year of `years`.
pub fn year_dates(
    p: &Params,
    years: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, YearDates>> {
    let mut out = BTreeMap::new();
    for y in years {
        if let std::collections::btree_map::Entry::Vacant(e) = out.entry(y) {
            e.insert(YearDates::of(p, y)?);
        }
    }
    Ok(out)
}

/// Runs the job on validated inputs: the job's rejects and exclusions join `inputs`, the
/// decisions become the output tables and the letters (their parameters from `letters`, given
/// the roster's school year), and the counts go to `report.reconciliation`.
pub fn run(
    p: &Params,
    letters: impl FnOnce(i64) -> Result<LetterParams>,
    templates: &Arc<Templates>,
    inputs: &mut InputSet,
    report: &mut JobReport,
    emit: &mut dyn FnMut(Written),
) -> Result<()> {
    let read = report
        .steps
        .run("read requests and roster", || inputs::read(inputs))?;
    let decided = report
        .steps
        .run("decide requests and notices", || decide::year(p, &read))?;
    let mut counts = BTreeMap::new();
    counts.insert("retest_requests".to_string(), read.requests.len() as i64);
    counts.insert("absence_notices".to_string(), read.notices.len() as i64);
    for d in &decided.requests {
        *counts
            .entry(format!("retest_rule_{}", d.rule.as_str()))
            .or_insert(0) += 1;
    }
    for d in &decided.absences {
        *counts
            .entry(format!("absence_rule_{}", d.rule.as_str()))
            .or_insert(0) += 1;
    }
    report
        .reconciliation
        .insert("retest_review".to_string(), counts);
    let tables = report.steps.run("outputs", || outputs::tables(&decided))?;
    let requests = letters::requests(p, &decided)?;
    emit(Written::Tables(tables));
    gifted_requests::letters::write(
        "retest_review",
        letters,
        inputs,
        &read.roster,
        requests,
        templates,
        report,
        emit,
    )
}
