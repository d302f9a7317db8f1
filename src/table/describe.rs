//! The data contract as the binary knows it, as text and JSON (`itur schema`): every table's
//! columns, types, rules and descriptions, from `schemas/`.
use super::schema::{self, TableSchema};
use std::fmt::Write as _;

/// A table's schema as JSON.
pub fn table_json(s: &TableSchema) -> serde_json::Value {
    serde_json::json!({
        "name": s.name,
        "description": s.description,
        "hebrew": s.hebrew,
        "key": s.key,
        "columns": s.columns.iter().map(|c| serde_json::json!({
            "name": c.name,
            "type": c.ty.name(),
            "optional": c.optional,
            "rule": c.rule_text(),
            "values": c.values,
            "references": c.references,
            "israeli_id": c.israeli_id,
            "identifier": c.identifier,
            "max_length": c.max_chars(),
            "description": c.description,
            "hebrew": c.hebrew,
        })).collect::<Vec<_>>(),
        "checks": s.checks.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>(),
    })
}

/// Every table's name and description, inputs first, then outputs.
pub fn overview() -> String {
    let mut out = String::new();
    for output in [false, true] {
        out.push_str(if output {
            "\noutput tables:\n"
        } else {
            "input tables:\n"
        });
        for s in schema::all() {
            if (s.source.as_deref() == Some("output")) == output {
                let _ = writeln!(out, "  {:<22} {} ({})", s.name, s.description, s.hebrew);
            }
        }
    }
    out
}

/// One table: its key, each column with type, rule and description, and its checks.
pub fn table_text(s: &TableSchema) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}): {}", s.name, s.hebrew, s.description);
    if !s.key.is_empty() {
        let _ = writeln!(out, "key: {}", s.key.join(" + "));
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<24} {:<6} {:<40} description",
        "column", "type", "rule"
    );
    for c in &s.columns {
        let _ = writeln!(
            out,
            "{:<24} {:<6} {:<40} {} ({})",
            c.name,
            c.ty.name(),
            c.rule_text(),
            c.description,
            c.hebrew
        );
    }
    for check in &s.checks {
        let d = match check {
            schema::Check::AgeRange { description, .. }
            | schema::Check::ColumnOrder { description, .. }
            | schema::Check::RequiredWhen { description, .. }
            | schema::Check::InParameter { description, .. }
            | schema::Check::EqualsReferenced { description, .. }
            | schema::Check::NonDecreasing { description, .. } => description,
        };
        let _ = writeln!(out, "check: {d}");
    }
    out
}
