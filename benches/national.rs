//! National-scale benchmark of the `itur` binary: wall time and peak memory (max RSS) of each
//! command on a synthetic nation, and the step timings each run records in its manifest.
//!
//!     cargo build --release && cargo bench --bench national
//!
//! Environment: `ITUR_BENCH_SCALE` (default `national`), `ITUR_BENCH_DIR` (default
//! `target/bench`), `ITUR_BIN` (default `target/release/itur`), `ITUR_BENCH_REPEAT` (default 3:
//! each command runs that many times; the table gives the median wall time and the largest
//! peak RSS). Prints Markdown tables, as recorded in BENCHMARKS.md.
//!
//! The nation is flushed to disk (`sync`) before the first timed run. Every run writes to a
//! new output directory, and the benchmark deletes its outputs when it is done (outputs left
//! by an interrupted benchmark are deleted first, then the runs wait 3 minutes). On an ext4 file system without a journal (this machine's), creating files soon
//! after thousands were deleted is much slower (the inode allocator checks "recently deleted"
//! inodes one by one): seen here for 30 s after deleting one output, and for a few minutes
//! after deleting several GB of them. That would measure an earlier cleanup, not itur.
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
fn measure(bin: &Path, args: &[String]) -> Measure {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .env("ITUR_LOG", "error")
        .spawn()
        .expect("itur starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data, filled in by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4 failed");
    let wall_s = start.elapsed().as_secs_f64();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Measure {
        wall_s,
        max_rss_mib: usage.ru_maxrss as f64 / 1024.0,
        code,
    }
}

/// Step timings of a run's manifest: "step ms, step ms, …".
fn steps(manifest: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(manifest) else {
        return String::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return String::new();
    };
    v["timings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| format!("{} {} ms", t["step"].as_str().unwrap_or("?"), t["millis"]))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// An input directory with every table of `nation` but `without` (symbolic links).
fn view(nation: &Path, dir: &Path, without: &[&str]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for e in std::fs::read_dir(nation).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let table = name.split('.').next().unwrap_or_default();
        if name.ends_with(".parquet") && !without.contains(&table) {
            std::os::unix::fs::symlink(e.path(), dir.join(&name)).unwrap();
        }
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var("ITUR_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/release/itur"));
    assert!(
        bin.is_file(),
        "build first: cargo build --release ({} missing)",
        bin.display()
    );
    let scale = std::env::var("ITUR_BENCH_SCALE").unwrap_or_else(|_| "national".into());
    let dir = std::env::var("ITUR_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/bench"));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let nation = p(&format!("nation-{scale}"));
    let scores = p(&format!("scores-{scale}"));
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();

    println!("| command | wall (s) | peak RSS (MiB) | exit | steps (from the manifest) |");
    println!("|---|---:|---:|---:|---|");
    let repeat: usize = std::env::var("ITUR_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    // Outputs of this benchmark: a fresh directory per run (see the module docs).
    let runs = dir.join("runs");
    let cleaned = runs.exists().then(|| {
        let _ = std::fs::remove_dir_all(&runs);
        Instant::now()
    });
    let counter = std::cell::Cell::new(0usize);
    let fresh = |name: &str| {
        counter.set(counter.get() + 1);
        runs.join(format!("{:03}-{name}", counter.get()))
            .to_str()
            .unwrap()
            .to_string()
    };
    // `args` takes the output directory of the run.
    let run = |label: &str, name: &str, args: &dyn Fn(&str) -> Vec<String>, manifest: bool| {
        let mut walls = Vec::new();
        let mut rss: f64 = 0.0;
        let mut code = 0;
        let mut st = String::new();
        for _ in 0..repeat {
            let out = fresh(name);
            let m = measure(&bin, &args(&out));
            walls.push(m.wall_s);
            rss = rss.max(m.max_rss_mib);
            code = code.max(m.code);
            if manifest {
                st = steps(&Path::new(&out).join("manifest.json"));
            }
        }
        walls.sort_by(f64::total_cmp);
        let median = walls[walls.len() / 2];
        println!("| `{label}` | {median:.2} | {rss:.0} | {code} | {st} |");
    };
    let measure_synth = measure(
        &bin,
        &s(&["synth", "--scale", &scale, "--seed", "1", "--out", &nation]),
    );
    println!(
        "| `itur synth --scale {scale} --seed 1` | {:.2} | {:.0} | {} |  |",
        measure_synth.wall_s, measure_synth.max_rss_mib, measure_synth.code
    );
    // The nation's ~2.6 GB are written back to disk before anything is timed: the kernel
    // flushing them during the first runs would be measured with them.
    // SAFETY: sync takes no arguments and only schedules and waits for writeback.
    unsafe { libc::sync() };
    if let Some(cleaned) = cleaned {
        let wait = std::time::Duration::from_secs(180).saturating_sub(cleaned.elapsed());
        std::thread::sleep(wait);
    }
    // The scores without guardians: the phases' own work, with no letters to address.
    view(
        Path::new(&nation),
        Path::new(&scores),
        &["contacts", "contact_details"],
    );
    run(
        "itur validate gifted-elementary",
        "validate",
        &|out| {
            s(&[
                "validate",
                "gifted-elementary",
                "--input",
                &nation,
                "--out",
                out,
            ])
        },
        true,
    );
    // Screening and identification in one run: `all` without the placement tables.
    let first_two = p(&format!("first-two-{scale}"));
    view(
        Path::new(&nation),
        Path::new(&first_two),
        &[
            "contacts",
            "contact_details",
            "gifted_tracks",
            "class_requests",
            "interviews",
            "enrichment_centers",
        ],
    );
    for (phase, input, tag) in [
        ("all", &first_two, "screening + identification, no letters"),
        ("screening", &scores, "no contacts, no letters"),
        ("identification", &scores, "no contacts, no letters"),
        ("all", &scores, "no contacts, no letters"),
        ("screening", &nation, "with letters"),
        ("identification", &nation, "with letters"),
        ("all", &nation, "with letters"),
    ] {
        let name = format!(
            "run-{phase}-{}",
            if input == &scores {
                "scores"
            } else if input == &first_two {
                "first-two"
            } else {
                "nation"
            }
        );
        run(
            &format!("itur run gifted-elementary --phase {phase} ({tag})"),
            &name,
            &|out| {
                s(&[
                    "run",
                    "gifted-elementary",
                    "--phase",
                    phase,
                    "--input",
                    input,
                    "--out",
                    out,
                ])
            },
            true,
        );
    }
    run(
        "itur run roster-export --all-approved",
        "export",
        &|out| {
            s(&[
                "run",
                "roster-export",
                "--all-approved",
                "--as-of",
                "2026-11-26",
                "--input",
                &nation,
                "--out",
                out,
            ])
        },
        true,
    );
    // The outputs (about 2 GB with the letters runs) are not needed once measured.
    let _ = std::fs::remove_dir_all(&runs);
}
