//! Job `special-sessions` (gifted.md §6.2; standing order 0207 §6, §1.7): the accommodations
//! committee's decisions become each student's outcome and, for approved students, a seat in an
//! adapted session; language-adapted test requests are decided on the student's immigration or
//! years abroad. Pure functions: no file and no clock; `app::special_sessions` reads the tables
//! and writes the outputs.
//!
//! The steps, in the order of the spec:
//! 1. [`inputs`] — the typed rows of `accommodation_decisions` and `language_test_requests`,
//!    with the job's reject rules (`accommodation_unknown`, `accommodations_missing`,
//!    `requester_not_guardian`) and the rows of another school year excluded.
//! 2. [`accommodation`] — each decision's outcome (§6.1.ז, §6.1.ט).
//! 3. [`sessions`] — the adapted sessions: groups, and the students dealt into sessions of at
//!    most `adapted_session_size` whose sizes differ by at most one; `separate_room` alone
//!    (§6.1.יד.1).
//! 4. [`language`] — each language request's decision, with the grade at immigration (§6.2,
//!    §1.7).
//! 5. [`outputs`] — `accommodation_outcomes`, `adapted_sessions`, `language_decisions`.
//! 6. [`letters`] — a letter to the guardians for each decision, its rule in words (§7).
pub mod accommodation;
pub mod inputs;
pub mod language;
pub mod letters;
pub mod outputs;
pub mod sessions;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::jobs::gifted_requests::{self, roster};
use crate::jobs::letters::{LetterParams, Templates};
use crate::jobs::JobReport;
use crate::output::table::Written;
use crate::rules::date::school_date::SchoolDate;
use crate::table::validate::TableNeed;
use crate::table::InputSet;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tables the job reads: the roster, and the two request tables (at least one of them).
pub const TABLES: [TableNeed; 7] = [
    roster::TABLES[0],
    roster::TABLES[1],
    roster::TABLES[2],
    roster::TABLES[3],
    roster::TABLES[4],
    TableNeed::new(inputs::ACCOMMODATIONS, false),
    TableNeed::new(inputs::LANGUAGE, false),
];

/// The request tables, whose `student_id`s name the students the roster is read for
/// (`gifted_requests::roster::selector`).
pub const REQUEST_TABLES: [&str; 2] = [inputs::ACCOMMODATIONS, inputs::LANGUAGE];

/// `[language]` (0207 §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageParams {
    pub returning_min_years_abroad: i64,
    pub elementary_min_grade_at_immigration: i64,
    pub secondary_min_grade_at_immigration: i64,
}

/// The job's parameters, checked (`pipeline::special_sessions` builds them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub deadline: SchoolDate,
    /// At least 1.
    pub adapted_session_size: usize,
    /// (month, day) from which an arrival starts the next school year in Israel.
    pub immigration_year_starts: (u32, u32),
    pub language: LanguageParams,
}

/// The `deadline` of every school year of `years`; a day the year lacks is a configuration
/// error naming the parameter.
pub fn deadlines(
    p: &Params,
    years: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, NaiveDate>> {
    let mut out = BTreeMap::new();
    for y in years {
        if let std::collections::btree_map::Entry::Vacant(e) = out.entry(y) {
            let d = p.deadline.in_school_year(y).map_err(|why| {
                Error::config("deadline", Some(format!("\"{}\"", p.deadline)), why)
            })?;
            e.insert(d);
        }
    }
    Ok(out)
}

/// Everything the job decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decided {
    /// By (student_id, stage).
    pub outcomes: Vec<accommodation::Outcome>,
    /// In the output's order.
    pub seats: Vec<sessions::Seat>,
    /// By (student_id, stage).
    pub language: Vec<language::LanguageDecision>,
}

/// Decides the accepted rows.
pub fn decide(p: &Params, read: &inputs::Read) -> Result<Decided> {
    let years = (read.accommodations.iter().map(|r| r.school_year))
        .chain(read.language.iter().map(|r| r.school_year));
    let deadlines = deadlines(p, years)?;
    let outcomes = accommodation::outcomes(&deadlines, &read.accommodations, &read.roster)?;
    let seats = sessions::deal(p.adapted_session_size, &sessions::groups(&outcomes));
    let language = language::decisions(p, &deadlines, &read.language, &read.roster)?;
    Ok(Decided {
        outcomes,
        seats,
        language,
    })
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
        .run("decide and deal sessions", || decide(p, &read))?;
    let mut counts = BTreeMap::new();
    counts.insert(
        "accommodation_decisions".to_string(),
        read.accommodations.len() as i64,
    );
    counts.insert(
        "language_test_requests".to_string(),
        read.language.len() as i64,
    );
    for o in &decided.outcomes {
        *counts
            .entry(format!("accommodation_rule_{}", o.rule.as_str()))
            .or_insert(0) += 1;
    }
    for l in &decided.language {
        *counts
            .entry(format!("language_rule_{}", l.rule.as_str()))
            .or_insert(0) += 1;
    }
    let sessions: std::collections::BTreeSet<_> = decided
        .seats
        .iter()
        .map(|s| (s.group.clone(), s.session_no))
        .collect();
    counts.insert("adapted_sessions".to_string(), sessions.len() as i64);
    report
        .reconciliation
        .insert("special_sessions".to_string(), counts);
    let tables = report
        .steps
        .run("outputs", || outputs::tables(&decided, &read))?;
    emit(Written::Tables(tables));
    gifted_requests::letters::write(
        "special_sessions",
        letters,
        inputs,
        &read.roster,
        letters::requests(&decided),
        templates,
        report,
        emit,
    )
}
