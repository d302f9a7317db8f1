//! One run's school year, exported (docs/research-export.md §3–§5): the typed rows of the
//! roster and of the run, the minimised tables ordered by pseudonym, the open counts, each as
//! the Parquet file of its partition. The students — 2.4 million rows nationally — are made
//! and written on one side of the threads while the smaller tables are on the other, and the
//! roster's rows are let go as soon as the pseudonymized ones are made.
use super::aggregates::{aggregate, counted};
use super::inputs::{
    self, EnrichmentIn, InstitutionIn, PlacementIn, StageAIn, StageBIn, StudentIn,
};
use super::outputs::{self, Columns};
use super::pseudonym::Pseudonymizer;
use super::tables::{self, Ordered};
use crate::error::{Error, Result};
use crate::output::parquet::parquet_bytes;
use crate::output::rows::Layout;
use crate::table::rows::rows;
use crate::table::{InputSet, Table};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::path::Path;

/// What one run gives the export.
pub struct YearIn<'a> {
    /// The roster's `students`, `institutions` and (when present) `stage_a_scores`,
    /// `stage_b_scores`.
    pub roster: &'a InputSet,
    /// The roster's folder, for the messages.
    pub roster_dir: &'a Path,
    /// `confidential/results`, validated.
    pub results: &'a Table,
    /// The same, whole as written (its per-subtest percentiles).
    pub results_whole: &'a DataFrame,
    /// The run's `placements` and `enrichment_groups`, when placement ran.
    pub placement: &'a InputSet,
}

/// One table of the partition: its folder in the dataset, its Parquet file, and the rows read
/// (none for the counts, which are made, not read) and written.
#[derive(Debug)]
pub struct Part {
    pub table: &'static str,
    pub bytes: Vec<u8>,
    pub read: Option<usize>,
    pub written: usize,
}

/// The school year of the run and its partition's tables, in the order of [`super::TABLES`].
/// Rows of another school year than the roster's are read and not written (§1).
pub fn export_year(p: &Pseudonymizer, min_cell: u64, run: &YearIn) -> Result<(i64, Vec<Part>)> {
    let students = inputs::students(run.roster.table("students")?)?;
    let year = tables::school_year(&students, run.roster_dir)?;
    let institutions: Vec<InstitutionIn> = rows(run.roster.table("institutions")?)?;
    let institutions: BTreeMap<&str, InstitutionIn> = institutions
        .into_iter()
        .map(|i| (i.institution_id, i))
        .collect();
    // The open counts (§5) first: then the roster's students can go once they are
    // pseudonymized.
    let categories = tables::categories(run.results, year)?;
    let counts = aggregate(&counted(&students, &institutions, &categories), min_cell);
    drop(categories);
    let schools = &institutions;
    let (first, rest) = rayon::join(
        move || students_part(p, year, students, schools),
        || other_parts(p, year, run, &counts),
    );
    let mut parts = vec![first?];
    parts.extend(rest?);
    Ok((year, parts))
}

/// `students` (§3), from the roster's rows, which it lets go once they are pseudonymized.
fn students_part<'a>(
    p: &Pseudonymizer,
    year: i64,
    students: Vec<StudentIn<'a>>,
    institutions: &BTreeMap<&'a str, InstitutionIn<'a>>,
) -> Result<Part> {
    let read = students.len();
    let out = tables::students(p, year, &students, institutions)?;
    drop(students);
    part(
        "students",
        "research_students",
        &out,
        &outputs::students(),
        Some(read),
    )
}

/// The tables after `students`: the scores, results, placements, enrichment groups and the
/// counts `counts`.
fn other_parts(
    p: &Pseudonymizer,
    year: i64,
    run: &YearIn,
    counts: &[super::aggregates::AggregateOut],
) -> Result<Vec<Part>> {
    let mut parts = Vec::new();
    let stage_a: Vec<StageAIn> = optional_rows(run.roster, "stage_a_scores")?;
    let out = tables::stage_a(p, year, &stage_a)?;
    parts.push(part(
        "stage_a",
        "research_stage_a",
        &out,
        &outputs::stage_a(),
        Some(stage_a.len()),
    )?);
    let stage_b: Vec<StageBIn> = optional_rows(run.roster, "stage_b_scores")?;
    let out = tables::stage_b(p, year, &stage_b)?;
    parts.push(part(
        "stage_b",
        "research_stage_b",
        &out,
        &outputs::stage_b(),
        Some(stage_b.len()),
    )?);
    let results = tables::results(p, year, run.results_whole)?;
    parts.push(Part {
        table: "results",
        bytes: parquet_bytes(&results, Some(schema("research_results")?))?,
        read: Some(run.results_whole.height()),
        written: results.height(),
    });
    let placements: Vec<PlacementIn> = optional_rows(run.placement, "placements")?;
    let out = tables::placements(p, year, &placements)?;
    parts.push(part(
        "placements",
        "research_placements",
        &out,
        &outputs::placements(),
        Some(placements.len()),
    )?);
    let enrichment: Vec<EnrichmentIn> = optional_rows(run.placement, "enrichment_groups")?;
    let out = tables::enrichment(p, &enrichment)?;
    parts.push(part(
        "enrichment",
        "research_enrichment",
        &out,
        &outputs::enrichment(),
        Some(enrichment.len()),
    )?);
    let frame = Layout::of("research_aggregates")?.frame(counts)?;
    parts.push(Part {
        table: "aggregates",
        bytes: parquet_bytes(&frame, Some(schema("research_aggregates")?))?,
        read: None,
        written: frame.height(),
    });
    Ok(parts)
}

fn part<R: Sync>(
    table: &'static str,
    schema: &'static str,
    rows: &Ordered<R>,
    columns: &Columns<R>,
    read: Option<usize>,
) -> Result<Part> {
    Ok(Part {
        table,
        bytes: outputs::parquet(rows, columns, schema)?,
        read,
        written: rows.len(),
    })
}

fn schema(name: &str) -> Result<&'static crate::table::schema::TableSchema> {
    crate::table::schema::get(name).ok_or_else(|| Error::Job(format!("no schema `{name}`")))
}

/// Typed rows of a table that may be absent (no rows then).
fn optional_rows<'a, T: serde::Deserialize<'a> + Send>(
    set: &'a InputSet,
    table: &str,
) -> Result<Vec<T>> {
    set.get(table).map_or(Ok(Vec::new()), |t| rows(t))
}
