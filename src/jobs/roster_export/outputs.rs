//! What an export writes (roster-export.md "The six files", "Audit"): each owner's folder and
//! six tables (English or Hebrew headers) with its manifest, and the lines of the audit log.
//! Values only: `app::roster_export` writes them.
use chrono::NaiveDate;
use polars::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::authorize::{Grant, Refusal};
use super::inputs::Owner;
use super::ExportError;
use crate::table::schema;

/// The six files, in the order of the source (roster-export.md "The six files").
pub const SIX: [&str; 6] = [
    "students",
    "contacts",
    "contact_details",
    "institutions",
    "classes",
    "tracks",
];

/// An owner id becomes a folder name: it must be an identifier that names files (validation
/// already rejects any other owner row; this is the writer's own check, README "Security").
pub fn folder_name(owner_id: &str) -> Result<&str, ExportError> {
    if crate::rules::identifier::is_safe(owner_id) {
        Ok(owner_id)
    } else {
        Err(ExportError::UnsafeFolderName(owner_id.to_string()))
    }
}

/// The rows `rows` of `table` (whole rows, all columns), with the schema's Hebrew column names
/// when `hebrew` (`--headers he`; roster-export.md "The six files": "the names are part of the
/// schemas").
pub fn owner_frame(
    table: &str,
    all: &DataFrame,
    rows: &[u32],
    hebrew: bool,
) -> Result<DataFrame, ExportError> {
    let idx = IdxCa::from_vec("".into(), rows.iter().map(|&r| r as IdxSize).collect());
    let mut df = all.take(&idx).map_err(|e| ExportError::Rows {
        table: table.to_string(),
        message: e.to_string(),
    })?;
    if hebrew {
        hebrew_headers(&mut df, table)?;
    }
    Ok(df)
}

fn hebrew_headers(df: &mut DataFrame, table: &str) -> Result<(), ExportError> {
    let Some(s) = schema::get(table) else {
        return Ok(());
    };
    for c in &s.columns {
        if df.column(&c.name).is_ok() {
            df.rename(&c.name, c.hebrew.as_str().into())
                .map_err(|e| ExportError::Rename {
                    table: table.to_string(),
                    column: c.name.clone(),
                    message: e.to_string(),
                })?;
        }
    }
    Ok(())
}

/// An owner's `manifest.json` (roster-export.md "The six files": row counts, SHA-256 of the
/// files and the request with its `as_of`), pretty-printed with a final newline.
pub fn owner_manifest<F: Serialize>(
    owner: &Owner,
    files: &F,
    counts: &BTreeMap<String, usize>,
    request: &Value,
) -> Vec<u8> {
    let manifest = json!({
        "owner_id": owner.owner_id,
        "owner_name": owner.name,
        "files": files,
        "counts": counts,
        "request": request,
    });
    let mut text = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    text.push(b'\n');
    text
}

/// A file of an owner's folder as its outcome line lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportedFile<'a> {
    /// Path inside the owner's folder.
    pub path: &'a str,
    pub rows: Option<usize>,
    pub sha256: &'a str,
}

/// The lines of one request in the audit log (roster-export.md "Audit": time (UTC), run id,
/// owner, requester, mode, decision, reason), each with the `as_of` label and the `today` the
/// decision was judged on. The time of each line is the caller's (no clock here).
#[derive(Debug, Clone)]
pub struct AuditLines<'a> {
    pub run_id: &'a str,
    pub requester: &'a str,
    /// `on_request` or `all_approved`.
    pub mode: &'static str,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
}

impl AuditLines<'_> {
    /// The fields every line of the request has.
    pub fn line(&self, time: &str, owner: &str) -> Value {
        json!({"time": time, "run_id": self.run_id, "owner": owner, "requester": self.requester,
               "mode": self.mode, "as_of": self.as_of.to_string(), "today": self.today.to_string()})
    }

    /// The request could not be decided (its inputs could not be read or were rejected).
    pub fn failed(&self, time: &str, owner: &str, reason: &str) -> Value {
        let mut line = self.line(time, owner);
        line["decision"] = json!("failed");
        line["reason"] = json!(reason);
        line
    }

    /// A refusal: the rule that failed and its sentence.
    pub fn refused(&self, time: &str, owner: &str, refusal: &Refusal, reason: &str) -> Value {
        let mut line = self.line(time, owner);
        line["decision"] = json!("refused");
        line["rule"] = json!(refusal.rule());
        line["reason"] = json!(reason);
        line
    }

    /// An allowed export of `owner`, written before any of its data.
    pub fn allowed(&self, time: &str, owner: &str, grant: &Grant) -> Value {
        let mut line = self.line(time, owner);
        line["decision"] = json!("allowed");
        line["grant"] = json!(grant.as_str());
        line
    }

    /// The outcome of an allowed export whose folder is in place: its files (paths from the
    /// export directory) and row counts.
    pub fn completed(
        &self,
        time: &str,
        owner: &str,
        files: &[ExportedFile<'_>],
        counts: &BTreeMap<String, usize>,
    ) -> Value {
        let mut line = self.line(time, owner);
        line["outcome"] = json!("completed");
        line["files"] = json!(files
            .iter()
            .map(|f| json!({"path": format!("{owner}/{}", f.path), "rows": f.rows, "sha256": f.sha256}))
            .collect::<Vec<_>>());
        line["rows"] = json!(counts);
        line
    }

    /// The outcome of an allowed export that failed, with the error.
    pub fn outcome_failed(&self, time: &str, owner: &str, reason: &str) -> Value {
        let mut line = self.line(time, owner);
        line["outcome"] = json!("failed");
        line["reason"] = json!(reason);
        line
    }

    /// The request recorded in each owner's manifest.
    pub fn request(&self, grant: &Grant, hebrew: bool) -> Value {
        json!({
            "requested_by": self.requester, "grant": grant.as_str(), "mode": self.mode,
            "as_of": self.as_of.to_string(), "run_id": self.run_id,
            "headers": if hebrew { "he" } else { "en" },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// README "Security": an owner id names a folder only when it is a safe identifier.
    #[test]
    fn only_a_safe_owner_id_names_a_folder() {
        assert_eq!(folder_name("N1").unwrap(), "N1");
        for bad in ["..", "a/b", "", ".hidden", "N1\n"] {
            let e = folder_name(bad).unwrap_err();
            assert!(!e.is_usage());
            assert!(e.to_string().starts_with("owner_id `"), "{e}");
        }
    }

    /// roster-export.md "The six files": an owner's rows, whole, in table order; with
    /// `--headers he` the schema's Hebrew column names.
    #[test]
    fn an_owner_frame_takes_its_rows_with_english_or_hebrew_headers() {
        let all = df!(
            "class_id" => ["c1", "c2", "c3"],
            "institution_id" => ["100001", "100002", "100001"],
        )
        .unwrap();
        let en = owner_frame("classes", &all, &[0, 2], false).unwrap();
        assert_eq!(en.get_column_names(), ["class_id", "institution_id"]);
        let ids: Vec<Option<&str>> = en
            .column("class_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ids, [Some("c1"), Some("c3")]);
        let he = owner_frame("classes", &all, &[1], true).unwrap();
        assert_eq!(he.get_column_names(), ["מזהה כיתה", "סמל מוסד"]);
        assert_eq!(he.height(), 1);
    }

    /// roster-export.md "Audit": every line names the time, run, owner, requester and mode
    /// (with the `as_of` label and the day judged on); a decision says `allowed` with the
    /// grant, an outcome lists the files by their path from the export directory.
    #[test]
    fn audit_lines_carry_the_request_and_the_decision() {
        let lines = AuditLines {
            run_id: "r1",
            requester: "000000018",
            mode: "on_request",
            as_of: d("2026-11-01"),
            today: d("2026-12-05"),
        };
        let allowed = lines.allowed("T", "N1", &Grant::Signatory);
        assert_eq!(
            allowed,
            json!({"time": "T", "run_id": "r1", "owner": "N1", "requester": "000000018",
                   "mode": "on_request", "as_of": "2026-11-01", "today": "2026-12-05",
                   "decision": "allowed", "grant": "signatory"})
        );
        let files = [ExportedFile {
            path: "students.csv",
            rows: Some(2),
            sha256: "ab",
        }];
        let counts = BTreeMap::from([("students".to_string(), 2)]);
        let done = lines.completed("T", "N1", &files, &counts);
        assert_eq!(done["outcome"], "completed");
        assert_eq!(done["files"][0]["path"], "N1/students.csv");
        assert_eq!(done["rows"]["students"], 2);
        let refused = lines.refused("T", "N1", &Refusal::NotAuthorized, "why");
        assert_eq!(refused["decision"], "refused");
        assert_eq!(refused["rule"], "requester_not_authorized");
        assert_eq!(refused["reason"], "why");
        assert_eq!(lines.request(&Grant::Signatory, true)["headers"], "he");
    }
}
