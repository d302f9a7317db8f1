//! Legal guardians from `contacts` (`is_legal_guardian`): who may submit a request for a
//! student through the parents' portal, where a parent identifies with their ID number (source
//! 001), and which other children a guardian has (the twin claim of 0207 §5.1.ו).
use crate::error::{Error, Result};
use crate::table::rows::rows_where;
use crate::table::{Reject, Table};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The reject rule of a request whose `submitted_by` is not a legal guardian of its student.
pub const REQUESTER_NOT_GUARDIAN: &str = "requester_not_guardian";

/// One `contacts` row as read.
#[derive(Debug, Deserialize)]
struct ContactRow<'a> {
    student_id: &'a str,
    contact_id: &'a str,
    is_legal_guardian: bool,
}

/// The legal guardians of the students a run names, and those guardians' children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guardians {
    /// Per named student, the contact_ids of their legal guardians.
    of_student: HashMap<String, BTreeSet<String>>,
    /// Per guardian of a named student, the students they are a legal guardian of.
    children: HashMap<String, BTreeSet<String>>,
}

impl Guardians {
    /// From (student_id, contact_id) pairs of legal guardians, for the students `named`.
    pub fn of_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
        named: &HashSet<&str>,
    ) -> Guardians {
        let mut of_student: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (s, c) in pairs.clone() {
            if named.contains(s) {
                of_student
                    .entry(s.to_string())
                    .or_default()
                    .insert(c.to_string());
            }
        }
        let guardians: HashSet<&str> = of_student.values().flatten().map(String::as_str).collect();
        let mut children: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (s, c) in pairs {
            if guardians.contains(c) {
                children
                    .entry(c.to_string())
                    .or_default()
                    .insert(s.to_string());
            }
        }
        Guardians {
            of_student,
            children,
        }
    }

    /// Reads the legal guardians of the students `named` from a validated `contacts` table:
    /// the rows of the named students, then every row of their guardians (their other
    /// children); the national table's other rows are not read.
    pub fn read(contacts: &Table, named: &HashSet<&str>) -> Result<Guardians> {
        let theirs: Vec<ContactRow> = rows_where(contacts, "student_id", |s| named.contains(s))?;
        let guardians: HashSet<&str> = theirs
            .iter()
            .filter(|r| r.is_legal_guardian)
            .map(|r| r.contact_id)
            .collect();
        let family: Vec<ContactRow> =
            rows_where(contacts, "contact_id", |c| guardians.contains(c))?;
        let pairs = family
            .iter()
            .filter(|r| r.is_legal_guardian)
            .map(|r| (r.student_id, r.contact_id));
        Ok(Guardians::of_pairs(pairs, named))
    }

    /// Whether `contact_id` is a legal guardian of `student_id`.
    pub fn is_guardian(&self, student_id: &str, contact_id: &str) -> bool {
        self.of_student
            .get(student_id)
            .is_some_and(|g| g.contains(contact_id))
    }

    /// The other students a legal guardian of `student_id` is a legal guardian of, in ID order.
    pub fn siblings(&self, student_id: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        for g in self.of_student.get(student_id).into_iter().flatten() {
            for c in self.children.get(g).into_iter().flatten() {
                if c != student_id {
                    out.insert(c.as_str());
                }
            }
        }
        out
    }

    /// Every student named or a sibling of one (the students the roster must hold).
    pub fn all_students(&self) -> impl Iterator<Item = &str> {
        self.children.values().flatten().map(String::as_str)
    }
}

/// A request row as the requester check sees it.
#[derive(Debug, Clone, Copy)]
pub struct Requested<'a> {
    pub row_number: u64,
    pub student_id: &'a str,
    pub submitted_by: Option<&'a str>,
}

/// Source 001 (the parents' portal): when a request table has a `submitted_by` column, each
/// row's requester must be a legal guardian of its student in `contacts`; any other row —
/// an empty `submitted_by` included — is rejected (`requester_not_guardian`).
pub fn requester_rejects(table: &str, rows: &[Requested], guardians: &Guardians) -> Vec<Reject> {
    rows.iter()
        .filter(|r| {
            r.submitted_by
                .is_none_or(|by| !guardians.is_guardian(r.student_id, by))
        })
        .map(|r| {
            let by = r.submitted_by.unwrap_or("");
            let message = if by.is_empty() {
                format!(
                    "`submitted_by` is empty: a request from the parents' portal names the legal guardian of student {} who made it",
                    r.student_id
                )
            } else {
                format!(
                    "`submitted_by` {by} is not a legal guardian of student {} in contacts",
                    r.student_id
                )
            };
            Reject::new(
                table,
                r.row_number as usize - 1,
                "submitted_by",
                by,
                REQUESTER_NOT_GUARDIAN,
                message,
            )
        })
        .collect()
}

/// Whether a table has the `submitted_by` column (requests from the parents' portal): a column
/// with a value in some row. A column that is empty throughout says no more than an absent one
/// (a CSV file cannot tell them apart), so neither is checked.
pub fn has_requester(rows: &[Requested]) -> bool {
    rows.iter().any(|r| r.submitted_by.is_some())
}

/// The requester check of a request table ([`requester_rejects`]) when it has `submitted_by`;
/// the check needs `contacts`, and without them such a table is a usage error.
pub fn check_requesters(
    table: &str,
    rows: &[Requested],
    guardians: Option<&Guardians>,
) -> Result<Vec<Reject>> {
    if !has_requester(rows) {
        return Ok(Vec::new());
    }
    match guardians {
        Some(g) => Ok(requester_rejects(table, rows, g)),
        None => Err(Error::Usage(format!(
            "{table} has a submitted_by column, whose requester must be a legal guardian of the student: give the contacts table too"
        ))),
    }
}
