//! National-scale benchmark of the `itur` binary: wall time and peak memory (max RSS) of each
//! command on a synthetic nation. Run with
//!
//!     cargo bench --bench national
//!
//! Environment: `ITUR_BENCH_SCALE` (default `national`), `ITUR_BENCH_DIR` (default
//! `target/bench`). Prints one Markdown row per command, as recorded in BENCHMARKS.md.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Measure {
    wall_s: f64,
    max_rss_mib: f64,
    code: i32,
}

/// Runs `itur args…` and measures it with wait4 (the child's own peak RSS).
// The child is reaped by wait4 below, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
fn measure(bin: &Path, args: &[&str]) -> Measure {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .env("ITUR_LOG", "warn")
        .spawn()
        .expect("itur starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, filled in by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let wall_s = start.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    Measure {
        wall_s,
        max_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        code,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = root.join("target/release/itur");
    let bin = std::env::var("ITUR_BIN").map(PathBuf::from).unwrap_or(bin);
    assert!(bin.is_file(), "build first: cargo build --release ({} missing)", bin.display());
    let scale = std::env::var("ITUR_BENCH_SCALE").unwrap_or_else(|_| "national".into());
    let dir = std::env::var("ITUR_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target/bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let nation = dir.join(format!("nation-{scale}"));
    let nation_s = nation.to_str().unwrap();
    let out = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let runs: Vec<(String, Vec<String>)> = vec![
        (format!("itur synth --scale {scale} --seed 1"), vec!["synth".into(), "--scale".into(), scale.clone(), "--seed".into(), "1".into(), "--out".into(), nation_s.into()]),
        (format!("itur validate gifted-elementary ({scale})"), vec!["validate".into(), "gifted-elementary".into(), "--input".into(), nation_s.into(), "--out".into(), out("validate")]),
    ];
    println!("| command | wall (s) | peak RSS (MiB) | exit |");
    println!("|---|---:|---:|---:|");
    for (label, args) in runs {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let m = measure(&bin, &a);
        println!("| `{label}` | {:.2} | {:.0} | {} |", m.wall_s, m.max_rss_mib, m.code);
    }
}
