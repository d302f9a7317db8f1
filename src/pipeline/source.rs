//! Loading a pipeline file and applying `--set key=value` overrides, type-checked against the
//! file's own values.
use crate::error::{Error, Result};
use crate::table::read::sha256_hex;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Every job of the product, and whether this version implements it.
pub const JOBS: &[(&str, bool)] = &[
    ("gifted-elementary", true),
    ("gifted-secondary", true),
    ("retest-review", true),
    ("special-sessions", true),
    ("roster-export", true),
    ("special-ed-baskets", true),
    ("teacher-loans", true),
    ("research-export", true),
];

/// The pipeline files bundled with the binary.
const BUNDLED: &[(&str, &str)] = &[
    (
        "gifted-elementary",
        include_str!("../../pipelines/gifted-elementary.toml"),
    ),
    (
        "gifted-secondary",
        include_str!("../../pipelines/gifted-secondary.toml"),
    ),
    (
        "retest-review",
        include_str!("../../pipelines/retest-review.toml"),
    ),
    (
        "roster-export",
        include_str!("../../pipelines/roster-export.toml"),
    ),
    (
        "special-ed-baskets",
        include_str!("../../pipelines/special-ed-baskets.toml"),
    ),
    (
        "special-sessions",
        include_str!("../../pipelines/special-sessions.toml"),
    ),
    (
        "teacher-loans",
        include_str!("../../pipelines/teacher-loans.toml"),
    ),
    (
        "research-export",
        include_str!("../../pipelines/research-export.toml"),
    ),
];

/// The bundled pipeline of `job`, parsed: the defaults a run's parameters are compared with
/// (the report's "parameters that differ from the defaults").
pub fn bundled_table(job: &str) -> Option<toml::Table> {
    let text = BUNDLED.iter().find(|(j, _)| *j == job)?.1;
    toml::from_str(text).ok()
}

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
                Error::config(
                    format!("pipeline file {}", f.display()),
                    None,
                    format!("cannot be read: {e}"),
                )
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
    let file = || format!("pipeline file {path}");
    let mut table: toml::Table =
        toml::from_str(&text).map_err(|e| Error::config(file(), None, one_line(&e.to_string())))?;
    match table.get("job").and_then(|v| v.as_str()) {
        Some(j) if j == job => {}
        Some(j) => {
            return Err(Error::config(
                file(),
                None,
                format!("is for job `{j}`, not `{job}`"),
            ))
        }
        None => {
            return Err(Error::config(
                file(),
                None,
                format!("has no `job = \"{job}\"` line"),
            ))
        }
    }
    if let Some((key, raw)) = numbers_with_exponent(&text)
        .map_err(|e| Error::config(file(), None, one_line(&e.to_string())))?
        .into_iter()
        .next()
    {
        return Err(Error::config(key, Some(raw), NO_EXPONENT));
    }
    for o in overrides {
        apply_override(&mut table, o)?;
    }
    let src = PipelineSource {
        path,
        sha256: sha256_hex(text.as_bytes()),
        table,
        overrides: overrides.to_vec(),
    };
    // The `[report]` table is every job's (report::min_cell), checked here.
    crate::report::min_cell(&src)?;
    Ok(src)
}

/// Why a number written with an exponent is refused (`values`: a parameter's text is its
/// exact value, and `9.7e1` is nobody's way of writing 97).
const NO_EXPONENT: &str = "a parameter is written as a plain decimal, without an exponent";

/// The dotted keys and texts of the numbers that `text` writes with an exponent (`9.7e1`),
/// in the file's order. TOML reads such a number as its value, so only the text shows it.
fn numbers_with_exponent(text: &str) -> Result<Vec<(String, String)>, toml::de::Error> {
    let tree: super::spans::Node = toml::from_str(text)?;
    let mut out = Vec::new();
    tree.floats("", &mut |key, span| {
        let raw = text.get(span).unwrap_or_default();
        if raw.contains(['e', 'E']) {
            out.push((key.to_string(), raw.to_string()));
        }
    });
    Ok(out)
}

/// serde's message in the words of the rest: "invalid type: string \"lots\", expected u32"
/// is "takes a whole number, not a text".
fn plain(message: &str) -> String {
    let m = one_line(message);
    let whole = [
        "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64",
    ]
    .iter()
    .any(|t| m.ends_with(&format!("expected {t}")));
    match m.strip_prefix("invalid type: string ") {
        Some(_) if whole => "takes a whole number, not a text".into(),
        _ => m,
    }
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
        Error::config(
            format!("--set {assignment}"),
            None,
            "expected key=value, e.g. thresholds.gifted=96",
        )
    })?;
    let key = key.trim();
    let raw = raw.trim();
    let parts: Vec<&str> = key.split('.').collect();
    let names = parameter_names(table);
    let mut cur = &mut *table;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if !cur.contains_key(*p) {
            return Err(Error::config(
                key,
                Some(raw.to_string()),
                format!(
                    "unknown parameter `{key}`; parameters are: {}",
                    names.join(", ")
                ),
            ));
        }
        if last {
            let old = cur.get(*p).expect("checked");
            let new = parse_value(raw);
            let number =
                |v: &toml::Value| matches!(v, toml::Value::Float(_) | toml::Value::Integer(_));
            if number(old) && number(&new) && raw.contains(['e', 'E']) {
                return Err(Error::config(key, Some(raw.to_string()), NO_EXPONENT));
            }
            let new = match (old, new) {
                (toml::Value::Float(_), toml::Value::Integer(n)) => toml::Value::Float(n as f64),
                // A number where the file wrote a whole number (`thresholds.gifted = 97`, then
                // `--set thresholds.gifted=96.5`): the typed settings decide whether it fits.
                (toml::Value::Integer(_), toml::Value::Float(f)) => toml::Value::Float(f),
                (toml::Value::String(_), toml::Value::String(s)) => toml::Value::String(s),
                (toml::Value::String(_), _) => {
                    toml::Value::String(raw.trim_matches('"').to_string())
                }
                // Text where the file has a number: the typed settings say which number
                // the parameter takes (a whole number, a decimal percentile or share).
                (toml::Value::Integer(_) | toml::Value::Float(_), toml::Value::String(t)) => {
                    toml::Value::String(t)
                }
                (o, n) if std::mem::discriminant(o) == std::mem::discriminant(&n) => n,
                (o, n) => {
                    return Err(Error::config(
                        key,
                        Some(raw.to_string()),
                        format!("`{key}` takes a {}, not a {}", type_name(o), type_name(&n)),
                    ))
                }
            };
            cur.insert(p.to_string(), new);
            return Ok(());
        }
        cur = match cur.get_mut(*p) {
            Some(toml::Value::Table(t)) => t,
            _ => {
                return Err(Error::config(
                    key,
                    Some(raw.to_string()),
                    format!("`{}` is not a table of parameters", parts[..=i].join(".")),
                ))
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

/// Deserializes the merged pipeline into a job's typed settings, whose types check each value
/// (unknown keys are errors too). A refusal names the parameter and its value.
pub fn typed<T: DeserializeOwned>(src: &PipelineSource) -> Result<T> {
    // `[report]` is the run report's (`report::min_cell`), not the job's.
    let mut table = src.table.clone();
    table.remove("report");
    T::deserialize(toml::Value::Table(table)).map_err(|e| {
        // toml's error ends with the dotted key of the value it refused: "in `a.b`".
        let text = e.to_string();
        let key = text
            .lines()
            .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'));
        match key {
            Some(key) => Error::config(key, src.value_text(key), plain(e.message())),
            None => Error::config(
                format!("pipeline file {}", src.path),
                None,
                one_line(e.message()),
            ),
        }
    })
}

impl PipelineSource {
    /// The value of the dotted parameter `key` as TOML writes it (`"balnced"`, `100.0001`);
    /// `None` for a table or a key that is not there.
    pub fn value_text(&self, key: &str) -> Option<String> {
        let mut parts = key.split('.');
        let mut v = self.table.get(parts.next()?)?;
        for p in parts {
            v = v.as_table()?.get(p)?;
        }
        (!v.is_table()).then(|| v.to_string())
    }
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
        // Text for a number goes on to the typed settings, which name the number they take.
        apply_override(&mut t, "n=many").unwrap();
        assert_eq!(t["n"].as_str(), Some("many"));
        let e = apply_override(&mut t, "thresholds.list=abc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("takes a list, not a text"), "{e}");
        let e = apply_override(&mut t, "thresholds.gifed=96")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown parameter `thresholds.gifed`"), "{e}");
        let e = apply_override(&mut t, "nope").unwrap_err().to_string();
        assert!(e.contains("expected key=value"), "{e}");
        // A number's text has no exponent: `9.6e1` would be read as 96.
        let e = apply_override(&mut t, "thresholds.gifted=9.6e1")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "thresholds.gifted = 9.6e1: a parameter is written as a plain decimal, without an exponent"
        );
        apply_override(&mut t, "seed=1e5").unwrap();
        assert_eq!(t["seed"].as_str(), Some("1e5"));
    }
}
