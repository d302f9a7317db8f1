//! The letters' input rows (data-contract.md `contacts`, `contact_details`; gifted.md §7): the
//! contacts of the students who get a letter, and the details of those contacts only.
//!
//! Read column by column, not through `table::rows`: nationally `contacts` has 4.7 million rows
//! and `contact_details` about as many, of which a phase keeps only its students' guardians,
//! so each row is looked at through its key before anything is copied.
use polars::prelude::PlHashSet as HashSet;

use super::recipients::{Contact, ContactDetails, Relation};

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
        contacts.push(Contact {
            student_id: sid.to_string(),
            contact_id: cid.to_string(),
            first_name: first.unwrap_or_default().to_string(),
            last_name: last.unwrap_or_default().to_string(),
            relation: relation
                .and_then(Relation::parse)
                .unwrap_or(Relation::Other),
            is_legal_guardian: legal.unwrap_or(false),
            lives_with_student: lives.unwrap_or(false),
        });
    }
    let wanted: HashSet<&str> = contacts.iter().map(|c| c.contact_id.as_str()).collect();
    let mut out = Vec::new();
    let own = |v: Option<&str>| v.filter(|x| !x.is_empty()).map(str::to_string);
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
        out.push(ContactDetails {
            contact_id: cid.to_string(),
            phone: own(phone),
            email: own(email),
            street: own(street),
            house_number: own(house),
            city: own(city),
            zip: own(zip),
        });
    }
    drop(wanted);
    (contacts, out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
