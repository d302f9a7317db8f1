//! The output tables of `special-ed-baskets` (special-ed-baskets.md "Outputs"): every
//! per-student table and the totals per institution under `confidential/` (special-education
//! status is health information), the public `totals` per authority with small counts
//! suppressed. Hours are written as the nearest double of their exact value, whose shortest
//! decimal is that value (`hours::to_f64`).
use super::checks::Violation;
use super::decisions::DecisionOutcome;
use super::entitlements::Entitlement;
use super::hours::{show, to_f64};
use super::totals::{suppress, totals, Published, Totals};
use super::Computed;
use crate::error::{Error, Result};
use crate::output::rows::table;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame};
use serde::Serialize;
use std::collections::BTreeMap;

pub const DECISIONS: &str = "confidential/decisions";
pub const ENTITLEMENTS: &str = "confidential/entitlements";
pub const VIOLATIONS: &str = "confidential/violations";
pub const TOTALS_BY_INSTITUTION: &str = "confidential/totals_by_institution";
pub const TOTALS: &str = "totals";
/// Frames only the run's report reads (never written; no ID of a student in them).
pub const REPORT_VIOLATIONS: &str = "report/special_ed_violations";
pub const REPORT_BASKETS: &str = "report/special_ed_baskets";

/// serde: an optional date as its days since 1970-01-01, which is what the output's date
/// column holds (the date goes there without a round trip through its text).
fn days<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&crate::rules::date::to_days(*d)),
        None => s.serialize_none(),
    }
}

#[derive(Serialize)]
struct DecisionOut<'a> {
    meeting_id: &'a str,
    student_id: &'a str,
    school_year: i64,
    eligible: bool,
    functioning_level: Option<u8>,
    setting: Option<&'static str>,
    choice_status: Option<&'static str>,
    committee_decides_setting: bool,
    #[serde(serialize_with = "days")]
    decision_sent_on: Option<NaiveDate>,
    #[serde(serialize_with = "days")]
    received_on: Option<NaiveDate>,
    received_on_presumed: bool,
    #[serde(serialize_with = "days")]
    objection_deadline: Option<NaiveDate>,
}

fn decision_out(d: &DecisionOutcome) -> DecisionOut<'_> {
    DecisionOut {
        meeting_id: &d.meeting_id,
        student_id: &d.student_id,
        school_year: d.school_year,
        eligible: d.eligible,
        functioning_level: d.functioning_level,
        setting: d.setting.map(|s| s.as_str()),
        choice_status: d.choice_status.map(|s| s.as_str()),
        committee_decides_setting: d.committee_decides_setting,
        decision_sent_on: d.decision_sent_on,
        received_on: d.received_on,
        received_on_presumed: d.received_on_presumed,
        objection_deadline: d.objection_deadline,
    }
}

#[derive(Serialize)]
struct EntitlementOut<'a> {
    student_id: &'a str,
    school_year: i64,
    implementation_year: i64,
    meeting_id: &'a str,
    authority_id: &'a str,
    institution_id: &'a str,
    functioning_level: u8,
    education_stage: &'static str,
    setting: &'static str,
    basket_hours: f64,
    aide_rate: f64,
    aide_hours_equivalent: f64,
    split_status: &'static str,
    split_teaching: Option<f64>,
    split_therapy: Option<f64>,
    split_aide: Option<f64>,
    guidance_hours: f64,
}

fn entitlement_out(e: &Entitlement) -> EntitlementOut<'_> {
    EntitlementOut {
        student_id: &e.student_id,
        school_year: e.school_year,
        implementation_year: e.implementation_year,
        meeting_id: &e.meeting_id,
        authority_id: &e.authority_id,
        institution_id: &e.institution_id,
        functioning_level: e.functioning_level,
        education_stage: e.education_stage.as_str(),
        setting: e.setting.as_str(),
        basket_hours: to_f64(e.basket_hours),
        aide_rate: to_f64(e.aide_rate),
        aide_hours_equivalent: to_f64(e.aide_hours_equivalent),
        split_status: e.split_status.as_str(),
        split_teaching: e.split.map(|s| to_f64(s.teaching)),
        split_therapy: e.split.map(|s| to_f64(s.therapy)),
        split_aide: e.split.map(|s| to_f64(s.aide)),
        guidance_hours: to_f64(e.guidance_hours),
    }
}

#[derive(Serialize)]
struct ViolationOut<'a> {
    meeting_id: &'a str,
    student_id: &'a str,
    school_year: i64,
    rule: &'static str,
    severity: &'static str,
    responsible: &'static str,
    detail: &'a str,
}

fn violation_out(v: &Violation) -> ViolationOut<'_> {
    ViolationOut {
        meeting_id: &v.meeting_id,
        student_id: &v.student_id,
        school_year: v.school_year,
        rule: v.rule.name(),
        severity: v.rule.severity(),
        responsible: v.rule.responsible(),
        detail: &v.detail,
    }
}

#[derive(Serialize)]
struct InstitutionTotalsOut<'a> {
    implementation_year: i64,
    institution_id: &'a str,
    n_students: i64,
    n_level_1: i64,
    n_level_2: i64,
    n_level_3: i64,
    n_level_4: i64,
    n_integration: i64,
    basket_hours: f64,
    aide_hours_equivalent: f64,
    guidance_hours: f64,
}

fn institution_out(t: &Totals) -> InstitutionTotalsOut<'_> {
    let [n_level_1, n_level_2, n_level_3, n_level_4] = t.n_level;
    InstitutionTotalsOut {
        implementation_year: t.implementation_year,
        institution_id: &t.unit,
        n_students: t.n_students,
        n_level_1,
        n_level_2,
        n_level_3,
        n_level_4,
        n_integration: t.n_integration,
        basket_hours: to_f64(t.basket_hours),
        aide_hours_equivalent: to_f64(t.aide_hours_equivalent),
        guidance_hours: to_f64(t.guidance_hours),
    }
}

#[derive(Serialize)]
struct AuthorityTotalsOut<'a> {
    implementation_year: i64,
    authority_id: &'a str,
    n_students: Option<i64>,
    n_level_1: Option<i64>,
    n_level_2: Option<i64>,
    n_level_3: Option<i64>,
    n_level_4: Option<i64>,
    n_integration: Option<i64>,
    basket_hours: f64,
    aide_hours_equivalent: f64,
    guidance_hours: Option<f64>,
}

fn authority_out(t: &Published) -> AuthorityTotalsOut<'_> {
    let [n_level_1, n_level_2, n_level_3, n_level_4] = t.n_level;
    AuthorityTotalsOut {
        implementation_year: t.implementation_year,
        authority_id: &t.unit,
        n_students: t.n_students,
        n_level_1,
        n_level_2,
        n_level_3,
        n_level_4,
        n_integration: t.n_integration,
        basket_hours: to_f64(t.basket_hours),
        aide_hours_equivalent: to_f64(t.aide_hours_equivalent),
        guidance_hours: t.guidance_hours.map(to_f64),
    }
}

/// The totals of both tables: per institution (exact, unsuppressed) and per authority
/// (published).
pub fn all_totals(entitlements: &[Entitlement], min_cell: i64) -> (Vec<Totals>, Vec<Published>) {
    rayon::join(
        || totals(entitlements, |e| &e.institution_id),
        || {
            (totals(entitlements, |e| &e.authority_id).iter())
                .map(|t| suppress(t, min_cell))
                .collect()
        },
    )
}

/// For the run's report: the violations counted per (authority_id, rule), by authority_id
/// then rule name — columns authority_id, rule, n.
pub fn report_violations(violations: &[Violation]) -> Result<DataFrame> {
    let mut n: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for v in violations {
        *n.entry((v.authority_id.as_str(), v.rule.name()))
            .or_insert(0) += 1;
    }
    DataFrame::new(
        n.len(),
        vec![
            Column::new(
                "authority_id".into(),
                n.keys().map(|k| k.0).collect::<Vec<_>>(),
            ),
            Column::new("rule".into(), n.keys().map(|k| k.1).collect::<Vec<_>>()),
            Column::new("n".into(), n.values().copied().collect::<Vec<i64>>()),
        ],
    )
    .map_err(|e| Error::Job(format!("{REPORT_VIOLATIONS}: {e}")))
}

/// For the run's report: the entitlements per (implementation_year, functioning_level) —
/// columns implementation_year, functioning_level, n_students, n_integration and the exact
/// sums of basket_hours, aide_hours_equivalent and guidance_hours as decimal text.
pub fn report_baskets(entitlements: &[Entitlement]) -> Result<DataFrame> {
    const LEVELS: [&str; 5] = ["0", "1", "2", "3", "4"];
    let rows = totals(entitlements, |e| {
        LEVELS
            .get(usize::from(e.functioning_level))
            .copied()
            .unwrap_or("0")
    });
    let text =
        |f: &dyn Fn(&Totals) -> Ratio| -> Vec<String> { rows.iter().map(|t| show(f(t))).collect() };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new(
                "implementation_year".into(),
                rows.iter()
                    .map(|t| t.implementation_year)
                    .collect::<Vec<i64>>(),
            ),
            Column::new(
                "functioning_level".into(),
                rows.iter().map(|t| t.unit.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "n_students".into(),
                rows.iter().map(|t| t.n_students).collect::<Vec<i64>>(),
            ),
            Column::new(
                "n_integration".into(),
                rows.iter().map(|t| t.n_integration).collect::<Vec<i64>>(),
            ),
            Column::new("basket_hours".into(), text(&|t| t.basket_hours)),
            Column::new(
                "aide_hours_equivalent".into(),
                text(&|t| t.aide_hours_equivalent),
            ),
            Column::new("guidance_hours".into(), text(&|t| t.guidance_hours)),
        ],
    )
    .map_err(|e| Error::Job(format!("{REPORT_BASKETS}: {e}")))
}

/// The five tables of the job (each built on its own; the per-student tables side by side),
/// then the report's two frames.
pub fn tables(c: &Computed, min_cell: i64) -> Result<Vec<OutputTable>> {
    let ((decisions, entitlements), (violations, totals)) = rayon::join(
        || {
            rayon::join(
                || {
                    let rows: Vec<_> = c.decisions.iter().map(decision_out).collect();
                    table(DECISIONS, &rows, Formats::Parquet)
                },
                || {
                    let rows: Vec<_> = c.entitlements.iter().map(entitlement_out).collect();
                    table(ENTITLEMENTS, &rows, Formats::Parquet)
                },
            )
        },
        || {
            let violations: Vec<_> = c.violations.iter().map(violation_out).collect();
            let violations = table(VIOLATIONS, &violations, Formats::Parquet);
            let (by_institution, by_authority) = all_totals(&c.entitlements, min_cell);
            let institutions: Vec<_> = by_institution.iter().map(institution_out).collect();
            let authorities: Vec<_> = by_authority.iter().map(authority_out).collect();
            let totals = table(TOTALS_BY_INSTITUTION, &institutions, Formats::Parquet)
                .and_then(|i| Ok((i, table(TOTALS, &authorities, Formats::ParquetAndCsv)?)));
            (violations, totals)
        },
    );
    // The first error in the tables' order, as when they were built one after the other.
    let (decisions, entitlements, violations) = (decisions?, entitlements?, violations?);
    let (institutions, authorities): (OutputTable, OutputTable) = totals?;
    Ok(vec![
        decisions,
        entitlements,
        violations,
        institutions,
        authorities,
        OutputTable::for_report(REPORT_VIOLATIONS, report_violations(&c.violations)?),
        OutputTable::for_report(REPORT_BASKETS, report_baskets(&c.entitlements)?),
    ])
}
