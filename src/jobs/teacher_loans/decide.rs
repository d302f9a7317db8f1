//! The decisions of one year, in the spec's order (teacher-loans.md §2–§4): preferred loans,
//! regular loans of round 1, Pais scholarships, regular loans of round 2; then what each
//! applicant is told. Pure: the rows, the budget and the parameters in, the decisions out.
use super::allocation::walk;
use super::amounts::{credit_points, loan, maximum, share};
use super::approvals::{guarantors, valid_until, work, LoanKind};
use super::inputs::Applicant;
use super::params::{Fraction, Params, TableB, Work};
use super::preferred::{self, CollegeFacts};
use super::reasons::{Failures, Item, Reason};
use super::regular::{self, Round};
use super::{pais, Budget};
use crate::rules::lottery::lottery_number;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashSet};

/// A loan granted, with the scholarship that rides on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// Index into the applicants.
    pub applicant: usize,
    pub round: Round,
    pub kind: LoanKind,
    pub loan_amount: i64,
    pub guarantors: i64,
    /// Amount and volunteer hours, when a Pais scholarship was granted.
    pub scholarship: Option<(i64, i64)>,
    pub issue_date: NaiveDate,
    pub valid_until: NaiveDate,
    pub work: Option<Work>,
}

/// An item considered and not granted, with the reasons of the last round that considered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub applicant: usize,
    pub item: Item,
    pub round: Round,
    pub reasons: Failures,
}

/// A place on the preferred-loan or the Pais list (applicants who passed every check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub item: Item,
    pub applicant: usize,
    pub lottery: u64,
    /// 1 = first.
    pub rank: usize,
    pub amount: i64,
    pub granted: bool,
}

/// The amount of a regular loan of an eligible applicant in one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegularAmount {
    pub applicant: usize,
    pub round: Round,
    pub points: i64,
    pub share: Fraction,
    pub max_amount: i64,
    pub loan_amount: i64,
    pub granted: bool,
}

/// One budget line of one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub round: Round,
    pub line: &'static str,
    pub available: i64,
    pub allocated: i64,
    pub n_granted: i64,
    /// The round's maximum M (regular loans only).
    pub max_amount: Option<i64>,
}

/// Everything decided in a year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    pub approvals: Vec<Approval>,
    pub rejections: Vec<Rejection>,
    pub ranking: Vec<Ranked>,
    pub regular_amounts: Vec<RegularAmount>,
    pub budget: Vec<BudgetRow>,
}

/// The colleges' facts and the ragav list the checks read.
pub struct Context<'a> {
    pub colleges: &'a BTreeMap<String, CollegeFacts>,
    pub ragav: &'a HashSet<String>,
}

const NO_COLLEGE: CollegeFacts = CollegeFacts {
    academic: false,
    soldier_arrangement: false,
};

/// A ranked walk over `candidates` (their keys and amounts): the places and the grants.
fn ranked_walk(
    item: Item,
    mut candidates: Vec<(Vec<u64>, usize, i64)>,
    apps: &[Applicant],
    lottery: &[u64],
    budget: i64,
    p: &Params,
) -> (Vec<Ranked>, i64) {
    candidates
        .sort_by(|a, b| (&a.0, &apps[a.1].applicant_id).cmp(&(&b.0, &apps[b.1].applicant_id)));
    let amounts: Vec<i64> = candidates.iter().map(|c| c.2).collect();
    let w = walk(&amounts, budget, p.allocation);
    let ranked = candidates
        .iter()
        .zip(&w.granted)
        .enumerate()
        .map(|(k, ((_, i, amount), granted))| Ranked {
            item,
            applicant: *i,
            lottery: lottery[*i],
            rank: k + 1,
            amount: *amount,
            granted: *granted,
        })
        .collect();
    (ranked, w.allocated)
}

/// One round of regular loans over `considered`: the checks, the maximum and the amounts.
/// Returns the refusals by applicant, the amounts of the eligible, and the budget row.
fn regular_round(
    round: Round,
    considered: &[usize],
    apps: &[Applicant],
    ctx: &Context,
    available: i64,
    cap: i64,
    p: &Params,
) -> (Vec<(usize, Failures)>, Vec<RegularAmount>, BudgetRow) {
    let mut refused = Vec::new();
    let mut eligible = Vec::new();
    for &i in considered {
        let a = &apps[i];
        let college = ctx
            .colleges
            .get(&a.college_id)
            .copied()
            .unwrap_or(NO_COLLEGE);
        let f = regular::checks(a, college, round, p);
        if f.passed() {
            let points = credit_points(a, &p.points, p);
            eligible.push((i, points, share(&p.regular.tiers, points)));
        } else {
            refused.push((i, f));
        }
    }
    let shares: Vec<Fraction> = eligible.iter().map(|e| e.2).collect();
    let max = maximum(&shares, available, p.regular.amount_step, cap);
    let amounts: Vec<RegularAmount> = eligible
        .iter()
        .map(|&(i, points, share)| RegularAmount {
            applicant: i,
            round,
            points,
            share,
            max_amount: max,
            loan_amount: loan(share, max),
            granted: max > 0,
        })
        .collect();
    for a in amounts.iter().filter(|a| !a.granted) {
        refused.push((a.applicant, vec![Reason::BudgetExhausted].into()));
    }
    let row = BudgetRow {
        round,
        line: "regular_loans",
        available,
        allocated: amounts.iter().map(|a| a.loan_amount).sum(),
        n_granted: amounts.iter().filter(|a| a.granted).count() as i64,
        max_amount: Some(max),
    };
    (refused, amounts, row)
}

/// Decides the year for `apps` (teacher-loans.md §2–§4).
pub fn decide(apps: &[Applicant], ctx: &Context, budget: Budget, p: &Params) -> Decisions {
    let n = apps.len();
    let rows: Vec<Option<&TableB>> = apps.iter().map(|a| p.program(&a.program)).collect();
    let lottery: Vec<u64> = apps
        .iter()
        .map(|a| lottery_number(&p.lottery_seed, &a.applicant_id))
        .collect();
    let college = |a: &Applicant| {
        ctx.colleges
            .get(&a.college_id)
            .copied()
            .unwrap_or(NO_COLLEGE)
    };
    let mut d = Decisions::default();

    // §2: preferred loans, for a loan requested under a Table B program.
    let mut candidates = Vec::new();
    for (i, a) in apps.iter().enumerate() {
        let Some(row) = rows[i].filter(|_| a.requests_loan) else {
            continue;
        };
        let f = preferred::checks(a, row, college(a), ctx.ragav.contains(&a.applicant_id), p);
        if f.passed() {
            let key = preferred::rank_key(a, Some(row), &p.ranking, lottery[i]);
            candidates.push((key, i, row.amount(a.continuing()).unwrap_or(0)));
        } else {
            d.rejections
                .push(rejection(i, Item::PreferredLoan, Round::First, f));
        }
    }
    let (ranked, preferred_allocated) = ranked_walk(
        Item::PreferredLoan,
        candidates,
        apps,
        &lottery,
        budget.loans,
        p,
    );
    let mut preferred_loan: Vec<Option<i64>> = vec![None; n];
    for r in &ranked {
        if r.granted {
            preferred_loan[r.applicant] = Some(r.amount);
        } else {
            let f = vec![Reason::BudgetExhausted].into();
            d.rejections
                .push(rejection(r.applicant, Item::PreferredLoan, Round::First, f));
        }
    }
    d.budget.push(BudgetRow {
        round: Round::First,
        line: "preferred_loans",
        available: budget.loans,
        allocated: preferred_allocated,
        n_granted: ranked.iter().filter(|r| r.granted).count() as i64,
        max_amount: None,
    });
    d.ranking.extend(ranked);

    // §3.1–§3.2: regular loans of round 1, on what the preferred loans left.
    let first: Vec<usize> = (0..n)
        .filter(|&i| regular::in_first_round(&apps[i], preferred_loan[i].is_some(), p))
        .collect();
    let available1 = budget.loans - preferred_allocated;
    let (refused1, amounts1, row1) = regular_round(
        Round::First,
        &first,
        apps,
        ctx,
        available1,
        p.regular.max_amount,
        p,
    );
    let m1 = row1.max_amount.unwrap_or(0);
    let mut regular_loan: Vec<Option<(Round, i64)>> = vec![None; n];
    for a in amounts1.iter().filter(|a| a.granted) {
        regular_loan[a.applicant] = Some((Round::First, a.loan_amount));
    }
    let mut regular_refusal: Vec<Option<(Round, Failures)>> = vec![None; n];
    for (i, f) in refused1 {
        regular_refusal[i] = Some((Round::First, f));
    }
    let available2 = available1 - row1.allocated;
    d.budget.push(row1);
    d.regular_amounts.extend(amounts1);

    // §4: Pais scholarships, for applicants with a preferred or a round-1 regular loan.
    let mut candidates = Vec::new();
    for (i, a) in apps.iter().enumerate() {
        if !a.requests_scholarship {
            continue;
        }
        let has_loan = preferred_loan[i].is_some() || regular_loan[i].is_some();
        let f = pais::checks(a, rows[i], has_loan, p);
        if f.passed() {
            let mut key = vec![pais::priority(a, rows[i])];
            key.extend(preferred::rank_key(a, rows[i], &p.ranking, lottery[i]));
            let amount = pais::amount(a, rows[i], p).map_or(0, |s| s.0);
            candidates.push((key, i, amount));
        } else {
            d.rejections
                .push(rejection(i, Item::Scholarship, Round::First, f));
        }
    }
    let (ranked, pais_allocated) = ranked_walk(
        Item::Scholarship,
        candidates,
        apps,
        &lottery,
        budget.pais,
        p,
    );
    let mut scholarship: Vec<Option<(i64, i64)>> = vec![None; n];
    for r in &ranked {
        if r.granted {
            scholarship[r.applicant] = pais::amount(&apps[r.applicant], rows[r.applicant], p);
        } else {
            let f = vec![Reason::BudgetExhausted].into();
            d.rejections
                .push(rejection(r.applicant, Item::Scholarship, Round::First, f));
        }
    }
    d.budget.push(BudgetRow {
        round: Round::First,
        line: "pais",
        available: budget.pais,
        allocated: pais_allocated,
        n_granted: ranked.iter().filter(|r| r.granted).count() as i64,
        max_amount: None,
    });
    d.ranking.extend(ranked);

    // §3.3: round 2, late applications and appeals, on what round 1 left, at most M.
    let second: Vec<usize> = (0..n)
        .filter(|&i| {
            let loan1 = preferred_loan[i].is_some() || regular_loan[i].is_some();
            let refused1 = regular_refusal[i].is_some();
            regular::in_second_round(&apps[i], loan1, refused1, p)
        })
        .collect();
    let (refused2, amounts2, row2) =
        regular_round(Round::Second, &second, apps, ctx, available2, m1, p);
    for a in amounts2.iter().filter(|a| a.granted) {
        regular_loan[a.applicant] = Some((Round::Second, a.loan_amount));
        regular_refusal[a.applicant] = None;
    }
    for (i, f) in refused2 {
        regular_refusal[i] = Some((Round::Second, f));
    }
    d.budget.push(row2);
    d.regular_amounts.extend(amounts2);
    for (i, refusal) in regular_refusal.into_iter().enumerate() {
        if let Some((round, f)) = refusal {
            d.rejections.push(rejection(i, Item::RegularLoan, round, f));
        }
    }

    // What each applicant granted a loan receives (§A.3, §A.11).
    for (i, a) in apps.iter().enumerate() {
        let (kind, round, amount) = match (preferred_loan[i], regular_loan[i]) {
            (Some(amount), _) => (LoanKind::Preferred, Round::First, amount),
            (None, Some((round, amount))) => (LoanKind::Regular, round, amount),
            (None, None) => continue,
        };
        let issue = match round {
            Round::First => p.issue_date,
            Round::Second => p.second_round_issue_date,
        };
        d.approvals.push(Approval {
            applicant: i,
            round,
            kind,
            loan_amount: amount,
            guarantors: guarantors(amount, p.guarantor_threshold),
            scholarship: scholarship[i],
            issue_date: issue,
            valid_until: valid_until(issue, p.approval_valid_days),
            work: work(kind, a.continuing(), rows[i], p),
        });
    }
    d
}

fn rejection(applicant: usize, item: Item, round: Round, reasons: Failures) -> Rejection {
    Rejection {
        applicant,
        item,
        round,
        reasons,
    }
}
