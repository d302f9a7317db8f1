//! Accommodation outcomes (gifted.md §6.2; 0207 §6.1): each committee decision gets one outcome,
//! by the first rule that applies.
use super::inputs::{Accommodation, Committee};
use crate::error::Result;
use crate::jobs::gifted::Sector;
use crate::jobs::gifted_requests::{unknown_student, Roster, Stage};
use crate::rules::date::in_time;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The rules of §6.1, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// gifted.md §1, §6: the institution does not take part; no adapted session.
    InstitutionNotParticipating,
    /// §6.1.ז: submitted after the `deadline` of Y: handled only in the next cycle.
    AfterDeadline,
    /// §6.1.ט: the committee did not approve: the regular session.
    NotApproved,
    /// Approved: an adapted session.
    Approved,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::InstitutionNotParticipating => "institution_not_participating",
            Rule::AfterDeadline => "after_deadline",
            Rule::NotApproved => "not_approved",
            Rule::Approved => "approved",
        }
    }

    /// The outcome the rule gives. **Choice:** a student of an institution that does not take
    /// part gets `regular_session`, the outcome without an adapted session.
    pub fn decision(self) -> &'static str {
        match self {
            Rule::AfterDeadline => "deferred_next_year",
            Rule::Approved => "adapted_session",
            Rule::InstitutionNotParticipating | Rule::NotApproved => "regular_session",
        }
    }
}

/// The first rule of §6.1 that applies to a decision of a participating student.
pub fn rule(deadline: NaiveDate, a: &Accommodation) -> Rule {
    if !in_time(a.submitted_on, deadline) {
        Rule::AfterDeadline
    } else if a.decision == Committee::Rejected {
        Rule::NotApproved
    } else {
        Rule::Approved
    }
}

/// One decision's outcome, with what the sessions group it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub student_id: String,
    pub stage: Stage,
    pub rule: Rule,
    pub sector: Sector,
    /// `exam_region_id`, or the institution's `region_id` when it is empty.
    pub region_id: String,
    /// The distinct kinds, sorted.
    pub kinds: Vec<String>,
}

/// Every decision's outcome, by (student_id, stage).
pub fn outcomes(
    deadlines: &BTreeMap<i64, NaiveDate>,
    rows: &[Accommodation],
    roster: &Roster,
) -> Result<Vec<Outcome>> {
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let (_, i) = roster
            .student(&a.student_id)
            .ok_or_else(|| unknown_student("accommodation_decisions", &a.student_id))?;
        let rule = match deadlines.get(&a.school_year) {
            Some(&d) if i.participating => rule(d, a),
            _ => Rule::InstitutionNotParticipating,
        };
        let region_id = match a.exam_region_id.as_deref() {
            Some(r) if !r.is_empty() => r.to_string(),
            _ => i.region_id.clone(),
        };
        out.push(Outcome {
            student_id: a.student_id.clone(),
            stage: a.stage,
            rule,
            sector: i.sector,
            region_id,
            kinds: a.kinds.clone(),
        });
    }
    out.sort_by(|a, b| (&a.student_id, a.stage).cmp(&(&b.student_id, b.stage)));
    Ok(out)
}
