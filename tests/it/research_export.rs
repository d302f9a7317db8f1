//! `itur run research-export` (issue #19, docs/research-export.md): pseudonyms, minimised
//! columns, the Hive layout, the key's handling and the published counts, on runs of
//! `fixtures/small` and of a synthetic nation of another school year.
use crate::support::*;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const KEY: &str = "itur-test-key-0123456789-abcdefghijklmnopqrstuv";

/// A private key file holding `key`.
fn key_file(dir: &Path, name: &str, key: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, key).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

fn export(inputs: &[&Path], out: &Path, key: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run".to_string(), "research-export".into()];
    for i in inputs {
        args.extend(["--input".into(), i.display().to_string()]);
    }
    args.extend([
        "--out".into(),
        out.display().to_string(),
        "--key-file".into(),
        key.display().to_string(),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    itur(args)
}

fn frame(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn texts(df: &DataFrame, column: &str) -> Vec<String> {
    let c = df.column(column).unwrap().cast(&DataType::String).unwrap();
    let c = c.str().unwrap();
    c.iter().map(|v| v.unwrap_or("").to_string()).collect()
}

/// Every file under `dir` (relative path, bytes).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Every cell of every Parquet file under `dir`, as text.
fn cells(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (rel, _) in files(dir).iter().filter(|(r, _)| r.ends_with(".parquet")) {
        let df = frame(&dir.join(rel));
        for c in df.get_column_names() {
            out.extend(texts(&df, c));
        }
    }
    out
}

fn gifted_run(input: &Path, out: &Path) {
    let o = run_gifted(input, out, &["--phase", "all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// One run of `fixtures/small` and its export.
struct Exported {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    run: PathBuf,
    ds: PathBuf,
    log: String,
}

fn exported() -> Exported {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let run = dir.join("run");
    gifted_run(&fixtures().join("small"), &run);
    let key = key_file(&dir, "key", KEY, 0o600);
    let ds = dir.join("ds");
    let o = export(&[&run], &ds, &key, &["--log-format", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    Exported {
        _tmp: tmp,
        dir,
        run,
        ds,
        log: stderr(&o),
    }
}

#[test]
fn the_dataset_has_its_partitions_codebook_and_a_confidential_manifest() {
    let e = exported();
    for t in [
        "students",
        "stage_a",
        "stage_b",
        "results",
        "placements",
        "enrichment",
        "aggregates",
    ] {
        let p = e.ds.join(t).join("school_year=2027/part-0.parquet");
        assert!(p.is_file(), "{}", p.display());
        // No file repeats the partition column (Spark refuses a column in both).
        assert!(!frame(&p)
            .get_column_names()
            .iter()
            .any(|c| c.as_str() == "school_year"));
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(e.ds.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["job"], "research-export");
    assert_eq!(m["classification"], "confidential");
    assert_eq!(m["school_years"], serde_json::json!([2027]));
    let codebook = read_csv(&e.ds.join("codebook.csv"));
    assert_eq!(
        codebook[0],
        ["table", "column", "type", "description", "hebrew", "values"]
    );
    // Every column of every file is in the codebook.
    for t in ["students", "results", "aggregates"] {
        let df = frame(&e.ds.join(t).join("school_year=2027/part-0.parquet"));
        for c in df.get_column_names() {
            let c = c.as_str();
            let listed = codebook.iter().any(|r| {
                r[0] == t
                    && (r[1] == c || (r[1].starts_with("{subtest}_") && c.ends_with(&r[1][9..])))
            });
            assert!(listed, "{t}.{c} not in the codebook");
        }
    }
    let students = frame(&e.ds.join("students/school_year=2027/part-0.parquet"));
    assert_eq!(students.height(), 3000);
    for dropped in [
        "student_id",
        "first_name",
        "last_name",
        "birth_date",
        "class_id",
    ] {
        assert!(students.column(dropped).is_err(), "{dropped} exported");
    }
    // Rows are in pseudonym order.
    let pids = texts(&students, "student_pid");
    assert!(pids.windows(2).all(|w| w[0] < w[1]));
    assert!(pids.iter().all(|p| p.len() == 32));
}

#[test]
fn no_id_name_or_address_of_the_roster_is_in_the_output() {
    let e = exported();
    let roster = fixtures().join("small");
    let students = frame(&roster.join("students.parquet"));
    let contacts = frame(&roster.join("contacts.parquet"));
    let details = frame(&roster.join("contact_details.parquet"));
    let mut ids: BTreeSet<String> = texts(&students, "student_id").into_iter().collect();
    ids.extend(texts(&contacts, "contact_id"));
    ids.extend(texts(&details, "contact_id"));
    assert!(ids.len() > 3000);
    let mut words: BTreeSet<String> = BTreeSet::new();
    for (df, cols) in [
        (&students, &["first_name", "last_name"][..]),
        (&contacts, &["first_name", "last_name"][..]),
        (&details, &["street", "city", "phone", "email", "zip"][..]),
    ] {
        for c in cols {
            words.extend(texts(df, c).into_iter().filter(|w| !w.is_empty()));
        }
    }
    let full_names: Vec<String> = texts(&students, "first_name")
        .iter()
        .zip(texts(&students, "last_name"))
        .map(|(f, l)| format!("{f} {l}"))
        .collect();
    // Byte-wise through every file (the Parquet files are compressed: their cells are
    // searched below, decoded).
    for (rel, bytes) in files(&e.ds) {
        let find = |needle: &str| memchr::memmem::find(&bytes, needle.as_bytes()).is_some();
        for id in &ids {
            assert!(!find(id), "{rel} holds the ID {id}");
        }
        for name in &full_names {
            assert!(!find(name), "{rel} holds the name {name}");
        }
        for w in words.iter().filter(|w| w.contains('@') || w.contains('-')) {
            assert!(!find(w), "{rel} holds {w}");
        }
    }
    // Every cell of every table, decoded.
    for cell in cells(&e.ds) {
        assert!(
            !ids.iter().any(|id| cell.contains(id.as_str())),
            "a cell holds an ID: {cell}"
        );
        assert!(
            !words.contains(&cell),
            "a cell holds a roster name or address: {cell}"
        );
    }
}

#[test]
fn the_key_is_in_no_file_and_no_log() {
    let e = exported();
    let hex_key = hex::encode(KEY);
    for (rel, bytes) in files(&e.ds) {
        for needle in [KEY.as_bytes(), hex_key.as_bytes(), &KEY.as_bytes()[..16]] {
            assert!(
                memchr::memmem::find(&bytes, needle).is_none(),
                "{rel} holds the key"
            );
        }
    }
    assert!(e.log.contains("\"level\""), "JSON logs: {}", e.log);
    assert!(!e.log.contains(&KEY[..16]) && !e.log.contains(&hex_key[..32]));
    // The manifest names the key file, not the key.
    let m = std::fs::read_to_string(e.ds.join("manifest.json")).unwrap();
    assert!(m.contains("--key-file"));
}

#[test]
fn same_key_same_pseudonyms_other_key_other() {
    let e = exported();
    let again = e.dir.join("again");
    let key = key_file(&e.dir, "same", KEY, 0o600);
    assert_eq!(code(&export(&[&e.run], &again, &key, &[])), 0);
    let part = "students/school_year=2027/part-0.parquet";
    // The same inputs and key give the same bytes.
    assert_eq!(
        std::fs::read(e.ds.join(part)).unwrap(),
        std::fs::read(again.join(part)).unwrap()
    );
    let other = e.dir.join("other");
    let key = key_file(&e.dir, "other-key", &KEY.replace('0', "1"), 0o400);
    assert_eq!(code(&export(&[&e.run], &other, &key, &[])), 0);
    let a: BTreeSet<String> = texts(&frame(&e.ds.join(part)), "student_pid")
        .into_iter()
        .collect();
    let b: BTreeSet<String> = texts(&frame(&other.join(part)), "student_pid")
        .into_iter()
        .collect();
    assert_eq!(a.len(), 3000);
    assert_eq!(a.intersection(&b).count(), 0, "another key links nothing");
}

/// Gifted share of the students with results, by sector and gender: (gifted, with results).
type Shares = BTreeMap<(String, String), (usize, usize)>;

#[test]
fn gifted_share_by_sector_and_gender_is_the_same_from_the_export() {
    let e = exported();
    // From the original outputs and roster.
    let roster = fixtures().join("small");
    let inst = frame(&roster.join("institutions.parquet"));
    let sector: BTreeMap<String, String> = texts(&inst, "institution_id")
        .into_iter()
        .zip(texts(&inst, "sector"))
        .collect();
    let st = frame(&roster.join("students.parquet"));
    let who: BTreeMap<String, (String, String)> = texts(&st, "student_id")
        .into_iter()
        .zip(
            texts(&st, "institution_id")
                .iter()
                .map(|i| sector[i].clone()),
        )
        .zip(texts(&st, "gender"))
        .map(|((id, s), g)| (id, (s, g)))
        .collect();
    let res = frame(&e.run.join("confidential/results.parquet"));
    let mut original = Shares::new();
    for (id, cat) in texts(&res, "student_id")
        .iter()
        .zip(texts(&res, "category"))
    {
        let n = original.entry(who[id].clone()).or_default();
        n.0 += usize::from(cat == "gifted");
        n.1 += 1;
    }
    // From the export alone.
    let st = frame(&e.ds.join("students/school_year=2027/part-0.parquet"));
    let who: BTreeMap<String, (String, String)> = texts(&st, "student_pid")
        .into_iter()
        .zip(texts(&st, "sector"))
        .zip(texts(&st, "gender"))
        .map(|((p, s), g)| (p, (s, g)))
        .collect();
    let res = frame(&e.ds.join("results/school_year=2027/part-0.parquet"));
    let mut from_export = Shares::new();
    for (pid, cat) in texts(&res, "student_pid")
        .iter()
        .zip(texts(&res, "category"))
    {
        let n = from_export.entry(who[pid].clone()).or_default();
        n.0 += usize::from(cat == "gifted");
        n.1 += 1;
    }
    assert!(!original.is_empty());
    assert!(original.values().any(|n| n.0 > 0), "{original:?}");
    assert_eq!(original, from_export);
}

#[test]
fn published_counts_have_no_small_cell() {
    let e = exported();
    let agg = frame(&e.ds.join("aggregates/school_year=2027/part-0.parquet"));
    let counts = texts(&agg, "students");
    let hidden = texts(&agg, "suppressed");
    for (c, h) in counts.iter().zip(&hidden) {
        match c.parse::<u64>() {
            Ok(n) => assert!(n == 0 || n >= 10, "published {n}"),
            Err(_) => assert_eq!(h, "true"),
        }
    }
    assert!(
        hidden.iter().any(|h| h == "true"),
        "the small fixture has small cells"
    );
    // The grand total is every student.
    let row = (0..agg.height())
        .find(|&i| texts(&agg, "sector")[i] == "all" && texts(&agg, "category")[i] == "all")
        .unwrap();
    assert_eq!(counts[row], "3000");
}

#[test]
fn key_file_rules_and_inputs_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    gifted_run(&fixtures().join("small"), &run);
    let ds = tmp.path().join("ds");
    let one_line = |o: &std::process::Output, want: &str| {
        assert_eq!(code(o), 2, "{}", stderr(o));
        let err = stderr(o);
        assert!(err.contains(want), "{err}");
        assert!(!err.contains(KEY), "{err}");
    };
    let missing = tmp.path().join("nope");
    one_line(&export(&[&run], &ds, &missing, &[]), "cannot be read");
    let short = key_file(tmp.path(), "short", &KEY[..31], 0o600);
    one_line(&export(&[&run], &ds, &short, &[]), "holds 31 bytes");
    let open = key_file(tmp.path(), "open", KEY, 0o644);
    one_line(&export(&[&run], &ds, &open, &[]), "readable by every user");
    let key = key_file(tmp.path(), "key", KEY, 0o600);
    // Not a gifted-elementary run: the synthetic nation's folder.
    one_line(
        &export(&[&fixtures().join("small")], &ds, &key, &[]),
        "research-export reads runs of gifted-elementary",
    );
    // The same year twice.
    one_line(&export(&[&run, &run], &ds, &key, &[]), "school year 2027");
    assert!(
        !ds.join("students").exists(),
        "a refused export writes nothing"
    );
    // Other jobs take one --input and no key.
    let o = itur([
        "run",
        "teacher-loans",
        "--input",
        "a",
        "--input",
        "b",
        "--out",
        tmp.path().join("t").to_str().unwrap(),
    ]);
    one_line(&o, "teacher-loans reads one --input directory");
    let o = itur([
        "run",
        "teacher-loans",
        "--input",
        "a",
        "--out",
        tmp.path().join("t").to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
    ]);
    one_line(&o, "apply to research-export only");
}

#[test]
fn a_second_school_year_adds_its_partitions_and_leaves_the_first_untouched() {
    use std::os::unix::fs::MetadataExt;
    let tmp = tempfile::tempdir().unwrap();
    let nation = tmp.path().join("nation");
    let o = itur([
        "synth",
        "--scale",
        "small",
        "--school-year",
        "2026",
        "--out",
        nation.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (run26, run27) = (tmp.path().join("run26"), tmp.path().join("run27"));
    gifted_run(&nation, &run26);
    gifted_run(&fixtures().join("small"), &run27);
    let key = key_file(tmp.path(), "key", KEY, 0o600);
    let ds = tmp.path().join("ds");
    assert_eq!(code(&export(&[&run27], &ds, &key, &[])), 0);
    let first = ds.join("results/school_year=2027/part-0.parquet");
    let (bytes, inode) = (
        std::fs::read(&first).unwrap(),
        std::fs::metadata(&first).unwrap().ino(),
    );
    let o = export(&[&run26], &ds, &key, &["--set", "min_cell=5"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::read(&first).unwrap(), bytes);
    assert_eq!(
        std::fs::metadata(&first).unwrap().ino(),
        inode,
        "2027 untouched"
    );
    for t in ["students", "results", "aggregates"] {
        for y in [2026, 2027] {
            assert!(ds
                .join(format!("{t}/school_year={y}/part-0.parquet"))
                .is_file());
        }
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ds.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["school_years"], serde_json::json!([2026, 2027]));
    assert_eq!(m["school_years_written"], serde_json::json!([2026]));
    // Nothing but the dataset is left in it.
    let names: BTreeSet<String> = std::fs::read_dir(&ds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    // Both years in one run give the same partitions.
    let both = tmp.path().join("both");
    assert_eq!(code(&export(&[&run26, &run27], &both, &key, &[])), 0);
    assert_eq!(
        std::fs::read(both.join("results/school_year=2027/part-0.parquet")).unwrap(),
        bytes
    );
}
