//! special-ed-baskets on its fixture (`fixtures/special-ed-baskets`, worked by hand in
//! `fixtures/cases/special-ed-baskets_compliance/README.md`): run, validate, a bad input with its
//! rejects, outputs under `confidential/`, determinism.
use crate::support::*;
use polars::prelude::*;
use std::path::Path;

const JOB: &str = "special-ed-baskets";

fn fixture() -> std::path::PathBuf {
    fixtures().join(JOB)
}

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// A column's values as text (empty for null).
fn texts(df: &DataFrame, name: &str) -> Vec<String> {
    let s = df
        .column(name)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::String)
        .unwrap();
    s.str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    itur_io("run", JOB, input, out, extra)
}

#[test]
fn the_fixture_runs_and_every_per_student_table_is_confidential() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = read(&out.join("confidential/violations.parquet"));
    let pairs: Vec<String> = texts(&v, "meeting_id")
        .iter()
        .zip(texts(&v, "rule"))
        .map(|(m, r)| format!("{m}:{r}"))
        .collect();
    assert_eq!(
        pairs,
        [
            "M2:below_minimum",
            "M2:invitation_short",
            "M3:decision_late",
            "M3:invitation_short",
            "M3:quorum",
            "M3:referral_late",
            "M6:autism_not_eligible",
        ]
    );
    let details = texts(&v, "detail");
    assert_eq!(
        details[1],
        "invited 15 days before the meeting; the law asks 16"
    );
    let e = read(&out.join("confidential/entitlements.parquet"));
    assert_eq!(
        texts(&e, "student_id"),
        [
            "000000018",
            "000000026",
            "000000034",
            "000000042",
            "000000067"
        ]
    );
    assert_eq!(
        texts(&e, "aide_hours_equivalent"),
        ["43.0", "7.998", "0.0", "0.0", "18.9"]
    );
    assert_eq!(
        texts(&e, "split_status"),
        ["ok", "none", "none", "none", "ok"]
    );
    let d = read(&out.join("confidential/decisions.parquet"));
    assert_eq!(
        texts(&d, "choice_status"),
        [
            "made_in_time",
            "made_late",
            "made_in_time",
            "pending",
            "made_in_time",
            "",
            "made_in_time"
        ]
    );
    // Only the suppressed totals are public; nothing else outside confidential/.
    let mut public: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "confidential",
            "dictionary.csv",
            "exclusions.csv",
            "exclusions.parquet",
            "exclusions.xlsx",
            "manifest.json",
            "rejects.csv",
            "rejects.parquet",
            "rejects.xlsx",
            "report.html",
            "totals.csv",
            "totals.parquet",
            "totals.xlsx"
        ]
    );
    let totals = read_csv(&out.join("totals.csv"));
    // A1 has 3 students: every count is below 10 and empty; the sums stay.
    assert_eq!(totals[1][..3], ["2028".to_string(), "A1".into(), "".into()]);
    assert_eq!(
        totals[1][8..],
        ["11.86".to_string(), "50.998".into(), "".into()]
    );
    // The manifest records the as_of used: the latest date of the data.
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"as_of\": \"2027-06-01\""), "{manifest}");
}

#[test]
fn as_of_decides_what_is_still_pending() {
    // M4's decision has not been sent 15 days after its meeting (2027-06-01) as of 06-16.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let o = run(&fixture(), &out, &["--set", "as_of=2027-06-16"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = read(&out.join("confidential/violations.parquet"));
    assert!(texts(&v, "rule").contains(&"decision_late".to_string()));
    assert!(texts(&v, "detail")
        .iter()
        .any(|d| d.starts_with("decision not sent 15 days after the meeting (as of 2027-06-16)")));
}

#[test]
fn validate_writes_the_job_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    // M1's invitation after its meeting (date_order) rejects M1 and, with it, its decision
    // (reference); M5's members list a role that does not exist (enum); M7's decision has
    // three decimals (decimal_places).
    let meetings = std::fs::read_to_string(input.join("committee_meetings.csv")).unwrap();
    let meetings = meetings
        .replace(
            "M1,000000018,2027,2027-02-15,2027-01-30",
            "M1,000000018,2027,2027-02-15,2027-02-16",
        )
        .replace(
            "M5,000000059,2027,2027-03-01,2027-02-10,2027-03-05,chair;",
            "M5,000000059,2027,2027-03-01,2027-02-10,2027-03-05,janitor;chair;",
        );
    std::fs::write(input.join("committee_meetings.csv"), meetings).unwrap();
    let decisions = std::fs::read_to_string(input.join("committee_decisions.csv")).unwrap();
    std::fs::write(
        input.join("committee_decisions.csv"),
        decisions.replace("M7,true,3,3.5,", "M7,true,3,3.505,"),
    )
    .unwrap();
    let out = tmp.path().join("v");
    let o = itur_io(
        "validate",
        JOB,
        &input,
        &out,
        &["--set", "max_reject_share=0.9"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = read_csv(&out.join("rejects.csv"));
    let rules: Vec<String> = rejects[1..]
        .iter()
        .map(|r| format!("{}:{}:{}:{}", r[0], r[1], r[2], r[4]))
        .collect();
    assert_eq!(
        rules,
        [
            "committee_meetings:1:invitation_sent_on:date_order",
            "committee_meetings:5:members_present:enum",
            "committee_decisions:1:meeting_id:reference",
            "committee_decisions:5:meeting_id:reference",
            "committee_decisions:7:basket_hours:decimal_places",
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
    assert_eq!(runs[0].len(), 15, "{:?}", runs[0]);
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}
