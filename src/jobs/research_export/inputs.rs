//! What research-export reads (docs/research-export.md §1): a finished run's manifest — its job,
//! whether it succeeded, its subtests and the roster it was made from — and the typed rows of
//! the roster's and the run's tables, as `crate::table::rows` deserializes them (names, class
//! and registration zone are not read at all).
use crate::error::{Error, Result};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a finished gifted-elementary run's `manifest.json` tells the export (§1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunManifest {
    /// `pipeline.parameters.subtests`: the per-subtest columns of the run's results.
    pub subtests: Vec<String>,
    /// The folder of the `students` table the run read, when the manifest records it.
    pub roster_dir: Option<PathBuf>,
}

impl RunManifest {
    /// The manifest `m` of the run in `shown` (for the messages): refused with one sentence
    /// (exit 2) unless it is a successful `itur run gifted-elementary`.
    pub fn of(m: &serde_json::Value, shown: &str) -> Result<Self> {
        if m["job"] != "gifted-elementary" || m["command"] != "run" {
            return Err(Error::Usage(format!(
                "--input {shown} is the output of `itur {} {}`; research-export reads runs of gifted-elementary",
                m["command"].as_str().unwrap_or("?"),
                m["job"].as_str().unwrap_or("?")
            )));
        }
        if m["exit"]["code"] != 0 {
            return Err(Error::Usage(format!(
                "--input {shown} is a run that did not succeed; export a finished run"
            )));
        }
        let roster_dir = m["inputs"].as_array().and_then(|inputs| {
            inputs
                .iter()
                .find(|i| i["table"] == "students")
                .and_then(|i| i["path"].as_str())
                .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        });
        Ok(RunManifest {
            subtests: crate::output::manifest::texts(&m["pipeline"]["parameters"]["subtests"]),
            roster_dir,
        })
    }

    /// The roster to read: `--roster` when given, else the one the run recorded.
    pub fn roster(&self, given: Option<&Path>, shown: &str) -> Result<PathBuf> {
        match (given, &self.roster_dir) {
            (Some(r), _) => Ok(r.to_path_buf()),
            (None, Some(r)) => Ok(r.clone()),
            (None, None) => Err(Error::Usage(format!(
                "--input {shown}: its manifest records no students input; give the roster with --roster DIR"
            ))),
        }
    }

    /// The list parameters the schemas' `in_parameter` checks read: the run's subtests.
    pub fn check_params(&self) -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([("subtests".to_string(), self.subtests.clone())])
    }
}

/// One `students` row of the roster, as the export reads it (names, class and registration
/// zone are not read at all).
#[derive(Debug, Clone, Deserialize)]
pub struct StudentIn<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    #[serde(with = "crate::rules::date")]
    pub birth_date: NaiveDate,
    pub gender: &'a str,
    pub institution_id: &'a str,
    pub grade: i64,
    pub residence_authority_id: &'a str,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    pub immigration_date: Option<NaiveDate>,
    pub years_abroad: Option<i64>,
}

/// One `institutions` row (its name is not read).
#[derive(Debug, Clone, Deserialize)]
pub struct InstitutionIn<'a> {
    pub institution_id: &'a str,
    pub authority_id: &'a str,
    pub supervision: &'a str,
    pub sector: &'a str,
    pub region_id: &'a str,
}

/// One `stage_a_scores` row.
#[derive(Debug, Clone, Deserialize)]
pub struct StageAIn<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    pub status: &'a str,
    pub score: Option<i64>,
}

/// One `stage_b_scores` row.
#[derive(Debug, Clone, Deserialize)]
pub struct StageBIn<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    pub subtest: &'a str,
    pub status: &'a str,
    pub raw_score: Option<i64>,
    pub session: Option<&'a str>,
}

/// One `placements` row of the run.
#[derive(Debug, Clone, Deserialize)]
pub struct PlacementIn<'a> {
    pub student_id: Option<&'a str>,
    pub school_year: Option<i64>,
    pub track_id: Option<&'a str>,
    pub class_no: Option<i64>,
    pub gender: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// One `enrichment_groups` row of the run.
#[derive(Debug, Clone, Deserialize)]
pub struct EnrichmentIn<'a> {
    pub student_id: Option<&'a str>,
    pub center_id: Option<&'a str>,
    pub program: Option<&'a str>,
    pub grade: Option<i64>,
    pub group_no: Option<i64>,
    pub institution_id: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(job: &str, code: i64) -> serde_json::Value {
        serde_json::json!({
            "job": job, "command": "run", "exit": {"code": code},
            "pipeline": {"parameters": {"subtests": ["verbal", "math"]}},
            "inputs": [
                {"table": "institutions", "path": "/data/2027/institutions.parquet"},
                {"table": "students", "path": "/data/2027/students.parquet"}
            ]
        })
    }

    #[test]
    fn a_finished_run_gives_its_subtests_and_the_folder_of_its_students() {
        let r = RunManifest::of(&manifest("gifted-elementary", 0), "RUN").unwrap();
        assert_eq!(r.subtests, ["verbal", "math"]);
        assert_eq!(r.roster(None, "RUN").unwrap(), Path::new("/data/2027"));
        assert_eq!(
            r.roster(Some(Path::new("/other")), "RUN").unwrap(),
            Path::new("/other")
        );
        assert_eq!(r.check_params()["subtests"], ["verbal", "math"]);
    }

    #[test]
    fn another_job_a_failed_run_and_a_run_without_roster_are_refused() {
        let e = RunManifest::of(&manifest("special-ed-baskets", 0), "RUN").unwrap_err();
        assert!(
            e.to_string().contains("reads runs of gifted-elementary"),
            "{e}"
        );
        let e = RunManifest::of(&manifest("gifted-elementary", 3), "RUN").unwrap_err();
        assert!(e.to_string().contains("did not succeed"), "{e}");
        let mut m = manifest("gifted-elementary", 0);
        m["inputs"] = serde_json::json!([]);
        let r = RunManifest::of(&m, "RUN").unwrap();
        let e = r.roster(None, "RUN").unwrap_err();
        assert!(e.to_string().contains("--roster DIR"), "{e}");
    }
}
