//! The letters' input rows (data-contract.md `contacts`, `contact_details`; gifted.md §7): the
//! contacts of the students who get a letter, and the details of those contacts only.
//!
//! Read column by column, not through `table::rows`: nationally `contacts` has 4.7 million rows
//! and `contact_details` about as many, of which a phase keeps only its students' guardians,
//! so each row is looked at through its key before anything is copied.
//!
//! A run that writes letters reads those two tables only for the students its letters can go
//! to ([`addressees`]): the contacts of the students its own tables name, and those contacts'
//! details (docs/inputs.md §5.1).
use polars::prelude::PlHashSet as HashSet;
use rayon::prelude::*;
use std::borrow::Cow;

use super::recipients::{Contact, ContactDetails, Relation};
use super::render::Guardians;
use crate::error::Result;
use crate::table::select::{id_number, IdColumn, IdSet};
use crate::table::types::TextColumn;
use crate::table::validate::{Pick, Probe, Selection};

/// Each row's ID of a column, as [`crate::table::select::id_key`] (`None`: missing or invalid).
pub type RowKeys<'a> = &'a IdColumn;

/// The rows of `contacts` and `contact_details` a run's letters need (data-contract.md
/// "Reference tables read for the named IDs"), given the students `named` by the run's tables
/// and, when `contacts` is there, each of its rows' student and contact (as
/// [`crate::table::select::id_key`], as read): the `contacts` rows of the named students, and
/// the `contact_details` rows of the contacts of those rows. `read_for` is what the manifest
/// says they were read for.
pub fn addressee_pick(
    named: IdSet,
    contacts: Option<(RowKeys, RowKeys)>,
    read_for: &'static str,
) -> Selection {
    let reached: IdSet = match contacts {
        Some((students, ids)) => (students.iter().zip(ids.iter()))
            .filter(|(s, _)| s.is_some_and(|s| named.contains(s)))
            .filter_map(|(_, c)| c)
            .collect(),
        None => IdSet::new(Vec::new()),
    };
    let pick = |column, ids| Pick {
        by: vec![(column, ids)],
        read_for,
    };
    Selection::from([
        ("contacts", pick("student_id", named)),
        ("contact_details", pick("contact_id", reached)),
    ])
}

/// The selection of a run whose letters go to students named by the `student_id` column of
/// `tables` (those present): [`addressee_pick`] on the IDs of every row, a row rejected for
/// another value included.
pub fn addressees(
    tables: &'static [&'static str],
    read_for: &'static str,
) -> impl Fn(&Probe) -> Result<Selection> + Sync {
    move |probe: &Probe| {
        let named = probe.named_by(tables);
        let students = probe.ids("contacts", "student_id");
        let ids = probe.ids("contacts", "contact_id");
        let contacts = match (&students, &ids) {
            (Some(s), Some(c)) => Some((&**s, &**c)),
            _ => None,
        };
        Ok(addressee_pick(named, contacts, read_for))
    }
}

/// The columns of `contacts` a letter needs, as read (`None` for a missing value).
pub struct ContactColumns<'a> {
    pub student_id: TextColumn<'a>,
    pub contact_id: TextColumn<'a>,
    pub first_name: TextColumn<'a>,
    pub last_name: TextColumn<'a>,
    pub relation: TextColumn<'a>,
    pub is_legal_guardian: Vec<Option<bool>>,
    pub lives_with_student: Vec<Option<bool>>,
}

/// The columns of `contact_details` a letter needs, as read.
pub struct DetailColumns<'a> {
    pub contact_id: TextColumn<'a>,
    pub phone: TextColumn<'a>,
    pub email: TextColumn<'a>,
    pub street: TextColumn<'a>,
    pub house_number: TextColumn<'a>,
    pub city: TextColumn<'a>,
    pub zip: TextColumn<'a>,
}

/// A `contacts` row as a letter reads it: an unknown relation reads as `other`, a missing flag
/// as `false`.
fn contact(
    sid: &str,
    cid: &str,
    first: Option<&str>,
    last: Option<&str>,
    relation: Option<&str>,
    legal: Option<bool>,
    lives: Option<bool>,
) -> Contact {
    Contact {
        student_id: sid.to_string(),
        contact_id: cid.to_string(),
        first_name: first.unwrap_or_default().to_string(),
        last_name: last.unwrap_or_default().to_string(),
        relation: relation
            .and_then(Relation::parse)
            .unwrap_or(Relation::Other),
        is_legal_guardian: legal.unwrap_or(false),
        lives_with_student: lives.unwrap_or(false),
    }
}

/// A `contact_details` row as a letter reads it (phone, email, street, house number, city,
/// zip): an empty detail is no detail.
fn contact_details(cid: &str, values: [Option<&str>; 6]) -> ContactDetails {
    let [phone, email, street, house_number, city, zip] =
        values.map(|v| v.filter(|x| !x.is_empty()).map(str::to_string));
    ContactDetails {
        contact_id: cid.to_string(),
        phone,
        email,
        street,
        house_number,
        city,
        zip,
    }
}

/// The guardians of a phase's students, found in the `contacts` and `contact_details` columns
/// as read, a batch of students at a time ([`Guardians`]; gifted.md §7: the letter goes to the
/// student's legal guardians, resolved in [`super::recipients::resolve_recipients`]). Only row
/// numbers are indexed here; a batch's [`Contact`]s and [`ContactDetails`] are made when it
/// asks for them, so a run holds those of one batch, not those of the ~320,000 guardians of a
/// national screening (issue #24). A batch gets every contacts row of its students (a row
/// without a student or contact ID is skipped) and every details row of those contacts; an
/// empty detail is no detail, an unknown relation reads as `other` and a missing flag as
/// `false` (validation has already checked both against the schema).
pub struct GuardianRows<'a> {
    contacts: ContactColumns<'a>,
    details: DetailColumns<'a>,
    /// ([`id_number`] of the student, row) of each `contacts` row of the phase's students,
    /// sorted: 8 bytes a row, compared as integers (a national screening looks up ~160,000
    /// students). A value that is no ID (validation has rejected it) is not indexed; a
    /// student's guardians are still matched by the ID as written, in
    /// [`super::recipients::RecipientIndex`].
    of_student: Vec<(u32, u32)>,
    /// (contact's ID number, row) of each `contact_details` row, sorted.
    of_contact: Vec<(u32, u32)>,
}

/// The rows of `index` (sorted by key) whose key is `key`.
fn rows_of(index: &[(u32, u32)], key: u32) -> impl Iterator<Item = u32> + '_ {
    let lo = index.partition_point(|&(k, _)| k < key);
    (index[lo..].iter())
        .take_while(move |&&(k, _)| k == key)
        .map(|&(_, row)| row)
}

/// (ID number, row) of each row of `ids` whose ID passes `keep`, sorted.
fn index_rows<'a>(
    ids: impl Iterator<Item = Option<&'a str>>,
    keep: impl Fn(usize, &str) -> bool,
) -> Vec<(u32, u32)> {
    let mut index: Vec<(u32, u32)> = ids
        .enumerate()
        .filter_map(|(i, id)| {
            let id = id.filter(|id| keep(i, id))?;
            Some((id_number(id)?, u32::try_from(i).ok()?))
        })
        .collect();
    index.par_sort_unstable();
    index
}

impl<'a> GuardianRows<'a> {
    /// Indexes the rows of `contacts` of the students `students` (those with a student and a
    /// contact ID) and every row of `details` with a contact ID.
    pub fn new(
        contacts: ContactColumns<'a>,
        details: DetailColumns<'a>,
        students: &HashSet<&str>,
    ) -> Self {
        let ids = &contacts.contact_id;
        let of_student = index_rows(contacts.student_id.iter(), |i, sid| {
            ids.get(i).is_some() && students.contains(sid)
        });
        let of_contact = index_rows(details.contact_id.iter(), |_, _| true);
        GuardianRows {
            contacts,
            details,
            of_student,
            of_contact,
        }
    }
}

impl<'a> Guardians for GuardianRows<'a> {
    fn of(&self, ids: &[&str]) -> (Cow<'_, [Contact]>, Cow<'_, [ContactDetails]>) {
        let (c, d) = (&self.contacts, &self.details);
        let text = |col: &TextColumn<'a>, i: u32| -> Option<&'a str> { col.get(i as usize) };
        let flag = |col: &[Option<bool>], i: u32| col.get(i as usize).copied().flatten();
        let mut contacts = Vec::new();
        let mut wanted = Vec::new();
        for &id in ids {
            let Some(key) = id_number(id) else {
                continue;
            };
            for i in rows_of(&self.of_student, key) {
                let (Some(sid), Some(cid)) = (text(&c.student_id, i), text(&c.contact_id, i))
                else {
                    continue;
                };
                wanted.extend(id_number(cid));
                contacts.push(contact(
                    sid,
                    cid,
                    text(&c.first_name, i),
                    text(&c.last_name, i),
                    text(&c.relation, i),
                    flag(&c.is_legal_guardian, i),
                    flag(&c.lives_with_student, i),
                ));
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        let mut details = Vec::new();
        for key in wanted {
            for i in rows_of(&self.of_contact, key) {
                let Some(cid) = text(&d.contact_id, i) else {
                    continue;
                };
                let values = [
                    &d.phone,
                    &d.email,
                    &d.street,
                    &d.house_number,
                    &d.city,
                    &d.zip,
                ]
                .map(|col| text(col, i));
                details.push(contact_details(cid, values));
            }
        }
        (Cow::Owned(contacts), Cow::Owned(details))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::select::id_key;
    use polars::prelude::{NamedFrom, StringChunked};

    /// docs/inputs.md §5.1, worked by hand: two named students (one written in its 8-digit
    /// form); contacts rows of S1, S2, an unnamed S3 and a row whose student is no valid ID;
    /// the details picked are those of the contacts of S1's and S2's rows only.
    #[test]
    fn the_contacts_of_the_named_students_and_their_details_are_picked() {
        let k = |id: &str| id_key(id).unwrap();
        let (s1, s2, s3) = (k("010000016"), k("000000018"), k("000000026"));
        let (c1, c2, c3, c4) = (
            k("000000034"),
            k("000000042"),
            k("000000059"),
            k("000000067"),
        );
        let named = IdSet::new(vec![s1, k("18")]);
        let students: IdColumn = [Some(s1), Some(s2), Some(s3), None, Some(s1)]
            .into_iter()
            .collect();
        let contacts: IdColumn = [Some(c1), Some(c2), Some(c3), Some(c4), None]
            .into_iter()
            .collect();
        let sel = addressee_pick(named, Some((&students, &contacts)), "the letters");
        let c = &sel["contacts"];
        assert_eq!(c.read_for, "the letters");
        assert_eq!(c.by.len(), 1);
        assert_eq!(c.by[0].0, "student_id");
        assert_eq!(c.by[0].1.keys(), {
            let mut v = vec![s1, s2];
            v.sort();
            v
        });
        let d = &sel["contact_details"];
        assert_eq!(d.by[0].0, "contact_id");
        let mut want = vec![c1, c2];
        want.sort();
        assert_eq!(
            d.by[0].1.keys(),
            want,
            "not c3 (unnamed S3), not c4 (no student)"
        );
        // Without contacts nobody's details are read.
        let sel = addressee_pick(IdSet::new(vec![s1]), None, "x");
        assert!(sel["contact_details"].by[0].1.keys().is_empty());
    }

    fn text(v: &[Option<&str>]) -> StringChunked {
        StringChunked::new("c".into(), v)
    }

    /// gifted.md §7 and issue #24, worked by hand: a batch gets every contacts row of its
    /// students and every details row of those rows' contacts, whatever other students are in
    /// the phase or the batch; a row without its IDs is skipped, an empty detail is none, an
    /// unknown relation is `other`, a missing flag `false`.
    #[test]
    fn a_batch_gets_its_students_contacts_and_their_details_only() {
        const S1: &str = "000000018";
        const S2: &str = "000000026";
        const S3: &str = "000000034";
        const C1: &str = "000000042";
        const C2: &str = "000000059";
        const C3: &str = "000000067";
        const C4: &str = "000000075";
        const C5: &str = "000000083";
        // Rows: S1–C1, S2–C2, S1–C3, (no student)–C4, S2–C1 (C1 is S1's and S2's), S3–C5.
        let c = [
            text(&[Some(S1), Some(S2), Some(S1), None, Some(S2), Some(S3)]),
            text(&[Some(C1), Some(C2), Some(C3), Some(C4), Some(C1), Some(C5)]),
            text(&[
                Some("רחל"),
                Some("x"),
                None,
                Some("y"),
                Some("רחל"),
                Some("z"),
            ]),
            text(&[
                Some("לוי"),
                Some("x"),
                Some("כהן"),
                Some("y"),
                Some("לוי"),
                Some("z"),
            ]),
            text(&[
                Some("mother"),
                Some("father"),
                Some("uncle"),
                None,
                Some("mother"),
                None,
            ]),
        ];
        // Details: C2, C3, (no contact), C1, C1 again (a second row), C5.
        let d = [
            text(&[Some(C2), Some(C3), None, Some(C1), Some(C1), Some(C5)]),
            text(&[
                Some("050"),
                Some(""),
                Some("052"),
                Some("053"),
                Some("054"),
                None,
            ]),
            text(&[None, Some("a@b.il"), None, Some(""), None, None]),
            text(&[None, None, None, Some("הרצל"), Some("הגפן"), None]),
            text(&[None, None, None, Some("1"), Some("2"), None]),
            text(&[None, None, None, Some("חיפה"), Some("עכו"), None]),
            text(&[None, None, None, None, None, None]),
        ];
        let t = |i: usize| TextColumn::Plain(&c[i]);
        let u = |i: usize| TextColumn::Plain(&d[i]);
        let phase: HashSet<&str> = [S1, S2].into_iter().collect();
        let rows = GuardianRows::new(
            ContactColumns {
                student_id: t(0),
                contact_id: t(1),
                first_name: t(2),
                last_name: t(3),
                relation: t(4),
                is_legal_guardian: vec![Some(true), Some(true), None, Some(true), Some(true), None],
                lives_with_student: vec![Some(true), Some(false), Some(true), None, None, None],
            },
            DetailColumns {
                contact_id: u(0),
                phone: u(1),
                email: u(2),
                street: u(3),
                house_number: u(4),
                city: u(5),
                zip: u(6),
            },
            &phase,
        );
        let ids = |ids: &[&str]| {
            let (c, d) = rows.of(ids);
            let c: Vec<(String, String)> = (c.iter())
                .map(|c| (c.student_id.clone(), c.contact_id.clone()))
                .collect();
            let d: Vec<(String, Option<String>)> = (d.iter())
                .map(|d| (d.contact_id.clone(), d.phone.clone()))
                .collect();
            (c, d)
        };
        let pair = |s: &str, c: &str| (s.to_string(), c.to_string());
        let detail = |c: &str, p: Option<&str>| (c.to_string(), p.map(str::to_string));
        // S1: rows 1 and 3; C1's two rows of details and C3's.
        let s1 = ids(&[S1]);
        assert_eq!(s1.0, [pair(S1, C1), pair(S1, C3)]);
        assert_eq!(
            s1.1,
            [
                detail(C1, Some("053")),
                detail(C1, Some("054")),
                detail(C3, None)
            ]
        );
        // S1 and S2: their rows (in the batch's order), C1's details once per row.
        let both = ids(&[S1, S2]);
        let sorted = |(mut c, mut d): (Vec<_>, Vec<_>)| {
            c.sort();
            d.sort();
            (c, d)
        };
        assert_eq!(sorted(ids(&[S2, S1])), sorted(both.clone()));
        assert_eq!(
            both.0,
            [pair(S1, C1), pair(S1, C3), pair(S2, C2), pair(S2, C1)]
        );
        assert_eq!(both.1.len(), 4, "C1's two rows, C2's, C3's");
        // S3 is not among the phase's students; nobody is C4's student.
        assert_eq!(ids(&[S3]), (vec![], vec![]));
        // The values of a contact and a detail as a letter reads them.
        let (c, d) = rows.of(&[S1]);
        assert_eq!(c[0].relation, Relation::Mother);
        assert!(c[0].is_legal_guardian && c[0].lives_with_student);
        assert_eq!(c[1].first_name, "");
        assert_eq!(c[1].relation, Relation::Other);
        assert!(!c[1].is_legal_guardian);
        assert_eq!(d[0].email, None, "an empty email is none");
        assert_eq!(d[0].street.as_deref(), Some("הרצל"));
        assert_eq!(d[2].phone, None, "an empty phone is none");
        assert_eq!(d[2].email.as_deref(), Some("a@b.il"));
    }
}
