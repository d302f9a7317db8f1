//! The roster as a request sees it: the students the request tables name (and, for the twin
//! claim, their guardians' other children), each with their institution's sector, region and
//! whether it takes part (gifted.md §1, 0207 §1.9, §2.1: the same rule as the gifted job's,
//! `jobs::gifted::participation`).
use crate::error::Result;
use crate::jobs::gifted::participation::{institution_participates, Supervision};
use crate::jobs::gifted::Sector;
use crate::table::rows::{rows, rows_where};
use crate::table::select::{IdColumn, IdSet};
use crate::table::validate::{Pick, Probe, Selection, TableNeed};
use crate::table::InputSet;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// The columns of `students` the request jobs read; the others are validated, then dropped.
pub const STUDENT_COLUMNS: &[&str] = &[
    "student_id",
    "first_name",
    "last_name",
    "school_year",
    "birth_date",
    "gender",
    "institution_id",
    "grade",
    "immigration_date",
    "years_abroad",
];

/// The roster tables both jobs read: without contacts there is no guardian check, no twin
/// check and no letter. `students`, `contacts` and `contact_details` are reference tables,
/// read only for the students the requests name ([`selector`]).
pub const TABLES: [TableNeed; 5] = [
    TableNeed::new("institutions", true),
    TableNeed::new("classes", true),
    TableNeed::new("students", true)
        .keeping(STUDENT_COLUMNS)
        .reference(),
    TableNeed::new("contacts", false).reference(),
    TableNeed::new("contact_details", false).reference(),
];

/// What the manifest says the reference tables were read for.
pub const READ_FOR: &str = "students named by the requests";

/// The rows of the reference tables a request job reads (data-contract.md "Reference tables
/// read for the named IDs"), given the IDs `named` by its request tables' `student_id`:
/// - `contacts`: the rows of the named students, and every row of a contact who is marked a
///   legal guardian of one of them (the guardian's other children: the twin claim, §5.1.ו);
/// - `students`: the named students and the students of those contact rows;
/// - `contact_details`: the rows of the contacts of those contact rows.
///
/// The IDs are those of the rows as read, before validation: a row of a named student is read
/// and validated whatever it holds, and a row read for a guardian who turns out not to be one
/// (a broken row) is read and validated too. Every row holding a picked ID is read.
pub fn pick(named: IdSet, contacts: Option<ContactIds>) -> Selection {
    let mut selection = Selection::new();
    let mut students: Vec<u64> = named.keys().to_vec();
    let by = |column, ids| Pick {
        by: vec![(column, ids)],
        read_for: READ_FOR,
    };
    if let Some(c) = contacts {
        let rows = || c.student.iter().zip(c.contact.iter());
        let guardians: IdSet = (rows().zip(c.guardian))
            .filter(|((s, _), g)| s.is_some_and(|s| named.contains(s)) && **g == Some(true))
            .filter_map(|((_, c), _)| c)
            .collect();
        let mut reached: Vec<u64> = Vec::new();
        for (s, c) in rows() {
            let read =
                s.is_some_and(|s| named.contains(s)) || c.is_some_and(|c| guardians.contains(c));
            if read {
                students.extend(s);
                reached.extend(c);
            }
        }
        selection.insert(
            "contacts",
            Pick {
                by: vec![("student_id", named), ("contact_id", guardians)],
                read_for: READ_FOR,
            },
        );
        selection.insert("contact_details", by("contact_id", IdSet::new(reached)));
    } else {
        // Without contacts no letter is addressed: no contact's details are read.
        selection.insert("contact_details", by("contact_id", IdSet::new(Vec::new())));
    }
    selection.insert("students", by("student_id", IdSet::new(students)));
    selection
}

/// Each `contacts` row's student, contact (as `table::select::id_key`) and legal-guardian flag,
/// as read.
#[derive(Debug, Clone, Copy)]
pub struct ContactIds<'a> {
    pub student: &'a IdColumn,
    pub contact: &'a IdColumn,
    pub guardian: &'a [Option<bool>],
}

/// The selection of a request job whose request tables are `requests` (each with a
/// `student_id` column referring to `students`): [`pick`] on the IDs they name.
pub fn selector(requests: &'static [&'static str]) -> impl Fn(&Probe) -> Result<Selection> + Sync {
    move |probe: &Probe| {
        let named = probe.named_by(requests);
        let student = probe.ids("contacts", "student_id");
        let contact = probe.ids("contacts", "contact_id");
        let guardian = probe.flags("contacts", "is_legal_guardian");
        let contacts = match (&student, &contact, &guardian) {
            (Some(student), Some(contact), Some(guardian)) => Some(ContactIds {
                student,
                contact,
                guardian,
            }),
            _ => None,
        };
        Ok(pick(named, contacts))
    }
}

/// One `students` row as read.
#[derive(Debug, Deserialize)]
struct StudentRow<'a> {
    student_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    school_year: i64,
    #[serde(with = "crate::rules::date")]
    birth_date: NaiveDate,
    gender: &'a str,
    institution_id: &'a str,
    grade: i64,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    immigration_date: Option<NaiveDate>,
    #[serde(default)]
    years_abroad: Option<i64>,
}

/// One `institutions` row as read.
#[derive(Debug, Deserialize)]
struct InstitutionRow<'a> {
    institution_id: &'a str,
    name: &'a str,
    region_id: &'a str,
    sector: Sector,
    supervision: Supervision,
    screening_opt_in: bool,
    screening_opt_out: bool,
}

/// An enrolled student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Student {
    pub student_id: String,
    pub first_name: String,
    pub last_name: String,
    /// The roster school year Y.
    pub school_year: i64,
    pub birth_date: NaiveDate,
    pub gender: String,
    pub institution_id: String,
    /// The grade in Y.
    pub grade: i64,
    pub immigration_date: Option<NaiveDate>,
    pub years_abroad: Option<i64>,
}

/// An institution's facts a request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    /// `institutions.name`, printed in the letters.
    pub name: String,
    pub sector: Sector,
    pub region_id: String,
    /// gifted.md §1: whether it takes part (0207 §1.9, §2.1).
    pub participating: bool,
}

/// The named students and every institution.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub students: HashMap<String, Student>,
    pub institutions: HashMap<String, Institution>,
}

impl Roster {
    /// The student `id` and their institution.
    pub fn student(&self, id: &str) -> Option<(&Student, &Institution)> {
        let s = self.students.get(id)?;
        Some((s, self.institutions.get(&s.institution_id)?))
    }

    /// A roster of `students` at `institutions`, for tests and the jobs' own callers.
    pub fn of(students: Vec<Student>, institutions: Vec<(String, Institution)>) -> Self {
        Roster {
            students: students
                .into_iter()
                .map(|s| (s.student_id.clone(), s))
                .collect(),
            institutions: institutions.into_iter().collect(),
        }
    }
}

/// Reads institutions and the students `named` (validated: every student's institution exists).
pub fn load(inputs: &InputSet, named: &HashSet<&str>) -> Result<Roster> {
    let mut institutions = HashMap::new();
    for r in rows::<InstitutionRow>(inputs.table("institutions")?)? {
        let participating =
            institution_participates(r.supervision, r.screening_opt_in, r.screening_opt_out)
                .is_ok();
        institutions.insert(
            r.institution_id.to_string(),
            Institution {
                name: r.name.to_string(),
                sector: r.sector,
                region_id: r.region_id.to_string(),
                participating,
            },
        );
    }
    let mut students = HashMap::with_capacity(named.len());
    let theirs = rows_where::<StudentRow>(inputs.table("students")?, "student_id", |s| {
        named.contains(s)
    })?;
    for r in theirs {
        students.insert(
            r.student_id.to_string(),
            Student {
                student_id: r.student_id.to_string(),
                first_name: r.first_name.to_string(),
                last_name: r.last_name.to_string(),
                school_year: r.school_year,
                birth_date: r.birth_date,
                gender: r.gender.to_string(),
                institution_id: r.institution_id.to_string(),
                grade: r.grade,
                immigration_date: r.immigration_date,
                years_abroad: r.years_abroad,
            },
        );
    }
    Ok(Roster {
        students,
        institutions,
    })
}
