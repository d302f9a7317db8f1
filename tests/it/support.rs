//! Helpers shared by the integration tests.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixtures() -> PathBuf {
    root().join("fixtures")
}

/// Runs `itur` with `args`; returns the output (exit code, stdout, stderr).
pub(crate) fn itur<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    itur_env(args, &[])
}

/// As `itur`, with the environment variables `env` set.
pub(crate) fn itur_env<I, S>(args: I, env: &[(&str, &str)]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = Command::new(env!("CARGO_BIN_EXE_itur"));
    c.args(args).env_remove("ITUR_FAIL_AFTER_FILES");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("itur runs")
}

/// `itur VERB JOB --input INPUT --out OUT EXTRA…` with the environment variables `env`.
pub(crate) fn itur_io_env(
    verb: &str,
    job: &str,
    input: &Path,
    out: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut args = vec![
        verb,
        job,
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    itur_env(args, env)
}

/// `itur VERB JOB --input INPUT --out OUT EXTRA…`.
pub(crate) fn itur_io(verb: &str, job: &str, input: &Path, out: &Path, extra: &[&str]) -> Output {
    itur_io_env(verb, job, input, out, extra, &[])
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Copies every file of `from` into `to` (flat directories).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Reads a CSV written by itur (with BOM) into rows of fields.
pub(crate) fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let data = std::fs::read(path).unwrap();
    let data = data
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&data);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(data);
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// `itur run gifted-elementary --input INPUT --out OUT EXTRA…`.
pub(crate) fn run_gifted(input: &Path, out: &Path, extra: &[&str]) -> Output {
    itur_io("run", "gifted-elementary", input, out, extra)
}

/// What runs left beside their output directories in `parent`: temporary and moved-aside trees
/// (`.<name>.itur-*`), not the lock files, which stay by design (`output::lock`).
pub(crate) fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".itur-") && !n.ends_with(".itur-lock"))
        .collect()
}

/// Each file's name and a digest of its bytes.
pub(crate) fn snapshot(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let data = if e.file_type().unwrap().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            let mut h = std::collections::hash_map::DefaultHasher::new();
            data.hash(&mut h);
            (e.file_name().to_string_lossy().into_owned(), h.finish())
        })
        .collect();
    v.sort();
    v
}

/// `itur synth --scale small --seed SEED --out OUT`, which must succeed.
pub(crate) fn synth_small(out: &Path, seed: &str) {
    let o = itur([
        "synth",
        "--scale",
        "small",
        "--seed",
        seed,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// Selected columns of a CSV output's rows, joined by `:` (one text per row, to compare with
/// hand-worked expectations).
pub(crate) fn csv_columns(path: &Path, columns: &[&str]) -> Vec<String> {
    let t = read_csv(path);
    let at: Vec<usize> = (columns.iter())
        .map(|c| {
            t[0].iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("{c}"))
        })
        .collect();
    (t[1..].iter())
        .map(|r| {
            at.iter()
                .map(|&i| r[i].as_str())
                .collect::<Vec<_>>()
                .join(":")
        })
        .collect()
}

/// The cells of the first sheet of an xlsx file, as text, row by row (what a spreadsheet shows).
pub(crate) fn xlsx_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|d| d.to_string()).collect())
        .collect()
}

/// The manifest's entry of input table `table` in the run output `out`.
pub(crate) fn manifest_input(out: &Path, table: &str) -> serde_json::Value {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    (m["inputs"].as_array().unwrap().iter())
        .find(|i| i["table"] == table)
        .cloned()
        .unwrap_or_else(|| panic!("no input entry `{table}` in the manifest"))
}

/// Rewrites the input table `<table>.csv` of folder `input` with `edit` (a test's changed
/// copy of a fixture: rows appended, values replaced).
pub(crate) fn edit_csv(input: &Path, table: &str, edit: impl FnOnce(String) -> String) {
    let path = input.join(format!("{table}.csv"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
}
