//! The command line: exit codes, usage errors, overrides.
use crate::support::*;

#[test]
fn tiny_fixture_validates_with_zero_rejects_and_a_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("v");
    let o = itur(
        ["validate", "gifted-elementary", "--input"]
            .iter()
            .map(|s| s.to_string())
            .chain([
                fixtures().join("tiny").display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ]),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = read_csv(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1, "only the header: {rejects:?}");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["exit"]["code"], 0);
    assert_eq!(m["inputs"].as_array().unwrap().len(), 5);
    assert_eq!(m["pipeline"]["parameters"]["thresholds"]["gifted"], 97.0);
    for f in m["outputs"].as_array().unwrap() {
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn unknown_job_parameter_and_bad_value_are_usage_errors() {
    let tiny = fixtures().join("tiny").display().to_string();
    // A typo in the job is refused by the command line, which lists the jobs.
    let o = itur(["validate", "gifted-elemntary", "--input", &tiny]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("invalid value 'gifted-elemntary'"), "{err}");
    assert!(
        err.contains("gifted-elementary, gifted-secondary, retest-review, special-sessions, roster-export, special-ed-baskets, teacher-loans, research-export"),
        "{err}"
    );
    // research-export reads finished runs: nothing to validate, said in one sentence.
    let o = itur(["validate", "research-export", "--input", &tiny]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("research-export reads finished runs"),
        "{}",
        stderr(&o)
    );
    let o = itur([
        "validate",
        "gifted-elementary",
        "--input",
        &tiny,
        "--set",
        "thresholds.gifed=96",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown parameter `thresholds.gifed`"),
        "{}",
        stderr(&o)
    );
    let o = itur([
        "validate",
        "gifted-elementary",
        "--input",
        &tiny,
        "--set",
        "class_capacity=many",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("class_capacity = \"many\": takes a whole number, not a text"),
        "{}",
        stderr(&o)
    );
    let o = itur([
        "validate",
        "gifted-elementary",
        "--input",
        "/nonexistent/dir",
    ]);
    assert_eq!(code(&o), 2);
    let o = itur([
        "run",
        "gifted-elementary",
        "--input",
        &tiny,
        "--out",
        "/tmp/x",
        "--phase",
        "lunch",
    ]);
    // A typo in the phase lists the phases.
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("invalid value 'lunch' for '--phase <PHASE>'"),
        "{err}"
    );
    assert!(
        err.contains("[possible values: screening, identification, placement, all]"),
        "{err}"
    );
}

/// An option the job does not read is refused (exit 2, nothing written), not ignored:
/// `--phase` belongs to gifted-elementary, `--templates` to the jobs that write letters,
/// `--headers` and `--report-lang` to the jobs that write files for people and a report.
#[test]
fn options_of_other_jobs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let input = |job: &str| fixtures().join(job).display().to_string();
    let run = |job: &str, fixture: &str, extra: &[&str]| {
        let mut args = vec!["run", job, "--input"];
        let input = input(fixture);
        args.push(&input);
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        itur(args)
    };
    let o = run("teacher-loans", "teacher-loans", &["--phase", "screening"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("--phase applies to gifted-elementary only; teacher-loans has no phases"),
        "{}",
        stderr(&o)
    );
    let o = run("retest-review", "retest-review", &["--phase", "all"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = run(
        "special-ed-baskets",
        "special-ed-baskets",
        &["--templates", "t"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "--templates applies to the jobs that write letters (gifted-elementary, gifted-secondary, retest-review, special-sessions); special-ed-baskets writes none"
        ),
        "{}",
        stderr(&o)
    );
    let o = run("teacher-loans", "teacher-loans", &["--owner", "5"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--audit-log apply to roster-export only"),
        "{}",
        stderr(&o)
    );
    for extra in [["--headers", "en"], ["--report-lang", "en"]] {
        let o = run("research-export", "small", &extra);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains("do not apply to research-export"),
            "{}",
            stderr(&o)
        );
    }
    assert!(!out.exists());
    // Where they apply they are taken: the bundled templates given as an override.
    let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/letters");
    let o = run(
        "retest-review",
        "retest-review",
        &["-q", "--templates", templates.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("manifest.json").exists());
}

/// A refused parameter is one sentence naming the key and the value as given, before any
/// data is read (exit 2; `kind: config` in JSON).
#[test]
fn refused_parameters_name_their_key_and_value() {
    let tiny = fixtures().join("tiny").display().to_string();
    for (set, says) in [
        (
            "thresholds.gifted=100.0001",
            "error: thresholds.gifted = 100.0001: must be a percentile from 0 to 100\n",
        ),
        (
            "referral_share=0.1234567",
            "error: referral_share = 0.1234567: must be a share from 0 to 1 with at most 6 decimals\n",
        ),
        (
            "letters.screening.letter_date=2026-02-29",
            "error: letters.screening.letter_date = \"2026-02-29\": not a month and day MM-DD nor a date YYYY-MM-DD",
        ),
        (
            "thresholds.gifted=high",
            "error: thresholds.gifted = \"high\": takes a decimal number: a percentile from 0 to 100\n",
        ),
        (
            "class_capacity=lots",
            "error: class_capacity = \"lots\": takes a whole number, not a text\n",
        ),
        (
            "max_reject_share=1e-2",
            "error: max_reject_share = 1e-2: a parameter is written as a plain decimal, without an exponent\n",
        ),
    ] {
        let o = itur(["validate", "gifted-elementary", "--input", &tiny, "--set", set]);
        assert_eq!(code(&o), 2, "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{set}: {}", stderr(&o));
    }
    let o = itur([
        "--log-format",
        "json",
        "validate",
        "gifted-elementary",
        "--input",
        &tiny,
        "--set",
        "thresholds.excellent=97.5",
    ]);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).lines().last().unwrap()).unwrap();
    assert_eq!(v["kind"], "config");
    assert_eq!(
        v["message"],
        "thresholds.excellent = 97.5: must not exceed thresholds.gifted = 97"
    );
}

#[test]
fn json_logs_are_json_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let tiny = fixtures().join("tiny").display().to_string();
    let out = tmp.path().join("v").display().to_string();
    let o = itur([
        "--log-format",
        "json",
        "validate",
        "gifted-elementary",
        "--input",
        &tiny,
        "--out",
        &out,
    ]);
    assert_eq!(code(&o), 0);
    let err = stderr(&o);
    assert!(err.lines().count() > 3);
    for line in err.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(v["level"].is_string());
    }
    // An error of the run (not of the command line's syntax) is a JSON line too.
    let o = itur([
        "--log-format",
        "json",
        "validate",
        "retest-review",
        "--input",
        &tiny,
    ]);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).lines().last().unwrap()).unwrap();
    assert_eq!(v["exit_code"], 2);
}

#[test]
fn schema_lists_tables_and_prints_one() {
    let o = itur(["schema"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for t in ["students", "contacts", "stage_b_scores", "gifted_tracks"] {
        assert!(text.contains(t), "{t} missing from {text}");
    }
    let o = itur(["schema", "students"]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("student_id")
            && text.contains("מספר זהות תלמיד")
            && text.contains("Israeli ID")
    );
    let o = itur(["schema", "pupils"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn leading_zeros_survive_csv_to_parquet_and_back() {
    use itur::output::parquet::parquet_bytes;
    use itur::table::schema;
    use itur::table::validate::{load_inputs, TableNeed};
    let needs = [
        TableNeed::new("institutions", true),
        TableNeed::new("classes", true),
        TableNeed::new("students", true),
    ];
    let params = std::collections::BTreeMap::new();
    let from_csv = load_inputs(&fixtures().join("tiny"), &needs, &params).unwrap();
    let ids = |set: &itur::table::InputSet| -> Vec<String> {
        let df = &set.get("students").unwrap().df;
        df.column("student_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&from_csv)[0], "010000016");
    let tmp = tempfile::tempdir().unwrap();
    for t in ["institutions", "classes", "students"] {
        let df = from_csv.get(t).unwrap().df.clone();
        std::fs::write(
            tmp.path().join(format!("{t}.parquet")),
            parquet_bytes(&df, schema::get(t)).unwrap(),
        )
        .unwrap();
    }
    let from_parquet = load_inputs(tmp.path(), &needs, &params).unwrap();
    assert_eq!(ids(&from_parquet), ids(&from_csv));
    assert!(ids(&from_parquet)
        .iter()
        .all(|id| id.len() == 9 && id.starts_with('0')));
}

#[test]
fn rejects_withhold_confidential_values() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("tiny"), &input);
    std::fs::write(
        input.join("stage_a_scores.csv"),
        "student_id,school_year,status,score\n010000016,2027,tested,1001\n010000024,2027,tested,612\n",
    )
    .unwrap();
    let out = tmp.path().join("v");
    let o = itur_io(
        "validate",
        "gifted-elementary",
        &input,
        &out,
        &["--set", "max_reject_share=1"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = read_csv(&out.join("rejects.csv"));
    let r = rejects
        .iter()
        .find(|r| r[0] == "stage_a_scores")
        .expect("the out-of-range score is rejected");
    assert_eq!(
        (r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()),
        ("1", "score", "(withheld)", "range")
    );
    let all = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert!(
        !all.contains("1001"),
        "the score leaked into rejects: {all}"
    );
}

#[test]
fn synth_is_deterministic_by_seed_and_validates_with_zero_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for (dir, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        synth_small(dir, seed);
    }
    let bytes =
        |d: &std::path::Path, t: &str| std::fs::read(d.join(format!("{t}.parquet"))).unwrap();
    for t in ["students", "contacts", "stage_a_scores", "gifted_tracks"] {
        assert_eq!(
            bytes(&a, t),
            bytes(&b, t),
            "{t}: same seed, different bytes"
        );
    }
    assert_ne!(
        bytes(&a, "students"),
        bytes(&c, "students"),
        "another seed, another nation"
    );
    let v = tmp.path().join("v");
    let o = itur_io(
        "validate",
        "gifted-elementary",
        &a,
        &v,
        &["--set", "max_reject_share=0"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_csv(&v.join("rejects.csv")).len(), 1, "zero rejects");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(v.join("manifest.json")).unwrap()).unwrap();
    assert!(
        m["inputs"].as_array().unwrap().len() >= 12,
        "every gifted table was generated and read"
    );
}

#[test]
fn synth_scale_outside_its_range_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("n");
    for scale in ["500", "10000000", "lots"] {
        let o = itur(["synth", "--scale", scale, "--out", out.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{scale}: {}", stderr(&o));
        assert!(stderr(&o).contains("1,500 to 9,900,000"), "{}", stderr(&o));
    }
    assert!(!out.exists());
}
