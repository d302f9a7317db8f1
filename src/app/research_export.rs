//! `itur run research-export`: wiring only (docs/research-export.md). Reads the key, each
//! finished gifted-elementary run (its manifest, `confidential/results`, placements and
//! enrichment groups) and the roster it was made from, hands them to
//! `jobs::research_export`, and writes the year's partitions, the codebook and the manifest
//! into the dataset (`output::partitions`). The key is held only in the pseudonymizer: it is
//! never logged or written.
use super::inputs;
use super::record::RunRecord;
use crate::cli::RunArgs;
use crate::error::{Error, Result};
use crate::jobs::research_export::aggregates::{aggregate, Counted};
use crate::jobs::research_export::pseudonym::{Pseudonymizer, MIN_KEY_BYTES};
use crate::jobs::research_export::tables::{self, InstitutionIn, StudentIn};
use crate::output::manifest::InputEntry;
use crate::output::parquet::parquet_bytes;
use crate::output::partitions::Dataset;
use crate::output::rows::Layout;
use crate::output::write::CsvFile;
use crate::pipeline::research_export::ResearchExport;
use crate::pipeline::PipelineSource;
use crate::table::rows::rows;
use crate::table::validate::{load_inputs, TableNeed};
use crate::table::{InputSet, Table};
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The dataset's tables: (folder, schema).
pub const TABLES: [(&str, &str); 7] = [
    ("students", "research_students"),
    ("stage_a", "research_stage_a"),
    ("stage_b", "research_stage_b"),
    ("results", "research_results"),
    ("placements", "research_placements"),
    ("enrichment", "research_enrichment"),
    ("aggregates", "research_aggregates"),
];

/// The roster tables read.
const ROSTER: [TableNeed; 4] = [
    TableNeed::new("institutions", true),
    TableNeed::new("students", true),
    TableNeed::new("stage_a_scores", false),
    TableNeed::new("stage_b_scores", false),
];

pub fn run(src: &PipelineSource, a: &RunArgs) -> Result<()> {
    let settings = ResearchExport::from_source(src)?;
    let key = read_key(a.research.key_file.as_deref())?;
    for input in &a.input {
        inputs::check_out_not_input(input, &a.out)?;
    }
    let mut rec = inputs::start_run("research-export", None, src, &settings);
    let mut dataset = Dataset::open(&a.out, "research-export")?;
    let mut years = BTreeSet::new();
    for input in &a.input {
        let run = Run::read(input, a.research.roster.as_deref())?;
        let done = rec.report.steps.run("export a run", || {
            export_run(&mut years, &mut dataset, &key, &settings, &run)
        });
        let (year, counts) = done?;
        rec.report.reconciliation.insert(year.to_string(), counts);
        tracing::info!(school_year = year, input = %input.display(), "exported school year {year} from {}", input.display());
        record_inputs(&mut rec, &run, year);
    }
    let (codebook, rows) = codebook()?;
    dataset.write_top("codebook.csv", &codebook, Some(rows))?;
    let manifest = manifest(&rec, &dataset, &years)?;
    let path = dataset.root().display().to_string();
    dataset.commit(&manifest)?;
    tracing::info!(out = %path, "wrote {path}");
    Ok(())
}

/// Reads the key (docs/research-export.md §2): a regular file of at least 32 bytes that other
/// users cannot read. Every refusal is a usage error (exit 2) that names the file, never its
/// content.
fn read_key(path: Option<&Path>) -> Result<Pseudonymizer> {
    let path = path.ok_or_else(|| {
        Error::Usage(format!(
            "research-export needs --key-file FILE, a private file of at least {MIN_KEY_BYTES} random bytes (e.g. `head -c 32 /dev/urandom > FILE; chmod 600 FILE`)"
        ))
    })?;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Usage(format!("--key-file {shown} cannot be read: {e}")))?;
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "--key-file {shown} is not a regular file"
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o004 != 0 {
            return Err(Error::Usage(format!(
                "--key-file {shown} is readable by every user of the machine; make it private first (`chmod 600 {shown}`)"
            )));
        }
    }
    let key = std::fs::read(path)
        .map_err(|e| Error::Usage(format!("--key-file {shown} cannot be read: {e}")))?;
    Pseudonymizer::new(&key).ok_or_else(|| {
        Error::Usage(format!(
            "--key-file {shown} holds {} bytes; a pseudonym key needs at least {MIN_KEY_BYTES}",
            key.len()
        ))
    })
}

/// A finished gifted-elementary run, read.
struct Run {
    dir: PathBuf,
    roster_dir: PathBuf,
    roster: InputSet,
    /// `confidential/results`, validated (its categories), and whole as written (its
    /// per-subtest percentiles, which a schema names as one pattern).
    results: InputSet,
    results_df: DataFrame,
    /// `placements` and `enrichment_groups` of the run (absent when placement did not run).
    placement: InputSet,
}

impl Run {
    fn read(dir: &Path, roster: Option<&Path>) -> Result<Run> {
        let shown = dir.display();
        let m = crate::output::manifest::read_of_output(dir, "--input")?;
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
        let subtests: Vec<String> = m["pipeline"]["parameters"]["subtests"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let recorded = m["inputs"].as_array().and_then(|inputs| {
            inputs
                .iter()
                .find(|i| i["table"] == "students")
                .and_then(|i| i["path"].as_str())
                .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        });
        let roster_dir = match (roster, recorded) {
            (Some(r), _) => r.to_path_buf(),
            (None, Some(r)) => r,
            (None, None) => {
                return Err(Error::Usage(format!(
                    "--input {shown}: its manifest records no students input; give the roster with --roster DIR"
                )))
            }
        };
        let confidential = dir.join("confidential");
        if !confidential.join("results.parquet").is_file() {
            return Err(Error::Usage(format!(
                "--input {shown} has no confidential/results.parquet: export a run whose identification phase ran"
            )));
        }
        let params = BTreeMap::from([("subtests".to_string(), subtests.clone())]);
        let roster = load_inputs(&roster_dir, &ROSTER, &params)?;
        let results = load_inputs(&confidential, &[TableNeed::new("results", true)], &params)?;
        let path = confidential.join("results.parquet");
        let rejected = results.table("results")?.rows_rejected;
        if rejected > 0 {
            return Err(Error::input(
                &path,
                format!("{rejected} rows fail the results schema; a run's results are exported whole or not at all"),
            ));
        }
        let results_df = crate::table::parquet_read::read_whole(&path)?;
        // The run's placements and enrichment groups (absent when placement did not run).
        let files: Vec<(&'static str, PathBuf)> = ["placements", "enrichment_groups"]
            .into_iter()
            .map(|t| (t, dir.join(format!("{t}.parquet"))))
            .filter(|(_, p)| p.is_file())
            .collect();
        let placement = crate::table::validate::load_parquet_files(dir, &files, &params)?;
        Ok(Run {
            dir: dir.to_path_buf(),
            roster_dir,
            roster,
            results,
            results_df,
            placement,
        })
    }
}

/// The school year of a roster: every student's, which must be one.
fn school_year(students: &[StudentIn], roster: &Path) -> Result<i64> {
    let years: BTreeSet<i64> = students.iter().map(|s| s.school_year).collect();
    match years.iter().collect::<Vec<_>>().as_slice() {
        [y] => Ok(**y),
        [] => Err(Error::Usage(format!(
            "the roster {} has no students",
            roster.display()
        ))),
        many => Err(Error::Usage(format!(
            "the roster {} holds students of several school years ({}); a gifted-elementary run is of one",
            roster.display(),
            many.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Writes one run's partitions; returns its school year and, per table, the rows read and
/// written (rows of another school year than the roster's are counted, not written: they
/// belong to another run). `years`: the years written so far
/// (a year twice is refused: two `--input` runs of one year).
fn export_run(
    years: &mut BTreeSet<i64>,
    dataset: &mut Dataset,
    p: &Pseudonymizer,
    settings: &ResearchExport,
    run: &Run,
) -> Result<(i64, BTreeMap<String, i64>)> {
    let students: Vec<StudentIn> = rows(run.roster.table("students")?)?;
    let year = school_year(&students, &run.roster_dir)?;
    if !years.insert(year) {
        return Err(Error::Usage(format!(
            "two --input runs are of school year {year} ({} is the second); give one run per school year",
            run.dir.display()
        )));
    }
    let institutions: Vec<InstitutionIn> = rows(run.roster.table("institutions")?)?;
    let institutions: BTreeMap<&str, InstitutionIn> = institutions
        .into_iter()
        .map(|i| (i.institution_id, i))
        .collect();
    let mut counts = BTreeMap::new();
    let part = |table: &str| format!("{table}/school_year={year}");
    let mut write = |dataset: &mut Dataset, table: &str, schema: &'static str, df: DataFrame| {
        let s = crate::table::schema::get(schema)
            .ok_or_else(|| Error::Job(format!("no schema `{schema}`")))?;
        let bytes = parquet_bytes(&df, Some(s))?;
        counts.insert(format!("{table}_written"), df.height() as i64);
        dataset.write_partition(&part(table), "part-0.parquet", &bytes, Some(df.height()))
    };

    let out = tables::students(p, year, &students, &institutions);
    write(
        dataset,
        "students",
        "research_students",
        Layout::of("research_students")?.frame(&out)?,
    )?;
    let stage_a: Vec<tables::StageAIn> = optional_rows(&run.roster, "stage_a_scores")?;
    let out = tables::stage_a(p, year, &stage_a);
    write(
        dataset,
        "stage_a",
        "research_stage_a",
        Layout::of("research_stage_a")?.frame(&out)?,
    )?;
    let stage_b: Vec<tables::StageBIn> = optional_rows(&run.roster, "stage_b_scores")?;
    let out = tables::stage_b(p, year, &stage_b);
    write(
        dataset,
        "stage_b",
        "research_stage_b",
        Layout::of("research_stage_b")?.frame(&out)?,
    )?;
    let results = run.results.table("results")?;
    write(
        dataset,
        "results",
        "research_results",
        results_frame(p, year, &run.results_df)?,
    )?;
    let placements: Vec<tables::PlacementIn> = optional_rows(&run.placement, "placements")?;
    let out = tables::placements(p, year, &placements);
    write(
        dataset,
        "placements",
        "research_placements",
        Layout::of("research_placements")?.frame(&out)?,
    )?;
    let enrichment: Vec<tables::EnrichmentIn> = optional_rows(&run.placement, "enrichment_groups")?;
    let out = tables::enrichment(p, &enrichment);
    write(
        dataset,
        "enrichment",
        "research_enrichment",
        Layout::of("research_enrichment")?.frame(&out)?,
    )?;

    // Open counts (§5).
    let categories = categories(results, year)?;
    let counted: Vec<Counted> = students
        .iter()
        .map(|s| {
            let i = institutions.get(s.institution_id);
            Counted {
                sector: i.map_or("unknown", |i| i.sector),
                region_id: i.map_or("unknown", |i| i.region_id),
                gender: s.gender,
                category: categories.get(s.student_id).copied().unwrap_or("no_result"),
            }
        })
        .collect();
    let out = aggregate(&counted, settings.min_cell);
    write(
        dataset,
        "aggregates",
        "research_aggregates",
        Layout::of("research_aggregates")?.frame(&out)?,
    )?;
    let read = [
        ("students", students.len()),
        ("stage_a", stage_a.len()),
        ("stage_b", stage_b.len()),
        ("results", run.results_df.height()),
        ("placements", placements.len()),
        ("enrichment", enrichment.len()),
    ];
    for (table, n) in read {
        counts.insert(format!("{table}_read"), n as i64);
    }
    Ok((year, counts))
}

/// Typed rows of a table that may be absent (no rows then).
fn optional_rows<'a, T: serde::Deserialize<'a>>(set: &'a InputSet, table: &str) -> Result<Vec<T>> {
    set.get(table).map_or(Ok(Vec::new()), |t| rows(t))
}

/// Each student's category in the results of `year`.
fn categories(results: &Table, year: i64) -> Result<HashMap<&str, &str>> {
    let ids = results.text("student_id")?;
    let cats = results.text("category")?;
    let years = int_column(results, "school_year")?;
    let mut out = HashMap::new();
    for i in 0..ids.len() {
        if let (Some(id), Some(c), Some(y)) = (ids.get(i), cats.get(i), years.get(i)) {
            if y == year {
                out.insert(id, c);
            }
        }
    }
    Ok(out)
}

fn int_column<'a>(t: &'a Table, name: &str) -> Result<&'a Int64Chunked> {
    t.df.column(name)
        .and_then(|c| c.i64())
        .map_err(|e| Error::Job(format!("{}: column `{name}`: {e}", t.schema.name)))
}

/// `results` of `year` with the pseudonym in place of the ID and without the year (the
/// partition's), sorted by pseudonym; every other column as the run wrote it.
fn results_frame(p: &Pseudonymizer, year: i64, results: &DataFrame) -> Result<DataFrame> {
    let err = |e: PolarsError| Error::Job(format!("research-export results: {e}"));
    let ids = results
        .column("student_id")
        .and_then(|c| c.str())
        .map_err(err)?;
    let years = results
        .column("school_year")
        .and_then(|c| c.i64())
        .map_err(err)?;
    let keep: BooleanChunked = years.iter().map(|y| Some(y == Some(year))).collect();
    let pids: Vec<Option<String>> = ids.iter().map(|id| id.map(|id| p.student(id))).collect();
    let mut columns = vec![Column::new("student_pid".into(), pids)];
    for c in results.columns() {
        if !matches!(c.name().as_str(), "student_id" | "school_year") {
            columns.push(c.clone());
        }
    }
    let df = DataFrame::new(results.height(), columns).map_err(err)?;
    let df = df.filter(&keep).map_err(err)?;
    df.sort(["student_pid"], SortMultipleOptions::default())
        .map_err(err)
}

/// Records a run's inputs: each table read, under its school year.
fn record_inputs(rec: &mut RunRecord, run: &Run, year: i64) {
    for set in [&run.roster, &run.results, &run.placement] {
        for t in set.ordered() {
            let mut e = InputEntry::of(t);
            e.table = format!("{year}/{}", e.table);
            rec.inputs.push(e);
        }
        // The results' per-subtest columns, which validation leaves aside, are read whole.
        let read_whole = |w: &&String| {
            std::ptr::eq(set, &run.results) && w.contains("extra columns are ignored")
        };
        for w in set.warnings.iter().filter(|w| !read_whole(w)) {
            rec.report.warn(w.clone());
        }
    }
}

/// `codebook.csv` (§4): every column of every table of the dataset, from `schemas/`, with the
/// partition key `school_year` first.
fn codebook() -> Result<(Vec<u8>, usize)> {
    let s = crate::table::schema::get("research_codebook")
        .ok_or_else(|| Error::Job("no schema `research_codebook`".into()))?;
    let header: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
    let mut csv = CsvFile::new(&header)?;
    for (table, schema) in TABLES {
        let t = crate::table::schema::get(schema)
            .ok_or_else(|| Error::Job(format!("no schema `{schema}`")))?;
        csv.row(&[
            table,
            "school_year",
            "int",
            "School year (2027 = 2026/27): the partition key, in the folder name school_year=YYYY, not inside the files.",
            "שנת לימודים",
            "",
        ])?;
        for c in &t.columns {
            csv.row(&[
                table,
                &c.name,
                c.ty.name(),
                &c.description,
                &c.hebrew,
                &c.values.join(";"),
            ])?;
        }
    }
    csv.finish()
}

/// The dataset's manifest: the run's record, and that the dataset is confidential-grade.
fn manifest(rec: &RunRecord, dataset: &Dataset, years: &BTreeSet<i64>) -> Result<Vec<u8>> {
    let m = rec.manifest(dataset.files(), 0, None);
    let mut v = serde_json::to_value(&m).map_err(|e| Error::Job(format!("manifest: {e}")))?;
    let mut all: BTreeSet<i64> = years.clone();
    if let Ok(entries) = std::fs::read_dir(dataset.root().join("students")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(y) = name
                .strip_prefix("school_year=")
                .and_then(|y| y.parse().ok())
            {
                all.insert(y);
            }
        }
    }
    v["classification"] = "confidential".into();
    v["classification_note"] = "Confidential-grade research data: pseudonymized, but scores, percentiles and categories of identifiable groups. Release only under a data-use agreement inside a secure research environment; aggregates/ alone is for open publication.".into();
    v["pseudonyms"] =
        "HMAC-SHA256(key, \"student:\" || id), first 16 bytes, hex; the key is not in this dataset"
            .into();
    v["school_years_written"] = serde_json::json!(years);
    v["school_years"] = serde_json::json!(all);
    let mut bytes =
        serde_json::to_vec_pretty(&v).map_err(|e| Error::Job(format!("manifest: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}
