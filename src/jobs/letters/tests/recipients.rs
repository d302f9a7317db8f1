//! Who gets a letter (gifted.md §7; 0207 §1.4): guardians sharing an address, living apart,
//! reached by email only, unreachable, and the letter's language by sector.
use super::*;

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
            }
            .into(),
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
