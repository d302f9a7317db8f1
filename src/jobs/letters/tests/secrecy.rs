//! Secrecy canaries (gifted.md §7): no letter can carry a score, percentile, rank or lottery
//! number.
use std::collections::BTreeSet;

use super::*;
use crate::jobs::letters::words::format_date;

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
        request_reason,
        interview_date,
        response_by,
        appeal_by,
        sender,
        inquiries_email,
        student_gender,
        stage,
        event_date,
        next_date,
        accommodations,
        test_language,
    } = LetterContext::default();
    let _: Option<super::super::Gender> = student_gender;
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
    // `request_reason` is a `request_outcomes.reason` (public: why a request made no candidate)
    // or the rule of a gifted.md §6 decision (a condition's name, never a value); `stage`,
    // `accommodations` and `test_language` are enum values of the request; the dates are an
    // exam's date, a testing period's end or the earliest date of another test.
    let _: [Option<String>; 11] = [
        class_school_name,
        center_name,
        request_reason,
        interview_date,
        response_by,
        appeal_by,
        stage,
        event_date,
        next_date,
        accommodations,
        test_language,
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
    // The extra of a request is names, dates, a request's reason and enum values only.
    let LetterExtra {
        class_school_name,
        center_name,
        interview_date,
        request_reason,
        stage,
        event_date,
        next_date,
        accommodations,
        test_language,
    } = LetterExtra::default();
    let _: [Option<String>; 5] = [
        class_school_name,
        center_name,
        request_reason,
        stage,
        accommodations,
    ];
    let _: [Option<NaiveDate>; 3] = [interview_date, event_date, next_date];
    let _: Option<String> = test_language;
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
    // 25 kinds with every extra, and the 13 that need none without.
    assert_eq!(out.letters.len(), 2 * (25 + 13));

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
    assert_eq!(kinds_seen.len(), 2 * 25, "every kind in both languages");
    assert_eq!(LetterKind::ALL.len(), 25);
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
