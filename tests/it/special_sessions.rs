//! special-sessions on its fixture (`fixtures/special-sessions`, worked by hand in
//! `fixtures/cases/special-sessions_rules/README.md`): run, validate, bad rows with their
//! rejects, a run without either request table, determinism.
use crate::support::*;
use std::path::Path;

const JOB: &str = "special-sessions";

fn fixture() -> std::path::PathBuf {
    fixtures().join(JOB)
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    itur_io("run", JOB, input, out, extra)
}

#[test]
fn the_fixture_decides_outcomes_sessions_and_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let outcomes = csv_columns(
        &out.join("accommodation_outcomes.csv"),
        &["student_id", "decision", "rule"],
    );
    assert_eq!(outcomes.len(), 18);
    assert_eq!(
        outcomes[11..],
        [
            "500000120:adapted_session:approved",
            "500000138:adapted_session:approved",
            "500000146:regular_session:not_approved",
            "500000153:deferred_next_year:after_deadline",
            "500000161:adapted_session:approved",
            "500000179:regular_session:institution_not_participating",
            "500000195:adapted_session:approved",
        ]
    );
    let seats = csv_columns(
        &out.join("adapted_sessions.csv"),
        &[
            "student_id",
            "sector",
            "region_id",
            "accommodations",
            "session_no",
            "session_size",
        ],
    );
    assert_eq!(
        seats,
        [
            "500000195:arabic:R2:aide;enlarged_form:1:1",
            "500000013:hebrew:R1:breaks;extended_time:1:4",
            "500000021:hebrew:R1:breaks;extended_time:1:4",
            "500000039:hebrew:R1:breaks;extended_time:1:4",
            "500000047:hebrew:R1:breaks;extended_time:1:4",
            "500000054:hebrew:R1:breaks;extended_time:2:4",
            "500000062:hebrew:R1:breaks;extended_time:2:4",
            "500000070:hebrew:R1:breaks;extended_time:2:4",
            "500000088:hebrew:R1:breaks;extended_time:2:4",
            "500000096:hebrew:R1:breaks;extended_time:3:3",
            "500000104:hebrew:R1:breaks;extended_time:3:3",
            "500000112:hebrew:R1:breaks;extended_time:3:3",
            "500000120:hebrew:R1:extended_time;separate_room:1:1",
            "500000138:hebrew:R1:extended_time;separate_room:2:1",
            "500000161:hebrew:R9:breaks;extended_time:1:1",
        ]
    );
    let lang = csv_columns(
        &out.join("language_decisions.csv"),
        &["student_id", "language", "decision", "rule"],
    );
    assert_eq!(
        lang,
        [
            "500000211:russian:eligible:new_immigrant",
            "500000229:english:not_eligible:no_ground",
            "500000237:french:eligible:returning_resident",
            "500000245:easy_hebrew:not_eligible:no_ground",
            "500000252:english:eligible:foreign_school",
            "500000260:russian:deferred_next_year:after_deadline",
            "500000278:english:not_eligible:institution_not_participating",
        ]
    );
    let e = csv_columns(
        &out.join("exclusions.csv"),
        &["table", "row_number", "student_id", "reason"],
    );
    assert_eq!(
        e,
        ["accommodation_decisions:18:500000187:other_school_year"]
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"adapted_sessions\": 7"), "{manifest}");
}

#[test]
fn bad_rows_are_rejected_with_their_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    // Row 20: an unknown accommodation; 21: approved with none; 22: submitted by the guardian
    // of another student.
    edit_csv(&input, "accommodation_decisions", |t| {
        t + "500000211,2027,secondary,2026-11-01,approved,extended_time;calculator,,600000210\n"
            + "500000229,2027,secondary,2026-11-01,approved,,,600000228\n"
            + "500000237,2027,elementary,2026-11-01,approved,aide,,600000012\n"
    });
    // Row 8: a language §6.2.א does not list.
    edit_csv(&input, "language_test_requests", |t| {
        t + "500000013,2027,elementary,arabic,2026-10-01,\n"
    });
    let out = tmp.path().join("v");
    let o = itur_io(
        "validate",
        JOB,
        &input,
        &out,
        &["--set", "max_reject_share=0.9"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = csv_columns(
        &out.join("rejects.csv"),
        &["table", "row_number", "column", "rule"],
    );
    assert_eq!(
        r,
        [
            "language_test_requests:8:language:enum",
            "accommodation_decisions:20:accommodations:accommodation_unknown",
            "accommodation_decisions:21:accommodations:accommodations_missing",
            "accommodation_decisions:22:submitted_by:requester_not_guardian",
        ]
    );
    let o = run(&input, &tmp.path().join("r"), &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(!tmp.path().join("r").exists());
}

#[test]
fn without_either_request_table_the_run_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    std::fs::remove_file(input.join("accommodation_decisions.csv")).unwrap();
    // Language requests alone: only their table is written.
    let o = run(&input, &tmp.path().join("l"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(tmp.path().join("l/language_decisions.csv").exists());
    assert!(!tmp.path().join("l/adapted_sessions.csv").exists());
    std::fs::remove_file(input.join("language_test_requests.csv")).unwrap();
    let o = run(&input, &tmp.path().join("n"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "needs at least one of the tables accommodation_decisions and language_test_requests"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_same_inputs_give_the_same_bytes_at_one_thread_and_many() {
    let tmp = tempfile::tempdir().unwrap();
    let runs: Vec<_> = [("a", None), ("b", None), ("c", Some("1"))]
        .into_iter()
        .map(|(name, threads)| {
            let out = tmp.path().join(name);
            let env: Vec<(&str, &str)> = threads
                .map(|t| ("RAYON_NUM_THREADS", t))
                .into_iter()
                .collect();
            let o = itur_io_env("run", JOB, &fixture(), &out, &[], &env);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let mut files = snapshot(&out);
            files.retain(|(path, _)| path != "manifest.json");
            files
        })
        .collect();
    assert!(runs[0].len() >= 10, "{:?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// Item 5 of issue #23 (gifted.md §6.2, §7): every accommodation outcome and every language
/// decision gets a letter to the guardians in the sector's language, with the rule in words
/// and what happens next: the approved accommodations named, a separate room alone, the
/// regular session, next year's cycle, the adapted language. No session number or size, and no
/// digit but the letter's date and the school years.
#[test]
fn each_decision_gets_a_letter_saying_what_happens_next() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = read_csv(&out.join("letters.csv"));
    let col = |c: &str| t[0].iter().position(|h| h == c).unwrap();
    let (sid, kind, lang, text) = (col("student_id"), col("kind"), col("language"), col("text"));
    let letter = |s: &str, k: &str| -> String {
        let found: Vec<&Vec<String>> = t[1..]
            .iter()
            .filter(|r| r[sid] == s && r[kind] == k)
            .collect();
        assert_eq!(found.len(), 1, "{s} {k}");
        found[0][text].clone()
    };
    let outcomes = csv_columns(&out.join("accommodation_outcomes.csv"), &["student_id"]);
    let language = csv_columns(&out.join("language_decisions.csv"), &["student_id"]);
    for s in &outcomes {
        letter(s, "accommodation_outcome");
    }
    for s in &language {
        letter(s, "language_decision");
    }
    assert_eq!(t.len() - 1, outcomes.len() + language.len());
    // Approved, a group session: the kinds in words; a boy.
    let a = letter("500000021", "accommodation_outcome");
    assert!(
        a.contains("הארכת זמן") && a.contains("הפסקות במהלך המבחן"),
        "{a}"
    );
    assert!(
        a.contains("ילדכם ייבחן") && a.contains("אותן התאמות"),
        "{a}"
    );
    assert!(!a.contains("חדר נפרד"), "{a}");
    // A separate room: alone.
    let a = letter("500000138", "accommodation_outcome");
    assert!(a.contains("ילדתכם תיבחן לבד, בחדר נפרד"), "{a}");
    let a = letter("500000146", "accommodation_outcome");
    assert!(a.contains("במושב המבחן הרגיל"), "{a}");
    let a = letter("500000153", "accommodation_outcome");
    assert!(a.contains("במחזור הבחינות של שנת הלימודים"), "{a}");
    // The Arabic-sector student: Arabic, the kinds in Arabic.
    let i = t[1..].iter().position(|r| r[sid] == "500000195").unwrap() + 1;
    assert_eq!(t[i][lang], "ar");
    let a = letter("500000195", "accommodation_outcome");
    assert!(
        a.contains("مرافقة مساعد") && a.contains("نموذج امتحان مكبَّر"),
        "{a}"
    );
    // Language: the ground in words, and the language.
    let l = letter("500000211", "language_decision");
    assert!(l.contains("עלה לישראל") && l.contains("(רוסית)"), "{l}");
    let l = letter("500000229", "language_decision");
    assert!(
        l.contains("הבקשה לא אושרה") && l.contains("בנוסח הרגיל"),
        "{l}"
    );
    let l = letter("500000237", "language_decision");
    assert!(l.contains("ארבע שנים רצופות"), "{l}");
    let l = letter("500000252", "language_decision");
    assert!(l.contains("בבית ספר שאינו מלמד בעברית או בערבית"), "{l}");
    for r in &t[1..] {
        let digits: std::collections::BTreeSet<&str> = r[text]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|d| !d.is_empty())
            .collect();
        assert!(
            digits
                .iter()
                .all(|d| ["15", "2027", "2026", "2028"].contains(d)),
            "{digits:?} in\n{}",
            r[text]
        );
    }
}

/// Item 6 of issue #23: `itur synth --job special-sessions` writes a year whose accommodation
/// decisions and language requests run with zero rejects, with adapted sessions and letters.
#[test]
fn synth_makes_a_year_that_runs_with_zero_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let o = itur([
        "synth",
        "--job",
        JOB,
        "--scale",
        "small",
        "--seed",
        "7",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("o");
    let o = run(&input, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_csv(&out.join("rejects.csv")).len(), 1, "no rejects");
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    for rule in [
        "accommodation_rule_approved",
        "accommodation_rule_not_approved",
        "accommodation_rule_after_deadline",
        "language_rule_new_immigrant",
        "language_rule_no_ground",
    ] {
        assert!(manifest.contains(rule), "{rule}: {manifest}");
    }
    assert!(read_csv(&out.join("adapted_sessions.csv")).len() > 10);
    assert!(read_csv(&out.join("letters.csv")).len() > 50);
}
