//! Hand-worked tests of the letters module.
//!
//! By subject: [`recipients`] (who gets a letter), [`secrecy`] (no score can reach a letter),
//! [`templates`] (overrides and context fields), [`formatting`] (words and addresses),
//! [`render`] (required extras, determinism), [`bundle`] (HTML bundles) and the ignored
//! [`samples`] (speed, sample bundles); the fixtures below serve them all.
use std::path::Path;

use chrono::NaiveDate;

use super::*;

mod bundle;
mod formatting;
mod recipients;
mod render;
mod samples;
mod secrecy;
mod templates;

// ---------------------------------------------------------------------------------------------
// Fixtures

const HE_SCHOOL: &str = "100001";
const AR_SCHOOL: &str = "200002";

fn institutions() -> Vec<Institution> {
    vec![
        Institution {
            institution_id: HE_SCHOOL.into(),
            name: "בית ספר יסודי ביאליק".into(),
            sector: Sector::Hebrew,
        },
        Institution {
            institution_id: AR_SCHOOL.into(),
            name: "مدرسة ابن سينا الابتدائية".into(),
            sector: Sector::Arabic,
        },
    ]
}

/// A test's text kept for the rest of the test run: the letters borrow their students from
/// the roster, which a test makes on the fly.
fn kept(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

fn student(id: &str, first: &str, last: &str, inst: &str) -> Student<'static> {
    Student {
        student_id: kept(id),
        first_name: kept(first),
        last_name: kept(last),
        gender: None,
        institution_id: kept(inst),
        sector: if inst == AR_SCHOOL {
            Sector::Arabic
        } else {
            Sector::Hebrew
        },
    }
}

fn guardian(student: &str, contact: &str, first: &str, last: &str, rel: Relation) -> Contact {
    Contact {
        student_id: student.into(),
        contact_id: contact.into(),
        first_name: first.into(),
        last_name: last.into(),
        relation: rel,
        is_legal_guardian: true,
        lives_with_student: true,
    }
}

fn other_contact(student: &str, contact: &str, first: &str, last: &str) -> Contact {
    Contact {
        relation: Relation::Other,
        is_legal_guardian: false,
        lives_with_student: false,
        ..guardian(student, contact, first, last, Relation::Other)
    }
}

fn address(contact: &str, street: &str, house: &str, city: &str, zip: &str) -> ContactDetails {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    ContactDetails {
        contact_id: contact.into(),
        phone: Some("050-0000000".into()),
        email: None,
        street: opt(street),
        house_number: opt(house),
        city: opt(city),
        zip: opt(zip),
    }
}

fn email_only(contact: &str, email: &str) -> ContactDetails {
    ContactDetails {
        contact_id: contact.into(),
        email: Some(email.into()),
        ..ContactDetails::default()
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn params() -> LetterParams {
    LetterParams {
        response_by: Some(date(2027, 5, 22)),
        appeal_by: Some(date(2026, 12, 31)),
        ..LetterParams::new(date(2027, 5, 15), 2027)
    }
}

fn templates() -> Templates {
    Templates::bundled().expect("bundled templates load")
}

fn req(student: &str, kind: LetterKind) -> LetterRequest {
    LetterRequest {
        student_id: student.into(),
        kind,
        extra: full_extra().into(),
    }
}

fn full_extra_ar() -> LetterExtra {
    LetterExtra {
        class_school_name: Some("مدرسة الجليل الابتدائية".into()),
        center_name: Some("مركز إثراء الموهوبين الناصرة".into()),
        interview_date: Some(date(2027, 6, 3)),
        request_reason: Some("non_resident_first_year".into()),
        stage: Some("elementary".into()),
        event_date: Some(date(2027, 6, 3)),
        next_date: Some(date(2027, 5, 22)),
        accommodations: Some("aide;extended_time;separate_room".into()),
        test_language: Some("russian".into()),
    }
}

fn full_extra() -> LetterExtra {
    LetterExtra {
        class_school_name: Some("בית ספר יסודי אלון".into()),
        center_name: Some("מרכז העשרה למחוננים חיפה".into()),
        interview_date: Some(date(2027, 6, 3)),
        request_reason: Some("non_resident_first_year".into()),
        stage: Some("elementary".into()),
        event_date: Some(date(2027, 6, 3)),
        next_date: Some(date(2027, 5, 22)),
        accommodations: Some("aide;extended_time;separate_room".into()),
        test_language: Some("russian".into()),
    }
}

fn render(
    requests: &[LetterRequest],
    students: &[Student<'_>],
    contacts: &[Contact],
    details: &[ContactDetails],
) -> LettersOutput {
    render_letters(
        requests,
        students,
        &institutions(),
        contacts,
        details,
        &params(),
        &templates(),
    )
    .expect("letters render")
}

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}
