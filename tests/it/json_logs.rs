//! `--log-format json` for orchestrators (issue #16 item 6): every line on stderr is one JSON
//! object with `timestamp`, `level` and `message`; the final error and a command-line error
//! also carry `kind`, `exit_code` and `run_id`; an external run ID reaches the manifest.
use crate::support::*;
use std::process::Command;

/// Parses every line of `text` as a JSON object with the keys every line has.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l.trim_end_matches('\r'))
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {l:?}"));
            for key in ["timestamp", "level", "message"] {
                assert!(v.get(key).is_some(), "no `{key}` in {l}");
            }
            v
        })
        .collect()
}

fn assert_error_line(v: &serde_json::Value, kind: &str, exit_code: i64) {
    assert_eq!(v["level"], "ERROR", "{v}");
    assert_eq!(v["kind"], kind, "{v}");
    assert_eq!(v["exit_code"], exit_code, "{v}");
    assert!(v["run_id"].as_str().is_some_and(|s| !s.is_empty()), "{v}");
}

#[test]
fn every_line_of_a_succeeding_and_a_failing_run_is_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let small = fixtures().join("small");
    let o = run_gifted(
        &small,
        &out,
        &["--log-format", "json", "--run-id", "dag-7:task.run_3"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let lines = json_lines(&stderr(&o));
    assert!(lines.len() > 5);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains(r#""run_id": "dag-7:task.run_3""#));

    // A failing run: the last line is the error, with the run ID.
    let o = run_gifted(
        &tmp.path().join("missing"),
        &tmp.path().join("out2"),
        &["--log-format", "json"],
    );
    assert_eq!(code(&o), 2);
    let lines = json_lines(&stderr(&o));
    assert_error_line(lines.last().unwrap(), "usage", 2);
}

#[test]
fn a_command_line_error_is_a_json_line_too() {
    for args in [
        vec!["run", "--log-format", "json", "--no-such-flag"],
        vec!["--log-format=json", "run"],
    ] {
        let o = itur(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        let lines = json_lines(&stderr(&o));
        assert_eq!(lines.len(), 1, "{args:?}: {}", stderr(&o));
        assert_error_line(&lines[0], "usage", 2);
    }
    // Text stays clap's own message.
    let o = itur(["run", "--no-such-flag"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unexpected argument"));
    // A run ID that could not go into a log line or a file name safely is refused.
    let o = itur([
        "--run-id",
        "a b",
        "validate",
        "gifted-elementary",
        "--input",
        "x",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--run-id"), "{}", stderr(&o));
}

#[test]
fn on_a_terminal_json_lines_are_not_mixed_with_a_spinner() {
    // `script` gives the run a terminal on stdout and stderr.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let cmd = format!(
        "{} run gifted-elementary --input {} --out {} --log-format json",
        env!("CARGO_BIN_EXE_itur"),
        fixtures().join("small").display(),
        tmp.path().join("out").display()
    );
    let o = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stdout));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains('\u{1b}'),
        "terminal control sequences: {text:?}"
    );
    json_lines(&text);
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_line() {
    let o = itur(["completions", "bash"]);
    assert_eq!(code(&o), 0);
    let script = String::from_utf8_lossy(&o.stdout);
    assert!(
        script.contains("--log-format") && script.contains("roster-export")
            || script.contains("validate")
    );
    let o = itur(["man"]);
    assert_eq!(code(&o), 0);
    let page = String::from_utf8_lossy(&o.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH itur 1"),
        "{page}"
    );
    let o = itur(["completions", "tcsh"]);
    assert_eq!(code(&o), 2);
}
