//! Phase `identification` (gifted.md §3): stage B scores to national norms, exact composites
//! and categories; the confidential norm table and results, the cut-offs, and the school and
//! program lists (which carry no score, percentile or rank).
use crate::error::{Error, Result};
use crate::jobs::gifted::enrichment::{centers_of, ServingCenters};
use crate::jobs::gifted::identification::outputs::{
    per_school, reached, school_list_rows, CutoffRow, NormTableOutRow, ProgramListRow,
    ResultTableRow, SchoolListRow,
};
use crate::jobs::gifted::identification::{
    identify_with_population, IdentificationOutput, RosterStudent, StageBRow,
};
use crate::jobs::gifted::inputs::{NormTableRow, StageBScoreRow};
use crate::jobs::gifted::letters;
use crate::jobs::gifted::norms::ReferenceRow;
use crate::jobs::gifted::roster::{norm_population, Roster, Student};
use crate::jobs::gifted::school_folder;
use crate::jobs::gifted::{default_group_value, norm_group, Category, Sector};
use crate::jobs::letters::LetterRequest;
use crate::jobs::report::Counts;
use crate::output;
use crate::output::rows::Layout;
use crate::output::table::{make_tables, OutputTable};
use crate::output::write::Formats;
use crate::pipeline::gifted::{GiftedElementary, GroupBy};
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};
use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::PlSmallStr;
use rayon::prelude::*;
use std::collections::BTreeMap;

fn group_names(s: &GiftedElementary) -> Vec<&'static str> {
    s.norms
        .group_by
        .iter()
        .map(|g| match g {
            GroupBy::SchoolYear => "school_year",
            GroupBy::Sector => "sector",
            GroupBy::Grade => "grade",
        })
        .collect()
}

fn group_of(names: &[&str], year: i64, sector: Sector, grade: i64) -> String {
    norm_group(names, |c| default_group_value(c, year, sector, grade)).unwrap_or_default()
}

/// What identification decided, for the letters and the placement phase.
pub struct Identification {
    pub output: IdentificationOutput,
    /// Stage B rows the job's rules reject, for the input's rejects.
    pub rejects: Vec<Reject>,
    /// Valid stage B rows the regulation leaves out, for the input's exclusions.
    pub exclusions: Vec<Exclusion>,
}

/// The `stage_b_scores` rows, each with its source row number (for the job's rejects).
fn stage_b_rows(inputs: &InputSet) -> Result<Vec<StageBRow<'_>>> {
    let t = inputs.table("stage_b_scores")?;
    Ok(rows::<StageBScoreRow>(t)?
        .into_iter()
        .zip(t.row_numbers())
        .map(|(r, row_number)| r.into_row(row_number))
        .collect())
}

/// The `norm_tables` rows (reference mode), each in the norm group of its cohort.
fn reference_rows(inputs: &InputSet, names: &[&str]) -> Result<Vec<ReferenceRow>> {
    let Some(t) = inputs.get("norm_tables") else {
        return Ok(Vec::new());
    };
    Ok(rows::<NormTableRow>(t)?
        .into_iter()
        .map(|r| ReferenceRow {
            norm_group: group_of(names, r.school_year, r.sector, r.grade),
            subtest: r.subtest.to_string(),
            raw_score: r.raw_score,
            percentile: r.percentile,
        })
        .collect())
}

/// Runs the identification phase. Stage B rows the job's rules reject (`grade_not_tested`,
/// …) are returned in `Identification::rejects` (for `InputSet::add_job_rejects`), the rows the
/// regulation leaves out (`institution_not_participating`, `other_school_year`,
/// `grade_not_tested`) in `Identification::exclusions` (for `InputSet::add_exclusions`).
pub fn run(
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &Roster,
    reconciliation: &mut Counts,
) -> Result<(Identification, Vec<OutputTable>)> {
    let p = s.identification();
    let names = group_names(s);
    let rows = stage_b_rows(inputs)?;
    let reference = reference_rows(inputs, &names)?;
    // Students are looked up one by one; the norm population N of each group comes from
    // the roster's census of participating students.
    let population = norm_population(
        &roster.census,
        &p.stage_b_grades_hebrew,
        &p.stage_b_grades_arabic,
        |year, sector, grade| group_of(&names, year, sector, grade),
    );
    // The roster may hold other phases' students too: only those with stage B rows matter.
    // (In roster order; a student's rows usually come together, looked up once.)
    let mut at: Vec<usize> = Vec::with_capacity(rows.len());
    let mut last: Option<&str> = None;
    for r in &rows {
        if last != Some(r.student_id.as_ref()) {
            last = Some(r.student_id.as_ref());
            at.extend(roster.position(&r.student_id));
        }
    }
    at.sort_unstable();
    at.dedup();
    let mine: Vec<&Student> = at.iter().map(|&i| &roster.students[i]).collect();
    drop(at);
    let mut groups: FastMap<(i64, Sector, i64), PlSmallStr> = FastMap::new();
    for st in &mine {
        groups
            .entry((st.school_year, st.sector, st.grade))
            .or_insert_with(|| group_of(&names, st.school_year, st.sector, st.grade).into());
    }
    let students: Vec<RosterStudent> = mine
        .par_iter()
        .map(|st| RosterStudent {
            student_id: st.student_id.clone(),
            school_year: st.school_year,
            norm_group: groups[&(st.school_year, st.sector, st.grade)].clone(),
            sector: st.sector,
            grade: st.grade,
            participating: st.participating,
        })
        .collect();
    drop(mine);
    let output = identify_with_population(&p, &students, &population, &rows, &reference)
        .map_err(|e| Error::Job(format!("identification: {e}")))?;

    let (excluded, rejected): (Vec<_>, Vec<_>) = output
        .rejects
        .iter()
        .partition(|r| r.rule.exclusion().is_some());
    let exclusions: Vec<Exclusion> = excluded
        .iter()
        .filter_map(|r| {
            let why = r.rule.exclusion()?;
            Some(why.of_row("stage_b_scores", r.row_number, &r.student_id))
        })
        .collect();
    let rejects: Vec<Reject> = rejected
        .iter()
        .map(|r| Reject {
            table: "stage_b_scores".into(),
            row_number: r.row_number,
            column: "student_id".into(),
            value: r.student_id.clone(),
            rule: r.rule.as_str().into(),
            message: r.rule.message().to_string(),
        })
        .collect();

    let mut rec = BTreeMap::new();
    for c in [
        Category::Gifted,
        Category::Excellent,
        Category::NotEligible,
        Category::Incomplete,
        Category::Removed,
    ] {
        let n = output.results.iter().filter(|r| r.category == c).count();
        rec.insert(format!("category_{}", c.as_str()), n as i64);
    }
    rec.insert("results".into(), output.results.len() as i64);
    rec.insert("stage_b_rows_rejected_by_job".into(), rejects.len() as i64);
    rec.insert("stage_b_rows_excluded".into(), exclusions.len() as i64);
    reconciliation.insert("identification".into(), rec);

    // The students who reached a program, by school: the school and program lists.
    let reached = reached(roster, &output);
    let list_rows = school_list_rows(roster, &reached);
    let tables = make_tables(vec![
        Box::new(|| Ok(vec![norm_table(&output)?])),
        Box::new(|| Ok(vec![results_table(s, roster, &output)?])),
        Box::new(|| Ok(vec![cutoffs_table(s, &output)?])),
        Box::new(|| {
            let t = output::rows::table("school_lists", &list_rows, Formats::ParquetAndCsv)?;
            Ok(vec![t])
        }),
        Box::new(|| Ok(vec![program_lists(inputs, roster, &reached)?])),
        Box::new(|| per_school_lists(&list_rows)),
    ])?;
    Ok((
        Identification {
            output,
            rejects,
            exclusions,
        },
        tables,
    ))
}

/// The letter of each result whose category has one (gifted.md §7).
pub fn letter_requests(ident: &Identification) -> Result<Vec<LetterRequest>> {
    let mut requests = Vec::new();
    for r in &ident.output.results {
        if let Some(k) = r.category.letter_kind() {
            requests.push(LetterRequest::new(r.student_id.clone(), letters::kind(k)?));
        }
    }
    Ok(requests)
}

fn norm_table(o: &IdentificationOutput) -> Result<OutputTable> {
    let rows: Vec<NormTableOutRow> = o.norm_table.iter().map(NormTableOutRow::from).collect();
    output::rows::table("confidential/norm_table", &rows, Formats::Parquet)
}

fn results_table(
    s: &GiftedElementary,
    roster: &Roster,
    o: &IdentificationOutput,
) -> Result<OutputTable> {
    let rows: Vec<ResultTableRow> = o
        .results
        .iter()
        .map(|r| ResultTableRow::new(r, roster.enrolled(&r.student_id), s.subtests.len()))
        .collect();
    Layout::of("results")?.with_subtests(&s.subtests).table(
        "confidential/results",
        &rows,
        Formats::Parquet,
    )
}

fn cutoffs_table(s: &GiftedElementary, o: &IdentificationOutput) -> Result<OutputTable> {
    let n = s.subtests.len();
    let rows: Vec<CutoffRow> = o.cutoffs.iter().map(|c| CutoffRow::new(c, n)).collect();
    Layout::of("cutoffs")?.with_subtests(&s.subtests).table(
        "cutoffs",
        &rows,
        Formats::ParquetAndCsv,
    )
}

fn per_school_lists(rows: &[SchoolListRow]) -> Result<Vec<OutputTable>> {
    // Each school's CSV has the columns of `school_lists`.
    // Thousands of schools: their files are made side by side (in order, so the same bytes).
    let lists: Vec<&[SchoolListRow]> = per_school(rows).collect();
    lists
        .par_iter()
        .map(|list| {
            let stem = format!("{}/school_list", school_folder(list[0].institution_id));
            output::rows::csv_list(&stem, "school_lists", list)
        })
        .collect()
}

/// `program_lists`: per enrichment center serving the student's residence authority, the
/// entitled students (§2.6.ד, §2.8.ב). Students of an authority no center serves are listed
/// with an empty center, not dropped.
fn program_lists(
    inputs: &InputSet,
    roster: &Roster,
    reached: &[(&crate::jobs::gifted::roster::Student, &'static str)],
) -> Result<OutputTable> {
    let rows_of_centers = match inputs.get("enrichment_centers") {
        Some(t) => rows(t)?,
        None => Vec::new(),
    };
    let (centers, names) = centers_of(rows_of_centers);
    let serving = ServingCenters::new(&centers);
    let center = |st: &crate::jobs::gifted::roster::Student| {
        let sector = Some(roster.institution(st).sector);
        serving
            .center_for(&st.residence_authority_id, sector)
            .map(|c| (c.center_id.clone(), names[&c.center_id].clone()))
    };
    let centers_of_students: Vec<Option<(String, String)>> =
        reached.iter().map(|&(st, _)| center(st)).collect();
    type Row<'a> = (
        Option<&'a (String, String)>,
        &'a crate::jobs::gifted::roster::Student,
        &'static str,
    );
    let mut rows: Vec<Row> = reached
        .iter()
        .zip(&centers_of_students)
        .map(|(&(st, p), c)| (c.as_ref(), st, p))
        .collect();
    rows.sort_by(|a, b| {
        (a.0.map(|c| &c.0), a.2, &a.1.student_id).cmp(&(b.0.map(|c| &c.0), b.2, &b.1.student_id))
    });
    let rows: Vec<ProgramListRow> = rows
        .iter()
        .map(|&(center, st, program)| ProgramListRow {
            center_id: center.map(|c| c.0.as_str()),
            center_name: center.map(|c| c.1.as_str()),
            residence_authority_id: &st.residence_authority_id,
            program,
            student_id: &st.student_id,
            first_name: &st.first_name,
            last_name: &st.last_name,
            institution_id: &st.institution_id,
            grade: st.grade,
        })
        .collect();
    output::rows::table_in_year(
        "program_lists",
        roster.school_year(),
        &rows,
        Formats::ParquetAndCsv,
    )
}
