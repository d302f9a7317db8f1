//! What the two request jobs of gifted.md §6 share (`retest-review`, `special-sessions`; 0207
//! §5–§6): the stage of a request, the roster as a request sees it (the student's school year,
//! grade, sector and region, and whether their institution takes part), where a request row
//! stands before its job's rules (another school year, an institution that does not take part),
//! and the check that a request from the parents' portal was made by a legal guardian of the
//! student (`submitted_by`, source 001).
pub mod guardians;
pub mod letters;
pub mod roster;

pub use guardians::{check_requesters, requester_rejects, Guardians};
pub use roster::{Institution, Roster, Student};

use crate::error::Result;
use crate::table::{Exclusion, Reject};
use guardians::Requested;
use serde::Deserialize;
use std::collections::HashSet;

/// The stage a request is for (`stage` of every request table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Elementary,
    Secondary,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Elementary => "elementary",
            Stage::Secondary => "secondary",
        }
    }
}

crate::jobs::serialize_as_str!(Stage);

/// The reason of an exclusion and of the decision rule for a student of an institution that
/// does not take part (gifted.md §1, §6).
pub const NOT_PARTICIPATING: &str = "institution_not_participating";
/// The reason of an exclusion for a row of another school year (gifted.md §6).
pub const OTHER_SCHOOL_YEAR: &str = "other_school_year";

/// Where a request row stands before its job's rules (gifted.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing<'r> {
    /// The row's school year is not the student's roster year: an exclusion, not a request of
    /// this year (decided first — the row is not about the year the roster describes).
    OtherSchoolYear,
    /// The student's institution does not take part: the request is answered with the rule
    /// `institution_not_participating`, before every other rule.
    NotParticipating(&'r Student, &'r Institution),
    /// A request of the year, to be decided by the job's rules.
    Open(&'r Student, &'r Institution),
}

/// The standing of a row about `student_id` of school year `row_year`; `None` when the roster
/// lacks the student (validation's reference to `students` rejects such rows first).
pub fn standing<'r>(roster: &'r Roster, student_id: &str, row_year: i64) -> Option<Standing<'r>> {
    let (s, i) = roster.student(student_id)?;
    Some(if row_year != s.school_year {
        Standing::OtherSchoolYear
    } else if !i.participating {
        Standing::NotParticipating(s, i)
    } else {
        Standing::Open(s, i)
    })
}

/// The `exclusions` row for row `row_number` of `table`, of another school year.
pub fn other_year(table: &str, row_number: u64, student_id: &str) -> Exclusion {
    Exclusion {
        table: table.to_string(),
        row_number,
        student_id: student_id.to_string(),
        reason: OTHER_SCHOOL_YEAR.to_string(),
    }
}

/// A request whose student the roster lacks: validation's reference check to `students` rejects
/// those first, so this is a bug, said as one.
pub fn unknown_student(table: &str, id: &str) -> crate::error::Error {
    crate::error::Error::Job(format!(
        "{table}: student {id} is not in the roster although the reference was checked"
    ))
}

/// What [`sort_requests`] reads of a request table's row.
pub trait RequestRow {
    fn student_id(&self) -> &str;
    /// The legal guardian who made the request on the parents' portal (source 001), when the
    /// table has the column.
    fn submitted_by(&self) -> Option<&str>;
    fn school_year(&self) -> i64;
}

/// A request table's rows sorted before its job decides anything ([`sort_requests`]).
#[derive(Debug)]
pub struct SortedRequests<T> {
    /// The rows of the roster's school year, as the job made them, in the table's order.
    pub rows: Vec<T>,
    /// The rows rejected: by the job's own checks and for their requester.
    pub rejects: Vec<Reject>,
    /// The rows of another school year.
    pub excluded: Vec<Exclusion>,
}

/// Sorts the rows of the request table `table` (row `i` is data row `numbers[i]`) the same way
/// for every request job (gifted.md §6):
/// 1. `make` runs the job's own checks of a row: it pushes their rejects and gives the row as
///    the job keeps it, or `None` when it rejected it;
/// 2. a row whose requester is no legal guardian of its student is rejected
///    ([`check_requesters`]; both kinds of reject are kept for a row that fails both);
/// 3. a row of another school year than its student's is excluded ([`standing`]);
/// 4. every other row is kept, that of an institution that does not take part included (the
///    job answers it).
///
/// A student missing from the roster is an error ([`unknown_student`]): validation has
/// rejected such rows already.
pub fn sort_requests<R: RequestRow, T>(
    table: &str,
    rows: &[R],
    numbers: &[u64],
    roster: &Roster,
    guardians: Option<&Guardians>,
    mut make: impl FnMut(&R, u64, &mut Vec<Reject>) -> Option<T>,
) -> Result<SortedRequests<T>> {
    let requested: Vec<Requested> = (rows.iter().zip(numbers))
        .map(|(r, &n)| Requested {
            row_number: n,
            student_id: r.student_id(),
            submitted_by: r.submitted_by(),
        })
        .collect();
    let mut rejects = check_requesters(table, &requested, guardians)?;
    let refused: HashSet<u64> = rejects.iter().map(|r| r.row_number).collect();
    let mut kept = Vec::new();
    let mut excluded = Vec::new();
    for (r, &n) in rows.iter().zip(numbers) {
        let Some(row) = make(r, n, &mut rejects) else {
            continue;
        };
        if refused.contains(&n) {
            continue;
        }
        match standing(roster, r.student_id(), r.school_year()) {
            Some(Standing::OtherSchoolYear) => excluded.push(other_year(table, n, r.student_id())),
            Some(_) => kept.push(row),
            None => return Err(unknown_student(table, r.student_id())),
        }
    }
    Ok(SortedRequests {
        rows: kept,
        rejects,
        excluded,
    })
}

/// Implements [`RequestRow`] for row structs with fields `student_id: &str`,
/// `submitted_by: Option<&str>` and `school_year: i64`.
macro_rules! request_row {
    ($($row:ident),+) => {$(
        impl $crate::jobs::gifted_requests::RequestRow for $row<'_> {
            fn student_id(&self) -> &str {
                self.student_id
            }
            fn submitted_by(&self) -> Option<&str> {
                self.submitted_by
            }
            fn school_year(&self) -> i64 {
                self.school_year
            }
        }
    )+};
}
pub(crate) use request_row;

#[cfg(test)]
mod tests;
