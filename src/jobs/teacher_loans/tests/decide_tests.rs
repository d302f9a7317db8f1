//! The year decided end to end on a handful of applicants: the budget walks, the regular
//! maximum of each round, Pais after round 1, and what each applicant is told.
use super::*;
use crate::jobs::teacher_loans::approvals::LoanKind;
use crate::jobs::teacher_loans::decide::{decide, Context, Decisions};
use crate::jobs::teacher_loans::preferred::CollegeFacts;
use crate::jobs::teacher_loans::reasons::Item;
use crate::jobs::teacher_loans::regular::Round;
use crate::jobs::teacher_loans::Budget;
use std::collections::{BTreeMap, HashSet};

fn year(apps: &[Applicant], loans: i64, pais: i64, p: &Params, ragav: &[&str]) -> Decisions {
    let colleges = BTreeMap::from([(
        "C1".to_string(),
        CollegeFacts {
            academic: true,
            soldier_arrangement: false,
        },
    )]);
    let ragav: HashSet<String> = ragav.iter().map(|s| s.to_string()).collect();
    let ctx = Context {
        colleges: &colleges,
        ragav: &ragav,
    };
    decide(apps, &ctx, Budget { loans, pais }, p)
}

fn reasons(d: &Decisions, apps: &[Applicant], id: &str, item: Item) -> Option<(Round, String)> {
    d.rejections
        .iter()
        .find(|r| apps[r.applicant].applicant_id == id && r.item == item)
        .map(|r| (r.round, r.reasons.joined()))
}

fn loan_of(d: &Decisions, apps: &[Applicant], id: &str) -> Option<(LoanKind, Round, i64)> {
    d.approvals
        .iter()
        .find(|a| apps[a.applicant].applicant_id == id)
        .map(|a| (a.kind, a.round, a.loan_amount))
}

fn budget_line(d: &Decisions, round: Round, line: &str) -> (i64, i64, Option<i64>) {
    let b = d
        .budget
        .iter()
        .find(|b| b.round == round && b.line == line)
        .expect("budget row");
    (b.available, b.allocated, b.max_amount)
}

/// D: continuing M.Teach with a degree (14,000, first); E: new M.Teach with a degree
/// (8,000, second); F: new required subjects (5,800, third).
fn three_preferred() -> Vec<Applicant> {
    let mut d = applicant("000000018");
    d.program = "mteach".into();
    d.mteach_subject = Some(MteachSubject::Math);
    d.study_year = 2;
    d.degree_in_subject = true;
    let mut e = d.clone();
    e.applicant_id = "000000026".into();
    e.study_year = 1;
    let f = applicant("000000034");
    vec![d, e, f]
}

// "Allocation": 20,000 shekels; D takes 14,000, E's 8,000 does not fit in the 6,000 left,
// F's 5,800 further down still does (skip).
#[test]
fn preferred_budget_runs_out_mid_list_skip() {
    let p = params();
    let apps = three_preferred();
    let d = year(&apps, 20_000, 0, &p, &[]);
    let order: Vec<(&str, bool)> = d
        .ranking
        .iter()
        .filter(|r| r.item == Item::PreferredLoan)
        .map(|r| (apps[r.applicant].applicant_id.as_str(), r.granted))
        .collect();
    assert_eq!(
        order,
        [
            ("000000018", true),
            ("000000026", false),
            ("000000034", true)
        ]
    );
    assert_eq!(
        reasons(&d, &apps, "000000026", Item::PreferredLoan),
        Some((Round::First, "budget_exhausted".into()))
    );
    assert_eq!(
        budget_line(&d, Round::First, "preferred_loans"),
        (20_000, 19_800, None)
    );
    // E goes on to a regular loan on the 200 shekels left: 1/4 · M ≤ 200 gives M = 800.
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (200, 200, Some(800))
    );
    assert_eq!(
        loan_of(&d, &apps, "000000026"),
        Some((LoanKind::Regular, Round::First, 200))
    );
    let f = d.approvals.iter().find(|a| a.applicant == 2).expect("F");
    assert_eq!((f.loan_amount, f.guarantors), (5_800, 1));
    let dd = d.approvals.iter().find(|a| a.applicant == 0).expect("D");
    assert_eq!(dd.guarantors, 2);
}

// The same with `allocation = stop`: F is refused for the budget too.
#[test]
fn preferred_budget_runs_out_mid_list_stop() {
    let p = params_with(&["allocation=stop"]);
    let apps = three_preferred();
    let d = year(&apps, 20_000, 0, &p, &[]);
    assert_eq!(
        reasons(&d, &apps, "000000034", Item::PreferredLoan),
        Some((Round::First, "budget_exhausted".into()))
    );
    assert_eq!(
        budget_line(&d, Round::First, "preferred_loans"),
        (20_000, 14_000, None)
    );
    // E and F share the 6,000 left as regular loans: (1/4 + 1/4) · M ≤ 6,000, M = 4,000 cap.
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (6_000, 2_000, Some(4_000))
    );
}

/// Four regular applicants with 3, 6, 8 and 12 credit points: shares 1/4, 1/2, 3/4, 1.
fn four_regular() -> Vec<Applicant> {
    let mut v = Vec::new();
    for (i, id) in ["000000018", "000000026", "000000034", "000000042"]
        .iter()
        .enumerate()
    {
        let mut a = applicant(id);
        a.program = "regular".into();
        a.new_immigrant = i >= 1; // +3
        a.orphan = i >= 2; // +2
        if i == 3 {
            a.bagrut = true; // +2
            a.lives_away_from_parents = true; // +1
            a.years_since_high_school = 1; // +1
        }
        v.push(a);
    }
    v
}

// §6.3: Σ share · M = 5/2 · 2,000 = 5,000, exactly the budget.
#[test]
fn regular_maximum_where_the_sum_equals_the_budget() {
    let p = params();
    let apps = four_regular();
    let d = year(&apps, 5_000, 0, &p, &[]);
    let amounts: Vec<(i64, String, i64)> = d
        .regular_amounts
        .iter()
        .map(|r| (r.points, r.share.text(), r.loan_amount))
        .collect();
    assert_eq!(
        amounts,
        [
            (3, "1/4".into(), 500),
            (6, "1/2".into(), 1_000),
            (8, "3/4".into(), 1_500),
            (12, "1/1".into(), 2_000)
        ]
    );
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (5_000, 5_000, Some(2_000))
    );
    // Capped at 4,000 with plenty of budget.
    let d = year(&apps, 50_000, 0, &p, &[]);
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (50_000, 10_000, Some(4_000))
    );
    // Too small for one step (5/2 · 100 = 250): nobody, each for the budget.
    let d = year(&apps, 249, 0, &p, &[]);
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (249, 0, Some(0))
    );
    assert!(d.approvals.is_empty());
    for a in &apps {
        assert_eq!(
            reasons(&d, &apps, &a.applicant_id, Item::RegularLoan),
            Some((Round::First, "budget_exhausted".into()))
        );
    }
}

// §6.7: round 2 on what round 1 left, at most round 1's maximum.
#[test]
fn second_round_on_the_leftover_with_a_lower_maximum() {
    let p = params();
    let mut apps = four_regular();
    let mut first = apps.remove(3); // 12 points, share 1
    first.applicant_id = "000000018".into();
    let mut late = applicant("000000026"); // 3 points, share 1/4
    late.program = "regular".into();
    late.submitted_on = day(2020, 2, 1);
    let mut too_late = applicant("000000034");
    too_late.program = "regular".into();
    too_late.submitted_on = day(2020, 4, 5);
    too_late.split_studies = true;
    let apps = vec![first, late, too_late];
    // Round 1: M1 = 3,000 of 3,050; round 2: 1/4 · M2 ≤ 50, M2 = 200.
    let d = year(&apps, 3_050, 0, &p, &[]);
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (3_050, 3_000, Some(3_000))
    );
    assert_eq!(
        budget_line(&d, Round::Second, "regular_loans"),
        (50, 50, Some(200))
    );
    let late_approval = d.approvals.iter().find(|a| a.applicant == 1).expect("late");
    assert_eq!(
        (
            late_approval.round,
            late_approval.loan_amount,
            late_approval.issue_date
        ),
        (Round::Second, 50, day(2020, 5, 1))
    );
    assert_eq!(late_approval.valid_until, day(2020, 6, 15));
    assert_eq!(
        reasons(&d, &apps, "000000034", Item::RegularLoan),
        Some((Round::Second, "late_application;split_studies".into()))
    );
    // With more left, round 2's maximum stays at most round 1's.
    let d = year(&apps, 10_000, 0, &p, &[]);
    assert_eq!(
        budget_line(&d, Round::First, "regular_loans"),
        (10_000, 4_000, Some(4_000))
    );
    assert_eq!(
        budget_line(&d, Round::Second, "regular_loans"),
        (6_000, 1_000, Some(4_000))
    );
}

// §6.7: an appeal against a refusal of round 1, decided again in round 2.
#[test]
fn an_appeal_is_decided_in_round_two() {
    let p = params();
    let mut a = applicant("000000018");
    a.program = "regular".into();
    a.same_track = false;
    a.appeal_filed_on = Some(day(2020, 3, 20));
    let d = year(std::slice::from_ref(&a), 10_000, 0, &p, &[]);
    assert_eq!(
        reasons(&d, std::slice::from_ref(&a), "000000018", Item::RegularLoan),
        Some((Round::Second, "changed_track".into()))
    );
}

// §B: Pais with a preferred loan, through a regular loan, refused for another scholarship;
// required-subjects students of year 3 first (§B.1).
#[test]
fn pais_after_round_one() {
    let p = params();
    // Y: year-3 required subjects, secondary track: 10,000, first on the list.
    let mut y = applicant("000000018");
    y.study_year = 3;
    y.teaching_track = Track::Secondary;
    y.requests_scholarship = true;
    // R: ragav, not on the list: a regular loan, then Pais through it (rule all).
    let mut r = applicant("000000026");
    r.program = "ragav".into();
    r.requests_scholarship = true;
    // O: ragav on the list with a preferred loan, but another Pais scholarship.
    let mut o = applicant("000000034");
    o.program = "ragav".into();
    o.requests_scholarship = true;
    o.other_pais_scholarship = true;
    // N: ragav on the list, preferred loan: 5,000 asked, after Y.
    let mut n = applicant("000000042");
    n.program = "ragav".into();
    n.requests_scholarship = true;
    let apps = vec![y, r, o, n];
    let d = year(&apps, 100_000, 15_000, &p, &["000000034", "000000042"]);
    assert_eq!(
        loan_of(&d, &apps, "000000026").map(|l| l.0),
        Some(LoanKind::Regular)
    );
    assert_eq!(
        reasons(&d, &apps, "000000034", Item::Scholarship),
        Some((Round::First, "other_pais_scholarship".into()))
    );
    let pais: Vec<(&str, i64, bool)> = d
        .ranking
        .iter()
        .filter(|x| x.item == Item::Scholarship)
        .map(|x| (apps[x.applicant].applicant_id.as_str(), x.amount, x.granted))
        .collect();
    assert_eq!(pais[0], ("000000018", 10_000, true));
    assert_eq!(pais.len(), 3);
    // 5,000 left for R and N: the first of them by lottery gets it.
    assert_eq!(pais.iter().filter(|x| x.2).count(), 2);
    assert_eq!(
        budget_line(&d, Round::First, "pais"),
        (15_000, 15_000, None)
    );
    let granted: Vec<(i64, i64)> = d.approvals.iter().filter_map(|a| a.scholarship).collect();
    assert!(granted.contains(&(10_000, 80)) && granted.contains(&(5_000, 40)));
}

/// Every considered item of every applicant ends in an approval or a rejection, and no
/// budget line is overspent: what each line allocated is the sum of its grants.
pub(crate) fn check_invariants(apps: &[Applicant], d: &Decisions) {
    for b in &d.budget {
        assert!(b.allocated <= b.available, "{} overspent", b.line);
        assert!(b.allocated >= 0);
        let granted: i64 = match b.line {
            "pais" => d
                .approvals
                .iter()
                .filter_map(|a| a.scholarship)
                .map(|s| s.0)
                .sum(),
            "preferred_loans" => d
                .approvals
                .iter()
                .filter(|a| a.kind == LoanKind::Preferred)
                .map(|a| a.loan_amount)
                .sum(),
            _ => d
                .approvals
                .iter()
                .filter(|a| a.kind == LoanKind::Regular && a.round == b.round)
                .map(|a| a.loan_amount)
                .sum(),
        };
        assert_eq!(granted, b.allocated, "{} {:?}", b.line, b.round);
    }
    // All the loans together stay within the loans budget.
    let loans = d.budget.iter().find(|b| b.line == "preferred_loans");
    let spent: i64 = d.approvals.iter().map(|a| a.loan_amount).sum();
    assert!(loans.is_some_and(|b| spent <= b.available));
    for (i, a) in apps.iter().enumerate() {
        let approval = d.approvals.iter().find(|x| x.applicant == i);
        let rejected = |item| {
            d.rejections
                .iter()
                .any(|r| r.applicant == i && r.item == item)
        };
        if a.requests_loan {
            let preferred = approval.is_some_and(|x| x.kind == LoanKind::Preferred);
            if a.program != "regular" {
                assert!(preferred ^ rejected(Item::PreferredLoan), "{i}: preferred");
            }
            // In time: round 1; late: round 2. Either way, an answer.
            if !preferred {
                let regular = approval.is_some_and(|x| x.kind == LoanKind::Regular);
                assert!(regular ^ rejected(Item::RegularLoan), "{i}: regular");
            }
        }
        if a.requests_scholarship {
            let granted = approval.is_some_and(|x| x.scholarship.is_some());
            assert!(granted ^ rejected(Item::Scholarship), "{i}: scholarship");
        }
    }
}

#[test]
fn the_small_years_keep_the_invariants() {
    let p = params();
    let apps = three_preferred();
    check_invariants(&apps, &year(&apps, 20_000, 0, &p, &[]));
    let apps = four_regular();
    check_invariants(&apps, &year(&apps, 249, 0, &p, &[]));
}
