//! The output rows of `teacher-loans` (teacher-loans.md "Outputs") and their tables: the
//! approvals, rejections, rankings and regular amounts under `confidential/` (they hold
//! scores' consequences, credit points and lottery numbers), the per-college lists of approved
//! applicants under `confidential/colleges/`, and the counts of `college_lists` and
//! `budget_summary`, which name no one.
use super::decide::{Approval, Decisions};
use super::inputs::{Applicant, College};
use crate::error::Result;
use crate::output::rows::{csv_list, table};
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use serde::Serialize;
use std::collections::BTreeMap;

/// One row of `confidential/approvals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalRow<'a> {
    pub applicant_id: &'a str,
    pub college_id: &'a str,
    pub round: i64,
    pub loan_kind: &'static str,
    pub program: &'a str,
    pub loan_amount: i64,
    pub guarantors: i64,
    pub scholarship_amount: i64,
    pub scholarship_hours: i64,
    pub issue_date: String,
    pub valid_until: String,
    pub work_obligation_fraction: Option<String>,
    pub work_obligation_years: Option<i64>,
}

/// One row of a college's list: its approval, without the college.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CollegeListRow<'a> {
    pub applicant_id: &'a str,
    pub round: i64,
    pub loan_kind: &'static str,
    pub program: &'a str,
    pub loan_amount: i64,
    pub guarantors: i64,
    pub scholarship_amount: i64,
    pub scholarship_hours: i64,
    pub issue_date: String,
    pub valid_until: String,
    pub work_obligation_fraction: Option<String>,
    pub work_obligation_years: Option<i64>,
}

/// One row of `confidential/rejections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectionRow<'a> {
    pub applicant_id: &'a str,
    pub college_id: &'a str,
    pub item: &'static str,
    pub round: i64,
    pub reasons: String,
}

/// One row of `confidential/ranking`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RankingRow<'a> {
    pub item: &'static str,
    pub round: i64,
    pub applicant_id: &'a str,
    pub lottery_number: u64,
    pub rank: i64,
    pub amount: i64,
    pub granted: bool,
}

/// One row of `confidential/regular_amounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegularAmountRow<'a> {
    pub applicant_id: &'a str,
    pub college_id: &'a str,
    pub round: i64,
    pub credit_points: i64,
    pub share: String,
    pub max_amount: i64,
    pub loan_amount: i64,
    pub granted: bool,
}

/// One row of `college_lists`: counts and totals, no one named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CollegeCounts {
    pub college_id: String,
    pub n_applicants: i64,
    pub n_preferred: i64,
    pub n_regular: i64,
    pub n_scholarships: i64,
    pub loans_total: i64,
    pub scholarships_total: i64,
}

/// One row of `budget_summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetSummaryRow {
    pub round: i64,
    pub line: &'static str,
    pub available: i64,
    pub allocated: i64,
    pub n_granted: i64,
    pub remaining: i64,
    pub max_amount: Option<i64>,
}

fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn approval_row<'a>(a: &'a Applicant, ap: &Approval) -> ApprovalRow<'a> {
    let (scholarship_amount, scholarship_hours) = ap.scholarship.unwrap_or((0, 0));
    ApprovalRow {
        applicant_id: &a.applicant_id,
        college_id: &a.college_id,
        round: ap.round.number(),
        loan_kind: ap.kind.as_str(),
        program: &a.program,
        loan_amount: ap.loan_amount,
        guarantors: ap.guarantors,
        scholarship_amount,
        scholarship_hours,
        issue_date: iso(ap.issue_date),
        valid_until: iso(ap.valid_until),
        work_obligation_fraction: ap.work.map(|w| w.fraction.0.to_string()),
        work_obligation_years: ap.work.map(|w| w.years),
    }
}

/// The approvals, sorted by (college_id, applicant_id).
pub fn approval_rows<'a>(apps: &'a [Applicant], d: &Decisions) -> Vec<ApprovalRow<'a>> {
    let mut rows: Vec<ApprovalRow> = d
        .approvals
        .iter()
        .map(|ap| approval_row(&apps[ap.applicant], ap))
        .collect();
    rows.sort_by(|a, b| (a.college_id, a.applicant_id).cmp(&(b.college_id, b.applicant_id)));
    rows
}

/// The rejections, sorted by (applicant_id, item).
pub fn rejection_rows<'a>(apps: &'a [Applicant], d: &Decisions) -> Vec<RejectionRow<'a>> {
    let mut rows: Vec<RejectionRow> = d
        .rejections
        .iter()
        .map(|r| RejectionRow {
            applicant_id: &apps[r.applicant].applicant_id,
            college_id: &apps[r.applicant].college_id,
            item: r.item.as_str(),
            round: r.round.number(),
            reasons: r.reasons.joined(),
        })
        .collect();
    rows.sort_by(|a, b| (a.applicant_id, a.item).cmp(&(b.applicant_id, b.item)));
    rows
}

/// The rankings, sorted by (item, rank).
pub fn ranking_rows<'a>(apps: &'a [Applicant], d: &Decisions) -> Vec<RankingRow<'a>> {
    let mut rows: Vec<RankingRow> = d
        .ranking
        .iter()
        .map(|r| RankingRow {
            item: r.item.as_str(),
            round: 1,
            applicant_id: &apps[r.applicant].applicant_id,
            lottery_number: r.lottery,
            rank: r.rank as i64,
            amount: r.amount,
            granted: r.granted,
        })
        .collect();
    rows.sort_by(|a, b| (a.item, a.rank).cmp(&(b.item, b.rank)));
    rows
}

/// The regular amounts, sorted by (round, applicant_id).
pub fn regular_rows<'a>(apps: &'a [Applicant], d: &Decisions) -> Vec<RegularAmountRow<'a>> {
    let mut rows: Vec<RegularAmountRow> = d
        .regular_amounts
        .iter()
        .map(|r| RegularAmountRow {
            applicant_id: &apps[r.applicant].applicant_id,
            college_id: &apps[r.applicant].college_id,
            round: r.round.number(),
            credit_points: r.points,
            share: r.share.text(),
            max_amount: r.max_amount,
            loan_amount: r.loan_amount,
            granted: r.granted,
        })
        .collect();
    rows.sort_by(|a, b| (a.round, a.applicant_id).cmp(&(b.round, b.applicant_id)));
    rows
}

/// Per college (every college), its applicants, loans and scholarships.
pub fn college_counts(
    colleges: &[College],
    apps: &[Applicant],
    d: &Decisions,
) -> Vec<CollegeCounts> {
    let mut by: BTreeMap<&str, CollegeCounts> = colleges
        .iter()
        .map(|c| {
            let row = CollegeCounts {
                college_id: c.college_id.clone(),
                ..CollegeCounts::default()
            };
            (c.college_id.as_str(), row)
        })
        .collect();
    for a in apps {
        if let Some(c) = by.get_mut(a.college_id.as_str()) {
            c.n_applicants += 1;
        }
    }
    for ap in &d.approvals {
        let Some(c) = by.get_mut(apps[ap.applicant].college_id.as_str()) else {
            continue;
        };
        match ap.kind {
            super::approvals::LoanKind::Preferred => c.n_preferred += 1,
            super::approvals::LoanKind::Regular => c.n_regular += 1,
        }
        c.loans_total += ap.loan_amount;
        if let Some((amount, _)) = ap.scholarship {
            c.n_scholarships += 1;
            c.scholarships_total += amount;
        }
    }
    by.into_values().collect()
}

/// The budget lines, sorted by (round, line).
pub fn budget_rows(d: &Decisions) -> Vec<BudgetSummaryRow> {
    let mut rows: Vec<BudgetSummaryRow> = d
        .budget
        .iter()
        .map(|b| BudgetSummaryRow {
            round: b.round.number(),
            line: b.line,
            available: b.available,
            allocated: b.allocated,
            n_granted: b.n_granted,
            remaining: b.available - b.allocated,
            max_amount: b.max_amount,
        })
        .collect();
    rows.sort_by(|a, b| (a.round, a.line).cmp(&(b.round, b.line)));
    rows
}

/// Every output table of the year.
pub fn tables(colleges: &[College], apps: &[Applicant], d: &Decisions) -> Result<Vec<OutputTable>> {
    let approvals = approval_rows(apps, d);
    let mut out = vec![
        table("confidential/approvals", &approvals, Formats::ParquetAndCsv)?,
        table(
            "confidential/rejections",
            &rejection_rows(apps, d),
            Formats::ParquetAndCsv,
        )?,
        table(
            "confidential/ranking",
            &ranking_rows(apps, d),
            Formats::ParquetAndCsv,
        )?,
        table(
            "confidential/regular_amounts",
            &regular_rows(apps, d),
            Formats::ParquetAndCsv,
        )?,
        table(
            "college_lists",
            &college_counts(colleges, apps, d),
            Formats::ParquetAndCsv,
        )?,
        table("budget_summary", &budget_rows(d), Formats::ParquetAndCsv)?,
    ];
    // Each college's list of its approved applicants, to act on (every college, possibly empty).
    let mut per_college: BTreeMap<&str, Vec<CollegeListRow>> = colleges
        .iter()
        .map(|c| (c.college_id.as_str(), Vec::new()))
        .collect();
    for a in approvals {
        if let Some(list) = per_college.get_mut(a.college_id) {
            list.push(CollegeListRow {
                applicant_id: a.applicant_id,
                round: a.round,
                loan_kind: a.loan_kind,
                program: a.program,
                loan_amount: a.loan_amount,
                guarantors: a.guarantors,
                scholarship_amount: a.scholarship_amount,
                scholarship_hours: a.scholarship_hours,
                issue_date: a.issue_date,
                valid_until: a.valid_until,
                work_obligation_fraction: a.work_obligation_fraction,
                work_obligation_years: a.work_obligation_years,
            });
        }
    }
    for (college, rows) in &per_college {
        out.push(csv_list(
            &format!("confidential/colleges/{college}"),
            "college_list",
            rows,
        )?);
    }
    Ok(out)
}
