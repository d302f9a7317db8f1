//! What `--out` may be, and the commit that never loses the last good output (security issue:
//! data-contract.md "Outputs").
use crate::support::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn validate_tiny(out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    itur_io_env(
        "validate",
        "gifted-elementary",
        &fixtures().join("tiny"),
        out,
        &[],
        env,
    )
}

/// Every file under `dir` with its bytes (relative paths, sorted).
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, v: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, v);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                v.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

#[test]
fn a_symlinked_out_is_refused_and_its_target_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    assert_eq!(code(&validate_tiny(&real, &[])), 0);
    let before = tree(&real);
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = validate_tiny(&link, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(tree(&real), before);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
}

#[test]
fn an_out_that_names_no_folder_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(code(&validate_tiny(&out, &[])), 0);
    let before = tree(&out);
    for spelled in ["out/.", "out/./", "out/.."] {
        let p = tmp.path().join(spelled);
        for o in [
            validate_tiny(&p, &[]),
            run_gifted(&fixtures().join("small"), &p, &[]),
            itur(["synth", "--scale", "small", "--out", p.to_str().unwrap()]),
        ] {
            assert_eq!(code(&o), 2, "{spelled}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("does not name a directory"),
                "{spelled}: {}",
                stderr(&o)
            );
            // Refused before reading: no step was logged.
            assert!(!stderr(&o).contains("read and validate"), "{}", stderr(&o));
        }
    }
    assert_eq!(tree(&out), before);
}

#[test]
fn a_kill_between_the_fallback_renames_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(code(&validate_tiny(&out, &[])), 0);
    let before = tree(&out);
    // The two-rename commit (file systems without the exchange), paused between its renames.
    let mut child = Command::new(env!("CARGO_BIN_EXE_itur"))
        .args(["validate", "gifted-elementary", "--input"])
        .arg(fixtures().join("tiny"))
        .arg("--out")
        .arg(&out)
        .env("ITUR_COMMIT_FALLBACK", "1")
        .env("ITUR_COMMIT_PAUSE_MS", "5000")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while out.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never moved aside"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "ended before the pause"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(!out.exists(), "killed between the renames: no --out");
    // The next run fails while writing: the previous output is back, whole.
    let o = validate_tiny(&out, &[("ITUR_FAIL_AFTER_FILES", "1")]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(tree(&out), before, "the last good output was lost");
    let left = leftovers(tmp.path());
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_fallback_commit_replaces_an_output_like_the_exchange() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        assert_eq!(code(&validate_tiny(out, &[])), 0);
    }
    assert_eq!(code(&validate_tiny(&a, &[])), 0);
    assert_eq!(
        code(&validate_tiny(&b, &[("ITUR_COMMIT_FALLBACK", "1")])),
        0
    );
    let names = |d: &Path| tree(d).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(leftovers(tmp.path()).is_empty(), "no siblings left");
}
