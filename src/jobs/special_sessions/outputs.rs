//! The output tables of `special-sessions` (data-contract.md "Retests and special sessions"),
//! each Parquet and CSV: `accommodation_outcomes` and `adapted_sessions` when
//! `accommodation_decisions` was given, `language_decisions` when `language_test_requests` was.
//! None holds a score; the accommodations themselves are the committee's decision, listed for
//! the sessions' organisers.
use super::inputs::Read;
use super::Decided;
use crate::error::Result;
use crate::jobs::gifted_requests::Stage;
use crate::output::rows::table;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use serde::Serialize;
use std::collections::HashMap;

pub const OUTCOMES: &str = "accommodation_outcomes";
pub const SESSIONS: &str = "adapted_sessions";
pub const LANGUAGE: &str = "language_decisions";

#[derive(Serialize)]
struct OutcomeOut<'a> {
    student_id: &'a str,
    school_year: Option<i64>,
    stage: Stage,
    decision: &'static str,
    rule: &'static str,
}

#[derive(Serialize)]
struct SeatOut<'a> {
    student_id: &'a str,
    school_year: Option<i64>,
    stage: Stage,
    sector: &'static str,
    region_id: &'a str,
    accommodations: &'a str,
    session_no: u64,
    session_size: u64,
}

#[derive(Serialize)]
struct LanguageOut<'a> {
    student_id: &'a str,
    school_year: Option<i64>,
    stage: Stage,
    language: super::inputs::Language,
    decision: &'static str,
    rule: &'static str,
}

/// The job's tables, each in its spec's row order.
pub fn tables(d: &Decided, read: &Read) -> Result<Vec<OutputTable>> {
    // The school year of each decided row, from the row it decides.
    let accommodation_year: HashMap<(&str, Stage), i64> = (read.accommodations.iter())
        .map(|r| ((r.student_id.as_str(), r.stage), r.school_year))
        .collect();
    let language_year: HashMap<(&str, Stage), i64> = (read.language.iter())
        .map(|r| ((r.student_id.as_str(), r.stage), r.school_year))
        .collect();
    let year = |of: &HashMap<(&str, Stage), i64>, id: &str, stage| of.get(&(id, stage)).copied();
    let mut out = Vec::new();
    if read.has_accommodations {
        let outcomes: Vec<OutcomeOut> = d
            .outcomes
            .iter()
            .map(|o| OutcomeOut {
                student_id: &o.student_id,
                school_year: year(&accommodation_year, &o.student_id, o.stage),
                stage: o.stage,
                decision: o.rule.decision(),
                rule: o.rule.as_str(),
            })
            .collect();
        let seats: Vec<SeatOut> = d
            .seats
            .iter()
            .map(|s| SeatOut {
                student_id: &s.student_id,
                school_year: year(&accommodation_year, &s.student_id, s.group.stage),
                stage: s.group.stage,
                sector: s.group.sector.as_str(),
                region_id: &s.group.region_id,
                accommodations: &s.group.accommodations,
                session_no: s.session_no as u64,
                session_size: s.session_size as u64,
            })
            .collect();
        out.push(table(OUTCOMES, &outcomes, Formats::ParquetAndCsv)?);
        out.push(table(SESSIONS, &seats, Formats::ParquetAndCsv)?);
    }
    if read.has_language {
        let rows: Vec<LanguageOut> = d
            .language
            .iter()
            .map(|l| LanguageOut {
                student_id: &l.student_id,
                school_year: year(&language_year, &l.student_id, l.stage),
                stage: l.stage,
                language: l.language,
                decision: l.rule.decision(),
                rule: l.rule.as_str(),
            })
            .collect();
        out.push(table(LANGUAGE, &rows, Formats::ParquetAndCsv)?);
    }
    Ok(out)
}
