//! Safe to schedule (issue #16): SIGTERM and SIGINT stop a run without publishing anything,
//! also as PID 1 of a container, and a second run into the same `--out` is refused while the
//! first one writes.
use crate::support::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `itur synth --scale small` into `out` with every file write slowed by 150 ms (~16 files):
/// a run that is still writing for about two seconds.
fn slow_synth(prefix: &[&str], out: &Path, seed: &str, record: &Path) -> Child {
    let bin = env!("CARGO_BIN_EXE_itur");
    let mut args: Vec<&str> = prefix.to_vec();
    args.push(bin);
    let out = out.to_str().unwrap();
    let record = record.to_str().unwrap();
    args.extend(["synth", "--scale", "small", "--seed", seed, "--out", out]);
    args.extend(["--record", record]);
    Command::new(args[0])
        .args(&args[1..])
        .env("ITUR_SLOW_WRITES_MS", "150")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a run has started writing its temporary directory beside `out`.
fn wait_for_writing(out: &Path, child: &mut Child) {
    let parent = out.parent().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let writing = std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".itur-tmp-"));
        if writing {
            // A few files in.
            std::thread::sleep(Duration::from_millis(400));
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it wrote"
        );
        assert!(Instant::now() < deadline, "the run never started writing");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(child: Child) -> (i32, String) {
    let o = child.wait_with_output().unwrap();
    (code(&o), stderr(&o))
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) with a pid of a child this test started.
    let r = unsafe { libc::kill(pid as i32, sig) };
    assert_eq!(r, 0, "kill failed");
}

#[test]
fn sigterm_and_sigint_mid_write_publish_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nation");
    synth_small(&out, "3");
    let before = snapshot(&out);
    for (sig, exit, name) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGINT, 130, "SIGINT"),
    ] {
        let record = tmp.path().join("record.json");
        let mut child = slow_synth(&[], &out, "4", &record);
        wait_for_writing(&out, &mut child);
        signal(child.id(), sig);
        let (c, err) = finish(child);
        assert_eq!(c, exit, "{name}: {err}");
        // The failure record says how the run ended.
        let r: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
        assert_eq!(r["exit"]["code"], exit, "{r}");
        assert_eq!(r["exit"]["kind"], "interrupted", "{r}");
        assert!(
            err.contains(&format!("stopped by {name}: nothing was published")),
            "{err}"
        );
        assert_eq!(
            snapshot(&out),
            before,
            "{name}: the previous output changed"
        );
        assert!(
            leftovers(tmp.path()).is_empty(),
            "{:?}",
            leftovers(tmp.path())
        );
    }
}

/// The children of process `pid` (Linux: /proc/<pid>/task/<tid>/children).
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[test]
fn sigterm_stops_a_run_that_is_pid_1() {
    // A container without an init process: itur is PID 1 of its PID namespace, where the
    // kernel drops signals that have no handler.
    let probe = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `unshare --pid --fork` is not permitted here");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nation");
    synth_small(&out, "3");
    let before = snapshot(&out);
    let record = tmp.path().join("record.json");
    let mut unshare = slow_synth(&["unshare", "--pid", "--fork"], &out, "4", &record);
    wait_for_writing(&out, &mut unshare);
    let inner = children(unshare.id());
    assert_eq!(inner.len(), 1, "itur under unshare: {inner:?}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", inner[0])).unwrap();
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("NSpid:") && l.ends_with("\t1")),
        "itur is PID 1 of its namespace: {status}"
    );
    signal(inner[0], libc::SIGTERM);
    let (c, err) = finish(unshare);
    assert_eq!(c, 143, "{err}");
    assert!(err.contains("stopped by SIGTERM"), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    assert_eq!(r["exit"]["code"], 143, "{r}");
    assert_eq!(snapshot(&out), before, "the previous output changed");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_stop_at_an_exact_file_leaves_the_previous_output() {
    // The testing hook stops the run as SIGTERM would once 5 files are written.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let small = fixtures().join("small");
    let o = run_gifted(&small, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = snapshot(&out);
    let o = itur_io_env(
        "run",
        "gifted-elementary",
        &small,
        &out,
        &["--set", "lottery_seed=other"],
        &[("ITUR_STOP_AFTER_FILES", "5")],
    );
    assert_eq!(code(&o), 143, "{}", stderr(&o));
    assert_eq!(snapshot(&out), before);
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
}

#[test]
fn a_second_run_into_the_same_out_is_refused_while_the_first_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nation");
    let mut first = slow_synth(&[], &out, "5", &tmp.path().join("record.json"));
    wait_for_writing(&out, &mut first);
    // A second run (of any command) into the same directory stops at once and touches
    // nothing: the first one's temporary directory is not swept as stale.
    let o = run_gifted(&fixtures().join("small"), &out, &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("is being written by another itur run (pid ")
            && err.contains(&format!("pid {}, started 20", first.id())),
        "{err}"
    );
    let (c, err) = finish(first);
    assert_eq!(c, 0, "the first run failed: {err}");
    assert!(out.join("manifest.json").is_file());
    // Once it is done, the next run goes ahead.
    synth_small(&out, "5");
}
