//! Loading a pipeline file and applying `--set key=value` overrides, type-checked against the
//! file's own values.
use crate::error::{Error, Result};
use crate::table::read::sha256_hex;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Every job of the product, and whether this version implements it.
pub const JOBS: &[(&str, bool)] = &[
    ("gifted-elementary", true),
    ("gifted-secondary", false),
    ("retest-review", false),
    ("special-sessions", false),
    ("roster-export", true),
    ("special-ed-baskets", false),
    ("teacher-loans", false),
];

/// The pipeline files bundled with the binary.
const BUNDLED: &[(&str, &str)] = &[
    (
        "gifted-elementary",
        include_str!("../../pipelines/gifted-elementary.toml"),
    ),
    (
        "roster-export",
        include_str!("../../pipelines/roster-export.toml"),
    ),
];

/// A pipeline file's text, where it came from, and the overrides applied to it.
#[derive(Debug, Clone)]
pub struct PipelineSource {
    pub path: String,
    pub sha256: String,
    pub table: toml::Table,
    pub overrides: Vec<String>,
}

/// Checks that `job` is a known, implemented job.
pub fn check_job(job: &str) -> Result<()> {
    match JOBS.iter().find(|(j, _)| *j == job) {
        Some((_, true)) => Ok(()),
        Some((_, false)) => Err(Error::Usage(format!(
            "job `{job}` is not implemented in this version of itur (implemented: {})",
            JOBS.iter()
                .filter(|j| j.1)
                .map(|j| j.0)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Err(Error::Usage(format!(
            "unknown job `{job}`; jobs are: {}",
            JOBS.iter().map(|j| j.0).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Loads the pipeline of `job`: `file` when given, else the bundled `pipelines/<job>.toml`.
pub fn load(job: &str, file: Option<&Path>, overrides: &[String]) -> Result<PipelineSource> {
    check_job(job)?;
    let (path, text) = match file {
        Some(f) => {
            let text = std::fs::read_to_string(f).map_err(|e| {
                Error::Config(format!("cannot read pipeline file {}: {e}", f.display()))
            })?;
            (f.display().to_string(), text)
        }
        None => {
            let text = BUNDLED
                .iter()
                .find(|(j, _)| *j == job)
                .map(|(_, t)| t.to_string())
                .ok_or_else(|| Error::Usage(format!("no bundled pipeline for job `{job}`")))?;
            (format!("pipelines/{job}.toml (bundled)"), text)
        }
    };
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| {
        Error::Config(format!(
            "pipeline file {path}: {}",
            one_line(&e.to_string())
        ))
    })?;
    match table.get("job").and_then(|v| v.as_str()) {
        Some(j) if j == job => {}
        Some(j) => {
            return Err(Error::Config(format!(
                "pipeline file {path} is for job `{j}`, not `{job}`"
            )))
        }
        None => {
            return Err(Error::Config(format!(
                "pipeline file {path} has no `job = \"{job}\"` line"
            )))
        }
    }
    for o in overrides {
        apply_override(&mut table, o)?;
    }
    Ok(PipelineSource {
        path,
        sha256: sha256_hex(text.as_bytes()),
        table,
        overrides: overrides.to_vec(),
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "text",
        toml::Value::Integer(_) => "whole number",
        toml::Value::Float(_) => "number",
        toml::Value::Boolean(_) => "true/false",
        toml::Value::Datetime(_) => "date",
        toml::Value::Array(_) => "list",
        toml::Value::Table(_) => "table",
    }
}

/// Applies one `key=value` override. The key must name an existing parameter (dotted for
/// tables: `thresholds.gifted`); the value is read as a TOML value (bare words as text) and
/// must have the parameter's type (a whole number is accepted where a number is expected).
pub fn apply_override(table: &mut toml::Table, assignment: &str) -> Result<()> {
    let (key, raw) = assignment.split_once('=').ok_or_else(|| {
        Error::Config(format!(
            "--set {assignment}: expected key=value, e.g. thresholds.gifted=96"
        ))
    })?;
    let key = key.trim();
    let raw = raw.trim();
    let parts: Vec<&str> = key.split('.').collect();
    let names = parameter_names(table);
    let mut cur = &mut *table;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if !cur.contains_key(*p) {
            return Err(Error::Config(format!(
                "--set {key}: unknown parameter `{key}`; parameters are: {}",
                names.join(", ")
            )));
        }
        if last {
            let old = cur.get(*p).expect("checked");
            let new = parse_value(raw);
            let new = match (old, new) {
                (toml::Value::Float(_), toml::Value::Integer(n)) => toml::Value::Float(n as f64),
                // A number where the file wrote a whole number (`thresholds.gifted = 97`, then
                // `--set thresholds.gifted=96.5`): the typed settings decide whether it fits.
                (toml::Value::Integer(_), toml::Value::Float(f)) => toml::Value::Float(f),
                (toml::Value::String(_), toml::Value::String(s)) => toml::Value::String(s),
                (toml::Value::String(_), _) => {
                    toml::Value::String(raw.trim_matches('"').to_string())
                }
                (o, n) if std::mem::discriminant(o) == std::mem::discriminant(&n) => n,
                (o, n) => {
                    return Err(Error::Config(format!(
                        "--set {key}={raw}: `{key}` takes a {}, not a {}",
                        type_name(o),
                        type_name(&n)
                    )))
                }
            };
            cur.insert(p.to_string(), new);
            return Ok(());
        }
        cur = match cur.get_mut(*p) {
            Some(toml::Value::Table(t)) => t,
            _ => {
                return Err(Error::Config(format!(
                    "--set {key}: `{}` is not a table of parameters",
                    parts[..=i].join(".")
                )))
            }
        };
    }
    Ok(())
}

fn collect_keys(t: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in t {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(inner) => collect_keys(inner, &name, out),
            _ => out.push(name),
        }
    }
}

/// Every parameter name of a pipeline, dotted.
pub fn parameter_names(t: &toml::Table) -> Vec<String> {
    let mut v = Vec::new();
    collect_keys(t, "", &mut v);
    v
}

fn parse_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

/// Deserializes the merged pipeline into a job's typed settings (unknown keys are errors).
pub fn typed<T: DeserializeOwned>(src: &PipelineSource) -> Result<T> {
    T::deserialize(toml::Value::Table(src.table.clone())).map_err(|e| {
        Error::Config(format!(
            "pipeline {}: {}",
            src.path,
            one_line(&e.to_string())
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> toml::Table {
        toml::from_str("job = \"x\"\nshare = 0.15\nseed = \"itur\"\nn = 26\n[thresholds]\ngifted = 97\nlist = [1]\n")
            .unwrap()
    }

    #[test]
    fn overrides_are_type_checked() {
        let mut t = base();
        apply_override(&mut t, "thresholds.gifted=96").unwrap();
        assert_eq!(t["thresholds"]["gifted"].as_integer(), Some(96));
        apply_override(&mut t, "share=1").unwrap();
        assert_eq!(t["share"].as_float(), Some(1.0));
        apply_override(&mut t, "seed=year2027").unwrap();
        assert_eq!(t["seed"].as_str(), Some("year2027"));
        apply_override(&mut t, "thresholds.list=[2, 3]").unwrap();
        let e = apply_override(&mut t, "n=many").unwrap_err().to_string();
        assert!(e.contains("`n` takes a whole number, not a text"), "{e}");
        let e = apply_override(&mut t, "thresholds.gifed=96")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown parameter `thresholds.gifed`"), "{e}");
        let e = apply_override(&mut t, "nope").unwrap_err().to_string();
        assert!(e.contains("expected key=value"), "{e}");
    }
}
