//! The roster as the gifted phases see it (gifted.md §1, §2, §3): each student the phases'
//! tables name, with their institution's sector and whether it takes part, and the counts of
//! every enrolled student — participation for the reconciliation, and the census that becomes
//! the norm population N.
//!
//! The rules of who counts are small functions here, each tested on hand-worked rows:
//! - [`participation_bucket`], [`participation`]: every enrolled student counted by whether
//!   their institution takes part, and why not (gifted.md §1).
//! - [`census`], [`norm_population`]: N of a norm group, the participating students enrolled
//!   in it (gifted.md §3, `population = cohort_enrollment`).
//! - [`stage_a_entries`]: which `stage_a_scores` row is a student's (gifted.md §2).
//!   (Which of a student's stage A rows is of their roster year: [`super::exclusions`].)
//!
//! [`named_students`] and [`load`] (`roster/load.rs`) are the tuned pass over the national
//! roster that applies them: the students' 2.4 million rows are counted in parallel row
//! ranges, and only the few hundred thousand named students are kept.
mod load;

pub use load::{load, named_students};

use super::participation::NonParticipation;
use super::{grade_listed, Sector};
use crate::rules::digit_key::digits_key;
use foldhash::HashMap as FastMap;
use polars::prelude::PlSmallStr;
use std::collections::BTreeMap;

/// The columns of `students` the gifted phases read.
pub const COLUMNS: &[&str] = &[
    "student_id",
    "first_name",
    "last_name",
    "school_year",
    "gender",
    "institution_id",
    "class_id",
    "grade",
    "residence_authority_id",
    "registration_zone",
];

/// An institution's facts the gifted job needs.
#[derive(Debug, Clone)]
pub struct Institution {
    pub name: String,
    pub authority_id: String,
    pub region_id: String,
    pub sector: Sector,
    pub participation: Result<(), NonParticipation>,
}

/// One enrolled student.
/// Texts are small strings (held inline up to 24 bytes: no allocation per field).
#[derive(Debug, Clone, Default)]
pub struct Student {
    pub student_id: Text,
    pub first_name: Text,
    pub last_name: Text,
    pub school_year: i64,
    pub gender: Text,
    pub institution_id: Text,
    pub class_id: Text,
    pub grade: i64,
    pub residence_authority_id: Text,
    pub registration_zone: Option<Text>,
    /// The institution's sector and whether it takes part (from `Roster::institutions`).
    pub sector: Sector,
    pub participating: bool,
    /// The row of `stage_a_scores` that is the student's ([`stage_a_entries`]), when one is.
    pub stage_a_row: Option<u32>,
}

/// The value of a named ID that no stage A row is the row of (`named_students`).
pub const NO_ROW: u32 = u32::MAX;

/// A student's text field.
pub type Text = PlSmallStr;

pub struct Roster {
    /// Every enrolled student counted by whether their institution takes part (and why not):
    /// [`participation`].
    pub participation: BTreeMap<String, i64>,
    /// Participating students enrolled, by (school_year, sector, grade): [`census`].
    pub census: BTreeMap<(i64, Sector, i64), u64>,
    pub institutions: FastMap<String, Institution>,
    /// The students the phases named, in `student_id` order.
    pub students: Vec<Student>,
    /// Where each student with an ID of digits is in `students`, by the ID's `digits_key`.
    index: FastMap<u64, u32>,
}

impl Roster {
    /// The roster's school year (the latest of its students'; 0 for an empty roster).
    pub fn school_year(&self) -> i64 {
        let counted = self.census.keys().map(|k| k.0);
        let named = self.students.iter().map(|s| s.school_year);
        counted.chain(named).max().unwrap_or_default()
    }

    pub fn institution(&self, s: &Student) -> &Institution {
        // References are validated: every accepted student's institution exists.
        &self.institutions[s.institution_id.as_str()]
    }

    /// The student `id` with their institution, when the roster holds them.
    pub fn enrolled(&self, id: &str) -> Option<(&Student, &Institution)> {
        self.student(id).map(|st| (st, self.institution(st)))
    }

    pub fn student(&self, id: &str) -> Option<&Student> {
        self.position(id).map(|i| &self.students[i])
    }

    /// Where the student `id` is in `students`.
    pub fn position(&self, id: &str) -> Option<usize> {
        match digits_key(id) {
            Some(key) => self.index.get(&key).map(|&i| i as usize),
            // Other IDs (never valid Israeli IDs) are found in the students' id order.
            None => self
                .students
                .binary_search_by(|s| s.student_id.as_str().cmp(id))
                .ok(),
        }
    }

    pub fn participates(&self, s: &Student) -> bool {
        self.institution(s).participation.is_ok()
    }

    /// A roster of `students` (sorted here by ID) at `institutions`, for tests.
    #[cfg(test)]
    pub(crate) fn of(
        mut students: Vec<Student>,
        institutions: FastMap<String, Institution>,
    ) -> Self {
        students.sort_by(|a, b| a.student_id.cmp(&b.student_id));
        let index = students
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((digits_key(&s.student_id)?, i as u32)))
            .collect();
        Roster {
            participation: BTreeMap::new(),
            census: BTreeMap::new(),
            institutions,
            students,
            index,
        }
    }
}

/// An institution as the roster pass counts its students: its sector, whether it takes part,
/// and its [`participation_bucket`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub sector: Sector,
    pub participating: bool,
    pub bucket: String,
}

impl Counted {
    pub fn of(institution: &Institution) -> Self {
        Counted {
            sector: institution.sector,
            participating: institution.participation.is_ok(),
            bucket: participation_bucket(&institution.participation),
        }
    }
}

/// The reconciliation bucket of an institution's students (gifted.md §1): `taking_part`, or
/// `institution_not_participating:<rule>` with the rule that kept it out (0207 §1.9, §2.1).
pub fn participation_bucket(participation: &Result<(), NonParticipation>) -> String {
    match participation {
        Ok(()) => "taking_part".to_string(),
        Err(np) => format!("{}:{}", np.reason(), np.rule.as_str()),
    }
}

/// The `participation` reconciliation (gifted.md §1: every enrolled student is accounted
/// for): `enrolled[k]` students of institution `institutions[k]`, summed by bucket (an
/// institution without students adds none); `institution_unknown` for the `unknown` students
/// of no listed institution; `students`, every row of the roster.
pub fn participation(
    enrolled: &[i64],
    institutions: &[Counted],
    unknown: i64,
    students: i64,
) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for (k, &n) in enrolled.iter().enumerate() {
        if n > 0 {
            *out.entry(institutions[k].bucket.clone()).or_insert(0) += n;
        }
    }
    if unknown > 0 {
        out.insert("institution_unknown".into(), unknown);
    }
    out.insert("students".into(), students);
    out
}

/// The census of the norm population (gifted.md §3, `population = cohort_enrollment`: "N is
/// the number of participating students enrolled in g"): enrolled students by (school_year,
/// sector, grade), counting only those of institutions that take part (gifted.md §1; 0207
/// §1.9, §2.1). `cohorts` counts every enrolled student by (school_year, institution, grade),
/// the institution as its place in `institutions`.
pub fn census(
    cohorts: impl IntoIterator<Item = ((i64, usize, i64), u64)>,
    institutions: &[Counted],
) -> BTreeMap<(i64, Sector, i64), u64> {
    let mut census = BTreeMap::new();
    for ((year, k, grade), n) in cohorts {
        let inst = &institutions[k];
        if inst.participating {
            *census.entry((year, inst.sector, grade)).or_insert(0) += n;
        }
    }
    census
}

/// N of each norm group (gifted.md §3, `population = cohort_enrollment`): the census of the
/// cohorts in the group whose grade is a stage B grade of their sector (`stage_b_grades`,
/// 0207 §2.5.א). `group_of(school_year, sector, grade)` names a cohort's group.
pub fn norm_population(
    census: &BTreeMap<(i64, Sector, i64), u64>,
    stage_b_grades_hebrew: &[i64],
    stage_b_grades_arabic: &[i64],
    mut group_of: impl FnMut(i64, Sector, i64) -> String,
) -> BTreeMap<String, u64> {
    let mut population: BTreeMap<String, u64> = BTreeMap::new();
    for (&(year, sector, grade), &n) in census {
        if grade_listed(stage_b_grades_hebrew, stage_b_grades_arabic, sector, grade) {
            *population.entry(group_of(year, sector, grade)).or_insert(0) += n;
        }
    }
    population
}

/// Which `stage_a_scores` row is a student's (gifted.md §2): of the rows naming them, the last
/// with a school year and a status. Each row (student_id, school_year, status) in table order
/// becomes an entry (ID, value, whether it replaces an earlier value) for
/// [`IdMap::build`](crate::table::id_index::IdMap::build): a complete row k gives (ID, k,
/// replace); a row without its school year or status still names the student (the roster
/// keeps them) but is no one's row: (ID, [`NO_ROW`], only if absent).
pub fn stage_a_entries<'a>(
    rows: impl Iterator<Item = (Option<&'a str>, Option<i64>, Option<&'a str>)>,
    out: &mut Vec<(&'a str, u32, bool)>,
) {
    for (k, (id, year, status)) in rows.enumerate() {
        match (id, year, status) {
            (Some(id), Some(_), Some(_)) => out.push((id, k as u32, true)),
            (Some(id), _, _) => out.push((id, NO_ROW, false)),
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "tests/roster_tests.rs"]
mod tests;
