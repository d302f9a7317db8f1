//! Rendering letters: one row of `letters` per (letter request, recipient) (gifted.md §7).
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use minijinja::Value;
use rayon::prelude::*;

use super::context::{gender_value, opt_value, ContextValues, LetterParams, RunValues};
use super::recipients::{Contact, ContactDetails, RecipientIndex, Student, UnreachedGuardian};
use super::templates::Templates;
use super::words::format_date;
use super::LettersError;
use super::{Channel, Language, LetterKind, Sector};

pub use super::recipients::UndeliverableReason;

/// A school, as the letters need it (from `institutions`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Institution {
    pub institution_id: String,
    /// `institutions.name`, printed in the letters.
    pub name: String,
    /// `institutions.sector`: the language of the school's HTML bundle.
    pub sector: Sector,
}

/// What a letter names besides the student: places and dates, never a result.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LetterExtra {
    /// The school where the gifted class runs (required by `interview_invitation` and
    /// `placement_class`; optional for `not_placed_waitlist`): `institutions.name` of the
    /// track's institution.
    pub class_school_name: Option<String>,
    /// The enrichment center (`enrichment_centers.name`; required by `placement_enrichment_*`,
    /// optional for the stage B letters).
    pub center_name: Option<String>,
    /// The interview date, when the school already set it (`interview_invitation`).
    pub interview_date: Option<NaiveDate>,
    /// Why the request got its outcome (required by `placement_request_not_candidate`, a
    /// `request_outcomes.reason`, and by the decision letters of gifted.md §6, their rule).
    pub request_reason: Option<String>,
    /// The stage of a gifted.md §6 request (`elementary`, `secondary`).
    pub stage: Option<String>,
    /// The date the decision is about (an absence notice's exam date).
    pub event_date: Option<NaiveDate>,
    /// The date of the next step (a make-up's testing period end, the earliest retest date).
    pub next_date: Option<NaiveDate>,
    /// Approved accommodation kinds, sorted and `;`-joined.
    pub accommodations: Option<String>,
    /// The language of a language-adapted test.
    pub test_language: Option<String>,
}

/// A request's [`LetterExtra`], read through `Deref`: held only when it names something, so
/// that the ~480,000 requests of a three-times-national screening, none of which names
/// anything, take 8 bytes for it rather than ~190 (issue #24).
#[derive(Clone, Debug, Default)]
pub struct Extra(Option<Box<LetterExtra>>);

/// Nothing named: what an [`Extra`] without a box reads as.
static NO_EXTRA: LetterExtra = LetterExtra {
    class_school_name: None,
    center_name: None,
    interview_date: None,
    request_reason: None,
    stage: None,
    event_date: None,
    next_date: None,
    accommodations: None,
    test_language: None,
};

impl From<LetterExtra> for Extra {
    fn from(extra: LetterExtra) -> Extra {
        Extra((extra != NO_EXTRA).then(|| Box::new(extra)))
    }
}

impl std::ops::Deref for Extra {
    type Target = LetterExtra;
    fn deref(&self) -> &LetterExtra {
        self.0.as_deref().unwrap_or(&NO_EXTRA)
    }
}

/// Compared, ordered and hashed as the [`LetterExtra`] it reads as.
impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        **self == **other
    }
}

impl Eq for Extra {}

impl PartialOrd for Extra {
    fn partial_cmp(&self, other: &Extra) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Extra {
    fn cmp(&self, other: &Extra) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl std::hash::Hash for Extra {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

/// "Student `student_id` gets a letter of kind `kind`."
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LetterRequest {
    pub student_id: String,
    pub kind: LetterKind,
    pub extra: Extra,
}

impl LetterRequest {
    pub fn new(student_id: impl Into<String>, kind: LetterKind) -> LetterRequest {
        LetterRequest {
            student_id: student_id.into(),
            kind,
            extra: Extra::default(),
        }
    }
}

/// A row of the `letters` table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LetterRow {
    pub student_id: String,
    pub kind: LetterKind,
    pub language: Language,
    pub channel: Channel,
    /// The addressees' contact ids, ascending, joined by `;`.
    pub recipient_contact_ids: String,
    /// "רחל כהן ודוד כהן".
    pub recipient_name: String,
    /// Postal address (post letters; `None` for email letters).
    pub street: Option<String>,
    pub house_number: Option<String>,
    pub city: Option<String>,
    pub zip: Option<String>,
    /// Email address (email letters; `None` for post letters).
    pub email: Option<String>,
    /// The student's institution (the HTML bundle it is printed in).
    pub institution_id: String,
    /// The rendered letter.
    pub text: String,
}

/// A row of the `undeliverable` table: a requested letter that reaches no one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Undeliverable {
    pub student_id: String,
    pub kind: LetterKind,
    pub reason: UndeliverableReason,
}

/// The letters of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LettersOutput {
    /// Sorted by (institution_id, student_id, kind, recipient_contact_ids).
    pub letters: Vec<LetterRow>,
    /// One row per (student, kind) that reaches no one, sorted by (student_id, kind).
    pub undeliverable: Vec<Undeliverable>,
    /// Guardians of students with letters who could not be reached while another guardian
    /// was (no postal address, no email); for the schools to complete (§2.3.ד).
    pub unreached: Vec<UnreachedGuardian>,
}

/// Renders every requested letter to every recipient of its student.
///
/// Requests are taken as a set: order does not matter and exact duplicates count once. The
/// output is the same for any order of any input and any number of threads (duplicated input
/// rows count once: the smallest). Errors: a request without the extra field its kind needs, a
/// student whose institution is unknown, or a template that fails to render.
pub fn render_letters(
    requests: &[LetterRequest],
    students: &[Student<'_>],
    institutions: &[Institution],
    contacts: &[Contact],
    details: &[ContactDetails],
    params: &LetterParams,
    templates: &Templates,
) -> Result<LettersOutput, LettersError> {
    let mut letters = Vec::new();
    let rest = render_letters_in_batches(
        requests,
        students,
        institutions,
        &GuardianSlices { contacts, details },
        params,
        templates,
        &mut |batch| {
            letters.extend(batch.letters);
            Ok::<(), LettersError>(())
        },
    )?;
    Ok(LettersOutput {
        letters,
        undeliverable: rest.undeliverable,
        unreached: rest.unreached,
    })
}

/// Where the guardians of a batch of students are found: [`render_letters_in_batches`] asks
/// for one batch's at a time, so that a run holds the guardians of one batch as letters need
/// them, not those of every student it writes to.
pub trait Guardians: Sync {
    /// Every `contacts` row of the students `ids`, and every `contact_details` row of those
    /// rows' contacts. Rows of other students may come too: they change nothing, since a
    /// student's guardians are found by the student's ID.
    fn of(&self, ids: &[&str]) -> (Cow<'_, [Contact]>, Cow<'_, [ContactDetails]>);
}

/// Guardians at hand as whole slices ([`render_letters`] and the tests): every batch is given
/// all of them and indexes them again, so this suits a few hundred letters; a run's letters
/// find their guardians through `GuardianRows`.
pub struct GuardianSlices<'a> {
    pub contacts: &'a [Contact],
    pub details: &'a [ContactDetails],
}

impl Guardians for GuardianSlices<'_> {
    fn of(&self, _ids: &[&str]) -> (Cow<'_, [Contact]>, Cow<'_, [ContactDetails]>) {
        (Cow::Borrowed(self.contacts), Cow::Borrowed(self.details))
    }
}

/// Students whose letters are rendered together, at least (a batch ends with a school).
pub(crate) const BATCH_STUDENTS: usize = 2048;

/// A batch of letters: those of whole schools, in the order of `letters`.
#[derive(Debug)]
pub struct LettersBatch {
    /// Sorted by (institution_id, student_id, kind, recipient_contact_ids), each a school's
    /// letters whole.
    pub letters: Vec<LetterRow>,
    /// The schools of this batch and of the batches before it (for progress).
    pub schools_done: usize,
    /// The schools of all batches.
    pub schools: usize,
}

/// What [`render_letters_in_batches`] leaves after the batches: the letters that reach no one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LettersRest {
    /// As [`LettersOutput::undeliverable`].
    pub undeliverable: Vec<Undeliverable>,
    /// As [`LettersOutput::unreached`].
    pub unreached: Vec<UnreachedGuardian>,
    /// The letters of all batches.
    pub letters: usize,
    /// The schools with letters to render (every batch's `schools` counts towards it).
    pub schools: usize,
}

/// [`render_letters`] a batch of schools at a time: `each` gets the letters of whole schools,
/// in the order of `letters`, as soon as they are rendered, so that no more than one batch of
/// letter texts, and of guardians ([`Guardians`]), is held at once. The batches are the same
/// for any number of threads.
#[allow(clippy::too_many_arguments)]
pub fn render_letters_in_batches<E: From<LettersError>>(
    requests: &[LetterRequest],
    students: &[Student<'_>],
    institutions: &[Institution],
    guardians: &dyn Guardians,
    params: &LetterParams,
    templates: &Templates,
    each: &mut dyn FnMut(LettersBatch) -> Result<(), E>,
) -> Result<LettersRest, E> {
    let mut reqs: Vec<&LetterRequest> = requests.iter().collect();
    reqs.par_sort_unstable();
    reqs.dedup();

    for r in &reqs {
        if let Some(field) = r.kind.required_extra() {
            let present = match field {
                "class_school_name" => has_text(&r.extra.class_school_name),
                "center_name" => has_text(&r.extra.center_name),
                "request_reason" => has_text(&r.extra.request_reason),
                _ => true,
            };
            if !present {
                return Err(LettersError::MissingExtra {
                    kind: r.kind,
                    student_id: r.student_id.clone(),
                    field,
                }
                .into());
            }
        }
    }

    let student_by_id = smallest_by_key(students, |s| s.student_id);
    let institution_by_id = smallest_by_key(institutions, |i| i.institution_id.as_str());

    // One group per student: its requests, ordered as the output is (kind name, extra).
    let mut undeliverable = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for chunk in reqs.chunk_by(|a, b| a.student_id == b.student_id) {
        let student_id = chunk[0].student_id.as_str();
        let Some(student) = student_by_id.get(student_id).copied() else {
            undeliverable.extend(chunk.iter().map(|r| Undeliverable {
                student_id: r.student_id.clone(),
                kind: r.kind,
                reason: UndeliverableReason::StudentNotFound,
            }));
            continue;
        };
        let institution = institution_by_id
            .get(student.institution_id)
            .copied()
            .ok_or_else(|| LettersError::UnknownInstitution {
                student_id: student.student_id.to_string(),
                institution_id: student.institution_id.to_string(),
            })?;
        let mut requests = chunk.to_vec();
        requests.sort_by(|a, b| (a.kind.as_str(), &*a.extra).cmp(&(b.kind.as_str(), &*b.extra)));
        groups.push(Group {
            student,
            institution,
            requests,
        });
    }
    groups.par_sort_unstable_by(|a, b| {
        (&a.student.institution_id, &a.student.student_id)
            .cmp(&(&b.student.institution_id, &b.student.student_id))
    });

    let run_he = RunValues::new(params, Language::He);
    let run_ar = RunValues::new(params, Language::Ar);
    let render = |g: &Group, index: &RecipientIndex| {
        let run = match g.student.sector.language() {
            Language::He => &run_he,
            Language::Ar => &run_ar,
        };
        render_group(g, index, run, templates)
    };
    let schools = groups
        .chunk_by(|a, b| a.student.institution_id == b.student.institution_id)
        .count();
    let mut unreached = Vec::new();
    let mut letters_written = 0;
    let mut schools_done = 0;
    let mut rest: &[Group] = &groups;
    while !rest.is_empty() {
        // At least BATCH_STUDENTS students, up to the end of a school.
        let mut end = BATCH_STUDENTS.min(rest.len());
        while end < rest.len()
            && rest[end].student.institution_id == rest[end - 1].student.institution_id
        {
            end += 1;
        }
        let (batch, after) = rest.split_at(end);
        rest = after;
        schools_done += batch
            .chunk_by(|a, b| a.student.institution_id == b.student.institution_id)
            .count();
        let ids: Vec<&str> = batch.iter().map(|g| g.student.student_id).collect();
        let (contacts, details) = guardians.of(&ids);
        let index = RecipientIndex::new(&contacts, &details);
        let outputs: Vec<GroupOutput> = batch
            .par_iter()
            .with_min_len(64)
            .map(|g| render(g, &index))
            .collect::<Result<_, LettersError>>()?;
        drop(index);
        let mut letters = Vec::with_capacity(outputs.iter().map(|o| o.letters.len()).sum());
        for o in outputs {
            letters.extend(o.letters);
            undeliverable.extend(o.undeliverable);
            unreached.extend(o.unreached);
        }
        // Groups are in (institution, student) order and a batch holds whole schools: sorting
        // within the batch sorts the whole table.
        if !letters.is_sorted_by(|a, b| letter_order(a, b).is_le()) {
            letters.par_sort_by(letter_order);
        }
        letters_written += letters.len();
        each(LettersBatch {
            letters,
            schools_done,
            schools,
        })?;
    }
    undeliverable.sort_by(|a, b| {
        (&a.student_id, a.kind.as_str(), a.reason).cmp(&(&b.student_id, b.kind.as_str(), b.reason))
    });
    undeliverable.dedup();
    unreached.sort();

    Ok(LettersRest {
        undeliverable,
        unreached,
        letters: letters_written,
        schools,
    })
}

/// The order of `letters`: (institution_id, student_id, kind, recipient_contact_ids); the text
/// breaks the tie of one kind requested twice with different extras.
fn letter_order(a: &LetterRow, b: &LetterRow) -> std::cmp::Ordering {
    (
        &a.institution_id,
        &a.student_id,
        a.kind.as_str(),
        &a.recipient_contact_ids,
        &a.text,
    )
        .cmp(&(
            &b.institution_id,
            &b.student_id,
            b.kind.as_str(),
            &b.recipient_contact_ids,
            &b.text,
        ))
}

/// Rows by key; of duplicated keys the smallest row, whatever the input order.
fn smallest_by_key<T: Ord>(rows: &[T], key: impl Fn(&T) -> &str) -> HashMap<&str, &T> {
    let mut map: HashMap<&str, &T> = HashMap::with_capacity(rows.len());
    for r in rows {
        map.entry(key(r))
            .and_modify(|cur| {
                if r < *cur {
                    *cur = r;
                }
            })
            .or_insert(r);
    }
    map
}

struct Group<'a> {
    student: &'a Student<'a>,
    institution: &'a Institution,
    requests: Vec<&'a LetterRequest>,
}

struct GroupOutput {
    letters: Vec<LetterRow>,
    undeliverable: Vec<Undeliverable>,
    unreached: Vec<UnreachedGuardian>,
}

/// All letters of one student: each request to each recipient.
fn render_group(
    g: &Group<'_>,
    index: &RecipientIndex<'_>,
    run: &Arc<RunValues>,
    templates: &Templates,
) -> Result<GroupOutput, LettersError> {
    let student = g.student;
    let language = student.sector.language();
    let resolved = index.resolve(student.student_id);
    if let Some(reason) = resolved.undeliverable {
        return Ok(GroupOutput {
            letters: Vec::new(),
            undeliverable: g
                .requests
                .iter()
                .map(|r| Undeliverable {
                    student_id: student.student_id.to_string(),
                    kind: r.kind,
                    reason,
                })
                .collect(),
            unreached: Vec::new(),
        });
    }
    let student_name = Value::from(format!(
        "{} {}",
        student.first_name.trim(),
        student.last_name.trim()
    ));
    let student_first_name = Value::from(student.first_name.trim());
    let student_gender = gender_value(student.gender);
    let school_name = Value::from(g.institution.name.trim());
    let mut letters = Vec::with_capacity(g.requests.len() * resolved.recipients.len());
    for request in &g.requests {
        let extra = &request.extra;
        let class_school_name = opt_value(extra.class_school_name.clone());
        let center_name = opt_value(extra.center_name.clone());
        let request_reason = opt_value(extra.request_reason.clone());
        let interview_date = opt_value(extra.interview_date.map(|d| format_date(d, language)));
        let stage = opt_value(extra.stage.clone());
        let event_date = opt_value(extra.event_date.map(|d| format_date(d, language)));
        let next_date = opt_value(extra.next_date.map(|d| format_date(d, language)));
        let accommodations = opt_value(extra.accommodations.clone());
        let test_language = opt_value(extra.test_language.clone());
        for recipient in &resolved.recipients {
            let recipient_name = recipient.display_name(language);
            let values = ContextValues {
                run: Arc::clone(run),
                student_name: student_name.clone(),
                student_first_name: student_first_name.clone(),
                student_gender: student_gender.clone(),
                recipient_name: Value::from(recipient_name.as_str()),
                school_name: school_name.clone(),
                class_school_name: class_school_name.clone(),
                center_name: center_name.clone(),
                request_reason: request_reason.clone(),
                interview_date: interview_date.clone(),
                stage: stage.clone(),
                event_date: event_date.clone(),
                next_date: next_date.clone(),
                accommodations: accommodations.clone(),
                test_language: test_language.clone(),
            };
            let text = templates.render_values(language, request.kind, values)?;
            letters.push(LetterRow {
                student_id: student.student_id.to_string(),
                kind: request.kind,
                language,
                channel: recipient.channel,
                recipient_contact_ids: recipient.contact_ids_joined(),
                recipient_name,
                street: recipient.street.clone(),
                house_number: recipient.house_number.clone(),
                city: recipient.city.clone(),
                zip: recipient.zip.clone(),
                email: recipient.email.clone(),
                institution_id: student.institution_id.to_string(),
                text,
            });
        }
    }
    Ok(GroupOutput {
        letters,
        undeliverable: Vec::new(),
        unreached: resolved.unreached,
    })
}

fn has_text(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}
