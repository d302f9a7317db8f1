//! Hand-worked tests of the letters module.
use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use super::recipients::{address_key, join_names, normalize_house_number, normalize_text};
use super::templates::tidy_text;
use super::words::{format_date, hebrew_numeral, hebrew_year};
use super::*;

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

fn student(id: &str, first: &str, last: &str, inst: &str) -> Student {
    Student {
        student_id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        gender: None,
        institution_id: inst.into(),
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
        extra: full_extra(),
    }
}

fn full_extra_ar() -> LetterExtra {
    LetterExtra {
        class_school_name: Some("مدرسة الجليل الابتدائية".into()),
        center_name: Some("مركز إثراء الموهوبين الناصرة".into()),
        interview_date: Some(date(2027, 6, 3)),
    }
}

fn full_extra() -> LetterExtra {
    LetterExtra {
        class_school_name: Some("בית ספר יסודי אלון".into()),
        center_name: Some("מרכז העשרה למחוננים חיפה".into()),
        interview_date: Some(date(2027, 6, 3)),
    }
}

fn render(
    requests: &[LetterRequest],
    students: &[Student],
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

// ---------------------------------------------------------------------------------------------
// Recipients

#[test]
fn two_guardians_at_one_address_get_one_letter_naming_both() {
    // The same flat written two ways: "הרצל 12, תל אביב-יפו" and "רח' הרצל 12 , תל אביב יפו".
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "כהן", Relation::Father),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "תל אביב-יפו", "6100101"),
        address("000000034", "רח' הרצל ", " 12", "תל  אביב יפו", ""),
    ];
    let out = render(
        &[req("000000018", LetterKind::StageAReferred)],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 1, "{:#?}", out.letters);
    let l = &out.letters[0];
    assert_eq!(l.channel, Channel::Post);
    assert_eq!(l.recipient_contact_ids, "000000026;000000034");
    assert_eq!(l.recipient_name, "רחל כהן ודוד כהן");
    assert!(l.text.contains("לכבוד\nרחל כהן ודוד כהן"), "{}", l.text);
    // The address as written for the smallest contact id; its zip.
    assert_eq!(l.street.as_deref(), Some("הרצל"));
    assert_eq!(l.house_number.as_deref(), Some("12"));
    assert_eq!(l.city.as_deref(), Some("תל אביב-יפו"));
    assert_eq!(l.zip.as_deref(), Some("6100101"));
    assert!(out.undeliverable.is_empty());
}

#[test]
fn guardians_living_apart_get_one_letter_each() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "לוי", Relation::Father),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", ""),
        address("000000034", "הרצל", "14", "חיפה", ""),
    ];
    let out = render(
        &[req("000000018", LetterKind::StageBGifted)],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 2);
    assert_eq!(out.letters[0].recipient_contact_ids, "000000026");
    assert_eq!(out.letters[0].recipient_name, "רחל כהן");
    assert_eq!(out.letters[0].house_number.as_deref(), Some("12"));
    assert_eq!(out.letters[1].recipient_contact_ids, "000000034");
    assert_eq!(out.letters[1].recipient_name, "דוד לוי");
    assert_eq!(out.letters[1].house_number.as_deref(), Some("14"));
    assert!(out.letters[1].text.contains("לכבוד\nדוד לוי\n"));
    assert!(!out.letters[1].text.contains("רחל"));
}

#[test]
fn guardian_with_email_only_gets_an_email_letter() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "כהן", Relation::Father),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", ""),
        // A street without a city is no postal address.
        ContactDetails {
            street: Some("הגפן".into()),
            ..email_only("000000034", " david@example.org ")
        },
    ];
    let out = render(
        &[req("000000018", LetterKind::StageANotReferred)],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 2);
    let post = &out.letters[0];
    let mail = &out.letters[1];
    assert_eq!(
        (post.channel, post.recipient_contact_ids.as_str()),
        (Channel::Post, "000000026")
    );
    assert_eq!(
        (mail.channel, mail.recipient_contact_ids.as_str()),
        (Channel::Email, "000000034")
    );
    assert_eq!(mail.email.as_deref(), Some("david@example.org"));
    assert_eq!(
        (&mail.street, &mail.city, &mail.house_number, &mail.zip),
        (&None, &None, &None, &None)
    );
    assert_eq!(post.email, None);
    assert_eq!(mail.recipient_name, "דוד כהן");
}

#[test]
fn student_without_reachable_legal_guardian_is_undeliverable_with_reason() {
    let students = vec![
        student("000000018", "נועה", "כהן", HE_SCHOOL),
        student("000000042", "יואב", "לוי", HE_SCHOOL),
    ];
    let contacts = vec![
        // 018: only a grandmother, who is not a legal guardian, though she has an address.
        other_contact("000000018", "000000026", "שרה", "כהן"),
        // 042: a legal guardian with a phone and nothing else.
        guardian("000000042", "000000034", "מיכל", "לוי", Relation::Guardian),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", ""),
        ContactDetails {
            contact_id: "000000034".into(),
            phone: Some("050-1234567".into()),
            ..ContactDetails::default()
        },
    ];
    let out = render(
        &[
            req("000000018", LetterKind::StageBNotEligible),
            req("000000042", LetterKind::StageBNotEligible),
            req("000000059", LetterKind::StageBNotEligible),
        ],
        &students,
        &contacts,
        &details,
    );
    assert!(out.letters.is_empty(), "{:#?}", out.letters);
    let got: Vec<(&str, &str)> = out
        .undeliverable
        .iter()
        .map(|u| (u.student_id.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("000000018", "no_legal_guardian"),
            ("000000042", "no_address_or_email"),
            ("000000059", "student_not_found"),
        ]
    );
    assert!(out
        .undeliverable
        .iter()
        .all(|u| u.kind == LetterKind::StageBNotEligible));
}

#[test]
fn non_guardian_contact_gets_nothing() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        other_contact("000000018", "000000034", "שרה", "אברהם"),
    ];
    // The grandmother lives elsewhere, and also has an email: still nothing.
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", ""),
        ContactDetails {
            email: Some("sara@example.org".into()),
            ..address("000000034", "הגפן", "3", "עכו", "")
        },
    ];
    let out = render(
        &[req("000000018", LetterKind::StageAReferred)],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 1);
    assert_eq!(out.letters[0].recipient_contact_ids, "000000026");
    assert_eq!(out.letters[0].recipient_name, "רחל כהן");
    assert!(!out.letters[0].text.contains("שרה"));
    assert!(out.unreached.is_empty());
}

#[test]
fn unreached_second_guardian_is_reported() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "כהן", Relation::Father),
    ];
    let details = vec![address("000000026", "הרצל", "12", "חיפה", "")];
    let out = render(
        &[req("000000018", LetterKind::StageAReferred)],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 1);
    assert!(out.undeliverable.is_empty());
    assert_eq!(
        out.unreached,
        vec![UnreachedGuardian {
            student_id: "000000018".into(),
            contact_id: "000000034".into()
        }]
    );
}

#[test]
fn arabic_sector_student_gets_arabic_letter() {
    let students = vec![student("000000018", "ليان", "خوري", AR_SCHOOL)];
    let contacts = vec![
        guardian("000000018", "000000026", "راحيل", "خوري", Relation::Mother),
        guardian("000000018", "000000034", "داود", "خوري", Relation::Father),
    ];
    let details = vec![
        address("000000026", "شارع السلام", "7", "الناصرة", ""),
        address("000000034", "السلام", "7", "الناصرة", ""),
    ];
    let out = render(
        &[LetterRequest {
            extra: LetterExtra {
                center_name: Some("مركز إثراء الموهوبين الناصرة".into()),
                ..LetterExtra::default()
            },
            ..req("000000018", LetterKind::StageBGifted)
        }],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 1, "same address in two spellings");
    let l = &out.letters[0];
    assert_eq!(l.language, Language::Ar);
    assert_eq!(l.recipient_name, "راحيل خوري وداود خوري");
    for word in [
        "تحية طيبة وبعد",
        "طفلكم",
        "عتبة القبول",
        "الموهوبين",
        "مركز يوم الإثراء",
    ] {
        assert!(l.text.contains(word), "missing {word}: {}", l.text);
    }
    assert!(l.text.contains("15 أيار 2027"), "{}", l.text);
    assert!(
        !l.text
            .chars()
            .any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c)),
        "Hebrew letters in an Arabic letter: {}",
        l.text
    );
}

#[test]
fn hebrew_sector_student_gets_hebrew_letter() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![guardian(
        "000000018",
        "000000026",
        "רחל",
        "כהן",
        Relation::Mother,
    )];
    let details = vec![address("000000026", "הרצל", "12", "חיפה", "")];
    let out = render(
        &[req("000000018", LetterKind::StageAReferred)],
        &students,
        &contacts,
        &details,
    );
    let l = &out.letters[0];
    assert_eq!(l.language, Language::He);
    assert!(l
        .text
        .starts_with("15 במאי 2027\n\nלכבוד\nרחל כהן\n\nשלום רב,"));
    assert!(l.text.contains("תשפ״ז"));
    assert!(l.text.ends_with("הנהלת בית הספר\nבית ספר יסודי ביאליק"));
    assert!(
        !l.text
            .chars()
            .any(|c| ('\u{0621}'..='\u{064A}').contains(&c)),
        "Arabic letters in a Hebrew letter"
    );
}

// ---------------------------------------------------------------------------------------------
// Secrecy canaries

/// The context is a closed struct of text fields; this destructuring lists every field with its
/// type and no `..`, so adding a field (a score, say) breaks this test's compilation until the
/// field is reviewed here.
#[test]
fn letter_context_is_closed_and_has_no_score_field() {
    let LetterContext {
        letter_date,
        school_year_hebrew,
        school_year_gregorian,
        next_school_year_hebrew,
        next_school_year_gregorian,
        student_name,
        student_first_name,
        recipient_name,
        school_name,
        class_school_name,
        center_name,
        interview_date,
        response_by,
        appeal_by,
        sender,
        inquiries_email,
        student_gender,
    } = LetterContext::default();
    let _: Option<super::Gender> = student_gender;
    let _: [String; 11] = [
        letter_date,
        school_year_hebrew,
        school_year_gregorian,
        next_school_year_hebrew,
        next_school_year_gregorian,
        student_name,
        student_first_name,
        recipient_name,
        school_name,
        sender,
        inquiries_email,
    ];
    let _: [Option<String>; 5] = [
        class_school_name,
        center_name,
        interview_date,
        response_by,
        appeal_by,
    ];
    for field in LetterContext::FIELDS {
        for banned in [
            "score",
            "percentile",
            "rank",
            "lottery",
            "composite",
            "category",
            "raw",
            "norm",
        ] {
            assert!(!field.contains(banned), "{field}");
        }
    }
    // The extra of a request is names and a date only.
    let LetterExtra {
        class_school_name,
        center_name,
        interview_date,
    } = LetterExtra::default();
    let _: (Option<String>, Option<String>, Option<NaiveDate>) =
        (class_school_name, center_name, interview_date);
}

#[test]
fn a_template_asking_for_a_score_is_rejected_naming_the_file() {
    for (var, src) in [
        ("score", "{{ student_name }}: {{ score }}"),
        ("percentile", "{% if percentile > 97 %}כן{% endif %}"),
        ("rank", "{% set r = rank %}{{ r }}"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "he/stage_b_gifted.txt", src);
        let err = Templates::load(Some(dir.path())).unwrap_err().to_string();
        let path = dir.path().join("he/stage_b_gifted.txt");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(var), "{err}");
    }
}

/// Every digit sequence of every rendered letter comes from the inputs: here only the dates
/// (day and year), the school years and the address/zip digits can appear, and none of the
/// student's or contacts' id digits may.
#[test]
fn rendered_letters_of_every_kind_contain_no_digits_but_the_inputs() {
    let students = vec![
        student("000000018", "נועה", "כהן", HE_SCHOOL),
        student("000000042", "ليان", "خوري", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000042", "000000034", "راحيل", "خوري", Relation::Mother),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", "3303112"),
        address("000000034", "شارع السلام", "7", "الناصرة", "16000"),
    ];
    let mut requests = Vec::new();
    for kind in LetterKind::ALL {
        for s in ["000000018", "000000042"] {
            requests.push(req(s, kind));
            // And without any optional extra where the kind allows it.
            if kind.required_extra().is_none() {
                requests.push(LetterRequest::new(s, kind));
            }
        }
    }
    let out = render(&requests, &students, &contacts, &details);
    assert_eq!(out.letters.len(), 2 * (12 + 8));

    // Inputs that may show up in a text: names (no digits), dates, school years.
    let mut allowed: BTreeSet<String> = BTreeSet::new();
    for d in [
        date(2027, 5, 15),
        date(2027, 5, 22),
        date(2026, 12, 31),
        date(2027, 6, 3),
    ] {
        for lang in Language::ALL {
            allowed.extend(digit_runs(&format_date(d, lang)));
        }
    }
    allowed.extend(["2026", "2027", "2028"].map(String::from));
    assert_eq!(
        allowed,
        ["15", "22", "31", "3", "2026", "2027", "2028"]
            .into_iter()
            .map(String::from)
            .collect()
    );

    let mut kinds_seen = BTreeSet::new();
    for l in &out.letters {
        kinds_seen.insert((l.kind, l.language));
        for run in digit_runs(&l.text) {
            assert!(
                allowed.contains(&run),
                "{} ({}) has the digits {run:?}:\n{}",
                l.kind,
                l.language.as_str(),
                l.text
            );
        }
        for id in ["000000018", "000000042", "000000026", "000000034"] {
            assert!(!l.text.contains(id));
        }
        for word in ["%", "אחוזון", "ציון:", "مئين", "دفعة"] {
            assert!(!l.text.contains(word), "{} has {word}", l.kind);
        }
    }
    assert_eq!(kinds_seen.len(), 24, "every kind in both languages");
}

fn digit_runs(s: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || ('\u{0660}'..='\u{0669}').contains(&c) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

// ---------------------------------------------------------------------------------------------
// Templates and overrides

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn override_directory_replaces_one_kind_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "he/stage_a_referred.txt",
        "מכתב מותאם אל {{ recipient_name }}: {{ student_name }} מופנה לשלב ב'.\n",
    );
    let custom = Templates::load(Some(dir.path())).unwrap();
    let bundled = templates();
    let path = dir.path().join("he/stage_a_referred.txt");
    assert_eq!(
        custom.origin(Language::He, LetterKind::StageAReferred),
        path.display().to_string()
    );
    assert_eq!(
        custom.origin(Language::Ar, LetterKind::StageAReferred),
        "bundled"
    );

    let students = vec![
        student("000000018", "נועה", "כהן", HE_SCHOOL),
        student("000000042", "ليان", "خوري", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000042", "000000034", "راحيل", "خوري", Relation::Mother),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", ""),
        address("000000034", "السلام", "7", "الناصرة", ""),
    ];
    let requests = vec![
        req("000000018", LetterKind::StageAReferred),
        req("000000018", LetterKind::StageANotReferred),
        req("000000042", LetterKind::StageAReferred),
    ];
    let run = |t: &Templates| {
        render_letters(
            &requests,
            &students,
            &institutions(),
            &contacts,
            &details,
            &params(),
            t,
        )
        .unwrap()
    };
    let a = run(&custom);
    let b = run(&bundled);
    let text = |o: &LettersOutput, s: &str, k: LetterKind| {
        o.letters
            .iter()
            .find(|l| l.student_id == s && l.kind == k)
            .unwrap()
            .text
            .clone()
    };
    assert_eq!(
        text(&a, "000000018", LetterKind::StageAReferred),
        "מכתב מותאם אל רחל כהן: נועה כהן מופנה לשלב ב'."
    );
    assert_ne!(
        text(&b, "000000018", LetterKind::StageAReferred),
        text(&a, "000000018", LetterKind::StageAReferred)
    );
    // The other kind, and the same kind in the other language, are untouched.
    assert_eq!(
        text(&a, "000000018", LetterKind::StageANotReferred),
        text(&b, "000000018", LetterKind::StageANotReferred)
    );
    assert_eq!(
        text(&a, "000000042", LetterKind::StageAReferred),
        text(&b, "000000042", LetterKind::StageAReferred)
    );
}

/// Every field of the context reaches a template, under its name, with its value.
#[test]
fn every_context_field_reaches_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let src: Vec<String> = LetterContext::FIELDS
        .iter()
        .map(|f| format!("{f}={{{{ {f} }}}}"))
        .collect();
    write(dir.path(), "he/stage_a_absent.txt", &src.join("\n"));
    let t = Templates::load(Some(dir.path())).unwrap();
    let ctx = LetterContext {
        letter_date: "a".into(),
        school_year_hebrew: "b".into(),
        school_year_gregorian: "c".into(),
        next_school_year_hebrew: "d".into(),
        next_school_year_gregorian: "e".into(),
        student_name: "f".into(),
        student_first_name: "g".into(),
        recipient_name: "h".into(),
        school_name: "i".into(),
        class_school_name: Some("j".into()),
        center_name: Some("k".into()),
        interview_date: Some("l".into()),
        response_by: Some("m".into()),
        appeal_by: Some("n".into()),
        sender: "o".into(),
        inquiries_email: "p".into(),
        student_gender: Some(super::Gender::Female),
    };
    let text = t
        .render(Language::He, LetterKind::StageAAbsent, ctx)
        .unwrap();
    let expected: Vec<String> = LetterContext::FIELDS
        .iter()
        .zip(('a'..='p').map(String::from).chain(["f".into()]))
        .map(|(f, v)| format!("{f}={v}"))
        .collect();
    assert_eq!(text, expected.join("\n"));
}

#[test]
fn broken_override_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ar/placement_class.txt",
        "{{ student_name }}\n{% if class_school_name %}\n",
    );
    let err = Templates::load(Some(dir.path())).unwrap_err();
    let msg = err.to_string();
    let path = dir.path().join("ar/placement_class.txt");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("broken"), "{msg}");
    assert_eq!(
        crate::error::Error::from(err).exit_code(),
        crate::error::exit::USAGE
    );

    // An unknown filter fails at the trial render, also naming the file.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "he/stage_b_excellent.txt",
        "{{ student_name | no_such_filter }}",
    );
    let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
    let path = dir.path().join("he/stage_b_excellent.txt");
    assert!(msg.contains(&path.display().to_string()), "{msg}");

    // A file naming no letter kind (a typo) is refused rather than silently ignored.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "he/stage_a_refered.txt", "x");
    let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(msg.contains("stage_a_refered.txt"), "{msg}");

    // A missing directory names the directory.
    let missing = dir.path().join("no-such-dir");
    let msg = Templates::load(Some(&missing)).unwrap_err().to_string();
    assert!(msg.contains(&missing.display().to_string()), "{msg}");
}

#[test]
fn school_years_dates_and_names_are_formatted() {
    assert_eq!(hebrew_year(2027), "תשפ״ז");
    assert_eq!(hebrew_year(2025), "תשפ״ה");
    assert_eq!(hebrew_year(2028), "תשפ״ח");
    assert_eq!(hebrew_year(2019), "תשע״ט");
    assert_eq!(hebrew_year(1955), "תשט״ו"); // 5715
    assert_eq!(hebrew_year(1956), "תשט״ז"); // 5716
    assert_eq!(hebrew_year(2040), "ת״ת"); // 5800
    assert_eq!(hebrew_numeral(5), "ה׳");
    assert_eq!(hebrew_numeral(400), "ת׳");
    assert_eq!(format_date(date(2027, 5, 15), Language::He), "15 במאי 2027");
    assert_eq!(
        format_date(date(2026, 12, 31), Language::Ar),
        "31 كانون الأول 2026"
    );
    let names: Vec<String> = ["רחל כהן", "דוד כהן", "John Smith"]
        .map(String::from)
        .to_vec();
    assert_eq!(join_names(&names[..2], Language::He), "רחל כהן ודוד כהן");
    assert_eq!(
        join_names(&names, Language::He),
        "רחל כהן, דוד כהן ו-John Smith"
    );
    let ar: Vec<String> = ["راحيل خوري", "داود خوري", "سلمى خوري"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        join_names(&ar, Language::Ar),
        "راحيل خوري، داود خوري وسلمى خوري"
    );
    assert_eq!(tidy_text("\n\na  \n\n\n\nb\n\n"), "a\n\nb");
}

#[test]
fn address_normalization_rule() {
    assert_eq!(normalize_text("  ז'בוטינסקי "), "זבוטינסקי");
    assert_eq!(normalize_text("ז׳בוטינסקי"), "זבוטינסקי");
    assert_eq!(normalize_text("תל אביב-יפו"), "תל אביב יפו");
    assert_eq!(normalize_text("Tel  Aviv, Yafo."), "tel aviv yafo");
    assert_eq!(normalize_text("شارع الأقصى"), "شارع الاقصي"); // أ → ا, ى → ي
    assert_eq!(normalize_text("مدرسة"), "مدرسه");
    assert_eq!(normalize_house_number("12 א"), "12א");
    assert_eq!(normalize_house_number("012-א'"), "12א");
    assert_eq!(normalize_house_number("0"), "0");
    assert_eq!(normalize_house_number("12/3"), "12/3");

    let d = |street: &str, house: &str, city: &str| ContactDetails {
        street: Some(street.into()),
        house_number: (!house.is_empty()).then(|| house.into()),
        city: Some(city.into()),
        ..ContactDetails::default()
    };
    let key = |x: ContactDetails| address_key(&x).unwrap();
    assert_eq!(
        key(d("רחוב הרצל", "12", "חיפה")),
        key(d("הרצל 12", "", "חיפה "))
    );
    assert_eq!(
        key(d("شارع السلام", "7", "الناصرة")),
        key(d("السلام", "7", "الناصره"))
    );
    assert_ne!(
        key(d("הרצל", "12/3", "חיפה")),
        key(d("הרצל", "12/4", "חיפה"))
    );
    assert_ne!(key(d("הרצל", "12", "חיפה")), key(d("הרצל", "", "חיפה")));
    // Street and city are both needed.
    assert_eq!(
        address_key(&ContactDetails {
            street: Some("הרצל".into()),
            ..ContactDetails::default()
        }),
        None
    );
}

#[test]
fn a_kind_without_its_required_extra_is_an_error() {
    let students = vec![student("000000018", "נועה", "כהן", HE_SCHOOL)];
    let contacts = vec![guardian(
        "000000018",
        "000000026",
        "רחל",
        "כהן",
        Relation::Mother,
    )];
    let details = vec![address("000000026", "הרצל", "12", "חיפה", "")];
    let err = render_letters(
        &[LetterRequest::new(
            "000000018",
            LetterKind::PlacementEnrichmentGifted,
        )],
        &students,
        &institutions(),
        &contacts,
        &details,
        &params(),
        &templates(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("center_name") && err.contains("000000018"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism

/// A small nation: 60 students in both schools with every recipient situation.
fn nation() -> (
    Vec<LetterRequest>,
    Vec<Student>,
    Vec<Contact>,
    Vec<ContactDetails>,
) {
    let (mut rq, mut st, mut co, mut de) = (vec![], vec![], vec![], vec![]);
    for i in 0..60u32 {
        let sid = format!("{:09}", 1000 + i);
        let inst = if i % 3 == 0 { AR_SCHOOL } else { HE_SCHOOL };
        st.push(student(&sid, &format!("ילד{i}"), "משפחה", inst));
        let m = format!("{:09}", 500_000 + 2 * i);
        let f = format!("{:09}", 500_001 + 2 * i);
        match i % 5 {
            0 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", &i.to_string(), "חיפה", ""));
                de.push(address(&f, "הרצל", &i.to_string(), "חיפה", ""));
            }
            1 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
                de.push(address(&f, "הגפן", "2", "עכו", ""));
            }
            2 => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
                co.push(guardian(&sid, &f, "אב", "משפחה", Relation::Father));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
                de.push(email_only(&f, "f@example.org"));
            }
            3 => {
                co.push(other_contact(&sid, &m, "סבתא", "משפחה"));
                de.push(address(&m, "הרצל", "1", "חיפה", ""));
            }
            _ => {
                co.push(guardian(&sid, &m, "אם", "משפחה", Relation::Mother));
            }
        }
        for kind in [
            LetterKind::StageBGifted,
            LetterKind::PlacementEnrichmentGifted,
        ] {
            rq.push(req(&sid, kind));
        }
    }
    (rq, st, co, de)
}

#[test]
fn output_is_identical_for_shuffled_inputs_and_any_thread_count() {
    let (rq, st, co, de) = nation();
    let base = render(&rq, &st, &co, &de);
    assert_eq!(base.letters.len(), 2 * (12 + 12 * 2 + 12 * 2));
    assert_eq!(base.undeliverable.len(), 2 * 24);

    // Sorted by (institution_id, student_id, kind, recipient).
    let keys: Vec<_> = base
        .letters
        .iter()
        .map(|l| {
            (
                l.institution_id.clone(),
                l.student_id.clone(),
                l.kind.as_str(),
                l.recipient_contact_ids.clone(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);

    // Deterministic shuffles: reverse, rotate, interleave; plus duplicated requests.
    fn shuffle<T: Clone>(v: &[T], k: usize) -> Vec<T> {
        let mut out: Vec<T> = v.iter().rev().cloned().collect();
        let n = out.len();
        if n > 0 {
            out.rotate_left(k % n);
        }
        let (a, b) = out.split_at(n / 2);
        b.iter().chain(a.iter()).cloned().collect()
    }
    let mut rq2 = shuffle(&rq, 7);
    rq2.extend(rq.iter().take(10).cloned());
    let shuffled = render(
        &rq2,
        &shuffle(&st, 11),
        &shuffle(&co, 13),
        &shuffle(&de, 17),
    );
    assert_eq!(base, shuffled);

    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let out = pool.install(|| render(&rq, &st, &co, &de));
        assert_eq!(base, out, "{threads} threads");
    }
}

// ---------------------------------------------------------------------------------------------
// HTML bundles

#[test]
fn bundles_are_one_rtl_page_per_post_letter_and_escaped() {
    let students = vec![
        student("000000018", "נועה <script>", "כהן & בניו", HE_SCHOOL),
        student("000000042", "ليان", "خوري", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "לוי", Relation::Father),
        guardian("000000042", "000000059", "راحيل", "خوري", Relation::Mother),
        guardian("000000042", "000000067", "داود", "خوري", Relation::Father),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "חיפה", "3303112"),
        address("000000034", "הגפן", "3", "עכו", ""),
        address("000000059", "شارع السلام", "7", "الناصرة", ""),
        email_only("000000067", "dawud@example.org"),
    ];
    let out = render(
        &[
            req("000000018", LetterKind::StageAReferred),
            req("000000042", LetterKind::StageAReferred),
        ],
        &students,
        &contacts,
        &details,
    );
    assert_eq!(out.letters.len(), 4);
    let bundles = build_bundles(&out.letters, &institutions(), &templates()).unwrap();
    let ids: Vec<&str> = bundles.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, vec![HE_SCHOOL, AR_SCHOOL]);

    let he = &bundles[0].1;
    assert!(he.contains(r#"<html lang="he" dir="rtl">"#));
    assert!(he.contains(r#"<meta charset="utf-8">"#));
    assert!(he.contains("page-break-after: always"));
    assert!(he.contains("size: A4"));
    assert!(he.contains("\"Noto Sans Hebrew\""));
    assert!(he.contains("\"Noto Naskh Arabic\""));
    assert_eq!(he.matches("<section class=\"letter\"").count(), 2);
    assert!(!he.contains("<script>"), "unescaped name");
    assert!(he.contains("&lt;script&gt;"));
    assert!(he.contains("כהן &amp; בניו"));
    assert!(he.contains("הרצל 12"));
    assert!(he.contains("חיפה 3303112"));

    let ar = &bundles[1].1;
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    // The email letter is not printed.
    assert_eq!(ar.matches("<section class=\"letter\"").count(), 1);
    assert!(!ar.contains("داود"));
    assert!(ar.contains("شارع السلام 7"));
}

// ---------------------------------------------------------------------------------------------
// Ignored: speed, and a sample bundle for the Chromium check

/// Requests, students, institutions, contacts, details.
type Nation = (
    Vec<LetterRequest>,
    Vec<Student>,
    Vec<Institution>,
    Vec<Contact>,
    Vec<ContactDetails>,
);

fn big_nation(n_students: usize) -> Nation {
    let mut insts = Vec::new();
    for i in 0..1000 {
        insts.push(Institution {
            institution_id: format!("{:06}", 100_000 + i),
            name: if i % 4 == 0 {
                format!("مدرسة المستقبل {i}")
            } else {
                format!("בית ספר יסודי אופק {i}")
            },
            sector: if i % 4 == 0 {
                Sector::Arabic
            } else {
                Sector::Hebrew
            },
        });
    }
    let kinds = LetterKind::ALL;
    let (mut rq, mut st, mut co, mut de) = (vec![], vec![], vec![], vec![]);
    for i in 0..n_students {
        let inst = &insts[i % insts.len()];
        let sid = format!("{:09}", i);
        st.push(Student {
            student_id: sid.clone(),
            first_name: "נועה".into(),
            last_name: format!("כהן{}", i % 97),
            gender: None,
            institution_id: inst.institution_id.clone(),
            sector: inst.sector,
        });
        let m = format!("{:09}", 300_000_000 + 2 * i);
        let f = format!("{:09}", 300_000_001 + 2 * i);
        co.push(guardian(&sid, &m, "רחל", "כהן", Relation::Mother));
        co.push(guardian(&sid, &f, "דוד", "כהן", Relation::Father));
        // 3 of 4 families live apart (two letters), 1 of 4 together (one letter).
        let house = (i % 200).to_string();
        de.push(address(&m, "הרצל", &house, "חיפה", "3303112"));
        if i % 4 == 0 {
            de.push(address(&f, "הרצל", &house, "חיפה", ""));
        } else {
            de.push(address(&f, "הגפן", &house, "עכו", ""));
        }
        rq.push(LetterRequest {
            student_id: sid,
            kind: kinds[i % kinds.len()],
            extra: full_extra(),
        });
    }
    (rq, st, insts, co, de)
}

#[test]
#[ignore = "timing: cargo test --release --lib jobs::letters -- --ignored --nocapture"]
fn speed_350k_letters() {
    let (rq, st, insts, co, de) = big_nation(200_000);
    let t = templates();
    let p = params();
    let start = std::time::Instant::now();
    let out = render_letters(&rq, &st, &insts, &co, &de, &p, &t).unwrap();
    let render_secs = start.elapsed().as_secs_f64();
    let start = std::time::Instant::now();
    let bundles = build_bundles(&out.letters, &insts, &t).unwrap();
    let bundle_secs = start.elapsed().as_secs_f64();
    let bytes: usize = out.letters.iter().map(|l| l.text.len()).sum();
    println!(
        "letters: {} letters for {} students rendered in {render_secs:.2} s \
         ({:.0} letters/s, {} MB of text, {} threads); {} HTML bundles in {bundle_secs:.2} s",
        out.letters.len(),
        st.len(),
        out.letters.len() as f64 / render_secs,
        bytes / 1_000_000,
        rayon::current_num_threads(),
        bundles.len()
    );
    assert_eq!(out.letters.len(), 350_000);
    assert!(render_secs < 5.0, "{render_secs} s");
}

#[test]
#[ignore = "writes /tmp/itur-letters/*.html for scripts/render-letters.sh"]
fn sample_bundles_for_chromium() {
    let students = vec![
        student("000000018", "נועה", "כהן", HE_SCHOOL),
        student("000000042", "יואב", "בן דוד", HE_SCHOOL),
        student("000000059", "ليان", "خوري", AR_SCHOOL),
        student("000000067", "محمد", "عبد الله", AR_SCHOOL),
    ];
    let contacts = vec![
        guardian("000000018", "000000026", "רחל", "כהן", Relation::Mother),
        guardian("000000018", "000000034", "דוד", "כהן", Relation::Father),
        guardian("000000042", "000000075", "מיכל", "בן דוד", Relation::Mother),
        guardian("000000042", "000000083", "אבי", "בן דוד", Relation::Father),
        guardian("000000059", "000000091", "راحيل", "خوري", Relation::Mother),
        guardian("000000059", "000000109", "داود", "خوري", Relation::Father),
        guardian(
            "000000067",
            "000000117",
            "سلمى",
            "عبد الله",
            Relation::Mother,
        ),
    ];
    let details = vec![
        address("000000026", "הרצל", "12", "תל אביב-יפו", "6100101"),
        address("000000034", "רח' הרצל", "12", "תל אביב יפו", ""),
        address("000000075", "ז'בוטינסקי", "5א", "רמת גן", "5250001"),
        address("000000083", "הנביאים", "40", "ירושלים", "9510101"),
        address("000000091", "شارع السلام", "7", "الناصرة", "1600000"),
        address("000000109", "السلام", "7", "الناصرة", ""),
        address("000000117", "شارع ابن سينا", "21", "أم الفحم", "3001000"),
    ];
    let requests = vec![
        req("000000018", LetterKind::StageBGifted),
        req("000000042", LetterKind::StageAReferred),
        req("000000042", LetterKind::InterviewInvitation),
        LetterRequest {
            extra: full_extra_ar(),
            ..req("000000059", LetterKind::StageBGifted)
        },
        LetterRequest {
            extra: full_extra_ar(),
            ..req("000000059", LetterKind::InterviewInvitation)
        },
        LetterRequest {
            extra: full_extra_ar(),
            ..req("000000067", LetterKind::PlacementEnrichmentExcellent)
        },
        LetterRequest {
            extra: full_extra_ar(),
            ..req("000000067", LetterKind::StageBNotEligible)
        },
    ];
    // Every kind, in both languages, to check that each fits one printed page.
    let mut students = students;
    let mut contacts = contacts;
    let mut details = details;
    let mut requests = requests;
    students.push(student("000000125", "אביגיל", "רוזנבלום-שטרן", HE_SCHOOL));
    students.push(student("000000133", "عبد الرحمن", "أبو الهيجاء", AR_SCHOOL));
    contacts.push(guardian(
        "000000125",
        "000000141",
        "אלכסנדרה",
        "רוזנבלום-שטרן",
        Relation::Mother,
    ));
    contacts.push(guardian(
        "000000133",
        "000000158",
        "فاطمة الزهراء",
        "أبو الهيجاء",
        Relation::Mother,
    ));
    details.push(address(
        "000000141",
        "שדרות ירושלים",
        "118ב",
        "באר שבע",
        "8410101",
    ));
    details.push(address(
        "000000158",
        "شارع المطران",
        "3",
        "شفاعمرو",
        "2020000",
    ));
    for kind in LetterKind::ALL {
        requests.push(req("000000125", kind));
        requests.push(LetterRequest {
            extra: full_extra_ar(),
            ..req("000000133", kind)
        });
    }
    let out = render(&requests, &students, &contacts, &details);
    let bundles = build_bundles(&out.letters, &institutions(), &templates()).unwrap();
    let dir = Path::new("/tmp/itur-letters");
    std::fs::create_dir_all(dir).unwrap();
    for (id, html) in &bundles {
        let path = dir.join(format!("{id}.html"));
        std::fs::write(&path, html).unwrap();
        println!("wrote {}", path.display());
    }
    for l in &out.letters {
        println!(
            "--- {} {} {} {}\n{}\n",
            l.student_id,
            l.kind,
            l.language.as_str(),
            l.recipient_name,
            l.text
        );
    }
}
