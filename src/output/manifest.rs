//! `manifest.json`: what a run read, decided with, wrote, and how it ended
//! (data-contract.md, "Outputs").
use super::atomic::OutputFile;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct InputEntry {
    pub table: String,
    pub path: String,
    pub format: String,
    pub bytes: u64,
    pub sha256: String,
    pub rows_read: usize,
    pub rows_accepted: usize,
    pub rows_excluded: usize,
    pub rows_rejected: usize,
    /// A reference table read only for the IDs a run names (data-contract.md "Reference
    /// tables read for the named IDs"): the file's data rows (`rows_read` counts the rows
    /// read)…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_in_file: Option<usize>,
    /// …and which rows were read, e.g. "students named by the requests". Both absent: every
    /// row of the file was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_for: Option<String>,
}

impl InputEntry {
    /// The manifest's entry of a table read: its file (absolute path, format, size, hash)
    /// and its rows read, accepted and rejected.
    pub fn of(t: &crate::table::Table) -> Self {
        use crate::table::read::Format;
        InputEntry {
            table: t.schema.name.clone(),
            path: std::path::absolute(&t.source.path)
                .unwrap_or_else(|_| t.source.path.clone())
                .display()
                .to_string(),
            format: match t.source.format {
                Format::Parquet => "parquet".into(),
                Format::Csv => "csv".into(),
            },
            bytes: t.source.bytes,
            sha256: t.source.sha256.clone(),
            rows_read: t.rows_read,
            rows_accepted: t.rows_accepted(),
            rows_excluded: t.rows_excluded,
            rows_rejected: t.rows_rejected,
            rows_in_file: t.read_only.as_ref().map(|r| r.rows_in_file),
            read_for: t.read_only.as_ref().map(|r| r.read_for.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepTiming {
    pub step: String,
    pub millis: u128,
}

#[derive(Debug, Clone, Serialize)]
pub struct PipelineEntry {
    /// The pipeline file used (the bundled one unless `--pipeline` was given).
    pub path: String,
    /// SHA-256 of the pipeline file's content.
    pub sha256: String,
    /// `--set` overrides, as given.
    pub overrides: Vec<String>,
    /// Every effective parameter after overrides.
    pub parameters: serde_json::Value,
}

/// Whether a phase of the job ran, and why not when it did not.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseEntry {
    pub phase: String,
    /// `ran` or `skipped`.
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExitStatus {
    pub code: i32,
    pub status: String,
    pub message: Option<String>,
    /// The error's kind (`usage`, `config`, `rejected`, `interrupted` …) when the run failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The step the run was in when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// The version of the manifest's layout: 2 added `schema_version`, `argv`, `git_commit`,
/// `phases`, absolute input paths and the failed step and kind in `exit`.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub job: String,
    pub command: String,
    pub phase: Option<String>,
    /// The phases of the job, each `ran` or `skipped` with the reason (jobs with phases).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseEntry>,
    pub tool: String,
    pub tool_version: String,
    /// The git commit the binary was built from (`unknown` outside a checkout).
    pub git_commit: String,
    /// The whole command line.
    pub argv: Vec<String>,
    pub run_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub duration_millis: u128,
    pub pipeline: Option<PipelineEntry>,
    pub inputs: Vec<InputEntry>,
    pub outputs: Vec<OutputFile>,
    /// Per stage, named counts that add up (e.g. rows read = accepted + excluded + rejected).
    pub reconciliation: BTreeMap<String, BTreeMap<String, i64>>,
    pub warnings: Vec<String>,
    pub timings: Vec<StepTiming>,
    pub exit: ExitStatus,
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// The manifest of the finished output in `dir`, as JSON, for a command that reads a run's
/// output (`research-export --input`, `itur diff OUT_A OUT_B`). `which` names the argument in
/// the message: a folder without `manifest.json`, or one that cannot be read, is refused with
/// one sentence (exit 2). The caller checks the job and command it needs.
pub fn read_of_output(
    dir: &std::path::Path,
    which: &str,
) -> crate::error::Result<serde_json::Value> {
    use crate::error::Error;
    let shown = dir.display();
    let text = std::fs::read_to_string(dir.join("manifest.json")).map_err(|_| {
        Error::Usage(format!(
            "{which} {shown} has no manifest.json: it is not the output of an itur run"
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "{which} {shown}: manifest.json cannot be read: {e}"
        ))
    })
}

/// The texts of a list in a run's manifest (`pipeline.overrides`, a list parameter such as
/// `pipeline.parameters.subtests`), in their order; what is not a list, or an element that is
/// not a text, gives nothing. Used by the commands that read a run's output (`itur diff`,
/// `research-export`), so that both read a manifest's parameters alike.
pub fn texts(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_of_a_list_in_order_and_nothing_of_what_is_not_one() {
        let m = serde_json::json!({"pipeline": {"overrides": ["a=1", 2, "b=2"], "parameters": {"x": "y"}}});
        assert_eq!(texts(&m["pipeline"]["overrides"]), ["a=1", "b=2"]);
        assert!(texts(&m["pipeline"]["parameters"]["x"]).is_empty());
        assert!(texts(&m["pipeline"]["parameters"]["subtests"]).is_empty());
    }
}
