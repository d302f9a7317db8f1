//! Output rows of the screening phase (data-contract.md `stage_b_invitations`,
//! `pending_referrals`; `confidential/screening_units` is
//! [`UnitSummary`](super::UnitSummary) itself). Each struct's fields are its table's columns,
//! in the order of `schemas/<table>.toml`; `output::rows` turns a slice of them into the table.
use super::{Invitation, ReferralKind};
use crate::jobs::gifted::roster::{Roster, Student};
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
    /// The student's roster school year (the referral's, gifted.md §1).
    pub school_year: i64,
    pub institution_id: &'a str,
    pub kind: ReferralKind,
}

/// A row of a school's invitation list: an invited student by name, with no score
/// (0207 §2.4.ד: the school learns who is invited, not why by how much).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchoolInvitationRow<'a> {
    pub student_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub class_id: &'a str,
    pub grade: i64,
}

/// Per institution, in `institution_id` order, its invited students in the invitations'
/// (`student_id`) order (0207 §2.4.ד). Names and class come from the roster; a student it
/// does not hold keeps the row with those empty.
pub fn school_invitation_lists<'a>(
    roster: &'a Roster,
    invitations: &'a [Invitation],
) -> Vec<(&'a str, Vec<SchoolInvitationRow<'a>>)> {
    let mut rows: Vec<(&Invitation, Option<&Student>)> = invitations
        .iter()
        .map(|inv| (inv, roster.student(&inv.student_id)))
        .collect();
    // Stable: within an institution the invitations keep their student_id order.
    rows.sort_by(|a, b| a.0.institution_id.cmp(&b.0.institution_id));
    rows.chunk_by(|a, b| a.0.institution_id == b.0.institution_id)
        .map(|group| {
            let list = group
                .iter()
                .map(|&(inv, st)| {
                    let name = |f: fn(&Student) -> &str| st.map_or("", f);
                    SchoolInvitationRow {
                        student_id: &inv.student_id,
                        first_name: name(|s| &s.first_name),
                        last_name: name(|s| &s.last_name),
                        class_id: name(|s| &s.class_id),
                        grade: inv.grade,
                    }
                })
                .collect();
            (group[0].0.institution_id.as_str(), list)
        })
        .collect()
}
