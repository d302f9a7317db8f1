//! The output tables of `gifted-secondary` (data-contract.md "Gifted secondary"): typed rows
//! through the output schemas. Scores, ranks and lottery numbers only under `confidential/`.
use super::admission::{Admission, Ranked};
use super::walk::Decision;
use crate::error::Result;
use crate::jobs::gifted::identification::outputs::{NormTableOutRow, ResultTableRow};
use crate::jobs::gifted::identification::IdentificationOutput;
use crate::jobs::gifted::norms::NormsMode;
use crate::jobs::gifted::placement::{
    lists_of_tracks, Gender, PlacementStatus, WaitReason, INVITED,
};
use crate::jobs::gifted::roster::Roster;
use crate::output;
use crate::output::rows::Layout;
use crate::output::table::OutputTable;
use crate::output::write::Formats;
use serde::Serialize;

/// A row of `confidential/candidates` (gifted.md §5.6).
#[derive(Serialize)]
struct CandidateRow<'a> {
    student_id: &'a str,
    school_year: i64,
    track_id: &'a str,
    grade: i64,
    gender: Gender,
    path: super::candidates::Path,
    score: Option<f64>,
    score_num: Option<i128>,
    score_den: Option<i128>,
    lottery_number: u64,
    rank: u32,
}

#[derive(Serialize)]
struct InvitationRow<'a> {
    student_id: &'a str,
    school_year: i64,
    track_id: &'a str,
    grade: i64,
    gender: Gender,
}

#[derive(Serialize)]
struct PlacementRow<'a> {
    student_id: &'a str,
    school_year: i64,
    track_id: &'a str,
    grade: i64,
    class_no: u8,
    gender: Gender,
    status: PlacementStatus,
}

#[derive(Serialize)]
struct WaitlistRow<'a> {
    student_id: &'a str,
    school_year: i64,
    track_id: &'a str,
    grade: i64,
    reason: WaitReason,
}

#[derive(Serialize)]
struct OutcomeRow<'a> {
    student_id: &'a str,
    school_year: i64,
    track_id: Option<&'a str>,
    path: Option<super::candidates::Path>,
    reason: Option<super::candidates::Reason>,
}

#[derive(Serialize)]
struct ContinuationRow<'a> {
    student_id: &'a str,
    school_year: i64,
}

/// A row of `cutoffs`: `n_population` is empty in reference mode (gifted.md §5.2).
#[derive(Serialize)]
struct CutoffRow<'a> {
    norm_group: &'a str,
    n_population: Option<u64>,
    n_tested: u64,
    n_gifted: u64,
    n_excellent: u64,
    subtests: Vec<Option<crate::jobs::gifted::identification::outputs::SubtestCutoffColumns>>,
}

/// The tables of the norms and categories (§5.2): `confidential/norm_table`,
/// `confidential/results` and `cutoffs`, in that order. They are the job's first tables,
/// handed to the writer before the admission is decided.
pub fn scoring_tables(
    subtests: &[String],
    mode: NormsMode,
    roster: &Roster,
    scored: &IdentificationOutput,
) -> Result<Vec<OutputTable>> {
    let mut t = Vec::new();
    let norm: Vec<NormTableOutRow> = scored
        .norm_table
        .iter()
        .map(NormTableOutRow::from)
        .collect();
    t.push(output::rows::table(
        "confidential/norm_table",
        &norm,
        Formats::Parquet,
    )?);
    let results: Vec<ResultTableRow> = scored
        .results
        .iter()
        .map(|r| ResultTableRow::new(r, roster.enrolled(&r.student_id), subtests.len()))
        .collect();
    t.push(Layout::of("results")?.with_subtests(subtests).table(
        "confidential/results",
        &results,
        Formats::Parquet,
    )?);
    let cutoffs: Vec<CutoffRow> = scored
        .cutoffs
        .iter()
        .map(|c| {
            let base =
                crate::jobs::gifted::identification::outputs::CutoffRow::new(c, subtests.len());
            CutoffRow {
                norm_group: base.norm_group,
                n_population: (mode == NormsMode::Empirical).then_some(base.n_population),
                n_tested: base.n_tested,
                n_gifted: base.n_gifted,
                n_excellent: base.n_excellent,
                subtests: base.subtests,
            }
        })
        .collect();
    t.push(Layout::of("cutoffs")?.with_subtests(subtests).table(
        "cutoffs",
        &cutoffs,
        Formats::ParquetAndCsv,
    )?);
    Ok(t)
}

/// The job's other output tables, after [`scoring_tables`]: the admission's (§5.5–§5.10) and
/// the tracks' lists.
pub fn tables(
    year: i64,
    roster: &Roster,
    admission: &Admission,
    continuing: &[String],
) -> Result<Vec<OutputTable>> {
    use rayon::prelude::*;
    type Part<'p> = &'p (dyn Fn() -> Result<Vec<OutputTable>> + Sync);
    let candidates = || {
        let rows: Vec<CandidateRow> = (admission.ranked.iter())
            .map(|r| candidate_row(r, year))
            .collect();
        let t = output::rows::table("confidential/candidates", &rows, Formats::Parquet)?;
        Ok(vec![t])
    };
    let invitations = || {
        let mut rows: Vec<InvitationRow> = (admission.ranked.iter())
            .filter(|r| r.decision == Decision::Invited)
            .map(|r| InvitationRow {
                student_id: &r.student_id,
                school_year: year,
                track_id: &r.track_id,
                grade: r.grade,
                gender: r.gender,
            })
            .collect();
        rows.sort_by(|a, b| (a.track_id, a.student_id).cmp(&(b.track_id, b.student_id)));
        let t = output::rows::table_as(
            "interview_invitations",
            "secondary_interview_invitations",
            &rows,
            Formats::ParquetAndCsv,
        )?;
        Ok(vec![t])
    };
    let placements = || {
        let rows: Vec<PlacementRow> = (admission.placements.iter())
            .map(|p| PlacementRow {
                student_id: &p.student_id,
                school_year: year,
                track_id: &p.track_id,
                grade: p.grade,
                class_no: p.class_no,
                gender: p.gender,
                status: p.status,
            })
            .collect();
        let t = output::rows::table_as(
            "placements",
            "secondary_placements",
            &rows,
            Formats::ParquetAndCsv,
        )?;
        Ok(vec![t])
    };
    let waitlist = || {
        let mut rows: Vec<WaitlistRow> = (admission.waitlisted())
            .map(|(r, reason)| WaitlistRow {
                student_id: &r.student_id,
                school_year: year,
                track_id: &r.track_id,
                grade: r.grade,
                reason,
            })
            .collect();
        rows.sort_by(|a, b| (a.track_id, a.student_id).cmp(&(b.track_id, b.student_id)));
        let t = output::rows::table_as(
            "waitlist",
            "secondary_waitlist",
            &rows,
            Formats::ParquetAndCsv,
        )?;
        Ok(vec![t])
    };
    let outcomes = || {
        let rows: Vec<OutcomeRow> = (admission.outcomes.iter())
            .map(|o| OutcomeRow {
                student_id: &o.student_id,
                school_year: year,
                track_id: o.track_id.as_deref(),
                path: o.path,
                reason: o.reason,
            })
            .collect();
        let t = output::rows::table("application_outcomes", &rows, Formats::ParquetAndCsv)?;
        let summary = output::rows::table(
            "track_summary",
            &admission.summaries,
            Formats::ParquetAndCsv,
        )?;
        Ok(vec![t, summary])
    };
    let continuation = || {
        let rows: Vec<ContinuationRow> = (continuing.iter())
            .map(|s| ContinuationRow {
                student_id: s,
                school_year: year,
            })
            .collect();
        let t = output::rows::table("enrichment_continuation", &rows, Formats::ParquetAndCsv)?;
        Ok(vec![t])
    };
    let lists = || track_lists(roster, admission);
    // The tables are built side by side and kept in this order; the first error is returned.
    let parts: [Part; 7] = [
        &candidates,
        &invitations,
        &placements,
        &waitlist,
        &outcomes,
        &continuation,
        &lists,
    ];
    let built: Vec<Result<Vec<OutputTable>>> = parts.par_iter().map(|f| f()).collect();
    let mut t = Vec::new();
    for part in built {
        t.extend(part?);
    }
    Ok(t)
}

/// The list of each track for its hosting school's principal (0207 §2.12.ב):
/// `tracks/<track_id>.csv` and `.xlsx`, who is placed, invited to an interview or waitlisted,
/// with names only: no rank, lottery number or score.
fn track_lists(roster: &Roster, admission: &Admission) -> Result<Vec<OutputTable>> {
    let placed = (admission.placements.iter()).map(|p| {
        let class = Some(i64::from(p.class_no));
        (
            p.track_id.as_str(),
            p.student_id.as_str(),
            p.status.as_str(),
            class,
        )
    });
    let invited = (admission.ranked.iter())
        .filter(|r| r.decision == Decision::Invited)
        .map(|r| (r.track_id.as_str(), r.student_id.as_str(), INVITED, None));
    let waiting = (admission.waitlisted())
        .map(|(r, w)| (r.track_id.as_str(), r.student_id.as_str(), w.as_str(), None));
    use rayon::prelude::*;
    let lists: Vec<Result<OutputTable>> =
        lists_of_tracks(roster, placed.chain(invited).chain(waiting))
            .into_par_iter()
            .map(|(track, rows)| {
                output::rows::csv_list(&format!("tracks/{track}"), "track_list", &rows)
            })
            .collect();
    // In track order, the first error.
    lists.into_iter().collect()
}

fn candidate_row(r: &Ranked, school_year: i64) -> CandidateRow<'_> {
    CandidateRow {
        student_id: &r.student_id,
        school_year,
        track_id: &r.track_id,
        grade: r.grade,
        gender: r.gender,
        path: r.path,
        score: r.score.map(|s| s.to_f64()),
        score_num: r.score.map(|s| s.num()),
        score_den: r.score.map(|s| s.den()),
        lottery_number: r.lottery,
        rank: r.rank,
    }
}
