//! Phase `screening` (gifted.md §2): from the roster, `stage_a_scores` and `referrals` to the
//! stage B invitations, the pending referrals and the schools' invitation lists.
use crate::error::{Error, Result};
use crate::jobs::gifted::exclusions::{
    row_exclusion, stage_a_rows_of_year, Enrolled, ExclusionReason, StageARows,
};
use crate::jobs::gifted::letters;
use crate::jobs::gifted::roster::Roster;
use crate::jobs::gifted::school_folder;
use crate::jobs::gifted::screening::outputs::{self, PendingReferralRow, StageBInvitationRow};
use crate::jobs::gifted::screening::{
    screen, OutsideReason, Referral, ReferralKind, ReferralRow, ScreeningOutput, ScreeningStudent,
    StageA, StageARow,
};
use crate::jobs::letters::LetterRequest;
use crate::jobs::report::Counts;
use crate::output;
use crate::output::table::{make_tables, OutputTable};
use crate::output::write::Formats;
use crate::pipeline::gifted::GiftedElementary;
use crate::table::rows::rows;
use crate::table::{Exclusion, InputSet};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// What the screening phase decided, kept for the letters.
pub struct Screening {
    pub output: ScreeningOutput,
}

/// The `referrals` rows with their row numbers (none when the table is absent).
fn referral_rows(inputs: &InputSet) -> Result<Vec<(u64, ReferralRow)>> {
    let Some(t) = inputs.get("referrals") else {
        return Ok(Vec::new());
    };
    Ok(t.row_numbers().zip(rows::<ReferralRow>(t)?).collect())
}

/// The rows of `stage_a_scores` and `referrals` the regulation leaves out, for
/// `InputSet::add_exclusions`, by table.
pub type PhaseExclusions = Vec<(&'static str, Vec<Exclusion>)>;

/// Runs the screening phase. Rows left out (gifted.md §1: a student of an institution that
/// does not take part, a row of another school year, a student outside the tested grades)
/// are returned as exclusions.
pub fn run(
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &Roster,
    reconciliation: &mut Counts,
) -> Result<(Screening, Vec<OutputTable>, PhaseExclusions)> {
    let p = s.screening();
    let t = inputs.table("stage_a_scores")?;
    let stage_a: Vec<StageARow> = rows(t)?;
    let row_numbers: Vec<u64> = t.row_numbers().collect();
    let ids = t.text("student_id")?;
    let years: Vec<i64> = stage_a.iter().map(|r| r.school_year).collect();
    let enrolled: Vec<Enrolled> = roster
        .students
        .iter()
        .map(|st| Enrolled {
            school_year: st.school_year,
            participating: st.participating,
            last_row: st.stage_a_row,
        })
        .collect();
    let StageARows {
        row_of,
        excluded: left_out,
        orphans,
    } = stage_a_rows_of_year(&enrolled, &years, |k| {
        ids.get(k).and_then(|id| roster.position(id))
    });
    if let Some(&k) = orphans.first() {
        return Err(Error::Job(format!(
            "stage_a_scores row {}: its student is not in the roster",
            row_numbers[k as usize]
        )));
    }
    let stage_a_exclusion = |k: u32, why: ExclusionReason| {
        let k = k as usize;
        why.of_row(
            "stage_a_scores",
            row_numbers[k],
            ids.get(k).unwrap_or_default(),
        )
    };
    let mut stage_a_excluded: Vec<Exclusion> = left_out
        .iter()
        .map(|&(k, why)| stage_a_exclusion(k, why))
        .collect();
    let students: Vec<ScreeningStudent> = roster
        .students
        .iter()
        .zip(&row_of)
        .map(|(st, row)| ScreeningStudent {
            student_id: st.student_id.as_str().into(),
            institution_id: st.institution_id.as_str().into(),
            class_id: st.class_id.as_str().into(),
            grade: st.grade,
            sector: st.sector,
            participating: st.participating,
            stage_a: row.map(|k| stage_a[k as usize].result()),
        })
        .collect();
    // Referrals of a student of an institution that does not take part, or of another year
    // than the student's roster year, are left out before screening sees them.
    let mut referrals_excluded = Vec::new();
    let mut refs: Vec<Referral> = Vec::new();
    let mut row_of_referral: BTreeMap<(String, ReferralKind), u64> = BTreeMap::new();
    for (row_number, r) in referral_rows(inputs)? {
        let (year, referral) = r.split();
        let why = roster
            .student(&referral.student_id)
            .and_then(|st| row_exclusion(st.participating, year, st.school_year));
        match why {
            Some(why) => {
                referrals_excluded.push(why.of_row("referrals", row_number, &referral.student_id))
            }
            None => {
                row_of_referral.insert((referral.student_id.clone(), referral.kind), row_number);
                refs.push(referral);
            }
        }
    }
    let output = screen(&p, &students, &refs).map_err(|e| Error::Job(format!("screening: {e}")))?;
    // Rows of students outside the tested grades: screening names them.
    for ignored in &output.ignored_stage_a {
        let k = roster
            .position(&ignored.student_id)
            .and_then(|i| row_of[i])
            .ok_or_else(|| {
                Error::Job(format!("stage A row of {} not found", ignored.student_id))
            })?;
        stage_a_excluded.push(stage_a_exclusion(k, outside(ignored.reason)?));
    }
    for unused in &output.unused_referrals {
        let row = row_of_referral
            .get(&(unused.student_id.clone(), unused.kind))
            .copied()
            .ok_or_else(|| Error::Job(format!("referral of {} not found", unused.student_id)))?;
        let why = outside(unused.reason)?;
        referrals_excluded.push(why.of_row("referrals", row, &unused.student_id));
    }

    let mut tables = make_tables(vec![
        Box::new(|| Ok(vec![invitations_table(roster, &output)?])),
        Box::new(|| Ok(vec![pending_table(roster, &output)?])),
        Box::new(|| Ok(vec![units_table(&output)?])),
        Box::new(|| school_invitation_lists(roster, &output)),
    ])?;

    // For the run's report: who sat stage A (the funnel's first stage).
    let tested: Vec<&str> = students
        .iter()
        .filter(|x| x.participating && matches!(x.stage_a, Some(StageA::Tested { .. })))
        .map(|x| x.student_id.as_ref())
        .collect();
    let tested = polars::prelude::DataFrame::new(
        tested.len(),
        vec![polars::prelude::Column::new("student_id".into(), tested)],
    )
    .map_err(|e| Error::Job(format!("report/stage_a_tested: {e}")))?;
    tables.push(OutputTable::for_report("report/stage_a_tested", tested));
    let mut rec = BTreeMap::new();
    let count = |f: &dyn Fn(&StageA) -> bool| {
        students
            .iter()
            .filter(|x| x.participating && x.stage_a.as_ref().is_some_and(f))
            .count() as i64
    };
    rec.insert(
        "stage_a_tested".into(),
        count(&|a| matches!(a, StageA::Tested { .. })),
    );
    rec.insert(
        "stage_a_absent".into(),
        count(&|a| matches!(a, StageA::Absent)),
    );
    rec.insert(
        "stage_a_opted_out".into(),
        count(&|a| matches!(a, StageA::OptedOut)),
    );
    rec.insert("invitations".into(), output.invitations.len() as i64);
    for reason in ["score", "principal", "appeal"] {
        let n = output
            .invitations
            .iter()
            .filter(|i| i.reasons.iter().any(|r| r.as_str() == reason))
            .count();
        rec.insert(format!("invited_by_{reason}"), n as i64);
    }
    rec.insert(
        "pending_referrals".into(),
        output.pending_referrals.len() as i64,
    );
    rec.insert("stage_a_excluded".into(), stage_a_excluded.len() as i64);
    rec.insert("referrals_excluded".into(), referrals_excluded.len() as i64);
    reconciliation.insert("screening".into(), rec);
    let excluded = vec![
        ("stage_a_scores", stage_a_excluded),
        ("referrals", referrals_excluded),
    ];
    Ok((Screening { output }, tables, excluded))
}

fn invitations_table(roster: &Roster, o: &ScreeningOutput) -> Result<OutputTable> {
    let rows: Vec<StageBInvitationRow> = o
        .invitations
        .iter()
        .map(|inv| {
            let school_year = roster.student(&inv.student_id).map_or(0, |s| s.school_year);
            let region = roster.institutions.get(inv.institution_id.as_str());
            StageBInvitationRow::new(inv, school_year, region.map_or("", |i| &i.region_id))
        })
        .collect();
    output::rows::table("stage_b_invitations", &rows, Formats::ParquetAndCsv)
}

fn pending_table(roster: &Roster, o: &ScreeningOutput) -> Result<OutputTable> {
    let rows: Vec<PendingReferralRow> = o
        .pending_referrals
        .iter()
        .map(|p| PendingReferralRow {
            student_id: &p.student_id,
            school_year: roster.student(&p.student_id).map_or(0, |s| s.school_year),
            institution_id: roster
                .student(&p.student_id)
                .map_or("", |s| &s.institution_id),
            kind: p.kind,
        })
        .collect();
    output::rows::table("pending_referrals", &rows, Formats::ParquetAndCsv)
}

/// The exclusion a reason of screening's names; a student outside the roster cannot reach
/// screening (validation rejects a row naming no student).
fn outside(reason: OutsideReason) -> Result<ExclusionReason> {
    match reason {
        OutsideReason::InstitutionNotParticipating => {
            Ok(ExclusionReason::InstitutionNotParticipating)
        }
        OutsideReason::GradeNotTested => Ok(ExclusionReason::GradeNotTested),
        OutsideReason::StudentNotFound => Err(Error::Job(
            "a referral names a student the roster does not hold".into(),
        )),
    }
}

/// Per unit: tested, k, boundary score (confidential: a score).
fn units_table(o: &ScreeningOutput) -> Result<OutputTable> {
    output::rows::table("confidential/screening_units", &o.units, Formats::Parquet)
}

/// One CSV per institution with its invited students — names only, no scores (§2.4.ד).
fn school_invitation_lists(roster: &Roster, o: &ScreeningOutput) -> Result<Vec<OutputTable>> {
    // Thousands of schools: their files are made side by side (in order, so the same bytes).
    outputs::school_invitation_lists(roster, &o.invitations)
        .par_iter()
        .map(|(institution, rows)| {
            let stem = format!("{}/stage_b_invitations", school_folder(institution));
            output::rows::csv_list(&stem, "school_invitation_list", rows)
        })
        .collect()
}

/// The letter of each screening outcome (gifted.md §7: the kind each outcome names,
/// [`crate::jobs::letters::LetterKind::of_outcome`]).
pub fn letter_requests(sc: &Screening) -> Result<Vec<LetterRequest>> {
    sc.output
        .outcomes
        .iter()
        .map(|o| {
            let kind = letters::kind(o.outcome.letter_kind())?;
            Ok(LetterRequest::new(o.student_id.clone(), kind))
        })
        .collect()
}
