//! The reading boundary: what an input table's file is (a directory, a FIFO, a symbolic link
//! that loops or points nowhere, a symbolic link to a file) and how a header with a great many
//! extra columns is reported. The content checks (gzip, zip, Parquet bytes in a `.csv`) are
//! cases of `fixtures/bad/`.
use crate::support::*;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `itur validate gifted-elementary --input INPUT --out OUT -q`, killed after `limit` (a
/// reader that blocks on a FIFO must fail the test, not hang it). The output is drained while
/// the command runs, so that a flood of warnings cannot block it on a full pipe.
fn validate_within(input: &Path, out: &Path, limit: Duration) -> (Output, Duration) {
    let t0 = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_itur"))
        .args(["validate", "gifted-elementary", "--input"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .env_remove("ITUR_FAIL_AFTER_FILES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("itur starts");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).ok();
            v
        })
    };
    let out_reader = drain(Box::new(child.stdout.take().unwrap()));
    let err_reader = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("itur runs") {
            break status;
        }
        if t0.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            let err = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
            let tail: String = err
                .chars()
                .rev()
                .take(2000)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            panic!("itur did not finish within {limit:?} (blocked on the input?); stderr ends:\n{tail}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = t0.elapsed();
    let o = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    (o, took)
}

/// A copy of `fixtures/tiny` without `students.csv`, in a fresh temporary directory.
fn tiny_without_students() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("tiny"), &input);
    std::fs::remove_file(input.join("students.csv")).unwrap();
    (tmp, input)
}

/// Validates `input` and asserts the usage exit code (2) and a message naming `what`.
fn assert_refused(input: &Path, out: &Path, what: &str) {
    let (o, _) = validate_within(input, out, Duration::from_secs(60));
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "stderr:\n{err}");
    assert!(err.contains(what), "stderr lacks {what:?}:\n{err}");
    assert!(!err.contains("is missing"), "reported as missing:\n{err}");
}

#[test]
fn a_directory_named_like_a_table_is_named_as_a_directory() {
    for name in ["students.csv", "students.parquet"] {
        let (tmp, input) = tiny_without_students();
        std::fs::create_dir(input.join(name)).unwrap();
        assert_refused(
            &input,
            &tmp.path().join("out"),
            "is a directory, not a file",
        );
    }
}

#[test]
fn a_fifo_named_like_a_table_is_named_and_never_opened() {
    let (tmp, input) = tiny_without_students();
    let fifo = std::ffi::CString::new(input.join("students.csv").to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");
    assert_refused(&input, &tmp.path().join("out"), "is a FIFO");
}

#[test]
fn a_symbolic_link_that_loops_or_points_nowhere_is_named_as_such() {
    let (tmp, input) = tiny_without_students();
    std::os::unix::fs::symlink("students.csv", input.join("students.csv")).unwrap();
    assert_refused(
        &input,
        &tmp.path().join("out"),
        "is a symbolic link that loops",
    );

    let (tmp, input) = tiny_without_students();
    std::os::unix::fs::symlink("nowhere/students.csv", input.join("students.csv")).unwrap();
    assert_refused(
        &input,
        &tmp.path().join("out"),
        "is a symbolic link to nowhere/students.csv, which does not exist",
    );
}

#[test]
fn a_symbolic_link_to_a_table_file_is_read() {
    let (tmp, input) = tiny_without_students();
    let elsewhere = tmp.path().join("elsewhere.csv");
    std::fs::copy(fixtures().join("tiny/students.csv"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, input.join("students.csv")).unwrap();
    let (o, _) = validate_within(&input, &tmp.path().join("out"), Duration::from_secs(60));
    assert_eq!(code(&o), 0, "stderr:\n{}", stderr(&o));
}

/// `students.csv` of `fixtures/tiny` with `extra` more columns (named `x0`, `x1`, …, empty
/// in every row), the last one named `last` when given.
fn students_with_extra_columns(extra: usize, last: Option<&str>) -> String {
    let text = std::fs::read_to_string(fixtures().join("tiny/students.csv")).unwrap();
    let mut out = String::with_capacity(text.len() + 20 * extra);
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        if i == 0 {
            for k in 0..extra {
                match last {
                    Some(name) if k + 1 == extra => out.push_str(&format!(",{name}")),
                    _ => out.push_str(&format!(",x{k}")),
                }
            }
        } else {
            out.push_str(&",".repeat(extra));
        }
        out.push('\n');
    }
    out
}

#[test]
fn two_hundred_thousand_extra_columns_give_one_summary_warning() {
    let (tmp, input) = tiny_without_students();
    std::fs::write(
        input.join("students.csv"),
        students_with_extra_columns(200_000, None),
    )
    .unwrap();
    let (o, took) = validate_within(&input, &tmp.path().join("out"), Duration::from_secs(120));
    let err = stderr(&o);
    let short: String = err.chars().take(2000).collect();
    assert_eq!(code(&o), 0, "stderr:\n{short}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("extra column")).collect();
    assert_eq!(
        lines.len(),
        1,
        "one summary line expected; stderr:\n{short}"
    );
    assert!(
        lines[0].contains("200000 extra columns are ignored: `x0`, `x1`, `x2`")
            && lines[0].contains("and 199995 more"),
        "{}",
        lines[0]
    );
    assert!(err.len() < 4000, "{} bytes of stderr", err.len());
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_duplicate_name_far_down_a_wide_header_is_found() {
    let (tmp, input) = tiny_without_students();
    std::fs::write(
        input.join("students.csv"),
        students_with_extra_columns(100_000, Some("grade")),
    )
    .unwrap();
    let (o, took) = validate_within(&input, &tmp.path().join("out"), Duration::from_secs(120));
    let err = stderr(&o);
    assert_eq!(code(&o), 4, "stderr:\n{err}");
    assert!(
        err.contains("the header names column `grade` twice (columns 9 and 100013)"),
        "stderr:\n{err}"
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
