//! The decision letters of `special-sessions` (gifted.md §6.2, §7): each accommodation outcome
//! and each language decision gets a letter to the student's legal guardians saying the
//! outcome and its rule in words (kinds `accommodation_outcome`, `language_decision`). What
//! happens next: an adapted session with the approved accommodations, named in words, alone
//! when a separate room is approved (the testing body sets its date and place, which the spec
//! does not give); the regular session; next year's cycle on a new request; a test in the
//! adapted language. The session's number and size are the testing body's, not the letter's.
use super::accommodation::Rule as AccommodationRule;
use super::Decided;
use crate::jobs::letters::{LetterExtra, LetterKind, LetterRequest};

/// One letter request per accommodation outcome and per language decision.
pub fn requests(d: &Decided) -> Vec<LetterRequest> {
    let mut out = Vec::with_capacity(d.outcomes.len() + d.language.len());
    for o in &d.outcomes {
        let accommodations = (o.rule == AccommodationRule::Approved && !o.kinds.is_empty())
            .then(|| o.kinds.join(";"));
        out.push(LetterRequest {
            extra: LetterExtra {
                request_reason: Some(o.rule.as_str().to_string()),
                stage: Some(o.stage.as_str().to_string()),
                accommodations,
                ..LetterExtra::default()
            }
            .into(),
            ..LetterRequest::new(&o.student_id, LetterKind::AccommodationOutcome)
        });
    }
    for l in &d.language {
        out.push(LetterRequest {
            extra: LetterExtra {
                request_reason: Some(l.rule.as_str().to_string()),
                stage: Some(l.stage.as_str().to_string()),
                test_language: Some(l.language.as_str().to_string()),
                ..LetterExtra::default()
            }
            .into(),
            ..LetterRequest::new(&l.student_id, LetterKind::LanguageDecision)
        });
    }
    out
}
