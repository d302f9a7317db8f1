//! The run's record (issue #16 item 3): `--record FILE` holds the manifest's layout for every
//! run, failed or not — exit code, error kind and message, the step reached — and with
//! `--log-format json` the last line carries it.
use crate::support::*;
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_succeeding_run_records_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, rec) = (tmp.path().join("out"), tmp.path().join("record.json"));
    let rec_s = rec.to_str().unwrap();
    let o = run_gifted(&fixtures().join("small"), &out, &["--record", rec_s]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&rec).unwrap(),
        std::fs::read(out.join("manifest.json")).unwrap(),
        "the record is the published manifest"
    );
    let m = json(&rec);
    assert_eq!(m["schema_version"], 2);
    assert_eq!(m["exit"]["code"], 0);
    assert!(m["argv"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "--record"));
    assert!(m["git_commit"].as_str().is_some_and(|c| !c.is_empty()));
    for input in m["inputs"].as_array().unwrap() {
        assert!(
            Path::new(input["path"].as_str().unwrap()).is_absolute(),
            "{input}"
        );
    }
}

#[test]
fn a_failed_run_leaves_a_record_with_its_error_and_step() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, rec) = (tmp.path().join("out"), tmp.path().join("record.json"));
    let rec_s = rec.to_str().unwrap();
    // Stopped (as by SIGTERM) while writing its outputs.
    let o = itur_io_env(
        "run",
        "gifted-elementary",
        &fixtures().join("small"),
        &out,
        &["--record", rec_s, "--log-format", "json"],
        &[("ITUR_STOP_AFTER_FILES", "3")],
    );
    assert_eq!(code(&o), 143, "{}", stderr(&o));
    assert!(!out.exists());
    let m = json(&rec);
    assert_eq!(m["exit"]["code"], 143);
    assert_eq!(m["exit"]["status"], "failed");
    assert_eq!(m["exit"]["kind"], "interrupted");
    assert_eq!(m["exit"]["step"], "write outputs");
    assert_eq!(m["job"], "gifted-elementary");
    assert!(m["timings"].as_array().is_some_and(|t| !t.is_empty()));
    // The last JSON line is the error with the same record.
    let err = stderr(&o);
    let last: serde_json::Value = serde_json::from_str(err.lines().last().unwrap()).unwrap();
    assert_eq!(last["exit_code"], 143);
    assert_eq!(last["kind"], "interrupted");
    assert_eq!(last["record"]["exit"], m["exit"]);
    assert_eq!(last["run_id"], m["run_id"]);

    // A usage error before any input is read still leaves a record.
    let o = run_gifted(&tmp.path().join("missing"), &out, &["--record", rec_s]);
    assert_eq!(code(&o), 2);
    let m = json(&rec);
    assert_eq!(m["exit"]["code"], 2);
    assert_eq!(m["exit"]["kind"], "usage");
    assert!(m["exit"]["message"].as_str().unwrap().contains("missing"));
}

#[test]
fn the_version_names_the_commit() {
    let o = itur(["--version"]);
    let v = String::from_utf8_lossy(&o.stdout);
    assert!(
        v.starts_with("itur 0.") && v.contains(" (") && v.trim_end().ends_with(')'),
        "{v}"
    );
}
