//! Honest warnings (issue #16 item 4): a phase that `--phase all` skips, and rows rejected
//! below `max_reject_share`, are WARN lines (shown with `-q`) and manifest warnings; the
//! manifest says which phases ran; `--strict` turns warnings into exit 4.
use crate::support::*;
use std::path::Path;

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// `fixtures/small` without `stage_b_scores`: `--phase all` can screen but not identify.
fn small_without_stage_b(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("input");
    copy_dir(&fixtures().join("small"), &input);
    std::fs::remove_file(input.join("stage_b_scores.parquet")).unwrap();
    input
}

#[test]
fn a_phase_skipped_under_all_is_a_warning_and_in_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let input = small_without_stage_b(tmp.path());
    let out = tmp.path().join("out");
    let o = run_gifted(&input, &out, &["-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let skipped = "phase identification skipped: its input `stage_b_scores` is absent";
    assert!(stderr(&o).contains(skipped), "{}", stderr(&o));
    let m = manifest(&out);
    let warnings: Vec<&str> = m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert!(warnings.contains(&skipped), "{warnings:?}");
    let phases: Vec<(String, String)> = m["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["phase"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("screening", "ran"),
        ("identification", "skipped"),
        ("placement", "skipped"),
    ];
    assert_eq!(
        phases,
        expected.map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(
        m["phases"][2]["reason"],
        "neither identification ran nor is `results` given"
    );

    // `--strict`: the same run fails with exit 4 and publishes nothing.
    let strict_out = tmp.path().join("strict");
    let o = run_gifted(&input, &strict_out, &["--strict"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--strict: the run had"),
        "{}",
        stderr(&o)
    );
    assert!(!strict_out.exists());
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_named_phase_lists_only_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_gifted(&fixtures().join("small"), &out, &["--phase", "screening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = manifest(&out);
    assert_eq!(m["phases"].as_array().unwrap().len(), 1, "{}", m["phases"]);
    assert_eq!(m["phases"][0]["status"], "ran");
    assert_eq!(
        m["warnings"].as_array().unwrap().len(),
        0,
        "{}",
        m["warnings"]
    );
    // No warning: `--strict` changes nothing.
    let o = run_gifted(
        &fixtures().join("small"),
        &out,
        &["--phase", "screening", "--strict"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn rows_rejected_below_the_limit_are_a_warning_per_table_with_its_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("tiny"), &input);
    // Row 2: an ID with a wrong check digit; row 3: an unknown gender.
    let students = std::fs::read_to_string(input.join("students.csv")).unwrap();
    let students =
        students
            .replacen("010000016,", "010000017,", 1)
            .replacen(",m,110001,", ",x,110001,", 1);
    std::fs::write(input.join("students.csv"), students).unwrap();
    let out = tmp.path().join("v");
    let args = ["-q", "--set", "max_reject_share=1"];
    let o = itur_io("validate", "gifted-elementary", &input, &out, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("students: 2 of "))
        .unwrap_or_else(|| panic!("no warning for students: {err}"));
    assert!(
        line.contains("rows rejected (")
            && line.contains("israeli_id: 1")
            && line.contains("enum: 1"),
        "{line}"
    );
    let m = manifest(&out);
    assert!(m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().is_some_and(|w| w.starts_with("students: 2 of "))));
    // `validate --strict` still writes its report, and exits 4.
    let o = itur_io(
        "validate",
        "gifted-elementary",
        &input,
        &out,
        &["-q", "--set", "max_reject_share=1", "--strict"],
    );
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert_eq!(manifest(&out)["exit"]["code"], 4);
    assert!(out.join("rejects.csv").is_file());
}
