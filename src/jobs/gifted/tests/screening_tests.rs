//! Hand-worked cases of gifted.md §2 (0207 §2.4).

use super::*;
use crate::jobs::gifted::test_util::shuffle;
use proptest::prelude::*;

fn student(id: &str, class: &str, stage_a: Option<StageA>) -> ScreeningStudent<'static> {
    ScreeningStudent {
        student_id: id.to_string().into(),
        institution_id: "100001".into(),
        class_id: class.to_string().into(),
        grade: 2,
        sector: Sector::Hebrew,
        participating: true,
        stage_a,
    }
}

fn tested(id: &str, class: &str, score: i64) -> ScreeningStudent<'static> {
    student(id, class, Some(StageA::Tested { score }))
}

/// A class "c1" of students s01.. with the given scores.
fn class_with(scores: &[i64]) -> Vec<ScreeningStudent<'static>> {
    scores
        .iter()
        .enumerate()
        .map(|(i, &sc)| tested(&format!("s{:02}", i + 1), "c1", sc))
        .collect()
}

fn referral(id: &str, kind: ReferralKind, decision: ReferralDecision) -> Referral {
    Referral {
        student_id: id.to_string(),
        kind,
        decision,
    }
}

fn invited(out: &ScreeningOutput) -> Vec<&str> {
    out.invitations
        .iter()
        .map(|i| i.student_id.as_str())
        .collect()
}

fn run(students: &[ScreeningStudent], referrals: &[Referral]) -> ScreeningOutput {
    screen(&ScreeningParams::default(), students, referrals).unwrap()
}

#[test]
fn class_of_twenty_refers_three() {
    // Scores 1..=20 for s01..s20: ceil(0.15 · 20) = 3 → s20, s19, s18.
    let scores: Vec<i64> = (1..=20).collect();
    let out = run(&class_with(&scores), &[]);
    assert_eq!(invited(&out), vec!["s18", "s19", "s20"]);
    assert_eq!(out.units.len(), 1);
    assert_eq!(out.units[0].k, 3);
    assert_eq!(out.units[0].boundary_score, Some(18));
    assert!(out
        .invitations
        .iter()
        .all(|i| i.reasons_joined() == "score"));
    // Every tested student gets a letter: 3 referred, 17 not referred.
    let n_ref = out
        .outcomes
        .iter()
        .filter(|o| o.outcome == LetterOutcome::Referred)
        .count();
    assert_eq!((out.outcomes.len(), n_ref), (20, 3));
}

#[test]
fn tie_at_third_place_refers_four() {
    // 100, 90, 80, 80, then 16 lower scores: the 3rd highest is 80, shared by two.
    let mut scores = vec![100, 90, 80, 80];
    scores.extend(10..26);
    let out = run(&class_with(&scores), &[]);
    assert_eq!(invited(&out), vec!["s01", "s02", "s03", "s04"]);
    assert_eq!(out.units[0].k, 3);
    assert_eq!(out.units[0].n_referred_by_score, 4);
}

#[test]
fn twenty_one_testers_refer_four() {
    // ceil(0.15 · 21) = ceil(3.15) = 4.
    let scores: Vec<i64> = (1..=21).collect();
    let out = run(&class_with(&scores), &[]);
    assert_eq!(invited(&out), vec!["s18", "s19", "s20", "s21"]);
    assert_eq!(referral_count(Ratio::new(15, 100), 21), 4);
    assert_eq!(referral_count(Ratio::new(15, 100), 0), 0);
    assert_eq!(score_boundary(Ratio::new(15, 100), &[]), None);
}

#[test]
fn unit_grade_pools_the_classes() {
    // Class a: 91..=100 (a01..a10); class b: 1..=10 (b01..b10).
    let mut students = Vec::new();
    for i in 1..=10 {
        students.push(tested(&format!("a{i:02}"), "ca", 90 + i));
        students.push(tested(&format!("b{i:02}"), "cb", i));
    }
    // Per class: ceil(1.5) = 2 in each class.
    let out = run(&students, &[]);
    assert_eq!(invited(&out), vec!["a09", "a10", "b09", "b10"]);
    // Per grade: one unit of 20, ceil(3) = 3, all from class a.
    let params = ScreeningParams {
        referral_unit: ReferralUnit::Grade,
        ..ScreeningParams::default()
    };
    let out = screen(&params, &students, &[]).unwrap();
    assert_eq!(invited(&out), vec!["a08", "a09", "a10"]);
    assert_eq!(out.units.len(), 1);
    assert_eq!(out.units[0].unit, "2");
}

#[test]
fn absent_and_opted_out_are_not_ranked() {
    // 20 tested plus 5 absent and 2 opted out: n = 20, still 3 referred by score.
    let mut students = class_with(&(1..=20).collect::<Vec<_>>());
    for i in 0..5 {
        students.push(student(&format!("x{i}"), "c1", Some(StageA::Absent)));
    }
    students.push(student("y0", "c1", Some(StageA::OptedOut)));
    students.push(student("y1", "c1", Some(StageA::OptedOut)));
    let out = run(&students, &[]);
    assert_eq!(invited(&out), vec!["s18", "s19", "s20"]);
    assert_eq!(out.units[0].n_tested, 20);
    let absent: Vec<&str> = out
        .outcomes
        .iter()
        .filter(|o| o.outcome == LetterOutcome::Absent)
        .map(|o| o.student_id.as_str())
        .collect();
    assert_eq!(absent, vec!["x0", "x1", "x2", "x3", "x4"]);
    // Opted-out students get no stage A letter.
    assert!(out.outcomes.iter().all(|o| !o.student_id.starts_with('y')));
    assert_eq!(out.outcomes.len(), 25);
}

#[test]
fn approved_principal_referral_refers_a_low_scorer() {
    let students = class_with(&(1..=20).collect::<Vec<_>>());
    let refs = [referral(
        "s01",
        ReferralKind::Principal,
        ReferralDecision::Approved,
    )];
    let out = run(&students, &refs);
    assert_eq!(invited(&out), vec!["s01", "s18", "s19", "s20"]);
    assert_eq!(out.invitations[0].reasons_joined(), "principal");
    let s01 = out.outcomes.iter().find(|o| o.student_id == "s01").unwrap();
    assert_eq!(s01.outcome, LetterOutcome::Referred);
}

#[test]
fn pending_referral_is_listed_and_refers_nobody() {
    let students = class_with(&(1..=20).collect::<Vec<_>>());
    let refs = [
        referral("s02", ReferralKind::Appeal, ReferralDecision::Pending),
        referral("s03", ReferralKind::Appeal, ReferralDecision::Rejected),
    ];
    let out = run(&students, &refs);
    assert_eq!(invited(&out), vec!["s18", "s19", "s20"]);
    assert_eq!(
        out.pending_referrals,
        vec![PendingReferral {
            student_id: "s02".into(),
            kind: ReferralKind::Appeal
        }]
    );
    assert!(out.unused_referrals.is_empty());
}

#[test]
fn score_and_appeal_give_both_reasons() {
    let mut students = class_with(&(1..=20).collect::<Vec<_>>());
    students.push(student("z9", "c1", Some(StageA::Absent)));
    let refs = [
        referral("s20", ReferralKind::Appeal, ReferralDecision::Approved),
        referral("s20", ReferralKind::Appeal, ReferralDecision::Pending),
        referral("z9", ReferralKind::Principal, ReferralDecision::Approved),
    ];
    let out = run(&students, &refs);
    let s20 = out
        .invitations
        .iter()
        .find(|i| i.student_id == "s20")
        .unwrap();
    assert_eq!(s20.reasons_joined(), "score;appeal");
    // The pending appeal is superseded by the approved one.
    assert!(out.pending_referrals.is_empty());
    // An absent student with an approved referral is referred.
    let z9 = out
        .invitations
        .iter()
        .find(|i| i.student_id == "z9")
        .unwrap();
    assert_eq!(z9.reasons_joined(), "principal");
    let z9 = out.outcomes.iter().find(|o| o.student_id == "z9").unwrap();
    assert_eq!(z9.outcome, LetterOutcome::Referred);
}

#[test]
fn referrals_outside_the_population_are_reported() {
    let mut students = class_with(&[50, 60]);
    let mut grade3 = tested("g3", "c3", 99);
    grade3.grade = 3;
    let mut other_school = tested("np", "c9", 99);
    other_school.participating = false;
    let mut arabic = tested("ar", "c7", 10);
    arabic.sector = Sector::Arabic;
    arabic.grade = 3; // arabic tested grade: ranked in its own class
    students.extend([grade3, other_school, arabic]);
    let refs = [
        referral("g3", ReferralKind::Principal, ReferralDecision::Approved),
        referral("np", ReferralKind::Appeal, ReferralDecision::Pending),
        referral("ghost", ReferralKind::Appeal, ReferralDecision::Approved),
    ];
    let out = run(&students, &refs);
    // c1: n = 2, k = ceil(0.3) = 1 → s02; c7: n = 1, k = 1 → ar.
    assert_eq!(invited(&out), vec!["ar", "s02"]);
    let unused: Vec<(&str, OutsideReason)> = out
        .unused_referrals
        .iter()
        .map(|u| (u.student_id.as_str(), u.reason))
        .collect();
    assert_eq!(
        unused,
        vec![
            ("g3", OutsideReason::GradeNotTested),
            ("ghost", OutsideReason::StudentNotFound),
            ("np", OutsideReason::InstitutionNotParticipating),
        ]
    );
    assert!(out.pending_referrals.is_empty());
    let ignored: Vec<&str> = out
        .ignored_stage_a
        .iter()
        .map(|i| i.student_id.as_str())
        .collect();
    assert_eq!(ignored, vec!["g3", "np"]);
    assert!(out.outcomes.iter().all(|o| o.student_id != "g3"));
}

#[test]
fn bad_share_and_duplicate_students_are_errors() {
    let params = ScreeningParams {
        referral_share: Ratio::new(3, 2),
        ..ScreeningParams::default()
    };
    assert!(matches!(
        screen(&params, &[], &[]),
        Err(ScreeningError::InvalidShare(_))
    ));
    let students = [tested("a", "c", 1), tested("a", "c", 2)];
    assert_eq!(
        screen(&ScreeningParams::default(), &students, &[]),
        Err(ScreeningError::DuplicateStudent("a".into()))
    );
}

#[test]
fn units_are_in_text_order_with_short_and_long_codes() {
    // Class codes that order differently as text and as numbers ("c10" < "c9"), and the same
    // codes made longer than 16 bytes, with ties inside a unit kept in student order.
    for long in [false, true] {
        let code = |c: &str| {
            if long {
                format!("a-class-code-longer-than-16-bytes-{c}")
            } else {
                c.to_string()
            }
        };
        let students: Vec<ScreeningStudent> = [("s1", "c9", 5), ("s2", "c10", 7), ("s3", "c9", 5)]
            .iter()
            .chain(&[("s4", "c10", 1), ("s5", "c1", 3)])
            .map(|&(id, c, sc)| tested(id, &code(c), sc))
            .collect();
        let out = run(&students, &[]);
        let units: Vec<&str> = out.units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(units, [code("c1"), code("c10"), code("c9")], "long: {long}");
        assert_eq!(invited(&out), ["s1", "s2", "s3", "s5"], "long: {long}");
    }
}

proptest! {
    /// Output is the same for any order of the input rows.
    #[test]
    fn row_order_does_not_matter(
        rows in prop::collection::vec((0u8..3, 0i64..40, 0u8..4), 1..60),
        refs in prop::collection::vec((0usize..60, any::<bool>(), 0u8..3), 0..10),
        seed in any::<u64>(),
        by_grade in any::<bool>(),
    ) {
        let students: Vec<ScreeningStudent> = rows
            .iter()
            .enumerate()
            .map(|(i, &(class, score, st))| {
                let stage_a = match st {
                    0 => Some(StageA::Absent),
                    1 => Some(StageA::OptedOut),
                    _ => Some(StageA::Tested { score }),
                };
                student(&format!("s{i:03}"), &format!("c{class}"), stage_a)
            })
            .collect();
        let referrals: Vec<Referral> = refs
            .iter()
            .map(|&(i, principal, d)| {
                let kind = if principal { ReferralKind::Principal } else { ReferralKind::Appeal };
                let decision = [ReferralDecision::Approved, ReferralDecision::Rejected,
                    ReferralDecision::Pending][d as usize];
                referral(&format!("s{i:03}"), kind, decision)
            })
            .collect();
        let params = ScreeningParams {
            referral_unit: if by_grade { ReferralUnit::Grade } else { ReferralUnit::Class },
            ..ScreeningParams::default()
        };
        let a = screen(&params, &students, &referrals).unwrap();
        let (mut s2, mut r2) = (students.clone(), referrals.clone());
        shuffle(&mut s2, seed);
        shuffle(&mut r2, seed ^ 0x9e37_79b9);
        let b = screen(&params, &s2, &r2).unwrap();
        prop_assert_eq!(a, b);
    }
}

/// gifted.md §2.1: tested students are ranked by score; absent and opted-out students are not,
/// and a tested row without its score (which validation rejects) is never a score of 0.
#[test]
fn a_stage_a_row_gives_its_result() {
    let row = |status, score| StageARow {
        school_year: 2027,
        status,
        score,
    };
    assert_eq!(
        row(StageAStatus::Tested, Some(0)).result(),
        StageA::Tested { score: 0 }
    );
    assert_eq!(
        row(StageAStatus::Tested, Some(812)).result(),
        StageA::Tested { score: 812 }
    );
    assert_eq!(row(StageAStatus::Tested, None).result(), StageA::OptedOut);
    assert_eq!(
        row(StageAStatus::Absent, Some(700)).result(),
        StageA::Absent
    );
    assert_eq!(row(StageAStatus::OptedOut, None).result(), StageA::OptedOut);
}

#[test]
fn a_referral_row_splits_into_its_year_and_referral() {
    let (year, r) = ReferralRow {
        student_id: "000000018".into(),
        school_year: 2026,
        kind: ReferralKind::Appeal,
        decision: ReferralDecision::Pending,
    }
    .split();
    assert_eq!(year, 2026);
    assert_eq!(r.kind, ReferralKind::Appeal);
    assert_eq!(r.decision, ReferralDecision::Pending);
}
