//! The screening phase itself (gifted.md §2; 0207 §2.4): who is in the population, the
//! referrals by score in each unit, the approved and pending principal and appeal referrals,
//! and the stage A letters.

use foldhash::{HashMap as FastMap, HashMapExt};
use std::collections::BTreeSet;

use super::{
    reason_bit, referral_count, score_boundary, IgnoredStageA, Invitation, LetterOutcome,
    OutsideReason, PendingReferral, Referral, ReferralDecision, ReferralKind, ReferralReason,
    ReferralUnit, ScreeningError, ScreeningOutput, ScreeningParams, ScreeningStudent, StageA,
    StudentOutcome, UnitSummary, UnusedReferral, ALL_REASONS,
};
use crate::jobs::gifted::grade_listed;
use crate::rules::fraction::Ratio;

fn outside_reason(params: &ScreeningParams, s: &ScreeningStudent) -> Option<OutsideReason> {
    if !s.participating {
        Some(OutsideReason::InstitutionNotParticipating)
    } else if !grade_listed(
        &params.tested_grades_hebrew,
        &params.tested_grades_arabic,
        s.sector,
        s.grade,
    ) {
        Some(OutsideReason::GradeNotTested)
    } else {
        None
    }
}

/// 0207 §2.4 (gifted.md §2): stage A screening.
/// 1. Population: participating students of their sector's tested grade (§2.4.א); `absent` and
///    `opted_out` students are not ranked (§2.3.א).
/// 2. In each unit (class, or institution × grade) the tested students scoring ≥ the k-th highest
///    score are referred, k = ceil(referral_share · n) (§2.4.ג), ties included.
/// 3. An `approved` principal (§2.4.ג) or appeal (§2.4.ה) referral refers a population student
///    whatever their score; `pending` ones are listed and refer nobody.
/// 4. Letters: referred / not referred to every tested student, absent to absent ones (§2.4.ד).
pub fn screen(
    params: &ScreeningParams,
    students: &[ScreeningStudent],
    referrals: &[Referral],
) -> Result<ScreeningOutput, ScreeningError> {
    if params.referral_share < Ratio::ZERO || params.referral_share > Ratio::ONE {
        return Err(ScreeningError::InvalidShare(params.referral_share));
    }
    // Students in id order (the order of every output); a student is named by its position.
    // A roster comes in id order: then one pass checks it and nothing is sorted.
    let mut sorted: Vec<&ScreeningStudent> = students.iter().collect();
    if !sorted.windows(2).all(|w| w[0].student_id < w[1].student_id) {
        sorted.sort_unstable_by(|a, b| a.student_id.cmp(&b.student_id));
        if let Some(w) = sorted
            .windows(2)
            .find(|w| w[0].student_id == w[1].student_id)
        {
            return Err(ScreeningError::DuplicateStudent(
                w[0].student_id.to_string(),
            ));
        }
    }
    let position = |id: &str| {
        sorted
            .binary_search_by(|s| s.student_id.as_ref().cmp(id))
            .ok()
    };
    let mut out = ScreeningOutput::default();
    // reasons[i]: why student i is referred, a bit per `ReferralReason` (0: not referred).
    let mut reasons: Vec<u8> = vec![0; sorted.len()];

    // Ranking units of tested population students, each with its members in id order. A
    // grade unit is named by the grade's digits, as text.
    let grade_names: Vec<String> = (0..=12).map(|g: i64| g.to_string()).collect();
    let mut unit_of: FastMap<(&str, &str), usize> = FastMap::new();
    let mut keys: Vec<(&str, &str)> = Vec::new();
    // (unit, position, score) of each tested student, in id order.
    let mut tested: Vec<(usize, usize, i64)> = Vec::new();
    for (i, s) in sorted.iter().enumerate() {
        if let Some(reason) = outside_reason(params, s) {
            if s.stage_a.is_some() {
                out.ignored_stage_a.push(IgnoredStageA {
                    student_id: s.student_id.as_ref().into(),
                    reason,
                });
            }
            continue;
        }
        if let Some(StageA::Tested { score }) = s.stage_a {
            let unit = match params.referral_unit {
                ReferralUnit::Class => s.class_id.as_ref(),
                ReferralUnit::Grade => usize::try_from(s.grade)
                    .ok()
                    .and_then(|g| grade_names.get(g))
                    .map_or("", String::as_str),
            };
            let key = (s.institution_id.as_ref(), unit);
            let u = *unit_of.entry(key).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            });
            tested.push((u, i, score));
        }
    }
    drop(unit_of);
    // Each unit's members laid out together (a counting sort, still in id order) ...
    let mut start = vec![0usize; keys.len() + 1];
    for &(u, _, _) in &tested {
        start[u + 1] += 1;
    }
    for u in 0..keys.len() {
        start[u + 1] += start[u];
    }
    let mut next = start.clone();
    let mut members = vec![(0usize, 0i64); tested.len()];
    for &(u, i, score) in &tested {
        members[next[u]] = (i, score);
        next[u] += 1;
    }
    drop((tested, next));
    // ... and the units taken in (institution, unit) order, so the order is fixed (the keys
    // are distinct).
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    for u in order {
        let (institution_id, unit) = keys[u];
        let members = &members[start[u]..start[u + 1]];
        let scores: Vec<i64> = members.iter().map(|&(_, sc)| sc).collect();
        let boundary = score_boundary(params.referral_share, &scores);
        let mut n_referred = 0;
        if let Some(b) = boundary {
            for &(i, _) in members.iter().filter(|&&(_, sc)| sc >= b) {
                reasons[i] |= reason_bit(ReferralReason::Score);
                n_referred += 1;
            }
        }
        out.units.push(UnitSummary {
            institution_id: institution_id.to_string(),
            unit: unit.to_string(),
            n_tested: members.len(),
            k: referral_count(params.referral_share, members.len()),
            boundary_score: boundary,
            n_referred_by_score: n_referred,
        });
    }

    // Referrals: approved ones refer, pending ones are listed, outside ones are reported.
    let mut approved: BTreeSet<(usize, ReferralKind)> = BTreeSet::new();
    let mut pending: BTreeSet<(usize, ReferralKind)> = BTreeSet::new();
    for r in referrals {
        let at = position(r.student_id.as_str());
        let outside = match at {
            None => Some(OutsideReason::StudentNotFound),
            Some(i) => outside_reason(params, sorted[i]),
        };
        if let Some(reason) = outside {
            out.unused_referrals.push(UnusedReferral {
                student_id: r.student_id.clone(),
                kind: r.kind,
                decision: r.decision,
                reason,
            });
            continue;
        }
        let i = at.expect("a student outside the roster is reported above");
        match r.decision {
            ReferralDecision::Approved => approved.insert((i, r.kind)),
            ReferralDecision::Pending => pending.insert((i, r.kind)),
            ReferralDecision::Rejected => false,
        };
    }
    for &(i, kind) in &approved {
        reasons[i] |= reason_bit(kind.into());
    }
    // A pending request superseded by an approved one of the same kind is not pending
    // (positions are in id order, so these are in (id, kind) order).
    out.pending_referrals = pending
        .difference(&approved)
        .map(|&(i, kind)| PendingReferral {
            student_id: sorted[i].student_id.to_string(),
            kind,
        })
        .collect();

    for (s, &rs) in sorted.iter().zip(&reasons) {
        if rs == 0 {
            continue;
        }
        out.invitations.push(Invitation {
            student_id: s.student_id.as_ref().into(),
            institution_id: s.institution_id.as_ref().into(),
            class_id: s.class_id.as_ref().into(),
            grade: s.grade,
            sector: s.sector,
            reasons: ALL_REASONS
                .into_iter()
                .filter(|&r| rs & reason_bit(r) != 0)
                .collect(),
        });
    }
    for (s, &rs) in sorted.iter().zip(&reasons) {
        if outside_reason(params, s).is_some() {
            continue;
        }
        let referred = rs != 0;
        let outcome = match (s.stage_a, referred) {
            (_, true) => Some(LetterOutcome::Referred),
            (Some(StageA::Tested { .. }), false) => Some(LetterOutcome::NotReferred),
            (Some(StageA::Absent), false) => Some(LetterOutcome::Absent),
            (Some(StageA::OptedOut) | None, false) => None,
        };
        if let Some(outcome) = outcome {
            out.outcomes.push(StudentOutcome {
                student_id: s.student_id.as_ref().into(),
                outcome,
            });
        }
    }
    out.unused_referrals.sort_by(|a, b| {
        (&a.student_id, a.kind, a.decision).cmp(&(&b.student_id, b.kind, b.decision))
    });
    Ok(out)
}
