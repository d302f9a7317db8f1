//! Golden cases (architecture issue #15, item 6): every folder of `fixtures/cases/` is run
//! through the real CLI and every output table is compared, in a stable sorted CSV form, with
//! the case's committed `expected/` folder. Each case's README works its numbers by hand from
//! the spec; `docs/golden-cases.md` says how to add a case and how to bless a reviewed change
//! (`ITUR_BLESS=1 cargo test --release --test it golden`).
use crate::support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment variable that rewrites `expected/` from the current outputs.
const BLESS: &str = "ITUR_BLESS";

/// A case's `case.toml`: how to run it and how it must end.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    /// What the case is about, in one line (the README works it out).
    #[allow(dead_code)]
    about: String,
    /// The job (`itur run JOB`); gifted-elementary when not given.
    #[serde(default = "gifted_elementary")]
    job: String,
    /// `--phase` of `itur run gifted-elementary` (other jobs have no phases).
    phase: Option<String>,
    /// `--set KEY=VALUE` overrides, in order.
    #[serde(default)]
    set: Vec<String>,
    /// Further CLI arguments, appended as they are.
    #[serde(default)]
    args: Vec<String>,
    /// The exit code the run must end with.
    #[serde(default)]
    exit_code: i32,
    /// Text the error output must contain (for a case that fails on purpose).
    #[serde(default)]
    stderr_contains: Vec<String>,
    /// A reported bug the case shows: `expected/` holds the spec's answer for these files,
    /// written by hand, and the run must still differ there (a strict expected failure).
    known_bug: Option<KnownBug>,
}

fn gifted_elementary() -> String {
    "gifted-elementary".into()
}

/// Files whose `expected/` form is the spec's answer, which the code does not give yet.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KnownBug {
    /// The spec section the code contradicts, and how.
    #[allow(dead_code)]
    why: String,
    /// Paths inside `expected/`.
    files: Vec<String>,
}

/// Every case folder under `fixtures/cases/`, by name.
fn case_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures().join("cases"))
        .expect("fixtures/cases exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    v.sort();
    v
}

/// Runs one case; returns its failures (empty when it matches `expected/`), or blesses it.
fn run_case(dir: &Path, bless: bool) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let spec: CaseSpec = toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut extra: Vec<&str> = Vec::new();
    if let Some(phase) = &spec.phase {
        extra.extend(["--phase", phase.as_str()]);
    }
    for s in &spec.set {
        extra.extend(["--set", s.as_str()]);
    }
    extra.extend(spec.args.iter().map(String::as_str));
    let o = itur_io("run", &spec.job, &dir.join("input"), &out, &extra);
    let mut failures = Vec::new();
    if code(&o) != spec.exit_code {
        failures.push(format!(
            "exit code {} (expected {})\n{}",
            code(&o),
            spec.exit_code,
            stderr(&o)
        ));
        return failures;
    }
    for text in &spec.stderr_contains {
        if !stderr(&o).contains(text.as_str()) {
            failures.push(format!("stderr lacks `{text}`:\n{}", stderr(&o)));
        }
    }
    if spec.exit_code != 0 {
        // A failed run replaces nothing (data-contract.md, "Outputs"): there is nothing to diff.
        if out.exists() {
            failures.push("a failed run left an output directory".into());
        }
        return failures;
    }
    let got = normalized_outputs(&out, dir);
    let expected_dir = dir.join("expected");
    let known: &[String] = spec.known_bug.as_ref().map_or(&[], |k| &k.files);
    if bless {
        // The hand-written answers of a known bug survive a bless.
        let kept: BTreeMap<String, String> = read_tree(&expected_dir)
            .into_iter()
            .filter(|(rel, _)| known.contains(rel))
            .collect();
        if expected_dir.exists() {
            std::fs::remove_dir_all(&expected_dir).unwrap();
        }
        for (rel, text) in got.iter().map(|(r, t)| (r, kept.get(r).unwrap_or(t))) {
            let p = expected_dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        return failures;
    }
    let want = read_tree(&expected_dir);
    for rel in want.keys().filter(|k| !got.contains_key(*k)) {
        failures.push(format!("{rel}: expected, but the run did not write it"));
    }
    for rel in got.keys().filter(|k| !want.contains_key(*k)) {
        failures.push(format!("{rel}: written by the run, but not in expected/"));
    }
    for (rel, text) in &got {
        let Some(w) = want.get(rel) else { continue };
        match (known.contains(rel), w == text) {
            (false, false) => {
                failures.push(format!("{rel}: differs\n{}", first_difference(w, text)));
            }
            (true, true) => failures.push(format!(
                "{rel}: matches the spec now; the known bug is fixed: drop it from case.toml"
            )),
            _ => {}
        }
    }
    failures
}

/// The first differing lines of two normalized files, with a line of context before.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let from = i.saturating_sub(1);
    let show = |lines: &[&str]| -> String {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(4)
            .map(|(n, l)| format!("    {:>4} | {l}\n", n + 1))
            .collect()
    };
    format!(
        "  first difference at line {} ({} lines expected, {} written)\n  expected:\n{}  written:\n{}",
        i + 1,
        w.len(),
        g.len(),
        show(&w),
        show(&g)
    )
}

/// Every file under `dir` as text, by its path relative to `dir` (`/`-separated).
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, dir, &mut |rel, p| {
            m.insert(rel, std::fs::read_to_string(p).unwrap());
        });
    }
    m
}

fn walk(base: &Path, dir: &Path, f: &mut dyn FnMut(String, &Path)) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(base, &p, f);
        } else {
            let rel = p.strip_prefix(base).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            f(rel.join("/"), &p);
        }
    }
}

/// Every output of a run in its stable form, by the name it has in `expected/`:
/// `x.parquet` → `x.parquet.csv`, `x.csv` → `x.csv` (both sorted), `*.html` as it is,
/// `manifest.json` → its stable parts.
fn normalized_outputs(out: &Path, case: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    walk(out, out, &mut |rel, p| {
        // The run's data dictionary is the schemas' text, a spreadsheet repeats its CSV and
        // the run report (report.html) counts the other outputs; each has tests of its own.
        if rel == "dictionary.csv" || rel.ends_with(".xlsx") || rel == "report.html" {
            return;
        }
        let (name, text) = if rel == "manifest.json" {
            (rel, stable_manifest(p, case))
        } else if rel.ends_with(".parquet") {
            (format!("{rel}.csv"), sorted_csv(parquet_rows(p)))
        } else if rel.ends_with(".csv") {
            (rel, sorted_csv(read_csv(p)))
        } else {
            (rel, std::fs::read_to_string(p).unwrap())
        };
        m.insert(name, text);
    });
    m
}

/// A table as CSV text: the header row first, then the data rows sorted as text.
fn sorted_csv(mut rows: Vec<Vec<String>>) -> String {
    if rows.len() > 1 {
        rows[1..].sort();
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// A Parquet table as rows of text: the header, then each row's cells by a fixed rule (nulls
/// empty, floats as Rust's shortest round-trip form — the form the crate's CSV writer uses —,
/// dates ISO, lists `;`-joined).
fn parquet_rows(path: &Path) -> Vec<Vec<String>> {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cols = df.columns();
    let mut rows = vec![cols.iter().map(|c| c.name().to_string()).collect()];
    for i in 0..df.height() {
        rows.push(cols.iter().map(|c| cell(c.get(i).unwrap())).collect());
    }
    rows
}

fn cell(v: polars::prelude::AnyValue) -> String {
    use polars::prelude::AnyValue as V;
    match v {
        V::Null => String::new(),
        V::String(s) => s.to_string(),
        V::StringOwned(s) => s.to_string(),
        V::Boolean(b) => b.to_string(),
        V::Float64(x) => format!("{x}"),
        V::Float32(x) => format!("{x}"),
        V::Date(d) => (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
            + chrono::Duration::days(i64::from(d)))
        .to_string(),
        V::List(s) => (0..s.len())
            .map(|i| cell(s.get(i).unwrap()))
            .collect::<Vec<_>>()
            .join(";"),
        other => format!("{other}"),
    }
}

/// The parts of `manifest.json` that do not change from run to run: the phase, the
/// overrides, the exit, warnings, reconciliation and each output's row count (times, run id,
/// hashes, sizes and input paths are left out; the case's folder in a warning reads `<case>`).
/// The dictionary, the spreadsheets and the report are left out of the row counts: they
/// repeat the schemas and the other outputs, and have tests of their own.
fn stable_manifest(path: &Path, case: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = case.display().to_string();
    let warnings: Vec<String> = m["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().replace(&case, "<case>"))
        .collect();
    let rows: BTreeMap<String, serde_json::Value> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["path"].as_str().unwrap().to_string(), o["rows"].clone()))
        .filter(|(path, _)| {
            !(path == "dictionary.csv" || path.ends_with(".xlsx") || path == "report.html")
        })
        .collect();
    let stable = serde_json::json!({
        "phase": m["phase"],
        "overrides": m["pipeline"]["overrides"],
        "exit": m["exit"],
        "warnings": warnings,
        "reconciliation": m["reconciliation"],
        "output_rows": rows,
    });
    serde_json::to_string_pretty(&stable).unwrap() + "\n"
}

#[test]
fn golden_cases_match_their_expected_outputs() {
    let bless = std::env::var(BLESS).is_ok_and(|v| v == "1");
    let cases = case_dirs();
    assert!(cases.len() >= 12, "only {} golden cases", cases.len());
    let mut report = String::new();
    for dir in &cases {
        let failures = run_case(dir, bless);
        if !failures.is_empty() {
            let name = dir.file_name().unwrap().to_string_lossy();
            report.push_str(&format!("\n=== case {name}\n"));
            for f in failures {
                report.push_str(&format!("- {f}\n"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "golden cases differ from expected/ (review against each case's README, then \
         rerun with {BLESS}=1 to bless):{report}"
    );
}
