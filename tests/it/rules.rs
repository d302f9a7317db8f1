//! The contract's rules that apply everywhere (data-contract.md), through the real CLI:
//! identifiers that name output files must be plain names, text has a maximum length and no
//! control or bidi-override characters, and person IDs are normalized to 9 digits on reading.
use crate::support::*;
use polars::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every file and folder under `dir`, relative to it.
fn tree(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out
}

/// Reads `input/<table>.parquet`, lets `edit` change it, and writes it back as
/// `input/<table>.csv` (an input directory may hold a table as CSV), every column as text.
fn parquet_to_csv(input: &Path, table: &str, edit: impl FnOnce(&mut DataFrame)) {
    let path = input.join(format!("{table}.parquet"));
    let file = std::fs::File::open(&path).unwrap();
    let df = ParquetReader::new(file).finish().unwrap();
    let text: Vec<Column> = df
        .columns()
        .iter()
        .map(|c| c.cast(&DataType::String).unwrap())
        .collect();
    let mut df = DataFrame::new(df.height(), text).unwrap();
    edit(&mut df);
    std::fs::remove_file(&path).unwrap();
    let mut w = csv::Writer::from_path(input.join(format!("{table}.csv"))).unwrap();
    w.write_record(df.get_column_names().iter().map(|n| n.as_str()))
        .unwrap();
    let cols: Vec<&StringChunked> = df.columns().iter().map(|c| c.str().unwrap()).collect();
    for i in 0..df.height() {
        w.write_record(cols.iter().map(|c| c.get(i).unwrap_or("")))
            .unwrap();
    }
    w.flush().unwrap();
}

/// Sets `column` of row `row` (0-based) to `value`.
fn set(df: &mut DataFrame, column: &str, row: usize, value: &str) {
    let ca = df.column(column).unwrap().str().unwrap().clone();
    let values: StringChunked = ca
        .iter()
        .enumerate()
        .map(|(i, v)| if i == row { Some(value) } else { v })
        .collect();
    df.replace(column, values.with_name(column.into()).into_column())
        .unwrap();
}

/// Each row of a rejects file as (table, row, column, value, rule, message).
fn rejects(out: &Path) -> Vec<Vec<String>> {
    read_csv(&out.join("rejects.csv"))
        .into_iter()
        .skip(1)
        .collect()
}

fn has_reject(rows: &[Vec<String>], table: &str, row: u64, column: &str, rule: &str) -> bool {
    rows.iter()
        .any(|r| r[0] == table && r[1] == row.to_string() && r[2] == column && r[4] == rule)
}

/// `fixtures/small` with two track IDs and a center ID that climb out of their folder.
fn small_with_unsafe_ids(input: &Path) {
    copy_dir(&fixtures().join("small"), input);
    std::fs::remove_file(input.join("manifest.json")).unwrap();
    parquet_to_csv(input, "gifted_tracks", |df| {
        set(df, "track_id", 0, "../../../x");
        set(df, "track_id", 1, "../placements");
    });
    parquet_to_csv(input, "enrichment_centers", |df| {
        set(df, "center_id", 0, "../x");
    });
}

#[test]
fn ids_that_would_name_a_path_outside_their_folder_are_rejected_and_nothing_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    // The output sits deep enough that `tracks/../../../x` would still land inside `tmp`.
    let input = tmp.path().join("input");
    small_with_unsafe_ids(&input);
    let checked = tmp.path().join("validated");
    let extra = ["--set", "max_reject_share=1"];
    let o = itur_io("validate", "gifted-elementary", &input, &checked, &extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let found = rejects(&checked);
    for (table, row, column) in [
        ("gifted_tracks", 1, "track_id"),
        ("gifted_tracks", 2, "track_id"),
        ("enrichment_centers", 1, "center_id"),
    ] {
        assert!(
            has_reject(&found, table, row, column, "unsafe_identifier"),
            "{table} row {row}: {found:?}"
        );
    }
    let r = found.iter().find(|r| r[4] == "unsafe_identifier").unwrap();
    assert!(r[5].contains("[A-Za-z0-9][A-Za-z0-9_-]{0,63}"), "{}", r[5]);
    assert!(r[5].contains("`track_id`"), "{}", r[5]);

    let out = tmp.path().join("a/b/c/out");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let before = tree(tmp.path());
    let o = run_gifted(
        &input,
        &out,
        &["--phase", "all", "--set", "max_reject_share=1"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(has_reject(
        &rejects(&out),
        "gifted_tracks",
        1,
        "track_id",
        "unsafe_identifier"
    ));
    // The run wrote inside `--out` only, and no file took the name of another output.
    let outside: Vec<_> = tree(tmp.path())
        .difference(&before)
        .filter(|p| !p.starts_with("a/b/c/out") && !p.ends_with(".out.itur-lock"))
        .cloned()
        .collect();
    assert!(outside.is_empty(), "written outside --out: {outside:?}");
    let names: Vec<String> = tree(&out).iter().map(|p| p.display().to_string()).collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("..") && !n.ends_with("/x.csv") && !n.ends_with("/x.xlsx")),
        "{names:?}"
    );
    let placements = read_csv(&out.join("placements.csv"));
    assert_eq!(
        placements[0][0], "student_id",
        "placements.csv is the placements"
    );
    assert!(
        tree(&out.join("tracks")).iter().all(|p| {
            let n = p.display().to_string();
            (n.ends_with(".csv") || n.ends_with(".xlsx")) && !n.starts_with('.')
        }),
        "{names:?}"
    );
}

#[test]
fn an_owner_id_that_names_the_audit_log_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("roster");
    copy_dir(&fixtures().join("roster"), &input);
    let owners = std::fs::read_to_string(input.join("owners.csv")).unwrap();
    let owners = owners.replace("N2,", "audit.jsonl,");
    std::fs::write(input.join("owners.csv"), owners).unwrap();
    let out = tmp.path().join("v");
    let extra = ["--set", "max_reject_share=1"];
    let o = itur_io("validate", "roster-export", &input, &out, &extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let found = rejects(&out);
    assert!(
        has_reject(&found, "owners", 2, "owner_id", "unsafe_identifier"),
        "{found:?}"
    );
    // The scheduled export leaves the audit log a file, and writes no folder of that owner.
    let export = tmp.path().join("export");
    let o = itur_io(
        "run",
        "roster-export",
        &input,
        &export,
        &[
            "--all-approved",
            "--as-of",
            "2026-11-26",
            "--set",
            "max_reject_share=1",
        ],
    );
    assert!(code(&o) == 0 || code(&o) == 3, "{}", stderr(&o));
    if export.exists() {
        assert!(!export.join("audit.jsonl").is_dir());
    }
    let written = tree(tmp.path());
    assert!(
        written.iter().all(|p| p.starts_with("roster")
            || p.starts_with("v")
            || p.starts_with("export")
            || p.ends_with(".v.itur-lock")
            || p.ends_with(".export.itur-lock")),
        "{written:?}"
    );
}

/// A copy of `fixtures/tiny` with `<table>.csv` changed by `edit`.
fn tiny_with(input: &Path, table: &str, edit: impl FnOnce(String) -> String) {
    copy_dir(&fixtures().join("tiny"), input);
    edit_csv(input, table, edit);
}

#[test]
fn a_child_written_with_and_without_the_leading_zero_is_one_student() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    tiny_with(&input, "students", |t| {
        format!("{t}10000016,נועה,כהן,2027,2019-03-14,f,110001,110001-2-1,2,A01,,,\n")
    });
    // A spreadsheet dropped the leading zeros of a student and of a contact.
    edit_csv(&input, "contacts", |t| {
        t.replace("010000024,020000030", "10000024,20000030")
    });
    let out = tmp.path().join("out");
    let extra = ["--set", "max_reject_share=1"];
    let o = itur_io("validate", "gifted-elementary", &input, &out, &extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let found = rejects(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(has_reject(
        &found,
        "students",
        7,
        "student_id",
        "duplicate_key"
    ));
    assert_eq!(found[0][3], "010000016");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let contacts = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("contacts.csv"))
        .unwrap();
    assert_eq!(contacts["rows_rejected"], 0, "{contacts}");
    assert_eq!(
        contacts["rows_accepted"], contacts["rows_read"],
        "{contacts}"
    );
}

/// Strips the leading zeros of every person ID of `df` (as a spreadsheet does).
fn drop_leading_zeros(df: &mut DataFrame, table: &str) -> usize {
    let schema = itur::table::schema::get(table).unwrap();
    let mut stripped = 0;
    for c in schema.columns.iter().filter(|c| c.israeli_id) {
        let Ok(col) = df.column(&c.name) else {
            continue;
        };
        let ca = col.str().unwrap().clone();
        let values: StringChunked = ca
            .iter()
            .map(|v| {
                v.map(|v| {
                    let s = v.trim_start_matches('0');
                    stripped += usize::from(s.len() < v.len());
                    s.to_string()
                })
            })
            .collect();
        df.replace(
            &c.name,
            values.with_name(c.name.as_str().into()).into_column(),
        )
        .unwrap();
    }
    stripped
}

/// Every CSV file of a run's output, by path.
fn csv_outputs(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    tree(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let bytes = std::fs::read(out.join(&p)).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn ids_that_lost_their_leading_zeros_give_the_same_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let tables = [
        "students",
        "contacts",
        "contact_details",
        "stage_a_scores",
        "stage_b_scores",
        "referrals",
        "class_requests",
        "interviews",
    ];
    let mut outputs = Vec::new();
    for strip in [false, true] {
        let input = tmp.path().join(format!("input-{strip}"));
        copy_dir(&fixtures().join("small"), &input);
        std::fs::remove_file(input.join("manifest.json")).unwrap();
        let mut stripped = 0;
        for t in tables {
            parquet_to_csv(&input, t, |df| {
                if strip {
                    stripped += drop_leading_zeros(df, t);
                }
            });
        }
        assert!(!strip || stripped > 100, "{stripped} IDs stripped");
        let out = tmp.path().join(format!("out-{strip}"));
        let o = run_gifted(&input, &out, &["--phase", "all"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        outputs.push(csv_outputs(&out));
    }
    let (plain, stripped) = (&outputs[0], &outputs[1]);
    assert!(plain.len() > 10, "{} CSV outputs", plain.len());
    for ((pa, a), (pb, b)) in plain.iter().zip(stripped) {
        assert_eq!(pa, pb);
        assert!(a == b, "{} differs", pa.display());
    }
    assert_eq!(plain.len(), stripped.len());
    // The outputs show IDs with 9 digits.
    let placements = read_csv(&tmp.path().join("out-true/placements.csv"));
    assert!(placements.iter().skip(1).all(|r| r[0].len() == 9));
    let rejects = read_csv(&tmp.path().join("out-true/rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
}

#[test]
fn a_huge_first_name_and_a_bidi_override_reject_their_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    let huge = "א".repeat(1 << 19); // 1 MB of UTF-8
    tiny_with(&input, "students", |t| {
        t.replacen("010000024,איתי,", &format!("010000024,{huge},"), 1)
            .replacen("מזרחי", "מז\u{202e}רחי", 1)
    });
    let out = tmp.path().join("out");
    let extra = ["--set", "max_reject_share=1"];
    let o = itur_io("validate", "gifted-elementary", &input, &out, &extra);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let found = rejects(&out);
    assert!(
        has_reject(&found, "students", 2, "first_name", "text_too_long"),
        "{found:?}"
    );
    assert!(has_reject(
        &found,
        "students",
        3,
        "last_name",
        "text_control_character"
    ));
    let long = found.iter().find(|r| r[4] == "text_too_long").unwrap();
    assert_eq!(long[3].chars().count(), 81, "the value shown is cut");
    assert!(long[5].contains("524288 characters") && long[5].contains("at most 200"));
    let bidi = found
        .iter()
        .find(|r| r[4] == "text_control_character")
        .unwrap();
    assert_eq!(bidi[3], "מז<U+202E>רחי");
    assert!(bidi[5].contains("U+202E"), "{}", bidi[5]);
    let size = std::fs::metadata(out.join("rejects.csv")).unwrap().len();
    assert!(size < 10_000, "rejects.csv is {size} bytes");
}
