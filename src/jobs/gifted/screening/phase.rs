//! Phase `screening` (gifted.md §2): from the roster, `stage_a_scores` and `referrals` to the
//! stage B invitations, the pending referrals and the schools' invitation lists.
use crate::error::{Error, Result};
use crate::jobs::gifted::letters;
use crate::jobs::gifted::roster::{referral_of_enrolment_year, stage_a_of_enrolment_year, Roster};
use crate::jobs::gifted::school_folder;
use crate::jobs::gifted::screening::outputs::{
    self, exceptions, PendingReferralRow, StageBInvitationRow,
};
use crate::jobs::gifted::screening::{
    screen, Referral, ReferralRow, ScreeningOutput, ScreeningStudent, StageA, StageARow,
};
use crate::jobs::letters::LetterRequest;
use crate::jobs::report::Counts;
use crate::output;
use crate::output::table::{make_tables, OutputTable};
use crate::output::write::Formats;
use crate::pipeline::gifted::GiftedElementary;
use crate::table::rows::rows;
use crate::table::InputSet;
use std::collections::BTreeMap;

/// What the screening phase decided, kept for the letters.
pub struct Screening {
    pub output: ScreeningOutput,
}

/// Each `stage_a_scores` row's school year and result, by row; a roster student's row is
/// `Student::stage_a_row`.
fn stage_a_rows(inputs: &InputSet) -> Result<Vec<Option<(i64, StageA)>>> {
    let t = inputs.table("stage_a_scores")?;
    Ok(rows::<StageARow>(t)?
        .iter()
        .map(|r| Some((r.school_year, r.result())))
        .collect())
}

fn referral_rows(inputs: &InputSet) -> Result<Vec<(i64, Referral)>> {
    let Some(t) = inputs.get("referrals") else {
        return Ok(Vec::new());
    };
    Ok(rows::<ReferralRow>(t)?
        .into_iter()
        .map(ReferralRow::split)
        .collect())
}

/// Runs the screening phase.
pub fn run(
    s: &GiftedElementary,
    inputs: &InputSet,
    roster: &Roster,
    reconciliation: &mut Counts,
) -> Result<(Screening, Vec<OutputTable>)> {
    let p = s.screening();
    let stage_a = stage_a_rows(inputs)?;
    let referrals = referral_rows(inputs)?;
    // Rows of another school year than the student's enrolment are not this year's screening
    // (reported in `screening_exceptions`).
    let mut other_year = Vec::new();
    let students: Vec<ScreeningStudent> = roster
        .students
        .iter()
        .map(|st| {
            let row = st
                .stage_a_row
                .and_then(|r| stage_a.get(r as usize).copied().flatten());
            let a = stage_a_of_enrolment_year(st.school_year, row).unwrap_or_else(|_| {
                other_year.push(st.student_id.to_string());
                None
            });
            ScreeningStudent {
                student_id: st.student_id.as_str().into(),
                institution_id: st.institution_id.as_str().into(),
                class_id: st.class_id.as_str().into(),
                grade: st.grade,
                sector: st.sector,
                participating: st.participating,
                stage_a: a,
            }
        })
        .collect();
    let refs: Vec<Referral> = referrals
        .into_iter()
        .filter(|(y, r)| {
            let enrolled = roster.student(&r.student_id).map(|st| st.school_year);
            referral_of_enrolment_year(enrolled, *y)
        })
        .map(|(_, r)| r)
        .collect();
    let output = screen(&p, &students, &refs).map_err(|e| Error::Job(format!("screening: {e}")))?;

    let tables = make_tables(vec![
        Box::new(|| Ok(vec![invitations_table(roster, &output)?])),
        Box::new(|| Ok(vec![pending_table(roster, &output)?])),
        Box::new(|| Ok(vec![exceptions_table(&output, &other_year)?])),
        Box::new(|| Ok(vec![units_table(&output)?])),
        Box::new(|| school_invitation_lists(roster, &output)),
    ])?;

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
    rec.insert(
        "unused_referrals".into(),
        output.unused_referrals.len() as i64,
    );
    rec.insert(
        "ignored_stage_a".into(),
        (output.ignored_stage_a.len() + other_year.len()) as i64,
    );
    reconciliation.insert("screening".into(), rec);
    Ok((Screening { output }, tables))
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
            institution_id: roster
                .student(&p.student_id)
                .map_or("", |s| &s.institution_id),
            kind: p.kind,
        })
        .collect();
    output::rows::table("pending_referrals", &rows, Formats::ParquetAndCsv)
}

/// Input rows the screening could not use, with the reason: nothing is dropped silently.
fn exceptions_table(o: &ScreeningOutput, other_year: &[String]) -> Result<OutputTable> {
    let rows = exceptions(o, other_year);
    output::rows::table("screening_exceptions", &rows, Formats::ParquetAndCsv)
}

/// Per unit: tested, k, boundary score (confidential: a score).
fn units_table(o: &ScreeningOutput) -> Result<OutputTable> {
    output::rows::table("confidential/screening_units", &o.units, Formats::Parquet)
}

/// One CSV per institution with its invited students — names only, no scores (§2.4.ד).
fn school_invitation_lists(roster: &Roster, o: &ScreeningOutput) -> Result<Vec<OutputTable>> {
    outputs::school_invitation_lists(roster, &o.invitations)
        .iter()
        .map(|(institution, rows)| {
            let stem = format!("{}/stage_b_invitations", school_folder(institution));
            output::rows::csv_list(&stem, &outputs::SCHOOL_INVITATION_COLUMNS, rows)
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
