//! Tests of the generator against the schemas in `schemas/` (a small independent validator that
//! applies every rule written there) and against the domain rules of gifted.md.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use polars::prelude::*;

use super::*;
use crate::rules::israeli_id;

#[derive(serde::Deserialize)]
struct Schema {
    name: String,
    #[serde(default)]
    key: Vec<String>,
    columns: Vec<Col>,
    #[serde(default)]
    checks: Vec<toml::Table>,
}

#[derive(serde::Deserialize)]
struct Col {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    optional: bool,
    values: Option<Vec<String>>,
    min: Option<f64>,
    max: Option<f64>,
    digits: Option<usize>,
    #[serde(default)]
    israeli_id: bool,
    references: Option<String>,
    pattern: Option<String>,
}

fn schema(table: &str) -> Schema {
    let path = format!("{}/schemas/{table}.toml", env!("CARGO_MANIFEST_DIR"));
    toml::from_str(&std::fs::read_to_string(&path).expect("schema file")).expect("schema toml")
}

fn dtype(ty: &str) -> DataType {
    match ty {
        "str" | "enum" => DataType::String,
        "int" => DataType::Int64,
        "date" => DataType::Date,
        "bool" => DataType::Boolean,
        "float" => DataType::Float64,
        other => panic!("unknown schema type {other}"),
    }
}

fn gen(students: usize, seed: u64) -> Vec<SynthTable> {
    generate(&SynthConfig {
        students,
        seed,
        school_year: 2027,
    })
    .expect("generate")
}

/// Column values as strings (dates ISO, bools true/false), None for null.
fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    let c = df.column(col).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn table<'a>(t: &'a [SynthTable], name: &str) -> &'a DataFrame {
    &t.iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
        .df
}

fn age_on(birth: &str, year: i64) -> i64 {
    let b = chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap();
    let (y, m, d) = (year - 1, 9, 1);
    use chrono::Datelike;
    let mut age = y - i64::from(b.year());
    if (b.month(), b.day()) > (m, d) {
        age -= 1;
    }
    age
}

/// Every rule of every schema; returns the broken rules (empty = zero rejects).
fn validate(tables: &[SynthTable]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut err = |t: &str, msg: String| {
        if bad.len() < 50 {
            bad.push(format!("{t}: {msg}"));
        }
    };
    for t in tables {
        let sc = schema(t.name);
        assert_eq!(sc.name, t.name);
        let df = &t.df;
        let get = |c: &str| strings(df, c);
        for c in &sc.columns {
            let vals = get(&c.name);
            for (row, v) in vals.iter().enumerate() {
                let Some(v) = v else {
                    if !c.optional {
                        err(t.name, format!("row {row}: {} is null", c.name));
                    }
                    continue;
                };
                let e = |m: &str| format!("row {row}: {} = {v:?}: {m}", c.name);
                if c.ty == "str" && c.values.is_none() && v.is_empty() {
                    err(t.name, e("empty"));
                }
                if let Some(vs) = &c.values {
                    if !vs.contains(v) {
                        err(t.name, e("not an enum value"));
                    }
                }
                if c.ty == "int" {
                    let x: f64 = v.parse().unwrap();
                    if c.min.is_some_and(|m| x < m) || c.max.is_some_and(|m| x > m) {
                        err(t.name, e("out of range"));
                    }
                }
                if c.digits
                    .is_some_and(|d| v.len() != d || !v.bytes().all(|b| b.is_ascii_digit()))
                {
                    err(t.name, e("digits"));
                }
                if c.israeli_id && israeli_id::check(v).is_err() {
                    err(t.name, e("israeli id"));
                }
                let ok = match c.pattern.as_deref() {
                    Some("phone") => v
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'+' || b == b'-'),
                    Some("email") => v.contains('@'),
                    Some("zip") => {
                        (v.len() == 5 || v.len() == 7) && v.bytes().all(|b| b.is_ascii_digit())
                    }
                    _ => true,
                };
                if !ok {
                    err(t.name, e("pattern"));
                }
            }
            if let Some(r) = &c.references {
                let (rt, rc) = r.split_once('.').unwrap();
                let target: HashSet<String> = strings(table(tables, rt), rc)
                    .into_iter()
                    .flatten()
                    .collect();
                for (row, v) in vals.iter().enumerate() {
                    if v.as_ref().is_some_and(|v| !target.contains(v)) {
                        err(t.name, format!("row {row}: {} = {v:?} dangles", c.name));
                    }
                }
            }
        }
        if !sc.key.is_empty() {
            let cols: Vec<_> = sc.key.iter().map(|k| get(k)).collect();
            let mut seen = HashSet::new();
            for row in 0..df.height() {
                let k: Vec<_> = cols.iter().map(|c| c[row].clone()).collect();
                if !seen.insert(k.clone()) {
                    err(t.name, format!("row {row}: duplicate key {k:?}"));
                }
            }
        }
        for ck in &sc.checks {
            let f = |k: &str| ck[k].as_str().unwrap().to_string();
            match ck["rule"].as_str().unwrap() {
                "column_order" => {
                    let (lo, hi) = (get(&f("low")), get(&f("high")));
                    for (row, (l, h)) in lo.iter().zip(&hi).enumerate() {
                        if let (Some(l), Some(h)) = (l, h) {
                            let bad = match l.parse::<i64>() {
                                Ok(l) => l > h.parse::<i64>().unwrap(),
                                Err(_) => l > h,
                            };
                            if bad {
                                err(t.name, format!("row {row}: {l} > {h}"));
                            }
                        }
                    }
                }
                "required_when" => {
                    let (c, w) = (get(&f("column")), get(&f("when")));
                    let eq = f("equals");
                    for row in 0..df.height() {
                        if w[row].as_deref() == Some(eq.as_str()) && c[row].is_none() {
                            err(t.name, format!("row {row}: {} missing", f("column")));
                        }
                    }
                }
                "age_range" => {
                    let (b, y) = (get(&f("date")), get(&f("year")));
                    let (lo, hi) = (
                        ck["min"].as_integer().unwrap(),
                        ck["max"].as_integer().unwrap(),
                    );
                    for row in 0..df.height() {
                        let age = age_on(
                            b[row].as_ref().unwrap(),
                            y[row].as_ref().unwrap().parse().unwrap(),
                        );
                        if !(lo..=hi).contains(&age) {
                            err(t.name, format!("row {row}: age {age}"));
                        }
                    }
                }
                "in_parameter" => {
                    for (row, v) in get(&f("column")).iter().enumerate() {
                        if !scores::SUBTESTS.contains(&v.as_deref().unwrap()) {
                            err(t.name, format!("row {row}: subtest {v:?}"));
                        }
                    }
                }
                other => err(t.name, format!("unknown check {other}")),
            }
        }
    }
    bad
}

#[test]
fn columns_and_dtypes_follow_the_schemas() {
    let t = gen(SynthConfig::SMALL, 7);
    let names: Vec<&str> = t.iter().map(|x| x.name).collect();
    assert_eq!(
        names,
        [
            "institutions",
            "classes",
            "students",
            "tracks",
            "contacts",
            "contact_details",
            "owners",
            "delegations",
            "stage_a_scores",
            "referrals",
            "stage_b_scores",
            "gifted_tracks",
            "enrichment_centers",
            "class_requests",
            "interviews"
        ]
    );
    for x in &t {
        let sc = schema(x.name);
        let want: Vec<(String, DataType)> = sc
            .columns
            .iter()
            .map(|c| (c.name.clone(), dtype(&c.ty)))
            .collect();
        let got: Vec<(String, DataType)> =
            x.df.columns()
                .iter()
                .map(|c| (c.name().to_string(), c.dtype().clone()))
                .collect();
        assert_eq!(got, want, "table {}", x.name);
        assert!(
            x.df.height() > 0,
            "table {} is empty at small scale",
            x.name
        );
    }
}

#[test]
fn zero_rejects_small_and_medium() {
    for (n, seed) in [(SynthConfig::SMALL, 1), (3_500, 99), (40_000, 5)] {
        let bad = validate(&gen(n, seed));
        assert!(bad.is_empty(), "{n} students, seed {seed}: {bad:#?}");
    }
}

#[test]
fn same_seed_same_frames_whatever_the_threads() {
    let a = gen(SynthConfig::SMALL, 42);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| gen(SynthConfig::SMALL, 42));
    for (x, y) in a.iter().zip(&b) {
        assert!(x.df.equals_missing(&y.df), "table {} differs", x.name);
    }
    let c = gen(SynthConfig::SMALL, 43);
    let differ = a
        .iter()
        .zip(&c)
        .filter(|(x, y)| !x.df.equals_missing(&y.df))
        .count();
    assert!(
        differ >= 10,
        "only {differ} tables differ with another seed"
    );
}

#[test]
fn ids_valid_and_unique() {
    let t = gen(20_000, 3);
    let st = strings(table(&t, "students"), "student_id");
    assert_eq!(st.len(), 20_000);
    let set: HashSet<_> = st.iter().flatten().collect();
    assert_eq!(set.len(), st.len(), "student ids unique");
    assert!(st
        .iter()
        .flatten()
        .all(|v| israeli_id::check(v).is_ok() && v.len() == 9));
    let adults: HashSet<String> = strings(table(&t, "contact_details"), "contact_id")
        .into_iter()
        .flatten()
        .collect();
    assert!(adults.iter().all(|v| israeli_id::check(v).is_ok()));
    assert!(
        adults.iter().all(|v| !set.contains(v)),
        "a contact shares a student's id"
    );
}

#[test]
fn realistic_proportions() {
    let t = gen(60_000, 11);
    let (inst, stu, con) = (
        table(&t, "institutions"),
        table(&t, "students"),
        table(&t, "contacts"),
    );
    let sector: HashMap<String, String> = strings(inst, "institution_id")
        .into_iter()
        .zip(strings(inst, "sector"))
        .map(|(a, b)| (a.unwrap(), b.unwrap()))
        .collect();
    let sids = strings(stu, "student_id");
    let ar = strings(stu, "institution_id")
        .iter()
        .filter(|i| sector[i.as_ref().unwrap()] == "arabic")
        .count();
    let share = ar as f64 / sids.len() as f64;
    assert!((0.18..0.26).contains(&share), "arabic share {share}");
    let apart: HashSet<String> = strings(con, "student_id")
        .into_iter()
        .zip(strings(con, "lives_with_student"))
        .zip(strings(con, "is_legal_guardian"))
        .filter(|((_, l), g)| l.as_deref() == Some("false") && g.as_deref() == Some("true"))
        .map(|((s, _), _)| s.unwrap())
        .collect();
    let share = apart.len() as f64 / sids.len() as f64;
    assert!((0.09..0.15).contains(&share), "guardians apart {share}");
    // Siblings share parents: fewer distinct contacts than contact rows.
    let ids = strings(con, "contact_id");
    let distinct: HashSet<_> = ids.iter().collect();
    assert!((distinct.len() as f64) < 0.8 * ids.len() as f64);
    let grades: BTreeMap<String, usize> =
        strings(stu, "grade")
            .into_iter()
            .fold(BTreeMap::new(), |mut m, g| {
                *m.entry(g.unwrap()).or_default() += 1;
                m
            });
    assert_eq!(grades.len(), 12);
    assert!(
        grades.values().all(|&n| (3_500..6_500).contains(&n)),
        "{grades:?}"
    );
}

#[test]
fn gifted_domain_rules() {
    let t = gen(SynthConfig::SMALL, 2);
    let gt = table(&t, "gifted_tracks");
    let (auth, grade, ncl, gcc) = (
        strings(gt, "authority_id"),
        strings(gt, "grade"),
        strings(gt, "n_classes"),
        strings(gt, "grade_class_count"),
    );
    let inst = strings(gt, "institution_id");
    let mut per: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for r in 0..gt.height() {
        per.entry((auth[r].clone().unwrap(), grade[r].clone().unwrap()))
            .or_default()
            .push(r);
    }
    let n = |v: &Option<String>| v.as_ref().unwrap().parse::<i64>().unwrap();
    for rows in per.values() {
        assert!(rows.iter().map(|&r| n(&ncl[r])).sum::<i64>() <= 2);
        let schools: BTreeSet<_> = rows.iter().map(|&r| inst[r].clone()).collect();
        if schools.len() == 1 {
            assert!(rows.iter().all(|&r| 2 * n(&ncl[r]) <= n(&gcc[r])));
        } else {
            assert!(rows.iter().all(
                |&r| gt.column("registration_zones").unwrap().get(r).unwrap() != AnyValue::Null
            ));
        }
    }
    assert!(per.len() >= 3 && per.keys().any(|k| k.1 == "3") && per.keys().any(|k| k.1 == "4"));
    assert!(
        per.values().any(|r| r.len() == 2),
        "an authority with tracks in two schools"
    );
    // Stage B only in the stage-B grades of the student's sector.
    let stu = table(&t, "students");
    let inst_sector: HashMap<String, String> = {
        let i = table(&t, "institutions");
        strings(i, "institution_id")
            .into_iter()
            .zip(strings(i, "sector"))
            .map(|(a, b)| (a.unwrap(), b.unwrap()))
            .collect()
    };
    let info: HashMap<String, (String, i64)> = strings(stu, "student_id")
        .into_iter()
        .zip(
            strings(stu, "institution_id")
                .into_iter()
                .zip(strings(stu, "grade")),
        )
        .map(|(s, (i, g))| {
            (
                s.unwrap(),
                (
                    inst_sector[&i.unwrap()].clone(),
                    g.unwrap().parse().unwrap(),
                ),
            )
        })
        .collect();
    for s in strings(table(&t, "stage_b_scores"), "student_id")
        .into_iter()
        .flatten()
    {
        let (sec, g) = &info[&s];
        assert!(if sec == "hebrew" {
            (2..=4).contains(g)
        } else {
            (3..=5).contains(g)
        });
    }
    // Enrichment centers serve most but not all authorities.
    let served: HashSet<_> = strings(table(&t, "enrichment_centers"), "serves_authority_id")
        .into_iter()
        .collect();
    let all: HashSet<_> = strings(table(&t, "institutions"), "authority_id")
        .into_iter()
        .collect();
    assert!(served.len() < all.len() && served.len() * 4 > all.len() * 3);
    // Every commitment status and an expired delegation.
    let st: HashSet<_> = strings(table(&t, "owners"), "commitment_status")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(st.len(), 4);
    let to = strings(table(&t, "delegations"), "valid_to");
    assert!(
        to.iter()
            .any(|v| v.as_deref().is_some_and(|d| d < "2026-09-01"))
            && to.iter().any(Option::is_none)
    );
}

#[test]
#[ignore = "timing: cargo test --release --lib synth::tests::national_timing -- --ignored --nocapture"]
fn national_timing() {
    let t0 = std::time::Instant::now();
    let t = gen(SynthConfig::NATIONAL, 2027);
    let dt = t0.elapsed();
    for x in &t {
        println!("{:<20} {:>9} rows", x.name, x.df.height());
    }
    println!("generate(NATIONAL) took {:.2} s", dt.as_secs_f64());
    assert!(dt.as_secs() < 30);
}
