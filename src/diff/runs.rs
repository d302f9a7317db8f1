//! The two runs `itur diff` compares, read and compared (docs/diff.md): the tables each kind
//! of change comes from ([`Tables`]), the changes and score changes between them
//! ([`compare`]), each student's sector, district, grade and gender ([`Who`], from the runs'
//! tables and, for the gender, the roster a run's manifest names), and a run's report
//! section fed those students ([`report_section`]).
use crate::diff::{self, Change, RunDir, Values, Who, KINDS, RESULTS, SCORE_KINDS};
use crate::error::{Error, Result};
use crate::output::manifest::InputEntry;
use crate::report::Section;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The tables of a run the comparison and the report sections read (besides
/// `confidential/results`).
const TABLES: [&str; 9] = [
    "school_lists",
    "stage_b_invitations",
    "interview_invitations",
    "placements",
    "waitlist",
    "enrichment_groups",
    "placement_tracks",
    "unserved",
    "cutoffs",
];

/// The tables of one run that `itur diff` reads, each with its input entry.
pub struct Tables {
    frames: BTreeMap<&'static str, DataFrame>,
    /// The manifest's entry of each file read.
    pub inputs: Vec<InputEntry>,
}

impl Tables {
    /// The tables of `run`, their manifest entries named `<side>/<stem>`.
    pub fn read(run: &RunDir, side: &str) -> Result<Tables> {
        let mut t = Tables {
            frames: BTreeMap::new(),
            inputs: Vec::new(),
        };
        for stem in TABLES.iter().copied().chain([RESULTS]) {
            if let Some(path) = run.table_file(stem) {
                let df = crate::table::parquet_read::read_whole(&path)?;
                t.inputs
                    .push(entry(&format!("{side}/{stem}"), &path, df.height())?);
                t.frames.insert(stem, df);
            }
        }
        Ok(t)
    }

    fn get(&self, stem: &str) -> Option<&DataFrame> {
        self.frames.get(stem)
    }
}

/// The manifest's entry of a file read whole.
fn entry(table: &str, path: &Path, rows: usize) -> Result<InputEntry> {
    let data =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    Ok(InputEntry {
        table: table.to_string(),
        path: std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string(),
        format: "parquet".into(),
        bytes: data.len() as u64,
        sha256: crate::table::read::sha256_hex(&data),
        rows_read: rows,
        rows_accepted: rows,
        rows_excluded: 0,
        rows_rejected: 0,
        rows_in_file: None,
        read_for: None,
    })
}

/// What two runs' tables differ by.
pub struct Made {
    /// The published changes, by kind ([`KINDS`]).
    pub changes: Vec<Change>,
    /// The confidential ones ([`SCORE_KINDS`] and the percentiles).
    pub scores: Vec<Change>,
    /// Each student of either run.
    pub who: BTreeMap<String, Who>,
    /// A table one run has and the other has not.
    pub warnings: Vec<String>,
}

/// Run A's tables `ta` against run B's `tb`; a roster read for the students' gender is
/// added to `inputs`.
pub fn compare(
    ta: &Tables,
    tb: &Tables,
    runs_b_first: &[&RunDir],
    inputs: &mut Vec<InputEntry>,
) -> Result<Made> {
    let mut warnings = Vec::new();
    let mut changes = Vec::new();
    for k in KINDS {
        match (ta.get(k.stem), tb.get(k.stem)) {
            (Some(a), Some(b)) => {
                let va = diff::values_of(a, k.stem, k.columns)?;
                let vb = diff::values_of(b, k.stem, k.columns)?;
                changes.extend(diff::compare(k.name, &va, &vb));
            }
            (None, None) => {}
            (a, _) => warnings.push(format!(
                "{} is in {} only: changes of kind {} are not compared",
                k.stem,
                if a.is_some() { "OUT_A" } else { "OUT_B" },
                k.name
            )),
        }
    }
    let order: Vec<String> = KINDS.iter().map(|k| k.name.to_string()).collect();
    diff::sort_changes(&mut changes, &order);
    let mut scores = Vec::new();
    let mut score_order: Vec<String> = SCORE_KINDS.iter().map(|s| s.to_string()).collect();
    match (ta.get(RESULTS), tb.get(RESULTS)) {
        (Some(a), Some(b)) => {
            scores.extend(diff::compare(
                "category",
                &diff::values_of(a, RESULTS, &["category"])?,
                &diff::values_of(b, RESULTS, &["category"])?,
            ));
            scores.extend(diff::compare(
                "composite",
                &diff::composites(a)?,
                &diff::composites(b)?,
            ));
            let mut cols = diff::percentile_columns(a);
            for c in diff::percentile_columns(b) {
                if !cols.contains(&c) {
                    cols.push(c);
                }
            }
            for c in &cols {
                let side = |df: &DataFrame| -> Result<Values> {
                    match df.column(c) {
                        Ok(_) => diff::values_of(df, RESULTS, &[c.as_str()]),
                        Err(_) => Ok(Values::new()),
                    }
                };
                scores.extend(diff::compare(c, &side(a)?, &side(b)?));
            }
            score_order.extend(cols);
        }
        (None, None) => {}
        (a, _) => warnings.push(format!(
            "{RESULTS} is in {} only: score changes are not compared",
            if a.is_some() { "OUT_A" } else { "OUT_B" }
        )),
    }
    diff::sort_changes(&mut scores, &score_order);
    let who = people(&[tb, ta], runs_b_first, inputs)?;
    Ok(Made {
        changes,
        scores,
        who,
        warnings,
    })
}

/// Each student of either run's results or stage B invitations, with their sector, district,
/// grade and gender: from run B's tables, then run A's; a gender no output holds (only the
/// placement tables have one) from the students roster a run's manifest names, when it is
/// still there and is Parquet.
fn people(
    tables: &[&Tables],
    runs: &[&RunDir],
    inputs: &mut Vec<InputEntry>,
) -> Result<BTreeMap<String, Who>> {
    let mut who: BTreeMap<String, Who> = BTreeMap::new();
    let mut fill =
        |df: &DataFrame, stem: &str, col: &str, set: fn(&mut Who, String)| -> Result<()> {
            let ids = diff::column_texts(df, stem, "student_id")?;
            let vals = diff::column_texts(df, stem, col)?;
            for (id, v) in ids.into_iter().zip(vals) {
                if let (Some(id), Some(v)) = (id, v) {
                    set(who.entry(id).or_default(), v);
                }
            }
            Ok(())
        };
    for t in tables {
        for (stem, col, set) in [
            (RESULTS, "sector", set_sector as fn(&mut Who, String)),
            ("stage_b_invitations", "sector", set_sector),
            ("stage_b_invitations", "region_id", set_region),
            (RESULTS, "grade", set_grade),
            ("stage_b_invitations", "grade", set_grade),
            ("placements", "gender", set_gender),
            ("interview_invitations", "gender", set_gender),
        ] {
            // A column an older run did not write yet is no source.
            if let Some(df) = t.get(stem).filter(|df| df.column(col).is_ok()) {
                fill(df, stem, col, set)?;
            }
        }
    }
    for r in runs {
        if who.values().all(|w| w.gender.is_some()) {
            break;
        }
        let Some(path) = roster_path(r) else { continue };
        let df = crate::table::parquet_read::guarded(&path, "reading the Parquet file", || {
            let f = std::fs::File::open(&path)
                .map_err(|e| Error::input(&path, format!("cannot be read: {e}")))?;
            ParquetReader::new(f)
                .with_columns(Some(vec!["student_id".into(), "gender".into()]))
                .finish()
                .map_err(|e| Error::input(&path, format!("cannot read the Parquet data: {e}")))
        })?;
        inputs.push(entry("students", &path, df.height())?);
        // 2.4 million students nationally: borrowed, not copied.
        let text = |name: &str| -> Result<StringChunked> {
            let c = df
                .column(name)
                .map_err(|e| Error::input(&path, format!("no column {name}: {e}")))?;
            c.as_materialized_series()
                .str()
                .cloned()
                .map_err(|e| Error::input(&path, format!("{name} is not text: {e}")))
        };
        let (ids, genders) = (text("student_id")?, text("gender")?);
        // Looked up in a hash set of the students without a gender (a few hundred
        // thousand), not in the ordered map.
        let missing: foldhash::HashSet<&str> = (who.iter())
            .filter(|(_, w)| w.gender.is_none())
            .map(|(id, _)| id.as_str())
            .collect();
        let found: Vec<(String, String)> = (ids.iter().zip(genders.iter()))
            .filter_map(|(id, g)| match (id, g) {
                (Some(id), Some(g)) if missing.contains(id) => Some((id.into(), g.into())),
                _ => None,
            })
            .collect();
        drop(missing);
        for (id, g) in found {
            if let Some(w) = who.get_mut(&id) {
                w.gender.get_or_insert(g);
            }
        }
    }
    Ok(who)
}

fn set_sector(w: &mut Who, v: String) {
    w.sector.get_or_insert(v);
}
fn set_region(w: &mut Who, v: String) {
    w.region.get_or_insert(v);
}
fn set_grade(w: &mut Who, v: String) {
    if w.grade.is_none() {
        w.grade = v.parse().ok();
    }
}
fn set_gender(w: &mut Who, v: String) {
    w.gender.get_or_insert(v);
}

/// The students roster a run's manifest names, when it is a Parquet file still there.
fn roster_path(r: &RunDir) -> Option<std::path::PathBuf> {
    let inputs = r.manifest["inputs"].as_array()?;
    let s = inputs.iter().find(|i| i["table"] == "students")?;
    if s["format"] != "parquet" {
        return None;
    }
    let p = std::path::PathBuf::from(s["path"].as_str()?);
    p.is_file().then_some(p)
}

/// A run's gifted-elementary report section, fed the frames its outputs hold and a
/// `report/students` frame made of the students' sector, district, grade and gender.
pub fn report_section(
    run: &RunDir,
    t: &Tables,
    who: &BTreeMap<String, Who>,
) -> Result<crate::report::gifted::Gifted> {
    let [gifted, excellent] = diff::thresholds_of(run);
    let capacity = run.manifest["pipeline"]["parameters"]["enrichment_group_capacity"]
        .as_u64()
        .unwrap_or(18);
    let mut s = crate::report::gifted::Gifted::new(gifted, excellent, capacity);
    // The run's own students: those of its results and stage B invitations.
    let mut own: Vec<Vec<Option<String>>> = Vec::new();
    let mut ids: Vec<&str> = Vec::new();
    for stem in [RESULTS, "stage_b_invitations"] {
        if let Some(df) = t.get(stem) {
            own.push(diff::column_texts(df, stem, "student_id")?);
        }
    }
    for v in &own {
        ids.extend(v.iter().flatten().map(String::as_str));
    }
    ids.sort_unstable();
    ids.dedup();
    let w = |id: &str| who.get(id).cloned().unwrap_or_default();
    let people: Vec<Who> = ids.iter().map(|id| w(id)).collect();
    let students = df!(
        "student_id" => ids.clone(),
        "gender" => people.iter().map(|p| p.gender.clone()).collect::<Vec<_>>(),
        "sector" => people.iter().map(|p| p.sector.clone()).collect::<Vec<_>>(),
        "region_id" => people.iter().map(|p| p.region.clone()).collect::<Vec<_>>(),
        "grade" => people.iter().map(|p| p.grade).collect::<Vec<_>>(),
    )
    .map_err(|e| Error::Job(format!("diff: the students of the report: {e}")))?;
    s.observe("report/students", &students)?;
    for stem in ["stage_b_invitations", RESULTS].into_iter().chain(
        TABLES
            .iter()
            .copied()
            .filter(|s| !matches!(*s, "stage_b_invitations" | "school_lists")),
    ) {
        if let Some(df) = t.get(stem) {
            s.observe(stem, df)?;
        }
    }
    Ok(s)
}
