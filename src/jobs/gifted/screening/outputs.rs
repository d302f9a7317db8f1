//! Output rows of the screening phase (data-contract.md `stage_b_invitations`,
//! `pending_referrals`, `screening_exceptions`; `confidential/screening_units` is
//! [`UnitSummary`](super::UnitSummary) itself). Each struct's fields are its table's columns,
//! in the order of `schemas/<table>.toml`; `output::rows` turns a slice of them into the table.
use super::{Invitation, ReferralKind, ScreeningOutput};
use crate::jobs::gifted::Sector;
use serde::Serialize;

/// A row of `stage_b_invitations`: a student invited to stage B and why (0207 §2.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StageBInvitationRow<'a> {
    pub student_id: &'a str,
    pub school_year: i64,
    pub institution_id: &'a str,
    pub class_id: &'a str,
    pub grade: i64,
    pub sector: Sector,
    pub region_id: &'a str,
    /// `score`, `principal`, `appeal`, joined by `;` (data-contract.md).
    pub reasons: String,
}

impl<'a> StageBInvitationRow<'a> {
    /// The row of `inv`, with the student's school year and the institution's region (which
    /// the caller looks up in the roster).
    pub fn new(inv: &'a Invitation, school_year: i64, region_id: &'a str) -> Self {
        StageBInvitationRow {
            student_id: &inv.student_id,
            school_year,
            institution_id: &inv.institution_id,
            class_id: &inv.class_id,
            grade: inv.grade,
            sector: inv.sector,
            region_id,
            reasons: inv.reasons_joined(),
        }
    }
}

/// A row of `pending_referrals`: a referral whose decision is still pending (gifted.md §2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingReferralRow<'a> {
    pub student_id: &'a str,
    pub institution_id: &'a str,
    pub kind: ReferralKind,
}

/// A row of `screening_exceptions`: an input row the screening could not use, with the reason
/// (nothing is dropped silently).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScreeningException {
    pub student_id: String,
    /// The input table of the row.
    pub table: &'static str,
    pub reason: String,
}

/// The reason of a stage A row of another school year than the student's enrolment.
pub const SCHOOL_YEAR_DIFFERS: &str = "school_year_differs_from_enrolment";

/// Every input row the screening could not use — unused referrals (`<kind>: <reason>`),
/// ignored stage A rows, and the stage A rows of `other_year` (students whose row is of
/// another school year than their enrolment) — sorted by (student, table, reason).
pub fn exceptions(o: &ScreeningOutput, other_year: &[String]) -> Vec<ScreeningException> {
    let mut rows = Vec::new();
    for u in &o.unused_referrals {
        let kind = match u.kind {
            ReferralKind::Appeal => "appeal",
            ReferralKind::Principal => "principal",
        };
        rows.push(ScreeningException {
            student_id: u.student_id.clone(),
            table: "referrals",
            reason: format!("{kind}: {}", u.reason.as_str()),
        });
    }
    for i in &o.ignored_stage_a {
        rows.push(ScreeningException {
            student_id: i.student_id.to_string(),
            table: "stage_a_scores",
            reason: i.reason.as_str().to_string(),
        });
    }
    for id in other_year {
        rows.push(ScreeningException {
            student_id: id.clone(),
            table: "stage_a_scores",
            reason: SCHOOL_YEAR_DIFFERS.into(),
        });
    }
    rows.sort();
    rows
}
