//! Hand-worked cases of gifted.md §3, percentile ranks (0207 §2.5.ב).

use super::*;
use crate::jobs::gifted::test_util::shuffle;
use proptest::prelude::*;

fn r(n: i128, d: i128) -> Ratio {
    Ratio::new(n, d)
}

fn table(rows: &[NormRow]) -> Vec<(i64, u64, u64, Ratio)> {
    rows.iter()
        .map(|x| (x.raw_score, x.n_at_score, x.n_below, x.percentile))
        .collect()
}

#[test]
fn mid_rank_with_ties_population_tested() {
    // 10, 20, 20, 30; N = 4.
    // PR(10) = 100·(0+1)/8 = 12.5; PR(20) = 100·(2+2)/8 = 50; PR(30) = 100·(6+1)/8 = 87.5.
    let rows = empirical_norm_rows(
        "2027/hebrew/2",
        "math",
        &[20, 30, 10, 20],
        NormPopulation::Tested,
        0,
    )
    .unwrap();
    assert_eq!(
        table(&rows),
        vec![
            (10, 1, 0, r(25, 2)),
            (20, 2, 1, Ratio::from_int(50)),
            (30, 1, 3, r(175, 2)),
        ]
    );
    assert!(rows
        .iter()
        .all(|x| x.norm_group == "2027/hebrew/2" && x.subtest == "math"));
}

#[test]
fn cohort_enrollment_offsets_the_count_below() {
    // Same scores, N = 10 enrolled: the 6 who did not sit the subtest count below everyone.
    // PR(10) = 100·(12+1)/20 = 65; PR(20) = 100·(14+2)/20 = 80; PR(30) = 100·(18+1)/20 = 95.
    let rows = empirical_norm_rows(
        "2027/hebrew/2",
        "math",
        &[10, 20, 20, 30],
        NormPopulation::CohortEnrollment,
        10,
    )
    .unwrap();
    assert_eq!(
        table(&rows),
        vec![
            (10, 1, 6, Ratio::from_int(65)),
            (20, 2, 7, Ratio::from_int(80)),
            (30, 1, 9, Ratio::from_int(95)),
        ]
    );
    // The population size is ignored with `tested`.
    let tested =
        empirical_norm_rows("g", "math", &[10, 20, 20, 30], NormPopulation::Tested, 10).unwrap();
    assert_eq!(tested[0].percentile, r(25, 2));
}

#[test]
fn population_smaller_than_tested_is_an_error_naming_group_and_subtest() {
    let err = empirical_norm_rows(
        "2027/arabic/3",
        "verbal",
        &[1, 2, 3, 4],
        NormPopulation::CohortEnrollment,
        3,
    )
    .unwrap_err();
    assert_eq!(
        err,
        NormsError::PopulationSmallerThanTested {
            norm_group: "2027/arabic/3".into(),
            subtest: "verbal".into(),
            n_population: 3,
            n_tested: 4,
        }
    );
    let msg = err.to_string();
    assert!(
        msg.contains("2027/arabic/3") && msg.contains("verbal"),
        "{msg}"
    );
    // N = n_tested is fine: the lowest score gets 100·1/(2·4) = 12.5.
    let ok = empirical_norm_rows("g", "s", &[1, 2, 3, 4], NormPopulation::CohortEnrollment, 4);
    assert_eq!(ok.unwrap()[0].percentile, r(25, 2));
}

#[test]
fn empirical_cutoffs() {
    let input = SubtestScores {
        norm_group: "g".into(),
        subtest: "math".into(),
        scores: vec![10, 20, 20, 30],
        n_enrolled: 10,
    };
    let n = subtest_norms(&NormsParams::default(), &input, &BTreeMap::new()).unwrap();
    // PRs 65, 80, 95 (see above).
    assert_eq!(n.cutoff(Ratio::from_int(97)), None);
    assert_eq!(n.cutoff(Ratio::from_int(92)), Some(30));
    assert_eq!(n.cutoff(Ratio::from_int(80)), Some(20));
    assert_eq!(n.cutoff(r(8001, 100)), Some(30));
    assert_eq!(n.percentile(20), Some(Ratio::from_int(80)));
    assert_eq!(n.percentile(25), None);
}

fn reference_rows() -> Vec<ReferenceRow> {
    [(20, 90.0), (10, 50.0), (30, 97.5)]
        .iter()
        .map(|&(raw_score, percentile)| ReferenceRow {
            norm_group: "2027/hebrew/2".into(),
            subtest: "math".into(),
            raw_score,
            percentile,
        })
        .collect()
}

#[test]
fn reference_lookup_below_between_and_above_the_table() {
    let tables = reference_tables(&reference_rows()).unwrap();
    let t = &tables[&("2027/hebrew/2".to_string(), "math".to_string())];
    assert_eq!(t.percentile(5), Ratio::ZERO); // below the table
    assert_eq!(t.percentile(10), Ratio::from_int(50)); // on a tabled score
    assert_eq!(t.percentile(15), Ratio::from_int(50)); // between: largest tabled ≤ 15 is 10
    assert_eq!(t.percentile(29), Ratio::from_int(90));
    assert_eq!(t.percentile(30), r(195, 2)); // 97.5 exactly
    assert_eq!(t.percentile(1000), r(195, 2)); // above the table
    assert_eq!(t.cutoff(Ratio::from_int(97)), Some(30));
    assert_eq!(t.cutoff(Ratio::from_int(90)), Some(20));
    assert_eq!(t.cutoff(Ratio::from_int(98)), None);

    let params = NormsParams {
        mode: NormsMode::Reference,
        ..NormsParams::default()
    };
    let input = SubtestScores {
        norm_group: "2027/hebrew/2".into(),
        subtest: "math".into(),
        scores: vec![15, 35, 5, 15],
        n_enrolled: 0, // not used in reference mode
    };
    let n = subtest_norms(&params, &input, &tables).unwrap();
    assert_eq!(
        table(&n.rows),
        vec![
            (5, 1, 0, Ratio::ZERO),
            (15, 2, 1, Ratio::from_int(50)),
            (35, 1, 3, r(195, 2)),
        ]
    );
    assert_eq!(n.percentile(22), Some(Ratio::from_int(90)));
    assert_eq!(n.cutoff(Ratio::from_int(92)), Some(30));
}

#[test]
fn reference_group_without_table_is_an_error_naming_it() {
    let tables = reference_tables(&reference_rows()).unwrap();
    let params = NormsParams {
        mode: NormsMode::Reference,
        ..NormsParams::default()
    };
    let input = SubtestScores {
        norm_group: "2027/arabic/3".into(),
        subtest: "math".into(),
        scores: vec![12],
        n_enrolled: 1,
    };
    let err = subtest_norms(&params, &input, &tables).unwrap_err();
    assert_eq!(
        err,
        NormsError::MissingReferenceTable {
            norm_group: "2027/arabic/3".into(),
            subtest: "math".into()
        }
    );
    assert!(err.to_string().contains("2027/arabic/3"));
}

#[test]
fn bad_reference_tables_are_errors() {
    let mut dup = reference_rows();
    dup.push(ReferenceRow {
        percentile: 90.0,
        ..dup[0].clone()
    });
    assert!(matches!(
        reference_tables(&dup),
        Err(NormsError::DuplicateReferenceScore { raw_score: 20, .. })
    ));
    let mut down = reference_rows();
    down[2].percentile = 80.0; // raw 30 below raw 20's 90
    assert!(matches!(
        reference_tables(&down),
        Err(NormsError::ReferenceNotMonotone { raw_score: 30, .. })
    ));
    for bad in [f64::NAN, 100.5, -1.0] {
        let mut rows = reference_rows();
        rows[0].percentile = bad;
        assert!(matches!(
            reference_tables(&rows),
            Err(NormsError::BadReferencePercentile { raw_score: 20, .. })
        ));
    }
}

proptest! {
    /// Within a group, PR is non-decreasing in the raw score, lies in (0, 100], and does not
    /// depend on the order of the scores.
    #[test]
    fn percentile_is_monotone_and_order_free(
        scores in prop::collection::vec(0i64..50, 1..80),
        extra in 0u64..40,
        cohort in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let pop = if cohort { NormPopulation::CohortEnrollment } else { NormPopulation::Tested };
        let n_enrolled = scores.len() as u64 + extra;
        let rows = empirical_norm_rows("g", "s", &scores, pop, n_enrolled).unwrap();
        for w in rows.windows(2) {
            prop_assert!(w[0].raw_score < w[1].raw_score);
            prop_assert!(w[0].percentile < w[1].percentile);
        }
        for x in &rows {
            prop_assert!(x.percentile > Ratio::ZERO && x.percentile <= Ratio::from_int(100));
        }
        let total: u64 = rows.iter().map(|x| x.n_at_score).sum();
        prop_assert_eq!(total, scores.len() as u64);
        let mut shuffled = scores.clone();
        shuffle(&mut shuffled, seed);
        let again = empirical_norm_rows("g", "s", &shuffled, pop, n_enrolled).unwrap();
        prop_assert_eq!(rows, again);
    }
}
