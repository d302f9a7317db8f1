//! `itur schema [TABLE]`: the data contract as the binary knows it.
use crate::cli::SchemaArgs;
use crate::error::{Error, Result};
use crate::table::schema::{self, TableSchema};

fn table_json(s: &TableSchema) -> serde_json::Value {
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

/// Collects output lines; printed at the end (a closed pipe, as in `itur schema | head`, is not
/// an error).
macro_rules! outln {
    ($out:ident, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

pub fn run(a: &SchemaArgs) -> Result<()> {
    let mut out = String::new();
    let r = print_schema(a, &mut out);
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    r
}

fn print_schema(a: &SchemaArgs, out: &mut String) -> Result<()> {
    match &a.table {
        None => {
            if a.json {
                let v: Vec<_> = schema::all().iter().map(table_json).collect();
                outln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                );
            } else {
                for output in [false, true] {
                    outln!(
                        out,
                        "{}",
                        if output {
                            "\noutput tables:"
                        } else {
                            "input tables:"
                        }
                    );
                    for s in schema::all() {
                        if (s.source.as_deref() == Some("output")) == output {
                            outln!(out, "  {:<22} {} ({})", s.name, s.description, s.hebrew);
                        }
                    }
                }
            }
        }
        Some(name) => {
            let s = schema::get(name).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown table `{name}`; tables are: {}",
                    schema::all()
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if a.json {
                outln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&table_json(s)).unwrap_or_default()
                );
                return Ok(());
            }
            outln!(out, "{} ({}): {}", s.name, s.hebrew, s.description);
            if !s.key.is_empty() {
                outln!(out, "key: {}", s.key.join(" + "));
            }
            outln!(out,);
            outln!(
                out,
                "{:<24} {:<6} {:<40} description",
                "column",
                "type",
                "rule"
            );
            for c in &s.columns {
                outln!(
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
                outln!(out, "check: {d}");
            }
        }
    }
    Ok(())
}
