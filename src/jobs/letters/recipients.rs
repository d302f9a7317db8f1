//! Who receives a student's letter (gifted.md §7; 0207 §2.3.ד, §2.5.ד).
//!
//! Rules, per student:
//! - Only **legal guardians** (`contacts.is_legal_guardian`) receive letters; other contacts
//!   (relation `other`, or any contact that is not a legal guardian) never do.
//!   `lives_with_student` does not matter: a guardian who lives apart is still a guardian and
//!   gets their own letter (§2.3.ד: "לשלוח כל הודעה או דבר דואר לשני ההורים").
//! - A guardian has a **postal address** when `street` and `city` are both non-empty; then the
//!   letter goes by post. Guardians whose normalized postal addresses are equal share ONE letter
//!   addressed to all of them; guardians at different addresses get one letter each.
//! - A guardian without a postal address but with an `email` gets an **email** letter.
//!   Guardians without a postal address who share one (normalized) email share one letter.
//! - A guardian with neither is listed in [`Recipients::unreached`] (when another guardian of
//!   the student is reached) so the school can complete the details.
//! - A student with no legal guardian is undeliverable with reason `no_legal_guardian`; a
//!   student whose legal guardians have neither a postal address nor an email is undeliverable
//!   with reason `no_address_or_email`.
//!
//! **Address normalization** (decides "same address"; [`address_key`]). Street and city:
//! Hebrew points and Arabic diacritics (tashkeel, tatweel) removed; quote marks (`'` `"` `׳`
//! `״` `` ` `` `‘’“”´`) removed, so `ז'בוטינסקי` = `ז׳בוטינסקי`; punctuation `, . ; : ( ) [ ]
//! / \ - – — _` and the maqaf `־` become spaces, so `תל אביב-יפו` = `תל אביב יפו`; whitespace
//! trimmed and collapsed; case folded; Arabic letter variants unified (`أ إ آ` → `ا`,
//! `ى` → `ي`, `ة` → `ه`). A leading street-type word `רחוב` / `רח` / `شارع` / `street` is
//! dropped from the street. House number: spaces and the marks above removed, case folded,
//! leading zeros of the number dropped, so `12 א` = `12-א` = `012א`; a `/` is kept (`12/3` is
//! an apartment, another household). When the house number is empty and the street ends in a
//! token with a digit (`הרצל 12`), that token is taken as the house number. The zip code is
//! not part of the key (it is often missing for one of two parents). When two addresses differ
//! after this, the guardians get separate letters: sending one letter too many is safer than
//! one too few.
use polars::prelude::PlHashMap as HashMap;
use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{Channel, Gender, Language, Sector};

/// A student, as the letters need it (from `students` and the student's institution),
/// borrowed from the roster: a national screening addresses ~160,000 students.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Student<'a> {
    pub student_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    /// `students.gender`: the grammatical gender of the words about the child in the letters
    /// (`None` when unknown: written in the masculine, the generic form).
    pub gender: Option<Gender>,
    pub institution_id: &'a str,
    /// The sector of the student's institution: decides the letter's language.
    pub sector: Sector,
}

/// `contacts.relation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    Mother,
    Father,
    Guardian,
    Other,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Mother => "mother",
            Relation::Father => "father",
            Relation::Guardian => "guardian",
            Relation::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        match s {
            "mother" => Some(Relation::Mother),
            "father" => Some(Relation::Father),
            "guardian" => Some(Relation::Guardian),
            "other" => Some(Relation::Other),
            _ => None,
        }
    }
}

/// A row of `contacts`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Contact {
    pub student_id: String,
    pub contact_id: String,
    pub first_name: String,
    pub last_name: String,
    pub relation: Relation,
    pub is_legal_guardian: bool,
    pub lives_with_student: bool,
}

/// A row of `contact_details`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContactDetails {
    pub contact_id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
}

/// Why a student's letter cannot be delivered (`undeliverable.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UndeliverableReason {
    /// The student has no contact marked `is_legal_guardian`.
    NoLegalGuardian,
    /// No legal guardian has a postal address (street and city) or an email.
    NoAddressOrEmail,
    /// The letter request names a student who is not in `students`.
    StudentNotFound,
}

impl UndeliverableReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UndeliverableReason::NoLegalGuardian => "no_legal_guardian",
            UndeliverableReason::NoAddressOrEmail => "no_address_or_email",
            UndeliverableReason::StudentNotFound => "student_not_found",
        }
    }
}

/// One letter's addressee: one guardian, or several guardians at one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub student_id: String,
    pub channel: Channel,
    /// The guardians' contact ids, ascending.
    pub contact_ids: Vec<String>,
    /// The guardians' names ("first last"), in the order of `contact_ids`.
    pub names: Vec<String>,
    /// Postal address (post letters only), as written for the guardian with the smallest
    /// contact id (trimmed); `zip` from the first guardian of the group that has one.
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    /// Email address (email letters only).
    pub email: Option<String>,
}

impl Recipient {
    /// `letters.recipient_contact_ids`: the contact ids joined by `;`.
    pub fn contact_ids_joined(&self) -> String {
        self.contact_ids.join(";")
    }

    /// The smallest contact id: the recipient's sort key within a student.
    pub fn first_contact_id(&self) -> &str {
        self.contact_ids.first().map(String::as_str).unwrap_or("")
    }

    /// The addressees' names joined in the letter's language: "רחל כהן ודוד כהן",
    /// "راحيل كوهين وداود كوهين"; three or more: "א, ב וג" / "أ، ب وج".
    pub fn display_name(&self, language: Language) -> String {
        join_names(&self.names, language)
    }
}

/// A legal guardian who could not be reached (no postal address, no email) while another
/// guardian of the same student was: §2.3.ד wants every guardian informed, so the caller
/// should report these to the school.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct UnreachedGuardian {
    pub student_id: String,
    pub contact_id: String,
}

/// The recipients of every student.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipients {
    /// Sorted by (student_id, smallest contact_id).
    pub recipients: Vec<Recipient>,
    /// Students with no reachable legal guardian, sorted by student_id.
    pub undeliverable: Vec<(String, UndeliverableReason)>,
    /// Guardians left out while another guardian of the student is reached; sorted.
    pub unreached: Vec<UnreachedGuardian>,
}

impl Recipients {
    /// The recipients of one student (empty when undeliverable or unknown).
    pub fn for_student(&self, student_id: &str) -> &[Recipient] {
        let lo = self
            .recipients
            .partition_point(|r| r.student_id.as_str() < student_id);
        let hi =
            lo + self.recipients[lo..].partition_point(|r| r.student_id.as_str() <= student_id);
        &self.recipients[lo..hi]
    }

    /// Why a student has no recipient, if so.
    pub fn undeliverable_reason(&self, student_id: &str) -> Option<UndeliverableReason> {
        self.undeliverable
            .binary_search_by(|(s, _)| s.as_str().cmp(student_id))
            .ok()
            .map(|i| self.undeliverable[i].1)
    }
}

/// The normalized postal address that decides whether guardians live together.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddressKey {
    pub street: String,
    pub house_number: String,
    pub city: String,
}

/// Resolves the recipients of every student in `students` (see the module docs for the rules).
/// Contacts of students not in `students` are ignored. Duplicated rows (same student and
/// contact id in `contacts`, same contact id in `contact_details`) count once: the smallest
/// row, so the result never depends on the order of the inputs.
pub fn resolve_recipients(
    students: &[Student<'_>],
    contacts: &[Contact],
    details: &[ContactDetails],
) -> Recipients {
    let index = RecipientIndex::new(contacts, details);
    let mut ids: Vec<&str> = students.iter().map(|s| s.student_id).collect();
    ids.par_sort_unstable();
    ids.dedup();
    let per_student: Vec<StudentRecipients> = ids
        .par_iter()
        .with_min_len(256)
        .map(|id| index.resolve(id))
        .collect();
    let mut out = Recipients::default();
    for (id, r) in ids.iter().zip(per_student) {
        if let Some(reason) = r.undeliverable {
            out.undeliverable.push((id.to_string(), reason));
        }
        out.recipients.extend(r.recipients);
        out.unreached.extend(r.unreached);
    }
    out
}

/// The recipients of one student.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct StudentRecipients {
    /// Sorted by contact ids; empty when undeliverable.
    pub recipients: Vec<Recipient>,
    pub undeliverable: Option<UndeliverableReason>,
    pub unreached: Vec<UnreachedGuardian>,
}

/// Legal guardians and contact details, indexed once so that students can be resolved one by
/// one, in parallel.
pub(crate) struct RecipientIndex<'a> {
    /// Legal guardians sorted by (student_id, contact_id), one per pair.
    guardians: Vec<&'a Contact>,
    /// Each student's guardians: a range of `guardians`.
    of_student: HashMap<&'a str, std::ops::Range<usize>>,
    details: HashMap<&'a str, &'a ContactDetails>,
}

impl<'a> RecipientIndex<'a> {
    pub(crate) fn new(contacts: &'a [Contact], details: &'a [ContactDetails]) -> Self {
        let mut guardians: Vec<&Contact> =
            contacts.iter().filter(|c| c.is_legal_guardian).collect();
        guardians.par_sort_unstable_by(|a, b| {
            (&a.student_id, &a.contact_id)
                .cmp(&(&b.student_id, &b.contact_id))
                .then_with(|| a.cmp(b))
        });
        guardians.dedup_by(|a, b| a.student_id == b.student_id && a.contact_id == b.contact_id);
        let mut of_student = HashMap::default();
        for (i, g) in guardians.iter().enumerate() {
            of_student
                .entry(g.student_id.as_str())
                .and_modify(|r: &mut std::ops::Range<usize>| r.end = i + 1)
                .or_insert(i..i + 1);
        }
        let mut by_id: HashMap<&str, &ContactDetails> =
            HashMap::with_capacity_and_hasher(details.len(), Default::default());
        for d in details {
            by_id
                .entry(d.contact_id.as_str())
                .and_modify(|cur| {
                    if d < *cur {
                        *cur = d;
                    }
                })
                .or_insert(d);
        }
        RecipientIndex {
            guardians,
            of_student,
            details: by_id,
        }
    }

    fn guardians_of(&self, student_id: &str) -> &[&'a Contact] {
        match self.of_student.get(student_id) {
            Some(r) => &self.guardians[r.clone()],
            None => &[],
        }
    }

    /// The recipients of one student.
    pub(crate) fn resolve(&self, student_id: &str) -> StudentRecipients {
        let guardians = self.guardians_of(student_id);
        if guardians.is_empty() {
            return StudentRecipients {
                undeliverable: Some(UndeliverableReason::NoLegalGuardian),
                ..StudentRecipients::default()
            };
        }
        // Group guardians (in contact-id order) by normalized postal address, else by email.
        let mut by_address: BTreeMap<AddressKey, Vec<(&Contact, &ContactDetails)>> =
            BTreeMap::new();
        let mut by_email: BTreeMap<String, Vec<(&Contact, &ContactDetails)>> = BTreeMap::new();
        let mut unreached: Vec<&Contact> = Vec::new();
        for &g in guardians {
            let Some(d) = self.details.get(g.contact_id.as_str()).copied() else {
                unreached.push(g);
                continue;
            };
            if let Some(key) = address_key(d) {
                by_address.entry(key).or_default().push((g, d));
            } else if let Some(email) = non_empty(&d.email) {
                by_email
                    .entry(email.to_lowercase())
                    .or_default()
                    .push((g, d));
            } else {
                unreached.push(g);
            }
        }
        let mut recipients: Vec<Recipient> = by_address
            .into_values()
            .map(|group| post_recipient(student_id, &group))
            .chain(
                by_email
                    .into_values()
                    .map(|group| email_recipient(student_id, &group)),
            )
            .collect();
        if recipients.is_empty() {
            return StudentRecipients {
                undeliverable: Some(UndeliverableReason::NoAddressOrEmail),
                ..StudentRecipients::default()
            };
        }
        recipients.sort_by(|a, b| a.contact_ids.cmp(&b.contact_ids));
        StudentRecipients {
            recipients,
            undeliverable: None,
            unreached: unreached
                .into_iter()
                .map(|g| UnreachedGuardian {
                    student_id: student_id.to_string(),
                    contact_id: g.contact_id.clone(),
                })
                .collect(),
        }
    }
}

fn post_recipient(student_id: &str, group: &[(&Contact, &ContactDetails)]) -> Recipient {
    // `group` is in contact-id order (guardians were sorted before grouping).
    let (_, d) = group[0];
    Recipient {
        student_id: student_id.to_string(),
        channel: Channel::Post,
        contact_ids: group.iter().map(|(c, _)| c.contact_id.clone()).collect(),
        names: group.iter().map(|(c, _)| person_name(c)).collect(),
        street: non_empty(&d.street).map(str::to_string),
        house_number: non_empty(&d.house_number).map(str::to_string),
        city: non_empty(&d.city).map(str::to_string),
        zip: group
            .iter()
            .find_map(|(_, d)| non_empty(&d.zip))
            .map(str::to_string),
        email: None,
    }
}

fn email_recipient(student_id: &str, group: &[(&Contact, &ContactDetails)]) -> Recipient {
    let (_, d) = group[0];
    Recipient {
        student_id: student_id.to_string(),
        channel: Channel::Email,
        contact_ids: group.iter().map(|(c, _)| c.contact_id.clone()).collect(),
        names: group.iter().map(|(c, _)| person_name(c)).collect(),
        street: None,
        house_number: None,
        city: None,
        zip: None,
        email: non_empty(&d.email).map(str::to_string),
    }
}

/// "first last", trimmed, inner whitespace collapsed.
pub fn person_name(c: &Contact) -> String {
    collapse_whitespace(&format!("{} {}", c.first_name, c.last_name))
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Joins addressees' names with the language's "and": Hebrew `ו` and Arabic `و` are written
/// attached to the next name; before a name that does not start with a letter of the
/// language's script, Hebrew writes `ו-` and Arabic `و ` (with a space).
pub fn join_names(names: &[String], language: Language) -> String {
    let mut out = String::new();
    for (i, name) in names.iter().enumerate() {
        if i == 0 {
            out.push_str(name);
            continue;
        }
        let last = i + 1 == names.len();
        let first_char = name.chars().next().unwrap_or(' ');
        match (language, last) {
            (Language::He, false) => out.push_str(", "),
            (Language::Ar, false) => out.push_str("، "),
            (Language::He, true) => out.push_str(if is_hebrew_letter(first_char) {
                " ו"
            } else {
                " ו-"
            }),
            (Language::Ar, true) => out.push_str(if is_arabic_letter(first_char) {
                " و"
            } else {
                " و "
            }),
        }
        out.push_str(name);
    }
    out
}

fn is_hebrew_letter(c: char) -> bool {
    ('\u{05D0}'..='\u{05EA}').contains(&c)
}

fn is_arabic_letter(c: char) -> bool {
    ('\u{0621}'..='\u{064A}').contains(&c) || ('\u{0671}'..='\u{06D3}').contains(&c)
}

/// The normalized postal address of a contact, or `None` without street and city.
pub fn address_key(d: &ContactDetails) -> Option<AddressKey> {
    let street = non_empty(&d.street)?;
    let city = non_empty(&d.city)?;
    let mut street = normalize_text(street);
    let mut house_number = non_empty(&d.house_number)
        .map(normalize_house_number)
        .unwrap_or_default();
    // Drop a leading street-type word.
    for prefix in ["רחוב", "רח", "شارع", "street"] {
        if let Some(rest) = street.strip_prefix(prefix) {
            if let Some(rest) = rest.strip_prefix(' ') {
                street = rest.to_string();
                break;
            }
        }
    }
    // "הרצל 12" with no house number: the trailing token with a digit is the house number.
    if house_number.is_empty() {
        if let Some((head, tail)) = street.rsplit_once(' ') {
            if tail.chars().any(|c| c.is_ascii_digit()) {
                house_number = normalize_house_number(tail);
                street = head.to_string();
            }
        }
    }
    Some(AddressKey {
        street,
        house_number,
        city: normalize_text(city),
    })
}

/// Street/city normalization (see the module docs).
pub fn normalize_text(s: &str) -> String {
    let mut buf = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // Hebrew points and cantillation (not the maqaf U+05BE or punctuation).
            '\u{0591}'..='\u{05BD}'
            | '\u{05BF}'
            | '\u{05C1}'
            | '\u{05C2}'
            | '\u{05C4}'
            | '\u{05C5}'
            | '\u{05C7}' => {}
            // Arabic tashkeel, superscript alef, tatweel.
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => {}
            // Quote marks, geresh, gershayim.
            '\'' | '"' | '`' | '\u{05F3}' | '\u{05F4}' | '\u{2018}' | '\u{2019}' | '\u{201C}'
            | '\u{201D}' | '\u{00B4}' => {}
            ',' | '.' | ';' | ':' | '(' | ')' | '[' | ']' | '/' | '\\' | '-' | '\u{2013}'
            | '\u{2014}' | '_' | '\u{05BE}' | '\u{060C}' => buf.push(' '),
            'أ' | 'إ' | 'آ' => buf.push('ا'),
            'ى' => buf.push('ي'),
            'ة' => buf.push('ه'),
            c if c.is_whitespace() => buf.push(' '),
            c => buf.extend(c.to_lowercase()),
        }
    }
    collapse_whitespace(&buf)
}

/// House-number normalization (see the module docs).
pub fn normalize_house_number(s: &str) -> String {
    let mut buf = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if c.is_whitespace() => {}
            '\'' | '"' | '`' | '\u{05F3}' | '\u{05F4}' | '\u{2018}' | '\u{2019}' | '\u{201C}'
            | '\u{201D}' | '\u{00B4}' | '-' | '\u{2013}' | '\u{05BE}' | '.' | ',' => {}
            c => buf.extend(c.to_lowercase()),
        }
    }
    // Drop leading zeros of the leading number ("012" → "12", "0" stays "0").
    let digits = buf.chars().take_while(char::is_ascii_digit).count();
    if digits > 1 {
        let zeros = buf
            .chars()
            .take_while(|&c| c == '0')
            .count()
            .min(digits - 1);
        buf.drain(..zeros);
    }
    buf
}
