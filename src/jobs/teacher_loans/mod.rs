//! Job `teacher-loans` (teacher-loans.md; circular 004): each year the colleges of education
//! send their applicants, and the ministry decides who gets a preferred conditional loan, a
//! regular conditional loan, a Pais scholarship, and, in a second round, a regular loan for
//! late applicants and appeals — all under a budget. Pure functions: no file and no clock;
//! `app::teacher_loans` reads the tables and writes the outputs.
//!
//! The steps, in the order of the spec:
//! 1. [`inputs`] — the typed rows of `colleges`, `loan_applications`, `ragav_list`, `budget`.
//! 2. [`preferred`] — the checks of each Table B row (§A.7–§A.10) and the ranking key; the
//!    budget walk of [`allocation`] grants down the list (`skip` or `stop`).
//! 3. [`regular`] and [`amounts`] — regular loans of round 1 (§6): eligibility, credit points,
//!    the share of each, and the round's maximum, exact, on the budget the preferred loans
//!    left.
//! 4. [`pais`] — Pais scholarships (§B), for applicants with a conditional loan.
//! 5. [`regular`] again — round 2 (§6.7), late applicants and appeals, on what round 1 left,
//!    with a maximum no higher than round 1's.
//! 6. [`approvals`] — guarantors by amount (§A.3), work obligations (§A.11), validity dates.
//! 7. [`outputs`] — the tables and the per-college lists.
//!
//! [`decide`](mod@decide) runs steps 2–6 in that order.
pub mod allocation;
pub mod amounts;
pub mod approvals;
pub mod decide;
pub mod inputs;
pub mod outputs;
pub mod pais;
pub mod params;
pub mod preferred;
pub mod reasons;
pub mod regular;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::jobs::JobReport;
use crate::output::table::OutputTable;
use crate::table::rows::rows;
use crate::table::validate::TableNeed;
use crate::table::InputSet;
use decide::{decide, Context, Decisions};
use inputs::{Applicant, BudgetLine, College, Ragav};
use params::Params;
use preferred::CollegeFacts;
use std::collections::{BTreeMap, HashSet};

/// The tables the job reads, all required.
pub const TABLES: [TableNeed; 4] = [
    TableNeed::new("colleges", true),
    TableNeed::new("loan_applications", true),
    TableNeed::new("ragav_list", true),
    TableNeed::new("budget", true),
];

/// The list parameters the schemas' `in_parameter` checks read: the program keys of Table B.
pub fn check_params(programs: Vec<String>) -> BTreeMap<String, Vec<String>> {
    BTreeMap::from([("programs".to_string(), programs)])
}

/// The two budget lines of the year, in shekels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Conditional loans, preferred and regular.
    pub loans: i64,
    /// Pais scholarships.
    pub pais: i64,
}

impl Budget {
    /// The lines of the `budget` table; a missing line is a configuration error.
    pub fn of(lines: &[BudgetLine]) -> Result<Budget> {
        let line = |name: &str| {
            lines
                .iter()
                .find(|l| l.line == name)
                .map(|l| l.amount)
                .ok_or_else(|| {
                    Error::config(
                        "budget",
                        None,
                        format!("the budget table has no `{name}` line; it needs one row for each of `loans` and `pais`"),
                    )
                })
        };
        Ok(Budget {
            loans: line("loans")?,
            pais: line("pais")?,
        })
    }
}

/// The year's decisions from the validated inputs, with the typed rows they index.
pub struct Year {
    pub colleges: Vec<College>,
    pub applicants: Vec<Applicant>,
    pub decisions: Decisions,
}

/// Reads the typed rows and decides the year.
pub fn year(p: &Params, inputs: &InputSet, report: &mut JobReport) -> Result<Year> {
    let colleges: Vec<College> = rows(inputs.table("colleges")?)?;
    let applicants: Vec<Applicant> = rows(inputs.table("loan_applications")?)?;
    let ragav: Vec<Ragav> = rows(inputs.table("ragav_list")?)?;
    let budget = Budget::of(&rows::<BudgetLine>(inputs.table("budget")?)?)?;
    let facts: BTreeMap<String, CollegeFacts> = colleges
        .iter()
        .map(|c| (c.college_id.clone(), CollegeFacts::from(c)))
        .collect();
    let ragav: HashSet<String> = ragav.into_iter().map(|r| r.applicant_id).collect();
    let ctx = Context {
        colleges: &facts,
        ragav: &ragav,
    };
    let decisions = report
        .steps
        .run("decide", || decide(&applicants, &ctx, budget, p));
    report
        .reconciliation
        .insert("teacher-loans".into(), counts(&applicants, &decisions));
    Ok(Year {
        colleges,
        applicants,
        decisions,
    })
}

/// Runs the job: the decisions of the year as output tables.
pub fn run(p: &Params, inputs: &InputSet, report: &mut JobReport) -> Result<Vec<OutputTable>> {
    let y = year(p, inputs, report)?;
    report.steps.run("outputs", || {
        outputs::tables(&y.colleges, &y.applicants, &y.decisions)
    })
}

/// The counts of the manifest's reconciliation: applicants, approvals per kind and round,
/// rejections per item.
fn counts(apps: &[Applicant], d: &Decisions) -> BTreeMap<String, i64> {
    let mut c = BTreeMap::new();
    c.insert("applicants".to_string(), apps.len() as i64);
    for ap in &d.approvals {
        let key = format!("{}_loans_round_{}", ap.kind.as_str(), ap.round.number());
        *c.entry(key).or_insert(0) += 1;
        if ap.scholarship.is_some() {
            *c.entry("scholarships".to_string()).or_insert(0) += 1;
        }
    }
    for r in &d.rejections {
        *c.entry(format!("rejected_{}", r.item.as_str()))
            .or_insert(0) += 1;
    }
    c
}
