//! Templates and overrides: one kind replaced from a directory, every context field reaching
//! the template, broken overrides named by file.
use super::*;

// ---------------------------------------------------------------------------------------------
// Templates and overrides

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
        request_reason: Some("q".into()),
        interview_date: Some("l".into()),
        response_by: Some("m".into()),
        appeal_by: Some("n".into()),
        sender: "o".into(),
        inquiries_email: "p".into(),
        student_gender: Some(super::super::Gender::Female),
        stage: Some("r".into()),
        event_date: Some("s".into()),
        next_date: Some("t".into()),
        accommodations: Some("u".into()),
        test_language: Some("v".into()),
    };
    let text = t
        .render(Language::He, LetterKind::StageAAbsent, ctx)
        .unwrap();
    let expected: Vec<String> = LetterContext::FIELDS
        .iter()
        .zip(
            ('a'..='q')
                .map(String::from)
                .chain(["f".into()])
                .chain(('r'..='v').map(String::from)),
        )
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
