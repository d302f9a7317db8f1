//! Hand-worked boundaries of gifted.md §6.1 (0207 §5.1, §5.2), school year Y = 2027
//! (2026/27): deadline 2026-12-31; testing period ends 2027-03-31 (elementary) and 2027-01-31
//! (secondary); registration deadlines the same; ten months; threshold 97; notice 7 days.
use super::absence::{self, AbsenceRule};
use super::decide::{self, earliest_test_date, right_used_up, Facts, Rule};
use super::inputs::{Cause, History, Notice, Read, Request};
use super::review::{distance, order};
use super::twins::twin_verified;
use super::*;
use crate::jobs::gifted::Sector;
use crate::jobs::gifted_requests::{Guardians, Institution, Roster, Student};
use proptest::prelude::*;
use std::collections::HashSet;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn md(month: u32, day: u32) -> SchoolDate {
    SchoolDate::MonthDay { month, day }
}

pub(crate) fn params() -> Params {
    Params {
        deadline: md(12, 31),
        min_months_between_tests: 10,
        testing_period_end: ByStage {
            elementary: md(3, 31),
            secondary: md(1, 31),
        },
        registration_deadline: ByStage {
            elementary: md(3, 31),
            secondary: md(1, 31),
        },
        grades: Grades {
            elementary_hebrew: vec![3, 4],
            elementary_arabic: vec![4, 5],
            secondary: vec![7, 8, 9, 10],
        },
        threshold: Ratio::from(97),
        absence_notice_days: 7,
        lottery_seed: "itur".into(),
    }
}

fn dates() -> YearDates {
    YearDates::of(&params(), 2027).unwrap()
}

fn request(stage: Stage, submitted_on: NaiveDate, previous: NaiveDate) -> Request {
    Request {
        row_number: 1,
        student_id: "000000018".into(),
        school_year: 2027,
        stage,
        submitted_on,
        previous_test_date: previous,
        previous_composite: None,
        twin_claim: false,
    }
}

const HEBREW_3: Facts = Facts {
    participating: true,
    grade: 3,
    sector: Sector::Hebrew,
};

fn rule_of(r: &Request, f: Facts) -> Rule {
    decide::rule(&params(), &dates(), r, f, false)
}

#[test]
fn the_parameter_dates_fall_in_the_school_year() {
    let d = dates();
    assert_eq!(d.deadline, ymd(2026, 12, 31));
    assert_eq!(d.testing_period_end.elementary, ymd(2027, 3, 31));
    assert_eq!(d.testing_period_end.secondary, ymd(2027, 1, 31));
    let mut p = params();
    p.deadline = md(2, 29);
    let e = YearDates::of(&p, 2027).unwrap_err().to_string();
    assert!(
        e.contains("deadline") && e.contains("2027 has no 02-29"),
        "{e}"
    );
}

/// §5.1.ט: 31 December is in time, 1 January is late.
#[test]
fn the_deadline_is_inclusive() {
    let prev = ymd(2026, 2, 10);
    let on = request(Stage::Elementary, ymd(2026, 12, 31), prev);
    assert_eq!(rule_of(&on, HEBREW_3), Rule::AllConditionsMet);
    let late = request(Stage::Elementary, ymd(2027, 1, 1), prev);
    assert_eq!(rule_of(&late, HEBREW_3), Rule::AfterDeadline);
}

/// §5.1.ב, §5.1.ז: exactly ten months before the end of the testing period is allowed; ten
/// months less one day is not.
#[test]
fn ten_months_exactly_and_one_day_less() {
    let submitted = ymd(2026, 11, 1);
    // Elementary: the period ends 2027-03-31.
    let exactly = request(Stage::Elementary, submitted, ymd(2026, 5, 31));
    assert_eq!(rule_of(&exactly, HEBREW_3), Rule::AllConditionsMet);
    let short = request(Stage::Elementary, submitted, ymd(2026, 6, 1));
    assert_eq!(rule_of(&short, HEBREW_3), Rule::TenMonths);
    // Secondary: the period ends 2027-01-31.
    let grade_8 = Facts {
        grade: 8,
        ..HEBREW_3
    };
    let exactly = request(Stage::Secondary, submitted, ymd(2026, 3, 31));
    assert_eq!(rule_of(&exactly, grade_8), Rule::AllConditionsMet);
    let short = request(Stage::Secondary, submitted, ymd(2026, 4, 1));
    assert_eq!(rule_of(&short, grade_8), Rule::TenMonths);
}

/// gifted.md §6 "Dates": 30 April + 10 months = 28 February (2027 is not a leap year), which
/// is after the secondary period and within the elementary one.
#[test]
fn the_earliest_test_date_clamps_to_the_month_end() {
    let p = params();
    assert_eq!(
        earliest_test_date(&p, ymd(2026, 4, 30)),
        Some(ymd(2027, 2, 28))
    );
    let submitted = ymd(2026, 11, 1);
    let r = request(Stage::Secondary, submitted, ymd(2026, 4, 30));
    let grade_8 = Facts {
        grade: 8,
        ..HEBREW_3
    };
    assert_eq!(rule_of(&r, grade_8), Rule::TenMonths);
    let r = request(Stage::Elementary, submitted, ymd(2026, 4, 30));
    assert_eq!(rule_of(&r, HEBREW_3), Rule::AllConditionsMet);
}

/// §5.1.ג: grades 3–4 in Hebrew education, 4–5 in Arabic; §5.1.ד: 7–10 in every sector.
#[test]
fn grades_per_sector_and_stage() {
    let r = request(Stage::Elementary, ymd(2026, 11, 1), ymd(2026, 2, 1));
    let facts = |grade, sector| Facts {
        participating: true,
        grade,
        sector,
    };
    for (grade, sector, allowed) in [
        (2, Sector::Hebrew, false),
        (3, Sector::Hebrew, true),
        (4, Sector::Hebrew, true),
        (5, Sector::Hebrew, false),
        (3, Sector::Arabic, false),
        (4, Sector::Arabic, true),
        (5, Sector::Arabic, true),
        (6, Sector::Arabic, false),
    ] {
        let want = if allowed {
            Rule::AllConditionsMet
        } else {
            Rule::GradeNotAllowed
        };
        assert_eq!(
            rule_of(&r, facts(grade, sector)),
            want,
            "{grade} {sector:?}"
        );
    }
    let s = request(Stage::Secondary, ymd(2026, 11, 1), ymd(2026, 2, 1));
    for (grade, allowed) in [(6, false), (7, true), (10, true), (11, false)] {
        for sector in [Sector::Hebrew, Sector::Arabic] {
            let got = rule_of(&s, facts(grade, sector));
            assert_eq!(got == Rule::AllConditionsMet, allowed, "{grade} {sector:?}");
        }
    }
}

fn history(year: i64, stage: Stage, granted: bool, taken: bool) -> History {
    History {
        student_id: "000000018".into(),
        school_year: year,
        stage,
        retest_granted: granted,
        retest_taken: taken,
    }
}

/// §5.1.א: only a retest granted and sat in an earlier year uses up the stage's right.
#[test]
fn one_retest_per_stage_only_when_granted_and_sat() {
    let sat = history(2026, Stage::Elementary, true, true);
    let not_sat = history(2026, Stage::Elementary, true, false);
    let refused = history(2026, Stage::Elementary, false, false);
    let other_stage = history(2026, Stage::Secondary, true, true);
    let this_year = history(2027, Stage::Elementary, true, true);
    let used = |h: &History| right_used_up(&[h], Stage::Elementary, 2027);
    assert!(used(&sat));
    assert!(!used(&not_sat));
    assert!(!used(&refused));
    assert!(!used(&other_stage));
    assert!(!used(&this_year));
    let r = request(Stage::Elementary, ymd(2026, 11, 1), ymd(2026, 2, 1));
    assert_eq!(
        decide::rule(&params(), &dates(), &r, HEBREW_3, true),
        Rule::OneRetestPerStage
    );
}

/// gifted.md §6: a non-participating institution is answered first, even for a late request.
#[test]
fn the_rules_apply_in_order() {
    let r = request(Stage::Elementary, ymd(2027, 1, 5), ymd(2026, 8, 1));
    let out = Facts {
        participating: false,
        grade: 9,
        ..HEBREW_3
    };
    assert_eq!(rule_of(&r, out), Rule::InstitutionNotParticipating);
    let late_and_wrong_grade = Facts {
        grade: 9,
        ..HEBREW_3
    };
    assert_eq!(rule_of(&r, late_and_wrong_grade), Rule::AfterDeadline);
    assert_eq!(
        decide::rule(&params(), &dates(), &r, late_and_wrong_grade, true),
        Rule::AfterDeadline
    );
    assert_eq!(Rule::AfterDeadline.decision(), "rejected");
    assert_eq!(Rule::AllConditionsMet.decision(), "eligible_for_review");
}

/// §5.1.ו: a composite at the threshold is flagged, one unit below is not; neither is refused.
#[test]
fn a_previous_composite_at_the_threshold_is_flagged_never_refused() {
    let p = params();
    assert!(decide::previously_reached(&p, Some(Ratio::from(97))));
    assert!(!decide::previously_reached(&p, Some(Ratio::new(9699, 100))));
    assert!(!decide::previously_reached(&p, None));
    let mut r = request(Stage::Elementary, ymd(2026, 11, 1), ymd(2026, 2, 1));
    r.previous_composite = Some(Ratio::new(195, 2));
    assert_eq!(rule_of(&r, HEBREW_3), Rule::AllConditionsMet);
}

/// §5.1.ו: distance smallest first and exact, those without a composite last, ties by lottery.
#[test]
fn the_review_order_by_distance_then_lottery() {
    let p = params();
    assert_eq!(distance(p.threshold, Ratio::new(195, 2)), Ratio::ZERO);
    assert_eq!(distance(p.threshold, Ratio::new(289, 3)), Ratio::new(2, 3));
    let e = [
        (Stage::Elementary, "a", None),
        (Stage::Elementary, "b", Some(Ratio::new(289, 3))),
        (Stage::Elementary, "c", Some(Ratio::from(98))),
        (Stage::Elementary, "d", Some(Ratio::from(97))),
        (Stage::Secondary, "e", Some(Ratio::from(50))),
        (Stage::Elementary, "f", Some(Ratio::new(9667, 100))),
    ];
    let o = order(&p, &e);
    let ids: Vec<(&str, u64)> = o
        .iter()
        .map(|r| (r.student_id.as_str(), r.review_rank))
        .collect();
    // c and d tie at distance 0: the lottery orders them.
    let (c, d) = (&o[0], &o[1]);
    assert!(c.lottery_number < d.lottery_number);
    assert_eq!(&ids[2..], [("f", 3), ("b", 4), ("a", 5), ("e", 1)]);
    assert_eq!(o[3].distance, Some(Ratio::new(2, 3)));
    assert_eq!(o[2].distance, Some(Ratio::new(33, 100)));
    assert_eq!(o[4].distance, None);
}

fn notice(cause: Cause, exam: NaiveDate, notified: NaiveDate, stage: Stage) -> Notice {
    Notice {
        row_number: 1,
        student_id: "000000018".into(),
        school_year: 2027,
        stage,
        exam_date: exam,
        notified_on: notified,
        cause,
    }
}

/// §5.2.א: day 7 after the exam is in time, day 8 late, a notice before the exam in time;
/// §5.2.ב: after the registration deadline, next year.
#[test]
fn absence_day_7_and_day_8() {
    let (p, d) = (params(), dates());
    let exam = ymd(2027, 2, 25);
    let rule = |n: &Notice| absence::rule(&p, &d, n);
    let day_7 = notice(Cause::Illness, exam, ymd(2027, 3, 4), Stage::Elementary);
    assert_eq!(rule(&day_7), AbsenceRule::NotifiedInTime);
    let day_8 = notice(Cause::Illness, exam, ymd(2027, 3, 5), Stage::Elementary);
    assert_eq!(rule(&day_8), AbsenceRule::NoticeLate);
    let before = notice(Cause::Illness, exam, ymd(2027, 2, 20), Stage::Elementary);
    assert_eq!(rule(&before), AbsenceRule::NotifiedInTime);
    let other = notice(Cause::Other, exam, ymd(2027, 2, 26), Stage::Elementary);
    assert_eq!(rule(&other), AbsenceRule::CauseNotIllness);
    // Secondary: registration closes 2027-01-31; the day itself is in time.
    let exam = ymd(2027, 1, 28);
    let on = notice(Cause::Illness, exam, ymd(2027, 1, 31), Stage::Secondary);
    assert_eq!(rule(&on), AbsenceRule::NotifiedInTime);
    let after = notice(Cause::Illness, exam, ymd(2027, 2, 1), Stage::Secondary);
    assert_eq!(rule(&after), AbsenceRule::AfterRegistrationDeadline);
    assert_eq!(
        AbsenceRule::AfterRegistrationDeadline.decision(),
        "deferred_next_year"
    );
    assert_eq!(AbsenceRule::NotifiedInTime.decision(), "makeup_eligible");
    assert_eq!(AbsenceRule::NoticeLate.decision(), "rejected");
}

fn student(id: &str, birth: NaiveDate) -> Student {
    Student {
        student_id: id.into(),
        first_name: "x".into(),
        last_name: "y".into(),
        school_year: 2027,
        birth_date: birth,
        gender: "m".into(),
        institution_id: "100001".into(),
        grade: 3,
        immigration_date: None,
        years_abroad: None,
    }
}

fn twin_roster() -> Roster {
    let b = ymd(2018, 5, 1);
    let institution = Institution {
        name: "School".into(),
        sector: Sector::Hebrew,
        region_id: "r".into(),
        participating: true,
    };
    Roster::of(
        vec![
            student("1", b),
            student("2", b),
            student("3", ymd(2019, 5, 1)),
            student("4", b),
        ],
        vec![("100001".into(), institution)],
    )
}

/// §5.1.ו: a twin needs the same birth date, a shared legal guardian and a program in Y.
#[test]
fn twins_verified_and_not() {
    let roster = twin_roster();
    let named: HashSet<&str> = ["1"].into();
    // 900 is the guardian of 1, 2 (same birthday) and 3 (a year younger); 4 shares the
    // birthday and no guardian.
    let pairs = [("1", "900"), ("2", "900"), ("3", "900"), ("4", "901")];
    let g = Guardians::of_pairs(pairs, &named);
    let programs = |ids: &[&str], year| -> HashSet<(String, i64)> {
        ids.iter().map(|i| (i.to_string(), year)).collect()
    };
    let a = &roster.students["1"];
    assert!(twin_verified(
        a,
        &roster,
        Some(&g),
        &programs(&["2"], 2027),
        2027
    ));
    // The twin studied in a program last year only.
    assert!(!twin_verified(
        a,
        &roster,
        Some(&g),
        &programs(&["2"], 2026),
        2027
    ));
    // A sibling of another birthday in a program, a same-birthday child of another guardian.
    assert!(!twin_verified(
        a,
        &roster,
        Some(&g),
        &programs(&["3", "4"], 2027),
        2027
    ));
    assert!(!twin_verified(
        a,
        &roster,
        None,
        &programs(&["2"], 2027),
        2027
    ));
}

/// The whole year on a handful of rows: one decision per request, eligible ones ranked.
#[test]
fn a_year_decides_every_request_once() {
    let mut read = Read {
        roster: twin_roster(),
        ..Read::default()
    };
    for (id, prev) in [
        ("1", ymd(2026, 2, 1)),
        ("2", ymd(2026, 7, 1)),
        ("3", ymd(2026, 2, 1)),
    ] {
        let mut r = request(Stage::Elementary, ymd(2026, 11, 1), prev);
        r.student_id = id.into();
        r.twin_claim = id == "1";
        read.requests.push(r);
    }
    let d = decide::year(&params(), &read).unwrap();
    let rules: Vec<(&str, Rule, Option<bool>)> = d
        .requests
        .iter()
        .map(|r| (r.student_id.as_str(), r.rule, r.twin_verified))
        .collect();
    assert_eq!(
        rules,
        [
            ("1", Rule::AllConditionsMet, Some(false)),
            ("2", Rule::TenMonths, None),
            ("3", Rule::AllConditionsMet, None)
        ]
    );
    assert_eq!(d.order.len(), 2);
}

proptest! {
    /// gifted.md §6.1: every request gets exactly one decision, and exactly the eligible ones
    /// are ranked, 1..n per stage.
    #[test]
    fn every_request_gets_exactly_one_decision(
        rows in proptest::collection::vec((0u8..2, 0i64..120, 0i64..400, 2i64..12, proptest::option::of(0i64..10_000)), 0..40)
    ) {
        let mut read = Read::default();
        let institution = Institution { name: "School".into(), sector: Sector::Hebrew, region_id: "r".into(), participating: true };
        let mut students = Vec::new();
        for (k, (stage, sub, prev, grade, comp)) in rows.iter().enumerate() {
            let id = format!("{k:09}");
            let mut s = student(&id, ymd(2017, 1, 1));
            s.grade = *grade;
            students.push(s);
            let stage = if *stage == 0 { Stage::Elementary } else { Stage::Secondary };
            let mut r = request(stage, ymd(2026, 10, 1) + chrono::Days::new(*sub as u64), ymd(2025, 12, 1) + chrono::Days::new(*prev as u64));
            r.student_id = id;
            r.previous_composite = comp.map(|c| Ratio::new(i128::from(c), 100));
            read.requests.push(r);
        }
        read.roster = Roster::of(students, vec![("100001".into(), institution)]);
        let d = decide::year(&params(), &read).unwrap();
        prop_assert_eq!(d.requests.len(), rows.len());
        let ids: HashSet<(&str, Stage)> = d.requests.iter().map(|r| (r.student_id.as_str(), r.stage)).collect();
        prop_assert_eq!(ids.len(), rows.len());
        let eligible = d.requests.iter().filter(|r| r.rule == Rule::AllConditionsMet).count();
        prop_assert_eq!(d.order.len(), eligible);
        for stage in [Stage::Elementary, Stage::Secondary] {
            let ranks: Vec<u64> = d.order.iter().filter(|r| r.stage == stage).map(|r| r.review_rank).collect();
            prop_assert_eq!(ranks.clone(), (1..=ranks.len() as u64).collect::<Vec<_>>());
        }
    }
}
