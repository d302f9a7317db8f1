//! Outputs appear atomically: a failed or killed run leaves the previous output intact and no
//! partial directory at `--out`.
use crate::support::*;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[test]
fn injected_write_failure_leaves_previous_output_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let tiny = fixtures().join("tiny");
    let validate =
        |env: &[(&str, &str)]| itur_io_env("validate", "gifted-elementary", &tiny, &out, &[], env);
    assert_eq!(code(&validate(&[])), 0);
    let before = snapshot(&out);
    assert!(before.iter().any(|(n, _)| n == "manifest.json"));

    let o = validate(&[("ITUR_FAIL_AFTER_FILES", "1")]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("injected write failure"));
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "partial directory left: {:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_failed_first_run_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = itur_io_env(
        "validate",
        "gifted-elementary",
        &fixtures().join("tiny"),
        &out,
        &[],
        &[("ITUR_FAIL_AFTER_FILES", "2")],
    );
    assert_eq!(code(&o), 1);
    assert!(!out.exists());
    assert!(leftovers(tmp.path()).is_empty());
}

#[test]
fn refuses_to_replace_a_directory_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("precious");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.docx"), b"years of work").unwrap();
    let o = itur_io(
        "validate",
        "gifted-elementary",
        &fixtures().join("tiny"),
        &out,
        &[],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not an itur output directory"));
    assert_eq!(
        std::fs::read(out.join("thesis.docx")).unwrap(),
        b"years of work"
    );
}

#[test]
fn a_killed_run_leaves_previous_output_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nation");
    let out_s = out.to_str().unwrap();
    assert_eq!(
        code(&itur([
            "synth", "--scale", "small", "--seed", "3", "--out", out_s
        ])),
        0
    );
    let before = snapshot(&out);
    // Each file write pauses 150 ms, so the runs below are killed while generating (50 ms)
    // and while writing their ~16 files (700 ms, 1500 ms).
    for delay_ms in [50u64, 700, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_itur"))
            .args(["synth", "--scale", "small", "--seed", "4", "--out", out_s])
            .env("ITUR_SLOW_WRITES_MS", "150")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(
            snapshot(&out),
            before,
            "killed after {delay_ms} ms: the previous output changed"
        );
    }
    // The next run clears what the killed ones left beside it.
    assert_eq!(
        code(&itur([
            "synth", "--scale", "small", "--seed", "3", "--out", out_s
        ])),
        0
    );
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn refuses_an_output_directory_that_holds_the_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("nation");
    copy_dir(&fixtures().join("small"), &input);
    let before = snapshot(&input);
    for out in [input.clone(), tmp.path().to_path_buf()] {
        let o = run_gifted(&input, &out, &[]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains("would replace the inputs"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(snapshot(&input), before, "the inputs are untouched");
    // An output directory inside the input directory is fine.
    let o = run_gifted(&input, &input.join("out"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn never_replaces_the_output_of_another_command() {
    let tmp = tempfile::tempdir().unwrap();
    let nation = tmp.path().join("nation");
    assert_eq!(
        code(&itur([
            "synth",
            "--scale",
            "small",
            "--seed",
            "2",
            "--out",
            nation.to_str().unwrap()
        ])),
        0
    );
    let before = snapshot(&nation);
    // A run pointed at a synthetic nation (another input directory) refuses to replace it.
    let o = run_gifted(&fixtures().join("small"), &nation, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("holds the output of `itur synth`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(snapshot(&nation), before);
    // Re-synthesizing over it is fine.
    assert_eq!(
        code(&itur([
            "synth",
            "--scale",
            "small",
            "--seed",
            "2",
            "--out",
            nation.to_str().unwrap()
        ])),
        0
    );
}

#[test]
fn folders_made_ahead_stay_only_when_a_file_was_written_in_them() {
    use itur::output::atomic::OutputDir;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut dir = OutputDir::create(&out).unwrap();
    // Two schools' folders made ahead; one gets a list. `spare/a` and its parent get nothing.
    dir.make_dirs(["schools/1", "schools/2", "spare/a"].map(String::from))
        .unwrap();
    dir.write_all(vec![(
        "schools/1/list.csv".to_string(),
        b"x\n".to_vec(),
        Some(0),
    )])
    .unwrap();
    dir.write_bytes("top.csv", b"y\n", None).unwrap();
    dir.commit().unwrap();
    let mut found: Vec<String> = walk(&out);
    found.sort();
    assert_eq!(
        found,
        ["schools/", "schools/1/", "schools/1/list.csv", "top.csv"]
    );
}

/// Every folder (with a trailing `/`) and file under `dir`, relative.
fn walk(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            v.push(format!("{name}/"));
            v.extend(walk(&e.path()).into_iter().map(|p| format!("{name}/{p}")));
        } else {
            v.push(name);
        }
    }
    v
}
