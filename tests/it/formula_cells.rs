//! CSV injection (data-contract.md "Rules that apply everywhere"): names that a spreadsheet
//! would run as formulas reach no people-facing CSV as formulas — every such cell carries a
//! leading `'` — while Parquet keeps the values as they are.
use crate::support::*;
use std::path::{Path, PathBuf};

const FORMULAS: [&str; 4] = [
    "=HYPERLINK(\"http://example.org/x\",\"click\")",
    "+972-50-1234567",
    "@SUM(A1)",
    "-2+3",
];

/// Rewrites `columns` of the CSV table at `path`, cycling through `FORMULAS`.
fn poison(path: &Path, columns: &[&str]) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().clone();
    let idx: Vec<usize> = columns
        .iter()
        .map(|c| header.iter().position(|h| h == *c).unwrap())
        .collect();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(&header).unwrap();
    for (n, row) in rows.iter().enumerate() {
        let mut v: Vec<String> = row.iter().map(str::to_string).collect();
        for (k, &i) in idx.iter().enumerate() {
            v[i] = FORMULAS[(n + k) % FORMULAS.len()].to_string();
        }
        w.write_record(&v).unwrap();
    }
    w.flush().unwrap();
}

/// Every `.csv` file under `dir`.
fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            v.extend(csv_files(&p));
        } else if p.extension().is_some_and(|x| x == "csv") {
            v.push(p);
        }
    }
    v
}

/// Checks that no cell of any CSV under `out` starts as a formula, and counts the guarded ones.
fn guarded_cells(out: &Path) -> usize {
    let mut guarded = 0;
    for f in csv_files(out) {
        for row in read_csv(&f) {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: formula cell {cell:?}",
                    f.display()
                );
                if cell.starts_with("'=") || cell.starts_with("'@") || cell.starts_with("'+") {
                    guarded += 1;
                }
            }
        }
    }
    guarded
}

#[test]
fn formula_names_reach_no_csv_as_formulas_in_a_gifted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("cases/letters_screening/input"), &input);
    poison(&input.join("students.csv"), &["first_name", "last_name"]);
    poison(&input.join("contacts.csv"), &["first_name", "last_name"]);
    let out = tmp.path().join("out");
    let o = run_gifted(&input, &out, &["--phase", "screening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        guarded_cells(&out) > 0,
        "the poisoned names reach some CSV (letters, school lists)"
    );
}

#[test]
fn formula_names_reach_no_csv_as_formulas_in_a_roster_export() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("roster");
    copy_dir(&fixtures().join("roster"), &input);
    poison(&input.join("students.csv"), &["first_name", "last_name"]);
    poison(&input.join("contacts.csv"), &["first_name"]);
    poison(&input.join("institutions.csv"), &["name"]);
    let out = tmp.path().join("export");
    let o = itur_io(
        "run",
        "roster-export",
        &input,
        &out,
        &["--all-approved", "--set", "max_reject_share=0.5"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(guarded_cells(&out) > 0);
    // Parquet keeps the value as it is.
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(out.join("N1/students.parquet")).unwrap())
        .finish()
        .unwrap();
    let names: Vec<String> = df
        .column("first_name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| FORMULAS.contains(&n.as_str())),
        "{names:?}"
    );
}
