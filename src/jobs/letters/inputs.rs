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
use crate::table::select::{IdColumn, IdSet};
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

/// The columns of `contacts` a letter needs, one value per row in table order (`None` for a
/// missing value). `S` iterates a text column, `B` a boolean column.
pub struct ContactColumns<S, B> {
    pub student_id: S,
    pub contact_id: S,
    pub first_name: S,
    pub last_name: S,
    pub relation: S,
    pub is_legal_guardian: B,
    pub lives_with_student: B,
}

/// The columns of `contact_details` a letter needs, one value per row in table order.
pub struct DetailColumns<T> {
    pub contact_id: T,
    pub phone: T,
    pub email: T,
    pub street: T,
    pub house_number: T,
    pub city: T,
    pub zip: T,
}

/// The contacts of `students` and the details of those contacts, in table order (gifted.md §7:
/// the letter goes to the student's legal guardians, resolved in
/// [`super::recipients::resolve_recipients`]). A row without a student or contact ID is
/// skipped; an empty detail is no detail; an unknown relation reads as `other`, and a missing
/// flag as `false` (validation has already checked both against the schema).
pub fn guardians<'a, S, B, T>(
    contacts: ContactColumns<S, B>,
    details: DetailColumns<T>,
    students: &HashSet<&str>,
) -> (Vec<Contact>, Vec<ContactDetails>)
where
    S: Iterator<Item = Option<&'a str>>,
    B: Iterator<Item = Option<bool>>,
    T: Iterator<Item = Option<&'a str>>,
{
    let c = contacts;
    let mut contacts = Vec::new();
    let cols = c
        .student_id
        .zip(c.contact_id)
        .zip(c.first_name)
        .zip(c.last_name)
        .zip(c.relation)
        .zip(c.is_legal_guardian)
        .zip(c.lives_with_student);
    for ((((((sid, cid), first), last), relation), legal), lives) in cols {
        let (Some(sid), Some(cid)) = (sid, cid) else {
            continue;
        };
        if !students.contains(sid) {
            continue;
        }
        contacts.push(contact(sid, cid, first, last, relation, legal, lives));
    }
    let wanted: HashSet<&str> = contacts.iter().map(|c| c.contact_id.as_str()).collect();
    let mut out = Vec::new();
    let d = details;
    let cols = d
        .contact_id
        .zip(d.phone)
        .zip(d.email)
        .zip(d.street)
        .zip(d.house_number)
        .zip(d.city)
        .zip(d.zip);
    for ((((((cid, phone), email), street), house), city), zip) in cols {
        let Some(cid) = cid else { continue };
        if !wanted.contains(cid) {
            continue;
        }
        out.push(contact_details(
            cid,
            [phone, email, street, house, city, zip],
        ));
    }
    drop(wanted);
    (contacts, out)
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
/// as read, a batch of students at a time ([`Guardians`]). Only row numbers are indexed here;
/// a batch's [`Contact`]s and [`ContactDetails`] are made when it asks for them, so a run
/// holds those of one batch, not those of the ~320,000 guardians of a national screening
/// (issue #24). The batch gets what [`guardians`] would give for its students.
pub struct GuardianRows<'a> {
    contacts: ContactColumns<TextColumn<'a>, Vec<Option<bool>>>,
    details: DetailColumns<TextColumn<'a>>,
    /// (student ID, row) of each `contacts` row of the phase's students, sorted.
    of_student: Vec<(&'a str, u32)>,
    /// (contact ID, row) of each `contact_details` row, sorted.
    of_contact: Vec<(&'a str, u32)>,
}

/// The rows of `index` (sorted by key) whose key is `key`.
fn rows_of<'i>(index: &'i [(&str, u32)], key: &str) -> &'i [(&'i str, u32)] {
    let lo = index.partition_point(|(k, _)| *k < key);
    let hi = index.partition_point(|(k, _)| *k <= key);
    &index[lo..hi]
}

impl<'a> GuardianRows<'a> {
    /// Indexes the rows of `contacts` of the students `students` (those with a student and a
    /// contact ID) and every row of `details` with a contact ID.
    pub fn new(
        contacts: ContactColumns<TextColumn<'a>, Vec<Option<bool>>>,
        details: DetailColumns<TextColumn<'a>>,
        students: &HashSet<&str>,
    ) -> Self {
        let ids = contacts.contact_id;
        let mut of_student: Vec<(&'a str, u32)> = (contacts.student_id.iter().enumerate())
            .filter(|&(i, sid)| ids.get(i).is_some() && sid.is_some_and(|s| students.contains(s)))
            .filter_map(|(i, sid)| Some((sid?, u32::try_from(i).ok()?)))
            .collect();
        of_student.par_sort_unstable();
        let mut of_contact: Vec<(&'a str, u32)> = (details.contact_id.iter().enumerate())
            .filter_map(|(i, cid)| Some((cid?, u32::try_from(i).ok()?)))
            .collect();
        of_contact.par_sort_unstable();
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
        for &id in ids {
            for &(sid, i) in rows_of(&self.of_student, id) {
                let Some(cid) = text(&c.contact_id, i) else {
                    continue;
                };
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
        let mut wanted: Vec<&str> = contacts.iter().map(|c| c.contact_id.as_str()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut details = Vec::new();
        for cid in wanted {
            for &(cid, i) in rows_of(&self.of_contact, cid) {
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

    fn col<'a>(v: &[Option<&'a str>]) -> std::vec::IntoIter<Option<&'a str>> {
        Vec::from(v).into_iter()
    }

    /// gifted.md §7: only the contacts of the students who get a letter, and only their
    /// details; a row without its IDs is skipped, an empty detail is none.
    #[test]
    fn only_the_letter_students_contacts_and_their_details_are_kept() {
        let contacts = ContactColumns {
            student_id: col(&[Some("S1"), Some("S2"), Some("S1"), None]),
            contact_id: col(&[Some("C1"), Some("C2"), Some("C3"), Some("C4")]),
            first_name: col(&[Some("רחל"), Some("x"), None, Some("y")]),
            last_name: col(&[Some("לוי"), Some("x"), Some("כהן"), Some("y")]),
            relation: col(&[Some("mother"), Some("father"), Some("uncle"), None]),
            is_legal_guardian: vec![Some(true), Some(true), None, Some(true)].into_iter(),
            lives_with_student: vec![Some(true), Some(false), Some(true), None].into_iter(),
        };
        let details = DetailColumns {
            contact_id: col(&[Some("C2"), Some("C3"), None, Some("C1")]),
            phone: col(&[Some("050"), Some(""), Some("052"), Some("053")]),
            email: col(&[None, Some("a@b.il"), None, Some("")]),
            street: col(&[None, None, None, Some("הרצל")]),
            house_number: col(&[None, None, None, Some("1")]),
            city: col(&[None, None, None, Some("חיפה")]),
            zip: col(&[None, None, None, None]),
        };
        let students: HashSet<&str> = ["S1"].into_iter().collect();
        let (c, d) = guardians(contacts, details, &students);
        let ids: Vec<&str> = c.iter().map(|c| c.contact_id.as_str()).collect();
        assert_eq!(ids, ["C1", "C3"]);
        assert_eq!(c[0].relation, Relation::Mother);
        assert!(c[0].is_legal_guardian && c[0].lives_with_student);
        assert_eq!(c[1].first_name, "");
        assert_eq!(c[1].relation, Relation::Other);
        assert!(!c[1].is_legal_guardian);
        let ids: Vec<&str> = d.iter().map(|d| d.contact_id.as_str()).collect();
        assert_eq!(ids, ["C3", "C1"]);
        assert_eq!(d[0].phone, None);
        assert_eq!(d[0].email.as_deref(), Some("a@b.il"));
        assert_eq!(d[1].email, None);
        assert_eq!(d[1].street.as_deref(), Some("הרצל"));
    }

    /// Issue #24: a batch's guardians found through the row index are those [`guardians`]
    /// gives for the batch's students (in another order, which the recipients do not depend
    /// on): every contacts row of its students, with or without the flags, and every details
    /// row of their contacts, a contact shared by two students and a contact with two rows
    /// of details included; a student outside the phase gets none.
    #[test]
    fn a_batch_gets_the_guardians_its_students_would_get_from_the_whole_tables() {
        use polars::prelude::*;
        let text = |v: &[Option<&str>]| StringChunked::new("c".into(), v);
        let c = [
            text(&[
                Some("S1"),
                Some("S2"),
                Some("S1"),
                None,
                Some("S2"),
                Some("S3"),
            ]),
            text(&[
                Some("C1"),
                Some("C2"),
                Some("C3"),
                Some("C4"),
                Some("C1"),
                Some("C5"),
            ]),
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
        let legal = vec![
            Some(true),
            Some(true),
            None,
            Some(true),
            Some(true),
            Some(true),
        ];
        let lives = vec![
            Some(true),
            Some(false),
            Some(true),
            None,
            Some(false),
            Some(true),
        ];
        let d = [
            text(&[
                Some("C2"),
                Some("C3"),
                None,
                Some("C1"),
                Some("C1"),
                Some("C5"),
            ]),
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
        let phase: HashSet<&str> = ["S1", "S2"].into_iter().collect();
        let t = |i: usize| TextColumn::Plain(&c[i]);
        let u = |i: usize| TextColumn::Plain(&d[i]);
        let rows = GuardianRows::new(
            ContactColumns {
                student_id: t(0),
                contact_id: t(1),
                first_name: t(2),
                last_name: t(3),
                relation: t(4),
                is_legal_guardian: legal.clone(),
                lives_with_student: lives.clone(),
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
        let whole = |students: &[&str]| {
            let students: HashSet<&str> = students.iter().copied().collect();
            let it = |i: usize| t(i).iter();
            let iu = |i: usize| u(i).iter();
            let (mut c, mut d) = guardians(
                ContactColumns {
                    student_id: it(0),
                    contact_id: it(1),
                    first_name: it(2),
                    last_name: it(3),
                    relation: it(4),
                    is_legal_guardian: legal.clone().into_iter(),
                    lives_with_student: lives.clone().into_iter(),
                },
                DetailColumns {
                    contact_id: iu(0),
                    phone: iu(1),
                    email: iu(2),
                    street: iu(3),
                    house_number: iu(4),
                    city: iu(5),
                    zip: iu(6),
                },
                &students,
            );
            c.sort();
            d.sort();
            (c, d)
        };
        let batch = |ids: &[&str]| {
            let (c, d) = rows.of(ids);
            let (mut c, mut d) = (c.into_owned(), d.into_owned());
            c.sort();
            d.sort();
            (c, d)
        };
        for ids in [&["S1"][..], &["S2"], &["S1", "S2"], &["S2", "S1"]] {
            assert_eq!(batch(ids), whole(ids), "batch {ids:?}");
        }
        let (c, d) = batch(&["S1", "S2"]);
        assert_eq!(c.len(), 4, "C1 twice (S1's and S2's), C2, C3");
        assert_eq!(d.len(), 4, "C1's two rows, C2's, C3's");
        // S3 is not among the phase's students: its rows are not indexed.
        let (c, d) = batch(&["S3"]);
        assert!(c.is_empty() && d.is_empty());
    }
}
