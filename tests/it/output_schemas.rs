//! Every file a job writes has a schema in `schemas/` that lists its columns, in order (issue
//! #17): a table's columns, the per-subtest columns where the schema places them, and the
//! columns of each per-school, per-track, per-center and per-college list.
use crate::support::*;
use itur::output::rows::table_of_job_file;
use std::path::Path;

/// The header of a written CSV, xlsx or Parquet file.
fn columns_of(path: &Path) -> Vec<String> {
    if path.extension().is_some_and(|e| e == "xlsx") {
        return xlsx_rows(path).into_iter().next().unwrap_or_default();
    }
    if path.extension().is_some_and(|e| e == "csv") {
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        return r.headers().unwrap().iter().map(str::to_string).collect();
    }
    use polars::prelude::SerReader;
    let file = std::fs::File::open(path).unwrap();
    polars::prelude::ParquetReader::new(file)
        .schema()
        .unwrap()
        .iter_names()
        .map(|n| n.to_string())
        .collect()
}

/// The columns schema `schema` says a file has, with the file's subtests (found from the names
/// of its first per-subtest column) in place of each run of `{subtest}_<suffix>` columns.
fn expected(schema: &itur::table::schema::TableSchema, have: &[String]) -> Vec<String> {
    let cols = &schema.columns;
    let first = cols.iter().find_map(|c| c.subtest_suffix());
    let subtests: Vec<&str> = first.map_or(vec![], |f| {
        (have.iter())
            .filter_map(|n| n.strip_suffix(f)?.strip_suffix('_'))
            .filter(|s| !s.is_empty())
            .collect()
    });
    assert!(
        first.is_none() || !subtests.is_empty(),
        "{}: no subtest columns",
        schema.name
    );
    let mut out = Vec::new();
    let mut i = 0;
    while i < cols.len() {
        let run: Vec<&str> = cols[i..].iter().map_while(|c| c.subtest_suffix()).collect();
        if run.is_empty() {
            out.push(cols[i].name.clone());
            i += 1;
            continue;
        }
        for s in &subtests {
            out.extend(run.iter().map(|suffix| format!("{s}_{suffix}")));
        }
        i += run.len();
    }
    out
}

/// The English name of a file's column `n`, which may be the schema's Hebrew name of a column
/// (`ציון סף מחוננים בmath` for `{subtest}_gifted_raw` of subtest `math`).
fn english_name(schema: &itur::table::schema::TableSchema, n: &str) -> String {
    if let Some(c) = schema.columns.iter().find(|c| c.hebrew == n) {
        if schema.column_of_file(n).is_none() {
            return c.name.clone();
        }
    }
    for c in &schema.columns {
        let (Some(suffix), Some((before, after))) =
            (c.subtest_suffix(), c.hebrew.split_once("{subtest}"))
        else {
            continue;
        };
        let subtest = n.strip_prefix(before).and_then(|r| r.strip_suffix(after));
        if let Some(subtest) = subtest.filter(|t| !t.is_empty()) {
            return format!("{subtest}_{suffix}");
        }
    }
    n.to_string()
}

/// Checks every table file under `out`, written by `job`; returns the schemas met.
fn check_tree(out: &Path, job: &str) -> std::collections::BTreeSet<String> {
    let mut met = std::collections::BTreeSet::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if !(rel.ends_with(".csv") || rel.ends_with(".parquet") || rel.ends_with(".xlsx")) {
                continue;
            }
            let (_, schema) =
                table_of_job_file(&rel, job).unwrap_or_else(|| panic!("{rel}: no schema"));
            assert_eq!(
                rel.starts_with("confidential/"),
                schema.confidential,
                "{rel}: under confidential/ exactly when schema `{}` says confidential",
                schema.name
            );
            // The lists people open may have the schema's Hebrew names (`--headers he`).
            let have: Vec<String> = (columns_of(&path).iter())
                .map(|n| english_name(schema, n))
                .collect();
            assert_eq!(
                have,
                expected(schema, &have),
                "{rel}: columns of schema `{}`",
                schema.name
            );
            met.insert(schema.name.clone());
        }
    }
    met
}

#[test]
fn every_file_of_every_job_has_the_columns_of_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let runs: [(&str, &str, &[&str]); 6] = [
        ("gifted-elementary", "small", &["--phase", "all"]),
        ("gifted-secondary", "gifted_secondary", &[]),
        ("retest-review", "retest-review", &[]),
        ("special-sessions", "special-sessions", &[]),
        ("teacher-loans", "teacher-loans", &[]),
        ("special-ed-baskets", "special-ed-baskets", &[]),
    ];
    let mut met = std::collections::BTreeSet::new();
    for (job, fixture, extra) in runs {
        let out = tmp.path().join(job);
        let o = itur_io_env("run", job, &fixtures().join(fixture), &out, extra, &[]);
        assert!(
            o.status.success(),
            "{job}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut tables = check_tree(&out, job);
        assert!(tables.remove("dictionary"), "{job}: no dictionary.csv");
        // The run's dictionary describes each table it wrote, column by column.
        let dictionary = read_csv(&out.join("dictionary.csv"));
        assert_eq!(dictionary[0][..3], ["files", "table", "column"]);
        for t in &tables {
            let described = dictionary.iter().filter(|r| &r[1] == t).count();
            let columns = itur::table::schema::get(t).unwrap().columns.len();
            assert_eq!(described, columns, "{job}: dictionary rows of `{t}`");
        }
        let listed: std::collections::BTreeSet<&String> =
            dictionary[1..].iter().map(|r| &r[1]).collect();
        assert_eq!(
            listed.len(),
            tables.len(),
            "{job}: the dictionary lists the tables written"
        );
        met.extend(tables);
        met.insert("dictionary".into());
    }
    // The lists, the tables with per-subtest columns and the rejects were among them.
    for name in [
        "track_list",
        "center_list",
        "school_invitation_list",
        "school_lists",
        "college_list",
        "results",
        "cutoffs",
        "rejects",
        "letters",
        "audit",
    ] {
        assert!(
            met.contains(name),
            "no file of schema `{name}` was written: {met:?}"
        );
    }
}

/// `docs/tables.md` is what `itur schema --markdown` prints: the committed data dictionary is
/// in step with `schemas/`.
#[test]
fn docs_tables_md_is_in_step_with_the_schemas() {
    let o = itur(["schema", "--markdown"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let printed = String::from_utf8(o.stdout).unwrap();
    let committed = std::fs::read_to_string(root().join("docs/tables.md")).unwrap_or_default();
    assert!(
        printed == committed,
        "docs/tables.md is out of step with schemas/: run `itur schema --markdown > docs/tables.md`"
    );
    for s in itur::table::schema::all() {
        assert!(
            printed.contains(&format!("\n## {}\n", s.name)),
            "{}",
            s.name
        );
    }
}

/// `itur schema --json` is structured: a version, each table's direction and confidentiality,
/// each column's type, requirement, bounds, values, key and references as values.
#[test]
fn schema_json_is_structured_data() {
    let o = itur(["schema", "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    let table = |name: &str| {
        (v["tables"].as_array().unwrap().iter())
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let column = |t: &serde_json::Value, name: &str| {
        (t["columns"].as_array().unwrap().iter())
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let results = table("results");
    assert_eq!(results["direction"], "both");
    assert_eq!(results["confidential"], true);
    assert_eq!(column(&results, "composite_num")["confidential"], true);
    let students = table("students");
    assert_eq!(students["direction"], "input");
    assert_eq!(students["confidential"], false);
    let year = column(&students, "school_year");
    assert_eq!(
        (
            year["type"].as_str(),
            year["min"].as_f64(),
            year["max"].as_f64()
        ),
        (Some("int"), Some(2000.0), Some(2100.0))
    );
    assert_eq!(year["required"], true);
    assert_eq!(year["key"], false);
    assert_eq!(column(&students, "student_id")["key"], true);
    let class = column(&students, "class_id");
    assert_eq!(class["references"]["table"], "classes");
    assert_eq!(table("waitlist")["direction"], "output");
    let reason = column(&table("waitlist"), "reason");
    assert_eq!(reason["description"]["he"], "סיבה");
    // Checks are objects naming their rule, not debug text.
    let checks = students["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["rule"].is_string()), "{checks:?}");
    // One table alone carries the version too.
    let o = itur(["schema", "waitlist", "--json"]);
    let one: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(one["schema_version"], 1);
}
