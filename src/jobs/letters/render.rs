//! Rendering letters: one row of `letters` per (letter request, recipient) (gifted.md §7).
use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::recipients::{resolve_student_ids, Contact, ContactDetails, Student, UnreachedGuardian};
use super::templates::{format_date, LetterContext, LetterParams, RunFields, Templates};
use super::{Channel, Language, LetterKind, Sector};
use crate::error::Error;

pub use super::recipients::UndeliverableReason;

/// A school, as the letters need it (from `institutions`).
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

/// "Student `student_id` gets a letter of kind `kind`."
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LetterRequest {
    pub student_id: String,
    pub kind: LetterKind,
    pub extra: LetterExtra,
}

impl LetterRequest {
    pub fn new(student_id: impl Into<String>, kind: LetterKind) -> LetterRequest {
        LetterRequest {
            student_id: student_id.into(),
            kind,
            extra: LetterExtra::default(),
        }
    }
}

/// A row of the `letters` table.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
/// output is the same for any order of any input and any number of threads. Errors: a request
/// without the extra field its kind needs, a student whose institution is unknown, or a
/// template that fails to render.
pub fn render_letters(
    requests: &[LetterRequest],
    students: &[Student],
    institutions: &[Institution],
    contacts: &[Contact],
    details: &[ContactDetails],
    params: &LetterParams,
    templates: &Templates,
) -> Result<LettersOutput, Error> {
    let mut reqs: Vec<&LetterRequest> = requests.iter().collect();
    reqs.sort_unstable();
    reqs.dedup();

    for r in &reqs {
        if let Some(field) = r.kind.required_extra() {
            let present = match field {
                "class_school_name" => has_text(&r.extra.class_school_name),
                "center_name" => has_text(&r.extra.center_name),
                _ => true,
            };
            if !present {
                return Err(Error::Job(format!(
                    "letter {} for student {} needs {field}",
                    r.kind, r.student_id
                )));
            }
        }
    }

    let mut student_by_id: HashMap<&str, &Student> = HashMap::with_capacity(students.len());
    for s in students {
        student_by_id.entry(s.student_id.as_str()).or_insert(s);
    }
    let mut institution_by_id: HashMap<&str, &Institution> = HashMap::new();
    for i in institutions {
        institution_by_id
            .entry(i.institution_id.as_str())
            .or_insert(i);
    }

    let mut ids: Vec<&str> = reqs
        .iter()
        .map(|r| r.student_id.as_str())
        .filter(|id| student_by_id.contains_key(id))
        .collect();
    ids.dedup(); // requests are sorted by student_id
    let recipients = resolve_student_ids(ids, contacts, details);

    let run_he = RunFields::new(params, Language::He);
    let run_ar = RunFields::new(params, Language::Ar);

    let mut undeliverable = Vec::new();
    let mut jobs: Vec<Job> = Vec::new();
    for r in &reqs {
        let Some(student) = student_by_id.get(r.student_id.as_str()).copied() else {
            undeliverable.push(Undeliverable {
                student_id: r.student_id.clone(),
                kind: r.kind,
                reason: UndeliverableReason::StudentNotFound,
            });
            continue;
        };
        let institution = institution_by_id
            .get(student.institution_id.as_str())
            .copied()
            .ok_or_else(|| {
                Error::Job(format!(
                    "student {}'s institution {} is not in institutions",
                    student.student_id, student.institution_id
                ))
            })?;
        let rs = recipients.for_student(&student.student_id);
        if rs.is_empty() {
            let reason = recipients
                .undeliverable_reason(&student.student_id)
                .unwrap_or(UndeliverableReason::NoLegalGuardian);
            undeliverable.push(Undeliverable {
                student_id: student.student_id.clone(),
                kind: r.kind,
                reason,
            });
            continue;
        }
        for recipient in rs {
            jobs.push(Job {
                request: r,
                student,
                institution,
                recipient,
            });
        }
    }

    let mut letters: Vec<LetterRow> = jobs
        .par_iter()
        .with_min_len(512)
        .map(|job| {
            let language = job.student.sector.language();
            let run = match language {
                Language::He => &run_he,
                Language::Ar => &run_ar,
            };
            render_one(job, language, run, templates)
        })
        .collect::<Result<_, Error>>()?;

    letters.par_sort_unstable_by(|a, b| {
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
    });
    undeliverable.sort_by(|a, b| {
        (&a.student_id, a.kind.as_str(), a.reason).cmp(&(&b.student_id, b.kind.as_str(), b.reason))
    });
    undeliverable.dedup();

    Ok(LettersOutput {
        letters,
        undeliverable,
        unreached: recipients.unreached,
    })
}

struct Job<'a> {
    request: &'a LetterRequest,
    student: &'a Student,
    institution: &'a Institution,
    recipient: &'a super::Recipient,
}

fn render_one(
    job: &Job<'_>,
    language: Language,
    run: &RunFields,
    templates: &Templates,
) -> Result<LetterRow, Error> {
    let student = job.student;
    let recipient = job.recipient;
    let extra = &job.request.extra;
    let recipient_name = recipient.display_name(language);
    let mut ctx = LetterContext {
        student_name: format!("{} {}", student.first_name.trim(), student.last_name.trim()),
        student_first_name: student.first_name.trim().to_string(),
        recipient_name: recipient_name.clone(),
        school_name: job.institution.name.trim().to_string(),
        class_school_name: extra.class_school_name.clone(),
        center_name: extra.center_name.clone(),
        interview_date: extra.interview_date.map(|d| format_date(d, language)),
        ..LetterContext::default()
    };
    run.apply(&mut ctx);
    let text = templates.render(language, job.request.kind, ctx)?;
    Ok(LetterRow {
        student_id: student.student_id.clone(),
        kind: job.request.kind,
        language,
        channel: recipient.channel,
        recipient_contact_ids: recipient.contact_ids_joined(),
        recipient_name,
        street: recipient.street.clone(),
        house_number: recipient.house_number.clone(),
        city: recipient.city.clone(),
        zip: recipient.zip.clone(),
        email: recipient.email.clone(),
        institution_id: student.institution_id.clone(),
        text,
    })
}

fn has_text(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.trim().is_empty())
}
