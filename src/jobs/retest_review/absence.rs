//! Absence from a test (gifted.md §6.1 "Absence"; 0207 §5.2): each notice gets one decision,
//! by the first rule that applies. A make-up-eligible student is scheduled for another date
//! within the same year's testing period.
use super::inputs::{Cause, Notice};
use super::{Params, YearDates};
use crate::error::{Error, Result};
use crate::jobs::gifted_requests::{Roster, Stage};
use crate::rules::date::{in_time, within_days};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The rules of §5.2, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AbsenceRule {
    /// gifted.md §1, §6: the student's institution does not take part.
    InstitutionNotParticipating,
    /// §5.2.ב: notified after the stage's registration deadline: next year's cycle.
    AfterRegistrationDeadline,
    /// §5.2.א covers illness only.
    CauseNotIllness,
    /// §5.2.א: notified at most `absence_notice_days` days after the exam (or before it).
    NotifiedInTime,
    /// §5.2.א: notified later.
    NoticeLate,
}

impl AbsenceRule {
    pub fn as_str(self) -> &'static str {
        match self {
            AbsenceRule::InstitutionNotParticipating => "institution_not_participating",
            AbsenceRule::AfterRegistrationDeadline => "after_registration_deadline",
            AbsenceRule::CauseNotIllness => "cause_not_illness",
            AbsenceRule::NotifiedInTime => "notified_in_time",
            AbsenceRule::NoticeLate => "notice_late",
        }
    }

    /// The decision the rule makes.
    pub fn decision(self) -> &'static str {
        match self {
            AbsenceRule::AfterRegistrationDeadline => "deferred_next_year",
            AbsenceRule::NotifiedInTime => "makeup_eligible",
            _ => "rejected",
        }
    }
}

/// The first rule of §5.2 that applies to a notice of a participating student.
pub fn rule(p: &Params, dates: &YearDates, n: &Notice) -> AbsenceRule {
    if !in_time(n.notified_on, dates.registration_deadline.of(n.stage)) {
        AbsenceRule::AfterRegistrationDeadline
    } else if n.cause != Cause::Illness {
        AbsenceRule::CauseNotIllness
    } else if within_days(n.notified_on, n.exam_date, p.absence_notice_days) {
        AbsenceRule::NotifiedInTime
    } else {
        AbsenceRule::NoticeLate
    }
}

/// One notice's decision row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsenceDecision {
    pub student_id: String,
    /// The notice's school year (its testing period is the make-up's).
    pub school_year: i64,
    pub stage: Stage,
    pub exam_date: NaiveDate,
    pub rule: AbsenceRule,
}

/// Every notice's decision, by (student_id, stage, exam_date).
pub fn decide_all(
    p: &Params,
    dates: &BTreeMap<i64, YearDates>,
    notices: &[Notice],
    roster: &Roster,
) -> Result<Vec<AbsenceDecision>> {
    let mut out = Vec::with_capacity(notices.len());
    for n in notices {
        let (_, i) = roster
            .student(&n.student_id)
            .ok_or_else(|| Error::Job(format!("student {} is not in the roster", n.student_id)))?;
        let rule = if i.participating {
            let d = dates
                .get(&n.school_year)
                .ok_or_else(|| Error::Job(format!("no dates for school year {}", n.school_year)))?;
            rule(p, d, n)
        } else {
            AbsenceRule::InstitutionNotParticipating
        };
        out.push(AbsenceDecision {
            student_id: n.student_id.clone(),
            school_year: n.school_year,
            stage: n.stage,
            exam_date: n.exam_date,
            rule,
        });
    }
    out.sort_by(|a, b| {
        (&a.student_id, a.stage, a.exam_date).cmp(&(&b.student_id, b.stage, b.exam_date))
    });
    Ok(out)
}
