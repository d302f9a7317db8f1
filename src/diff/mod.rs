//! `itur diff OUT_A OUT_B --out DIR` (docs/diff.md): what changed between two runs of the
//! same job — a what-if run with other `--set` values, or last year's run.
//!
//! The rules live here, apart from the wiring (`app::diff`), the page (`diff::html`) and the
//! reading of the two runs (`diff::runs`):
//! - [`open`]: a run's output folder and its manifest, refused (exit 2) without one;
//! - [`KINDS`]: the kinds of change of gifted-elementary, each a column of one of the run's
//!   published (not confidential) tables; [`SCORE_KINDS`]: the confidential ones, read from
//!   `confidential/results` and written only under `DIR/confidential/`;
//! - [`compare`]: per student and kind, the value in run A (before) and in run B (after),
//!   kept when they differ;
//! - [`summarize`]: the changes counted per kind, sector and gender;
//! - [`differing_parameters`]: the pipeline parameters whose values differ.
//!
//! Every value is compared as text, exactly as the runs wrote it (a composite as its exact
//! fraction), so no number is rounded. Every list is sorted: the same two runs give the same
//! bytes at any thread count.
pub mod html;
pub mod runs;

use crate::error::{Error, Result};
use crate::rules::fraction::Ratio;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The jobs `itur diff` compares in this version.
pub const JOBS: [&str; 1] = ["gifted-elementary"];

/// A kind of change: the value of `columns` (joined by `/`) of the student's rows of the
/// table at `stem`; with no columns, whether the student is in the table at all (`yes`).
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub stem: &'static str,
    pub columns: &'static [&'static str],
}

/// The kinds of change of gifted-elementary written to `changes`, in the order of the
/// table's rows for one student. Each is read from a table the run publishes outside
/// `confidential/`: the category from `school_lists` (the lists the schools get, gifted or
/// excellent; empty when the student reached no program) — the letters tell it to the
/// parents, and its column is not confidential; the composite that decided it is.
pub const KINDS: [Kind; 8] = [
    Kind {
        name: "category",
        stem: "school_lists",
        columns: &["category"],
    },
    Kind {
        name: "referral",
        stem: "stage_b_invitations",
        columns: &[],
    },
    Kind {
        name: "invitation",
        stem: "interview_invitations",
        columns: &["track_id"],
    },
    Kind {
        name: "placement_track",
        stem: "placements",
        columns: &["track_id"],
    },
    Kind {
        name: "placement_class",
        stem: "placements",
        columns: &["class_no"],
    },
    Kind {
        name: "placement_status",
        stem: "placements",
        columns: &["status"],
    },
    Kind {
        name: "waitlist",
        stem: "waitlist",
        columns: &["track_id"],
    },
    Kind {
        name: "enrichment_group",
        stem: "enrichment_groups",
        columns: &["center_id", "program", "grade", "group_no"],
    },
];

/// The confidential table the score changes come from.
pub const RESULTS: &str = "confidential/results";

/// The confidential kinds (`confidential/score_changes`), besides one per
/// `{subtest}_percentile` column of the runs' results: the category as results hold it
/// (every category, not only those that reach a list) and the exact composite.
pub const SCORE_KINDS: [&str; 2] = ["category", "composite"];

/// A run's output folder, with its manifest.
#[derive(Debug, Clone)]
pub struct RunDir {
    pub dir: PathBuf,
    pub manifest: serde_json::Value,
}

impl RunDir {
    pub fn job(&self) -> &str {
        self.manifest["job"].as_str().unwrap_or("")
    }

    /// The file of table `stem` (`placements` → `DIR/placements.parquet`), when the run
    /// wrote it.
    pub fn table_file(&self, stem: &str) -> Option<PathBuf> {
        let p = self.dir.join(format!("{stem}.parquet"));
        p.is_file().then_some(p)
    }
}

/// Opens the output of a finished run (`which`: `OUT_A` or `OUT_B`, for the message). A
/// folder without `manifest.json`, the output of another command, or a run that failed is
/// refused with one sentence (exit 2).
pub fn open(dir: &Path, which: &str) -> Result<RunDir> {
    let shown = dir.display();
    let manifest = crate::output::manifest::read_of_output(dir, which)?;
    if manifest["command"] != "run" {
        return Err(Error::Usage(format!(
            "{which} {shown} is the output of `itur {}`, not of `itur run`; itur diff compares two runs",
            manifest["command"].as_str().unwrap_or("?")
        )));
    }
    if manifest["exit"]["code"] != 0 {
        return Err(Error::Usage(format!(
            "{which} {shown} is a run that did not succeed; itur diff compares finished runs"
        )));
    }
    Ok(RunDir {
        dir: dir.to_path_buf(),
        manifest,
    })
}

/// Refuses two runs of different jobs, or of a job `itur diff` does not compare yet.
pub fn check_same_job(a: &RunDir, b: &RunDir) -> Result<()> {
    if a.job() != b.job() {
        return Err(Error::Usage(format!(
            "OUT_A {} is a run of {} and OUT_B {} a run of {}: itur diff compares two runs of the same job",
            a.dir.display(),
            a.job(),
            b.dir.display(),
            b.job()
        )));
    }
    if !JOBS.contains(&a.job()) {
        return Err(Error::Usage(format!(
            "itur diff compares runs of {} in this version, not of {}",
            JOBS.join(", "),
            a.job()
        )));
    }
    Ok(())
}

/// One row of `changes` or `confidential/score_changes`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub student_id: String,
    pub kind: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One row of `summary`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SummaryRow {
    pub kind: String,
    pub sector: String,
    pub gender: String,
    pub students: u64,
}

/// One row of `parameters`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ParameterRow {
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Each student's value of one kind in one run.
pub type Values = BTreeMap<String, String>;

/// The changes of kind `kind` between the values of run A and run B: one per student whose
/// value differs (a student present on one side only has no value on the other), by
/// student.
pub fn compare(kind: &str, a: &Values, b: &Values) -> Vec<Change> {
    let ids: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (before, after) = (a.get(id), b.get(id));
            (before != after).then(|| Change {
                student_id: id.clone(),
                kind: kind.to_string(),
                before: before.cloned(),
                after: after.cloned(),
            })
        })
        .collect()
}

/// Sorts changes by student, then by the kinds' order (`order`: the kinds' names).
pub fn sort_changes(changes: &mut [Change], order: &[String]) {
    let at = |k: &str| order.iter().position(|o| o == k).unwrap_or(usize::MAX);
    changes.sort_by(|x, y| {
        (x.student_id.as_str(), at(&x.kind)).cmp(&(y.student_id.as_str(), at(&y.kind)))
    });
}

/// Where a student is counted: sector and gender (`unknown` when no table says).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Who {
    pub sector: Option<String>,
    pub gender: Option<String>,
    pub region: Option<String>,
    pub grade: Option<i64>,
}

/// The changes counted per kind (in the kinds' order), sector and gender.
pub fn summarize(
    changes: &[Change],
    order: &[String],
    who: &BTreeMap<String, Who>,
) -> Vec<SummaryRow> {
    let at = |k: &str| order.iter().position(|o| o == k).unwrap_or(usize::MAX);
    let mut counts: BTreeMap<(usize, String, String, String), u64> = BTreeMap::new();
    for c in changes {
        let w = who.get(&c.student_id);
        let sector = w.and_then(|w| w.sector.clone());
        let gender = w.and_then(|w| w.gender.clone());
        let key = (
            at(&c.kind),
            c.kind.clone(),
            sector.unwrap_or_else(|| "unknown".into()),
            gender.unwrap_or_else(|| "unknown".into()),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((_, kind, sector, gender), students)| SummaryRow {
            kind,
            sector,
            gender,
            students,
        })
        .collect()
}

/// Every parameter of a manifest's `pipeline.parameters` as `dotted.key = JSON value`.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = match prefix {
                    "" => k.clone(),
                    p => format!("{p}.{k}"),
                };
                flatten(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The parameters whose values differ between the two manifests, by key.
pub fn differing_parameters(a: &serde_json::Value, b: &serde_json::Value) -> Vec<ParameterRow> {
    let (mut pa, mut pb) = (BTreeMap::new(), BTreeMap::new());
    flatten("", &a["pipeline"]["parameters"], &mut pa);
    flatten("", &b["pipeline"]["parameters"], &mut pb);
    let keys: BTreeSet<&String> = pa.keys().chain(pb.keys()).collect();
    keys.into_iter()
        .filter(|k| pa.get(*k) != pb.get(*k))
        .map(|k| ParameterRow {
            key: k.clone(),
            before: pa.get(k).cloned(),
            after: pb.get(k).cloned(),
        })
        .collect()
}

/// The texts of column `name` of a frame (any type, as polars writes it as text).
pub fn column_texts(df: &DataFrame, stem: &str, name: &str) -> Result<Vec<Option<String>>> {
    let col = df
        .column(name)
        .map_err(|e| Error::Job(format!("diff: table {stem} has no column {name}: {e}")))?;
    let cast = col
        .as_materialized_series()
        .cast(&DataType::String)
        .map_err(|e| Error::Job(format!("diff: {stem}.{name} cannot be read as text: {e}")))?;
    let s = cast
        .str()
        .map_err(|e| Error::Job(format!("diff: {stem}.{name}: {e}")))?;
    Ok(s.iter().map(|v| v.map(str::to_string)).collect())
}

/// Each student's value of `columns` (joined by `/`; `yes` with no columns) in a table;
/// a student with several rows gets their distinct values sorted and joined by `;`. Rows
/// without a student are not a student's.
pub fn values_of(df: &DataFrame, stem: &str, columns: &[&str]) -> Result<Values> {
    let ids = column_texts(df, stem, "student_id")?;
    let cols: Vec<Vec<Option<String>>> = columns
        .iter()
        .map(|c| column_texts(df, stem, c))
        .collect::<Result<_>>()?;
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, id) in ids.into_iter().enumerate() {
        let Some(id) = id else { continue };
        let value = match cols.is_empty() {
            true => "yes".to_string(),
            false => cols
                .iter()
                .map(|c| c[i].clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("/"),
        };
        all.entry(id).or_default().insert(value);
    }
    Ok(all
        .into_iter()
        .map(|(id, v)| (id, v.into_iter().collect::<Vec<_>>().join(";")))
        .collect())
}

/// The exact composite of each student of `confidential/results` that has one, as its
/// reduced fraction (`1931/20`, `97`).
pub fn composites(df: &DataFrame) -> Result<Values> {
    let ids = column_texts(df, RESULTS, "student_id")?;
    let int = |name: &str| -> Result<Vec<Option<i64>>> { crate::report::ints(df, RESULTS, name) };
    let (num, den) = (int("composite_num")?, int("composite_den")?);
    let mut out = Values::new();
    for i in 0..ids.len() {
        if let (Some(id), Some(n), Some(d)) = (&ids[i], num[i], den[i]) {
            let r = Ratio::checked_new(i128::from(n), i128::from(d)).ok_or_else(|| {
                Error::Job(format!(
                    "diff: {RESULTS}: row {} has the composite {n}/{d}, which is no fraction",
                    i + 1
                ))
            })?;
            out.insert(id.clone(), r.to_string());
        }
    }
    Ok(out)
}

/// The `{subtest}_percentile` columns of a results frame, in its order.
pub fn percentile_columns(df: &DataFrame) -> Vec<String> {
    df.get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c.ends_with("_percentile"))
        .collect()
}

/// The `report.min_cell` a run was made with: from its pipeline file and `--set` overrides
/// as its manifest records them (10 when the file cannot be read again).
pub fn min_cell_of(run: &RunDir) -> Option<u64> {
    let p = &run.manifest["pipeline"];
    let path = p["path"].as_str()?;
    let overrides = crate::output::manifest::texts(&p["overrides"]);
    let file = (!path.ends_with("(bundled)")).then(|| Path::new(path));
    let src = crate::pipeline::source::load(run.job(), file, &overrides).ok()?;
    crate::report::min_cell(&src).ok()
}

/// The thresholds `thresholds.gifted` and `thresholds.excellent` of a run (for the
/// histograms' lines), exactly as its manifest writes them.
pub fn thresholds_of(run: &RunDir) -> [Ratio; 2] {
    let t = &run.manifest["pipeline"]["parameters"]["thresholds"];
    let get = |k: &str, default: i128| {
        match &t[k] {
            serde_json::Value::Number(n) => Ratio::parse_decimal(&n.to_string()).ok(),
            _ => None,
        }
        .unwrap_or_else(|| Ratio::from_int(default))
    };
    [get("gifted", 97), get("excellent", 92)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_run_compared_with_itself_has_no_change() {
        let a = values(&[("1", "gifted"), ("2", "excellent")]);
        assert!(compare("category", &a, &a).is_empty());
    }

    #[test]
    fn changes_are_the_differing_values_by_student_with_absent_as_empty() {
        let a = values(&[("3", "excellent"), ("1", "gifted"), ("4", "excellent")]);
        let b = values(&[("3", "gifted"), ("2", "excellent"), ("4", "excellent")]);
        let c = compare("category", &a, &b);
        let got: Vec<(&str, Option<&str>, Option<&str>)> = c
            .iter()
            .map(|c| {
                (
                    c.student_id.as_str(),
                    c.before.as_deref(),
                    c.after.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("1", Some("gifted"), None),
                ("2", None, Some("excellent")),
                ("3", Some("excellent"), Some("gifted")),
            ]
        );
    }

    #[test]
    fn changes_sort_by_student_then_kind_order() {
        let order: Vec<String> = KINDS.iter().map(|k| k.name.to_string()).collect();
        let ch = |id: &str, kind: &str| Change {
            student_id: id.into(),
            kind: kind.into(),
            before: None,
            after: None,
        };
        let mut v = vec![
            ch("2", "referral"),
            ch("1", "placement_track"),
            ch("1", "category"),
            ch("2", "category"),
        ];
        sort_changes(&mut v, &order);
        let got: Vec<(&str, &str)> = v
            .iter()
            .map(|c| (c.student_id.as_str(), c.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("1", "category"),
                ("1", "placement_track"),
                ("2", "category"),
                ("2", "referral")
            ]
        );
    }

    #[test]
    fn the_summary_counts_per_kind_sector_and_gender_with_unknown_for_the_unplaced() {
        let order: Vec<String> = KINDS.iter().map(|k| k.name.to_string()).collect();
        let ch = |id: &str, kind: &str| Change {
            student_id: id.into(),
            kind: kind.into(),
            before: None,
            after: Some("x".into()),
        };
        let changes = vec![
            ch("1", "referral"),
            ch("1", "category"),
            ch("2", "category"),
            ch("3", "category"),
        ];
        let who = BTreeMap::from([
            (
                "1".to_string(),
                Who {
                    sector: Some("hebrew".into()),
                    gender: Some("f".into()),
                    ..Default::default()
                },
            ),
            (
                "2".to_string(),
                Who {
                    sector: Some("hebrew".into()),
                    gender: Some("f".into()),
                    ..Default::default()
                },
            ),
        ]);
        let s = summarize(&changes, &order, &who);
        let got: Vec<(&str, &str, &str, u64)> = s
            .iter()
            .map(|r| {
                (
                    r.kind.as_str(),
                    r.sector.as_str(),
                    r.gender.as_str(),
                    r.students,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("category", "hebrew", "f", 2),
                ("category", "unknown", "unknown", 1),
                ("referral", "hebrew", "f", 1),
            ]
        );
    }

    #[test]
    fn parameters_that_differ_are_listed_by_dotted_key_with_both_values() {
        let a = serde_json::json!({"pipeline": {"parameters": {
            "thresholds": {"gifted": 97.0, "excellent": 92.0}, "ties": "include"}}});
        let b = serde_json::json!({"pipeline": {"parameters": {
            "thresholds": {"gifted": 96.0, "excellent": 92.0}, "ties": "include", "new": 1}}});
        let rows = differing_parameters(&a, &b);
        assert_eq!(
            rows,
            [
                ParameterRow {
                    key: "new".into(),
                    before: None,
                    after: Some("1".into())
                },
                ParameterRow {
                    key: "thresholds.gifted".into(),
                    before: Some("97.0".into()),
                    after: Some("96.0".into())
                },
            ]
        );
        assert!(differing_parameters(&a, &a).is_empty());
    }

    #[test]
    fn values_join_columns_and_several_rows_of_a_student_and_skip_rows_without_one() {
        let df = df!(
            "student_id" => [Some("9"), Some("9"), None, Some("8")],
            "track_id" => ["T2", "T1", "T3", "T1"],
            "class_no" => [Some(1i64), Some(2), Some(1), None],
        )
        .unwrap();
        let v = values_of(&df, "t", &["track_id", "class_no"]).unwrap();
        assert_eq!(v, values(&[("8", "T1/"), ("9", "T1/2;T2/1")]));
        let yes = values_of(&df, "t", &[]).unwrap();
        assert_eq!(yes, values(&[("8", "yes"), ("9", "yes")]));
    }

    #[test]
    fn composites_are_exact_reduced_fractions() {
        let df = df!(
            "student_id" => ["1", "2", "3"],
            "composite_num" => [Some(1931i64), Some(194), None],
            "composite_den" => [Some(20i64), Some(2), None],
        )
        .unwrap();
        assert_eq!(
            composites(&df).unwrap(),
            values(&[("1", "1931/20"), ("2", "97")])
        );
    }

    #[test]
    fn thresholds_are_read_exactly_from_the_manifest() {
        let run = RunDir {
            dir: PathBuf::new(),
            manifest: serde_json::json!({"pipeline": {"parameters": {
                "thresholds": {"gifted": 96.5, "excellent": 92.0}}}}),
        };
        assert_eq!(
            thresholds_of(&run),
            [Ratio::new(193, 2), Ratio::from_int(92)]
        );
    }
}
