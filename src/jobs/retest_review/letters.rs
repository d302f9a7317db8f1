//! The decision letters of `retest-review` (gifted.md §6.1, §7): each retest decision and
//! each absence decision gets a letter to the student's legal guardians saying the decision
//! and its rule in words (kinds `retest_decision`, `absence_decision`). What happens next:
//! an eligible request goes to the professional team, and a retest is not before its
//! `earliest_test_date` (also the date a `ten_months` letter names); a make-up is set within
//! the testing period of the notice's year and stage, whose last day the letter names. Never
//! the previous composite, whether it reached the threshold, the distance, the lottery number
//! or the review rank.
use super::absence::AbsenceRule;
use super::decide::{Decided, Rule};
use super::{year_dates, Params};
use crate::error::Result;
use crate::jobs::letters::{LetterExtra, LetterKind, LetterRequest};

/// One letter request per retest decision and per absence decision.
pub fn requests(p: &Params, d: &Decided) -> Result<Vec<LetterRequest>> {
    let dates = year_dates(p, d.absences.iter().map(|a| a.school_year))?;
    let mut out = Vec::with_capacity(d.requests.len() + d.absences.len());
    for r in &d.requests {
        let next_date = match r.rule {
            Rule::AllConditionsMet | Rule::TenMonths => r.earliest_test_date,
            _ => None,
        };
        out.push(LetterRequest {
            extra: LetterExtra {
                request_reason: Some(r.rule.as_str().to_string()),
                stage: Some(r.stage.as_str().to_string()),
                next_date,
                ..LetterExtra::default()
            }
            .into(),
            ..LetterRequest::new(&r.student_id, LetterKind::RetestDecision)
        });
    }
    for a in &d.absences {
        let next_date = (a.rule == AbsenceRule::NotifiedInTime)
            .then(|| dates.get(&a.school_year))
            .flatten()
            .map(|y| y.testing_period_end.of(a.stage));
        out.push(LetterRequest {
            extra: LetterExtra {
                request_reason: Some(a.rule.as_str().to_string()),
                stage: Some(a.stage.as_str().to_string()),
                event_date: Some(a.exam_date),
                next_date,
                ..LetterExtra::default()
            }
            .into(),
            ..LetterRequest::new(&a.student_id, LetterKind::AbsenceDecision)
        });
    }
    Ok(out)
}
