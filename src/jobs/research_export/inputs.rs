//! What research-export reads (docs/research-export.md §1): a finished run's manifest — its job,
//! whether it succeeded, its subtests and the roster it was made from — and the typed rows of
//! the roster's and the run's tables, as `crate::table::rows` deserializes them (names, class
//! and registration zone are validated, never kept). The roster's 2.4 million students are
//! read by [`students`] straight from their columns, over the threads.
use crate::error::{Error, Result};
use crate::rules::digit_key::key_text;
use crate::table::types::TextColumn;
use crate::table::Table;
use chrono::NaiveDate;
use polars::prelude::{DataType, Int64Chunked, PlSmallStr};
use rayon::prelude::*;
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

/// The columns of the roster's `students` the export keeps (`TableNeed::keeping`): the others
/// (names, class, registration zone) are validated and let go.
pub const STUDENT_COLUMNS: &[&str] = &[
    "student_id",
    "school_year",
    "birth_date",
    "gender",
    "institution_id",
    "grade",
    "residence_authority_id",
    "immigration_date",
    "years_abroad",
];

/// One `students` row of the roster, as the export reads it (names, class and registration
/// zone are not kept). The ID is held inline (a roster read a column at a time holds its IDs
/// as digit keys, `Table::row_keys`, whose text is made again here).
#[derive(Debug, Clone)]
pub struct StudentIn<'a> {
    pub student_id: PlSmallStr,
    pub school_year: i64,
    pub birth_date: NaiveDate,
    pub gender: &'a str,
    pub institution_id: &'a str,
    pub grade: i64,
    pub residence_authority_id: &'a str,
    pub immigration_date: Option<NaiveDate>,
    pub years_abroad: Option<i64>,
}

/// Every accepted row of the roster's `students` table `t` as a [`StudentIn`], in row order,
/// read straight from its columns (plain or coded text, the IDs as text or as digit keys) over
/// the threads: what `table::rows` would give, without a serde call per cell. A required cell
/// that is empty (validation lets none through) is an error naming the table, the row and the
/// column.
pub fn students(t: &Table) -> Result<Vec<StudentIn<'_>>> {
    let table = t.schema.name.as_str();
    let bad = |column: &str, e: String| Error::Job(format!("{table}.{column}: {e}"));
    let ints = |name: &str| -> Result<&Int64Chunked> {
        let c = t.df.column(name).map_err(|e| bad(name, e.to_string()))?;
        c.as_materialized_series()
            .i64()
            .map_err(|e| bad(name, e.to_string()))
    };
    let dates = |name: &str| {
        let c = t.df.column(name).map_err(|e| bad(name, e.to_string()))?;
        let s = c.as_materialized_series();
        match s.dtype() {
            DataType::Date => Ok(s.date().map_err(|e| bad(name, e.to_string()))?.physical()),
            other => Err(bad(name, format!("a column of type {other} is not a date"))),
        }
    };
    let ids = match t.row_keys() {
        Some(keys) if t.keys_only() => Ids::Keys(keys),
        _ => Ids::Text(t.text("student_id")?),
    };
    let school_year = ints("school_year")?;
    let birth_date = dates("birth_date")?;
    let gender = t.text("gender")?;
    let institution_id = t.text("institution_id")?;
    let grade = ints("grade")?;
    let residence = t.text("residence_authority_id")?;
    let immigration_date = dates("immigration_date")?;
    let years_abroad = ints("years_abroad")?;
    let row_numbers: Vec<u64> = t.row_numbers().collect();
    row_numbers
        .par_iter()
        .enumerate()
        .map(|(i, &row)| {
            let need = |column: &str| {
                Error::Job(format!(
                    "{table} row {row}: column `{column}`: a value is needed here but the cell is empty"
                ))
            };
            let day = |d: i32, column: &str| {
                crate::rules::date::from_days(i64::from(d)).ok_or_else(|| {
                    Error::Job(format!("{table} row {row}: column `{column}`: day {d} is out of range"))
                })
            };
            let born = birth_date.get(i).ok_or_else(|| need("birth_date"))?;
            Ok(StudentIn {
                student_id: ids.get(i).ok_or_else(|| need("student_id"))?,
                school_year: school_year.get(i).ok_or_else(|| need("school_year"))?,
                birth_date: day(born, "birth_date")?,
                gender: gender.get(i).ok_or_else(|| need("gender"))?,
                institution_id: institution_id.get(i).ok_or_else(|| need("institution_id"))?,
                grade: grade.get(i).ok_or_else(|| need("grade"))?,
                residence_authority_id: residence
                    .get(i)
                    .ok_or_else(|| need("residence_authority_id"))?,
                immigration_date: immigration_date
                    .get(i)
                    .map(|d| day(d, "immigration_date"))
                    .transpose()?,
                years_abroad: years_abroad.get(i),
            })
        })
        .collect()
}

/// The students' IDs: their text, or their digit keys when the table holds only those.
enum Ids<'a> {
    Text(TextColumn<'a>),
    Keys(&'a [u64]),
}

impl Ids<'_> {
    fn get(&self, i: usize) -> Option<PlSmallStr> {
        match self {
            Ids::Text(c) => c.get(i).map(PlSmallStr::from_str),
            Ids::Keys(keys) => keys.get(i).map(|&k| key_text(k)),
        }
    }
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

    /// The small fixture's students (3,000, IDs stored PLAIN) read as the export reads them
    /// (a column at a time: the IDs held as digit keys, the text coded) and read whole (the
    /// IDs as text): both are, field by field, the rows serde gives of the whole table.
    #[test]
    fn students_read_from_their_columns_are_the_rows_serde_gives() {
        use crate::table::validate::{load_inputs, TableNeed};
        #[derive(Deserialize)]
        struct Row<'a> {
            student_id: &'a str,
            school_year: i64,
            #[serde(with = "crate::rules::date")]
            birth_date: NaiveDate,
            gender: &'a str,
            institution_id: &'a str,
            grade: i64,
            residence_authority_id: &'a str,
            #[serde(default, deserialize_with = "crate::rules::date::optional")]
            immigration_date: Option<NaiveDate>,
            years_abroad: Option<i64>,
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/small");
        let params = BTreeMap::new();
        let read = |students: TableNeed| {
            load_inputs(
                &dir,
                &[TableNeed::new("institutions", true), students],
                &params,
            )
            .unwrap()
        };
        let coded = read(super::super::ROSTER[1]);
        let whole = read(TableNeed::new("students", true));
        let coded = coded.table("students").unwrap();
        let whole = whole.table("students").unwrap();
        assert!(coded.keys_only() && !whole.keys_only());
        let want: Vec<Row> = crate::table::rows::rows(whole).unwrap();
        assert_eq!(want.len(), 3000);
        assert!(want.iter().any(|r| r.immigration_date.is_some()));
        assert!(want.iter().any(|r| r.years_abroad.is_some()));
        for got in [students(coded).unwrap(), students(whole).unwrap()] {
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.student_id.as_str(), w.student_id);
                assert_eq!((g.school_year, g.birth_date), (w.school_year, w.birth_date));
                assert_eq!((g.gender, g.institution_id), (w.gender, w.institution_id));
                assert_eq!(g.grade, w.grade);
                assert_eq!(g.residence_authority_id, w.residence_authority_id);
                assert_eq!(g.immigration_date, w.immigration_date);
                assert_eq!(g.years_abroad, w.years_abroad);
            }
        }
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
