//! What an approval carries besides its amount (teacher-loans.md §2, §3.3; circular 004 §A.3,
//! §A.11): the guarantors by amount, the work obligation, and the dates of the approval.
use super::params::{Params, TableB, Work};
use chrono::NaiveDate;

/// The kind of a conditional loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanKind {
    Preferred,
    Regular,
}

impl LoanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LoanKind::Preferred => "preferred",
            LoanKind::Regular => "regular",
        }
    }
}

/// §A.3: one guarantor for a loan up to the threshold (5,800), two above it.
pub fn guarantors(amount: i64, threshold: i64) -> i64 {
    if amount <= threshold {
        1
    } else {
        2
    }
}

/// §A.11: a new student owes `work_new` for any loan; a continuing student the row's work for
/// a preferred loan, `work_regular_continuing` for a regular one. `None` only for a continuing
/// student of a row without work (the settings refuse a row with a continuing loan and none).
pub fn work(kind: LoanKind, continuing: bool, row: Option<&TableB>, p: &Params) -> Option<Work> {
    if !continuing {
        return Some(p.work_new);
    }
    match kind {
        LoanKind::Regular => Some(p.work_regular_continuing),
        LoanKind::Preferred => {
            let row = row?;
            Some(Work {
                fraction: row.work_fraction?,
                years: row.work_years?,
            })
        }
    }
}

/// The last valid day of an approval issued on `issue` (§A.3: 45 days).
pub fn valid_until(issue: NaiveDate, days: i64) -> NaiveDate {
    crate::rules::date::add_days(issue, days.max(0)).unwrap_or(NaiveDate::MAX)
}
