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
use crate::jobs::research_export::inputs::RunManifest;
use crate::jobs::research_export::pseudonym::{Pseudonymizer, MIN_KEY_BYTES};
use crate::jobs::research_export::year::{export_year, YearIn};
use crate::jobs::research_export::{codebook::codebook, dataset_manifest, ROSTER};
use crate::output::manifest::InputEntry;
use crate::output::partitions::Dataset;
use crate::pipeline::research_export::ResearchExport;
use crate::pipeline::PipelineSource;
use crate::table::validate::{load_inputs, TableNeed};
use crate::table::InputSet;
use polars::prelude::DataFrame;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

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
        let run = RunManifest::of(&m, &shown.to_string())?;
        let roster_dir = run.roster(roster, &shown.to_string())?;
        let confidential = dir.join("confidential");
        if !confidential.join("results.parquet").is_file() {
            return Err(Error::Usage(format!(
                "--input {shown} has no confidential/results.parquet: export a run whose identification phase ran"
            )));
        }
        let params = run.check_params();
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

/// Writes one run's partitions (`jobs::research_export::year`); returns its school year and,
/// per table, the rows read and written (rows of another school year than the roster's are
/// counted, not written: they belong to another run). `years`: the years written so far (a
/// year twice is refused: two `--input` runs of one year).
fn export_run(
    years: &mut BTreeSet<i64>,
    dataset: &mut Dataset,
    p: &Pseudonymizer,
    settings: &ResearchExport,
    run: &Run,
) -> Result<(i64, BTreeMap<String, i64>)> {
    let input = YearIn {
        roster: &run.roster,
        roster_dir: &run.roster_dir,
        results: run.results.table("results")?,
        results_whole: &run.results_df,
        placement: &run.placement,
    };
    let (year, parts) = export_year(p, settings.min_cell, &input)?;
    if !years.insert(year) {
        return Err(Error::Usage(format!(
            "two --input runs are of school year {year} ({} is the second); give one run per school year",
            run.dir.display()
        )));
    }
    let mut counts = BTreeMap::new();
    for part in parts {
        if let Some(n) = part.read {
            counts.insert(format!("{}_read", part.table), n as i64);
        }
        counts.insert(format!("{}_written", part.table), part.written as i64);
        let folder = format!("{}/school_year={year}", part.table);
        dataset.write_partition(&folder, "part-0.parquet", &part.bytes, Some(part.written))?;
    }
    Ok((year, counts))
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

/// The dataset's manifest: the run's record, marked confidential-grade, with the school years
/// written and held (`jobs::research_export::dataset_manifest`).
fn manifest(rec: &RunRecord, dataset: &Dataset, years: &BTreeSet<i64>) -> Result<Vec<u8>> {
    let m = rec.manifest(dataset.files(), 0, None);
    let v = serde_json::to_value(&m).map_err(|e| Error::Job(format!("manifest: {e}")))?;
    let v = dataset_manifest(v, years, &dataset.years_held("students"));
    let mut bytes =
        serde_json::to_vec_pretty(&v).map_err(|e| Error::Job(format!("manifest: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}
