//! §5.2 of gifted.md: norms and categories of the admission test (0207 §1.8, §1.10, §2.9.א,
//! §2.11) — the identification of `gifted-elementary` ([`identify_with_population`]) run on
//! `secondary_scores`, with the secondary test grades in every sector and the norm groups of
//! `norms.group_by` (by default (school_year, grade): the sectors share one norm).
use super::inputs::NormTableRow;
use super::Params;
use crate::error::{Error, Result};
use crate::jobs::gifted::identification::{
    identify_with_population, IdentificationOutput, IdentificationParams, RosterStudent,
};
use crate::jobs::gifted::inputs::StageBScoreRow;
use crate::jobs::gifted::norms::{NormsMode, ReferenceRow};
use crate::jobs::gifted::roster::{norm_population, Roster};
use crate::jobs::gifted::{norm_group, Sector};
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet, Reject};

/// The score table.
pub const SCORES: &str = "secondary_scores";

/// A norm group's name from the `group_by` columns; `None` for a column without a value.
pub fn group_of(
    group_by: &[&str],
    year: i64,
    sector: Option<Sector>,
    grade: i64,
) -> Option<String> {
    norm_group(group_by, |c| match c {
        "school_year" => Some(year.to_string()),
        "sector" => sector.map(|s| s.as_str().to_string()),
        "grade" => Some(grade.to_string()),
        _ => None,
    })
    .ok()
}

/// The identification parameters of the admission test: its subtests, norms and thresholds,
/// normed in `test_grades` whatever the sector (gifted.md §5.2).
pub fn identification_params(params: &Params) -> IdentificationParams {
    IdentificationParams {
        subtests: params.subtests.clone(),
        norms: params.norms,
        stage_b_grades_hebrew: params.test_grades.clone(),
        stage_b_grades_arabic: params.test_grades.clone(),
    }
}

/// What scoring decided, with the score rows it rejects or leaves out.
pub struct Scored {
    pub output: IdentificationOutput,
    pub rejects: Vec<Reject>,
    pub exclusions: Vec<Exclusion>,
}

/// The `norm_tables` rows matched to groups on the `group_by` columns only (gifted.md §5.2):
/// a row without a value in a `group_by` column is an error naming it.
fn reference_rows(params: &Params, inputs: &InputSet) -> Result<Vec<ReferenceRow>> {
    let Some(t) = inputs.get("norm_tables") else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (n, r) in t.row_numbers().zip(rows::<NormTableRow>(t)?) {
        let g = group_of(&params.group_by, r.school_year, r.sector, r.grade).ok_or_else(|| {
            Error::Usage(format!(
                "norm_tables row {n}: norms.group_by names `sector`, and the row has none"
            ))
        })?;
        out.push(ReferenceRow {
            norm_group: g,
            subtest: r.subtest,
            raw_score: r.raw_score,
            percentile: r.percentile,
        });
    }
    Ok(out)
}

/// gifted.md §5.2: the results of every student with an accepted score row.
pub fn score(params: &Params, inputs: &InputSet, roster: &Roster) -> Result<Scored> {
    let p = identification_params(params);
    let Some(t) = inputs.get(SCORES) else {
        return Ok(Scored {
            output: IdentificationOutput::default(),
            rejects: Vec::new(),
            exclusions: Vec::new(),
        });
    };
    let score_rows: Vec<_> = rows::<StageBScoreRow>(t)?
        .into_iter()
        .zip(t.row_numbers())
        .map(|(r, n)| r.into_row(n))
        .collect();
    let reference = match params.norms.mode {
        NormsMode::Reference => reference_rows(params, inputs)?,
        NormsMode::Empirical => Vec::new(),
    };
    let name = |year: i64, sector: Sector, grade: i64| {
        group_of(&params.group_by, year, Some(sector), grade).unwrap_or_default()
    };
    let population = norm_population(
        &roster.census,
        &params.test_grades,
        &params.test_grades,
        name,
    );
    let students: Vec<RosterStudent> = roster
        .students
        .iter()
        .map(|s| RosterStudent {
            student_id: s.student_id.clone(),
            school_year: s.school_year,
            norm_group: name(s.school_year, s.sector, s.grade).into(),
            sector: s.sector,
            grade: s.grade,
            participating: s.participating,
        })
        .collect();
    let output = identify_with_population(&p, &students, &population, &score_rows, &reference)
        .map_err(|e| Error::Usage(format!("gifted-secondary norms: {e}")))?;
    let mut rejects = Vec::new();
    let mut exclusions = Vec::new();
    for r in &output.rejects {
        match r.rule.exclusion() {
            Some(why) => exclusions.push(why.of_row(SCORES, r.row_number, &r.student_id)),
            None => rejects.push(Reject {
                table: SCORES.into(),
                row_number: r.row_number,
                column: "student_id".into(),
                value: r.student_id.clone(),
                rule: r.rule.as_str().into(),
                message: r.rule.message().to_string(),
            }),
        }
    }
    Ok(Scored {
        output,
        rejects,
        exclusions,
    })
}
