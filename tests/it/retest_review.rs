//! retest-review on its fixture (`fixtures/retest-review`, worked by hand in
//! `fixtures/cases/retest-review_rules/README.md`): run, validate, bad rows with their rejects,
//! no score outside `confidential/`, determinism.
use crate::support::*;
use polars::prelude::*;
use std::path::Path;

const JOB: &str = "retest-review";

fn fixture() -> std::path::PathBuf {
    fixtures().join(JOB)
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    itur_io("run", JOB, input, out, extra)
}

#[test]
fn the_fixture_decides_every_request_by_its_first_failing_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d = csv_columns(
        &out.join("retest_decisions.csv"),
        &[
            "student_id",
            "stage",
            "decision",
            "rule",
            "twin_verified",
            "previously_reached_threshold",
            "earliest_test_date",
        ],
    );
    assert_eq!(
        d,
        [
            "300000015:elementary:eligible_for_review:all_conditions_met:true:true:2027-03-31",
            "300000031:elementary:rejected:after_deadline::false:2026-12-01",
            "300000049:elementary:rejected:ten_months::false:2027-04-01",
            "300000056:elementary:rejected:grade_not_allowed::false:2026-12-01",
            "300000064:elementary:eligible_for_review:all_conditions_met::false:2026-12-15",
            "300000072:elementary:rejected:one_retest_per_stage::false:2026-12-01",
            "300000080:elementary:eligible_for_review:all_conditions_met:false:false:2026-12-01",
            "300000098:elementary:rejected:institution_not_participating::false:2026-12-01",
            "300000106:secondary:rejected:ten_months::false:2027-02-28",
            "300000114:secondary:eligible_for_review:all_conditions_met::false:2027-01-31",
        ]
    );
    let order = parquet(&out.join("confidential/retest_review_order.parquet"));
    let cols = [
        "student_id",
        "stage",
        "distance_num",
        "distance_den",
        "review_rank",
    ];
    let order: Vec<String> = (0..order.height())
        .map(|i| {
            cols.iter()
                .map(|c| {
                    let v = order.column(c).unwrap().get(i).unwrap();
                    match v {
                        AnyValue::Null => String::new(),
                        AnyValue::String(s) => s.to_string(),
                        other => other.to_string(),
                    }
                })
                .collect::<Vec<_>>()
                .join(":")
        })
        .collect();
    assert_eq!(
        order,
        [
            "300000015:elementary:0:1:1",
            "300000064:elementary:2:3:2",
            "300000080:elementary:::3",
            "300000114:secondary:7:1:1",
        ]
    );
    let a = csv_columns(
        &out.join("absence_decisions.csv"),
        &["student_id", "stage", "exam_date", "decision", "rule"],
    );
    assert_eq!(
        a,
        [
            "300000015:elementary:2027-02-25:makeup_eligible:notified_in_time",
            "300000031:elementary:2027-02-25:rejected:notice_late",
            "300000049:elementary:2027-02-25:rejected:cause_not_illness",
            "300000098:elementary:2027-02-25:rejected:institution_not_participating",
            "300000106:secondary:2027-01-28:deferred_next_year:after_registration_deadline",
            "300000114:secondary:2027-01-20:makeup_eligible:notified_in_time",
        ]
    );
    // The request of another school year is an exclusion, not a decision.
    let e = csv_columns(
        &out.join("exclusions.csv"),
        &["table", "row_number", "student_id", "reason"],
    );
    assert_eq!(e, ["retest_requests:11:300000122:other_school_year"]);
    // No score, distance or lottery number outside confidential/.
    let public = std::fs::read_to_string(out.join("retest_decisions.csv")).unwrap();
    assert!(
        !public.contains("289") && !public.contains("9000"),
        "{public}"
    );
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"retest_rule_ten_months\": 2"),
        "{manifest}"
    );
}

#[test]
fn bad_rows_are_rejected_with_their_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    // Row 12: a numerator without its denominator; 13: an unknown reason; 14: a requester
    // who is not the student's legal guardian (the grandmother); 15: a second request of S1
    // for the elementary stage this year (a duplicate key: the later row is rejected).
    edit_csv(&input, "retest_requests", |t| {
        t + "300000023,2027,elementary,2026-11-01,2026-02-01,90,,,400000014\n"
            + "300000023,2027,secondary,2026-11-01,2026-02-01,,,bored,400000014\n"
            + "300000080,2027,secondary,2026-11-01,2026-02-01,,,,400001012\n"
            + "300000015,2027,elementary,2026-11-02,2026-02-01,,,,400000014\n"
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
            "retest_requests:15:student_id+stage+school_year:duplicate_key",
            "retest_requests:12:previous_composite_den:composite_incomplete",
            "retest_requests:13:reasons:reason_unknown",
            "retest_requests:14:submitted_by:requester_not_guardian",
        ]
    );
    // The run refuses the same inputs at the default share (exit 4) and writes nothing.
    let o = run(&input, &tmp.path().join("r"), &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(!tmp.path().join("r").exists());
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
            files.extend(snapshot(&out.join("confidential")));
            files.retain(|(path, _)| path != "manifest.json" && path != "confidential");
            files
        })
        .collect();
    assert!(runs[0].len() >= 8, "{:?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// The digit runs of a text (dates and years are the only numbers a letter may hold).
fn digit_runs(s: &str) -> std::collections::BTreeSet<String> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect()
}

/// Item 5 of issue #23 (gifted.md §6.1, §7): every retest decision and every absence decision
/// gets a letter to the student's legal guardians, in the sector's language, saying the
/// decision and its rule in words; a make-up names the end of its testing period, a
/// `ten_months` rejection the earliest date of another test. No letter holds a composite, the
/// threshold, a distance or a lottery number: the only digits are the fixture's dates.
#[test]
fn each_decision_gets_a_letter_to_the_guardians_without_a_score() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let t = read_csv(&out.join("letters.csv"));
    let col = |c: &str| t[0].iter().position(|h| h == c).unwrap();
    let (sid, kind, lang, to, text) = (
        col("student_id"),
        col("kind"),
        col("language"),
        col("recipient_contact_ids"),
        col("text"),
    );
    let letter = |s: &str, k: &str| -> Vec<&Vec<String>> {
        t[1..]
            .iter()
            .filter(|r| r[sid] == s && r[kind] == k)
            .collect()
    };
    // Every decision has its letter (the fixture's guardians all have an address).
    for d in csv_columns(&out.join("retest_decisions.csv"), &["student_id"]) {
        assert!(!letter(&d, "retest_decision").is_empty(), "{d}");
    }
    for d in csv_columns(&out.join("absence_decisions.csv"), &["student_id"]) {
        assert!(!letter(&d, "absence_decision").is_empty(), "{d}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("undeliverable.csv"))
            .unwrap()
            .lines()
            .count(),
        1,
        "only the header"
    );
    // S1 (a girl, twin claim, previous composite at the threshold): eligible, to both
    // guardians, who live apart; never a word of the composite.
    let s1 = letter("300000015", "retest_decision");
    let mut recipients: Vec<&str> = s1.iter().map(|r| r[to].as_str()).collect();
    recipients.sort_unstable();
    assert_eq!(recipients, ["400000014", "400001004"]);
    assert!(
        s1[0][text].contains("הועברה לצוות המקצועי"),
        "{}",
        s1[0][text]
    );
    assert!(s1[0][text].contains("ילדתכם"), "{}", s1[0][text]);
    assert!(s1[0][text].contains("31 במרץ 2027"), "{}", s1[0][text]);
    // After the deadline, ten months, the absence rules: each in words.
    let late = &letter("300000031", "retest_decision")[0][text];
    assert!(late.contains("לאחר המועד האחרון"), "{late}");
    let ten = &letter("300000049", "retest_decision")[0][text];
    assert!(
        ten.contains("עשרה חודשים") && ten.contains("1 באפריל 2027"),
        "{ten}"
    );
    let makeup = &letter("300000015", "absence_decision")[0][text];
    assert!(
        makeup.contains("מועד בחינה נוסף") && makeup.contains("31 במרץ 2027"),
        "{makeup}"
    );
    assert!(makeup.contains("25 בפברואר 2027"), "{makeup}");
    let deferred = &letter("300000106", "absence_decision")[0][text];
    assert!(
        deferred.contains("במחזור הבחינות של שנת הלימודים"),
        "{deferred}"
    );
    // The Arabic-sector student's letter is in Arabic.
    let ar = letter("300000064", "retest_decision");
    assert_eq!(ar[0][lang], "ar");
    assert!(ar[0][text].contains("الطاقم المهني"), "{}", ar[0][text]);
    // Secrecy: the only digits are the letter's date, the school years and the decisions'
    // dates (exam dates, testing period ends, earliest test dates) of the fixture.
    let allowed: std::collections::BTreeSet<String> =
        ["1", "15", "20", "25", "28", "31", "2026", "2027", "2028"]
            .into_iter()
            .map(String::from)
            .collect();
    for r in &t[1..] {
        let runs = digit_runs(&r[text]);
        assert!(runs.is_subset(&allowed), "{runs:?} in\n{}", r[text]);
    }
    // One print bundle per institution with letters by post.
    assert!(out.join("letters/retest_review/110001.html").is_file());
}

/// Source 001: a request table without `submitted_by` is not checked — its rows are accepted
/// whoever sent them, with no contacts at all (and then, with no one to address, no letters:
/// a warning in the manifest).
#[test]
fn a_table_without_submitted_by_is_not_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    let path = input.join("retest_requests.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let stripped: String = text
        .lines()
        .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
        .collect();
    assert!(stripped.starts_with("student_id,") && !stripped.contains("submitted_by"));
    std::fs::write(&path, stripped).unwrap();
    for t in ["contacts.csv", "contact_details.csv"] {
        std::fs::remove_file(input.join(t)).unwrap();
    }
    let out = tmp.path().join("o");
    let o = run(&input, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = csv_columns(&out.join("rejects.csv"), &["table", "rule"]);
    assert!(rejects.is_empty(), "{rejects:?}");
    assert_eq!(
        csv_columns(&out.join("retest_decisions.csv"), &["student_id"]).len(),
        10
    );
    assert!(!out.join("letters.csv").exists());
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("no letters written"), "{manifest}");
}

/// Item 6 of issue #23: `itur synth --job retest-review` writes a year whose requests and
/// notices run with zero rejects, every rule of §6.1 and §5.2 decided on some row (the boundary
/// dates are planted), and whose letters reach the guardians.
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
        "retest_rule_after_deadline",
        "retest_rule_ten_months",
        "retest_rule_all_conditions_met",
        "retest_rule_grade_not_allowed",
        "absence_rule_notified_in_time",
        "absence_rule_notice_late",
    ] {
        assert!(manifest.contains(rule), "{rule}: {manifest}");
    }
    let letters = read_csv(&out.join("letters.csv"));
    assert!(letters.len() > 50, "{}", letters.len());
}

/// Appends `rows` to the CSV file `path`.
fn append(path: &Path, rows: &[&str]) {
    let mut text = std::fs::read_to_string(path).unwrap();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// data-contract.md "Reference tables read for the named IDs": `students`, `contacts` and
/// `contact_details` are read only for the students the requests name (and their guardians'
/// other children). The fixture's 12 students are all named or a twin's sibling; the rows
/// added below are worked by hand.
#[test]
fn the_roster_is_read_only_for_the_students_the_requests_name() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    append(
        &input.join("students.csv"),
        &[
            // Row 13: a student no request names, with a month 13: not read, not rejected.
            "300000908,דן,כהן,2027,2018-13-01,m,110001,110001-3-1,3,A01,,,",
            // Row 14: a named student (request row 12) whose gender is broken: rejected.
            "300000916,רון,כהן,2027,2018-04-10,x,110001,110001-3-1,3,A01,,,",
            // Row 15: student 300000015 again: a duplicate key among the rows read.
            "300000015,נועה,כהן,2027,2018-04-10,f,110001,110001-3-1,3,A01,,,",
        ],
    );
    append(
        &input.join("contacts.csv"),
        &[
            // Row 16: the unnamed student's contact, its relation broken: not read.
            "300000908,400000907,אב,כהן,uncle,true,true",
            // Row 17: the named student's guardian: read, and rejected with its student.
            "300000916,400000915,אב,כהן,father,true,true",
        ],
    );
    append(
        &input.join("contact_details.csv"),
        &[
            // Row 14: the unnamed student's contact, its phone broken: not read.
            "400000907,no phone,,הרצל,9,תל אביב,6100001",
            // Row 15: the named student's guardian: read and accepted.
            "400000915,050-1234567,,הרצל,9,תל אביב,6100001",
        ],
    );
    append(
        &input.join("retest_requests.csv"),
        &["300000916,2027,elementary,2026-11-01,2026-02-01,,,,400000915"],
    );
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
            "students:14:gender:enum",
            "students:15:student_id:duplicate_key",
            "contacts:17:student_id:reference",
            "retest_requests:12:student_id:reference",
        ]
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let entry = |t: &str| {
        let i = (m["inputs"].as_array().unwrap().iter())
            .find(|i| i["table"] == t)
            .unwrap_or_else(|| panic!("no input entry for {t}"));
        let n = |k: &str| i[k].as_u64();
        // Rows read = accepted + excluded + rejected, of the rows read.
        assert_eq!(
            n("rows_read"),
            Some(
                n("rows_accepted").unwrap()
                    + n("rows_excluded").unwrap()
                    + n("rows_rejected").unwrap()
            ),
            "{t}: {i}"
        );
        (
            n("rows_in_file"),
            n("rows_read").unwrap(),
            n("rows_rejected").unwrap(),
            i["read_for"].as_str().map(str::to_string),
        )
    };
    let named = Some("students named by the requests".to_string());
    // 12 + the named student + the duplicate; the unnamed student's row 13 is not read.
    assert_eq!(entry("students"), (Some(15), 14, 2, named.clone()));
    assert_eq!(entry("contacts"), (Some(17), 16, 1, named.clone()));
    assert_eq!(entry("contact_details"), (Some(15), 14, 0, named));
    // The tables read whole say nothing more.
    assert_eq!(entry("retest_requests"), (None, 12, 1, None));
    assert_eq!(entry("classes").0, None);
    let d = csv_columns(&out.join("exclusions.csv"), &["table", "row_number"]);
    assert!(d.iter().all(|x| !x.starts_with("students")), "{d:?}");
    // The run's report says which tables were read for the named students only.
    let ran = tmp.path().join("r");
    let o = itur_io(
        "run",
        JOB,
        &input,
        &ran,
        &["--set", "max_reject_share=0.9", "--report-lang", "en"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(ran.join("report.html")).unwrap();
    for (t, n) in [("students", 15), ("contacts", 17), ("contact_details", 15)] {
        let note = format!(
            "{t}: read only for the students the requests name and their guardians (rows in the file: {n})"
        );
        assert!(page.contains(&note), "{note}");
    }
    assert!(!page.contains("retest_requests: read only"));
}
