//! Job `special-ed-baskets` (special-ed-baskets.md; source 003, amendment 11 to the Special
//! Education Law): the eligibility and characterization committees' records checked for
//! compliance, and each student's support entitlement with totals per authority and school.
//! Pure functions: no file and no clock (the `as_of` day comes in as an argument);
//! `app::special_ed` reads the tables and writes the outputs.
//!
//! The steps, in the order of the spec:
//! 1. [`inputs`] — the typed rows of the three tables and the job's reject rules ("Inputs").
//! 2. [`decisions`] — each decision's receipt date, the parents' choice and its status, the
//!    objection deadline, and each student's final decision (§1).
//! 3. [`checks`] — every compliance check of a meeting, one violation or warning each (§2).
//! 4. [`entitlements`] — the support each student is owed, in exact hours (§3).
//! 5. [`totals`] — entitlements summed per institution and per authority, small counts of
//!    the public table suppressed (§3 "Totals").
//! 6. [`outputs`] — the output tables (all but `totals` under `confidential/`).
pub mod checks;
pub mod decisions;
pub mod entitlements;
pub mod hours;
pub mod inputs;
pub mod outputs;
pub mod totals;

#[cfg(test)]
mod tests;

pub use inputs::{
    read, Choice, Decision, Disability, Meeting, Records, Referral, Role, Split, Stage,
};

use crate::error::Result;
use crate::jobs::JobReport;
use crate::output::table::OutputTable;
use crate::rules::fraction::Ratio;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The days of one school year that the rules compare with (each a parameter placed in the
/// referral's school year; "D(mm-dd)" of the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearDates {
    pub referral_deadline: NaiveDate,
    pub proof_deadline: NaiveDate,
    pub diagnosis_deadline: NaiveDate,
    pub season_start: NaiveDate,
    pub season_start_first_year: NaiveDate,
    pub season_end: NaiveDate,
    pub renewal_window_end: NaiveDate,
    pub first_time_window_start: NaiveDate,
}

/// Aide hours worth one basket hour, by stage ("לתשומת הלב").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AideRates {
    pub kindergarten: Ratio,
    pub elementary: Ratio,
    pub middle: Ratio,
    pub high: Ratio,
}

impl AideRates {
    pub fn of(&self, stage: Stage) -> Ratio {
        match stage {
            Stage::Kindergarten => self.kindergarten,
            Stage::Elementary => self.elementary,
            Stage::Middle => self.middle,
            Stage::High => self.high,
        }
    }
}

/// The job's parameters, checked (`pipeline::special_ed` builds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The roles of the legal quorum ("המניין החוקי").
    pub quorum_roles: Vec<Role>,
    /// Disabilities the level minimums apply to.
    pub minimum_applies_to: Vec<Disability>,
    /// The dates of every school year of the data.
    pub years: BTreeMap<i64, YearDates>,
    pub reform_first_year: i64,
    pub min_invitation_days: i64,
    pub decision_days: i64,
    pub presumed_receipt_days: i64,
    pub choice_days: i64,
    pub objection_days: i64,
    /// Minimum weekly aide hours of levels 1–4 (index 0 = level 1).
    pub min_aide_hours: [Ratio; 4],
    pub aide_rate: AideRates,
    pub guidance_hours: Ratio,
    pub split_tolerance_aide_hours: Ratio,
    pub min_cell: i64,
}

impl Params {
    /// The dates of `school_year`. Every year of the data has them (`pipeline::special_ed`
    /// resolves them before the job runs).
    pub fn dates(&self, school_year: i64) -> Result<&YearDates> {
        self.years.get(&school_year).ok_or_else(|| {
            crate::error::Error::Job(format!("no dates resolved for school year {school_year}"))
        })
    }
}

/// The job's tables from its accepted records, judged as of `as_of`. Counts go to
/// `report.reconciliation` (`special_ed`: decisions, entitlements, violations by rule).
pub fn run(
    params: &Params,
    as_of: NaiveDate,
    records: &Records,
    report: &mut JobReport,
) -> Result<Vec<OutputTable>> {
    let computed = report.steps.run("decisions, checks and entitlements", || {
        compute(params, as_of, records)
    })?;
    let mut counts = BTreeMap::new();
    counts.insert("decisions".to_string(), computed.decisions.len() as i64);
    counts.insert(
        "entitlements".to_string(),
        computed.entitlements.len() as i64,
    );
    counts.insert("violations".to_string(), computed.violations.len() as i64);
    for v in &computed.violations {
        *counts.entry(format!("rule_{}", v.rule.name())).or_insert(0) += 1;
    }
    report
        .reconciliation
        .insert("special_ed_baskets".to_string(), counts);
    report
        .steps
        .run("outputs", || outputs::tables(&computed, params.min_cell))
}

/// Everything the job decides, before it becomes tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// One per accepted decision, by meeting_id.
    pub decisions: Vec<decisions::DecisionOutcome>,
    /// One per student and school year whose final decision is eligible, by (school_year,
    /// student_id).
    pub entitlements: Vec<entitlements::Entitlement>,
    /// By (meeting_id, rule).
    pub violations: Vec<checks::Violation>,
}

/// §1–§3 on the accepted records.
pub fn compute(params: &Params, as_of: NaiveDate, records: &Records) -> Result<Computed> {
    let case = decisions::Cases::new(records);
    let outcomes = decisions::outcomes(params, as_of, &case)?;
    // The checks and the entitlements read the same cases and never each other (a violation
    // never changes an entitlement): they run side by side.
    let (violations, entitlements) = rayon::join(
        || checks::violations(params, as_of, &case, &outcomes),
        || entitlements::entitlements(params, &case, &outcomes),
    );
    let (violations, entitlements) = (violations?, entitlements?);
    Ok(Computed {
        decisions: decisions::by_meeting_id(outcomes),
        entitlements,
        violations,
    })
}
