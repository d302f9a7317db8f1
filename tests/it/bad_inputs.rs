//! Every case of `fixtures/bad/`: a broken file laid over `fixtures/tiny`, validated; the test
//! asserts the exit code, the message and the rejects each case's `case.toml` expects.
use crate::support::*;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    exit_code: i32,
    stderr_contains: Option<String>,
    /// At most this many lines on stderr (one clear error, not a cascade).
    max_stderr_lines: Option<usize>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    rejects: Vec<ExpectedReject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedReject {
    table: String,
    row: u64,
    column: String,
    rule: String,
}

fn run_case(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let case: Case = toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap())
        .map_err(|e| format!("{name}: case.toml: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    lay_case(dir, &case.remove, &input);
    let out = tmp.path().join("out");
    let mut args = vec![
        "validate".to_string(),
        "gifted-elementary".into(),
        "--input".into(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(case.args.iter().cloned());
    let o = itur(&args);
    let err = stderr(&o);
    let ctx = format!("{name} ({}): stderr:\n{err}", case.description);
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        return Err(format!("{ctx}\n=> panicked"));
    }
    if code(&o) != case.exit_code {
        return Err(format!(
            "{ctx}\n=> exit code {} instead of {}",
            code(&o),
            case.exit_code
        ));
    }
    if let Some(s) = &case.stderr_contains {
        if !err.contains(s.as_str()) {
            return Err(format!("{ctx}\n=> stderr lacks {s:?}"));
        }
    }
    if let Some(n) = case.max_stderr_lines {
        if err.lines().count() > n {
            return Err(format!("{ctx}\n=> more than {n} lines on stderr"));
        }
    }
    if !case.rejects.is_empty() {
        let rows = read_csv(&out.join("rejects.csv"));
        for x in &case.rejects {
            let found = rows.iter().skip(1).any(|r| {
                r[0] == x.table && r[1] == x.row.to_string() && r[2] == x.column && r[4] == x.rule
            });
            if !found {
                return Err(format!(
                    "{ctx}\n=> no reject {}/{}/{}/{} in {rows:?}",
                    x.table, x.row, x.column, x.rule
                ));
            }
        }
        // Every input row is accounted for: read = accepted + rejected, per table.
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        for i in manifest["inputs"].as_array().unwrap() {
            let (r, a, j) = (
                i["rows_read"].as_u64(),
                i["rows_accepted"].as_u64(),
                i["rows_rejected"].as_u64(),
            );
            if r != Some(a.unwrap() + j.unwrap()) {
                return Err(format!("{ctx}\n=> reconciliation broken: {i}"));
            }
        }
    }
    Ok(())
}

/// The input of a case: `fixtures/tiny`, with `fixtures/bad/stage_a_scores.csv` naming its six
/// students (so that `validate` reads their contacts: gifted-elementary reads `contacts` and
/// `contact_details` for its letters' addressees only, docs/inputs.md §5.1), and the case's
/// files laid over both.
fn lay_case(dir: &Path, remove: &[String], input: &Path) {
    copy_dir(&fixtures().join("tiny"), input);
    let named = fixtures().join("bad").join("stage_a_scores.csv");
    std::fs::copy(named, input.join("stage_a_scores.csv")).unwrap();
    for f in remove {
        std::fs::remove_file(input.join(f)).unwrap();
    }
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "case.toml" {
            std::fs::copy(e.path(), input.join(e.file_name())).unwrap();
        }
    }
}

/// The folders of `fixtures/bad/` that hold a case.
fn case_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Every case's input, laid out in `root/<case>`.
pub(crate) fn bad_case_inputs(root: &Path) -> Vec<std::path::PathBuf> {
    case_dirs()
        .iter()
        .map(|dir| {
            let case: Case =
                toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap()).unwrap();
            let input = root.join(dir.file_name().unwrap());
            lay_case(dir, &case.remove, &input);
            input
        })
        .collect()
}

#[test]
fn every_bad_fixture_gives_its_exit_code_and_message_without_panicking() {
    let dirs = case_dirs();
    assert!(
        dirs.len() >= 30,
        "expected the bad-input corpus, found {}",
        dirs.len()
    );
    let failures: Vec<String> = dirs.iter().filter_map(|d| run_case(d).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}
