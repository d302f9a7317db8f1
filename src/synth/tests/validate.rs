//! A small independent validator applying every rule written in `schemas/*.toml`: dtypes,
//! nulls, enums, ranges, digits, Israeli IDs, patterns, references, keys and table checks.

use std::collections::HashSet;

use polars::prelude::*;

use crate::rules::israeli_id;
use crate::synth::{scores, SynthTable};

#[derive(serde::Deserialize)]
pub(super) struct Schema {
    pub name: String,
    #[serde(default)]
    pub key: Vec<String>,
    pub columns: Vec<Col>,
    #[serde(default)]
    pub checks: Vec<toml::Table>,
}

#[derive(serde::Deserialize)]
pub(super) struct Col {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub optional: bool,
    pub values: Option<Vec<String>>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub digits: Option<usize>,
    #[serde(default)]
    pub israeli_id: bool,
    pub references: Option<String>,
    pub pattern: Option<String>,
}

pub(super) fn schema(table: &str) -> Schema {
    let path = format!("{}/schemas/{table}.toml", env!("CARGO_MANIFEST_DIR"));
    toml::from_str(&std::fs::read_to_string(&path).expect("schema file")).expect("schema toml")
}

pub(super) fn dtype(ty: &str) -> DataType {
    match ty {
        "str" | "enum" => DataType::String,
        "int" => DataType::Int64,
        "date" => DataType::Date,
        "bool" => DataType::Boolean,
        "float" => DataType::Float64,
        other => panic!("unknown schema type {other}"),
    }
}

/// Column values as strings (dates ISO, bools true/false), None for null.
pub(super) fn strings(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    let c = df.column(col).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

pub(super) fn table<'a>(t: &'a [SynthTable], name: &str) -> &'a DataFrame {
    &t.iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no table {name}"))
        .df
}

pub(super) fn age_on(birth: &str, year: i64) -> i64 {
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
pub(super) fn validate(tables: &[SynthTable]) -> Vec<String> {
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
                "equals_referenced" => {
                    let (rt, rk) = f("references")
                        .split_once('.')
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .unwrap();
                    let target = table(tables, &rt);
                    let want: std::collections::HashMap<String, String> = strings(target, &rk)
                        .into_iter()
                        .zip(strings(target, &f("target")))
                        .filter_map(|(k, v)| Some((k?, v?)))
                        .collect();
                    let (keys, vals) = (get(&f("key")), get(&f("column")));
                    for row in 0..df.height() {
                        if let (Some(k), Some(v)) = (&keys[row], &vals[row]) {
                            if want.get(k).is_some_and(|w| w != v) {
                                err(
                                    t.name,
                                    format!(
                                        "row {row}: {} is not the referenced {}",
                                        f("column"),
                                        f("target")
                                    ),
                                );
                            }
                        }
                    }
                }
                other => err(t.name, format!("unknown check {other}")),
            }
        }
    }
    bad
}
