//! roster-export's audit and authorization (security issue: roster-export.md "Who may export"
//! and "Audit"): no audit, no export; the decision is on disk before any data; authorization is
//! judged on the day of the run, never on `--as-of`; no command replaces or writes over an audit
//! log.
use crate::support::*;
use chrono::{Days, Utc};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    let t = today();
    let d = if offset >= 0 {
        t.checked_add_days(Days::new(offset as u64))
    } else {
        t.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.unwrap().to_string()
}

/// A copy of `fixtures/roster` in `dir/roster`, with `owners.csv` and `delegations.csv` replaced
/// when given.
fn roster_copy(dir: &Path, owners: Option<&str>, delegations: Option<&str>) -> PathBuf {
    let input = dir.join("roster");
    copy_dir(&fixtures().join("roster"), &input);
    if let Some(o) = owners {
        std::fs::write(input.join("owners.csv"), o).unwrap();
    }
    if let Some(d) = delegations {
        std::fs::write(input.join("delegations.csv"), d).unwrap();
    }
    input
}

fn export(input: &Path, out: &Path, args: &[&str]) -> std::process::Output {
    let mut v = vec!["--set", "max_reject_share=0.5"];
    v.extend_from_slice(args);
    itur_io("run", "roster-export", input, out, &v)
}

fn log_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn owner_folders(out: &Path) -> Vec<String> {
    let Ok(d) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut v: Vec<String> = d
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const OWNERS_HEADER: &str = "owner_id,name,commitment_status,commitment_approved_on,signatory_id";
const DELEGATIONS_HEADER: &str = "owner_id,delegate_id,granted_by,valid_from,valid_to";

#[test]
fn an_unwritable_audit_log_means_no_export() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    // The log's folder is a file: it cannot be created, whoever runs the test (even root).
    std::fs::write(tmp.path().join("blocker"), b"").unwrap();
    let log = tmp.path().join("blocker/audit.jsonl");
    for args in [
        vec!["--owner", "N1", "--requested-by", "000000018"],
        vec!["--all-approved"],
    ] {
        let mut a = args.clone();
        a.extend(["--audit-log", log.to_str().unwrap()]);
        let o = export(&fixtures().join("roster"), &out, &a);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("audit log"), "{}", stderr(&o));
        assert!(stderr(&o).contains("blocker"), "{}", stderr(&o));
        assert!(
            owner_folders(&out).is_empty(),
            "{args:?}: data was exported"
        );
        assert!(
            !out.join("rejects.csv").exists(),
            "{args:?}: rejects written"
        );
    }
}

#[test]
fn a_refusal_whose_audit_cannot_be_written_still_exits_3_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("blocker"), b"").unwrap();
    let log = tmp.path().join("blocker/audit.jsonl");
    let o = export(
        &fixtures().join("roster"),
        &tmp.path().join("export"),
        &[
            "--owner",
            "N3",
            "--requested-by",
            "039337423",
            "--audit-log",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("audit log") && err.contains("not recorded"),
        "{err}"
    );
    assert!(err.contains("pending"), "{err}");
}

#[test]
fn the_decision_is_on_disk_before_any_data_and_a_killed_export_shows_no_outcome() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let log = out.join("audit.jsonl");
    // Each file write pauses, so the run is killed while it writes the first owner's files.
    let mut child = Command::new(env!("CARGO_BIN_EXE_itur"))
        .args(["run", "roster-export", "--all-approved", "--input"])
        .arg(fixtures().join("roster"))
        .arg("--out")
        .arg(&out)
        .args(["--set", "max_reject_share=0.5"])
        .env("ITUR_SLOW_WRITES_MS", "300")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Wait for the first data file in a temporary owner folder.
    let data_started = || {
        std::fs::read_dir(&out).ok().is_some_and(|d| {
            d.flatten().any(|e| {
                e.file_name().to_string_lossy().contains(".itur-tmp-")
                    && std::fs::read_dir(e.path()).is_ok_and(|mut f| f.next().is_some())
            })
        })
    };
    while !data_started() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no data written"
        );
        assert!(child.try_wait().unwrap().is_none(), "ended too soon");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Data is being written: every owner's decision is already in the log.
    let lines = log_lines(&log);
    let decisions: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["decision"] == "allowed")
        .collect();
    assert_eq!(decisions.len(), 2, "{lines:?}");
    let _ = child.kill();
    let _ = child.wait();
    let lines = log_lines(&log);
    let outcomes = lines.iter().filter(|l| l.get("outcome").is_some()).count();
    assert!(
        outcomes < 2,
        "the cut-off export shows as a decision without outcome"
    );
    // No partial owner folder: each is absent or complete.
    for f in owner_folders(&out) {
        if !f.starts_with('.') {
            assert!(out.join(&f).join("manifest.json").is_file(), "{f} partial");
        }
    }
}

#[test]
fn authorization_uses_the_day_of_the_run_not_as_of() {
    let tmp = tempfile::tempdir().unwrap();
    let owners = format!(
        "{OWNERS_HEADER}\nN1,רשת אורט,approved,2026-03-01,000000018\nN2,רשת עמל,approved,{},123456782\nN6,רשת היום,approved,{},000000018\n",
        day(1),
        day(0)
    );
    let dels = format!(
        "{DELEGATIONS_HEADER}\nN1,040000028,000000018,2025-01-01,2025-12-31\nN1,040000010,000000018,2025-01-01,{}\nN1,040000036,000000018,2025-01-01,{}\n",
        day(-1),
        day(0)
    );
    let input = roster_copy(tmp.path(), Some(&owners), Some(&dels));
    let out = tmp.path().join("export");
    // (owner, requester, --as-of, exit code, words)
    let cases = [
        // Expired on 2025-12-31; backdating the request does not revive it.
        ("N1", "040000028", "2025-06-01", 3, "expired on 2025-12-31"),
        // Expired yesterday / valid through today.
        ("N1", "040000010", "2025-06-01", 3, "expired on"),
        ("N1", "040000036", "2025-06-01", 0, ""),
        // Approved tomorrow: not yet, whatever --as-of says; approved today: yes.
        ("N2", "123456782", "2026-02-01", 3, "after today"),
        ("N6", "000000018", "2026-02-01", 0, ""),
    ];
    for (owner, who, as_of, want, words) in cases {
        let o = export(
            &input,
            &out,
            &["--owner", owner, "--requested-by", who, "--as-of", as_of],
        );
        assert_eq!(code(&o), want, "{owner}/{who}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{owner}/{who}: {}", stderr(&o));
    }
    let lines = log_lines(&out.join("audit.jsonl"));
    let refused: Vec<&str> = lines
        .iter()
        .filter(|l| l["decision"] == "refused")
        .map(|l| l["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused,
        [
            "delegation_expired",
            "delegation_expired",
            "commitment_not_yet_approved"
        ]
    );
    // The snapshot label is recorded, the judging day too.
    assert!(lines
        .iter()
        .all(|l| l["as_of"] == "2025-06-01" || l["as_of"] == "2026-02-01"));
    assert!(lines.iter().all(|l| l["today"] == day(0).as_str()));
    // The scheduled run skips an approval dated tomorrow.
    let all = tmp.path().join("all");
    let o = export(&input, &all, &["--all-approved"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        !all.join("N2").exists(),
        "approved tomorrow, exported today"
    );
}

#[test]
fn as_of_in_the_future_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    for (as_of, want) in [(day(1), 2), (day(0), 0)] {
        let o = export(
            &fixtures().join("roster"),
            &out,
            &[
                "--owner",
                "N1",
                "--requested-by",
                "000000018",
                "--as-of",
                &as_of,
            ],
        );
        assert_eq!(code(&o), want, "--as-of {as_of}: {}", stderr(&o));
    }
    assert!(stderr(&export(
        &fixtures().join("roster"),
        &out,
        &["--all-approved", "--as-of", &day(1)]
    ))
    .contains("cannot be in the future"));
}

#[test]
fn the_requester_id_is_read_in_its_nine_digit_form() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let o = export(
        &fixtures().join("roster"),
        &out,
        &["--owner", "N1", "--requested-by", "18"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = log_lines(&out.join("audit.jsonl"));
    assert_eq!(lines[0]["requester"], "000000018");
}

#[test]
fn the_audit_log_may_not_lie_in_an_owner_folder_or_take_an_outputs_place() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let ok = export(
        &fixtures().join("roster"),
        &out,
        &["--owner", "N1", "--requested-by", "000000018"],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    let other = tmp.path().join("elsewhere.csv");
    std::fs::write(&other, "a,b\n1,2\n").unwrap();
    for log in [
        out.join("N1/audit.jsonl"),
        out.join("N1"),
        out.join("manifest.json"),
        out.join("rejects.csv"),
        other.clone(),
    ] {
        let o = export(
            &fixtures().join("roster"),
            &out,
            &[
                "--owner",
                "N1",
                "--requested-by",
                "000000018",
                "--audit-log",
                log.to_str().unwrap(),
            ],
        );
        assert_eq!(code(&o), 2, "{}: {}", log.display(), stderr(&o));
        assert!(stderr(&o).contains("--audit-log"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "a,b\n1,2\n");
    assert!(!out.join("N1/audit.jsonl").exists());
}

#[test]
fn no_command_replaces_a_directory_that_holds_an_audit_log() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let ok = export(
        &fixtures().join("roster"),
        &out,
        &["--owner", "N1", "--requested-by", "000000018"],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let log = std::fs::read(out.join("audit.jsonl")).unwrap();
    let out_s = out.to_str().unwrap();
    let tiny = fixtures().join("tiny");
    let attempts = [
        run_gifted(&tiny, &out, &[]),
        itur_io("validate", "gifted-elementary", &tiny, &out, &[]),
        itur(["synth", "--scale", "small", "--out", out_s]),
    ];
    for o in attempts {
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(stderr(&o).contains("audit log"), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(out.join("audit.jsonl")).unwrap(), log);
    // A custom log kept beside other outputs protects its folder the same way.
    let run = tmp.path().join("run");
    let validate = || itur_io("validate", "gifted-elementary", &tiny, &run, &[]);
    assert_eq!(code(&validate()), 0);
    std::fs::write(
        run.join("requests.jsonl"),
        "{\"decision\":\"allowed\",\"run_id\":\"r\"}\n",
    )
    .unwrap();
    let o = validate();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(run.join("requests.jsonl").is_file());
}
