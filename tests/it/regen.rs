//! Regenerates the binary (Parquet) cases of `fixtures/bad/` from `fixtures/tiny`:
//! `cargo test --release --test it -- --ignored regenerate_parquet_fixtures`.
use crate::support::*;
use itur::output::parquet::parquet_bytes;
use itur::table::schema;
use itur::table::validate::{load_inputs, TableNeed};
use polars::prelude::*;
use std::collections::BTreeMap;

fn tiny_students() -> DataFrame {
    let needs = [
        TableNeed::new("institutions", true),
        TableNeed::new("classes", true),
        TableNeed::new("students", true),
    ];
    let set = load_inputs(&fixtures().join("tiny"), &needs, &BTreeMap::new()).unwrap();
    set.get("students").unwrap().df.clone()
}

fn write_case(name: &str, description: &str, exit_code: i32, stderr: &str, bytes: &[u8]) {
    let dir = fixtures().join("bad").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("students.parquet"), bytes).unwrap();
    let toml = format!(
        "description = \"{description}\"\nexit_code = {exit_code}\nstderr_contains = \"{stderr}\"\nremove = [\"students.csv\"]\n"
    );
    std::fs::write(dir.join("case.toml"), toml).unwrap();
}

#[test]
#[ignore = "regenerates committed fixtures"]
fn regenerate_parquet_fixtures() {
    let sch = schema::get("students");
    let df = tiny_students();
    let good = parquet_bytes(&df, sch).unwrap();

    let ok_dir = fixtures().join("bad").join("parquet_ok");
    std::fs::create_dir_all(&ok_dir).unwrap();
    std::fs::write(ok_dir.join("students.parquet"), &good).unwrap();
    std::fs::write(
        ok_dir.join("case.toml"),
        "description = \"students as a valid Parquet file (not a bad case: the control of the Parquet cases)\"\nexit_code = 0\nremove = [\"students.csv\"]\n",
    )
    .unwrap();

    write_case(
        "parquet_truncated",
        "students.parquet cut in half",
        4,
        "truncated",
        &good[..good.len() / 2],
    );

    let mut corrupt = good.clone();
    let n = corrupt.len();
    // Keep the framing (PAR1 … footer length PAR1) but scramble the pages and the footer.
    for (i, b) in corrupt[4..n - 8].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37) ^ 0x5A;
    }
    write_case(
        "parquet_corrupt",
        "students.parquet with valid magic bytes and garbage inside",
        4,
        "students.parquet",
        &corrupt,
    );

    let ids: Vec<i64> = df
        .column("student_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().parse().unwrap())
        .collect();
    let mut wrong = df.clone();
    wrong
        .with_column(Column::new("student_id".into(), ids))
        .unwrap();
    let wrong = parquet_bytes(&wrong, sch).unwrap();
    write_case(
        "parquet_wrong_type",
        "student_id stored as a 64-bit integer (leading zeros lost)",
        4,
        "has Parquet type i64",
        &wrong,
    );
}
