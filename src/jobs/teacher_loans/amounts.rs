//! The amounts of regular loans (teacher-loans.md §3.2; §6.3–§6.5): credit points, the share
//! of the maximum they give, and the round's maximum M — the largest multiple of the step, at
//! most the cap, with Σ share · M at most the round's budget. Exact: shares are fractions and
//! every loan share · M is whole shekels.
use super::inputs::{Applicant, Marital, Service};
use super::params::{Fraction, Params, Points};
use crate::rules::fraction::Ratio;

/// The credit points of `a` (§6.4, §6.5), summed; each component a parameter.
pub fn credit_points(a: &Applicant, pts: &Points, p: &Params) -> i64 {
    let new = !a.continuing();
    let mut sum = 0;
    let mut add = |when: bool, points: i64| {
        if when {
            sum += points;
        }
    };
    add(a.new_immigrant, pts.new_immigrant);
    add(new && a.bagrut, pts.new_student_bagrut);
    add(
        new && (a.prior_university_years >= pts.prior_university_years
            || a.prior_yeshiva_years >= pts.prior_yeshiva_years),
        pts.new_student_prior_studies,
    );
    add(
        a.service_kind == Service::AcademicReserve,
        pts.service_academic_reserve,
    );
    add(a.service_kind == Service::Active, pts.service_active);
    if matches!(a.service_kind, Service::Military | Service::National) {
        add(true, band(&pts.service_bands, a.service_months));
    }
    add(a.years_since_high_school == 0, pts.earning_under_1);
    add(
        (1..=4).contains(&a.years_since_high_school),
        pts.earning_1_to_4,
    );
    if a.marital_status == Marital::Single && a.age <= pts.siblings_max_age {
        add(true, a.siblings.min(pts.siblings_cap) * pts.siblings);
    }
    if a.marital_status != Marital::Single {
        add(true, a.children.min(pts.children_cap) * pts.children);
    }
    add(a.orphan, pts.orphan);
    add(a.lives_away_from_parents, pts.away_from_parents);
    add(
        p.subject(a.specialization_code).is_some(),
        pts.required_subject,
    );
    sum
}

/// The points of the last band whose minimum is at most `months` (36 months and more: the
/// top band).
fn band(bands: &[(i64, i64)], months: i64) -> i64 {
    bands
        .iter()
        .take_while(|(min, _)| *min <= months)
        .last()
        .map_or(0, |(_, pts)| *pts)
}

/// The share of the maximum that `points` give: the last tier whose minimum is at most them.
pub fn share(tiers: &[(i64, Fraction)], points: i64) -> Fraction {
    tiers
        .iter()
        .take_while(|(min, _)| *min <= points)
        .last()
        .map_or(Fraction(Ratio::ZERO), |(_, s)| *s)
}

/// The round's maximum M (§6.3): the largest multiple of `step`, at most `cap`, with
/// Σ `shares` · M ≤ `budget`; with no share at all, the largest multiple at most `cap`; 0
/// when not even one step fits.
pub fn maximum(shares: &[Fraction], budget: i64, step: i64, cap: i64) -> i64 {
    let steps_cap = cap.div_euclid(step).max(0);
    let total: Ratio = shares.iter().map(|s| s.0).sum();
    let steps = if total == Ratio::ZERO {
        steps_cap
    } else {
        // The largest k with total · step · k ≤ budget.
        let k = (Ratio::from(budget.max(0)) / (total * Ratio::from(step))).floor();
        i64::try_from(k).unwrap_or(i64::MAX).min(steps_cap)
    };
    steps * step
}

/// The loan `share` · `max` in whole shekels (the settings make every share × step whole).
pub fn loan(share: Fraction, max: i64) -> i64 {
    let v = share.0 * Ratio::from(max);
    i64::try_from(v.floor()).unwrap_or(0)
}
