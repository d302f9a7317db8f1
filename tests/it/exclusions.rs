//! Exclusions (gifted-elementary issue #25, data-contract.md "Row validation and rejects"): a
//! valid row the regulation leaves out — a student of an institution that does not take part,
//! a row of another school year — is listed in `exclusions`, counted as excluded in the
//! reconciliation, and never counts toward `max_reject_share`.
use crate::support::*;
use polars::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn write(path: &Path, df: &mut DataFrame) {
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .finish(df)
        .unwrap();
}

fn texts(df: &DataFrame, column: &str) -> Vec<String> {
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect()
}

/// Three official schools of `fixtures/small` with stage B rows opt out (as after testing),
/// in `dir/with` (their stage B rows kept) and `dir/without` (those rows removed). Returns
/// the schools and the 1-based rows of their students in `stage_b_scores`.
fn opted_out_after_stage_b(dir: &Path) -> (BTreeSet<String>, Vec<u64>) {
    let small = fixtures().join("small");
    let students = read(&small.join("students.parquet"));
    let school_of: std::collections::BTreeMap<String, String> = texts(&students, "student_id")
        .into_iter()
        .zip(texts(&students, "institution_id"))
        .collect();
    let stage_b = read(&small.join("stage_b_scores.parquet"));
    let sitters = texts(&stage_b, "student_id");
    let mut institutions = read(&small.join("institutions.parquet"));
    let official: BTreeSet<String> = texts(&institutions, "institution_id")
        .into_iter()
        .zip(texts(&institutions, "supervision"))
        .filter(|(_, s)| s == "official")
        .map(|(i, _)| i)
        .collect();
    let schools: BTreeSet<String> = sitters
        .iter()
        .map(|s| school_of[s].clone())
        .filter(|i| official.contains(i))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(3)
        .collect();
    assert_eq!(schools.len(), 3, "the small fixture has three such schools");
    let opt_out: Vec<bool> = texts(&institutions, "institution_id")
        .iter()
        .map(|i| schools.contains(i))
        .collect();
    institutions
        .with_column(Column::new("screening_opt_out".into(), opt_out))
        .unwrap();
    let theirs: Vec<bool> = sitters
        .iter()
        .map(|s| schools.contains(&school_of[s]))
        .collect();
    let rows: Vec<u64> = (1..=theirs.len() as u64)
        .filter(|&r| theirs[r as usize - 1])
        .collect();
    for (name, keep_theirs) in [("with", true), ("without", false)] {
        let input = dir.join(name);
        copy_dir(&small, &input);
        write(
            &input.join("institutions.parquet"),
            &mut institutions.clone(),
        );
        let mask: BooleanChunked = theirs.iter().map(|&t| keep_theirs || !t).collect();
        write(
            &input.join("stage_b_scores.parquet"),
            &mut stage_b.filter(&mask).unwrap(),
        );
    }
    (schools, rows)
}

/// Issue #25, item 1: a nation where three schools opt out after stage B runs to exit 0 (their
/// rows were rejects before, and more than `max_reject_share`), with their rows in
/// `exclusions`, rows read = accepted + excluded + rejected for every table, and the same
/// results for everyone else as without those rows.
#[test]
fn schools_that_opt_out_after_stage_b_are_excluded_not_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let (_schools, rows) = opted_out_after_stage_b(tmp.path());
    assert!(rows.len() > 10, "a share well above max_reject_share");
    let run = |name: &str| {
        let out = tmp.path().join(format!("out-{name}"));
        let o = run_gifted(&tmp.path().join(name), &out, &["--phase", "identification"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        out
    };
    let (with, without) = (run("with"), run("without"));

    let excluded = read_csv(&with.join("exclusions.csv"));
    assert_eq!(excluded[0], ["table", "row_number", "student_id", "reason"]);
    let listed: Vec<u64> = excluded[1..]
        .iter()
        .filter(|r| r[0] == "stage_b_scores")
        .map(|r| {
            assert_eq!(r[3], "institution_not_participating");
            r[1].parse().unwrap()
        })
        .collect();
    assert_eq!(listed, rows);
    let rejects = read_csv(&with.join("rejects.csv"));
    assert!(
        rejects[1..].iter().all(|r| r[0] != "stage_b_scores"),
        "{rejects:?}"
    );

    // The reconciliation of every input: read = accepted + excluded + rejected.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(with.join("manifest.json")).unwrap()).unwrap();
    for input in m["inputs"].as_array().unwrap() {
        let n = |k: &str| input[k].as_u64().unwrap();
        assert_eq!(
            n("rows_read"),
            n("rows_accepted") + n("rows_excluded") + n("rows_rejected"),
            "{input}"
        );
    }
    let stage_b = &m["reconciliation"]["input.stage_b_scores"];
    assert_eq!(stage_b["rows_excluded"], rows.len() as u64);
    assert_eq!(stage_b["rows_rejected"], 0);

    // Everyone else's results, cut-offs and lists are those of the run without the rows.
    for f in [
        "confidential/results.parquet",
        "confidential/norm_table.parquet",
        "cutoffs.csv",
        "school_lists.csv",
    ] {
        assert_eq!(
            std::fs::read(with.join(f)).unwrap(),
            std::fs::read(without.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// gifted.md §1: a stage B row of another school year than the student's roster year is an
/// exclusion (`other_school_year`), and does not count as the student's score.
#[test]
fn a_stage_b_row_of_another_school_year_is_excluded() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixtures().join("small"), &input);
    let path = input.join("stage_b_scores.parquet");
    let mut df = read(&path);
    let years: Vec<i64> = df
        .column("school_year")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, y)| y.unwrap() - i64::from(i == 0))
        .collect();
    let first = texts(&df, "student_id")[0].clone();
    df.with_column(Column::new("school_year".into(), years))
        .unwrap();
    write(&path, &mut df);
    let out = tmp.path().join("out");
    let o = run_gifted(&input, &out, &["--phase", "identification"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let excluded = read_csv(&out.join("exclusions.csv"));
    assert!(
        excluded[1..].contains(&vec![
            "stage_b_scores".to_string(),
            "1".to_string(),
            first.clone(),
            "other_school_year".to_string()
        ]),
        "{excluded:?}"
    );
}
