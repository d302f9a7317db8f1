//! Property tests of the year's decisions (issue #21 "Done when"): no budget line is
//! overspent, every applicant has an approval or a rejection for every item considered, and
//! the decisions do not depend on the order of the rows or on anything but the inputs.
use super::decide_tests::check_invariants;
use super::*;
use crate::jobs::teacher_loans::decide::{decide, Context, Decisions};
use crate::jobs::teacher_loans::preferred::CollegeFacts;
use crate::jobs::teacher_loans::Budget;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};

const PROGRAMS: [&str; 8] = [
    "regular",
    "required_subjects",
    "ragav",
    "mteach",
    "retraining_math",
    "nachshonim",
    "masters_graduates",
    "midway",
];

/// One applicant from a handful of drawn values.
#[allow(clippy::type_complexity)]
fn applicant_strategy() -> impl Strategy<Value = (usize, i64, i64, u8, u8, u16, u8, [bool; 8])> {
    (
        0..PROGRAMS.len(),
        1..=4i64,
        0..4i64,
        0..5u8,
        0..3u8,
        480..620u16,
        0..6u8,
        proptest::array::uniform8(any::<bool>()),
    )
}

fn build(
    i: usize,
    (program, year, prior, hours, when, score, points, b): (
        usize,
        i64,
        i64,
        u8,
        u8,
        u16,
        u8,
        [bool; 8],
    ),
) -> Applicant {
    let mut a = applicant(&crate::rules::israeli_id::with_check_digit(
        10_000_000 + i as u32,
    ));
    a.program = PROGRAMS[program].into();
    a.mteach_subject = Some(if b[0] {
        MteachSubject::Math
    } else {
        MteachSubject::Other
    });
    a.study_year = year;
    a.prior_loans = prior;
    a.weekly_hours = Ratio::new([30, 40, 47, 48, 52][hours as usize], 2);
    a.submitted_on = [day(2019, 11, 1), day(2020, 1, 15), day(2020, 4, 10)][when as usize];
    a.appeal_filed_on = b[1].then(|| day(2020, 3, 1));
    a.combined_score = Some(i64::from(score));
    a.teaching_track = if b[2] {
        Track::Secondary
    } else {
        Track::Elementary
    };
    a.requests_loan = b[3] || b[4];
    a.requests_scholarship = b[5];
    a.degree_in_subject = b[6];
    a.degree_average = Some(Ratio::from(85));
    a.sector = if b[7] {
        Sector::Haredi
    } else {
        Sector::General
    };
    a.bagrut = b[0] ^ b[7];
    a.new_immigrant = points & 1 == 1;
    a.orphan = points & 2 == 2;
    a.siblings = i64::from(points);
    a.pais_conditions_met = !b[4];
    a
}

fn run(
    apps: &[Applicant],
    loans: i64,
    pais: i64,
    ragav: &HashSet<String>,
    p: &Params,
) -> Decisions {
    let colleges = BTreeMap::from([(
        "C1".to_string(),
        CollegeFacts {
            academic: true,
            soldier_arrangement: false,
        },
    )]);
    let ctx = Context {
        colleges: &colleges,
        ragav,
    };
    decide(apps, &ctx, Budget { loans, pais }, p)
}

/// The decisions as text keyed by applicant ID, whatever the row order.
fn by_id(apps: &[Applicant], d: &Decisions) -> Vec<String> {
    let mut v: Vec<String> = d
        .approvals
        .iter()
        .map(|a| {
            format!(
                "{} {:?} {:?} {} {:?}",
                apps[a.applicant].applicant_id, a.kind, a.round, a.loan_amount, a.scholarship
            )
        })
        .chain(d.rejections.iter().map(|r| {
            format!(
                "{} {:?} {:?} {}",
                apps[r.applicant].applicant_id,
                r.item,
                r.round,
                r.reasons.joined()
            )
        }))
        .chain(d.budget.iter().map(|b| format!("{b:?}")))
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn budgets_hold_and_every_item_is_answered(
        drawn in proptest::collection::vec(applicant_strategy(), 0..40),
        loans in 0..80_000i64,
        pais in 0..40_000i64,
        stop in any::<bool>(),
        rotate in 0..40usize,
    ) {
        let p = if stop { params_with(&["allocation=stop"]) } else { params() };
        let apps: Vec<Applicant> = drawn.into_iter().enumerate().map(|(i, d)| build(i, d)).collect();
        let ragav: HashSet<String> =
            apps.iter().step_by(2).map(|a| a.applicant_id.clone()).collect();
        let d = run(&apps, loans, pais, &ragav, &p);
        check_invariants(&apps, &d);
        let total: i64 = d.approvals.iter().map(|a| a.loan_amount).sum();
        prop_assert!(total <= loans);
        // The same inputs in another row order: the same decisions.
        let mut turned = apps.clone();
        if !turned.is_empty() {
            let k = rotate % turned.len();
            turned.rotate_left(k);
        }
        let again = run(&turned, loans, pais, &ragav, &p);
        prop_assert_eq!(by_id(&apps, &d), by_id(&turned, &again));
        prop_assert_eq!(run(&apps, loans, pais, &ragav, &p), d);
    }
}
