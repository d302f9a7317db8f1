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

use crate::table::Exclusion;
use serde::Deserialize;

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

/// The values of a `;`-joined list cell, trimmed, empty parts left out.
pub fn list(cell: Option<&str>) -> impl Iterator<Item = &str> {
    cell.unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests;
