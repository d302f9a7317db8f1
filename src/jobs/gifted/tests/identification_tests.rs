//! Hand-worked cases of gifted.md §3 (0207 §1.8, §1.10, §2.5, §2.6).

use super::*;
use crate::jobs::gifted::norms::{NormPopulation, NormsMode};
use crate::jobs::gifted::test_util::shuffle;
use proptest::prelude::*;

const G: &str = "2027/hebrew/2";

fn r(n: i128, d: i128) -> Ratio {
    Ratio::new(n, d)
}

fn int(n: i128) -> Ratio {
    Ratio::from_int(n)
}

fn pupil(id: &str, sector: Sector, grade: i64, participating: bool) -> RosterStudent {
    RosterStudent {
        student_id: id.into(),
        school_year: 2027,
        norm_group: norm_group(&["school_year", "sector", "grade"], |c| {
            default_group_value(c, 2027, sector, grade)
        })
        .unwrap()
        .into(),
        sector,
        grade,
        participating,
    }
}

fn row(n: u64, id: &str, subtest: &str, status: SubtestStatus) -> StageBRow<'static> {
    StageBRow {
        row_number: n,
        student_id: id.to_string().into(),
        school_year: 2027,
        subtest: subtest.to_string().into(),
        status,
    }
}

fn done(raw_score: i64) -> SubtestStatus {
    SubtestStatus::Completed { raw_score }
}

#[test]
fn norm_group_joins_group_by_values() {
    let g = norm_group(&["school_year", "sector", "grade"], |c| {
        default_group_value(c, 2027, Sector::Hebrew, 2)
    });
    assert_eq!(g.unwrap(), "2027/hebrew/2");
    let g = norm_group(&["grade", "sector"], |c| {
        default_group_value(c, 2027, Sector::Arabic, 3)
    });
    assert_eq!(g.unwrap(), "3/arabic");
    let err = norm_group(&["school_year", "region"], |c| {
        default_group_value(c, 2027, Sector::Hebrew, 2)
    });
    assert_eq!(err, Err(UnknownGroupColumn("region".into())));
}

#[test]
fn categories_are_decided_exactly() {
    let t = Thresholds::default();
    assert_eq!(categorize(int(97), &t), Category::Gifted);
    assert_eq!(categorize(r(9699999, 100000), &t), Category::Excellent);
    assert_eq!(categorize(int(92), &t), Category::Excellent);
    assert_eq!(categorize(r(9199999, 100000), &t), Category::NotEligible);
    assert_eq!(categorize(int(100), &t), Category::Gifted);
    // Mean of 96, 97, 98 is exactly 97; mean of 96.5, 97, 97.49999 is a hair below.
    assert_eq!(composite(&[int(96), int(97), int(98)]), int(97));
    let below = composite(&[r(193, 2), int(97), r(9749999, 100000)]);
    assert_eq!(below, r(29099999, 300000));
    assert_eq!(categorize(below, &t), Category::Excellent);
    // PRs 98, 99, 94 average exactly 97; a float mean taken as a sum of thirds does not.
    let third = |x: f64| std::hint::black_box(x) / 3.0;
    assert!(third(98.0) + third(99.0) + third(94.0) < 97.0);
    let c = composite(&[int(98), int(99), int(94)]);
    assert_eq!((c, categorize(c, &t)), (int(97), Category::Gifted));
    // Thirds: (290/3 + 291/3 + 292/3) / 3 = 97 exactly.
    assert_eq!(composite(&[r(290, 3), r(291, 3), r(292, 3)]), int(97));
}

#[test]
fn incomplete_versus_removed() {
    let t = Thresholds::default();
    let p = Some(int(99));
    let (c, cat) = classify(
        &[Some(done(5)), Some(SubtestStatus::Absent), Some(done(7))],
        &[p, None, p],
        &t,
    );
    assert_eq!((c, cat), (None, Category::Incomplete));
    let (c, cat) = classify(&[Some(done(5)), None, Some(done(7))], &[p, None, p], &t);
    assert_eq!((c, cat), (None, Category::Incomplete)); // a missing row counts as absent
    let (c, cat) = classify(
        &[
            Some(done(5)),
            Some(SubtestStatus::RemovedForConduct),
            Some(SubtestStatus::Absent),
        ],
        &[p, None, None],
        &t,
    );
    assert_eq!((c, cat), (None, Category::Removed));
    let (c, cat) = classify(&[Some(done(5)), Some(done(6))], &[p, Some(int(95))], &t);
    assert_eq!((c, cat), (Some(int(97)), Category::Gifted));
}

/// Group 2027/hebrew/2, subtests math and verbal, population `tested`:
/// math: s1 30, s2 20, s3 20, s4 10, s5 40 (s6 removed) → PR 70, 40, 40, 10, 90;
/// verbal: s1 5, s2 5, s3 1, s4 9, s6 9 (s5 absent) → PR 40, 40, 10, 80, 80.
/// Composites: s1 55, s2 40, s3 25, s4 45; with thresholds 55 / 45: s1 gifted, s4 excellent.
fn scenario() -> (
    IdentificationParams,
    Vec<RosterStudent>,
    Vec<StageBRow<'static>>,
) {
    let params = IdentificationParams {
        subtests: vec!["math".into(), "verbal".into()],
        norms: NormsParams {
            mode: NormsMode::Empirical,
            population: NormPopulation::Tested,
            thresholds: Thresholds {
                gifted: int(55),
                excellent: int(45),
            },
        },
        ..IdentificationParams::default()
    };
    let mut roster: Vec<RosterStudent> = (1..=7)
        .map(|i| pupil(&format!("s{i}"), Sector::Hebrew, 2, true))
        .collect();
    roster.push(pupil("s8", Sector::Hebrew, 2, false));
    roster.push(pupil("s9", Sector::Hebrew, 5, true));
    let rows = vec![
        row(1, "s1", "math", done(30)),
        row(2, "s1", "verbal", done(5)),
        row(3, "s2", "math", done(20)),
        row(4, "s2", "verbal", done(5)),
        row(5, "s3", "math", done(20)),
        row(6, "s3", "verbal", done(1)),
        row(7, "s4", "math", done(10)),
        row(8, "s4", "verbal", done(9)),
        row(9, "s5", "math", done(40)),
        row(10, "s5", "verbal", SubtestStatus::Absent),
        row(11, "s6", "math", SubtestStatus::RemovedForConduct),
        row(12, "s6", "verbal", done(9)),
        row(13, "s8", "math", done(99)),
        row(14, "s9", "math", done(99)),
        row(15, "ghost", "math", done(99)),
        row(16, "s7", "spatial", done(99)),
        row(17, "s1", "math", done(0)),
        // s3's verbal row of another school year (gifted.md §1): left out, not s3's score.
        StageBRow {
            school_year: 2026,
            ..row(18, "s3", "verbal", done(9))
        },
    ];
    (params, roster, rows)
}

#[test]
fn scenario_results_cutoffs_and_rejects() {
    let (params, roster, rows) = scenario();
    let out = identify(&params, &roster, &rows, &[]).unwrap();
    let got: Vec<(&str, Option<Ratio>, Category)> = out
        .results
        .iter()
        .map(|x| (x.student_id.as_str(), x.composite, x.category))
        .collect();
    assert_eq!(
        got,
        vec![
            ("s1", Some(int(55)), Category::Gifted),
            ("s2", Some(int(40)), Category::NotEligible),
            ("s3", Some(int(25)), Category::NotEligible),
            ("s4", Some(int(45)), Category::Excellent),
            ("s5", None, Category::Incomplete),
            ("s6", None, Category::Removed),
        ]
    );
    let s5 = &out.results[4];
    assert_eq!(s5.subtests[0].percentile, Some(int(90)));
    assert_eq!(s5.subtests[1].status, Some(SubtestStatus::Absent));
    assert_eq!(out.results[0].composite_num(), Some(55));
    assert_eq!(out.results[0].composite_den(), Some(1));

    let rejects: Vec<(u64, RejectRule)> =
        out.rejects.iter().map(|x| (x.row_number, x.rule)).collect();
    assert_eq!(
        rejects,
        vec![
            (13, RejectRule::InstitutionNotParticipating),
            (14, RejectRule::GradeNotTested),
            (15, RejectRule::StudentNotFound),
            (16, RejectRule::SubtestUnknown),
            (17, RejectRule::DuplicateKey),
            (18, RejectRule::OtherSchoolYear),
        ]
    );
    // Rows 13, 14 and 18 are valid rows the regulation leaves out: exclusions, not rejects.
    let excluded: Vec<u64> = out
        .rejects
        .iter()
        .filter(|x| x.rule.exclusion().is_some())
        .map(|x| x.row_number)
        .collect();
    assert_eq!(excluded, vec![13, 14, 18]);
    assert_eq!(out.rejects[1].student_id, "s9");
    assert_eq!(out.rejects[1].rule.as_str(), "grade_not_tested");

    assert_eq!(out.cutoffs.len(), 1);
    let c = &out.cutoffs[0];
    assert_eq!(c.norm_group, G);
    // population = tested: N is the students with a completed subtest, s1..s6 (gifted.md §3
    // Outputs: the N actually used); one gifted, one excellent.
    assert_eq!(
        (c.n_population, c.n_tested, c.n_gifted, c.n_excellent),
        (6, 6, 1, 1)
    );
    let cut: Vec<(&str, u64, Option<i64>, Option<i64>)> = c
        .subtests
        .iter()
        .map(|s| {
            (
                s.subtest.as_str(),
                s.n_tested,
                s.gifted_raw,
                s.excellent_raw,
            )
        })
        .collect();
    // math PRs 10, 40, 70, 90 at 10, 20, 30, 40: both thresholds first reached at 30.
    // verbal PRs 10, 40, 80 at 1, 5, 9.
    assert_eq!(
        cut,
        vec![
            ("math", 5, Some(30), Some(30)),
            ("verbal", 5, Some(9), Some(9))
        ]
    );

    let table: Vec<(&str, i64, Ratio)> = out
        .norm_table
        .iter()
        .map(|x| (x.subtest.as_str(), x.raw_score, x.percentile))
        .collect();
    assert_eq!(
        table,
        vec![
            ("math", 10, int(10)),
            ("math", 20, int(40)),
            ("math", 30, int(70)),
            ("math", 40, int(90)),
            ("verbal", 1, int(10)),
            ("verbal", 5, int(40)),
            ("verbal", 9, int(80)),
        ]
    );
}

#[test]
fn cohort_enrollment_uses_the_roster_count() {
    let (mut params, roster, rows) = scenario();
    params.norms.population = NormPopulation::CohortEnrollment;
    let out = identify(&params, &roster, &rows, &[]).unwrap();
    // math: N = 7, n_tested = 5, B(40) = 2 + 4 = 6 → PR = 100·(12 + 1)/14 = 650/7.
    assert_eq!(out.results[4].subtests[0].percentile, Some(r(650, 7)));
    // cutoffs: N is the participating students enrolled in the group, s1..s7 (s8's
    // institution does not take part, s9 is in grade 5).
    assert_eq!(out.cutoffs[0].n_population, 7);
    let math40 = out
        .norm_table
        .iter()
        .find(|x| x.subtest == "math" && x.raw_score == 40);
    assert_eq!(math40.unwrap().n_below, 6);
}

#[test]
fn reference_mode_needs_a_table_for_the_group() {
    let (mut params, roster, rows) = scenario();
    params.norms.mode = NormsMode::Reference;
    let math = |raw_score, percentile| ReferenceRow {
        norm_group: G.into(),
        subtest: "math".into(),
        raw_score,
        percentile,
    };
    let err = identify(&params, &roster, &rows, &[math(10, 50.0)]).unwrap_err();
    assert_eq!(
        err,
        IdentificationError::Norms(NormsError::MissingReferenceTable {
            norm_group: G.into(),
            subtest: "verbal".into()
        })
    );
    let mut table = vec![math(15, 50.0), math(30, 97.5)];
    for (raw, p) in [(1, 10.0), (9, 92.0)] {
        table.push(ReferenceRow {
            subtest: "verbal".into(),
            ..math(raw, p)
        });
    }
    let out = identify(&params, &roster, &rows, &table).unwrap();
    // s1: math 30 → 97.5, verbal 5 → 10 (largest tabled ≤ 5 is 1): composite 53.75.
    assert_eq!(out.results[0].composite, Some(r(215, 4)));
    // s4: math 10 → 0 (below the table), verbal 9 → 92: composite 46 → excellent (≥ 45).
    assert_eq!(out.results[3].composite, Some(int(46)));
    assert_eq!(out.results[3].category, Category::Excellent);
    assert_eq!(out.cutoffs[0].subtests[0].gifted_raw, Some(30));
}

proptest! {
    /// Shuffling roster and score rows gives identical outputs; within a group a higher raw
    /// score never gets a lower PR.
    #[test]
    fn order_free_and_monotone(
        scores in prop::collection::vec((0usize..30, 0u8..3, 0i64..20, 0u8..8), 1..90),
        seed in any::<u64>(),
        cohort in any::<bool>(),
    ) {
        let mut params = IdentificationParams::default();
        if !cohort {
            params.norms.population = NormPopulation::Tested;
        }
        let roster: Vec<RosterStudent> = (0..30)
            .map(|i| pupil(&format!("p{i:02}"), Sector::Hebrew, 2 + (i as i64 % 2), i % 7 != 0))
            .collect();
        let rows: Vec<StageBRow> = scores
            .iter()
            .enumerate()
            .map(|(n, &(i, t, raw, st))| {
                let status = match st {
                    0 => SubtestStatus::Absent,
                    1 => SubtestStatus::RemovedForConduct,
                    _ => done(raw),
                };
                row(n as u64 + 1, &format!("p{i:02}"), &params.subtests[t as usize], status)
            })
            .collect();
        let a = identify(&params, &roster, &rows, &[]).unwrap();
        let (mut roster2, mut rows2) = (roster.clone(), rows.clone());
        shuffle(&mut roster2, seed);
        shuffle(&mut rows2, seed.rotate_left(17));
        let b = identify(&params, &roster2, &rows2, &[]).unwrap();
        prop_assert_eq!(&a, &b);
        for w in a.norm_table.windows(2) {
            if w[0].norm_group == w[1].norm_group && w[0].subtest == w[1].subtest {
                prop_assert!(w[0].raw_score < w[1].raw_score);
                prop_assert!(w[0].percentile <= w[1].percentile);
            }
        }
        let n_results = a.results.len();
        let n_cat: u64 = a.cutoffs.iter().map(|c| c.n_gifted + c.n_excellent).sum();
        let n_ge = a.results.iter().filter(|x| matches!(x.category, Category::Gifted | Category::Excellent)).count();
        prop_assert_eq!(n_cat as usize, n_ge);
        prop_assert!(a.rejects.len() + n_results <= rows.len());
    }
}
