//! A roster read a column at a time with its text as codes (`TableNeed::coded`, as the gifted
//! runs read `students`) validates exactly as the whole-table path: the same rejects and
//! warnings (or the same error), the same counts, and the same values.
use crate::bad_inputs::bad_case_inputs;
use crate::support::*;
use itur::output::parquet::parquet_bytes;
use itur::table::csv_read::read_csv;
use itur::table::schema;
use itur::table::validate::{digits_key, load_inputs, InputSet, Table, TableNeed};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn needs(students: TableNeed) -> Vec<TableNeed> {
    vec![
        TableNeed::new("institutions", true),
        TableNeed::new("classes", true),
        students,
        TableNeed::new("stage_a_scores", false),
        TableNeed::new("contacts", false),
    ]
}

fn load_with(dir: &Path, students: TableNeed) -> Result<InputSet, String> {
    let params = BTreeMap::from([("subtests".to_string(), vec!["verbal".to_string()])]);
    load_inputs(dir, &needs(students), &params).map_err(|e| e.to_string())
}

fn load(dir: &Path, coded: bool) -> Result<InputSet, String> {
    let students = TableNeed::new("students", true);
    load_with(dir, if coded { students.coded() } else { students })
}

/// The students' columns a job keeping only some reads: not the birth date (the age check
/// reads it), a reference (`class_id`) nor the optional columns.
const KEEP: &[&str] = &[
    "student_id",
    "first_name",
    "school_year",
    "institution_id",
    "grade",
];

/// Asserts that a coded load keeping only `KEEP` of the students validates as the whole load
/// (`whole`) and holds just those columns, with the same values.
fn assert_same_kept(dir: &Path, whole: &InputSet) {
    let name = dir.display();
    let kept = load_with(dir, TableNeed::new("students", true).coded().keeping(KEEP)).unwrap();
    assert_eq!(whole.rejects, kept.rejects, "{name}: rejects when keeping");
    assert_eq!(
        whole.warnings, kept.warnings,
        "{name}: warnings when keeping"
    );
    let (a, b) = (&whole.tables["students"], &kept.tables["students"]);
    assert_eq!(
        a.rows_rejected, b.rows_rejected,
        "{name}: rows rejected when keeping"
    );
    for c in &a.schema.columns {
        let held = b.df.column(&c.name).is_ok() || (b.keys_only() && c.name == "student_id");
        assert_eq!(
            held,
            KEEP.contains(&c.name.as_str()),
            "{name}: {} held",
            c.name
        );
        if held {
            assert_same_values(&format!("{name}: kept"), a, b, &c.name);
        }
    }
    assert_eq!(a.row_keys(), b.row_keys(), "{name}: row keys when keeping");
    assert!(
        b.dictionaries.keys().all(|k| KEEP.contains(&k.as_str())),
        "{name}: only kept columns' values"
    );
}

/// Asserts column `column` holds the same values in `a` (read whole) and `b` (a column at a
/// time: coded, or a key held as digit keys only).
fn assert_same_values(what: &str, a: &Table, b: &Table, column: &str) {
    if b.keys_only() && a.schema.key == [column] {
        // The key's values are the row keys (compared on their own); no text is held.
        assert!(b.df.column(column).is_err() && b.text(column).is_err());
    } else if b.dictionaries.contains_key(column) {
        let plain: Vec<Option<&str>> = a.text(column).unwrap().iter().collect();
        let decoded: Vec<Option<&str>> = b.text(column).unwrap().iter().collect();
        assert_eq!(plain, decoded, "{what}.{column} values");
    } else {
        let x = a.df.column(column).unwrap().as_materialized_series();
        let y = b.df.column(column).unwrap().as_materialized_series();
        assert!(x.equals_missing(y), "{what}.{column} values");
    }
}

/// Asserts the two loads of `dir` agree; returns how many rejects they found and whether
/// the coded roster held its IDs as digit keys only (`Table::keys_only`).
fn assert_same(dir: &Path) -> (usize, bool) {
    let name = dir.display();
    let (whole, coded) = match (load(dir, false), load(dir, true)) {
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "{name}: the errors differ");
            return (0, false);
        }
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => panic!("{name}: whole {:?} but coded {:?}", a.err(), b.err()),
    };
    assert_eq!(whole.rejects, coded.rejects, "{name}: rejects");
    assert_eq!(whole.warnings, coded.warnings, "{name}: warnings");
    assert_eq!(whole.tables.len(), coded.tables.len());
    for (t, a) in &whole.tables {
        let b = &coded.tables[t];
        assert_eq!(a.rows_read, b.rows_read, "{name}: {t} rows read");
        assert_eq!(
            a.rows_rejected, b.rows_rejected,
            "{name}: {t} rows rejected"
        );
        assert_eq!(a.source.sha256, b.source.sha256, "{name}: {t} hash");
        let rows: Vec<u64> = a.row_numbers().collect();
        assert_eq!(
            rows,
            b.row_numbers().collect::<Vec<_>>(),
            "{name}: {t} rows"
        );
        // Each accepted row's key as validation keeps it, for a key of one column of digit
        // strings (the roster's student IDs).
        assert_eq!(a.row_keys(), b.row_keys(), "{name}: {t} row keys");
        if let Some(keys) = a.row_keys() {
            let [key] = a.schema.key.as_slice() else {
                panic!("{name}: {t}: row keys of a key of several columns")
            };
            let want: Vec<Option<u64>> = (a.text(key).unwrap().iter())
                .map(|v| v.and_then(digits_key))
                .collect();
            let got: Vec<Option<u64>> = keys.iter().map(|&k| Some(k)).collect();
            assert_eq!(got, want, "{name}: {t} row keys");
        }
        if t == "students" && a.rows_accepted() > 0 {
            assert!(
                a.row_keys().is_some(),
                "{name}: the roster's IDs are digit keys"
            );
        }
        for c in &a.schema.columns {
            assert_same_values(&format!("{name}: {t}"), a, b, &c.name);
        }
    }
    // Students' text columns outside the key and the checks are the coded ones.
    if let Some(st) = coded.get("students") {
        let names: Vec<&str> = st.dictionaries.keys().map(String::as_str).collect();
        assert!(names.contains(&"institution_id") && names.contains(&"first_name"));
        assert!(!names.contains(&"student_id"), "the key is not coded");
    }
    if whole.get("students").is_some() {
        assert_same_kept(dir, &whole);
    }
    let keys_only = coded.get("students").is_some_and(|t| t.keys_only());
    (whole.rejects.len(), keys_only)
}

/// The students of a case as a Parquet file of text columns, in place of its CSV.
fn students_to_parquet(dir: &Path) -> bool {
    let csv = dir.join("students.csv");
    let Ok(data) = std::fs::read(&csv) else {
        return false;
    };
    let sch = schema::get("students").unwrap();
    let Ok(raw) = read_csv(&csv, &data, sch) else {
        return false;
    };
    if raw.pre_rejects.n_rejected() > 0 {
        return false; // Rows that did not parse have no Parquet form.
    }
    let columns: Vec<Column> = raw
        .columns
        .into_iter()
        .flatten()
        .map(Column::from)
        .collect();
    let df = DataFrame::new(raw.height, columns).unwrap();
    std::fs::write(
        dir.join("students.parquet"),
        parquet_bytes(&df, Some(sch)).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(csv).unwrap();
    true
}

#[test]
fn coded_roster_validates_as_the_whole_table_on_every_bad_case_and_the_small_nation() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rejects = 0;
    let mut parquet = 0;
    for dir in bad_case_inputs(tmp.path()) {
        let (n, keys_only) = assert_same(&dir);
        assert!(!keys_only, "a CSV's IDs are text");
        rejects += n;
        if students_to_parquet(&dir) {
            parquet += 1;
            // (Stored PLAIN as a key column: read as keys when every ID is valid, as text otherwise.)
            rejects += assert_same(&dir).0;
        }
    }
    assert!(
        assert_same(&fixtures().join("small")).1,
        "small's IDs as keys"
    );
    assert!(rejects >= 20, "the cases reject rows ({rejects})");
    assert!(
        parquet >= 15,
        "most cases also ran from Parquet text ({parquet})"
    );
}

/// A Parquet roster's IDs (distinct, so stored PLAIN) are held as digit keys when all are
/// valid, even with an ID repeated (its reject shows the ID as written, leading zeros and
/// all); one bad or missing ID and the column is read as text, its rejects naming it.
#[test]
fn a_parquet_roster_of_valid_ids_is_held_as_keys_and_validates_the_same() {
    let spoil = |name: &str, f: &dyn Fn(&mut Vec<Option<String>>)| {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(fixtures().join("small")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
        let path = dir.path().join("students.parquet");
        let mut df = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let mut ids: Vec<Option<String>> = (df.column("student_id").unwrap().str().unwrap())
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        f(&mut ids);
        df.with_column(Column::new("student_id".into(), ids))
            .unwrap();
        std::fs::write(&path, parquet_bytes(&df, schema::get("students")).unwrap()).unwrap();
        let (n, keys_only) = assert_same(dir.path());
        let set = load(dir.path(), true).unwrap();
        let rules: Vec<String> = (set.rejects.iter())
            .filter(|r| r.table == "students" && r.column == "student_id")
            .map(|r| format!("{} {} {}", r.row_number, r.rule, r.value))
            .collect();
        eprintln!("{name}: {n} rejects, keys only {keys_only}: {rules:?}");
        (keys_only, rules)
    };
    assert_eq!(spoil("as is", &|_| {}), (true, vec![]));
    // Row 1's ID again at row 11 (data rows count from 1).
    let (keys_only, rules) = spoil("repeated", &|ids| ids[10] = ids[0].clone());
    let first = load(&fixtures().join("small"), false).unwrap();
    let id = first
        .get("students")
        .unwrap()
        .text("student_id")
        .unwrap()
        .get(0);
    assert!(keys_only);
    assert_eq!(rules, vec![format!("11 duplicate_key {}", id.unwrap())]);
    // A repeated ID with leading zeros shows them.
    let (keys_only, rules) = spoil("zeros", &|ids| {
        ids[5] = Some("000000018".into());
        ids[6] = Some("000000018".into());
    });
    assert!(keys_only);
    assert_eq!(rules, vec!["7 duplicate_key 000000018".to_string()]);
    let (keys_only, rules) = spoil("check digit", &|ids| ids[20] = Some("123456789".into()));
    assert!(!keys_only);
    assert_eq!(rules, vec!["21 israeli_id 123456789".to_string()]);
    let (keys_only, rules) = spoil("missing", &|ids| ids[2999] = None);
    assert!(!keys_only);
    assert_eq!(rules, vec!["3000 required ".to_string()]);
}

/// Copies `fixtures/small` to `dir` with a third of the student IDs replaced by shorter
/// valid IDs (those of `00` and their last six digits but one, with a check digit, written
/// without the leading zeros), in every table that names students.
fn small_with_short_ids(dir: &Path) {
    for e in std::fs::read_dir(fixtures().join("small")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    for table in ["students", "stage_a_scores", "stage_b_scores", "referrals"] {
        let path = dir.join(format!("{table}.parquet"));
        let mut df = ParquetReader::new(std::fs::File::open(&path).unwrap())
            .finish()
            .unwrap();
        let ids: Vec<Option<String>> = (df.column("student_id").unwrap().str().unwrap())
            .iter()
            .map(|v| v.map(short_id))
            .collect();
        df.with_column(Column::new("student_id".into(), ids))
            .unwrap();
        std::fs::write(&path, parquet_bytes(&df, schema::get(table)).unwrap()).unwrap();
    }
}

fn short_id(id: &str) -> String {
    if id.len() != 9 || !id.as_bytes()[8].is_multiple_of(3) {
        return id.to_string();
    }
    let body: u32 = id[2..8].parse().unwrap();
    let short = itur::rules::israeli_id::with_check_digit(body);
    short.trim_start_matches('0').to_string()
}

/// The gifted roster (participation, cohort counts, the named students) is the same from a
/// coded and from a plain students table: the roster pass has a path for each. Its students
/// are in ID text order, with IDs of one length (sorted by their digit keys) and of several
/// (sorted as text).
#[test]
fn roster_from_coded_and_plain_students_is_the_same() {
    let small = fixtures().join("small");
    let short = tempfile::tempdir().unwrap();
    small_with_short_ids(short.path());
    let (plain, coded) = (
        roster_of(&small, false, true),
        roster_of(&small, true, true),
    );
    assert!(plain.contains("taking_part"));
    assert_eq!(plain, coded);
    // IDs written short are normalized to 9 digits on reading: one length again.
    let plain = roster_of(short.path(), false, true);
    assert_eq!(plain, roster_of(short.path(), true, true));
}

/// The roster of the students `dir`'s stage A rows name, shown; its students are asserted
/// to be in ID text order, and of IDs of one length (`one_length`) or of several.
fn roster_of(dir: &Path, coded: bool, one_length: bool) -> String {
    use itur::jobs::gifted::roster;
    use itur::table::id_index::IdMap;
    let set = load(dir, coded).unwrap();
    let mut named = IdMap::with_capacity(1000);
    let stage_a = set.get("stage_a_scores").unwrap();
    for id in stage_a.text("student_id").unwrap().iter().flatten() {
        named.insert(id, roster::NO_ROW);
    }
    assert!(named.len() > 100, "fixtures/small names students");
    let r = roster::load(&set, &named).unwrap();
    let ids: Vec<&str> = r.students.iter().map(|s| s.student_id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in ID order");
    let lengths: BTreeSet<usize> = ids.iter().map(|id| id.len()).collect();
    assert_eq!(lengths.len() == 1, one_length, "ID lengths {lengths:?}");
    format!("{:?}\n{:?}\n{:?}", r.participation, r.census, r.students)
}
