//! roster-export: authorization (exit 3 with the failed condition, only an audit record),
//! the six files per owner, Hebrew headers, and on generated data exactly the entitled rows.
use crate::support::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const DAY: &str = "2026-11-26";

fn export(out: &Path, args: &[&str]) -> std::process::Output {
    let roster = fixtures().join("roster");
    let mut v = vec!["--as-of", DAY, "--set", "max_reject_share=0.5"];
    v.extend_from_slice(args);
    itur_io("run", "roster-export", &roster, out, &v)
}

/// Every line of the audit log: decisions and outcomes.
fn audit_log(out: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(out.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The decision lines of the audit log, one per request (and owner).
fn audit_lines(out: &Path) -> Vec<serde_json::Value> {
    audit_log(out)
        .into_iter()
        .filter(|l| l.get("decision").is_some())
        .collect()
}

fn entries(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn authorization_cases_are_decided_and_every_one_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    // (owner, requester, exit code, words of the message)
    let cases = [
        ("N3", "039337423", 3, "pending"),
        ("N4", "030000049", 3, "needs_fix"),
        ("N5", "030000056", 3, "rejected"),
        ("N1", "040000028", 3, "expired on 2025-12-31"),
        ("N1", "020000014", 3, "neither the signatory"),
        ("N9", "000000018", 3, "not in the owners table"),
        // A delegation granted by someone other than N1's signatory was rejected.
        ("N1", "040000036", 3, "neither the signatory"),
        ("N1", "000000018", 0, ""),
        ("N1", "040000010", 0, ""),
    ];
    for (i, (owner, who, code_want, words)) in cases.iter().enumerate() {
        let o = export(&out, &["--owner", owner, "--requested-by", who]);
        assert_eq!(code(&o), *code_want, "{owner}/{who}: {}", stderr(&o));
        assert!(stderr(&o).contains(words), "{owner}/{who}: {}", stderr(&o));
        if *code_want == 3 && i < 7 {
            // Nothing written but the audit record.
            assert_eq!(
                entries(&out),
                ["audit.jsonl".to_string()].into_iter().collect(),
                "{owner}/{who}"
            );
        }
        let lines = audit_lines(&out);
        assert_eq!(lines.len(), i + 1, "one audit line per request");
        let last = lines.last().unwrap();
        assert_eq!(last["owner"], *owner);
        assert_eq!(last["requester"], *who);
        assert_eq!(
            last["decision"],
            if *code_want == 0 {
                "allowed"
            } else {
                "refused"
            }
        );
        assert!(last["time"].as_str().unwrap().ends_with('Z'));
        // An allowed export's decision is followed by its outcome, with the same run id.
        let log = audit_log(&out);
        if *code_want == 0 {
            let outcome = log.last().unwrap();
            assert_eq!(outcome["outcome"], "completed", "{outcome}");
            assert_eq!(outcome["run_id"], last["run_id"]);
            assert_eq!(outcome["rows"]["students"], 4, "{outcome}");
        } else {
            assert_eq!(log.last().unwrap(), last, "a refusal has no outcome line");
        }
    }
    let lines = audit_lines(&out);
    assert_eq!(lines[3]["rule"], "delegation_expired");
    assert_eq!(lines[7]["grant"], "signatory");
    assert_eq!(lines[8]["grant"], "delegate");
    // The rejected delegation row is in the run's rejects.
    let rejects = read_csv(&out.join("rejects.csv"));
    assert!(
        rejects
            .iter()
            .any(|r| r[0] == "delegations" && r[4] == "delegation_not_by_signatory"),
        "{rejects:?}"
    );
}

#[test]
fn owner_folder_has_six_files_of_its_secondary_schools_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    let o = export(
        &out,
        &[
            "--owner",
            "N1",
            "--requested-by",
            "000000018",
            "--headers",
            "he",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let dir = out.join("N1");
    for t in [
        "students",
        "contacts",
        "contact_details",
        "institutions",
        "classes",
        "tracks",
    ] {
        for ext in ["parquet", "csv"] {
            assert!(dir.join(format!("{t}.{ext}")).is_file(), "{t}.{ext}");
        }
    }
    let raw = std::fs::read(dir.join("students.csv")).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let students = read_csv(&dir.join("students.csv"));
    assert_eq!(students[0][0], "מספר זהות תלמיד", "Hebrew headers");
    assert_eq!(
        students.len(),
        5,
        "two students in each of 210001 (secondary) and 210002 (both)"
    );
    assert!(students
        .iter()
        .skip(1)
        .all(|r| r[6] == "210001" || r[6] == "210002"));
    assert!(
        students.iter().skip(1).all(|r| r[0].starts_with('0')),
        "leading zeros kept"
    );
    assert!(
        students.iter().skip(1).any(|r| r[1] == "נועה"),
        "Hebrew intact"
    );
    let inst = read_csv(&dir.join("institutions.csv"));
    assert!(
        inst.iter().all(|r| r[0] != "210003"),
        "no elementary institution"
    );
    let details = read_csv(&dir.join("contact_details.csv"));
    assert_eq!(
        details.len(),
        9,
        "the details of the 8 guardians of those students"
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["request"]["as_of"], DAY);
    assert_eq!(m["counts"]["students"], 4);
    assert_eq!(m["files"].as_array().unwrap().len(), 12);
    assert!(m["files"][0]["sha256"].as_str().unwrap().len() == 64);
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    read_csv(path).into_iter().skip(1).collect()
}

#[test]
fn all_approved_exports_exactly_the_entitled_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let nation = tmp.path().join("nation");
    let o = itur([
        "synth",
        "--scale",
        "5000",
        "--seed",
        "11",
        "--format",
        "csv",
        "--out",
        nation.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("export");
    let o = itur_io(
        "run",
        "roster-export",
        &nation,
        &out,
        &["--all-approved", "--as-of", DAY],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // The entitlement, computed here from the inputs.
    let owners: BTreeMap<String, String> = csv_rows(&nation.join("owners.csv"))
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    let inst_owner: BTreeMap<String, String> = csv_rows(&nation.join("institutions.csv"))
        .into_iter()
        .filter(|r| {
            (r[5] == "secondary" || r[5] == "both")
                && owners.get(&r[2]).map(String::as_str) == Some("approved")
        })
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    let mut want_students: BTreeSet<(String, String)> = BTreeSet::new();
    let mut student_owner = BTreeMap::new();
    for r in csv_rows(&nation.join("students.csv")) {
        if let Some(o) = inst_owner.get(&r[6]) {
            want_students.insert((o.clone(), r[0].clone()));
            student_owner.insert(r[0].clone(), o.clone());
        }
    }
    let mut want_contacts = BTreeSet::new();
    let mut want_details = BTreeSet::new();
    for r in csv_rows(&nation.join("contacts.csv")) {
        if let Some(o) = student_owner.get(&r[0]) {
            want_contacts.insert((o.clone(), r[0].clone(), r[1].clone()));
            want_details.insert((o.clone(), r[1].clone()));
        }
    }
    assert!(
        want_students.len() > 100,
        "the generated nation has secondary students"
    );

    let (mut got_students, mut got_contacts, mut got_details) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for owner in entries(&out) {
        let dir = out.join(&owner);
        if !dir.is_dir() {
            continue;
        }
        assert_eq!(
            owners.get(&owner).map(String::as_str),
            Some("approved"),
            "{owner} is not approved"
        );
        for r in csv_rows(&dir.join("institutions.csv")) {
            assert_eq!(
                inst_owner.get(&r[0]),
                Some(&owner),
                "{owner} got institution {}",
                r[0]
            );
        }
        for r in csv_rows(&dir.join("students.csv")) {
            assert_eq!(
                inst_owner.get(&r[6]),
                Some(&owner),
                "{owner} got a student of {}",
                r[6]
            );
            assert!(
                got_students.insert((owner.clone(), r[0].clone())),
                "student twice"
            );
        }
        for r in csv_rows(&dir.join("contacts.csv")) {
            got_contacts.insert((owner.clone(), r[0].clone(), r[1].clone()));
        }
        for r in csv_rows(&dir.join("contact_details.csv")) {
            got_details.insert((owner.clone(), r[0].clone()));
        }
        for t in ["classes", "tracks"] {
            for r in csv_rows(&dir.join(format!("{t}.csv"))) {
                assert_eq!(
                    inst_owner.get(&r[1]),
                    Some(&owner),
                    "{owner} got {t} of {}",
                    r[1]
                );
            }
        }
    }
    assert_eq!(got_students, want_students);
    assert_eq!(got_contacts, want_contacts);
    assert_eq!(got_details, want_details);
    // One audit line per exported owner, all by the service account.
    let lines = audit_lines(&out);
    assert!(lines
        .iter()
        .all(|l| l["requester"] == "itur-scheduler" && l["decision"] == "allowed"));
    let exported: BTreeSet<String> = inst_owner.values().cloned().collect();
    assert_eq!(lines.len(), exported.len());
    let outcomes = audit_log(&out)
        .into_iter()
        .filter(|l| l["outcome"] == "completed")
        .count();
    assert_eq!(outcomes, exported.len(), "one outcome per exported owner");
}
