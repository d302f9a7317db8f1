//! The output tables of `special-sessions` (data-contract.md "Retests and special sessions"),
//! each Parquet and CSV: `accommodation_outcomes` and `adapted_sessions` when
//! `accommodation_decisions` was given, `language_decisions` when `language_test_requests` was.
//! None holds a score; the accommodations themselves are the committee's decision, listed for
//! the sessions' organisers.
use super::Decided;
use crate::error::Result;
use crate::jobs::gifted_requests::Stage;
use crate::output::rows::table;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use serde::Serialize;

pub const OUTCOMES: &str = "accommodation_outcomes";
pub const SESSIONS: &str = "adapted_sessions";
pub const LANGUAGE: &str = "language_decisions";

#[derive(Serialize)]
struct OutcomeOut<'a> {
    student_id: &'a str,
    stage: Stage,
    decision: &'static str,
    rule: &'static str,
}

#[derive(Serialize)]
struct SeatOut<'a> {
    student_id: &'a str,
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
    stage: Stage,
    language: super::inputs::Language,
    decision: &'static str,
    rule: &'static str,
}

/// The job's tables, each in its spec's row order.
pub fn tables(d: &Decided, accommodations: bool, language: bool) -> Result<Vec<OutputTable>> {
    let mut out = Vec::new();
    if accommodations {
        let outcomes: Vec<OutcomeOut> = d
            .outcomes
            .iter()
            .map(|o| OutcomeOut {
                student_id: &o.student_id,
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
    if language {
        let rows: Vec<LanguageOut> = d
            .language
            .iter()
            .map(|l| LanguageOut {
                student_id: &l.student_id,
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
